//! Why a plan leaves what it leaves: for each uncovered duty, unmet counterpart and
//! understaffed module, the rule or the trade-off responsible, with the people and numbers
//! involved; and the duties only one person can do.
//!
//! This reads a plan against its instance and nothing else (no solver), so it explains plans
//! from any source. The solver writes each uncovered duty's [`Why`] into the plan, with the
//! sentence of [`short`] as its `reason`; `modstaff explain` prints the whole diagnosis.
//!
//! This module finds the facts; [`wording`] puts every one of them into sentences.

mod wording;

pub use wording::{full, short};

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{DutyIdx, Instance, ModuleIdx, Plan, StaffIdx, Why, WhyPerson};

/// Hours below this are zero.
const EPS: f64 = 1e-6;

pub use super::plan::{Blocker, Reason, Rule, Standing, Work};

/// A person who can do an uncovered duty, and why they do not (do more of) it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    /// Staff id.
    pub person: String,
    /// Where they stand.
    pub standing: Standing,
    /// Whether they hold a post in the duty's module.
    pub holds_post: bool,
    /// Hours planned.
    pub load: f64,
    /// Weekly capacity.
    pub capacity: f64,
    /// Rules keeping them out of the module (empty unless `standing` is `blocked`).
    pub blockers: Vec<Blocker>,
    /// Their work, heaviest first.
    pub work: Vec<Work>,
}

/// Why a duty is (partly) uncovered.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UncoveredWhy {
    /// Duty id.
    pub duty: String,
    /// Its module.
    pub module: String,
    /// Uncovered hours.
    pub hours: f64,
    /// The duty's hours.
    pub duty_hours: f64,
    /// Weight per hour.
    pub weight: f64,
    /// `hours * weight`: its share of tier 1.
    pub weighted: f64,
    /// Skill needed, if any.
    pub skill: Option<String>,
    /// Level needed.
    pub min_level: u8,
    /// Whether it may be shared.
    pub splittable: bool,
    /// The category.
    pub reason: Reason,
    /// The explanation in one or two plain sentences.
    pub summary: String,
    /// The explanation as data, as plans carry it.
    pub why: Why,
    /// Everyone who has the skill at the level (empty for `no_skill`).
    pub candidates: Vec<Candidate>,
    /// For `no_skill`: people with the skill below the level needed, as `(person, level)`.
    pub near_misses: Vec<(String, u8)>,
}

/// Why a counterpart has no liaison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CounterpartWhy {
    /// Counterpart id.
    pub counterpart: String,
    /// Modules that mirror it.
    pub modules: Vec<String>,
    /// People who hold a post in one of those modules (the only possible liaisons).
    pub possible: Vec<String>,
    /// Whether the plan could add a liaison without breaking a rule.
    pub not_optimal: bool,
    /// The explanation.
    pub summary: String,
}

/// Why a module is below its `min_staff`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnderstaffedWhy {
    /// Module id.
    pub module: String,
    /// People missing.
    pub missing: u32,
    /// People who qualify for it but hold no post there, with what keeps them out.
    pub qualified_outside: Vec<(String, Vec<Blocker>)>,
    /// Whether someone could take a post without breaking a rule.
    pub not_optimal: bool,
    /// The explanation.
    pub summary: String,
}

/// A duty only one person can do.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SinglePoint {
    /// Duty id.
    pub duty: String,
    /// Its module.
    pub module: String,
    /// The only person who can do it (skill, level, availability).
    pub person: String,
    /// Hours of the duty.
    pub hours: f64,
    /// Weight per hour.
    pub weight: f64,
    /// `hours * weight`: what is at risk if the person leaves.
    pub weighted: f64,
    /// Hours the person works on it in the plan.
    pub covered: f64,
}

/// Everything [`diagnose`] finds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Diagnosis {
    /// Uncovered duties, largest weighted hours first.
    pub uncovered: Vec<UncoveredWhy>,
    /// Listed counterparts without a liaison.
    pub unmet_counterparts: Vec<CounterpartWhy>,
    /// Modules below `min_staff`.
    pub understaffed: Vec<UnderstaffedWhy>,
    /// Duties only one person can do, largest weighted hours first.
    pub single_points: Vec<SinglePoint>,
}

