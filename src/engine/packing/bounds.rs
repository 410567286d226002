//! Upper bounds of the whole problem: the surrogate relaxation, the Lagrangian by subgradient
//! steps, and the pooled Lagrangian's exact value by cutting planes.

use std::time::Instant;

use microlp::{ComparisonOp, OptimizationDirection, Problem, Solution, SolveOutcome, Variable};

use super::knapsack::{LeaveOneOut, knapsack, max_subset_sum};
use super::solver::Solver;
use super::{DP_CELLS, FIT_TOL, LAG_BRANCH_MIN_EFFORT, Packing};

/// Subgradient steps of [`Packing::lagrangian`]: the first step length (times the gap over
/// the squared norm), halved after this many iterations without a better bound (tuned on
/// the literature sets: it reaches the dual's value where shorter and longer steps stop
/// short).
pub(super) const LAG_STEP: f64 = 2.0;

const LAG_PATIENCE: usize = 20;

/// The exact pooled bound ([`Packing::lagrangian_lp`]) runs on solves given at least this
/// many Lagrangian iterations: full solves, as the pair branch and bound (a solve gets one
/// iteration per thousand nodes), not the search's light re-packs.
pub(super) const LAG_LP_MIN_ITERATIONS: usize = (LAG_BRANCH_MIN_EFFORT / 1_000) as usize;

/// What [`Packing::lagrangian`] found.
#[derive(Clone, Debug)]
pub(super) struct Lagrangian {
    /// The best (lowest) bound.
    pub(super) bound: f64,
    /// The item prices that gave it (valid for bounding any sub-problem as well).
    pub(super) prices: Vec<f64>,
    /// The best packing its heuristic built.
    pub(super) assign: Vec<Option<u32>>,
    /// That packing's profit.
    pub(super) profit: f64,
}

/// The selection part of [`Packing::lagrangian`]: a 0-1 knapsack over the items' prices with
/// the bins' room pooled (each bin's cut to the largest sum of sizes of its items that fits).
pub(super) struct Pool {
    /// Items that fit in some bin.
    items: Vec<usize>,
    sizes: Vec<usize>,
    /// The pooled room; `None` when the table would be too big.
    cap: Option<usize>,
}

