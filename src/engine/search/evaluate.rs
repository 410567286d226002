//! Rating a post set: the hours oracle's hours (in full, for the freed people alone, or with
//! the non-splittable choices kept), the best liaisons and the staffing floors, as the
//! lexicographic [`Key`] the search minimises.

use super::Key;
use crate::engine::eligibility::Ctx;
use crate::engine::hours::{BestOptions, Hours, HoursOracle};
use crate::engine::liaisons::best_liaisons;
use crate::engine::posts::{PostState, Posts};
use crate::model::{CounterpartIdx, DutyIdx, Instance, ModuleIdx, StaffIdx};

/// A fully evaluated set of posts.
#[derive(Clone, Debug)]
pub(crate) struct Evaluated {
    /// The posts.
    pub(crate) state: PostState,
    /// The hours the oracle found for them.
    pub(crate) hours: Hours,
    /// Liaisons: a maximum matching.
    pub(crate) liaisons: Vec<(CounterpartIdx, StaffIdx)>,
    /// Its key.
    pub(crate) key: Key,
}

/// Evaluates post sets: oracle hours + liaisons + staffing floors.
pub(crate) struct Evaluator<'a> {
    ctx: Ctx<'a>,
    pub(crate) oracle: HoursOracle<'a>,
    /// Oracle effort on non-splittable duties.
    pub(crate) options: BestOptions,
    /// Oracle effort on the freed people's duties in [`Evaluator::evaluate_partial`].
    pub(crate) partial_options: BestOptions,
}

impl<'a> Evaluator<'a> {
    /// An evaluator with the given oracle effort.
    #[must_use]
    pub(crate) fn new(ctx: Ctx<'a>, options: BestOptions) -> Self {
        Self {
            ctx,
            oracle: HoursOracle::new(ctx.inst),
            options,
            partial_options: BestOptions::greedy(),
        }
    }

    /// Evaluates `state` exactly (up to the oracle's non-splittable choices).
    pub(crate) fn evaluate(&mut self, state: PostState) -> Evaluated {
        let hours = self.oracle.best_hours(&state.posts, &self.options);
        self.finish(state, hours)
    }

    /// Evaluates `state`, which differs from `cur` only in the posts of `freed`, by
    /// re-optimising the hours of `freed` alone: everyone else keeps their hours from `cur`,
    /// and `freed` work on what is left. The result is a valid plan whose hours may be
    /// improved by a full evaluation (rerouting through other people); on large instances it
    /// costs a small fraction of one.
    pub(crate) fn evaluate_partial(
        &mut self,
        cur: &Evaluated,
        state: PostState,
        freed: &[StaffIdx],
    ) -> Evaluated {
        let inst = self.ctx.inst;
        let kept = Kept::of(inst, cur, freed);
        let (sub_of_duty, sub_duties) = self.open_duties(&state, freed, &kept);
        let sub = sub_instance(inst, freed, &sub_duties, &kept.done);
        let sub_posts = Posts::from_pairs(
            freed.len(),
            freed.iter().enumerate().flat_map(|(i, &p)| {
                state
                    .posts
                    .of(p)
                    .iter()
                    .map(move |&m| (StaffIdx::from(i), m))
            }),
        );
        let sub_hours = HoursOracle::new(&sub).best_hours(&sub_posts, &self.partial_options);
        let hours = kept.merge(inst, cur, freed, (&sub_of_duty, &sub_duties), &sub_hours);
        self.finish(state, hours)
    }

    /// The sub-problem's duties: what is left of the duties the freed people may work on under
    /// `state`, in order of first appearance, and each duty's place among them.
    fn open_duties(
        &self,
        state: &PostState,
        freed: &[StaffIdx],
        kept: &Kept,
    ) -> (Vec<Option<usize>>, Vec<DutyIdx>) {
        let inst = self.ctx.inst;
        let nd = inst.duties.len();
        let mut sub_of_duty: Vec<Option<usize>> = vec![None; nd];
        let mut sub_duties: Vec<DutyIdx> = Vec::new();
        for &p in freed {
            for &m in state.posts.of(p) {
                let Ok(j) = self.ctx.elig.modules_of[p.index()].binary_search(&m) else {
                    continue;
                };
                for &d in self.ctx.elig.duties_of(p, j) {
                    let duty = inst.duty(d);
                    let left = duty.hours - kept.done[d.index()];
                    let open = if duty.splittable {
                        left > 1e-9
                    } else {
                        !kept.taken[d.index()]
                    };
                    if open && sub_of_duty[d.index()].is_none() {
                        sub_of_duty[d.index()] = Some(sub_duties.len());
                        sub_duties.push(d);
                    }
                }
            }
        }
        (sub_of_duty, sub_duties)
    }

