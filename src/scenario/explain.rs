//! `modstaff explain`: why a plan leaves what it leaves, and which hire would help most.
//!
//! The reasons come from [`crate::model::diagnose`], which reads the plan against the
//! instance. Bottleneck skills are ranked by what one more person with the skill would
//! cover: a quick estimate first, then an actual re-solve of the instance with that person
//! added (warm-started from the plan, through [`crate::scenario::batch`]), so every figure printed is
//! one a plan achieves.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use crate::engine::{SolveOptions, solve};
use crate::io::{RawInstance, RawStaff, to_raw, validate};
use crate::model::diagnose::{Diagnosis, Reason, diagnose};
use crate::model::{Change, DutyIdx, Instance, ModuleIdx, Plan, PlanStatus, SkillIdx};
use crate::scenario::batch::{self, BatchOptions, Case};

/// Settings of [`explain`].
#[derive(Clone)]
pub struct ExplainOptions {
    /// How to solve when no plan is given.
    pub solve: SolveOptions,
    /// Per re-solve settings of the hire experiments (threads are 1 per re-solve).
    pub confirm: Option<SolveOptions>,
    /// Re-solves run at once.
    pub jobs: usize,
    /// Weekly hours of the hypothetical hire.
    pub hire_capacity: f64,
    /// Called after each re-solve with (done, total).
    pub progress: Option<Arc<dyn Fn(usize, usize) + Send + Sync>>,
    /// Stops the re-solves (those not started are skipped).
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        Self {
            solve: SolveOptions::default(),
            confirm: Some(SolveOptions {
                time_limit: std::time::Duration::from_secs(2),
                ..SolveOptions::default()
            }),
            jobs: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            hire_capacity: 40.0,
            progress: None,
            cancel: None,
        }
    }
}

/// Uncovered duties of one category.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ReasonTotal {
    /// Duties.
    pub duties: usize,
    /// Uncovered hours.
    pub hours: f64,
    /// Weighted uncovered hours.
    pub weighted: f64,
}

/// A person and the duties only they can do.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PersonRisk {
    /// Staff id.
    pub person: String,
    /// Duties only they can do.
    pub duties: usize,
    /// Weighted hours of those duties.
    pub weighted: f64,
}

/// One more person with a skill: what they would cover.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bottleneck {
    /// The skill (`None`: a person without skills, for duties that need none).
    pub skill: Option<String>,
    /// The hire's level in it.
    pub level: u8,
    /// Uncovered duties the hire could do.
    pub duties: usize,
    /// Tier 1 reduction estimated from the uncovered duties alone (no re-solve).
    pub estimate: f64,
    /// Tier 1 reduction of an actual re-solve with the hire, when confirmed.
    pub confirmed: Option<f64>,
    /// Weighted uncovered hours removed by that re-solve.
    pub covered_weighted: Option<f64>,
    /// Tier 1 of that re-solve.
    pub coverage_after: Option<f64>,
    /// Whether that re-solve was proven optimal.
    pub status_after: Option<PlanStatus>,
    /// Existing staff whose posts change in that re-solve.
    pub people_moved: Option<usize>,
    /// The posts joined and left in that re-solve against the plan explained (the hire's
    /// own among them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub moves: Vec<Change>,
}

/// Everything `modstaff explain` reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// Instance name.
    pub instance: String,
    /// `given` (a plan file) or `solved`.
    pub plan_source: &'static str,
    /// The plan's status.
    pub status: PlanStatus,
    /// The plan's tier 1.
    pub coverage: f64,
    /// The plan's gap.
    pub gap: f64,
    /// Weighted uncovered hours (the duties' share of tier 1).
    pub uncovered_weighted: f64,
    /// Uncovered duties per category.
    pub by_reason: BTreeMap<Reason, ReasonTotal>,
    /// The analysis of the plan.
    #[serde(flatten)]
    pub diagnosis: Diagnosis,
    /// People who alone can do some duties, most weighted hours first.
    pub single_point_people: Vec<PersonRisk>,
    /// Skills ranked by what one more person with them covers (confirmed first).
    pub bottlenecks: Vec<Bottleneck>,
    /// Tier 1 the hire re-solves are compared with: the plan's, or a re-solve without a hire
    /// under the same settings when that is better (so search luck is not credited to a hire).
    pub reference_coverage: Option<f64>,
    /// The plan explained.
    #[serde(skip)]
    pub plan: Plan,
}

fn weighted_uncovered(inst: &Instance, plan: &Plan) -> f64 {
    plan.uncovered
        .iter()
        .filter_map(|u| Some(u.hours * inst.duty(*inst.ids.duties.get(&u.duty)?).weight))
        .sum()
}

