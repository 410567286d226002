//! `modstaff report INSTANCE PLAN|BATCH.jsonl [--out report.html]`

use std::path::PathBuf;
use std::process::ExitCode;

use modstaff::io::{load_instance, read_plan};
use modstaff::model::complete;
use modstaff::model::diff::diff;
use modstaff::report::html;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Instance: JSON file, .xlsx workbook or folder of CSV files
    instance: PathBuf,
    /// Plan (JSON, CSV or .xlsx workbook, as `solve --out` writes them), or a what-if batch
    /// (`.jsonl`, as `whatif --format jsonl` writes)
    plan: PathBuf,
    /// Write the HTML page to this file (atomically) instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
    /// Language of the page (`en`, `zh`, ...) [default: `zh` when most names are in Chinese
    /// characters, else `en`]
    #[arg(long, value_name = "TAG", value_parser = lang_tag)]
    lang: Option<String>,
    /// Another plan of the instance to compare with: who moves between the two, the tiers,
    /// duties covered or uncovered anew
    #[arg(long, value_name = "PLAN")]
    against: Option<PathBuf>,
}

/// A language tag as HTML takes it: letters, digits and `-`.
fn lang_tag(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 35
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(s.to_owned())
    } else {
        Err("a language tag such as `en`, `zh` or `zh-Hans`".into())
    }
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let (inst, _warnings) = match load_instance(&args.instance) {
        Ok(v) => v,
        Err(e) => return Ok(super::report_load_error(&e)),
    };
    let batch = args
        .plan
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
    let mut options = html::Options {
        lang: args.lang.clone(),
        against: None,
    };
    let page = if batch {
        let text = match fs_err::read_to_string(&args.plan) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::from(2));
            }
        };
        match html::parse_batch(&text) {
            Ok(rows) if !rows.is_empty() => html::batch_report(&inst, &rows, &options),
            Ok(_) => {
                eprintln!("error: `{}` has no scenario", args.plan.display());
                return Ok(ExitCode::from(2));
            }
            Err(e) => {
                eprintln!(
                    "error: {}: {e} (hint: write it with `modstaff whatif ... --format jsonl`)",
                    args.plan.display()
                );
                return Ok(ExitCode::from(2));
            }
        }
    } else {
        let plan = match read_plan(&args.plan) {
            Ok((p, warnings)) => {
                eprint!("{warnings}");
                p
            }
            Err(e) => return Ok(super::report_load_error(&e)),
        };
        let (plan, report) = complete(&inst, &plan);
        if plan.instance != inst.name {
            eprintln!(
                "warning: the plan is for instance `{}`, not `{}`",
                plan.instance, inst.name
            );
        }
        if !report.is_valid() {
            eprintln!(
                "warning: the plan breaks {} rule(s) of the instance (see `modstaff check`); \
                 the report shows it as it is",
                report.violations.len()
            );
        }
        if let Some(path) = &args.against {
            let other = match read_plan(path) {
                Ok((p, warnings)) => {
                    eprint!("{warnings}");
                    p
                }
                Err(e) => return Ok(super::report_load_error(&e)),
            };
            let (other, report) = complete(&inst, &other);
            if !report.is_valid() {
                eprintln!(
                    "warning: `{}` breaks {} rule(s) of the instance (see `modstaff check`)",
                    path.display(),
                    report.violations.len()
                );
            }
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            options.against = Some((name, diff(&inst, &other, &plan)));
        }
        html::plan_report(&inst, &plan, &options)
    };
    let output = super::Output {
        format: None,
        out: args.out.clone(),
    };
    output.emit(&page)?;
    Ok(ExitCode::SUCCESS)
}
