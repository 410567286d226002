//! TOML scenario files into [`Scenario`]s, with every key's and value's source span, so that
//! problems found later (when applying) can name a line and column too.
//!
//! The file is walked by hand over toml's spanned document tree (rather than derived with
//! serde) so that every problem is reported, not only the first, each with its exact path.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use super::{
    DutyFilter, Lines, ModuleChange, NewStaff, OPERATION_KEYS, Operation, RulesChange, Scenario,
    StaffFilter, label,
};
use crate::io::Diagnostic;
use crate::io::diagnostic::did_you_mean;
use crate::io::position::{join_index, join_key};

type Value<'i> = Spanned<DeValue<'i>>;

/// One scenario as read, with what is needed to place later problems in the file.
pub(crate) struct ParsedScenario {
    pub scenario: Scenario,
    /// `scenario[2] ("name")`.
    pub label: String,
    /// Where each operation is written, relative to the scenario (`remove_staff[1]`).
    pub op_paths: Vec<String>,
    /// Span of every value read, by path relative to the scenario.
    pub spans: HashMap<String, Range<usize>>,
    /// Span of the scenario's table (its `[[scenario]]` header).
    pub span: Range<usize>,
    /// How many of its operations come before the first one that could not be read: those
    /// can be checked by applying them.
    pub checkable: usize,
    /// Whether every operation was read.
    pub complete: bool,
}

/// The file as read.
pub(crate) struct Parsed {
    pub scenarios: Vec<ParsedScenario>,
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the text is TOML at all.
    pub syntax_ok: bool,
}

const FORMAT_HINT: &str = "a scenario file is a list of `[[scenario]]` tables, each with a `name` and operations, e.g. `remove_staff = { ids = [\"p01\"] }`";

/// Reads scenario-file text.
pub(crate) fn parse(text: &str, lines: &Lines<'_>) -> Parsed {
    let (doc, errors) = DeTable::parse_recoverable(text);
    let mut parser = Parser {
        lines,
        diagnostics: Vec::new(),
        label: String::new(),
        spans: HashMap::new(),
        ok: true,
    };
    if !errors.is_empty() {
        let mut seen = std::collections::HashSet::new();
        for e in errors {
            let start = e.span().map_or(0, |s| s.start);
            if seen.insert((start, e.message().to_owned())) {
                let hint = (e.message() == "duplicate key").then(|| {
                    "a key appears once per table; to repeat an operation, give a list of \
                     tables: `add_staff = [{ id = \"a\" }, { id = \"b\" }]`"
                        .to_owned()
                });
                parser.diagnostics.push(
                    Diagnostic::error("", format!("not valid TOML: {}", e.message()))
                        .maybe_hint(hint)
                        .at(Some(lines.position(start))),
                );
            }
        }
        return Parsed {
            scenarios: Vec::new(),
            diagnostics: parser.diagnostics,
            syntax_ok: false,
        };
    }
    let scenarios = parser.document(doc.get_ref());
    Parsed {
        scenarios,
        diagnostics: parser.diagnostics,
        syntax_ok: true,
    }
}

struct Parser<'l, 't> {
    lines: &'l Lines<'t>,
    diagnostics: Vec<Diagnostic>,
    /// The current scenario's label; paths are relative to it.
    label: String,
    /// Spans of the current scenario.
    spans: HashMap<String, Range<usize>>,
    /// Whether the current scenario has no problem so far.
    ok: bool,
}

/// `` `a`, `b`, `c` ``.
fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `a string`, `an integer`, ...
fn a_type(v: &DeValue<'_>) -> String {
    let t = v.type_str();
    let article = if t.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {t}")
}

/// Looks up `key` in a TOML table.
fn field<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a Value<'i>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref() == key)
        .map(|(_, v)| v)
}

impl Parser<'_, '_> {
    /// An error at `rel` (relative to the current scenario), placed at `span`.
    fn error(&mut self, rel: &str, span: &Range<usize>, message: String, hint: Option<String>) {
        let path = match (self.label.is_empty(), rel.is_empty()) {
            (true, _) => rel.to_owned(),
            (false, true) => self.label.clone(),
            (false, false) => format!("{}.{rel}", self.label),
        };
        self.diagnostics.push(
            Diagnostic::error(path, message)
                .maybe_hint(hint)
                .at(Some(self.lines.position(span.start))),
        );
        self.ok = false;
    }

