//! The search driver: construction, the bounds, the epochs of the parallel search and the
//! passes that settle the final plan, as steps over one [`Driver`].

use std::time::{Duration, Instant};

use super::bounds::{Bounds, ColgenStop, start_bounds};
use super::epoch::{Epoch, Restarts, Stall, WORKERS, run_epoch};
use super::plan::finish;
use super::start::{fixed_choices, legal_posts};
use super::{Clock, Phase, Progress, Solution, SolveOptions, StopReason, enter, gap, proven};
use crate::engine::bound::branch::BranchAndPrice;
use crate::engine::bound::colgen::{ColumnGeneration, Combination};
use crate::engine::bound::lp::{LpBudget, tier1_relaxation};
use crate::engine::eligibility::Ctx;
use crate::engine::hours::BestOptions;
use crate::engine::posts::PostState;
use crate::engine::search::{
    Evaluated, Evaluator, Style, kick, prune, repair_until, restore, revert,
};
use crate::model::StaffIdx;
use crate::rng::Rng;

/// The state of one solve between its steps.
pub(super) struct Driver<'a> {
    ctx: Ctx<'a>,
    options: &'a SolveOptions,
    clock: Clock,
    style: Style,
    /// Rates the search's moves (the greedy oracle, or partial evaluations).
    eval: Evaluator<'a>,
    /// Rates improvements and the final plan with the full oracle.
    exact: Evaluator<'a>,
    /// The exact rating stays under 1% of the time limit: it runs on improvements (within
    /// [`EXACT_SHARE`] of the time, see [`exact_due`]).
    exact_affordable: bool,
    /// Time spent so far on exact ratings of the search's incumbents.
    exact_spent: Duration,
    /// The best plan rated either way: what is published and returned.
    best: Evaluated,
    /// The search's incumbent, rated as its neighbours are (see [`Driver::new`]).
    inc: Evaluated,
    /// The packing bound's plan, when every post is legal at once.
    pack_plan: Option<Evaluated>,
    bounds: Bounds,
    threads: usize,
    steps: u64,
    epoch: u64,
    stall: Stall,
    restarts: Restarts,
}

impl<'a> Driver<'a> {
    /// Constructs a start, computes the cheap bounds and publishes the first plan.
    pub(super) fn new(ctx: Ctx<'a>, options: &'a SolveOptions, clock: Clock) -> Self {
        let inst = ctx.inst;
        // The strengthened LP relaxation is the strongest bound where it is affordable, but it
        // costs up to a second on mid-size instances: it is solved only when the search has not
        // already closed the gap against the cheap bounds (see `tighten_bounds`).
        let lp_budget = LpBudget::new(ctx, clock.time_limit);
        let style = Style::of(inst);
        let mut eval = style.evaluator(ctx);
        let (mut best, kept) = construct(ctx, &mut eval, options, &clock);
        enter(options, Phase::Bounding);
        let (bounds, pack_plan) = start_bounds(ctx, &clock, &mut best, lp_budget, options);
        // The search rates neighbours with the greedy oracle, so its incumbent keeps its
        // greedy rating: compared with an exact rating, which can be far better when duties
        // are non-splittable, no neighbour would ever look better.
        let inc = best.clone();
        let upper = best.key.coverage;
        if let Some(kept) = kept.filter(|k| k.key.better(&best.key)) {
            best = kept;
        }
        let mut driver = Self {
            ctx,
            options,
            clock,
            style,
            eval,
            exact: Evaluator::new(
                ctx,
                BestOptions {
                    deadline: Some(clock.hard_deadline),
                    ..BestOptions::default()
                },
            ),
            exact_affordable: false,
            exact_spent: Duration::ZERO,
            inc,
            best,
            pack_plan,
            bounds,
            threads: options.threads.clamp(1, WORKERS),
            steps: 0,
            epoch: 0,
            stall: Stall::default(),
            restarts: Restarts::default(),
        };
        // The start plan and the cheap bounds are known: report them before the Lagrangian,
        // which can take seconds on instances of hundreds of people.
        driver.report();
        driver.publish();
        // Where the LP is affordable it dominates the Lagrangian, so the Lagrangian runs only
        // where the LP is out of reach, or fails (see `tighten_bounds`): its person problems
        // keep the posts cap, which the flow bound drops. Not where the LP is skipped (a
        // what-if batch whose baseline's LP is no stronger than the flow bound): there its
        // iterations cost far more than they move the bound. Nor where the decomposition
        // will run (see `Bounds::lagrangian_due`).
        if driver.bounds.lagrangian_due() {
            driver
                .bounds
                .run_lagrangian(ctx, &clock, upper, 60, &|| options.is_cancelled());
            tracing::debug!(
                elapsed = clock.elapsed(),
                "lagrangian {} after {} iterations",
                driver.bounds.lagrangian.value(),
                driver.bounds.lagrangian.iterations
            );
            driver.report();
        }
        let t = Instant::now();
        driver.slice();
        let full = driver.exact.evaluate(driver.best.state.clone());
        if full.key.better(&driver.best.key) {
            driver.best = full;
        }
        driver.exact_affordable = t.elapsed() < driver.clock.time_limit / 100;
        driver
    }

