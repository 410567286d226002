//! `modstaff diff`: who moves between two plans, and what that does to the tiers.

use crate::common::modstaff;

fn s(p: &std::path::Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Plan A (solved tiny) and plan B (minimal: A without its first post and that post's hours),
/// with the post taken away and the duties that lose hours.
struct TwoPlans {
    a: std::path::PathBuf,
    b: std::path::PathBuf,
    person: String,
    module: String,
    lost: Vec<String>,
    /// Plan A as JSON.
    plan: serde_json::Value,
}

fn two_plans(dir: &std::path::Path) -> TwoPlans {
    let a = dir.join("a.json");
    let run = modstaff([
        "solve",
        "instances/tiny.json",
        "-q",
        "--work-limit",
        "200",
        "--out",
        s(&a),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Plan B: a minimal plan without the first post and its hours, as a person would edit it.
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&a).expect("plan")).expect("json");
    let gone = plan["posts"][0].clone();
    let (person, module) = (
        gone["person"].as_str().expect("person").to_owned(),
        gone["module"].as_str().expect("module").to_owned(),
    );
    let kept = |rows: &serde_json::Value| -> Vec<serde_json::Value> {
        rows.as_array()
            .expect("rows")
            .iter()
            .filter(|r| !(r["person"] == person.as_str() && r["module"] == module.as_str()))
            .cloned()
            .collect()
    };
    let lost: Vec<String> = plan["assignments"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["person"] == person.as_str() && r["module"] == module.as_str())
        .map(|r| r["duty"].as_str().expect("duty").to_owned())
        .collect();
    assert!(!lost.is_empty(), "the first post carries hours");
    let b_plan = serde_json::json!({
        "posts": kept(&plan["posts"]),
        "assignments": kept(&plan["assignments"]),
    });
    let b = dir.join("b.json");
    std::fs::write(&b, b_plan.to_string()).expect("written");
    TwoPlans {
        a,
        b,
        person,
        module,
        lost,
        plan,
    }
}

#[test]
fn a_post_taken_away_shows_as_a_move_and_newly_uncovered_work() {
    let dir = tempfile::tempdir().expect("scratch");
    let TwoPlans {
        a,
        b,
        person,
        module,
        lost,
        plan,
    } = two_plans(dir.path());
    let run = modstaff([
        "diff",
        "instances/tiny.json",
        s(&a),
        s(&b),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let d: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let moves = d["moves"].as_array().expect("moves");
    assert!(
        moves.iter().any(|m| m["person"] == person.as_str()
            && m["module"] == module.as_str()
            && m["change"] == "left"
            && m["hours"].as_f64().is_some_and(|h| h > 0.0)),
        "{moves:?}"
    );
    for duty in &lost {
        assert!(
            d["coverage"]
                .as_array()
                .expect("coverage")
                .iter()
                .any(|c| c["duty"] == duty.as_str() && c["b"].as_f64() > c["a"].as_f64()),
            "{duty} is newly uncovered: {}",
            d["coverage"]
        );
    }
    let (ca, cb) = (
        d["objective_a"]["coverage"].as_f64().expect("a"),
        d["objective_b"]["coverage"].as_f64().expect("b"),
    );
    assert!(cb > ca, "losing hours costs tier 1: {ca} -> {cb}");
    // Plan B has no liaisons: every liaison of A shows as lost.
    assert_eq!(
        d["liaisons"].as_array().expect("liaisons").len(),
        plan["liaisons"].as_array().expect("liaisons").len()
    );

    let run = modstaff([
        "diff",
        "instances/tiny.json",
        s(&a),
        s(&b),
        "--format",
        "md",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("# plan B against plan A"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("## Who moves"), "{}", run.stdout);
    let run = modstaff([
        "diff",
        "instances/tiny.json",
        s(&a),
        s(&b),
        "--format",
        "csv",
    ]);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with(&format!("move,{person},{module},"))),
        "{}",
        run.stdout
    );

    let run = modstaff(["diff", "instances/tiny.json", s(&a), s(&a)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("the plans are the same"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_report_compares_two_plans_when_asked() {
    let dir = tempfile::tempdir().expect("scratch");
    let TwoPlans {
        a,
        b,
        person,
        module,
        lost,
        ..
    } = two_plans(dir.path());
    // The HTML report of plan B against plan A says the same.
    let run = modstaff(["report", "instances/tiny.json", s(&b), "--against", s(&a)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("<h2>Against a.json</h2>"),
        "has the section"
    );
    let mark = format!("data-versus=\"left\" data-person=\"{person}\" data-module=\"{module}\"");
    assert!(run.stdout.contains(&mark), "the move is in the page");
    for duty in &lost {
        assert!(
            run.stdout
                .contains(&format!("data-duty=\"{duty}\" data-a=\"0\"")),
            "{duty} newly uncovered in the page"
        );
    }
}

#[test]
fn a_plan_that_cannot_be_read_is_exit_2() {
    let run = modstaff([
        "diff",
        "instances/tiny.json",
        "tests/fixtures/check/valid-optimal.json",
        "no-such-plan.json",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no-such-plan.json"), "{}", run.stderr);
}
