//! The end-to-end test harness: starts the real sift server on port 0 against a fresh database per
//! test (a temporary SQLite file, or a fresh PostgreSQL database when `SIFT_TEST_POSTGRES_URL` is set)
//! and gives tests an HTTP client and helpers.
//!
//! Every test written with [`db_test!`] runs twice, once per database. Without
//! `SIFT_TEST_POSTGRES_URL` the PostgreSQL half skips with a loud message, except under `CI=true`,
//! where it fails: CI must exercise both databases.

use std::time::Duration;

use actix_web::dev::ServerHandle;
use anyhow::{Context, bail};
use serde_json::{Value, json};

pub use serde_json;

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A database made for one test, removed when dropped.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

impl TestDb {
    /// A fresh database, or `None` when PostgreSQL is not configured (outside CI).
    pub async fn new(kind: Db) -> anyhow::Result<Option<TestDb>> {
        match kind {
            Db::Sqlite => {
                let dir = tempfile::tempdir()?;
                let url = format!("sqlite://{}", dir.path().join("sift.db").display());
                Ok(Some(TestDb { url, _dir: Some(dir), pg_drop: None }))
            }
            Db::Postgres => {
                let Some(admin) = postgres_url()? else { return Ok(None) };
                let name = format!("sift_test_{}", uuid::Uuid::new_v4().simple());
                let conn = sea_orm::Database::connect(admin.clone())
                    .await
                    .with_context(|| format!("PostgreSQL at {} is unreachable", store::mask_url(&admin)))?;
                use sea_orm::ConnectionTrait;
                conn.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
                let _ = conn.close().await;
                let url = replace_db_name(&admin, &name);
                Ok(Some(TestDb { url, _dir: None, pg_drop: Some((admin, name)) }))
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg_drop.take() {
            // Drop on a thread of its own: this may run inside an async runtime.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
                rt.block_on(async {
                    if let Ok(conn) = sea_orm::Database::connect(admin).await {
                        use sea_orm::ConnectionTrait;
                        let _ = conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                        let _ = conn.close().await;
                    }
                });
            })
            .join();
        }
    }
}

