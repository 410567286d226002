//! The OpenAPI 3 document of the service, assembled from the handlers' annotations and the
//! API types.

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI 3 document of the service, generated from the request and response types and the handlers.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "modstaff",
        description = "Staff-to-module planning over HTTP. Instances and plans are the JSON of \
the files (docs/format.md in the repository); errors are `application/problem+json` (RFC 9457) with the diagnostics of \
`modstaff validate` in `errors`. With `--token-file`, every `/v1` endpoint needs \
`Authorization: Bearer TOKEN`."
    ),
    paths(
        super::handlers::healthz,
        super::handlers::openapi_json,
        super::handlers::validate,
        super::handlers::check,
        super::handlers::solve,
        super::handlers::whatif,
        super::handlers::explain,
        super::import::import,
        super::job_routes::submit_job,
        super::job_routes::submit_whatif_job,
        super::job_routes::list_jobs,
        super::job_routes::get_job,
        super::job_routes::cancel_job,
        super::web::examples,
        super::web::example,
        super::web::render,
    ),
    components(schemas(super::problem::Problem)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

/// The OpenAPI document as pretty JSON (what `GET /openapi.json` serves).
#[must_use]
pub fn openapi_json() -> String {
    let doc = <ApiDoc as utoipa::OpenApi>::openapi();
    let mut s = doc.to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}