impl Diagnosis {
    /// The explanation of duty `duty`, if it is uncovered.
    #[must_use]
    pub fn uncovered_why(&self, duty: &str) -> Option<&UncoveredWhy> {
        self.uncovered.iter().find(|u| u.duty == duty)
    }
}

/// A person who could liaise with an unmet counterpart (holds a post in a module that mirrors
/// it): their liaisons and their limit.
struct Liaising {
    person: String,
    liaisons: usize,
    max_liaisons: u32,
}

/// The plan resolved to indices (ids the instance does not know are ignored: `check` reports
/// them).
struct Resolved {
    load: Vec<f64>,
    posts: Vec<BTreeSet<ModuleIdx>>,
    holders: Vec<BTreeSet<StaffIdx>>,
    work: Vec<Vec<(DutyIdx, f64)>>,
    covered: Vec<f64>,
    by_person_duty: BTreeMap<(StaffIdx, DutyIdx), f64>,
    liaisons: Vec<usize>,
    unit_heads: Vec<BTreeSet<StaffIdx>>,
}

fn resolve(inst: &Instance, plan: &Plan) -> Resolved {
    let n = inst.staff.len();
    let mut r = Resolved {
        load: vec![0.0; n],
        posts: vec![BTreeSet::new(); n],
        holders: vec![BTreeSet::new(); inst.modules.len()],
        work: vec![Vec::new(); n],
        covered: vec![0.0; inst.duties.len()],
        by_person_duty: BTreeMap::new(),
        liaisons: vec![0; n],
        unit_heads: vec![BTreeSet::new(); inst.units.len()],
    };
    for post in &plan.posts {
        if let (Some(&p), Some(&m)) = (
            inst.ids.staff.get(&post.person),
            inst.ids.modules.get(&post.module),
        ) {
            r.posts[p.index()].insert(m);
            r.holders[m.index()].insert(p);
            if let Some(u) = inst.module(m).unit {
                r.unit_heads[u.index()].insert(p);
            }
        }
    }
    for a in &plan.assignments {
        if let (Some(&p), Some(&d)) = (inst.ids.staff.get(&a.person), inst.ids.duties.get(&a.duty))
        {
            r.load[p.index()] += a.hours;
            r.covered[d.index()] += a.hours;
            r.work[p.index()].push((d, a.hours));
            *r.by_person_duty.entry((p, d)).or_default() += a.hours;
        }
    }
    for w in &mut r.work {
        w.sort_by(|a, b| {
            inst.duty(b.0)
                .weight
                .total_cmp(&inst.duty(a.0).weight)
                .then(b.1.total_cmp(&a.1))
        });
    }
    for l in &plan.liaisons {
        if let Some(&p) = inst.ids.staff.get(&l.person) {
            r.liaisons[p.index()] += 1;
        }
    }
    r
}

/// The rules that keep `p` from taking a post in `m` in this plan (empty if `p` holds one or
/// could take one).
fn blockers(inst: &Instance, r: &Resolved, p: StaffIdx, m: ModuleIdx) -> Vec<Blocker> {
    let person = inst.person(p);
    let mut out = Vec::new();
    if person.unavailable.binary_search(&m).is_ok() {
        out.push(Blocker::Unavailable);
    }
    let held = &r.posts[p.index()];
    if held.contains(&m) {
        return out;
    }
    if held.len() >= person.max_posts as usize {
        out.push(Blocker::PostsCap {
            held: held.iter().map(|&h| inst.module(h).id.clone()).collect(),
            max_posts: person.max_posts,
        });
    }
    for &h in held {
        if inst.in_conflict(h, m) {
            out.push(Blocker::Conflict {
                with: inst.module(h).id.clone(),
            });
        }
    }
    let module = inst.module(m);
    if let Some(max) = module.max_staff
        && r.holders[m.index()].len() >= max as usize
    {
        out.push(Blocker::ModuleFull {
            holders: r.holders[m.index()]
                .iter()
                .map(|&h| inst.person(h).id.clone())
                .collect(),
            max_staff: max,
        });
    }
    if let Some(u) = module.unit
        && let Some(cap) = inst.units[u.index()].headcount_cap
    {
        let heads = &r.unit_heads[u.index()];
        if !heads.contains(&p) && heads.len() >= cap as usize {
            out.push(Blocker::UnitCap {
                unit: inst.units[u.index()].id.clone(),
                headcount: heads.len(),
                headcount_cap: cap,
            });
        }
    }
    out
}

