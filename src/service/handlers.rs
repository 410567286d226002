//! The endpoints: each reads its body, decodes it with the same code as the files, and runs
//! the same library call as the command line (solves on the worker pool).

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::sync::oneshot;

use super::AppState;
use super::api::{
    CheckRequest, CheckResponse, ExplainRequest, Health, MissingScenario, SolveRequest,
    SolveResponse, SweepRequest, ValidateRequest, ValidateResponse, WhatifRequest, WhatifResponse,
};
use super::body::{CancelOnDrop, bad_option, time_limit};
// Re-exported: the endpoints of other files read their requests through `handlers`.
pub(super) use super::body::{blocking, instance_of, internal, parse_request, read_body, relabel};
use super::problem::{PROBLEM_JSON, Problem};
use crate::engine::{SolveOptions, Start, solve as run_solve};
use crate::io::{Diagnostic, Diagnostics, parse_plan};
use crate::model::{Instance, complete, verify_declared};
use crate::scenario::batch::{self, BatchOptions, Case, Sweep};

/// Most scenarios in one `/v1/whatif` request.
const MAX_SCENARIOS: usize = 256;

pub(super) type Shared = State<Arc<AppState>>;

/// A decoded solve request.
pub(super) struct Prepared {
    pub(super) instance: Instance,
    pub(super) warnings: Vec<Diagnostic>,
    pub(super) options: SolveOptions,
}

pub(super) fn prepare_solve(
    state: &AppState,
    body: &str,
    cap: Duration,
) -> Result<Prepared, Problem> {
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

pub(super) fn solve_response(
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
    let cap = state.config.max_time_limit;
    let w = blocking(move || prepare_whatif(&st, &text, cap)).await?;
    let cancel = w.options.cancel.clone().unwrap_or_default();
    let _guard = CancelOnDrop(cancel.clone());
    let (tx, rx) = oneshot::channel();
    state.submit(&cancel, move |slot| {
        if tx.is_closed() {
            return;
        }
        let r = run_whatif(&w, &|| ());
        drop(slot);
        let _ = tx.send(r);
    })?;
    rx.await
        .map(Json)
        .map_err(|_| internal("the what-if batch failed"))
}

/// A decoded what-if request.
pub(super) struct PreparedWhatif {
    pub(super) base: Instance,
    pub(super) cases: Vec<Case>,
    pub(super) options: BatchOptions,
}

/// Decodes a what-if request: the baseline, its cases, and options that share the batch's
/// time limit (capped by `cap`) among its solves.
pub(super) fn prepare_whatif(
    state: &AppState,
    body: &str,
    cap: Duration,
) -> Result<PreparedWhatif, Problem> {
    let req: WhatifRequest = parse_request(body)?;
    let total = time_limit(req.time_limit, cap)?;
    let (base, _) = instance_of(body, req.instance)?;
    let cases = whatif_cases(&req, &base)?;
    let jobs = state.config.threads;
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
    Ok(PreparedWhatif {
        base,
        cases,
        options,
    })
}

/// Solves the baseline, calls `baseline_done`, then solves the scenarios; scenarios that a
/// cancel left out are listed in `missing`.
pub(super) fn run_whatif(w: &PreparedWhatif, baseline_done: &dyn Fn()) -> WhatifResponse {
    let mut solve = w.options.solve.clone();
    solve.cancel.clone_from(&w.options.cancel);
    let baseline = batch::solve_baseline(&w.base, &solve);
    baseline_done();
    let scenarios = batch::run(&w.base, &baseline.plan, &w.cases, &w.options);
    let solved: std::collections::BTreeSet<usize> =
        scenarios.iter().filter_map(|o| o.index).collect();
    let missing = w
        .cases
        .iter()
        .enumerate()
        .filter(|(k, _)| !solved.contains(k))
        .map(|(index, c)| MissingScenario {
            index,
            name: c.name.clone(),
        })
        .collect();
    WhatifResponse {
        baseline,
        scenarios,
        missing,
    }
}

/// Unknown paths.
pub(crate) async fn not_found(request: axum::extract::Request) -> Problem {
    Problem::not_found(format!(
        "no endpoint `{} {}`; see `/openapi.json`",
        request.method(),
        request.uri().path()
    ))
}
