//! The plan report as a browser shows and prints it. Headless Chromium renders the report of
//! the agri golden plan: the DOM it ends with is checked figure by figure against the plan
//! (`report_page`), its layout at A4 width is measured, and it prints to a PDF of several
//! pages. Chromium is installed with apt when missing and this runs as root; only where it
//! cannot be had is the test skipped, and it says so.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use modstaff::io::{load_instance, load_plan};

use crate::common::{modstaff, path};
use crate::report_page::check_plan_page;

/// The first of `names` found on `PATH`.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

const BROWSERS: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

/// Whether this process runs as root (apt needs it).
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `apt-get install -y chromium`, after `apt-get update` when the package lists are stale.
fn apt_install() -> Result<(), String> {
    if !is_root() || on_path(&["apt-get"]).is_none() {
        return Err("not root, or no apt-get".into());
    }
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null())
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if apt(&["install", "-y", "-q", "chromium"])
        || (apt(&["update", "-q"]) && apt(&["install", "-y", "-q", "chromium"]))
    {
        Ok(())
    } else {
        Err("apt-get install chromium failed".into())
    }
}

/// Chromium, installed once per test run when missing; `Err` says why there is none.
fn chromium() -> Result<&'static Path, &'static str> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            if let Some(p) = on_path(&BROWSERS) {
                return Ok(p);
            }
            apt_install()?;
            on_path(&BROWSERS).ok_or_else(|| "installed, but not on PATH".into())
        })
        .as_ref()
        .map(PathBuf::as_path)
        .map_err(String::as_str)
}

/// Runs headless Chromium on `page` with `args`, killed after two minutes; its standard
/// output. Output goes to files, so that a large DOM cannot fill a pipe nobody reads yet.
fn headless(chrome: &Path, dir: &Path, args: &[String], page: &Path) -> Vec<u8> {
    let (out, err) = (dir.join("chromium.out"), dir.join("chromium.err"));
    let file = |p: &Path| std::fs::File::create(p).expect("output file");
    let mut child = Command::new(chrome)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=703,1000",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(file(&out))
        .stderr(file(&err))
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("chromium runs") {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took more than two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        status.success(),
        "chromium failed: {}",
        std::fs::read_to_string(&err).unwrap_or_default()
    );
    std::fs::read(&out).expect("chromium output")
}

/// Measures the layout at the printable width of A4 (186 mm, 703 CSS px) and writes what it
/// found into the DOM: added to a copy only, since the report itself has no script.
const MEASURE: &str = r"<script>
const width = document.documentElement.clientWidth;
const clipped = [...document.querySelectorAll('table.heat th div, table.heat th.who, table.heat td')]
  .filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
  .map(e => e.textContent.trim()).slice(0, 5);
const wide = [...document.querySelectorAll('table')]
  .filter(t => t.getBoundingClientRect().right > width + 0.5).length;
document.body.setAttribute('data-overflow', String(document.documentElement.scrollWidth - width));
document.body.setAttribute('data-wide-tables', String(wide));
document.body.setAttribute('data-clipped', clipped.join(' | '));
</script>";

/// The value of attribute `name` on `<body>` in `dom`.
fn body_attr<'a>(dom: &'a str, name: &str) -> &'a str {
    let key = format!("{name}=\"");
    let at = dom
        .find(&key)
        .unwrap_or_else(|| panic!("{name} in the DOM"))
        + key.len();
    &dom[at..at + dom[at..].find('"').expect("closing quote")]
}

#[test]
fn chromium_renders_and_prints_the_report_with_the_plans_numbers() {
    let chrome = match chromium() {
        Ok(c) => c,
        Err(why) => {
            println!("skipped: no Chromium ({why})");
            eprintln!("skipped: no Chromium ({why})");
            return;
        }
    };
    let dir = tempfile::tempdir().expect("scratch");
    let golden = std::fs::read_to_string(path("tests/fixtures/identity/longgang-agri.plan.json"))
        .expect("golden plan");
    let plan_path = dir.path().join("plan.json");
    std::fs::write(&plan_path, golden.replace("<seconds>", "1.5")).expect("written");
    let instance = path("instances/longgang-agri.json");
    let report = dir.path().join("report.html");
    let run = modstaff([
        std::ffi::OsStr::new("report"),
        instance.as_os_str(),
        plan_path.as_os_str(),
        "--out".as_ref(),
        report.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(&report).expect("report written");
    let (inst, _) = load_instance(&instance).expect("instance");
    let plan = modstaff::model::complete(&inst, &load_plan(&plan_path).expect("plan")).0;
    assert!(
        !plan.changes.is_empty() && !plan.uncovered.is_empty(),
        "a plan with changes and uncovered work"
    );

    let measured = dir.path().join("measured.html");
    std::fs::write(
        &measured,
        html.replace("</body>", &format!("{MEASURE}</body>")),
    )
    .expect("written");
    let dom = headless(chrome, dir.path(), &["--dump-dom".into()], &measured);
    let dom = String::from_utf8(dom).expect("UTF-8 DOM");
    assert!(dom.contains("<html lang=\"en\""), "an English bureau");
    check_plan_page(&dom, &inst, &plan);
    assert_eq!(
        body_attr(&dom, "data-overflow"),
        "0",
        "no sideways scrolling"
    );
    assert_eq!(body_attr(&dom, "data-wide-tables"), "0", "tables fit A4");
    assert_eq!(
        body_attr(&dom, "data-clipped"),
        "",
        "labels and numbers whole"
    );

    let pdf = dir.path().join("report.pdf");
    headless(
        chrome,
        dir.path(),
        &[
            "--no-pdf-header-footer".into(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
        &report,
    );
    let bytes = std::fs::read(&pdf).expect("PDF written");
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    let pages = count(&bytes, b"/Type /Page") - count(&bytes, b"/Type /Pages");
    // First page, heatmap blocks, coverage, units and liaisons, uncovered duties.
    assert!(pages >= 5, "{pages} pages");
    assert!(
        bytes.len() > 100_000,
        "PDF has content: {} bytes",
        bytes.len()
    );
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}
