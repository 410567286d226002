//! The person problem of the decomposition by person (Dantzig-Wolfe): at dual prices of the
//! coupling constraints, the best *pattern* of one person, that is a set of posts within
//! `max_posts`, without conflicts and with every pin, hours on the duties of those modules
//! within capacity (non-splittable duties whole or not at all), and liaisons within
//! `max_liaisons`. The column generation (`colgen.rs`) prices columns with it, and the
//! Lagrangian bound at any prices is the dualised constant minus the people's best values.
//!
//! The search is exact up to a work limit; past it, the value returned is a valid upper bound
//! on the best pattern's value, so that every bound built on it stays valid.

use crate::engine::eligibility::Ctx;
use crate::model::{CounterpartIdx, DutyIdx, Instance, ModuleIdx, StaffIdx, UnitIdx};

/// Post sets tried per person problem before the rest is bounded instead of searched.
const SET_LIMIT: usize = 200_000;
/// Knapsack nodes per post set before its value is bounded instead of searched.
const KNAPSACK_LIMIT: usize = 2_000;

/// Prices of the coupling constraints (the master's duals, or Lagrange multipliers). Any
/// prices within their boxes give a valid bound: `pi[d]` in `[0, weight(d)]`, `rho[c]` in
/// `[0, liaison_weight]`, `nu[m]` in `[0, min_staff_weight]`, `mu[m] >= 0` (0 for modules
/// without `max_staff`), `eta[u] >= 0` (0 for units without `headcount_cap`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Duals {
    /// Coverage of each duty, per hour.
    pub(crate) pi: Vec<f64>,
    /// One liaison per listed counterpart.
    pub(crate) rho: Vec<f64>,
    /// Each module's staffing floor, per post.
    pub(crate) nu: Vec<f64>,
    /// Each module's `max_staff`, per post.
    pub(crate) mu: Vec<f64>,
    /// Each unit's headcount cap, per person.
    pub(crate) eta: Vec<f64>,
}

impl Duals {
    /// All prices zero.
    pub(crate) fn zero(inst: &Instance) -> Self {
        Self {
            pi: vec![0.0; inst.duties.len()],
            rho: vec![0.0; inst.counterparts.len()],
            nu: vec![0.0; inst.modules.len()],
            mu: vec![0.0; inst.modules.len()],
            eta: vec![0.0; inst.units.len()],
        }
    }

    /// The dualised right-hand sides: `sum_d pi*hours + sum_c rho + sum_m nu*min_staff -
    /// sum_m mu*max_staff - sum_u eta*headcount_cap`, over listed counterparts.
    pub(crate) fn constant(&self, inst: &Instance, listed: &[bool]) -> f64 {
        let duties: f64 = inst
            .duties
            .iter()
            .zip(&self.pi)
            .map(|(d, p)| p * d.hours)
            .sum();
        let liaisons: f64 = (0..inst.counterparts.len())
            .filter(|&c| listed[c])
            .map(|c| self.rho[c])
            .sum();
        let modules: f64 = inst
            .modules
            .iter()
            .enumerate()
            .map(|(m, module)| {
                self.nu[m] * f64::from(module.min_staff)
                    - module.max_staff.map_or(0.0, |k| self.mu[m] * f64::from(k))
            })
            .sum();
        let units: f64 = inst
            .units
            .iter()
            .enumerate()
            .map(|(u, unit)| {
                unit.headcount_cap
                    .map_or(0.0, |k| self.eta[u] * f64::from(k))
            })
            .sum();
        duties + liaisons + modules - units
    }

    /// `t * self + (1 - t) * other`, coordinate by coordinate (boxes are convex).
    pub(crate) fn blend(&self, other: &Self, t: f64) -> Self {
        let mix = |a: &[f64], b: &[f64]| -> Vec<f64> {
            a.iter()
                .zip(b)
                .map(|(x, y)| t * x + (1.0 - t) * y)
                .collect()
        };
        Self {
            pi: mix(&self.pi, &other.pi),
            rho: mix(&self.rho, &other.rho),
            nu: mix(&self.nu, &other.nu),
            mu: mix(&self.mu, &other.mu),
            eta: mix(&self.eta, &other.eta),
        }
    }
}

