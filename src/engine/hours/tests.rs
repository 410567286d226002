//! The oracle against an LP, a MIP and brute force on random instances.

use std::collections::BTreeMap;
use std::time::Instant;

use good_lp::{
    Expression, ProblemVariables, Solution, SolverModel, Variable, default_solver, variable,
};

use super::*;
use crate::engine::posts::Posts;
use crate::io::{RawDuty, RawInstance, RawModule, RawStaff, validate};
use crate::model::ModuleIdx;

/// Hours for `posts` with the given people on non-splittable duties, from a fresh oracle.
fn splittable_hours(inst: &Instance, posts: &Posts, fixed: &[Option<StaffIdx>]) -> Hours {
    HoursOracle::new(inst).splittable_hours(posts, fixed)
}

/// The best hours for `posts` with the default effort, from a fresh oracle.
fn best_hours(inst: &Instance, posts: &Posts) -> Hours {
    HoursOracle::new(inst).best_hours(posts, &BestOptions::default())
}

/// SplitMix64: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `lo..hi`, on a half-hour grid when `grid`.
    fn hours(&mut self, lo: f64, hi: f64, grid: bool) -> f64 {
        let v = lo + (hi - lo) * self.unit();
        if grid {
            (v * 2.0).round().max(1.0) / 2.0
        } else {
            v
        }
    }
}

#[derive(Clone, Copy)]
struct Shape {
    staff: usize,
    modules: usize,
    duties: usize,
    skills: usize,
    nonsplit: f64,
    cap: (f64, f64),
    hours: (f64, f64),
    /// Distinct integer weights 1..=n; 0 for continuous weights.
    weights: usize,
    grid: bool,
}

impl Shape {
    fn small(staff: usize, duties: usize, nonsplit: f64) -> Self {
        Self {
            staff,
            modules: (duties / 3).max(1),
            duties,
            skills: 3,
            nonsplit,
            cap: (4.0, 20.0),
            hours: (1.0, 12.0),
            weights: 4,
            grid: true,
        }
    }
}

fn random_instance(rng: &mut Rng, s: Shape) -> Instance {
    let module_id = |m: usize| format!("m{m}");
    let skill_id = |k: usize| format!("s{k}");
    let staff = (0..s.staff)
        .map(|p| {
            let mut skills = BTreeMap::new();
            for k in 0..s.skills {
                if rng.chance(0.5) {
                    skills.insert(skill_id(k), 1 + rng.below(5) as i64);
                }
            }
            let unavailable = (0..s.modules)
                .filter(|_| rng.chance(0.05))
                .map(module_id)
                .collect();
            RawStaff {
                id: format!("p{p}"),
                name: None,
                unit: None,
                capacity: Some(rng.hours(s.cap.0, s.cap.1, s.grid)),
                skills,
                max_posts: None,
                max_liaisons: None,
                current_posts: Vec::new(),
                fixed_posts: Vec::new(),
                unavailable,
            }
        })
        .collect();
    let modules = (0..s.modules)
        .map(|m| RawModule {
            id: module_id(m),
            name: None,
            unit: None,
            min_staff: None,
            max_staff: None,
            counterparts: Vec::new(),
        })
        .collect();
    let duties = (0..s.duties)
        .map(|d| {
            let skill = rng.chance(0.7).then(|| skill_id(rng.below(s.skills)));
            let weight = if s.weights == 0 {
                rng.hours(0.5, 10.0, false)
            } else {
                (1 + rng.below(s.weights)) as f64
            };
            RawDuty {
                id: format!("d{d}"),
                module: module_id(if d < s.modules {
                    d
                } else {
                    rng.below(s.modules)
                }),
                name: None,
                hours: rng.hours(s.hours.0, s.hours.1, s.grid),
                min_level: skill.is_some().then(|| 1 + rng.below(3) as i64),
                skill,
                weight: Some(weight),
                splittable: Some(!rng.chance(s.nonsplit)),
                tags: Vec::new(),
            }
        })
        .collect();
    let raw = RawInstance {
        name: "random".into(),
        description: None,
        skills: None,
        units: Vec::new(),
        counterparts: Vec::new(),
        staff,
        modules,
        duties,
        rules: None,
    };
    validate(&raw).expect("a valid random instance").0
}

/// Up to `max_posts` random posts per person, qualified or not (the oracle must cope).
fn random_posts(rng: &mut Rng, inst: &Instance, max_posts: usize) -> Posts {
    let mut posts = Posts::new(inst.staff.len());
    for p in inst.staff_indices() {
        for _ in 0..rng.below(max_posts + 1) {
            posts.add(p, ModuleIdx::from(rng.below(inst.modules.len())));
        }
    }
    posts
}

