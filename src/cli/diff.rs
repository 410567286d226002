//! `modstaff diff INSTANCE PLAN_A PLAN_B`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use modstaff::io::{load_instance, load_plan};
use modstaff::model::diff::diff;
use modstaff::model::{Instance, Plan, complete};
use modstaff::report::render_diff;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Instance: JSON file (docs/format.md), .xlsx workbook or folder of CSV files
    instance: PathBuf,
    /// The plan to compare against (A)
    plan_a: PathBuf,
    /// The plan compared (B)
    plan_b: PathBuf,
    #[command(flatten)]
    output: super::Output,
}

/// A plan completed by the checker; one that breaks rules is compared as it is, with a warning.
fn plan(inst: &Instance, path: &Path, which: &str) -> Result<Plan, ExitCode> {
    let declared = load_plan(path).map_err(|e| super::report_load_error(&e))?;
    let (plan, report) = complete(inst, &declared);
    if !report.is_valid() {
        eprintln!(
            "warning: plan {which} `{}` breaks {} rule(s) of the instance (see `modstaff check`)",
            path.display(),
            report.violations.len()
        );
    }
    Ok(plan)
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if let Err(code) = args.output.check_binary() {
        return Ok(code);
    }
    let (inst, _warnings) = match load_instance(&args.instance) {
        Ok(v) => v,
        Err(e) => return Ok(super::report_load_error(&e)),
    };
    let a = match plan(&inst, &args.plan_a, "A") {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let b = match plan(&inst, &args.plan_b, "B") {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let d = diff(&inst, &a, &b);
    let format = args.output.format();
    args.output.emit(&render_diff(&inst, &d, format))?;
    Ok(ExitCode::SUCCESS)
}
