//! The hours oracle: the best hours once posts are fixed.
//!
//! # The problem
//!
//! With posts fixed (who holds a post in which module), tier 1's hours part is an LP: maximise
//! `sum_d weight(d) * covered(d)` subject to person capacities, with `x[p,d] > 0` only when p
//! can do d and holds a post in `module(d)` that they may hold (not `unavailable`). Duties
//! with `splittable: false` are done entirely by one person or not at all.
//!
//! # Why a weight-class greedy over max-flows is exact
//!
//! The value of an hour depends on the duty only, and the vectors of covered hours that some
//! feasible `x` achieves form a polymatroid: the most hours a set `S` of duties can get is a
//! max-flow value, which is submodular in `S`. Maximising a linear function with non-negative
//! weights over a polymatroid is solved exactly by the greedy: serve the duties in decreasing
//! weight, each taking the most it can while the earlier ones keep what they have. Duties of
//! equal weight may be served together, so each weight class is one max-flow.
//!
//! The max-flow network itself is in `flow.rs`; choosing people for non-splittable duties is
//! in `placement.rs`.
//!
//! Capacities are `f64`; residuals at or below [`TOL`] count as zero. Every augmentation
//! subtracts the bottleneck from the arc that set it, which leaves exactly zero, so the
//! search terminates and no flow goes negative. The returned hours are trimmed so that no
//! person exceeds their capacity and no duty its hours by more than rounding.
//!
//! # Non-splittable duties
//!
//! [`HoursOracle::splittable_hours`] takes a person (or none) for each non-splittable duty,
//! reserves those hours first, then solves the splittable duties exactly.
//! [`HoursOracle::best_hours`] chooses those people too:
//! 1. a greedy inside the same weight-class pass: when a non-splittable duty's weight comes up,
//!    it goes first to the person the relaxation (every non-splittable duty made splittable,
//!    among people with room for all of it) gives most of its hours, then to the person whose
//!    spare capacity fits it best; when the candidate lacks spare, hours of already served
//!    duties are rerouted off them (never lowering any coverage) to make room. The relaxation
//!    costs one more flow and, on random medium and large instances, cuts the greedy's gap
//!    to the relaxation bound by two thirds or more;
//! 2. per connected component of the eligibility graph, a local search (move a duty to
//!    another person or to nobody, ejecting the cheapest duties of the target if needed; swap
//!    two duties), every move evaluated exactly;
//! 3. per component with few non-splittable duties, branch and bound whose bound relaxes the
//!    undecided duties to splittable ones (only towards people with room for all of them),
//!    which proves the result optimal; larger components are proven optimal when the result
//!    meets that relaxation at the root;
//! 4. instead of 2-3, components whose duties are all non-splittable go to the packing solver
//!    ([`super::packing`]) when [`BestOptions::packing_nodes`] allows.

mod flow;
mod placement;
#[cfg(test)]
mod tests;

use flow::Net;

use super::posts::Posts;
use crate::model::{DutyIdx, Instance, StaffIdx};

/// Absolute tolerance on hours: residuals at or below it are zero; a non-splittable duty fits
/// when it exceeds the capacity left by at most this.
pub const TOL: f64 = 1e-9;

/// No node: a person or duty outside the current network.
const NONE: u32 = u32::MAX;

fn u32_of(i: usize) -> u32 {
    u32::try_from(i).expect("networks have fewer than 2^32 nodes and arcs")
}

/// Relative tolerance for comparing objective values.
fn value_tol(v: f64) -> f64 {
    1e-9 * v.abs().max(1.0)
}

