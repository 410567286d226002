//! `modstaff explain INSTANCE [PLAN] [--time-limit S] [--hire-time-limit S] [--no-confirm]
//! [--jobs N] [--format ...] [--out FILE]`

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use modstaff::engine::SolveOptions;
use modstaff::io::{load_instance, read_plan};
use modstaff::model::{Instance, Plan, complete};
use modstaff::report::{Format, render_check, render_explanation};
use modstaff::scenario::explain::{ExplainOptions, explain};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Instance: JSON file (docs/format.md), .xlsx workbook or folder of CSV files
    instance: PathBuf,
    /// Plan to explain (JSON, CSV or .xlsx workbook, as `solve` writes them); solved first
    /// when omitted
    plan: Option<PathBuf>,
    /// Seconds for solving when no plan is given
    #[arg(long, short = 't', default_value_t = 10.0, value_name = "SECONDS")]
    time_limit: f64,
    /// Seconds for each re-solve that confirms a bottleneck skill
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS")]
    hire_time_limit: f64,
    /// Rank bottleneck skills by estimate only, without re-solving
    #[arg(long)]
    no_confirm: bool,
    /// Weekly hours of the hypothetical hire
    #[arg(long, default_value_t = 40.0, value_name = "HOURS")]
    hire_capacity: f64,
    /// Re-solves at once (the result does not depend on it) [default: all cores]
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Random seed of the searches
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// No progress on standard error
    #[arg(long, short = 'q')]
    quiet: bool,
    #[command(flatten)]
    output: super::Output,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let (time_limit, hire_time_limit) = match checked(args) {
        Ok(v) => v,
        Err(code) => return Ok(code),
    };
    let (inst, warnings) = match load_instance(&args.instance) {
        Ok(v) => v,
        Err(e) => return Ok(super::report_load_error(&e)),
    };
    if !args.quiet {
        eprint!("{warnings}");
    }
    let plan = match given_plan(args, &inst) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let cancel = super::cancel_on_ctrl_c();
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    let show = !args.quiet;
    let tty = std::io::stderr().is_terminal();
    let started = Instant::now();
    let progress = show.then(|| progress_line(tty, started));
    if show && plan.is_none() {
        eprintln!(
            "solving `{}` ({} s at most) ...",
            inst.name, args.time_limit
        );
    }
    let options = ExplainOptions {
        solve: SolveOptions {
            time_limit,
            seed: args.seed,
            threads: jobs,
            cancel: Some(cancel.clone()),
            ..SolveOptions::default()
        },
        confirm: (!args.no_confirm).then(|| SolveOptions {
            time_limit: hire_time_limit,
            seed: args.seed,
            ..SolveOptions::default()
        }),
        jobs,
        hire_capacity: args.hire_capacity,
        progress,
        cancel: Some(cancel),
    };
    let explanation = explain(&inst, plan.as_ref(), &options);
    if show {
        eprintln!(
            "{} uncovered duties explained, {} bottleneck skills ranked, {:.1} s",
            explanation.diagnosis.uncovered.len(),
            explanation.bottlenecks.len(),
            started.elapsed().as_secs_f64()
        );
    }
    args.output.emit(&render_explanation(
        &inst,
        &explanation,
        args.output.format(),
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// The time limits, once every option is checked (before any work).
fn checked(args: &Args) -> Result<(Duration, Duration), ExitCode> {
    if args.output.format == Some(Format::Xlsx) {
        eprintln!("error: `explain` writes table, json, csv or md; `--format xlsx` is for plans");
        return Err(ExitCode::from(2));
    }
    let time_limit = super::seconds("--time-limit", args.time_limit)?;
    let hire_time_limit = super::seconds("--hire-time-limit", args.hire_time_limit)?;
    if !(args.hire_capacity.is_finite() && args.hire_capacity > 0.0) {
        eprintln!(
            "error: `--hire-capacity` must be a number of hours greater than 0, found {}",
            args.hire_capacity
        );
        return Err(ExitCode::from(2));
    }
    if args.jobs == Some(0) {
        eprintln!("error: `--jobs` must be at least 1");
        return Err(ExitCode::from(2));
    }
    Ok((time_limit, hire_time_limit))
}

/// The plan file, if one is given; it must pass `check` (reasons read off a plan that breaks
/// rules would be nonsense).
fn given_plan(args: &Args, inst: &Instance) -> Result<Option<Plan>, ExitCode> {
    let Some(path) = &args.plan else {
        return Ok(None);
    };
    let (plan, warnings) = read_plan(path).map_err(|e| super::report_load_error(&e))?;
    eprint!("{warnings}");
    let (plan, report) = complete(inst, &plan);
    if !report.is_valid() {
        eprint!("{}", render_check(&report, Format::Table));
        eprintln!(
            "error: plan `{}` breaks {} rule(s) of instance `{}`; explain needs a valid plan \
             (see `modstaff check`)",
            path.display(),
            report.violations.len(),
            args.instance.display()
        );
        return Err(ExitCode::from(1));
    }
    Ok(Some(plan))
}

/// `re-solved 3/9 hires, 4.2 s` on standard error: redrawn on a terminal, once at the end
/// otherwise.
fn progress_line(tty: bool, started: Instant) -> Arc<dyn Fn(usize, usize) + Send + Sync> {
    Arc::new(move |done: usize, total: usize| {
        let elapsed = started.elapsed().as_secs_f64();
        let mut err = std::io::stderr().lock();
        let line = format!("re-solved {done}/{total} hires, {elapsed:.1} s");
        if tty {
            let _ = write!(err, "\r\x1b[2K{line}");
            if done == total {
                let _ = writeln!(err);
            }
        } else if done == total {
            let _ = writeln!(err, "{line}");
        }
        let _ = err.flush();
    })
}