/// Eligibility re-derived from the instance, independently of the oracle.
fn eligible(inst: &Instance, posts: &Posts, p: StaffIdx, d: DutyIdx) -> bool {
    let m = inst.duty(d).module;
    posts.holds(p, m) && inst.qualifies(p, m) && inst.can_do(p, d)
}

/// Checks every rule the hours must obey and that the totals add up.
fn check(inst: &Instance, posts: &Posts, h: &Hours) {
    let mut load = vec![0.0; inst.staff.len()];
    let mut covered = vec![0.0; inst.duties.len()];
    let mut rows = vec![0usize; inst.duties.len()];
    for (k, &(p, d, v)) in h.x.iter().enumerate() {
        assert!(v > 0.0 && v.is_finite(), "hours {v}");
        assert!(eligible(inst, posts, p, d), "{p:?} may not work on {d:?}");
        if k > 0 {
            let (p0, d0, _) = h.x[k - 1];
            assert!(
                (d0, p0) < (d, p),
                "rows sorted by duty then person, no repeats"
            );
        }
        load[p.index()] += v;
        covered[d.index()] += v;
        rows[d.index()] += 1;
    }
    for (p, person) in inst.staff.iter().enumerate() {
        assert!(load[p] <= person.capacity + 1e-7, "over capacity");
        assert!((load[p] - h.load[p]).abs() <= 1e-9);
    }
    let mut value = 0.0;
    for (d, duty) in inst.duties.iter().enumerate() {
        assert!(covered[d] <= duty.hours + 1e-9, "duty over its hours");
        assert!(h.uncovered[d] >= 0.0);
        assert!((duty.hours - covered[d] - h.uncovered[d]).abs() <= 1e-9);
        if duty.splittable {
            assert_eq!(h.assigned[d], None);
        } else {
            assert!(rows[d] <= 1, "non-splittable duty shared");
            if rows[d] == 1 {
                assert_eq!(covered[d], duty.hours, "non-splittable duty done partly");
            }
            let by = h.x.iter().find(|r| r.1.index() == d).map(|r| r.0);
            assert_eq!(h.assigned[d], by);
        }
        value += duty.weight * h.uncovered[d];
    }
    assert!((value - h.value).abs() <= 1e-9 * value.max(1.0));
}

/// The hours LP (non-splittable duties as splittable), solved by microlp.
fn lp_value(inst: &Instance, posts: &Posts) -> f64 {
    let mut vars = ProblemVariables::new();
    let mut per_duty: Vec<Expression> = vec![Expression::from(0.0); inst.duties.len()];
    let mut per_person: Vec<Expression> = vec![Expression::from(0.0); inst.staff.len()];
    for p in inst.staff_indices() {
        for d in inst.duty_indices() {
            if eligible(inst, posts, p, d) {
                let x = vars.add(variable().min(0.0));
                per_duty[d.index()] += x;
                per_person[p.index()] += x;
            }
        }
    }
    let u: Vec<Variable> = inst
        .duties
        .iter()
        .map(|duty| vars.add(variable().min(0.0).max(duty.hours)))
        .collect();
    let objective: Expression = inst
        .duties
        .iter()
        .zip(&u)
        .map(|(duty, &u)| duty.weight * u)
        .sum();
    let mut model = vars.minimise(objective.clone()).using(default_solver);
    for (d, duty) in inst.duties.iter().enumerate() {
        model = model.with((per_duty[d].clone() + u[d]).eq(duty.hours));
    }
    for (p, person) in inst.staff.iter().enumerate() {
        model = model.with(per_person[p].clone().leq(person.capacity));
    }
    model.solve().expect("the hours LP solves").eval(&objective)
}

