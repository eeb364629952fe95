//! Dual screening as operations: routing the next record to a reviewer, voting (and changing or undoing
//! a vote), lead resolutions, sending a conflict to a third reviewer, full-text retrieval, agreement and
//! the decisions export. Each change runs in one locked transaction with its audit event; what the votes
//! decide comes from `review::screening`.

use review::screening::{CastVote, Outcome, Stage, StageSettings, Vote};
use serde_json::json;
use store::Store;
use store::audit::NewEvent;
use store::screening::{FULL_TEXT, Item, ItemUpdate, NewVote, TITLE_ABSTRACT, VoteWrite};

/// How long a reservation made by `next` holds a record for its reviewer.
pub const RESERVATION_MS: i64 = 10 * 60 * 1000;

/// Largest full-text file accepted.
pub const MAX_PDF_BYTES: usize = 64 * 1024 * 1024;

/// Why a screening operation was refused; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ScreeningError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The files directory could not be written or read (the cause, for the log).
    #[error("files directory: {0}")]
    Files(String),
}

pub fn parse_stage(s: &str) -> Option<Stage> {
    match s {
        TITLE_ABSTRACT => Some(Stage::TitleAbstract),
        FULL_TEXT => Some(Stage::FullText),
        _ => None,
    }
}

pub fn parse_vote(s: &str) -> Option<Vote> {
    match s {
        "include" => Some(Vote::Include),
        "exclude" => Some(Vote::Exclude),
        "maybe" => Some(Vote::Maybe),
        _ => None,
    }
}

fn stage_settings(s: &store::screening::Settings) -> StageSettings {
    StageSettings {
        reviewers_per_record: u8::try_from(s.reviewers_per_record).unwrap_or(2),
        blind: s.blind,
        maybe_is_conflict: s.maybe_is_conflict,
    }
}

/// Creates title/abstract items for records that have none (after imports and deduplication).
pub async fn sync_items(store: &Store, review_id: i32, now: i64) -> Result<u64, store::StoreError> {
    let settings = store::screening::settings(&store.db, review_id, TITLE_ABSTRACT).await?;
    let locked = store.begin_locked(review_id).await?;
    let n = store::screening::sync_title_abstract(&locked.txn, review_id, settings.reviewers_per_record, now).await?;
    locked.commit().await?;
    Ok(n)
}

/// Saves a review's protocol with its audit event (`protocol.update`, before and after) in one
/// transaction; saved unchanged, it keeps its version and records nothing.
pub async fn save_protocol(
    store: &Store,
    review_id: i32,
    actor: Option<i32>,
    new: &store::screening::Protocol,
    now: i64,
) -> Result<store::screening::Protocol, store::StoreError> {
    let txn = store.begin().await?;
    let before = store::screening::protocol(&txn, review_id).await?;
    let saved = store::screening::save_protocol(&txn, review_id, new, now).await?;
    if saved.version == before.version {
        return Ok(saved);
    }
    let as_json = |p: &store::screening::Protocol| json!({"framework": p.framework, "elements": p.elements, "inclusion": p.inclusion, "exclusion": p.exclusion, "reasons": p.reasons, "include_keywords": p.include_keywords, "exclude_keywords": p.exclude_keywords, "version": p.version});
    let event = NewEvent {
        review_id: Some(review_id),
        actor_id: actor,
        action: "protocol.update",
        entity: "protocol",
        entity_id: review_id.to_string(),
        before: Some(as_json(&before)),
        after: Some(as_json(&saved)),
    };
    store::audit::append(&txn, event, now).await?;
    txn.commit().await?;
    Ok(saved)
}

/// What `next` hands a reviewer: the records to judge, each with its citation and votes, and the
/// settings they were picked under (whether the stage is blind decides what the reply may show).
#[derive(Clone, Debug)]
pub struct Next {
    pub items: Vec<store::screening::Handed>,
    /// The stage's settings the records were picked under (as given, or as they stand after this call
    /// opened the stage past its pilot).
    pub settings: store::screening::Settings,
}

/// The records a reviewer should judge next at a stage (up to `count`, for prefetching), reserved for
/// them: records others already voted on first (so pairs complete), then records they hold, then fresh
/// ones (`store::screening::pick`). While a pilot set is on, only its records are handed out; when
/// every pilot record has its votes and agreement reaches the threshold, the rest of the stage opens by
/// itself.
/// `settings` are the stage's, as the caller read them.
pub async fn next(
    store: &Store,
    review_id: i32,
    stage: &str,
    settings: &store::screening::Settings,
    reviewer: i32,
    count: u64,
    now: i64,
) -> Result<Next, ScreeningError> {
    let pair = store::screening::pair_of(settings, reviewer);
    if pair.is_some_and(|(idx, _)| idx < 0) {
        return Err(ScreeningError::Conflict(
            "This stage uses fixed reviewer pairs and you are not in one. Ask a lead to add you to a pair.".into(),
        ));
    }
    let mut ask = ask_for(review_id, stage, reviewer, count, now, pair);
    let mut picked_under = settings.clone();
    let items = if settings.in_pilot() {
        let pilot = store::screening::pilot_ids(&store.db, review_id, stage, settings.pilot_size).await?;
        ask.max_item_id = pilot.last().copied().unwrap_or(0);
        let items = store::screening::pick(store, &ask).await?;
        if items.is_empty() && open_passed_pilot(store, review_id, stage, now).await? {
            ask.max_item_id = i32::MAX;
            picked_under = store::screening::settings(&store.db, review_id, stage).await?;
            store::screening::pick(store, &ask).await?
        } else {
            items
        }
    } else {
        store::screening::pick(store, &ask).await?
    };
    Ok(Next { items, settings: picked_under })
}

/// What routing asks for a reviewer when the stage needs nothing special: no pilot in progress, and
/// the reviewer in a pair if the stage has pairs. `None` otherwise ([`next`] deals with those).
fn plain_ask(
    settings: &store::screening::Settings,
    review_id: i32,
    stage: &str,
    reviewer: i32,
    count: u64,
    now: i64,
) -> Option<store::screening::Ask> {
    let pair = store::screening::pair_of(settings, reviewer);
    if settings.in_pilot() || pair.is_some_and(|(idx, _)| idx < 0) {
        return None;
    }
    Some(ask_for(review_id, stage, reviewer, count, now, pair))
}

/// Routing's question for `count` records held for [`RESERVATION_MS`], any item id.
fn ask_for(review_id: i32, stage: &str, reviewer: i32, count: u64, now: i64, pair: Option<(i32, i32)>) -> store::screening::Ask {
    store::screening::Ask {
        review_id,
        stage: stage.to_owned(),
        reviewer,
        count,
        now,
        expires_at: now + RESERVATION_MS,
        max_item_id: i32::MAX,
        pair,
        ahead: ahead_for(stage),
        renew: true,
    }
}

