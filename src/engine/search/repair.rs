//! Re-posting freed people: the greedy [`repair`] by estimated gain, and [`fill`], which adds
//! posts where work they could do is left.

use super::Evaluated;
use crate::engine::eligibility::Ctx;
use crate::engine::posts::PostState;
use crate::model::{Instance, ModuleIdx, StaffIdx};
use crate::rng::Rng;

/// Greedy repair: people in `people` take posts, one per round each, where the estimated
/// gain is highest: hours they could cover from what is uncovered now (by weight, within
/// their spare capacity), a staffing floor met, unmet counterparts they could take on. A
/// small bonus for today's posts keeps plans stable. `noise` in [0, 1) randomises choices.
pub(crate) fn repair(
    ctx: Ctx<'_>,
    base: &Evaluated,
    state: PostState,
    people: &[StaffIdx],
    rng: &mut Rng,
    noise: f64,
) -> PostState {
    repair_until(ctx, base, state, people, (rng, noise), &|| false)
}

/// As [`repair`], stopping with the posts added so far (a valid state) once `late` says so:
/// the construction over thousands of people must not outrun a short time limit.
pub(crate) fn repair_until(
    ctx: Ctx<'_>,
    base: &Evaluated,
    mut state: PostState,
    people: &[StaffIdx],
    (rng, noise): (&mut Rng, f64),
    late: &dyn Fn() -> bool,
) -> PostState {
    let mut est = Estimate::new(ctx.inst, base, &state, people);
    let mut items: Vec<(f64, f64, usize)> = Vec::new();
    loop {
        let mut added = false;
        for (i, &p) in people.iter().enumerate() {
            // The clock is read every 64 people: cheap, and fine-grained enough.
            if i % 64 == 0 && late() {
                return state;
            }
            let Some((_, j)) = est.best_post(ctx, &state, p, (rng, noise), &mut items) else {
                continue;
            };
            let m = ctx.elig.modules_of[p.index()][j];
            state.add(ctx.inst, p, m);
            added = true;
            est.book(ctx, p, j, &mut items);
        }
        if !added {
            break;
        }
    }
    state
}

/// What the repair assumes is still open: uncovered hours, spare capacity, counterparts met
/// and liaison slots left, updated as it books each post.
struct Estimate {
    uncovered: Vec<f64>,
    spare: Vec<f64>,
    met: Vec<bool>,
    slots: Vec<u32>,
}

impl Estimate {
    fn new(inst: &Instance, base: &Evaluated, state: &PostState, people: &[StaffIdx]) -> Self {
        let mut uncovered = base.hours.uncovered.clone();
        let mut spare: Vec<f64> = inst
            .staff
            .iter()
            .zip(&base.hours.load)
            .map(|(p, l)| (p.capacity - l).max(0.0))
            .collect();
        // People in `people` had their posts removed: their load in `base` may still count
        // work in modules they no longer hold, so give them their full capacity back.
        // Each person's entries of `x`, in order: one pass, not one per person (quadratic
        // on thousands of people); sums in the same order as entry by entry.
        let mut mine: Vec<Vec<usize>> = vec![Vec::new(); inst.staff.len()];
        let mut wanted = vec![false; inst.staff.len()];
        for &p in people {
            wanted[p.index()] = true;
        }
        for (i, &(q, _, _)) in base.hours.x.iter().enumerate() {
            if wanted[q.index()] {
                mine[q.index()].push(i);
            }
        }
        for &p in people {
            let entries = &mine[p.index()];
            let kept: f64 = entries
                .iter()
                .map(|&i| base.hours.x[i])
                .filter(|&(_, d, _)| state.posts.holds(p, inst.duty(d).module))
                .map(|(_, _, h)| h)
                .sum();
            spare[p.index()] = (inst.person(p).capacity - kept).max(0.0);
            for &i in entries {
                let (_, d, h) = base.hours.x[i];
                if !state.posts.holds(p, inst.duty(d).module) {
                    uncovered[d.index()] += h;
                }
            }
        }
        let mut met = vec![false; inst.counterparts.len()];
        let mut slots: Vec<u32> = inst.staff.iter().map(|p| p.max_liaisons).collect();
        for &(c, p) in &base.liaisons {
            if state
                .posts
                .of(p)
                .iter()
                .any(|m| inst.module(*m).counterparts.contains(&c))
            {
                met[c.index()] = true;
                slots[p.index()] = slots[p.index()].saturating_sub(1);
            }
        }
        Self {
            uncovered,
            spare,
            met,
            slots,
        }
    }

