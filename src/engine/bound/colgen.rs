//! The decomposition bound by person (Dantzig-Wolfe), by column generation.
//!
//! A column is one person's whole pattern ([`Pattern`]); the master LP chooses a convex
//! combination of patterns per person and links the people through the coupling
//! constraints: duty coverage, one liaison per counterpart (relaxed to "at least one", which
//! never changes tier 1), the staffing floors, each module's `max_staff` and each unit's
//! headcount cap. microlp gives no duals, so the master is solved as its dual, where a column
//! is a cut: maximise
//!
//! ```text
//! sum_d pi[d]*hours(d) + sum_c rho[c] + sum_m nu[m]*min_staff(m) - sum_m mu[m]*max_staff(m)
//!     - sum_u eta[u]*headcount_cap(u) - sum_p sigma[p]
//! s.t. sigma[p] >= value of pattern k of p at (pi, rho, nu, mu, eta), for every column k
//! ```
//!
//! and microlp re-solves from its basis after each cut. At any prices the Lagrangian value,
//! the dualised constant less every person's best pattern value ([`super::pricing`]), is a
//! valid lower bound on tier 1, so the bound is safe to read at any iteration. Prices are
//! sought between the master's and the best ones so far (Wentges' smoothing), which keeps the
//! plain cutting-plane method from jumping between extremes.

use std::collections::HashSet;
use std::time::Instant;

use microlp::{
    ComparisonOp, LinearExpr, OptimizationDirection, Problem, Solution, SolveOutcome, Variable,
};

use super::pricing::{Duals, Pattern, Priced, Pricer};
use crate::engine::eligibility::Ctx;
use crate::model::{Instance, ModuleIdx, StaffIdx};

/// Smoothing: the weight of the best prices in the point priced.
const ALPHA: f64 = 0.5;
/// A column enters the master when it beats its person's `sigma` by more than this.
const ENTER: f64 = 1e-7;
/// At most this many columns enter per iteration, the most violated cuts first: the master's
/// re-solves slow down with its cuts, and the rest are often priced out by the next prices.
/// On 100 people, 100 (everyone's) converge in about 30 iterations and 3.8 s, against 44 and
/// 5.5 s with 50; on 300 people, 300 slowed the master down more than they saved.
const MAX_ENTERING: usize = 100;

/// Above this many people, most iterations price only this many of them (in turn) for
/// columns: only [`MAX_ENTERING`] columns enter per iteration anyway.
const PARTIAL_PEOPLE: usize = 2 * MAX_ENTERING;
/// Every this many iterations, everyone is priced, for the Lagrangian bound.
const FULL_EVERY: usize = 4;

/// The master's dual variables (absent where the constraint can never bind).
struct Vars {
    pi: Vec<Variable>,
    rho: Vec<Option<Variable>>,
    nu: Vec<Option<Variable>>,
    mu: Vec<Option<Variable>>,
    eta: Vec<Option<Variable>>,
    sigma: Vec<Variable>,
}

/// Column generation state, kept between calls so that it can be resumed.
pub(crate) struct ColumnGeneration {
    listed: Vec<bool>,
    /// The best prices so far and their Lagrangian value.
    center: Duals,
    best: f64,
    pub(crate) columns: Vec<Pattern>,
    seen: HashSet<Vec<u64>>,
    vars: Vars,
    /// The master's last solution; `None` once microlp failed (the bound stays as it is).
    master: Option<Solution>,
    /// The master's last value: an upper bound on what this bound can reach.
    pub(crate) ceiling: f64,
    /// The next point priced is the master's own (after a mispricing).
    plain: bool,
    /// One pricer per thread: people are priced in parallel, in a fixed order.
    pricers: Vec<Pricer>,
    /// Iterations done so far.
    pub(crate) iterations: usize,
    /// Above this many people, most iterations price only this many ([`PARTIAL_PEOPLE`]).
    partial_people: usize,
    /// Where the next partial pricing starts in the people's order.
    rotate: usize,
    /// The next pricing is over everyone (a partial one found nothing to add).
    full_next: bool,
    /// The bound cannot improve further (the master's prices priced out).
    pub(crate) converged: bool,
    /// Time spent pricing and in the master.
    pub(crate) pricing_time: std::time::Duration,
    pub(crate) master_time: std::time::Duration,
}

/// A pattern's key for duplicate detection: person, posts, hours (bits), liaisons.
fn key(pattern: &Pattern) -> Vec<u64> {
    let mut k = vec![u64::from(pattern.person.0)];
    k.extend(pattern.modules.iter().map(|m| u64::from(m.0)));
    k.push(u64::MAX);
    for &(d, h) in &pattern.hours {
        k.push(u64::from(d.0));
        k.push(h.to_bits());
    }
    k.push(u64::MAX);
    k.extend(pattern.liaisons.iter().map(|c| u64::from(c.0)));
    k
}

