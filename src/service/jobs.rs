//! Long solves and what-if batches as jobs: submitted, polled for progress and the best plan
//! so far, listed, cancelled; finished jobs expire after a while.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::value::RawValue;
use tokio::sync::watch;

use super::api::{
    JobKind, JobPhase, JobProgress, JobStatus, JobSummary, JobView, SolveResponse, Stop,
    WhatifResponse,
};
use crate::engine::{Phase, Progress};
use crate::io::Diagnostic;
use crate::model::Plan;

/// What a job knows about itself; updated by the worker, read by the handlers.
#[derive(Debug)]
struct JobState {
    status: JobStatus,
    /// When it started running.
    started: Option<Instant>,
    progress: Option<JobProgress>,
    plan: Option<Plan>,
    /// A what-if job's rows, serialized once (the plans of its outcomes are dropped).
    result: Option<Box<RawValue>>,
    stop: Option<Stop>,
    finished: Option<Instant>,
}

/// What a job is, fixed at its submission.
pub(crate) struct JobSpec {
    pub(crate) kind: JobKind,
    /// The instance's name.
    pub(crate) name: String,
    pub(crate) warnings: Vec<Diagnostic>,
}

/// One job.
pub(crate) struct Job {
    pub(crate) id: String,
    /// Order of submission, for listing newest first.
    seq: u64,
    spec: JobSpec,
    submitted: Instant,
    /// Set by `DELETE` and by shutdown; the solve returns its best plan soon after.
    pub(crate) cancel: Arc<AtomicBool>,
    state: Mutex<JobState>,
    /// `true` once finished, so that `DELETE` can wait for the final plan.
    done: watch::Sender<bool>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Job {
    fn new(id: String, seq: u64, spec: JobSpec) -> Self {
        Self {
            id,
            seq,
            spec,
            submitted: Instant::now(),
            cancel: Arc::new(AtomicBool::new(false)),
            state: Mutex::new(JobState {
                status: JobStatus::Queued,
                started: None,
                progress: None,
                plan: None,
                result: None,
                stop: None,
                finished: None,
            }),
            done: watch::channel(false).0,
        }
    }

    /// Marks the job running with its first progress, unless it was cancelled while queued
    /// (then it must not run).
    pub(crate) fn start(&self, progress: JobProgress) -> bool {
        let mut s = lock(&self.state);
        if s.status != JobStatus::Queued {
            return false;
        }
        if self.cancel.load(Ordering::SeqCst) {
            drop(s);
            self.finish_with(JobStatus::Cancelled, None);
            return false;
        }
        s.status = JobStatus::Running;
        s.started = Some(Instant::now());
        s.progress = Some(progress);
        true
    }

    fn update(&self, f: impl FnOnce(&mut JobProgress)) {
        let mut s = lock(&self.state);
        if s.status == JobStatus::Running {
            if let Some(p) = s.progress.as_mut() {
                f(p);
            }
        }
    }

    /// Records a solve's progress report.
    pub(crate) fn progress(&self, p: &Progress) {
        self.update(|x| x.record(p));
    }

    /// Records the phase a solve (or a what-if batch) entered.
    pub(crate) fn phase(&self, phase: JobPhase) {
        self.update(|x| x.phase = phase);
    }

    /// Records a solve's phase.
    pub(crate) fn solve_phase(&self, phase: Phase) {
        self.phase(phase.into());
    }

    /// Records the scenarios a what-if batch has solved.
    pub(crate) fn scenarios_done(&self, done: usize) {
        self.update(|x| x.scenarios_done = Some(done));
    }

    /// Records a better plan found by the running search.
    pub(crate) fn incumbent(&self, plan: &Plan) {
        let mut s = lock(&self.state);
        if s.status == JobStatus::Running {
            s.plan = Some(plan.clone());
        }
    }

    /// Records a solve's final result.
    pub(crate) fn succeed(&self, result: SolveResponse) {
        {
            let mut s = lock(&self.state);
            s.progress = Some(JobProgress {
                elapsed: result.plan.solver.seconds,
                phase: JobPhase::Done,
                best: Some(result.plan.objective.coverage),
                bound: Some(result.bound),
                gap: Some(result.plan.solver.gap),
                steps: Some(result.steps),
                scenarios_done: None,
                scenarios_total: None,
            });
            s.stop = Some(result.stop);
            s.plan = Some(result.plan);
        }
        let status = if result.stop == Stop::Cancelled {
            JobStatus::Cancelled
        } else {
            JobStatus::Succeeded
        };
        self.finish_with(status, None);
    }

    /// Records a what-if batch's rows; `cancelled` when it was cancelled while running.
    pub(crate) fn succeed_whatif(&self, result: &WhatifResponse, cancelled: bool) {
        let text = serde_json::to_string(result).unwrap_or_else(|_| "null".into());
        {
            let mut s = lock(&self.state);
            let elapsed = s.started.map_or(0.0, |t| t.elapsed().as_secs_f64());
            if let Some(p) = s.progress.as_mut() {
                p.elapsed = elapsed;
                p.phase = JobPhase::Done;
                p.scenarios_done = Some(result.scenarios.len());
            }
            s.result = RawValue::from_string(text).ok();
        }
        if cancelled {
            self.finish_with(JobStatus::Cancelled, Some(Stop::Cancelled));
        } else {
            self.finish_with(JobStatus::Succeeded, None);
        }
    }

    /// Records a failure (a panic in the solver).
    pub(crate) fn fail(&self) {
        self.finish_with(JobStatus::Failed, None);
    }

    fn finish_with(&self, status: JobStatus, stop: Option<Stop>) {
        {
            let mut s = lock(&self.state);
            s.status = status;
            if stop.is_some() {
                s.stop = stop;
            }
            if let Some(p) = s.progress.as_mut() {
                p.phase = JobPhase::Done;
            }
            s.finished = Some(Instant::now());
        }
        self.done.send_replace(true);
    }

    /// Cancels the job: a queued job is cancelled at once, a running one soon.
    pub(crate) fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
        let queued = lock(&self.state).status == JobStatus::Queued;
        if queued {
            self.finish_with(JobStatus::Cancelled, Some(Stop::Cancelled));
        }
    }

