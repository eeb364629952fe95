//! Validated server settings. Reading flags, environment and files is the binary's job; this type is
//! what is left once every value has been checked.

use std::fmt;

#[derive(Clone)]
pub struct Settings {
    /// Address to listen on, e.g. `127.0.0.1:8080` (port 0 picks a free port).
    pub bind: String,
    /// Database URL; the password is never printed (see `Debug`).
    pub database_url: String,
    /// Token-signing secret; when `None`, one is generated on first start and kept in the database,
    /// so that every server sharing the database signs alike.
    pub jwt_secret: Option<String>,
    /// Mark cookies `Secure` (set when sift is served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Lifetime of an access token.
    pub access_ttl_secs: i64,
    /// Lifetime of a session (refresh token).
    pub refresh_ttl_secs: i64,
    /// Largest accepted upload, in bytes.
    pub max_upload_bytes: usize,
    /// HTTP worker threads (defaults to the number of cores).
    pub workers: usize,
    /// Built-in appraisal instruments this deployment switched off (ids such as `casp-rct`).
    pub disabled_instruments: Vec<String>,
    /// Where full-text PDFs are kept (`app::files`); `None` keeps them in the database. Servers that
    /// share a database share this directory too.
    pub files_dir: Option<std::path::PathBuf>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            bind: "127.0.0.1:8080".to_owned(),
            database_url: "sqlite://sift.db".to_owned(),
            jwt_secret: None,
            secure_cookies: false,
            access_ttl_secs: 15 * 60,
            refresh_ttl_secs: 30 * 24 * 3600,
            max_upload_bytes: 256 * 1024 * 1024,
            workers: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            disabled_instruments: Vec::new(),
            files_dir: None,
        }
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("database_url", &store::mask_url(&self.database_url))
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "***"))
            .field("secure_cookies", &self.secure_cookies)
            .field("access_ttl_secs", &self.access_ttl_secs)
            .field("refresh_ttl_secs", &self.refresh_ttl_secs)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("workers", &self.workers)
            .field("disabled_instruments", &self.disabled_instruments)
            .field("files_dir", &self.files_dir)
            .finish()
    }
}
