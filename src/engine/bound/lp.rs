//! The LP relaxation of tier 1 as a `good_lp` model, one builder step per
//! constraint family, and the time model that decides when microlp can afford it.
//!
//! The engine uses it (solved by microlp, the embedded default backend) as one of its lower
//! bounds. The relaxation is strengthened beyond the textbook model:
//! - `x[p,d] <= min(hours(d), capacity(p)) * y[p,m]` instead of `hours(d) * y[p,m]`;
//! - per person and module, `sum_{d in m} x[p,d] <= min(capacity(p), doable hours) * y[p,m]`;
//! - a non-splittable duty longer than a person's capacity gets no variable for that person.
//!
//! Pins fix their post variables at 1.

use good_lp::solvers::WithTimeLimit;
use std::time::Duration;

use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, variable};

use crate::engine::eligibility::Ctx;
use crate::model::Instance;

/// Most of the time limit the LP relaxation may take.
const LP_SHARE: f64 = 0.45;

/// Model size above which the LP bound is not attempted (microlp would be too slow).
pub(crate) const MAX_LP_VARIABLES: usize = 25_000;

/// The tier-1 LP relaxation, built but not solved.
pub struct Tier1Relaxation {
    vars: ProblemVariables,
    objective: Expression,
    constraints: Vec<good_lp::Constraint>,
    /// Number of variables.
    pub variables: usize,
}

/// Counts the variables the relaxation would have, cheaply.
#[must_use]
pub(crate) fn relaxation_size(ctx: Ctx<'_>) -> usize {
    let inst = ctx.inst;
    // A post variable per eligible (person, module) pair and an hours variable per eligible
    // (person, duty) pair, as `Model` builds them.
    inst.duties.len()
        + inst.counterparts.len()
        + inst.modules.len()
        + ctx.elig.pair_count()
        + ctx.elig.pair_duty_count()
}

/// microlp's time on the tier-1 relaxation with `size` variables, fitted on the 2-core
/// development machine.
fn lp_seconds(size: usize) -> f64 {
    5.4 * (size as f64 / 7_393.0).powf(2.7)
}

/// The LP bound's time limit: a few times its expected time, within its share, since microlp
/// sometimes stalls on a degenerate relaxation and the search needs that time more.
fn lp_limit(share: f64, size: usize) -> f64 {
    share.min((3.0 * lp_seconds(size)).max(0.5))
}

/// Whether the relaxation is worth solving within a time limit, and for how long.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LpBudget {
    /// Variables of the relaxation ([`relaxation_size`]).
    pub(crate) size: usize,
    /// Small enough to finish in its share of the time: microlp's time grows steeply with the
    /// size, it returns nothing when stopped early, and it overruns its limit by up to half.
    pub(crate) affordable: bool,
    /// Seconds to give microlp.
    pub(crate) limit: f64,
    /// Seconds microlp is expected to take.
    pub(crate) expected: f64,
}

impl LpBudget {
    /// The budget for `inst` under `time_limit`.
    pub(crate) fn new(ctx: Ctx<'_>, time_limit: Duration) -> Self {
        let size = relaxation_size(ctx);
        let share = time_limit.as_secs_f64() * LP_SHARE;
        Self {
            size,
            affordable: size <= MAX_LP_VARIABLES && lp_seconds(size) <= share,
            limit: lp_limit(share, size),
            expected: lp_seconds(size),
        }
    }
}

/// Builds the LP relaxation of tier 1.
#[must_use]
pub fn tier1_relaxation(inst: &Instance) -> Tier1Relaxation {
    let mut model = Model::new(inst);
    // One step per constraint family, in the order of the model; the order of variables and constraints
    // is the model's.
    model.posts_and_hours();
    model.people();
    model.modules();
    model.units();
    model.coverage();
    model.liaisons();
    let variables = model.vars.len();
    Tier1Relaxation {
        vars: model.vars,
        objective: model.objective,
        constraints: model.constraints,
        variables,
    }
}

/// The relaxation while it is built.
struct Model<'a> {
    inst: &'a Instance,
    vars: ProblemVariables,
    constraints: Vec<good_lp::Constraint>,
    objective: Expression,
    /// Per person and module: the post variable, where the person qualifies.
    y: Vec<Vec<Option<Variable>>>,
    /// Per duty: (person, hours variable).
    x_of_duty: Vec<Vec<(usize, Variable)>>,
    /// Per person: their hours variables.
    x_of_person: Vec<Vec<Variable>>,
}

