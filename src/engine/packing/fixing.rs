//! Reduced-cost fixing at Lagrangian prices, and the branch and bound over (item, bin) pairs
//! that re-optimises the Lagrangian and fixes at every node.

use std::time::Instant;

use tracing::debug;

use super::bounds::Pool;
use super::branch::Branch;
use super::knapsack::LeaveOneOut;
use super::solver::Solver;
use super::{Effort, FIT_TOL, Packing, margin};

/// What [`Packing::fix`] found.
#[derive(Clone, Debug)]
pub(super) struct Fixed {
    /// The problem with the (item, bin) pairs that cannot be in a better packing removed.
    pub(super) reduced: Packing,
    /// Items that every better packing places.
    pub(super) must: Vec<bool>,
    /// Pairs removed.
    pub(super) removed: usize,
    /// No packing beats `best` (some item every better packing places has no bin left).
    pub(super) settled: bool,
    /// The pair to branch on (item, bin): the one whose two children (the item in the bin,
    /// the item out of it) both lose the most of the bound at these prices.
    pub(super) branch: Option<(usize, u32)>,
}

impl Packing {
    /// Reduced-cost fixing from Lagrangian item prices (see [`Self::lagrangian`]): a pair
    /// (item j, bin b) goes when the Lagrangian bound at `prices` with j forced into b is at
    /// most `floor` (no packing through it beats the best known), and an item is a must when
    /// the bound with it left out is at most `floor`. Each bin's knapsack without one item
    /// comes from prefix and suffix tables. `None` when sizes are not integral or the tables
    /// would be too big.
    #[must_use]
    pub(super) fn fix(&self, prices: &[f64], floor: f64) -> Option<Fixed> {
        const FIX_CELLS: usize = 2_000_000;
        if !self.integral() || prices.len() != self.n() {
            return None;
        }
        let n = self.n();
        let nb = self.cap.len();
        let (caps, sizes, of_bin) = self.whole_bins();
        if of_bin
            .iter()
            .zip(&caps)
            .any(|(items, &c)| (items.len() + 2).saturating_mul(c + 1) > FIX_CELLS)
        {
            return None;
        }
        let reduced_profit = |j: usize| self.profit[j] - prices[j];
        // Per bin: its knapsack value and, per item, (value with the item forced in, value
        // with the item out).
        let mut value = vec![0.0; nb];
        let mut with_out: Vec<Vec<(usize, f64, f64)>> = vec![Vec::new(); nb];
        let mut total = 0.0;
        for b in 0..nb {
            let cap = caps[b];
            let pos: Vec<usize> = of_bin[b]
                .iter()
                .copied()
                .filter(|&j| reduced_profit(j) > 1e-12)
                .collect();
            let table: Vec<(usize, f64)> =
                pos.iter().map(|&j| (sizes[j], reduced_profit(j))).collect();
            let t = LeaveOneOut::new(&table, cap);
            value[b] = t.full(cap);
            total += value[b];
            for &j in &of_bin[b] {
                let room = cap - sizes[j];
                let (inside, without) = match pos.iter().position(|&i| i == j) {
                    Some(k) => (t.without(k, room), t.without(k, cap)),
                    None => (t.full(room), t.full(cap)),
                };
                with_out[b].push((j, reduced_profit(j) + inside, without));
            }
        }
        // The selection's term (see [`Self::lagrangian`]): its value, and per item its value
        // with the item forced in (an item in a bin is selected) and left out; without the
        // pooled table, every item with a positive price is selected.
        let (pool_value, pool_in, pool_out) = Pool::new(&caps, &sizes, &of_bin)
            .leave_one_out(prices, FIX_CELLS)
            .unwrap_or_else(|| {
                let all: f64 = prices.iter().map(|u| u.max(0.0)).sum();
                let out = prices.iter().map(|u| all - u.max(0.0)).collect();
                (all, vec![all; n], out)
            });
        total += pool_value;
        let mut reduced = self.clone();
        let mut must = vec![false; n];
        let mut out_loss = vec![0.0; n];
        let mut removed = 0;
        let mut keep: Vec<Vec<u32>> = vec![Vec::new(); n];
        for b in 0..nb {
            for &(j, forced, without) in &with_out[b] {
                if total - value[b] + forced - pool_value + pool_in[j] > floor {
                    keep[j].push(b as u32);
                } else {
                    removed += 1;
                }
                out_loss[j] += value[b] - without;
            }
        }
        // Branching: at fixed prices, taking j out of b loses `value[b] - without` and putting
        // it there loses what it adds to the other bins plus what forcing it costs in b.
        let mut branch = None;
        let mut score = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for b in 0..nb {
            for &(j, forced, without) in &with_out[b] {
                if total - value[b] + forced - pool_value + pool_in[j] <= floor {
                    continue;
                }
                let out_drop = value[b] - without;
                let in_drop = (out_loss[j] - out_drop).max(0.0)
                    + (value[b] - forced).max(0.0)
                    + (pool_value - pool_in[j]).max(0.0);
                let s = (out_drop.min(in_drop), self.profit[j]);
                if s > score {
                    score = s;
                    branch = Some((j, b as u32));
                }
            }
        }
        let mut settled = total <= floor;
        for j in 0..n {
            keep[j].sort_unstable();
            if self.profit[j] > 0.0 && total - (pool_value - pool_out[j]) - out_loss[j] <= floor {
                must[j] = true;
                settled |= keep[j].is_empty();
            }
        }
        reduced.allowed = keep;
        Some(Fixed {
            reduced,
            must,
            removed,
            settled,
            branch,
        })
    }
}

