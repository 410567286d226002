//! Renderers: plans, check reports and validation summaries as table, JSON, CSV or Markdown.
//!
//! Data in, text out; nothing here decides anything about a plan.

mod diff;
mod explain;
pub mod html;
mod recommend;
pub mod table;
pub mod words;
pub mod xlsx;

pub use diff::render_diff;
pub use explain::render_explanation;
pub use recommend::render_recommendations;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::io::Diagnostics;
use crate::model::names::Kind;
use crate::model::{CheckReport, Instance, Plan, Uncovered, Why};
use table::{Align, Table};

/// Output formats shared by the commands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned text for a terminal.
    #[default]
    Table,
    /// JSON (a plan is written exactly as a plan file).
    Json,
    /// Comma-separated values, one record per line.
    Csv,
    /// Markdown tables.
    Md,
    /// An `.xlsx` workbook (binary, so only with `--out`; see [`xlsx`]).
    Xlsx,
}

/// Hours without noise: up to 2 decimals, no trailing zeros.
#[must_use]
pub fn hours(h: f64) -> String {
    crate::model::decimal(h)
}

/// A change of a figure with its sign: `+3`, `-2.5` or `0`.
#[must_use]
pub fn signed(x: f64) -> String {
    let s = hours(x);
    if x > 0.0 && s != "0" {
        format!("+{s}")
    } else {
        s
    }
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// Per-person and per-module figures derived from a plan for display (ids the instance does
/// not know are skipped: `check` is the place to report them).
pub struct PlanFigures<'a> {
    /// Hours worked, per person.
    pub load: Vec<f64>,
    /// Modules held, per person.
    pub posts: Vec<Vec<&'a str>>,
    /// Counterparts liaised with, per person.
    pub liaisons: Vec<Vec<&'a str>>,
    /// People holding a post, per module.
    pub holders: Vec<Vec<&'a str>>,
    /// Hours covered, per module.
    pub covered: Vec<f64>,
    /// Hours of duties, per module.
    pub module_hours: Vec<f64>,
    /// Hours per (person, module).
    pub hours: Vec<Vec<f64>>,
    uncovered: Vec<UncoveredRow>,
}

/// An uncovered duty with its module and weight.
#[derive(Clone, Debug)]
pub struct UncoveredRow {
    /// Duty id.
    pub duty: String,
    /// Module id (empty when the duty is unknown).
    pub module: String,
    /// Uncovered hours.
    pub hours: f64,
    /// Weight of the duty.
    pub weight: f64,
    /// Reason from the plan.
    pub reason: String,
    /// The reason as data, from the plan.
    pub why: Option<Why>,
}

impl UncoveredRow {
    /// The plan's row again, for the wording in [`words`].
    fn plan_row(&self) -> Uncovered {
        Uncovered {
            duty: self.duty.clone(),
            hours: self.hours,
            reason: self.reason.clone(),
            why: self.why.clone(),
        }
    }
}

impl<'a> PlanFigures<'a> {
    /// Derives the figures of `plan` for `inst`.
    #[must_use]
    pub fn new(inst: &Instance, plan: &'a Plan) -> Self {
        let (np, nm) = (inst.staff.len(), inst.modules.len());
        let mut f = Self {
            load: vec![0.0; np],
            posts: vec![Vec::new(); np],
            liaisons: vec![Vec::new(); np],
            holders: vec![Vec::new(); nm],
            covered: vec![0.0; nm],
            module_hours: inst
                .modules
                .iter()
                .map(|m| m.duties.iter().map(|&d| inst.duty(d).hours).sum())
                .collect(),
            hours: vec![vec![0.0; nm]; np],
            uncovered: Vec::new(),
        };
        for a in &plan.assignments {
            let p = inst.ids.staff.get(&a.person);
            let m = inst.ids.duties.get(&a.duty).map(|&d| inst.duty(d).module);
            if let Some(p) = p {
                f.load[p.index()] += a.hours;
            }
            if let Some(m) = m {
                f.covered[m.index()] += a.hours;
            }
            if let (Some(p), Some(m)) = (p, m) {
                f.hours[p.index()][m.index()] += a.hours;
            }
        }
        for post in &plan.posts {
            if let Some(p) = inst.ids.staff.get(&post.person) {
                f.posts[p.index()].push(&post.module);
            }
            if let Some(m) = inst.ids.modules.get(&post.module) {
                f.holders[m.index()].push(&post.person);
            }
        }
        for l in &plan.liaisons {
            if let Some(p) = inst.ids.staff.get(&l.person) {
                f.liaisons[p.index()].push(&l.counterpart);
            }
        }
        f.uncovered = plan
            .uncovered
            .iter()
            .map(|u| {
                let duty = inst.ids.duties.get(&u.duty).map(|&d| inst.duty(d));
                UncoveredRow {
                    duty: u.duty.clone(),
                    module: duty.map_or(String::new(), |d| inst.module(d.module).id.clone()),
                    hours: u.hours,
                    weight: duty.map_or(1.0, |d| d.weight),
                    reason: u.reason.clone(),
                    why: u.why.clone(),
                }
            })
            .collect();
        // Largest weighted hours first: what a planner should look at first.
        f.uncovered
            .sort_by(|a, b| (b.weight * b.hours).total_cmp(&(a.weight * a.hours)));
        f
    }

