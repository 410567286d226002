//! The HTML report: one self-contained page (inline CSS and SVG, no script, no network) with
//! the headline figures of a plan, a people x modules heatmap of hours, coverage per module,
//! a utilisation histogram and the uncovered duties; or, for a what-if batch, the scenarios
//! compared. Every figure carries its number in a `data-*` attribute so that tests can check
//! the charts against the plan.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Deserialize;

use super::{PlanFigures, hours};
use crate::model::{Instance, Plan};

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

const STYLE: &str = r#"
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --covered: #3f9e6e; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei",
  "PingFang SC", "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 24px auto;
  max-width: 1320px; padding: 0 16px; line-height: 1.4; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 150px; }
.card .v { font-size: 22px; font-weight: 600; }
.card .k { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; font-size: 13px; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
svg { max-width: 100%; height: auto; }
svg text { font-family: inherit; fill: var(--ink); }
.legend { font-size: 12px; color: var(--muted); }
.legend span { display: inline-block; width: 12px; height: 12px; vertical-align: middle; margin: 0 4px 0 12px; }
@media print { body { margin: 0; max-width: none; } section { break-inside: avoid; } }
"#;

/// Approximate pixel width of `s` at 12 px: CJK characters are twice as wide.
fn text_width(s: &str) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "short labels")]
    let w = unicode_width::UnicodeWidthStr::width(s) as f64;
    w * 6.6
}

/// Shortens a label to about `max` pixels.
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

/// Colour for uncovered hours of a weight class: heavier is redder.
fn weight_colour(rank: usize, classes: usize) -> String {
    const RAMP: [&str; 6] = [
        "#b91c1c", "#dc2626", "#ea580c", "#f59e0b", "#facc15", "#fde68a",
    ];
    if classes <= 1 {
        return RAMP[1].into();
    }
    let i = rank * (RAMP.len() - 1) / (classes - 1);
    RAMP[i.min(RAMP.len() - 1)].into()
}

/// Heatmap colour for `x` in 0..=1: white to deep blue.
fn heat(x: f64) -> String {
    let x = x.clamp(0.0, 1.0);
    let lerp = |a: f64, b: f64| {
        #[expect(clippy::cast_possible_truncation, reason = "0..=255")]
        #[expect(clippy::cast_sign_loss, reason = "0..=255")]
        let v = (a + (b - a) * x).round() as u8;
        v
    };
    format!(
        "#{:02x}{:02x}{:02x}",
        lerp(235.0, 8.0),
        lerp(244.0, 69.0),
        lerp(255.0, 148.0)
    )
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
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

/// Weight classes of the instance's duties, heaviest first, as (weight, label).
fn weight_classes(inst: &Instance) -> Vec<f64> {
    let mut w: Vec<f64> = inst.duties.iter().map(|d| d.weight).collect();
    w.sort_by(|a, b| b.total_cmp(a));
    w.dedup_by(|a, b| a.to_bits() == b.to_bits());
    w
}

/// The report of one plan.
#[must_use]
pub fn plan_report(inst: &Instance, plan: &Plan) -> String {
    let f = PlanFigures::new(inst, plan);
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<h1>modstaff plan: {}</h1>\n<p class=\"sub\">{}</p>",
        escape(&inst.name),
        escape(&super::headline(plan))
    );
    headline_section(&mut b, inst, plan, &f);
    heatmap_section(&mut b, inst, &f);
    coverage_section(&mut b, inst, plan, &f);
    utilisation_section(&mut b, inst, &f);
    uncovered_section(&mut b, inst, plan, &f);
    page(&format!("modstaff plan: {}", inst.name), &b)
}

