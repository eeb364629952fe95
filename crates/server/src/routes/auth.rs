//! Signing in and out, refreshing sessions, and the caller's own account.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{
    Caller, REFRESH_COOKIE, check_throttle, clear_cookies, dummy_hash, hash_password, issue_access, random_token, session_cookies,
    sha256_hex, verify_password,
};
use crate::dto::{LoginRequest, PasswordChange, RefreshRequest, Session, User};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::time::now_ms;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(login).service(refresh).service(logout).service(me).service(change_password);
}

fn address(req: &HttpRequest) -> String {
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".to_owned())
}

/// Starts a session and sets it in the browser's cookies (an HttpOnly access cookie, a refresh cookie
/// and a CSRF cookie) as well as returning the tokens for API clients.
#[utoipa::path(tag = "auth", request_body = LoginRequest, responses(
    (status = 200, description = "Signed in", body = Session),
    (status = 401, description = "Wrong email or password", body = crate::error::Problem),
    (status = 429, description = "Too many failed attempts", body = crate::error::Problem),
))]
#[post("/api/auth/login")]
async fn login(state: web::Data<AppState>, req: HttpRequest, body: web::Json<LoginRequest>) -> ApiResult<HttpResponse> {
    let email = body.email.trim().to_lowercase();
    let addr = address(&req);
    check_throttle(&state, &email, &addr).await?;
    let user = store::users::by_email(&state.store.db, &email).await?;
    let hash = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| dummy_hash().to_owned());
    let password = body.password.clone();
    let matches = web::block(move || verify_password(&password, &hash)).await.map_err(ApiError::internal)?;
    let now = now_ms();
    let user = match user {
        Some(u) if matches && !u.disabled => u,
        Some(u) if matches && u.disabled => {
            return Err(
                ApiError::forbidden("This account has been disabled. Ask an administrator to enable it.").with_code("account_disabled")
            );
        }
        _ => {
            store::users::record_login_attempt(&state.store.db, &email, &addr, false, now).await?;
            return Err(ApiError::new(
                actix_web::http::StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "The email or password is wrong. Check both and try again.",
            ));
        }
    };
    store::users::record_login_attempt(&state.store.db, &email, &addr, true, now).await?;
    let session_id = uuid::Uuid::new_v4().to_string();
    let secret = random_token(32);
    let expires = now + state.settings.refresh_ttl_secs * 1000;
    store::users::create_session(&state.store.db, &session_id, user.id, &sha256_hex(&secret), now, expires).await?;
    store::audit::append(
        &state.store.db,
        store::audit::NewEvent {
            review_id: None,
            actor_id: Some(user.id),
            action: "auth.login",
            entity: "session",
            entity_id: session_id.clone(),
            before: None,
            after: None,
        },
        now,
    )
    .await?;
    respond_with_session(&state, &user, &session_id, &format!("{session_id}.{secret}"), now)
}

/// A refresh token that no longer opens a session.
fn session_ended() -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::UNAUTHORIZED,
        "session_ended",
        "Your session has ended (signed out, expired, or used elsewhere). Sign in again.",
    )
}

fn respond_with_session(
    state: &AppState,
    user: &store::users::User,
    session_id: &str,
    refresh_token: &str,
    now: i64,
) -> ApiResult<HttpResponse> {
    let ttl = state.settings.access_ttl_secs;
    let access = issue_access(&state.keys, user.id, session_id, now / 1000, ttl)?;
    let csrf = random_token(24);
    let mut res = HttpResponse::Ok();
    for c in session_cookies(state, &access, refresh_token, &csrf) {
        res.cookie(c);
    }
    res.insert_header(("Cache-Control", "no-store"));
    Ok(res.json(Session {
        access_token: access,
        token_type: "Bearer".to_owned(),
        expires_in: ttl,
        refresh_token: refresh_token.to_owned(),
        csrf_token: csrf,
        user: User::from(user),
    }))
}