/// A node of [`Packing::lagrangian_branch`]: the problem left once some items are placed.
#[derive(Clone)]
struct LagNode {
    /// What is left: placed items have no bins, their bins have less room.
    pk: Packing,
    /// Profit of the items placed.
    constant: f64,
    /// Items placed, and where.
    placed: Vec<(usize, u32)>,
    /// Item prices to start the node's Lagrangian from (the parent's).
    prices: Vec<f64>,
}

impl LagNode {
    /// Places item `j` in bin `b` for good.
    fn place(&mut self, j: usize, b: u32) {
        self.constant += self.pk.profit[j];
        self.pk.cap[b as usize] -= self.pk.size[j];
        self.pk.allowed[j].clear();
        self.prices[j] = 0.0;
        self.placed.push((j, b));
    }
}

/// Subgradient iterations of the Lagrangian at each node of [`Packing::lagrangian_branch`]
/// (warm-started from the parent's prices, with a small first step).
const NODE_LAG_ITERATIONS: usize = 40;

/// Step of those iterations: the parent's prices are near the node's best.
const NODE_LAG_STEP: f64 = 0.5;

/// Nodes of the bin-by-bin branch and bound on the root's problem once it is reduced.
pub(super) const NODE_ROOT_BRANCH: u64 = 20_000;

impl Packing {
    /// Branch and bound over (item, bin) pairs with the Lagrangian bound re-optimised at
    /// every node (the column-generation bound of what is left, as in branch and price) and
    /// reduced-cost fixing at each node: an item that must be placed and has one bin left is
    /// placed there. It complements [`Branch`], whose node bounds use the root's prices: on
    /// SMALL, each proves optima the other does not (this one where fixing leaves a few pairs
    /// per item, as with 20 bins and 40-60 items). Improves `best`; returns whether the search
    /// finished, which proves `best` optimal.
    pub(super) fn lagrangian_branch<'a>(
        &'a self,
        best: &mut Solver<'a>,
        prices: &[f64],
        effort: Effort,
        root_nodes: u64,
        verbose: bool,
    ) -> bool {
        if !self.integral() || prices.len() != self.n() {
            return false;
        }
        let mut search = PairSearch {
            pk: self,
            best,
            effort,
            whole: self.profit.iter().all(|&p| (p - p.round()).abs() <= 1e-9),
            spent: 0,
        };
        let out_of_time = || effort.deadline.is_some_and(|d| Instant::now() >= d);
        let mut stack = vec![LagNode {
            pk: self.clone(),
            constant: 0.0,
            placed: Vec::new(),
            prices: prices.to_vec(),
        }];
        let mut nodes = 0_u64;
        let finished = loop {
            let Some(mut node) = stack.pop() else {
                break true;
            };
            if out_of_time() || search.spent >= effort.nodes {
                break false;
            }
            nodes += 1;
            search.spent += 1;
            let (pick, lag_prices) = match search.settle(&mut node) {
                Settled::Pruned => continue,
                Settled::Failed => break false,
                Settled::Open { pick, prices } => (pick, prices),
            };
            // The reduced root problem bin by bin first: it finishes the easy ones.
            if nodes == 1 && root_nodes > 0 && search.root_branch(&node, lag_prices, root_nodes) {
                continue;
            }
            let Some((j, b)) = pick.filter(|&(j, b)| node.pk.allowed[j].contains(&b)) else {
                break false;
            };
            let mut out = node.clone();
            out.pk.allowed[j].retain(|&x| x != b);
            let mut inside = node;
            inside.place(j, b);
            stack.push(out);
            stack.push(inside);
        };
        if verbose {
            debug!(
                nodes,
                finished,
                best = search.best.profit,
                "packing: lagrangian branch and bound"
            );
        }
        finished
    }
}

