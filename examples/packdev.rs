//! Dev harness: packing solver alone on MKP files. `packdev OPTIMA.csv T FILE...`
use std::collections::HashMap;
use std::time::{Duration, Instant};

use modstaff::engine::packing::{Effort, Packing};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut opt = HashMap::new();
    for line in std::fs::read_to_string(&args[0]).unwrap().lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        opt.insert(f[1].to_string(), f[5].parse::<f64>().unwrap());
    }
    let t: f64 = args[1].parse().unwrap();
    let (mut matched, mut proven, mut gapsum, mut total, mut secs) = (0, 0, 0.0, 0, 0.0);
    for file in &args[2..] {
        let text = std::fs::read_to_string(file).unwrap();
        let v: Vec<f64> = text
            .split_whitespace()
            .map(|x| x.parse().unwrap())
            .collect();
        let (m, n) = (v[0] as usize, v[1] as usize);
        let cap = v[2..2 + m].to_vec();
        let mut pk = Packing {
            cap,
            ..Default::default()
        };
        for j in 0..n {
            pk.size.push(v[2 + m + 2 * j]);
            pk.profit.push(v[3 + m + 2 * j]);
            pk.allowed.push((0..m as u32).collect());
        }
        let name = std::path::Path::new(file)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let o = opt[&name];
        let s = Instant::now();
        let p = pk.solve(
            &[],
            Effort {
                nodes: u64::MAX,
                deadline: Some(s + Duration::from_secs_f64(t)),
            },
        );
        let el = s.elapsed().as_secs_f64();
        let ls = Instant::now();
        let lag = pk.lagrangian(
            o,
            std::env::var("LAG_IT")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(2000),
            None,
        );
        let lag = lag.map(|l| (l.bound, l.profit));
        eprintln!(
            "{name}: opt {o} got {} surrogate {:.1} lagrangian {lag:?} in {:.2}s",
            p.profit,
            p.bound,
            ls.elapsed().as_secs_f64()
        );
        let gap = (o - p.profit) / o;
        total += 1;
        secs += el;
        gapsum += gap;
        if p.profit >= o - 0.5 {
            matched += 1;
        }
        if p.proven {
            proven += 1;
        }
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
        gapsum / total as f64 * 100.0,
        secs / total as f64
    );
}
