//! Property tests: random instances (a third of them with pins, another third with many)
//! round-trip; naive feasible plans pass `check`; a plan broken on purpose fails it naming the
//! rule; mangled input never panics.

#![expect(
    clippy::needless_range_loop,
    reason = "the naive plan mirrors the index notation of the model (docs/engine.md)"
)]

use std::collections::{BTreeMap, BTreeSet};

use modstaff::io::{
    RawCounterpart, RawDuty, RawInstance, RawModule, RawRules, RawSkill, RawStaff, RawUnit,
    parse_instance, to_raw, validate,
};
use modstaff::model::{
    Assignment, Instance, Liaison, Objective, Plan, PlanStatus, Post, SolverInfo, Uncovered,
    Understaffed, ViolationKind, verify,
};
use modstaff::rng::Rng;
use proptest::prelude::*;

/// A random valid raw instance exercising every field of the instance file.
fn random_raw(seed: u64) -> RawInstance {
    random_raw_sized(seed, 7, 5, 10)
}

include!("../common/random.rs");

pub(crate) fn instance(seed: u64) -> Instance {
    let share = [0.0, 0.15, 0.4][(seed % 3) as usize];
    validate(&with_random_pins(random_raw(seed), seed, share))
        .expect("generated instances and pins are valid")
        .0
}

/// A plan built by a naive rule that respects every constraint, with its objective computed
/// here (a third reading of the model, independent of both checker and solver).
pub(crate) fn naive_plan(inst: &Instance, seed: u64) -> Plan {
    let mut r = Rng::new(seed ^ 0xABCD);
    let (held, holders) = naive_posts(inst, &mut r);
    let work = naive_work(inst, &held, &mut r);
    let (liaisons, met) = naive_liaisons(inst, &held);
    let mut coverage = 0.0;
    let mut uncovered = Vec::new();
    for (d, duty) in inst.duties.iter().enumerate() {
        let u = duty.hours - work.done[d];
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
    let listed: BTreeSet<usize> = inst
        .modules
        .iter()
        .flat_map(|m| m.counterparts.iter().map(|c| c.index()))
        .collect();
    let unmet: Vec<String> = listed
        .iter()
        .filter(|c| !met.contains(c))
        .map(|&c| inst.counterparts[c].id.clone())
        .collect();
    coverage += inst.rules.liaison_weight * unmet.len() as f64;
    let mut understaffed = Vec::new();
    for (m, module) in inst.modules.iter().enumerate() {
        if holders[m] < module.min_staff {
            coverage += inst.rules.min_staff_weight * f64::from(module.min_staff - holders[m]);
            understaffed.push(Understaffed {
                module: module.id.clone(),
                missing: module.min_staff - holders[m],
            });
        }
    }
    let posts: Vec<Post> = held
        .iter()
        .enumerate()
        .flat_map(|(p, ms)| ms.iter().map(move |&m| (p, m)))
        .map(|(p, m)| Post {
            person: inst.staff[p].id.clone(),
            module: inst.modules[m].id.clone(),
        })
        .collect();
    Plan {
        instance: inst.name.clone(),
        status: PlanStatus::Feasible,
        solver: SolverInfo {
            backend: "naive".into(),
            seconds: 0.0,
            gap: 1.0,
            bound: None,
        },
        objective: Objective {
            coverage,
            stability: naive_stability(inst, &held),
            fragmentation: posts.len() as u64,
            balance: inst
                .staff
                .iter()
                .zip(&work.load)
                .map(|(p, l)| l / p.capacity)
                .fold(0.0, f64::max),
        },
        assignments: work.assignments,
        posts,
        liaisons,
        uncovered,
        unmet_counterparts: unmet,
        understaffed,
        changes: Vec::new(),
        totals: None,
    }
}

/// The pins, then posts taken person by person, module by module, each with probability 0.7
/// where no rule forbids it; returns the modules held per person (sorted) and the holders per
/// module.
fn naive_posts(inst: &Instance, r: &mut Rng) -> (Vec<Vec<usize>>, Vec<u32>) {
    let mut held: Vec<Vec<usize>> = vec![Vec::new(); inst.staff.len()];
    let mut holders = vec![0_u32; inst.modules.len()];
    let mut unit_people: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); inst.units.len()];
    // Every plan keeps the pins (constraint 9); validation made them legal together.
    for (p, person) in inst.staff.iter().enumerate() {
        for &m in &person.fixed_posts {
            held[p].push(m.index());
            holders[m.index()] += 1;
            if let Some(u) = inst.modules[m.index()].unit {
                unit_people[u.index()].insert(p);
            }
        }
    }
    for p in 0..inst.staff.len() {
        for m in 0..inst.modules.len() {
            let person = &inst.staff[p];
            let module = &inst.modules[m];
            let qualifies = !person.unavailable.iter().any(|x| x.index() == m)
                && (module.duties.is_empty()
                    || module.duties.iter().any(|&d| {
                        let duty = &inst.duties[d.index()];
                        duty.skill.is_none_or(|s| person.level(s) >= duty.min_level)
                    }));
            let conflict = held[p]
                .iter()
                .any(|&h| inst.in_conflict(h.into(), m.into()));
            let module_ok = module.max_staff.is_none_or(|c| holders[m] < c);
            let unit_ok = module.unit.is_none_or(|u| {
                let cap = inst.units[u.index()].headcount_cap;
                unit_people[u.index()].contains(&p)
                    || cap.is_none_or(|c| (unit_people[u.index()].len() as u32) < c)
            });
            if qualifies
                && !held[p].contains(&m)
                && !conflict
                && module_ok
                && unit_ok
                && (held[p].len() as u32) < person.max_posts
                && r.chance(0.7)
            {
                held[p].push(m);
                holders[m] += 1;
                if let Some(u) = module.unit {
                    unit_people[u.index()].insert(p);
                }
            }
        }
        held[p].sort_unstable();
    }
    (held, holders)
}