impl ColumnGeneration {
    /// A master with every person's pins-only pattern, the `seeds` (a plan's patterns) and
    /// the patterns priced at each of `starts` (the best of which is the first center),
    /// solved once, pricing on `threads` threads. `None` when microlp fails on it.
    pub(crate) fn new(
        ctx: Ctx<'_>,
        starts: &[Duals],
        seeds: Vec<Pattern>,
        threads: usize,
    ) -> Option<Self> {
        let inst = ctx.inst;
        let listed = inst.listed_counterparts();
        let (problem, vars) = master_problem(ctx, &listed);
        let mut cg = Self {
            listed,
            best: f64::NEG_INFINITY,
            center: starts.first().cloned().unwrap_or_else(|| Duals::zero(inst)),
            columns: Vec::new(),
            seen: HashSet::new(),
            vars,
            master: None,
            ceiling: f64::INFINITY,
            plain: false,
            pricers: (0..threads.max(1)).map(|_| Pricer::default()).collect(),
            iterations: 0,
            partial_people: PARTIAL_PEOPLE,
            rotate: 0,
            full_next: false,
            converged: false,
            pricing_time: std::time::Duration::ZERO,
            master_time: std::time::Duration::ZERO,
        };
        let mut problem = problem;
        for p in inst.staff_indices() {
            let pins = {
                let mut m = inst.person(p).fixed_posts.clone();
                m.sort_unstable();
                m
            };
            let pattern = Pattern {
                person: p,
                modules: pins,
                hours: Vec::new(),
                liaisons: Vec::new(),
            };
            cg.seen.insert(key(&pattern));
            let (expr, rhs) = cg.cut(inst, &pattern);
            problem.add_constraint(expr, ComparisonOp::Ge, rhs);
            cg.columns.push(pattern);
        }
        for pattern in seeds {
            if cg.seen.insert(key(&pattern)) {
                let (expr, rhs) = cg.cut(inst, &pattern);
                problem.add_constraint(expr, ComparisonOp::Ge, rhs);
                cg.columns.push(pattern);
            }
        }
        let everyone: Vec<StaffIdx> = inst.staff_indices().collect();
        for start in starts {
            let priced = cg.price_all(ctx, &everyone, start);
            cg.take_lagrangian(inst, start, &priced);
            for pr in priced {
                if cg.seen.insert(key(&pr.pattern)) {
                    let (expr, rhs) = cg.cut(inst, &pr.pattern);
                    problem.add_constraint(expr, ComparisonOp::Ge, rhs);
                    cg.columns.push(pr.pattern);
                }
            }
        }
        let solution = problem.solve().ok()?.into_solution().ok()?;
        cg.ceiling = solution.objective();
        cg.master = Some(solution);
        Some(cg)
    }

    /// The best bound so far (never negative: tier 1 is a sum of penalties).
    pub(crate) fn value(&self) -> f64 {
        self.best.max(0.0)
    }

    /// Adds `pattern` as a column (a cut on the master's dual).
    fn cut(&self, inst: &Instance, pattern: &Pattern) -> (LinearExpr, f64) {
        let v = &self.vars;
        let mut expr = LinearExpr::empty();
        expr.add(v.sigma[pattern.person.index()], 1.0);
        for &(d, h) in &pattern.hours {
            expr.add(v.pi[d.index()], -h);
        }
        for m in &pattern.modules {
            if let Some(nu) = v.nu[m.index()] {
                expr.add(nu, -1.0);
            }
            if let Some(mu) = v.mu[m.index()] {
                expr.add(mu, 1.0);
            }
        }
        for c in &pattern.liaisons {
            if let Some(rho) = v.rho[c.index()] {
                expr.add(rho, -1.0);
            }
        }
        for u in pattern.units(inst) {
            if let Some(eta) = v.eta[u.index()] {
                expr.add(eta, 1.0);
            }
        }
        (expr, 0.0)
    }

    /// The master's prices.
    fn master_duals(&self, inst: &Instance, sol: &Solution) -> Duals {
        let v = &self.vars;
        let opt = |x: &Option<Variable>| x.map_or(0.0, |x| sol.var_value(x));
        let mut z = Duals::zero(inst);
        for (d, var) in v.pi.iter().enumerate() {
            z.pi[d] = sol.var_value(*var).clamp(0.0, inst.duties[d].weight);
        }
        for (c, var) in v.rho.iter().enumerate() {
            z.rho[c] = opt(var).clamp(0.0, inst.rules.liaison_weight);
        }
        for m in 0..inst.modules.len() {
            z.nu[m] = opt(&v.nu[m]).clamp(0.0, inst.rules.min_staff_weight);
            z.mu[m] = opt(&v.mu[m]).max(0.0);
        }
        for (u, var) in v.eta.iter().enumerate() {
            z.eta[u] = opt(var).max(0.0);
        }
        z
    }

    fn price_all(&mut self, ctx: Ctx<'_>, people: &[StaffIdx], z: &Duals) -> Vec<Priced> {
        super::pricing::price_all(&mut self.pricers, ctx, people, z)
    }

    /// The Lagrangian value at `z` from the people's best patterns; keeps it if best.
    fn take_lagrangian(&mut self, inst: &Instance, z: &Duals, priced: &[Priced]) -> f64 {
        let value = z.constant(inst, &self.listed) - priced.iter().map(|p| p.upper).sum::<f64>();
        if value > self.best {
            self.best = value;
            self.center = z.clone();
        }
        value
    }

