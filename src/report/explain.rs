//! `modstaff explain` output: a readable report (text or Markdown), the same as JSON for
//! services, or the uncovered duties as CSV.

use std::fmt::Write as _;

use super::table::{Align, Table};
use super::{Format, hours, to_json, words};
use crate::model::Instance;
use crate::model::diagnose;
use crate::model::names::{Kind, given_name, markdown_named, name_of, named};
use crate::scenario::explain::Explanation;

/// People named in full in a "who moves" cell.
const MOVES_SHOWN: usize = 3;

/// Renders an explanation of a plan of `inst`.
#[must_use]
pub fn render_explanation(inst: &Instance, e: &Explanation, format: Format) -> String {
    match format {
        Format::Json => to_json(e),
        // Workbooks are for plans; as text, the uncovered duties are the sheet.
        Format::Csv | Format::Xlsx => uncovered_table(inst, e).to_csv(),
        Format::Table | Format::Md => report(inst, e, format == Format::Md),
    }
}

fn uncovered_table(inst: &Instance, e: &Explanation) -> Table {
    let mut t = Table::new(&[
        ("duty", Align::Left),
        ("duty_name", Align::Left),
        ("module", Align::Left),
        ("module_name", Align::Left),
        ("uncovered_hours", Align::Right),
        ("weight", Align::Right),
        ("weighted", Align::Right),
        ("reason", Align::Left),
        ("why", Align::Left),
    ]);
    let name = |kind, id: &str| given_name(inst, kind, id).to_owned();
    for u in &e.diagnosis.uncovered {
        t.row(vec![
            u.duty.clone(),
            name(Kind::Duty, &u.duty),
            u.module.clone(),
            name(Kind::Module, &u.module),
            hours(u.hours),
            hours(u.weight),
            hours(u.weighted),
            u.reason.as_str().to_owned(),
            u.summary.clone(),
        ]);
    }
    t
}

/// Headings and tables as text or Markdown, with things named for either.
struct Writer<'a> {
    out: String,
    md: bool,
    inst: &'a Instance,
}

impl Writer<'_> {
    /// `id` as "Name (id)", the id as code in Markdown.
    fn name(&self, kind: Kind, id: &str) -> String {
        if self.md {
            markdown_named(self.inst, kind, id)
        } else {
            named(self.inst, kind, id)
        }
    }

    fn heading(&mut self, text: &str) {
        if self.md {
            let _ = writeln!(self.out, "## {text}\n");
        } else {
            let _ = writeln!(self.out, "{text}");
        }
    }

    fn table(&mut self, t: &Table) {
        if self.md {
            let _ = writeln!(self.out, "{}", t.to_markdown());
        } else {
            let _ = writeln!(self.out, "{}", t.to_text());
        }
    }
}

fn report(inst: &Instance, e: &Explanation, md: bool) -> String {
    let mut w = Writer {
        out: String::new(),
        md,
        inst,
    };
    title(&mut w, e);
    changes(&mut w, e);
    uncovered(&mut w, e);
    unmet_and_understaffed(&mut w, e);
    single_points(&mut w, e);
    bottlenecks(&mut w, e);
    w.out
}

fn title(w: &mut Writer<'_>, e: &Explanation) {
    let name = if w.md {
        format!("`{}`", e.instance)
    } else {
        e.instance.clone()
    };
    let others = e.coverage - e.uncovered_weighted;
    let title = format!(
        "Why the plan for {name} leaves what it leaves ({} plan): {}{}",
        e.plan_source,
        words::headline(w.inst, &e.plan),
        if others > 1e-9 {
            format!(
                "; counterparts without a liaison and missing staff add {} to the weighted figure",
                hours(others)
            )
        } else {
            String::new()
        }
    );
    if w.md {
        let _ = writeln!(w.out, "# {title}\n");
    } else {
        let _ = writeln!(w.out, "{title}\n");
    }
}

/// Who the plan moves against today's posts, as `solve` prints them.
fn changes(w: &mut Writer<'_>, e: &Explanation) {
    let Some(t) = super::changes_table(w.inst, &e.plan) else {
        return;
    };
    w.heading(&super::changes_title(&e.plan));
    if t.is_empty() {
        w.out.push('\n');
    } else {
        w.table(&t);
    }
}

/// The uncovered duties: totals by reason, then each with its explanation.
fn uncovered(w: &mut Writer<'_>, e: &Explanation) {
    let d = &e.diagnosis;
    if d.uncovered.is_empty() {
        w.heading("Every duty is fully covered.");
        w.out.push('\n');
        return;
    }
    w.heading("Uncovered duties by reason");
    let mut t = Table::new(&[
        ("reason", Align::Left),
        ("duties", Align::Right),
        ("hours", Align::Right),
        ("weighted", Align::Right),
    ]);
    for (r, total) in &e.by_reason {
        t.row(vec![
            r.as_str().to_owned(),
            total.duties.to_string(),
            hours(total.hours),
            hours(total.weighted),
        ]);
    }
    w.table(&t);
    w.heading(&format!(
        "Uncovered duties ({}), largest weighted hours first",
        d.uncovered.len()
    ));
    for (i, u) in d.uncovered.iter().enumerate() {
        let line = format!(
            "{} in {}: {} of {} h uncovered x weight {} = {} [{}]",
            w.name(Kind::Duty, &u.duty),
            w.name(Kind::Module, &u.module),
            hours(u.hours),
            hours(u.duty_hours),
            hours(u.weight),
            hours(u.weighted),
            u.reason.as_str()
        );
        let why = diagnose::full(w.inst, &u.duty, &u.why, w.md);
        if w.md {
            let _ = writeln!(w.out, "{}. {line}  \n   {why}", i + 1);
        } else {
            let _ = writeln!(w.out, "{:>3}. {line}\n     {why}", i + 1);
        }
    }
    w.out.push('\n');
}

