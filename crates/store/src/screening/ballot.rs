//! A vote as two steps: [`ballot`] reads everything a vote is decided from in one query, without
//! locks; the caller works out the item's new state; [`write_vote`] stores the vote, the new state, the
//! released reservation, the full-text item a title/abstract inclusion opens and the audit event, all
//! or nothing, and only if the item's `version` is still the one read. When it is not (another vote or
//! a lead changed the item meanwhile), nothing is written and the caller reads again.
//!
//! On PostgreSQL the write is one statement (data-modifying `WITH` parts, atomic without a transaction
//! round trip); on SQLite it is one transaction on the writer thread.

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, QueryResult};

use super::route::{self, Picked};
use super::{Item, NewVote, Params, Settings, VoteRow, columns, record_columns, settings_from, stmt};
use crate::audit::NewEvent;
use crate::entity::{records, screening_items, stage_settings, votes};
use crate::records::Record;
use crate::{Backend, Store, StoreError};

/// What a vote on an item is decided from.
#[derive(Clone, Debug)]
pub struct Ballot {
    pub item: Item,
    /// The item's record, for showing (its `original` is left empty).
    pub record: Record,
    /// Every vote on the item, oldest first.
    pub votes: Vec<VoteRow>,
    /// The names of the reviewers of `votes`.
    pub names: super::VoterNames,
    /// The settings of the item's stage.
    pub settings: Settings,
    /// The settings of the full-text stage (a title/abstract inclusion creates its full-text item).
    pub full_text: Settings,
}

/// The columns and joins that read a ballot, on top of a query with `screening_items i` (tables `c`,
/// `v`, `bs` and `bf`, apart from those of [`crate::reviews::access_sql`]).
fn ballot_parts() -> (String, String) {
    let (voter_join, voter_column) = super::voter_join("v", "vu", "v_");
    let columns = format!(
        ", {}, {}, {}{voter_column}, {}, {}",
        columns::<screening_items::Entity>("i", "i_"),
        record_columns("c", "c_"),
        columns::<votes::Entity>("v", "v_"),
        columns::<stage_settings::Entity>("bs", "s_"),
        columns::<stage_settings::Entity>("bf", "f_"),
    );
    let joins = format!(
        " LEFT JOIN records c ON c.id = i.record_id \
         LEFT JOIN votes v ON v.item_id = i.id{voter_join} \
         LEFT JOIN stage_settings bs ON bs.review_id = i.review_id AND bs.stage = i.stage \
         LEFT JOIN stage_settings bf ON bf.review_id = i.review_id AND bf.stage = 'full_text'"
    );
    (columns, joins)
}

/// The item (of this review), its record (for showing: without `original`), votes and stage
/// settings, in one query; `None` when the review has no such item.
pub async fn ballot(db: &impl ConnectionTrait, review_id: i32, item_id: i32) -> Result<Option<Ballot>, StoreError> {
    let (columns, joins) = ballot_parts();
    let sql = format!("SELECT 1 AS one{columns} FROM screening_items i{joins} WHERE i.id = $1 AND i.review_id = $2 ORDER BY v.id");
    let rows = db.query_all_raw(stmt(db.get_database_backend(), &sql, vec![item_id.into(), review_id.into()])).await?;
    read_ballot(&rows)
}

/// [`crate::reviews::access`] to the review named by `key` and the [`ballot`] of one of its items, in
/// one query (for a vote, which needs both). The ballot is `None` when the review has no such item.
pub async fn access_and_ballot(
    db: &impl ConnectionTrait,
    session_id: &str,
    now: i64,
    key: &str,
    item_id: i32,
) -> Result<Option<(crate::users::User, crate::reviews::Access, Option<Ballot>)>, StoreError> {
    let (columns, joins) = ballot_parts();
    let sql = crate::reviews::access_sql(&columns, &format!(" LEFT JOIN screening_items i ON i.id = $6 AND i.review_id = r.id{joins}"));
    let mut values = crate::reviews::access_values(session_id, now, key, None);
    values.push(item_id.into());
    let rows = db.query_all_raw(stmt(db.get_database_backend(), &sql, values)).await?;
    let Some((user, access)) = crate::reviews::read_access(&rows, false)? else { return Ok(None) };
    Ok(Some((user, access, read_ballot(&rows)?)))
}

