//! The job endpoints: solves and what-if batches submitted as jobs, listed, polled and
//! cancelled.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::api::{
    JobKind, JobList, JobListQuery, JobPhase, JobProgress, JobView, SolveRequest, WhatifRequest,
};
use super::body::{bad_option, blocking, read_body};
use super::handlers::{Shared, prepare_solve, prepare_whatif, run_whatif, solve_response};
use super::jobs::{Job, JobSpec};
use super::pool::QueueFull;
use super::problem::{PROBLEM_JSON, Problem};
use super::{AppState, JobId};

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
    let job = state.jobs.create(JobSpec {
        kind: JobKind::Solve,
        name: p.instance.name.clone(),
        warnings: p.warnings.clone(),
    });
    let mut options = p.options;
    options.cancel = Some(job.cancel.clone());
    {
        let j = job.clone();
        options.progress = Some(Arc::new(move |progress| j.progress(progress)));
        let j = job.clone();
        options.phase = Some(Arc::new(move |phase| j.solve_phase(phase)));
        let j = job.clone();
        options.improved = Some(Arc::new(move |plan| j.incumbent(plan)));
    }
    let worker_job = job.clone();
    let submitted = state.submit(&job.cancel, move |slot| {
        let job = worker_job;
        if !job.start(JobProgress::solve_start()) {
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
    accepted(&state, &job, submitted)
}

/// The answer to a job's submission: 202 with its view and `Location`, or the 429 of a full
/// queue (the job is then forgotten).
fn accepted(
    state: &AppState,
    job: &Job,
    submitted: Result<(), QueueFull>,
) -> Result<Response, Problem> {
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

/// Submits a what-if batch as a job and returns at once; poll it at `/v1/jobs/{id}` like a
/// solve job (its progress counts the scenarios solved, its `result` holds the rows), and
/// `DELETE` it to stop it (scenarios not started are skipped and listed in `missing`).
///
/// A path of its own rather than a `kind` member in the body of `POST /v1/jobs`: the body is
/// exactly that of `POST /v1/whatif`, one schema per path in the OpenAPI document with no
/// discriminator, and the solve requests clients already send need no change.
#[utoipa::path(
    post,
    path = "/v1/whatif/jobs",
    tag = "jobs",
    request_body = WhatifRequest,
    responses(
        (status = 202, description = "Queued; poll `Location`", body = JobView,
            headers(("Location" = String, description = "`/v1/jobs/{id}`"))),
        (status = 400, description = "Malformed request", body = Problem, content_type = PROBLEM_JSON),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = PROBLEM_JSON),
        (status = 408, description = "The body did not arrive within the read timeout", body = Problem, content_type = PROBLEM_JSON),
        (status = 413, description = "Body too large", body = Problem, content_type = PROBLEM_JSON),
        (status = 415, description = "Content-Type is not JSON", body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "Invalid instance or scenarios: every problem in `errors`", body = Problem, content_type = PROBLEM_JSON),
        (status = 429, description = "Queue full (see `Retry-After`)", body = Problem, content_type = PROBLEM_JSON),
        (status = 503, description = "Shutting down", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub(crate) async fn submit_whatif_job(
    State(state): Shared,
    body: Body,
) -> Result<Response, Problem> {
    let text = read_body(&state, body).await?;
    let st = state.clone();
    let cap = state.config.max_job_time;
    let mut w = blocking(move || prepare_whatif(&st, &text, cap)).await?;
    let job = state.jobs.create(JobSpec {
        kind: JobKind::Whatif,
        name: w.base.name.clone(),
        warnings: Vec::new(),
    });
    w.options.cancel = Some(job.cancel.clone());
    let j = job.clone();
    w.options.progress = Some(Arc::new(move |done, _| j.scenarios_done(done)));
    let worker_job = job.clone();
    let submitted = state.submit(&job.cancel, move |slot| {
        let job = worker_job;
        if !job.start(JobProgress::whatif_start(w.cases.len())) {
            return;
        }
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_whatif(&w, &|| job.phase(JobPhase::Scenarios))
        }));
        drop(slot);
        match result {
            Ok(r) => job.succeed_whatif(&r, job.cancel.load(Ordering::SeqCst)),
            Err(_) => job.fail(),
        }
    });
    accepted(&state, &job, submitted)
}

/// Most jobs `GET /v1/jobs` lists by default, and at most.
const LIST_DEFAULT: usize = 100;
const LIST_MAX: usize = 1000;

/// Lists the jobs the server keeps, newest first, without their plans and results.
#[utoipa::path(
    get,
    path = "/v1/jobs",
    tag = "jobs",
    params(JobListQuery),
    responses(
        (status = 200, description = "The jobs, newest first", body = JobList),
        (status = 400, description = "Malformed query", body = Problem, content_type = PROBLEM_JSON),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = PROBLEM_JSON),
        (status = 503, description = "Shutting down", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub(crate) async fn list_jobs(
    State(state): Shared,
    query: Result<Query<JobListQuery>, QueryRejection>,
) -> Result<Json<JobList>, Problem> {
    let Query(query) = query.map_err(|e| bad_option("query", e.body_text()))?;
    let limit = query.limit.unwrap_or(LIST_DEFAULT);
    if !(1..=LIST_MAX).contains(&limit) {
        return Err(bad_option(
            "limit",
            format!("must be between 1 and {LIST_MAX}, found {limit}"),
        ));
    }
    let (jobs, total) = state.jobs.list(limit);
    Ok(Json(JobList { jobs, total }))
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
