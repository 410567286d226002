//! The shipped array-job templates on real schedulers' terms: the Slurm template run as a
//! 4-task array on a one-node cluster started here (scripts/slurm-one-node.sh), and the
//! Kubernetes Indexed Job checked against the Kubernetes schema and run pod by pod.
//!
//! Each test installs what it needs where it can (root and apt-get or pip) and otherwise says
//! that it skipped; `.ci/run` installs Slurm, munge and the schema checker up front.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{path, root};
use crate::shards::{rows, with_env};

const INSTANCE: &str = "instances/longgang-agri.json";
const SCENARIOS: &str = "instances/scenarios/agri.toml";
/// Steps per solve: results that do not depend on timing, so shards equal one run.
const WORK_LIMIT: &str = "300";

fn ok(cmd: &mut Command) -> bool {
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// Slurm's and munge's daemons, installed with apt-get when missing and possible.
fn slurm_installed() -> bool {
    let have = || {
        [
            "/usr/sbin/slurmctld",
            "/usr/sbin/slurmd",
            "/usr/sbin/munged",
        ]
        .iter()
        .all(|p| Path::new(p).exists())
            && ok(Command::new("sbatch").arg("--version"))
    };
    if have() {
        return true;
    }
    if !is_root() || !ok(Command::new("apt-get").arg("--version")) {
        return false;
    }
    let install = || {
        ok(Command::new("apt-get")
            .args(["install", "-y", "-q", "slurm-wlm", "munge"])
            .env("DEBIAN_FRONTEND", "noninteractive"))
    };
    if !install() {
        let _ = ok(Command::new("apt-get").args(["update", "-q"]));
        let _ = install();
    }
    have()
}

/// A running one-node cluster; stopped when dropped.
struct Cluster {
    dir: PathBuf,
}

impl Cluster {
    fn start(dir: PathBuf) -> Result<Self, String> {
        let out = Command::new(path("scripts/slurm-one-node.sh"))
            .arg("start")
            .arg(&dir)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(Self { dir })
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    fn conf(&self) -> PathBuf {
        self.dir.join("slurm.conf")
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("SLURM_CONF", self.conf());
        cmd
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(path("scripts/slurm-one-node.sh"))
            .arg("stop")
            .arg(&self.dir)
            .output();
    }
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Waits until job `id` has left the queue (`sbatch --wait` polls at growing intervals, up
/// to half a minute late), then returns each array task's `JobState` and `ExitCode`.
fn wait_for(cluster: &Cluster, id: &str, limit: Duration) -> Vec<String> {
    let start = Instant::now();
    loop {
        let queued = cluster
            .command("squeue")
            .args(["-h", "-j", id])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        if queued.is_empty() {
            break;
        }
        if start.elapsed() > limit {
            let _ = cluster.command("scancel").arg(id).status();
            panic!("the array job did not finish in {limit:?}: {queued}");
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let shown = cluster
        .command("scontrol")
        .args(["show", "job", id, "-o"])
        .output()
        .expect("scontrol runs");
    String::from_utf8_lossy(&shown.stdout)
        .lines()
        .map(|l| {
            l.split_whitespace()
                .filter(|w| {
                    w.starts_with("JobId=")
                        || w.starts_with("JobState=")
                        || w.starts_with("ExitCode=")
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn the_slurm_template_runs_as_an_array_and_merges_to_one_run() {
    if !slurm_installed() {
        println!(
            "skipped: Slurm and munge are not installed and cannot be (needs root and apt-get)"
        );
        return;
    }
    // Unix socket paths are short: the cluster lives under /tmp, the results in target/.
    let dir = std::env::temp_dir().join(format!("modstaff-slurm-{}", std::process::id()));
    let cluster = match Cluster::start(dir) {
        Ok(c) => c,
        Err(e) => panic!("the one-node cluster did not start:\n{e}"),
    };
    let out = root().join("target/test-scratch/cluster/slurm");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("results folder");
    let submitted = cluster
        .command("sbatch")
        .args(["--parsable", "--array=1-4"])
        .arg(format!("--chdir={}", s(&root())))
        .arg(format!("--output={}/task-%a.log", s(&out)))
        .arg(format!(
            "--export=ALL,MODSTAFF={},INSTANCE={INSTANCE},SCENARIOS={SCENARIOS},OUT_DIR={},\
             WORK_LIMIT={WORK_LIMIT},TIME_LIMIT=120",
            env!("CARGO_BIN_EXE_modstaff"),
            s(&out.join("results"))
        ))
        .arg(path("deploy/slurm/whatif-array.sbatch"))
        .output()
        .expect("sbatch runs");
    assert!(
        submitted.status.success(),
        "sbatch: {}",
        String::from_utf8_lossy(&submitted.stderr)
    );
    let id = String::from_utf8_lossy(&submitted.stdout).trim().to_owned();
    let tasks = wait_for(&cluster, &id, Duration::from_secs(600));
    assert_eq!(tasks.len(), 4, "{tasks:?}");
    for t in &tasks {
        assert!(
            t.contains("JobState=COMPLETED") && t.contains("ExitCode=0:0"),
            "{t}: {:?}",
            std::fs::read_dir(&out).map(Iterator::count)
        );
    }
    let shards: Vec<String> = (1..=4)
        .map(|i| s(&out.join(format!("results/shard-{i}.jsonl"))))
        .collect();
    let mut merge = vec!["whatif", "merge", "-f", "jsonl"];
    merge.extend(shards.iter().map(String::as_str));
    let merged = with_env(&merge, &[]);
    assert_eq!(merged.code, 0, "{}", merged.snapshot());
    let whole = with_env(
        &[
            "whatif",
            INSTANCE,
            SCENARIOS,
            "--work-limit",
            WORK_LIMIT,
            "-t",
            "120",
            "-q",
            "-f",
            "jsonl",
        ],
        &[],
    );
    assert_eq!(whole.code, 0, "{}", whole.snapshot());
    assert_eq!(rows(&merged.stdout), rows(&whole.stdout));
    assert_eq!(rows(&whole.stdout).len(), 17);
    drop(cluster);
}

/// The manifest as JSON, through `PyYAML` (installed with the schema checker).
fn manifest_json() -> Option<serde_json::Value> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(path("deploy/kubernetes/whatif-indexed-job.yaml"))
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| serde_json::from_slice(&out.stdout).ok())
        .flatten()
}

fn validator() -> bool {
    let have = || ok(Command::new("kubernetes-validate").arg("--version"));
    if !have() {
        let _ =
            ok(Command::new("python3").args(["-m", "pip", "install", "-q", "kubernetes-validate"]));
    }
    have()
}

#[test]
fn the_kubernetes_indexed_job_is_valid_and_its_pods_merge_to_one_run() {
    if !validator() {
        println!("skipped: kubernetes-validate is not installed and cannot be (pip)");
        return;
    }
    let manifest = path("deploy/kubernetes/whatif-indexed-job.yaml");
    let check = |file: &Path| {
        Command::new("kubernetes-validate")
            .args(["--strict", "--kubernetes-version", "1.31.0"])
            .arg(file)
            .output()
            .expect("kubernetes-validate runs")
    };
    let valid = check(&manifest);
    assert!(
        valid.status.success(),
        "{}{}",
        String::from_utf8_lossy(&valid.stdout),
        String::from_utf8_lossy(&valid.stderr)
    );
    // The checker is strict: a misspelt field fails.
    let dir = root().join("target/test-scratch/cluster/k8s");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    let typo = dir.join("typo.yaml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(&typo, text.replace("completionMode:", "completionMod:")).expect("typo");
    assert!(!check(&typo).status.success(), "a misspelt field passes");

    // Each pod, as Kubernetes would start it: the container's command with its environment
    // and JOB_COMPLETION_INDEX, the paths of the volume pointed at this repository.
    let job = manifest_json().expect("PyYAML reads the manifest");
    let completions = job["spec"]["completions"].as_u64().expect("completions");
    let container = &job["spec"]["template"]["spec"]["containers"][0];
    let command: Vec<&str> = container["command"]
        .as_array()
        .expect("command")
        .iter()
        .map(|c| c.as_str().expect("text"))
        .collect();
    let mut env: Vec<(String, String)> = container["env"]
        .as_array()
        .expect("env")
        .iter()
        .map(|e| {
            (
                e["name"].as_str().expect("name").to_owned(),
                e["value"].as_str().expect("value").to_owned(),
            )
        })
        .collect();
    assert!(
        env.contains(&("MODSTAFF_SHARDS".into(), completions.to_string())),
        "MODSTAFF_SHARDS must equal completions: {env:?}"
    );
    let results = dir.join("results");
    for (k, v) in &mut env {
        match k.as_str() {
            "INSTANCE" => *v = s(&path(INSTANCE)),
            "SCENARIOS" => *v = s(&path(SCENARIOS)),
            "OUT_DIR" => *v = s(&results),
            "TIME_LIMIT" => *v = "2".into(),
            _ => {}
        }
    }
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_modstaff"))
        .parent()
        .expect("bin dir")
        .to_owned();
    let path_var = format!(
        "{}:{}",
        s(&bin_dir),
        std::env::var("PATH").unwrap_or_default()
    );
    for index in 0..completions {
        let status = Command::new(command[0])
            .args(&command[1..])
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .env("PATH", &path_var)
            .env_remove("SLURM_ARRAY_TASK_ID")
            .status()
            .expect("the pod's command runs");
        assert!(status.success(), "pod {index}: {status}");
    }
    let shards: Vec<String> = (0..completions)
        .map(|i| s(&results.join(format!("shard-{i}.jsonl"))))
        .collect();
    let mut merge = vec!["whatif", "merge", "-f", "jsonl"];
    merge.extend(shards.iter().map(String::as_str));
    let merged = with_env(&merge, &[]);
    assert_eq!(merged.code, 0, "{}", merged.snapshot());
    assert_eq!(rows(&merged.stdout).len(), 17, "{}", merged.stdout);
}
