//! Screening routes: protocol and stage settings, `next`, votes (cast, change, undo), conflicts and
//! their resolution, full-text files, progress, agreement and the decisions export.
//!
//! Blinding is enforced here, in one place (`item_view` and `progress`): while a stage is blind, a
//! reviewer who is not a lead never receives another reviewer's vote, a vote count, or a state that
//! reveals disagreement (`conflict` reads as `open`) before the record is decided.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Need, review_access, review_ballot, review_for};
use crate::app::screening::{self as app, ScreeningError};
use crate::auth::Caller;
use crate::dto::{
    AgreementView, Estimate, FileView, NextQuery, NotRetrieved, Pilot, Protocol, ProtocolVersion, ReasonAgreementView, Reassign, Record,
    Resolution, ReviewerProgress, ScreeningItem, StageProgress, StageSettings, StudyLink, ThenNextQuery, VoteAndNext, VoteRequest,
    VoteView,
};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;
use crate::time::{now_ms, rfc3339};

/// The routes called on every record first (see [`super::configure`]).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(vote_and_next)
        .service(next)
        .service(put_vote)
        .service(get_item)
        .service(get_protocol)
        .service(put_protocol)
        .service(protocol_history)
        .service(get_settings)
        .service(put_settings)
        .service(undo_vote)
        .service(list_my_votes)
        .service(conflicts)
        .service(resolve)
        .service(third_reviewer)
        .service(upload_file)
        .service(get_file)
        .service(not_retrieved)
        .service(progress)
        .service(agreement)
        .service(reason_agreement)
        .service(decisions)
        .service(link_study)
        .service(open_pilot)
        .service(list_items)
        .service(reassign);
}

impl From<ScreeningError> for ApiError {
    fn from(e: ScreeningError) -> ApiError {
        match e {
            ScreeningError::Invalid(msg) => ApiError::new(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", msg),
            ScreeningError::Conflict(msg) => ApiError::conflict(msg),
            ScreeningError::NotFound => ApiError::not_found("record to screen"),
            ScreeningError::Store(s) => s.into(),
            ScreeningError::Files(cause) => {
                tracing::error!(error = %cause, "files directory");
                ApiError::unavailable(
                    "sift could not write or read the full text in its files directory. Try again; if it keeps happening, tell your administrator (the server's log says why).",
                )
                .with_code("files_unavailable")
            }
        }
    }
}

fn stage_of(s: &str) -> ApiResult<&'static str> {
    match s {
        "title_abstract" => Ok(store::screening::TITLE_ABSTRACT),
        "full_text" => Ok(store::screening::FULL_TEXT),
        _ => Err(ApiError::not_found("stage (use title_abstract or full_text)")),
    }
}

fn settings_dto(s: &store::screening::Settings) -> StageSettings {
    StageSettings {
        reviewers_per_record: s.reviewers_per_record,
        blind: s.blind,
        maybe_is_conflict: s.maybe_is_conflict,
        pilot_size: Some(s.pilot_size),
        pilot_threshold: Some(s.pilot_threshold),
        pilot_opened: Some(s.pilot_opened),
        double_percent: Some(s.double_percent),
        pairs: Some(s.pairs.clone()),
    }
}

fn is_lead(roles: &[String]) -> bool {
    roles.iter().any(|r| r == "lead")
}

/// Whether `roles` may see every vote of `stage`: leads always; others when the stage is not blind.
async fn sees_all(state: &AppState, review_id: i32, stage: &str, roles: &[String]) -> ApiResult<bool> {
    if is_lead(roles) {
        return Ok(true);
    }
    Ok(!store::screening::settings(&state.store.db, review_id, stage).await?.blind)
}

async fn item_view(
    state: &AppState,
    review: &store::reviews::Review,
    roles: &[String],
    caller: &Caller,
    item: &store::screening::Item,
) -> ApiResult<ScreeningItem> {
    item_view_from(state, review, roles, caller, item, Known::default()).await
}

/// What the caller of [`item_view_from`] read already, so it is not read again.
#[derive(Debug, Default)]
struct Known {
    record: Option<store::records::Record>,
    /// Every vote on the item.
    votes: Option<Vec<store::screening::VoteRow>>,
    /// Names of reviewers of `votes` (those missing are read).
    names: store::screening::VoterNames,
    /// Whether the item's stage is blind.
    blind: Option<bool>,
}

/// [`item_view`] with what the caller already read.
async fn item_view_from(
    state: &AppState,
    review: &store::reviews::Review,
    roles: &[String],
    caller: &Caller,
    item: &store::screening::Item,
    known: Known,
) -> ApiResult<ScreeningItem> {
    let record = match known.record {
        Some(r) => r,
        None => store::records::get(&state.store.db, review.id, item.record_id).await?.ok_or_else(|| ApiError::not_found("record"))?,
    };
    let caller_id = caller.id();
    let votes = match known.votes {
        Some(v) => v,
        // The item counts its votes: none counted, none to read.
        None if item.votes == 0 => Vec::new(),
        None => store::screening::votes_of_item(&state.store.db, item.id).await?,
    };
    let blind = known.blind;
    let decided = matches!(item.state.as_str(), "included" | "excluded" | "not_retrieved");
    let all = decided
        || is_lead(roles)
        || match blind {
            Some(b) => !b,
            None => sees_all(state, review.id, &item.stage, roles).await?,
        };
    // Names only for the votes this caller may see; the caller's own is known, and so are those read
    // with the votes.
    let mut names = known.names;
    let voters: Vec<i32> =
        if all { votes.iter().map(|v| v.reviewer_id).filter(|r| *r != caller_id && !names.contains_key(r)).collect() } else { Vec::new() };
    names.extend(store::users::names(&state.store.db, &voters).await?);
    names.insert(caller_id, caller.user.name.clone());
    let view = |v: &store::screening::VoteRow| VoteView {
        reviewer_id: v.reviewer_id,
        reviewer: names.get(&v.reviewer_id).cloned().unwrap_or_default(),
        vote: v.vote.clone(),
        reason: v.reason.clone(),
        note: v.note.clone(),
        tags: store::parse_json_list(&v.tags),
        updated_at: rfc3339(v.updated_at),
        protocol_version: v.protocol_version,
    };
    let state_shown = if !all && item.state == "conflict" { "open".to_owned() } else { item.state.clone() };
    Ok(ScreeningItem {
        id: item.id,
        stage: item.stage.clone(),
        state: state_shown,
        decision: item.decision.clone(),
        reason: item.reason.clone(),
        record: Record::from(&record),
        my_vote: votes.iter().find(|v| v.reviewer_id == caller_id).map(view),
        votes: all.then(|| votes.iter().map(view).collect()),
        file: item.file_id.map(|id| FileView { id, url: format!("/api/reviews/{}/items/{}/file", review.slug, item.id) }),
        not_retrieved_reason: item.not_retrieved_reason.clone(),
        resolution_note: if all { item.resolution_note.clone() } else { None },
        study_of: item.study_of,
    })
}