    fn cancelled(&self) -> bool {
        self.options.is_cancelled()
    }

    fn out_of_time(&self) -> bool {
        Instant::now() >= self.clock.deadline
    }

    fn proven(&self) -> bool {
        proven(self.best.key.coverage, self.bounds.lower())
    }

    /// Sends a progress report.
    fn report(&self) {
        if let Some(f) = &self.options.progress {
            let (best, bound) = (self.best.key.coverage, self.bounds.lower());
            f(&Progress {
                elapsed: self.clock.elapsed(),
                best,
                bound,
                gap: gap(best, bound),
                steps: self.steps,
            });
        }
    }

    /// Hands the best plan to the `improved` callback. A deadline of now skips the tier-4
    /// bisection: incumbents must be cheap to publish.
    fn publish(&self) {
        if let Some(f) = &self.options.improved {
            let bound = self.bounds.lower();
            f(&finish(
                self.ctx,
                &self.best,
                bound.min(self.best.key.coverage),
                self.clock.start,
                Instant::now(),
                self.options.cancel.as_deref(),
            ));
        }
    }

    /// An exact rating inside the search gets at most 2% of the time (a hard packing would
    /// otherwise take seconds of it); the final one has what is left.
    fn slice(&mut self) {
        self.exact.options.deadline =
            Some((Instant::now() + self.clock.time_limit / 50).min(self.clock.hard_deadline));
    }

    /// Runs epochs until a stop condition holds.
    pub(super) fn search(&mut self) -> StopReason {
        enter(self.options, Phase::Searching);
        let stop = self.run_epochs();
        self.deferred_lp();
        stop
    }

    fn run_epochs(&mut self) -> StopReason {
        loop {
            if let Some(stop) = self.stop_now() {
                return stop;
            }
            if self.stall.stalled(self.options.stall_epochs) {
                // A stalled search restarts from a shaken copy of its best plan: it escapes
                // local optima that a warm start settles in. Packing-heavy searches restart
                // until the time limit.
                if !self
                    .restarts
                    .another(self.best.key.coverage, self.style.packing)
                {
                    return StopReason::Stalled;
                }
                let mut krng = Rng::new(self.options.seed ^ self.epoch.wrapping_mul(0x9E37_79B9));
                self.inc = kick(
                    self.ctx,
                    &mut self.eval,
                    &self.best,
                    &mut krng,
                    self.style.partial,
                );
                tracing::debug!(
                    elapsed = self.clock.elapsed(),
                    "kick -> {}",
                    self.inc.key.coverage
                );
                self.stall.restart(self.epoch);
            }
            self.step_epoch();
        }
    }

    /// Why the search stops before the next epoch, if it does.
    fn stop_now(&self) -> Option<StopReason> {
        if self.cancelled() {
            return Some(StopReason::Cancelled);
        }
        if self.out_of_time() {
            return Some(StopReason::TimeLimit);
        }
        if self.options.work_limit.is_some_and(|w| self.steps >= w) {
            return Some(StopReason::WorkLimit);
        }
        // Tier 1 proven: a few more epochs still work on tiers 2-3 (who has to move) unless
        // nobody has to: with today's posts exactly (tier 2 = 0), any other post set changes
        // some post, so tiers 1-3 are all proven (a what-if scenario its baseline plan still
        // solves stops here at once).
        if self.proven()
            && (self.stall.epochs >= self.options.settle_epochs || self.best.key.stability == 0)
        {
            return Some(StopReason::Proven);
        }
        None
    }

