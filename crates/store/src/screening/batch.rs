//! Plain votes written together on PostgreSQL (group commit): the votes that wait at one moment go
//! to the database as one statement with one commit, instead of a statement and a commit each.
//!
//! [`Batcher::write`] queues a vote; while fewer than [`LANES`] statements are in flight, it starts a
//! runner (a task), which takes what is queued, at most one vote per item and [`MAX_BATCH`] in all,
//! writes it and goes on while votes are waiting. A vote that waits alone is written by the one-vote
//! statement of [`super::ballot`], so an unhurried server runs exactly the statements it ran before;
//! under load, the votes that arrive while a batch is in the database share the next one.
//!
//! [`write_votes`] is the batch's statement: the votes as rows of one JSON parameter, each with the
//! item version it was decided from and the caller's remembered access, checked per row as the one-vote
//! statement checks them. A vote whose item moved (or whose access no longer stands) is left out and
//! reported as not written, exactly as alone; the others are written all the same.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};
use tokio::sync::oneshot;

use super::ballot::{VoteWrite, Written};
use super::{columns, stmt};
use crate::entity::{screening_items, votes};
use crate::{Backend, Store, StoreError};

/// How many vote statements of this process may be in the database at once before the next vote
/// waits to be written with others: the PostgreSQL pool's size, so that a vote waits here only when
/// it would otherwise wait for a connection. Below it, every vote has a statement of its own, as
/// before there was batching (fewer lanes made the open loop's tail longer in the load bench, see
/// BENCHMARKS.md, "Screening under load").
pub const LANES: usize = crate::POSTGRES_POOL as usize;

/// The most votes one statement writes.
pub const MAX_BATCH: usize = 64;

/// The queue of plain votes waiting to be written, and the runners writing them.
#[derive(Debug, Default)]
pub(crate) struct Batcher {
    state: Mutex<Queue>,
    /// How many statements wrote more than one vote, and how many votes they wrote.
    batches: AtomicU64,
    batched: AtomicU64,
}

#[derive(Debug, Default)]
struct Queue {
    waiting: VecDeque<Pending>,
    running: usize,
}

#[derive(Debug)]
struct Pending {
    write: VoteWrite,
    reply: oneshot::Sender<Result<Option<Written>, StoreError>>,
}

impl Batcher {
    /// Writes a vote with whichever others wait at the same moment; the result is the vote's own, as
    /// [`super::write_vote`] gives it.
    pub(crate) async fn write(store: &Store, write: VoteWrite) -> Result<Option<Written>, StoreError> {
        let batcher = store.vote_batcher.clone();
        let (reply, answer) = oneshot::channel();
        let start = {
            let mut q = batcher.lock();
            q.waiting.push_back(Pending { write, reply });
            let start = q.running < LANES;
            if start {
                q.running += 1;
            }
            start
        };
        if start {
            // A task of its own, so that a caller who goes away (a closed connection drops its
            // request) does not take the other votes of its batch with it.
            tokio::spawn(run(store.clone(), batcher));
        }
        answer.await.map_err(|_| {
            StoreError::Stopped(
                "the server stopped writing votes before this one was confirmed; reload the record to see whether it was saved".into(),
            )
        })?
    }

    /// How many statements have written more than one vote, and how many votes those wrote.
    pub(crate) fn counts(&self) -> (u64, u64) {
        (self.batches.load(Ordering::Relaxed), self.batched.load(Ordering::Relaxed))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        // A runner that panicked holds no lock while it runs statements, so the queue is whole.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The next batch: queued votes in order, one per item (a later vote on an item waits for the
    /// next batch, since it may be decided from what the earlier one changes). `None` when nothing
    /// waits: the runner is then counted out, under the same lock (a vote queued after that sees one
    /// runner fewer and starts its own).
    fn take(&self, running: &mut Running) -> Option<Vec<Pending>> {
        let mut q = self.lock();
        if q.waiting.is_empty() {
            q.running -= 1;
            running.counted_out = true;
            return None;
        }
        let mut items = HashSet::new();
        let mut batch = Vec::new();
        let mut left = VecDeque::new();
        while let Some(p) = q.waiting.pop_front() {
            if batch.len() < MAX_BATCH && items.insert(p.write.item.id) {
                batch.push(p);
            } else {
                left.push_back(p);
            }
        }
        q.waiting = left;
        Some(batch)
    }
}

/// Counts a runner out if it ends without [`Batcher::take`] doing so (a panic), so that the next vote
/// starts another.
struct Running {
    batcher: Arc<Batcher>,
    counted_out: bool,
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.counted_out {
            self.batcher.lock().running -= 1;
        }
    }
}