/// The hours of a naive plan.
struct NaiveWork {
    /// Hours per person.
    load: Vec<f64>,
    /// Hours per duty.
    done: Vec<f64>,
    assignments: Vec<Assignment>,
}

/// Duty by duty, post holders take what they can (now and then skipping a turn); a
/// non-splittable duty goes whole to one person or stays open.
fn naive_work(inst: &Instance, held: &[Vec<usize>], r: &mut Rng) -> NaiveWork {
    let mut load = vec![0.0; inst.staff.len()];
    let mut done = vec![0.0; inst.duties.len()];
    let mut assignments = Vec::new();
    for (d, duty) in inst.duties.iter().enumerate() {
        for p in 0..inst.staff.len() {
            let person = &inst.staff[p];
            let ok = held[p].contains(&duty.module.index())
                && duty.skill.is_none_or(|s| person.level(s) >= duty.min_level);
            let free = person.capacity - load[p];
            let need = duty.hours - done[d];
            if !ok || need <= 0.0 || free <= 0.0 || r.chance(0.2) {
                continue;
            }
            let h = if duty.splittable {
                need.min(free)
            } else if free >= duty.hours {
                duty.hours
            } else {
                continue;
            };
            load[p] += h;
            done[d] += h;
            assignments.push(Assignment {
                person: person.id.clone(),
                duty: duty.id.clone(),
                module: inst.modules[duty.module.index()].id.clone(),
                hours: h,
            });
            if !duty.splittable {
                break;
            }
        }
    }
    NaiveWork {
        load,
        done,
        assignments,
    }
}