    fn wrong_type(&mut self, rel: &str, v: &Value<'_>, expected: &str) {
        self.error(
            rel,
            &v.span(),
            format!("expected {expected}, found {}", a_type(v.get_ref())),
            None,
        );
    }

    fn missing(&mut self, rel: &str, span: &Range<usize>, key: &str, hint: &str) {
        self.error(
            rel,
            span,
            format!("missing field `{key}`"),
            Some(hint.to_owned()),
        );
    }

    /// Reports every key of `table` not in `allowed`.
    fn check_keys(&mut self, rel: &str, table: &DeTable<'_>, allowed: &[&str], what: &str) {
        for (k, _) in table {
            if !allowed.contains(&k.get_ref().as_ref()) {
                self.unknown_key(rel, k, allowed, what);
            }
        }
    }

    fn unknown_key(&mut self, rel: &str, k: &Spanned<DeString<'_>>, allowed: &[&str], what: &str) {
        let key = k.get_ref().as_ref();
        let hint = match did_you_mean(key, allowed.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("expected one of {}", quoted(allowed)),
        };
        self.error(
            &join_key(rel, key),
            &k.span(),
            format!("unknown field `{key}` in {what}"),
            Some(hint),
        );
    }

    fn record(&mut self, rel: &str, v: &Value<'_>) {
        self.spans.insert(rel.to_owned(), v.span());
    }

    fn table<'a, 'i>(&mut self, rel: &str, v: &'a Value<'i>) -> Option<&'a DeTable<'i>> {
        self.record(rel, v);
        if let DeValue::Table(t) = v.get_ref() {
            Some(t)
        } else {
            self.wrong_type(rel, v, "a table");
            None
        }
    }

    fn string(&mut self, rel: &str, v: &Value<'_>) -> Option<String> {
        self.record(rel, v);
        if let DeValue::String(s) = v.get_ref() {
            Some(s.to_string())
        } else {
            self.wrong_type(rel, v, "a string");
            None
        }
    }

    /// A non-empty string, e.g. an id.
    fn id(&mut self, rel: &str, v: &Value<'_>, what: &str) -> Option<String> {
        let s = self.string(rel, v)?;
        if s.trim().is_empty() {
            self.error(
                rel,
                &v.span(),
                format!("{what} is empty"),
                Some("ids are non-empty strings".into()),
            );
            return None;
        }
        Some(s)
    }

