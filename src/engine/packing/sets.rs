//! Exact search by item sets, and deciding whether a set of items goes in the bins.

use std::collections::HashSet;
use std::time::Instant;

use tracing::debug;

use super::branch::{Branch, state_key};
use super::knapsack::{SuffixLp, max_subset};
use super::solver::Solver;
use super::{Effort, FIT_TOL, Packing, margin};

/// Whether a set of items goes in the bins (see [`Branch::try_pack`]).
enum Fit {
    /// Yes: each item's bin.
    Packed(Vec<(usize, usize)>),
    /// No.
    No,
    /// Out of nodes or time: undecided.
    Unknown,
}

/// What [`Branch::try_pack`] found, and what it took.
struct Attempt {
    fit: Fit,
    /// Search nodes spent.
    nodes: u64,
    /// How often the search met a state it had already refuted.
    repeats: u64,
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

/// Most sets of one band of [`Packing::set_search`].
const SET_LIMIT: usize = 20_000;

/// Nodes of one band's enumeration.
const SET_NODES: u64 = 20_000_000;

/// Nodes to decide whether one set goes in the bins.
const SET_PACK_NODES: u64 = 50_000;

/// Most states one such decision remembers as refuted.
const SET_PACK_FAILED: usize = 100_000;

/// What [`Packing::set_search`] found.
pub(super) struct SetSearch {
    /// A packing better than the best: each item's bin.
    pub(super) packed: Option<Vec<(usize, usize)>>,
    /// A bound on every packing.
    pub(super) bound: f64,
    /// Whether the bound is the best packing's profit (`packed`'s, or else the best given).
    pub(super) proven: bool,
    /// How often deciding the sets met a state already refuted (see [`SetPack`]).
    pub(super) repeats: u64,
}

impl Packing {
    /// Exact search by item sets, a decomposition (as in Dell'Amico, Delorme, Iori and
    /// Martello 2019): any packing's items fit in the pooled room of the surrogate bound, and
    /// with few items per bin the sets that do and are worth more than the best are few (far
    /// fewer than the branch and bound's nodes on the hardest SMALL instances).
    /// Each is tried whole in the bins, by decreasing profit: the first that goes is optimal
    /// when every richer one was shown not to. The sets come in bands below `bound`, each
    /// twice as wide as the last, so that a band whose sets all fail lowers the bound.
    /// Items in `must` are in every better packing. Needs whole sizes.
    pub(super) fn set_search(
        &self,
        best: &Solver<'_>,
        must: &[bool],
        bound: f64,
        whole: bool,
        effort: Effort,
    ) -> SetSearch {
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
            repeats: 0,
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
            debug!(lower, upper, sets = sets.len(), "packing: set search band");
            for (profit, set) in sets {
                if nodes == 0 || effort.deadline.is_some_and(|d| Instant::now() >= d) {
                    return out;
                }
                let set: Vec<usize> = set.into_iter().map(|k| items[k]).collect();
                let attempt = br.try_pack(0, &set, SET_PACK_NODES.min(nodes));
                nodes = nodes.saturating_sub(attempt.nodes);
                out.repeats += attempt.repeats;
                match attempt.fit {
                    Fit::Packed(placed) => {
                        out.proven = true;
                        out.bound = out.bound.min(profit);
                        out.packed = Some(placed);
                        return out;
                    }
                    Fit::No => {}
                    // Undecided: nothing below it can be proven any more, and the branch and
                    // bound finds better packings with the time (SMALL's 20 x 60 instances).
                    // The sets come by decreasing profit: none worth more went in.
                    Fit::Unknown => {
                        debug!("packing: set search stopped at an undecided set");
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

impl Branch<'_> {
    /// Places all of `set` in bins `bins[i..]` if it can within `budget` search nodes (see
    /// [`Self::try_pack`]).
    pub(super) fn pack_set(
        &self,
        i: usize,
        set: &[usize],
        budget: u64,
    ) -> Option<Vec<(usize, usize)>> {
        match self.try_pack(i, set, budget).fit {
            Fit::Packed(placed) => Some(placed),
            Fit::No | Fit::Unknown => None,
        }
    }

    /// Whether all of `set` goes in bins `bins[i..]`: a depth-first search over the bins,
    /// each filled with a subset of what is left whose waste (room left unused) fits in the
    /// slack (total room minus the size of `set`), within `budget` search nodes.
    fn try_pack(&self, i: usize, set: &[usize], budget: u64) -> Attempt {
        let pk = self.pk;
        let order: Vec<usize> = self.bins[i..].to_vec();
        let caps: Vec<usize> = order
            .iter()
            .map(|&b| (pk.cap[b] + FIT_TOL).floor().max(0.0) as usize)
            .collect();
        let need: usize = set.iter().map(|&j| self.whole_size[j]).sum();
        let total: usize = caps.iter().sum();
        if need > total {
            return Attempt {
                fit: Fit::No,
                nodes: 0,
                repeats: 0,
            };
        }
        // Largest first: big items decide feasibility.
        let mut items = set.to_vec();
        items.sort_by(|&a, &b| pk.size[b].total_cmp(&pk.size[a]).then(a.cmp(&b)));
        if let Some(placed) = self.best_fit(i, &items) {
            return Attempt {
                fit: Fit::Packed(placed),
                nodes: 1,
                repeats: 0,
            };
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
            repeats: 0,
        };
        let fit = if search.bin(0, total - need) {
            Fit::Packed(search.assign)
        } else if search.nodes > search.budget || search.budget == 0 {
            Fit::Unknown
        } else {
            Fit::No
        };
        Attempt {
            fit,
            nodes: search.nodes,
            repeats: search.repeats,
        }
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
    pub(super) fn split(&self, i: usize, set: &[usize]) -> (Vec<(usize, usize)>, f64, bool) {
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
    /// How often a refuted state came back.
    repeats: u64,
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
            self.repeats += 1;
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
    use crate::engine::packing::testing::{brute, hard, random};
    use crate::rng::Rng;

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
            let attempt = br.try_pack(0, &set, u64::MAX);
            let exact = brute_fits(&pk, &set);
            match attempt.fit {
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
                refuted += attempt.repeats;
            }
        }
        assert!(yes > 100 && no > 10, "{yes} {no} {refuted}");
        // The refuted states were remembered and met again.
        assert!(refuted > 30, "{refuted}");
    }
}
