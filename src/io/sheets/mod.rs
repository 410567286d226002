//! Instances as spreadsheets: a folder of CSV files or one `.xlsx` workbook, one table per
//! list of the instance file (`staff`, `modules`, `duties`, `counterparts`, `units`, `skills`)
//! plus the instance-wide rules. Plans read back from their workbook or CSV file are in
//! `plan.rs`.
//!
//! Rows are mapped to the same [`RawInstance`] the JSON reader produces and then checked by
//! [`crate::io::validate()`], so every input format obeys one set of rules; the only difference is
//! where a problem is said to be: `staff.csv: row 4, column "skills"` instead of a JSON path.

mod archive;
mod csv;
mod grid;
mod plan;
mod schema;
mod xlsx;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::diagnostic::{Diagnostic, Diagnostics, LoadError, Validated};
use super::raw::{
    RawCounterpart, RawDuty, RawInstance, RawModule, RawRules, RawSkill, RawStaff, RawUnit,
};

pub use archive::{ArchiveLimits, is_workbook, read_csv_zip, read_xlsx_bytes};
pub use grid::{Grid, Location, Stray};
pub use schema::{Column, NOTES_HEADER, RULES, TABLES, Table, notes_rows, template_rows};
pub use xlsx::{ColumnFormat, SheetData, tables_workbook};

pub(crate) use plan::{
    read_folder as read_plan_folder, read_records as read_plan_records,
    read_workbook as read_plan_workbook,
};

/// How an input path is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A folder of CSV files.
    CsvFolder,
    /// An `.xlsx` workbook.
    Xlsx,
    /// An instance JSON file (anything else).
    Json,
}

/// Chooses the reader by the path: a folder is a CSV folder, `*.xlsx` a workbook, anything
/// else JSON.
#[must_use]
pub fn input_kind(path: &Path) -> InputKind {
    if path.is_dir() {
        InputKind::CsvFolder
    } else if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    {
        InputKind::Xlsx
    } else {
        InputKind::Json
    }
}

/// Reads a folder of CSV files into a raw instance, with every problem found.
///
/// # Errors
/// [`LoadError::Io`] when the folder cannot be listed, [`LoadError::Invalid`] otherwise.
pub fn read_csv_folder(dir: &Path) -> Result<(RawInstance, Diagnostics, Sources), LoadError> {
    let input = csv::read_folder(dir)?;
    Ok(map_tables(&input, default_name(dir)))
}

/// Reads an `.xlsx` workbook into a raw instance, with every problem found.
///
/// # Errors
/// [`LoadError::Io`] when the file cannot be read, [`LoadError::Invalid`] when it is no
/// workbook.
pub fn read_xlsx(path: &Path) -> Result<(RawInstance, Diagnostics, Sources), LoadError> {
    let input = xlsx::read_workbook(path)?;
    Ok(map_tables(&input, default_name(path)))
}

/// Reads and validates a CSV folder or workbook, with problems placed at sheet, row and column.
///
/// # Errors
/// As [`crate::io::load_instance`].
pub fn load(path: &Path) -> Result<Validated, LoadError> {
    load_with_raw(path).map(|(_, v)| v)
}

/// As [`load`], also returning the raw instance as read (defaults not filled in), which is
/// what `import` writes.
///
/// # Errors
/// As [`crate::io::load_instance`].
pub fn load_with_raw(path: &Path) -> Result<(RawInstance, Validated), LoadError> {
    let read = match input_kind(path) {
        InputKind::Xlsx => read_xlsx(path)?,
        _ => read_csv_folder(path)?,
    };
    validate_read(read, &path.display().to_string())
}

