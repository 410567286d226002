//! `modstaff explain` output: a readable report (text or Markdown), the same as JSON for
//! services, or the uncovered duties as CSV.

use std::fmt::Write as _;

use super::table::{Align, Table};
use super::{Format, hours, to_json};
use crate::scenario::explain::Explanation;

/// Renders an explanation.
#[must_use]
pub fn render_explanation(e: &Explanation, format: Format) -> String {
    match format {
        Format::Json => to_json(e),
        // Workbooks are for plans; as text, the uncovered duties are the sheet.
        Format::Csv | Format::Xlsx => uncovered_table(e).to_csv(),
        Format::Table | Format::Md => report(e, format == Format::Md),
    }
}

fn uncovered_table(e: &Explanation) -> Table {
    let mut t = Table::new(&[
        ("duty", Align::Left),
        ("module", Align::Left),
        ("uncovered_hours", Align::Right),
        ("weight", Align::Right),
        ("weighted", Align::Right),
        ("reason", Align::Left),
        ("why", Align::Left),
    ]);
    for u in &e.diagnosis.uncovered {
        t.row(vec![
            u.duty.clone(),
            u.module.clone(),
            hours(u.hours),
            hours(u.weight),
            hours(u.weighted),
            u.reason.as_str().to_owned(),
            u.summary.clone(),
        ]);
    }
    t
}

/// Headings and tables as text or Markdown.
struct Writer {
    out: String,
    md: bool,
}

impl Writer {
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

fn report(e: &Explanation, md: bool) -> String {
    let mut w = Writer {
        out: String::new(),
        md,
    };
    title(&mut w, e);
    uncovered(&mut w, e);
    unmet_and_understaffed(&mut w, e);
    single_points(&mut w, e);
    bottlenecks(&mut w, e);
    w.out
}

fn title(w: &mut Writer, e: &Explanation) {
    let title = format!(
        "Why `{}` leaves what it leaves (plan {}, {}; tier 1 {}, of which uncovered duties {}{})",
        e.instance,
        e.plan_source,
        e.status.as_str(),
        hours(e.coverage),
        hours(e.uncovered_weighted),
        if e.gap > 0.0 {
            format!("; gap {:.2}%", e.gap * 100.0)
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

/// The uncovered duties: totals by reason, then each with its explanation.
fn uncovered(w: &mut Writer, e: &Explanation) {
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
            "`{}` in `{}`: {} of {} h uncovered x weight {} = {} [{}]",
            u.duty,
            u.module,
            hours(u.hours),
            hours(u.duty_hours),
            hours(u.weight),
            hours(u.weighted),
            u.reason.as_str()
        );
        if w.md {
            let _ = writeln!(w.out, "{}. {line}  \n   {}", i + 1, u.summary);
        } else {
            let _ = writeln!(w.out, "{:>3}. {line}\n     {}", i + 1, u.summary);
        }
    }
    w.out.push('\n');
}

fn unmet_and_understaffed(w: &mut Writer, e: &Explanation) {
    let d = &e.diagnosis;
    if !d.unmet_counterparts.is_empty() {
        w.heading("Counterparts without a liaison");
        let mut t = Table::new(&[("counterpart", Align::Left), ("why", Align::Left)]);
        for c in &d.unmet_counterparts {
            t.row(vec![c.counterpart.clone(), c.summary.clone()]);
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
                u.module.clone(),
                u.missing.to_string(),
                u.summary.clone(),
            ]);
        }
        w.table(&t);
    }
}

/// The people some duties depend on alone.
fn single_points(w: &mut Writer, e: &Explanation) {
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
            .map(|s| format!("{} ({} h x {})", s.duty, hours(s.hours), hours(s.weight)))
            .collect();
        t.row(vec![
            p.person.clone(),
            p.duties.to_string(),
            hours(p.weighted),
            heaviest.join(", "),
        ]);
    }
    w.table(&t);
}

/// The bottleneck skills, ranked.
fn bottlenecks(w: &mut Writer, e: &Explanation) {
    if e.bottlenecks.is_empty() {
        return;
    }
    let confirmed = e.bottlenecks.iter().any(|b| b.confirmed.is_some());
    w.heading(&if confirmed {
        format!(
            "Bottleneck skills: one more person with the skill, each confirmed by a re-solve \
             (compared with tier 1 {})",
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
        ("tier 1 after", Align::Right),
        ("people moved", Align::Right),
    ]);
    let opt = |x: Option<f64>| x.map_or_else(|| "-".to_owned(), hours);
    for (i, b) in e.bottlenecks.iter().enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            b.skill.clone().unwrap_or_else(|| "(none)".to_owned()),
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
        ]);
    }
    w.table(&t);
}
