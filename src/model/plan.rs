//! The plan file: what `solve` writes and `check` reads.
//!
//! A plan names people, modules, duties and counterparts by id, so that it can be read and
//! written without the instance; [`crate::model::verify`] resolves the ids.

use serde::{Deserialize, Serialize};

/// Whether tier 1 is proven optimal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum PlanStatus {
    /// Tier 1 is proven optimal (the gap is closed).
    Optimal,
    /// A plan that satisfies every hard constraint; its gap says how far it may be from optimal.
    Feasible,
}

impl PlanStatus {
    /// The status as written in plan files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Optimal => "optimal",
            Self::Feasible => "feasible",
        }
    }
}

/// How the plan was made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SolverInfo {
    /// The engine or backend that produced the plan.
    pub backend: String,
    /// Wall-clock seconds spent.
    pub seconds: f64,
    /// `(value - bound) / value` for tier 1; 0 when proven optimal.
    pub gap: f64,
    /// The proven lower bound on tier 1, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<f64>,
}

/// The four lexicographic objective tiers.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Objective {
    /// Tier 1: weighted uncovered hours + unmet counterparts + missing staff.
    pub coverage: f64,
    /// Tier 2: posts added plus posts removed against `current_posts`.
    pub stability: u64,
    /// Tier 3: total posts held.
    pub fragmentation: u64,
    /// Tier 4: highest utilisation (hours / capacity) of any person.
    pub balance: f64,
}

/// Hours a person works on a duty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// Staff id.
    pub person: String,
    /// Duty id.
    pub duty: String,
    /// Module id of the duty (may be left out of a plan given to `check`: the duty names it).
    #[serde(default)]
    pub module: String,
    /// Weekly hours.
    pub hours: f64,
}

/// A post: person holds a post in module (y[p,m] = 1).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Post {
    /// Staff id.
    pub person: String,
    /// Module id.
    pub module: String,
}

/// A liaison: person is the contact of an upstream office.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Liaison {
    /// Counterpart id.
    pub counterpart: String,
    /// Staff id.
    pub person: String,
}

/// Hours of a duty nobody works, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Uncovered {
    /// Duty id.
    pub duty: String,
    /// Uncovered weekly hours.
    pub hours: f64,
    /// A short reason in the planner's words (plain text).
    #[serde(default)]
    pub reason: String,
    /// The reason as data: each output words it its own way (left out when not analysed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<Why>,
}

/// The category of an uncovered duty, in the order a planner would check them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Nobody has the skill at the level the duty needs.
    NoSkill,
    /// Everyone who can do it is kept out of its module by a rule (posts cap, conflict,
    /// unavailability, the module's `max_staff`, the unit's headcount cap).
    Blocked,
    /// Everyone who can do it (and may hold the post) is at capacity on work of the same
    /// weight or mixed weights.
    AtCapacity,
    /// Everyone who can do it is at capacity on strictly heavier work.
    LowerWeight,
    /// It cannot be split and nobody who can do it has its hours free in one piece.
    NoSingleBlock,
    /// Someone could do more of it without breaking a rule: the plan is not optimal.
    NotOptimal,
}

impl Reason {
    /// The category as written in JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoSkill => "no_skill",
            Self::Blocked => "blocked",
            Self::AtCapacity => "at_capacity",
            Self::LowerWeight => "lower_weight",
            Self::NoSingleBlock => "no_single_block",
            Self::NotOptimal => "not_optimal",
        }
    }
}

/// A kind of rule that keeps people out of a module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The person is marked unavailable for the module.
    Unavailable,
    /// The person holds `max_posts` posts.
    PostsCap,
    /// The person holds a conflicting module.
    Conflict,
    /// The module has `max_staff` post holders.
    ModuleFull,
    /// The module's unit is at its headcount cap.
    UnitCap,
}

impl Rule {
    /// The rule in a few words.
    #[must_use]
    pub fn words(self) -> &'static str {
        match self {
            Self::Unavailable => "unavailability",
            Self::PostsCap => "posts cap",
            Self::Conflict => "a conflict",
            Self::ModuleFull => "the module's max_staff",
            Self::UnitCap => "the unit's headcount cap",
        }
    }

    /// The rule in a word or two, for short sentences.
    #[must_use]
    pub fn tag(self) -> &'static str {
        match self {
            Self::Unavailable => "unavailable",
            Self::PostsCap => "posts cap",
            Self::Conflict => "conflict",
            Self::ModuleFull => "module full",
            Self::UnitCap => "unit cap",
        }
    }
}

