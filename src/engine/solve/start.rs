//! Starting the search from a given plan (`solve --start`): its posts, cut down to a set
//! that holds together, and its own choice of who does each non-splittable duty, so that the
//! first plan rated is at least as good as the one given.

use crate::engine::eligibility::{Ctx, Eligibility};
use crate::engine::posts::PostState;
use crate::io::Diagnostic;
use crate::model::{DeclaredPlan, DutyIdx, Instance, ModuleIdx, StaffIdx};

/// A plan to start the search from, by index (see [`Start::from_plan`] for a plan file).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Start {
    /// Posts, in the plan's order. A post that cannot hold together with those before it
    /// (see [`Dropped`]) is dropped.
    pub posts: Vec<(StaffIdx, ModuleIdx)>,
    /// Hours per person and duty. Only who does each non-splittable duty is taken from them;
    /// the search computes every hour afresh.
    pub assignments: Vec<(StaffIdx, DutyIdx, f64)>,
}

/// Why a post of a start is dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dropped {
    /// A person or module index out of range.
    Unknown,
    /// The same post is listed before.
    Repeated,
    /// The person is unavailable for the module.
    Unavailable,
    /// The person can do none of the module's duties.
    NotQualified,
    /// The person holds `max_posts` posts already.
    MaxPosts,
    /// The person holds this conflicting module already.
    Conflict(ModuleIdx),
    /// The module has `max_staff` people already.
    MaxStaff,
    /// The module's unit employs `headcount_cap` people already.
    UnitCap,
}

impl Dropped {
    /// Why, in words, for a warning.
    #[must_use]
    pub fn describe(self, inst: &Instance) -> String {
        match self {
            Self::Unknown => "not in the instance".into(),
            Self::Repeated => "it is listed twice".into(),
            Self::Unavailable => "the person is unavailable for the module".into(),
            Self::NotQualified => "the person can do none of the module's duties".into(),
            Self::MaxPosts => "the person holds max_posts posts already".into(),
            Self::Conflict(m) => format!(
                "it conflicts with the person's post in `{}`",
                inst.module(m).id
            ),
            Self::MaxStaff => "the module has max_staff people already".into(),
            Self::UnitCap => "the module's unit is at its headcount_cap".into(),
        }
    }
}

impl Start {
    /// The start a plan gives: its rows by index, with a warning for each post that is
    /// dropped (an unknown id, or a post that cannot hold with those before it), in the
    /// plan's order. The warnings name the post's ids, the same in a JSON plan and a sheet.
    #[must_use]
    pub fn from_plan(inst: &Instance, plan: &DeclaredPlan) -> (Self, Vec<Diagnostic>) {
        let mut warnings = Vec::new();
        let mut at = Vec::new();
        let mut start = Self::default();
        for (i, post) in plan.posts.iter().enumerate() {
            let p = inst.ids.staff.get(&post.person).copied();
            let m = inst.ids.modules.get(&post.module).copied();
            if let (Some(p), Some(m)) = (p, m) {
                start.posts.push((p, m));
                at.push(i);
            } else {
                let unknown = if p.is_none() {
                    format!("unknown person `{}`", post.person)
                } else {
                    format!("unknown module `{}`", post.module)
                };
                warnings.push((
                    i,
                    format!(
                        "the start's post of `{}` in `{}` is dropped: {unknown}",
                        post.person, post.module
                    ),
                ));
            }
        }
        // Assignments only point at who does the non-splittable duties: unknown ids say
        // nothing the posts' warnings have not.
        start.assignments = plan
            .assignments
            .iter()
            .filter_map(|a| {
                let p = *inst.ids.staff.get(&a.person)?;
                let d = *inst.ids.duties.get(&a.duty)?;
                a.hours.is_finite().then_some((p, d, a.hours))
            })
            .collect();
        let elig = Eligibility::new(inst);
        let (_, dropped) = legal_posts(Ctx { inst, elig: &elig }, &start);
        for (j, why) in dropped {
            let post = &plan.posts[at[j]];
            warnings.push((
                at[j],
                format!(
                    "the start's post of `{}` in `{}` is dropped: {}",
                    post.person,
                    post.module,
                    why.describe(inst)
                ),
            ));
        }
        warnings.sort_by_key(|w| w.0);
        let warnings = warnings
            .into_iter()
            .map(|(_, message)| Diagnostic::warning("", message))
            .collect();
        (start, warnings)
    }
}

