//! `modstaff whatif`: batches are deterministic across jobs, shards concatenate to the whole,
//! every scenario plan passes `check`, sweeps produce the expected cases.

use std::time::Duration;

use modstaff::engine::SolveOptions;
use modstaff::io::load_instance;
use modstaff::model::verify;
use modstaff::scenario::batch::{self, BatchOptions, Sweep};

use crate::common::{modstaff, path};

fn options(jobs: usize, shard: Option<(usize, usize)>) -> BatchOptions {
    BatchOptions {
        solve: SolveOptions {
            time_limit: Duration::from_secs(20),
            work_limit: Some(160),
            ..SolveOptions::default()
        },
        jobs,
        shard,
        progress: None,
        cancel: None,
    }
}

#[test]
fn sweeps_make_the_expected_cases() {
    let (tiny, _) = load_instance(&path("instances/tiny.json")).expect("tiny");
    let loo = batch::sweep_cases(&tiny, &Sweep::LeaveOneOut);
    assert_eq!(loo.len(), 3);
    assert_eq!(loo[1].name, "without bo");
    assert!(loo.iter().all(|c| c.instance.staff.len() == 2));
    let hire = batch::sweep_cases(&tiny, &Sweep::HireOne { level: 2 });
    assert_eq!(hire.len(), 3, "one hire per skill");
    assert!(hire.iter().all(|c| c.instance.staff.len() == 4));
    let caps = batch::sweep_cases(&tiny, &Sweep::MaxPosts { from: 1, to: 3 });
    assert_eq!(
        caps.iter()
            .map(|c| c.instance.rules.max_posts)
            .collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
}

#[test]
fn batches_are_deterministic_and_shards_concatenate() {
    let (agri, _) = load_instance(&path("instances/longgang-agri.json")).expect("agri");
    let base_opts = options(1, None).solve;
    let baseline = batch::solve_baseline(&agri, &base_opts);
    let cases = batch::sweep_cases(&agri, &Sweep::LeaveOneOut)
        .into_iter()
        .take(6)
        .collect::<Vec<_>>();
    let one = batch::run(&agri, &baseline.plan, &cases, &options(1, None));
    let two = batch::run(&agri, &baseline.plan, &cases, &options(2, None));
    assert_eq!(one.len(), 6);
    for (a, b) in one.iter().zip(&two) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.plan.posts, b.plan.posts);
        assert_eq!(a.plan.objective, b.plan.objective);
    }
    // Shards 1/2 and 2/2 together are the whole batch.
    let s1 = batch::run(&agri, &baseline.plan, &cases, &options(2, Some((0, 2))));
    let s2 = batch::run(&agri, &baseline.plan, &cases, &options(2, Some((1, 2))));
    let mut merged: Vec<_> = s1.iter().chain(&s2).collect();
    merged.sort_by_key(|o| o.index);
    assert_eq!(merged.len(), one.len());
    for (a, b) in one.iter().zip(merged) {
        assert_eq!(a.index, b.index);
        assert_eq!(a.plan.objective, b.plan.objective);
    }
    // Every scenario plan passes the checker against its own scenario instance.
    for (case, o) in cases.iter().zip(&one) {
        let anchored = batch::anchor_to(&case.instance, &baseline.plan);
        let report = verify(&anchored, &o.plan);
        assert!(report.is_valid(), "{}: {:#?}", case.name, report.violations);
        // Someone left: at least as much is uncovered as in the baseline, unless the
        // baseline was not optimal.
        if baseline.plan.status == modstaff::model::PlanStatus::Optimal
            && o.plan.status == modstaff::model::PlanStatus::Optimal
        {
            assert!(o.coverage >= baseline.coverage - 1e-6, "{}", case.name);
        }
    }
}

