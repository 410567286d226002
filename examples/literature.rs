//! Literature benchmark: multiple knapsack instances with published optima.
//!
//! Imports every `*.txt` of each set folder under `DIR` (`modstaff import mkp`'s mapping),
//! solves it, checks the plan with the independent checker, and compares the profit packed
//! (total profit - tier 1) with the published optimum of `OPTIMA.csv`
//! (`set,instance,m,n,opt,lb,ub`). Prints one row per set and writes one CSV row per instance.
//!
//! Run: `cargo run --release --example literature -- MKP MKP/optima.csv --time-limit 10
//! --sets SMALL,FK_1,FK_2 --jobs 1 --csv results.csv`, where `MKP` holds one folder per set.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use modstaff::engine::{SolveOptions, solve};
use modstaff::model::{PlanStatus, verify};

struct Args {
    dir: PathBuf,
    optima: PathBuf,
    time_limit: f64,
    sets: Vec<String>,
    jobs: usize,
    csv: Option<PathBuf>,
    limit: Option<usize>,
}

fn usage() -> ! {
    eprintln!(
        "usage: literature DIR OPTIMA.csv [--time-limit S] [--sets A,B] [--jobs N] \
         [--csv FILE] [--limit N-PER-SET]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut it = std::env::args().skip(1);
    let mut pos = Vec::new();
    let mut a = Args {
        dir: PathBuf::new(),
        optima: PathBuf::new(),
        time_limit: 10.0,
        sets: vec!["SMALL".into(), "FK_1".into(), "FK_2".into()],
        jobs: 1,
        csv: None,
        limit: None,
    };
    while let Some(x) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| usage());
        match x.as_str() {
            "--time-limit" | "-t" => a.time_limit = val().parse().unwrap_or_else(|_| usage()),
            "--sets" => a.sets = val().split(',').map(str::to_owned).collect(),
            "--jobs" => a.jobs = val().parse().unwrap_or_else(|_| usage()),
            "--csv" => a.csv = Some(PathBuf::from(val())),
            "--limit" => a.limit = Some(val().parse().unwrap_or_else(|_| usage())),
            _ if x.starts_with('-') => usage(),
            _ => pos.push(x),
        }
    }
    if pos.len() != 2 || a.jobs == 0 {
        usage();
    }
    a.dir = PathBuf::from(&pos[0]);
    a.optima = PathBuf::from(&pos[1]);
    a
}

/// Published lower and upper bound per (set, instance).
fn read_optima(path: &Path) -> BTreeMap<(String, String), (f64, f64)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("error: cannot read `{}`: {e}", path.display());
        std::process::exit(2)
    });
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.trim().split(',').collect();
        let parsed = (f.len() == 7)
            .then(|| Some((f[5].parse::<f64>().ok()?, f[6].parse::<f64>().ok()?)))
            .flatten();
        let Some((lb, ub)) = parsed else {
            eprintln!(
                "error: {}: line {}: expected set,instance,m,n,opt,lb,ub",
                path.display(),
                i + 1
            );
            std::process::exit(2)
        };
        out.insert((f[0].to_owned(), f[1].to_owned()), (lb, ub));
    }
    out
}

struct Row {
    set: String,
    instance: String,
    packed: f64,
    lb: f64,
    ub: f64,
    proven: bool,
    valid: bool,
    seconds: f64,
}

impl Row {
    fn matched(&self) -> bool {
        self.packed >= self.lb - 1e-6 * self.lb.max(1.0)
    }
    /// Gap to the published optimum (best known lower bound), relative.
    fn gap(&self) -> f64 {
        ((self.lb - self.packed) / self.lb.max(1.0)).max(0.0)
    }
}