/// Analyses `plan` (assumed to pass [`super::verify`]) against `inst`.
#[must_use]
pub fn diagnose(inst: &Instance, plan: &Plan) -> Diagnosis {
    let r = resolve(inst, plan);
    Diagnosis {
        uncovered: uncovered(inst, &r, None),
        unmet_counterparts: counterparts_why(inst, plan, &r),
        understaffed: understaffed_why(inst, &r),
        single_points: single_points(inst, &r),
    }
}

/// Only the uncovered duties' explanations (what a plan's `reason` texts need).
#[must_use]
pub fn uncovered_reasons(inst: &Instance, plan: &Plan) -> Vec<UncoveredWhy> {
    uncovered(inst, &resolve(inst, plan), None)
}

/// As [`uncovered_reasons`], for the duties it gets to before `until` (or `stop` says so):
/// on a plan with thousands of uncovered duties and thousands of people the analysis takes
/// seconds, and a solve must end at its time limit. The duties left out have no entry.
#[must_use]
pub fn uncovered_reasons_until(
    inst: &Instance,
    plan: &Plan,
    until: std::time::Instant,
    stop: &dyn Fn() -> bool,
) -> Vec<UncoveredWhy> {
    let late = || stop() || std::time::Instant::now() >= until;
    if late() {
        return Vec::new();
    }
    uncovered(inst, &resolve(inst, plan), Some(&late))
}

fn uncovered(inst: &Instance, r: &Resolved, late: Option<&dyn Fn() -> bool>) -> Vec<UncoveredWhy> {
    let mut uncovered: Vec<UncoveredWhy> = inst
        .duty_indices()
        .filter(|&d| inst.duty(d).hours - r.covered[d.index()] > EPS)
        .take_while(|_| late.is_none_or(|f| !f()))
        .map(|d| uncovered_why(inst, r, d, inst.duty(d).hours - r.covered[d.index()]))
        .collect();
    uncovered.sort_by(|a, b| {
        b.weighted
            .total_cmp(&a.weighted)
            .then_with(|| a.duty.cmp(&b.duty))
    });
    uncovered
}

fn uncovered_why(inst: &Instance, r: &Resolved, d: DutyIdx, left: f64) -> UncoveredWhy {
    let duty = inst.duty(d);
    let m = duty.module;
    let module_id = inst.module(m).id.as_str();
    let skill = duty.skill.map(|s| inst.skills[s.index()].id.clone());
    let mut candidates = Vec::new();
    let mut near_misses = Vec::new();
    for p in inst.staff_indices() {
        let person = inst.person(p);
        if !inst.can_do(p, d) {
            if let Some(s) = duty.skill {
                let level = person.level(s);
                if level > 0 {
                    near_misses.push((person.id.clone(), level));
                }
            }
            continue;
        }
        let holds_post = r.posts[p.index()].contains(&m);
        let blockers = blockers(inst, r, p, m);
        let free = person.capacity - r.load[p.index()];
        let standing = if !blockers.is_empty() {
            Standing::Blocked
        } else if free <= EPS {
            Standing::Full
        } else if !duty.splittable && free < duty.hours - EPS {
            Standing::TooLittleFree
        } else {
            Standing::Free
        };
        candidates.push(Candidate {
            person: person.id.clone(),
            standing,
            holds_post,
            load: r.load[p.index()],
            capacity: person.capacity,
            blockers,
            work: r.work[p.index()]
                .iter()
                .map(|&(w, h)| Work {
                    duty: inst.duty(w).id.clone(),
                    weight: inst.duty(w).weight,
                    hours: h,
                })
                .collect(),
        });
    }
    near_misses.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let count = |s: Standing| candidates.iter().filter(|c| c.standing == s).count();
    let (free, full, little) = (
        count(Standing::Free),
        count(Standing::Full),
        count(Standing::TooLittleFree),
    );
    let min_work_weight = candidates
        .iter()
        .filter(|c| c.standing == Standing::Full)
        .flat_map(|c| c.work.iter().map(|w| w.weight))
        .fold(f64::INFINITY, f64::min);
    let reason = if candidates.is_empty() {
        Reason::NoSkill
    } else if free > 0 {
        Reason::NotOptimal
    } else if full == 0 && little == 0 {
        Reason::Blocked
    } else if little > 0 && full == 0 {
        Reason::NoSingleBlock
    } else if min_work_weight > duty.weight + EPS {
        Reason::LowerWeight
    } else if little > 0 && !duty.splittable {
        Reason::NoSingleBlock
    } else {
        Reason::AtCapacity
    };
    let why = compact(reason, &candidates, &near_misses);
    let summary = wording::full(inst, &duty.id, &why, false);
    UncoveredWhy {
        duty: duty.id.clone(),
        module: module_id.to_owned(),
        hours: left,
        duty_hours: duty.hours,
        weight: duty.weight,
        weighted: left * duty.weight,
        skill,
        min_level: duty.min_level,
        splittable: duty.splittable,
        reason,
        summary,
        why,
        candidates,
        near_misses,
    }
}

