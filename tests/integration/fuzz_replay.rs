//! The fuzz targets' bodies (`tests/common/fuzz_bodies.rs`) on every committed seed and saved
//! crash input (`fuzz/seeds/<target>/`, `fuzz/regressions/<target>/`): a bug a fuzzing run
//! once found stays fixed, checked on stable by every `cargo test` (docs/fuzzing.md).

#[path = "../common/fuzz_bodies.rs"]
mod bodies;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use crate::common::path;

/// The files directly in `dir`, sorted; none if it does not exist.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `body` on every input; returns the inputs on which it panicked.
fn replay(files: &[PathBuf], body: bodies::Body) -> Vec<String> {
    let mut failed = Vec::new();
    for file in files {
        let bytes = std::fs::read(file).expect("the input is readable");
        // Every input runs, so that one failure does not hide the next.
        if catch_unwind(AssertUnwindSafe(|| body(&bytes))).is_err() {
            failed.push(file.display().to_string());
        }
    }
    failed
}

#[test]
fn every_seed_and_regression_passes_its_target() {
    let mut failed = Vec::new();
    for (name, body) in bodies::TARGETS {
        let seeds = inputs(&path(&format!("fuzz/seeds/{name}")));
        // A target whose seeds went missing would pass here while checking nothing.
        assert!(!seeds.is_empty(), "no seeds for the fuzz target {name}");
        failed.extend(replay(&seeds, body));
        failed.extend(replay(
            &inputs(&path(&format!("fuzz/regressions/{name}"))),
            body,
        ));
    }
    assert!(
        failed.is_empty(),
        "fuzz target bodies panicked on (messages above):\n{}",
        failed.join("\n")
    );
}

/// The replay can fail: a body that panics is reported with its input.
#[test]
fn a_panicking_body_is_reported() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let input = dir.path().join("input");
    std::fs::write(&input, b"x").expect("written");
    let failed = replay(std::slice::from_ref(&input), |_| panic!("on purpose"));
    assert_eq!(failed, [input.display().to_string()]);
}
