//! What-if batches: solve a baseline once, then many scenario instances in parallel, each
//! warm-started from the baseline plan and measured against it.
//!
//! Stability is relative to the baseline plan: each scenario's `current_posts` are replaced by
//! the posts the baseline plan gives the same people, so tier 2 counts who has to move (and
//! the search starts from the baseline's posts). Results come back in scenario order whatever
//! the number of jobs; each solve runs single-threaded with the batch's seed, so a batch is as
//! deterministic as its solves (see [`crate::engine::solve`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::engine::{SolveOptions, solve};
use crate::io::{RawStaff, to_raw, validate};
use crate::model::{Change, Instance, Plan, PlanStatus};

/// Batches of at least this many scenarios probe the baseline's LP bound once (see [`run`]).
const LP_PROBE_MIN_CASES: usize = 4;

/// Epochs a scenario's search goes on once tier 1 is proven (a lone solve: 6). A scenario
/// starts from the baseline plan, so who has to move is a local question, and the solver's
/// final pass puts back every person it can (`engine::search::revert`). Measured on
/// the agri 100-scenario batch (seeds 0-2, posts changed): 3 epochs without that pass (the
/// release before) gave 1194 / 1205 / 928; with it, 1 epoch gives 1026 / 1206 / 1033 and 0
/// epochs 1136 / 1390 / 1140. Side by side (seed 1, twice): 40.2-42.0 s before, 37.7-38.5 s
/// with 1 epoch, 31.3-31.8 s with 0 (the unproven scenarios' share, about half, is unchanged).
const SCENARIO_SETTLE_EPOCHS: usize = 1;

/// One scenario of a batch: a name and its instance (already modified).
#[derive(Clone, Debug)]
pub struct Case {
    /// Scenario name.
    pub name: String,
    /// The scenario's instance.
    pub instance: Instance,
}

/// The figures of one solved scenario (or of the baseline).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
pub struct Outcome {
    /// Position in the batch (0 = first scenario); `None` for the baseline.
    pub index: Option<usize>,
    /// Scenario name (`baseline` for the baseline).
    pub name: String,
    /// `optimal` or `feasible`.
    pub status: PlanStatus,
    /// Relative gap of tier 1.
    pub gap: f64,
    /// Tier 1.
    pub coverage: f64,
    /// Tier 1 minus the baseline's.
    pub coverage_change: f64,
    /// Uncovered hours per duty weight (weight as text, e.g. `"10"`).
    pub uncovered_by_weight: BTreeMap<String, f64>,
    /// Counterparts without a liaison.
    pub unmet_counterparts: usize,
    /// Posts added plus removed against the baseline plan (tier 2).
    pub posts_changed: u64,
    /// People present in both whose posts differ from the baseline plan.
    pub people_moved: usize,
    /// Posts joined and left against the baseline plan, by person (none for the baseline).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    /// Seconds spent solving.
    pub seconds: f64,
    /// The plan (not in the figures: read back, an outcome has an empty plan of no
    /// instance).
    #[serde(skip, default = "no_plan")]
    pub plan: Plan,
}

/// The placeholder plan of an outcome read back from its figures.
fn no_plan() -> Plan {
    Plan {
        instance: String::new(),
        status: PlanStatus::Feasible,
        solver: crate::model::SolverInfo {
            backend: String::new(),
            seconds: 0.0,
            gap: 0.0,
            bound: None,
        },
        objective: crate::model::Objective {
            coverage: 0.0,
            stability: 0,
            fragmentation: 0,
            balance: 0.0,
        },
        assignments: Vec::new(),
        posts: Vec::new(),
        liaisons: Vec::new(),
        uncovered: Vec::new(),
        unmet_counterparts: Vec::new(),
        understaffed: Vec::new(),
        changes: Vec::new(),
        totals: None,
    }
}

/// Batch settings.
#[derive(Clone)]
pub struct BatchOptions {
    /// Per-solve settings (time limit, seed, work limit); threads are forced to 1 per solve.
    pub solve: SolveOptions,
    /// Scenarios solved at once.
    pub jobs: usize,
    /// Run only scenarios `k` with `k % n == i` (`(i, n)`, 0-based `i`).
    pub shard: Option<(usize, usize)>,
    /// Called after each scenario with (done, total).
    pub progress: Option<Arc<dyn Fn(usize, usize) + Send + Sync>>,
    /// Stops the batch (scenarios not yet started are skipped).
    pub cancel: Option<Arc<AtomicBool>>,
}

