//! What-if batches as array jobs: the shard from the scheduler's environment, and
//! `whatif merge` giving back what one unsharded run gives, or naming what is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Run, path, root};

/// Runs `modstaff ARGS` in the repository root with these environment variables (and none of
/// the schedulers' from the test's own environment).
pub(crate) fn with_env(args: &[&str], vars: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_modstaff"));
    cmd.args(args).current_dir(root());
    for k in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_STEP",
        "JOB_COMPLETION_INDEX",
        "MODSTAFF_SHARDS",
    ] {
        cmd.env_remove(k);
    }
    cmd.envs(vars.iter().copied());
    let out = cmd.output().expect("the modstaff binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fresh folder under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/test-scratch/shards").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// The batch: agri's shipped scenarios, deterministic through the work limit.
const BATCH: [&str; 8] = [
    "whatif",
    "instances/longgang-agri.json",
    "instances/scenarios/agri.toml",
    "--work-limit",
    "300",
    "-t",
    "120",
    "-q",
];

fn batch_with(extra: &[&str]) -> Vec<String> {
    BATCH.iter().chain(extra).map(|s| (*s).to_owned()).collect()
}

fn run_batch(extra: &[&str], vars: &[(&str, &str)]) -> Run {
    let args = batch_with(extra);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    with_env(&args, vars)
}

/// Every figure of every row but the seconds and the stamp's shard.
pub(crate) fn rows(jsonl: &str) -> Vec<serde_json::Value> {
    jsonl
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            let o = v.as_object_mut().expect("an object");
            o.remove("seconds");
            if let Some(plan) = o.get_mut("plan").and_then(|p| p.get_mut("solver")) {
                plan.as_object_mut().expect("solver").remove("seconds");
            }
            o.get_mut("batch")
                .and_then(|b| b.as_object_mut())
                .expect("every line has its stamp")
                .remove("shard");
            v
        })
        .collect()
}