/// A runner: writes batches until nothing waits.
async fn run(store: Store, batcher: Arc<Batcher>) {
    let mut running = Running { batcher: batcher.clone(), counted_out: false };
    while let Some(mut batch) = batcher.take(&mut running) {
        if batch.len() == 1 {
            let Pending { write, reply } = batch.remove(0);
            let _ = reply.send(super::ballot::write_one(&store, write).await);
            continue;
        }
        let (writes, replies): (Vec<VoteWrite>, Vec<_>) = batch.into_iter().map(|p| (p.write, p.reply)).unzip();
        for (reply, result) in replies.into_iter().zip(write_together(&store, writes).await) {
            let _ = reply.send(result);
        }
    }
}

/// Votes on different items, written by one PostgreSQL statement and counted as written together; if
/// the statement fails, nothing of it was written, and each vote is written again alone, so that one
/// vote's fault (a reviewer or item that is gone, a deadlock with another server's batch) is its own.
async fn write_together(store: &Store, writes: Vec<VoteWrite>) -> Vec<Result<Option<Written>, StoreError>> {
    match write_votes_postgres(store, &writes.iter().collect::<Vec<_>>()).await {
        Ok(written) => {
            let batcher = &store.vote_batcher;
            batcher.batches.fetch_add(1, Ordering::Relaxed);
            let n = written.iter().filter(|w| w.is_some()).count();
            batcher.batched.fetch_add(u64::try_from(n).unwrap_or(u64::MAX), Ordering::Relaxed);
            written.into_iter().map(Ok).collect()
        }
        Err(e) => {
            tracing::warn!(error = %e, votes = writes.len(), "a batch of votes failed; writing them one by one");
            write_each(store, writes).await
        }
    }
}

/// Writes each vote by its own statement, in turn: the result for each.
async fn write_each(store: &Store, writes: Vec<VoteWrite>) -> Vec<Result<Option<Written>, StoreError>> {
    let mut out = Vec::with_capacity(writes.len());
    for w in writes {
        out.push(super::ballot::write_one(store, w).await);
    }
    out
}

/// Writes several votes, each on a different item, as [`super::write_vote`] writes one: the result
/// for each, in order (`Ok(None)` for one not written because its item moved or its access no longer
/// stands, an error for one that could not be written at all). On PostgreSQL one statement writes
/// them all, and if it fails each is written alone (see [`write_together`]); on SQLite, whose writer
/// thread already puts concurrent writes in one transaction, each is written in turn. The outer error
/// is a batch that names an item twice: nothing is written then.
pub async fn write_votes(store: &Store, writes: Vec<VoteWrite>) -> Result<Vec<Result<Option<Written>, StoreError>>, StoreError> {
    let mut items = HashSet::new();
    if !writes.iter().all(|w| items.insert(w.item.id)) {
        return Err(StoreError::Conflict("a batch of votes names an item twice; write the second vote after the first".into()));
    }
    Ok(match store.backend {
        Backend::Postgres => write_together(store, writes).await,
        Backend::Sqlite => write_each(store, writes).await,
    })
}