/// Reads what [`ballot_parts`] selected: one row per vote (repeated when the query joined more).
fn read_ballot(rows: &[QueryResult]) -> Result<Option<Ballot>, StoreError> {
    let Some(first) = rows.first() else { return Ok(None) };
    if first.try_get::<Option<i32>>("i_", "id")?.is_none() {
        return Ok(None);
    }
    let settings_at = |row: &QueryResult, prefix: &str| -> Result<Settings, StoreError> {
        let present = row.try_get::<Option<i32>>(prefix, "review_id")?.is_some();
        Ok(if present { settings_from(stage_settings::Model::from_query_result(row, prefix)?) } else { Settings::default() })
    };
    let mut votes: Vec<VoteRow> = Vec::with_capacity(rows.len());
    let mut names = super::VoterNames::new();
    for row in rows {
        super::add_joined_vote(&mut votes, &mut names, row, "v_")?;
    }
    votes.sort_by_key(|v| v.id);
    Ok(Some(Ballot {
        item: screening_items::Model::from_query_result(first, "i_")?,
        record: records::Model::from_query_result(first, "c_")?,
        votes,
        names,
        settings: settings_at(first, "s_")?,
        full_text: settings_at(first, "f_")?,
    }))
}

/// A vote to store, with the item state it leads to, as worked out from a [`Ballot`].
#[derive(Clone, Debug)]
pub struct VoteWrite {
    /// The item as the ballot read it.
    pub item: Item,
    pub reviewer: i32,
    /// The reviewer's vote as the ballot read it (a change), or `None` (a first vote).
    pub existing: Option<VoteRow>,
    pub vote: NewVote,
    /// The item's state after the vote.
    pub update: super::ItemUpdate,
    /// The vote includes the record at title/abstract: its full-text item (a report sought for
    /// retrieval) is made, needing this many votes, unless it has one. (A vote never reverses an
    /// inclusion: only open items take votes.)
    pub open_full_text: Option<i32>,
    pub event: NewEvent<'static>,
    pub now: i64,
    /// The caller's access, when it was not read with this ballot but remembered from an earlier call:
    /// the write then also checks that it still stands (see [`crate::reviews::access_gate_sql`]), and
    /// writes nothing if not.
    pub access: Option<crate::reviews::AccessGate>,
    /// Items the caller will show the reviewer next from what it holds for them (a server's holding):
    /// the write also reports whether each is still reserved for the reviewer, since a lead on another
    /// server may have moved them. PostgreSQL only (several servers share only a PostgreSQL database);
    /// on SQLite they count as still reserved.
    pub still_held: Vec<i32>,
}

/// What [`write_vote`] stored: the item and the vote, and whether every item of
/// [`VoteWrite::still_held`] is still reserved for the reviewer.
#[derive(Clone, Debug)]
pub struct Written {
    pub item: Item,
    pub vote: VoteRow,
    pub held: bool,
}

/// Stores a vote as [`VoteWrite`] describes it and returns the item and the vote as stored; `None`
/// (and nothing written) when the item changed since it was read, or the access it was given no
/// longer stands.
///
/// On PostgreSQL the votes that wait at the same moment are written together, in one statement
/// ([`super::batch`]).
pub async fn write_vote(store: &Store, w: VoteWrite) -> Result<Option<Written>, StoreError> {
    match store.backend {
        Backend::Postgres => super::batch::Batcher::write(store, w).await,
        Backend::Sqlite => write_one(store, w).await,
    }
}

/// [`write_vote`] in a statement (on SQLite, a script) of its own.
pub(super) async fn write_one(store: &Store, w: VoteWrite) -> Result<Option<Written>, StoreError> {
    Ok(write(store, w, None).await?.map(|((item, vote), _, held)| Written { item, vote, held }))
}

/// Whether every item of a vote's `still_held` is still reserved for its reviewer, given how many
/// of them the write found reserved (`n`).
pub(super) fn all_held(still_held: &[i32], n: i64) -> bool {
    if still_held.is_empty() {
        return true;
    }
    let mut distinct = still_held.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    usize::try_from(n).unwrap_or(0) >= distinct.len()
}

