//! Multiple knapsack (MKP) instances in the format of Dell'Amico et al. (2019), as an
//! instance: one person per knapsack, one module, one non-splittable duty per item.
//!
//! The file is whitespace-separated numbers: `m`, `n`, the `m` capacities, then `n` pairs
//! `weight profit`. Item `j` becomes a duty of `hours` `w_j` and `weight` `p_j` / `w_j`, so that
//! leaving it uncovered costs exactly `p_j` and tier 1 is the total profit minus the profit
//! packed. Every person has `max_posts` 1 (one module: the post is free) and no skills.

use std::path::Path;

use super::diagnostic::{Diagnostic, Diagnostics, read_input};
use super::position::Position;
use super::raw::{RawDuty, RawInstance, RawModule, RawRules, RawStaff};
use super::{LoadError, Validated};

/// The module every duty belongs to.
const MODULE: &str = "knapsacks";

/// A number of the file and where it is.
struct Token<'a> {
    text: &'a str,
    line: usize,
    column: usize,
}

fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    for (l, line) in text.lines().enumerate() {
        let mut rest = line;
        let mut offset = 0;
        while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
            let tail = &rest[start..];
            let len = tail.find(char::is_whitespace).unwrap_or(tail.len());
            out.push(Token {
                text: &tail[..len],
                line: l + 1,
                column: line[..offset + start].chars().count() + 1,
            });
            offset += start + len;
            rest = &tail[len..];
        }
    }
    out
}

/// Reads the numbers in order, collecting every problem.
struct Reader<'a> {
    tokens: Vec<Token<'a>>,
    next: usize,
    diagnostics: Diagnostics,
    /// Where the file ends, for "missing number" errors.
    end: Position,
}

impl Reader<'_> {
    fn position(t: &Token<'_>) -> Position {
        Position {
            line: t.line,
            column: t.column,
        }
    }

    /// The next token, or an error at the end of the file.
    fn take(&mut self, path: &str, what: &str) -> Option<(String, Option<Position>)> {
        if let Some(t) = self.tokens.get(self.next) {
            self.next += 1;
            Some((t.text.to_owned(), Some(Self::position(t))))
        } else {
            self.diagnostics.push(
                Diagnostic::error(path, format!("missing {what}: the file ends early"))
                    .at(Some(self.end))
                    .hint("the format is `m`, `n`, m capacities, then n lines `weight profit`"),
            );
            None
        }
    }

    /// How many numbers are left to read.
    fn left(&self) -> usize {
        self.tokens.len() - self.next
    }

    /// A count: an integer >= 1.
    fn count(&mut self, path: &str, what: &str) -> Option<usize> {
        let (text, at) = self.take(path, what)?;
        match text.parse::<usize>() {
            Ok(v) if v >= 1 => Some(v),
            _ => {
                self.diagnostics.push(
                    Diagnostic::error(
                        path,
                        format!("{what} must be a whole number >= 1, found `{text}`"),
                    )
                    .at(at),
                );
                None
            }
        }
    }

    /// A positive finite number.
    fn positive(&mut self, path: &str, what: &str) -> Option<f64> {
        let (text, at) = self.take(path, what)?;
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => Some(v),
            Ok(_) => {
                self.diagnostics.push(
                    Diagnostic::error(path, format!("{what} must be > 0, found `{text}`"))
                        .at(at)
                        .hint("modstaff needs positive capacities, weights and profits"),
                );
                None
            }
            Err(_) => {
                self.diagnostics.push(
                    Diagnostic::error(path, format!("{what} must be a number, found `{text}`"))
                        .at(at),
                );
                None
            }
        }
    }
}

