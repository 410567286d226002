//! `POST /v1/import`: an instance uploaded in the formats planners keep it in (an `.xlsx`
//! workbook, a zip of the CSV folder, or JSON), read by the same readers as the files and
//! answered as the JSON of an instance file. Archives are unpacked within limits (see
//! [`ArchiveLimits`]) so that a zip bomb cannot exhaust memory.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;

use super::AppState;
use super::api::ImportResponse;
use super::body::{bad_option, blocking, internal, json_text, read_bytes};
use super::problem::{PROBLEM_JSON, Problem};
use crate::io::sheets::{self, ArchiveLimits};
use crate::io::{LoadError, RawInstance, Validated, parse_instance_raw};

/// The media type of `.xlsx` workbooks.
pub(super) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An archive may unpack to this many times the body limit.
const UNPACK_FACTOR: u64 = 4;

/// Most entries (files and folders) of an uploaded archive: an instance's folder has fewer
/// than ten files, a workbook a few dozen parts.
const MAX_ENTRIES: usize = 1000;

/// What a body is, by its `Content-Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Upload {
    /// An `.xlsx` workbook.
    Workbook,
    /// A zip archive: a CSV folder, or a workbook sent as `application/zip`.
    Zip,
    /// An instance file's JSON.
    Json,
    /// No type, or `application/octet-stream` (a browser's file of unknown type): a zip
    /// archive by its first bytes, JSON otherwise.
    Unknown,
}

/// What an upload is read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Xlsx,
    /// A zip of the CSV folder.
    Csv,
    Json,
}

impl Format {
    /// As `ImportResponse::format` names it.
    fn name(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }

    /// The extension of the upload's default name.
    fn extension(self) -> &'static str {
        match self {
            Self::Csv => "zip",
            other => other.name(),
        }
    }
}

/// The upload kind of a `Content-Type`, or `None` for a type that is not accepted.
pub(super) fn upload_kind(content_type: Option<&str>) -> Option<Upload> {
    let Some(text) = content_type else {
        return Some(Upload::Unknown);
    };
    let essence = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        XLSX => Some(Upload::Workbook),
        "application/zip" | "application/x-zip-compressed" | "application/x-zip" => {
            Some(Upload::Zip)
        }
        "application/octet-stream" => Some(Upload::Unknown),
        e if e == "application/json" || (e.starts_with("application/") && e.ends_with("+json")) => {
            Some(Upload::Json)
        }
        _ => None,
    }
}

/// The 415 of `POST /v1/import`.
pub(super) fn unsupported(found: &str) -> Problem {
    Problem::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        "Unsupported media type",
        format!(
            "the body must be an .xlsx workbook (`Content-Type: {XLSX}`), a zip of the CSV \
             folder (`application/zip`) or an instance's JSON (`application/json`), found \
             `{found}`; with curl, pass `--data-binary @FILE` and `-H 'Content-Type: ...'`"
        ),
    )
}

/// The bytes of an uploaded file (the OpenAPI schema of a binary body).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub(crate) struct UploadBytes(Vec<u8>);

/// Query of `POST /v1/import`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ImportQuery {
    /// The uploaded file's name (`bureau.xlsx`): messages name it as `modstaff validate`
    /// names the file, and its stem is the instance's name unless the input gives one
    /// [`upload.xlsx`, `upload.zip` or `upload.json`].
    pub filename: Option<String>,
}

/// The name messages give the upload: the last part of `filename`, at most 200 characters.
fn label(filename: Option<&str>, format: &str) -> String {
    let given = filename
        .and_then(|f| f.rsplit(['/', '\\']).next())
        .map(str::trim)
        .filter(|f| !f.is_empty());
    match given {
        Some(f) => f.chars().take(200).collect(),
        None => format!("upload.{format}"),
    }
}

