//! 4. Comprehensive Administrative Law Enforcement Bureau.

use std::collections::BTreeSet;

use modstaff::io::{RawDuty, RawInstance};

use crate::builder::{Builder, Finish, has_tag, rules};
use crate::data;
use crate::vocabulary::staff_skills;

pub fn enforcement() -> RawInstance {
    let mut b = Builder::new(
        "longgang-enforcement",
        0x4C47_0004,
        data::ENFORCEMENT_DESCRIPTION,
        rules(3, 2),
    );
    catalogues(&mut b);
    let plan = item_plan(&mut b);
    let zone_items = zone_items(&plan);
    zone_modules(&mut b, &zone_items);
    bureau_modules(&mut b);
    zone_duties(&mut b, &plan);
    bureau_duties(&mut b);
    let ids = domain_ids();
    zone_officers(&mut b, &zone_items, &ids);
    bureau_staff(&mut b, &ids);
    // Case review is kept apart from investigation: reviewers hold no zone and no squad post.
    for z in 0..27 {
        b.conflict(27, z);
    }
    b.conflict(27, 29);
    // First batch: environment, city and safety "stewards" (routine patrols and inspections).
    let patrol = |d: &RawDuty| {
        (has_tag(d, "kind:patrol") || has_tag(d, "kind:inspection")) && !has_tag(d, "statutory")
    };
    let batch1 = |d: &RawDuty| {
        patrol(d)
            && [
                "domain:ee-",
                "domain:hc-city",
                "domain:hc-green",
                "domain:em-safety",
            ]
            .iter()
            .any(|p| d.tags.iter().any(|t| t.starts_with(p)))
    };
    b.finish(&Finish {
        ratio: 1.2,
        unavailable: 12,
        transferable: 90,
        batch1: 50,
        is_batch1: &batch1,
        is_transferable: &patrol,
    })
}

/// Skills (one per domain, and legal review), units, counterparts.
fn catalogues(b: &mut Builder) {
    for (id, name, _, _) in data::DOMAINS {
        b.skill(id, name);
    }
    b.skill("legal", "Legal review & case audit");
    b.unit(
        "zones",
        "Comprehensive Law Enforcement Bureau (front-line zones)",
        425,
    );
    b.unit(
        "bureau",
        "Comprehensive Law Enforcement Bureau (bureau-level teams)",
        45,
    );
    for (i, name) in data::WZLE_DIVISIONS.iter().enumerate() {
        b.counterpart(
            format!("c-wzle-{:02}", i + 1),
            name,
            "Wenzhou Comprehensive Administrative Law Enforcement Bureau",
        );
    }
    for (code, dept) in data::DEPARTMENTS {
        b.counterpart(
            format!("c-{code}"),
            "Policy & regulations division",
            &format!("Wenzhou {dept} Bureau"),
        );
    }
    let items_total: i64 = data::DOMAINS.iter().map(|d| d.2).sum();
    assert_eq!(items_total, 3370, "enforcement items");
}

/// The duties to come, as (zone, domain, items), sorted by zone and domain.
fn item_plan(b: &mut Builder) -> Vec<(usize, usize, i64)> {
    // Plan the duties first: each domain's items go to the zones where the domain applies,
    // about 0.7 duties per item, every applicable zone getting at least one.
    let mut plan: Vec<(usize, usize, i64)> = Vec::new(); // (zone, domain, items)
    for (di, &(_, _, items, kinds)) in data::DOMAINS.iter().enumerate() {
        let mut zones: Vec<usize> = (0..27).filter(|&z| data::ZONES[z].1 & kinds != 0).collect();
        let k = ((items as f64 * 0.7).round() as usize).clamp(zones.len(), items as usize);
        let mut counts = vec![1_i64; k];
        for _ in 0..items as usize - k {
            counts[b.rng.below(k)] += 1;
        }
        b.rng.shuffle(&mut zones);
        for (j, n) in counts.into_iter().enumerate() {
            let z = if j < zones.len() {
                zones[j]
            } else {
                zones[b.rng.below(zones.len())]
            };
            plan.push((z, di, n));
        }
    }
    plan.sort_by_key(|&(z, d, _)| (z, d));
    plan
}

/// Items per zone and domain.
fn zone_items(plan: &[(usize, usize, i64)]) -> Vec<Vec<u32>> {
    let mut zone_items = vec![vec![0_u32; data::DOMAINS.len()]; 27];
    for &(z, d, n) in plan {
        zone_items[z][d] += n as u32;
    }
    zone_items
}

/// Front-line staff per zone: built-up 17, industrial 16, rural 13, coastal 14.
fn zone_staff(z: usize) -> i64 {
    match data::ZONES[z].1 {
        1 => 17,
        2 => 16,
        4 => 13,
        _ => 14,
    }
}

fn domain_ids() -> Vec<String> {
    data::DOMAINS.iter().map(|d| d.0.to_owned()).collect()
}

