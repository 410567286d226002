//! A table as read from a CSV file or a sheet: rows of cell text, each with the row number a
//! spreadsheet program shows, so that messages point at the right place.

use crate::io::diagnostic::Diagnostic;

/// Where something is in a spreadsheet input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// The file (`team/staff.csv`, `team.xlsx`, `team/rules.toml`).
    pub file: String,
    /// The sheet, in a workbook.
    pub sheet: Option<String>,
    /// 1-based row, as a spreadsheet program numbers it (the header is row 1).
    pub row: Option<usize>,
    /// Column header.
    pub column: Option<String>,
    /// Key, in `rules.toml`.
    pub key: Option<String>,
    /// 1-based line, in `rules.toml`.
    pub line: Option<usize>,
}

impl Location {
    /// `sheet "staff", row 4, column "skills"`; empty when nothing more than the file is known.
    #[must_use]
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = &self.sheet {
            parts.push(format!("sheet \"{s}\""));
        }
        if let Some(r) = self.row {
            parts.push(format!("row {r}"));
        }
        if let Some(c) = &self.column {
            parts.push(format!("column \"{c}\""));
        }
        if let Some(k) = &self.key {
            parts.push(format!("`{k}`"));
        }
        if let Some(l) = self.line {
            parts.push(format!("line {l}"));
        }
        parts.join(", ")
    }

    /// Puts `d` here: the file, and the place in it instead of a JSON path.
    pub fn apply(&self, d: &mut Diagnostic) {
        if !self.file.is_empty() {
            d.file.clone_from(&self.file);
        }
        let place = self.describe();
        if !place.is_empty() || !self.file.is_empty() {
            d.path = place;
        }
        d.line = None;
        d.column = None;
    }

    /// An error here.
    #[must_use]
    pub fn error(&self, message: impl Into<String>) -> Diagnostic {
        let mut d = Diagnostic::error("", message);
        self.apply(&mut d);
        d
    }

    /// The same place with a row and column.
    #[must_use]
    pub fn cell(&self, row: usize, column: &str) -> Self {
        Self {
            row: Some(row),
            column: Some(column.to_owned()),
            ..self.clone()
        }
    }
}

/// One table: the header row and data rows as text.
#[derive(Clone, Debug)]
pub struct Grid {
    loc: Location,
    rows: Vec<Vec<String>>,
    numbers: Vec<usize>,
    stray: Vec<Stray>,
}

/// A filled cell in a column without a header: its value would otherwise be dropped unseen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stray {
    /// The row number a spreadsheet program shows.
    pub row: usize,
    /// Where the cell is in its row: `column I` in a workbook, `cell 9` in a CSV row.
    pub column: String,
    /// The cell's text.
    pub text: String,
}

impl Grid {
    /// A table from `loc`, its rows (the first is the header) and each row's number; cells
    /// under no header are kept aside as strays, named by their position in the row.
    #[must_use]
    pub fn new(loc: Location, mut rows: Vec<Vec<String>>, numbers: Vec<usize>) -> Self {
        let mut stray = Vec::new();
        let headed = |h: Option<&String>| h.is_some_and(|h| !h.trim().is_empty());
        if let Some((header, data)) = rows.split_first_mut() {
            for (i, row) in data.iter_mut().enumerate() {
                for (j, cell) in row.iter_mut().enumerate() {
                    if !cell.trim().is_empty() && !headed(header.get(j)) {
                        stray.push(Stray {
                            row: numbers.get(i + 1).copied().unwrap_or(i + 2),
                            column: format!("cell {}", j + 1),
                            text: std::mem::take(cell),
                        });
                    }
                }
                row.truncate(header.len());
            }
        }
        Self {
            loc,
            rows,
            numbers,
            stray,
        }
    }

    /// The same table with `stray` as its strays (a workbook reader adds those it found
    /// right of the header).
    #[must_use]
    pub fn replace_stray(self, stray: Vec<Stray>) -> Self {
        Self { stray, ..self }
    }

    /// Filled cells under no header.
    #[must_use]
    pub fn stray(&self) -> &[Stray] {
        &self.stray
    }

    /// The file (and sheet) of the table.
    #[must_use]
    pub fn location(&self) -> Location {
        self.loc.clone()
    }

    /// The header cells (none for an empty table).
    #[must_use]
    pub fn header(&self) -> &[String] {
        self.rows.first().map_or(&[], Vec::as_slice)
    }

    /// Indexes of the data rows that have any text (blank rows are skipped).
    pub fn data_rows(&self) -> impl Iterator<Item = usize> + '_ {
        (1..self.rows.len()).filter(|&r| self.rows[r].iter().any(|c| !c.trim().is_empty()))
    }

    /// The text of cell (`r`, `j`); empty past the end of a short row.
    #[must_use]
    pub fn cell(&self, r: usize, j: usize) -> &str {
        self.rows
            .get(r)
            .and_then(|row| row.get(j))
            .map_or("", String::as_str)
    }

    /// The row number a spreadsheet program shows for row index `r`.
    #[must_use]
    pub fn row_number(&self, r: usize) -> usize {
        self.numbers.get(r).copied().unwrap_or(r + 1)
    }

    /// The place of a cell of data row `r`, by column header.
    #[must_use]
    pub fn at(&self, r: usize, column: &str) -> Location {
        self.loc.cell(self.row_number(r), column)
    }

    /// The place of a header cell.
    #[must_use]
    pub fn at_header(&self, column: &str) -> Location {
        self.loc.cell(self.row_number(0), column)
    }
}
