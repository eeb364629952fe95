//! Layered configuration: flags and `SIFT_*` environment variables (both read by clap), then an optional
//! TOML file, then defaults. Every value is validated here, once, with a message naming the value and
//! what to do; secrets are never printed.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

use crate::cli::LogFormat;

pub const DEFAULT_DATABASE: &str = "sqlite://sift.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// The optional TOML file. Unknown keys are refused so a typo does not silently do nothing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<String>,
    pub database: Option<String>,
    pub log_format: Option<LogFormat>,
    pub jwt_secret: Option<String>,
    pub secure_cookies: Option<bool>,
    pub access_ttl_secs: Option<i64>,
    pub refresh_ttl_secs: Option<i64>,
    pub max_upload_mb: Option<usize>,
    pub workers: Option<usize>,
    pub disabled_instruments: Option<Vec<String>>,
    pub files_dir: Option<PathBuf>,
}

/// Reads the configuration file named by `--config`/`SIFT_CONFIG`, or `./sift.toml` when present.
pub fn load_file(explicit: Option<&Path>) -> anyhow::Result<FileConfig> {
    let path: PathBuf = match explicit {
        Some(p) => p.to_owned(),
        None => {
            let default = PathBuf::from("sift.toml");
            if !default.exists() {
                return Ok(FileConfig::default());
            }
            default
        }
    };
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("configuration file {} is invalid: {}", path.display(), e.message()))
}

/// The database URL: flag or environment, then file, then `sqlite://sift.db`. Checked for a known scheme.
pub fn database_url(flag: Option<&str>, file: &FileConfig) -> anyhow::Result<String> {
    let url = flag.map(str::to_owned).or_else(|| file.database.clone()).unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
    if url.trim().is_empty() {
        bail!("the database URL is empty; set --database or SIFT_DATABASE_URL, e.g. sqlite://sift.db");
    }
    store::Backend::from_url(&url).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(url)
}

/// The full server settings, validated.
pub fn server_settings(
    bind: Option<&str>,
    database: &str,
    secure_cookies: Option<bool>,
    workers: Option<usize>,
    file: &FileConfig,
) -> anyhow::Result<server::Settings> {
    let mut s = server::Settings { database_url: database.to_owned(), ..server::Settings::default() };
    s.bind = bind.map(str::to_owned).or_else(|| file.bind.clone()).unwrap_or_else(|| DEFAULT_BIND.to_owned());
    if s.bind.parse::<std::net::SocketAddr>().is_err() && !s.bind.contains(':') {
        bail!("--bind/SIFT_BIND {:?} is not an address; use HOST:PORT such as 127.0.0.1:8080", s.bind);
    }
    s.jwt_secret = std::env::var("SIFT_JWT_SECRET").ok().filter(|v| !v.is_empty()).or_else(|| file.jwt_secret.clone());
    if let Some(secret) = &s.jwt_secret
        && secret.len() < server::auth::MIN_SECRET_LEN
    {
        bail!(
            "the token secret (SIFT_JWT_SECRET or jwt_secret) is {} bytes; use at least {} random bytes, or leave it unset and sift generates one",
            secret.len(),
            server::auth::MIN_SECRET_LEN
        );
    }
    s.secure_cookies = secure_cookies.or(file.secure_cookies).unwrap_or(false);
    if let Some(t) = env_or(file.access_ttl_secs, "SIFT_ACCESS_TTL_SECS")? {
        if !(30..=86_400).contains(&t) {
            bail!("access_ttl_secs = {t} is out of range; use 30 to 86400 seconds");
        }
        s.access_ttl_secs = t;
    }
    if let Some(t) = env_or(file.refresh_ttl_secs, "SIFT_REFRESH_TTL_SECS")? {
        if !(300..=31_536_000).contains(&t) {
            bail!("refresh_ttl_secs = {t} is out of range; use 300 to 31536000 seconds");
        }
        s.refresh_ttl_secs = t;
    }
    if let Some(mb) = env_or(file.max_upload_mb.map(|v| v as i64), "SIFT_MAX_UPLOAD_MB")? {
        if !(1..=4096).contains(&mb) {
            bail!("max_upload_mb = {mb} is out of range; use 1 to 4096");
        }
        s.max_upload_bytes = usize::try_from(mb).unwrap_or(1) * 1024 * 1024;
    }
    let disabled = match std::env::var("SIFT_DISABLED_INSTRUMENTS") {
        Ok(v) => v.split(',').map(|x| x.trim().to_owned()).filter(|x| !x.is_empty()).collect(),
        Err(_) => file.disabled_instruments.clone().unwrap_or_default(),
    };
    for id in &disabled {
        if review::appraisal::builtin(id).is_none() {
            bail!(
                "disabled_instruments names {id:?}, which is not a built-in instrument; use any of {}",
                review::appraisal::BUILTIN_IDS.join(", ")
            );
        }
    }
    s.disabled_instruments = disabled;
    s.files_dir = files_dir(file);
    if let Some(w) = workers.or(file.workers) {
        if !(1..=256).contains(&w) {
            bail!("workers = {w} is out of range; use 1 to 256");
        }
        s.workers = w;
    }
    Ok(s)
}

fn env_or(file: Option<i64>, var: &str) -> anyhow::Result<Option<i64>> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => v.trim().parse::<i64>().map(Some).map_err(|_| anyhow::anyhow!("{var}={v:?} is not a whole number")),
        _ => Ok(file),
    }
}

/// The files directory for full texts: `SIFT_FILES_DIR`, else the file's `files_dir`; `None` keeps
/// them in the database.
pub fn files_dir(file: &FileConfig) -> Option<PathBuf> {
    match std::env::var("SIFT_FILES_DIR") {
        Ok(v) if !v.trim().is_empty() => Some(PathBuf::from(v.trim())),
        _ => file.files_dir.clone(),
    }
}
