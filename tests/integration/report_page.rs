//! Reads a plan report as a DOM and compares every figure on it with the plan: the headline,
//! the changes, the figures per unit, every heatmap cell, the weight shades, the liaisons and
//! the uncovered duties. Used on the page as written and on the page headless Chromium
//! rendered.

use std::collections::{BTreeMap, BTreeSet};

use modstaff::model::{ChangeKind, Instance, Plan};
use modstaff::report::{hours, words};
use scraper::{ElementRef, Html, Selector};

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e}"))
}

/// The visible text of an element, with runs of white space as one space.
pub fn text(e: ElementRef<'_>) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn attr<'a>(e: ElementRef<'a>, name: &str) -> &'a str {
    e.value()
        .attr(name)
        .unwrap_or_else(|| panic!("{name} missing on <{}>", e.value().name()))
}

/// The one element matching `css`.
fn one<'a>(page: &'a Html, css: &str) -> ElementRef<'a> {
    let selector = sel(css);
    let mut all = page.select(&selector);
    let first = all.next().unwrap_or_else(|| panic!("no {css}"));
    assert!(all.next().is_none(), "more than one {css}");
    first
}

/// A number as the page prints it, for sums.
fn num(s: &str) -> f64 {
    s.split_whitespace()
        .next()
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("not a number: {s:?}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.01
}

/// Relative luminance (WCAG) of `#rrggbb`.
pub fn luminance(hex: &str) -> f64 {
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex colour")) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
}

/// Every check of a plan report against `plan` (completed: with changes and totals).
pub fn check_plan_page(html: &str, inst: &Instance, plan: &Plan) {
    let page = Html::parse_document(html);
    headline(&page, inst, plan);
    changes(&page, inst, plan);
    units(&page, inst, plan);
    heatmap(&page, inst, plan);
    weight_shades(&page);
    liaisons(&page, inst, plan);
    uncovered(&page, inst, plan);
}

fn headline(page: &Html, inst: &Instance, plan: &Plan) {
    let t = plan.totals.expect("a completed plan has totals");
    assert_eq!(
        text(one(page, "[data-headline]")),
        words::headline(inst, plan)
    );
    let figure = |name: &str| text(one(page, &format!("[data-figure=\"{name}\"]")));
    assert_eq!(figure("uncovered-hours"), hours(t.uncovered_hours));
    assert_eq!(figure("uncovered-duties"), t.uncovered_duties.to_string());
    assert_eq!(figure("people-moving"), t.people_moving.to_string());
    assert_eq!(figure("covered"), hours(t.hours - t.uncovered_hours));
    assert_eq!(figure("coverage"), hours(plan.objective.coverage));
    assert_eq!(figure("stability"), plan.objective.stability.to_string());
    assert_eq!(figure("posts"), plan.objective.fragmentation.to_string());
    assert_eq!(figure("status"), plan.status.as_str());
}

fn changes(page: &Html, inst: &Instance, plan: &Plan) {
    let section = one(page, "section#changes");
    if plan.changes.is_empty() {
        assert!(text(one(page, "[data-nobody-moves]")).starts_with("Nobody moves"));
        return;
    }
    let mut shown = Vec::new();
    for row in section.select(&sel("tr[data-mover]")) {
        let person = attr(row, "data-mover");
        let first = row.select(&sel("td")).next().expect("person cell");
        assert_eq!(text(first), words::person(inst, person));
        for li in row.select(&sel("li[data-change]")) {
            assert_eq!(attr(li, "data-person"), person, "grouped by person");
            let module = attr(li, "data-module");
            assert!(
                text(li).starts_with(&words::module(inst, module)),
                "{}",
                text(li)
            );
            let h = li.select(&sel("span.h")).next().map(text);
            shown.push((
                person.to_owned(),
                module.to_owned(),
                attr(li, "data-change").to_owned(),
                h,
            ));
        }
    }
    let want: Vec<_> = plan
        .changes
        .iter()
        .map(|c| {
            (
                c.person.clone(),
                c.module.clone(),
                c.change.as_str().to_owned(),
                c.hours
                    .filter(|_| c.change == ChangeKind::Joined)
                    .map(hours),
            )
        })
        .collect();
    let (mut shown, mut want) = (shown, want);
    shown.sort();
    want.sort();
    assert_eq!(shown, want, "change rows");
    // Each person once.
    let movers: BTreeSet<&str> = plan.changes.iter().map(|c| c.person.as_str()).collect();
    assert_eq!(section.select(&sel("tr[data-mover]")).count(), movers.len());
}

/// The figures per unit: the cells people read sum to the plan's totals.
fn units(page: &Html, inst: &Instance, plan: &Plan) {
    let t = plan.totals.expect("totals");
    let cells = |row: ElementRef<'_>| -> Vec<String> { row.select(&sel("td")).map(text).collect() };
    let (mut worked, mut uncovered, mut changed) = (0.0, 0.0, 0.0);
    for row in page.select(&sel("section#units tbody tr")) {
        let c = cells(row);
        worked += num(&c[3]);
        uncovered += num(&c[4]);
        changed += num(&c[5]);
        // People: those holding a post in one of the unit's modules.
        let unit = attr(row, "data-unit");
        let holders: BTreeSet<&str> = plan
            .posts
            .iter()
            .filter(|p| {
                let m = inst.module(inst.ids.modules[&p.module]);
                m.unit.map_or("", |u| inst.units[u.index()].id.as_str()) == unit
            })
            .map(|p| p.person.as_str())
            .collect();
        assert_eq!(num(&c[2]), holders.len() as f64, "people of unit {unit}");
    }
    assert!(close(worked, t.hours - t.uncovered_hours), "hours worked");
    assert!(close(uncovered, t.uncovered_hours), "hours uncovered");
    assert_eq!(changed, plan.changes.len() as f64, "posts changed");
    assert_eq!(plan.changes.len() as u64, plan.objective.stability);
    let total = cells(one(page, "section#units tfoot tr"));
    assert!(close(num(&total[3]), worked));
    assert!(close(num(&total[4]), uncovered));
    assert_eq!(num(&total[5]), changed);
    let everyone: BTreeSet<&str> = plan.posts.iter().map(|p| p.person.as_str()).collect();
    assert_eq!(num(&total[2]), everyone.len() as f64);
}

/// Every cell shows the plan's hours for its (person, module), in text; posts joined and left
/// are marked; labels are whole.
fn heatmap(page: &Html, inst: &Instance, plan: &Plan) {
    let mut worked: BTreeMap<(String, String), f64> = BTreeMap::new();
    for a in &plan.assignments {
        *worked
            .entry((a.person.clone(), a.module.clone()))
            .or_default() += a.hours;
    }
    let mut shown: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut marked: BTreeSet<(String, String, String)> = BTreeSet::new();
    for td in page.select(&sel("section#heatmap td")) {
        let Some(person) = td.value().attr("data-person") else {
            assert_eq!(text(td), "", "a cell without a post shows nothing");
            continue;
        };
        let (module, post) = (attr(td, "data-module"), attr(td, "data-post"));
        let value = td.select(&sel("span.h")).next().map(text);
        if let Some(v) = &value {
            assert_eq!(v, attr(td, "data-hours"));
        }
        let key = (person.to_owned(), module.to_owned());
        assert!(
            shown
                .insert(key, value.unwrap_or_else(|| "0".into()))
                .is_none(),
            "cell {person} x {module} twice"
        );
        if post == "joined" || post == "left" {
            let mark = if post == "joined" { "+" } else { "×" };
            assert!(
                text(td).starts_with(mark),
                "{post} cell marked: {}",
                text(td)
            );
            marked.insert((person.to_owned(), module.to_owned(), post.to_owned()));
        }
    }
    for ((p, m), h) in &worked {
        assert_eq!(
            shown.get(&(p.clone(), m.clone())),
            Some(&hours(*h)),
            "heatmap cell {p} x {m}"
        );
    }
    for ((p, m), h) in &shown {
        if !worked.contains_key(&(p.clone(), m.clone())) {
            assert_eq!(h, "0", "cell {p} x {m} shows hours the plan does not have");
        }
    }
    let changes: BTreeSet<(String, String, String)> = plan
        .changes
        .iter()
        .map(|c| {
            (
                c.person.clone(),
                c.module.clone(),
                c.change.as_str().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        marked, changes,
        "posts joined and left marked in the heatmap"
    );
    // Full labels: "Name (id)", every module in some block, every person with a post in a row.
    let mut modules = BTreeSet::new();
    for th in page.select(&sel("section#heatmap th[data-module-label]")) {
        let id = attr(th, "data-module-label");
        assert_eq!(text(th), words::module(inst, id));
        modules.insert(id);
    }
    assert_eq!(modules.len(), inst.modules.len());
    for th in page.select(&sel("section#heatmap th[data-person-label]")) {
        assert_eq!(text(th), words::person(inst, attr(th, "data-person-label")));
    }
}

/// One shade per weight class, heaviest darkest, each clearly lighter than the one before
/// (so they stay apart in grey print), each with its number on it.
fn weight_shades(page: &Html) {
    let swatches: Vec<ElementRef<'_>> = page
        .select(&sel("section#coverage [data-weight-class]"))
        .collect();
    assert!(!swatches.is_empty());
    let y: Vec<f64> = swatches
        .iter()
        .map(|s| luminance(attr(*s, "data-colour")))
        .collect();
    for pair in y.windows(2) {
        assert!(
            pair[1] - pair[0] >= 0.03,
            "legend luminance must rise by at least 0.03 a class: {y:?}"
        );
    }
    for s in &swatches {
        assert!(
            attr(*s, "style").contains(attr(*s, "data-colour")),
            "the swatch is drawn in its colour"
        );
        assert!(!text(*s).is_empty(), "the swatch carries its weight");
    }
}

fn liaisons(page: &Html, inst: &Instance, plan: &Plan) {
    let listed = inst.listed_counterparts();
    let rows: Vec<ElementRef<'_>> = page.select(&sel("tr[data-counterpart]")).collect();
    assert_eq!(rows.len(), listed.iter().filter(|&&l| l).count());
    for row in rows {
        let c = attr(row, "data-counterpart");
        let people: Vec<String> = plan
            .liaisons
            .iter()
            .filter(|l| l.counterpart == c)
            .map(|l| words::person(inst, &l.person))
            .collect();
        let cell = text(row.select(&sel("td")).nth(2).expect("liaison cell"));
        if people.is_empty() {
            assert!(plan.unmet_counterparts.iter().any(|u| u == c));
            assert_eq!(cell, "no liaison");
            assert!(row.select(&sel(".none")).next().is_some(), "highlighted");
        } else {
            assert_eq!(cell, people.join(", "));
        }
    }
}

fn uncovered(page: &Html, inst: &Instance, plan: &Plan) {
    let section = one(page, "section#uncovered");
    let rows: Vec<ElementRef<'_>> = section.select(&sel("tr.uncovered")).collect();
    assert_eq!(rows.len(), plan.uncovered.len());
    for row in rows {
        let duty = attr(row, "data-duty");
        let first = row.select(&sel("td")).next().expect("duty cell");
        assert_eq!(text(first), words::duty(inst, duty));
    }
    assert!(
        !text(section).contains('`'),
        "reasons without Markdown backticks"
    );
    if plan.uncovered.iter().any(|u| u.reason.contains('`')) {
        assert!(section.select(&sel("code")).next().is_some());
    }
}
