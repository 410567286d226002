//! Who can do what, computed once per instance: the sparse structure every part of the
//! engine iterates over (variables exist only for eligible pairs).

use crate::model::{CounterpartIdx, DutyIdx, Instance, ModuleIdx, StaffIdx};

/// Eligibility of every person for every module and duty. Public for the benches: computing
/// it is part of every solve's setup.
#[derive(Clone, Debug)]
pub struct Eligibility {
    /// Per person: modules they qualify for, sorted.
    pub(crate) modules_of: Vec<Vec<ModuleIdx>>,
    /// Per person, aligned with `modules_of`: the duties of that module they can do.
    pub(crate) duties_of: Vec<Vec<Vec<DutyIdx>>>,
    /// Per module: people who qualify, sorted.
    pub(crate) people_of: Vec<Vec<StaffIdx>>,
    /// Per duty: people who can do it and qualify for its module, sorted.
    pub(crate) doers_of: Vec<Vec<StaffIdx>>,
    /// Per module: modules it conflicts with.
    pub(crate) conflicts_of: Vec<Vec<ModuleIdx>>,
    /// Per counterpart: modules listing it.
    pub(crate) listing: Vec<Vec<ModuleIdx>>,
    /// Counterparts listed by some module (their missing liaison costs).
    pub(crate) listed: Vec<CounterpartIdx>,
}

impl Eligibility {
    /// Computes eligibility for `inst`.
    #[must_use]
    pub fn new(inst: &Instance) -> Self {
        let np = inst.staff.len();
        let nm = inst.modules.len();
        let mut modules_of = vec![Vec::new(); np];
        let mut duties_of = vec![Vec::new(); np];
        let mut people_of = vec![Vec::new(); nm];
        let mut doers_of = vec![Vec::new(); inst.duties.len()];
        for p in inst.staff_indices() {
            for m in inst.module_indices() {
                if !inst.qualifies(p, m) {
                    continue;
                }
                let doable: Vec<DutyIdx> = inst
                    .module(m)
                    .duties
                    .iter()
                    .copied()
                    .filter(|&d| inst.can_do(p, d))
                    .collect();
                for &d in &doable {
                    doers_of[d.index()].push(p);
                }
                modules_of[p.index()].push(m);
                duties_of[p.index()].push(doable);
                people_of[m.index()].push(p);
            }
        }
        let mut conflicts_of = vec![Vec::new(); nm];
        for &(a, b) in &inst.rules.conflicts {
            conflicts_of[a.index()].push(b);
            conflicts_of[b.index()].push(a);
        }
        let mut listing = vec![Vec::new(); inst.counterparts.len()];
        for m in inst.module_indices() {
            for &c in &inst.module(m).counterparts {
                listing[c.index()].push(m);
            }
        }
        let listed = (0..inst.counterparts.len())
            .filter(|&c| !listing[c].is_empty())
            .map(CounterpartIdx::from)
            .collect();
        Self {
            modules_of,
            duties_of,
            people_of,
            doers_of,
            conflicts_of,
            listing,
            listed,
        }
    }

    /// Whether `a` and `b` conflict.
    #[must_use]
    pub(crate) fn conflict(&self, a: ModuleIdx, b: ModuleIdx) -> bool {
        self.conflicts_of[a.index()].contains(&b)
    }
}

/// What every step of the solver reads: the instance and who may do what in it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ctx<'a> {
    /// The instance.
    pub(crate) inst: &'a Instance,
    /// Its eligibility, computed once.
    pub(crate) elig: &'a Eligibility,
}
