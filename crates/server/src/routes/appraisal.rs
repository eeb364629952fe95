//! Appraisal routes: the instruments, the review's choice, studies to appraise, each appraiser's
//! answers (blind until every appraiser of a study has submitted), the lead's consensus, and the table
//! as CSV, HTML and a traffic-light SVG.

use actix_web::{HttpResponse, get, post, put, web};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Need, review_for};
use crate::app::appraisal::{self as app, Decision, Study};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;
use crate::time::now_ms;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_instruments)
        .service(overview)
        .service(put_settings)
        .service(import_instrument)
        .service(get_study)
        .service(put_mine)
        .service(put_consensus)
        .service(table_csv)
        .service(table_html)
        .service(traffic_light)
        .service(agreement);
}

/// The built-in appraisal instruments of this deployment.
#[utoipa::path(tag = "appraisal", responses((status = 200, description = "Instruments: id, name, version, verified, attribution, licence", body = Object)))]
#[get("/api/instruments")]
async fn list_instruments(state: web::Data<AppState>, _caller: Caller) -> web::Json<Vec<Value>> {
    let off: Vec<&str> = state.settings.disabled_instruments.iter().map(String::as_str).collect();
    web::Json(
        review::appraisal::builtins_except(&off)
            .iter()
            .map(|i| json!({"id": i.id, "name": i.name, "version": i.version, "verified": i.verified, "attribution": i.attribution, "licence": i.licence}))
            .collect(),
    )
}

fn is_lead(roles: &[String]) -> bool {
    roles.iter().any(|r| r == "lead")
}

/// A study in the overview, as the caller may see it, from where its appraisal stands.
fn study_json(roles: &[String], caller: i32, s: &Study, st: &app::StudyState) -> Value {
    let mine = st.appraisals.iter().find(|a| a.appraiser_id == caller);
    let lead = is_lead(roles);
    let finished = st.final_answers.is_some();
    json!({
        "item_id": s.item.id,
        "record_id": s.record.id,
        "label": s.label,
        "title": s.record.title,
        "my_status": match mine { Some(m) if m.submitted => "submitted", Some(_) => "draft", None => "none" },
        "submitted": if lead || finished { Some(st.submitted) } else { None },
        "disagreements": if lead { Some(st.disagreements.len()) } else { None },
        "complete": finished,
        "file_url": s.item.file_id.map(|_| format!("/api/reviews/{}/items/{}/file", s.record.review_id, s.item.id)),
    })
}

async fn find_study(state: &AppState, review_id: i32, item_id: i32) -> ApiResult<Study> {
    app::studies(&state.store, review_id)
        .await?
        .into_iter()
        .find(|s| s.item.id == item_id)
        .ok_or_else(|| ApiError::not_found("included study with that id"))
}

