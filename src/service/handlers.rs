//! The endpoints: each reads its body, decodes it with the same code as the files, and runs
//! the same library call as the command line (solves on the worker pool).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::sync::oneshot;

use super::api::{
    CheckRequest, CheckResponse, ExplainRequest, Health, JobView, SolveRequest, SolveResponse,
    SweepRequest, ValidateRequest, ValidateResponse, WhatifRequest, WhatifResponse,
};
use super::pool::QueueFull;
use super::problem::{PROBLEM_JSON, Problem};
use super::{AppState, JobId};
use crate::engine::{SolveOptions, Start, solve as run_solve};
use crate::io::{Diagnostic, Diagnostics, Validated, decode, parse_instance, parse_plan};
use crate::model::{Instance, complete, verify_declared};
use crate::scenario::batch::{self, BatchOptions, Case, Sweep};

/// Most scenarios in one `/v1/whatif` request.
const MAX_SCENARIOS: usize = 256;

type Shared = State<Arc<AppState>>;

impl From<QueueFull> for Problem {
    fn from(q: QueueFull) -> Self {
        let mut p = Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "queue-full",
            "Queue full",
            format!(
                "{} solves are queued or running, the most this server takes at once; retry later",
                q.in_flight
            ),
        );
        p.in_flight = Some(u32::try_from(q.in_flight).unwrap_or(u32::MAX));
        p.capacity = Some(u32::try_from(q.capacity).unwrap_or(u32::MAX));
        p.retry_after = Some(q.retry_after);
        p
    }
}

pub(super) fn internal(detail: &str) -> Problem {
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Internal error",
        format!("{detail}: this is a bug, please report it with the request"),
    )
}

/// Sets a cancellation flag when dropped: a request abandoned by its client (or by its
/// deadline) stops its solve.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Runs CPU work (decoding, validating, checking) off the async threads.
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|_| Err(internal("decoding the request failed")))
}