    /// Uncovered duties, largest weighted hours first.
    #[must_use]
    pub fn uncovered_sorted(&self) -> &[UncoveredRow] {
        &self.uncovered
    }
}

/// The posts joined and left against today's, one row per person, with the hours they take
/// on; `None` when the plan does not say (a plan file without `changes`).
fn changes_table(inst: &Instance, plan: &Plan) -> Option<Table> {
    plan.totals?;
    let mut t = Table::new(&[
        ("person", Align::Left),
        ("changes", Align::Left),
        ("hours moved", Align::Right),
    ]);
    for m in words::by_person(&plan.changes) {
        let what: Vec<String> = m.changes.iter().map(|c| words::change(inst, c)).collect();
        t.row(vec![
            words::person(inst, m.person),
            what.join("; "),
            hours(m.hours),
        ]);
    }
    Some(t)
}

/// "Changes against today: 3 people move" (or that nobody does).
fn changes_title(plan: &Plan) -> String {
    match words::by_person(&plan.changes).len() {
        0 => "Changes against today: none, everyone keeps their posts".to_owned(),
        1 => "Changes against today: 1 person moves".to_owned(),
        n => format!("Changes against today: {n} people move"),
    }
}

/// The name of `id`, or the id when the instance does not know it.
fn name_or_id(inst: &Instance, kind: Kind, id: &str) -> String {
    crate::model::names::name_of(inst, kind, id)
        .unwrap_or(id)
        .to_owned()
}

/// Labels of `ids` for a cell.
fn labels(ids: &[&str], label: impl Fn(&str) -> String, sep: &str) -> String {
    ids.iter().map(|id| label(id)).collect::<Vec<_>>().join(sep)
}

