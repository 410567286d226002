//! `solve --start`: the search starts from a given plan (JSON, CSV or workbook, possibly
//! minimal or edited). A valid start is never beaten in tier 1 by the plan found; posts that
//! cannot hold are dropped with a warning; every plan passes the checker.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use modstaff::engine::{SolveOptions, Start, solve};
use modstaff::io::{load_instance, load_plan, read_plan};
use modstaff::model::{DeclaredPlan, Instance, ViolationKind, complete, verify, verify_declared};

use crate::common::{modstaff, path};

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// A golden plan of identity.rs as a plan file in `dir` (its seconds are blanked there).
fn golden(name: &str, dir: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(path(&format!("tests/fixtures/identity/{name}.plan.json")))
        .expect("golden plan");
    let file = dir.join(format!("{name}.start.json"));
    std::fs::write(&file, text.replace("<seconds>", "0")).expect("written");
    file
}

/// Tier 1 of a plan as the checker recomputes it; the plan must be valid.
fn coverage_of(inst: &Instance, plan: &DeclaredPlan) -> f64 {
    let (_, report) = complete(inst, plan);
    assert!(report.is_valid(), "{:#?}", report.violations);
    report.recomputed.coverage
}

/// The plan with the posts, work and liaisons of every other person taken out: still valid,
/// and poorer.
fn thinned(plan: &DeclaredPlan) -> DeclaredPlan {
    let mut people: Vec<&str> = plan.posts.iter().map(|p| p.person.as_str()).collect();
    people.dedup();
    let gone: Vec<String> = people.iter().step_by(2).map(|p| (*p).to_owned()).collect();
    let kept = |p: &String| !gone.contains(p);
    DeclaredPlan {
        posts: plan
            .posts
            .iter()
            .filter(|p| kept(&p.person))
            .cloned()
            .collect(),
        assignments: plan
            .assignments
            .iter()
            .filter(|a| kept(&a.person))
            .cloned()
            .collect(),
        liaisons: plan
            .liaisons
            .iter()
            .filter(|l| kept(&l.person))
            .cloned()
            .collect(),
        ..DeclaredPlan::default()
    }
}

/// Solves `inst` from `plan` with a work limit (deterministic) and checks the result.
fn solve_from(inst: &Instance, plan: &DeclaredPlan, work_limit: u64) -> f64 {
    let (start, _) = Start::from_plan(inst, plan);
    let sol = solve(
        inst,
        &SolveOptions {
            time_limit: Duration::from_secs(60),
            threads: 2,
            work_limit: Some(work_limit),
            start: Some(Arc::new(start)),
            ..SolveOptions::default()
        },
    );
    let report = verify(inst, &sol.plan);
    assert!(report.is_valid(), "{:#?}", report.violations);
    sol.plan.objective.coverage
}

