//! Instance and plan files: decoding, validation into the domain, writing.

pub mod decode;
pub mod diagnostic;
pub mod mkp;
pub mod position;
pub mod raw;
mod validate;

use std::path::Path;

pub use decode::Origins;
pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use position::PositionIndex;
pub use raw::{
    RawCounterpart, RawDuty, RawInstance, RawModule, RawRules, RawSkill, RawStaff, RawUnit,
};

use crate::model::{Instance, Plan};

/// A validated instance and the warnings found on the way.
pub type Validated = (Instance, Diagnostics);

/// Errors of reading an input file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file was read but is not a valid input.
    #[error("invalid input `{file}`: {} error(s)", .diagnostics.error_count())]
    Invalid {
        /// The file.
        file: String,
        /// Every problem found, with the file set on each.
        diagnostics: Diagnostics,
    },
}

fn read_text(path: &Path) -> Result<String, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let file = path.display().to_string();
    // A leading BOM is common in files saved by spreadsheet programs: accept it.
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&bytes)
        .to_vec();
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        LoadError::Invalid {
            file: file.clone(),
            diagnostics: Diagnostics(vec![with_file(
                Diagnostic::error("", format!("not UTF-8 text (bad byte at offset {offset})"))
                    .hint("save the file as UTF-8"),
                &file,
            )]),
        }
    })
}

fn with_file(mut d: Diagnostic, file: &str) -> Diagnostic {
    d.file = file.to_owned();
    d
}

/// Labels every problem with its file and puts them in reading order: errors first, then
/// warnings, each in the order they appear in the file.
fn set_file(mut diags: Diagnostics, file: &str) -> Diagnostics {
    for d in &mut diags.0 {
        d.file = file.to_owned();
    }
    diags
        .0
        .sort_by_key(|d| (d.severity, d.line.unwrap_or(0), d.column.unwrap_or(0)));
    diags
}

/// Parses and validates instance JSON text. `file` labels the messages (may be empty).
///
/// # Errors
/// Every problem found, when any is an error.
pub fn parse_instance(text: &str, file: &str) -> Result<Validated, Diagnostics> {
    let positions = PositionIndex::new(text);
    let (raw, diags) = decode::decode(text, &positions);
    let result = match raw {
        Some((raw, origins)) => validate::validate_decoded(&raw, &origins, Some(&positions), diags),
        None => Err(diags),
    };
    match result {
        Ok((inst, warnings)) => Ok((inst, set_file(warnings, file))),
        Err(d) => Err(set_file(d, file)),
    }
}

/// Validates an instance built in code (no file positions).
///
/// # Errors
/// Every problem found, when any is an error.
pub fn validate(raw: &RawInstance) -> Result<Validated, Diagnostics> {
    let origins = Origins::default();
    validate::validate_decoded(raw, &origins, None, Diagnostics::default())
}

/// Reads, parses and validates an instance: a folder of CSV files, an `.xlsx` workbook
/// (see [`crate::sheets`]) or a JSON file, chosen by the path.
///
/// # Errors
/// [`LoadError::Io`] when unreadable, [`LoadError::Invalid`] with every problem otherwise.
pub fn load_instance(path: &Path) -> Result<Validated, LoadError> {
    use crate::sheets::{InputKind, input_kind};
    if input_kind(path) != InputKind::Json {
        return crate::sheets::load(path);
    }
    let file = path.display().to_string();
    let text = read_text(path)?;
    parse_instance(&text, &file).map_err(|diagnostics| LoadError::Invalid { file, diagnostics })
}

/// Parses a plan (SPEC section 3). Plans are machine-written, so the first problem is reported.
///
/// # Errors
/// The problem, with its path and position.
pub fn parse_plan(text: &str, file: &str) -> Result<Plan, Diagnostics> {
    decode::typed_json::<Plan>(text).map_err(|d| Diagnostics(vec![with_file(*d, file)]))
}

/// Reads and parses a plan file.
///
/// # Errors
/// [`LoadError`] as for instances.
pub fn load_plan(path: &Path) -> Result<Plan, LoadError> {
    let file = path.display().to_string();
    let text = read_text(path)?;
    parse_plan(&text, &file).map_err(|diagnostics| LoadError::Invalid { file, diagnostics })
}