/// Parses an MKP file into an instance named `name` (not yet validated).
///
/// # Errors
/// Every problem found (missing or extra numbers, non-numbers, counts below 1, negative
/// capacities, weights or profits <= 0),
/// each with its line and column; `file` is set on each.
pub fn parse_mkp(text: &str, file: &str, name: &str) -> Result<RawInstance, Diagnostics> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = text.lines().count().max(1);
    let last = text.lines().last().map_or(0, |l| l.chars().count());
    let mut r = Reader {
        tokens: tokens(text),
        next: 0,
        diagnostics: Diagnostics::default(),
        end: Position {
            line: lines,
            column: last + 1,
        },
    };
    let with_file = |mut d: Diagnostics| {
        for x in &mut d.0 {
            file.clone_into(&mut x.file);
        }
        d
    };
    let m = r.count("m", "the number of knapsacks `m`");
    let n = r.count("n", "the number of items `n`");
    let (Some(m), Some(n)) = (m, n) else {
        return Err(with_file(r.diagnostics));
    };
    let staff = r.knapsacks(m);
    let duties = r.items(n);
    r.no_more(m, n);
    if r.diagnostics.has_errors() {
        return Err(with_file(r.diagnostics));
    }
    Ok(instance(name, m, n, staff, duties))
}

/// Digits of `k`, to pad ids to.
fn width(k: usize) -> usize {
    k.to_string().len()
}

impl Reader<'_> {
    /// The `m` capacities, one person per knapsack. A knapsack of capacity 0 holds nothing
    /// (every item weighs more): it becomes nobody, since a person's capacity must be
    /// positive.
    fn knapsacks(&mut self, m: usize) -> Vec<RawStaff> {
        // The header is not trusted for sizes: no more room than the numbers left, and the
        // reading stops at the end of the file (one error, not one per missing number).
        let mut staff: Vec<RawStaff> = Vec::with_capacity(m.min(self.left()));
        for i in 0..m {
            if self.left() == 0 {
                let _ = self.take(
                    &format!("capacities[{i}]"),
                    &format!("the capacity of knapsack {}", i + 1),
                );
                break;
            }
            let path = format!("capacities[{i}]");
            let what = format!("the capacity of knapsack {}", i + 1);
            let Some((text, at)) = self.take(&path, &what) else {
                continue;
            };
            let cap = match text.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => v,
                _ => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            &path,
                            format!("{what} must be a number >= 0, found `{text}`"),
                        )
                        .at(at),
                    );
                    continue;
                }
            };
            if cap == 0.0 {
                continue;
            }
            staff.push(RawStaff {
                id: format!("k{:0w$}", i + 1, w = width(m)),
                name: None,
                unit: None,
                capacity: Some(cap),
                skills: std::collections::BTreeMap::new(),
                max_posts: None,
                max_liaisons: None,
                current_posts: Vec::new(),
                fixed_posts: Vec::new(),
                unavailable: Vec::new(),
            });
        }
        staff
    }

    /// The `n` items, one non-splittable duty each.
    fn items(&mut self, n: usize) -> Vec<RawDuty> {
        let mut duties = Vec::with_capacity(n.min(self.left() / 2 + 1));
        for j in 0..n {
            if self.left() == 0 {
                let _ = self.take(
                    &format!("items[{j}].weight"),
                    &format!("the weight of item {}", j + 1),
                );
                break;
            }
            let w = self.positive(
                &format!("items[{j}].weight"),
                &format!("the weight of item {}", j + 1),
            );
            let p = self.positive(
                &format!("items[{j}].profit"),
                &format!("the profit of item {}", j + 1),
            );
            let (w, p) = (w.unwrap_or(1.0), p.unwrap_or(1.0));
            duties.push(RawDuty {
                id: format!("i{:0w$}", j + 1, w = width(n)),
                module: MODULE.to_owned(),
                name: None,
                hours: w,
                skill: None,
                min_level: None,
                weight: Some(p / w),
                splittable: Some(false),
                tags: Vec::new(),
            });
        }
        duties
    }

    /// Numbers after the last item are an error: the counts are probably wrong.
    fn no_more(&mut self, m: usize, n: usize) {
        if let Some(t) = self.tokens.get(self.next) {
            let extra = self.tokens.len() - self.next;
            self.diagnostics.push(
                Diagnostic::error(
                    "",
                    format!(
                        "{extra} number(s) after the last item, starting with `{}`",
                        t.text
                    ),
                )
                .at(Some(Self::position(t)))
                .hint(format!(
                    "the file declares m = {m} knapsacks and n = {n} items: check those counts"
                )),
            );
        }
    }
}