/// Summarises a solved plan against the baseline.
fn outcome(
    index: Option<usize>,
    name: &str,
    inst: &Instance,
    plan: Plan,
    baseline: Option<(&Instance, &Plan)>,
    seconds: f64,
) -> Outcome {
    let mut by_weight: BTreeMap<String, f64> = BTreeMap::new();
    for u in &plan.uncovered {
        if let Some(&d) = inst.ids.duties.get(&u.duty) {
            *by_weight
                .entry(crate::model::decimal(inst.duty(d).weight))
                .or_default() += u.hours;
        }
    }
    let mut moved = 0;
    if let Some((base, base_plan)) = baseline {
        let posts_of = |plan: &Plan| -> BTreeMap<String, BTreeSet<String>> {
            let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for p in &plan.posts {
                m.entry(p.person.clone())
                    .or_default()
                    .insert(p.module.clone());
            }
            m
        };
        let (before, after) = (posts_of(base_plan), posts_of(&plan));
        let empty = BTreeSet::new();
        // People of the baseline who are still here; hires are not "moved".
        for person in inst
            .staff
            .iter()
            .filter(|p| base.ids.staff.contains_key(&p.id))
        {
            let was = before.get(&person.id).unwrap_or(&empty);
            let now = after.get(&person.id).unwrap_or(&empty);
            if was != now {
                moved += 1;
            }
        }
    }
    let coverage_change =
        baseline.map_or(0.0, |(_, b)| plan.objective.coverage - b.objective.coverage);
    Outcome {
        index,
        name: name.to_owned(),
        status: plan.status,
        gap: plan.solver.gap,
        coverage: plan.objective.coverage,
        coverage_change,
        uncovered_by_weight: by_weight,
        unmet_counterparts: plan.unmet_counterparts.len(),
        posts_changed: plan.objective.stability,
        people_moved: moved,
        // A scenario is anchored to the baseline plan, so its changes are against that plan;
        // the baseline's own are against today's posts, which is another question.
        changes: if baseline.is_some() {
            plan.changes.clone()
        } else {
            Vec::new()
        },
        seconds,
        plan,
    }
}

/// Replaces each person's `current_posts` by their posts in `baseline` (for people and
/// modules the scenario still has), so that tier 2 measures change against the baseline plan.
#[must_use]
pub fn anchor_to(inst: &Instance, baseline: &Plan) -> Instance {
    let mut raw = to_raw(inst);
    let mut posts: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for p in &baseline.posts {
        if inst.ids.modules.contains_key(&p.module) {
            posts
                .entry(p.person.as_str())
                .or_default()
                .push(p.module.clone());
        }
    }
    for person in &mut raw.staff {
        person.current_posts = posts.get(person.id.as_str()).cloned().unwrap_or_default();
    }
    match validate(&raw) {
        Ok((anchored, _)) => anchored,
        // Cannot happen (only existing modules are named), but a batch must never panic.
        Err(_) => inst.clone(),
    }
}

/// Solves the baseline.
#[must_use]
pub fn solve_baseline(base: &Instance, options: &SolveOptions) -> Outcome {
    let t = Instant::now();
    let sol = solve(base, options);
    outcome(
        None,
        "baseline",
        base,
        sol.plan,
        None,
        t.elapsed().as_secs_f64(),
    )
}

/// Whether `case` gives anyone of `base` a lower posts cap or a new pin, or adds conflicting
/// posts: rules the flow bound drops, so that the baseline's LP probe says nothing about its
/// bounds (the agri batch's `posts cap 1`: flow bound 510, the LP fails there and the
/// Lagrangian that then takes over reaches 690).
fn tightens_person_rules(base: &Instance, case: &Instance) -> bool {
    case.rules.conflicts.len() > base.rules.conflicts.len()
        || case.staff.iter().any(|p| {
            base.ids.staff.get(&p.id).is_some_and(|&i| {
                let before = pin_ids(base, base.person(i));
                p.max_posts < base.person(i).max_posts
                    || pin_ids(case, p).iter().any(|m| !before.contains(m))
            })
        })
}

/// The modules `person` of `inst` is pinned to, by id (module indices differ between a
/// baseline and a scenario that removes modules).
fn pin_ids<'a>(inst: &'a Instance, person: &crate::model::Staff) -> Vec<&'a str> {
    person
        .fixed_posts
        .iter()
        .map(|&m| inst.module(m).id.as_str())
        .collect()
}