/// The review's protocol: question framework, criteria, exclusion reasons and highlight keywords.
#[utoipa::path(tag = "screening", params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "The protocol", body = Protocol),
    (status = 404, description = "No such review", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/protocol")]
async fn get_protocol(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<web::Json<Protocol>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    Ok(web::Json(store::screening::protocol(&state.store.db, review.id).await?.into()))
}

/// The protocol's versions, newest first: when each was saved, by whom, and what it changed (for
/// reporting amendments, PRISMA 2020 item 24). Every vote records the version it was made under.
#[utoipa::path(tag = "screening", params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "Versions", body = Vec<ProtocolVersion>),
    (status = 404, description = "No such review", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/protocol/history")]
async fn protocol_history(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<ProtocolVersion>>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let db = &state.store.db;
    let events = store::audit::of_action(db, review.id, "protocol.update").await?;
    let actors: Vec<i32> = events.iter().filter_map(|e| e.actor_id).collect();
    let names = store::users::names(db, &actors).await?;
    const PARTS: [&str; 7] = ["framework", "elements", "inclusion", "exclusion", "reasons", "include_keywords", "exclude_keywords"];
    let mut out = Vec::new();
    for e in &events {
        let parse = |s: &Option<String>| s.as_deref().and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok()).unwrap_or_default();
        let (before, after) = (parse(&e.before), parse(&e.after));
        let version = after["version"].as_i64().and_then(|v| i32::try_from(v).ok()).unwrap_or(0);
        let was = before["version"].as_i64().and_then(|v| i32::try_from(v).ok()).unwrap_or(0);
        if version <= was {
            continue;
        }
        let changed = PARTS.iter().filter(|k| before[**k] != after[**k]).map(|k| (*k).to_owned()).collect();
        out.push(ProtocolVersion { version, at: rfc3339(e.at), by: e.actor_id.and_then(|a| names.get(&a).cloned()), changed });
    }
    out.reverse();
    Ok(web::Json(out))
}

/// Replaces the protocol (leads only); each change is a new version in the audit trail, and saving it
/// unchanged changes nothing.
#[utoipa::path(tag = "screening", request_body = Protocol, params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "Saved", body = Protocol),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 422, description = "Invalid fields", body = crate::error::Problem),
))]
#[put("/api/reviews/{review}/protocol")]
async fn put_protocol(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<Protocol>,
) -> ApiResult<web::Json<Protocol>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Lead).await?;
    let p = body.into_inner();
    let mut errors = Vec::new();
    if !["PICO", "SPIDER", "free"].contains(&p.framework.as_str()) {
        errors.push(FieldError { field: "framework".into(), message: "must be PICO, SPIDER or free".into() });
    }
    if !p.elements.is_object() {
        errors.push(FieldError { field: "elements".into(), message: "must be an object of framework elements".into() });
    }
    let clean = |v: Vec<String>| -> Vec<String> { v.into_iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect() };
    let reasons = clean(p.reasons);
    if reasons.len() > 30 {
        errors.push(FieldError { field: "reasons".into(), message: "at most 30 exclusion reasons".into() });
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let new = store::screening::Protocol {
        framework: p.framework,
        elements: p.elements,
        inclusion: p.inclusion,
        exclusion: p.exclusion,
        reasons,
        include_keywords: clean(p.include_keywords),
        exclude_keywords: clean(p.exclude_keywords),
        version: 0,
    };
    let saved = app::save_protocol(&state.store, review.id, Some(caller.id()), &new, now_ms()).await?;
    Ok(web::Json(saved.into()))
}

