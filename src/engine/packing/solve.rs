//! [`Packing::solve`]: the stages in order, each on a share of the time left.

use std::time::Instant;

use tracing::debug;

use super::bounds::{LAG_LP_MIN_ITERATIONS, LAG_STEP, Lagrangian};
use super::branch::Branch;
use super::fixing::NODE_ROOT_BRANCH;
use super::solver::Solver;
use super::targets::TargetSearch;
use super::{Effort, FIT_TOL, LAG_BRANCH_MIN_EFFORT, Packed, Packing, Tuning, margin};

impl Packing {
    /// Best packing found from `start` (entries that do not fit are dropped), within `effort`.
    #[must_use]
    pub fn solve(&self, start: &[Option<u32>], effort: Effort) -> Packed {
        let mut run = Run::new(self, start, effort);
        run.pack_surrogate_solution();
        run.improve();
        run.lagrangian();
        run.proven = run.done();
        run.early_local_search();
        run.fix();
        run.set_search();
        run.target_searches();
        run.lagrangian_branch();
        run.sample_surrogates();
        run.perturb();
        run.packed()
    }
}

/// What [`Packing::solve`] knows between its stages.
// Independent facts about the problem and the run, each read on its own.
#[allow(clippy::struct_excessive_bools)]
struct Run<'a> {
    pk: &'a Packing,
    effort: Effort,
    /// The best packing found.
    best: Solver<'a>,
    /// An upper bound on the profit of every packing.
    bound: f64,
    /// Whether `best` is proven optimal.
    proven: bool,
    /// Item prices of the last Lagrangian bound (empty: none).
    prices: Vec<f64>,
    /// The problem left by reduced-cost fixing, and the items every better packing places.
    reduced: Option<(Packing, Vec<bool>)>,
    /// Sizes are whole numbers.
    integral: bool,
    /// Profits are whole numbers.
    whole: bool,
    /// Log the stages: large packings only (the hours oracle solves many small ones).
    verbose: bool,
}

impl<'a> Run<'a> {
    /// The start (what fits of it), completed greedily, and the surrogate bound.
    fn new(pk: &'a Packing, start: &[Option<u32>], effort: Effort) -> Self {
        let n = pk.n();
        let mut cur = Solver::new(pk);
        for j in 0..n {
            if let Some(b) = start.get(j).copied().flatten() {
                let b = b as usize;
                if pk.allowed[j].binary_search(&(b as u32)).is_ok()
                    && cur.room[b] + FIT_TOL >= pk.size[j]
                {
                    cur.put(j, b);
                }
            }
        }
        let bound = pk.bound();
        cur.fill();
        Self {
            pk,
            effort,
            best: cur,
            bound,
            proven: false,
            prices: Vec::new(),
            reduced: None,
            integral: pk.integral(),
            whole: pk.profit.iter().all(|&p| (p - p.round()).abs() <= 1e-9),
            verbose: n > 30,
        }
    }

    /// The best packing reaches the bound.
    fn done(&self) -> bool {
        self.best.profit >= self.bound - 1e-9 * self.bound.abs().max(1.0)
    }