    /// A non-empty list of distinct strings.
    fn string_list(&mut self, rel: &str, v: &Value<'_>, what: &str) -> Option<Vec<String>> {
        self.record(rel, v);
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(rel, v, &format!("a list of {what}"));
            return None;
        };
        if items.is_empty() {
            self.error(
                rel,
                &v.span(),
                format!("the list of {what} is empty"),
                Some("name at least one, or leave the field out".into()),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (j, item) in items.iter().enumerate() {
            match self.id(&join_index(rel, j), item, "id") {
                Some(s) => out.push(s),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn number(&mut self, rel: &str, v: &Value<'_>) -> Option<f64> {
        self.record(rel, v);
        let parsed = match v.get_ref() {
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|i| i as f64),
            _ => {
                self.wrong_type(rel, v, "a number");
                return None;
            }
        };
        if parsed.is_none() {
            self.error(rel, &v.span(), "number out of range".into(), None);
        }
        parsed
    }

    fn integer(&mut self, rel: &str, v: &Value<'_>) -> Option<i64> {
        self.record(rel, v);
        if let DeValue::Integer(i) = v.get_ref() {
            let parsed = i64::from_str_radix(i.as_str(), i.radix()).ok();
            if parsed.is_none() {
                self.error(rel, &v.span(), "integer out of range".into(), None);
            }
            parsed
        } else {
            self.wrong_type(rel, v, "an integer");
            None
        }
    }

    /// An integer of `least` or more that fits `T`.
    fn count<T: TryFrom<i64>>(
        &mut self,
        rel: &str,
        v: &Value<'_>,
        what: &str,
        least: i64,
    ) -> Option<T> {
        let i = self.integer(rel, v)?;
        if i < least {
            self.error(
                rel,
                &v.span(),
                format!("{what} must be {least} or more, found {i}"),
                None,
            );
            return None;
        }
        let out = T::try_from(i).ok();
        if out.is_none() {
            self.error(rel, &v.span(), format!("{what} {i} is too large"), None);
        }
        out
    }

    // --- the document --------------------------------------------------------------------

    fn document(&mut self, doc: &DeTable<'_>) -> Vec<ParsedScenario> {
        self.check_keys("", doc, &["scenario"], "a scenario file");
        let Some(list) = field(doc, "scenario") else {
            self.error(
                "",
                &(0..0),
                "the file defines no scenario".into(),
                Some(FORMAT_HINT.into()),
            );
            return Vec::new();
        };
        let tables: Vec<&Value<'_>> = if let DeValue::Array(items) = list.get_ref() {
            items.iter().collect()
        } else {
            self.error(
                "scenario",
                &list.span(),
                format!(
                    "expected a list of `[[scenario]]` tables, found {}",
                    a_type(list.get_ref())
                ),
                Some("write each scenario under a `[[scenario]]` header (two brackets)".into()),
            );
            return Vec::new();
        };
        if tables.is_empty() {
            self.error(
                "scenario",
                &list.span(),
                "the file defines no scenario".into(),
                Some(FORMAT_HINT.into()),
            );
        }
        let mut names: HashMap<String, usize> = HashMap::new();
        let mut out = Vec::new();
        for (i, v) in tables.into_iter().enumerate() {
            if let Some(sc) = self.scenario(i, v, &mut names) {
                out.push(sc);
            }
        }
        out
    }

    fn scenario(
        &mut self,
        index: usize,
        v: &Value<'_>,
        names: &mut HashMap<String, usize>,
    ) -> Option<ParsedScenario> {
        self.label = label(Some(index), None);
        self.spans = HashMap::new();
        self.ok = true;
        let span = v.span();
        let DeValue::Table(table) = v.get_ref() else {
            self.wrong_type("", v, "a table");
            return None;
        };
        // The name first, so that every other message can show it.
        let name = match field(table, "name") {
            None => {
                self.missing(
                    "",
                    &span,
                    "name",
                    "give each scenario a short, unique name, e.g. `name = \"approval staff -20%\"`",
                );
                None
            }
            Some(nv) => match self.string("name", nv) {
                Some(n) if n.trim().is_empty() => {
                    self.error(
                        "name",
                        &nv.span(),
                        "scenario name is empty".into(),
                        Some(
                            "name each scenario: the name labels its row in the comparison".into(),
                        ),
                    );
                    None
                }
                Some(n) => Some((n, nv.span())),
                None => None,
            },
        };
        self.label = label(Some(index), name.as_ref().map(|(n, _)| n.as_str()));
        let name = name.map(|(n, name_span)| {
            if let Some(&first) = names.get(&n) {
                self.error(
                    "name",
                    &name_span,
                    format!("duplicate scenario name, first used by scenario[{first}]"),
                    Some(
                        "scenario names must be unique: they label the rows of the comparison"
                            .into(),
                    ),
                );
            } else {
                names.insert(n.clone(), index);
            }
            n
        });
        let mut ops = Vec::new();
        let mut op_paths = Vec::new();
        let mut first_bad: Option<usize> = None;
        for (k, value) in table {
            let key = k.get_ref().as_ref();
            if key == "name" {
                continue;
            }
            let problems = self.diagnostics.len();
            let done = ops.len();
            self.operation_or_unknown(k, key, value, &mut ops, &mut op_paths);
            if self.diagnostics.len() > problems && first_bad.is_none() {
                first_bad = Some(done);
            }
        }
        if ops.is_empty() && self.ok {
            self.error(
                "",
                &span,
                "the scenario has no operation".into(),
                Some(format!("add one of {}", quoted(&OPERATION_KEYS))),
            );
        }
        Some(ParsedScenario {
            checkable: first_bad.unwrap_or(ops.len()),
            complete: first_bad.is_none(),
            scenario: Scenario {
                name: name.unwrap_or_default(),
                operations: ops,
            },
            label: self.label.clone(),
            op_paths,
            spans: std::mem::take(&mut self.spans),
            span,
        })
    }

    /// One key of a scenario table other than `name`.
    fn operation_or_unknown(
        &mut self,
        k: &Spanned<DeString<'_>>,
        key: &str,
        value: &Value<'_>,
        ops: &mut Vec<Operation>,
        op_paths: &mut Vec<String>,
    ) {
        if !OPERATION_KEYS.contains(&key) {
            let hint = match did_you_mean(key, OPERATION_KEYS.iter().copied().chain(["name"])) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("operations: {}", quoted(&OPERATION_KEYS)),
            };
            self.error(
                &join_key("", key),
                &k.span(),
                format!("unknown operation `{key}`"),
                Some(hint),
            );
            return;
        }
        self.operation(key, value, ops, op_paths);
    }

    /// One operation key: a table (or list of tables) or list value, into operations.
    fn operation(
        &mut self,
        key: &str,
        v: &Value<'_>,
        ops: &mut Vec<Operation>,
        paths: &mut Vec<String>,
    ) {
        self.record(key, v);
        match key {
            "remove_modules" => {
                if let Some(ids) = self.string_list(key, v, "module ids") {
                    ops.push(Operation::RemoveModules(ids));
                    paths.push(key.to_owned());
                }
            }
            "conflicts" => {
                if let Some(pairs) = self.conflicts(key, v) {
                    ops.push(Operation::AddConflicts(pairs));
                    paths.push(key.to_owned());
                }
            }
            "rules" => {
                if let Some(t) = self.table(key, v) {
                    if let Some(op) = self.rules(key, t) {
                        ops.push(op);
                        paths.push(key.to_owned());
                    }
                }
            }
            _ => {
                // A table, or a list of tables: one operation each.
                let tables: Vec<(String, &Value<'_>)> = match v.get_ref() {
                    DeValue::Table(_) => vec![(key.to_owned(), v)],
                    DeValue::Array(items) => {
                        if items.is_empty() {
                            self.error(
                                key,
                                &v.span(),
                                format!("the list of `{key}` tables is empty"),
                                Some("give at least one table, or leave the key out".into()),
                            );
                        }
                        items
                            .iter()
                            .enumerate()
                            .map(|(j, item)| (join_index(key, j), item))
                            .collect()
                    }
                    _ => {
                        self.wrong_type(key, v, "a table or a list of tables");
                        return;
                    }
                };
                for (rel, item) in tables {
                    let Some(t) = self.table(&rel, item) else {
                        continue;
                    };
                    let span = item.span();
                    let op = match key {
                        "remove_staff" => self.remove_staff(&rel, t),
                        "add_staff" => self.add_staff(&rel, t, &span),
                        "scale_capacity" => self.scale_capacity(&rel, t, &span),
                        "drop_duties" => self.drop_duties(&rel, t),
                        "scale_hours" => self.scale_hours(&rel, t, &span),
                        "set_module" => self.set_module(&rel, t, &span),
                        "pin" => self.pin(&rel, t, &span),
                        "unpin" => self.unpin(&rel, t, &span),
                        _ => unreachable!("every operation key is handled"),
                    };
                    if let Some(op) = op {
                        ops.push(op);
                        paths.push(rel);
                    }
                }
            }
        }
    }

    /// `ids`, `unit`, `skill` of a table (already key-checked).
    fn staff_filter(&mut self, rel: &str, t: &DeTable<'_>) -> Option<StaffFilter> {
        let mut who = StaffFilter::default();
        let mut ok = true;
        if let Some(v) = field(t, "ids") {
            match self.string_list(&join_key(rel, "ids"), v, "staff ids") {
                Some(ids) => who.ids = ids,
                None => ok = false,
            }
        }
        for (key, slot) in [("unit", &mut who.unit), ("skill", &mut who.skill)] {
            if let Some(v) = field(t, key) {
                match self.id(&join_key(rel, key), v, key) {
                    Some(s) => *slot = Some(s),
                    None => ok = false,
                }
            }
        }
        ok.then_some(who)
    }

    /// `ids`, `modules`, `tags` of a table (already key-checked).
    fn duty_filter(&mut self, rel: &str, t: &DeTable<'_>) -> Option<DutyFilter> {
        let mut which = DutyFilter::default();
        let mut ok = true;
        for (key, what, slot) in [
            ("ids", "duty ids", &mut which.ids),
            ("modules", "module ids", &mut which.modules),
            ("tags", "tags", &mut which.tags),
        ] {
            if let Some(v) = field(t, key) {
                match self.string_list(&join_key(rel, key), v, what) {
                    Some(list) => *slot = list,
                    None => ok = false,
                }
            }
        }
        ok.then_some(which)
    }

    fn factor(&mut self, rel: &str, t: &DeTable<'_>, span: &Range<usize>) -> Option<f64> {
        if let Some(v) = field(t, "factor") {
            self.number(&join_key(rel, "factor"), v)
        } else {
            self.missing(
                rel,
                span,
                "factor",
                "a factor multiplies, e.g. `factor = 1.15` for +15%",
            );
            None
        }
    }

    fn remove_staff(&mut self, rel: &str, t: &DeTable<'_>) -> Option<Operation> {
        const KEYS: [&str; 5] = ["ids", "unit", "skill", "fraction", "seed"];
        self.check_keys(rel, t, &KEYS, "`remove_staff`");
        let who = self.staff_filter(rel, t);
        let fraction = field(t, "fraction").map(|v| self.number(&join_key(rel, "fraction"), v));
        let seed =
            field(t, "seed").map(|v| self.count::<u64>(&join_key(rel, "seed"), v, "seed", 0));
        Some(Operation::RemoveStaff {
            who: who?,
            fraction: fraction.map_or(Some(None), |f| f.map(Some))?,
            seed: seed.unwrap_or(Some(0))?,
        })
    }

    fn add_staff(&mut self, rel: &str, t: &DeTable<'_>, span: &Range<usize>) -> Option<Operation> {
        const KEYS: [&str; 8] = [
            "id",
            "count",
            "name",
            "unit",
            "capacity",
            "skills",
            "max_posts",
            "max_liaisons",
        ];
        self.check_keys(rel, t, &KEYS, "`add_staff`");
        let mut ok = true;
        let id = if let Some(v) = field(t, "id") {
            self.id(&join_key(rel, "id"), v, "person id")
        } else {
            self.missing(
                rel,
                span,
                "id",
                "give the hire a new id, e.g. `id = \"new-policy\"`",
            );
            None
        };
        let mut new = NewStaff::new(id.clone().unwrap_or_default());
        ok &= id.is_some();
        if let Some(v) = field(t, "count") {
            match self.count::<u32>(&join_key(rel, "count"), v, "count", 1) {
                Some(c) => new.count = c,
                None => ok = false,
            }
        }
        if let Some(v) = field(t, "name") {
            match self.string(&join_key(rel, "name"), v) {
                Some(n) => new.name = Some(n),
                None => ok = false,
            }
        }
        if let Some(v) = field(t, "unit") {
            match self.id(&join_key(rel, "unit"), v, "unit") {
                Some(u) => new.unit = Some(u),
                None => ok = false,
            }
        }
        if let Some(v) = field(t, "capacity") {
            match self.number(&join_key(rel, "capacity"), v) {
                Some(c) => new.capacity = c,
                None => ok = false,
            }
        }
        for (key, slot) in [
            ("max_posts", &mut new.max_posts),
            ("max_liaisons", &mut new.max_liaisons),
        ] {
            if let Some(v) = field(t, key) {
                match self.count::<u32>(&join_key(rel, key), v, key, 0) {
                    Some(c) => *slot = Some(c),
                    None => ok = false,
                }
            }
        }
        if let Some(v) = field(t, "skills") {
            let path = join_key(rel, "skills");
            match self.table(&path, v) {
                Some(skills) => {
                    let mut levels = BTreeMap::new();
                    for (k, lv) in skills {
                        let skill = k.get_ref().to_string();
                        let p = join_key(&path, &skill);
                        match self.integer(&p, lv) {
                            Some(l) => {
                                if let Ok(l) = u8::try_from(l) {
                                    levels.insert(skill, l);
                                } else {
                                    self.error(
                                        &p,
                                        &lv.span(),
                                        format!(
                                            "level of `{skill}` must be between 1 and 5, found {l}"
                                        ),
                                        Some("levels run from 1 (basic) to 5 (expert)".into()),
                                    );
                                    ok = false;
                                }
                            }
                            None => ok = false,
                        }
                    }
                    new.skills = levels;
                }
                None => ok = false,
            }
        }
        ok.then_some(Operation::AddStaff(new))
    }

    fn scale_capacity(
        &mut self,
        rel: &str,
        t: &DeTable<'_>,
        span: &Range<usize>,
    ) -> Option<Operation> {
        const KEYS: [&str; 4] = ["factor", "ids", "unit", "skill"];
        self.check_keys(rel, t, &KEYS, "`scale_capacity`");
        let factor = self.factor(rel, t, span);
        let who = self.staff_filter(rel, t);
        Some(Operation::ScaleCapacity {
            factor: factor?,
            who: who?,
        })
    }

    fn drop_duties(&mut self, rel: &str, t: &DeTable<'_>) -> Option<Operation> {
        const KEYS: [&str; 4] = ["ids", "modules", "tags", "limit"];
        self.check_keys(rel, t, &KEYS, "`drop_duties`");
        let which = self.duty_filter(rel, t);
        let limit =
            field(t, "limit").map(|v| self.count::<usize>(&join_key(rel, "limit"), v, "limit", 1));
        Some(Operation::DropDuties {
            which: which?,
            limit: limit.map_or(Some(None), |l| l.map(Some))?,
        })
    }

    fn scale_hours(
        &mut self,
        rel: &str,
        t: &DeTable<'_>,
        span: &Range<usize>,
    ) -> Option<Operation> {
        const KEYS: [&str; 4] = ["factor", "ids", "modules", "tags"];
        self.check_keys(rel, t, &KEYS, "`scale_hours`");
        let factor = self.factor(rel, t, span);
        let which = self.duty_filter(rel, t);
        Some(Operation::ScaleHours {
            factor: factor?,
            which: which?,
        })
    }

    fn set_module(&mut self, rel: &str, t: &DeTable<'_>, span: &Range<usize>) -> Option<Operation> {
        const KEYS: [&str; 3] = ["id", "min_staff", "max_staff"];
        self.check_keys(rel, t, &KEYS, "`set_module`");
        let id = if let Some(v) = field(t, "id") {
            self.id(&join_key(rel, "id"), v, "module id")
        } else {
            self.missing(rel, span, "id", "name the module, e.g. `id = \"m01\"`");
            None
        };
        let mut change = ModuleChange {
            id: id.clone().unwrap_or_default(),
            ..ModuleChange::default()
        };
        let mut ok = id.is_some();
        for (key, slot) in [
            ("min_staff", &mut change.min_staff),
            ("max_staff", &mut change.max_staff),
        ] {
            if let Some(v) = field(t, key) {
                match self.count::<u32>(&join_key(rel, key), v, key, 0) {
                    Some(c) => *slot = Some(c),
                    None => ok = false,
                }
            }
        }
        ok.then_some(Operation::SetModule(change))
    }

    /// The required `person` of a `pin` or `unpin` table.
    fn pin_person(&mut self, rel: &str, t: &DeTable<'_>, span: &Range<usize>) -> Option<String> {
        if let Some(v) = field(t, "person") {
            self.id(&join_key(rel, "person"), v, "person id")
        } else {
            self.missing(
                rel,
                span,
                "person",
                "name the person, e.g. `person = \"p01\"`",
            );
            None
        }
    }

    fn pin(&mut self, rel: &str, t: &DeTable<'_>, span: &Range<usize>) -> Option<Operation> {
        const KEYS: [&str; 2] = ["person", "module"];
        self.check_keys(rel, t, &KEYS, "`pin`");
        let person = self.pin_person(rel, t, span);
        let module = if let Some(v) = field(t, "module") {
            self.id(&join_key(rel, "module"), v, "module id")
        } else {
            self.missing(
                rel,
                span,
                "module",
                "name the module of the post to keep, e.g. `module = \"m03\"`",
            );
            None
        };
        Some(Operation::Pin {
            person: person?,
            module: module?,
        })
    }

    fn unpin(&mut self, rel: &str, t: &DeTable<'_>, span: &Range<usize>) -> Option<Operation> {
        const KEYS: [&str; 2] = ["person", "module"];
        self.check_keys(rel, t, &KEYS, "`unpin`");
        let person = self.pin_person(rel, t, span);
        let module = field(t, "module").map(|v| self.id(&join_key(rel, "module"), v, "module id"));
        Some(Operation::Unpin {
            person: person?,
            module: module.map_or(Some(None), |m| m.map(Some))?,
        })
    }

    fn rules(&mut self, rel: &str, t: &DeTable<'_>) -> Option<Operation> {
        const KEYS: [&str; 4] = [
            "max_posts",
            "max_liaisons",
            "liaison_weight",
            "min_staff_weight",
        ];
        for (k, _) in t {
            if k.get_ref() == "conflicts" {
                self.error(
                    &join_key(rel, "conflicts"),
                    &k.span(),
                    "conflicts cannot be set in `rules`".into(),
                    Some(
                        "add pairs with the scenario's own `conflicts = [[\"m1\", \"m2\"]]`".into(),
                    ),
                );
            } else if !KEYS.contains(&k.get_ref().as_ref()) {
                self.unknown_key(rel, k, &KEYS, "`rules`");
            }
        }
        let mut change = RulesChange::default();
        let mut ok = true;
        for (key, slot) in [
            ("max_posts", &mut change.max_posts),
            ("max_liaisons", &mut change.max_liaisons),
        ] {
            if let Some(v) = field(t, key) {
                match self.count::<u32>(&join_key(rel, key), v, key, 0) {
                    Some(c) => *slot = Some(c),
                    None => ok = false,
                }
            }
        }
        for (key, slot) in [
            ("liaison_weight", &mut change.liaison_weight),
            ("min_staff_weight", &mut change.min_staff_weight),
        ] {
            if let Some(v) = field(t, key) {
                match self.number(&join_key(rel, key), v) {
                    Some(w) => *slot = Some(w),
                    None => ok = false,
                }
            }
        }
        ok.then_some(Operation::Rules(change))
    }

    fn conflicts(&mut self, rel: &str, v: &Value<'_>) -> Option<Vec<[String; 2]>> {
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(rel, v, "a list of module pairs");
            return None;
        };
        if items.is_empty() {
            self.error(
                rel,
                &v.span(),
                "the list of conflict pairs is empty".into(),
                Some("e.g. `conflicts = [[\"m03\", \"m09\"]]`".into()),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (j, item) in items.iter().enumerate() {
            let p = join_index(rel, j);
            self.record(&p, item);
            let pair = match item.get_ref() {
                DeValue::Array(pair) if pair.len() == 2 => {
                    let a = self.id(&join_index(&p, 0), &pair[0], "module id");
                    let b = self.id(&join_index(&p, 1), &pair[1], "module id");
                    a.zip(b)
                }
                DeValue::Array(pair) => {
                    self.error(
                        &p,
                        &item.span(),
                        format!("a conflict pairs exactly two modules, found {}", pair.len()),
                        Some("e.g. `[\"m03\", \"m09\"]`".into()),
                    );
                    None
                }
                _ => {
                    self.wrong_type(&p, item, "a pair of module ids");
                    None
                }
            };
            match pair {
                Some((a, b)) => out.push([a, b]),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}
