//! Plans as spreadsheets, read back: the plan workbook `solve --format xlsx` writes (or its
//! sheets saved as CSV files in one folder), and the one-record-per-line CSV file
//! `solve --format csv` writes.
//!
//! Only the plan itself is read: its posts, assignments and liaisons. Every other sheet and
//! record (summary, objective, people, modules, uncovered, changes, ...) holds figures the
//! tool derived from them. After a person's edits those are stale, so they are recomputed and
//! never compared: a plan read from sheets declares no figures.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::path::Path;

use calamine::{Reader, Xlsx};

use super::csv::{find, parse_csv, utf8};
use super::grid::{Grid, Location};
use super::schema::{Column, Table, col};
use super::xlsx::read_sheet;
use super::{RowReader, header, split_list, stray_cells};
use crate::io::diagnostic::{Diagnostic, Diagnostics, LoadError, did_you_mean, read_input};
use crate::model::{Assignment, DeclaredPlan, Liaison, Post};

const STAFF_ID: &str = "a person id";
const MODULE_ID: &str = "a module id";
const NOT_READ: &str = "text (not read: recomputed)";

/// The `posts` sheet: one row per post.
const POSTS: Table = Table {
    name: "posts",
    required: true,
    columns: &[
        col("person", true, STAFF_ID, "person holding the post", ""),
        col("module", true, MODULE_ID, "module of the post", ""),
        col("person name", false, NOT_READ, "person's name", ""),
        col("module name", false, NOT_READ, "module's name", ""),
    ],
};

/// The `assignments` sheet: one row per person and duty.
const ASSIGNMENTS: Table = Table {
    name: "assignments",
    required: true,
    columns: &[
        col("person", true, STAFF_ID, "person doing the work", ""),
        col("duty", true, "a duty id", "duty worked on", ""),
        col(
            "module",
            false,
            MODULE_ID,
            "module of the duty (may be empty)",
            "",
        ),
        col("hours", true, "a number of hours", "weekly hours", ""),
        col("person name", false, NOT_READ, "person's name", ""),
        col("duty name", false, NOT_READ, "duty's name", ""),
        col("module name", false, NOT_READ, "module's name", ""),
    ],
};

/// The `liaisons` sheet: a row per counterpart, the person empty where there is none.
const LIAISONS: Table = Table {
    name: "liaisons",
    required: false,
    columns: &[
        col(
            "counterpart",
            true,
            "a counterpart id",
            "counterpart liaised with",
            "",
        ),
        col("name", false, NOT_READ, "counterpart's name", ""),
        col("bureau", false, NOT_READ, "counterpart's bureau", ""),
        // The column must be there; an empty cell means the counterpart has no liaison.
        col("person", true, STAFF_ID, "liaison", ""),
        col("person name", false, NOT_READ, "liaison's name", ""),
    ],
};

/// The `people` sheet, read for its `posts` only when a workbook has no `posts` sheet: its
/// `posts` column lists the same posts, person by person.
const PEOPLE: Table = Table {
    name: "people",
    required: false,
    columns: &[
        col("person", true, STAFF_ID, "person", ""),
        col("name", false, NOT_READ, "name", ""),
        col("unit", false, NOT_READ, "unit", ""),
        col(
            "posts",
            true,
            "module ids separated by `;`",
            "modules the person holds a post in",
            "",
        ),
        col("liaisons", false, NOT_READ, "counterparts", ""),
        col("hours", false, NOT_READ, "hours worked", ""),
        col("capacity", false, NOT_READ, "capacity", ""),
        col("utilisation", false, NOT_READ, "utilisation", ""),
    ],
};

const RECORD: Column = col("record", true, "a record type", "what the line holds", "");

/// The single CSV file: one record per line.
const RECORDS: Table = Table {
    name: "the plan file",
    required: true,
    columns: &[
        RECORD,
        col("person", false, STAFF_ID, "person", ""),
        col("person_name", false, NOT_READ, "person's name", ""),
        col("module", false, MODULE_ID, "module", ""),
        col("module_name", false, NOT_READ, "module's name", ""),
        col("duty", false, "a duty id", "duty", ""),
        col("duty_name", false, NOT_READ, "duty's name", ""),
        col("counterpart", false, "a counterpart id", "counterpart", ""),
        col(
            "counterpart_name",
            false,
            NOT_READ,
            "counterpart's name",
            "",
        ),
        col(
            "value",
            false,
            "a number",
            "an assignment's weekly hours",
            "",
        ),
        col("detail", false, NOT_READ, "a figure's name or a reason", ""),
    ],
};

