//! Command line: clap definitions and one file per subcommand. Exit codes as docs/cli.md:
//! 0 success, 1 a requested check failed, 2 bad input or usage.

mod batch_out;
mod check;
mod diff;
mod explain;
mod export;
mod generate;
mod import;
mod recommend;
mod report;
#[cfg(feature = "http")]
mod serve;
mod sheets;
mod solve;
mod validate;
mod whatif;
mod whatif_merge;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use clap::{Parser, Subcommand};
use modstaff::io::LoadError;
use modstaff::report::Format;

/// Staff-to-module planning for lean governments: "one person, several posts; one post,
/// several duties".
///
/// modstaff assigns people to work modules and hours to duties so that as little
/// priority-weighted work as possible stays uncovered, and checks any plan against every rule.
#[derive(Debug, Parser)]
#[command(
    name = "modstaff",
    version,
    about,
    long_about,
    propagate_version = true
)]
#[command(
    after_help = "Exit codes: 0 success, 1 a check failed, 2 bad input or usage.\n\
Docs: README.md and docs/ (file formats: docs/format.md)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Trace the engine's work on standard error (`-v` debug, `-vv` trace; `RUST_LOG` overrides)
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Most people an instance may have
    #[arg(long, global = true, value_name = "N", default_value_t = 100_000)]
    max_people: usize,
    /// Most duties an instance may have
    #[arg(long, global = true, value_name = "N", default_value_t = 1_000_000)]
    max_duties: usize,
    /// Most possible posts (people x modules) an instance may have
    #[arg(long, global = true, value_name = "N", default_value_t = 100_000_000)]
    max_posts: u64,
}

/// Debug tracing is off unless asked for with `-v` or `RUST_LOG`: the library logs through
/// `tracing`, the command line decides where it goes.
fn init_tracing(verbose: u8) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| spec.parse::<Targets>().ok());
    let filter = from_env.unwrap_or_else(|| {
        let level = match verbose {
            0 => LevelFilter::OFF,
            1 => LevelFilter::DEBUG,
            _ => LevelFilter::TRACE,
        };
        Targets::new().with_target("modstaff", level)
    });
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false);
    let _ = tracing_subscriber::registry()
        .with(layer)
        .with(filter)
        .try_init();
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Find a plan: who holds which posts, who works which hours, who liaises with whom
    ///
    /// Prints the plan (per person, per module, uncovered duties with reasons, objective and
    /// gap) or writes it with `--out` (JSON by default for files, as in docs/format.md). Stops
    /// at the time limit, on proof of optimality, or on Ctrl-C, always with the best plan found.
    Solve(solve::Args),
    /// Check instance files and list every problem found
    ///
    /// Prints each error as `FILE: json.path: what is wrong (line, column; hint)` and exits 2 if
    /// there is any; otherwise prints a one-line summary per file and exits 0. Warnings (legal
    /// but suspicious input) never change the exit code.
    Validate(validate::Args),
    /// Verify a plan against every hard constraint and recompute its objective
    ///
    /// Shares no code with the solver. Exits 1 and lists each violation (with the people,
    /// modules and duties involved) if the plan breaks any rule or declares a wrong objective;
    /// exits 0 if it is valid; exits 2 if a file cannot be read.
    Check(check::Args),
    /// Compare two plans of one instance: who moves, tiers, coverage, hours and liaisons
    ///
    /// Plan B against plan A: the posts each person joins and leaves (with the hours in the
    /// module), the four tiers side by side, duties newly covered or uncovered, people whose
    /// hours change and counterparts with another liaison. Plans may be minimal or edited;
    /// one that breaks rules is compared as it is, with a warning.
    Diff(diff::Args),
    /// Write a synthetic instance of any size
    ///
    /// Every rule of the model is exercised: skills with levels, non-splittable duties,
    /// staffing floors and caps, unit headcount caps, conflicts, counterparts, today's posts and
    /// unavailability. The same settings always give the same instance.
    Generate(generate::Args),
    /// Run a batch of what-if scenarios and compare them with the baseline
    ///
    /// Solves the baseline once, then every scenario (from a TOML file, or a built-in
    /// `--sweep`) in parallel, each warm-started from the baseline plan; posts changed and
    /// people moved are counted against the baseline plan. One row per scenario, in file order
    /// whatever `--jobs` is.
    Whatif(whatif::Args),
    /// Explain why each uncovered duty is uncovered, and which hire would help most
    ///
    /// Solves first if no plan is given. For each uncovered duty (largest weighted hours
    /// first): the rule or trade-off responsible, with the people and numbers involved. Then
    /// counterparts without a liaison, understaffed modules, duties only one person can do,
    /// and bottleneck skills ranked by what one more person with the skill covers, each
    /// confirmed by a re-solve. `--format json` gives the same as data.
    Explain(explain::Args),
    /// Recommend posts: where a person should go, or who should join a module
    ///
    /// Screens every post the person (or module) could add to the plan by the uncovered work
    /// it could take on, then re-solves the best few with that post pinned, each measured
    /// against the plan: tier 1 first, then posts changed. Each option lists who else moves.
    Recommend(recommend::Args),
    /// Read an instance from a CSV folder, an .xlsx workbook or a knapsack file; write JSON
    ///
    /// The folder holds staff.csv, modules.csv, duties.csv and optionally counterparts.csv,
    /// units.csv, skills.csv and rules.toml; a workbook has the same tables as sheets (and a
    /// `rules` sheet of key/value rows). `solve`, `validate`, `whatif` and `check` also read
    /// these directly. Problems are reported with file, sheet, row and column; exit 2.
    /// `import mkp FILE`: a multiple knapsack instance (one person per knapsack, one
    /// non-splittable duty per item), bad input reported with its line and column.
    Import(import::Args),
    /// Write an instance as a CSV folder or an .xlsx workbook, or its tier-1 model as LP or MPS
    ///
    /// `csv` and `xlsx` write the instance (JSON, workbook or CSV folder) as spreadsheets.
    /// `lp` and `mps` write the tier-1 model, the mixed-integer program modstaff solves, in
    /// CPLEX LP or free MPS format for HiGHS, Gurobi, CPLEX or SCIP: its optimum equals the
    /// proven optimum's `objective.coverage` (docs/models.md).
    Export(export::Args),
    /// Write empty sheets with the headers, one example row and notes on every column
    Template(sheets::TemplateArgs),
    /// Write a self-contained HTML report of a plan or a what-if batch, with charts
    ///
    /// For a plan: headline figures, a people x modules heatmap of hours, coverage per module
    /// (covered and uncovered by weight), a utilisation histogram and the uncovered duties with
    /// their reasons. For a `.jsonl` batch from `whatif --format jsonl`: the scenarios compared.
    /// No script and no network: the page opens and prints anywhere.
    Report(report::Args),
    /// Serve validate, check, solve, what-if and jobs over HTTP (JSON)
    ///
    /// Binds loopback by default; a non-loopback address needs `--token-file` (bearer token)
    /// or `--insecure`. Logs one JSON line per request on standard error. SIGTERM or Ctrl-C
    /// stops accepting, cancels running solves (they answer with their best plan) and exits 0.
    /// API: `GET /openapi.json`, README.md.
    #[cfg(feature = "http")]
    Serve(serve::Args),
}

