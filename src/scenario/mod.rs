//! What-if scenarios: named lists of edits to a baseline instance, read from a TOML file.
//!
//! A scenario file is a list of `[[scenario]]` tables. Each has a unique, non-empty `name` and
//! one or more operations, applied to the baseline **in the order they are written**:
//!
//! ```toml
//! [[scenario]]
//! name = "two retirements, max 2 posts"
//! remove_staff = { ids = ["p011", "p027"] }
//! rules = { max_posts = 2 }
//! ```
//!
//! Every key of a scenario table other than `name` is an operation (see [`Operation`] for each
//! key and its fields). An operation that takes a table also takes an array of such tables
//! (`remove_staff = [{ ids = ["p1"] }, { unit = "x", fraction = 0.5 }]`, or repeated
//! `[[scenario.remove_staff]]` headers): each table is one operation, in array order.
//!
//! [`parse_scenarios`] checks every scenario against the baseline by applying it: every id,
//! unit, skill, tag and module an operation names must exist *at the point the operation
//! applies* (a module removed by an earlier operation of the same scenario no longer exists),
//! and the edited instance must pass [`crate::io::validate`]. Every problem found is reported
//! with the file, a path such as `scenario[2] ("two retirements").remove_staff.ids[1]`, the line
//! and column, and a hint.
//!
//! ```
//! let (base, _) = modstaff::io::load_instance(std::path::Path::new("instances/tiny.json")).unwrap();
//! let text = r#"
//! [[scenario]]
//! name = "Cai leaves"
//! remove_staff = { ids = ["cai"] }
//! "#;
//! let scenarios = modstaff::scenario::parse_scenarios(text, "demo.toml", &base).unwrap();
//! let edited = scenarios[0].apply(&base).unwrap();
//! assert_eq!(edited.staff.len(), 2);
//! assert_eq!(edited.name, "tiny");
//! ```

mod apply;
pub mod batch;
pub mod explain;
mod parse;
pub mod recommend;
pub mod shard;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::ops::Range;
use std::path::Path;

use crate::io::diagnostic::read_input;
use crate::io::position::Position;
use crate::io::{Diagnostic, Diagnostics, LoadError, RawInstance, Validated};
use crate::model::Instance;

/// A named what-if: edits applied in order to a baseline instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Unique, non-empty name; labels the scenario's row in comparisons.
    pub name: String,
    /// The edits, applied in this order.
    pub operations: Vec<Operation>,
}

/// Which people an operation selects. An empty filter (no ids, no unit, no skill) selects
/// everyone.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StaffFilter {
    /// These people (staff ids). When given, `unit` and `skill` must not be.
    pub ids: Vec<String>,
    /// People whose own `unit` is this unit.
    pub unit: Option<String>,
    /// People who have this skill at any level. With `unit`: people of that unit with it.
    pub skill: Option<String>,
}

/// Which duties an operation selects. An empty filter selects every duty.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DutyFilter {
    /// These duties (duty ids). When given, `modules` and `tags` must not be.
    pub ids: Vec<String>,
    /// Duties of any of these modules.
    pub modules: Vec<String>,
    /// Duties carrying any of these tags. With `modules`: duties of those modules that carry
    /// one of the tags.
    pub tags: Vec<String>,
}

/// A person (or several alike) to hire.
#[derive(Clone, Debug, PartialEq)]
pub struct NewStaff {
    /// The new person's id; with `count > 1` the ids are `ID-1`, `ID-2`, ...
    pub id: String,
    /// How many people alike to add (1 or more) [1].
    pub count: u32,
    /// Human-readable name; with `count > 1`, `NAME 1`, `NAME 2`, ... [the id].
    pub name: Option<String>,
    /// The unit the person belongs to [none].
    pub unit: Option<String>,
    /// Weekly hours, > 0 [40].
    pub capacity: f64,
    /// Skill id -> level 1..=5; every skill must exist in the instance.
    pub skills: BTreeMap<String, u8>,
    /// The person's own posts cap [the instance's rule].
    pub max_posts: Option<u32>,
    /// The person's own liaisons cap [the instance's rule].
    pub max_liaisons: Option<u32>,
}

impl NewStaff {
    /// A hire with default settings: one person, 40 h, no skills, the instance's caps.
    #[must_use]
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            count: 1,
            name: None,
            unit: None,
            capacity: 40.0,
            skills: BTreeMap::new(),
            max_posts: None,
            max_liaisons: None,
        }
    }

    /// The ids this hire adds: `id` alone, or `id-1` .. `id-count`.
    #[must_use]
    pub fn ids(&self) -> Vec<String> {
        if self.count == 1 {
            vec![self.id.clone()]
        } else {
            (1..=self.count)
                .map(|i| format!("{}-{i}", self.id))
                .collect()
        }
    }
}

