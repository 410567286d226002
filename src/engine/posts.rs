//! Who holds which post: [`Posts`], the plain set the hours oracle reads, and [`PostState`],
//! the same set with the counters that keep every cap and conflict rule (constraints 3-5)
//! checkable in O(posts) while the search builds and changes it.
//!
//! Pins (constraint 9, `fixed_posts`) are kept here, in one place: every state starts from
//! them ([`PostState::pinned`]) and [`PostState::remove`] refuses to drop one, so no search
//! move, repair or end pass can lose a pin.

use crate::engine::eligibility::Ctx;
use crate::model::{Instance, ModuleIdx, StaffIdx};

/// Which posts each person holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Posts {
    pub(super) held: Vec<Vec<ModuleIdx>>,
}

impl Posts {
    /// No posts, for `n_staff` people.
    #[must_use]
    pub fn new(n_staff: usize) -> Self {
        Self {
            held: vec![Vec::new(); n_staff],
        }
    }

    /// Today's posts (`current_posts`).
    #[must_use]
    pub fn current(inst: &Instance) -> Self {
        Self {
            held: inst.staff.iter().map(|p| p.current_posts.clone()).collect(),
        }
    }

    /// The given `(person, module)` pairs; repeats are ignored.
    #[must_use]
    pub fn from_pairs(
        n_staff: usize,
        pairs: impl IntoIterator<Item = (StaffIdx, ModuleIdx)>,
    ) -> Self {
        let mut posts = Self::new(n_staff);
        for (p, m) in pairs {
            posts.add(p, m);
        }
        posts
    }

    /// Number of people.
    #[must_use]
    pub fn n_staff(&self) -> usize {
        self.held.len()
    }

    /// The modules `p` holds a post in, sorted.
    #[must_use]
    pub fn of(&self, p: StaffIdx) -> &[ModuleIdx] {
        &self.held[p.index()]
    }

    /// Whether `p` holds a post in `m`.
    #[must_use]
    pub fn holds(&self, p: StaffIdx, m: ModuleIdx) -> bool {
        self.held[p.index()].binary_search(&m).is_ok()
    }

    /// Gives `p` a post in `m`; false when they already hold it.
    pub fn add(&mut self, p: StaffIdx, m: ModuleIdx) -> bool {
        let held = &mut self.held[p.index()];
        match held.binary_search(&m) {
            Ok(_) => false,
            Err(i) => {
                held.insert(i, m);
                true
            }
        }
    }

    /// Takes `p`'s post in `m` away; false when they did not hold it.
    pub fn remove(&mut self, p: StaffIdx, m: ModuleIdx) -> bool {
        let held = &mut self.held[p.index()];
        match held.binary_search(&m) {
            Ok(i) => {
                held.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// Total number of posts held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.held.iter().map(Vec::len).sum()
    }

    /// Whether nobody holds any post.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.held.iter().all(Vec::is_empty)
    }

    /// Every `(person, module)` post, by person then module.
    pub fn iter(&self) -> impl Iterator<Item = (StaffIdx, ModuleIdx)> + '_ {
        self.held
            .iter()
            .enumerate()
            .flat_map(|(p, ms)| ms.iter().map(move |&m| (StaffIdx::from(p), m)))
    }
}

/// Posts plus per-module and per-unit counters, always satisfying constraints 3-5 and
/// holding every pin (constraint 9).
#[derive(Clone, Debug)]
pub(crate) struct PostState {
    /// The posts.
    pub(crate) posts: Posts,
    /// People holding a post, per module.
    pub(crate) holders: Vec<u32>,
    /// Distinct people holding a post in the unit's modules, per unit.
    pub(crate) unit_people: Vec<u32>,
    /// Per person and unit: how many of the person's posts are in the unit (flattened).
    in_unit: Vec<u16>,
    n_units: usize,
}

impl PostState {
    /// No posts at all: only the start of [`Self::pinned`], since a state without the pins is
    /// no plan.
    fn empty(inst: &Instance) -> Self {
        Self {
            posts: Posts::new(inst.staff.len()),
            holders: vec![0; inst.modules.len()],
            unit_people: vec![0; inst.units.len()],
            in_unit: vec![0; inst.staff.len() * inst.units.len()],
            n_units: inst.units.len(),
        }
    }

    /// The pins alone: the least post set of any plan. Validation guarantees that they hold
    /// together (within every cap, no conflict, each person qualified).
    #[must_use]
    pub(crate) fn pinned(inst: &Instance) -> Self {
        let mut s = Self::empty(inst);
        for p in inst.staff_indices() {
            for &m in &inst.person(p).fixed_posts {
                s.add(inst, p, m);
            }
        }
        s
    }

    /// The pins, then today's posts, keeping (in person order) those that are legal together.
    #[must_use]
    pub(crate) fn current(ctx: Ctx<'_>) -> Self {
        let inst = ctx.inst;
        let mut s = Self::pinned(inst);
        for p in inst.staff_indices() {
            for &m in &inst.person(p).current_posts {
                if s.can_add(ctx, p, m) {
                    s.add(inst, p, m);
                }
            }
        }
        s
    }

    /// Whether `p` is pinned to `m` (a post no plan may drop).
    #[must_use]
    pub(crate) fn is_pinned(inst: &Instance, p: StaffIdx, m: ModuleIdx) -> bool {
        inst.person(p).fixed_posts.binary_search(&m).is_ok()
    }

