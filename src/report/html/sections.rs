//! The report's tables and lists: headline, changes against today, figures per unit,
//! liaisons, uncovered duties.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{card, escape, inline_code};
use crate::model::{ChangeKind, Instance, Plan, Totals, UnitIdx};
use crate::report::{PlanFigures, hours, words};

/// The plan's totals, or the same figures from its rows when it carries none.
pub(super) fn totals(inst: &Instance, plan: &Plan) -> Totals {
    plan.totals.unwrap_or_else(|| Totals {
        hours: inst.total_hours(),
        uncovered_hours: plan.uncovered.iter().map(|u| u.hours).sum(),
        uncovered_duties: plan.uncovered.len() as u64,
        people_moving: plan
            .changes
            .iter()
            .map(|c| c.person.as_str())
            .collect::<BTreeSet<_>>()
            .len() as u64,
    })
}

/// The title, the plan in one sentence and the headline figures as cards.
pub(super) fn headline(b: &mut String, inst: &Instance, plan: &Plan, f: &PlanFigures<'_>) {
    let t = totals(inst, plan);
    let _ = write!(
        b,
        "<section id=\"headline\"><h1>Staffing plan: {}</h1>",
        escape(&inst.name)
    );
    if let Some(d) = &inst.description {
        let _ = write!(b, "<p class=\"note\">{}</p>", escape(d));
    }
    let _ = write!(
        b,
        "<p class=\"lead\" data-headline=\"\">{}</p><div class=\"cards\">",
        escape(&words::headline(inst, plan))
    );
    let covered: f64 = f.covered.iter().sum();
    card(
        b,
        &format!("hours uncovered, of {} h", hours(t.hours)),
        "uncovered-hours",
        &hours(t.uncovered_hours),
    );
    card(b, "hours covered", "covered", &hours(covered));
    card(
        b,
        "duties with uncovered hours",
        "uncovered-duties",
        &t.uncovered_duties.to_string(),
    );
    card(
        b,
        "people moving",
        "people-moving",
        &t.people_moving.to_string(),
    );
    card(
        b,
        "posts changed (tier 2)",
        "stability",
        &plan.objective.stability.to_string(),
    );
    card(
        b,
        "weighted uncovered hours (tier 1)",
        "coverage",
        &hours(plan.objective.coverage),
    );
    card(b, "status", "status", plan.status.as_str());
    card(
        b,
        "gap to the bound",
        "gap",
        &format!("{:.2}%", plan.solver.gap * 100.0),
    );
    card(
        b,
        "posts held (tier 3)",
        "posts",
        &plan.objective.fragmentation.to_string(),
    );
    card(
        b,
        "highest utilisation (tier 4)",
        "balance",
        &format!("{:.0}%", plan.objective.balance * 100.0),
    );
    let listed = inst.listed_counterparts().iter().filter(|&&l| l).count();
    card(
        b,
        &format!("counterparts with a liaison, of {listed}"),
        "liaisons",
        &listed
            .saturating_sub(plan.unmet_counterparts.len())
            .to_string(),
    );
    b.push_str("</div></section>\n");
}

/// Who joins and who leaves which module, one row per person: what HR carries out.
pub(super) fn changes(b: &mut String, inst: &Instance, plan: &Plan) {
    b.push_str("<section id=\"changes\"><h2>Changes against today</h2>");
    if plan.changes.is_empty() {
        b.push_str(
            "<p data-nobody-moves=\"\">Nobody moves: everyone keeps today's posts.</p></section>\n",
        );
        return;
    }
    // People in the order they first appear (the plan sorts changes by person).
    let mut people: Vec<&str> = Vec::new();
    let mut by_person: BTreeMap<&str, Vec<&crate::model::Change>> = BTreeMap::new();
    for c in &plan.changes {
        let list = by_person.entry(c.person.as_str()).or_default();
        if list.is_empty() {
            people.push(&c.person);
        }
        list.push(c);
    }
    let joined = plan
        .changes
        .iter()
        .filter(|c| c.change == ChangeKind::Joined)
        .count();
    let _ = write!(
        b,
        "<p class=\"note\">{} {} move: {joined} {} joined, {} left. Hours are the weekly hours \
         the person works in the module they join.</p>\
         <table><thead><tr><th>person</th><th>joins (hours)</th><th>leaves</th>\
         <th class=\"n\">hours joined</th></tr></thead><tbody>",
        people.len(),
        if people.len() == 1 {
            "person"
        } else {
            "people"
        },
        if joined == 1 { "post" } else { "posts" },
        plan.changes.len() - joined
    );
    for person in people {
        let list = &by_person[person];
        let _ = write!(
            b,
            "<tr data-mover=\"{}\"><td>{}</td>",
            escape(person),
            escape(&words::person(inst, person))
        );
        for kind in [ChangeKind::Joined, ChangeKind::Left] {
            b.push_str("<td><ul class=\"moves\">");
            for c in list.iter().filter(|c| c.change == kind) {
                let _ = write!(
                    b,
                    "<li data-change=\"{}\" data-person=\"{}\" data-module=\"{}\"",
                    kind.as_str(),
                    escape(&c.person),
                    escape(&c.module)
                );
                match (kind, c.hours) {
                    (ChangeKind::Joined, Some(h)) => {
                        let _ = write!(
                            b,
                            " data-hours=\"{}\">{}: <span class=\"h\">{}</span>&#160;h</li>",
                            hours(h),
                            escape(&words::module(inst, &c.module)),
                            hours(h)
                        );
                    }
                    _ => {
                        let _ = write!(b, ">{}</li>", escape(&words::module(inst, &c.module)));
                    }
                }
            }
            b.push_str("</ul></td>");
        }
        let moved: f64 = list.iter().filter_map(|c| c.hours).sum();
        let _ = write!(b, "<td class=\"n\">{}</td></tr>", hours(moved));
    }
    b.push_str("</tbody></table></section>\n");
}

