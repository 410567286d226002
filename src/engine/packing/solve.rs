//! [`Packing::solve`]: the stages in order, each on a share of the time left.

use std::time::Instant;

use tracing::debug;

use super::bounds::{LAG_LP_MIN_ITERATIONS, LAG_STEP, Lagrangian};
use super::branch::Branch;
use super::fixing::NODE_ROOT_BRANCH;
use super::local::Solver;
use super::targets::TargetSearch;
use super::{Effort, FIT_TOL, LAG_BRANCH_MIN_EFFORT, Packed, Packing, Tuning, margin};

impl Packing {
    /// Best packing found from `start` (entries that do not fit are dropped), within `effort`.
    #[must_use]
    pub fn solve(&self, start: &[Option<u32>], effort: Effort) -> Packed {
        let n = self.n();
        let nb = self.cap.len();
        let mut cur = Solver::new(self);
        for j in 0..n {
            if let Some(b) = start.get(j).copied().flatten() {
                let b = b as usize;
                if self.allowed[j].binary_search(&(b as u32)).is_ok()
                    && cur.room[b] + FIT_TOL >= self.size[j]
                {
                    cur.put(j, b);
                }
            }
        }
        let mut bound = self.bound();
        let done = |s: &Solver, bound: f64| s.profit >= bound - 1e-9 * bound.abs().max(1.0);
        let out_of_time = || effort.deadline.is_some_and(|d| Instant::now() >= d);
        cur.fill();
        let mut best = cur.clone();
        let integral = self.integral();
        // The stages are logged on large packings only (the hours oracle solves many small ones).
        let verbose = n > 30;
        // The surrogate solution's items packed exactly: often the optimum at once when
        // people hold several duties each.
        if !done(&best, bound) && integral && n > 0 && nb > 0 && !out_of_time() {
            let root = Branch::new(self, &best, effort);
            let (_, set) = root.surrogate(0, true);
            if let Some(placed) = root.pack_set(0, &set, 200_000) {
                let mut packed = Solver::new(self);
                for (j, b) in placed {
                    packed.put(j, b);
                }
                if packed.profit > best.profit {
                    best = packed;
                }
            }
        }
        if !done(&best, bound) && n > 0 && nb > 0 {
            cur.clone_from(&best);
            cur.improve(integral, &out_of_time);
            if cur.profit > best.profit {
                best = cur.clone();
            }
        }
        let mut prices = Vec::new();
        // The Lagrangian bound (and its heuristic) where the surrogate leaves a gap: decisive
        // when people hold few duties each, where the surrogate is weak. Up to 25% of the time.
        if !done(&best, bound) && !out_of_time() && integral {
            let now = Instant::now();
            let at = |share: f64| {
                effort
                    .deadline
                    .map(|d| now + d.saturating_duration_since(now).mul_f64(share))
            };
            // Scaled to the effort: light evaluations (20,000 nodes) get 20 iterations.
            let iterations = (effort.nodes / 1_000).clamp(1, 5_000) as usize;
            // The subgradient steps up to 15% of the time, the exact pooled bound up to 25%.
            if let Some(Lagrangian {
                bound: lag,
                prices: p,
                assign,
                profit,
            }) = self.lagrangian_within(best.profit, iterations, at(0.15), at(0.25))
            {
                prices = p;
                if profit > best.profit + 1e-9 {
                    best = Solver::new(self);
                    for (j, b) in assign.iter().enumerate() {
                        if let Some(b) = *b {
                            best.put(j, b as usize);
                        }
                    }
                }
                let lag = if self.profit.iter().all(|&p| (p - p.round()).abs() <= 1e-6) {
                    // Integral profits: no packing reaches the fraction.
                    (lag + 1e-6).floor()
                } else {
                    lag
                };
                bound = bound.min(lag);
                if verbose {
                    debug!(
                        bound = lag,
                        heuristic = profit,
                        elapsed = ?now.elapsed(),
                        "packing: lagrangian"
                    );
                }
            }
        }
        let mut proven = done(&best, bound);
        // A strong incumbent before the fixing and the branch and bound, which both prune
        // against it: the local search for a fifth of the time left (measured on SMALL
        // M020_N0060: the branch and bound started 0.5% below the optimum, which the local
        // search later found, and proved nothing in 5 s); a tenth on small packings, where
        // the branch and bound proves the optimum and needs the time (SMALL at 10 s: 168
        // proven against 167).
        if !proven && n > 0 && nb > 0 && !out_of_time() {
            let share = if n <= 60 { 0.1 } else { 0.2 };
            let now = Instant::now();
            let until = effort
                .deadline
                .map(|d| now + d.saturating_duration_since(now).mul_f64(share));
            let rounds = (effort.nodes / 1_000).min(2_000_000) as usize;
            let early = || out_of_time() || until.is_some_and(|d| Instant::now() >= d);
            best = self.local_search(best, rounds, bound, &early);
            proven = done(&best, bound);
            if verbose {
                debug!(best = best.profit, "packing: early local search");
            }
        }
        // Reduced-cost fixing: the pairs and items a better packing cannot use or must use,
        // at the Lagrangian prices; the Lagrangian again on what is left, while it removes
        // pairs. The branch and bound then searches the reduced problem.
        let whole = self.profit.iter().all(|&p| (p - p.round()).abs() <= 1e-9);
        let mut reduced: Option<(Packing, Vec<bool>)> = None;
        if !proven && !prices.is_empty() && !out_of_time() {
            let floor = best.profit + margin(best.profit, whole);
            let iterations = (effort.nodes / 1_000).clamp(1, 5_000) as usize;
            for _ in 0..4 {
                let (pk, must) = match &reduced {
                    Some((pk, must)) => (pk, must.clone()),
                    None => (self, vec![false; n]),
                };
                let Some(fx) = pk.fix(&prices, floor) else {
                    break;
                };
                if verbose {
                    debug!(
                        removed = fx.removed,
                        left = fx.reduced.allowed.iter().map(Vec::len).sum::<usize>(),
                        musts = fx.must.iter().filter(|&&m| m).count(),
                        settled = fx.settled,
                        "packing: fixing"
                    );
                }
                if fx.settled {
                    proven = true;
                    bound = best.profit;
                    break;
                }
                let again = fx.removed > 0;
                let must: Vec<bool> = must.iter().zip(&fx.must).map(|(&a, &b)| a || b).collect();
                reduced = Some((fx.reduced, must));
                if !again || out_of_time() {
                    break;
                }
                let Some((pk, _)) = &reduced else { break };
                let now = Instant::now();
                let until = effort
                    .deadline
                    .map(|d| now + d.saturating_duration_since(now).mul_f64(0.05));
                // The exact pooled bound where it runs, else subgradient steps (with their
                // packings).
                let exact = match iterations >= LAG_LP_MIN_ITERATIONS {
                    true => pk.lagrangian_lp(&prices, best.profit, iterations, until),
                    false => None,
                };
                let (lag_bound, lag_prices) = match exact {
                    Some(found) => found,
                    None => {
                        let Some(lag) = pk.lagrangian_from(
                            best.profit,
                            iterations,
                            until,
                            Some(&prices),
                            LAG_STEP,
                        ) else {
                            break;
                        };
                        if lag.profit > best.profit + 1e-9 {
                            best = Solver::new(self);
                            for (j, b) in lag.assign.iter().enumerate() {
                                if let Some(b) = *b {
                                    best.put(j, b as usize);
                                }
                            }
                        }
                        (lag.bound, lag.prices)
                    }
                };
                if verbose {
                    debug!(
                        bound = lag_bound,
                        "packing: lagrangian of the reduced problem"
                    );
                }
                // The reduced problem bounds only the packings better than the best.
                let lag_bound = if whole {
                    (lag_bound + 1e-6).floor()
                } else {
                    lag_bound
                };
                bound = bound.min(lag_bound.max(best.profit));
                prices = lag_prices;
                if done(&best, bound) {
                    proven = true;
                    break;
                }
            }
        }
        // The set search, on a quarter of the time left (whole sizes; not in light
        // evaluations).
        if !proven
            && integral
            && n > 0
            && nb > 0
            && effort.nodes >= LAG_BRANCH_MIN_EFFORT
            && !out_of_time()
        {
            let half = effort.share(0.25);
            let (pk, must) = reduced
                .as_ref()
                .map_or((self, Vec::new()), |(pk, must)| (pk, must.clone()));
            let found = pk.set_search(&best, &must, bound, whole, half);
            if let Some(placed) = &found.packed {
                let mut packed = Solver::new(self);
                for &(j, b) in placed {
                    packed.put(j, b);
                }
                // Items left out may still fit in the room left.
                packed.fill();
                if packed.profit > best.profit + 1e-9 {
                    best = packed;
                }
            }
            bound = bound.min(found.bound.max(best.profit));
            proven = found.proven || done(&best, bound);
            if verbose {
                debug!(
                    bound,
                    proven,
                    best = best.profit,
                    repeats = found.repeats,
                    "packing: set search"
                );
            }
        }
        // Branch and bound next, with 90% of the time on small packings (where it often
        // proves the optimum), a tenth on larger ones (where it rarely does); the rest goes to
        // the pair branch and bound, sampling and the iterated local search.
        if !proven && !out_of_time() {
            let share = if n <= 60 { 0.9 } else { 0.1 };
            let half = effort.share(share);
            let (pk, must) = reduced
                .as_ref()
                .map_or((self, Vec::new()), |(pk, must)| (pk, must.clone()));
            let light = effort.nodes < LAG_BRANCH_MIN_EFFORT;
            let search = TargetSearch {
                pk,
                must: &must,
                prices: &prices,
                whole,
                light,
                verbose,
                tuning: Tuning::default(),
            };
            let searched = self.target_search(&search, &mut best, &mut bound, half);
            proven = searched.proven;
            if verbose {
                debug!(proven, probes = searched.probes, "packing: target searches");
            }
        }
        // The branch and bound with node prices next, on half the time left (small packings).
        if !proven
            && n <= 60
            && effort.nodes >= LAG_BRANCH_MIN_EFFORT
            && !prices.is_empty()
            && !out_of_time()
        {
            let half = effort.share(0.5);
            proven = self.lagrangian_branch(&mut best, &prices, half, NODE_ROOT_BRANCH, verbose)
                || done(&best, bound);
        }
        if !proven && n > 0 && nb > 0 && integral && !out_of_time() {
            // Surrogate sampling: solve the pooled knapsack again with profits perturbed and
            // the pooled room cut by a little (the room packings lose to fragmentation), and
            // pack each solution's items exactly into the bins (or as much of them as the
            // subset-sum split places). Half of the time left.
            let now = Instant::now();
            let until = effort
                .deadline
                .map(|d| now + d.saturating_duration_since(now) / 2);
            let rounds = (effort.nodes / 2_000).clamp(1, 100_000);
            let sampled = self.sample_surrogates(&best, rounds, until, bound);
            if sampled.profit > best.profit + 1e-9 {
                best = sampled;
            }
            proven = done(&best, bound);
            if verbose {
                debug!(best = best.profit, "packing: after surrogate sampling");
            }
        }
        if !proven && n > 0 && nb > 0 {
            let rounds = (effort.nodes / 200).min(10_000_000) as usize;
            best = self.local_search(best, rounds, bound, &out_of_time);
            proven = done(&best, bound);
            if verbose {
                debug!(best = best.profit, "packing: after perturbation");
            }
        }
        Packed {
            assign: best.bin.iter().map(|b| b.map(|b| b as u32)).collect(),
            profit: best.profit,
            bound: if proven { best.profit } else { bound },
            proven,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::packing::size_scale;
    use crate::engine::packing::testing::{assert_proven, brute, check, hard, random};
    use crate::rng::Rng;

    #[test]
    fn matches_brute_force() {
        let mut rng = Rng::new(7);
        for case in 0..200 {
            let pk = random(&mut rng, 1 + case % 4, 2 + case % 9, case % 3 != 0);
            let exact = brute(&pk);
            assert!(
                pk.bound() >= exact - 1e-6,
                "case {case}: bound below optimum"
            );
            let run = |nodes| {
                pk.solve(
                    &[],
                    Effort {
                        nodes,
                        deadline: None,
                    },
                )
            };
            let p = run(1_000_000);
            check(&pk, &p);
            assert_proven(&p, exact, case);
            // With no branching the heuristic is still valid, and so are the bounds of a
            // light run (the search from the best) and of a full one (target searches, set
            // search: a bound they lower must stay above the optimum).
            for nodes in [1, 200, 2_000_000] {
                let h = run(nodes);
                check(&pk, &h);
                assert!(h.profit <= exact + 1e-6, "case {case}");
                assert!(h.bound >= exact - 1e-6, "case {case}: bound below optimum");
            }
        }
    }

    /// The whole solver on hard packings with a full node budget (target searches and the
    /// set search run): what it proves is the optimum, its bound never below it.
    #[test]
    fn full_solves_of_hard_packings_prove_the_optimum() {
        let mut rng = Rng::new(17);
        for case in 0..200 {
            let pk = hard(&mut rng, case);
            let exact = brute(&pk);
            let p = pk.solve(
                &[],
                Effort {
                    nodes: 2_000_000,
                    deadline: None,
                },
            );
            check(&pk, &p);
            assert!(p.bound >= exact - 1e-6, "case {case}: bound below optimum");
            assert_proven(&p, exact, case);
        }
    }

    /// Half hours scaled to whole units (as `hours` does) keep the optimum of the original.
    #[test]
    fn scaled_half_hours_match_brute_force() {
        let mut rng = Rng::new(13);
        for case in 0..100 {
            let mut pk = random(&mut rng, 1 + case % 4, 2 + case % 8, true);
            for s in &mut pk.size {
                *s -= 0.5 * rng.below(2) as f64;
            }
            for c in &mut pk.cap {
                *c += 0.5 * rng.below(2) as f64;
            }
            let exact = brute(&pk);
            let k = size_scale(pk.size.iter().copied(), 40.0).expect("half hours");
            let scaled = Packing {
                cap: pk.cap.iter().map(|c| (c * k + 1e-6).floor()).collect(),
                size: pk.size.iter().map(|s| (s * k).round()).collect(),
                ..pk.clone()
            };
            let p = scaled.solve(
                &[],
                Effort {
                    nodes: 1_000_000,
                    deadline: None,
                },
            );
            check(&scaled, &p);
            assert_proven(&p, exact, case);
        }
    }
}
