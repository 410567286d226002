//! Criterion benches of the engine's parts, over shipped and generated instances:
//! model building (the LP relaxation), the hours oracle, the decomposition, caps and capped
//! flow bounds, and a full solve.
//!
//! `cargo bench --bench engine`; compare against the peers with `scripts/compare-peers.sh`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use modstaff::engine::bound::{capped_flow_bound, caps_bound, decomposition_bound};
use modstaff::engine::{BestOptions, Eligibility, HoursOracle, Posts, SolveOptions, solve};
use modstaff::io::generate::{GenerateSettings, generate};
use modstaff::model::Instance;

fn shipped(name: &str) -> Instance {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("instances/{name}.json"));
    modstaff::io::load_instance(&path)
        .expect("shipped instance")
        .0
}

fn generated(staff: usize, modules: usize, duties: usize) -> Instance {
    let raw = generate(&GenerateSettings {
        staff,
        modules,
        duties,
        seed: 1,
        tight: 1.15,
        non_splittable: modstaff::io::generate::DEFAULT_NON_SPLITTABLE,
    });
    modstaff::io::validate(&raw).expect("valid").0
}

fn bench_build(c: &mut Criterion) {
    let agri = shipped("longgang-agri");
    c.bench_function("build/lp-relaxation/agri", |b| {
        b.iter(|| black_box(modstaff::engine::bound::lp::tier1_relaxation(&agri).variables));
    });
    let econ = shipped("longgang-econ");
    c.bench_function("build/eligibility/econ", |b| {
        b.iter(|| black_box(Eligibility::new(&econ)));
    });
}

fn bench_oracle(c: &mut Criterion) {
    for (name, inst) in [
        ("agri", shipped("longgang-agri")),
        ("enforcement", shipped("longgang-enforcement")),
        ("300x80x600", generated(300, 80, 600)),
        ("2000x300x4000", generated(2000, 300, 4000)),
    ] {
        let posts = Posts::current(&inst);
        let mut oracle = HoursOracle::new(&inst);
        c.bench_function(&format!("oracle/greedy/{name}"), |b| {
            b.iter(|| black_box(oracle.best_hours(&posts, &BestOptions::greedy()).value));
        });
    }
}

fn bench_solve(c: &mut Criterion) {
    let mut group = c.benchmark_group("solve");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    for (name, inst) in [
        ("tiny", shipped("tiny")),
        ("econ", shipped("longgang-econ")),
    ] {
        let options = SolveOptions {
            time_limit: Duration::from_secs(30),
            threads: 2,
            ..SolveOptions::default()
        };
        group.bench_function(name, |b| {
            b.iter(|| black_box(solve(&inst, &options).plan.objective.coverage));
        });
    }
    group.finish();
}

/// The decomposition bound by person to convergence: its master re-solves (microlp, one
/// refactorisation per batch of cuts) and its pricing, on the instances where it runs in
/// `solve`.
fn bench_decomposition(c: &mut Criterion) {
    let mut group = c.benchmark_group("bound/decomposition");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    let all_whole = {
        let raw = generate(&GenerateSettings {
            staff: 100,
            modules: 40,
            duties: 250,
            seed: 1,
            tight: 1.15,
            non_splittable: 1.0,
        });
        modstaff::io::validate(&raw).expect("valid").0
    };
    for (name, inst) in [
        ("agri", shipped("longgang-agri")),
        ("100x40x250-non-splittable", all_whole),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| black_box(decomposition_bound(&inst, 2, 1_000)));
        });
    }
    group.finish();
}

/// The caps bound and the capped flow (60 flows at most) where the caps bind.
fn bench_caps(c: &mut Criterion) {
    let mut group = c.benchmark_group("bound/caps");
    group.sample_size(10);
    for (name, inst) in [
        ("300x80x600", generated(300, 80, 600)),
        ("2000x300x4000", generated(2000, 300, 4000)),
    ] {
        group.bench_function(format!("caps/{name}"), |b| {
            b.iter(|| black_box(caps_bound(&inst)));
        });
        group.bench_function(format!("capped-flow/{name}"), |b| {
            b.iter(|| black_box(capped_flow_bound(&inst, 60)));
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_build,
    bench_oracle,
    bench_solve,
    bench_decomposition,
    bench_caps
);
criterion_main!(benches);
