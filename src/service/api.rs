//! Request and response bodies of the HTTP API (their OpenAPI schemas derive from them; the
//! document itself is assembled in [`super::openapi`]).
//!
//! Instances and plans travel as the very JSON of the files (docs/format.md), embedded
//! as the `instance` and `plan` members; they are decoded by the same code as the files, so
//! invalid ones get the same path-precise messages as `modstaff validate`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;

use crate::engine::{Phase, Progress, StopReason};
use crate::io::{Diagnostic, RawInstance};
use crate::model::{CheckReport, DeclaredPlan, Plan};
use crate::scenario::batch::Outcome;

/// Body of `POST /v1/validate`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateRequest<'a> {
    /// The instance, as in an instance file.
    #[serde(borrow)]
    #[schema(value_type = RawInstance)]
    pub instance: &'a RawValue,
}

/// Result of `POST /v1/validate` for a valid instance (the same as `validate --format json`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidateResponse {
    /// Always `true` here: invalid instances get a 422 problem.
    pub valid: bool,
    /// Warnings (legal but suspicious input).
    pub diagnostics: Vec<Diagnostic>,
    /// Counts: staff, modules, duties, counterparts, total hours and capacity.
    pub summary: BTreeMap<String, f64>,
}

/// Body of `POST /v1/solve` and `POST /v1/jobs`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SolveRequest<'a> {
    /// The instance, as in an instance file.
    #[serde(borrow)]
    #[schema(value_type = RawInstance)]
    pub instance: &'a RawValue,
    /// Seconds before the search stops with its best plan [10; capped by the server's
    /// `--max-time-limit` for `/v1/solve` and `--max-job-time` for jobs].
    #[serde(default)]
    pub time_limit: Option<f64>,
    /// Random seed of the search [0]; with the same seed and `work_limit`, the plan is the
    /// same as the command line's.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Stop after this many search steps: unlike the time limit, deterministic.
    #[serde(default)]
    pub work_limit: Option<u64>,
    /// A plan to start the search from, as in a plan file (posts and assignments are
    /// enough), as `modstaff solve --start`. Posts that cannot hold are dropped and listed
    /// in `warnings`; the plan found is no worse in tier 1 than a valid start.
    #[serde(borrow, default)]
    #[schema(value_type = Option<DeclaredPlan>)]
    pub start: Option<&'a RawValue>,
}

/// Why the search stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Stop {
    /// Tier 1 proven optimal.
    Proven,
    /// The work limit was reached.
    WorkLimit,
    /// No improvement for many epochs.
    Stalled,
    /// The time limit was reached.
    TimeLimit,
    /// Cancelled (`DELETE` of a job, or shutdown).
    Cancelled,
}

impl From<StopReason> for Stop {
    fn from(s: StopReason) -> Self {
        match s {
            StopReason::Proven => Self::Proven,
            StopReason::WorkLimit => Self::WorkLimit,
            StopReason::Stalled => Self::Stalled,
            StopReason::TimeLimit => Self::TimeLimit,
            StopReason::Cancelled => Self::Cancelled,
        }
    }
}

/// Result of `POST /v1/solve`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SolveResponse {
    /// The plan, exactly as `modstaff solve --out` writes it.
    pub plan: Plan,
    /// Lower bound on tier 1.
    pub bound: f64,
    /// Why the search stopped.
    pub stop: Stop,
    /// Search steps done.
    pub steps: u64,
    /// Warnings about the instance (legal but suspicious input).
    pub warnings: Vec<Diagnostic>,
}

/// Body of `POST /v1/check`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest<'a> {
    /// The instance, as in an instance file.
    #[serde(borrow)]
    #[schema(value_type = RawInstance)]
    pub instance: &'a RawValue,
    /// The plan, as in a plan file.
    #[serde(borrow)]
    #[schema(value_type = Plan)]
    pub plan: &'a RawValue,
}

/// Body of `POST /v1/explain`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplainRequest<'a> {
    /// The instance, as in an instance file.
    #[serde(borrow)]
    #[schema(value_type = RawInstance)]
    pub instance: &'a RawValue,
    /// The plan to explain; solved first when absent. It must pass `check`.
    #[serde(borrow, default)]
    #[schema(value_type = Option<Plan>)]
    pub plan: Option<&'a RawValue>,
    /// Seconds for solving when no plan is given [10; capped by `--max-time-limit`].
    #[serde(default)]
    pub time_limit: Option<f64>,
    /// Seconds for each re-solve confirming a bottleneck skill [2; capped likewise].
    #[serde(default)]
    pub hire_time_limit: Option<f64>,
    /// Confirm bottleneck skills by re-solving [true]; `false` gives estimates only.
    #[serde(default)]
    pub confirm: Option<bool>,
    /// Weekly hours of the hypothetical hire [40].
    #[serde(default)]
    pub hire_capacity: Option<f64>,
    /// Random seed of the searches [0].
    #[serde(default)]
    pub seed: Option<u64>,
}

