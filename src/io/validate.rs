//! [`RawInstance`] -> [`Instance`]: resolve ids, apply defaults, check every rule of the
//! instance file (docs/format.md), and collect every problem (errors and warnings) rather than the first.

use std::collections::{BTreeMap, BTreeSet};

use super::decode::Origins;
use super::diagnostic::{Diagnostic, Diagnostics, Validated, did_you_mean, quoted_list};
use super::position::{PositionIndex, join_index, join_key};
use super::raw::{RawInstance, RawRules, RawStaff};
use crate::model::{
    Counterpart, CounterpartIdx, Duty, DutyIdx, IdMaps, Instance, Module, ModuleIdx, Rules, Skill,
    SkillIdx, Staff, StaffIdx, Unit, UnitIdx,
};

/// Collects diagnostics with positions looked up from the source text.
struct Sink<'a> {
    diags: Diagnostics,
    positions: Option<&'a PositionIndex>,
    origins: &'a Origins,
}

impl Sink<'_> {
    fn push(&mut self, d: Diagnostic) {
        let pos = self.positions.and_then(|p| p.find(&d.path));
        self.diags.push(d.at(pos));
    }
    fn error(&mut self, path: &str, message: String, hint: Option<String>) {
        self.push(Diagnostic::error(path, message).maybe_hint(hint));
    }
    fn warning(&mut self, path: &str, message: String, hint: Option<String>) {
        self.push(Diagnostic::warning(path, message).maybe_hint(hint));
    }
    /// Path of decoded element `i` of list `list`, in file numbering.
    fn elem(&self, list: &str, i: usize) -> String {
        let origin = match list {
            "skills" => &self.origins.skills,
            "units" => &self.origins.units,
            "counterparts" => &self.origins.counterparts,
            "staff" => &self.origins.staff,
            "modules" => &self.origins.modules,
            "duties" => &self.origins.duties,
            _ => return join_index(list, i),
        };
        join_index(list, origin.get(i).copied().unwrap_or(i))
    }
}

/// Builds an id -> position map, reporting empty and duplicate ids.
fn index_ids<I: From<usize> + Copy>(
    sink: &mut Sink<'_>,
    list: &str,
    what: &str,
    ids: impl Iterator<Item = String>,
) -> BTreeMap<String, I> {
    let mut map = BTreeMap::new();
    let mut first: BTreeMap<String, String> = BTreeMap::new();
    for (i, id) in ids.enumerate() {
        let path = join_key(&sink.elem(list, i), "id");
        if id.trim().is_empty() {
            sink.error(
                &path,
                format!("{what} id is empty"),
                Some("ids are non-empty strings".into()),
            );
            continue;
        }
        if let Some(prev) = first.get(&id) {
            sink.error(
                &path,
                format!("duplicate {what} id `{id}`, first used at `{prev}`"),
                Some("ids must be unique within their list".into()),
            );
            continue;
        }
        first.insert(id.clone(), path);
        map.insert(id, I::from(i));
    }
    map
}

