//! `modstaff recommend INSTANCE PLAN --person ID | --module ID`

use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use modstaff::SolveOptions;
use modstaff::io::{load_instance, load_plan};
use modstaff::model::complete;
use modstaff::report::{Format, render_recommendations, words};
use modstaff::scenario::batch::BatchOptions;
use modstaff::scenario::recommend::{RecommendOptions, Target, recommend};

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["person", "module"])))]
pub(crate) struct Args {
    /// Instance: JSON file (docs/format.md), .xlsx workbook or folder of CSV files
    instance: PathBuf,
    /// The plan to improve on (JSON, docs/format.md; may be minimal)
    plan: PathBuf,
    /// Where should this person go: the best posts for them
    #[arg(long, value_name = "ID")]
    person: Option<String>,
    /// Who should join this module: the best people for it
    #[arg(long, value_name = "ID")]
    module: Option<String>,
    /// Options to show
    #[arg(long, default_value_t = 5, value_name = "N")]
    top: usize,
    /// Candidates re-solved after the screen (at least `--top`)
    #[arg(long, default_value_t = 12, value_name = "N")]
    confirm: usize,
    /// Seconds for each re-solve
    #[arg(long, short = 't', default_value_t = 2.0, value_name = "SECONDS")]
    time_limit: f64,
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
    if args.output.format == Some(Format::Xlsx) {
        eprintln!("error: `recommend` writes table, json, csv or md; `--format xlsx` is for plans");
        return Ok(ExitCode::from(2));
    }
    let time_limit = match super::seconds("--time-limit", args.time_limit) {
        Ok(t) => t,
        Err(code) => return Ok(code),
    };
    if args.top == 0 || args.jobs == Some(0) {
        eprintln!("error: `--top` and `--jobs` must be at least 1");
        return Ok(ExitCode::from(2));
    }
    let (inst, _warnings) = match load_instance(&args.instance) {
        Ok(v) => v,
        Err(e) => return Ok(super::report_load_error(&e)),
    };
    let declared = match load_plan(&args.plan) {
        Ok(p) => p,
        Err(e) => return Ok(super::report_load_error(&e)),
    };
    let (plan, report) = complete(&inst, &declared);
    if !report.is_valid() {
        eprintln!(
            "error: plan `{}` breaks {} rule(s) of instance `{}`; recommend needs a valid plan \
             (see `modstaff check`)",
            args.plan.display(),
            report.violations.len(),
            args.instance.display()
        );
        return Ok(ExitCode::from(1));
    }
    let (target, subject) = if let Some(id) = &args.person {
        let Some(&p) = inst.ids.staff.get(id) else {
            eprintln!("error: `--person {id}`: no such person in `{}`", inst.name);
            return Ok(ExitCode::from(2));
        };
        (
            Target::Person(p),
            format!("where {} could go", words::person(&inst, id)),
        )
    } else {
        let id = args.module.as_deref().unwrap_or_default();
        let Some(&m) = inst.ids.modules.get(id) else {
            eprintln!("error: `--module {id}`: no such module in `{}`", inst.name);
            return Ok(ExitCode::from(2));
        };
        (
            Target::Module(m),
            format!("who could join {}", words::module(&inst, id)),
        )
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    let started = Instant::now();
    let show = !args.quiet;
    let tty = std::io::stderr().is_terminal();
    let progress: Option<Arc<dyn Fn(usize, usize) + Send + Sync>> = show.then(|| {
        Arc::new(move |done: usize, total: usize| {
            let line = format!(
                "re-solved {done}/{total} options, {:.1} s",
                started.elapsed().as_secs_f64()
            );
            let mut err = std::io::stderr().lock();
            if tty {
                let _ = write!(err, "\r\x1b[2K{line}");
                if done == total {
                    let _ = writeln!(err);
                }
            } else if done == total {
                let _ = writeln!(err, "{line}");
            }
            let _ = err.flush();
        }) as Arc<dyn Fn(usize, usize) + Send + Sync>
    });
    let options = RecommendOptions {
        batch: BatchOptions {
            solve: SolveOptions {
                time_limit,
                seed: args.seed,
                ..SolveOptions::default()
            },
            jobs,
            shard: None,
            progress,
            cancel: Some(super::cancel_on_ctrl_c()),
        },
        confirm: args.confirm,
        top: args.top,
    };
    let found = recommend(&inst, &plan, target, &options);
    if found.options.is_empty() {
        eprintln!(
            "{subject}: no post can be added (every qualified post is held or cannot be pinned)"
        );
    }
    let format = args.output.format();
    args.output.emit(&render_recommendations(
        &inst,
        &found,
        &subject,
        args.person.is_some(),
        format,
    ))?;
    Ok(ExitCode::SUCCESS)
}