/// One module per zone (m01-m27).
fn zone_modules(b: &mut Builder, zone_items: &[Vec<u32>]) {
    for (z, &(name, _)) in data::ZONES.iter().enumerate() {
        // Each zone liaises with the regulator of its largest department.
        let mut by_dept = [0_u32; 9];
        for (d, &n) in zone_items[z].iter().enumerate() {
            by_dept[data::dept_of(d)] += n;
        }
        let top = (0..9)
            .max_by_key(|&i| by_dept[i])
            .expect("nine departments");
        let staff = zone_staff(z);
        let domains = (0..data::DOMAINS.len())
            .filter(|&d| zone_items[z][d] > 0)
            .map(|d| data::DOMAINS[d].0.to_owned())
            .collect();
        b.module(
            name,
            "zones",
            (staff * 6 / 10, staff + 6),
            vec![format!("c-{}", data::DEPARTMENTS[top].0)],
            domains,
        );
    }
}

/// The bureau-level teams (m28-m30).
fn bureau_modules(b: &mut Builder) {
    let central = [
        (
            "Legal review & case audit",
            (8, 16),
            vec!["c-wzle-03".to_owned(), "c-wzle-04".to_owned()],
        ),
        (
            "Command & dispatch centre",
            (5, 12),
            vec!["c-wzle-02".to_owned()],
        ),
        (
            "Major & cross-domain cases squad",
            (8, 22),
            vec!["c-wzle-01".to_owned()],
        ),
    ];
    for (name, staff, cps) in central {
        b.module(name, "bureau", staff, cps, Vec::new());
    }
    // Any department regulator no zone liaises with goes to the major cases squad.
    let listed: BTreeSet<String> = b
        .inst
        .modules
        .iter()
        .flat_map(|m| m.counterparts.clone())
        .collect();
    for (code, _) in data::DEPARTMENTS {
        if !listed.contains(&format!("c-{code}")) {
            b.inst.modules[29].counterparts.push(format!("c-{code}"));
        }
    }
}

fn zone_duties(b: &mut Builder, plan: &[(usize, usize, i64)]) {
    for &(z, d, n) in plan {
        let (skill, _, _, _) = data::DOMAINS[d];
        let kind =
            ["patrol", "inspection", "case-handling", "complaints"][b.rng.weighted(&[3, 3, 2, 2])];
        let class = if data::SEVERE.contains(&skill) {
            (0.35, 0.4)
        } else {
            (0.12, 0.35)
        };
        let tags = vec![
            format!("items:{n}"),
            format!("domain:{skill}"),
            format!("dept:{}", data::DEPARTMENTS[data::dept_of(d)].0),
            format!("kind:{kind}"),
        ];
        let hours = 2.0 + n as f64 * b.rng.range(2, 5) as f64;
        b.duty(z, Some(skill), hours, class, tags);
    }
}

fn bureau_duties(b: &mut Builder) {
    for _ in 0..16 {
        let hours = b.rng.range(12, 30) as f64;
        b.duty(
            27,
            Some("legal"),
            hours,
            (0.5, 0.3),
            vec!["kind:legal-review".to_owned()],
        );
    }
    for _ in 0..8 {
        let skill = [None, Some("hc-city")][b.rng.below(2)];
        let hours = b.rng.range(16, 36) as f64;
        b.duty(
            28,
            skill,
            hours,
            (0.2, 0.4),
            vec!["kind:dispatch".to_owned()],
        );
    }
    for _ in 0..20 {
        let skill = data::SEVERE[b.rng.below(data::SEVERE.len())];
        let hours = b.rng.range(12, 30) as f64;
        b.duty(
            29,
            Some(skill),
            hours,
            (0.6, 0.3),
            vec!["kind:major-case".to_owned(), format!("domain:{skill}")],
        );
    }
}

/// Front-line officers know 2-4 of their zone's domains, weighted by its items.
fn zone_officers(b: &mut Builder, zone_items: &[Vec<u32>], ids: &[String]) {
    for z in 0..27 {
        for _ in 0..zone_staff(z) {
            let mut main: Vec<String> = Vec::new();
            for _ in 0..b.rng.range(2, 4) {
                let k = ids[b.rng.weighted(&zone_items[z])].clone();
                if !main.contains(&k) {
                    main.push(k);
                }
            }
            let skills = staff_skills(&mut b.rng, &main, ids);
            // Backup posts: the neighbouring zones of the same kind.
            let kind = data::ZONES[z].1;
            let mut prefs = vec![z];
            prefs.extend(
                [z.wrapping_sub(1), z + 1]
                    .into_iter()
                    .filter(|&n| n < 27 && data::ZONES[n].1 == kind),
            );
            let today = [1, 2][b.rng.weighted(&[65, 35])];
            b.person("zones", skills, prefs, today);
        }
    }
}

fn bureau_staff(b: &mut Builder, ids: &[String]) {
    for (module, count) in [(27, 14), (28, 10), (29, 18)] {
        for _ in 0..count {
            let main = match module {
                27 => vec!["legal".to_owned(), ids[b.rng.below(ids.len())].clone()],
                28 => vec!["hc-city".to_owned(), ids[b.rng.below(ids.len())].clone()],
                _ => (0..3)
                    .map(|_| data::SEVERE[b.rng.below(data::SEVERE.len())].to_owned())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
            };
            let mut skills = staff_skills(&mut b.rng, &main, ids);
            if module == 29 {
                // The squad is made of senior investigators.
                for l in skills.values_mut() {
                    *l = (*l).max(3);
                }
            }
            let prefs = if module == 27 {
                vec![27]
            } else {
                vec![module, b.rng.below(27)]
            };
            let today = b.rng.range(1, 2) as usize;
            b.person("bureau", skills, prefs, today);
        }
    }
}
