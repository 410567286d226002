//! Every sentence of a diagnosis: the analysis in the parent module finds the facts, this
//! module puts them into words. An uncovered duty's facts are a [`Why`], worded in full
//! ([`full`], plain or Markdown) or in one short sentence ([`short`], a plan's `reason`).
//! People, modules and duties are named as "Name (id)".

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{Blocker, EPS, Liaising, Reason, Rule};
use crate::model::names::{Kind, markdown_named, named};
use crate::model::{Duty, Instance, Why, WhyPerson, decimal as num};

/// Names things for plain text or for Markdown (ids as code).
#[derive(Clone, Copy)]
struct Say<'a> {
    inst: &'a Instance,
    md: bool,
}

impl Say<'_> {
    fn name(self, kind: Kind, id: &str) -> String {
        if self.md {
            markdown_named(self.inst, kind, id)
        } else {
            named(self.inst, kind, id)
        }
    }

    fn person(self, id: &str) -> String {
        self.name(Kind::Person, id)
    }

    fn module(self, id: &str) -> String {
        if id.is_empty() {
            "its module".to_owned()
        } else {
            self.name(Kind::Module, id)
        }
    }

    /// At most `n` items of a list, then "and k more".
    fn list(self, kind: Kind, items: &[String], n: usize) -> String {
        let shown = items
            .iter()
            .take(n)
            .map(|s| self.name(kind, s))
            .collect::<Vec<_>>()
            .join(", ");
        if items.len() > n {
            format!("{shown} and {} more", items.len() - n)
        } else {
            shown
        }
    }

    /// A rule that keeps someone out of `module`, in the planner's words.
    fn blocker(self, b: &Blocker, module: &str) -> String {
        let m = self.module(module);
        match b {
            Blocker::Unavailable => format!("is unavailable for {m}"),
            Blocker::PostsCap { held, max_posts } => format!(
                "holds {} of {max_posts} posts ({})",
                held.len(),
                self.list(Kind::Module, held, 4)
            ),
            Blocker::Conflict { with } => {
                format!("holds {}, which conflicts with {m}", self.module(with))
            }
            Blocker::ModuleFull { holders, max_staff } => format!(
                "{m} is full ({} of {max_staff} posts: {})",
                holders.len(),
                self.list(Kind::Person, holders, 4)
            ),
            Blocker::UnitCap {
                unit,
                headcount,
                headcount_cap,
            } => format!(
                "unit {} is at its headcount cap ({headcount} of {headcount_cap})",
                self.name(Kind::Unit, unit)
            ),
        }
    }

    /// "Ann Li (ann) works 40 of 40 h: 12 h on d011 at weight 10, 28 h on d012 at weight 8".
    fn at_capacity(self, p: &WhyPerson) -> String {
        let mut work: Vec<String> = p
            .work
            .iter()
            .map(|w| {
                format!(
                    "{} h on {} at weight {}",
                    num(w.hours),
                    self.name(Kind::Duty, &w.duty),
                    num(w.weight)
                )
            })
            .collect();
        if p.more_work > 0 {
            work.push(format!("{} more", p.more_work));
        }
        format!(
            "{} works {} of {} h: {}",
            self.person(&p.person),
            num(p.hours.unwrap_or(0.0)),
            num(p.capacity.unwrap_or(0.0)),
            work.join(", ")
        )
    }
}

/// The short names of `rules`, as "a, b".
fn rules_text(rules: &[Rule]) -> String {
    rules
        .iter()
        .map(|r| r.words())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rules in a word or two each, as "a, b".
fn rule_tags(rules: &[Rule]) -> String {
    rules.iter().map(|r| r.tag()).collect::<Vec<_>>().join(", ")
}

/// The distinct rules behind `blockers`, in a fixed order.
fn rules_of<'a>(blockers: impl Iterator<Item = &'a Blocker>) -> Vec<Rule> {
    blockers
        .map(Blocker::rule)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The duty `id` names in `inst`, and its module's id (empty when unknown).
fn duty_of<'a>(inst: &'a Instance, id: &str) -> (Option<&'a Duty>, String) {
    let duty = inst.ids.duties.get(id).map(|&d| inst.duty(d));
    let module = duty.map_or_else(String::new, |d| inst.module(d.module).id.clone());
    (duty, module)
}

/// The skill a duty needs, named, with the level when above 1.
fn skill_needed(say: Say<'_>, duty: Option<&Duty>) -> Option<(String, u8)> {
    let d = duty?;
    let s = d.skill?;
    Some((
        say.name(Kind::Skill, &say.inst.skills[s.index()].id),
        d.min_level,
    ))
}

/// The weights of the work that keeps people at capacity: "8-10" or "10".
fn weight_range(why: &Why) -> String {
    match why.weights {
        Some([lo, hi]) if (hi - lo).abs() > EPS => format!("{}-{}", num(lo), num(hi)),
        Some([_, hi]) => num(hi),
        None => "0".to_owned(),
    }
}

/// "both people" or "all 7 people".
fn everyone(n: u64) -> String {
    if n == 2 {
        "both people".to_owned()
    } else {
        format!("all {n} people")
    }
}

