//! Who does each non-splittable duty: the greedy placement inside the weight-class pass, then,
//! per connected component of the eligibility graph, the packing solver (components whose
//! duties are all non-splittable), a local search, and branch and bound that proves the choice
//! optimal.

use super::{BestOptions, HoursOracle, NONE, TOL, u32_of, value_tol};
use crate::engine::packing;
use crate::model::{DutyIdx, StaffIdx};

/// A connected component of the eligibility graph that has non-splittable duties.
#[derive(Debug, Default)]
struct Comp {
    /// People, ascending.
    persons: Vec<u32>,
    /// Duties, in the oracle's weight order.
    duties: Vec<DutyIdx>,
    /// Non-splittable duties with someone eligible, most valuable (weight * hours) first.
    nonsplit: Vec<DutyIdx>,
}

/// A non-splittable duty's profit in the packing, `weight * hours`, snapped to a whole number
/// when it is one but for rounding (a weight given as profit / hours, as the literature's
/// imports do: 29 / 7 * 7 is 29.000000000000004). The packing's whole-profit bounds and its
/// LP's ties then see the profit itself.
fn duty_profit(weight: f64, hours: f64) -> f64 {
    let profit = weight * hours;
    let whole = profit.round();
    if (profit - whole).abs() <= 1e-9 * whole.abs().max(1.0) {
        whole
    } else {
        profit
    }
}

/// Branch-and-bound state.
struct Search {
    best: f64,
    best_assign: Vec<Option<StaffIdx>>,
    nodes: usize,
    limit: usize,
    aborted: bool,
}

