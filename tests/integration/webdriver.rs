//! A small W3C WebDriver client over `chromedriver` (Debian's `chromium-driver`), enough to
//! drive the workbench page like a planner: open it, click, type, wait for what the page
//! shows, run a script, take a screenshot. WebDriver is plain HTTP and JSON, so the test
//! client (`ureq`) is all it needs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The key under which WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// `chromedriver` and `chromium`, installed with apt when missing and possible.
pub(crate) fn chromedriver() -> Result<PathBuf, String> {
    let find = || {
        ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .filter(|_| Path::new("/usr/bin/chromium").is_file())
    };
    if let Some(p) = find() {
        return Ok(p);
    }
    if !is_root() || !Path::new("/usr/bin/apt-get").exists() {
        return Err("chromium-driver is not installed (and not root with apt-get)".into());
    }
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null())
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let install = ["install", "-y", "-q", "chromium", "chromium-driver"];
    if !apt(&install) {
        let _ = apt(&["update", "-q"]);
        let _ = apt(&install);
    }
    find().ok_or_else(|| "apt-get could not install chromium-driver".into())
}

/// A browser session; the driver is stopped when dropped.
pub(crate) struct Browser {
    driver: Child,
    base: String,
    session: String,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    /// Headless Chromium at 1400 x 1000 (a laptop screen), downloading into `downloads`.
    pub(crate) fn start(driver: &Path, downloads: &Path) -> Self {
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let start = Instant::now();
        while agent()
            .get(&format!("{base}/status"))
            .call()
            .map_or(true, |r| r.status() != 200)
        {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "chromedriver did not answer"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut b = Self {
            driver: child,
            base,
            session: String::new(),
        };
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1400,1000"],
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false
                }
            }
        }}});
        let v = b.call("POST", "/session", &caps);
        let Some(session) = v["sessionId"].as_str() else {
            panic!("no session: {v}");
        };
        session.clone_into(&mut b.session);
        b
    }

    fn call(&self, method: &str, path: &str, body: &Value) -> Value {
        let url = format!("{}{path}", self.base);
        let r = match method {
            "GET" => agent().get(&url).call(),
            "DELETE" => agent().delete(&url).call(),
            _ => agent()
                .post(&url)
                .header("Content-Type", "application/json")
                .send(body.to_string()),
        };
        let mut r = r.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let text = r
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .unwrap_or_default();
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        v["value"].clone()
    }

    fn at(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    pub(crate) fn goto(&self, url: &str) {
        self.call("POST", &self.at("/url"), &json!({ "url": url }));
    }

    /// The first element matching `css`, waiting up to 20 s for it.
    pub(crate) fn find(&self, css: &str) -> String {
        let start = Instant::now();
        loop {
            let v = self.call(
                "POST",
                &self.at("/element"),
                &json!({"using": "css selector", "value": css}),
            );
            if let Some(id) = v[ELEMENT].as_str() {
                return id.to_owned();
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no element `{css}`: {v}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub(crate) fn click(&self, css: &str) {
        let id = self.find(css);
        let v = self.call(
            "POST",
            &self.at(&format!("/element/{id}/click")),
            &json!({}),
        );
        assert!(v.is_null(), "click `{css}`: {v}");
    }

    /// Clears an input and types `text` into it (a file input takes a path).
    pub(crate) fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        if self.run("return arguments[0].type", &json!([{ ELEMENT: id }])) != json!("file") {
            self.call(
                "POST",
                &self.at(&format!("/element/{id}/clear")),
                &json!({}),
            );
        }
        let v = self.call(
            "POST",
            &self.at(&format!("/element/{id}/value")),
            &json!({ "text": text }),
        );
        assert!(v.is_null(), "type into `{css}`: {v}");
    }

    /// Runs `script` (a function body; `arguments` are `args`) and returns its value.
    pub(crate) fn run(&self, script: &str, args: &Value) -> Value {
        self.call(
            "POST",
            &self.at("/execute/sync"),
            &json!({"script": script, "args": args}),
        )
    }

    /// Waits until `script` returns a truthy value; panics with `what` after `limit`.
    pub(crate) fn wait_for(&self, script: &str, what: &str, limit: Duration) -> Value {
        self.wait_with(script, &json!([]), what, limit)
    }

    /// [`Self::wait_for`] with `arguments`.
    pub(crate) fn wait_with(
        &self,
        script: &str,
        args: &Value,
        what: &str,
        limit: Duration,
    ) -> Value {
        let start = Instant::now();
        loop {
            let v = self.run(script, args);
            if !(v.is_null() || v == json!(false) || v == json!("")) {
                return v;
            }
            if start.elapsed() > limit {
                let page = self.run("return document.body.innerText.slice(0, 1500)", &json!([]));
                panic!("waited {limit:?} for {what}; the page shows:\n{page}");
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// The page printed to PDF (A4), as bytes.
    pub(crate) fn print_pdf(&self) -> Vec<u8> {
        let v = self.call(
            "POST",
            &self.at("/print"),
            &json!({"page": {"width": 21.0, "height": 29.7}, "background": true}),
        );
        base64(v.as_str().expect("base64 PDF"))
    }

    /// A PNG of the window into `file`.
    pub(crate) fn screenshot(&self, file: &Path) {
        let v = self.call("GET", &self.at("/screenshot"), &json!({}));
        let bytes = base64(v.as_str().expect("base64 PNG"));
        std::fs::write(file, bytes).expect("screenshot written");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = agent()
                .delete(&format!("{}/session/{}", self.base, self.session))
                .call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Standard base64 to bytes (what WebDriver's screenshot returns).
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let digits: Vec<u32> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk.iter().fold(0_u32, |acc, d| (acc << 6) | d) << (6 * (4 - chunk.len()));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}
