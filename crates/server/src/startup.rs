//! Builds the actix-web application: binds first (so the port is known and a busy port fails early),
//! wires state, middleware and routes, and stops gracefully on SIGINT or SIGTERM.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::{Server, ServerHandle, Service};
use actix_web::{App, HttpResponse, HttpServer, web};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use crate::auth::{Keys, MIN_SECRET_LEN, random_token};
use crate::metrics::{Metrics, RequestLabels};
use crate::settings::Settings;
use crate::state::{AppState, JobBoard};

/// Why the server could not start; each message says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {bind}: {reason}. Choose another address with --bind or SIFT_BIND.")]
    Bind { bind: String, reason: String },
    #[error("{0}")]
    Store(#[from] store::StoreError),
    #[error(
        "the token secret is {0} bytes long; use at least {MIN_SECRET_LEN} random bytes (SIFT_JWT_SECRET), or leave it unset to generate one"
    )]
    WeakSecret(usize),
    #[error("{0}")]
    FilesDir(String),
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "sift",
        description = "Systematic-review screening and synthesis. Errors are RFC 9457 problem details with a stable `code`."
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError))
)]
struct ApiDoc;

/// A running job whose progress has not moved for this long belongs to a server that stopped.
const STALE_JOB_MS: i64 = 30 * 60 * 1000;

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds the listener, loads (or creates) the signing secret and prepares the server.
    /// The store must already be migrated.
    pub async fn build(settings: Settings, store: store::Store) -> Result<Application, StartError> {
        let listener =
            TcpListener::bind(&settings.bind).map_err(|e| StartError::Bind { bind: settings.bind.clone(), reason: e.to_string() })?;
        let port = listener.local_addr().map_err(|e| StartError::Bind { bind: settings.bind.clone(), reason: e.to_string() })?.port();
        if let Some(dir) = &settings.files_dir {
            crate::app::files::check_dir(dir).map_err(StartError::FilesDir)?;
        }
        let secret = match &settings.jwt_secret {
            Some(s) if s.len() < MIN_SECRET_LEN => return Err(StartError::WeakSecret(s.len())),
            Some(s) => s.clone(),
            None => store::settings::get_or_insert(&store.db, "jwt_secret", &random_token(48)).await?,
        };
        // Jobs left running by a server that stopped mid-way: their imports rolled back, so say so.
        let stale = crate::time::now_ms() - STALE_JOB_MS;
        let failed = store::jobs::fail_stale(
            &store.db,
            stale,
            &serde_json::json!({"error": "The server running this import stopped before it finished, so nothing was stored. Import the file again."}),
            crate::time::now_ms(),
        )
        .await?;
        if failed > 0 {
            tracing::warn!(failed, "marked import jobs left running by a stopped server as failed");
        }
        let state = AppState {
            store,
            keys: Keys::from_secret(secret.as_bytes()),
            metrics: Arc::new(Metrics::default()),
            jobs: JobBoard::default(),
            ballots: Default::default(),
            holdings: Default::default(),
            top_ups: Arc::new(tokio::sync::Semaphore::new(crate::app::screening::TOP_UP_LANES)),
            settings: Arc::new(settings.clone()),
        };
        let data = web::Data::new(state);
        let max_upload = settings.max_upload_bytes;
        let server = HttpServer::new(move || {
            let (app, api) = App::new()
                .into_utoipa_app()
                .openapi(ApiDoc::openapi())
                .app_data(data.clone())
                .app_data(crate::error::json_config())
                .app_data(crate::error::query_config())
                .app_data(crate::error::path_config())
                .app_data(web::PayloadConfig::new(max_upload))
                .configure(crate::routes::configure)
                .split_for_parts();
            let spec = api.to_json().unwrap_or_default();
            let metrics = data.metrics.clone();
            app.route(
                "/api/openapi.json",
                web::get().to(move || {
                    let spec = spec.clone();
                    async move { HttpResponse::Ok().content_type("application/json").body(spec) }
                }),
            )
            .configure(crate::web_assets::configure)
            .wrap(
                actix_web::middleware::DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("Referrer-Policy", "same-origin"))
                    .add(("X-Frame-Options", "DENY")),
            )
            .wrap_fn(move |req, srv| {
                let started = Instant::now();
                let method = req.method().to_string();
                let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_owned());
                let path = req.path().to_owned();
                let metrics = metrics.clone();
                let fut = srv.call(req);
                async move {
                    let res = fut.await?;
                    let status = res.status().as_u16();
                    let elapsed = started.elapsed();
                    let labels = RequestLabels { method: method.clone(), route, status };
                    metrics.requests.get_or_create(&labels).inc();
                    metrics.latency.get_or_create(&labels).observe(elapsed.as_secs_f64());
                    tracing::info!(%method, %path, status, ms = elapsed.as_secs_f64() * 1000.0, "request");
                    Ok(res)
                }
            })
        })
        .workers(settings.workers)
        .disable_signals()
        .shutdown_timeout(10)
        .listen(listener)
        .map_err(|e| StartError::Bind { bind: settings.bind.clone(), reason: e.to_string() })?
        .run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server from elsewhere (tests, signal handlers).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped; SIGINT and SIGTERM stop it gracefully (in-flight requests finish).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("shutting down: finishing in-flight requests");
            handle.stop(true).await;
        });
        self.server.await
    }

    /// Serves without installing signal handlers (for tests, which stop servers through the handle).
    pub async fn run_without_signals(self) -> std::io::Result<()> {
        self.server.await
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
