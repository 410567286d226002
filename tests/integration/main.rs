//! One integration test binary (faster to build than one per file).

mod check;
mod common;
mod instances;
mod mkp;
mod props;
mod scenario;
mod solve;
mod validate;
mod whatif;
