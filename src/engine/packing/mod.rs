//! Exact and heuristic packing of non-splittable duties: a multiple knapsack problem with
//! assignment restrictions.
//!
//! A connected component of the eligibility graph whose duties are all non-splittable is
//! exactly that problem: people are bins (their capacity), duties are items (size = hours,
//! profit = weight * hours), and each item may go only to the people allowed to do it. The
//! hours oracle hands such components here instead of evaluating every move with a flow.
//!
//! - Bound: the surrogate relaxation (all capacities pooled into one knapsack), where each
//!   person's capacity is first cut to the largest sum of item sizes that fits in it, solved
//!   exactly by dynamic programming when sizes are integral and small enough, else by its LP
//!   (Dantzig) bound; the Lagrangian bound of column generation (subgradient steps), and the
//!   pooled Lagrangian bound that dominates both (cutting planes with microlp).
//! - Heuristic: the caller's start, improved by re-packing one person, or a pair of people,
//!   exactly by dynamic programming over their items and the unpacked ones (integral sizes),
//!   and by moves and swaps (any sizes); then perturbation rounds.
//! - Exact: a set search (the surrogate's fillings worth more than the best, tried whole in
//!   the bins by decreasing profit); a bin-completion branch and bound with swap dominance,
//!   path symmetry and each bin's fillings pruned by their reduced profit at the root's
//!   prices, run on targets below the bound (its node knapsacks by depth-first search above
//!   the prune line, each bin's Lagrangian term and pooled room taken or capped from the
//!   parent node); a branch and bound over (item, bin) pairs with the Lagrangian re-optimised
//!   at every node.
//!
//! Everything is deterministic for a given node budget; a deadline only stops it earlier.
//! On packings of more than 30 items the stages are logged with `tracing` at debug level.
//!
//! Layout: [`solve`](Packing::solve) drives the stages in order (`solve.rs`); `knapsack.rs`
//! holds the tables and subset sums they share, `bounds.rs` the surrogate and Lagrangian
//! bounds, `fixing.rs` reduced-cost fixing and the branch and bound over pairs, `solver.rs` a
//! packing under construction, `local.rs` the heuristics, `sets.rs` the set search,
//! `targets.rs` the target searches, and `branch/` the bin-completion branch and bound with its
//! node bounds.

use std::time::Instant;

mod bounds;
mod branch;
mod fixing;
mod knapsack;
mod local;
mod sets;
mod solve;
mod solver;
mod targets;
#[cfg(test)]
mod testing;

/// Sizes and capacities count as integral within this.
const INT_TOL: f64 = 1e-9;

/// A size fits when it exceeds the room left by at most this (as in the hours oracle).
const FIT_TOL: f64 = 1e-9;

/// Most cells of one dynamic programme (capacity times items).
const DP_CELLS: usize = 60_000_000;

/// A packing problem: maximise the profit of the items placed.
#[derive(Clone, Debug, Default)]
pub struct Packing {
    /// Capacity of each bin.
    pub cap: Vec<f64>,
    /// Size of each item.
    pub size: Vec<f64>,
    /// Profit of each item (non-negative).
    pub profit: Vec<f64>,
    /// Per item: the bins it may go to, ascending.
    pub allowed: Vec<Vec<u32>>,
}

/// How the search divides its work where no setting is right for every packing. The defaults
/// are the product's; tests lower them so that paths which small packings rarely reach run.
#[derive(Clone, Copy, Debug)]
struct Tuning {
    /// Nodes of the depth-first knapsack searches of the branch and bound's node bounds
    /// ([`knapsack::knapsack_above`]) before they give way to the table (about the table's work
    /// on the literature's packings).
    knapsack_nodes: u64,
    /// How many times a probe of the bound must be cheaper than the next target search for
    /// [`Packing::target_search`] to run it first.
    probe_ratio: f64,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            knapsack_nodes: 4_000,
            probe_ratio: 20.0,
        }
    }
}

/// Effort limits of [`Packing::solve`].
#[derive(Clone, Copy, Debug)]
pub struct Effort {
    /// Most branch-and-bound nodes (also bounds the local search and perturbation rounds).
    pub nodes: u64,
    /// Stop by then, keeping the best packing found.
    pub deadline: Option<Instant>,
}

impl Effort {
    /// The same nodes, and `share` of the time left before the deadline.
    fn share(self, share: f64) -> Self {
        let now = Instant::now();
        Self {
            nodes: self.nodes,
            deadline: self
                .deadline
                .map(|d| now + d.saturating_duration_since(now).mul_f64(share)),
        }
    }
}

/// A packing and what is known about it.
#[derive(Clone, Debug)]
pub struct Packed {
    /// Per item: its bin, or none.
    pub assign: Vec<Option<u32>>,
    /// Profit packed.
    pub profit: f64,
    /// Upper bound on the profit of any packing.
    pub bound: f64,
    /// Whether `profit` is proven optimal.
    pub proven: bool,
}

