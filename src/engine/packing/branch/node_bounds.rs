//! Bounds of a node of the branch and bound: the surrogate relaxation over the bins' pooled
//! rooms (tables kept for the children) and the Lagrangian at the root's prices.

use super::super::knapsack::{
    Above, BYTE_CELLS, KNAPSACK_BB_NODES, SuffixLp, knapsack, knapsack_above, knapsack_table,
    max_subset_sums_into,
};
use super::super::{FIT_TOL, margin};
use super::Branch;

/// Buffers of [`Branch::pooled_rooms`].
#[derive(Default)]
pub(super) struct PoolScratch {
    rooms: Vec<usize>,
    done: Vec<bool>,
    sizes: Vec<usize>,
    members: Vec<usize>,
    limits: Vec<usize>,
    bits: Vec<u64>,
    sums: Vec<usize>,
}

impl<'a> Branch<'a> {
    /// The Lagrangian bound (see [`Packing::lagrangian`]) of the items left in bins
    /// `bins[i..]` at the root's prices: the selection's term is the plain sum of prices when
    /// that prunes, else the pooled knapsack.
    pub(super) fn lagrangian_bound(
        &mut self,
        i: usize,
        pooled: &(Vec<usize>, usize),
    ) -> (f64, f64) {
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

    /// Upper bound on the profit of the items left in bins `bins[i..]`.
    /// Only whether it prunes matters for a node whose packed profit is at most `extra` above
    /// the current one: a smaller bound that still prunes it may be returned.
    pub(super) fn bound(&self, i: usize, extra: f64) -> f64 {
        self.surrogate_of(i, false, &self.pooled(i), extra, &mut Vec::new())
            .0
    }

    /// The surrogate bound of the items left in bins `bins[i..]` and, when `choose` (and the
    /// sizes are integral), the items of its knapsack solution.
    pub(in crate::engine::packing) fn surrogate(
        &self,
        i: usize,
        choose: bool,
    ) -> (f64, Vec<usize>) {
        let (bound, set, _) = self.surrogate_of(i, choose, &self.pooled(i), 0.0, &mut Vec::new());
        (bound, set)
    }

    /// A bound on the surrogate of the node at bin position `i` (pooled room `room`) from
    /// its parent's table, when the parent had one: with `S` the parent's bin's filling,
    /// the items left without `S` in `room` are worth at most the parent's items in `room`
    /// plus the size of `S`, less the profit of `S` (add `S` to any of their fillings). In
    /// one lookup: the bound falls with the room the filling leaves empty, which prunes
    /// most nodes of the strongly correlated packings before their own table.
    pub(super) fn surrogate_from_parent(&self, i: usize, room: usize) -> Option<f64> {
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
    pub(super) fn surrogate_of(
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
    pub(in crate::engine::packing) fn pooled(&self, i: usize) -> (Vec<usize>, usize) {
        self.pooled_rooms(i, None)
    }

    /// [`Self::pooled`], each bin's room also written to `rooms` (by position from `i`).
    /// The parent node's rooms (`rooms[i - 1]`, written on the current path) cap this node's:
    /// its items are fewer, and a search that reaches the cap can stop.
    pub(super) fn pooled_rooms(
        &self,
        i: usize,
        mut out: Option<&mut Vec<usize>>,
    ) -> (Vec<usize>, usize) {
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
                    assert_eq!(
                        room,
                        super::super::knapsack::max_subset_sum(&own, full).min(sum)
                    );
                }
            }
        }
        if let Some(out) = out {
            out.extend_from_slice(rooms);
        }
        (items, rooms.iter().sum())
    }
}

/// The Lagrangian knapsack terms of the bins `bins[i..]` at one node (see
/// [`Branch::lagrangian_bound`]).
#[derive(Clone, Debug, Default)]
pub(super) struct Terms {
    /// Computed for the node on the current path at this position.
    valid: bool,
    /// Each bin's term.
    value: Vec<f64>,
    /// Each bin's items, one bin after the other: bin `k`'s are `chosen[ends[k]..ends[k + 1]]`.
    chosen: Vec<usize>,
    ends: Vec<usize>,
}