/// The headline figures, as cards.
fn headline_section(b: &mut String, inst: &Instance, plan: &Plan, f: &PlanFigures<'_>) {
    let total: f64 = f.module_hours.iter().sum();
    let covered: f64 = f.covered.iter().sum();
    b.push_str("<section id=\"headline\"><div class=\"cards\">");
    card(
        b,
        "tier 1: weighted uncovered hours",
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
        &format!("hours covered of {}", hours(total)),
        "covered",
        &hours(covered),
    );
    card(
        b,
        "duties with uncovered hours",
        "uncovered-duties",
        &plan.uncovered.len().to_string(),
    );
    card(
        b,
        "posts held (tier 3)",
        "posts",
        &plan.objective.fragmentation.to_string(),
    );
    card(
        b,
        "posts changed (tier 2)",
        "stability",
        &plan.objective.stability.to_string(),
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
        &(listed.saturating_sub(plan.unmet_counterparts.len())).to_string(),
    );
    b.push_str("</div></section>\n");
}

/// People x modules: hours as shades of blue.
fn heatmap_section(b: &mut String, inst: &Instance, f: &PlanFigures<'_>) {
    let cw = 22.0;
    let ch = 16.0;
    let left = inst
        .staff
        .iter()
        .map(|p| text_width(&p.name).min(150.0))
        .fold(60.0_f64, f64::max)
        + 12.0;
    let top = inst
        .modules
        .iter()
        .map(|m| text_width(&m.name).min(150.0))
        .fold(40.0_f64, f64::max)
        * 0.72
        + 16.0;
    let max_h = f
        .hours
        .iter()
        .flatten()
        .copied()
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    let (w, h) = (
        left + cw * inst.modules.len() as f64 + 40.0,
        top + ch * inst.staff.len() as f64 + 10.0,
    );
    let _ = write!(
        b,
        "<section id=\"heatmap\"><h2>Hours per person and module</h2>\
         <p class=\"legend\">Darker is more hours (darkest: {} h); hover a cell for the figures.</p>\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" font-size=\"11\" role=\"img\" aria-label=\"heatmap of hours per person and module\">",
        hours(max_h)
    );
    for (j, m) in inst.modules.iter().enumerate() {
        #[expect(clippy::cast_precision_loss, reason = "small counts")]
        let x = left + cw * j as f64 + cw / 2.0;
        let _ = write!(
            b,
            "<text transform=\"translate({x:.1},{:.1}) rotate(-45)\" data-module-label=\"{}\">{}</text>",
            top - 6.0,
            escape(&m.id),
            escape(&clip(&m.name, 150.0))
        );
    }
    for (i, p) in inst.staff.iter().enumerate() {
        #[expect(clippy::cast_precision_loss, reason = "small counts")]
        let y = top + ch * i as f64;
        let _ = write!(
            b,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left - 6.0,
            y + ch - 4.0,
            escape(&clip(&p.name, 150.0))
        );
        for (j, m) in inst.modules.iter().enumerate() {
            #[expect(clippy::cast_precision_loss, reason = "small counts")]
            let x = left + cw * j as f64;
            let v = f.hours[i][j];
            let holds = f.posts[i].contains(&m.id.as_str());
            if v <= 0.0 && !holds {
                let _ = write!(
                    b,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cw}\" height=\"{ch}\" fill=\"#f8fafc\" stroke=\"#e5e9f0\" stroke-width=\"0.5\"/>"
                );
                continue;
            }
            let _ = write!(
                b,
                "<rect class=\"cell\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cw}\" height=\"{ch}\" fill=\"{}\" stroke=\"#94a3b8\" stroke-width=\"0.5\" data-person=\"{}\" data-module=\"{}\" data-hours=\"{}\"><title>{} · {}: {} h</title></rect>",
                heat(v / max_h),
                escape(&p.id),
                escape(&m.id),
                hours(v),
                escape(&p.name),
                escape(&m.name),
                hours(v)
            );
        }
    }
    b.push_str("</svg></section>\n");
}

