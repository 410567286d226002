//! The passes that settle the final posts after the search: [`restore`] gives back today's
//! posts that cost nothing, [`revert`] puts people who moved back where the key improves, and
//! [`prune`] drops new posts that do not help.

use std::time::Instant;

use super::{Evaluated, Evaluator, moved_people};
use crate::engine::eligibility::Ctx;
use crate::engine::posts::PostState;
use crate::model::{Instance, ModuleIdx, StaffIdx};

/// Gives people back today's posts wherever that costs nothing in tier 1 (tier 2 counts every
/// post dropped): the minimal-disruption pass at the end of a search. A post added never
/// needs new choices for the non-splittable duties, so each candidate is one flow.
pub(crate) fn restore(
    ctx: Ctx<'_>,
    eval: &mut Evaluator<'_>,
    mut best: Evaluated,
    deadline: Instant,
) -> Evaluated {
    let inst = ctx.inst;
    for p in inst.staff_indices() {
        for &m in &inst.person(p).current_posts {
            if Instant::now() >= deadline {
                return best;
            }
            if best.state.posts.holds(p, m) || !best.state.can_add(ctx, p, m) {
                continue;
            }
            let mut state = best.state.clone();
            state.add(inst, p, m);
            let cand = eval.evaluate_fixed(state, &best.hours.assigned);
            if cand.key.better(&best.key) {
                best = cand;
            }
        }
    }
    best
}

/// Puts people who moved back on today's posts wherever the key improves, by three moves: a
/// person back on all of today's posts (as far as the caps allow), one new post traded for one
/// of today's, and two people back at once who traded places (one took a post the other
/// left), which neither can do alone. Everyone else's hours are re-routed by the full oracle,
/// so whoever has spare time takes over. Repeats until a pass changes nothing: the solver's
/// last pass on tier 2, which falls by whole people here rather than by the post at a time
/// the random neighbourhoods find.
pub(crate) fn revert(
    ctx: Ctx<'_>,
    eval: &mut Evaluator<'_>,
    mut best: Evaluated,
    deadline: Instant,
) -> Evaluated {
    let inst = ctx.inst;
    // Posts `p` holds that are not today's, and today's posts `p` does not hold.
    let changes = |state: &PostState, p: StaffIdx| -> (Vec<ModuleIdx>, Vec<ModuleIdx>) {
        let held = state.posts.of(p);
        let today = &inst.person(p).current_posts;
        (
            held.iter()
                .filter(|m| today.binary_search(m).is_err())
                .copied()
                .collect(),
            today
                .iter()
                .filter(|m| !held.contains(m))
                .copied()
                .collect(),
        )
    };
    let back = |state: &mut PostState, p: StaffIdx| {
        state.clear_person(inst, p);
        for &m in &inst.person(p).current_posts {
            if state.can_add(ctx, p, m) {
                state.add(inst, p, m);
            }
        }
    };
    loop {
        let moved = moved_people(inst, &best);
        // Each move is built against the best plan when its turn comes (an earlier one may
        // have changed it) and skipped when it no longer changes anything.
        // Someone without posts today has nothing to go back to but no posts at all, which
        // `prune` tries post by post (and on imported knapsack instances, where nobody has
        // posts today, the pass then costs nothing).
        let mut moves: Vec<Revert> = moved
            .iter()
            .filter(|&&p| !inst.person(p).current_posts.is_empty())
            .map(|&p| Revert::Person(p))
            .collect();
        for &p in &moved {
            let (added, dropped) = changes(&best.state, p);
            // A pin is never traded away.
            for &new in added.iter().filter(|&&m| !PostState::is_pinned(inst, p, m)) {
                for &old in &dropped {
                    moves.push(Revert::Post(p, new, old));
                }
            }
        }
        for (i, &p) in moved.iter().enumerate() {
            let (p_added, p_dropped) = changes(&best.state, p);
            for &q in &moved[i + 1..] {
                let (q_added, q_dropped) = changes(&best.state, q);
                if p_added.iter().any(|m| q_dropped.contains(m))
                    || q_added.iter().any(|m| p_dropped.contains(m))
                {
                    moves.push(Revert::Pair(p, q));
                }
            }
        }
        let mut improved = false;
        for mv in moves {
            if Instant::now() >= deadline {
                return best;
            }
            let mut state = best.state.clone();
            match mv {
                Revert::Person(p) => back(&mut state, p),
                Revert::Post(p, new, old) => {
                    if state.posts.holds(p, old) || !state.remove(inst, p, new) {
                        continue;
                    }
                    if !state.can_add(ctx, p, old) {
                        continue;
                    }
                    state.add(inst, p, old);
                }
                Revert::Pair(p, q) => {
                    back(&mut state, p);
                    back(&mut state, q);
                }
            }
            if state.posts == best.state.posts {
                continue;
            }
            let cand = eval.evaluate(state);
            if cand.key.better(&best.key) {
                best = cand;
                improved = true;
            }
        }
        if !improved {
            return best;
        }
    }
}

