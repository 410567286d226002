//! What the checker finds: each broken rule with the people, modules, duties and
//! counterparts involved, and the objective recomputed next to the declared one.

use serde::Serialize;

use crate::model::plan::{DeclaredObjective, Objective};

/// Which rule a plan breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    /// The plan is for another instance.
    InstanceName,
    /// A row names a person, module, duty or counterpart the instance does not have.
    UnknownId,
    /// The same (person, duty), post or liaison is listed twice.
    DuplicateRow,
    /// An assignment's module is not its duty's module.
    WrongModule,
    /// Hours that are negative or not finite.
    BadHours,
    /// A person works a duty they lack the skill or level for.
    Skill,
    /// A person works a duty without a post in its module (constraint 2).
    MissingPost,
    /// A person holds a post in a module they do not qualify for, or are unavailable for.
    NotQualified,
    /// A person works more than their capacity (constraint 1).
    Capacity,
    /// A person holds more posts than `max_posts` (constraint 3).
    MaxPosts,
    /// A person holds two conflicting modules (constraint 3).
    Conflict,
    /// A module has more people than `max_staff` (constraint 4).
    ModuleCap,
    /// A unit's modules employ more distinct people than `headcount_cap` (constraint 5).
    UnitCap,
    /// A duty gets more hours than it has (constraint 6).
    OverCovered,
    /// A non-splittable duty is shared or partly covered (constraint 6).
    NotSplittable,
    /// A counterpart has more than one liaison (constraint 7).
    TwoLiaisons,
    /// A person has more liaisons than `max_liaisons` (constraint 7).
    MaxLiaisons,
    /// A liaison holds no post in a module listing the counterpart (constraint 7).
    LiaisonWithoutPost,
    /// A person lacks a post they are pinned to (`fixed_posts`, constraint 9).
    MissingPin,
    /// A declared objective tier differs from its recomputation.
    Objective,
    /// The declared `uncovered`, `unmet_counterparts` or `understaffed` lists are wrong.
    Summary,
    /// The declared status or gap contradict each other.
    Status,
}

impl ViolationKind {
    /// The name used in reports (`snake_case`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InstanceName => "instance_name",
            Self::UnknownId => "unknown_id",
            Self::DuplicateRow => "duplicate_row",
            Self::WrongModule => "wrong_module",
            Self::BadHours => "bad_hours",
            Self::Skill => "skill",
            Self::MissingPost => "missing_post",
            Self::NotQualified => "not_qualified",
            Self::Capacity => "capacity",
            Self::MaxPosts => "max_posts",
            Self::Conflict => "conflict",
            Self::ModuleCap => "module_cap",
            Self::UnitCap => "unit_cap",
            Self::OverCovered => "over_covered",
            Self::NotSplittable => "not_splittable",
            Self::TwoLiaisons => "two_liaisons",
            Self::MaxLiaisons => "max_liaisons",
            Self::LiaisonWithoutPost => "liaison_without_post",
            Self::MissingPin => "missing_pin",
            Self::Objective => "objective",
            Self::Summary => "summary",
            Self::Status => "status",
        }
    }
}

/// One broken rule, with everything it involves.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
pub struct Violation {
    /// The rule.
    pub kind: ViolationKind,
    /// People involved (ids).
    pub people: Vec<String>,
    /// Modules involved (ids).
    pub modules: Vec<String>,
    /// Duties involved (ids).
    pub duties: Vec<String>,
    /// Counterparts involved (ids).
    pub counterparts: Vec<String>,
    /// What is wrong, in words.
    pub message: String,
}

impl Violation {
    pub(super) fn new(kind: ViolationKind, message: String) -> Self {
        Self {
            kind,
            people: Vec::new(),
            modules: Vec::new(),
            duties: Vec::new(),
            counterparts: Vec::new(),
            message,
        }
    }
    pub(super) fn people<S: AsRef<str>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.people = ids.into_iter().map(|s| s.as_ref().to_owned()).collect();
        self
    }
    pub(super) fn modules<S: AsRef<str>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.modules = ids.into_iter().map(|s| s.as_ref().to_owned()).collect();
        self
    }
    pub(super) fn duties<S: AsRef<str>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.duties = ids.into_iter().map(|s| s.as_ref().to_owned()).collect();
        self
    }
    pub(super) fn counterparts<S: AsRef<str>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.counterparts = ids.into_iter().map(|s| s.as_ref().to_owned()).collect();
        self
    }
}

/// The result of checking a plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
pub struct CheckReport {
    /// Every broken rule; empty when the plan is valid.
    pub violations: Vec<Violation>,
    /// The objective recomputed from the plan and the instance alone.
    pub recomputed: Objective,
    /// The objective the plan declares (tiers it leaves out are absent).
    pub declared: DeclaredObjective,
}

impl CheckReport {
    /// Whether the plan breaks no rule.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }
}
