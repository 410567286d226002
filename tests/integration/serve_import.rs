//! `POST /v1/import`: a bureau uploaded as a workbook, a zip of its CSV folder or JSON reads as
//! `modstaff import` reads the files, and problems are placed as `modstaff validate` places
//! them; wrong types, oversized bodies and zip bombs are refused.

use std::io::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use crate::common::{modstaff, path};
use crate::serve::{Reply, Server, agent, assert_problem, post, reply};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn upload(s: &Server, query: &str, content_type: Option<&str>, bytes: &[u8]) -> Reply {
    upload_with(s, query, content_type, bytes, None)
}

fn upload_with(
    s: &Server,
    query: &str,
    content_type: Option<&str>,
    bytes: &[u8],
    token: Option<&str>,
) -> Reply {
    let mut q = agent().post(&s.url(&format!("/v1/import{query}")));
    if let Some(t) = content_type {
        q = q.header("Content-Type", t);
    }
    if let Some(t) = token {
        q = q.header("Authorization", &format!("Bearer {t}"));
    }
    reply(q.send(bytes).expect("the request is answered"))
}

/// A zip archive of `files`, each under `prefix`.
fn zip_of(files: &[(String, Vec<u8>)], prefix: &str) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        w.start_file(format!("{prefix}{name}"), options)
            .expect("entry");
        w.write_all(data).expect("written");
    }
    w.finish().expect("finished").into_inner()
}

/// The files of a folder, by name.
fn folder_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("folder")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("file"),
            )
        })
        .collect();
    files.sort();
    files
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).expect("file")).expect("JSON")
}

