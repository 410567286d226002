//! Where should this person go, who should join this module: candidate posts ranked by what
//! they do to a plan, each confirmed by a re-solve with the post pinned (so a ranking never
//! rests on an estimate).
//!
//! Candidates are screened cheaply first (the uncovered weighted hours of the module that the
//! person can do, then their spare hours), and only the best few are re-solved: a re-solve is
//! a what-if scenario of the plan (see [`super::batch`]) whose instance pins the post.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::batch::{self, BatchOptions, Case};
use crate::io::{to_raw, validate};
use crate::model::{Change, Instance, ModuleIdx, Plan, PlanStatus, StaffIdx};

/// What to recommend for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Posts for this person.
    Person(StaffIdx),
    /// People for this module.
    Module(ModuleIdx),
}

/// One recommended post, as the re-solve with it pinned found it.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
pub struct Recommendation {
    /// Staff id.
    pub person: String,
    /// Module id.
    pub module: String,
    /// Tier 1 of the re-solved plan.
    pub coverage: f64,
    /// Tier 1 minus the given plan's (negative: better).
    pub coverage_change: f64,
    /// Posts changed against the given plan (tier 2 of the re-solve).
    pub posts_changed: u64,
    /// Weekly hours the person works in the module in the re-solved plan.
    pub hours: f64,
    /// Weekly hours left uncovered in the re-solved plan.
    pub uncovered_hours: f64,
    /// Whether the re-solve proved its tier 1 optimal (with the post pinned).
    pub status: PlanStatus,
    /// Every post joined or left against the given plan.
    pub moves: Vec<Change>,
    /// The re-solved plan; its tier 2 and `changes` count against the given plan (as if its
    /// posts were today's).
    #[serde(skip)]
    pub plan: Plan,
}

/// What `recommend` found.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
pub struct Recommendations {
    /// Tier 1 of the given plan, the figure each option is compared with.
    pub plan_coverage: f64,
    /// Candidates that passed the screen and were re-solved.
    pub confirmed: usize,
    /// Candidates in all (posts the person qualifies for and does not hold in the plan).
    pub candidates: usize,
    /// The options, best first: lowest tier 1, then fewest posts changed.
    pub options: Vec<Recommendation>,
}

/// Settings.
#[derive(Clone)]
pub struct RecommendOptions {
    /// The re-solves: settings, jobs, cancellation (the shard is ignored).
    pub batch: BatchOptions,
    /// Candidates re-solved after the screen.
    pub confirm: usize,
    /// Options returned.
    pub top: usize,
}

/// The posts to try: every module the person qualifies for and does not hold in the plan, or
/// every qualified person not holding a post in the module.
fn candidates(inst: &Instance, plan: &Plan, target: Target) -> Vec<(StaffIdx, ModuleIdx)> {
    let held: BTreeSet<(&str, &str)> = plan
        .posts
        .iter()
        .map(|p| (p.person.as_str(), p.module.as_str()))
        .collect();
    let free = |p: StaffIdx, m: ModuleIdx| {
        inst.qualifies(p, m)
            && !held.contains(&(inst.person(p).id.as_str(), inst.module(m).id.as_str()))
    };
    match target {
        Target::Person(p) => inst
            .module_indices()
            .filter(|&m| free(p, m))
            .map(|m| (p, m))
            .collect(),
        Target::Module(m) => inst
            .staff_indices()
            .filter(|&p| free(p, m))
            .map(|p| (p, m))
            .collect(),
    }
}

