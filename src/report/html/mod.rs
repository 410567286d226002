//! The HTML report: one self-contained page (inline CSS and SVG, no script, no network) made
//! to be read on screen and printed on A4. For a plan: the headline and the changes against
//! today first, then the people x modules heatmap of hours, coverage per module, figures per
//! unit, liaisons, utilisation and the uncovered duties with their reasons; for a what-if
//! batch, the scenarios compared. Every figure carries its number in a `data-*` attribute so
//! that tests can check the page against the plan.

mod batch;
mod charts;
mod heatmap;
mod palette;
mod sections;
mod style;
mod versus;

pub use batch::{BatchRow, batch_report, parse_batch};

use std::fmt::Write as _;

use super::PlanFigures;
use crate::model::{Instance, Plan};

/// How a report is written.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The page's language tag (`en`, `zh`, ...); guessed from the instance's names when
    /// `None` (see [`guess_lang`]).
    pub lang: Option<String>,
    /// Another plan to compare with, by name, and this plan against it.
    pub against: Option<(String, crate::model::diff::PlanDiff)>,
}

impl Options {
    /// The language tag to declare for `inst`: the one asked for, else the guess. A tag that
    /// is not one (letters, digits and `-`) is replaced by the guess.
    fn lang(&self, inst: &Instance) -> String {
        self.lang
            .as_deref()
            .filter(|l| {
                !l.is_empty()
                    && l.len() <= 35
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            .map_or_else(|| guess_lang(inst).to_owned(), str::to_owned)
    }
}

/// `zh` when most names given in the instance (people, modules, duties, units; a name that
/// is only the id says nothing) are written with Chinese characters, else `en`: browsers
/// choose fonts and line breaking by it, and screen readers their voice.
#[must_use]
pub fn guess_lang(inst: &Instance) -> &'static str {
    let names = inst
        .staff
        .iter()
        .map(|p| (&p.name, &p.id))
        .chain(inst.modules.iter().map(|m| (&m.name, &m.id)))
        .chain(inst.duties.iter().map(|d| (&d.name, &d.id)))
        .chain(inst.units.iter().map(|u| (&u.name, &u.id)))
        .filter(|(name, id)| name != id);
    let (mut han, mut all) = (0_usize, 0_usize);
    for (name, _) in names {
        all += 1;
        han += usize::from(name.chars().any(is_han));
    }
    if han * 2 > all { "zh" } else { "en" }
}

/// CJK unified ideographs, their extensions and compatibility forms.
fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x2_0000..=0x3_134F)
}

/// Text safe inside HTML and SVG, in elements and in quoted attributes.
#[must_use]
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escaped text with Markdown code spans (`id`) as `<code>`: the plan's reasons are written
/// for Markdown and terminals. A lone backtick stays as it is.
#[must_use]
pub fn inline_code(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else {
            break;
        };
        out.push_str(&escape(&rest[..open]));
        let _ = write!(
            out,
            "<code>{}</code>",
            escape(&rest[open + 1..open + 1 + len])
        );
        rest = &rest[open + len + 2..];
    }
    out.push_str(&escape(rest));
    out
}

fn page(lang: &str, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(lang),
        escape(title),
        style::STYLE
    )
}

fn card(out: &mut String, key: &str, figure: &str, value: &str) {
    let _ = write!(
        out,
        "<div class=\"card\"><div class=\"v\" data-figure=\"{}\">{}</div><div class=\"k\">{}</div></div>",
        escape(figure),
        escape(value),
        escape(key)
    );
}

/// The report of one plan. The plan should carry `changes` and `totals`
/// ([`crate::model::complete`] adds them).
#[must_use]
pub fn plan_report(inst: &Instance, plan: &Plan, options: &Options) -> String {
    let f = PlanFigures::new(inst, plan);
    let mut b = String::new();
    sections::headline(&mut b, inst, plan, &f);
    sections::changes(&mut b, inst, plan);
    if let Some((other, d)) = &options.against {
        versus::section(&mut b, inst, d, other);
    }
    heatmap::section(&mut b, inst, plan, &f);
    charts::coverage(&mut b, inst, plan, &f);
    sections::units(&mut b, inst, plan, &f);
    sections::liaisons(&mut b, inst, plan);
    charts::utilisation(&mut b, inst, &f);
    sections::uncovered(&mut b, inst, plan, &f);
    page(
        &options.lang(inst),
        &format!("modstaff plan: {}", inst.name),
        &b,
    )
}

#[cfg(test)]
mod tests {
    use super::{escape, inline_code};

    #[test]
    fn code_spans_become_code_and_everything_is_escaped() {
        assert_eq!(
            inline_code("`cai` <works> `a&b` too`"),
            "<code>cai</code> &lt;works&gt; <code>a&amp;b</code> too`"
        );
        assert_eq!(inline_code("plain"), "plain");
        assert_eq!(escape("\"'"), "&quot;&#39;");
    }
}