fn plan_tables(inst: &Instance, plan: &Plan, md: bool) -> Vec<(&'static str, Table)> {
    let f = PlanFigures::new(inst, plan);
    let mut people = Table::new(&[
        ("person", Align::Left),
        ("name", Align::Left),
        ("posts", Align::Left),
        ("liaisons", Align::Left),
        ("hours", Align::Right),
        ("capacity", Align::Right),
        ("util", Align::Right),
    ]);
    for (i, p) in inst.staff.iter().enumerate() {
        people.row(vec![
            p.id.clone(),
            p.name.clone(),
            // Names alone: a terminal is narrow, and the ids stand in the tables below.
            labels(&f.posts[i], |m| name_or_id(inst, Kind::Module, m), ", "),
            labels(
                &f.liaisons[i],
                |c| name_or_id(inst, Kind::Counterpart, c),
                ", ",
            ),
            hours(f.load[i]),
            hours(p.capacity),
            percent(f.load[i] / p.capacity),
        ]);
    }
    let mut modules = Table::new(&[
        ("module", Align::Left),
        ("name", Align::Left),
        ("staff", Align::Right),
        ("min", Align::Right),
        ("max", Align::Right),
        ("hours", Align::Right),
        ("covered", Align::Right),
        ("coverage", Align::Right),
    ]);
    for (i, m) in inst.modules.iter().enumerate() {
        let total = f.module_hours[i];
        modules.row(vec![
            m.id.clone(),
            m.name.clone(),
            f.holders[i].len().to_string(),
            m.min_staff.to_string(),
            m.max_staff.map_or_else(|| "-".into(), |x| x.to_string()),
            hours(total),
            hours(f.covered[i]),
            if total > 0.0 {
                percent(f.covered[i] / total)
            } else {
                "-".into()
            },
        ]);
    }
    let mut uncovered = Table::new(&[
        ("duty", Align::Left),
        ("module", Align::Left),
        ("hours", Align::Right),
        ("weight", Align::Right),
        ("weighted", Align::Right),
        ("reason", Align::Left),
    ]);
    for u in f.uncovered_sorted() {
        let row = u.plan_row();
        uncovered.row(vec![
            words::duty(inst, &u.duty),
            words::module(inst, &u.module),
            hours(u.hours),
            hours(u.weight),
            hours(u.weight * u.hours),
            // A terminal gets one short sentence; Markdown has room for the whole reason.
            if md {
                words::reason_full(inst, &row, true)
            } else {
                words::reason_short(inst, &row)
            },
        ]);
    }
    let mut other = Table::new(&[("item", Align::Left), ("detail", Align::Left)]);
    for c in &plan.unmet_counterparts {
        other.row(vec![
            format!("counterpart {}", words::counterpart(inst, c)),
            format!("no liaison (penalty {})", hours(inst.rules.liaison_weight)),
        ]);
    }
    for u in &plan.understaffed {
        other.row(vec![
            format!("module {}", words::module(inst, &u.module)),
            format!(
                "{} below min_staff (penalty {})",
                u.missing,
                hours(inst.rules.min_staff_weight * f64::from(u.missing))
            ),
        ]);
    }
    vec![
        ("People", people),
        ("Modules", modules),
        ("Uncovered duties", uncovered),
        ("Unmet counterparts and understaffed modules", other),
    ]
}

fn objective_table(plan: &Plan) -> Table {
    let o = &plan.objective;
    let mut t = Table::new(&[("tier", Align::Left), ("value", Align::Right)]);
    t.row(vec!["1 weighted uncovered".into(), hours(o.coverage)]);
    t.row(vec!["2 posts changed".into(), o.stability.to_string()]);
    t.row(vec!["3 posts held".into(), o.fragmentation.to_string()]);
    t.row(vec![
        "4 highest utilisation".into(),
        format!("{:.4}", o.balance),
    ]);
    t
}

/// "plan for tiny: 20 of 102 h uncovered in 1 duty (weighted 80, proven optimal) · 0.01 s,
/// modstaff-lns"; the instance as code in Markdown.
fn plan_title(inst: &Instance, plan: &Plan, md: bool) -> String {
    let name = if md {
        format!("`{}`", plan.instance)
    } else {
        plan.instance.clone()
    };
    format!(
        "plan for {name}: {} · {:.2} s, {}",
        words::headline(inst, plan),
        plan.solver.seconds,
        plan.solver.backend
    )
}

/// Renders a plan. JSON is the plan file itself; the others are for people and spreadsheets.
#[must_use]
pub fn render_plan(inst: &Instance, plan: &Plan, format: Format) -> String {
    match format {
        Format::Json => to_json(plan),
        Format::Table | Format::Md => {
            let md = format == Format::Md;
            let mut out = String::new();
            if md {
                let _ = writeln!(out, "# {}\n", plan_title(inst, plan, md));
            } else {
                let _ = writeln!(out, "{}\n", plan_title(inst, plan, md));
            }
            // What HR has to carry out comes first.
            if let Some(t) = changes_table(inst, plan) {
                let title = changes_title(plan);
                match (md, t.is_empty()) {
                    (true, true) => {
                        let _ = writeln!(out, "## {title}\n");
                    }
                    (true, false) => {
                        let _ = writeln!(out, "## {title}\n\n{}", t.to_markdown());
                    }
                    (false, true) => {
                        let _ = writeln!(out, "{title}\n");
                    }
                    (false, false) => {
                        let _ = writeln!(out, "{title}\n{}", t.to_text());
                    }
                }
            }
            for (title, t) in plan_tables(inst, plan, md) {
                if t.is_empty() {
                    continue;
                }
                if md {
                    let _ = writeln!(out, "## {title}\n\n{}", t.to_markdown());
                } else if title == "Uncovered duties" {
                    let _ = writeln!(
                        out,
                        "{title} (the reasons in full: modstaff explain, or --format md)\n{}",
                        t.to_text()
                    );
                } else {
                    let _ = writeln!(out, "{title}\n{}", t.to_text());
                }
            }
            let t = objective_table(plan);
            if md {
                let _ = write!(out, "## Objective\n\n{}", t.to_markdown());
            } else {
                let _ = write!(out, "Objective\n{}", t.to_text());
            }
            out
        }
        // A workbook is bytes, written by `xlsx::plan_workbook`; as text, the same
        // records as CSV are the closest.
        Format::Csv | Format::Xlsx => plan_csv(inst, plan),
    }
}