/// `SIFT_TEST_POSTGRES_URL`, or `None` (with a loud message) when unset outside CI.
pub fn postgres_url() -> anyhow::Result<Option<String>> {
    match std::env::var("SIFT_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => Ok(Some(u)),
        _ if in_ci() => bail!("CI=true but SIFT_TEST_POSTGRES_URL is not set: the PostgreSQL half of the suite is mandatory in CI"),
        _ => {
            eprintln!("\n*** SKIPPED on PostgreSQL: set SIFT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test to run it ***\n");
            Ok(None)
        }
    }
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// A running server with its database.
pub struct TestApp {
    pub base: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub store: store::Store,
    pub db: Db,
    handle: ServerHandle,
    // Dropped last: the database outlives the server.
    test_db: std::sync::Arc<TestDb>,
}

impl TestApp {
    /// Starts a server on a fresh database; `None` when that database is not available here.
    pub async fn spawn(kind: Db) -> Option<TestApp> {
        Self::spawn_configured(kind, |_| {}).await
    }

    /// Like [`TestApp::spawn`], with settings adjusted by `configure`.
    pub async fn spawn_configured(kind: Db, configure: impl FnOnce(&mut server::Settings)) -> Option<TestApp> {
        let test_db = match TestDb::new(kind).await {
            Ok(Some(db)) => std::sync::Arc::new(db),
            Ok(None) => return None,
            Err(e) => panic!("cannot create a test database on {kind:?}: {e:#}"),
        };
        Some(Self::spawn_on(kind, test_db, configure).await)
    }

    /// Starts another server on the same database as `self` (for scale-out tests).
    pub async fn sibling(&self) -> TestApp {
        Self::spawn_on(self.db, self.test_db.clone(), |_| {}).await
    }

    /// [`TestApp::sibling`] with settings adjusted by `configure`.
    pub async fn sibling_configured(&self, configure: impl FnOnce(&mut server::Settings)) -> TestApp {
        Self::spawn_on(self.db, self.test_db.clone(), configure).await
    }

    async fn spawn_on(kind: Db, test_db: std::sync::Arc<TestDb>, configure: impl FnOnce(&mut server::Settings)) -> TestApp {
        let store = store::connect(&test_db.url).await.expect("connect to the test database");
        store.migrate().await.expect("migrate the test database");
        let mut settings = server::Settings {
            bind: "127.0.0.1:0".to_owned(),
            database_url: test_db.url.clone(),
            workers: 2,
            ..server::Settings::default()
        };
        configure(&mut settings);
        let app = server::Application::build(settings, store.clone()).await.expect("build the server");
        let port = app.port();
        let handle = app.handle();
        tokio::spawn(app.run_without_signals());
        let client = reqwest::Client::builder().timeout(Duration::from_secs(120)).build().expect("build the HTTP client");
        TestApp { base: format!("http://127.0.0.1:{port}"), port, client, store, db: kind, handle, test_db }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Creates an account directly in the store.
    pub async fn user(&self, email: &str, password: &str, admin: bool) -> i32 {
        server::app::users::create(
            &self.store,
            email,
            email.split('@').next().unwrap_or("someone"),
            password,
            admin,
            server::time::now_ms(),
        )
        .await
        .expect("create a user")
        .id
    }

    /// Creates a review led by `lead` and returns its slug.
    pub async fn review(&self, slug: &str, lead: i32) -> String {
        let now = server::time::now_ms();
        let r = store::reviews::create(&self.store.db, slug, &format!("Review {slug}"), Some(lead), now).await.expect("create a review");
        store::reviews::add_member(&self.store.db, r.id, lead, "lead", now).await.expect("add the lead");
        r.slug
    }

    pub async fn add_member(&self, slug: &str, user: i32, role: &str) {
        let r = store::reviews::by_slug(&self.store.db, slug).await.expect("query").expect("review exists");
        store::reviews::add_member(&self.store.db, r.id, user, role, server::time::now_ms()).await.expect("add member");
    }

    /// Signs in and returns the bearer token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let res = self
            .client
            .post(self.url("/api/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(res.status(), 200, "login of {email} failed: {}", res.text().await.unwrap_or_default());
        let body: Value = res.json().await.expect("login body");
        body["access_token"].as_str().expect("access token").to_owned()
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let res = self.client.get(self.url(path)).bearer_auth(token).send().await.expect("GET");
        status_json(res).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        let res = self.client.post(self.url(path)).bearer_auth(token).json(&body).send().await.expect("POST");
        status_json(res).await
    }

    /// Uploads a file as an import and waits for the job to end; returns the finished job.
    pub async fn import(&self, slug: &str, token: &str, file_name: &str, bytes: Vec<u8>, database_name: &str) -> (u16, Value) {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()))
            .text("database_name", database_name.to_owned())
            .text("searched_on", "2024-03-12")
            .text("query", "peer support AND homelessness");
        let res = self
            .client
            .post(self.url(&format!("/api/reviews/{slug}/imports?wait=true")))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("import request");
        status_json(res).await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        // Stop without waiting: the runtime may be shutting down.
        drop(handle.stop(false));
    }
}

pub async fn status_json(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

/// A RIS file of `n` generated journal articles, each with its own DOI and title (nothing to merge):
/// for routing at scale (the load bench, tests of large stages).
pub fn distinct_ris(n: usize) -> Vec<u8> {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(n * 700);
    for i in 0..n {
        let _ = write!(
            out,
            "TY  - JOUR\r\nID  - L{i}\r\nAU  - Author{}, A.\r\nTI  - Distinct study {i} of peer support topic {}\r\nT2  - Journal {}\r\nPY  - {}\r\nDO  - 10.5555/load.{i}\r\nAB  - Abstract of study {i}: peer workers, homelessness and substance use, setting {}.\r\nER  - \r\n\r\n",
            i % 997,
            i % 89,
            i % 41,
            1995 + i % 30,
            i % 13
        );
    }
    out.into_bytes()
}

/// The repository root (for fixtures).
pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(std::path::Path::to_path_buf).unwrap_or_default()
}

pub fn fixture(path: &str) -> Vec<u8> {
    let p = repo_root().join("fixtures").join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("read fixture {}: {e}", p.display()))
}

/// Runs the test body once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let Some($app) = $crate::TestApp::spawn($crate::Db::Sqlite).await else { return };
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) = $crate::TestApp::spawn($crate::Db::Postgres).await else { return };
                $body
            }
        }
    };
}