/// Settings of a stage (`title_abstract` or `full_text`).
#[utoipa::path(tag = "screening", params(("review" = String, Path, description = "Short name or id"), ("stage" = String, Path, description = "title_abstract or full_text")), responses(
    (status = 200, description = "Settings", body = StageSettings),
))]
#[get("/api/reviews/{review}/stages/{stage}/settings")]
async fn get_settings(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<StageSettings>> {
    let (key, stage) = path.into_inner();
    let (review, _) = review_for(&state, &caller, &key, Need::Member).await?;
    let s = store::screening::settings(&state.store.db, review.id, stage_of(&stage)?).await?;
    Ok(web::Json(settings_dto(&s)))
}

/// Changes a stage's settings (leads only). Records nobody has voted on take the new number of reviewers.
#[utoipa::path(tag = "screening", request_body = StageSettings, params(("review" = String, Path, description = "Short name or id"), ("stage" = String, Path, description = "title_abstract or full_text")), responses(
    (status = 200, description = "Saved", body = StageSettings),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 422, description = "Invalid", body = crate::error::Problem),
))]
#[put("/api/reviews/{review}/stages/{stage}/settings")]
async fn put_settings(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Json<StageSettings>,
) -> ApiResult<web::Json<StageSettings>> {
    let (key, stage) = path.into_inner();
    let stage = stage_of(&stage)?;
    let (review, _) = review_for(&state, &caller, &key, Need::Lead).await?;
    let mut errors = Vec::new();
    if !(1..=5).contains(&body.reviewers_per_record) {
        errors.push(FieldError { field: "reviewers_per_record".into(), message: "must be 1 to 5".into() });
    }
    if body.pilot_size.is_some_and(|n| !(0..=1000).contains(&n)) {
        errors.push(FieldError { field: "pilot_size".into(), message: "must be 0 (no pilot) to 1000 records".into() });
    }
    if body.pilot_threshold.is_some_and(|k| !(-1.0..=1.0).contains(&k)) {
        errors.push(FieldError { field: "pilot_threshold".into(), message: "must be a kappa between -1 and 1 (0.6 is common)".into() });
    }
    if body.double_percent.is_some_and(|p| !(1..=100).contains(&p)) {
        errors.push(FieldError { field: "double_percent".into(), message: "must be 1 to 100 (100 = every record)".into() });
    }
    if let Some(pairs) = &body.pairs {
        let screeners: Vec<i32> = store::reviews::members(&state.store.db, review.id)
            .await?
            .into_iter()
            .filter(|(_, roles)| roles.iter().any(|r| r == "reviewer" || r == "lead"))
            .map(|(u, _)| u.id)
            .collect();
        let mut seen = std::collections::HashSet::new();
        for p in pairs {
            let distinct: std::collections::HashSet<&i32> = p.iter().collect();
            if p.len() < usize::try_from(body.reviewers_per_record).unwrap_or(2) || distinct.len() != p.len() {
                errors.push(FieldError {
                    field: "pairs".into(),
                    message: "each pair needs as many different reviewers as votes per record".into(),
                });
            } else if let Some(x) = p.iter().find(|x| !screeners.contains(x)) {
                errors.push(FieldError { field: "pairs".into(), message: format!("user {x} is not a reviewer or lead of this review") });
            } else if let Some(x) = p.iter().find(|x| !seen.insert(**x)) {
                errors.push(FieldError { field: "pairs".into(), message: format!("user {x} is in two pairs") });
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let now = now_ms();
    let locked = state.store.begin_locked(review.id).await?;
    let before = store::screening::settings(&locked.txn, review.id, stage).await?;
    let s = store::screening::Settings {
        reviewers_per_record: body.reviewers_per_record,
        blind: body.blind,
        maybe_is_conflict: body.maybe_is_conflict,
        pilot_size: body.pilot_size.unwrap_or(before.pilot_size),
        pilot_threshold: body.pilot_threshold.unwrap_or(before.pilot_threshold),
        pilot_opened: before.pilot_opened,
        double_percent: body.double_percent.unwrap_or(before.double_percent),
        pairs: body.pairs.clone().unwrap_or_else(|| before.pairs.clone()),
    };
    store::screening::save_settings(&locked.txn, review.id, stage, &s).await?;
    store::audit::append(
        &locked.txn,
        store::audit::NewEvent {
            review_id: Some(review.id),
            actor_id: Some(caller.id()),
            action: "settings.update",
            entity: "stage",
            entity_id: stage.to_owned(),
            before: Some(serde_json::json!({"reviewers_per_record": before.reviewers_per_record, "blind": before.blind, "maybe_is_conflict": before.maybe_is_conflict, "pilot_size": before.pilot_size, "pilot_threshold": before.pilot_threshold, "double_percent": before.double_percent, "pairs": before.pairs})),
            after: Some(serde_json::json!({"reviewers_per_record": s.reviewers_per_record, "blind": s.blind, "maybe_is_conflict": s.maybe_is_conflict, "pilot_size": s.pilot_size, "pilot_threshold": s.pilot_threshold, "double_percent": s.double_percent, "pairs": s.pairs})),
        },
        now,
    )
    .await?;
    locked.commit().await?;
    Ok(web::Json(settings_dto(&s)))
}

/// The records the caller should judge next at a stage, reserved for them for ten minutes: never one
/// they judged, records with a vote already first, never more reviewers than a record needs. Ask for
/// `count=2` to prefetch. An empty list means there is nothing left for the caller now. While the stage
/// has plenty of records nobody holds, a few more are reserved for the caller than asked for; the
/// votes that follow (`vote-and-next`) bring those next, and reserve more in the background before
/// they run out.
#[utoipa::path(tag = "screening", params(("review" = String, Path, description = "Short name or id"), ("stage" = String, Path, description = "title_abstract or full_text"), NextQuery), responses(
    (status = 200, description = "Records to judge", body = Vec<ScreeningItem>),
    (status = 403, description = "Viewers do not screen", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/stages/{stage}/next")]
async fn next(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    q: web::Query<NextQuery>,
) -> ApiResult<web::Json<Vec<ScreeningItem>>> {
    let (key, stage) = path.into_inner();
    let stage = stage_of(&stage)?;
    let (caller, review, roles, settings) = review_access(&req, &key, Need::Contributor, Some(stage)).await?;
    // The full-text stage's settings too: a title/abstract inclusion makes a full-text item.
    let (settings, full_text) = settings.unwrap_or_default();
    let count = q.count.unwrap_or(1).clamp(1, 5);
    let now = now_ms();
    let kept = Kept { key: &key, review: &review, roles: &roles, caller: &caller, now };
    let (shown, settings) = pick_and_hold(&state, &kept, stage, &settings, &full_text, count).await?;
    Ok(web::Json(views_of_handed(&state, &review, &roles, &caller, shown, settings.blind).await?))
}

/// Picks up to `count` records for the caller at `stage` (routing may reserve more), remembers their
/// ballots, keeps them as the caller's holding and returns those to show now, with the settings they
/// were picked under.
async fn pick_and_hold(
    state: &AppState,
    to: &Kept<'_>,
    stage: &str,
    settings: &store::screening::Settings,
    full_text: &store::screening::Settings,
    count: u64,
) -> Result<(Vec<store::screening::Handed>, store::screening::Settings), ScreeningError> {
    let picked = app::next(&state.store, to.review.id, stage, settings, to.caller.id(), count, to.now).await?;
    remember(state, to, &picked.items, &picked.settings, full_text);
    Ok((hold(state, to, stage, picked.items, count), picked.settings))
}

/// Keeps what routing reserved for the caller at `stage` as their holding and returns the first
/// `count` records, those to show now (routing may reserve more, `app::HOLD_AHEAD`).
fn hold(state: &AppState, to: &Kept<'_>, stage: &str, picked: Vec<store::screening::Handed>, count: u64) -> Vec<store::screening::Handed> {
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    let shown = picked.iter().take(count).cloned().collect();
    state.holdings.set(&to.caller.session_id, to.caller.id(), to.key, stage, to.now, picked);
    shown
}

/// Items read with their records and votes (`next`, `vote-and-next`, [`views_of`]), in the order
/// given, as the caller may see them; `blind` is whether their stage is blind.
async fn views_of_handed(
    state: &AppState,
    review: &store::reviews::Review,
    roles: &[String],
    caller: &Caller,
    handed: Vec<store::screening::Handed>,
    blind: bool,
) -> ApiResult<Vec<ScreeningItem>> {
    let mut out = Vec::with_capacity(handed.len());
    for h in handed {
        let known = Known { record: Some(h.record), votes: Some(h.votes), names: h.names, blind: Some(blind) };
        out.push(item_view_from(state, review, roles, caller, &h.item, known).await?);
    }
    Ok(out)
}

/// One screening item as the caller may see it.
#[utoipa::path(tag = "screening", params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Item id")), responses(
    (status = 200, description = "The item", body = ScreeningItem),
    (status = 404, description = "No such item", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/items/{id}")]
async fn get_item(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, i32)>) -> ApiResult<web::Json<ScreeningItem>> {
    let (key, id) = path.into_inner();
    let (review, roles) = review_for(&state, &caller, &key, Need::Member).await?;
    let item = store::screening::item(&state.store.db, review.id, id).await?.ok_or_else(|| ApiError::not_found("record to screen"))?;
    Ok(web::Json(item_view(&state, &review, &roles, &caller, &item).await?))
}

/// Casts or changes the caller's vote. Changing is allowed until the record is decided.
#[utoipa::path(tag = "screening", request_body = VoteRequest, params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Item id")), responses(
    (status = 200, description = "Recorded; the item as the caller may now see it", body = ScreeningItem),
    (status = 403, description = "Viewers do not vote", body = crate::error::Problem),
    (status = 409, description = "Decided already, or no vote needed", body = crate::error::Problem),
    (status = 422, description = "Invalid vote or reason", body = crate::error::Problem),
))]
#[put("/api/reviews/{review}/items/{id}/vote")]
async fn put_vote(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
    body: web::Json<VoteRequest>,
) -> ApiResult<web::Json<ScreeningItem>> {
    let (key, id) = path.into_inner();
    let v = store::screening::NewVote::from(body.into_inner());
    let now = now_ms();
    let claims = crate::auth::token_claims(&req)?;
    state.holdings.after_vote(&claims.sid, &key, id, 0, now, app::RESERVATION_MS / 2);
    let Voted { caller, review, roles, res } = match vote_remembered(&state, &claims, &key, id, &v, app::Then::default(), now).await? {
        Some(voted) => voted,
        None => {
            let (caller, review, roles, ballot) = review_ballot(&req, claims, &key, id, Need::Contributor).await?;
            let ballot = ballot.ok_or(ScreeningError::NotFound)?;
            let res = app::vote_on(&state.store, ballot, caller.id(), v, now).await?;
            Voted { caller, review, roles, res }
        }
    };
    let known = Known { record: Some(res.record), votes: Some(res.votes), names: res.names, blind: Some(res.settings.blind) };
    Ok(web::Json(item_view_from(&state, &review, &roles, &caller, &res.item, known).await?))
}

/// A vote, with who cast it where.
struct Voted {
    caller: Caller,
    review: store::reviews::Review,
    roles: Vec<String>,
    res: app::VoteResult,
}

/// The caller's vote on a record this process handed them with its ballot (`crate::memo`), written
/// without reading access and ballot first (`app::vote_remembered`). `None` when nothing was
/// remembered, or when what was no longer stands; the caller then reads both and votes as usual.
/// Counts where the vote's ballot came from (`sift_vote_ballots_total`). `claims` are the request's
/// checked access token, decoded once by the caller, which passes them on to `review_ballot` when
/// nothing was remembered.
async fn vote_remembered(
    state: &AppState,
    claims: &crate::auth::Claims,
    key: &str,
    id: i32,
    v: &store::screening::NewVote,
    then: app::Then<'_>,
    now: i64,
) -> ApiResult<Option<Voted>> {
    let Some(m) = state.ballots.take(&claims.sid, id, key, now, app::RESERVATION_MS) else {
        state.metrics.count_ballot("read");
        return Ok(None);
    };
    let caller = crate::auth::caller_remembered(m.user, claims.clone())?;
    let access = store::reviews::AccessGate {
        session_id: caller.session_id.clone(),
        user_id: caller.id(),
        now,
        key: key.to_owned(),
        review_id: m.review.id,
        roles: m.roles.clone(),
    };
    match app::vote_remembered(&state.store, m.ballot, access, v.clone(), then, now).await? {
        Some(res) => {
            state.metrics.count_ballot("remembered");
            Ok(Some(Voted { caller, review: m.review, roles: m.roles, res }))
        }
        None => {
            state.metrics.count_ballot("stale");
            Ok(None)
        }
    }
}

/// Who records are handed to, for [`remember`].
struct Kept<'a> {
    key: &'a str,
    review: &'a store::reviews::Review,
    roles: &'a [String],
    caller: &'a Caller,
    now: i64,
}

