//! Large-neighbourhood search moves: choose related people, free them, re-post them
//! (repair, then fill) and rate the result; a bigger shake to restart a stalled search.

use super::repair::{fill, repair};
use super::{Evaluated, Evaluator, Style, moved_people};
use crate::engine::eligibility::Ctx;
use crate::model::{Instance, ModuleIdx, StaffIdx};
use crate::rng::Rng;

/// A person drawn with probability proportional to their idle hours, if anyone is idle.
fn idle_person(inst: &Instance, cur: &Evaluated, rng: &mut Rng) -> Option<StaffIdx> {
    let idle = |p: StaffIdx| (inst.person(p).capacity - cur.hours.load[p.index()]).max(0.0);
    let total: f64 = inst.staff_indices().map(idle).sum();
    if total <= 1e-9 {
        return None;
    }
    let mut pick = rng.unit() * total;
    inst.staff_indices().find(|&p| {
        pick -= idle(p);
        pick <= 0.0
    })
}

/// Chooses a neighbourhood of related people to free. With `polish` (tier 1 is proven, only
/// tiers 2-3 are left) half the neighbourhoods are built around people who moved: one of
/// them, the people of the modules they left or joined (moved ones first), so that the
/// repair, which favours today's posts, can put them back. With `idle`, neighbourhoods around
/// a person start half the time from someone drawn by idle hours; not where most duties
/// cannot be split, where small idle fragments are everywhere and say nothing.
pub(crate) fn neighbourhood(
    ctx: Ctx<'_>,
    cur: &Evaluated,
    rng: &mut Rng,
    size: usize,
    polish: bool,
    idle: bool,
) -> Vec<StaffIdx> {
    let (inst, elig) = (ctx.inst, ctx.elig);
    let np = inst.staff.len();
    let mut chosen: Vec<StaffIdx> = Vec::new();
    if np == 0 || inst.modules.is_empty() {
        return chosen;
    }
    let push = |p: StaffIdx, chosen: &mut Vec<StaffIdx>| {
        if chosen.len() < size && !chosen.contains(&p) {
            chosen.push(p);
        }
    };
    let moved = if polish && rng.below(2) == 0 {
        moved_people(inst, cur)
    } else {
        Vec::new()
    };
    if moved.is_empty() {
        match rng.below(3) {
            // People around an uncovered duty, chosen by weighted uncovered hours.
            0 => {
                let total: f64 = inst
                    .duties
                    .iter()
                    .zip(&cur.hours.uncovered)
                    .map(|(d, u)| d.weight * u)
                    .sum();
                if total > 0.0 {
                    let mut pick = rng.unit() * total;
                    let mut duty = 0;
                    for (i, (d, u)) in inst.duties.iter().zip(&cur.hours.uncovered).enumerate() {
                        pick -= d.weight * u;
                        duty = i;
                        if pick <= 0.0 {
                            break;
                        }
                    }
                    let doers = elig.doers_of(crate::model::DutyIdx::from(duty));
                    for _ in 0..size * 2 {
                        if doers.is_empty() {
                            break;
                        }
                        push(doers[rng.below(doers.len())], &mut chosen);
                    }
                }
            }
            // Holders and candidates of a module.
            1 => {
                let m = rng.below(inst.modules.len().max(1));
                if let Some(people) = elig.people_of.get(m) {
                    for _ in 0..size * 2 {
                        if people.is_empty() {
                            break;
                        }
                        push(people[rng.below(people.len())], &mut chosen);
                    }
                }
            }
            // A person and those sharing a module with them; for someone without posts (a
            // new hire in a what-if scenario) those of a module they could take.
            _ => {
                let p = if idle && rng.below(2) == 0 {
                    idle_person(inst, cur, rng)
                } else {
                    None
                }
                .unwrap_or_else(|| StaffIdx::from(rng.below(np)));
                push(p, &mut chosen);
                let mut held = cur.state.posts.of(p).to_vec();
                if held.is_empty() {
                    held.clone_from(&elig.modules_of[p.index()]);
                }
                for _ in 0..size * 2 {
                    if held.is_empty() {
                        break;
                    }
                    let m = held[rng.below(held.len())];
                    let people = &elig.people_of[m.index()];
                    push(people[rng.below(people.len())], &mut chosen);
                }
            }
        }
    } else {
        let p = moved[rng.below(moved.len())];
        push(p, &mut chosen);
        let mut modules: Vec<ModuleIdx> = cur.state.posts.of(p).to_vec();
        modules.extend_from_slice(&inst.person(p).current_posts);
        for _ in 0..size * 2 {
            let m = modules[rng.below(modules.len())];
            let people = &elig.people_of[m.index()];
            if people.is_empty() {
                continue;
            }
            let q = people[rng.below(people.len())];
            // Prefer someone who moved too: swapping two moved people back is the typical
            // repair of a disruption.
            if moved.binary_search(&q).is_ok() || rng.below(2) == 0 {
                push(q, &mut chosen);
            }
        }
        while chosen.len() < size.min(moved.len()) {
            push(moved[rng.below(moved.len())], &mut chosen);
        }
    }
    while chosen.len() < size.min(np) {
        push(StaffIdx::from(rng.below(np)), &mut chosen);
    }
    chosen.sort_unstable();
    chosen
}