/// [`write_vote`], then [`super::pick`] for the voter as `ask` asks: the next records are picked in
/// the same statement on PostgreSQL, in the same transaction on SQLite, and only if the vote was
/// written. `None` (nothing written, nothing picked) when the item changed since it was read.
pub async fn write_vote_and_pick(
    store: &Store,
    w: VoteWrite,
    ask: &super::Ask,
) -> Result<Option<((Item, VoteRow), Vec<route::Handed>)>, StoreError> {
    let Some((voted, first, _)) = write(store, w, Some(ask.clone())).await? else { return Ok(None) };
    route::remember(store, ask, &first);
    let picked = if first.len() < usize::try_from(ask.count).unwrap_or(usize::MAX) {
        // Too few fresh records after the frontier: the full search, as `pick` does it.
        route::pick_ids(store, ask, first).await?
    } else {
        first
    };
    Ok(Some((voted, route::shown(store, ask, picked).await?)))
}

/// The vote as stored, what the pick with it took, and whether `still_held` is.
type WriteOutcome = ((Item, VoteRow), Vec<Picked>, bool);

async fn write(store: &Store, w: VoteWrite, ask: Option<super::Ask>) -> Result<Option<WriteOutcome>, StoreError> {
    match store.backend {
        Backend::Postgres => {
            let frontier = ask.as_ref().map(|a| route::frontier(store, a)).unwrap_or(0);
            write_vote_postgres(store, &w, ask.as_ref().map(|a| (a, frontier))).await
        }
        Backend::Sqlite => match &store.writer {
            Some(writer) => {
                writer
                    .run(move |txn| async move {
                        let Some(voted) = write_vote_sqlite(&txn, &w).await? else { return Ok(None) };
                        let mut picked = Vec::new();
                        if let Some(ask) = ask {
                            // A single statement, which fails whole: the vote stands, and the caller's
                            // fuller search picks instead.
                            let mut p = Params::default();
                            let sql = route::pick_sqlite(&mut p, &ask, route::Fresh::Untouched { from: 0 });
                            match txn.query_all_raw(stmt(DbBackend::Sqlite, &sql, p.0)).await {
                                Ok(rows) => picked = route::read_picked(Backend::Sqlite, &rows, "")?,
                                Err(e) => tracing::warn!(error = %e, "picking with a vote failed; picking on its own"),
                            }
                        }
                        Ok(Some((voted, picked, true)))
                    })
                    .await
            }
            None => Err(StoreError::Stopped("the SQLite writer thread is not running".into())),
        },
    }
}

/// The statements of a vote's write. `update` changes the item only if its version is the one read
/// and the release gate holds; every other part runs only when `gate` holds, a condition true only
/// when `update` did, except `release`, which runs when the release gate holds (PostgreSQL runs it
/// before `update`, which takes what it released, `released`, off the item's `reserved`).
struct Parts {
    update: String,
    cast: String,
    release: Option<String>,
    full_text: Option<String>,
    event: String,
    /// The placeholders bound to the reviewer and the time, for further parts.
    reviewer: String,
    now: String,
}

/// How a vote's write takes its released reservation off the item's count.
struct Release<'a> {
    /// True when the item's version is the one read (and the access given, if any, stands).
    gate: &'a str,
    /// An expression for how many reservations were released, subtracted in `update`; `None` when a
    /// trigger keeps the count (SQLite).
    released: Option<&'a str>,
}

