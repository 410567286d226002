//! The solve driver: construction, a deterministic parallel LNS in epochs, the Lagrangian
//! bound, exact enumeration of tiny instances, tier 4, and the plan.
//!
//! Determinism: the search runs a fixed number of logical workers, each with its own random
//! stream; at the end of an epoch the best of them (ties to the lowest worker) becomes
//! everyone's start. Threads only decide how many workers run at once, so the plan does not
//! depend on the thread count. It does depend on where the search stops: stopping by proof,
//! work limit or stall is deterministic; stopping at the time limit or on cancellation is not.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::Ctx;
use super::bound::flow::flow_bound;
use super::bound::lagrangian::LagrangianBound;
use super::bound::lp::{LpBudget, tier1_relaxation};
use super::bound::packing::packing_bound;
use super::eligibility::Eligibility;
use super::hours::{BestOptions, HoursOracle};
use super::posts::PostState;
use super::search::{Evaluated, Evaluator, Style, kick, lns_step, prune, repair, restore, revert};
use crate::model::{
    Assignment, Instance, Liaison, ModuleIdx, Objective, Plan, PlanStatus, Post, SolverInfo,
    StaffIdx, Uncovered, Understaffed,
};
use crate::rng::Rng;

/// Logical workers of the parallel search (fixed, for determinism).
const WORKERS: usize = 4;
/// LNS steps per worker per epoch.
const EPOCH_STEPS: usize = 40;
/// Restarts of a stalled search before it stops (not proven, not packing-heavy).
const RESTARTS: u32 = 3;

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
    /// Called after each epoch.
    pub progress: Option<ProgressFn>,
    /// Called with the incumbent's plan when the search starts and whenever it improves tier
    /// 1-3, e.g. to serve the best plan so far. These plans pass `check`, but their hours are
    /// not balanced yet (tier 4 is settled only in the final plan).
    pub improved: Option<PlanFn>,
    /// Solve the LP relaxation for its bound where it is affordable. A what-if batch turns it
    /// off when its baseline's LP bound is no stronger than the flow bound (see
    /// `lp_beats_flow`).
    pub lp_bound: bool,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(10),
            threads: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            seed: 0,
            work_limit: None,
            stall_epochs: 12,
            settle_epochs: 6,
            enumeration_limit: 4096,
            cancel: None,
            progress: None,
            improved: None,
            lp_bound: true,
        }
    }
}

/// A solved instance.
#[derive(Clone, Debug)]
pub struct Solution {
    /// The plan (SPEC section 3).
    pub plan: Plan,
    /// Lower bound on tier 1.
    pub bound: f64,
    /// Why the search stopped.
    pub stop: StopReason,
    /// LNS steps done.
    pub steps: u64,
}

/// When a search has stalled: after `min` epochs without improvement, and no sooner than it
/// took (since its start or last restart) to improve the best plan's tier 1. Only that extends
/// the wait: tiers 2-3 improve a post at a time for long after tier 1 has settled (agri with
/// capacity cut by 5%: 253 epochs, 4 s), and a restarted search spends many epochs just
/// climbing back; waiting as long again ran such searches to their time limit for nothing.
#[derive(Clone, Copy, Debug, Default)]
struct Stall {
    /// Epochs since the last improvement of any tier.
    epochs: usize,
    /// Epoch of the last tier-1 improvement.
    last_tier1: u64,
    /// Epoch of the start or last restart.
    since: u64,
}

impl Stall {
    fn record(&mut self, epoch: u64, improved: bool, tier1: bool) {
        self.epochs = if improved { 0 } else { self.epochs + 1 };
        if tier1 {
            self.last_tier1 = epoch;
        }
    }

    fn restart(&mut self, epoch: u64) {
        *self = Self {
            epochs: 0,
            last_tier1: epoch,
            since: epoch,
        };
    }

    fn stalled(&self, min: usize) -> bool {
        let took = usize::try_from(self.last_tier1 - self.since).unwrap_or(usize::MAX);
        self.epochs >= min.max(took)
    }
}

