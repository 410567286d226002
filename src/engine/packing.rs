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

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::time::Instant;

use crate::rng::Rng;

/// Sizes and capacities count as integral within this.
const INT_TOL: f64 = 1e-9;
/// A size fits when it exceeds the room left by at most this (as in the hours oracle).
const FIT_TOL: f64 = 1e-9;
/// Subgradient steps of [`Packing::lagrangian`]: the first step length (times the gap over
/// the squared norm), halved after this many iterations without a better bound (measured on
/// the literature sets: converges to the dual's value where 1 and 10 stopped short).
const LAG_STEP: f64 = 2.0;
const LAG_PATIENCE: usize = 20;
/// The exact pooled bound ([`Packing::lagrangian_lp`]) runs on solves given at least this
/// many Lagrangian iterations: full solves, as the pair branch and bound (a solve gets one
/// iteration per thousand nodes), not the search's light re-packs.
const LAG_LP_MIN_ITERATIONS: usize = (LAG_BRANCH_MIN_EFFORT / 1_000) as usize;

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

/// What [`Packing::lagrangian`] found.
#[derive(Clone, Debug)]
pub struct Lagrangian {
    /// The best (lowest) bound.
    pub bound: f64,
    /// The item prices that gave it (valid for bounding any sub-problem as well).
    pub prices: Vec<f64>,
    /// The best packing its heuristic built.
    pub assign: Vec<Option<u32>>,
    /// That packing's profit.
    pub profit: f64,
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
pub fn size_scale(sizes: impl Iterator<Item = f64> + Clone, max_cap: f64) -> Option<f64> {
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

/// Largest sum of a subset of `sizes` (integral) that is at most `cap`.
fn max_subset_sum(sizes: &[usize], cap: usize) -> usize {
    let words = cap / 64 + 1;
    let mut bits = vec![0_u64; words];
    bits[0] = 1;
    for &s in sizes {
        if s == 0 || s > cap {
            continue;
        }
        // bits |= bits << s
        let (ws, bs) = (s / 64, s % 64);
        for i in (0..words).rev() {
            let mut v = 0;
            if i >= ws {
                v = bits[i - ws] << bs;
                if bs > 0 && i > ws {
                    v |= bits[i - ws - 1] >> (64 - bs);
                }
            }
            bits[i] |= v;
        }
        // The whole room reached: nothing sums higher.
        if bits[cap / 64] >> (cap % 64) & 1 == 1 {
            return cap;
        }
    }
    let last = cap % 64;
    bits[words - 1] &= if last == 63 {
        u64::MAX
    } else {
        (1_u64 << (last + 1)) - 1
    };
    for i in (0..words).rev() {
        if bits[i] != 0 {
            return i * 64 + 63 - bits[i].leading_zeros() as usize;
        }
    }
    0
}

/// For each of `limits`, the largest sum of a subset of `sizes` (integral) that is at most
/// that limit: one table of the sums reachable for them all (bins that take the same items
/// share it), stopped once every limit is reached.
/// Written into `out`, with `bits` for the table (buffers kept by the caller: the branch and
/// bound calls it at every node).
fn max_subset_sums_into(
    sizes: &[usize],
    limits: &[usize],
    bits: &mut Vec<u64>,
    out: &mut Vec<usize>,
) {
    out.clear();
    let sum: usize = sizes.iter().sum();
    let top = limits.iter().copied().filter(|&l| l < sum).max();
    let Some(top) = top else {
        out.resize(limits.len(), sum);
        return;
    };
    let words = top / 64 + 1;
    bits.clear();
    bits.resize(words, 0);
    bits[0] = 1;
    let reached = |bits: &[u64], l: usize| bits[l / 64] >> (l % 64) & 1 == 1;
    // No sum reaches past the sizes so far: only the words below it change.
    let mut hi = 0_usize;
    for &s in sizes {
        if s == 0 || s > top {
            continue;
        }
        hi = (hi + s).min(top);
        // bits |= bits << s
        let (ws, bs) = (s / 64, s % 64);
        for i in (ws..=hi / 64).rev() {
            let mut v = bits[i - ws] << bs;
            if bs > 0 && i > ws {
                v |= bits[i - ws - 1] >> (64 - bs);
            }
            bits[i] |= v;
        }
        if limits.iter().all(|&l| l >= sum || reached(bits, l)) {
            break;
        }
    }
    out.extend(limits.iter().map(|&l| {
        if l >= sum {
            return sum;
        }
        // The highest reachable sum at most l.
        let mut w = l / 64;
        let mut word = bits[w] & (u64::MAX >> (63 - l % 64));
        loop {
            if word != 0 {
                return w * 64 + 63 - word.leading_zeros() as usize;
            }
            if w == 0 {
                return 0;
            }
            w -= 1;
            word = bits[w];
        }
    }));
}

/// Which of `sizes` (integral) make the largest sum at most `cap` (one such subset).
fn max_subset(sizes: &[usize], cap: usize) -> Vec<bool> {
    let words = cap / 64 + 1;
    // reach[k]: sums reachable with the first k sizes, kept for the walk back.
    let mut reach = vec![0_u64; words * (sizes.len() + 1)];
    reach[0] = 1;
    for (k, &s) in sizes.iter().enumerate() {
        let (prev, next) = reach.split_at_mut(words * (k + 1));
        let prev = &prev[words * k..];
        let next = &mut next[..words];
        next.copy_from_slice(prev);
        if s == 0 || s > cap {
            continue;
        }
        let (ws, bs) = (s / 64, s % 64);
        for i in ws..words {
            let mut v = prev[i - ws] << bs;
            if bs > 0 && i > ws {
                v |= prev[i - ws - 1] >> (64 - bs);
            }
            next[i] |= v;
        }
    }
    let last = &reach[words * sizes.len()..];
    let mut sum = 0;
    for c in (0..=cap).rev() {
        if last[c / 64] >> (c % 64) & 1 == 1 {
            sum = c;
            break;
        }
    }
    let mut chosen = vec![false; sizes.len()];
    for k in (0..sizes.len()).rev() {
        let prev = &reach[words * k..words * (k + 1)];
        if prev[sum / 64] >> (sum % 64) & 1 == 0 {
            chosen[k] = true;
            sum -= sizes[k];
        }
    }
    chosen
}

/// A search state in 128 bits: a set of at most 120 items (`set[t]`: item t is in it) in the
/// top 120, a position below 256 in the low 8; `None` when they do not fit.
fn state_key(pos: usize, set: &[bool]) -> Option<u128> {
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

/// Most cells of a knapsack table kept as one byte per cell (faster than bits).
const BYTE_CELLS: usize = 4_000_000;

/// [`knapsack`] for tables that fit in bytes (or without choosing): each item updates the
/// capacities from the top in blocks of its size, whose sources lie below the block, so the
/// loop has no dependency and vectorises.
fn knapsack_rows(items: &[(usize, f64)], cap: usize, choose: bool) -> (f64, Vec<bool>) {
    let mut best = Vec::new();
    let chosen = knapsack_table(items, cap, choose, &mut best);
    (best[cap], chosen)
}

/// [`knapsack_rows`] leaving the whole table in `best`: the best value of every room up to
/// `cap`. Rooms at least the sizes so far hold every item so far: the table is written only
/// up to that sum and filled above it at the end, which spares most of the work where the
/// items come small first (by density in strongly correlated packings, where these tables
/// are most of the search's time). Whole profits whose sum `f32` holds exactly run in `f32`
/// (twice the values per vector instruction), and on AVX2 machines with 256-bit vectors.
fn knapsack_table(
    items: &[(usize, f64)],
    cap: usize,
    choose: bool,
    best: &mut Vec<f64>,
) -> Vec<bool> {
    let width = cap + 1;
    let mut take: Vec<u8> = if choose {
        vec![0; width * items.len()]
    } else {
        Vec::new()
    };
    let mut his = vec![0_usize; items.len()];
    let counted = items.iter().filter(|&&(s, p)| s <= cap && p > 0.0);
    let small = counted.clone().all(|&(_, p)| p.fract() == 0.0)
        && counted.map(|&(_, p)| p).sum::<f64>() < f64::from(1_u32 << 24);
    if small {
        // Exact: every value is a whole number below 2^24.
        #[expect(clippy::cast_possible_truncation, reason = "whole, below 2^24")]
        let narrow: Vec<(usize, f32)> = items.iter().map(|&(s, p)| (s, p as f32)).collect();
        let mut table = vec![0.0_f32; width];
        fill_table_dispatch(&narrow, &mut table, &mut take, &mut his);
        best.clear();
        best.extend(table.iter().map(|&v| f64::from(v)));
    } else {
        best.clear();
        best.resize(width, 0.0);
        fill_table_dispatch(items, best, &mut take, &mut his);
    }
    let mut chosen = vec![false; items.len()];
    if choose {
        let mut c = cap;
        for (j, &(s, p)) in items.iter().enumerate().rev() {
            if s > cap || p <= 0.0 {
                continue;
            }
            // Above the item's `hi` every item up to it is in (zero sizes: always).
            if s == 0 || c > his[j] || take[j * width + c] == 1 {
                chosen[j] = true;
                c -= s;
            }
        }
    }
    chosen
}

/// A value of [`knapsack_table`]'s tables.
trait TableValue: Copy + PartialOrd + std::ops::Add<Output = Self> + std::ops::AddAssign {
    fn zero() -> Self;
}

impl TableValue for f64 {
    fn zero() -> Self {
        0.0
    }
}

impl TableValue for f32 {
    fn zero() -> Self {
        0.0
    }
}

/// [`fill_table`] with AVX2 where the machine has it.
fn fill_table_dispatch<T: TableValue>(
    items: &[(usize, T)],
    best: &mut [T],
    take: &mut [u8],
    his: &mut [usize],
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the machine has AVX2 (checked just above).
        unsafe { fill_table_avx2(items, best, take, his) };
        return;
    }
    fill_table(items, best, take, his);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn fill_table_avx2<T: TableValue>(
    items: &[(usize, T)],
    best: &mut [T],
    take: &mut [u8],
    his: &mut [usize],
) {
    fill_table(items, best, take, his);
}

/// The rows of [`knapsack_table`] (zeros in `best`, which is `cap + 1` long; `take` empty
/// or zeros of `best.len()` per item), each item's `hi` (rooms above it hold every item up
/// to it) in `his`.
#[inline(always)]
fn fill_table<T: TableValue>(
    items: &[(usize, T)],
    best: &mut [T],
    take: &mut [u8],
    his: &mut [usize],
) {
    let width = best.len();
    let cap = width - 1;
    let choose = !take.is_empty();
    let mut hi = 0_usize;
    for (j, &(s, p)) in items.iter().enumerate() {
        his[j] = hi;
        if s > cap || p <= T::zero() {
            continue;
        }
        if s == 0 {
            best[..=hi].iter_mut().for_each(|v| *v += p);
            continue;
        }
        let next = (hi + s).min(cap);
        let all = best[hi];
        best[hi + 1..=next].fill(all);
        let mut top = next + 1;
        while top > s {
            let lo = (top - s).max(s);
            let (below, above) = best.split_at_mut(lo);
            let dst = &mut above[..top - lo];
            let src = &below[lo - s..top - s];
            if choose {
                let row = &mut take[j * width + lo..j * width + top];
                for ((d, &x), t) in dst.iter_mut().zip(src).zip(row.iter_mut()) {
                    let v = x + p;
                    let more = v > *d;
                    *t = u8::from(more);
                    *d = if more { v } else { *d };
                }
            } else {
                for (d, &x) in dst.iter_mut().zip(src) {
                    let v = x + p;
                    *d = if v > *d { v } else { *d };
                }
            }
            top = lo;
        }
        hi = next;
        his[j] = hi;
    }
    let all = best[hi];
    best[hi + 1..].fill(all);
}

/// Nodes of [`knapsack_above`] before it gives way to the table (about the table's work on
/// the literature's packings).
/// Tests take few, so that the tables behind it (and the bounds kept from them) are searched.
const KNAPSACK_BB_NODES: u64 = if cfg!(test) { 20 } else { 4_000 };

/// What [`knapsack_above`] found.
enum Above {
    /// No filling is worth more than the floor.
    Nothing,
    /// The best filling (worth more than the floor) and which items it takes.
    Best(f64, Vec<bool>),
    /// Out of nodes: undecided.
    Unknown,
}

/// LP bounds of the suffixes of a knapsack's items (by decreasing profit per unit of size),
/// from prefix sums of sizes and profits, by binary search.
struct SuffixLp<'a> {
    items: &'a [(usize, f64)],
    ws: Vec<usize>,
    ps: Vec<f64>,
}

impl<'a> SuffixLp<'a> {
    fn new(items: &'a [(usize, f64)]) -> Self {
        let n = items.len();
        let mut ws = vec![0_usize; n + 1];
        let mut ps = vec![0.0_f64; n + 1];
        for (k, &(w, p)) in items.iter().enumerate() {
            ws[k + 1] = ws[k] + w;
            ps[k + 1] = ps[k] + p;
        }
        Self { items, ws, ps }
    }

    /// The LP value of items `k..` in `room`: whole while they fit, then a fraction of the
    /// next.
    fn lp(&self, k: usize, room: usize) -> f64 {
        let (ws, ps) = (&self.ws, &self.ps);
        let t = ws[k..].partition_point(|&w| w - ws[k] <= room) + k - 1;
        let mut v = ps[t] - ps[k];
        if t < self.items.len() {
            let (w, p) = self.items[t];
            v += p * (room - (ws[t] - ws[k])) as f64 / w as f64;
        }
        v
    }

    /// [`Self::lp`] and its critical item (the first not whole), searched forward from
    /// `from`, which must not lie past it (along a depth-first path the critical item only
    /// moves on: taking an item before it keeps it, leaving one out moves it later).
    fn lp_from(&self, k: usize, room: usize, from: usize) -> (f64, usize) {
        let (ws, ps) = (&self.ws, &self.ps);
        let n = self.items.len();
        let mut t = from.max(k);
        while t < n && ws[t + 1] - ws[k] <= room {
            t += 1;
        }
        let mut v = ps[t] - ps[k];
        if t < n {
            let (w, p) = self.items[t];
            v += p * (room - (ws[t] - ws[k])) as f64 / w as f64;
        }
        (v, t)
    }
}

/// A 0-1 knapsack solved by depth-first branch and bound (Horowitz and Sahni) when only
/// fillings worth more than `floor` matter: `items` by decreasing profit per unit of size,
/// each node bounded by the LP of the items after it. Where a branch and bound needs only
/// to know that no filling beats its best, this usually settles it in a few hundred nodes,
/// against a table of capacity times items.
fn knapsack_above(items: &[(usize, f64)], cap: usize, floor: f64, nodes: u64) -> Above {
    let n = items.len();
    let bounds = SuffixLp::new(items);
    struct Dfs<'a> {
        items: &'a [(usize, f64)],
        bounds: SuffixLp<'a>,
        best: f64,
        found: bool,
        take: Vec<bool>,
        best_take: Vec<bool>,
        nodes: u64,
    }
    impl Dfs<'_> {
        /// `bounded`: the node's LP bound is its parent's, already checked (the parent
        /// took its item whole, as its LP did). `crit`: an item at or before the node's
        /// critical item.
        fn go(&mut self, k: usize, room: usize, profit: f64, bounded: bool, crit: usize) -> bool {
            if self.nodes == 0 {
                return false;
            }
            self.nodes -= 1;
            if k == self.items.len() {
                if profit > self.best {
                    self.best = profit;
                    self.found = true;
                    self.best_take.clone_from(&self.take);
                }
                return true;
            }
            let mut crit = crit;
            if !bounded {
                let (lp, t) = self.bounds.lp_from(k, room, crit);
                if profit + lp <= self.best {
                    return true;
                }
                crit = t;
            }
            let (w, p) = self.items[k];
            if w <= room && p > 0.0 {
                self.take[k] = true;
                let ok = self.go(k + 1, room - w, profit + p, true, crit);
                self.take[k] = false;
                if !ok {
                    return false;
                }
            }
            self.go(k + 1, room, profit, false, crit)
        }
    }
    let mut dfs = Dfs {
        items,
        bounds,
        best: floor,
        found: false,
        take: vec![false; n],
        best_take: vec![false; n],
        nodes,
    };
    if !dfs.go(0, cap, 0.0, false, 0) {
        return Above::Unknown;
    }
    if dfs.found {
        Above::Best(dfs.best, dfs.best_take)
    } else {
        Above::Nothing
    }
}

/// Whether a set of items goes in the bins (see `Branch::try_pack`).
enum Fit {
    /// Yes: each item's bin.
    Packed(Vec<(usize, usize)>),
    /// No.
    No,
    /// Out of nodes or time: undecided.
    Unknown,
}

/// The subsets of `items` (sizes whole, by decreasing profit per unit of size) that fit in
/// `room` and are worth more than `lower` and at most `upper`, each with its profit, by
/// decreasing profit; with `forced` items in every one. `None` when there are more than
/// `limit` of them or the search needs more than the `nodes` left (which it spends) or runs
/// past `deadline`.
fn sets_between(
    items: &[(usize, f64)],
    forced: &[bool],
    room: usize,
    (lower, upper): (f64, f64),
    limit: usize,
    nodes: &mut u64,
    deadline: Option<Instant>,
) -> Option<Vec<(f64, Vec<usize>)>> {
    struct Dfs<'a> {
        items: &'a [(usize, f64)],
        forced: &'a [bool],
        bounds: SuffixLp<'a>,
        lower: f64,
        upper: f64,
        limit: usize,
        nodes: u64,
        deadline: Option<Instant>,
        take: Vec<usize>,
        sets: Vec<(f64, Vec<usize>)>,
    }
    impl Dfs<'_> {
        fn go(&mut self, k: usize, room: usize, profit: f64) -> bool {
            if self.nodes == 0 {
                return false;
            }
            self.nodes -= 1;
            if self.nodes % 4096 == 0 && self.deadline.is_some_and(|d| Instant::now() >= d) {
                return false;
            }
            if profit + self.bounds.lp(k, room) <= self.lower {
                return true;
            }
            if k == self.items.len() {
                if profit <= self.upper {
                    if self.sets.len() == self.limit {
                        return false;
                    }
                    self.sets.push((profit, self.take.clone()));
                }
                return true;
            }
            let (w, p) = self.items[k];
            if w <= room {
                self.take.push(k);
                let ok = self.go(k + 1, room - w, profit + p);
                self.take.pop();
                if !ok {
                    return false;
                }
            }
            self.forced[k] || self.go(k + 1, room, profit)
        }
    }
    let mut dfs = Dfs {
        items,
        forced,
        bounds: SuffixLp::new(items),
        lower,
        upper,
        limit,
        nodes: *nodes,
        deadline,
        take: Vec::new(),
        sets: Vec::new(),
    };
    let finished = dfs.go(0, room, 0.0);
    *nodes = dfs.nodes;
    if !finished {
        return None;
    }
    let mut sets = dfs.sets;
    sets.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Some(sets)
}