/// Each counterpart gets the first post holder of a module listing it who has a liaison to
/// spare; returns the liaisons and the counterparts met.
fn naive_liaisons(inst: &Instance, held: &[Vec<usize>]) -> (Vec<Liaison>, BTreeSet<usize>) {
    let mut liaisons = Vec::new();
    let mut nl = vec![0_u32; inst.staff.len()];
    let mut met = BTreeSet::new();
    for c in 0..inst.counterparts.len() {
        for p in 0..inst.staff.len() {
            if nl[p] < inst.staff[p].max_liaisons
                && held[p]
                    .iter()
                    .any(|&m| inst.modules[m].counterparts.iter().any(|x| x.index() == c))
            {
                nl[p] += 1;
                met.insert(c);
                liaisons.push(Liaison {
                    counterpart: inst.counterparts[c].id.clone(),
                    person: inst.staff[p].id.clone(),
                });
                break;
            }
        }
    }
    (liaisons, met)
}

/// Posts changed against today's.
fn naive_stability(inst: &Instance, held: &[Vec<usize>]) -> u64 {
    let mut stability = 0;
    for (p, person) in inst.staff.iter().enumerate() {
        let now: BTreeSet<usize> = held[p].iter().copied().collect();
        let before: BTreeSet<usize> = person.current_posts.iter().map(|m| m.index()).collect();
        stability += now.symmetric_difference(&before).count() as u64;
    }
    stability
}

