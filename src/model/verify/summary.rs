//! The figures a plan declares beside its rows: the summary lists, the changes against
//! today and the plain totals, each recomputed and compared where the plan gives it.

use std::collections::{BTreeMap, BTreeSet};

use super::{EPS, Violation, ViolationKind, fmt_h};
use crate::model::instance::{Instance, ModuleIdx, StaffIdx};
use crate::model::plan::{Change, ChangeKind, DeclaredPlan, Totals, Uncovered, Understaffed};

/// Posts joined and left against today's, by person then module; a joined post carries the
/// hours the person works in the module.
pub(super) fn changes(
    inst: &Instance,
    posts_of: &[Vec<ModuleIdx>],
    module_hours: &BTreeMap<(StaffIdx, ModuleIdx), f64>,
) -> Vec<Change> {
    let mut out = Vec::new();
    for (pi, person) in inst.staff.iter().enumerate() {
        let held: BTreeSet<ModuleIdx> = posts_of[pi].iter().copied().collect();
        let today: BTreeSet<ModuleIdx> = person.current_posts.iter().copied().collect();
        for &m in held.union(&today) {
            let change = match (held.contains(&m), today.contains(&m)) {
                (true, false) => ChangeKind::Joined,
                (false, true) => ChangeKind::Left,
                _ => continue,
            };
            let hours = (change == ChangeKind::Joined).then(|| {
                module_hours
                    .get(&(StaffIdx::from(pi), m))
                    .copied()
                    .unwrap_or(0.0)
            });
            out.push(Change {
                person: person.id.clone(),
                module: inst.modules[m.index()].id.clone(),
                change,
                hours,
            });
        }
    }
    out
}

/// The plain figures of a plan.
pub(super) fn totals(inst: &Instance, uncovered_hours: &[f64], changes: &[Change]) -> Totals {
    let mut uncovered = 0.0;
    let mut duties = 0_u64;
    for (d, &u) in inst.duties.iter().zip(uncovered_hours) {
        if u > EPS * d.hours.max(1.0) {
            uncovered += u;
            duties += 1;
        }
    }
    let moving: BTreeSet<&str> = changes.iter().map(|c| c.person.as_str()).collect();
    Totals {
        hours: inst.duties.iter().map(|d| d.hours).sum(),
        uncovered_hours: uncovered,
        uncovered_duties: duties,
        people_moving: moving.len() as u64,
    }
}

