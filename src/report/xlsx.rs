//! A plan as an `.xlsx` workbook for planners: summary, changes against today, people,
//! modules, uncovered duties, liaisons, posts and assignments, one sheet each. Ids are the keys
//! of each sheet; names stand beside them, and every text cell is plain text. The posts,
//! assignments and liaisons are the plan itself and are read back (`io::load_plan`); the
//! other sheets are figures derived from them.

use crate::io::sheets::{Cell, ColumnFormat as F, SheetData, tables_workbook};
use crate::model::names::{Kind, given_name};
use crate::model::{ChangeKind, Instance, Plan};
use crate::report::{PlanFigures, words};

pub use crate::io::sheets::{ColumnFormat, SheetData as Sheet};

fn text(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

/// The name given to `id`, empty when none was.
fn name(inst: &Instance, kind: Kind, id: &str) -> Cell {
    text(given_name(inst, kind, id))
}

/// Labels ("Name (id)") of `ids`, `;`-separated.
fn labels(ids: &[&str], label: impl Fn(&str) -> String) -> Cell {
    Cell::Text(
        ids.iter()
            .map(|id| label(id))
            .collect::<Vec<_>>()
            .join("; "),
    )
}

#[expect(clippy::cast_precision_loss, reason = "counts are small")]
fn count(n: usize) -> Cell {
    Cell::Number(n as f64)
}

/// The sheets of a plan's workbook.
#[must_use]
pub fn plan_sheets(inst: &Instance, plan: &Plan) -> Vec<SheetData> {
    let f = PlanFigures::new(inst, plan);
    vec![
        summary_sheet(inst, plan, &f),
        changes_sheet(inst, plan),
        people_sheet(inst, &f),
        modules_sheet(inst, &f),
        uncovered_sheet(inst, plan, &f),
        liaisons_sheet(inst, plan),
        posts_sheet(inst, plan),
        assignments_sheet(inst, plan),
    ]
}

/// One row per person: posts, liaisons, hours and utilisation.
fn people_sheet(inst: &Instance, f: &PlanFigures<'_>) -> SheetData {
    let mut people = SheetData::new(
        "people",
        &[
            ("person", F::Text),
            ("name", F::Text),
            ("unit", F::Text),
            ("posts", F::Text),
            ("liaisons", F::Text),
            ("hours", F::Hours),
            ("capacity", F::Hours),
            ("utilisation", F::Percent),
        ],
    );
    for (i, p) in inst.staff.iter().enumerate() {
        people.rows.push(vec![
            text(&p.id),
            text(&p.name),
            text(p.unit.map_or("", |u| inst.units[u.index()].id.as_str())),
            labels(&f.posts[i], |m| words::module(inst, m)),
            labels(&f.liaisons[i], |c| words::counterpart(inst, c)),
            Cell::Number(f.load[i]),
            Cell::Number(p.capacity),
            Cell::Number(if p.capacity > 0.0 {
                f.load[i] / p.capacity
            } else {
                0.0
            }),
        ]);
    }
    people
}

/// One row per module: post holders, staffing limits and coverage.
fn modules_sheet(inst: &Instance, f: &PlanFigures<'_>) -> SheetData {
    let mut modules = SheetData::new(
        "modules",
        &[
            ("module", F::Text),
            ("name", F::Text),
            ("unit", F::Text),
            ("staff", F::General),
            ("people", F::Text),
            ("min_staff", F::General),
            ("max_staff", F::General),
            ("hours", F::Hours),
            ("covered", F::Hours),
            ("uncovered", F::Hours),
            ("coverage", F::Percent),
        ],
    );
    for (i, m) in inst.modules.iter().enumerate() {
        let total = f.module_hours[i];
        modules.rows.push(vec![
            text(&m.id),
            text(&m.name),
            text(m.unit.map_or("", |u| inst.units[u.index()].id.as_str())),
            count(f.holders[i].len()),
            labels(&f.holders[i], |p| words::person(inst, p)),
            count(m.min_staff as usize),
            m.max_staff.map_or(Cell::Empty, |x| count(x as usize)),
            Cell::Number(total),
            Cell::Number(f.covered[i]),
            Cell::Number((total - f.covered[i]).max(0.0)),
            if total > 0.0 {
                Cell::Number(f.covered[i] / total)
            } else {
                Cell::Empty
            },
        ]);
    }
    modules
}

/// One row per post joined or left against today's, by person: what HR carries out.
fn changes_sheet(inst: &Instance, plan: &Plan) -> SheetData {
    let mut changes = SheetData::new(
        "changes",
        &[
            ("person", F::Text),
            ("name", F::Text),
            ("change", F::Text),
            ("module", F::Text),
            ("module name", F::Text),
            ("hours", F::Hours),
        ],
    );
    for c in &plan.changes {
        changes.rows.push(vec![
            text(&c.person),
            name(inst, Kind::Person, &c.person),
            text(match c.change {
                ChangeKind::Joined => "joins",
                ChangeKind::Left => "leaves",
            }),
            text(&c.module),
            name(inst, Kind::Module, &c.module),
            c.hours.map_or(Cell::Empty, Cell::Number),
        ]);
    }
    changes
}

/// Uncovered duties, heaviest first, then modules below `min_staff`.
fn uncovered_sheet(inst: &Instance, plan: &Plan, f: &PlanFigures<'_>) -> SheetData {
    let mut uncovered = SheetData::new(
        "uncovered",
        &[
            ("duty", F::Text),
            ("name", F::Text),
            ("module", F::Text),
            ("module name", F::Text),
            ("hours", F::Hours),
            ("weight", F::General),
            ("weighted", F::Hours),
            ("reason", F::Text),
        ],
    );
    for u in f.uncovered_sorted() {
        uncovered.rows.push(vec![
            text(&u.duty),
            name(inst, Kind::Duty, &u.duty),
            text(&u.module),
            name(inst, Kind::Module, &u.module),
            Cell::Number(u.hours),
            Cell::Number(u.weight),
            Cell::Number(u.weight * u.hours),
            text(&words::reason_full(inst, &u.plan_row(), false)),
        ]);
    }
    for u in &plan.understaffed {
        uncovered.rows.push(vec![
            Cell::Empty,
            Cell::Empty,
            text(&u.module),
            name(inst, Kind::Module, &u.module),
            Cell::Empty,
            Cell::Number(inst.rules.min_staff_weight),
            Cell::Number(inst.rules.min_staff_weight * f64::from(u.missing)),
            text(&format!("{} person(s) below min_staff", u.missing)),
        ]);
    }
    uncovered
}

/// Each counterpart's liaison, then the counterparts without one.
fn liaisons_sheet(inst: &Instance, plan: &Plan) -> SheetData {
    let mut liaisons = SheetData::new(
        "liaisons",
        &[
            ("counterpart", F::Text),
            ("name", F::Text),
            ("bureau", F::Text),
            ("person", F::Text),
            ("person name", F::Text),
        ],
    );
    for l in &plan.liaisons {
        let c = inst
            .ids
            .counterparts
            .get(&l.counterpart)
            .map(|&c| &inst.counterparts[c.index()]);
        let p = inst.ids.staff.get(&l.person).map(|&p| inst.person(p));
        liaisons.rows.push(vec![
            text(&l.counterpart),
            text(c.map_or("", |c| c.name.as_str())),
            text(c.and_then(|c| c.bureau.as_deref()).unwrap_or("")),
            text(&l.person),
            text(p.map_or("", |p| p.name.as_str())),
        ]);
    }
    for id in &plan.unmet_counterparts {
        let c = inst
            .ids
            .counterparts
            .get(id)
            .map(|&c| &inst.counterparts[c.index()]);
        liaisons.rows.push(vec![
            text(id),
            text(c.map_or("", |c| c.name.as_str())),
            text(c.and_then(|c| c.bureau.as_deref()).unwrap_or("")),
            Cell::Empty,
            text("(no liaison)"),
        ]);
    }
    liaisons
}

/// One row per post: the rows a planner adds or deletes to move people (the `posts` of
/// `people` and `modules` are read-only summaries of this sheet).
fn posts_sheet(inst: &Instance, plan: &Plan) -> SheetData {
    let mut posts = SheetData::new(
        "posts",
        &[
            ("person", F::Text),
            ("module", F::Text),
            ("person name", F::Text),
            ("module name", F::Text),
        ],
    );
    for p in &plan.posts {
        posts.rows.push(vec![
            text(&p.person),
            text(&p.module),
            name(inst, Kind::Person, &p.person),
            name(inst, Kind::Module, &p.module),
        ]);
    }
    posts
}

fn assignments_sheet(inst: &Instance, plan: &Plan) -> SheetData {
    let mut assignments = SheetData::new(
        "assignments",
        &[
            ("person", F::Text),
            ("duty", F::Text),
            ("module", F::Text),
            ("hours", F::Hours),
            ("person name", F::Text),
            ("duty name", F::Text),
            ("module name", F::Text),
        ],
    );
    for a in &plan.assignments {
        assignments.rows.push(vec![
            text(&a.person),
            text(&a.duty),
            text(&a.module),
            Cell::Number(a.hours),
            name(inst, Kind::Person, &a.person),
            name(inst, Kind::Duty, &a.duty),
            name(inst, Kind::Module, &a.module),
        ]);
    }
    assignments
}

/// The objective, the solver's figures and the instance's size, as item/value rows.
fn summary_sheet(inst: &Instance, plan: &Plan, f: &PlanFigures<'_>) -> SheetData {
    let mut summary = SheetData::new("summary", &[("item", F::Text), ("value", F::General)]);
    let o = &plan.objective;
    let total: f64 = f.module_hours.iter().sum();
    let covered: f64 = f.covered.iter().sum();
    let mut add = |k: &str, v: Cell| summary.rows.push(vec![text(k), v]);
    add("plan", text(&words::headline(inst, plan)));
    add("instance", text(&plan.instance));
    add("status", text(plan.status.as_str()));
    add("tier 1 weighted uncovered", Cell::Number(o.coverage));
    #[expect(clippy::cast_precision_loss, reason = "counts are small")]
    {
        add("tier 2 posts changed", Cell::Number(o.stability as f64));
        add("tier 3 posts held", Cell::Number(o.fragmentation as f64));
    }
    add("tier 4 highest utilisation", Cell::Number(o.balance));
    add("gap", Cell::Number(plan.solver.gap));
    add("bound", plan.solver.bound.map_or(Cell::Empty, Cell::Number));
    add("solver", text(&plan.solver.backend));
    add("seconds", Cell::Number(plan.solver.seconds));
    add("staff", count(inst.staff.len()));
    add("modules", count(inst.modules.len()));
    add("duties", count(inst.duties.len()));
    add("duty hours", Cell::Number(total));
    add("covered hours", Cell::Number(covered));
    add("uncovered hours", Cell::Number((total - covered).max(0.0)));
    add("uncovered duties", count(plan.uncovered.len()));
    add(
        "counterparts without liaison",
        count(plan.unmet_counterparts.len()),
    );
    add("modules below min_staff", count(plan.understaffed.len()));
    if let Some(t) = plan.totals {
        #[expect(clippy::cast_precision_loss, reason = "counts are small")]
        add("people moving", Cell::Number(t.people_moving as f64));
    }
    summary
}

/// The plan as `.xlsx` bytes.
///
/// # Errors
/// When the workbook cannot be assembled.
pub fn plan_workbook(inst: &Instance, plan: &Plan) -> anyhow::Result<Vec<u8>> {
    tables_workbook(&plan_sheets(inst, plan))
}

/// Any set of sheets as `.xlsx` bytes (used for what-if batches).
///
/// # Errors
/// When the workbook cannot be assembled.
pub fn workbook(sheets: &[SheetData]) -> anyhow::Result<Vec<u8>> {
    tables_workbook(sheets)
}
