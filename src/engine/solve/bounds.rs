//! The lower bounds as the search goes, and their budgets: the flow and packing bounds at the
//! start, the LP relaxation once, the Lagrangian, and the decomposition by person (column
//! generation) after each epoch.

use std::time::{Duration, Instant};

use super::{Clock, SolveOptions};
use crate::engine::bound::branch::BranchAndPrice;
use crate::engine::bound::caps::{capped_flow_bound, caps_bound};
use crate::engine::bound::colgen::ColumnGeneration;
use crate::engine::bound::flow::{flow_bound_until, unavoidable_penalties};
use crate::engine::bound::lagrangian::LagrangianBound;
use crate::engine::bound::lp::LpBudget;
use crate::engine::bound::packing::packing_bound;
use crate::engine::bound::pricing::{Duals, flow_prices, plan_patterns, warm_prices};
use crate::engine::eligibility::Ctx;
use crate::engine::search::Evaluated;
use crate::model::{DutyIdx, StaffIdx};

/// The lower bounds as the search goes: the flow and packing bounds from the start, the LP
/// relaxation once where it is affordable, the Lagrangian where the LP is not (or fails).
pub(super) struct Bounds {
    /// The flow bound, raised to the packing bound.
    pub(super) flow: f64,
    /// The flow relaxation's hours, until column generation starts from their prices.
    pub(super) flow_x: Option<Vec<(StaffIdx, DutyIdx, f64)>>,
    /// The LP bound once solved (0 when microlp returned nothing).
    pub(super) lp: Option<f64>,
    pub(super) lp_budget: LpBudget,
    pub(super) lagrangian: LagrangianBound,
    /// The Lagrangian's share of the time, and what it has spent.
    pub(super) lag_budget: Duration,
    pub(super) lag_spent: Duration,
    /// The LP failed: the Lagrangian takes over.
    pub(super) lagrangian_instead: bool,
    /// The decomposition bound by person, once started (see `tighten_bounds`).
    pub(super) colgen: Option<ColumnGeneration>,
    /// Why column generation has stopped, once it has.
    pub(super) colgen_stop: Option<ColgenStop>,
    pub(super) colgen_budget: Duration,
    pub(super) colgen_spent: Duration,
    /// Price and branch has run (once per solve).
    pub(super) branched: bool,
    /// Branch and price below a converged decomposition, its bound, and what it has cost and
    /// found.
    pub(super) tree: Option<BranchAndPrice>,
    pub(super) tree_bound: f64,
    pub(super) tree_account: TreeAccount,
}

/// What branch and price has cost (its nodes and time) and when it last paid for itself.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct TreeAccount {
    pub(super) nodes: u64,
    pub(super) spent: Duration,
    /// Nodes and time spent when the tree last improved the best plan.
    paid: (u64, Duration),
}

impl TreeAccount {
    /// Records a slice of the tree: its node count and time after it, and whether its plans
    /// improved the best plan.
    pub(super) fn record(&mut self, nodes: u64, slice: Duration, improved: bool) {
        self.nodes = nodes;
        self.spent += slice;
        if improved {
            self.paid = (self.nodes, self.spent);
        }
    }

    /// Nodes and time since the tree last improved the best plan (or since it started).
    pub(super) fn since_paid(&self) -> (u64, Duration) {
        (
            self.nodes.saturating_sub(self.paid.0),
            self.spent.saturating_sub(self.paid.1),
        )
    }
}

/// Why column generation stopped (other than by converging).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ColgenStop {
    /// Off, out of reach here (too many people), or microlp failed.
    Out,
    /// Its share of the time is used up.
    Spent,
    /// It gave its time back while no better than the other bounds: its master is far from
    /// converged, so its columns make no plan worth price and branch's time.
    Abandoned,
}

impl Bounds {
    /// The best lower bound so far.
    pub(super) fn lower(&self) -> f64 {
        self.lower_without_colgen()
            .max(self.colgen.as_ref().map_or(0.0, ColumnGeneration::value))
            .max(self.tree_bound)
    }

    fn lower_without_colgen(&self) -> f64 {
        self.lagrangian
            .value()
            .max(self.flow)
            .max(self.lp.unwrap_or(0.0))
    }