/// Duty prices read off a plan's hours, as the LP dual of the hours problem with every post
/// allowed would price them: a person who is full values an hour at the lightest weight they
/// work on, and a duty is worth no more than the cheapest person who could do it. This starts
/// a dual ascent near the flow bound instead of far below zero.
pub(crate) fn warm_prices(ctx: Ctx<'_>, x: &[(StaffIdx, DutyIdx, f64)], load: &[f64]) -> Vec<f64> {
    let (inst, elig) = (ctx.inst, ctx.elig);
    let mut price = vec![0.0_f64; inst.staff.len()];
    let mut lightest = vec![f64::INFINITY; inst.staff.len()];
    for &(p, d, h) in x {
        if h > 1e-9 {
            lightest[p.index()] = lightest[p.index()].min(inst.duty(d).weight);
        }
    }
    for (i, person) in inst.staff.iter().enumerate() {
        if load[i] >= person.capacity - 1e-6 && lightest[i].is_finite() {
            price[i] = lightest[i];
        }
    }
    inst.duties
        .iter()
        .enumerate()
        .map(|(d, duty)| {
            let cheapest = elig
                .doers_of(DutyIdx::from(d))
                .iter()
                .map(|p| price[p.index()])
                .fold(f64::INFINITY, f64::min);
            duty.weight.min(cheapest)
        })
        .collect()
}

/// Duty prices that are an optimal dual of the flow relaxation (every post held at once,
/// every duty splittable) given its optimal hours `x`: a person's hour is worth the weight of
/// the heaviest duty left uncovered that an alternating path reaches from them (they take on
/// a duty whose doer moves on, and so on), and a duty is worth its weight or its cheapest
/// doer's hour, whichever is less. The Lagrangian value at these prices is at least the flow
/// bound (the posts cap only lowers what people earn), so a dual ascent starts there.
pub(crate) fn flow_prices(ctx: Ctx<'_>, x: &[(StaffIdx, DutyIdx, f64)]) -> Vec<f64> {
    let (inst, elig) = (ctx.inst, ctx.elig);
    let mut covered = vec![0.0_f64; inst.duties.len()];
    let mut works: Vec<Vec<DutyIdx>> = vec![Vec::new(); inst.staff.len()];
    for &(p, d, h) in x {
        if h > 1e-9 {
            covered[d.index()] += h;
            works[p.index()].push(d);
        }
    }
    let mut open: Vec<usize> = (0..inst.duties.len())
        .filter(|&d| covered[d] < inst.duties[d].hours - 1e-6 * inst.duties[d].hours.max(1.0))
        .collect();
    open.sort_by(|&a, &b| {
        inst.duties[b]
            .weight
            .total_cmp(&inst.duties[a].weight)
            .then(a.cmp(&b))
    });
    let mut person: Vec<Option<f64>> = vec![None; inst.staff.len()];
    let mut reached = vec![false; inst.duties.len()];
    let mut queue: Vec<usize> = Vec::new();
    for &d in &open {
        let w = inst.duties[d].weight;
        if reached[d] {
            continue;
        }
        reached[d] = true;
        queue.push(d);
        while let Some(d) = queue.pop() {
            for &p in elig.doers_of(DutyIdx::from(d)) {
                if person[p.index()].is_none() {
                    person[p.index()] = Some(w);
                    for &next in &works[p.index()] {
                        if !reached[next.index()] {
                            reached[next.index()] = true;
                            queue.push(next.index());
                        }
                    }
                }
            }
        }
    }
    inst.duties
        .iter()
        .enumerate()
        .map(|(d, duty)| {
            elig.doers_of(DutyIdx::from(d))
                .iter()
                .map(|p| person[p.index()].unwrap_or(0.0))
                .fold(duty.weight, f64::min)
        })
        .collect()
}

