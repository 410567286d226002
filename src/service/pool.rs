//! The bounded worker pool: solves run on plain threads, off the async runtime, and the queue
//! in front of them is bounded so that overload turns into 429s instead of memory growth.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Instant;

type Work = Box<dyn FnOnce(Slot) + Send>;

struct Task {
    slot: Slot,
    work: Work,
}

/// A task's place among the pool's `capacity`, given back when dropped. The work receives it
/// so that it can give it back *before* publishing its result: a client that has its answer
/// may submit again at once and must not meet a 429 from the task that just answered it.
pub(crate) struct Slot {
    key: u64,
    shared: Arc<Shared>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        lock(&self.shared.cancels).remove(&self.key);
        self.shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The queue was full; the figures go into the 429 problem.
#[derive(Clone, Copy, Debug)]
pub(crate) struct QueueFull {
    /// Tasks queued or running at the time.
    pub in_flight: usize,
    /// Most tasks queued or running at once.
    pub capacity: usize,
    /// Seconds a task takes, on average lately (for `Retry-After`).
    pub retry_after: u32,
}

struct Shared {
    in_flight: AtomicUsize,
    capacity: usize,
    /// Cancellation flags of queued and running tasks, so that shutdown can stop them all.
    cancels: Mutex<HashMap<u64, Arc<AtomicBool>>>,
    next_key: AtomicU64,
    /// Recent mean task duration in milliseconds (exponential average).
    mean_ms: AtomicU64,
}

/// A fixed set of worker threads in front of a bounded queue.
pub(crate) struct Pool {
    sender: Mutex<Option<Sender<Task>>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
    shared: Arc<Shared>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panicking task is caught before it can poison anything we lock; if it ever happens,
    // the data (a map of flags, a sender) is still consistent.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn worker(rx: &Mutex<Receiver<Task>>, shared: &Shared) {
    loop {
        let Ok(task) = lock(rx).recv() else {
            return;
        };
        let t = Instant::now();
        let Task { slot, work } = task;
        // A bug in a solve must cost one request, never a worker (or the server); the slot is
        // given back by the work, or at the latest when the unwinding drops it.
        let _ = std::panic::catch_unwind(AssertUnwindSafe(move || work(slot)));
        let ms = u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX);
        let old = shared.mean_ms.load(Ordering::Relaxed);
        shared
            .mean_ms
            .store(old - old / 8 + ms / 8, Ordering::Relaxed);
    }
}

impl Pool {
    /// `workers` threads and room for `queue` waiting tasks.
    pub(crate) fn new(workers: usize, queue: usize) -> std::io::Result<Self> {
        let (tx, rx) = channel::<Task>();
        let rx = Arc::new(Mutex::new(rx));
        let shared = Arc::new(Shared {
            in_flight: AtomicUsize::new(0),
            capacity: workers + queue,
            cancels: Mutex::new(HashMap::new()),
            next_key: AtomicU64::new(0),
            mean_ms: AtomicU64::new(1000),
        });
        let mut handles = Vec::with_capacity(workers);
        for i in 0..workers {
            let rx = rx.clone();
            let shared = shared.clone();
            handles.push(
                std::thread::Builder::new()
                    .name(format!("modstaff-worker-{i}"))
                    .spawn(move || worker(&rx, &shared))?,
            );
        }
        Ok(Self {
            sender: Mutex::new(Some(tx)),
            workers: Mutex::new(handles),
            shared,
        })
    }

    /// Queues `work`, or refuses when `capacity` tasks are already queued or running.
    /// `cancel` is set on shutdown. The work owns its [`Slot`] until it drops it.
    pub(crate) fn submit(
        &self,
        cancel: Arc<AtomicBool>,
        work: impl FnOnce(Slot) + Send + 'static,
    ) -> Result<(), QueueFull> {
        let s = &self.shared;
        let before = s.in_flight.fetch_add(1, Ordering::SeqCst);
        let full = |in_flight| QueueFull {
            in_flight,
            capacity: s.capacity,
            retry_after: u32::try_from(
                s.mean_ms
                    .load(Ordering::Relaxed)
                    .div_ceil(1000)
                    .clamp(1, 60),
            )
            .unwrap_or(60),
        };
        if before >= s.capacity {
            s.in_flight.fetch_sub(1, Ordering::SeqCst);
            return Err(full(before));
        }
        let key = s.next_key.fetch_add(1, Ordering::Relaxed);
        lock(&s.cancels).insert(key, cancel);
        let task = Task {
            slot: Slot {
                key,
                shared: self.shared.clone(),
            },
            work: Box::new(work),
        };
        let sent = lock(&self.sender).as_ref().map(|tx| tx.send(task));
        if !matches!(sent, Some(Ok(()))) {
            // Shut down already: nobody will run it (dropping the task gave its slot back).
            return Err(full(s.capacity));
        }
        Ok(())
    }

    /// Tasks queued or running.
    pub(crate) fn in_flight(&self) -> usize {
        self.shared.in_flight.load(Ordering::SeqCst)
    }

    /// Most tasks queued or running at once.
    pub(crate) fn capacity(&self) -> usize {
        self.shared.capacity
    }

    /// Sets the cancellation flag of every queued and running task: solves stop at once with
    /// their best plan so far.
    pub(crate) fn cancel_all(&self) {
        for c in lock(&self.shared.cancels).values() {
            c.store(true, Ordering::SeqCst);
        }
    }

    /// Accepts no more tasks, lets the queued ones run (cancelled ones return at once) and
    /// waits for every worker to finish.
    pub(crate) fn shutdown(&self) {
        lock(&self.sender).take();
        let handles: Vec<JoinHandle<()>> = lock(&self.workers).drain(..).collect();
        for h in handles {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_slot_given_back_before_the_answer_lets_the_client_submit_again_at_once() {
        let pool = Pool::new(1, 0).expect("pool");
        let (tx, rx) = std::sync::mpsc::channel();
        let work = move |slot: Slot| {
            drop(slot);
            let _ = tx.send(());
            // The worker is still busy after answering (dropping state, bookkeeping).
            std::thread::sleep(Duration::from_millis(300));
        };
        pool.submit(Arc::default(), work).expect("room");
        assert!(
            pool.submit(Arc::default(), |_| ()).is_err(),
            "one place only"
        );
        rx.recv().expect("answer");
        assert_eq!(pool.in_flight(), 0);
        pool.submit(Arc::default(), |_| ())
            .expect("the answered task's place is free");
        pool.shutdown();
        assert_eq!(pool.in_flight(), 0);
    }

    #[test]
    fn a_panicking_task_gives_its_slot_back() {
        let pool = Pool::new(1, 0).expect("pool");
        pool.submit(Arc::default(), |_| panic!("a bug in a solve"))
            .expect("room");
        pool.shutdown();
        assert_eq!(pool.in_flight(), 0);
        assert!(lock(&pool.shared.cancels).is_empty());
    }
}
