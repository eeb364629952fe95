//! Reviews and their members: list mine, create, read, rename/archive, and manage members.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde_json::json;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Need, counts, review_for};
use crate::auth::Caller;
use crate::dto::{AcceptInvitation, Member, NewInvitation, NewMember, NewReview, Review, ReviewUpdate};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;
use crate::time::now_ms;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_reviews)
        .service(create_review)
        .service(get_review)
        .service(update_review)
        .service(list_members)
        .service(add_member)
        .service(invite)
        .service(show_invitation)
        .service(accept_invitation)
        .service(remove_member);
}

/// The reviews the caller is a member of, with the caller's roles and the review's counts.
#[utoipa::path(tag = "reviews", responses((status = 200, description = "My reviews", body = Vec<Review>)))]
#[get("/api/reviews")]
async fn list_reviews(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<Vec<Review>>> {
    let mut out = Vec::new();
    for (r, roles) in store::reviews::for_user(&state.store.db, caller.id()).await? {
        let c = counts(&state, r.id).await?;
        out.push(Review::from_row(&r, roles, c));
    }
    Ok(web::Json(out))
}

fn validate_slug(slug: &str) -> Option<FieldError> {
    let ok = (2..=64).contains(&slug.len())
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && slug.parse::<i64>().is_err();
    (!ok).then(|| FieldError {
        field: "slug".into(),
        message: "use 2 to 64 lower-case letters, digits and hyphens, not only digits (e.g. peer-workers-qes)".into(),
    })
}

/// Creates a review; the caller becomes its lead.
#[utoipa::path(tag = "reviews", request_body = NewReview, responses(
    (status = 201, description = "Created", body = Review),
    (status = 409, description = "The short name is taken", body = crate::error::Problem),
    (status = 422, description = "Invalid fields", body = crate::error::Problem),
))]
#[post("/api/reviews")]
async fn create_review(state: web::Data<AppState>, caller: Caller, body: web::Json<NewReview>) -> ApiResult<HttpResponse> {
    let mut errors: Vec<FieldError> = validate_slug(&body.slug).into_iter().collect();
    if body.title.trim().is_empty() || body.title.len() > 500 {
        errors.push(FieldError { field: "title".into(), message: "must be 1 to 500 characters".into() });
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let now = now_ms();
    let txn = state.store.begin().await?;
    let review = store::reviews::create(&txn, &body.slug, body.title.trim(), Some(caller.id()), now).await?;
    let review = store::reviews::update(&txn, review.id, None, Some(body.question.trim()), None).await?;
    store::reviews::add_member(&txn, review.id, caller.id(), "lead", now).await?;
    store::audit::append(
        &txn,
        store::audit::NewEvent {
            review_id: Some(review.id),
            actor_id: Some(caller.id()),
            action: "review.create",
            entity: "review",
            entity_id: review.id.to_string(),
            before: None,
            after: Some(json!({"slug": review.slug, "title": review.title, "question": review.question})),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(HttpResponse::Created().json(Review::from_row(&review, vec!["lead".to_owned()], Default::default())))
}

/// One review, by short name or id, with the caller's roles and its counts.
#[utoipa::path(tag = "reviews", params(("review" = String, Path, description = "Short name (e.g. `demo`) or id")), responses(
    (status = 200, description = "The review", body = Review),
    (status = 404, description = "No such review, or not a member", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}")]
async fn get_review(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<web::Json<Review>> {
    let (review, roles) = review_for(&state, &caller, &path, Need::Member).await?;
    let c = counts(&state, review.id).await?;
    Ok(web::Json(Review::from_row(&review, roles, c)))
}

/// Renames, re-words or archives a review (leads only).
#[utoipa::path(tag = "reviews", request_body = ReviewUpdate, params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "Updated", body = Review),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 404, description = "No such review", body = crate::error::Problem),
))]
#[patch("/api/reviews/{review}")]
async fn update_review(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<ReviewUpdate>,
) -> ApiResult<web::Json<Review>> {
    let (review, roles) = review_for(&state, &caller, &path, Need::Lead).await?;
    if body.title.as_ref().is_some_and(|t| t.trim().is_empty() || t.len() > 500) {
        return Err(ApiError::invalid(vec![FieldError { field: "title".into(), message: "must be 1 to 500 characters".into() }]));
    }
    let now = now_ms();
    let txn = state.store.begin().await?;
    let after =
        store::reviews::update(&txn, review.id, body.title.as_deref().map(str::trim), body.question.as_deref(), body.archived).await?;
    store::audit::append(
        &txn,
        store::audit::NewEvent {
            review_id: Some(review.id),
            actor_id: Some(caller.id()),
            action: "review.update",
            entity: "review",
            entity_id: review.id.to_string(),
            before: Some(json!({"title": review.title, "question": review.question, "archived": review.archived})),
            after: Some(json!({"title": after.title, "question": after.question, "archived": after.archived})),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    let c = counts(&state, review.id).await?;
    Ok(web::Json(Review::from_row(&after, roles, c)))
}

/// The members of a review and their roles.
#[utoipa::path(tag = "reviews", params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "Members", body = Vec<Member>),
    (status = 404, description = "No such review", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/members")]
async fn list_members(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<web::Json<Vec<Member>>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let members = member_list(&state, review.id).await?;
    Ok(web::Json(members))
}

/// Gives an existing account a role in the review (leads only).
#[utoipa::path(tag = "reviews", request_body = NewMember, params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 201, description = "Added", body = Vec<Member>),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 404, description = "No such review", body = crate::error::Problem),
    (status = 422, description = "Unknown role or account", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/members")]
async fn add_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<NewMember>,
) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Lead).await?;
    if !store::reviews::ROLES.contains(&body.role.as_str()) {
        return Err(ApiError::invalid(vec![FieldError { field: "role".into(), message: "must be lead, reviewer or viewer".into() }]));
    }
    let email = body.email.trim().to_lowercase();
    let user = store::users::by_email(&state.store.db, &email).await?.ok_or_else(|| {
        ApiError::invalid(vec![FieldError {
            field: "email".into(),
            message: format!("no account uses {email}; ask an administrator to create it first"),
        }])
    })?;
    let now = now_ms();
    add_member_audited(&state, review.id, user.id, &body.role, caller.id(), now).await?;
    let members: Vec<Member> = member_list(&state, review.id).await?;
    Ok(HttpResponse::Created().json(members))
}

/// How long an invitation link stays valid.
const INVITATION_TTL_MS: i64 = 14 * 24 * 3600 * 1000;

/// Invites someone to the review (leads only). An existing account is added at once; otherwise sift
/// returns a one-time link (valid for 14 days) to send to the person, who sets their name and password
/// through it and joins with the role given.
#[utoipa::path(tag = "reviews", request_body = NewInvitation, params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "The account existed and is now a member: {\"added\": true}", body = Object),
    (status = 201, description = "An invitation: {\"url\", \"email\", \"role\", \"expires_at\"}", body = Object),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 422, description = "Invalid email or role", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/invitations")]
async fn invite(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<NewInvitation>,
) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Lead).await?;
    let email = body.email.trim().to_lowercase();
    let mut errors = Vec::new();
    if !store::reviews::ROLES.contains(&body.role.as_str()) {
        errors.push(FieldError { field: "role".into(), message: "must be lead, reviewer or viewer".into() });
    }
    if crate::app::users::validate(&email, "x", "long enough password").is_err() {
        errors.push(FieldError { field: "email".into(), message: "must be an email address such as ana@example.org".into() });
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let now = now_ms();
    if let Some(user) = store::users::by_email(&state.store.db, &email).await? {
        add_member_audited(&state, review.id, user.id, &body.role, caller.id(), now).await?;
        return Ok(HttpResponse::Ok().json(json!({"added": true, "email": email, "role": body.role})));
    }
    let secret = crate::auth::random_token(32);
    let expires = now + INVITATION_TTL_MS;
    let txn = state.store.begin().await?;
    let inv = store::reviews::create_invitation(
        &txn,
        review.id,
        &email,
        &body.role,
        &crate::auth::sha256_hex(&secret),
        caller.id(),
        now,
        expires,
    )
    .await?;
    store::audit::append(
        &txn,
        store::audit::NewEvent {
            review_id: Some(review.id),
            actor_id: Some(caller.id()),
            action: "member.invite",
            entity: "invitation",
            entity_id: inv.id.to_string(),
            before: None,
            after: Some(json!({"email": email, "role": body.role, "expires_at": crate::time::rfc3339(expires)})),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(HttpResponse::Created()
        .json(json!({"url": format!("/invite/{secret}"), "email": email, "role": body.role, "expires_at": crate::time::rfc3339(expires)})))
}

fn invitation_gone() -> ApiError {
    ApiError::not_found("invitation for this link (it was used, has expired, or was mistyped): ask the lead for a new link")
}

/// What an invitation link is for: the review's title, the email and the role (no sign-in needed).
#[utoipa::path(tag = "reviews", params(("token" = String, Path, description = "The secret of the invitation link")), responses(
    (status = 200, description = "{\"review\", \"email\", \"role\"}", body = Object),
    (status = 404, description = "Used, expired or unknown", body = crate::error::Problem),
))]
#[get("/api/invitations/{token}")]
async fn show_invitation(state: web::Data<AppState>, path: web::Path<String>) -> ApiResult<web::Json<serde_json::Value>> {
    let inv =
        store::reviews::open_invitation(&state.store.db, &crate::auth::sha256_hex(&path), now_ms()).await?.ok_or_else(invitation_gone)?;
    let review = store::reviews::by_id(&state.store.db, inv.review_id).await?.ok_or_else(invitation_gone)?;
    Ok(web::Json(json!({"review": review.title, "slug": review.slug, "email": inv.email, "role": inv.role})))
}