/// Deepest nesting of arrays and objects in JSON text (strings skipped).
fn json_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0_usize, 0_usize);
    let (mut in_string, mut escaped) = (false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Bytes of an oversized body read and dropped before answering 413, so that a client still
/// sending gets the answer instead of a broken pipe; beyond this the connection is cut.
const DRAIN: usize = 8 << 20;

/// Reads the body within the size limit, as UTF-8 JSON within the depth limit.
pub(super) async fn read_body(state: &AppState, mut body: Body) -> Result<String, Problem> {
    let limit = state.config.max_body;
    let mut bytes = Vec::new();
    let mut seen = 0_usize;
    let stall = state.config.read_timeout;
    loop {
        // A client that stops sending mid-body must not hold a connection and a buffer for
        // as long as the request deadline (minutes).
        let Ok(next) = tokio::time::timeout(stall, body.frame()).await else {
            return Err(Problem::new(
                StatusCode::REQUEST_TIMEOUT,
                "request-timeout",
                "Request timeout",
                format!(
                    "no bytes of the body arrived for {} s (`--read-timeout`)",
                    stall.as_secs_f64()
                ),
            ));
        };
        let Some(frame) = next else { break };
        let frame = frame.map_err(|e| Problem::malformed(format!("cannot read the body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            seen = seen.saturating_add(data.len());
            if seen <= limit {
                bytes.extend_from_slice(&data);
            } else if seen > limit.saturating_add(DRAIN) {
                break;
            }
        }
    }
    if seen > limit {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "Body too large",
            format!("the request body is larger than {limit} bytes (`--max-body`)"),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Problem::malformed(format!(
            "the body is not UTF-8 text (bad byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    let depth = json_depth(text);
    if depth > state.config.max_depth {
        return Err(Problem::malformed(format!(
            "the body nests arrays and objects {depth} deep, more than the {} allowed",
            state.config.max_depth
        )));
    }
    Ok(text.to_owned())
}

/// Decodes the request wrapper; a problem names the path of the offending member.
pub(super) fn parse_request<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, Problem> {
    decode::typed_json(text).map_err(|mut d| {
        d.file = "request".into();
        Problem::bad_field(*d)
    })
}

/// Labels diagnostics of a member decoded on its own as positions in the whole body: file
/// `request`, path under `member`, lines and columns counted from the body's start.
pub(super) fn relabel(body: &str, member: &RawValue, name: &str, diagnostics: &mut Diagnostics) {
    let text = member.get();
    let offset = (text.as_ptr() as usize).checked_sub(body.as_ptr() as usize);
    let (line0, column0) = match offset.and_then(|o| body.get(..o)) {
        Some(before) => (
            before.matches('\n').count() + 1,
            before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
        ),
        None => (1, 1),
    };
    for d in &mut diagnostics.0 {
        d.file = "request".into();
        d.path = if d.path.is_empty() {
            name.to_owned()
        } else {
            format!("{name}.{}", d.path)
        };
        if let Some(l) = d.line {
            if l == 1 {
                d.column = d.column.map(|c| c + column0 - 1);
            }
            d.line = Some(l + line0 - 1);
        }
    }
}

/// Decodes and validates the `instance` member exactly as an instance file.
pub(super) fn instance_of(body: &str, member: &RawValue) -> Result<Validated, Problem> {
    match parse_instance(member.get(), "request") {
        Ok((inst, mut warnings)) => {
            relabel(body, member, "instance", &mut warnings);
            Ok((inst, warnings))
        }
        Err(mut d) => {
            relabel(body, member, "instance", &mut d);
            Err(Problem::invalid("instance", d))
        }
    }
}

fn bad_option(path: &str, message: String) -> Problem {
    let mut d = Diagnostic::error(path, message);
    d.file = "request".into();
    Problem::bad_field(d)
}

/// The time limit asked for (default 10 s), capped by `cap`.
fn time_limit(asked: Option<f64>, cap: Duration) -> Result<Duration, Problem> {
    let seconds = asked.unwrap_or(10.0);
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err(bad_option(
            "time_limit",
            format!("must be a number of seconds greater than 0, found {seconds}"),
        ));
    }
    Ok(Duration::try_from_secs_f64(seconds).map_or(cap, |d| d.min(cap)))
}

/// A decoded solve request.
struct Prepared {
    instance: Instance,
    warnings: Vec<Diagnostic>,
    options: SolveOptions,
}

fn prepare_solve(state: &AppState, body: &str, cap: Duration) -> Result<Prepared, Problem> {
    let req: SolveRequest = parse_request(body)?;
    let limit = time_limit(req.time_limit, cap)?;
    let (instance, mut warnings) = instance_of(body, req.instance)?;
    let start = match req.start {
        None => None,
        Some(raw) => {
            let plan = parse_plan(raw.get(), "request").map_err(|mut d| {
                relabel(body, raw, "start", &mut d);
                Problem::invalid("plan", d)
            })?;
            let (start, dropped) = Start::from_plan(&instance, &plan);
            let mut dropped = Diagnostics(dropped);
            relabel(body, raw, "start", &mut dropped);
            warnings.0.extend(dropped.0);
            Some(Arc::new(start))
        }
    };
    let options = SolveOptions {
        time_limit: limit,
        threads: state.config.threads,
        seed: req.seed.unwrap_or(0),
        work_limit: req.work_limit,
        cancel: Some(Arc::new(AtomicBool::new(false))),
        start,
        ..SolveOptions::default()
    };
    Ok(Prepared {
        instance,
        warnings: warnings.0,
        options,
    })
}

fn solve_response(
    instance: &Instance,
    options: &SolveOptions,
    warnings: Vec<Diagnostic>,
) -> SolveResponse {
    let sol = run_solve(instance, options);
    SolveResponse {
        plan: sol.plan,
        bound: sol.bound,
        stop: sol.stop.into(),
        steps: sol.steps,
        warnings,
    }
}

/// Liveness and load.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "meta",
    security(()),
    responses(
        (status = 200, description = "The server is up", body = Health),
        (status = 503, description = "Shutting down", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub(crate) async fn healthz(State(state): Shared) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        in_flight: state.pool.in_flight(),
        capacity: state.pool.capacity(),
        jobs: state.jobs.len(),
    })
}

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The OpenAPI 3 document", content_type = "application/json"))
)]
pub(crate) async fn openapi_json(State(state): Shared) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi.clone(),
    )
        .into_response()
}

