//! Extraction routes: the review's characteristics form, the included studies with where each stands,
//! each extractor's values (blind until every extractor of a study has submitted), the lead's reconciled
//! values, and the characteristics table as CSV and HTML.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, put, web};
use serde::Deserialize;
use serde_json::{Value, json};
use synthesis::extraction::Form;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Need, review_for};
use crate::app::extraction::{self as app, ExtractionError, StudyState, Values};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;
use crate::time::now_ms;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(overview)
        .service(put_form)
        .service(get_study)
        .service(put_mine)
        .service(put_reconciled)
        .service(characteristics_csv)
        .service(characteristics_html);
}

impl From<ExtractionError> for ApiError {
    fn from(e: ExtractionError) -> ApiError {
        match e {
            ExtractionError::Invalid(problems) => {
                ApiError::invalid(problems.into_iter().map(|(field, message)| FieldError { field, message }).collect())
            }
            ExtractionError::Conflict(msg) => ApiError::conflict(msg),
            ExtractionError::Store(s) => s.into(),
        }
    }
}

fn is_lead(roles: &[String]) -> bool {
    roles.iter().any(|r| r == "lead")
}

fn status_of(st: &StudyState, caller: i32) -> &'static str {
    match st.extractions.iter().find(|r| r.extractor_id == Some(caller)) {
        Some(r) if r.submitted => "submitted",
        Some(_) => "draft",
        None => "none",
    }
}

async fn find_study(state: &AppState, review_id: i32, item_id: i32) -> ApiResult<app::Study> {
    app::studies(&state.store, review_id)
        .await?
        .into_iter()
        .find(|s| s.item.id == item_id)
        .ok_or_else(|| ApiError::not_found("included study with that id"))
}

/// The review's form and every included study with the caller's status; leads (or anyone once a study is
/// complete) see how many extractions are in; leads see the differences once every extractor submitted.
#[utoipa::path(tag = "extraction", params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "`{form, studies: [{item_id, label, title, my_status, submitted, differences, reconciled, complete}]}`", body = Object),
))]
#[get("/api/reviews/{review}/extraction")]
async fn overview(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<web::Json<Value>> {
    let (review, roles) = review_for(&state, &caller, &path, Need::Member).await?;
    let lead = is_lead(&roles);
    let form = app::form(&state.store, review.id).await?;
    let mut by_item: HashMap<i32, Vec<store::extraction::ValuesRow>> = HashMap::new();
    for row in store::extraction::all(&state.store.db, review.id).await? {
        by_item.entry(row.item_id).or_default().push(row);
    }
    let mut studies = Vec::new();
    for s in app::studies(&state.store, review.id).await? {
        let st = app::state(&form, by_item.remove(&s.item.id).unwrap_or_default());
        let complete = st.final_values.is_some();
        studies.push(json!({
            "item_id": s.item.id,
            "label": s.label,
            "title": s.record.title,
            "my_status": status_of(&st, caller.id()),
            "submitted": (lead || complete).then_some(st.submitted),
            "differences": (lead && st.all_in).then_some(&st.differences),
            "reconciled": st.reconciled.is_some(),
            "complete": complete,
        }));
    }
    Ok(web::Json(json!({"form": form, "studies": studies})))
}

/// The extraction form: fields, each `{key, label, kind, options, required, help}`, and how many
/// independent extractions each study needs.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
struct FormBody {
    /// `key` (`[a-z0-9_]+`, unique), `label`, `kind` (`text`, `number`, `choice`, `choices` or `date`),
    /// `options` (for choice kinds), `required`, `help`.
    #[schema(value_type = Vec<Object>)]
    fields: Vec<Value>,
    /// 1 or 2 (default 2).
    extractors: u8,
}

/// Defines or replaces the review's extraction form (leads only); every problem is reported.
#[utoipa::path(tag = "extraction", request_body = FormBody, params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "Saved: the form as stored", body = Object),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 422, description = "The form is not valid; `errors` lists every problem", body = crate::error::Problem),
))]
#[put("/api/reviews/{review}/extraction/form")]
async fn put_form(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> ApiResult<web::Json<Form>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Lead).await?;
    let form: Form = serde_json::from_value(body.into_inner()).map_err(|e| {
        ApiError::invalid(vec![FieldError {
            field: "form".into(),
            message: format!("is not a form ({e}); send {{fields: [{{key, label, kind, options, required}}], extractors}}"),
        }])
    })?;
    Ok(web::Json(app::save_form(&state.store, review.id, form, caller.id(), now_ms()).await?))
}

