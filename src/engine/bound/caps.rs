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
use crate::model::{DutyIdx, StaffIdx};

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
    for (u, unit) in inst.units.iter().enumerate() {
        if let (Some(g), Some(k)) = (unit_group[u], unit.headcount_cap) {
            let mut people: Vec<StaffIdx> = groups[g]
                .1
                .iter()
                .flat_map(|&m| elig.people_of[m].iter().copied())
                .filter(holding)
                .collect();
            people.sort_unstable();
            people.dedup();
            let mut top = TopCapacity::new(k as usize);
            for p in people {
                top.add(inst.person(p).capacity);
            }
            groups[g].0 = top.sum;
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
