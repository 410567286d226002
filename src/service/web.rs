//! The planner's workbench: a single page at `GET /` over the API, its assets compiled into
//! the binary (no Node, no network, no CDN), and the two endpoints only a page needs: the
//! shipped example bureaus, and a plan rendered as a download (workbook, CSV, Markdown or
//! the HTML report).

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;

use super::AppState;
use super::handlers::{blocking, instance_of, parse_request, read_body, relabel};
use super::problem::{PROBLEM_JSON, Problem};
use crate::io::parse_plan;
use crate::model::complete;
use crate::report::{Format, html, render_plan, xlsx};

const INDEX: &str = include_str!("web/index.html");
const APP_JS: &str = include_str!("web/app.js");
const APP_CSS: &str = include_str!("web/app.css");

/// The shipped bureaus a planner can open without a file of their own (the 460-person
/// enforcement bureau is left out: it is a megabyte and a minute of solving).
const EXAMPLES: [(&str, &str); 4] = [
    ("tiny", include_str!("../../instances/tiny.json")),
    (
        "longgang-agri",
        include_str!("../../instances/longgang-agri.json"),
    ),
    (
        "longgang-econ",
        include_str!("../../instances/longgang-econ.json"),
    ),
    (
        "longgang-approval",
        include_str!("../../instances/longgang-approval.json"),
    ),
];

/// The page's routes, merged into the service's router.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(index))
        .route("/assets/app.js", get(app_js))
        .route("/assets/app.css", get(app_css))
        .route("/v1/examples", get(examples))
        .route("/v1/examples/{name}", get(example))
        .route("/v1/render", post(render))
}

/// A static asset with its type; the page may load only its own assets.
fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut r = Response::new(Body::from(body));
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; \
             script-src 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

async fn index() -> Response {
    asset(INDEX, "text/html; charset=utf-8")
}

async fn app_js() -> Response {
    asset(APP_JS, "text/javascript; charset=utf-8")
}

async fn app_css() -> Response {
    asset(APP_CSS, "text/css; charset=utf-8")
}

/// One shipped example bureau.
#[derive(Debug, Serialize, ToSchema)]
pub struct Example {
    /// Its name, for `GET /v1/examples/{name}`.
    pub name: String,
    /// The instance's own title (`name` in the file).
    pub title: String,
    /// People.
    pub staff: usize,
    /// Work modules.
    pub modules: usize,
    /// Duties.
    pub duties: usize,
}

/// Lists the shipped example bureaus.
#[utoipa::path(
    get,
    path = "/v1/examples",
    tag = "workbench",
    responses(
        (status = 200, description = "The examples", body = Vec<Example>),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub(crate) async fn examples() -> axum::Json<Vec<Example>> {
    let list = EXAMPLES
        .iter()
        .filter_map(|(name, text)| {
            let (inst, _) = crate::io::parse_instance(text, name).ok()?;
            Some(Example {
                name: (*name).to_owned(),
                title: inst.name.clone(),
                staff: inst.staff.len(),
                modules: inst.modules.len(),
                duties: inst.duties.len(),
            })
        })
        .collect();
    axum::Json(list)
}

/// One shipped example bureau, as its instance file.
#[utoipa::path(
    get,
    path = "/v1/examples/{name}",
    tag = "workbench",
    params(("name" = String, Path, description = "The example's name, from `GET /v1/examples`")),
    responses(
        (status = 200, description = "The instance file", body = crate::io::RawInstance),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = PROBLEM_JSON),
        (status = 404, description = "No such example", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub(crate) async fn example(Path(name): Path<String>) -> Response {
    match EXAMPLES.iter().find(|(n, _)| *n == name) {
        Some((_, text)) => {
            let mut r = Response::new(Body::from(*text));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r
        }
        None => Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!(
                "no example `{name}`: the examples are {}",
                EXAMPLES
                    .iter()
                    .map(|(n, _)| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .into_response(),
    }
}

/// What `POST /v1/render` writes.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RenderFormat {
    /// The plan workbook, as `solve --format xlsx`.
    Xlsx,
    /// CSV, as `solve --format csv`.
    Csv,
    /// Markdown, as `solve --format md`.
    Md,
    /// The self-contained HTML report, as `modstaff report`.
    Html,
    /// The plan file, completed (as `solve --out plan.json`).
    Json,
}

/// Body of `POST /v1/render`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenderRequest<'a> {
    /// The instance, as in an instance file.
    #[serde(borrow)]
    #[schema(value_type = crate::io::RawInstance)]
    pub instance: &'a RawValue,
    /// The plan, as in a plan file (a minimal plan is completed first).
    #[serde(borrow)]
    #[schema(value_type = crate::model::Plan)]
    pub plan: &'a RawValue,
    /// The format.
    pub format: RenderFormat,
}

/// Renders a plan as a file to download: workbook, CSV, Markdown, HTML report or plan JSON.
#[utoipa::path(
    post,
    path = "/v1/render",
    tag = "workbench",
    request_body = RenderRequest,
    responses(
        (status = 200, description = "The file, with `Content-Disposition: attachment`"),
        (status = 400, description = "Malformed request", body = Problem, content_type = PROBLEM_JSON),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = PROBLEM_JSON),
        (status = 408, description = "The body did not arrive within the read timeout", body = Problem, content_type = PROBLEM_JSON),
        (status = 413, description = "Body too large", body = Problem, content_type = PROBLEM_JSON),
        (status = 415, description = "Content-Type is not JSON", body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "Invalid instance or plan", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub(crate) async fn render(
    State(state): State<Arc<AppState>>,
    body: Body,
) -> Result<Response, Problem> {
    let text = read_body(&state, body).await?;
    blocking(move || {
        let req: RenderRequest = parse_request(&text)?;
        let (inst, _) = instance_of(&text, req.instance)?;
        let declared = parse_plan(req.plan.get(), "request").map_err(|mut d| {
            relabel(&text, req.plan, "plan", &mut d);
            Problem::invalid("plan", d)
        })?;
        let (plan, _) = complete(&inst, &declared);
        let stem = file_stem(&inst.name);
        let (bytes, content_type, extension) = match req.format {
            RenderFormat::Xlsx => (
                xlsx::plan_workbook(&inst, &plan)
                    .map_err(|e| super::handlers::internal(&e.to_string()))?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
            RenderFormat::Csv => (
                render_plan(&inst, &plan, Format::Csv).into_bytes(),
                "text/csv; charset=utf-8",
                "csv",
            ),
            RenderFormat::Md => (
                render_plan(&inst, &plan, Format::Md).into_bytes(),
                "text/markdown; charset=utf-8",
                "md",
            ),
            RenderFormat::Html => (
                html::plan_report(&inst, &plan, &html::Options::default()).into_bytes(),
                "text/html; charset=utf-8",
                "html",
            ),
            RenderFormat::Json => (
                render_plan(&inst, &plan, Format::Json).into_bytes(),
                "application/json",
                "json",
            ),
        };
        let mut r = Response::new(Body::from(bytes));
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if let Ok(v) =
            HeaderValue::from_str(&format!("attachment; filename=\"plan-{stem}.{extension}\""))
        {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        Ok(r)
    })
    .await
}

/// An instance name as a file name: letters, digits, `-` and `_` (others become `-`).
fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.trim_matches('-').is_empty() {
        "bureau".into()
    } else {
        s
    }
}