/// The hours MIP with non-splittable duties as binaries, solved by microlp.
fn mip_value(inst: &Instance, posts: &Posts) -> f64 {
    let mut vars = ProblemVariables::new();
    let mut per_duty: Vec<Expression> = vec![Expression::from(0.0); inst.duties.len()];
    let mut per_person: Vec<Expression> = vec![Expression::from(0.0); inst.staff.len()];
    for p in inst.staff_indices() {
        for d in inst.duty_indices() {
            if eligible(inst, posts, p, d) {
                let duty = inst.duty(d);
                if duty.splittable {
                    let x = vars.add(variable().min(0.0));
                    per_duty[d.index()] += x;
                    per_person[p.index()] += x;
                } else {
                    let z = vars.add(variable().binary());
                    per_duty[d.index()] += duty.hours * z;
                    per_person[p.index()] += duty.hours * z;
                }
            }
        }
    }
    let u: Vec<Variable> = inst
        .duties
        .iter()
        .map(|duty| vars.add(variable().min(0.0).max(duty.hours)))
        .collect();
    let objective: Expression = inst
        .duties
        .iter()
        .zip(&u)
        .map(|(duty, &u)| duty.weight * u)
        .sum();
    let mut model = vars.minimise(objective.clone()).using(default_solver);
    for (d, duty) in inst.duties.iter().enumerate() {
        model = model.with((per_duty[d].clone() + u[d]).eq(duty.hours));
    }
    for (p, person) in inst.staff.iter().enumerate() {
        model = model.with(per_person[p].clone().leq(person.capacity));
    }
    model
        .solve()
        .expect("the hours MIP solves")
        .eval(&objective)
}

