//! `modstaff solve INSTANCE [--start PLAN] [--out PLAN] [--format ...] [--time-limit S]
//! [--threads N] [--seed N]`

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use modstaff::engine::{Progress, SolveOptions, Start, solve};
use modstaff::io::{Diagnostics, load_instance, read_plan};
use modstaff::report::{hours, render_plan};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Instance: JSON file (docs/format.md), .xlsx workbook or folder of CSV files
    instance: PathBuf,
    /// Stop after this many seconds with the best plan found (earlier on proof)
    #[arg(long, short = 't', default_value_t = 10.0, value_name = "SECONDS")]
    time_limit: f64,
    /// Threads for the parallel search (the plan does not depend on it)
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,
    /// Random seed of the search
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Stop after this many search steps (deterministic, unlike the time limit)
    #[arg(long, value_name = "STEPS")]
    work_limit: Option<u64>,
    /// Start the search from this plan (JSON, CSV or .xlsx workbook, as `solve` writes them;
    /// posts and assignments are enough) instead of today's posts. Posts that cannot hold are
    /// dropped with a warning; the plan found is no worse in tier 1 than a valid start
    #[arg(long, value_name = "PLAN")]
    start: Option<PathBuf>,
    /// No progress line on standard error
    #[arg(long, short = 'q')]
    quiet: bool,
    #[command(flatten)]
    output: super::Output,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let time_limit = match super::seconds("--time-limit", args.time_limit) {
        Ok(t) => t,
        Err(code) => return Ok(code),
    };
    if let Err(code) = args.output.check_binary() {
        return Ok(code);
    }
    if args.threads == Some(0) {
        eprintln!("error: `--threads` must be at least 1");
        return Ok(ExitCode::from(2));
    }
    let (inst, warnings) = match load_instance(&args.instance) {
        Ok(v) => v,
        Err(e) => return Ok(super::report_load_error(&e)),
    };
    eprint!("{warnings}");
    let start = match &args.start {
        Some(path) => match start_plan(path, &inst) {
            Ok(start) => Some(std::sync::Arc::new(start)),
            Err(code) => return Ok(code),
        },
        None => None,
    };
    let cancel = super::cancel_on_ctrl_c();
    let tty = std::io::stderr().is_terminal() && !args.quiet;
    let progress: Option<modstaff::engine::ProgressFn> = tty.then(|| {
        Arc::new(|p: &Progress| {
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r\x1b[2K{:>6.1} s  best {}  bound {}  gap {:.2}%  steps {}",
                p.elapsed,
                hours(p.best),
                hours(p.bound),
                p.gap * 100.0,
                p.steps
            );
            let _ = err.flush();
        }) as modstaff::engine::ProgressFn
    });
    let mut options = SolveOptions {
        time_limit,
        started: Some(super::started()),
        seed: args.seed,
        work_limit: args.work_limit,
        cancel: Some(cancel),
        progress,
        start,
        ..SolveOptions::default()
    };
    if let Some(t) = args.threads {
        options.threads = t;
    }
    let solution = solve(&inst, &options);
    if tty {
        eprintln!();
    }
    if !args.quiet {
        eprintln!(
            "{}; bound {}, gap {:.2}%, stopped: {}, {} steps, {:.2} s",
            modstaff::report::words::headline(&inst, &solution.plan),
            hours(solution.bound),
            solution.plan.solver.gap * 100.0,
            solution.stop.as_str(),
            solution.steps,
            solution.plan.solver.seconds
        );
    }
    let format = args.output.format();
    if format == modstaff::report::Format::Xlsx {
        let bytes = modstaff::report::xlsx::plan_workbook(&inst, &solution.plan)?;
        args.output.emit_bytes(&bytes)?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = render_plan(&inst, &solution.plan, format);
    args.output.emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The start plan at `path`, by index, its dropped posts and other warnings printed.
fn start_plan(path: &std::path::Path, inst: &modstaff::model::Instance) -> Result<Start, ExitCode> {
    let (plan, mut warnings) = read_plan(path).map_err(|e| super::report_load_error(&e))?;
    let file = path.display().to_string();
    if let Some(name) = plan.instance.as_ref().filter(|n| **n != inst.name) {
        warnings.push(modstaff::io::Diagnostic::warning(
            "instance",
            format!(
                "the start plan is for instance `{name}`, not `{}`",
                inst.name
            ),
        ));
    }
    let (start, dropped) = Start::from_plan(inst, &plan);
    warnings.0.extend(dropped);
    for d in &mut warnings.0 {
        if d.file.is_empty() {
            d.file.clone_from(&file);
        }
    }
    eprint!("{}", Diagnostics(warnings.0));
    Ok(start)
}