/// Most profit of a 0-1 knapsack with integral sizes (`None` when the table is too big),
/// and optionally which items achieve it.
fn knapsack(items: &[(usize, f64)], cap: usize, choose: bool) -> Option<(f64, Vec<bool>)> {
    let cells = cap.saturating_mul(items.len().max(1));
    if cells > DP_CELLS {
        return None;
    }
    // Everything fits: no table.
    if items.iter().map(|&(s, _)| s).sum::<usize>() <= cap {
        let chosen: Vec<bool> = items.iter().map(|&(_, p)| p > 0.0).collect();
        let v = items.iter().map(|&(_, p)| p.max(0.0)).sum();
        return Some((v, if choose { chosen } else { Vec::new() }));
    }
    if !choose || cells <= BYTE_CELLS {
        return Some(knapsack_rows(items, cap, choose));
    }
    let mut best = vec![0.0_f64; cap + 1];
    let mut take: Vec<u64> = if choose {
        vec![0; (cap + 1) * items.len().div_ceil(64).max(1)]
    } else {
        Vec::new()
    };
    let stride = items.len().div_ceil(64).max(1);
    for (j, &(s, p)) in items.iter().enumerate() {
        if s > cap || p <= 0.0 {
            continue;
        }
        for c in (s..=cap).rev() {
            let v = best[c - s] + p;
            if v > best[c] {
                best[c] = v;
                if choose {
                    take[c * stride + j / 64] |= 1 << (j % 64);
                }
            }
        }
    }
    let mut chosen = vec![false; items.len()];
    if choose {
        // Walk back: item j was taken at capacity c in its own round iff its bit is set and
        // no later item claimed c; reconstruct from the last item down.
        let mut c = cap;
        for j in (0..items.len()).rev() {
            if take[c * stride + j / 64] >> (j % 64) & 1 == 1 {
                chosen[j] = true;
                c -= items[j].0;
            }
        }
    }
    Some((best[cap], chosen))
}

/// The selection part of [`Packing::lagrangian`]: a 0-1 knapsack over the items' prices with
/// the bins' room pooled (each bin's cut to the largest sum of sizes of its items that fits).
struct Pool {
    /// Items that fit in some bin.
    items: Vec<usize>,
    sizes: Vec<usize>,
    /// The pooled room; `None` when the table would be too big.
    cap: Option<usize>,
}

impl Pool {
    fn new(caps: &[usize], sizes: &[usize], of_bin: &[Vec<usize>]) -> Self {
        let mut fits = vec![false; sizes.len()];
        let mut room = 0_usize;
        let mut of = Vec::new();
        for (b, items) in of_bin.iter().enumerate() {
            of.clear();
            of.extend(items.iter().map(|&j| sizes[j]));
            let sum: usize = of.iter().sum();
            room += if sum <= caps[b] {
                sum
            } else {
                max_subset_sum(&of, caps[b])
            };
            items.iter().for_each(|&j| fits[j] = true);
        }
        let items: Vec<usize> = (0..sizes.len()).filter(|&j| fits[j]).collect();
        let cap = (room.saturating_mul(items.len()) <= DP_CELLS).then_some(room);
        Self {
            sizes: items.iter().map(|&j| sizes[j]).collect(),
            items,
            cap,
        }
    }

    /// The pooled knapsack's value at prices `u` and, per item, its value with the item
    /// forced in and left out (`None` without the pooled table or when the tables would
    /// need more than `max_cells`).
    fn leave_one_out(&self, u: &[f64], max_cells: usize) -> Option<(f64, Vec<f64>, Vec<f64>)> {
        let cap = self.cap?;
        let pos: Vec<usize> = (0..self.items.len())
            .filter(|&k| u[self.items[k]] > 1e-12)
            .collect();
        if (pos.len() + 2).saturating_mul(cap + 1) > max_cells {
            return None;
        }
        let table: Vec<(usize, f64)> = pos
            .iter()
            .map(|&k| (self.sizes[k], u[self.items[k]]))
            .collect();
        let t = LeaveOneOut::new(&table, cap);
        let value = t.full(cap);
        let mut inside = vec![value; u.len()];
        let mut out = vec![value; u.len()];
        for (k, &j) in self.items.iter().enumerate() {
            let s = self.sizes[k];
            if s <= cap {
                inside[j] = u[j] + t.full(cap - s);
            }
        }
        for (k, &(s, p)) in table.iter().enumerate() {
            let j = self.items[pos[k]];
            out[j] = t.without(k, cap);
            if s <= cap {
                inside[j] = p + t.without(k, cap - s);
            }
        }
        Some((value, inside, out))
    }

