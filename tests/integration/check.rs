//! `modstaff check`: a valid hand-made plan, and one plan per broken rule naming that rule.

use crate::common::{json_files, modstaff, stem};

/// Fixture -> the rule `check` must name (other rules may be broken too where the tiny
/// instance cannot break one alone).
const EXPECTED: &[(&str, &str)] = &[
    ("bound-above-value", "status"),
    ("capacity", "capacity"),
    ("conflict", "conflict"),
    ("duplicate-post", "duplicate_row"),
    ("instance-name", "instance_name"),
    ("liaison-without-post", "liaison_without_post"),
    ("max-liaisons", "max_liaisons"),
    ("max-posts", "max_posts"),
    ("missing-post", "missing_post"),
    ("module-cap", "module_cap"),
    ("negative-hours", "bad_hours"),
    ("not-qualified", "not_qualified"),
    ("not-splittable-partial", "not_splittable"),
    ("not-splittable-shared", "not_splittable"),
    ("objective-coverage", "objective"),
    ("objective-other-tiers", "objective"),
    ("over-covered", "over_covered"),
    ("skill", "skill"),
    ("status-optimal-with-gap", "status"),
    ("summary-changes", "summary"),
    ("summary-totals", "summary"),
    ("summary-understaffed", "summary"),
    ("summary-uncovered", "summary"),
    ("summary-unmet", "summary"),
    ("two-liaisons", "two_liaisons"),
    ("unavailable", "not_qualified"),
    ("unit-cap", "unit_cap"),
    ("unknown-person", "unknown_id"),
    ("wrong-module", "wrong_module"),
];

