//! `modstaff recommend`: options ranked honestly, each a checked plan with the post pinned.

use std::path::Path;

use modstaff::SolveOptions;
use modstaff::io::{load_instance, to_raw, validate};
use modstaff::scenario::batch::BatchOptions;
use modstaff::scenario::recommend::{RecommendOptions, Target, recommend};

use crate::common::modstaff;

fn options() -> RecommendOptions {
    RecommendOptions {
        batch: BatchOptions {
            solve: SolveOptions {
                work_limit: Some(300),
                ..SolveOptions::default()
            },
            jobs: 2,
            shard: None,
            progress: None,
            cancel: None,
        },
        confirm: 6,
        top: 4,
    }
}

#[test]
fn every_option_is_a_checked_plan_that_keeps_its_post_and_the_ranking_is_sorted() {
    let (inst, _) = load_instance(Path::new("instances/longgang-agri.json")).expect("agri");
    let plan = modstaff::solve(
        &inst,
        &SolveOptions {
            work_limit: Some(300),
            ..SolveOptions::default()
        },
    )
    .plan;
    for target in [
        Target::Person(inst.ids.staff["p003"]),
        Target::Module(inst.ids.modules["m19"]),
    ] {
        let found = recommend(&inst, &plan, target, &options());
        assert!(!found.options.is_empty(), "{target:?} has options");
        assert!(found.options.len() <= 4);
        assert!(found.confirmed >= found.options.len());
        for pair in found.options.windows(2) {
            assert!(
                (pair[0].coverage, pair[0].posts_changed)
                    <= (pair[1].coverage, pair[1].posts_changed),
                "ranked by tier 1, then posts changed"
            );
        }
        for o in &found.options {
            match target {
                Target::Person(p) => assert_eq!(o.person, inst.person(p).id),
                Target::Module(m) => assert_eq!(o.module, inst.module(m).id),
            }
            // The figures are the re-solve's, and the re-solve kept the post: check the plan
            // against the instance with the post pinned and today's posts those of the plan
            // (tier 2 and the moves count against the plan).
            let mut raw = to_raw(&inst);
            let p = inst.ids.staff[&o.person];
            raw.staff[p.index()].fixed_posts.push(o.module.clone());
            let (pinned, _) = validate(&raw).expect("the pin can hold");
            let anchored = modstaff::scenario::batch::anchor_to(&pinned, &plan);
            let report = modstaff::check(&anchored, &o.plan);
            assert!(report.is_valid(), "{:?}", report.violations);
            assert!((o.coverage - o.plan.objective.coverage).abs() < 1e-9);
            assert!(
                (o.coverage_change - (o.coverage - plan.objective.coverage)).abs() < 1e-9,
                "measured against the given plan"
            );
            assert!(o.posts_changed >= 1, "the new post itself is a change");
            assert!(
                o.moves
                    .iter()
                    .any(|c| c.person == o.person && c.module == o.module),
                "the recommended post is among the moves"
            );
        }
    }
}

#[test]
fn the_command_ranks_and_refuses_what_it_cannot_do() {
    let dir = tempfile::tempdir().expect("scratch");
    let plan = dir.path().join("plan.json");
    let plan_s = plan.to_str().expect("utf-8");
    let run = modstaff([
        "solve",
        "instances/tiny.json",
        "-q",
        "--work-limit",
        "200",
        "--out",
        plan_s,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = modstaff([
        "recommend",
        "instances/tiny.json",
        plan_s,
        "--module",
        "policy",
        "-q",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert!(v["options"].is_array(), "{v}");
    assert_eq!(v["plan_coverage"], 80.0);

    let run = modstaff([
        "recommend",
        "instances/tiny.json",
        plan_s,
        "--person",
        "nobody",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no such person"), "{}", run.stderr);
    let run = modstaff(["recommend", "instances/tiny.json", plan_s]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}
