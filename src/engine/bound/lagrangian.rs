//! The Lagrangian lower bound on tier 1.
//!
//! Dualising the coupling constraints (coverage of each duty, one liaison per counterpart,
//! each module's staffing floor) with multipliers lambda[d] in [0, weight(d)], rho[c] in
//! [0, `liaison_weight`], nu[m] in [0, `min_staff_weight`] splits the model by person:
//!
//! ```text
//! L = sum_d lambda[d]*hours(d) + sum_c rho[c] + sum_m nu[m]*min_staff(m) - sum_p P_p
//! P_p = max over post sets S of p (|S| <= max_posts, no conflict, qualified) of
//!       knapsack_p(S; lambda) + sum_{m in S} nu[m] + best max_liaisons(p) rho among S's counterparts
//! ```
//!
//! Every L is a valid lower bound (module and unit caps and the one-liaison rule are simply
//! dropped from the person problems, which only raises `P_p`). The person problems keep the
//! posts cap, which the LP relaxation loses by spreading fractional posts; this is why the
//! bound is far stronger than the LP's. Non-splittable duties are packed fractionally inside
//! `P_p` (a relaxation, so the bound stays valid). Multipliers are improved by a projected
//! subgradient ascent with Polyak steps.

use std::time::Instant;

use crate::engine::eligibility::Ctx;
use crate::model::{DutyIdx, Instance, StaffIdx};

/// Work limit per person problem; past it, `P_p` is over-estimated by a valid upper bound.
const NODE_LIMIT: usize = 20_000;

/// The Lagrangian dual, with its multipliers kept between calls so it can be resumed.
#[derive(Clone, Debug)]
pub(crate) struct LagrangianBound {
    lambda: Vec<f64>,
    rho: Vec<f64>,
    nu: Vec<f64>,
    best: f64,
    theta: f64,
    stall: usize,
    /// Iterations done so far.
    pub(crate) iterations: usize,
}

/// The maximiser of one person problem (for the subgradient).
#[derive(Default)]
struct PersonChoice {
    value: f64,
    upper: f64,
    modules: Vec<usize>,
}

/// What the person problems' maximisers use of each coupled resource in one iteration.
struct Usage {
    /// Per duty: hours taken.
    taken: Vec<f64>,
    /// Per counterpart: liaisons offered.
    liaisons: Vec<f64>,
    /// Per module: posts taken.
    holders: Vec<f64>,
}

impl Usage {
    fn new(inst: &Instance) -> Self {
        Self {
            taken: vec![0.0; inst.duties.len()],
            liaisons: vec![0.0; inst.counterparts.len()],
            holders: vec![0.0; inst.modules.len()],
        }
    }

    fn clear(&mut self) {
        self.taken.iter_mut().for_each(|x| *x = 0.0);
        self.liaisons.iter_mut().for_each(|x| *x = 0.0);
        self.holders.iter_mut().for_each(|x| *x = 0.0);
    }
}

struct Scratch {
    items: Vec<(f64, f64, usize)>,
    /// Per module of the current person: (lambda, hours) of doable duties, best first.
    lists: Vec<Vec<(f64, f64)>>,
    heads: Vec<usize>,
    cps: Vec<f64>,
    seen_cp: Vec<bool>,
}

impl LagrangianBound {
    /// Starts from lambda = weight and rho = nu = 0; see [`Self::warm_start`] for better.
    #[must_use]
    pub(crate) fn new(inst: &Instance) -> Self {
        Self {
            lambda: inst.duties.iter().map(|d| d.weight).collect(),
            rho: vec![0.0; inst.counterparts.len()],
            nu: vec![0.0; inst.modules.len()],
            best: f64::NEG_INFINITY,
            theta: 1.0,
            stall: 0,
            iterations: 0,
        }
    }

    /// Sets lambda from a plan's hours (see [`super::pricing::warm_prices`]).
    pub(crate) fn warm_start(
        &mut self,
        ctx: Ctx<'_>,
        x: &[(StaffIdx, DutyIdx, f64)],
        load: &[f64],
    ) {
        self.lambda = super::pricing::warm_prices(ctx, x, load);
    }

