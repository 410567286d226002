//! Posts under construction, with the counters that make "may p take a post in m?" O(posts).

use super::eligibility::Eligibility;
use super::hours::Posts;
use crate::model::{Instance, ModuleIdx, StaffIdx};

/// Posts plus per-module and per-unit counters, always satisfying constraints 3-5.
#[derive(Clone, Debug)]
pub struct PostState {
    /// The posts.
    pub posts: Posts,
    /// People holding a post, per module.
    pub holders: Vec<u32>,
    /// Distinct people holding a post in the unit's modules, per unit.
    pub unit_people: Vec<u32>,
    /// Per person and unit: how many of the person's posts are in the unit (flattened).
    in_unit: Vec<u16>,
    n_units: usize,
}

impl PostState {
    /// No posts.
    #[must_use]
    pub fn empty(inst: &Instance) -> Self {
        Self {
            posts: Posts::new(inst.staff.len()),
            holders: vec![0; inst.modules.len()],
            unit_people: vec![0; inst.units.len()],
            in_unit: vec![0; inst.staff.len() * inst.units.len()],
            n_units: inst.units.len(),
        }
    }

    /// Today's posts, keeping (in person order) those that are legal together.
    #[must_use]
    pub fn current(inst: &Instance, elig: &Eligibility) -> Self {
        let mut s = Self::empty(inst);
        for p in inst.staff_indices() {
            for &m in &inst.person(p).current_posts {
                if s.can_add(inst, elig, p, m) {
                    s.add(inst, p, m);
                }
            }
        }
        s
    }

    /// Whether `p` may take a post in `m` now: qualified, not held, under every cap, no
    /// conflict.
    #[must_use]
    pub fn can_add(&self, inst: &Instance, elig: &Eligibility, p: StaffIdx, m: ModuleIdx) -> bool {
        let held = self.posts.of(p);
        if held.len() >= inst.person(p).max_posts as usize || held.contains(&m) {
            return false;
        }
        if elig.modules_of[p.index()].binary_search(&m).is_err() {
            return false;
        }
        if held.iter().any(|&h| elig.conflict(h, m)) {
            return false;
        }
        let module = inst.module(m);
        if module
            .max_staff
            .is_some_and(|c| self.holders[m.index()] >= c)
        {
            return false;
        }
        if let Some(u) = module.unit
            && let Some(cap) = inst.units[u.index()].headcount_cap
            && self.in_unit[p.index() * self.n_units + u.index()] == 0
            && self.unit_people[u.index()] >= cap
        {
            return false;
        }
        true
    }

    /// Adds a post (the caller checked [`Self::can_add`]).
    pub fn add(&mut self, inst: &Instance, p: StaffIdx, m: ModuleIdx) {
        if !self.posts.add(p, m) {
            return;
        }
        self.holders[m.index()] += 1;
        if let Some(u) = inst.module(m).unit {
            let k = p.index() * self.n_units + u.index();
            if self.in_unit[k] == 0 {
                self.unit_people[u.index()] += 1;
            }
            self.in_unit[k] += 1;
        }
    }

    /// Removes a post.
    pub fn remove(&mut self, inst: &Instance, p: StaffIdx, m: ModuleIdx) {
        if !self.posts.remove(p, m) {
            return;
        }
        self.holders[m.index()] -= 1;
        if let Some(u) = inst.module(m).unit {
            let k = p.index() * self.n_units + u.index();
            self.in_unit[k] -= 1;
            if self.in_unit[k] == 0 {
                self.unit_people[u.index()] -= 1;
            }
        }
    }

    /// Removes every post of `p`.
    pub fn clear_person(&mut self, inst: &Instance, p: StaffIdx) {
        let held = self.posts.of(p).to_vec();
        for m in held {
            self.remove(inst, p, m);
        }
    }

    /// Tier 2: posts added plus posts removed against `current_posts`.
    #[must_use]
    pub fn stability(&self, inst: &Instance) -> u64 {
        let mut changed = 0_u64;
        for p in inst.staff_indices() {
            let held = self.posts.of(p);
            let today = &inst.person(p).current_posts;
            let kept = held
                .iter()
                .filter(|m| today.binary_search(m).is_ok())
                .count();
            changed += (held.len() - kept + today.len() - kept) as u64;
        }
        changed
    }
}
