//! The writers read back: a small reader for each format (just what the writers emit) turns
//! the text into columns and rows again, which must be the model's, name for name and number
//! for number. Instances: tiny, generated ones, and one with ids no format accepts as they are.

use std::collections::{BTreeMap, BTreeSet};

use super::{Formulation, MAX_NAME, Sense, lp::WIDTH, tier1, to_lp, to_mps};
use crate::io::generate::{DEFAULT_NON_SPLITTABLE, GenerateSettings, generate};
use crate::io::{parse_instance, validate};
use crate::model::Instance;

/// A column as read: (binary, upper bound, cost).
type ColumnRead = (bool, Option<f64>, f64);
/// A row as read: (sense, rhs, coefficients by column name).
type RowRead = (Sense, f64, BTreeMap<String, f64>);

/// A model as read back from a file, by name.
#[derive(Debug, Default, PartialEq)]
struct Read {
    columns: BTreeMap<String, ColumnRead>,
    rows: BTreeMap<String, RowRead>,
}

impl Read {
    /// What the writers should have written for `f`.
    fn of(f: &Formulation) -> Self {
        let mut read = Self::default();
        for c in &f.columns {
            read.columns
                .insert(c.name.clone(), (c.binary, c.upper, c.cost));
        }
        for r in &f.rows {
            let terms = r
                .terms
                .iter()
                .map(|&(j, a)| (f.columns[j].name.clone(), a))
                .collect();
            read.rows.insert(r.name.clone(), (r.sense, r.rhs, terms));
        }
        read
    }

    fn column(&mut self, name: &str) -> &mut ColumnRead {
        self.columns
            .entry(name.to_owned())
            .or_insert((false, None, 0.0))
    }
}

fn number(token: &str) -> f64 {
    token
        .parse()
        .unwrap_or_else(|_| panic!("a number, found `{token}`"))
}

/// Linear terms from tokens: `[+|-] [number] name`, repeated.
fn terms(tokens: &[&str]) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let mut sign = 1.0;
    let mut coef = None;
    for &t in tokens {
        match t {
            "+" => sign = 1.0,
            "-" => sign = -1.0,
            _ if t.parse::<f64>().is_ok() => coef = Some(number(t)),
            name => {
                let old = out.insert(name.to_owned(), sign * coef.unwrap_or(1.0));
                assert!(old.is_none(), "`{name}` twice in one expression");
                (sign, coef) = (1.0, None);
            }
        }
    }
    out
}

/// Reads the LP subset `to_lp` writes.
fn read_lp(text: &str) -> Read {
    let mut read = Read::default();
    let mut sections: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut section = "";
    for line in text.lines().filter(|l| !l.starts_with('\\')) {
        match line {
            "Minimize" | "Subject To" | "Bounds" | "Binaries" | "End" => section = line,
            _ => sections
                .entry(section)
                .or_default()
                .extend(line.split_whitespace()),
        }
    }
    let objective = &sections["Minimize"];
    assert_eq!(objective[0], "obj:");
    for (name, cost) in terms(&objective[1..]) {
        read.column(&name).2 = cost;
    }
    let mut tokens = sections.get("Subject To").map_or(&[][..], Vec::as_slice);
    while let Some(name) = tokens.first() {
        let name = name.strip_suffix(':').expect("a row starts with its name");
        let at = tokens
            .iter()
            .position(|t| ["<=", ">=", "="].contains(t))
            .expect("a sense");
        let sense = match tokens[at] {
            "<=" => Sense::Le,
            ">=" => Sense::Ge,
            _ => Sense::Eq,
        };
        let row = terms(&tokens[1..at]);
        for col in row.keys() {
            read.column(col);
        }
        let old = read
            .rows
            .insert(name.to_owned(), (sense, number(tokens[at + 1]), row));
        assert!(old.is_none(), "row `{name}` twice");
        tokens = &tokens[at + 2..];
    }
    for bound in sections
        .get("Bounds")
        .map_or(&[][..], Vec::as_slice)
        .chunks(3)
    {
        assert_eq!(bound[1], "<=");
        read.column(bound[0]).1 = Some(number(bound[2]));
    }
    for name in sections.get("Binaries").map_or(&[][..], Vec::as_slice) {
        read.column(name).0 = true;
    }
    assert!(text.ends_with("End\n"));
    read
}