/// A move of [`revert`].
#[derive(Clone, Copy, Debug)]
enum Revert {
    /// The person back on today's posts.
    Person(StaffIdx),
    /// The person trades a new post for one of today's.
    Post(StaffIdx, ModuleIdx, ModuleIdx),
    /// Two people back who traded places (one took a post the other left).
    Pair(StaffIdx, StaffIdx),
}

/// The posts [`prune`] tries: the new ones that are not pinned.
fn prune_candidates(inst: &Instance, best: &Evaluated) -> Vec<(StaffIdx, ModuleIdx)> {
    best.state
        .posts
        .iter()
        .filter(|&(p, m)| {
            inst.person(p).current_posts.binary_search(&m).is_err()
                && !PostState::is_pinned(inst, p, m)
        })
        .collect()
}

/// Drops posts that do not help: each new post whose removal leaves the key better (the
/// same tier 1, one post fewer changed). A removal is rated by one flow with the
/// non-splittable choices kept; only when the person does a non-splittable duty in that
/// module, which then needs a new doer, does it take the full oracle, with an even share of
/// the time left for those ratings (a packing that cannot prove its optimum runs to its
/// deadline: with the whole time left, the first one ended the pass). Today's posts are not
/// tried: dropping one changes a post, so tier 2 gets worse while tier 1 cannot get better.
pub(crate) fn prune(
    inst: &Instance,
    eval: &mut Evaluator<'_>,
    mut best: Evaluated,
    deadline: Instant,
) -> Evaluated {
    let does_module_duty = |best: &Evaluated, p: StaffIdx, m: ModuleIdx| {
        best.hours
            .assigned
            .iter()
            .enumerate()
            .any(|(d, a)| *a == Some(p) && inst.duties[d].module == m)
    };
    let pairs = prune_candidates(inst, &best);
    let mut full_left = pairs
        .iter()
        .filter(|&&(p, m)| does_module_duty(&best, p, m))
        .count();
    let kept = eval.options.deadline;
    for (p, m) in pairs {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        let chosen = does_module_duty(&best, p, m);
        if chosen {
            eval.options.deadline = Some(share_of(now, deadline, full_left));
            full_left = full_left.saturating_sub(1);
        }
        let mut state = best.state.clone();
        if !state.remove(inst, p, m) {
            continue;
        }
        let cand = if chosen {
            eval.evaluate(state)
        } else {
            eval.evaluate_fixed(state, &best.hours.assigned)
        };
        if cand.key.better(&best.key) {
            best = cand;
        }
    }
    eval.options.deadline = kept;
    best
}