/// Validates what a reader of sheets read ([`read_xlsx`], [`read_csv_folder`],
/// [`read_xlsx_bytes`], [`read_csv_zip`]), with every problem placed at sheet, row and column;
/// `file` names the input in the error.
///
/// # Errors
/// [`LoadError::Invalid`] with every problem, when any is an error.
pub fn validate_read(
    (raw, mut diags, sources): (RawInstance, Diagnostics, Sources),
    file: &str,
) -> Result<(RawInstance, Validated), LoadError> {
    let file = file.to_owned();
    let result = crate::io::validate::validate(&raw);
    let more = match &result {
        Ok((_, warnings)) => warnings.clone(),
        Err(d) => d.clone(),
    };
    for d in more.0 {
        if !sources.is_echo(&d) {
            diags.push(sources.locate(d));
        }
    }
    match result {
        Ok((inst, _)) if !diags.has_errors() => Ok((raw, (inst, diags))),
        _ => {
            // Errors first, each kind in reading order.
            diags.0.sort_by_key(|d| d.severity);
            Err(LoadError::Invalid {
                file,
                diagnostics: diags,
            })
        }
    }
}

fn default_name(path: &Path) -> String {
    path.file_stem()
        .or_else(|| path.file_name())
        .map_or_else(|| "instance".into(), |s| s.to_string_lossy().into_owned())
}

/// The tables read from one input, before mapping: every grid found, keyed by table name,
/// the rules, and the problems met while reading the files.
pub(crate) struct Input {
    pub(crate) grids: BTreeMap<&'static str, Grid>,
    pub(crate) rules: RulesInput,
    pub(crate) diags: Diagnostics,
    /// The input as a whole, for problems with no better place.
    pub(crate) root: Location,
    /// Tables that are missing or could not be read although they should have been: references
    /// into them are not reported again.
    pub(crate) broken: BTreeSet<&'static str>,
}

/// The rules as read: key/value rows (from a sheet, or from `rules.toml` flattened).
#[derive(Default)]
pub(crate) struct RulesInput {
    /// `(key, value, where)`, in file order.
    pub(crate) entries: Vec<(String, RuleValue, Location)>,
}

/// A rule's value: sheet cells are text; TOML values keep their type.
pub(crate) enum RuleValue {
    Text(String),
    Pair(Vec<String>),
}

/// Where each table and row came from: turns JSON paths from validation into sheet, row and
/// column.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    tables: BTreeMap<&'static str, (Location, Vec<usize>)>,
    rules: BTreeMap<String, Location>,
    conflicts: Vec<Location>,
    root: Location,
    broken: BTreeSet<&'static str>,
}

impl Sources {
    /// Whether `d` only repeats a problem already reported: a reference into a table that is
    /// missing or unreadable.
    #[must_use]
    pub fn is_echo(&self, d: &Diagnostic) -> bool {
        self.broken.iter().any(|t| {
            let what = match *t {
                "modules" => "module",
                "units" => "unit",
                "counterparts" => "counterpart",
                "skills" => "skill",
                _ => return false,
            };
            d.message.starts_with(&format!("unknown {what} `"))
        })
    }

    /// Moves a diagnostic from its JSON path (`staff[3].skills.policy`) to the sheet, row and
    /// column it came from.
    #[must_use]
    pub fn locate(&self, mut d: Diagnostic) -> Diagnostic {
        let (list, index, field) = split_path(&d.path);
        let place = if list == "name" || list == "description" {
            self.rules.get(&list).cloned()
        } else if list == "rules" {
            if field.as_deref() == Some("conflicts") {
                index.and_then(|j| self.conflicts.get(j)).cloned()
            } else {
                field.as_ref().and_then(|f| self.rules.get(f)).cloned()
            }
        } else {
            self.tables.get(list.as_str()).map(|(loc, rows)| {
                let mut loc = loc.clone();
                if let Some(i) = index {
                    loc.row = rows.get(i).copied();
                    loc.column.clone_from(&field);
                }
                loc
            })
        };
        let place = place.unwrap_or_else(|| self.root.clone());
        place.apply(&mut d);
        d
    }
}

/// `staff[3].skills.policy` -> (`staff`, 3, `skills`); `rules.max_posts` -> (`rules`, -,
/// `max_posts`); `rules.conflicts[2][0]` -> (`rules`, 2, `conflicts`).
fn split_path(path: &str) -> (String, Option<usize>, Option<String>) {
    let end = path.find(['.', '[']).unwrap_or(path.len());
    let list = path[..end].to_owned();
    let mut rest = &path[end..];
    let mut index = None;
    let mut field = None;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let e = r.find(['.', '[']).unwrap_or(r.len());
            if field.is_none() {
                field = Some(r[..e].to_owned());
            }
            rest = &r[e..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let e = r.find(']').unwrap_or(r.len());
            let inside = &r[..e];
            if let Ok(i) = inside.parse::<usize>() {
                if index.is_none() {
                    index = Some(i);
                }
            } else if field.is_none() {
                field = serde_json::from_str::<String>(inside).ok();
            }
            rest = r.get(e + 1..).unwrap_or("");
        } else {
            break;
        }
    }
    (list, index, field)
}

