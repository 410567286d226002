//! 1. Economic Development Bureau.

use modstaff::io::{RawDuty, RawInstance};

use crate::builder::{Builder, Finish, has_tag, in_modules, rules, spread};
use crate::data;
use crate::vocabulary::{staff_skills, strings};

pub fn econ() -> RawInstance {
    let mut b = Builder::new(
        "longgang-econ",
        0x4C47_0001,
        data::ECON_DESCRIPTION,
        rules(3, 3),
    );
    for (id, name) in data::ECON_SKILLS {
        b.skill(id, name);
    }
    // The 48-person establishment; task teams draw on at most 14 of them at a time.
    b.unit("econ", "Economic Development Bureau", 48);
    b.unit("econ-teams", "Modular task teams", 14);
    for (code, bureau, divisions) in data::ECON_BUREAUS {
        for (i, div) in divisions.iter().enumerate() {
            b.counterpart(format!("c-{code}-{:02}", i + 1), div, bureau);
        }
    }
    for (name, unit, skills, cps, min) in data::ECON_MODULES {
        let cps = cps.iter().map(|c| format!("c-{c}")).collect();
        let m = b.module(name, unit, (min, min + 4), cps, strings(&skills));
        for _ in 0..b.rng.range(4, 6) {
            let skill = [Some(skills[0]), Some(skills[1]), None][b.rng.weighted(&[6, 3, 1])];
            // "Staff are often stuck reacting to upstream demands": about a third of duties
            // are reports, data returns and meetings requested from Wenzhou.
            let tags = if b.rng.chance(0.35) {
                vec!["upstream".to_owned()]
            } else {
                Vec::new()
            };
            let hours = b.rng.range(4, 24) as f64;
            b.duty(m, skill, hours, (0.2, 0.35), tags);
        }
    }
    let pool = strings(&data::ECON_SKILLS.map(|(id, _)| id));
    let n_modules = b.inst.modules.len();
    for home in spread(&mut b.rng, 48, &vec![1; n_modules]) {
        let skills = staff_skills(&mut b.rng, &b.module_skills[home].clone(), &pool);
        // Other modules sharing the person's main skill are where they also serve today.
        let main = b.module_skills[home][0].clone();
        let mut others: Vec<usize> = (0..n_modules)
            .filter(|&m| m != home && b.module_skills[m].contains(&main))
            .collect();
        b.rng.shuffle(&mut others);
        others.insert(0, home);
        let today = [1, 2, 3][b.rng.weighted(&[20, 45, 35])];
        b.person("econ", skills, others, today);
    }
    // Who allocates enterprise subsidies does not also run statistical supervision.
    b.conflict(23, 26);
    let batch1 = |d: &RawDuty| in_modules(d, &["m12", "m17"]) && !has_tag(d, "statutory");
    let transferable = |d: &RawDuty| {
        in_modules(d, &["m16", "m21", "m25", "m26", "m33"]) && !has_tag(d, "statutory")
    };
    b.finish(&Finish {
        ratio: 1.3,
        unavailable: 3,
        transferable: 14,
        batch1: 4,
        is_batch1: &batch1,
        is_transferable: &transferable,
    })
}
