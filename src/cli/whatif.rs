//! `modstaff whatif INSTANCE [SCENARIOS] [--sweep ...] [--jobs N] [--format ...] [--plans DIR]
//! [--time-limit S] [--shard I/N | --shards N]`, and `modstaff whatif merge` (in
//! `whatif_merge.rs`).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use modstaff::engine::SolveOptions;
use modstaff::io::load_instance;
use modstaff::model::Instance;
use modstaff::report::to_json;
use modstaff::scenario::batch::{self, BatchOptions, Case, Outcome};
use modstaff::scenario::shard::{self, Shard, Stamp};

use super::batch_out::{
    BatchFormat, Render, emit, instance_hash, parse_sweep, rank, scenario_cases, usage,
};

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Option<Subcommand>,
    /// Instance file (the baseline)
    #[arg(required = true)]
    instance: Option<PathBuf>,
    /// Scenario file (TOML, see docs/scenarios.md); not needed with --sweep
    scenarios: Option<PathBuf>,
    /// A built-in sweep instead of a file: `leave-one-out`, `hire-one` (with --level), or
    /// `max-posts A..B`
    #[arg(long, num_args = 1..=2, value_names = ["KIND", "RANGE"])]
    sweep: Vec<String>,
    /// Skill level of the hire in `--sweep hire-one`
    #[arg(long, default_value_t = 3)]
    level: u8,
    /// Scenarios solved at once [default: available cores]
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = BatchFormat::Table)]
    format: BatchFormat,
    /// Write each scenario's plan (and the baseline's) into this folder
    #[arg(long, value_name = "DIR")]
    plans: Option<PathBuf>,
    /// Write each scenario's instance (the baseline file with the scenario applied) into this
    /// folder, e.g. to solve one on its own
    #[arg(long, value_name = "DIR")]
    instances: Option<PathBuf>,
    /// Time limit per solve, in seconds
    #[arg(long, short = 't', default_value_t = 10.0)]
    time_limit: f64,
    /// Random seed of every solve
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Stop each solve after this many search steps (deterministic, unlike the time limit:
    /// a sharded batch then gives the same rows as one run)
    #[arg(long, value_name = "STEPS")]
    work_limit: Option<u64>,
    /// Run only every N-th scenario, starting at the I-th (1-based), for array jobs [default:
    /// from `SLURM_ARRAY_TASK_ID` or `JOB_COMPLETION_INDEX` when set; `1/1` runs everything]
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Number of shards of a Kubernetes Indexed Job (its `completions`), for the shard from
    /// `JOB_COMPLETION_INDEX` [default: `MODSTAFF_SHARDS` when set]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    shards: Option<u32>,
    /// Write to this file (atomically) instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
    /// No progress on standard error
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Debug, clap::Subcommand)]
enum Subcommand {
    /// Put the shards of a batch back together: one table, CSV, workbook or JSON Lines file
    ///
    /// Reads the JSON Lines that `whatif --format jsonl` wrote for each shard of an array job
    /// and checks that they come from the same instance, scenarios, engine version and
    /// settings, and that the baseline and every scenario appear exactly once (naming the
    /// missing and the doubled ones, exit 2). Writes the batch in file order, as one unsharded
    /// run would; `report` takes the merged `--format jsonl` file.
    Merge(super::whatif_merge::Args),
}

fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s.split('-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if let Some(Subcommand::Merge(merge)) = &args.command {
        return super::whatif_merge::run(merge);
    }
    let Some(instance) = &args.instance else {
        return Ok(usage("give the instance file"));
    };
    let (time_limit, shard) = match checked(args) {
        Ok(v) => v,
        Err(code) => return Ok(code),
    };
    let (base, warnings) = match load_instance(instance) {
        Ok(v) => v,
        Err(e) => return Ok(super::report_load_error(&e)),
    };
    if !args.quiet {
        eprint!("{warnings}");
    }
    let cases = match cases(args, &base) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let stamp = stamp(args, instance, &base, cases.len(), time_limit, shard)?;
    let cancel = super::cancel_on_ctrl_c();
    let solve = SolveOptions {
        time_limit,
        seed: args.seed,
        work_limit: args.work_limit,
        threads: 1,
        cancel: Some(cancel.clone()),
        ..SolveOptions::default()
    };
    let tty = std::io::stderr().is_terminal() && !args.quiet;
    let started = Instant::now();
    if tty {
        eprint!("baseline ...");
    }
    let baseline = batch::solve_baseline(
        &base,
        &SolveOptions {
            threads: args.jobs.unwrap_or(solve.threads).max(1),
            ..solve.clone()
        },
    );
    let options = BatchOptions {
        solve,
        jobs: args.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        }),
        shard: shard.map(|s| (s.index, s.count)),
        progress: tty.then(|| progress_line(started)),
        cancel: Some(cancel.clone()),
    };
    let outcomes = batch::run(&base, &baseline.plan, &cases, &options);
    if tty {
        eprintln!();
    }
    if let Some(dir) = &args.plans {
        write_plans(dir, cases.len(), &baseline, &outcomes, shard)?;
    }
    if let Some(dir) = &args.instances {
        write_instances(dir, &cases, &outcomes)?;
    }
    let mut rows: Vec<&Outcome> = Vec::new();
    if shard.is_none_or(|s| s.index == 0) {
        rows.push(&baseline);
    }
    rows.extend(outcomes.iter());
    let sweep = parse_sweep(&args.sweep, args.level).ok();
    rank(&mut rows, sweep.as_ref(), args.format);
    let to = Render {
        base: &base,
        cases: &cases,
        baseline: &baseline,
        stamp: &stamp,
    };
    emit(args.format, args.out.clone(), &rows, &to)?;
    // A shard stopped early (Ctrl-C, or the scheduler's SIGTERM at its time limit) writes what
    // it solved, and says so by its exit code; `whatif merge` names what is missing.
    let expected = (0..cases.len())
        .filter(|&k| shard.is_none_or(|s| s.holds(k)))
        .count();
    if outcomes.len() < expected {
        eprintln!(
            "error: interrupted: {} of {expected} scenario(s) solved; the output lacks the others",
            outcomes.len()
        );
        return Ok(ExitCode::from(130));
    }
    Ok(ExitCode::SUCCESS)
}

/// What this batch was made from, stamped on every JSON line so that shards can be merged.
fn stamp(
    args: &Args,
    instance: &Path,
    base: &Instance,
    cases: usize,
    time_limit: std::time::Duration,
    shard: Option<Shard>,
) -> anyhow::Result<Stamp> {
    let absolute = |p: &Path| {
        std::fs::canonicalize(p)
            .ok()
            .map(|p| p.display().to_string())
    };
    let (scenarios, scenarios_hash, sweep) = if let Some(path) = &args.scenarios {
        let bytes = fs_err::read(path)?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        (name, shard::fingerprint(&bytes), None)
    } else {
        let words = args.sweep.join(" ");
        let key = format!("{words} level {}", args.level);
        (
            format!("sweep {words}"),
            shard::fingerprint(key.as_bytes()),
            Some((args.sweep.clone(), args.level)),
        )
    };
    Ok(Stamp {
        instance: base.name.clone(),
        instance_hash: instance_hash(base),
        scenarios,
        scenarios_hash,
        sweep,
        cases,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        time_limit: time_limit.as_secs_f64(),
        seed: args.seed,
        work_limit: args.work_limit,
        shard: shard.unwrap_or(Shard::ALL).label(),
        instance_path: absolute(instance),
        scenarios_path: args.scenarios.as_deref().and_then(absolute),
    })
}