    /// The best bound found so far (never negative: tier 1 is a sum of penalties).
    #[must_use]
    pub(crate) fn value(&self) -> f64 {
        self.best.max(0.0)
    }

    /// Runs subgradient iterations until `max_iterations`, `deadline`, step collapse, or the
    /// bound reaches `upper` (the best known plan's tier 1, used for Polyak steps).
    pub(crate) fn improve(
        &mut self,
        ctx: Ctx<'_>,
        upper: f64,
        max_iterations: usize,
        deadline: Option<Instant>,
        stop: &dyn Fn() -> bool,
    ) -> f64 {
        let (inst, elig) = (ctx.inst, ctx.elig);
        let nc = inst.counterparts.len();
        let mut scratch = Scratch {
            items: Vec::new(),
            lists: Vec::new(),
            heads: Vec::new(),
            cps: Vec::new(),
            seen_cp: vec![false; nc],
        };
        let listed: Vec<bool> = {
            let mut l = vec![false; nc];
            for c in &elig.listed {
                l[c.index()] = true;
            }
            l
        };
        let mut usage = Usage::new(inst);
        for _ in 0..max_iterations {
            if deadline.is_some_and(|d| Instant::now() >= d) || self.theta < 1e-5 || stop() {
                break;
            }
            self.iterations += 1;
            usage.clear();
            let mut value = self.dualised(inst, &listed);
            let mut cut = false;
            for p in inst.staff_indices() {
                // One iteration over thousands of people takes seconds: it is given up (its
                // value would be no bound) rather than outrun the deadline or a cancel.
                if p.index() % 64 == 63 && (deadline.is_some_and(|d| Instant::now() >= d) || stop())
                {
                    cut = true;
                    break;
                }
                let choice = self.person(ctx, p, &listed, &mut scratch);
                value -= choice.upper;
                self.record(ctx, p, &choice, &mut scratch, &mut usage);
            }
            if cut {
                self.iterations -= 1;
                break;
            }
            tracing::trace!(value, theta = self.theta, "lagrangian iteration");
            self.track(value);
            if self.best >= upper - 1e-9 {
                break;
            }
            if !self.step(inst, &listed, &usage, value, upper) {
                break;
            }
        }
        self.value()
    }

    /// The dualised constraints' constant part: `sum_d lambda[d]*hours(d) + sum_c rho[c] +
    /// sum_m nu[m]*min_staff(m)`.
    fn dualised(&self, inst: &Instance, listed: &[bool]) -> f64 {
        let nc = inst.counterparts.len();
        inst.duties
            .iter()
            .zip(&self.lambda)
            .map(|(d, l)| l * d.hours)
            .sum::<f64>()
            + (0..nc)
                .filter(|&c| listed[c])
                .map(|c| self.rho[c])
                .sum::<f64>()
            + inst
                .modules
                .iter()
                .zip(&self.nu)
                .map(|(m, n)| n * f64::from(m.min_staff))
                .sum::<f64>()
    }

    /// Records person `p`'s maximiser's use of each coupled resource.
    fn record(
        &self,
        ctx: Ctx<'_>,
        p: StaffIdx,
        choice: &PersonChoice,
        scratch: &mut Scratch,
        usage: &mut Usage,
    ) {
        let (inst, elig) = (ctx.inst, ctx.elig);
        let person = inst.person(p);
        self.fill(ctx, p, &choice.modules, scratch);
        let mut cap = person.capacity;
        for &(l, h, d) in &scratch.items {
            if cap <= 0.0 || l <= 0.0 {
                break;
            }
            let x = h.min(cap);
            usage.taken[d] += x;
            cap -= x;
        }
        for &j in &choice.modules {
            usage.holders[elig.modules_of[p.index()][j].index()] += 1.0;
        }
        let mut cps: Vec<(f64, usize)> = Vec::new();
        for &j in &choice.modules {
            let m = elig.modules_of[p.index()][j];
            for &c in &inst.module(m).counterparts {
                if !cps.iter().any(|&(_, x)| x == c.index()) {
                    cps.push((self.rho[c.index()], c.index()));
                }
            }
        }
        cps.sort_by(|a, b| b.0.total_cmp(&a.0));
        for &(r, c) in cps.iter().take(person.max_liaisons as usize) {
            if r > 0.0 {
                usage.liaisons[c] += 1.0;
            }
        }
    }

