//! From the validated domain back to the file form.

use super::raw::{
    RawCounterpart, RawDuty, RawInstance, RawModule, RawRules, RawSkill, RawStaff, RawUnit,
};
use crate::model::Instance;

/// The raw (file) form of a validated instance, with defaults written out explicitly only
/// where they differ from the instance-wide rules.
#[must_use]
pub fn to_raw(inst: &Instance) -> RawInstance {
    let r = &inst.rules;
    let name_if = |name: &str, id: &str| (name != id).then(|| name.to_owned());
    RawInstance {
        name: inst.name.clone(),
        description: inst.description.clone(),
        skills: inst.has_skill_catalogue.then(|| {
            inst.skills
                .iter()
                .map(|k| RawSkill {
                    id: k.id.clone(),
                    name: name_if(&k.name, &k.id),
                })
                .collect()
        }),
        units: inst
            .units
            .iter()
            .map(|u| RawUnit {
                id: u.id.clone(),
                name: name_if(&u.name, &u.id),
                headcount_cap: u.headcount_cap.map(i64::from),
            })
            .collect(),
        counterparts: inst
            .counterparts
            .iter()
            .map(|c| RawCounterpart {
                id: c.id.clone(),
                name: name_if(&c.name, &c.id),
                bureau: c.bureau.clone(),
            })
            .collect(),
        staff: inst
            .staff
            .iter()
            .map(|p| RawStaff {
                id: p.id.clone(),
                name: name_if(&p.name, &p.id),
                unit: p.unit.map(|u| inst.units[u.index()].id.clone()),
                capacity: Some(p.capacity),
                skills: p
                    .skills
                    .iter()
                    .map(|&(k, l)| (inst.skills[k.index()].id.clone(), i64::from(l)))
                    .collect(),
                max_posts: (p.max_posts != r.max_posts).then_some(i64::from(p.max_posts)),
                max_liaisons: (p.max_liaisons != r.max_liaisons)
                    .then_some(i64::from(p.max_liaisons)),
                current_posts: p
                    .current_posts
                    .iter()
                    .map(|m| inst.modules[m.index()].id.clone())
                    .collect(),
                fixed_posts: p
                    .fixed_posts
                    .iter()
                    .map(|m| inst.modules[m.index()].id.clone())
                    .collect(),
                unavailable: p
                    .unavailable
                    .iter()
                    .map(|m| inst.modules[m.index()].id.clone())
                    .collect(),
            })
            .collect(),
        modules: inst
            .modules
            .iter()
            .map(|m| RawModule {
                id: m.id.clone(),
                name: name_if(&m.name, &m.id),
                unit: m.unit.map(|u| inst.units[u.index()].id.clone()),
                min_staff: (m.min_staff != 0).then_some(i64::from(m.min_staff)),
                max_staff: m.max_staff.map(i64::from),
                counterparts: m
                    .counterparts
                    .iter()
                    .map(|c| inst.counterparts[c.index()].id.clone())
                    .collect(),
            })
            .collect(),
        duties: inst
            .duties
            .iter()
            .map(|d| RawDuty {
                id: d.id.clone(),
                name: name_if(&d.name, &d.id),
                module: inst.modules[d.module.index()].id.clone(),
                hours: d.hours,
                skill: d.skill.map(|k| inst.skills[k.index()].id.clone()),
                min_level: (d.min_level != 1).then_some(i64::from(d.min_level)),
                weight: (d.weight.to_bits() != 1.0_f64.to_bits()).then_some(d.weight),
                splittable: (!d.splittable).then_some(false),
                tags: d.tags.clone(),
            })
            .collect(),
        rules: Some(RawRules {
            max_posts: Some(i64::from(r.max_posts)),
            max_liaisons: Some(i64::from(r.max_liaisons)),
            liaison_weight: Some(r.liaison_weight),
            min_staff_weight: Some(r.min_staff_weight),
            conflicts: r
                .conflicts
                .iter()
                .map(|&(a, b)| {
                    vec![
                        inst.modules[a.index()].id.clone(),
                        inst.modules[b.index()].id.clone(),
                    ]
                })
                .collect(),
        }),
    }
}