/// One record per line, so a plan opens as a single sheet and filters by `record`. Ids are
/// the keys; the `*_name` columns and the `detail` of uncovered duties are for people.
fn plan_csv(inst: &Instance, plan: &Plan) -> String {
    let mut t = Table::new(&[
        ("record", Align::Left),
        ("person", Align::Left),
        ("person_name", Align::Left),
        ("module", Align::Left),
        ("module_name", Align::Left),
        ("duty", Align::Left),
        ("duty_name", Align::Left),
        ("counterpart", Align::Left),
        ("counterpart_name", Align::Left),
        ("value", Align::Right),
        ("detail", Align::Left),
    ]);
    let name = |kind, id: &str| crate::model::names::given_name(inst, kind, id).to_owned();
    // One record: (person, module, duty, counterpart) ids, the value and the detail.
    let mut record = |kind: &str, ids: [&str; 4], value: String, detail: String| {
        let [p, m, d, c] = ids;
        t.row(vec![
            kind.into(),
            p.into(),
            name(Kind::Person, p),
            m.into(),
            name(Kind::Module, m),
            d.into(),
            name(Kind::Duty, d),
            c.into(),
            name(Kind::Counterpart, c),
            value,
            detail,
        ]);
    };
    let o = &plan.objective;
    for (name, value) in [
        ("coverage", hours(o.coverage)),
        ("stability", o.stability.to_string()),
        ("fragmentation", o.fragmentation.to_string()),
        ("balance", format!("{}", o.balance)),
        ("gap", format!("{}", plan.solver.gap)),
    ] {
        record("objective", [""; 4], value, name.into());
    }
    if let Some(totals) = &plan.totals {
        for (name, value) in [
            ("hours", hours(totals.hours)),
            ("uncovered_hours", hours(totals.uncovered_hours)),
            ("uncovered_duties", totals.uncovered_duties.to_string()),
            ("people_moving", totals.people_moving.to_string()),
        ] {
            record("total", [""; 4], value, name.into());
        }
    }
    for c in &plan.changes {
        record(
            "change",
            [&c.person, &c.module, "", ""],
            c.hours.map_or_else(String::new, |h| format!("{h}")),
            c.change.as_str().into(),
        );
    }
    for p in &plan.posts {
        record(
            "post",
            [&p.person, &p.module, "", ""],
            String::new(),
            String::new(),
        );
    }
    for a in &plan.assignments {
        record(
            "assignment",
            [&a.person, &a.module, &a.duty, ""],
            format!("{}", a.hours),
            String::new(),
        );
    }
    for l in &plan.liaisons {
        record(
            "liaison",
            [&l.person, "", "", &l.counterpart],
            String::new(),
            String::new(),
        );
    }
    for u in &plan.uncovered {
        let module = inst
            .ids
            .duties
            .get(&u.duty)
            .map_or("", |&d| inst.module(inst.duty(d).module).id.as_str());
        record(
            "uncovered",
            ["", module, &u.duty, ""],
            format!("{}", u.hours),
            words::reason_full(inst, u, false),
        );
    }
    for c in &plan.unmet_counterparts {
        record(
            "unmet_counterpart",
            ["", "", "", c],
            String::new(),
            String::new(),
        );
    }
    for u in &plan.understaffed {
        record(
            "understaffed",
            ["", &u.module, "", ""],
            u.missing.to_string(),
            String::new(),
        );
    }
    t.to_csv()
}

