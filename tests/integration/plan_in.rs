//! Plans read back: the workbook and the CSV file `solve` writes, edited the way a planner
//! would (rows deleted and added, hours changed, summaries left stale), then checked,
//! reported and explained; problems placed at file, sheet, row and column.

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use modstaff::io::sheets::{Cell, ColumnFormat, SheetData, tables_workbook};
use modstaff::io::{LoadError, load_instance, read_plan};

use crate::common::{modstaff, path};

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Writes tiny's plan as `plan.xlsx`, `plan.csv` and `plan.json` in `dir`.
fn solved_tiny(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let tiny = path("instances/tiny.json");
    let out = |ext: &str| dir.join(format!("plan.{ext}"));
    for ext in ["xlsx", "csv", "json"] {
        let run = modstaff([
            "solve",
            s(&tiny),
            "-q",
            "--work-limit",
            "200",
            "--format",
            ext,
            "--out",
            s(&out(ext)),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    (out("xlsx"), out("csv"), out("json"))
}

/// Every sheet of a workbook as cells, header row first.
fn sheets_of(book: &Path) -> Vec<(String, Vec<Vec<Cell>>)> {
    let mut wb: Xlsx<_> = open_workbook(book).expect("workbook opens");
    let names = wb.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).expect("sheet reads");
            let rows = range
                .rows()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Data::Empty => Cell::Empty,
                            Data::Float(f) => Cell::Number(*f),
                            #[expect(clippy::cast_precision_loss, reason = "small numbers")]
                            Data::Int(i) => Cell::Number(*i as f64),
                            Data::Bool(b) => Cell::Bool(*b),
                            other => Cell::Text(other.to_string()),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}

/// Rewrites `book` as `out` after `edit` has changed the sheets (rows are header first), the
/// way a planner saves an edited workbook.
fn rewrite(book: &Path, out: &Path, edit: impl FnOnce(&mut Vec<(String, Vec<Vec<Cell>>)>)) {
    let mut sheets = sheets_of(book);
    edit(&mut sheets);
    let data: Vec<SheetData> = sheets
        .into_iter()
        .map(|(name, mut rows)| {
            let header: Vec<String> = if rows.is_empty() {
                Vec::new()
            } else {
                rows.remove(0).iter().map(Cell::to_text).collect()
            };
            SheetData {
                name,
                formats: vec![ColumnFormat::General; header.len()],
                header,
                rows,
            }
        })
        .collect();
    let bytes = tables_workbook(&data).expect("workbook assembled");
    std::fs::write(out, bytes).expect("workbook written");
}

fn sheet<'a>(sheets: &'a mut [(String, Vec<Vec<Cell>>)], name: &str) -> &'a mut Vec<Vec<Cell>> {
    &mut sheets
        .iter_mut()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("sheet {name}"))
        .1
}

fn text(c: &Cell) -> String {
    c.to_text()
}

/// The index of the row whose first cells are `key`.
fn row_of(rows: &[Vec<Cell>], key: &[&str]) -> usize {
    rows.iter()
        .position(|r| key.iter().zip(r).all(|(k, c)| text(c) == *k))
        .unwrap_or_else(|| panic!("a row {key:?}"))
}

