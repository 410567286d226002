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
use crate::model::{CheckReport, Instance, Plan};
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

fn plan_tables(inst: &Instance, plan: &Plan) -> Vec<(&'static str, Table)> {
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
            f.posts[i].join(" "),
            f.liaisons[i].join(" "),
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
        uncovered.row(vec![
            u.duty.clone(),
            u.module.clone(),
            hours(u.hours),
            hours(u.weight),
            hours(u.weight * u.hours),
            u.reason.clone(),
        ]);
    }
    let mut other = Table::new(&[("item", Align::Left), ("detail", Align::Left)]);
    for c in &plan.unmet_counterparts {
        let name = inst.ids.counterparts.get(c).map_or(String::new(), |&i| {
            inst.counterparts[i.index()].name.clone()
        });
        other.row(vec![
            format!("counterpart {c}"),
            format!(
                "{name}: no liaison (penalty {})",
                hours(inst.rules.liaison_weight)
            ),
        ]);
    }
    for u in &plan.understaffed {
        other.row(vec![
            format!("module {}", u.module),
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
    t.row(vec![
        "1 coverage (weighted uncovered)".into(),
        hours(o.coverage),
    ]);
    t.row(vec![
        "2 stability (posts changed)".into(),
        o.stability.to_string(),
    ]);
    t.row(vec![
        "3 fragmentation (posts held)".into(),
        o.fragmentation.to_string(),
    ]);
    t.row(vec![
        "4 balance (highest utilisation)".into(),
        format!("{:.4}", o.balance),
    ]);
    t
}

fn headline(plan: &Plan) -> String {
    let bound = plan
        .solver
        .bound
        .map_or(String::new(), |b| format!(", bound {}", hours(b)));
    format!(
        "plan for `{}`: {}, coverage {}{bound}, gap {:.2}%, {:.2} s ({})",
        plan.instance,
        plan.status.as_str(),
        hours(plan.objective.coverage),
        plan.solver.gap * 100.0,
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
                let _ = writeln!(out, "# {}\n", headline(plan));
            } else {
                let _ = writeln!(out, "{}\n", headline(plan));
            }
            for (title, t) in plan_tables(inst, plan) {
                if t.is_empty() {
                    continue;
                }
                if md {
                    let _ = writeln!(out, "## {title}\n\n{}", t.to_markdown());
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
        Format::Csv | Format::Xlsx => plan_csv(plan),
    }
}

/// One record per line, so a plan opens as a single sheet and filters by `record`.
fn plan_csv(plan: &Plan) -> String {
    let mut t = Table::new(&[
        ("record", Align::Left),
        ("person", Align::Left),
        ("module", Align::Left),
        ("duty", Align::Left),
        ("counterpart", Align::Left),
        ("value", Align::Right),
        ("detail", Align::Left),
    ]);
    let o = &plan.objective;
    for (name, value) in [
        ("coverage", hours(o.coverage)),
        ("stability", o.stability.to_string()),
        ("fragmentation", o.fragmentation.to_string()),
        ("balance", format!("{}", o.balance)),
        ("gap", format!("{}", plan.solver.gap)),
    ] {
        t.row(vec![
            "objective".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            value,
            name.into(),
        ]);
    }
    for p in &plan.posts {
        t.row(vec!["post".into(), p.person.clone(), p.module.clone()]);
    }
    for a in &plan.assignments {
        t.row(vec![
            "assignment".into(),
            a.person.clone(),
            a.module.clone(),
            a.duty.clone(),
            String::new(),
            format!("{}", a.hours),
        ]);
    }
    for l in &plan.liaisons {
        t.row(vec![
            "liaison".into(),
            l.person.clone(),
            String::new(),
            String::new(),
            l.counterpart.clone(),
        ]);
    }
    for u in &plan.uncovered {
        t.row(vec![
            "uncovered".into(),
            String::new(),
            String::new(),
            u.duty.clone(),
            String::new(),
            format!("{}", u.hours),
            u.reason.clone(),
        ]);
    }
    for c in &plan.unmet_counterparts {
        t.row(vec![
            "unmet_counterpart".into(),
            String::new(),
            String::new(),
            String::new(),
            c.clone(),
        ]);
    }
    for u in &plan.understaffed {
        t.row(vec![
            "understaffed".into(),
            String::new(),
            u.module.clone(),
            String::new(),
            String::new(),
            u.missing.to_string(),
        ]);
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
