//! The plan of an evaluated post set: tier 4 settled by bisection on the
//! capacities, the objective as the plan states it, and the reasons for what stays uncovered.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{gap, proven};
use crate::engine::eligibility::Ctx;
use crate::engine::hours::{Hours, HoursOracle};
use crate::engine::search::Evaluated;
use crate::model::plan::{Change, ChangeKind, Totals};
use crate::model::{
    Assignment, Instance, Liaison, ModuleIdx, Objective, Plan, PlanStatus, Post, SolverInfo,
    Uncovered, Understaffed,
};

/// The hours value as a plan states it: slivers of 1e-6 h or less are not written.
fn stated_value(inst: &Instance, hours: &Hours) -> f64 {
    let mut done = vec![0.0_f64; inst.duties.len()];
    for &(_, d, h) in &hours.x {
        if h > 1e-6 {
            done[d.index()] += h;
        }
    }
    inst.duties
        .iter()
        .zip(&done)
        .map(|(duty, &h)| duty.weight * (duty.hours - h).max(0.0))
        .sum()
}

/// Tier 4: the least `alpha` such that capacities scaled by `alpha` still give the same hours
/// value with the same non-splittable choices (bisection; each probe is one exact flow).
fn balance_hours(inst: &Instance, ev: &Evaluated, deadline: Instant) -> Hours {
    let target = stated_value(inst, &ev.hours).max(ev.hours.value);
    let tol = 1e-9 * target.abs().max(1.0);
    let top = inst
        .staff
        .iter()
        .zip(&ev.hours.load)
        .map(|(p, l)| l / p.capacity)
        .fold(0.0_f64, f64::max);
    if top <= 0.0 {
        return ev.hours.clone();
    }
    let mut scaled = inst.clone();
    let probe = |alpha: f64, scaled: &mut Instance| {
        for (s, p) in scaled.staff.iter_mut().zip(&inst.staff) {
            s.capacity = p.capacity * alpha;
        }
        let mut oracle = HoursOracle::new(scaled);
        oracle.splittable_hours(&ev.state.posts, &ev.hours.assigned)
    };
    let (mut lo, mut hi) = (0.0_f64, top);
    let mut best = ev.hours.clone();
    for _ in 0..40 {
        // Every probe that succeeded is a valid plan, so stopping early only costs tier 4.
        if hi - lo < 1e-7 || Instant::now() >= deadline {
            break;
        }
        let mid = 0.5 * (lo + hi);
        let h = probe(mid, &mut scaled);
        if stated_value(inst, &h) <= target + tol {
            hi = mid;
            best = h;
        } else {
            lo = mid;
        }
    }
    // Loads were computed against scaled capacities; hours themselves are what we keep.
    best
}

/// Builds the plan for an evaluated post set: tier 4 settled (hours balanced), slivers
/// dropped, the objective recomputed from what the plan states, and a reason for every
/// uncovered duty.
pub(super) fn finish(
    ctx: Ctx<'_>,
    ev: &Evaluated,
    bound: f64,
    start: Instant,
    deadline: Instant,
    cancel: Option<&AtomicBool>,
) -> Plan {
    let inst = ctx.inst;
    debug_assert!(ev.state.holds_pins(inst), "a plan lost a pin");
    let t = Instant::now();
    let cancelled = cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    // Asked to stop: tier 4 stays as the search left it.
    let hours = if cancelled {
        ev.hours.clone()
    } else {
        balance_hours(inst, ev, deadline)
    };
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "tier 4 balanced");
    let (assignments, load, done) = assignments(inst, &hours);
    let posts: Vec<Post> = ev
        .state
        .posts
        .iter()
        .map(|(p, m)| Post {
            person: inst.person(p).id.clone(),
            module: inst.module(m).id.clone(),
        })
        .collect();
    let mut coverage = 0.0;
    let mut uncovered = Vec::new();
    for (i, duty) in inst.duties.iter().enumerate() {
        let u = (duty.hours - done[i]).max(0.0);
        if u > 1e-9 {
            coverage += duty.weight * u;
            uncovered.push(Uncovered {
                duty: duty.id.clone(),
                hours: u,
                reason: String::new(),
                why: None,
            });
        }
    }
    let (liaisons, unmet_counterparts) = liaisons(ctx, ev);
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    {
        coverage += inst.rules.liaison_weight * unmet_counterparts.len() as f64;
    }
    let mut understaffed = Vec::new();
    for (m, module) in inst.modules.iter().enumerate() {
        let missing = module.min_staff.saturating_sub(ev.state.holders[m]);
        if missing > 0 {
            coverage += inst.rules.min_staff_weight * f64::from(missing);
            understaffed.push(Understaffed {
                module: module.id.clone(),
                missing,
            });
        }
    }
    let balance = inst
        .staff
        .iter()
        .zip(&load)
        .map(|(p, l)| l / p.capacity)
        .fold(0.0_f64, f64::max);
    let bound = bound.min(coverage);
    let g = gap(coverage, bound);
    let status = if proven(coverage, bound) {
        PlanStatus::Optimal
    } else {
        PlanStatus::Feasible
    };
    let mut plan = Plan {
        instance: inst.name.clone(),
        status,
        solver: SolverInfo {
            backend: "modstaff-lns".into(),
            seconds: start.elapsed().as_secs_f64(),
            gap: if status == PlanStatus::Optimal {
                0.0
            } else {
                g
            },
            bound: Some(bound),
        },
        objective: Objective {
            coverage,
            stability: ev.key.stability,
            fragmentation: ev.key.fragmentation,
            balance,
        },
        assignments,
        posts,
        liaisons,
        uncovered,
        unmet_counterparts,
        understaffed,
        changes: Vec::new(),
        totals: None,
    };
    who_moves(inst, ev, &mut plan);
    let t = Instant::now();
    // The reasons get what is left of the time, and a few milliseconds at least: a plan
    // published on the way (deadline now) still says why for the first duties.
    let until = deadline.max(t + Duration::from_millis(20));
    let stop = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    explain_uncovered(inst, &mut plan, until, &stop);
    tracing::debug!(seconds = t.elapsed().as_secs_f64(), "uncovered explained");
    plan
}