/// New records for a reviewer whose holding (`crate::memo::Holdings`) is running out, reserved as a
/// pick with a vote reserves them ([`HOLD_AHEAD`] and one more while the stage has plenty nobody
/// holds, one otherwise), but never one the reviewer holds already: those may be on their screen, or
/// have a vote on its way. Run after a vote has answered, so that the vote which would have picked
/// finds records waiting instead. Nothing when routing needs more than a plain pick (a pilot in
/// progress, a reviewer outside the stage's pairs): the vote that runs out picks then, as before.
pub async fn top_up(
    store: &Store,
    review_id: i32,
    stage: &str,
    settings: &store::screening::Settings,
    reviewer: i32,
    now: i64,
) -> Result<Vec<store::screening::Handed>, ScreeningError> {
    let Some(ask) = plain_ask(settings, review_id, stage, reviewer, 1, now) else { return Ok(Vec::new()) };
    Ok(store::screening::pick(store, &store::screening::Ask { renew: false, ..ask }).await?)
}

/// How many records a pick at `stage` may hold ahead ([`HOLD_AHEAD`]): at title/abstract only. A
/// stage's items are dense in id order when an import makes them all at once, which the plenty probe
/// relies on (an untouched record `store::screening::PLENTY` places on means about as many records
/// nobody holds); full-text items are made one at a time as records are included, between every other
/// item the database makes meanwhile, so there the same places may be only a few records, and holding
/// ahead could leave a colleague with nothing. Full-text screening is also the smaller stage.
fn ahead_for(stage: &str) -> u64 {
    if stage == TITLE_ABSTRACT { HOLD_AHEAD } else { 0 }
}

/// How many records routing reserves for a reviewer beyond those asked for while a stage has plenty
/// nobody holds (`store::screening::Ask::ahead`): the server keeps them as the session's holding
/// (`crate::memo::Holdings`) and `vote-and-next` hands them out without picking, so that routing runs
/// once every few votes instead of on every one; [`top_up`] reserves this many and one more. Two, not
/// more: a larger pick is cheaper per record but holds its rows and a database backend longer, and
/// the votes around it wait (BENCHMARKS.md, "Screening under load", tenth session).
pub const HOLD_AHEAD: u64 = 2;

/// How many holdings' top-ups ([`top_up`]) run at once in a process; the others wait for a lane. A
/// top-up is routing's heavier statement (it steps over records colleagues hold, reserves records
/// near the stage's frontier, where its colleagues' top-ups reserve theirs, and reads them whole), and
/// under load they come in bursts after bursts of votes; unlimited, they shared the database's cores
/// with the votes they run beside, whose tail grew with them (BENCHMARKS.md, "Screening under load",
/// eleventh session). One lane was too few: holdings ran out while their top-ups waited.
pub const TOP_UP_LANES: usize = 2;

/// Opens the rest of a stage whose pilot records all have their votes, when agreement on them reaches
/// the threshold; true when the stage is open (now or already). Runs under the review's lock, so the
/// pilot opens once.
async fn open_passed_pilot(store: &Store, review_id: i32, stage: &str, now: i64) -> Result<bool, ScreeningError> {
    let locked = store.begin_locked(review_id).await?;
    let db = &locked.txn;
    let settings = store::screening::settings(db, review_id, stage).await?;
    if !settings.in_pilot() {
        return Ok(true);
    }
    let pilot = store::screening::pilot_ids(db, review_id, stage, settings.pilot_size).await?;
    let status = pilot_status(db, review_id, stage, &settings, &pilot).await?;
    if !status.complete {
        return Ok(false);
    }
    if !status.passed {
        return Err(ScreeningError::Conflict(
            "The pilot records are all screened, and agreement on them is below the review's threshold. Your lead will go through the disagreements with the team and then open screening.".into(),
        ));
    }
    let after =
        json!({"kappa": status.kappa, "percent_agreement": status.percent, "threshold": settings.pilot_threshold, "records": pilot.len()});
    open_stage(db, review_id, stage, settings, None, "pilot.passed", Some(after), now).await?;
    locked.commit().await?;
    Ok(true)
}

/// Opens the rest of a stage that was held back by its pilot, with its audit event.
#[allow(clippy::too_many_arguments)]
async fn open_stage(
    db: &store::DatabaseTransaction,
    review_id: i32,
    stage: &str,
    mut settings: store::screening::Settings,
    actor: Option<i32>,
    action: &'static str,
    after: Option<serde_json::Value>,
    now: i64,
) -> Result<(), store::StoreError> {
    settings.pilot_opened = true;
    store::screening::save_settings(db, review_id, stage, &settings).await?;
    let event =
        NewEvent { review_id: Some(review_id), actor_id: actor, action, entity: "stage", entity_id: stage.to_owned(), before: None, after };
    store::audit::append(db, event, now).await?;
    Ok(())
}

/// Where a stage's pilot stands.
#[derive(Clone, Debug, PartialEq)]
pub struct PilotStatus {
    /// Every pilot record has all the votes it needs.
    pub complete: bool,
    /// Agreement on the pilot's first votes reaches the threshold (kappa, or perfect agreement when
    /// kappa is undefined because everyone chose the same answer).
    pub passed: bool,
    pub kappa: Option<f64>,
    pub percent: f64,
    pub n: u64,
}

pub async fn pilot_status(
    db: &store::DatabaseTransaction,
    review_id: i32,
    stage: &str,
    settings: &store::screening::Settings,
    pilot: &[i32],
) -> Result<PilotStatus, store::StoreError> {
    let items = store::screening::items_by_ids(db, review_id, pilot).await?;
    let complete = !pilot.is_empty() && items.len() == pilot.len() && items.iter().all(|i| i.votes >= i.needed);
    let votes = store::screening::stage_votes(db, review_id, stage, Some(pilot)).await?;
    let overall = agreement_tables(&votes).into_iter().next().map(|(_, a)| a);
    let (kappa, percent, n) = overall.map(|a| (a.cohen_kappa.map(|k| k.value), a.percent, a.n)).unwrap_or((None, 0.0, 0));
    let passed = match kappa {
        Some(k) => k >= settings.pilot_threshold,
        None => n > 0 && (percent - 1.0).abs() < f64::EPSILON,
    };
    Ok(PilotStatus { complete, passed, kappa, percent, n })
}

/// A lead opens the rest of the stage (after discussing a pilot that fell short, or to skip it).
pub async fn open_pilot(store: &Store, review_id: i32, stage: &str, lead: i32, now: i64) -> Result<(), ScreeningError> {
    let locked = store.begin_locked(review_id).await?;
    let db = &locked.txn;
    let settings = store::screening::settings(db, review_id, stage).await?;
    if !settings.in_pilot() {
        return Err(ScreeningError::Conflict("This stage has no pilot waiting to be opened.".into()));
    }
    open_stage(db, review_id, stage, settings, Some(lead), "pilot.opened", None, now).await?;
    locked.commit().await?;
    Ok(())
}

