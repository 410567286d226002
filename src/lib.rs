//! # modstaff
//!
//! Assigns staff to work modules and hours to duties so that as little priority-weighted work
//! as possible stays uncovered — "one person, several posts; one post, several duties".
//!
//! This crate is the library behind the `modstaff` command line and its HTTP service; a
//! Rust service can link it and make the same calls. The plans are the same as the command
//! line's: with the same seed and a work limit (or a search that stops by itself), a solve is
//! deterministic whatever the number of threads.
//!
//! ## Tutorial
//!
//! **Load and validate an instance** from a string with [`parse_instance`],
//! or from a file with [`load_instance`]. Every problem comes back at once as
//! [`Diagnostics`], each with a JSON path, a line and column, and a hint:
//!
//! ```
//! let text = include_str!("../instances/tiny.json");
//! let (instance, warnings) = modstaff::parse_instance(text, "tiny.json").unwrap();
//! assert_eq!(instance.staff.len(), 3);
//! assert!(warnings.0.is_empty());
//!
//! let broken = text.replace(r#""capacity": 20"#, r#""capacity": -20"#);
//! let errors = modstaff::parse_instance(&broken, "tiny.json").unwrap_err();
//! let first = &errors.0[0];
//! assert_eq!(first.path, "staff[2].capacity");
//! assert!(first.to_string().starts_with("tiny.json: staff[2].capacity: "));
//! ```
//!
//! **Solve** with [`solve`] and [`SolveOptions`]: a time limit, threads, a seed, a
//! cancellation token (set it from any thread to stop with the best plan so far), a progress
//! callback and a callback receiving each better plan. The result carries the plan (as in a plan
//! file), the lower bound and why the search stopped:
//!
//! ```
//! use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! use modstaff::{PlanStatus, SolveOptions, StopReason};
//!
//! let (instance, _) = modstaff::parse_instance(include_str!("../instances/tiny.json"), "tiny.json")?;
//! let reports = Arc::new(AtomicUsize::new(0));
//! let seen = reports.clone();
//! let options = SolveOptions {
//!     time_limit: Duration::from_secs(10),
//!     threads: 2,
//!     seed: 0,
//!     cancel: Some(Arc::new(AtomicBool::new(false))),
//!     progress: Some(Arc::new(move |p: &modstaff::Progress| {
//!         assert!(p.bound <= p.best + 1e-9);
//!         seen.fetch_add(1, Ordering::Relaxed);
//!     })),
//!     ..SolveOptions::default()
//! };
//! let solution = modstaff::solve(&instance, &options);
//! let plan = &solution.plan;
//! // The README's optimum: 20 h of weight-4 inspections stay uncovered; it is proven.
//! assert_eq!(plan.objective.coverage, 80.0);
//! assert_eq!(plan.status, PlanStatus::Optimal);
//! assert_eq!(solution.stop, StopReason::Proven);
//! assert!(reports.load(Ordering::Relaxed) >= 1);
//! # Ok::<(), modstaff::Diagnostics>(())
//! ```
//!
//! **Check a plan** with [`check`], the independent checker (it shares no code with the
//! solver). A plan read from a file or a request goes through [`parse_plan`] first; it may be
//! minimal (posts and assignments), and [`complete_plan`] recomputes the rest:
//!
//! ```
//! # let (instance, _) = modstaff::parse_instance(include_str!("../instances/tiny.json"), "tiny.json")?;
//! # let plan = modstaff::solve(&instance, &modstaff::SolveOptions::default()).plan;
//! let report = modstaff::check(&instance, &plan);
//! assert!(report.is_valid(), "{:?}", report.violations);
//! assert_eq!(report.recomputed.coverage, plan.objective.coverage);
//!
//! let mut wrong = plan.clone();
//! wrong.objective.coverage -= 1.0;
//! assert!(!modstaff::check(&instance, &wrong).is_valid());
//!
//! let json = serde_json::json!({
//!     "posts": plan.posts, "assignments": plan.assignments, "liaisons": plan.liaisons,
//! });
//! let minimal = modstaff::parse_plan(&json.to_string(), "plan.json")?;
//! assert!(modstaff::check_declared(&instance, &minimal).is_valid());
//! let (full, _) = modstaff::complete_plan(&instance, &minimal);
//! assert_eq!(full.objective.coverage, plan.objective.coverage);
//! assert_eq!(full.changes, plan.changes);
//! # Ok::<(), modstaff::Diagnostics>(())
//! ```
//!
//! **Run what-if scenarios** (TOML, `instances/scenarios/README.md`): [`parse_scenarios`]
//! checks them against the baseline, [`batch::run`] solves them in parallel, each
//! warm-started from the baseline plan and measured against it:
//!
//! ```
//! use std::time::Duration;
//!
//! use modstaff::scenario::batch::{self, BatchOptions, Case};
//!
//! # let (base, _) = modstaff::parse_instance(include_str!("../instances/tiny.json"), "tiny.json")?;
//! let toml = r#"
//! [[scenario]]
//! name = "Cai leaves"
//! remove_staff = { ids = ["cai"] }
//! "#;
//! let scenarios = modstaff::parse_scenarios(toml, "what-if.toml", &base)?;
//! let cases: Vec<Case> = scenarios
//!     .iter()
//!     .map(|s| Ok(Case { name: s.name.clone(), instance: s.apply(&base)? }))
//!     .collect::<Result<_, modstaff::Diagnostics>>()?;
//! let solve = modstaff::SolveOptions { time_limit: Duration::from_secs(10), ..Default::default() };
//! let baseline = batch::solve_baseline(&base, &solve);
//! let options = BatchOptions { solve, jobs: 2, shard: None, progress: None, cancel: None };
//! let outcomes = batch::run(&base, &baseline.plan, &cases, &options);
//! assert_eq!(outcomes[0].name, "Cai leaves");
//! // Without Cai, less work can be covered.
//! assert!(outcomes[0].coverage_change > 0.0);
//! # Ok::<(), modstaff::Diagnostics>(())
//! ```
//!
//! `examples/embed.rs` embeds the solver in a program: it solves a file in the background,
//! prints progress and cancels on a deadline.
//!
//! ## Layers
//!
//! The crate is layered; dependencies point one way:
//! - [`model`]: the validated [`Instance`], [`Plan`] and the independent checker
//!   [`model::verify`];
//! - [`io`]: instance and plan files, validation with path-precise [`Diagnostic`]s;
//! - [`sheets`]: instances as CSV folders or `.xlsx` workbooks, plans as workbooks;
//! - [`engine`]: the solver; [`scenario`] and [`batch`]: what-if scenarios and batches;
//!   [`explain`]: why a plan leaves what it leaves (from [`model::diagnose`]) and which hire
//!   helps most;
//! - [`report`]: plans, check reports, explanations and diagnostics rendered as table, JSON,
//!   CSV or Markdown, and the HTML report with charts;
//! - `service` (feature `http`, on by default): the HTTP service of `modstaff serve`.
#![deny(missing_docs)]

pub mod engine;
pub mod io;
pub mod model;
pub mod report;
pub mod rng;
pub mod scenario;
#[cfg(feature = "http")]
pub mod service;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use engine::{
    Phase, PhaseFn, PlanFn, Progress, ProgressFn, Solution, SolveOptions, StopReason, solve,
};
pub use io::{
    Diagnostic, Diagnostics, LoadError, Validated, load_instance, load_plan, parse_instance,
    parse_plan, read_plan,
};
pub use model::{
    CheckReport, DeclaredPlan, Instance, Plan, PlanStatus, Violation, complete as complete_plan,
    verify as check, verify_declared as check_declared,
};
pub use scenario::{Scenario, parse_scenarios};