/// The columns of a table found in its header row, with problems reported.
fn header(
    grid: &Grid,
    table: &Table,
    diags: &mut Diagnostics,
) -> Option<BTreeMap<&'static str, usize>> {
    let mut map = BTreeMap::new();
    let names: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
    for (j, h) in grid.header().iter().enumerate() {
        let key = h.trim().to_lowercase();
        if key.is_empty() {
            continue;
        }
        if let Some(c) = table.columns.iter().find(|c| c.name == key) {
            if map.insert(c.name, j).is_some() {
                diags.push(
                    grid.at_header(h)
                        .error(format!("column \"{h}\" appears twice"))
                        .hint("keep one column per header"),
                );
            }
        } else {
            let hint = match super::diagnostic::did_you_mean(&key, names.iter().copied()) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => format!(
                    "the columns of {} are {}",
                    table.name,
                    super::diagnostic::quoted_list(names.iter().copied(), 20)
                ),
            };
            diags.push(
                grid.at_header(h)
                    .error(format!("unknown column \"{h}\""))
                    .hint(hint),
            );
        }
    }
    for c in table.columns.iter().filter(|c| c.required) {
        if !map.contains_key(c.name) {
            diags.push(
                grid.at_header(c.name)
                    .error(format!("missing column \"{}\" ({})", c.name, c.meaning))
                    .hint(format!(
                        "the first row holds the headers; {} needs {}",
                        table.name,
                        super::diagnostic::quoted_list(
                            table.columns.iter().filter(|c| c.required).map(|c| c.name),
                            10
                        )
                    )),
            );
        }
    }
    // Unknown extra columns are errors like unknown JSON fields, but the table can still be
    // read so that more problems show at once; only a missing required column stops it.
    let fatal = table
        .columns
        .iter()
        .any(|c| c.required && !map.contains_key(c.name));
    (!fatal).then_some(map)
}

/// Filled cells under no header are errors: a spreadsheet row with one cell too many (an
/// unquoted `,` in a CSV list) would otherwise lose its last value without a word.
fn stray_cells(grid: &Grid, diags: &mut Diagnostics) {
    const SHOWN: usize = 10;
    let all = grid.stray();
    if all.len() > SHOWN {
        diags.push(
            grid.location()
                .error(format!(
                    "{} more filled cells are under no header (the first {SHOWN} follow)",
                    all.len() - SHOWN
                ))
                .hint("delete the columns right of the table, or give them headers"),
        );
    }
    for s in all.iter().take(SHOWN) {
        let loc = Location {
            row: Some(s.row),
            ..grid.location()
        };
        diags.push(
            loc.error(format!(
                "\"{}\" is in {}, which has no header",
                s.text.trim(),
                s.column
            ))
            .hint(
                "separate the items of a list in one cell with `;`, \
                 or give the column a header, or clear the cell",
            ),
        );
    }
}

/// One data row being read: cells by column name, problems reported with their place.
struct RowReader<'a> {
    grid: &'a Grid,
    cols: &'a BTreeMap<&'static str, usize>,
    table: &'a Table,
    r: usize,
    diags: &'a mut Diagnostics,
}

