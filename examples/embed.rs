//! Embeds the solver in a program: load and validate an instance, solve it on a background
//! thread with progress reports and a cancellation token, check the plan, print a summary.
//!
//! Run: `cargo run --release --example embed -- instances/longgang-agri.json 5`
//! (instance file, then seconds before the program cancels the solve; both optional).

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use modstaff::{LoadError, Progress, SolveOptions};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "instances/longgang-agri.json".into());
    let patience: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(5.0);

    // Invalid input comes back as every problem found, each with its path and position.
    let (instance, warnings) = match modstaff::load_instance(path.as_ref()) {
        Ok(v) => v,
        Err(LoadError::Invalid { diagnostics, .. }) => {
            eprint!("{diagnostics}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    eprint!("{warnings}");

    // The token is an `AtomicBool`: whoever holds a clone can stop the search, which then
    // returns its best plan so far.
    let cancel = Arc::new(AtomicBool::new(false));
    let options = SolveOptions {
        time_limit: Duration::from_secs(60),
        seed: 0,
        cancel: Some(cancel.clone()),
        progress: Some(Arc::new(|p: &Progress| {
            eprintln!(
                "{:>6.2} s  best {:.2}  bound {:.2}  gap {:.2}%",
                p.elapsed,
                p.best,
                p.bound,
                p.gap * 100.0
            );
        })),
        ..SolveOptions::default()
    };
    let solver = {
        let instance = instance.clone();
        std::thread::spawn(move || modstaff::solve(&instance, &options))
    };
    // The host program decides when it has waited long enough.
    let deadline = std::time::Instant::now() + Duration::from_secs_f64(patience.max(0.0));
    while !solver.is_finished() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    cancel.store(true, Ordering::SeqCst);
    let Ok(solution) = solver.join() else {
        eprintln!("error: the solver panicked");
        return ExitCode::FAILURE;
    };

    let report = modstaff::check(&instance, &solution.plan);
    let plan = &solution.plan;
    println!(
        "{}: {} ({}), coverage {:.2}, bound {:.2}, {} posts, {} uncovered duties; check: {}",
        plan.instance,
        plan.status.as_str(),
        solution.stop.as_str(),
        plan.objective.coverage,
        solution.bound,
        plan.posts.len(),
        plan.uncovered.len(),
        if report.is_valid() {
            "valid"
        } else {
            "NOT valid"
        }
    );
    if report.is_valid() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