    /// Runs up to `max_iterations` iterations, until `deadline`, convergence, `stop`, or the
    /// bound reaching `upper` (the best known plan's tier 1). Returns the bound.
    pub(crate) fn improve(
        &mut self,
        ctx: Ctx<'_>,
        upper: f64,
        max_iterations: usize,
        deadline: Option<Instant>,
        stop: &dyn Fn() -> bool,
    ) -> f64 {
        let inst = ctx.inst;
        for _ in 0..max_iterations {
            if self.converged
                || deadline.is_some_and(|d| Instant::now() >= d)
                || stop()
                || self.best >= upper - 1e-9 * upper.abs().max(1.0)
            {
                break;
            }
            let Some(sol) = self.master.take() else {
                break;
            };
            self.iterations += 1;
            let zm = self.master_duals(inst, &sol);
            let sigma: Vec<f64> = self.vars.sigma.iter().map(|&s| sol.var_value(s)).collect();
            let z = if self.plain {
                zm.clone()
            } else {
                self.center.blend(&zm, ALPHA)
            };
            let t = Instant::now();
            let everyone: Vec<StaffIdx> = inst.staff_indices().collect();
            let n = everyone.len();
            let partial = n > self.partial_people
                && !self.plain
                && !self.full_next
                && self.iterations % FULL_EVERY != 0;
            let people: Vec<StaffIdx> = if partial {
                let part = (0..self.partial_people)
                    .map(|k| everyone[(self.rotate + k) % n])
                    .collect();
                self.rotate = (self.rotate + self.partial_people) % n;
                part
            } else {
                everyone
            };
            let priced = self.price_all(ctx, &people, &z);
            self.pricing_time += t.elapsed();
            let t = Instant::now();
            // The Lagrangian value needs everyone's best pattern.
            let value = if partial {
                f64::NEG_INFINITY
            } else {
                self.take_lagrangian(inst, &z, &priced)
            };
            tracing::trace!(
                value,
                best = self.best,
                ceiling = self.ceiling,
                plain = self.plain,
                "column generation iteration"
            );
            let mut entering: Vec<(f64, Pattern)> = priced
                .into_iter()
                .filter_map(|pr| {
                    let gain = pr.pattern.value(inst, &zm) - sigma[pr.pattern.person.index()];
                    (gain > ENTER).then_some((gain, pr.pattern))
                })
                .collect();
            // Most violated first; ties by person, so runs are repeatable.
            entering.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.person.cmp(&b.1.person)));
            let mut fresh: Vec<Pattern> = Vec::new();
            for (_, pattern) in entering {
                if fresh.len() == MAX_ENTERING {
                    break;
                }
                if self.seen.insert(key(&pattern)) {
                    fresh.push(pattern);
                }
            }
            let added = fresh.len();
            // One batch: microlp refactorises once for all of them, not once per cut.
            let cuts: Vec<_> = fresh
                .iter()
                .map(|pattern| {
                    let (expr, rhs) = self.cut(inst, pattern);
                    (expr, ComparisonOp::Ge, rhs)
                })
                .collect();
            self.columns.extend(fresh);
            let sol = if cuts.is_empty() {
                Some(sol)
            } else {
                add_cuts(sol, cuts)
            };
            if sol.is_none() {
                tracing::debug!("column generation: microlp failed on the master");
                return self.value();
            }
            self.full_next = partial && added == 0;
            if added == 0 && partial {
                // Nothing among these people: the next pricing is over everyone.
            } else if added == 0 {
                if self.plain {
                    // The master's own prices price out: its value is the bound's limit.
                    self.converged = true;
                } else {
                    self.plain = true;
                }
            } else {
                self.plain = false;
            }
            if let Some(s) = &sol {
                self.ceiling = s.objective();
            }
            self.master_time += t.elapsed();
            self.master = sol;
            if self.ceiling - self.best <= 1e-7 * self.ceiling.abs().max(1.0) {
                self.converged = true;
            }
        }
        self.value()
    }
}

impl ColumnGeneration {
    /// The master restricted to the columns generated so far, one pattern per person
    /// (binary when `integer`), minimising tier 1; with each column's variable.
    fn restricted(&self, inst: &Instance, integer: bool) -> (Problem, Vec<Variable>) {
        restricted_over(inst, &self.listed, &self.columns, integer)
    }

    /// Price and branch: the restricted master as an integer program, solved by microlp
    /// within `nodes` branch-and-bound nodes (a fixed budget, so runs repeat) and `time` (a
    /// safety net). Its posts hold every cap; the caller rates them exactly. `None` when
    /// microlp finds no integer solution in time.
    pub(crate) fn integer_posts(
        &self,
        ctx: Ctx<'_>,
        nodes: u64,
        time: std::time::Duration,
    ) -> Option<Combination> {
        integer_combination(ctx, &self.listed, &self.columns, nodes, time)
    }

    /// [`Self::integer_posts`] over each person's `keep` columns worth most at the best
    /// prices, and their pins-only column (so that the caps can always hold). microlp's
    /// branch and bound does far better on the smaller program: on 48 people with every duty
    /// non-splittable, 342 in 6 s over 12 columns a person against 369.5 over all 901
    /// columns; on 100 such people, 804.5 against no integer solution at all in 6 s.
    pub(crate) fn integer_posts_among_best(
        &self,
        ctx: Ctx<'_>,
        keep: usize,
        nodes: u64,
        time: std::time::Duration,
    ) -> Option<Combination> {
        // The master starts with every person's pins-only column, in the people's order.
        let people = ctx.inst.staff.len();
        let mut columns = self.columns[..people].to_vec();
        let rest = self.columns[people..].to_vec();
        columns.extend(best_columns(ctx.inst, rest, &self.center, keep));
        integer_combination(ctx, &self.listed, &columns, nodes, time)
    }