/// Runs `modstaff KIND-COMMAND KIND dir/input --out dir/out`.
fn run_ok(dir: &Path, command: &str, kind: &str, input: &str, out: &str) {
    let (input, out) = (dir.join(input), dir.join(out));
    let r = modstaff([
        command.as_ref(),
        kind.as_ref(),
        input.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// Query, Content-Type, body, the format read and the instance expected.
type Case<'a> = (&'a str, Option<&'a str>, Vec<u8>, &'a str, &'a Value);

/// The workbook and the CSV folder of `modstaff export`, uploaded in every way a browser or
/// curl may send them, give the instance `modstaff import` writes; JSON gives the same
/// instance; the imported instance solves.
#[test]
fn workbooks_zipped_folders_and_json_import_as_modstaff_import_reads_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let tiny = path("instances/tiny.json");
    let tiny = tiny.to_str().expect("utf-8");
    for (kind, out) in [("xlsx", "tiny.xlsx"), ("csv", "tiny")] {
        let r = modstaff([
            "export",
            kind,
            tiny,
            "--out",
            d.join(out).to_str().expect("utf-8"),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    run_ok(d, "import", "xlsx", "tiny.xlsx", "from-xlsx.json");
    run_ok(d, "import", "csv", "tiny", "from-csv.json");
    let (from_xlsx, from_csv) = (
        read_json(&d.join("from-xlsx.json")),
        read_json(&d.join("from-csv.json")),
    );
    let book = std::fs::read(d.join("tiny.xlsx")).expect("workbook");
    let files = folder_files(&d.join("tiny"));

    let s = Server::start(&[]);
    let cases: [Case<'_>; 6] = [
        (
            "?filename=tiny.xlsx",
            Some(XLSX),
            book.clone(),
            "xlsx",
            &from_xlsx,
        ),
        ("", None, book.clone(), "xlsx", &from_xlsx),
        ("", Some("application/zip"), book, "xlsx", &from_xlsx),
        (
            "?filename=tiny.zip",
            Some("application/zip"),
            zip_of(&files, ""),
            "csv",
            &from_csv,
        ),
        // Windows browsers send zips as `x-zip-compressed`; a zipped folder keeps its name.
        (
            "",
            Some("application/x-zip-compressed"),
            zip_of(&files, "tiny/"),
            "csv",
            &from_csv,
        ),
        (
            "",
            Some("application/octet-stream"),
            zip_of(&files, "tiny/"),
            "csv",
            &from_csv,
        ),
    ];
    for (query, content_type, bytes, format, expected) in cases {
        let r = upload(&s, query, content_type, &bytes);
        assert_eq!(r.status, 200, "{content_type:?}: {:#}", r.body);
        assert_eq!(r.body["format"], format);
        assert_eq!(&r.body["instance"], expected, "{content_type:?} {format}");
        assert_eq!(r.body["warnings"], json!([]));
        assert_eq!(r.body["summary"]["staff"], 3.0);
    }
    let text = std::fs::read(path("instances/tiny.json")).expect("tiny");
    let r = upload(&s, "", Some("application/json"), &text);
    assert_eq!(r.status, 200, "{:#}", r.body);
    assert_eq!(r.body["format"], "json");
    assert_eq!(
        r.body["summary"],
        upload(&s, "", None, &text).body["summary"]
    );
    // What an import answers is an instance the other endpoints take: tiny's optimum is 80.
    let solved = post(
        &s,
        "/v1/solve",
        &json!({"instance": from_xlsx, "time_limit": 10}).to_string(),
    );
    assert_eq!(solved.status, 200, "{:#}", solved.body);
    assert_eq!(solved.body["plan"]["objective"]["coverage"], 80.0);
}

/// Writes a workbook whose staff sheet has `forty` for a capacity (sheet `staff`, row 3).
pub(crate) fn broken_workbook(book: &Path) {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let sheets: [(&str, &[&[&str]]); 3] = [
        (
            "staff",
            &[
                &["id", "name", "capacity", "skills"],
                &["p1", "张伟", "40", "policy:2"],
                &["p2", "李娜", "forty", "policy:1"],
            ],
        ),
        ("modules", &[&["id", "name"], &["m1", "政策"]]),
        (
            "duties",
            &[
                &["id", "module", "hours", "skill"],
                &["d1", "m1", "8", "policy"],
            ],
        ),
    ];
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name).expect("sheet name");
        for (r, row) in rows.iter().enumerate() {
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
    wb.save(book).expect("saved");
}

/// The errors of `modstaff validate --format json` run in `dir` on `input`.
fn validate_errors(dir: &Path, input: &str) -> Vec<Value> {
    let r = modstaff([
        "validate".as_ref(),
        dir.join(input).as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).expect("JSON");
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .cloned()
        .collect()
}

/// A workbook or a zipped folder with a bad cell: 422, and the errors are those of
/// `modstaff validate` on the file, sheet (or file), row and column.
#[test]
fn an_upload_with_an_error_names_sheet_row_and_column_as_validate_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    broken_workbook(&d.join("team.xlsx"));
    let expected = validate_errors(d, "team.xlsx");
    assert_eq!(expected.len(), 1, "{expected:#?}");
    let s = Server::start(&[]);
    let book = std::fs::read(d.join("team.xlsx")).expect("workbook");
    let r = upload(&s, "?filename=team.xlsx", Some(XLSX), &book);
    assert_problem(&r, 422);
    assert_eq!(r.body["type"], "urn:modstaff:problem:invalid-instance");
    let mut errors = r.body["errors"].as_array().expect("errors").clone();
    // `validate` names the file by the path it was given; the upload by its name.
    for e in &mut errors {
        assert_eq!(e["file"], "team.xlsx");
        e["file"] = json!(d.join("team.xlsx").to_str().expect("utf-8"));
    }
    assert_eq!(errors, expected);
    assert_eq!(
        r.body["errors"][0]["path"],
        "sheet \"staff\", row 3, column \"capacity\""
    );

    // The same mistake in a CSV folder, zipped.
    let r = modstaff([
        "export",
        "csv",
        path("instances/tiny.json").to_str().expect("utf-8"),
        "--out",
        d.join("tiny").to_str().expect("utf-8"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let staff = d.join("tiny/staff.csv");
    let text = std::fs::read_to_string(&staff).expect("staff.csv");
    std::fs::write(&staff, text.replacen(",40,", ",forty,", 1)).expect("written");
    let expected = validate_errors(d, "tiny");
    let r = upload(
        &s,
        "?filename=tiny.zip",
        Some("application/zip"),
        &zip_of(&folder_files(&d.join("tiny")), ""),
    );
    assert_problem(&r, 422);
    let mut errors = r.body["errors"].as_array().expect("errors").clone();
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
    for e in &mut errors {
        assert_eq!(e["file"], "tiny.zip/staff.csv");
        e["file"] = json!(d.join("tiny/staff.csv").to_str().expect("utf-8"));
    }
    assert_eq!(errors, expected);
    assert_eq!(r.body["errors"][0]["path"], "row 2, column \"capacity\"");

    // JSON: placed at line and column, in the upload's name.
    let r = upload(
        &s,
        "?filename=bureau.json",
        Some("application/json"),
        br#"{"name": "b", "staff": [], "modules": [], "duties": [{"id": 3}]}"#,
    );
    assert_problem(&r, 422);
    assert_eq!(r.body["errors"][0]["file"], "bureau.json");
    assert!(r.body["errors"][0]["line"].is_number(), "{:#}", r.body);
}

/// Wrong types get 415, bodies too large 413, archives that unpack too far (a zip bomb,
/// also dressed as a workbook) or are none 422, an unknown query 400, no token 401.
#[test]
fn uploads_are_refused_with_problem_details() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "up-token\n").expect("token");
    let s = Server::start(&[
        "--max-body",
        "100000",
        "--token-file",
        token_file.to_str().expect("utf-8"),
    ]);
    let t = Some("up-token");
    let tiny = std::fs::read(path("instances/tiny.json")).expect("tiny");
    let r = upload_with(&s, "", Some("application/json"), &tiny, None);
    assert_problem(&r, 401);
    assert_eq!(
        upload_with(&s, "", Some("application/json"), &tiny, t).status,
        200
    );
    for ct in ["text/csv", "multipart/form-data; boundary=x", "text/plain"] {
        let r = upload_with(&s, "", Some(ct), b"id,name\n", t);
        assert_problem(&r, 415);
        assert!(
            r.body["detail"].as_str().is_some_and(|d| d.contains(XLSX)),
            "{:#}",
            r.body
        );
    }
    let r = upload_with(&s, "", Some(XLSX), b"id,name\n", t);
    assert_problem(&r, 422);
    assert!(
        r.body["detail"]
            .to_string()
            .contains("not an .xlsx workbook")
    );
    let r = upload_with(&s, "", Some("application/zip"), b"id,name\n", t);
    assert_problem(&r, 422);
    assert!(r.body["detail"].to_string().contains("not a zip archive"));
    // 2 MB of zeros pack into a few kilobytes: beyond 4 x the body limit unpacked.
    let zeros = vec![b'0'; 2 << 20];
    let bomb = zip_of(&[("staff.csv".to_owned(), zeros.clone())], "");
    assert!(bomb.len() < 100_000, "{}", bomb.len());
    let book_bomb = zip_of(
        &[
            ("xl/workbook.xml".to_owned(), b"<workbook/>".to_vec()),
            ("xl/worksheets/sheet1.xml".to_owned(), zeros),
        ],
        "",
    );
    for (ct, bytes) in [("application/zip", &bomb), (XLSX, &book_bomb)] {
        let r = upload_with(&s, "", Some(ct), bytes, t);
        assert_problem(&r, 422);
        assert!(
            r.body["detail"]
                .to_string()
                .contains("unpacks to more than 400000 bytes"),
            "{:#}",
            r.body
        );
    }
    let big: Vec<u8> = (0..150_000_u32).map(|i| (i % 251) as u8).collect();
    assert_problem(&upload_with(&s, "", Some("application/zip"), &big, t), 413);
    assert_problem(&upload_with(&s, "?name=x", None, &tiny, t), 400);
}
