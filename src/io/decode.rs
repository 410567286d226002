//! JSON text -> [`RawInstance`], collecting every decoding problem instead of stopping at the
//! first: each list element is decoded on its own, and a bad field is reported, dropped and
//! decoding retried, so one typo does not hide the next.

use serde::de::{self, DeserializeOwned, Visitor};
use serde_json::{Map, Value};

use super::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use super::position::{PositionIndex, join_index, join_key};
use super::raw::{
    RawCounterpart, RawDuty, RawInstance, RawModule, RawRules, RawSkill, RawStaff, RawUnit,
};

/// Where each decoded list element came from in the file (elements that failed to decode are
/// skipped, so positions in the decoded lists can differ from the file's).
#[derive(Clone, Debug, Default)]
pub struct Origins {
    /// File index of each decoded skill.
    pub skills: Vec<usize>,
    /// File index of each decoded unit.
    pub units: Vec<usize>,
    /// File index of each decoded counterpart.
    pub counterparts: Vec<usize>,
    /// File index of each decoded person.
    pub staff: Vec<usize>,
    /// File index of each decoded module.
    pub modules: Vec<usize>,
    /// File index of each decoded duty.
    pub duties: Vec<usize>,
}

/// The field names serde expects for a struct, read from its derived `Deserialize`.
fn struct_fields<T: DeserializeOwned>() -> &'static [&'static str] {
    struct FieldNames<'a>(&'a mut &'static [&'static str]);
    impl<'de> de::Deserializer<'de> for FieldNames<'_> {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(de::Error::custom("fields captured"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldNames(&mut fields));
    fields
}

/// The hint for an unknown field: the likely typo, or every field that is allowed.
fn unknown_field_hint(key: &str, fields: &[&str]) -> String {
    match did_you_mean(key, fields.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!(
            "expected one of {}",
            fields
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Rewrites serde's `invalid type: X, expected Y` into planner words.
fn humanize(message: &str) -> String {
    let nice = |s: &str| -> String {
        let s = s.trim();
        match s {
            "f64" | "f32" => "a number".into(),
            "i64" | "u64" | "i32" | "u32" | "u8" => "a whole number".into(),
            "a sequence" => "a list".into(),
            "a map" => "an object".into(),
            _ if s.starts_with("struct ") => "an object".into(),
            _ => s.into(),
        }
    };
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((found, expected)) = rest.rsplit_once(", expected ")
        {
            return format!("expected {}, found {found}", nice(expected));
        }
    }
    if let Some(field) = message.strip_prefix("missing field ") {
        return format!("missing required field {field}");
    }
    message.to_owned()
}

fn serde_path(base: &str, path: &serde_path_to_error::Path) -> (String, Option<String>) {
    use serde_path_to_error::Segment;
    let mut out = base.to_owned();
    let mut first_key = None;
    for seg in path {
        match seg {
            Segment::Map { key } => {
                if first_key.is_none() {
                    first_key = Some(key.clone());
                }
                out = join_key(&out, key);
            }
            Segment::Seq { index } => out = join_index(&out, *index),
            Segment::Enum { variant } => out = join_key(&out, variant),
            Segment::Unknown => {}
        }
    }
    (out, first_key)
}

/// Decodes one object into `T`, reporting unknown fields (with a did-you-mean hint) and every
/// bad field; returns `None` only when a required field is missing or the value is not an
/// object.
fn decode_struct<T: DeserializeOwned>(
    value: &Value,
    path: &str,
    what: &str,
    positions: &PositionIndex,
    diags: &mut Diagnostics,
) -> Option<T> {
    let Value::Object(map) = value else {
        diags.push(
            Diagnostic::error(
                path,
                format!("expected {what} object, found {}", kind_of(value)),
            )
            .at(positions.find(path)),
        );
        return None;
    };
    let fields = struct_fields::<T>();
    let mut map: Map<String, Value> = map.clone();
    let unknown: Vec<String> = map
        .keys()
        .filter(|k| !fields.contains(&k.as_str()))
        .cloned()
        .collect();
    for key in unknown {
        let p = join_key(path, &key);
        let hint = unknown_field_hint(&key, fields);
        diags.push(
            Diagnostic::error(&p, format!("unknown field `{key}` in {what}"))
                .hint(hint)
                .at(positions.find(&p)),
        );
        map.remove(&key);
    }
    // Each round either succeeds or removes one field, so this ends.
    for _ in 0..=fields.len() {
        let value = Value::Object(map.clone());
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(t) => return Some(t),
            Err(e) => {
                let (p, key) = serde_path(path, e.path());
                let message = humanize(&e.inner().to_string());
                diags.push(Diagnostic::error(&p, message).at(positions.find(&p)));
                match key {
                    Some(k) if map.remove(&k).is_some() => {}
                    _ => return None,
                }
            }
        }
    }
    None
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn decode_list<T: DeserializeOwned>(
    root: &Map<String, Value>,
    key: &str,
    what: &str,
    required: bool,
    positions: &PositionIndex,
    diags: &mut Diagnostics,
) -> Option<(Vec<T>, Vec<usize>)> {
    let Some(value) = root.get(key) else {
        if required {
            diags.push(
                Diagnostic::error("", format!("missing required field `{key}`"))
                    .hint(format!("add `\"{key}\": []` if there are none")),
            );
        }
        return None;
    };
    let Value::Array(items) = value else {
        diags.push(
            Diagnostic::error(key, format!("expected a list, found {}", kind_of(value)))
                .at(positions.find(key)),
        );
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    let mut origin = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = join_index(key, i);
        if let Some(t) = decode_struct::<T>(item, &path, what, positions, diags) {
            out.push(t);
            origin.push(i);
        }
    }
    Some((out, origin))
}

/// Decodes instance text into raw types. Returns the raw instance (possibly partial, when there
/// were errors, so validation can still find more) and the decoding problems.
#[must_use]
pub fn decode(
    text: &str,
    positions: &PositionIndex,
) -> (Option<(RawInstance, Origins)>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let root: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            diags.push(json_syntax_error(&e));
            return (None, diags);
        }
    };
    let Value::Object(root) = root else {
        diags.push(
            Diagnostic::error(
                "",
                format!("expected an instance object, found {}", kind_of(&root)),
            )
            .hint("an instance file is a JSON object with `name`, `staff`, `modules` and `duties`"),
        );
        return (None, diags);
    };
    for (path, at) in positions.duplicates() {
        let key = path
            .rsplit(['.', '['])
            .next()
            .unwrap_or(path)
            .trim_end_matches(']');
        diags.push(
            Diagnostic::error(
                path.clone(),
                format!("`{key}` is given twice in this object"),
            )
            .hint("keep one value: a JSON reader would silently take the last")
            .at(Some(*at)),
        );
    }
    let fields = struct_fields::<RawInstance>();
    for key in root.keys().filter(|k| !fields.contains(&k.as_str())) {
        let hint = unknown_field_hint(key, fields);
        diags.push(
            Diagnostic::error(
                join_key("", key),
                format!("unknown field `{key}` in the instance"),
            )
            .hint(hint)
            .at(positions.find(&join_key("", key))),
        );
    }
    let name = match root.get("name") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            diags.push(
                Diagnostic::error(
                    "name",
                    format!("expected a string, found {}", kind_of(other)),
                )
                .at(positions.find("name")),
            );
            String::new()
        }
        None => {
            diags.push(
                Diagnostic::error("", "missing required field `name`")
                    .hint("add `\"name\": \"...\"`, it is copied into every plan"),
            );
            String::new()
        }
    };
    let description = match root.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            diags.push(
                Diagnostic::error(
                    "description",
                    format!("expected a string, found {}", kind_of(other)),
                )
                .at(positions.find("description")),
            );
            None
        }
    };
    let d = &mut diags;
    let skills = decode_list::<RawSkill>(&root, "skills", "a skill", false, positions, d);
    let units = decode_list::<RawUnit>(&root, "units", "a unit", false, positions, d);
    let counterparts =
        decode_list::<RawCounterpart>(&root, "counterparts", "a counterpart", false, positions, d);
    let staff = decode_list::<RawStaff>(&root, "staff", "a person", true, positions, d);
    let modules = decode_list::<RawModule>(&root, "modules", "a module", true, positions, d);
    let duties = decode_list::<RawDuty>(&root, "duties", "a duty", true, positions, d);
    let rules = match root.get("rules") {
        None => None,
        Some(v) => decode_struct::<RawRules>(v, "rules", "the rules", positions, d),
    };
    let (skills, skill_origin) = match skills {
        Some((s, o)) => (Some(s), o),
        None => (None, Vec::new()),
    };
    let (units, unit_origin) = units.unwrap_or_default();
    let (counterparts, counterpart_origin) = counterparts.unwrap_or_default();
    let (staff, staff_origin) = staff.unwrap_or_default();
    let (modules, module_origin) = modules.unwrap_or_default();
    let (duties, duty_origin) = duties.unwrap_or_default();
    let raw = RawInstance {
        name,
        description,
        skills,
        units,
        counterparts,
        staff,
        modules,
        duties,
        rules,
    };
    let origins = Origins {
        skills: skill_origin,
        units: unit_origin,
        counterparts: counterpart_origin,
        staff: staff_origin,
        modules: module_origin,
        duties: duty_origin,
    };
    (Some((raw, origins)), diags)
}