/// The time limit and the shard (from `--shard`, else from the scheduler's environment), once
/// every option is checked (before any work).
fn checked(args: &Args) -> Result<(std::time::Duration, Option<Shard>), ExitCode> {
    let time_limit = super::seconds("--time-limit", args.time_limit)?;
    let shard = match &args.shard {
        Some(s) => match Shard::parse(s) {
            Some(v) => Some(v),
            None => {
                return Err(usage(&format!(
                    "invalid `--shard {s}`: expected `I/N` with 1 <= I <= N, e.g. `2/8`"
                )));
            }
        },
        None => match shard::from_env(|k| std::env::var(k).ok(), args.shards.map(|n| n as usize)) {
            Ok(Some((s, from))) => {
                if !args.quiet {
                    eprintln!("shard {} (from {from})", s.label());
                }
                Some(s)
            }
            Ok(None) => None,
            Err(e) => return Err(usage(&e)),
        },
    };
    if args.jobs == Some(0) {
        return Err(usage("`--jobs` must be at least 1"));
    }
    if args.format == BatchFormat::Xlsx && args.out.is_none() {
        return Err(usage(
            "`--format xlsx` writes a binary workbook: give a file with `--out FILE.xlsx`",
        ));
    }
    Ok((time_limit, shard))
}

/// The scenarios: from the scenario file or the sweep.
fn cases(args: &Args, base: &Instance) -> Result<Vec<Case>, ExitCode> {
    match (&args.scenarios, args.sweep.is_empty()) {
        (Some(_), false) => Err(usage("give a scenario file or `--sweep`, not both")),
        (None, true) => Err(usage("give a scenario file or `--sweep KIND`")),
        (None, false) => match parse_sweep(&args.sweep, args.level) {
            Ok(sweep) => Ok(batch::sweep_cases(base, &sweep)),
            Err(e) => Err(usage(&e)),
        },
        (Some(path), true) => scenario_cases(base, path),
    }
}

/// `scenarios 3/10  12 s  ETA 28 s` on one line of standard error.
fn progress_line(started: Instant) -> Arc<dyn Fn(usize, usize) + Send + Sync> {
    Arc::new(move |done: usize, total: usize| {
        let elapsed = started.elapsed().as_secs_f64();
        #[expect(clippy::cast_precision_loss, reason = "small counts")]
        let eta = elapsed / done.max(1) as f64 * (total - done) as f64;
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2Kscenarios {done}/{total}  {elapsed:.0} s  ETA {eta:.0} s"
        );
        let _ = err.flush();
    })
}

/// File name of outcome `o` in `--plans` and `--instances`: `001-without-ann.json`.
fn file_name(o: &Outcome, cases: usize) -> String {
    let width = cases.to_string().len().max(3);
    let k = o.index.unwrap_or(0);
    format!("{:0width$}-{}.json", k + 1, slug(&o.name))
}

/// `--plans DIR`: the baseline's plan (first shard only) and each scenario's, all or none
/// (shards write into the same folder, so other files there are kept).
fn write_plans(
    dir: &Path,
    cases: usize,
    baseline: &Outcome,
    outcomes: &[Outcome],
    shard: Option<Shard>,
) -> anyhow::Result<()> {
    let mut files = Vec::with_capacity(outcomes.len() + 1);
    if shard.is_none_or(|s| s.index == 0) {
        files.push((
            "baseline.json".to_owned(),
            to_json(&baseline.plan).into_bytes(),
        ));
    }
    for o in outcomes {
        files.push((file_name(o, cases), to_json(&o.plan).into_bytes()));
    }
    modstaff::io::write_folder_atomic(dir, &files, &[])
}

/// `--instances DIR`: each scenario's instance, all or none.
fn write_instances(dir: &Path, cases: &[Case], outcomes: &[Outcome]) -> anyhow::Result<()> {
    let files: Vec<(String, Vec<u8>)> = outcomes
        .iter()
        .map(|o| {
            let k = o.index.unwrap_or(0);
            let text = to_json(&modstaff::io::to_raw(&cases[k].instance));
            (file_name(o, cases.len()), text.into_bytes())
        })
        .collect();
    modstaff::io::write_folder_atomic(dir, &files, &[])
}