/// How many people `case` changes against `base` (added, removed, or with another capacity,
/// skill, cap, unit or pins): a cheap forecast of a scenario's solve time. Scenarios that change
/// everyone (capacity scaled, posts caps lowered) are the ones that search for seconds.
fn people_changed(base: &Instance, case: &Instance) -> usize {
    let changed = case
        .staff
        .iter()
        .filter(|p| {
            base.ids.staff.get(&p.id).is_none_or(|&i| {
                let b = base.person(i);
                (b.capacity - p.capacity).abs() > 1e-9
                    || b.skills != p.skills
                    || b.max_posts != p.max_posts
                    || b.max_liaisons != p.max_liaisons
                    || b.unit != p.unit
                    || pin_ids(base, b) != pin_ids(case, p)
            })
        })
        .count();
    let kept = case
        .staff
        .iter()
        .filter(|p| base.ids.staff.contains_key(&p.id))
        .count();
    changed + (base.staff.len() - kept)
}

/// The order in which the `selected` cases start, as positions in `selected`: most people
/// changed first, ties in file order.
fn run_order(base: &Instance, cases: &[Case], selected: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..selected.len()).collect();
    order.sort_by_key(|&slot| {
        std::cmp::Reverse(people_changed(base, &cases[selected[slot]].instance))
    });
    order
}

/// The solver's settings for every scenario of a batch of `cases`: one thread each (the
/// batch runs scenarios side by side), the decomposition bound without branch and price,
/// fewer settle epochs, no per-solve progress. On agri's 100 scenarios the decomposition
/// proves three more of them optimal, and the batch is about 8% faster; with branch and
/// price its unproven scenarios run to the time limit, and the batch takes 15% longer.
fn scenario_options(base: &Instance, cases: usize, options: &BatchOptions) -> SolveOptions {
    let mut solve_options = options.solve.clone();
    // Scenarios are small changes of the baseline: where its LP bound is no stronger than
    // the flow bound, theirs are not worth their time either (measured on agri: equal on all
    // 25 scenarios that solved it, 11% of the batch).
    // Decided on the whole batch, not the shard, so that every shard solves alike.
    if cases >= LP_PROBE_MIN_CASES
        && crate::engine::lp_beats_flow(base, options.solve.time_limit) == Some(false)
    {
        solve_options.lp_bound = false;
    }
    solve_options.threads = 1;
    solve_options.branch_and_price = false;
    solve_options.settle_epochs = solve_options.settle_epochs.min(SCENARIO_SETTLE_EPOCHS);
    solve_options.progress = None;
    solve_options.cancel.clone_from(&options.cancel);
    solve_options
}

/// Solves every case (of this shard) against the baseline plan, `jobs` at a time; results in
/// case order. The cases that change the most people start first (the longest jobs first
/// keep the last minutes of a batch from running on one core); the order they run in does not
/// change any result.
#[must_use]
pub fn run(
    base: &Instance,
    baseline: &Plan,
    cases: &[Case],
    options: &BatchOptions,
) -> Vec<Outcome> {
    let selected: Vec<usize> = (0..cases.len())
        .filter(|k| options.shard.is_none_or(|(i, n)| k % n == i))
        .collect();
    let total = selected.len();
    let order = run_order(base, cases, &selected);
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; total]);
    let solve_options = scenario_options(base, cases.len(), options);
    let cancelled = || {
        options
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    };
    let jobs = options.jobs.clamp(1, total.max(1));
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= total || cancelled() {
                        break;
                    }
                    let slot = order[i];
                    let k = selected[slot];
                    let case = &cases[k];
                    let anchored = anchor_to(&case.instance, baseline);
                    let mut case_options = solve_options.clone();
                    case_options.lp_bound |= tightens_person_rules(base, &case.instance);
                    let t = Instant::now();
                    let sol = solve(&anchored, &case_options);
                    let o = outcome(
                        Some(k),
                        &case.name,
                        &anchored,
                        sol.plan,
                        Some((base, baseline)),
                        t.elapsed().as_secs_f64(),
                    );
                    if let Ok(mut r) = results.lock() {
                        r[slot] = Some(o);
                    }
                    let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                    if let Some(f) = &options.progress {
                        f(n, total);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

/// Built-in sweeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sweep {
    /// Each person leaves in turn: ranks single points of failure.
    LeaveOneOut,
    /// One extra person per skill at this level (capacity 40): ranks hires.
    HireOne {
        /// Skill level of the hire.
        level: u8,
    },
    /// The posts cap set to each value of the range (for everyone).
    MaxPosts {
        /// Lowest cap.
        from: u32,
        /// Highest cap.
        to: u32,
    },
}