/// Restarts of a stalled search: a restart that improved tier 1 earns its successor, so only
/// restarts in a row that found nothing count against [`RESTARTS`] (unlimited when
/// packing-heavy).
#[derive(Clone, Copy, Debug)]
struct Restarts {
    in_a_row: u32,
    /// The best tier 1 when the last restart began.
    best_then: f64,
}

impl Default for Restarts {
    fn default() -> Self {
        Self {
            in_a_row: 0,
            best_then: f64::INFINITY,
        }
    }
}

impl Restarts {
    /// Whether to restart now, the best tier 1 being `best`; counts the restart if so.
    fn another(&mut self, best: f64, unlimited: bool) -> bool {
        if best < self.best_then - 1e-9 * self.best_then.abs().max(1.0) {
            self.in_a_row = 0;
        }
        if !unlimited && self.in_a_row >= RESTARTS {
            return false;
        }
        self.in_a_row += 1;
        self.best_then = best;
        true
    }
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

/// Every post set of one person that is legal on its own (posts cap, conflicts), or `None` if
/// there are more than `limit` in total over all people.
fn enumerate_person_sets(ctx: Ctx<'_>, limit: usize) -> Option<Vec<Vec<Vec<ModuleIdx>>>> {
    let (inst, elig) = (ctx.inst, ctx.elig);
    let mut all = Vec::new();
    let mut total: usize = 1;
    for p in inst.staff_indices() {
        let mods = &elig.modules_of[p.index()];
        let k = inst.person(p).max_posts as usize;
        let mut sets: Vec<Vec<ModuleIdx>> = vec![Vec::new()];
        let mut frontier: Vec<(Vec<ModuleIdx>, usize)> = vec![(Vec::new(), 0)];
        while let Some((set, from)) = frontier.pop() {
            if set.len() >= k {
                continue;
            }
            for (i, &m) in mods.iter().enumerate().skip(from) {
                if set.iter().any(|&h| elig.conflict(h, m)) {
                    continue;
                }
                let mut next = set.clone();
                next.push(m);
                sets.push(next.clone());
                if sets.len() > limit {
                    return None;
                }
                frontier.push((next, i + 1));
            }
        }
        total = total.saturating_mul(sets.len());
        if total > limit {
            return None;
        }
        all.push(sets);
    }
    Some(all)
}

/// Exact search over every combination of post sets (tiny instances only); `None` when it
/// cannot finish by `deadline` (hard packings make each evaluation costly).
fn enumerate(ctx: Ctx<'_>, limit: usize, deadline: Instant) -> Option<Evaluated> {
    let inst = ctx.inst;
    let sets = enumerate_person_sets(ctx, limit)?;
    let options = BestOptions {
        deadline: Some(deadline),
        ..BestOptions::default()
    };
    let mut eval = Evaluator::new(ctx, options);
    let mut idx = vec![0_usize; sets.len()];
    let mut best: Option<Evaluated> = None;
    loop {
        let mut state = PostState::empty(inst);
        let mut legal = true;
        'people: for (p, &i) in idx.iter().enumerate() {
            for &m in &sets[p][i] {
                let p = StaffIdx::from(p);
                if !state.can_add(ctx, p, m) {
                    legal = false;
                    break 'people;
                }
                state.add(inst, p, m);
            }
        }
        if Instant::now() >= deadline {
            return None;
        }
        if legal {
            let cand = eval.evaluate(state);
            // An evaluation not proven optimal proves nothing: give the time back at once
            // (a hard packing otherwise kept the enumeration to its deadline, 10% of the
            // time, on every combination).
            if !cand.hours.optimal {
                return None;
            }
            if best.as_ref().is_none_or(|b| cand.key.better(&b.key)) {
                best = Some(cand);
            }
        }
        // Next combination (odometer).
        let mut k = 0;
        loop {
            if k == idx.len() {
                return best;
            }
            idx[k] += 1;
            if idx[k] < sets[k].len() {
                break;
            }
            idx[k] = 0;
            k += 1;
        }
    }
}