/// How much a bound must exceed the best profit for a better packing to exist: whole
/// profits improve by at least one.
fn margin(best: f64, whole: bool) -> f64 {
    if whole {
        1.0 - 1e-6
    } else {
        1e-9 * best.abs().max(1.0)
    }
}

fn integral(v: f64) -> bool {
    (v - v.round()).abs() <= INT_TOL
}

/// The smallest unit (1, 1/2, 1/4, ..., 1/100 hour) in which every size is a whole number, as
/// the factor that converts sizes to that unit, while capacities stay small enough for the
/// dynamic programmes: half hours then get the bounds and exact moves of whole hours.
// The iterator is cloned once per candidate unit, never consumed.
#[allow(clippy::needless_pass_by_value)]
pub(crate) fn size_scale(sizes: impl Iterator<Item = f64> + Clone, max_cap: f64) -> Option<f64> {
    const SCALES: [f64; 9] = [1.0, 2.0, 4.0, 5.0, 8.0, 10.0, 20.0, 50.0, 100.0];
    SCALES.into_iter().find(|&k| {
        max_cap * k <= MAX_SCALED_CAP
            && sizes
                .clone()
                .all(|s| s > 0.0 && (s * k - (s * k).round()).abs() <= 1e-6 * k)
    })
}

/// Largest capacity (in the scaled unit) [`size_scale`] accepts.
const MAX_SCALED_CAP: f64 = 20_000.0;

impl Packing {
    /// Whole capacities, whole sizes and, per bin, the items with a profit allowed there that
    /// fit (for integral sizes: the knapsack tables of the Lagrangian and of fixing).
    fn whole_bins(&self) -> (Vec<usize>, Vec<usize>, Vec<Vec<usize>>) {
        let caps: Vec<usize> = self
            .cap
            .iter()
            .map(|&c| (c + FIT_TOL).floor().max(0.0) as usize)
            .collect();
        let sizes: Vec<usize> = self.size.iter().map(|&s| s.round() as usize).collect();
        let mut of_bin: Vec<Vec<usize>> = vec![Vec::new(); self.cap.len()];
        for (j, &size) in sizes.iter().enumerate() {
            for &b in &self.allowed[j] {
                if size <= caps[b as usize] && self.profit[j] > 0.0 {
                    of_bin[b as usize].push(j);
                }
            }
        }
        (caps, sizes, of_bin)
    }

    fn n(&self) -> usize {
        self.size.len()
    }

    fn integral(&self) -> bool {
        self.size.iter().all(|&s| integral(s) && s > 0.5) && self.cap.iter().all(|&c| c >= 0.0)
    }

    fn fits(&self, j: usize, b: usize) -> bool {
        self.size[j] <= self.cap[b] + FIT_TOL
    }

    /// Items by decreasing profit per unit of size (then larger profit, then index).
    fn density_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.n()).collect();
        order.sort_by(|&a, &b| {
            let (da, db) = (
                self.profit[a] / self.size[a].max(1e-12),
                self.profit[b] / self.size[b].max(1e-12),
            );
            db.total_cmp(&da)
                .then(self.profit[b].total_cmp(&self.profit[a]))
                .then(a.cmp(&b))
        });
        order
    }

    /// LP bound of one knapsack of capacity `cap` over `items`.
    fn dantzig(&self, items: &[usize], cap: f64) -> f64 {
        let mut items = items.to_vec();
        items.sort_by(|&a, &b| {
            (self.profit[b] / self.size[b])
                .total_cmp(&(self.profit[a] / self.size[a]))
                .then(a.cmp(&b))
        });
        self.lp_fill(items, cap)
    }

    /// The LP value of filling `room` with `items`, given by decreasing profit per hour:
    /// whole items while they fit, then a fraction of the next.
    fn lp_fill(&self, items: impl IntoIterator<Item = usize>, room: f64) -> f64 {
        let mut room = room;
        let mut v = 0.0;
        for j in items {
            if self.size[j] <= room {
                room -= self.size[j];
                v += self.profit[j];
            } else {
                v += self.profit[j] * room / self.size[j];
                break;
            }
        }
        v
    }
}

/// The branch and bound with node prices runs only on solves with at least this effort
/// (bounds and plans of whole packings), not on the search's light re-packs.
const LAG_BRANCH_MIN_EFFORT: u64 = 1_000_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_scale_finds_the_unit_that_makes_sizes_whole() {
        let scale = |sizes: &[f64], cap| size_scale(sizes.iter().copied(), cap);
        assert_eq!(scale(&[3.0, 7.0], 40.0), Some(1.0));
        assert_eq!(scale(&[3.5, 7.0], 40.0), Some(2.0));
        assert_eq!(scale(&[3.25, 0.5], 40.0), Some(4.0));
        assert_eq!(scale(&[0.1, 2.3], 40.0), Some(10.0));
        assert_eq!(scale(&[1.0 / 3.0], 40.0), None);
        // Too fine a unit for the capacity: the dynamic programmes would be too large.
        assert_eq!(scale(&[0.01], 400.0), None);
    }
}
