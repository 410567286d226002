//! Coverage per module as stacked bars and the utilisation histogram.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::escape;
use super::palette::WeightClasses;
use crate::model::{Instance, Plan};
use crate::report::{PlanFigures, hours, words};

/// The legend of the weight classes: one numbered swatch per class, darkest (heaviest) first.
pub(super) fn weight_legend(b: &mut String, classes: &WeightClasses) {
    for k in 0..classes.len() {
        let c = classes.colour(k);
        let _ = write!(
            b,
            "<span class=\"swatch\" data-weight-class=\"{k}\" data-colour=\"{}\" \
             style=\"background:{};color:{}\">{}</span>",
            c.hex(),
            c.hex(),
            c.ink(),
            escape(&classes.label(k))
        );
    }
}

/// Coverage per module: covered hours, then uncovered hours by weight class, as bars scaled
/// to the largest module, with the figures beside them.
pub(super) fn coverage(b: &mut String, inst: &Instance, plan: &Plan, f: &PlanFigures<'_>) {
    let classes = WeightClasses::new(inst.duties.iter().map(|d| d.weight));
    let mut unc: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); inst.modules.len()];
    for u in &plan.uncovered {
        if let Some(&d) = inst.ids.duties.get(&u.duty) {
            let duty = inst.duty(d);
            *unc[duty.module.index()]
                .entry(classes.class_of(duty.weight))
                .or_default() += u.hours;
        }
    }
    let max_total = f
        .module_hours
        .iter()
        .copied()
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    b.push_str(
        "<section id=\"coverage\" class=\"newpage\"><h2>Coverage per module</h2>\
         <p class=\"legend\"><span class=\"swatch hatch\">&#160;</span>covered; uncovered by \
         duty weight:",
    );
    weight_legend(b, &classes);
    b.push_str(
        "</p><table><thead><tr><th>module</th><th style=\"width:38%\">hours</th>\
         <th class=\"n\">covered of total</th><th>uncovered (h at weight)</th></tr></thead><tbody>",
    );
    for (j, m) in inst.modules.iter().enumerate() {
        let total = f.module_hours[j];
        let uncovered: f64 = unc[j].values().sum();
        let _ = write!(
            b,
            "<tr class=\"module-bar\" data-module=\"{}\" data-total=\"{}\" data-covered=\"{}\" \
             data-uncovered=\"{}\"><td>{}</td><td><div class=\"bar\" style=\"width:{:.1}%\">\
             <span class=\"hatch\" style=\"width:{:.2}%\"></span>",
            escape(&m.id),
            hours(total),
            hours(f.covered[j]),
            hours(uncovered),
            escape(&words::label(&m.name, &m.id)),
            total / max_total * 100.0,
            share(f.covered[j], total)
        );
        for (&k, &h) in &unc[j] {
            let c = classes.colour(k);
            let _ = write!(
                b,
                "<span data-weight=\"{}\" data-hours=\"{}\" style=\"width:{:.2}%;background:{}\"></span>",
                escape(&classes.label(k)),
                hours(h),
                share(h, total),
                c.hex()
            );
        }
        let parts: Vec<String> = unc[j]
            .iter()
            .map(|(&k, &h)| format!("{} h at {}", hours(h), classes.label(k)))
            .collect();
        let _ = write!(
            b,
            "</div></td><td class=\"n\">{} / {}</td><td>{}</td></tr>",
            hours(f.covered[j]),
            hours(total),
            escape(&parts.join(", "))
        );
    }
    b.push_str("</tbody></table></section>\n");
}

/// `part` as a percentage of `whole`.
fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        part / whole * 100.0
    } else {
        0.0
    }
}

/// Utilisation histogram: hours worked / capacity.
pub(super) fn utilisation(b: &mut String, inst: &Instance, f: &PlanFigures<'_>) {
    let mut bins = [0_usize; 11];
    for (i, p) in inst.staff.iter().enumerate() {
        let u = if p.capacity > 0.0 {
            f.load[i] / p.capacity
        } else {
            0.0
        };
        // Ten 10% bins and a last one for exactly full (the usual case for a tight plan).
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
         <p class=\"legend\">People per band of utilisation; the dark bar is those working \
         their full capacity.</p>\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"250\" viewBox=\"0 0 {:.0} 250\" font-size=\"12\" role=\"img\" aria-label=\"utilisation histogram\">",
        40.0 + bw * 11.0,
        40.0 + bw * 11.0
    );
    for (k, &n) in bins.iter().enumerate() {
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
            if k == 10 { "#1d4ed8" } else { "#93b4f5" },
            x + bw / 2.0,
            base - hh - 4.0,
            x + bw / 2.0,
            base + 16.0
        );
    }
    b.push_str("</svg></section>\n");
}
