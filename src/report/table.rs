//! A plain table rendered as aligned text, Markdown or CSV.

use std::fmt::Write as _;
use unicode_width::UnicodeWidthStr;

/// Column alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text columns.
    Left,
    /// Number columns.
    Right,
}

/// Rows of cells under headers.
#[derive(Clone, Debug, Default)]
pub struct Table {
    headers: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these columns.
    #[must_use]
    pub fn new(columns: &[(&str, Align)]) -> Self {
        Self {
            headers: columns.iter().map(|(h, _)| (*h).to_owned()).collect(),
            align: columns.iter().map(|&(_, a)| a).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells are empty).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Whether the table has no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn cell(&self, r: usize, c: usize) -> &str {
        self.rows[r].get(c).map_or("", String::as_str)
    }

    /// Aligned text for a terminal; widths count East Asian characters as two columns.
    #[must_use]
    pub fn to_text(&self) -> String {
        let n = self.headers.len();
        let mut width: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for r in 0..self.rows.len() {
            for (c, w) in width.iter_mut().enumerate() {
                *w = (*w).max(self.cell(r, c).width());
            }
        }
        let mut out = String::new();
        let line = |cells: Vec<&str>, out: &mut String| {
            let mut s = String::new();
            for (c, cell) in cells.iter().enumerate() {
                let pad = width[c].saturating_sub(cell.width());
                if c > 0 {
                    s.push_str("  ");
                }
                match self.align[c] {
                    Align::Left => {
                        s.push_str(cell);
                        if c + 1 < n {
                            s.push_str(&" ".repeat(pad));
                        }
                    }
                    Align::Right => {
                        s.push_str(&" ".repeat(pad));
                        s.push_str(cell);
                    }
                }
            }
            out.push_str(s.trim_end());
            out.push('\n');
        };
        line(self.headers.iter().map(String::as_str).collect(), &mut out);
        line(
            width
                .iter()
                .map(|&w| "-".repeat(w))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
                .collect(),
            &mut out,
        );
        for r in 0..self.rows.len() {
            line((0..n).map(|c| self.cell(r, c)).collect(), &mut out);
        }
        out
    }

    /// A GitHub-flavoured Markdown table.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        let mut out = format!(
            "| {} |\n|{}|\n",
            self.headers
                .iter()
                .map(|h| esc(h))
                .collect::<Vec<_>>()
                .join(" | "),
            self.align
                .iter()
                .map(|a| match a {
                    Align::Left => " --- ",
                    Align::Right => " ---: ",
                })
                .collect::<Vec<_>>()
                .join("|")
        );
        for r in 0..self.rows.len() {
            let cells: Vec<String> = (0..self.headers.len())
                .map(|c| esc(self.cell(r, c)))
                .collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        out
    }

    /// RFC 4180 CSV with a header row.
    #[must_use]
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let mut push_row = |cells: Vec<&str>| {
            let cells: Vec<String> = cells.into_iter().map(csv_escape).collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        };
        push_row(self.headers.iter().map(String::as_str).collect());
        for r in 0..self.rows.len() {
            push_row((0..self.headers.len()).map(|c| self.cell(r, c)).collect());
        }
        out
    }
}

/// Quotes a CSV field when it needs it.
#[must_use]
pub fn csv_escape(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_wide_characters() {
        let mut t = Table::new(&[("name", Align::Left), ("h", Align::Right)]);
        t.row(vec!["张三".into(), "4".into()]);
        t.row(vec!["abcde".into(), "12".into()]);
        let text = t.to_text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2], "张三    4");
        assert_eq!(lines[3], "abcde  12");
    }

    #[test]
    fn csv_quotes_when_needed() {
        assert_eq!(csv_escape("a,b"), "\"a,b\"");
        assert_eq!(csv_escape("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_escape("plain"), "plain");
    }
}
