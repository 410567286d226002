//! The fuzz targets' bodies, shared with the stable replay test (`tests/integration/fuzz_replay.rs`).

#[path = "../../tests/common/fuzz_bodies.rs"]
mod bodies;

pub use bodies::*;