    /// The restricted master's LP optimum as post values: `y[p,m]`, the weight of the
    /// columns of `p` that hold `m`, for every post with a positive weight, sorted. `None`
    /// when microlp fails.
    pub(crate) fn fractional_posts(
        &self,
        ctx: Ctx<'_>,
    ) -> Option<Vec<((StaffIdx, ModuleIdx), f64)>> {
        let (lp, lambda) = self.restricted(ctx.inst, false);
        let sol = lp.solve().ok()?.into_solution().ok()?;
        let mut y: std::collections::BTreeMap<(StaffIdx, ModuleIdx), f64> =
            std::collections::BTreeMap::new();
        for (pattern, &l) in self.columns.iter().zip(&lambda) {
            let v = sol.var_value(l);
            if v > 1e-9 {
                for &m in &pattern.modules {
                    *y.entry((pattern.person, m)).or_default() += v;
                }
            }
        }
        Some(y.into_iter().collect())
    }

    /// The columns generated so far.
    pub(crate) fn patterns(&self) -> &[Pattern] {
        &self.columns
    }

    /// The best prices so far.
    pub(crate) fn center(&self) -> &Duals {
        &self.center
    }
}

/// The restricted master over `columns` as an integer program (see
/// [`ColumnGeneration::integer_posts`]).
fn integer_combination(
    ctx: Ctx<'_>,
    listed: &[bool],
    columns: &[Pattern],
    nodes: u64,
    time: std::time::Duration,
) -> Option<Combination> {
    let (lp, lambda) = restricted_over(ctx.inst, listed, columns, true);
    let mut options = microlp::SolveOptions::default();
    options.node_limit = Some(nodes);
    options.time_limit = Some(time);
    let sol = lp.solve_with(options).ok()?.into_solution().ok()?;
    tracing::trace!(
        "restricted master: {} over {} columns ({:?})",
        sol.objective(),
        columns.len(),
        sol.termination_reason()
    );
    let mut found = Combination {
        posts: Vec::new(),
        who: vec![None; ctx.inst.duties.len()],
        value: sol.objective(),
    };
    for (pattern, &l) in columns.iter().zip(&lambda) {
        if sol.var_value(l) > 0.5 {
            found.add(ctx.inst, pattern);
        }
    }
    Some(found)
}

/// Of its parent's columns, a node starts from `keep` per person: those worth most at its
/// start prices `z` (ties to the older column). Its master is solved from scratch, which took
/// most of each node's time with every column (0.5-0.75 s of 1,000 columns on 48 people); the
/// node's own pricing brings back any it needs.
pub(crate) fn best_columns(
    inst: &Instance,
    seeds: Vec<Pattern>,
    z: &Duals,
    keep: usize,
) -> Vec<Pattern> {
    let mut valued: Vec<(f64, usize, Pattern)> = seeds
        .into_iter()
        .enumerate()
        .map(|(i, c)| (c.value(inst, z), i, c))
        .collect();
    valued.sort_by(|a, b| {
        (a.2.person.cmp(&b.2.person))
            .then(b.0.total_cmp(&a.0))
            .then(a.1.cmp(&b.1))
    });
    let mut kept = Vec::with_capacity(valued.len());
    let mut run = (None, 0);
    for (_, _, column) in valued {
        if run.0 != Some(column.person) {
            run = (Some(column.person), 0);
        }
        if run.1 < keep {
            kept.push(column);
            run.1 += 1;
        }
    }
    kept
}