/// What a vote left behind.
#[derive(Clone, Debug)]
pub struct VoteResult {
    pub item: Item,
    pub record: store::records::Record,
    pub vote: store::screening::VoteRow,
    /// Every vote on the item after the change, as the vote read and wrote them (so the reply needs no
    /// re-read).
    pub votes: Vec<store::screening::VoteRow>,
    /// The names of the reviewers of `votes` that the vote read (the voter's own is the caller's).
    pub names: store::screening::VoterNames,
    /// The records reserved next, when asked for ([`vote_then_next`]), with their votes.
    pub next: Vec<store::screening::Handed>,
    /// The settings of the item's stage that the next records were picked under (those the vote was
    /// decided under, unless picking them opened the stage past its pilot), and of the full-text stage:
    /// what votes on the next records are decided from while their versions hold.
    pub settings: store::screening::Settings,
    pub full_text: store::screening::Settings,
    /// Whether every record the caller said it would show next from its holding ([`Then::still_held`])
    /// is still reserved for the reviewer; when not, the caller picks instead.
    pub still_held: bool,
}

/// What the caller shows after a vote: `pick` records picked with it, or (with `pick` 0) the records
/// `still_held` from its holding, which the vote's write checks are still reserved for the reviewer
/// (`VoteResult::still_held`). The default is neither.
#[derive(Clone, Copy, Debug, Default)]
pub struct Then<'a> {
    pub pick: u64,
    pub still_held: &'a [i32],
}

/// How many times a vote is worked out again when the record changed between reading and writing it
/// (another reviewer's vote on it landed in between).
const VOTE_ATTEMPTS: usize = 8;

/// Records (or changes) a reviewer's vote and settles the item when its votes decide it. The vote is
/// worked out from one read of the item and written only if the item is unchanged since
/// (`store::screening::write_vote`); otherwise it is worked out again.
pub async fn vote(store: &Store, review_id: i32, item_id: i32, reviewer: i32, v: NewVote, now: i64) -> Result<VoteResult, ScreeningError> {
    let ballot = store::screening::ballot(&store.db, review_id, item_id).await?.ok_or(ScreeningError::NotFound)?;
    vote_on(store, ballot, reviewer, v, now).await
}

/// [`vote`] on an item whose ballot the caller has read (the first attempt uses it).
pub async fn vote_on(
    store: &Store,
    ballot: store::screening::Ballot,
    reviewer: i32,
    v: NewVote,
    now: i64,
) -> Result<VoteResult, ScreeningError> {
    vote_then_next(store, ballot, reviewer, v, Then::default(), now).await
}

/// [`vote_on`], then [`next`] for up to `then.pick` records at the item's stage (`VoteResult::next`),
/// reserved in the vote's own statement where routing needs nothing more (no pilot in progress).
/// Once the vote is in, a failure to find next records leaves the list empty: the vote stands.
pub async fn vote_then_next(
    store: &Store,
    ballot: store::screening::Ballot,
    reviewer: i32,
    v: NewVote,
    then: Then<'_>,
    now: i64,
) -> Result<VoteResult, ScreeningError> {
    let (review_id, item_id) = (ballot.item.review_id, ballot.item.id);
    let mut read = Some(ballot);
    let (kind, new) = tidied(v)?;
    // The protocol's reasons matter only to check a given reason; most title/abstract votes have none.
    let mut reasons: Option<Vec<String>> = None;
    for _ in 0..VOTE_ATTEMPTS {
        let ballot = match read.take() {
            Some(b) => b,
            None => store::screening::ballot(&store.db, review_id, item_id).await?.ok_or(ScreeningError::NotFound)?,
        };
        if let Some(done) = attempt(store, ballot, reviewer, kind, &new, &mut reasons, then, now, None).await? {
            return Ok(done);
        }
    }
    Err(ScreeningError::Conflict("Other reviewers kept changing this record while your vote was saved. Vote again.".into()))
}

