//! Test helpers: random packings, brute force, and checks of a packing.

use crate::rng::Rng;

use super::branch::Branch;
use super::solver::Solver;
use super::{Effort, FIT_TOL, Packed, Packing, Tuning};

/// Tuning for small packings: the knapsack searches give way to their tables at once, and a
/// probe of the bound runs wherever the target searches' nodes grew, so that those paths run.
pub(super) const TEST_TUNING: Tuning = Tuning {
    knapsack_nodes: 20,
    probe_ratio: 1.0,
};

/// Brute force over every assignment.
pub(super) fn brute(pk: &Packing) -> f64 {
    fn go(pk: &Packing, j: usize, room: &mut Vec<f64>) -> f64 {
        if j == pk.n() {
            return 0.0;
        }
        let mut best = go(pk, j + 1, room);
        for &b in &pk.allowed[j] {
            let b = b as usize;
            if room[b] + FIT_TOL >= pk.size[j] {
                room[b] -= pk.size[j];
                best = best.max(pk.profit[j] + go(pk, j + 1, room));
                room[b] += pk.size[j];
            }
        }
        best
    }
    go(pk, 0, &mut pk.cap.clone())
}

pub(super) fn random(rng: &mut Rng, bins: usize, items: usize, integral: bool) -> Packing {
    let mut pk = Packing::default();
    for _ in 0..bins {
        pk.cap.push(5.0 + rng.below(30) as f64);
    }
    for _ in 0..items {
        let s = if integral {
            1.0 + rng.below(15) as f64
        } else {
            0.5 + rng.below(1000) as f64 / 70.0
        };
        pk.size.push(s);
        pk.profit.push(s * (1.0 + rng.below(4) as f64));
        let mut allowed: Vec<u32> = (0..bins as u32).filter(|_| rng.below(4) != 0).collect();
        if allowed.is_empty() {
            allowed.push(0);
        }
        pk.allowed.push(allowed);
    }
    pk
}

/// `p` is proven and packs the brute-force optimum `exact`.
pub(super) fn assert_proven(p: &Packed, exact: f64, case: usize) {
    assert!(p.proven, "case {case}");
    assert!(
        (p.profit - exact).abs() < 1e-6,
        "case {case}: {} vs {exact}",
        p.profit
    );
}

pub(super) fn check(pk: &Packing, p: &Packed) {
    let mut used = vec![0.0; pk.cap.len()];
    let mut profit = 0.0;
    for (j, b) in p.assign.iter().enumerate() {
        if let Some(b) = *b {
            assert!(pk.allowed[j].contains(&b));
            used[b as usize] += pk.size[j];
            profit += pk.profit[j];
        }
    }
    for (u, c) in used.iter().zip(&pk.cap) {
        assert!(*u <= c + 1e-6);
    }
    assert!((profit - p.profit).abs() < 1e-6);
    assert!(p.bound >= p.profit - 1e-6);
}

/// Few items per bin, as in hard multiple knapsack problems (the surrogate solution
/// rarely splits into the bins, so the search branches); every other case lets every
/// item go everywhere, as in the multiple knapsack problem (the most symmetric paths).
pub(super) fn hard(rng: &mut Rng, case: usize) -> Packing {
    let mut pk = Packing::default();
    let bins = 2 + case % 3;
    for _ in 0..bins {
        pk.cap.push(10.0 + rng.below(30) as f64);
    }
    for _ in 0..(bins * 2 + 1 + case % 3) {
        let s = 4.0 + rng.below(17) as f64;
        pk.size.push(s);
        pk.profit.push(s + rng.below(12) as f64);
        let mut allowed: Vec<u32> = (0..bins as u32).filter(|_| rng.below(4) != 0).collect();
        if allowed.is_empty() || case % 2 == 0 {
            // Every item allowed everywhere, as in the multiple knapsack problem:
            // the most symmetric paths.
            allowed = (0..bins as u32).collect();
        }
        pk.allowed.push(allowed);
    }
    pk
}

/// The pooled Lagrangian's prices, for node bounds, if `priced`.
pub(super) fn node_prices(pk: &Packing, priced: bool) -> Option<Vec<f64>> {
    priced.then(|| {
        pk.lagrangian(0.0, 1_000, None, None)
            .expect("whole sizes")
            .prices
    })
}

/// The branch and bound from `empty` without a node budget or deadline, with the test tuning
/// (tables behind the knapsack searches, kept for the children), and node bounds at `prices`
/// if any.
pub(super) fn unbounded_branch<'a>(
    pk: &'a Packing,
    empty: &Solver<'_>,
    prices: Option<&Vec<f64>>,
) -> Branch<'a> {
    let mut bb = Branch::new(
        pk,
        empty,
        Effort {
            nodes: u64::MAX,
            deadline: None,
        },
    );
    bb.tuning = TEST_TUNING;
    if let Some(prices) = prices {
        bb.set_prices(prices.clone());
    }
    bb
}

/// Strongly correlated packings (profit = size + a constant), tight: the optimum is the
/// most items with the least room wasted, which small re-packs rarely reach.
pub(super) fn correlated(rng: &mut Rng, bins: usize, items: usize) -> Packing {
    let mut pk = Packing::default();
    let mut total = 0.0;
    for _ in 0..items {
        let s = 100.0 + rng.below(900) as f64;
        total += s;
        pk.size.push(s);
        pk.profit.push(s + 300.0);
        pk.allowed.push((0..bins as u32).collect());
    }
    for _ in 0..bins {
        pk.cap
            .push((total * 0.6 / bins as f64 * (0.5 + rng.below(100) as f64 / 100.0)).round());
    }
    pk
}

/// Packings of two or three items per bin over five or six bins of close capacities: deep
/// searches, with many paths to the same items used (transpositions) and fillings that
/// one left-out item dominates.
pub(super) fn deep(rng: &mut Rng, case: usize) -> Packing {
    let mut pk = Packing::default();
    let bins = 5 + case % 2;
    for _ in 0..bins {
        pk.cap.push(13.0 + rng.below(5) as f64);
    }
    for _ in 0..13 {
        // Alternately two big items per bin (fragments: deep searches), and small items
        // that one bigger item may replace (set dominance).
        let (s, p) = if (case / 4) % 2 == 0 {
            let s = 5.0 + rng.below(4) as f64;
            (s, 7.0 * s + rng.below(7) as f64)
        } else {
            let s = 2.0 + rng.below(7) as f64;
            (s, 10.0 * s + rng.below(30) as f64)
        };
        pk.size.push(s);
        pk.profit.push(p);
        let mut allowed: Vec<u32> = (0..bins as u32).filter(|_| rng.below(5) != 0).collect();
        if allowed.is_empty() || case % 3 != 0 {
            allowed = (0..bins as u32).collect();
        }
        pk.allowed.push(allowed);
    }
    pk
}