    /// Whether the decomposition bound has reached its limit (no LP relaxation is stronger).
    pub(super) fn colgen_converged(&self) -> bool {
        self.colgen.as_ref().is_some_and(|c| c.converged)
    }

    /// Whether the LP relaxation is to be solved now (see [`lp_due`]).
    pub(super) fn lp_due(&self) -> bool {
        self.lp.is_none()
            && lp_due(
                self.lp_budget.affordable,
                self.lp_budget.expected,
                self.colgen_stop,
                self.colgen_converged(),
            )
    }

    /// Whether the Lagrangian iterates (see [`lagrangian_due`]).
    pub(super) fn lagrangian_due(&self) -> bool {
        lagrangian_due(
            !self.lp_budget.affordable || self.lagrangian_instead,
            self.colgen_stop,
            self.colgen_converged(),
        )
    }

    /// Column generation from the plan `best`, within its share of the time.
    pub(super) fn run_colgen(
        &mut self,
        ctx: Ctx<'_>,
        clock: &Clock,
        best: &Evaluated,
        threads: usize,
        cancelled: &dyn Fn() -> bool,
    ) {
        if self.colgen_stop.is_some() || self.colgen_converged() {
            return;
        }
        let t = Instant::now();
        if self.colgen.is_none() {
            // Two starts: prices read off the plan, and the flow relaxation's optimal dual
            // (worth the flow bound); the better one is the first center.
            let mut warm = Duals::zero(ctx.inst);
            warm.pi = warm_prices(ctx, &best.hours.x, &best.hours.load);
            let mut starts = vec![warm];
            if let Some(x) = self.flow_x.take() {
                let mut at_flow = Duals::zero(ctx.inst);
                at_flow.pi = flow_prices(ctx, &x);
                starts.push(at_flow);
            }
            let posts: Vec<Vec<_>> = ctx
                .inst
                .staff_indices()
                .map(|p| best.state.posts.of(p).to_vec())
                .collect();
            let seeds = plan_patterns(ctx.inst, &posts, &best.hours.x, &best.liaisons);
            self.colgen = ColumnGeneration::new(ctx, &starts, seeds, threads);
            if self.colgen.is_none() {
                self.colgen_stop = Some(ColgenStop::Out);
            }
        }
        // A few iterations between two epochs of the search, so that the search goes on
        // while the bound rises; a fixed count keeps runs repeatable where time allows.
        let until = (t + self.colgen_budget.saturating_sub(self.colgen_spent))
            .min(t + clock.time_limit / 20)
            .min(clock.deadline);
        let others = self.lower_without_colgen();
        if let Some(cg) = &mut self.colgen {
            cg.improve(
                ctx,
                best.key.coverage,
                COLGEN_ITERATIONS,
                Some(until),
                cancelled,
            );
            tracing::debug!(
                elapsed = clock.elapsed(),
                "column generation {} (ceiling {}) after {} iterations, {} columns",
                cg.value(),
                cg.ceiling,
                cg.iterations,
                cg.columns.len()
            );
        }
        self.colgen_spent += t.elapsed();
        if self.colgen_spent >= self.colgen_budget {
            self.colgen_stop.get_or_insert(ColgenStop::Spent);
        }
        // While the decomposition is no better than the other bounds, it gives the time back
        // to the search after `COLGEN_PATIENCE` iterations (a count, so that runs repeat), or
        // once it has had its trial (where its master is slow).
        let spent = self.colgen_spent;
        let trial = colgen_trial(clock.time_limit, ctx.inst.staff.len());
        if self
            .colgen
            .as_ref()
            .is_some_and(|cg| gives_up(spent, trial, cg.iterations, cg.value(), others))
        {
            self.colgen_stop = Some(ColgenStop::Abandoned);
        }
    }

