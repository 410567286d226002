//! One integration test binary (faster to build than one per file).

mod check;
mod cluster;
mod common;
mod diff;
mod explain;
mod export_model;
mod fuzz_replay;
mod identity;
mod instances;
mod lp_batch;
mod mkp;
mod plan_in;
mod props;
mod recommend;
mod report;
mod report_browser;
mod report_page;
mod scenario;
#[cfg(feature = "http")]
mod serve;
#[cfg(feature = "http")]
mod serve_import;
#[cfg(feature = "http")]
mod serve_jobs;
mod shards;
mod sheets;
mod solve;
mod start;
mod validate;
#[cfg(feature = "http")]
mod webdriver;
mod whatif;
#[cfg(feature = "http")]
mod workbench;
#[cfg(feature = "http")]
mod workbench_browser;
mod writes;
