//! `modstaff diff` output: plan B against plan A, as text, Markdown, CSV or JSON.

use std::fmt::Write as _;

use super::table::{Align, Table};
use super::{Format, hours, signed, to_json, words};
use crate::model::diff::PlanDiff;
use crate::model::{ChangeKind, Instance};

fn tiers(d: &PlanDiff) -> Table {
    let (a, b) = (&d.objective_a, &d.objective_b);
    let mut t = Table::new(&[
        ("tier", Align::Left),
        ("plan A", Align::Right),
        ("plan B", Align::Right),
        ("change", Align::Right),
    ]);
    #[expect(clippy::cast_precision_loss, reason = "post counts are small")]
    let rows = [
        ("1 weighted uncovered", a.coverage, b.coverage),
        (
            "2 posts changed (against today)",
            a.stability as f64,
            b.stability as f64,
        ),
        (
            "3 posts held",
            a.fragmentation as f64,
            b.fragmentation as f64,
        ),
    ];
    for (name, x, y) in rows {
        t.row(vec![name.into(), hours(x), hours(y), signed(y - x)]);
    }
    t.row(vec![
        "4 highest utilisation".into(),
        format!("{:.4}", a.balance),
        format!("{:.4}", b.balance),
        format!("{:+.4}", b.balance - a.balance),
    ]);
    if let (Some(ta), Some(tb)) = (d.totals_a, d.totals_b) {
        t.row(vec![
            "hours uncovered".into(),
            hours(ta.uncovered_hours),
            hours(tb.uncovered_hours),
            signed(tb.uncovered_hours - ta.uncovered_hours),
        ]);
    }
    t
}

fn moves(inst: &Instance, d: &PlanDiff) -> Table {
    let mut t = Table::new(&[
        ("person", Align::Left),
        ("joins", Align::Left),
        ("leaves", Align::Left),
    ]);
    for person in d.people_moving() {
        let list = |kind: ChangeKind| {
            d.moves
                .iter()
                .filter(|m| m.person == person && m.change == kind)
                .map(|m| format!("{}, {} h", words::module(inst, &m.module), hours(m.hours)))
                .collect::<Vec<_>>()
                .join("; ")
        };
        t.row(vec![
            words::person(inst, person),
            list(ChangeKind::Joined),
            list(ChangeKind::Left),
        ]);
    }
    t
}

fn coverage(inst: &Instance, d: &PlanDiff) -> Table {
    let mut t = Table::new(&[
        ("duty", Align::Left),
        ("uncovered in A", Align::Right),
        ("uncovered in B", Align::Right),
        ("weighted change", Align::Right),
        ("", Align::Left),
    ]);
    for c in &d.coverage {
        let note = c.note();
        t.row(vec![
            words::duty(inst, &c.duty),
            hours(c.a),
            hours(c.b),
            signed(c.weight * (c.b - c.a)),
            note.into(),
        ]);
    }
    t
}

fn hours_table(inst: &Instance, d: &PlanDiff) -> Table {
    let mut t = Table::new(&[
        ("person", Align::Left),
        ("hours in A", Align::Right),
        ("hours in B", Align::Right),
        ("change", Align::Right),
    ]);
    for h in &d.hours {
        t.row(vec![
            words::person(inst, &h.person),
            hours(h.a),
            hours(h.b),
            signed(h.b - h.a),
        ]);
    }
    t
}

fn liaisons(inst: &Instance, d: &PlanDiff) -> Table {
    let mut t = Table::new(&[
        ("counterpart", Align::Left),
        ("liaison in A", Align::Left),
        ("liaison in B", Align::Left),
    ]);
    let who = |p: &Option<String>| p.as_ref().map_or("none".into(), |p| words::person(inst, p));
    for l in &d.liaisons {
        let name = inst
            .counterparts
            .iter()
            .find(|c| c.id == l.counterpart)
            .map_or_else(|| l.counterpart.clone(), |c| words::label(&c.name, &c.id));
        t.row(vec![name, who(&l.a), who(&l.b)]);
    }
    t
}