/// New staffing bounds for one module; fields left `None` are unchanged.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModuleChange {
    /// The module's id.
    pub id: String,
    /// New `min_staff`.
    pub min_staff: Option<u32>,
    /// New `max_staff` (a cap can be changed, not removed).
    pub max_staff: Option<u32>,
}

/// New instance-wide rules; fields left `None` are unchanged.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RulesChange {
    /// New `rules.max_posts`; also caps every person's own `max_posts`.
    pub max_posts: Option<u32>,
    /// New `rules.max_liaisons`; also caps every person's own `max_liaisons`.
    pub max_liaisons: Option<u32>,
    /// New `rules.liaison_weight` (0 or more).
    pub liaison_weight: Option<f64>,
    /// New `rules.min_staff_weight` (0 or more).
    pub min_staff_weight: Option<f64>,
}

/// One edit of a scenario. Each variant names the TOML key that writes it.
#[derive(Clone, Debug, PartialEq)]
pub enum Operation {
    /// `remove_staff = { ids = [...] }`, `{ unit = "u" }`, `{ skill = "k" }` (or unit and
    /// skill), optionally with `fraction = F, seed = S`: removes the selected people, or with
    /// `fraction` `round(F * selected)` of them, chosen by a seeded shuffle of the selected
    /// people in instance order (the same seed and selection always give the same people).
    /// Nothing else is removed: modules keep their duties. Selecting nobody is an error; so is
    /// selecting everyone without a fraction.
    RemoveStaff {
        /// Who may be removed.
        who: StaffFilter,
        /// Share of the selected people to remove, 0..=1 [all of them].
        fraction: Option<f64>,
        /// Seed of the choice when `fraction` is given [0].
        seed: u64,
    },
    /// `add_staff = [{ id = "new-policy", count = 2, capacity = 40, skills = { policy = 2 } }]`
    /// (also `name`, `unit`, `max_posts`, `max_liaisons`): hires new people with no posts
    /// today. Their ids must not exist yet.
    AddStaff(NewStaff),
    /// `scale_capacity = { factor = 0.9, ids = [...] }` (or `unit`, `skill`; none: everyone):
    /// multiplies the selected people's weekly capacity by `factor` (> 0).
    ScaleCapacity {
        /// Multiplier, finite and > 0.
        factor: f64,
        /// Whose capacity.
        who: StaffFilter,
    },
    /// `drop_duties = { tags = ["transferable"], limit = 76 }` (or `ids`, `modules`; tags may
    /// combine with modules): removes the selected duties, or with `limit` the first N of them
    /// in instance order. A filter is required; selecting nothing, or fewer than `limit`
    /// duties, is an error.
    DropDuties {
        /// Which duties.
        which: DutyFilter,
        /// Drop only the first N matching duties, in instance order (N >= 1).
        limit: Option<usize>,
    },
    /// `scale_hours = { factor = 1.15, modules = ["m01"] }` (or `ids`, `tags`; none: every
    /// duty): multiplies the selected duties' weekly hours by `factor` (> 0).
    ScaleHours {
        /// Multiplier, finite and > 0.
        factor: f64,
        /// Which duties.
        which: DutyFilter,
    },
    /// `remove_modules = ["m03", ...]`: removes the modules, their duties and every reference
    /// to them (today's posts, `unavailable` lists, conflict pairs).
    RemoveModules(Vec<String>),
    /// `set_module = { id = "m01", min_staff = 2, max_staff = 5 }`: changes a module's staffing
    /// bounds (at least one of them); `min_staff` must not exceed `max_staff` afterwards.
    SetModule(ModuleChange),
    /// `rules = { max_posts = 2 }` (also `max_liaisons`, `liaison_weight`,
    /// `min_staff_weight`): changes the instance-wide rules. `max_posts` and `max_liaisons`
    /// also cap every person's own value; people on the default follow the new rule.
    Rules(RulesChange),
    /// `conflicts = [["m03", "m09"]]`: adds conflict pairs (two different existing modules);
    /// a pair the instance already has is kept once.
    AddConflicts(Vec<[String; 2]>),
    /// `pin = { person = "p01", module = "m03" }`: pins the person to a post in the module
    /// (`fixed_posts`: every plan must keep it); a pin the person already has is kept once.
    /// The pins must still be able to hold together (posts cap, conflicts, module and unit
    /// caps, qualification), as validation checks.
    Pin {
        /// The person (staff id).
        person: String,
        /// The module (module id).
        module: String,
    },
    /// `unpin = { person = "p01", module = "m03" }`: removes that pin; without `module`,
    /// every pin of the person. Unpinning what is not pinned is an error.
    Unpin {
        /// The person (staff id).
        person: String,
        /// The module (module id); `None`: all of the person's pins.
        module: Option<String>,
    },
}

