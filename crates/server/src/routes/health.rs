//! `GET /health` (database reachability) and `GET /metrics` (Prometheus text format).

use actix_web::{HttpResponse, get, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::dto::Health;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health).service(metrics);
}

/// Reports whether the service and its database answer. 200 when healthy, 503 when the database is
/// unreachable; load balancers can use it as is.
#[utoipa::path(tag = "operations", responses(
    (status = 200, description = "Healthy", body = Health),
    (status = 503, description = "The database is unreachable", body = Health),
))]
#[get("/health")]
async fn health(state: web::Data<AppState>) -> HttpResponse {
    let ok = tokio::time::timeout(std::time::Duration::from_secs(3), state.store.ping()).await.map(|r| r.is_ok()).unwrap_or(false);
    state.metrics.database_up.set(i64::from(ok));
    let body = Health {
        status: if ok { "ok" } else { "degraded" }.to_owned(),
        database: if ok { "reachable" } else { "unreachable" }.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    if ok { HttpResponse::Ok().json(body) } else { HttpResponse::ServiceUnavailable().json(body) }
}

/// Prometheus metrics of this process: requests by route and status, latencies, records imported,
/// votes by ballot and written together.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Prometheus text exposition format", content_type = "text/plain")))]
#[get("/metrics")]
async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    state.metrics.sync_vote_batches(state.store.vote_batches());
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(state.metrics.render())
}