/// Reads the free MPS subset `to_mps` writes.
fn read_mps(text: &str) -> Read {
    let mut read = Read::default();
    let mut section = "";
    let mut integer = false;
    for line in text.lines().filter(|l| !l.starts_with('*')) {
        let t: Vec<&str> = line.split_whitespace().collect();
        if !line.starts_with(' ') {
            section = t[0];
            continue;
        }
        match (section, t.as_slice()) {
            ("ROWS", ["N", "obj"]) => {}
            ("ROWS", [s, name]) => {
                let sense = match *s {
                    "L" => Sense::Le,
                    "G" => Sense::Ge,
                    _ => Sense::Eq,
                };
                read.rows
                    .insert((*name).to_owned(), (sense, 0.0, BTreeMap::new()));
            }
            ("COLUMNS", [_, "'MARKER'", marker]) => integer = *marker == "'INTORG'",
            ("COLUMNS", [col, row, value]) => {
                read.column(col).0 = integer;
                if *row == "obj" {
                    read.column(col).2 = number(value);
                } else {
                    let old = read
                        .rows
                        .get_mut(*row)
                        .expect("a declared row")
                        .2
                        .insert((*col).to_owned(), number(value));
                    assert!(old.is_none(), "`{col}` twice in `{row}`");
                }
            }
            ("RHS", ["RHS", row, value]) => {
                read.rows.get_mut(*row).expect("a declared row").1 = number(value);
            }
            ("BOUNDS", ["BV", "BND", col]) => {
                assert!(read.column(col).0, "`{col}` is BV but not integer");
            }
            ("BOUNDS", ["UP", "BND", col, value]) => read.column(col).1 = Some(number(value)),
            _ => panic!("unexpected line in {section}: `{line}`"),
        }
    }
    assert_eq!(section, "ENDATA");
    read
}

fn tiny() -> Instance {
    parse_instance(include_str!("../../../instances/tiny.json"), "tiny.json")
        .expect("tiny")
        .0
}

fn generated(seed: u64) -> Instance {
    let settings = GenerateSettings {
        staff: 8,
        modules: 4,
        duties: 12,
        seed,
        tight: 1.15,
        non_splittable: DEFAULT_NON_SPLITTABLE,
    };
    validate(&generate(&settings))
        .expect("generated instances are valid")
        .0
}

/// tiny with ids that no format takes as they are: spaces, `#`, Chinese, and two people
/// whose ids sanitise alike.
fn awkward() -> Instance {
    let text = include_str!("../../../instances/tiny.json")
        .replace("\"ann\"", "\"安 妮#1\"")
        .replace("\"bo\"", "\"p-1\"")
        .replace("\"cai\"", "\"p_1\"")
        .replace(
            "\"policy\", \"name\": \"Policy & regulation\", \"unit\"",
            "\"政策 科\", \"name\": \"Policy\", \"unit\"",
        )
        .replace(
            "\"current_posts\": [\"policy\"]",
            "\"current_posts\": [\"政策 科\"]",
        )
        .replace("\"module\": \"policy\"", "\"module\": \"政策 科\"");
    parse_instance(&text, "awkward.json").expect("awkward").0
}

fn instances() -> Vec<(String, Instance)> {
    let mut all = vec![
        ("tiny".to_owned(), tiny()),
        ("awkward".to_owned(), awkward()),
    ];
    all.extend((1..=6).map(|s| (format!("generated-{s}"), generated(s))));
    all
}

