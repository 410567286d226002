//! The vendored microlp's one addition (vendor/microlp/PATCHES.md): adding a batch of
//! constraints to a solved LP gives the optimum of the LP with all of them, as solving it
//! from scratch does.

use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem};
use proptest::prelude::*;

/// A row: its terms (variable, coefficient), its sense and its right-hand side.
type Row = (Vec<(usize, f64)>, ComparisonOp, f64);

fn row(n: usize) -> impl Strategy<Value = Row> {
    (
        prop::collection::vec((0..n, -5i32..=5), 1..=n),
        prop_oneof![Just(ComparisonOp::Ge), Just(ComparisonOp::Le)],
        -10i32..=10,
    )
        .prop_map(|(terms, op, rhs)| {
            let mut seen = [false; 16];
            let terms = terms
                .into_iter()
                .filter(|&(v, _)| !std::mem::replace(&mut seen[v], true))
                .map(|(v, c)| (v, f64::from(c)))
                .collect();
            (terms, op, f64::from(rhs))
        })
}

fn problem(costs: &[i32], rows: &[Row]) -> (Problem, Vec<microlp::Variable>) {
    let mut lp = Problem::new(OptimizationDirection::Minimize);
    let vars: Vec<_> = costs
        .iter()
        .map(|&c| lp.add_var(f64::from(c), (-4.0, 4.0)))
        .collect();
    for (terms, op, rhs) in rows {
        lp.add_constraint(expr(&vars, terms), *op, *rhs);
    }
    (lp, vars)
}

fn expr(vars: &[microlp::Variable], terms: &[(usize, f64)]) -> LinearExpr {
    let mut e = LinearExpr::empty();
    for &(v, c) in terms {
        e.add(vars[v], c);
    }
    e
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn a_batch_of_constraints_reaches_the_optimum_of_solving_from_scratch(
        costs in prop::collection::vec(-5i32..=5, 6),
        base in prop::collection::vec(row(6), 0..6),
        extra in prop::collection::vec(row(6), 1..12),
    ) {
        let all: Vec<Row> = base.iter().chain(&extra).cloned().collect();
        let (lp, _) = problem(&costs, &all);
        let scratch = lp.solve().ok().and_then(|o| o.into_solution().ok());

        let (lp, vars) = problem(&costs, &base);
        let solved = lp.solve().ok().and_then(|o| o.into_solution().ok());
        // Batches are added to solved problems only.
        prop_assume!(solved.is_some());
        let solved = solved.expect("assumed");
        let batch = extra.iter().map(|(t, op, rhs)| (expr(&vars, t), *op, *rhs));
        let batched = solved.add_constraints(batch).ok().and_then(|o| o.into_solution().ok());

        match (scratch, batched) {
            (Some(a), Some(b)) => {
                prop_assert!((a.objective() - b.objective()).abs() < 1e-6,
                    "from scratch {} against batch {}", a.objective(), b.objective());
                for (terms, op, rhs) in &all {
                    let lhs: f64 = terms.iter().map(|&(v, c)| c * b.var_value(vars[v])).sum();
                    let ok = match op {
                        ComparisonOp::Ge => lhs >= rhs - 1e-6,
                        ComparisonOp::Le => lhs <= rhs + 1e-6,
                        ComparisonOp::Eq => (lhs - rhs).abs() <= 1e-6,
                    };
                    prop_assert!(ok, "row violated: {lhs} {op:?} {rhs}");
                }
            }
            (None, None) => {}
            (a, b) => prop_assert!(false, "feasibility differs: scratch {} batch {}", a.is_some(), b.is_some()),
        }
    }
}
