//! `modstaff serve [--addr 127.0.0.1:8080] [--workers N] [--queue N] [--max-body BYTES]
//! [--max-time-limit S] [--read-timeout S] [--token-file F] [--insecure]`: flags only; the service is
//! `modstaff::service`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use modstaff::service::{Config, serve};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Address to listen on (port 0 picks a free port; the log's first line tells which)
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Solves running at once [default: available cores]
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// Solves waiting for a worker; beyond, requests get 429
    #[arg(long, value_name = "N", default_value_t = 16)]
    queue: usize,
    /// Threads of each solve [default: cores / workers]; plans do not depend on it
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Largest request body, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    max_body: usize,
    /// Cap on the `time_limit` of /v1/solve and /v1/whatif, in seconds
    #[arg(long, value_name = "S", default_value_t = 60.0)]
    max_time_limit: f64,
    /// Cap on the `time_limit` of jobs, in seconds
    #[arg(long, value_name = "S", default_value_t = 3600.0)]
    max_job_time: f64,
    /// Seconds finished jobs are kept
    #[arg(long, value_name = "S", default_value_t = 600.0)]
    job_ttl: f64,
    /// Seconds to wait for the next bytes of a request; a connection that stalls longer is
    /// closed (while its head is sent) or answered 408 (while its body is)
    #[arg(long, value_name = "S", default_value_t = 30.0)]
    read_timeout: f64,
    /// File holding the bearer token every /v1 request must carry
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Allow a non-loopback address without a token
    #[arg(long)]
    insecure: bool,
}

fn seconds(flag: &str, value: f64) -> Result<Duration, String> {
    if !(value.is_finite() && value > 0.0) {
        return Err(format!(
            "`--{flag}` must be a number of seconds greater than 0, found {value}"
        ));
    }
    // Deadlines are instants: keep them representable (a year is "no limit" in practice).
    Ok(Duration::try_from_secs_f64(value)
        .unwrap_or(Duration::MAX)
        .min(Duration::from_secs(365 * 24 * 3600)))
}

/// The settings, or a message for exit code 2.
fn settings(args: &Args) -> Result<Config, String> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let workers = args.workers.unwrap_or(cores);
    let max_time_limit = seconds("max-time-limit", args.max_time_limit)?;
    let token = match &args.token_file {
        None => None,
        Some(path) => {
            let text = fs_err::read_to_string(path).map_err(|e| e.to_string())?;
            let token = text.trim();
            if token.is_empty() {
                return Err(format!("the token file `{}` is empty", path.display()));
            }
            Some(token.to_owned())
        }
    };
    let config = Config {
        addr: args.addr,
        workers,
        queue: args.queue,
        threads: args.threads.unwrap_or((cores / workers.max(1)).max(1)),
        max_body: args.max_body,
        max_time_limit,
        max_job_time: seconds("max-job-time", args.max_job_time)?,
        job_ttl: seconds("job-ttl", args.job_ttl)?,
        request_timeout: max_time_limit * 2 + Duration::from_secs(30),
        read_timeout: seconds("read-timeout", args.read_timeout)?,
        token,
        insecure: args.insecure,
        ..Config::default()
    };
    config.check().map_err(|e| e.to_string())?;
    Ok(config)
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let config = match settings(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(config.addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot listen on `{}`: {e}", config.addr);
                return Ok(ExitCode::from(2));
            }
        };
        serve(listener, config, shutdown_signal()).await?;
        Ok(ExitCode::SUCCESS)
    })
}