impl RowReader<'_> {
    fn text(&self, name: &str) -> Option<String> {
        let j = *self.cols.get(name)?;
        let s = self.grid.cell(self.r, j).trim();
        (!s.is_empty()).then(|| s.to_owned())
    }

    fn column(&self, name: &str) -> &Column {
        self.table
            .columns
            .iter()
            .find(|c| c.name == name)
            .unwrap_or(&self.table.columns[0])
    }

    fn fail(&mut self, name: &str, found: &str, hint: Option<String>) {
        let c = *self.column(name);
        let d = self
            .grid
            .at(self.r, name)
            .error(format!("expected {}, found \"{found}\"", c.kind));
        self.diags.push(d.maybe_hint(hint));
    }

    fn required(&mut self, name: &str) -> String {
        if let Some(s) = self.text(name) {
            return s;
        }
        let c = *self.column(name);
        let d = self
            .grid
            .at(self.r, name)
            .error(format!("{} is empty: expected {}", name, c.kind))
            .hint(format!(
                "every row of {} needs its {}",
                self.table.name, c.meaning
            ));
        self.diags.push(d);
        String::new()
    }

    fn number(&mut self, name: &str) -> Option<f64> {
        let s = self.text(name)?;
        if let Some(v) = parse_number(&s) {
            Some(v)
        } else {
            self.fail(name, &s, Some(number_hint(&s, "12.5")));
            None
        }
    }

    fn whole(&mut self, name: &str) -> Option<i64> {
        let s = self.text(name)?;
        if let Some(v) = parse_whole(&s) {
            Some(v)
        } else {
            self.fail(name, &s, Some(number_hint(&s, "3")));
            None
        }
    }

    fn boolean(&mut self, name: &str) -> Option<bool> {
        let s = self.text(name)?;
        match s.to_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "是" => Some(true),
            "false" | "no" | "n" | "0" | "否" => Some(false),
            _ => {
                self.fail(
                    name,
                    &s,
                    Some("write `true` or `false`, or leave the cell empty for the default".into()),
                );
                None
            }
        }
    }

    fn list(&self, name: &str) -> Vec<String> {
        self.text(name).map_or_else(Vec::new, |s| split_list(&s))
    }

    fn skills(&mut self, name: &str) -> BTreeMap<String, i64> {
        let mut map = BTreeMap::new();
        let Some(s) = self.text(name) else {
            return map;
        };
        for item in split_list(&s) {
            let parsed = item
                .rsplit_once([':', '：'])
                .and_then(|(k, l)| Some((k.trim(), parse_whole(l.trim())?)))
                .filter(|(k, _)| !k.is_empty());
            if let Some((k, l)) = parsed {
                if map.insert(k.to_owned(), l).is_some() {
                    let d = self
                        .grid
                        .at(self.r, name)
                        .error(format!("skill `{k}` is listed twice"))
                        .hint("give each skill once, with its level");
                    self.diags.push(d);
                }
            } else {
                let hint = if item.contains(['-', '=', ' ']) {
                    format!(
                        "separate skill and level with `:`, e.g. `{}`",
                        item.replace(['-', '=', ' '], ":")
                    )
                } else {
                    "write the level after the skill, e.g. `policy:2`".into()
                };
                let d = self
                    .grid
                    .at(self.r, name)
                    .error(format!(
                        "expected `skill:level` pairs like `policy:2;finance:1`, found \"{item}\""
                    ))
                    .hint(hint);
                self.diags.push(d);
            }
        }
        map
    }
}

