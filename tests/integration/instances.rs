//! Every shipped instance validates clean (no errors, no warnings) and reproduces the sizes
//! its provenance note promises.

use modstaff::io::load_instance;

use crate::common::{json_files, path, stem};

#[test]
fn shipped_instances_validate_clean() {
    let files = json_files("instances");
    assert!(
        files.len() >= 5,
        "expected the five shipped instances, found {files:?}"
    );
    for file in files {
        let (inst, warnings) =
            load_instance(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(
            warnings.0.is_empty(),
            "{}: unexpected warnings:\n{warnings}",
            file.display()
        );
        assert_eq!(
            inst.name,
            stem(&file),
            "instance name matches its file name"
        );
        assert!(
            inst.description.as_deref().is_some_and(|d| d.len() > 40),
            "{}: a provenance note in `description`",
            file.display()
        );
    }
}

fn items(inst: &modstaff::model::Instance) -> u64 {
    inst.duties
        .iter()
        .flat_map(|d| &d.tags)
        .filter_map(|t| t.strip_prefix("items:"))
        .map(|n| n.parse::<u64>().expect("items:N"))
        .sum()
}

#[test]
fn longgang_sizes_match_the_report() {
    let load = |name: &str| {
        load_instance(&path(&format!("instances/{name}.json")))
            .expect(name)
            .0
    };
    let econ = load("longgang-econ");
    assert_eq!(econ.staff.len(), 48, "48 cadres");
    assert_eq!(econ.counterparts.len(), 97, "97 upstream divisions");
    let bureaus: std::collections::BTreeSet<_> = econ
        .counterparts
        .iter()
        .filter_map(|c| c.bureau.clone())
        .collect();
    assert_eq!(bureaus.len(), 8, "8 upstream bureaus");
    assert_eq!(econ.rules.max_liaisons, 3);
    assert!(
        econ.listed_counterparts().iter().all(|&l| l),
        "every division is mirrored"
    );

    let agri = load("longgang-agri");
    assert_eq!(agri.modules.len(), 27, "27 work modules");
    assert!(
        agri.staff.iter().all(|p| !p.current_posts.is_empty()),
        "everyone has today's posts"
    );

    let approval = load("longgang-approval");
    assert_eq!(items(&approval), 1129, "1,129 licensing items");
    assert!(
        !approval.rules.conflicts.is_empty(),
        "approval/supervision conflicts"
    );

    let enforcement = load("longgang-enforcement");
    assert_eq!(items(&enforcement), 3370, "3,370 enforcement items");
    let zones = enforcement
        .modules
        .iter()
        .filter(|m| m.name.starts_with("Zone "))
        .count();
    assert_eq!(zones, 27, "27 enforcement responsibility zones");
    assert!(
        enforcement.staff.len() >= 200 && enforcement.duties.len() >= 1000,
        "the large one"
    );

    for inst in [&econ, &agri, &approval, &enforcement] {
        let ratio = inst.total_hours() / inst.total_capacity();
        assert!(
            ratio > 1.0,
            "{}: few people, many tasks (demand/supply {ratio:.2})",
            inst.name
        );
        assert!(
            inst.duties.iter().any(|d| !d.splittable),
            "{}: non-splittable duties",
            inst.name
        );
    }
}

#[test]
fn tiny_instance_is_as_the_readme_says() {
    let (tiny, _) = load_instance(&path("instances/tiny.json")).expect("tiny");
    assert_eq!(
        (tiny.staff.len(), tiny.modules.len(), tiny.duties.len()),
        (3, 3, 5)
    );
    assert!((tiny.total_hours() - 102.0).abs() < 1e-9);
    assert!((tiny.total_capacity() - 100.0).abs() < 1e-9);
}
