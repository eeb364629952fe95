//! Reports: the PRISMA 2020 flow as JSON (every count, the consistency checks, what is in progress),
//! as the PRISMA2020 package's CSV template, and as an SVG diagram.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Need, review_for};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(prisma_json).service(prisma_csv).service(prisma_svg);
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
async fn prisma_svg(state: web::Data<AppState>, caller: Caller, path: web::Path<String>, q: web::Query<SvgQuery>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let (counts, _) = crate::app::prisma::counts(&state.store, review.id).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml; charset=utf-8")
        .insert_header(("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"))
        .body(review::prisma::to_svg(&counts, q.detail)))
}