fn kinds(inst: &Instance, plan: &Plan) -> Vec<ViolationKind> {
    verify(inst, plan)
        .violations
        .iter()
        .map(|v| v.kind)
        .collect()
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 200,
        max_shrink_iters: 0,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_instances_round_trip(seed in any::<u64>()) {
        let inst = instance(seed);
        let text = serde_json::to_string_pretty(&to_raw(&inst)).expect("serialises");
        let (again, _) = parse_instance(&text, "round-trip.json").expect("reloads");
        prop_assert_eq!(&again, &inst);
        // And the raw form is a fixed point.
        prop_assert_eq!(to_raw(&again), to_raw(&inst));
    }

    #[test]
    fn naive_feasible_plans_pass_check(seed in any::<u64>()) {
        let inst = instance(seed);
        let plan = naive_plan(&inst, seed);
        for (p, person) in inst.staff.iter().enumerate() {
            for &m in &person.fixed_posts {
                let held = plan.posts.iter().any(|x| x.person == person.id && x.module == inst.modules[m.index()].id);
                prop_assert!(held, "pin {} of person {} kept", m.index(), p);
            }
        }
        let report = verify(&inst, &plan);
        prop_assert!(report.is_valid(), "{:#?}", report.violations);
        // Through the file format too.
        let text = serde_json::to_string(&plan).expect("plan serialises");
        let back = modstaff::io::parse_plan(&text, "plan.json").expect("plan parses");
        prop_assert!(modstaff::model::verify_declared(&inst, &back).is_valid());
    }

    #[test]
    fn a_plan_broken_on_purpose_fails(seed in any::<u64>(), which in 0_usize..7) {
        let inst = instance(seed);
        let mut plan = naive_plan(&inst, seed);
        let expected = match which {
            0 if !plan.assignments.is_empty() => {
                // Work beyond capacity: the person's whole capacity again on one duty.
                let a = &mut plan.assignments[0];
                let p = inst.ids.staff[&a.person];
                a.hours += inst.person(p).capacity + 1.0;
                ViolationKind::Capacity
            }
            1 if !plan.assignments.is_empty() => {
                let a = plan.assignments[0].clone();
                plan.posts.retain(|p| !(p.person == a.person && p.module == a.module));
                ViolationKind::MissingPost
            }
            2 if !plan.liaisons.is_empty() => {
                let l = plan.liaisons[0].clone();
                let other = inst.staff.iter().find(|p| p.id != l.person).map(|p| p.id.clone());
                if let Some(o) = other { plan.liaisons.push(Liaison { counterpart: l.counterpart, person: o }); ViolationKind::TwoLiaisons } else { plan.objective.coverage += 1.0; ViolationKind::Objective }
            }
            3 => {
                plan.objective.fragmentation += 1;
                ViolationKind::Objective
            }
            5 if inst.staff.iter().any(|p| !p.fixed_posts.is_empty()) => {
                // A pinned post dropped.
                let p = inst.staff.iter().find(|p| !p.fixed_posts.is_empty()).expect("pinned");
                let m = &inst.module(p.fixed_posts[0]).id;
                plan.posts.retain(|x| !(x.person == p.id && x.module == *m));
                ViolationKind::MissingPin
            }
            4 if !inst.duties.is_empty() => {
                let d = &inst.duties[0];
                plan.uncovered.retain(|u| u.duty != d.id);
                plan.uncovered.push(Uncovered { duty: d.id.clone(), hours: d.hours + 1.0, reason: String::new(), why: None });
                ViolationKind::Summary
            }
            _ => {
                let p = &inst.staff[0];
                let extra: Vec<Post> = inst.modules.iter()
                    .filter(|m| !plan.posts.iter().any(|x| x.person == p.id && x.module == m.id))
                    .take(p.max_posts as usize + 1)
                    .map(|m| Post { person: p.id.clone(), module: m.id.clone() })
                    .collect();
                if extra.is_empty() {
                    plan.objective.stability += 1;
                }
                // Whatever else breaks, the declared fragmentation or stability is now wrong.
                plan.posts.extend(extra);
                ViolationKind::Objective
            }
        };
        let found = kinds(&inst, &plan);
        prop_assert!(found.contains(&expected), "expected {:?} in {:?}", expected, found);
    }

    #[test]
    fn mangled_instance_text_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0_u8..3), 1..8)
    ) {
        let mut bytes = std::fs::read(crate::common::path("instances/tiny.json")).expect("tiny");
        for (at, byte, op) in edits {
            let i = at.index(bytes.len().max(1));
            match op {
                0 => { bytes.remove(i.min(bytes.len() - 1)); }
                1 => bytes.insert(i, byte),
                _ => { let j = i.min(bytes.len() - 1); bytes[j] = byte; }
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_instance(&text, "mangled.json");
    }

    #[test]
    fn random_json_values_never_panic(v in json_value()) {
        let text = v.to_string();
        let _ = parse_instance(&text, "random.json");
        let _ = modstaff::io::parse_plan(&text, "random.json");
    }

    #[test]
    fn any_plan_rows_never_panic_the_checker(seed in any::<u64>(), rows in proptest::collection::vec((0_usize..12, 0_usize..12, -5.0_f64..50.0), 0..20)) {
        let inst = instance(seed);
        let person = |i: usize| inst.staff.get(i).map_or_else(|| format!("ghost{i}"), |p| p.id.clone());
        let duty = |i: usize| inst.duties.get(i).map_or_else(|| format!("ghost{i}"), |d| d.id.clone());
        let module = |i: usize| inst.modules.get(i).map_or_else(|| format!("ghost{i}"), |m| m.id.clone());
        let mut plan = naive_plan(&inst, seed);
        for &(p, d, h) in &rows {
            let h = if p == 11 { f64::NAN } else { h };
            plan.assignments.push(Assignment { person: person(p), duty: duty(d), module: module(d), hours: h });
            plan.posts.push(Post { person: person(p), module: module(d) });
            plan.liaisons.push(Liaison { counterpart: format!("c{d}"), person: person(p) });
        }
        let _ = verify(&inst, &plan);
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        (-1e6_f64..1e6).prop_map(Value::from),
        "[a-z_]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("name".to_owned()),
            Just("staff".to_owned()),
            Just("modules".to_owned()),
            Just("duties".to_owned()),
            Just("id".to_owned()),
            Just("hours".to_owned()),
            Just("module".to_owned()),
            Just("rules".to_owned()),
            Just("conflicts".to_owned()),
            Just("skills".to_owned()),
            "[a-z]{1,6}",
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map(keys, inner, 0..6)
                .prop_map(|m: BTreeMap<String, Value>| Value::Object(m.into_iter().collect())),
        ]
    })
}
