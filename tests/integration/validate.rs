//! `modstaff validate`: one fixture per rule, each with its exact message (snapshot).

use crate::common::{json_files, modstaff, stem};

#[test]
fn every_invalid_fixture_is_rejected_with_its_message() {
    let files = json_files("tests/fixtures/invalid");
    assert!(files.len() >= 30, "fixtures missing: {}", files.len());
    for file in files {
        let rel = format!("tests/fixtures/invalid/{}.json", stem(&file));
        let run = modstaff(["validate", &rel]);
        assert_eq!(run.code, 2, "{rel} must be rejected:\n{}", run.snapshot());
        assert!(
            run.stdout.is_empty(),
            "{rel}: nothing on stdout when invalid"
        );
        // Every message names the file it is about.
        for line in run.stderr.lines().filter(|l| l.starts_with("error: ")) {
            assert!(
                line.contains(&rel),
                "{rel}: message without the file: {line}"
            );
        }
        insta::assert_snapshot!(format!("invalid-{}", stem(&file)), run.snapshot());
    }
}

#[test]
fn warnings_do_not_fail_validation() {
    for file in json_files("tests/fixtures/warnings") {
        let rel = format!("tests/fixtures/warnings/{}.json", stem(&file));
        let run = modstaff(["validate", &rel]);
        assert_eq!(run.code, 0, "{rel}:\n{}", run.snapshot());
        assert!(run.stderr.contains("warning: "), "{rel} should warn");
        insta::assert_snapshot!(format!("warning-{}", stem(&file)), run.snapshot());
    }
}

#[test]
fn valid_fixture_prints_a_summary() {
    let run = modstaff(["validate", "tests/fixtures/valid/small.json"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    assert!(
        run.stderr.is_empty(),
        "no warnings expected: {}",
        run.stderr
    );
    assert_eq!(
        run.stdout,
        "ok: tests/fixtures/valid/small.json: `fixture`: 2 staff, 2 modules, 2 duties, 1 counterparts (1 listed); 20 h of duties vs 70 h of capacity (0.29x)\n"
    );
}

#[test]
fn all_errors_are_reported_not_just_the_first() {
    let run = modstaff(["validate", "tests/fixtures/invalid/many-errors.json"]);
    let errors = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: tests"))
        .count();
    assert_eq!(errors, 5, "{}", run.stderr);
}

#[test]
fn json_format_gives_data() {
    let run = modstaff([
        "validate",
        "--format",
        "json",
        "tests/fixtures/invalid/unknown-field.json",
    ]);
    assert_eq!(run.code, 2);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json on stdout");
    assert_eq!(v["valid"], false);
    assert_eq!(v["diagnostics"][0]["path"], "staff[1].capasity");
    assert_eq!(v["diagnostics"][0]["hint"], "did you mean `capacity`?");
    assert_eq!(v["diagnostics"][0]["line"], 48);
}

#[test]
fn missing_file_is_a_usage_error() {
    let run = modstaff(["validate", "no/such/file.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot read `no/such/file.json`"),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    assert_eq!(modstaff(["validate"]).code, 2);
    assert_eq!(modstaff(["frobnicate"]).code, 2);
    let help = modstaff(["--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("validate") && help.stdout.contains("check"));
    let version = modstaff(["--version"]);
    assert_eq!(version.code, 0);
    assert!(version.stdout.starts_with("modstaff "));
}

/// Instances beyond the size caps are refused before anything is solved, naming the cap and
/// the flag that raises it; the flags raise them.
#[test]
fn size_caps_name_their_flag() {
    let run = modstaff([
        "validate",
        "instances/tiny.json",
        "--max-people",
        "2",
        "--max-duties",
        "3",
        "--max-posts",
        "5",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    for needle in [
        "more than the cap of 2",
        "`--max-people`",
        "more than the cap of 3",
        "`--max-duties`",
        "more than the cap of 5",
        "`--max-posts`",
    ] {
        assert!(run.stderr.contains(needle), "{needle}: {}", run.stderr);
    }
    let run = modstaff(["solve", "instances/tiny.json", "--max-people", "2"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    let run = modstaff(["validate", "instances/tiny.json", "--max-people", "1000"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}