/// Explains `plan` (solving `inst` first when there is none). The plan must pass
/// [`crate::model::verify`].
#[must_use]
pub fn explain(inst: &Instance, plan: Option<&Plan>, options: &ExplainOptions) -> Explanation {
    let (plan, source) = match plan {
        Some(p) => (p.clone(), "given"),
        None => (solve(inst, &options.solve).plan, "solved"),
    };
    let diagnosis = diagnose(inst, &plan);
    let mut by_reason: BTreeMap<Reason, ReasonTotal> = BTreeMap::new();
    for u in &diagnosis.uncovered {
        let t = by_reason.entry(u.reason).or_default();
        t.duties += 1;
        t.hours += u.hours;
        t.weighted += u.weighted;
    }
    let mut people: BTreeMap<&str, PersonRisk> = BTreeMap::new();
    for s in &diagnosis.single_points {
        let e = people.entry(&s.person).or_insert_with(|| PersonRisk {
            person: s.person.clone(),
            duties: 0,
            weighted: 0.0,
        });
        e.duties += 1;
        e.weighted += s.weighted;
    }
    let mut single_point_people: Vec<PersonRisk> = people.into_values().collect();
    single_point_people.sort_by(|a, b| {
        b.weighted
            .total_cmp(&a.weighted)
            .then_with(|| a.person.cmp(&b.person))
    });
    let (bottlenecks, reference_coverage) = bottlenecks(inst, &plan, options);
    Explanation {
        instance: inst.name.clone(),
        plan_source: source,
        status: plan.status,
        coverage: plan.objective.coverage,
        gap: plan.solver.gap,
        uncovered_weighted: weighted_uncovered(inst, &plan),
        by_reason,
        diagnosis,
        single_point_people,
        bottlenecks,
        reference_coverage,
        plan,
    }
}

/// The hire for a skill: the level that can do every uncovered duty of the skill (or every
/// duty of it, when none is uncovered).
fn hire_level(inst: &Instance, plan: &Plan, skill: SkillIdx) -> u8 {
    let of_skill = |d: &DutyIdx| inst.duty(*d).skill == Some(skill);
    let uncovered: Vec<DutyIdx> = plan
        .uncovered
        .iter()
        .filter_map(|u| inst.ids.duties.get(&u.duty).copied())
        .filter(of_skill)
        .collect();
    let pool: Vec<DutyIdx> = if uncovered.is_empty() {
        inst.duty_indices().filter(of_skill).collect()
    } else {
        uncovered
    };
    pool.iter()
        .map(|&d| inst.duty(d).min_level)
        .max()
        .unwrap_or(1)
}

/// Greedy estimate: the hire takes the heaviest uncovered work they can do, in at most
/// `max_posts` modules that are neither full nor in conflict with each other.
fn estimate(
    inst: &Instance,
    plan: &Plan,
    skill: Option<(SkillIdx, u8)>,
    capacity: f64,
) -> (usize, f64) {
    let mut open: Vec<(DutyIdx, f64)> = plan
        .uncovered
        .iter()
        .filter_map(|u| Some((*inst.ids.duties.get(&u.duty)?, u.hours)))
        .filter(|&(d, _)| {
            let duty = inst.duty(d);
            match (duty.skill, skill) {
                (None, _) => true,
                (Some(s), Some((k, level))) => s == k && duty.min_level <= level,
                (Some(_), None) => false,
            }
        })
        .collect();
    let count = open.len();
    open.sort_by(|a, b| inst.duty(b.0).weight.total_cmp(&inst.duty(a.0).weight));
    let mut holders: BTreeMap<ModuleIdx, usize> = BTreeMap::new();
    for p in &plan.posts {
        if let Some(&m) = inst.ids.modules.get(&p.module) {
            *holders.entry(m).or_default() += 1;
        }
    }
    let mut chosen: Vec<ModuleIdx> = Vec::new();
    let mut left = capacity;
    let mut gain = 0.0;
    for (d, hours) in open {
        let duty = inst.duty(d);
        let m = duty.module;
        if !chosen.contains(&m) {
            let full = inst
                .module(m)
                .max_staff
                .is_some_and(|max| holders.get(&m).copied().unwrap_or(0) >= max as usize);
            if full
                || chosen.len() >= inst.rules.max_posts as usize
                || chosen.iter().any(|&c| inst.in_conflict(c, m))
            {
                continue;
            }
        }
        let take = if duty.splittable {
            hours.min(left)
        } else if hours <= left + 1e-9 {
            hours
        } else {
            0.0
        };
        if take <= 0.0 {
            continue;
        }
        if !chosen.contains(&m) {
            chosen.push(m);
        }
        left -= take;
        gain += take * duty.weight;
        if left <= 1e-9 {
            break;
        }
    }
    (count, gain)
}

fn bottlenecks(
    inst: &Instance,
    plan: &Plan,
    options: &ExplainOptions,
) -> (Vec<Bottleneck>, Option<f64>) {
    let hires = hires(inst, plan);
    let mut out: Vec<Bottleneck> = hires
        .iter()
        .map(|&h| {
            let (duties, estimate) = estimate(inst, plan, h, options.hire_capacity);
            Bottleneck {
                skill: h.map(|(s, _)| inst.skills[s.index()].id.clone()),
                level: h.map_or(0, |(_, l)| l),
                duties,
                estimate,
                confirmed: None,
                covered_weighted: None,
                coverage_after: None,
                status_after: None,
                people_moved: None,
                moves: Vec::new(),
            }
        })
        .collect();
    let mut reference = None;
    // Nothing to gain when nothing is lost.
    if let Some(confirm) = options.confirm.clone()
        && plan.objective.coverage > 0.0
    {
        reference = Some(confirm_hires(
            inst, plan, &hires, options, confirm, &mut out,
        ));
    }
    out.sort_by(|a, b| {
        let key = |x: &Bottleneck| x.confirmed.unwrap_or(x.estimate);
        key(b)
            .total_cmp(&key(a))
            .then_with(|| b.estimate.total_cmp(&a.estimate))
            .then_with(|| a.skill.cmp(&b.skill))
    });
    (out, reference)
}

