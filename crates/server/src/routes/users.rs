//! Administering accounts (admins only): create an account, disable or enable one.

use actix_web::{HttpResponse, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::dto::{NewUser, User, UserUpdate};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::time::now_ms;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_user).service(update_user);
}

fn require_admin(caller: &Caller) -> ApiResult<()> {
    if caller.user.is_admin { Ok(()) } else { Err(ApiError::forbidden("Only an administrator can manage accounts.")) }
}

/// Creates an account (admins only).
#[utoipa::path(tag = "users", request_body = NewUser, responses(
    (status = 201, description = "Created", body = User),
    (status = 403, description = "Not an administrator", body = crate::error::Problem),
    (status = 409, description = "The email is taken", body = crate::error::Problem),
    (status = 422, description = "Invalid fields", body = crate::error::Problem),
))]
#[post("/api/users")]
async fn create_user(state: web::Data<AppState>, caller: Caller, body: web::Json<NewUser>) -> ApiResult<HttpResponse> {
    require_admin(&caller)?;
    let now = now_ms();
    let user = crate::app::users::create(&state.store, &body.email, &body.name, &body.password, body.is_admin, now).await?;
    store::audit::append(
        &state.store.db,
        store::audit::NewEvent {
            review_id: None,
            actor_id: Some(caller.id()),
            action: "user.create",
            entity: "user",
            entity_id: user.id.to_string(),
            before: None,
            after: Some(serde_json::json!({"email": user.email, "name": user.name, "is_admin": user.is_admin})),
        },
        now,
    )
    .await?;
    Ok(HttpResponse::Created().json(User::from(&user)))
}

/// Disables or enables an account (admins only). Disabling ends the account's sessions at once.
#[utoipa::path(tag = "users", request_body = UserUpdate, params(("id" = i32, Path, description = "User id")), responses(
    (status = 200, description = "Updated", body = User),
    (status = 403, description = "Not an administrator", body = crate::error::Problem),
    (status = 404, description = "No such account", body = crate::error::Problem),
))]
#[patch("/api/users/{id}")]
async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
    body: web::Json<UserUpdate>,
) -> ApiResult<web::Json<User>> {
    require_admin(&caller)?;
    let id = path.into_inner();
    let before = store::users::by_id(&state.store.db, id).await?.ok_or_else(|| ApiError::not_found("account"))?;
    let now = now_ms();
    if let Some(disabled) = body.disabled {
        if disabled && id == caller.id() {
            return Err(ApiError::conflict("You cannot disable your own account."));
        }
        store::users::set_disabled(&state.store.db, id, disabled).await?;
        if disabled {
            store::users::revoke_user_sessions(&state.store.db, id, now).await?;
        }
    }
    let after = store::users::by_id(&state.store.db, id).await?.ok_or_else(|| ApiError::not_found("account"))?;
    store::audit::append(
        &state.store.db,
        store::audit::NewEvent {
            review_id: None,
            actor_id: Some(caller.id()),
            action: "user.update",
            entity: "user",
            entity_id: id.to_string(),
            before: Some(serde_json::json!({"disabled": before.disabled})),
            after: Some(serde_json::json!({"disabled": after.disabled})),
        },
        now,
    )
    .await?;
    Ok(web::Json(User::from(&after)))
}