    /// The best-scoring post `p` may take (its index in `modules_of[p]`), if any gains.
    fn best_post(
        &self,
        ctx: Ctx<'_>,
        state: &PostState,
        p: StaffIdx,
        (rng, noise): (&mut Rng, f64),
        items: &mut Vec<(f64, f64, usize)>,
    ) -> Option<(f64, usize)> {
        let (inst, elig) = (ctx.inst, ctx.elig);
        let lw = inst.rules.liaison_weight;
        let mw = inst.rules.min_staff_weight;
        let pi = p.index();
        let mut best: Option<(f64, usize)> = None;
        for (j, &m) in elig.modules_of[pi].iter().enumerate() {
            if !state.can_add(ctx, p, m) {
                continue;
            }
            // Fractional knapsack of spare capacity over the module's uncovered hours.
            self.open_items(ctx, pi, j, items);
            let mut cap = self.spare[pi];
            let mut gain = 0.0;
            for &(w, u, _) in items.iter() {
                if cap <= 1e-9 {
                    break;
                }
                let x = u.min(cap);
                gain += w * x;
                cap -= x;
            }
            if state.holders[m.index()] < inst.module(m).min_staff {
                gain += mw;
            }
            let open = inst
                .module(m)
                .counterparts
                .iter()
                .filter(|c| !self.met[c.index()])
                .count()
                .min(self.slots[pi] as usize);
            #[expect(clippy::cast_precision_loss, reason = "small counts")]
            {
                gain += lw * open as f64;
            }
            // A post that adds nothing is not taken here, even one held today: it would block
            // the person's posts cap for later moves; `restore` gives today's posts back at
            // the end.
            let today = inst.person(p).current_posts.binary_search(&m).is_ok();
            if gain <= 1e-9 {
                continue;
            }
            if today {
                gain += 1e-3;
            }
            let score = gain * (1.0 + noise * rng.unit());
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, j));
            }
        }
        best
    }

    /// The uncovered duties of `modules_of[pi][j]` as (weight, hours, duty), heaviest first.
    fn open_items(&self, ctx: Ctx<'_>, pi: usize, j: usize, items: &mut Vec<(f64, f64, usize)>) {
        items.clear();
        for &d in ctx.elig.duties_of(StaffIdx::from(pi), j) {
            let u = self.uncovered[d.index()];
            if u > 1e-9 {
                items.push((ctx.inst.duty(d).weight, u, d.index()));
            }
        }
        items.sort_by(|a, b| b.0.total_cmp(&a.0));
    }

    /// Books what the estimate assumed `p` takes on with the post `modules_of[p][j]`.
    fn book(&mut self, ctx: Ctx<'_>, p: StaffIdx, j: usize, items: &mut Vec<(f64, f64, usize)>) {
        let pi = p.index();
        let m = ctx.elig.modules_of[pi][j];
        self.open_items(ctx, pi, j, items);
        for &(_, u, d) in items.iter() {
            if self.spare[pi] <= 1e-9 {
                break;
            }
            let x = u.min(self.spare[pi]);
            self.uncovered[d] -= x;
            self.spare[pi] -= x;
        }
        for &c in &ctx.inst.module(m).counterparts {
            if !self.met[c.index()] && self.slots[pi] > 0 {
                self.met[c.index()] = true;
                self.slots[pi] -= 1;
            }
        }
    }
}

/// Extra posts for the freed people, up to their caps, in the modules with the most uncovered
/// weighted hours they could do: with non-splittable duties the repair's fractional estimate
/// books their spare hours too early, and more posts give the packing more room.
pub(crate) fn fill(ctx: Ctx<'_>, cur: &Evaluated, state: &mut PostState, people: &[StaffIdx]) {
    let (inst, elig) = (ctx.inst, ctx.elig);
    for &p in people {
        let pi = p.index();
        loop {
            let mut best: Option<(f64, ModuleIdx)> = None;
            for (j, &m) in elig.modules_of[pi].iter().enumerate() {
                if !state.can_add(ctx, p, m) {
                    continue;
                }
                let open: f64 = elig
                    .duties_of(p, j)
                    .iter()
                    .map(|&d| {
                        let duty = inst.duty(d);
                        let u = cur.hours.uncovered[d.index()];
                        if u > 1e-9 && duty.hours <= inst.person(p).capacity + 1e-9 {
                            duty.weight * u
                        } else {
                            0.0
                        }
                    })
                    .sum();
                if open > 1e-9 && best.is_none_or(|(b, _)| open > b) {
                    best = Some((open, m));
                }
            }
            let Some((_, m)) = best else { break };
            state.add(inst, p, m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::BestOptions;
    use crate::engine::eligibility::Eligibility;
    use crate::engine::search::Evaluator;
    use crate::model::ModuleIdx;

    /// `fill` gives freed people more posts, up to their cap and never in conflict, where work
    /// they could do is left uncovered.
    #[test]
    fn fill_takes_posts_where_work_is_left_up_to_the_cap() {
        let text = r#"{
          "name": "fill",
          "staff": [{"id": "p1", "capacity": 10, "max_posts": 2}],
          "modules": [{"id": "m1"}, {"id": "m2"}, {"id": "m3"}, {"id": "m4"}],
          "duties": [
            {"id": "d1", "module": "m1", "hours": 6, "splittable": false},
            {"id": "d2", "module": "m2", "hours": 6, "weight": 3, "splittable": false},
            {"id": "d3", "module": "m3", "hours": 6, "weight": 5, "splittable": false},
            {"id": "d4", "module": "m4", "hours": 6, "weight": 9, "splittable": false}
          ],
          "rules": {"conflicts": [["m1", "m4"]]}
        }"#;
        let (inst, _) = crate::io::parse_instance(text, "fill.json").expect("valid");
        let elig = Eligibility::new(&inst);
        let ctx = Ctx {
            inst: &inst,
            elig: &elig,
        };
        let mut eval = Evaluator::new(ctx, BestOptions::greedy());
        let cur = eval.evaluate(PostState::pinned(&inst));
        let p = StaffIdx::from(0);
        let mut state = PostState::pinned(&inst);
        state.add(&inst, p, ModuleIdx::from(0));
        fill(ctx, &cur, &mut state, &[p]);
        // m4 has the most work left but conflicts with m1; m3 is next.
        assert_eq!(state.posts.of(p), &[ModuleIdx::from(0), ModuleIdx::from(2)]);
    }
}