/// Hours for fixed posts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hours {
    /// Positive hours of each person on each duty, sorted by duty then person. A
    /// non-splittable duty appears at most once, with all its hours.
    pub x: Vec<(StaffIdx, DutyIdx, f64)>,
    /// Uncovered hours per duty, in `0..=hours`.
    pub uncovered: Vec<f64>,
    /// Hours worked per person, at most their capacity (up to [`TOL`]).
    pub load: Vec<f64>,
    /// `sum_d weight(d) * uncovered[d]`: the hours part of tier 1.
    pub value: f64,
    /// Per duty: who does it, for non-splittable duties that are covered; `None` otherwise.
    /// Feed it back to [`HoursOracle::splittable_hours`] to reproduce these hours.
    pub assigned: Vec<Option<StaffIdx>>,
    /// Whether `value` is proven the least possible for these posts (within 1e-9 relative).
    /// Always true from `splittable_hours` (given its non-splittable assignment).
    pub optimal: bool,
    /// A lower bound on `value` over every choice of people for the non-splittable duties
    /// under these posts: `value` when `optimal` from `best_hours`, 0 when not computed.
    pub bound: f64,
}

/// Effort of [`HoursOracle::best_hours`] on non-splittable duties.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BestOptions {
    /// Most exact evaluations spent by the local search, over all components.
    pub local_search_evals: usize,
    /// Components with at most this many non-splittable duties are solved by branch and bound.
    pub exact_max_duties: usize,
    /// Most branch-and-bound nodes (one exact evaluation each) per component; when reached,
    /// the best assignment found is kept and `optimal` may be false.
    pub exact_max_nodes: usize,
    /// Most work for local search and branch and bound together: arcs and nodes of the
    /// networks they evaluate plus arcs scanned by the flow searches (about 5e4 to 1e5 units
    /// per millisecond on a 2-core development machine). It bounds the time on big components
    /// and, unlike a clock, is deterministic.
    pub max_work: u64,
    /// Components whose duties are all non-splittable are packing problems
    /// ([`super::packing`]): most branch-and-bound nodes per such component; 0 leaves them to
    /// the local search and branch and bound above.
    pub packing_nodes: u64,
    /// Stop the packing search by then, keeping the best packing found (not deterministic).
    pub deadline: Option<std::time::Instant>,
}

impl Default for BestOptions {
    fn default() -> Self {
        Self {
            local_search_evals: 200,
            exact_max_duties: 12,
            exact_max_nodes: 2000,
            max_work: 10_000_000,
            packing_nodes: 20_000,
            deadline: None,
        }
    }
}

impl BestOptions {
    /// The greedy, then the packing solver with at most `nodes` branch-and-bound nodes on
    /// components whose duties are all non-splittable.
    #[must_use]
    pub fn packing(nodes: u64) -> Self {
        Self {
            packing_nodes: nodes,
            ..Self::greedy()
        }
    }

    /// The greedy alone: about the cost of two `splittable_hours` calls.
    #[must_use]
    pub fn greedy() -> Self {
        Self {
            local_search_evals: 0,
            exact_max_duties: 0,
            exact_max_nodes: 0,
            max_work: 0,
            packing_nodes: 0,
            deadline: None,
        }
    }
}

