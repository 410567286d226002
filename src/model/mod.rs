//! The domain: validated instances, plans and the independent plan checker.
//!
//! Nothing here knows about files, solvers or output formats.

pub mod diagnose;
pub mod diff;
pub mod instance;
pub mod names;
pub mod plan;
pub mod verify;

pub use instance::{
    Counterpart, CounterpartIdx, Duty, DutyIdx, IdMaps, Instance, Module, ModuleIdx, Rules, Skill,
    SkillIdx, Staff, StaffIdx, Unit, UnitIdx,
};
pub use plan::{
    Assignment, Change, ChangeKind, DeclaredObjective, DeclaredPlan, DeclaredSolver, Liaison,
    Objective, Plan, PlanStatus, Post, SolverInfo, Totals, Uncovered, Understaffed, Why, WhyPerson,
};
pub use verify::{CheckReport, Violation, ViolationKind, complete, verify, verify_declared};

/// A figure (hours, a weight) as short decimal text: at most two decimals, no trailing zeros,
/// never `-0`. Used wherever a figure names a group (a weight class) or is shown to people.
#[must_use]
pub fn decimal(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}
