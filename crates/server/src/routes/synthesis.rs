//! Synthesis routes: extracts of included studies, the codebook (and its REFI-QDA import and export),
//! codings, descriptive and analytical themes, the theme × study matrix, review findings with their
//! GRADE-CERQual assessment, coder agreement, and the SoQF table and evidence profile as CSV and HTML.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Need, review_for};
use crate::app::synthesis::{self as app, CodeBody, CodebookImport, CodingBody, ExtractBody, FindingBody, ThemeBody};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;
use crate::time::now_ms;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(overview)
        .service(list_extracts)
        .service(add_extract)
        .service(update_extract)
        .service(delete_extract)
        .service(add_code)
        .service(update_code)
        .service(delete_code)
        .service(import_codebook)
        .service(codebook_qdc)
        .service(project_qdpx)
        .service(add_coding)
        .service(delete_coding)
        .service(add_theme)
        .service(update_theme)
        .service(delete_theme)
        .service(matrix)
        .service(matrix_csv)
        .service(list_findings)
        .service(add_finding)
        .service(update_finding)
        .service(delete_finding)
        .service(soqf_csv)
        .service(soqf_html)
        .service(profile_csv)
        .service(profile_html)
        .service(agreement);
}

fn is_lead(roles: &[String]) -> bool {
    roles.iter().any(|r| r == "lead")
}

async fn snap(state: &AppState, review_id: i32) -> ApiResult<app::Snapshot> {
    Ok(app::snapshot(&state.store, review_id).await?)
}

/// The synthesis at a glance: included studies (with their extract counts), the codebook, the themes,
/// the review's people, and what the caller may do.
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id")), responses((status = 200, description = "Studies, codes, themes, people", body = Object)))]
#[get("/api/reviews/{review}/synthesis")]
async fn overview(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<web::Json<Value>> {
    let (review, roles) = review_for(&state, &caller, &path, Need::Member).await?;
    let s = snap(&state, review.id).await?;
    let studies: Vec<Value> = s
        .studies
        .iter()
        .map(|st| {
            json!({
                "item_id": st.item.id,
                "record_id": st.record.id,
                "label": st.label,
                "title": st.record.title,
                "extracts": s.extracts.iter().filter(|e| e.item_id == st.item.id).count(),
                "file_url": st.item.file_id.map(|_| format!("/api/reviews/{}/items/{}/file", review.slug, st.item.id)),
            })
        })
        .collect();
    let mut people: Vec<Value> = s.names.iter().map(|(id, name)| json!({"id": id, "name": name})).collect();
    people.sort_by_key(|p| p["id"].as_i64());
    let theme_matrix = s.matrix();
    Ok(web::Json(json!({
        "studies": studies,
        "codes": s.codes.iter().map(|c| app::code_json(&s, c)).collect::<Vec<_>>(),
        "themes": s.themes.iter().map(|t| app::theme_json(&s, &theme_matrix, t)).collect::<Vec<_>>(),
        "people": people,
        "me": caller.id(),
        "can_edit": roles.iter().any(|r| r == "lead" || r == "reviewer"),
        "is_lead": is_lead(&roles),
        "counts": {"extracts": s.extracts.len(), "codings": s.codings.len(), "findings": s.findings.len()},
    })))
}

#[derive(Debug, Deserialize, IntoParams)]
struct ExtractQuery {
    /// Only the extracts of this study (its full-text item id).
    item_id: Option<i32>,
}

/// Extracts with their codings, by study; filter with `item_id`.
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id"), ExtractQuery), responses((status = 200, description = "Extracts", body = Object)))]
#[get("/api/reviews/{review}/synthesis/extracts")]
async fn list_extracts(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<ExtractQuery>,
) -> ApiResult<web::Json<Vec<Value>>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let s = snap(&state, review.id).await?;
    Ok(web::Json(s.extracts.iter().filter(|e| query.item_id.is_none_or(|i| e.item_id == i)).map(|e| app::extract_json(&s, e)).collect()))
}

async fn extract_view(state: &AppState, review_id: i32, id: i32) -> ApiResult<Value> {
    let s = snap(state, review_id).await?;
    let e = s.extracts.iter().find(|e| e.id == id).ok_or_else(|| ApiError::not_found("extract"))?;
    Ok(app::extract_json(&s, e))
}

