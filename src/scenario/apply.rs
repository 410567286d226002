//! Applies operations to the raw form of an instance, checking each value and every
//! reference at the point its operation applies.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::{DutyFilter, ModuleChange, NewStaff, Operation, RulesChange, StaffFilter};
use crate::io::diagnostic::{did_you_mean, quoted_list};
use crate::io::position::{join_index, join_key};
use crate::io::{Diagnostic, RawInstance, RawRules, RawStaff};
use crate::rng::Rng;

/// One problem, at a path relative to its scenario (`remove_staff.ids[1]`; empty: the
/// scenario as a whole).
#[derive(Debug)]
pub(crate) struct Problem {
    pub path: String,
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    /// The problem as a diagnostic whose path starts with the scenario's `label`.
    pub(crate) fn into_diagnostic(self, label: &str) -> Diagnostic {
        let path = if self.path.is_empty() {
            label.to_owned()
        } else {
            format!("{label}.{}", self.path)
        };
        Diagnostic::error(path, self.message).maybe_hint(self.hint)
    }
}

/// Default capacity of a person.
const DEFAULT_CAPACITY: f64 = 40.0;

/// Applies `ops` in order; `paths[i]` is where operation `i` is written (`remove_staff`).
pub(crate) fn apply(
    raw: &mut RawInstance,
    ops: &[Operation],
    paths: &[String],
) -> Result<(), Vec<Problem>> {
    let mut engine = Engine {
        raw,
        problems: Vec::new(),
        removed_staff: HashMap::new(),
        removed_modules: HashMap::new(),
        removed_duties: HashMap::new(),
    };
    for (op, path) in ops.iter().zip(paths) {
        engine.op(op, path);
    }
    if engine.problems.is_empty() {
        Ok(())
    } else {
        Err(engine.problems)
    }
}

struct Engine<'r> {
    raw: &'r mut RawInstance,
    problems: Vec<Problem>,
    /// Ids removed by an earlier operation -> the path of that operation.
    removed_staff: HashMap<String, String>,
    removed_modules: HashMap<String, String>,
    removed_duties: HashMap<String, String>,
}

/// Most people one `add_staff` entry may hire: the hires are materialised as people, so an
/// unbounded count would exhaust memory before any check could answer.
const MAX_HIRES: usize = 100_000;

/// A positive, finite factor.
fn factor_ok(factor: f64) -> bool {
    factor.is_finite() && factor > 0.0
}