    /// Up to `iterations` more Lagrangian iterations within its budget. Its iterations are
    /// deterministic, so the budget only decides how far it gets, not what it computes.
    pub(super) fn run_lagrangian(
        &mut self,
        ctx: Ctx<'_>,
        clock: &Clock,
        upper: f64,
        iterations: usize,
        cancelled: &dyn Fn() -> bool,
    ) {
        if self.lag_spent >= self.lag_budget {
            return;
        }
        let t = Instant::now();
        // Until it passes the flow bound, it runs only to the end of its trial.
        let passed = self.lagrangian.value() > self.flow + 1e-9 * self.flow.abs().max(1.0);
        let room = if passed {
            self.lag_budget
        } else {
            self.lag_budget.mul_f64(LAGRANGIAN_TRIAL)
        };
        let until = (t + room.saturating_sub(self.lag_spent)).min(clock.deadline);
        // One iteration first: if it is too slow to converge in the budget (huge instances),
        // leave the time to the search.
        let first = usize::from(self.lagrangian.iterations == 0);
        let first_until = until.min(t + clock.time_limit / 200);
        self.lagrangian
            .improve(ctx, upper, first, Some(first_until), cancelled);
        if first == 1 && t.elapsed() > clock.time_limit / 200 {
            self.lag_spent = self.lag_budget;
            return;
        }
        self.lagrangian
            .improve(ctx, upper, iterations - first, Some(until), cancelled);
        self.lag_spent += t.elapsed();
        if lagrangian_gives_up(
            self.lag_spent,
            self.lag_budget,
            self.lagrangian.value(),
            self.flow,
        ) {
            self.lag_spent = self.lag_budget;
        }
    }
}

/// The most eligible (person, duty) pairs for which the flow and packing bounds are built
/// (about 1.2 GB of network at the most).
const MAX_BOUND_PAIRS: usize = 30_000_000;

/// Up to this many people, column generation always runs (within its budget).
const COLGEN_ALWAYS_STAFF: usize = 200;

/// Column generation's time to converge on this many people, as measured on 300 x 80 x 600
/// (27 s alone, 38 s into a 60 s solve); it grows with the square of the people (the
/// master's cuts and each person's pricing).
const COLGEN_SECONDS_AT: (f64, f64) = (300.0, 30.0);

/// Column generation's share of the time limit.
const COLGEN_SHARE: f64 = 0.5;

/// Its share beyond [`COLGEN_ALWAYS_STAFF`] people, where it runs only with time to converge:
/// there the search has usually found its plan before it starts (on 300 x 80 x 600, the
/// 60 s plan after 12 s), and a decomposition cut short leaves the bound at the flow bound.
const COLGEN_SHARE_LARGE: f64 = 0.7;

/// Beyond [`COLGEN_ALWAYS_STAFF`] people, its share must cover its expected time by this
/// factor: into a 60 s solve on 300 people it converged after 31 s in one run and was 2 s
/// short of it at the end of its 30 s in another.
const COLGEN_MARGIN: f64 = 1.25;

/// Column generation's share of the time limit on `staff` people.
fn colgen_share(staff: usize) -> f64 {
    if staff <= COLGEN_ALWAYS_STAFF {
        COLGEN_SHARE
    } else {
        COLGEN_SHARE_LARGE
    }
}

/// Whether column generation runs on `staff` people within `limit`: always up to
/// [`COLGEN_ALWAYS_STAFF`], beyond only where its share of the time covers its expected time
/// to converge. Short of converging it leaves the bound where the flow bound is (its bound
/// rises only once its master holds the right columns) and costs the search its time: on
/// 300 people at 15 s the plan was 3% worse.
fn colgen_affordable(staff: usize, limit: Duration) -> bool {
    staff <= COLGEN_ALWAYS_STAFF
        || limit.mul_f64(COLGEN_SHARE_LARGE) >= colgen_expected(staff).mul_f64(COLGEN_MARGIN)
}

/// Column generation's expected time to converge on `staff` people.
fn colgen_expected(staff: usize) -> Duration {
    let (people, seconds) = COLGEN_SECONDS_AT;
    Duration::from_secs_f64(seconds * (staff as f64 / people).powi(2))
}

/// How long column generation may stay no better than the other bounds before it gives its
/// time back: [`COLGEN_TRIAL`] of the time `limit`, [`COLGEN_TRIAL_MIN`] at least, and at
/// least its expected time to converge on `staff` people, with its margin (on 300 people its
/// bound rises from the flow bound only in its last few iterations).
fn colgen_trial(limit: Duration, staff: usize) -> Duration {
    limit
        .mul_f64(COLGEN_TRIAL)
        .max(COLGEN_TRIAL_MIN)
        .max(colgen_expected(staff).mul_f64(COLGEN_MARGIN))
}