/// One LNS step from `cur`: free a neighbourhood, repair, evaluate.
pub(crate) fn lns_step(
    ctx: Ctx<'_>,
    eval: &mut Evaluator<'_>,
    cur: &Evaluated,
    rng: &mut Rng,
    style: Style,
    polish: bool,
) -> Evaluated {
    let inst = ctx.inst;
    let partial = style.partial;
    // Bigger neighbourhoods on big instances, where a handful of people is too local.
    let size = if inst.staff.len() > 200 {
        3 + rng.below(10)
    } else {
        2 + rng.below(5)
    };
    let people = neighbourhood(ctx, cur, rng, size, polish, !style.packing);
    // Shuffle the repair order.
    let mut order = people.clone();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let noise = [0.0, 0.1, 0.3][rng.below(3)];
    rebuild(ctx, eval, cur, (&people, &order), rng, noise, partial)
}

/// Frees `people` (sorted), re-posts them in `order` (repair, then fill) and evaluates.
fn rebuild(
    ctx: Ctx<'_>,
    eval: &mut Evaluator<'_>,
    cur: &Evaluated,
    (people, order): (&[StaffIdx], &[StaffIdx]),
    rng: &mut Rng,
    noise: f64,
    partial: bool,
) -> Evaluated {
    let mut state = cur.state.clone();
    for &p in people {
        state.clear_person(ctx.inst, p);
    }
    let mut state = repair(ctx, cur, state, order, rng, noise);
    fill(ctx, cur, &mut state, order);
    if partial {
        eval.evaluate_partial(cur, state, people)
    } else {
        eval.evaluate(state)
    }
}

