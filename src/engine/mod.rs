//! The solver engine.
//!
//! - [`hours`]: the exact hours oracle. Once posts are fixed (who holds a post in which
//!   module), the best hours are a transportation problem; [`hours::HoursOracle`] solves it
//!   exactly with a weight-class greedy over max-flows and chooses the non-splittable duties.

pub mod hours;

pub use hours::{BestOptions, Hours, HoursOracle};
pub use posts::{PostState, Posts};

pub mod bound;
pub mod eligibility;
pub mod liaisons;
pub mod packing;
pub mod posts;
pub mod search;
pub mod solve;

pub use solve::{
    PlanFn, Progress, ProgressFn, Solution, SolveOptions, StopReason, lp_beats_flow, solve,
};
