//! Batches split over the tasks of an array job, and put back together.
//!
//! Shard `i/N` solves the scenarios `k` with `k mod N = i - 1`; the first shard also solves
//! and writes the baseline. The shard comes from `--shard`, or from the scheduler's
//! environment ([`from_env`]: a Slurm array task or a Kubernetes Indexed Job). Every line a
//! shard writes carries a [`Stamp`]: what was run (instance, scenarios, engine version,
//! settings) and by which shard. [`merge`] refuses shards that disagree and names every
//! scenario that is missing or doubled, so that a shard that failed or was stopped cannot
//! silently shrink the batch.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::batch::Outcome;
use crate::model::Plan;

/// One task's part of a batch: `index` (0-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 0-based position of this task.
    pub index: usize,
    /// Number of tasks.
    pub count: usize,
}

impl Shard {
    /// The whole batch as one shard.
    pub const ALL: Self = Self { index: 0, count: 1 };

    /// Reads `I/N` (1-based `I`, `1 <= I <= N`).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let (i, n) = s.split_once('/')?;
        let (i, n): (usize, usize) = (i.trim().parse().ok()?, n.trim().parse().ok()?);
        (n >= 1 && (1..=n).contains(&i)).then_some(Self {
            index: i - 1,
            count: n,
        })
    }

    /// `I/N`, 1-based, as `--shard` takes it.
    #[must_use]
    pub fn label(self) -> String {
        format!("{}/{}", self.index + 1, self.count)
    }

    /// Whether scenario `k` (0-based) is this shard's.
    #[must_use]
    pub fn holds(self, k: usize) -> bool {
        k % self.count == self.index
    }

    /// The shard that holds scenario `k` in a batch of `count` shards.
    #[must_use]
    pub fn of(k: usize, count: usize) -> Self {
        Self {
            index: k % count.max(1),
            count: count.max(1),
        }
    }
}

/// Environment variable with the number of shards of a Kubernetes Indexed Job (its
/// `completions`), which Kubernetes does not pass to the pods itself.
pub const SHARDS_VAR: &str = "MODSTAFF_SHARDS";

/// The shard a scheduler gave this task, read through `var` (the process environment in the
/// command line; a map in tests), and where it came from, e.g. `SLURM_ARRAY_TASK_ID=5`.
///
/// - Slurm: `SLURM_ARRAY_TASK_ID` with `SLURM_ARRAY_TASK_COUNT`, and `SLURM_ARRAY_TASK_MIN` and
///   `SLURM_ARRAY_TASK_STEP` when set (an array `--array=1-4` or `0-6:2` gives shards 1-4).
/// - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX` (0-based), with the count from `shards`
///   (`--shards`) or [`SHARDS_VAR`].
///
/// `Ok(None)` when neither is set.
///
/// # Errors
/// A message naming the variable when a value is not a number, is out of range, or the
/// count is missing or disagrees with `shards`.
pub fn from_env(
    var: impl Fn(&str) -> Option<String>,
    shards: Option<usize>,
) -> Result<Option<(Shard, String)>, String> {
    let number = |name: &str| -> Result<Option<usize>, String> {
        match var(name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<usize>()
                .map(Some)
                .map_err(|_| format!("`{name}` is `{v}`: expected a whole number 0 or more")),
        }
    };
    if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
        let count = number("SLURM_ARRAY_TASK_COUNT")?.ok_or(
            "`SLURM_ARRAY_TASK_ID` is set but `SLURM_ARRAY_TASK_COUNT` is not \
             (hint: submit with `sbatch --array=1-N`, or give `--shard I/N`)",
        )?;
        let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let step = number("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
        let offset = id.checked_sub(min).filter(|o| o % step == 0);
        let index = offset.map(|o| o / step).filter(|&i| i < count);
        let Some(index) = index else {
            return Err(format!(
                "`SLURM_ARRAY_TASK_ID={id}` is not one of {count} tasks from \
                 `SLURM_ARRAY_TASK_MIN={min}` in steps of {step} \
                 (hint: give `--shard I/N` for an array with gaps)"
            ));
        };
        if let Some(n) = shards.filter(|&n| n != count) {
            return Err(format!(
                "`--shards {n}` disagrees with `SLURM_ARRAY_TASK_COUNT={count}`"
            ));
        }
        return Ok(Some((
            Shard { index, count },
            format!("SLURM_ARRAY_TASK_ID={id}"),
        )));
    }
    if let Some(index) = number("JOB_COMPLETION_INDEX")? {
        let count = match shards {
            Some(n) => n,
            None => number(SHARDS_VAR)?.ok_or_else(|| {
                format!(
                    "`JOB_COMPLETION_INDEX` is set (a Kubernetes Indexed Job) but not the \
                     number of shards (hint: give `--shards N` or set `{SHARDS_VAR}` to the \
                     Job's `completions`)"
                )
            })?,
        };
        if count == 0 || index >= count {
            return Err(format!(
                "`JOB_COMPLETION_INDEX={index}` is not below the number of shards, {count}"
            ));
        }
        return Ok(Some((
            Shard { index, count },
            format!("JOB_COMPLETION_INDEX={index}"),
        )));
    }
    Ok(None)
}