/// Column generation iterations after which it stops if it is no better than the other
/// bounds.
const COLGEN_PATIENCE: usize = 40;

/// The share of the time limit after which column generation stops if it is no better than
/// the other bounds. On 100 people and all non-splittable duties it needs about 10 s to pass
/// the LP; what it takes before that, the search misses. `--tight 1.3` on 100 people needs
/// about 3.5 s: at 15 s, a quarter of the time lost its bound in one run of three. Never less
/// than [`COLGEN_TRIAL_MIN`]: the default 100-person instance needs about 2.5 s to prove its
/// plan optimal, which 30% of 6 s cut short.
const COLGEN_TRIAL: f64 = 0.3;

/// The least time column generation gets before it may be stopped for being no better.
const COLGEN_TRIAL_MIN: Duration = Duration::from_secs(3);

/// Column generation iterations between two epochs of the search.
const COLGEN_ITERATIONS: usize = 4;

/// The bounds at the start: flow and packing (whose plan may replace `best`), and the
/// Lagrangian warm-started from `best` (its first run is [`Driver::new`]'s, after the first
/// progress report).
pub(super) fn start_bounds(
    ctx: Ctx<'_>,
    clock: &Clock,
    best: &mut Evaluated,
    lp_budget: LpBudget,
    options: &SolveOptions,
) -> (Bounds, Option<Evaluated>) {
    // Both bounds solve a flow over every eligible pair, which takes seconds on instances of
    // thousands of people: neither starts once its share of the time is gone.
    // Their networks hold every eligible (person, duty) pair several times over (about 40
    // bytes a pair): beyond `MAX_BOUND_PAIRS` they would take gigabytes, and are skipped.
    let huge = ctx.elig.pair_duty_count() > MAX_BOUND_PAIRS;
    let late = |until: Instant| huge || options.is_cancelled() || Instant::now() >= until;
    let (flow, flow_x) = if late(clock.deadline) {
        None
    } else {
        flow_bound_until(ctx, clock.deadline, options.cancel.clone())
    }
    .map_or_else(
        || (unavoidable_penalties(ctx), None),
        |(bound, hours)| (bound, Some(hours.x)),
    );
    tracing::debug!(elapsed = clock.elapsed(), "flow bound {flow}");
    // Hard packings get up to 10% of the time for the bound, 80% when they also decide the
    // plan (see `packing_bound`); elsewhere the packing part finishes quickly.
    let (pack, pack_plan) = if late(clock.start + clock.time_limit.mul_f64(0.8)) {
        (0.0, None)
    } else {
        packing_bound(
            ctx,
            clock.start,
            clock.time_limit,
            (0.1, 0.8),
            options.cancel.clone(),
        )
    };
    tracing::debug!(elapsed = clock.elapsed(), "packing bound {pack}");
    // One pass over the eligible pairs (0.08 s on 5,000 people), so no size limit; but not
    // past the deadline.
    let caps = if options.is_cancelled() || Instant::now() >= clock.deadline {
        0.0
    } else {
        caps_bound(ctx)
    };
    tracing::debug!(elapsed = clock.elapsed(), "caps bound {caps}");
    // The flow with the caps dualised (a few dozen flows): up to a tenth of the time, where
    // the flow was affordable at all.
    let capped = if huge || flow_x.is_none() || options.is_cancelled() {
        0.0
    } else {
        let until = clock
            .deadline
            .min(Instant::now() + clock.time_limit.mul_f64(CAPPED_SHARE));
        capped_flow_bound(ctx, best.key.coverage, CAPPED_ITERATIONS, until)
    };
    tracing::debug!(elapsed = clock.elapsed(), "capped flow bound {capped}");
    let flow = flow.max(pack).max(caps).max(capped);
    if let Some(ev) = &pack_plan {
        if ev.key.better(&best.key) {
            *best = ev.clone();
        }
    }
    let mut lagrangian = LagrangianBound::new(ctx.inst);
    // Prices read off the incumbent start the ascent near the flow bound (better than prices
    // from the relaxed flow itself, whose people are spread thin).
    lagrangian.warm_start(ctx, &best.hours.x, &best.hours.load);
    let colgen_on =
        options.decomposition && colgen_affordable(ctx.inst.staff.len(), clock.time_limit);
    let bounds = Bounds {
        flow,
        flow_x: flow_x.filter(|_| colgen_on),
        lp: None,
        lp_budget,
        lagrangian,
        // The Lagrangian gets at most 15% of the time.
        lag_budget: clock.time_limit.mul_f64(0.15),
        lag_spent: Duration::ZERO,
        lagrangian_instead: false,
        colgen: None,
        colgen_stop: (!colgen_on).then_some(ColgenStop::Out),
        // Column generation gets at most half of the time (more beyond 200 people, where it
        // runs only with time to converge): where it converges it proves more than anything
        // else, and a stop by proof saves the rest.
        colgen_budget: clock.time_limit.mul_f64(colgen_share(ctx.inst.staff.len())),
        colgen_spent: Duration::ZERO,
        branched: false,
        tree: None,
        tree_bound: 0.0,
        tree_account: TreeAccount::default(),
    };
    (bounds, pack_plan)
}