    /// One epoch: the workers' steps, the incumbent and best plan updated, the bounds
    /// tightened, progress reported.
    fn step_epoch(&mut self) {
        self.epoch += 1;
        let settings = Epoch {
            style: self.style,
            seed: self.options.seed,
            number: self.epoch,
            threads: self.threads,
            deadline: self.clock.deadline,
            cancel: self.options.cancel.as_ref(),
            polish: self.proven(),
        };
        let results = run_epoch(self.ctx, &self.inc, &settings);
        let before = self.best.key.coverage;
        let (improved, published) = self.take(results);
        self.stall.record(
            self.epoch,
            improved,
            self.best.key.coverage < before - 1e-9 * before.abs().max(1.0),
        );
        tracing::debug!(
            elapsed = self.clock.elapsed(),
            "epoch {}: best {:?} stall {} bound {}",
            self.epoch,
            self.best.key,
            self.stall.epochs,
            self.bounds.lower()
        );
        let published = self.tighten_bounds() || published;
        self.report();
        if published {
            self.publish();
        }
    }

    /// Takes the workers' results: the incumbent moves to the best of them, and a better
    /// incumbent, rated exactly where that is affordable, may become the best plan. Returns
    /// whether the incumbent improved and whether the best plan did.
    fn take(&mut self, results: Vec<(Evaluated, u64)>) -> (bool, bool) {
        let mut improved = false;
        for (cand, n) in results {
            self.steps += n;
            if cand.key.better(&self.inc.key) {
                self.inc = cand;
                improved = true;
            }
        }
        if improved && self.style.large {
            // Partial evaluations never reroute through people outside the neighbourhood:
            // a full evaluation of the new incumbent may find better hours for the same posts.
            let full = self.eval.evaluate(self.inc.state.clone());
            if full.key.better(&self.inc.key) {
                self.inc = full;
            }
        }
        let mut published = false;
        if improved && self.inc.key.better(&self.best.key) {
            self.best = self.inc.clone();
            published = true;
        }
        // The search rates posts with the greedy oracle; the exact one may pack the
        // non-splittable duties better and so reach the bound. It is cheap on small and
        // mid-size instances: use it on improvements while each rating stays under 1% of the
        // time limit and all of them within their share of the time.
        if improved && self.exact_affordable && exact_due(self.exact_spent, self.clock.elapsed()) {
            let t = Instant::now();
            self.slice();
            let full = self.exact.evaluate(self.inc.state.clone());
            if full.key.better(&self.best.key) {
                self.best = full;
                published = true;
            }
            self.exact_affordable = t.elapsed() < self.clock.time_limit / 100;
            self.exact_spent += t.elapsed();
        }
        (improved, published)
    }

    /// The LP is solved at a fixed point of the search (so runs stay deterministic): once the
    /// search has settled a little and the cheap bounds have not closed the gap. Then column
    /// generation goes on a few iterations after each epoch. Where the LP is out of reach or
    /// failed, the Lagrangian iterates a little more (unless the decomposition, which is at
    /// least as strong, has converged).
    ///
    /// Returns whether the best plan improved (by price and branch, see
    /// [`Driver::price_and_branch`]).
    fn tighten_bounds(&mut self) -> bool {
        let settled = self.epoch >= 4 || self.stall.epochs >= 2;
        if self.options.lp_bound
            && self.bounds.lp_due()
            && settled
            && !self.proven()
            && !self.out_of_time()
            && !self.cancelled()
        {
            self.solve_lp();
        }
        // Column generation takes its time from the search: it starts once the search has
        // stalled for three epochs after its first fifth of the time (epochs of 15 ms stall
        // three times before the search has found its early plans), or has used half of the
        // time, and then goes on after each epoch.
        let share = self.clock.elapsed() / self.clock.time_limit.as_secs_f64();
        let colgen_due = colgen_due(
            self.bounds.colgen.is_some(),
            self.stall.epochs,
            share,
            self.restarts.any(),
        );
        if colgen_due && !self.proven() && !self.out_of_time() && !self.cancelled() {
            let options = self.options;
            self.bounds
                .run_colgen(self.ctx, &self.clock, &self.best, self.threads, &|| {
                    options.is_cancelled()
                });
        }
        let improved = self.price_and_branch() | self.branch_and_price();
        if self.bounds.lagrangian_due() && !self.proven() && !self.out_of_time() {
            let options = self.options;
            self.bounds
                .run_lagrangian(self.ctx, &self.clock, self.best.key.coverage, 8, &|| {
                    options.is_cancelled()
                });
        }
        improved
    }

