//! A folder of CSV files: `staff.csv`, `modules.csv`, `duties.csv`, optional
//! `counterparts.csv`, `units.csv`, `skills.csv` and `rules.toml`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use super::grid::{Grid, Location};
use super::{Input, RULES, RuleValue, RulesInput, TABLES, tables_of};
use crate::io::diagnostic::{Diagnostic, Diagnostics, LoadError, read_input};
use crate::io::raw::RawInstance;
use crate::io::write::write_folder_atomic;

/// Finds `name` in the folder, ignoring case (`Staff.csv` saved by a spreadsheet program).
pub(super) fn find(entries: &[String], name: &str) -> Option<String> {
    entries
        .iter()
        .find(|e| *e == name)
        .or_else(|| entries.iter().find(|e| e.eq_ignore_ascii_case(name)))
        .cloned()
}

/// UTF-8 text without a BOM, or the place of the first bad byte.
pub(super) fn utf8(bytes: &[u8], loc: &Location) -> Result<String, Box<Diagnostic>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        // An error path over one file: a byte-counting crate would not pay for itself.
        #[allow(clippy::naive_bytecount)]
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        Location {
            line: Some(line),
            ..loc.clone()
        }
        .error(format!("not UTF-8 text (bad byte at offset {at})"))
        .hint("save as \"CSV UTF-8\" (Excel) or choose the UTF-8 character set when saving")
        .into()
    })
}

pub(crate) fn read_folder(dir: &Path) -> Result<Input, LoadError> {
    let io_err = |source| LoadError::Io {
        path: dir.display().to_string(),
        source,
    };
    let entries: Vec<String> = std::fs::read_dir(dir)
        .map_err(io_err)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    read_files(&dir.display().to_string(), entries, &mut |name: &str| {
        read_input(&dir.join(name))
    })
}

/// Reads the tables of a CSV folder from its files: `folder` names it in messages (a path,
/// or `team.zip/team` for a folder in an archive), `entries` are the names of its files and
/// `read` gives the bytes of one of them.
pub(crate) fn read_files(
    folder: &str,
    mut entries: Vec<String>,
    read: &mut dyn FnMut(&str) -> Result<Vec<u8>, LoadError>,
) -> Result<Input, LoadError> {
    let dir = Path::new(folder);
    entries.sort();
    let root = Location {
        file: folder.to_owned(),
        ..Location::default()
    };
    if find(&entries, "assignments.csv").is_some() && find(&entries, "staff.csv").is_none() {
        return Err(LoadError::Invalid {
            file: root.file.clone(),
            diagnostics: Diagnostics(vec![super::xlsx::plan_given(&root)]),
        });
    }
    let mut input = Input {
        grids: BTreeMap::new(),
        rules: RulesInput::default(),
        diags: Diagnostics::default(),
        root,
        broken: std::collections::BTreeSet::new(),
    };
    for table in TABLES {
        let name = format!("{}.csv", table.name);
        let Some(found) = find(&entries, &name) else {
            if table.required {
                input.broken.insert(table.name);
                input.diags.push(missing_table(dir, &entries, &name));
            }
            continue;
        };
        let loc = Location {
            file: dir.join(&found).display().to_string(),
            ..Location::default()
        };
        let bytes = read(&found)?;
        let text = match utf8(&bytes, &loc) {
            Ok(t) => t,
            Err(d) => {
                input.diags.push(*d);
                input.broken.insert(table.name);
                continue;
            }
        };
        match parse_csv(&text, &loc) {
            Ok(grid) => {
                input.grids.insert(table.name, grid);
            }
            Err(d) => {
                input.diags.push(*d);
                input.broken.insert(table.name);
            }
        }
    }
    if let Some(found) = find(&entries, "rules.toml") {
        let loc = Location {
            file: dir.join(&found).display().to_string(),
            ..Location::default()
        };
        let bytes = read(&found)?;
        read_rules(&bytes, loc, &mut input);
    }
    Ok(input)
}

/// A required table's file is not in the folder: point at a likely misnamed file rather than
/// only saying what is missing.
fn missing_table(dir: &Path, entries: &[String], name: &str) -> Diagnostic {
    let csvs = entries
        .iter()
        .filter(|e| e.to_lowercase().ends_with(".csv"))
        .map(String::as_str);
    let hint = match crate::io::diagnostic::did_you_mean(name, csvs) {
        Some(s) => format!("rename `{s}` to `{name}`"),
        None => format!(
            "an instance needs staff.csv, modules.csv and duties.csv; \
             `modstaff template --format csv --out {}` writes them",
            dir.display()
        ),
    };
    Location {
        file: dir.join(name).display().to_string(),
        ..Location::default()
    }
    .error(format!("no {name} in the folder"))
    .hint(hint)
}

pub(super) fn parse_csv(text: &str, loc: &Location) -> Result<Grid, Box<Diagnostic>> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut numbers = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| usize::try_from(p.line()).unwrap_or(0));
            let d = Location {
                line,
                ..loc.clone()
            }
            .error(format!("not readable as CSV: {e}"))
            .hint("check the quotes: a cell that starts with `\"` must end with `\"`");
            Box::new(d)
        })?;
        // The row number a spreadsheet program shows: records, not lines (a quoted cell may
        // span lines).
        rows.push(record.iter().map(str::to_owned).collect());
        numbers.push(rows.len());
    }
    Ok(Grid::new(loc.clone(), rows, numbers))
}

