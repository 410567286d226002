//! One epoch of the parallel search, and when the epochs stop: a stalled search restarts
//! from a shaken copy of its best plan a few times, then stops.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::engine::eligibility::Ctx;
use crate::engine::search::{Evaluated, Style, lns_step};
use crate::rng::Rng;

/// Logical workers of the parallel search (fixed, for determinism).
pub(super) const WORKERS: usize = 4;
/// LNS steps per worker per epoch.
const EPOCH_STEPS: usize = 40;
/// Restarts of a stalled search before it stops (not proven, not packing-heavy).
const RESTARTS: u32 = 3;

/// One epoch's settings.
pub(super) struct Epoch<'a> {
    /// How steps are rated.
    pub(super) style: Style,
    /// The solve's seed.
    pub(super) seed: u64,
    /// The epoch's number, from 1.
    pub(super) number: u64,
    /// Workers run at once.
    pub(super) threads: usize,
    /// No step starts after it.
    pub(super) deadline: Instant,
    /// Stops the workers when set.
    pub(super) cancel: Option<&'a Arc<AtomicBool>>,
    /// Tier 1 is proven: neighbourhoods turn to the people who moved.
    pub(super) polish: bool,
}

/// Runs one epoch from `best`: each of the [`WORKERS`] logical workers takes up to
/// [`EPOCH_STEPS`] LNS steps with its own random stream; returns each worker's best plan and
/// its number of steps, in worker order.
pub(super) fn run_epoch(ctx: Ctx<'_>, best: &Evaluated, e: &Epoch<'_>) -> Vec<(Evaluated, u64)> {
    let (style, polish) = (e.style, e.polish);
    let worker = |w: usize| -> (Evaluated, u64) {
        let mut rng = Rng::new(e.seed ^ (e.number.wrapping_mul(0x1000_0001)) ^ ((w as u64) << 48));
        let mut eval = style.evaluator(ctx);
        let mut cur = best.clone();
        let mut mine = best.clone();
        let mut n = 0;
        for _ in 0..EPOCH_STEPS {
            if Instant::now() >= e.deadline || e.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                break;
            }
            n += 1;
            let cand = lns_step(ctx, &mut eval, &cur, &mut rng, style, polish);
            // Accept equal moves too: they let the search walk across plateaus.
            if !cur.key.better(&cand.key) {
                cur = cand;
                if cur.key.better(&mine.key) {
                    mine = cur.clone();
                }
            }
        }
        (mine, n)
    };
    let mut results: Vec<Option<(Evaluated, u64)>> = (0..WORKERS).map(|_| None).collect();
    for chunk in (0..WORKERS).collect::<Vec<_>>().chunks(e.threads) {
        std::thread::scope(|s| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|&w| (w, s.spawn(move || worker(w))))
                .collect();
            for (w, h) in handles {
                results[w] = Some(h.join().unwrap_or_else(|_| (best.clone(), 0)));
            }
        });
    }
    results.into_iter().flatten().collect()
}

/// When a search has stalled: after `min` epochs without improvement, and no sooner than it
/// took (since its start or last restart) to improve the best plan's tier 1. Only that extends
/// the wait: tiers 2-3 improve a post at a time for long after tier 1 has settled, and a
/// restarted search spends many epochs just climbing back; waiting as long again would run
/// such searches to their time limit for nothing.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Stall {
    /// Epochs since the last improvement of any tier.
    pub(super) epochs: usize,
    /// Epoch of the last tier-1 improvement.
    last_tier1: u64,
    /// Epoch of the start or last restart.
    since: u64,
}

impl Stall {
    pub(super) fn record(&mut self, epoch: u64, improved: bool, tier1: bool) {
        self.epochs = if improved { 0 } else { self.epochs + 1 };
        if tier1 {
            self.last_tier1 = epoch;
        }
    }

    pub(super) fn restart(&mut self, epoch: u64) {
        *self = Self {
            epochs: 0,
            last_tier1: epoch,
            since: epoch,
        };
    }

    pub(super) fn stalled(&self, min: usize) -> bool {
        let took = usize::try_from(self.last_tier1 - self.since).unwrap_or(usize::MAX);
        self.epochs >= min.max(took)
    }
}

/// Restarts of a stalled search: a restart that improved tier 1 earns its successor, so only
/// restarts in a row that found nothing count against [`RESTARTS`] (unlimited when
/// packing-heavy).
#[derive(Clone, Copy, Debug)]
pub(super) struct Restarts {
    in_a_row: u32,
    /// Restarts so far.
    total: u32,
    /// The best tier 1 when the last restart began.
    best_then: f64,
}

impl Default for Restarts {
    fn default() -> Self {
        Self {
            in_a_row: 0,
            total: 0,
            best_then: f64::INFINITY,
        }
    }
}

impl Restarts {
    /// Whether to restart now, the best tier 1 being `best`; counts the restart if so.
    pub(super) fn another(&mut self, best: f64, unlimited: bool) -> bool {
        if best < self.best_then - 1e-9 * self.best_then.abs().max(1.0) {
            self.in_a_row = 0;
        }
        if !unlimited && self.in_a_row >= RESTARTS {
            return false;
        }
        self.in_a_row += 1;
        self.total += 1;
        self.best_then = best;
        true
    }

    /// Whether the search has restarted at all (stalled for good once).
    pub(super) fn any(&self) -> bool {
        self.total > 0
    }
}

#[cfg(test)]
mod tests {
    use super::{Restarts, Stall};

    #[test]
    fn restarts_that_find_nothing_are_limited_in_a_row() {
        let mut r = Restarts::default();
        // Three restarts without a better tier 1, then no more.
        assert!(r.another(500.0, false));
        assert!(r.another(500.0, false));
        assert!(r.another(500.0, false));
        assert!(!r.another(500.0, false));
        // A restart that found a better plan earns three more.
        let mut r = Restarts::default();
        for best in [500.0, 500.0, 490.0, 490.0, 490.0] {
            assert!(r.another(best, false), "{best}");
        }
        assert!(!r.another(490.0, false));
        // Packing-heavy searches restart without limit.
        assert!((0..10).all(|_| r.another(490.0, true)));
    }

    /// Feeds `epochs` epochs (numbered from `from`) that improve as `improves` says and
    /// returns the first epoch after which the search has stalled (at most `from + 1000`).
    fn stalls_after(stall: &mut Stall, from: u64, improves: impl Fn(u64) -> (bool, bool)) -> u64 {
        for epoch in from..from + 1000 {
            let (any, tier1) = improves(epoch);
            stall.record(epoch, any, tier1);
            if stall.stalled(12) {
                return epoch;
            }
        }
        from + 1000
    }

    #[test]
    fn the_wait_doubles_with_tier_1_only() {
        // Tier 1 improves until epoch 40: the search waits 40 epochs more.
        let mut s = Stall::default();
        assert_eq!(stalls_after(&mut s, 1, |e| (e <= 40, e <= 40)), 80);
        // Tier 2 improves until epoch 200 but tier 1 only until 10: after the last
        // improvement it waits the minimum (12), not another 200.
        let mut s = Stall::default();
        assert_eq!(stalls_after(&mut s, 1, |e| (e <= 200, e <= 10)), 212);
    }

    #[test]
    fn a_restart_measures_from_itself() {
        let mut s = Stall::default();
        assert_eq!(stalls_after(&mut s, 1, |e| (e <= 100, e <= 100)), 200);
        s.restart(200);
        // Tier 1 recovers for 20 epochs after the restart: 20 more, not 220.
        assert_eq!(stalls_after(&mut s, 201, |e| (e <= 220, e <= 220)), 240);
    }
}
