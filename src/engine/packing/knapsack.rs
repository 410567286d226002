//! Knapsack tables and subset sums: the dynamic programmes and depth-first searches every
//! stage builds on.

use super::DP_CELLS;

/// Largest sum of a subset of `sizes` (integral) that is at most `cap`.
pub(super) fn max_subset_sum(sizes: &[usize], cap: usize) -> usize {
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
pub(super) fn max_subset_sums_into(
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
pub(super) fn max_subset(sizes: &[usize], cap: usize) -> Vec<bool> {
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

/// Most cells of a knapsack table kept as one byte per cell (faster than bits).
pub(super) const BYTE_CELLS: usize = 4_000_000;

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
pub(super) fn knapsack_table(
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
// Inlined into each caller so the loop is specialised per value type and item layout.
#[allow(clippy::inline_always)]
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

/// What [`knapsack_above`] found.
pub(super) enum Above {
    /// No filling is worth more than the floor.
    Nothing,
    /// The best filling (worth more than the floor) and which items it takes.
    Best(f64, Vec<bool>),
    /// Out of nodes: undecided.
    Unknown,
}

/// LP bounds of the suffixes of a knapsack's items (by decreasing profit per unit of size),
/// from prefix sums of sizes and profits, by binary search.
pub(super) struct SuffixLp<'a> {
    items: &'a [(usize, f64)],
    ws: Vec<usize>,
    ps: Vec<f64>,
}

impl<'a> SuffixLp<'a> {
    pub(super) fn new(items: &'a [(usize, f64)]) -> Self {
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
    pub(super) fn lp(&self, k: usize, room: usize) -> f64 {
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
pub(super) fn knapsack_above(items: &[(usize, f64)], cap: usize, floor: f64, nodes: u64) -> Above {
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
    let n = items.len();
    let bounds = SuffixLp::new(items);
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

/// Most profit of a 0-1 knapsack with integral sizes (`None` when the table is too big),
/// and optionally which items achieve it.
pub(super) fn knapsack(
    items: &[(usize, f64)],
    cap: usize,
    choose: bool,
) -> Option<(f64, Vec<bool>)> {
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
pub(super) struct LeaveOneOut {
    width: usize,
    len: usize,
    /// Row `k`: items `..k`.
    prefix: Vec<f64>,
    /// Row `k`: items `k..`.
    suffix: Vec<f64>,
}

impl LeaveOneOut {
    pub(super) fn new(items: &[(usize, f64)], cap: usize) -> Self {
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
    pub(super) fn full(&self, x: usize) -> f64 {
        self.prefix[self.len * self.width + x]
    }

    /// The best value without item `k` in room `x`.
    pub(super) fn without(&self, k: usize, x: usize) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::packing::Packing;
    use crate::rng::Rng;

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

    /// The LP of a suffix is the plain LP of its items (whole while they fit, then a
    /// fraction), and from a critical-item hint it is the LP itself, from any hint at or
    /// before the critical item, and names the critical item.
    #[test]
    fn suffix_lp_is_the_lp_from_any_hint() {
        let mut rng = Rng::new(5);
        for case in 0..300 {
            let n = 1 + case % 10;
            let mut items: Vec<(usize, f64)> = (0..n)
                .map(|_| (1 + rng.below(20), 1.0 + rng.below(40) as f64))
                .collect();
            items.sort_by(|a, b| (b.1 / b.0 as f64).total_cmp(&(a.1 / a.0 as f64)));
            let lp = SuffixLp::new(&items);
            let pk = Packing {
                size: items.iter().map(|&(w, _)| w as f64).collect(),
                profit: items.iter().map(|&(_, p)| p).collect(),
                ..Packing::default()
            };
            for k in 0..n {
                for room in 0..60 {
                    let exact = lp.lp(k, room);
                    let plain = pk.lp_fill(k..n, room as f64);
                    assert!(
                        (exact - plain).abs() <= 1e-9 * plain.max(1.0),
                        "case {case}"
                    );
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
            let limits: Vec<usize> = (0..=rng.below(5)).map(|_| rng.below(700)).collect();
            max_subset_sums_into(&sizes, &limits, &mut bits, &mut out);
            let sum: usize = sizes.iter().sum();
            let each: Vec<usize> = (limits.iter())
                .map(|&l| max_subset_sum(&sizes, l).min(sum))
                .collect();
            assert_eq!(out, each, "{sizes:?} {limits:?}");
        }
    }
}