/// The flow with the caps dualised: at most this many flows, and this share of the time.
const CAPPED_ITERATIONS: usize = 60;
const CAPPED_SHARE: f64 = 0.1;

/// An LP relaxation expected to take longer than this waits for the decomposition.
const LP_QUICK: f64 = 0.5;

/// Whether the LP relaxation is solved (once): where it is `affordable`, at once if it is
/// quick (`expected` seconds, where it often proves a plan optimal early), otherwise only once
/// the decomposition, which is at least as strong, has stopped short of converging. On 100
/// people with all duties non-splittable the LP took 4 s of a 15 s solve for 645.5, where the
/// decomposition reaches 690.4.
fn lp_due(
    affordable: bool,
    expected: f64,
    colgen_stop: Option<ColgenStop>,
    colgen_converged: bool,
) -> bool {
    affordable && (expected <= LP_QUICK || (colgen_stop.is_some() && !colgen_converged))
}

/// Whether the Lagrangian iterates: where the LP is out of reach or failed (`lp_out`), and
/// the decomposition is neither to come or running (`colgen_stop` is `None`) nor converged.
/// The decomposition's bound is the Lagrangian's at better prices; the Lagrangian's 15% of
/// the time is what the decomposition needs to pass the LP at 6 s on 100 people with all
/// duties non-splittable. Once the decomposition stops short, the Lagrangian takes over.
fn lagrangian_due(lp_out: bool, colgen_stop: Option<ColgenStop>, colgen_converged: bool) -> bool {
    lp_out && colgen_stop.is_some() && !colgen_converged
}

/// The share of its budget in which the Lagrangian must pass the flow bound to go on.
/// Started from the incumbent's prices it begins far below the flow bound (300 x 80 x 600:
/// -2167 against 1722.5) and had not passed it at the end of its budget on any instance of
/// more than 200 people measured (300 x 80 x 600, enforcement, 2,000 x 300 x 4,000); where it
/// serves, on tight posts caps, it passes the flow bound within a few iterations.
const LAGRANGIAN_TRIAL: f64 = 0.2;

/// Whether the Lagrangian, `spent` into its `budget`, gives the rest back: it has not passed
/// the `flow` bound within its trial.
fn lagrangian_gives_up(spent: Duration, budget: Duration, value: f64, flow: f64) -> bool {
    spent >= budget.mul_f64(LAGRANGIAN_TRIAL) && value <= flow + 1e-9 * flow.abs().max(1.0)
}