/// `check --format json` of a plan: exit code, violation kinds, recomputed tier 1, stderr.
fn check(plan: &Path) -> (i32, Vec<String>, f64, String) {
    let run = modstaff([
        "check",
        s(&path("instances/tiny.json")),
        s(plan),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {} {}", run.stdout, run.stderr));
    let kinds = v["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|x| x["kind"].as_str().expect("kind").to_owned())
        .collect();
    let coverage = v["recomputed"]["coverage"].as_f64().expect("coverage");
    (run.code, kinds, coverage, run.stderr)
}

#[test]
fn a_written_plan_reads_back_the_same_from_every_format() {
    let dir = tempfile::tempdir().expect("dir");
    let (xlsx, csv, json) = solved_tiny(dir.path());
    let (from_json, _) = read_plan(&json).expect("json");
    for p in [&xlsx, &csv] {
        let (plan, warnings) = read_plan(p).expect("read back");
        assert!(warnings.0.is_empty(), "{warnings}");
        assert_eq!(plan.posts, from_json.posts, "{}", p.display());
        assert_eq!(plan.assignments, from_json.assignments, "{}", p.display());
        assert_eq!(plan.liaisons, from_json.liaisons, "{}", p.display());
        // The figures beside the plan are the tool's own: recomputed, not declared.
        assert!(plan.objective.is_none() && plan.uncovered.is_none() && plan.totals.is_none());
        let (code, kinds, coverage, _) = check(p);
        assert_eq!((code, kinds, coverage), (0, vec![], 80.0));
    }
    // A workbook under another name is still a workbook, never "not UTF-8".
    let renamed = dir.path().join("plan-from-excel.json");
    std::fs::copy(&xlsx, &renamed).expect("copied");
    assert_eq!(check(&renamed).0, 0);
}

#[test]
fn an_edited_workbook_is_checked_as_edited() {
    let dir = tempfile::tempdir().expect("dir");
    let (xlsx, _, _) = solved_tiny(dir.path());
    let edited = dir.path().join("edited.xlsx");

    // One assignment row deleted: legal, 10 h of weight 2 more uncovered. The summary sheet
    // still says 80 and is not read.
    rewrite(&xlsx, &edited, |sheets| {
        let a = sheet(sheets, "assignments");
        let i = row_of(a, &["ann", "d2"]);
        a.remove(i);
    });
    assert_eq!(check(&edited), (0, vec![], 100.0, String::new()));

    // Hours raised past the person's capacity.
    rewrite(&xlsx, &edited, |sheets| {
        let a = sheet(sheets, "assignments");
        let i = row_of(a, &["cai", "d5"]);
        a[i][3] = Cell::Number(30.0);
    });
    let (code, kinds, coverage, _) = check(&edited);
    assert_eq!((code, kinds, coverage), (1, vec!["capacity".into()], 40.0));

    // A post row deleted: cai works in and liaises for a module without a post. The people
    // and modules sheets still list the post: a warning says they are not read.
    rewrite(&xlsx, &edited, |sheets| {
        let p = sheet(sheets, "posts");
        let i = row_of(p, &["cai", "field"]);
        p.remove(i);
    });
    let (code, kinds, _, stderr) = check(&edited);
    assert_eq!(code, 1);
    assert_eq!(kinds, ["missing_post", "liaison_without_post"]);
    assert!(
        stderr.contains(
            "warning: ") && stderr.contains("sheet \"people\", row 4, column \"posts\": the posts of `cai` differ from the `posts` sheet"),
        "{stderr}"
    );
    assert!(stderr.contains("sheet \"modules\""), "{stderr}");

    // A post row added: funds holds at most one person.
    rewrite(&xlsx, &edited, |sheets| {
        let p = sheet(sheets, "posts");
        p.push(vec![Cell::Text("ann".into()), Cell::Text("funds".into())]);
    });
    let (code, kinds, _, _) = check(&edited);
    assert_eq!((code, kinds), (1, vec!["module_cap".into()]));

    // A row added to the assignments with the module left empty (the duty names it).
    rewrite(&xlsx, &edited, |sheets| {
        let a = sheet(sheets, "assignments");
        let i = row_of(a, &["ann", "d2"]);
        a.remove(i);
        a.push(vec![
            Cell::Text("ann".into()),
            Cell::Text("d2".into()),
            Cell::Empty,
            Cell::Number(4.0),
        ]);
    });
    assert_eq!(check(&edited), (0, vec![], 92.0, String::new()));
}

#[test]
fn report_and_explain_take_an_edited_workbook_and_csv() {
    let dir = tempfile::tempdir().expect("dir");
    let (xlsx, csv, _) = solved_tiny(dir.path());
    let edited = dir.path().join("edited.xlsx");
    rewrite(&xlsx, &edited, |sheets| {
        let a = sheet(sheets, "assignments");
        let i = row_of(a, &["ann", "d2"]);
        a.remove(i);
    });
    let tiny = path("instances/tiny.json");
    for plan in [&edited, &csv] {
        let html = dir.path().join("report.html");
        let run = modstaff(["report", s(&tiny), s(plan), "--out", s(&html)]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let page = std::fs::read_to_string(&html).expect("page");
        assert!(page.contains("<html"), "a page");
        let run = modstaff([
            "explain",
            s(&tiny),
            s(plan),
            "-q",
            "--no-confirm",
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
        let uncovered: Vec<&str> = v["uncovered"]
            .as_array()
            .expect("uncovered")
            .iter()
            .map(|u| u["duty"].as_str().expect("duty"))
            .collect();
        if plan == &edited {
            assert!(uncovered.contains(&"d2"), "{uncovered:?}");
        } else {
            assert_eq!(uncovered, ["d5"]);
        }
    }
}

#[test]
fn an_edited_csv_plan_is_checked_as_edited() {
    let dir = tempfile::tempdir().expect("dir");
    let (_, csv, _) = solved_tiny(dir.path());
    let text = std::fs::read_to_string(&csv).expect("csv");
    let edited = dir.path().join("edited.csv");
    let write = |t: &str| std::fs::write(&edited, t).expect("written");

    // Lines as a person edits them: found by record and ids, names left as written.
    let edit = |record: &str, person: &str, id: &str, f: &dyn Fn(&str) -> Option<String>| {
        text.split_inclusive("\r\n")
            .filter_map(|line| {
                let cells: Vec<&str> = line.trim_end().split(',').collect();
                let hit = cells[0] == record && cells[1] == person && cells.contains(&id);
                if hit { f(line) } else { Some(line.to_owned()) }
            })
            .collect::<String>()
    };
    write(&edit("assignment", "ann", "d2", &|_| None));
    assert_eq!(check(&edited), (0, vec![], 100.0, String::new()));
    write(&edit("assignment", "cai", "d5", &|l| {
        Some(l.replace(",20,", ",30,"))
    }));
    let (code, kinds, _, _) = check(&edited);
    assert_eq!((code, kinds), (1, vec!["capacity".into()]));
    write(&edit("post", "cai", "field", &|_| None));
    let (code, kinds, _, _) = check(&edited);
    assert_eq!(code, 1);
    assert_eq!(kinds, ["missing_post", "liaison_without_post"]);
    // Saved by a spreadsheet program: `\n` line ends, a byte-order mark, a `.txt` name.
    let txt = dir.path().join("plan.txt");
    std::fs::write(&txt, format!("\u{feff}{}", text.replace("\r\n", "\n"))).expect("written");
    assert_eq!(check(&txt).0, 0);
}

/// The first error of reading `plan`, as printed.
fn first_error(plan: &Path) -> String {
    match read_plan(plan) {
        Err(LoadError::Invalid { diagnostics, .. }) => diagnostics.0[0].to_string(),
        other => panic!("expected an invalid plan, got {other:?}"),
    }
}

#[test]
fn problems_in_plan_sheets_name_their_place() {
    let dir = tempfile::tempdir().expect("dir");
    let (xlsx, csv, _) = solved_tiny(dir.path());
    let bad = dir.path().join("bad.xlsx");
    let at = |e: String| e.replace(&dir.path().display().to_string(), "<dir>");

    rewrite(&xlsx, &bad, |sheets| {
        let a = sheet(sheets, "assignments");
        let i = row_of(a, &["cai", "d5"]);
        a[i][3] = Cell::Text("twenty".into());
    });
    assert_eq!(
        at(first_error(&bad)),
        "<dir>/bad.xlsx: sheet \"assignments\", row 6, column \"hours\": expected a number of \
         hours, found \"twenty\" (hint: write digits with `.` for decimals, e.g. `12.5`)"
    );

    rewrite(&xlsx, &bad, |sheets| {
        sheet(sheets, "posts")[0][1] = Cell::Text("modul".into());
    });
    assert_eq!(
        at(first_error(&bad)),
        "<dir>/bad.xlsx: sheet \"posts\", row 1, column \"modul\": unknown column \"modul\" \
         (hint: did you mean \"module\"?)"
    );

    rewrite(&xlsx, &bad, |sheets| {
        sheets.retain(|(n, _)| n != "assignments");
    });
    assert!(
        first_error(&bad).contains("no sheet named `assignments`"),
        "{}",
        first_error(&bad)
    );

    // The arguments swapped: one message each way.
    let run = modstaff(["check", s(&xlsx), s(&path("instances/tiny.json"))]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("this is a plan (it has assignments and no staff)"),
        "{}",
        run.stderr
    );
    let book = dir.path().join("tiny.xlsx");
    let (inst, _) = load_instance(&path("instances/tiny.json")).expect("tiny");
    modstaff::io::sheets::write_xlsx(&modstaff::io::to_raw(&inst), &book).expect("written");
    let run = modstaff(["check", s(&path("instances/tiny.json")), s(&book)]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("this is an instance (it has staff and duties)"),
        "{}",
        run.stderr
    );

    // An old Excel file, and a text file that is no plan.
    let xls = dir.path().join("plan.xls");
    std::fs::write(&xls, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1").expect("written");
    assert!(
        first_error(&xls).contains("Excel 97-2003"),
        "{}",
        first_error(&xls)
    );

    let text = std::fs::read_to_string(&csv).expect("csv");
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        text.replace("post,bo,Bo Chen,funds", "psot,bo,Bo Chen,funds"),
    )
    .expect("written");
    assert_eq!(
        at(first_error(&bad)),
        "<dir>/bad.csv: row 14, column \"record\": unknown record type `psot` (hint: did you \
         mean `post`?)"
    );
}

#[test]
fn workbooks_without_a_posts_sheet_and_plan_folders_read_too() {
    let dir = tempfile::tempdir().expect("dir");
    let (xlsx, _, json) = solved_tiny(dir.path());
    let (expected, _) = read_plan(&json).expect("json");
    // Plan workbooks without a `posts` sheet: the posts come from the `people` sheet.
    let old = dir.path().join("old.xlsx");
    rewrite(&xlsx, &old, |sheets| sheets.retain(|(n, _)| n != "posts"));
    let (plan, _) = read_plan(&old).expect("read");
    let mut posts = plan.posts.clone();
    let mut want = expected.posts.clone();
    posts.sort();
    want.sort();
    assert_eq!(posts, want);
    assert_eq!(check(&old).0, 0);

    // The sheets saved one by one as CSV files in a folder.
    let folder = dir.path().join("plan");
    std::fs::create_dir(&folder).expect("folder");
    for (name, rows) in sheets_of(&xlsx) {
        let lines: Vec<String> = rows
            .iter()
            .map(|r| r.iter().map(Cell::to_text).collect::<Vec<_>>().join(","))
            .collect();
        std::fs::write(folder.join(format!("{name}.csv")), lines.join("\n")).expect("written");
    }
    let (plan, warnings) = read_plan(&folder).expect("folder");
    assert!(warnings.0.is_empty(), "{warnings}");
    assert_eq!(plan.assignments, expected.assignments);
    assert_eq!(check(&folder).0, 0);
}