/// [`vote_then_next`] decided from a ballot remembered from an earlier call, with the caller's access
/// as it was read then (`crate::memo`): one attempt, whose write also checks that the access still
/// stands. `None` (nothing written) when the item or the access moved since, or when the remembered
/// ballot refuses the vote (it may be out of date): the caller then reads both and votes as usual.
/// Only a refusal that does not depend on the ballot (an invalid vote or reason) is an error here.
pub async fn vote_remembered(
    store: &Store,
    ballot: store::screening::Ballot,
    access: store::reviews::AccessGate,
    v: NewVote,
    then: Then<'_>,
    now: i64,
) -> Result<Option<VoteResult>, ScreeningError> {
    let (kind, new) = tidied(v)?;
    let reviewer = access.user_id;
    match attempt(store, ballot, reviewer, kind, &new, &mut None, then, now, Some(access)).await {
        Ok(done) => Ok(done),
        Err(ScreeningError::Conflict(_) | ScreeningError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A vote's kind, with its reason and note trimmed (blank ones count as none) and its tags tidied (or
/// refused).
fn tidied(v: NewVote) -> Result<(Vote, NewVote), ScreeningError> {
    let kind = parse_vote(&v.vote).ok_or_else(|| ScreeningError::Invalid("vote must be include, exclude or maybe".into()))?;
    let blank_is_none = |s: &Option<String>| s.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    let (reason, note) = (blank_is_none(&v.reason), blank_is_none(&v.note));
    let tags = review::screening::tidy_tags(&v.tags).map_err(ScreeningError::Invalid)?;
    Ok((kind, NewVote { reason, note, tags, ..v }))
}

/// One try at a vote, decided from `ballot` and written only if the item is unchanged since (and
/// `access`, when given, still stands); `None` when it was not written. `reasons` caches the
/// protocol's exclusion reasons across tries; `then` is how many records to pick next, and which
/// held ones to check instead (see [`vote_then_next`]).
#[allow(clippy::too_many_arguments)]
async fn attempt(
    store: &Store,
    ballot: store::screening::Ballot,
    reviewer: i32,
    kind: Vote,
    new: &NewVote,
    reasons: &mut Option<Vec<String>>,
    then: Then<'_>,
    now: i64,
    access: Option<store::reviews::AccessGate>,
) -> Result<Option<VoteResult>, ScreeningError> {
    let review_id = ballot.item.review_id;
    let item = &ballot.item;
    let stage = parse_stage(&item.stage).ok_or(ScreeningError::NotFound)?;
    if !matches!(item.state.as_str(), "open" | "conflict") {
        return Err(ScreeningError::Conflict(match item.state.as_str() {
            "awaiting_file" => "Attach the full text (or mark it not retrievable) before screening this report.".into(),
            _ => "This record is already decided, so votes on it can no longer change. Ask a lead if it needs another look.".into(),
        }));
    }
    if new.reason.is_some() && reasons.is_none() {
        *reasons = Some(store::screening::protocol(&store.db, review_id).await?.reasons);
    }
    review::screening::validate_vote(stage, kind, new.reason.as_deref(), reasons.as_deref().unwrap_or_default())
        .map_err(ScreeningError::Invalid)?;
    let before = ballot.votes.iter().find(|v| v.reviewer_id == reviewer).cloned();
    if before.is_none() && item.votes >= item.needed {
        return Err(ScreeningError::Conflict("This record already has all the votes it needs. Ask for the next record instead.".into()));
    }
    // The votes as they will stand, oldest first.
    let mut cast: Vec<CastVote> = ballot.votes.iter().filter(|v| v.reviewer_id != reviewer).filter_map(cast_vote).collect();
    let mine = CastVote { reviewer: i64::from(reviewer), vote: kind, reason: new.reason.clone() };
    match ballot.votes.iter().position(|v| v.reviewer_id == reviewer) {
        Some(at) => cast.insert(at.min(cast.len()), mine),
        None => cast.push(mine),
    }
    let update = decide(item, &cast, &ballot.settings, now);
    // Only open items take votes, so a vote can include a record but never reverse an inclusion.
    let open_full_text = (item.stage == TITLE_ABSTRACT && update.state == "included")
        .then(|| store::screening::needed_for(&ballot.full_text, item.record_id));
    let event = NewEvent {
        review_id: Some(review_id),
        actor_id: Some(reviewer),
        action: if before.is_some() { "vote.change" } else { "vote.cast" },
        entity: "screening_item",
        entity_id: item.id.to_string(),
        before: before.as_ref().map(|b| json!({"vote": b.vote, "reason": b.reason, "note": b.note})),
        after: Some(
            json!({"vote": new.vote, "reason": new.reason, "note": new.note, "tags": new.tags, "stage": item.stage, "record_id": item.record_id, "item_state": update.state}),
        ),
    };
    let still_held = then.still_held.to_vec();
    let write = VoteWrite {
        item: item.clone(),
        reviewer,
        existing: before,
        vote: new.clone(),
        update,
        open_full_text,
        event,
        now,
        access,
        still_held,
    };
    let plain = (then.pick > 0).then(|| plain_ask(&ballot.settings, review_id, &ballot.item.stage, reviewer, then.pick, now)).flatten();
    let written = match &plain {
        Some(ask) => store::screening::write_vote_and_pick(store, write, ask).await?.map(|(voted, next)| (voted, next, true)),
        None => store::screening::write_vote(store, write).await?.map(|w| ((w.item, w.vote), Vec::new(), w.held)),
    };
    let Some(((item, row), mut next_items, still_held)) = written else { return Ok(None) };
    let mut settings = ballot.settings;
    if then.pick > 0 && plain.is_none() {
        match next(store, review_id, &item.stage, &settings, reviewer, then.pick, now).await {
            Ok(n) => (next_items, settings) = (n.items, n.settings),
            Err(e) => tracing::info!(error = %e, "no next records after a vote"),
        }
    }
    let mut votes = ballot.votes;
    match votes.iter_mut().find(|v| v.reviewer_id == reviewer) {
        Some(v) => *v = row.clone(),
        None => votes.push(row.clone()),
    }
    Ok(Some(VoteResult {
        item,
        record: ballot.record,
        vote: row,
        votes,
        names: ballot.names,
        next: next_items,
        settings,
        full_text: ballot.full_text,
        still_held,
    }))
}

fn cast_vote(v: &store::screening::VoteRow) -> Option<CastVote> {
    parse_vote(&v.vote).map(|vote| CastVote { reviewer: i64::from(v.reviewer_id), vote, reason: v.reason.clone() })
}

/// The state an unresolved item's votes (oldest first) put it in.
fn decide(item: &Item, cast: &[CastVote], settings: &store::screening::Settings, now: i64) -> ItemUpdate {
    let outcome = if item.needed > settings.reviewers_per_record && cast.len() >= usize::try_from(item.needed).unwrap_or(usize::MAX) {
        // A third reviewer breaks the tie: their vote decides.
        match cast.last().map(|c| (c.vote, c.reason.clone())) {
            Some((Vote::Exclude, reason)) => Outcome::Excluded { reason },
            Some((Vote::Include, _)) => Outcome::Included,
            _ => Outcome::Conflict,
        }
    } else {
        let mut s = stage_settings(settings);
        s.reviewers_per_record = u8::try_from(item.needed).unwrap_or(s.reviewers_per_record);
        review::screening::outcome(cast, &s)
    };
    let update = match outcome {
        Outcome::NeedsVotes { .. } => ItemUpdate { state: "open".into(), ..Default::default() },
        Outcome::Conflict => ItemUpdate { state: "conflict".into(), ..Default::default() },
        Outcome::Included => {
            ItemUpdate { state: "included".into(), decision: Some("include".into()), decided_at: Some(now), ..Default::default() }
        }
        Outcome::Excluded { reason } => {
            ItemUpdate { state: "excluded".into(), decision: Some("exclude".into()), reason, decided_at: Some(now), ..Default::default() }
        }
    };
    ItemUpdate { resolution_note: item.resolution_note.clone(), votes: i32::try_from(cast.len()).ok(), ..update }
}

/// Recomputes an item's state from its votes (unless a lead already resolved it), for an item read under
/// the lock.
async fn settle(db: &store::DatabaseTransaction, item: Item, now: i64) -> Result<Item, store::StoreError> {
    let votes = store::screening::votes_of_item(db, item.id).await?;
    let settings = store::screening::settings(db, item.review_id, &item.stage).await?;
    let cast: Vec<CastVote> = votes.iter().filter_map(cast_vote).collect();
    let update = decide(&item, &cast, &settings, now);
    let was = item.state.clone();
    let item = store::screening::update_item_state(db, item, &update).await?;
    if item.state != was {
        after_decision(db, &item, now).await?;
    }
    Ok(item)
}

/// A record included at title/abstract becomes a report sought for retrieval.
async fn after_decision(db: &store::DatabaseTransaction, item: &Item, now: i64) -> Result<(), store::StoreError> {
    if item.stage == TITLE_ABSTRACT {
        if item.state == "included" {
            let ft = store::screening::settings(db, item.review_id, FULL_TEXT).await?;
            store::screening::ensure_full_text(db, item.review_id, item.record_id, store::screening::needed_for(&ft, item.record_id), now)
                .await?;
        } else {
            store::screening::withdraw_full_text(db, item.record_id).await?;
        }
    }
    Ok(())
}

/// Takes back the reviewer's vote on an item that is not decided yet; the record returns to them.
pub async fn undo(store: &Store, review_id: i32, item_id: i32, reviewer: i32, now: i64) -> Result<Item, ScreeningError> {
    let locked = store.begin_locked(review_id).await?;
    let db = &locked.txn;
    let item = store::screening::item_for_update(db, review_id, item_id).await?.ok_or(ScreeningError::NotFound)?;
    let before = store::screening::vote_of(db, item.id, reviewer)
        .await?
        .ok_or_else(|| ScreeningError::Conflict("You have no vote on this record to undo.".into()))?;
    if !matches!(item.state.as_str(), "open" | "conflict") {
        return Err(ScreeningError::Conflict(
            "Both votes are in and the record is decided, so your vote can no longer be undone. Ask a lead if it needs another look."
                .into(),
        ));
    }
    store::screening::delete_vote(db, item.id, reviewer).await?;
    store::screening::reserve(db, item.id, reviewer, now + RESERVATION_MS).await?;
    let item = settle(db, item, now).await?;
    store::audit::append(
        db,
        NewEvent {
            review_id: Some(review_id),
            actor_id: Some(reviewer),
            action: "vote.undo",
            entity: "screening_item",
            entity_id: item.id.to_string(),
            before: Some(json!({"vote": before.vote, "reason": before.reason, "note": before.note})),
            after: None,
        },
        now,
    )
    .await?;
    locked.commit().await?;
    Ok(item)
}

/// A lead's decision on a conflict.
pub async fn resolve(
    store: &Store,
    review_id: i32,
    item_id: i32,
    lead: i32,
    decision: &str,
    reason: Option<String>,
    note: Option<String>,
    now: i64,
) -> Result<Item, ScreeningError> {
    let vote = parse_vote(decision)
        .filter(|v| *v != Vote::Maybe)
        .ok_or_else(|| ScreeningError::Invalid("decision must be include or exclude".into()))?;
    let locked = store.begin_locked(review_id).await?;
    let db = &locked.txn;
    let item = store::screening::item_for_update(db, review_id, item_id).await?.ok_or(ScreeningError::NotFound)?;
    if item.state != "conflict" {
        return Err(ScreeningError::Conflict(format!(
            "This record is not in conflict (it is {}); only conflicts are resolved.",
            item.state.replace('_', " ")
        )));
    }
    let stage = parse_stage(&item.stage).ok_or(ScreeningError::NotFound)?;
    let protocol = store::screening::protocol(db, review_id).await?;
    let reason = reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    review::screening::validate_vote(stage, vote, reason.as_deref(), &protocol.reasons).map_err(ScreeningError::Invalid)?;
    let include = vote == Vote::Include;
    let update = ItemUpdate {
        state: if include { "included" } else { "excluded" }.into(),
        decision: Some(if include { "include" } else { "exclude" }.into()),
        reason: if include { None } else { reason },
        resolved_by: Some(lead),
        resolution_note: note,
        decided_at: Some(now),
        votes: None,
    };
    let after = store::screening::update_item_state(db, item.clone(), &update).await?;
    after_decision(db, &after, now).await?;
    store::audit::append(
        db,
        NewEvent {
            review_id: Some(review_id),
            actor_id: Some(lead),
            action: "conflict.resolve",
            entity: "screening_item",
            entity_id: item.id.to_string(),
            before: Some(json!({"state": item.state})),
            after: Some(json!({"state": after.state, "decision": after.decision, "reason": after.reason, "note": after.resolution_note})),
        },
        now,
    )
    .await?;
    locked.commit().await?;
    Ok(after)
}

/// Sends a conflict to a third reviewer, whose vote then decides.
pub async fn send_to_third(store: &Store, review_id: i32, item_id: i32, lead: i32, now: i64) -> Result<Item, ScreeningError> {
    let locked = store.begin_locked(review_id).await?;
    let db = &locked.txn;
    let item = store::screening::item_for_update(db, review_id, item_id).await?.ok_or(ScreeningError::NotFound)?;
    if item.state != "conflict" {
        return Err(ScreeningError::Conflict("Only a record in conflict can be sent to a third reviewer.".into()));
    }
    let after = store::screening::add_needed(db, item.id, "sent to a third reviewer").await?;
    store::audit::append(
        db,
        NewEvent {
            review_id: Some(review_id),
            actor_id: Some(lead),
            action: "conflict.third_reviewer",
            entity: "screening_item",
            entity_id: item.id.to_string(),
            before: Some(json!({"state": item.state, "needed": item.needed})),
            after: Some(json!({"state": after.state, "needed": after.needed})),
        },
        now,
    )
    .await?;
    locked.commit().await?;
    Ok(after)
}

/// Checks that bytes are a PDF: the `%PDF-` header within the first KiB and an end-of-file marker.
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    let head = bytes.get(..bytes.len().min(1024)).unwrap_or_default();
    let tail = bytes.get(bytes.len().saturating_sub(2048)..).unwrap_or_default();
    head.windows(5).any(|w| w == b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF")
}

/// Stores a full-text PDF for a report and opens it for full-text screening.
/// With `files_dir`, the PDF is written there (see [`super::files`]) and the database keeps its path;
/// otherwise the database keeps the bytes.
#[allow(clippy::too_many_arguments)]
pub async fn attach_pdf(
    store: &Store,
    files_dir: Option<&std::path::Path>,
    review_id: i32,
    item_id: i32,
    actor: i32,
    file_name: &str,
    bytes: Vec<u8>,
    now: i64,
) -> Result<Item, ScreeningError> {
    if bytes.len() > MAX_PDF_BYTES {
        return Err(ScreeningError::Invalid(format!("The file is larger than {} MB.", MAX_PDF_BYTES / (1024 * 1024))));
    }
    if !looks_like_pdf(&bytes) {
        return Err(ScreeningError::Invalid(
            "This file is not a PDF (it lacks the %PDF header or end marker). Attach the article's PDF.".into(),
        ));
    }
    use sha2::Digest;
    let sha = hex::encode(sha2::Sha256::digest(&bytes));
    let locked = store.begin_locked(review_id).await?;
    let db = &locked.txn;
    let item = store::screening::item_for_update(db, review_id, item_id).await?.ok_or(ScreeningError::NotFound)?;
    if item.stage != FULL_TEXT {
        return Err(ScreeningError::Conflict("Full texts are attached to reports at the full-text stage.".into()));
    }
    if matches!(item.state.as_str(), "included" | "excluded") {
        return Err(ScreeningError::Conflict("This report is already decided; its full text can no longer change.".into()));
    }
    let content = match files_dir {
        Some(dir) => {
            let size = bytes.len();
            let path = super::files::write(dir, &sha, bytes).await.map_err(|e| ScreeningError::Files(e.to_string()))?;
            store::screening::FileContent::InDirectory { path, size }
        }
        None => store::screening::FileContent::Bytes(bytes),
    };
    let file = store::screening::store_file(db, review_id, file_name, "application/pdf", content, &sha, Some(actor), now).await?;
    let after = store::screening::attach_file(db, item.id, file.id).await?;
    store::audit::append(
        db,
        NewEvent {
            review_id: Some(review_id),
            actor_id: Some(actor),
            action: "fulltext.attach",
            entity: "screening_item",
            entity_id: item.id.to_string(),
            before: Some(json!({"state": item.state, "file_id": item.file_id})),
            after: Some(json!({"state": after.state, "file_id": file.id, "file_name": file_name, "sha256": sha, "size": file.size})),
        },
        now,
    )
    .await?;
    locked.commit().await?;
    Ok(after)
}

/// Records that a report's full text could not be obtained.
pub async fn not_retrieved(
    store: &Store,
    review_id: i32,
    item_id: i32,
    actor: i32,
    reason: &str,
    now: i64,
) -> Result<Item, ScreeningError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ScreeningError::Invalid("Say why the full text could not be retrieved (e.g. \"no response from authors\").".into()));
    }
    let locked = store.begin_locked(review_id).await?;
    let db = &locked.txn;
    let item = store::screening::item_for_update(db, review_id, item_id).await?.ok_or(ScreeningError::NotFound)?;
    if item.stage != FULL_TEXT || !matches!(item.state.as_str(), "awaiting_file" | "not_retrieved") || item.votes > 0 {
        return Err(ScreeningError::Conflict("Only a report still awaiting its full text can be marked not retrievable.".into()));
    }
    let after = store::screening::mark_not_retrieved(db, item.id, reason, now).await?;
    store::audit::append(
        db,
        NewEvent {
            review_id: Some(review_id),
            actor_id: Some(actor),
            action: "fulltext.not_retrieved",
            entity: "screening_item",
            entity_id: item.id.to_string(),
            before: Some(json!({"state": item.state})),
            after: Some(json!({"state": after.state, "reason": reason})),
        },
        now,
    )
    .await?;
    locked.commit().await?;
    Ok(after)
}