#[test]
fn cli_whatif_sweep_prints_one_row_per_scenario() {
    let run = modstaff([
        "whatif",
        "instances/tiny.json",
        "--sweep",
        "leave-one-out",
        "-q",
        "-t",
        "5",
    ]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    let lines: Vec<&str> = run.stdout.lines().collect();
    // The baseline's headline, a blank line, then the table.
    assert_eq!(lines.len(), 2 + 2 + 1 + 3, "{}", run.stdout);
    assert_eq!(
        lines[0],
        "baseline: 20 of 102 h uncovered in 1 duty (weighted 80, proven optimal)"
    );
    assert!(lines[2].contains("weighted uncovered") && lines[2].ends_with("who moves"));
    assert!(lines[4].starts_with("baseline"));
    assert!(lines[5].starts_with("without ann"));
    // Who moves, by name: without Ann, Cai takes a post in Policy to liaise with c-law.
    assert!(
        lines[5].ends_with("Cai Wang (cai) joins Policy & regulation"),
        "{}",
        run.stdout
    );
    // A leave-one-out table is a ranking: the largest loss first.
    let csv = modstaff([
        "whatif",
        "instances/tiny.json",
        "--sweep",
        "leave-one-out",
        "-q",
        "-t",
        "5",
        "-f",
        "csv",
    ]);
    let changes: Vec<f64> = csv
        .stdout
        .lines()
        .skip(2)
        .map(|l| {
            l.split(',')
                .nth(4)
                .and_then(|c| c.parse().ok())
                .expect("change")
        })
        .collect();
    assert_eq!(changes.len(), 3, "{}", csv.stdout);
    assert!(changes.windows(2).all(|w| w[0] >= w[1]), "{changes:?}");
    assert!(changes[0] > changes[2], "{changes:?}");
    let jsonl = modstaff([
        "whatif",
        "instances/tiny.json",
        "--sweep",
        "max-posts",
        "1..2",
        "-q",
        "--format",
        "jsonl",
        "-t",
        "5",
    ]);
    assert_eq!(jsonl.code, 0, "{}", jsonl.snapshot());
    let rows: Vec<serde_json::Value> = jsonl
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1]["name"], "max posts 1");
    // The posts each scenario changes against the baseline plan; none for the baseline.
    assert!(rows[0].get("changes").is_none());
    let changes = rows[1]["changes"].as_array().expect("changes");
    assert_eq!(
        changes.len() as u64,
        rows[1]["posts_changed"].as_u64().expect("posts changed")
    );
    // With one post each, Bo cannot hold both Policy and Funds: more is uncovered.
    assert!(rows[1]["coverage"].as_f64() > rows[0]["coverage"].as_f64());
}

#[test]
fn cli_whatif_rejects_bad_arguments() {
    assert_eq!(modstaff(["whatif", "instances/tiny.json"]).code, 2);
    assert_eq!(
        modstaff(["whatif", "instances/tiny.json", "--sweep", "everything"]).code,
        2
    );
    assert_eq!(
        modstaff([
            "whatif",
            "instances/tiny.json",
            "--sweep",
            "max-posts",
            "4..1"
        ])
        .code,
        2
    );
    assert_eq!(
        modstaff([
            "whatif",
            "instances/tiny.json",
            "--sweep",
            "leave-one-out",
            "--shard",
            "3/2"
        ])
        .code,
        2
    );
}

/// A warm start from the baseline plan can settle in a local optimum a cold solve avoids; the
/// search restarts when it stalls. Hiring an admin officer (level 2) on agri: 485 without
/// restarts, the proven optimum 470 with them.
#[test]
fn warm_started_scenarios_escape_local_optima() {
    let (agri, _) = load_instance(&path("instances/longgang-agri.json")).expect("agri");
    let opts = BatchOptions {
        solve: SolveOptions {
            time_limit: Duration::from_secs(30),
            ..SolveOptions::default()
        },
        jobs: 1,
        shard: None,
        progress: None,
        cancel: None,
    };
    let baseline = batch::solve_baseline(&agri, &opts.solve);
    let cases: Vec<_> = batch::sweep_cases(&agri, &Sweep::HireOne { level: 2 })
        .into_iter()
        .filter(|c| c.name.contains("admin"))
        .collect();
    assert_eq!(cases.len(), 1);
    let out = batch::run(&agri, &baseline.plan, &cases, &opts);
    let anchored = batch::anchor_to(&cases[0].instance, &baseline.plan);
    assert!(verify(&anchored, &out[0].plan).is_valid());
    assert!(
        (out[0].plan.objective.coverage - 470.0).abs() < 1e-6,
        "{}",
        out[0].plan.objective.coverage
    );
}

/// A batch may skip the LP bound in its scenarios (where the baseline's LP is no stronger
/// than the flow bound, as on agri: the probe itself is a unit test of `engine::bound`).
/// Without the LP, agri is still solved to proven optimality, by the flow bound.
#[test]
fn agri_is_proven_without_the_lp_bound() {
    let limit = Duration::from_secs(10);
    let (agri, _) = load_instance(&path("instances/longgang-agri.json")).expect("agri");
    let sol = modstaff::engine::solve(
        &agri,
        &SolveOptions {
            time_limit: limit,
            lp_bound: false,
            ..SolveOptions::default()
        },
    );
    assert!(verify(&agri, &sol.plan).is_valid());
    assert!((sol.plan.objective.coverage - 510.0).abs() < 1e-6);
    assert_eq!(sol.stop, modstaff::engine::StopReason::Proven);
}

