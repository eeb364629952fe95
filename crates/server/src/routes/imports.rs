//! Importing exported files into a review (multipart upload), previewing a file before it is imported,
//! following import jobs, and listing the review's search sources.

use std::sync::Arc;

use actix_multipart::Multipart;
use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Need, review_for};
use crate::app::import::{ImportError, ImportRequest, SOURCE_KINDS};
use crate::auth::Caller;
use crate::dto::{Diagnostic, ImportPreview, Job, PreviewRecord, SearchSource};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;
use crate::time::now_ms;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(upload).service(preview).service(get_job).service(sources);
}

/// The multipart form of an import.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
struct ImportForm {
    /// The exported file (RIS, PubMed XML, EndNote XML, MEDLINE .nbib, Web of Science, BibTeX or CSV).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The database or register searched, e.g. "MEDLINE".
    database_name: String,
    /// `database` (default), `register`, `website`, `organisation`, `citation_searching` or `other`.
    kind: Option<String>,
    /// The interface, e.g. "Ovid".
    platform: Option<String>,
    /// When the search was run, YYYY-MM-DD.
    searched_on: Option<String>,
    /// The search string as run.
    query: Option<String>,
    /// Force a format instead of detecting it: ris, pubmed-xml, endnote-xml, nbib, wos, bibtex or csv.
    format: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct UploadQuery {
    /// Wait for the import (and deduplication) to finish and return the finished job.
    #[serde(default)]
    wait: bool,
}

/// Uploads a file and imports it as a new search source, then deduplicates the review. Returns the
/// job at once (202) to be followed at its address, or the finished job with `?wait=true`. The import
/// is all or nothing: a file with an error stores nothing, and the job's result lists each problem
/// with its line.
#[utoipa::path(tag = "imports", params(("review" = String, Path, description = "Short name or id"), UploadQuery),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 202, description = "Import started", body = Job),
        (status = 200, description = "Import finished (with ?wait=true); see `state` and `result`", body = Job),
        (status = 403, description = "Viewers cannot import", body = crate::error::Problem),
        (status = 413, description = "The file is too large", body = crate::error::Problem),
        (status = 422, description = "A form field is missing or invalid", body = crate::error::Problem),
    ))]
#[post("/api/reviews/{review}/imports")]
async fn upload(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<UploadQuery>,
    form: Multipart,
) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Contributor).await?;
    let mut form = super::read_form(form, state.settings.max_upload_bytes).await?;
    let file = form.files.remove("file");
    let text = |k: &str| form.text(k);
    let mut errors = Vec::new();
    if file.as_ref().is_none_or(|(_, b)| b.is_empty()) {
        errors.push(FieldError { field: "file".into(), message: "attach the exported file".into() });
    }
    let name = text("database_name");
    if name.is_none() {
        errors.push(FieldError { field: "database_name".into(), message: "name the database or register searched, e.g. MEDLINE".into() });
    }
    let kind = text("kind").unwrap_or_else(|| "database".to_owned());
    if !SOURCE_KINDS.contains(&kind.as_str()) {
        errors.push(FieldError { field: "kind".into(), message: format!("must be one of {}", SOURCE_KINDS.join(", ")) });
    }
    let searched_on = text("searched_on");
    if let Some(d) = &searched_on
        && !valid_date(d)
    {
        errors.push(FieldError { field: "searched_on".into(), message: "must be a date as YYYY-MM-DD".into() });
    }
    let format = forced_format(text("format")).unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let Some((file_name, bytes)) = file else { return Err(ApiError::internal("file vanished")) };
    let req = ImportRequest {
        review_id: review.id,
        kind,
        name: name.unwrap_or_default(),
        platform: text("platform"),
        searched_on,
        query: text("query"),
        file_name,
        format,
        actor: Some(caller.id()),
    };
    let now = now_ms();
    let job_id = uuid::Uuid::new_v4().to_string();
    store::jobs::create(&state.store.db, &job_id, review.id, "import", Some(caller.id()), now).await?;
    let task_state = state.clone();
    let task_job = job_id.clone();
    let handle = tokio::spawn(async move { run_import(task_state, task_job, req, bytes).await });
    if query.wait {
        handle.await.map_err(ApiError::internal)?;
        let job = store::jobs::get(&state.store.db, &job_id).await?.ok_or_else(|| ApiError::not_found("job"))?;
        return Ok(HttpResponse::Ok().json(Job::from(&job)));
    }
    let job = store::jobs::get(&state.store.db, &job_id).await?.ok_or_else(|| ApiError::not_found("job"))?;
    Ok(HttpResponse::Accepted().insert_header(("Location", format!("/api/reviews/{}/jobs/{}", review.slug, job_id))).json(Job::from(&job)))
}

