//! The HTTP service behind `modstaff serve` (feature `http`, on by default).
//!
//! Thin JSON handlers over the same library calls as the command line: instances and plans
//! are the JSON of the files and go through the same decoder, so errors carry the same
//! path-precise messages (as RFC 9457 problem details). Solves run on a bounded pool of
//! worker threads off the async runtime; long ones can run as jobs that are polled for
//! progress and the best plan so far. See [`ApiDoc`] for the OpenAPI document.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use modstaff::service::{Config, serve};
//!
//! let config = Config::default();
//! config.check().expect("a loopback address needs no token");
//! let listener = tokio::net::TcpListener::bind(config.addr).await?;
//! serve(listener, config, async {
//!     let _ = tokio::signal::ctrl_c().await;
//! })
//! .await
//! # }
//! ```

pub mod api;
mod body;
mod handlers;
mod import;
mod job_routes;
mod jobs;
mod openapi;
mod pool;
pub mod problem;
mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use subtle::ConstantTimeEq;

pub use openapi::{ApiDoc, openapi_json};
pub use problem::Problem;

use jobs::JobStore;
use pool::{Pool, QueueFull, Slot};

/// Server settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on [127.0.0.1:8080].
    pub addr: SocketAddr,
    /// Solves running at once [available cores].
    pub workers: usize,
    /// Solves waiting for a worker, beyond which requests get 429 [16].
    pub queue: usize,
    /// Threads of each solve [cores / workers, at least 1]; plans do not depend on it.
    pub threads: usize,
    /// Largest request body in bytes [16 MiB].
    pub max_body: usize,
    /// Deepest nesting of JSON arrays and objects in a body [64].
    pub max_depth: usize,
    /// Cap on `time_limit` of `/v1/solve` and `/v1/whatif` [60 s].
    pub max_time_limit: Duration,
    /// Cap on `time_limit` of jobs [1 h].
    pub max_job_time: Duration,
    /// How long finished jobs are kept [10 min].
    pub job_ttl: Duration,
    /// Longest a request may take, waiting in the queue included [2 x max time limit + 30 s].
    pub request_timeout: Duration,
    /// Longest wait for the next bytes of a request's head or body, beyond which the
    /// connection is closed (head) or answered 408 (body) [30 s].
    pub read_timeout: Duration,
    /// Bearer token every `/v1` request must carry.
    pub token: Option<String>,
    /// Allow a non-loopback address without a token.
    pub insecure: bool,
}

impl Default for Config {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let max_time_limit = Duration::from_secs(60);
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            workers: cores,
            queue: 16,
            threads: 1,
            max_body: 16 << 20,
            max_depth: 64,
            max_time_limit,
            max_job_time: Duration::from_secs(3600),
            job_ttl: Duration::from_secs(600),
            request_timeout: max_time_limit * 2 + Duration::from_secs(30),
            read_timeout: Duration::from_secs(30),
            token: None,
            insecure: false,
        }
    }
}

/// A setting the server refuses.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A non-loopback address without a token or `--insecure`.
    #[error(
        "refusing to listen on `{0}` without authentication: give `--token-file`, or `--insecure` to allow anyone who can reach it"
    )]
    Exposed(SocketAddr),
    /// A count that must be positive is 0.
    #[error("`{0}` must be at least 1")]
    Zero(&'static str),
    /// An empty token.
    #[error("the token is empty")]
    EmptyToken,
}

impl Config {
    /// Checks the settings: a non-loopback address needs a token or `insecure`.
    ///
    /// # Errors
    /// The first setting refused.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.workers == 0 {
            return Err(ConfigError::Zero("workers"));
        }
        if self.threads == 0 {
            return Err(ConfigError::Zero("threads"));
        }
        if self.token.as_deref().is_some_and(str::is_empty) {
            return Err(ConfigError::EmptyToken);
        }
        if !self.addr.ip().is_loopback() && self.token.is_none() && !self.insecure {
            return Err(ConfigError::Exposed(self.addr));
        }
        Ok(())
    }
}

/// Everything the handlers share.
pub(crate) struct AppState {
    config: Config,
    pool: Pool,
    jobs: JobStore,
    shutting_down: AtomicBool,
    openapi: String,
}