/// Accepts an invitation: creates the account with the invited email, the name and password given,
/// and joins the review with the invited role. The link works once.
#[utoipa::path(tag = "reviews", request_body = AcceptInvitation, params(("token" = String, Path, description = "The secret of the invitation link")), responses(
    (status = 201, description = "Account created and joined; sign in with the email and password", body = Object),
    (status = 404, description = "Used, expired or unknown", body = crate::error::Problem),
    (status = 409, description = "An account with that email exists already: sign in instead", body = crate::error::Problem),
    (status = 422, description = "Name or password invalid", body = crate::error::Problem),
))]
#[post("/api/invitations/{token}/accept")]
async fn accept_invitation(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<AcceptInvitation>,
) -> ApiResult<HttpResponse> {
    let now = now_ms();
    let inv = store::reviews::open_invitation(&state.store.db, &crate::auth::sha256_hex(&path), now).await?.ok_or_else(invitation_gone)?;
    let user = crate::app::users::create(&state.store, &inv.email, &body.name, &body.password, false, now).await?;
    let txn = state.store.begin().await?;
    store::reviews::add_member(&txn, inv.review_id, user.id, &inv.role, now).await?;
    store::reviews::accept_invitation(&txn, inv.id, now).await?;
    store::audit::append(
        &txn,
        store::audit::NewEvent {
            review_id: Some(inv.review_id),
            actor_id: Some(user.id),
            action: "member.join",
            entity: "invitation",
            entity_id: inv.id.to_string(),
            before: None,
            after: Some(json!({"user_id": user.id, "email": user.email, "role": inv.role})),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(HttpResponse::Created().json(json!({"email": user.email, "role": inv.role})))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
struct RoleQuery {
    /// The role to take away: `lead`, `reviewer` or `viewer`.
    role: Option<String>,
}

/// Takes a role away from a member (leads only). The last lead cannot be removed; votes and other work
/// already done stay in the review and its audit trail.
#[utoipa::path(tag = "reviews", params(("review" = String, Path, description = "Short name or id"), ("user" = i32, Path, description = "User id"), RoleQuery), responses(
    (status = 200, description = "Removed; the members", body = Vec<Member>),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 404, description = "No such member role", body = crate::error::Problem),
    (status = 409, description = "The last lead", body = crate::error::Problem),
    (status = 422, description = "Unknown role", body = crate::error::Problem),
))]
#[delete("/api/reviews/{review}/members/{user}")]
async fn remove_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
    q: web::Query<RoleQuery>,
) -> ApiResult<web::Json<Vec<Member>>> {
    let (key, user) = path.into_inner();
    let (review, _) = review_for(&state, &caller, &key, Need::Lead).await?;
    let role = q.role.clone().unwrap_or_default();
    if !store::reviews::ROLES.contains(&role.as_str()) {
        return Err(ApiError::invalid(vec![FieldError { field: "role".into(), message: "must be lead, reviewer or viewer".into() }]));
    }
    let members = store::reviews::members(&state.store.db, review.id).await?;
    let leads = members.iter().filter(|(_, roles)| roles.iter().any(|r| r == "lead")).count();
    if role == "lead" && leads <= 1 && members.iter().any(|(u, roles)| u.id == user && roles.iter().any(|r| r == "lead")) {
        return Err(ApiError::conflict("A review needs at least one lead: make someone else a lead first."));
    }
    let now = now_ms();
    let txn = state.store.begin().await?;
    if !store::reviews::remove_member(&txn, review.id, user, &role).await? {
        return Err(ApiError::not_found("member with that role"));
    }
    store::audit::append(
        &txn,
        store::audit::NewEvent {
            review_id: Some(review.id),
            actor_id: Some(caller.id()),
            action: "member.remove",
            entity: "member",
            entity_id: user.to_string(),
            before: Some(json!({"user_id": user, "role": role})),
            after: None,
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    let members = member_list(&state, review.id).await?;
    Ok(web::Json(members))
}

/// The members of a review with their roles, as the API shows them.
async fn member_list(state: &AppState, review_id: i32) -> ApiResult<Vec<Member>> {
    Ok(store::reviews::members(&state.store.db, review_id)
        .await?
        .into_iter()
        .map(|(u, roles)| Member { user_id: u.id, name: u.name, email: u.email, roles })
        .collect())
}

/// Gives an existing account a role, with its audit event, in one transaction.
async fn add_member_audited(state: &AppState, review_id: i32, user_id: i32, role: &str, actor: i32, now: i64) -> ApiResult<()> {
    let txn = state.store.begin().await?;
    store::reviews::add_member(&txn, review_id, user_id, role, now).await?;
    store::audit::append(
        &txn,
        store::audit::NewEvent {
            review_id: Some(review_id),
            actor_id: Some(actor),
            action: "member.add",
            entity: "member",
            entity_id: user_id.to_string(),
            before: None,
            after: Some(json!({"user_id": user_id, "role": role})),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(())
}
