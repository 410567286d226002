//! `modstaff report`: every chart is present and its numbers are the plan's; text is escaped;
//! the page needs no network; headless Chromium renders it (skipped when not installed).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

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
fn plan_report_has_every_chart_with_the_plans_numbers() {
    let dir = tempfile::tempdir().expect("scratch");
    let (json, plan_path) = solved_tiny(dir.path());
    let out = dir.path().join("report.html");
    let run = modstaff(["report", s(&json), s(&plan_path), "--out", s(&out)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(&out).expect("report written");
    let (inst, _) = load_instance(&json).expect("instance");
    let plan = modstaff::model::complete(&inst, &load_plan(&plan_path).expect("plan")).0;

    for id in [
        "headline",
        "heatmap",
        "coverage",
        "utilisation",
        "uncovered",
    ] {
        assert!(
            html.contains(&format!("<section id=\"{id}\"")),
            "section {id}"
        );
    }
    assert_eq!(
        html.matches("<svg ").count(),
        3,
        "heatmap, coverage, histogram"
    );
    // Self-contained: no script, no external resource.
    assert!(!html.contains("<script"));
    assert!(!html.contains("src="));
    assert!(!html.contains("href="));
    assert!(!html.contains("@import"));
    // Text is escaped.
    assert!(html.contains("张&lt;伟&gt;&amp;&quot;李&quot;"));
    assert!(!html.contains("张<伟>"));

    // Headline figures.
    let figure = |name: &str| {
        let key = format!("data-figure=\"{name}\">");
        let at = html.find(&key).unwrap_or_else(|| panic!("figure {name}")) + key.len();
        html[at..at + html[at..].find('<').expect("closing tag")].to_owned()
    };
    assert_eq!(figure("coverage"), hours(plan.objective.coverage));
    assert_eq!(figure("status"), plan.status.as_str());
    assert_eq!(figure("posts"), plan.objective.fragmentation.to_string());
    assert_eq!(figure("uncovered-duties"), plan.uncovered.len().to_string());

    // Heatmap: one cell per (person, module) worked, with the plan's hours.
    let mut worked: BTreeMap<(String, String), f64> = BTreeMap::new();
    for a in &plan.assignments {
        *worked
            .entry((a.person.clone(), a.module.clone()))
            .or_default() += a.hours;
    }
    let mut shown: BTreeMap<(String, String), String> = BTreeMap::new();
    for (i, _) in html.match_indices("<rect class=\"cell\"") {
        let tag = &html[i..i + html[i..].find('>').expect("tag end")];
        let get = |name: &str| attrs(tag, name)[0].to_owned();
        shown.insert((get("data-person"), get("data-module")), get("data-hours"));
    }
    // Cells without hours are posts held with no hours worked; every other cell is worked.
    for ((p, m), h) in &shown {
        assert!(
            h == "0" || worked.contains_key(&(p.clone(), m.clone())),
            "cell {p} x {m} shows {h} h that the plan does not have"
        );
    }
    for ((p, m), h) in &worked {
        assert_eq!(
            shown.get(&(p.clone(), m.clone())),
            Some(&hours(*h)),
            "heatmap cell {p} x {m}"
        );
    }

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
    let uncovered_total: f64 = attrs(&html, "data-uncovered")
        .iter()
        .map(|v| v.parse::<f64>().expect("number"))
        .sum();
    let planned: f64 = plan.uncovered.iter().map(|u| u.hours).sum();
    assert!((uncovered_total - planned).abs() < 0.01);

    // Histogram: everyone counted once.
    let people: usize = attrs(&html, "data-count")
        .iter()
        .map(|v| v.parse::<usize>().expect("count"))
        .sum();
    assert_eq!(people, inst.staff.len());

    // Uncovered duties with the plan's reasons.
    assert_eq!(
        html.matches("<tr class=\"uncovered\"").count(),
        plan.uncovered.len()
    );
    for u in &plan.uncovered {
        assert!(
            html.contains(&modstaff::report::html::escape(&u.reason)),
            "{}",
            u.reason
        );
    }
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

/// The Chromium binary, when installed.
fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|p| p.join(name))
                    .find(|p| p.is_file())
            })
        })
}

/// Renders the report in headless Chromium and checks a real picture comes out. CI has no
/// Chromium: the test then says it skipped.
#[test]
fn report_renders_in_headless_chromium() {
    let Some(chrome) = chromium() else {
        println!("skipped: chromium is not installed (apt-get install chromium)");
        eprintln!("skipped: chromium is not installed (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().expect("scratch");
    let (json, plan) = solved_tiny(dir.path());
    let html = dir.path().join("report.html");
    let run = modstaff(["report", s(&json), s(&plan), "--out", s(&html)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let png = dir.path().join("report.png");
    let profile = dir.path().join("profile");
    let status = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--screenshot={}", png.display()),
            "--window-size=1200,1600",
            &format!("file://{}", html.display()),
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("chromium runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    // A blank page compresses to a few kilobytes; charts and text make it much larger.
    assert!(
        bytes.len() > 20_000,
        "screenshot has content: {} bytes",
        bytes.len()
    );
}