impl AppState {
    /// Queues work on the pool; on shutdown the work is cancelled at once.
    fn submit(
        &self,
        cancel: &Arc<std::sync::atomic::AtomicBool>,
        work: impl FnOnce(Slot) + Send + 'static,
    ) -> Result<(), QueueFull> {
        self.pool.submit(cancel.clone(), work)?;
        // Shutdown may have begun between the request's admission and now.
        if self.shutting_down.load(Ordering::SeqCst) {
            cancel.store(true, Ordering::SeqCst);
        }
        Ok(())
    }

    fn begin_shutdown(&self) {
        if self.shutting_down.swap(true, Ordering::SeqCst) {
            return;
        }
        self.jobs.cancel_all();
        self.pool.cancel_all();
        log_event("shutting down", &[]);
    }
}

/// The id of the job a response is about, for the request log.
#[derive(Clone, Debug)]
pub(crate) struct JobId(pub(crate) String);

fn unix_time() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// One JSON line on standard error.
fn log_line(value: &serde_json::Value) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{value}");
}

fn log_event(event: &str, fields: &[(&str, serde_json::Value)]) {
    let mut map = serde_json::Map::new();
    map.insert("time".into(), unix_time().into());
    map.insert("event".into(), event.into());
    for (k, v) in fields {
        map.insert((*k).into(), v.clone());
    }
    log_line(&serde_json::Value::Object(map));
}

/// The log line of one request; written when the answer is ready or, if the client goes
/// away first (the request future is dropped), with status 499 as nginx does.
struct RequestLog {
    start: Instant,
    method: String,
    path: String,
    answer: Option<(u16, Option<String>)>,
}

impl Drop for RequestLog {
    fn drop(&mut self) {
        let (status, job) = self.answer.take().unwrap_or((499, None));
        log_line(&serde_json::json!({
            "time": unix_time(),
            "method": self.method,
            "path": self.path,
            "status": status,
            "ms": (self.start.elapsed().as_secs_f64() * 1e6).round() / 1e3,
            "job": job,
        }));
    }
}

/// Outermost layer: one log line per request, and problem details for every error
/// (including those axum makes itself, such as 405).
async fn log_requests(request: Request, next: Next) -> Response {
    let mut log = RequestLog {
        start: Instant::now(),
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
        answer: None,
    };
    let mut response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == problem::PROBLEM_JSON.as_bytes());
    if (status.is_client_error() || status.is_server_error()) && !is_problem {
        let title = status.canonical_reason().unwrap_or("Error");
        let slug = title.to_lowercase().replace(' ', "-");
        let detail = format!(
            "{title} for `{} {}`; see `/openapi.json`",
            log.method, log.path
        );
        let allow = response.headers().get(header::ALLOW).cloned();
        response = Problem::new(status, &slug, title, detail).into_response();
        if let Some(a) = allow {
            response.headers_mut().insert(header::ALLOW, a);
        }
    }
    let job = response.extensions().get::<JobId>().map(|j| j.0.clone());
    log.answer = Some((status.as_u16(), job));
    response
}

/// Admission: refuse while shutting down, check the bearer token, apply the deadline.
async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let api = path.starts_with("/v1/") || path == "/v1";
    if state.shutting_down.load(Ordering::SeqCst) && (api || path == "/healthz") {
        return Problem::shutting_down().into_response();
    }
    if let Some(token) = state.config.token.as_ref().filter(|_| api) {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        // Constant time: the comparison must not tell how much of a guess was right.
        if !bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
            return Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Unauthorized",
                "this server needs `Authorization: Bearer TOKEN` (the token of `--token-file`)",
            )
            .into_response();
        }
    }
    if let Some(p) = unsupported_media_type(&request) {
        return p.into_response();
    }
    if let Ok(r) = tokio::time::timeout(state.config.request_timeout, next.run(request)).await {
        r
    } else {
        let mut p = Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "deadline-exceeded",
            "Deadline exceeded",
            format!(
                "the request took longer than {} s (queue wait included); its solve was cancelled",
                state.config.request_timeout.as_secs()
            ),
        );
        p.retry_after = Some(5);
        p.into_response()
    }
}