/// The records of the CSV file that make the plan; every other type is a figure.
const READ_RECORDS: [&str; 3] = ["post", "assignment", "liaison"];

/// The sheets a plan workbook (or folder) is read from: the plan, and the two summaries its
/// posts are compared with (see [`summary_warnings`]).
const SHEETS: [&str; 5] = ["posts", "assignments", "liaisons", "people", "modules"];

/// Where a plan's tables came from, for messages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Workbook,
    Folder,
}

/// The tables found in a workbook or folder.
struct Tables {
    source: Source,
    grids: BTreeMap<&'static str, Grid>,
    /// Tables present but unreadable (already reported).
    broken: BTreeSet<&'static str>,
    /// Every sheet or file name, for hints.
    names: Vec<String>,
    root: Location,
    diags: Diagnostics,
}

fn invalid(file: &str, diagnostics: Diagnostics) -> LoadError {
    LoadError::Invalid {
        file: file.to_owned(),
        diagnostics,
    }
}

/// The plan, or every error found; warnings come with the plan.
fn finish(file: &str, plan: DeclaredPlan, mut diags: Diagnostics) -> PlanRead {
    if diags.has_errors() {
        diags.0.sort_by_key(|d| d.severity);
        Err(invalid(file, diags))
    } else {
        Ok((plan, diags))
    }
}

/// A plan read from sheets, with its warnings.
pub(crate) type PlanRead = Result<(DeclaredPlan, Diagnostics), LoadError>;

/// Reads a plan workbook from its bytes. `file` labels the messages.
///
/// # Errors
/// [`LoadError::Invalid`] with every problem found.
pub(crate) fn read_workbook(bytes: &[u8], file: &str) -> PlanRead {
    let root = Location {
        file: file.to_owned(),
        ..Location::default()
    };
    let mut book = match Xlsx::new(Cursor::new(bytes)) {
        Ok(b) => b,
        Err(e) => {
            let d = root
                .error(format!("not an .xlsx workbook: {e}"))
                .hint("save the file as \"Excel Workbook (.xlsx)\"");
            return Err(invalid(file, Diagnostics(vec![d])));
        }
    };
    let names = book.sheet_names();
    let mut t = Tables {
        source: Source::Workbook,
        grids: BTreeMap::new(),
        broken: BTreeSet::new(),
        names: names.clone(),
        root: root.clone(),
        diags: Diagnostics::default(),
    };
    for name in &names {
        let key = name.trim().to_lowercase();
        let Some(&key) = SHEETS.iter().find(|s| **s == key) else {
            continue;
        };
        if t.grids.contains_key(key) || t.broken.contains(key) {
            continue;
        }
        let loc = Location {
            sheet: Some(name.clone()),
            ..root.clone()
        };
        match read_sheet(&mut book, name, &loc) {
            Ok(g) => {
                t.grids.insert(key, g);
            }
            Err(d) => {
                t.diags.push(*d);
                t.broken.insert(key);
            }
        }
    }
    let (plan, diags) = map_tables(t);
    finish(file, plan, diags)
}

/// Reads a folder holding the plan workbook's sheets as CSV files (`posts.csv`,
/// `assignments.csv`, optionally `liaisons.csv`).
///
/// # Errors
/// [`LoadError::Io`] when the folder or a file cannot be read, [`LoadError::Invalid`] with
/// every problem found otherwise.
pub(crate) fn read_folder(dir: &Path) -> PlanRead {
    let file = dir.display().to_string();
    let mut entries: Vec<String> = std::fs::read_dir(dir)
        .map_err(|source| LoadError::Io {
            path: file.clone(),
            source,
        })?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    entries.sort();
    let mut t = Tables {
        source: Source::Folder,
        grids: BTreeMap::new(),
        broken: BTreeSet::new(),
        names: entries.clone(),
        root: Location {
            file: file.clone(),
            ..Location::default()
        },
        diags: Diagnostics::default(),
    };
    for key in SHEETS {
        let Some(found) = find(&entries, &format!("{key}.csv")) else {
            continue;
        };
        let path = dir.join(found);
        let loc = Location {
            file: path.display().to_string(),
            ..Location::default()
        };
        let bytes = read_input(&path)?;
        match utf8(&bytes, &loc).and_then(|text| parse_csv(&text, &loc)) {
            Ok(g) => {
                t.grids.insert(key, g);
            }
            Err(d) => {
                t.diags.push(*d);
                t.broken.insert(key);
            }
        }
    }
    let (plan, diags) = map_tables(t);
    finish(&file, plan, diags)
}

