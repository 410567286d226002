//! 3. Administrative Approval Bureau.

use modstaff::io::{RawDuty, RawInstance};

use crate::builder::{Builder, Finish, has_tag, item_groups, rules};
use crate::data;
use crate::vocabulary::{staff_skills, strings};

pub fn approval() -> RawInstance {
    let mut b = Builder::new(
        "longgang-approval",
        0x4C47_0003,
        data::APPROVAL_DESCRIPTION,
        rules(3, 2),
    );
    catalogues(&mut b);
    front_desk(&mut b);
    field_modules(&mut b);
    licensing(&mut b);
    inspections(&mut b);
    staff(&mut b);
    // First batch: environmental and safety "stewards" doing inspections for the bureau;
    // later: agency service and technical pre-review by qualified third parties.
    let batch1 = |d: &RawDuty| {
        (has_tag(d, "field:env") || has_tag(d, "field:agr"))
            && (has_tag(d, "kind:post-approval-inspection") || has_tag(d, "kind:technical-review"))
            && !has_tag(d, "statutory")
    };
    let transferable = |d: &RawDuty| {
        (d.module == "m02" || has_tag(d, "kind:technical-review")) && !has_tag(d, "statutory")
    };
    b.finish(&Finish {
        ratio: 1.15,
        unavailable: 4,
        transferable: 20,
        batch1: 6,
        is_batch1: &batch1,
        is_transferable: &transferable,
    })
}

/// Skills, units, counterparts.
fn catalogues(b: &mut Builder) {
    for (id, name) in data::APPROVAL_SKILLS {
        b.skill(id, name);
    }
    // 20% fewer approval staff after the redesign: 64 of a former pool of 80.
    b.unit(
        "approval",
        "Administrative Approval Bureau (windows and approval teams)",
        64,
    );
    b.unit(
        "supervision",
        "Administrative Approval Bureau (post-approval supervision)",
        24,
    );
    for (code, dept, _, _) in data::APPROVAL_SOURCES {
        b.counterpart(
            format!("c-{code}"),
            "Approval division",
            &format!("Wenzhou {dept} Bureau"),
        );
    }
    for (i, name) in data::APPROVAL_CENTRE.iter().enumerate() {
        b.counterpart(
            format!("c-wzps-{:02}", i + 1),
            name,
            "Wenzhou Government Service Administration",
        );
    }
}

/// The three front-desk modules (m01-m03) and their duties.
fn front_desk(b: &mut Builder) {
    let general = [
        (
            "Comprehensive acceptance windows",
            ["window", "legal"],
            (6, 18),
        ),
        (
            "Investment project agency service",
            ["window", "build"],
            (2, 6),
        ),
        ("Online approval & e-services", ["window", "legal"], (2, 6)),
    ];
    for (i, (name, skills, staff)) in general.into_iter().enumerate() {
        let m = b.module(
            name,
            "approval",
            staff,
            vec![format!("c-wzps-{:02}", i + 1)],
            strings(&skills),
        );
        for _ in 0..[10, 6, 6][i] {
            let skill = [skills[0], skills[1]][b.rng.weighted(&[4, 1])];
            let hours = b.rng.range(16, 36) as f64;
            b.duty(
                m,
                Some(skill),
                hours,
                (0.25, 0.4),
                vec!["kind:front-desk".to_owned()],
            );
        }
    }
}

/// An approval team (m04-m11) and a supervision module (m12-m19) per field.
fn field_modules(b: &mut Builder) {
    for (code, name, skill) in data::APPROVAL_FIELDS {
        let cps = data::APPROVAL_SOURCES
            .iter()
            .filter(|s| s.3 == code)
            .map(|s| format!("c-{}", s.0))
            .collect();
        b.module(
            &format!("Approval team: {name}"),
            "approval",
            (2, 8),
            cps,
            strings(&[skill, "legal"]),
        );
    }
    for (_, name, skill) in data::APPROVAL_FIELDS {
        b.module(
            &format!("Post-approval supervision: {name}"),
            "supervision",
            (1, 4),
            Vec::new(),
            strings(&["inspect", skill]),
        );
    }
}

/// Licensing items: each source department's items are grouped into duties of 3-14.
fn licensing(b: &mut Builder) {
    let mut total = 0;
    for (code, _, items, field) in data::APPROVAL_SOURCES {
        let f = data::APPROVAL_FIELDS
            .iter()
            .position(|x| x.0 == field)
            .expect("known field");
        for n in item_groups(&mut b.rng, items) {
            total += n;
            let review = b.rng.chance(0.15);
            let skill = if review {
                "legal"
            } else {
                data::APPROVAL_FIELDS[f].2
            };
            let kind = if review {
                "kind:technical-review"
            } else {
                "kind:licensing"
            };
            let tags = vec![
                format!("items:{n}"),
                format!("dept:{code}"),
                format!("field:{field}"),
                kind.to_owned(),
            ];
            let hours = n as f64 * (0.8 + b.rng.range(0, 12) as f64 / 10.0);
            b.duty(3 + f, Some(skill), hours, (0.35, 0.4), tags);
        }
    }
    assert_eq!(total, 1129, "licensing items");
}

/// Post-approval inspections, field by field.
fn inspections(b: &mut Builder) {
    for (f, (field, _, skill)) in data::APPROVAL_FIELDS.into_iter().enumerate() {
        for _ in 0..b.rng.range(4, 6) {
            let skill = [skill, "inspect"][b.rng.weighted(&[2, 3])];
            let hours = b.rng.range(6, 20) as f64;
            let tags = vec![
                format!("field:{field}"),
                "kind:post-approval-inspection".to_owned(),
            ];
            b.duty(11 + f, Some(skill), hours, (0.25, 0.45), tags);
        }
        // Separation of approving and supervising, field by field.
        b.conflict(3 + f, 11 + f);
    }
}

/// People: 22 at the front desk, 5 per approval team, 2-3 per supervision module.
fn staff(b: &mut Builder) {
    let pool = strings(&data::APPROVAL_SKILLS.map(|(id, _)| id));
    let mut homes = vec![0; 14];
    homes.extend([1; 4]);
    homes.extend([2; 4]);
    homes.extend((3..11).flat_map(|m| [m; 5]));
    homes.extend((11..19).flat_map(|m| [m; 2]));
    homes.extend([11, 17]);
    for home in homes {
        let mut main = b.module_skills[home].clone();
        if home < 3 {
            // Window staff know one field well enough to pre-check its files.
            data::APPROVAL_FIELDS[b.rng.below(8)]
                .2
                .clone_into(&mut main[1]);
        }
        let skills = staff_skills(&mut b.rng, &main, &pool);
        let mut prefs = vec![home];
        match home {
            0..=2 => prefs.extend((0..3).filter(|&m| m != home)),
            // Team members also staff the front desk or help the next field's team.
            3..=10 => prefs.extend([0, 3 + (home - 2) % 8]),
            _ => prefs.extend((11..19).filter(|&m| m != home)),
        }
        let unit = if home < 11 { "approval" } else { "supervision" };
        let today = b.rng.range(1, 2) as usize;
        b.person(unit, skills, prefs, today);
    }
}