/// `a; b;;c` -> `[a, b, c]`. Full-width semicolons (typed with a Chinese input method) count.
/// What to do about text where a number belongs; a workbook cell formatted as a date reads as
/// one (`2023-03-15`), since the day count Excel stores is never meant as hours.
fn number_hint(found: &str, example: &str) -> String {
    let date = found.starts_with("duration ")
        || (found.len() >= 10
            && found.as_bytes()[4] == b'-'
            && found[..4].bytes().all(|b| b.is_ascii_digit()));
    if date {
        "the cell is formatted as a date or time: format it as Number and type the figure again"
            .into()
    } else if example.contains('.') {
        format!("write digits with `.` for decimals, e.g. `{example}`")
    } else {
        format!("write digits only, e.g. `{example}`")
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split([';', '；'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_number(s: &str) -> Option<f64> {
    let v: f64 = s.trim().parse().ok()?;
    v.is_finite().then_some(v)
}

/// A whole number; `3.0` (how a spreadsheet may store 3) is accepted.
fn parse_whole(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(v) = s.parse::<i64>() {
        return Some(v);
    }
    let v: f64 = s.parse().ok()?;
    #[expect(
        clippy::cast_possible_truncation,
        reason = "checked to be whole and in range"
    )]
    (v.fract() == 0.0 && v.abs() < 9.0e15).then_some(v as i64)
}

/// Maps the tables of one input to a raw instance.
fn map_tables(input: &Input, default_name: String) -> (RawInstance, Diagnostics, Sources) {
    let mut diags = input.diags.clone();
    let mut sources = Sources::default();
    let mut raw = RawInstance {
        name: default_name,
        description: None,
        skills: None,
        units: Vec::new(),
        counterparts: Vec::new(),
        staff: Vec::new(),
        modules: Vec::new(),
        duties: Vec::new(),
        rules: None,
    };
    for table in TABLES {
        // A missing or unreadable table was reported by the reader.
        let Some(grid) = input.grids.get(table.name) else {
            continue;
        };
        let mut rows = Vec::new();
        let cols = header(grid, table, &mut diags);
        stray_cells(grid, &mut diags);
        if cols.is_none() {
            sources.broken.insert(table.name);
        }
        if let Some(cols) = cols {
            for r in grid.data_rows() {
                let mut rr = RowReader {
                    grid,
                    cols: &cols,
                    table,
                    r,
                    diags: &mut diags,
                };
                if map_row(&mut raw, table.name, &mut rr) {
                    rows.push(grid.row_number(r));
                }
            }
        }
        if table.name == "skills" {
            raw.skills.get_or_insert_with(Vec::new);
        }
        sources.tables.insert(table.name, (grid.location(), rows));
    }
    let mut rules = RawRules::default();
    let mut any_rule = false;
    for (key, value, loc) in &input.rules.entries {
        let key_l = key.trim().to_lowercase();
        let mut err = |msg: String, hint: Option<String>| {
            let mut d = Diagnostic::error("", msg).maybe_hint(hint);
            loc.apply(&mut d);
            diags.push(d);
        };
        let text = match value {
            RuleValue::Text(s) => s.trim().to_owned(),
            RuleValue::Pair(p) => p.join(";"),
        };
        let rule = RULES.iter().find(|c| c.name == key_l);
        let Some(rule) = rule else {
            let names = RULES.iter().map(|c| c.name);
            let hint = match super::diagnostic::did_you_mean(&key_l, names.clone()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("rules are {}", super::diagnostic::quoted_list(names, 10)),
            };
            err(format!("unknown rule `{key}`"), Some(hint));
            continue;
        };
        if key_l != "conflict" {
            sources.rules.insert(key_l.clone(), loc.clone());
        }
        let bad = |s: &str| format!("expected {}, found \"{s}\"", rule.kind);
        match key_l.as_str() {
            "name" => raw.name = text,
            "description" => raw.description = (!text.is_empty()).then_some(text),
            "conflict" => {
                let pair = match value {
                    RuleValue::Pair(p) => p.clone(),
                    RuleValue::Text(s) => split_list(s),
                };
                any_rule = true;
                sources.conflicts.push(loc.clone());
                rules.conflicts.push(pair);
            }
            "max_posts" | "max_liaisons" => match parse_whole(&text) {
                Some(v) => {
                    any_rule = true;
                    if key_l == "max_posts" {
                        rules.max_posts = Some(v);
                    } else {
                        rules.max_liaisons = Some(v);
                    }
                }
                None => err(bad(&text), Some("write digits only, e.g. `3`".into())),
            },
            _ => match parse_number(&text) {
                Some(v) => {
                    any_rule = true;
                    if key_l == "liaison_weight" {
                        rules.liaison_weight = Some(v);
                    } else {
                        rules.min_staff_weight = Some(v);
                    }
                }
                None => err(bad(&text), Some("write a number, e.g. `8`".into())),
            },
        }
    }
    if any_rule {
        raw.rules = Some(rules);
    }
    sources.root = input.root.clone();
    sources.broken.extend(input.broken.iter().copied());
    (raw, diags, sources)
}

/// Maps one data row; false when the row is dropped (a required cell is unreadable).
fn map_row(raw: &mut RawInstance, table: &str, r: &mut RowReader<'_>) -> bool {
    match table {
        "staff" => {
            let p = RawStaff {
                id: r.text("id").unwrap_or_default(),
                name: r.text("name"),
                unit: r.text("unit"),
                capacity: r.number("capacity"),
                skills: r.skills("skills"),
                max_posts: r.whole("max_posts"),
                max_liaisons: r.whole("max_liaisons"),
                current_posts: r.list("current_posts"),
                fixed_posts: r.list("fixed_posts"),
                unavailable: r.list("unavailable"),
            };
            raw.staff.push(p);
        }
        "modules" => {
            let m = RawModule {
                id: r.text("id").unwrap_or_default(),
                name: r.text("name"),
                unit: r.text("unit"),
                min_staff: r.whole("min_staff"),
                max_staff: r.whole("max_staff"),
                counterparts: r.list("counterparts"),
            };
            raw.modules.push(m);
        }
        "duties" => {
            let id = r.text("id").unwrap_or_default();
            let module = r.required("module");
            let hours = if r.text("hours").is_some() {
                r.number("hours")
            } else {
                r.required("hours");
                None
            };
            let d = RawDuty {
                id,
                name: r.text("name"),
                module,
                hours: hours.unwrap_or(0.0),
                skill: r.text("skill"),
                min_level: r.whole("min_level"),
                weight: r.number("weight"),
                splittable: r.boolean("splittable"),
                tags: r.list("tags"),
            };
            // Nothing refers to a duty, so dropping one without hours hides no other problem.
            if hours.is_none() {
                return false;
            }
            raw.duties.push(d);
        }
        "counterparts" => raw.counterparts.push(RawCounterpart {
            id: r.text("id").unwrap_or_default(),
            name: r.text("name"),
            bureau: r.text("bureau"),
        }),
        "units" => raw.units.push(RawUnit {
            id: r.text("id").unwrap_or_default(),
            name: r.text("name"),
            headcount_cap: r.whole("headcount_cap"),
        }),
        "skills" => raw.skills.get_or_insert_with(Vec::new).push(RawSkill {
            id: r.text("id").unwrap_or_default(),
            name: r.text("name"),
        }),
        _ => return false,
    }
    true
}

/// The cells of each table for a raw instance, header row first.
#[must_use]
pub fn tables_of(raw: &RawInstance) -> Vec<(&'static Table, Vec<Vec<Cell>>)> {
    let mut out = Vec::new();
    for table in TABLES {
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        let t = |s: &str| Cell::Text(s.to_owned());
        let o = |s: &Option<String>| Cell::Text(s.clone().unwrap_or_default());
        let n = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);
        #[expect(clippy::cast_precision_loss, reason = "counts are small")]
        let w = |v: Option<i64>| v.map_or(Cell::Empty, |x| Cell::Number(x as f64));
        let l = |v: &[String]| Cell::Text(v.join(";"));
        match table.name {
            "staff" => {
                for p in &raw.staff {
                    let skills = p
                        .skills
                        .iter()
                        .map(|(k, v)| format!("{k}:{v}"))
                        .collect::<Vec<_>>();
                    rows.push(vec![
                        t(&p.id),
                        o(&p.name),
                        o(&p.unit),
                        n(p.capacity),
                        Cell::Text(skills.join(";")),
                        w(p.max_posts),
                        w(p.max_liaisons),
                        l(&p.current_posts),
                        l(&p.fixed_posts),
                        l(&p.unavailable),
                    ]);
                }
            }
            "modules" => {
                for m in &raw.modules {
                    rows.push(vec![
                        t(&m.id),
                        o(&m.name),
                        o(&m.unit),
                        w(m.min_staff),
                        w(m.max_staff),
                        l(&m.counterparts),
                    ]);
                }
            }
            "duties" => {
                for d in &raw.duties {
                    rows.push(vec![
                        t(&d.id),
                        o(&d.name),
                        t(&d.module),
                        Cell::Number(d.hours),
                        o(&d.skill),
                        w(d.min_level),
                        n(d.weight),
                        d.splittable.map_or(Cell::Empty, Cell::Bool),
                        l(&d.tags),
                    ]);
                }
            }
            "counterparts" => {
                for c in &raw.counterparts {
                    rows.push(vec![t(&c.id), o(&c.name), o(&c.bureau)]);
                }
            }
            "units" => {
                for u in &raw.units {
                    rows.push(vec![t(&u.id), o(&u.name), w(u.headcount_cap)]);
                }
            }
            "skills" => {
                // Without a catalogue any skill id is allowed: write no table, so that reading
                // back gives the same instance.
                let Some(skills) = &raw.skills else { continue };
                for k in skills {
                    rows.push(vec![t(&k.id), o(&k.name)]);
                }
            }
            _ => continue,
        }
        out.push((table, rows));
    }
    out
}

/// The rules of a raw instance as `(key, value)` rows (`conflict` once per pair).
#[must_use]
pub fn rules_of(raw: &RawInstance) -> Vec<(&'static str, Cell)> {
    let mut out = vec![("name", Cell::Text(raw.name.clone()))];
    if let Some(d) = &raw.description {
        out.push(("description", Cell::Text(d.clone())));
    }
    if let Some(r) = &raw.rules {
        #[expect(clippy::cast_precision_loss, reason = "counts are small")]
        let w = |v: i64| Cell::Number(v as f64);
        if let Some(v) = r.max_posts {
            out.push(("max_posts", w(v)));
        }
        if let Some(v) = r.max_liaisons {
            out.push(("max_liaisons", w(v)));
        }
        if let Some(v) = r.liaison_weight {
            out.push(("liaison_weight", Cell::Number(v)));
        }
        if let Some(v) = r.min_staff_weight {
            out.push(("min_staff_weight", Cell::Number(v)));
        }
        for c in &r.conflicts {
            out.push(("conflict", Cell::Text(c.join(";"))));
        }
    }
    out
}

/// One cell to write.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A number (written in full precision).
    Number(f64),
    /// A truth value.
    Bool(bool),
}