/// One line: what B changes against A, in a planner's words.
fn summary(d: &PlanDiff) -> String {
    if d.is_empty() {
        return "the plans are the same: same posts, hours, coverage and liaisons".into();
    }
    let people = d.people_moving().len();
    let who = match people {
        0 => "nobody changes posts".to_owned(),
        1 => "1 person changes posts".to_owned(),
        n => format!("{n} people change posts"),
    };
    format!(
        "plan B against plan A: weighted uncovered {} -> {} ({}); {who}",
        hours(d.objective_a.coverage),
        hours(d.objective_b.coverage),
        signed(d.objective_b.coverage - d.objective_a.coverage)
    )
}

/// One record per line, ids only, so a spreadsheet filters by `record`.
fn records(d: &PlanDiff) -> Table {
    let mut t = Table::new(&[
        ("record", Align::Left),
        ("person", Align::Left),
        ("module", Align::Left),
        ("duty", Align::Left),
        ("counterpart", Align::Left),
        ("tier", Align::Left),
        ("a", Align::Right),
        ("b", Align::Right),
        ("change", Align::Left),
    ]);
    let e = String::new;
    for m in &d.moves {
        t.row(vec![
            "move".into(),
            m.person.clone(),
            m.module.clone(),
            e(),
            e(),
            e(),
            e(),
            hours(m.hours),
            m.change.as_str().into(),
        ]);
    }
    for h in &d.hours {
        let row = vec!["hours".into(), h.person.clone(), e(), e(), e(), e()];
        t.row([row, vec![hours(h.a), hours(h.b), signed(h.b - h.a)]].concat());
    }
    for c in &d.coverage {
        let row = vec!["uncovered".into(), e(), e(), c.duty.clone(), e(), e()];
        t.row([row, vec![hours(c.a), hours(c.b), signed(c.b - c.a)]].concat());
    }
    for l in &d.liaisons {
        let row = vec!["liaison".into(), e(), e(), e(), l.counterpart.clone(), e()];
        let who = |p: &Option<String>| p.clone().unwrap_or_default();
        t.row([row, vec![who(&l.a), who(&l.b), e()]].concat());
    }
    let (a, b) = (&d.objective_a, &d.objective_b);
    #[expect(clippy::cast_precision_loss, reason = "post counts are small")]
    for (tier, x, y) in [
        ("coverage", a.coverage, b.coverage),
        ("stability", a.stability as f64, b.stability as f64),
        (
            "fragmentation",
            a.fragmentation as f64,
            b.fragmentation as f64,
        ),
        ("balance", a.balance, b.balance),
    ] {
        let row = vec!["tier".into(), e(), e(), e(), e(), tier.into()];
        t.row([row, vec![x.to_string(), y.to_string(), signed(y - x)]].concat());
    }
    t
}

/// Renders a diff.
#[must_use]
pub fn render_diff(inst: &Instance, d: &PlanDiff, format: Format) -> String {
    let sections = [
        ("Who moves", moves(inst, d)),
        ("Coverage", coverage(inst, d)),
        ("Hours", hours_table(inst, d)),
        ("Liaisons", liaisons(inst, d)),
        ("Objective", tiers(d)),
    ];
    match format {
        Format::Json => to_json(d),
        Format::Csv | Format::Xlsx => records(d).to_csv(),
        Format::Table | Format::Md => {
            let md = format == Format::Md;
            let mut out = String::new();
            let head = summary(d);
            if md {
                let _ = writeln!(out, "# {head}\n");
            } else {
                let _ = writeln!(out, "{head}\n");
            }
            for (title, t) in &sections {
                if t.is_empty() {
                    continue;
                }
                if md {
                    let _ = writeln!(out, "## {title}\n\n{}", t.to_markdown());
                } else {
                    let _ = writeln!(out, "{title}\n{}", t.to_text());
                }
            }
            out
        }
    }
}
