use std::collections::HashMap;

use super::{LineOut, Shard, ShardFile, Stamp, from_env, merge};
use crate::scenario::batch::Outcome;

fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |k| map.get(k).cloned()
}

#[test]
fn slurm_arrays_give_the_shard_from_their_first_task() {
    let one_to_four = [
        ("SLURM_ARRAY_TASK_ID", "3"),
        ("SLURM_ARRAY_TASK_COUNT", "4"),
        ("SLURM_ARRAY_TASK_MIN", "1"),
    ];
    let (shard, from) = from_env(env(&one_to_four), None).unwrap().unwrap();
    assert_eq!(shard, Shard { index: 2, count: 4 });
    assert_eq!(from, "SLURM_ARRAY_TASK_ID=3");
    // `--array=0-6:2`: tasks 0, 2, 4, 6.
    let stepped = [
        ("SLURM_ARRAY_TASK_ID", "6"),
        ("SLURM_ARRAY_TASK_COUNT", "4"),
        ("SLURM_ARRAY_TASK_MIN", "0"),
        ("SLURM_ARRAY_TASK_STEP", "2"),
    ];
    let (shard, _) = from_env(env(&stepped), Some(4)).unwrap().unwrap();
    assert_eq!(shard.label(), "4/4");
    // Without MIN (older Slurm), tasks count from 0.
    let bare = [
        ("SLURM_ARRAY_TASK_ID", "0"),
        ("SLURM_ARRAY_TASK_COUNT", "2"),
    ];
    assert_eq!(
        from_env(env(&bare), None).unwrap().unwrap().0.label(),
        "1/2"
    );
}

#[test]
fn slurm_values_that_do_not_fit_are_refused_by_name() {
    type Case<'a> = (&'a [(&'a str, &'a str)], Option<usize>, &'a str);
    let cases: [Case<'_>; 5] = [
        (
            &[("SLURM_ARRAY_TASK_ID", "2")],
            None,
            "SLURM_ARRAY_TASK_COUNT",
        ),
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "x"),
                ("SLURM_ARRAY_TASK_COUNT", "2"),
            ],
            None,
            "`SLURM_ARRAY_TASK_ID` is `x`",
        ),
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "5"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            None,
            "is not one of 4 tasks",
        ),
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "0"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
            ],
            None,
            "is not one of 4 tasks",
        ),
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "0"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            Some(3),
            "`--shards 3` disagrees",
        ),
    ];
    for (vars, shards, expected) in cases {
        let e = from_env(env(vars), shards).unwrap_err();
        assert!(e.contains(expected), "{vars:?}: {e}");
    }
}

#[test]
fn indexed_jobs_need_their_count() {
    let k8s = [("JOB_COMPLETION_INDEX", "0")];
    let e = from_env(env(&k8s), None).unwrap_err();
    assert!(e.contains("MODSTAFF_SHARDS"), "{e}");
    let (shard, from) = from_env(env(&k8s), Some(3)).unwrap().unwrap();
    assert_eq!(
        (shard.label(), from.as_str()),
        ("1/3".into(), "JOB_COMPLETION_INDEX=0")
    );
    let with_var = [("JOB_COMPLETION_INDEX", "2"), ("MODSTAFF_SHARDS", "3")];
    assert_eq!(
        from_env(env(&with_var), None).unwrap().unwrap().0.label(),
        "3/3"
    );
    let past = [("JOB_COMPLETION_INDEX", "3"), ("MODSTAFF_SHARDS", "3")];
    assert!(
        from_env(env(&past), None)
            .unwrap_err()
            .contains("not below")
    );
    assert_eq!(from_env(env(&[]), Some(3)).unwrap(), None);
}

fn stamp(shard: &str) -> Stamp {
    Stamp {
        instance: "tiny".into(),
        instance_hash: "00aa".into(),
        scenarios: "s.toml".into(),
        scenarios_hash: "00bb".into(),
        sweep: None,
        cases: 5,
        version: "0.1.0".into(),
        time_limit: 10.0,
        seed: 0,
        work_limit: None,
        shard: shard.into(),
        instance_path: None,
        scenarios_path: None,
    }
}

fn outcome(index: Option<usize>) -> Outcome {
    let name = index.map_or("baseline".to_owned(), |k| format!("s{k}"));
    serde_json::from_value(serde_json::json!({
        "index": index, "name": name, "status": "optimal", "gap": 0.0,
        "coverage": 3.0, "coverage_change": 0.0, "uncovered_by_weight": {},
        "unmet_counterparts": 0, "posts_changed": 1, "people_moved": 1, "seconds": 0.1
    }))
    .unwrap()
}

/// Shard `i` of `n` over 5 scenarios, as `whatif` writes it.
fn shard_file(i: usize, n: usize) -> ShardFile {
    let stamp = stamp(&format!("{}/{n}", i + 1));
    let mut text = String::new();
    let mut lines: Vec<Option<usize>> = if i == 0 { vec![None] } else { vec![] };
    lines.extend((0..5).filter(|k| k % n == i).map(Some));
    for index in lines {
        let o = outcome(index);
        let line = LineOut {
            outcome: &o,
            batch: &stamp,
            plan: None,
        };
        text.push_str(&serde_json::to_string(&line).unwrap());
        text.push('\n');
    }
    ShardFile {
        name: format!("shard-{}.jsonl", i + 1),
        text,
    }
}