/// People listed in a [`Why`]; the rest are counted.
const SHOWN: usize = 4;

/// Duties listed per person in a [`Why`].
const WORK_SHOWN: usize = 2;

/// The facts a reason of category `reason` rests on, as a plan carries them: the people it is
/// about (a few, the rest counted) with their figures, and the others kept out.
fn compact(reason: Reason, candidates: &[Candidate], near: &[(String, u8)]) -> Why {
    let of = |s: Standing| candidates.iter().filter(move |c| c.standing == s);
    let person = |c: &Candidate, with_work: bool| WhyPerson {
        person: c.person.clone(),
        standing: c.standing,
        level: None,
        hours: Some(c.load),
        capacity: Some(c.capacity),
        holds_post: c.holds_post,
        work: if with_work {
            c.work.iter().take(WORK_SHOWN).cloned().collect()
        } else {
            Vec::new()
        },
        more_work: if with_work {
            c.work.len().saturating_sub(WORK_SHOWN) as u64
        } else {
            0
        },
        blockers: c
            .blockers
            .iter()
            .filter(|b| !b.module_wide())
            .cloned()
            .collect(),
    };
    let mut why = Why {
        reason,
        people: Vec::new(),
        more: 0,
        weights: None,
        module_blockers: Vec::new(),
        at_capacity: 0,
        kept_out: 0,
        rules: Vec::new(),
    };
    let concerned: Vec<WhyPerson> = match reason {
        Reason::NoSkill => near
            .iter()
            .map(|(p, level)| WhyPerson {
                person: p.clone(),
                standing: Standing::BelowLevel,
                level: Some(*level),
                hours: None,
                capacity: None,
                holds_post: false,
                work: Vec::new(),
                more_work: 0,
                blockers: Vec::new(),
            })
            .collect(),
        Reason::NotOptimal => of(Standing::Free).map(|c| person(c, false)).collect(),
        Reason::Blocked => of(Standing::Blocked).map(|c| person(c, false)).collect(),
        Reason::AtCapacity | Reason::LowerWeight => {
            let (lo, hi) = of(Standing::Full)
                .flat_map(|c| c.work.iter().map(|w| w.weight))
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), w| {
                    (lo.min(w), hi.max(w))
                });
            why.weights = lo.is_finite().then_some([lo, hi]);
            of(Standing::Full).map(|c| person(c, true)).collect()
        }
        Reason::NoSingleBlock => {
            let mut little: Vec<&Candidate> = of(Standing::TooLittleFree).collect();
            // Most hours free first: how close the plan comes to fitting it.
            little.sort_by(|a, b| (b.capacity - b.load).total_cmp(&(a.capacity - a.load)));
            why.at_capacity = of(Standing::Full).count() as u64;
            little.into_iter().map(|c| person(c, false)).collect()
        }
    };
    // Those kept out are the reason when everyone is; otherwise they are counted beside it.
    let kept_out: Vec<&Candidate> = of(Standing::Blocked).collect();
    if reason != Reason::Blocked {
        why.kept_out = kept_out.len() as u64;
    }
    let rules: BTreeSet<Rule> = kept_out
        .iter()
        .flat_map(|c| c.blockers.iter().map(Blocker::rule))
        .collect();
    why.rules = rules.into_iter().collect();
    // The same for everyone, so given once; only where they are the reason (elsewhere the
    // rules' names say enough, and a full module's holders would fill the plan file).
    if reason == Reason::Blocked {
        for b in kept_out.iter().flat_map(|c| &c.blockers) {
            if b.module_wide() && !why.module_blockers.contains(b) {
                why.module_blockers.push(b.clone());
            }
        }
    }
    why.more = concerned.len().saturating_sub(SHOWN) as u64;
    why.people = concerned;
    why.people.truncate(SHOWN);
    why
}

