//! The `modstaff` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    modstaff_cli::run()
}

#[path = "cli/mod.rs"]
mod modstaff_cli;