/// The state of [`Packing::lagrangian_branch`].
struct PairSearch<'a, 'b> {
    pk: &'a Packing,
    /// The best packing of `pk`.
    best: &'b mut Solver<'a>,
    effort: Effort,
    /// Profits are whole numbers.
    whole: bool,
    /// Nodes and Lagrangian iterations spent.
    spent: u64,
}

/// What bounding and fixing left of a node of [`Packing::lagrangian_branch`].
enum Settled {
    /// Nothing in it beats the best.
    Pruned,
    /// A table too big: the search cannot finish.
    Failed,
    /// Open: the pair to branch on (see [`Fixed::branch`]) and the node's prices.
    Open {
        pick: Option<(usize, u32)>,
        prices: Vec<f64>,
    },
}

impl PairSearch<'_, '_> {
    /// Records a node's packing `assign` (of its own problem) if it beats the best.
    fn record(&mut self, node: &LagNode, assign: &[Option<u32>], gained: f64) {
        if node.constant + gained > self.best.profit + 1e-9 {
            let mut s = Solver::new(self.pk);
            for &(j, b) in &node.placed {
                s.put(j, b as usize);
            }
            for (j, b) in assign.iter().enumerate() {
                if let Some(b) = *b {
                    s.put(j, b as usize);
                }
            }
            if s.profit > self.best.profit + 1e-9 {
                *self.best = s;
            }
        }
    }

    /// Bounds `node`, fixes at its prices and places the items that must go to their one
    /// bin left; again while that changes the problem.
    fn settle(&mut self, node: &mut LagNode) -> Settled {
        let whole = self.whole;
        let mut iterations = NODE_LAG_ITERATIONS;
        loop {
            let Some(lag) = node.pk.lagrangian_from(
                self.best.profit - node.constant,
                iterations,
                self.effort.deadline,
                Some(&node.prices),
                NODE_LAG_STEP,
            ) else {
                return Settled::Failed;
            };
            self.spent += iterations as u64;
            self.record(node, &lag.assign, lag.profit);
            let upper = if whole {
                (lag.bound + 1e-6).floor()
            } else {
                lag.bound
            };
            let best = self.best.profit;
            if node.constant + upper <= best + margin(best, whole) {
                return Settled::Pruned;
            }
            let floor = best - node.constant + margin(best, whole);
            let Some(fx) = node.pk.fix(&lag.prices, floor) else {
                return Settled::Failed;
            };
            if fx.settled {
                return Settled::Pruned;
            }
            node.pk = fx.reduced;
            node.prices.clone_from(&lag.prices);
            let mut placed = 0;
            for j in 0..self.pk.n() {
                if !fx.must[j] {
                    continue;
                }
                match node.pk.allowed[j].as_slice() {
                    [] => return Settled::Pruned,
                    &[b] => {
                        node.place(j, b);
                        placed += 1;
                    }
                    _ => {}
                }
            }
            if node.pk.cap.iter().any(|&c| c < -FIT_TOL) {
                return Settled::Pruned;
            }
            if fx.removed == 0 && placed == 0 {
                return Settled::Open {
                    pick: fx.branch,
                    prices: lag.prices,
                };
            }
            iterations = NODE_LAG_ITERATIONS / 2;
        }
    }

