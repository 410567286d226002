//! One `.xlsx` workbook: a sheet per table, a `rules` sheet of `key`/`value` rows, and a
//! `notes` sheet (ignored on reading) explaining every column.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use calamine::{Data, Reader, Xlsx, XlsxError, open_workbook};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet};

use super::grid::{Grid, Location};
use super::{Cell, Input, NOTES_HEADER, RULES, RuleValue, RulesInput, TABLES, tables_of};
use crate::io::diagnostic::{Diagnostics, LoadError};
use crate::io::raw::RawInstance;
use crate::io::write::write_atomic;

/// A cell as text; numbers in the shortest form that reads back the same.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => format!("{}", dt.as_f64()),
        Data::Error(e) => format!("{e}"),
    }
}

pub(crate) fn read_workbook(path: &Path) -> Result<Input, LoadError> {
    let file = path.display().to_string();
    let mut book: Xlsx<_> = match open_workbook(path) {
        Ok(b) => b,
        Err(XlsxError::Io(source)) => return Err(LoadError::Io { path: file, source }),
        Err(e) => {
            let d = Location {
                file: file.clone(),
                ..Location::default()
            }
            .error(format!("not an .xlsx workbook: {e}"))
            .hint("save the file as \"Excel Workbook (.xlsx)\"");
            return Err(LoadError::Invalid {
                file,
                diagnostics: Diagnostics(vec![d]),
            });
        }
    };
    let root = Location {
        file: file.clone(),
        ..Location::default()
    };
    let mut input = Input {
        grids: BTreeMap::new(),
        rules: RulesInput::default(),
        diags: Diagnostics::default(),
        root: root.clone(),
        broken: std::collections::BTreeSet::new(),
    };
    let names = book.sheet_names();
    let mut rules_grid = None;
    for name in &names {
        let key = name.trim().to_lowercase();
        let table = TABLES.iter().find(|t| t.name == key).map(|t| t.name);
        if table.is_none() && key != "rules" {
            // Notes and the planner's own scratch sheets are not part of the instance.
            continue;
        }
        let loc = Location {
            sheet: Some(name.clone()),
            ..root.clone()
        };
        let range = match book.worksheet_range(name) {
            Ok(r) => r,
            Err(e) => {
                input
                    .diags
                    .push(loc.error(format!("cannot read the sheet: {e}")));
                if let Some(t) = table {
                    input.broken.insert(t);
                }
                continue;
            }
        };
        let first = range.start().map_or(0, |(r, _)| r as usize);
        let mut rows = Vec::new();
        let mut numbers = Vec::new();
        for (i, row) in range.rows().enumerate() {
            rows.push(row.iter().map(cell_text).collect());
            numbers.push(first + i + 1);
        }
        let grid = Grid::new(loc, rows, numbers);
        match table {
            Some(t) => {
                input.grids.insert(t, grid);
            }
            None => rules_grid = Some(grid),
        }
    }
    for t in TABLES.iter().filter(|t| t.required) {
        if !input.grids.contains_key(t.name) && !input.broken.contains(t.name) {
            input.broken.insert(t.name);
            let hint =
                match crate::io::diagnostic::did_you_mean(t.name, names.iter().map(String::as_str))
                {
                    Some(s) => format!("rename the sheet `{s}` to `{}`", t.name),
                    None => "a workbook needs the sheets staff, modules and duties; \
                         `modstaff template --format xlsx` writes them"
                        .into(),
                };
            input.diags.push(
                root.error(format!("no sheet named `{}`", t.name))
                    .hint(hint),
            );
        }
    }
    if let Some(grid) = rules_grid {
        read_rules(&grid, &mut input);
    }
    Ok(input)
}

fn read_rules(grid: &Grid, input: &mut Input) {
    let find = |h: &str| {
        grid.header()
            .iter()
            .position(|x| x.trim().eq_ignore_ascii_case(h))
    };
    let (Some(k), Some(v)) = (find("key"), find("value")) else {
        input.diags.push(
            grid.at_header("key")
                .error("the rules sheet needs the columns \"key\" and \"value\"")
                .hint("write `key` and `value` in the first row, then one rule per row"),
        );
        return;
    };
    for r in grid.data_rows() {
        let key = grid.cell(r, k).trim();
        if key.is_empty() {
            continue;
        }
        input.rules.entries.push((
            key.to_owned(),
            RuleValue::Text(grid.cell(r, v).to_owned()),
            grid.at(r, "value"),
        ));
    }
}

/// Display width of text: CJK characters take two columns.
fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Column widths from the content, within reason.
pub(crate) fn fit_columns(ws: &mut Worksheet, widths: &[usize]) -> anyhow::Result<()> {
    for (j, w) in widths.iter().enumerate() {
        #[expect(clippy::cast_precision_loss, reason = "small widths")]
        let w = ((*w).clamp(6, 60) + 2) as f64;
        ws.set_column_width(u16::try_from(j)?, w)?;
    }
    Ok(())
}