/// The master restricted to `columns`, one of them per person (binary when `integer`: a
/// person with one column is held to it), minimising tier 1; with each column's variable.
fn restricted_over(
    inst: &Instance,
    listed: &[bool],
    columns: &[Pattern],
    integer: bool,
) -> (Problem, Vec<Variable>) {
    let mut lp = Problem::new(OptimizationDirection::Minimize);
    let lambda: Vec<Variable> = columns
        .iter()
        .map(|_| {
            if integer {
                lp.add_binary_var(0.0)
            } else {
                lp.add_var(0.0, (0.0, 1.0))
            }
        })
        .collect();
    let mut by_person: Vec<LinearExpr> = inst.staff.iter().map(|_| LinearExpr::empty()).collect();
    let mut cover: Vec<LinearExpr> = inst.duties.iter().map(|_| LinearExpr::empty()).collect();
    let mut liaise: Vec<LinearExpr> = inst
        .counterparts
        .iter()
        .map(|_| LinearExpr::empty())
        .collect();
    let mut staffed: Vec<LinearExpr> = inst.modules.iter().map(|_| LinearExpr::empty()).collect();
    let mut employed: Vec<LinearExpr> = inst.units.iter().map(|_| LinearExpr::empty()).collect();
    for (pattern, &l) in columns.iter().zip(&lambda) {
        by_person[pattern.person.index()].add(l, 1.0);
        for &(d, h) in &pattern.hours {
            cover[d.index()].add(l, h);
        }
        for c in &pattern.liaisons {
            liaise[c.index()].add(l, 1.0);
        }
        for m in &pattern.modules {
            staffed[m.index()].add(l, 1.0);
        }
        for u in pattern.units(inst) {
            employed[u.index()].add(l, 1.0);
        }
    }
    for expr in by_person {
        lp.add_constraint(expr, ComparisonOp::Eq, 1.0);
    }
    for (d, mut expr) in cover.into_iter().enumerate() {
        let duty = &inst.duties[d];
        expr.add(lp.add_var(duty.weight, (0.0, duty.hours)), 1.0);
        lp.add_constraint(expr, ComparisonOp::Ge, duty.hours);
    }
    for (c, mut expr) in liaise.into_iter().enumerate() {
        if listed[c] && inst.rules.liaison_weight > 0.0 {
            expr.add(lp.add_var(inst.rules.liaison_weight, (0.0, 1.0)), 1.0);
            lp.add_constraint(expr, ComparisonOp::Ge, 1.0);
        }
    }
    for (m, expr) in staffed.into_iter().enumerate() {
        let module = &inst.modules[m];
        if let Some(k) = module.max_staff {
            lp.add_constraint(expr.clone(), ComparisonOp::Le, f64::from(k));
        }
        if module.min_staff > 0 && inst.rules.min_staff_weight > 0.0 {
            let mut expr = expr;
            let short = f64::from(module.min_staff);
            expr.add(lp.add_var(inst.rules.min_staff_weight, (0.0, short)), 1.0);
            lp.add_constraint(expr, ComparisonOp::Ge, short);
        }
    }
    for (u, expr) in employed.into_iter().enumerate() {
        if let Some(k) = inst.units[u].headcount_cap {
            lp.add_constraint(expr, ComparisonOp::Le, f64::from(k));
        }
    }
    (lp, lambda)
}

/// Whole patterns, one per person, as a plan to rate: their posts, and who does each
/// non-splittable duty (the first person whose pattern has it).
pub(crate) struct Combination {
    pub(crate) posts: Vec<(StaffIdx, ModuleIdx)>,
    pub(crate) who: Vec<Option<StaffIdx>>,
    /// Tier 1 of the patterns as the restricted master counts it (their own hours, whoever
    /// else does the same whole duty); infinite for bare posts. Rated with `who`, the plan
    /// is no worse.
    pub(crate) value: f64,
}

impl Combination {
    /// Posts alone: the hours oracle chooses who does what.
    pub(crate) fn posts(inst: &Instance, posts: Vec<(StaffIdx, ModuleIdx)>) -> Self {
        Self {
            posts,
            who: vec![None; inst.duties.len()],
            value: f64::INFINITY,
        }
    }

    fn add(&mut self, inst: &Instance, pattern: &Pattern) {
        self.posts
            .extend(pattern.modules.iter().map(|&m| (pattern.person, m)));
        for &(d, _) in &pattern.hours {
            if !inst.duty(d).splittable && self.who[d.index()].is_none() {
                self.who[d.index()] = Some(pattern.person);
            }
        }
    }
}

/// Adds `cuts` to the master in one batch. Where microlp fails on the batch (numerically: the
/// dual master is never infeasible), they go in one at a time from the master before it,
/// leaving out any it fails on; the restricted master stays a restriction, so its value stays
/// an upper bound, and the Lagrangian bound never depends on it. `None` when no cut went in.
fn add_cuts(sol: Solution, cuts: Vec<(LinearExpr, ComparisonOp, f64)>) -> Option<Solution> {
    let before = sol.clone();
    let err = match sol
        .add_constraints(cuts.clone())
        .map(SolveOutcome::into_solution)
    {
        Ok(Ok(s)) => return Some(s),
        Ok(Err(_)) => "interrupted".to_string(),
        Err(e) => e.to_string(),
    };
    tracing::debug!("column generation: microlp failed on a batch of cuts ({err}); one by one");
    let mut sol = before;
    let mut added = false;
    for (expr, op, rhs) in cuts {
        let keep = sol.clone();
        sol = match sol
            .add_constraint(expr, op, rhs)
            .map(SolveOutcome::into_solution)
        {
            Ok(Ok(s)) => {
                added = true;
                s
            }
            _ => keep,
        };
    }
    added.then_some(sol)
}

