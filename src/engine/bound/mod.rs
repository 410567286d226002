//! Lower bounds on tier 1, which prove plans optimal and measure the gap:
//! - the flow bound (`flow.rs`): every post at once, every duty splittable, one max-flow;
//! - the packing bound (`packing.rs`): every post at once, the all-non-splittable components
//!   packed by the packing solver;
//! - the caps bound (`caps.rs`): each module covers at most what its `max_staff` most capable
//!   people can work, each unit what its `headcount_cap` most capable can; and the flow bound
//!   with these caps dualised (a few dozen flows);
//! - the Lagrangian bound (`lagrangian.rs`): the coupling constraints dualised, person
//!   problems that keep the posts cap;
//! - the LP relaxation ([`lp`]), strengthened, solved by microlp where it is affordable;
//! - the decomposition by person (`colgen.rs`, with its pricing in `pricing.rs`), and branch
//!   and price on posts below it (`branch.rs`).

pub(crate) mod branch;
pub(crate) mod caps;
pub(crate) mod colgen;
pub(crate) mod flow;
pub(crate) mod lagrangian;
pub mod lp;
pub(crate) mod packing;
pub(crate) mod pricing;

use std::time::Duration;

use super::eligibility::Eligibility;
use crate::engine::eligibility::Ctx;
use crate::model::Instance;

/// Whether the LP relaxation's bound is above the flow bound on `inst` (every post held at
/// once), or `None` when the LP is not affordable within `time_limit` or does not finish. A
/// what-if batch asks its baseline and skips the LP in its scenarios where it is not: there
/// it costs time and proves nothing the flow bound does not.
#[must_use]
pub(crate) fn lp_beats_flow(inst: &Instance, time_limit: Duration) -> Option<bool> {
    let elig = Eligibility::new(inst);
    let ctx = Ctx { inst, elig: &elig };
    let budget = lp::LpBudget::new(ctx, time_limit);
    if !budget.affordable {
        return None;
    }
    let lp = lp::tier1_relaxation(inst).solve(budget.limit)?;
    let (flow, _) = flow::flow_bound(ctx);
    Some(lp > flow + 1e-6 * flow.abs().max(1.0))
}

/// The caps bound on `inst` (see `caps.rs`): each module covers at most what its
/// `max_staff` most capable qualified people can work, each unit at most what its
/// `headcount_cap` most capable can, heaviest duties first. `solve` states it when it is the
/// best bound; this is the bound alone.
#[must_use]
pub fn caps_bound(inst: &Instance) -> f64 {
    let elig = Eligibility::new(inst);
    caps::caps_bound(Ctx { inst, elig: &elig })
}

/// The flow bound with the caps of [`caps_bound`] dualised, after at most `iterations`
/// flows (see `caps.rs`). `solve` states it when it is the best bound; this is the bound
/// alone.
#[must_use]
pub fn capped_flow_bound(inst: &Instance, iterations: usize) -> f64 {
    let elig = Eligibility::new(inst);
    let far = std::time::Instant::now() + std::time::Duration::from_secs(3600);
    caps::capped_flow_bound(Ctx { inst, elig: &elig }, f64::INFINITY, iterations, far)
}

/// The decomposition bound by person on `inst`: column generation from the flow relaxation's
/// prices, run to convergence (or `max_iterations`), pricing on `threads` threads. `None`
/// when microlp fails on the master. `solve` runs the same bound within its time limit; this
/// is the bound alone, for callers that want it and for the benchmarks.
#[must_use]
pub fn decomposition_bound(inst: &Instance, threads: usize, max_iterations: usize) -> Option<f64> {
    let elig = Eligibility::new(inst);
    let ctx = Ctx { inst, elig: &elig };
    let (_, relaxed) = flow::flow_bound(ctx);
    let mut start = pricing::Duals::zero(inst);
    start.pi = pricing::flow_prices(ctx, &relaxed.x);
    let mut cg = colgen::ColumnGeneration::new(ctx, &[start], Vec::new(), threads.max(1))?;
    Some(cg.improve(ctx, f64::INFINITY, max_iterations, None, &|| false))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{decomposition_bound, lp_beats_flow};

    /// A batch skips the LP bound in its scenarios when the baseline's LP is no stronger than
    /// the flow bound: true on agri, false where a posts cap binds (one person, one post, work
    /// in two modules: the flow bound lets her do both, the LP half).
    #[test]
    fn the_lp_probe_tells_where_the_lp_beats_the_flow_bound() {
        let limit = Duration::from_secs(10);
        let (agri, _) = crate::io::load_instance(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/instances/longgang-agri.json"
        )))
        .expect("agri");
        assert_eq!(lp_beats_flow(&agri, limit), Some(false));
        let capped = r#"{
          "name": "capped",
          "skills": [{"id": "s"}],
          "units": [{"id": "u"}],
          "staff": [{"id": "p", "unit": "u", "capacity": 40, "skills": {"s": 1}}],
          "modules": [{"id": "a", "unit": "u"}, {"id": "b", "unit": "u"}],
          "duties": [
            {"id": "d1", "module": "a", "hours": 20, "skill": "s", "weight": 1},
            {"id": "d2", "module": "b", "hours": 20, "skill": "s", "weight": 1}
          ],
          "rules": {"max_posts": 1}
        }"#;
        let (inst, _) = crate::io::parse_instance(capped, "capped.json").expect("valid");
        assert_eq!(lp_beats_flow(&inst, limit), Some(true));
    }

    /// The bound alone converges to the solver's: on agri the decomposition closes the gap
    /// to the optimum (510, proven by the solver), and it is never above it.
    #[test]
    fn the_decomposition_bound_alone_reaches_the_optimum_on_agri() {
        let (agri, _) = crate::io::load_instance(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/instances/longgang-agri.json"
        )))
        .expect("agri");
        let bound = decomposition_bound(&agri, 2, 1_000).expect("the master solves");
        assert!(bound <= 510.0 + 1e-6, "bound {bound} above the optimum 510");
        assert!(
            bound >= 510.0 - 1e-6,
            "bound {bound} short of the optimum 510"
        );
    }
}