/// Output options shared by the commands.
#[derive(Debug, clap::Args)]
struct Output {
    /// Output format [default: `table` on standard output, `json` with `--out`]
    #[arg(long, short = 'f', value_enum)]
    format: Option<Format>,
    /// Write to this file (atomically) instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

impl Output {
    /// The format asked for, or the natural one for the destination.
    fn format(&self) -> Format {
        self.format.unwrap_or(if self.out.is_some() {
            Format::Json
        } else {
            Format::Table
        })
    }

    /// Refuses `--format xlsx` without `--out` (a workbook is binary), before any work.
    fn check_binary(&self) -> Result<(), ExitCode> {
        if self.format == Some(Format::Xlsx) && self.out.is_none() {
            eprintln!(
                "error: `--format xlsx` writes a binary workbook: give a file with `--out FILE.xlsx`"
            );
            return Err(ExitCode::from(2));
        }
        Ok(())
    }

    /// Writes machine output to `--out` (atomically) or stdout.
    fn emit(&self, text: &str) -> anyhow::Result<()> {
        self.emit_bytes(text.as_bytes())
    }

    /// Writes bytes to `--out` (atomically) or stdout.
    fn emit_bytes(&self, bytes: &[u8]) -> anyhow::Result<()> {
        if let Some(path) = &self.out {
            modstaff::io::write_atomic(path, bytes)
                .map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", path.display()))
        } else {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}

/// Writes an instance file (pretty JSON) to `out` (atomically) or stdout; exit 0.
fn emit_instance(
    raw: &modstaff::io::RawInstance,
    out: Option<std::path::PathBuf>,
) -> anyhow::Result<ExitCode> {
    Output { format: None, out }.emit(&modstaff::report::to_json(raw))?;
    Ok(ExitCode::SUCCESS)
}

/// A `--time-limit`-like option as a duration, or exit code 2 after saying what is wrong.
fn seconds(flag: &str, value: f64) -> Result<std::time::Duration, ExitCode> {
    match std::time::Duration::try_from_secs_f64(value) {
        Ok(d) if !d.is_zero() => Ok(d.min(std::time::Duration::from_secs(365 * 24 * 3600))),
        _ => {
            eprintln!("error: `{flag}` must be a number of seconds greater than 0, found {value}");
            Err(ExitCode::from(2))
        }
    }
}

/// A flag the first Ctrl-C raises (solves then stop with their best plan so far); a second
/// Ctrl-C exits at once with 130.
fn cancel_on_ctrl_c() -> Arc<AtomicBool> {
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    cancel
}

/// Prints load errors the way `validate` does and returns exit code 2.
fn report_load_error(e: &LoadError) -> ExitCode {
    match e {
        LoadError::Invalid { file, diagnostics } => {
            eprint!("{diagnostics}");
            eprintln!(
                "\nerror: invalid input `{file}`: {} error(s), {} warning(s)",
                diagnostics.error_count(),
                diagnostics.warning_count()
            );
        }
        other => eprintln!("error: {other}"),
    }
    ExitCode::from(2)
}

/// Runs the command line and returns the process exit code.
/// When the command started: a solve's time limit counts from here, reading included.
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

fn started() -> std::time::Instant {
    *STARTED.get_or_init(std::time::Instant::now)
}

pub fn run() -> ExitCode {
    started();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_tracing(cli.verbose);
    modstaff::io::set_size_limits(modstaff::io::SizeLimits {
        people: cli.max_people,
        duties: cli.max_duties,
        posts: cli.max_posts,
    });
    let result = match cli.command {
        Command::Solve(args) => solve::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Whatif(args) => whatif::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Recommend(args) => recommend::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Template(args) => sheets::template(&args),
        Command::Report(args) => report::run(&args),
        #[cfg(feature = "http")]
        Command::Serve(args) => serve::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`modstaff ... | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
