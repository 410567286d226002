//! What `whatif` and `whatif merge` share: the scenarios of a sweep or file, and the batch
//! rendered as a table, CSV, Markdown, workbook or stamped JSON Lines.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use modstaff::model::Instance;
use modstaff::report::table::{Align, Table};
use modstaff::report::{hours, to_json, words};
use modstaff::scenario::batch::{Case, Outcome, Sweep};
use modstaff::scenario::shard::{self, LineOut, Stamp};

/// Says what is wrong with the command line; exit code 2.
pub(super) fn usage(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// Output formats of a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum BatchFormat {
    /// Aligned text.
    Table,
    /// Comma-separated values.
    Csv,
    /// One JSON object per line (shards concatenate).
    Jsonl,
    /// Markdown table.
    Md,
    /// An `.xlsx` workbook (needs `--out`): the scenarios, then the baseline plan's sheets.
    Xlsx,
}

pub(super) fn parse_sweep(words: &[String], level: u8) -> Result<Sweep, String> {
    match words.first().map(String::as_str) {
        Some("leave-one-out") if words.len() == 1 => Ok(Sweep::LeaveOneOut),
        Some("hire-one") if words.len() == 1 => {
            if (1..=5).contains(&level) {
                Ok(Sweep::HireOne { level })
            } else {
                Err(format!("`--level` must be between 1 and 5, found {level}"))
            }
        }
        Some("max-posts") => {
            let range = words
                .get(1)
                .ok_or("`--sweep max-posts` needs a range such as `1..4`")?;
            let (a, b) = range
                .split_once("..")
                .and_then(|(a, b)| {
                    Some((
                        a.parse::<u32>().ok()?,
                        b.trim_start_matches('=').parse::<u32>().ok()?,
                    ))
                })
                .filter(|(a, b)| a <= b && *b <= 100)
                .ok_or_else(|| {
                    format!("invalid range `{range}`: expected `A..B` with A <= B, e.g. `1..4`")
                })?;
            Ok(Sweep::MaxPosts { from: a, to: b })
        }
        Some(_) => Err(format!(
            "unknown sweep `{}`: expected `leave-one-out`, `hire-one` or `max-posts A..B`",
            words.join(" ")
        )),
        None => Err("`--sweep` needs a kind".into()),
    }
}

