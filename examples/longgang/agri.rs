//! 2. Agriculture and Rural Affairs Bureau.

use modstaff::io::{RawDuty, RawInstance};

use crate::builder::{Builder, Finish, has_tag, in_modules, rules};
use crate::data;
use crate::vocabulary::{staff_skills, strings};

pub fn agri() -> RawInstance {
    let mut b = Builder::new(
        "longgang-agri",
        0x4C47_0002,
        data::AGRI_DESCRIPTION,
        rules(3, 2),
    );
    for (id, name) in data::AGRI_SKILLS {
        b.skill(id, name);
    }
    b.unit(
        "agri-admin",
        "Agriculture and Rural Affairs Bureau (administrative modules)",
        42,
    );
    b.unit(
        "agri-service",
        "Agriculture and Rural Affairs Bureau (public-service modules)",
        14,
    );
    for (code, bureau, divisions) in data::AGRI_BUREAUS {
        for (i, div) in divisions.iter().enumerate() {
            b.counterpart(format!("c-{code}-{:02}", i + 1), div, bureau);
        }
    }
    // Which former section or unit took each module's business over decides its unit.
    let old_of = |m: usize| {
        data::AGRI_OLD
            .iter()
            .position(|o| o.3.contains(&(m + 1)))
            .expect("every module has a source")
    };
    for (i, (name, skills, cps, min)) in data::AGRI_MODULES.into_iter().enumerate() {
        let unit = if data::AGRI_OLD[old_of(i)].0.starts_with('U') {
            "agri-service"
        } else {
            "agri-admin"
        };
        let cps = cps.iter().map(|c| format!("c-{c}")).collect();
        let m = b.module(name, unit, (min, min + 4), cps, strings(&skills));
        // Farmland, village environment and safety modules carry the "steward" work of the
        // first transfer batch, hence more (smaller) duties.
        let n = if [10, 20, 21, 27].contains(&(i + 1)) {
            7
        } else {
            b.rng.range(4, 5)
        };
        for _ in 0..n {
            let skill = [Some(skills[0]), Some(skills[1]), None][b.rng.weighted(&[6, 3, 1])];
            let hours = b.rng.range(4, 22) as f64;
            b.duty(m, skill, hours, (0.2, 0.35), Vec::new());
        }
    }
    let pool = strings(&data::AGRI_SKILLS.map(|(id, _)| id));
    for (code, _, staff, modules) in data::AGRI_OLD {
        let unit = if code.starts_with('U') {
            "agri-service"
        } else {
            "agri-admin"
        };
        for j in 0..staff {
            // Homes rotate over the new modules of the old section; skills come from them.
            let mut mine: Vec<usize> = modules.iter().map(|m| m - 1).collect();
            let shift = j % mine.len();
            mine.rotate_left(shift);
            let mut main: Vec<String> = Vec::new();
            for &m in &mine {
                for k in &b.module_skills[m] {
                    if !main.contains(k) {
                        main.push(k.clone());
                    }
                }
            }
            main.truncate(3);
            let skills = staff_skills(&mut b.rng, &main, &pool);
            let today = b.rng.range(1, 3) as usize;
            b.person(unit, skills, mine, today);
        }
    }
    // Quality supervision is kept apart from brand promotion of the same products.
    b.conflict(15, 16);
    let batch1 =
        |d: &RawDuty| in_modules(d, &["m10", "m20", "m21", "m27"]) && !has_tag(d, "statutory");
    let transferable =
        |d: &RawDuty| !has_tag(d, "statutory") && !in_modules(d, &["m01", "m02", "m04", "m16"]);
    b.finish(&Finish {
        ratio: 1.25,
        unavailable: 3,
        transferable: 30,
        batch1: 16,
        is_batch1: &batch1,
        is_transferable: &transferable,
    })
}
