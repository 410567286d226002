//! The caps bound: a module's duties are worked only by its holders, at most `max_staff` of
//! them, and a unit's modules by at most `headcount_cap` people, so a module (a unit) covers
//! at most the capacity of its `max_staff` (`headcount_cap`) most capable people who qualify.
//!
//! The flow bound lets everyone who qualifies work on every module at once, and is weak where
//! these caps bind: on 2,000 x 300 x 4,000 (`generate --seed 1`) it is 11,501.5 against a
//! plan of 31,390.5, and this bound is 31,094. The two relax different rules; the stated bound
//! is the better of them.

use super::flow::unavoidable_penalties;
use crate::engine::eligibility::Ctx;
use crate::model::{DutyIdx, Instance, StaffIdx};

/// The caps bound on tier 1: per unit (a module without a unit alone), the weighted hours
/// left when the heaviest duties are covered first, within these caps: the unit covers at
/// most the capacity of its `headcount_cap` most capable qualified people, and the first `i`
/// duties of a module, heaviest first, at most that of the `max_staff` most capable people
/// who can do one of them; plus the penalties no plan can avoid.
///
/// The capped sets (a unit, its modules, each module's heaviest-first prefixes) are nested or
/// disjoint, a laminar family, so the coverages within them form a polymatroid and covering
/// the heaviest hours first is optimal for this relaxation.
pub(crate) fn caps_bound(ctx: Ctx<'_>) -> f64 {
    let (inst, elig) = (ctx.inst, ctx.elig);
    let holding = |p: &StaffIdx| inst.person(*p).max_posts > 0;
    let order = |a: &DutyIdx, b: &DutyIdx| {
        inst.duty(*b)
            .weight
            .total_cmp(&inst.duty(*a).weight)
            .then(a.cmp(b))
    };
    // Per duty: what its module may still cover of the duties from it on in the module's
    // order (heaviest first), the least over the module's prefixes that contain it.
    let mut allowed = vec![0.0; inst.duties.len()];
    let mut seen = vec![false; inst.staff.len()];
    for module in &inst.modules {
        let mut duties = module.duties.clone();
        duties.sort_by(order);
        let k = module.max_staff.map_or(usize::MAX, |k| k as usize);
        let mut top = TopCapacity::new(k);
        let mut caps = Vec::with_capacity(duties.len());
        for &d in &duties {
            for p in elig.doers_of(d).iter().filter(|p| holding(p)) {
                if !std::mem::replace(&mut seen[p.index()], true) {
                    top.add(inst.person(*p).capacity);
                }
            }
            caps.push(top.sum);
        }
        for d in &duties {
            for p in elig.doers_of(*d) {
                seen[p.index()] = false;
            }
        }
        let mut least = f64::INFINITY;
        for (i, &d) in duties.iter().enumerate().rev() {
            least = least.min(caps[i]);
            allowed[d.index()] = least;
        }
    }
    // Per unit: its cap (capacity of the most capable people qualified for any of its modules)
    // and its modules; modules without a unit each form a group of their own.
    let mut groups: Vec<(f64, Vec<usize>)> = Vec::new();
    let mut unit_group: Vec<Option<usize>> = vec![None; inst.units.len()];
    for (m, module) in inst.modules.iter().enumerate() {
        let Some(u) = module.unit else {
            groups.push((f64::INFINITY, vec![m]));
            continue;
        };
        if let Some(g) = unit_group[u.index()] {
            groups[g].1.push(m);
        } else {
            unit_group[u.index()] = Some(groups.len());
            groups.push((f64::INFINITY, vec![m]));
        }
    }
    for (u, cap) in unit_caps(ctx).into_iter().enumerate() {
        if let (Some(g), Some(cap)) = (unit_group[u], cap) {
            groups[g].0 = cap;
        }
    }
    let mut covered = vec![0.0; inst.modules.len()];
    let mut uncovered = 0.0;
    for (mut unit_left, modules) in groups {
        let mut duties: Vec<DutyIdx> = modules
            .iter()
            .flat_map(|&m| inst.modules[m].duties.iter().copied())
            .collect();
        duties.sort_by(order);
        for d in duties {
            let duty = inst.duty(d);
            let m = duty.module.index();
            let x = duty
                .hours
                .min(allowed[d.index()] - covered[m])
                .min(unit_left)
                .max(0.0);
            covered[m] += x;
            unit_left -= x;
            uncovered += duty.weight * (duty.hours - x);
        }
    }
    uncovered + unavoidable_penalties(ctx)
}

/// The sum of the `k` largest capacities added so far.
struct TopCapacity {
    k: usize,
    /// The `k` largest, as a min-heap (capacities are finite and non-negative).
    heap: std::collections::BinaryHeap<std::cmp::Reverse<u64>>,
    sum: f64,
}

impl TopCapacity {
    fn new(k: usize) -> Self {
        Self {
            k,
            heap: std::collections::BinaryHeap::new(),
            sum: 0.0,
        }
    }