    /// Waits (at most `limit`) until the job is finished.
    pub(crate) async fn finished(&self, limit: Duration) {
        let mut rx = self.done.subscribe();
        let _ = tokio::time::timeout(limit, rx.wait_for(|&done| done)).await;
    }

    /// The progress as of now: a running job's elapsed time counts to this moment.
    fn progress_now(s: &JobState) -> Option<JobProgress> {
        let mut p = s.progress?;
        if s.status == JobStatus::Running {
            if let Some(t) = s.started {
                p.elapsed = t.elapsed().as_secs_f64();
            }
        }
        Some(p)
    }

    /// The job as the API shows it.
    pub(crate) fn view(&self) -> JobView {
        let s = lock(&self.state);
        JobView {
            id: self.id.clone(),
            kind: self.spec.kind,
            name: self.spec.name.clone(),
            status: s.status,
            age: self.submitted.elapsed().as_secs_f64(),
            progress: Self::progress_now(&s),
            stop: s.stop,
            plan: s.plan.clone(),
            result: s.result.clone(),
            warnings: self.spec.warnings.clone(),
        }
    }

    /// The job as `GET /v1/jobs` lists it.
    pub(crate) fn summary(&self) -> JobSummary {
        let s = lock(&self.state);
        JobSummary {
            id: self.id.clone(),
            kind: self.spec.kind,
            name: self.spec.name.clone(),
            status: s.status,
            age: self.submitted.elapsed().as_secs_f64(),
            progress: Self::progress_now(&s),
        }
    }

    fn expired(&self, ttl: Duration) -> bool {
        lock(&self.state)
            .finished
            .is_some_and(|t| t.elapsed() >= ttl)
    }
}

/// Every job not yet expired.
pub(crate) struct JobStore {
    jobs: Mutex<HashMap<String, Arc<Job>>>,
    counter: AtomicU64,
    /// Order of submission (the ids are not ordered).
    seq: AtomicU64,
    salt: u64,
}

impl JobStore {
    pub(crate) fn new() -> Self {
        // Ids must not be guessable from one another: a counter mixed with a per-process salt.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        #[expect(clippy::cast_possible_truncation, reason = "any 64 bits will do")]
        let salt = (nanos as u64) ^ u64::from(std::process::id()).rotate_left(32);
        Self {
            jobs: Mutex::new(HashMap::new()),
            counter: AtomicU64::new(0),
            seq: AtomicU64::new(0),
            salt,
        }
    }

    fn next_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        // splitmix64: a bijection, so ids never collide within a process.
        let mut z = n
            .wrapping_add(self.salt)
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        format!("{:016x}", z ^ (z >> 31))
    }

    /// Creates and stores a queued job.
    pub(crate) fn create(&self, spec: JobSpec) -> Arc<Job> {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        let job = Arc::new(Job::new(self.next_id(), seq, spec));
        lock(&self.jobs).insert(job.id.clone(), job.clone());
        job
    }

    /// The newest `limit` jobs, newest first, and how many there are.
    pub(crate) fn list(&self, limit: usize) -> (Vec<JobSummary>, usize) {
        let mut jobs: Vec<Arc<Job>> = lock(&self.jobs).values().cloned().collect();
        let total = jobs.len();
        jobs.sort_unstable_by_key(|j| std::cmp::Reverse(j.seq));
        jobs.truncate(limit);
        (jobs.iter().map(|j| j.summary()).collect(), total)
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<Job>> {
        lock(&self.jobs).get(id).cloned()
    }

    pub(crate) fn remove(&self, id: &str) -> Option<Arc<Job>> {
        lock(&self.jobs).remove(id)
    }

    pub(crate) fn len(&self) -> usize {
        lock(&self.jobs).len()
    }

    /// Cancels every job (shutdown).
    pub(crate) fn cancel_all(&self) {
        for job in lock(&self.jobs).values() {
            job.cancel();
        }
    }

    /// Drops finished jobs older than `ttl`.
    pub(crate) fn expire(&self, ttl: Duration) {
        lock(&self.jobs).retain(|_, job| !job.expired(ttl));
    }
}
