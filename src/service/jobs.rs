//! Long solves as jobs: submitted, polled for progress and the best plan so far, cancelled;
//! finished jobs expire after a while.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::api::{JobProgress, JobStatus, JobView, SolveResponse, Stop};
use crate::io::Diagnostic;
use crate::model::Plan;

/// What a job knows about itself; updated by the worker, read by the handlers.
#[derive(Debug)]
struct JobState {
    status: JobStatus,
    progress: Option<JobProgress>,
    plan: Option<Plan>,
    stop: Option<Stop>,
    finished: Option<Instant>,
}

/// One job.
pub(crate) struct Job {
    pub(crate) id: String,
    submitted: Instant,
    warnings: Vec<Diagnostic>,
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
    fn new(id: String, warnings: Vec<Diagnostic>) -> Self {
        Self {
            id,
            submitted: Instant::now(),
            warnings,
            cancel: Arc::new(AtomicBool::new(false)),
            state: Mutex::new(JobState {
                status: JobStatus::Queued,
                progress: None,
                plan: None,
                stop: None,
                finished: None,
            }),
            done: watch::channel(false).0,
        }
    }

    /// Marks the job running, unless it was cancelled while queued (then it must not run).
    pub(crate) fn start(&self) -> bool {
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
        true
    }

    /// Records a progress report.
    pub(crate) fn progress(&self, p: JobProgress) {
        lock(&self.state).progress = Some(p);
    }

    /// Records a better plan found by the running search.
    pub(crate) fn incumbent(&self, plan: &Plan) {
        let mut s = lock(&self.state);
        if s.status == JobStatus::Running {
            s.plan = Some(plan.clone());
        }
    }

    /// Records the final result.
    pub(crate) fn succeed(&self, result: SolveResponse) {
        {
            let mut s = lock(&self.state);
            s.progress = Some(JobProgress {
                elapsed: result.plan.solver.seconds,
                best: result.plan.objective.coverage,
                bound: result.bound,
                gap: result.plan.solver.gap,
                steps: result.steps,
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

    /// The job as the API shows it.
    pub(crate) fn view(&self) -> JobView {
        let s = lock(&self.state);
        JobView {
            id: self.id.clone(),
            status: s.status,
            age: self.submitted.elapsed().as_secs_f64(),
            progress: s.progress,
            stop: s.stop,
            plan: s.plan.clone(),
            warnings: self.warnings.clone(),
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
    pub(crate) fn create(&self, warnings: Vec<Diagnostic>) -> Arc<Job> {
        let job = Arc::new(Job::new(self.next_id(), warnings));
        lock(&self.jobs).insert(job.id.clone(), job.clone());
        job
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
