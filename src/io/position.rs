//! Where each JSON path starts in the source text, so messages can name a line and column.
//!
//! `serde_json` reports positions only for syntax errors; semantic errors (a negative capacity,
//! a dangling id) are found later on parsed values. This scanner walks text that `serde_json`
//! has already accepted and records the position of every object key and array element.

use std::collections::HashMap;

/// 1-based line and column of a JSON path in its source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// Positions of every key and element, by path (`staff[3].capacity`).
#[derive(Debug, Default)]
pub struct PositionIndex {
    positions: HashMap<String, Position>,
    duplicates: Vec<(String, Position)>,
}

/// Appends an object key to a path the way messages show it.
#[must_use]
pub fn join_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    match (path.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{path}.{key}"),
        _ => format!("{path}[{}]", serde_json::Value::String(key.to_owned())),
    }
}

/// Appends an array index to a path.
#[must_use]
pub fn join_index(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

impl PositionIndex {
    /// Indexes `text`, which should be valid JSON; on anything unexpected the index is just
    /// left incomplete (positions are a courtesy, never a reason to fail).
    #[must_use]
    pub fn new(text: &str) -> Self {
        let mut scanner = Scanner {
            chars: text.char_indices().peekable(),
            line: 1,
            column: 1,
            index: Self::default(),
        };
        scanner.skip_ws();
        let _ = scanner.value("", 0);
        scanner.index
    }

    /// Keys given twice in one object, at their second place: `serde_json` keeps the last
    /// value silently, so `"hours": -5, "hours": 20` would pass as 20.
    #[must_use]
    pub fn duplicates(&self) -> &[(String, Position)] {
        &self.duplicates
    }

    /// The position of `path`, or of its longest indexed prefix.
    #[must_use]
    pub fn find(&self, path: &str) -> Option<Position> {
        let mut p = path;
        loop {
            if let Some(pos) = self.positions.get(p) {
                return Some(*pos);
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }
}

struct Scanner<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    line: usize,
    column: usize,
    index: PositionIndex,
}

impl Scanner<'_> {
    fn bump(&mut self) -> Option<char> {
        let (_, c) = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().map(|&(_, c)| c)
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn here(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    fn string(&mut self) -> Option<String> {
        // Raw text between the quotes, unescaped through serde_json so keys match exactly.
        let mut raw = String::from("\"");
        self.bump()?;
        loop {
            let c = self.bump()?;
            raw.push(c);
            match c {
                '\\' => raw.push(self.bump()?),
                '"' => break,
                _ => {}
            }
        }
        serde_json::from_str(&raw).ok()
    }

    fn value(&mut self, path: &str, depth: usize) -> Option<()> {
        if depth > 256 {
            return None;
        }
        match self.peek()? {
            '{' => {
                self.bump();
                self.skip_ws();
                if self.peek()? == '}' {
                    self.bump();
                    return Some(());
                }
                loop {
                    self.skip_ws();
                    let at = self.here();
                    let key = self.string()?;
                    let child = join_key(path, &key);
                    if self.index.positions.contains_key(&child) {
                        self.index.duplicates.push((child.clone(), at));
                    } else {
                        self.index.positions.insert(child.clone(), at);
                    }
                    self.skip_ws();
                    if self.bump()? != ':' {
                        return None;
                    }
                    self.skip_ws();
                    self.value(&child, depth + 1)?;
                    self.skip_ws();
                    match self.bump()? {
                        ',' => {}
                        '}' => return Some(()),
                        _ => return None,
                    }
                }
            }
            '[' => {
                self.bump();
                self.skip_ws();
                if self.peek()? == ']' {
                    self.bump();
                    return Some(());
                }
                let mut i = 0;
                loop {
                    self.skip_ws();
                    let child = join_index(path, i);
                    self.index.positions.insert(child.clone(), self.here());
                    self.value(&child, depth + 1)?;
                    self.skip_ws();
                    match self.bump()? {
                        ',' => i += 1,
                        ']' => return Some(()),
                        _ => return None,
                    }
                }
            }
            '"' => self.string().map(|_| ()),
            _ => {
                while self
                    .peek()
                    .is_some_and(|c| !matches!(c, ',' | '}' | ']') && !c.is_whitespace())
                {
                    self.bump();
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_and_elements() {
        let text = "{\n  \"staff\": [\n    {\"id\": \"p1\", \"capacity\": -5}\n  ]\n}";
        let index = PositionIndex::new(text);
        assert_eq!(index.find("staff"), Some(Position { line: 2, column: 3 }));
        assert_eq!(
            index.find("staff[0]"),
            Some(Position { line: 3, column: 5 })
        );
        assert_eq!(
            index.find("staff[0].capacity"),
            Some(Position {
                line: 3,
                column: 18
            })
        );
        // Unknown deeper paths fall back to the nearest indexed prefix.
        assert_eq!(
            index.find("staff[0].capacity.x"),
            index.find("staff[0].capacity")
        );
    }

    #[test]
    fn finds_keys_given_twice() {
        let text = "{\"staff\": [{\"id\": \"p1\", \"hours\": -5,\n \"hours\": 20}], \"a\": {\"hours\": 1}}";
        let index = PositionIndex::new(text);
        assert_eq!(
            index.duplicates(),
            &[("staff[0].hours".to_owned(), Position { line: 2, column: 2 })]
        );
    }

    #[test]
    fn odd_keys_are_quoted() {
        assert_eq!(join_key("a", "b c"), "a[\"b c\"]");
        assert_eq!(join_key("", "name"), "name");
        assert_eq!(join_key("skills", "policy"), "skills.policy");
    }
}