/// Solves `inst`.
#[must_use]
pub fn solve(inst: &Instance, options: &SolveOptions) -> Solution {
    let start = Instant::now();
    // Deadlines are instants: keep them representable (a year is "no limit" in practice).
    let time_limit = options.time_limit.min(Duration::from_secs(365 * 24 * 3600));
    // The search stops a little early so that settling the final plan fits in the limit.
    let hard_deadline = start + time_limit;
    let deadline = start + time_limit.mul_f64(0.92);
    let elig = Eligibility::new(inst);
    let ctx = Ctx { inst, elig: &elig };
    let cancelled = || {
        options
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    };
    let out_of_time = || Instant::now() >= deadline;
    let report = |best: f64, bound: f64, steps: u64| {
        if let Some(f) = &options.progress {
            f(&Progress {
                elapsed: start.elapsed().as_secs_f64(),
                best,
                bound,
                gap: gap(best, bound),
                steps,
            });
        }
    };

    // Tiny instances: enumerate every combination of posts, which proves all of tiers 1-3.
    if let Some(best) = (options.enumeration_limit > 0)
        .then(|| {
            enumerate(
                ctx,
                options.enumeration_limit,
                start + time_limit.mul_f64(0.1),
            )
        })
        .flatten()
    {
        let bound = best.key.coverage;
        report(bound, bound, 0);
        let plan = finish(ctx, &best, bound, start, hard_deadline);
        return Solution {
            plan,
            bound,
            stop: StopReason::Proven,
            steps: 0,
        };
    }

    let debug = std::env::var_os("MODSTAFF_DEBUG").is_some();
    let phase = |name: &str| {
        if debug {
            eprintln!("[{:>7.3} s] {name}", start.elapsed().as_secs_f64());
        }
    };
    // The strengthened LP relaxation (microlp) is the strongest bound where it is affordable,
    // but it costs up to a second on mid-size instances: it is solved only when the search
    // has not already closed the gap against the cheap bounds (see the loop below).
    // microlp's time grows steeply with the relaxation's size and it returns nothing when
    // stopped early (and overruns its limit by up to half): run it only when it should finish
    // in its share of the time.
    let lp_budget = LpBudget::new(inst, time_limit);
    let (lp_size, lp_affordable, lp_limit) =
        (lp_budget.size, lp_budget.affordable, lp_budget.limit);
    let mut lp: Option<f64> = None;

    let style = Style::of(inst);
    let mut eval = style.evaluator(ctx);
    let mut rng = Rng::new(options.seed);
    let start_state = PostState::current(ctx);
    let base = eval.evaluate(start_state.clone());
    let everyone: Vec<StaffIdx> = inst.staff_indices().collect();
    phase(&format!("start evaluated {}", base.key.coverage));
    let built = repair(ctx, &base, start_state, &everyone, &mut rng, 0.0);
    phase("repaired");
    let mut best = eval.evaluate(built);
    phase(&format!("constructed {}", best.key.coverage));
    if base.key.better(&best.key) {
        best = base;
    }

    let (flow, _) = flow_bound(ctx);
    phase(&format!("flow bound {flow}"));
    // Hard packings get up to 10% of the time for the bound, 80% when they also decide the
    // plan (see `packing_bound`); elsewhere the packing part finishes quickly.
    let (pack, pack_plan) = packing_bound(ctx, start, time_limit, (0.1, 0.8));
    let flow = flow.max(pack);
    phase(&format!("packing bound {pack}"));
    if let Some(ev) = &pack_plan {
        if ev.key.better(&best.key) {
            best = ev.clone();
        }
    }
    // The Lagrangian gets at most 15% of the time; its iterations are deterministic, so the
    // budget only decides how far it gets, not what it computes.
    let mut bound = LagrangianBound::new(inst);
    // Prices read off the incumbent start the ascent near the flow bound (measured: far
    // better than prices from the relaxed flow itself, whose people are spread thin).
    bound.warm_start(ctx, &best.hours.x, &best.hours.load);
    let lag_budget = time_limit.mul_f64(0.15);
    let mut lag_spent = Duration::ZERO;
    let mut run_lagrangian = |bound: &mut LagrangianBound, upper: f64, iterations: usize| {
        if lag_spent >= lag_budget {
            return;
        }
        let t = Instant::now();
        let until = (t + (lag_budget - lag_spent)).min(deadline);
        // One iteration first: if it is too slow to converge in the budget (huge instances),
        // leave the time to the search.
        let first = if bound.iterations == 0 { 1 } else { 0 };
        bound.improve(ctx, upper, first, Some(until), &cancelled);
        if first == 1 && t.elapsed() > time_limit / 200 {
            lag_spent = lag_budget;
            return;
        }
        bound.improve(ctx, upper, iterations - first, Some(until), &cancelled);
        lag_spent += t.elapsed();
    };
    // Measured: where the LP is affordable it dominates the Lagrangian (g48: 299.5 vs 286,
    // econ: 573 vs 497), so the Lagrangian runs only where the LP is out of reach.
    if !lp_affordable {
        run_lagrangian(&mut bound, best.key.coverage, 60);
        phase(&format!(
            "lagrangian {} after {} iterations",
            bound.value(),
            bound.iterations
        ));
    }
    // Where the LP fails, the Lagrangian runs instead: its person problems keep the posts cap,
    // which the flow bound drops (agri with one post each: the LP stalls and returns nothing;
    // the Lagrangian raises the bound from the flow's 510 to 690 against a best plan of 883).
    // Not where the LP is skipped (a what-if batch whose baseline's LP is no stronger than the
    // flow bound): measured on the agri batch, its iterations then added 46% to the batch's
    // time and moved one scenario's bound, and a trial of 24 iterations still added 13%.
    let mut lagrangian_instead = false;
    let lower = |b: &LagrangianBound, lp: Option<f64>| b.value().max(flow).max(lp.unwrap_or(0.0));
    report(best.key.coverage, lower(&bound, lp), 0);
    // A deadline of now skips the tier-4 bisection: incumbents must be cheap to publish.
    let publish = |best: &Evaluated, bound: f64| {
        if let Some(f) = &options.improved {
            f(&finish(
                ctx,
                best,
                bound.min(best.key.coverage),
                start,
                Instant::now(),
            ));
        }
    };
    publish(&best, lower(&bound, lp));

    let mut exact = Evaluator::new(
        ctx,
        BestOptions {
            deadline: Some(hard_deadline),
            ..BestOptions::default()
        },
    );
    // The search rates neighbours with the greedy oracle, so its incumbent keeps its greedy
    // rating: compared with an exact rating, which can be far better when duties are
    // non-splittable, no neighbour would ever look better. `best` is the best plan rated
    // either way (what is published and returned).
    let mut inc = best.clone();
    // An exact rating inside the search gets at most 2% of the time (a hard packing would
    // otherwise take seconds of it); the final one has what is left.
    let slice = |exact: &mut Evaluator| {
        exact.options.deadline = Some((Instant::now() + time_limit / 50).min(hard_deadline));
    };
    let mut exact_affordable;
    {
        let t = Instant::now();
        slice(&mut exact);
        let full = exact.evaluate(best.state.clone());
        if full.key.better(&best.key) {
            best = full;
        }
        exact_affordable = t.elapsed() < time_limit / 100;
    }
    let threads = options.threads.clamp(1, WORKERS);
    let mut steps: u64 = 0;
    let mut stall = Stall::default();
    let mut epoch: u64 = 0;
    let mut restarts = Restarts::default();
    let stop = loop {
        if cancelled() {
            break StopReason::Cancelled;
        }
        if out_of_time() {
            break StopReason::TimeLimit;
        }
        if options.work_limit.is_some_and(|w| steps >= w) {
            break StopReason::WorkLimit;
        }
        // Tier 1 proven: a few more epochs still work on tiers 2-3 (who has to move) unless
        // nobody has to: with today's posts exactly (tier 2 = 0), any other post set changes
        // some post, so tiers 1-3 are all proven (a what-if scenario its baseline plan still
        // solves stops here at once).
        if proven(best.key.coverage, lower(&bound, lp))
            && (stall.epochs >= options.settle_epochs || best.key.stability == 0)
        {
            break StopReason::Proven;
        }
        if stall.stalled(options.stall_epochs) {
            // A stalled search restarts from a shaken copy of its best plan: it escapes local
            // optima that a warm start settles in (measured on the agri what-if batch: tier 1
            // worse than a cold solve on 3 of 100 scenarios without restarts, none with 3;
            // batch 37.5 -> 53.7 s). Packing-heavy searches restart until the time limit
            // (measured: 48 x 27 x 120, every duty non-splittable).
            if !restarts.another(best.key.coverage, style.packing) {
                break StopReason::Stalled;
            }
            let mut krng = Rng::new(options.seed ^ epoch.wrapping_mul(0x9E37_79B9));
            inc = kick(ctx, &mut eval, &best, &mut krng, style.partial);
            phase(&format!("kick -> {}", inc.key.coverage));
            stall.restart(epoch);
        }
        epoch += 1;
        let results = run_epoch(
            ctx,
            style,
            &inc,
            options.seed,
            epoch,
            threads,
            deadline,
            options.cancel.as_ref(),
            proven(best.key.coverage, lower(&bound, lp)),
        );
        let mut improved = false;
        let before = best.key.coverage;
        for (cand, n) in results {
            steps += n;
            if cand.key.better(&inc.key) {
                inc = cand;
                improved = true;
            }
        }
        if improved && style.large {
            // Partial evaluations never reroute through people outside the neighbourhood:
            // a full evaluation of the new incumbent may find better hours for the same posts.
            let full = eval.evaluate(inc.state.clone());
            if full.key.better(&inc.key) {
                inc = full;
            }
        }
        let mut published = false;
        if improved && inc.key.better(&best.key) {
            best = inc.clone();
            published = true;
        }
        // The search rates posts with the greedy oracle; the exact one may pack the
        // non-splittable duties better and so reach the bound (measured on agri what-ifs: the
        // search ran to its stall limit, 4 s, on a plan whose exact value met the bound at
        // 0.002 s). It is cheap on small and mid-size instances: use it on every improvement
        // while it stays under 1% of the time limit.
        if improved && exact_affordable {
            let t = Instant::now();
            slice(&mut exact);
            let full = exact.evaluate(inc.state.clone());
            if full.key.better(&best.key) {
                best = full;
                published = true;
            }
            exact_affordable = t.elapsed() < time_limit / 100;
        }
        stall.record(
            epoch,
            improved,
            best.key.coverage < before - 1e-9 * before.abs().max(1.0),
        );
        phase(&format!(
            "epoch {epoch}: best {:?} stall {} bound {}",
            best.key,
            stall.epochs,
            lower(&bound, lp)
        ));
        // The LP is solved at a fixed point of the search (so runs stay deterministic): once
        // the search has settled a little and the cheap bounds have not closed the gap.
        let settled = epoch >= 4 || stall.epochs >= 2;
        if lp_affordable
            && options.lp_bound
            && lp.is_none()
            && settled
            && !proven(best.key.coverage, lower(&bound, lp))
            && !out_of_time()
            && !cancelled()
        {
            let t = Instant::now();
            let solved = tier1_relaxation(inst).solve(lp_limit);
            // microlp can stall on a degenerate relaxation (agri with one post each) and
            // return nothing: the Lagrangian, which keeps the posts cap, takes over.
            lagrangian_instead |= solved.is_none();
            lp = Some(solved.map_or(0.0, |v| v.max(0.0)));
            phase(&format!(
                "lp bound {lp:?}: {lp_size} variables, {:.3} s",
                t.elapsed().as_secs_f64()
            ));
        }
        if (!lp_affordable || lagrangian_instead)
            && !proven(best.key.coverage, lower(&bound, lp))
            && !out_of_time()
        {
            run_lagrangian(&mut bound, best.key.coverage, 8);
        }
        report(best.key.coverage, lower(&bound, lp), steps);
        if published {
            publish(&best, lower(&bound, lp));
        }
    };

    // Settle the final plan: full oracle effort on non-splittable duties, drop useless posts.
    phase(&format!("search stopped: {}", stop.as_str()));
    // Who has to move: put people back on today's posts (see `revert`). Only after the
    // search, whose path it would otherwise change: run inside it (after each improvement once
    // tier 1 was proven, one person at a time) tier 2 on econ fell from 33, 31, 30, 24 to 21,
    // 18, 29, 19 over seeds 0-3 but on agri rose from 47, 51, 41, 47 to 51, 56, 54, 51; here
    // it can only help: 21, 17, 22, 17 and 42, 39, 37, 40 with all three moves (27, 19, 30,
    // 18 and 45, 46, 39, 43 with whole people only). Not on large instances, where a full
    // evaluation per move costs too much.
    if !style.large && !cancelled() {
        let until = (Instant::now() + time_limit / 50).min(hard_deadline);
        best = revert(ctx, &mut eval, best, until);
        phase("reverted");
    }
    exact.options.deadline = Some(hard_deadline);
    let mut final_best = exact.evaluate(best.state.clone());
    // The search's own hours (re-packed piece by piece) can beat a fresh packing of the same
    // posts when that packing stops at its deadline.
    if best.key.better(&final_best.key) {
        final_best = best.clone();
    }
    if inc.state.posts != best.state.posts {
        let other = exact.evaluate(inc.state.clone());
        if other.key.better(&final_best.key) {
            final_best = other;
        }
    }
    // The packing bound's plan had far more effort on the same posts.
    if let Some(ev) = pack_plan {
        if ev.state.posts == final_best.state.posts && ev.key.better(&final_best.key) {
            final_best = ev;
        }
    }
    phase("final evaluation");
    if !cancelled() {
        final_best = restore(ctx, &mut exact, final_best, hard_deadline);
        phase("restored");
        final_best = prune(inst, &mut exact, final_best, hard_deadline);
        phase("pruned");
    }
    let lb = lower(&bound, lp).min(final_best.key.coverage);
    let plan = finish(ctx, &final_best, lb, start, hard_deadline);
    phase("finished");
    Solution {
        plan,
        bound: lb,
        stop,
        steps,
    }
}