/// A diagnostic for text `serde_json` could not parse, with its line and column.
#[must_use]
pub fn json_syntax_error(e: &serde_json::Error) -> Diagnostic {
    let text = e.to_string();
    // serde_json appends " at line L column C"; the position is reported separately.
    let message = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(m, _)| m)
        .to_owned();
    let hint = match e.classify() {
        serde_json::error::Category::Eof => {
            Some("the file ends early: check for a missing `}` or `]`".to_owned())
        }
        serde_json::error::Category::Syntax if message.contains("trailing comma") => {
            Some("JSON allows no comma after the last element".to_owned())
        }
        serde_json::error::Category::Syntax if message.contains("number out of range") => {
            Some("write an ordinary number such as `40`".to_owned())
        }
        serde_json::error::Category::Syntax => Some(
            "JSON allows no comments, keys need double quotes, and strings are in double quotes"
                .to_owned(),
        ),
        _ => None,
    };
    let mut d = Diagnostic::error("", format!("not valid JSON: {message}")).maybe_hint(hint);
    if e.line() > 0 {
        d.line = Some(e.line());
        d.column = Some(e.column());
    }
    d
}

/// Decodes one typed JSON document whole (no trailing content), or says what is wrong first:
/// the JSON path of the offending member, serde's message without its position, or the
/// syntax error with line and column. The diagnostic names no file yet.
///
/// # Errors
/// The first problem found.
pub fn typed_json<'a, T: serde::Deserialize<'a>>(text: &'a str) -> Result<T, Box<Diagnostic>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let value = result.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let mut d = json_syntax_error(&inner);
        if !inner.is_syntax() && !inner.is_eof() {
            d.message = inner
                .to_string()
                .rsplit_once(" at line ")
                .map_or_else(|| inner.to_string(), |(m, _)| m.to_owned());
            d.hint = None;
        }
        d.path = if path == "." { String::new() } else { path };
        Box::new(d)
    })?;
    de.end().map_err(|e| Box::new(json_syntax_error(&e)))?;
    Ok(value)
}