/// The cases of a sweep.
#[must_use]
pub fn sweep_cases(base: &Instance, sweep: &Sweep) -> Vec<Case> {
    let raw = to_raw(base);
    let mut out = Vec::new();
    let mut push = |name: String, raw: crate::io::RawInstance| {
        if let Ok((instance, _)) = validate(&raw) {
            out.push(Case { name, instance });
        }
    };
    match sweep {
        Sweep::LeaveOneOut => {
            for (i, person) in base.staff.iter().enumerate() {
                let mut r = raw.clone();
                r.staff.remove(i);
                push(format!("without {}", person.id), r);
            }
        }
        Sweep::HireOne { level } => {
            for skill in &base.skills {
                let mut r = raw.clone();
                let mut id = format!("hire-{}", skill.id);
                while base.ids.staff.contains_key(&id) {
                    id.push('+');
                }
                r.staff.push(RawStaff {
                    id,
                    name: Some(format!("New {} officer", skill.name)),
                    unit: None,
                    capacity: Some(40.0),
                    skills: BTreeMap::from([(skill.id.clone(), i64::from(*level))]),
                    max_posts: None,
                    max_liaisons: None,
                    current_posts: Vec::new(),
                    fixed_posts: Vec::new(),
                    unavailable: Vec::new(),
                });
                push(format!("hire {} (level {level})", skill.id), r);
            }
        }
        Sweep::MaxPosts { from, to } => {
            for cap in *from..=*to {
                let mut r = raw.clone();
                let rules = r.rules.get_or_insert_with(Default::default);
                rules.max_posts = Some(i64::from(cap));
                for p in &mut r.staff {
                    p.max_posts = p.max_posts.map(|m| m.min(i64::from(cap)));
                }
                push(format!("max posts {cap}"), r);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{
        BatchOptions, Case, SCENARIO_SETTLE_EPOCHS, Sweep, people_changed, run_order,
        scenario_options, sweep_cases,
    };
    use crate::engine::SolveOptions;
    use crate::io::load_instance;

    /// Whatever the caller asks of each solve, a batch's scenarios run on one thread each,
    /// without branch and price and without per-solve progress, and keep the decomposition
    /// bound as asked.
    #[test]
    fn scenarios_run_alone_without_branch_and_price() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("instances/tiny.json");
        let (tiny, _) = load_instance(&path).expect("tiny");
        let asked = SolveOptions {
            threads: 2,
            decomposition: true,
            settle_epochs: SCENARIO_SETTLE_EPOCHS + 5,
            progress: Some(std::sync::Arc::new(|_| {})),
            ..SolveOptions::default()
        };
        assert!(SolveOptions::default().decomposition, "on by default");
        let options = BatchOptions {
            solve: asked,
            jobs: 2,
            shard: None,
            progress: None,
            cancel: None,
        };
        let each = scenario_options(&tiny, 1, &options);
        assert!(each.decomposition);
        assert!(!each.branch_and_price);
        assert_eq!(each.threads, 1);
        assert_eq!(each.settle_epochs, SCENARIO_SETTLE_EPOCHS);
        assert!(each.progress.is_none());
    }

    #[test]
    fn the_cases_that_change_the_most_people_start_first() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("instances/tiny.json");
        let (tiny, _) = load_instance(&path).expect("tiny");
        let mut cases = sweep_cases(&tiny, &Sweep::LeaveOneOut);
        cases.extend(sweep_cases(&tiny, &Sweep::HireOne { level: 2 }));
        assert!(
            cases
                .iter()
                .all(|c| people_changed(&tiny, &c.instance) == 1)
        );
        assert_eq!(people_changed(&tiny, &tiny), 0);
        let mut scaled = tiny.clone();
        for p in &mut scaled.staff {
            p.capacity *= 0.9;
        }
        let mut retrained = tiny.clone();
        retrained.staff[1].skills.clear();
        assert_eq!(people_changed(&tiny, &retrained), 1);
        cases.insert(
            2,
            Case {
                name: "capacity x0.9".into(),
                instance: scaled,
            },
        );
        let selected: Vec<usize> = (0..cases.len()).collect();
        let order = run_order(&tiny, &cases, &selected);
        assert_eq!(order[0], 2, "everyone changed: first");
        let mut rest = order[1..].to_vec();
        rest.sort_unstable();
        assert_eq!(rest, order[1..], "ties keep file order");
        // A shard orders its own cases.
        assert_eq!(run_order(&tiny, &cases, &[1, 2, 5]), vec![1, 0, 2]);
    }
}