/// The master's dual with no columns yet.
fn master_problem(ctx: Ctx<'_>, listed: &[bool]) -> (Problem, Vars) {
    let (inst, elig) = (ctx.inst, ctx.elig);
    let mut lp = Problem::new(OptimizationDirection::Maximize);
    // What one person can earn at most bounds the cap prices that can matter.
    let big = inst
        .staff
        .iter()
        .map(|p| p.capacity)
        .fold(0.0_f64, f64::max)
        * inst.duties.iter().map(|d| d.weight).fold(0.0_f64, f64::max)
        + f64::from(inst.rules.max_posts.max(1)) * inst.rules.min_staff_weight
        + f64::from(inst.rules.max_liaisons.max(1)) * inst.rules.liaison_weight
        + 1.0;
    let pi = inst
        .duties
        .iter()
        .map(|d| lp.add_var(d.hours, (0.0, d.weight)))
        .collect();
    let rho = (0..inst.counterparts.len())
        .map(|c| {
            (listed[c] && inst.rules.liaison_weight > 0.0)
                .then(|| lp.add_var(1.0, (0.0, inst.rules.liaison_weight)))
        })
        .collect();
    let nu = inst
        .modules
        .iter()
        .map(|m| {
            (m.min_staff > 0 && inst.rules.min_staff_weight > 0.0)
                .then(|| lp.add_var(f64::from(m.min_staff), (0.0, inst.rules.min_staff_weight)))
        })
        .collect();
    let mu = inst
        .modules
        .iter()
        .enumerate()
        .map(|(m, module)| {
            module
                .max_staff
                .filter(|&k| (k as usize) < elig.people_of[m].len())
                .map(|k| lp.add_var(-f64::from(k), (0.0, big)))
        })
        .collect();
    let mut unit_people: Vec<HashSet<StaffIdx>> = vec![HashSet::new(); inst.units.len()];
    for (m, module) in inst.modules.iter().enumerate() {
        if let Some(u) = module.unit {
            unit_people[u.index()].extend(elig.people_of[m].iter().copied());
        }
    }
    let eta = inst
        .units
        .iter()
        .enumerate()
        .map(|(u, unit)| {
            unit.headcount_cap
                .filter(|&k| (k as usize) < unit_people[u].len())
                .map(|k| lp.add_var(-f64::from(k), (0.0, big)))
        })
        .collect();
    let sigma = inst
        .staff
        .iter()
        .map(|_| lp.add_var(-1.0, (f64::NEG_INFINITY, f64::INFINITY)))
        .collect();
    (
        lp,
        Vars {
            pi,
            rho,
            nu,
            mu,
            eta,
            sigma,
        },
    )
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{ColumnGeneration, Combination};
    use crate::engine::bound::pricing::{self, Duals};
    use crate::engine::eligibility::{Ctx, Eligibility};

    /// A batch microlp rejects goes in cut by cut, without the cuts it fails on: the master
    /// then has the others (here its optimum moves to where both good cuts bind), and with
    /// no cut that goes in there is no master.
    #[test]
    fn a_rejected_batch_goes_in_without_the_cuts_microlp_fails_on() {
        use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem};
        let mut lp = Problem::new(OptimizationDirection::Minimize);
        let x = lp.add_var(1.0, (0.0, 10.0));
        let y = lp.add_var(1.0, (0.0, 10.0));
        let solved = || {
            lp.solve()
                .expect("solves")
                .into_solution()
                .expect("optimal")
        };
        let cut = |a: f64, b: f64, rhs: f64| {
            let mut e = LinearExpr::empty();
            e.add(x, a);
            e.add(y, b);
            (e, ComparisonOp::Ge, rhs)
        };
        // `0 >= 1`: microlp rejects the whole batch for it.
        let impossible = || (LinearExpr::empty(), ComparisonOp::Ge, 1.0);
        let sol = super::add_cuts(
            solved(),
            vec![cut(1.0, 0.0, 2.0), impossible(), cut(0.0, 1.0, 3.0)],
        )
        .expect("two cuts go in");
        assert!((sol.objective() - 5.0).abs() < 1e-9, "{}", sol.objective());
        assert!(super::add_cuts(solved(), vec![impossible()]).is_none());
    }

    /// Prints the bound's progress on `MODSTAFF_PROBE` (an instance file).
    #[test]
    #[ignore = "a probe for measurements"]
    fn probe() {
        let path = std::env::var("MODSTAFF_PROBE").expect("MODSTAFF_PROBE");
        let (inst, _) = crate::io::load_instance(std::path::Path::new(&path)).expect("instance");
        let elig = Eligibility::new(&inst);
        let ctx = Ctx {
            inst: &inst,
            elig: &elig,
        };
        let seconds: u64 = std::env::var("MODSTAFF_PROBE_SOLVE")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(2);
        let options = crate::engine::SolveOptions {
            time_limit: Duration::from_secs(seconds),
            ..crate::engine::SolveOptions::default()
        };
        let plan = crate::engine::solve(&inst, &options).plan;
        eprintln!("plan {}", plan.objective.coverage);
        let mut posts = vec![Vec::new(); inst.staff.len()];
        for post in &plan.posts {
            posts[inst.ids.staff[&post.person].index()].push(inst.ids.modules[&post.module]);
        }
        let x: Vec<_> = plan
            .assignments
            .iter()
            .map(|a| (inst.ids.staff[&a.person], inst.ids.duties[&a.duty], a.hours))
            .collect();
        let mut load = vec![0.0; inst.staff.len()];
        for &(p, _, h) in &x {
            load[p.index()] += h;
        }
        let liaisons: Vec<_> = plan
            .liaisons
            .iter()
            .map(|l| {
                (
                    inst.ids.counterparts[&l.counterpart],
                    inst.ids.staff[&l.person],
                )
            })
            .collect();
        let t = Instant::now();
        let mut warm = Duals::zero(&inst);
        warm.pi = pricing::warm_prices(ctx, &x, &load);
        let (flow, relaxed) = crate::engine::bound::flow::flow_bound(ctx);
        let mut at_flow = Duals::zero(&inst);
        at_flow.pi = pricing::flow_prices(ctx, &relaxed.x);
        eprintln!("flow bound {flow}");
        let seeds = pricing::plan_patterns(&inst, &posts, &x, &liaisons);
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let mut cg = ColumnGeneration::new(ctx, &[warm, at_flow], seeds, threads).expect("master");
        eprintln!("start value {}", cg.best);
        for _ in 0..400 {
            let v = cg.improve(ctx, f64::INFINITY, 1, None, &|| false);
            eprintln!(
                "{:.2}s it {} bound {v:.3} ceiling {:.3} columns {} pricing {:.2} master {:.2}",
                t.elapsed().as_secs_f64(),
                cg.iterations,
                cg.ceiling,
                cg.columns.len(),
                cg.pricing_time.as_secs_f64(),
                cg.master_time.as_secs_f64()
            );
            if cg.converged || t.elapsed() > Duration::from_secs(60) {
                break;
            }
        }
        // Then branch and price for `MODSTAFF_PROBE_TREE` seconds, if given.
        let Some(tree_seconds) = std::env::var("MODSTAFF_PROBE_TREE")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
        else {
            return;
        };
        let mut tree = super::super::branch::BranchAndPrice::new(&cg, threads);
        let mut upper = plan.objective.coverage;
        let mut exact = crate::engine::search::Evaluator::new(
            ctx,
            crate::engine::hours::BestOptions::default(),
        );
        let end = Instant::now() + Duration::from_secs(tree_seconds);
        while Instant::now() < end && !tree.is_done() {
            let before = upper;
            let mut rate = |found: Combination| {
                let mut state = crate::engine::posts::PostState::pinned(&inst);
                for (p, m) in found.posts {
                    if state.can_add(ctx, p, m) {
                        state.add(&inst, p, m);
                    }
                }
                upper = upper.min(exact.evaluate(state).key.coverage);
                upper
            };
            tree.run(&inst, before, (10, end), &|| false, &mut rate);
            eprintln!(
                "{:.2}s nodes {} bound {:.3} upper {upper}",
                t.elapsed().as_secs_f64(),
                tree.nodes,
                tree.bound(upper)
            );
        }
    }
}