/// The posts joined and left against today's (with the hours a joined post carries), and
/// the plain figures.
fn who_moves(inst: &Instance, ev: &Evaluated, plan: &mut Plan) {
    let mut in_module: HashMap<(&str, &str), f64> = HashMap::new();
    for a in &plan.assignments {
        *in_module
            .entry((a.person.as_str(), a.module.as_str()))
            .or_insert(0.0) += a.hours;
    }
    let mut changes = Vec::new();
    for p in inst.staff_indices() {
        let person = inst.person(p);
        let held = ev.state.posts.of(p);
        let today = &person.current_posts;
        let mut modules: Vec<ModuleIdx> = held.iter().chain(today).copied().collect();
        modules.sort_unstable();
        modules.dedup();
        for m in modules {
            let change = match (
                held.binary_search(&m).is_ok(),
                today.binary_search(&m).is_ok(),
            ) {
                (true, false) => ChangeKind::Joined,
                (false, true) => ChangeKind::Left,
                _ => continue,
            };
            let module = &inst.module(m).id;
            let hours = (change == ChangeKind::Joined).then(|| {
                in_module
                    .get(&(person.id.as_str(), module.as_str()))
                    .copied()
                    .unwrap_or(0.0)
            });
            changes.push(Change {
                person: person.id.clone(),
                module: module.clone(),
                change,
                hours,
            });
        }
    }
    let mut moving: Vec<&str> = changes.iter().map(|c| c.person.as_str()).collect();
    moving.dedup();
    // Hours a plan states carry 1e-6 error: a sliver below that is no uncovered duty.
    let real = |u: &&Uncovered| {
        let d = inst
            .ids
            .duties
            .get(&u.duty)
            .map_or(1.0, |&d| inst.duty(d).hours);
        u.hours > 1e-6 * d.max(1.0)
    };
    plan.totals = Some(Totals {
        hours: inst.total_hours(),
        uncovered_hours: plan.uncovered.iter().filter(real).map(|u| u.hours).sum(),
        uncovered_duties: plan.uncovered.iter().filter(real).count() as u64,
        people_moving: moving.len() as u64,
    });
    plan.changes = changes;
}

/// The plan's assignments, and the hours they add up to per person and per duty.
fn assignments(inst: &Instance, hours: &Hours) -> (Vec<Assignment>, Vec<f64>, Vec<f64>) {
    let mut load = vec![0.0_f64; inst.staff.len()];
    let mut assignments = Vec::new();
    let mut done = vec![0.0_f64; inst.duties.len()];
    for &(p, d, h) in &hours.x {
        // Slivers from the bisection's flows are below what a plan can state (plans: hours
        // carry at most 1e-6 error): drop them here and in the totals alike.
        if h <= 1e-6 {
            continue;
        }
        load[p.index()] += h;
        done[d.index()] += h;
        let duty = inst.duty(d);
        assignments.push(Assignment {
            person: inst.person(p).id.clone(),
            duty: duty.id.clone(),
            module: inst.module(duty.module).id.clone(),
            hours: h,
        });
    }
    (assignments, load, done)
}

/// The liaisons, by counterpart, and the listed counterparts left without one.
fn liaisons(ctx: Ctx<'_>, ev: &Evaluated) -> (Vec<Liaison>, Vec<String>) {
    let (inst, elig) = (ctx.inst, ctx.elig);
    let mut liaisons: Vec<Liaison> = ev
        .liaisons
        .iter()
        .map(|&(c, p)| Liaison {
            counterpart: inst.counterparts[c.index()].id.clone(),
            person: inst.person(p).id.clone(),
        })
        .collect();
    liaisons.sort_by(|a, b| a.counterpart.cmp(&b.counterpart));
    let met: Vec<bool> = {
        let mut m = vec![false; inst.counterparts.len()];
        for &(c, _) in &ev.liaisons {
            m[c.index()] = true;
        }
        m
    };
    let unmet_counterparts: Vec<String> = elig
        .listed
        .iter()
        .filter(|c| !met[c.index()])
        .map(|c| inst.counterparts[c.index()].id.clone())
        .collect();
    (liaisons, unmet_counterparts)
}

/// Fills in why each uncovered duty stays uncovered, from the same analysis `modstaff explain`
/// prints, read off the plan: the facts as `why`, and a short sentence as `reason`.
fn explain_uncovered(inst: &Instance, plan: &mut Plan, until: Instant, stop: &dyn Fn() -> bool) {
    let mut why: HashMap<String, crate::model::Why> =
        crate::model::diagnose::uncovered_reasons_until(inst, plan, until, stop)
            .into_iter()
            .map(|w| (w.duty, w.why))
            .collect();
    for u in &mut plan.uncovered {
        match why.remove(&u.duty) {
            Some(w) => {
                u.reason = crate::model::diagnose::short(inst, &u.duty, &w);
                u.why = Some(w);
            }
            None => {
                u.reason = "not analysed within the time limit (modstaff explain gives the \
                            reason)"
                    .into();
            }
        }
    }
}
