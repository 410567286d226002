//! Plan identity: with the same seed and work limit, the solver gives byte-identical plan JSON
//! (apart from `solver.seconds`) on the shipped instances and on generated benchmark rows.
//!
//! Guards refactorings that must not change behaviour. When a change is *meant* to change
//! plans, regenerate the golden files with `MODSTAFF_BLESS=1 cargo test identity` and say why
//! in the commit message.

use std::path::{Path, PathBuf};

use crate::common::{modstaff, path};

/// (name, instance source, work limit). Generated rows come from `modstaff generate` flags.
const CASES: &[(&str, Source, u64)] = &[
    ("tiny", Source::Shipped, 2000),
    ("longgang-agri", Source::Shipped, 2000),
    ("longgang-approval", Source::Shipped, 2000),
    ("longgang-econ", Source::Shipped, 2000),
    ("longgang-enforcement", Source::Shipped, 100),
    (
        "g48-tight1.0-seed6",
        Source::Generated(&[
            "--staff",
            "48",
            "--modules",
            "27",
            "--duties",
            "120",
            "--tight",
            "1.0",
            "--seed",
            "6",
        ]),
        300,
    ),
    (
        "g100-tight1.3-seed5",
        Source::Generated(&[
            "--staff",
            "100",
            "--modules",
            "40",
            "--duties",
            "300",
            "--tight",
            "1.3",
            "--seed",
            "5",
        ]),
        300,
    ),
    (
        "g20-nonsplittable-seed3",
        Source::Generated(&[
            "--staff",
            "20",
            "--modules",
            "10",
            "--duties",
            "50",
            "--seed",
            "3",
            "--non-splittable",
            "1",
        ]),
        300,
    ),
];

enum Source {
    Shipped,
    Generated(&'static [&'static str]),
}

/// The plan text with the one figure that may differ between runs (`solver.seconds`) blanked.
fn normalised(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.trim_start().starts_with("\"seconds\":") {
                "    \"seconds\": <seconds>,"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn instance_file(name: &str, source: &Source, dir: &Path) -> PathBuf {
    match source {
        Source::Shipped => path(&format!("instances/{name}.json")),
        Source::Generated(flags) => {
            let file = dir.join(format!("{name}.json"));
            let mut args = vec!["generate".to_string()];
            args.extend(flags.iter().map(|s| (*s).to_string()));
            args.extend(["--out".to_string(), file.display().to_string()]);
            let run = modstaff(&args);
            assert_eq!(run.code, 0, "generate {name}: {}", run.stderr);
            file
        }
    }
}

#[test]
fn plans_are_identical_to_the_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let bless = std::env::var_os("MODSTAFF_BLESS").is_some();
    let mut differ = Vec::new();
    for (name, source, work_limit) in CASES {
        let instance = instance_file(name, source, dir.path());
        let out = dir.path().join(format!("{name}.plan.json"));
        let work = work_limit.to_string();
        let run = modstaff([
            "solve",
            instance.to_str().unwrap(),
            "--seed",
            "0",
            "--work-limit",
            &work,
            "--time-limit",
            "3600",
            "--threads",
            "2",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 0, "solve {name}: {}", run.stderr);
        let got = normalised(&std::fs::read_to_string(&out).unwrap());
        let golden = path(&format!("tests/fixtures/identity/{name}.plan.json"));
        if bless {
            std::fs::write(&golden, format!("{got}\n")).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&golden)
            .unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
        if got.trim_end() != want.trim_end() {
            differ.push(*name);
        }
    }
    assert!(
        differ.is_empty(),
        "plans differ from the golden files: {differ:?}"
    );
}