    /// The bin-by-bin branch and bound on `node`'s problem, within `nodes`, at `prices`;
    /// whether it finished (which settles the node).
    fn root_branch(&mut self, node: &LagNode, prices: Vec<f64>, nodes: u64) -> bool {
        let empty = Solver::new(&node.pk);
        let mut bb = Branch::new(
            &node.pk,
            &empty,
            Effort {
                nodes,
                deadline: self.effort.deadline,
            },
        );
        bb.best_profit = self.best.profit - node.constant;
        bb.set_prices(prices);
        bb.run();
        self.spent += bb.nodes;
        let gained = bb.best_profit;
        let assign = bb.best_assign.clone();
        self.record(node, &assign, gained);
        !bb.aborted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::packing::Packed;
    use crate::engine::packing::testing::{brute, check, random};
    use crate::rng::Rng;

    #[test]
    fn lagrangian_branch_and_bound_finds_and_proves_the_optimum() {
        let mut rng = Rng::new(31);
        let mut branched = 0;
        for case in 0..600 {
            let pk = random(&mut rng, 2 + case % 4, 3 + case % 9, true);
            let exact = brute(&pk);
            let lag = pk.lagrangian(0.0, 50, None, None).expect("integral sizes");
            // From nothing packed, with pairs only (no bin-by-bin search at the root).
            let mut best = Solver::new(&pk);
            let finished = pk.lagrangian_branch(
                &mut best,
                &lag.prices,
                Effort {
                    nodes: u64::MAX,
                    deadline: None,
                },
                0,
                false,
            );
            assert!(finished, "case {case}");
            assert!(
                (best.profit - exact).abs() < 1e-6,
                "case {case}: {} vs {exact}",
                best.profit
            );
            let p = Packed {
                assign: best.bin.iter().map(|b| b.map(|b| b as u32)).collect(),
                profit: best.profit,
                bound: best.profit,
                proven: true,
            };
            check(&pk, &p);
            branched += usize::from((lag.bound + 1e-6).floor() > exact + 0.5);
        }
        // The root bound alone leaves a gap on some:
        // the tree closes it.
        assert!(branched > 8, "{branched}");
    }

    #[test]
    fn fixing_keeps_every_optimum_and_its_musts_are_in_each() {
        let mut rng = Rng::new(29);
        let (mut removed, mut musts) = (0, 0);
        for case in 0..150 {
            let pk = random(&mut rng, 2 + case % 4, 3 + case % 8, true);
            let exact = brute(&pk);
            // The best known is one below the optimum: every optimal packing is better.
            let best = exact - 1.0;
            let lag = pk
                .lagrangian(best, 300, None, None)
                .expect("integral sizes");
            let fx = pk
                .fix(&lag.prices, best + margin(best, true))
                .expect("small tables");
            assert!(!fx.settled, "case {case}");
            assert!((brute(&fx.reduced) - exact).abs() < 1e-6, "case {case}");
            for j in (0..pk.n()).filter(|&j| fx.must[j]) {
                let mut without = pk.clone();
                without.allowed[j].clear();
                assert!(brute(&without) < exact - 0.5, "case {case}: item {j}");
                musts += 1;
            }
            // The branch and bound on the reduced problem, its musts enforced, finds it.
            let mut bb = Branch::new(
                &fx.reduced,
                &Solver::new(&pk),
                Effort {
                    nodes: u64::MAX,
                    deadline: None,
                },
            );
            bb.best_profit = best;
            bb.set_musts(&fx.must);
            bb.run();
            assert!(
                !bb.aborted && (bb.best_profit - exact).abs() < 1e-6,
                "case {case}"
            );
            removed += fx.removed;
            // Nothing beats the optimum itself: fixing at it may settle, never keep more.
            let at = pk
                .fix(&lag.prices, exact + margin(exact, true))
                .expect("tables");
            let pairs = |p: &Packing| p.allowed.iter().map(Vec::len).sum::<usize>();
            assert!(pairs(&at.reduced) <= pairs(&fx.reduced), "case {case}");
        }
        assert!(
            removed > 100 && musts > 50,
            "{removed} pairs removed, {musts} musts"
        );
    }
}
