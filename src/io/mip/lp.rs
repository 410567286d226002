//! CPLEX LP format, as HiGHS, Gurobi, CPLEX, SCIP and GLPK read it: `\` comments, `Minimize`,
//! `Subject To`, `Bounds`, `Binaries`, `End`.

use std::fmt::Write as _;

use super::{Formulation, OBJECTIVE, Sense, num};

/// Lines are wrapped before this many characters: some readers stop at 255 (a term is at most
/// a sign, a number and a [`super::MAX_NAME`]-character name, about 130 characters).
pub(crate) const WIDTH: usize = 250;

/// Lines of space-separated tokens, each token whole on one line.
struct Lines<'a> {
    out: &'a mut String,
    len: usize,
}

impl<'a> Lines<'a> {
    /// Starts a line with `head`.
    fn start(out: &'a mut String, head: &str) -> Self {
        out.push_str(head);
        Self {
            out,
            len: head.len(),
        }
    }

    /// Adds ` token`, on a new line (indented by a space) if this one would grow too long.
    fn push(&mut self, token: &str) {
        if self.len + 1 + token.len() > WIDTH {
            self.out.push('\n');
            self.len = 0;
        }
        self.out.push(' ');
        self.out.push_str(token);
        self.len += 1 + token.len();
    }

    fn end(self) {
        self.out.push('\n');
    }
}

/// `a name` as the `first` or a later term of a linear expression: `x`, `- x`, `2.5 x`,
/// `+ 2.5 x`, `- 2.5 x`.
fn term(a: f64, name: &str, first: bool) -> String {
    let sign = match (a < 0.0, first) {
        (true, _) => "- ",
        (false, true) => "",
        (false, false) => "+ ",
    };
    let size = a.abs();
    if size == 1.0 {
        format!("{sign}{name}")
    } else {
        format!("{sign}{} {name}", num(size))
    }
}

/// The model in CPLEX LP format.
#[must_use]
pub fn to_lp(f: &Formulation) -> String {
    let mut out = String::new();
    for c in &f.comments {
        let _ = writeln!(out, "\\ {c}");
    }
    out.push_str("Minimize\n");
    let mut objective: Vec<(usize, f64)> = (f.columns.iter().enumerate())
        .filter(|(_, c)| c.cost != 0.0)
        .map(|(j, c)| (j, c.cost))
        .collect();
    // A model without costs still names a column in its objective: some readers want one.
    if objective.is_empty() && !f.columns.is_empty() {
        objective.push((0, 0.0));
    }
    let mut line = Lines::start(&mut out, &format!(" {OBJECTIVE}:"));
    for (k, &(j, a)) in objective.iter().enumerate() {
        let t = if a == 0.0 {
            format!("0 {}", f.columns[j].name)
        } else {
            term(a, &f.columns[j].name, k == 0)
        };
        line.push(&t);
    }
    line.end();
    out.push_str("Subject To\n");
    for r in &f.rows {
        let mut line = Lines::start(&mut out, &format!(" {}:", r.name));
        for (k, &(j, a)) in r.terms.iter().enumerate() {
            line.push(&term(a, &f.columns[j].name, k == 0));
        }
        let sense = match r.sense {
            Sense::Le => "<=",
            Sense::Ge => ">=",
            Sense::Eq => "=",
        };
        line.push(&format!("{sense} {}", num(r.rhs)));
        line.end();
    }
    let bounded: Vec<String> = (f.columns.iter())
        .filter_map(|c| c.upper.map(|u| format!(" {} <= {}", c.name, num(u))))
        .collect();
    if !bounded.is_empty() {
        out.push_str("Bounds\n");
        for b in bounded {
            out.push_str(&b);
            out.push('\n');
        }
    }
    let mut binaries = f.columns.iter().filter(|c| c.binary).peekable();
    if binaries.peek().is_some() {
        out.push_str("Binaries\n");
        let mut line = Lines::start(&mut out, "");
        for c in binaries {
            line.push(&c.name);
        }
        line.end();
    }
    out.push_str("End\n");
    out
}
