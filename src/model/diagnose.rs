//! Why a plan leaves what it leaves: for each uncovered duty, unmet counterpart and
//! understaffed module, the rule or the trade-off responsible, with the people and numbers
//! involved; and the duties only one person can do.
//!
//! This reads a plan against its instance and nothing else (no solver), so it explains plans
//! from any source. The solver uses [`Diagnosis::short_reason`] for the plan's `reason` texts;
//! `modstaff explain` prints the whole diagnosis.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use super::{DutyIdx, Instance, ModuleIdx, Plan, StaffIdx};

/// Hours below this are zero.
const EPS: f64 = 1e-6;

/// The category of an uncovered duty, in the order a planner would check them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Nobody has the skill at the level the duty needs.
    NoSkill,
    /// Everyone who can do it is kept out of its module by a rule (posts cap, conflict,
    /// unavailability, the module's `max_staff`, the unit's headcount cap).
    Blocked,
    /// Everyone who can do it (and may hold the post) is at capacity on work of the same
    /// weight or mixed weights.
    AtCapacity,
    /// Everyone who can do it is at capacity on strictly heavier work.
    LowerWeight,
    /// It cannot be split and nobody who can do it has its hours free in one piece.
    NoSingleBlock,
    /// Someone could do more of it without breaking a rule: the plan is not optimal.
    NotOptimal,
}

impl Reason {
    /// The category as written in JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoSkill => "no_skill",
            Self::Blocked => "blocked",
            Self::AtCapacity => "at_capacity",
            Self::LowerWeight => "lower_weight",
            Self::NoSingleBlock => "no_single_block",
            Self::NotOptimal => "not_optimal",
        }
    }
}

/// A rule that keeps a person out of a module.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Blocker {
    /// The person is marked unavailable for the module.
    Unavailable,
    /// The person already holds `max_posts` posts.
    PostsCap {
        /// The modules held.
        held: Vec<String>,
        /// The cap.
        max_posts: u32,
    },
    /// The person holds a module that conflicts with this one.
    Conflict {
        /// The conflicting module held.
        with: String,
    },
    /// The module already has `max_staff` post holders.
    ModuleFull {
        /// Post holders now.
        holders: Vec<String>,
        /// The cap.
        max_staff: u32,
    },
    /// The module's unit is at its headcount cap and the person holds no post in it.
    UnitCap {
        /// The unit.
        unit: String,
        /// Distinct people holding a post in the unit.
        headcount: usize,
        /// The cap.
        headcount_cap: u32,
    },
}

impl Blocker {
    /// The rule in the planner's words.
    fn describe(&self, module: &str) -> String {
        match self {
            Self::Unavailable => format!("is unavailable for `{module}`"),
            Self::PostsCap { held, max_posts } => format!(
                "holds {} of {max_posts} posts ({})",
                held.len(),
                list(held, 4)
            ),
            Self::Conflict { with } => format!("holds `{with}`, which conflicts with `{module}`"),
            Self::ModuleFull { holders, max_staff } => format!(
                "`{module}` is full ({} of {max_staff} posts: {})",
                holders.len(),
                list(holders, 4)
            ),
            Self::UnitCap {
                unit,
                headcount,
                headcount_cap,
            } => format!("unit `{unit}` is at its headcount cap ({headcount} of {headcount_cap})"),
        }
    }

    /// Whether the rule keeps everyone out, not just this person.
    #[must_use]
    pub fn module_wide(&self) -> bool {
        matches!(self, Self::ModuleFull { .. } | Self::UnitCap { .. })
    }

    /// A short name of the rule.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Unavailable => "unavailability",
            Self::PostsCap { .. } => "posts cap",
            Self::Conflict { .. } => "a conflict",
            Self::ModuleFull { .. } => "the module's max_staff",
            Self::UnitCap { .. } => "the unit's headcount cap",
        }
    }
}

/// Where a person who could do an uncovered duty stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Kept out of the module by a rule (see `blockers`).
    Blocked,
    /// No hours left.
    Full,
    /// Hours left, but fewer than the (non-splittable) duty needs.
    TooLittleFree,
    /// Hours left and free to work on it.
    Free,
}

/// Hours a person works on a duty (part of an explanation).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Work {
    /// Duty id.
    pub duty: String,
    /// Its weight.
    pub weight: f64,
    /// Hours worked on it.
    pub hours: f64,
}

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
    /// The explanation in one or two sentences.
    pub summary: String,
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
    /// The short reason of duty `duty` (its summary), if it is uncovered.
    #[must_use]
    pub fn short_reason(&self, duty: &str) -> Option<&str> {
        self.uncovered
            .iter()
            .find(|u| u.duty == duty)
            .map(|u| u.summary.as_str())
    }
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
        uncovered: uncovered(inst, &r),
        unmet_counterparts: counterparts_why(inst, plan, &r),
        understaffed: understaffed_why(inst, &r),
        single_points: single_points(inst, &r),
    }
}

/// Only the uncovered duties' explanations (what a plan's `reason` texts need).
#[must_use]
pub fn uncovered_reasons(inst: &Instance, plan: &Plan) -> Vec<UncoveredWhy> {
    uncovered(inst, &resolve(inst, plan))
}