/// Adds a verbatim extract (participant quote or author interpretation) to an included study.
#[utoipa::path(tag = "synthesis", request_body = ExtractBody, params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 201, description = "The extract", body = Object),
    (status = 422, description = "Not an included study, empty text or unknown kind", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/synthesis/extracts")]
async fn add_extract(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<ExtractBody>,
) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Contributor).await?;
    let row = app::add_extract(&state.store, review.id, caller.id(), &body, now_ms()).await?;
    Ok(HttpResponse::Created().json(extract_view(&state, review.id, row.id).await?))
}

/// Changes an extract's kind, page or section (and its text, until it is coded). Its extractor or a lead.
#[utoipa::path(tag = "synthesis", request_body = ExtractBody, params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Extract id")), responses(
    (status = 200, description = "The extract", body = Object),
    (status = 409, description = "The text of a coded extract cannot change", body = crate::error::Problem),
))]
#[put("/api/reviews/{review}/synthesis/extracts/{id}")]
async fn update_extract(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
    body: web::Json<ExtractBody>,
) -> ApiResult<web::Json<Value>> {
    let (key, id) = path.into_inner();
    let (review, roles) = review_for(&state, &caller, &key, Need::Contributor).await?;
    app::update_extract(&state.store, review.id, caller.id(), is_lead(&roles), id, &body, now_ms()).await?;
    Ok(web::Json(extract_view(&state, review.id, id).await?))
}

/// Deletes an uncoded extract. Its extractor or a lead.
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Extract id")), responses(
    (status = 204, description = "Deleted"),
    (status = 409, description = "The extract is coded", body = crate::error::Problem),
))]
#[delete("/api/reviews/{review}/synthesis/extracts/{id}")]
async fn delete_extract(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, i32)>) -> ApiResult<HttpResponse> {
    let (key, id) = path.into_inner();
    let (review, roles) = review_for(&state, &caller, &key, Need::Contributor).await?;
    app::delete_extract(&state.store, review.id, caller.id(), is_lead(&roles), id, now_ms()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Adds a code to the codebook (optionally under a parent code).
#[utoipa::path(tag = "synthesis", request_body = CodeBody, params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 201, description = "The code", body = Object),
    (status = 422, description = "No name, a duplicate name, an unknown parent or a bad colour", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/synthesis/codes")]
async fn add_code(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<CodeBody>,
) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Contributor).await?;
    let row = app::add_code(&state.store, review.id, caller.id(), &body, uuid::Uuid::new_v4().to_string(), now_ms()).await?;
    let s = snap(&state, review.id).await?;
    Ok(HttpResponse::Created().json(app::code_json(&s, &row)))
}

/// Renames, describes, recolours or moves a code.
#[utoipa::path(tag = "synthesis", request_body = CodeBody, params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Code id")), responses(
    (status = 200, description = "The code", body = Object),
    (status = 422, description = "The change would make a cycle or a duplicate", body = crate::error::Problem),
))]
#[put("/api/reviews/{review}/synthesis/codes/{id}")]
async fn update_code(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
    body: web::Json<CodeBody>,
) -> ApiResult<web::Json<Value>> {
    let (key, id) = path.into_inner();
    let (review, _) = review_for(&state, &caller, &key, Need::Contributor).await?;
    let row = app::update_code(&state.store, review.id, caller.id(), id, &body, now_ms()).await?;
    let s = snap(&state, review.id).await?;
    Ok(web::Json(app::code_json(&s, &row)))
}

