//! One integration test binary (faster to build than one per file).

mod check;
mod common;
mod instances;
mod props;
mod scenario;
#[cfg(feature = "http")]
mod serve;
mod solve;
mod validate;
mod whatif;
