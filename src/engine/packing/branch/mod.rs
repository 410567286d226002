//! The bin-completion branch and bound: bins filled one after the other, each with a
//! maximal filling, pruned by dominance rules, path symmetry and a transposition table.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::time::Instant;

use self::node_bounds::{PoolScratch, Terms};
use super::knapsack::{Above, SuffixLp, knapsack, knapsack_above};
use super::solver::Solver;
use super::{Effort, FIT_TOL, Packing, Tuning, margin};

mod node_bounds;
#[cfg(test)]
mod tests;

/// A search state in 128 bits: a set of at most 120 items (`set[t]`: item t is in it) in the
/// top 120, a position below 256 in the low 8; `None` when they do not fit.
pub(super) fn state_key(pos: usize, set: &[bool]) -> Option<u128> {
    if set.len() > 120 || pos > 255 {
        return None;
    }
    let mut key = pos as u128;
    for (t, &x) in set.iter().enumerate() {
        if x {
            key |= 1 << (8 + t);
        }
    }
    Some(key)
}

/// Whether every element of `a` is in `b` (both ascending).
fn is_subset(a: &[u32], b: &[u32]) -> bool {
    if a.len() > b.len() {
        return false;
    }
    let mut k = 0;
    for &x in a {
        while k < b.len() && b[k] < x {
            k += 1;
        }
        if k == b.len() || b[k] != x {
            return false;
        }
    }
    true
}

/// Most nodes [`Branch::level`] remembers as searched (about 40 MB; a few seconds on SMALL's
/// 20 x 60 instances remember a fraction of it).
const SEARCHED_MAX: usize = 2_000_000;

/// Most classes of items (by their bins) for a table of which may stand in for which.
const STAND_IN_CLASSES: usize = 512;

/// Most items of a filling that [`Branch::set_dominated`] looks at (subsets by bit mask).
const SET_DOMINANCE_MAX: usize = 8;

/// Bin-completion branch and bound: people (bins) are filled one after the other, smallest
/// first, each with a subset of the items left that no further item left could join (any
/// packing can be made so without losing profit: an item that fits is moved in). Each node is
/// bounded by the surrogate relaxation of the bins and items left.
pub(super) struct Branch<'a> {
    pub(super) pk: &'a Packing,
    /// Bins, by ascending capacity.
    pub(super) bins: Vec<usize>,
    /// Items by decreasing density.
    pub(super) order: Vec<usize>,
    pub(super) used: Vec<bool>,
    assign: Vec<Option<u32>>,
    profit: f64,
    pub(super) best_profit: f64,
    pub(super) best_assign: Vec<Option<u32>>,
    pub(super) nodes: u64,
    pub(super) effort: Effort,
    pub(super) aborted: bool,
    integral: bool,
    /// Profits are whole numbers: a bound below the best plus one prunes.
    whole: bool,
    /// A bound on every packing (the search stops, `aborted`, at a packing worth it).
    pub(super) ceiling: f64,
    /// Item prices of the root's Lagrangian bound (empty: none), for node bounds.
    prices: Vec<f64>,
    /// Per bin: the items allowed in it with a positive reduced profit at `prices` (sizes
    /// whole), by decreasing reduced profit per unit of size, for its knapsack term.
    reduced_items: Vec<Vec<(usize, usize, f64)>>,
    /// Per bin position: the Lagrangian knapsack terms of the node on the current path at
    /// that position (see [`Self::lagrangian_bound`]).
    terms: Vec<Terms>,
    /// Per bin position: the items a better packing must place whose last allowed bin it is.
    due: Vec<Vec<usize>>,
    /// Per bin position: its filling on the current path.
    filling: Vec<Vec<usize>>,
    /// Item `j` may go to bin `b`: `allow[j * bins + b]` (a table: binary searches of the
    /// lists at every node cost much of the search's time).
    allow: Vec<bool>,
    /// Item `j` may go to and fits in bin `b`: `fit[j * bins + b]`.
    fit: Vec<bool>,
    /// Per item: one past the last bin position it may go to and fits in (0: none).
    last_fit: Vec<usize>,
    /// Per item: its class (items allowed in the same bins share one), and how many.
    item_class: Vec<u32>,
    classes: usize,
    /// The items of class `a` may go wherever those of class `b` may: `stand_in[a * c + b]`
    /// with `c` classes (for the dominance rules, which would compare the lists at every
    /// node; empty: too many classes, the lists are compared).
    stand_in: Vec<bool>,
    /// Per bin: the first bin that takes the same items (see [`Self::pooled_rooms`]).
    class: Vec<usize>,
    /// Each item's size rounded (meaningful when `integral`).
    pub(super) whole_size: Vec<usize>,
    /// Per bin position: the pooled room of each bin from it at the node on the current path
    /// at that position (see [`Self::pooled_rooms`]; empty: none).
    rooms: Vec<Vec<usize>>,
    /// Per bin position: the fillings already explored under the current path's parent
    /// (nogoods, see [`Self::symmetric`]).
    nogoods: Vec<Vec<Vec<usize>>>,
    /// Nodes searched to the end (see [`Self::level`]).
    searched: HashSet<u128>,
    /// Per bin position: the surrogate's table of the node on the current path at that
    /// position, by room (empty: none; see [`Self::surrogate_from_parent`]).
    surrogate_tables: Vec<Vec<f64>>,
    /// Buffers of [`Self::pooled_rooms`], which runs at every node.
    scratch: RefCell<PoolScratch>,
    /// The depth-first knapsack searches' node budget.
    pub(super) tuning: Tuning,
}