/// Whether column generation, `spent` into its `trial` (see [`colgen_trial`]) after
/// `iterations` with bound `value`, gives its time back: it is no better than the `others`
/// bounds after its patience or its trial.
fn gives_up(spent: Duration, trial: Duration, iterations: usize, value: f64, others: f64) -> bool {
    let tried = spent >= trial;
    (tried || iterations >= COLGEN_PATIENCE) && value <= others + 1e-9 * others.abs().max(1.0)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{
        COLGEN_PATIENCE, ColgenStop, colgen_affordable, colgen_trial, gives_up, lagrangian_due,
        lagrangian_gives_up, lp_due,
    };

    #[test]
    fn the_lagrangian_gives_its_time_back_where_it_does_not_pass_the_flow_bound_in_its_trial() {
        let s = Duration::from_secs_f64;
        // 15% of 60 s, of which a fifth (1.8 s) to pass the flow bound.
        let budget = s(9.0);
        assert!(!lagrangian_gives_up(s(1.0), budget, 0.0, 11501.5));
        assert!(lagrangian_gives_up(s(1.8), budget, 0.0, 11501.5));
        assert!(lagrangian_gives_up(s(1.8), budget, 11501.5, 11501.5));
        // Past the flow bound, it keeps its whole budget.
        assert!(!lagrangian_gives_up(s(5.0), budget, 11600.0, 11501.5));
    }

    #[test]
    fn column_generation_runs_beyond_200_people_only_where_it_has_time_to_converge() {
        let s = Duration::from_secs;
        assert!(colgen_affordable(200, s(1)));
        assert!(colgen_affordable(300, s(60)));
        assert!(!colgen_affordable(300, s(15)));
        assert!(!colgen_affordable(400, s(60)));
        assert!(colgen_affordable(400, s(120)));
        assert!(!colgen_affordable(2000, s(600)));
    }

    #[test]
    fn a_slow_lp_waits_for_the_decomposition_and_runs_when_it_stops_short() {
        // Quick: at once, whatever the decomposition does.
        assert!(lp_due(true, 0.1, None, false));
        // Not affordable: never.
        assert!(!lp_due(false, 0.1, Some(ColgenStop::Out), false));
        // Slow: not while the decomposition is to come or running, nor once it converged.
        assert!(!lp_due(true, 5.4, None, false));
        assert!(!lp_due(true, 5.4, None, true));
        // Slow, and the decomposition stopped short (or is off): the LP runs.
        for stop in [ColgenStop::Out, ColgenStop::Spent, ColgenStop::Abandoned] {
            assert!(lp_due(true, 5.4, Some(stop), false), "{stop:?}");
        }
    }

    #[test]
    fn the_lagrangian_waits_for_the_decomposition_and_takes_over_when_it_stops_short() {
        // The LP is solved: never.
        assert!(!lagrangian_due(false, Some(ColgenStop::Out), false));
        // To come or running: the decomposition has the time.
        assert!(!lagrangian_due(true, None, false));
        // Converged: nothing left for the Lagrangian to find.
        assert!(!lagrangian_due(true, None, true));
        // Off, out of reach, out of its time or abandoned: the Lagrangian goes on.
        for stop in [ColgenStop::Out, ColgenStop::Spent, ColgenStop::Abandoned] {
            assert!(lagrangian_due(true, Some(stop), false), "{stop:?}");
        }
    }

    #[test]
    fn column_generation_gives_up_only_when_behind_after_its_trial() {
        let s = Duration::from_secs_f64;
        // 15 s solve on 48 people: the trial is 30% of the time, 4.5 s.
        let trial = colgen_trial(s(15.0), 48);
        assert_eq!(trial, s(4.5));
        assert!(
            !gives_up(s(4.0), trial, 10, 584.0, 645.5),
            "still in its trial"
        );
        assert!(
            gives_up(s(4.6), trial, 10, 584.0, 645.5),
            "behind after its trial"
        );
        assert!(
            !gives_up(s(4.6), trial, 10, 690.4, 645.5),
            "ahead: it goes on"
        );
        // 6 s solve: 30% would be 1.8 s, but the trial is 3 s at least.
        let trial = colgen_trial(s(6.0), 48);
        assert!(!gives_up(s(2.5), trial, 10, 584.0, 584.0), "3 s at least");
        assert!(gives_up(s(3.0), trial, 10, 584.0, 584.0));
        // 60 s on 300 people: 30% would be 18 s, but it is expected to need about 30 s, and
        // gets a quarter more.
        let trial = colgen_trial(s(60.0), 300);
        assert!(!gives_up(s(30.0), trial, 30, 1722.5, 1722.5));
        assert!(gives_up(s(37.5), trial, 30, 1722.5, 1722.5));
        // The iteration patience holds whatever the time.
        assert!(gives_up(s(0.1), s(60.0), COLGEN_PATIENCE, 584.0, 584.0));
        assert!(!gives_up(
            s(0.1),
            s(60.0),
            COLGEN_PATIENCE - 1,
            584.0,
            584.0
        ));
    }
}