    fn add(&mut self, capacity: f64) {
        if self.k == 0 {
            return;
        }
        // Non-negative floats order as their bit patterns.
        let bits = capacity.max(0.0).to_bits();
        if self.heap.len() < self.k {
            self.heap.push(std::cmp::Reverse(bits));
            self.sum += f64::from_bits(bits);
        } else if let Some(&std::cmp::Reverse(least)) = self.heap.peek()
            && bits > least
        {
            self.heap.pop();
            self.heap.push(std::cmp::Reverse(bits));
            self.sum += f64::from_bits(bits) - f64::from_bits(least);
        }
    }
}

/// Per unit with a headcount cap: the capacity of its `headcount_cap` most capable people
/// qualified for one of its modules.
fn unit_caps(ctx: Ctx<'_>) -> Vec<Option<f64>> {
    let (inst, elig) = (ctx.inst, ctx.elig);
    let mut people: Vec<Vec<StaffIdx>> = vec![Vec::new(); inst.units.len()];
    for (m, module) in inst.modules.iter().enumerate() {
        if let Some(u) = module.unit {
            people[u.index()].extend(
                elig.people_of[m]
                    .iter()
                    .filter(|p| inst.person(**p).max_posts > 0),
            );
        }
    }
    inst.units
        .iter()
        .zip(people)
        .map(|(unit, mut people)| {
            unit.headcount_cap.map(|k| {
                people.sort_unstable();
                people.dedup();
                let mut top = TopCapacity::new(k as usize);
                for p in people {
                    top.add(inst.person(p).capacity);
                }
                top.sum
            })
        })
        .collect()
}

/// Per module with `max_staff`: the capacity of its `max_staff` most capable qualified people.
fn module_caps(ctx: Ctx<'_>) -> Vec<Option<f64>> {
    let (inst, elig) = (ctx.inst, ctx.elig);
    inst.modules
        .iter()
        .enumerate()
        .map(|(m, module)| {
            module.max_staff.map(|k| {
                let mut top = TopCapacity::new(k as usize);
                for p in &elig.people_of[m] {
                    if inst.person(*p).max_posts > 0 {
                        top.add(inst.person(*p).capacity);
                    }
                }
                top.sum
            })
        })
        .collect()
}

/// The caps' own prices: a capped module's hours are worth the weight of the heaviest duty its
/// cap leaves partly uncovered (0 where it covers them all). At these multipliers the capped
/// flow's value is at least the caps bound of the modules alone.
fn caps_prices(inst: &Instance, module_cap: &[Option<f64>]) -> Vec<f64> {
    inst.modules
        .iter()
        .zip(module_cap)
        .map(|(module, cap)| {
            let Some(mut left) = *cap else { return 0.0 };
            let mut duties: Vec<(f64, f64)> = module
                .duties
                .iter()
                .map(|&d| (inst.duty(d).weight, inst.duty(d).hours))
                .collect();
            duties.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (weight, hours) in duties {
                if hours > left + 1e-9 {
                    return weight;
                }
                left -= hours;
            }
            0.0
        })
        .collect()
}

/// The flow bound with the `max_staff` and headcount caps dualised: at multipliers
/// `sigma[m]`, `tau[u] >= 0` on "module `m` covers at most `cap(m)` hours" and "unit `u` at
/// most `cap(u)`" (the capacities of [`caps_bound`]), the rest is one weighted flow with
/// every post held at once and weights `weight(d) - sigma[m] - tau[u]`, so
///
/// ```text
/// L = sum_d weight*hours - sum_m sigma*cap(m) - sum_u tau*cap(u) - max_y sum_d w'(d)*y(d)
/// ```
///
/// is a valid bound at any multipliers, and its maximum is the LP of the flow with these caps:
/// on 300 x 80 x 600, 2785 against the flow's 1722.5 and the caps bound's 2299.5. The
/// multipliers rise by subgradient steps from the best so far, at most `iterations` flows,
/// until `deadline` or the bound reaches `upper` (the best plan's tier 1, also the steps'
/// target).
pub(crate) fn capped_flow_bound(
    ctx: Ctx<'_>,
    upper: f64,
    iterations: usize,
    deadline: std::time::Instant,
) -> f64 {
    let module_cap = module_caps(ctx);
    let unit_cap = unit_caps(ctx);
    if module_cap.iter().all(Option::is_none) && unit_cap.iter().all(Option::is_none) {
        return 0.0;
    }
    let mut flow = CappedFlow::new(ctx, module_cap, unit_cap);
    let mut point = Multipliers {
        sigma: caps_prices(ctx.inst, &flow.module_cap),
        tau: vec![0.0; ctx.inst.units.len()],
    };
    let mut best = f64::NEG_INFINITY;
    let mut theta = 0.25;
    // Steps always start from the best multipliers, along the subgradient there, and a step
    // that does not improve shrinks the next: a plain subgradient's steps grow as the value
    // falls, and diverged here.
    let mut at_best = (point.clone(), Multipliers::default());
    for _ in 0..iterations {
        if std::time::Instant::now() >= deadline {
            break;
        }
        let Some((value, subgradient)) = flow.evaluate(&point, deadline) else {
            break;
        };
        tracing::trace!(value, theta, "capped flow iteration");
        if !best.is_finite() || value > best + 1e-9 * best.abs().max(1.0) {
            best = value;
            at_best = (point.clone(), subgradient);
        } else {
            theta *= 0.7;
        }
        if best >= upper - 1e-9 * upper.abs().max(1.0) || theta < 1e-4 {
            break;
        }
        let (from, g) = &at_best;
        let norm: f64 = g.sigma.iter().chain(&g.tau).map(|g| g * g).sum();
        if norm < 1e-12 {
            break;
        }
        let target = if upper.is_finite() {
            upper
        } else {
            best.abs() * 1.1 + 1.0
        };
        point = from.step(g, theta * (target - best).max(1e-9) / norm);
    }
    best.max(0.0)
}