impl Operation {
    /// The TOML key that writes this operation.
    #[must_use]
    pub fn key(&self) -> &'static str {
        match self {
            Self::RemoveStaff { .. } => "remove_staff",
            Self::AddStaff(_) => "add_staff",
            Self::ScaleCapacity { .. } => "scale_capacity",
            Self::DropDuties { .. } => "drop_duties",
            Self::ScaleHours { .. } => "scale_hours",
            Self::RemoveModules(_) => "remove_modules",
            Self::SetModule(_) => "set_module",
            Self::Rules(_) => "rules",
            Self::AddConflicts(_) => "conflicts",
            Self::Pin { .. } => "pin",
            Self::Unpin { .. } => "unpin",
        }
    }
}

/// Every operation key of a scenario table, in the order the docs list them.
pub const OPERATION_KEYS: [&str; 11] = [
    "remove_staff",
    "add_staff",
    "scale_capacity",
    "drop_duties",
    "scale_hours",
    "remove_modules",
    "set_module",
    "rules",
    "conflicts",
    "pin",
    "unpin",
];

impl Scenario {
    /// The baseline with this scenario's operations applied in order, validated. The
    /// instance keeps the baseline's `name`.
    ///
    /// # Errors
    /// Every problem found: a reference that does not exist when its operation applies, a
    /// value out of range, or an edited instance that fails validation.
    pub fn apply(&self, base: &Instance) -> Result<Instance, Diagnostics> {
        self.apply_validated(base).map(|(inst, _)| inst)
    }

    /// As [`Scenario::apply`], also returning the validation warnings of the edited instance
    /// (e.g. a duty nobody can do any more after people left).
    ///
    /// # Errors
    /// As [`Scenario::apply`].
    pub fn apply_validated(&self, base: &Instance) -> Result<Validated, Diagnostics> {
        let label = label(None, Some(&self.name));
        let paths = default_op_paths(&self.operations);
        apply_and_validate(crate::io::to_raw(base), &self.operations, &paths).map_err(|problems| {
            Diagnostics(
                problems
                    .into_iter()
                    .map(|p| p.into_diagnostic(&label))
                    .collect(),
            )
        })
    }
}

/// `remove_staff`, or `remove_staff[1]` when the scenario has several operations of a kind.
fn default_op_paths(ops: &[Operation]) -> Vec<String> {
    let mut total: HashMap<&str, usize> = HashMap::new();
    for op in ops {
        *total.entry(op.key()).or_default() += 1;
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    ops.iter()
        .map(|op| {
            let k = seen.entry(op.key()).or_default();
            *k += 1;
            if total[op.key()] == 1 {
                op.key().to_owned()
            } else {
                format!("{}[{}]", op.key(), *k - 1)
            }
        })
        .collect()
}

/// `scenario[2] ("name")`; parts left out when unknown.
fn label(index: Option<usize>, name: Option<&str>) -> String {
    let mut s = String::from("scenario");
    if let Some(i) = index {
        let _ = write!(s, "[{i}]");
    }
    if let Some(n) = name {
        let _ = write!(s, " ({})", serde_json::Value::String(n.to_owned()));
    }
    s
}

/// Applies `ops` to `raw`, checking every reference, then validates the result.
fn apply_and_validate(
    raw: RawInstance,
    ops: &[Operation],
    paths: &[String],
) -> Result<Validated, Vec<apply::Problem>> {
    let base = raw.clone();
    let mut raw = raw;
    apply::apply(&mut raw, ops, paths)?;
    let diags = match crate::io::validate(&raw) {
        Ok(v) => return Ok(v),
        Err(d) => d,
    };
    // Each problem is placed at the operation that first made it appear, found by replaying
    // the operations one by one (only on this error path), so the message points at the line
    // to change rather than at the scenario's header.
    let errors: Vec<Diagnostic> = diags.0.into_iter().filter(Diagnostic::is_error).collect();
    let mut culprit: Vec<Option<usize>> = vec![None; errors.len()];
    let mut state = base;
    for (k, op) in ops.iter().enumerate() {
        if culprit.iter().all(Option::is_some) {
            break;
        }
        if apply::apply(&mut state, std::slice::from_ref(op), &paths[k..=k]).is_err() {
            break;
        }
        let Err(now) = crate::io::validate(&state) else {
            continue;
        };
        for (e, c) in errors.iter().zip(culprit.iter_mut()) {
            if c.is_none()
                && now
                    .0
                    .iter()
                    .any(|d| d.path == e.path && d.message == e.message)
            {
                *c = Some(k);
            }
        }
    }
    Err(errors
        .into_iter()
        .zip(culprit)
        .map(|(d, c)| apply::Problem {
            path: c
                .or(ops.len().checked_sub(1))
                .and_then(|k| paths.get(k).cloned())
                .unwrap_or_default(),
            message: format!(
                "the scenario makes the instance invalid: {}{}",
                if d.path.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", d.path)
                },
                d.message
            ),
            hint: d.hint,
        })
        .collect())
}