impl Engine<'_> {
    fn error(&mut self, path: String, message: impl Into<String>, hint: Option<String>) {
        self.problems.push(Problem {
            path,
            message: message.into(),
            hint,
        });
    }

    /// Reports `id` as unknown: removed earlier in the scenario, or a likely typo.
    #[expect(clippy::too_many_arguments, reason = "one call per kind of reference")]
    fn unknown<'c>(
        &mut self,
        path: String,
        what: &str,
        list: &str,
        id: &str,
        candidates: impl IntoIterator<Item = &'c str>,
        removed_by: Option<String>,
        fix: &str,
    ) {
        if let Some(op) = removed_by {
            self.error(
                path,
                format!(
                    "{what} `{id}` no longer exists: `{op}` removed it earlier in this scenario"
                ),
                Some("operations apply in the order they are written".into()),
            );
            return;
        }
        let candidates: Vec<&str> = candidates.into_iter().collect();
        let hint = match did_you_mean(id, candidates.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if candidates.is_empty() => format!("the instance has no {list}"),
            None => format!("known {list}: {}{fix}", quoted_list(candidates, 5)),
        };
        self.error(path, format!("unknown {what} `{id}`"), Some(hint));
    }

    fn check_factor(&mut self, path: &str, factor: f64) -> bool {
        if factor_ok(factor) {
            return true;
        }
        self.error(
            join_key(path, "factor"),
            format!("factor must be a number greater than 0, found {factor}"),
            Some("a factor multiplies, e.g. `1.15` for +15% or `0.8` for -20%".into()),
        );
        false
    }

    fn op(&mut self, op: &Operation, path: &str) {
        match op {
            Operation::RemoveStaff {
                who,
                fraction,
                seed,
            } => self.remove_staff(path, who, *fraction, *seed),
            Operation::AddStaff(new) => self.add_staff(path, new),
            Operation::ScaleCapacity { factor, who } => self.scale_capacity(path, *factor, who),
            Operation::DropDuties { which, limit } => self.drop_duties(path, which, *limit),
            Operation::ScaleHours { factor, which } => self.scale_hours(path, *factor, which),
            Operation::RemoveModules(ids) => self.remove_modules(path, ids),
            Operation::SetModule(change) => self.set_module(path, change),
            Operation::Rules(change) => self.rules(path, change),
            Operation::AddConflicts(pairs) => self.add_conflicts(path, pairs),
            Operation::Pin { person, module } => self.pin(path, person, module),
            Operation::Unpin { person, module } => self.unpin(path, person, module.as_deref()),
        }
    }

    // --- lookups -----------------------------------------------------------------------

    /// Every skill id the instance knows: its catalogue, or those staff and duties use.
    fn known_skills(&self) -> BTreeSet<String> {
        match &self.raw.skills {
            Some(catalogue) => catalogue.iter().map(|k| k.id.clone()).collect(),
            None => self
                .raw
                .staff
                .iter()
                .flat_map(|p| p.skills.keys().cloned())
                .chain(self.raw.duties.iter().filter_map(|d| d.skill.clone()))
                .collect(),
        }
    }

    fn check_unit(&mut self, path: String, unit: &str) -> bool {
        if self.raw.units.iter().any(|u| u.id == unit) {
            return true;
        }
        let units: Vec<String> = self.raw.units.iter().map(|u| u.id.clone()).collect();
        self.unknown(
            path,
            "unit",
            "units",
            unit,
            units.iter().map(String::as_str),
            None,
            "",
        );
        false
    }

    fn check_skill(&mut self, path: String, skill: &str) -> bool {
        let skills = self.known_skills();
        if skills.contains(skill) {
            return true;
        }
        self.unknown(
            path,
            "skill",
            "skills",
            skill,
            skills.iter().map(String::as_str),
            None,
            "",
        );
        false
    }

    /// Positions of a list of ids in `ids_now`, reporting unknown and repeated ones.
    fn resolve_ids(
        &mut self,
        path: &str,
        ids: &[String],
        kind: Kind,
        ids_now: &[String],
    ) -> Option<Vec<usize>> {
        let index: HashMap<&str, usize> = ids_now
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut ok = true;
        for (j, id) in ids.iter().enumerate() {
            let p = join_index(path, j);
            if !seen.insert(id.as_str()) {
                self.error(
                    p,
                    format!("{} `{id}` is listed twice", kind.what()),
                    Some("list each id once".into()),
                );
                ok = false;
                continue;
            }
            if let Some(&i) = index.get(id.as_str()) {
                out.push(i);
            } else {
                let removed_by = self.removed(kind).get(id).cloned();
                self.unknown(
                    p,
                    kind.what(),
                    kind.list(),
                    id,
                    ids_now.iter().map(String::as_str),
                    removed_by,
                    "",
                );
                ok = false;
            }
        }
        out.sort_unstable();
        ok.then_some(out)
    }

    /// The position of person or module `id` now, reporting it at `path` when unknown.
    fn find(&mut self, path: String, id: &str, kind: Kind) -> Option<usize> {
        let now = match kind {
            Kind::Person => self.staff_ids(),
            Kind::Module => self.module_ids(),
            Kind::Duty => self.duty_ids(),
        };
        if let Some(i) = now.iter().position(|x| x == id) {
            return Some(i);
        }
        let removed_by = self.removed(kind).get(id).cloned();
        self.unknown(
            path,
            kind.what(),
            kind.list(),
            id,
            now.iter().map(String::as_str),
            removed_by,
            "",
        );
        None
    }

    fn removed(&self, kind: Kind) -> &HashMap<String, String> {
        match kind {
            Kind::Person => &self.removed_staff,
            Kind::Module => &self.removed_modules,
            Kind::Duty => &self.removed_duties,
        }
    }

    fn staff_ids(&self) -> Vec<String> {
        self.raw.staff.iter().map(|p| p.id.clone()).collect()
    }

    fn module_ids(&self) -> Vec<String> {
        self.raw.modules.iter().map(|m| m.id.clone()).collect()
    }

    fn duty_ids(&self) -> Vec<String> {
        self.raw.duties.iter().map(|d| d.id.clone()).collect()
    }

    /// The people `who` selects, in instance order; `None` after reporting a problem.
    fn select_staff(&mut self, path: &str, who: &StaffFilter) -> Option<Vec<usize>> {
        if !who.ids.is_empty() {
            if who.unit.is_some() || who.skill.is_some() {
                self.error(
                    path.to_owned(),
                    "`ids` cannot be combined with `unit` or `skill`",
                    Some("select people either by id or by unit and skill".into()),
                );
                return None;
            }
            let now = self.staff_ids();
            return self.resolve_ids(&join_key(path, "ids"), &who.ids, Kind::Person, &now);
        }
        let unit_ok = who
            .unit
            .as_ref()
            .is_none_or(|u| self.check_unit(join_key(path, "unit"), u));
        let skill_ok = who
            .skill
            .as_ref()
            .is_none_or(|k| self.check_skill(join_key(path, "skill"), k));
        if !(unit_ok && skill_ok) {
            return None;
        }
        let selected: Vec<usize> = self
            .raw
            .staff
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                who.unit.as_ref().is_none_or(|u| p.unit.as_ref() == Some(u))
                    && who.skill.as_ref().is_none_or(|k| p.skills.contains_key(k))
            })
            .map(|(i, _)| i)
            .collect();
        if selected.is_empty() && (who.unit.is_some() || who.skill.is_some()) {
            let what = match (&who.unit, &who.skill) {
                (Some(u), Some(k)) => format!("nobody in unit `{u}` has skill `{k}`"),
                (Some(u), None) => format!("nobody belongs to unit `{u}`"),
                (None, Some(k)) => format!("nobody has skill `{k}`"),
                (None, None) => unreachable!(),
            };
            let hint = who
                .unit
                .as_ref()
                .map(|_| "a person's unit is the `unit` field of their staff entry".to_owned());
            self.error(path.to_owned(), format!("selects nobody: {what}"), hint);
            return None;
        }
        Some(selected)
    }

    /// The duties `which` selects, in instance order; `None` after reporting a problem.
    fn select_duties(&mut self, path: &str, which: &DutyFilter) -> Option<Vec<usize>> {
        if !which.ids.is_empty() {
            if !which.modules.is_empty() || !which.tags.is_empty() {
                self.error(
                    path.to_owned(),
                    "`ids` cannot be combined with `modules` or `tags`",
                    Some("select duties either by id or by module and tag".into()),
                );
                return None;
            }
            let now = self.duty_ids();
            return self.resolve_ids(&join_key(path, "ids"), &which.ids, Kind::Duty, &now);
        }
        let mut ok = true;
        let mut modules = Vec::new();
        if !which.modules.is_empty() {
            let now = self.module_ids();
            match self.resolve_ids(
                &join_key(path, "modules"),
                &which.modules,
                Kind::Module,
                &now,
            ) {
                Some(m) => modules = m.into_iter().map(|i| now[i].clone()).collect(),
                None => ok = false,
            }
        }
        let tags: BTreeSet<String> = self
            .raw
            .duties
            .iter()
            .flat_map(|d| d.tags.iter().cloned())
            .collect();
        let mut seen = HashSet::new();
        for (j, tag) in which.tags.iter().enumerate() {
            let p = join_index(&join_key(path, "tags"), j);
            if !seen.insert(tag) {
                self.error(
                    p,
                    format!("tag `{tag}` is listed twice"),
                    Some("list each tag once".into()),
                );
                ok = false;
            } else if !tags.contains(tag) {
                self.unknown(
                    p,
                    "tag",
                    "tags",
                    tag,
                    tags.iter().map(String::as_str),
                    None,
                    " (a tag must be on at least one duty)",
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        let selected: Vec<usize> = self
            .raw
            .duties
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                (modules.is_empty() || modules.contains(&d.module))
                    && (which.tags.is_empty() || d.tags.iter().any(|t| which.tags.contains(t)))
            })
            .map(|(i, _)| i)
            .collect();
        if selected.is_empty() && !(which.modules.is_empty() && which.tags.is_empty()) {
            let what = if which.tags.is_empty() {
                "the modules have no duties".to_owned()
            } else if which.modules.is_empty() {
                "no duty has these tags".to_owned()
            } else {
                "no duty of these modules has these tags".to_owned()
            };
            self.error(path.to_owned(), format!("selects no duty: {what}"), None);
            return None;
        }
        Some(selected)
    }

    // --- operations --------------------------------------------------------------------

    fn remove_staff(&mut self, path: &str, who: &StaffFilter, fraction: Option<f64>, seed: u64) {
        let fraction_ok = match fraction {
            Some(f) if !(0.0..=1.0).contains(&f) => {
                self.error(
                    join_key(path, "fraction"),
                    format!("fraction must be between 0 and 1, found {f}"),
                    Some("a fraction is a share of the selected people, e.g. `0.2` for 20%".into()),
                );
                false
            }
            _ => true,
        };
        if fraction.is_none() && *who == StaffFilter::default() {
            self.error(
                path.to_owned(),
                "`remove_staff` selects everyone and gives no fraction",
                Some("select people with `ids`, `unit` or `skill`, or give a `fraction`".into()),
            );
            return;
        }
        let Some(selected) = self.select_staff(path, who) else {
            return;
        };
        if !fraction_ok {
            return;
        }
        let chosen = match fraction {
            Some(f) => sample(selected, f, seed),
            None => selected,
        };
        let chosen: HashSet<usize> = chosen.into_iter().collect();
        let mut i = 0;
        self.raw.staff.retain(|p| {
            let keep = !chosen.contains(&i);
            if !keep {
                self.removed_staff.insert(p.id.clone(), path.to_owned());
            }
            i += 1;
            keep
        });
    }

    fn add_staff(&mut self, path: &str, new: &NewStaff) {
        let mut ok = true;
        if new.id.trim().is_empty() {
            self.error(
                join_key(path, "id"),
                "person id is empty",
                Some("ids are non-empty strings".into()),
            );
            ok = false;
        }
        if new.count == 0 {
            self.error(
                join_key(path, "count"),
                "count must be 1 or more, found 0",
                Some("count is how many people alike to hire".into()),
            );
            ok = false;
        }
        if new.count as usize > MAX_HIRES {
            self.error(
                join_key(path, "count"),
                format!("count must be at most {MAX_HIRES}, found {}", new.count),
                Some("one entry hires people alike for one bureau; split larger plans".into()),
            );
            ok = false;
        } else if self.raw.staff.len() + new.count as usize > crate::io::size_limits().people {
            // The size cap of any instance, checked before the hires are materialised.
            let cap = crate::io::size_limits().people;
            self.error(
                join_key(path, "count"),
                format!(
                    "hiring {} would make {} people, more than the cap of {cap}",
                    new.count,
                    self.raw.staff.len() + new.count as usize
                ),
                Some(
                    "hire fewer people in this scenario, or raise the cap with `--max-people`"
                        .into(),
                ),
            );
            ok = false;
        }
        if new.name.as_ref().is_some_and(|n| n.trim().is_empty()) {
            self.error(
                join_key(path, "name"),
                "name is empty",
                Some("give a readable name or leave the field out".into()),
            );
            ok = false;
        }
        if !(new.capacity.is_finite() && new.capacity > 0.0) {
            self.error(
                join_key(path, "capacity"),
                format!(
                    "capacity must be a number greater than 0, found {}",
                    new.capacity
                ),
                Some("capacity is weekly hours, e.g. `40`".into()),
            );
            ok = false;
        }
        if let Some(unit) = &new.unit {
            ok &= self.check_unit(join_key(path, "unit"), unit);
        }
        for (skill, &level) in &new.skills {
            let p = join_key(&join_key(path, "skills"), skill);
            if !(1..=5).contains(&level) {
                self.error(
                    p.clone(),
                    format!("level of `{skill}` must be between 1 and 5, found {level}"),
                    Some("levels run from 1 (basic) to 5 (expert)".into()),
                );
                ok = false;
            }
            ok &= self.check_skill(p, skill);
        }
        if !ok {
            return;
        }
        let existing: HashSet<String> = self.staff_ids().into_iter().collect();
        let ids = new.ids();
        for id in &ids {
            if existing.contains(id) {
                let p = join_key(path, "id");
                let taken = if ids.len() == 1 {
                    format!("person `{id}` already exists")
                } else {
                    format!(
                        "person `{id}` (one of the {} new ids) already exists",
                        ids.len()
                    )
                };
                self.error(p, taken, Some("give the hire an id no one has".into()));
                return;
            }
        }
        for (i, id) in ids.iter().enumerate() {
            let name = new.name.as_ref().map(|n| {
                if ids.len() == 1 {
                    n.clone()
                } else {
                    format!("{n} {}", i + 1)
                }
            });
            self.removed_staff.remove(id);
            self.raw.staff.push(RawStaff {
                id: id.clone(),
                name,
                unit: new.unit.clone(),
                capacity: Some(new.capacity),
                skills: new
                    .skills
                    .iter()
                    .map(|(k, &l)| (k.clone(), i64::from(l)))
                    .collect(),
                max_posts: new.max_posts.map(i64::from),
                max_liaisons: new.max_liaisons.map(i64::from),
                current_posts: Vec::new(),
                fixed_posts: Vec::new(),
                unavailable: Vec::new(),
            });
        }
    }

    fn scale_capacity(&mut self, path: &str, factor: f64, who: &StaffFilter) {
        let factor_ok = self.check_factor(path, factor);
        let Some(selected) = self.select_staff(path, who) else {
            return;
        };
        if !factor_ok {
            return;
        }
        for i in selected {
            let p = &mut self.raw.staff[i];
            p.capacity = Some(p.capacity.unwrap_or(DEFAULT_CAPACITY) * factor);
        }
    }

    fn drop_duties(&mut self, path: &str, which: &DutyFilter, limit: Option<usize>) {
        if *which == DutyFilter::default() {
            self.error(
                path.to_owned(),
                "`drop_duties` names no duties",
                Some("select duties with `ids`, `modules` or `tags`".into()),
            );
            return;
        }
        if limit == Some(0) {
            self.error(
                join_key(path, "limit"),
                "limit must be 1 or more, found 0",
                Some("limit drops the first N matching duties, in instance order".into()),
            );
            return;
        }
        let Some(mut selected) = self.select_duties(path, which) else {
            return;
        };
        if let Some(n) = limit {
            if n > selected.len() {
                self.error(
                    join_key(path, "limit"),
                    match selected.len() {
                        1 => format!("limit {n} is more than the 1 duty that matches"),
                        m => format!("limit {n} is more than the {m} duties that match"),
                    },
                    Some(format!(
                        "lower the limit to {} or leave it out",
                        selected.len()
                    )),
                );
                return;
            }
            selected.truncate(n);
        }
        let chosen: HashSet<usize> = selected.into_iter().collect();
        let mut i = 0;
        self.raw.duties.retain(|d| {
            let keep = !chosen.contains(&i);
            if !keep {
                self.removed_duties.insert(d.id.clone(), path.to_owned());
            }
            i += 1;
            keep
        });
    }

    fn scale_hours(&mut self, path: &str, factor: f64, which: &DutyFilter) {
        let factor_ok = self.check_factor(path, factor);
        let Some(selected) = self.select_duties(path, which) else {
            return;
        };
        if !factor_ok {
            return;
        }
        for i in selected {
            self.raw.duties[i].hours *= factor;
        }
    }

    fn remove_modules(&mut self, path: &str, ids: &[String]) {
        if ids.is_empty() {
            self.error(path.to_owned(), "no module to remove", None);
            return;
        }
        let now = self.module_ids();
        let Some(selected) = self.resolve_ids(path, ids, Kind::Module, &now) else {
            return;
        };
        let gone: HashSet<String> = selected.into_iter().map(|i| now[i].clone()).collect();
        for id in &gone {
            self.removed_modules.insert(id.clone(), path.to_owned());
        }
        self.raw.modules.retain(|m| !gone.contains(&m.id));
        let removed_duties = &mut self.removed_duties;
        self.raw.duties.retain(|d| {
            let keep = !gone.contains(&d.module);
            if !keep {
                removed_duties.insert(d.id.clone(), path.to_owned());
            }
            keep
        });
        for p in &mut self.raw.staff {
            p.current_posts.retain(|m| !gone.contains(m));
            p.fixed_posts.retain(|m| !gone.contains(m));
            p.unavailable.retain(|m| !gone.contains(m));
        }
        if let Some(rules) = &mut self.raw.rules {
            rules
                .conflicts
                .retain(|pair| !pair.iter().any(|m| gone.contains(m)));
        }
    }

    fn set_module(&mut self, path: &str, change: &ModuleChange) {
        if change.min_staff.is_none() && change.max_staff.is_none() {
            self.error(
                path.to_owned(),
                "`set_module` changes nothing",
                Some("give `min_staff`, `max_staff` or both".into()),
            );
            return;
        }
        let Some(i) = self.raw.modules.iter().position(|m| m.id == change.id) else {
            let now = self.module_ids();
            let removed_by = self.removed_modules.get(&change.id).cloned();
            self.unknown(
                join_key(path, "id"),
                "module",
                "modules",
                &change.id,
                now.iter().map(String::as_str),
                removed_by,
                "",
            );
            return;
        };
        let module = &mut self.raw.modules[i];
        if let Some(min) = change.min_staff {
            module.min_staff = Some(i64::from(min));
        }
        if let Some(max) = change.max_staff {
            module.max_staff = Some(i64::from(max));
        }
        if let (Some(min), Some(max)) = (module.min_staff, module.max_staff) {
            if min > max {
                let field = if change.min_staff.is_some() {
                    "min_staff"
                } else {
                    "max_staff"
                };
                self.error(
                    join_key(path, field),
                    format!(
                        "module `{}` would need min_staff {min} but allow only max_staff {max}",
                        change.id
                    ),
                    Some("min_staff must not exceed max_staff".into()),
                );
            }
        }
    }

    fn rules(&mut self, path: &str, change: &RulesChange) {
        if *change == RulesChange::default() {
            self.error(
                path.to_owned(),
                "`rules` changes nothing",
                Some(
                    "give `max_posts`, `max_liaisons`, `liaison_weight` or `min_staff_weight`"
                        .into(),
                ),
            );
            return;
        }
        let mut ok = true;
        for (field, value) in [
            ("liaison_weight", change.liaison_weight),
            ("min_staff_weight", change.min_staff_weight),
        ] {
            if let Some(v) = value {
                if !(v.is_finite() && v >= 0.0) {
                    self.error(
                        join_key(path, field),
                        format!("penalty must be a number of 0 or more, found {v}"),
                        None,
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            return;
        }
        let rules = self.raw.rules.get_or_insert_with(RawRules::default);
        if let Some(v) = change.max_posts {
            rules.max_posts = Some(i64::from(v));
        }
        if let Some(v) = change.max_liaisons {
            rules.max_liaisons = Some(i64::from(v));
        }
        if let Some(v) = change.liaison_weight {
            rules.liaison_weight = Some(v);
        }
        if let Some(v) = change.min_staff_weight {
            rules.min_staff_weight = Some(v);
        }
        for p in &mut self.raw.staff {
            if let (Some(own), Some(cap)) = (p.max_posts, change.max_posts) {
                p.max_posts = Some(own.min(i64::from(cap)));
            }
            if let (Some(own), Some(cap)) = (p.max_liaisons, change.max_liaisons) {
                p.max_liaisons = Some(own.min(i64::from(cap)));
            }
        }
    }

    fn add_conflicts(&mut self, path: &str, pairs: &[[String; 2]]) {
        if pairs.is_empty() {
            self.error(path.to_owned(), "no conflict pair to add", None);
            return;
        }
        let now = self.module_ids();
        let mut add = Vec::new();
        for (j, [a, b]) in pairs.iter().enumerate() {
            let p = join_index(path, j);
            if a == b {
                self.error(
                    p,
                    format!("conflict pairs module `{a}` with itself"),
                    Some("a conflict names two different modules".into()),
                );
                continue;
            }
            let mut ok = true;
            for (k, id) in [a, b].into_iter().enumerate() {
                if !now.contains(id) {
                    let removed_by = self.removed_modules.get(id).cloned();
                    self.unknown(
                        join_index(&p, k),
                        "module",
                        "modules",
                        id,
                        now.iter().map(String::as_str),
                        removed_by,
                        "",
                    );
                    ok = false;
                }
            }
            if ok {
                add.push(vec![a.clone(), b.clone()]);
            }
        }
        let rules = self.raw.rules.get_or_insert_with(RawRules::default);
        for pair in add {
            let known = rules.conflicts.iter().any(|c| {
                c.len() == 2
                    && ((c[0] == pair[0] && c[1] == pair[1])
                        || (c[0] == pair[1] && c[1] == pair[0]))
            });
            if !known {
                rules.conflicts.push(pair);
            }
        }
    }

    /// Whether the pins can all hold together is left to validation, which the scenario's
    /// result goes through (and whose errors are placed at this operation).
    fn pin(&mut self, path: &str, person: &str, module: &str) {
        let p = self.find(join_key(path, "person"), person, Kind::Person);
        let m = self.find(join_key(path, "module"), module, Kind::Module);
        let (Some(p), Some(_)) = (p, m) else {
            return;
        };
        let pins = &mut self.raw.staff[p].fixed_posts;
        if !pins.iter().any(|x| x == module) {
            pins.push(module.to_owned());
        }
    }

    fn unpin(&mut self, path: &str, person: &str, module: Option<&str>) {
        let Some(p) = self.find(join_key(path, "person"), person, Kind::Person) else {
            return;
        };
        let Some(module) = module else {
            if self.raw.staff[p].fixed_posts.is_empty() {
                self.error(
                    join_key(path, "person"),
                    format!("`{person}` has no pins to remove"),
                    Some("pins are the person's `fixed_posts`".into()),
                );
            }
            self.raw.staff[p].fixed_posts.clear();
            return;
        };
        let at = join_key(path, "module");
        if self.find(at.clone(), module, Kind::Module).is_none() {
            return;
        }
        let pins = &mut self.raw.staff[p].fixed_posts;
        if let Some(i) = pins.iter().position(|x| x == module) {
            pins.remove(i);
            return;
        }
        let hint = if pins.is_empty() {
            format!("`{person}` has no pins")
        } else {
            format!(
                "`{person}` is pinned to {}",
                quoted_list(pins.iter().map(String::as_str), 5)
            )
        };
        self.error(
            at,
            format!("`{person}` is not pinned to `{module}`"),
            Some(hint),
        );
    }
}

/// What a list of ids refers to.
#[derive(Clone, Copy)]
enum Kind {
    Person,
    Module,
    Duty,
}

impl Kind {
    fn what(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Module => "module",
            Self::Duty => "duty",
        }
    }

    fn list(self) -> &'static str {
        match self {
            Self::Person => "staff",
            Self::Module => "modules",
            Self::Duty => "duties",
        }
    }
}

/// `round(fraction * len)` of `pool` (positions in instance order), chosen by a partial
/// Fisher-Yates shuffle seeded with `seed`; returned in instance order.
#[expect(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "fraction is in 0..=1, so the count is in 0..=len"
)]
pub(crate) fn sample(mut pool: Vec<usize>, fraction: f64, seed: u64) -> Vec<usize> {
    let n = pool.len();
    let k = ((fraction * n as f64).round() as usize).min(n);
    let mut rng = Rng::new(seed);
    for i in 0..k {
        let j = i + rng.below(n - i);
        pool.swap(i, j);
    }
    pool.truncate(k);
    pool.sort_unstable();
    pool
}