/// Deletes a code without child codes or codings.
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Code id")), responses(
    (status = 204, description = "Deleted"),
    (status = 409, description = "The code has children or codings", body = crate::error::Problem),
))]
#[delete("/api/reviews/{review}/synthesis/codes/{id}")]
async fn delete_code(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, i32)>) -> ApiResult<HttpResponse> {
    let (key, id) = path.into_inner();
    let (review, _) = review_for(&state, &caller, &key, Need::Contributor).await?;
    app::delete_code(&state.store, review.id, caller.id(), id, now_ms()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Imports a REFI-QDA codebook: a `.qdc` file, or the codebook and sets of a `.qdpx` project, as the
/// multipart field `file`. Codes are matched by GUID; sets become descriptive themes. All or nothing.
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "What was added and updated", body = CodebookImport),
    (status = 422, description = "The file is not a readable codebook", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/synthesis/codebook")]
async fn import_codebook(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    form: Multipart,
) -> ApiResult<web::Json<CodebookImport>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Contributor).await?;
    let mut form = super::read_form(form, state.settings.max_upload_bytes).await?;
    let Some((_, bytes)) = form.files.remove("file").filter(|(_, b)| !b.is_empty()) else {
        return Err(ApiError::invalid(vec![FieldError {
            field: "file".into(),
            message: "attach a .qdc codebook or a .qdpx project".into(),
        }]));
    };
    Ok(web::Json(app::import_codebook(&state.store, review.id, caller.id(), &bytes, now_ms()).await?))
}

/// The codebook as a REFI-QDA `.qdc` file (codes and descriptive themes as sets).
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "QDC", content_type = "application/xml"),
    (status = 409, description = "The codebook is empty", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/synthesis/codebook.qdc")]
async fn codebook_qdc(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let s = snap(&state, review.id).await?;
    let project = s.project(&review.title);
    if project.codes.is_empty() {
        return Err(ApiError::conflict("The codebook is empty, and a .qdc file must hold at least one code: add a code first.")
            .with_code("empty_codebook"));
    }
    let text = synthesis::refi::qdc(&project.codes, &project.themes).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/xml; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{}-codebook.qdc\"", review.slug)))
        .body(text))
}

/// The whole synthesis as a REFI-QDA `.qdpx` project for NVivo, ATLAS.ti or MAXQDA.
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id")), responses((status = 200, description = "QDPX (ZIP)", content_type = "application/zip")))]
#[get("/api/reviews/{review}/synthesis/project.qdpx")]
async fn project_qdpx(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let s = snap(&state, review.id).await?;
    let bytes = synthesis::refi::qdpx(&s.project(&review.title)).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{}.qdpx\"", review.slug)))
        .body(bytes))
}

/// Codes a span of an extract for the caller. Offsets count Unicode scalar values (code points).
#[utoipa::path(tag = "synthesis", request_body = CodingBody, params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 201, description = "The coding", body = Object),
    (status = 422, description = "The span is outside the extract, or the code is not codable", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/synthesis/codings")]
async fn add_coding(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<CodingBody>,
) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Contributor).await?;
    let row = app::add_coding(&state.store, review.id, caller.id(), &body, now_ms()).await?;
    let s = snap(&state, review.id).await?;
    Ok(HttpResponse::Created().json(app::coding_json(&s, &row)))
}