/// `w10:12 w5:3 w1:40`: uncovered hours by weight, heaviest first.
fn weights(o: &Outcome) -> String {
    let mut rows: Vec<(f64, &String, f64)> = o
        .uncovered_by_weight
        .iter()
        .map(|(w, h)| (w.parse::<f64>().unwrap_or(0.0), w, *h))
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    rows.iter()
        .map(|(_, w, h)| format!("w{w}:{}", hours(*h)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// People named in full in a "who moves" cell; the rest are counted.
const MOVES_SHOWN: usize = 2;

/// Who moves in outcome `o`, named from its scenario's instance (which knows the hires).
fn who_moves(base: &Instance, cases: &[Case], o: &Outcome) -> String {
    let inst = o
        .index
        .and_then(|k| cases.get(k))
        .map_or(base, |c| &c.instance);
    words::moves(inst, &o.changes, MOVES_SHOWN)
}

pub(super) fn table(base: &Instance, cases: &[Case], rows: &[&Outcome]) -> Table {
    let mut t = Table::new(&[
        ("scenario", Align::Left),
        ("status", Align::Left),
        ("gap", Align::Right),
        ("weighted uncovered", Align::Right),
        ("change", Align::Right),
        ("uncovered h by weight", Align::Left),
        ("no liaison", Align::Right),
        ("posts changed", Align::Right),
        ("moved", Align::Right),
        ("s", Align::Right),
        ("who moves", Align::Left),
    ]);
    for o in rows {
        t.row(vec![
            o.name.clone(),
            o.status.as_str().into(),
            format!("{:.2}%", o.gap * 100.0),
            hours(o.coverage),
            if o.index.is_some() {
                format!("{:+}", (o.coverage_change * 100.0).round() / 100.0)
            } else {
                String::new()
            },
            weights(o),
            o.unmet_counterparts.to_string(),
            if o.index.is_some() {
                o.posts_changed.to_string()
            } else {
                String::new()
            },
            if o.index.is_some() {
                o.people_moved.to_string()
            } else {
                String::new()
            },
            format!("{:.2}", o.seconds),
            who_moves(base, cases, o),
        ]);
    }
    t
}

/// The batch as a sheet: the table's columns, with one column of uncovered hours per weight.
fn scenario_sheet(
    base: &Instance,
    cases: &[Case],
    rows: &[&Outcome],
) -> modstaff::report::xlsx::Sheet {
    use modstaff::io::sheets::Cell;
    use modstaff::report::xlsx::{ColumnFormat as F, Sheet};
    let mut weights: Vec<(f64, &String)> = rows
        .iter()
        .flat_map(|o| o.uncovered_by_weight.keys())
        .map(|w| (w.parse::<f64>().unwrap_or(0.0), w))
        .collect();
    weights.sort_by(|a, b| b.0.total_cmp(&a.0));
    weights.dedup_by(|a, b| a.1 == b.1);
    let weight_headers: Vec<String> = weights
        .iter()
        .map(|(_, w)| format!("uncovered h (weight {w})"))
        .collect();
    let mut columns: Vec<(&str, F)> = vec![
        ("scenario", F::Text),
        ("status", F::Text),
        ("gap", F::Percent),
        ("weighted uncovered", F::Hours),
        ("change", F::Hours),
    ];
    columns.extend(weight_headers.iter().map(|h| (h.as_str(), F::Hours)));
    columns.extend([
        ("no liaison", F::General),
        ("posts changed", F::General),
        ("moved", F::General),
        ("seconds", F::Hours),
        ("who moves", F::Text),
    ]);
    let mut sheet = Sheet::new("scenarios", &columns);
    #[expect(clippy::cast_precision_loss, reason = "counts are small")]
    let n = |x: usize| Cell::Number(x as f64);
    for o in rows {
        let scenario = o.index.is_some();
        let mut row = vec![
            Cell::Text(o.name.clone()),
            Cell::Text(o.status.as_str().into()),
            Cell::Number(o.gap),
            Cell::Number(o.coverage),
            if scenario {
                Cell::Number(o.coverage_change)
            } else {
                Cell::Empty
            },
        ];
        row.extend(
            weights
                .iter()
                .map(|(_, w)| Cell::Number(o.uncovered_by_weight.get(*w).copied().unwrap_or(0.0))),
        );
        row.push(n(o.unmet_counterparts));
        #[expect(clippy::cast_precision_loss, reason = "counts are small")]
        row.push(if scenario {
            Cell::Number(o.posts_changed as f64)
        } else {
            Cell::Empty
        });
        row.push(if scenario {
            n(o.people_moved)
        } else {
            Cell::Empty
        });
        row.push(Cell::Number(o.seconds));
        row.push(Cell::Text(who_moves(base, cases, o)));
        sheet.rows.push(row);
    }
    sheet
}

/// The fingerprint of an instance's content, whatever file form it was read from.
pub(super) fn instance_hash(inst: &Instance) -> String {
    shard::fingerprint(to_json(&modstaff::io::to_raw(inst)).as_bytes())
}

/// A sweep is a ranking: the tables put the most critical person (leave-one-out) or the most
/// useful hire first, after the baseline. JSON Lines keep batch order so that shards
/// concatenate.
pub(super) fn rank(rows: &mut [&Outcome], sweep: Option<&Sweep>, format: BatchFormat) {
    let ranking = match sweep {
        Some(Sweep::LeaveOneOut) if format != BatchFormat::Jsonl => Some(-1.0),
        Some(Sweep::HireOne { .. }) if format != BatchFormat::Jsonl => Some(1.0),
        _ => None,
    };
    if let Some(sign) = ranking {
        let first = usize::from(rows.first().is_some_and(|o| o.index.is_none()));
        rows[first..].sort_by(|a, b| {
            (sign * a.coverage_change)
                .total_cmp(&(sign * b.coverage_change))
                .then(a.index.cmp(&b.index))
        });
    }
}

/// What the outputs of a batch are rendered with.
pub(super) struct Render<'a> {
    /// The baseline instance.
    pub base: &'a Instance,
    /// The scenarios (for the names of hires; may be empty).
    pub cases: &'a [Case],
    /// The baseline, with its plan.
    pub baseline: &'a Outcome,
    /// What made the batch.
    pub stamp: &'a Stamp,
}

/// Writes the rows in the format asked for, to `out` or standard output.
pub(super) fn emit(
    format: BatchFormat,
    out: Option<PathBuf>,
    rows: &[&Outcome],
    to: &Render<'_>,
) -> anyhow::Result<()> {
    let output = super::Output { format: None, out };
    let (base, cases, baseline) = (to.base, to.cases, to.baseline);
    let text = match format {
        BatchFormat::Xlsx => {
            let mut sheets = vec![scenario_sheet(base, cases, rows)];
            sheets.extend(modstaff::report::xlsx::plan_sheets(base, &baseline.plan));
            let bytes = modstaff::report::xlsx::workbook(&sheets)?;
            return output.emit_bytes(&bytes);
        }
        // People read the baseline's figures first; CSV stays one header and rows.
        BatchFormat::Table => format!(
            "baseline: {}\n\n{}",
            words::headline(base, &baseline.plan),
            table(base, cases, rows).to_text()
        ),
        BatchFormat::Md => format!(
            "**baseline**: {}\n\n{}",
            words::headline(base, &baseline.plan),
            table(base, cases, rows).to_markdown()
        ),
        BatchFormat::Csv => table(base, cases, rows).to_csv(),
        BatchFormat::Jsonl => jsonl(rows, to.stamp)?,
    };
    output.emit(&text)
}

/// One JSON object per row, each with the batch's stamp; the baseline's carries its plan.
pub(super) fn jsonl(rows: &[&Outcome], stamp: &Stamp) -> anyhow::Result<String> {
    let mut s = String::new();
    for o in rows {
        let line = LineOut {
            outcome: o,
            batch: stamp,
            plan: o.index.is_none().then_some(&o.plan),
        };
        s.push_str(&serde_json::to_string(&line)?);
        s.push('\n');
    }
    Ok(s)
}

/// Loads and applies a scenario file; on error prints it and returns exit code 2.
pub(super) fn scenario_cases(base: &Instance, path: &Path) -> Result<Vec<Case>, ExitCode> {
    let scenarios =
        modstaff::scenario::load_scenarios(path, base).map_err(|e| super::report_load_error(&e))?;
    let mut cases = Vec::with_capacity(scenarios.len());
    for s in &scenarios {
        match s.apply(base) {
            Ok(instance) => cases.push(Case {
                name: s.name.clone(),
                instance,
            }),
            Err(d) => {
                eprint!("{d}");
                eprintln!(
                    "error: scenario `{}` of `{}` gives an invalid instance",
                    s.name,
                    path.display()
                );
                return Err(ExitCode::from(2));
            }
        }
    }
    Ok(cases)
}