/// The lines as text, with the seconds and the shard blanked: the merge must write back the
/// very figures each shard wrote (a JSON parser that rounds would pass [`rows`] on both sides).
fn texts(jsonl: &str) -> Vec<String> {
    jsonl
        .lines()
        .map(|l| {
            let mut out = String::new();
            let mut rest = l;
            while let Some(at) = rest.find("\"seconds\":") {
                out.push_str(&rest[..at]);
                rest = &rest[at..];
                let end = rest.find([',', '}']).unwrap_or(rest.len());
                rest = &rest[end..];
            }
            out.push_str(rest);
            match out.find("\"shard\":\"") {
                Some(at) => {
                    let end = at + 9 + out[at + 9..].find('"').expect("closing quote") + 1;
                    format!("{}{}", &out[..at], &out[end..])
                }
                None => out,
            }
        })
        .collect()
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn slurm_array_tasks_merge_to_the_unsharded_run() {
    let dir = scratch("slurm");
    let whole = run_batch(&["-f", "jsonl"], &[]);
    assert_eq!(whole.code, 0, "{}", whole.snapshot());
    let mut shards = Vec::new();
    // `sbatch --array=1-4`: tasks 1 to 4.
    for task in ["1", "2", "3", "4"] {
        let out = dir.join(format!("shard-{task}.jsonl"));
        let run = run_batch(
            &["-f", "jsonl", "-o", &s(&out)],
            &[
                ("SLURM_ARRAY_TASK_ID", task),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
            ],
        );
        assert_eq!(run.code, 0, "{}", run.snapshot());
        shards.push(s(&out));
    }
    let text = std::fs::read_to_string(&shards[1]).expect("shard 2");
    assert!(
        text.lines().all(|l| l.contains("\"shard\":\"2/4\"")),
        "{text}"
    );
    // 16 scenarios and the baseline: scenarios 2, 6, 10 and 14 in shard 2.
    assert_eq!(text.lines().count(), 4);
    // In any order.
    shards.reverse();
    let mut merge: Vec<&str> = vec!["whatif", "merge", "-f", "jsonl"];
    merge.extend(shards.iter().map(String::as_str));
    let merged = with_env(&merge, &[]);
    assert_eq!(merged.code, 0, "{}", merged.snapshot());
    assert_eq!(rows(&merged.stdout), rows(&whole.stdout));
    assert_eq!(texts(&merged.stdout), texts(&whole.stdout));
    // The table too, but for the seconds column.
    let table = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| {
                let cells: Vec<&str> = l.split("  ").filter(|c| !c.is_empty()).collect();
                cells.join("|")
            })
            .collect()
    };
    let mut merge_table: Vec<&str> = vec!["whatif", "merge"];
    merge_table.extend(shards.iter().map(String::as_str));
    let merged_table = with_env(&merge_table, &[]);
    let whole_table = run_batch(&[], &[]);
    assert_eq!(merged_table.code, 0, "{}", merged_table.snapshot());
    let drop_seconds = |rows: Vec<String>| -> Vec<String> {
        rows.into_iter()
            .map(|r| {
                r.split('|')
                    .filter(|c| !c.trim().parse::<f64>().is_ok_and(|_| c.contains('.')))
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect()
    };
    assert_eq!(
        drop_seconds(table(&merged_table.stdout)),
        drop_seconds(table(&whole_table.stdout))
    );
    // `report` reads the merged batch.
    let merged_file = dir.join("merged.jsonl");
    std::fs::write(&merged_file, &merged.stdout).expect("merged file");
    let page = with_env(
        &["report", "instances/longgang-agri.json", &s(&merged_file)],
        &[],
    );
    assert_eq!(page.code, 0, "{}", page.snapshot());
    assert!(page.stdout.contains("hire 1 quality"));
}

#[test]
fn the_shard_comes_from_an_indexed_job_or_the_flag() {
    let k8s = run_batch(
        &["-f", "jsonl"],
        &[("JOB_COMPLETION_INDEX", "1"), ("MODSTAFF_SHARDS", "3")],
    );
    assert_eq!(k8s.code, 0, "{}", k8s.snapshot());
    let flag = run_batch(&["-f", "jsonl", "--shard", "2/3"], &[]);
    assert_eq!(rows(&k8s.stdout), rows(&flag.stdout));
    assert_eq!(k8s.stdout.lines().count(), 5, "scenarios 2, 5, 8, 11, 14");
    // `--shard` wins over the environment; `--shards` gives the Indexed Job's count.
    let both = run_batch(
        &["-f", "jsonl", "--shard", "2/3"],
        &[("JOB_COMPLETION_INDEX", "0"), ("MODSTAFF_SHARDS", "2")],
    );
    assert_eq!(rows(&both.stdout), rows(&flag.stdout));
    let counted = run_batch(
        &["-f", "jsonl", "--shards", "3"],
        &[("JOB_COMPLETION_INDEX", "1")],
    );
    assert_eq!(rows(&counted.stdout), rows(&flag.stdout));
    let uncounted = run_batch(&[], &[("JOB_COMPLETION_INDEX", "1")]);
    assert_eq!(uncounted.code, 2);
    assert!(
        uncounted
            .stderr
            .contains("`--shards N` or set `MODSTAFF_SHARDS`"),
        "{}",
        uncounted.stderr
    );
    let past = run_batch(
        &[],
        &[
            ("SLURM_ARRAY_TASK_ID", "9"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ],
    );
    assert_eq!(past.code, 2);
    assert!(
        past.stderr
            .contains("`SLURM_ARRAY_TASK_ID=9` is not one of 4 tasks"),
        "{}",
        past.stderr
    );
}

#[test]
fn merge_names_what_is_missing_and_writes_nothing() {
    let dir = scratch("missing");
    let mut files = Vec::new();
    for i in 1..=3 {
        let out = dir.join(format!("s{i}.jsonl"));
        let shard = format!("{i}/3");
        let run = run_batch(&["-f", "jsonl", "--shard", &shard, "-o", &s(&out)], &[]);
        assert_eq!(run.code, 0, "{}", run.snapshot());
        files.push(s(&out));
    }
    let out = dir.join("merged.csv");
    let run = with_env(
        &[
            "whatif",
            "merge",
            &files[0],
            &files[2],
            "-f",
            "csv",
            "-o",
            &s(&out),
        ],
        &[],
    );
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(
        run.stderr.contains(
            "error: 5 scenario(s) of shard 2/3 missing: 2, 5, 8, 11, 14 (hint: its file was not \
             given, or it failed or was stopped; run it again with `--shard 2/3`)"
        ),
        "{}",
        run.stderr
    );
    assert!(!out.exists(), "nothing written");
    // Twice the same shard.
    let run = with_env(
        &[
            "whatif", "merge", &files[0], &files[1], &files[1], &files[2],
        ],
        &[],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("scenario 2 (`transfer all 30 transferable functions`) appears 2 times"),
        "{}",
        run.stderr
    );
    // A shard of another batch (another seed).
    let other = dir.join("other.jsonl");
    let run = run_batch(
        &[
            "-f",
            "jsonl",
            "--shard",
            "2/3",
            "--seed",
            "1",
            "-o",
            &s(&other),
        ],
        &[],
    );
    assert_eq!(run.code, 0);
    let run = with_env(&["whatif", "merge", &files[0], &s(&other), &files[2]], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("seed `1` (not `0`)"), "{}", run.stderr);
    // All three: a workbook, CSV and Markdown.
    let xlsx = dir.join("merged.xlsx");
    let run = with_env(
        &[
            "whatif",
            "merge",
            &files[0],
            &files[1],
            &files[2],
            "-f",
            "xlsx",
            "-o",
            &s(&xlsx),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.snapshot());
    assert!(std::fs::metadata(&xlsx).expect("workbook").len() > 1000);
    let csv = with_env(
        &[
            "whatif", "merge", &files[0], &files[1], &files[2], "-f", "csv",
        ],
        &[],
    );
    assert_eq!(csv.stdout.lines().count(), 1 + 17, "{}", csv.stdout);
}

#[test]
fn merge_finds_the_instance_or_is_told_where_it_is() {
    let dir = scratch("moved");
    let inst = dir.join("agri.json");
    std::fs::copy(path("instances/longgang-agri.json"), &inst).expect("copy");
    let shard = dir.join("all.jsonl");
    let run = with_env(
        &[
            "whatif",
            &s(&inst),
            "--sweep",
            "max-posts",
            "1..2",
            "--work-limit",
            "100",
            "-q",
            "-f",
            "jsonl",
            "-o",
            &s(&shard),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.snapshot());
    std::fs::remove_file(&inst).expect("the instance moves away");
    let lost = with_env(&["whatif", "merge", &s(&shard)], &[]);
    assert_eq!(lost.code, 2);
    assert!(
        lost.stderr.contains("give it with `--instance FILE`"),
        "{}",
        lost.stderr
    );
    // JSON Lines need no instance.
    assert_eq!(
        with_env(&["whatif", "merge", &s(&shard), "-f", "jsonl"], &[]).code,
        0
    );
    let wrong = with_env(
        &[
            "whatif",
            "merge",
            &s(&shard),
            "--instance",
            "instances/tiny.json",
        ],
        &[],
    );
    assert_eq!(wrong.code, 2);
    assert!(
        wrong
            .stderr
            .contains("is not the instance the shards solved"),
        "{}",
        wrong.stderr
    );
    let found = with_env(
        &[
            "whatif",
            "merge",
            &s(&shard),
            "--instance",
            "instances/longgang-agri.json",
        ],
        &[],
    );
    assert_eq!(found.code, 0, "{}", found.snapshot());
    assert!(found.stdout.contains("max posts 2"), "{}", found.stdout);
}
