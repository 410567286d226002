//! The fuzz targets' bodies (`tests/common/fuzz_bodies.rs`) on every committed seed and saved
//! crash input (`fuzz/seeds/<target>/`, `fuzz/regressions/<target>/`): a bug a fuzzing run
//! once found stays fixed, checked on stable by every `cargo test` (docs/fuzzing.md).

#[path = "../common/fuzz_bodies.rs"]
mod bodies;

use crate::common::path;

#[test]
fn every_seed_and_regression_passes_its_target() {
    for (name, body) in bodies::TARGETS {
        let seeds = bodies::replay_dir(&path(&format!("fuzz/seeds/{name}")), body);
        // A target whose seeds went missing would pass here while checking nothing.
        assert!(seeds > 0, "no seeds for the fuzz target {name}");
        bodies::replay_dir(&path(&format!("fuzz/regressions/{name}")), body);
    }
}

/// The replay can fail: a body that panics on its input fails the test.
#[test]
#[should_panic(expected = "fails the check")]
fn a_failing_body_fails_the_replay() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("input"), b"x").expect("written");
    bodies::replay_dir(dir.path(), |_| panic!("the solver's plan fails the check"));
}
