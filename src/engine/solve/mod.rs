//! Solving an instance: the public entry point [`solve`] and its options and results, over
//! a deterministic parallel LNS in epochs (`driver.rs`, `epoch.rs`), exact enumeration of tiny
//! instances (`enumerate.rs`) and the final plan with tier 4 (`plan.rs`).
//!
//! Determinism: the search runs a fixed number of logical workers, each with its own random
//! stream; at the end of an epoch the best of them (ties to the lowest worker) becomes
//! everyone's start. Threads only decide how many workers run at once, so the plan does not
//! depend on the thread count. It does depend on where the search stops: stopping by proof,
//! work limit or stall is deterministic; stopping at the time limit or on cancellation is not.

mod bounds;
mod driver;
mod enumerate;
mod epoch;
mod plan;
mod start;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use driver::Driver;
pub use start::{Dropped, Start};

use super::eligibility::Eligibility;
use crate::engine::eligibility::Ctx;
use crate::model::{Instance, Plan};

/// A progress report, sent after each epoch.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// Seconds since the start.
    pub elapsed: f64,
    /// Best tier 1 so far.
    pub best: f64,
    /// Best lower bound so far.
    pub bound: f64,
    /// `(best - bound) / best`.
    pub gap: f64,
    /// LNS steps done.
    pub steps: u64,
}

/// Progress callback.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// What a solve is doing: reported when it starts each step, so that a caller can show
/// where a long solve is before the first [`Progress`] report (on an instance of hundreds of
/// people, the bounds alone can take seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Indexing who may do what, and building the start plan.
    Preparing,
    /// Computing the lower bounds (flow, packing, the Lagrangian where the LP is out of
    /// reach); a first [`Progress`] report, with the start plan's tier 1 and the cheap bounds,
    /// comes during this phase.
    Bounding,
    /// The search (epochs of the parallel LNS, or the enumeration of a tiny instance).
    Searching,
    /// Settling the final plan (who has to move, the hours, tier 4).
    Settling,
}

impl Phase {
    /// The phase's name in lower case (`preparing`, `bounding`, `searching`, `settling`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Preparing => "preparing",
            Self::Bounding => "bounding",
            Self::Searching => "searching",
            Self::Settling => "settling",
        }
    }
}

/// Phase callback: called as the solve enters each [`Phase`].
pub type PhaseFn = Arc<dyn Fn(Phase) + Send + Sync>;

/// Callback receiving the best plan so far.
pub type PlanFn = Arc<dyn Fn(&Plan) + Send + Sync>;

/// Why the search stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// Tier 1 proven optimal and the search settled.
    Proven,
    /// The work limit (LNS steps) was reached.
    WorkLimit,
    /// No improvement for many epochs.
    Stalled,
    /// The time limit was reached.
    TimeLimit,
    /// Cancelled (Ctrl-C or a cancellation token).
    Cancelled,
}

impl StopReason {
    /// A short description.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proven => "proven optimal",
            Self::WorkLimit => "work limit",
            Self::Stalled => "no improvement",
            Self::TimeLimit => "time limit",
            Self::Cancelled => "cancelled",
        }
    }
}

