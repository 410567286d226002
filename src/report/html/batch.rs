//! The report of a what-if batch: the scenarios compared as bars, and their figures.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Deserialize;

use super::palette::WeightClasses;
use super::{Options, card, escape, page};
use crate::model::Instance;
use crate::report::hours;

/// One line of `modstaff whatif --format jsonl`.
#[derive(Clone, Debug, Deserialize)]
pub struct BatchRow {
    /// Position in the batch; `None` for the baseline.
    #[serde(default)]
    pub index: Option<usize>,
    /// Scenario name.
    pub name: String,
    /// `optimal` or `feasible`.
    pub status: String,
    /// Relative gap.
    pub gap: f64,
    /// Tier 1.
    pub coverage: f64,
    /// Tier 1 minus the baseline's.
    #[serde(default)]
    pub coverage_change: f64,
    /// Uncovered hours per weight.
    #[serde(default)]
    pub uncovered_by_weight: BTreeMap<String, f64>,
    /// Counterparts without a liaison.
    #[serde(default)]
    pub unmet_counterparts: usize,
    /// Posts changed against the baseline.
    #[serde(default)]
    pub posts_changed: u64,
    /// People moved.
    #[serde(default)]
    pub people_moved: usize,
    /// Seconds.
    #[serde(default)]
    pub seconds: f64,
}

/// Reads the lines of a what-if jsonl; the error names the line.
///
/// # Errors
/// `line N: problem` for the first unreadable line.
pub fn parse_batch(text: &str) -> Result<Vec<BatchRow>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}

/// The report of a what-if batch: the scenarios compared as bars.
#[must_use]
pub fn batch_report(inst: &Instance, rows: &[BatchRow], options: &Options) -> String {
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<h1>modstaff what-if: {}</h1>\n<p class=\"sub\">{} scenario(s) against the baseline; \
         bars show weighted uncovered hours (tier 1), split into uncovered hours by duty weight.</p>",
        escape(&inst.name),
        rows.iter().filter(|r| r.index.is_some()).count()
    );
    batch_headline(&mut b, rows);
    scenarios_section(&mut b, rows);
    figures_section(&mut b, rows);
    page(
        &options.lang(inst),
        &format!("modstaff what-if: {}", inst.name),
        &b,
    )
}

/// The baseline, the number of scenarios and the largest change, as cards.
fn batch_headline(b: &mut String, rows: &[BatchRow]) {
    let base = rows.iter().find(|r| r.index.is_none());
    b.push_str("<section id=\"headline\"><div class=\"cards\">");
    if let Some(base) = base {
        card(b, "baseline tier 1", "baseline", &hours(base.coverage));
    }
    card(
        b,
        "scenarios",
        "scenarios",
        &rows
            .iter()
            .filter(|r| r.index.is_some())
            .count()
            .to_string(),
    );
    if let Some(worst) = rows
        .iter()
        .filter(|r| r.index.is_some())
        .max_by(|a, b| a.coverage_change.total_cmp(&b.coverage_change))
    {
        card(
            b,
            &format!("largest change: {}", worst.name),
            "worst",
            &format!("{:+}", (worst.coverage_change * 100.0).round() / 100.0),
        );
    }
    b.push_str("</div></section>\n");
}

/// The geometry of the scenarios chart: tier 1 bars on the left, uncovered hours by weight
/// as stacked bars on the right.
struct ScenarioBars {
    /// Weights, heaviest first, as (weight, label).
    weights: Vec<(f64, String)>,
    /// Their shades.
    classes: WeightClasses,
    /// Where the left bars start (after the names).
    left: f64,
    /// Where the right bars start.
    x2: f64,
    bar_w: f64,
    row_h: f64,
    max_cov: f64,
    max_unc: f64,
}

impl ScenarioBars {
    fn new(rows: &[BatchRow]) -> Self {
        let mut weights: Vec<(f64, String)> = rows
            .iter()
            .flat_map(|r| r.uncovered_by_weight.keys())
            .map(|w| (w.parse::<f64>().unwrap_or(0.0), w.clone()))
            .collect();
        weights.sort_by(|a, b| b.0.total_cmp(&a.0));
        weights.dedup_by(|a, b| a.1 == b.1);
        let left = rows
            .iter()
            .map(|r| text_width(&r.name).min(260.0))
            .fold(80.0_f64, f64::max)
            + 12.0;
        let max_cov = rows
            .iter()
            .map(|r| r.coverage)
            .fold(0.0_f64, f64::max)
            .max(1e-9);
        let max_unc = rows
            .iter()
            .map(|r| r.uncovered_by_weight.values().sum::<f64>())
            .fold(0.0_f64, f64::max)
            .max(1e-9);
        let bar_w = 420.0;
        Self {
            classes: WeightClasses::new(weights.iter().map(|w| w.0)),
            weights,
            left,
            x2: left + bar_w + 90.0,
            bar_w,
            row_h: 22.0,
            max_cov,
            max_unc,
        }
    }

