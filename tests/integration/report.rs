//! `modstaff report`: every section is present and its numbers are the plan's; text is
//! escaped; the page needs no network; its language follows the names. Headless Chromium's
//! rendering is checked in `report_browser`.

use std::path::{Path, PathBuf};

use modstaff::io::{load_instance, load_plan, to_raw};
use modstaff::report::hours;

use crate::common::{modstaff, path};

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Every value of `attr="..."` in `html`, in order.
fn attrs<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let key = format!("{attr}=\"");
    html.match_indices(&key)
        .map(|(i, _)| {
            let rest = &html[i + key.len()..];
            &rest[..rest.find('"').unwrap_or(0)]
        })
        .collect()
}

/// The instance `tiny` with a person renamed to something that must be escaped, solved.
fn solved_tiny(dir: &Path) -> (PathBuf, PathBuf) {
    let (inst, _) = load_instance(&path("instances/tiny.json")).expect("tiny");
    let mut raw = to_raw(&inst);
    raw.staff[0].name = Some("张<伟>&\"李\"".into());
    let json = dir.join("tiny.json");
    std::fs::write(&json, modstaff::report::to_json(&raw)).expect("written");
    let plan = dir.join("plan.json");
    let run = modstaff([
        "solve",
        s(&json),
        "-q",
        "--work-limit",
        "200",
        "--out",
        s(&plan),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    (json, plan)
}

#[test]
fn plan_report_has_every_section_with_the_plans_numbers() {
    let dir = tempfile::tempdir().expect("scratch");
    let (json, plan_path) = solved_tiny(dir.path());
    let out = dir.path().join("report.html");
    let run = modstaff(["report", s(&json), s(&plan_path), "--out", s(&out)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(&out).expect("report written");
    let (inst, _) = load_instance(&json).expect("instance");
    let plan = modstaff::model::complete(&inst, &load_plan(&plan_path).expect("plan")).0;

    let order: Vec<usize> = [
        "headline",
        "changes",
        "heatmap",
        "coverage",
        "units",
        "liaisons",
        "utilisation",
        "uncovered",
    ]
    .iter()
    .map(|id| {
        html.find(&format!("<section id=\"{id}\""))
            .unwrap_or_else(|| panic!("section {id}"))
    })
    .collect();
    assert!(
        order.is_sorted(),
        "headline and changes first, then the charts"
    );
    assert_eq!(html.matches("<svg ").count(), 1, "the histogram");
    // Self-contained: no script, no external resource.
    assert!(!html.contains("<script"));
    assert!(!html.contains("src="));
    assert!(!html.contains("href="));
    assert!(!html.contains("@import"));
    // Text is escaped.
    assert!(html.contains("张&lt;伟&gt;&amp;&quot;李&quot;"));
    assert!(!html.contains("张<伟>"));
    // One Chinese name among English ones: still an English page.
    assert!(html.contains("<html lang=\"en\">"));
    // Printing: A4, sections on new pages.
    assert!(html.contains("@page { size: A4"));
    assert!(html.contains("@media print"));
    crate::report_page::check_plan_page(&html, &inst, &plan);

    // Coverage bars: covered and uncovered hours per module.
    let bars: Vec<&str> = attrs(&html, "data-covered");
    assert_eq!(bars.len(), inst.modules.len());
    for (m, shown) in inst.modules.iter().zip(&bars) {
        let covered: f64 = plan
            .assignments
            .iter()
            .filter(|a| a.module == m.id)
            .map(|a| a.hours)
            .sum();
        assert_eq!(*shown, hours(covered), "covered hours of {}", m.id);
    }
    // Histogram: everyone counted once.
    let people: usize = attrs(&html, "data-count")
        .iter()
        .map(|v| v.parse::<usize>().expect("count"))
        .sum();
    assert_eq!(people, inst.staff.len());
}

/// `tiny` with every name in Chinese.
fn chinese_tiny(dir: &Path) -> PathBuf {
    let (inst, _) = load_instance(&path("instances/tiny.json")).expect("tiny");
    let mut raw = to_raw(&inst);
    for (i, p) in raw.staff.iter_mut().enumerate() {
        p.name = Some(format!("职员{i}"));
    }
    for (i, m) in raw.modules.iter_mut().enumerate() {
        m.name = Some(format!("模块{i}"));
    }
    for (i, d) in raw.duties.iter_mut().enumerate() {
        d.name = Some(format!("职责{i}"));
    }
    let json = dir.join("zh.json");
    std::fs::write(&json, modstaff::report::to_json(&raw)).expect("written");
    json
}

#[test]
fn the_page_language_follows_the_names_or_the_option() {
    let dir = tempfile::tempdir().expect("scratch");
    let zh = chinese_tiny(dir.path());
    let plan = path("tests/fixtures/identity/tiny.plan.json");
    let golden = std::fs::read_to_string(&plan).expect("golden");
    let plan = dir.path().join("plan.json");
    std::fs::write(&plan, golden.replace("<seconds>", "0.1")).expect("written");
    let run = modstaff(["report", s(&zh), s(&plan)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("<html lang=\"zh\">"));
    let run = modstaff(["report", s(&zh), s(&plan), "--lang", "en-GB"]);
    assert!(run.stdout.contains("<html lang=\"en-GB\">"));
    let run = modstaff(["report", s(&zh), s(&plan), "--lang", "x\"><script>"]);
    assert_eq!(run.code, 2, "not a language tag");
}

#[test]
fn a_plan_without_changes_says_nobody_moves() {
    let dir = tempfile::tempdir().expect("scratch");
    let (inst, _) = load_instance(&path("instances/tiny.json")).expect("tiny");
    // Today's posts, no hours: a plan that changes nothing.
    let posts: Vec<serde_json::Value> = inst
        .staff
        .iter()
        .flat_map(|p| {
            p.current_posts
                .iter()
                .map(|&m| serde_json::json!({"person": p.id, "module": inst.module(m).id}))
        })
        .collect();
    let plan = dir.path().join("today.json");
    std::fs::write(
        &plan,
        serde_json::json!({"posts": posts, "assignments": []}).to_string(),
    )
    .expect("written");
    let run = modstaff(["report", "instances/tiny.json", s(&plan)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Nobody moves"), "{}", run.stdout);
    let declared = load_plan(&plan).expect("plan");
    let plan = modstaff::model::complete(&inst, &declared).0;
    crate::report_page::check_plan_page(&run.stdout, &inst, &plan);
}

#[test]
fn a_large_bureau_is_split_into_blocks_that_fit_the_page() {
    let dir = tempfile::tempdir().expect("scratch");
    let golden = std::fs::read_to_string(path(
        "tests/fixtures/identity/longgang-enforcement.plan.json",
    ))
    .expect("golden");
    let plan = dir.path().join("plan.json");
    std::fs::write(&plan, golden.replace("<seconds>", "1")).expect("written");
    let instance = path("instances/longgang-enforcement.json");
    let run = modstaff(["report", s(&instance), s(&plan)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = run.stdout;
    let (inst, _) = load_instance(&instance).expect("instance");
    let plan = modstaff::model::complete(&inst, &load_plan(&plan).expect("plan")).0;
    crate::report_page::check_plan_page(&html, &inst, &plan);
    let blocks = html.matches("<table class=\"heat\"").count();
    assert_eq!(
        blocks,
        inst.modules.len().div_ceil(16),
        "blocks of at most 16 modules"
    );
    assert!(html.contains("split into"), "the page says it is split");
}

#[test]
fn batch_report_compares_the_scenarios() {
    let dir = tempfile::tempdir().expect("scratch");
    let jsonl = dir.path().join("batch.jsonl");
    let tiny = path("instances/tiny.json");
    let run = modstaff([
        "whatif",
        s(&tiny),
        "--sweep",
        "leave-one-out",
        "-q",
        "-t",
        "2",
        "-j",
        "1",
        "--format",
        "jsonl",
        "--out",
        s(&jsonl),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = modstaff(["report", s(&tiny), s(&jsonl)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = run.stdout;
    let rows =
        modstaff::report::html::parse_batch(&std::fs::read_to_string(&jsonl).expect("jsonl"))
            .expect("jsonl parses");
    assert_eq!(rows.len(), 4, "baseline and 3 scenarios");
    assert!(html.contains("<section id=\"scenarios\""));
    let names = attrs(&html, "data-name");
    let shown = attrs(&html, "data-coverage");
    assert_eq!(names.len(), rows.len());
    for ((r, n), c) in rows.iter().zip(names).zip(shown) {
        assert_eq!(n, modstaff::report::html::escape(&r.name));
        assert_eq!(c, hours(r.coverage));
    }
    // A file that is no batch: a clear error, exit 2.
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"name\": 1}\n").expect("written");
    let run = modstaff(["report", s(&tiny), s(&bad)]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("line 1"), "{}", run.stderr);
}