/// Everyone the reason is about, listed or not.
fn concerned(why: &Why) -> u64 {
    why.people.len() as u64 + why.more
}

/// Why duty `duty` is uncovered, in full: who, with which figures and rules. Plain text, or
/// Markdown with ids as code.
#[must_use]
pub fn full(inst: &Instance, duty: &str, why: &Why, md: bool) -> String {
    let say = Say { inst, md };
    let (d, module) = duty_of(inst, duty);
    let mut s = match why.reason {
        Reason::NoSkill => return no_skill(say, d, why),
        Reason::NotOptimal => return not_optimal(say, why, &module),
        Reason::Blocked => return blocked(say, why, &module),
        Reason::AtCapacity | Reason::LowerWeight => full_text(say, why, d.map(|d| d.weight)),
        Reason::NoSingleBlock => no_single_block(why, say, d.map(|d| d.hours)),
    };
    if why.kept_out > 0 {
        let _ = write!(
            s,
            "; {} more kept out of {} ({})",
            why.kept_out,
            say.module(&module),
            rules_text(&why.rules)
        );
    }
    s
}

/// Why duty `duty` is uncovered, in one plain sentence of about 80 characters that names at
/// most one person; [`full`] gives the rest.
#[must_use]
pub fn short(inst: &Instance, duty: &str, why: &Why) -> String {
    let say = Say { inst, md: false };
    let (d, _) = duty_of(inst, duty);
    let n = concerned(why);
    let first = why.people.first().map(|p| say.person(&p.person));
    let mut s = match (why.reason, first) {
        (Reason::NoSkill, _) => match skill_needed(say, d) {
            Some((skill, level)) if level > 1 => {
                format!("nobody has {skill} at level {level} or above")
            }
            Some((skill, _)) => format!("nobody has {skill}"),
            None => "there is nobody on the staff".to_owned(),
        },
        (Reason::NotOptimal, Some(p)) => format!(
            "{p} has {} h free for it: the plan is not optimal",
            num(free(&why.people[0]))
        ),
        (Reason::Blocked, Some(p)) if n == 1 => format!(
            "the only person who can do it, {p}, is kept out ({})",
            rule_tags(&why.rules)
        ),
        (Reason::Blocked, _) => format!(
            "{} who can do it are kept out ({})",
            everyone(n),
            rule_tags(&why.rules)
        ),
        (Reason::AtCapacity, Some(p)) if n == 1 => {
            format!("the only person who may do it, {p}, is at capacity")
        }
        (Reason::LowerWeight, Some(p)) if n == 1 => {
            format!("the only person who may do it, {p}, is busy with heavier work")
        }
        (Reason::AtCapacity, _) => {
            format!("{} who may do it are at capacity", everyone(n))
        }
        (Reason::LowerWeight, _) => format!(
            "{} who may do it are busy with heavier work (weight {})",
            everyone(n),
            weight_range(why)
        ),
        (Reason::NoSingleBlock, _) => format!(
            "it cannot be split and nobody who may do it has {} h free at once",
            num(d.map_or(0.0, |d| d.hours))
        ),
        (Reason::NotOptimal, None) => "someone could do more of it: the plan is not optimal".into(),
    };
    let at_capacity = matches!(
        why.reason,
        Reason::AtCapacity | Reason::LowerWeight | Reason::NoSingleBlock
    );
    if why.kept_out > 0 && at_capacity {
        let _ = write!(s, "; {} more kept out", why.kept_out);
    }
    s
}

/// Hours a person has left.
fn free(p: &WhyPerson) -> f64 {
    p.capacity.unwrap_or(0.0) - p.hours.unwrap_or(0.0)
}

