//! Command line: clap definitions and one file per subcommand. Exit codes as SPEC section 4:
//! 0 success, 1 a requested check failed, 2 bad input or usage.

mod check;
mod generate;
mod import;
mod solve;
mod validate;
mod whatif;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

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
Docs: README.md; file formats: SPEC.md."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Find a plan: who holds which posts, who works which hours, who liaises with whom
    ///
    /// Prints the plan (per person, per module, uncovered duties with reasons, objective and
    /// gap) or writes it with `--out` (JSON as in SPEC section 3 by default for files). Stops
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
    /// Convert another format into an instance
    ///
    /// `import mkp FILE`: a multiple knapsack instance (one person per knapsack, one
    /// non-splittable duty per item). Bad input is reported with its line and column (exit 2).
    Import(import::Args),
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

    /// Writes machine output to `--out` (atomically) or stdout.
    fn emit(&self, text: &str) -> anyhow::Result<()> {
        match &self.out {
            Some(path) => modstaff::io::write_atomic(path, text.as_bytes())
                .map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", path.display())),
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes())?;
                out.flush()?;
                Ok(())
            }
        }
    }
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
pub fn run() -> ExitCode {
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
    let result = match cli.command {
        Command::Solve(args) => solve::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Whatif(args) => whatif::run(&args),
        Command::Import(args) => import::run(&args),
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
