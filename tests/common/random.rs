// Random valid instances shared by the property tests (`tests/integration/props.rs`) and the
// engine's unit tests (`src/engine/testkit.rs`): the same seeds give the same instances in
// both. Included with `include!`; the including module imports `BTreeMap`, `Rng`, `Instance`,
// `validate` and the raw instance types.

/// A random valid raw instance with at most these sizes.
pub(crate) fn random_raw_sized(
    seed: u64,
    max_staff: usize,
    max_modules: usize,
    max_duties: usize,
) -> RawInstance {
    let mut r = Rng::new(seed);
    let skills = ["policy", "finance", "field", "law"];
    let n_units = 1 + r.below(2);
    let n_modules = 1 + r.below(max_modules);
    let n_staff = 1 + r.below(max_staff);
    let n_duties = r.below(max_duties + 1);
    let n_cp = r.below(5);
    let units = (0..n_units)
        .map(|u| RawUnit {
            id: format!("u{u}"),
            name: None,
            headcount_cap: r.chance(0.5).then(|| r.below(4) as i64),
        })
        .collect();
    let counterparts = (0..n_cp)
        .map(|c| RawCounterpart {
            id: format!("c{c}"),
            name: Some(format!("Division {c}")),
            bureau: None,
        })
        .collect();
    let modules: Vec<RawModule> = (0..n_modules)
        .map(|m| {
            let min = r.below(3) as i64;
            RawModule {
                id: format!("m{m}"),
                name: r.chance(0.5).then(|| format!("模块 {m}")),
                unit: r.chance(0.7).then(|| format!("u{}", r.below(n_units))),
                min_staff: r.chance(0.5).then_some(min),
                max_staff: r.chance(0.4).then(|| min + r.below(3) as i64),
                counterparts: (0..n_cp)
                    .filter(|_| r.chance(0.4))
                    .map(|c| format!("c{c}"))
                    .collect(),
            }
        })
        .collect();
    let staff = (0..n_staff)
        .map(|p| RawStaff {
            id: format!("p{p}"),
            name: r.chance(0.5).then(|| format!("Person {p}")),
            unit: r.chance(0.5).then(|| format!("u{}", r.below(n_units))),
            capacity: r.chance(0.8).then(|| [20.0, 32.0, 40.0, 12.5][r.below(4)]),
            skills: {
                let mut m = BTreeMap::new();
                for s in skills {
                    if r.chance(0.5) {
                        m.insert(s.to_owned(), 1 + r.below(5) as i64);
                    }
                }
                m
            },
            max_posts: r.chance(0.3).then(|| r.below(4) as i64),
            max_liaisons: r.chance(0.3).then(|| r.below(3) as i64),
            current_posts: (0..n_modules)
                .filter(|_| r.chance(0.3))
                .map(|m| format!("m{m}"))
                .collect(),
            fixed_posts: Vec::new(),
            unavailable: (0..n_modules)
                .filter(|_| r.chance(0.15))
                .map(|m| format!("m{m}"))
                .collect(),
        })
        .collect();
    let duties = (0..n_duties)
        .map(|d| RawDuty {
            id: format!("d{d}"),
            name: r.chance(0.3).then(|| format!("Duty {d}")),
            module: format!("m{}", r.below(n_modules)),
            hours: [4.0, 8.0, 12.0, 2.5, 30.0][r.below(5)],
            skill: r
                .chance(0.7)
                .then(|| skills[r.below(skills.len())].to_owned()),
            min_level: r.chance(0.5).then(|| 1 + r.below(4) as i64),
            weight: r.chance(0.7).then(|| [1.0, 2.0, 5.0, 10.0][r.below(4)]),
            splittable: r.chance(0.4).then(|| r.chance(0.5)),
            tags: if r.chance(0.2) {
                vec!["transferable".into()]
            } else {
                Vec::new()
            },
        })
        .collect();
    let conflicts = if n_modules >= 2 && r.chance(0.5) {
        vec![vec!["m0".to_owned(), "m1".to_owned()]]
    } else {
        Vec::new()
    };
    RawInstance {
        name: format!("random-{seed}"),
        description: None,
        skills: r.chance(0.5).then(|| {
            skills
                .iter()
                .map(|s| RawSkill {
                    id: (*s).to_owned(),
                    name: None,
                })
                .collect()
        }),
        units,
        counterparts,
        staff,
        modules,
        duties,
        rules: r.chance(0.7).then(|| RawRules {
            max_posts: r.chance(0.5).then(|| 1 + r.below(3) as i64),
            max_liaisons: r.chance(0.5).then(|| r.below(3) as i64),
            liaison_weight: r.chance(0.5).then_some(8.0),
            min_staff_weight: r.chance(0.5).then_some(40.0),
            conflicts,
        }),
    }
}

/// A random valid instance with at most these sizes.
pub(crate) fn random_instance(seed: u64, staff: usize, modules: usize, duties: usize) -> Instance {
    validate(&random_raw_sized(seed, staff, modules, duties))
        .expect("generated instances are valid")
        .0
}

/// `raw` (a valid instance) with random pins that can all hold together: each person in turn
/// is pinned to each module they qualify for with probability `share`, where the pin stays
/// within their posts cap, clear of conflicts with their other pins, within the module's
/// `max_staff` and the unit's `headcount_cap`. Draws from its own stream, so the instance
/// itself is the one `random_raw_sized` gives for the same seed.
pub(crate) fn with_random_pins(mut raw: RawInstance, seed: u64, share: f64) -> RawInstance {
    let inst = validate(&raw).expect("generated instances are valid").0;
    let mut r = Rng::new(seed ^ 0x5049_4E53);
    let mut pinned_in = vec![0_u32; inst.modules.len()];
    let mut unit_people: Vec<Vec<usize>> = vec![Vec::new(); inst.units.len()];
    for (p, person) in inst.staff.iter().enumerate() {
        let mut pins: Vec<usize> = Vec::new();
        for (m, module) in inst.modules.iter().enumerate() {
            let unit_ok = module.unit.is_none_or(|u| {
                let people = &unit_people[u.index()];
                people.contains(&p)
                    || inst.units[u.index()]
                        .headcount_cap
                        .is_none_or(|c| (people.len() as u32) < c)
            });
            let fits = inst.qualifies(p.into(), m.into())
                && (pins.len() as u32) < person.max_posts
                && !pins.iter().any(|&h| inst.in_conflict(h.into(), m.into()))
                && module.max_staff.is_none_or(|c| pinned_in[m] < c)
                && unit_ok;
            if fits && r.chance(share) {
                pins.push(m);
                pinned_in[m] += 1;
                if let Some(u) = module.unit
                    && !unit_people[u.index()].contains(&p)
                {
                    unit_people[u.index()].push(p);
                }
            }
        }
        raw.staff[p].fixed_posts = pins.iter().map(|&m| inst.modules[m].id.clone()).collect();
    }
    raw
}

/// A random valid instance with at most these sizes and pins (see [`with_random_pins`]).
pub(crate) fn random_pinned_instance(
    seed: u64,
    (staff, modules, duties): (usize, usize, usize),
    share: f64,
) -> Instance {
    let raw = with_random_pins(random_raw_sized(seed, staff, modules, duties), seed, share);
    validate(&raw).expect("random pins can all hold").0
}
