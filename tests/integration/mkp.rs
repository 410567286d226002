//! `modstaff import mkp` and the engine on multiple knapsack instances.

use std::time::Duration;

use modstaff::engine::{SolveOptions, solve};
use modstaff::model::{PlanStatus, verify};

use crate::common::{modstaff, path};

/// The best profit by brute force over every assignment of items to knapsacks or none.
fn brute_force(caps: &[f64], items: &[(f64, f64)]) -> f64 {
    fn go(caps: &mut Vec<f64>, items: &[(f64, f64)], j: usize) -> f64 {
        if j == items.len() {
            return 0.0;
        }
        let (w, p) = items[j];
        let mut best = go(caps, items, j + 1);
        for i in 0..caps.len() {
            if caps[i] >= w {
                caps[i] -= w;
                best = best.max(p + go(caps, items, j + 1));
                caps[i] += w;
            }
        }
        best
    }
    go(&mut caps.to_vec(), items, 0)
}

#[test]
fn import_mkp_writes_a_valid_instance() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small.json");
    let run = modstaff([
        "import".as_ref(),
        "mkp".as_ref(),
        path("tests/fixtures/mkp/small.txt").as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = modstaff(["validate".as_ref(), out.as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("\"splittable\": false"));
}

#[test]
fn import_mkp_reports_bad_input_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bad.json");
    let run = modstaff([
        "import".as_ref(),
        "mkp".as_ref(),
        "tests/fixtures/mkp/bad.txt".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(!out.exists());
    insta::assert_snapshot!(run.stderr, @r"
    error: tests/fixtures/mkp/bad.txt: capacities[1]: the capacity of knapsack 2 must be a number >= 0, found `-1` (line 4, column 1)
    error: tests/fixtures/mkp/bad.txt: items[1].profit: the profit of item 2 must be a number, found `x` (line 6, column 3)
    error: tests/fixtures/mkp/bad.txt: items[2].weight: missing the weight of item 3: the file ends early (line 6, column 4; hint: the format is `m`, `n`, m capacities, then n lines `weight profit`)

    error: invalid input `tests/fixtures/mkp/bad.txt`: 3 error(s), 0 warning(s)
    ");
    let run = modstaff(["import", "mkp", "tests/fixtures/mkp/missing.txt"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot read"), "{}", run.stderr);
}

#[test]
fn mkp_optimum_is_found_and_proven() {
    let (raw, (inst, _)) =
        modstaff::io::mkp::load_mkp(&path("tests/fixtures/mkp/small.txt")).unwrap();
    let caps: Vec<f64> = raw.staff.iter().map(|s| s.capacity.unwrap()).collect();
    let items: Vec<(f64, f64)> = raw
        .duties
        .iter()
        .map(|d| (d.hours, d.hours * d.weight.unwrap()))
        .collect();
    let total: f64 = items.iter().map(|i| i.1).sum();
    let best = brute_force(&caps, &items);
    let sol = solve(
        &inst,
        &SolveOptions {
            time_limit: Duration::from_secs(10),
            threads: 1,
            ..SolveOptions::default()
        },
    );
    assert!(verify(&inst, &sol.plan).is_valid());
    let coverage = sol.plan.objective.coverage;
    assert!(
        (coverage - (total - best)).abs() < 1e-6,
        "{coverage} vs {}",
        total - best
    );
    assert_eq!(sol.plan.status, PlanStatus::Optimal);
}
