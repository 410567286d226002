//! The workbench page of `modstaff serve`: served with its assets, open without a token while
//! the API keeps it, the example bureaus, and plans rendered as downloads that `check` reads.

use std::time::Duration;

use crate::common::{modstaff, path, root};
use crate::serve::Server;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// Status, content type and body bytes.
fn get(url: &str, token: Option<&str>) -> (u16, String, Vec<u8>) {
    let mut q = agent().get(url);
    if let Some(t) = token {
        q = q.header("Authorization", &format!("Bearer {t}"));
    }
    answer(q.call().expect("answered"))
}

fn post(url: &str, body: &str) -> (u16, String, Vec<u8>) {
    let r = agent()
        .post(url)
        .header("Content-Type", "application/json")
        .send(body)
        .expect("answered");
    answer(r)
}

fn answer(mut r: ureq::http::Response<ureq::Body>) -> (u16, String, Vec<u8>) {
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = r
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .expect("body");
    (status, ct, body)
}

#[test]
fn the_page_and_its_assets_are_served() {
    let s = Server::start(&[]);
    let (status, ct, body) = get(&s.url("/"), None);
    assert_eq!(status, 200);
    assert_eq!(ct, "text/html; charset=utf-8");
    let page = String::from_utf8(body).expect("UTF-8");
    assert!(page.contains("<script src=\"/assets/app.js\" defer></script>"));
    for (asset, kind, marker) in [
        (
            "/assets/app.js",
            "text/javascript; charset=utf-8",
            "function showPlan",
        ),
        ("/assets/app.css", "text/css; charset=utf-8", ".grid td.pin"),
    ] {
        let (status, ct, body) = get(&s.url(asset), None);
        assert_eq!((status, ct.as_str()), (200, kind), "{asset}");
        assert!(String::from_utf8_lossy(&body).contains(marker), "{asset}");
    }
    // Every element the script looks up by id is on the page.
    let (_, _, js) = get(&s.url("/assets/app.js"), None);
    let js = String::from_utf8(js).expect("UTF-8");
    for part in js.split("$(\"").skip(1) {
        let id = part.split('"').next().unwrap_or_default();
        assert!(
            page.contains(&format!("id=\"{id}\"")),
            "no element #{id} on the page"
        );
    }
}

#[test]
fn examples_are_listed_and_served() {
    let s = Server::start(&[]);
    let (status, _, body) = get(&s.url("/v1/examples"), None);
    assert_eq!(status, 200);
    let list: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    let names: Vec<&str> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|x| x["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "tiny",
            "longgang-agri",
            "longgang-econ",
            "longgang-approval"
        ]
    );
    assert_eq!(list[1]["staff"], 52);
    let (status, ct, body) = get(&s.url("/v1/examples/tiny"), None);
    assert_eq!((status, ct.as_str()), (200, "application/json"));
    assert_eq!(
        body,
        std::fs::read(path("instances/tiny.json")).expect("tiny")
    );
    let (status, ct, body) = get(&s.url("/v1/examples/nope"), None);
    assert_eq!((status, ct.as_str()), (404, "application/problem+json"));
    assert!(String::from_utf8_lossy(&body).contains("`tiny`"));
}

#[test]
fn plans_render_as_downloads_that_check_reads() {
    let s = Server::start(&[]);
    let plan = modstaff(["solve", "instances/tiny.json", "-f", "json", "-q"]);
    assert_eq!(plan.code, 0);
    let instance = std::fs::read_to_string(path("instances/tiny.json")).expect("tiny");
    let dir = root().join("target/test-scratch/workbench");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    for (format, kind, marker) in [
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &b"PK"[..],
        ),
        ("json", "application/json", &b"{"[..]),
        ("csv", "text/csv; charset=utf-8", &b""[..]),
        ("html", "text/html; charset=utf-8", &b"<!DOCTYPE html>"[..]),
    ] {
        let body = format!(
            "{{\"instance\": {instance}, \"plan\": {}, \"format\": \"{format}\"}}",
            plan.stdout
        );
        let (status, ct, bytes) = post(&s.url("/v1/render"), &body);
        assert_eq!((status, ct.as_str()), (200, kind), "{format}");
        assert!(bytes.starts_with(marker), "{format}");
        if format != "html" {
            let file = dir.join(format!("plan.{format}"));
            std::fs::write(&file, &bytes).expect("written");
            let check = modstaff(["check", "instances/tiny.json", &file.display().to_string()]);
            assert_eq!(check.code, 0, "{format}: {}", check.snapshot());
        }
    }
    // A plan that is not one: the problem names the member.
    let (status, _, body) = post(
        &s.url("/v1/render"),
        &format!("{{\"instance\": {instance}, \"plan\": {{\"posts\": 3}}, \"format\": \"csv\"}}"),
    );
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));
    assert!(String::from_utf8_lossy(&body).contains("plan"));
}

#[test]
fn the_page_is_open_and_the_api_keeps_its_token() {
    let dir = root().join("target/test-scratch/workbench-token");
    std::fs::create_dir_all(&dir).expect("scratch");
    let token_file = dir.join("token");
    std::fs::write(&token_file, "s3cret-token-for-tests\n").expect("token");
    let s = Server::start(&["--token-file", &token_file.display().to_string()]);
    assert_eq!(get(&s.url("/"), None).0, 200);
    assert_eq!(get(&s.url("/assets/app.js"), None).0, 200);
    assert_eq!(get(&s.url("/v1/examples"), None).0, 401);
    assert_eq!(
        get(&s.url("/v1/examples"), Some("s3cret-token-for-tests")).0,
        200
    );
}