/// Validates an instance, as `modstaff validate`.
#[utoipa::path(
    post,
    path = "/v1/validate",
    tag = "instances",
    request_body = ValidateRequest,
    responses(
        (status = 200, description = "The instance is valid (warnings may be listed)", body = ValidateResponse),
        (status = 400, description = "Malformed request", body = Problem, content_type = PROBLEM_JSON),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = PROBLEM_JSON),
        (status = 408, description = "The body did not arrive within the read timeout", body = Problem, content_type = PROBLEM_JSON),
        (status = 413, description = "Body too large", body = Problem, content_type = PROBLEM_JSON),
        (status = 415, description = "Content-Type is not JSON", body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "Invalid instance: every problem in `errors`", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub(crate) async fn validate(
    State(state): Shared,
    body: Body,
) -> Result<Json<ValidateResponse>, Problem> {
    let text = read_body(&state, body).await?;
    blocking(move || {
        let req: ValidateRequest = parse_request(&text)?;
        let (inst, warnings) = instance_of(&text, req.instance)?;
        Ok(Json(ValidateResponse {
            valid: true,
            diagnostics: warnings.0,
            summary: crate::report::summary_counts(&inst)
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        }))
    })
    .await
}

/// Checks a plan against an instance, as `modstaff check`.
#[utoipa::path(
    post,
    path = "/v1/check",
    tag = "instances",
    request_body = CheckRequest,
    responses(
        (status = 200, description = "The check report, valid or not", body = CheckResponse),
        (status = 400, description = "Malformed request", body = Problem, content_type = PROBLEM_JSON),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = PROBLEM_JSON),
        (status = 408, description = "The body did not arrive within the read timeout", body = Problem, content_type = PROBLEM_JSON),
        (status = 413, description = "Body too large", body = Problem, content_type = PROBLEM_JSON),
        (status = 415, description = "Content-Type is not JSON", body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "Invalid instance or plan: every problem in `errors`", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub(crate) async fn check(
    State(state): Shared,
    body: Body,
) -> Result<Json<CheckResponse>, Problem> {
    let text = read_body(&state, body).await?;
    blocking(move || {
        let req: CheckRequest = parse_request(&text)?;
        let (inst, _) = instance_of(&text, req.instance)?;
        let plan = parse_plan(req.plan.get(), "request").map_err(|mut d| {
            relabel(&text, req.plan, "plan", &mut d);
            Problem::invalid("plan", d)
        })?;
        let report = verify_declared(&inst, &plan);
        Ok(Json(CheckResponse {
            valid: report.is_valid(),
            report,
        }))
    })
    .await
}

/// Solves an instance and waits for the plan, as `modstaff solve`.
#[utoipa::path(
    post,
    path = "/v1/solve",
    tag = "solve",
    request_body = SolveRequest,
    responses(
        (status = 200, description = "The plan", body = SolveResponse),
        (status = 400, description = "Malformed request", body = Problem, content_type = PROBLEM_JSON),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = PROBLEM_JSON),
        (status = 408, description = "The body did not arrive within the read timeout", body = Problem, content_type = PROBLEM_JSON),
        (status = 413, description = "Body too large", body = Problem, content_type = PROBLEM_JSON),
        (status = 415, description = "Content-Type is not JSON", body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "Invalid instance: every problem in `errors`", body = Problem, content_type = PROBLEM_JSON),
        (status = 429, description = "Queue full (see `Retry-After`)", body = Problem, content_type = PROBLEM_JSON),
        (status = 503, description = "Shutting down, or the request deadline passed", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub(crate) async fn solve(
    State(state): Shared,
    body: Body,
) -> Result<Json<SolveResponse>, Problem> {
    let text = read_body(&state, body).await?;
    let st = state.clone();
    let cap = state.config.max_time_limit;
    let p = blocking(move || prepare_solve(&st, &text, cap)).await?;
    let cancel = p.options.cancel.clone().unwrap_or_default();
    let _guard = CancelOnDrop(cancel.clone());
    let (tx, rx) = oneshot::channel();
    state.submit(&cancel, move |slot| {
        // The client may have gone (or its deadline passed) while this waited in the queue.
        if !tx.is_closed() {
            let r = solve_response(&p.instance, &p.options, p.warnings);
            drop(slot);
            let _ = tx.send(r);
        }
    })?;
    rx.await
        .map(Json)
        .map_err(|_| internal("the solver failed"))
}

/// Explains a plan (solving first when none is given), as `modstaff explain --format json`.
#[utoipa::path(
    post,
    path = "/v1/explain",
    tag = "explain",
    request_body = ExplainRequest,
    responses(
        (status = 200, description = "The explanation (as `modstaff explain --format json`)", body = serde_json::Value),
        (status = 400, description = "Malformed request", body = Problem, content_type = PROBLEM_JSON),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = PROBLEM_JSON),
        (status = 408, description = "The body did not arrive within the read timeout", body = Problem, content_type = PROBLEM_JSON),
        (status = 413, description = "Body too large", body = Problem, content_type = PROBLEM_JSON),
        (status = 415, description = "Content-Type is not JSON", body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "Invalid instance or plan, or a plan that breaks a rule", body = Problem, content_type = PROBLEM_JSON),
        (status = 429, description = "Queue full (see `Retry-After`)", body = Problem, content_type = PROBLEM_JSON),
        (status = 503, description = "Shutting down, or the request deadline passed", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub(crate) async fn explain(
    State(state): Shared,
    body: Body,
) -> Result<Json<serde_json::Value>, Problem> {
    let text = read_body(&state, body).await?;
    let cap = state.config.max_time_limit;
    let threads = state.config.threads;
    let (instance, plan, options) = blocking(move || {
        let req: ExplainRequest = parse_request(&text)?;
        let limit = time_limit(req.time_limit, cap)?;
        let hire_limit = time_limit(req.hire_time_limit.or(Some(2.0)), cap)?;
        let hire_capacity = req.hire_capacity.unwrap_or(40.0);
        if !(hire_capacity.is_finite() && hire_capacity > 0.0) {
            return Err(bad_option(
                "hire_capacity",
                format!("must be a number of hours greater than 0, found {hire_capacity}"),
            ));
        }
        let (instance, _) = instance_of(&text, req.instance)?;
        let plan = match req.plan {
            None => None,
            Some(raw) => {
                let plan = parse_plan(raw.get(), "request").map_err(|mut d| {
                    relabel(&text, raw, "plan", &mut d);
                    Problem::invalid("plan", d)
                })?;
                let (plan, report) = complete(&instance, &plan);
                if !report.is_valid() {
                    let mut d = Diagnostic::error(
                        "plan",
                        format!(
                            "breaks {} rule(s) of the instance (see `/v1/check`); explain needs a \
                             valid plan",
                            report.violations.len()
                        ),
                    );
                    d.file = "request".into();
                    return Err(Problem::invalid("plan", Diagnostics(vec![d])));
                }
                Some(plan)
            }
        };
        let seed = req.seed.unwrap_or(0);
        let cancel = Arc::new(AtomicBool::new(false));
        let options = crate::scenario::explain::ExplainOptions {
            solve: SolveOptions {
                time_limit: limit,
                threads,
                seed,
                cancel: Some(cancel.clone()),
                ..SolveOptions::default()
            },
            confirm: req.confirm.unwrap_or(true).then(|| SolveOptions {
                time_limit: hire_limit,
                seed,
                ..SolveOptions::default()
            }),
            // One pool worker per request: the re-solves run one after another.
            jobs: 1,
            hire_capacity,
            progress: None,
            cancel: Some(cancel),
        };
        Ok((instance, plan, options))
    })
    .await?;
    let cancel = options.cancel.clone().unwrap_or_default();
    let _guard = CancelOnDrop(cancel.clone());
    let (tx, rx) = oneshot::channel();
    state.submit(&cancel, move |slot| {
        if !tx.is_closed() {
            let e = crate::scenario::explain::explain(&instance, plan.as_ref(), &options);
            drop(slot);
            let _ = tx.send(serde_json::to_value(&e).unwrap_or_default());
        }
    })?;
    rx.await
        .map(Json)
        .map_err(|_| internal("the solver failed"))
}

/// The cases of a what-if request: its scenarios or its sweep.
fn whatif_cases(req: &WhatifRequest, base: &Instance) -> Result<Vec<Case>, Problem> {
    let cases = match (&req.scenarios, &req.sweep) {
        (Some(_), Some(_)) => {
            return Err(bad_option(
                "",
                "give `scenarios` or `sweep`, not both".into(),
            ));
        }
        (None, None) => return Err(bad_option("", "give `scenarios` or `sweep`".into())),
        (None, Some(sweep)) => {
            let sweep = match *sweep {
                SweepRequest::LeaveOneOut => Sweep::LeaveOneOut,
                SweepRequest::HireOne { level } => {
                    let level = level.unwrap_or(3);
                    if !(1..=5).contains(&level) {
                        return Err(bad_option(
                            "sweep.level",
                            format!("must be between 1 and 5, found {level}"),
                        ));
                    }
                    Sweep::HireOne { level }
                }
                SweepRequest::MaxPosts { from, to } => {
                    if from > to || to > 100 {
                        return Err(bad_option(
                            "sweep",
                            format!(
                                "`from` must be at most `to`, and `to` at most 100; found {from}..{to}"
                            ),
                        ));
                    }
                    Sweep::MaxPosts { from, to }
                }
            };
            batch::sweep_cases(base, &sweep)
        }
        (Some(toml), None) => {
            // Counted before any scenario is applied: applying one can cost seconds (hires up
            // to the people cap), so a long file must be refused first, not after.
            let count = toml::from_str::<toml::Table>(toml)
                .ok()
                .and_then(|t| t.get("scenario").and_then(|v| v.as_array()).map(Vec::len))
                .unwrap_or(0);
            if count > MAX_SCENARIOS {
                return Err(bad_option(
                    "scenarios",
                    format!("{count} scenarios, more than the {MAX_SCENARIOS} one request may run"),
                ));
            }
            let scenarios = crate::scenario::parse_scenarios(toml, "request.scenarios", base)
                .map_err(|d| Problem::invalid("scenarios", d))?;
            let mut cases = Vec::with_capacity(scenarios.len());
            for s in &scenarios {
                let instance = s.apply(base).map_err(|mut d| {
                    for x in &mut d.0 {
                        x.file = "request.scenarios".into();
                        x.path = format!("scenario `{}`: {}", s.name, x.path);
                    }
                    Problem::invalid("scenarios", d)
                })?;
                cases.push(Case {
                    name: s.name.clone(),
                    instance,
                });
            }
            cases
        }
    };
    if cases.len() > MAX_SCENARIOS {
        return Err(bad_option(
            "scenarios",
            format!(
                "{} scenarios, more than the {MAX_SCENARIOS} one request may run",
                cases.len()
            ),
        ));
    }
    Ok(cases)
}

/// Runs a batch of what-if scenarios against a baseline, as `modstaff whatif`.
#[utoipa::path(
    post,
    path = "/v1/whatif",
    tag = "solve",
    request_body = WhatifRequest,
    responses(
        (status = 200, description = "One row per scenario", body = WhatifResponse),
        (status = 400, description = "Malformed request", body = Problem, content_type = PROBLEM_JSON),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = PROBLEM_JSON),
        (status = 408, description = "The body did not arrive within the read timeout", body = Problem, content_type = PROBLEM_JSON),
        (status = 413, description = "Body too large", body = Problem, content_type = PROBLEM_JSON),
        (status = 415, description = "Content-Type is not JSON", body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "Invalid instance or scenarios: every problem in `errors`", body = Problem, content_type = PROBLEM_JSON),
        (status = 429, description = "Queue full (see `Retry-After`)", body = Problem, content_type = PROBLEM_JSON),
        (status = 503, description = "Shutting down, or the request deadline passed", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub(crate) async fn whatif(
    State(state): Shared,
    body: Body,
) -> Result<Json<WhatifResponse>, Problem> {
    let text = read_body(&state, body).await?;
    let st = state.clone();
    let (base, cases, options) = blocking(move || {
        let req: WhatifRequest = parse_request(&text)?;
        let total = time_limit(req.time_limit, st.config.max_time_limit)?;
        let (base, _) = instance_of(&text, req.instance)?;
        let cases = whatif_cases(&req, &base)?;
        let jobs = st.config.threads;
        // The baseline, then the scenarios `jobs` at a time, share the batch's time.
        let rounds = 1 + cases.len().div_ceil(jobs);
        let per_solve = total / u32::try_from(rounds).unwrap_or(u32::MAX);
        let options = BatchOptions {
            solve: SolveOptions {
                time_limit: per_solve.max(Duration::from_millis(10)),
                threads: jobs,
                seed: req.seed.unwrap_or(0),
                work_limit: req.work_limit,
                ..SolveOptions::default()
            },
            jobs,
            shard: None,
            progress: None,
            cancel: Some(Arc::new(AtomicBool::new(false))),
        };
        Ok((base, cases, options))
    })
    .await?;
    let cancel = options.cancel.clone().unwrap_or_default();
    let _guard = CancelOnDrop(cancel.clone());
    let (tx, rx) = oneshot::channel();
    state.submit(&cancel.clone(), move |slot| {
        if tx.is_closed() {
            return;
        }
        let mut solve = options.solve.clone();
        solve.cancel = Some(cancel);
        let baseline = batch::solve_baseline(&base, &solve);
        let scenarios = batch::run(&base, &baseline.plan, &cases, &options);
        drop(slot);
        let _ = tx.send(WhatifResponse {
            baseline,
            scenarios,
        });
    })?;
    rx.await
        .map(Json)
        .map_err(|_| internal("the what-if batch failed"))
}

/// Submits a solve as a job and returns at once.
#[utoipa::path(
    post,
    path = "/v1/jobs",
    tag = "jobs",
    request_body = SolveRequest,
    responses(
        (status = 202, description = "Queued; poll `Location`", body = JobView,
            headers(("Location" = String, description = "`/v1/jobs/{id}`"))),
        (status = 400, description = "Malformed request", body = Problem, content_type = PROBLEM_JSON),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = PROBLEM_JSON),
        (status = 408, description = "The body did not arrive within the read timeout", body = Problem, content_type = PROBLEM_JSON),
        (status = 413, description = "Body too large", body = Problem, content_type = PROBLEM_JSON),
        (status = 415, description = "Content-Type is not JSON", body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "Invalid instance: every problem in `errors`", body = Problem, content_type = PROBLEM_JSON),
        (status = 429, description = "Queue full (see `Retry-After`)", body = Problem, content_type = PROBLEM_JSON),
        (status = 503, description = "Shutting down", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub(crate) async fn submit_job(State(state): Shared, body: Body) -> Result<Response, Problem> {
    let text = read_body(&state, body).await?;
    let st = state.clone();
    let cap = state.config.max_job_time;
    let p = blocking(move || prepare_solve(&st, &text, cap)).await?;
    let job = state.jobs.create(p.warnings.clone());
    let mut options = p.options;
    options.cancel = Some(job.cancel.clone());
    {
        let j = job.clone();
        options.progress = Some(Arc::new(move |progress| j.progress(progress.into())));
        let j = job.clone();
        options.improved = Some(Arc::new(move |plan| j.incumbent(plan)));
    }
    let worker_job = job.clone();
    let submitted = state.submit(&job.cancel, move |slot| {
        let job = worker_job;
        if !job.start() {
            return;
        }
        let instance = p.instance;
        let warnings = p.warnings;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            solve_response(&instance, &options, warnings)
        }));
        // Free the place first: whoever sees the job finished may submit again at once.
        drop(slot);
        match result {
            Ok(r) => job.succeed(r),
            Err(_) => job.fail(),
        }
    });
    if let Err(full) = submitted {
        state.jobs.remove(&job.id);
        return Err(full.into());
    }
    let location = format!("/v1/jobs/{}", job.id);
    let mut response = (StatusCode::ACCEPTED, Json(job.view())).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response.extensions_mut().insert(JobId(job.id.clone()));
    Ok(response)
}

/// A job's status, progress and best plan so far.
#[utoipa::path(
    get,
    path = "/v1/jobs/{id}",
    tag = "jobs",
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job", body = JobView),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = PROBLEM_JSON),
        (status = 404, description = "No such job (or it expired)", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub(crate) async fn get_job(
    State(state): Shared,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let job = state
        .jobs
        .get(&id)
        .ok_or_else(|| Problem::not_found(format!("no job `{id}` (finished jobs expire)")))?;
    let mut response = Json(job.view()).into_response();
    response.extensions_mut().insert(JobId(id));
    Ok(response)
}

/// Cancels a job (if still queued or running) and returns its best plan so far; the job is
/// then forgotten.
#[utoipa::path(
    delete,
    path = "/v1/jobs/{id}",
    tag = "jobs",
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job, finished, with its best plan", body = JobView),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = PROBLEM_JSON),
        (status = 404, description = "No such job (or it expired)", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub(crate) async fn cancel_job(
    State(state): Shared,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let job = state
        .jobs
        .get(&id)
        .ok_or_else(|| Problem::not_found(format!("no job `{id}` (finished jobs expire)")))?;
    job.cancel();
    // A cancelled search settles its plan quickly; the bound only guards against a bug.
    job.finished(Duration::from_secs(30)).await;
    state.jobs.remove(&id);
    let mut response = Json(job.view()).into_response();
    response.extensions_mut().insert(JobId(id));
    Ok(response)
}

/// Unknown paths.
pub(crate) async fn not_found(request: axum::extract::Request) -> Problem {
    Problem::not_found(format!(
        "no endpoint `{} {}`; see `/openapi.json`",
        request.method(),
        request.uri().path()
    ))
}

#[cfg(test)]
mod tests {
    use super::json_depth;

    #[test]
    fn depth_skips_strings() {
        assert_eq!(json_depth(r#"{"a": [1, {"b": "[[[{{"}]}"#), 3);
        assert_eq!(json_depth(r#""\"[""#), 0);
        assert_eq!(json_depth("[[[]]]"), 3);
    }
}
