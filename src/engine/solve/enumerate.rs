//! Exhaustive enumeration of post sets for tiny instances, which proves tiers 1-3.

use std::time::Instant;

use crate::engine::eligibility::Ctx;
use crate::engine::hours::BestOptions;
use crate::engine::posts::PostState;
use crate::engine::search::{Evaluated, Evaluator};
use crate::model::{ModuleIdx, StaffIdx};

/// Per person, every set of posts beyond their pins that is legal with the pins on its own
/// (posts cap, conflicts), or `None` if there are more than `limit` combinations in total. A
/// plan holds every pin, so pins are in every combination and never enumerated.
fn enumerate_person_sets(ctx: Ctx<'_>, limit: usize) -> Option<Vec<Vec<Vec<ModuleIdx>>>> {
    let (inst, elig) = (ctx.inst, ctx.elig);
    let mut all = Vec::new();
    let mut total: usize = 1;
    for p in inst.staff_indices() {
        let pins = &inst.person(p).fixed_posts;
        let mods: Vec<ModuleIdx> = elig.modules_of[p.index()]
            .iter()
            .copied()
            .filter(|&m| pins.binary_search(&m).is_err())
            .collect();
        let k = (inst.person(p).max_posts as usize).saturating_sub(pins.len());
        let mut sets: Vec<Vec<ModuleIdx>> = vec![Vec::new()];
        let mut frontier: Vec<(Vec<ModuleIdx>, usize)> = vec![(Vec::new(), 0)];
        while let Some((set, from)) = frontier.pop() {
            if set.len() >= k {
                continue;
            }
            for (i, &m) in mods.iter().enumerate().skip(from) {
                if set.iter().chain(pins).any(|&h| elig.conflict(h, m)) {
                    continue;
                }
                let mut next = set.clone();
                next.push(m);
                sets.push(next.clone());
                if sets.len() > limit {
                    return None;
                }
                frontier.push((next, i + 1));
            }
        }
        total = total.saturating_mul(sets.len());
        if total > limit {
            return None;
        }
        all.push(sets);
    }
    Some(all)
}

/// Exact search over every combination of post sets that holds the pins (tiny instances
/// only), which is every plan: its best is optimal. `None` when it cannot finish by
/// `deadline` (hard packings make each evaluation costly).
pub(super) fn enumerate(ctx: Ctx<'_>, limit: usize, deadline: Instant) -> Option<Evaluated> {
    let inst = ctx.inst;
    let sets = enumerate_person_sets(ctx, limit)?;
    let options = BestOptions {
        deadline: Some(deadline),
        ..BestOptions::default()
    };
    let mut eval = Evaluator::new(ctx, options);
    let mut idx = vec![0_usize; sets.len()];
    let mut best: Option<Evaluated> = None;
    loop {
        let mut state = PostState::pinned(inst);
        let mut legal = true;
        'people: for (p, &i) in idx.iter().enumerate() {
            for &m in &sets[p][i] {
                let p = StaffIdx::from(p);
                if !state.can_add(ctx, p, m) {
                    legal = false;
                    break 'people;
                }
                state.add(inst, p, m);
            }
        }
        if Instant::now() >= deadline {
            return None;
        }
        if legal {
            let cand = eval.evaluate(state);
            // An evaluation not proven optimal proves nothing: give the time back at once
            // rather than spend it on every combination of a hard packing.
            if !cand.hours.optimal {
                return None;
            }
            if best.as_ref().is_none_or(|b| cand.key.better(&b.key)) {
                best = Some(cand);
            }
        }
        // Next combination (odometer).
        let mut k = 0;
        loop {
            if k == idx.len() {
                return best;
            }
            idx[k] += 1;
            if idx[k] < sets[k].len() {
                break;
            }
            idx[k] = 0;
            k += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::eligibility::Eligibility;

    /// Pinned to the light module, the one person may take no other post (cap 1): the best
    /// plan under the pin leaves the heavy duty uncovered, though without it the reverse is
    /// best.
    #[test]
    fn enumeration_searches_only_plans_that_keep_the_pins() {
        let text = |pins: &str| {
            format!(
                r#"{{"name": "pin", "staff": [{{"id": "p", "capacity": 10, "max_posts": 1, "fixed_posts": [{pins}]}}],
                   "modules": [{{"id": "heavy"}}, {{"id": "light"}}],
                   "duties": [{{"id": "d1", "module": "heavy", "hours": 10, "weight": 5}},
                              {{"id": "d2", "module": "light", "hours": 10, "weight": 1}}]}}"#
            )
        };
        let far = Instant::now() + std::time::Duration::from_secs(30);
        for (pins, coverage, post) in [("", 10.0, 0_usize), (r#""light""#, 50.0, 1)] {
            let (inst, _) = crate::io::parse_instance(&text(pins), "pin.json").expect("valid");
            let elig = Eligibility::new(&inst);
            let ctx = Ctx {
                inst: &inst,
                elig: &elig,
            };
            let sets = enumerate_person_sets(ctx, 100).expect("few sets");
            // With the pin, the one legal set of extra posts is none.
            assert_eq!(sets[0].len(), if pins.is_empty() { 3 } else { 1 });
            let best = enumerate(ctx, 100, far).expect("enumerated");
            assert!(
                (best.key.coverage - coverage).abs() < 1e-9,
                "{pins}: {:?}",
                best.key
            );
            assert_eq!(best.state.posts.of(StaffIdx(0)), &[ModuleIdx::from(post)]);
        }
    }
}