#[test]
fn valid_plan_passes_with_exact_tiers() {
    let run = modstaff([
        "check",
        "instances/tiny.json",
        "tests/fixtures/check/valid-optimal.json",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(v["valid"], true);
    assert_eq!(v["recomputed"]["coverage"], 80.0);
    assert_eq!(v["recomputed"]["stability"], 1);
    assert_eq!(v["recomputed"]["fragmentation"], 4);
    assert_eq!(v["recomputed"]["balance"], 1.0);
    insta::assert_snapshot!(
        "check-valid-table",
        modstaff([
            "check",
            "instances/tiny.json",
            "tests/fixtures/check/valid-optimal.json"
        ])
        .snapshot()
    );
}

/// A plan from another tool: posts, assignments without modules, liaisons; no status,
/// solver, objective or summaries. Everything else is recomputed.
#[test]
fn a_minimal_plan_is_checked_and_completed() {
    let run = modstaff([
        "check",
        "instances/tiny.json",
        "tests/fixtures/check/valid-minimal.json",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(v["valid"], true);
    assert_eq!(v["recomputed"]["coverage"], 80.0);
    assert_eq!(v["recomputed"]["stability"], 1);
    assert!(
        v["declared"]
            .as_object()
            .is_some_and(serde_json::Map::is_empty)
    );

    let (inst, _) =
        modstaff::io::load_instance(std::path::Path::new("instances/tiny.json")).expect("tiny");
    let minimal = modstaff::io::load_plan(std::path::Path::new(
        "tests/fixtures/check/valid-minimal.json",
    ))
    .expect("minimal plan");
    let (full, report) = modstaff::complete_plan(&inst, &minimal);
    assert!(report.is_valid());
    // The completed plan is a whole plan: it passes the checker with every figure declared.
    assert!(modstaff::check(&inst, &full).is_valid());
    assert_eq!(full.instance, "tiny");
    assert!(full.assignments.iter().all(|a| !a.module.is_empty()));
    assert_eq!(full.changes.len(), 1, "{:?}", full.changes);
    let totals = full.totals.expect("totals");
    assert_eq!(totals.people_moving, 1);
    assert!(totals.hours > totals.uncovered_hours);
}

#[test]
fn every_broken_plan_fails_naming_its_rule() {
    let files = json_files("tests/fixtures/check");
    let names: Vec<String> = files
        .iter()
        .map(|f| stem(f))
        .filter(|n| !n.starts_with("valid-"))
        .collect();
    let mut listed: Vec<&str> = EXPECTED.iter().map(|(n, _)| *n).collect();
    listed.sort_unstable();
    assert_eq!(
        names, listed,
        "every fixture has an expected rule and vice versa"
    );
    for (name, rule) in EXPECTED {
        let plan = format!("tests/fixtures/check/{name}.json");
        let run = modstaff(["check", "instances/tiny.json", &plan, "--format", "json"]);
        assert_eq!(run.code, 1, "{name}:\n{}", run.snapshot());
        let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
        let kinds: Vec<&str> = v["violations"]
            .as_array()
            .expect("violations")
            .iter()
            .filter_map(|x| x["kind"].as_str())
            .collect();
        assert!(
            kinds.contains(rule),
            "{name}: expected `{rule}`, got {kinds:?}"
        );
        let table = modstaff(["check", "instances/tiny.json", &plan]);
        insta::assert_snapshot!(format!("check-{name}"), table.snapshot());
    }
}

#[test]
fn unreadable_plan_is_bad_input_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("report.txt");
    let run = modstaff([
        "check",
        "instances/tiny.json",
        "tests/fixtures/bad-plans/truncated.json",
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stderr.contains("not valid JSON"), "{}", run.stderr);
    assert!(!out.exists(), "nothing written on bad input");
    let run = modstaff([
        "check",
        "tests/fixtures/invalid/many-errors.json",
        "tests/fixtures/check/valid-optimal.json",
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(run.code, 2);
    assert!(!out.exists(), "nothing written on an invalid instance");
}

#[test]
fn plan_with_unknown_field_is_rejected_with_its_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = dir.path().join("plan.json");
    let text = std::fs::read_to_string(crate::common::path(
        "tests/fixtures/check/valid-optimal.json",
    ))
    .expect("fixture")
    .replacen("\"hours\": 20", "\"hours\": 20, \"hourz\": 1", 1);
    std::fs::write(&plan, text).expect("write");
    let run = modstaff([
        "check",
        "instances/tiny.json",
        plan.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stderr.contains("assignments[0]"), "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown field `hourz`"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_writes_its_report_atomically_to_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("report.md");
    let run = modstaff([
        "check",
        "instances/tiny.json",
        "tests/fixtures/check/capacity.json",
        "--format",
        "md",
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(run.code, 1);
    let text = std::fs::read_to_string(&out).expect("report written");
    assert!(text.starts_with("# plan is NOT valid"), "{text}");
    assert!(text.contains("| capacity | cai |"), "{text}");
}

/// A plan that drops a pinned post (`fixed_posts`) breaks constraint 9: `check` names the
/// person and the module, and that rule alone (the plan is otherwise `valid-optimal.json`).
#[test]
fn a_plan_without_a_pinned_post_fails_naming_the_pin() {
    let instance = "tests/fixtures/valid/tiny-pinned.json";
    let plan = "tests/fixtures/bad-plans/missing-pin.json";
    let run = modstaff(["check", instance, plan, "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let violations = v["violations"].as_array().expect("violations");
    assert_eq!(violations.len(), 1, "{}", run.stdout);
    assert_eq!(violations[0]["kind"], "missing_pin");
    assert_eq!(violations[0]["people"], serde_json::json!(["ann"]));
    assert_eq!(violations[0]["modules"], serde_json::json!(["funds"]));
    assert_eq!(
        violations[0]["message"],
        "`ann` is pinned to `funds` but the plan does not give them that post"
    );
    let table = modstaff(["check", instance, plan]);
    assert_eq!(table.code, 1);
    assert!(
        table.stdout.contains("missing_pin  ann"),
        "{}",
        table.stdout
    );
}