fn uncovered(inst: &Instance, r: &Resolved) -> Vec<UncoveredWhy> {
    let mut uncovered: Vec<UncoveredWhy> = inst
        .duty_indices()
        .filter_map(|d| {
            let left = inst.duty(d).hours - r.covered[d.index()];
            (left > EPS).then(|| uncovered_why(inst, r, d, left))
        })
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
    let summary = summary(inst, d, module_id, reason, &candidates, &near_misses);
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
        candidates,
        near_misses,
    }
}

/// At most `n` items of a list, then "and k more".
fn list(items: &[String], n: usize) -> String {
    let shown = items
        .iter()
        .take(n)
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > n {
        format!("{shown} and {} more", items.len() - n)
    } else {
        shown
    }
}

/// Hours and weights without needless decimals. The report layer has its own formatter; the
/// model layer does not depend on it.
fn num(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if (r - r.round()).abs() < 1e-9 {
        format!("{r:.0}")
    } else {
        format!("{r}")
    }
}

/// "p04 (40/40 h: d011 w10 12 h, d012 w8 28 h)".
fn at_capacity(c: &Candidate) -> String {
    let work = c
        .work
        .iter()
        .take(2)
        .map(|w| format!("`{}` weight {} {} h", w.duty, num(w.weight), num(w.hours)))
        .collect::<Vec<_>>()
        .join(", ");
    let more = if c.work.len() > 2 {
        format!(", {} more", c.work.len() - 2)
    } else {
        String::new()
    };
    format!(
        "`{}` ({}/{} h: {work}{more})",
        c.person,
        num(c.load),
        num(c.capacity)
    )
}