/// Pretty JSON with a trailing newline.
#[must_use]
pub fn to_json<T: Serialize>(value: &T) -> String {
    let mut s =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// Renders the result of `check`.
#[must_use]
pub fn render_check(report: &CheckReport, format: Format) -> String {
    if format == Format::Json {
        #[derive(Serialize)]
        struct Out<'a> {
            valid: bool,
            #[serde(flatten)]
            report: &'a CheckReport,
        }
        return to_json(&Out {
            valid: report.is_valid(),
            report,
        });
    }
    let mut v = Table::new(&[
        ("rule", Align::Left),
        ("people", Align::Left),
        ("modules", Align::Left),
        ("duties", Align::Left),
        ("counterparts", Align::Left),
        ("what", Align::Left),
    ]);
    for x in &report.violations {
        v.row(vec![
            x.kind.as_str().into(),
            x.people.join(" "),
            x.modules.join(" "),
            x.duties.join(" "),
            x.counterparts.join(" "),
            x.message.clone(),
        ]);
    }
    let (r, d) = (&report.recomputed, &report.declared);
    let mut o = Table::new(&[
        ("tier", Align::Left),
        ("declared", Align::Right),
        ("recomputed", Align::Right),
    ]);
    // A tier the plan leaves out is recomputed, not compared.
    let given = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    o.row(vec![
        "1 weighted uncovered".into(),
        given(d.coverage.map(hours)),
        hours(r.coverage),
    ]);
    o.row(vec![
        "2 posts changed".into(),
        given(d.stability.map(|x| x.to_string())),
        r.stability.to_string(),
    ]);
    o.row(vec![
        "3 posts held".into(),
        given(d.fragmentation.map(|x| x.to_string())),
        r.fragmentation.to_string(),
    ]);
    o.row(vec![
        "4 highest utilisation".into(),
        given(d.balance.map(|x| format!("{x:.4}"))),
        format!("{:.4}", r.balance),
    ]);
    let verdict = if report.is_valid() {
        "plan is valid: no rule broken, objective matches".to_owned()
    } else {
        format!(
            "plan is NOT valid: {} violation(s)",
            report.violations.len()
        )
    };
    match format {
        Format::Csv => v.to_csv(),
        Format::Md => {
            let mut s = format!("# {verdict}\n\n");
            if !v.is_empty() {
                let _ = writeln!(s, "## Violations\n\n{}", v.to_markdown());
            }
            let _ = write!(s, "## Objective\n\n{}", o.to_markdown());
            s
        }
        _ => {
            let mut s = String::new();
            if !v.is_empty() {
                let _ = writeln!(s, "Violations\n{}", v.to_text());
            }
            let _ = write!(s, "Objective\n{}\n{verdict}\n", o.to_text());
            s
        }
    }
}

/// The one-line summary `validate` prints for a clean instance.
#[must_use]
pub fn instance_summary(inst: &Instance) -> String {
    let listed = inst.listed_counterparts().iter().filter(|&&l| l).count();
    let hours_total = inst.total_hours();
    let cap = inst.total_capacity();
    format!(
        "`{}`: {} staff, {} modules, {} duties, {} counterparts ({listed} listed); {} h of duties vs {} h of capacity ({:.2}x)",
        inst.name,
        inst.staff.len(),
        inst.modules.len(),
        inst.duties.len(),
        inst.counterparts.len(),
        hours(hours_total),
        hours(cap),
        if cap > 0.0 {
            hours_total / cap
        } else {
            f64::INFINITY
        },
    )
}

/// Machine-readable result of `validate`.
#[derive(Serialize)]
pub struct ValidationOutput<'a> {
    /// Whether the instance has no errors.
    pub valid: bool,
    /// Every problem found.
    pub diagnostics: &'a Diagnostics,
    /// Counts, when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<BTreeMap<&'static str, f64>>,
}

/// Counts for the validation summary.
#[must_use]
#[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
pub fn summary_counts(inst: &Instance) -> BTreeMap<&'static str, f64> {
    BTreeMap::from([
        ("staff", inst.staff.len() as f64),
        ("modules", inst.modules.len() as f64),
        ("duties", inst.duties.len() as f64),
        ("counterparts", inst.counterparts.len() as f64),
        ("total_hours", inst.total_hours()),
        ("total_capacity", inst.total_capacity()),
    ])
}