impl HoursOracle<'_> {
    /// Improves the greedy's choices component by component: the packing solver where every
    /// duty of a component is non-splittable, else the local search and branch and bound.
    /// Returns whether every component is proven optimal and by how much the value may still
    /// exceed the optimum, summed over components.
    pub(super) fn search_components(&mut self, opts: &BestOptions) -> (bool, f64) {
        self.work = 0;
        self.work_limit = opts.max_work;
        let comps = self.components();
        let mut budget = opts.local_search_evals;
        let mut optimal = true;
        // What the value may still exceed the optimum by, summed over components.
        let mut slack = 0.0;
        for comp in &comps {
            let n = comp.nonsplit.len();
            // The packing solver's bounds and exact moves need whole hours (dynamic
            // programmes over hours; half hours and the like are scaled to whole units);
            // otherwise only its search applies, which beats the local search below on small
            // components and loses on large ones.
            let whole = self.size_scale(comp).is_some();
            if opts.packing_nodes > 0
                && comp.duties.len() == n
                && (whole || comp.persons.len() <= 60)
            {
                let (proven, gap) = self.pack(comp, opts);
                optimal &= proven;
                slack += gap;
                continue;
            }
            if opts.max_work == 0 {
                optimal = false;
                slack = f64::INFINITY;
                continue;
            }
            self.local_search(comp, &mut budget);
            let proven = self.prove(comp, opts);
            optimal &= proven;
            if !proven {
                let value = self.eval_component(comp, n);
                let root = self.root_relaxation(comp);
                slack += (value - root).max(0.0);
            }
        }
        (optimal, slack)
    }

    /// One weight-ordered pass: non-splittable duties are placed when their weight comes up,
    /// before the splittable duties of the same weight.
    pub(super) fn greedy(&mut self) {
        let inst = self.inst;
        self.build_net_all();
        let (mut i, mut l) = (0, 0);
        while i < self.order.len() {
            let w = inst.duty(self.order[i]).weight;
            let mut j = i;
            let mut k = 0;
            while j < self.order.len() && inst.duty(self.order[j]).weight.to_bits() == w.to_bits() {
                let d = self.order[j];
                if inst.duty(d).splittable {
                    k += 1;
                } else {
                    self.place(d);
                }
                j += 1;
            }
            self.net.fill(l, l + k);
            l += k;
            i = j;
        }
    }

    /// The relaxation's hours of each allowed person on each non-splittable duty, with every
    /// non-splittable duty treated as splittable (among people with room for all of it).
    pub(super) fn relaxed_hints(&mut self) {
        let inst = self.inst;
        self.hint.clear();
        self.hint.resize(self.allowed.len(), 0.0);
        for &d in &self.order {
            self.relaxed[d.index()] = !inst.duty(d).splittable;
        }
        let order = std::mem::take(&mut self.order);
        self.build_net(None, &order);
        self.solve_classes();
        for &d in &order {
            if inst.duty(d).splittable {
                continue;
            }
            self.relaxed[d.index()] = false;
            let l = self.net_local[d.index()] as usize;
            let start = self.allowed_start[d.index()] as usize;
            for e in self.net.d_start[l] as usize..self.net.d_start[l + 1] as usize {
                let p = self.net_person[self.net.e_person[e] as usize];
                let k = self
                    .allowed_of(d)
                    .binary_search(&p)
                    .expect("an allowed person");
                self.hint[start + k] = self.net.x[e];
            }
        }
        self.order = order;
    }

    /// Greedy placement of non-splittable `d` in the whole-instance network.
    fn place(&mut self, d: DutyIdx) {
        let h = self.inst.duty(d).hours;
        let i = d.index();
        self.cands.clear();
        let (lo, hi) = (
            self.allowed_start[i] as usize,
            self.allowed_start[i + 1] as usize,
        );
        for k in lo..hi {
            let p = self.allowed[k];
            if self.cap_eff[p as usize] + TOL >= h {
                let hint = self.hint.get(k).copied().unwrap_or(0.0);
                self.cands.push((hint, self.net.spare[p as usize], p));
            }
        }
        // The relaxation's choice first; then people with enough spare, best fit (nothing else
        // is disturbed); then the others, least rerouting first.
        self.cands.sort_by(|a, b| {
            let fits = |c: &(f64, f64, u32)| c.1 + TOL >= h;
            b.0.total_cmp(&a.0)
                .then(fits(b).cmp(&fits(a)))
                .then(if fits(a) {
                    a.1.total_cmp(&b.1)
                } else {
                    b.1.total_cmp(&a.1)
                })
                .then(a.2.cmp(&b.2))
        });
        let mut chosen = None;
        for c in 0..self.cands.len() {
            let p = self.cands[c].2;
            // A failed attempt leaves a valid flow with the same coverage: nothing to undo.
            if self.net.free_up(p, h - self.net.spare[p as usize]) {
                chosen = Some(p);
                break;
            }
        }
        if let Some(p) = chosen {
            self.cap_eff[p as usize] -= h;
            let spare = &mut self.net.spare[p as usize];
            *spare = (*spare - h).max(0.0);
            self.assign[i] = Some(StaffIdx(p));
        }
    }

    /// The component's value with its non-splittable duties all undecided and relaxed.
    fn root_relaxation(&mut self, comp: &Comp) -> f64 {
        let saved: Vec<Option<StaffIdx>> = comp
            .nonsplit
            .iter()
            .map(|d| self.assign[d.index()])
            .collect();
        for &d in &comp.nonsplit {
            self.assign[d.index()] = None;
        }
        let root = self.eval_component(comp, 0);
        for (&d, &p) in comp.nonsplit.iter().zip(&saved) {
            self.assign[d.index()] = p;
        }
        root
    }

    /// The packing problem of a component of non-splittable duties only, and its current
    /// assignment as the start.
    fn packing_of(&self, comp: &Comp) -> (packing::Packing, Vec<Option<u32>>) {
        let inst = self.inst;
        // In a unit where every duty's hours are whole (half hours: k = 2), when there is one:
        // capacities are then floored to that unit without losing any packing.
        let k = self.size_scale(comp).unwrap_or(1.0);
        let mut pk = packing::Packing {
            cap: comp
                .persons
                .iter()
                .map(|&p| {
                    let c = inst.staff[p as usize].capacity * k;
                    if k > 1.0 { (c + 1e-6).floor() } else { c }
                })
                .collect(),
            ..Default::default()
        };
        let mut start = Vec::with_capacity(comp.nonsplit.len());
        for &d in &comp.nonsplit {
            let duty = inst.duty(d);
            pk.size.push(if k > 1.0 {
                (duty.hours * k).round()
            } else {
                duty.hours
            });
            pk.profit.push(duty_profit(duty.weight, duty.hours));
            pk.allowed.push(
                self.allowed_of(d)
                    .iter()
                    .filter_map(|p| comp.persons.binary_search(p).ok().map(u32_of))
                    .collect(),
            );
            start.push(
                self.assign[d.index()]
                    .and_then(|p| comp.persons.binary_search(&p.0).ok().map(u32_of)),
            );
        }
        (pk, start)
    }

    /// Takes a packing of `comp`'s non-splittable duties (see [`Self::packing_of`]).
    fn take_packing(&mut self, comp: &Comp, assign: &[Option<u32>]) {
        for (&d, b) in comp.nonsplit.iter().zip(assign) {
            self.assign[d.index()] = b.map(|b| StaffIdx(comp.persons[b as usize]));
        }
    }

    /// Solves a component of non-splittable duties only as a packing problem, from the
    /// current assignment. Returns whether it is proven optimal and by how much its value
    /// may exceed the optimum.
    fn pack(&mut self, comp: &Comp, opts: &BestOptions) -> (bool, f64) {
        let (pk, start) = self.packing_of(comp);
        let effort = packing::Effort {
            nodes: opts.packing_nodes,
            deadline: opts.deadline,
        };
        let packed = pk.solve(&start, effort);
        self.take_packing(comp, &packed.assign);
        (packed.proven, (packed.bound - packed.profit).max(0.0))
    }

    /// [`packing::size_scale`] of a component's non-splittable duties.
    fn size_scale(&self, comp: &Comp) -> Option<f64> {
        let max_cap = comp
            .persons
            .iter()
            .map(|&p| self.inst.staff[p as usize].capacity)
            .fold(0.0, f64::max);
        packing::size_scale(
            comp.nonsplit.iter().map(|&d| self.inst.duty(d).hours),
            max_cap,
        )
    }

    /// Connected components (people and duties linked by allowed pairs) that hold a
    /// non-splittable duty someone may do.
    fn components(&self) -> Vec<Comp> {
        let inst = self.inst;
        let (np, nd) = (inst.staff.len(), inst.duties.len());
        let mut parent: Vec<u32> = (0..u32_of(np + nd)).collect();
        let find = |parent: &mut Vec<u32>, mut v: u32| {
            while parent[v as usize] != v {
                let up = parent[parent[v as usize] as usize];
                parent[v as usize] = up;
                v = up;
            }
            v
        };
        for d in 0..nd {
            for &p in self.allowed_of(DutyIdx::from(d)) {
                let a = find(&mut parent, p);
                let b = find(&mut parent, u32_of(np + d));
                if a != b {
                    parent[a as usize] = b;
                }
            }
        }
        let mut comp_of = vec![NONE; np + nd];
        let mut comps: Vec<Comp> = Vec::new();
        for &d in &self.order {
            if !inst.duty(d).splittable && !self.allowed_of(d).is_empty() {
                let r = find(&mut parent, u32_of(np + d.index())) as usize;
                if comp_of[r] == NONE {
                    comp_of[r] = u32_of(comps.len());
                    comps.push(Comp::default());
                }
            }
        }
        if comps.is_empty() {
            return comps;
        }
        for p in 0..np {
            let c = comp_of[find(&mut parent, u32_of(p)) as usize];
            if c != NONE {
                comps[c as usize].persons.push(u32_of(p));
            }
        }
        for &d in &self.order {
            let c = comp_of[find(&mut parent, u32_of(np + d.index())) as usize];
            if c != NONE {
                let comp = &mut comps[c as usize];
                comp.duties.push(d);
                if !inst.duty(d).splittable {
                    comp.nonsplit.push(d);
                }
            }
        }
        for comp in &mut comps {
            comp.nonsplit.sort_by(|&a, &b| {
                let (da, db) = (inst.duty(a), inst.duty(b));
                (db.weight * db.hours)
                    .total_cmp(&(da.weight * da.hours))
                    .then(a.cmp(&b))
            });
        }
        comps
    }

    /// Exact weighted uncovered hours of `comp` under the current assignment, with its
    /// unassigned non-splittable duties from position `relax_from` on relaxed to splittable
    /// (a lower bound over their assignments). Infinite when someone's duties overflow.
    fn eval_component(&mut self, comp: &Comp, relax_from: usize) -> f64 {
        let inst = self.inst;
        for &p in &comp.persons {
            self.cap_eff[p as usize] = inst.staff[p as usize].capacity;
        }
        for &d in &comp.nonsplit {
            if let Some(p) = self.assign[d.index()] {
                self.cap_eff[p.index()] -= inst.duty(d).hours;
            }
        }
        if comp
            .persons
            .iter()
            .any(|&p| self.cap_eff[p as usize] < -TOL)
        {
            return f64::INFINITY;
        }
        for &d in &comp.nonsplit[relax_from..] {
            if self.assign[d.index()].is_none() {
                self.relaxed[d.index()] = true;
            }
        }
        self.build_net(Some(&comp.persons), &comp.duties);
        let before = self.net.scans;
        self.solve_classes();
        self.work +=
            self.net.scans - before + (self.net.x.len() + self.net.nd + self.net.np) as u64;
        let value = self.net_value() + self.unassigned_value(&comp.nonsplit);
        for &d in &comp.nonsplit {
            self.relaxed[d.index()] = false;
        }
        value
    }

    /// Hours of non-splittable duties of `comp` assigned to `p`.
    fn nonsplit_load(&self, comp: &Comp, p: StaffIdx) -> f64 {
        comp.nonsplit
            .iter()
            .filter(|&&d| self.assign[d.index()] == Some(p))
            .map(|&d| self.inst.duty(d).hours)
            .sum()
    }

    /// First-improvement local search on `comp`'s non-splittable duties.
    fn local_search(&mut self, comp: &Comp, budget: &mut usize) {
        let inst = self.inst;
        let n = comp.nonsplit.len();
        if *budget == 0 || n == 0 || self.work >= self.work_limit {
            return;
        }
        *budget -= 1;
        let mut cur = self.eval_component(comp, n);
        let mut cands: Vec<u32> = Vec::new();
        let mut at_p: Vec<DutyIdx> = Vec::new();
        loop {
            let mut improved = false;
            // Moves: d to another person (ejecting that person's cheapest non-splittable
            // duties when d does not fit) or to nobody.
            for &d in &comp.nonsplit {
                let h = inst.duty(d).hours;
                let old = self.assign[d.index()];
                cands.clear();
                cands.extend_from_slice(self.allowed_of(d));
                for c in 0..=cands.len() {
                    let target = cands.get(c).map(|&p| StaffIdx(p));
                    if target == old {
                        continue;
                    }
                    if *budget == 0 || self.work >= self.work_limit {
                        return;
                    }
                    self.assign[d.index()] = None;
                    at_p.clear();
                    if let Some(p) = target {
                        let cap = inst.person(p).capacity;
                        if cap + TOL < h {
                            self.assign[d.index()] = old;
                            continue;
                        }
                        let mut used = self.nonsplit_load(comp, p);
                        if used + h > cap + TOL {
                            at_p.extend(
                                comp.nonsplit
                                    .iter()
                                    .filter(|&&e| self.assign[e.index()] == Some(p)),
                            );
                            at_p.sort_by(|&a, &b| {
                                let (da, db) = (inst.duty(a), inst.duty(b));
                                (da.weight * da.hours).total_cmp(&(db.weight * db.hours))
                            });
                            let mut k = 0;
                            while k < at_p.len() && used + h > cap + TOL {
                                let e = at_p[k];
                                self.assign[e.index()] = None;
                                used -= inst.duty(e).hours;
                                k += 1;
                            }
                            at_p.truncate(k);
                        }
                    }
                    self.assign[d.index()] = target;
                    *budget -= 1;
                    let v = self.eval_component(comp, n);
                    if v < cur - value_tol(cur) {
                        cur = v;
                        improved = true;
                        break;
                    }
                    self.assign[d.index()] = old;
                    for &e in &at_p {
                        self.assign[e.index()] = target;
                    }
                }
            }
            // Swaps of two duties of different sizes held by different people.
            for i in 0..n {
                for j in i + 1..n {
                    let (d1, d2) = (comp.nonsplit[i], comp.nonsplit[j]);
                    let (Some(p1), Some(p2)) = (self.assign[d1.index()], self.assign[d2.index()])
                    else {
                        continue;
                    };
                    let (h1, h2) = (inst.duty(d1).hours, inst.duty(d2).hours);
                    if p1 == p2
                        || (h1 - h2).abs() <= TOL
                        || self.allowed_of(d1).binary_search(&p2.0).is_err()
                        || self.allowed_of(d2).binary_search(&p1.0).is_err()
                        || self.nonsplit_load(comp, p1) - h1 + h2 > inst.person(p1).capacity + TOL
                        || self.nonsplit_load(comp, p2) - h2 + h1 > inst.person(p2).capacity + TOL
                    {
                        continue;
                    }
                    if *budget == 0 || self.work >= self.work_limit {
                        return;
                    }
                    *budget -= 1;
                    self.assign[d1.index()] = Some(p2);
                    self.assign[d2.index()] = Some(p1);
                    let v = self.eval_component(comp, n);
                    if v < cur - value_tol(cur) {
                        cur = v;
                        improved = true;
                    } else {
                        self.assign[d1.index()] = Some(p1);
                        self.assign[d2.index()] = Some(p2);
                    }
                }
            }
            if !improved {
                return;
            }
        }
    }

    /// Tries to prove the current assignment of `comp` optimal, by branch and bound when it
    /// is small enough (keeping anything better it finds), else by the root relaxation.
    fn prove(&mut self, comp: &Comp, opts: &BestOptions) -> bool {
        let n = comp.nonsplit.len();
        let incumbent_assign: Vec<Option<StaffIdx>> = comp
            .nonsplit
            .iter()
            .map(|d| self.assign[d.index()])
            .collect();
        let incumbent = self.eval_component(comp, n);
        for &d in &comp.nonsplit {
            self.assign[d.index()] = None;
        }
        let proven;
        let best_assign;
        if n <= opts.exact_max_duties && opts.exact_max_nodes > 0 {
            let mut s = Search {
                best: incumbent,
                best_assign: incumbent_assign,
                nodes: 0,
                limit: opts.exact_max_nodes,
                aborted: false,
            };
            self.branch(comp, 0, &mut s);
            proven = !s.aborted;
            best_assign = s.best_assign;
        } else {
            let bound = self.eval_component(comp, 0);
            proven = bound >= incumbent - value_tol(incumbent);
            best_assign = incumbent_assign;
        }
        for (&d, &p) in comp.nonsplit.iter().zip(&best_assign) {
            self.assign[d.index()] = p;
        }
        proven
    }

    /// Branch and bound over `comp.nonsplit[k..]` (all unassigned on entry).
    fn branch(&mut self, comp: &Comp, k: usize, s: &mut Search) {
        if s.nodes >= s.limit || self.work >= self.work_limit {
            s.aborted = true;
            return;
        }
        s.nodes += 1;
        let bound = self.eval_component(comp, k);
        if bound >= s.best - value_tol(s.best) {
            return;
        }
        let n = comp.nonsplit.len();
        let snapshot = |oracle: &Self, s: &mut Search, bound: f64| {
            s.best = bound;
            s.best_assign.clear();
            s.best_assign
                .extend(comp.nonsplit.iter().map(|d| oracle.assign[d.index()]));
        };
        if k == n {
            snapshot(self, s, bound);
            return;
        }
        // A relaxed optimum that already does each undecided duty wholly by one person or not
        // at all is a completion reaching the bound.
        let mut choice: Vec<Option<StaffIdx>> = Vec::with_capacity(n - k);
        for &d in &comp.nonsplit[k..] {
            let h = self.inst.duty(d).hours;
            let l = self.net_local[d.index()] as usize;
            if h - self.net.rem[l] <= TOL {
                choice.push(None);
                continue;
            }
            let whole = (self.net.d_start[l]..self.net.d_start[l + 1])
                .find(|&e| self.net.x[e as usize] >= h - TOL)
                .map(|e| StaffIdx(self.net_person[self.net.e_person[e as usize] as usize]));
            match whole {
                Some(p) => choice.push(Some(p)),
                None => break,
            }
        }
        if choice.len() == n - k {
            for (&d, &p) in comp.nonsplit[k..].iter().zip(&choice) {
                self.assign[d.index()] = p;
            }
            snapshot(self, s, bound);
            for &d in &comp.nonsplit[k..] {
                self.assign[d.index()] = None;
            }
            return;
        }
        // Children: the people with room, most relaxed hours on d first; nobody ranks by
        // d's relaxed uncovered hours.
        let d = comp.nonsplit[k];
        let l = self.net_local[d.index()] as usize;
        let mut options: Vec<(f64, Option<StaffIdx>)> = (self.net.d_start[l]
            ..self.net.d_start[l + 1])
            .map(|e| {
                let p = self.net_person[self.net.e_person[e as usize] as usize];
                (self.net.x[e as usize], Some(StaffIdx(p)))
            })
            .collect();
        options.push((self.net.rem[l], None));
        options.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (_, p) in options {
            self.assign[d.index()] = p;
            self.branch(comp, k + 1, s);
            self.assign[d.index()] = None;
            if s.aborted {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::duty_profit;

    #[test]
    fn duty_profits_are_whole_when_they_are_but_for_rounding() {
        assert_ne!(29.0 / 7.0 * 7.0, 29.0);
        assert_eq!(duty_profit(29.0 / 7.0, 7.0), 29.0);
        assert_eq!(duty_profit(2.5, 1.5), 3.75);
        assert_eq!(duty_profit(1.0 / 3.0, 1.0), 1.0 / 3.0);
        assert_eq!(duty_profit(1e-3, 2.0), 2e-3);
    }
}