/// Coverage per module: covered hours, then uncovered hours by weight class.
fn coverage_section(b: &mut String, inst: &Instance, plan: &Plan, f: &PlanFigures<'_>) {
    let classes = weight_classes(inst);
    let mut unc: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); inst.modules.len()];
    for u in &plan.uncovered {
        if let Some(&d) = inst.ids.duties.get(&u.duty) {
            let duty = inst.duty(d);
            let k = classes
                .iter()
                .position(|w| w.to_bits() == duty.weight.to_bits())
                .unwrap_or(0);
            *unc[duty.module.index()].entry(k).or_default() += u.hours;
        }
    }
    let max_total = f
        .module_hours
        .iter()
        .copied()
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let left = inst
        .modules
        .iter()
        .map(|m| text_width(&m.name).min(220.0))
        .fold(60.0_f64, f64::max)
        + 12.0;
    let bar_w = 700.0;
    let row_h = 20.0;
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    let h = row_h * inst.modules.len() as f64 + 10.0;
    let w = left + bar_w + 120.0;
    let _ = write!(
        b,
        "<section id=\"coverage\"><h2>Coverage per module</h2><p class=\"legend\">\
         <span style=\"background:var(--covered)\"></span>covered"
    );
    for (k, wt) in classes.iter().enumerate() {
        let _ = write!(
            b,
            "<span style=\"background:{}\"></span>uncovered, weight {}",
            weight_colour(k, classes.len()),
            hours(*wt)
        );
    }
    let _ = write!(
        b,
        "</p><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" font-size=\"12\" role=\"img\" aria-label=\"coverage per module\">"
    );
    for (j, m) in inst.modules.iter().enumerate() {
        #[expect(clippy::cast_precision_loss, reason = "small counts")]
        let y = row_h * j as f64 + 4.0;
        let total = f.module_hours[j];
        let uncovered: f64 = unc[j].values().sum();
        let _ = write!(
            b,
            "<g class=\"module-bar\" data-module=\"{}\" data-total=\"{}\" data-covered=\"{}\" data-uncovered=\"{}\">\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            escape(&m.id),
            hours(total),
            hours(f.covered[j]),
            hours(uncovered),
            left - 6.0,
            y + 12.0,
            escape(&clip(&m.name, 220.0))
        );
        let scale = bar_w / max_total;
        let mut x = left;
        let cov_w = f.covered[j] * scale;
        let _ = write!(
            b,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cov_w:.1}\" height=\"{:.1}\" fill=\"#3f9e6e\"><title>{}: {} h covered</title></rect>",
            row_h - 6.0,
            escape(&m.name),
            hours(f.covered[j])
        );
        x += cov_w;
        for (&k, &hrs) in &unc[j] {
            let ww = hrs * scale;
            let _ = write!(
                b,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{ww:.1}\" height=\"{:.1}\" fill=\"{}\" data-weight=\"{}\" data-hours=\"{}\"><title>{}: {} h uncovered at weight {}</title></rect>",
                row_h - 6.0,
                weight_colour(k, classes.len()),
                hours(classes[k]),
                hours(hrs),
                escape(&m.name),
                hours(hrs),
                hours(classes[k])
            );
            x += ww;
        }
        let _ = write!(
            b,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#616e7c\">{} / {} h</text></g>",
            x + 6.0,
            y + 12.0,
            hours(f.covered[j]),
            hours(total)
        );
    }
    b.push_str("</svg></section>\n");
}

/// Utilisation histogram: hours worked / capacity.
fn utilisation_section(b: &mut String, inst: &Instance, f: &PlanFigures<'_>) {
    let mut bins = [0_usize; 11];
    for (i, p) in inst.staff.iter().enumerate() {
        let u = if p.capacity > 0.0 {
            f.load[i] / p.capacity
        } else {
            0.0
        };
        // Ten 10% bins and a last one for exactly full (the usual case for a tight plan).
        #[expect(clippy::cast_possible_truncation, reason = "0..=10")]
        #[expect(clippy::cast_sign_loss, reason = "non-negative")]
        let k = if u >= 1.0 - 1e-9 {
            10
        } else {
            ((u * 10.0).floor().max(0.0) as usize).min(9)
        };
        bins[k] += 1;
    }
    let max_bin = bins.iter().copied().max().unwrap_or(0).max(1);
    let (bw, bh, base) = (56.0, 180.0, 210.0);
    let _ = write!(
        b,
        "<section id=\"utilisation\"><h2>Utilisation: hours worked / capacity</h2>\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"250\" viewBox=\"0 0 {:.0} 250\" font-size=\"12\" role=\"img\" aria-label=\"utilisation histogram\">",
        40.0 + bw * 11.0,
        40.0 + bw * 11.0
    );
    for (k, &n) in bins.iter().enumerate() {
        #[expect(clippy::cast_precision_loss, reason = "small counts")]
        let (x, hh) = (30.0 + bw * k as f64, bh * n as f64 / max_bin as f64);
        let label = if k == 10 {
            "100%".to_owned()
        } else {
            format!("{}–{}%", k * 10, k * 10 + 10)
        };
        let _ = write!(
            b,
            "<g class=\"bin\" data-bin=\"{k}\" data-count=\"{n}\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{hh:.1}\" fill=\"{}\"><title>{label}: {n} people</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{n}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{label}</text></g>",
            x + 4.0,
            base - hh,
            bw - 8.0,
            if k == 10 { "#1d4ed8" } else { "#60a5fa" },
            x + bw / 2.0,
            base - hh - 4.0,
            x + bw / 2.0,
            base + 16.0
        );
    }
    b.push_str("</svg></section>\n");
}

