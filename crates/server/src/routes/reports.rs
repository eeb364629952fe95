//! Reports: the PRISMA 2020 flow as JSON (every count, the consistency checks, what is in progress),
//! as the PRISMA2020 package's CSV template, and as an SVG diagram.

use actix_web::{HttpResponse, get, put, web};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Need, review_for};
use crate::auth::Caller;
use crate::dto::PreviousReview;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;
use crate::time::now_ms;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(prisma_json).service(prisma_csv).service(prisma_svg).service(set_previous).service(included_ris).service(included_csv);
}

/// The PRISMA 2020 counts, derived from the review's data: identification per database and register
/// (and other methods), duplicates removed, records screened and excluded, reports sought, not
/// retrieved, assessed and excluded with reasons, studies and reports included; plus every
/// consistency check that does not hold yet, and the items still in progress that explain it.
#[utoipa::path(tag = "reports", params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "Counts and checks", body = Object),
    (status = 404, description = "No such review", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/prisma")]
async fn prisma_json(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<web::Json<serde_json::Value>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let (counts, progress) = crate::app::prisma::counts(&state.store, review.id).await?;
    Ok(web::Json(crate::app::prisma::to_json(&counts, &progress)))
}

/// The counts as the PRISMA2020 R package and Shiny app read them (`data,node,box,description,boxtext,tooltips,url,n`).
#[utoipa::path(tag = "reports", params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "PRISMA2020 CSV", content_type = "text/csv"),
))]
#[get("/api/reviews/{review}/prisma.csv")]
async fn prisma_csv(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let (counts, _) = crate::app::prisma::counts(&state.store, review.id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{}-PRISMA.csv\"", review.slug)))
        .body(review::prisma::to_csv(&counts)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct SvgQuery {
    /// List each database's and register's count inside the identification box.
    #[serde(default)]
    detail: bool,
}

/// The PRISMA 2020 flow diagram, drawn by sift in the official layout.
#[utoipa::path(tag = "reports", params(("review" = String, Path, description = "Short name or id"), SvgQuery), responses(
    (status = 200, description = "SVG", content_type = "image/svg+xml"),
))]
#[get("/api/reviews/{review}/prisma.svg")]
async fn prisma_svg(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    q: web::Query<SvgQuery>,
) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let (counts, _) = crate::app::prisma::counts(&state.store, review.id).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml; charset=utf-8")
        .insert_header(("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"))
        .body(review::prisma::to_svg(&counts, q.detail)))
}

/// Records, for an updated review, the studies and reports included in its previous version (leads
/// only); PRISMA then draws the previous-studies arm and the totals. Null clears them.
#[utoipa::path(tag = "reports", request_body = PreviousReview, params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "Saved; the PRISMA counts", body = Object),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 422, description = "Negative counts, or reports fewer than studies", body = crate::error::Problem),
))]
#[put("/api/reviews/{review}/prisma/previous")]
async fn set_previous(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<PreviousReview>,
) -> ApiResult<web::Json<serde_json::Value>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Lead).await?;
    let mut errors = Vec::new();
    for (field, v) in [("studies", body.studies), ("reports", body.reports)] {
        if v.is_some_and(|n| n < 0) {
            errors.push(FieldError { field: field.into(), message: "must be 0 or more".into() });
        }
    }
    if let (Some(s), Some(r)) = (body.studies, body.reports)
        && r < s
    {
        errors.push(FieldError {
            field: "reports".into(),
            message: "cannot be fewer than studies (each study has at least one report)".into(),
        });
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let now = now_ms();
    let txn = state.store.begin().await?;
    let after = store::reviews::set_previous(&txn, review.id, body.studies, body.reports).await?;
    store::audit::append(
        &txn,
        store::audit::NewEvent {
            review_id: Some(review.id),
            actor_id: Some(caller.id()),
            action: "prisma.previous",
            entity: "review",
            entity_id: review.id.to_string(),
            before: Some(serde_json::json!({"studies": review.previous_studies, "reports": review.previous_reports})),
            after: Some(serde_json::json!({"studies": after.previous_studies, "reports": after.previous_reports})),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    let (counts, progress) = crate::app::prisma::counts(&state.store, review.id).await?;
    Ok(web::Json(crate::app::prisma::to_json(&counts, &progress)))
}

/// The reports included at full text, as RIS (for reference managers).
#[utoipa::path(tag = "reports", params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "RIS", content_type = "application/x-research-info-systems"),
))]
#[get("/api/reviews/{review}/included.ris")]
async fn included_ris(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let records = crate::app::screening::included_citations(&state.store, review.id).await?;
    let mut out = String::new();
    citation::write::ris(&records, &mut out);
    Ok(HttpResponse::Ok()
        .content_type("application/x-research-info-systems; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{}-included.ris\"", review.slug)))
        .body(out))
}

/// The reports included at full text, as CSV (the columns of `sift parse --output csv`).
#[utoipa::path(tag = "reports", params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "CSV", content_type = "text/csv"),
))]
#[get("/api/reviews/{review}/included.csv")]
async fn included_csv(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let records = crate::app::screening::included_citations(&state.store, review.id).await?;
    let mut out = Vec::new();
    citation::write::csv(&records, &mut out);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{}-included.csv\"", review.slug)))
        .body(out))
}
