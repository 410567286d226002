//! `modstaff import csv|xlsx|mkp PATH [--out INSTANCE]`: other formats into an instance JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use super::sheets::{self, SheetFormat};

/// What `import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ImportKind {
    /// A folder of CSV files (`staff.csv`, `modules.csv`, `duties.csv`, ...).
    Csv,
    /// One `.xlsx` workbook with a sheet per table.
    Xlsx,
    /// A multiple knapsack instance (Dell'Amico et al. 2019 format): one person per knapsack,
    /// one non-splittable duty per item.
    Mkp,
}

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// What to read: `csv` (a folder), `xlsx` (a workbook) or `mkp` (a knapsack file)
    #[arg(value_enum)]
    kind: ImportKind,
    /// The folder or file
    path: PathBuf,
    /// Write the instance JSON to this file (atomically) instead of standard output
    #[arg(long, short = 'o', value_name = "INSTANCE")]
    out: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let sheet = match args.kind {
        ImportKind::Csv => SheetFormat::Csv,
        ImportKind::Xlsx => SheetFormat::Xlsx,
        ImportKind::Mkp => return mkp(args),
    };
    sheets::import(sheet, &args.path, args.out.clone())
}

/// `m`, `n`, m capacities, then n lines `weight profit`. Each knapsack becomes a person (its
/// capacity, `max_posts` 1), each item a non-splittable duty of one module (`hours` its weight,
/// `weight` profit / weight), so tier 1 is the total profit minus the profit packed.
fn mkp(args: &Args) -> anyhow::Result<ExitCode> {
    let raw = match modstaff::io::mkp::load_mkp(&args.path) {
        Ok((raw, _)) => raw,
        Err(e) => return Ok(super::report_load_error(&e)),
    };
    super::emit_instance(&raw, args.out.clone())
}