/// The posts of `start` that hold together, taken in order, and the index and reason of each
/// one dropped.
pub(crate) fn legal_posts(ctx: Ctx<'_>, start: &Start) -> (PostState, Vec<(usize, Dropped)>) {
    let inst = ctx.inst;
    // Pins first: every plan keeps them, so a start post competes only for what they leave.
    let mut state = PostState::pinned(inst);
    let mut dropped = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (j, &(p, m)) in start.posts.iter().enumerate() {
        if p.index() >= inst.staff.len() || m.index() >= inst.modules.len() {
            dropped.push((j, Dropped::Unknown));
        } else if !seen.insert((p, m)) {
            dropped.push((j, Dropped::Repeated));
        } else if state.posts.holds(p, m) {
            // A pinned post the start also holds.
        } else if state.can_add(ctx, p, m) {
            state.add(inst, p, m);
        } else {
            dropped.push((j, why_not(ctx, &state, p, m)));
        }
    }
    (state, dropped)
}

/// Which rule keeps `p` out of `m` (the rules of `PostState::can_add`, in its order).
fn why_not(ctx: Ctx<'_>, state: &PostState, p: StaffIdx, m: ModuleIdx) -> Dropped {
    let (inst, elig) = (ctx.inst, ctx.elig);
    let held = state.posts.of(p);
    if held.len() >= inst.person(p).max_posts as usize {
        return Dropped::MaxPosts;
    }
    if elig.modules_of[p.index()].binary_search(&m).is_err() {
        return if inst.person(p).unavailable.contains(&m) {
            Dropped::Unavailable
        } else {
            Dropped::NotQualified
        };
    }
    if let Some(&h) = held.iter().find(|&&h| elig.conflict(h, m)) {
        return Dropped::Conflict(h);
    }
    let module = inst.module(m);
    if module
        .max_staff
        .is_some_and(|c| state.holders[m.index()] >= c)
    {
        return Dropped::MaxStaff;
    }
    Dropped::UnitCap
}

/// Who does each non-splittable duty in `start`: the one person who works on it (none when
/// nobody or several do). The hours oracle keeps each choice its posts and capacity allow.
pub(crate) fn fixed_choices(inst: &Instance, start: &Start) -> Vec<Option<StaffIdx>> {
    let mut who: Vec<Option<StaffIdx>> = vec![None; inst.duties.len()];
    let mut shared = vec![false; inst.duties.len()];
    for &(p, d, h) in &start.assignments {
        let (Some(duty), true) = (inst.duties.get(d.index()), p.index() < inst.staff.len()) else {
            continue;
        };
        if duty.splittable || h <= 1e-9 {
            continue;
        }
        match who[d.index()] {
            None => who[d.index()] = Some(p),
            Some(q) if q != p => shared[d.index()] = true,
            Some(_) => {}
        }
    }
    for (w, s) in who.iter_mut().zip(shared) {
        if s {
            *w = None;
        }
    }
    who
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::parse_instance;
    use crate::model::Post;

    fn tiny() -> Instance {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/instances/tiny.json"))
                .expect("tiny");
        parse_instance(&text, "tiny.json").expect("valid").0
    }

    #[test]
    fn illegal_posts_are_dropped_with_their_reason_in_order() {
        let inst = tiny();
        let post = |p: &str, m: &str| Post {
            person: p.into(),
            module: m.into(),
        };
        let plan = DeclaredPlan {
            posts: vec![
                post("bo", "funds"),
                post("cai", "funds"), // unavailable
                post("ann", "funds"), // funds holds one person
                post("bo", "field"),  // conflicts with funds
                post("bo", "policy"),
                post("bo", "policy"), // twice
                post("bo", "elsewhere"),
                post("ann", "policy"),
                post("cai", "field"),
            ],
            ..DeclaredPlan::default()
        };
        let (start, warnings) = Start::from_plan(&inst, &plan);
        assert_eq!(start.posts.len(), 8);
        let text: Vec<String> = warnings.iter().map(|w| w.message.clone()).collect();
        assert_eq!(
            text,
            [
                "the start's post of `cai` in `funds` is dropped: the person is unavailable for the module",
                "the start's post of `ann` in `funds` is dropped: the module has max_staff people already",
                "the start's post of `bo` in `field` is dropped: it conflicts with the person's post in `funds`",
                "the start's post of `bo` in `policy` is dropped: it is listed twice",
                "the start's post of `bo` in `elsewhere` is dropped: unknown module `elsewhere`",
            ]
        );
        let elig = Eligibility::new(&inst);
        let (state, dropped) = legal_posts(
            Ctx {
                inst: &inst,
                elig: &elig,
            },
            &start,
        );
        assert_eq!(dropped.len(), 4);
        assert_eq!(state.posts.len(), 4);
    }
}