/// How a column's cells are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnFormat {
    /// As written.
    General,
    /// Text, so that typed ids like `001` stay text.
    Text,
    /// Numbers as percentages.
    Percent,
    /// Numbers with two decimals.
    Hours,
}

/// Writes a header row (bold, frozen, filtered) and data rows, with widths set.
pub(crate) fn write_sheet(
    ws: &mut Worksheet,
    header: &[&str],
    rows: &[Vec<Cell>],
    formats: &[ColumnFormat],
) -> anyhow::Result<()> {
    let bold = Format::new()
        .set_bold()
        .set_background_color(0x00DD_EBF7)
        .set_align(FormatAlign::Center);
    let text = Format::new().set_num_format("@");
    let percent = Format::new().set_num_format("0%");
    let decimals = Format::new().set_num_format("0.##");
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for (j, h) in header.iter().enumerate() {
        let j16 = u16::try_from(j)?;
        match formats.get(j).copied().unwrap_or(ColumnFormat::General) {
            ColumnFormat::General => {}
            ColumnFormat::Text => {
                ws.set_column_format(j16, &text)?;
            }
            ColumnFormat::Percent => {
                ws.set_column_format(j16, &percent)?;
            }
            ColumnFormat::Hours => {
                ws.set_column_format(j16, &decimals)?;
            }
        }
        ws.write_string_with_format(0, j16, *h, &bold)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = u32::try_from(i + 1)?;
        for (j, c) in row.iter().enumerate() {
            let j16 = u16::try_from(j)?;
            match c {
                Cell::Empty => {}
                Cell::Text(s) => {
                    ws.write_string(r, j16, s)?;
                }
                Cell::Number(v) => {
                    ws.write_number(r, j16, *v)?;
                }
                Cell::Bool(b) => {
                    ws.write_boolean(r, j16, *b)?;
                }
            }
            if let Some(w) = widths.get_mut(j) {
                *w = (*w).max(width(&c.to_text()));
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    if !header.is_empty() {
        ws.autofilter(
            0,
            0,
            u32::try_from(rows.len())?,
            u16::try_from(header.len() - 1)?,
        )?;
    }
    fit_columns(ws, &widths)
}

pub(crate) fn write_instance(raw: &RawInstance, path: &Path, template: bool) -> anyhow::Result<()> {
    let mut book = Workbook::new();
    for (table, rows) in tables_of(raw) {
        let ws = book.add_worksheet();
        ws.set_name(table.name)?;
        let header: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
        let text: Vec<ColumnFormat> = table
            .columns
            .iter()
            .map(|c| {
                if c.kind.contains("number") || c.kind.starts_with("true") {
                    ColumnFormat::General
                } else {
                    ColumnFormat::Text
                }
            })
            .collect();
        write_sheet(ws, &header, &rows, &text)?;
    }
    let ws = book.add_worksheet();
    ws.set_name("rules")?;
    let rows: Vec<Vec<Cell>> = super::rules_of(raw)
        .into_iter()
        .map(|(k, v)| {
            let meaning = RULES.iter().find(|c| c.name == k).map_or("", |c| c.meaning);
            vec![Cell::Text(k.into()), v, Cell::Text(meaning.into())]
        })
        .collect();
    write_sheet(
        ws,
        &["key", "value", "meaning"],
        &rows,
        &[
            ColumnFormat::Text,
            ColumnFormat::General,
            ColumnFormat::Text,
        ],
    )?;
    if template {
        let ws = book.add_worksheet();
        ws.set_name("notes")?;
        let rows: Vec<Vec<Cell>> = super::notes_rows()
            .into_iter()
            .map(|r| r.into_iter().map(Cell::Text).collect())
            .collect();
        write_sheet(ws, &NOTES_HEADER, &rows, &[])?;
    }
    let bytes = book.save_to_buffer()?;
    write_atomic(path, &bytes).with_context(|| format!("cannot write `{}`", path.display()))
}

/// A workbook of plain tables: `(sheet name, header, column formats, rows)`.
///
/// # Errors
/// When a sheet name is invalid or the workbook cannot be assembled.
pub fn tables_workbook(sheets: &[SheetData]) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    for s in sheets {
        let ws = book.add_worksheet();
        ws.set_name(&s.name)?;
        let header: Vec<&str> = s.header.iter().map(String::as_str).collect();
        write_sheet(ws, &header, &s.rows, &s.formats)?;
    }
    Ok(book.save_to_buffer()?)
}

/// One sheet of [`tables_workbook`].
#[derive(Clone, Debug, Default)]
pub struct SheetData {
    /// Sheet name (at most 31 characters, no `[]:*?/\`).
    pub name: String,
    /// Column headers.
    pub header: Vec<String>,
    /// How each column is shown.
    pub formats: Vec<ColumnFormat>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

impl SheetData {
    /// An empty sheet with these columns.
    #[must_use]
    pub fn new(name: &str, columns: &[(&str, ColumnFormat)]) -> Self {
        Self {
            name: name.to_owned(),
            header: columns.iter().map(|c| c.0.to_owned()).collect(),
            formats: columns.iter().map(|c| c.1).collect(),
            rows: Vec::new(),
        }
    }
}
