//! Who can do what, computed once per instance: the sparse structure every part of the
//! engine iterates over (variables exist only for eligible pairs).

use crate::model::{CounterpartIdx, DutyIdx, Instance, ModuleIdx, StaffIdx};

/// A duty of a module that needs a skill: (min level, position in the module, duty).
type Needing = (u8, usize, DutyIdx);

/// Eligibility of every person for every module and duty. Public for the benches: computing
/// it is part of every solve's setup.
#[derive(Clone, Debug)]
pub struct Eligibility {
    /// Per person: modules they qualify for, sorted.
    pub(crate) modules_of: Vec<Vec<ModuleIdx>>,
    /// Per person, aligned with `modules_of`: the duties of that module they can do, as one
    /// flat list (millions of pairs on large instances: one allocation, not one per pair).
    pair_duties: Vec<DutyIdx>,
    /// Where each (person, k-th module) pair's duties start in `pair_duties`; pairs are
    /// numbered person by person (`pair_start[p] + k`).
    duty_start: Vec<usize>,
    /// Per person: the number of its first pair.
    pair_start: Vec<usize>,
    /// Per module: people who qualify, sorted.
    pub(crate) people_of: Vec<Vec<StaffIdx>>,
    /// Per duty: people who can do it and qualify for its module, sorted, as one flat list
    /// (`doers_of`).
    doers: Vec<StaffIdx>,
    doer_start: Vec<usize>,
    /// Per module: modules it conflicts with.
    pub(crate) conflicts_of: Vec<Vec<ModuleIdx>>,
    /// Per counterpart: modules listing it.
    pub(crate) listing: Vec<Vec<ModuleIdx>>,
    /// Counterparts listed by some module (their missing liaison costs).
    pub(crate) listed: Vec<CounterpartIdx>,
}