/// A vote as a row of the batch's JSON parameter (the columns of `b` in [`batch_sql`]).
#[derive(serde::Serialize)]
struct Row<'a> {
    idx: usize,
    item_id: i32,
    version: i32,
    review_id: i32,
    record_id: i32,
    reviewer: i32,
    now: i64,
    state: &'a str,
    decision: Option<&'a str>,
    reason: Option<&'a str>,
    decided_at: Option<i64>,
    votes: i32,
    existing_id: Option<i32>,
    vote: &'a str,
    vote_reason: Option<&'a str>,
    note: Option<&'a str>,
    tags: String,
    ft_needed: Option<i32>,
    ev_review_id: Option<i32>,
    actor_id: Option<i32>,
    action: &'a str,
    entity: &'a str,
    entity_id: &'a str,
    ev_before: Option<String>,
    ev_after: Option<String>,
    g_session: Option<&'a str>,
    g_user: Option<i32>,
    g_now: Option<i64>,
    g_key: Option<&'a str>,
    g_key_id: Option<i32>,
    g_review: Option<i32>,
    g_roles: Option<&'a [String]>,
    g_n: Option<i64>,
    held: Option<&'a [i32]>,
}

impl<'a> Row<'a> {
    fn of(idx: usize, w: &'a VoteWrite) -> Row<'a> {
        let (u, e, g) = (&w.update, &w.event, w.access.as_ref());
        Row {
            idx,
            item_id: w.item.id,
            version: w.item.version,
            review_id: w.item.review_id,
            record_id: w.item.record_id,
            reviewer: w.reviewer,
            now: w.now,
            state: &u.state,
            decision: u.decision.as_deref(),
            reason: u.reason.as_deref(),
            decided_at: u.decided_at,
            votes: u.votes.unwrap_or(w.item.votes),
            existing_id: w.existing.as_ref().map(|v| v.id),
            vote: &w.vote.vote,
            vote_reason: w.vote.reason.as_deref(),
            note: w.vote.note.as_deref(),
            tags: crate::json_list(&w.vote.tags),
            ft_needed: w.open_full_text,
            ev_review_id: e.review_id,
            actor_id: e.actor_id,
            action: e.action,
            entity: e.entity,
            entity_id: &e.entity_id,
            ev_before: e.before.as_ref().map(|v| v.to_string()),
            ev_after: e.after.as_ref().map(|v| v.to_string()),
            g_session: g.map(|g| g.session_id.as_str()),
            g_user: g.map(|g| g.user_id),
            g_now: g.map(|g| g.now),
            g_key: g.map(|g| g.key.as_str()),
            g_key_id: g.and_then(|g| g.key.parse().ok()),
            g_review: g.map(|g| g.review_id),
            g_roles: g.map(|g| g.roles.as_slice()),
            g_n: g.map(|g| i64::try_from(g.roles.len()).unwrap_or(i64::MAX)),
            held: (!w.still_held.is_empty()).then_some(w.still_held.as_slice()),
        }
    }
}

/// The batch's statement, the same text for every batch (so PostgreSQL plans it once per
/// connection): the parts of the one-vote statement (`ballot::write_vote_postgres`), each over all the
/// batch's rows.
fn batch_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let gate = crate::reviews::GateSql {
            session: "b.g_session",
            now: "b.g_now",
            user: "b.g_user",
            review: "b.g_review",
            key: "b.g_key",
            key_id: "b.g_key_id",
            enabled: "false",
            n: "b.g_n",
        }
        .condition("gm.role <> ALL (b.g_roles)");
        format!(
            "WITH b AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS b(\
               idx int, item_id int, version int, review_id int, record_id int, reviewer int, now int8, \
               state text, decision text, reason text, decided_at int8, votes int, \
               existing_id int, vote text, vote_reason text, note text, tags text, ft_needed int, \
               ev_review_id int, actor_id int, action text, entity text, entity_id text, ev_before text, ev_after text, \
               g_session text, g_user int, g_now int8, g_key text, g_key_id int, g_review int, g_roles text[], g_n int8, held int[])), \
             chk AS (SELECT b.idx FROM b JOIN screening_items i ON i.id = b.item_id AND i.version = b.version \
               WHERE b.g_session IS NULL OR (b.g_n > 0 AND {gate}) ORDER BY i.id FOR NO KEY UPDATE OF i), \
             rel AS (DELETE FROM reservations r USING b \
               WHERE r.item_id = b.item_id AND r.reviewer_id = b.reviewer AND b.existing_id IS NULL AND b.idx IN (SELECT idx FROM chk) \
               RETURNING b.idx), \
             upd AS (UPDATE screening_items i SET state = b.state, decision = b.decision, reason = b.reason, decided_at = b.decided_at, \
               votes = b.votes, version = i.version + 1, reserved = i.reserved - (SELECT COUNT(*) FROM rel WHERE rel.idx = b.idx) \
               FROM b WHERE i.id = b.item_id AND i.version = b.version AND b.idx IN (SELECT idx FROM chk) RETURNING b.idx AS b_idx, i.*), \
             ins AS (INSERT INTO votes (review_id, item_id, reviewer_id, vote, reason, note, tags, first_vote, first_reason, created_at, updated_at, protocol_version) \
               SELECT b.review_id, b.item_id, b.reviewer, b.vote, b.vote_reason, b.note, b.tags, b.vote, b.vote_reason, b.now, b.now, \
                 COALESCE((SELECT pr.version FROM protocols pr WHERE pr.review_id = b.review_id), 0) \
               FROM b JOIN upd ON upd.b_idx = b.idx WHERE b.existing_id IS NULL RETURNING *), \
             chg AS (UPDATE votes v SET vote = b.vote, reason = b.vote_reason, note = b.note, tags = b.tags, updated_at = b.now, \
                 protocol_version = COALESCE((SELECT pr.version FROM protocols pr WHERE pr.review_id = b.review_id), 0) \
               FROM b JOIN upd ON upd.b_idx = b.idx WHERE v.id = b.existing_id RETURNING v.*), \
             ft AS (INSERT INTO screening_items (review_id, stage, record_id, state, needed, votes, created_at) \
               SELECT b.review_id, 'full_text', b.record_id, 'awaiting_file', b.ft_needed, 0, b.now FROM b JOIN upd ON upd.b_idx = b.idx \
               WHERE b.ft_needed IS NOT NULL \
                 AND NOT EXISTS (SELECT 1 FROM screening_items x WHERE x.record_id = b.record_id AND x.stage = 'full_text')), \
             ev AS (INSERT INTO audit_events (review_id, actor_id, at, action, entity, entity_id, before, after) \
               SELECT b.ev_review_id, b.actor_id, b.now, b.action, b.entity, b.entity_id, b.ev_before, b.ev_after FROM b JOIN upd ON upd.b_idx = b.idx), \
             held AS MATERIALIZED (SELECT b.idx, (SELECT COUNT(*) FROM reservations r \
                 WHERE r.reviewer_id = b.reviewer AND r.item_id = ANY (b.held) AND r.expires_at > b.now) AS n \
               FROM b WHERE b.held IS NOT NULL) \
             SELECT upd.b_idx, {}, {}, COALESCE(held.n, 0) AS held_n \
             FROM upd JOIN (SELECT * FROM ins UNION ALL SELECT * FROM chg) cv ON cv.item_id = upd.id LEFT JOIN held ON held.idx = upd.b_idx",
            columns::<screening_items::Entity>("upd", "i_"),
            columns::<votes::Entity>("cv", "v_"),
        )
    })
}

async fn write_votes_postgres(store: &Store, writes: &[&VoteWrite]) -> Result<Vec<Option<Written>>, StoreError> {
    let rows: Vec<Row<'_>> = writes.iter().enumerate().map(|(i, w)| Row::of(i, w)).collect();
    let json = serde_json::to_string(&rows).map_err(|e| StoreError::Corrupt(format!("a batch of votes could not be encoded: {e}")))?;
    let result = store.db.query_all_raw(stmt(DbBackend::Postgres, batch_sql(), vec![json.into()])).await?;
    let mut out: Vec<Option<Written>> = vec![None; writes.len()];
    for row in &result {
        let idx = usize::try_from(row.try_get::<i32>("", "b_idx")?).unwrap_or(usize::MAX);
        let Some(w) = writes.get(idx) else { continue };
        let held_n = row.try_get::<i64>("", "held_n")?;
        out[idx] = Some(Written {
            item: screening_items::Model::from_query_result(row, "i_")?,
            vote: votes::Model::from_query_result(row, "v_")?,
            held: super::ballot::all_held(&w.still_held, held_n),
        });
    }
    Ok(out)
}
