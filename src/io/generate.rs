//! Synthetic instances of any size that exercise every rule of the model: skills with
//! levels, non-splittable duties, staffing floors and caps, unit headcount caps, conflicts,
//! counterparts, today's posts and unavailability. Deterministic for a given seed.

use std::collections::BTreeMap;

use super::raw::{
    RawCounterpart, RawDuty, RawInstance, RawModule, RawRules, RawSkill, RawStaff, RawUnit,
};
use crate::rng::Rng;

/// The share of non-splittable duties unless told otherwise.
pub const DEFAULT_NON_SPLITTABLE: f64 = 0.15;

/// Sizes and tightness of a generated instance.
#[derive(Clone, Debug)]
pub struct GenerateSettings {
    /// Number of people.
    pub staff: usize,
    /// Number of modules.
    pub modules: usize,
    /// Number of duties.
    pub duties: usize,
    /// Random seed.
    pub seed: u64,
    /// Demand over supply: total duty hours / total capacity.
    pub tight: f64,
    /// Share of duties that are non-splittable (one person does all of it, or nobody).
    pub non_splittable: f64,
}

impl GenerateSettings {
    /// Checks the settings, naming the bad one.
    ///
    /// # Errors
    /// A message naming the field.
    pub fn validate(&self) -> Result<(), String> {
        if self.staff == 0 || self.modules == 0 {
            return Err("`--staff` and `--modules` must be at least 1".into());
        }
        if !(self.tight.is_finite() && self.tight > 0.0) {
            return Err(format!(
                "`--tight` must be a number greater than 0, found {}",
                self.tight
            ));
        }
        if !(0.0..=1.0).contains(&self.non_splittable) {
            return Err(format!(
                "`--non-splittable` must be a share between 0 and 1, found {}",
                self.non_splittable
            ));
        }
        Ok(())
    }
}

fn pad(n: usize) -> usize {
    n.to_string().len().max(2)
}

/// Generates an instance.
#[must_use]
pub fn generate(s: &GenerateSettings) -> RawInstance {
    // The lists are drawn in this order, from one generator: reordering them changes every
    // instance generated for a seed.
    let mut r = Rng::new(s.seed);
    let shape = Shape::new(s);
    let module_skills = module_skills(&mut r, &shape);
    let counterparts = counterparts(&shape);
    let module_cps = module_counterparts(&mut r, &shape);
    let caps = capacities(&mut r, s.staff);
    let (duties, needs) = duties(&mut r, s, &shape, &module_skills, &caps);
    let modules = modules(&mut r, &shape, &module_cps);
    let staff = staff(&mut r, &shape, &module_skills, &needs, &caps);
    RawInstance {
        name: format!("gen-{}x{}x{}-s{}", s.staff, s.modules, s.duties, s.seed),
        description: Some(description(s)),
        skills: Some(skills(&shape)),
        units: units(&shape),
        counterparts,
        staff,
        modules,
        duties,
        rules: Some(RawRules {
            max_posts: Some(3),
            max_liaisons: Some(3),
            liaison_weight: None,
            min_staff_weight: None,
            conflicts: conflicts(&shape),
        }),
    }
}

/// The sizes derived from the settings, and the widths of the zero-padded ids.
struct Shape {
    staff: usize,
    modules: usize,
    duties: usize,
    skills: usize,
    units: usize,
    counterparts: usize,
    /// The unit of each module.
    unit_of_module: Vec<usize>,
    /// Id widths: staff, modules, duties, counterparts.
    ws: usize,
    wm: usize,
    wd: usize,
    wc: usize,
}

impl Shape {
    fn new(s: &GenerateSettings) -> Self {
        let units = s.modules.div_ceil(12).max(1);
        let counterparts = (s.modules * 3) / 2;
        Self {
            staff: s.staff,
            modules: s.modules,
            duties: s.duties,
            skills: (s.modules / 3).clamp(3, 40),
            units,
            counterparts,
            unit_of_module: (0..s.modules).map(|m| m * units / s.modules).collect(),
            ws: pad(s.staff),
            wm: pad(s.modules),
            wd: pad(s.duties),
            wc: pad(counterparts),
        }
    }
}

fn description(s: &GenerateSettings) -> String {
    format!(
        "Synthetic instance from `modstaff generate --staff {} --modules {} --duties {} --seed {} --tight {}{}`",
        s.staff,
        s.modules,
        s.duties,
        s.seed,
        s.tight,
        if s.non_splittable == DEFAULT_NON_SPLITTABLE {
            String::new()
        } else {
            format!(" --non-splittable {}", s.non_splittable)
        }
    )
}

fn skills(shape: &Shape) -> Vec<RawSkill> {
    (0..shape.skills)
        .map(|k| RawSkill {
            id: format!("s{k:02}"),
            name: Some(format!("Skill {k}")),
        })
        .collect()
}