/// Byte offsets to 1-based lines and columns (columns in characters).
pub(crate) struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, starts }
    }

    pub(crate) fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        Position {
            line: line + 1,
            column,
        }
    }
}

/// The span of `path` in `spans`, or of its longest recorded prefix.
fn find_span<'s>(spans: &'s HashMap<String, Range<usize>>, path: &str) -> Option<&'s Range<usize>> {
    let mut p = path;
    loop {
        if let Some(s) = spans.get(p) {
            return Some(s);
        }
        let cut = p.rfind(['.', '['])?;
        p = &p[..cut];
    }
}

/// Parses a TOML scenario file and checks every scenario against the baseline `base`: every
/// id, unit, skill, tag and module it names must exist at the point its operation applies,
/// and each edited instance must be valid. `file` labels the messages (may be empty).
///
/// # Errors
/// Every problem found, in reading order: unparsable TOML (with line and column), unknown
/// keys (with a did-you-mean hint), wrong types, missing, empty or duplicate scenario names,
/// values out of range, references to things that do not exist.
pub fn parse_scenarios(
    text: &str,
    file: &str,
    base: &Instance,
) -> Result<Vec<Scenario>, Diagnostics> {
    let lines = Lines::new(text);
    let parsed = parse::parse(text, &lines);
    let mut diags = parsed.diagnostics;
    if parsed.syntax_ok {
        let raw = crate::io::to_raw(base);
        for sc in &parsed.scenarios {
            // Operations after one that could not be read are not checked: they would be
            // checked against the wrong state.
            let n = sc.checkable;
            let result = if sc.complete {
                apply_and_validate(raw.clone(), &sc.scenario.operations, &sc.op_paths).map(|_| ())
            } else {
                apply::apply(
                    &mut raw.clone(),
                    &sc.scenario.operations[..n],
                    &sc.op_paths[..n],
                )
            };
            if let Err(problems) = result {
                for p in problems {
                    let span = find_span(&sc.spans, &p.path).unwrap_or(&sc.span);
                    diags.push(
                        p.into_diagnostic(&sc.label)
                            .at(Some(lines.position(span.start))),
                    );
                }
            }
        }
    }
    if diags.is_empty() {
        return Ok(parsed.scenarios.into_iter().map(|s| s.scenario).collect());
    }
    for d in &mut diags {
        file.clone_into(&mut d.file);
    }
    diags.sort_by_key(|d| (d.line.unwrap_or(0), d.column.unwrap_or(0)));
    Err(Diagnostics(diags))
}

/// Reads a scenario file and checks it against `base` (see [`parse_scenarios`]).
///
/// # Errors
/// [`LoadError::Io`] when unreadable, [`LoadError::Invalid`] with every problem otherwise.
pub fn load_scenarios(path: &Path, base: &Instance) -> Result<Vec<Scenario>, LoadError> {
    let file = path.display().to_string();
    let bytes = read_input(path)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let mut d = Diagnostic::error(
            "",
            format!("not UTF-8 text (bad byte at offset {})", e.valid_up_to()),
        )
        .hint("save the file as UTF-8");
        d.file.clone_from(&file);
        LoadError::Invalid {
            file: file.clone(),
            diagnostics: Diagnostics(vec![d]),
        }
    })?;
    parse_scenarios(text, &file, base)
        .map_err(|diagnostics| LoadError::Invalid { file, diagnostics })
}