fn parts(p: &mut Params, w: &VoteWrite, gate: &str, release: Release<'_>) -> Parts {
    let u = &w.update;
    let (item_id, review_id, reviewer, now) = (p.add(w.item.id), p.add(w.item.review_id), p.add(w.reviewer), p.add(w.now));
    let counted = match release.released {
        Some(n) if w.existing.is_none() => format!(", reserved = reserved - ({n})"),
        _ => String::new(),
    };
    let update = format!(
        "UPDATE screening_items SET state = {}, decision = {}, reason = {}, decided_at = {}, votes = {}, version = version + 1{counted} \
         WHERE id = {item_id} AND version = {} AND {}",
        p.add(u.state.clone()),
        p.add(u.decision.clone()),
        p.add(u.reason.clone()),
        p.add(u.decided_at),
        p.add(u.votes.unwrap_or(w.item.votes)),
        p.add(w.item.version),
        release.gate,
    );
    let (vote, reason, note, tags) =
        (p.add(w.vote.vote.clone()), p.add(w.vote.reason.clone()), p.add(w.vote.note.clone()), p.add(crate::json_list(&w.vote.tags)));
    // The protocol version in force now: the criteria this vote is made under.
    let version = format!("COALESCE((SELECT pr.version FROM protocols pr WHERE pr.review_id = {review_id}), 0)");
    let cast = match &w.existing {
        Some(existing) => format!(
            "UPDATE votes SET vote = {vote}, reason = {reason}, note = {note}, tags = {tags}, updated_at = {now}, protocol_version = {version} \
             WHERE id = {} AND {gate}",
            p.add(existing.id)
        ),
        None => format!(
            "INSERT INTO votes (review_id, item_id, reviewer_id, vote, reason, note, tags, first_vote, first_reason, created_at, updated_at, protocol_version) \
             SELECT {review_id}, {item_id}, {reviewer}, {vote}, {reason}, {note}, {tags}, {vote}, {reason}, {now}, {now}, {version} WHERE {gate}"
        ),
    };
    // A first vote uses up the reviewer's reservation.
    let release = w
        .existing
        .is_none()
        .then(|| format!("DELETE FROM reservations WHERE item_id = {item_id} AND reviewer_id = {reviewer} AND {}", release.gate));
    let full_text = w.open_full_text.map(|needed| {
        format!(
            "INSERT INTO screening_items (review_id, stage, record_id, state, needed, votes, created_at) \
             SELECT {review_id}, 'full_text', {record}, 'awaiting_file', {}, 0, {now} \
             WHERE {gate} AND NOT EXISTS (SELECT 1 FROM screening_items x WHERE x.record_id = {record} AND x.stage = 'full_text')",
            p.add(needed),
            record = p.add(w.item.record_id),
        )
    });
    let e = &w.event;
    let event = format!(
        "INSERT INTO audit_events (review_id, actor_id, at, action, entity, entity_id, before, after) \
         SELECT {}, {}, {now}, {}, {}, {}, {}, {} WHERE {gate}",
        p.add(e.review_id),
        p.add(e.actor_id),
        p.add(e.action),
        p.add(e.entity),
        p.add(e.entity_id.clone()),
        p.add(e.before.as_ref().map(|v| v.to_string())),
        p.add(e.after.as_ref().map(|v| v.to_string())),
    );
    Parts { update, cast, release, full_text, event, reviewer, now }
}

/// ` AND` the condition that the write's remembered access still stands, or nothing.
fn access_condition(p: &mut Params, w: &VoteWrite) -> String {
    w.access.as_ref().map(|g| format!(" AND {}", crate::reviews::access_gate_sql(p, g))).unwrap_or_default()
}

/// One statement: the parts as data-modifying `WITH` queries, gated on the item update's row; with
/// `pick` (and the fresh frontier), a pick's parts after them, gated the same way, which leave out the
/// item just voted on (the statement's snapshot does not see the vote).
async fn write_vote_postgres(store: &Store, w: &VoteWrite, pick: Option<(&super::Ask, i32)>) -> Result<Option<WriteOutcome>, StoreError> {
    let mut params = Params::default();
    // `chk` locks the item at the version read (or finds nothing), so that the reservation is released
    // only by a vote that will be written; `upd` then counts what `rel` released.
    let release = Release { gate: "EXISTS (SELECT 1 FROM chk)", released: Some("SELECT COUNT(*) FROM rel") };
    let Parts { update, cast, release, full_text, event, reviewer, now } = parts(&mut params, w, "EXISTS (SELECT 1 FROM upd)", release);
    let (item_id, version) = (params.add(w.item.id), params.add(w.item.version));
    let access = access_condition(&mut params, w);
    let mut sql =
        format!("WITH chk AS (SELECT id FROM screening_items WHERE id = {item_id} AND version = {version}{access} FOR NO KEY UPDATE)");
    if let Some(r) = release {
        sql.push_str(&format!(", rel AS ({r} RETURNING 1)"));
    }
    sql.push_str(&format!(", upd AS ({update} RETURNING *), cast_vote AS ({cast} RETURNING *), ev AS ({event})"));
    if let Some(ft) = full_text {
        sql.push_str(&format!(", ft AS ({ft})"));
    }
    // How many of the items the caller will show next are still reserved for the reviewer (one probe
    // each of the reservations' primary key), when it names any.
    let held = if w.still_held.is_empty() {
        String::new()
    } else {
        let ids: Vec<String> = w.still_held.iter().map(|id| params.add(*id)).collect();
        sql.push_str(&format!(
            ", held AS (SELECT COUNT(*) AS n FROM reservations WHERE item_id IN ({}) AND reviewer_id = {reviewer} AND expires_at > {now})",
            ids.join(", ")
        ));
        ", (SELECT n FROM held) AS held_n".to_owned()
    };
    let picked = match pick {
        Some((ask, frontier)) => {
            let also = format!("EXISTS (SELECT 1 FROM upd) AND i.id <> {}", params.add(w.item.id));
            let ctes = route::pick_ctes(&mut params, ask, route::Fresh::Untouched { from: frontier }, true, Some(&also));
            sql.push_str(&format!(", {ctes}"));
            format!(" LEFT JOIN (SELECT {} FROM {}) p ON true", route::picked_columns("p_"), route::picked_from())
        }
        None => String::new(),
    };
    sql.push_str(&format!(
        " SELECT {}, {}{held}{} FROM upd CROSS JOIN cast_vote{picked}",
        columns::<screening_items::Entity>("upd", "i_"),
        columns::<votes::Entity>("cast_vote", "v_"),
        if pick.is_some() { ", p.*" } else { "" },
    ));
    let rows = store.db.query_all_raw(stmt(DbBackend::Postgres, &sql, params.0)).await?;
    let Some(row) = rows.first() else { return Ok(None) };
    let item = screening_items::Model::from_query_result(row, "i_")?;
    let next = if pick.is_some() { route::read_picked(Backend::Postgres, &rows, "p_")? } else { Vec::new() };
    let held = w.still_held.is_empty() || all_held(&w.still_held, row.try_get::<i64>("", "held_n")?);
    Ok(Some(((item, votes::Model::from_query_result(row, "v_")?), next, held)))
}