    /// Keeps the best value; halves the step scale after 15 iterations without a better one.
    fn track(&mut self, value: f64) {
        if value > self.best + 1e-9 {
            self.best = value;
            self.stall = 0;
        } else {
            self.stall += 1;
            if self.stall >= 15 {
                self.theta *= 0.5;
                self.stall = 0;
            }
        }
    }

    /// A Polyak step along the subgradient of L, projected onto the multipliers' boxes; false
    /// when the subgradient vanishes.
    fn step(
        &mut self,
        inst: &Instance,
        listed: &[bool],
        usage: &Usage,
        value: f64,
        upper: f64,
    ) -> bool {
        let nd = inst.duties.len();
        let nc = inst.counterparts.len();
        let nm = inst.modules.len();
        let g_d: Vec<f64> = (0..nd)
            .map(|d| inst.duties[d].hours - usage.taken[d])
            .collect();
        let g_c: Vec<f64> = (0..nc)
            .map(|c| {
                if listed[c] {
                    1.0 - usage.liaisons[c]
                } else {
                    0.0
                }
            })
            .collect();
        let g_m: Vec<f64> = (0..nm)
            .map(|m| f64::from(inst.modules[m].min_staff) - usage.holders[m])
            .collect();
        let norm: f64 = g_d.iter().chain(&g_c).chain(&g_m).map(|g| g * g).sum();
        if norm < 1e-12 {
            return false;
        }
        let target = if upper.is_finite() {
            upper.max(self.best + 1e-6 * self.best.abs().max(1.0))
        } else {
            self.best.abs() * 1.1 + 1.0
        };
        let step = self.theta * (target - value).max(1e-9) / norm;
        for ((l, g), duty) in self.lambda.iter_mut().zip(&g_d).zip(&inst.duties) {
            *l = (*l + step * g).clamp(0.0, duty.weight);
        }
        for (r, g) in self.rho.iter_mut().zip(&g_c) {
            *r = (*r + step * g).clamp(0.0, inst.rules.liaison_weight);
        }
        for (n, g) in self.nu.iter_mut().zip(&g_m) {
            *n = (*n + step * g).clamp(0.0, inst.rules.min_staff_weight);
        }
        true
    }

    /// Items (lambda, hours, duty) of the modules `js` (indices into `modules_of[p]`), sorted
    /// by lambda, highest first, into `scratch.items`.
    fn fill(&self, ctx: Ctx<'_>, p: StaffIdx, js: &[usize], scratch: &mut Scratch) {
        let (inst, elig) = (ctx.inst, ctx.elig);
        scratch.items.clear();
        for &j in js {
            for &d in elig.duties_of(p, j) {
                let l = self.lambda[d.index()];
                if l > 0.0 {
                    scratch.items.push((l, inst.duty(d).hours, d.index()));
                }
            }
        }
        scratch.items.sort_by(|a, b| b.0.total_cmp(&a.0));
    }

    /// F(S) for the module set `js` of person `p`.
    fn set_value(
        &self,
        ctx: Ctx<'_>,
        p: StaffIdx,
        js: &[usize],
        listed: &[bool],
        scratch: &mut Scratch,
    ) -> f64 {
        let (inst, elig) = (ctx.inst, ctx.elig);
        // Fill capacity with the best hours: a merge of the modules' presorted lists.
        let person = inst.person(p);
        let mut cap = person.capacity;
        let mut v = 0.0;
        scratch.heads.clear();
        scratch.heads.resize(js.len(), 0);
        while cap > 0.0 {
            let mut pick: Option<(f64, usize)> = None;
            for (i, &j) in js.iter().enumerate() {
                if let Some(&(l, _)) = scratch.lists[j].get(scratch.heads[i])
                    && pick.is_none_or(|(b, _)| l > b)
                {
                    pick = Some((l, i));
                }
            }
            let Some((l, i)) = pick else { break };
            let h = scratch.lists[js[i]][scratch.heads[i]].1;
            scratch.heads[i] += 1;
            let x = h.min(cap);
            v += l * x;
            cap -= x;
        }
        scratch.cps.clear();
        for &j in js {
            let m = elig.modules_of[p.index()][j];
            v += self.nu[m.index()];
            for &c in &inst.module(m).counterparts {
                if listed[c.index()] && !scratch.seen_cp[c.index()] {
                    scratch.seen_cp[c.index()] = true;
                    scratch.cps.push(self.rho[c.index()]);
                }
            }
        }
        for &j in js {
            let m = elig.modules_of[p.index()][j];
            for &c in &inst.module(m).counterparts {
                scratch.seen_cp[c.index()] = false;
            }
        }
        scratch.cps.sort_by(|a, b| b.total_cmp(a));
        v + scratch
            .cps
            .iter()
            .take(person.max_liaisons as usize)
            .sum::<f64>()
    }