    /// The pooled knapsack's value at prices `u`, and its items in `selected`.
    fn select(&self, u: &[f64], selected: &mut [bool]) -> f64 {
        selected.iter_mut().for_each(|s| *s = false);
        let table: Vec<(usize, f64)> = self
            .items
            .iter()
            .zip(&self.sizes)
            .map(|(&j, &s)| (s, u[j].max(0.0)))
            .collect();
        if let Some(cap) = self.cap {
            if let Some((v, chosen)) = knapsack(&table, cap, true) {
                for (k, &j) in self.items.iter().enumerate() {
                    selected[j] = chosen[k];
                }
                return v;
            }
        }
        let mut v = 0.0;
        for &j in &self.items {
            if u[j] > 0.0 {
                selected[j] = true;
                v += u[j];
            }
        }
        v
    }
}

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

    /// The surrogate bound (see the module documentation).
    #[must_use]
    pub fn bound(&self) -> f64 {
        let usable: Vec<usize> = (0..self.n())
            .filter(|&j| {
                self.profit[j] > 0.0 && self.allowed[j].iter().any(|&b| self.fits(j, b as usize))
            })
            .collect();
        if self.integral() {
            // Each bin's capacity cut to what its items can fill.
            let mut total = 0_usize;
            let mut of_bin: Vec<Vec<usize>> = vec![Vec::new(); self.cap.len()];
            for &j in &usable {
                for &b in &self.allowed[j] {
                    of_bin[b as usize].push(self.size[j].round() as usize);
                }
            }
            let mut ok = true;
            for (b, sizes) in of_bin.iter().enumerate() {
                let cap = (self.cap[b] + FIT_TOL).floor().max(0.0) as usize;
                let sum: usize = sizes.iter().sum();
                if sum <= cap {
                    total += sum;
                } else if cap / 64 * sizes.len() <= DP_CELLS {
                    total += max_subset_sum(sizes, cap);
                } else {
                    ok = false;
                    break;
                }
            }
            if ok {
                let items: Vec<(usize, f64)> = usable
                    .iter()
                    .map(|&j| (self.size[j].round() as usize, self.profit[j]))
                    .collect();
                if let Some((v, _)) = knapsack(&items, total, false) {
                    return v;
                }
                return self.dantzig(&usable, total as f64);
            }
        }
        let total: f64 = self.cap.iter().map(|c| c.max(0.0)).sum();
        self.dantzig(&usable, total)
    }

    /// The Lagrangian bound that relaxes "each item at most once" (integral sizes): with a
    /// price `u_j` on each item, every bin is its own 0-1 knapsack over profits `p_j - u_j`,
    /// and the items' prices are earned by a pooled knapsack over the bins' room (the
    /// formulation of Lalonde, Cote & Gendron 2022: an item is selected once, `y_j`, and
    /// placed, `y_j = sum_b x_bj`, relaxed with prices; the selection keeps the surrogate
    /// row). `pool(u) + sum_b knapsack_b` bounds the packing: at most `sum_j u_j + sum_b
    /// knapsack_b`, the column-generation bound, and at most the surrogate (prices 0), so it
    /// dominates both (on SMALL's 20-knapsack instances it is up to 1.2% tighter than column
    /// generation's). Prices follow subgradient steps from the surrogate LP's critical
    /// density, aimed at `target` (the best profit known); stops after `iterations` or at
    /// `deadline`. `None` when sizes are not integral or tables too big.
    #[must_use]
    pub fn lagrangian(
        &self,
        target: f64,
        iterations: usize,
        deadline: Option<Instant>,
    ) -> Option<Lagrangian> {
        // Column generation's bound by subgradient steps first (cheap: no pooled table), on
        // half the time; then the pooled bound exactly from its prices. Measured on SMALL's 20
        // instances unproven at 10 s: pooled subgradient steps stalled far above the pooled
        // bound (31,081 against 30,788 on 2S seed01) and cost FK_1 56 proofs at 1 s; the
        // cutting planes reach it in 11-49 rounds.
        let now = Instant::now();
        let half = deadline.map(|d| now + d.saturating_duration_since(now) / 2);
        self.lagrangian_within(target, iterations, half, deadline)
    }

    /// [`Self::lagrangian`] with the subgradient steps stopped at `steps_until` and the
    /// cutting planes at `lp_until`.
    fn lagrangian_within(
        &self,
        target: f64,
        iterations: usize,
        steps_until: Option<Instant>,
        lp_until: Option<Instant>,
    ) -> Option<Lagrangian> {
        let deadline = lp_until;
        let mut lag = self.lagrangian_from(target, iterations, steps_until, None, LAG_STEP)?;
        if iterations < LAG_LP_MIN_ITERATIONS {
            return Some(lag);
        }
        if let Some((bound, prices)) =
            self.lagrangian_lp(&lag.prices, target.max(lag.profit), iterations, deadline)
        {
            if bound < lag.bound {
                lag.bound = bound;
                lag.prices = prices;
            }
        }
        Some(lag)
    }

    /// The pooled Lagrangian's best value exactly (see [`Self::lagrangian`]), by Kelley's
    /// cutting planes on its dual (column generation, seen from the prices) with microlp,
    /// which re-solves from its basis after each cut: minimise `sigma + sum_b mu_b` over
    /// `alpha` in `[0, p]` with `sigma >= sum_{j in S} (p_j - alpha_j)` for the selections `S`
    /// and `mu_b >= sum_{j in P} alpha_j` for the fillings `P` of bin `b` found so far; the
    /// prices are `u = p - alpha`. Cuts are sought at a point between the LP's prices and the
    /// best ones yet (Wentges' smoothing: plain Kelley steps jump between extremes), from
    /// `start` (the subgradient's prices). Stops once the LP's value and the best bound agree
    /// (to the unit with whole profits), the bound reaches `target`, or at `deadline`. Every
    /// value found is a bound; `None` when there is nothing to do or the tables are too big.
    fn lagrangian_lp(
        &self,
        start: &[f64],
        target: f64,
        max_rounds: usize,
        deadline: Option<Instant>,
    ) -> Option<(f64, Vec<f64>)> {
        use microlp::{ComparisonOp, OptimizationDirection, Problem};
        const SMOOTHING: f64 = 0.5;
        if !self.integral() || start.len() != self.n() {
            return None;
        }
        let n = self.n();
        let nb = self.cap.len();
        let (caps, sizes, of_bin) = self.whole_bins();
        let cells: usize = caps.iter().map(|&c| c * n).sum();
        let pool = Pool::new(&caps, &sizes, &of_bin);
        if cells > DP_CELLS || n == 0 || nb == 0 || pool.cap.is_none() {
            return None;
        }
        let whole = self.profit.iter().all(|&p| (p - p.round()).abs() <= 1e-6);
        let out_of_time = || deadline.is_some_and(|d| Instant::now() >= d);
        let mut selected = vec![false; n];
        let mut table = Vec::new();
        // The bound at `alpha`, the selection, and each bin's filling.
        let mut eval = |alpha: &[f64]| -> Option<(f64, Vec<usize>, Vec<Vec<usize>>)> {
            let u: Vec<f64> = (0..n).map(|j| self.profit[j] - alpha[j]).collect();
            let mut value = pool.select(&u, &mut selected);
            let sel: Vec<usize> = (0..n).filter(|&j| selected[j]).collect();
            let mut fills = Vec::with_capacity(nb);
            for b in 0..nb {
                let items: Vec<usize> = of_bin[b]
                    .iter()
                    .copied()
                    .filter(|&j| alpha[j] > 1e-12)
                    .collect();
                table.clear();
                table.extend(items.iter().map(|&j| (sizes[j], alpha[j])));
                let (v, chosen) = knapsack(&table, caps[b], true)?;
                value += v;
                let fill = items
                    .iter()
                    .zip(&chosen)
                    .filter(|&(_, &c)| c)
                    .map(|(&j, _)| j)
                    .collect();
                fills.push(fill);
            }
            Some((value, sel, fills))
        };
        let mut lp = Problem::new(OptimizationDirection::Minimize);
        let alpha_vars: Vec<_> = (0..n)
            .map(|j| lp.add_var(0.0, (0.0, self.profit[j].max(0.0))))
            .collect();
        let sigma = lp.add_var(1.0, (0.0, f64::INFINITY));
        let mu: Vec<_> = (0..nb)
            .map(|_| lp.add_var(1.0, (0.0, f64::INFINITY)))
            .collect();
        let sel_cut = |sel: &[usize]| {
            let expr: Vec<_> = std::iter::once((sigma, 1.0))
                .chain(sel.iter().map(|&j| (alpha_vars[j], 1.0)))
                .collect();
            (expr, sel.iter().map(|&j| self.profit[j]).sum::<f64>())
        };
        let fill_cut = |b: usize, fill: &[usize]| {
            let expr: Vec<_> = std::iter::once((mu[b], 1.0))
                .chain(fill.iter().map(|&j| (alpha_vars[j], -1.0)))
                .collect();
            (expr, 0.0)
        };
        let mut center: Vec<f64> = (0..n)
            .map(|j| (self.profit[j] - start[j]).clamp(0.0, self.profit[j].max(0.0)))
            .collect();
        let (mut best, sel, fills) = eval(&center)?;
        lp.add_constraint(sel_cut(&sel).0, ComparisonOp::Ge, sel_cut(&sel).1);
        for (b, fill) in fills.iter().enumerate() {
            let (expr, rhs) = fill_cut(b, fill);
            lp.add_constraint(expr, ComparisonOp::Ge, rhs);
        }
        let mut sol = lp.solve().ok()?.into_solution().ok()?;
        let stop = |best: f64, lower: f64| {
            best <= target + 1e-9 * target.abs().max(1.0)
                || best - lower <= 1e-7 * best.abs().max(1.0)
                || (whole && (best + 1e-6).floor() <= (lower + 1e-6).floor())
        };
        let mut rounds = 0;
        loop {
            rounds += 1;
            let lower = sol.objective();
            if stop(best, lower) || out_of_time() || rounds > max_rounds {
                break;
            }
            let at_lp: Vec<f64> = alpha_vars.iter().map(|&v| sol.var_value(v)).collect();
            let (s_lp, mu_lp): (f64, Vec<f64>) = (
                sol.var_value(sigma),
                mu.iter().map(|&v| sol.var_value(v)).collect(),
            );
            // The cuts at `alpha` that the LP's solution violates.
            let mut cuts = Vec::new();
            let mut smoothed = true;
            loop {
                let point: Vec<f64> = if smoothed {
                    (0..n)
                        .map(|j| SMOOTHING * center[j] + (1.0 - SMOOTHING) * at_lp[j])
                        .collect()
                } else {
                    at_lp.clone()
                };
                let (value, sel, fills) = eval(&point)?;
                if value < best {
                    best = value;
                    center.clone_from(&point);
                }
                let tol = 1e-7 * best.abs().max(1.0);
                let (expr, rhs) = sel_cut(&sel);
                let lhs = s_lp + sel.iter().map(|&j| at_lp[j]).sum::<f64>();
                if lhs < rhs - tol {
                    cuts.push((expr, rhs));
                }
                for (b, fill) in fills.iter().enumerate() {
                    let lhs = mu_lp[b] - fill.iter().map(|&j| at_lp[j]).sum::<f64>();
                    if lhs < -tol {
                        cuts.push(fill_cut(b, fill));
                    }
                }
                if !cuts.is_empty() || !smoothed {
                    break;
                }
                smoothed = false;
            }
            if cuts.is_empty() {
                // The LP's prices price out: its value, reached at them, is the optimum.
                break;
            }
            for (expr, rhs) in cuts {
                sol = match sol.add_constraint(expr, ComparisonOp::Ge, rhs) {
                    Ok(outcome) => match outcome.into_solution() {
                        Ok(s) => s,
                        Err(_) => return Some((best, self.prices_of(&center))),
                    },
                    Err(_) => return Some((best, self.prices_of(&center))),
                };
            }
        }
        Some((best, self.prices_of(&center)))
    }

    /// Item prices `u = p - alpha`.
    fn prices_of(&self, alpha: &[f64]) -> Vec<f64> {
        self.profit
            .iter()
            .zip(alpha)
            .map(|(&p, &a)| (p - a).max(0.0))
            .collect()
    }

    /// [`Self::lagrangian`] from the prices `start` (when given, e.g. a previous run's).
    fn lagrangian_from(
        &self,
        target: f64,
        iterations: usize,
        deadline: Option<Instant>,
        start: Option<&[f64]>,
        step: f64,
    ) -> Option<Lagrangian> {
        if !self.integral() {
            return None;
        }
        let n = self.n();
        let nb = self.cap.len();
        let (caps, sizes, of_bin) = self.whole_bins();
        let cells: usize = caps.iter().map(|&c| c * n).sum();
        if cells > DP_CELLS || n == 0 || nb == 0 {
            return None;
        }
        let integral_profits = self.profit.iter().all(|&p| (p - p.round()).abs() <= 1e-6);
        // Start from the surrogate LP's critical density r: u_j = r * w_j.
        let usable: Vec<usize> = (0..n).filter(|&j| self.profit[j] > 0.0).collect();
        let mut order = usable.clone();
        order.sort_by(|&a, &b| {
            (self.profit[b] / self.size[b]).total_cmp(&(self.profit[a] / self.size[a]))
        });
        let mut room: f64 = self.cap.iter().sum();
        let mut r = 0.0;
        for &j in &order {
            if self.size[j] > room {
                r = self.profit[j] / self.size[j];
                break;
            }
            room -= self.size[j];
        }
        let mut u: Vec<f64> = match start {
            Some(start) if start.len() == n => start.to_vec(),
            _ => (0..n)
                .map(|j| (r * self.size[j]).min(self.profit[j]))
                .collect(),
        };
        let mut best = f64::INFINITY;
        let mut best_u = u.clone();
        let mut step = step;
        let mut since = 0;
        let mut count = vec![0_u32; n];
        let mut g = vec![0.0_f64; n];
        let mut table = Vec::new();
        // Lagrangian heuristic: each relaxed solution, its items kept once (bins by
        // ascending capacity), then completed greedily.
        let mut bins_up: Vec<usize> = (0..nb).collect();
        bins_up.sort_by(|&a, &b| self.cap[a].total_cmp(&self.cap[b]).then(a.cmp(&b)));
        let mut picks: Vec<Vec<usize>> = vec![Vec::new(); nb];
        let mut primal = Solver::new(self);
        let mut primal_profit = f64::NEG_INFINITY;
        let mut target = target;
        for it in 0..iterations {
            if it % 8 == 0 && deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            count.iter_mut().for_each(|c| *c = 0);
            let mut value: f64 = (0..n).map(|j| u[j].max(0.0)).sum();
            for b in 0..nb {
                table.clear();
                let items: Vec<usize> = of_bin[b]
                    .iter()
                    .copied()
                    .filter(|&j| self.profit[j] - u[j] > 1e-12)
                    .collect();
                table.extend(items.iter().map(|&j| (sizes[j], self.profit[j] - u[j])));
                let (v, chosen) = knapsack(&table, caps[b], true)?;
                value += v;
                picks[b].clear();
                for (k, &j) in items.iter().enumerate() {
                    if chosen[k] {
                        count[j] += 1;
                        picks[b].push(j);
                    }
                }
            }
            let mut cur = Solver::new(self);
            for &b in &bins_up {
                for &j in &picks[b] {
                    if cur.bin[j].is_none() {
                        cur.put(j, b);
                    }
                }
            }
            cur.fill();
            if cur.profit > primal_profit {
                primal_profit = cur.profit;
                primal = cur;
                target = target.max(primal_profit);
            }
            if value < best - 1e-9 {
                best = value;
                best_u.clone_from(&u);
                since = 0;
            } else {
                since += 1;
                if since >= LAG_PATIENCE {
                    step /= 2.0;
                    since = 0;
                }
            }
            if best <= target + 1e-9 * target.abs().max(1.0) || step < 1e-4 {
                break;
            }
            if best < f64::INFINITY && (best - target.max(0.0)) < 1.0 - 1e-6 && integral_profits {
                break;
            }
            // Subgradient of the relaxed rows: 1 - (times item j is packed).
            for j in 0..n {
                g[j] = 1.0 - f64::from(count[j]);
            }
            let norm: f64 = g.iter().map(|x| x * x).sum();
            if norm == 0.0 {
                break;
            }
            let t = step * (value - target).max(1e-6) / norm;
            for j in 0..n {
                u[j] = (u[j] - t * g[j]).max(0.0);
            }
        }
        Some(Lagrangian {
            bound: best,
            prices: best_u,
            assign: primal.bin.iter().map(|b| b.map(|b| b as u32)).collect(),
            profit: primal_profit,
        })
    }

    /// The sampling phase of [`Self::solve`]: perturbed pooled knapsacks packed exactly.
    fn sample_surrogates<'a>(
        &'a self,
        best: &Solver<'a>,
        rounds: u64,
        until: Option<Instant>,
        bound: f64,
    ) -> Solver<'a> {
        let mut best = best.clone();
        let branch = Branch::new(
            self,
            &best,
            Effort {
                nodes: 0,
                deadline: until,
            },
        );
        let usable: Vec<usize> = branch.order.clone();
        let mut total = 0_usize;
        for &b in &branch.bins {
            let sizes: Vec<usize> = usable
                .iter()
                .filter(|&&j| branch.allowed(j, b))
                .map(|&j| self.size[j].round() as usize)
                .collect();
            let cap = (self.cap[b] + FIT_TOL).floor().max(0.0) as usize;
            total += if sizes.iter().sum::<usize>() <= cap {
                sizes.iter().sum()
            } else {
                max_subset_sum(&sizes, cap)
            };
        }
        let mut rng = Rng::new(0x5eed_cafe);
        let mut table: Vec<(usize, f64)> = Vec::with_capacity(usable.len());
        for round in 0..rounds {
            if best.profit >= bound - 1e-9 * bound.abs().max(1.0)
                || until.is_some_and(|d| Instant::now() >= d)
            {
                break;
            }
            // Noise and cut grow with the round, cycling: first near the surrogate optimum.
            let phase = (round % 64) as f64 / 64.0;
            let noise = 0.002 + 0.05 * phase;
            let cut = (total as f64 * 0.03 * phase * (rng.below(1000) as f64 / 1000.0)) as usize;
            table.clear();
            for &j in &usable {
                let e = (rng.below(2001) as f64 / 1000.0 - 1.0) * noise;
                table.push((self.size[j].round() as usize, self.profit[j] * (1.0 + e)));
            }
            let Some((_, chosen)) = knapsack(&table, total.saturating_sub(cut), true) else {
                break;
            };
            let set: Vec<usize> = usable
                .iter()
                .zip(&chosen)
                .filter(|&(_, &c)| c)
                .map(|(&j, _)| j)
                .collect();
            let placed = match branch.pack_set(0, &set, 5_000) {
                Some(p) => p,
                None => branch.split(0, &set).0,
            };
            let mut cur = Solver::new(self);
            for (j, b) in placed {
                cur.put(j, b);
            }
            cur.fill();
            if cur.profit > best.profit + 1e-9 {
                best = cur;
            }
        }
        best
    }

    /// Iterated local search from `best`: re-pack 2-3 random bins exactly one after the other
    /// (in random order, with every unpacked item), walking on when no worse (plateaus are
    /// wide), and every third round 3-5 related bins jointly by the branch and bound, more
    /// bins with more nodes the longer that finds nothing (an adaptive large neighbourhood;
    /// the related bins keep it from wasting nodes where bins share no items); every 64
    /// rounds drop a few items to move elsewhere, and restart from the best when that led
    /// nowhere.
    fn local_search<'a>(
        &'a self,
        best: Solver<'a>,
        rounds: usize,
        bound: f64,
        out_of_time: &dyn Fn() -> bool,
    ) -> Solver<'a> {
        let n = self.n();
        let nb = self.cap.len();
        let integral = self.integral();
        let done = |s: &Solver, bound: f64| s.profit >= bound - 1e-9 * bound.abs().max(1.0);
        let mut best = best;
        let mut rng = Rng::new(0x9e37_79b9);
        // The large neighbourhoods' level: `level` more people and twice the nodes per level,
        // raised after `LNS_STALE_PER_BIN` large re-packs per bin in a row without a better
        // best, back to 0 on a better best or after `LNS_MAX_LEVEL`.
        let (mut level, mut stale) = (0_usize, 0_usize);
        let mut cur = best.clone();
        let (mut bins, mut cand) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            if done(&best, bound) || (round % 16 == 0 && out_of_time()) {
                break;
            }
            if round % 64 == 63 {
                if cur.profit < best.profit - 1e-9 {
                    cur = best.clone();
                }
                for _ in 0..(n / 16).max(1) {
                    let j = rng.below(n);
                    cur.take(j);
                }
                cur.fill();
            }
            bins.clear();
            // Every third round (whole hours) a larger neighbourhood: 3-5 people (more at higher
            // levels) re-packed together by the branch and bound (within a node budget).
            let large = integral && round % 3 == 2 && nb > 3;
            let k = if large {
                3 + level + rng.below(3)
            } else {
                2 + rng.below(2)
            }
            .min(nb);
            if large {
                cur.related_bins(k, &mut rng, &mut bins, &mut cand);
            }
            while bins.len() < k {
                let b = rng.below(nb);
                if !bins.contains(&b) {
                    bins.push(b);
                }
            }
            if large {
                cur.repack_exact(&bins, LNS_NODES << level);
            } else if bins.len() == 2 && round % 2 == 0 {
                // Any sizes: the two people re-packed jointly and exactly.
                cur.repack_pair(bins[0], bins[1], 20_000);
            } else if integral {
                cur.repack_walk(&bins);
            } else {
                cur.swaps();
            }
            cur.fill();
            if cur.profit > best.profit + 1e-9 {
                best = cur.clone();
                level = 0;
                stale = 0;
            } else if large {
                stale += 1;
                if stale >= LNS_STALE_PER_BIN * nb {
                    stale = 0;
                    level = if level >= LNS_MAX_LEVEL { 0 } else { level + 1 };
                }
            }
        }
        best
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

    /// Best packing found from `start` (entries that do not fit are dropped), within `effort`.
    #[must_use]
    pub fn solve(&self, start: &[Option<u32>], effort: Effort) -> Packed {
        let n = self.n();
        let nb = self.cap.len();
        let mut cur = Solver::new(self);
        for j in 0..n {
            if let Some(b) = start.get(j).copied().flatten() {
                let b = b as usize;
                if self.allowed[j].binary_search(&(b as u32)).is_ok()
                    && cur.room[b] + FIT_TOL >= self.size[j]
                {
                    cur.put(j, b);
                }
            }
        }
        let mut bound = self.bound();
        let done = |s: &Solver, bound: f64| s.profit >= bound - 1e-9 * bound.abs().max(1.0);
        let out_of_time = || effort.deadline.is_some_and(|d| Instant::now() >= d);
        cur.fill();
        let mut best = cur.clone();
        let integral = self.integral();
        let debug = std::env::var_os("MODSTAFF_DEBUG").is_some() && n > 30;
        // The surrogate solution's items packed exactly: often the optimum at once when
        // people hold several duties each.
        if !done(&best, bound) && integral && n > 0 && nb > 0 && !out_of_time() {
            let root = Branch::new(self, &best, effort);
            let (_, set) = root.surrogate(0, true);
            if let Some(placed) = root.pack_set(0, &set, 200_000) {
                let mut packed = Solver::new(self);
                for (j, b) in placed {
                    packed.put(j, b);
                }
                if packed.profit > best.profit {
                    best = packed;
                }
            }
        }
        if !done(&best, bound) && n > 0 && nb > 0 {
            cur.clone_from(&best);
            cur.improve(integral, &out_of_time);
            if cur.profit > best.profit {
                best = cur.clone();
            }
        }
        let mut prices = Vec::new();
        // The Lagrangian bound (and its heuristic) where the surrogate leaves a gap: decisive
        // when people hold few duties each, where the surrogate is weak. Up to 25% of the time.
        if !done(&best, bound) && !out_of_time() && integral {
            let now = Instant::now();
            let at = |share: f64| {
                effort
                    .deadline
                    .map(|d| now + d.saturating_duration_since(now).mul_f64(share))
            };
            // Scaled to the effort: light evaluations (20,000 nodes) get 20 iterations.
            let iterations = (effort.nodes / 1_000).clamp(1, 5_000) as usize;
            // The subgradient steps up to 15% of the time, the exact pooled bound up to 25%.
            if let Some(Lagrangian {
                bound: lag,
                prices: p,
                assign,
                profit,
            }) = self.lagrangian_within(best.profit, iterations, at(0.15), at(0.25))
            {
                prices = p;
                if profit > best.profit + 1e-9 {
                    best = Solver::new(self);
                    for (j, b) in assign.iter().enumerate() {
                        if let Some(b) = *b {
                            best.put(j, b as usize);
                        }
                    }
                }
                let lag = if self.profit.iter().all(|&p| (p - p.round()).abs() <= 1e-6) {
                    // Integral profits: no packing reaches the fraction.
                    (lag + 1e-6).floor()
                } else {
                    lag
                };
                bound = bound.min(lag);
                if debug {
                    eprintln!(
                        "packing: lagrangian {lag}, its heuristic {profit}, {:?}",
                        now.elapsed()
                    );
                }
            }
        }
        let mut proven = done(&best, bound);
        // A strong incumbent before the fixing and the branch and bound, which both prune
        // against it: the local search for a fifth of the time left (measured on SMALL
        // M020_N0060: the branch and bound started 0.5% below the optimum, which the local
        // search later found, and proved nothing in 5 s); a tenth on small packings, where
        // the branch and bound proves the optimum and needs the time (SMALL at 10 s: 168
        // proven against 167).
        if !proven && n > 0 && nb > 0 && !out_of_time() {
            let share = if n <= 60 { 0.1 } else { 0.2 };
            let now = Instant::now();
            let until = effort
                .deadline
                .map(|d| now + d.saturating_duration_since(now).mul_f64(share));
            let rounds = (effort.nodes / 1_000).min(2_000_000) as usize;
            let early = || out_of_time() || until.is_some_and(|d| Instant::now() >= d);
            best = self.local_search(best, rounds, bound, &early);
            proven = done(&best, bound);
            if debug {
                eprintln!("packing: early local search {}", best.profit);
            }
        }
        // Reduced-cost fixing: the pairs and items a better packing cannot use or must use,
        // at the Lagrangian prices; the Lagrangian again on what is left, while it removes
        // pairs. The branch and bound then searches the reduced problem.
        let whole = self.profit.iter().all(|&p| (p - p.round()).abs() <= 1e-9);
        let mut reduced: Option<(Packing, Vec<bool>)> = None;
        if !proven && !prices.is_empty() && !out_of_time() {
            let floor = best.profit + margin(best.profit, whole);
            let iterations = (effort.nodes / 1_000).clamp(1, 5_000) as usize;
            for _ in 0..4 {
                let (pk, must) = match &reduced {
                    Some((pk, must)) => (pk, must.clone()),
                    None => (self, vec![false; n]),
                };
                let Some(fx) = pk.fix(&prices, floor) else {
                    break;
                };
                if debug {
                    let pairs: usize = fx.reduced.allowed.iter().map(Vec::len).sum();
                    eprintln!(
                        "packing: fixing removed {} pairs ({pairs} left), {} musts, settled {}",
                        fx.removed,
                        fx.must.iter().filter(|&&m| m).count(),
                        fx.settled
                    );
                }
                if fx.settled {
                    proven = true;
                    bound = best.profit;
                    break;
                }
                let again = fx.removed > 0;
                let must: Vec<bool> = must.iter().zip(&fx.must).map(|(&a, &b)| a || b).collect();
                reduced = Some((fx.reduced, must));
                if !again || out_of_time() {
                    break;
                }
                let Some((pk, _)) = &reduced else { break };
                let now = Instant::now();
                let until = effort
                    .deadline
                    .map(|d| now + d.saturating_duration_since(now).mul_f64(0.05));
                // The exact pooled bound where it runs, else subgradient steps (with their
                // packings).
                let exact = match iterations >= LAG_LP_MIN_ITERATIONS {
                    true => pk.lagrangian_lp(&prices, best.profit, iterations, until),
                    false => None,
                };
                let (lag_bound, lag_prices) = match exact {
                    Some(found) => found,
                    None => {
                        let Some(lag) = pk.lagrangian_from(
                            best.profit,
                            iterations,
                            until,
                            Some(&prices),
                            LAG_STEP,
                        ) else {
                            break;
                        };
                        if lag.profit > best.profit + 1e-9 {
                            best = Solver::new(self);
                            for (j, b) in lag.assign.iter().enumerate() {
                                if let Some(b) = *b {
                                    best.put(j, b as usize);
                                }
                            }
                        }
                        (lag.bound, lag.prices)
                    }
                };
                if debug {
                    eprintln!("packing: lagrangian of the reduced problem {lag_bound}");
                }
                // The reduced problem bounds only the packings better than the best.
                let lag_bound = if whole {
                    (lag_bound + 1e-6).floor()
                } else {
                    lag_bound
                };
                bound = bound.min(lag_bound.max(best.profit));
                prices = lag_prices;
                if done(&best, bound) {
                    proven = true;
                    break;
                }
            }
        }
        // The set search, on a quarter of the time left (whole sizes; not in light
        // evaluations).
        if !proven
            && integral
            && n > 0
            && nb > 0
            && effort.nodes >= LAG_BRANCH_MIN_EFFORT
            && !out_of_time()
        {
            let half = effort.share(0.25);
            let (pk, must) = reduced
                .as_ref()
                .map_or((self, Vec::new()), |(pk, must)| (pk, must.clone()));
            let found = pk.set_search(&best, &must, bound, whole, half);
            if let Some(placed) = &found.packed {
                let mut packed = Solver::new(self);
                for &(j, b) in placed {
                    packed.put(j, b);
                }
                // Items left out may still fit in the room left.
                packed.fill();
                if packed.profit > best.profit + 1e-9 {
                    best = packed;
                }
            }
            bound = bound.min(found.bound.max(best.profit));
            proven = found.proven || done(&best, bound);
            if debug {
                eprintln!(
                    "packing: set search: bound {bound}, proven {proven}, best {}",
                    best.profit
                );
            }
        }
        // Branch and bound next, with 90% of the time on small packings (where it often
        // proves the optimum), a tenth on larger ones (where it rarely does); the rest goes to
        // the pair branch and bound, sampling and the iterated local search.
        if !proven && !out_of_time() {
            let share = if n <= 60 { 0.9 } else { 0.1 };
            let half = effort.share(share);
            let (pk, must) = reduced
                .as_ref()
                .map_or((self, Vec::new()), |(pk, must)| (pk, must.clone()));
            let light = effort.nodes < LAG_BRANCH_MIN_EFFORT;
            let search = TargetSearch {
                pk,
                must: &must,
                prices: &prices,
                whole,
                light,
                debug,
            };
            proven = self.target_search(&search, &mut best, &mut bound, half);
        }
        // The branch and bound with node prices next, on half the time left (small packings).
        if !proven
            && n <= 60
            && effort.nodes >= LAG_BRANCH_MIN_EFFORT
            && !prices.is_empty()
            && !out_of_time()
        {
            let half = effort.share(0.5);
            proven = self.lagrangian_branch(&mut best, &prices, half, NODE_ROOT_BRANCH, debug)
                || done(&best, bound);
        }
        if !proven && n > 0 && nb > 0 && integral && !out_of_time() {
            // Surrogate sampling: solve the pooled knapsack again with profits perturbed and
            // the pooled room cut by a little (the room packings lose to fragmentation), and
            // pack each solution's items exactly into the bins (or as much of them as the
            // subset-sum split places). Half of the time left.
            let now = Instant::now();
            let until = effort
                .deadline
                .map(|d| now + d.saturating_duration_since(now) / 2);
            let rounds = (effort.nodes / 2_000).clamp(1, 100_000);
            let sampled = self.sample_surrogates(&best, rounds, until, bound);
            if sampled.profit > best.profit + 1e-9 {
                best = sampled;
            }
            proven = done(&best, bound);
            if debug {
                eprintln!("packing: after surrogate sampling {}", best.profit);
            }
        }
        if !proven && n > 0 && nb > 0 {
            let rounds = (effort.nodes / 200).min(10_000_000) as usize;
            best = self.local_search(best, rounds, bound, &out_of_time);
            proven = done(&best, bound);
            if debug {
                eprintln!("packing: after perturbation {}", best.profit);
            }
        }
        Packed {
            assign: best.bin.iter().map(|b| b.map(|b| b as u32)).collect(),
            profit: best.profit,
            bound: if proven { best.profit } else { bound },
            proven,
        }
    }
}

/// Most nodes [`Branch::level`] remembers as searched (SMALL's 20 x 60 instances: about
/// 500,000 in 8 s).
const SEARCHED_MAX: usize = 2_000_000;

/// How many bounds from a parent's surrogate table the tests checked.
#[cfg(test)]
static SURROGATE_CHECKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Most classes of items (by their bins) for a table of which may stand in for which.
const STAND_IN_CLASSES: usize = 512;

/// Most items of a filling that [`Branch::set_dominated`] looks at (subsets by bit mask).
const SET_DOMINANCE_MAX: usize = 8;