    fn out_of_time(&self) -> bool {
        self.effort.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// No items or no bins.
    fn empty(&self) -> bool {
        self.pk.n() == 0 || self.pk.cap.is_empty()
    }

    /// `share` of the time left before the deadline, from now.
    fn until(&self, share: f64) -> Option<Instant> {
        let now = Instant::now();
        self.effort
            .deadline
            .map(|d| now + d.saturating_duration_since(now).mul_f64(share))
    }

    /// The surrogate solution's items packed exactly: often the optimum at once when people
    /// hold several duties each.
    fn pack_surrogate_solution(&mut self) {
        if self.done() || !self.integral || self.empty() || self.out_of_time() {
            return;
        }
        let root = Branch::new(self.pk, &self.best, self.effort);
        let (_, set) = root.surrogate(0, true);
        if let Some(placed) = root.pack_set(0, &set, 200_000) {
            let packed = Solver::with_placed(self.pk, &placed);
            if packed.profit > self.best.profit {
                self.best = packed;
            }
        }
    }

    /// The local search to a local optimum.
    fn improve(&mut self) {
        if self.done() || self.empty() {
            return;
        }
        let deadline = self.effort.deadline;
        let out_of_time = || deadline.is_some_and(|d| Instant::now() >= d);
        let mut cur = self.best.clone();
        cur.improve(self.integral, &out_of_time);
        if cur.profit > self.best.profit {
            self.best = cur;
        }
    }

    /// The Lagrangian bound (and its heuristic) where the surrogate leaves a gap: decisive
    /// when people hold few duties each, where the surrogate is weak. Up to 25% of the time.
    fn lagrangian(&mut self) {
        if self.done() || self.out_of_time() || !self.integral {
            return;
        }
        let now = Instant::now();
        let at = |share: f64| {
            self.effort
                .deadline
                .map(|d| now + d.saturating_duration_since(now).mul_f64(share))
        };
        // Scaled to the effort: light evaluations (20,000 nodes) get 20 iterations.
        let iterations = (self.effort.nodes / 1_000).clamp(1, 5_000) as usize;
        // The subgradient steps up to 15% of the time, the exact pooled bound up to 25%.
        let Some(Lagrangian {
            bound: lag,
            prices,
            assign,
            profit,
        }) = (self.pk).lagrangian(self.best.profit, iterations, at(0.15), at(0.25))
        else {
            return;
        };
        self.prices = prices;
        if profit > self.best.profit + 1e-9 {
            self.best = Solver::with_assign(self.pk, &assign);
        }
        let lag = if self
            .pk
            .profit
            .iter()
            .all(|&p| (p - p.round()).abs() <= 1e-6)
        {
            // Integral profits: no packing reaches the fraction.
            (lag + 1e-6).floor()
        } else {
            lag
        };
        self.bound = self.bound.min(lag);
        if self.verbose {
            debug!(
                bound = lag,
                heuristic = profit,
                elapsed = ?now.elapsed(),
                "packing: lagrangian"
            );
        }
    }

    /// A strong incumbent before the fixing and the branch and bound, which both prune
    /// against it: the local search for a fifth of the time left, a tenth on small packings,
    /// where the branch and bound proves the optimum and needs the time (tuned on SMALL).
    fn early_local_search(&mut self) {
        if self.proven || self.empty() || self.out_of_time() {
            return;
        }
        let share = if self.pk.n() <= 60 { 0.1 } else { 0.2 };
        let until = self.until(share);
        let rounds = (self.effort.nodes / 1_000).min(2_000_000) as usize;
        let deadline = self.effort.deadline;
        let early = || {
            deadline.is_some_and(|d| Instant::now() >= d)
                || until.is_some_and(|d| Instant::now() >= d)
        };
        self.best = (self.pk).local_search(self.best.clone(), rounds, self.bound, &early);
        self.proven = self.done();
        if self.verbose {
            debug!(best = self.best.profit, "packing: early local search");
        }
    }

    /// Reduced-cost fixing: the pairs and items a better packing cannot use or must use, at
    /// the Lagrangian prices; the Lagrangian again on what is left, while it removes pairs.
    /// The branch and bound then searches the reduced problem.
    fn fix(&mut self) {
        if self.proven || self.prices.is_empty() || self.out_of_time() {
            return;
        }
        let floor = self.best.profit + margin(self.best.profit, self.whole);
        let iterations = (self.effort.nodes / 1_000).clamp(1, 5_000) as usize;
        for _ in 0..4 {
            let (pk, must) = match &self.reduced {
                Some((pk, must)) => (pk, must.clone()),
                None => (self.pk, vec![false; self.pk.n()]),
            };
            let Some(fx) = pk.fix(&self.prices, floor) else {
                break;
            };
            if self.verbose {
                debug!(
                    removed = fx.removed,
                    left = fx.reduced.allowed.iter().map(Vec::len).sum::<usize>(),
                    musts = fx.must.iter().filter(|&&m| m).count(),
                    settled = fx.settled,
                    "packing: fixing"
                );
            }
            if fx.settled {
                self.proven = true;
                self.bound = self.best.profit;
                break;
            }
            let again = fx.removed > 0;
            let must: Vec<bool> = must.iter().zip(&fx.must).map(|(&a, &b)| a || b).collect();
            self.reduced = Some((fx.reduced, must));
            if !again || self.out_of_time() || !self.bound_reduced(iterations) {
                break;
            }
        }
    }

    /// The Lagrangian bound of the reduced problem, on 5% of the time left: the exact pooled
    /// bound where it runs, else subgradient steps (with their packings). Whether fixing
    /// goes on (not proven, nothing failed).
    fn bound_reduced(&mut self, iterations: usize) -> bool {
        let Some((pk, _)) = &self.reduced else {
            return false;
        };
        let until = self.until(0.05);
        let exact = if iterations >= LAG_LP_MIN_ITERATIONS {
            pk.lagrangian_lp(&self.prices, self.best.profit, iterations, until)
        } else {
            None
        };
        let (lag_bound, lag_prices) = if let Some(found) = exact {
            found
        } else {
            let Some(lag) = pk.lagrangian_from(
                self.best.profit,
                iterations,
                until,
                Some(&self.prices),
                LAG_STEP,
            ) else {
                return false;
            };
            if lag.profit > self.best.profit + 1e-9 {
                self.best = Solver::with_assign(self.pk, &lag.assign);
            }
            (lag.bound, lag.prices)
        };
        if self.verbose {
            debug!(
                bound = lag_bound,
                "packing: lagrangian of the reduced problem"
            );
        }
        // The reduced problem bounds only the packings better than the best.
        let lag_bound = if self.whole {
            (lag_bound + 1e-6).floor()
        } else {
            lag_bound
        };
        self.bound = self.bound.min(lag_bound.max(self.best.profit));
        self.prices = lag_prices;
        if self.done() {
            self.proven = true;
            return false;
        }
        true
    }

    /// The set search, on a quarter of the time left (whole sizes; not in light
    /// evaluations).
    fn set_search(&mut self) {
        if self.proven
            || !self.integral
            || self.empty()
            || self.effort.nodes < LAG_BRANCH_MIN_EFFORT
            || self.out_of_time()
        {
            return;
        }
        let half = self.effort.share(0.25);
        let (pk, must) = match &self.reduced {
            Some((pk, must)) => (pk, must.clone()),
            None => (self.pk, Vec::new()),
        };
        let found = pk.set_search(&self.best, &must, self.bound, self.whole, half);
        if let Some(placed) = &found.packed {
            let mut packed = Solver::with_placed(self.pk, placed);
            // Items left out may still fit in the room left.
            packed.fill();
            if packed.profit > self.best.profit + 1e-9 {
                self.best = packed;
            }
        }
        self.bound = self.bound.min(found.bound.max(self.best.profit));
        self.proven = found.proven || self.done();
        if self.verbose {
            debug!(
                bound = self.bound,
                proven = self.proven,
                best = self.best.profit,
                repeats = found.repeats,
                "packing: set search"
            );
        }
    }

    /// The bin-completion branch and bound on targets, with 90% of the time on small
    /// packings (where it often proves the optimum), a tenth on larger ones (where it rarely
    /// does); the rest goes to the pair branch and bound, sampling and the local search.
    fn target_searches(&mut self) {
        if self.proven || self.out_of_time() {
            return;
        }
        let share = if self.pk.n() <= 60 { 0.9 } else { 0.1 };
        let half = self.effort.share(share);
        let (pk, must) = match &self.reduced {
            Some((pk, must)) => (pk, must.clone()),
            None => (self.pk, Vec::new()),
        };
        let search = TargetSearch {
            pk,
            must: &must,
            prices: &self.prices,
            whole: self.whole,
            light: self.effort.nodes < LAG_BRANCH_MIN_EFFORT,
            verbose: self.verbose,
            tuning: Tuning::default(),
        };
        let searched = (self.pk).target_search(&search, &mut self.best, &mut self.bound, half);
        self.proven = searched.proven;
        if self.verbose {
            debug!(
                proven = self.proven,
                probes = searched.probes,
                "packing: target searches"
            );
        }
    }

    /// The branch and bound with node prices, on half the time left (small packings).
    fn lagrangian_branch(&mut self) {
        if self.proven
            || self.pk.n() > 60
            || self.effort.nodes < LAG_BRANCH_MIN_EFFORT
            || self.prices.is_empty()
            || self.out_of_time()
        {
            return;
        }
        let half = self.effort.share(0.5);
        let finished = (self.pk).lagrangian_branch(
            &mut self.best,
            &self.prices,
            half,
            NODE_ROOT_BRANCH,
            self.verbose,
        );
        self.proven = finished || self.done();
    }

    /// Surrogate sampling: the pooled knapsack solved again with profits perturbed and the
    /// pooled room cut by a little (the room packings lose to fragmentation), each solution's
    /// items packed exactly into the bins (or as much of them as the subset-sum split
    /// places). Half of the time left.
    fn sample_surrogates(&mut self) {
        if self.proven || self.empty() || !self.integral || self.out_of_time() {
            return;
        }
        let now = Instant::now();
        let until = (self.effort.deadline).map(|d| now + d.saturating_duration_since(now) / 2);
        let rounds = (self.effort.nodes / 2_000).clamp(1, 100_000);
        let sampled = (self.pk).sample_surrogates(&self.best, rounds, until, self.bound);
        if sampled.profit > self.best.profit + 1e-9 {
            self.best = sampled;
        }
        self.proven = self.done();
        if self.verbose {
            debug!(best = self.best.profit, "packing: after surrogate sampling");
        }
    }

    /// The iterated local search with perturbations, on the time left.
    fn perturb(&mut self) {
        if self.proven || self.empty() {
            return;
        }
        let rounds = (self.effort.nodes / 200).min(10_000_000) as usize;
        let deadline = self.effort.deadline;
        let out_of_time = || deadline.is_some_and(|d| Instant::now() >= d);
        self.best = (self.pk).local_search(self.best.clone(), rounds, self.bound, &out_of_time);
        self.proven = self.done();
        if self.verbose {
            debug!(best = self.best.profit, "packing: after perturbation");
        }
    }

    fn packed(self) -> Packed {
        Packed {
            assign: self.best.bin.iter().map(|b| b.map(|b| b as u32)).collect(),
            profit: self.best.profit,
            bound: if self.proven {
                self.best.profit
            } else {
                self.bound
            },
            proven: self.proven,
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
