//! Free MPS format: `NAME`, `ROWS`, `COLUMNS` (binaries between `INTORG` and `INTEND`
//! markers), `RHS`, `BOUNDS` (`BV` for binaries, `UP` for bounded hours), `ENDATA`.

use std::fmt::Write as _;

use super::{Formulation, MAX_NAME, OBJECTIVE, Sense, num, sanitise};

/// The model in free MPS format, one coefficient per line.
#[must_use]
pub fn to_mps(f: &Formulation) -> String {
    let mut out = String::new();
    for c in &f.comments {
        let _ = writeln!(out, "* {c}");
    }
    let mut name = sanitise(&f.name);
    name.truncate(MAX_NAME);
    if name.is_empty() {
        name.push_str("modstaff");
    }
    let _ = writeln!(out, "NAME {name}");
    let _ = writeln!(out, "ROWS\n N  {OBJECTIVE}");
    for r in &f.rows {
        let sense = match r.sense {
            Sense::Le => 'L',
            Sense::Ge => 'G',
            Sense::Eq => 'E',
        };
        let _ = writeln!(out, " {sense}  {}", r.name);
    }
    // Column-wise: the objective first, then the rows in order.
    let mut entries: Vec<Vec<(&str, f64)>> = vec![Vec::new(); f.columns.len()];
    for (j, c) in f.columns.iter().enumerate() {
        if c.cost != 0.0 {
            entries[j].push((OBJECTIVE, c.cost));
        }
    }
    for r in &f.rows {
        for &(j, a) in &r.terms {
            entries[j].push((&r.name, a));
        }
    }
    out.push_str("COLUMNS\n");
    let mut integer = false;
    for (c, list) in f.columns.iter().zip(&entries) {
        if c.binary != integer {
            integer = c.binary;
            let marker = if integer { "INTORG" } else { "INTEND" };
            let _ = writeln!(out, "    MARKER  'MARKER'  '{marker}'");
        }
        if list.is_empty() {
            // A column in no row still has to be declared.
            let _ = writeln!(out, "    {}  {OBJECTIVE}  0", c.name);
        }
        for &(row, a) in list {
            let _ = writeln!(out, "    {}  {row}  {}", c.name, num(a));
        }
    }
    if integer {
        out.push_str("    MARKER  'MARKER'  'INTEND'\n");
    }
    out.push_str("RHS\n");
    for r in f.rows.iter().filter(|r| r.rhs != 0.0) {
        let _ = writeln!(out, "    RHS  {}  {}", r.name, num(r.rhs));
    }
    out.push_str("BOUNDS\n");
    for c in &f.columns {
        if c.binary {
            let _ = writeln!(out, " BV BND  {}", c.name);
        } else if let Some(u) = c.upper {
            let _ = writeln!(out, " UP BND  {}  {}", c.name, num(u));
        }
    }
    out.push_str("ENDATA\n");
    out
}