/// The hires to try: every skill some duty needs, at [`hire_level`], plus a person without
/// skills (`None`) when unskilled work is uncovered.
fn hires(inst: &Instance, plan: &Plan) -> Vec<Option<(SkillIdx, u8)>> {
    let mut hires: Vec<Option<(SkillIdx, u8)>> = Vec::new();
    for (s, _) in inst.skills.iter().enumerate() {
        let s = SkillIdx::from(s);
        if inst.duties.iter().any(|d| d.skill == Some(s)) {
            hires.push(Some((s, hire_level(inst, plan, s))));
        }
    }
    let unskilled_uncovered = plan.uncovered.iter().any(|u| {
        inst.ids
            .duties
            .get(&u.duty)
            .is_some_and(|&d| inst.duty(d).skill.is_none())
    });
    if unskilled_uncovered {
        hires.push(None);
    }
    hires
}

/// `raw` with one more person: the hire `h` at `capacity` hours.
fn with_hire(
    inst: &Instance,
    raw: &RawInstance,
    h: Option<(SkillIdx, u8)>,
    capacity: f64,
) -> RawInstance {
    let mut r = raw.clone();
    let mut id = match h {
        Some((s, _)) => format!("hire-{}", inst.skills[s.index()].id),
        None => "hire-general".to_owned(),
    };
    while inst.ids.staff.contains_key(&id) {
        id.push('+');
    }
    r.staff.push(RawStaff {
        id,
        name: Some("Hypothetical hire".to_owned()),
        unit: None,
        capacity: Some(capacity),
        skills: h
            .map(|(s, l)| BTreeMap::from([(inst.skills[s.index()].id.clone(), i64::from(l))]))
            .unwrap_or_default(),
        max_posts: None,
        max_liaisons: None,
        current_posts: Vec::new(),
        fixed_posts: Vec::new(),
        unavailable: Vec::new(),
    });
    r
}

/// Re-solves the instance with each hire (warm-started from `plan`) and fills in the
/// confirmed figures of `out` (one per hire); returns the tier 1 they are compared with.
fn confirm_hires(
    inst: &Instance,
    plan: &Plan,
    hires: &[Option<(SkillIdx, u8)>],
    options: &ExplainOptions,
    confirm: SolveOptions,
    out: &mut [Bottleneck],
) -> f64 {
    let raw = to_raw(inst);
    let mut cases = Vec::new();
    let mut index = Vec::new();
    for (k, &h) in hires.iter().enumerate() {
        if let Ok((instance, _)) = validate(&with_hire(inst, &raw, h, options.hire_capacity)) {
            index.push(Some(cases.len()));
            cases.push(Case {
                name: format!("hire {k}"),
                instance,
            });
        } else {
            index.push(None);
        }
    }
    // Without a proof, a re-solve may beat the plan by search alone: compare the hires
    // with a re-solve without one under the same settings.
    let control = (plan.status != PlanStatus::Optimal).then(|| {
        cases.push(Case {
            name: "no hire".to_owned(),
            instance: inst.clone(),
        });
        cases.len() - 1
    });
    let results = batch::run(
        inst,
        plan,
        &cases,
        &BatchOptions {
            solve: confirm,
            jobs: options.jobs,
            shard: None,
            progress: options.progress.clone(),
            cancel: options.cancel.clone(),
        },
    );
    let by_case: BTreeMap<usize, &batch::Outcome> =
        results.iter().filter_map(|o| Some((o.index?, o))).collect();
    let base = control
        .and_then(|c| by_case.get(&c))
        .map_or(plan.objective.coverage, |o| {
            o.coverage.min(plan.objective.coverage)
        });
    let base_weighted = control
        .and_then(|c| by_case.get(&c))
        .map_or(weighted_uncovered(inst, plan), |o| {
            weighted_uncovered(inst, &o.plan).min(weighted_uncovered(inst, plan))
        });
    for (b, k) in out.iter_mut().zip(&index) {
        let Some(o) = k.and_then(|k| by_case.get(&k)) else {
            continue;
        };
        let inst_k = &cases[o.index.unwrap_or(0)].instance;
        // A hire never makes the optimum worse; a search that did worse found nothing.
        b.confirmed = Some((base - o.coverage).max(0.0));
        b.covered_weighted = Some((base_weighted - weighted_uncovered(inst_k, &o.plan)).max(0.0));
        b.coverage_after = Some(o.coverage);
        b.status_after = Some(o.status);
        b.people_moved = Some(o.people_moved);
        b.moves.clone_from(&o.changes);
    }
    base
}