/// Result of `POST /v1/check` (the same as `check --format json`): 200 whether or not the
/// plan is valid.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResponse {
    /// Whether the plan breaks no rule.
    pub valid: bool,
    /// Violations and the objective, declared and recomputed.
    #[serde(flatten)]
    pub report: CheckReport,
}

/// A built-in what-if sweep.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum SweepRequest {
    /// Each person leaves in turn.
    LeaveOneOut,
    /// One extra person per skill.
    HireOne {
        /// Skill level of the hire, 1-5 [3].
        #[serde(default)]
        level: Option<u8>,
    },
    /// The posts cap set to each value of `from..=to`.
    MaxPosts {
        /// Lowest cap.
        from: u32,
        /// Highest cap (at most 100).
        to: u32,
    },
}

/// Body of `POST /v1/whatif`: a baseline instance and either scenarios or a sweep.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatifRequest<'a> {
    /// The baseline instance, as in an instance file.
    #[serde(borrow)]
    #[schema(value_type = RawInstance)]
    pub instance: &'a RawValue,
    /// The scenarios as the text of a scenario file (TOML, `instances/scenarios/README.md`).
    #[serde(default)]
    pub scenarios: Option<String>,
    /// A built-in sweep instead of scenarios.
    #[serde(default)]
    pub sweep: Option<SweepRequest>,
    /// Seconds for the whole batch (baseline and every scenario) [10; capped by the server's
    /// `--max-time-limit`]; each solve gets an equal share.
    #[serde(default)]
    pub time_limit: Option<f64>,
    /// Random seed of every solve [0].
    #[serde(default)]
    pub seed: Option<u64>,
    /// Search steps per solve (deterministic, unlike the time limit).
    #[serde(default)]
    pub work_limit: Option<u64>,
}

/// Result of `POST /v1/whatif` (and of a finished what-if job): one row per scenario, as
/// `whatif --format jsonl` prints them.
#[derive(Debug, Serialize, ToSchema)]
pub struct WhatifResponse {
    /// The baseline's figures.
    pub baseline: Outcome,
    /// Each scenario's figures, in scenario order (the scenarios solved, when cancelled).
    pub scenarios: Vec<Outcome>,
    /// The scenarios not solved because the batch was cancelled first (a job's `DELETE`, or
    /// shutdown); absent when every scenario was solved. Scenarios running at the cancel are
    /// in `scenarios`, with the best plan they had found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<MissingScenario>,
}

/// A scenario of a cancelled batch that was not solved.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MissingScenario {
    /// Position in the batch (0 = first scenario).
    pub index: usize,
    /// Scenario name.
    pub name: String,
}

/// What a job runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobKind {
    /// One solve (`POST /v1/jobs`).
    Solve,
    /// A what-if batch (`POST /v1/whatif/jobs`).
    Whatif,
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Waiting for a worker.
    Queued,
    /// Being solved.
    Running,
    /// Finished by itself (time limit, work limit, proof or stall).
    Succeeded,
    /// Cancelled (`DELETE`, or shutdown) before or while running.
    Cancelled,
    /// The solver failed (a bug: please report it).
    Failed,
}

/// What a running job is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobPhase {
    /// Solve: indexing who may do what and building the start plan.
    Preparing,
    /// Solve: computing the lower bounds; `best` and `bound` appear during this phase.
    Bounding,
    /// Solve: the search.
    Searching,
    /// Solve: settling the final plan.
    Settling,
    /// What-if: solving the baseline.
    Baseline,
    /// What-if: solving the scenarios.
    Scenarios,
    /// Finished.
    Done,
}

impl From<Phase> for JobPhase {
    fn from(p: Phase) -> Self {
        match p {
            Phase::Preparing => Self::Preparing,
            Phase::Bounding => Self::Bounding,
            Phase::Searching => Self::Searching,
            Phase::Settling => Self::Settling,
        }
    }
}