/// Remembers the records handed to the caller with their ballots, for the votes on them.
fn remember(
    state: &AppState,
    to: &Kept<'_>,
    handed: &[store::screening::Handed],
    settings: &store::screening::Settings,
    full_text: &store::screening::Settings,
) {
    for h in handed {
        let ballot = store::screening::Ballot {
            item: h.item.clone(),
            record: h.record.clone(),
            votes: h.votes.clone(),
            names: h.names.clone(),
            settings: settings.clone(),
            full_text: full_text.clone(),
        };
        let kept = crate::memo::Remembered { user: to.caller.user.clone(), review: to.review.clone(), roles: to.roles.to_vec(), ballot };
        state.ballots.put(&to.caller.session_id, h.item.id, to.key, to.now, kept, app::RESERVATION_MS);
    }
}

/// Casts or changes the caller's vote, then reserves the records they should judge next at the same
/// stage, as `next` would: one round trip per record instead of two.
///
/// The records handed out here (and by `next`) are remembered with their ballots (`crate::memo`), so a
/// vote on one of them is written without reading access and ballot first; the write checks both, and
/// when either changed the vote is read and decided as usual.
#[utoipa::path(tag = "screening", request_body = VoteRequest, params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Item id"), ThenNextQuery), responses(
    (status = 200, description = "Recorded; the item as the caller may now see it, and the records to judge next", body = VoteAndNext),
    (status = 403, description = "Viewers do not vote", body = crate::error::Problem),
    (status = 409, description = "Decided already, or no vote needed (nothing is reserved then)", body = crate::error::Problem),
    (status = 422, description = "Invalid vote or reason", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/items/{id}/vote-and-next")]
async fn vote_and_next(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
    q: web::Query<ThenNextQuery>,
    body: web::Json<VoteRequest>,
) -> ApiResult<web::Json<VoteAndNext>> {
    let (key, id) = path.into_inner();
    let v = store::screening::NewVote::from(body.into_inner());
    let count = q.count.unwrap_or(1).min(5);
    let now = now_ms();
    let claims = crate::auth::token_claims(&req)?;
    // The records to show next, when the caller's holding has enough; otherwise the vote picks.
    let held = state.holdings.after_vote(&claims.sid, &key, id, usize::try_from(count).unwrap_or(0), now, app::RESERVATION_MS / 2);
    let pick = if held.is_some() { 0 } else { count };
    // The vote's write checks that the held records to show are still the reviewer's: a lead on
    // another server may have moved them (on this one, a reassignment forgets the holding).
    let still_held: Vec<i32> = held.iter().flatten().map(|h| h.item.id).collect();
    let then = app::Then { pick, still_held: &still_held };
    let Voted { caller, review, roles, res } = match vote_remembered(&state, &claims, &key, id, &v, then, now).await? {
        Some(voted) => voted,
        None => {
            let (caller, review, roles, ballot) = review_ballot(&req, claims, &key, id, Need::Contributor).await?;
            let ballot = ballot.ok_or(ScreeningError::NotFound)?;
            let res = app::vote_then_next(&state.store, ballot, caller.id(), v, then, now).await?;
            Voted { caller, review, roles, res }
        }
    };
    let kept = Kept { key: &key, review: &review, roles: &roles, caller: &caller, now };
    let from_holding = held.is_some() && res.still_held;
    let coming = match held {
        Some(held) if res.still_held => {
            if state.holdings.top_up_due(&caller.session_id, &key, &res.item.stage, usize::try_from(count).unwrap_or(0)) {
                top_up(&state, &kept, &res.item.stage, &res.settings, &res.full_text);
            }
            held
        }
        Some(_) => {
            // Moved away meanwhile: pick afresh, as `next` does (the new pick replaces the holding). The
            // vote is in either way; finding nothing next forgets the holding and leaves the list
            // empty, as after a picking vote.
            match pick_and_hold(&state, &kept, &res.item.stage, &res.settings, &res.full_text, count).await {
                Ok((shown, _)) => shown,
                Err(e) => {
                    tracing::info!(error = %e, "no next records after a vote");
                    state.holdings.set(&caller.session_id, caller.id(), &key, &res.item.stage, now, Vec::new());
                    Vec::new()
                }
            }
        }
        // Nothing asked for: the holding stays as it is.
        None if pick == 0 => Vec::new(),
        None => {
            remember(&state, &kept, &res.next, &res.settings, &res.full_text);
            hold(&state, &kept, &res.item.stage, res.next, count)
        }
    };
    if count > 0 {
        state.metrics.count_vote_next(if from_holding { "held" } else { "picked" });
    }
    let known = Known { record: Some(res.record), votes: Some(res.votes), names: res.names, blind: Some(res.settings.blind) };
    let item = item_view_from(&state, &review, &roles, &caller, &res.item, known).await?;
    let then = views_of_handed(&state, &review, &roles, &caller, coming, res.settings.blind).await?;
    Ok(web::Json(VoteAndNext { item, next: then }))
}

/// Tops up the caller's holding at `stage` in the background (`app::top_up`), started by the vote that
/// found it running out, so that the vote which would have found it empty has records waiting instead
/// of picking them in its own statement. The records are remembered with their ballots, as a pick's
/// are. At most `app::TOP_UP_LANES` run at once; one that waited for a lane runs only if the holding
/// still wants it. Counted in `sift_holding_top_ups_total` (full, short, failed, or skipped).
fn top_up(
    state: &web::Data<AppState>,
    to: &Kept<'_>,
    stage: &str,
    settings: &store::screening::Settings,
    full_text: &store::screening::Settings,
) {
    let (state, key, review, roles, caller) = (state.clone(), to.key.to_owned(), to.review.clone(), to.roles.to_vec(), to.caller.clone());
    let (stage, settings, full_text) = (stage.to_owned(), settings.clone(), full_text.clone());
    actix_web::rt::spawn(async move {
        // The semaphore is never closed; a lane is held until the records are placed.
        let Ok(_lane) = state.top_ups.acquire().await else { return };
        if !state.holdings.start_top_up(&caller.session_id, &key, &stage) {
            state.metrics.count_top_up("skipped");
            return;
        }
        let now = now_ms();
        let items = match app::top_up(&state.store, review.id, &stage, &settings, caller.id(), now).await {
            Ok(items) => {
                state.metrics.count_top_up(if items.len() > 1 { "full" } else { "short" });
                items
            }
            Err(e) => {
                tracing::info!(error = %e, "a holding was not topped up");
                state.metrics.count_top_up("failed");
                Vec::new()
            }
        };
        let kept = Kept { key: &key, review: &review, roles: &roles, caller: &caller, now };
        remember(&state, &kept, &items, &settings, &full_text);
        state.holdings.topped_up(&caller.session_id, &key, &stage, items);
    });
}

/// Undoes the caller's vote on a record that is not decided yet; the record is reserved for them again.
#[utoipa::path(tag = "screening", params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Item id")), responses(
    (status = 200, description = "Undone", body = ScreeningItem),
    (status = 409, description = "No vote, or already decided", body = crate::error::Problem),
))]
#[delete("/api/reviews/{review}/items/{id}/vote")]
async fn undo_vote(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, i32)>) -> ApiResult<web::Json<ScreeningItem>> {
    let (key, id) = path.into_inner();
    let (review, roles) = review_for(&state, &caller, &key, Need::Contributor).await?;
    let item = app::undo(&state.store, review.id, id, caller.id(), now_ms()).await?;
    Ok(web::Json(item_view(&state, &review, &roles, &caller, &item).await?))
}

