//! Errors as `application/problem+json` (RFC 9457), with the diagnostics of `validate` in an
//! `errors` extension member.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::io::{Diagnostic, Diagnostics};

/// The media type of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem detail object (RFC 9457).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:modstaff:problem:invalid-instance`).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: &'static str,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this request.
    pub detail: String,
    /// Every problem found in the input, as `validate` reports them (path, line, column, hint).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Diagnostic>,
    /// Requests queued or running when the queue was full (429 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<u32>,
    /// Requests the server queues or runs at once (429 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Seconds to wait before retrying (429 and 503).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
}

impl Problem {
    /// A problem of kind `slug` (the last part of the type URI).
    #[must_use]
    pub fn new(
        status: StatusCode,
        slug: &str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind: format!("urn:modstaff:problem:{slug}"),
            title,
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            in_flight: None,
            capacity: None,
            retry_after: None,
        }
    }

    /// 400: the body is not the JSON the endpoint expects.
    #[must_use]
    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed-request",
            "Malformed request",
            detail,
        )
    }

    /// 400 with one diagnostic (a field of the request itself is wrong).
    #[must_use]
    pub fn bad_field(diagnostic: Diagnostic) -> Self {
        let mut p = Self::malformed(diagnostic.to_string());
        p.errors = vec![diagnostic];
        p
    }

    /// 422: the instance (or plan, or scenarios) was read but is not valid.
    #[must_use]
    pub fn invalid(what: &str, diagnostics: Diagnostics) -> Self {
        let errors: Vec<Diagnostic> = diagnostics
            .0
            .into_iter()
            .filter(super::super::io::diagnostic::Diagnostic::is_error)
            .collect();
        let detail = match errors.first() {
            Some(first) if errors.len() == 1 => format!("invalid {what}: {first}"),
            Some(first) => format!(
                "invalid {what}: {} errors, the first: {first}",
                errors.len()
            ),
            None => format!("invalid {what}"),
        };
        let title = match what {
            "instance" => "Invalid instance",
            "plan" => "Invalid plan",
            "scenarios" => "Invalid scenarios",
            _ => "Invalid input",
        };
        let slug = title.to_lowercase().replace(' ', "-");
        let mut p = Self::new(StatusCode::UNPROCESSABLE_ENTITY, &slug, title, detail);
        p.errors = errors;
        p
    }

    /// 503 while the server shuts down.
    #[must_use]
    pub fn shutting_down() -> Self {
        let mut p = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting-down",
            "Shutting down",
            "the server is shutting down and accepts no new work",
        );
        p.retry_after = Some(5);
        p
    }

    /// 404 for an unknown path or job.
    #[must_use]
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    /// The HTTP status.
    #[must_use]
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let retry = self.retry_after;
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(s) = retry {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