/// The least value over every assignment of the non-splittable duties.
fn brute_force(inst: &Instance, posts: &Posts) -> f64 {
    let nonsplit: Vec<DutyIdx> = inst
        .duty_indices()
        .filter(|&d| !inst.duty(d).splittable)
        .collect();
    let options: Vec<Vec<Option<StaffIdx>>> = nonsplit
        .iter()
        .map(|&d| {
            std::iter::once(None)
                .chain(
                    inst.staff_indices()
                        .filter(|&p| eligible(inst, posts, p, d))
                        .map(Some),
                )
                .collect()
        })
        .collect();
    let mut oracle = HoursOracle::new(inst);
    let mut fixed = vec![None; inst.duties.len()];
    let mut pick = vec![0usize; nonsplit.len()];
    let mut best = f64::INFINITY;
    loop {
        let mut used = vec![0.0; inst.staff.len()];
        for (i, &d) in nonsplit.iter().enumerate() {
            fixed[d.index()] = options[i][pick[i]];
            if let Some(p) = fixed[d.index()] {
                used[p.index()] += inst.duty(d).hours;
            }
        }
        if inst
            .staff
            .iter()
            .zip(&used)
            .all(|(person, &u)| u <= person.capacity + 1e-12)
        {
            let h = oracle.splittable_hours(posts, &fixed);
            assert_eq!(h.assigned, fixed, "a feasible assignment is honoured");
            best = best.min(h.value);
        }
        // Next combination (odometer).
        let mut i = 0;
        loop {
            if i == pick.len() {
                return best;
            }
            pick[i] += 1;
            if pick[i] < options[i].len() {
                break;
            }
            pick[i] = 0;
            i += 1;
        }
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn splittable_matches_the_lp() {
    let mut rng = Rng(1);
    for case in 0..150 {
        let staff = 2 + rng.below(10);
        let duties = 1 + rng.below(20);
        let mut shape = Shape::small(staff, duties, 0.0);
        shape.weights = [0, 1, 3, 8][case % 4];
        shape.grid = case % 3 != 0;
        if case % 5 == 0 {
            shape.cap = (1.0, 6.0); // tight: rerouting and dead marks
        }
        let inst = random_instance(&mut rng, shape);
        let posts = random_posts(&mut rng, &inst, 3);
        let h = splittable_hours(&inst, &posts, &[]);
        check(&inst, &posts, &h);
        assert!(h.optimal);
        let lp = lp_value(&inst, &posts);
        assert!(
            close(h.value, lp, 1e-6),
            "case {case}: flow {} lp {lp}",
            h.value
        );
        let mut oracle = HoursOracle::new(&inst);
        assert!(close(oracle.splittable_value(&posts, &[]), h.value, 1e-9));
    }
}

#[test]
fn medium_splittable_matches_the_lp() {
    let mut rng = Rng(2);
    for case in 0..4 {
        let mut shape = Shape::small(40, 80, 0.0);
        shape.weights = [0, 5, 2, 10][case];
        shape.cap = if case % 2 == 0 {
            (2.0, 15.0)
        } else {
            (5.0, 40.0)
        };
        let inst = random_instance(&mut rng, shape);
        let posts = random_posts(&mut rng, &inst, 3);
        let h = splittable_hours(&inst, &posts, &[]);
        check(&inst, &posts, &h);
        let lp = lp_value(&inst, &posts);
        assert!(
            close(h.value, lp, 1e-6),
            "case {case}: flow {} lp {lp}",
            h.value
        );
    }
}

#[test]
fn best_hours_matches_brute_force() {
    let mut rng = Rng(3);
    let (mut checked, mut greedy_misses, mut local_misses) = (0, 0, 0);
    for case in 0..300 {
        let staff = 2 + rng.below(4);
        let duties = 2 + rng.below(7);
        let mut shape = Shape::small(staff, duties, 0.6);
        shape.modules = 1 + rng.below(3);
        if case % 2 == 0 {
            shape.hours = (2.0, 16.0); // tight: the greedy goes wrong more often
        }
        shape.weights = [0, 1, 3][case % 3];
        let inst = random_instance(&mut rng, shape);
        let posts = random_posts(&mut rng, &inst, 2);
        let combos: f64 = inst
            .duty_indices()
            .filter(|&d| !inst.duty(d).splittable)
            .map(|d| {
                1.0 + inst
                    .staff_indices()
                    .filter(|&p| eligible(&inst, &posts, p, d))
                    .count() as f64
            })
            .product();
        if combos > 5000.0 {
            continue;
        }
        checked += 1;
        let best = best_hours(&inst, &posts);
        check(&inst, &posts, &best);
        assert!(best.optimal, "case {case}: small cases are solved exactly");
        let brute = brute_force(&inst, &posts);
        assert!(
            close(best.value, brute, 1e-6),
            "case {case}: best_hours {} brute force {brute}",
            best.value
        );
        // The greedy alone is valid and never beats the optimum.
        let mut oracle = HoursOracle::new(&inst);
        let greedy = oracle.best_hours(&posts, &BestOptions::greedy());
        check(&inst, &posts, &greedy);
        assert!(greedy.value >= brute - 1e-6);
        greedy_misses += usize::from(greedy.value > brute + 1e-6);
        // Branch and bound alone, from the greedy, is exact too.
        let exact = BestOptions {
            local_search_evals: 0,
            ..BestOptions::default()
        };
        let bnb = oracle.best_hours(&posts, &exact);
        check(&inst, &posts, &bnb);
        assert!(bnb.optimal);
        assert!(
            close(bnb.value, brute, 1e-6),
            "case {case}: branch and bound {} brute force {brute}",
            bnb.value
        );
        // The local search alone never does worse than the greedy.
        let local = BestOptions {
            exact_max_duties: 0,
            exact_max_nodes: 0,
            ..BestOptions::default()
        };
        let ls = oracle.best_hours(&posts, &local);
        check(&inst, &posts, &ls);
        assert!(ls.value <= greedy.value + 1e-6 && ls.value >= brute - 1e-6);
        local_misses += usize::from(ls.value > brute + 1e-6);
        // The assignment reproduces the hours.
        let again = oracle.splittable_hours(&posts, &best.assigned);
        assert!(close(again.value, best.value, 1e-9));
    }
    assert!(checked > 200, "only {checked} cases small enough");
    // The exact part must have had something to fix.
    assert!(
        greedy_misses > 10,
        "greedy missed {greedy_misses}, local search {local_misses} of {checked}"
    );
}

#[test]
fn best_hours_matches_the_mip() {
    let mut rng = Rng(4);
    for case in 0..12 {
        let mut shape = Shape::small(5 + rng.below(4), 10 + rng.below(8), 0.5);
        shape.weights = [0, 2, 5][case % 3];
        let inst = random_instance(&mut rng, shape);
        let posts = random_posts(&mut rng, &inst, 3);
        let best = best_hours(&inst, &posts);
        check(&inst, &posts, &best);
        let mip = mip_value(&inst, &posts);
        if best.optimal {
            assert!(
                close(best.value, mip, 1e-6),
                "case {case}: {} vs mip {mip}",
                best.value
            );
        } else {
            assert!(best.value >= mip - 1e-6);
        }
    }
}

#[test]
fn fixed_assignments_are_honoured_or_dropped() {
    let mut rng = Rng(5);
    for _ in 0..100 {
        let inst = random_instance(&mut rng, Shape::small(4, 10, 0.5));
        let posts = random_posts(&mut rng, &inst, 3);
        // Random people, eligible or not, fitting or not.
        let fixed: Vec<Option<StaffIdx>> = inst
            .duty_indices()
            .map(|_| {
                rng.chance(0.7)
                    .then(|| StaffIdx::from(rng.below(inst.staff.len())))
            })
            .collect();
        let h = splittable_hours(&inst, &posts, &fixed);
        check(&inst, &posts, &h);
        for (d, duty) in inst.duties.iter().enumerate() {
            if let Some(p) = h.assigned[d] {
                assert!(!duty.splittable && fixed[d] == Some(p));
            }
        }
    }
}

#[test]
fn greedy_reroutes_to_place_non_splittable_duties() {
    // p1 can do everything, p2 only d1. d1 (splittable, heavier) goes to p1 first; the
    // non-splittable d2 then needs p1 whole, so d1 must move to p2.
    let text = r#"{
      "name": "reroute",
      "staff":   [{"id": "p1", "capacity": 10, "skills": {"a": 1}},
                  {"id": "p2", "capacity": 10}],
      "modules": [{"id": "m1"}],
      "duties":  [{"id": "d1", "module": "m1", "hours": 6, "weight": 5},
                  {"id": "d2", "module": "m1", "hours": 10, "weight": 2, "skill": "a",
                   "splittable": false}]
    }"#;
    let (inst, _) = crate::io::parse_instance(text, "reroute.json").unwrap();
    let posts = Posts::from_pairs(
        2,
        [(StaffIdx(0), ModuleIdx(0)), (StaffIdx(1), ModuleIdx(0))],
    );
    let mut oracle = HoursOracle::new(&inst);
    let h = oracle.best_hours(&posts, &BestOptions::greedy());
    check(&inst, &posts, &h);
    assert_eq!(h.value, 0.0);
    assert_eq!(h.assigned, vec![None, Some(StaffIdx(0))]);
    assert_eq!(
        h.x,
        vec![
            (StaffIdx(1), DutyIdx(0), 6.0),
            (StaffIdx(0), DutyIdx(1), 10.0)
        ]
    );
}

/// A realistic shape: modules of ~6 duties, 3 posts per person among modules they qualify
/// for, total hours about `load` times total capacity.
fn realistic(
    rng: &mut Rng,
    staff: usize,
    duties: usize,
    nonsplit: f64,
    load: f64,
) -> (Instance, Posts) {
    let shape = Shape {
        staff,
        modules: duties / 6,
        duties,
        skills: 8,
        nonsplit,
        cap: (20.0, 40.0),
        hours: (
            1.0,
            1.0 + 2.0 * (load * 30.0 * staff as f64 / duties as f64 - 1.0),
        ),
        weights: 10,
        grid: true,
    };
    let inst = random_instance(rng, shape);
    let mut posts = Posts::new(staff);
    for p in inst.staff_indices() {
        let mut tries = 0;
        while posts.of(p).len() < 3 && tries < 50 {
            let m = ModuleIdx::from(rng.below(inst.modules.len()));
            if inst.qualifies(p, m) {
                posts.add(p, m);
            }
            tries += 1;
        }
    }
    (inst, posts)
}

fn time<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut out = f();
    let start = Instant::now();
    for _ in 0..reps {
        out = f();
    }
    (start.elapsed().as_secs_f64() * 1e3 / reps as f64, out)
}

