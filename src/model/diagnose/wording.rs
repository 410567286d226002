//! Every sentence of a diagnosis: the analysis in the parent module finds the facts, this
//! module puts them into words (the `summary` of each finding, which the solver also writes
//! as a plan's `reason`).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{Blocker, Candidate, EPS, Liaising, Reason, Standing};
use crate::model::{DutyIdx, Instance};

impl Blocker {
    /// The rule in the planner's words.
    pub(super) fn describe(&self, module: &str) -> String {
        match self {
            Self::Unavailable => format!("is unavailable for `{module}`"),
            Self::PostsCap { held, max_posts } => format!(
                "holds {} of {max_posts} posts ({})",
                held.len(),
                list(held, 4)
            ),
            Self::Conflict { with } => format!("holds `{with}`, which conflicts with `{module}`"),
            Self::ModuleFull { holders, max_staff } => format!(
                "`{module}` is full ({} of {max_staff} posts: {})",
                holders.len(),
                list(holders, 4)
            ),
            Self::UnitCap {
                unit,
                headcount,
                headcount_cap,
            } => format!("unit `{unit}` is at its headcount cap ({headcount} of {headcount_cap})"),
        }
    }

    /// A short name of the rule.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Unavailable => "unavailability",
            Self::PostsCap { .. } => "posts cap",
            Self::Conflict { .. } => "a conflict",
            Self::ModuleFull { .. } => "the module's max_staff",
            Self::UnitCap { .. } => "the unit's headcount cap",
        }
    }
}

/// At most `n` items of a list, then "and k more".
fn list(items: &[String], n: usize) -> String {
    let shown = items
        .iter()
        .take(n)
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > n {
        format!("{shown} and {} more", items.len() - n)
    } else {
        shown
    }
}

/// Hours and weights without needless decimals. The report layer has its own formatter; the
/// model layer does not depend on it.
fn num(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if (r - r.round()).abs() < 1e-9 {
        format!("{r:.0}")
    } else {
        format!("{r}")
    }
}

/// "p04 (40/40 h: d011 w10 12 h, d012 w8 28 h)".
fn at_capacity(c: &Candidate) -> String {
    let work = c
        .work
        .iter()
        .take(2)
        .map(|w| format!("`{}` weight {} {} h", w.duty, num(w.weight), num(w.hours)))
        .collect::<Vec<_>>()
        .join(", ");
    let more = if c.work.len() > 2 {
        format!(", {} more", c.work.len() - 2)
    } else {
        String::new()
    };
    format!(
        "`{}` ({}/{} h: {work}{more})",
        c.person,
        num(c.load),
        num(c.capacity)
    )
}

/// The candidates who stand where `standing` says.
fn standing(candidates: &[Candidate], standing: Standing) -> Vec<&Candidate> {
    candidates
        .iter()
        .filter(|c| c.standing == standing)
        .collect()
}

/// The short names of the rules behind `blockers`, each once, sorted, as "a, b".
fn rules_of<'a>(blockers: impl Iterator<Item = &'a Blocker>) -> String {
    blockers
        .map(Blocker::rule)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why duty `d` of `module` is uncovered, for the category `reason` found.
pub(super) fn uncovered_summary(
    inst: &Instance,
    d: DutyIdx,
    module: &str,
    reason: Reason,
    candidates: &[Candidate],
    near: &[(String, u8)],
) -> String {
    let duty = inst.duty(d);
    let mut s = match reason {
        Reason::NoSkill => {
            let skill = duty.skill.map(|s| inst.skills[s.index()].id.as_str());
            return no_skill(skill, duty.min_level, near);
        }
        Reason::NotOptimal => {
            return not_optimal(standing(candidates, Standing::Free)[0], module);
        }
        Reason::Blocked => return blocked(&standing(candidates, Standing::Blocked), module),
        Reason::AtCapacity | Reason::LowerWeight => full(
            &standing(candidates, Standing::Full),
            reason == Reason::LowerWeight,
            duty.weight,
        ),
        Reason::NoSingleBlock => no_single_block(
            &standing(candidates, Standing::TooLittleFree),
            standing(candidates, Standing::Full).len(),
            duty.hours,
        ),
    };
    let blocked = standing(candidates, Standing::Blocked);
    if !blocked.is_empty() {
        let _ = write!(
            s,
            "; {} more kept out of `{module}` ({})",
            blocked.len(),
            rules_of(blocked.iter().flat_map(|c| c.blockers.iter()))
        );
    }
    s
}

/// Nobody has the skill (at the level); `near` are those below the level, closest first.
fn no_skill(skill: Option<&str>, min_level: u8, near: &[(String, u8)]) -> String {
    match skill {
        Some(skill) if near.is_empty() => format!("nobody has `{skill}`"),
        Some(skill) => {
            let closest = near
                .iter()
                .take(4)
                .map(|(p, l)| format!("`{p}` has level {l}"))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "nobody has `{skill}` at level {min_level} or above (closest: {closest}{})",
                if near.len() > 4 { ", ..." } else { "" }
            )
        }
        None => "there is nobody on the staff".to_owned(),
    }
}

/// `c` has hours free and may work on the duty.
fn not_optimal(c: &Candidate, module: &str) -> String {
    format!(
        "`{}` could do more of it ({} h free{}) without breaking a rule: this plan is not \
         optimal (solve longer)",
        c.person,
        num(c.capacity - c.load),
        if c.holds_post {
            format!(", holds a post in `{module}`")
        } else {
            format!(", may take a post in `{module}`")
        }
    )
}

