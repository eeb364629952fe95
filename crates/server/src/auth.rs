//! Authentication: password hashing, the one place tokens are issued and decoded, the session cookies,
//! CSRF protection, login throttling and the [`Caller`] extractor every protected route takes.
//!
//! Access tokens are short-lived HS256 JWTs naming a session; every request also checks that the session
//! is still live in the database, so logging out (or an admin disabling an account) ends access at once,
//! on every server. Browsers carry tokens in `HttpOnly; SameSite=Strict` cookies and must echo the
//! `sift_csrf` cookie in an `X-CSRF-Token` header on state-changing requests; API clients send
//! `Authorization: Bearer` and need no CSRF token.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::{Method, StatusCode};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;
use crate::time::now_ms;

pub const ACCESS_COOKIE: &str = "sift_access";
pub const REFRESH_COOKIE: &str = "sift_refresh";
pub const CSRF_COOKIE: &str = "sift_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
const ISSUER: &str = "sift";
const AUDIENCE: &str = "sift-api";
/// Seconds of clock skew tolerated between servers.
const LEEWAY_SECS: u64 = 5;
/// Shortest accepted signing secret, in bytes.
pub const MIN_SECRET_LEN: usize = 32;

/// Throttling window and limits for failed logins.
const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;
const MAX_FAILS_PER_ACCOUNT: u64 = 10;
const MAX_FAILS_PER_ADDRESS: u64 = 50;

/// Signing keys derived from the server secret.
#[derive(Clone)]
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(***)")
    }
}

impl Keys {
    pub fn from_secret(secret: &[u8]) -> Keys {
        Keys { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) }
    }
}

/// The claims of an access token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The session id.
    pub sid: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

/// Signs an access token for a session, valid from `now_secs` for `ttl_secs`.
pub fn issue_access(keys: &Keys, user_id: i32, session_id: &str, now_secs: i64, ttl_secs: i64) -> Result<String, ApiError> {
    let claims = Claims {
        sub: user_id.to_string(),
        sid: session_id.to_owned(),
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
        iat: now_secs,
        nbf: now_secs,
        exp: now_secs + ttl_secs,
    };
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding).map_err(ApiError::internal)
}

/// Decodes and checks an access token: HS256 only (so `alg: none` and every other algorithm are
/// refused), a valid signature, our issuer and audience, and `exp`/`nbf` with a small leeway.
pub fn decode_access(keys: &Keys, token: &str) -> Result<Claims, ApiError> {
    let mut v = Validation::new(Algorithm::HS256);
    v.algorithms = vec![Algorithm::HS256];
    v.set_issuer(&[ISSUER]);
    v.set_audience(&[AUDIENCE]);
    v.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
    v.validate_exp = true;
    v.validate_nbf = true;
    v.leeway = LEEWAY_SECS;
    jsonwebtoken::decode::<Claims>(token, &keys.decoding, &v).map(|d| d.claims).map_err(|_| ApiError::unauthenticated())
}

/// Hashes a password with Argon2id (a fresh random salt each time).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let mut salt_bytes = [0u8; 16];
    rand::rng().fill(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(ApiError::internal)?;
    argon2::Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(ApiError::internal)
}

/// Checks a password against a stored Argon2 hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).map(|parsed| argon2::Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()).unwrap_or(false)
}

/// A hash of a password nobody has, verified when the account does not exist so that a failed login
/// takes as long for an unknown email as for a wrong password.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_token(16)).unwrap_or_default())
}

/// A random URL-safe token of `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    use base64::Engine;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill(buf.as_mut_slice());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Refuses a login when this account or address has failed too often recently.
pub async fn check_throttle(state: &AppState, email: &str, address: &str) -> Result<(), ApiError> {
    let since = now_ms() - THROTTLE_WINDOW_MS;
    let (by_email, by_address) = store::users::failed_attempts_since(&state.store.db, email, address, since).await?;
    if by_email >= MAX_FAILS_PER_ACCOUNT || by_address >= MAX_FAILS_PER_ADDRESS {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many failed sign-in attempts. Wait 15 minutes and try again, or ask an administrator to reset your password.",
        ));
    }
    Ok(())
}

/// Builds the three session cookies for a browser.
pub fn session_cookies(state: &AppState, access: &str, refresh: &str, csrf: &str) -> Vec<Cookie<'static>> {
    let secure = state.settings.secure_cookies;
    let access_age = CookieDuration::seconds(state.settings.refresh_ttl_secs);
    vec![
        Cookie::build(ACCESS_COOKIE, access.to_owned())
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Strict)
            .max_age(access_age)
            .finish(),
        Cookie::build(REFRESH_COOKIE, refresh.to_owned())
            .path("/api/auth")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Strict)
            .max_age(access_age)
            .finish(),
        Cookie::build(CSRF_COOKIE, csrf.to_owned())
            .path("/")
            .http_only(false)
            .secure(secure)
            .same_site(SameSite::Strict)
            .max_age(access_age)
            .finish(),
    ]
}

