//! Reading a review's records: pages of deduplicated records, and one record with its duplicates.

use actix_web::{get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Need, review_for};
use crate::auth::Caller;
use crate::dto::{PageQuery, Record, RecordDetail, RecordPage};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_records).service(get_record);
}

/// A page of the review's records after deduplication, in import order.
#[utoipa::path(tag = "records", params(("review" = String, Path, description = "Short name or id"), PageQuery), responses(
    (status = 200, description = "Records", body = RecordPage),
    (status = 404, description = "No such review", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/records")]
async fn list_records(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> ApiResult<web::Json<RecordPage>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let rows = store::records::page(&state.store.db, review.id, q.offset, limit).await?;
    let (_, unique) = store::records::counts(&state.store.db, review.id).await?;
    Ok(web::Json(RecordPage { total: unique, offset: q.offset, limit, records: rows.iter().map(Record::from).collect() }))
}

/// One record, with the records merged into it as duplicates.
#[utoipa::path(tag = "records", params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Record id")), responses(
    (status = 200, description = "The record", body = RecordDetail),
    (status = 404, description = "No such record", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/records/{id}")]
async fn get_record(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, i32)>) -> ApiResult<web::Json<RecordDetail>> {
    let (key, id) = path.into_inner();
    let (review, _) = review_for(&state, &caller, &key, Need::Member).await?;
    let row = store::records::get(&state.store.db, review.id, id).await?.ok_or_else(|| ApiError::not_found("record"))?;
    let dups = store::records::merged_into(&state.store.db, row.id).await?;
    Ok(web::Json(RecordDetail { record: Record::from(&row), duplicates: dups.iter().map(Record::from).collect() }))
}
