//! Bounds of a node of the branch and bound: the surrogate relaxation over the bins' pooled
//! rooms (tables kept for the children) and the Lagrangian at the root's prices.

use super::super::knapsack::{
    Above, BYTE_CELLS, SuffixLp, knapsack, knapsack_above, knapsack_table, max_subset_sums_into,
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

impl Branch<'_> {
    /// The Lagrangian bound (see [`Packing::lagrangian`]) of the items left in bins
    /// `bins[i..]` at the root's prices: the selection's term is the plain sum of prices when
    /// that prunes, else the pooled knapsack.
    ///
    /// [`Packing::lagrangian`]: super::super::Packing::lagrangian
    pub(super) fn lagrangian_bound(
        &mut self,
        i: usize,
        pooled: &(Vec<usize>, usize),
    ) -> (f64, f64) {
        let pk = self.pk;
        // Each bin's knapsack term, taken from the parent node's when the items it chose are
        // all still out (the parent's items left include this node's: its best filling is
        // still the best).
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
            let v = if let Some((v, chosen)) = kept {
                here.chosen.extend_from_slice(chosen);
                v
            } else {
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
                let (v, take) = match knapsack_above(&table, cap, -1.0, self.tuning.knapsack_nodes)
                {
                    Above::Best(v, take) => (v, take),
                    Above::Nothing | Above::Unknown => match knapsack(&table, cap, true) {
                        Some(found) => found,
                        None => return (f64::INFINITY, 0.0),
                    },
                };
                here.chosen
                    .extend(ids.iter().zip(&take).filter(|&(_, &t)| t).map(|(&j, _)| j));
                v
            };
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
        // pooled room times the items.
        let floor = self.best_profit + margin(self.best_profit, self.whole) - self.profit - value;
        match knapsack_above(&table, room, floor - 1e-9, self.tuning.knapsack_nodes) {
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
            let exact = match knapsack_above(&table, total, floor, self.tuning.knapsack_nodes) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::packing::knapsack::max_subset_sum;
    use crate::engine::packing::solver::Solver;
    use crate::engine::packing::testing::{deep, hard, node_prices, unbounded_branch};
    use crate::rng::Rng;

    /// Down random paths of the branch and bound (each bin filled with a random set of the
    /// items left that fits), in the order of `search_node`, the bounds a node takes from its
    /// parent's agree with its own: each pooled room is its bin's largest subset sum (the
    /// parent's room never cuts it), the bound from the parent's surrogate table is at least
    /// the node's surrogate, and each Lagrangian term, kept from the parent or not, is its
    /// bin's knapsack over the items left.
    #[test]
    fn node_bounds_from_the_parent_match_the_nodes_own() {
        let mut rng = Rng::new(43);
        let (mut from_parent, mut parent_terms) = (0, 0);
        for case in 0..300 {
            let pk = if case % 2 == 0 {
                hard(&mut rng, case)
            } else {
                deep(&mut rng, case)
            };
            let empty = Solver::new(&pk);
            let prices = node_prices(&pk, true);
            let mut bb = unbounded_branch(&pk, &empty, prices.as_ref());
            for i in 0..bb.bins.len() {
                let mut rooms = std::mem::take(&mut bb.rooms[i]);
                let pooled = bb.pooled_rooms(i, Some(&mut rooms));
                bb.rooms[i] = rooms;
                for (x, &room) in bb.rooms[i].iter().enumerate() {
                    let b = bb.bins[i + x];
                    let own: Vec<usize> = (pooled.0.iter())
                        .filter(|&&j| bb.allowed(j, b))
                        .map(|&j| bb.whole_size[j])
                        .collect();
                    let cap = (pk.cap[b] + FIT_TOL).floor().max(0.0) as usize;
                    let sum: usize = own.iter().sum();
                    assert_eq!(room, max_subset_sum(&own, cap).min(sum), "case {case}");
                }
                bb.surrogate_tables[i].clear();
                if let Some(quick) = bb.surrogate_from_parent(i, pooled.1) {
                    let items: Vec<(usize, f64)> = (pooled.0.iter())
                        .map(|&j| (bb.whole_size[j], pk.profit[j]))
                        .collect();
                    let (exact, _) = knapsack(&items, pooled.1, false).expect("small");
                    assert!(quick >= exact - 1e-9, "case {case}: {quick} < {exact}");
                    from_parent += 1;
                }
                let mut full = std::mem::take(&mut bb.surrogate_tables[i]);
                let (_, _, kept) = bb.surrogate_of(i, true, &pooled, 0.0, &mut full);
                if !kept {
                    full.clear();
                }
                bb.surrogate_tables[i] = full;
                parent_terms += usize::from(i > 0 && bb.terms[i - 1].valid);
                bb.lagrangian_bound(i, &pooled);
                for (k, &b) in bb.bins[i..].iter().enumerate() {
                    let items: Vec<(usize, f64)> = (bb.reduced_items[b].iter())
                        .filter(|&&(j, _, _)| !bb.used[j])
                        .map(|&(_, s, r)| (s, r))
                        .collect();
                    let cap = (pk.cap[b] + FIT_TOL).floor().max(0.0) as usize;
                    let (exact, _) = knapsack(&items, cap, false).expect("small");
                    let term = bb.terms[i].value[k];
                    assert!(
                        (exact - term).abs() <= 1e-9 * exact.abs().max(1.0),
                        "case {case}: {exact} vs {term}"
                    );
                }
                // This bin's filling on the path.
                let b = bb.bins[i];
                let mut room = pk.cap[b];
                let mut filling = Vec::new();
                for j in bb.order.clone() {
                    if !bb.used[j] && bb.fits(j, b) && pk.size[j] <= room + FIT_TOL {
                        if rng.below(3) == 0 {
                            continue;
                        }
                        room -= pk.size[j];
                        bb.used[j] = true;
                        bb.assign[j] = Some(b as u32);
                        bb.profit += pk.profit[j];
                        filling.push(j);
                    }
                }
                bb.filling[i] = filling;
            }
        }
        // The parents' tables and terms were there to take from.
        assert!(from_parent > 100, "{from_parent}");
        assert!(parent_terms > 100, "{parent_terms}");
    }
}