    /// Evaluates `state` keeping the non-splittable choices of `fixed` that its posts allow
    /// (one exact flow for the splittable hours): a valid plan, exact given those choices.
    pub(crate) fn evaluate_fixed(
        &mut self,
        state: PostState,
        fixed: &[Option<StaffIdx>],
    ) -> Evaluated {
        let hours = self.oracle.splittable_hours(&state.posts, fixed);
        self.finish(state, hours)
    }

    fn finish(&self, state: PostState, hours: Hours) -> Evaluated {
        let inst = self.ctx.inst;
        debug_assert!(state.holds_pins(inst), "a rated post set lost a pin");
        let held: Vec<Vec<ModuleIdx>> = inst
            .staff_indices()
            .map(|p| state.posts.of(p).to_vec())
            .collect();
        let liaisons = best_liaisons(self.ctx, &held);
        #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
        let unmet = (self.ctx.elig.listed.len() - liaisons.len()) as f64;
        let missing: f64 = inst
            .modules
            .iter()
            .zip(&state.holders)
            .map(|(m, &h)| f64::from(m.min_staff.saturating_sub(h)))
            .sum();
        let coverage =
            hours.value + inst.rules.liaison_weight * unmet + inst.rules.min_staff_weight * missing;
        let key = Key {
            coverage,
            stability: state.stability(inst),
            fragmentation: state.posts.len() as u64,
        };
        Evaluated {
            state,
            hours,
            liaisons,
            key,
        }
    }
}

/// What everyone but the freed people keeps of a plan's hours, in a partial evaluation.
struct Kept {
    is_freed: Vec<bool>,
    /// Per duty: hours the others do.
    done: Vec<f64>,
    /// Per duty: whether someone else works on it.
    taken: Vec<bool>,
    /// The others' hours.
    x: Vec<(StaffIdx, DutyIdx, f64)>,
    /// Per person: hours worked (none for the freed).
    load: Vec<f64>,
}

impl Kept {
    fn of(inst: &Instance, cur: &Evaluated, freed: &[StaffIdx]) -> Self {
        let nd = inst.duties.len();
        let mut is_freed = vec![false; inst.staff.len()];
        for &p in freed {
            is_freed[p.index()] = true;
        }
        let mut done = vec![0.0_f64; nd];
        let mut taken = vec![false; nd];
        let mut x: Vec<(StaffIdx, DutyIdx, f64)> = Vec::with_capacity(cur.hours.x.len());
        let mut load = cur.hours.load.clone();
        for &p in freed {
            load[p.index()] = 0.0;
        }
        for &(p, d, h) in &cur.hours.x {
            if !is_freed[p.index()] {
                done[d.index()] += h;
                taken[d.index()] = true;
                x.push((p, d, h));
            }
        }
        Self {
            is_freed,
            done,
            taken,
            x,
            load,
        }
    }

    /// The plan's hours: what the others keep plus the sub-problem's hours of the freed people
    /// (`sub` maps duties to the sub-problem's and back).
    fn merge(
        mut self,
        inst: &Instance,
        cur: &Evaluated,
        freed: &[StaffIdx],
        (sub_of_duty, sub_duties): (&[Option<usize>], &[DutyIdx]),
        sub_hours: &Hours,
    ) -> Hours {
        let mut assigned = cur.hours.assigned.clone();
        for (d, a) in assigned.iter_mut().enumerate() {
            if a.is_some_and(|p| self.is_freed[p.index()]) || sub_of_duty[d].is_some() {
                *a = None;
            }
        }
        for &(i, j, h) in &sub_hours.x {
            let (p, d) = (freed[i.index()], sub_duties[j.index()]);
            self.done[d.index()] += h;
            self.load[p.index()] += h;
            self.x.push((p, d, h));
            if !inst.duty(d).splittable {
                assigned[d.index()] = Some(p);
            }
        }
        self.x.sort_unstable_by_key(|&(p, d, _)| (d, p));
        let uncovered: Vec<f64> = inst
            .duties
            .iter()
            .zip(&self.done)
            .map(|(duty, &h)| (duty.hours - h).max(0.0))
            .collect();
        let value = inst
            .duties
            .iter()
            .zip(&uncovered)
            .map(|(d, u)| d.weight * u)
            .sum();
        Hours {
            x: self.x,
            uncovered,
            load: self.load,
            value,
            assigned,
            optimal: false,
            bound: 0.0,
        }
    }
}

