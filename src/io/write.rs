//! Writing output files safely: all of a file or none of it, and all of a folder's files or
//! none of them.
//!
//! Each file's bytes go first to a staged file that has no name yet (Linux `O_TMPFILE`; a
//! hidden temporary file elsewhere), so a full disk or a crash while writing leaves nothing
//! behind; once every byte is written and synced, the staged file is linked in under a
//! temporary name and renamed onto its target in one step.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// A file written and synced, not yet in place.
enum Staged {
    /// An unnamed file (`O_TMPFILE`): nothing on disk to clean up if the process dies.
    #[cfg(target_os = "linux")]
    Unnamed(File),
    /// A hidden temporary file, removed when dropped.
    Named(tempfile::NamedTempFile),
}

/// The folder of `path` (`.` for a bare file name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The permissions the written file should have: those of the file it replaces, or 0644
/// (temporary files are private, 0600; the result should look like any file the user writes).
#[cfg(unix)]
fn permissions_for(target: &Path) -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(target).map_or_else(
        |_| std::fs::Permissions::from_mode(0o644),
        |m| m.permissions(),
    )
}

/// Writes `bytes` into a new staged file in `dir` (which must exist, on the target's file
/// system) with the permissions `target` should have.
fn stage(dir: &Path, target: &Path, bytes: &[u8]) -> std::io::Result<Staged> {
    #[cfg(target_os = "linux")]
    if let Some(file) = unnamed(dir) {
        let mut file = file;
        file.write_all(bytes)?;
        file.set_permissions(permissions_for(target))?;
        file.sync_all()?;
        return Ok(Staged::Unnamed(file));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".modstaff-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    #[cfg(unix)]
    tmp.as_file().set_permissions(permissions_for(target))?;
    #[cfg(not(unix))]
    let _ = target;
    tmp.as_file().sync_all()?;
    Ok(Staged::Named(tmp))
}

/// An unnamed file in `dir`, where the file system and `/proc` allow linking it in later.
#[cfg(target_os = "linux")]
fn unnamed(dir: &Path) -> Option<File> {
    use rustix::fs::{CWD, Mode, OFlags, openat};
    if !Path::new("/proc/self/fd").is_dir() {
        return None;
    }
    let fd = openat(
        CWD,
        dir,
        OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o600),
    )
    .ok()?;
    Some(File::from(fd))
}

/// A name in `dir` for the moment between linking a staged file in and renaming it.
fn transit_name(dir: &Path, target: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = target
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()))
}

/// Removes what writers of `target` killed between linking and renaming left behind: its
/// transit names whose process is gone. That instant cannot be closed (a file with no name
/// cannot replace another), so the next write of the same file sweeps it.
#[cfg(target_os = "linux")]
fn sweep_transit(dir: &Path, target: &Path) {
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = format!(".{name}.");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|rest| rest.split_once('-'))
            .filter(|(_, n)| n.parse::<u64>().is_ok())
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

impl Staged {
    /// Puts the staged file at `target`, replacing what is there in one rename.
    fn commit(self, target: &Path) -> std::io::Result<()> {
        #[cfg(target_os = "linux")]
        sweep_transit(parent_of(target), target);
        match self {
            #[cfg(target_os = "linux")]
            Self::Unnamed(file) => {
                use std::os::fd::AsRawFd as _;
                let transit = transit_name(parent_of(target), target);
                rustix::fs::linkat(
                    rustix::fs::CWD,
                    format!("/proc/self/fd/{}", file.as_raw_fd()),
                    rustix::fs::CWD,
                    &transit,
                    rustix::fs::AtFlags::SYMLINK_FOLLOW,
                )?;
                std::fs::rename(&transit, target).inspect_err(|_| {
                    let _ = std::fs::remove_file(&transit);
                })
            }
            Self::Named(tmp) => tmp.persist(target).map(|_| ()).map_err(|e| e.error),
        }
    }
}