#[expect(clippy::too_many_arguments, reason = "epoch parameters")]
fn run_epoch(
    ctx: Ctx<'_>,
    style: Style,
    best: &Evaluated,
    seed: u64,
    epoch: u64,
    threads: usize,
    deadline: Instant,
    cancel: Option<&Arc<AtomicBool>>,
    polish: bool,
) -> Vec<(Evaluated, u64)> {
    let worker = |w: usize| -> (Evaluated, u64) {
        let mut rng = Rng::new(seed ^ (epoch.wrapping_mul(0x1000_0001)) ^ ((w as u64) << 48));
        let mut eval = style.evaluator(ctx);
        let mut cur = best.clone();
        let mut mine = best.clone();
        let mut n = 0;
        for _ in 0..EPOCH_STEPS {
            if Instant::now() >= deadline || cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                break;
            }
            n += 1;
            let cand = lns_step(ctx, &mut eval, &cur, &mut rng, style, polish);
            // Accept equal moves too: they let the search walk across plateaus.
            if !cur.key.better(&cand.key) {
                cur = cand;
                if cur.key.better(&mine.key) {
                    mine = cur.clone();
                }
            }
        }
        (mine, n)
    };
    let mut results: Vec<Option<(Evaluated, u64)>> = (0..WORKERS).map(|_| None).collect();
    for chunk in (0..WORKERS).collect::<Vec<_>>().chunks(threads) {
        std::thread::scope(|s| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|&w| (w, s.spawn(move || worker(w))))
                .collect();
            for (w, h) in handles {
                results[w] = Some(h.join().unwrap_or_else(|_| (best.clone(), 0)));
            }
        });
    }
    results.into_iter().flatten().collect()
}

