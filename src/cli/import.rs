//! `modstaff import mkp FILE [--out INSTANCE]`: convert other formats into an instance.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    format: Format,
}

#[derive(Debug, clap::Subcommand)]
enum Format {
    /// A multiple knapsack instance (Dell'Amico et al. 2019 format)
    ///
    /// `m`, `n`, m capacities, then n lines `weight profit`. Each knapsack becomes a person
    /// (its capacity, `max_posts` 1), each item a non-splittable duty of one module (`hours`
    /// its weight, `weight` profit / weight), so tier 1 is the total profit minus the profit
    /// packed.
    Mkp {
        /// The MKP file
        file: PathBuf,
        /// Write the instance to this file (atomically) instead of standard output
        #[arg(long, short = 'o', value_name = "INSTANCE")]
        out: Option<PathBuf>,
    },
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    match &args.format {
        Format::Mkp { file, out } => {
            let raw = match modstaff::io::mkp::load_mkp(file) {
                Ok((raw, _)) => raw,
                Err(e) => return Ok(super::report_load_error(&e)),
            };
            let mut text = serde_json::to_string_pretty(&raw)?;
            text.push('\n');
            let output = super::Output {
                format: Some(modstaff::report::Format::Json),
                out: out.clone(),
            };
            output.emit(&text)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