#[test]
fn shards_merge_in_batch_order_in_any_file_order() {
    let files = [shard_file(2, 3), shard_file(0, 3), shard_file(1, 3)];
    let merged = merge(&files).unwrap();
    assert_eq!(merged.stamp.shard, "1/1");
    assert_eq!(merged.baseline.index, None);
    let order: Vec<Option<usize>> = merged.scenarios.iter().map(|o| o.index).collect();
    assert_eq!(order, (0..5).map(Some).collect::<Vec<_>>());
    // A merged batch is a batch of one shard: merging it again changes nothing.
    let mut text = String::new();
    for o in std::iter::once(&merged.baseline).chain(&merged.scenarios) {
        let line = LineOut {
            outcome: o,
            batch: &merged.stamp,
            plan: None,
        };
        text.push_str(&serde_json::to_string(&line).unwrap());
        text.push('\n');
    }
    let again = merge(&[ShardFile {
        name: "all.jsonl".into(),
        text,
    }])
    .unwrap();
    assert_eq!(again.scenarios.len(), 5);
}

#[test]
fn a_missing_shard_is_named_with_its_scenarios() {
    let e = merge(&[shard_file(0, 3), shard_file(2, 3)]).unwrap_err();
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("2 scenario(s) of shard 2/3 missing: 2, 5"),
        "{e:?}"
    );
    assert!(e[0].contains("--shard 2/3"), "{e:?}");
    let e = merge(&[shard_file(1, 3), shard_file(2, 3)]).unwrap_err();
    assert!(
        e.iter().any(|m| m.starts_with("the baseline is missing")),
        "{e:?}"
    );
}

#[test]
fn a_shard_cut_short_is_found() {
    let mut cut = shard_file(1, 2);
    let last = cut.text.trim_end().rfind('\n').unwrap();
    cut.text.truncate(last + 1);
    let e = merge(&[shard_file(0, 2), cut]).unwrap_err();
    assert_eq!(
        e,
        vec![
            "1 scenario(s) of shard 2/2 missing: 4 (hint: its file was not given, \
         or it failed or was stopped; run it again with `--shard 2/2`)"
                .to_owned()
        ]
    );
}

#[test]
fn doubled_scenarios_name_each_place() {
    let e = merge(&[shard_file(0, 2), shard_file(1, 2), shard_file(1, 2)]).unwrap_err();
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].starts_with(
            "scenario 2 (`s1`) appears 2 times: `shard-2.jsonl` line 1, `shard-2.jsonl` line 1"
        ),
        "{e:?}"
    );
}

#[test]
fn shards_of_another_batch_are_refused() {
    let mut other = shard_file(1, 2);
    other.text = other.text.replace("\"seed\":0", "\"seed\":7");
    other.name = "other.jsonl".into();
    let e = merge(&[shard_file(0, 2), other]).unwrap_err();
    assert_eq!(e.len(), 1, "one message per file: {e:?}");
    assert!(
        e[0].contains("`other.jsonl` line 1 is from another batch than `shard-1.jsonl` line 1: seed `7` (not `0`)"),
        "{e:?}"
    );
    let e = merge(&[shard_file(0, 2), shard_file(1, 3)]).unwrap_err();
    assert!(e[0].ends_with("number of shards `3` (not `2`)"), "{e:?}");
    let mut misfiled = shard_file(1, 3);
    misfiled.text = misfiled.text.replace("\"2/3\"", "\"2/2\"");
    let e = merge(&[shard_file(0, 2), misfiled]).unwrap_err();
    assert_eq!(
        e,
        vec!["`shard-2.jsonl` line 2: scenario 5 (`s4`) belongs to shard 1/2, not 2/2".to_owned()]
    );
}

#[test]
fn lines_that_are_not_batch_lines_are_named() {
    let bad = ShardFile {
        name: "notes.jsonl".into(),
        text: "{\"name\": \"x\"}\n".into(),
    };
    let e = merge(&[shard_file(0, 1), bad]).unwrap_err();
    assert!(
        e[0].starts_with("`notes.jsonl` line 1: not a line of `whatif --format jsonl`"),
        "{e:?}"
    );
    assert_eq!(
        merge(&[]).unwrap_err(),
        vec!["no line in any shard: nothing to merge".to_owned()]
    );
}

#[test]
fn figures_come_back_to_the_last_bit() {
    // serde_json without `float_roundtrip` reads 10.350000000000023 one unit in the last
    // place off, and a merged batch then differs from the unsharded run.
    let stamp = stamp("1/1");
    let mut text = String::new();
    for index in [None, Some(0), Some(1), Some(2), Some(3), Some(4)] {
        let mut o = outcome(index);
        o.coverage_change = 10.350_000_000_000_023;
        o.coverage = 1_579.600_000_000_000_1;
        o.seconds = 0.1 + 0.2;
        let line = LineOut {
            outcome: &o,
            batch: &stamp,
            plan: None,
        };
        text.push_str(&serde_json::to_string(&line).unwrap());
        text.push('\n');
    }
    let merged = merge(&[ShardFile {
        name: "all.jsonl".into(),
        text,
    }])
    .unwrap();
    for o in &merged.scenarios {
        assert_eq!(
            o.coverage_change.to_bits(),
            10.350_000_000_000_023_f64.to_bits()
        );
        assert_eq!(o.coverage.to_bits(), 1_579.600_000_000_000_1_f64.to_bits());
        assert_eq!(o.seconds.to_bits(), (0.1_f64 + 0.2).to_bits());
    }
}
