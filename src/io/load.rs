//! Reading inputs: an instance from JSON text, a JSON file, a CSV folder or a workbook (chosen
//! by the path), and a plan from JSON, the plan CSV file, the plan workbook or a folder of its
//! sheets (chosen by the path and the file's first bytes).

use std::path::Path;

use super::decode;
use super::diagnostic::{Diagnostic, Diagnostics, LoadError, Validated, read_input};
use super::position::PositionIndex;
use super::sheets::{self, InputKind, input_kind};
use super::validate::validate_decoded;
use crate::model::DeclaredPlan;

fn read_text(path: &Path) -> Result<String, LoadError> {
    let bytes = read_input(path)?;
    decode_text(&bytes, &path.display().to_string())
}

fn decode_text(bytes: &[u8], file: &str) -> Result<String, LoadError> {
    // A leading BOM is common in files saved by spreadsheet programs: accept it.
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(bytes)
        .to_vec();
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        LoadError::Invalid {
            file: file.to_owned(),
            diagnostics: Diagnostics(vec![with_file(
                Diagnostic::error("", format!("not UTF-8 text (bad byte at offset {offset})"))
                    .hint("save the file as UTF-8"),
                file,
            )]),
        }
    })
}

fn with_file(mut d: Diagnostic, file: &str) -> Diagnostic {
    file.clone_into(&mut d.file);
    d
}

/// Labels every problem with its file and puts them in reading order: errors first, then
/// warnings, each in the order they appear in the file.
fn set_file(mut diags: Diagnostics, file: &str) -> Diagnostics {
    for d in &mut diags.0 {
        file.clone_into(&mut d.file);
    }
    diags
        .0
        .sort_by_key(|d| (d.severity, d.line.unwrap_or(0), d.column.unwrap_or(0)));
    diags
}

/// Parses and validates instance JSON text. `file` labels the messages (may be empty).
///
/// # Errors
/// Every problem found, when any is an error.
pub fn parse_instance(text: &str, file: &str) -> Result<Validated, Diagnostics> {
    let positions = PositionIndex::new(text);
    let (raw, diags) = decode::decode(text, &positions);
    let result = match raw {
        Some((raw, origins)) => validate_decoded(&raw, &origins, Some(&positions), diags),
        None => Err(diags),
    };
    match result {
        Ok((inst, warnings)) => Ok((inst, set_file(warnings, file))),
        Err(d) => Err(set_file(d, file)),
    }
}

/// As [`parse_instance`], also returning the raw instance as read (defaults not filled in),
/// as [`super::sheets::load_with_raw`] does for sheets.
///
/// # Errors
/// Every problem found, when any is an error.
pub fn parse_instance_raw(
    text: &str,
    file: &str,
) -> Result<(super::RawInstance, Validated), Diagnostics> {
    let positions = PositionIndex::new(text);
    let (raw, diags) = decode::decode(text, &positions);
    let Some((raw, origins)) = raw else {
        return Err(set_file(diags, file));
    };
    match validate_decoded(&raw, &origins, Some(&positions), diags) {
        Ok((inst, warnings)) => Ok((raw, (inst, set_file(warnings, file)))),
        Err(d) => Err(set_file(d, file)),
    }
}

/// Reads, parses and validates an instance: a folder of CSV files, an `.xlsx` workbook
/// (see [`super::sheets`]) or a JSON file, chosen by the path.
///
/// # Errors
/// [`LoadError::Io`] when unreadable, [`LoadError::Invalid`] with every problem otherwise.
pub fn load_instance(path: &Path) -> Result<Validated, LoadError> {
    if input_kind(path) != InputKind::Json {
        return sheets::load(path);
    }
    let file = path.display().to_string();
    let text = read_text(path)?;
    parse_instance(&text, &file).map_err(|diagnostics| LoadError::Invalid { file, diagnostics })
}

/// Parses a plan: as `solve` writes it, or minimal (posts and assignments; every other
/// member optional). The first problem is reported.
///
/// # Errors
/// The problem, with its path and position.
pub fn parse_plan(text: &str, file: &str) -> Result<DeclaredPlan, Diagnostics> {
    decode::typed_json::<DeclaredPlan>(text).map_err(|d| Diagnostics(vec![with_file(*d, file)]))
}