/// The multipart form of a preview.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
struct PreviewForm {
    /// The exported file.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Force a format instead of detecting it: ris, pubmed-xml, endnote-xml, nbib, wos, bibtex or csv.
    format: Option<String>,
}

/// Reads a file as an import would and says what it found (format, records, warnings and errors with
/// their lines, where the records came from, whether this review imported the same file already),
/// storing nothing. The Import page shows it as soon as a file is chosen, and fills in the source's
/// name and platform from it.
#[utoipa::path(tag = "imports", params(("review" = String, Path, description = "Short name or id")),
    request_body(content = PreviewForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "What the file holds", body = ImportPreview),
        (status = 403, description = "Viewers cannot import", body = crate::error::Problem),
        (status = 413, description = "The file is too large", body = crate::error::Problem),
        (status = 422, description = "No file, or an unknown format", body = crate::error::Problem),
    ))]
#[post("/api/reviews/{review}/imports/preview")]
async fn preview(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    form: Multipart,
) -> ApiResult<web::Json<ImportPreview>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Contributor).await?;
    let mut form = super::read_form(form, state.settings.max_upload_bytes).await?;
    let Some((_, bytes)) = form.files.remove("file").filter(|(_, b)| !b.is_empty()) else {
        return Err(ApiError::invalid(vec![FieldError { field: "file".into(), message: "attach the exported file".into() }]));
    };
    let format = forced_format(form.text("format")).map_err(|e| ApiError::invalid(vec![e]))?;
    let p = crate::app::import::preview(std::io::Cursor::new(bytes), format).await.map_err(ApiError::internal)?;
    let known = store::imports::sources(&state.store.db, review.id).await?;
    let already = known.iter().find(|s| s.sha256 == p.sha256).map(SearchSource::from);
    Ok(web::Json(ImportPreview {
        format: p.format.map(|f| f.name().to_owned()),
        format_label: p.format.map(|f| f.label().to_owned()),
        records: p.records,
        warnings: p.warnings,
        errors: p.errors,
        importable: p.importable(),
        diagnostics: p.diagnostics.iter().map(Diagnostic::from).collect(),
        origin: p.origin.describe(),
        database: p.origin.database,
        platform: p.origin.platform,
        year_from: p.years.map(|y| y.0),
        year_to: p.years.map(|y| y.1),
        with_abstract: p.with_abstract,
        with_doi: p.with_doi,
        sample: p
            .sample
            .iter()
            .map(|c| PreviewRecord {
                title: c.title.clone(),
                authors: c.authors.iter().map(citation::Author::display).collect(),
                year: c.year,
                journal: c.journal.clone(),
            })
            .collect(),
        sha256: p.sha256,
        already_imported: already,
    }))
}

/// The form's `format`: `None` to detect it (absent or `auto`), or the format named.
fn forced_format(value: Option<String>) -> Result<Option<citation::Format>, FieldError> {
    match value.filter(|f| f != "auto") {
        Some(f) => citation::Format::from_name(&f).map(Some).ok_or_else(|| FieldError {
            field: "format".into(),
            message: "must be auto, ris, pubmed-xml, endnote-xml, nbib, wos, bibtex or csv".into(),
        }),
        None => Ok(None),
    }
}

fn valid_date(d: &str) -> bool {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(d, &fmt).is_ok()
}