/// Uncovered duties with their reasons, then counterparts without a liaison and modules
/// below their floor.
fn uncovered_section(b: &mut String, inst: &Instance, plan: &Plan, f: &PlanFigures<'_>) {
    b.push_str("<section id=\"uncovered\"><h2>Uncovered duties and why</h2>");
    if plan.uncovered.is_empty() {
        b.push_str("<p>Every duty is fully covered.</p>");
    } else {
        b.push_str(
            "<table><thead><tr><th>duty</th><th>module</th><th class=\"n\">hours</th>\
             <th class=\"n\">weight</th><th class=\"n\">weighted</th><th>reason</th></tr></thead><tbody>",
        );
        for u in f.uncovered_sorted() {
            let module = inst
                .ids
                .modules
                .get(&u.module)
                .map_or(u.module.as_str(), |&m| inst.module(m).name.as_str());
            let _ = write!(
                b,
                "<tr class=\"uncovered\" data-duty=\"{}\" data-hours=\"{}\"><td>{}</td><td>{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                escape(&u.duty),
                hours(u.hours),
                escape(&u.duty),
                escape(module),
                hours(u.hours),
                hours(u.weight),
                hours(u.weight * u.hours),
                escape(&u.reason)
            );
        }
        b.push_str("</tbody></table>");
    }
    if !plan.unmet_counterparts.is_empty() || !plan.understaffed.is_empty() {
        b.push_str("<h2>Counterparts without a liaison, modules below their floor</h2><ul>");
        for c in &plan.unmet_counterparts {
            let name = inst
                .ids
                .counterparts
                .get(c)
                .map_or(c.as_str(), |&i| inst.counterparts[i.index()].name.as_str());
            let _ = write!(
                b,
                "<li data-unmet=\"{}\">{}: no liaison (penalty {})</li>",
                escape(c),
                escape(name),
                hours(inst.rules.liaison_weight)
            );
        }
        for u in &plan.understaffed {
            let _ = write!(
                b,
                "<li data-understaffed=\"{}\">{}: {} below min_staff</li>",
                escape(&u.module),
                escape(&u.module),
                u.missing
            );
        }
        b.push_str("</ul>");
    }
    b.push_str("</section>\n");
}

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
pub fn batch_report(inst: &Instance, rows: &[BatchRow]) -> String {
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
    page(&format!("modstaff what-if: {}", inst.name), &b)
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
    /// Weight classes, heaviest first, as (weight, label).
    weights: Vec<(f64, String)>,
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
        #[expect(clippy::cast_precision_loss, reason = "small counts")]
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
                weight_colour(k, self.weights.len()),
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
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    let h = bars.row_h * rows.len() as f64 + 30.0;
    let w = bars.left + 2.0 * bars.bar_w + 200.0;
    b.push_str("<section id=\"scenarios\"><h2>Scenarios compared</h2><p class=\"legend\">left: tier 1 (baseline dark); right: uncovered hours by weight");
    for (k, (_, wl)) in bars.weights.iter().enumerate() {
        let _ = write!(
            b,
            "<span style=\"background:{}\"></span>weight {}",
            weight_colour(k, bars.weights.len()),
            escape(wl)
        );
    }
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