/// Exchanges a refresh token (from the body or the refresh cookie) for a new access token. Refresh
/// tokens are single use: each refresh returns a new one.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, description = "Refreshed", body = Session),
    (status = 401, description = "The session is over", body = crate::error::Problem),
))]
#[post("/api/auth/refresh")]
async fn refresh(state: web::Data<AppState>, req: HttpRequest, body: Option<web::Json<RefreshRequest>>) -> ApiResult<HttpResponse> {
    let token = body
        .and_then(|b| b.into_inner().refresh_token)
        .or_else(|| req.cookie(REFRESH_COOKIE).map(|c| c.value().to_owned()))
        .ok_or_else(session_ended)?;
    let (session_id, secret) = token.split_once('.').ok_or_else(session_ended)?;
    let now = now_ms();
    let session = store::users::live_session(&state.store.db, session_id, now).await?.ok_or_else(session_ended)?;
    let user = store::users::by_id(&state.store.db, session.user_id).await?.ok_or_else(session_ended)?;
    if user.disabled {
        return Err(session_ended());
    }
    let new_secret = random_token(32);
    let expires = now + state.settings.refresh_ttl_secs * 1000;
    let rotated = store::users::rotate_session(&state.store.db, session_id, &sha256_hex(secret), &sha256_hex(&new_secret), expires).await?;
    if !rotated {
        // A refresh token used twice means it leaked: end the session.
        store::users::revoke_session(&state.store.db, session_id, now).await?;
        return Err(session_ended());
    }
    respond_with_session(&state, &user, session_id, &format!("{session_id}.{new_secret}"), now)
}

/// Ends the session: its access and refresh tokens stop working at once, on every server.
#[utoipa::path(tag = "auth", responses((status = 204, description = "Signed out")))]
#[post("/api/auth/logout")]
async fn logout(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let now = now_ms();
    store::users::revoke_session(&state.store.db, &caller.session_id, now).await?;
    store::audit::append(
        &state.store.db,
        store::audit::NewEvent {
            review_id: None,
            actor_id: Some(caller.id()),
            action: "auth.logout",
            entity: "session",
            entity_id: caller.session_id.clone(),
            before: None,
            after: None,
        },
        now,
    )
    .await?;
    let mut res = HttpResponse::NoContent();
    for c in clear_cookies(&state) {
        res.cookie(c);
    }
    Ok(res.finish())
}

/// The signed-in account.
#[utoipa::path(tag = "auth", responses(
    (status = 200, description = "The caller", body = User),
    (status = 401, description = "Not signed in", body = crate::error::Problem),
))]
#[get("/api/me")]
async fn me(caller: Caller) -> web::Json<User> {
    web::Json(User::from(&caller.user))
}

/// Changes the caller's password and ends every session of the account, this one included: sign in
/// again with the new password.
#[utoipa::path(tag = "auth", request_body = PasswordChange, responses(
    (status = 204, description = "Changed"),
    (status = 401, description = "Not signed in", body = crate::error::Problem),
    (status = 422, description = "The current password is wrong, or the new one is too short", body = crate::error::Problem),
))]
#[post("/api/me/password")]
async fn change_password(state: web::Data<AppState>, caller: Caller, body: web::Json<PasswordChange>) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    crate::app::users::validate(&caller.user.email, &caller.user.name, &body.new_password)?;
    let hash = caller.user.password_hash.clone();
    let current = body.current_password.clone();
    if !web::block(move || verify_password(&current, &hash)).await.map_err(ApiError::internal)? {
        return Err(ApiError::invalid(vec![crate::error::FieldError {
            field: "current_password".into(),
            message: "is wrong; type your current password again".into(),
        }]));
    }
    let new = body.new_password;
    let new_hash = web::block(move || hash_password(&new)).await.map_err(ApiError::internal)??;
    let now = now_ms();
    store::users::set_password(&state.store.db, caller.id(), &new_hash).await?;
    store::users::revoke_user_sessions(&state.store.db, caller.id(), now).await?;
    store::audit::append(
        &state.store.db,
        store::audit::NewEvent {
            review_id: None,
            actor_id: Some(caller.id()),
            action: "auth.password_change",
            entity: "user",
            entity_id: caller.id().to_string(),
            before: None,
            after: None,
        },
        now,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