/// Agreement of one stage, overall and per reviewer pair, on each item's first two independent votes.
pub async fn agreement(
    store: &Store,
    review_id: i32,
    stage: &str,
) -> Result<Vec<(Option<(i32, i32)>, review::agreement::Agreement)>, store::StoreError> {
    let votes = store::screening::stage_votes(&store.db, review_id, stage, None).await?;
    Ok(agreement_tables(&votes))
}

/// Agreement on exclusion reasons at a stage: over the items whose first two votes both excluded, how
/// often the two gave the same first reason (no reason given is a category of its own); all pairs
/// together first, then each reviewer pair that both excluded at least one record.
pub async fn reason_agreement(
    store: &Store,
    review_id: i32,
    stage: &str,
) -> Result<Vec<(Option<(i32, i32)>, review::agreement::Agreement)>, store::StoreError> {
    let votes = store::screening::stage_votes(&store.db, review_id, stage, None).await?;
    Ok(reason_tables(&votes))
}

/// Agreement on reasons over `votes` (the votes of one stage): all pairs, then each pair.
fn reason_tables(votes: &[store::screening::VoteRow]) -> Vec<(Option<(i32, i32)>, review::agreement::Agreement)> {
    type Reasons<'a> = Vec<(Option<&'a str>, Option<&'a str>)>;
    let mut all: Reasons = Vec::new();
    let mut by_pair: std::collections::BTreeMap<(i32, i32), Reasons> = std::collections::BTreeMap::new();
    for (a, b) in first_two_votes(votes) {
        if a.first_vote != "exclude" || b.first_vote != "exclude" {
            continue;
        }
        let reasons = (a.first_reason.as_deref(), b.first_reason.as_deref());
        all.push(reasons);
        by_pair.entry((a.reviewer_id, b.reviewer_id)).or_default().push(reasons);
    }
    let mut out = vec![(None, reason_table(&all))];
    out.extend(by_pair.into_iter().map(|(pair, reasons)| (Some(pair), reason_table(&reasons))));
    out
}