/// Cookies that clear the session from a browser.
pub fn clear_cookies(state: &AppState) -> Vec<Cookie<'static>> {
    [(ACCESS_COOKIE, "/"), (REFRESH_COOKIE, "/api/auth"), (CSRF_COOKIE, "/")]
        .into_iter()
        .map(|(name, path)| {
            let mut c = Cookie::build(name, "").path(path).secure(state.settings.secure_cookies).same_site(SameSite::Strict).finish();
            c.make_removal();
            c
        })
        .collect()
}

/// The signed-in person making a request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: store::users::User,
    pub session_id: String,
}

impl Caller {
    pub fn id(&self) -> i32 {
        self.user.id
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, ApiError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await })
    }
}

async fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    let state = app_state(req)?;
    let claims = access_claims(req, state)?;
    let user = store::users::session_user(&state.store.db, &claims.sid, now_ms()).await?;
    caller_from(user, claims)
}

/// Like the [`Caller`] extractor, and in the same query the review named by `key` (a short name or id)
/// with the caller's roles in it, and the settings of `stage` when one is named: the hot screening
/// routes ask this instead of a query for each.
pub async fn authenticate_in_review(
    req: &HttpRequest,
    key: &str,
    stage: Option<&str>,
) -> Result<(Caller, store::reviews::Access), ApiError> {
    authenticate_with(req, |db, sid, now| async move { store::reviews::access(&db, &sid, now, key, stage).await }).await
}

/// Like the [`Caller`] extractor, with `read` looking up the session's account (and whatever else it
/// reads in the same query) instead of the plain session lookup.
pub async fn authenticate_with<T, F, Fut>(req: &HttpRequest, read: F) -> Result<(Caller, T), ApiError>
where
    T: Default,
    F: FnOnce(store::DatabaseConnection, String, i64) -> Fut,
    Fut: std::future::Future<Output = Result<Option<(store::users::User, T)>, store::StoreError>>,
{
    let claims = access_claims(req, app_state(req)?)?;
    authenticate_claims_with(req, claims, read).await
}

/// [`authenticate_with`] for a request whose token the caller has already checked ([`token_claims`]),
/// so that it is not decoded twice.
pub async fn authenticate_claims_with<T, F, Fut>(req: &HttpRequest, claims: Claims, read: F) -> Result<(Caller, T), ApiError>
where
    T: Default,
    F: FnOnce(store::DatabaseConnection, String, i64) -> Fut,
    Fut: std::future::Future<Output = Result<Option<(store::users::User, T)>, store::StoreError>>,
{
    let state = app_state(req)?;
    let found = read(state.store.db.clone(), claims.sid.clone(), now_ms()).await?;
    let (user, more) = match found {
        Some((user, more)) => (Some(user), more),
        None => (None, T::default()),
    };
    Ok((caller_from(user, claims)?, more))
}

/// The checked claims of the request's access token, without reading the database: for a handler
/// whose write checks the session itself (a vote decided from a remembered ballot, `crate::memo`).
pub fn token_claims(req: &HttpRequest) -> Result<Claims, ApiError> {
    access_claims(req, app_state(req)?)
}

/// The caller, from the account an earlier request read for the token's session (see
/// [`token_claims`]): the same checks as the [`Caller`] extractor makes on a fresh read.
pub fn caller_remembered(user: store::users::User, claims: Claims) -> Result<Caller, ApiError> {
    caller_from(Some(user), claims)
}

fn app_state(req: &HttpRequest) -> Result<&web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::internal("application state missing"))
}

/// The checked claims of the request's access token (bearer header, or cookie with its CSRF check).
fn access_claims(req: &HttpRequest, state: &AppState) -> Result<Claims, ApiError> {
    let bearer = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_owned());
    let (token, via_cookie) = match bearer {
        Some(t) => (t, false),
        None => match req.cookie(ACCESS_COOKIE) {
            Some(c) => (c.value().to_owned(), true),
            None => return Err(ApiError::unauthenticated()),
        },
    };
    let claims = decode_access(&state.keys, &token)?;
    if via_cookie && !is_safe(req.method()) {
        check_csrf(req)?;
    }
    Ok(claims)
}

/// The caller, from the account behind the token's session (`None` when the session is not live).
fn caller_from(user: Option<store::users::User>, claims: Claims) -> Result<Caller, ApiError> {
    let user_id: i32 = claims.sub.parse().map_err(|_| ApiError::unauthenticated())?;
    let user = user.ok_or_else(ApiError::unauthenticated)?;
    if user.id != user_id {
        return Err(ApiError::unauthenticated());
    }
    if user.disabled {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "account_disabled",
            "This account has been disabled. Ask an administrator to enable it.",
        ));
    }
    Ok(Caller { user, session_id: claims.sid })
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Double-submit check: the header must equal the CSRF cookie, which other sites cannot read.
pub fn check_csrf(req: &HttpRequest) -> Result<(), ApiError> {
    let cookie = req.cookie(CSRF_COOKIE).map(|c| c.value().to_owned());
    let header = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    match (cookie, header) {
        (Some(c), Some(h)) if !c.is_empty() && constant_time_eq(c.as_bytes(), h.as_bytes()) => Ok(()),
        _ => Err(ApiError::forbidden("This request is missing its CSRF token. Reload the page and try again.").with_code("csrf_failed")),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
