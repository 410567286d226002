// The bodies of the fuzz targets, in one file used both by `fuzz/` (libFuzzer, nightly) and by
// the stable replay test `tests/integration/fuzz_replay.rs`, so that every seed and saved
// crash input is re-checked on every `cargo test`. Each body takes arbitrary bytes and must
// return normally: a panic (or, under libFuzzer, an allocation over the limit or a timeout)
// is a bug. See docs/fuzzing.md.

use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use modstaff::engine::{SolveOptions, Start, solve};
use modstaff::io::{load_instance, parse_instance, parse_plan, parse_plan_file, to_raw, validate};
use modstaff::model::{Instance, verify};
use modstaff::scenario::parse_scenarios;

/// The fixed instance plans and scenarios are read against.
const TINY: &str = include_str!("../../instances/tiny.json");

/// Splits the `csv_folder` input into files: 0xFF never occurs in UTF-8, so the separator
/// takes nothing away from what the files can say.
pub const CSV_SEPARATOR: u8 = 0xFF;

/// The files of a CSV folder, in the order the `csv_folder` input gives them.
pub const CSV_FILES: [&str; 7] = [
    "staff.csv",
    "modules.csv",
    "duties.csv",
    "rules.toml",
    "counterparts.csv",
    "units.csv",
    "skills.csv",
];

/// A body: bytes in, panics on a bug.
pub type Body = fn(&[u8]);

/// Every target by name (its folders under `fuzz/seeds/` and `fuzz/regressions/`).
pub const TARGETS: [(&str, Body); 8] = [
    ("instance_json", instance_json),
    ("plan_json", plan_json),
    ("plan_sheets", plan_sheets),
    ("scenario_toml", scenario_toml),
    ("csv_folder", csv_folder),
    ("workbook_xlsx", workbook_xlsx),
    ("mkp", mkp),
    ("solve_check", solve_check),
];

fn tiny() -> &'static Instance {
    static TINY_INSTANCE: OnceLock<Instance> = OnceLock::new();
    TINY_INSTANCE.get_or_init(|| {
        parse_instance(TINY, "tiny.json")
            .expect("instances/tiny.json is valid")
            .0
    })
}

/// The bytes as text the way the readers see a file: a leading BOM dropped. Invalid UTF-8
/// becomes U+FFFD rather than ending the run, so mutated bytes still reach the parsers.
fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data))
}

/// Instance JSON: never panics; a valid instance written back out (what `import` and
/// `export` do) reads back valid with the same ids.
pub fn instance_json(data: &[u8]) {
    let Ok((inst, _)) = parse_instance(&text(data), "fuzz.json") else {
        return;
    };
    let again = serde_json::to_string(&to_raw(&inst)).expect("an instance serialises");
    match parse_instance(&again, "again.json") {
        // Ids only: figures may differ in the last bit through serde_json's float parsing.
        Ok((back, _)) => assert_eq!(back.ids, inst.ids, "ids changed on the round trip"),
        Err(d) => panic!("a valid instance written out no longer reads:\n{d}\n{again}"),
    }
}

/// Plan JSON: never panics, and neither does checking whatever plan it reads against
/// tiny.json, nor taking it as a solve's start.
pub fn plan_json(data: &[u8]) {
    if let Ok(plan) = parse_plan(&text(data), "fuzz.json") {
        use_plan(&plan);
    }
}

/// What the commands do with a plan read against tiny.json: check it, complete it, take it
/// as a start.
fn use_plan(plan: &modstaff::model::DeclaredPlan) {
    let _ = modstaff::model::verify_declared(tiny(), plan);
    let _ = modstaff::model::complete(tiny(), plan);
    let _ = Start::from_plan(tiny(), plan);
}

/// A plan as sheets: the bytes read as the plan workbook and as the plan CSV file; neither
/// reader panics, and neither does using whatever plan they read.
pub fn plan_sheets(data: &[u8]) {
    for name in ["x.xlsx", "x.csv"] {
        if let Ok((plan, _)) = parse_plan_file(data, name) {
            use_plan(&plan);
        }
    }
}