/// Nobody has the skill (at the level); `why.people` are those below the level, closest first.
fn no_skill(say: Say<'_>, duty: Option<&Duty>, why: &Why) -> String {
    let Some((skill, level)) = skill_needed(say, duty) else {
        return "there is nobody on the staff".to_owned();
    };
    if why.people.is_empty() {
        return format!("nobody has {skill}");
    }
    let closest = why
        .people
        .iter()
        .map(|p| {
            format!(
                "{} has level {}",
                say.person(&p.person),
                p.level.unwrap_or(0)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "nobody has {skill} at level {level} or above (closest: {closest}{})",
        if why.more > 0 { ", ..." } else { "" }
    )
}

/// Someone has hours free and may work on the duty.
fn not_optimal(say: Say<'_>, why: &Why, module: &str) -> String {
    let Some(p) = why.people.first() else {
        return "someone could do more of it without breaking a rule: this plan is not optimal \
                (solve longer)"
            .to_owned();
    };
    format!(
        "{} could do more of it ({} h free, {} {}) without breaking a rule: this plan is not \
         optimal (solve longer)",
        say.person(&p.person),
        num(free(p)),
        if p.holds_post {
            "holds a post in"
        } else {
            "may take a post in"
        },
        say.module(module)
    )
}

/// Everyone who can do the duty is kept out of its module: module-wide rules (a full module,
/// a unit at its cap) once, personal ones (posts cap, conflict, unavailability) per person.
fn blocked(say: Say<'_>, why: &Why, module: &str) -> String {
    let n = concerned(why);
    let mut parts: Vec<String> = why
        .module_blockers
        .iter()
        .map(|b| say.blocker(b, module))
        .collect();
    for p in &why.people {
        let personal: Vec<String> = p.blockers.iter().map(|b| say.blocker(b, module)).collect();
        if !personal.is_empty() {
            parts.push(format!(
                "{} {}",
                say.person(&p.person),
                personal.join(" and ")
            ));
        }
    }
    if why.more > 0 {
        parts.push(format!("and {} more", why.more));
    }
    let rules = if why.rules.is_empty() {
        rules_of(
            why.module_blockers
                .iter()
                .chain(why.people.iter().flat_map(|p| p.blockers.iter())),
        )
    } else {
        why.rules.clone()
    };
    format!(
        "{} who can do it {} kept out of {} by {}: {}",
        if n == 1 {
            "the only person".to_owned()
        } else {
            everyone(n)
        },
        if n == 1 { "is" } else { "are" },
        say.module(module),
        rules_text(&rules),
        parts.join("; ")
    )
}

/// Everyone who may do the duty is at capacity (`lower_weight`: on strictly heavier work).
fn full_text(say: Say<'_>, why: &Why, weight: Option<f64>) -> String {
    let n = concerned(why);
    let weighs = weight.map_or_else(String::new, |w| format!("this duty weighs {}", num(w)));
    let what = if why.reason == Reason::LowerWeight {
        format!("on heavier work (weight {}; {weighs})", weight_range(why))
    } else {
        format!("on work of weight {} ({weighs})", weight_range(why))
    };
    let who = if n == 1 {
        "the only person who may do it is at capacity".to_owned()
    } else {
        format!("{} who may do it are at capacity", everyone(n))
    };
    let shown = why
        .people
        .iter()
        .take(2)
        .map(|p| say.at_capacity(p))
        .collect::<Vec<_>>()
        .join("; ");
    let more = if n > 2 {
        format!("; and {} more at capacity", n - 2)
    } else {
        String::new()
    };
    format!("{who} {what}: {shown}{more}")
}

/// Nobody who may do the non-splittable duty has its `hours` free in one piece.
fn no_single_block(why: &Why, say: Say<'_>, hours: Option<f64>) -> String {
    let mut s = format!(
        "it cannot be split and nobody who may do it has {} h free in one piece",
        num(hours.unwrap_or(0.0))
    );
    if let Some(p) = why.people.first() {
        let _ = write!(
            s,
            " (most: {} with {} h)",
            say.person(&p.person),
            num(free(p))
        );
    }
    if why.at_capacity > 0 {
        let _ = write!(s, "; {} more at capacity", why.at_capacity);
    }
    s
}

/// Why a counterpart mirrored by `modules` has no liaison; `possible` hold a post in one of
/// them, `spare` is the first of those with a liaison to spare.
pub(super) fn counterpart_summary(
    inst: &Instance,
    modules: &[String],
    possible: &[Liaising],
    spare: Option<&Liaising>,
) -> String {
    let say = Say { inst, md: false };
    if possible.is_empty() {
        format!(
            "nobody holds a post in {}, the module{} that mirror{} it",
            say.list(Kind::Module, modules, 4),
            if modules.len() == 1 { "" } else { "s" },
            if modules.len() == 1 { "s" } else { "" }
        )
    } else if let Some(l) = spare {
        format!(
            "{} holds a post in a module that mirrors it and liaises with {} of {}: this plan \
             is not optimal",
            say.person(&l.person),
            l.liaisons,
            l.max_liaisons
        )
    } else {
        let who = possible
            .iter()
            .take(4)
            .map(|l| {
                format!(
                    "{} {}/{}",
                    say.person(&l.person),
                    l.liaisons,
                    l.max_liaisons
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "the {} people holding a post in {} are all at their liaison limit ({who}{})",
            possible.len(),
            say.list(Kind::Module, modules, 4),
            if possible.len() > 4 { ", ..." } else { "" }
        )
    }
}

/// Why a module with `held` post holders is below its floor; `qualified_outside` qualify but
/// hold no post there, `open` is the first of them no rule keeps out.
pub(super) fn understaffed_summary(
    inst: &Instance,
    held: usize,
    qualified_outside: &[(String, Vec<Blocker>)],
    open: Option<&String>,
) -> String {
    let say = Say { inst, md: false };
    if qualified_outside.is_empty() {
        format!(
            "only {held} {} can do any of its duties",
            if held == 1 { "person" } else { "people" }
        )
    } else if let Some(p) = open {
        format!(
            "{} could take a post here without breaking a rule: this plan is not optimal",
            say.person(p)
        )
    } else {
        let rules = rules_of(qualified_outside.iter().flat_map(|(_, b)| b.iter()));
        let who = if qualified_outside.len() == 1 {
            format!(
                "{}, the only other person who qualifies, is",
                say.person(&qualified_outside[0].0)
            )
        } else {
            format!(
                "the {} other people who qualify are",
                qualified_outside.len()
            )
        };
        format!("{who} kept out by {}", rules_text(&rules))
    }
}