/// Resolves a reference, reporting a dangling one with a did-you-mean hint.
fn resolve<I: Copy>(
    sink: &mut Sink<'_>,
    path: &str,
    what: &str,
    list: &str,
    id: &str,
    map: &BTreeMap<String, I>,
) -> Option<I> {
    if let Some(&i) = map.get(id) {
        return Some(i);
    }
    let hint = match did_you_mean(id, map.keys().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`?"),
        None if map.is_empty() => format!("the instance has no {list}"),
        None => format!(
            "known {list}: {}",
            quoted_list(map.keys().map(String::as_str), 5)
        ),
    };
    sink.error(path, format!("unknown {what} `{id}`"), Some(hint));
    None
}

fn count(sink: &mut Sink<'_>, path: &str, what: &str, v: Option<i64>) -> Option<u32> {
    let v = v?;
    if v < 0 {
        sink.error(path, format!("{what} must be 0 or more, found {v}"), None);
        return None;
    }
    if let Ok(v) = u32::try_from(v) {
        Some(v)
    } else {
        sink.error(path, format!("{what} {v} is too large"), None);
        None
    }
}

fn level(sink: &mut Sink<'_>, path: &str, what: &str, v: i64) -> Option<u8> {
    if (1..=5).contains(&v) {
        u8::try_from(v).ok()
    } else {
        sink.error(
            path,
            format!("{what} must be between 1 and 5, found {v}"),
            Some("levels run from 1 (basic) to 5 (expert)".into()),
        );
        None
    }
}

fn positive(sink: &mut Sink<'_>, path: &str, what: &str, v: f64, hint: &str) -> bool {
    if v.is_finite() && v > 0.0 {
        true
    } else {
        sink.error(
            path,
            format!("{what} must be a number greater than 0, found {v}"),
            Some(hint.into()),
        );
        false
    }
}

/// Smallest hours a duty or a capacity may state: plans carry hours to 1e-6, so a smaller
/// figure would vanish in their rounding.
const MIN_HOURS: f64 = 1e-3;

/// Largest hours, weight or capacity a file may state: sums over every duty must stay exact
/// and finite (a figure near 1e308 overflowed to infinity).
const MAX_FIGURE: f64 = 1e6;

/// A figure as people write it: `12`, `-8`, `0.5`, or `1e308` when far from everyday sizes.
fn figure(v: f64) -> String {
    if v == 0.0 || (1e-4..1e7).contains(&v.abs()) {
        v.to_string()
    } else {
        format!("{v:e}")
    }
}

/// A positive figure within `[min, MAX_FIGURE]`.
fn bounded(sink: &mut Sink<'_>, path: &str, what: &str, v: f64, min: f64, hint: &str) -> bool {
    if !positive(sink, path, what, v, hint) {
        return false;
    }
    if v < min || v > MAX_FIGURE {
        sink.error(
            path,
            format!(
                "{what} must be between {min} and {MAX_FIGURE}, found {}",
                figure(v)
            ),
            Some(hint.into()),
        );
        return false;
    }
    true
}

fn check_name(sink: &mut Sink<'_>, path: &str, name: Option<&String>) {
    if name.is_some_and(|n| n.trim().is_empty()) {
        sink.error(
            &join_key(path, "name"),
            "name is empty".into(),
            Some("give a readable name or leave the field out".into()),
        );
    }
}

/// Validates a raw instance decoded from a file; `origins` and `positions` let messages name
/// the file's own indices, lines and columns.
/// Size caps checked before anything is solved: the solver's lists grow with people x modules
/// (a possible post each), and an instance far beyond a province's would exhaust memory or
/// take minutes before the first plan. The command line raises them with `--max-people`,
/// `--max-duties` and `--max-posts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SizeLimits {
    /// Most people [100,000].
    pub people: usize,
    /// Most duties [1,000,000].
    pub duties: usize,
    /// Most possible posts, people x modules [100,000,000].
    pub posts: u64,
}

impl Default for SizeLimits {
    fn default() -> Self {
        Self {
            people: 100_000,
            duties: 1_000_000,
            posts: 100_000_000,
        }
    }
}

static LIMITS: std::sync::RwLock<Option<SizeLimits>> = std::sync::RwLock::new(None);

/// Sets the size caps every later validation in this process applies.
pub fn set_size_limits(limits: SizeLimits) {
    if let Ok(mut l) = LIMITS.write() {
        *l = Some(limits);
    }
}

/// The size caps in force.
#[must_use]
pub fn size_limits() -> SizeLimits {
    LIMITS.read().ok().and_then(|l| *l).unwrap_or_default()
}

fn check_size(s: &mut Sink<'_>, raw: &RawInstance) {
    let caps = size_limits();
    let (np, nm, nd) = (raw.staff.len(), raw.modules.len(), raw.duties.len());
    if np > caps.people {
        s.error(
            "staff",
            format!("{np} people, more than the cap of {}", caps.people),
            Some("split the instance by bureau, or raise the cap with `--max-people`".into()),
        );
    }
    if nd > caps.duties {
        s.error(
            "duties",
            format!("{nd} duties, more than the cap of {}", caps.duties),
            Some("merge small duties, or raise the cap with `--max-duties`".into()),
        );
    }
    let posts = (np as u64).saturating_mul(nm as u64);
    if posts > caps.posts {
        s.error(
            "modules",
            format!(
                "{np} people x {nm} modules = {posts} possible posts, more than the cap of {}",
                caps.posts
            ),
            Some(
                "the solver keeps a list per possible post (tens of bytes each); split the \
                 instance, or raise the cap with `--max-posts`"
                    .into(),
            ),
        );
    }
}

pub(crate) fn validate_decoded(
    raw: &RawInstance,
    origins: &Origins,
    positions: Option<&PositionIndex>,
    mut diags: Diagnostics,
) -> Result<(Instance, Diagnostics), Diagnostics> {
    let mut sink = Sink {
        diags: std::mem::take(&mut diags),
        positions,
        origins,
    };
    let s = &mut sink;
    check_size(s, raw);
    check_instance_name(s, raw);
    let rr = raw.rules.clone().unwrap_or_default();
    let mut rules = rules(s, &rr);
    let (skill_ids, skills) = skills(s, raw);
    let (unit_ids, units) = units(s, raw);
    let (counterpart_ids, counterparts) = counterparts(s, raw);
    let ids = IdMaps {
        modules: index_ids(
            s,
            "modules",
            "module",
            raw.modules.iter().map(|m| m.id.clone()),
        ),
        staff: index_ids(s, "staff", "person", raw.staff.iter().map(|p| p.id.clone())),
        duties: index_ids(s, "duties", "duty", raw.duties.iter().map(|d| d.id.clone())),
        counterparts: counterpart_ids,
        units: unit_ids,
        skills: skill_ids,
    };
    let cx = Lists {
        raw,
        ids: &ids,
        has_catalogue: raw.skills.is_some(),
    };
    let mut modules = cx.modules(s);
    let duties = cx.duties(s, &mut modules);
    let staff = cx.staff(s, &rules, &modules);
    rules.conflicts = cx.conflicts(s, &rr);

    if s.diags.has_errors() {
        return Err(sink.diags);
    }

    let instance = Instance {
        name: raw.name.clone(),
        description: raw.description.clone(),
        skills,
        has_skill_catalogue: cx.has_catalogue,
        units,
        counterparts,
        staff,
        modules,
        duties,
        rules,
        ids,
    };
    check_pins(&instance, raw, &mut sink);
    if sink.diags.has_errors() {
        return Err(sink.diags);
    }
    warn_suspicious(&instance, &mut sink);
    Ok((instance, sink.diags))
}

fn check_instance_name(s: &mut Sink<'_>, raw: &RawInstance) {
    if raw.name.trim().is_empty() {
        s.error(
            "name",
            "instance name is empty".into(),
            Some("name the instance, e.g. `\"longgang-agri\"`".into()),
        );
    }
}

/// The instance-wide rules with their defaults filled in; conflicts come later, once the
/// modules are known.
fn rules(s: &mut Sink<'_>, rr: &RawRules) -> Rules {
    let defaults = Rules::default();
    let max_posts =
        count(s, "rules.max_posts", "max_posts", rr.max_posts).unwrap_or(defaults.max_posts);
    let max_liaisons = count(s, "rules.max_liaisons", "max_liaisons", rr.max_liaisons)
        .unwrap_or(defaults.max_liaisons);
    let weight = |s: &mut Sink<'_>, path: &str, v: Option<f64>, default: f64| -> f64 {
        match v {
            Some(v) if (0.0..=MAX_FIGURE).contains(&v) => v,
            Some(v) => {
                s.error(
                    path,
                    format!(
                        "penalty must be a number from 0 to {MAX_FIGURE}, found {}",
                        figure(v)
                    ),
                    Some("a penalty is in the units of tier 1, e.g. `8`".into()),
                );
                default
            }
            None => default,
        }
    };
    let liaison_weight = weight(
        s,
        "rules.liaison_weight",
        rr.liaison_weight,
        defaults.liaison_weight,
    );
    let min_staff_weight = weight(
        s,
        "rules.min_staff_weight",
        rr.min_staff_weight,
        defaults.min_staff_weight,
    );
    Rules {
        max_posts,
        max_liaisons,
        liaison_weight,
        min_staff_weight,
        conflicts: Vec::new(),
    }
}

/// The skill catalogue; without one, skills are whatever staff and duties mention (sorted,
/// so the same instance always numbers them the same way).
fn skills(s: &mut Sink<'_>, raw: &RawInstance) -> (BTreeMap<String, SkillIdx>, Vec<Skill>) {
    let Some(catalogue) = &raw.skills else {
        let mentioned: BTreeSet<&str> = raw
            .staff
            .iter()
            .flat_map(|p| p.skills.keys().map(String::as_str))
            .chain(raw.duties.iter().filter_map(|d| d.skill.as_deref()))
            .collect();
        let mut ids = BTreeMap::new();
        let mut skills = Vec::new();
        for k in mentioned {
            ids.insert(k.to_owned(), SkillIdx::from(skills.len()));
            skills.push(Skill {
                id: k.to_owned(),
                name: k.to_owned(),
            });
        }
        return (ids, skills);
    };
    let ids = index_ids(s, "skills", "skill", catalogue.iter().map(|k| k.id.clone()));
    let mut skills: Vec<Skill> = Vec::new();
    for (i, k) in catalogue.iter().enumerate() {
        check_name(s, &s.elem("skills", i), k.name.as_ref());
        skills.push(Skill {
            id: k.id.clone(),
            name: k.name.clone().unwrap_or_else(|| k.id.clone()),
        });
    }
    (ids, skills)
}

fn units(s: &mut Sink<'_>, raw: &RawInstance) -> (BTreeMap<String, UnitIdx>, Vec<Unit>) {
    let ids = index_ids(s, "units", "unit", raw.units.iter().map(|u| u.id.clone()));
    let mut units = Vec::new();
    for (i, u) in raw.units.iter().enumerate() {
        let path = s.elem("units", i);
        check_name(s, &path, u.name.as_ref());
        let cap = count(
            s,
            &join_key(&path, "headcount_cap"),
            "headcount_cap",
            u.headcount_cap,
        );
        units.push(Unit {
            id: u.id.clone(),
            name: u.name.clone().unwrap_or_else(|| u.id.clone()),
            headcount_cap: cap,
        });
    }
    (ids, units)
}

fn counterparts(
    s: &mut Sink<'_>,
    raw: &RawInstance,
) -> (BTreeMap<String, CounterpartIdx>, Vec<Counterpart>) {
    let ids = index_ids(
        s,
        "counterparts",
        "counterpart",
        raw.counterparts.iter().map(|c| c.id.clone()),
    );
    let mut counterparts = Vec::new();
    for (i, c) in raw.counterparts.iter().enumerate() {
        check_name(s, &s.elem("counterparts", i), c.name.as_ref());
        counterparts.push(Counterpart {
            id: c.id.clone(),
            name: c.name.clone().unwrap_or_else(|| c.id.clone()),
            bureau: c.bureau.clone(),
        });
    }
    (ids, counterparts)
}

/// What the passes over the lists that refer to others share: the raw lists and every id.
struct Lists<'a> {
    raw: &'a RawInstance,
    ids: &'a IdMaps,
    /// Whether skills come from a catalogue (then an unknown skill is an error).
    has_catalogue: bool,
}