/// Everyone who can do the duty is kept out of its module.
fn blocked(blocked: &[&Candidate], module: &str) -> String {
    format!(
        "{} who can do it {} kept out of `{module}` by {}: {}",
        if blocked.len() == 1 {
            "the only person".to_owned()
        } else {
            format!("all {} people", blocked.len())
        },
        if blocked.len() == 1 { "is" } else { "are" },
        rules_of(blocked.iter().flat_map(|c| c.blockers.iter())),
        blocked_text(blocked, module)
    )
}

/// The rules keeping `cs` out of `module`: module-wide rules (a full module, a unit at its
/// cap) once, personal ones (posts cap, conflict, unavailability) per person.
fn blocked_text(cs: &[&Candidate], module: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in cs {
        for b in c.blockers.iter().filter(|b| b.module_wide()) {
            let text = b.describe(module);
            if !parts.contains(&text) {
                parts.push(text);
            }
        }
    }
    for c in cs {
        let personal: Vec<String> = c
            .blockers
            .iter()
            .filter(|b| !b.module_wide())
            .map(|b| b.describe(module))
            .collect();
        if !personal.is_empty() {
            parts.push(format!("`{}` {}", c.person, personal.join(" and ")));
        }
    }
    parts.join("; ")
}

/// Everyone who may do the duty is at capacity (`heavier`: on strictly heavier work).
fn full(full: &[&Candidate], heavier: bool, weight: f64) -> String {
    let (lo, hi) = full
        .iter()
        .flat_map(|c| c.work.iter().map(|w| w.weight))
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), w| {
            (lo.min(w), hi.max(w))
        });
    let range = if lo.is_finite() && (hi - lo).abs() > EPS {
        format!("{}-{}", num(lo), num(hi))
    } else {
        num(hi)
    };
    let what = if heavier {
        format!(
            "on heavier work (weight {range}; this duty weighs {})",
            num(weight)
        )
    } else {
        format!(
            "on work of weight {range} (this duty weighs {})",
            num(weight)
        )
    };
    let who = if full.len() == 1 {
        "the only person who may do it is at capacity".to_owned()
    } else {
        format!("all {} people who may do it are at capacity", full.len())
    };
    let shown = full
        .iter()
        .take(2)
        .map(|c| at_capacity(c))
        .collect::<Vec<_>>()
        .join("; ");
    let more = if full.len() > 2 {
        format!("; and {} more at capacity", full.len() - 2)
    } else {
        String::new()
    };
    format!("{who} {what}: {shown}{more}")
}

/// Nobody who may do the non-splittable duty has its `hours` free in one piece.
fn no_single_block(little: &[&Candidate], full: usize, hours: f64) -> String {
    let most = little
        .iter()
        .map(|c| (c.capacity - c.load, c.person.as_str()))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let mut s = format!(
        "it cannot be split and nobody who may do it has {} h free in one piece",
        num(hours)
    );
    if let Some((h, p)) = most {
        let _ = write!(s, " (most: `{p}` with {} h)", num(h));
    }
    if full > 0 {
        let _ = write!(s, "; {full} more at capacity");
    }
    s
}

/// Why a counterpart mirrored by `modules` has no liaison; `possible` hold a post in one of
/// them, `spare` is the first of those with a liaison to spare.
pub(super) fn counterpart_summary(
    modules: &[String],
    possible: &[Liaising],
    spare: Option<&Liaising>,
) -> String {
    if possible.is_empty() {
        format!(
            "nobody holds a post in {}, the module{} that mirror{} it",
            list(modules, 4),
            if modules.len() == 1 { "" } else { "s" },
            if modules.len() == 1 { "s" } else { "" }
        )
    } else if let Some(l) = spare {
        format!(
            "`{}` holds a post in a module that mirrors it and liaises with {} of {}: this plan \
             is not optimal",
            l.person, l.liaisons, l.max_liaisons
        )
    } else {
        let who = possible
            .iter()
            .take(4)
            .map(|l| format!("`{}` {}/{}", l.person, l.liaisons, l.max_liaisons))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "the {} people holding a post in {} are all at their liaison limit ({who}{})",
            possible.len(),
            list(modules, 4),
            if possible.len() > 4 { ", ..." } else { "" }
        )
    }
}

/// Why a module with `held` post holders is below its floor; `qualified_outside` qualify but
/// hold no post there, `open` is the first of them no rule keeps out.
pub(super) fn understaffed_summary(
    held: usize,
    qualified_outside: &[(String, Vec<Blocker>)],
    open: Option<&String>,
) -> String {
    if qualified_outside.is_empty() {
        format!(
            "only {held} {} can do any of its duties",
            if held == 1 { "person" } else { "people" }
        )
    } else if let Some(p) = open {
        format!("`{p}` could take a post here without breaking a rule: this plan is not optimal")
    } else {
        let rules: BTreeSet<&str> = qualified_outside
            .iter()
            .flat_map(|(_, b)| b.iter().map(Blocker::rule))
            .collect();
        let who = if qualified_outside.len() == 1 {
            format!(
                "`{}`, the only other person who qualifies, is",
                qualified_outside[0].0
            )
        } else {
            format!(
                "the {} other people who qualify are",
                qualified_outside.len()
            )
        };
        format!(
            "{who} kept out by {}",
            rules.into_iter().collect::<Vec<_>>().join(", ")
        )
    }
}