/// Scenario TOML against tiny.json: never panics; every scenario it accepts applies to the
/// baseline (the parser checks each edited instance), the same way twice.
pub fn scenario_toml(data: &[u8]) {
    let base = tiny();
    let Ok(scenarios) = parse_scenarios(&text(data), "fuzz.toml", base) else {
        return;
    };
    for s in &scenarios {
        let first = s
            .apply(base)
            .unwrap_or_else(|d| panic!("accepted scenario `{}` does not apply:\n{d}", s.name));
        let second = s.apply(base).expect("applied once, applies again");
        assert_eq!(first, second, "scenario `{}` is not deterministic", s.name);
    }
}

/// A fresh temporary folder, in memory where the system has one: creating files on a disk
/// file system costs more than reading them.
fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    shm.is_dir()
        .then(|| tempfile::tempdir_in(shm).ok())
        .flatten()
        .unwrap_or_else(|| tempfile::tempdir().expect("a temporary folder"))
}

/// A CSV folder: the input split at [`CSV_SEPARATOR`] into up to seven files, in the order
/// of [`CSV_FILES`] (files past the last part are absent), loaded as an instance.
pub fn csv_folder(data: &[u8]) {
    let dir = scratch();
    for (name, part) in CSV_FILES.iter().zip(data.split(|&b| b == CSV_SEPARATOR)) {
        std::fs::write(dir.path().join(name), part).expect("the file is written");
    }
    let _ = load_instance(dir.path());
}

/// A workbook: the bytes as `x.xlsx`, loaded as an instance.
pub fn workbook_xlsx(data: &[u8]) {
    let dir = scratch();
    let path = dir.path().join("x.xlsx");
    std::fs::write(&path, data).expect("the workbook is written");
    let _ = load_instance(&path);
}

/// An MKP benchmark file: parsed and, when it parses, validated.
pub fn mkp(data: &[u8]) {
    if let Ok(raw) = modstaff::io::mkp::parse_mkp(&text(data), "fuzz.txt", "fuzz") {
        let _ = validate(&raw);
    }
}

/// Most staff and duties of an instance worth solving here: larger ones would spend the
/// fuzzer's time in the search rather than in new inputs.
const SOLVE_MAX_STAFF: usize = 12;
const SOLVE_MAX_DUTIES: usize = 40;

/// A small valid instance, solved on a tiny budget: the plan must pass the independent
/// checker, and the bound must not exceed the plan's value.
pub fn solve_check(data: &[u8]) {
    let Ok((inst, _)) = parse_instance(&text(data), "fuzz.json") else {
        return;
    };
    if inst.staff.len() > SOLVE_MAX_STAFF || inst.duties.len() > SOLVE_MAX_DUTIES {
        return;
    }
    let options = SolveOptions {
        // The work limit stops the search deterministically; the time limit only bounds
        // what the work limit does not (enumeration, settling the final plan).
        time_limit: Duration::from_millis(50),
        work_limit: Some(200),
        threads: 1,
        seed: 0,
        ..SolveOptions::default()
    };
    let sol = solve(&inst, &options);
    let report = verify(&inst, &sol.plan);
    assert!(
        report.is_valid(),
        "the solver's plan fails the check: {:#?}",
        report.violations
    );
    let value = sol.plan.objective.coverage;
    assert!(
        sol.bound <= value + 1e-6 * value.abs().max(1.0),
        "bound {} above the plan's value {value}",
        sol.bound
    );
    // Started from its own plan with no search step, a solve never does worse in tier 1.
    let (start, _) = Start::from_plan(&inst, &modstaff::model::DeclaredPlan::from(&sol.plan));
    let again = solve(
        &inst,
        &SolveOptions {
            work_limit: Some(0),
            start: Some(std::sync::Arc::new(start)),
            ..options
        },
    );
    let report = verify(&inst, &again.plan);
    assert!(
        report.is_valid(),
        "the plan from a start fails the check: {:#?}",
        report.violations
    );
    let from_start = again.plan.objective.coverage;
    assert!(
        from_start <= value + 1e-6 * value.abs().max(1.0),
        "started from a plan of value {value}, the solve returned {from_start}"
    );
}
