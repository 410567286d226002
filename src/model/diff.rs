//! Two plans of one instance compared: who moves between them, how each tier changes, which
//! duties become covered or uncovered, which counterparts change liaison.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::instance::Instance;
use super::plan::{ChangeKind, Objective, Plan, Totals};

/// A post gained or given up from plan A to plan B.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
pub struct Move {
    /// Staff id.
    pub person: String,
    /// Module id.
    pub module: String,
    /// `joined`: held in B, not in A; `left`: held in A, not in B.
    pub change: ChangeKind,
    /// Weekly hours the person works in the module: in B when joined, in A when left.
    pub hours: f64,
}

/// A person whose weekly hours differ between the plans.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
pub struct HoursShift {
    /// Staff id.
    pub person: String,
    /// Hours in plan A.
    pub a: f64,
    /// Hours in plan B.
    pub b: f64,
}

/// A duty whose uncovered hours differ between the plans.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
pub struct CoverageShift {
    /// Duty id.
    pub duty: String,
    /// Uncovered hours in plan A.
    pub a: f64,
    /// Uncovered hours in plan B.
    pub b: f64,
    /// Weight of the duty (what an uncovered hour costs in tier 1).
    pub weight: f64,
}

impl CoverageShift {
    /// "newly covered", "newly uncovered", or nothing when both plans leave hours uncovered.
    #[must_use]
    pub fn note(&self) -> &'static str {
        if self.b <= 0.0 {
            "newly covered"
        } else if self.a <= 0.0 {
            "newly uncovered"
        } else {
            ""
        }
    }
}

/// A counterpart whose liaison differs between the plans.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
pub struct LiaisonShift {
    /// Counterpart id.
    pub counterpart: String,
    /// Liaison in plan A, if any.
    pub a: Option<String>,
    /// Liaison in plan B, if any.
    pub b: Option<String>,
}

/// Plan B against plan A.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "http", derive(utoipa::ToSchema))]
pub struct PlanDiff {
    /// The objective of plan A.
    pub objective_a: Objective,
    /// The objective of plan B.
    pub objective_b: Objective,
    /// Plain figures of plan A.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totals_a: Option<Totals>,
    /// Plain figures of plan B.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totals_b: Option<Totals>,
    /// Posts joined and left, by person then module.
    pub moves: Vec<Move>,
    /// People whose hours change, by person.
    pub hours: Vec<HoursShift>,
    /// Duties newly covered, newly uncovered or covered by other amounts, by duty.
    pub coverage: Vec<CoverageShift>,
    /// Counterparts with another liaison, by counterpart.
    pub liaisons: Vec<LiaisonShift>,
}

impl PlanDiff {
    /// Whether the plans hold the same posts, hours, coverage and liaisons.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.moves.is_empty()
            && self.hours.is_empty()
            && self.coverage.is_empty()
            && self.liaisons.is_empty()
    }

    /// The people who join or leave a module, each once, in id order.
    #[must_use]
    pub fn people_moving(&self) -> Vec<&str> {
        let set: BTreeSet<&str> = self.moves.iter().map(|m| m.person.as_str()).collect();
        set.into_iter().collect()
    }
}

/// Hours below this are the plans' own rounding (hours carry 1e-6 error).
const EPS: f64 = 1e-6;

/// Hours per person.
fn load(p: &Plan) -> BTreeMap<&str, f64> {
    let mut m = BTreeMap::new();
    for x in &p.assignments {
        *m.entry(x.person.as_str()).or_insert(0.0) += x.hours;
    }
    m
}

/// Uncovered hours per duty.
fn uncovered(p: &Plan) -> BTreeMap<&str, f64> {
    p.uncovered
        .iter()
        .map(|u| (u.duty.as_str(), u.hours))
        .collect()
}

/// The liaison of each counterpart.
fn liaison(p: &Plan) -> BTreeMap<&str, &str> {
    p.liaisons
        .iter()
        .map(|l| (l.counterpart.as_str(), l.person.as_str()))
        .collect()
}

/// Compares two complete plans of `inst` (see [`super::verify::complete`] for plans read from
/// files).
#[must_use]
pub fn diff(inst: &Instance, a: &Plan, b: &Plan) -> PlanDiff {
    let posts = |p: &Plan| -> BTreeSet<(String, String)> {
        p.posts
            .iter()
            .map(|x| (x.person.clone(), x.module.clone()))
            .collect()
    };
    let in_module = |p: &Plan| -> BTreeMap<(String, String), f64> {
        let mut m = BTreeMap::new();
        for x in &p.assignments {
            let module = if x.module.is_empty() {
                inst.ids.duties.get(&x.duty).map_or_else(String::new, |&d| {
                    inst.module(inst.duty(d).module).id.clone()
                })
            } else {
                x.module.clone()
            };
            *m.entry((x.person.clone(), module)).or_insert(0.0) += x.hours;
        }
        m
    };
    let (pa, pb) = (posts(a), posts(b));
    let (ha, hb) = (in_module(a), in_module(b));
    let mut moves: Vec<Move> = pa
        .symmetric_difference(&pb)
        .map(|k| {
            let joined = pb.contains(k);
            Move {
                person: k.0.clone(),
                module: k.1.clone(),
                change: if joined {
                    ChangeKind::Joined
                } else {
                    ChangeKind::Left
                },
                hours: if joined { &hb } else { &ha }
                    .get(k)
                    .copied()
                    .unwrap_or(0.0),
            }
        })
        .collect();
    moves.sort_by(|x, y| (&x.person, &x.module).cmp(&(&y.person, &y.module)));

    let (la, lb) = (load(a), load(b));
    let people: BTreeSet<&str> = la.keys().chain(lb.keys()).copied().collect();
    let hours = people
        .into_iter()
        .filter_map(|p| {
            let (x, y) = (
                la.get(p).copied().unwrap_or(0.0),
                lb.get(p).copied().unwrap_or(0.0),
            );
            ((x - y).abs() > EPS * x.max(y).max(1.0)).then(|| HoursShift {
                person: p.to_owned(),
                a: x,
                b: y,
            })
        })
        .collect();

    let (ua, ub) = (uncovered(a), uncovered(b));
    let duties: BTreeSet<&str> = ua.keys().chain(ub.keys()).copied().collect();
    let coverage = duties
        .into_iter()
        .filter_map(|d| {
            let (x, y) = (
                ua.get(d).copied().unwrap_or(0.0),
                ub.get(d).copied().unwrap_or(0.0),
            );
            let weight = inst.ids.duties.get(d).map_or(1.0, |&i| inst.duty(i).weight);
            ((x - y).abs() > EPS * x.max(y).max(1.0)).then(|| CoverageShift {
                duty: d.to_owned(),
                a: x,
                b: y,
                weight,
            })
        })
        .collect();

    let (ca, cb) = (liaison(a), liaison(b));
    let counterparts: BTreeSet<&str> = ca.keys().chain(cb.keys()).copied().collect();
    let liaisons = counterparts
        .into_iter()
        .filter(|c| ca.get(c) != cb.get(c))
        .map(|c| LiaisonShift {
            counterpart: c.to_owned(),
            a: ca.get(c).map(|s| (*s).to_owned()),
            b: cb.get(c).map(|s| (*s).to_owned()),
        })
        .collect();

    PlanDiff {
        objective_a: a.objective,
        objective_b: b.objective,
        totals_a: a.totals,
        totals_b: b.totals,
        moves,
        hours,
        coverage,
        liaisons,
    }
}
