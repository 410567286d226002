//! Instance -> good_lp model of tier 1 (SPEC section 2), as named constraint families.
//!
//! The engine uses its LP relaxation (solved by microlp, the embedded default backend) as one
//! of its lower bounds. The relaxation is strengthened beyond the textbook model:
//! - `x[p,d] <= min(hours(d), capacity(p)) * y[p,m]` instead of `hours(d) * y[p,m]`;
//! - per person and module, `sum_{d in m} x[p,d] <= min(capacity(p), doable hours) * y[p,m]`;
//! - a non-splittable duty longer than a person's capacity gets no variable for that person.

use good_lp::solvers::WithTimeLimit;
use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, variable};

use crate::model::Instance;

/// Model size above which the LP bound is not attempted (microlp would be too slow).
pub const MAX_LP_VARIABLES: usize = 25_000;

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
pub fn relaxation_size(inst: &Instance) -> usize {
    let mut n = inst.duties.len() + inst.counterparts.len() + inst.modules.len();
    for p in inst.staff_indices() {
        for m in inst.module_indices() {
            if inst.qualifies(p, m) {
                n += 1 + inst
                    .module(m)
                    .duties
                    .iter()
                    .filter(|&&d| inst.can_do(p, d))
                    .count();
            }
        }
    }
    n
}

/// Builds the LP relaxation of tier 1.
#[must_use]
#[expect(
    clippy::too_many_lines,
    reason = "one block per constraint family, in SPEC order"
)]
pub fn tier1_relaxation(inst: &Instance) -> Tier1Relaxation {
    let mut vars = ProblemVariables::new();
    let mut constraints = Vec::new();
    let np = inst.staff.len();
    let nm = inst.modules.len();
    // y[p][m], x per duty: (person, var)
    let mut y: Vec<Vec<Option<Variable>>> = vec![vec![None; nm]; np];
    let mut x_of_duty: Vec<Vec<(usize, Variable)>> = vec![Vec::new(); inst.duties.len()];
    let mut x_of_person: Vec<Vec<Variable>> = vec![Vec::new(); np];
    for p in inst.staff_indices() {
        let cap = inst.person(p).capacity;
        for m in inst.module_indices() {
            if !inst.qualifies(p, m) {
                continue;
            }
            let ym = vars.add(variable().min(0.0).max(1.0));
            y[p.index()][m.index()] = Some(ym);
            let mut in_module: Expression = Expression::from(0.0);
            let mut doable = 0.0;
            for &d in &inst.module(m).duties {
                let duty = inst.duty(d);
                if !inst.can_do(p, d) || (!duty.splittable && duty.hours > cap + 1e-9) {
                    continue;
                }
                let ub = duty.hours.min(cap);
                let xv = vars.add(variable().min(0.0).max(ub));
                constraints.push((xv - ub * ym).leq(0.0));
                in_module += xv;
                doable += ub;
                x_of_duty[d.index()].push((p.index(), xv));
                x_of_person[p.index()].push(xv);
            }
            if doable > 0.0 {
                constraints.push((in_module - cap.min(doable) * ym).leq(0.0));
            }
        }
    }
    let mut objective = Expression::from(0.0);
    // Capacity (1), posts and conflicts (3).
    for p in inst.staff_indices() {
        let person = inst.person(p);
        if !x_of_person[p.index()].is_empty() {
            let total: Expression = x_of_person[p.index()].iter().copied().sum();
            constraints.push(total.leq(person.capacity));
        }
        let ys: Vec<Variable> = y[p.index()].iter().flatten().copied().collect();
        if !ys.is_empty() {
            let total: Expression = ys.iter().copied().sum();
            constraints.push(total.leq(f64::from(person.max_posts)));
        }
        for &(a, b) in &inst.rules.conflicts {
            if let (Some(ya), Some(yb)) = (y[p.index()][a.index()], y[p.index()][b.index()]) {
                constraints.push((ya + yb).leq(1.0));
            }
        }
    }
    // Module cap (4) and staffing floor (8).
    for m in inst.module_indices() {
        let module = inst.module(m);
        let ys: Vec<Variable> = (0..np).filter_map(|p| y[p][m.index()]).collect();
        let holders: Expression = ys.iter().copied().sum();
        if let Some(cap) = module.max_staff {
            constraints.push(holders.clone().leq(f64::from(cap)));
        }
        if module.min_staff > 0 {
            let s = vars.add(variable().min(0.0).max(f64::from(module.min_staff)));
            objective += inst.rules.min_staff_weight * s;
            constraints.push((s + holders).geq(f64::from(module.min_staff)));
        }
    }
    // Unit cap (5): h[p,u] >= y[p,m] for the unit's modules.
    for (u, unit) in inst.units.iter().enumerate() {
        let Some(cap) = unit.headcount_cap else {
            continue;
        };
        let mods: Vec<usize> = (0..nm)
            .filter(|&m| inst.modules[m].unit.is_some_and(|x| x.index() == u))
            .collect();
        let mut heads = Vec::new();
        for row in &y {
            let ys: Vec<Variable> = mods.iter().filter_map(|&m| row[m]).collect();
            if ys.is_empty() {
                continue;
            }
            let h = vars.add(variable().min(0.0).max(1.0));
            for yv in ys {
                constraints.push((yv - h).leq(0.0));
            }
            heads.push(h);
        }
        if !heads.is_empty() {
            let total: Expression = heads.into_iter().sum();
            constraints.push(total.leq(f64::from(cap)));
        }
    }
    // Coverage (6).
    for (d, duty) in inst.duties.iter().enumerate() {
        let u = vars.add(variable().min(0.0).max(duty.hours));
        objective += duty.weight * u;
        let done: Expression = x_of_duty[d].iter().map(|&(_, v)| v).sum();
        constraints.push((done + u).eq(duty.hours));
    }
    // Liaisons (7).
    let mut liaisons_of: Vec<Vec<Variable>> = vec![Vec::new(); np];
    for (c, _) in inst.counterparts.iter().enumerate() {
        let listing: Vec<usize> = (0..nm)
            .filter(|&m| inst.modules[m].counterparts.iter().any(|x| x.index() == c))
            .collect();
        if listing.is_empty() {
            continue;
        }
        let mut ls = Vec::new();
        for (p, row) in y.iter().enumerate() {
            let ys: Vec<Variable> = listing.iter().filter_map(|&m| row[m]).collect();
            if ys.is_empty() || inst.staff[p].max_liaisons == 0 {
                continue;
            }
            let l = vars.add(variable().min(0.0).max(1.0));
            let held: Expression = ys.into_iter().sum();
            constraints.push((l - held).leq(0.0));
            liaisons_of[p].push(l);
            ls.push(l);
        }
        let n = vars.add(variable().min(0.0).max(1.0));
        objective += inst.rules.liaison_weight * n;
        let total: Expression = ls.iter().copied().sum();
        constraints.push((total.clone() + n).geq(1.0));
        if !ls.is_empty() {
            constraints.push(total.leq(1.0));
        }
    }
    for (p, ls) in liaisons_of.iter().enumerate() {
        if ls.len() > inst.staff[p].max_liaisons as usize {
            let total: Expression = ls.iter().copied().sum();
            constraints.push(total.leq(f64::from(inst.staff[p].max_liaisons)));
        }
    }
    let variables = vars.len();
    Tier1Relaxation {
        vars,
        objective,
        constraints,
        variables,
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
        assert!(relaxation_size(&inst) > 0);
    }
}
