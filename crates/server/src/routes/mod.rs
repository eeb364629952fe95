//! Route registration and the access rules every review route applies.
//!
//! Each resource has its own module; every handler carries `#[utoipa::path]`, and registration goes
//! through `utoipa_actix_web`, so a handler without an OpenAPI description does not compile in.

mod appraisal;
mod audit;
mod auth;
mod duplicates;
mod extraction;
mod health;
mod imports;
mod records;
mod reports;
mod reviews;
mod screening;
mod synthesis;
mod users;

use std::collections::HashMap;

use actix_multipart::Multipart;
use futures_util::StreamExt;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Registers every route. actix tries routes in the order registered, each a pattern match (a regex for
/// a path with parameters), and matches once more to label a request's metrics; so the routes a
/// reviewer calls on every record come first. No two routes match the same path and method, so the
/// order decides only how many patterns a request is tried against.
pub fn configure(cfg: &mut ServiceConfig) {
    screening::configure(cfg);
    health::configure(cfg);
    appraisal::configure(cfg);
    extraction::configure(cfg);
    auth::configure(cfg);
    users::configure(cfg);
    reviews::configure(cfg);
    imports::configure(cfg);
    records::configure(cfg);
    reports::configure(cfg);
    duplicates::configure(cfg);
    audit::configure(cfg);
    synthesis::configure(cfg);
}

/// What a caller must be to use a review route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Any member (lead, reviewer or viewer).
    Member,
    /// A lead or a reviewer.
    Contributor,
    /// A lead.
    Lead,
}

/// Finds the review named by `key` for `caller`. A review the caller is not a member of is reported
/// exactly like one that does not exist (404), so its existence is never revealed.
pub async fn review_for(state: &AppState, caller: &Caller, key: &str, need: Need) -> ApiResult<(store::reviews::Review, Vec<String>)> {
    let found = store::reviews::find_with_roles(&state.store.db, key, caller.id()).await?;
    allowed(found, need)
}

/// A review route's caller, review and roles (and the settings of `stage`, when named), checked as
/// [`Caller`] and [`review_for`] check them, from one query: for the routes reviewers call on every
/// record, which take the request instead of a `Caller`.
pub async fn review_access(
    req: &actix_web::HttpRequest,
    key: &str,
    need: Need,
    stage: Option<&str>,
) -> ApiResult<(Caller, store::reviews::Review, Vec<String>, Option<(store::screening::Settings, store::screening::Settings)>)> {
    let (caller, access) = crate::auth::authenticate_in_review(req, key, stage).await?;
    let (review, roles) = allowed(access.review, need)?;
    Ok((caller, review, roles, access.stage.zip(access.full_text)))
}

/// [`review_access`] for a vote: the caller, review and roles, and the ballot of item `item_id` (what
/// the vote is decided from; `None` when the review has no such item), from one query. `claims` are
/// the request's access token, which the handler has checked already (`auth::token_claims`).
pub async fn review_ballot(
    req: &actix_web::HttpRequest,
    claims: crate::auth::Claims,
    key: &str,
    item_id: i32,
    need: Need,
) -> ApiResult<(Caller, store::reviews::Review, Vec<String>, Option<store::screening::Ballot>)> {
    let (caller, (access, ballot)) = crate::auth::authenticate_claims_with(req, claims, |db, sid, now| async move {
        Ok(store::screening::access_and_ballot(&db, &sid, now, key, item_id).await?.map(|(user, access, ballot)| (user, (access, ballot))))
    })
    .await?;
    let (review, roles) = allowed(access.review, need)?;
    Ok((caller, review, roles, ballot))
}

/// The review when the caller is a member with the role `need` asks for; a review they are not a member
/// of reads as one that does not exist.
fn allowed(found: Option<(store::reviews::Review, Vec<String>)>, need: Need) -> ApiResult<(store::reviews::Review, Vec<String>)> {
    let (review, roles) = found.ok_or_else(|| ApiError::not_found("review"))?;
    if roles.is_empty() {
        return Err(ApiError::not_found("review"));
    }
    let has = |r: &str| roles.iter().any(|x| x == r);
    let allowed = match need {
        Need::Member => true,
        Need::Contributor => has("lead") || has("reviewer"),
        Need::Lead => has("lead"),
    };
    if !allowed {
        let what = match need {
            Need::Lead => "Only a lead of this review can do this. Ask a lead to do it or to make you a lead.",
            _ => "Viewers can read this review but not change it. Ask a lead for the reviewer role.",
        };
        return Err(ApiError::forbidden(what));
    }
    Ok((review, roles))
}

/// Review counts shown on the review page and the dashboard.
pub async fn counts(state: &AppState, review_id: i32) -> ApiResult<crate::dto::ReviewCounts> {
    let (total, unique) = store::records::counts(&state.store.db, review_id).await?;
    let pending = store::dedup::count_with_status(&state.store.db, review_id, store::dedup::status::PENDING).await?;
    let sources = store::imports::sources(&state.store.db, review_id).await?.len() as u64;
    Ok(crate::dto::ReviewCounts {
        records_imported: total,
        duplicates_removed: total - unique,
        records: unique,
        duplicates_pending: pending,
        sources,
    })
}

/// A multipart form as read: files by field name (file name, bytes) and text fields (trimmed).
#[derive(Debug, Default)]
pub struct Form {
    pub files: HashMap<String, (String, Vec<u8>)>,
    pub fields: HashMap<String, String>,
}

impl Form {
    /// A text field, or `None` when missing or blank.
    pub fn text(&self, name: &str) -> Option<String> {
        self.fields.get(name).filter(|v| !v.is_empty()).cloned()
    }
}

/// Reads a whole multipart form, refusing any part larger than `limit` bytes with 413 `file_too_large`.
pub async fn read_form(mut form: Multipart, limit: usize) -> ApiResult<Form> {
    let unreadable =
        |e: actix_multipart::MultipartError| ApiError::bad_request("bad_upload", format!("The upload could not be read: {e}."));
    let mut out = Form::default();
    while let Some(item) = form.next().await {
        let mut field = item.map_err(unreadable)?;
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.content_disposition().and_then(|cd| cd.get_filename()).map(str::to_owned);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            if bytes.len() + chunk.len() > limit {
                return Err(ApiError::new(
                    actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "file_too_large",
                    format!("The file is larger than {} MB, the most this server accepts here.", limit / (1024 * 1024)),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        match file_name {
            Some(f) => {
                out.files.insert(name, (f, bytes));
            }
            None => {
                out.fields.insert(name, String::from_utf8_lossy(&bytes).trim().to_owned());
            }
        }
    }
    Ok(out)
}
