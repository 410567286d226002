//! Inputs and outputs: instance and plan files (JSON, CSV folders, `.xlsx` workbooks, MKP
//! benchmark files), their validation into the domain with path-precise diagnostics, the
//! tier-1 model as LP and MPS files, and safe writing.
//!
//! This layer imports only [`crate::model`] (and [`crate::rng`] for the generator); the
//! engine and everything above build on it.

mod convert;
pub mod decode;
pub mod diagnostic;
pub mod generate;
mod load;
pub mod mip;
pub mod mkp;
pub mod position;
pub mod raw;
pub mod sheets;
mod validate;
mod write;

pub use convert::to_raw;
pub use decode::Origins;
pub use diagnostic::{Diagnostic, Diagnostics, LoadError, Severity, Validated};
pub use load::{
    load_instance, load_plan, parse_instance, parse_instance_raw, parse_plan, parse_plan_file,
    read_plan,
};
pub use position::PositionIndex;
pub use raw::{
    RawCounterpart, RawDuty, RawInstance, RawModule, RawRules, RawSkill, RawStaff, RawUnit,
};
pub use validate::{SizeLimits, set_size_limits, size_limits, validate};
pub use write::{write_atomic, write_folder_atomic};