/// The hours value as a plan states it: slivers of 1e-6 h or less are not written.
fn stated_value(inst: &Instance, hours: &super::hours::Hours) -> f64 {
    let mut done = vec![0.0_f64; inst.duties.len()];
    for &(_, d, h) in &hours.x {
        if h > 1e-6 {
            done[d.index()] += h;
        }
    }
    inst.duties
        .iter()
        .zip(&done)
        .map(|(duty, &h)| duty.weight * (duty.hours - h).max(0.0))
        .sum()
}

/// Tier 4: the least `alpha` such that capacities scaled by `alpha` still give the same hours
/// value with the same non-splittable choices (bisection; each probe is one exact flow).
fn balance_hours(inst: &Instance, ev: &Evaluated, deadline: Instant) -> super::hours::Hours {
    let target = stated_value(inst, &ev.hours).max(ev.hours.value);
    let tol = 1e-9 * target.abs().max(1.0);
    let top = inst
        .staff
        .iter()
        .zip(&ev.hours.load)
        .map(|(p, l)| l / p.capacity)
        .fold(0.0_f64, f64::max);
    if top <= 0.0 {
        return ev.hours.clone();
    }
    let mut scaled = inst.clone();
    let probe = |alpha: f64, scaled: &mut Instance| {
        for (s, p) in scaled.staff.iter_mut().zip(&inst.staff) {
            s.capacity = p.capacity * alpha;
        }
        let mut oracle = HoursOracle::new(scaled);
        oracle.splittable_hours(&ev.state.posts, &ev.hours.assigned)
    };
    let (mut lo, mut hi) = (0.0_f64, top);
    let mut best = ev.hours.clone();
    for _ in 0..40 {
        // Every probe that succeeded is a valid plan, so stopping early only costs tier 4.
        if hi - lo < 1e-7 || Instant::now() >= deadline {
            break;
        }
        let mid = 0.5 * (lo + hi);
        let h = probe(mid, &mut scaled);
        if stated_value(inst, &h) <= target + tol {
            hi = mid;
            best = h;
        } else {
            lo = mid;
        }
    }
    // Loads were computed against scaled capacities; hours themselves are what we keep.
    best
}