/// Most sets of one band of [`Packing::set_search`].
const SET_LIMIT: usize = 20_000;
/// Nodes of one band's enumeration.
const SET_NODES: u64 = 20_000_000;
/// Nodes to decide whether one set goes in the bins.
const SET_PACK_NODES: u64 = 50_000;
/// Most states one such decision remembers as refuted.
const SET_PACK_FAILED: usize = 100_000;
// How often set packings met a refuted state again, per test thread.
#[cfg(test)]
thread_local! {
    static SET_PACK_REPEATS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// What [`Packing::set_search`] found.
struct SetSearch {
    /// A packing better than the best: each item's bin.
    packed: Option<Vec<(usize, usize)>>,
    /// A bound on every packing.
    bound: f64,
    /// Whether the bound is the best packing's profit (`packed`'s, or else the best given).
    proven: bool,
}

impl Packing {
    /// Exact search by item sets, a decomposition (as in Dell'Amico, Delorme, Iori and
    /// Martello 2019): any packing's items fit in the pooled room of the surrogate bound, and
    /// with few items per bin the sets that do and are worth more than the best are few (2 to
    /// 1,200 on the hardest SMALL instances, against millions of branch-and-bound nodes).
    /// Each is tried whole in the bins, by decreasing profit: the first that goes is optimal
    /// when every richer one was shown not to. The sets come in bands below `bound`, each
    /// twice as wide as the last, so that a band whose sets all fail lowers the bound.
    /// Items in `must` are in every better packing. Needs whole sizes.
    fn set_search(
        &self,
        best: &Solver<'_>,
        must: &[bool],
        bound: f64,
        whole: bool,
        effort: Effort,
    ) -> SetSearch {
        let debug = std::env::var_os("MODSTAFF_DEBUG").is_some();
        let br = Branch::new(self, best, effort);
        let (items, room) = br.pooled(0);
        let table: Vec<(usize, f64)> = items
            .iter()
            .map(|&j| (self.size[j].round() as usize, self.profit[j]))
            .collect();
        let forced: Vec<bool> = items.iter().map(|&j| must.get(j) == Some(&true)).collect();
        let floor = best.profit + margin(best.profit, whole) - 1e-9;
        let mut out = SetSearch {
            packed: None,
            bound,
            proven: false,
        };
        let mut upper = f64::INFINITY;
        let mut step = ((bound - best.profit) / 64.0).max(margin(best.profit, whole));
        // Nodes left, for the enumeration and the packings together.
        let mut nodes = effort.nodes;
        loop {
            let lower = (bound - step).max(floor);
            let mut band = nodes.min(SET_NODES);
            let before = band;
            let sets = sets_between(
                &table,
                &forced,
                room,
                (lower, upper),
                SET_LIMIT,
                &mut band,
                effort.deadline,
            );
            nodes -= before - band;
            let Some(sets) = sets else {
                return out;
            };
            if debug {
                eprintln!(
                    "packing: set search band ({lower}, {upper}]: {} sets",
                    sets.len()
                );
            }
            for (profit, set) in sets {
                if nodes == 0 || effort.deadline.is_some_and(|d| Instant::now() >= d) {
                    return out;
                }
                let set: Vec<usize> = set.into_iter().map(|k| items[k]).collect();
                let (fit, spent) = br.try_pack(0, &set, SET_PACK_NODES.min(nodes));
                nodes = nodes.saturating_sub(spent);
                match fit {
                    Fit::Packed(placed) => {
                        out.proven = true;
                        out.bound = out.bound.min(profit);
                        out.packed = Some(placed);
                        return out;
                    }
                    Fit::No => {}
                    // Undecided: nothing below it can be proven any more, and the branch and
                    // bound finds packings better (measured on SMALL's 20 x 60 instances, where
                    // searching on through the bands took a quarter of the time for nothing).
                    // The sets come by decreasing profit: none worth more went in.
                    Fit::Unknown => {
                        if debug {
                            eprintln!("packing: set search stopped at an undecided set");
                        }
                        out.bound = out.bound.min(profit);
                        return out;
                    }
                }
            }
            // No set worth more than `lower` goes in: nor does any packing.
            let mut below = lower + 1e-9;
            if whole {
                below = (below + 1e-6).floor();
            }
            out.bound = out.bound.min(below);
            if lower <= floor {
                out.proven = true;
                return out;
            }
            upper = lower;
            step *= 2.0;
        }
    }
}

/// The problem [`Packing::target_search`] searches and how.
struct TargetSearch<'p> {
    /// The problem searched (the reduced one, or the problem itself).
    pk: &'p Packing,
    /// Items every better packing places.
    must: &'p [bool],
    /// Item prices for the node bounds (empty: none).
    prices: &'p [f64],
    /// Profits are whole numbers.
    whole: bool,
    /// A light evaluation (a small node budget): no targets.
    light: bool,
    debug: bool,
}

impl Packing {
    /// The bin-completion branch and bound on targets (iterative bound lowering): it looks
    /// only for packings within a step of the bound, doubling the step while none exists, so
    /// that a finished search that finds nothing lowers `bound` and one that finds a packing
    /// finds it near the bound, which then prunes the rest; the last search targets the best
    /// itself. Light evaluations search from the best at once (a target search would spend
    /// their nodes proving bounds and leave the best unimproved). Improves `best` (a packing
    /// of `self`); returns whether it is proven optimal.
    fn target_search<'s>(
        &'s self,
        ts: &TargetSearch<'_>,
        best: &mut Solver<'s>,
        bound: &mut f64,
        effort: Effort,
    ) -> bool {
        let done =
            |best: &Solver<'_>, bound: f64| best.profit >= bound - 1e-9 * bound.abs().max(1.0);
        let mut step = if ts.light {
            f64::INFINITY
        } else {
            ((*bound - best.profit) / 64.0).max(margin(best.profit, ts.whole))
        };
        let mut spent = 0_u64;
        // The last regular search's target and nodes, and whether the next search probes
        // the bound itself (see below).
        let mut last: Option<(f64, u64)> = None;
        let mut probe = false;
        // The target planned before a probe (kept after it: the probe moves the bound by
        // one, which would move the doubled steps' targets).
        let mut planned: Option<f64> = None;
        loop {
            let this_step = if probe { 1.0 } else { step };
            // Whole profits: a whole target (the step is a margin short of one, and a
            // target a hair above `bound - 1` would search for packings above the bound).
            let target = match planned.filter(|_| !probe) {
                Some(t) => {
                    planned = None;
                    t.min(*bound - 1.0)
                }
                None => match ts.whole {
                    true => (*bound - this_step + 1e-6).floor(),
                    false => *bound - this_step,
                },
            }
            .max(best.profit);
            let mut bb = Branch::new(
                ts.pk,
                best,
                Effort {
                    nodes: effort.nodes.saturating_sub(spent),
                    deadline: effort.deadline,
                },
            );
            bb.set_prices(ts.prices.to_vec());
            bb.set_musts(ts.must);
            bb.best_profit = target;
            bb.ceiling = *bound;
            let started = Instant::now();
            bb.run();
            spent += bb.nodes;
            let found = bb.best_profit > target + 1e-9;
            if found && bb.best_profit > best.profit + 1e-9 {
                *best = Solver::new(self);
                for (j, &b) in bb.best_assign.iter().enumerate() {
                    if let Some(b) = b {
                        best.put(j, b as usize);
                    }
                }
            }
            if ts.debug {
                eprintln!(
                    "packing: bound {bound}, target {target}, branch and bound {} nodes, \
                     aborted {}, best {}, {:?}",
                    bb.nodes,
                    bb.aborted,
                    best.profit,
                    started.elapsed()
                );
            }
            if bb.aborted {
                return done(best, *bound);
            }
            if found || target <= best.profit + 1e-9 {
                // The search went on from what it found (or from the best): nothing beats
                // the best.
                return true;
            }
            // No packing beats the target (whole profits: the target is whole, and beating
            // it takes one more).
            *bound = match ts.whole {
                true => bound.min(target),
                false => bound.min(target + margin(target, false)),
            };
            if done(best, *bound) {
                return true;
            }
            if std::mem::take(&mut probe) {
                continue;
            }
            step *= 2.0;
            // A probe of the bound before the doubled step, with whole profits, where the
            // searches' nodes grow so fast per unit of target that the next search is likely
            // to cost `PROBE_RATIO` times the probe or more: the probe looks only for packings
            // worth the bound (found: optimal; else the bound falls by one). Bounded insurance
            // for packings whose bound is their optimum (`0U ... seed05` of SMALL: found in a
            // probe after 0.7 s of searches, by the doubled step after 7 s).
            if let (true, Some((t0, n0))) = (ts.whole, last) {
                let next = (*bound - step + 1e-6).floor().max(best.profit);
                let units = t0 - target;
                let between = *bound - 1.0 - next;
                if units > 0.0 && bb.nodes > n0 && between >= 2.0 {
                    let per_unit = (bb.nodes as f64 / n0.max(1) as f64).ln() / units;
                    probe = per_unit * between >= PROBE_RATIO.ln();
                    planned = probe.then_some(next);
                    #[cfg(test)]
                    if probe {
                        PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }
            last = Some((target, bb.nodes));
        }
    }
}

/// Nodes of a large neighbourhood's re-pack in [`Packing::local_search`] at level 0 (doubled
/// per level).
const LNS_NODES: u64 = 3_000;
/// Large re-packs in a row without a better best, per bin, before the neighbourhood grows
/// (each bin in about 20 of them). With the level fixed at 0 (the earlier search), SMALL's 30
/// instances of 20 x 60 searched for 1 s each reached 14 optima; with 5 per bin (100) and 6
/// levels, 22 (15 per bin: 20).
const LNS_STALE_PER_BIN: usize = 5;
/// Highest level: up to 11 bins and 192,000 nodes a re-pack.
const LNS_MAX_LEVEL: usize = 6;

/// How many times a probe of the bound must be cheaper than the next target search for
/// [`Packing::target_search`] to run it first. Tests probe wherever the nodes grew, so that
/// probes are searched.
const PROBE_RATIO: f64 = if cfg!(test) { 1.0 } else { 20.0 };

/// How many probes the tests ran.
#[cfg(test)]
static PROBES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// What [`Packing::fix`] found.
#[derive(Clone, Debug)]
pub struct Fixed {
    /// The problem with the (item, bin) pairs that cannot be in a better packing removed.
    pub reduced: Packing,
    /// Items that every better packing places.
    pub must: Vec<bool>,
    /// Pairs removed.
    pub removed: usize,
    /// No packing beats `best` (some item every better packing places has no bin left).
    pub settled: bool,
    /// The pair to branch on (item, bin): the one whose two children (the item in the bin,
    /// the item out of it) both lose the most of the bound at these prices.
    pub branch: Option<(usize, u32)>,
}

/// Best value of a 0-1 knapsack of every capacity `0..=cap` over `items` added to `table`
/// (sizes and profits; `table` holds the values of the items before, "at most" capacity).
fn knapsack_extend(table: &mut [f64], size: usize, profit: f64) {
    if profit <= 0.0 {
        return;
    }
    for c in (size..table.len()).rev() {
        let v = table[c - size] + profit;
        if v > table[c] {
            table[c] = v;
        }
    }
}

/// Knapsack tables of `items` (whole sizes, positive profits) for every room up to a
/// capacity, built from both ends: the best value without any one item costs one pass over
/// the rooms.
struct LeaveOneOut {
    width: usize,
    len: usize,
    /// Row `k`: items `..k`.
    prefix: Vec<f64>,
    /// Row `k`: items `k..`.
    suffix: Vec<f64>,
}

impl LeaveOneOut {
    fn new(items: &[(usize, f64)], cap: usize) -> Self {
        let width = cap + 1;
        let len = items.len();
        let mut prefix = vec![0.0; width * (len + 1)];
        for (k, &(s, p)) in items.iter().enumerate() {
            let (done, next) = prefix.split_at_mut((k + 1) * width);
            next[..width].copy_from_slice(&done[k * width..]);
            knapsack_extend(&mut next[..width], s, p);
        }
        let mut suffix = vec![0.0; width * (len + 1)];
        for k in (0..len).rev() {
            let (head, tail) = suffix.split_at_mut((k + 1) * width);
            let row = &mut head[k * width..];
            row.copy_from_slice(&tail[..width]);
            knapsack_extend(row, items[k].0, items[k].1);
        }
        Self {
            width,
            len,
            prefix,
            suffix,
        }
    }

    /// The best value of all the items in room `x`.
    fn full(&self, x: usize) -> f64 {
        self.prefix[self.len * self.width + x]
    }

    /// The best value without item `k` in room `x`.
    fn without(&self, k: usize, x: usize) -> f64 {
        let w = self.width;
        let (f, g) = (
            &self.prefix[k * w..(k + 1) * w],
            &self.suffix[(k + 1) * w..(k + 2) * w],
        );
        (0..=x)
            .map(|c| f[c] + g[x - c])
            .fold(f64::NEG_INFINITY, f64::max)
    }
}

impl Packing {
    /// Reduced-cost fixing from Lagrangian item prices (see [`Self::lagrangian`]): a pair
    /// (item j, bin b) goes when the Lagrangian bound at `prices` with j forced into b is at
    /// most `floor` (no packing through it beats the best known), and an item is a must when
    /// the bound with it left out is at most `floor`. Each bin's knapsack without one item
    /// comes from prefix and suffix tables. `None` when sizes are not integral or the tables
    /// would be too big.
    #[must_use]
    pub fn fix(&self, prices: &[f64], floor: f64) -> Option<Fixed> {
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
const NODE_ROOT_BRANCH: u64 = 20_000;
/// The branch and bound with node prices runs only on solves with at least this effort
/// (bounds and plans of whole packings), not on the search's light re-packs.
const LAG_BRANCH_MIN_EFFORT: u64 = 1_000_000;

impl Packing {
    /// Branch and bound over (item, bin) pairs with the Lagrangian bound re-optimised at
    /// every node (the column-generation bound of what is left, as in branch and price) and
    /// reduced-cost fixing at each node: an item that must be placed and has one bin left is
    /// placed there. It complements [`Branch`], whose node bounds use the root's prices:
    /// measured on the 56 SMALL instances unproven at 1 s, with 5 s each, [`Branch`] alone
    /// proved 12 (mostly 10 bins, 40 items) and this alone 4 others (20 bins, 40-60 items,
    /// where fixing leaves a few pairs per item). Improves `best`; returns whether the search
    /// finished, which proves `best` optimal.
    fn lagrangian_branch<'a>(
        &'a self,
        best: &mut Solver<'a>,
        prices: &[f64],
        effort: Effort,
        root_nodes: u64,
        debug: bool,
    ) -> bool {
        let n = self.n();
        if !self.integral() || prices.len() != n {
            return false;
        }
        let whole = self.profit.iter().all(|&p| (p - p.round()).abs() <= 1e-9);
        let out_of_time = || effort.deadline.is_some_and(|d| Instant::now() >= d);
        let mut spent: u64 = 0;
        let mut stack = vec![LagNode {
            pk: self.clone(),
            constant: 0.0,
            placed: Vec::new(),
            prices: prices.to_vec(),
        }];
        let mut nodes = 0_u64;
        // Records a node's packing `assign` (of its own problem) if it beats `best`.
        let record =
            |best: &mut Solver<'a>, node: &LagNode, assign: &[Option<u32>], gained: f64| {
                if node.constant + gained > best.profit + 1e-9 {
                    let mut s = Solver::new(self);
                    for &(j, b) in &node.placed {
                        s.put(j, b as usize);
                    }
                    for (j, b) in assign.iter().enumerate() {
                        if let Some(b) = *b {
                            s.put(j, b as usize);
                        }
                    }
                    if s.profit > best.profit + 1e-9 {
                        *best = s;
                    }
                }
            };
        let finished = 'search: loop {
            let Some(mut node) = stack.pop() else {
                break 'search true;
            };
            if out_of_time() || spent >= effort.nodes {
                break 'search false;
            }
            nodes += 1;
            spent += 1;
            let mut iterations = NODE_LAG_ITERATIONS;
            // Bound, fix, place the items that must go to their one bin left; again while
            // that changes the problem.
            let (pick, lag_prices) = loop {
                let Some(lag) = node.pk.lagrangian_from(
                    best.profit - node.constant,
                    iterations,
                    effort.deadline,
                    Some(&node.prices),
                    NODE_LAG_STEP,
                ) else {
                    break 'search false;
                };
                spent += iterations as u64;
                record(best, &node, &lag.assign, lag.profit);
                let upper = if whole {
                    (lag.bound + 1e-6).floor()
                } else {
                    lag.bound
                };
                if node.constant + upper <= best.profit + margin(best.profit, whole) {
                    continue 'search;
                }
                let floor = best.profit - node.constant + margin(best.profit, whole);
                let Some(fx) = node.pk.fix(&lag.prices, floor) else {
                    break 'search false;
                };
                if fx.settled {
                    continue 'search;
                }
                node.pk = fx.reduced;
                node.prices.clone_from(&lag.prices);
                let mut placed = 0;
                for j in 0..n {
                    if !fx.must[j] {
                        continue;
                    }
                    match node.pk.allowed[j].as_slice() {
                        [] => continue 'search,
                        &[b] => {
                            node.place(j, b);
                            placed += 1;
                        }
                        _ => {}
                    }
                }
                if node.pk.cap.iter().any(|&c| c < -FIT_TOL) {
                    continue 'search;
                }
                if fx.removed == 0 && placed == 0 {
                    break (fx.branch, lag.prices);
                }
                iterations = NODE_LAG_ITERATIONS / 2;
            };
            if nodes == 1 && root_nodes > 0 {
                // The reduced root problem bin by bin first: it finishes the easy ones.
                let empty = Solver::new(&node.pk);
                let mut bb = Branch::new(
                    &node.pk,
                    &empty,
                    Effort {
                        nodes: root_nodes,
                        deadline: effort.deadline,
                    },
                );
                bb.best_profit = best.profit - node.constant;
                bb.set_prices(lag_prices);
                bb.run();
                spent += bb.nodes;
                let gained = bb.best_profit;
                let assign = bb.best_assign.clone();
                record(best, &node, &assign, gained);
                if !bb.aborted {
                    continue;
                }
            }
            let Some((j, b)) = pick.filter(|&(j, b)| node.pk.allowed[j].contains(&b)) else {
                break 'search false;
            };
            let mut out = node.clone();
            out.pk.allowed[j].retain(|&x| x != b);
            let mut inside = node;
            inside.place(j, b);
            stack.push(out);
            stack.push(inside);
        };
        if debug {
            eprintln!(
                "packing: lagrangian branch and bound {nodes} nodes, finished {finished}, best {}",
                best.profit
            );
        }
        finished
    }
}

/// A packing under construction.
#[derive(Clone)]
struct Solver<'a> {
    pk: &'a Packing,
    bin: Vec<Option<usize>>,
    room: Vec<f64>,
    profit: f64,
    order: std::rc::Rc<Vec<usize>>,
}

impl<'a> Solver<'a> {
    fn new(pk: &'a Packing) -> Self {
        Self {
            pk,
            bin: vec![None; pk.n()],
            room: pk.cap.clone(),
            profit: 0.0,
            order: std::rc::Rc::new(pk.density_order()),
        }
    }

    fn put(&mut self, j: usize, b: usize) {
        self.bin[j] = Some(b);
        self.room[b] -= self.pk.size[j];
        self.profit += self.pk.profit[j];
    }

    fn take(&mut self, j: usize) {
        if let Some(b) = self.bin[j].take() {
            self.room[b] += self.pk.size[j];
            self.profit -= self.pk.profit[j];
        }
    }

    /// Puts unpacked items, by decreasing density, into the allowed bin that fits best.
    fn fill(&mut self) {
        let order = self.order.clone();
        for &j in order.iter() {
            if self.bin[j].is_some() || self.pk.profit[j] <= 0.0 {
                continue;
            }
            let s = self.pk.size[j];
            let best = self.pk.allowed[j]
                .iter()
                .map(|&b| b as usize)
                .filter(|&b| self.room[b] + FIT_TOL >= s)
                .min_by(|&a, &b| self.room[a].total_cmp(&self.room[b]).then(a.cmp(&b)));
            if let Some(b) = best {
                self.put(j, b);
            }
        }
    }

    /// Local search to a local optimum: exact re-packs (integral sizes), then moves and swaps.
    fn improve(&mut self, integral: bool, out_of_time: &dyn Fn() -> bool) {
        let nb = self.pk.cap.len();
        loop {
            let before = self.profit;
            if integral {
                for a in 0..nb {
                    if out_of_time() {
                        return;
                    }
                    self.repack(&[a]);
                }
                for a in 0..nb {
                    for b in a + 1..nb {
                        if out_of_time() {
                            return;
                        }
                        self.repack(&[a, b]);
                        self.repack(&[b, a]);
                    }
                }
            }
            self.swaps();
            self.fill();
            if self.profit <= before + 1e-9 {
                return;
            }
        }
    }

