//! `modstaff import csv|xlsx PATH` (called by `cli::import`), `modstaff export csv|xlsx
//! INSTANCE --out PATH` (called by `cli::export`) and `modstaff template --format csv|xlsx
//! --out PATH`: instances as spreadsheets.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use modstaff::io::sheets::{self, InputKind, input_kind};
use modstaff::io::{load_instance, to_raw};

/// Spreadsheet forms of an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SheetFormat {
    /// A folder of CSV files (`staff.csv`, `modules.csv`, `duties.csv`, ...).
    Csv,
    /// One `.xlsx` workbook with a sheet per table.
    Xlsx,
}

#[derive(Debug, clap::Args)]
pub(crate) struct TemplateArgs {
    /// `csv` (a folder of CSV files and rules.toml) or `xlsx` (one workbook)
    #[arg(long, short = 'f', value_enum)]
    format: SheetFormat,
    /// The folder or workbook to write
    #[arg(long, short = 'o', value_name = "PATH")]
    out: PathBuf,
}

fn usage(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// Refuses a path that does not match the kind asked for, before anything is read or written.
fn kind_mismatch(kind: SheetFormat, path: &Path, reading: bool) -> Option<String> {
    match kind {
        SheetFormat::Csv if path.is_file() => Some(format!(
            "`{}` is a file; csv {} a folder of CSV files",
            path.display(),
            if reading { "reads" } else { "writes" }
        )),
        SheetFormat::Xlsx
            if !path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) =>
        {
            Some(format!(
                "`{}` does not end in `.xlsx`; xlsx {} a workbook",
                path.display(),
                if reading { "reads" } else { "writes" }
            ))
        }
        _ => None,
    }
}

pub(crate) fn import(
    kind: SheetFormat,
    path: &Path,
    out: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    if let Some(m) = kind_mismatch(kind, path, true) {
        return Ok(usage(&m));
    }
    if kind == SheetFormat::Csv && !path.is_dir() {
        return Ok(usage(&format!(
            "cannot read `{}`: no such folder",
            path.display()
        )));
    }
    // One validation path for every format: the same checks (and messages placed at sheet,
    // row and column) as `validate`.
    let (raw, (_, warnings)) = match sheets::load_with_raw(path) {
        Ok(v) => v,
        Err(e) => return Ok(super::report_load_error(&e)),
    };
    eprint!("{warnings}");
    super::emit_instance(&raw, out)
}

/// Writes the instance at `instance` as a CSV folder or a workbook at `out`.
pub(crate) fn export(kind: SheetFormat, instance: &Path, out: &Path) -> anyhow::Result<ExitCode> {
    if let Some(m) = kind_mismatch(kind, out, false) {
        return Ok(usage(&m));
    }
    let (inst, warnings) = match load_instance(instance) {
        Ok(v) => v,
        Err(e) => return Ok(super::report_load_error(&e)),
    };
    eprint!("{warnings}");
    let raw = to_raw(&inst);
    match kind {
        SheetFormat::Csv => sheets::write_csv_folder(&raw, out)?,
        SheetFormat::Xlsx => sheets::write_xlsx(&raw, out)?,
    }
    eprintln!("wrote `{}`", out.display());
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn template(args: &TemplateArgs) -> anyhow::Result<ExitCode> {
    if let Some(m) = kind_mismatch(args.format, &args.out, false) {
        return Ok(usage(&m));
    }
    match args.format {
        SheetFormat::Csv => sheets::write_csv_template(&args.out)?,
        SheetFormat::Xlsx => sheets::write_xlsx_template(&args.out)?,
    }
    // The template must itself be a valid instance: check it the way a planner's file is.
    if let Err(e) = load_instance(&args.out) {
        let _ = super::report_load_error(&e);
        anyhow::bail!(
            "the template written to `{}` does not validate",
            args.out.display()
        );
    }
    let what = if input_kind(&args.out) == InputKind::Xlsx {
        "workbook"
    } else {
        "folder"
    };
    eprintln!(
        "wrote the template {what} `{}`: fill in the tables, then `modstaff validate {}`",
        args.out.display(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