impl Pool {
    pub(super) fn new(caps: &[usize], sizes: &[usize], of_bin: &[Vec<usize>]) -> Self {
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
            for &j in items {
                fits[j] = true;
            }
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
    pub(super) fn leave_one_out(
        &self,
        u: &[f64],
        max_cells: usize,
    ) -> Option<(f64, Vec<f64>, Vec<f64>)> {
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
        selected.fill(false);
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
    /// The surrogate bound (see the module documentation).
    #[must_use]
    pub(super) fn bound(&self) -> f64 {
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
    /// dominates both. Prices follow subgradient steps of column generation's bound (cheap:
    /// no pooled table) from the surrogate LP's critical density, aimed at `target` (the best
    /// profit known), until `steps_until`; then, on full solves, the pooled bound is reached
    /// exactly from their prices by cutting planes ([`Self::lagrangian_lp`], until
    /// `lp_until`), where subgradient steps on the pooled bound itself stall far above it.
    /// At most `iterations` steps and rounds. `None` when sizes are not integral or tables
    /// too big.
    pub(super) fn lagrangian(
        &self,
        target: f64,
        iterations: usize,
        steps_until: Option<Instant>,
        lp_until: Option<Instant>,
    ) -> Option<Lagrangian> {
        let mut lag = self.lagrangian_from(target, iterations, steps_until, None, LAG_STEP)?;
        if iterations < LAG_LP_MIN_ITERATIONS {
            return Some(lag);
        }
        if let Some((bound, prices)) =
            self.lagrangian_lp(&lag.prices, target.max(lag.profit), iterations, lp_until)
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
    pub(super) fn lagrangian_lp(
        &self,
        start: &[f64],
        target: f64,
        max_rounds: usize,
        deadline: Option<Instant>,
    ) -> Option<(f64, Vec<f64>)> {
        if !self.integral() || start.len() != self.n() {
            return None;
        }
        let n = self.n();
        let mut dual = PooledDual::new(self)?;
        let whole = self.profit.iter().all(|&p| (p - p.round()).abs() <= 1e-6);
        let out_of_time = || deadline.is_some_and(|d| Instant::now() >= d);
        let (mut lp, master) = Master::new(self);
        let mut center: Vec<f64> = (0..n)
            .map(|j| (self.profit[j] - start[j]).clamp(0.0, self.profit[j].max(0.0)))
            .collect();
        let (mut best, sel, fills) = dual.eval(&center)?;
        let (expr, rhs) = master.selection_cut(self, &sel);
        lp.add_constraint(expr, ComparisonOp::Ge, rhs);
        for (b, fill) in fills.iter().enumerate() {
            let (expr, rhs) = master.filling_cut(b, fill);
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
            let cuts = master.violated_cuts(&mut dual, &sol, &mut center, &mut best)?;
            if cuts.is_empty() {
                // The LP's prices price out: its value, reached at them, is the optimum.
                break;
            }
            // One batch: microlp refactorises once for all of them, not once per cut.
            let batch = cuts
                .into_iter()
                .map(|(expr, rhs)| (expr, ComparisonOp::Ge, rhs));
            sol = match sol.add_constraints(batch).map(SolveOutcome::into_solution) {
                Ok(Ok(s)) => s,
                _ => return Some((best, self.prices_of(&center))),
            };
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
    pub(super) fn lagrangian_from(
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
        let mut relaxed = Relaxation::new(self)?;
        let integral_profits = self.profit.iter().all(|&p| (p - p.round()).abs() <= 1e-6);
        let mut u: Vec<f64> = match start {
            Some(start) if start.len() == n => start.to_vec(),
            _ => self.critical_density_prices(),
        };
        let mut best = f64::INFINITY;
        let mut best_u = u.clone();
        let mut step = step;
        let mut since = 0;
        let mut primal = Solver::new(self);
        let mut primal_profit = f64::NEG_INFINITY;
        let mut target = target;
        for it in 0..iterations {
            if it % 8 == 0 && deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            let value = relaxed.solve(&u)?;
            let cur = relaxed.heuristic();
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
            if !relaxed.step(&mut u, step * (value - target).max(1e-6)) {
                break;
            }
        }
        Some(Lagrangian {
            bound: best,
            prices: best_u,
            assign: primal.bin.iter().map(|b| b.map(|b| b as u32)).collect(),
            profit: primal_profit,
        })
    }

    /// Prices from the surrogate LP's critical density `r`: `u_j = r * w_j` (at most `p_j`).
    fn critical_density_prices(&self) -> Vec<f64> {
        let n = self.n();
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
        (0..n)
            .map(|j| (r * self.size[j]).min(self.profit[j]))
            .collect()
    }
}

/// The relaxation of [`Packing::lagrangian_from`] at item prices `u`: every bin its own
/// knapsack over the profits `p_j - u_j`, and the items' prices earned apart.
struct Relaxation<'p> {
    pk: &'p Packing,
    caps: Vec<usize>,
    sizes: Vec<usize>,
    of_bin: Vec<Vec<usize>>,
    /// Bins by ascending capacity, for the Lagrangian heuristic.
    bins_up: Vec<usize>,
    /// The last solution: per item, how many bins took it; per bin, its items.
    count: Vec<u32>,
    picks: Vec<Vec<usize>>,
    /// Buffers.
    table: Vec<(usize, f64)>,
    g: Vec<f64>,
}

impl<'p> Relaxation<'p> {
    /// `None` when the tables would be too big, or there are no items or no bins.
    fn new(pk: &'p Packing) -> Option<Self> {
        let n = pk.n();
        let nb = pk.cap.len();
        let (caps, sizes, of_bin) = pk.whole_bins();
        let cells: usize = caps.iter().map(|&c| c * n).sum();
        if cells > DP_CELLS || n == 0 || nb == 0 {
            return None;
        }
        let mut bins_up: Vec<usize> = (0..nb).collect();
        bins_up.sort_by(|&a, &b| pk.cap[a].total_cmp(&pk.cap[b]).then(a.cmp(&b)));
        Some(Self {
            pk,
            caps,
            sizes,
            of_bin,
            bins_up,
            count: vec![0; n],
            picks: vec![Vec::new(); nb],
            table: Vec::new(),
            g: vec![0.0; n],
        })
    }

    /// The relaxation's value at prices `u` (a bound), its solution kept.
    fn solve(&mut self, u: &[f64]) -> Option<f64> {
        let pk = self.pk;
        self.count.iter_mut().for_each(|c| *c = 0);
        let mut value: f64 = (0..pk.n()).map(|j| u[j].max(0.0)).sum();
        for b in 0..pk.cap.len() {
            self.table.clear();
            let items: Vec<usize> = self.of_bin[b]
                .iter()
                .copied()
                .filter(|&j| pk.profit[j] - u[j] > 1e-12)
                .collect();
            (self.table).extend(items.iter().map(|&j| (self.sizes[j], pk.profit[j] - u[j])));
            let (v, chosen) = knapsack(&self.table, self.caps[b], true)?;
            value += v;
            self.picks[b].clear();
            for (k, &j) in items.iter().enumerate() {
                if chosen[k] {
                    self.count[j] += 1;
                    self.picks[b].push(j);
                }
            }
        }
        Some(value)
    }

    /// The Lagrangian heuristic: the last solution's items kept once (bins by ascending
    /// capacity), then completed greedily.
    fn heuristic(&self) -> Solver<'p> {
        let mut cur = Solver::new(self.pk);
        for &b in &self.bins_up {
            for &j in &self.picks[b] {
                if cur.bin[j].is_none() {
                    cur.put(j, b);
                }
            }
        }
        cur.fill();
        cur
    }

    /// A subgradient step on the prices `u` of length `scale` over the subgradient's squared
    /// norm; `false` when the subgradient is zero (every item packed once).
    fn step(&mut self, u: &mut [f64], scale: f64) -> bool {
        // Subgradient of the relaxed rows: 1 - (times item j is packed).
        for (g, &count) in self.g.iter_mut().zip(&self.count) {
            *g = 1.0 - f64::from(count);
        }
        let norm: f64 = self.g.iter().map(|x| x * x).sum();
        if norm == 0.0 {
            return false;
        }
        let t = scale / norm;
        for (u, &g) in u.iter_mut().zip(&self.g) {
            *u = (*u - t * g).max(0.0);
        }
        true
    }
}

/// The pooled Lagrangian at a point `alpha` of [`Packing::lagrangian_lp`]'s dual: the
/// selection's knapsack at prices `p - alpha` and each bin's knapsack at `alpha`.
struct PooledDual<'p> {
    pk: &'p Packing,
    caps: Vec<usize>,
    sizes: Vec<usize>,
    of_bin: Vec<Vec<usize>>,
    pool: Pool,
    /// Buffers.
    selected: Vec<bool>,
    table: Vec<(usize, f64)>,
}

impl<'p> PooledDual<'p> {
    /// `None` when the tables would be too big, or there are no items or no bins.
    fn new(pk: &'p Packing) -> Option<Self> {
        let n = pk.n();
        let nb = pk.cap.len();
        let (caps, sizes, of_bin) = pk.whole_bins();
        let cells: usize = caps.iter().map(|&c| c * n).sum();
        let pool = Pool::new(&caps, &sizes, &of_bin);
        if cells > DP_CELLS || n == 0 || nb == 0 || pool.cap.is_none() {
            return None;
        }
        Some(Self {
            pk,
            caps,
            sizes,
            of_bin,
            pool,
            selected: vec![false; n],
            table: Vec::new(),
        })
    }

    /// The bound at `alpha`, the selection, and each bin's filling.
    fn eval(&mut self, alpha: &[f64]) -> Option<(f64, Vec<usize>, Vec<Vec<usize>>)> {
        let n = self.pk.n();
        let nb = self.pk.cap.len();
        let u: Vec<f64> = (0..n).map(|j| self.pk.profit[j] - alpha[j]).collect();
        let mut value = self.pool.select(&u, &mut self.selected);
        let sel: Vec<usize> = (0..n).filter(|&j| self.selected[j]).collect();
        let mut fills = Vec::with_capacity(nb);
        for b in 0..nb {
            let items: Vec<usize> = self.of_bin[b]
                .iter()
                .copied()
                .filter(|&j| alpha[j] > 1e-12)
                .collect();
            self.table.clear();
            (self.table).extend(items.iter().map(|&j| (self.sizes[j], alpha[j])));
            let (v, chosen) = knapsack(&self.table, self.caps[b], true)?;
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
    }
}

/// A cut of [`Master`]: its terms and right-hand side (`>=`).
type Cut = (Vec<(Variable, f64)>, f64);

/// The variables of [`Packing::lagrangian_lp`]'s master LP: `alpha` per item, `sigma` for
/// the selection, `mu` per bin.
struct Master {
    alpha: Vec<Variable>,
    sigma: Variable,
    mu: Vec<Variable>,
}

impl Master {
    /// The LP without cuts: minimise `sigma + sum_b mu_b`, `alpha` in `[0, p]`.
    fn new(pk: &Packing) -> (Problem, Self) {
        let mut lp = Problem::new(OptimizationDirection::Minimize);
        let alpha = (0..pk.n())
            .map(|j| lp.add_var(0.0, (0.0, pk.profit[j].max(0.0))))
            .collect();
        let sigma = lp.add_var(1.0, (0.0, f64::INFINITY));
        let mu = (0..pk.cap.len())
            .map(|_| lp.add_var(1.0, (0.0, f64::INFINITY)))
            .collect();
        (lp, Self { alpha, sigma, mu })
    }

    /// `sigma >= sum_{j in sel} (p_j - alpha_j)`.
    fn selection_cut(&self, pk: &Packing, sel: &[usize]) -> Cut {
        let expr: Vec<_> = std::iter::once((self.sigma, 1.0))
            .chain(sel.iter().map(|&j| (self.alpha[j], 1.0)))
            .collect();
        (expr, sel.iter().map(|&j| pk.profit[j]).sum::<f64>())
    }

    /// `mu_b >= sum_{j in fill} alpha_j`.
    fn filling_cut(&self, b: usize, fill: &[usize]) -> Cut {
        let expr: Vec<_> = std::iter::once((self.mu[b], 1.0))
            .chain(fill.iter().map(|&j| (self.alpha[j], -1.0)))
            .collect();
        (expr, 0.0)
    }

    /// The cuts that the LP's solution `sol` violates, found at a point between it and
    /// `center` (the best point yet, Wentges' smoothing), else at the LP's point itself;
    /// a point with a lower bound than `best` becomes the center.
    fn violated_cuts(
        &self,
        dual: &mut PooledDual<'_>,
        sol: &Solution,
        center: &mut Vec<f64>,
        best: &mut f64,
    ) -> Option<Vec<Cut>> {
        const SMOOTHING: f64 = 0.5;
        let n = dual.pk.n();
        let at_lp: Vec<f64> = self.alpha.iter().map(|&v| sol.var_value(v)).collect();
        let (s_lp, mu_lp): (f64, Vec<f64>) = (
            sol.var_value(self.sigma),
            self.mu.iter().map(|&v| sol.var_value(v)).collect(),
        );
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
            let (value, sel, fills) = dual.eval(&point)?;
            if value < *best {
                *best = value;
                center.clone_from(&point);
            }
            let tol = 1e-7 * best.abs().max(1.0);
            let (expr, rhs) = self.selection_cut(dual.pk, &sel);
            let lhs = s_lp + sel.iter().map(|&j| at_lp[j]).sum::<f64>();
            if lhs < rhs - tol {
                cuts.push((expr, rhs));
            }
            for (b, fill) in fills.iter().enumerate() {
                let lhs = mu_lp[b] - fill.iter().map(|&j| at_lp[j]).sum::<f64>();
                if lhs < -tol {
                    cuts.push(self.filling_cut(b, fill));
                }
            }
            if !cuts.is_empty() || !smoothed {
                return Some(cuts);
            }
            smoothed = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::packing::Packed;
    use crate::engine::packing::testing::{brute, check, random};
    use crate::rng::Rng;

    #[test]
    fn lagrangian_bounds_the_optimum_and_its_packing_is_valid() {
        let mut rng = Rng::new(23);
        let mut tight = 0;
        for case in 0..150 {
            let pk = random(&mut rng, 2 + case % 4, 3 + case % 8, true);
            let exact = brute(&pk);
            let lag = pk.lagrangian(0.0, 300, None, None).expect("integral sizes");
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
            let best = pk
                .lagrangian(0.0, 1_000, None, None)
                .expect("integral sizes");
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
}
