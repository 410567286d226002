//! The primal search over posts: evaluation with the exact hours oracle and the liaison
//! matching (`evaluate.rs`), large-neighbourhood moves that free a few related people
//! (`lns.rs`), the greedy repair that re-posts them within every cap (`repair.rs`), and the
//! passes that settle the final posts (`polish.rs`).

mod evaluate;
mod lns;
mod polish;
mod repair;

pub(crate) use evaluate::{Evaluated, Evaluator};
pub(crate) use lns::{kick, lns_step};
pub(crate) use polish::{prune, restore, revert};
pub(crate) use repair::repair_until;

use crate::engine::eligibility::Ctx;
use crate::engine::hours::BestOptions;
use crate::model::{Instance, StaffIdx};

/// Tier-1 values closer than this (relative) count as equal, so tiers 2-3 decide.
pub(crate) const TIER_TOL: f64 = 1e-7;

/// The lexicographic key the search minimises (tier 4 is settled on the final plan).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Key {
    /// Tier 1.
    pub(crate) coverage: f64,
    /// Tier 2.
    pub(crate) stability: u64,
    /// Tier 3.
    pub(crate) fragmentation: u64,
}

impl Key {
    /// Whether `self` is strictly better than `other`.
    #[must_use]
    pub(crate) fn better(&self, other: &Key) -> bool {
        let tol = TIER_TOL * self.coverage.abs().max(other.coverage.abs()).max(1.0);
        if self.coverage < other.coverage - tol {
            return true;
        }
        if self.coverage > other.coverage + tol {
            return false;
        }
        (self.stability, self.fragmentation) < (other.stability, other.fragmentation)
    }
}

/// Branch-and-bound nodes for packing the freed people's duties in a step.
const STEP_PACKING_NODES: u64 = 200;

/// How the search rates its steps, chosen once per instance.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Style {
    /// Many people or duties: a full evaluation per step is too slow.
    pub(crate) large: bool,
    /// Most hours are in non-splittable duties: greedy packings misjudge post sets there, so
    /// each step packs the freed people's duties exactly (everyone else's kept), and a
    /// stalled search restarts.
    pub(crate) packing: bool,
    /// Re-optimise only the freed people's hours in each step.
    pub(crate) partial: bool,
}

impl Style {
    /// The style for `inst`.
    #[must_use]
    pub(crate) fn of(inst: &Instance) -> Self {
        let large = inst.duties.len() > 600 || inst.staff.len() > 150;
        let (mut whole, mut all) = (0.0, 0.0);
        for d in &inst.duties {
            all += d.hours;
            if !d.splittable {
                whole += d.hours;
            }
        }
        let packing = all > 0.0 && whole >= 0.5 * all;
        Self {
            large,
            packing,
            partial: large || packing,
        }
    }

    /// An evaluator for search steps.
    #[must_use]
    pub(crate) fn evaluator(self, ctx: Ctx<'_>) -> Evaluator<'_> {
        let mut eval = Evaluator::new(ctx, BestOptions::greedy());
        if self.packing {
            eval.partial_options = BestOptions::packing(STEP_PACKING_NODES);
        }
        eval
    }
}

/// People whose posts differ from today's (tier 2 counts their changes).
pub(super) fn moved_people(inst: &Instance, cur: &Evaluated) -> Vec<StaffIdx> {
    inst.staff_indices()
        .filter(|&p| {
            let held = cur.state.posts.of(p);
            let today = &inst.person(p).current_posts;
            held.len() != today.len() || held.iter().any(|m| today.binary_search(m).is_err())
        })
        .collect()
}