    /// Whether every pin is held: true of every state built here; debug assertions check it
    /// where plans are rated and written.
    #[must_use]
    pub(crate) fn holds_pins(&self, inst: &Instance) -> bool {
        inst.staff_indices().all(|p| {
            inst.person(p)
                .fixed_posts
                .iter()
                .all(|&m| self.posts.holds(p, m))
        })
    }

    /// Whether `p` may take a post in `m` now: qualified, not held, under every cap, no
    /// conflict.
    #[must_use]
    pub(crate) fn can_add(&self, ctx: Ctx<'_>, p: StaffIdx, m: ModuleIdx) -> bool {
        let (inst, elig) = (ctx.inst, ctx.elig);
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
    pub(crate) fn add(&mut self, inst: &Instance, p: StaffIdx, m: ModuleIdx) {
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

    /// Removes a post; false when `p` did not hold it or is pinned to it. The one place posts
    /// are taken away, so a pin can never be lost.
    pub(crate) fn remove(&mut self, inst: &Instance, p: StaffIdx, m: ModuleIdx) -> bool {
        if Self::is_pinned(inst, p, m) || !self.posts.remove(p, m) {
            return false;
        }
        self.holders[m.index()] -= 1;
        if let Some(u) = inst.module(m).unit {
            let k = p.index() * self.n_units + u.index();
            self.in_unit[k] -= 1;
            if self.in_unit[k] == 0 {
                self.unit_people[u.index()] -= 1;
            }
        }
        true
    }

    /// Removes every post of `p` but their pins.
    pub(crate) fn clear_person(&mut self, inst: &Instance, p: StaffIdx) {
        let held = self.posts.of(p).to_vec();
        for m in held {
            self.remove(inst, p, m);
        }
    }

    /// Tier 2: posts added plus posts removed against `current_posts`.
    #[must_use]
    pub(crate) fn stability(&self, inst: &Instance) -> u64 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::eligibility::Eligibility;

    /// Ann is pinned to `b` and holds `a` and `c` today, with a posts cap of 2; `c` takes one
    /// person, and Bo is pinned to it.
    fn pinned() -> Instance {
        let text = r#"{
          "name": "pins",
          "staff": [
            {"id": "ann", "max_posts": 2, "current_posts": ["a", "c"], "fixed_posts": ["b"]},
            {"id": "bo", "fixed_posts": ["c"]}
          ],
          "modules": [{"id": "a"}, {"id": "b"}, {"id": "c", "max_staff": 1}],
          "duties": []
        }"#;
        crate::io::parse_instance(text, "pins.json")
            .expect("valid")
            .0
    }

    #[test]
    fn states_start_from_the_pins_and_never_drop_one() {
        let inst = pinned();
        let elig = Eligibility::new(&inst);
        let ctx = Ctx {
            inst: &inst,
            elig: &elig,
        };
        let (ann, bo) = (StaffIdx(0), StaffIdx(1));
        let (a, b, c) = (ModuleIdx(0), ModuleIdx(1), ModuleIdx(2));
        let start = PostState::pinned(&inst);
        assert_eq!(start.posts.of(ann), &[b]);
        assert_eq!(start.posts.of(bo), &[c]);
        assert!(start.holds_pins(&inst));
        // Today's posts come after the pins: `a` fits Ann's cap beside her pin, `c` (full
        // with Bo's pin, and over her cap) does not.
        let mut state = PostState::current(ctx);
        assert_eq!(state.posts.of(ann), &[a, b]);
        assert_eq!(state.holders, vec![1, 1, 1]);
        // A pin cannot be removed, alone or with everything else.
        assert!(!state.remove(&inst, ann, b));
        assert!(!state.remove(&inst, bo, c));
        assert!(state.remove(&inst, ann, a));
        assert!(!state.remove(&inst, ann, a), "no longer held");
        state.add(&inst, ann, a);
        state.clear_person(&inst, ann);
        state.clear_person(&inst, bo);
        assert_eq!(state.posts.of(ann), &[b]);
        assert_eq!(state.posts.of(bo), &[c]);
        assert_eq!(state.holders, vec![0, 1, 1]);
        assert!(state.holds_pins(&inst));
        assert!(PostState::is_pinned(&inst, ann, b) && !PostState::is_pinned(&inst, ann, a));
        // Only the private empty state, where the pins start, lacks them.
        assert!(!PostState::empty(&inst).holds_pins(&inst));
    }

    #[test]
    fn posts_api() {
        let mut posts = Posts::new(2);
        assert!(posts.is_empty());
        assert!(posts.add(StaffIdx(1), ModuleIdx(3)));
        assert!(posts.add(StaffIdx(1), ModuleIdx(1)));
        assert!(!posts.add(StaffIdx(1), ModuleIdx(3)));
        assert_eq!(posts.of(StaffIdx(1)), &[ModuleIdx(1), ModuleIdx(3)]);
        assert!(posts.holds(StaffIdx(1), ModuleIdx(3)));
        assert!(!posts.holds(StaffIdx(0), ModuleIdx(3)));
        assert_eq!(posts.len(), 2);
        assert!(posts.remove(StaffIdx(1), ModuleIdx(3)));
        assert!(!posts.remove(StaffIdx(1), ModuleIdx(3)));
        let pairs: Vec<_> = posts.iter().collect();
        assert_eq!(pairs, vec![(StaffIdx(1), ModuleIdx(1))]);
    }
}