/// The review's instrument, how many appraisers each study needs, and every included study with the
/// caller's status (leads also see how many appraisals are in and how many items disagree).
#[utoipa::path(tag = "appraisal", params(("review" = String, Path, description = "Short name or id")), responses((status = 200, description = "Appraisal overview", body = Object)))]
#[get("/api/reviews/{review}/appraisal")]
async fn overview(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<web::Json<Value>> {
    let (review, roles) = review_for(&state, &caller, &path, Need::Member).await?;
    let instr = app::instrument(&state.store, review.id).await?;
    let (_, appraisers) = store::appraisal::settings(&state.store.db, review.id).await?;
    let all = app::studies(&state.store, review.id).await?;
    let states = app::states(&state.store, review.id, &instr, &all, appraisers).await?;
    let studies: Vec<Value> = all.iter().zip(&states).map(|(s, st)| study_json(&roles, caller.id(), s, st)).collect();
    let custom = store::appraisal::custom_ids(&state.store.db, review.id).await?;
    Ok(web::Json(json!({"instrument": instr, "appraisers": appraisers, "custom_instruments": custom, "studies": studies})))
}

#[derive(Debug, Deserialize, ToSchema)]
struct AppraisalSettings {
    /// A built-in instrument id (see `/api/instruments`) or a custom one imported into this review.
    instrument_id: String,
    /// Independent appraisals per study: 1 or 2.
    appraisers: i32,
}

/// Chooses the review's instrument and the appraisals each study needs (leads only).
#[utoipa::path(tag = "appraisal", request_body = AppraisalSettings, params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "Saved", body = Object),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 422, description = "Unknown instrument", body = crate::error::Problem),
))]
#[put("/api/reviews/{review}/appraisal/settings")]
async fn put_settings(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<AppraisalSettings>,
) -> ApiResult<web::Json<Value>> {
    let (review, _) = review_for(&state, &caller, &path, Need::Lead).await?;
    let mut errors = Vec::new();
    let enabled = !state.settings.disabled_instruments.iter().any(|d| d == &body.instrument_id);
    let known = (review::appraisal::builtin(&body.instrument_id).is_some() && enabled)
        || store::appraisal::custom_instrument(&state.store.db, review.id, &body.instrument_id).await?.is_some();
    if !known {
        errors.push(FieldError {
            field: "instrument_id".into(),
            message: "is neither a built-in instrument this server offers nor one imported into this review".into(),
        });
    }
    if !(1..=2).contains(&body.appraisers) {
        errors.push(FieldError { field: "appraisers".into(), message: "must be 1 or 2".into() });
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let now = now_ms();
    let txn = state.store.begin().await?;
    let before = store::appraisal::settings(&txn, review.id).await?;
    store::appraisal::save_settings(&txn, review.id, &body.instrument_id, body.appraisers).await?;
    store::audit::append(
        &txn,
        store::audit::NewEvent {
            review_id: Some(review.id),
            actor_id: Some(caller.id()),
            action: "appraisal.settings",
            entity: "review",
            entity_id: review.id.to_string(),
            before: Some(json!({"instrument_id": before.0, "appraisers": before.1})),
            after: Some(json!({"instrument_id": body.instrument_id, "appraisers": body.appraisers})),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(web::Json(json!({"instrument_id": body.instrument_id, "appraisers": body.appraisers})))
}

#[derive(Debug, Deserialize, ToSchema)]
struct InstrumentFile {
    /// The instrument file (TOML, see `crates/review/instruments/README.md`).
    toml: String,
}

/// Imports a custom instrument into the review (leads only); it is checked first and every problem is
/// reported.
#[utoipa::path(tag = "appraisal", request_body = InstrumentFile, params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 201, description = "Imported: the instrument", body = Object),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 422, description = "The file is not a valid instrument; `errors` lists every problem", body = crate::error::Problem),
))]
#[post("/api/reviews/{review}/appraisal/instruments")]
async fn import_instrument(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<InstrumentFile>,
) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Lead).await?;
    let instr = review::appraisal::load(&body.toml)
        .map_err(|problems| ApiError::invalid(problems.into_iter().map(|p| FieldError { field: "toml".into(), message: p }).collect()))?;
    if review::appraisal::builtin(&instr.id).is_some() {
        return Err(ApiError::invalid(vec![FieldError {
            field: "toml".into(),
            message: format!("the id {} belongs to a built-in instrument; give yours another id", instr.id),
        }]));
    }
    let now = now_ms();
    let txn = state.store.begin().await?;
    store::appraisal::add_custom_instrument(&txn, review.id, &instr.id, &body.toml, caller.id(), now).await?;
    store::audit::append(
        &txn,
        store::audit::NewEvent {
            review_id: Some(review.id),
            actor_id: Some(caller.id()),
            action: "appraisal.instrument_import",
            entity: "instrument",
            entity_id: instr.id.clone(),
            before: None,
            after: Some(json!({"name": instr.name, "version": instr.version})),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(HttpResponse::Created().json(instr))
}

async fn study_view(state: &AppState, review: &store::reviews::Review, roles: &[String], caller: i32, item_id: i32) -> ApiResult<Value> {
    let s = find_study(state, review.id, item_id).await?;
    let instr = app::instrument(&state.store, review.id).await?;
    let (_, appraisers) = store::appraisal::settings(&state.store.db, review.id).await?;
    let st = app::state(&state.store, &instr, &s, appraisers).await?;
    let lead = is_lead(roles);
    let all_in = st.submitted >= usize::try_from(appraisers).unwrap_or(2);
    let members = store::reviews::members(&state.store.db, review.id).await?;
    let name = |id: i32| members.iter().find(|(u, _)| u.id == id).map(|(u, _)| u.name.clone()).unwrap_or_default();
    let mine =
        st.appraisals.iter().find(|a| a.appraiser_id == caller).map(|m| json!({"answers": app::answers_of(m), "submitted": m.submitted}));
    // Blind until every appraiser has submitted; leads see everything.
    let others = (lead || all_in).then(|| {
        st.appraisals
            .iter()
            .filter(|a| a.appraiser_id != caller && (lead || a.submitted))
            .map(|a| json!({"appraiser_id": a.appraiser_id, "appraiser": name(a.appraiser_id), "answers": app::answers_of(a), "submitted": a.submitted}))
            .collect::<Vec<_>>()
    });
    let consensus: Vec<Value> = st
        .consensus
        .iter()
        .map(|c| json!({"item": c.question, "key": c.key, "text": c.text, "note": c.note, "decided_by": c.decided_by}))
        .collect();
    Ok(json!({
        "study": study_json(roles, caller, &s, &st),
        "mine": mine,
        "others": others,
        "disagreements": (lead && all_in).then_some(&st.disagreements),
        "consensus": if lead || st.final_answers.is_some() { consensus } else { Vec::new() },
        "final": st.final_answers,
    }))
}

/// One study's appraisal as the caller may see it: their own answers; other appraisers' answers once
/// every appraiser has submitted (leads always); disagreements for leads; the reconciled answers.
#[utoipa::path(tag = "appraisal", params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "The study's full-text item id")), responses(
    (status = 200, description = "The study's appraisal", body = Object),
    (status = 404, description = "No such included study", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/appraisal/studies/{id}")]
async fn get_study(state: web::Data<AppState>, caller: Caller, path: web::Path<(String, i32)>) -> ApiResult<web::Json<Value>> {
    let (key, id) = path.into_inner();
    let (review, roles) = review_for(&state, &caller, &key, Need::Member).await?;
    Ok(web::Json(study_view(&state, &review, &roles, caller.id(), id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
struct MyAppraisal {
    /// Answers: `{item, key, text, comment, quote, page}` each.
    #[schema(value_type = Vec<Object>)]
    answers: Vec<review::appraisal::Answer>,
    /// Submit (checked, then locked) rather than save a draft.
    #[serde(default)]
    submit: bool,
}

/// Saves the caller's answers for a study as a draft, or submits them (checked against the
/// instrument; then locked).
#[utoipa::path(tag = "appraisal", request_body = MyAppraisal, params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "The study's full-text item id")), responses(
    (status = 200, description = "Saved; the study view", body = Object),
    (status = 403, description = "Viewers do not appraise", body = crate::error::Problem),
    (status = 409, description = "Already submitted", body = crate::error::Problem),
    (status = 422, description = "Answers missing or not allowed", body = crate::error::Problem),
))]
#[put("/api/reviews/{review}/appraisal/studies/{id}/mine")]
async fn put_mine(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
    body: web::Json<MyAppraisal>,
) -> ApiResult<web::Json<Value>> {
    let (key, id) = path.into_inner();
    let (review, roles) = review_for(&state, &caller, &key, Need::Contributor).await?;
    let s = find_study(&state, review.id, id).await?;
    let b = body.into_inner();
    app::save_mine(&state.store, review.id, &s, caller.id(), b.answers, b.submit, now_ms()).await?;
    Ok(web::Json(study_view(&state, &review, &roles, caller.id(), id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
struct ConsensusBody {
    decisions: Vec<Decision>,
}

/// Records the consensus answers (with notes) for a study's disagreements (leads only).
#[utoipa::path(tag = "appraisal", request_body = ConsensusBody, params(("review" = String, Path, description = "Short name or id"), ("id" = i32, Path, description = "The study's full-text item id")), responses(
    (status = 200, description = "Saved; the study view", body = Object),
    (status = 403, description = "Not a lead", body = crate::error::Problem),
    (status = 409, description = "Not every appraiser has submitted", body = crate::error::Problem),
    (status = 422, description = "Unknown item or answer", body = crate::error::Problem),
))]
#[put("/api/reviews/{review}/appraisal/studies/{id}/consensus")]
async fn put_consensus(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
    body: web::Json<ConsensusBody>,
) -> ApiResult<web::Json<Value>> {
    let (key, id) = path.into_inner();
    let (review, roles) = review_for(&state, &caller, &key, Need::Lead).await?;
    let s = find_study(&state, review.id, id).await?;
    app::save_consensus(&state.store, review.id, &s, caller.id(), body.into_inner().decisions, now_ms()).await?;
    Ok(web::Json(study_view(&state, &review, &roles, caller.id(), id).await?))
}

/// The appraisal table (studies × items, consensus answers and comments) as CSV.
#[utoipa::path(tag = "appraisal", params(("review" = String, Path, description = "Short name or id")), responses((status = 200, description = "CSV", content_type = "text/csv")))]
#[get("/api/reviews/{review}/appraisal/table.csv")]
async fn table_csv(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let (instr, rows) = app::table(&state.store, review.id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{}-appraisal.csv\"", review.slug)))
        .body(review::appraisal::table_csv(&instr, &rows)))
}

/// The appraisal table as a standalone HTML page.
#[utoipa::path(tag = "appraisal", params(("review" = String, Path, description = "Short name or id")), responses((status = 200, description = "HTML", content_type = "text/html")))]
#[get("/api/reviews/{review}/appraisal/table.html")]
async fn table_html(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let (instr, rows) = app::table(&state.store, review.id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"))
        .body(review::appraisal::table_html(&instr, &rows)))
}

/// The traffic-light summary plot (one row per study, one column per item) as SVG.
#[utoipa::path(tag = "appraisal", params(("review" = String, Path, description = "Short name or id")), responses((status = 200, description = "SVG", content_type = "image/svg+xml")))]
#[get("/api/reviews/{review}/appraisal/traffic-light.svg")]
async fn traffic_light(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let (review, _) = review_for(&state, &caller, &path, Need::Member).await?;
    let (instr, rows) = app::table(&state.store, review.id).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml; charset=utf-8")
        .insert_header(("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"))
        .body(review::appraisal::traffic_light_svg(&instr, &rows)))
}