/// Declared changes, when given, are exactly the recomputed ones (hours within tolerance).
pub(super) fn check_changes(plan: &DeclaredPlan, real: &[Change], out: &mut Vec<Violation>) {
    let Some(declared) = &plan.changes else {
        return;
    };
    let key = |c: &Change| (c.person.clone(), c.module.clone(), c.change);
    let d: BTreeMap<_, Option<f64>> = declared.iter().map(|c| (key(c), c.hours)).collect();
    let r: BTreeMap<_, Option<f64>> = real.iter().map(|c| (key(c), c.hours)).collect();
    let mut wrong: Vec<(String, String)> = Vec::new();
    for k in d.keys().chain(r.keys()).collect::<BTreeSet<_>>() {
        let same = match (d.get(k), r.get(k)) {
            (Some(a), Some(b)) => match (a, b) {
                (Some(a), Some(b)) => a.is_finite() && (a - b).abs() <= EPS * b.max(1.0),
                (None, _) => true,
                (Some(_), None) => false,
            },
            _ => false,
        };
        if !same {
            wrong.push((k.0.clone(), k.1.clone()));
        }
    }
    if !wrong.is_empty() || d.len() != declared.len() {
        out.push(
            Violation::new(
                ViolationKind::Summary,
                format!(
                    "`changes` does not match the posts against today's for {}",
                    wrong
                        .iter()
                        .map(|(p, m)| format!("`{p}` in `{m}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .people(wrong.iter().map(|w| &w.0).collect::<BTreeSet<_>>())
            .modules(wrong.iter().map(|w| &w.1).collect::<BTreeSet<_>>()),
        );
    }
}

/// Declared plain figures, when given, match.
pub(super) fn check_totals(plan: &DeclaredPlan, real: &Totals, out: &mut Vec<Violation>) {
    let Some(d) = &plan.totals else { return };
    let near = |a: f64, b: f64| a.is_finite() && (a - b).abs() <= EPS * b.abs().max(1.0);
    let mut wrong = Vec::new();
    if !near(d.hours, real.hours) {
        wrong.push(format!(
            "hours {} (recomputed {})",
            fmt_h(d.hours),
            fmt_h(real.hours)
        ));
    }
    if !near(d.uncovered_hours, real.uncovered_hours) {
        wrong.push(format!(
            "uncovered_hours {} (recomputed {})",
            fmt_h(d.uncovered_hours),
            fmt_h(real.uncovered_hours)
        ));
    }
    if d.uncovered_duties != real.uncovered_duties {
        wrong.push(format!(
            "uncovered_duties {} (recomputed {})",
            d.uncovered_duties, real.uncovered_duties
        ));
    }
    if d.people_moving != real.people_moving {
        wrong.push(format!(
            "people_moving {} (recomputed {})",
            d.people_moving, real.people_moving
        ));
    }
    if !wrong.is_empty() {
        out.push(Violation::new(
            ViolationKind::Summary,
            format!("`totals` declares {}", wrong.join(", ")),
        ));
    }
}

/// The declared `uncovered`, `unmet_counterparts` and `understaffed` lists must match the
/// recomputation: planners read them, so a wrong list is a wrong plan.
pub(super) fn check_summaries(
    inst: &Instance,
    plan: &DeclaredPlan,
    uncovered_hours: &[f64],
    unmet: &[String],
    missing_staff: &[(usize, u32)],
    out: &mut Vec<Violation>,
) {
    if let Some(declared) = &plan.uncovered {
        check_uncovered(inst, declared, uncovered_hours, out);
    }
    if let Some(declared) = &plan.unmet_counterparts {
        check_unmet(declared, unmet, out);
    }
    if let Some(declared) = &plan.understaffed {
        check_understaffed(inst, declared, missing_staff, out);
    }
}

pub(super) fn check_uncovered(
    inst: &Instance,
    declared: &[Uncovered],
    uncovered_hours: &[f64],
    out: &mut Vec<Violation>,
) {
    let mut declared_u: BTreeMap<&str, f64> = BTreeMap::new();
    for u in declared {
        if inst.ids.duties.contains_key(&u.duty) {
            if declared_u.insert(u.duty.as_str(), u.hours).is_some() {
                out.push(
                    Violation::new(
                        ViolationKind::DuplicateRow,
                        format!("uncovered duty `{}` is listed twice", u.duty),
                    )
                    .duties([&u.duty]),
                );
            }
        } else {
            out.push(
                Violation::new(
                    ViolationKind::UnknownId,
                    format!("`uncovered` names unknown duty `{}`", u.duty),
                )
                .duties([&u.duty]),
            );
        }
    }
    for (di, duty) in inst.duties.iter().enumerate() {
        let real = uncovered_hours[di];
        let tol = EPS * duty.hours.max(1.0);
        match declared_u.get(duty.id.as_str()) {
            None if real > tol => out.push(
                Violation::new(
                    ViolationKind::Summary,
                    format!(
                        "`{}` has {} h uncovered but is missing from `uncovered`",
                        duty.id,
                        fmt_h(real)
                    ),
                )
                .duties([&duty.id]),
            ),
            Some(&h) if !h.is_finite() || (h - real).abs() > tol => out.push(
                Violation::new(
                    ViolationKind::Summary,
                    format!(
                        "`uncovered` declares {} h for `{}`, the assignments leave {} h",
                        fmt_h(h),
                        duty.id,
                        fmt_h(real)
                    ),
                )
                .duties([&duty.id]),
            ),
            _ => {}
        }
    }
}

pub(super) fn check_unmet(declared: &[String], unmet: &[String], out: &mut Vec<Violation>) {
    let declared_c: BTreeSet<&str> = declared.iter().map(String::as_str).collect();
    let real_c: BTreeSet<&str> = unmet.iter().map(String::as_str).collect();
    let wrong: Vec<&str> = declared_c.symmetric_difference(&real_c).copied().collect();
    if !wrong.is_empty() || declared_c.len() != declared.len() {
        out.push(
            Violation::new(
                ViolationKind::Summary,
                format!(
                    "`unmet_counterparts` lists {} counterparts, the liaisons leave {} unmet",
                    declared.len(),
                    real_c.len()
                ),
            )
            .counterparts(wrong),
        );
    }
}

pub(super) fn check_understaffed(
    inst: &Instance,
    declared: &[Understaffed],
    missing_staff: &[(usize, u32)],
    out: &mut Vec<Violation>,
) {
    let declared_s: BTreeMap<&str, u32> = declared
        .iter()
        .map(|u| (u.module.as_str(), u.missing))
        .collect();
    let real_s: BTreeMap<&str, u32> = missing_staff
        .iter()
        .map(|&(m, k)| (inst.modules[m].id.as_str(), k))
        .collect();
    if declared_s != real_s || declared_s.len() != declared.len() {
        let wrong: Vec<&str> = declared_s
            .keys()
            .chain(real_s.keys())
            .filter(|m| declared_s.get(*m) != real_s.get(*m))
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        out.push(
            Violation::new(
                ViolationKind::Summary,
                format!(
                    "`understaffed` declares {} missing people, the posts leave {}",
                    declared_s.values().sum::<u32>(),
                    real_s.values().sum::<u32>()
                ),
            )
            .modules(wrong),
        );
    }
}
