//! Wire types of the instance file, exactly as written: ids not resolved,
//! defaults not applied, numbers not range-checked. Only [`super::validate`] turns them into
//! a [`crate::model::Instance`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A skill catalogue entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RawSkill {
    /// Unique id.
    pub id: String,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RawUnit {
    /// Unique id.
    pub id: String,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Most distinct people holding a post in the unit's modules [no cap].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headcount_cap: Option<i64>,
}

/// An upstream office.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RawCounterpart {
    /// Unique id.
    pub id: String,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Upstream bureau.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bureau: Option<String>,
}

/// A person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RawStaff {
    /// Unique id.
    pub id: String,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Unit id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Hours per week [40].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<f64>,
    /// Skill id -> level 1..5.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skills: BTreeMap<String, i64>,
    /// This person's cap on posts, in place of `rules.max_posts`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_posts: Option<i64>,
    /// This person's cap on liaisons, in place of `rules.max_liaisons`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_liaisons: Option<i64>,
    /// Today's posts (module ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub current_posts: Vec<String>,
    /// Posts every plan must keep (module ids): pinned by the planner.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed_posts: Vec<String>,
    /// Modules this person may not hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<String>,
}

/// A work module.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RawModule {
    /// Unique id.
    pub id: String,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Unit id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// [0]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_staff: Option<i64>,
    /// [no cap]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_staff: Option<i64>,
    /// Counterpart ids the module mirrors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counterparts: Vec<String>,
}

/// A duty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RawDuty {
    /// Unique id.
    pub id: String,
    /// Module id.
    pub module: String,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Weekly hours, > 0.
    pub hours: f64,
    /// Required skill [none].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skill: Option<String>,
    /// [1]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_level: Option<i64>,
    /// Penalty per uncovered hour [1], > 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// [true]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub splittable: Option<bool>,
    /// Free labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// Instance-wide rules.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    /// [3]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_posts: Option<i64>,
    /// [3]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_liaisons: Option<i64>,
    /// [8]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liaison_weight: Option<f64>,
    /// [40]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_staff_weight: Option<f64>,
    /// Pairs of module ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Vec<String>>,
}

/// The instance file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RawInstance {
    /// Required name.
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Optional skill catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<RawSkill>>,
    /// Units.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub units: Vec<RawUnit>,
    /// Upstream offices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counterparts: Vec<RawCounterpart>,
    /// People.
    pub staff: Vec<RawStaff>,
    /// Modules.
    pub modules: Vec<RawModule>,
    /// Duties.
    pub duties: Vec<RawDuty>,
    /// Rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<RawRules>,
}