/// Progress of a job, from the moment it runs.
///
/// A solve job has `best`, `bound` and `gap` null until the solve knows them (on a large
/// instance, a fraction of a second into the `bounding` phase), and `steps` 0 until the
/// search starts. A what-if job has `scenarios_done` and `scenarios_total` instead, and
/// `best`, `bound`, `gap` and `steps` null.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct JobProgress {
    /// Seconds since the job started running (while it runs, as of this answer).
    pub elapsed: f64,
    /// What the job is doing.
    pub phase: JobPhase,
    /// Best tier 1 so far (solve jobs, once known).
    pub best: Option<f64>,
    /// Best lower bound on tier 1 so far (solve jobs, once known).
    pub bound: Option<f64>,
    /// `(best - bound) / best` (solve jobs, once known).
    pub gap: Option<f64>,
    /// Search steps done (solve jobs).
    pub steps: Option<u64>,
    /// Scenarios solved (what-if jobs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenarios_done: Option<usize>,
    /// Scenarios in the batch (what-if jobs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenarios_total: Option<usize>,
}

impl JobProgress {
    /// A solve job's progress as it starts.
    #[must_use]
    pub fn solve_start() -> Self {
        Self {
            elapsed: 0.0,
            phase: JobPhase::Preparing,
            best: None,
            bound: None,
            gap: None,
            steps: Some(0),
            scenarios_done: None,
            scenarios_total: None,
        }
    }

    /// A what-if job's progress as it starts.
    #[must_use]
    pub fn whatif_start(total: usize) -> Self {
        Self {
            phase: JobPhase::Baseline,
            steps: None,
            scenarios_done: Some(0),
            scenarios_total: Some(total),
            ..Self::solve_start()
        }
    }

    /// Takes the figures of a solve's progress report.
    pub fn record(&mut self, p: &Progress) {
        self.best = Some(p.best);
        self.bound = Some(p.bound);
        self.gap = Some(p.gap);
        self.steps = Some(p.steps);
    }
}

/// A job: its status, progress and best plan so far.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct JobView {
    /// The job id.
    pub id: String,
    /// What it runs.
    pub kind: JobKind,
    /// The instance's name (the baseline's, for a what-if job).
    pub name: String,
    /// Where it is.
    pub status: JobStatus,
    /// Seconds since it was submitted.
    pub age: f64,
    /// Progress, from the moment it runs (null while queued).
    pub progress: Option<JobProgress>,
    /// Why the search stopped, once a solve job finished; `cancelled` for a cancelled
    /// what-if job.
    pub stop: Option<Stop>,
    /// Solve jobs: the best plan so far (while running its hours are not balanced yet: tier
    /// 4 is settled in the final plan), or the final plan. Null for what-if jobs.
    pub plan: Option<Plan>,
    /// What-if jobs, once finished: the baseline and scenario rows as `POST /v1/whatif`
    /// answers them, with the scenarios a cancel left out in `missing`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<WhatifResponse>)]
    pub result: Option<Box<RawValue>>,
    /// Warnings about the instance.
    pub warnings: Vec<Diagnostic>,
}

/// A job as `GET /v1/jobs` lists it: no plan and no result (`GET /v1/jobs/{id}` has them).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct JobSummary {
    /// The job id.
    pub id: String,
    /// What it runs.
    pub kind: JobKind,
    /// The instance's name (the baseline's, for a what-if job).
    pub name: String,
    /// Where it is.
    pub status: JobStatus,
    /// Seconds since it was submitted.
    pub age: f64,
    /// Progress, from the moment it runs (null while queued).
    pub progress: Option<JobProgress>,
}

/// Result of `GET /v1/jobs`.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobList {
    /// The jobs, newest first, at most `limit` of them.
    pub jobs: Vec<JobSummary>,
    /// Jobs the server keeps (queued, running, or finished and not expired), listed or not.
    pub total: usize,
}

/// Query of `GET /v1/jobs`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JobListQuery {
    /// Most jobs listed, newest first [100; at most 1000].
    pub limit: Option<usize>,
}

/// Result of `POST /v1/import`: the instance read from a workbook, a zipped CSV folder or
/// JSON, as an instance file holds it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    /// What the body was read as: `xlsx`, `csv` (a zip of the CSV folder) or `json`.
    pub format: String,
    /// The instance as read (the JSON of an instance file; defaults not filled in), ready for
    /// the `instance` member of the other endpoints.
    pub instance: RawInstance,
    /// Warnings (legal but suspicious input), placed at sheet or file, row and column.
    pub warnings: Vec<Diagnostic>,
    /// Counts: staff, modules, duties, counterparts, total hours and capacity.
    pub summary: BTreeMap<String, f64>,
}

/// Result of `GET /healthz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// The server's version.
    pub version: String,
    /// Solves queued or running.
    pub in_flight: usize,
    /// Most solves queued or running at once (`--workers` + `--queue`).
    pub capacity: usize,
    /// Jobs kept (queued, running, or finished and not expired).
    pub jobs: usize,
}
