//! What-if scenario files (`modstaff::scenario`): each operation on `instances/tiny.json` with
//! exact results, order of operations, seeded sampling, the shipped scenario files, and precise
//! errors for bad files.

use modstaff::io::{Diagnostics, LoadError, load_instance};
use modstaff::model::Instance;
use modstaff::scenario::{
    DutyFilter, NewStaff, Operation, Scenario, StaffFilter, load_scenarios, parse_scenarios,
};

use crate::common::{path, root};

fn tiny() -> Instance {
    load_instance(&path("instances/tiny.json"))
        .expect("tiny.json loads")
        .0
}

/// Parses `text` against tiny.json and applies its only scenario.
fn apply_one(text: &str) -> Instance {
    let base = tiny();
    let scenarios = parse_scenarios(text, "test.toml", &base)
        .unwrap_or_else(|e| panic!("scenario parses:\n{e}"));
    assert_eq!(scenarios.len(), 1);
    let inst = scenarios[0]
        .apply(&base)
        .unwrap_or_else(|e| panic!("scenario applies:\n{e}"));
    assert_eq!(inst.name, "tiny", "the instance keeps the baseline's name");
    inst
}

/// The errors of `text` against tiny.json, one per line.
fn errors(text: &str) -> String {
    parse_scenarios(text, "test.toml", &tiny())
        .expect_err("the scenario file is rejected")
        .to_string()
}

fn staff_ids(inst: &Instance) -> Vec<&str> {
    inst.staff.iter().map(|p| p.id.as_str()).collect()
}

fn duty_ids(inst: &Instance) -> Vec<&str> {
    inst.duties.iter().map(|d| d.id.as_str()).collect()
}

fn module_ids(inst: &Instance) -> Vec<&str> {
    inst.modules.iter().map(|m| m.id.as_str()).collect()
}

fn person<'a>(inst: &'a Instance, id: &str) -> &'a modstaff::model::Staff {
    inst.person(inst.ids.staff[id])
}

fn hours(inst: &Instance) -> Vec<(&str, f64)> {
    inst.duties
        .iter()
        .map(|d| (d.id.as_str(), d.hours))
        .collect()
}

fn conflicts(inst: &Instance) -> Vec<(&str, &str)> {
    inst.rules
        .conflicts
        .iter()
        .map(|&(a, b)| (inst.module(a).id.as_str(), inst.module(b).id.as_str()))
        .collect()
}

// --- each operation ----------------------------------------------------------------------

#[test]
fn remove_staff_by_ids_removes_only_them() {
    let inst = apply_one(
        r#"
[[scenario]]
name = "Bo leaves"
remove_staff = { ids = ["bo"] }
"#,
    );
    assert_eq!(staff_ids(&inst), ["ann", "cai"]);
    assert_eq!(module_ids(&inst), ["policy", "funds", "field"]);
    assert_eq!(duty_ids(&inst), ["d1", "d2", "d3", "d4", "d5"]);
}