impl Cell {
    /// The cell as CSV text; numbers in the shortest form that reads back the same.
    #[must_use]
    pub fn to_text(&self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::Text(s) => s.clone(),
            Self::Number(v) => format!("{v}"),
            Self::Bool(b) => b.to_string(),
        }
    }
}

/// Writes a raw instance as a folder of CSV files (made if needed).
///
/// # Errors
/// The I/O error, with the path.
pub fn write_csv_folder(raw: &RawInstance, dir: &Path) -> anyhow::Result<()> {
    csv::write_folder(raw, dir, false)
}

/// Writes a raw instance as an `.xlsx` workbook.
///
/// # Errors
/// The I/O error, with the path.
pub fn write_xlsx(raw: &RawInstance, path: &Path) -> anyhow::Result<()> {
    xlsx::write_instance(raw, path, false)
}

/// Writes the empty template (headers, one example row, notes) as a CSV folder.
///
/// # Errors
/// The I/O error, with the path.
pub fn write_csv_template(dir: &Path) -> anyhow::Result<()> {
    csv::write_folder(&template_instance(), dir, true)
}

/// Writes the empty template (headers, one example row, notes) as an `.xlsx` workbook.
///
/// # Errors
/// The I/O error, with the path.
pub fn write_xlsx_template(path: &Path) -> anyhow::Result<()> {
    xlsx::write_instance(&template_instance(), path, true)
}

/// The template's example as an instance: one row per table, from the columns' examples.
fn template_instance() -> RawInstance {
    let mut input = Input {
        grids: BTreeMap::new(),
        rules: RulesInput::default(),
        diags: Diagnostics::default(),
        root: Location::default(),
        broken: BTreeSet::new(),
    };
    for table in TABLES {
        let header = table.columns.iter().map(|c| c.name.to_owned()).collect();
        let example = template_rows(table).iter().map(Cell::to_text).collect();
        input.grids.insert(
            table.name,
            Grid::new(Location::default(), vec![header, example], vec![1, 2]),
        );
    }
    for r in RULES.iter().filter(|r| !r.example.is_empty()) {
        input.rules.entries.push((
            r.name.to_owned(),
            RuleValue::Text(r.example.to_owned()),
            Location::default(),
        ));
    }
    map_tables(&input, "template".into()).0
}