/// A rule that keeps a person out of a module, with its figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Blocker {
    /// The person is marked unavailable for the module.
    Unavailable,
    /// The person already holds `max_posts` posts.
    PostsCap {
        /// The modules held.
        held: Vec<String>,
        /// The cap.
        max_posts: u32,
    },
    /// The person holds a module that conflicts with this one.
    Conflict {
        /// The conflicting module held.
        with: String,
    },
    /// The module already has `max_staff` post holders.
    ModuleFull {
        /// Post holders now.
        holders: Vec<String>,
        /// The cap.
        max_staff: u32,
    },
    /// The module's unit is at its headcount cap and the person holds no post in it.
    UnitCap {
        /// The unit.
        unit: String,
        /// Distinct people holding a post in the unit.
        headcount: usize,
        /// The cap.
        headcount_cap: u32,
    },
}

impl Blocker {
    /// Whether the rule keeps everyone out, not just this person.
    #[must_use]
    pub fn module_wide(&self) -> bool {
        matches!(self, Self::ModuleFull { .. } | Self::UnitCap { .. })
    }

    /// The kind of rule.
    #[must_use]
    pub fn rule(&self) -> Rule {
        match self {
            Self::Unavailable => Rule::Unavailable,
            Self::PostsCap { .. } => Rule::PostsCap,
            Self::Conflict { .. } => Rule::Conflict,
            Self::ModuleFull { .. } => Rule::ModuleFull,
            Self::UnitCap { .. } => Rule::UnitCap,
        }
    }
}

/// Where a person who could do an uncovered duty stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Kept out of the module by a rule (see `blockers`).
    Blocked,
    /// No hours left.
    Full,
    /// Hours left, but fewer than the (non-splittable) duty needs.
    TooLittleFree,
    /// Hours left and free to work on it.
    Free,
    /// Has the skill, below the level the duty needs (see `level`).
    BelowLevel,
}

/// Hours a person works on a duty (part of an explanation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Work {
    /// Duty id.
    pub duty: String,
    /// Its weight.
    pub weight: f64,
    /// Hours worked on it.
    pub hours: f64,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde passes a reference"
)]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde passes a reference"
)]
fn is_false(b: &bool) -> bool {
    !*b
}

/// Why a duty stays uncovered, as data: the category and the people and figures behind it.
/// `reason` is the short sentence; explanations and reports word this their own way.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Why {
    /// The category.
    pub reason: Reason,
    /// The people the reason is about, the most telling first, at most four: those below
    /// the level (`no_skill`), the one with hours free (`not_optimal`), those kept out
    /// (`blocked`), those at capacity (`at_capacity`, `lower_weight`), those with too few
    /// hours free, most first (`no_single_block`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<WhyPerson>,
    /// People where the listed ones stand, not listed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub more: u64,
    /// The lowest and highest weight of the work that keeps the people at capacity busy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<[f64; 2]>,
    /// `blocked`: rules that keep everyone out of the duty's module (it is full, or its unit
    /// is at its headcount cap), given once rather than per person.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub module_blockers: Vec<Blocker>,
    /// People who could do it but are at capacity (`no_single_block`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub at_capacity: u64,
    /// People who could do it but are kept out of the module by a rule (besides `people`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub kept_out: u64,
    /// The rules that keep people out: those listed (`blocked`) or those counted in
    /// `kept_out`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
}

/// A person behind a reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WhyPerson {
    /// Staff id.
    pub person: String,
    /// Where they stand.
    pub standing: Standing,
    /// Their level in the skill (`below_level`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u8>,
    /// Hours planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
    /// Weekly capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<f64>,
    /// Whether they hold a post in the duty's module.
    #[serde(default, skip_serializing_if = "is_false")]
    pub holds_post: bool,
    /// Their heaviest work, at most two duties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub work: Vec<Work>,
    /// Duties they work on besides `work`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub more_work: u64,
    /// The rules that keep them in particular out of the module (posts cap, conflict,
    /// unavailability; see `module_blockers` for the rest).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blockers: Vec<Blocker>,
}

/// A module below its `min_staff`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Understaffed {
    /// Module id.
    pub module: String,
    /// People missing below `min_staff`.
    pub missing: u32,
}

/// Whether a person joins or leaves a module, against today's posts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// A post the person does not hold today.
    Joined,
    /// A post the person holds today and gives up.
    Left,
}

impl ChangeKind {
    /// The word written in plan files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Joined => "joined",
            Self::Left => "left",
        }
    }
}