    /// Solves the LP relaxation (once) for its bound.
    fn solve_lp(&mut self) {
        let t = Instant::now();
        let solved = tier1_relaxation(self.ctx.inst).solve(self.bounds.lp_budget.limit);
        // microlp can stall on a degenerate relaxation and return nothing: the Lagrangian,
        // which keeps the posts cap, takes over.
        self.bounds.lagrangian_instead |= solved.is_none();
        self.bounds.lp = Some(solved.map_or(0.0, |v| v.max(0.0)));
        tracing::debug!(
            elapsed = self.clock.elapsed(),
            "lp bound {:?}: {} variables, {:.3} s",
            self.bounds.lp,
            self.bounds.lp_budget.size,
            t.elapsed().as_secs_f64()
        );
    }

    /// A search that ended (by its work limit) before the decomposition started still states
    /// the LP's bound, which waited for the decomposition, where time is left for it.
    fn deferred_lp(&mut self) {
        let room = Instant::now() + Duration::from_secs_f64(self.bounds.lp_budget.limit);
        if self.options.lp_bound
            && self.bounds.lp.is_none()
            && self.bounds.lp_budget.affordable
            && self.bounds.colgen.is_none()
            && room <= self.clock.deadline
            && !self.proven()
            && !self.cancelled()
        {
            self.solve_lp();
        }
    }

    /// Price and branch, once column generation is over (converged, or out of its time while
    /// ahead of the other bounds): the posts of the best integer combination of its columns
    /// (each person's [`BRANCH_COLUMNS`] worth most), rated exactly, become the best plan and
    /// the incumbent when they are better. Returns whether they were.
    fn price_and_branch(&mut self) -> bool {
        let over = self.bounds.colgen_converged()
            || matches!(
                self.bounds.colgen_stop,
                Some(ColgenStop::Out | ColgenStop::Spent)
            );
        if self.bounds.branched || !over || self.proven() || self.out_of_time() {
            return false;
        }
        let Some(cg) = &self.bounds.colgen else {
            return false;
        };
        self.bounds.branched = true;
        let t = Instant::now();
        let time =
            (self.clock.time_limit / 10).min(self.clock.deadline.saturating_duration_since(t));
        let Some(found) = cg.integer_posts_among_best(self.ctx, BRANCH_COLUMNS, BRANCH_NODES, time)
        else {
            return false;
        };
        self.slice();
        let before = self.best.key.coverage;
        let (exact, best, inc) = (&mut self.exact, &mut self.best, &mut self.inc);
        take_combination(self.ctx, exact, best, inc, found);
        tracing::debug!(
            elapsed = self.clock.elapsed(),
            "price and branch: best {} in {:.3} s",
            self.best.key.coverage,
            t.elapsed().as_secs_f64()
        );
        self.best.key.coverage < before
    }

    /// Branch and price, a slice after each epoch once the decomposition has converged with a
    /// gap, on up to [`TREE_MAX_STAFF`] people, within half of the time (and less unless its
    /// bound rises, see [`tree_gives_up`]). Returns whether the best plan improved.
    fn branch_and_price(&mut self) -> bool {
        if !self.options.branch_and_price
            || !self.bounds.colgen_converged()
            || self.proven()
            || self.out_of_time()
            || self.cancelled()
            || self.ctx.inst.staff.len() > TREE_MAX_STAFF
            || self.bounds.tree_account.spent >= self.clock.time_limit / 2
        {
            return false;
        }
        let root = self
            .bounds
            .colgen
            .as_ref()
            .map_or(0.0, ColumnGeneration::value);
        let (nodes, spent) = self.bounds.tree_account.since_paid();
        if tree_gives_up(
            nodes,
            spent.as_secs_f64() / self.clock.time_limit.as_secs_f64(),
            self.bounds.tree_bound > root + 1e-9 * root.abs().max(1.0),
        ) {
            return false;
        }
        let mut tree = match self.bounds.tree.take() {
            Some(tree) => tree,
            None => match &self.bounds.colgen {
                Some(cg) => BranchAndPrice::new(cg, self.threads),
                None => return false,
            },
        };
        let t = Instant::now();
        // A fixed number of nodes per epoch, so that runs repeat; the time is a safety net.
        let deadline = (t + self.clock.time_limit / 10).min(self.clock.deadline);
        let before = self.best.key.coverage;
        let options = self.options;
        let ctx = self.ctx;
        self.slice();
        let (exact, best, inc) = (&mut self.exact, &mut self.best, &mut self.inc);
        let mut rate = |found: Combination| take_combination(ctx, exact, best, inc, found);
        tree.run(
            ctx.inst,
            before,
            (TREE_NODES, deadline),
            &|| options.is_cancelled(),
            &mut rate,
        );
        self.bounds
            .tree_account
            .record(tree.nodes, t.elapsed(), self.best.key.coverage < before);
        self.bounds.tree_bound = tree.bound(self.best.key.coverage);
        tracing::debug!(
            elapsed = self.clock.elapsed(),
            "branch and price: bound {} after {} nodes ({} open)",
            self.bounds.tree_bound,
            tree.nodes,
            !tree.is_done()
        );
        self.bounds.tree = Some(tree);
        self.best.key.coverage < before
    }