/// Writes `bytes` to `path` atomically: a failure (a full disk, a killed process) never
/// leaves a half-written file or clobbers a good one. A process killed in the instant
/// between linking the file in and renaming it leaves a hidden `.NAME.PID-N.tmp`, which the
/// next write of the same file removes.
///
/// # Errors
/// The I/O error.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    stage(parent_of(path), path, bytes)?.commit(path)
}

/// Writes the files `files` (name, bytes) into the folder `dir`, made if needed, all or
/// none: every file is written and synced before the first is put in place, so a full disk
/// or a write error leaves the folder as it was. Files of the folder not named are kept,
/// except those in `stale`, which are removed after the others are in place.
///
/// # Errors
/// The I/O error, with the path it concerns.
pub fn write_folder_atomic(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    stale: &[&str],
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    // Stage where the folder will be, or in the nearest existing folder above it (the same
    // file system as far as a rename can tell), so that nothing is made before all is written.
    let mut base = dir;
    while !base.is_dir() {
        base = match base.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if base == Path::new(".") {
            break;
        }
    }
    let mut staged = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let target = dir.join(name);
        let s = stage(base, &target, bytes)
            .with_context(|| format!("cannot write `{}`", target.display()))?;
        staged.push((target, s));
    }
    fs_err::create_dir_all(dir)?;
    for (target, s) in staged {
        s.commit(&target)
            .with_context(|| format!("cannot write `{}`", target.display()))?;
    }
    for name in stale {
        let path = dir.join(name);
        if path.is_file() {
            fs_err::remove_file(&path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("listed")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_staged_file_leaves_nothing_until_committed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("plan.json");
        let staged = stage(dir.path(), &target, b"{}").expect("staged");
        assert!(
            names(dir.path()).is_empty(),
            "a staged file has no name: a process killed now leaves nothing"
        );
        staged.commit(&target).expect("committed");
        assert_eq!(names(dir.path()), ["plan.json"]);
        write_atomic(&target, b"[1]").expect("replaced");
        assert_eq!(std::fs::read(&target).expect("read"), b"[1]");
        assert_eq!(names(dir.path()), ["plan.json"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&target)
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }

    /// A transit name left by a writer killed before its rename goes with the next write of
    /// the same file; a live writer's, and other files, stay.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_next_write_sweeps_what_a_killed_writer_left() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("skills.csv");
        // Above the kernel's largest process id: no such process.
        let dead = dir.path().join(".skills.csv.4194400-3.tmp");
        let live = dir
            .path()
            .join(format!(".skills.csv.{}-999.tmp", std::process::id()));
        let other = dir.path().join(".staff.csv.4194400-3.tmp");
        for path in [&dead, &live, &other] {
            std::fs::write(path, "x").expect("written");
        }
        write_atomic(&target, b"1").expect("written");
        let left = names(dir.path());
        assert!(
            !left.contains(&".skills.csv.4194400-3.tmp".to_owned()),
            "{left:?}"
        );
        assert_eq!(left.len(), 3, "{left:?}");
    }

    #[test]
    fn a_folder_is_written_whole_or_left_as_it_was() {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("out").join("team");
        let files = vec![
            ("a.csv".to_owned(), b"1".to_vec()),
            ("b.csv".to_owned(), b"2".to_vec()),
        ];
        write_folder_atomic(&dir, &files, &[]).expect("written");
        assert_eq!(names(&dir), ["a.csv", "b.csv"]);
        std::fs::write(dir.join("mine.txt"), "kept").expect("written");
        std::fs::write(dir.join("old.csv"), "stale").expect("written");
        // Rewriting: files named are replaced, unrelated ones kept, stale ones removed.
        let again = vec![
            ("a.csv".to_owned(), b"new".to_vec()),
            ("b.csv".to_owned(), b"new".to_vec()),
        ];
        write_folder_atomic(&dir, &again, &["old.csv"]).expect("written");
        assert_eq!(names(&dir), ["a.csv", "b.csv", "mine.txt"]);
        assert_eq!(std::fs::read(dir.join("a.csv")).expect("read"), b"new");
    }
}