impl<'a> Branch<'a> {
    pub(super) fn new(pk: &'a Packing, best: &Solver<'_>, effort: Effort) -> Self {
        let order: Vec<usize> = pk
            .density_order()
            .into_iter()
            .filter(|&j| {
                pk.profit[j] > 0.0 && pk.allowed[j].iter().any(|&b| pk.fits(j, b as usize))
            })
            .collect();
        let mut bins: Vec<usize> = (0..pk.cap.len()).collect();
        bins.sort_by(|&a, &b| pk.cap[a].total_cmp(&pk.cap[b]).then(a.cmp(&b)));
        let nb = pk.cap.len();
        let mut allow = vec![false; pk.n() * nb];
        let mut fit = vec![false; pk.n() * nb];
        for (j, list) in pk.allowed.iter().enumerate() {
            for &b in list {
                allow[j * nb + b as usize] = true;
                fit[j * nb + b as usize] = pk.fits(j, b as usize);
            }
        }
        let last_fit = (0..pk.n())
            .map(|j| {
                (0..nb)
                    .rev()
                    .find(|&k| fit[j * nb + bins[k]])
                    .map_or(0, |k| k + 1)
            })
            .collect();
        // Each bin's items from the lists (linear in the pairs, not items times bins).
        let mut items_of: Vec<Vec<u32>> = vec![Vec::new(); nb];
        for (j, list) in pk.allowed.iter().enumerate() {
            for &b in list {
                items_of[b as usize].push(j as u32);
            }
        }
        let mut first: HashMap<&[u32], usize> = HashMap::new();
        let class = items_of
            .iter()
            .enumerate()
            .map(|(b, items)| *first.entry(items.as_slice()).or_insert(b))
            .collect();
        // Items with the same bins share a class: one table entry per pair of classes.
        let mut classes: HashMap<&[u32], u32> = HashMap::new();
        let item_class: Vec<u32> = (pk.allowed.iter())
            .map(|list| {
                let next = classes.len() as u32;
                *classes.entry(list.as_slice()).or_insert(next)
            })
            .collect();
        let mut lists = vec![&[][..]; classes.len()];
        for (list, &c) in &classes {
            lists[c as usize] = list;
        }
        let nc = lists.len();
        let stand_in = if nc <= STAND_IN_CLASSES {
            let mut table = vec![false; nc * nc];
            for (a, la) in lists.iter().enumerate() {
                for (b, lb) in lists.iter().enumerate() {
                    table[a * nc + b] = is_subset(la, lb);
                }
            }
            table
        } else {
            Vec::new()
        };
        Self {
            allow,
            fit,
            last_fit,
            item_class,
            classes: nc,
            stand_in,
            class,
            whole_size: pk
                .size
                .iter()
                .map(|&s| s.round().max(0.0) as usize)
                .collect(),
            rooms: vec![Vec::new(); nb],
            pk,
            bins,
            order,
            used: vec![false; pk.n()],
            assign: vec![None; pk.n()],
            profit: 0.0,
            best_profit: best.profit,
            best_assign: best.bin.iter().map(|b| b.map(|b| b as u32)).collect(),
            nodes: 0,
            effort,
            aborted: false,
            integral: pk.integral(),
            whole: pk.profit.iter().all(|&p| (p - p.round()).abs() <= 1e-9),
            ceiling: f64::INFINITY,
            prices: Vec::new(),
            reduced_items: Vec::new(),
            terms: vec![Terms::default(); pk.cap.len()],
            due: Vec::new(),
            filling: vec![Vec::new(); pk.cap.len()],
            nogoods: vec![Vec::new(); pk.cap.len()],
            searched: HashSet::new(),
            surrogate_tables: vec![Vec::new(); pk.cap.len()],
            scratch: RefCell::default(),
            tuning: Tuning::default(),
        }
    }

