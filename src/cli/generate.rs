//! `modstaff generate --staff N --modules M --duties D --seed S [--tight F]
//! [--non-splittable SHARE]`

use std::path::PathBuf;
use std::process::ExitCode;

use modstaff::io::generate::{GenerateSettings, generate};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Number of people
    #[arg(long, default_value_t = 48)]
    staff: usize,
    /// Number of work modules
    #[arg(long, default_value_t = 27)]
    modules: usize,
    /// Number of duties
    #[arg(long, default_value_t = 120)]
    duties: usize,
    /// Random seed (same seed, same instance)
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Demand over supply: total duty hours / total capacity
    #[arg(long, default_value_t = 1.15)]
    tight: f64,
    /// Share of duties that are non-splittable (one person does all of it, or nobody);
    /// 1 makes every duty a packing decision
    #[arg(long, value_name = "SHARE", default_value_t = modstaff::io::generate::DEFAULT_NON_SPLITTABLE)]
    non_splittable: f64,
    /// Write to this file (atomically) instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let settings = GenerateSettings {
        staff: args.staff,
        modules: args.modules,
        duties: args.duties,
        seed: args.seed,
        tight: args.tight,
        non_splittable: args.non_splittable,
    };
    if let Err(e) = settings.validate() {
        eprintln!("error: {e}");
        return Ok(ExitCode::from(2));
    }
    let raw = generate(&settings);
    super::emit_instance(&raw, args.out.clone())
}