/// Reads the one-record-per-line CSV file of a plan from its bytes. `file` labels the
/// messages.
///
/// # Errors
/// [`LoadError::Invalid`] with every problem found.
pub(crate) fn read_records(bytes: &[u8], file: &str) -> PlanRead {
    let loc = Location {
        file: file.to_owned(),
        ..Location::default()
    };
    let grid = utf8(bytes, &loc)
        .and_then(|text| parse_csv(&text, &loc))
        .map_err(|d| invalid(file, Diagnostics(vec![*d])))?;
    let mut diags = Diagnostics::default();
    let mut plan = DeclaredPlan::default();
    rows(&grid, &RECORDS, &mut diags, |r| read_record(r, &mut plan));
    finish(file, plan, diags)
}

/// One line of the CSV file: a post, an assignment or a liaison is read; any other record is
/// one of the figures the tool wrote and is left for the recomputation, unless its type looks
/// like a typo of one that is read.
fn read_record(r: &mut RowReader<'_>, plan: &mut DeclaredPlan) {
    let Some(kind) = r.text("record") else {
        let d = r
            .grid
            .at(r.r, "record")
            .error("the record type is empty")
            .hint(format!(
                "write {} in the first cell of the line",
                quoted(&READ_RECORDS)
            ));
        r.diags.push(d);
        return;
    };
    let kind = kind.to_lowercase();
    let (needs, unused): (&[&str], &[&str]) = match kind.as_str() {
        "post" => (&["person", "module"], &["duty", "counterpart", "value"]),
        "assignment" => (&["person", "duty", "value"], &["counterpart"]),
        "liaison" => (&["person", "counterpart"], &["module", "duty", "value"]),
        other => {
            if let Some(s) = did_you_mean(other, READ_RECORDS) {
                let d = r
                    .grid
                    .at(r.r, "record")
                    .error(format!("unknown record type `{other}`"))
                    .hint(format!("did you mean `{s}`?"));
                r.diags.push(d);
            }
            return;
        }
    };
    let mut complete = true;
    for &c in needs {
        if r.text(c).is_none() {
            complete = false;
            let d = r
                .grid
                .at(r.r, c)
                .error(format!(
                    "a `{kind}` record needs its {c}, found an empty cell"
                ))
                .hint(format!(
                    "a `{kind}` line fills in {}",
                    needs
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            r.diags.push(d);
        }
    }
    // A value where the record has none would be dropped unseen: someone meant something.
    for &c in unused {
        if let Some(found) = r.text(c) {
            let d = r
                .grid
                .at(r.r, c)
                .error(format!("a `{kind}` record has no {c}, found \"{found}\""))
                .hint("clear the cell, or change the record type");
            r.diags.push(d);
        }
    }
    let hours = if kind == "assignment" {
        r.number("value")
    } else {
        None
    };
    if !complete {
        return;
    }
    let text = |c: &str| r.text(c).unwrap_or_default();
    match kind.as_str() {
        "post" => plan.posts.push(Post {
            person: text("person"),
            module: text("module"),
        }),
        "assignment" => {
            if let Some(hours) = hours {
                plan.assignments.push(Assignment {
                    person: text("person"),
                    duty: text("duty"),
                    module: text("module"),
                    hours,
                });
            }
        }
        _ => plan.liaisons.push(Liaison {
            counterpart: text("counterpart"),
            person: text("person"),
        }),
    }
}

fn quoted(items: &[&str]) -> String {
    let q: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match q.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => q.concat(),
    }
}

/// Reads each data row of `grid` as `table`, when its header allows.
fn rows(
    grid: &Grid,
    table: &Table,
    diags: &mut Diagnostics,
    mut each: impl FnMut(&mut RowReader<'_>),
) {
    let cols = header(grid, table, diags);
    stray_cells(grid, diags);
    let Some(cols) = cols else { return };
    for r in grid.data_rows() {
        let mut rr = RowReader {
            grid,
            cols: &cols,
            table,
            r,
            diags,
        };
        each(&mut rr);
    }
}

/// The plan from the tables of a workbook or folder.
fn map_tables(mut t: Tables) -> (DeclaredPlan, Diagnostics) {
    let mut plan = DeclaredPlan::default();
    let mut diags = std::mem::take(&mut t.diags);
    if let Some(grid) = t.grids.get("posts") {
        rows(grid, &POSTS, &mut diags, |r| {
            let person = r.required("person");
            let module = r.required("module");
            if !person.is_empty() && !module.is_empty() {
                plan.posts.push(Post { person, module });
            }
        });
        summary_warnings(&t, &plan.posts, &mut diags);
    } else if let Some(grid) = t.grids.get("people") {
        rows(grid, &PEOPLE, &mut diags, |r| {
            let person = r.required("person");
            for module in r.text("posts").map(|s| listed_ids(&s)).unwrap_or_default() {
                if !person.is_empty() {
                    plan.posts.push(Post {
                        person: person.clone(),
                        module,
                    });
                }
            }
        });
    } else if !t.broken.contains("posts") && !t.broken.contains("people") {
        diags.push(missing(&t, "posts"));
    }
    if let Some(grid) = t.grids.get("assignments") {
        rows(grid, &ASSIGNMENTS, &mut diags, |r| {
            let person = r.required("person");
            let duty = r.required("duty");
            let module = r.text("module").unwrap_or_default();
            let hours = if r.text("hours").is_some() {
                r.number("hours")
            } else {
                r.required("hours");
                None
            };
            if let Some(hours) = hours.filter(|_| !person.is_empty() && !duty.is_empty()) {
                plan.assignments.push(Assignment {
                    person,
                    duty,
                    module,
                    hours,
                });
            }
        });
    } else if !t.broken.contains("assignments") {
        diags.push(missing(&t, "assignments"));
    }
    if let Some(grid) = t.grids.get("liaisons") {
        rows(grid, &LIAISONS, &mut diags, |r| {
            // A counterpart without a liaison is listed with an empty person.
            let Some(person) = r.text("person") else {
                return;
            };
            let counterpart = r.required("counterpart");
            if !counterpart.is_empty() {
                plan.liaisons.push(Liaison {
                    counterpart,
                    person,
                });
            }
        });
    }
    (plan, diags)
}

/// A sheet (or file) the plan needs is not there.
fn missing(t: &Tables, table: &str) -> Diagnostic {
    let (what, wanted, needs) = match t.source {
        Source::Workbook => (
            format!("no sheet named `{table}`"),
            table.to_owned(),
            "a plan workbook needs the sheets `posts` and `assignments`; \
             `modstaff solve INSTANCE --format xlsx --out plan.xlsx` writes one",
        ),
        Source::Folder => (
            format!("no {table}.csv in the folder"),
            format!("{table}.csv"),
            "a plan folder needs posts.csv and assignments.csv (the plan workbook's sheets)",
        ),
    };
    let instance_like = ["staff", "duties"].iter().all(|s| {
        t.names.iter().any(|n| {
            let n = n.trim().to_lowercase();
            n == *s || n == format!("{s}.csv")
        })
    });
    let hint = if instance_like {
        "this is an instance (it has staff and duties): give the instance first and the plan \
         second, `modstaff check INSTANCE PLAN`"
            .to_owned()
    } else if let Some(s) = did_you_mean(&wanted, t.names.iter().map(String::as_str)) {
        format!("rename `{s}` to `{wanted}`")
    } else {
        needs.to_owned()
    };
    t.root.error(what).hint(hint)
}

/// The ids of a summary list: the plan workbook writes "Name (id)" labels (or bare ids where
/// no name was given), separated by `;`.
fn listed_ids(cell: &str) -> Vec<String> {
    split_list(cell)
        .into_iter()
        .map(|item| {
            item.strip_suffix(')')
                .and_then(|s| s.rsplit_once(" ("))
                .map_or(item.clone(), |(_, id)| id.trim().to_owned())
        })
        .collect()
}

/// The `people` and `modules` sheets summarise the posts. They are not read, so an edit made
/// there would vanish: say so when one of them lists posts the `posts` sheet does not hold (or
/// misses one it holds), at the first row that differs.
fn summary_warnings(t: &Tables, posts: &[Post], diags: &mut Diagnostics) {
    let held: BTreeSet<(&str, &str)> = posts
        .iter()
        .map(|p| (p.person.as_str(), p.module.as_str()))
        .collect();
    // (sheet, the column naming each row, the column listing the other side, whether the row
    // names a person)
    for (sheet, key, list, by_person) in [
        ("people", "person", "posts", true),
        ("modules", "module", "people", false),
    ] {
        let Some(grid) = t.grids.get(sheet) else {
            continue;
        };
        let find = |h: &str| {
            grid.header()
                .iter()
                .position(|x| x.trim().eq_ignore_ascii_case(h))
        };
        let (Some(k), Some(l)) = (find(key), find(list)) else {
            continue;
        };
        let mut listed: BTreeSet<(String, String)> = BTreeSet::new();
        let mut first = None;
        let mut named: BTreeSet<String> = BTreeSet::new();
        for r in grid.data_rows() {
            let id = grid.cell(r, k).trim().to_owned();
            if id.is_empty() {
                continue;
            }
            named.insert(id.clone());
            let mine: BTreeSet<(String, String)> = listed_ids(grid.cell(r, l))
                .into_iter()
                .map(|other| {
                    if by_person {
                        (id.clone(), other)
                    } else {
                        (other, id.clone())
                    }
                })
                .collect();
            let in_sheet: BTreeSet<(&str, &str)> = held
                .iter()
                .filter(|(p, m)| if by_person { *p == id } else { *m == id })
                .copied()
                .collect();
            let same = mine.len() == in_sheet.len()
                && mine
                    .iter()
                    .all(|(p, m)| in_sheet.contains(&(p.as_str(), m.as_str())));
            if !same && first.is_none() {
                first = Some((r, id.clone()));
            }
            listed.extend(mine);
        }
        let Some((r, id)) = first else { continue };
        let what = if by_person { "posts of" } else { "people in" };
        let d = grid
            .at(r, list)
            .error(format!(
                "the {what} `{id}` differ from the `posts` sheet; this sheet is a summary \
                 written with the plan and is not read"
            ))
            .hint("move people by adding or deleting rows of the `posts` sheet");
        diags.push(Diagnostic {
            severity: crate::io::Severity::Warning,
            ..d
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_in_the_csv_are_not_read_and_typos_of_plan_records_are_errors() {
        let text = "record,person,module,duty,counterpart,value,detail\r\n\
                    objective,,,,,80,coverage\r\n\
                    post,ann,policy,,,,\r\n\
                    assignment,ann,,d1,,20,\r\n\
                    liaison,ann,,,c-law,,\r\n\
                    uncovered,,,d5,,20,reason\r\n\
                    change,ann,policy,,,,joined\r\n\
                    understaffed,,policy,,,1,\r\n\
                    unmet_counterpart,,,,c-x,,\r\n";
        let (plan, warnings) = read_records(text.as_bytes(), "plan.csv").expect("read");
        assert!(warnings.0.is_empty());
        assert_eq!(plan.posts.len(), 1);
        assert_eq!(plan.assignments[0].hours, 20.0);
        assert_eq!(plan.assignments[0].module, "");
        assert_eq!(plan.liaisons[0].counterpart, "c-law");
        assert!(plan.objective.is_none() && plan.uncovered.is_none());
        for typo in ["posts", "assigment", "liason"] {
            let text = format!("record,person,module\r\n{typo},ann,policy\r\n");
            let Err(LoadError::Invalid { diagnostics, .. }) =
                read_records(text.as_bytes(), "p.csv")
            else {
                panic!("{typo} read");
            };
            assert!(
                diagnostics.0[0].message.contains("unknown record type"),
                "{diagnostics}"
            );
        }
    }

    #[test]
    fn csv_records_name_their_place() {
        let text = "record,person,module,duty,counterpart,value,detail,extra\r\n\
                    post,ann,,d1,,,,\r\n\
                    assignment,ann,,d1,,twelve,,\r\n";
        let Err(LoadError::Invalid { diagnostics, .. }) = read_records(text.as_bytes(), "p.csv")
        else {
            panic!("read");
        };
        let all = diagnostics.to_string();
        assert!(all.contains("unknown column \"extra\""), "{all}");
        assert!(
            all.contains("row 2, column \"module\": a `post` record needs its module"),
            "{all}"
        );
        assert!(
            all.contains("row 2, column \"duty\": a `post` record has no duty"),
            "{all}"
        );
        assert!(
            all.contains("row 3, column \"value\": expected a number, found \"twelve\""),
            "{all}"
        );
    }

    #[test]
    fn quoted_lists() {
        assert_eq!(quoted(&["a"]), "`a`");
        assert_eq!(quoted(&["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