/// Shared by the tests of the decomposition and of the tree.
#[cfg(test)]
pub(crate) mod testing {
    use std::time::Duration;

    use super::ColumnGeneration;
    use crate::engine::bound::pricing::Duals;
    use crate::engine::eligibility::Ctx;
    use crate::engine::testkit::random_pinned_instance;
    use crate::engine::{SolveOptions, StopReason, solve};
    use crate::model::Instance;

    /// Random pinned instances of `shape` that the engine solves exactly (by enumeration),
    /// with their seed and optimum.
    pub(crate) fn exactly_solved(
        seeds: std::ops::Range<u64>,
        shape: (usize, usize, usize),
    ) -> impl Iterator<Item = (u64, Instance, f64)> {
        seeds.filter_map(move |seed| {
            let inst = random_pinned_instance(seed, shape, 0.2);
            let options = SolveOptions {
                time_limit: Duration::from_secs(20),
                threads: 1,
                ..SolveOptions::default()
            };
            let sol = solve(&inst, &options);
            let opt = sol.plan.objective.coverage;
            (sol.stop == StopReason::Proven).then_some((seed, inst, opt))
        })
    }

    /// Column generation from the duties' weights, run to convergence (500 iterations).
    pub(crate) fn converged_root(ctx: Ctx<'_>) -> ColumnGeneration {
        let mut start = Duals::zero(ctx.inst);
        for (d, duty) in ctx.inst.duties.iter().enumerate() {
            start.pi[d] = duty.weight;
        }
        let mut cg = ColumnGeneration::new(ctx, &[start], Vec::new(), 1).expect("master");
        cg.improve(ctx, f64::INFINITY, 500, None, &|| false);
        cg
    }
}

#[cfg(test)]
mod validity {
    use std::time::Duration;

    use super::ColumnGeneration;
    use super::testing::{converged_root, exactly_solved};
    use crate::engine::bound::pricing::Duals;
    use crate::engine::eligibility::{Ctx, Eligibility};
    use crate::engine::hours::BestOptions;
    use crate::engine::posts::PostState;
    use crate::engine::search::Evaluator;
    use crate::engine::testkit::random_pinned_instance;

    /// Pricing a few people per iteration (as beyond [`super::PARTIAL_PEOPLE`]) still ends
    /// at the bound that pricing everyone reaches: its convergence is checked on everyone.
    #[test]
    fn pricing_a_few_people_at_a_time_converges_to_the_same_bound() {
        let mut runs = 0;
        for seed in 0..30 {
            let inst = random_pinned_instance(seed, (12, 6, 24), 0.2);
            let elig = Eligibility::new(&inst);
            let ctx = Ctx {
                inst: &inst,
                elig: &elig,
            };
            let full = converged_root(ctx);
            let mut start = Duals::zero(ctx.inst);
            for (d, duty) in ctx.inst.duties.iter().enumerate() {
                start.pi[d] = duty.weight;
            }
            let mut partial = ColumnGeneration::new(ctx, &[start], Vec::new(), 1).expect("master");
            partial.partial_people = 3;
            partial.improve(ctx, f64::INFINITY, 500, None, &|| false);
            assert!(full.converged && partial.converged, "seed {seed}");
            let tol = 1e-6 * full.value().max(1.0);
            assert!(
                (full.value() - partial.value()).abs() <= tol,
                "seed {seed}: {} priced in turn, {} priced at once",
                partial.value(),
                full.value()
            );
            runs += 1;
        }
        assert_eq!(runs, 30);
    }