    /// Settles the final plan: people back on today's posts, full oracle effort on the
    /// non-splittable duties, today's posts restored and useless posts dropped.
    pub(super) fn settle(mut self, stop: StopReason) -> Solution {
        enter(self.options, Phase::Settling);
        tracing::debug!(
            elapsed = self.clock.elapsed(),
            "search stopped: {}",
            stop.as_str()
        );
        // Who has to move: put people back on today's posts (see `revert`). Only after the
        // search, whose path it would otherwise change. Not on large instances, where a full
        // evaluation per move costs too much.
        let settle_by = self.clock.settle_by(Instant::now());
        if !self.style.large && !self.cancelled() {
            let until = (Instant::now() + self.clock.time_limit / 50).min(settle_by);
            self.best = revert(self.ctx, &mut self.eval, self.best.clone(), until);
            tracing::debug!(elapsed = self.clock.elapsed(), "reverted");
        }
        let mut final_best = self.final_rating(settle_by);
        tracing::debug!(elapsed = self.clock.elapsed(), "final evaluation");
        if !self.cancelled() {
            final_best = restore(self.ctx, &mut self.exact, final_best, settle_by);
            tracing::debug!(elapsed = self.clock.elapsed(), "restored");
            final_best = prune(self.ctx.inst, &mut self.exact, final_best, settle_by);
            tracing::debug!(elapsed = self.clock.elapsed(), "pruned");
        }
        let lb = self.bounds.lower().min(final_best.key.coverage);
        let plan = finish(
            self.ctx,
            &final_best,
            lb,
            self.clock.start,
            self.clock.hard_deadline,
            self.options.cancel.as_deref(),
        );
        tracing::debug!(elapsed = self.clock.elapsed(), "finished");
        Solution {
            plan,
            bound: lb,
            stop,
            steps: self.steps,
        }
    }

    /// The best of the best plan rated with the full oracle (until `settle_by`), the search's
    /// own hours for it, the incumbent, and the packing bound's plan.
    fn final_rating(&mut self, settle_by: Instant) -> Evaluated {
        // Asked to stop: the best plan as rated, at once.
        if self.cancelled() {
            return self.best.clone();
        }
        self.exact.options.deadline = Some(settle_by);
        let mut final_best = self.exact.evaluate(self.best.state.clone());
        // The search's own hours (re-packed piece by piece) can beat a fresh packing of the
        // same posts when that packing stops at its deadline.
        if self.best.key.better(&final_best.key) {
            final_best = self.best.clone();
        }
        if self.inc.state.posts != self.best.state.posts {
            let other = self.exact.evaluate(self.inc.state.clone());
            if other.key.better(&final_best.key) {
                final_best = other;
            }
        }
        // The packing bound's plan had far more effort on the same posts.
        if let Some(ev) = self.pack_plan.take() {
            if ev.state.posts == final_best.state.posts && ev.key.better(&final_best.key) {
                final_best = ev;
            }
        }
        final_best
    }
}

