//! The bin-completion branch and bound run on targets below the bound (iterative bound
//! lowering), with probes of the bound itself.

use std::time::Instant;

use tracing::debug;

use super::branch::Branch;
use super::solver::Solver;
use super::{Effort, Packing, Tuning, margin};

/// The problem [`Packing::target_search`] searches and how.
pub(super) struct TargetSearch<'p> {
    /// The problem searched (the reduced one, or the problem itself).
    pub(super) pk: &'p Packing,
    /// Items every better packing places.
    pub(super) must: &'p [bool],
    /// Item prices for the node bounds (empty: none).
    pub(super) prices: &'p [f64],
    /// Profits are whole numbers.
    pub(super) whole: bool,
    /// A light evaluation (a small node budget): no targets.
    pub(super) light: bool,
    /// Log each search (large packings only).
    pub(super) verbose: bool,
    /// The branch and bound's knapsack budget, and when a probe runs first.
    pub(super) tuning: Tuning,
}

/// What [`Packing::target_search`] did.
pub(super) struct Targeted {
    /// The best packing is proven optimal.
    pub(super) proven: bool,
    /// Searches that probed the bound itself.
    pub(super) probes: u32,
}

impl Packing {
    /// The bin-completion branch and bound on targets (iterative bound lowering): it looks
    /// only for packings within a step of the bound, doubling the step while none exists, so
    /// that a finished search that finds nothing lowers `bound` and one that finds a packing
    /// finds it near the bound, which then prunes the rest; the last search targets the best
    /// itself. Light evaluations search from the best at once (a target search would spend
    /// their nodes proving bounds and leave the best unimproved). Improves `best` (a packing
    /// of `self`).
    pub(super) fn target_search<'s>(
        &'s self,
        ts: &TargetSearch<'_>,
        best: &mut Solver<'s>,
        bound: &mut f64,
        effort: Effort,
    ) -> Targeted {
        let done =
            |best: &Solver<'_>, bound: f64| best.profit >= bound - 1e-9 * bound.abs().max(1.0);
        let mut step = if ts.light {
            f64::INFINITY
        } else {
            ((*bound - best.profit) / 64.0).max(margin(best.profit, ts.whole))
        };
        let mut spent = 0_u64;
        // The last regular search's target and nodes, and whether the next search probes
        // the bound itself (see below).
        let mut last: Option<(f64, u64)> = None;
        let mut probe = false;
        // The target planned before a probe (kept after it: the probe moves the bound by
        // one, which would move the doubled steps' targets).
        let mut planned: Option<f64> = None;
        let mut probes = 0;
        loop {
            let this_step = if probe { 1.0 } else { step };
            // Whole profits: a whole target (the step is a margin short of one, and a
            // target a hair above `bound - 1` would search for packings above the bound).
            let target = match planned.filter(|_| !probe) {
                Some(t) => {
                    planned = None;
                    t.min(*bound - 1.0)
                }
                None => {
                    if ts.whole {
                        (*bound - this_step + 1e-6).floor()
                    } else {
                        *bound - this_step
                    }
                }
            }
            .max(best.profit);
            let mut bb = Branch::new(
                ts.pk,
                best,
                Effort {
                    nodes: effort.nodes.saturating_sub(spent),
                    deadline: effort.deadline,
                },
            );
            bb.tuning = ts.tuning;
            bb.set_prices(ts.prices.to_vec());
            bb.set_musts(ts.must);
            bb.best_profit = target;
            bb.ceiling = *bound;
            let started = Instant::now();
            bb.run();
            spent += bb.nodes;
            let found = bb.best_profit > target + 1e-9;
            if found && bb.best_profit > best.profit + 1e-9 {
                *best = Solver::new(self);
                for (j, &b) in bb.best_assign.iter().enumerate() {
                    if let Some(b) = b {
                        best.put(j, b as usize);
                    }
                }
            }
            if ts.verbose {
                debug!(
                    bound = *bound,
                    target,
                    nodes = bb.nodes,
                    aborted = bb.aborted,
                    best = best.profit,
                    elapsed = ?started.elapsed(),
                    "packing: target search"
                );
            }
            if bb.aborted {
                let proven = done(best, *bound);
                return Targeted { proven, probes };
            }
            if found || target <= best.profit + 1e-9 {
                // The search went on from what it found (or from the best): nothing beats
                // the best.
                return Targeted {
                    proven: true,
                    probes,
                };
            }
            // No packing beats the target (whole profits: the target is whole, and beating
            // it takes one more).
            *bound = if ts.whole {
                bound.min(target)
            } else {
                bound.min(target + margin(target, false))
            };
            if done(best, *bound) {
                return Targeted {
                    proven: true,
                    probes,
                };
            }
            if std::mem::take(&mut probe) {
                continue;
            }
            step *= 2.0;
            // A probe of the bound before the doubled step, with whole profits, where the
            // searches' nodes grow so fast per unit of target that the next search is likely
            // to cost `probe_ratio` times the probe or more: the probe looks only for packings
            // worth the bound (found: optimal; else the bound falls by one). Bounded insurance
            // for packings whose bound is their optimum (some of SMALL's `0U` instances, which
            // a probe settles long before the doubled step).
            if let (true, Some((t0, n0))) = (ts.whole, last) {
                let next = (*bound - step + 1e-6).floor().max(best.profit);
                let units = t0 - target;
                let between = *bound - 1.0 - next;
                if units > 0.0 && bb.nodes > n0 && between >= 2.0 {
                    let per_unit = (bb.nodes as f64 / n0.max(1) as f64).ln() / units;
                    probe = per_unit * between >= ts.tuning.probe_ratio.ln();
                    planned = probe.then_some(next);
                    probes += u32::from(probe);
                }
            }
            last = Some((target, bb.nodes));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::packing::testing::{TEST_TUNING, brute, hard};
    use crate::rng::Rng;

    /// The target searches from an empty packing: they prove the optimum, and the bounds they
    /// lower on the way stay above it; a light one is the plain search from the best.
    #[test]
    fn target_searches_lower_the_bound_and_prove_the_optimum() {
        let mut rng = Rng::new(19);
        let mut lowered = 0;
        let mut differ = 0;
        let mut probes = 0;
        for case in 0..200 {
            let pk = hard(&mut rng, case);
            let exact = brute(&pk);
            let ts = TargetSearch {
                pk: &pk,
                must: &[],
                prices: &[],
                whole: true,
                light: false,
                verbose: false,
                tuning: TEST_TUNING,
            };
            let root = pk.bound().floor();
            let mut best = Solver::new(&pk);
            let mut bound = root;
            let effort = |nodes| Effort {
                nodes,
                deadline: None,
            };
            let found = pk.target_search(&ts, &mut best, &mut bound, effort(u64::MAX));
            assert!(found.proven, "case {case}");
            probes += found.probes;
            assert!((best.profit - exact).abs() < 1e-6, "case {case}");
            assert!(bound >= exact - 1e-6, "case {case}: bound below optimum");
            if bound < root {
                lowered += 1;
            }
            // Light: one plain search from the best, as the branch and bound alone.
            let empty = Solver::new(&pk);
            let mut plain = Branch::new(&pk, &empty, effort(30));
            plain.tuning = TEST_TUNING;
            plain.run();
            let mut light = Solver::new(&pk);
            let mut light_bound = root;
            let ts = TargetSearch { light: true, ..ts };
            probes += pk
                .target_search(&ts, &mut light, &mut light_bound, effort(30))
                .probes;
            assert!(
                (light.profit - plain.best_profit).abs() < 1e-9,
                "case {case}"
            );
            let mut heavy = Solver::new(&pk);
            let ts = TargetSearch { light: false, ..ts };
            probes += pk
                .target_search(&ts, &mut heavy, &mut root.clone(), effort(30))
                .probes;
            if (heavy.profit - light.profit).abs() > 1e-9 {
                differ += 1;
            }
        }
        // The targets were searched and did lower bounds, and with few nodes they spend them
        // otherwise than the plain search.
        assert!(lowered >= 20, "{lowered} bounds lowered");
        assert!(differ >= 5, "{differ} light runs as targets");
        // Probes of the bound ran (with a probe wherever the nodes grew).
        assert!(probes >= 10, "{probes} probes");
    }
}