/// Each person's pattern in a plan: posts (`posts[p]`), hours `x` and liaisons.
pub(crate) fn plan_patterns(
    inst: &Instance,
    posts: &[Vec<ModuleIdx>],
    x: &[(StaffIdx, DutyIdx, f64)],
    liaisons: &[(CounterpartIdx, StaffIdx)],
) -> Vec<Pattern> {
    let mut out: Vec<Pattern> = inst
        .staff_indices()
        .map(|p| {
            let mut modules = posts[p.index()].clone();
            modules.sort_unstable();
            Pattern {
                person: p,
                modules,
                hours: Vec::new(),
                liaisons: Vec::new(),
            }
        })
        .collect();
    for &(p, d, h) in x {
        if h > 1e-9 {
            out[p.index()].hours.push((d, h));
        }
    }
    for &(c, p) in liaisons {
        out[p.index()].liaisons.push(c);
    }
    for pattern in &mut out {
        pattern.hours.sort_unstable_by_key(|h| h.0);
        pattern.liaisons.sort_unstable();
    }
    out
}

/// Every person's best pattern at `z`, in the people's order (so the same whatever the
/// number of pricers, one per thread).
pub(crate) fn price_all(
    pricers: &mut [Pricer],
    ctx: Ctx<'_>,
    people: &[StaffIdx],
    z: &Duals,
) -> Vec<Priced> {
    if pricers.len() == 1 || people.len() < 16 {
        let pricer = &mut pricers[0];
        return people.iter().map(|&p| pricer.price(ctx, p, z)).collect();
    }
    let chunk = people.len().div_ceil(pricers.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = pricers
            .iter_mut()
            .zip(people.chunks(chunk))
            .map(|(pricer, part)| {
                scope.spawn(move || {
                    part.iter()
                        .map(|&p| pricer.price(ctx, p, z))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// One person's pattern: posts, hours, liaisons.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pattern {
    pub(crate) person: StaffIdx,
    /// Posts, sorted.
    pub(crate) modules: Vec<ModuleIdx>,
    /// Hours per duty (positive), sorted by duty.
    pub(crate) hours: Vec<(DutyIdx, f64)>,
    /// Counterparts this person is the liaison of, sorted.
    pub(crate) liaisons: Vec<CounterpartIdx>,
}

impl Pattern {
    /// The distinct units of the pattern's modules, sorted.
    pub(crate) fn units(&self, inst: &Instance) -> Vec<UnitIdx> {
        let mut units: Vec<UnitIdx> = self
            .modules
            .iter()
            .filter_map(|&m| inst.module(m).unit)
            .collect();
        units.sort_unstable();
        units.dedup();
        units
    }

    /// The pattern's value at prices `z`: what the person earns for the coupled resources it
    /// supplies, less what the caps charge.
    pub(crate) fn value(&self, inst: &Instance, z: &Duals) -> f64 {
        let hours: f64 = self.hours.iter().map(|&(d, h)| z.pi[d.index()] * h).sum();
        let posts: f64 = self
            .modules
            .iter()
            .map(|m| z.nu[m.index()] - z.mu[m.index()])
            .sum();
        let liaisons: f64 = self.liaisons.iter().map(|c| z.rho[c.index()]).sum();
        let units: f64 = self.units(inst).iter().map(|u| z.eta[u.index()]).sum();
        hours + posts + liaisons - units
    }
}

/// The best pattern found, its value, and an upper bound on every pattern's value (equal to
/// the value when the search finished).
#[derive(Clone, Debug)]
pub(crate) struct Priced {
    pub(crate) pattern: Pattern,
    #[cfg_attr(not(test), expect(dead_code, reason = "checked by the tests"))]
    pub(crate) value: f64,
    pub(crate) upper: f64,
}

/// A knapsack item: price per hour, hours, whether it may be split, the duty.
#[derive(Clone, Copy, Debug)]
struct Item {
    price: f64,
    hours: f64,
    split: bool,
    duty: DutyIdx,
}

/// Buffers reused across person problems.
#[derive(Default)]
pub(crate) struct Pricer {
    /// Per module of the person (index into `modules_of[p]`): its priced items, best first.
    lists: Vec<Vec<Item>>,
    items: Vec<Item>,
    take: Vec<bool>,
    best_take: Vec<bool>,
    cps: Vec<(f64, CounterpartIdx)>,
    units: Vec<UnitIdx>,
}

/// A post set's value: achieved (with the hours and liaisons that achieve it) and bounded.
struct SetValue {
    value: f64,
    upper: f64,
}

impl Pricer {
    /// Person `p`'s best pattern at prices `z`.
    pub(crate) fn price(&mut self, ctx: Ctx<'_>, p: StaffIdx, z: &Duals) -> Priced {
        let (inst, elig) = (ctx.inst, ctx.elig);
        let person = inst.person(p);
        let mods = &elig.modules_of[p.index()];
        let q = mods.len();
        self.lists.resize_with(q.max(self.lists.len()), Vec::new);
        for j in 0..q {
            let list = &mut self.lists[j];
            list.clear();
            for &d in elig.duties_of(p, j) {
                let duty = inst.duty(d);
                let price = z.pi[d.index()];
                // A whole duty longer than the capacity can never be taken.
                if price > 0.0 && (duty.splittable || duty.hours <= person.capacity + 1e-9) {
                    list.push(Item {
                        price,
                        hours: duty.hours,
                        split: duty.splittable,
                        duty: d,
                    });
                }
            }
            list.sort_unstable_by(|a, b| b.price.total_cmp(&a.price).then(a.duty.cmp(&b.duty)));
        }
        let pins: Vec<usize> = person
            .fixed_posts
            .iter()
            .filter_map(|m| mods.binary_search(m).ok())
            .collect();
        let k = (person.max_posts as usize).max(pins.len());
        // Optimistic gain of adding one module to any set: its own knapsack relaxed, its post
        // price and its best liaisons (units only ever cost).
        let mut gains: Vec<(f64, usize)> = (0..q)
            .filter(|j| !pins.contains(j))
            .filter(|&j| !pins.iter().any(|&i| elig.conflict(mods[i], mods[j])))
            .map(|j| (self.optimistic(inst, p, mods[j], j, z), j))
            .filter(|&(g, _)| g > 1e-12)
            .collect();
        gains.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut search = SetSearch {
            chosen: pins.clone(),
            best: pins.clone(),
            best_value: f64::NEG_INFINITY,
            upper: f64::NEG_INFINITY,
            ceiling: f64::INFINITY,
            nodes: 0,
        };
        let base = self.set_value(ctx, p, &pins, z);
        search.best_value = base.value;
        search.upper = base.upper;
        search.ceiling = self.ceiling(ctx, p, z, &pins, &gains, k);
        if k > pins.len() {
            self.branch(ctx, p, z, &gains, k, 0, base.upper, &mut search);
        }
        let best = search.best.clone();
        let value = self.set_value(ctx, p, &best, z);
        let pattern = self.pattern(ctx, p, &best, z);
        Priced {
            pattern,
            value: value.value,
            upper: search.upper.min(search.ceiling).max(value.value),
        }
    }

    /// A bound on every pattern of `p` at once: the hours of every module it may hold in one
    /// relaxed knapsack, the pins' post prices, the best positive post prices of the other
    /// modules and the best liaisons of them all (units only ever cost). It caps what a
    /// search cut short may claim.
    fn ceiling(
        &mut self,
        ctx: Ctx<'_>,
        p: StaffIdx,
        z: &Duals,
        pins: &[usize],
        gains: &[(f64, usize)],
        k: usize,
    ) -> f64 {
        let (inst, elig) = (ctx.inst, ctx.elig);
        let person = inst.person(p);
        let mods = &elig.modules_of[p.index()];
        self.items.clear();
        for &j in pins.iter().chain(gains.iter().map(|g| &g.1)) {
            self.items.extend_from_slice(&self.lists[j]);
        }
        self.items
            .sort_unstable_by(|a, b| b.price.total_cmp(&a.price).then(a.duty.cmp(&b.duty)));
        let mut cap = person.capacity;
        let mut v = 0.0;
        for item in &self.items {
            if cap <= 0.0 {
                break;
            }
            let x = item.hours.min(cap);
            v += item.price * x;
            cap -= x;
        }
        let post = |j: usize| z.nu[mods[j].index()] - z.mu[mods[j].index()];
        v += pins.iter().map(|&j| post(j)).sum::<f64>();
        let mut posts: Vec<f64> = gains
            .iter()
            .map(|g| post(g.1))
            .filter(|&x| x > 0.0)
            .collect();
        posts.sort_by(|a, b| b.total_cmp(a));
        v += posts.iter().take(k - pins.len()).sum::<f64>();
        let mut rhos: Vec<(f64, CounterpartIdx)> = pins
            .iter()
            .chain(gains.iter().map(|g| &g.1))
            .flat_map(|&j| inst.module(mods[j]).counterparts.iter())
            .map(|&c| (z.rho[c.index()], c))
            .filter(|r| r.0 > 0.0)
            .collect();
        rhos.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        rhos.dedup_by_key(|r| r.1);
        v + rhos
            .iter()
            .take(person.max_liaisons as usize)
            .map(|r| r.0)
            .sum::<f64>()
    }

    /// An upper bound on what module `m` (the person's `j`-th) adds to any set.
    fn optimistic(&self, inst: &Instance, p: StaffIdx, m: ModuleIdx, j: usize, z: &Duals) -> f64 {
        let person = inst.person(p);
        let mut cap = person.capacity;
        let mut v = 0.0;
        for item in &self.lists[j] {
            if cap <= 0.0 {
                break;
            }
            let x = item.hours.min(cap);
            v += item.price * x;
            cap -= x;
        }
        let module = inst.module(m);
        let mut rhos: Vec<f64> = module
            .counterparts
            .iter()
            .map(|c| z.rho[c.index()])
            .filter(|&r| r > 0.0)
            .collect();
        rhos.sort_by(|a, b| b.total_cmp(a));
        v + z.nu[m.index()] - z.mu[m.index()]
            + rhos.iter().take(person.max_liaisons as usize).sum::<f64>()
    }

    #[expect(clippy::too_many_arguments, reason = "recursive search state")]
    fn branch(
        &mut self,
        ctx: Ctx<'_>,
        p: StaffIdx,
        z: &Duals,
        gains: &[(f64, usize)],
        k: usize,
        from: usize,
        upper: f64,
        search: &mut SetSearch,
    ) {
        let mods = &ctx.elig.modules_of[p.index()];
        for i in from..gains.len() {
            let slots = k - search.chosen.len();
            let optimistic = upper + gains[i..].iter().take(slots).map(|g| g.0).sum::<f64>();
            if optimistic <= search.best_value + 1e-12
                || search.best_value >= search.ceiling - 1e-12
            {
                return;
            }
            if search.nodes >= SET_LIMIT {
                search.upper = search.upper.max(optimistic);
                return;
            }
            search.nodes += 1;
            let j = gains[i].1;
            if search
                .chosen
                .iter()
                .any(|&c| ctx.elig.conflict(mods[c], mods[j]))
            {
                continue;
            }
            search.chosen.push(j);
            let chosen = search.chosen.clone();
            let v = self.set_value(ctx, p, &chosen, z);
            search.upper = search.upper.max(v.upper);
            if v.value > search.best_value {
                search.best_value = v.value;
                search.best = chosen;
            }
            if search.chosen.len() < k {
                self.branch(ctx, p, z, gains, k, i + 1, v.upper, search);
            }
            search.chosen.pop();
        }
    }

    /// The value of the post set `js` (indices into `modules_of[p]`); the knapsack's choice
    /// is left in `best_take` over `items`.
    fn set_value(&mut self, ctx: Ctx<'_>, p: StaffIdx, js: &[usize], z: &Duals) -> SetValue {
        let (inst, elig) = (ctx.inst, ctx.elig);
        let person = inst.person(p);
        self.items.clear();
        for &j in js {
            self.items.extend_from_slice(&self.lists[j]);
        }
        self.items
            .sort_unstable_by(|a, b| b.price.total_cmp(&a.price).then(a.duty.cmp(&b.duty)));
        let (value, upper) = knapsack(
            &self.items,
            person.capacity,
            &mut self.take,
            &mut self.best_take,
        );
        let mut rest = 0.0;
        self.cps.clear();
        self.units.clear();
        for &j in js {
            let m = elig.modules_of[p.index()][j];
            let module = inst.module(m);
            rest += z.nu[m.index()] - z.mu[m.index()];
            for &c in &module.counterparts {
                self.cps.push((z.rho[c.index()], c));
            }
            if let Some(u) = module.unit {
                self.units.push(u);
            }
        }
        self.units.sort_unstable();
        self.units.dedup();
        rest -= self.units.iter().map(|u| z.eta[u.index()]).sum::<f64>();
        // Equal counterparts have equal prices, so they end up side by side.
        self.cps
            .sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        self.cps.dedup_by_key(|c| c.1);
        rest += self
            .cps
            .iter()
            .take(person.max_liaisons as usize)
            .map(|c| c.0)
            .filter(|&r| r > 0.0)
            .sum::<f64>();
        SetValue {
            value: value + rest,
            upper: upper + rest,
        }
    }

    /// The pattern of the post set `js` at prices `z`.
    fn pattern(&mut self, ctx: Ctx<'_>, p: StaffIdx, js: &[usize], z: &Duals) -> Pattern {
        let (inst, elig) = (ctx.inst, ctx.elig);
        self.set_value(ctx, p, js, z);
        let person = inst.person(p);
        let mut hours = fill(&self.items, &self.best_take, person.capacity);
        hours.sort_unstable_by_key(|h| h.0);
        let mut modules: Vec<ModuleIdx> =
            js.iter().map(|&j| elig.modules_of[p.index()][j]).collect();
        modules.sort_unstable();
        let mut liaisons: Vec<CounterpartIdx> = self
            .cps
            .iter()
            .take(person.max_liaisons as usize)
            .filter(|c| c.0 > 0.0)
            .map(|c| c.1)
            .collect();
        liaisons.sort_unstable();
        Pattern {
            person: p,
            modules,
            hours,
            liaisons,
        }
    }
}

struct SetSearch {
    chosen: Vec<usize>,
    best: Vec<usize>,
    best_value: f64,
    upper: f64,
    /// A bound on every pattern: the search stops once a pattern reaches it.
    ceiling: f64,
    nodes: usize,
}

/// The hours of the knapsack choice `take` (whole items) with the capacity left filled by the
/// splittable items, best first.
fn fill(items: &[Item], take: &[bool], capacity: f64) -> Vec<(DutyIdx, f64)> {
    let mut out = Vec::new();
    let mut cap = capacity;
    for (i, item) in items.iter().enumerate() {
        if !item.split && take.get(i).copied().unwrap_or(false) {
            out.push((item.duty, item.hours));
            cap -= item.hours;
        }
    }
    for item in items {
        if item.split && cap > 1e-9 {
            let x = item.hours.min(cap);
            out.push((item.duty, x));
            cap -= x;
        }
    }
    out
}

/// The knapsack with splittable and whole items, `items` sorted by price per hour, highest
/// first: the best value and an upper bound (equal when solved within the work limit).
/// `best` gets the whole items of the best choice found.
fn knapsack(
    items: &[Item],
    capacity: f64,
    take: &mut Vec<bool>,
    best: &mut Vec<bool>,
) -> (f64, f64) {
    let n = items.len();
    take.clear();
    take.resize(n, false);
    best.clear();
    best.resize(n, false);
    let mut dfs = Knapsack {
        items,
        rank: Vec::with_capacity(n),
        whole: Vec::new(),
        nodes: 0,
        best_value: f64::NEG_INFINITY,
        upper: f64::NEG_INFINITY,
    };
    for (i, item) in items.iter().enumerate() {
        dfs.rank.push(if item.split {
            usize::MAX
        } else {
            dfs.whole.len()
        });
        if !item.split {
            dfs.whole.push(i);
        }
    }
    // The relaxation: where the item it splits is splittable (or none is split), its whole
    // items are whole and it is the optimum.
    let (root, split) = dfs.relaxation(0, capacity);
    if split.is_none_or(|i| items[i].split) {
        let mut cap = capacity;
        for (i, item) in items.iter().enumerate() {
            if split == Some(i) || cap <= 1e-12 {
                break;
            }
            if !item.split {
                best[i] = true;
            }
            cap -= item.hours;
        }
        return (root, root);
    }
    dfs.search(0, capacity, 0.0, take, best);
    let value = dfs.best_value.max(0.0);
    (value, dfs.upper.max(value).min(root))
}

struct Knapsack<'a> {
    items: &'a [Item],
    /// Per item: its position among the whole items (`usize::MAX` for splittable ones).
    rank: Vec<usize>,
    /// Positions of the whole items, in price order.
    whole: Vec<usize>,
    nodes: usize,
    best_value: f64,
    upper: f64,
}

impl Knapsack<'_> {
    /// The relaxation with the first `k` whole items decided (and their hours gone from
    /// `cap`), the rest free: its value and the item it splits, if any.
    fn relaxation(&self, k: usize, cap: f64) -> (f64, Option<usize>) {
        let mut cap = cap;
        let mut v = 0.0;
        for (i, item) in self.items.iter().enumerate() {
            if cap <= 1e-12 {
                return (v, None);
            }
            if self.rank[i] < k {
                continue;
            }
            if item.hours <= cap + 1e-12 {
                v += item.price * item.hours;
                cap -= item.hours;
            } else {
                v += item.price * cap;
                return (v, Some(i));
            }
        }
        (v, None)
    }

    /// Depth-first over the whole items in price order; `value` is the taken whole items'.
    fn search(
        &mut self,
        k: usize,
        cap: f64,
        value: f64,
        take: &mut Vec<bool>,
        best: &mut Vec<bool>,
    ) {
        let (relaxed, split) = self.relaxation(k, cap);
        let optimistic = value + relaxed;
        if optimistic <= self.best_value + 1e-12 {
            return;
        }
        if split.is_none_or(|i| self.items[i].split) {
            // The free whole items fit as the relaxation takes them: it is exact here.
            self.best_value = optimistic;
            best.clone_from(take);
            let mut cap = cap;
            for (i, item) in self.items.iter().enumerate() {
                if split == Some(i) || cap <= 1e-12 {
                    break;
                }
                if self.rank[i] < k {
                    continue;
                }
                if !item.split {
                    best[i] = true;
                }
                cap -= item.hours;
            }
            return;
        }
        if self.nodes >= KNAPSACK_LIMIT {
            self.upper = self.upper.max(optimistic);
            return;
        }
        self.nodes += 1;
        let i = self.whole[k];
        let item = self.items[i];
        if item.hours <= cap + 1e-9 {
            take[i] = true;
            self.search(
                k + 1,
                cap - item.hours,
                value + item.price * item.hours,
                take,
                best,
            );
            take[i] = false;
        }
        self.search(k + 1, cap, value, take, best);
    }
}

#[cfg(test)]
mod tests {
    use super::{Duals, Pricer};
    use crate::engine::eligibility::{Ctx, Eligibility};
    use crate::engine::testkit::random_pinned_instance;
    use crate::model::{Instance, ModuleIdx, StaffIdx};
    use crate::rng::Rng;

    /// Random prices within their boxes, some zero.
    fn random_duals(inst: &Instance, r: &mut Rng) -> Duals {
        let mut z = Duals::zero(inst);
        let mut draw = |hi: f64| {
            if r.chance(0.3) {
                0.0
            } else {
                hi * r.below(101) as f64 / 100.0
            }
        };
        for (d, duty) in inst.duties.iter().enumerate() {
            z.pi[d] = draw(duty.weight);
        }
        for c in 0..inst.counterparts.len() {
            z.rho[c] = draw(inst.rules.liaison_weight);
        }
        for (m, module) in inst.modules.iter().enumerate() {
            z.nu[m] = draw(inst.rules.min_staff_weight);
            z.mu[m] = if module.max_staff.is_some() {
                draw(30.0)
            } else {
                0.0
            };
        }
        for (u, unit) in inst.units.iter().enumerate() {
            z.eta[u] = if unit.headcount_cap.is_some() {
                draw(30.0)
            } else {
                0.0
            };
        }
        z
    }

    /// The best pattern of `p` by enumerating every post set and every choice of whole
    /// duties, written from the model alone.
    fn brute(inst: &Instance, p: StaffIdx, z: &Duals) -> f64 {
        let person = inst.person(p);
        let qual: Vec<ModuleIdx> = inst
            .module_indices()
            .filter(|&m| inst.qualifies(p, m))
            .collect();
        let mut best = f64::NEG_INFINITY;
        for mask in 0_u32..(1 << qual.len()) {
            let set: Vec<ModuleIdx> = (0..qual.len())
                .filter(|i| mask >> i & 1 == 1)
                .map(|i| qual[i])
                .collect();
            if set.len() > person.max_posts as usize
                || person.fixed_posts.iter().any(|m| !set.contains(m))
                || set
                    .iter()
                    .any(|&a| set.iter().any(|&b| inst.in_conflict(a, b)))
            {
                continue;
            }
            let duties: Vec<_> = set
                .iter()
                .flat_map(|&m| inst.module(m).duties.iter().copied())
                .filter(|&d| inst.can_do(p, d))
                .collect();
            let whole: Vec<_> = duties
                .iter()
                .copied()
                .filter(|&d| !inst.duty(d).splittable)
                .collect();
            let mut split: Vec<_> = duties
                .iter()
                .copied()
                .filter(|&d| inst.duty(d).splittable)
                .collect();
            split.sort_by(|a, b| z.pi[b.index()].total_cmp(&z.pi[a.index()]));
            let mut hours_value = 0.0_f64;
            for wmask in 0_u32..(1 << whole.len()) {
                let taken: Vec<_> = (0..whole.len())
                    .filter(|i| wmask >> i & 1 == 1)
                    .map(|i| whole[i])
                    .collect();
                let used: f64 = taken.iter().map(|&d| inst.duty(d).hours).sum();
                if used > person.capacity + 1e-9 {
                    continue;
                }
                let mut v: f64 = taken
                    .iter()
                    .map(|&d| z.pi[d.index()] * inst.duty(d).hours)
                    .sum();
                let mut cap = person.capacity - used;
                for &d in &split {
                    let x = inst.duty(d).hours.min(cap.max(0.0));
                    v += z.pi[d.index()] * x;
                    cap -= x;
                }
                hours_value = hours_value.max(v);
            }
            let mut units: Vec<_> = set.iter().filter_map(|&m| inst.module(m).unit).collect();
            units.sort_unstable();
            units.dedup();
            let mut cps: Vec<_> = set
                .iter()
                .flat_map(|&m| inst.module(m).counterparts.iter().copied())
                .collect();
            cps.sort_unstable();
            cps.dedup();
            let mut rhos: Vec<f64> = cps.iter().map(|c| z.rho[c.index()]).collect();
            rhos.sort_by(|a, b| b.total_cmp(a));
            let v = hours_value
                + set
                    .iter()
                    .map(|m| z.nu[m.index()] - z.mu[m.index()])
                    .sum::<f64>()
                - units.iter().map(|u| z.eta[u.index()]).sum::<f64>()
                + rhos.iter().take(person.max_liaisons as usize).sum::<f64>();
            best = best.max(v);
        }
        best
    }

    /// The person problem's optimum is brute force's, at random prices, with pins; the pattern
    /// it returns is worth what it says.
    #[test]
    fn pricing_matches_brute_force() {
        let mut checked = 0;
        for seed in 0..300_u64 {
            let inst = random_pinned_instance(seed, (4, 6, 12), 0.3);
            let elig = Eligibility::new(&inst);
            let ctx = Ctx {
                inst: &inst,
                elig: &elig,
            };
            let mut r = Rng::new(seed);
            let mut pricer = Pricer::default();
            for _ in 0..3 {
                let z = random_duals(&inst, &mut r);
                for p in inst.staff_indices() {
                    let got = pricer.price(ctx, p, &z);
                    let want = brute(&inst, p, &z);
                    let tol = 1e-7 * want.abs().max(1.0);
                    assert!(
                        (got.value - want).abs() <= tol,
                        "seed {seed} {p:?}: {} vs {want}",
                        got.value
                    );
                    assert!(
                        (got.upper - want).abs() <= tol,
                        "seed {seed}: upper {}",
                        got.upper
                    );
                    let worth = got.pattern.value(&inst, &z);
                    assert!(
                        (worth - want).abs() <= tol,
                        "seed {seed}: pattern worth {worth} vs {want}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000);
    }
}