/// Multipliers on the module and unit caps (or a subgradient in their space).
#[derive(Clone, Debug, Default)]
struct Multipliers {
    sigma: Vec<f64>,
    tau: Vec<f64>,
}

impl Multipliers {
    /// `self + step * g`, projected onto the non-negative orthant.
    fn step(&self, g: &Self, step: f64) -> Self {
        let go = |x: &[f64], g: &[f64]| -> Vec<f64> {
            x.iter()
                .zip(g)
                .map(|(x, g)| (x + step * g).max(0.0))
                .collect()
        };
        Self {
            sigma: go(&self.sigma, &g.sigma),
            tau: go(&self.tau, &g.tau),
        }
    }
}

/// The capped flow's data: the caps, the relaxed instance whose weights the multipliers set,
/// and every post at once.
struct CappedFlow<'a> {
    ctx: Ctx<'a>,
    module_cap: Vec<Option<f64>>,
    unit_cap: Vec<Option<f64>>,
    relaxed: Instance,
    posts: crate::engine::posts::Posts,
    /// `sum_d weight*hours` plus the penalties no plan can avoid.
    constant: f64,
}

impl<'a> CappedFlow<'a> {
    fn new(ctx: Ctx<'a>, module_cap: Vec<Option<f64>>, unit_cap: Vec<Option<f64>>) -> Self {
        let mut relaxed = ctx.inst.clone();
        for d in &mut relaxed.duties {
            d.splittable = true;
        }
        let total: f64 = ctx.inst.duties.iter().map(|d| d.weight * d.hours).sum();
        Self {
            ctx,
            module_cap,
            unit_cap,
            relaxed,
            posts: super::flow::all_posts(ctx),
            constant: total + unavoidable_penalties(ctx),
        }
    }

    /// The bound at `z` and a subgradient there (components blocked at 0 dropped), or `None`
    /// when the flow is not done by `deadline`.
    fn evaluate(
        &mut self,
        z: &Multipliers,
        deadline: std::time::Instant,
    ) -> Option<(f64, Multipliers)> {
        let inst = self.ctx.inst;
        let mut charged = 0.0;
        for (d, duty) in self.relaxed.duties.iter_mut().enumerate() {
            let original = &inst.duties[d];
            let m = original.module.index();
            let tau = inst.modules[m].unit.map_or(0.0, |u| z.tau[u.index()]);
            duty.weight = (original.weight - z.sigma[m] - tau).max(0.0);
            charged += duty.weight * duty.hours;
        }
        let hours = crate::engine::hours::HoursOracle::new(&self.relaxed).splittable_hours_until(
            &self.posts,
            &[],
            deadline,
            None,
        )?;
        let dualised = dot(&self.module_cap, &z.sigma) + dot(&self.unit_cap, &z.tau);
        let value = self.constant - dualised - charged + hours.value;
        // Hours covered in each capped module (unit) beyond its cap.
        let mut covered = vec![0.0; inst.modules.len()];
        for (d, duty) in inst.duties.iter().enumerate() {
            covered[duty.module.index()] += duty.hours - hours.uncovered[d];
        }
        let mut unit_covered = vec![0.0; inst.units.len()];
        for (m, module) in inst.modules.iter().enumerate() {
            if let Some(u) = module.unit {
                unit_covered[u.index()] += covered[m];
            }
        }
        let part = |caps: &[Option<f64>], x: &[f64], covered: &[f64]| -> Vec<f64> {
            caps.iter()
                .zip(x)
                .zip(covered)
                .map(|((c, &x), &y)| {
                    c.map_or(0.0, |c| {
                        let g = y - c;
                        if x <= 0.0 && g < 0.0 { 0.0 } else { g }
                    })
                })
                .collect()
        };
        let g = Multipliers {
            sigma: part(&self.module_cap, &z.sigma, &covered),
            tau: part(&self.unit_cap, &z.tau, &unit_covered),
        };
        Some((value, g))
    }
}

/// `sum_i caps[i] * x[i]` over the capped entries.
fn dot(caps: &[Option<f64>], x: &[f64]) -> f64 {
    caps.iter()
        .zip(x)
        .filter_map(|(c, x)| c.map(|c| c * x))
        .sum()
}