/// Accepts connections until `shutdown`, then lets the open ones finish. A connection whose
/// request head does not arrive within `read_timeout` is closed: a client that opens
/// connections and sends half a head must not hold them (and their memory) for ever.
async fn accept_loop(
    listener: tokio::net::TcpListener,
    app: Router,
    state: &Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;

    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(state.config.read_timeout);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let result = loop {
        tokio::select! {
            () = &mut shutdown => break Ok(()),
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    // Out of file descriptors and the like: wait instead of spinning, as
                    // hyper's and axum's servers do.
                    Err(e) if is_transient(&e) => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                    Err(e) => break Err(e),
                };
                let service = TowerToHyperService::new(app.clone());
                let conn = http.serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
        }
    };
    state.begin_shutdown();
    drop(listener);
    graceful.shutdown().await;
    result
}

fn is_transient(e: &std::io::Error) -> bool {
    !matches!(
        e.kind(),
        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::Unsupported
    )
}

/// Every body is JSON but an upload's: a request that says it sends something else (a form,
/// a file, text) is refused before its body is read. A request without `Content-Type` is read
/// as JSON (an upload's by its first bytes). `POST /v1/import` also takes a workbook or a zip
/// archive (see [`import::upload_kind`]).
fn unsupported_media_type(request: &Request) -> Option<Problem> {
    if request.method() != axum::http::Method::POST {
        return None;
    }
    let given = request.headers().get(header::CONTENT_TYPE)?;
    let text = given.to_str().unwrap_or("(not text)");
    if request.uri().path() == "/v1/import" {
        return import::upload_kind(Some(text))
            .is_none()
            .then(|| import::unsupported(text));
    }
    let essence = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let json = essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    (!json).then(|| {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            format!(
                "the body must be JSON (`Content-Type: application/json`), found `{text}`; \
                 with curl, pass `-H 'Content-Type: application/json'` beside `-d`"
            ),
        )
    })
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(handlers::healthz))
        .route("/openapi.json", get(handlers::openapi_json))
        .route("/v1/validate", post(handlers::validate))
        .route("/v1/check", post(handlers::check))
        .route("/v1/solve", post(handlers::solve))
        .route("/v1/whatif", post(handlers::whatif))
        .route("/v1/explain", post(handlers::explain))
        .route("/v1/import", post(import::import))
        .route(
            "/v1/jobs",
            get(job_routes::list_jobs).post(job_routes::submit_job),
        )
        .route("/v1/whatif/jobs", post(job_routes::submit_whatif_job))
        .route(
            "/v1/jobs/{id}",
            get(job_routes::get_job).delete(job_routes::cancel_job),
        )
        .merge(web::routes())
        .fallback(handlers::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(middleware::from_fn(log_requests))
        .with_state(state)
}

/// Serves on `listener` until `shutdown` resolves; then accepts no new request, cancels
/// queued and running solves (they answer with their best plan so far), waits for the
/// responses to be sent and the workers to stop, and returns.
///
/// # Errors
/// The I/O error that stopped the server, or the failure to start the worker threads.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    let ttl = config.job_ttl;
    let state = Arc::new(AppState {
        pool: Pool::new(config.workers, config.queue)?,
        jobs: JobStore::new(),
        shutting_down: AtomicBool::new(false),
        openapi: openapi_json(),
        config,
    });
    let expiry = {
        let state = state.clone();
        tokio::spawn(async move {
            let period = (ttl / 4).clamp(Duration::from_millis(100), Duration::from_secs(30));
            loop {
                tokio::time::sleep(period).await;
                state.jobs.expire(ttl);
            }
        })
    };
    log_event(
        "listening",
        &[
            ("addr", addr.to_string().into()),
            ("workers", state.config.workers.into()),
            ("queue", state.config.queue.into()),
            ("auth", state.config.token.is_some().into()),
        ],
    );
    let app = router(state.clone());
    let result = accept_loop(listener, app, &state, shutdown).await;
    expiry.abort();
    // In case serving stopped for another reason than the shutdown signal.
    state.begin_shutdown();
    let st = state.clone();
    let _ = tokio::task::spawn_blocking(move || st.pool.shutdown()).await;
    log_event("stopped", &[]);
    result
}
