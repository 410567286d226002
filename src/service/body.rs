//! Reading requests: the body within its limits (size, read timeout, JSON depth), the
//! request wrapper and its `instance` member decoded as the files are, with problems placed
//! in the body; and what the handlers share around the worker pool.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::StatusCode;
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::AppState;
use super::pool::QueueFull;
use super::problem::Problem;
use crate::io::{Diagnostic, Diagnostics, Validated, decode, parse_instance};

impl From<QueueFull> for Problem {
    fn from(q: QueueFull) -> Self {
        let mut p = Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "queue-full",
            "Queue full",
            format!(
                "{} solves are queued or running, the most this server takes at once; retry later",
                q.in_flight
            ),
        );
        p.in_flight = Some(u32::try_from(q.in_flight).unwrap_or(u32::MAX));
        p.capacity = Some(u32::try_from(q.capacity).unwrap_or(u32::MAX));
        p.retry_after = Some(q.retry_after);
        p
    }
}

pub(super) fn internal(detail: &str) -> Problem {
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Internal error",
        format!("{detail}: this is a bug, please report it with the request"),
    )
}

/// Sets a cancellation flag when dropped: a request abandoned by its client (or by its
/// deadline) stops its solve.
pub(super) struct CancelOnDrop(pub(super) Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Runs CPU work (decoding, validating, checking) off the async threads.
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|_| Err(internal("decoding the request failed")))
}

/// Deepest nesting of arrays and objects in JSON text (strings skipped).
pub(super) fn json_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0_usize, 0_usize);
    let (mut in_string, mut escaped) = (false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Bytes of an oversized body read and dropped before answering 413, so that a client still
/// sending gets the answer instead of a broken pipe; beyond this the connection is cut.
const DRAIN: usize = 8 << 20;

/// Reads the body within the size limit, as bytes.
pub(super) async fn read_bytes(state: &AppState, mut body: Body) -> Result<Vec<u8>, Problem> {
    let limit = state.config.max_body;
    let mut bytes = Vec::new();
    let mut seen = 0_usize;
    let stall = state.config.read_timeout;
    loop {
        // A client that stops sending mid-body must not hold a connection and a buffer for
        // as long as the request deadline (minutes).
        let Ok(next) = tokio::time::timeout(stall, body.frame()).await else {
            return Err(Problem::new(
                StatusCode::REQUEST_TIMEOUT,
                "request-timeout",
                "Request timeout",
                format!(
                    "no bytes of the body arrived for {} s (`--read-timeout`)",
                    stall.as_secs_f64()
                ),
            ));
        };
        let Some(frame) = next else { break };
        let frame = frame.map_err(|e| Problem::malformed(format!("cannot read the body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            seen = seen.saturating_add(data.len());
            if seen <= limit {
                bytes.extend_from_slice(&data);
            } else if seen > limit.saturating_add(DRAIN) {
                break;
            }
        }
    }
    if seen > limit {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "Body too large",
            format!("the request body is larger than {limit} bytes (`--max-body`)"),
        ));
    }
    Ok(bytes)
}

/// JSON text of a body: UTF-8 (a BOM is dropped) within the depth limit.
pub(super) fn json_text(state: &AppState, bytes: &[u8]) -> Result<String, Problem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Problem::malformed(format!(
            "the body is not UTF-8 text (bad byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    let depth = json_depth(text);
    if depth > state.config.max_depth {
        return Err(Problem::malformed(format!(
            "the body nests arrays and objects {depth} deep, more than the {} allowed",
            state.config.max_depth
        )));
    }
    Ok(text.to_owned())
}

/// Reads the body within the size limit, as UTF-8 JSON within the depth limit.
pub(super) async fn read_body(state: &AppState, body: Body) -> Result<String, Problem> {
    let bytes = read_bytes(state, body).await?;
    json_text(state, &bytes)
}

/// Decodes the request wrapper; a problem names the path of the offending member.
pub(super) fn parse_request<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, Problem> {
    decode::typed_json(text).map_err(|mut d| {
        d.file = "request".into();
        Problem::bad_field(*d)
    })
}

/// Labels diagnostics of a member decoded on its own as positions in the whole body: file
/// `request`, path under `member`, lines and columns counted from the body's start.
pub(super) fn relabel(body: &str, member: &RawValue, name: &str, diagnostics: &mut Diagnostics) {
    let text = member.get();
    let offset = (text.as_ptr() as usize).checked_sub(body.as_ptr() as usize);
    let (line0, column0) = match offset.and_then(|o| body.get(..o)) {
        Some(before) => (
            before.matches('\n').count() + 1,
            before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
        ),
        None => (1, 1),
    };
    for d in &mut diagnostics.0 {
        d.file = "request".into();
        d.path = if d.path.is_empty() {
            name.to_owned()
        } else {
            format!("{name}.{}", d.path)
        };
        if let Some(l) = d.line {
            if l == 1 {
                d.column = d.column.map(|c| c + column0 - 1);
            }
            d.line = Some(l + line0 - 1);
        }
    }
}

/// Decodes and validates the `instance` member exactly as an instance file.
pub(super) fn instance_of(body: &str, member: &RawValue) -> Result<Validated, Problem> {
    match parse_instance(member.get(), "request") {
        Ok((inst, mut warnings)) => {
            relabel(body, member, "instance", &mut warnings);
            Ok((inst, warnings))
        }
        Err(mut d) => {
            relabel(body, member, "instance", &mut d);
            Err(Problem::invalid("instance", d))
        }
    }
}

pub(super) fn bad_option(path: &str, message: String) -> Problem {
    let mut d = Diagnostic::error(path, message);
    d.file = "request".into();
    Problem::bad_field(d)
}

/// The time limit asked for (default 10 s), capped by `cap`.
pub(super) fn time_limit(asked: Option<f64>, cap: Duration) -> Result<Duration, Problem> {
    let seconds = asked.unwrap_or(10.0);
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err(bad_option(
            "time_limit",
            format!("must be a number of seconds greater than 0, found {seconds}"),
        ));
    }
    Ok(Duration::try_from_secs_f64(seconds).map_or(cap, |d| d.min(cap)))
}

#[cfg(test)]
mod tests {
    use super::json_depth;

    #[test]
    fn depth_skips_strings() {
        assert_eq!(json_depth(r#"{"a": [1, {"b": "[[[{{"}]}"#), 3);
        assert_eq!(json_depth(r#""\"[""#), 0);
        assert_eq!(json_depth("[[[]]]"), 3);
    }
}