/// Reads the upload as `kind`, the bytes deciding where the type leaves it open.
fn read_upload(
    state: &AppState,
    kind: Upload,
    filename: Option<&str>,
    bytes: &[u8],
) -> Result<(&'static str, RawInstance, Validated), Problem> {
    let zip = bytes.starts_with(b"PK\x03\x04");
    let format = match kind {
        Upload::Workbook => Format::Xlsx,
        Upload::Zip | Upload::Unknown if zip && sheets::is_workbook(bytes) => Format::Xlsx,
        // Bytes sent as a zip that are none: the archive reader says so.
        Upload::Zip => Format::Csv,
        Upload::Unknown if zip => Format::Csv,
        Upload::Json | Upload::Unknown => Format::Json,
    };
    let file = label(filename, format.extension());
    let limits = ArchiveLimits {
        entries: MAX_ENTRIES,
        bytes: (state.config.max_body as u64).saturating_mul(UNPACK_FACTOR),
    };
    let read = match format {
        Format::Json => {
            let text = json_text(state, bytes)?;
            return parse_instance_raw(&text, &file)
                .map(|(raw, validated)| (format.name(), raw, validated))
                .map_err(|d| Problem::invalid("instance", d));
        }
        Format::Xlsx => sheets::read_xlsx_bytes(bytes, &file, limits),
        Format::Csv => sheets::read_csv_zip(bytes, &file, limits),
    };
    let loaded = read
        .and_then(|r| sheets::validate_read(r, &file))
        .map_err(|e| match e {
            LoadError::Invalid { diagnostics, .. } => Problem::invalid("instance", diagnostics),
            other => internal(&format!("reading the upload failed: {other}")),
        })?;
    let (raw, validated) = loaded;
    Ok((format.name(), raw, validated))
}

/// Reads an instance from an `.xlsx` workbook, a zip of its CSV folder, or JSON, and answers
/// it as the JSON of an instance file, with the same checks and messages (placed at sheet or
/// file, row and column) as `modstaff validate` and `modstaff import`.
#[utoipa::path(
    post,
    path = "/v1/import",
    tag = "instances",
    params(ImportQuery),
    request_body(
        description = "The workbook, the zip of the CSV folder (`staff.csv`, `modules.csv`, \
`duties.csv`, ... at its root or in one folder), or the instance's JSON. Without a type (or as \
`application/octet-stream`), a body starting as a zip archive is one, and JSON otherwise; a zip \
holding a workbook is read as the workbook.",
        content(
            (UploadBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (UploadBytes = "application/zip"),
            (crate::io::RawInstance = "application/json"),
        )
    ),
    responses(
        (status = 200, description = "The instance, valid (warnings may be listed)", body = ImportResponse),
        (status = 400, description = "Malformed query, or JSON that is not UTF-8 or nests too deep", body = Problem, content_type = PROBLEM_JSON),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = PROBLEM_JSON),
        (status = 408, description = "The body did not arrive within the read timeout", body = Problem, content_type = PROBLEM_JSON),
        (status = 413, description = "Body too large", body = Problem, content_type = PROBLEM_JSON),
        (status = 415, description = "Content-Type is none of the accepted ones", body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "Invalid instance (or no workbook, or an archive too large unpacked): every problem in `errors`, at sheet or file, row and column", body = Problem, content_type = PROBLEM_JSON),
        (status = 503, description = "Shutting down", body = Problem, content_type = PROBLEM_JSON),
    )
)]
pub(crate) async fn import(
    State(state): State<Arc<AppState>>,
    query: Result<Query<ImportQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportResponse>, Problem> {
    let Query(query) = query.map_err(|e| bad_option("query", e.body_text()))?;
    let given = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("(not text)").to_owned());
    let kind =
        upload_kind(given.as_deref()).ok_or_else(|| unsupported(given.as_deref().unwrap_or("")))?;
    let bytes = read_bytes(&state, body).await?;
    let st = state.clone();
    blocking(move || {
        let (format, raw, (inst, warnings)) =
            read_upload(&st, kind, query.filename.as_deref(), &bytes)?;
        Ok(Json(ImportResponse {
            format: format.to_owned(),
            instance: raw,
            warnings: warnings.0,
            summary: crate::report::summary_counts(&inst)
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        }))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_kinds_by_content_type() {
        assert_eq!(upload_kind(Some(XLSX)), Some(Upload::Workbook));
        assert_eq!(
            upload_kind(Some("Application/Zip; charset=binary")),
            Some(Upload::Zip)
        );
        assert_eq!(
            upload_kind(Some("application/x-zip-compressed")),
            Some(Upload::Zip)
        );
        assert_eq!(upload_kind(Some("application/json")), Some(Upload::Json));
        assert_eq!(upload_kind(None), Some(Upload::Unknown));
        assert_eq!(
            upload_kind(Some("application/octet-stream")),
            Some(Upload::Unknown)
        );
        assert_eq!(upload_kind(Some("text/csv")), None);
        assert_eq!(upload_kind(Some("multipart/form-data; boundary=x")), None);
    }

    #[test]
    fn labels_keep_the_last_part_of_the_name() {
        assert_eq!(label(Some("C:\\plans\\bureau.xlsx"), "xlsx"), "bureau.xlsx");
        assert_eq!(label(Some("../team.zip"), "zip"), "team.zip");
        assert_eq!(label(Some(" "), "json"), "upload.json");
        assert_eq!(label(None, "zip"), "upload.zip");
    }
}
