//! `modstaff check INSTANCE PLAN`

use std::path::PathBuf;
use std::process::ExitCode;

use modstaff::io::{load_instance, load_plan};
use modstaff::model::verify_declared;
use modstaff::report::render_check;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Instance: JSON file (docs/format.md), .xlsx workbook or folder of CSV files
    instance: PathBuf,
    /// Plan file (JSON, docs/format.md)
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
    let plan = match load_plan(&args.plan) {
        Ok(p) => p,
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