/// Reads and parses a plan: a JSON file, the plan CSV file, the plan workbook or a folder
/// of its sheets (see [`read_plan`]).
///
/// # Errors
/// [`LoadError`] as for instances.
pub fn load_plan(path: &Path) -> Result<DeclaredPlan, LoadError> {
    read_plan(path).map(|(plan, _)| plan)
}

/// Reads a plan with its warnings. A folder holds the plan workbook's sheets as CSV files; a
/// file is a workbook when it is a zip archive (as every `.xlsx` is) or named `.xlsx`, the
/// one-record-per-line CSV when named `.csv` or when it starts with its `record` header, and
/// JSON otherwise. Read from sheets, a plan declares its posts, assignments and liaisons only:
/// the figures written beside them are the tool's own and are recomputed.
///
/// # Errors
/// [`LoadError::Io`] when unreadable, [`LoadError::Invalid`] with every problem otherwise.
pub fn read_plan(path: &Path) -> Result<(DeclaredPlan, Diagnostics), LoadError> {
    if path.is_dir() {
        return sheets::read_plan_folder(path);
    }
    let bytes = read_input(path)?;
    parse_plan_file(&bytes, &path.display().to_string())
}

/// How a plan file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PlanKind {
    Workbook,
    /// An Excel 97-2003 `.xls` (a compound document), which is not read.
    OldExcel,
    Csv,
    Json,
}

/// The first bytes decide before the name does: a workbook renamed `plan.json` is still a
/// workbook, and must not be reported as text that is not UTF-8.
fn plan_kind(bytes: &[u8], file: &str) -> PlanKind {
    let ext = Path::new(file)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if bytes.starts_with(b"PK\x03\x04") || ext == "xlsx" {
        return PlanKind::Workbook;
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) || ext == "xls" {
        return PlanKind::OldExcel;
    }
    match ext.as_str() {
        "csv" => return PlanKind::Csv,
        "json" => return PlanKind::Json,
        _ => {}
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = text.trim_ascii_start();
    if text.len() >= 6 && text[..6].eq_ignore_ascii_case(b"record") {
        PlanKind::Csv
    } else {
        PlanKind::Json
    }
}

/// Parses a plan file from its bytes, as [`read_plan`] does; `file` is its name (its
/// extension counts) and labels the messages.
///
/// # Errors
/// [`LoadError::Invalid`] with every problem found.
pub fn parse_plan_file(bytes: &[u8], file: &str) -> Result<(DeclaredPlan, Diagnostics), LoadError> {
    match plan_kind(bytes, file) {
        PlanKind::Workbook => sheets::read_plan_workbook(bytes, file),
        PlanKind::Csv => sheets::read_plan_records(bytes, file),
        PlanKind::OldExcel => Err(LoadError::Invalid {
            file: file.to_owned(),
            diagnostics: Diagnostics(vec![with_file(
                Diagnostic::error("", "an Excel 97-2003 workbook (.xls), which is not read")
                    .hint("save it as \"Excel Workbook (.xlsx)\""),
                file,
            )]),
        }),
        PlanKind::Json => {
            let text = decode_text(bytes, file)?;
            parse_plan(&text, file)
                .map(|plan| (plan, Diagnostics::default()))
                .map_err(|diagnostics| LoadError::Invalid {
                    file: file.to_owned(),
                    diagnostics,
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_kind_by_bytes_then_name() {
        assert_eq!(
            plan_kind(b"PK\x03\x04rest", "plan.json"),
            PlanKind::Workbook
        );
        assert_eq!(plan_kind(b"{}", "plan.xlsx"), PlanKind::Workbook);
        assert_eq!(plan_kind(b"\xD0\xCF\x11\xE0", "plan"), PlanKind::OldExcel);
        assert_eq!(plan_kind(b"{}", "plan.csv"), PlanKind::Csv);
        assert_eq!(
            plan_kind(b"\xEF\xBB\xBF Record,person", "plan.txt"),
            PlanKind::Csv
        );
        assert_eq!(plan_kind(b"record", "plan.json"), PlanKind::Json);
        assert_eq!(plan_kind(b" {\"posts\": []}", "plan"), PlanKind::Json);
        assert_eq!(plan_kind(b"", "plan"), PlanKind::Json);
    }
}