/// One post changed against `current_posts`: what HR has to carry out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// Staff id.
    pub person: String,
    /// Module id.
    pub module: String,
    /// Joined or left.
    pub change: ChangeKind,
    /// Weekly hours the person works in the module they join (the hours that move to them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
}

/// The plan in plain figures, for people: tier 1 is a weighted sum, these are hours and
/// counts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Totals {
    /// Weekly hours of all duties.
    pub hours: f64,
    /// Weekly hours nobody works.
    pub uncovered_hours: f64,
    /// Duties with uncovered hours.
    pub uncovered_duties: u64,
    /// People who join or leave at least one module.
    pub people_moving: u64,
}

/// A staffing plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// The instance's name.
    pub instance: String,
    /// Whether tier 1 is proven optimal.
    pub status: PlanStatus,
    /// How the plan was made.
    pub solver: SolverInfo,
    /// The declared objective tiers.
    pub objective: Objective,
    /// Hours per (person, duty).
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    /// Every post held.
    #[serde(default)]
    pub posts: Vec<Post>,
    /// Every liaison.
    #[serde(default)]
    pub liaisons: Vec<Liaison>,
    /// Duties with uncovered hours.
    #[serde(default)]
    pub uncovered: Vec<Uncovered>,
    /// Listed counterparts without a liaison.
    #[serde(default)]
    pub unmet_counterparts: Vec<String>,
    /// Modules below `min_staff`.
    #[serde(default)]
    pub understaffed: Vec<Understaffed>,
    /// Posts joined and left against today's, by person then module (left out when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    /// Plain figures: hours, uncovered hours and duties, people moving.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totals: Option<Totals>,
}

/// How a plan given to `check` says it was made; every member optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeclaredSolver {
    /// The engine or tool that produced the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// Wall-clock seconds spent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// `(value - bound) / value` for tier 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap: Option<f64>,
    /// A proven lower bound on tier 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<f64>,
}

/// The objective tiers a plan declares; each may be left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeclaredObjective {
    /// Tier 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<f64>,
    /// Tier 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stability: Option<u64>,
    /// Tier 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fragmentation: Option<u64>,
    /// Tier 4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<f64>,
}

impl From<Objective> for DeclaredObjective {
    fn from(o: Objective) -> Self {
        Self {
            coverage: Some(o.coverage),
            stability: Some(o.stability),
            fragmentation: Some(o.fragmentation),
            balance: Some(o.balance),
        }
    }
}

/// A plan as given to `check`, `report`, `explain` or `solve --start`: from `solve`, from a
/// person's edits or from another tool. `posts` and `assignments` are required; what else is
/// given is compared with its recomputation, what is missing is recomputed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeclaredPlan {
    /// The instance's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Whether tier 1 is proven optimal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<PlanStatus>,
    /// How the plan was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solver: Option<DeclaredSolver>,
    /// The declared objective tiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<DeclaredObjective>,
    /// Hours per (person, duty).
    pub assignments: Vec<Assignment>,
    /// Every post held.
    pub posts: Vec<Post>,
    /// Every liaison [none].
    #[serde(default)]
    pub liaisons: Vec<Liaison>,
    /// Duties with uncovered hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncovered: Option<Vec<Uncovered>>,
    /// Listed counterparts without a liaison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unmet_counterparts: Option<Vec<String>>,
    /// Modules below `min_staff`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub understaffed: Option<Vec<Understaffed>>,
    /// Posts joined and left against today's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<Change>>,
    /// Plain figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totals: Option<Totals>,
}

impl From<&Plan> for DeclaredPlan {
    fn from(p: &Plan) -> Self {
        Self {
            instance: Some(p.instance.clone()),
            status: Some(p.status),
            solver: Some(DeclaredSolver {
                backend: Some(p.solver.backend.clone()),
                seconds: Some(p.solver.seconds),
                gap: Some(p.solver.gap),
                bound: p.solver.bound,
            }),
            objective: Some(p.objective.into()),
            assignments: p.assignments.clone(),
            posts: p.posts.clone(),
            liaisons: p.liaisons.clone(),
            uncovered: Some(p.uncovered.clone()),
            unmet_counterparts: Some(p.unmet_counterparts.clone()),
            understaffed: Some(p.understaffed.clone()),
            // Plans written before `changes` existed carry none: recomputed, not compared.
            changes: (!p.changes.is_empty() || p.totals.is_some()).then(|| p.changes.clone()),
            totals: p.totals,
        }
    }
}