/// What a batch line was made from and by which shard. Two shards belong to one batch when
/// everything but `shard` and the paths agrees.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stamp {
    /// The instance's name.
    pub instance: String,
    /// Fingerprint of the instance's content ([`fingerprint`] of its canonical JSON).
    pub instance_hash: String,
    /// The scenarios: the scenario file's name, or `sweep KIND` for a built-in sweep.
    pub scenarios: String,
    /// Fingerprint of the scenario file's bytes or of the sweep's words.
    pub scenarios_hash: String,
    /// The built-in sweep's words and hire level, when the scenarios are a sweep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<(Vec<String>, u8)>,
    /// Number of scenarios in the whole batch.
    pub cases: usize,
    /// The modstaff version that solved it.
    pub version: String,
    /// Time limit per solve, seconds.
    pub time_limit: f64,
    /// Random seed of every solve.
    pub seed: u64,
    /// Search steps per solve, when limited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_limit: Option<u64>,
    /// Which shard, `I/N`.
    pub shard: String,
    /// Where the instance was read from (absolute when known), for `whatif merge`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_path: Option<String>,
    /// Where the scenario file was read from (absolute when known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenarios_path: Option<String>,
}

impl Stamp {
    /// How `other` differs from `self` in what makes a batch, one phrase per field.
    fn differences(&self, other: &Self) -> Vec<String> {
        let mut out = Vec::new();
        let mut field = |name: &str, a: String, b: String| {
            if a != b {
                out.push(format!("{name} `{b}` (not `{a}`)"));
            }
        };
        field("instance", self.instance.clone(), other.instance.clone());
        field(
            "instance content",
            self.instance_hash.clone(),
            other.instance_hash.clone(),
        );
        field(
            "scenarios",
            format!("{} ({})", self.scenarios, self.scenarios_hash),
            format!("{} ({})", other.scenarios, other.scenarios_hash),
        );
        field("version", self.version.clone(), other.version.clone());
        field(
            "time limit",
            format!("{} s", self.time_limit),
            format!("{} s", other.time_limit),
        );
        field("seed", self.seed.to_string(), other.seed.to_string());
        let steps = |s: &Self| s.work_limit.map_or("none".into(), |w| w.to_string());
        field("work limit", steps(self), steps(other));
        field(
            "number of scenarios",
            self.cases.to_string(),
            other.cases.to_string(),
        );
        let count = |s: &Self| Shard::parse(&s.shard).map_or(0, |s| s.count);
        field(
            "number of shards",
            count(self).to_string(),
            count(other).to_string(),
        );
        out
    }
}

/// A 64-bit FNV-1a fingerprint in hex: tells inputs apart (not a security measure).
#[must_use]
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// One line of `whatif --format jsonl` as written: the outcome's figures, the stamp, and for
/// the baseline its plan (so that a merged batch can still show the baseline plan).
#[derive(Serialize)]
pub struct LineOut<'a> {
    /// The figures.
    #[serde(flatten)]
    pub outcome: &'a Outcome,
    /// What made it.
    pub batch: &'a Stamp,
    /// The baseline's plan (baseline line only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<&'a Plan>,
}

/// One line of `whatif --format jsonl` as read back.
#[derive(Deserialize)]
struct LineIn {
    #[serde(flatten)]
    outcome: Outcome,
    batch: Stamp,
    #[serde(default)]
    plan: Option<Plan>,
}

/// A shard's output: its file name (for messages) and its text.
#[derive(Clone, Debug)]
pub struct ShardFile {
    /// How messages name the file.
    pub name: String,
    /// Its JSON Lines.
    pub text: String,
}

/// The batch put back together.
#[derive(Clone, Debug)]
pub struct Merged {
    /// The batch's stamp, as one unsharded run's (`shard` is `1/1`).
    pub stamp: Stamp,
    /// The baseline, with its plan when the shard wrote it.
    pub baseline: Outcome,
    /// Every scenario, in batch order.
    pub scenarios: Vec<Outcome>,
}

/// `file line N`.
fn place(file: &str, line: usize) -> String {
    format!("`{file}` line {line}")
}