/// The caller's own votes at a stage, most recently changed first (for moving back through one's
/// history), or those a search finds (`q`, `vote`).
#[utoipa::path(tag = "screening", params(("review" = String, Path, description = "Short name or id"), ("stage" = String, Path, description = "title_abstract or full_text"), crate::dto::MyVotesQuery), responses(
    (status = 200, description = "My votes", body = Vec<ScreeningItem>),
    (status = 422, description = "Unknown vote kind", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/stages/{stage}/my-votes")]
async fn list_my_votes(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    q: web::Query<crate::dto::MyVotesQuery>,
) -> ApiResult<web::Json<Vec<ScreeningItem>>> {
    let (key, stage) = path.into_inner();
    let stage = stage_of(&stage)?;
    let vote = match q.vote.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => Some(app::parse_vote(v).ok_or_else(|| {
            ApiError::invalid(vec![FieldError {
                field: "vote".into(),
                message: format!("\"{v}\" is not a vote: use include, exclude or maybe."),
            }])
        })?),
        None => None,
    };
    let (review, roles) = review_for(&state, &caller, &key, Need::Member).await?;
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let db = &state.store.db;
    let ids: Vec<i32> = match app::DecisionSearch::new(q.q.as_deref().unwrap_or(""), vote) {
        // A search reads every one of my decisions' citation fields (a few per record), then shows a page.
        Some(search) => store::screening::votes_by(db, review.id, caller.id(), stage, None)
            .await?
            .iter()
            .filter(|d| search.matches(d))
            .skip(usize::try_from(q.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|d| d.vote.item_id)
            .collect(),
        None => store::screening::votes_by(db, review.id, caller.id(), stage, Some((q.offset, limit)))
            .await?
            .iter()
            .map(|d| d.vote.item_id)
            .collect(),
    };
    Ok(web::Json(views_of(&state, &review, &roles, &caller, stage, &ids).await?))
}

/// The views of a stage's items `ids`, in that order, read in one query (items, records and votes)
/// instead of two or three per item.
async fn views_of(
    state: &AppState,
    review: &store::reviews::Review,
    roles: &[String],
    caller: &Caller,
    stage: &str,
    ids: &[i32],
) -> ApiResult<Vec<ScreeningItem>> {
    let db = &state.store.db;
    let blind = store::screening::settings(db, review.id, stage).await?.blind;
    let mut by_id: std::collections::HashMap<i32, store::screening::Handed> =
        store::screening::handed(db, review.id, ids).await?.into_iter().map(|h| (h.item.id, h)).collect();
    let handed = ids.iter().filter_map(|id| by_id.remove(id)).collect();
    views_of_handed(state, review, roles, caller, handed, blind).await
}

/// Records in conflict at a stage, with both votes (leads only).
#[utoipa::path(tag = "screening", params(("review" = String, Path, description = "Short name or id"), ("stage" = String, Path, description = "title_abstract or full_text")), responses(
    (status = 200, description = "Conflicts", body = Vec<ScreeningItem>),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/stages/{stage}/conflicts")]
async fn conflicts(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<Vec<ScreeningItem>>> {
    let (key, stage) = path.into_inner();
    let stage = stage_of(&stage)?;
    let (review, roles) = review_for(&state, &caller, &key, Need::Lead).await?;
    let ids: Vec<i32> =
        store::screening::items_in(&state.store.db, review.id, stage, &["conflict"], 1000).await?.iter().map(|i| i.id).collect();
    Ok(web::Json(views_of(&state, &review, &roles, &caller, stage, &ids).await?))
}

/// Resolves a conflict with a decision and a reason (leads only).
#[utoipa::path(tag = "screening", request_body = Resolution, params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Item id")), responses(
    (status = 200, description = "Resolved", body = ScreeningItem),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 409, description = "Not in conflict", body = crate::error::Problem),
    (status = 422, description = "Invalid decision or reason", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/items/{id}/resolve")]
async fn resolve(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
    body: web::Json<Resolution>,
) -> ApiResult<web::Json<ScreeningItem>> {
    let (key, id) = path.into_inner();
    let (review, roles) = review_for(&state, &caller, &key, Need::Lead).await?;
    let b = body.into_inner();
    let item = app::resolve(&state.store, review.id, id, caller.id(), &b.decision, b.reason, b.note, now_ms()).await?;
    Ok(web::Json(item_view(&state, &review, &roles, &caller, &item).await?))
}

/// Sends a conflict to a third reviewer, whose vote decides (leads only).
#[utoipa::path(tag = "screening", params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Item id")), responses(
    (status = 200, description = "Sent", body = ScreeningItem),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 409, description = "Not in conflict", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/items/{id}/third-reviewer")]
async fn third_reviewer(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, i32)>) -> ApiResult<web::Json<ScreeningItem>> {
    let (key, id) = path.into_inner();
    let (review, roles) = review_for(&state, &caller, &key, Need::Lead).await?;
    let item = app::send_to_third(&state.store, review.id, id, caller.id(), now_ms()).await?;
    Ok(web::Json(item_view(&state, &review, &roles, &caller, &item).await?))
}

/// Attaches the report's full text: a multipart form with one PDF in the field `file` (64 MB at most,
/// checked to be a PDF). Stored in the database, or in the files directory when the server has one
/// (`files_dir`, shared by every server of the deployment), so every server can serve it.
#[utoipa::path(tag = "screening", params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Item id")), responses(
    (status = 200, description = "Attached; the report is open for full-text screening", body = ScreeningItem),
    (status = 403, description = "Viewers cannot attach", body = crate::error::Problem),
    (status = 409, description = "Not a report awaiting its full text", body = crate::error::Problem),
    (status = 413, description = "Larger than 64 MB", body = crate::error::Problem),
    (status = 422, description = "Not a PDF", body = crate::error::Problem),
    (status = 503, description = "The files directory could not be written", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/items/{id}/file")]
async fn upload_file(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
    form: Multipart,
) -> ApiResult<web::Json<ScreeningItem>> {
    let (key, id) = path.into_inner();
    let (review, roles) = review_for(&state, &caller, &key, Need::Contributor).await?;
    let mut form = super::read_form(form, app::MAX_PDF_BYTES).await?;
    let file = form.files.remove("file");
    let (name, bytes) = file.ok_or_else(|| {
        ApiError::invalid(vec![FieldError { field: "file".into(), message: "attach the PDF in the field `file`".into() }])
    })?;
    let item =
        app::attach_pdf(&state.store, state.settings.files_dir.as_deref(), review.id, id, caller.id(), &name, bytes, now_ms()).await?;
    Ok(web::Json(item_view(&state, &review, &roles, &caller, &item).await?))
}

/// The report's full-text PDF.
#[utoipa::path(tag = "screening", params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Item id")), responses(
    (status = 200, description = "The PDF", content_type = "application/pdf"),
    (status = 404, description = "No full text attached", body = crate::error::Problem),
    (status = 503, description = "Kept in a files directory this server has not been given, or cannot read", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/items/{id}/file")]
async fn get_file(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, i32)>) -> ApiResult<HttpResponse> {
    let (key, id) = path.into_inner();
    let (review, _) = review_for(&state, &caller, &key, Need::Member).await?;
    let item = store::screening::item(&state.store.db, review.id, id).await?.ok_or_else(|| ApiError::not_found("record to screen"))?;
    let file_id = item.file_id.ok_or_else(|| ApiError::not_found("full text for this report"))?;
    let mut f = store::screening::file(&state.store.db, review.id, file_id).await?.ok_or_else(|| ApiError::not_found("full text"))?;
    if let Some(path) = &f.path {
        let Some(dir) = state.settings.files_dir.as_deref() else {
            return Err(ApiError::unavailable(
                "This full text is kept in a files directory, and this server has none: give it the same files_dir (SIFT_FILES_DIR) as the server that stored it.",
            )
            .with_code("files_dir_missing"));
        };
        f.bytes = crate::app::files::read(dir, path).await.map_err(|e| ScreeningError::Files(format!("reading {path}: {e}")))?;
    }
    let safe_name: String = f.file_name.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')).collect();
    Ok(HttpResponse::Ok()
        .content_type(f.content_type)
        .insert_header(("Content-Disposition", format!("inline; filename=\"{safe_name}\"")))
        .insert_header(("Cache-Control", "private, max-age=3600"))
        // Shown beside the form in sift's own pages; every other page keeps the global DENY.
        .insert_header(("X-Frame-Options", "SAMEORIGIN"))
        .insert_header(("Content-Security-Policy", "frame-ancestors 'self'"))
        .body(f.bytes))
}

/// Marks a report's full text as not retrievable, with the reason.
#[utoipa::path(tag = "screening", request_body = NotRetrieved, params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Item id")), responses(
    (status = 200, description = "Recorded", body = ScreeningItem),
    (status = 409, description = "Not awaiting its full text", body = crate::error::Problem),
    (status = 422, description = "No reason given", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/items/{id}/not-retrieved")]
async fn not_retrieved(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
    body: web::Json<NotRetrieved>,
) -> ApiResult<web::Json<ScreeningItem>> {
    let (key, id) = path.into_inner();
    let (review, roles) = review_for(&state, &caller, &key, Need::Contributor).await?;
    let item = app::not_retrieved(&state.store, review.id, id, caller.id(), &body.reason, now_ms()).await?;
    Ok(web::Json(item_view(&state, &review, &roles, &caller, &item).await?))
}

/// Progress of a stage: items by state and votes per reviewer for leads (and everyone when the stage is
/// not blind); the caller's own votes and remaining records for everyone.
#[utoipa::path(tag = "screening", params(("review" = String, Path, description = "Short name or id"), ("stage" = String, Path, description = "title_abstract or full_text")), responses(
    (status = 200, description = "Progress", body = StageProgress),
))]
#[get("/api/reviews/{review}/stages/{stage}/progress")]
async fn progress(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, String)>) -> ApiResult<web::Json<StageProgress>> {
    let (key, stage) = path.into_inner();
    let stage = stage_of(&stage)?;
    let (review, roles) = review_for(&state, &caller, &key, Need::Member).await?;
    let screens = roles.iter().any(|r| r == "reviewer" || r == "lead");
    let all = sees_all(&state, review.id, stage, &roles).await? || !screens;
    let per = store::screening::votes_per_reviewer(&state.store.db, review.id, stage).await?;
    let my_votes = per.iter().find(|(r, _)| *r == caller.id()).map(|(_, n)| *n).unwrap_or(0);
    let my_remaining = if screens { store::screening::remaining_for(&state.store.db, review.id, stage, caller.id()).await? } else { 0 };
    let states =
        if all { Some(store::screening::state_counts(&state.store.db, review.id, stage).await?.into_iter().collect()) } else { None };
    let reviewers = if is_lead(&roles) {
        let members = store::reviews::members(&state.store.db, review.id).await?;
        Some(
            per.iter()
                .map(|(id, n)| ReviewerProgress {
                    reviewer_id: *id,
                    reviewer: members.iter().find(|(u, _)| u.id == *id).map(|(u, _)| u.name.clone()).unwrap_or_default(),
                    votes: *n,
                })
                .collect(),
        )
    } else {
        None
    };
    let settings = store::screening::settings(&state.store.db, review.id, stage).await?;
    let pilot = if is_lead(&roles) && settings.pilot_size > 0 {
        let ids = store::screening::pilot_ids(&state.store.db, review.id, stage, settings.pilot_size).await?;
        let txn = state.store.begin().await?;
        let st = app::pilot_status(&txn, review.id, stage, &settings, &ids).await?;
        drop(txn);
        Some(Pilot {
            size: settings.pilot_size,
            threshold: settings.pilot_threshold,
            opened: settings.pilot_opened,
            complete: st.complete,
            kappa: st.kappa,
            percent_agreement: st.percent,
            n: st.n,
        })
    } else {
        None
    };
    Ok(web::Json(StageProgress { stage: stage.to_owned(), states, my_votes, my_remaining, reviewers, pilot }))
}

