//! `modstaff whatif merge SHARD.jsonl... [--format ...] [--out FILE] [--instance FILE]
//! [--scenarios FILE]`: the shards of an array job put back together.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use modstaff::io::load_instance;
use modstaff::scenario::batch::{self, Case, Outcome};
use modstaff::scenario::shard::{self, Merged, ShardFile};

use super::batch_out::{BatchFormat, Render, emit, instance_hash, parse_sweep, rank, usage};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The shards' JSON Lines, as `whatif --format jsonl --out` wrote them, in any order
    #[arg(required = true, value_name = "SHARD.jsonl")]
    shards: Vec<PathBuf>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = BatchFormat::Table)]
    format: BatchFormat,
    /// Write to this file (atomically) instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
    /// The instance, when it is no longer where the shards read it (its content must be the
    /// one they solved); not needed for `--format jsonl`
    #[arg(long, value_name = "FILE")]
    instance: Option<PathBuf>,
    /// The scenario file, when it is no longer where the shards read it (names the hires)
    #[arg(long, value_name = "FILE")]
    scenarios: Option<PathBuf>,
    /// No warnings on standard error
    #[arg(long, short = 'q')]
    quiet: bool,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if args.format == BatchFormat::Xlsx && args.out.is_none() {
        return Ok(usage(
            "`--format xlsx` writes a binary workbook: give a file with `--out FILE.xlsx`",
        ));
    }
    let mut files = Vec::with_capacity(args.shards.len());
    for path in &args.shards {
        match fs_err::read_to_string(path) {
            Ok(text) => files.push(ShardFile {
                name: path.display().to_string(),
                text,
            }),
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::from(2));
            }
        }
    }
    let merged = match shard::merge(&files) {
        Ok(m) => m,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!(
                "error: the shards do not make one batch ({} problem(s)); nothing written",
                errors.len()
            );
            return Ok(ExitCode::from(2));
        }
    };
    let mut rows: Vec<&Outcome> = vec![&merged.baseline];
    rows.extend(merged.scenarios.iter());
    if args.format == BatchFormat::Jsonl {
        let output = super::Output {
            format: None,
            out: args.out.clone(),
        };
        output.emit(&super::batch_out::jsonl(&rows, &merged.stamp)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if merged.baseline.plan.instance.is_empty() {
        return Ok(usage(
            "the baseline's line carries no plan, which the table needs (hint: merge with \
             `--format jsonl`, or run shard 1 again with this version)",
        ));
    }
    let base = match instance(args, &merged) {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    let sweep = merged
        .stamp
        .sweep
        .as_ref()
        .and_then(|(words, level)| parse_sweep(words, *level).ok());
    let cases = match &sweep {
        Some(s) => batch::sweep_cases(&base, s),
        None => scenario_file(args, &merged, &base),
    };
    rank(&mut rows, sweep.as_ref(), args.format);
    let to = Render {
        base: &base,
        cases: &cases,
        baseline: &merged.baseline,
        stamp: &merged.stamp,
    };
    emit(args.format, args.out.clone(), &rows, &to)?;
    Ok(ExitCode::SUCCESS)
}

/// The instance the shards solved: from `--instance` or where they read it, with the same
/// content; exit 2 otherwise.
fn instance(args: &Args, merged: &Merged) -> Result<modstaff::model::Instance, ExitCode> {
    let stamp = &merged.stamp;
    let Some(path) = args
        .instance
        .clone()
        .or_else(|| stamp.instance_path.as_ref().map(PathBuf::from))
    else {
        return Err(usage(
            "the shards do not say where their instance is: give it with `--instance FILE` \
             (or merge with `--format jsonl`, which needs none)",
        ));
    };
    let (base, _) = match load_instance(&path) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return Err(usage(&format!(
                "the table needs the instance the shards solved, `{}`: give it with \
                 `--instance FILE` (or merge with `--format jsonl`, which needs none)",
                stamp.instance
            )));
        }
    };
    if instance_hash(&base) != stamp.instance_hash {
        return Err(usage(&format!(
            "`{}` is not the instance the shards solved (`{}`, content {}): its content \
             differs (hint: give the file they read with `--instance FILE`)",
            path.display(),
            stamp.instance,
            stamp.instance_hash
        )));
    }
    Ok(base)
}

/// The scenarios of the batch's file, for the names of hires; none (hires named by id, with
/// a warning) when the file is gone or has changed.
fn scenario_file(args: &Args, merged: &Merged, base: &modstaff::model::Instance) -> Vec<Case> {
    let stamp = &merged.stamp;
    let path = args
        .scenarios
        .clone()
        .or_else(|| stamp.scenarios_path.as_ref().map(PathBuf::from));
    let same = |p: &Path| {
        fs_err::read(p).is_ok_and(|bytes| shard::fingerprint(&bytes) == stamp.scenarios_hash)
    };
    if let Some(path) = path.filter(|p| same(p)) {
        if let Ok(cases) = super::batch_out::scenario_cases(base, &path) {
            return cases;
        }
    }
    if !args.quiet {
        eprintln!(
            "warning: the scenario file `{}` is not where the shards read it, or has changed: \
             hires are named by id (hint: give it with `--scenarios FILE`)",
            stamp.scenarios
        );
    }
    Vec::new()
}