/// The deadline of one of `left` ratings sharing the time from `now` to `deadline` evenly.
fn share_of(now: Instant, deadline: Instant, left: usize) -> Instant {
    let n = u32::try_from(left.max(1)).unwrap_or(u32::MAX);
    now + deadline.saturating_duration_since(now) / n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::BestOptions;
    use crate::engine::eligibility::Eligibility;
    use crate::engine::search::Style;

    #[test]
    fn prune_tries_only_new_posts() {
        let inst = one_skill(
            r#"{"id": "ann", "unit": "u", "capacity": 40, "skills": {"s": 1}, "current_posts": ["a"]},
               {"id": "bo", "unit": "u", "capacity": 40, "skills": {"s": 1}}"#,
            r#"{"id": "a", "unit": "u"}, {"id": "b", "unit": "u"}"#,
            r#"{"id": "d1", "module": "a", "hours": 10, "skill": "s", "min_level": 1}"#,
            2,
        );
        let elig = Eligibility::new(&inst);
        let ctx = Ctx {
            inst: &inst,
            elig: &elig,
        };
        let mut state = PostState::current(ctx);
        let (ann, bo) = (StaffIdx::from(0_usize), StaffIdx::from(1_usize));
        let (a, b) = (ModuleIdx::from(0_usize), ModuleIdx::from(1_usize));
        state.add(&inst, ann, b);
        state.add(&inst, bo, a);
        let mut eval = Style::of(&inst).evaluator(ctx);
        let cur = eval.evaluate(state);
        assert_eq!(prune_candidates(&inst, &cur), vec![(ann, b), (bo, a)]);
        let far = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let pruned = prune(&inst, &mut eval, cur, far);
        // Both new posts go (nobody needs them); Ann keeps today's post, which does the work.
        assert_eq!(pruned.state.posts.of(ann), &[a]);
        assert!(pruned.state.posts.of(bo).is_empty());
        assert_eq!(pruned.key.stability, 0);
    }

    #[test]
    fn each_full_rating_of_the_prune_gets_an_even_share_of_the_time_left() {
        let now = Instant::now();
        let deadline = now + std::time::Duration::from_secs(4);
        assert_eq!(
            share_of(now, deadline, 4),
            now + std::time::Duration::from_secs(1)
        );
        assert_eq!(share_of(now, deadline, 1), deadline);
        // None counted (the last ones): the rest of the time.
        assert_eq!(share_of(now, deadline, 0), deadline);
        // Past the deadline: no time.
        assert_eq!(share_of(deadline, now, 3), deadline);
    }

    /// A pin that carries no work and is not held today is neither pruned nor traded back
    /// for today's post.
    #[test]
    fn the_end_passes_keep_an_idle_pin() {
        let inst = one_skill(
            r#"{"id": "ann", "unit": "u", "capacity": 40, "skills": {"s": 1}, "current_posts": ["a"], "fixed_posts": ["b"]},
               {"id": "bo", "unit": "u", "capacity": 40, "skills": {"s": 1}}"#,
            r#"{"id": "a", "unit": "u"}, {"id": "b", "unit": "u"}"#,
            r#"{"id": "d1", "module": "a", "hours": 10, "skill": "s", "min_level": 1}"#,
            2,
        );
        let elig = Eligibility::new(&inst);
        let ctx = Ctx {
            inst: &inst,
            elig: &elig,
        };
        let (ann, bo) = (StaffIdx::from(0_usize), StaffIdx::from(1_usize));
        let (a, b) = (ModuleIdx::from(0_usize), ModuleIdx::from(1_usize));
        // Ann left `a` for Bo (who took it on): she holds only her idle pin.
        let mut state = PostState::pinned(&inst);
        state.add(&inst, bo, a);
        let mut eval = Style::of(&inst).evaluator(ctx);
        let cur = eval.evaluate(state);
        assert_eq!(cur.key.stability, 3);
        assert!(prune_candidates(&inst, &cur).iter().all(|&(p, _)| p == bo));
        let far = std::time::Instant::now() + std::time::Duration::from_secs(5);
        // Back on `a`, Ann keeps `b`; Bo's post goes: only her pin is a change.
        let back = revert(ctx, &mut eval, cur, far);
        let pruned = prune(&inst, &mut eval, back, far);
        assert_eq!(pruned.state.posts.of(ann), &[a, b]);
        assert!(pruned.state.posts.of(bo).is_empty());
        assert_eq!(pruned.key.stability, 1);
        assert!(pruned.key.coverage.abs() < 1e-9);
    }

    /// A one-skill, one-unit instance from the JSON of its staff, modules and duties.
    fn one_skill(staff: &str, modules: &str, duties: &str, max_posts: u32) -> Instance {
        let text = format!(
            r#"{{"name": "t", "skills": [{{"id": "s"}}], "units": [{{"id": "u"}}],
                "counterparts": [], "staff": [{staff}], "modules": [{modules}],
                "duties": [{duties}], "rules": {{"max_posts": {max_posts}}}}}"#
        );
        crate::io::parse_instance(&text, "t.json").expect("valid").0
    }

    #[test]
    fn revert_puts_people_back_whole_or_a_post_at_a_time_without_losing_tier_1() {
        // Ann holds `a` today, Bo `b`, Cy nothing; anyone can do any duty, and `b`'s 50 h need
        // two people.
        let inst = one_skill(
            r#"{"id": "ann", "unit": "u", "capacity": 40, "skills": {"s": 1}, "current_posts": ["a"]},
               {"id": "bo", "unit": "u", "capacity": 40, "skills": {"s": 1}, "current_posts": ["b"]},
               {"id": "cy", "unit": "u", "capacity": 40, "skills": {"s": 1}, "current_posts": []}"#,
            r#"{"id": "a", "unit": "u"}, {"id": "b", "unit": "u"}, {"id": "c", "unit": "u"}"#,
            r#"{"id": "da", "module": "a", "hours": 10, "skill": "s", "min_level": 1, "weight": 1},
               {"id": "db", "module": "b", "hours": 50, "skill": "s", "min_level": 1, "weight": 1},
               {"id": "dc", "module": "c", "hours": 10, "skill": "s", "min_level": 1, "weight": 1}"#,
            2,
        );
        let elig = Eligibility::new(&inst);
        let ctx = Ctx {
            inst: &inst,
            elig: &elig,
        };
        let id = |s: &str| inst.ids.modules[s];
        let who = |s: &str| inst.ids.staff[s];
        let mut eval = Style::of(&inst).evaluator(ctx);
        let plan = |pairs: &[(&str, &str)], eval: &mut super::Evaluator<'_>| {
            let mut state = PostState::pinned(&inst);
            for &(p, m) in pairs {
                state.add(&inst, who(p), id(m));
            }
            eval.evaluate(state)
        };
        let far = std::time::Instant::now() + std::time::Duration::from_secs(60);
        // Ann left `a` for `b`, Bo took `a` on top of `b`, Cy took `b` and `c`: 5 posts moved.
        let cur = plan(
            &[
                ("ann", "b"),
                ("bo", "a"),
                ("bo", "b"),
                ("cy", "b"),
                ("cy", "c"),
            ],
            &mut eval,
        );
        assert!(cur.key.coverage.abs() < 1e-9, "{:?}", cur.key);
        assert_eq!(cur.key.stability, 5);
        let back = revert(ctx, &mut eval, cur, far);
        // Ann and Bo go back to today's posts; Cy (no posts today) is needed for the 10 h of
        // `b` that Bo cannot do and for `c`: the least that has to move (2).
        assert!(back.key.coverage.abs() < 1e-9, "{:?}", back.key);
        assert_eq!(back.state.posts.of(who("ann")), &[id("a")]);
        assert_eq!(back.state.posts.of(who("bo")), &[id("b")]);
        assert_eq!(back.state.posts.of(who("cy")), &[id("b"), id("c")]);
        assert_eq!(back.key.stability, 2);
        let again = revert(ctx, &mut eval, back.clone(), far);
        assert_eq!(again.key, back.key);
        // Ann and Bo swapped roles (Ann holds `b` and `c`, Bo `a` and `b`): neither can go
        // back whole without leaving work uncovered, but Ann can trade `b` back for `a`, and
        // then Bo can go back: 2 again (whole people alone stop at 4, with Cy gone).
        let swapped = plan(
            &[
                ("ann", "b"),
                ("ann", "c"),
                ("bo", "a"),
                ("bo", "b"),
                ("cy", "b"),
            ],
            &mut eval,
        );
        assert_eq!(swapped.key.stability, 5);
        let kept = revert(ctx, &mut eval, swapped, far);
        assert!(kept.key.coverage.abs() < 1e-9, "{:?}", kept.key);
        assert_eq!(kept.state.posts.of(who("ann")), &[id("a"), id("c")]);
        assert_eq!(kept.state.posts.of(who("bo")), &[id("b")]);
        assert_eq!(kept.state.posts.of(who("cy")), &[id("b")]);
        assert_eq!(kept.key.stability, 2);
    }

    #[test]
    fn revert_takes_back_two_people_who_traded_places() {
        // Ann and Bo swapped modules: neither can go back alone (30 h each, one module each),
        // both together can.
        let inst = one_skill(
            r#"{"id": "ann", "unit": "u", "capacity": 40, "skills": {"s": 1}, "current_posts": ["a"]},
               {"id": "bo", "unit": "u", "capacity": 40, "skills": {"s": 1}, "current_posts": ["b"]}"#,
            r#"{"id": "a", "unit": "u"}, {"id": "b", "unit": "u"}"#,
            r#"{"id": "da", "module": "a", "hours": 30, "skill": "s", "min_level": 1, "weight": 1},
               {"id": "db", "module": "b", "hours": 30, "skill": "s", "min_level": 1, "weight": 1}"#,
            1,
        );
        let elig = Eligibility::new(&inst);
        let ctx = Ctx {
            inst: &inst,
            elig: &elig,
        };
        let (a, b) = (inst.ids.modules["a"], inst.ids.modules["b"]);
        let (ann, bo) = (inst.ids.staff["ann"], inst.ids.staff["bo"]);
        let mut state = PostState::pinned(&inst);
        state.add(&inst, ann, b);
        state.add(&inst, bo, a);
        let mut eval = Style::of(&inst).evaluator(ctx);
        let cur = eval.evaluate(state);
        assert_eq!((cur.key.coverage, cur.key.stability), (0.0, 4));
        let far = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let back = revert(ctx, &mut eval, cur, far);
        assert_eq!((back.key.coverage, back.key.stability), (0.0, 0));
        assert_eq!(back.state.posts.of(ann), &[a]);
        assert_eq!(back.state.posts.of(bo), &[b]);
    }

    /// The end passes rate posts with one flow: `prune` drops a post that carries no work (and was
    /// not held today), keeps the ones that do; `restore` gives back a post held today for free.
    #[test]
    fn prune_and_restore_settle_posts() {
        let text = r#"{
          "name": "ends",
          "staff": [
            {"id": "p1", "capacity": 10, "current_posts": ["m3"]},
            {"id": "p2", "capacity": 10}
          ],
          "modules": [{"id": "m1"}, {"id": "m2"}, {"id": "m3"}],
          "duties": [
            {"id": "d1", "module": "m1", "hours": 8},
            {"id": "d2", "module": "m2", "hours": 6, "splittable": false}
          ]
        }"#;
        let (inst, _) = crate::io::parse_instance(text, "ends.json").expect("valid");
        let elig = Eligibility::new(&inst);
        let ctx = Ctx {
            inst: &inst,
            elig: &elig,
        };
        let mut eval = Evaluator::new(ctx, BestOptions::default());
        let (p1, p2) = (StaffIdx::from(0), StaffIdx::from(1));
        let mut state = PostState::pinned(&inst);
        state.add(&inst, p1, ModuleIdx::from(0));
        state.add(&inst, p2, ModuleIdx::from(1));
        // An idle post in m1 for p2 (m1's work fits p1).
        state.add(&inst, p2, ModuleIdx::from(0));
        let start = eval.evaluate(state);
        assert_eq!(start.key.coverage, 0.0);
        let far = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let pruned = prune(&inst, &mut eval, start, far);
        assert_eq!(pruned.key.coverage, 0.0);
        assert_eq!(pruned.state.posts.of(p2), &[ModuleIdx::from(1)]);
        assert_eq!(pruned.state.posts.of(p1), &[ModuleIdx::from(0)]);
        // Two posts added (m1 for p1, m2 for p2) and today's m3 dropped.
        assert_eq!(pruned.key.stability, 3);
        let restored = restore(ctx, &mut eval, pruned, far);
        assert_eq!(
            restored.state.posts.of(p1),
            &[ModuleIdx::from(0), ModuleIdx::from(2)]
        );
        assert_eq!(restored.key.stability, 2);
        assert_eq!(restored.key.coverage, 0.0);
    }
}