/// Agreement between the first two appraisers of each study, per item: how many studies both
/// answered, percent agreement and Cohen's kappa. Leads and viewers (or anyone once every study is
/// complete), since it would reveal answers while appraisal is blind.
#[utoipa::path(tag = "appraisal", params(("review" = String, Path, description = "Short name or id")), responses(
    (status = 200, description = "Per item: item, number, n, percent, kappa", body = Object),
    (status = 403, description = "A blind appraiser", body = crate::error::Problem),
))]
#[get("/api/reviews/{review}/appraisal/agreement")]
async fn agreement(state: web::Data<AppState>, caller: Caller, path: web::Path<String>) -> ApiResult<web::Json<Vec<Value>>> {
    let (review, roles) = review_for(&state, &caller, &path, Need::Member).await?;
    let instr = app::instrument(&state.store, review.id).await?;
    let (_, appraisers) = store::appraisal::settings(&state.store.db, review.id).await?;
    let studies = app::studies(&state.store, review.id).await?;
    let states = app::states(&state.store, review.id, &instr, &studies, appraisers).await?;
    let mut pairs = Vec::new();
    let mut all_complete = true;
    for (s, st) in studies.iter().zip(&states) {
        all_complete &= st.final_answers.is_some();
        let done: Vec<_> = st.appraisals.iter().filter(|a| a.submitted).collect();
        if let (Some(a), Some(b)) = (done.first(), done.get(1)) {
            let to = |r: &store::appraisal::AppraisalRow| review::appraisal::Appraisal {
                appraiser: i64::from(r.appraiser_id),
                study: s.label.clone(),
                answers: app::answers_of(r),
            };
            pairs.push((to(a), to(b)));
        }
    }
    let appraises = roles.iter().any(|r| r == "reviewer") && !roles.iter().any(|r| r == "lead");
    if appraises && (studies.is_empty() || !all_complete) {
        return Err(ApiError::forbidden(
            "Agreement would reveal the other appraisers' answers before every study is reconciled; a lead can see it.",
        ));
    }
    let refs: Vec<(&review::appraisal::Appraisal, &review::appraisal::Appraisal)> = pairs.iter().map(|(a, b)| (a, b)).collect();
    Ok(web::Json(
        review::appraisal::item_agreement(&instr, &refs)
            .into_iter()
            .map(|a| json!({"item": a.item, "number": a.number, "n": a.n, "percent": a.percent, "kappa": a.kappa}))
            .collect(),
    ))
}
