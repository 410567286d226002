//! The domain: validated instances, plans and the independent plan checker.
//!
//! Nothing here knows about files, solvers or output formats.

pub mod diagnose;
pub mod instance;
pub mod plan;
pub mod verify;

pub use instance::{
    Counterpart, CounterpartIdx, Duty, DutyIdx, IdMaps, Instance, Module, ModuleIdx, Rules, Skill,
    SkillIdx, Staff, StaffIdx, Unit, UnitIdx,
};
pub use plan::{
    Assignment, Liaison, Objective, Plan, PlanStatus, Post, SolverInfo, Uncovered, Understaffed,
};
pub use verify::{CheckReport, Violation, ViolationKind, verify};