/// Each module has a main and a second skill; duties mostly need one of them.
fn module_skills(r: &mut Rng, shape: &Shape) -> Vec<(usize, usize)> {
    let n_skills = shape.skills;
    (0..shape.modules)
        .map(|_| {
            let a = r.below(n_skills);
            let mut b = r.below(n_skills);
            if b == a {
                b = (a + 1) % n_skills;
            }
            (a, b)
        })
        .collect()
}

fn counterparts(shape: &Shape) -> Vec<RawCounterpart> {
    let wc = shape.wc;
    (0..shape.counterparts)
        .map(|c| RawCounterpart {
            id: format!("c{c:0wc$}"),
            name: Some(format!("Upstream division {c}")),
            bureau: Some(format!("Upstream bureau {}", c % 8)),
        })
        .collect()
}

/// The counterparts each module lists: every counterpart is listed by one module, some by
/// two.
fn module_counterparts(r: &mut Rng, shape: &Shape) -> Vec<Vec<String>> {
    let wc = shape.wc;
    let mut module_cps: Vec<Vec<String>> = vec![Vec::new(); shape.modules];
    for c in 0..shape.counterparts {
        module_cps[r.below(shape.modules)].push(format!("c{c:0wc$}"));
        if r.chance(0.2) {
            let m = r.below(shape.modules);
            let id = format!("c{c:0wc$}");
            if !module_cps[m].contains(&id) {
                module_cps[m].push(id);
            }
        }
    }
    module_cps
}

/// Weekly hours per person: mostly full-time, a few part-timers.
fn capacities(r: &mut Rng, staff: usize) -> Vec<f64> {
    let mut caps = Vec::with_capacity(staff);
    for _ in 0..staff {
        caps.push(if r.chance(0.1) {
            [20.0, 24.0, 32.0][r.below(3)]
        } else {
            40.0
        });
    }
    caps
}

/// The duties, and per module the (skill, level) pairs its duties need. Hours are drawn,
/// then scaled so that demand = tight x supply.
#[expect(clippy::cast_possible_wrap, reason = "small counts")]
fn duties(
    r: &mut Rng,
    s: &GenerateSettings,
    shape: &Shape,
    module_skills: &[(usize, usize)],
    caps: &[f64],
) -> (Vec<RawDuty>, Vec<Vec<(usize, i64)>>) {
    let (wm, wd) = (shape.wm, shape.wd);
    let supply: f64 = caps.iter().sum();
    let raw_hours: Vec<f64> = (0..shape.duties).map(|_| 2.0 + 14.0 * r.unit()).collect();
    let demand: f64 = raw_hours.iter().sum();
    let scale = if demand > 0.0 {
        s.tight * supply / demand
    } else {
        1.0
    };
    let duty_module: Vec<usize> = (0..shape.duties)
        .map(|d| {
            if d < shape.modules {
                d
            } else {
                r.below(shape.modules)
            }
        })
        .collect();
    let mut duties = Vec::with_capacity(shape.duties);
    let mut needs: Vec<Vec<(usize, i64)>> = vec![Vec::new(); shape.modules];
    for d in 0..shape.duties {
        let m = duty_module[d];
        let (a, b) = module_skills[m];
        let roll = r.unit();
        let skill = if roll < 0.65 {
            Some(a)
        } else if roll < 0.9 {
            Some(b)
        } else {
            None
        };
        let min_level = if r.chance(0.6) {
            1
        } else {
            2 + r.below(2) as i64
        };
        if let Some(k) = skill {
            needs[m].push((k, min_level));
        }
        let hours = ((raw_hours[d] * scale) * 2.0).round().max(1.0) / 2.0;
        duties.push(RawDuty {
            id: format!("d{d:0wd$}"),
            module: format!("m{m:0wm$}"),
            name: None,
            hours,
            skill: skill.map(|k| format!("s{k:02}")),
            min_level: (min_level != 1).then_some(min_level),
            weight: Some([1.0, 2.0, 5.0, 10.0][r.below(4)]),
            // One draw whatever the share: the rest of the instance does not change with it.
            splittable: r.chance(s.non_splittable).then_some(false),
            tags: if r.chance(0.1) {
                vec!["transferable".into()]
            } else {
                Vec::new()
            },
        });
    }
    (duties, needs)
}

#[expect(clippy::cast_possible_wrap, reason = "small counts")]
fn modules(r: &mut Rng, shape: &Shape, module_cps: &[Vec<String>]) -> Vec<RawModule> {
    let wm = shape.wm;
    (0..shape.modules)
        .map(|m| {
            let min_staff = if r.chance(0.4) {
                1 + r.below(2) as i64
            } else {
                0
            };
            RawModule {
                id: format!("m{m:0wm$}"),
                name: Some(format!("Module {m}")),
                unit: Some(format!("u{}", shape.unit_of_module[m])),
                min_staff: (min_staff > 0).then_some(min_staff),
                max_staff: r
                    .chance(0.3)
                    .then(|| min_staff.max(1) + 1 + r.below(4) as i64),
                counterparts: module_cps[m].clone(),
            }
        })
        .collect()
}

