//! Reading a review's records: pages of deduplicated records (or of those a search finds), and one
//! record with its duplicates.

use actix_web::{get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Need, review_for};
use crate::auth::Caller;
use crate::dto::{Record, RecordDetail, RecordPage, RecordsQuery};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_records).service(get_record);
}

/// A page of the review's records after deduplication, in import order; with `q`, of those a search
/// by words finds.
#[utoipa::path(tag = "records", params(("review" = String, Path, description = "Short name or id"), RecordsQuery), responses(
    (status = 200, description = "Records", body = RecordPage),
    (status = 404, description = "No such review", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/records")]
async fn list_records(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    q: web::Query<RecordsQuery>,
) -> ApiResult<web::Json<RecordPage>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let db = &state.store.db;
    if let Some(words) = crate::app::search::Words::new(q.q.as_deref().unwrap_or("")) {
        // A search reads a few citation fields of every record, then the page it shows in full.
        let found: Vec<i32> = store::records::citations(db, review.id)
            .await?
            .into_iter()
            .filter(|c| {
                let (authors, year, id) =
                    (store::parse_json_list(&c.authors), c.year.map(|y| y.to_string()).unwrap_or_default(), c.id.to_string());
                let fields = [c.title.as_deref(), c.journal.as_deref(), c.doi.as_deref(), c.pmid.as_deref()];
                words.found_in(fields.into_iter().flatten().chain(authors.iter().map(String::as_str)).chain([year.as_str(), id.as_str()]))
            })
            .map(|c| c.id)
            .collect();
        let page: Vec<i32> = found
            .iter()
            .copied()
            .skip(usize::try_from(q.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .collect();
        let rows = store::records::by_ids(db, review.id, &page).await?;
        let total = u64::try_from(found.len()).unwrap_or(u64::MAX);
        return Ok(web::Json(RecordPage { total, offset: q.offset, limit, records: rows.iter().map(Record::from).collect() }));
    }
    let rows = store::records::page(db, review.id, q.offset, limit).await?;
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
