//! The fuzz targets' bodies, shared with the stable replay test
//! (`tests/integration/fuzz_replay.rs`), and the little that only fuzzing needs.

#![allow(
    clippy::missing_panics_doc,
    reason = "a fuzz body panics exactly when it finds a bug"
)]

#[path = "../../tests/common/fuzz_bodies.rs"]
mod bodies;

pub use bodies::*;

/// Most people a scenario input may hire, in all, for the `scenario_toml` target to run it.
///
/// A scenario may hold as many people as the size cap allows (100,000 by default), which the
/// instrumented build takes tens of seconds to apply and validate: the fuzzer would stop at
/// a "timeout" that only restates the cap, or spend its time there rather than on new inputs. The stable
/// replay runs every input in full.
const MAX_FUZZ_HIRES: i64 = 1000;

/// [`scenario_toml`], skipping inputs that hire more than [`MAX_FUZZ_HIRES`] people.
pub fn scenario_toml_bounded(data: &[u8]) {
    let text = String::from_utf8_lossy(data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data));
    if let Ok(table) = toml::from_str::<toml::Table>(&text) {
        let hires = counts(&toml::Value::Table(table));
        if hires > MAX_FUZZ_HIRES {
            return;
        }
    }
    scenario_toml(data);
}

/// The sum of every `count` in the document, at any depth (saturating: a huge count skips).
fn counts(v: &toml::Value) -> i64 {
    match v {
        toml::Value::Table(t) => t
            .iter()
            .map(|(k, v)| match v {
                toml::Value::Integer(n) if k == "count" => n.saturating_abs(),
                _ => counts(v),
            })
            .fold(0, i64::saturating_add),
        toml::Value::Array(a) => a.iter().map(counts).fold(0, i64::saturating_add),
        _ => 0,
    }
}