/// Removes a coding. Its coder or a lead.
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Coding id")), responses((status = 204, description = "Deleted")))]
#[delete("/api/reviews/{review}/synthesis/codings/{id}")]
async fn delete_coding(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, i32)>) -> ApiResult<HttpResponse> {
    let (key, id) = path.into_inner();
    let (review, roles) = review_for(&state, &caller, &key, Need::Contributor).await?;
    app::delete_coding(&state.store, review.id, caller.id(), is_lead(&roles), id, now_ms()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Adds a descriptive theme (grouping codes) or an analytical theme (grouping descriptive themes).
#[utoipa::path(tag = "synthesis", request_body = ThemeBody, params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 201, description = "The theme", body = Object),
    (status = 422, description = "Unknown members or a duplicate name", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/synthesis/themes")]
async fn add_theme(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<ThemeBody>,
) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Contributor).await?;
    let row = app::add_theme(&state.store, review.id, caller.id(), &body, now_ms()).await?;
    let s = snap(&state, review.id).await?;
    Ok(HttpResponse::Created().json(app::theme_json(&s, &s.matrix(), &row)))
}

/// Renames a theme, changes its memo or its members.
#[utoipa::path(tag = "synthesis", request_body = ThemeBody, params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Theme id")), responses((status = 200, description = "The theme", body = Object)))]
#[put("/api/reviews/{review}/synthesis/themes/{id}")]
async fn update_theme(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
    body: web::Json<ThemeBody>,
) -> ApiResult<web::Json<Value>> {
    let (key, id) = path.into_inner();
    let (review, _) = review_for(&state, &caller, &key, Need::Contributor).await?;
    let row = app::update_theme(&state.store, review.id, caller.id(), id, &body, now_ms()).await?;
    let s = snap(&state, review.id).await?;
    Ok(web::Json(app::theme_json(&s, &s.matrix(), &row)))
}

/// Deletes a theme; analytical themes drop it and its findings keep their text without a theme.
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Theme id")), responses((status = 204, description = "Deleted")))]
#[delete("/api/reviews/{review}/synthesis/themes/{id}")]
async fn delete_theme(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, i32)>) -> ApiResult<HttpResponse> {
    let (key, id) = path.into_inner();
    let (review, _) = review_for(&state, &caller, &key, Need::Contributor).await?;
    app::delete_theme(&state.store, review.id, caller.id(), id, now_ms()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The theme × study matrix: for each theme and each included study, the ids of supporting extracts.
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id")), responses((status = 200, description = "studies: [{label, item_id}], rows: [{theme_id, name, kind, studies, cells}]", body = Object)))]
#[get("/api/reviews/{review}/synthesis/matrix")]
async fn matrix(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<web::Json<Value>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    Ok(web::Json(app::matrix_json(&snap(&state, review.id).await?)))
}

/// The theme × study matrix as CSV (cells count the supporting extracts).
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id")), responses((status = 200, description = "CSV", content_type = "text/csv")))]
#[get("/api/reviews/{review}/synthesis/matrix.csv")]
async fn matrix_csv(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let s = snap(&state, review.id).await?;
    Ok(download(s.matrix_csv(), "text/csv; charset=utf-8", &format!("{}-theme-matrix.csv", review.slug)))
}

/// Review findings with their CERQual assessments, and what the appraisal says about each included
/// study (to inform the methodological-limitations judgement).
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id")), responses((status = 200, description = "findings, appraisal", body = Object)))]
#[get("/api/reviews/{review}/synthesis/findings")]
async fn list_findings(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<web::Json<Value>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let s = snap(&state, review.id).await?;
    let appraisal = app::appraisal_summaries(&state.store, review.id).await?;
    let by_item: serde_json::Map<String, Value> =
        s.studies.iter().map(|st| (st.item.id.to_string(), appraisal.get(&st.label).cloned().unwrap_or(Value::Null))).collect();
    Ok(web::Json(json!({
        "findings": s.findings.iter().map(|f| app::finding_json(&s, f)).collect::<Vec<_>>(),
        "appraisal": by_item,
    })))
}

/// Adds a review finding; without `studies`, its contributing studies are those supporting its theme.
#[utoipa::path(tag = "synthesis", request_body = FindingBody, params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 201, description = "The finding", body = Object),
    (status = 422, description = "Missing summary, unknown theme or study, or an incomplete assessment", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/synthesis/findings")]
async fn add_finding(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<FindingBody>,
) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Contributor).await?;
    let row = app::add_finding(&state.store, review.id, caller.id(), &body, now_ms()).await?;
    let s = snap(&state, review.id).await?;
    Ok(HttpResponse::Created().json(app::finding_json(&s, &row)))
}

/// Changes a review finding and its CERQual assessment.
#[utoipa::path(tag = "synthesis", request_body = FindingBody, params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Finding id")), responses(
    (status = 200, description = "The finding", body = Object),
    (status = 422, description = "An incomplete assessment", body = crate::error::Problem),
))]
#[put("/api/reviews/{review}/synthesis/findings/{id}")]
async fn update_finding(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
    body: web::Json<FindingBody>,
) -> ApiResult<web::Json<Value>> {
    let (key, id) = path.into_inner();
    let (review, _) = review_for(&state, &caller, &key, Need::Contributor).await?;
    let row = app::update_finding(&state.store, review.id, caller.id(), id, &body, now_ms()).await?;
    let s = snap(&state, review.id).await?;
    Ok(web::Json(app::finding_json(&s, &row)))
}