/// One row of the units table.
#[derive(Default)]
struct UnitRow {
    modules: usize,
    people: BTreeSet<usize>,
    worked: f64,
    uncovered: f64,
    changed: usize,
}

/// People, hours worked and uncovered, and posts changed, per unit (by the unit of the
/// module), with their totals.
pub(super) fn units(b: &mut String, inst: &Instance, plan: &Plan, f: &PlanFigures<'_>) {
    // Index `inst.units.len()` collects the modules of no unit.
    let none = inst.units.len();
    let unit_of = |module: &str| {
        inst.ids
            .modules
            .get(module)
            .map(|&m| inst.module(m).unit.map_or(none, UnitIdx::index))
    };
    let mut rows: Vec<UnitRow> = (0..=none).map(|_| UnitRow::default()).collect();
    for (j, m) in inst.modules.iter().enumerate() {
        let r = &mut rows[m.unit.map_or(none, UnitIdx::index)];
        r.modules += 1;
        r.worked += f.covered[j];
    }
    for post in &plan.posts {
        if let (Some(u), Some(&p)) = (unit_of(&post.module), inst.ids.staff.get(&post.person)) {
            rows[u].people.insert(p.index());
        }
    }
    for u in &plan.uncovered {
        if let Some(&d) = inst.ids.duties.get(&u.duty) {
            let m = inst.module(inst.duty(d).module);
            rows[m.unit.map_or(none, UnitIdx::index)].uncovered += u.hours;
        }
    }
    for c in &plan.changes {
        if let Some(u) = unit_of(&c.module) {
            rows[u].changed += 1;
        }
    }
    b.push_str(
        "<section id=\"units\"><h2>Figures per unit</h2>\
         <p class=\"note\">By the unit of each module. A person with posts in several units \
         counts in each; the total counts everyone once.</p>\
         <table><thead><tr><th>unit</th><th class=\"n\">modules</th><th class=\"n\">people</th>\
         <th class=\"n\">hours worked</th><th class=\"n\">hours uncovered</th>\
         <th class=\"n\">posts changed</th></tr></thead><tbody>",
    );
    for (k, r) in rows.iter().enumerate() {
        let (id, name, cap) = if k == none {
            if r.modules == 0 {
                continue;
            }
            (String::new(), "modules of no unit".to_owned(), None)
        } else {
            let u = &inst.units[k];
            (u.id.clone(), words::label(&u.name, &u.id), u.headcount_cap)
        };
        let _ = write!(
            b,
            "<tr data-unit=\"{}\" data-people=\"{}\" data-worked=\"{}\" data-uncovered=\"{}\" \
             data-changed=\"{}\"><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&id),
            r.people.len(),
            hours(r.worked),
            hours(r.uncovered),
            r.changed,
            escape(&name),
            r.modules,
            r.people.len(),
            cap.map_or(String::new(), |c| format!(" of {c}")),
            hours(r.worked),
            hours(r.uncovered),
            r.changed
        );
    }
    let everyone: BTreeSet<usize> = rows.iter().flat_map(|r| r.people.iter().copied()).collect();
    let worked: f64 = rows.iter().map(|r| r.worked).sum();
    let uncovered: f64 = rows.iter().map(|r| r.uncovered).sum();
    let changed: usize = rows.iter().map(|r| r.changed).sum();
    let _ = writeln!(
        b,
        "</tbody><tfoot><tr data-unit-total=\"\" data-people=\"{}\" data-worked=\"{}\" \
         data-uncovered=\"{}\" data-changed=\"{changed}\"><td>all units</td><td class=\"n\">{}</td>\
         <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
         <td class=\"n\">{changed}</td></tr></tfoot></table></section>",
        everyone.len(),
        hours(worked),
        hours(uncovered),
        inst.modules.len(),
        everyone.len(),
        hours(worked),
        hours(uncovered)
    );
}

