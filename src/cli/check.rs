//! `modstaff check INSTANCE PLAN`

use std::path::PathBuf;
use std::process::ExitCode;

use modstaff::io::{load_instance, read_plan};
use modstaff::model::verify_declared;
use modstaff::report::render_check;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Instance: JSON file (docs/format.md), .xlsx workbook or folder of CSV files
    instance: PathBuf,
    /// Plan: JSON file (docs/format.md), the CSV file or .xlsx workbook `solve` writes, or a
    /// folder of the workbook's sheets as CSV files
    plan: PathBuf,
    #[command(flatten)]
    output: super::Output,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if args.output.format == Some(modstaff::report::Format::Xlsx) {
        eprintln!("error: `check` writes table, json, csv or md; `--format xlsx` is for plans");
        return Ok(ExitCode::from(2));
    }
    let (inst, _warnings) = match load_instance(&args.instance) {
        Ok(v) => v,
        Err(e) => return Ok(super::report_load_error(&e)),
    };
    let plan = match read_plan(&args.plan) {
        Ok((p, warnings)) => {
            eprint!("{warnings}");
            p
        }
        Err(e) => return Ok(super::report_load_error(&e)),
    };
    let report = verify_declared(&inst, &plan);
    args.output
        .emit(&render_check(&report, args.output.format()))?;
    if report.is_valid() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "error: plan `{}` breaks {} rule(s) of instance `{}`",
            args.plan.display(),
            report.violations.len(),
            args.instance.display()
        );
        Ok(ExitCode::from(1))
    }
}