/// `cargo test --release --lib engine::hours::tests::timing -- --ignored --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn timing() {
    let mut rng = Rng(6);
    for &(staff, duties, reps) in &[(300, 600, 50), (2000, 4000, 5)] {
        for &load in &[0.7, 1.3] {
            for &nonsplit in &[0.0, 0.2] {
                let (inst, posts) = realistic(&mut rng, staff, duties, nonsplit, load);
                let mut oracle = HoursOracle::new(&inst);
                let (t_split, h) = time(reps, || oracle.splittable_hours(&posts, &[]));
                let (t_value, _) = time(reps, || oracle.splittable_value(&posts, &[]));
                let (t_greedy, g) =
                    time(reps, || oracle.best_hours(&posts, &BestOptions::greedy()));
                let (t_best, b) = time(1, || oracle.best_hours(&posts, &BestOptions::default()));
                let work = oracle.work;
                check(&inst, &posts, &g);
                check(&inst, &posts, &b);
                println!(
                    "{staff}x{duties} load {load} nonsplit {nonsplit}: arcs {} | \
                     splittable_hours {t_split:.2} ms (value {:.1}), splittable_value \
                     {t_value:.2} ms | best greedy {t_greedy:.2} ms (value {:.1}) | best \
                     default {t_best:.1} ms (value {:.1}, optimal {}, {:.0} work/ms)",
                    oracle.net.x.len(),
                    h.value,
                    g.value,
                    b.value,
                    b.optimal,
                    work as f64 / t_best,
                );
            }
        }
    }
}