/// Rates the plan of whole patterns `found` exactly, both with its own choice of who does
/// each non-splittable duty and with the oracle's, and makes the better the best plan (and
/// the incumbent) where it is better. Returns the best plan's tier 1.
fn take_combination(
    ctx: Ctx<'_>,
    exact: &mut Evaluator<'_>,
    best: &mut Evaluated,
    inc: &mut Evaluated,
    found: Combination,
) -> f64 {
    let mut state = PostState::pinned(ctx.inst);
    for (p, m) in found.posts {
        if state.can_add(ctx, p, m) {
            state.add(ctx.inst, p, m);
        }
    }
    let own = exact.evaluate_fixed(state.clone(), &found.who);
    debug_assert!(
        own.key.coverage <= found.value + 1e-6 * found.value.abs().max(1.0),
        "whole patterns rated {} above their master value {}",
        own.key.coverage,
        found.value
    );
    let oracle = exact.evaluate(state);
    for rated in [own, oracle] {
        if rated.key.better(&best.key) {
            *best = rated.clone();
        }
        if rated.key.better(&inc.key) {
            *inc = rated;
        }
    }
    best.key.coverage
}

/// The share of the time before which column generation does not start (unless the search
/// proves or ends first).
const COLGEN_EARLIEST: f64 = 0.2;

/// Whether column generation runs after this epoch: once started, it goes on; it starts when
/// the search has stalled three epochs past [`COLGEN_EARLIEST`] of the time (`share`) or
/// after a restart (`restarted`: a search that stalls for good may stop before that share),
/// or has used half of the time.
fn colgen_due(started: bool, stalled_epochs: usize, share: f64, restarted: bool) -> bool {
    started || (stalled_epochs >= 3 && (share >= COLGEN_EARLIEST || restarted)) || share >= 0.5
}

/// Branch and price runs on instances of up to this many people.
const TREE_MAX_STAFF: usize = 60;

/// Branch-and-price nodes after each epoch.
const TREE_NODES: u64 = 2;

/// Nodes after which a tree whose bound has not risen, and which has found no better plan
/// since, stops.
const TREE_PATIENCE: u64 = 20;

/// The share of the time after which a tree whose bound has not risen, and which has found
/// no better plan since, stops.
const TREE_PATIENCE_SHARE: f64 = 0.1;

/// Whether a tree gives the time back to the search after `nodes` nodes and `share` of the
/// time since it last improved the best plan (or since it started): where its bound has not
/// `risen` above the root's after [`TREE_PATIENCE`] nodes or [`TREE_PATIENCE_SHARE`] of the
/// time (many interchangeable posts: on 48 people, `--tight 1.0`, 267 nodes leave the bound
/// where it was). A tree that moves the bound keeps its half of the time, and one whose
/// nodes' integer programs keep finding better plans keeps going as long as they do: on 48
/// people with every duty non-splittable they are where the best 60 s plans come from,
/// while the search's restarts find nothing.
fn tree_gives_up(nodes: u64, share: f64, risen: bool) -> bool {
    !risen && (nodes >= TREE_PATIENCE || share >= TREE_PATIENCE_SHARE)
}

/// The share of the time that exact ratings of the search's incumbents may take.
const EXACT_SHARE: f64 = 0.1;

/// Whether the search's new incumbent is rated exactly, when ratings have taken `spent` of
/// the `elapsed` seconds: while they stay within [`EXACT_SHARE`]. Each one is cheap next to
/// the time limit, but there is one per improving epoch: on 100 people with every duty
/// non-splittable they took 0.3-0.6 s each (their packing cut short by its slice, and most
/// rated worse than the greedy oracle), against 20 ms for an epoch, and a 60 s solve made
/// 21,000 search steps where it makes 350,000 without them.
fn exact_due(spent: Duration, elapsed: f64) -> bool {
    spent.as_secs_f64() <= EXACT_SHARE * elapsed
}

/// Columns per person that price and branch chooses among: the nodes' number (see
/// [`ColumnGeneration::integer_posts_among_best`]).
const BRANCH_COLUMNS: usize = 12;

/// Branch-and-bound nodes for price and branch: a fixed budget keeps runs repeatable.
const BRANCH_NODES: u64 = 2_000;