/// Agreement at a stage on each record's first two independent votes: percent agreement, Cohen's kappa
/// with a 95% confidence interval, PABAK and Gwet's AC1, overall and per reviewer pair. Leads and viewers
/// only while the stage is blind (it would reveal votes to reviewers).
#[utoipa::path(tag = "screening", params(("review" = String, Path, description = "Short name or id"), ("stage" = String, Path, description = "title_abstract or full_text")), responses(
    (status = 200, description = "Agreement; the first entry covers all pairs", body = Vec<AgreementView>),
    (status = 403, description = "A blind reviewer", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/stages/{stage}/agreement")]
async fn agreement(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<Vec<AgreementView>>> {
    let (key, stage) = path.into_inner();
    let stage = stage_of(&stage)?;
    let review = agreement_access(&state, &caller, &key, stage).await?;
    let rows = app::agreement(&state.store, review.id, stage).await?;
    Ok(web::Json(rows.iter().map(|(pair, a)| agreement_view(*pair, a)).collect()))
}

/// The review, for a member who may see a stage's agreement: not a reviewer of a blind stage.
async fn agreement_access(state: &AppState, caller: &Caller, key: &str, stage: &str) -> ApiResult<store::reviews::Review> {
    let (review, roles) = review_for(state, caller, key, Need::Member).await?;
    if roles.iter().any(|r| r == "reviewer") && !sees_all(state, review.id, stage, &roles).await? {
        return Err(ApiError::forbidden("Agreement would reveal your co-reviewers' votes while screening is blind; a lead can see it."));
    }
    Ok(review)
}

fn agreement_view(pair: Option<(i32, i32)>, a: &review::agreement::Agreement) -> AgreementView {
    let est = |e: &review::agreement::Estimate| Estimate { value: e.value, se: e.se, ci_low: e.ci_low, ci_high: e.ci_high };
    AgreementView {
        reviewers: pair.map(|(x, y)| [x, y]),
        n: a.n,
        percent_agreement: a.percent,
        cohen_kappa: a.cohen_kappa.as_ref().map(est),
        pabak: a.pabak,
        gwet_ac1: a.gwet_ac1.as_ref().map(est),
    }
}

/// Agreement on exclusion reasons at a stage: over the records both of their first two reviewers
/// excluded, how often they gave the same first reason (percent agreement, kappa over the reasons
/// used, PABAK, AC1), all pairs together and per reviewer pair. The same access as the stage's agreement.
#[utoipa::path(tag = "screening", params(("review" = String, Path, description = "Short name or id"), ("stage" = String, Path, description = "title_abstract or full_text")), responses(
    (status = 200, description = "Agreement on reasons, all pairs and each pair", body = ReasonAgreementView),
    (status = 403, description = "A blind reviewer", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/stages/{stage}/agreement/reasons")]
async fn reason_agreement(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<ReasonAgreementView>> {
    let (key, stage) = path.into_inner();
    let stage = stage_of(&stage)?;
    let review = agreement_access(&state, &caller, &key, stage).await?;
    let mut rows = app::reason_agreement(&state.store, review.id, stage).await?.into_iter();
    let all =
        rows.next().map(|(_, a)| agreement_view(None, &a)).ok_or_else(|| ApiError::internal("agreement on reasons has no overall row"))?;
    Ok(web::Json(ReasonAgreementView { all, pairs: rows.map(|(pair, a)| agreement_view(pair, &a)).collect() }))
}

/// Every vote and lead resolution as CSV: `record_id,source_record_id,stage,reviewer,role,decision,reason,note,time,protocol_version` (leads only).
#[utoipa::path(tag = "screening", params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "CSV", content_type = "text/csv"),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/decisions.csv")]
async fn decisions(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Lead).await?;
    let csv = app::decisions_csv(&state.store, review.id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{}-decisions.csv\"", review.slug)))
        .body(csv))
}

