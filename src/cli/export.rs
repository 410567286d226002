//! `modstaff export csv|xlsx|lp|mps INSTANCE --out PATH`: an instance as spreadsheets
//! (`cli::sheets`), or its tier-1 model as a mixed-integer program for another solver.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use modstaff::io::{load_instance, mip};

use super::sheets::{self, SheetFormat};

/// What `export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ExportKind {
    /// A folder of CSV files (`staff.csv`, `modules.csv`, `duties.csv`, ...)
    Csv,
    /// One `.xlsx` workbook with a sheet per table
    Xlsx,
    /// The tier-1 model in CPLEX LP format (`.lp`), for HiGHS, Gurobi, CPLEX or SCIP
    Lp,
    /// The tier-1 model in free MPS format (`.mps`)
    Mps,
}

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// What to write: `csv` (a folder), `xlsx` (a workbook), `lp` or `mps` (the tier-1 model
    /// as a mixed-integer program, docs/models.md)
    #[arg(value_enum)]
    kind: ExportKind,
    /// The instance (JSON, workbook or CSV folder)
    instance: PathBuf,
    /// The folder, workbook or model file to write
    #[arg(long, short = 'o', value_name = "PATH")]
    out: PathBuf,
}

/// Refuses a model file path that does not end in the format's extension (or names a
/// folder), before anything is read or written: `m.lp` given to `mps` is a mistake.
fn model_mismatch(ext: &str, path: &Path) -> Option<String> {
    let (format, what) = if ext == "lp" {
        ("lp", "CPLEX LP")
    } else {
        ("mps", "free MPS")
    };
    if path.is_dir() {
        return Some(format!(
            "`{}` is a folder; {format} writes the tier-1 model to one `.{ext}` file",
            path.display()
        ));
    }
    let matches = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(ext));
    (!matches).then(|| {
        format!(
            "`{}` does not end in `.{ext}`; {format} writes the tier-1 model in {what} format",
            path.display()
        )
    })
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let ext = match args.kind {
        ExportKind::Csv => return sheets::export(SheetFormat::Csv, &args.instance, &args.out),
        ExportKind::Xlsx => return sheets::export(SheetFormat::Xlsx, &args.instance, &args.out),
        ExportKind::Lp => "lp",
        ExportKind::Mps => "mps",
    };
    if let Some(m) = model_mismatch(ext, &args.out) {
        eprintln!("error: {m}");
        return Ok(ExitCode::from(2));
    }
    let (inst, warnings) = match load_instance(&args.instance) {
        Ok(v) => v,
        Err(e) => return Ok(super::report_load_error(&e)),
    };
    eprint!("{warnings}");
    let model = mip::tier1(&inst);
    let text = if args.kind == ExportKind::Lp {
        mip::to_lp(&model)
    } else {
        mip::to_mps(&model)
    };
    modstaff::io::write_atomic(&args.out, text.as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", args.out.display()))?;
    eprintln!(
        "wrote `{}`: the tier-1 model, {} columns ({} binary), {} rows, {} nonzeros",
        args.out.display(),
        model.columns.len(),
        model.columns.iter().filter(|c| c.binary).count(),
        model.rows.len(),
        model.nonzeros()
    );
    Ok(ExitCode::SUCCESS)
}