fn read_rules(bytes: &[u8], loc: Location, input: &mut Input) {
    let text = match utf8(bytes, &loc) {
        Ok(t) => t,
        Err(d) => {
            input.diags.push(*d);
            return;
        }
    };
    let table: toml::Table = match toml::from_str(&text) {
        Ok(t) => t,
        Err(e) => {
            let line = e
                .span()
                .and_then(|s| text.get(..s.start))
                .map(|before| before.matches('\n').count() + 1);
            input.diags.push(
                Location { line, ..loc }
                    .error(format!("not valid TOML: {}", e.message().trim()))
                    .hint("write one `key = value` per line, text in quotes: `name = \"局\"`"),
            );
            return;
        }
    };
    let at = |key: String| Location {
        key: Some(key),
        ..loc.clone()
    };
    for (key, value) in table {
        if key == "conflicts" {
            match value {
                toml::Value::Array(pairs) => {
                    for (j, pair) in pairs.into_iter().enumerate() {
                        let ids = match pair {
                            toml::Value::Array(ids) => ids
                                .into_iter()
                                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                                .collect(),
                            other => vec![other.to_string()],
                        };
                        input.rules.entries.push((
                            "conflict".into(),
                            RuleValue::Pair(ids),
                            at(format!("conflicts[{j}]")),
                        ));
                    }
                }
                other => input.diags.push(
                    at(key)
                        .error(format!("expected a list of module pairs, found {other}"))
                        .hint("write `conflicts = [[\"m1\", \"m2\"], [\"m3\", \"m4\"]]`"),
                ),
            }
            continue;
        }
        if key == "conflict" {
            input.diags.push(
                at(key)
                    .error("unknown rule `conflict`")
                    .hint("in rules.toml write `conflicts = [[\"m1\", \"m2\"]]`"),
            );
            continue;
        }
        let text = match &value {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        input
            .rules
            .entries
            .push((key.clone(), RuleValue::Text(text), at(key)));
    }
}

/// CSV text of a table: a UTF-8 BOM first so that Excel shows Chinese text correctly.
fn csv_text(header: &[&str], rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// Writes the folder all or nothing (see [`write_folder_atomic`]): a full disk midway must not
/// leave a mix of old and new tables, which would be a different, likely invalid, instance.
pub(crate) fn write_folder(raw: &RawInstance, dir: &Path, template: bool) -> anyhow::Result<()> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (table, rows) in tables_of(raw) {
        let header: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.iter().map(super::Cell::to_text).collect())
            .collect();
        files.push((format!("{}.csv", table.name), csv_text(&header, &rows)?));
    }
    files.push(("rules.toml".into(), rules_toml(raw, template).into_bytes()));
    if template {
        let rows: Vec<Vec<String>> = super::notes_rows()
            .into_iter()
            .map(|r| r.to_vec())
            .collect();
        files.push(("notes.csv".into(), csv_text(&super::NOTES_HEADER, &rows)?));
    }
    // Without a catalogue there is no skills.csv; one left from an earlier export would make
    // the folder a different instance.
    let stale: &[&str] = if files.iter().any(|(n, _)| n == "skills.csv") {
        &[]
    } else {
        &["skills.csv"]
    };
    write_folder_atomic(dir, &files, stale)
}

fn rules_toml(raw: &RawInstance, template: bool) -> String {
    let mut s = String::new();
    if template {
        s.push_str(
            "# Instance-wide rules (optional file). Every key is optional; see notes.csv.\n",
        );
    }
    let string = |v: &str| toml::Value::String(v.to_owned()).to_string();
    let rules = raw.rules.clone().unwrap_or_default();
    for c in RULES {
        if template {
            let _ = writeln!(s, "\n# {}: {} ({})", c.name, c.meaning, c.kind);
        }
        let value = match c.name {
            "name" => Some(string(&raw.name)),
            "description" => raw.description.as_deref().map(string),
            "max_posts" => rules.max_posts.map(|v| v.to_string()),
            "max_liaisons" => rules.max_liaisons.map(|v| v.to_string()),
            "liaison_weight" => rules
                .liaison_weight
                .map(|v| toml::Value::Float(v).to_string()),
            "min_staff_weight" => rules
                .min_staff_weight
                .map(|v| toml::Value::Float(v).to_string()),
            _ => {
                if rules.conflicts.is_empty() {
                    if template {
                        s.push_str("# conflicts = [[\"m-a\", \"m-b\"], [\"m-c\", \"m-d\"]]\n");
                    }
                    continue;
                }
                let pairs: Vec<String> = rules
                    .conflicts
                    .iter()
                    .map(|p| {
                        let ids: Vec<String> = p.iter().map(|i| string(i)).collect();
                        format!("[{}]", ids.join(", "))
                    })
                    .collect();
                let _ = writeln!(s, "conflicts = [{}]", pairs.join(", "));
                continue;
            }
        };
        if let Some(v) = value {
            let _ = writeln!(s, "{} = {v}", c.name);
        }
    }
    s
}