/// The start: today's posts, or the posts of the given start plan (those legal together),
/// and a greedy repair of everyone from them, whichever is better. With a start plan, also
/// its posts rated with its own choice of who does each non-splittable duty: no worse than
/// the plan itself, so the search never ends below it.
fn construct(
    ctx: Ctx<'_>,
    eval: &mut Evaluator<'_>,
    options: &SolveOptions,
    clock: &Clock,
) -> (Evaluated, Option<Evaluated>) {
    let inst = ctx.inst;
    let mut rng = Rng::new(options.seed);
    let (start_state, kept) = match options.start.as_deref() {
        Some(start) => {
            let (state, _) = legal_posts(ctx, start);
            let kept = eval.evaluate_fixed(state.clone(), &fixed_choices(inst, start));
            tracing::debug!(
                elapsed = clock.elapsed(),
                "start plan rated {}",
                kept.key.coverage
            );
            (state, Some(kept))
        }
        None => (PostState::current(ctx), None),
    };
    tracing::debug!(elapsed = clock.elapsed(), "start state");
    let base = eval.evaluate(start_state.clone());
    let everyone: Vec<StaffIdx> = inst.staff_indices().collect();
    tracing::debug!(
        elapsed = clock.elapsed(),
        "start evaluated {}",
        base.key.coverage
    );
    // Today's posts are the cheap plan any time limit gets; the repair improves on it for as
    // long as the search's deadline allows (on small and mid-size instances, to the end).
    let late = || options.is_cancelled() || Instant::now() >= clock.deadline;
    let built = repair_until(ctx, &base, start_state, &everyone, (&mut rng, 0.0), &late);
    tracing::debug!(elapsed = clock.elapsed(), "repaired");
    let mut best = eval.evaluate(built);
    tracing::debug!(
        elapsed = clock.elapsed(),
        "constructed {}",
        best.key.coverage
    );
    if base.key.better(&best.key) {
        best = base;
    }
    (best, kept)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::bounds::TreeAccount;
    use super::{colgen_due, exact_due, tree_gives_up};

    /// Column generation waits for the first fifth of the time even when the search stalls
    /// (short epochs stall early), unless the search has already restarted (it may stop for
    /// good before a fifth); it starts on a stall after it or at half of the time, and never
    /// stops once started.
    #[test]
    fn column_generation_starts_after_a_stall_past_a_fifth_of_the_time() {
        assert!(!colgen_due(false, 10, 0.1, false));
        assert!(colgen_due(false, 3, 0.1, true));
        assert!(!colgen_due(false, 2, 0.1, true));
        assert!(!colgen_due(false, 2, 0.3, false));
        assert!(colgen_due(false, 3, 0.2, false));
        assert!(colgen_due(false, 0, 0.5, false));
        assert!(colgen_due(true, 0, 0.01, false));
    }

    /// A tree that leaves the root's bound where it was stops after its node patience or a
    /// tenth of the time, whichever comes first; one that raised it goes on.
    #[test]
    fn a_tree_that_does_not_raise_the_bound_gives_the_time_back() {
        assert!(!tree_gives_up(5, 0.05, false));
        assert!(tree_gives_up(5, 0.1, false));
        assert!(tree_gives_up(20, 0.01, false));
        assert!(!tree_gives_up(20, 0.3, true));
    }

    /// The tree's patience counts from its last better plan: a tree whose nodes found one at
    /// node 18 goes on past node 20 (and past a tenth of the time), one that found none
    /// stops there.
    #[test]
    fn a_tree_that_finds_better_plans_keeps_going() {
        let slice = Duration::from_millis(500);
        let gives_up = |account: &TreeAccount| {
            let (nodes, spent) = account.since_paid();
            tree_gives_up(nodes, spent.as_secs_f64() / 60.0, false)
        };
        let (mut paying, mut idle) = (TreeAccount::default(), TreeAccount::default());
        for nodes in (2..=30).step_by(2) {
            paying.record(nodes, slice, nodes == 18);
            idle.record(nodes, slice, false);
            assert_eq!(gives_up(&idle), nodes >= 20, "{nodes} nodes");
        }
        // 30 nodes and 7.5 s of 60 s: 12 nodes and 3 s since it paid.
        assert_eq!(paying.since_paid(), (12, Duration::from_secs(3)));
        assert!(!gives_up(&paying));
        assert!(gives_up(&idle));
    }

    /// Exact ratings go on while they have taken at most a tenth of the time so far.
    #[test]
    fn exact_ratings_keep_to_their_share_of_the_time() {
        assert!(exact_due(Duration::ZERO, 0.0));
        assert!(exact_due(Duration::from_millis(500), 6.0));
        assert!(!exact_due(Duration::from_millis(700), 6.0));
        assert!(exact_due(Duration::from_millis(700), 8.0));
    }
}
