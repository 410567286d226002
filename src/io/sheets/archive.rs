//! Inputs that arrive as bytes rather than paths (an upload): a workbook, or a CSV folder
//! packed in a zip archive. An archive is read within limits on its entries and on what it
//! unpacks to, counted as it unpacks (the sizes an archive declares can lie), so that a zip
//! bomb cannot exhaust memory.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::Path;

use super::grid::Location;
use super::{Sources, csv, default_name, map_tables, xlsx};
use crate::io::diagnostic::{Diagnostic, Diagnostics, LoadError};
use crate::io::raw::RawInstance;

/// What an archive may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Most entries (files and folders) in the archive.
    pub entries: usize,
    /// Most bytes its entries unpack to, all together.
    pub bytes: u64,
}

fn invalid(file: &str, d: Diagnostic) -> LoadError {
    LoadError::Invalid {
        file: file.to_owned(),
        diagnostics: Diagnostics(vec![d]),
    }
}

fn at(file: &str) -> Location {
    Location {
        file: file.to_owned(),
        ..Location::default()
    }
}

/// Whether the bytes are a zip archive holding a workbook (`xl/workbook.xml`), as every
/// `.xlsx` is; `false` for anything else, a zip of CSV files included.
#[must_use]
pub fn is_workbook(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes)).is_ok_and(|z| {
        z.file_names()
            .any(|n| n.eq_ignore_ascii_case("xl/workbook.xml"))
    })
}

/// Whether the file's extension is `ext`, in any case.
fn has_ext(name: &str, ext: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// Files of no instance that archivers add: macOS resource forks and hidden files.
fn ignored(name: &str) -> bool {
    name.starts_with("__MACOSX/") || name.rsplit('/').next().is_some_and(|b| b.starts_with('.'))
}

/// Unpacks the archive's entries for which `wanted` holds, within `limits`; entries not
/// wanted are still counted against `limits.entries` but not unpacked. With `keep` false the
/// bytes are counted and dropped (a workbook handed to its reader afterwards).
fn unpack(
    bytes: &[u8],
    file: &str,
    limits: ArchiveLimits,
    wanted: &dyn Fn(&str) -> bool,
    keep: bool,
) -> Result<Vec<(String, Vec<u8>)>, LoadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        invalid(
            file,
            at(file)
                .error(format!("not a zip archive: {e}"))
                .hint("zip the folder of CSV files (staff.csv, modules.csv, duties.csv, ...)"),
        )
    })?;
    if zip.len() > limits.entries {
        return Err(invalid(
            file,
            at(file)
                .error(format!(
                    "the archive has {} entries, more than the {} allowed",
                    zip.len(),
                    limits.entries
                ))
                .hint("zip only the instance's files"),
        ));
    }
    let too_large = || {
        invalid(
            file,
            at(file)
                .error(format!(
                    "the archive unpacks to more than {} bytes",
                    limits.bytes
                ))
                .hint("zip only the instance's files"),
        )
    };
    let mut files = Vec::new();
    let mut total = 0_u64;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| {
            invalid(
                file,
                at(file).error(format!("cannot read entry {} of the archive: {e}", i + 1)),
            )
        })?;
        let name = entry.name().replace('\\', "/");
        if entry.is_dir() || !wanted(&name) {
            continue;
        }
        let left = limits.bytes.saturating_sub(total);
        let mut limited = (&mut entry).take(left.saturating_add(1));
        let unreadable = |e: std::io::Error| {
            invalid(
                file,
                at(&format!("{file}/{name}")).error(format!("cannot unpack: {e}")),
            )
        };
        let n = if keep {
            let mut buf = Vec::new();
            limited.read_to_end(&mut buf).map_err(unreadable)?;
            let n = buf.len() as u64;
            files.push((name.clone(), buf));
            n
        } else {
            std::io::copy(&mut limited, &mut std::io::sink()).map_err(unreadable)?
        };
        total += n;
        if total > limits.bytes {
            return Err(too_large());
        }
    }
    Ok(files)
}

/// Reads an `.xlsx` workbook from its bytes; `file` names it in messages, and its stem is the
/// instance's name unless the rules sheet gives one.
///
/// # Errors
/// [`LoadError::Invalid`] when it is no workbook or unpacks beyond `limits`.
pub fn read_xlsx_bytes(
    bytes: &[u8],
    file: &str,
    limits: ArchiveLimits,
) -> Result<(RawInstance, Diagnostics, Sources), LoadError> {
    // A workbook is a zip archive: check what it unpacks to before its reader unpacks it.
    // Bytes that are no archive at all get the workbook reader's own message.
    if zip::ZipArchive::new(Cursor::new(bytes)).is_ok() {
        unpack(bytes, file, limits, &|_| true, false)?;
    }
    let input = xlsx::read_workbook_bytes(bytes, file)?;
    Ok(map_tables(&input, default_name(Path::new(file))))
}