impl Eligibility {
    /// Computes eligibility for `inst`: per module, its duties indexed by skill, so that a
    /// person is matched against the few skills they have rather than every duty of every
    /// module (5,000 people x 600 modules x 20,000 duties took seconds duty by duty).
    #[must_use]
    pub fn new(inst: &Instance) -> Self {
        let np = inst.staff.len();
        let nm = inst.modules.len();
        let mut modules_of = vec![Vec::new(); np];
        let mut pair_duties: Vec<DutyIdx> = Vec::new();
        let mut duty_start = vec![0];
        let mut pair_start = Vec::with_capacity(np + 1);
        let mut people_of = vec![Vec::new(); nm];
        // Per module: (position in the module, duty) of duties without a skill, and per skill
        // (min level, position, duty).
        let mut open: Vec<Vec<(usize, DutyIdx)>> = vec![Vec::new(); nm];
        // Skilled duties by (module, skill), flat: `skilled[at[m * ns + s]..at[m * ns + s + 1]]`.
        let ns = inst.skills.len();
        let mut at = vec![0usize; nm * ns + 1];
        for m in inst.module_indices() {
            for (pos, &d) in inst.module(m).duties.iter().enumerate() {
                let duty = inst.duty(d);
                match duty.skill {
                    Some(sk) if duty.min_level > 0 => at[m.index() * ns + sk.index() + 1] += 1,
                    _ => open[m.index()].push((pos, d)),
                }
            }
        }
        for i in 0..nm * ns {
            at[i + 1] += at[i];
        }
        let mut skilled: Vec<Needing> = vec![(0, 0, DutyIdx::from(0usize)); at[nm * ns]];
        let mut next = at.clone();
        for m in inst.module_indices() {
            for (pos, &d) in inst.module(m).duties.iter().enumerate() {
                let duty = inst.duty(d);
                if let Some(sk) = duty.skill.filter(|_| duty.min_level > 0) {
                    let k = m.index() * ns + sk.index();
                    skilled[next[k]] = (duty.min_level, pos, d);
                    next[k] += 1;
                }
            }
        }
        let mut doable: Vec<(usize, DutyIdx)> = Vec::new();
        for p in inst.staff_indices() {
            let person = inst.person(p);
            pair_start.push(duty_start.len() - 1);
            for m in inst.module_indices() {
                if person.unavailable.binary_search(&m).is_ok() {
                    continue;
                }
                doable.clear();
                doable.extend_from_slice(&open[m.index()]);
                let mut sources = usize::from(!doable.is_empty());
                let base = m.index() * ns;
                if at[base] < at[base + ns] {
                    for &(sk, level) in &person.skills {
                        let list = &skilled[at[base + sk.index()]..at[base + sk.index() + 1]];
                        let before = doable.len();
                        doable.extend(
                            list.iter()
                                .filter(|&&(min, _, _)| level >= min)
                                .map(|&(_, pos, d)| (pos, d)),
                        );
                        sources += usize::from(doable.len() > before);
                    }
                }
                // A module without duties is open to all; one with duties needs one doable.
                if doable.is_empty() && !inst.module(m).duties.is_empty() {
                    continue;
                }
                // The module's own order, as the engine has always iterated it (each source
                // is in that order already).
                if sources > 1 {
                    doable.sort_unstable_by_key(|&(pos, _)| pos);
                }
                pair_duties.extend(doable.iter().map(|&(_, d)| d));
                duty_start.push(pair_duties.len());
                modules_of[p.index()].push(m);
                people_of[m.index()].push(p);
            }
        }
        pair_start.push(duty_start.len() - 1);
        // The transpose, by counting: pairs are in person order, so each duty's doers come
        // out sorted.
        let mut doer_start = vec![0usize; inst.duties.len() + 1];
        for &d in &pair_duties {
            doer_start[d.index() + 1] += 1;
        }
        for i in 0..inst.duties.len() {
            doer_start[i + 1] += doer_start[i];
        }
        let mut fill = doer_start.clone();
        let mut doers = vec![StaffIdx::from(0usize); pair_duties.len()];
        for p in inst.staff_indices() {
            let pairs = pair_start[p.index()]..pair_start[p.index() + 1];
            for &d in &pair_duties[duty_start[pairs.start]..duty_start[pairs.end]] {
                doers[fill[d.index()]] = p;
                fill[d.index()] += 1;
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
            pair_duties,
            duty_start,
            pair_start,
            people_of,
            doers,
            doer_start,
            conflicts_of,
            listing,
            listed,
        }
    }

    /// The duties `p` can do in its `k`-th module (`modules_of[p][k]`), in the module's order.
    #[must_use]
    pub(crate) fn duties_of(&self, p: StaffIdx, k: usize) -> &[DutyIdx] {
        let pair = self.pair_start[p.index()] + k;
        &self.pair_duties[self.duty_start[pair]..self.duty_start[pair + 1]]
    }

    /// People who can do duty `d` and qualify for its module, sorted.
    #[must_use]
    pub(crate) fn doers_of(&self, d: DutyIdx) -> &[StaffIdx] {
        &self.doers[self.doer_start[d.index()]..self.doer_start[d.index() + 1]]
    }

    /// The number of eligible (person, module) pairs.
    #[must_use]
    pub(crate) fn pair_count(&self) -> usize {
        self.duty_start.len() - 1
    }

    /// The number of eligible (person, duty) pairs (within eligible modules).
    #[must_use]
    pub(crate) fn pair_duty_count(&self) -> usize {
        self.pair_duties.len()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testkit::random_instance;

    /// The skill index gives exactly what the definitions (`qualifies`, `can_do`) give, in the
    /// module's order.
    #[test]
    fn the_index_matches_the_definitions() {
        for seed in 0..40 {
            let inst = random_instance(seed, 12, 6, 30);
            let e = Eligibility::new(&inst);
            for d in inst.duty_indices() {
                let doers: Vec<StaffIdx> = inst
                    .staff_indices()
                    .filter(|&p| inst.can_do(p, d) && inst.qualifies(p, inst.duty(d).module))
                    .collect();
                assert_eq!(e.doers_of(d), doers, "seed {seed}");
            }
            for p in inst.staff_indices() {
                let modules: Vec<ModuleIdx> = inst
                    .module_indices()
                    .filter(|&m| inst.qualifies(p, m))
                    .collect();
                assert_eq!(e.modules_of[p.index()], modules, "seed {seed}");
                for (k, &m) in modules.iter().enumerate() {
                    let duties: Vec<DutyIdx> = inst
                        .module(m)
                        .duties
                        .iter()
                        .copied()
                        .filter(|&d| inst.can_do(p, d))
                        .collect();
                    assert_eq!(e.duties_of(p, k), duties, "seed {seed}");
                    for d in duties {
                        assert!(e.doers_of(d).contains(&p), "seed {seed}");
                    }
                }
            }
        }
    }
}