#[test]
fn lp_and_mps_export_read_back_as_the_model() {
    for (name, inst) in instances() {
        let f = tier1(&inst);
        let expected = Read::of(&f);
        assert_eq!(read_lp(&to_lp(&f)), expected, "{name}: LP");
        assert_eq!(read_mps(&to_mps(&f)), expected, "{name}: MPS");
    }
}

#[test]
fn export_names_are_portable_unique_and_lines_short() {
    for (name, inst) in instances() {
        let f = tier1(&inst);
        let mut seen = BTreeSet::new();
        for n in f
            .columns
            .iter()
            .map(|c| &c.name)
            .chain(f.rows.iter().map(|r| &r.name))
        {
            assert!(n.len() <= MAX_NAME && !n.is_empty(), "{name}: `{n}`");
            assert!(
                n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{name}: `{n}`"
            );
            assert!(seen.insert(n.clone()), "{name}: `{n}` twice");
        }
        for text in [to_lp(&f), to_mps(&f)] {
            for line in text.lines() {
                assert!(
                    line.len() <= WIDTH,
                    "{name}: {} characters: {line}",
                    line.len()
                );
            }
        }
        // Every row has terms, each column at most once.
        for r in &f.rows {
            let cols: BTreeSet<usize> = r.terms.iter().map(|&(j, _)| j).collect();
            assert!(
                !cols.is_empty() && cols.len() == r.terms.len(),
                "{name}: {}",
                r.name
            );
        }
    }
}

/// tiny's model, counted by hand from the instance: who qualifies for what, which duties are
/// non-splittable, which units have a cap.
#[test]
fn tiny_export_has_the_expected_columns_and_rows() {
    let f = tier1(&tiny());
    let names: BTreeSet<&str> = f.columns.iter().map(|c| c.name.as_str()).collect();
    // Ann: policy, funds (finance 1 does d4); Bo: funds, field, policy (d2 needs no skill);
    // Cai: policy (d2), field; not funds (unavailable).
    for y in [
        "y_ann_policy",
        "y_ann_funds",
        "y_bo_policy",
        "y_bo_funds",
        "y_bo_field",
        "y_cai_policy",
        "y_cai_field",
    ] {
        assert!(names.contains(y), "{y}");
    }
    assert!(!names.contains("y_ann_field") && !names.contains("y_cai_funds"));
    // d3 and d4 are non-splittable: w, not x; d1 needs policy 2 (Ann only).
    for c in [
        "w_bo_d3",
        "w_ann_d4",
        "w_bo_d4",
        "x_ann_d1",
        "x_ann_d2",
        "x_bo_d5",
        "u_d3",
        "n_c_funds",
        "s_policy",
        "s_field",
    ] {
        assert!(names.contains(c), "{c}");
    }
    for c in [
        "x_bo_d3",
        "w_ann_d3",
        "x_bo_d1",
        "s_funds",
        "h_cai_field_team",
    ] {
        assert!(!names.contains(c), "{c}");
    }
    // Only `bureau` has a headcount cap.
    assert!(names.contains("h_ann_bureau") && names.contains("h_cai_bureau"));
    let rows: BTreeMap<&str, &super::Row> = f.rows.iter().map(|r| (r.name.as_str(), r)).collect();
    let cover = rows["cover_d3"];
    assert_eq!(
        (cover.sense, cover.rhs, cover.terms.len()),
        (Sense::Eq, 24.0, 2)
    );
    assert!(rows.contains_key("conflict_bo_funds_field"));
    assert_eq!(rows["unit_bureau"].rhs, 2.0);
    assert_eq!(rows["staff_funds"].rhs, 1.0);
    assert_eq!(rows["maxliaisons_ann"].rhs, 1.0);
    assert_eq!(
        f.columns.iter().filter(|c| c.cost != 0.0).count(),
        5 + 4 + 2
    );
}
