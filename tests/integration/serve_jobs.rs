//! `modstaff serve` jobs: progress from a job's first moment on a large instance, the list of
//! jobs, and what-if batches as jobs (their progress, rows, and cancel).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::serve::{Server, assert_plan_checks, assert_problem, get, poll, post, send, solve_body};

fn job_id(r: &crate::serve::Reply) -> String {
    assert_eq!(r.status, 202, "{:#}", r.body);
    r.body["id"].as_str().expect("id").to_owned()
}

/// The phases a solve job goes through, in order.
const SOLVE_PHASES: [&str; 5] = ["preparing", "bounding", "searching", "settling", "done"];

/// On an instance of 460 people the bounds alone take seconds; a running job still shows its
/// progress (elapsed time and phase) at once, and its best plan and bound well before the
/// search (before, `progress` stayed null until the first epoch, 9 s into a 60 s solve).
#[test]
fn progress_shows_from_a_large_jobs_first_second() {
    let s = Server::start(&[]);
    let id = job_id(&post(
        &s,
        "/v1/jobs",
        &solve_body("longgang-enforcement", &json!({"time_limit": 60})),
    ));
    let running = poll(&s, &id, |j| j["status"] != "queued");
    assert_eq!(running["status"], "running", "{running:#}");
    assert_eq!(running["kind"], "solve");
    assert_eq!(running["name"], "longgang-enforcement");
    let started = Instant::now();
    let mut phases: Vec<String> = Vec::new();
    let mut first_progress = None;
    let mut first_best = None;
    while started.elapsed() < Duration::from_secs(20) && first_best.is_none() {
        let j = get(&s, &format!("/v1/jobs/{id}")).body;
        let p = &j["progress"];
        if p.is_object() {
            first_progress.get_or_insert(started.elapsed());
            assert!(p["elapsed"].as_f64().is_some_and(|e| e >= 0.0), "{p}");
            let phase = p["phase"].as_str().expect("a phase").to_owned();
            if phases.last() != Some(&phase) {
                phases.push(phase);
            }
            if p["best"].is_number() {
                assert!(p["bound"].is_number() && p["gap"].is_number(), "{p}");
                first_best = Some(started.elapsed());
            } else {
                assert!(p["bound"].is_null() && p["gap"].is_null(), "{p}");
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let first_progress = first_progress.expect("progress while running");
    eprintln!("first progress after {first_progress:?}, first best after {first_best:?}");
    assert!(
        first_progress < Duration::from_millis(1500),
        "{first_progress:?}"
    );
    let first_best = first_best.expect("a best plan and bound");
    assert!(first_best < Duration::from_secs(5), "{first_best:?}");
    // Phases only move forward.
    let order: Vec<usize> = phases
        .iter()
        .map(|p| SOLVE_PHASES.iter().position(|x| x == p).expect("known"))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{phases:?}");
    // The incumbent is published with the first report.
    let j = poll(&s, &id, |j| j["plan"].is_object());
    assert_plan_checks("longgang-enforcement", &j["plan"]);
    let d = send("DELETE", &s.url(&format!("/v1/jobs/{id}")), None, None);
    assert_eq!(d.status, 200, "{:#}", d.body);
    assert_eq!(d.body["status"], "cancelled");
    assert_eq!(d.body["progress"]["phase"], "done");
    assert_plan_checks("longgang-enforcement", &d.body["plan"]);
}

fn whatif_body(name: &str, extra: &Value) -> String {
    solve_body(name, extra)
}

/// `GET /v1/jobs`: every job, newest first, with kind, name, status, age and progress and no
/// plan; `limit` bounds it and `total` counts them all.
#[test]
fn jobs_are_listed_newest_first_without_plans() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "list-token\n").expect("token");
    let s = Server::start(&["--token-file", token_file.to_str().expect("utf-8")]);
    let token = "list-token";
    let authed = |method: &str, path: &str, body: Option<&str>| {
        send(method, &s.url(path), body, Some(token))
    };
    let empty = authed("GET", "/v1/jobs", None);
    assert_eq!(empty.status, 200, "{:#}", empty.body);
    assert_eq!(empty.body, json!({"jobs": [], "total": 0}));
    let solve = job_id(&authed(
        "POST",
        "/v1/jobs",
        Some(&solve_body("tiny", &json!({}))),
    ));
    let whatif = job_id(&authed(
        "POST",
        "/v1/whatif/jobs",
        Some(&whatif_body(
            "tiny",
            &json!({"sweep": {"kind": "leave-one-out"}, "time_limit": 5}),
        )),
    ));
    let list = authed("GET", "/v1/jobs", None);
    assert_eq!(list.status, 200, "{:#}", list.body);
    assert_eq!(list.body["total"], 2);
    let jobs = list.body["jobs"].as_array().expect("jobs");
    let ids: Vec<&str> = jobs.iter().filter_map(|j| j["id"].as_str()).collect();
    assert_eq!(ids, [whatif.as_str(), solve.as_str()], "newest first");
    assert_eq!(jobs[0]["kind"], "whatif");
    assert_eq!(jobs[1]["kind"], "solve");
    for j in jobs {
        assert_eq!(j["name"], "tiny", "{j:#}");
        assert!(j["age"].as_f64().is_some_and(|a| a >= 0.0), "{j:#}");
        assert!(
            j["status"].is_string() && j.get("progress").is_some(),
            "{j:#}"
        );
        assert!(
            j.get("plan").is_none() && j.get("result").is_none(),
            "{j:#}"
        );
    }
    let one = authed("GET", "/v1/jobs?limit=1", None);
    assert_eq!(one.body["jobs"].as_array().map(Vec::len), Some(1));
    assert_eq!(one.body["jobs"][0]["id"], whatif.as_str());
    assert_eq!(one.body["total"], 2);
    for bad in ["limit=0", "limit=1001", "limit=many", "status=running"] {
        assert_problem(&authed("GET", &format!("/v1/jobs?{bad}"), None), 400);
    }
    // The token guards the list like every `/v1` endpoint.
    let r = send("GET", &s.url("/v1/jobs"), None, None);
    assert_problem(&r, 401);
}

/// A what-if batch as a job: its progress counts scenarios, and once finished its `result`
/// holds the rows `POST /v1/whatif` answers for the same body.
#[test]
fn a_whatif_job_reports_scenarios_and_the_rows_of_whatif() {
    let s = Server::start(&["--threads", "1"]);
    let body = whatif_body(
        "longgang-agri",
        &json!({"sweep": {"kind": "max-posts", "from": 1, "to": 3}, "work_limit": 100, "time_limit": 60}),
    );
    let r = post(&s, "/v1/whatif/jobs", &body);
    let id = job_id(&r);
    assert_eq!(
        r.location.as_deref(),
        Some(format!("/v1/jobs/{id}").as_str())
    );
    assert_eq!(r.body["kind"], "whatif");
    let running = poll(&s, &id, |j| j["status"] != "queued");
    if running["status"] == "running" {
        let p = &running["progress"];
        assert!(["baseline", "scenarios"].contains(&p["phase"].as_str().unwrap_or("")));
        assert_eq!(p["scenarios_total"], 3, "{p}");
        assert!(p["best"].is_null() && p["steps"].is_null(), "{p}");
    }
    let done = poll(&s, &id, |j| j["status"] == "succeeded");
    assert_eq!(done["progress"]["phase"], "done");
    assert_eq!(done["progress"]["scenarios_done"], 3);
    assert!(done["plan"].is_null());
    let result = &done["result"];
    assert!(result.get("missing").is_none(), "{result:#}");
    let sync = post(&s, "/v1/whatif", &body);
    assert_eq!(sync.status, 200, "{:#}", sync.body);
    // Work limits make the rows deterministic; only the seconds differ.
    let timeless = |v: &Value| {
        let mut v = v.clone();
        v["seconds"] = json!(0);
        v
    };
    assert_eq!(
        timeless(&result["baseline"]),
        timeless(&sync.body["baseline"])
    );
    let (a, b) = (
        result["scenarios"].as_array().expect("rows"),
        sync.body["scenarios"].as_array().expect("rows"),
    );
    assert_eq!(a.len(), 3);
    assert_eq!(
        a.iter().map(timeless).collect::<Vec<_>>(),
        b.iter().map(timeless).collect::<Vec<_>>()
    );
    // A what-if job's body is refused as `/v1/whatif` refuses it.
    let r = post(&s, "/v1/whatif/jobs", &solve_body("tiny", &json!({})));
    assert_problem(&r, 400);
    let bad = solve_body("tiny", &json!({"scenarios": "[[scenario]]\nname = 1\n"}));
    assert_problem(&post(&s, "/v1/whatif/jobs", &bad), 422);
}

/// `DELETE` stops a what-if job: the scenario running finishes with its best plan so far, the
/// ones not started are skipped and named in `missing`.
#[test]
fn cancelling_a_whatif_job_names_the_missing_scenarios() {
    let s = Server::start(&["--threads", "1"]);
    let body = whatif_body(
        "longgang-agri",
        &json!({"sweep": {"kind": "max-posts", "from": 1, "to": 8}, "time_limit": 900}),
    );
    let id = job_id(&post(&s, "/v1/whatif/jobs", &body));
    poll(&s, &id, |j| j["progress"]["phase"] == "scenarios");
    let t = Instant::now();
    let d = send("DELETE", &s.url(&format!("/v1/jobs/{id}")), None, None);
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    assert_eq!(d.status, 200, "{:#}", d.body);
    assert_eq!(d.body["status"], "cancelled");
    assert_eq!(d.body["stop"], "cancelled");
    let result = &d.body["result"];
    assert_eq!(result["baseline"]["name"], "baseline");
    let solved: Vec<u64> = result["scenarios"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|o| o["index"].as_u64())
        .collect();
    let missing = result["missing"].as_array().expect("missing scenarios");
    assert!(!missing.is_empty(), "{result:#}");
    let mut all = solved.clone();
    for m in missing {
        let k = m["index"].as_u64().expect("index");
        assert!(!solved.contains(&k), "{k} both solved and missing");
        assert_eq!(m["name"], format!("max posts {}", k + 1));
        all.push(k);
    }
    all.sort_unstable();
    assert_eq!(all, (0..8).collect::<Vec<u64>>());
    assert_problem(&get(&s, &format!("/v1/jobs/{id}")), 404);
}