fn run_one(path: &Path, set: &str, bounds: (f64, f64), time_limit: f64) -> Row {
    let instance = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (_, (inst, _)) = modstaff::io::mkp::load_mkp(path).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(2)
    });
    let total: f64 = inst.duties.iter().map(|d| d.weight * d.hours).sum();
    let options = SolveOptions {
        time_limit: Duration::from_secs_f64(time_limit),
        threads: 1,
        ..SolveOptions::default()
    };
    let t = Instant::now();
    let sol = solve(&inst, &options);
    let seconds = t.elapsed().as_secs_f64();
    let report = verify(&inst, &sol.plan);
    // Profits are integral: round away the float noise of weight * hours.
    let packed = (total - sol.plan.objective.coverage).round();
    Row {
        set: set.to_owned(),
        instance,
        packed,
        lb: bounds.0,
        ub: bounds.1,
        proven: sol.plan.status == PlanStatus::Optimal,
        valid: report.is_valid(),
        seconds,
    }
}

fn main() {
    let args = parse_args();
    let optima = read_optima(&args.optima);
    let mut csv = args.csv.as_ref().map(|p| {
        let mut f = std::fs::File::create(p).unwrap_or_else(|e| {
            eprintln!("error: cannot write `{}`: {e}", p.display());
            std::process::exit(2)
        });
        let _ = writeln!(
            f,
            "set,instance,packed,published_lb,published_ub,matched,proven,valid,gap,seconds"
        );
        f
    });
    println!(
        "| set | instances | proven optimal | matched published | mean gap | worst gap | \
         failing check | mean s | worst s |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for set in &args.sets {
        let dir = args.dir.join(set);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| {
                eprintln!("error: cannot read `{}`: {e}", dir.display());
                std::process::exit(2)
            })
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        files.sort();
        if let Some(n) = args.limit {
            // An even spread over the set's classes, not just the first files.
            let step = files.len().div_ceil(n.max(1)).max(1);
            files = files.into_iter().step_by(step).collect();
        }
        let next = Mutex::new(0_usize);
        let rows = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..args.jobs {
                s.spawn(|| {
                    loop {
                        let i = {
                            let mut n = next.lock().expect("no panics");
                            let i = *n;
                            *n += 1;
                            i
                        };
                        let Some(path) = files.get(i) else { break };
                        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned());
                        let key = (set.clone(), name.unwrap_or_default());
                        let Some(&bounds) = optima.get(&key) else {
                            eprintln!("warning: no published optimum for {}/{}", key.0, key.1);
                            continue;
                        };
                        let row = run_one(path, set, bounds, args.time_limit);
                        rows.lock().expect("no panics").push((i, row));
                    }
                });
            }
        });
        let mut rows = rows.into_inner().expect("no panics");
        rows.sort_by_key(|r| r.0);
        let rows: Vec<Row> = rows.into_iter().map(|r| r.1).collect();
        if let Some(f) = csv.as_mut() {
            for r in &rows {
                let _ = writeln!(
                    f,
                    "{},{},{},{},{},{},{},{},{:.6},{:.3}",
                    r.set,
                    r.instance,
                    r.packed,
                    r.lb,
                    r.ub,
                    r.matched(),
                    r.proven,
                    r.valid,
                    r.gap(),
                    r.seconds
                );
            }
        }
        let n = rows.len().max(1) as f64;
        let proven = rows.iter().filter(|r| r.proven).count();
        let matched = rows.iter().filter(|r| r.matched()).count();
        let failing = rows.iter().filter(|r| !r.valid).count();
        let mean_gap = rows.iter().map(Row::gap).sum::<f64>() / n;
        let worst_gap = rows.iter().map(Row::gap).fold(0.0, f64::max);
        let mean_s = rows.iter().map(|r| r.seconds).sum::<f64>() / n;
        let worst_s = rows.iter().map(|r| r.seconds).fold(0.0, f64::max);
        println!(
            "| {set} | {} | {proven} | {matched} | {:.3}% | {:.3}% | {failing} | {mean_s:.2} | {worst_s:.2} |",
            rows.len(),
            100.0 * mean_gap,
            100.0 * worst_gap
        );
        let _ = std::io::stdout().flush();
    }
}
