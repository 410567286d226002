//! # modstaff
//!
//! Assigns staff to work modules and hours to duties so that as little priority-weighted work
//! as possible stays uncovered — "one person, several posts; one post, several duties".
//!
//! The crate is layered; dependencies point one way:
//! - [`model`]: the validated [`model::Instance`], [`model::Plan`] and the independent
//!   checker [`model::verify`];
//! - [`io`]: instance and plan files, validation with path-precise [`io::Diagnostic`]s;
//! - [`report`]: plans, check reports and diagnostics rendered as table, JSON, CSV or Markdown,
//!   and the HTML report with charts;
//! - [`sheets`]: instances as CSV folders or `.xlsx` workbooks, plans as workbooks.
//!
//! ```
//! let text = r#"{
//!   "name": "demo",
//!   "staff":   [{"id": "p1", "capacity": 10}],
//!   "modules": [{"id": "m1"}],
//!   "duties":  [{"id": "d1", "module": "m1", "hours": 4}]
//! }"#;
//! let (instance, warnings) = modstaff::io::parse_instance(text, "demo.json").unwrap();
//! assert_eq!(instance.staff[0].capacity, 10.0);
//! assert!(warnings.0.is_empty());
//! ```
#![deny(missing_docs)]

pub mod batch;
pub mod build;
pub mod engine;
pub mod explain;
pub mod generate;
pub mod io;
pub mod model;
pub mod report;
pub mod scenario;
pub mod sheets;