/// One script, sent to SQLite at once (one round trip to its thread instead of one per statement),
/// inside the writer's transaction: the parts under a savepoint of their own, gated on a row in a
/// temporary table that is there only when the item's version is the one read.
async fn write_vote_sqlite(db: &sea_orm::DatabaseTransaction, w: &VoteWrite) -> Result<Option<(Item, VoteRow)>, StoreError> {
    let mut params = Params::default();
    let gate = "EXISTS (SELECT 1 FROM temp.vote_gate)";
    let Parts { update, cast, release, full_text, event, .. } = parts(&mut params, w, gate, Release { gate, released: None });
    let (item_id, version) = (params.add(w.item.id), params.add(w.item.version));
    let access = access_condition(&mut params, w);
    let mut script = vec![
        "SAVEPOINT vote".to_owned(),
        "DELETE FROM temp.vote_gate".to_owned(),
        format!("INSERT INTO temp.vote_gate SELECT 1 FROM screening_items WHERE id = {item_id} AND version = {version}{access}"),
    ];
    // Released first, so that the item row returned below counts reservations as they now stand.
    script.extend(release);
    script.push(format!("{update} RETURNING 'item' AS row_kind, *"));
    script.push(format!("{cast} RETURNING 'vote' AS row_kind, *"));
    script.extend(full_text);
    script.push(event);
    script.push("RELEASE vote".to_owned());
    let sql = script.join(";\n");
    let mut res = db.query_all_raw(super::sqlite_script(&sql, &params.0)).await;
    if let Err(e) = &res
        && e.to_string().contains("no such table: temp.vote_gate")
    {
        // A connection new to the writer: make its gate (a temporary table lives as long as its
        // connection) and run the script again.
        let _ = db.execute_unprepared("ROLLBACK TO vote; RELEASE vote").await;
        db.execute_unprepared("CREATE TEMP TABLE IF NOT EXISTS vote_gate (ok INTEGER)").await?;
        res = db.query_all_raw(super::sqlite_script(&sql, &params.0)).await;
    }
    let rows = match res {
        Ok(rows) => rows,
        Err(e) => {
            // The script stopped partway: undo what it did, leaving the writer's transaction as it was.
            let _ = db.execute_unprepared("ROLLBACK TO vote; RELEASE vote").await;
            return Err(e.into());
        }
    };
    let (mut item, mut vote) = (None, None);
    for row in &rows {
        match row.try_get::<String>("", "row_kind")?.as_str() {
            "item" => item = Some(screening_items::Model::from_query_result(row, "")?),
            _ => vote = Some(votes::Model::from_query_result(row, "")?),
        }
    }
    Ok(item.zip(vote))
}
