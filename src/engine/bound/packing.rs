//! The packing bound: with every post held at once, the components whose duties are all
//! non-splittable are packing problems, bounded by the packing solver.

use std::time::{Duration, Instant};

use super::flow::{all_posts, unavoidable_penalties};
use crate::engine::eligibility::Ctx;
use crate::engine::hours::{BestOptions, HoursOracle};
use crate::engine::posts::PostState;
use crate::engine::search::{Evaluated, Evaluator};

/// Most branch-and-bound nodes of the packing bound per component (its deadline usually
/// stops it first).
const PACKING_NODES: u64 = 2_000_000_000;

/// The packing bound: with every post held at once (a relaxation of the posts), components
/// whose duties are all non-splittable are packing problems, solved by branch and bound or
/// bounded by their surrogate relaxation ([`crate::engine::packing`]); the other components
/// count nothing. When those posts are legal together they are also a plan, returned too.
///
/// When every post is legal at once, those posts are optimal for tier 1 (more posts never
/// cover less, nor leave more counterparts or floors unmet): the packing is then all that is
/// left to decide for tier 1 and gets `share_legal` of the time, else `share`.
pub(crate) fn packing_bound(
    ctx: Ctx<'_>,
    start: Instant,
    time_limit: Duration,
    (share, share_legal): (f64, f64),
    cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
) -> (f64, Option<Evaluated>) {
    let inst = ctx.inst;
    let posts = all_posts(ctx);
    // From the pins, which every plan holds (all posts include them).
    let mut state = PostState::pinned(inst);
    for (p, m) in posts.iter() {
        if state.can_add(ctx, p, m) {
            state.add(inst, p, m);
        }
    }
    let legal = state.posts == posts;
    let deadline = start + time_limit.mul_f64(if legal { share_legal } else { share });
    // Its flow over every eligible pair takes seconds on thousands of people: not started
    // once its share of the time is gone (it would only return 0).
    if Instant::now() >= deadline {
        return (0.0, None);
    }
    let options = BestOptions {
        local_search_evals: 0,
        exact_max_duties: 0,
        exact_max_nodes: 0,
        max_work: 0,
        packing_nodes: PACKING_NODES,
        deadline: Some(deadline),
    };
    let penalties = unavoidable_penalties(ctx);
    // A flow cut short by the deadline or a cancel leaves valid hours but no bound.
    if legal {
        let mut eval = Evaluator::new(ctx, options);
        eval.oracle.stop_at(deadline, cancel);
        let ev = eval.evaluate(state);
        if eval.oracle.aborted() {
            return (0.0, Some(ev));
        }
        (ev.hours.bound + penalties, Some(ev))
    } else {
        let mut oracle = HoursOracle::new(inst);
        oracle.stop_at(deadline, cancel);
        let hours = oracle.best_hours(&posts, &options);
        if oracle.aborted() {
            return (0.0, None);
        }
        (hours.bound + penalties, None)
    }
}