    /// Row `i`: the name, the tier 1 bar, the stacked uncovered hours.
    fn row(&self, b: &mut String, i: usize, r: &BatchRow) {
        let (left, bar_w, row_h) = (self.left, self.bar_w, self.row_h);
        let y = row_h * i as f64 + 6.0;
        let cw = r.coverage / self.max_cov * bar_w;
        let _ = write!(
            b,
            "<g class=\"scenario\" data-name=\"{}\" data-coverage=\"{}\">\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{left:.1}\" y=\"{y:.1}\" width=\"{cw:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}: tier 1 {}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#616e7c\">{}</text>",
            escape(&r.name),
            hours(r.coverage),
            left - 6.0,
            y + 13.0,
            escape(&clip(&r.name, 260.0)),
            row_h - 6.0,
            if r.index.is_none() {
                "#1e3a8a"
            } else {
                "#60a5fa"
            },
            escape(&r.name),
            hours(r.coverage),
            left + cw + 4.0,
            y + 13.0,
            hours(r.coverage)
        );
        let mut x = self.x2;
        for (k, (_, wl)) in self.weights.iter().enumerate() {
            let v = r.uncovered_by_weight.get(wl).copied().unwrap_or(0.0);
            if v <= 0.0 {
                continue;
            }
            let ww = v / self.max_unc * bar_w;
            let _ = write!(
                b,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{ww:.1}\" height=\"{:.1}\" fill=\"{}\" data-weight=\"{}\" data-hours=\"{}\"><title>{}: {} h uncovered at weight {}</title></rect>",
                row_h - 6.0,
                self.classes
                    .colour(self.classes.class_of(self.weights[k].0))
                    .hex(),
                escape(wl),
                hours(v),
                escape(&r.name),
                hours(v),
                escape(wl)
            );
            x += ww;
        }
        let total: f64 = r.uncovered_by_weight.values().sum();
        let _ = write!(
            b,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#616e7c\">{} h</text></g>",
            x + 4.0,
            y + 13.0,
            hours(total)
        );
    }
}

/// The scenarios compared as bars.
fn scenarios_section(b: &mut String, rows: &[BatchRow]) {
    let bars = ScenarioBars::new(rows);
    let h = bars.row_h * rows.len() as f64 + 30.0;
    let w = bars.left + 2.0 * bars.bar_w + 200.0;
    b.push_str("<section id=\"scenarios\"><h2>Scenarios compared</h2><p class=\"legend\">left: tier 1 (baseline dark); right: uncovered hours by weight");
    super::charts::weight_legend(b, &bars.classes);
    let _ = write!(
        b,
        "</p><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" font-size=\"12\" role=\"img\" aria-label=\"scenarios compared\">"
    );
    for (i, r) in rows.iter().enumerate() {
        bars.row(b, i, r);
    }
    b.push_str("</svg></section>\n");
}

/// The figures of every row as a table.
fn figures_section(b: &mut String, rows: &[BatchRow]) {
    b.push_str(
        "<section id=\"table\"><h2>Figures</h2><table><thead><tr><th>scenario</th><th>status</th>\
         <th class=\"n\">gap</th><th class=\"n\">tier 1</th><th class=\"n\">change</th>\
         <th class=\"n\">no liaison</th><th class=\"n\">posts changed</th><th class=\"n\">moved</th></tr></thead><tbody>",
    );
    for r in rows {
        let scenario = r.index.is_some();
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{:.2}%</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&r.name),
            escape(&r.status),
            r.gap * 100.0,
            hours(r.coverage),
            if scenario {
                format!("{:+}", (r.coverage_change * 100.0).round() / 100.0)
            } else {
                String::new()
            },
            r.unmet_counterparts,
            if scenario {
                r.posts_changed.to_string()
            } else {
                String::new()
            },
            if scenario {
                r.people_moved.to_string()
            } else {
                String::new()
            },
        );
    }
    b.push_str("</tbody></table></section>\n");
}

/// Approximate pixel width of `s` at 12 px: CJK characters are twice as wide.
fn text_width(s: &str) -> f64 {
    unicode_width::UnicodeWidthStr::width(s) as f64 * 6.6
}

/// Shortens a label to about `max` pixels (the figures table below has it in full).
fn clip(s: &str, max: f64) -> String {
    if text_width(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    for c in s.chars() {
        if text_width(&out) + 14.0 > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}