/// A batch skips the scenarios' LP where the baseline's is no stronger than the flow bound, but
/// not in a scenario that lowers a posts cap: there the flow bound drops the rule that matters
/// and the decomposition bound (microlp fails on the LP of agri with one post each) keeps it.
#[test]
fn a_batch_keeps_the_bounds_of_scenarios_that_lower_posts_caps() {
    let (agri, _) = load_instance(&path("instances/longgang-agri.json")).expect("agri");
    let cases = batch::sweep_cases(&agri, &Sweep::MaxPosts { from: 1, to: 4 });
    assert_eq!(cases.len(), 4, "enough cases for the LP probe");
    let mut opts = options(2, None);
    opts.solve.time_limit = Duration::from_secs(10);
    opts.solve.work_limit = None;
    let base = batch::solve_baseline(&agri, &opts.solve);
    let out = batch::run(&agri, &base.plan, &cases, &opts);
    let one = &out[0];
    assert_eq!(one.name, "max posts 1");
    let anchored = batch::anchor_to(&cases[0].instance, &base.plan);
    assert!(verify(&anchored, &one.plan).is_valid());
    // The flow bound alone is 510 against a best plan near 880 (gap 0.42).
    assert!(one.gap < 0.3, "gap {}", one.gap);
    assert!(one.plan.solver.bound.is_some_and(|b| b > 600.0));
}

/// Scenarios that unpin and pin, on tiny with Ann pinned to Funds (which costs the duties only
/// Bo can do there): every plan keeps its own scenario's pins and passes `check`, and freed
/// from her pin the bureau gets back to tiny's optimum.
#[test]
fn pin_scenarios_keep_their_own_pins() {
    let (base, _) =
        load_instance(&path("tests/fixtures/valid/tiny-pinned.json")).expect("pinned tiny");
    let text = r#"
[[scenario]]
name = "ann free"
unpin = { person = "ann" }

[[scenario]]
name = "cai kept on field"
pin = { person = "cai", module = "field" }
"#;
    let scenarios =
        modstaff::scenario::parse_scenarios(text, "pins.toml", &base).expect("valid scenarios");
    let cases: Vec<batch::Case> = scenarios
        .iter()
        .map(|s| batch::Case {
            name: s.name.clone(),
            instance: s.apply(&base).expect("applies"),
        })
        .collect();
    let opts = options(1, None);
    let baseline = batch::solve_baseline(&base, &opts.solve);
    assert!(verify(&base, &baseline.plan).is_valid());
    let out = batch::run(&base, &baseline.plan, &cases, &opts);
    for (case, o) in cases.iter().zip(&out) {
        let anchored = batch::anchor_to(&case.instance, &baseline.plan);
        let report = verify(&anchored, &o.plan);
        assert!(report.is_valid(), "{}: {:#?}", case.name, report.violations);
        assert_eq!(
            o.status,
            modstaff::model::PlanStatus::Optimal,
            "{}",
            case.name
        );
    }
    let kept = |o: &batch::Outcome, p: &str, m: &str| {
        o.plan.posts.iter().any(|x| x.person == p && x.module == m)
    };
    assert!(kept(&baseline, "ann", "funds") && kept(&baseline, "bo", "policy"));
    assert!((out[0].coverage - 80.0).abs() < 1e-6, "{}", out[0].coverage);
    assert!(baseline.coverage > 80.0 + 1e-6, "{}", baseline.coverage);
    assert!(kept(&out[1], "ann", "funds") && kept(&out[1], "cai", "field"));
}

/// Scenarios run the decomposition bound: agri with every capacity cut by a fifth is proven
/// optimal within seconds (with the flow and LP bounds alone it keeps a gap of about 3% to
/// the time limit), with the same tier 1, and its plan passes `check`.
#[test]
fn a_batch_proves_a_capacity_cut_with_the_decomposition_bound() {
    let (agri, _) = load_instance(&path("instances/longgang-agri.json")).expect("agri");
    let text = "[[scenario]]\nname = \"capacity x0.80\"\nscale_capacity = { factor = 0.80 }\n";
    let scenarios =
        modstaff::scenario::parse_scenarios(text, "cut.toml", &agri).expect("valid scenario");
    let cases: Vec<batch::Case> = scenarios
        .iter()
        .map(|s| batch::Case {
            name: s.name.clone(),
            instance: s.apply(&agri).expect("applies"),
        })
        .collect();
    let mut opts = options(1, None);
    opts.solve.time_limit = Duration::from_secs(10);
    opts.solve.work_limit = None;
    let base = batch::solve_baseline(&agri, &opts.solve);
    let out = batch::run(&agri, &base.plan, &cases, &opts);
    let cut = &out[0];
    let anchored = batch::anchor_to(&cases[0].instance, &base.plan);
    assert!(verify(&anchored, &cut.plan).is_valid());
    assert_eq!(
        cut.plan.status,
        modstaff::model::PlanStatus::Optimal,
        "gap {}",
        cut.gap
    );
    assert!((cut.plan.objective.coverage - 1178.4).abs() < 1e-6);
}
