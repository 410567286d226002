//! The branch and bound alone, against brute force and dynamic programmes.

use super::*;
use crate::engine::packing::testing::{brute, deep, hard, node_prices, unbounded_branch};
use crate::rng::Rng;

/// The branch and bound alone, from an empty packing (no heuristic, no bound from the
/// Lagrangian): its path-symmetry and dominance pruning keep an optimum.
#[test]
fn branch_and_bound_alone_finds_the_optimum() {
    let mut rng = Rng::new(11);
    for case in 0..600 {
        let pk = hard(&mut rng, case);
        let exact = brute(&pk);
        let empty = Solver::new(&pk);
        // Half with node bounds at the pooled Lagrangian's prices.
        let prices = node_prices(&pk, case % 2 == 1);
        let fresh = || unbounded_branch(&pk, &empty, prices.as_ref());
        let mut bb = fresh();
        bb.run();
        assert!(!bb.aborted);
        assert!(
            (bb.best_profit - exact).abs() < 1e-6,
            "case {case}: {} vs {exact}",
            bb.best_profit
        );
        // Searching above a target just below the optimum (as the target searches do):
        // only optimal packings count, so nothing may prune them.
        let mut bb = fresh();
        bb.whole = false;
        bb.best_profit = exact - 0.5;
        // Half with the optimum as the ceiling: the search stops at an optimal packing.
        if case % 4 < 2 {
            bb.ceiling = exact;
        }
        bb.run();
        assert!(
            (bb.best_profit - exact).abs() < 1e-6,
            "case {case}, target search: {} vs {exact}",
            bb.best_profit
        );
        let profit: f64 = (0..pk.n())
            .filter(|&j| bb.best_assign[j].is_some())
            .map(|j| pk.profit[j])
            .sum();
        assert!(
            (profit - exact).abs() < 1e-6,
            "case {case}: its packing is optimal"
        );
    }
}

/// The best profit of each set of items (bit mask) in the bins `bins[i..]`, per position
/// `i` (dynamic programming from the last bin, 3^n per bin).
fn completions(pk: &Packing, bins: &[usize]) -> Vec<Vec<f64>> {
    let n = pk.n();
    let full = 1_usize << n;
    let mut g = vec![vec![0.0; full]; bins.len() + 1];
    for (i, &b) in bins.iter().enumerate().rev() {
        let mut fits = vec![true; full];
        let mut size = vec![0.0; full];
        let mut profit = vec![0.0; full];
        for set in 1..full {
            let j = set.trailing_zeros() as usize;
            let rest = set & (set - 1);
            size[set] = size[rest] + pk.size[j];
            profit[set] = profit[rest] + pk.profit[j];
            fits[set] = fits[rest]
                && pk.allowed[j].contains(&(b as u32))
                && size[set] <= pk.cap[b] + FIT_TOL;
        }
        for items in 0..full {
            let mut v = g[i + 1][items];
            let mut set = items;
            while set != 0 {
                if fits[set] {
                    v = f64::max(v, profit[set] + g[i + 1][items ^ set]);
                }
                set = (set - 1) & items;
            }
            g[i][items] = v;
        }
    }
    g
}

/// The branch and bound alone on deep searches (see [`deep`]), against dynamic programs:
/// it finds the optimum (transpositions, skipped candidates and set dominance keep one),
/// and every node it remembers as searched has no completion that beats its best.
#[test]
fn branch_and_bound_alone_solves_deep_packings() {
    let mut rng = Rng::new(17);
    let mut remembered = 0;
    for case in 0..120 {
        let pk = deep(&mut rng, case);
        let empty = Solver::new(&pk);
        let prices = node_prices(&pk, case % 2 == 1);
        let mut bb = unbounded_branch(&pk, &empty, prices.as_ref());
        let g = completions(&pk, &bb.bins);
        let all = (1 << pk.n()) - 1;
        let exact = g[0][all];
        // Half from an empty packing, half above a target just below the optimum (only
        // optimal packings beat it: nothing may prune them all).
        if case % 4 < 2 {
            bb.whole = false;
            bb.best_profit = exact - 0.5;
        }
        bb.run();
        assert!(!bb.aborted);
        assert!(
            (bb.best_profit - exact).abs() < 1e-6,
            "case {case}: {} vs {exact}",
            bb.best_profit
        );
        for &key in &bb.searched {
            let i = (key & 0xff) as usize;
            let used = (key >> 8) as usize;
            let profit: f64 = (0..pk.n())
                .filter(|&j| used >> j & 1 == 1)
                .map(|j| pk.profit[j])
                .sum();
            assert!(
                profit + g[i][all ^ used] <= bb.best_profit + 1e-9,
                "case {case}: a node at {i} remembered as searched has a better completion"
            );
            remembered += 1;
        }
    }
    // The transpositions were exercised.
    assert!(remembered > 500, "{remembered}");
}

#[test]
fn musts_fall_due_at_their_last_bin_that_fits() {
    let pk = Packing {
        cap: vec![20.0, 5.0, 10.0],
        size: vec![4.0, 15.0, 3.0],
        profit: vec![4.0, 15.0, 3.0],
        allowed: vec![vec![1, 2], vec![0, 1, 2], vec![0]],
    };
    let none = Solver::new(&pk);
    let mut bb = Branch::new(
        &pk,
        &none,
        Effort {
            nodes: 10,
            deadline: None,
        },
    );
    bb.set_musts(&[true, true, false]);
    // Bins by capacity: 5 (bin 1), 10 (bin 2), 20 (bin 0); item 1 fits only bin 0.
    assert_eq!(bb.due, vec![vec![], vec![0], vec![1]]);
    assert!(bb.overdue(1) && !bb.overdue(0));
    bb.used[0] = true;
    assert!(!bb.overdue(1) && bb.overdue(2));
}
