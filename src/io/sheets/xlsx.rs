//! One `.xlsx` workbook: a sheet per table, a `rules` sheet of `key`/`value` rows, and a
//! `notes` sheet (ignored on reading) explaining every column.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use calamine::{DataRef, Reader, Xlsx, XlsxError, open_workbook};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet};

use super::grid::{Grid, Location, Stray};
use super::{Cell, Input, NOTES_HEADER, RULES, RuleValue, RulesInput, TABLES, tables_of};
use crate::io::diagnostic::{Diagnostic, Diagnostics, LoadError};
use crate::io::raw::RawInstance;
use crate::io::write::write_atomic;

/// The most filled cells one sheet may hold: about 100 times the largest instance a bureau
/// or a province would fill in, and far below what would exhaust memory.
pub const MAX_SHEET_CELLS: usize = 20_000_000;

/// The widest header a table may have: every table has fewer than 20 columns.
const MAX_COLUMNS: u32 = 256;

/// A cell as text; numbers in the shortest form that reads back the same. Dates and times stay
/// dates (`2023-03-15`), so that a date typed into an hours cell is refused, not read as the
/// day count Excel stores (45000 hours).
fn cell_text(d: &DataRef<'_>) -> String {
    match d {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Float(f) => format!("{f}"),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if dt.is_duration() {
                format!("duration {}", dt.as_f64())
            } else if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        DataRef::Error(e) => format!("{e}"),
    }
}

/// Column letters as a spreadsheet shows them (0 is `A`, 26 is `AA`).
fn column_letters(mut j: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + u8::try_from(j % 26).unwrap_or(0));
        if j < 26 {
            break;
        }
        j = j / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// One sheet read cell by cell, keeping only filled cells: a single far cell (`XFD1048576`)
/// must not turn into a dense range of a billion empty ones. The first filled row is the
/// header; cells right of its last header are strays, reported rather than kept.
pub(super) fn read_sheet<RS: std::io::Read + std::io::Seek>(
    book: &mut Xlsx<RS>,
    name: &str,
    loc: &Location,
) -> Result<Grid, Box<Diagnostic>> {
    let unreadable = |e: XlsxError| Box::new(loc.error(format!("cannot read the sheet: {e}")));
    let mut reader = book.worksheet_cells_reader(name).map_err(unreadable)?;
    let mut filled: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    let mut count = 0usize;
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let text = cell_text(cell.get_value());
        if text.trim().is_empty() {
            continue;
        }
        count += 1;
        if count > MAX_SHEET_CELLS {
            return Err(Box::new(
                loc.error(format!(
                    "the sheet has more than {MAX_SHEET_CELLS} filled cells"
                ))
                .hint("an instance this large belongs in a JSON file; check for a sheet filled by mistake"),
            ));
        }
        let (r, c) = cell.get_position();
        filled.entry(r).or_default().push((c, text));
    }
    let mut rows_in = filled.into_iter();
    let Some((header_row, header_cells)) = rows_in.next() else {
        return Ok(Grid::new(loc.clone(), Vec::new(), Vec::new()));
    };
    let width = header_cells.iter().map(|&(c, _)| c + 1).max().unwrap_or(0);
    if width > MAX_COLUMNS {
        return Err(Box::new(
            loc.cell(header_row as usize + 1, &column_letters(width - 1))
                .error(format!(
                    "the header row reaches column {}; a table has at most {MAX_COLUMNS} columns",
                    column_letters(width - 1)
                ))
                .hint("clear the cells right of the table's headers"),
        ));
    }
    let dense = |cells: Vec<(u32, String)>, stray: &mut Vec<Stray>, row: usize| {
        let mut out = vec![String::new(); width as usize];
        for (c, text) in cells {
            match out.get_mut(c as usize) {
                Some(slot) => *slot = text,
                None => stray.push(Stray {
                    row,
                    column: format!("column {}", column_letters(c)),
                    text,
                }),
            }
        }
        out
    };
    let mut stray = Vec::new();
    let mut rows = vec![dense(header_cells, &mut stray, header_row as usize + 1)];
    let mut numbers = vec![header_row as usize + 1];
    for (r, cells) in rows_in {
        rows.push(dense(cells, &mut stray, r as usize + 1));
        numbers.push(r as usize + 1);
    }
    // Cells under an empty header inside the width are found by the grid itself.
    let inner = Grid::new(loc.clone(), rows, numbers);
    let mut all: Vec<Stray> = inner.stray().to_vec();
    all.extend(stray);
    all.sort_by_key(|s| s.row);
    Ok(inner.replace_stray(all))
}

pub(crate) fn read_workbook(path: &Path) -> Result<Input, LoadError> {
    let file = path.display().to_string();
    match open_workbook(path) {
        Ok(book) => read_book(book, file),
        Err(XlsxError::Io(source)) => Err(LoadError::Io { path: file, source }),
        Err(e) => Err(not_a_workbook(file, &e)),
    }
}

/// Reads a workbook from its bytes; `file` names it in messages.
pub(crate) fn read_workbook_bytes(bytes: &[u8], file: &str) -> Result<Input, LoadError> {
    match Xlsx::new(std::io::Cursor::new(bytes)) {
        Ok(book) => read_book(book, file.to_owned()),
        Err(e) => Err(not_a_workbook(file.to_owned(), &e)),
    }
}

fn not_a_workbook(file: String, e: &XlsxError) -> LoadError {
    let d = Location {
        file: file.clone(),
        ..Location::default()
    }
    .error(format!("not an .xlsx workbook: {e}"))
    .hint("save the file as \"Excel Workbook (.xlsx)\"");
    LoadError::Invalid {
        file,
        diagnostics: Diagnostics(vec![d]),
    }
}

fn read_book<RS: std::io::Read + std::io::Seek>(
    mut book: Xlsx<RS>,
    file: String,
) -> Result<Input, LoadError> {
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
    let has = |s: &str| names.iter().any(|n| n.trim().eq_ignore_ascii_case(s));
    if has("assignments") && !has("staff") {
        return Err(LoadError::Invalid {
            file,
            diagnostics: Diagnostics(vec![plan_given(&root)]),
        });
    }
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
        let grid = match read_sheet(&mut book, name, &loc) {
            Ok(g) => g,
            Err(d) => {
                input.diags.push(*d);
                if let Some(t) = table {
                    input.broken.insert(t);
                }
                continue;
            }
        };
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

/// A plan's workbook or folder given where the instance belongs (the arguments swapped): one
/// clear message rather than an error per column of the plan's sheets.
pub(super) fn plan_given(root: &Location) -> Diagnostic {
    root.error("this is a plan (it has assignments and no staff), not an instance")
        .hint("give the instance first and the plan second, e.g. `modstaff check INSTANCE PLAN`")
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
