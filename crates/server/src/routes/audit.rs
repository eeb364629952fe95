//! Reading a review's audit trail (leads only). There is deliberately no route that changes it.

use actix_web::{HttpResponse, get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Need, review_for};
use crate::auth::Caller;
use crate::dto::{AuditEvent, AuditQuery};
use crate::error::ApiResult;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_events).service(export_jsonl).service(export_csv);
}

/// Audit events of a review, oldest first: who did what, when, with the state before and after.
#[utoipa::path(tag = "audit", params(("review" = String, Path, description = "Short name or id"), AuditQuery), responses(
    (status = 200, description = "Events", body = Vec<AuditEvent>),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 404, description = "No such review", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/audit")]
async fn list_events(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    q: web::Query<AuditQuery>,
) -> ApiResult<web::Json<Vec<AuditEvent>>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Lead).await?;
    let limit = q.limit.unwrap_or(500).clamp(1, 5000);
    let events = store::audit::list(&state.store.db, review.id, q.after, limit).await?;
    Ok(web::Json(events.iter().map(AuditEvent::from).collect()))
}

/// Every event as it is stored, oldest first.
async fn all_events(state: &AppState, review_id: i32) -> ApiResult<Vec<AuditEvent>> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = store::audit::list(&state.store.db, review_id, after, 5000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        out.extend(page.iter().map(AuditEvent::from));
    }
    Ok(out)
}

/// The whole audit trail as JSON lines, one event per line (leads only).
#[utoipa::path(tag = "audit", params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "JSON lines", content_type = "application/x-ndjson"),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/audit.jsonl")]
async fn export_jsonl(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Lead).await?;
    let mut body = String::new();
    for e in all_events(&state, review.id).await? {
        body.push_str(&serde_json::to_string(&e).map_err(crate::error::ApiError::internal)?);
        body.push('\n');
    }
    Ok(HttpResponse::Ok()
        .content_type("application/x-ndjson; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{}-audit.jsonl\"", review.slug)))
        .body(body))
}

/// The whole audit trail as CSV: `id,at,actor_id,action,entity,entity_id,before,after` (leads only).
#[utoipa::path(tag = "audit", params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "CSV", content_type = "text/csv"),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/audit.csv")]
async fn export_csv(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Lead).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["id", "at", "actor_id", "action", "entity", "entity_id", "before", "after"]);
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    for e in all_events(&state, review.id).await? {
        let _ = w.write_record([
            e.id.to_string(),
            e.at.clone(),
            e.actor_id.map(|a| a.to_string()).unwrap_or_default(),
            e.action.clone(),
            e.entity.clone(),
            e.entity_id.clone(),
            json(&e.before),
            json(&e.after),
        ]);
    }
    let bytes = w.into_inner().map_err(crate::error::ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{}-audit.csv\"", review.slug)))
        .body(bytes))
}