impl<'a> Model<'a> {
    fn new(inst: &'a Instance) -> Self {
        let np = inst.staff.len();
        let nm = inst.modules.len();
        Self {
            inst,
            vars: ProblemVariables::new(),
            constraints: Vec::new(),
            objective: Expression::from(0.0),
            y: vec![vec![None; nm]; np],
            x_of_duty: vec![Vec::new(); inst.duties.len()],
            x_of_person: vec![Vec::new(); np],
        }
    }

    /// Post variables `y[p,m]` and hours variables `x[p,d]`, linked per duty and per module.
    fn posts_and_hours(&mut self) {
        let inst = self.inst;
        for p in inst.staff_indices() {
            let cap = inst.person(p).capacity;
            for m in inst.module_indices() {
                if !inst.qualifies(p, m) {
                    continue;
                }
                // A pin fixes its post (constraint 9): cheap, and it can only raise the bound.
                let pinned = inst.person(p).fixed_posts.binary_search(&m).is_ok();
                let ym = self
                    .vars
                    .add(variable().min(if pinned { 1.0 } else { 0.0 }).max(1.0));
                self.y[p.index()][m.index()] = Some(ym);
                let mut in_module: Expression = Expression::from(0.0);
                let mut doable = 0.0;
                for &d in &inst.module(m).duties {
                    let duty = inst.duty(d);
                    if !inst.can_do(p, d) || (!duty.splittable && duty.hours > cap + 1e-9) {
                        continue;
                    }
                    let ub = duty.hours.min(cap);
                    let xv = self.vars.add(variable().min(0.0).max(ub));
                    self.constraints.push((xv - ub * ym).leq(0.0));
                    in_module += xv;
                    doable += ub;
                    self.x_of_duty[d.index()].push((p.index(), xv));
                    self.x_of_person[p.index()].push(xv);
                }
                if doable > 0.0 {
                    self.constraints
                        .push((in_module - cap.min(doable) * ym).leq(0.0));
                }
            }
        }
    }

    /// Capacity (1), posts and conflicts (3).
    fn people(&mut self) {
        let inst = self.inst;
        for p in inst.staff_indices() {
            let person = inst.person(p);
            if !self.x_of_person[p.index()].is_empty() {
                let total: Expression = self.x_of_person[p.index()].iter().copied().sum();
                self.constraints.push(total.leq(person.capacity));
            }
            let ys: Vec<Variable> = self.y[p.index()].iter().flatten().copied().collect();
            if !ys.is_empty() {
                let total: Expression = ys.iter().copied().sum();
                self.constraints
                    .push(total.leq(f64::from(person.max_posts)));
            }
            for &(a, b) in &inst.rules.conflicts {
                if let (Some(ya), Some(yb)) =
                    (self.y[p.index()][a.index()], self.y[p.index()][b.index()])
                {
                    self.constraints.push((ya + yb).leq(1.0));
                }
            }
        }
    }

    /// Module cap (4) and staffing floor (8).
    fn modules(&mut self) {
        let inst = self.inst;
        let np = inst.staff.len();
        for m in inst.module_indices() {
            let module = inst.module(m);
            let ys: Vec<Variable> = (0..np).filter_map(|p| self.y[p][m.index()]).collect();
            let holders: Expression = ys.iter().copied().sum();
            if let Some(cap) = module.max_staff {
                self.constraints.push(holders.clone().leq(f64::from(cap)));
            }
            if module.min_staff > 0 {
                let s = self
                    .vars
                    .add(variable().min(0.0).max(f64::from(module.min_staff)));
                self.objective += inst.rules.min_staff_weight * s;
                self.constraints
                    .push((s + holders).geq(f64::from(module.min_staff)));
            }
        }
    }

    /// Unit cap (5): h[p,u] >= y[p,m] for the unit's modules.
    fn units(&mut self) {
        let inst = self.inst;
        let nm = inst.modules.len();
        for (u, unit) in inst.units.iter().enumerate() {
            let Some(cap) = unit.headcount_cap else {
                continue;
            };
            let mods: Vec<usize> = (0..nm)
                .filter(|&m| inst.modules[m].unit.is_some_and(|x| x.index() == u))
                .collect();
            let mut heads = Vec::new();
            for row in &self.y {
                let ys: Vec<Variable> = mods.iter().filter_map(|&m| row[m]).collect();
                if ys.is_empty() {
                    continue;
                }
                let h = self.vars.add(variable().min(0.0).max(1.0));
                for yv in ys {
                    self.constraints.push((yv - h).leq(0.0));
                }
                heads.push(h);
            }
            if !heads.is_empty() {
                let total: Expression = heads.into_iter().sum();
                self.constraints.push(total.leq(f64::from(cap)));
            }
        }
    }