#[test]
fn remove_staff_by_unit_skill_and_both() {
    let by = |filter: &str| {
        staff_ids(&apply_one(&format!(
            "[[scenario]]\nname = \"x\"\nremove_staff = {{ {filter} }}\n"
        )))
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>()
    };
    // The unit is the person's own `unit`.
    assert_eq!(by(r#"unit = "bureau""#), ["cai"]);
    assert_eq!(by(r#"unit = "field-team""#), ["ann", "bo"]);
    // Everyone with the skill, at any level.
    assert_eq!(by(r#"skill = "field""#), ["ann"]);
    assert_eq!(by(r#"skill = "policy""#), ["bo"]);
    // Both: people of the unit who have the skill.
    assert_eq!(by(r#"unit = "bureau", skill = "field""#), ["ann", "cai"]);
    assert_eq!(by(r#"unit = "bureau", skill = "finance""#), ["cai"]);
}

#[test]
fn remove_staff_fraction_rounds_and_is_deterministic() {
    let removed = |fraction: f64, seed: u64| {
        let inst = apply_one(&format!(
            "[[scenario]]\nname = \"x\"\nremove_staff = {{ fraction = {fraction:?}, seed = {seed} }}\n"
        ));
        ["ann", "bo", "cai"]
            .into_iter()
            .filter(|id| !inst.ids.staff.contains_key(*id))
            .collect::<Vec<_>>()
    };
    // round(f * 3): 0.1 -> 0, 0.2 -> 1 (0.6), 0.5 -> 2 (1.5 rounds away from zero), 1 -> 3.
    assert_eq!(removed(0.1, 1).len(), 0);
    assert_eq!(removed(0.2, 1).len(), 1);
    assert_eq!(removed(0.5, 1).len(), 2);
    assert_eq!(removed(1.0, 1), ["ann", "bo", "cai"]);
    assert_eq!(removed(0.0, 1).len(), 0);
    // The same seed always picks the same people; different seeds pick different ones.
    for seed in 0..10 {
        assert_eq!(removed(0.2, seed), removed(0.2, seed));
    }
    let picks: std::collections::BTreeSet<Vec<&str>> = (0..30).map(|s| removed(0.2, s)).collect();
    assert_eq!(
        picks.len(),
        3,
        "every person is picked by some seed: {picks:?}"
    );
}

#[test]
fn remove_staff_fraction_samples_among_the_selection() {
    let base = tiny();
    for seed in 0..20 {
        let s = Scenario {
            name: "half the bureau".into(),
            operations: vec![Operation::RemoveStaff {
                who: StaffFilter {
                    unit: Some("bureau".into()),
                    ..StaffFilter::default()
                },
                fraction: Some(0.5),
                seed,
            }],
        };
        let inst = s.apply(&base).expect("applies");
        // round(0.5 * 2) = 1 of ann and bo; cai (field-team) always stays.
        assert_eq!(inst.staff.len(), 2);
        assert!(inst.ids.staff.contains_key("cai"));
        assert_eq!(s.apply(&base).expect("applies"), inst, "deterministic");
    }
}

#[test]
fn remove_staff_seed_defaults_to_zero() {
    let a = apply_one("[[scenario]]\nname = \"x\"\nremove_staff = { fraction = 0.4 }\n");
    let b = apply_one("[[scenario]]\nname = \"x\"\nremove_staff = { fraction = 0.4, seed = 0 }\n");
    assert_eq!(a, b);
}

#[test]
fn add_staff_with_count_gets_numbered_ids_and_names() {
    let inst = apply_one(
        r#"
[[scenario]]
name = "hire 2 field officers"
add_staff = [{ id = "new-field", count = 2, capacity = 30, skills = { field = 3, policy = 1 }, unit = "field-team", name = "Field officer", max_posts = 1 }]
"#,
    );
    assert_eq!(
        staff_ids(&inst),
        ["ann", "bo", "cai", "new-field-1", "new-field-2"]
    );
    for (i, id) in ["new-field-1", "new-field-2"].into_iter().enumerate() {
        let p = person(&inst, id);
        assert_eq!(p.name, format!("Field officer {}", i + 1));
        assert_eq!(p.capacity, 30.0);
        assert_eq!(p.level(inst.ids.skills["field"]), 3);
        assert_eq!(p.level(inst.ids.skills["policy"]), 1);
        assert_eq!(p.level(inst.ids.skills["finance"]), 0);
        assert_eq!(p.unit, Some(inst.ids.units["field-team"]));
        assert_eq!(p.max_posts, 1);
        assert_eq!(p.max_liaisons, 2, "the instance's rule");
        assert!(p.current_posts.is_empty());
        assert!(p.unavailable.is_empty());
    }
}

#[test]
fn add_staff_defaults() {
    let inst = apply_one("[[scenario]]\nname = \"x\"\nadd_staff = { id = \"dan\" }\n");
    let p = person(&inst, "dan");
    assert_eq!(p.name, "dan");
    assert_eq!(p.capacity, 40.0);
    assert!(p.skills.is_empty());
    assert_eq!(p.unit, None);
    assert_eq!((p.max_posts, p.max_liaisons), (2, 2));
}

#[test]
fn scale_capacity_by_unit_ids_and_everyone() {
    let caps = |inst: &Instance| inst.staff.iter().map(|p| p.capacity).collect::<Vec<_>>();
    let inst = apply_one(
        "[[scenario]]\nname = \"x\"\nscale_capacity = { factor = 0.5, unit = \"bureau\" }\n",
    );
    assert_eq!(caps(&inst), [20.0, 20.0, 20.0]);
    let inst = apply_one(
        "[[scenario]]\nname = \"x\"\nscale_capacity = { factor = 1.5, ids = [\"cai\"] }\n",
    );
    assert_eq!(caps(&inst), [40.0, 40.0, 30.0]);
    let inst = apply_one("[[scenario]]\nname = \"x\"\nscale_capacity = { factor = 0.75 }\n");
    assert_eq!(caps(&inst), [30.0, 30.0, 15.0]);
}

#[test]
fn drop_duties_by_tag_ids_modules_and_limit() {
    let inst =
        apply_one("[[scenario]]\nname = \"x\"\ndrop_duties = { tags = [\"transferable\"] }\n");
    assert_eq!(duty_ids(&inst), ["d1", "d2", "d3", "d4"]);
    assert_eq!(
        module_ids(&inst),
        ["policy", "funds", "field"],
        "modules stay"
    );
    assert!(inst.module(inst.ids.modules["field"]).duties.is_empty());

    let inst = apply_one("[[scenario]]\nname = \"x\"\ndrop_duties = { ids = [\"d4\", \"d2\"] }\n");
    assert_eq!(duty_ids(&inst), ["d1", "d3", "d5"]);

    let inst = apply_one(
        "[[scenario]]\nname = \"x\"\ndrop_duties = { modules = [\"funds\", \"policy\"], limit = 3 }\n",
    );
    assert_eq!(
        duty_ids(&inst),
        ["d4", "d5"],
        "the first 3 matching, in instance order"
    );
}

#[test]
fn scale_hours_by_module_tag_ids_and_all() {
    let inst = apply_one(
        "[[scenario]]\nname = \"x\"\nscale_hours = { factor = 1.5, modules = [\"policy\"] }\n",
    );
    assert_eq!(
        hours(&inst),
        [
            ("d1", 30.0),
            ("d2", 15.0),
            ("d3", 24.0),
            ("d4", 8.0),
            ("d5", 40.0)
        ]
    );
    let inst = apply_one(
        "[[scenario]]\nname = \"x\"\nscale_hours = { factor = 0.25, tags = [\"transferable\"] }\n",
    );
    assert_eq!(inst.duty(inst.ids.duties["d5"]).hours, 10.0);
    assert_eq!(inst.total_hours(), 72.0);
    let inst =
        apply_one("[[scenario]]\nname = \"x\"\nscale_hours = { factor = 2, ids = [\"d3\"] }\n");
    assert_eq!(inst.duty(inst.ids.duties["d3"]).hours, 48.0);
    assert_eq!(inst.total_hours(), 126.0);
    let inst = apply_one("[[scenario]]\nname = \"x\"\nscale_hours = { factor = 1.5 }\n");
    assert_eq!(inst.total_hours(), 153.0);
}

#[test]
fn remove_modules_removes_every_reference() {
    let inst = apply_one("[[scenario]]\nname = \"x\"\nremove_modules = [\"funds\"]\n");
    assert_eq!(module_ids(&inst), ["policy", "field"]);
    assert_eq!(duty_ids(&inst), ["d1", "d2", "d5"]);
    assert!(
        person(&inst, "bo").current_posts.is_empty(),
        "bo's post in funds"
    );
    assert!(
        person(&inst, "cai").unavailable.is_empty(),
        "cai's unavailable funds"
    );
    assert_eq!(
        person(&inst, "cai").current_posts,
        [inst.ids.modules["field"]]
    );
    assert!(conflicts(&inst).is_empty(), "the funds-field conflict");
    assert_eq!(staff_ids(&inst), ["ann", "bo", "cai"], "nobody leaves");
    assert_eq!(
        inst.counterparts.len(),
        4,
        "counterparts stay (now unlisted)"
    );
}

#[test]
fn set_module_changes_bounds() {
    let inst = apply_one(
        "[[scenario]]\nname = \"x\"\nset_module = { id = \"field\", min_staff = 2, max_staff = 3 }\n",
    );
    let m = inst.module(inst.ids.modules["field"]);
    assert_eq!((m.min_staff, m.max_staff), (2, Some(3)));
    // A list of changes; fields left out are unchanged.
    let inst = apply_one(
        "[[scenario]]\nname = \"x\"\nset_module = [{ id = \"funds\", max_staff = 2 }, { id = \"policy\", min_staff = 0 }]\n",
    );
    let funds = inst.module(inst.ids.modules["funds"]);
    assert_eq!((funds.min_staff, funds.max_staff), (0, Some(2)));
    let policy = inst.module(inst.ids.modules["policy"]);
    assert_eq!((policy.min_staff, policy.max_staff), (0, None));
}

#[test]
fn rules_cap_every_persons_own_value() {
    let inst = apply_one(
        "[[scenario]]\nname = \"x\"\nrules = { max_posts = 1, liaison_weight = 3, min_staff_weight = 0 }\n",
    );
    assert_eq!(inst.rules.max_posts, 1);
    assert_eq!(inst.rules.liaison_weight, 3.0);
    assert_eq!(inst.rules.min_staff_weight, 0.0);
    assert!(inst.staff.iter().all(|p| p.max_posts == 1));
    // Raising a rule: people on the default follow it, an own lower value (ann's 1) stays.
    let inst = apply_one("[[scenario]]\nname = \"x\"\nrules = { max_liaisons = 3 }\n");
    assert_eq!(inst.rules.max_liaisons, 3);
    let liaisons: Vec<u32> = inst.staff.iter().map(|p| p.max_liaisons).collect();
    assert_eq!(liaisons, [1, 3, 3]);
}

#[test]
fn conflicts_are_added_once() {
    let inst = apply_one(
        "[[scenario]]\nname = \"x\"\nconflicts = [[\"policy\", \"field\"], [\"field\", \"funds\"]]\n",
    );
    assert_eq!(conflicts(&inst), [("funds", "field"), ("policy", "field")]);
}

fn pins(inst: &Instance, id: &str) -> Vec<String> {
    person(inst, id)
        .fixed_posts
        .iter()
        .map(|&m| inst.module(m).id.clone())
        .collect()
}

#[test]
fn pin_and_unpin_edit_fixed_posts() {
    // One table or a list; a pin given twice is kept once.
    let inst = apply_one(
        r#"
[[scenario]]
name = "pins"
pin = [
  { person = "ann", module = "funds" },
  { person = "cai", module = "field" },
  { person = "ann", module = "policy" },
  { person = "ann", module = "funds" },
]
"#,
    );
    assert_eq!(pins(&inst, "ann"), ["policy", "funds"]);
    assert_eq!(pins(&inst, "cai"), ["field"]);
    assert!(pins(&inst, "bo").is_empty());
    // One pin off, then all of a person's.
    let inst = apply_one(
        r#"
[[scenario]]
name = "unpins"
pin = [{ person = "ann", module = "funds" }, { person = "ann", module = "policy" }, { person = "cai", module = "field" }]
unpin = [{ person = "ann", module = "funds" }, { person = "cai" }]
"#,
    );
    assert_eq!(pins(&inst, "ann"), ["policy"]);
    assert!(pins(&inst, "cai").is_empty());
    // A hire can be pinned once hired; a removed module takes its pins with it.
    let inst = apply_one(
        r#"
[[scenario]]
name = "hire and pin"
add_staff = { id = "dan", skills = { field = 2 } }
pin = [{ person = "dan", module = "field" }, { person = "bo", module = "funds" }]
remove_modules = ["funds"]
"#,
    );
    assert_eq!(pins(&inst, "dan"), ["field"]);
    assert!(pins(&inst, "bo").is_empty());
}

/// Pins that cannot hold are reported at the operation that broke them, with its line: the
/// second of two conflicting pins, or a later `rules` that lowers the posts cap below them.
#[test]
fn pins_that_cannot_hold_point_at_the_operation_that_broke_them() {
    let text = r#"[[scenario]]
name = "conflict"
pin = [
  { person = "bo", module = "funds" },
  { person = "bo", module = "field" },
]

[[scenario]]
name = "cap"
pin = [{ person = "bo", module = "funds" }, { person = "bo", module = "policy" }]
rules = { max_posts = 1 }

[[scenario]]
name = "unavailable"
pin = { person = "cai", module = "funds" }
"#;
    let err = parse_scenarios(text, "s.toml", &tiny()).expect_err("rejected");
    let found: Vec<(String, Option<usize>, String)> = err
        .0
        .iter()
        .map(|d| (d.path.clone(), d.line, d.message.clone()))
        .collect();
    assert_eq!(
        found,
        [
            (
                r#"scenario[0] ("conflict").pin[1]"#.to_owned(),
                Some(5),
                "the scenario makes the instance invalid: staff[1].fixed_posts[1]: `bo` is \
                 pinned to `funds` and `field`, which conflict"
                    .to_owned()
            ),
            (
                r#"scenario[1] ("cap").rules"#.to_owned(),
                Some(11),
                "the scenario makes the instance invalid: staff[1].fixed_posts: `bo` has 2 \
                 pinned posts (`policy`, `funds`) but may hold at most 1"
                    .to_owned()
            ),
            (
                r#"scenario[2] ("unavailable").pin"#.to_owned(),
                Some(15),
                "the scenario makes the instance invalid: staff[2].fixed_posts[0]: `cai` is \
                 pinned to `funds` but unavailable for it"
                    .to_owned()
            ),
        ]
    );
}

#[test]
fn pin_and_unpin_name_what_they_cannot_find() {
    let text = r#"[[scenario]]
name = "typos"
pin = { person = "anne", module = "fund" }
unpin = [{ person = "bo", module = "funds" }, { person = "cai" }]

[[scenario]]
name = "gone"
remove_staff = { ids = ["bo"] }
pin = { person = "bo", module = "policy" }

[[scenario]]
name = "fields"
pin = { person = "ann", modul = "funds" }
"#;
    let err = parse_scenarios(text, "s.toml", &tiny()).expect_err("rejected");
    let found: Vec<(&str, Option<usize>, &str, Option<&str>)> = err
        .0
        .iter()
        .map(|d| {
            (
                d.path.as_str(),
                d.line,
                d.message.as_str(),
                d.hint.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                r#"scenario[0] ("typos").pin.person"#,
                Some(3),
                "unknown person `anne`",
                Some("did you mean `ann`?")
            ),
            (
                r#"scenario[0] ("typos").pin.module"#,
                Some(3),
                "unknown module `fund`",
                Some("did you mean `funds`?")
            ),
            (
                r#"scenario[0] ("typos").unpin[0].module"#,
                Some(4),
                "`bo` is not pinned to `funds`",
                Some("`bo` has no pins")
            ),
            (
                r#"scenario[0] ("typos").unpin[1].person"#,
                Some(4),
                "`cai` has no pins to remove",
                Some("pins are the person's `fixed_posts`")
            ),
            (
                r#"scenario[1] ("gone").pin.person"#,
                Some(9),
                "person `bo` no longer exists: `remove_staff` removed it earlier in this scenario",
                Some("operations apply in the order they are written")
            ),
            (
                r#"scenario[2] ("fields").pin"#,
                Some(13),
                "missing field `module`",
                Some("name the module of the post to keep, e.g. `module = \"m03\"`")
            ),
            (
                r#"scenario[2] ("fields").pin.modul"#,
                Some(13),
                "unknown field `modul` in `pin`",
                Some("did you mean `module`?")
            ),
        ]
    );
}

// --- order, batches, code-built scenarios -------------------------------------------------

#[test]
fn operations_apply_in_the_order_written() {
    // Hiring before removing everyone with `field` removes the hire too ...
    let inst = apply_one(
        r#"
[[scenario]]
name = "hire, then cut"
add_staff = { id = "dan", skills = { field = 1 } }
remove_staff = { skill = "field" }
"#,
    );
    assert_eq!(staff_ids(&inst), ["ann"]);
    // ... removing first keeps it.
    let inst = apply_one(
        r#"
[[scenario]]
name = "cut, then hire"
remove_staff = { skill = "field" }
add_staff = { id = "dan", skills = { field = 1 } }
"#,
    );
    assert_eq!(staff_ids(&inst), ["ann", "dan"]);
    // Scaling then dropping by limit, and a list of tables applies in array order.
    let inst = apply_one(
        r#"
[[scenario]]
name = "order"
scale_hours = [{ factor = 2, modules = ["policy"] }, { factor = 0.5 }]
drop_duties = { modules = ["policy", "funds"], limit = 1 }
"#,
    );
    assert_eq!(
        hours(&inst),
        [("d2", 10.0), ("d3", 12.0), ("d4", 4.0), ("d5", 20.0)]
    );
}

#[test]
fn scenario_table_keys_and_headers_mix() {
    let base = tiny();
    let scenarios = parse_scenarios(
        r#"
[[scenario]]
name = "a"
remove_modules = ["field"]

[[scenario.set_module]]
id = "funds"
max_staff = 3

[[scenario.set_module]]
id = "policy"
max_staff = 4

[[scenario]]
name = "b"
rules.max_posts = 1
"#,
        "test.toml",
        &base,
    )
    .expect("parses");
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    let keys: Vec<&str> = scenarios[0].operations.iter().map(Operation::key).collect();
    assert_eq!(keys, ["remove_modules", "set_module", "set_module"]);
    let inst = scenarios[0].apply(&base).expect("applies");
    assert_eq!(module_ids(&inst), ["policy", "funds"]);
    assert_eq!(inst.module(inst.ids.modules["policy"]).max_staff, Some(4));
    assert_eq!(
        scenarios[1].apply(&base).expect("applies").rules.max_posts,
        1
    );
}

#[test]
fn code_built_scenarios_are_checked_too() {
    let base = tiny();
    let s = Scenario {
        name: "built".into(),
        operations: vec![
            Operation::AddStaff(NewStaff::new("ann")),
            Operation::ScaleHours {
                factor: f64::NAN,
                which: DutyFilter::default(),
            },
        ],
    };
    let err = s.apply(&base).expect_err("rejected");
    insta::assert_snapshot!("scenario-code-built", err.to_string());
    // apply_validated also returns the warnings of the edited instance.
    let s = Scenario {
        name: "nobody inspects".into(),
        operations: vec![Operation::RemoveStaff {
            who: StaffFilter {
                skill: Some("field".into()),
                ..StaffFilter::default()
            },
            fraction: None,
            seed: 0,
        }],
    };
    let (inst, warnings) = s.apply_validated(&base).expect("applies");
    assert_eq!(staff_ids(&inst), ["ann"]);
    assert!(
        warnings
            .0
            .iter()
            .any(|w| w.message.contains("nobody can do duty `d5`")),
        "{warnings}"
    );
}

// --- shipped scenario files ----------------------------------------------------------------

fn toml_files(dir: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(path(dir))
        .expect("folder exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn shipped_scenario_files_load_and_apply() {
    let files = toml_files("instances/scenarios");
    let stems: Vec<String> = files.iter().map(|p| crate::common::stem(p)).collect();
    assert!(
        ["agri", "approval", "econ"]
            .iter()
            .all(|s| stems.iter().any(|t| t == s)),
        "{stems:?}"
    );
    for file in files {
        let stem = crate::common::stem(&file);
        let instance = path(&format!("instances/longgang-{stem}.json"));
        let (base, _) = load_instance(&instance).expect("the instance loads");
        let scenarios = load_scenarios(&file, &base).unwrap_or_else(|e| match e {
            LoadError::Invalid { diagnostics, .. } => panic!("{}:\n{diagnostics}", file.display()),
            e => panic!("{e}"),
        });
        assert!(!scenarios.is_empty());
        for s in &scenarios {
            let inst = s
                .apply(&base)
                .unwrap_or_else(|e| panic!("{}: `{}`:\n{e}", file.display(), s.name));
            assert_eq!(inst.name, base.name);
            assert_ne!(inst, base, "`{}` changes something", s.name);
        }
    }
}

#[test]
fn shipped_scenarios_ask_the_reports_questions() {
    let (agri, _) = load_instance(&path("instances/longgang-agri.json")).expect("loads");
    let scenarios = load_scenarios(&path("instances/scenarios/agri.toml"), &agri).expect("loads");
    let find = |name: &str| {
        scenarios
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("scenario `{name}`"))
            .apply(&agri)
            .expect("applies")
    };
    let transfer = find("transfer first batch (16 of the 76 functions)");
    assert_eq!(agri.duties.len() - transfer.duties.len(), 16);
    assert_eq!(find("two retirements").staff.len(), agri.staff.len() - 2);
    let cap = find("posts cap 3 -> 2");
    assert_eq!(cap.rules.max_posts, 2);
    assert!(cap.staff.iter().all(|p| p.max_posts <= 2));
    let hires = scenarios
        .iter()
        .filter(|s| s.name.starts_with("hire 1 "))
        .count();
    assert_eq!(hires, agri.skills.len(), "one hire per skill");

    let (approval, _) = load_instance(&path("instances/longgang-approval.json")).expect("loads");
    let scenarios =
        load_scenarios(&path("instances/scenarios/approval.toml"), &approval).expect("loads");
    let cut = scenarios[0].apply(&approval).expect("applies");
    let in_unit = |inst: &Instance| {
        let u = inst.ids.units["approval"];
        inst.staff.iter().filter(|p| p.unit == Some(u)).count()
    };
    assert_eq!(in_unit(&approval), 62);
    assert_eq!(in_unit(&cut), 62 - 12, "round(0.2 * 62) = 12 leave");
    assert_eq!(cut.staff.len(), approval.staff.len() - 12);
}

// --- bad files -----------------------------------------------------------------------------

/// Each bad fixture's errors, as `validate` would print them, with the repository path removed.
#[test]
fn bad_scenario_files_give_precise_errors() {
    let base = tiny();
    let files = toml_files("tests/fixtures/scenarios");
    assert!(files.len() >= 9);
    let root = format!("{}/", root().display());
    for file in files {
        let stem = crate::common::stem(&file);
        assert!(stem.starts_with("bad-"), "{stem}");
        let diagnostics: Diagnostics = match load_scenarios(&file, &base) {
            Err(LoadError::Invalid { diagnostics, .. }) => diagnostics,
            Err(e) => panic!("{stem}: {e}"),
            Ok(_) => panic!("{stem} is accepted"),
        };
        assert!(
            diagnostics
                .0
                .iter()
                .all(|d| d.line.is_some() && d.column.is_some())
        );
        insta::assert_snapshot!(
            format!("scenario-{stem}"),
            diagnostics.to_string().replace(&root, "")
        );
    }
}

#[test]
fn unknown_references_name_the_scenario_and_field() {
    let text = r#"
[[scenario]]
name = "ok"
remove_staff = { ids = ["ann"] }

[[scenario]]
name = "two retirements"
remove_staff = { ids = ["ann", "bob"] }
"#;
    let err = parse_scenarios(text, "s.toml", &tiny()).expect_err("rejected");
    assert_eq!(err.0.len(), 1);
    let d = &err.0[0];
    assert_eq!(d.file, "s.toml");
    assert_eq!(
        d.path,
        r#"scenario[1] ("two retirements").remove_staff.ids[1]"#
    );
    assert_eq!((d.line, d.column), (Some(8), Some(32)));
    assert_eq!(d.message, "unknown person `bob`");
    assert_eq!(d.hint.as_deref(), Some("did you mean `bo`?"));
}

#[test]
fn more_errors() {
    insta::assert_snapshot!(
        "scenario-more-errors",
        [
            // Selectors that select nothing, or too little.
            "[[scenario]]\nname = \"a\"\nremove_staff = { unit = \"field-team\", skill = \"finance\" }\n",
            "[[scenario]]\nname = \"a\"\ndrop_duties = { tags = [\"transferable\"], limit = 2 }\n",
            "[[scenario]]\nname = \"a\"\ndrop_duties = { modules = [\"policy\"], tags = [\"transferable\"] }\n",
            "[[scenario]]\nname = \"a\"\nremove_staff = { ids = [\"bo\"], unit = \"bureau\" }\n",
            "[[scenario]]\nname = \"a\"\nremove_staff = { seed = 3 }\n",
            "[[scenario]]\nname = \"a\"\ndrop_duties = { limit = 1 }\n",
            // Removed earlier in the same scenario.
            "[[scenario]]\nname = \"a\"\nremove_staff = { ids = [\"bo\"] }\nscale_capacity = { factor = 2, ids = [\"bo\"] }\n",
            "[[scenario]]\nname = \"a\"\nremove_modules = [\"funds\"]\ndrop_duties = { ids = [\"d3\"] }\n",
            // Bounds and values.
            "[[scenario]]\nname = \"a\"\nset_module = { id = \"funds\", min_staff = 2 }\n",
            "[[scenario]]\nname = \"a\"\nset_module = { id = \"funds\" }\n",
            "[[scenario]]\nname = \"a\"\nrules = { liaison_weight = -1 }\n",
            "[[scenario]]\nname = \"a\"\nadd_staff = { id = \"x\", count = 0, skills = { field = \"high\" } }\n",
            "[[scenario]]\nname = \"a\"\nadd_staff = { id = \"cai\", count = 2 }\nadd_staff = { id = \"cai-2\" }\n",
            "[[scenario]]\nname = \"a\"\nadd_staff = [{ id = \"cai-2\" }, { id = \"cai\", count = 2 }]\n",
            "[[scenario]]\nname = \"a\"\nremove_modules = []\n",
            // Structure.
            "[[scenario]]\nname = \"a\"\n",
            "[scenario]\nname = \"a\"\n",
            "# nothing\n",
            "scenarios = []\n",
            "[[scenario]]\nremove_staff = { ids = [\"bo\"] }\n",
            "[[scenario]]\nname = 3\nremove_staff = \"bo\"\n",
        ]
        .map(|text| format!("{}{}", text, errors(text)))
        .join("\n")
    );
}