/// The instance of `m` knapsacks and `n` items: one module, one post per person.
fn instance(
    name: &str,
    m: usize,
    n: usize,
    staff: Vec<RawStaff>,
    duties: Vec<RawDuty>,
) -> RawInstance {
    RawInstance {
        name: name.to_owned(),
        description: Some(format!(
            "multiple knapsack problem: {m} knapsacks, {n} items; tier 1 = total profit - \
             profit packed"
        )),
        skills: None,
        units: Vec::new(),
        counterparts: Vec::new(),
        staff,
        modules: vec![RawModule {
            id: MODULE.to_owned(),
            name: None,
            unit: None,
            min_staff: None,
            max_staff: None,
            counterparts: Vec::new(),
        }],
        duties,
        rules: Some(RawRules {
            max_posts: Some(1),
            ..RawRules::default()
        }),
    }
}

/// Reads an MKP file and validates the instance it describes; the instance is named after
/// the file (its name without extension).
///
/// # Errors
/// When the file cannot be read, or any problem of [`parse_mkp`] or of validation.
pub fn load_mkp(path: &Path) -> Result<(RawInstance, Validated), LoadError> {
    let file = path.display().to_string();
    let bytes = read_input(path)?;
    let text = String::from_utf8_lossy(&bytes);
    let name = path
        .file_stem()
        .map_or_else(|| "mkp".to_owned(), |s| s.to_string_lossy().into_owned());
    let raw = parse_mkp(&text, &file, &name).map_err(|diagnostics| LoadError::Invalid {
        file: file.clone(),
        diagnostics,
    })?;
    let validated = super::validate(&raw).map_err(|mut diagnostics| {
        for d in &mut diagnostics.0 {
            d.file.clone_from(&file);
        }
        LoadError::Invalid {
            file: file.clone(),
            diagnostics,
        }
    })?;
    Ok((raw, validated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_items_to_duties() {
        let raw = parse_mkp("2\n3\n10\n5\n4 8\n6 3\n11 22\n", "t.txt", "t").unwrap();
        assert_eq!(raw.staff.len(), 2);
        assert_eq!(raw.staff[1].capacity, Some(5.0));
        assert_eq!(raw.duties.len(), 3);
        assert_eq!(raw.duties[0].hours, 4.0);
        assert_eq!(raw.duties[0].weight, Some(2.0));
        assert_eq!(raw.duties[2].splittable, Some(false));
        assert!(crate::io::validate(&raw).is_ok());
        // An empty knapsack becomes nobody.
        let raw = parse_mkp("2 1 0 5 4 8", "t.txt", "t").unwrap();
        assert_eq!(raw.staff.len(), 1);
        assert_eq!(raw.staff[0].id, "k2");
    }

    #[test]
    fn errors_name_the_place() {
        let e = parse_mkp("2\n3\n10\n-5\n4 8\n6 x\n", "t.txt", "t").unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("t.txt: capacities[1]: the capacity of knapsack 2 must be a number >= 0")
        );
        assert!(text.contains("items[1].profit: the profit of item 2 must be a number"));
        assert!(text.contains("line 6, column 3"));
        assert!(text.contains("items[2].weight: missing the weight of item 3"));
        // A header far beyond the data: an error or two, and nothing allocated for it.
        let e = parse_mkp("1000000000\n1\n10\n3 4\n", "t.txt", "t").unwrap_err();
        assert!(e.0.len() <= 2, "{e}");
        assert!(
            e.to_string().contains("missing the capacity of knapsack 4"),
            "{e}"
        );
        let e = parse_mkp("1\n100000000\n10\n3 4\n", "t.txt", "t").unwrap_err();
        assert_eq!(e.0.len(), 1, "{e}");
        assert!(
            e.to_string().contains("missing the weight of item 2"),
            "{e}"
        );
        let e = parse_mkp("1 1 5 2 2 9", "t.txt", "t").unwrap_err();
        assert!(e.to_string().contains("1 number(s) after the last item"));
    }
}