/// The raw (file) form of a validated instance, with defaults written out explicitly only
/// where they differ from the instance-wide rules.
#[must_use]
pub fn to_raw(inst: &Instance) -> RawInstance {
    let r = &inst.rules;
    let name_if = |name: &str, id: &str| (name != id).then(|| name.to_owned());
    RawInstance {
        name: inst.name.clone(),
        description: inst.description.clone(),
        skills: inst.has_skill_catalogue.then(|| {
            inst.skills
                .iter()
                .map(|k| RawSkill {
                    id: k.id.clone(),
                    name: name_if(&k.name, &k.id),
                })
                .collect()
        }),
        units: inst
            .units
            .iter()
            .map(|u| RawUnit {
                id: u.id.clone(),
                name: name_if(&u.name, &u.id),
                headcount_cap: u.headcount_cap.map(i64::from),
            })
            .collect(),
        counterparts: inst
            .counterparts
            .iter()
            .map(|c| RawCounterpart {
                id: c.id.clone(),
                name: name_if(&c.name, &c.id),
                bureau: c.bureau.clone(),
            })
            .collect(),
        staff: inst
            .staff
            .iter()
            .map(|p| RawStaff {
                id: p.id.clone(),
                name: name_if(&p.name, &p.id),
                unit: p.unit.map(|u| inst.units[u.index()].id.clone()),
                capacity: Some(p.capacity),
                skills: p
                    .skills
                    .iter()
                    .map(|&(k, l)| (inst.skills[k.index()].id.clone(), i64::from(l)))
                    .collect(),
                max_posts: (p.max_posts != r.max_posts).then_some(i64::from(p.max_posts)),
                max_liaisons: (p.max_liaisons != r.max_liaisons)
                    .then_some(i64::from(p.max_liaisons)),
                current_posts: p
                    .current_posts
                    .iter()
                    .map(|m| inst.modules[m.index()].id.clone())
                    .collect(),
                unavailable: p
                    .unavailable
                    .iter()
                    .map(|m| inst.modules[m.index()].id.clone())
                    .collect(),
            })
            .collect(),
        modules: inst
            .modules
            .iter()
            .map(|m| RawModule {
                id: m.id.clone(),
                name: name_if(&m.name, &m.id),
                unit: m.unit.map(|u| inst.units[u.index()].id.clone()),
                min_staff: (m.min_staff != 0).then_some(i64::from(m.min_staff)),
                max_staff: m.max_staff.map(i64::from),
                counterparts: m
                    .counterparts
                    .iter()
                    .map(|c| inst.counterparts[c.index()].id.clone())
                    .collect(),
            })
            .collect(),
        duties: inst
            .duties
            .iter()
            .map(|d| RawDuty {
                id: d.id.clone(),
                module: inst.modules[d.module.index()].id.clone(),
                hours: d.hours,
                skill: d.skill.map(|k| inst.skills[k.index()].id.clone()),
                min_level: (d.min_level != 1).then_some(i64::from(d.min_level)),
                weight: (d.weight.to_bits() != 1.0_f64.to_bits()).then_some(d.weight),
                splittable: (!d.splittable).then_some(false),
                tags: d.tags.clone(),
            })
            .collect(),
        rules: Some(RawRules {
            max_posts: Some(i64::from(r.max_posts)),
            max_liaisons: Some(i64::from(r.max_liaisons)),
            liaison_weight: Some(r.liaison_weight),
            min_staff_weight: Some(r.min_staff_weight),
            conflicts: r
                .conflicts
                .iter()
                .map(|&(a, b)| {
                    vec![
                        inst.modules[a.index()].id.clone(),
                        inst.modules[b.index()].id.clone(),
                    ]
                })
                .collect(),
        }),
    }
}

#[cfg(unix)]
fn default_permissions() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o644)
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename,
/// so a failure never leaves a half-written file or clobbers a good one.
///
/// # Errors
/// The I/O error, with the path.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    // Temporary files are private (0600); the result should look like any file the user
    // writes: keep the permissions of the file it replaces, or use the usual 0644.
    #[cfg(unix)]
    {
        let permissions = match std::fs::metadata(path) {
            Ok(m) => m.permissions(),
            Err(_) => default_permissions(),
        };
        tmp.as_file().set_permissions(permissions)?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