/// A big perturbation of `best` to restart a stalled search from.
pub(crate) fn kick(
    ctx: Ctx<'_>,
    eval: &mut Evaluator<'_>,
    best: &Evaluated,
    rng: &mut Rng,
    partial: bool,
) -> Evaluated {
    let np = ctx.inst.staff.len();
    let size = (np / 5).max(2).min(np);
    let mut people: Vec<StaffIdx> = Vec::new();
    while people.len() < size {
        let p = StaffIdx::from(rng.below(np));
        if !people.contains(&p) {
            people.push(p);
        }
    }
    people.sort_unstable();
    rebuild(ctx, eval, best, (&people, &people), rng, 0.5, partial)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::eligibility::Eligibility;
    use crate::engine::posts::PostState;
    use crate::engine::testkit::random_pinned_instance;
    use crate::io::generate::{DEFAULT_NON_SPLITTABLE, GenerateSettings, generate};

    /// Steps free people and re-post them, kicks shake a fifth of everyone: the pins stay.
    #[test]
    fn steps_and_kicks_keep_every_pin() {
        let mut pins = 0;
        for seed in 0..20_u64 {
            let inst = random_pinned_instance(seed, (8, 5, 12), 0.4);
            pins += inst
                .staff
                .iter()
                .map(|p| p.fixed_posts.len())
                .sum::<usize>();
            let elig = Eligibility::new(&inst);
            let ctx = Ctx {
                inst: &inst,
                elig: &elig,
            };
            let style = Style::of(&inst);
            let mut eval = style.evaluator(ctx);
            let mut cur = eval.evaluate(PostState::current(ctx));
            let mut rng = Rng::new(seed);
            for i in 0..60 {
                let next = if i % 10 == 9 {
                    kick(ctx, &mut eval, &cur, &mut rng, style.partial)
                } else {
                    lns_step(ctx, &mut eval, &cur, &mut rng, style, i % 2 == 0)
                };
                assert!(next.state.holds_pins(&inst), "seed {seed}, step {i}");
                cur = next;
            }
        }
        assert!(pins > 20, "{pins} pins");
    }

    #[test]
    fn polishing_neighbourhoods_are_built_around_people_who_moved() {
        let raw = generate(&GenerateSettings {
            staff: 30,
            modules: 8,
            duties: 60,
            seed: 7,
            tight: 1.0,
            non_splittable: DEFAULT_NON_SPLITTABLE,
        });
        let (inst, _) = crate::io::validate(&raw).expect("a generated instance is valid");
        let elig = Eligibility::new(&inst);
        let ctx = Ctx {
            inst: &inst,
            elig: &elig,
        };
        let mut state = PostState::current(ctx);
        // One person leaves one of today's posts.
        let p = inst
            .staff_indices()
            .find(|&p| !state.posts.of(p).is_empty())
            .expect("someone holds a post today");
        let m = state.posts.of(p)[0];
        state.remove(&inst, p, m);
        let cur = Style::of(&inst).evaluator(ctx).evaluate(state);
        let moved = moved_people(&inst, &cur);
        assert!(moved.contains(&p), "{moved:?}");
        assert!(
            moved.len() <= 3,
            "today's posts are mostly legal: {moved:?}"
        );
        let share = |polish: bool| {
            let mut rng = Rng::new(11);
            let hits = (0..400)
                .filter(|_| {
                    let size = 2 + rng.below(5);
                    let chosen = neighbourhood(ctx, &cur, &mut rng, size, polish, true);
                    chosen.iter().any(|q| moved.contains(q))
                })
                .count();
            f64::from(u32::try_from(hits).unwrap_or(u32::MAX)) / 400.0
        };
        let (with, without) = (share(true), share(false));
        // Half the polishing neighbourhoods start from a moved person; the others, like every
        // neighbourhood without polishing, meet one by chance only.
        assert!(with >= 0.5, "{with}");
        assert!(without < 0.4, "{without}");
        assert!(with > without + 0.2, "{with} vs {without}");
    }

    #[test]
    fn someone_idle_without_posts_is_freed_with_the_people_of_modules_they_could_take() {
        let raw = generate(&GenerateSettings {
            staff: 60,
            modules: 20,
            duties: 120,
            seed: 7,
            tight: 2.0,
            non_splittable: DEFAULT_NON_SPLITTABLE,
        });
        let (mut inst, _) = crate::io::validate(&raw).expect("a generated instance is valid");
        // Everyone qualifies nearly everywhere in a generated instance: make the first person
        // qualify for the first module only, which two thirds of the others may not take.
        let first = ModuleIdx::from(0_usize);
        let p = StaffIdx::from(0_usize);
        let others: Vec<ModuleIdx> = inst.module_indices().filter(|&m| m != first).collect();
        inst.staff[0].unavailable = others;
        for q in &mut inst.staff[20..] {
            q.unavailable = vec![first];
        }
        let elig = Eligibility::new(&inst);
        let ctx = Ctx {
            inst: &inst,
            elig: &elig,
        };
        assert_eq!(
            elig.modules_of[p.index()],
            vec![first],
            "p can do a duty of module 0"
        );
        let colleagues = elig.people_of[first.index()].clone();
        assert!(colleagues.len() <= 20);
        // Like a new hire: no posts, all hours idle (twice as much work as hours: others are
        // busy).
        let mut state = PostState::current(ctx);
        state.clear_person(&inst, p);
        let mut cur = Style::of(&inst).evaluator(ctx).evaluate(state);
        assert!(cur.hours.load[p.index()] < 1e-9);
        // Everyone else busy to the last hour, as in a tight what-if scenario.
        for q in inst.staff_indices().filter(|&q| q != p) {
            cur.hours.load[q.index()] = inst.person(q).capacity;
        }
        let draws = |idle: bool| {
            let mut rng = Rng::new(5);
            let (mut hits, mut with_colleagues) = (0_u32, 0_u32);
            for _ in 0..600 {
                let size = 2 + rng.below(5);
                let chosen = neighbourhood(ctx, &cur, &mut rng, size, false, idle);
                if chosen.contains(&p) {
                    hits += 1;
                    if chosen
                        .iter()
                        .filter(|&&q| q != p)
                        .all(|q| colleagues.contains(q))
                    {
                        with_colleagues += 1;
                    }
                }
            }
            (
                f64::from(hits) / 600.0,
                f64::from(with_colleagues) / f64::from(hits.max(1)),
            )
        };
        let ((with, together), (without, _)) = (draws(true), draws(false));
        // Drawn by idle hours, the idle person is freed far more often than by chance...
        assert!(with > without + 0.1, "{with} vs {without}");
        // ...and then with people of the modules they qualify for, not strangers.
        assert!(together > 0.6, "{together}");
    }
}