/// Agreement over the reasons two reviewers gave, a pair of first reasons per record; the categories
/// are the reasons that occur.
fn reason_table(pairs: &[(Option<&str>, Option<&str>)]) -> review::agreement::Agreement {
    let mut categories: Vec<Option<&str>> = pairs.iter().flat_map(|(a, b)| [*a, *b]).collect();
    categories.sort();
    categories.dedup();
    let index = |r: Option<&str>| categories.iter().position(|c| *c == r).unwrap_or(0);
    let mut table = review::agreement::Table::new(categories.len().max(2));
    for (a, b) in pairs {
        table.add(index(*a), index(*b));
    }
    review::agreement::agreement(&table)
}

/// The first two votes cast on each item that has two, in item order, from `votes` (those of one stage,
/// in the order cast): the independent votes agreement is computed on. Each pair comes lower reviewer
/// id first, so a reviewer pair is always the same rows and columns of its table.
fn first_two_votes(votes: &[store::screening::VoteRow]) -> Vec<(&store::screening::VoteRow, &store::screening::VoteRow)> {
    let mut by_item: std::collections::BTreeMap<i32, Vec<&store::screening::VoteRow>> = std::collections::BTreeMap::new();
    for v in votes {
        by_item.entry(v.item_id).or_default().push(v);
    }
    by_item
        .values()
        .filter_map(|vs| {
            let (a, b) = (*vs.first()?, *vs.get(1)?);
            Some(if a.reviewer_id <= b.reviewer_id { (a, b) } else { (b, a) })
        })
        .collect()
}

/// Agreement tables (overall first, then per reviewer pair) over the first two votes of each item, from
/// `votes` (those of one stage, in the order cast).
fn agreement_tables(votes: &[store::screening::VoteRow]) -> Vec<(Option<(i32, i32)>, review::agreement::Agreement)> {
    let firsts = first_two_votes(votes);
    let category = |s: &str| match s {
        "include" => 0usize,
        "exclude" => 1,
        _ => 2,
    };
    // Three categories when any vote of the stage (not only the pairs counted) was a maybe.
    let any_maybe = votes.iter().any(|v| v.first_vote == "maybe");
    let k = if any_maybe { 3 } else { 2 };
    let mut overall = review::agreement::Table::new(k);
    let mut pairs: std::collections::BTreeMap<(i32, i32), review::agreement::Table> = std::collections::BTreeMap::new();
    for &(a, b) in &firsts {
        let (ca, cb) = (category(&a.first_vote), category(&b.first_vote));
        overall.add(ca, cb);
        pairs.entry((a.reviewer_id, b.reviewer_id)).or_insert_with(|| review::agreement::Table::new(k)).add(ca, cb);
    }
    let mut out = vec![(None, review::agreement::agreement(&overall))];
    for (pair, table) in pairs {
        out.push((Some(pair), review::agreement::agreement(&table)));
    }
    out
}

