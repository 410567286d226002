//! The tier-1 model as a mixed-integer program, for other solvers: [`tier1`] builds it from an
//! instance as named columns and rows, [`to_lp`] and [`to_mps`] write it in CPLEX LP and free
//! MPS format (`modstaff export lp|mps`), and [`Formulation::point`] maps a plan onto its
//! columns, so tests can show that every plan is a feasible point of the model with its tier 1
//! as objective (docs/models.md).
//!
//! This is the exact program of the spec, not the engine's strengthened LP relaxation
//! (`engine::bound::lp`): HiGHS, Gurobi or CPLEX solve it to the optimum modstaff proves.

mod build;
mod lp;
mod mps;
mod names;
mod point;
#[cfg(test)]
mod tests;

pub use build::tier1;
pub use lp::to_lp;
pub use mps::to_mps;
pub use names::{MAX_NAME, sanitise};

use std::collections::HashMap;

use crate::model::{CounterpartIdx, DutyIdx, ModuleIdx, StaffIdx, UnitIdx};

/// The objective row's name in both formats.
pub const OBJECTIVE: &str = "obj";

/// A variable. Every variable is >= 0; a binary one is also <= 1 and integer.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// A unique name in `[A-Za-z0-9_]`, at most [`MAX_NAME`] characters.
    pub name: String,
    /// Integer in {0, 1}; otherwise continuous.
    pub binary: bool,
    /// The upper bound of a continuous column, if any.
    pub upper: Option<f64>,
    /// Its cost in the objective (minimised).
    pub cost: f64,
}

/// How a row's activity compares with its right-hand side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sense {
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `=`
    Eq,
}

/// A linear constraint `sum coef * column (sense) rhs`.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// A unique name in `[A-Za-z0-9_]`, at most [`MAX_NAME`] characters.
    pub name: String,
    /// `<=`, `>=` or `=`.
    pub sense: Sense,
    /// The right-hand side.
    pub rhs: f64,
    /// (column position, coefficient), each column at most once, never empty.
    pub terms: Vec<(usize, f64)>,
}

/// Where each variable of the model is, for mapping a plan onto it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Index {
    /// y[p,m]: a post, where p qualifies for m.
    pub(crate) y: HashMap<(StaffIdx, ModuleIdx), usize>,
    /// x[p,d] (splittable d) or w[p,d] (non-splittable d): where p can do d and qualifies
    /// for its module.
    pub(crate) work: HashMap<(StaffIdx, DutyIdx), usize>,
    /// h[p,unit]: p holds a post in the unit (capped units only).
    pub(crate) h: HashMap<(StaffIdx, UnitIdx), usize>,
    /// l[p,c]: p is liaison of c (listed c, p qualifies for a module listing it).
    pub(crate) l: HashMap<(StaffIdx, CounterpartIdx), usize>,
    /// u[d], per duty.
    pub(crate) u: Vec<usize>,
    /// n[c]: no liaison, per listed counterpart.
    pub(crate) n: Vec<Option<usize>>,
    /// s[m]: people missing below `min_staff`, per module with a floor.
    pub(crate) s: Vec<Option<usize>>,
}

/// The tier-1 model of one instance: minimise the columns' costs subject to the rows.
#[derive(Clone, Debug)]
pub struct Formulation {
    /// Comment lines for the head of the file: the instance, counts and the naming legend.
    pub comments: Vec<String>,
    /// The instance's name (for MPS `NAME`, sanitised there).
    pub name: String,
    /// Variables, binary ones first.
    pub columns: Vec<Column>,
    /// Constraints, by family in the spec's order.
    pub rows: Vec<Row>,
    index: Index,
}

impl Formulation {
    /// The number of nonzero coefficients in the rows (the objective not counted).
    #[must_use]
    pub fn nonzeros(&self) -> usize {
        self.rows.iter().map(|r| r.terms.len()).sum()
    }

    /// The objective's value at `values` (one per column).
    #[must_use]
    pub fn objective(&self, values: &[f64]) -> f64 {
        self.columns
            .iter()
            .zip(values)
            .map(|(c, v)| c.cost * v)
            .sum()
    }

    /// What `values` (one per column) break, beyond `tol`: bounds, integrality and rows, each
    /// as `name: what`. Empty when the point is feasible.
    #[must_use]
    pub fn violations(&self, values: &[f64], tol: f64) -> Vec<String> {
        let mut out = Vec::new();
        for (c, &v) in self.columns.iter().zip(values) {
            let upper = if c.binary { Some(1.0) } else { c.upper };
            if v < -tol || upper.is_some_and(|u| v > u + tol) {
                out.push(format!("{}: {v} out of bounds", c.name));
            }
            if c.binary && (v - v.round()).abs() > tol {
                out.push(format!("{}: {v} is not integer", c.name));
            }
        }
        for r in &self.rows {
            let activity: f64 = r.terms.iter().map(|&(j, a)| a * values[j]).sum();
            let holds = match r.sense {
                Sense::Le => activity <= r.rhs + tol,
                Sense::Ge => activity >= r.rhs - tol,
                Sense::Eq => (activity - r.rhs).abs() <= tol,
            };
            if !holds {
                out.push(format!("{}: {activity} {:?} {}", r.name, r.sense, r.rhs));
            }
        }
        out
    }
}

/// A number as both formats read it back exactly: Rust's shortest round-trip form, in
/// exponent notation where the plain one would be long (1e-300).
pub(crate) fn num(v: f64) -> String {
    let plain = format!("{v}");
    if plain.len() > 24 {
        format!("{v:e}")
    } else {
        plain
    }
}
