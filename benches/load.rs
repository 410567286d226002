//! Bounded load test of `modstaff serve` (loopback only; stops by itself).
//!
//! Run: `cargo bench --bench load` (add `-- REQUESTS CONCURRENCY` to change 500 and 50).
//!
//! Two phases against the real binary on an ephemeral loopback port, each REQUESTS requests
//! from CONCURRENCY client threads, mixed: 60% tiny solves, 20% agri solves (work limit 40,
//! time limit 2 s), 10% malformed bodies, 10% invalid instances.
//! - `roomy`: 2 workers and a queue of 64 (room for every client): no 429 may occur.
//! - `tight`: 2 workers and a queue of 4: 429s must occur, and only when the queue is full.
//!
//! In both: no 5xx, every returned plan passes the independent checker, every bad body gets
//! its 4xx. Prints throughput, p50/p99 latency and the server's peak memory (`VmHWM`); fails
//! (exit 1) if a rule is broken.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use modstaff::io::{load_instance, parse_plan};
use modstaff::model::Instance;

struct Outcome {
    kind: &'static str,
    status: u16,
    seconds: f64,
    /// For a 429: whether the server reported its queue full.
    queue_full: bool,
    /// For a 200 solve: whether the plan passed `check`.
    plan_ok: Option<bool>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a short list"
    )]
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn peak_memory_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn phase(
    name: &str,
    queue: usize,
    requests: usize,
    concurrency: usize,
    tiny: &(String, Instance),
    agri: &(String, Instance),
) -> bool {
    let (mut child, addr) = start_server(queue);
    let url = format!("http://{addr}/v1/solve");
    let bodies = [
        format!("{{\"instance\": {}, \"time_limit\": 5}}", tiny.0),
        format!(
            "{{\"instance\": {}, \"time_limit\": 2, \"work_limit\": 40}}",
            agri.0
        ),
        "{\"instance\": {\"name\": \"x\",,}}".to_owned(),
        format!(
            "{{\"instance\": {}}}",
            tiny.0.replace("\"capacity\": 20", "\"capacity\": -20")
        ),
    ];
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(requests));
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..concurrency {
            s.spawn(|| {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(300)))
                    .build()
                    .into();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= requests {
                        break;
                    }
                    let (kind, body, inst) = match i % 10 {
                        0..=5 => ("tiny", &bodies[0], Some(&tiny.1)),
                        6 | 7 => ("agri", &bodies[1], Some(&agri.1)),
                        8 => ("malformed", &bodies[2], None),
                        _ => ("invalid", &bodies[3], None),
                    };
                    let outcome = request(&agent, &url, kind, body, inst);
                    if let Ok(mut r) = results.lock() {
                        r.push(outcome);
                    }
                }
            });
        }
    });
    let wall = started.elapsed().as_secs_f64();
    let peak = peak_memory_kib(child.id());
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let exit = child.wait().ok().and_then(|s| s.code());
    let results = results.into_inner().unwrap_or_default();
    let run = Run {
        name,
        queue,
        requests,
        concurrency,
        results,
        wall,
        peak,
        exit,
    };
    run.print();
    run.passes()
}

/// Starts `modstaff serve` with 2 workers and a queue of `queue` on a loopback port; returns
/// the process and its address.
fn start_server(queue: usize) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_modstaff"))
        .args(["serve", "--addr", "127.0.0.1:0", "--workers", "2"])
        .args(["--queue", &queue.to_string(), "--threads", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("modstaff serve starts");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Read the whole log (one line per request) so the server never blocks on stderr.
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
                if v["event"] == "listening" {
                    let _ = tx.send(v["addr"].as_str().unwrap_or_default().to_owned());
                }
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the server logs its address");
    assert!(addr.starts_with("127.0.0.1:"), "loopback only");
    (child, addr)
}

/// Posts one body and times the answer; a returned plan is checked against `inst`.
fn request(
    agent: &ureq::Agent,
    url: &str,
    kind: &'static str,
    body: &str,
    inst: Option<&Instance>,
) -> Outcome {
    let t = Instant::now();
    let response = agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(body);
    let (status, text) = match response {
        Ok(mut r) => {
            let status = r.status().as_u16();
            let text = r
                .body_mut()
                .with_config()
                .limit(64 << 20)
                .read_to_string()
                .unwrap_or_default();
            (status, text)
        }
        Err(e) => {
            eprintln!("{kind}: transport error: {e}");
            (0, String::new())
        }
    };
    let seconds = t.elapsed().as_secs_f64();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let plan_ok = (status == 200).then(|| {
        inst.is_some_and(|inst| {
            parse_plan(&json["plan"].to_string(), "plan")
                .is_ok_and(|plan| modstaff::model::verify_declared(inst, &plan).is_valid())
        })
    });
    let queue_full = status == 429
        && json["in_flight"].as_u64().is_some()
        && json["in_flight"].as_u64() >= json["capacity"].as_u64();
    Outcome {
        kind,
        status,
        seconds,
        queue_full,
        plan_ok,
    }
}

/// One phase, run: the answers and how the server did.
struct Run<'a> {
    name: &'a str,
    queue: usize,
    requests: usize,
    concurrency: usize,
    results: Vec<Outcome>,
    /// Seconds from the first request to the last answer.
    wall: f64,
    /// The server's peak memory.
    peak: Option<u64>,
    /// The server's exit code after SIGTERM.
    exit: Option<i32>,
}