/// People: skills drawn so that each person fits a few modules well.
#[expect(clippy::cast_possible_wrap, reason = "small counts")]
fn staff(
    r: &mut Rng,
    shape: &Shape,
    module_skills: &[(usize, usize)],
    needs: &[Vec<(usize, i64)>],
    caps: &[f64],
) -> Vec<RawStaff> {
    let (ws, wm) = (shape.ws, shape.wm);
    let mut staff = Vec::with_capacity(shape.staff);
    for (p, &capacity) in caps.iter().enumerate() {
        let home = r.below(shape.modules);
        let (a, b) = module_skills[home];
        let mut sk: BTreeMap<String, i64> = BTreeMap::new();
        sk.insert(format!("s{a:02}"), 1 + r.below(5) as i64);
        if r.chance(0.6) {
            sk.insert(format!("s{b:02}"), 1 + r.below(4) as i64);
        }
        if r.chance(0.4) {
            sk.insert(
                format!("s{:02}", r.below(shape.skills)),
                1 + r.below(3) as i64,
            );
        }
        let can = |m: usize, sk: &BTreeMap<String, i64>| {
            needs[m].is_empty()
                || needs[m]
                    .iter()
                    .any(|&(k, l)| sk.get(&format!("s{k:02}")).is_some_and(|&have| have >= l))
        };
        let mut current = Vec::new();
        if can(home, &sk) {
            current.push(format!("m{home:0wm$}"));
        }
        if r.chance(0.4) {
            let other = r.below(shape.modules);
            if other != home && can(other, &sk) {
                current.push(format!("m{other:0wm$}"));
            }
        }
        let unavailable = if r.chance(0.05) {
            let m = r.below(shape.modules);
            if current.contains(&format!("m{m:0wm$}")) {
                Vec::new()
            } else {
                vec![format!("m{m:0wm$}")]
            }
        } else {
            Vec::new()
        };
        staff.push(RawStaff {
            id: format!("p{p:0ws$}"),
            name: Some(format!("Person {p}")),
            unit: Some(format!("u{}", shape.unit_of_module[home])),
            capacity: Some(capacity),
            skills: sk,
            max_posts: r.chance(0.05).then_some(2),
            max_liaisons: r.chance(0.1).then_some(2),
            current_posts: current,
            fixed_posts: Vec::new(),
            unavailable,
        });
    }
    staff
}

/// Unit caps: about the people a unit's share of modules would need, a little tight.
#[expect(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    reason = "small counts"
)]
fn units(shape: &Shape) -> Vec<RawUnit> {
    (0..shape.units)
        .map(|u| {
            let share = shape.unit_of_module.iter().filter(|&&x| x == u).count() as f64
                / shape.modules as f64;
            let cap = (share * shape.staff as f64 * 1.3).ceil() as i64;
            RawUnit {
                id: format!("u{u}"),
                name: Some(format!("Unit {u}")),
                headcount_cap: (u % 2 == 0).then_some(cap.max(1)),
            }
        })
        .collect()
}

fn conflicts(shape: &Shape) -> Vec<Vec<String>> {
    let wm = shape.wm;
    let mut conflicts = Vec::new();
    for i in 0..shape.modules / 10 {
        let a = (i * 7) % shape.modules;
        let b = (i * 7 + 3) % shape.modules;
        if a != b {
            conflicts.push(vec![format!("m{a:0wm$}"), format!("m{b:0wm$}")]);
        }
    }
    conflicts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_instances_are_valid_and_deterministic() {
        for (n, m, d) in [(1, 1, 0), (5, 3, 8), (48, 27, 120), (300, 80, 600)] {
            let s = GenerateSettings {
                staff: n,
                modules: m,
                duties: d,
                seed: 7,
                tight: 1.15,
                non_splittable: DEFAULT_NON_SPLITTABLE,
            };
            let raw = generate(&s);
            assert_eq!(raw, generate(&s));
            // The share of non-splittable duties changes only that.
            for share in [0.0, 1.0] {
                let other = generate(&GenerateSettings {
                    non_splittable: share,
                    ..s.clone()
                });
                assert_eq!(other.duties.len(), raw.duties.len());
                for (a, b) in other.duties.iter().zip(&raw.duties) {
                    assert_eq!((&a.id, a.hours, &a.skill), (&b.id, b.hours, &b.skill));
                    assert_eq!(a.splittable, (share == 1.0).then_some(false));
                }
                assert_eq!(other.staff, raw.staff);
            }
            let (inst, _) = crate::io::validate(&raw).expect("valid");
            assert_eq!(
                (inst.staff.len(), inst.modules.len(), inst.duties.len()),
                (n, m, d)
            );
            if d > 0 {
                let ratio = inst.total_hours() / inst.total_capacity();
                assert!((ratio - 1.15).abs() < 0.1, "tightness {ratio}");
            }
        }
    }
}