/// Every vote and every resolution of a review as CSV:
/// `record_id,source_record_id,stage,reviewer,role,decision,reason,note,time,protocol_version` (one row
/// per vote, one per lead resolution; `protocol_version` is the criteria version a vote was made under,
/// empty for resolutions and for votes cast before versions were recorded).
pub async fn decisions_csv(store: &Store, review_id: i32) -> Result<String, store::StoreError> {
    use std::collections::HashMap;
    let votes = store::screening::all_votes(&store.db, review_id).await?;
    let items = store::screening::all_items(&store.db, review_id).await?;
    let records = store::records::all(&store.db, review_id).await?;
    let members = store::reviews::members(&store.db, review_id).await?;
    let emails: HashMap<i32, String> = members.iter().map(|(u, _)| (u.id, u.email.clone())).collect();
    let sources: HashMap<i32, &str> = records.iter().map(|r| (r.id, r.source_record_id.as_str())).collect();
    let name = |id: i32| emails.get(&id).cloned().unwrap_or_else(|| format!("user {id}"));
    let source = |rid: i32| sources.get(&rid).map(|s| (*s).to_owned()).unwrap_or_default();
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "record_id",
        "source_record_id",
        "stage",
        "reviewer",
        "role",
        "decision",
        "reason",
        "note",
        "time",
        "protocol_version",
    ]);
    for (v, item) in &votes {
        let _ = w.write_record([
            item.record_id.to_string(),
            source(item.record_id),
            item.stage.clone(),
            name(v.reviewer_id),
            "reviewer".to_owned(),
            v.vote.clone(),
            v.reason.clone().unwrap_or_default(),
            v.note.clone().unwrap_or_default(),
            crate::time::rfc3339(v.updated_at),
            v.protocol_version.map(|n| n.to_string()).unwrap_or_default(),
        ]);
    }
    for item in items.iter().filter(|i| i.resolved_by.is_some()) {
        let _ = w.write_record([
            item.record_id.to_string(),
            source(item.record_id),
            item.stage.clone(),
            item.resolved_by.map(name).unwrap_or_default(),
            "lead".to_owned(),
            item.decision.clone().unwrap_or_default(),
            item.reason.clone().unwrap_or_default(),
            item.resolution_note.clone().unwrap_or_default(),
            item.decided_at.map(crate::time::rfc3339).unwrap_or_default(),
            String::new(),
        ]);
    }
    let bytes = w.into_inner().unwrap_or_default();
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Links a full-text report to the study of another report (several reports of one study), or makes it
/// its own study again with `study_of = None`. Links always point at the study's main report.
pub async fn link_study(
    store: &Store,
    review_id: i32,
    item_id: i32,
    study_of: Option<i32>,
    lead: i32,
    now: i64,
) -> Result<Item, ScreeningError> {
    let locked = store.begin_locked(review_id).await?;
    let db = &locked.txn;
    let item = store::screening::item_for_update(db, review_id, item_id).await?.ok_or(ScreeningError::NotFound)?;
    if item.stage != FULL_TEXT {
        return Err(ScreeningError::Conflict("Only full-text reports are linked to studies.".into()));
    }
    let main = match study_of {
        Some(target) => {
            let t = store::screening::item_for_update(db, review_id, target).await?.ok_or(ScreeningError::NotFound)?;
            if t.stage != FULL_TEXT {
                return Err(ScreeningError::Invalid("Link to another full-text report.".into()));
            }
            let main = t.study_of.unwrap_or(t.id);
            if main == item.id {
                return Err(ScreeningError::Invalid("A report cannot be linked to its own study.".into()));
            }
            if !store::screening::reports_of_study(db, item.id).await?.is_empty() {
                return Err(ScreeningError::Conflict("Other reports are linked to this one; link them to the new study first.".into()));
            }
            Some(main)
        }
        None => None,
    };
    let after = store::screening::set_study_of(db, item.id, main).await?;
    store::audit::append(
        db,
        NewEvent {
            review_id: Some(review_id),
            actor_id: Some(lead),
            action: "report.link_study",
            entity: "screening_item",
            entity_id: item.id.to_string(),
            before: Some(json!({"study_of": item.study_of})),
            after: Some(json!({"study_of": after.study_of})),
        },
        now,
    )
    .await?;
    locked.commit().await?;
    Ok(after)
}

/// The records of the reports included at full text, as citations (for RIS and CSV exports).
pub async fn included_citations(store: &Store, review_id: i32) -> Result<Vec<citation::Citation>, store::StoreError> {
    let items = store::screening::items_in(&store.db, review_id, FULL_TEXT, &["included"], i64::MAX as u64).await?;
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        if let Some(r) = store::records::get(&store.db, review_id, i.record_id).await? {
            let mut c = store::records::display(&r);
            c.source_id = r.id.to_string();
            out.push(c);
        }
    }
    Ok(out)
}

/// A lead moves a reviewer's reserved records at a stage to another member (a reviewer leaving, or
/// workload rebalanced); records the other has judged already are simply released.
pub async fn reassign(store: &Store, review_id: i32, stage: &str, from: i32, to: i32, lead: i32, now: i64) -> Result<u64, ScreeningError> {
    if from == to {
        return Err(ScreeningError::Invalid("Choose two different reviewers.".into()));
    }
    let locked = store.begin_locked(review_id).await?;
    let db = &locked.txn;
    let roles = store::reviews::roles(db, review_id, to).await?;
    if !roles.iter().any(|r| r == "reviewer" || r == "lead") {
        return Err(ScreeningError::Invalid("Records can only be given to a reviewer or lead of this review.".into()));
    }
    let moved = store::screening::reassign(db, review_id, stage, from, to, now, now + RESERVATION_MS).await?;
    store::audit::append(
        db,
        NewEvent {
            review_id: Some(review_id),
            actor_id: Some(lead),
            action: "screening.reassign",
            entity: "stage",
            entity_id: stage.to_owned(),
            before: Some(json!({"reviewer": from})),
            after: Some(json!({"reviewer": to, "records": moved})),
        },
        now,
    )
    .await?;
    locked.commit().await?;
    Ok(moved)
}

/// A search of one's own decisions (the screening page's `/`): words (see [`super::search::Words`])
/// found in the decision's record (title, authors, journal, year, DOI, record number) or in the vote
/// itself (include / exclude / maybe, reason, note, tags), and optionally one kind of vote.
#[derive(Debug)]
pub struct DecisionSearch {
    words: Option<super::search::Words>,
    vote: Option<Vote>,
}

impl DecisionSearch {
    /// `None` when neither words nor a vote narrow the search.
    pub fn new(text: &str, vote: Option<Vote>) -> Option<DecisionSearch> {
        let words = super::search::Words::new(text);
        (words.is_some() || vote.is_some()).then_some(DecisionSearch { words, vote })
    }