/// The hours oracle for one instance, with scratch space reused across calls.
///
/// ```
/// use modstaff::engine::{HoursOracle, Posts};
/// use modstaff::model::{ModuleIdx, StaffIdx};
/// let text = r#"{
///   "name": "demo",
///   "staff":   [{"id": "p1", "capacity": 10}, {"id": "p2", "capacity": 10}],
///   "modules": [{"id": "m1"}],
///   "duties":  [{"id": "d1", "module": "m1", "hours": 8, "weight": 2},
///               {"id": "d2", "module": "m1", "hours": 8}]
/// }"#;
/// let (inst, _) = modstaff::io::parse_instance(text, "demo.json").unwrap();
/// let posts = Posts::from_pairs(2, [(StaffIdx(0), ModuleIdx(0))]);
/// let mut oracle = HoursOracle::new(&inst);
/// let hours = oracle.splittable_hours(&posts, &[]);
/// // p1 alone: all of the heavier d1, 2 hours of d2.
/// assert_eq!(hours.uncovered, vec![0.0, 6.0]);
/// assert_eq!(hours.value, 6.0);
/// ```
#[derive(Debug)]
pub struct HoursOracle<'a> {
    inst: &'a Instance,
    /// All duties: weight descending; within a weight non-splittable first; then hours
    /// descending, then index.
    order: Vec<DutyIdx>,
    /// The splittable duties of `order`.
    split_order: Vec<DutyIdx>,
    /// Per module: people holding a post they may hold, ascending.
    holders: Vec<Vec<u32>>,
    /// Per duty (CSR): people allowed to work on it under the current posts, ascending.
    allowed_start: Vec<u32>,
    allowed: Vec<u32>,
    /// Per person: capacity left after non-splittable duties.
    cap_eff: Vec<f64>,
    /// Per duty: who does it (non-splittable duties only).
    assign: Vec<Option<StaffIdx>>,
    /// Per duty: a non-splittable duty relaxed to splittable (branch-and-bound bounds).
    relaxed: Vec<bool>,
    /// Person -> network person, `NONE` outside the network (component networks only).
    local_of: Vec<u32>,
    /// Network person -> person.
    net_person: Vec<u32>,
    /// Network duty -> duty.
    net_duty: Vec<u32>,
    /// Duty -> network duty (valid for duties in the current network only).
    net_local: Vec<u32>,
    /// Candidates of a non-splittable duty in the greedy.
    cands: Vec<(f64, f64, u32)>,
    /// Work spent and allowed in this `best_hours` call (see [`BestOptions::max_work`]).
    work: u64,
    work_limit: u64,
    /// Per allowed pair (parallel to `allowed`): the relaxation's hours, to guide the greedy.
    hint: Vec<f64>,
    net: Net,
}

impl<'a> HoursOracle<'a> {
    /// An oracle for `inst`.
    #[must_use]
    pub fn new(inst: &'a Instance) -> Self {
        let mut order: Vec<DutyIdx> = inst.duty_indices().collect();
        order.sort_by(|&a, &b| {
            let (da, db) = (inst.duty(a), inst.duty(b));
            db.weight
                .total_cmp(&da.weight)
                .then(da.splittable.cmp(&db.splittable))
                .then(db.hours.total_cmp(&da.hours))
                .then(a.cmp(&b))
        });
        let split_order = order
            .iter()
            .copied()
            .filter(|&d| inst.duty(d).splittable)
            .collect();
        let (np, nd) = (inst.staff.len(), inst.duties.len());
        Self {
            inst,
            order,
            split_order,
            holders: vec![Vec::new(); inst.modules.len()],
            allowed_start: Vec::new(),
            allowed: Vec::new(),
            cap_eff: Vec::new(),
            assign: vec![None; nd],
            relaxed: vec![false; nd],
            local_of: vec![NONE; np],
            net_person: Vec::new(),
            net_duty: Vec::new(),
            net_local: vec![NONE; nd],
            cands: Vec::new(),
            work: 0,
            work_limit: 0,
            hint: Vec::new(),
            net: Net::default(),
        }
    }