    /// On tiny instances (solved exactly by enumeration) the bound never passes the optimum,
    /// converges, and mostly reaches it.
    #[test]
    fn the_bound_is_valid_and_converges_on_tiny_instances() {
        let (mut tight, mut runs) = (0, 0);
        for (seed, inst, opt) in exactly_solved(0..120, (5, 5, 10)) {
            let elig = Eligibility::new(&inst);
            let ctx = Ctx {
                inst: &inst,
                elig: &elig,
            };
            let cg = converged_root(ctx);
            let bound = cg.value();
            let tol = 1e-6 * opt.max(1.0);
            assert!(
                bound <= opt + tol,
                "seed {seed}: bound {bound} above the optimum {opt}"
            );
            assert!(
                cg.converged,
                "seed {seed}: not converged after {} iterations",
                cg.iterations
            );
            assert!(cg.ceiling >= bound - tol, "seed {seed}");
            runs += 1;
            tight += usize::from(bound >= opt - tol);
        }
        assert!(runs >= 60, "{runs} instances");
        assert!(tight * 4 >= runs * 3, "tight on {tight} of {runs}");
    }

    /// Price and branch reads off who does each whole duty: someone whose post it is and
    /// who can do it, and rated with those choices the plan is no worse than the restricted
    /// master's value (a whole duty left without its doer would lose its hours).
    /// Price and branch among each person's best columns always finds a plan, however few
    /// columns it keeps (the pins-only columns hold every cap), never one better than the
    /// optimum, and over every column the same as over all of them.
    #[test]
    fn price_and_branch_among_the_best_columns_is_a_restriction_that_always_holds() {
        let mut narrower = 0;
        for (seed, inst, opt) in exactly_solved(0..60, (8, 6, 16)) {
            let elig = Eligibility::new(&inst);
            let ctx = Ctx {
                inst: &inst,
                elig: &elig,
            };
            let cg = converged_root(ctx);
            let time = Duration::from_secs(30);
            let all = cg.integer_posts(ctx, 100_000, time).expect("a plan");
            let same = cg
                .integer_posts_among_best(ctx, usize::MAX, 100_000, time)
                .expect("a plan");
            let tol = 1e-6 * opt.max(1.0);
            assert!((all.value - same.value).abs() < tol, "seed {seed}");
            let one = cg
                .integer_posts_among_best(ctx, 1, 100_000, time)
                .unwrap_or_else(|| panic!("seed {seed}: no plan from one column a person"));
            assert!(one.value >= all.value - tol, "seed {seed}");
            assert!(
                one.value >= opt - tol,
                "seed {seed}: {} below the optimum {opt}",
                one.value
            );
            narrower += usize::from(one.value > all.value + tol);
        }
        assert!(
            narrower >= 3,
            "only {narrower} instances where fewer columns cost"
        );
    }

    #[test]
    fn price_and_branch_reads_off_who_does_each_whole_duty() {
        let (mut runs, mut chosen) = (0, 0);
        for seed in 0..40 {
            let inst = random_pinned_instance(seed, (8, 6, 16), 0.2);
            let elig = Eligibility::new(&inst);
            let ctx = Ctx {
                inst: &inst,
                elig: &elig,
            };
            let cg = converged_root(ctx);
            let Some(found) = cg.integer_posts(ctx, 100_000, Duration::from_secs(30)) else {
                continue;
            };
            runs += 1;
            for (d, who) in inst.duty_indices().zip(&found.who) {
                let Some(p) = *who else { continue };
                let duty = inst.duty(d);
                assert!(
                    !duty.splittable,
                    "seed {seed}: a choice for a splittable duty"
                );
                assert!(
                    found.posts.contains(&(p, duty.module)),
                    "seed {seed}: the doer of {} does not hold its post",
                    duty.id
                );
                assert!(
                    elig.doers_of(d).contains(&p),
                    "seed {seed}: {} ineligible",
                    duty.id
                );
                chosen += 1;
            }
            let mut state = PostState::pinned(&inst);
            for &(p, m) in &found.posts {
                if state.posts.of(p).contains(&m) {
                    continue; // a pin
                }
                assert!(state.can_add(ctx, p, m), "seed {seed}: posts break a cap");
                state.add(&inst, p, m);
            }
            let rated =
                Evaluator::new(ctx, BestOptions::default()).evaluate_fixed(state, &found.who);
            let tol = 1e-6 * found.value.abs().max(1.0);
            assert!(
                rated.key.coverage <= found.value + tol,
                "seed {seed}: rated {} above the master's {}",
                rated.key.coverage,
                found.value
            );
        }
        assert!(runs >= 30, "{runs} runs");
        assert!(chosen >= 20, "only {chosen} whole duties chosen");
    }
}