/// Links a full-text report to another report's study (several reports of one study count as one study
/// in PRISMA), or makes it its own study again (leads only).
#[utoipa::path(tag = "screening", request_body = StudyLink, params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "Item id of the report")), responses(
    (status = 200, description = "Linked", body = ScreeningItem),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 409, description = "Not a full-text report, or other reports point at it", body = crate::error::Problem),
    (status = 422, description = "A report cannot be its own study", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/items/{id}/study")]
async fn link_study(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
    body: web::Json<StudyLink>,
) -> ApiResult<web::Json<ScreeningItem>> {
    let (key, id) = path.into_inner();
    let (review, roles) = review_for(&state, &caller, &key, Need::Lead).await?;
    let item = app::link_study(&state.store, review.id, id, body.study_of, caller.id(), now_ms()).await?;
    Ok(web::Json(item_view(&state, &review, &roles, &caller, &item).await?))
}

/// Opens the rest of a stage whose pilot is still closed (leads only): after discussing a pilot that
/// fell short of the agreement threshold, or to skip it.
#[utoipa::path(tag = "screening", params(("review" = String, Path, description = "Short name or id"), ("stage" = String, Path, description = "title_abstract or full_text")), responses(
    (status = 200, description = "Opened", body = StageSettings),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 409, description = "No pilot waiting", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/stages/{stage}/pilot/open")]
async fn open_pilot(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, String)>) -> ApiResult<web::Json<StageSettings>> {
    let (key, stage) = path.into_inner();
    let stage = stage_of(&stage)?;
    let (review, _) = review_for(&state, &caller, &key, Need::Lead).await?;
    app::open_pilot(&state.store, review.id, stage, caller.id(), now_ms()).await?;
    Ok(web::Json(settings_dto(&store::screening::settings(&state.store.db, review.id, stage).await?)))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
struct ItemsQuery {
    /// `open`, `conflict` (leads, or a stage that is not blind), `included`, `excluded`, `awaiting_file` or `not_retrieved`.
    state: Option<String>,
    #[serde(default)]
    offset: u64,
    /// At most 200; 50 when omitted.
    limit: Option<u64>,
}

/// The items of a stage in one state, oldest first: for example the reports awaiting their full text,
/// or the records behind a dashboard count.
#[utoipa::path(tag = "screening", params(("review" = String, Path, description = "Short name or id"), ("stage" = String, Path, description = "title_abstract or full_text"), ItemsQuery), responses(
    (status = 200, description = "Items", body = Vec<ScreeningItem>),
    (status = 403, description = "Conflicts are hidden from blind reviewers", body = crate::error::Problem),
    (status = 422, description = "Unknown state", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/stages/{stage}/items")]
async fn list_items(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    q: web::Query<ItemsQuery>,
) -> ApiResult<web::Json<Vec<ScreeningItem>>> {
    let (key, stage) = path.into_inner();
    let stage = stage_of(&stage)?;
    let (review, roles) = review_for(&state, &caller, &key, Need::Member).await?;
    const STATES: [&str; 6] = ["open", "conflict", "included", "excluded", "awaiting_file", "not_retrieved"];
    let wanted = q.state.clone().unwrap_or_default();
    if !STATES.contains(&wanted.as_str()) {
        return Err(ApiError::invalid(vec![FieldError {
            field: "state".into(),
            message: format!("must be one of {}", STATES.join(", ")),
        }]));
    }
    if wanted == "conflict" && !sees_all(&state, review.id, stage, &roles).await? {
        return Err(ApiError::forbidden("Conflicts stay hidden from reviewers while screening is blind; a lead resolves them."));
    }
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let rows = store::screening::items_in(&state.store.db, review.id, stage, &[wanted.as_str()], q.offset + limit).await?;
    let ids: Vec<i32> = rows.iter().skip(usize::try_from(q.offset).unwrap_or(usize::MAX)).map(|i| i.id).collect();
    Ok(web::Json(views_of(&state, &review, &roles, &caller, stage, &ids).await?))
}

/// Moves a reviewer's reserved records at a stage to another reviewer or lead (leads only): for a
/// reviewer who leaves, or to rebalance work. Returns how many records moved.
#[utoipa::path(tag = "screening", request_body = Reassign, params(("review" = String, Path, description = "Short name or id"), ("stage" = String, Path, description = "title_abstract or full_text")), responses(
    (status = 200, description = "Moved: {\"moved\": n}", body = Object),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 422, description = "Not a reviewer of this review", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/stages/{stage}/reassign")]
async fn reassign(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Json<Reassign>,
) -> ApiResult<web::Json<serde_json::Value>> {
    let (key, stage) = path.into_inner();
    let stage = stage_of(&stage)?;
    let (review, _) = review_for(&state, &caller, &key, Need::Lead).await?;
    let moved = app::reassign(&state.store, review.id, stage, body.from, body.to, caller.id(), now_ms()).await?;
    state.holdings.forget_user(body.from);
    Ok(web::Json(serde_json::json!({"moved": moved})))
}