/// The sub-problem of a partial evaluation: the freed people, every module (without its
/// rules), and what is left of `sub_duties`.
fn sub_instance(
    inst: &Instance,
    freed: &[StaffIdx],
    sub_duties: &[DutyIdx],
    done: &[f64],
) -> Instance {
    let mut sub = Instance {
        name: String::new(),
        description: None,
        skills: Vec::new(),
        has_skill_catalogue: false,
        units: Vec::new(),
        counterparts: Vec::new(),
        staff: freed.iter().map(|&p| inst.person(p).clone()).collect(),
        modules: inst
            .modules
            .iter()
            .map(|_| crate::model::Module {
                id: String::new(),
                name: String::new(),
                unit: None,
                min_staff: 0,
                max_staff: None,
                counterparts: Vec::new(),
                duties: Vec::new(),
            })
            .collect(),
        duties: Vec::with_capacity(sub_duties.len()),
        rules: inst.rules.clone(),
        ids: crate::model::IdMaps::default(),
    };
    for (j, &d) in sub_duties.iter().enumerate() {
        let mut duty = inst.duty(d).clone();
        duty.hours = (duty.hours - done[d.index()]).max(0.0);
        duty.id = String::new();
        duty.tags = Vec::new();
        sub.modules[duty.module.index()]
            .duties
            .push(DutyIdx::from(j));
        sub.duties.push(duty);
    }
    sub
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::eligibility::Eligibility;
    use crate::engine::search::Style;
    use crate::engine::search::repair::{fill, repair};
    use crate::engine::testkit::random_instance;
    use crate::rng::Rng;

    /// The hours of one search step, checked by hand: capacities, whole non-splittable duties,
    /// posts held for every hour.
    fn step_is_valid(inst: &Instance, ev: &Evaluated) {
        let mut load = vec![0.0; inst.staff.len()];
        let mut seen = vec![0_u32; inst.duties.len()];
        for &(p, d, h) in &ev.hours.x {
            let duty = inst.duty(d);
            assert!(ev.state.posts.holds(p, duty.module), "work without a post");
            if !duty.splittable {
                assert!((h - duty.hours).abs() < 1e-9, "a non-splittable duty split");
                seen[d.index()] += 1;
            }
            load[p.index()] += h;
        }
        assert!(seen.iter().all(|&n| n <= 1), "a duty done twice");
        for (p, l) in inst.staff.iter().zip(&load) {
            assert!(*l <= p.capacity + 1e-6, "over capacity");
        }
    }

    /// A search step on a packing-heavy instance packs the freed people's duties with the packing
    /// solver, which starts from the greedy's packing: never worse than the greedy step, always
    /// valid.
    #[test]
    fn packing_steps_are_valid_and_never_worse_than_greedy_ones() {
        let mut better = 0;
        for seed in 0..60_u64 {
            let mut inst = random_instance(seed, 8, 4, 24);
            for d in &mut inst.duties {
                d.splittable = false;
            }
            if inst.duties.iter().all(|d| d.hours <= 0.0) {
                continue;
            }
            assert!(Style::of(&inst).packing && Style::of(&inst).partial);
            let elig = Eligibility::new(&inst);
            let ctx = Ctx {
                inst: &inst,
                elig: &elig,
            };
            let mut greedy = Evaluator::new(ctx, BestOptions::greedy());
            let mut packing = Style::of(&inst).evaluator(ctx);
            let cur = greedy.evaluate(PostState::current(ctx));
            let mut rng = Rng::new(seed);
            for _ in 0..5 {
                let freed: Vec<StaffIdx> = (0..inst.staff.len())
                    .filter(|_| rng.chance(0.5))
                    .map(StaffIdx::from)
                    .collect();
                let mut state = cur.state.clone();
                for &p in &freed {
                    state.clear_person(&inst, p);
                }
                let mut state = repair(ctx, &cur, state, &freed, &mut rng, 0.2);
                fill(ctx, &cur, &mut state, &freed);
                let a = greedy.evaluate_partial(&cur, state.clone(), &freed);
                let b = packing.evaluate_partial(&cur, state, &freed);
                step_is_valid(&inst, &a);
                step_is_valid(&inst, &b);
                assert!(b.hours.value <= a.hours.value + 1e-9, "seed {seed}");
                better += usize::from(b.hours.value < a.hours.value - 1e-9);
            }
        }
        assert!(better > 0, "the packing never beat the greedy");
    }
}
