//! The duplicates queue: pairs the engine was unsure of (or merged), judged by a lead side by side;
//! and undoing a merge.

use actix_web::{get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Need, review_for};
use crate::app::dedup::Judgement;
use crate::auth::Caller;
use crate::dto::{DuplicatePair, PairQuery, Record};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::time::now_ms;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_pairs).service(merge_pair).service(reject_pair).service(reopen_pair).service(unmerge).service(rerun);
}

const STATUSES: [&str; 5] = ["pending", "auto_merged", "merged", "not_duplicate", "unmerged"];

async fn pair_dto(state: &AppState, review_id: i32, p: &store::dedup::Pair) -> ApiResult<DuplicatePair> {
    let a = store::records::get(&state.store.db, review_id, p.record_a).await?.ok_or_else(|| ApiError::not_found("record"))?;
    let b = store::records::get(&state.store.db, review_id, p.record_b).await?.ok_or_else(|| ApiError::not_found("record"))?;
    // People compare the records as imported, not as merged.
    let mut ra = Record::from(&a);
    let mut rb = Record::from(&b);
    overlay_original(&mut ra, &a);
    overlay_original(&mut rb, &b);
    Ok(DuplicatePair {
        id: p.id,
        status: p.status.clone(),
        decision: p.decision.clone(),
        score: p.score,
        evidence: serde_json::from_str(&p.evidence).unwrap_or(serde_json::Value::Null),
        a: ra,
        b: rb,
    })
}

fn overlay_original(dto: &mut Record, row: &store::records::Record) {
    if let Ok(c) = store::records::original(row) {
        dto.title = c.title.clone();
        dto.authors = c.authors.iter().map(citation::Author::display).collect();
        dto.year = c.year;
        dto.journal = c.journal.clone();
        dto.journal_abbrev = c.journal_abbrev.clone();
        dto.volume = c.volume.clone();
        dto.issue = c.issue.clone();
        dto.pages = c.pages();
        dto.doi = c.doi.clone();
        dto.pmid = c.pmid.clone();
        dto.abstract_text = c.abstract_text.clone();
    }
}

/// Duplicate pairs by status (`pending` by default): each with both records and the evidence.
#[utoipa::path(tag = "duplicates", params(("review" = String, Path, description = "Short name or id"), PairQuery), responses(
    (status = 200, description = "Pairs", body = Vec<DuplicatePair>),
    (status = 404, description = "No such review", body = crate::error::Problem),
    (status = 422, description = "Unknown status", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/duplicates")]
async fn list_pairs(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    q: web::Query<PairQuery>,
) -> ApiResult<web::Json<Vec<DuplicatePair>>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let status = q.status.clone().unwrap_or_else(|| "pending".to_owned());
    if !STATUSES.contains(&status.as_str()) {
        return Err(ApiError::invalid(vec![crate::error::FieldError {
            field: "status".into(),
            message: format!("must be one of {}", STATUSES.join(", ")),
        }]));
    }
    let mut out = Vec::new();
    for p in store::dedup::with_status(&state.store.db, review.id, &status).await? {
        out.push(pair_dto(&state, review.id, &p).await?);
    }
    Ok(web::Json(out))
}

/// Merges a pair: the two records (and anything already merged into either) become one record.
#[utoipa::path(tag = "duplicates", params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Pair id")), responses(
    (status = 200, description = "Merged", body = DuplicatePair),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 404, description = "No such pair", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/duplicates/{id}/merge")]
async fn merge_pair(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, i32)>) -> ApiResult<web::Json<DuplicatePair>> {
    judge(state, caller, path, Judgement::Merge).await
}

/// Records that a pair is not a duplicate; it will not be merged or offered again.
#[utoipa::path(tag = "duplicates", params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Pair id")), responses(
    (status = 200, description = "Recorded", body = DuplicatePair),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 404, description = "No such pair", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/duplicates/{id}/not-duplicate")]
async fn reject_pair(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, i32)>) -> ApiResult<web::Json<DuplicatePair>> {
    judge(state, caller, path, Judgement::NotDuplicate).await
}

/// Takes back a "not duplicates" judgement: the pair returns to the queue (leads only).
#[utoipa::path(tag = "duplicates", params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Pair id")), responses(
    (status = 200, description = "Back in the queue", body = DuplicatePair),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 404, description = "No such pair", body = crate::error::Problem),
    (status = 409, description = "The pair was not judged \"not duplicates\"", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/duplicates/{id}/reopen")]
async fn reopen_pair(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, i32)>) -> ApiResult<web::Json<DuplicatePair>> {
    let (key, id) = path.into_inner();
    let (review, _) = review_for(&state, &caller, &key, Need::Lead).await?;
    let pair = crate::app::dedup::reopen(&state.store, review.id, id, caller.id(), now_ms()).await.map_err(|e| match e {
        store::StoreError::NotFound => ApiError::not_found("duplicate pair"),
        other => other.into(),
    })?;
    Ok(web::Json(pair_dto(&state, review.id, &pair).await?))
}

async fn judge(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
    j: Judgement,
) -> ApiResult<web::Json<DuplicatePair>> {
    let (key, id) = path.into_inner();
    let (review, _) = review_for(&state, &caller, &key, Need::Lead).await?;
    let pair = crate::app::dedup::judge(&state.store, review.id, id, j, caller.id(), now_ms()).await.map_err(|e| match e {
        store::StoreError::NotFound => ApiError::not_found("duplicate pair"),
        other => other.into(),
    })?;
    Ok(web::Json(pair_dto(&state, review.id, &pair).await?))
}

/// Undoes a merge: the record stands on its own again and is never merged with that record again
/// automatically.
#[utoipa::path(tag = "duplicates", params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Record id of the merged duplicate")), responses(
    (status = 200, description = "Unmerged", body = Record),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 404, description = "No such record", body = crate::error::Problem),
    (status = 409, description = "The record is not merged", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/records/{id}/unmerge")]
async fn unmerge(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, i32)>) -> ApiResult<web::Json<Record>> {
    let (key, id) = path.into_inner();
    let (review, _) = review_for(&state, &caller, &key, Need::Lead).await?;
    let r = crate::app::dedup::unmerge(&state.store, review.id, id, caller.id(), now_ms()).await.map_err(|e| match e {
        store::StoreError::NotFound => ApiError::not_found("record"),
        other => other.into(),
    })?;
    Ok(web::Json(Record::from(&r)))
}

/// Runs deduplication over the whole review again (people's judgements are kept).
#[utoipa::path(tag = "duplicates", params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "Done: records merged, pairs queued, duplicates removed in all", body = Object),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/duplicates/run")]
async fn rerun(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<web::Json<serde_json::Value>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Lead).await?;
    let quiet: crate::app::import::ProgressFn = std::sync::Arc::new(|_, _, _| {});
    let s = crate::app::dedup::run(&state.store, review.id, Some(caller.id()), now_ms(), quiet).await?;
    Ok(web::Json(serde_json::json!({"merged": s.merged, "queued": s.queued, "duplicates_removed": s.duplicates_removed})))
}
