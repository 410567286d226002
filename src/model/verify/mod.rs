//! The independent plan checker (`modstaff check`).
//!
//! This is the oracle every test trusts, so it deliberately shares nothing with model building
//! or solving: it re-derives eligibility from the instance's fields itself, recomputes every
//! objective tier from the plan's rows alone, and never calls into `engine` or `build`.

mod summary;
mod violation;

use std::collections::{BTreeMap, BTreeSet};

use super::instance::{CounterpartIdx, DutyIdx, Instance, ModuleIdx, StaffIdx};
use super::plan::{
    Assignment, Change, DeclaredObjective, DeclaredPlan, Liaison, Objective, Plan, PlanStatus,
    SolverInfo, Totals, Uncovered, Understaffed,
};
use summary::{changes, check_changes, check_summaries, check_totals, totals};
pub use violation::{CheckReport, Violation, ViolationKind};

/// Absolute slack on hours and utilisation (plans state hours to 1e-6).
const EPS: f64 = 1e-6;

/// Whether `a` exceeds `b` beyond the hours tolerance.
fn exceeds(a: f64, b: f64) -> bool {
    a > b + EPS * b.abs().max(1.0)
}

fn fmt_h(h: f64) -> String {
    // Hours are shown with up to 4 decimals and no trailing zeros, so messages stay readable.
    let s = format!("{h:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Checks `plan` against every hard constraint of the model and recomputes its objective.
#[must_use]
pub fn verify(instance: &Instance, plan: &Plan) -> CheckReport {
    verify_declared(instance, &DeclaredPlan::from(plan))
}

/// Checks a plan as read from a file: every hard constraint, and every figure it declares
/// against its recomputation (figures it leaves out are recomputed, not compared).
#[must_use]
pub fn verify_declared(instance: &Instance, plan: &DeclaredPlan) -> CheckReport {
    Recomputation::run(instance, plan).report
}

/// The full plan a declared one stands for: its posts, assignments and liaisons, every
/// figure recomputed by the checker, reasons and status kept where given. A plan without a
/// status or bound gets the trivial bound 0 (tier 1 is never negative).
#[must_use]
pub fn complete(instance: &Instance, plan: &DeclaredPlan) -> (Plan, CheckReport) {
    let inst = instance;
    let r = Recomputation::run(inst, plan);
    let coverage = r.report.recomputed.coverage;
    // Reasons are words and data for people, carried over as given and never checked.
    let reasons: BTreeMap<&str, &Uncovered> = plan
        .uncovered
        .iter()
        .flatten()
        .map(|u| (u.duty.as_str(), u))
        .collect();
    let uncovered = inst
        .duties
        .iter()
        .zip(&r.uncovered_hours)
        .filter(|&(d, &h)| h > EPS * d.hours.max(1.0))
        .map(|(d, &h)| Uncovered {
            duty: d.id.clone(),
            hours: h,
            reason: reasons
                .get(d.id.as_str())
                .map_or_else(String::new, |u| u.reason.clone()),
            why: reasons.get(d.id.as_str()).and_then(|u| u.why.clone()),
        })
        .collect();
    let declared_solver = plan.solver.clone().unwrap_or_default();
    let bound = declared_solver
        .bound
        .filter(|b| b.is_finite() && !exceeds(*b, coverage))
        .unwrap_or(0.0);
    let gap = if coverage > EPS {
        ((coverage - bound) / coverage).max(0.0)
    } else {
        0.0
    };
    let status = match plan.status {
        Some(s) if r.report.is_valid() => s,
        _ if gap <= EPS => PlanStatus::Optimal,
        _ => PlanStatus::Feasible,
    };
    let full = Plan {
        instance: plan.instance.clone().unwrap_or_else(|| inst.name.clone()),
        status,
        solver: SolverInfo {
            backend: declared_solver.backend.unwrap_or_else(|| "unknown".into()),
            seconds: declared_solver.seconds.unwrap_or(0.0),
            gap: if status == PlanStatus::Optimal {
                0.0
            } else {
                gap
            },
            bound: Some(bound),
        },
        objective: r.report.recomputed,
        assignments: plan
            .assignments
            .iter()
            .map(|a| {
                let mut a = a.clone();
                if a.module.is_empty()
                    && let Some(&d) = inst.ids.duties.get(&a.duty)
                {
                    a.module
                        .clone_from(&inst.modules[inst.duties[d.index()].module.index()].id);
                }
                a
            })
            .collect(),
        posts: plan.posts.clone(),
        liaisons: plan.liaisons.clone(),
        uncovered,
        unmet_counterparts: r.unmet.clone(),
        understaffed: r
            .missing_staff
            .iter()
            .map(|&(m, k)| Understaffed {
                module: inst.modules[m].id.clone(),
                missing: k,
            })
            .collect(),
        changes: r.changes.clone(),
        totals: Some(r.totals),
    };
    (full, r.report)
}

/// Everything the checker derives from a plan.
struct Recomputation {
    report: CheckReport,
    uncovered_hours: Vec<f64>,
    unmet: Vec<String>,
    missing_staff: Vec<(usize, u32)>,
    changes: Vec<Change>,
    totals: Totals,
}

impl Recomputation {
    fn run(inst: &Instance, plan: &DeclaredPlan) -> Self {
        let mut out = Vec::new();
        check_instance_name(inst, plan, &mut out);
        let posts = check_posts(inst, plan, &mut out);
        check_post_limits(inst, &posts, &mut out);
        check_pins(inst, &posts.set, &mut out);
        let work = check_assignments(inst, plan, &posts.set, &mut out);
        check_capacity(inst, &work.load, &mut out);
        let uncovered_hours = check_duty_hours(inst, &work, &mut out);
        let liaison_of = check_liaisons(inst, plan, &posts.of_person, &mut out);
        let unmet: Vec<String> = unmet_counterparts(inst, &liaison_of)
            .into_iter()
            .map(str::to_owned)
            .collect();
        let missing_staff = missing_staff(inst, &posts.holders);
        let coverage = coverage(inst, &uncovered_hours, unmet.len(), &missing_staff);
        let recomputed = Objective {
            coverage,
            stability: stability(inst, &posts.of_person),
            fragmentation: posts.set.len() as u64,
            balance: balance(inst, &work.load),
        };
        let declared = plan.objective.unwrap_or_default();
        check_objective(&declared, &recomputed, &mut out);
        check_summaries(
            inst,
            plan,
            &uncovered_hours,
            &unmet,
            &missing_staff,
            &mut out,
        );
        check_status(plan, coverage, &mut out);
        let changes = changes(inst, &posts.of_person, &work.module_hours);
        check_changes(plan, &changes, &mut out);
        let totals = totals(inst, &uncovered_hours, &changes);
        check_totals(plan, &totals, &mut out);
        Self {
            report: CheckReport {
                violations: out,
                recomputed,
                declared,
            },
            uncovered_hours,
            unmet,
            missing_staff,
            changes,
            totals,
        }
    }
}

// Eligibility is derived here on purpose rather than borrowed from the solver's helpers.

/// Whether `p` has the skill and level duty `d` needs.
fn can_do(inst: &Instance, p: StaffIdx, d: DutyIdx) -> bool {
    let duty = &inst.duties[d.index()];
    match duty.skill {
        None => true,
        Some(s) => inst.staff[p.index()]
            .skills
            .iter()
            .any(|&(k, level)| k == s && level >= duty.min_level),
    }
}

/// Whether `p` may hold a post in `m`: available, and able to do one of its duties.
fn qualifies(inst: &Instance, p: StaffIdx, m: ModuleIdx) -> bool {
    let module = &inst.modules[m.index()];
    !inst.staff[p.index()].unavailable.contains(&m)
        && (module.duties.is_empty() || module.duties.iter().any(|&d| can_do(inst, p, d)))
}

fn check_instance_name(inst: &Instance, plan: &DeclaredPlan, out: &mut Vec<Violation>) {
    let Some(name) = &plan.instance else { return };
    if name != &inst.name {
        out.push(Violation::new(
            ViolationKind::InstanceName,
            format!(
                "plan is for instance `{name}` but the instance is `{}`",
                inst.name
            ),
        ));
    }
}

/// The posts of a plan that name known people and modules, each once.
struct Posts {
    set: BTreeSet<(StaffIdx, ModuleIdx)>,
    /// Modules held, per person.
    of_person: Vec<Vec<ModuleIdx>>,
    /// Post holders, per module.
    holders: Vec<Vec<StaffIdx>>,
}

/// Each post row on its own: known ids, listed once, held by someone who qualifies.
fn check_posts(inst: &Instance, plan: &DeclaredPlan, out: &mut Vec<Violation>) -> Posts {
    let mut set: BTreeSet<(StaffIdx, ModuleIdx)> = BTreeSet::new();
    for post in &plan.posts {
        let p = inst.ids.staff.get(&post.person).copied();
        let m = inst.ids.modules.get(&post.module).copied();
        let (Some(p), Some(m)) = (p, m) else {
            out.push(
                Violation::new(
                    ViolationKind::UnknownId,
                    format!(
                        "post names unknown {}",
                        unknown_pair(p.is_none(), &post.person, m.is_none(), &post.module)
                    ),
                )
                .people([&post.person])
                .modules([&post.module]),
            );
            continue;
        };
        if !set.insert((p, m)) {
            out.push(
                Violation::new(
                    ViolationKind::DuplicateRow,
                    format!(
                        "post of `{}` in `{}` is listed twice",
                        post.person, post.module
                    ),
                )
                .people([&post.person])
                .modules([&post.module]),
            );
            continue;
        }
        if inst.staff[p.index()].unavailable.contains(&m) {
            out.push(
                Violation::new(
                    ViolationKind::NotQualified,
                    format!(
                        "`{}` holds a post in `{}`, which is unavailable to them",
                        post.person, post.module
                    ),
                )
                .people([&post.person])
                .modules([&post.module]),
            );
        } else if !qualifies(inst, p, m) {
            out.push(
                Violation::new(
                    ViolationKind::NotQualified,
                    format!(
                        "`{}` holds a post in `{}` but can do none of its duties",
                        post.person, post.module
                    ),
                )
                .people([&post.person])
                .modules([&post.module]),
            );
        }
    }
    let mut of_person: Vec<Vec<ModuleIdx>> = vec![Vec::new(); inst.staff.len()];
    let mut holders: Vec<Vec<StaffIdx>> = vec![Vec::new(); inst.modules.len()];
    for &(p, m) in &set {
        of_person[p.index()].push(m);
        holders[m.index()].push(p);
    }
    Posts {
        set,
        of_person,
        holders,
    }
}

/// The posts together: `max_posts`, conflicts, `max_staff`, unit headcount caps (constraints
/// 3-5).
fn check_post_limits(inst: &Instance, posts: &Posts, out: &mut Vec<Violation>) {
    for (pi, mods) in posts.of_person.iter().enumerate() {
        let person = &inst.staff[pi];
        if mods.len() > person.max_posts as usize {
            out.push(
                Violation::new(
                    ViolationKind::MaxPosts,
                    format!(
                        "`{}` holds {} posts, more than max_posts {}",
                        person.id,
                        mods.len(),
                        person.max_posts
                    ),
                )
                .people([&person.id])
                .modules(mods.iter().map(|m| &inst.modules[m.index()].id)),
            );
        }
    }
    for &(a, b) in &inst.rules.conflicts {
        for &p in &posts.holders[a.index()] {
            if posts.set.contains(&(p, b)) {
                let (ma, mb) = (&inst.modules[a.index()].id, &inst.modules[b.index()].id);
                out.push(
                    Violation::new(
                        ViolationKind::Conflict,
                        format!(
                            "`{}` holds both `{ma}` and `{mb}`, which conflict",
                            inst.staff[p.index()].id
                        ),
                    )
                    .people([&inst.staff[p.index()].id])
                    .modules([ma, mb]),
                );
            }
        }
    }
    for (mi, people) in posts.holders.iter().enumerate() {
        let module = &inst.modules[mi];
        if let Some(cap) = module.max_staff
            && people.len() > cap as usize
        {
            out.push(
                Violation::new(
                    ViolationKind::ModuleCap,
                    format!(
                        "`{}` has {} people, more than max_staff {cap}",
                        module.id,
                        people.len()
                    ),
                )
                .people(people.iter().map(|p| &inst.staff[p.index()].id))
                .modules([&module.id]),
            );
        }
    }
    check_unit_caps(inst, &posts.set, out);
}

fn check_unit_caps(
    inst: &Instance,
    posts: &BTreeSet<(StaffIdx, ModuleIdx)>,
    out: &mut Vec<Violation>,
) {
    for (ui, unit) in inst.units.iter().enumerate() {
        let Some(cap) = unit.headcount_cap else {
            continue;
        };
        let people: BTreeSet<StaffIdx> = posts
            .iter()
            .filter(|(_, m)| {
                inst.modules[m.index()]
                    .unit
                    .is_some_and(|u| u.index() == ui)
            })
            .map(|&(p, _)| p)
            .collect();
        if people.len() > cap as usize {
            out.push(
                Violation::new(
                    ViolationKind::UnitCap,
                    format!(
                        "unit `{}` employs {} distinct people in its modules, more than headcount_cap {cap}",
                        unit.id,
                        people.len()
                    ),
                )
                .people(people.iter().map(|p| &inst.staff[p.index()].id)),
            );
        }
    }
}

/// Every pin is a post of the plan (`fixed_posts`, constraint 9).
fn check_pins(inst: &Instance, posts: &BTreeSet<(StaffIdx, ModuleIdx)>, out: &mut Vec<Violation>) {
    for (pi, person) in inst.staff.iter().enumerate() {
        for &m in &person.fixed_posts {
            if !posts.contains(&(StaffIdx::from(pi), m)) {
                let module = &inst.modules[m.index()].id;
                out.push(
                    Violation::new(
                        ViolationKind::MissingPin,
                        format!(
                            "`{}` is pinned to `{module}` but the plan does not give them that post",
                            person.id
                        ),
                    )
                    .people([&person.id])
                    .modules([module]),
                );
            }
        }
    }
}

/// The hours of the plan's assignments that count: known ids, sane hours.
struct Work {
    /// Hours per person.
    load: Vec<f64>,
    /// Hours per duty.
    done: Vec<f64>,
    /// People working on each duty.
    workers: Vec<BTreeSet<StaffIdx>>,
    /// Hours per (person, module).
    module_hours: BTreeMap<(StaffIdx, ModuleIdx), f64>,
}

/// Each assignment row on its own: known ids, its duty's module, finite hours, listed once,
/// skill and level, a post in the module (constraint 2).
fn check_assignments(
    inst: &Instance,
    plan: &DeclaredPlan,
    posts: &BTreeSet<(StaffIdx, ModuleIdx)>,
    out: &mut Vec<Violation>,
) -> Work {
    let mut work = Work {
        load: vec![0.0_f64; inst.staff.len()],
        done: vec![0.0_f64; inst.duties.len()],
        workers: vec![BTreeSet::new(); inst.duties.len()],
        module_hours: BTreeMap::new(),
    };
    let mut seen: BTreeSet<(StaffIdx, DutyIdx)> = BTreeSet::new();
    for a in &plan.assignments {
        let p = inst.ids.staff.get(&a.person).copied();
        let d = inst.ids.duties.get(&a.duty).copied();
        let (Some(p), Some(d)) = (p, d) else {
            let what = match (p, d) {
                (None, None) => format!("person `{}` and duty `{}`", a.person, a.duty),
                (None, _) => format!("person `{}`", a.person),
                _ => format!("duty `{}`", a.duty),
            };
            out.push(
                Violation::new(
                    ViolationKind::UnknownId,
                    format!("assignment names unknown {what}"),
                )
                .people([&a.person])
                .duties([&a.duty]),
            );
            continue;
        };
        check_assignment_module(inst, a, d, out);
        if !a.hours.is_finite() || a.hours < -EPS {
            out.push(
                Violation::new(
                    ViolationKind::BadHours,
                    format!(
                        "assignment of `{}` to `{}` has hours {}",
                        a.person, a.duty, a.hours
                    ),
                )
                .people([&a.person])
                .duties([&a.duty]),
            );
            continue;
        }
        if !seen.insert((p, d)) {
            out.push(
                Violation::new(
                    ViolationKind::DuplicateRow,
                    format!(
                        "assignment of `{}` to `{}` is listed twice",
                        a.person, a.duty
                    ),
                )
                .people([&a.person])
                .duties([&a.duty]),
            );
        }
        if a.hours <= EPS {
            continue;
        }
        check_eligible(inst, a, p, d, posts, out);
        work.load[p.index()] += a.hours;
        work.done[d.index()] += a.hours;
        work.workers[d.index()].insert(p);
        *work
            .module_hours
            .entry((p, inst.duties[d.index()].module))
            .or_insert(0.0) += a.hours;
    }
    work
}

/// The assignment names its duty's module.
fn check_assignment_module(inst: &Instance, a: &Assignment, d: DutyIdx, out: &mut Vec<Violation>) {
    let module_id = &inst.modules[inst.duties[d.index()].module.index()].id;
    // A plan from another tool may leave the module out: the duty names it.
    if !a.module.is_empty() && &a.module != module_id {
        out.push(
            Violation::new(
                ViolationKind::WrongModule,
                format!(
                    "assignment of `{}` to `{}` names module `{}`, but the duty belongs to `{module_id}`",
                    a.person, a.duty, a.module
                ),
            )
            .people([&a.person])
            .modules([&a.module, module_id])
            .duties([&a.duty]),
        );
    }
}

/// The person has the skill and level, and a post in the duty's module.
fn check_eligible(
    inst: &Instance,
    a: &Assignment,
    p: StaffIdx,
    d: DutyIdx,
    posts: &BTreeSet<(StaffIdx, ModuleIdx)>,
    out: &mut Vec<Violation>,
) {
    let duty = &inst.duties[d.index()];
    let m = duty.module;
    let module_id = &inst.modules[m.index()].id;
    if !can_do(inst, p, d) {
        let skill = duty
            .skill
            .map_or("", |s| inst.skills[s.index()].id.as_str());
        let level = duty
            .skill
            .and_then(|s| inst.staff[p.index()].skills.iter().find(|(k, _)| *k == s))
            .map_or(0, |&(_, l)| l);
        out.push(
            Violation::new(
                ViolationKind::Skill,
                format!(
                    "`{}` works on `{}`, which needs `{skill}` >= {} (they have {level})",
                    a.person, a.duty, duty.min_level
                ),
            )
            .people([&a.person])
            .duties([&a.duty]),
        );
    }
    if !posts.contains(&(p, m)) {
        out.push(
            Violation::new(
                ViolationKind::MissingPost,
                format!(
                    "`{}` works {} h on `{}` without a post in `{module_id}`",
                    a.person,
                    fmt_h(a.hours),
                    a.duty
                ),
            )
            .people([&a.person])
            .modules([module_id])
            .duties([&a.duty]),
        );
    }
}

/// Nobody works more than their capacity (constraint 1).
fn check_capacity(inst: &Instance, load: &[f64], out: &mut Vec<Violation>) {
    for (pi, &h) in load.iter().enumerate() {
        let person = &inst.staff[pi];
        if exceeds(h, person.capacity) {
            out.push(
                Violation::new(
                    ViolationKind::Capacity,
                    format!(
                        "`{}` works {} h, more than capacity {} h",
                        person.id,
                        fmt_h(h),
                        fmt_h(person.capacity)
                    ),
                )
                .people([&person.id]),
            );
        }
    }
}

/// No duty gets more than its hours, a non-splittable one all or nothing from one person
/// (constraint 6); returns the uncovered hours per duty.
fn check_duty_hours(inst: &Instance, work: &Work, out: &mut Vec<Violation>) -> Vec<f64> {
    let mut uncovered_hours = vec![0.0_f64; inst.duties.len()];
    for (di, duty) in inst.duties.iter().enumerate() {
        let h = work.done[di];
        let workers = &work.workers[di];
        if exceeds(h, duty.hours) {
            out.push(
                Violation::new(
                    ViolationKind::OverCovered,
                    format!(
                        "`{}` gets {} h, more than its {} h",
                        duty.id,
                        fmt_h(h),
                        fmt_h(duty.hours)
                    ),
                )
                .people(workers.iter().map(|p| &inst.staff[p.index()].id))
                .duties([&duty.id]),
            );
        }
        if !duty.splittable && !workers.is_empty() {
            let people = workers.iter().map(|p| &inst.staff[p.index()].id);
            if workers.len() > 1 {
                out.push(
                    Violation::new(
                        ViolationKind::NotSplittable,
                        format!(
                            "non-splittable `{}` is shared by {} people",
                            duty.id,
                            workers.len()
                        ),
                    )
                    .people(people)
                    .duties([&duty.id]),
                );
            } else if (h - duty.hours).abs() > EPS * duty.hours.max(1.0) {
                out.push(
                    Violation::new(
                        ViolationKind::NotSplittable,
                        format!(
                            "non-splittable `{}` is covered {} h of {} h: all or nothing",
                            duty.id,
                            fmt_h(h),
                            fmt_h(duty.hours)
                        ),
                    )
                    .people(people)
                    .duties([&duty.id]),
                );
            }
        }
        uncovered_hours[di] = (duty.hours - h).max(0.0);
    }
    uncovered_hours
}

/// Each liaison row: known ids, one liaison per counterpart, a post in a module listing it;
/// then `max_liaisons` (constraint 7). Returns the liaison of each counterpart (by index).
fn check_liaisons(
    inst: &Instance,
    plan: &DeclaredPlan,
    posts_of: &[Vec<ModuleIdx>],
    out: &mut Vec<Violation>,
) -> BTreeMap<usize, StaffIdx> {
    let mut liaison_of: BTreeMap<usize, StaffIdx> = BTreeMap::new();
    let mut liaisons_per: Vec<Vec<String>> = vec![Vec::new(); inst.staff.len()];
    for l in &plan.liaisons {
        let p = inst.ids.staff.get(&l.person).copied();
        let c = inst.ids.counterparts.get(&l.counterpart).copied();
        let (Some(p), Some(c)) = (p, c) else {
            out.push(
                Violation::new(
                    ViolationKind::UnknownId,
                    format!(
                        "liaison names unknown {}",
                        unknown_pair(p.is_none(), &l.person, c.is_none(), &l.counterpart)
                            .replace("module", "counterpart")
                    ),
                )
                .people([&l.person])
                .counterparts([&l.counterpart]),
            );
            continue;
        };
        if let Some(&q) = liaison_of.get(&c.index()) {
            let kind = if q == p {
                ViolationKind::DuplicateRow
            } else {
                ViolationKind::TwoLiaisons
            };
            let mut people = vec![inst.staff[q.index()].id.clone()];
            if q != p {
                people.push(l.person.clone());
            }
            out.push(
                Violation::new(
                    kind,
                    format!("counterpart `{}` has more than one liaison", l.counterpart),
                )
                .people(people)
                .counterparts([&l.counterpart]),
            );
            continue;
        }
        liaison_of.insert(c.index(), p);
        liaisons_per[p.index()].push(l.counterpart.clone());
        check_liaison_post(inst, l, p, c, posts_of, out);
    }
    for (pi, cs) in liaisons_per.iter().enumerate() {
        let person = &inst.staff[pi];
        if cs.len() > person.max_liaisons as usize {
            out.push(
                Violation::new(
                    ViolationKind::MaxLiaisons,
                    format!(
                        "`{}` is liaison of {} counterparts, more than max_liaisons {}",
                        person.id,
                        cs.len(),
                        person.max_liaisons
                    ),
                )
                .people([&person.id])
                .counterparts(cs),
            );
        }
    }
    liaison_of
}

/// The liaison holds a post in a module listing the counterpart.
fn check_liaison_post(
    inst: &Instance,
    l: &Liaison,
    p: StaffIdx,
    c: CounterpartIdx,
    posts_of: &[Vec<ModuleIdx>],
    out: &mut Vec<Violation>,
) {
    let listing: Vec<&str> = inst
        .modules
        .iter()
        .filter(|m| m.counterparts.contains(&c))
        .map(|m| m.id.as_str())
        .collect();
    let holds = posts_of[p.index()]
        .iter()
        .any(|m| inst.modules[m.index()].counterparts.contains(&c));
    if holds {
        return;
    }
    let message = if listing.is_empty() {
        format!(
            "`{}` is liaison of `{}`, which no module lists",
            l.person, l.counterpart
        )
    } else {
        format!(
            "`{}` is liaison of `{}` without a post in a module listing it ({})",
            l.person,
            l.counterpart,
            listing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    out.push(
        Violation::new(ViolationKind::LiaisonWithoutPost, message)
            .people([&l.person])
            .modules(listing)
            .counterparts([&l.counterpart]),
    );
}

/// Counterparts some module lists that have no liaison, in instance order.
fn unmet_counterparts<'a>(
    inst: &'a Instance,
    liaison_of: &BTreeMap<usize, StaffIdx>,
) -> Vec<&'a str> {
    let mut listed = vec![false; inst.counterparts.len()];
    for module in &inst.modules {
        for c in &module.counterparts {
            listed[c.index()] = true;
        }
    }
    (0..inst.counterparts.len())
        .filter(|&c| listed[c] && !liaison_of.contains_key(&c))
        .map(|c| inst.counterparts[c].id.as_str())
        .collect()
}

/// Modules below `min_staff`, as (module index, people missing).
fn missing_staff(inst: &Instance, holders: &[Vec<StaffIdx>]) -> Vec<(usize, u32)> {
    let mut missing = Vec::new();
    for (mi, module) in inst.modules.iter().enumerate() {
        let have = u32::try_from(holders[mi].len()).unwrap_or(u32::MAX);
        if have < module.min_staff {
            missing.push((mi, module.min_staff - have));
        }
    }
    missing
}

/// Tier 1: weighted uncovered hours, then the unmet counterparts, then the people missing
/// below `min_staff` (summed in that order).
fn coverage(
    inst: &Instance,
    uncovered_hours: &[f64],
    unmet: usize,
    missing_staff: &[(usize, u32)],
) -> f64 {
    let mut coverage = 0.0;
    for (duty, &u) in inst.duties.iter().zip(uncovered_hours) {
        coverage += duty.weight * u;
    }
    #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
    {
        coverage += inst.rules.liaison_weight * unmet as f64;
    }
    for &(_, k) in missing_staff {
        coverage += inst.rules.min_staff_weight * f64::from(k);
    }
    coverage
}

/// Tier 2: posts changed against today's.
fn stability(inst: &Instance, posts_of: &[Vec<ModuleIdx>]) -> u64 {
    let mut stability = 0_u64;
    for (pi, person) in inst.staff.iter().enumerate() {
        let held: BTreeSet<ModuleIdx> = posts_of[pi].iter().copied().collect();
        let today: BTreeSet<ModuleIdx> = person.current_posts.iter().copied().collect();
        stability += held.symmetric_difference(&today).count() as u64;
    }
    stability
}

/// Tier 4: the highest utilisation.
fn balance(inst: &Instance, load: &[f64]) -> f64 {
    inst.staff
        .iter()
        .zip(load)
        .map(|(p, &h)| h / p.capacity)
        .fold(0.0_f64, f64::max)
}

/// Each declared tier equals its recomputation.
fn check_objective(declared: &DeclaredObjective, recomputed: &Objective, out: &mut Vec<Violation>) {
    let tier_mismatch = |name: &str, d: String, r: String| {
        Violation::new(
            ViolationKind::Objective,
            format!("declared {name} {d} differs from the recomputed {r}"),
        )
    };
    let coverage = recomputed.coverage;
    if let Some(c) = declared.coverage
        && !(c.is_finite() && (c - coverage).abs() <= EPS * coverage.abs().max(1.0))
    {
        out.push(tier_mismatch("coverage", fmt_h(c), fmt_h(coverage)));
    }
    if let Some(s) = declared.stability
        && s != recomputed.stability
    {
        out.push(tier_mismatch(
            "stability",
            s.to_string(),
            recomputed.stability.to_string(),
        ));
    }
    if let Some(f) = declared.fragmentation
        && f != recomputed.fragmentation
    {
        out.push(tier_mismatch(
            "fragmentation",
            f.to_string(),
            recomputed.fragmentation.to_string(),
        ));
    }
    if let Some(b) = declared.balance
        && !(b.is_finite() && (b - recomputed.balance).abs() <= EPS)
    {
        out.push(tier_mismatch(
            "balance",
            fmt_h(b),
            fmt_h(recomputed.balance),
        ));
    }
}

/// The declared status, gap and bound agree with each other and with the coverage.
fn check_status(plan: &DeclaredPlan, coverage: f64, out: &mut Vec<Violation>) {
    let solver = plan.solver.clone().unwrap_or_default();
    if let Some(gap) = solver.gap {
        if !gap.is_finite() || gap < -EPS {
            out.push(Violation::new(
                ViolationKind::Status,
                format!("solver gap {gap} is not a non-negative number"),
            ));
        } else if plan.status == Some(PlanStatus::Optimal) && gap > EPS {
            out.push(Violation::new(
                ViolationKind::Status,
                format!("status is `optimal` but the gap is {gap}"),
            ));
        }
    }
    if let Some(bound) = solver.bound
        && (!bound.is_finite() || exceeds(bound, coverage))
    {
        out.push(Violation::new(
            ViolationKind::Status,
            format!(
                "declared lower bound {} exceeds the plan's coverage {}",
                fmt_h(bound),
                fmt_h(coverage)
            ),
        ));
    }
}

fn unknown_pair(a_unknown: bool, a: &str, b_unknown: bool, b: &str) -> String {
    match (a_unknown, b_unknown) {
        (true, true) => format!("person `{a}` and module `{b}`"),
        (true, false) => format!("person `{a}`"),
        _ => format!("module `{b}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::plan::{Post, SolverInfo};

    /// One person pinned to `b`, with 4 h of work in `a`.
    fn pinned_instance() -> Instance {
        let text = r#"{
          "name": "pins",
          "staff": [{"id": "p01", "capacity": 10, "fixed_posts": ["b"]}],
          "modules": [{"id": "a"}, {"id": "b"}],
          "duties": [{"id": "d1", "module": "a", "hours": 4}]
        }"#;
        crate::io::parse_instance(text, "pins.json")
            .expect("valid")
            .0
    }

    /// A plan giving `p01` the posts `modules`, with the 4 h done and the objective right.
    fn plan(modules: &[&str]) -> Plan {
        Plan {
            instance: "pins".into(),
            status: PlanStatus::Optimal,
            solver: SolverInfo {
                backend: "hand".into(),
                seconds: 0.0,
                gap: 0.0,
                bound: Some(0.0),
            },
            objective: Objective {
                coverage: 0.0,
                stability: modules.len() as u64,
                fragmentation: modules.len() as u64,
                balance: 0.4,
            },
            assignments: vec![Assignment {
                person: "p01".into(),
                duty: "d1".into(),
                module: "a".into(),
                hours: 4.0,
            }],
            posts: modules
                .iter()
                .map(|m| Post {
                    person: "p01".into(),
                    module: (*m).into(),
                })
                .collect(),
            liaisons: Vec::new(),
            uncovered: Vec::new(),
            unmet_counterparts: Vec::new(),
            understaffed: Vec::new(),
            changes: Vec::new(),
            totals: None,
        }
    }

    #[test]
    fn a_plan_without_a_pinned_post_breaks_the_pin_alone() {
        let inst = pinned_instance();
        let report = verify(&inst, &plan(&["a"]));
        assert_eq!(report.violations.len(), 1, "{:#?}", report.violations);
        let v = &report.violations[0];
        assert_eq!(v.kind, ViolationKind::MissingPin);
        assert_eq!(v.kind.as_str(), "missing_pin");
        assert_eq!(
            v.message,
            "`p01` is pinned to `b` but the plan does not give them that post"
        );
        assert_eq!(
            (v.people.as_slice(), v.modules.as_slice()),
            (&["p01".to_owned()][..], &["b".to_owned()][..])
        );
        let kept = verify(&inst, &plan(&["a", "b"]));
        assert!(kept.is_valid(), "{:#?}", kept.violations);
    }
}