    /// Re-packs `bins` one after the other, each exactly by DP over its items and every
    /// unpacked item it may take (and, for later bins, what earlier ones left); kept only if
    /// the profit rises.
    fn repack(&mut self, bins: &[usize]) {
        self.repack_if(bins, false);
    }

    /// As [`Self::repack`], also keeping a re-pack of equal profit.
    fn repack_walk(&mut self, bins: &[usize]) {
        self.repack_if(bins, true);
    }

    /// Of `items`, those in `bins` or unpacked and allowed in one of them (with a profit),
    /// and the profit of those packed.
    fn pool(&self, bins: &[usize], items: impl Iterator<Item = usize>) -> (Vec<usize>, f64) {
        let pk = self.pk;
        let pool: Vec<usize> = items
            .filter(|&j| {
                pk.profit[j] > 0.0
                    && match self.bin[j] {
                        Some(b) => bins.contains(&b),
                        None => bins
                            .iter()
                            .any(|&b| pk.allowed[j].binary_search(&(b as u32)).is_ok()),
                    }
            })
            .collect();
        let packed = pool
            .iter()
            .filter(|&&j| self.bin[j].is_some())
            .map(|&j| pk.profit[j])
            .sum();
        (pool, packed)
    }

    fn repack_if(&mut self, bins: &[usize], equal: bool) {
        let pk = self.pk;
        let (mut pool, old) = self.pool(bins, 0..pk.n());
        let mut placed: Vec<(usize, usize)> = Vec::new();
        let mut gained = 0.0;
        for &b in bins {
            let cap_b = pk.cap[b] - self.room_of_others(b, bins);
            let cap = (cap_b + FIT_TOL).floor();
            if cap < 0.0 {
                return;
            }
            let cand: Vec<usize> = pool
                .iter()
                .copied()
                .filter(|&j| pk.allowed[j].binary_search(&(b as u32)).is_ok())
                .collect();
            let items: Vec<(usize, f64)> = cand
                .iter()
                .map(|&j| (pk.size[j].round() as usize, pk.profit[j]))
                .collect();
            let Some((v, chosen)) = knapsack(&items, cap as usize, true) else {
                return;
            };
            gained += v;
            for (k, &j) in cand.iter().enumerate() {
                if chosen[k] {
                    placed.push((j, b));
                }
            }
            pool.retain(|j| !placed.iter().any(|&(i, _)| i == *j));
        }
        let tol = 1e-9 * old.abs().max(1.0);
        if gained > old + tol || (equal && gained >= old - tol) {
            for j in 0..pk.n() {
                if self.bin[j].is_some_and(|b| bins.contains(&b)) {
                    self.take(j);
                }
            }
            for (j, b) in placed {
                self.take(j);
                self.put(j, b);
            }
        }
    }

    /// Re-packs bins `a` and `b` jointly, with their items and every unpacked item either may
    /// take: depth-first over the items by density (each to `a`, to `b` or out), pruned by
    /// the LP bound of the pooled room, within `budget` nodes. Equal profit is kept too (a
    /// walk on plateaus), with the bins' contents changed.
    fn repack_pair(&mut self, a: usize, b: usize, budget: u64) {
        let pk = self.pk;
        let (pool, old) = self.pool(&[a, b], self.order.iter().copied());
        struct Dfs<'p> {
            pk: &'p Packing,
            pool: &'p [usize],
            bins: [usize; 2],
            cur: Vec<u8>,
            best: Vec<u8>,
            best_profit: f64,
            nodes: u64,
            budget: u64,
        }
        impl Dfs<'_> {
            fn go(&mut self, k: usize, room: [f64; 2], profit: f64) {
                if profit > self.best_profit + 1e-9 {
                    self.best_profit = profit;
                    self.best.clone_from(&self.cur);
                }
                self.nodes += 1;
                if k == self.pool.len() || self.nodes > self.budget {
                    return;
                }
                // LP bound of the rest in the pooled room.
                let lp = self
                    .pk
                    .lp_fill(self.pool[k..].iter().copied(), room[0] + room[1]);
                if profit + lp <= self.best_profit + 1e-9 {
                    return;
                }
                let j = self.pool[k];
                let s = self.pk.size[j];
                for side in 0..2 {
                    let c = self.bins[side] as u32;
                    if s <= room[side] + FIT_TOL && self.pk.allowed[j].binary_search(&c).is_ok() {
                        let mut next = room;
                        next[side] -= s;
                        self.cur[k] = side as u8 + 1;
                        self.go(k + 1, next, profit + self.pk.profit[j]);
                        self.cur[k] = 0;
                    }
                }
                self.go(k + 1, room, profit);
            }
        }
        let mut dfs = Dfs {
            pk,
            pool: &pool,
            bins: [a, b],
            cur: vec![0; pool.len()],
            best: Vec::new(),
            // Strictly better than the current contents, or a plateau move found on the way.
            best_profit: old - 1e-6,
            nodes: 0,
            budget,
        };
        dfs.go(0, [pk.cap[a], pk.cap[b]], 0.0);
        if dfs.best.is_empty() {
            return;
        }
        for &j in &pool {
            self.take(j);
        }
        for (k, &j) in pool.iter().enumerate() {
            match dfs.best[k] {
                1 => self.put(j, a),
                2 => self.put(j, b),
                _ => {}
            }
        }
    }

    /// Up to `k` bins related through their items, into `bins` (empty): a random first, then
    /// each next one a bin allowed to a random item held by, or unpacked and allowed in, one
    /// already chosen, so that a joint re-pack can move items between them (with assignment
    /// restrictions random bins often share none; without any it is a random draw).
    fn related_bins(&self, k: usize, rng: &mut Rng, bins: &mut Vec<usize>, cand: &mut Vec<usize>) {
        let pk = self.pk;
        bins.push(rng.below(pk.cap.len()));
        while bins.len() < k {
            cand.clear();
            cand.extend((0..pk.n()).filter(|&j| {
                match self.bin[j] {
                    Some(b) => bins.contains(&b),
                    None => {
                        pk.profit[j] > 0.0
                            && bins
                                .iter()
                                .any(|&b| pk.allowed[j].binary_search(&(b as u32)).is_ok())
                    }
                }
            }));
            let next = (0..4).find_map(|_| {
                let j = *cand.get(rng.below(cand.len().max(1)))?;
                let allowed = &pk.allowed[j];
                let b = *allowed.get(rng.below(allowed.len().max(1)))? as usize;
                (!bins.contains(&b)).then_some(b)
            });
            match next {
                Some(b) => bins.push(b),
                None => return,
            }
        }
    }

    /// Re-packs `bins` jointly with their items and every unpacked item they may take, by
    /// the branch and bound on that sub-problem (from the current packing, within `nodes`);
    /// kept when better.
    fn repack_exact(&mut self, bins: &[usize], nodes: u64) {
        let pk = self.pk;
        let local = |b: usize| bins.iter().position(|&x| x == b);
        let mut sub = Packing {
            cap: bins.iter().map(|&b| pk.cap[b]).collect(),
            ..Packing::default()
        };
        let mut items = Vec::new();
        let mut start = Vec::new();
        for j in 0..pk.n() {
            if pk.profit[j] <= 0.0 {
                continue;
            }
            let held = self.bin[j].and_then(local);
            if self.bin[j].is_some() && held.is_none() {
                continue;
            }
            let allowed: Vec<u32> = pk.allowed[j]
                .iter()
                .filter_map(|&b| local(b as usize).map(|x| x as u32))
                .collect();
            if allowed.is_empty() {
                continue;
            }
            let mut allowed = allowed;
            allowed.sort_unstable();
            items.push(j);
            sub.size.push(pk.size[j]);
            sub.profit.push(pk.profit[j]);
            sub.allowed.push(allowed);
            start.push(held);
        }
        let mut from = Solver::new(&sub);
        for (k, b) in start.iter().enumerate() {
            if let Some(b) = *b {
                from.put(k, b);
            }
        }
        let before = from.profit;
        let mut bb = Branch::new(
            &sub,
            &from,
            Effort {
                nodes,
                deadline: None,
            },
        );
        bb.run();
        if bb.best_profit <= before + 1e-9 {
            return;
        }
        for &j in &items {
            self.take(j);
        }
        for (k, b) in bb.best_assign.iter().enumerate() {
            if let Some(b) = *b {
                self.put(items[k], bins[b as usize]);
            }
        }
    }

    /// Capacity of `b` used by items that are not being re-packed: none (all of `b`'s items
    /// are in the pool), kept as a hook for partial re-packs.
    fn room_of_others(&self, _b: usize, _bins: &[usize]) -> f64 {
        0.0
    }

    /// Moves of an unpacked item into a bin after ejecting cheaper items, and swaps of two
    /// packed items of different sizes that let an unpacked item in; first improvement.
    fn swaps(&mut self) {
        let pk = self.pk;
        let n = pk.n();
        // Unpacked item j replaces a packed item i of lower profit in i's bin.
        let mut improved = true;
        while improved {
            improved = false;
            for j in 0..n {
                if self.bin[j].is_some() || pk.profit[j] <= 0.0 {
                    continue;
                }
                for i in 0..n {
                    let Some(b) = self.bin[i] else { continue };
                    if pk.profit[i] >= pk.profit[j]
                        || pk.allowed[j].binary_search(&(b as u32)).is_err()
                        || self.room[b] + pk.size[i] + FIT_TOL < pk.size[j]
                    {
                        continue;
                    }
                    self.take(i);
                    self.put(j, b);
                    // i may fit elsewhere.
                    if let Some(&c) = pk.allowed[i]
                        .iter()
                        .find(|&&c| self.room[c as usize] + FIT_TOL >= pk.size[i])
                    {
                        self.put(i, c as usize);
                    }
                    improved = true;
                    break;
                }
            }
            // Swap packed i (bin a) and k (bin b), larger into the roomier bin, if it makes
            // room for an unpacked item.
            for i in 0..n {
                let Some(a) = self.bin[i] else { continue };
                for k in 0..n {
                    let Some(b) = self.bin[k] else { continue };
                    if a == b || pk.size[i] <= pk.size[k] + FIT_TOL {
                        continue;
                    }
                    // i (bigger) goes to b, k to a: a gains size[i] - size[k] room.
                    let delta = pk.size[i] - pk.size[k];
                    if self.room[b] + FIT_TOL < delta
                        || pk.allowed[i].binary_search(&(b as u32)).is_err()
                        || pk.allowed[k].binary_search(&(a as u32)).is_err()
                    {
                        continue;
                    }
                    let room_a = self.room[a] + delta;
                    let fits = (0..n).find(|&j| {
                        self.bin[j].is_none()
                            && pk.profit[j] > 0.0
                            && pk.size[j] <= room_a + FIT_TOL
                            && pk.size[j] > self.room[a] + FIT_TOL
                            && pk.allowed[j].binary_search(&(a as u32)).is_ok()
                    });
                    if let Some(j) = fits {
                        self.take(i);
                        self.take(k);
                        self.put(i, b);
                        self.put(k, a);
                        self.put(j, a);
                        improved = true;
                    }
                }
            }
        }
    }
}

/// Bin-completion branch and bound: people (bins) are filled one after the other, smallest
/// first, each with a subset of the items left that no further item left could join (any
/// packing can be made so without losing profit: an item that fits is moved in). Each node is
/// bounded by the surrogate relaxation of the bins and items left.
struct Branch<'a> {
    pk: &'a Packing,
    /// Bins, by ascending capacity.
    bins: Vec<usize>,
    /// Items by decreasing density.
    order: Vec<usize>,
    used: Vec<bool>,
    assign: Vec<Option<u32>>,
    profit: f64,
    best_profit: f64,
    best_assign: Vec<Option<u32>>,
    nodes: u64,
    effort: Effort,
    aborted: bool,
    integral: bool,
    /// Profits are whole numbers: a bound below the best plus one prunes.
    whole: bool,
    /// A bound on every packing (the search stops, `aborted`, at a packing worth it).
    ceiling: f64,
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
    /// Item `j` may go to bin `b`: `allow[j * bins + b]` (a table: the lists' binary
    /// searches were a tenth of the search's time).
    allow: Vec<bool>,
    /// Item `j` may go to and fits in bin `b`: `fit[j * bins + b]`.
    fit: Vec<bool>,
    /// Per item: one past the last bin position it may go to and fits in (0: none).
    last_fit: Vec<usize>,
    /// Per item: its class (items allowed in the same bins share one), and how many.
    item_class: Vec<u32>,
    classes: usize,
    /// The items of class `a` may go wherever those of class `b` may: `stand_in[a * c + b]`
    /// with `c` classes (for the dominance rules, where comparing the lists was a tenth of
    /// the search's time; empty: too many classes, the lists are compared).
    stand_in: Vec<bool>,
    /// Per bin: the first bin that takes the same items (see [`Self::pooled_rooms`]).
    class: Vec<usize>,
    /// Each item's size rounded (meaningful when `integral`).
    whole_size: Vec<usize>,
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
}

/// Buffers of [`Branch::pooled_rooms`].
#[derive(Default)]
struct PoolScratch {
    rooms: Vec<usize>,
    done: Vec<bool>,
    sizes: Vec<usize>,
    members: Vec<usize>,
    limits: Vec<usize>,
    bits: Vec<u64>,
    sums: Vec<usize>,
}