async fn study_view(state: &AppState, review: &store::reviews::Review, roles: &[String], caller: i32, item_id: i32) -> ApiResult<Value> {
    let s = find_study(state, review.id, item_id).await?;
    let form = app::form(&state.store, review.id).await?;
    let st = app::study_state(&state.store, &form, &s).await?;
    let lead = is_lead(roles);
    let members = store::reviews::members(&state.store.db, review.id).await?;
    let name = |id: i32| members.iter().find(|(u, _)| u.id == id).map(|(u, _)| u.name.clone()).unwrap_or_default();
    let mine = st
        .extractions
        .iter()
        .find(|r| r.extractor_id == Some(caller))
        .map(|m| json!({"values": app::values_of(m), "submitted": m.submitted}));
    // Blind until every extractor has submitted; leads see everything.
    let others: Vec<Value> = if lead || st.all_in {
        st.extractions
            .iter()
            .filter(|r| r.extractor_id != Some(caller) && (lead || r.submitted))
            .map(|r| {
                let id = r.extractor_id.unwrap_or_default();
                json!({"extractor_id": id, "name": name(id), "values": app::values_of(r), "submitted": r.submitted})
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(json!({
        "item_id": s.item.id,
        "label": s.label,
        "title": s.record.title,
        "file_url": s.item.file_id.map(|_| format!("/api/reviews/{}/items/{}/file", review.slug, s.item.id)),
        "form": form,
        "my_status": status_of(&st, caller),
        "submitted": (lead || st.final_values.is_some()).then_some(st.submitted),
        "mine": mine,
        "others": others,
        "differences": st.all_in.then_some(&st.differences),
        "reconciled": st.reconciled.as_ref().map(app::values_of),
        "complete": st.final_values.is_some(),
        "final": st.final_values,
    }))
}

/// One study's extraction as the caller may see it: their own values; other extractors' values once every
/// extractor has submitted (leads always); the differences once all are in; reconciled and final values.
#[utoipa::path(tag = "extraction", params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "The study's full-text item id")), responses(
    (status = 200, description = "`{item_id, label, title, form, mine, others, differences, reconciled, final}`", body = Object),
    (status = 404, description = "No such included study", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/extraction/studies/{id}")]
async fn get_study(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, i32)>) -> ApiResult<web::Json<Value>> {
    let (key, id) = path.into_inner();
    let (review, roles) = review_for(&state, &caller, &key, Need::Member).await?;
    Ok(web::Json(study_view(&state, &review, &roles, caller.id(), id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
struct MyValues {
    /// Values keyed by field key: text, date (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`) and choice as strings,
    /// number as a number, multiple choices as an array of strings.
    #[schema(value_type = Object)]
    values: Values,
    /// Submit (every required field filled in; then locked) rather than save a draft.
    #[serde(default)]
    submit: bool,
}

/// Saves the caller's values for a study as a draft (may be partial), or submits them.
#[utoipa::path(tag = "extraction", request_body = MyValues, params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "The study's full-text item id")), responses(
    (status = 200, description = "Saved; the study view", body = Object),
    (status = 403, description = "Viewers do not extract", body = crate::error::Problem),
    (status = 409, description = "Already submitted, or no form yet", body = crate::error::Problem),
    (status = 422, description = "Values that do not fit the form; `errors` names each field as `values.<key>`", body = crate::error::Problem),
))]
#[put("/api/reviews/{review}/extraction/studies/{id}/mine")]
async fn put_mine(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
    body: web::Json<MyValues>,
) -> ApiResult<web::Json<Value>> {
    let (key, id) = path.into_inner();
    let (review, roles) = review_for(&state, &caller, &key, Need::Contributor).await?;
    let s = find_study(&state, review.id, id).await?;
    let b = body.into_inner();
    app::save_mine(&state.store, review.id, &s, caller.id(), b.values, b.submit, now_ms()).await?;
    Ok(web::Json(study_view(&state, &review, &roles, caller.id(), id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
struct ReconciledValues {
    /// The study's values as the lead settles them; every required field filled in.
    #[schema(value_type = Object)]
    values: Values,
}

/// Records the reconciled values of a study whose extractions are all in (leads only).
#[utoipa::path(tag = "extraction", request_body = ReconciledValues, params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "The study's full-text item id")), responses(
    (status = 200, description = "Saved; the study view", body = Object),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 409, description = "Not every extractor has submitted", body = crate::error::Problem),
    (status = 422, description = "Values that do not fit the form or are incomplete", body = crate::error::Problem),
))]
#[put("/api/reviews/{review}/extraction/studies/{id}/reconciled")]
async fn put_reconciled(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
    body: web::Json<ReconciledValues>,
) -> ApiResult<web::Json<Value>> {
    let (key, id) = path.into_inner();
    let (review, roles) = review_for(&state, &caller, &key, Need::Lead).await?;
    let s = find_study(&state, review.id, id).await?;
    app::reconcile(&state.store, review.id, &s, caller.id(), body.into_inner().values, now_ms()).await?;
    Ok(web::Json(study_view(&state, &review, &roles, caller.id(), id).await?))
}

/// The characteristics table as CSV: `Study`, then one column per field; one row per included study
/// (blank until its extraction is complete).
#[utoipa::path(tag = "extraction", params(("review" = String, Path, description = "Short name or id")), responses((status = 200, description = "CSV", content_type = "text/csv")))]
#[get("/api/reviews/{review}/extraction/characteristics.csv")]
async fn characteristics_csv(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let (form, rows) = app::table(&state.store, review.id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{}-characteristics.csv\"", review.slug)))
        .body(synthesis::extraction::characteristics_csv(&form, &rows)))
}

/// The characteristics table as a standalone, printable HTML page.
#[utoipa::path(tag = "extraction", params(("review" = String, Path, description = "Short name or id")), responses((status = 200, description = "HTML", content_type = "text/html")))]
#[get("/api/reviews/{review}/extraction/characteristics.html")]
async fn characteristics_html(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let (form, rows) = app::table(&state.store, review.id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"))
        .body(synthesis::extraction::characteristics_html(&app::table_title(&review.title), &form, &rows)))
}
