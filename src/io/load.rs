//! Reading inputs: an instance from JSON text, a JSON file, a CSV folder or a workbook (chosen
//! by the path), and plans from JSON.

use std::path::Path;

use super::decode;
use super::diagnostic::{Diagnostic, Diagnostics, LoadError, Validated, read_input};
use super::position::PositionIndex;
use super::sheets::{self, InputKind, input_kind};
use super::validate::validate_decoded;
use crate::model::DeclaredPlan;

fn read_text(path: &Path) -> Result<String, LoadError> {
    let bytes = read_input(path)?;
    let file = path.display().to_string();
    // A leading BOM is common in files saved by spreadsheet programs: accept it.
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&bytes)
        .to_vec();
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        LoadError::Invalid {
            file: file.clone(),
            diagnostics: Diagnostics(vec![with_file(
                Diagnostic::error("", format!("not UTF-8 text (bad byte at offset {offset})"))
                    .hint("save the file as UTF-8"),
                &file,
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

/// Reads and parses a plan file.
///
/// # Errors
/// [`LoadError`] as for instances.
pub fn load_plan(path: &Path) -> Result<DeclaredPlan, LoadError> {
    let file = path.display().to_string();
    let text = read_text(path)?;
    parse_plan(&text, &file).map_err(|diagnostics| LoadError::Invalid { file, diagnostics })
}
