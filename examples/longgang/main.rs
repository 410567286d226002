//! Writes the four Longgang instances (`instances/longgang-*.json`) from the facts of the
//! May 2021 report on Longgang's reform; `instances/README.md` says, per instance, which
//! numbers are from the report and which are assumed.
//!
//! Run: `cargo run --release --example longgang -- instances/`
//!
//! Deterministic: every instance has its own fixed seed for a SplitMix64 generator, and all
//! lists are built in a fixed order, so the files only change when this program does.
//!
//! One module per bureau (`econ`, `agri`, `approval`, `enforcement`), the builder they share,
//! and the tables they are built from (`data`).

mod agri;
mod approval;
mod builder;
#[rustfmt::skip]
mod data;
mod econ;
mod enforcement;
mod rng;
mod vocabulary;

use std::path::PathBuf;

use modstaff::io::RawInstance;

use crate::agri::agri;
use crate::approval::approval;
use crate::builder::has_tag;
use crate::econ::econ;
use crate::enforcement::enforcement;

/// The files must validate without a single error or warning, and everyone must qualify
/// for at least one module (their home one, by construction).
fn check(inst: &RawInstance) {
    match modstaff::io::validate(inst) {
        Ok((_, warnings)) => assert!(warnings.0.is_empty(), "{}:\n{warnings}", inst.name),
        Err(errors) => panic!("{}:\n{errors}", inst.name),
    }
    let items: i64 = inst
        .duties
        .iter()
        .flat_map(|d| &d.tags)
        .filter_map(|t| t.strip_prefix("items:")?.parse::<i64>().ok())
        .sum();
    let expected = match inst.name.as_str() {
        "longgang-approval" => 1129,
        "longgang-enforcement" => 3370,
        _ => 0,
    };
    assert_eq!(items, expected, "{}: items tags", inst.name);
    let without = inst
        .staff
        .iter()
        .filter(|p| p.current_posts.is_empty())
        .count();
    let transferable = inst
        .duties
        .iter()
        .filter(|d| has_tag(d, "transferable"))
        .count();
    let capacity: f64 = inst.staff.iter().map(|p| p.capacity.unwrap_or(40.0)).sum();
    let hours: f64 = inst.duties.iter().map(|d| d.hours).sum();
    eprintln!(
        "{}: {} staff ({without} without a post today), {} modules, {} duties ({transferable} transferable), {} counterparts; {hours} h vs {capacity} h ({:.2}x)",
        inst.name,
        inst.staff.len(),
        inst.modules.len(),
        inst.duties.len(),
        inst.counterparts.len(),
        hours / capacity
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "instances".to_owned()),
    );
    for inst in [econ(), agri(), approval(), enforcement()] {
        check(&inst);
        let mut text = serde_json::to_string_pretty(&inst)?;
        text.push('\n');
        let path = dir.join(format!("{}.json", inst.name));
        std::fs::write(&path, text)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