    /// Solves person `p`'s problem by branch and bound over post sets (F is subadditive, so
    /// F(S) + the best remaining single-module values bounds every extension of S).
    fn person(
        &self,
        ctx: Ctx<'_>,
        p: StaffIdx,
        listed: &[bool],
        scratch: &mut Scratch,
    ) -> PersonChoice {
        let (inst, elig) = (ctx.inst, ctx.elig);
        let k = inst.person(p).max_posts as usize;
        let q = elig.modules_of[p.index()].len();
        if k == 0 || q == 0 {
            return PersonChoice::default();
        }
        scratch
            .lists
            .resize_with(q.max(scratch.lists.len()), Vec::new);
        for j in 0..q {
            let list = &mut scratch.lists[j];
            list.clear();
            for &d in elig.duties_of(p, j) {
                let l = self.lambda[d.index()];
                if l > 0.0 {
                    list.push((l, inst.duty(d).hours));
                }
            }
            list.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
        }
        let mut single: Vec<(f64, usize)> = (0..q)
            .map(|j| (self.set_value(ctx, p, &[j], listed, scratch), j))
            .filter(|&(v, _)| v > 0.0)
            .collect();
        single.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut best = PersonChoice::default();
        if single.is_empty() {
            return best;
        }
        best.value = single[0].0;
        best.modules = vec![single[0].1];
        if k == 1 {
            best.upper = best.value;
            return best;
        }
        let mut nodes = 0_usize;
        let mut cut_upper = 0.0_f64;
        let mut chosen: Vec<usize> = Vec::new();
        self.branch(
            ctx,
            p,
            listed,
            scratch,
            &single,
            k,
            0,
            0.0,
            &mut chosen,
            &mut best,
            &mut nodes,
            &mut cut_upper,
        );
        best.upper = best.value.max(cut_upper);
        best
    }

    #[expect(clippy::too_many_arguments, reason = "recursive search state")]
    fn branch(
        &self,
        ctx: Ctx<'_>,
        p: StaffIdx,
        listed: &[bool],
        scratch: &mut Scratch,
        single: &[(f64, usize)],
        k: usize,
        from: usize,
        value: f64,
        chosen: &mut Vec<usize>,
        best: &mut PersonChoice,
        nodes: &mut usize,
        cut_upper: &mut f64,
    ) {
        let elig = ctx.elig;
        for i in from..single.len() {
            let slots = k - chosen.len();
            let optimistic: f64 = value + single[i..].iter().take(slots).map(|s| s.0).sum::<f64>();
            if optimistic <= best.value + 1e-12 {
                return;
            }
            if *nodes >= NODE_LIMIT {
                *cut_upper = cut_upper.max(optimistic);
                return;
            }
            *nodes += 1;
            let j = single[i].1;
            let m = elig.modules_of[p.index()][j];
            if chosen
                .iter()
                .any(|&c| elig.conflict(elig.modules_of[p.index()][c], m))
            {
                continue;
            }
            chosen.push(j);
            let v = self.set_value(ctx, p, chosen, listed, scratch);
            if v > best.value {
                best.value = v;
                best.modules.clone_from(chosen);
            }
            if chosen.len() < k {
                self.branch(
                    ctx,
                    p,
                    listed,
                    scratch,
                    single,
                    k,
                    i + 1,
                    v,
                    chosen,
                    best,
                    nodes,
                    cut_upper,
                );
            }
            chosen.pop();
        }
    }
}
