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
    /// Module id of the duty.
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
    /// A short reason in the planner's words.
    #[serde(default)]
    pub reason: String,
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
}
