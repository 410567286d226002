//! The solver engine.
//!
//! - [`solve()`] (`solve/`): the driver: construction, a deterministic parallel
//!   large-neighbourhood search in epochs, the bounds, and the final plan.
//! - `search/`: the primal search over posts: evaluating a post set, the LNS moves, the
//!   greedy repair and the passes that settle the final posts.
//! - [`hours`]: the exact hours oracle. Once posts are fixed (who holds a post in which
//!   module), the best hours are a transportation problem; [`HoursOracle`] solves it exactly
//!   with a weight-class greedy over max-flows and chooses who does the non-splittable duties.
//! - [`packing`]: the packing solver for components whose duties are all non-splittable.
//! - [`bound`]: lower bounds on tier 1 (flow, packing, caps, Lagrangian, LP relaxation,
//!   decomposition by person).
//! - [`Posts`] and the search's `PostState` (`posts.rs`), [`Eligibility`] (who can do what,
//!   computed once), liaisons as a maximum matching (`liaisons.rs`).
//!
//! The public surface beyond [`solve()`] is an advanced API for benches and tools: the hours
//! oracle ([`HoursOracle`], [`Posts`], [`BestOptions`], [`Hours`]), [`Eligibility`], the LP
//! relaxation ([`bound::lp`]) and the packing solver.

pub mod bound;
mod eligibility;
pub mod hours;
mod liaisons;
pub mod packing;
mod posts;
mod search;
mod solve;
#[cfg(test)]
mod testkit;

pub(crate) use bound::lp_beats_flow;
pub use eligibility::Eligibility;
pub use hours::{BestOptions, Hours, HoursOracle};
pub use posts::Posts;
pub use solve::{
    Dropped, Phase, PhaseFn, PlanFn, Progress, ProgressFn, Solution, SolveOptions, Start,
    StopReason, solve,
};
