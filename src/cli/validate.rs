//! `modstaff validate INSTANCE...`

use std::path::PathBuf;
use std::process::ExitCode;

use modstaff::io::{Diagnostics, LoadError, load_instance};
use modstaff::report::{self, Format, ValidationOutput};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Instances: JSON files (docs/format.md), .xlsx workbooks or folders of CSV files
    #[arg(required = true, value_name = "INSTANCE")]
    instances: Vec<PathBuf>,
    /// `table` prints messages and a summary; `json` prints one result object per file
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if args.format == Format::Xlsx {
        eprintln!("error: `validate` writes `table` or `json`; `--format xlsx` is for plans");
        return Ok(ExitCode::from(2));
    }
    let mut failed = false;
    let mut json = Vec::new();
    for path in &args.instances {
        let result = load_instance(path);
        if args.format == Format::Json {
            let (valid, diagnostics, summary) = match &result {
                Ok((inst, warnings)) => {
                    (true, warnings.clone(), Some(report::summary_counts(inst)))
                }
                Err(LoadError::Invalid { diagnostics, .. }) => (false, diagnostics.clone(), None),
                Err(e) => {
                    let d = modstaff::io::Diagnostic::error("", e.to_string());
                    (false, Diagnostics(vec![d]), None)
                }
            };
            failed |= !valid;
            json.push(serde_json::to_value(ValidationOutput {
                valid,
                diagnostics: &diagnostics,
                summary,
            })?);
            continue;
        }
        match result {
            Ok((inst, warnings)) => {
                eprint!("{warnings}");
                println!(
                    "ok: {}: {}",
                    path.display(),
                    report::instance_summary(&inst)
                );
            }
            Err(e) => {
                failed = true;
                let _ = super::report_load_error(&e);
            }
        }
    }
    if args.format == Format::Json {
        let value = if json.len() == 1 {
            json.pop().unwrap_or_default()
        } else {
            serde_json::Value::Array(json)
        };
        print!("{}", report::to_json(&value));
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