    /// The instance.
    #[must_use]
    pub fn instance(&self) -> &'a Instance {
        self.inst
    }

    /// Exact hours for `posts`, given who does each non-splittable duty.
    ///
    /// `fixed[d]` names the person doing non-splittable duty `d` (or none); it is read for
    /// non-splittable duties only and may be shorter than the duty list (missing means none).
    /// An entry is honoured when that person may work on `d` under `posts` and still has room
    /// for all of it; entries are taken by decreasing weight, and any that is not honoured
    /// leaves its duty uncovered (`Hours::assigned` shows what was honoured). The
    /// splittable duties then get the optimal hours in the capacity that is left.
    ///
    /// A post in a module the person is unavailable for carries no hours.
    ///
    /// # Panics
    /// When `posts` is sized for another number of staff, or names a module out of range.
    pub fn splittable_hours(&mut self, posts: &Posts, fixed: &[Option<StaffIdx>]) -> Hours {
        self.solve_fixed(posts, fixed);
        self.extract(true)
    }

    /// `splittable_hours(posts, fixed).value`, without building the hours.
    ///
    /// # Panics
    /// As [`Self::splittable_hours`].
    pub fn splittable_value(&mut self, posts: &Posts, fixed: &[Option<StaffIdx>]) -> f64 {
        self.solve_fixed(posts, fixed);
        self.net_value() + self.unassigned_value(&self.order)
    }

    /// The best hours for `posts`, also choosing who does each non-splittable duty (see the
    /// module documentation). `Hours::optimal` tells whether the choice is proven optimal.
    ///
    /// # Panics
    /// As [`Self::splittable_hours`].
    pub fn best_hours(&mut self, posts: &Posts, opts: &BestOptions) -> Hours {
        self.build_allowed(posts);
        self.accept_fixed(&[]);
        let choices = self
            .order
            .iter()
            .any(|&d| !self.inst.duty(d).splittable && !self.allowed_of(d).is_empty());
        if !choices {
            // Nothing to choose: the flow alone is exact.
            self.build_net_all();
            self.solve_classes();
            return self.extract(true);
        }
        self.relaxed_hints();
        self.greedy();
        if opts.packing_nodes == 0
            && (opts.max_work == 0 || (opts.local_search_evals == 0 && opts.exact_max_nodes == 0))
        {
            return self.extract(false);
        }
        let (optimal, slack) = self.search_components(opts);
        let assign = self.assign.clone();
        self.accept_fixed(&assign);
        self.build_net_all();
        self.solve_classes();
        let mut hours = self.extract(optimal);
        hours.bound = if optimal {
            hours.value
        } else {
            (hours.value - slack).max(0.0)
        };
        hours
    }

    /// Makes every later flow stop once `deadline` passes or `cancel` is set; [`Self::aborted`]
    /// then tells that some flow was cut short (its hours are valid, not optimal, and no bound).
    pub(crate) fn stop_at(
        &mut self,
        deadline: std::time::Instant,
        cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    ) {
        self.net.deadline = Some(deadline);
        self.net.cancel = cancel;
        self.net.aborted = false;
    }

    /// Whether a flow stopped at the limit of [`Self::stop_at`].
    pub(crate) fn aborted(&self) -> bool {
        self.net.aborted
    }

    /// As [`HoursOracle::splittable_hours`], or `None` when `deadline` passes or `cancel` is
    /// set before the flow is maximal (its value would then be no bound).
    pub(crate) fn splittable_hours_until(
        &mut self,
        posts: &Posts,
        fixed: &[Option<StaffIdx>],
        deadline: std::time::Instant,
        cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    ) -> Option<Hours> {
        self.net.deadline = Some(deadline);
        self.net.cancel = cancel;
        self.net.aborted = false;
        self.solve_fixed(posts, fixed);
        let aborted = self.net.aborted;
        self.net.deadline = None;
        self.net.cancel = None;
        self.net.aborted = false;
        (!aborted).then(|| self.extract(true))
    }

    fn solve_fixed(&mut self, posts: &Posts, fixed: &[Option<StaffIdx>]) {
        self.build_allowed(posts);
        if self.net.aborted {
            return;
        }
        self.accept_fixed(fixed);
        self.build_net_all();
        self.solve_classes();
    }

    fn allowed_of(&self, d: DutyIdx) -> &[u32] {
        let i = d.index();
        &self.allowed[self.allowed_start[i] as usize..self.allowed_start[i + 1] as usize]
    }

    /// Who may work on which duty under `posts`: holds a post in its module, is not
    /// unavailable for it, and can do the duty.
    fn build_allowed(&mut self, posts: &Posts) {
        let inst = self.inst;
        assert_eq!(
            posts.n_staff(),
            inst.staff.len(),
            "posts are sized for another instance"
        );
        for h in &mut self.holders {
            h.clear();
        }
        for (p, modules) in posts.held.iter().enumerate() {
            let person = &inst.staff[p];
            for &m in modules {
                if person.unavailable.binary_search(&m).is_err() {
                    self.holders[m.index()].push(u32_of(p));
                }
            }
        }
        self.allowed_start.clear();
        self.allowed.clear();
        self.allowed_start.push(0);
        for (i, duty) in inst.duties.iter().enumerate() {
            // On every eligible pair of thousands of people this takes a second: past a set
            // deadline the remaining duties get no one (a valid, smaller problem; `aborted`
            // tells the caller its flow is no bound).
            if i % 256 == 0 && self.net.deadline.is_some() && self.net.out_of_time() {
                self.net.aborted = true;
            }
            if self.net.aborted && self.net.deadline.is_some() {
                self.allowed_start.push(u32_of(self.allowed.len()));
                continue;
            }
            for &p in &self.holders[duty.module.index()] {
                let can_do = duty
                    .skill
                    .is_none_or(|s| inst.staff[p as usize].level(s) >= duty.min_level);
                if can_do {
                    self.allowed.push(p);
                }
            }
            self.allowed_start.push(u32_of(self.allowed.len()));
        }
    }

    /// Resets capacities and takes the honourable entries of `fixed` (see `splittable_hours`).
    fn accept_fixed(&mut self, fixed: &[Option<StaffIdx>]) {
        let inst = self.inst;
        self.cap_eff.clear();
        self.cap_eff.extend(inst.staff.iter().map(|p| p.capacity));
        self.assign.clear();
        self.assign.resize(inst.duties.len(), None);
        for i in 0..self.order.len() {
            let d = self.order[i];
            let duty = inst.duty(d);
            if duty.splittable {
                continue;
            }
            let Some(&Some(p)) = fixed.get(d.index()) else {
                continue;
            };
            if self.allowed_of(d).binary_search(&p.0).is_ok()
                && self.cap_eff[p.index()] + TOL >= duty.hours
            {
                self.cap_eff[p.index()] -= duty.hours;
                self.assign[d.index()] = Some(p);
            }
        }
    }

    /// The network of all people and all splittable duties.
    fn build_net_all(&mut self) {
        let duties = std::mem::take(&mut self.split_order);
        self.build_net(None, &duties);
        self.split_order = duties;
    }

    /// The network of `persons` (all when `None`) and of `duties` (in weight order) that are
    /// splittable or relaxed. A relaxed duty only links to people with room for all of it.
    fn build_net(&mut self, persons: Option<&[u32]>, duties: &[DutyIdx]) {
        let inst = self.inst;
        let np = persons.map_or(inst.staff.len(), <[u32]>::len);
        self.net.reset(np);
        self.net_person.clear();
        match persons {
            None => self.net_person.extend(0..u32_of(np)),
            Some(ps) => {
                for (i, &p) in ps.iter().enumerate() {
                    self.local_of[p as usize] = u32_of(i);
                }
                self.net_person.extend_from_slice(ps);
            }
        }
        for (l, &p) in self.net_person.iter().enumerate() {
            self.net.spare[l] = self.cap_eff[p as usize].max(0.0);
        }
        self.net_duty.clear();
        for &d in duties {
            let duty = inst.duty(d);
            let nonsplit = !duty.splittable;
            if nonsplit && !self.relaxed[d.index()] {
                continue;
            }
            self.net_local[d.index()] = u32_of(self.net_duty.len());
            self.net_duty.push(d.0);
            let i = d.index();
            let allowed =
                &self.allowed[self.allowed_start[i] as usize..self.allowed_start[i + 1] as usize];
            let (cap_eff, local_of) = (&self.cap_eff, &self.local_of);
            let people = allowed
                .iter()
                .filter(|&&p| !nonsplit || cap_eff[p as usize] + TOL >= duty.hours)
                .map(|&p| {
                    if persons.is_some() {
                        local_of[p as usize]
                    } else {
                        p
                    }
                });
            self.net.add_duty(duty.hours, people);
        }
        self.net.finish();
        if let Some(ps) = persons {
            for &p in ps {
                self.local_of[p as usize] = NONE;
            }
        }
    }

    /// Serves the network's duties class by class (they are in weight order).
    fn solve_classes(&mut self) {
        let inst = self.inst;
        let weight = |l: usize, net_duty: &[u32]| inst.duties[net_duty[l] as usize].weight;
        let nd = self.net.nd;
        let mut lo = 0;
        while lo < nd {
            let w = weight(lo, &self.net_duty);
            let mut hi = lo + 1;
            while hi < nd && weight(hi, &self.net_duty).to_bits() == w.to_bits() {
                hi += 1;
            }
            self.net.fill(lo, hi);
            lo = hi;
        }
    }

    /// Weighted uncovered hours of the network's duties.
    fn net_value(&self) -> f64 {
        self.net
            .rem
            .iter()
            .zip(&self.net_duty)
            .map(|(&r, &d)| self.inst.duties[d as usize].weight * r)
            .sum()
    }

    /// Weighted hours of the non-splittable duties of `duties` nobody does (relaxed excluded).
    fn unassigned_value(&self, duties: &[DutyIdx]) -> f64 {
        duties
            .iter()
            .filter(|&&d| {
                !self.inst.duty(d).splittable
                    && self.assign[d.index()].is_none()
                    && !self.relaxed[d.index()]
            })
            .map(|&d| self.inst.duty(d).weight * self.inst.duty(d).hours)
            .sum()
    }

    /// Hours from the whole-instance network and the non-splittable assignment, trimmed so
    /// that rounding never puts a person over capacity or a duty over its hours.
    fn extract(&self, optimal: bool) -> Hours {
        let inst = self.inst;
        let net = &self.net;
        debug_assert_eq!(net.nd, self.split_order.len(), "not the whole network");
        let mut split_load = vec![0.0; inst.staff.len()];
        for (e, &v) in net.x.iter().enumerate() {
            if v > TOL {
                split_load[self.net_person[net.e_person[e] as usize] as usize] += v;
            }
        }
        let scale: Vec<f64> = split_load
            .iter()
            .zip(&self.cap_eff)
            .map(|(&load, &cap)| {
                let room = cap.max(0.0);
                if load > room { room / load } else { 1.0 }
            })
            .collect();
        let mut x = Vec::with_capacity(net.x.len());
        let mut uncovered = vec![0.0; inst.duties.len()];
        let mut value = 0.0;
        for (i, duty) in inst.duties.iter().enumerate() {
            let d = DutyIdx::from(i);
            let start = x.len();
            let mut covered = 0.0;
            if duty.splittable {
                let l = self.net_local[i] as usize;
                for e in net.d_start[l]..net.d_start[l + 1] {
                    let v = net.x[e as usize];
                    if v > TOL {
                        let p = self.net_person[net.e_person[e as usize] as usize];
                        let v = v * scale[p as usize];
                        x.push((StaffIdx(p), d, v));
                        covered += v;
                    }
                }
                if covered > duty.hours {
                    let f = duty.hours / covered;
                    for entry in &mut x[start..] {
                        entry.2 *= f;
                    }
                    covered = duty.hours;
                }
            } else if let Some(p) = self.assign[i] {
                x.push((p, d, duty.hours));
                covered = duty.hours;
            }
            uncovered[i] = (duty.hours - covered).max(0.0);
            value += duty.weight * uncovered[i];
        }
        let mut load = vec![0.0; inst.staff.len()];
        for &(p, _, v) in &x {
            load[p.index()] += v;
        }
        Hours {
            x,
            uncovered,
            load,
            value,
            assigned: self.assign.clone(),
            optimal,
            bound: if optimal { value } else { 0.0 },
        }
    }
}