impl Run<'_> {
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.results.iter().filter(|o| f(o)).count()
    }

    /// Throughput, latencies, and what the checks count.
    fn print(&self) {
        let (name, queue, concurrency, wall, exit) = (
            self.name,
            self.queue,
            self.concurrency,
            self.wall,
            self.exit,
        );
        let server_errors = self.count(|o| o.status >= 500 || o.status == 0);
        let too_many = self.count(|o| o.status == 429);
        let solved = self.count(|o| o.plan_ok == Some(true));
        let mut latencies: Vec<f64> = self.results.iter().map(|o| o.seconds).collect();
        latencies.sort_by(f64::total_cmp);
        #[expect(clippy::cast_precision_loss, reason = "small counts")]
        let throughput = self.results.len() as f64 / wall;
        println!(
            "{name}: {} requests at {concurrency} concurrent, 2 workers, queue {queue}: {wall:.1} s, \
             {throughput:.1} req/s; latency p50 {:.0} ms, p99 {:.0} ms; plans checked {solved}; \
             429 {too_many}; 5xx {server_errors}; peak server memory {} MiB; exit {exit:?}",
            self.results.len(),
            percentile(&latencies, 0.5) * 1e3,
            percentile(&latencies, 0.99) * 1e3,
            self.peak
                .map_or_else(|| "?".to_owned(), |k| format!("{:.1}", k as f64 / 1024.0)),
        );
        for kind in ["tiny", "agri", "malformed", "invalid"] {
            let mut l: Vec<f64> = self
                .results
                .iter()
                .filter(|o| o.kind == kind && o.status != 429)
                .map(|o| o.seconds)
                .collect();
            l.sort_by(f64::total_cmp);
            println!(
                "  {kind:>9}: {} answered, p50 {:.0} ms, p99 {:.0} ms",
                l.len(),
                percentile(&l, 0.5) * 1e3,
                percentile(&l, 0.99) * 1e3
            );
        }
    }

    /// Whether every rule held; prints each broken one.
    fn passes(&self) -> bool {
        let (queue, requests, concurrency, exit) =
            (self.queue, self.requests, self.concurrency, self.exit);
        let server_errors = self.count(|o| o.status >= 500 || o.status == 0);
        let too_many = self.count(|o| o.status == 429);
        let too_many_not_full = self.count(|o| o.status == 429 && !o.queue_full);
        let bad_plans = self.count(|o| o.plan_ok == Some(false));
        let wrong_4xx = self.count(|o| {
            (o.kind == "malformed" && !matches!(o.status, 400 | 429))
                || (o.kind == "invalid" && !matches!(o.status, 422 | 429))
        });
        let mut ok = true;
        let mut fail = |what: String| {
            println!("  FAIL: {what}");
            ok = false;
        };
        if self.results.len() != requests {
            fail(format!(
                "{} of {requests} requests answered",
                self.results.len()
            ));
        }
        if server_errors > 0 {
            fail(format!("{server_errors} 5xx or transport errors"));
        }
        if bad_plans > 0 {
            fail(format!("{bad_plans} plans failed check"));
        }
        if wrong_4xx > 0 {
            fail(format!("{wrong_4xx} bad bodies without their 4xx"));
        }
        if too_many_not_full > 0 {
            fail(format!(
                "{too_many_not_full} 429s while the queue was not full"
            ));
        }
        if queue + 2 >= concurrency && too_many > 0 {
            fail(format!(
                "{too_many} 429s although the queue had room for every client"
            ));
        }
        if queue + 2 < concurrency && too_many == 0 {
            fail("no 429 although the clients outnumber the queue".into());
        }
        if exit != Some(0) {
            fail(format!("the server exited with {exit:?} on SIGTERM"));
        }
        ok
    }
}

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; numbers are REQUESTS and CONCURRENCY.
    let numbers: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let requests = numbers.first().copied().unwrap_or(500);
    let concurrency = numbers.get(1).copied().unwrap_or(50).max(1);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |name: &str| {
        let p = root.join(format!("instances/{name}.json"));
        let text = std::fs::read_to_string(&p).expect("instance");
        let (inst, _) = load_instance(&p).expect("valid instance");
        (text, inst)
    };
    let (tiny, agri) = (read("tiny"), read("longgang-agri"));
    let roomy = phase("roomy", 64, requests, concurrency, &tiny, &agri);
    let tight = phase("tight", 4, requests, concurrency, &tiny, &agri);
    if roomy && tight {
        println!("load test passed");
        ExitCode::SUCCESS
    } else {
        println!("load test FAILED");
        ExitCode::FAILURE
    }
}