    /// Coverage (6).
    fn coverage(&mut self) {
        for (d, duty) in self.inst.duties.iter().enumerate() {
            let u = self.vars.add(variable().min(0.0).max(duty.hours));
            self.objective += duty.weight * u;
            let done: Expression = self.x_of_duty[d].iter().map(|&(_, v)| v).sum();
            self.constraints.push((done + u).eq(duty.hours));
        }
    }

    /// Liaisons (7).
    fn liaisons(&mut self) {
        let inst = self.inst;
        let (np, nm) = (inst.staff.len(), inst.modules.len());
        let mut liaisons_of: Vec<Vec<Variable>> = vec![Vec::new(); np];
        for (c, _) in inst.counterparts.iter().enumerate() {
            let listing: Vec<usize> = (0..nm)
                .filter(|&m| inst.modules[m].counterparts.iter().any(|x| x.index() == c))
                .collect();
            if listing.is_empty() {
                continue;
            }
            let mut ls = Vec::new();
            for (p, row) in self.y.iter().enumerate() {
                let ys: Vec<Variable> = listing.iter().filter_map(|&m| row[m]).collect();
                if ys.is_empty() || inst.staff[p].max_liaisons == 0 {
                    continue;
                }
                let l = self.vars.add(variable().min(0.0).max(1.0));
                let held: Expression = ys.into_iter().sum();
                self.constraints.push((l - held).leq(0.0));
                liaisons_of[p].push(l);
                ls.push(l);
            }
            let n = self.vars.add(variable().min(0.0).max(1.0));
            self.objective += inst.rules.liaison_weight * n;
            let total: Expression = ls.iter().copied().sum();
            self.constraints.push((total.clone() + n).geq(1.0));
            if !ls.is_empty() {
                self.constraints.push(total.leq(1.0));
            }
        }
        for (p, ls) in liaisons_of.iter().enumerate() {
            if ls.len() > inst.staff[p].max_liaisons as usize {
                let total: Expression = ls.iter().copied().sum();
                self.constraints
                    .push(total.leq(f64::from(inst.staff[p].max_liaisons)));
            }
        }
    }
}

impl Tier1Relaxation {
    /// Solves the relaxation with microlp; `None` if it did not finish within `seconds`.
    #[must_use]
    pub fn solve(self, seconds: f64) -> Option<f64> {
        let objective = self.objective.clone();
        let mut model = self
            .vars
            .minimise(self.objective)
            .using(good_lp::microlp)
            .with_time_limit(seconds.max(0.01));
        for c in self.constraints {
            model.add_constraint(c);
        }
        let solution = model.solve().ok()?;
        Some(solution.eval(&objective))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_relaxation_is_a_lower_bound_of_its_optimum() {
        let (inst, _) = crate::io::load_instance(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/instances/tiny.json"
        )))
        .expect("tiny");
        let lp = tier1_relaxation(&inst).solve(10.0).expect("solves");
        // The tiny instance's optimum is 80 (README): the LP can only be lower.
        assert!((0.0..=80.0 + 1e-6).contains(&lp), "{lp}");
        let elig = crate::engine::eligibility::Eligibility::new(&inst);
        let size = relaxation_size(Ctx {
            inst: &inst,
            elig: &elig,
        });
        // The count from eligibility is the pairs counted one by one.
        let mut naive = inst.duties.len() + inst.counterparts.len() + inst.modules.len();
        for p in inst.staff_indices() {
            for m in inst.module_indices().filter(|&m| inst.qualifies(p, m)) {
                naive += 1 + inst
                    .module(m)
                    .duties
                    .iter()
                    .filter(|&&d| inst.can_do(p, d))
                    .count();
            }
        }
        assert_eq!(size, naive);
    }

    #[test]
    fn the_lp_stops_at_three_times_its_expected_time() {
        // agri's relaxation (2,856 variables) at a 10 s limit: about 1.2 s, not the 4.5 s share.
        let expected = lp_seconds(2_856);
        assert!((lp_limit(4.5, 2_856) - 3.0 * expected).abs() < 1e-12);
        assert!(lp_limit(4.5, 2_856) < 1.5);
        // Never below half a second, never above the share.
        assert!((lp_limit(4.5, 100) - 0.5).abs() < 1e-12);
        assert!((lp_limit(0.2, 2_856) - 0.2).abs() < 1e-12);
    }
}