/// Solver settings.
#[derive(Clone)]
pub struct SolveOptions {
    /// Wall-clock limit.
    pub time_limit: Duration,
    /// When the time limit started counting (default: when `solve` is called). A command
    /// passes its own start, so that reading a large instance counts against the limit too.
    pub started: Option<Instant>,
    /// Threads for the parallel search (at least 1).
    pub threads: usize,
    /// Random seed.
    pub seed: u64,
    /// Most LNS steps over all workers; `None` for no limit.
    pub work_limit: Option<u64>,
    /// Epochs without improvement before stopping (or restarting), at least; the search also
    /// keeps going for as many epochs as it took (since its start or last restart) to find its
    /// last tier-1 improvement, so a search that starts from a good plan (a what-if warm
    /// start) settles sooner than one that had to work for it.
    pub stall_epochs: usize,
    /// Once tier 1 is proven, epochs without improvement of tiers 2-3 before stopping (the
    /// search then works on who has to move, with neighbourhoods around the people who did).
    pub settle_epochs: usize,
    /// Instances with at most this many combinations of post sets are solved by exhaustive
    /// enumeration (proving tiers 1-3); 0 turns it off.
    pub enumeration_limit: usize,
    /// Set to `true` to stop early and get the best plan so far.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Called after each epoch (and once before the first, when the start plan and the cheap
    /// bounds are known).
    pub progress: Option<ProgressFn>,
    /// Called as the solve enters each phase, from its very start.
    pub phase: Option<PhaseFn>,
    /// Called with the incumbent's plan when the search starts and whenever it improves tier
    /// 1-3, e.g. to serve the best plan so far. These plans pass `check`, but their hours are
    /// not balanced yet (tier 4 is settled only in the final plan).
    pub improved: Option<PlanFn>,
    /// Solve the LP relaxation for its bound where it is affordable. A what-if batch turns it
    /// off when its baseline's LP bound is no stronger than the flow bound (see
    /// `engine::lp_beats_flow`).
    pub lp_bound: bool,
    /// Run the decomposition bound by person (column generation, price and branch, and
    /// branch and price where [`Self::branch_and_price`] allows): always on up to 200 people,
    /// beyond where the time limit lets it converge (see `bounds::colgen_affordable`).
    pub decomposition: bool,
    /// Branch and price after the decomposition has converged with a gap (on up to 60
    /// people). A what-if batch turns it off: its nodes take half a second each on agri's
    /// scenarios, and a search that runs them between its epochs stalls out only at the
    /// time limit.
    pub branch_and_price: bool,
    /// A plan to start the search from instead of today's posts (`solve --start`). Its posts
    /// that hold together are the first post set rated, with its own choice of who does each
    /// non-splittable duty, so the plan found is no worse in tier 1 than a valid start.
    pub start: Option<Arc<Start>>,
}

impl SolveOptions {
    /// Whether the caller asked the solve to stop.
    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
    }
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(10),
            started: None,
            threads: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            seed: 0,
            work_limit: None,
            stall_epochs: 12,
            settle_epochs: 6,
            enumeration_limit: 4096,
            cancel: None,
            progress: None,
            phase: None,
            improved: None,
            lp_bound: true,
            decomposition: true,
            branch_and_price: true,
            start: None,
        }
    }
}

/// A solved instance.
#[derive(Clone, Debug)]
pub struct Solution {
    /// The plan.
    pub plan: Plan,
    /// Lower bound on tier 1.
    pub bound: f64,
    /// Why the search stopped.
    pub stop: StopReason,
    /// LNS steps done.
    pub steps: u64,
}

fn gap(value: f64, bound: f64) -> f64 {
    if value <= 1e-9 {
        0.0
    } else {
        ((value - bound) / value).max(0.0)
    }
}

fn proven(value: f64, bound: f64) -> bool {
    value <= bound + 1e-6 * value.abs().max(1.0)
}

/// The solve's clock: when it started, its time limit and its deadlines.
#[derive(Clone, Copy, Debug)]
struct Clock {
    start: Instant,
    /// The time limit, at most a year (deadlines are instants: keep them representable).
    time_limit: Duration,
    /// The search stops by then, a little early so that settling the final plan fits.
    deadline: Instant,
    /// The end of the time limit.
    hard_deadline: Instant,
}

impl Clock {
    fn new(time_limit: Duration, started: Option<Instant>) -> Self {
        let start = started.unwrap_or_else(Instant::now);
        let time_limit = time_limit.min(Duration::from_secs(365 * 24 * 3600));
        Self {
            start,
            time_limit,
            deadline: start + time_limit.mul_f64(0.92),
            hard_deadline: start + time_limit,
        }
    }

    /// Seconds since the start.
    fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// When settling the final plan, starting `now`, must end: within the time the search
    /// leaves it (from `deadline` to the end), also where the search stopped early (by its
    /// work limit, a stall or a proof), so that those solves end soon after their search.
    fn settle_by(&self, now: Instant) -> Instant {
        (now + self.hard_deadline.saturating_duration_since(self.deadline)).min(self.hard_deadline)
    }
}

/// Tells the caller which phase the solve enters.
pub(super) fn enter(options: &SolveOptions, phase: Phase) {
    if let Some(f) = &options.phase {
        f(phase);
    }
}

