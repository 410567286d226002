//! Outputs are written all or nothing: a full disk (here a file-size limit, `ulimit -f`) leaves
//! a folder as it was, and a process killed while writing leaves no temporary file behind.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::common::{path, root};

fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("listed")
        .map(|e| {
            let e = e.expect("entry");
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    v.sort();
    v
}

/// `modstaff ARGS` with files limited to `blocks` x 512 bytes; SIGXFSZ ignored so that the
/// write fails with EFBIG as on a full disk instead of killing the process.
fn limited(blocks: u32, args: &str) -> i32 {
    let bin = env!("CARGO_BIN_EXE_modstaff");
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks}; exec {bin} {args}"
        ))
        .current_dir(root())
        .output()
        .expect("sh runs")
        .status
        .code()
        .unwrap_or(-1)
}

#[test]
fn a_full_disk_leaves_a_folder_as_it_was() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("team");
    let out_s = out.to_str().expect("UTF-8");
    let tiny = path("instances/tiny.json");
    let run = crate::common::modstaff([
        "export",
        "csv",
        tiny.to_str().expect("UTF-8"),
        "--out",
        out_s,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let before = listing(&out);
    // agri's duties.csv (5 kB) is over the 4 kB limit; the smaller tables are not.
    let code = limited(
        8,
        &format!("export csv instances/longgang-agri.json --out {out_s}"),
    );
    assert_eq!(code, 2);
    assert_eq!(
        listing(&out),
        before,
        "no table replaced, nothing left behind"
    );
    // A folder that did not exist is not made at all.
    let fresh = dir.path().join("fresh");
    let code = limited(
        8,
        &format!(
            "export csv instances/longgang-agri.json --out {}",
            fresh.display()
        ),
    );
    assert_eq!(code, 2);
    assert!(!fresh.exists());
    assert_eq!(listing(dir.path()).len(), 1, "only `team` is in the folder");
    // whatif --plans: every plan or none.
    let plans = dir.path().join("plans");
    let code = limited(
        8,
        &format!(
            "whatif instances/longgang-agri.json --sweep leave-one-out --time-limit 0.2 --plans {}",
            plans.display()
        ),
    );
    assert_ne!(code, 0);
    assert!(!plans.exists());
}

#[test]
fn a_killed_writer_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bin = env!("CARGO_BIN_EXE_modstaff");
    let enf = path("instances/longgang-enforcement.json");
    for i in 0..24u64 {
        let out = dir.path().join("team");
        let mut child = Command::new(bin)
            .args(["export", "csv"])
            .arg(&enf)
            .arg("--out")
            .arg(&out)
            .spawn()
            .expect("spawned");
        std::thread::sleep(Duration::from_millis(5 * i));
        let _ = child.kill();
        let _ = child.wait();
        for (name, _) in listing(dir.path()) {
            assert_eq!(name, "team", "after a kill at {} ms", 5 * i);
        }
        if out.exists() {
            // A kill between linking a file in and renaming it can leave its transit name
            // (`.NAME.PID-N.tmp`, this process's); nothing else.
            let transit = format!(".{}-", child.id());
            for (name, _) in listing(&out) {
                assert!(
                    Path::new(&name)
                        .extension()
                        .is_some_and(|e| e == "csv" || e == "toml")
                        || (name.starts_with('.')
                            && name.contains(&transit)
                            && Path::new(&name).extension().is_some_and(|e| e == "tmp")),
                    "`{name}` left after a kill at {} ms",
                    5 * i
                );
            }
        }
    }
    // The next write sweeps any transit name left.
    let out = dir.path().join("team");
    let status = Command::new(bin)
        .args(["export", "csv"])
        .arg(&enf)
        .arg("--out")
        .arg(&out)
        .status()
        .expect("ran");
    assert!(status.success());
    for (name, _) in listing(&out) {
        assert!(
            Path::new(&name)
                .extension()
                .is_some_and(|e| e == "csv" || e == "toml"),
            "`{name}` left after a full write"
        );
    }
}