fn unmet_and_understaffed(w: &mut Writer<'_>, e: &Explanation) {
    let d = &e.diagnosis;
    if !d.unmet_counterparts.is_empty() {
        w.heading("Counterparts without a liaison");
        let mut t = Table::new(&[("counterpart", Align::Left), ("why", Align::Left)]);
        for c in &d.unmet_counterparts {
            t.row(vec![
                words::counterpart(w.inst, &c.counterpart),
                c.summary.clone(),
            ]);
        }
        w.table(&t);
    }
    if !d.understaffed.is_empty() {
        w.heading("Modules below their minimum staffing");
        let mut t = Table::new(&[
            ("module", Align::Left),
            ("missing", Align::Right),
            ("why", Align::Left),
        ]);
        for u in &d.understaffed {
            t.row(vec![
                words::module(w.inst, &u.module),
                u.missing.to_string(),
                u.summary.clone(),
            ]);
        }
        w.table(&t);
    }
}

/// The people some duties depend on alone.
fn single_points(w: &mut Writer<'_>, e: &Explanation) {
    let d = &e.diagnosis;
    if d.single_points.is_empty() {
        w.heading("No duty depends on a single person.");
        w.out.push('\n');
        return;
    }
    w.heading(&format!(
        "Single points of failure: {} duties only one person can do",
        d.single_points.len()
    ));
    let mut t = Table::new(&[
        ("person", Align::Left),
        ("duties", Align::Right),
        ("weighted hours at risk", Align::Right),
        ("heaviest", Align::Left),
    ]);
    for p in &e.single_point_people {
        let heaviest: Vec<String> = d
            .single_points
            .iter()
            .filter(|s| s.person == p.person)
            .take(3)
            .map(|s| {
                format!(
                    "{}: {} h x {}",
                    words::duty(w.inst, &s.duty),
                    hours(s.hours),
                    hours(s.weight)
                )
            })
            .collect();
        t.row(vec![
            words::person(w.inst, &p.person),
            p.duties.to_string(),
            hours(p.weighted),
            heaviest.join("; "),
        ]);
    }
    w.table(&t);
}

/// The bottleneck skills, ranked.
fn bottlenecks(w: &mut Writer<'_>, e: &Explanation) {
    if e.bottlenecks.is_empty() {
        return;
    }
    let confirmed = e.bottlenecks.iter().any(|b| b.confirmed.is_some());
    w.heading(&if confirmed {
        format!(
            "Bottleneck skills: one more person with the skill, each confirmed by a re-solve \
             (compared with {} weighted uncovered)",
            hours(e.reference_coverage.unwrap_or(e.coverage))
        )
    } else {
        "Bottleneck skills: one more person with the skill (estimates, not re-solved)".to_owned()
    });
    let mut t = Table::new(&[
        ("rank", Align::Right),
        ("skill", Align::Left),
        ("level", Align::Right),
        ("uncovered duties it can do", Align::Right),
        ("estimate", Align::Right),
        ("confirmed gain", Align::Right),
        ("weighted hours covered", Align::Right),
        ("weighted uncovered after", Align::Right),
        ("people moved", Align::Right),
        ("who moves", Align::Left),
    ]);
    let opt = |x: Option<f64>| x.map_or_else(|| "-".to_owned(), hours);
    for (i, b) in e.bottlenecks.iter().enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            b.skill.as_ref().map_or_else(
                || "(none)".to_owned(),
                |s| words::label(name_of(w.inst, Kind::Skill, s).unwrap_or(s), s),
            ),
            if b.skill.is_some() {
                b.level.to_string()
            } else {
                "-".to_owned()
            },
            b.duties.to_string(),
            hours(b.estimate),
            opt(b.confirmed),
            opt(b.covered_weighted),
            match (b.coverage_after, b.status_after) {
                (Some(c), Some(s)) => format!(
                    "{}{}",
                    hours(c),
                    if s == crate::model::PlanStatus::Optimal {
                        " (optimal)"
                    } else {
                        ""
                    }
                ),
                _ => "-".to_owned(),
            },
            b.people_moved
                .map_or_else(|| "-".to_owned(), |m| m.to_string()),
            if b.moves.is_empty() {
                "-".to_owned()
            } else {
                words::moves(w.inst, &b.moves, MOVES_SHOWN)
            },
        ]);
    }
    w.table(&t);
}