/// Solves `inst`.
#[must_use]
pub fn solve(inst: &Instance, options: &SolveOptions) -> Solution {
    let clock = Clock::new(options.time_limit, options.started);
    enter(options, Phase::Preparing);
    let elig = Eligibility::new(inst);
    tracing::debug!(elapsed = clock.elapsed(), "eligibility");
    let ctx = Ctx { inst, elig: &elig };
    if let Some(solution) = solve_tiny(ctx, options, &clock) {
        return solution;
    }
    let mut driver = Driver::new(ctx, options, clock);
    let stop = driver.search();
    driver.settle(stop)
}

/// Tiny instances: enumerate every combination of posts, which proves all of tiers 1-3;
/// `None` when there are too many or the enumeration cannot finish in a tenth of the time.
fn solve_tiny(ctx: Ctx<'_>, options: &SolveOptions, clock: &Clock) -> Option<Solution> {
    if options.enumeration_limit == 0 {
        return None;
    }
    let best = enumerate::enumerate(
        ctx,
        options.enumeration_limit,
        clock.start + clock.time_limit.mul_f64(0.1),
    )?;
    let bound = best.key.coverage;
    if let Some(f) = &options.progress {
        f(&Progress {
            elapsed: clock.elapsed(),
            best: bound,
            bound,
            gap: gap(bound, bound),
            steps: 0,
        });
    }
    enter(options, Phase::Settling);
    let plan = plan::finish(
        ctx,
        &best,
        bound,
        clock.start,
        clock.hard_deadline,
        options.cancel.as_deref(),
    );
    Some(Solution {
        plan,
        bound,
        stop: StopReason::Proven,
        steps: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testkit::random_pinned_instance;
    use crate::model::verify;

    /// Settling gets the time the search leaves it, also after a search that stopped early,
    /// and never runs past the time limit.
    #[test]
    fn settling_keeps_to_the_time_the_search_leaves_it() {
        let clock = Clock::new(Duration::from_secs(100), None);
        let reserve = clock.hard_deadline - clock.deadline;
        assert_eq!(reserve, Duration::from_secs(8));
        // A search stopped by its work limit at 10 s: settled by 18 s, not by 100 s.
        let early = clock.start + Duration::from_secs(10);
        assert_eq!(clock.settle_by(early), early + reserve);
        // Stopped at its deadline: settled by the time limit.
        assert_eq!(clock.settle_by(clock.deadline), clock.hard_deadline);
        // Stopped late (a slow last epoch): still by the time limit.
        let late = clock.start + Duration::from_secs(97);
        assert_eq!(clock.settle_by(late), clock.hard_deadline);
    }

    /// Each way a solve can end (enumeration, the search to its work limit, a time limit spent
    /// before the start, a cancel) returns a plan with every pin that passes the checker.
    #[test]
    fn every_way_a_solve_ends_keeps_the_pins() {
        let quick = SolveOptions {
            time_limit: Duration::from_secs(5),
            threads: 1,
            work_limit: Some(200),
            ..SolveOptions::default()
        };
        let search = SolveOptions {
            enumeration_limit: 0,
            ..quick.clone()
        };
        let spent = SolveOptions {
            time_limit: Duration::from_secs(1),
            started: Instant::now().checked_sub(Duration::from_secs(5)),
            ..search.clone()
        };
        let cancelled = SolveOptions {
            cancel: Some(Arc::new(AtomicBool::new(true))),
            ..search.clone()
        };
        let mut pins = 0;
        for seed in 0..12_u64 {
            let inst = random_pinned_instance(seed, (5, 4, 8), 0.4);
            for options in [&quick, &search, &spent, &cancelled] {
                let plan = solve(&inst, options).plan;
                let report = verify(&inst, &plan);
                assert!(report.is_valid(), "seed {seed}: {:#?}", report.violations);
                for person in &inst.staff {
                    for &m in &person.fixed_posts {
                        let module = &inst.module(m).id;
                        assert!(
                            plan.posts
                                .iter()
                                .any(|x| x.person == person.id && x.module == *module),
                            "seed {seed}: {} lost {module}",
                            person.id
                        );
                        pins += 1;
                    }
                }
            }
        }
        assert!(pins > 40, "{pins}");
    }
}