/// Deletes a review finding.
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Finding id")), responses((status = 204, description = "Deleted")))]
#[delete("/api/reviews/{review}/synthesis/findings/{id}")]
async fn delete_finding(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, i32)>) -> ApiResult<HttpResponse> {
    let (key, id) = path.into_inner();
    let (review, _) = review_for(&state, &caller, &key, Need::Contributor).await?;
    app::delete_finding(&state.store, review.id, caller.id(), id, now_ms()).await?;
    Ok(HttpResponse::NoContent().finish())
}

fn download(body: String, content_type: &str, name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .body(body)
}

fn page(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"))
        .body(body)
}

/// The Summary of Qualitative Findings table (assessed findings) as CSV.
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id")), responses((status = 200, description = "CSV", content_type = "text/csv")))]
#[get("/api/reviews/{review}/synthesis/soqf.csv")]
async fn soqf_csv(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let s = snap(&state, review.id).await?;
    Ok(download(synthesis::cerqual::soqf_csv(&s.assessments()), "text/csv; charset=utf-8", &format!("{}-SoQF.csv", review.slug)))
}

/// The Summary of Qualitative Findings table as a standalone HTML page.
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id")), responses((status = 200, description = "HTML", content_type = "text/html")))]
#[get("/api/reviews/{review}/synthesis/soqf.html")]
async fn soqf_html(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let s = snap(&state, review.id).await?;
    Ok(page(synthesis::cerqual::soqf_html(&s.assessments())))
}

/// The GRADE-CERQual evidence profile (each component with its explanation) as CSV.
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id")), responses((status = 200, description = "CSV", content_type = "text/csv")))]
#[get("/api/reviews/{review}/synthesis/evidence-profile.csv")]
async fn profile_csv(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let s = snap(&state, review.id).await?;
    Ok(download(
        synthesis::cerqual::evidence_profile_csv(&s.assessments()),
        "text/csv; charset=utf-8",
        &format!("{}-CERQual-evidence-profile.csv", review.slug),
    ))
}

/// The GRADE-CERQual evidence profile as a standalone HTML page.
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id")), responses((status = 200, description = "HTML", content_type = "text/html")))]
#[get("/api/reviews/{review}/synthesis/evidence-profile.html")]
async fn profile_html(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let s = snap(&state, review.id).await?;
    Ok(page(synthesis::cerqual::evidence_profile_html(&s.assessments())))
}

#[derive(Debug, Deserialize, IntoParams)]
struct AgreementQuery {
    /// User id of the first coder.
    a: Option<i32>,
    /// User id of the second coder.
    b: Option<i32>,
}

/// Code-by-code agreement between two coders over every extract: 2×2 counts (code applied to the
/// extract by both, one, or neither), percent agreement and Cohen's kappa.
#[utoipa::path(tag = "synthesis", params(("review" = String, Path, description = "Short name or id"), AgreementQuery), responses((status = 200, description = "Per code", body = Object)))]
#[get("/api/reviews/{review}/synthesis/agreement")]
async fn agreement(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<AgreementQuery>,
) -> ApiResult<web::Json<Value>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let (Some(a), Some(b)) = (query.a, query.b) else {
        return Err(ApiError::invalid(vec![FieldError {
            field: "a, b".into(),
            message: "name the two coders by user id, e.g. ?a=2&b=3".into(),
        }]));
    };
    let s = snap(&state, review.id).await?;
    let extracts: Vec<_> = s.extracts.iter().map(|e| s.extract(e)).collect();
    let codes = s.code_models();
    let rows = synthesis::agreement::agreement(&codes, &extracts, &s.coding_models(), &a.to_string(), &b.to_string());
    let name_of = |id: &str| codes.iter().find(|c| c.id == id).map(|c| c.name.clone()).unwrap_or_default();
    Ok(web::Json(json!({
        "a": {"id": a, "name": s.name(a)},
        "b": {"id": b, "name": s.name(b)},
        "extracts": extracts.len(),
        "codes": rows.iter().map(|r| json!({
            "code_id": r.code.parse::<i32>().ok(),
            "name": name_of(&r.code),
            "both": r.both, "only_a": r.only_a, "only_b": r.only_b, "neither": r.neither,
            "percent_agreement": r.percent_agreement, "kappa": r.kappa,
        })).collect::<Vec<_>>(),
    })))
}
