//! The workbench as a planner uses it, in headless Chromium driven over WebDriver: open a
//! bureau's workbook, solve it to its proven optimum, pin a post and re-solve (the post holds and the page
//! says who moved), run three what-if scenarios, download the plan workbook and check it with
//! `modstaff check`. Chromium and its driver are installed with apt where they can be;
//! elsewhere the test says that it skipped. With `MODSTAFF_SCREENSHOTS=DIR`, it also saves
//! the main views as PNGs (docs/service.md shows them).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{modstaff, root};
use crate::serve::Server;
use crate::webdriver::{Browser, chromedriver};

fn shots() -> Option<PathBuf> {
    std::env::var_os("MODSTAFF_SCREENSHOTS").map(PathBuf::from)
}

#[test]
fn a_planner_solves_pins_compares_and_downloads_in_the_browser() {
    let driver = match chromedriver() {
        Ok(d) => d,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let dir = root().join("target/test-scratch/workbench-browser");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    let server = Server::start(&[]);
    let b = Browser::start(&driver, &dir);
    b.goto(&server.url("/"));

    open_workbook(&b);
    assert!(
        b.run(
            "return document.getElementById('bureau-name').textContent",
            &json!([])
        )
        .as_str()
        .is_some_and(|t| t.contains("52 people")),
    );

    // Solve to the proven optimum, with progress on the way.
    b.type_into("#time-limit", "60");
    b.click("#solve-btn");
    let headline = b.wait_for(
        "const h = document.getElementById('headline').textContent; \
         return h.includes('proven optimal') && !S.job ? h : null",
        "the proven plan",
        Duration::from_secs(90),
    );
    assert!(
        headline
            .as_str()
            .is_some_and(|h| h.contains("weighted 510")),
        "{headline}"
    );
    if let Some(d) = shots() {
        std::fs::create_dir_all(&d).expect("screenshot folder");
        b.screenshot(&d.join("workbench-plan.png"));
    }

    // Pin a post the plan does not hold, and re-solve from the plan.
    let cell = b.run(
        "const c = [...document.querySelectorAll('#grid td.cell')].find(c => !c.classList.contains('held')); \
         c.click(); \
         const again = document.querySelector(`#grid td[data-person=\"${c.dataset.person}\"][data-module=\"${c.dataset.module}\"]`); \
         return [c.dataset.person, c.dataset.module, again.className];",
        &json!([]),
    );
    let (person, module) = (
        cell[0].as_str().expect("person").to_owned(),
        cell[1].as_str().expect("module").to_owned(),
    );
    assert!(
        cell[2].as_str().is_some_and(|c| c.contains("pin")),
        "{cell}"
    );
    b.click("#resolve-btn");
    b.wait_with(
        "return S.previous && !S.job && S.plan.posts.some(p => p.person === arguments[0] && p.module === arguments[1])",
        &json!([person, module]),
        "the re-solved plan holding the pin",
        Duration::from_secs(90),
    );
    let holds = b.run(
        "return S.plan.posts.some(p => p.person === arguments[0] && p.module === arguments[1]) \
         && document.getElementById('moved').textContent",
        &json!([person, module]),
    );
    assert!(
        holds
            .as_str()
            .is_some_and(|t| t.contains("Against the previous plan")),
        "{holds}"
    );

    // Why work is uncovered, and which hire helps most.
    b.click("#explain-btn");
    b.wait_for(
        "const t = document.getElementById('explain-out').textContent; \
         return t.includes('Why each duty is uncovered') && t.includes('The hire that helps most')",
        "the explanation",
        Duration::from_secs(120),
    );

    // Three what-if scenarios, compared with the baseline.
    for (kind, value) in [("remove", "p011 p027"), ("cap", "2"), ("capacity", "0.9")] {
        b.click(&format!("#scenario-kind option[value=\"{kind}\"]"));
        b.click("#scenario-add");
        b.type_into("#scenario-rows .scenario:last-child input", value);
    }
    b.type_into("#whatif-limit", "30");
    b.click("#whatif-run");
    let rows = b.wait_for(
        "const t = document.querySelectorAll('#whatif-out tbody tr'); return t.length === 4 ? t.length : null",
        "four rows of what-if results",
        Duration::from_secs(120),
    );
    assert_eq!(rows, json!(4));
    if let Some(d) = shots() {
        b.run(
            "document.getElementById('whatif').scrollIntoView()",
            &json!([]),
        );
        b.screenshot(&d.join("workbench-whatif.png"));
    }

    // Take it away: the plan workbook, checked by the command line.
    let file = download_workbook(&b, &dir);
    let check = modstaff([
        "check",
        "instances/longgang-agri.json",
        &file.display().to_string(),
    ]);
    assert_eq!(check.code, 0, "{}", check.snapshot());
}

/// Clicks the workbook download and waits for the file (Chrome writes under a temporary name,
/// then renames: an `.xlsx` is complete).
fn download_workbook(b: &Browser, dir: &std::path::Path) -> PathBuf {
    b.click("[data-render=\"xlsx\"]");
    let start = Instant::now();
    loop {
        let found = std::fs::read_dir(dir).ok().and_then(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|e| e == "xlsx"))
        });
        if let Some(f) = found {
            return f;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no workbook downloaded"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Opens the agri bureau as the workbook a planner fills in (the examples are listed too).
fn open_workbook(b: &Browser) {
    // (Not in the download folder, where the plan workbook is looked for.)
    let workbook = root().join("target/test-scratch/workbench-agri.xlsx");
    let export = modstaff([
        "export",
        "xlsx",
        "instances/longgang-agri.json",
        "--out",
        &workbook.display().to_string(),
    ]);
    assert_eq!(export.code, 0, "{}", export.snapshot());
    b.wait_for(
        "return document.querySelector('#examples option[value=\"longgang-agri\"]')",
        "the examples",
        Duration::from_secs(20),
    );
    b.type_into("#file", &workbook.display().to_string());
    b.wait_for(
        "return !document.getElementById('solve').hidden",
        "the solve panel",
        Duration::from_secs(20),
    );
}

/// The page asks for the server's token, names a workbook's mistakes by sheet, row and column,
/// stops a solve with its best plan, and says a job was lost when the server restarts.
#[test]
fn the_page_asks_for_its_token_names_mistakes_stops_and_survives_a_restart() {
    let driver = match chromedriver() {
        Ok(d) => d,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let dir = root().join("target/test-scratch/workbench-browser-2");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    let token = dir.join("token");
    std::fs::write(&token, "a-token-of-the-tests\n").expect("token");
    let token_arg = token.display().to_string();
    let addr = format!("127.0.0.1:{}", crate::webdriver::free_port());
    let server = Server::start_at(&addr, &["--token-file", &token_arg]);
    let b = Browser::start(&driver, &dir);
    b.goto(&server.url("/"));

    // The examples need the token: the page asks for it.
    b.wait_for(
        "return !document.getElementById('token-box').hidden",
        "the token field",
        Duration::from_secs(20),
    );
    b.type_into("#token", "a-token-of-the-tests");
    b.click("#token-save");
    b.wait_for(
        "return document.querySelector('#examples option[value=\"longgang-approval\"]')",
        "the examples, with the token",
        Duration::from_secs(20),
    );

    // A workbook with a mistake: named by sheet, row and column.
    let book = dir.join("team.xlsx");
    crate::serve_import::broken_workbook(&book);
    b.type_into("#file", &book.display().to_string());
    let problems = b.wait_for(
        "const t = document.getElementById('problems').textContent; return t.includes('row 3') ? t : null",
        "the workbook's mistake",
        Duration::from_secs(20),
    );
    assert!(
        problems
            .as_str()
            .is_some_and(|t| t.contains("sheet \"staff\", row 3, column \"capacity\"")),
        "{problems}"
    );

    // Stop: the best plan so far comes back.
    b.click("#examples option[value=\"longgang-approval\"]");
    b.wait_for(
        "return !document.getElementById('solve').hidden",
        "the solve panel",
        Duration::from_secs(20),
    );
    b.type_into("#time-limit", "120");
    b.click("#solve-btn");
    b.wait_for(
        "return S.history.length > 0",
        "a first plan",
        Duration::from_secs(30),
    );
    b.click("#stop-btn");
    let headline = b.wait_for(
        "return !S.job && S.plan ? document.getElementById('headline').textContent : null",
        "the stopped solve's plan",
        Duration::from_secs(30),
    );
    assert!(
        headline.as_str().is_some_and(|h| h.contains("uncovered")),
        "{headline}"
    );

    // The server restarts mid-job: the page says the job was lost.
    b.click("#solve-btn");
    b.wait_for("return S.job", "a running job", Duration::from_secs(20));
    drop(server);
    let _again = Server::start_at(&addr, &["--token-file", &token_arg]);
    b.wait_for(
        "return document.getElementById('progress').textContent.includes('lost')",
        "the lost job said as such",
        Duration::from_secs(60),
    );
}

/// A saved workbench file opens again with its plan; a scenario file runs as a batch; the page
/// prints.
#[test]
fn a_saved_workbench_and_a_scenario_file_open_and_the_page_prints() {
    let driver = match chromedriver() {
        Ok(d) => d,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let dir = root().join("target/test-scratch/workbench-browser-3");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    // A workbench file as the page saves it: the instance, a plan, scenarios.
    let plan = modstaff(["solve", "instances/tiny.json", "-f", "json", "-q"]);
    assert_eq!(plan.code, 0);
    let instance =
        std::fs::read_to_string(crate::common::path("instances/tiny.json")).expect("tiny");
    let saved = dir.join("workbench-tiny.json");
    std::fs::write(
        &saved,
        format!(
            "{{\"workbench\": 1, \"instance\": {instance}, \"plan\": {}, \"scenarios\": []}}",
            plan.stdout
        ),
    )
    .expect("saved");
    let server = Server::start(&[]);
    let b = Browser::start(&driver, &dir);
    b.goto(&server.url("/"));
    b.type_into("#file", &saved.display().to_string());
    let headline = b.wait_for(
        "return S.plan ? document.getElementById('headline').textContent : null",
        "the saved plan",
        Duration::from_secs(20),
    );
    assert_eq!(
        headline,
        json!("20 of 102 h uncovered in 1 duty (weighted 80, proven optimal)")
    );
    let scenarios = dir.join("what-if.toml");
    std::fs::write(
        &scenarios,
        "[[scenario]]\nname = \"Cai leaves\"\nremove_staff = { ids = [\"cai\"] }\n\n\
         [[scenario]]\nname = \"one post each\"\nrules = { max_posts = 1 }\n",
    )
    .expect("scenarios");
    b.type_into("#scenario-file", &scenarios.display().to_string());
    b.click("#whatif-run");
    let rows = b.wait_for(
        "const r = [...document.querySelectorAll('#whatif-out tbody tr')].map(t => t.cells[0].textContent); \
         return r.length === 3 ? r : null",
        "the scenario file's rows",
        Duration::from_secs(60),
    );
    assert_eq!(rows, json!(["baseline", "Cai leaves", "one post each"]));
    let pdf = b.print_pdf();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let pages = pdf
        .windows(10)
        .filter(|w| w == b"/Type /Pag" || w == b"/Type/Page")
        .count();
    assert!(pages >= 1, "at least one page");
}
