//! Spreadsheet input and output: CSV folders and `.xlsx` workbooks read into the same instance
//! as JSON, messages placed at file/sheet, row and column, templates that re-import clean,
//! plans as workbooks.

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use modstaff::io::sheets;
use modstaff::io::{LoadError, load_instance, to_raw};

use crate::common::{modstaff, path};

/// A fresh folder for one test.
fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

/// Runs modstaff and hides the scratch folder in the output, for stable snapshots.
fn run_in(dir: &Path, args: &[&str]) -> String {
    let run = modstaff(args);
    run.snapshot().replace(&dir.display().to_string(), "<dir>")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Writes the CSV template into `dir/name` and returns its path.
fn csv_template(dir: &Path, name: &str) -> PathBuf {
    let out = dir.join(name);
    sheets::write_csv_template(&out).expect("template written");
    out
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("file written");
}

#[test]
fn shipped_instances_round_trip_through_csv_and_xlsx() {
    let dir = scratch();
    for name in [
        "tiny",
        "longgang-econ",
        "longgang-agri",
        "longgang-approval",
        "longgang-enforcement",
    ] {
        let json = path(&format!("instances/{name}.json"));
        let (inst, _) = load_instance(&json).expect("shipped instance loads");
        let raw = to_raw(&inst);

        let folder = dir.path().join(name);
        sheets::write_csv_folder(&raw, &folder).expect("CSV written");
        let (from_csv, warnings) = load_instance(&folder).expect("CSV folder loads");
        assert_eq!(from_csv, inst, "{name}: JSON -> CSV -> instance differs");
        assert!(warnings.0.is_empty(), "{name}: {warnings}");

        let book = dir.path().join(format!("{name}.xlsx"));
        sheets::write_xlsx(&raw, &book).expect("workbook written");
        let (from_xlsx, _) = load_instance(&book).expect("workbook loads");
        assert_eq!(from_xlsx, inst, "{name}: JSON -> XLSX -> instance differs");

        // And back to JSON with `import`: the same instance again.
        let back = dir.path().join(format!("{name}.json"));
        let run = modstaff(["import", "xlsx", s(&book), "--out", s(&back)]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let (from_json, _) = load_instance(&back).expect("imported JSON loads");
        assert_eq!(from_json, inst, "{name}: JSON -> XLSX -> JSON differs");
        let run = modstaff(["import", "csv", s(&folder)]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let (from_json, _) =
            modstaff::io::parse_instance(&run.stdout, "stdout").expect("imported JSON parses");
        assert_eq!(from_json, inst, "{name}: JSON -> CSV -> JSON differs");
    }
}

#[test]
fn templates_reimport_clean() {
    let dir = scratch();
    let folder = dir.path().join("tpl");
    let book = dir.path().join("tpl.xlsx");
    let run = modstaff(["template", "--format", "csv", "--out", s(&folder)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = modstaff(["template", "--format", "xlsx", "--out", s(&book)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for p in [&folder, &book] {
        let (inst, warnings) = load_instance(p).expect("template loads");
        assert!(warnings.0.is_empty(), "{warnings}");
        assert_eq!(inst.name, "示例局");
        assert_eq!(inst.staff[0].name, "张伟");
        assert_eq!(
            (inst.staff.len(), inst.modules.len(), inst.duties.len()),
            (1, 1, 1)
        );
    }
    for file in [
        "staff.csv",
        "modules.csv",
        "duties.csv",
        "counterparts.csv",
        "units.csv",
        "skills.csv",
        "rules.toml",
        "notes.csv",
    ] {
        assert!(folder.join(file).is_file(), "template has {file}");
    }
    let mut wb: Xlsx<_> = open_workbook(&book).expect("workbook opens");
    let names = wb.sheet_names();
    for sheet in [
        "staff",
        "modules",
        "duties",
        "counterparts",
        "units",
        "skills",
        "rules",
        "notes",
    ] {
        assert!(
            names.iter().any(|n| n == sheet),
            "template has sheet {sheet}"
        );
    }
    let notes = wb.worksheet_range("notes").expect("notes sheet");
    // One row per column of every table and rule, plus the header.
    let columns: usize = sheets::TABLES
        .iter()
        .map(|t| t.columns.len())
        .sum::<usize>()
        + sheets::RULES.len();
    assert_eq!(notes.height(), columns + 1);
}

#[test]
fn bom_crlf_and_chinese_are_accepted() {
    let dir = scratch();
    let folder = csv_template(dir.path(), "t");
    write(
        &folder.join("staff.csv"),
        "\u{feff}ID, Name ,unit,capacity,skills,current_posts\r\n\
         p01,张伟,office,40,policy：3,m-policy\r\n\
         p02,\"李, 娜\",office,32.5,policy:2；,\r\n\r\n",
    );
    let (inst, warnings) = load_instance(&folder).expect("loads");
    assert!(warnings.0.is_empty(), "{warnings}");
    assert_eq!(inst.staff.len(), 2);
    assert_eq!(inst.staff[1].name, "李, 娜");
    assert!((inst.staff[1].capacity - 32.5).abs() < 1e-12);
    assert_eq!(inst.staff[0].skills.len(), 1);
}

/// Every kind of sheet problem, each with its file, row, column, expectation and hint.
#[test]
fn csv_errors_name_file_row_and_column() {
    let dir = scratch();
    let f = csv_template(dir.path(), "bad");
    write(
        &f.join("staff.csv"),
        "id,name,unit,capacity,skills,max_posts,current_posts,unavailable\n\
         p01,张伟,office,40,policy-2,,m-policy,\n\
         p02,李娜,office,forty,policy:2,2.5,m-polcy,\n\
         ,王芳,offise,40,,,,\n",
    );
    write(
        &f.join("duties.csv"),
        "id,module,hours,skil,splittable\n\
         d1,m-policy,12,policy,maybe\n\
         d2,m-policy,,policy,\n",
    );
    write(&f.join("modules.csv"), "name,unit\n政策,office\n");
    write(
        &f.join("rules.toml"),
        "max_posts = \"three\"\nmax_post = 2\n",
    );
    insta::assert_snapshot!(
        "sheets-csv-errors",
        run_in(dir.path(), &["validate", s(&f)])
    );
}

#[test]
fn csv_folder_problems() {
    let dir = scratch();
    let f = csv_template(dir.path(), "folder");
    std::fs::rename(f.join("staff.csv"), f.join("stafff.csv")).expect("renamed");
    std::fs::write(f.join("units.csv"), b"id,name\nu1,\xd6\xd0\xce\xc4\n").expect("written");
    write(&f.join("rules.toml"), "name = \"局\nmax_posts = 3\n");
    insta::assert_snapshot!(
        "sheets-csv-folder-problems",
        run_in(dir.path(), &["validate", s(&f)])
    );
}

#[test]
fn import_writes_nothing_on_error() {
    let dir = scratch();
    let f = csv_template(dir.path(), "t");
    write(&f.join("duties.csv"), "id,module,hours\nd1,m-nowhere,5\n");
    let out = dir.path().join("out.json");
    let run = modstaff(["import", "csv", s(&f), "--out", s(&out)]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("duties.csv: row 2, column \"module\": unknown module `m-nowhere`"),
        "{}",
        run.stderr
    );
    assert!(!out.exists(), "nothing written");
    // The wrong kind for the path is a usage error, before anything is read.
    let run = modstaff(["import", "xlsx", s(&f)]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("does not end in `.xlsx`"),
        "{}",
        run.stderr
    );
}

/// A workbook a planner typed: numbers as numbers, a bad cell, a misnamed sheet.
#[test]
fn xlsx_errors_name_sheet_row_and_column() {
    use rust_xlsxwriter::Workbook;
    let dir = scratch();
    let book = dir.path().join("team.xlsx");
    let mut wb = Workbook::new();
    let rows: [(&str, &[&[&str]]); 3] = [
        (
            "Staff",
            &[
                &["id", "name", "capacity", "skills"],
                &["p1", "张伟", "40", "policy:2"],
                &["p2", "李娜", "#N/A", "policy"],
            ],
        ),
        ("module", &[&["id", "name"], &["m1", "政策"]]),
        (
            "duties",
            &[
                &["id", "module", "hours", "min_level"],
                &["d1", "m1", "8", "2"],
                &["d2", "m1", "4", "high"],
            ],
        ),
    ];
    for (name, cells) in rows {
        let ws = wb.add_worksheet();
        ws.set_name(name).expect("sheet name");
        for (r, row) in cells.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (u32::try_from(r).unwrap(), u16::try_from(c).unwrap());
                match v.parse::<f64>() {
                    Ok(n) => ws.write_number(r, c, n).map(|_| ()),
                    Err(_) => ws.write_string(r, c, *v).map(|_| ()),
                }
                .expect("cell written");
            }
        }
    }
    wb.save(&book).expect("saved");
    insta::assert_snapshot!(
        "sheets-xlsx-errors",
        run_in(dir.path(), &["validate", s(&book)])
    );
    write(&dir.path().join("fake.xlsx"), "id,name\n");
    insta::assert_snapshot!(
        "sheets-xlsx-not-a-workbook",
        run_in(dir.path(), &["validate", s(&dir.path().join("fake.xlsx"))])
    );
}

/// Cells that used to be read wrongly or at great cost: a date typed into an hours cell (Excel
/// stores 2023-03-15 as 45000), a value right of the table, and one far cell at `XFD1048576`
/// (once a 549 GB dense range, now one stray).
#[test]
fn xlsx_dates_strays_and_far_cells_are_refused() {
    use rust_xlsxwriter::{Format, Workbook};
    let dir = scratch();
    let book = dir.path().join("team.xlsx");
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format_index(14);
    let ws = wb.add_worksheet().set_name("staff").expect("named");
    ws.write_row(0, 0, ["id", "capacity", "skills"])
        .expect("row");
    ws.write_string(1, 0, "p1").expect("cell");
    ws.write_number(1, 1, 40).expect("cell");
    ws.write_string(1, 2, "policy:1").expect("cell");
    let ws = wb.add_worksheet().set_name("modules").expect("named");
    ws.write_row(0, 0, ["id"]).expect("row");
    ws.write_string(1, 0, "m1").expect("cell");
    let ws = wb.add_worksheet().set_name("duties").expect("named");
    ws.write_row(0, 0, ["id", "module", "hours", "skill"])
        .expect("row");
    ws.write_row(1, 0, ["d1", "m1"]).expect("row");
    ws.write_number_with_format(1, 2, 45000, &date)
        .expect("cell");
    ws.write_string(1, 3, "policy").expect("cell");
    ws.write_row(2, 0, ["d2", "m1", "4", "policy", "urgent"])
        .expect("row");
    ws.write_string(1_048_575, 16_383, "far").expect("cell");
    wb.save(&book).expect("saved");
    let out = run_in(dir.path(), &["validate", s(&book)]);
    insta::assert_snapshot!("sheets-xlsx-dates-strays-far-cells", out);

    // In a CSV row, one cell too many (an unquoted `,` in a list) is refused too.
    let f = csv_template(dir.path(), "extra");
    write(
        &f.join("duties.csv"),
        "id,module,hours,skill,tags
d1,m-policy,4,policy,transferable,urgent
",
    );
    let out = run_in(dir.path(), &["validate", s(&f)]);
    assert!(
        out.contains("row 2: \"urgent\" is in cell 6, which has no header"),
        "{out}"
    );
}

fn sheet_rows(book: &Path, sheet: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(book).expect("workbook opens");
    let range = wb.worksheet_range(sheet).expect("sheet exists");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        other => format!("{other:?}"),
    }
}

#[test]
fn solve_writes_a_plan_workbook() {
    let dir = scratch();
    let book = dir.path().join("plan.xlsx");
    let json = dir.path().join("plan.json");
    let tiny = path("instances/tiny.json");
    let run = modstaff(["solve", s(&tiny), "-q", "--format", "xlsx"]);
    assert_eq!(run.code, 2, "xlsx needs --out");
    assert!(run.stderr.contains("--out FILE.xlsx"), "{}", run.stderr);
    for (format, out) in [("xlsx", &book), ("json", &json)] {
        let run = modstaff([
            "solve",
            s(&tiny),
            "-q",
            "--work-limit",
            "200",
            "--format",
            format,
            "--out",
            s(out),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let (inst, _) = load_instance(&tiny).expect("tiny");
    let plan = modstaff::model::complete(&inst, &modstaff::io::load_plan(&json).expect("plan")).0;
    let wb: Xlsx<_> = open_workbook(&book).expect("workbook opens");
    assert_eq!(
        wb.sheet_names(),
        [
            "summary",
            "changes",
            "people",
            "modules",
            "uncovered",
            "liaisons",
            "posts",
            "assignments"
        ]
    );
    drop(wb);
    let summary = sheet_rows(&book, "summary");
    let value = |key: &str| {
        summary
            .iter()
            .find(|r| text(&r[0]) == key)
            .map_or_else(|| panic!("summary has {key}"), |r| r[1].clone())
    };
    assert_eq!(
        value("tier 1 weighted uncovered"),
        Data::Float(plan.objective.coverage)
    );
    assert_eq!(text(&value("status")), plan.status.as_str());
    assert_eq!(
        text(&value("plan")),
        modstaff::report::words::headline(&inst, &plan)
    );
    assert_eq!(text(&value("people moving")), "1");
    // What HR carries out: one row per post joined or left, with names.
    let changes: Vec<Vec<String>> = sheet_rows(&book, "changes")
        .iter()
        .map(|r| r.iter().map(text).collect())
        .collect();
    assert_eq!(
        changes,
        [
            ["person", "name", "change", "module", "module name", "hours"],
            [
                "bo",
                "Bo Chen",
                "joins",
                "policy",
                "Policy & regulation",
                "0"
            ],
        ]
    );
    let people = sheet_rows(&book, "people");
    assert_eq!(people.len(), inst.staff.len() + 1);
    for row in &people[1..] {
        let worked: f64 = plan
            .assignments
            .iter()
            .filter(|a| a.person == text(&row[0]))
            .map(|a| a.hours)
            .sum();
        assert_eq!(row[5], Data::Float(worked), "hours of {}", text(&row[0]));
    }
    let uncovered = sheet_rows(&book, "uncovered");
    assert_eq!(
        uncovered.len(),
        plan.uncovered.len() + plan.understaffed.len() + 1
    );
    assert_eq!(text(&uncovered[1][1]), "Farm inspections");
    assert!(
        text(&uncovered[1][7]).contains("Cai Wang (cai) works 20 of 20 h"),
        "{:?}",
        uncovered[1]
    );
}

/// Every text cell of every sheet of a workbook.
fn all_cells(book: &Path) -> Vec<String> {
    let mut wb: Xlsx<_> = open_workbook(book).expect("workbook opens");
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).expect("sheet exists");
        out.extend(range.rows().flat_map(|r| r.iter().map(text)));
    }
    out
}

#[test]
fn plan_outputs_for_people_have_no_markdown_outside_markdown() {
    let dir = scratch();
    for name in ["tiny", "longgang-agri"] {
        let inst = path(&format!("instances/{name}.json"));
        let solve = |format: &str, out: Option<&Path>| {
            let mut args = vec![
                "solve",
                s(&inst),
                "-q",
                "--work-limit",
                "200",
                "--format",
                format,
            ];
            if let Some(out) = out {
                args.extend(["--out", s(out)]);
            }
            let run = modstaff(args);
            assert_eq!(run.code, 0, "{name}: {}", run.stderr);
            run.stdout
        };
        let plan: serde_json::Value = serde_json::from_str(&solve("json", None)).expect("plan");
        let uncovered = plan["uncovered"].as_array().expect("uncovered");
        assert!(!uncovered.is_empty(), "{name} leaves work uncovered");
        for u in uncovered {
            let reason = u["reason"].as_str().expect("reason");
            assert!(!reason.contains('`'), "{name}: {reason}");
            assert!(u["why"]["reason"].is_string(), "{name}: {u}");
        }
        for format in ["table", "csv"] {
            let out = solve(format, None);
            assert!(!out.contains('`'), "{name} as {format}:\n{out}");
        }
        let book = dir.path().join(format!("{name}.xlsx"));
        solve("xlsx", Some(&book));
        let cells = all_cells(&book);
        assert!(
            cells.iter().any(|c| c.contains(" h on ")),
            "{name}: full reasons"
        );
        if let Some(c) = cells.iter().find(|c| c.contains('`')) {
            panic!("{name}: a workbook cell has a backtick: {c}");
        }
        // Markdown may mark ids as code.
        assert!(solve("md", None).contains('`'), "{name} as md");
    }
}

#[test]
fn every_command_reads_sheets() {
    let dir = scratch();
    let (inst, _) = load_instance(&path("instances/tiny.json")).expect("tiny");
    let folder = dir.path().join("tiny");
    sheets::write_csv_folder(&to_raw(&inst), &folder).expect("written");
    let plan = dir.path().join("plan.json");
    let run = modstaff([
        "solve",
        s(&folder),
        "-q",
        "--work-limit",
        "200",
        "--out",
        s(&plan),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = modstaff(["check", s(&folder), s(&plan)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A workbook is only for plans.
    let run = modstaff(["check", s(&folder), s(&plan), "--format", "xlsx"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = modstaff(["validate", s(&folder), "--format", "xlsx"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = modstaff([
        "whatif",
        s(&folder),
        "--sweep",
        "leave-one-out",
        "-q",
        "-t",
        "2",
        "-j",
        "1",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("without bo"), "{}", run.stdout);
    let book = dir.path().join("batch.xlsx");
    let run = modstaff([
        "whatif",
        s(&folder),
        "--sweep",
        "leave-one-out",
        "-q",
        "-t",
        "2",
        "-j",
        "1",
        "--format",
        "xlsx",
        "--out",
        s(&book),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let scenarios = sheet_rows(&book, "scenarios");
    assert_eq!(scenarios.len(), 1 + 4, "header, baseline and 3 scenarios");
    assert_eq!(text(&scenarios[3][0]), "without bo");
    assert_eq!(sheet_rows(&book, "people").len(), 1 + 3);
    match load_instance(&dir.path().join("nowhere.xlsx")) {
        Err(LoadError::Io { .. }) => {}
        other => panic!("a missing workbook is an I/O error, got {other:?}"),
    }
}

#[test]
fn an_instance_without_skill_catalogue_round_trips() {
    let dir = scratch();
    let (inst, _) = load_instance(&path("instances/tiny.json")).expect("tiny");
    let mut raw = to_raw(&inst);
    raw.skills = None;
    let (inst, _) = modstaff::io::validate(&raw).expect("valid without a catalogue");
    let folder = dir.path().join("t");
    // A skills.csv from an earlier export must not survive into this one.
    sheets::write_csv_folder(
        &to_raw(&load_instance(&path("instances/tiny.json")).expect("tiny").0),
        &folder,
    )
    .expect("written");
    sheets::write_csv_folder(&raw, &folder).expect("written");
    assert!(!folder.join("skills.csv").exists());
    assert_eq!(load_instance(&folder).expect("loads").0, inst);
    let book = dir.path().join("t.xlsx");
    sheets::write_xlsx(&raw, &book).expect("written");
    assert_eq!(load_instance(&book).expect("loads").0, inst);
}

/// A workbook saved again by a real spreadsheet program (LibreOffice, xlsx -> ods -> xlsx:
/// shared strings, its own styles and number types) reads back as the same instance. Runs
/// when `soffice` is installed (`apt-get install libreoffice-calc-nogui`), skips otherwise.
#[test]
fn a_workbook_resaved_by_libreoffice_reads_the_same() {
    let Some(soffice) = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("soffice"))
            .find(|p| p.is_file())
    }) else {
        println!("skipped: soffice is not installed (apt-get install libreoffice-calc-nogui)");
        eprintln!("skipped: soffice is not installed (apt-get install libreoffice-calc-nogui)");
        return;
    };
    let dir = scratch();
    let (inst, _) = load_instance(&path("instances/tiny.json")).expect("tiny");
    let book = dir.path().join("tiny.xlsx");
    sheets::write_xlsx(&to_raw(&inst), &book).expect("written");
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.path().join("lo").display()
    );
    let convert = |to: &str, input: &Path, out: &Path| {
        let status = std::process::Command::new(&soffice)
            .args([
                "--headless",
                "--norestore",
                &profile,
                "--convert-to",
                to,
                "--outdir",
            ])
            .arg(out)
            .arg(input)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("soffice runs");
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
    };
    convert("ods", &book, &dir.path().join("ods"));
    convert(
        "xlsx",
        &dir.path().join("ods/tiny.ods"),
        &dir.path().join("again"),
    );
    let (again, _) = load_instance(&dir.path().join("again/tiny.xlsx")).expect("re-saved loads");
    assert_eq!(again, inst);
}

#[test]
fn whatif_workbook_names_who_moves() {
    let dir = scratch();
    let book = dir.path().join("whatif.xlsx");
    let tiny = path("instances/tiny.json");
    let run = modstaff([
        "whatif",
        s(&tiny),
        "--sweep",
        "leave-one-out",
        "-q",
        "-t",
        "5",
        "--format",
        "xlsx",
        "--out",
        s(&book),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let wb: Xlsx<_> = open_workbook(&book).expect("workbook opens");
    assert_eq!(wb.sheet_names()[..2], ["scenarios", "summary"]);
    drop(wb);
    let rows = sheet_rows(&book, "scenarios");
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert!(
        header.contains(&"weighted uncovered".to_owned()),
        "{header:?}"
    );
    let who = header
        .iter()
        .position(|h| h == "who moves")
        .expect("a who moves column");
    let without_ann = rows
        .iter()
        .find(|r| text(&r[0]) == "without ann")
        .expect("a row per person");
    assert_eq!(
        text(&without_ann[who]),
        "Cai Wang (cai) joins Policy & regulation"
    );
    assert!(all_cells(&book).iter().all(|c| !c.contains('`')));
}