/// Puts shards back together in batch order, the baseline first, as the unsharded run would
/// write them.
///
/// # Errors
/// Every problem found, one message each: an unreadable line (file and line), a line from
/// another batch (what differs), a scenario in the wrong shard, the baseline or a scenario
/// missing (by shard, with a hint) or doubled (with each place).
pub fn merge(files: &[ShardFile]) -> Result<Merged, Vec<String>> {
    let mut errors = Vec::new();
    let mut first: Option<(Stamp, String)> = None;
    let mut baseline: Vec<(Outcome, Option<Plan>, String)> = Vec::new();
    let mut seen: BTreeMap<usize, Vec<(Outcome, String)>> = BTreeMap::new();
    for file in files {
        let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
        let mut foreign = false;
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let at = place(&file.name, n + 1);
            let read: LineIn = match serde_json::from_str(line) {
                Ok(l) => l,
                Err(e) => {
                    errors.push(format!(
                        "{at}: not a line of `whatif --format jsonl`: {e} (hint: shards are \
                         the files `whatif --format jsonl` writes, one per task)"
                    ));
                    break;
                }
            };
            let Some((stamp, where_first)) = &first else {
                first = Some((read.batch.clone(), at.clone()));
                check_shard(&read, &at, &mut errors);
                keep(read, at, &mut baseline, &mut seen);
                continue;
            };
            let differs = stamp.differences(&read.batch);
            if !differs.is_empty() {
                if !foreign {
                    errors.push(format!(
                        "{at} is from another batch than {where_first}: {}",
                        differs.join(", ")
                    ));
                }
                foreign = true;
                continue;
            }
            check_shard(&read, &at, &mut errors);
            keep(read, at, &mut baseline, &mut seen);
        }
    }
    let Some((stamp, _)) = first else {
        errors.push("no line in any shard: nothing to merge".into());
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let count = Shard::parse(&stamp.shard).map_or(1, |s| s.count);
    completeness(&stamp, count, &baseline, &seen, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let (mut base, plan, _) = baseline.swap_remove(0);
    if let Some(plan) = plan {
        base.plan = plan;
    }
    Ok(Merged {
        stamp: Stamp {
            shard: Shard::ALL.label(),
            ..stamp
        },
        baseline: base,
        scenarios: seen
            .into_values()
            .filter_map(|mut v| v.pop().map(|(o, _)| o))
            .collect(),
    })
}

/// Files a read line as the baseline or under its scenario.
fn keep(
    read: LineIn,
    at: String,
    baseline: &mut Vec<(Outcome, Option<Plan>, String)>,
    seen: &mut BTreeMap<usize, Vec<(Outcome, String)>>,
) {
    match read.outcome.index {
        None => baseline.push((read.outcome, read.plan, at)),
        Some(k) => seen.entry(k).or_default().push((read.outcome, at)),
    }
}

/// A line's scenario must be one of its shard's (and of the batch).
fn check_shard(read: &LineIn, at: &str, errors: &mut Vec<String>) {
    let Some(shard) = Shard::parse(&read.batch.shard) else {
        errors.push(format!("{at}: shard `{}` is not `I/N`", read.batch.shard));
        return;
    };
    match read.outcome.index {
        Some(k) if k >= read.batch.cases => errors.push(format!(
            "{at}: scenario {} of a batch of {}",
            k + 1,
            read.batch.cases
        )),
        Some(k) if !shard.holds(k) => errors.push(format!(
            "{at}: scenario {} (`{}`) belongs to shard {}, not {}",
            k + 1,
            read.outcome.name,
            Shard::of(k, shard.count).label(),
            shard.label()
        )),
        None if shard.index != 0 => errors.push(format!(
            "{at}: the baseline in shard {} (only shard 1/{} writes it)",
            shard.label(),
            shard.count
        )),
        _ => {}
    }
}

/// The baseline once, every scenario once: else what is missing (by shard) and doubled.
fn completeness(
    stamp: &Stamp,
    count: usize,
    baseline: &[(Outcome, Option<Plan>, String)],
    seen: &BTreeMap<usize, Vec<(Outcome, String)>>,
    errors: &mut Vec<String>,
) {
    match baseline.len() {
        0 => errors.push(format!(
            "the baseline is missing: shard 1/{count} writes it (hint: give its file too; \
             if it failed or was stopped, run it again with `--shard 1/{count}`)"
        )),
        1 => {}
        _ => errors.push(format!(
            "the baseline appears {} times: {}",
            baseline.len(),
            baseline
                .iter()
                .map(|b| b.2.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    let mut missing: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for k in 0..stamp.cases {
        match seen.get(&k).map_or(0, Vec::len) {
            0 => missing
                .entry(Shard::of(k, count).index)
                .or_default()
                .push(k),
            1 => {}
            _ => {
                let v = &seen[&k];
                errors.push(format!(
                    "scenario {} (`{}`) appears {} times: {}",
                    k + 1,
                    v[0].0.name,
                    v.len(),
                    v.iter()
                        .map(|(_, at)| at.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    for (shard, ks) in missing {
        let label = Shard {
            index: shard,
            count,
        }
        .label();
        let mut list = String::new();
        for (j, k) in ks.iter().enumerate() {
            if j == 8 {
                let _ = write!(list, ", ... ({} in all)", ks.len());
                break;
            }
            let _ = write!(list, "{}{}", if j == 0 { "" } else { ", " }, k + 1);
        }
        errors.push(format!(
            "{} scenario(s) of shard {label} missing: {list} (hint: its file was not given, \
             or it failed or was stopped; run it again with `--shard {label}`)",
            ks.len()
        ));
    }
}

#[cfg(test)]
mod tests;