/// Runs an import and then deduplication, recording progress and the outcome on the job.
async fn run_import(state: web::Data<AppState>, job_id: String, req: ImportRequest, bytes: Vec<u8>) {
    let store = state.store.clone();
    let board = state.jobs.clone();
    let total = i64::try_from(bytes.len()).unwrap_or(0);
    let persist = store.backend == store::Backend::Postgres;
    let progress_job = job_id.clone();
    let progress_store = store.clone();
    let progress: crate::app::import::ProgressFn = Arc::new(move |stage, done, n| {
        board.set(&progress_job, stage, done, n);
        if persist {
            // On PostgreSQL other servers can read progress while the import transaction is open.
            let (s, id, st) = (progress_store.clone(), progress_job.clone(), stage.to_owned());
            tokio::spawn(async move {
                let _ = store::jobs::progress(&s.db, &id, &st, done, n, now_ms()).await;
            });
        }
    });
    let now = now_ms();
    let _ = store::jobs::progress(&store.db, &job_id, "importing", 0, total, now).await;
    let outcome = crate::app::import::import(&store, &req, std::io::Cursor::new(bytes), now, progress.clone()).await;
    let result = match outcome {
        Ok(summary) => {
            state.metrics.records_imported.inc_by(summary.records as u64);
            let _ = store::jobs::progress(&store.db, &job_id, "deduplicating", 0, 0, now_ms()).await;
            match crate::app::dedup::run(&store, req.review_id, req.actor, now_ms(), progress).await {
                Ok(d) => (
                    "done",
                    json!({
                        "source_id": summary.source_id,
                        "format": summary.format.name(),
                        "records": summary.records,
                        "sha256": summary.sha256,
                        "warnings": summary.warnings.iter().map(Diagnostic::from).collect::<Vec<_>>(),
                        "duplicates_merged": d.merged,
                        "duplicates_queued": d.queued,
                        "duplicates_removed": d.duplicates_removed,
                    }),
                ),
                Err(e) => {
                    tracing::error!(error = %e, "deduplication after import failed");
                    (
                        "failed",
                        json!({"source_id": summary.source_id, "records": summary.records, "error": "The records were imported, but deduplication failed. Run it again from the Duplicates page."}),
                    )
                }
            }
        }
        Err(ImportError::Rejected(diags)) => (
            "failed",
            json!({
                "error": ImportError::Rejected(diags.clone()).to_string(),
                "diagnostics": diags.iter().map(Diagnostic::from).collect::<Vec<_>>(),
            }),
        ),
        Err(e) => {
            tracing::error!(error = %e, "import failed");
            (
                "failed",
                json!({"error": "The import failed on the server and nothing was stored. Try again; if it keeps failing, tell your administrator."}),
            )
        }
    };
    let _ = store::jobs::finish(&store.db, &job_id, result.0, &result.1, now_ms()).await;
    state.jobs.remove(&job_id);
}

/// An import job: its stage, progress and, once ended, its result (records, warnings with line
/// numbers, duplicates found, or the errors that stopped it).
#[utoipa::path(tag = "imports", params(("review" = String, Path, description = "Short name or id"), ("id" = String, Path, description = "Job id")), responses(
    (status = 200, description = "The job", body = Job),
    (status = 404, description = "No such job", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/jobs/{id}")]
async fn get_job(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, String)>) -> ApiResult<web::Json<Job>> {
    let (key, id) = path.into_inner();
    let (review, _) = review_for(&state, &caller, &key, Need::Member).await?;
    let row =
        store::jobs::get(&state.store.db, &id).await?.filter(|j| j.review_id == review.id).ok_or_else(|| ApiError::not_found("job"))?;
    let mut job = Job::from(&row);
    if job.state == "running"
        && let Some(p) = state.jobs.get(&id)
    {
        job.stage = p.stage;
        job.done = p.done;
        job.total = p.total;
    }
    Ok(web::Json(job))
}

/// The review's search sources: one per imported file, with database, date, query, file hash and counts.
#[utoipa::path(tag = "imports", params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "Search sources", body = Vec<SearchSource>),
    (status = 404, description = "No such review", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/sources")]
async fn sources(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<web::Json<Vec<SearchSource>>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let rows = store::imports::sources(&state.store.db, review.id).await?;
    Ok(web::Json(rows.iter().map(SearchSource::from).collect()))
}