impl Lists<'_> {
    /// A skill named at `path`: from the catalogue, or from the skills mentioned.
    fn skill(&self, s: &mut Sink<'_>, path: &str, k: &str) -> Option<SkillIdx> {
        if self.has_catalogue {
            resolve(
                s,
                path,
                "skill",
                "skills in the catalogue",
                k,
                &self.ids.skills,
            )
        } else {
            self.ids.skills.get(k).copied()
        }
    }

    fn module(&self, s: &mut Sink<'_>, path: &str, id: &str) -> Option<ModuleIdx> {
        resolve(s, path, "module", "modules", id, &self.ids.modules)
    }

    fn unit(&self, s: &mut Sink<'_>, path: &str, id: &str) -> Option<UnitIdx> {
        resolve(s, path, "unit", "units", id, &self.ids.units)
    }

    /// The modules, without their duties yet.
    fn modules(&self, s: &mut Sink<'_>) -> Vec<Module> {
        let mut modules = Vec::new();
        for (i, m) in self.raw.modules.iter().enumerate() {
            let path = s.elem("modules", i);
            check_name(s, &path, m.name.as_ref());
            let unit = m
                .unit
                .as_ref()
                .and_then(|u| self.unit(s, &join_key(&path, "unit"), u));
            let min_staff =
                count(s, &join_key(&path, "min_staff"), "min_staff", m.min_staff).unwrap_or(0);
            let max_staff = count(s, &join_key(&path, "max_staff"), "max_staff", m.max_staff);
            if let Some(max) = max_staff
                && min_staff > max
            {
                s.error(
                    &join_key(&path, "min_staff"),
                    format!("min_staff {min_staff} is greater than max_staff {max}"),
                    Some("raise max_staff or lower min_staff".into()),
                );
            }
            let mut cps = Vec::new();
            for (j, c) in m.counterparts.iter().enumerate() {
                let p = join_index(&join_key(&path, "counterparts"), j);
                let known = &self.ids.counterparts;
                if let Some(ci) = resolve(s, &p, "counterpart", "counterparts", c, known) {
                    if cps.contains(&ci) {
                        s.warning(&p, format!("counterpart `{c}` is listed twice"), None);
                    } else {
                        cps.push(ci);
                    }
                }
            }
            modules.push(Module {
                id: m.id.clone(),
                name: m.name.clone().unwrap_or_else(|| m.id.clone()),
                unit,
                min_staff,
                max_staff,
                counterparts: cps,
                duties: Vec::new(),
            });
        }
        modules
    }

    /// The duties, each also listed in its module.
    fn duties(&self, s: &mut Sink<'_>, modules: &mut [Module]) -> Vec<Duty> {
        let mut duties = Vec::new();
        for (i, d) in self.raw.duties.iter().enumerate() {
            let path = s.elem("duties", i);
            check_name(s, &path, d.name.as_ref());
            let module = self.module(s, &join_key(&path, "module"), &d.module);
            bounded(
                s,
                &join_key(&path, "hours"),
                "hours",
                d.hours,
                MIN_HOURS,
                "hours are weekly workload, e.g. `12`",
            );
            let weight = d.weight.unwrap_or(1.0);
            bounded(
                s,
                &join_key(&path, "weight"),
                "weight",
                weight,
                1e-6,
                "weight is the penalty per uncovered hour, e.g. `1` or `10`",
            );
            let skill = d
                .skill
                .as_ref()
                .and_then(|k| self.skill(s, &join_key(&path, "skill"), k));
            let min_level = level(
                s,
                &join_key(&path, "min_level"),
                "min_level",
                d.min_level.unwrap_or(1),
            )
            .unwrap_or(1);
            if let Some(m) = module {
                modules[m.index()].duties.push(DutyIdx::from(i));
            }
            duties.push(Duty {
                id: d.id.clone(),
                name: d.name.clone().unwrap_or_else(|| d.id.clone()),
                module: module.unwrap_or(ModuleIdx(0)),
                hours: d.hours,
                skill,
                min_level,
                weight,
                splittable: d.splittable.unwrap_or(true),
                tags: d.tags.clone(),
            });
        }
        duties
    }

    /// The people; `rules` give the defaults of their limits.
    fn staff(&self, s: &mut Sink<'_>, rules: &Rules, modules: &[Module]) -> Vec<Staff> {
        let mut staff = Vec::new();
        for (i, p) in self.raw.staff.iter().enumerate() {
            let path = s.elem("staff", i);
            check_name(s, &path, p.name.as_ref());
            let unit = p
                .unit
                .as_ref()
                .and_then(|u| self.unit(s, &join_key(&path, "unit"), u));
            let capacity = p.capacity.unwrap_or(40.0);
            bounded(
                s,
                &join_key(&path, "capacity"),
                "capacity",
                capacity,
                MIN_HOURS,
                "capacity is weekly hours, e.g. `40`",
            );
            let levels = self.levels(s, &path, p);
            let max_posts = count(s, &join_key(&path, "max_posts"), "max_posts", p.max_posts)
                .unwrap_or(rules.max_posts);
            let max_liaisons = count(
                s,
                &join_key(&path, "max_liaisons"),
                "max_liaisons",
                p.max_liaisons,
            )
            .unwrap_or(rules.max_liaisons);
            let current_posts = self.module_list(s, &path, "current_posts", &p.current_posts);
            let unavailable = self.module_list(s, &path, "unavailable", &p.unavailable);
            let fixed_posts = self.module_list(s, &path, "fixed_posts", &p.fixed_posts);
            for m in &current_posts {
                if unavailable.contains(m) {
                    s.warning(
                        &join_key(&path, "current_posts"),
                        format!(
                            "`{}` holds `{}` today but is unavailable for it: the post will be removed",
                            p.id,
                            modules[m.index()].id
                        ),
                        None,
                    );
                }
            }
            staff.push(Staff {
                id: p.id.clone(),
                name: p.name.clone().unwrap_or_else(|| p.id.clone()),
                unit,
                capacity,
                skills: levels,
                max_posts,
                max_liaisons,
                current_posts,
                fixed_posts,
                unavailable,
            });
        }
        staff
    }

    /// A person's skill levels, sorted by skill.
    fn levels(&self, s: &mut Sink<'_>, path: &str, p: &RawStaff) -> Vec<(SkillIdx, u8)> {
        let mut levels = Vec::new();
        for (k, &l) in &p.skills {
            let kp = join_key(&join_key(path, "skills"), k);
            let idx = self.skill(s, &kp, k);
            let l = level(s, &kp, &format!("level of `{k}`"), l);
            if let (Some(idx), Some(l)) = (idx, l) {
                levels.push((idx, l));
            }
        }
        levels.sort_unstable();
        levels
    }

    /// A person's list of modules in `field`, sorted, each once.
    fn module_list(
        &self,
        s: &mut Sink<'_>,
        path: &str,
        field: &str,
        ids: &[String],
    ) -> Vec<ModuleIdx> {
        let mut out: Vec<ModuleIdx> = Vec::new();
        for (j, m) in ids.iter().enumerate() {
            let mp = join_index(&join_key(path, field), j);
            if let Some(mi) = self.module(s, &mp, m) {
                if out.contains(&mi) {
                    s.warning(&mp, format!("module `{m}` is listed twice"), None);
                } else {
                    out.push(mi);
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// The pairs of modules one person may not both hold.
    fn conflicts(&self, s: &mut Sink<'_>, rr: &RawRules) -> Vec<(ModuleIdx, ModuleIdx)> {
        let mut conflicts = Vec::new();
        for (j, pair) in rr.conflicts.iter().enumerate() {
            let path = join_index("rules.conflicts", j);
            if pair.len() != 2 {
                s.error(
                    &path,
                    format!("a conflict names exactly 2 modules, found {}", pair.len()),
                    Some("write pairs like `[\"m03\", \"m09\"]`".into()),
                );
                continue;
            }
            let a = self.module(s, &join_index(&path, 0), &pair[0]);
            let b = self.module(s, &join_index(&path, 1), &pair[1]);
            let (Some(a), Some(b)) = (a, b) else { continue };
            if a == b {
                s.error(
                    &path,
                    format!("conflict pairs module `{}` with itself", pair[0]),
                    Some("a conflict names two different modules".into()),
                );
                continue;
            }
            let key = (a.min(b), a.max(b));
            if conflicts
                .iter()
                .any(|&(x, y): &(ModuleIdx, ModuleIdx)| (x.min(y), x.max(y)) == key)
            {
                s.warning(
                    &path,
                    format!("conflict `{}`/`{}` is listed twice", pair[0], pair[1]),
                    None,
                );
                continue;
            }
            conflicts.push((a, b));
        }
        conflicts
    }
}

/// Pins that cannot all hold together (SPEC constraint 9): a plan keeping every pin must
/// exist, so that assigning nobody else stays feasible.
fn check_pins(inst: &Instance, raw: &RawInstance, s: &mut Sink<'_>) {
    let mut pinned_in: Vec<Vec<StaffIdx>> = vec![Vec::new(); inst.modules.len()];
    let mut unit_pinned: Vec<Vec<StaffIdx>> = vec![Vec::new(); inst.units.len()];
    for p in inst.staff_indices() {
        let person = inst.person(p);
        if person.fixed_posts.is_empty() {
            continue;
        }
        let path = join_key(&s.elem("staff", p.index()), "fixed_posts");
        // The path of one pin: its place in the person's list as written.
        let at = |m: ModuleIdx| {
            let id = &inst.module(m).id;
            let j = raw.staff[p.index()]
                .fixed_posts
                .iter()
                .position(|x| x == id)
                .unwrap_or(0);
            join_index(&path, j)
        };
        let ids = |ms: &[ModuleIdx]| {
            ms.iter()
                .map(|&m| format!("`{}`", inst.module(m).id))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if person.fixed_posts.len() > person.max_posts as usize {
            s.error(
                &path,
                format!(
                    "`{}` has {} pinned posts ({}) but may hold at most {}",
                    person.id,
                    person.fixed_posts.len(),
                    ids(&person.fixed_posts),
                    person.max_posts
                ),
                Some("unpin a post or raise the person's max_posts".into()),
            );
        }
        for (i, &a) in person.fixed_posts.iter().enumerate() {
            for &b in &person.fixed_posts[i + 1..] {
                if inst.in_conflict(a, b) {
                    s.error(
                        &at(b),
                        format!(
                            "`{}` is pinned to `{}` and `{}`, which conflict",
                            person.id,
                            inst.module(a).id,
                            inst.module(b).id
                        ),
                        Some("unpin one of them or drop the conflict from rules.conflicts".into()),
                    );
                }
            }
        }
        let mut units = Vec::new();
        for &m in &person.fixed_posts {
            let module = inst.module(m);
            if person.unavailable.binary_search(&m).is_ok() {
                s.error(
                    &at(m),
                    format!(
                        "`{}` is pinned to `{}` but unavailable for it",
                        person.id, module.id
                    ),
                    Some("remove the module from `unavailable` or unpin it".into()),
                );
            } else if !inst.qualifies(p, m) {
                s.error(
                    &at(m),
                    format!(
                        "`{}` is pinned to `{}` but can do none of its duties",
                        person.id, module.id
                    ),
                    Some("give the person a skill one of its duties needs, or unpin it".into()),
                );
            }
            pinned_in[m.index()].push(p);
            if let Some(u) = module.unit
                && !units.contains(&u)
            {
                units.push(u);
                unit_pinned[u.index()].push(p);
            }
        }
    }
    check_pinned_caps(inst, &pinned_in, &unit_pinned, s);
}

/// More people pinned to a module than its `max_staff`, or to a unit's modules than its
/// `headcount_cap` (`pinned_in` per module, `unit_pinned` per unit, distinct people).
fn check_pinned_caps(
    inst: &Instance,
    pinned_in: &[Vec<StaffIdx>],
    unit_pinned: &[Vec<StaffIdx>],
    s: &mut Sink<'_>,
) {
    let names = |ps: &[StaffIdx]| {
        ps.iter()
            .map(|&p| format!("`{}`", inst.person(p).id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for m in inst.module_indices() {
        let module = inst.module(m);
        let pinned = &pinned_in[m.index()];
        if let Some(cap) = module.max_staff
            && pinned.len() > cap as usize
        {
            s.error(
                &join_key(&s.elem("modules", m.index()), "max_staff"),
                format!(
                    "{} people are pinned to `{}` ({}) but it takes at most {cap}",
                    pinned.len(),
                    module.id,
                    names(pinned)
                ),
                Some("unpin someone or raise max_staff".into()),
            );
        }
    }
    for (u, unit) in inst.units.iter().enumerate() {
        let pinned = &unit_pinned[u];
        if let Some(cap) = unit.headcount_cap
            && pinned.len() > cap as usize
        {
            s.error(
                &join_key(&s.elem("units", u), "headcount_cap"),
                format!(
                    "{} people are pinned to modules of unit `{}` ({}) but its headcount cap is {cap}",
                    pinned.len(),
                    unit.id,
                    names(pinned)
                ),
                Some("unpin someone or raise headcount_cap".into()),
            );
        }
    }
}

/// Legal but probably unintended: reported as warnings, the instance is still accepted.
fn warn_suspicious(inst: &Instance, s: &mut Sink<'_>) {
    for d in inst.duty_indices() {
        let duty = inst.duty(d);
        if !inst.staff_indices().any(|p| inst.can_do(p, d)) {
            let need = duty.skill.map_or_else(String::new, |k| {
                format!(
                    " (needs `{}` >= {})",
                    inst.skills[k.index()].id,
                    duty.min_level
                )
            });
            s.warning(
                &s.elem("duties", d.index()),
                format!(
                    "nobody can do duty `{}`{need}: its {} h will stay uncovered",
                    duty.id, duty.hours
                ),
                Some("add the skill to someone or lower min_level".into()),
            );
        } else if !inst
            .staff_indices()
            .any(|p| inst.can_do(p, d) && inst.qualifies(p, duty.module))
        {
            s.warning(
                &s.elem("duties", d.index()),
                format!(
                    "everyone who can do duty `{}` is unavailable for module `{}`",
                    duty.id,
                    inst.module(duty.module).id
                ),
                None,
            );
        }
    }
    for m in inst.module_indices() {
        let module = inst.module(m);
        // Counting stops at what the warnings need: counting everyone was 24 million
        // qualification checks on 20,000 people x 1,200 modules.
        let need = usize::try_from(module.min_staff)
            .unwrap_or(usize::MAX)
            .max(1);
        let qualified = inst
            .staff_indices()
            .filter(|&p| inst.qualifies(p, m))
            .take(need)
            .count();
        let path = s.elem("modules", m.index());
        if qualified == 0 && !inst.staff.is_empty() {
            s.warning(
                &path,
                format!("nobody qualifies for module `{}`", module.id),
                None,
            );
        } else if (qualified as u64) < u64::from(module.min_staff) {
            s.warning(
                &join_key(&path, "min_staff"),
                format!(
                    "module `{}` wants {} people but only {qualified} qualify",
                    module.id, module.min_staff
                ),
                None,
            );
        }
    }
    let listed = inst.listed_counterparts();
    for (c, &is_listed) in listed.iter().enumerate() {
        if !is_listed {
            s.warning(
                &s.elem("counterparts", c),
                format!(
                    "no module lists counterpart `{}`: it needs no liaison",
                    inst.counterparts[c].id
                ),
                Some("add it to a module's `counterparts`".into()),
            );
        }
    }
}

/// Validates an instance built in code (no file positions).
///
/// # Errors
/// Every problem found, when any is an error.
pub fn validate(raw: &RawInstance) -> Result<Validated, Diagnostics> {
    let origins = Origins::default();
    validate_decoded(raw, &origins, None, Diagnostics::default())
}