    /// Path symmetry (Fukunaga 2011): whether filling `bins[k]` with the items now assigned
    /// to it completes a path that an earlier sibling already covered. With `A` a filling
    /// explored for an earlier bin `bins[i]` (under the same parent) and `B` that bin's
    /// filling on this path, if `A` lies within `B` and this bin's filling `C`, and what is
    /// left of both, `(B + C) - A`, fits in and is allowed in `bins[k]`, then swapping gives a
    /// packing of the same items with `A` in `bins[i]` and the bins between unchanged: one
    /// of `A`'s subtree, already searched.
    fn symmetric(&self, k: usize, taken: &[usize]) -> bool {
        let pk = self.pk;
        let bk = self.bins[k];
        let size_c: f64 = taken.iter().map(|&j| pk.size[j]).sum();
        for i in 0..k {
            let bi = self.bins[i];
            let b = &self.filling[i];
            let size_b: f64 = b.iter().map(|&j| pk.size[j]).sum();
            'nogood: for a in &self.nogoods[i] {
                let mut size_a = 0.0;
                for &j in a {
                    match self.assign[j] {
                        Some(x) if x as usize == bi || x as usize == bk => size_a += pk.size[j],
                        _ => continue 'nogood,
                    }
                }
                if size_b + size_c - size_a > pk.cap[bk] + FIT_TOL {
                    continue;
                }
                // The items of B that leave A's bin must be allowed in this one.
                if b.iter().all(|&j| a.contains(&j) || self.allowed(j, bk)) {
                    return true;
                }
            }
        }
        false
    }

    /// Sets the item prices of the node bounds (see [`Self::lagrangian_bound`]).
    pub(super) fn set_prices(&mut self, prices: Vec<f64>) {
        let pk = self.pk;
        if prices.is_empty() {
            self.reduced_items.clear();
            self.prices = prices;
            return;
        }
        self.reduced_items = (0..pk.cap.len())
            .map(|b| {
                let mut items: Vec<(usize, usize, f64)> = self
                    .order
                    .iter()
                    .filter(|&&j| self.allowed(j, b))
                    .map(|&j| (j, self.whole_size[j], pk.profit[j] - prices[j]))
                    .filter(|&(_, _, r)| r > 1e-12)
                    .collect();
                // Densities compared as quotients (see `lagrangian_bound`); zero sizes first.
                items.sort_by(|a, b| {
                    (b.2 / b.1 as f64)
                        .total_cmp(&(a.2 / a.1 as f64))
                        .then(a.0.cmp(&b.0))
                });
                items
            })
            .collect();
        self.prices = prices;
    }

    /// Records the items every better packing places (see [`Packing::fix`]).
    pub(super) fn set_musts(&mut self, must: &[bool]) {
        let pk = self.pk;
        let mut pos = vec![0; pk.cap.len()];
        for (k, &b) in self.bins.iter().enumerate() {
            pos[b] = k;
        }
        self.due = vec![Vec::new(); self.bins.len()];
        for (j, _) in must.iter().enumerate().filter(|&(_, &m)| m) {
            if let Some(last) = pk.allowed[j]
                .iter()
                .filter(|&&b| pk.fits(j, b as usize))
                .map(|&b| pos[b as usize])
                .max()
            {
                self.due[last].push(j);
            }
        }
    }

    /// Whether an item due at bin position `i` (see [`Self::set_musts`]) is still out.
    fn overdue(&self, i: usize) -> bool {
        self.due
            .get(i)
            .is_some_and(|d| d.iter().any(|&j| !self.used[j]))
    }

    /// Whether no packing below the current node beats the best, given `upper`, a bound on
    /// the profit of what is left.
    fn pruned(&self, upper: f64) -> bool {
        self.profit + upper <= self.best_profit + margin(self.best_profit, self.whole)
    }

    pub(super) fn run(&mut self) {
        self.level(0);
    }

    fn tick(&mut self) -> bool {
        self.nodes += 1;
        // A packing worth the ceiling is optimal: nothing left to search.
        if self.best_profit >= self.ceiling - 1e-9 * self.ceiling.abs().max(1.0)
            || self.nodes >= self.effort.nodes
            || (self.nodes % 256 == 0 && self.effort.deadline.is_some_and(|d| Instant::now() >= d))
        {
            self.aborted = true;
        }
        self.aborted
    }

    pub(super) fn allowed(&self, j: usize, b: usize) -> bool {
        self.allow[j * self.pk.cap.len() + b]
    }

    /// Item `j` may go wherever item `t` may.
    fn stands_in(&self, j: usize, t: usize) -> bool {
        if self.stand_in.is_empty() {
            return is_subset(&self.pk.allowed[j], &self.pk.allowed[t]);
        }
        let (a, b) = (self.item_class[j] as usize, self.item_class[t] as usize);
        self.stand_in[a * self.classes + b]
    }

    /// Item `j` may go to and fits in bin `b`.
    pub(super) fn fits(&self, j: usize, b: usize) -> bool {
        self.fit[j * self.pk.cap.len() + b]
    }

    /// Fills `bins[i]` in every non-dominated way, then the next bins.
    /// Searches the node at bin position `i`, unless a node with the same items used at the
    /// same position was searched before in this search (a transposition: its subtree holds
    /// the same packings of the items left, worth the same, and none beat the best).
    fn level(&mut self, i: usize) {
        let Some(key) = self.transposition_key(i) else {
            return self.search_node(i);
        };
        if self.searched.contains(&key) {
            return;
        }
        self.search_node(i);
        // Searched to the end: no packing below it beats the best, then or later (the best
        // only rises). Bounded memory: about 40 MB at most.
        if !self.aborted && self.searched.len() < SEARCHED_MAX {
            self.searched.insert(key);
        }
    }

    /// The key of the node at bin position `i` on the current path (its position and the
    /// items used), where it fits in 128 bits (items in the top 120, position in the low 8);
    /// none at the root, at the leaves, and on larger problems.
    fn transposition_key(&self, i: usize) -> Option<u128> {
        if i == 0 || i >= self.bins.len() {
            return None;
        }
        state_key(i, &self.used)
    }

    fn search_node(&mut self, i: usize) {
        if self.profit > self.best_profit + 1e-9 {
            self.best_profit = self.profit;
            self.best_assign.clone_from(&self.assign);
        }
        if i == self.bins.len() || self.tick() || (i > 0 && self.overdue(i - 1)) {
            return;
        }
        let tol = 1e-9 * self.best_profit.abs().max(1.0);
        // The items left and their pooled room, for both bounds.
        let mut rooms = std::mem::take(&mut self.rooms[i]);
        let pooled = self.pooled_rooms(i, Some(&mut rooms));
        self.rooms[i] = rooms;
        self.surrogate_tables[i].clear();
        let from_parent = self.surrogate_from_parent(i, pooled.1);
        if from_parent.is_some_and(|b| self.pruned(b)) {
            return;
        }
        let mut full = std::mem::take(&mut self.surrogate_tables[i]);
        let (bound, set, kept) = self.surrogate_of(i, self.integral, &pooled, 0.0, &mut full);
        if !kept {
            full.clear();
        }
        self.surrogate_tables[i] = full;
        if self.pruned(bound) {
            return;
        }
        if self.integral {
            // Below the root, a few nodes: larger budgets find nothing more and cost time
            // (tuned on SMALL's 20 x 60 instances and a sample of FK's).
            let budget = if i == 0 { 200_000 } else { 50 };
            if let Some(placed) = self.pack_set(i, &set, budget) {
                // The surrogate bound is reached: nothing better below this node.
                if self.profit + bound > self.best_profit + tol {
                    self.best_profit = self.profit + bound;
                    self.best_assign.clone_from(&self.assign);
                    for &(j, b) in &placed {
                        self.best_assign[j] = Some(b as u32);
                    }
                }
                return;
            }
            // The split heuristic in the first half of the bins only: deeper, the packings it
            // finds rarely beat the best, and it costs much of the search's time (tuned on
            // SMALL's 20 x 60 instances).
            let (placed, gained, complete) = if 2 * i > self.bins.len() {
                (Vec::new(), 0.0, false)
            } else {
                self.split(i, &set)
            };
            if self.profit + gained > self.best_profit + tol {
                self.best_profit = self.profit + gained;
                self.best_assign.clone_from(&self.assign);
                for &(j, b) in &placed {
                    self.best_assign[j] = Some(b as u32);
                }
            }
            if complete {
                // The surrogate bound is reached: nothing better below this node.
                return;
            }
        }
        // The Lagrangian bound less this bin's own term: with it, each filling of this bin
        // is bounded by its own reduced profit (see [`Self::subsets`]).
        let mut rest = f64::INFINITY;
        if !self.prices.is_empty() {
            let (lag, first) = self.lagrangian_bound(i, &pooled);
            if self.pruned(lag) {
                return;
            }
            rest = lag - first;
        }
        self.branch_bin(i, rest);
    }

    /// Branches on the filling of `bins[i]`.
    fn branch_bin(&mut self, i: usize, rest: f64) {
        let b = self.bins[i];
        self.nogoods[i].clear();
        let cands: Vec<usize> = self
            .order
            .iter()
            .copied()
            .filter(|&j| !self.used[j] && self.fits(j, b))
            .collect();
        // Later bins' bound with every item left, for pruning inside the subset search, which
        // adds at most the LP of this bin's candidates.
        let most = self
            .pk
            .lp_fill(cands.iter().copied(), self.pk.cap[b])
            .max(0.0);
        // The node's own surrogate table bounds them at once where it has one: their items
        // are among its items, their rooms (cut by its items) no smaller than their own.
        let table = &self.surrogate_tables[i];
        let later = match self.rooms[i].get(1..) {
            Some(rooms) if !table.is_empty() && rooms.len() + i + 1 == self.bins.len() => {
                let room: usize = rooms.iter().sum();
                table[room.min(table.len() - 1)]
            }
            _ => self.bound(i + 1, most),
        };
        let table: Vec<(usize, f64)> = if self.integral {
            cands
                .iter()
                .map(|&j| (self.whole_size[j], self.pk.profit[j]))
                .collect()
        } else {
            Vec::new()
        };
        // First the bin's own best filling (one knapsack, exactly), made maximal: the
        // Martello-Toth dive that finds good packings early.
        if self.integral {
            let cap = (self.pk.cap[b] + FIT_TOL).floor().max(0.0) as usize;
            // By depth-first search where it settles (the candidates come by density), else
            // the table.
            let found = match knapsack_above(&table, cap, -1.0, self.tuning.knapsack_nodes) {
                Above::Best(v, chosen) => Some((v, chosen)),
                Above::Nothing | Above::Unknown => knapsack(&table, cap, true),
            };
            if let Some((_, chosen)) = found {
                let mut room = self.pk.cap[b];
                let mut dive = Vec::new();
                for (k, &j) in cands.iter().enumerate() {
                    if chosen[k] {
                        dive.push(j);
                        room -= self.pk.size[j];
                    }
                }
                for &j in &cands {
                    if !dive.contains(&j) && self.pk.size[j] <= room + FIT_TOL {
                        dive.push(j);
                        room -= self.pk.size[j];
                    }
                }
                for &j in &dive {
                    self.used[j] = true;
                    self.assign[j] = Some(b as u32);
                    self.profit += self.pk.profit[j];
                }
                if !self.symmetric(i, &dive) {
                    self.filling[i].clone_from(&dive);
                    self.level(i + 1);
                    dive.sort_unstable();
                    self.nogoods[i].push(dive.clone());
                }
                for &j in &dive {
                    self.used[j] = false;
                    self.assign[j] = None;
                    self.profit -= self.pk.profit[j];
                }
                if self.aborted {
                    return;
                }
            }
        }
        // The candidates with a positive reduced profit at the root's prices, by decreasing
        // reduced profit per unit of size: an LP bound on what a filling can still add.
        let mut by_reduced: Vec<(usize, f64)> = Vec::new();
        if rest.is_finite() {
            by_reduced = cands
                .iter()
                .enumerate()
                .map(|(k, &j)| (k, self.pk.profit[j] - self.prices[j]))
                .filter(|&(_, r)| r > 1e-12)
                .collect();
            by_reduced.sort_by(|a, b| {
                let (sa, sb) = (self.pk.size[cands[a.0]], self.pk.size[cands[b.0]]);
                (b.1 / sb).total_cmp(&(a.1 / sa)).then(a.0.cmp(&b.0))
            });
        }
        let reduced = Reduced {
            rest,
            by: by_reduced,
            suffix: self.integral.then(|| SuffixLp::new(&table)),
        };
        let mut taken = Vec::new();
        self.subsets(i, b, &cands, 0, self.pk.cap[b], &mut taken, later, &reduced);
    }

    /// Bound on a node's children through the reduced profit of the filling of its bin (see
    /// [`Self::subsets`]).
    fn reduced_bound(
        &self,
        cands: &[usize],
        k: usize,
        room: f64,
        taken: &[usize],
        reduced: &Reduced,
    ) -> f64 {
        let pk = self.pk;
        // The profit before this bin, the filling's reduced profit so far, then the LP of
        // the candidates still undecided.
        let mut v = self.profit + reduced.rest;
        for &j in taken {
            v -= self.prices[j];
        }
        let mut room = room;
        for &(c, r) in &reduced.by {
            let j = cands[c];
            if c < k || self.used[j] {
                continue;
            }
            let s = pk.size[j];
            if s <= room {
                room -= s;
                v += r;
            } else {
                v += r * room / s;
                break;
            }
        }
        v
    }

    /// Set dominance (Fukunaga and Korf 2007): a filling is dominated when an item left out
    /// could replace two or more of its items `T` here (no smaller than `T` together, no less
    /// profitable, and fitting in `T`'s room and what is left), when `T` may go wherever the
    /// item may: in any completion, `T` takes the item's place (or stays out where the item
    /// was out) and nothing is lost. Each replacement raises the filling's size, or keeps it
    /// and raises its profit, or keeps both with fewer items (with the single-item rule:
    /// same size and profit and a lower index), so an undominated filling as good as any is
    /// always searched.
    fn set_dominated(&self, cands: &[usize], taken: &[usize], room: f64) -> bool {
        let pk = self.pk;
        let t = taken.len();
        if !(2..=SET_DOMINANCE_MAX).contains(&t) {
            return false;
        }
        // Each subset's size and profit, by bit mask over `taken`.
        let mut size = [0.0; 1 << SET_DOMINANCE_MAX];
        let mut profit = [0.0; 1 << SET_DOMINANCE_MAX];
        for mask in 1_usize..1 << t {
            let low = mask.trailing_zeros() as usize;
            let rest = mask & (mask - 1);
            size[mask] = size[rest] + pk.size[taken[low]];
            profit[mask] = profit[rest] + pk.profit[taken[low]];
        }
        let smallest = (0..t)
            .map(|x| pk.size[taken[x]])
            .fold(f64::INFINITY, f64::min);
        for &j in cands {
            let (sj, pj) = (pk.size[j], pk.profit[j]);
            // Two items at least are no smaller than twice the smallest.
            if self.used[j] || sj < 2.0 * smallest {
                continue;
            }
            // The items the left-out one may stand in for (allowed wherever it is).
            let mut can = 0_usize;
            for (x, &i) in taken.iter().enumerate() {
                if self.stands_in(j, i) {
                    can |= 1 << x;
                }
            }
            if can.count_ones() < 2 {
                continue;
            }
            // Subsets of `can` with two items or more.
            let mut mask = can;
            while mask != 0 {
                if mask.count_ones() >= 2
                    && size[mask] <= sj
                    && sj <= size[mask] + room + FIT_TOL
                    && pj >= profit[mask]
                {
                    return true;
                }
                mask = (mask - 1) & can;
            }
        }
        false
    }

    #[expect(clippy::too_many_arguments, reason = "recursion state")]
    fn subsets(
        &mut self,
        i: usize,
        b: usize,
        cands: &[usize],
        k: usize,
        room: f64,
        taken: &mut Vec<usize>,
        later: f64,
        reduced: &Reduced,
    ) {
        if self.aborted {
            return;
        }
        let pk = self.pk;
        // Candidates too big for the room left stay out without a node each (such chains,
        // each node with its bounds, would cost much of the search's time; counted still, so
        // that node budgets keep their meaning). The bounds only fall along a chain: its end
        // prunes whatever a node within it would have.
        let mut k = k;
        while k < cands.len() && pk.size[cands[k]] > room + FIT_TOL {
            if self.due.get(i).is_some_and(|d| d.contains(&cands[k])) {
                return;
            }
            k += 1;
            self.nodes += 1;
        }
        // LP bound of the candidates left in this bin's room (all of `cands[k..]`: the
        // search takes only candidates before k).
        let lp = match &reduced.suffix {
            Some(suffix) => suffix.lp(k, (room + FIT_TOL).floor().max(0.0) as usize),
            None => pk.lp_fill(cands[k..].iter().copied(), room),
        };
        if self.pruned(lp + later) {
            return;
        }
        // The Lagrangian bound through the filling's reduced profit: a child's bound is at
        // most the profit before this bin, plus the filling's profit less its prices, plus
        // the other bins' knapsacks and the pooled selection at the root's prices (the
        // filling's prices are earned by that selection, which has this bin's room).
        if reduced.rest.is_finite()
            && self.reduced_bound(cands, k, room, taken, reduced)
                <= self.best_profit + margin(self.best_profit, self.whole)
        {
            return;
        }
        if k == cands.len() {
            // Maximal: no candidate left out fits in the room left.
            if cands
                .iter()
                .any(|&j| !self.used[j] && pk.size[j] <= room + FIT_TOL)
            {
                return;
            }
            // Dominated (Fukunaga and Korf): an item left out, no smaller and no less
            // profitable than one taken, allowed wherever that one is, could replace it here;
            // the swap loses nothing wherever the left-out item ends up.
            for &j in cands {
                if self.used[j] {
                    continue;
                }
                for &t in taken.iter() {
                    let (sj, st) = (pk.size[j], pk.size[t]);
                    let (pj, pt) = (pk.profit[j], pk.profit[t]);
                    let no_worse = sj >= st && pj >= pt;
                    let strictly = sj > st || pj > pt || j < t;
                    if no_worse && strictly && sj <= room + st + FIT_TOL && self.stands_in(j, t) {
                        return;
                    }
                }
            }
            if self.set_dominated(cands, taken, room) {
                return;
            }
            // The dive's filling again, or a path an earlier sibling covered.
            let mut sorted = taken.clone();
            sorted.sort_unstable();
            if self.nogoods[i].contains(&sorted) || self.symmetric(i, taken) {
                return;
            }
            self.filling[i].clone_from(taken);
            self.level(i + 1);
            self.nogoods[i].push(sorted);
            return;
        }
        if self.tick() {
            return;
        }
        let j = cands[k];
        if pk.size[j] <= room + FIT_TOL {
            self.used[j] = true;
            self.assign[j] = Some(b as u32);
            self.profit += pk.profit[j];
            taken.push(j);
            self.subsets(i, b, cands, k + 1, room - pk.size[j], taken, later, reduced);
            taken.pop();
            self.profit -= pk.profit[j];
            self.assign[j] = None;
            self.used[j] = false;
        }
        if self.due.get(i).is_some_and(|d| d.contains(&j)) {
            // A better packing places item j, and this is its last bin.
            return;
        }
        self.subsets(i, b, cands, k + 1, room, taken, later, reduced);
    }
}

/// What [`Branch::subsets`] prunes with at the root's prices.
struct Reduced<'t> {
    /// The node's Lagrangian bound less its bin's own knapsack term (infinite: none).
    rest: f64,
    /// Candidates (positions) with a positive reduced profit and that profit, by decreasing
    /// reduced profit per unit of size.
    by: Vec<(usize, f64)>,
    /// The candidates' LP bounds from each position on (whole sizes).
    suffix: Option<SuffixLp<'t>>,
}