#[test]
fn a_valid_start_is_never_beaten_in_tier_1() {
    let dir = tempfile::tempdir().expect("dir");
    // The golden plans (see identity.rs), and one instance where most hours are in
    // non-splittable duties, so that who does them matters.
    let generated = dir.path().join("g20.json");
    let run = modstaff([
        "generate",
        "--staff",
        "20",
        "--modules",
        "10",
        "--duties",
        "50",
        "--seed",
        "3",
        "--non-splittable",
        "1",
        "--out",
        s(&generated),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (name, instance) in [
        ("longgang-econ", path("instances/longgang-econ.json")),
        ("longgang-agri", path("instances/longgang-agri.json")),
        (
            "longgang-approval",
            path("instances/longgang-approval.json"),
        ),
        ("g20-nonsplittable-seed3", generated.clone()),
    ] {
        let (inst, _) = load_instance(&instance).expect(name);
        let golden = load_plan(&golden(name, dir.path())).expect("golden plan");
        let poor = thinned(&golden);
        for (what, plan) in [("golden", &golden), ("thinned", &poor)] {
            let start = coverage_of(&inst, plan);
            // No search step: the construction alone must keep the start.
            for work in [0, 100] {
                let found = solve_from(&inst, plan, work);
                assert!(
                    found <= start + 1e-6 * start.max(1.0),
                    "{name} from the {what} plan ({start}), {work} steps: {found}"
                );
            }
        }
    }
}

#[test]
fn an_optimal_start_comes_back_at_once() {
    let dir = tempfile::tempdir().expect("dir");
    for (name, optimum) in [("longgang-agri", "510"), ("longgang-econ", "573")] {
        let out = dir.path().join(format!("{name}.json"));
        let instance = path(&format!("instances/{name}.json"));
        let golden = golden(name, dir.path());
        let run = modstaff([
            "solve",
            s(&instance),
            "--start",
            s(&golden),
            "--time-limit",
            "1",
            "--out",
            s(&out),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "(weighted {optimum}, proven optimal); bound {optimum}"
            )),
            "{name}: {}",
            run.stderr
        );
        let run = modstaff(["check", s(&instance), s(&out)]);
        assert_eq!(run.code, 0, "{}", run.stdout);
    }
}

#[test]
fn an_edited_workbook_or_csv_starts_a_solve() {
    let dir = tempfile::tempdir().expect("dir");
    let econ = path("instances/longgang-econ.json");
    let (inst, _) = load_instance(&econ).expect("econ");
    let golden = load_plan(&golden("longgang-econ", dir.path())).expect("plan");
    // A planner's edit: the first person's posts and work deleted, and a post added that
    // breaks a rule (in a module the person may not hold).
    let mut edited = thinned(&golden);
    let first = golden.posts[0].person.clone();
    let with = |module: &str| {
        let mut p = edited.clone();
        p.posts.push(modstaff::model::Post {
            person: first.clone(),
            module: module.to_owned(),
        });
        p
    };
    let barred = inst
        .modules
        .iter()
        .map(|m| m.id.clone())
        .find(|m| {
            let r = verify_declared(&inst, &with(m));
            r.violations.len() == 1 && r.violations[0].kind == ViolationKind::NotQualified
        })
        .expect("a module the first person may not hold");
    edited = with(&barred);
    let report = verify_declared(&inst, &edited);
    assert_eq!(report.violations.len(), 1, "{:#?}", report.violations);
    let valid_part = {
        let mut p = edited.clone();
        p.posts.pop();
        coverage_of(&inst, &p)
    };
    // Written as the tool writes plans, then read as a start.
    let (full, _) = complete(&inst, &edited);
    let book = dir.path().join("edited.xlsx");
    let bytes = modstaff::report::xlsx::plan_workbook(&inst, &full).expect("workbook");
    std::fs::write(&book, bytes).expect("written");
    let csv = dir.path().join("edited.csv");
    let text = modstaff::report::render_plan(&inst, &full, modstaff::report::Format::Csv);
    std::fs::write(&csv, text).expect("written");
    for start in [&book, &csv] {
        let (read, _) = read_plan(start).expect("read");
        assert_eq!(read.posts.len(), edited.posts.len());
        let out = dir.path().join("plan.json");
        let run = modstaff([
            "solve",
            s(&econ),
            "--start",
            s(start),
            "--work-limit",
            "50",
            "--out",
            s(&out),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let warning = format!(
            "warning: {}: the start's post of `{first}` in `{barred}` is dropped: ",
            start.display()
        );
        assert!(run.stderr.contains(&warning), "{}", run.stderr);
        let plan = load_plan(&out).expect("plan");
        let found = coverage_of(&inst, &plan);
        assert!(found <= valid_part + 1e-6, "{found} > {valid_part}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 24,
        max_shrink_iters: 0,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// On random instances (with non-splittable duties and every rule), a plan found by a
    /// short search, and the same plan thinned, are starts the result never falls below,
    /// even with no search step at all.
    #[test]
    fn random_starts_are_never_beaten(seed in proptest::prelude::any::<u64>()) {
        let inst = crate::props::random_instance(seed, 12, 6, 30);
        let options = SolveOptions {
            time_limit: Duration::from_secs(60),
            threads: 1,
            seed,
            work_limit: Some(20),
            // Tiny instances are otherwise enumerated, which never reads the start.
            enumeration_limit: 0,
            ..SolveOptions::default()
        };
        let first = solve(&inst, &options).plan;
        let plan = DeclaredPlan::from(&first);
        for start in [plan.clone(), thinned(&plan)] {
            let before = coverage_of(&inst, &start);
            let (from, _) = Start::from_plan(&inst, &start);
            let sol = solve(&inst, &SolveOptions {
                work_limit: Some(0),
                start: Some(Arc::new(from)),
                ..options.clone()
            });
            proptest::prop_assert!(verify(&inst, &sol.plan).is_valid());
            let after = sol.plan.objective.coverage;
            proptest::prop_assert!(after <= before + 1e-6 * before.max(1.0), "{after} > {before}");
        }
    }
}

/// A start plan that lacks a pinned post: the pin still holds (pins come before the start's
/// posts), and with 0 and 100 search steps alike.
#[test]
fn a_start_without_a_pinned_post_still_keeps_the_pin() {
    let (inst, _) = load_instance(&path("instances/longgang-agri.json")).expect("agri");
    let dir = tempfile::tempdir().expect("scratch");
    let start = load_plan(&golden("longgang-agri", dir.path())).expect("golden plan");
    // The first qualified post the start does not hold whose pin can hold.
    let held: std::collections::BTreeSet<(String, String)> = start
        .posts
        .iter()
        .map(|p| (p.person.clone(), p.module.clone()))
        .collect();
    let mut raw = modstaff::io::to_raw(&inst);
    let (pinned, person, module) = inst
        .staff_indices()
        .flat_map(|p| inst.module_indices().map(move |m| (p, m)))
        .filter(|&(p, m)| inst.qualifies(p, m))
        .filter(|&(p, m)| !held.contains(&(inst.person(p).id.clone(), inst.module(m).id.clone())))
        .find_map(|(p, m)| {
            raw.staff[p.index()].fixed_posts = vec![inst.module(m).id.clone()];
            let ok = modstaff::io::validate(&raw).ok().map(|(i, _)| i);
            raw.staff[p.index()].fixed_posts.clear();
            ok.map(|i| (i, inst.person(p).id.clone(), inst.module(m).id.clone()))
        })
        .expect("a pin that can hold");
    for work_limit in [0, 100] {
        let (s, _) = Start::from_plan(&pinned, &start);
        let sol = solve(
            &pinned,
            &SolveOptions {
                work_limit: Some(work_limit),
                start: Some(Arc::new(s)),
                ..SolveOptions::default()
            },
        );
        assert!(
            sol.plan
                .posts
                .iter()
                .any(|p| p.person == person && p.module == module),
            "the pin {person} -> {module} holds from a start without it"
        );
        let report = verify(&pinned, &sol.plan);
        assert!(report.is_valid(), "{:#?}", report.violations);
    }
}
