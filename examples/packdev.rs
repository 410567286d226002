//! The packing solver alone (`engine::packing`, no posts, no hours oracle) on MKP files, for
//! working on it: one line per file (published optimum, profit found, bound, proof, time).
//!
//! Run: `cargo run --release --example packdev -- MKP/optima.csv 1 MKP/SMALL/*.txt` (optima
//! file, seconds per instance, files; `MKP` is a folder of OR-Library-style MKP sets).
//! `RUST_LOG=modstaff=debug` prints the solver's stages.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use modstaff::engine::packing::{Effort, Packing};

fn main() {
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    if let Some(filter) = std::env::var("RUST_LOG")
        .ok()
        .and_then(|s| s.parse::<Targets>().ok())
    {
        let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
        tracing_subscriber::registry()
            .with(layer)
            .with(filter)
            .init();
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: packdev OPTIMA.csv SECONDS FILE...");
        std::process::exit(2);
    }
    let mut opt = HashMap::new();
    let optima = std::fs::read_to_string(&args[0]).expect("optima file");
    for line in optima.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if let (Some(name), Some(lb)) = (f.get(1), f.get(5).and_then(|v| v.parse::<f64>().ok())) {
            opt.insert((*name).to_string(), lb);
        }
    }
    let t: f64 = args[1].parse().expect("seconds");
    let (mut matched, mut proven, mut gapsum, mut total, mut secs) =
        (0_u32, 0_u32, 0.0, 0_u32, 0.0);
    for file in &args[2..] {
        let text = std::fs::read_to_string(file).expect("instance file");
        let v: Vec<f64> = text
            .split_whitespace()
            .map(|x| x.parse().expect("a number"))
            .collect();
        let (m, n) = (v[0] as usize, v[1] as usize);
        let mut pk = Packing {
            cap: v[2..2 + m].to_vec(),
            ..Default::default()
        };
        for j in 0..n {
            pk.size.push(v[2 + m + 2 * j]);
            pk.profit.push(v[3 + m + 2 * j]);
            pk.allowed.push((0..m as u32).collect());
        }
        let name = std::path::Path::new(file)
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let o = opt.get(&name).copied().unwrap_or(f64::NAN);
        let s = Instant::now();
        let p = pk.solve(
            &[],
            Effort {
                nodes: u64::MAX,
                deadline: Some(s + Duration::from_secs_f64(t)),
            },
        );
        let el = s.elapsed().as_secs_f64();
        let gap = (o - p.profit) / o;
        total += 1;
        secs += el;
        gapsum += gap;
        matched += u32::from(p.profit >= o - 0.5);
        proven += u32::from(p.proven);
        println!(
            "{name} m{m} n{n} opt {o} got {} bound {:.0} proven {} gap {:.4}% {el:.2}s",
            p.profit,
            p.bound,
            p.proven,
            gap * 100.0
        );
    }
    println!(
        "TOTAL {total} matched {matched} proven {proven} meangap {:.4}% mean {:.2}s",
        gapsum / f64::from(total.max(1)) * 100.0,
        secs / f64::from(total.max(1))
    );
}