/// The screen: uncovered weighted hours of the module the person can do, capped by what the
/// person could give, then their spare hours. Higher is more promising.
fn screen(inst: &Instance, plan: &Plan, p: StaffIdx, m: ModuleIdx) -> (f64, f64) {
    let person = inst.person(p);
    let load: f64 = plan
        .assignments
        .iter()
        .filter(|a| a.person == person.id)
        .map(|a| a.hours)
        .sum();
    let uncovered: BTreeMap<&str, f64> = plan
        .uncovered
        .iter()
        .map(|u| (u.duty.as_str(), u.hours))
        .collect();
    let mut open: Vec<(f64, f64)> = inst
        .module(m)
        .duties
        .iter()
        .filter(|&&d| inst.can_do(p, d))
        .filter_map(|&d| {
            let duty = inst.duty(d);
            uncovered.get(duty.id.as_str()).map(|&h| (duty.weight, h))
        })
        .collect();
    open.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut left = person.capacity;
    let mut gain = 0.0;
    for (w, h) in open {
        let take = h.min(left);
        gain += w * take;
        left -= take;
        if left <= 0.0 {
            break;
        }
    }
    (gain, person.capacity - load)
}

/// The instance with `(p, m)` pinned, if the pin can hold with the person's other pins.
fn pinned(inst: &Instance, p: StaffIdx, m: ModuleIdx) -> Option<Instance> {
    let mut raw = to_raw(inst);
    raw.staff[p.index()]
        .fixed_posts
        .push(inst.module(m).id.clone());
    validate(&raw).ok().map(|(i, _)| i)
}

/// Ranks candidate posts for `target` against `plan` (a complete plan of `inst`).
#[must_use]
pub fn recommend(
    inst: &Instance,
    plan: &Plan,
    target: Target,
    options: &RecommendOptions,
) -> Recommendations {
    let mut screened: Vec<((StaffIdx, ModuleIdx), (f64, f64))> = candidates(inst, plan, target)
        .into_iter()
        .map(|(p, m)| ((p, m), screen(inst, plan, p, m)))
        .collect();
    let total = screened.len();
    // Most promising first; ids break ties so the choice is the same on every run.
    screened.sort_by(|a, b| {
        b.1.0
            .total_cmp(&a.1.0)
            .then(b.1.1.total_cmp(&a.1.1))
            .then(a.0.cmp(&b.0))
    });
    // Validating a pin costs a pass over the instance: only as many as are re-solved.
    let cands: Vec<((StaffIdx, ModuleIdx), Instance)> = screened
        .into_iter()
        .filter_map(|((p, m), _)| pinned(inst, p, m).map(|i| ((p, m), i)))
        .take(options.confirm.max(options.top))
        .collect();
    let cases: Vec<Case> = cands
        .iter()
        .map(|((p, m), i)| Case {
            name: format!("{} -> {}", inst.person(*p).id, inst.module(*m).id),
            instance: i.clone(),
        })
        .collect();
    let mut batch_options = options.batch.clone();
    batch_options.shard = None;
    let outcomes = batch::run(inst, plan, &cases, &batch_options);
    let mut found: Vec<Recommendation> = outcomes
        .into_iter()
        .filter_map(|o| {
            let ((p, m), _) = cands.get(o.index?)?;
            let (person, module) = (&inst.person(*p).id, &inst.module(*m).id);
            let hours = o
                .plan
                .assignments
                .iter()
                .filter(|a| &a.person == person && &a.module == module)
                .map(|a| a.hours)
                .sum();
            Some(Recommendation {
                person: person.clone(),
                module: module.clone(),
                coverage: o.coverage,
                coverage_change: o.coverage_change,
                posts_changed: o.posts_changed,
                hours,
                uncovered_hours: o.plan.totals.map_or(0.0, |t| t.uncovered_hours),
                status: o.status,
                moves: o.plan.changes.clone(),
                plan: o.plan,
            })
        })
        .collect();
    found.sort_by(|a, b| {
        a.coverage
            .total_cmp(&b.coverage)
            .then(a.posts_changed.cmp(&b.posts_changed))
            .then((&a.person, &a.module).cmp(&(&b.person, &b.module)))
    });
    let confirmed = found.len();
    found.truncate(options.top);
    Recommendations {
        plan_coverage: plan.objective.coverage,
        confirmed,
        candidates: total,
        options: found,
    }
}