fn summary(
    inst: &Instance,
    d: DutyIdx,
    module: &str,
    reason: Reason,
    candidates: &[Candidate],
    near: &[(String, u8)],
) -> String {
    let duty = inst.duty(d);
    let skill = duty.skill.map(|s| inst.skills[s.index()].id.as_str());
    let people = |s: Standing| -> Vec<&Candidate> {
        candidates.iter().filter(|c| c.standing == s).collect()
    };
    // Module-wide rules (a full module, a unit at its cap) are stated once, personal ones
    // (posts cap, conflict, unavailability) per person.
    let blocked_text = |cs: &[&Candidate]| -> String {
        let mut parts: Vec<String> = Vec::new();
        for c in cs {
            for b in c.blockers.iter().filter(|b| b.module_wide()) {
                let text = b.describe(module);
                if !parts.contains(&text) {
                    parts.push(text);
                }
            }
        }
        for c in cs {
            let personal: Vec<String> = c
                .blockers
                .iter()
                .filter(|b| !b.module_wide())
                .map(|b| b.describe(module))
                .collect();
            if !personal.is_empty() {
                parts.push(format!("`{}` {}", c.person, personal.join(" and ")));
            }
        }
        parts.join("; ")
    };
    let mut s = String::new();
    match reason {
        Reason::NoSkill => {
            match skill {
                Some(skill) if near.is_empty() => {
                    let _ = write!(s, "nobody has `{skill}`");
                }
                Some(skill) => {
                    let closest = near
                        .iter()
                        .take(4)
                        .map(|(p, l)| format!("`{p}` has level {l}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let _ = write!(
                        s,
                        "nobody has `{skill}` at level {} or above (closest: {closest}{})",
                        duty.min_level,
                        if near.len() > 4 { ", ..." } else { "" }
                    );
                }
                None => s.push_str("there is nobody on the staff"),
            }
            return s;
        }
        Reason::NotOptimal => {
            let free = people(Standing::Free);
            let c = free[0];
            let _ = write!(
                s,
                "`{}` could do more of it ({} h free{}) without breaking a rule: this plan is not \
                 optimal (solve longer)",
                c.person,
                num(c.capacity - c.load),
                if c.holds_post {
                    format!(", holds a post in `{module}`")
                } else {
                    format!(", may take a post in `{module}`")
                }
            );
            return s;
        }
        Reason::Blocked => {
            let blocked = people(Standing::Blocked);
            let rules: BTreeSet<&str> = blocked
                .iter()
                .flat_map(|c| c.blockers.iter().map(Blocker::rule))
                .collect();
            let _ = write!(
                s,
                "{} who can do it {} kept out of `{module}` by {}: {}",
                if blocked.len() == 1 {
                    "the only person".to_owned()
                } else {
                    format!("all {} people", blocked.len())
                },
                if blocked.len() == 1 { "is" } else { "are" },
                rules.into_iter().collect::<Vec<_>>().join(", "),
                blocked_text(&blocked)
            );
            return s;
        }
        Reason::AtCapacity | Reason::LowerWeight => {
            let full = people(Standing::Full);
            let (lo, hi) = full
                .iter()
                .flat_map(|c| c.work.iter().map(|w| w.weight))
                .fold((f64::INFINITY, 0.0_f64), |(lo, hi), w| {
                    (lo.min(w), hi.max(w))
                });
            let range = if lo.is_finite() && (hi - lo).abs() > EPS {
                format!("{}-{}", num(lo), num(hi))
            } else {
                num(hi)
            };
            let what = if reason == Reason::LowerWeight {
                format!(
                    "on heavier work (weight {range}; this duty weighs {})",
                    num(duty.weight)
                )
            } else {
                format!(
                    "on work of weight {range} (this duty weighs {})",
                    num(duty.weight)
                )
            };
            let who = if full.len() == 1 {
                "the only person who may do it is at capacity".to_owned()
            } else {
                format!("all {} people who may do it are at capacity", full.len())
            };
            let shown = full
                .iter()
                .take(2)
                .map(|c| at_capacity(c))
                .collect::<Vec<_>>()
                .join("; ");
            let more = if full.len() > 2 {
                format!("; and {} more at capacity", full.len() - 2)
            } else {
                String::new()
            };
            let _ = write!(s, "{who} {what}: {shown}{more}");
        }
        Reason::NoSingleBlock => {
            let little = people(Standing::TooLittleFree);
            let most = little
                .iter()
                .map(|c| (c.capacity - c.load, c.person.as_str()))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let _ = write!(
                s,
                "it cannot be split and nobody who may do it has {} h free in one piece",
                num(duty.hours)
            );
            if let Some((h, p)) = most {
                let _ = write!(s, " (most: `{p}` with {} h)", num(h));
            }
            let full = people(Standing::Full);
            if !full.is_empty() {
                let _ = write!(s, "; {} more at capacity", full.len());
            }
        }
    }
    let blocked = people(Standing::Blocked);
    if !blocked.is_empty() {
        let _ = write!(
            s,
            "; {} more kept out of `{module}` ({})",
            blocked.len(),
            blocked
                .iter()
                .flat_map(|c| c.blockers.iter().map(Blocker::rule))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    s
}

fn counterparts_why(inst: &Instance, plan: &Plan, r: &Resolved) -> Vec<CounterpartWhy> {
    let mut out = Vec::new();
    for id in &plan.unmet_counterparts {
        let Some(&c) = inst.ids.counterparts.get(id) else {
            continue;
        };
        let modules: Vec<ModuleIdx> = inst
            .module_indices()
            .filter(|&m| inst.module(m).counterparts.contains(&c))
            .collect();
        let possible: BTreeSet<StaffIdx> = modules
            .iter()
            .flat_map(|m| r.holders[m.index()].iter().copied())
            .collect();
        let module_ids: Vec<String> = modules.iter().map(|&m| inst.module(m).id.clone()).collect();
        let spare: Vec<StaffIdx> = possible
            .iter()
            .copied()
            .filter(|&p| r.liaisons[p.index()] < inst.person(p).max_liaisons as usize)
            .collect();
        let summary = if possible.is_empty() {
            format!(
                "nobody holds a post in {}, the module{} that mirror{} it",
                list(&module_ids, 4),
                if modules.len() == 1 { "" } else { "s" },
                if modules.len() == 1 { "s" } else { "" }
            )
        } else if let Some(&p) = spare.first() {
            format!(
                "`{}` holds a post in a module that mirrors it and liaises with {} of {}: this plan \
                 is not optimal",
                inst.person(p).id,
                r.liaisons[p.index()],
                inst.person(p).max_liaisons
            )
        } else {
            let who = possible
                .iter()
                .take(4)
                .map(|&p| {
                    format!(
                        "`{}` {}/{}",
                        inst.person(p).id,
                        r.liaisons[p.index()],
                        inst.person(p).max_liaisons
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "the {} people holding a post in {} are all at their liaison limit ({who}{})",
                possible.len(),
                list(&module_ids, 4),
                if possible.len() > 4 { ", ..." } else { "" }
            )
        };
        out.push(CounterpartWhy {
            counterpart: id.clone(),
            modules: module_ids,
            possible: possible
                .iter()
                .map(|&p| inst.person(p).id.clone())
                .collect(),
            not_optimal: !spare.is_empty(),
            summary,
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
        let open: Vec<&String> = qualified_outside
            .iter()
            .filter(|(_, b)| b.is_empty())
            .map(|(p, _)| p)
            .collect();
        let summary = if qualified_outside.is_empty() {
            format!(
                "only {held} {} can do any of its duties",
                if held == 1 { "person" } else { "people" }
            )
        } else if let Some(p) = open.first() {
            format!(
                "`{p}` could take a post here without breaking a rule: this plan is not optimal"
            )
        } else {
            let rules: BTreeSet<&str> = qualified_outside
                .iter()
                .flat_map(|(_, b)| b.iter().map(Blocker::rule))
                .collect();
            let who = if qualified_outside.len() == 1 {
                format!(
                    "`{}`, the only other person who qualifies, is",
                    qualified_outside[0].0
                )
            } else {
                format!(
                    "the {} other people who qualify are",
                    qualified_outside.len()
                )
            };
            format!(
                "{who} kept out by {}",
                rules.into_iter().collect::<Vec<_>>().join(", ")
            )
        };
        out.push(UnderstaffedWhy {
            module: module.id.clone(),
            missing,
            not_optimal: !open.is_empty(),
            qualified_outside,
            summary,
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
