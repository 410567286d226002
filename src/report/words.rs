//! The few phrases every human-facing output shares: how a person, module or duty is named,
//! and the plan's headline in plain figures.

use crate::model::{Instance, Plan, PlanStatus};

/// `Name (id)`, or the id alone when the name adds nothing (none was given).
#[must_use]
pub fn label(name: &str, id: &str) -> String {
    if name.is_empty() || name == id {
        id.to_owned()
    } else {
        format!("{name} ({id})")
    }
}

/// A person by id, as people read it; an id the instance does not know stays as it is.
#[must_use]
pub fn person(inst: &Instance, id: &str) -> String {
    inst.ids
        .staff
        .get(id)
        .map_or_else(|| id.to_owned(), |&p| label(&inst.person(p).name, id))
}

/// A module by id, as people read it.
#[must_use]
pub fn module(inst: &Instance, id: &str) -> String {
    inst.ids
        .modules
        .get(id)
        .map_or_else(|| id.to_owned(), |&m| label(&inst.module(m).name, id))
}

/// A duty by id, as people read it.
#[must_use]
pub fn duty(inst: &Instance, id: &str) -> String {
    inst.ids
        .duties
        .get(id)
        .map_or_else(|| id.to_owned(), |&d| label(&inst.duty(d).name, id))
}

/// The plan in one line a planner reads first: "51 of 615 h uncovered in 5 duties (weighted
/// 138, proven optimal)". Falls back on the plan's rows when it carries no totals.
#[must_use]
pub fn headline(inst: &Instance, plan: &Plan) -> String {
    let (total, uncovered, duties) = match plan.totals {
        Some(t) => (t.hours, t.uncovered_hours, t.uncovered_duties),
        None => (
            inst.total_hours(),
            plan.uncovered.iter().map(|u| u.hours).sum(),
            plan.uncovered.len() as u64,
        ),
    };
    let h = crate::model::decimal;
    let proof = match plan.status {
        PlanStatus::Optimal => "proven optimal".to_owned(),
        PlanStatus::Feasible => match plan.solver.bound {
            Some(b) => format!(
                "at most {} above the optimum",
                h(plan.objective.coverage - b)
            ),
            None => "not proven optimal".to_owned(),
        },
    };
    let duty_word = if duties == 1 { "duty" } else { "duties" };
    format!(
        "{} of {} h uncovered in {duties} {duty_word} (weighted {}, {proof})",
        h(uncovered),
        h(total),
        h(plan.objective.coverage)
    )
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn labels_add_the_id_only_to_a_real_name() {
        assert_eq!(
            label("Elderly home visits", "d21"),
            "Elderly home visits (d21)"
        );
        assert_eq!(label("d21", "d21"), "d21");
        assert_eq!(label("", "d21"), "d21");
    }
}
