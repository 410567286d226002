//! Column and row names that every LP and MPS reader accepts: ids in `[A-Za-z0-9_]`, at most
//! [`MAX_NAME`] characters, unique within the file.

use std::collections::HashSet;
use std::fmt::Write as _;

/// The longest name written. LP and MPS readers accept 255 characters; 100 keeps every line
/// of both files (an MPS entry names a column and a row) below 256 characters.
pub const MAX_NAME: usize = 100;

/// `id` with every character outside `[A-Za-z0-9_]` replaced: other ASCII by `_`, anything
/// else by `u` and its code point in hex (`模` -> `u6A21`), so that Chinese ids keep distinct,
/// readable names.
#[must_use]
pub fn sanitise(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if c.is_ascii() {
            out.push('_');
        } else {
            let _ = write!(out, "u{:04X}", u32::from(c));
        }
    }
    out
}

/// Hands out unique names: the first comer keeps the sanitised name, later ones get `_2`,
/// `_3`, ... (sanitising can make two ids alike, and so can the `_` between parts).
#[derive(Debug, Default)]
pub struct Namer {
    used: HashSet<String>,
}

impl Namer {
    /// A namer in which `reserved` names (the objective's) are already taken.
    #[must_use]
    pub fn new(reserved: &[&str]) -> Self {
        Self {
            used: reserved.iter().map(|&s| s.to_owned()).collect(),
        }
    }

    /// A unique name of `prefix` followed by each of `ids` after `_`, all sanitised.
    pub fn name(&mut self, prefix: &str, ids: &[impl AsRef<str>]) -> String {
        let mut base = String::from(prefix);
        for id in ids {
            base.push('_');
            base.push_str(&sanitise(id.as_ref()));
        }
        base.truncate(MAX_NAME);
        if self.used.insert(base.clone()) {
            return base;
        }
        for k in 2_u64.. {
            let suffix = format!("_{k}");
            let mut candidate = base.clone();
            candidate.truncate(MAX_NAME - suffix.len());
            candidate.push_str(&suffix);
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
        unreachable!("some suffix is free")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_become_portable_names() {
        assert_eq!(sanitise("m_welfare"), "m_welfare");
        assert_eq!(sanitise("p#01 x"), "p_01_x");
        assert_eq!(sanitise("模块"), "u6A21u5757");
        assert_eq!(sanitise("😀"), "u1F600");
    }

    #[test]
    fn names_are_unique_and_short() {
        let mut namer = Namer::new(&["obj"]);
        assert_eq!(namer.name("y", &["a_b", "c"]), "y_a_b_c");
        // Another pair that reads the same gets a suffix, and so does a later real `_2`.
        assert_eq!(namer.name("y", &["a", "b_c"]), "y_a_b_c_2");
        assert_eq!(namer.name("y", &["a", "b_c_2"]), "y_a_b_c_2_2");
        let none: [&str; 0] = [];
        assert_eq!(namer.name("obj", &none), "obj_2");
        let long = "模".repeat(80);
        let first = namer.name("x", &[&long, "d"]);
        let second = namer.name("x", &[&long, "e"]);
        assert_eq!(first.len(), MAX_NAME);
        assert_eq!(second.len(), MAX_NAME);
        assert!(second.ends_with("_2"), "{second}");
        assert_ne!(first, second);
    }
}
