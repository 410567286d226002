//! `modstaff serve`: the real binary on an ephemeral loopback port, driven by a real HTTP
//! client. Every endpoint, every error status, auth on and off, job progress and cancel, the
//! same plan as the command line, graceful shutdown on SIGTERM, the OpenAPI document in sync.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use modstaff::io::{load_instance, parse_plan};
use modstaff::model::verify;
use serde_json::{Value, json};

use crate::common::{modstaff, path};

/// A `modstaff serve` process and its log.
pub(crate) struct Server {
    child: Child,
    base: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub(crate) fn start(extra: &[&str]) -> Self {
        Self::start_at("127.0.0.1:0", extra)
    }

    /// A server on `addr` (a fixed port, to restart on it).
    pub(crate) fn start_at(addr: &str, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_modstaff"))
            .args(["serve", "--addr", addr])
            .args(if extra.contains(&"--workers") {
                &[][..]
            } else {
                &["--workers", "2"][..]
            })
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("modstaff serve starts");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Ok(v) = serde_json::from_str::<Value>(&line) {
                        if v["event"] == "listening" {
                            let _ = tx.send(v["addr"].as_str().unwrap_or_default().to_owned());
                        }
                    }
                    log.lock().unwrap().push(line);
                }
            });
        }
        let addr = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the server logs its address");
        assert!(addr.starts_with("127.0.0.1:"), "{addr}");
        Self {
            child,
            base: format!("http://{addr}"),
            log,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Sends SIGTERM and waits for the exit code.
    fn terminate(&mut self) -> Option<i32> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let start = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                return s.code();
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the server did not stop"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Status, headers we look at, and the JSON body of a response.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: String,
    pub(crate) retry_after: Option<String>,
    pub(crate) location: Option<String>,
    pub(crate) www_authenticate: Option<String>,
    pub(crate) body: Value,
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

pub(crate) fn reply(mut r: ureq::http::Response<ureq::Body>) -> Reply {
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (content_type, retry_after, location, www_authenticate) = (
        header("content-type").unwrap_or_default(),
        header("retry-after"),
        header("location"),
        header("www-authenticate"),
    );
    let status = r.status().as_u16();
    let text = r
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .expect("body");
    Reply {
        status,
        content_type,
        retry_after,
        location,
        www_authenticate,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

pub(crate) fn send(method: &str, url: &str, body: Option<&str>, token: Option<&str>) -> Reply {
    let a = agent();
    let auth = token.map(|t| format!("Bearer {t}"));
    let r = match (method, body) {
        ("GET", _) => {
            let mut q = a.get(url);
            if let Some(h) = &auth {
                q = q.header("Authorization", h);
            }
            q.call()
        }
        ("DELETE", _) => {
            let mut q = a.delete(url);
            if let Some(h) = &auth {
                q = q.header("Authorization", h);
            }
            q.call()
        }
        (_, body) => {
            let mut q = a.post(url).header("Content-Type", "application/json");
            if let Some(h) = &auth {
                q = q.header("Authorization", h);
            }
            q.send(body.unwrap_or(""))
        }
    };
    reply(r.expect("the request is answered"))
}

pub(crate) fn get(s: &Server, p: &str) -> Reply {
    send("GET", &s.url(p), None, None)
}

pub(crate) fn post(s: &Server, p: &str, body: &str) -> Reply {
    send("POST", &s.url(p), Some(body), None)
}

pub(crate) fn instance_text(name: &str) -> String {
    std::fs::read_to_string(path(&format!("instances/{name}.json"))).expect("instance")
}

pub(crate) fn solve_body(name: &str, extra: &Value) -> String {
    let mut body = format!("{{\"instance\": {}", instance_text(name));
    if let Value::Object(m) = extra {
        for (k, v) in m {
            let _ = write!(body, ", \"{k}\": {v}");
        }
    }
    body.push('}');
    body
}

/// A problem detail with this status, as `application/problem+json`.
pub(crate) fn assert_problem(r: &Reply, status: u16) {
    assert_eq!(r.status, status, "{:#}", r.body);
    assert_eq!(r.content_type, "application/problem+json", "{:#}", r.body);
    assert_eq!(r.body["status"], status);
    assert!(
        r.body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("urn:modstaff:problem:"))
    );
    assert!(r.body["title"].is_string() && r.body["detail"].is_string());
}

/// The plan passes the independent checker against the named instance.
pub(crate) fn assert_plan_checks(name: &str, plan: &Value) {
    let (inst, _) = load_instance(&path(&format!("instances/{name}.json"))).expect("instance");
    let plan = parse_plan(&plan.to_string(), "plan").expect("a plan");
    let report = modstaff::model::verify_declared(&inst, &plan);
    assert!(report.is_valid(), "{:#?}", report.violations);
}

/// A plan without its wall-clock time, for comparing runs.
fn timeless(mut plan: Value) -> Value {
    plan["solver"]["seconds"] = json!(0);
    plan
}

#[test]
fn openapi_document_is_in_sync() {
    let generated = modstaff::service::openapi_json();
    let file = path("docs/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::create_dir_all(path("docs")).expect("docs/");
        std::fs::write(&file, &generated).expect("write docs/openapi.json");
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is out of date: run `UPDATE_OPENAPI=1 cargo test --test integration openapi`"
    );
    let doc: Value = serde_json::from_str(&generated).expect("JSON");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for p in [
        "/healthz",
        "/openapi.json",
        "/v1/validate",
        "/v1/check",
        "/v1/solve",
        "/v1/whatif",
        "/v1/explain",
        "/v1/jobs",
        "/v1/jobs/{id}",
        "/v1/whatif/jobs",
        "/v1/import",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing");
    }
    for s in [
        "RawInstance",
        "Plan",
        "Problem",
        "JobView",
        "SolveRequest",
        "JobList",
        "JobProgress",
        "ImportResponse",
    ] {
        assert!(doc["components"]["schemas"][s].is_object(), "{s} missing");
    }
}

#[test]
fn every_endpoint_answers() {
    let s = Server::start(&[]);
    health_and_openapi_answer(&s);
    let (solved, wrong) = validate_solve_and_check_answer(&s);
    explain_answers(&s, &solved, &wrong);
    solve_from_a_start_answers(&s);
    whatif_answers(&s);
    requests_are_logged(&s);
}

fn health_and_openapi_answer(s: &Server) {
    let h = get(s, "/healthz");
    assert_eq!(h.status, 200);
    assert_eq!(h.body["status"], "ok");

    let doc = get(s, "/openapi.json");
    assert_eq!(doc.status, 200);
    assert_eq!(doc.content_type, "application/json");
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(path("docs/openapi.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    assert!(
        doc.body == file,
        "the served document is not the committed one"
    );
}

/// Validates and solves tiny, checks the plan and a copy with a wrong objective; returns both
/// plans.
fn validate_solve_and_check_answer(s: &Server) -> (Value, Value) {
    let v = post(s, "/v1/validate", &solve_body("tiny", &json!({})));
    assert_eq!(v.status, 200, "{:#}", v.body);
    assert_eq!(v.body["valid"], true);
    assert_eq!(v.body["summary"]["staff"], 3.0);

    let solved = post(
        s,
        "/v1/solve",
        &solve_body("tiny", &json!({"time_limit": 5})),
    );
    assert_eq!(solved.status, 200, "{:#}", solved.body);
    assert_eq!(solved.body["plan"]["objective"]["coverage"], 80.0);
    assert_eq!(solved.body["stop"], "proven");
    assert_plan_checks("tiny", &solved.body["plan"]);

    let check = |plan: &Value| {
        post(
            s,
            "/v1/check",
            &format!(
                "{{\"instance\": {}, \"plan\": {plan}}}",
                instance_text("tiny")
            ),
        )
    };
    let c = check(&solved.body["plan"]);
    assert_eq!(c.status, 200, "{:#}", c.body);
    assert_eq!(c.body["valid"], true);
    let mut wrong = solved.body["plan"].clone();
    wrong["objective"]["coverage"] = json!(1.0);
    let c = check(&wrong);
    assert_eq!(c.status, 200);
    assert_eq!(c.body["valid"], false);
    assert_eq!(c.body["violations"][0]["kind"], "objective");

    (solved.body["plan"].clone(), wrong)
}

/// A solve started from a minimal plan (the optimum's posts and assignments, and a post its
/// person may not hold): the post is dropped with a warning, the optimum comes back.
fn solve_from_a_start_answers(s: &Server) {
    let golden = std::fs::read_to_string(path("tests/fixtures/identity/longgang-econ.plan.json"))
        .expect("golden plan")
        .replace("<seconds>", "0");
    let golden: Value = serde_json::from_str(&golden).expect("JSON");
    let mut posts = golden["posts"].clone();
    posts
        .as_array_mut()
        .expect("posts")
        .push(json!({"person": "p001", "module": "no-such-module"}));
    let start = json!({"posts": posts, "assignments": golden["assignments"]});
    let r = post(
        s,
        "/v1/solve",
        &solve_body("longgang-econ", &json!({"time_limit": 5, "start": start})),
    );
    assert_eq!(r.status, 200, "{:#}", r.body);
    assert_eq!(r.body["plan"]["objective"]["coverage"], 573.0);
    assert_plan_checks("longgang-econ", &r.body["plan"]);
    let warning = r.body["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .find(|w| w["path"] == "start")
        .unwrap_or_else(|| panic!("a warning on the start: {:#}", r.body["warnings"]));
    assert_eq!(
        warning["message"],
        "the start's post of `p001` in `no-such-module` is dropped: unknown module `no-such-module`"
    );
    let bad = post(
        s,
        "/v1/solve",
        &solve_body(
            "tiny",
            &json!({"start": {"posts": [{"person": "ann"}], "assignments": []}}),
        ),
    );
    assert_problem(&bad, 422);
    assert_eq!(bad.body["errors"][0]["path"], "start.posts[0]");
}

/// Explain: solved on the server, or a given plan; a broken plan is refused.
fn explain_answers(s: &Server, plan: &Value, wrong: &Value) {
    let e = post(
        s,
        "/v1/explain",
        &solve_body("tiny", &json!({"confirm": false, "time_limit": 5})),
    );
    assert_eq!(e.status, 200, "{:#}", e.body);
    assert_eq!(e.body["uncovered"][0]["duty"], "d5");
    assert_eq!(e.body["uncovered"][0]["reason"], "at_capacity");
    assert!(
        e.body["bottlenecks"]
            .as_array()
            .is_some_and(|b| !b.is_empty())
    );
    let e = post(
        s,
        "/v1/explain",
        &format!(
            "{{\"instance\": {}, \"plan\": {}, \"hire_time_limit\": 1}}",
            instance_text("tiny"),
            plan
        ),
    );
    assert_eq!(e.status, 200, "{:#}", e.body);
    assert_eq!(e.body["plan_source"], "given");
    assert!(
        e.body["bottlenecks"][0]["confirmed"].is_number(),
        "{:#}",
        e.body
    );
    let e = post(
        s,
        "/v1/explain",
        &format!(
            "{{\"instance\": {}, \"plan\": {wrong}}}",
            instance_text("tiny")
        ),
    );
    assert_problem(&e, 422);
}

fn whatif_answers(s: &Server) {
    let w = post(
        s,
        "/v1/whatif",
        &solve_body(
            "tiny",
            &json!({"scenarios": "[[scenario]]\nname = \"Cai leaves\"\nremove_staff = { ids = [\"cai\"] }\n", "time_limit": 5}),
        ),
    );
    assert_eq!(w.status, 200, "{:#}", w.body);
    assert_eq!(w.body["baseline"]["coverage"], 80.0);
    assert_eq!(w.body["scenarios"][0]["name"], "Cai leaves");
    let w = post(
        s,
        "/v1/whatif",
        &solve_body(
            "tiny",
            &json!({"sweep": {"kind": "leave-one-out"}, "time_limit": 5}),
        ),
    );
    assert_eq!(w.status, 200, "{:#}", w.body);
    assert_eq!(w.body["scenarios"].as_array().map(Vec::len), Some(3));
}

/// One JSON line per request: method, path, status, duration, job id.
fn requests_are_logged(s: &Server) {
    let log = s.log();
    let line = log
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["path"] == "/v1/solve")
        .expect("a log line for /v1/solve");
    assert_eq!(line["method"], "POST");
    assert_eq!(line["status"], 200);
    assert!(line["ms"].as_f64().is_some_and(|ms| ms > 0.0));
}

#[test]
fn bad_requests_get_problem_details() {
    let s = Server::start(&["--max-body", "200000"]);
    // 400: not JSON, with line and column.
    let r = post(&s, "/v1/validate", "{\"instance\": {,}}");
    assert_problem(&r, 400);
    assert_eq!(r.body["errors"][0]["line"], 1);
    // 400: a misspelt member, named by path.
    let r = post(
        &s,
        "/v1/solve",
        &solve_body("tiny", &json!({"time_limt": 5})),
    );
    assert_problem(&r, 400);
    assert!(
        r.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("time_limt")),
        "{:#}",
        r.body
    );
    // 400: a bad option value.
    let r = post(
        &s,
        "/v1/solve",
        &solve_body("tiny", &json!({"time_limit": -1})),
    );
    assert_problem(&r, 400);
    assert_eq!(r.body["errors"][0]["path"], "time_limit");
    // 400: nesting beyond the depth limit.
    let deep = format!("{{\"instance\": {}{}}}", "[".repeat(100), "]".repeat(100));
    assert_problem(&post(&s, "/v1/validate", &deep), 400);
    // 413: larger than --max-body.
    let big = format!(
        "{{\"instance\": {{\"name\": \"{}\"}}}}",
        "x".repeat(300_000)
    );
    assert_problem(&post(&s, "/v1/validate", &big), 413);
    // 422: the same path-precise messages as `validate`, positioned in the request body.
    let bad = solve_body("tiny", &json!({})).replace("\"capacity\": 20", "\"capacity\": -20");
    let r = post(&s, "/v1/solve", &bad);
    assert_problem(&r, 422);
    let e = &r.body["errors"][0];
    assert_eq!(e["path"], "instance.staff[2].capacity");
    assert_eq!(e["file"], "request");
    let line = bad
        .lines()
        .position(|l| l.contains("\"capacity\": -20"))
        .expect("line")
        + 1;
    assert_eq!(e["line"], line);
    let cli = modstaff(["validate", "--format", "json", "instances/tiny.json"]);
    assert_eq!(cli.code, 0);
    // 422: an invalid plan, an invalid scenario file.
    let r = post(
        &s,
        "/v1/check",
        &format!(
            "{{\"instance\": {}, \"plan\": {{\"instance\": 3}}}}",
            instance_text("tiny")
        ),
    );
    assert_problem(&r, 422);
    assert!(
        r.body["errors"][0]["path"]
            .as_str()
            .is_some_and(|p| p.starts_with("plan"))
    );
    let r = post(
        &s,
        "/v1/whatif",
        &solve_body(
            "tiny",
            &json!({"scenarios": "[[scenario]]\nname = \"x\"\nremove_staff = { ids = [\"zed\"] }\n"}),
        ),
    );
    assert_problem(&r, 422);
    assert_eq!(r.body["errors"][0]["file"], "request.scenarios");
    // 404 and 405, also as problem details.
    assert_problem(&get(&s, "/v2/nothing"), 404);
    assert_problem(&get(&s, "/v1/jobs/0123456789abcdef"), 404);
    assert_problem(&get(&s, "/v1/solve"), 405);
    // Nothing above was a 5xx, and the server is still up.
    assert_eq!(get(&s, "/healthz").status, 200);
}

/// Raw bytes to the server; what it answers until it closes or `wait` passes.
fn raw_exchange(s: &Server, bytes: &[u8], wait: std::time::Duration) -> String {
    use std::io::{Read as _, Write as _};
    let addr = s
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut tcp = std::net::TcpStream::connect(addr).expect("connected");
    tcp.write_all(bytes).expect("sent");
    tcp.set_read_timeout(Some(wait)).expect("timeout set");
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tcp.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::ConnectionReset) => break,
            Err(e) => panic!("the server neither answered nor closed within {wait:?}: {e}"),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A half-sent head is cut, a stalled body gets 408, a body that is not JSON 415, and an
/// abusive scenario 422; the server stays up through all of it.
#[test]
fn stalled_and_mistyped_requests_are_refused() {
    let s = Server::start(&["--read-timeout", "1"]);
    let wait = std::time::Duration::from_secs(10);
    let start = std::time::Instant::now();
    let cut = raw_exchange(
        &s,
        b"POST /v1/validate HTTP/1.1\r\nHost: x\r\nContent-Le",
        wait,
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    assert!(!cut.contains("200 OK"), "{cut}");
    let stalled = raw_exchange(
        &s,
        b"POST /v1/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"instance\"",
        wait,
    );
    assert!(stalled.starts_with("HTTP/1.1 408"), "{stalled}");
    assert!(stalled.contains("--read-timeout"), "{stalled}");
    let body = solve_body("tiny", &json!({}));
    let text = raw_exchange(
        &s,
        format!(
            "POST /v1/solve HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
             Content-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
        wait,
    );
    assert!(text.starts_with("HTTP/1.1 415"), "{text}");
    assert!(text.contains("application/problem+json"), "{text}");
    // Once a 100 GB allocation that took the server down.
    let r = post(
        &s,
        "/v1/whatif",
        &solve_body(
            "tiny",
            &json!({"scenarios": "[[scenario]]\nname = \"x\"\nadd_staff = { id = \"h\", count = 4294967295 }\n"}),
        ),
    );
    assert_problem(&r, 422);
    // A JSON media type with parameters, or none at all, is read.
    let body = format!("{{\"instance\": {}}}", instance_text("tiny"));
    for header in ["Content-Type: application/json; charset=utf-8\r\n", ""] {
        let text = raw_exchange(
            &s,
            format!(
                "POST /v1/validate HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{header}\
                 Content-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
            wait,
        );
        assert!(text.starts_with("HTTP/1.1 200"), "{header}: {text}");
    }
    assert_eq!(get(&s, "/healthz").status, 200);
}

#[test]
fn invalid_instances_report_what_validate_reports() {
    let s = Server::start(&[]);
    for file in crate::common::json_files("tests/fixtures/invalid") {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue; // Not UTF-8: a 400 for the request.
        };
        if serde_json::from_str::<Value>(&text).is_err() {
            continue; // Not JSON at all: a 400 for the request, tested above.
        }
        let body = format!("{{\"instance\": {text}}}");
        let r = post(&s, "/v1/validate", &body);
        assert_problem(&r, 422);
        let cli = modstaff([
            "validate".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
            file.as_os_str(),
        ]);
        let cli: Value = serde_json::from_str(&cli.stdout).expect("validate --format json");
        let errors = |v: &Value| -> Vec<String> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter(|d| d["severity"] == "error")
                .map(|d| {
                    let p = d["path"].as_str().unwrap_or_default();
                    let p = p.strip_prefix("instance.").unwrap_or(p);
                    let p = if p == "instance" { "" } else { p };
                    format!("{p}: {}", d["message"].as_str().unwrap_or_default())
                })
                .collect()
        };
        assert_eq!(
            errors(&r.body["errors"]),
            errors(&cli["diagnostics"]),
            "{}",
            file.display()
        );
    }
}

#[test]
fn auth_is_required_when_a_token_is_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "s3cret-token\n").expect("token");
    let s = Server::start(&["--token-file", token_file.to_str().expect("utf-8")]);
    let body = solve_body("tiny", &json!({}));
    let url = s.url("/v1/validate");
    let r = send("POST", &url, Some(&body), None);
    assert_problem(&r, 401);
    assert_eq!(r.www_authenticate.as_deref(), Some("Bearer"));
    assert_problem(&send("POST", &url, Some(&body), Some("s3cret-tokem")), 401);
    assert_problem(&send("POST", &url, Some(&body), Some("s3cret")), 401);
    assert_eq!(
        send("POST", &url, Some(&body), Some("s3cret-token")).status,
        200
    );
    assert_problem(&send("GET", &s.url("/v1/jobs/x"), None, None), 401);
    // Health and the API description stay open.
    assert_eq!(get(&s, "/healthz").status, 200);
    assert_eq!(get(&s, "/openapi.json").status, 200);

    // Without a token, only loopback.
    let r = modstaff(["serve", "--addr", "0.0.0.0:0"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--token-file"), "{}", r.stderr);
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").expect("empty");
    let r = modstaff(["serve".as_ref(), "--token-file".as_ref(), empty.as_os_str()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// Polls a job until `done` says so (or 60 s pass).
pub(crate) fn poll(s: &Server, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let r = get(s, &format!("/v1/jobs/{id}"));
        assert_eq!(r.status, 200, "{:#}", r.body);
        if done(&r.body) {
            return r.body;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{:#}", r.body);
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_job_gives_the_same_plan_as_the_command_line() {
    let s = Server::start(&[]);
    let r = post(
        &s,
        "/v1/jobs",
        &solve_body(
            "longgang-agri",
            &json!({"work_limit": 120, "time_limit": 60}),
        ),
    );
    assert_eq!(r.status, 202, "{:#}", r.body);
    let id = r.body["id"].as_str().expect("id").to_owned();
    assert_eq!(
        r.location.as_deref(),
        Some(format!("/v1/jobs/{id}").as_str())
    );
    // While it runs: progress, and a best plan so far that passes `check`.
    let running = poll(&s, &id, |j| j["status"] != "queued");
    if running["status"] == "running" && running["plan"].is_object() {
        assert_plan_checks("longgang-agri", &running["plan"]);
    }
    let done = poll(&s, &id, |j| j["status"] == "succeeded");
    assert_eq!(done["stop"], "work-limit");
    assert!(
        done["progress"]["elapsed"]
            .as_f64()
            .is_some_and(|e| e > 0.0)
    );
    assert!(done["progress"]["bound"].as_f64().is_some());
    assert_plan_checks("longgang-agri", &done["plan"]);

    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("plan.json");
    let cli = modstaff([
        "solve".as_ref(),
        "instances/longgang-agri.json".as_ref(),
        "--work-limit".as_ref(),
        "120".as_ref(),
        "--time-limit".as_ref(),
        "60".as_ref(),
        "-q".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(cli.code, 0, "{}", cli.stderr);
    let cli_plan: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("plan")).expect("json");
    assert_eq!(timeless(done["plan"].clone()), timeless(cli_plan));

    // The log names the job.
    let log = s.log();
    assert!(
        log.iter()
            .any(|l| l.contains("\"status\":202") && l.contains(&format!("\"job\":\"{id}\""))),
        "{log:#?}"
    );
    // Deleting a finished job returns it and forgets it.
    let d = send("DELETE", &s.url(&format!("/v1/jobs/{id}")), None, None);
    assert_eq!(d.status, 200);
    assert_eq!(d.body["status"], "succeeded");
    assert_problem(&get(&s, &format!("/v1/jobs/{id}")), 404);
}

#[test]
fn full_queue_gives_429_and_cancel_returns_the_best_plan() {
    let s = Server::start(&["--workers", "1", "--queue", "0"]);
    let r = post(
        &s,
        "/v1/jobs",
        &solve_body("longgang-agri", &json!({"time_limit": 120})),
    );
    assert_eq!(r.status, 202, "{:#}", r.body);
    let id = r.body["id"].as_str().expect("id").to_owned();
    poll(&s, &id, |j| j["status"] == "running");
    // The one worker is busy and nothing may wait: 429 with Retry-After.
    let full = post(&s, "/v1/solve", &solve_body("tiny", &json!({})));
    assert_problem(&full, 429);
    assert!(full.retry_after.is_some_and(|s| s.parse::<u64>().is_ok()));
    assert_eq!(full.body["capacity"], 1);
    let full = post(&s, "/v1/jobs", &solve_body("tiny", &json!({})));
    assert_problem(&full, 429);
    // Cancel: the best plan so far, valid.
    let t = Instant::now();
    let d = send("DELETE", &s.url(&format!("/v1/jobs/{id}")), None, None);
    assert_eq!(d.status, 200, "{:#}", d.body);
    assert_eq!(d.body["status"], "cancelled");
    assert_eq!(d.body["stop"], "cancelled");
    assert!(t.elapsed() < Duration::from_secs(20));
    assert_plan_checks("longgang-agri", &d.body["plan"]);
    // The worker is free again.
    let ok = post(&s, "/v1/solve", &solve_body("tiny", &json!({})));
    assert_eq!(ok.status, 200, "{:#}", ok.body);
}

#[test]
fn sigterm_cancels_running_work_and_exits_0() {
    let mut s = Server::start(&[]);
    let r = post(
        &s,
        "/v1/jobs",
        &solve_body("longgang-agri", &json!({"time_limit": 120})),
    );
    assert_eq!(r.status, 202);
    let id = r.body["id"].as_str().expect("id").to_owned();
    poll(&s, &id, |j| j["status"] == "running");
    // A synchronous solve in flight gets its best plan when the server stops.
    let url = s.url("/v1/solve");
    let body = solve_body("longgang-agri", &json!({"time_limit": 60}));
    let inflight = std::thread::spawn(move || send("POST", &url, Some(&body), None));
    // Wait until the server has queued it (the job and this solve), however slow the machine.
    let start = Instant::now();
    while get(&s, "/healthz").body["in_flight"] != 2 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the solve never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    assert_eq!(s.terminate(), Some(0));
    assert!(t.elapsed() < Duration::from_secs(20));
    let r = inflight.join().expect("client thread");
    assert_eq!(r.status, 200, "{:#}", r.body);
    assert_eq!(r.body["stop"], "cancelled");
    assert_plan_checks("longgang-agri", &r.body["plan"]);
    let log = s.log();
    assert!(
        log.iter()
            .any(|l| l.contains("\"event\":\"shutting down\""))
    );
    assert!(log.iter().any(|l| l.contains("\"event\":\"stopped\"")));
}

#[test]
fn time_limits_are_capped_and_finished_jobs_expire() {
    let s = Server::start(&["--max-time-limit", "0.5", "--job-ttl", "0.5"]);
    let t = Instant::now();
    let r = post(
        &s,
        "/v1/solve",
        &solve_body("longgang-agri", &json!({"time_limit": 1000})),
    );
    assert_eq!(r.status, 200, "{:#}", r.body);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert_plan_checks("longgang-agri", &r.body["plan"]);

    let r = post(&s, "/v1/jobs", &solve_body("tiny", &json!({})));
    assert_eq!(r.status, 202);
    let id = r.body["id"].as_str().expect("id").to_owned();
    poll(&s, &id, |j| j["status"] == "succeeded");
    let start = Instant::now();
    while get(&s, &format!("/v1/jobs/{id}")).status == 200 {
        assert!(start.elapsed() < Duration::from_secs(10), "never expired");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_problem(&get(&s, &format!("/v1/jobs/{id}")), 404);
}

/// A small version of `benches/load.rs`: concurrent mixed requests against a short queue.
#[test]
fn concurrent_mixed_requests_never_get_a_5xx() {
    let s = Server::start(&["--workers", "2", "--queue", "2"]);
    let bodies = [
        solve_body("tiny", &json!({})),
        "{\"instance\": [}".to_owned(),
        solve_body("tiny", &json!({})).replace("\"capacity\": 20", "\"capacity\": -20"),
        solve_body("longgang-agri", &json!({"work_limit": 20, "time_limit": 2})),
    ];
    let url = s.url("/v1/solve");
    let results: Vec<(usize, Reply)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..24)
            .map(|i| {
                let (url, body) = (&url, &bodies[i % 4]);
                scope.spawn(move || (i % 4, send("POST", url, Some(body), None)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("client"))
            .collect()
    });
    for (kind, r) in &results {
        assert!(r.status < 500, "{:#}", r.body);
        if r.status == 429 {
            assert_eq!(r.body["in_flight"], r.body["capacity"], "{:#}", r.body);
            continue;
        }
        match kind {
            0 => assert_plan_checks("tiny", &r.body["plan"]),
            1 => assert_problem(r, 400),
            2 => assert_problem(r, 422),
            _ => assert_plan_checks("longgang-agri", &r.body["plan"]),
        }
    }
    // Every slot is given back (a worker frees it just after answering).
    let start = Instant::now();
    while get(&s, "/healthz").body["in_flight"] != 0 {
        assert!(start.elapsed() < Duration::from_secs(10), "slots leaked");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The plans a job shows while it runs (`SolveOptions::improved`) pass `check`, improve, and
/// end at the final plan's tiers 1-3.
#[test]
fn incumbent_plans_pass_check() {
    let (inst, _) = load_instance(&path("instances/longgang-agri.json")).expect("agri");
    let seen: Arc<Mutex<Vec<modstaff::Plan>>> = Arc::default();
    let sink = seen.clone();
    let options = modstaff::SolveOptions {
        time_limit: Duration::from_secs(60),
        work_limit: Some(200),
        improved: Some(Arc::new(move |p: &modstaff::Plan| {
            sink.lock().unwrap().push(p.clone());
        })),
        ..modstaff::SolveOptions::default()
    };
    let sol = modstaff::solve(&inst, &options);
    let plans = seen.lock().unwrap().clone();
    assert!(plans.len() >= 2, "{} incumbents", plans.len());
    for p in &plans {
        let report = verify(&inst, p);
        assert!(report.is_valid(), "{:#?}", report.violations);
    }
    for w in plans.windows(2) {
        assert!(w[1].objective.coverage <= w[0].objective.coverage + 1e-9);
    }
    let last = plans.last().expect("one");
    assert!(sol.plan.objective.coverage <= last.objective.coverage + 1e-9);
}

/// Peak resident memory of a process, from `/proc` (`VmHWM`), in MB.
fn peak_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

/// The abusive requests of the hardening campaign, sent from four clients at once between
/// good ones: every bad one gets a 4xx, every good one its answer, the server stays under
/// 600 MB; then it is killed mid-load and a new one serves at once.
#[test]
fn the_server_survives_abuse_and_a_kill() {
    let mut s = Server::start(&["--read-timeout", "2", "--max-body", "2000000"]);
    let tiny = instance_text("tiny");
    let bad: Vec<(&str, String)> = vec![
        (
            "/v1/whatif",
            solve_body(
                "tiny",
                &json!({"scenarios": "[[scenario]]\nname = \"x\"\nadd_staff = { id = \"h\", count = 4294967295 }\n"}),
            ),
        ),
        (
            "/v1/whatif",
            solve_body(
                "tiny",
                &json!({"scenarios": "[[scenario]]\nname = \"x\"\nscale_hours = { factor = 1e306 }\n"}),
            ),
        ),
        ("/v1/solve", {
            let mut v: Value = serde_json::from_str(&tiny).expect("tiny");
            v["duties"][0]["hours"] = json!(1e308);
            format!("{{\"instance\": {v}}}")
        }),
        (
            "/v1/solve",
            format!(
                "{{\"instance\": {}}}",
                tiny.replacen("\"hours\": ", "\"hours\": -5, \"hours\": ", 1)
            ),
        ),
        (
            "/v1/validate",
            format!("{{\"instance\": {}{}}}", "[".repeat(5000), "]".repeat(5000)),
        ),
        (
            "/v1/validate",
            format!("{{\"instance\": \"{}\"}}", "x".repeat(3_000_000)),
        ),
        (
            "/v1/check",
            format!("{{\"instance\": {tiny}, \"plan\": {{\"instance\": 3}}}}"),
        ),
        (
            "/v1/solve",
            "{\"instance\": {\"name\": \"x\", \"staff\": [".to_owned(),
        ),
    ];
    let good = format!("{{\"instance\": {tiny}}}");
    let base = s.base.clone();
    let outcomes: Vec<(u16, bool)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let (bad, good, base) = (&bad, &good, &base);
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for round in 0..6 {
                        let (path, body) = &bad[(t + round) % bad.len()];
                        let r = send("POST", &format!("{base}{path}"), Some(body), None);
                        out.push((r.status, false));
                        let r = send("POST", &format!("{base}/v1/validate"), Some(good), None);
                        out.push((r.status, true));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("client thread"))
            .collect()
    });
    for (status, good) in &outcomes {
        if *good {
            assert_eq!(*status, 200);
        } else {
            assert!((400..500).contains(status), "a bad request got {status}");
        }
    }
    // A file of many scenarios is refused before any is applied.
    let many = "[[scenario]]\nname = \"x{}\"\nadd_staff = { id = \"h\", count = 50000 }\n";
    let file: String = (0..300)
        .map(|i| many.replace("{}", &i.to_string()))
        .collect();
    let started = Instant::now();
    let r = post(
        &s,
        "/v1/whatif",
        &solve_body("tiny", &json!({ "scenarios": file })),
    );
    assert_problem(&r, 400);
    assert!(started.elapsed() < Duration::from_secs(5));
    let peak = peak_mb(s.child.id());
    assert!(peak < 600, "peak memory {peak} MB");
    assert_eq!(get(&s, "/healthz").status, 200);

    // Killed while solving: the next server starts and serves at once.
    let slow = solve_body("longgang-agri", &json!({"time_limit": 30}));
    let url = s.url("/v1/solve");
    let pending = std::thread::spawn(move || {
        let _ = agent()
            .post(&url)
            .header("Content-Type", "application/json")
            .send(slow.as_str());
    });
    std::thread::sleep(Duration::from_millis(500));
    let _ = s.child.kill();
    let _ = s.child.wait();
    let _ = pending.join();
    let s2 = Server::start(&[]);
    assert_eq!(get(&s2, "/healthz").status, 200);
    let r = post(
        &s2,
        "/v1/solve",
        &solve_body("tiny", &json!({"time_limit": 5})),
    );
    assert_eq!(r.status, 200);
}