impl<'a> Branch<'a> {
    fn new(pk: &'a Packing, best: &Solver<'_>, effort: Effort) -> Self {
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
    fn set_prices(&mut self, prices: Vec<f64>) {
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
    fn set_musts(&mut self, must: &[bool]) {
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

    /// The Lagrangian bound (see [`Packing::lagrangian`]) of the items left in bins
    /// `bins[i..]` at the root's prices: the selection's term is the plain sum of prices when
    /// that prunes, else the pooled knapsack.
    fn lagrangian_bound(&mut self, i: usize, pooled: &(Vec<usize>, usize)) -> (f64, f64) {
        let pk = self.pk;
        // Each bin's knapsack term, taken from the parent node's when the items it chose are
        // all still out (the parent's items left include this node's: its best filling is
        // still the best); about half of the terms on SMALL's 20 x 60 instances.
        let (before, after) = self.terms.split_at_mut(i);
        let parent = before.last().filter(|t| t.valid);
        let here = &mut after[0];
        here.valid = false;
        here.value.clear();
        here.ends.clear();
        here.chosen.clear();
        let mut value = 0.0;
        let mut first = 0.0;
        let mut table: Vec<(usize, f64)> = Vec::new();
        let mut ids: Vec<usize> = Vec::new();
        for (k, &b) in self.bins[i..].iter().enumerate() {
            let kept = parent.and_then(|t| {
                // The parent's terms start one bin earlier.
                let chosen = &t.chosen[t.ends[k + 1]..t.ends[k + 2]];
                chosen
                    .iter()
                    .all(|&j| !self.used[j])
                    .then_some((t.value[k + 1], chosen))
            });
            let v = match kept {
                Some((v, chosen)) => {
                    here.chosen.extend_from_slice(chosen);
                    v
                }
                None => {
                    table.clear();
                    ids.clear();
                    for &(j, s, r) in &self.reduced_items[b] {
                        if !self.used[j] {
                            table.push((s, r));
                            ids.push(j);
                        }
                    }
                    let cap = (pk.cap[b] + FIT_TOL).floor().max(0.0) as usize;
                    // Few items have a positive reduced profit: a depth-first search settles
                    // the knapsack in a few hundred nodes, and names its items.
                    let (v, take) = match knapsack_above(&table, cap, -1.0, KNAPSACK_BB_NODES) {
                        Above::Best(v, take) => (v, take),
                        Above::Nothing | Above::Unknown => match knapsack(&table, cap, true) {
                            Some(found) => found,
                            None => return (f64::INFINITY, 0.0),
                        },
                    };
                    here.chosen
                        .extend(ids.iter().zip(&take).filter(|&(_, &t)| t).map(|(&j, _)| j));
                    v
                }
            };
            // Tests check each term, kept or not, against a table of the items left.
            #[cfg(test)]
            {
                let items: Vec<(usize, f64)> = self.reduced_items[b]
                    .iter()
                    .filter(|&&(j, _, _)| !self.used[j])
                    .map(|&(_, s, r)| (s, r))
                    .collect();
                let cap = (pk.cap[b] + FIT_TOL).floor().max(0.0) as usize;
                if let Some((exact, _)) = knapsack(&items, cap, false) {
                    assert!(
                        (exact - v).abs() <= 1e-9 * exact.abs().max(1.0),
                        "{exact} {v}"
                    );
                }
            }
            if here.ends.is_empty() {
                here.ends.push(0);
            }
            here.ends.push(here.chosen.len());
            here.value.push(v);
            value += v;
            if k == 0 {
                first = v;
            }
        }
        here.valid = true;
        let (items, room) = (&pooled.0, pooled.1);
        let all: f64 = items.iter().map(|&j| self.prices[j].max(0.0)).sum();
        let mut table = Vec::new();
        if !self.integral || self.pruned(value + all) {
            return (value + all, first);
        }
        table.clear();
        table.extend(
            items
                .iter()
                .filter(|&&j| self.prices[j] > 1e-12)
                .map(|&j| (self.whole_size[j], self.prices[j])),
        );
        // Its LP first (by decreasing price per unit of size): it often prunes already.
        // Densities compared as quotients: cross products of floats are not a total order.
        table.sort_by(|a, b| (b.1 / b.0 as f64).total_cmp(&(a.1 / a.0 as f64)));
        let lp = SuffixLp::new(&table).lp(0, room);
        if self.pruned(value + lp.min(all)) {
            return (value + lp.min(all), first);
        }
        // Only selections that would not prune the node matter: a depth-first search above
        // that floor usually settles it in a few hundred nodes, where the table has the
        // pooled room times the items (about a sixth of the branch and bound's time on
        // SMALL's 20 x 60 instances).
        let floor = self.best_profit + margin(self.best_profit, self.whole) - self.profit - value;
        match knapsack_above(&table, room, floor - 1e-9, KNAPSACK_BB_NODES) {
            Above::Nothing => return (value + floor.min(all), first),
            Above::Best(v, _) => return (value + v.min(all), first),
            Above::Unknown => {}
        }
        match knapsack(&table, room, false) {
            Some((v, _)) => (value + v.min(all), first),
            None => (value + all, first),
        }
    }

    fn run(&mut self) {
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

    fn allowed(&self, j: usize, b: usize) -> bool {
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
    fn fits(&self, j: usize, b: usize) -> bool {
        self.fit[j * self.pk.cap.len() + b]
    }

    /// Upper bound on the profit of the items left in bins `bins[i..]`.
    /// Only whether it prunes matters for a node whose packed profit is at most `extra` above
    /// the current one: a smaller bound that still prunes it may be returned.
    fn bound(&self, i: usize, extra: f64) -> f64 {
        self.surrogate_of(i, false, &self.pooled(i), extra, &mut Vec::new())
            .0
    }

    /// The surrogate bound of the items left in bins `bins[i..]` and, when `choose` (and the
    /// sizes are integral), the items of its knapsack solution.
    fn surrogate(&self, i: usize, choose: bool) -> (f64, Vec<usize>) {
        let (bound, set, _) = self.surrogate_of(i, choose, &self.pooled(i), 0.0, &mut Vec::new());
        (bound, set)
    }

    /// A bound on the surrogate of the node at bin position `i` (pooled room `room`) from
    /// its parent's table, when the parent had one: with `S` the parent's bin's filling,
    /// the items left without `S` in `room` are worth at most the parent's items in `room`
    /// plus the size of `S`, less the profit of `S` (add `S` to any of their fillings). In
    /// one lookup: the bound falls with the room the filling leaves empty, which prunes
    /// most nodes of the strongly correlated packings before their own table.
    fn surrogate_from_parent(&self, i: usize, room: usize) -> Option<f64> {
        let parent = i.checked_sub(1)?;
        let table = self
            .surrogate_tables
            .get(parent)
            .filter(|t| !t.is_empty())?;
        let filling = &self.filling[parent];
        let size: usize = filling.iter().map(|&j| self.whole_size[j]).sum();
        let profit: f64 = filling.iter().map(|&j| self.pk.profit[j]).sum();
        Some(table[(room + size).min(table.len() - 1)] - profit)
    }

    /// [`Self::surrogate`] given [`Self::pooled`]`(i)`.
    fn surrogate_of(
        &self,
        i: usize,
        choose: bool,
        pooled: &(Vec<usize>, usize),
        extra: f64,
        full: &mut Vec<f64>,
    ) -> (f64, Vec<usize>, bool) {
        let pk = self.pk;
        let (items, total) = (&pooled.0, pooled.1);
        if items.is_empty() {
            return (0.0, Vec::new(), false);
        }
        if self.integral {
            // The LP bound first: it is exact often enough to spare the table.
            // The items come by decreasing density (`self.order`): no sort.
            let lp = pk.lp_fill(items.iter().copied(), total as f64);
            if !choose && self.pruned(lp) {
                return (lp, Vec::new(), false);
            }
            let table: Vec<(usize, f64)> = items
                .iter()
                .map(|&j| (self.whole_size[j], pk.profit[j]))
                .collect();
            // Only fillings that would not prune the node matter: worth more than the best
            // less the profit packed (and `extra`), plus the margin.
            let floor = self.best_profit + margin(self.best_profit, self.whole)
                - self.profit
                - extra
                - 1e-9;
            let mut kept = false;
            let exact = match knapsack_above(&table, total, floor, KNAPSACK_BB_NODES) {
                // A bound (not the optimum) that prunes the node.
                Above::Nothing => return (floor, Vec::new(), false),
                Above::Best(v, chosen) => Some((v, chosen)),
                // The table, kept for the children (see `surrogate_from_parent`) where its
                // choices fit in bytes.
                Above::Unknown if total.saturating_mul(table.len().max(1)) <= BYTE_CELLS => {
                    let chosen = knapsack_table(&table, total, choose, full);
                    kept = true;
                    Some((full[total], chosen))
                }
                Above::Unknown => knapsack(&table, total, choose),
            };
            if let Some((v, chosen)) = exact {
                let set = if choose {
                    items
                        .iter()
                        .zip(&chosen)
                        .filter(|&(_, &c)| c)
                        .map(|(&j, _)| j)
                        .collect()
                } else {
                    Vec::new()
                };
                return (v, set, kept);
            }
            return (lp, Vec::new(), false);
        }
        let total: f64 = self.bins[i..].iter().map(|&b| pk.cap[b]).sum();
        (pk.lp_fill(items.iter().copied(), total), Vec::new(), false)
    }

    /// The items left that fit in one of bins `bins[i..]` (by decreasing density) and, for
    /// whole sizes, the room of those bins pooled, each cut to the largest sum of those
    /// items' sizes that fits in it (0 otherwise).
    fn pooled(&self, i: usize) -> (Vec<usize>, usize) {
        self.pooled_rooms(i, None)
    }

    /// [`Self::pooled`], each bin's room also written to `rooms` (by position from `i`).
    /// The parent node's rooms (`rooms[i - 1]`, written on the current path) cap this node's:
    /// its items are fewer, and a search that reaches the cap can stop.
    fn pooled_rooms(&self, i: usize, mut out: Option<&mut Vec<usize>>) -> (Vec<usize>, usize) {
        let pk = self.pk;
        let rest = &self.bins[i..];
        let items: Vec<usize> = self
            .order
            .iter()
            .copied()
            .filter(|&j| !self.used[j] && self.last_fit[j] > i)
            .collect();
        if let Some(out) = out.as_deref_mut() {
            out.clear();
        }
        if items.is_empty() || !self.integral {
            return (items, 0);
        }
        let parent = i
            .checked_sub(1)
            .and_then(|p| self.rooms.get(p))
            .filter(|r| r.len() == rest.len() + 1);
        // Bins that take the same items (all of them, in the multiple knapsack problem) share
        // one table of subset sums.
        let mut scratch = self.scratch.borrow_mut();
        let PoolScratch {
            rooms,
            done,
            sizes,
            members,
            limits,
            bits,
            sums,
        } = &mut *scratch;
        rooms.clear();
        rooms.resize(rest.len(), 0);
        done.clear();
        done.resize(rest.len(), false);
        for k in 0..rest.len() {
            if done[k] {
                continue;
            }
            let class = self.class[rest[k]];
            members.clear();
            members.extend((k..rest.len()).filter(|&x| self.class[rest[x]] == class));
            sizes.clear();
            sizes.extend(
                items
                    .iter()
                    .filter(|&&j| self.allowed(j, rest[k]))
                    .map(|&j| self.whole_size[j]),
            );
            limits.clear();
            limits.extend(members.iter().map(|&x| {
                let cap = (pk.cap[rest[x]] + FIT_TOL).floor().max(0.0) as usize;
                parent.map_or(cap, |p| cap.min(p[x + 1]))
            }));
            max_subset_sums_into(sizes, limits, bits, sums);
            for (&x, &room) in members.iter().zip(sums.iter()) {
                rooms[x] = room;
                done[x] = true;
                // Tests check each room against the bin's own items' full subset sum.
                #[cfg(test)]
                {
                    let own: Vec<usize> = items
                        .iter()
                        .filter(|&&j| self.allowed(j, rest[x]))
                        .map(|&j| self.whole_size[j])
                        .collect();
                    let full = (pk.cap[rest[x]] + FIT_TOL).floor().max(0.0) as usize;
                    let sum: usize = own.iter().sum();
                    assert_eq!(room, max_subset_sum(&own, full).min(sum));
                }
            }
        }
        if let Some(out) = out {
            out.extend_from_slice(rooms);
        }
        (items, rooms.iter().sum())
    }

    /// Places all of `set` in bins `bins[i..]` if it can within `budget` search nodes (see
    /// [`Self::try_pack`]).
    fn pack_set(&self, i: usize, set: &[usize], budget: u64) -> Option<Vec<(usize, usize)>> {
        match self.try_pack(i, set, budget).0 {
            Fit::Packed(placed) => Some(placed),
            Fit::No | Fit::Unknown => None,
        }
    }

    /// Whether all of `set` goes in bins `bins[i..]`: a depth-first search over the bins,
    /// each filled with a subset of what is left whose waste (room left unused) fits in the
    /// slack (total room minus the size of `set`), within `budget` search nodes (the nodes
    /// spent come second).
    fn try_pack(&self, i: usize, set: &[usize], budget: u64) -> (Fit, u64) {
        let pk = self.pk;
        let order: Vec<usize> = self.bins[i..].to_vec();
        let caps: Vec<usize> = order
            .iter()
            .map(|&b| (pk.cap[b] + FIT_TOL).floor().max(0.0) as usize)
            .collect();
        let need: usize = set.iter().map(|&j| self.whole_size[j]).sum();
        let total: usize = caps.iter().sum();
        if need > total {
            return (Fit::No, 0);
        }
        // Largest first: big items decide feasibility.
        let mut items = set.to_vec();
        items.sort_by(|&a, &b| pk.size[b].total_cmp(&pk.size[a]).then(a.cmp(&b)));
        if let Some(placed) = self.best_fit(i, &items) {
            return (Fit::Packed(placed), 1);
        }
        let mut search = SetPack {
            br: self,
            order,
            caps,
            items,
            left: vec![true; set.len()],
            n_left: set.len(),
            assign: Vec::new(),
            nodes: 0,
            budget,
            failed: HashSet::new(),
        };
        let fit = if search.bin(0, total - need) {
            Fit::Packed(search.assign)
        } else if search.nodes > search.budget || search.budget == 0 {
            Fit::Unknown
        } else {
            Fit::No
        };
        (fit, search.nodes)
    }

    /// Best fit decreasing: each of `items` (by decreasing size) in the bin of `bins[i..]`
    /// it may go to with the least room that holds it; `None` when one fits nowhere.
    fn best_fit(&self, i: usize, items: &[usize]) -> Option<Vec<(usize, usize)>> {
        let pk = self.pk;
        let rest = &self.bins[i..];
        let mut room: Vec<f64> = rest.iter().map(|&b| pk.cap[b]).collect();
        let mut placed = Vec::with_capacity(items.len());
        for &j in items {
            let k = (0..rest.len())
                .filter(|&k| room[k] + FIT_TOL >= pk.size[j] && self.allowed(j, rest[k]))
                .min_by(|&a, &b| room[a].total_cmp(&room[b]))?;
            room[k] -= pk.size[j];
            placed.push((j, rest[k]));
        }
        Some(placed)
    }

    /// Tries to place the surrogate solution `set` in bins `bins[i..]` (each bin in turn
    /// filled as full as possible from what is left of it, by subset sums), then fills the
    /// room left with any other item. Returns the placements and their profit; when all of
    /// `set` is placed, the surrogate bound is reached and the subtree is solved.
    fn split(&self, i: usize, set: &[usize]) -> (Vec<(usize, usize)>, f64, bool) {
        let pk = self.pk;
        let mut left: Vec<usize> = set.to_vec();
        let mut placed = Vec::new();
        let mut room: Vec<f64> = self.bins.iter().map(|&b| pk.cap[b]).collect();
        let mut gained = 0.0;
        for (k, &b) in self.bins.iter().enumerate().skip(i) {
            let cand: Vec<usize> = left.iter().copied().filter(|&j| self.fits(j, b)).collect();
            if cand.is_empty() {
                continue;
            }
            let sizes: Vec<usize> = cand.iter().map(|&j| self.whole_size[j]).collect();
            let cap = (pk.cap[b] + FIT_TOL).floor().max(0.0) as usize;
            let chosen = if sizes.iter().sum::<usize>() <= cap {
                vec![true; cand.len()]
            } else {
                max_subset(&sizes, cap)
            };
            for (&j, &c) in cand.iter().zip(&chosen) {
                if c {
                    placed.push((j, b));
                    room[k] -= pk.size[j];
                    gained += pk.profit[j];
                }
            }
            left.retain(|j| !placed.iter().any(|&(i, _)| i == *j));
            if left.is_empty() {
                break;
            }
        }
        let complete = left.is_empty();
        if !complete {
            // Fill the room left with the other items, by density.
            let mut taken = vec![false; pk.n()];
            for &(j, _) in &placed {
                taken[j] = true;
            }
            for &j in &self.order {
                if self.used[j] || taken[j] {
                    continue;
                }
                if let Some(k) = (i..self.bins.len())
                    .find(|&k| self.allowed(j, self.bins[k]) && pk.size[j] <= room[k] + FIT_TOL)
                {
                    room[k] -= pk.size[j];
                    placed.push((j, self.bins[k]));
                    gained += pk.profit[j];
                    taken[j] = true;
                }
            }
        }
        (placed, gained, complete)
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
        // Tests check it against the node's own surrogate.
        #[cfg(test)]
        if let (Some(quick), true) = (from_parent, self.integral) {
            let items: Vec<(usize, f64)> = (pooled.0.iter())
                .map(|&j| (self.whole_size[j], self.pk.profit[j]))
                .collect();
            let (exact, _) = knapsack(&items, pooled.1, false).expect("small tests");
            assert!(quick >= exact - 1e-9, "{quick} {exact}");
            SURROGATE_CHECKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
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
            // Below the root, a few nodes: on SMALL's 20 x 60 instances and a sample of FK's,
            // any budget from 50 to 20,000 gave the same nodes, and 2,000 took a tenth of
            // the time.
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
            // finds rarely beat the best, and it took a tenth of the search's time (SMALL's
            // 20 x 60 instances: 9 of 15 proven at 10 s against 8, 95 s against 99).
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
        let table: Vec<(usize, f64)> = match self.integral {
            true => cands
                .iter()
                .map(|&j| (self.whole_size[j], self.pk.profit[j]))
                .collect(),
            false => Vec::new(),
        };
        // First the bin's own best filling (one knapsack, exactly), made maximal: the
        // Martello-Toth dive that finds good packings early.
        if self.integral {
            let cap = (self.pk.cap[b] + FIT_TOL).floor().max(0.0) as usize;
            // By depth-first search where it settles (the candidates come by density), else
            // the table.
            let found = match knapsack_above(&table, cap, -1.0, KNAPSACK_BB_NODES) {
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
        // each node with its bounds, were half the search's time on SMALL's 20 x 60
        // instances; counted still, so that node budgets keep their meaning). The bounds
        // only fall along a chain: its end prunes whatever a node within it would have.
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
        #[cfg(test)]
        if reduced.suffix.is_some() {
            let left = cands[k..].iter().copied().filter(|&j| !self.used[j]);
            let plain = pk.lp_fill(left, (room + FIT_TOL).floor().max(0.0));
            assert!(
                (lp - plain).abs() <= 1e-9 * plain.abs().max(1.0),
                "{lp} {plain}"
            );
        }
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

/// The Lagrangian knapsack terms of the bins `bins[i..]` at one node (see
/// [`Branch::lagrangian_bound`]).
#[derive(Clone, Debug, Default)]
struct Terms {
    /// Computed for the node on the current path at this position.
    valid: bool,
    /// Each bin's term.
    value: Vec<f64>,
    /// Each bin's items, one bin after the other: bin `k`'s are `chosen[ends[k]..ends[k + 1]]`.
    chosen: Vec<usize>,
    ends: Vec<usize>,
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

/// Depth-first search of [`Branch::pack_set`].
struct SetPack<'b, 'a> {
    br: &'b Branch<'a>,
    /// The bins to fill, in order.
    order: Vec<usize>,
    /// Integral capacity of each.
    caps: Vec<usize>,
    /// The items to place, by decreasing size.
    items: Vec<usize>,
    left: Vec<bool>,
    n_left: usize,
    assign: Vec<(usize, usize)>,
    nodes: u64,
    budget: u64,
    /// States (bin and items left, as bits over `items`) from which no placement exists.
    failed: HashSet<u128>,
}

impl SetPack<'_, '_> {
    /// The state's key, where the items fit in 120 bits.
    fn key(&self, k: usize) -> Option<u128> {
        state_key(k, &self.left)
    }

    fn size(&self, k: usize) -> usize {
        self.br.whole_size[self.items[k]]
    }

    /// Fills bin `k` (relative to `first`) and the following ones; `slack` is the room that
    /// may still go unused.
    fn bin(&mut self, k: usize, slack: usize) -> bool {
        if self.n_left == 0 {
            return true;
        }
        if k == self.caps.len() {
            return false;
        }
        let b = self.order[k];
        // Every item left needs a later bin it may go to.
        for (t, &j) in self.items.iter().enumerate() {
            if self.left[t] && !self.order[k..].iter().any(|&c| self.br.fits(j, c)) {
                return false;
            }
        }
        // A state already refuted (other fillings of the bins before left the same items).
        let key = self.key(k);
        if key.is_some_and(|key| self.failed.contains(&key)) {
            #[cfg(test)]
            SET_PACK_REPEATS.with(|r| r.set(r.get() + 1));
            return false;
        }
        if self.fill(k, b, slack) {
            return true;
        }
        // Refuted unless the budget ran out (or the time: the budget is then zero).
        if let Some(key) =
            key.filter(|_| self.nodes <= self.budget && self.failed.len() < SET_PACK_FAILED)
        {
            self.failed.insert(key);
        }
        false
    }

    /// Fills bin `k` (that is `b`) in every way that wastes at most `slack`, then the next.
    fn fill(&mut self, k: usize, b: usize, slack: usize) -> bool {
        let cand: Vec<usize> = (0..self.items.len())
            .filter(|&t| self.left[t] && self.br.allowed(self.items[t], b))
            .filter(|&t| self.size(t) <= self.caps[k])
            .collect();
        let mut suffix = vec![0_usize; cand.len() + 1];
        for x in (0..cand.len()).rev() {
            suffix[x] = suffix[x + 1] + self.size(cand[x]);
        }
        let cap = self.caps[k];
        let mut chosen = Vec::new();
        self.subset(k, slack, &cand, &suffix, 0, cap, &mut chosen)
    }

    #[expect(clippy::too_many_arguments, reason = "recursion state")]
    fn subset(
        &mut self,
        k: usize,
        slack: usize,
        cand: &[usize],
        suffix: &[usize],
        x: usize,
        room: usize,
        chosen: &mut Vec<usize>,
    ) -> bool {
        self.nodes += 1;
        if self.nodes > self.budget {
            return false;
        }
        if self.nodes % 1024 == 0 && self.br.effort.deadline.is_some_and(|d| Instant::now() >= d) {
            // Out of time: give up as if the budget were spent.
            self.budget = 0;
            return false;
        }
        // Even taking every candidate left wastes too much.
        if room > suffix[x] + slack {
            return false;
        }
        if x == cand.len() || room == 0 {
            let b = self.order[k];
            let mark = self.assign.len();
            for &t in chosen.iter() {
                self.assign.push((self.items[t], b));
            }
            if self.bin(k + 1, slack - room) {
                return true;
            }
            self.assign.truncate(mark);
            return false;
        }
        let t = cand[x];
        let s = self.size(t);
        if s <= room {
            self.left[t] = false;
            self.n_left -= 1;
            chosen.push(t);
            if self.subset(k, slack, cand, suffix, x + 1, room - s, chosen) {
                return true;
            }
            chosen.pop();
            self.left[t] = true;
            self.n_left += 1;
        }
        // Leaving item t out of this bin: leave out its identical twins as well (the same
        // subsets otherwise come back in another order).
        let j = self.items[t];
        let mut y = x + 1;
        while y < cand.len() && {
            let i = self.items[cand[y]];
            self.br.pk.size[i] == self.br.pk.size[j]
                && self.br.pk.allowed[i] == self.br.pk.allowed[j]
        } {
            y += 1;
        }
        self.subset(k, slack, cand, suffix, y, room, chosen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force over every assignment.
    fn brute(pk: &Packing) -> f64 {
        fn go(pk: &Packing, j: usize, room: &mut Vec<f64>) -> f64 {
            if j == pk.n() {
                return 0.0;
            }
            let mut best = go(pk, j + 1, room);
            for &b in &pk.allowed[j] {
                let b = b as usize;
                if room[b] + FIT_TOL >= pk.size[j] {
                    room[b] -= pk.size[j];
                    best = best.max(pk.profit[j] + go(pk, j + 1, room));
                    room[b] += pk.size[j];
                }
            }
            best
        }
        go(pk, 0, &mut pk.cap.clone())
    }

    fn random(rng: &mut Rng, bins: usize, items: usize, integral: bool) -> Packing {
        let mut pk = Packing::default();
        for _ in 0..bins {
            pk.cap.push(5.0 + rng.below(30) as f64);
        }
        for _ in 0..items {
            let s = if integral {
                1.0 + rng.below(15) as f64
            } else {
                0.5 + rng.below(1000) as f64 / 70.0
            };
            pk.size.push(s);
            pk.profit.push(s * (1.0 + rng.below(4) as f64));
            let mut allowed: Vec<u32> = (0..bins as u32).filter(|_| rng.below(4) != 0).collect();
            if allowed.is_empty() {
                allowed.push(0);
            }
            pk.allowed.push(allowed);
        }
        pk
    }

    /// `p` is proven and packs the brute-force optimum `exact`.
    fn assert_proven(p: &Packed, exact: f64, case: usize) {
        assert!(p.proven, "case {case}");
        assert!(
            (p.profit - exact).abs() < 1e-6,
            "case {case}: {} vs {exact}",
            p.profit
        );
    }

    fn check(pk: &Packing, p: &Packed) {
        let mut used = vec![0.0; pk.cap.len()];
        let mut profit = 0.0;
        for (j, b) in p.assign.iter().enumerate() {
            if let Some(b) = *b {
                assert!(pk.allowed[j].contains(&b));
                used[b as usize] += pk.size[j];
                profit += pk.profit[j];
            }
        }
        for (u, c) in used.iter().zip(&pk.cap) {
            assert!(*u <= c + 1e-6);
        }
        assert!((profit - p.profit).abs() < 1e-6);
        assert!(p.bound >= p.profit - 1e-6);
    }

    #[test]
    fn matches_brute_force() {
        let mut rng = Rng::new(7);
        for case in 0..200 {
            let pk = random(&mut rng, 1 + case % 4, 2 + case % 9, case % 3 != 0);
            let exact = brute(&pk);
            assert!(
                pk.bound() >= exact - 1e-6,
                "case {case}: bound below optimum"
            );
            let run = |nodes| {
                pk.solve(
                    &[],
                    Effort {
                        nodes,
                        deadline: None,
                    },
                )
            };
            let p = run(1_000_000);
            check(&pk, &p);
            assert_proven(&p, exact, case);
            // With no branching the heuristic is still valid, and so are the bounds of a
            // light run (the search from the best) and of a full one (target searches, set
            // search: a bound they lower must stay above the optimum).
            for nodes in [1, 200, 2_000_000] {
                let h = run(nodes);
                check(&pk, &h);
                assert!(h.profit <= exact + 1e-6, "case {case}");
                assert!(h.bound >= exact - 1e-6, "case {case}: bound below optimum");
            }
        }
    }

    /// Few items per bin, as in hard multiple knapsack problems (the surrogate solution
    /// rarely splits into the bins, so the search branches); every other case lets every
    /// item go everywhere, as in the multiple knapsack problem (the most symmetric paths).
    fn hard(rng: &mut Rng, case: usize) -> Packing {
        let mut pk = Packing::default();
        let bins = 2 + case % 3;
        for _ in 0..bins {
            pk.cap.push(10.0 + rng.below(30) as f64);
        }
        for _ in 0..(bins * 2 + 1 + case % 3) {
            let s = 4.0 + rng.below(17) as f64;
            pk.size.push(s);
            pk.profit.push(s + rng.below(12) as f64);
            let mut allowed: Vec<u32> = (0..bins as u32).filter(|_| rng.below(4) != 0).collect();
            if allowed.is_empty() || case % 2 == 0 {
                // Every item allowed everywhere, as in the multiple knapsack problem:
                // the most symmetric paths.
                allowed = (0..bins as u32).collect();
            }
            pk.allowed.push(allowed);
        }
        pk
    }

    /// The pooled Lagrangian's prices, for node bounds, if `priced`.
    fn node_prices(pk: &Packing, priced: bool) -> Option<Vec<f64>> {
        priced.then(|| pk.lagrangian(0.0, 1_000, None).expect("whole sizes").prices)
    }

    /// The branch and bound from `empty` without a node budget or deadline, with node bounds at
    /// `prices` if any.
    fn unbounded_branch<'a>(
        pk: &'a Packing,
        empty: &Solver<'_>,
        prices: Option<&Vec<f64>>,
    ) -> Branch<'a> {
        let mut bb = Branch::new(
            pk,
            empty,
            Effort {
                nodes: u64::MAX,
                deadline: None,
            },
        );
        if let Some(prices) = prices {
            bb.set_prices(prices.clone());
        }
        bb
    }

    /// The branch and bound alone, from an empty packing (no heuristic, no bound from the
    /// Lagrangian): its path-symmetry and dominance pruning keep an optimum.
    #[test]
    fn branch_and_bound_alone_finds_the_optimum() {
        let mut rng = Rng::new(11);
        for case in 0..600 {
            let pk = hard(&mut rng, case);
            let exact = brute(&pk);
            let empty = Solver::new(&pk);
            // Half with node bounds at the pooled Lagrangian's prices.
            let prices = node_prices(&pk, case % 2 == 1);
            let fresh = || unbounded_branch(&pk, &empty, prices.as_ref());
            let mut bb = fresh();
            bb.run();
            assert!(!bb.aborted);
            assert!(
                (bb.best_profit - exact).abs() < 1e-6,
                "case {case}: {} vs {exact}",
                bb.best_profit
            );
            // Searching above a target just below the optimum (as the target searches do):
            // only optimal packings count, so nothing may prune them.
            let mut bb = fresh();
            bb.whole = false;
            bb.best_profit = exact - 0.5;
            // Half with the optimum as the ceiling: the search stops at an optimal packing.
            if case % 4 < 2 {
                bb.ceiling = exact;
            }
            bb.run();
            assert!(
                (bb.best_profit - exact).abs() < 1e-6,
                "case {case}, target search: {} vs {exact}",
                bb.best_profit
            );
            let profit: f64 = (0..pk.n())
                .filter(|&j| bb.best_assign[j].is_some())
                .map(|j| pk.profit[j])
                .sum();
            assert!(
                (profit - exact).abs() < 1e-6,
                "case {case}: its packing is optimal"
            );
        }
    }

    /// Packings of two or three items per bin over five or six bins of close capacities: deep
    /// searches, with many paths to the same items used (transpositions) and fillings that
    /// one left-out item dominates.
    fn deep(rng: &mut Rng, case: usize) -> Packing {
        let mut pk = Packing::default();
        let bins = 5 + case % 2;
        for _ in 0..bins {
            pk.cap.push(13.0 + rng.below(5) as f64);
        }
        for _ in 0..13 {
            // Alternately two big items per bin (fragments: deep searches), and small items
            // that one bigger item may replace (set dominance).
            let (s, p) = if (case / 4) % 2 == 0 {
                let s = 5.0 + rng.below(4) as f64;
                (s, 7.0 * s + rng.below(7) as f64)
            } else {
                let s = 2.0 + rng.below(7) as f64;
                (s, 10.0 * s + rng.below(30) as f64)
            };
            pk.size.push(s);
            pk.profit.push(p);
            let mut allowed: Vec<u32> = (0..bins as u32).filter(|_| rng.below(5) != 0).collect();
            if allowed.is_empty() || case % 3 != 0 {
                allowed = (0..bins as u32).collect();
            }
            pk.allowed.push(allowed);
        }
        pk
    }

    /// The best profit of each set of items (bit mask) in the bins `bins[i..]`, per position
    /// `i` (dynamic programming from the last bin, 3^n per bin).
    fn completions(pk: &Packing, bins: &[usize]) -> Vec<Vec<f64>> {
        let n = pk.n();
        let full = 1_usize << n;
        let mut g = vec![vec![0.0; full]; bins.len() + 1];
        for (i, &b) in bins.iter().enumerate().rev() {
            let mut fits = vec![true; full];
            let mut size = vec![0.0; full];
            let mut profit = vec![0.0; full];
            for set in 1..full {
                let j = set.trailing_zeros() as usize;
                let rest = set & (set - 1);
                size[set] = size[rest] + pk.size[j];
                profit[set] = profit[rest] + pk.profit[j];
                fits[set] = fits[rest]
                    && pk.allowed[j].contains(&(b as u32))
                    && size[set] <= pk.cap[b] + FIT_TOL;
            }
            for items in 0..full {
                let mut v = g[i + 1][items];
                let mut set = items;
                while set != 0 {
                    if fits[set] {
                        v = f64::max(v, profit[set] + g[i + 1][items ^ set]);
                    }
                    set = (set - 1) & items;
                }
                g[i][items] = v;
            }
        }
        g
    }

    /// The branch and bound alone on deep searches (see [`deep`]), against dynamic programs:
    /// it finds the optimum (transpositions, skipped candidates and set dominance keep one),
    /// and every node it remembers as searched has no completion that beats its best.
    #[test]
    fn branch_and_bound_alone_solves_deep_packings() {
        let mut rng = Rng::new(17);
        let mut remembered = 0;
        for case in 0..120 {
            let pk = deep(&mut rng, case);
            let empty = Solver::new(&pk);
            let prices = node_prices(&pk, case % 2 == 1);
            let mut bb = unbounded_branch(&pk, &empty, prices.as_ref());
            let g = completions(&pk, &bb.bins);
            let all = (1 << pk.n()) - 1;
            let exact = g[0][all];
            // Half from an empty packing, half above a target just below the optimum (only
            // optimal packings beat it: nothing may prune them all).
            if case % 4 < 2 {
                bb.whole = false;
                bb.best_profit = exact - 0.5;
            }
            bb.run();
            assert!(!bb.aborted);
            assert!(
                (bb.best_profit - exact).abs() < 1e-6,
                "case {case}: {} vs {exact}",
                bb.best_profit
            );
            for &key in &bb.searched {
                let i = (key & 0xff) as usize;
                let used = (key >> 8) as usize;
                let profit: f64 = (0..pk.n())
                    .filter(|&j| used >> j & 1 == 1)
                    .map(|j| pk.profit[j])
                    .sum();
                assert!(
                    profit + g[i][all ^ used] <= bb.best_profit + 1e-9,
                    "case {case}: a node at {i} remembered as searched has a better completion"
                );
                remembered += 1;
            }
        }
        // The transpositions were exercised, and the bounds from a parent's surrogate table.
        assert!(remembered > 500, "{remembered}");
        let checks = SURROGATE_CHECKS.load(std::sync::atomic::Ordering::Relaxed);
        assert!(checks > 100, "{checks}");
    }

    /// The set search from an empty packing: a proof is the brute-force optimum, a bound is
    /// never below it, a packing found is valid.
    #[test]
    fn set_search_finds_and_proves_the_optimum() {
        let mut rng = Rng::new(13);
        let mut proofs = 0;
        for case in 0..300 {
            let mut pk = random(&mut rng, 2 + case % 3, 4 + case % 6, true);
            if case % 2 == 0 {
                let all: Vec<u32> = (0..pk.cap.len() as u32).collect();
                pk.allowed = vec![all; pk.n()];
            }
            let exact = brute(&pk);
            let found = set_search_from_empty(&pk, u64::MAX);
            assert!(found.bound >= exact - 1e-6, "case {case}");
            let mut packed = Solver::new(&pk);
            for &(j, b) in found.packed.iter().flatten() {
                assert!(pk.allowed[j].contains(&(b as u32)), "case {case}");
                packed.put(j, b);
            }
            assert!(packed.room.iter().all(|&r| r >= -1e-9), "case {case}");
            if found.proven {
                proofs += 1;
                assert!((packed.profit - exact).abs() < 1e-6, "case {case}");
            }
        }
        // Nearly every case settles: the sets are few and small.
        assert!(proofs >= 290, "{proofs} proofs");
    }

    /// The set search from an empty packing and the surrogate bound, within `nodes`.
    fn set_search_from_empty(pk: &Packing, nodes: u64) -> SetSearch {
        let empty = Solver::new(pk);
        let effort = Effort {
            nodes,
            deadline: None,
        };
        pk.set_search(&empty, &[], pk.bound(), true, effort)
    }

    /// With few nodes, the set search stops at sets it cannot decide: the bounds it leaves stay
    /// above the optimum, and what it calls proven is the optimum.
    #[test]
    fn set_search_out_of_nodes_keeps_its_bounds_valid() {
        let mut rng = Rng::new(29);
        let mut lowered = 0;
        for case in 0..400 {
            let pk = hard(&mut rng, case);
            let exact = brute(&pk);
            let found = set_search_from_empty(&pk, 2 + (case as u64 % 40));
            assert!(
                found.bound >= exact - 1e-6,
                "case {case}: {} < {exact}",
                found.bound
            );
            let mut packed = Solver::new(&pk);
            for &(j, b) in found.packed.iter().flatten() {
                packed.put(j, b);
            }
            if found.proven {
                assert!((packed.profit - exact).abs() < 1e-6, "case {case}");
            } else if found.bound < pk.bound() - 1e-6 {
                lowered += 1;
            }
        }
        // Unfinished searches still lower the bound on some cases.
        assert!(lowered > 0, "{lowered}");
    }

    /// The target searches from an empty packing: they prove the optimum, and the bounds they
    /// lower on the way stay above it; a light one is the plain search from the best.
    #[test]
    fn target_searches_lower_the_bound_and_prove_the_optimum() {
        let mut rng = Rng::new(19);
        let mut lowered = 0;
        let mut differ = 0;
        for case in 0..200 {
            let pk = hard(&mut rng, case);
            let exact = brute(&pk);
            let ts = TargetSearch {
                pk: &pk,
                must: &[],
                prices: &[],
                whole: true,
                light: false,
                debug: false,
            };
            let root = pk.bound().floor();
            let mut best = Solver::new(&pk);
            let mut bound = root;
            let effort = |nodes| Effort {
                nodes,
                deadline: None,
            };
            assert!(pk.target_search(&ts, &mut best, &mut bound, effort(u64::MAX)));
            assert!((best.profit - exact).abs() < 1e-6, "case {case}");
            assert!(bound >= exact - 1e-6, "case {case}: bound below optimum");
            if bound < root {
                lowered += 1;
            }
            // Light: one plain search from the best, as the branch and bound alone.
            let empty = Solver::new(&pk);
            let mut plain = Branch::new(&pk, &empty, effort(30));
            plain.run();
            let mut light = Solver::new(&pk);
            let mut light_bound = root;
            let ts = TargetSearch { light: true, ..ts };
            pk.target_search(&ts, &mut light, &mut light_bound, effort(30));
            assert!(
                (light.profit - plain.best_profit).abs() < 1e-9,
                "case {case}"
            );
            let mut heavy = Solver::new(&pk);
            let ts = TargetSearch { light: false, ..ts };
            pk.target_search(&ts, &mut heavy, &mut root.clone(), effort(30));
            if (heavy.profit - light.profit).abs() > 1e-9 {
                differ += 1;
            }
        }
        // The targets were searched and did lower bounds, and with few nodes they spend them
        // otherwise than the plain search.
        assert!(lowered >= 20, "{lowered} bounds lowered");
        assert!(differ >= 5, "{differ} light runs as targets");
        // Probes of the bound ran (see `PROBE_RATIO`).
        let probes = PROBES.load(std::sync::atomic::Ordering::Relaxed);
        assert!(probes >= 10, "{probes} probes");
    }

    /// The whole solver on hard packings with a full node budget (target searches and the
    /// set search run): what it proves is the optimum, its bound never below it.
    #[test]
    fn full_solves_of_hard_packings_prove_the_optimum() {
        let mut rng = Rng::new(17);
        for case in 0..200 {
            let pk = hard(&mut rng, case);
            let exact = brute(&pk);
            let p = pk.solve(
                &[],
                Effort {
                    nodes: 2_000_000,
                    deadline: None,
                },
            );
            check(&pk, &p);
            assert!(p.bound >= exact - 1e-6, "case {case}: bound below optimum");
            assert_proven(&p, exact, case);
        }
    }

    /// Strongly correlated packings (profit = size + a constant), tight: the optimum is the
    /// most items with the least room wasted, which small re-packs rarely reach.
    fn correlated(rng: &mut Rng, bins: usize, items: usize) -> Packing {
        let mut pk = Packing::default();
        let mut total = 0.0;
        for _ in 0..items {
            let s = 100.0 + rng.below(900) as f64;
            total += s;
            pk.size.push(s);
            pk.profit.push(s + 300.0);
            pk.allowed.push((0..bins as u32).collect());
        }
        for _ in 0..bins {
            pk.cap
                .push((total * 0.6 / bins as f64 * (0.5 + rng.below(100) as f64 / 100.0)).round());
        }
        pk
    }

    /// Each bin [`Solver::related_bins`] adds after the first can take an item that one chosen
    /// before it holds, or an unpacked item one chosen before it may take; no bin twice.
    #[test]
    fn related_bins_share_items_with_the_bins_before_them() {
        let mut rng = Rng::new(29);
        let mut pick = Rng::new(31);
        let (mut bins, mut cand) = (Vec::new(), Vec::new());
        let mut chosen = 0;
        for case in 0..300 {
            let pk = random(&mut rng, 3 + case % 8, 4 + case % 20, true);
            let mut s = Solver::new(&pk);
            s.fill();
            let k = 2 + case % 5;
            bins.clear();
            s.related_bins(k, &mut pick, &mut bins, &mut cand);
            assert!(!bins.is_empty() && bins.len() <= k, "case {case}");
            for (i, &b) in bins.iter().enumerate().skip(1) {
                assert!(!bins[..i].contains(&b), "case {case}: bin {b} twice");
                let related = (0..pk.n()).any(|j| {
                    let before = match s.bin[j] {
                        Some(h) => bins[..i].contains(&h),
                        None => bins[..i]
                            .iter()
                            .any(|&h| pk.allowed[j].contains(&(h as u32))),
                    };
                    before && pk.allowed[j].contains(&(b as u32))
                });
                assert!(
                    related,
                    "case {case}: bin {b} shares no item with {:?}",
                    &bins[..i]
                );
                chosen += 1;
            }
        }
        assert!(chosen > 300, "only {chosen} related bins chosen");
    }

    /// The local search alone, 1,500 rounds from a greedy start, reaches most optima of tight
    /// correlated packings (10 x 30) and never passes them.
    #[test]
    fn local_search_grows_its_neighbourhood_to_reach_optima() {
        let mut rng = Rng::new(23);
        let (mut reached, cases) = (0, 20);
        for case in 0..cases {
            let pk = correlated(&mut rng, 10, 30);
            let empty = Solver::new(&pk);
            let mut bb = unbounded_branch(&pk, &empty, None);
            bb.run();
            let exact = bb.best_profit;
            let mut start = Solver::new(&pk);
            start.fill();
            let found = pk.local_search(start, 1_500, exact, &|| false);
            let packed = Packed {
                assign: found.bin.iter().map(|b| b.map(|b| b as u32)).collect(),
                profit: found.profit,
                bound: exact,
                proven: false,
            };
            check(&pk, &packed);
            assert!(
                found.profit <= exact + 1e-6,
                "case {case}: above the optimum"
            );
            reached += usize::from(found.profit >= exact - 1e-6);
        }
        // 19 of 20 with the growing neighbourhood, 8 with it fixed at 3-5 bins (level 0).
        assert!(reached >= 12, "reached {reached} of {cases} optima");
    }

    #[test]
    fn knapsack_above_agrees_with_the_table() {
        let mut rng = Rng::new(5);
        for case in 0..500 {
            let n = 1 + case % 25;
            let mut items: Vec<(usize, f64)> = (0..n)
                .map(|_| {
                    let w = 1 + rng.below(40);
                    // Every third case strongly correlated, where the LP bound is weakest.
                    let p = if case % 3 == 0 {
                        w as f64 + 10.0
                    } else {
                        1.0 + rng.below(60) as f64
                    };
                    (w, p)
                })
                .collect();
            items.sort_by(|a, b| (b.1 / b.0 as f64).total_cmp(&(a.1 / a.0 as f64)));
            let cap = rng.below(300);
            let (opt, _) = knapsack(&items, cap, false).expect("small table");
            for floor in [opt - 1.0, opt - 1e-6, opt, opt + 3.0] {
                match knapsack_above(&items, cap, floor, u64::MAX) {
                    Above::Nothing => assert!(opt <= floor, "case {case}"),
                    Above::Best(v, take) => {
                        assert!(opt > floor && (v - opt).abs() < 1e-9, "case {case}");
                        let w: usize = (0..n).filter(|&k| take[k]).map(|k| items[k].0).sum();
                        let p: f64 = (0..n).filter(|&k| take[k]).map(|k| items[k].1).sum();
                        assert!(w <= cap && (p - v).abs() < 1e-9, "case {case}");
                    }
                    Above::Unknown => panic!("no node limit"),
                }
            }
            assert!(matches!(
                knapsack_above(&items, cap, -1.0, 1),
                Above::Unknown | Above::Best(..)
            ));
        }
    }

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

    /// Half hours scaled to whole units (as `hours` does) keep the optimum of the original.
    #[test]
    fn scaled_half_hours_match_brute_force() {
        let mut rng = Rng::new(13);
        for case in 0..100 {
            let mut pk = random(&mut rng, 1 + case % 4, 2 + case % 8, true);
            for s in &mut pk.size {
                *s -= 0.5 * rng.below(2) as f64;
            }
            for c in &mut pk.cap {
                *c += 0.5 * rng.below(2) as f64;
            }
            let exact = brute(&pk);
            let k = size_scale(pk.size.iter().copied(), 40.0).expect("half hours");
            let scaled = Packing {
                cap: pk.cap.iter().map(|c| (c * k + 1e-6).floor()).collect(),
                size: pk.size.iter().map(|s| (s * k).round()).collect(),
                ..pk.clone()
            };
            let p = scaled.solve(
                &[],
                Effort {
                    nodes: 1_000_000,
                    deadline: None,
                },
            );
            check(&scaled, &p);
            assert_proven(&p, exact, case);
        }
    }

    /// The LP of a suffix from a critical-item hint is the LP itself, from any hint at or
    /// before the critical item, and names the critical item.
    #[test]
    fn suffix_lp_from_a_hint_is_the_lp() {
        let mut rng = Rng::new(5);
        for case in 0..300 {
            let n = 1 + case % 10;
            let mut items: Vec<(usize, f64)> = (0..n)
                .map(|_| (1 + rng.below(20), 1.0 + rng.below(40) as f64))
                .collect();
            items.sort_by(|a, b| (b.1 / b.0 as f64).total_cmp(&(a.1 / a.0 as f64)));
            let lp = SuffixLp::new(&items);
            for k in 0..n {
                for room in 0..60 {
                    let exact = lp.lp(k, room);
                    // The critical item: the first from `k` that does not fit whole.
                    let mut t = k;
                    let mut used = 0;
                    while t < n && used + items[t].0 <= room {
                        used += items[t].0;
                        t += 1;
                    }
                    for from in k..=t {
                        let (v, crit) = lp.lp_from(k, room, from);
                        assert!((v - exact).abs() < 1e-9, "case {case}: {v} vs {exact}");
                        assert_eq!(crit, t, "case {case}");
                    }
                }
            }
        }
    }

    #[test]
    fn knapsack_tables_agree_with_brute_force() {
        let mut rng = Rng::new(11);
        for case in 0..600 {
            let n = 1 + case % 12;
            // Whole profits (the `f32` tables) and fractional ones (`f64`), with zero sizes
            // and items larger than the room.
            // Large whole profits, beyond what `f32` holds exactly, go to `f64` tables.
            let fraction = if case % 2 == 0 { 0.0 } else { 0.37 };
            let scale = if case % 4 == 2 { 1_000_003.0 } else { 1.0 };
            let items: Vec<(usize, f64)> = (0..n)
                .map(|_| {
                    let p = (rng.below(50) as f64) - 5.0 + fraction;
                    (rng.below(20), p * scale)
                })
                .collect();
            let cap = rng.below(60);
            // The best value of every room.
            let mut exact = vec![0.0_f64; cap + 1];
            for mask in 0..1_u32 << n {
                let (mut w, mut p) = (0, 0.0);
                for (k, &(s, v)) in items.iter().enumerate() {
                    if mask >> k & 1 == 1 {
                        w += s;
                        p += v;
                    }
                }
                for e in exact.iter_mut().skip(w) {
                    *e = e.max(p);
                }
            }
            let top = exact[cap];
            for (v, chosen) in [
                knapsack(&items, cap, true).unwrap(),
                knapsack_rows(&items, cap, true),
            ] {
                assert!((v - top).abs() < 1e-9, "case {case}: {v} vs {top}");
                let w: usize = (0..n).filter(|&k| chosen[k]).map(|k| items[k].0).sum();
                let p: f64 = (0..n).filter(|&k| chosen[k]).map(|k| items[k].1).sum();
                assert!(w <= cap && (p - top).abs() < 1e-9, "case {case}");
            }
            assert!((knapsack_rows(&items, cap, false).0 - top).abs() < 1e-9);
            let mut table = Vec::new();
            knapsack_table(&items, cap, false, &mut table);
            for (c, (&t, &e)) in table.iter().zip(&exact).enumerate() {
                assert!((t - e).abs() < 1e-9, "case {case}, room {c}: {t} vs {e}");
            }
            // The portable rows agree with the dispatched ones.
            let mut plain = vec![0.0; cap + 1];
            fill_table(&items, &mut plain, &mut [], &mut vec![0; n]);
            assert_eq!(plain, table, "case {case}");
        }
    }

    #[test]
    fn lagrangian_bounds_the_optimum_and_its_packing_is_valid() {
        let mut rng = Rng::new(23);
        let mut tight = 0;
        for case in 0..150 {
            let pk = random(&mut rng, 2 + case % 4, 3 + case % 8, true);
            let exact = brute(&pk);
            let lag = pk.lagrangian(0.0, 300, None).expect("integral sizes");
            assert!(
                lag.bound >= exact - 1e-6,
                "case {case}: {} < {exact}",
                lag.bound
            );
            assert!(lag.profit <= exact + 1e-6, "case {case}");
            let packed = Packed {
                assign: lag.assign.clone(),
                profit: lag.profit,
                bound: lag.bound,
                proven: false,
            };
            check(&pk, &packed);
            tight += usize::from(lag.bound < exact + 1.0);
        }
        // Not a vacuous bound: within one of the optimum on most small cases.
        assert!(tight > 75, "{tight} of 150 tight");
    }

    /// The pooled bound's master LP with every column (independently of the cutting
    /// planes): choose a selection (a set of items within the bins' room pooled, each bin's
    /// cut to its largest sum of sizes) and fillings of the bins, fractionally, with each
    /// selected item in the fillings; maximise the selection's profit.
    fn full_master(pk: &Packing) -> f64 {
        use microlp::{ComparisonOp, OptimizationDirection, Problem};
        let n = pk.n();
        let subsets = |fits: &dyn Fn(&[usize]) -> bool| -> Vec<Vec<usize>> {
            (0..1_usize << n)
                .map(|m| (0..n).filter(|&j| m >> j & 1 == 1).collect::<Vec<_>>())
                .filter(|set| fits(set))
                .collect()
        };
        let usable = |j: usize, b: usize| {
            pk.profit[j] > 0.0 && pk.allowed[j].contains(&(b as u32)) && pk.fits(j, b)
        };
        let size = |set: &[usize]| set.iter().map(|&j| pk.size[j]).sum::<f64>();
        let mut fillings = Vec::new();
        let mut room = 0.0_f64;
        for b in 0..pk.cap.len() {
            let of_b = subsets(&|set: &[usize]| {
                set.iter().all(|&j| usable(j, b)) && size(set) <= pk.cap[b] + FIT_TOL
            });
            room += of_b.iter().map(|set| size(set)).fold(0.0, f64::max);
            fillings.push(of_b);
        }
        let selections = subsets(&|set: &[usize]| {
            set.iter().all(|&j| (0..pk.cap.len()).any(|b| usable(j, b)))
                && size(set) <= room + FIT_TOL
        });
        let mut lp = Problem::new(OptimizationDirection::Maximize);
        let z: Vec<_> = selections
            .iter()
            .map(|set| lp.add_var(set.iter().map(|&j| pk.profit[j]).sum(), (0.0, 1.0)))
            .collect();
        let x: Vec<Vec<_>> = fillings
            .iter()
            .map(|of_b| of_b.iter().map(|_| lp.add_var(0.0, (0.0, 1.0))).collect())
            .collect();
        lp.add_constraint(
            z.iter().map(|&v| (v, 1.0)).collect::<Vec<_>>(),
            ComparisonOp::Le,
            1.0,
        );
        for of_b in &x {
            lp.add_constraint(
                of_b.iter().map(|&v| (v, 1.0)).collect::<Vec<_>>(),
                ComparisonOp::Le,
                1.0,
            );
        }
        for j in 0..n {
            let mut row: Vec<_> = selections
                .iter()
                .zip(&z)
                .filter(|(set, _)| set.contains(&j))
                .map(|(_, &v)| (v, 1.0))
                .collect();
            for (b, of_b) in fillings.iter().enumerate() {
                row.extend(
                    of_b.iter()
                        .zip(&x[b])
                        .filter(|(set, _)| set.contains(&j))
                        .map(|(_, &v)| (v, -1.0)),
                );
            }
            lp.add_constraint(row, ComparisonOp::Le, 0.0);
        }
        lp.solve()
            .expect("the master LP")
            .solution()
            .expect("a solution")
            .objective()
    }

    /// The pooled Lagrangian bound at prices `u` (in `[0, p]`): no cutting-plane round.
    fn pooled_at(pk: &Packing, u: &[f64]) -> f64 {
        pk.lagrangian_lp(u, f64::INFINITY, 0, None)
            .expect("integral sizes")
            .0
    }

    /// Column generation's bound at prices `u`: one subgradient iteration.
    fn plain_at(pk: &Packing, u: &[f64]) -> f64 {
        pk.lagrangian_from(0.0, 1, None, Some(u), LAG_STEP)
            .expect("integral sizes")
            .bound
    }

    #[test]
    fn pooled_lagrangian_bounds_at_any_prices_and_beats_column_generation() {
        let mut rng = Rng::new(37);
        let (mut tighter, mut closer) = (0, 0);
        for case in 0..300 {
            let pk = random(&mut rng, 2 + case % 4, 3 + case % 8, true);
            let exact = brute(&pk);
            for _ in 0..4 {
                let u: Vec<f64> = pk
                    .profit
                    .iter()
                    .map(|&p| p * rng.below(11) as f64 / 10.0)
                    .collect();
                let (pooled, plain) = (pooled_at(&pk, &u), plain_at(&pk, &u));
                assert!(pooled >= exact - 1e-6, "case {case}: {pooled} < {exact}");
                assert!(pooled <= plain + 1e-6, "case {case}: {pooled} > {plain}");
                tighter += usize::from(pooled < plain - 0.5);
            }
            // Optimised: never above column generation's, below it on some.
            let plain = pk
                .lagrangian_from(0.0, 1_000, None, None, LAG_STEP)
                .expect("integral sizes");
            let best = pk.lagrangian(0.0, 1_000, None).expect("integral sizes");
            assert!(best.bound >= exact - 1e-6, "case {case}");
            assert!(best.bound <= plain.bound + 1e-6, "case {case}");
            closer += usize::from((best.bound + 1e-6).floor() < (plain.bound + 1e-6).floor());
        }
        assert!(tighter > 150, "{tighter} of 1200");
        assert!(closer > 3, "{closer} of 300");
    }

    #[test]
    fn lagrangian_lp_reaches_the_least_pooled_bound() {
        let mut rng = Rng::new(41);
        for case in 0..120 {
            let pk = random(&mut rng, 2 + case % 3, 4 + case % 5, true);
            let exact = brute(&pk);
            let plain = pk
                .lagrangian_from(0.0, 300, None, None, LAG_STEP)
                .expect("integral sizes");
            let (bound, prices) = pk
                .lagrangian_lp(&plain.prices, f64::NEG_INFINITY, 10_000, None)
                .expect("integral sizes");
            // A bound, reached at its prices, and the master LP's value to the unit (profits
            // are whole: it stops once no prices can lower the bound's floor) ...
            assert!(bound >= exact - 1e-6, "case {case}: {bound} < {exact}");
            assert!(
                (pooled_at(&pk, &prices) - bound).abs() < 1e-6,
                "case {case}"
            );
            let master = full_master(&pk);
            assert!(bound >= master - 1e-6, "case {case}: {bound} < {master}");
            assert!(
                (bound + 1e-6).floor() <= (master + 1e-6).floor(),
                "case {case}: {bound} vs {master}"
            );
            // ... so no prices give less.
            let floor = |v: f64| (v + 1e-6).floor();
            for _ in 0..16 {
                let u: Vec<f64> = pk
                    .profit
                    .iter()
                    .map(|&p| p * rng.below(11) as f64 / 10.0)
                    .collect();
                assert!(floor(bound) <= floor(pooled_at(&pk, &u)), "case {case}");
            }
        }
    }

    #[test]
    fn lagrangian_branch_and_bound_finds_and_proves_the_optimum() {
        let mut rng = Rng::new(31);
        let mut branched = 0;
        for case in 0..600 {
            let pk = random(&mut rng, 2 + case % 4, 3 + case % 9, true);
            let exact = brute(&pk);
            let lag = pk.lagrangian(0.0, 50, None).expect("integral sizes");
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
        // The root bound alone leaves a gap on some (17 of the 600 with the pooled bound):
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
            let lag = pk.lagrangian(best, 300, None).expect("integral sizes");
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

    #[test]
    fn musts_fall_due_at_their_last_bin_that_fits() {
        let pk = Packing {
            cap: vec![20.0, 5.0, 10.0],
            size: vec![4.0, 15.0, 3.0],
            profit: vec![4.0, 15.0, 3.0],
            allowed: vec![vec![1, 2], vec![0, 1, 2], vec![0]],
        };
        let none = Solver::new(&pk);
        let mut bb = Branch::new(
            &pk,
            &none,
            Effort {
                nodes: 10,
                deadline: None,
            },
        );
        bb.set_musts(&[true, true, false]);
        // Bins by capacity: 5 (bin 1), 10 (bin 2), 20 (bin 0); item 1 fits only bin 0.
        assert_eq!(bb.due, vec![vec![], vec![0], vec![1]]);
        assert!(bb.overdue(1) && !bb.overdue(0));
        bb.used[0] = true;
        assert!(!bb.overdue(1) && bb.overdue(2));
    }

    /// Whether all of `set` goes in the bins (whole sizes): every bin's room after each
    /// item, as a set of reachable room vectors.
    fn brute_fits(pk: &Packing, set: &[usize]) -> bool {
        let start: Vec<i64> = pk.cap.iter().map(|&c| c as i64).collect();
        let mut reach: HashSet<Vec<i64>> = HashSet::from([start]);
        for &j in set {
            let mut next = HashSet::new();
            for room in &reach {
                for &b in &pk.allowed[j] {
                    let mut r = room.clone();
                    r[b as usize] -= pk.size[j] as i64;
                    if r[b as usize] >= 0 {
                        next.insert(r);
                    }
                }
            }
            reach = next;
        }
        !reach.is_empty()
    }

    #[test]
    fn set_packing_decides_like_brute_force() {
        let mut rng = Rng::new(17);
        let (mut yes, mut no, mut refuted) = (0, 0, 0);
        for case in 0..600 {
            // Random items up to the bins' total room, less a little: tight sets, often
            // with no packing, where different fillings of the first bins leave the same
            // items.
            let bins = 3 + rng.below(3);
            let mut pk = Packing {
                cap: (0..bins).map(|_| (10 + rng.below(11)) as f64).collect(),
                ..Packing::default()
            };
            let mut left = pk.cap.iter().sum::<f64>() as usize - rng.below(3);
            loop {
                let s = 3 + rng.below(7);
                if s > left {
                    break;
                }
                left -= s;
                pk.size.push(s as f64);
            }
            let n = pk.size.len();
            pk.profit = pk.size.clone();
            pk.allowed = (0..n)
                .map(|_| {
                    let mut a: Vec<u32> = (0..bins as u32).filter(|_| rng.below(8) != 0).collect();
                    if a.is_empty() {
                        a.push(rng.below(bins) as u32);
                    }
                    a
                })
                .collect();
            let set: Vec<usize> = (0..n).filter(|_| rng.below(30) != 0).collect();
            let effort = Effort {
                nodes: u64::MAX,
                deadline: None,
            };
            let br = Branch::new(&pk, &Solver::new(&pk), effort);
            let (fit, _) = br.try_pack(0, &set, u64::MAX);
            let exact = brute_fits(&pk, &set);
            match fit {
                Fit::Packed(placed) => {
                    assert!(exact, "case {case}");
                    let mut room = pk.cap.clone();
                    let mut items: Vec<usize> = placed.iter().map(|&(j, _)| j).collect();
                    items.sort_unstable();
                    assert_eq!(items, set, "case {case}: every item once");
                    for &(j, b) in &placed {
                        assert!(pk.allowed[j].contains(&(b as u32)), "case {case}");
                        room[b] -= pk.size[j];
                        assert!(room[b] >= -FIT_TOL, "case {case}: bin {b} over");
                    }
                    yes += 1;
                }
                Fit::No => {
                    assert!(!exact, "case {case}: a packing exists");
                    no += 1;
                }
                Fit::Unknown => panic!("case {case}: undecided without a budget"),
            }
            // Packings found after refuted states came back: where a wrong refutation
            // would hide the packing.
            if exact {
                refuted += br_failed_states(&br, &set);
            }
        }
        assert!(yes > 100 && no > 10, "{yes} {no} {refuted}");
        // The refuted states were remembered and met again.
        assert!(refuted > 30, "{refuted}");
    }

    /// How often [`SetPack`] met a refuted state again deciding `set`.
    fn br_failed_states(br: &Branch<'_>, set: &[usize]) -> u64 {
        let before = SET_PACK_REPEATS.with(std::cell::Cell::get);
        let _ = br.try_pack(0, set, u64::MAX);
        SET_PACK_REPEATS.with(std::cell::Cell::get) - before
    }

    #[test]
    fn subset_sums() {
        assert_eq!(max_subset_sum(&[5, 7, 11], 20), 18);
        assert_eq!(max_subset_sum(&[64, 65], 130), 129);
        assert_eq!(max_subset_sum(&[100], 99), 0);
        let (v, c) = knapsack(&[(3, 4.0), (4, 5.0), (2, 3.0)], 5, true).unwrap();
        assert_eq!(v, 7.0);
        assert_eq!(c, vec![true, false, true]);
        // Several limits at once, with buffers reused between calls of other sizes.
        let mut rng = Rng::new(5);
        let (mut bits, mut out) = (Vec::new(), Vec::new());
        for _ in 0..300 {
            let sizes: Vec<usize> = (0..rng.below(12)).map(|_| rng.below(200)).collect();
            let limits: Vec<usize> = (0..1 + rng.below(5)).map(|_| rng.below(700)).collect();
            max_subset_sums_into(&sizes, &limits, &mut bits, &mut out);
            let sum: usize = sizes.iter().sum();
            let each: Vec<usize> = (limits.iter())
                .map(|&l| max_subset_sum(&sizes, l).min(sum))
                .collect();
            assert_eq!(out, each, "{sizes:?} {limits:?}");
        }
    }
}
