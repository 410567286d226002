//! `modstaff recommend` output: the options, best first, as text, Markdown, CSV or JSON.

use std::fmt::Write as _;

use super::table::{Align, Table};
use super::{Format, hours, signed, to_json, words};
use crate::model::{ChangeKind, Instance, PlanStatus};
use crate::scenario::recommend::Recommendations;

/// The other moves an option brings, in words: "Liu Zhi (p017) leaves m07; ...".
fn also(inst: &Instance, r: &crate::scenario::recommend::Recommendation) -> String {
    let others: Vec<String> = r
        .moves
        .iter()
        .filter(|c| !(c.person == r.person && c.module == r.module))
        .map(|c| {
            let verb = match c.change {
                ChangeKind::Joined => "joins",
                ChangeKind::Left => "leaves",
            };
            format!(
                "{} {verb} {}",
                words::person(inst, &c.person),
                words::module(inst, &c.module)
            )
        })
        .collect();
    match others.len() {
        0 => "nobody else moves".into(),
        n if n <= 3 => others.join("; "),
        n => format!("{}; and {} more", others[..3].join("; "), n - 3),
    }
}

/// Renders the recommendations; `for_person` says which side was asked for (the other side
/// is the option's name).
#[must_use]
pub fn render_recommendations(
    inst: &Instance,
    r: &Recommendations,
    subject: &str,
    for_person: bool,
    format: Format,
) -> String {
    if format == Format::Json {
        return to_json(r);
    }
    let mut t = Table::new(&[
        ("rank", Align::Right),
        (if for_person { "module" } else { "person" }, Align::Left),
        ("weighted uncovered", Align::Right),
        ("change", Align::Right),
        ("hours there", Align::Right),
        ("posts changed", Align::Right),
        ("proven", Align::Left),
        ("also", Align::Left),
    ]);
    for (i, o) in r.options.iter().enumerate() {
        let name = if format == Format::Csv {
            if for_person {
                o.module.clone()
            } else {
                o.person.clone()
            }
        } else if for_person {
            words::module(inst, &o.module)
        } else {
            words::person(inst, &o.person)
        };
        t.row(vec![
            (i + 1).to_string(),
            name,
            hours(o.coverage),
            signed(o.coverage_change),
            hours(o.hours),
            o.posts_changed.to_string(),
            if o.status == PlanStatus::Optimal {
                "yes"
            } else {
                "no"
            }
            .into(),
            also(inst, o),
        ]);
    }
    if format == Format::Csv {
        return t.to_csv();
    }
    let head = format!(
        "{subject}: {} option(s), each re-solved with the post pinned ({} of {} candidates \
         confirmed); the plan's weighted uncovered is {}",
        r.options.len(),
        r.confirmed,
        r.candidates,
        hours(r.plan_coverage)
    );
    let mut out = String::new();
    if format == Format::Md {
        let _ = writeln!(out, "# {head}\n\n{}", t.to_markdown());
    } else {
        let _ = writeln!(out, "{head}\n\n{}", t.to_text());
    }
    out
}