/// Builds the plan for an evaluated post set.
fn finish(ctx: Ctx<'_>, ev: &Evaluated, bound: f64, start: Instant, deadline: Instant) -> Plan {
    let (inst, elig) = (ctx.inst, ctx.elig);
    let hours = balance_hours(inst, ev, deadline);
    let mut load = vec![0.0_f64; inst.staff.len()];
    let mut assignments = Vec::new();
    let mut done = vec![0.0_f64; inst.duties.len()];
    for &(p, d, h) in &hours.x {
        // Slivers from the bisection's flows are below what a plan can state (SPEC: hours
        // carry at most 1e-6 error): drop them here and in the totals alike.
        if h <= 1e-6 {
            continue;
        }
        load[p.index()] += h;
        done[d.index()] += h;
        let duty = inst.duty(d);
        assignments.push(Assignment {
            person: inst.person(p).id.clone(),
            duty: duty.id.clone(),
            module: inst.module(duty.module).id.clone(),
            hours: h,
        });
    }
    let posts: Vec<Post> = ev
        .state
        .posts
        .iter()
        .map(|(p, m)| Post {
            person: inst.person(p).id.clone(),
            module: inst.module(m).id.clone(),
        })
        .collect();
    let mut coverage = 0.0;
    let mut uncovered = Vec::new();
    for (i, duty) in inst.duties.iter().enumerate() {
        let u = (duty.hours - done[i]).max(0.0);
        if u > 1e-9 {
            coverage += duty.weight * u;
            uncovered.push(Uncovered {
                duty: duty.id.clone(),
                hours: u,
                reason: String::new(),
            });
        }
    }
    let mut liaisons: Vec<Liaison> = ev
        .liaisons
        .iter()
        .map(|&(c, p)| Liaison {
            counterpart: inst.counterparts[c.index()].id.clone(),
            person: inst.person(p).id.clone(),
        })
        .collect();
    liaisons.sort_by(|a, b| a.counterpart.cmp(&b.counterpart));
    let met: Vec<bool> = {
        let mut m = vec![false; inst.counterparts.len()];
        for &(c, _) in &ev.liaisons {
            m[c.index()] = true;
        }
        m
    };
    let unmet_counterparts: Vec<String> = elig
        .listed
        .iter()
        .filter(|c| !met[c.index()])
        .map(|c| inst.counterparts[c.index()].id.clone())
        .collect();
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    {
        coverage += inst.rules.liaison_weight * unmet_counterparts.len() as f64;
    }
    let mut understaffed = Vec::new();
    for (m, module) in inst.modules.iter().enumerate() {
        let missing = module.min_staff.saturating_sub(ev.state.holders[m]);
        if missing > 0 {
            coverage += inst.rules.min_staff_weight * f64::from(missing);
            understaffed.push(Understaffed {
                module: module.id.clone(),
                missing,
            });
        }
    }
    let balance = inst
        .staff
        .iter()
        .zip(&load)
        .map(|(p, l)| l / p.capacity)
        .fold(0.0_f64, f64::max);
    let bound = bound.min(coverage);
    let g = gap(coverage, bound);
    let status = if proven(coverage, bound) {
        PlanStatus::Optimal
    } else {
        PlanStatus::Feasible
    };
    let mut plan = Plan {
        instance: inst.name.clone(),
        status,
        solver: SolverInfo {
            backend: "modstaff-lns".into(),
            seconds: start.elapsed().as_secs_f64(),
            gap: if status == PlanStatus::Optimal {
                0.0
            } else {
                g
            },
            bound: Some(bound),
        },
        objective: Objective {
            coverage,
            stability: ev.key.stability,
            fragmentation: ev.key.fragmentation,
            balance,
        },
        assignments,
        posts,
        liaisons,
        uncovered,
        unmet_counterparts,
        understaffed,
    };
    // The reasons come from the same analysis `modstaff explain` prints, read off the plan.
    let why: std::collections::HashMap<String, String> =
        crate::model::diagnose::uncovered_reasons(inst, &plan)
            .into_iter()
            .map(|w| (w.duty, w.summary))
            .collect();
    for u in &mut plan.uncovered {
        if let Some(reason) = why.get(&u.duty) {
            u.reason.clone_from(reason);
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::{Restarts, Stall};

    #[test]
    fn restarts_that_find_nothing_are_limited_in_a_row() {
        let mut r = Restarts::default();
        // Three restarts without a better tier 1, then no more.
        assert!(r.another(500.0, false));
        assert!(r.another(500.0, false));
        assert!(r.another(500.0, false));
        assert!(!r.another(500.0, false));
        // A restart that found a better plan earns three more.
        let mut r = Restarts::default();
        for best in [500.0, 500.0, 490.0, 490.0, 490.0] {
            assert!(r.another(best, false), "{best}");
        }
        assert!(!r.another(490.0, false));
        // Packing-heavy searches restart without limit.
        assert!((0..10).all(|_| r.another(490.0, true)));
    }

    /// Feeds `epochs` epochs (numbered from `from`) that improve as `improves` says and
    /// returns the first epoch after which the search has stalled (at most `from + 1000`).
    fn stalls_after(stall: &mut Stall, from: u64, improves: impl Fn(u64) -> (bool, bool)) -> u64 {
        for epoch in from..from + 1000 {
            let (any, tier1) = improves(epoch);
            stall.record(epoch, any, tier1);
            if stall.stalled(12) {
                return epoch;
            }
        }
        from + 1000
    }

    #[test]
    fn the_wait_doubles_with_tier_1_only() {
        // Tier 1 improves until epoch 40: the search waits 40 epochs more.
        let mut s = Stall::default();
        assert_eq!(stalls_after(&mut s, 1, |e| (e <= 40, e <= 40)), 80);
        // Tier 2 improves until epoch 200 but tier 1 only until 10: after the last
        // improvement it waits the minimum (12), not another 200.
        let mut s = Stall::default();
        assert_eq!(stalls_after(&mut s, 1, |e| (e <= 200, e <= 10)), 212);
    }

    #[test]
    fn a_restart_measures_from_itself() {
        let mut s = Stall::default();
        assert_eq!(stalls_after(&mut s, 1, |e| (e <= 100, e <= 100)), 200);
        s.restart(200);
        // Tier 1 recovers for 20 epochs after the restart: 20 more, not 220.
        assert_eq!(stalls_after(&mut s, 201, |e| (e <= 220, e <= 220)), 240);
    }
}
