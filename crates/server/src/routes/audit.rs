//! Reading a review's audit trail (leads only). There is deliberately no route that changes it.

use actix_web::{get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Need, review_for};
use crate::auth::Caller;
use crate::dto::{AuditEvent, AuditQuery};
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_events);
}

/// Audit events of a review, oldest first: who did what, when, with the state before and after.
#[utoipa::path(tag = "audit", params(("review" = String, Path, description = "Short name or id"), AuditQuery), responses(
    (status = 200, description = "Events", body = Vec<AuditEvent>),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 404, description = "No such review", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/audit")]
async fn list_events(state: web::Data<AppState>, caller: Caller, path: web::Path<String>, q: web::Query<AuditQuery>) -> ApiResult<web::Json<Vec<AuditEvent>>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Lead).await?;
    let limit = q.limit.unwrap_or(500).clamp(1, 5000);
    let events = store::audit::list(&state.store.db, review.id, q.after, limit).await?;
    Ok(web::Json(events.iter().map(AuditEvent::from).collect()))
}
