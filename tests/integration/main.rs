//! One integration test binary (faster to build than one per file).

mod check;
mod common;
mod explain;
mod fuzz_replay;
mod identity;
mod instances;
mod mkp;
mod plan_in;
mod props;
mod report;
mod scenario;
#[cfg(feature = "http")]
mod serve;
mod sheets;
mod solve;
mod start;
mod validate;
mod whatif;
mod writes;