/// Every counterpart a module lists, with its liaison or a marked "no liaison".
pub(super) fn liaisons(b: &mut String, inst: &Instance, plan: &Plan) {
    let listed = inst.listed_counterparts();
    let n = listed.iter().filter(|&&l| l).count();
    b.push_str("<section id=\"liaisons\"><h2>Liaisons per counterpart</h2>");
    if n == 0 {
        b.push_str("<p>No module lists a counterpart: no liaison is needed.</p></section>\n");
        return;
    }
    let mut by_counterpart: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for l in &plan.liaisons {
        by_counterpart
            .entry(l.counterpart.as_str())
            .or_default()
            .push(&l.person);
    }
    let unmet = inst
        .counterparts
        .iter()
        .zip(&listed)
        .filter(|(c, l)| **l && !by_counterpart.contains_key(c.id.as_str()))
        .count();
    let _ = write!(
        b,
        "<p class=\"note\">{} of {n} counterparts have a liaison{}.</p>\
         <table><thead><tr><th>counterpart</th><th>bureau</th><th>liaison</th></tr></thead><tbody>",
        n - unmet,
        if unmet == 0 {
            String::new()
        } else {
            format!(
                "; {unmet} have none, each adding {} to tier 1",
                hours(inst.rules.liaison_weight)
            )
        }
    );
    for (c, _) in inst.counterparts.iter().zip(&listed).filter(|(_, l)| **l) {
        let people = by_counterpart
            .get(c.id.as_str())
            .cloned()
            .unwrap_or_default();
        let _ = write!(
            b,
            "<tr data-counterpart=\"{}\" data-liaison=\"{}\"{}><td>{}</td><td>{}</td><td>",
            escape(&c.id),
            escape(&people.join(" ")),
            if people.is_empty() {
                " class=\"unmet\""
            } else {
                ""
            },
            escape(&words::label(&c.name, &c.id)),
            escape(c.bureau.as_deref().unwrap_or("")),
        );
        if people.is_empty() {
            b.push_str("<span class=\"none\">no liaison</span>");
        } else {
            let names: Vec<String> = people.iter().map(|p| words::person(inst, p)).collect();
            b.push_str(&escape(&names.join(", ")));
        }
        b.push_str("</td></tr>");
    }
    b.push_str("</tbody></table></section>\n");
}

/// Uncovered duties with their reasons, then modules below their floor.
pub(super) fn uncovered(b: &mut String, inst: &Instance, plan: &Plan, f: &PlanFigures<'_>) {
    b.push_str("<section id=\"uncovered\" class=\"newpage\"><h2>Uncovered duties and why</h2>");
    if plan.uncovered.is_empty() {
        b.push_str("<p>Every duty is fully covered.</p>");
    } else {
        b.push_str(
            "<table><thead><tr><th>duty</th><th>module</th><th class=\"n\">hours</th>\
             <th class=\"n\">weight</th><th class=\"n\">weighted</th><th>reason</th></tr></thead><tbody>",
        );
        for u in f.uncovered_sorted() {
            let _ = write!(
                b,
                "<tr class=\"uncovered\" data-duty=\"{}\" data-hours=\"{}\"><td>{}</td><td>{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                escape(&u.duty),
                hours(u.hours),
                escape(&words::duty(inst, &u.duty)),
                escape(&words::module(inst, &u.module)),
                hours(u.hours),
                hours(u.weight),
                hours(u.weight * u.hours),
                inline_code(&u.reason)
            );
        }
        b.push_str("</tbody></table>");
    }
    if !plan.understaffed.is_empty() {
        b.push_str("<h3>Modules below their floor</h3><ul>");
        for u in &plan.understaffed {
            let _ = write!(
                b,
                "<li data-understaffed=\"{}\">{}: {} below min_staff</li>",
                escape(&u.module),
                escape(&words::module(inst, &u.module)),
                u.missing
            );
        }
        b.push_str("</ul>");
    }
    b.push_str("</section>\n");
}