fn counterparts_why(inst: &Instance, plan: &Plan, r: &Resolved) -> Vec<CounterpartWhy> {
    let mut out = Vec::new();
    for id in &plan.unmet_counterparts {
        let Some(&c) = inst.ids.counterparts.get(id) else {
            continue;
        };
        let mirroring: Vec<ModuleIdx> = inst
            .module_indices()
            .filter(|&m| inst.module(m).counterparts.contains(&c))
            .collect();
        let modules: Vec<String> = mirroring
            .iter()
            .map(|&m| inst.module(m).id.clone())
            .collect();
        let possible: Vec<Liaising> = mirroring
            .iter()
            .flat_map(|m| r.holders[m.index()].iter().copied())
            .collect::<BTreeSet<StaffIdx>>()
            .into_iter()
            .map(|p| Liaising {
                person: inst.person(p).id.clone(),
                liaisons: r.liaisons[p.index()],
                max_liaisons: inst.person(p).max_liaisons,
            })
            .collect();
        let spare = possible
            .iter()
            .find(|l| l.liaisons < l.max_liaisons as usize);
        out.push(CounterpartWhy {
            counterpart: id.clone(),
            summary: wording::counterpart_summary(inst, &modules, &possible, spare),
            not_optimal: spare.is_some(),
            possible: possible.into_iter().map(|l| l.person).collect(),
            modules,
        });
    }
    out
}

fn understaffed_why(inst: &Instance, r: &Resolved) -> Vec<UnderstaffedWhy> {
    let mut out = Vec::new();
    for m in inst.module_indices() {
        let module = inst.module(m);
        let held = r.holders[m.index()].len();
        if held >= module.min_staff as usize {
            continue;
        }
        let missing = module.min_staff - u32::try_from(held).unwrap_or(u32::MAX);
        let qualified_outside: Vec<(String, Vec<Blocker>)> = inst
            .staff_indices()
            .filter(|&p| {
                !r.posts[p.index()].contains(&m)
                    && (module.duties.is_empty()
                        || module.duties.iter().any(|&d| inst.can_do(p, d)))
            })
            .map(|p| (inst.person(p).id.clone(), blockers(inst, r, p, m)))
            .collect();
        let open = qualified_outside
            .iter()
            .find(|(_, b)| b.is_empty())
            .map(|(p, _)| p);
        out.push(UnderstaffedWhy {
            module: module.id.clone(),
            missing,
            not_optimal: open.is_some(),
            summary: wording::understaffed_summary(inst, held, &qualified_outside, open),
            qualified_outside,
        });
    }
    out
}

fn single_points(inst: &Instance, r: &Resolved) -> Vec<SinglePoint> {
    let mut out: Vec<SinglePoint> = inst
        .duty_indices()
        .filter_map(|d| {
            let duty = inst.duty(d);
            let mut doers = inst
                .staff_indices()
                // Doing one of a module's duties is enough to qualify for it, so only
                // unavailability remains to be checked.
                .filter(|&p| {
                    inst.can_do(p, d)
                        && inst
                            .person(p)
                            .unavailable
                            .binary_search(&duty.module)
                            .is_err()
                });
            let only = doers.next()?;
            if doers.next().is_some() {
                return None;
            }
            Some(SinglePoint {
                duty: duty.id.clone(),
                module: inst.module(duty.module).id.clone(),
                person: inst.person(only).id.clone(),
                hours: duty.hours,
                weight: duty.weight,
                weighted: duty.hours * duty.weight,
                covered: r.by_person_duty.get(&(only, d)).copied().unwrap_or(0.0),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.weighted
            .total_cmp(&a.weighted)
            .then_with(|| a.duty.cmp(&b.duty))
    });
    out
}