    pub fn matches(&self, d: &store::screening::MyVote) -> bool {
        let v = &d.vote;
        if self.vote.is_some_and(|want| parse_vote(&v.vote) != Some(want)) {
            return false;
        }
        let Some(words) = &self.words else { return true };
        // The vote as a word and as the page says it ("Included").
        let said = match parse_vote(&v.vote) {
            Some(Vote::Include) => "include included",
            Some(Vote::Exclude) => "exclude excluded",
            _ => v.vote.as_str(),
        };
        let (authors, tags) = (store::parse_json_list(&d.authors), store::parse_json_list(&v.tags));
        let (year, number) = (d.year.map(|y| y.to_string()).unwrap_or_default(), v.item_id.to_string());
        let fields = [d.title.as_deref(), d.journal.as_deref(), d.doi.as_deref(), v.reason.as_deref(), v.note.as_deref()];
        words.found_in(
            fields.into_iter().flatten().chain(authors.iter().map(String::as_str)).chain(tags.iter().map(String::as_str)).chain([
                year.as_str(),
                number.as_str(),
                said,
            ]),
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn records_are_held_ahead_at_title_abstract_only() {
        let ask = |stage: &str| ask_for(1, stage, 2, 1, 0, None);
        assert_eq!(ask(TITLE_ABSTRACT).ahead, HOLD_AHEAD);
        assert_eq!(ask(FULL_TEXT).ahead, 0, "full-text item ids are not dense, so the plenty probe cannot vouch for them");
    }

    fn decision(
        title: &str,
        authors: &[&str],
        vote: &str,
        reason: Option<&str>,
        note: Option<&str>,
        tags: &[&str],
    ) -> store::screening::MyVote {
        store::screening::MyVote {
            vote: store::screening::VoteRow {
                id: 1,
                review_id: 1,
                item_id: 31,
                reviewer_id: 2,
                vote: vote.into(),
                reason: reason.map(Into::into),
                note: note.map(Into::into),
                tags: serde_json::to_string(tags).unwrap(),
                first_vote: vote.into(),
                first_reason: None,
                created_at: 0,
                updated_at: 0,
                protocol_version: Some(1),
            },
            title: Some(title.into()),
            authors: serde_json::to_string(authors).unwrap(),
            year: Some(2019),
            journal: Some("Harm Reduction Journal".into()),
            doi: Some("10.1186/s12954-019-0310-5".into()),
        }
    }

    #[test]
    fn every_word_must_appear_somewhere_in_the_record_or_the_vote_ignoring_case_accents_and_order() {
        let d = decision(
            "Peer navigators in homeless services: a qualitative study",
            &["Ødegård, K.", "Miler, J. A."],
            "exclude",
            Some("Wrong population"),
            Some("Check the second site"),
            &["Peer work"],
        );
        let hit = |q: &str| DecisionSearch::new(q, None).expect("words").matches(&d);
        assert!(hit("peer"));
        assert!(hit("NAVIGATOR qualitative"), "any case, any order, part of a word");
        assert!(hit("odegard"), "accents folded");
        assert!(hit("wrong population 2019"), "reason and year");
        assert!(hit("second site"), "note");
        assert!(hit("peer work"), "tags");
        assert!(hit("harm reduction"), "journal");
        assert!(hit("s12954"), "DOI");
        assert!(hit("31"), "record number");
        assert!(hit("exclude"), "the vote itself");
        assert!(hit("Excluded"), "the vote as the page says it");
        assert!(!hit("include"));
        assert!(!hit("peer randomised"), "every word, not any");
        assert!(!hit("Ødegård 2020"));
    }

    /// A first vote on item `item`, cast `n`-th.
    fn cast(n: i32, item: i32, reviewer: i32, vote: &str, reason: Option<&str>) -> store::screening::VoteRow {
        let mine = decision("", &[], vote, reason, None, &[]).vote;
        store::screening::VoteRow {
            id: n,
            item_id: item,
            reviewer_id: reviewer,
            first_vote: vote.into(),
            first_reason: reason.map(Into::into),
            ..mine
        }
    }

    #[test]
    fn reasons_agree_only_where_both_excluded_and_a_missing_reason_is_a_reason_of_its_own() {
        let (a, b) = (Some("Wrong population"), Some("Not qualitative"));
        let mut votes = Vec::new();
        fn push(votes: &mut Vec<store::screening::VoteRow>, item: i32, x: (&str, Option<&str>), y: (&str, Option<&str>)) {
            let n = i32::try_from(votes.len()).unwrap_or(0);
            votes.push(cast(n + 1, item, 7, x.0, x.1));
            votes.push(cast(n + 2, item, 8, y.0, y.1));
        }
        let mut pair = |item: i32, x: (&str, Option<&str>), y: (&str, Option<&str>)| push(&mut votes, item, x, y);
        // 6 same reason A, 2 same reason B, one A/B and one B/A: po = 0.8, pe = 0.7² + 0.3² = 0.58,
        // kappa = 0.22 / 0.42.
        for i in 0..6 {
            pair(i, ("exclude", a), ("exclude", a));
        }
        pair(6, ("exclude", b), ("exclude", b));
        pair(7, ("exclude", b), ("exclude", b));
        pair(8, ("exclude", a), ("exclude", b));
        pair(9, ("exclude", b), ("exclude", a));
        // Not both excluded: not counted.
        pair(10, ("exclude", a), ("include", None));
        pair(11, ("maybe", None), ("exclude", b));
        let got = reason_tables(&votes)[0].1.clone();
        assert_eq!(got.n, 10);
        assert!((got.percent - 0.8).abs() < 1e-9, "{got:?}");
        let kappa = got.cohen_kappa.as_ref().expect("kappa").value;
        assert!((kappa - 0.22 / 0.42).abs() < 1e-9, "{kappa}");
        // A record excluded by both, once without a reason: a disagreement, a third category.
        push(&mut votes, 12, ("exclude", None), ("exclude", a));
        let got = reason_tables(&votes)[0].1.clone();
        assert_eq!(got.n, 11);
        assert!((got.percent - 8.0 / 11.0).abs() < 1e-9, "{got:?}");
        // Another pair (reviewers 9 and 7, cast in that order) agrees on its one record: all pairs
        // count it, and each pair has its own table, the pair named lower id first.
        votes.push(cast(100, 13, 9, "exclude", b));
        votes.push(cast(101, 13, 7, "exclude", b));
        let tables = reason_tables(&votes);
        let summary: Vec<(Option<(i32, i32)>, u64)> = tables.iter().map(|(p, a)| (*p, a.n)).collect();
        assert_eq!(summary, vec![(None, 12), (Some((7, 8)), 11), (Some((7, 9)), 1)]);
        assert!((tables[1].1.percent - 8.0 / 11.0).abs() < 1e-9 && (tables[2].1.percent - 1.0).abs() < 1e-9, "{tables:?}");
    }

    #[test]
    fn a_vote_filter_narrows_and_blank_text_with_no_filter_is_no_search() {
        let d = decision("Housing First", &[], "maybe", None, None, &[]);
        assert!(DecisionSearch::new("  ,. ", None).is_none());
        assert!(DecisionSearch::new("", Some(Vote::Maybe)).expect("filter").matches(&d));
        assert!(!DecisionSearch::new("", Some(Vote::Include)).expect("filter").matches(&d));
        assert!(!DecisionSearch::new("housing", Some(Vote::Exclude)).expect("filter").matches(&d));
        assert!(DecisionSearch::new("housing", Some(Vote::Maybe)).expect("filter").matches(&d));
    }
}
