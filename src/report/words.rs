//! The few phrases every human-facing output shares: how a person, module or duty is named,
//! and the plan's headline in plain figures.

use std::fmt::Write as _;

use crate::model::diagnose;
use crate::model::names::{Kind, named};
use crate::model::{Change, ChangeKind, Instance, Plan, PlanStatus, Uncovered};

pub use crate::model::names::label;

/// A person by id, as people read it; an id the instance does not know stays as it is.
#[must_use]
pub fn person(inst: &Instance, id: &str) -> String {
    named(inst, Kind::Person, id)
}

/// A module by id, as people read it.
#[must_use]
pub fn module(inst: &Instance, id: &str) -> String {
    named(inst, Kind::Module, id)
}

/// A duty by id, as people read it.
#[must_use]
pub fn duty(inst: &Instance, id: &str) -> String {
    named(inst, Kind::Duty, id)
}

/// A counterpart by id, as people read it.
#[must_use]
pub fn counterpart(inst: &Instance, id: &str) -> String {
    named(inst, Kind::Counterpart, id)
}

/// "joins Welfare (m-welfare), 12 h" or "leaves Policy (m-policy)": one change, without the
/// person.
#[must_use]
pub fn change(inst: &Instance, c: &Change) -> String {
    match c.change {
        ChangeKind::Joined => match c.hours {
            Some(h) => format!("joins {}, {} h", module(inst, &c.module), super::hours(h)),
            None => format!("joins {}", module(inst, &c.module)),
        },
        ChangeKind::Left => format!("leaves {}", module(inst, &c.module)),
    }
}

/// The changes of one person, in the order given.
pub struct PersonMoves<'a> {
    /// Staff id.
    pub person: &'a str,
    /// Their changes.
    pub changes: Vec<&'a Change>,
    /// Hours they take on in the modules they join.
    pub hours: f64,
}

/// `changes` grouped by person, in the order the people first appear.
#[must_use]
pub fn by_person(changes: &[Change]) -> Vec<PersonMoves<'_>> {
    let mut out: Vec<PersonMoves<'_>> = Vec::new();
    for c in changes {
        let i = out
            .iter()
            .position(|m| m.person == c.person)
            .unwrap_or_else(|| {
                out.push(PersonMoves {
                    person: &c.person,
                    changes: Vec::new(),
                    hours: 0.0,
                });
                out.len() - 1
            });
        out[i].changes.push(c);
        out[i].hours += c.hours.unwrap_or(0.0);
    }
    out
}

/// Who moves, for a cell: "Bo Chen (bo) leaves Policy and Funds, joins Field inspection;
/// Ann Li (ann) joins Funds; and 3 more people", the first `people` people in full. Modules
/// go by name alone, to keep the cell short.
#[must_use]
pub fn moves(inst: &Instance, changes: &[Change], people: usize) -> String {
    let all = by_person(changes);
    let module_name = |id: &str| {
        crate::model::names::name_of(inst, Kind::Module, id)
            .unwrap_or(id)
            .to_owned()
    };
    let mut s = all
        .iter()
        .take(people)
        .map(|m| {
            let of = |kind: ChangeKind| -> Vec<String> {
                m.changes
                    .iter()
                    .filter(|c| c.change == kind)
                    .map(|c| module_name(&c.module))
                    .collect()
            };
            let mut what = Vec::new();
            for (verb, modules) in [
                ("leaves", of(ChangeKind::Left)),
                ("joins", of(ChangeKind::Joined)),
            ] {
                if !modules.is_empty() {
                    what.push(format!("{verb} {}", and_list(&modules)));
                }
            }
            format!("{} {}", person(inst, m.person), what.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    if all.len() > people {
        let more = all.len() - people;
        let _ = write!(
            s,
            "; and {more} more {}",
            if more == 1 { "person" } else { "people" }
        );
    }
    s
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// An uncovered duty's reason in one short plain sentence (tables): worded from its `why`,
/// else the plan's own `reason` as plain text.
#[must_use]
pub fn reason_short(inst: &Instance, u: &Uncovered) -> String {
    match &u.why {
        Some(w) => diagnose::short(inst, &u.duty, w),
        None => plain(&u.reason),
    }
}

/// An uncovered duty's reason in full: plain text, or Markdown with ids as code.
#[must_use]
pub fn reason_full(inst: &Instance, u: &Uncovered, md: bool) -> String {
    match &u.why {
        Some(w) => diagnose::full(inst, &u.duty, w, md),
        None if md => u.reason.clone(),
        None => plain(&u.reason),
    }
}

/// Text from a plan file as plain text: Markdown code marks dropped.
fn plain(text: &str) -> String {
    text.replace('`', "")
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
    use super::{by_person, change, moves, reason_full, reason_short};
    use crate::model::{Change, ChangeKind, Instance, Uncovered};

    fn instance() -> Instance {
        crate::io::parse_instance(
            r#"{"name": "t",
                "staff": [{"id": "bo", "name": "Bo Chen"}, {"id": "ann"}],
                "modules": [{"id": "policy", "name": "Policy"}, {"id": "funds", "name": "Funds"},
                            {"id": "field"}],
                "duties": [{"id": "d", "module": "field", "hours": 1}]}"#,
            "t.json",
        )
        .expect("valid")
        .0
    }

    fn changes() -> Vec<Change> {
        let c = |person: &str, module: &str, change, hours| Change {
            person: person.into(),
            module: module.into(),
            change,
            hours,
        };
        vec![
            c("bo", "funds", ChangeKind::Joined, Some(24.0)),
            c("ann", "policy", ChangeKind::Left, None),
            c("bo", "policy", ChangeKind::Left, None),
            c("bo", "field", ChangeKind::Joined, Some(4.0)),
        ]
    }

    #[test]
    fn changes_group_by_person_with_the_hours_they_take_on() {
        let changes = changes();
        let got: Vec<(&str, usize, f64)> = by_person(&changes)
            .iter()
            .map(|m| (m.person, m.changes.len(), m.hours))
            .collect();
        assert_eq!(got, [("bo", 3, 28.0), ("ann", 1, 0.0)]);
        let inst = instance();
        assert_eq!(change(&inst, &changes[0]), "joins Funds (funds), 24 h");
        assert_eq!(change(&inst, &changes[1]), "leaves Policy (policy)");
        assert_eq!(
            moves(&inst, &changes, 1),
            "Bo Chen (bo) leaves Policy, joins Funds and field; and 1 more person"
        );
        assert_eq!(
            moves(&inst, &changes, 3),
            "Bo Chen (bo) leaves Policy, joins Funds and field; ann leaves Policy"
        );
    }

    #[test]
    fn a_reason_without_why_is_plain_outside_markdown() {
        let inst = instance();
        let u = Uncovered {
            duty: "d".into(),
            hours: 1.0,
            reason: "`bo` is at capacity".into(),
            why: None,
        };
        assert_eq!(reason_short(&inst, &u), "bo is at capacity");
        assert_eq!(reason_full(&inst, &u, false), "bo is at capacity");
        assert_eq!(reason_full(&inst, &u, true), "`bo` is at capacity");
    }
}