/// The folder of the archive that holds the instance: the one with `staff.csv` (at the root
/// or in a folder), else the one folder all its CSV files are in, else the root. `Err` with
/// the folders when several hold a `staff.csv`.
fn instance_folder(names: &[String]) -> Result<String, Vec<String>> {
    let folder = |n: &str| n.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    let base = |n: &str| n.rsplit('/').next().unwrap_or("").to_lowercase();
    let mut with_staff: Vec<String> = names
        .iter()
        .filter(|n| base(n) == "staff.csv")
        .map(|n| folder(n))
        .collect();
    with_staff.dedup();
    match with_staff.len() {
        1 => return Ok(with_staff.remove(0)),
        0 => {}
        _ => return Err(with_staff),
    }
    let mut folders: Vec<String> = names
        .iter()
        .filter(|n| has_ext(n, "csv"))
        .map(|n| folder(n))
        .collect();
    folders.sort();
    folders.dedup();
    Ok(if folders.len() == 1 {
        folders.remove(0)
    } else {
        String::new()
    })
}

/// Reads a CSV folder packed in a zip archive: `staff.csv`, `modules.csv`, `duties.csv`, ...
/// at the archive's root or in one folder of it. Messages name each file as
/// `team.zip/staff.csv` (`file` is the archive's name); the instance's name is the folder's,
/// or the archive's stem, unless `rules.toml` gives one.
///
/// # Errors
/// [`LoadError::Invalid`] when it is no archive, unpacks beyond `limits`, or holds several
/// instances.
pub fn read_csv_zip(
    bytes: &[u8],
    file: &str,
    limits: ArchiveLimits,
) -> Result<(RawInstance, Diagnostics, Sources), LoadError> {
    let wanted = |n: &str| !ignored(n) && (has_ext(n, "csv") || has_ext(n, "toml"));
    let files = unpack(bytes, file, limits, &wanted, true)?;
    let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    let folder = instance_folder(&names).map_err(|several| {
        invalid(
            file,
            at(file)
                .error(format!(
                    "the archive holds several instances (staff.csv in {})",
                    several
                        .iter()
                        .map(|f| format!("`{}`", if f.is_empty() { "/" } else { f }))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .hint("zip one instance's folder"),
        )
    })?;
    let prefix = if folder.is_empty() {
        String::new()
    } else {
        format!("{folder}/")
    };
    let mut inside: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (name, data) in files {
        if let Some(rest) = name.strip_prefix(&prefix).filter(|r| !r.contains('/')) {
            inside.insert(rest.to_owned(), data);
        }
    }
    let label = if folder.is_empty() {
        file.to_owned()
    } else {
        format!("{file}/{folder}")
    };
    let name = if folder.is_empty() {
        default_name(Path::new(file))
    } else {
        default_name(Path::new(&folder))
    };
    let entries: Vec<String> = inside.keys().cloned().collect();
    let input = csv::read_files(&label, entries, &mut |n: &str| {
        Ok(inside.remove(n).unwrap_or_default())
    })?;
    Ok(map_tables(&input, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in files {
            w.start_file(*name, options).expect("entry");
            w.write_all(data).expect("write");
        }
        w.finish().expect("finish").into_inner()
    }

    const LIMITS: ArchiveLimits = ArchiveLimits {
        entries: 16,
        bytes: 1 << 20,
    };

    #[test]
    fn the_instance_folder_is_the_one_with_staff() {
        let names = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            instance_folder(&names(&["staff.csv", "modules.csv"])),
            Ok(String::new())
        );
        assert_eq!(
            instance_folder(&names(&[
                "team/Staff.csv",
                "team/modules.csv",
                "notes/a.csv"
            ])),
            Ok("team".into())
        );
        assert_eq!(
            instance_folder(&names(&["team/modules.csv"])),
            Ok("team".into())
        );
        assert!(instance_folder(&names(&["a/staff.csv", "b/staff.csv"])).is_err());
    }

    #[test]
    fn a_zip_bomb_is_refused_as_it_unpacks() {
        // 4 MiB of zeros pack into a few kilobytes; the limit is 1 MiB.
        let zeros = vec![b'0'; 4 << 20];
        let bomb = zip_of(&[("staff.csv", &zeros)]);
        assert!(bomb.len() < 64 << 10, "{}", bomb.len());
        let Err(LoadError::Invalid { diagnostics, .. }) = read_csv_zip(&bomb, "up.zip", LIMITS)
        else {
            panic!("refused");
        };
        assert!(
            diagnostics.0[0].message.contains("unpacks to more than"),
            "{diagnostics}"
        );
        // The same for a workbook, before its reader sees it.
        let Err(LoadError::Invalid { diagnostics, .. }) = read_xlsx_bytes(&bomb, "up.xlsx", LIMITS)
        else {
            panic!("refused");
        };
        assert!(diagnostics.0[0].message.contains("unpacks to more than"));
    }

    #[test]
    fn too_many_entries_are_refused() {
        let files: Vec<(String, &[u8])> =
            (0..20).map(|i| (format!("{i}.csv"), &b"a"[..])).collect();
        let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, d)| (n.as_str(), *d)).collect();
        let Err(LoadError::Invalid { diagnostics, .. }) =
            read_csv_zip(&zip_of(&refs), "up.zip", LIMITS)
        else {
            panic!("refused");
        };
        assert!(
            diagnostics.0[0].message.contains("20 entries"),
            "{diagnostics}"
        );
    }

    #[test]
    fn not_a_zip_says_so() {
        let Err(LoadError::Invalid { diagnostics, .. }) = read_csv_zip(b"{}", "up.zip", LIMITS)
        else {
            panic!("refused");
        };
        assert!(diagnostics.0[0].message.contains("not a zip archive"));
        assert!(!is_workbook(b"{}"));
    }
}
