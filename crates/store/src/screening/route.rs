//! Routing: which items a reviewer is handed next, and the reservations that keep an item from going
//! to more reviewers than it needs.
//!
//! An item's `reserved` column counts its reservation rows, so the capacity rule `votes + reserved <
//! needed` is a condition on the item's own row. On SQLite triggers on `reservations` keep the count;
//! on PostgreSQL every statement that adds or removes reservations changes it too, in the same
//! statement (the pick, the vote, [`sweep`], [`reserve`], [`release`]). [`pick`] checks and
//! takes capacity in one statement: on SQLite on the writer thread (SQLite runs one writing statement
//! at a time); on PostgreSQL with the candidate rows locked (`FOR NO KEY UPDATE SKIP LOCKED`), where a
//! row another transaction changed meanwhile is checked again against its new version. No review-wide
//! lock is taken.
//!
//! A reservation counts until it is cleared: reservations whose time has run out are deleted at most
//! once a minute per process, and whenever the queue comes up short.
//!
//! On PostgreSQL every vote leaves a dead entry at the head of `idx_items_fresh` (an updated row keeps
//! its old index entries until vacuum), so a scan from the first id would step over thousands of them.
//! Each process remembers where it last found fresh items (the frontier) and starts there; a sweep,
//! or a scan that comes up short, starts from the beginning again.

use std::sync::atomic::Ordering;

use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter};

use sea_orm::FromQueryResult;

use super::{Item, Params, VoteRow, stmt};
use crate::entity::{reservations, screening_items, votes};
use crate::records::Record;
use crate::{Store, StoreError};

/// How often a process clears expired reservations while the queue is full.
const SWEEP_EVERY_MS: i64 = 60_000;

/// What `next` asks routing for.
#[derive(Clone, Debug)]
pub struct Ask {
    pub review_id: i32,
    pub stage: String,
    pub reviewer: i32,
    /// How many items (prefetching asks for several).
    pub count: u64,
    pub now: i64,
    /// Until when the items are held for the reviewer.
    pub expires_at: i64,
    /// The highest item id that may be handed out (the pilot set's last item), or `i32::MAX`.
    pub max_item_id: i32,
    /// The reviewer's pair and the number of pairs, when the stage routes records to fixed pairs.
    pub pair: Option<(i32, i32)>,
    /// Up to this many records more to reserve, after the `count` asked for, while the stage has
    /// plenty of records nobody holds (an untouched one [`PLENTY`] places past the fresh frontier),
    /// so that a caller can hand them out later without picking again. PostgreSQL only; SQLite, whose
    /// writer thread picks in microseconds, reserves `count`.
    pub ahead: u64,
    /// Whether records the reviewer holds already are candidates (handed again, their reservations
    /// renewed), as for `next`. A top-up of what a reviewer holds (`false`) asks for new records only,
    /// so it never touches a record the reviewer may be voting on at that moment.
    pub renew: bool,
}

/// How far past the fresh frontier an untouched record must be for a pick to reserve [`Ask::ahead`]
/// more: further than a large team holds ahead between them, so that what one reviewer holds ahead
/// never leaves another with nothing. Near a stage's end, picks reserve what is asked for.
pub const PLENTY: u64 = 500;

/// An item routing handed a reviewer, as it stood when picked: the item (whose `reserved` may not
/// count this pick yet), its record for showing (without `original`, see [`super::record_columns`])
/// and its votes, oldest first (what a vote on it is decided from, with the stage's settings).
#[derive(Clone, Debug)]
pub struct Handed {
    pub item: Item,
    pub record: Record,
    pub votes: Vec<VoteRow>,
    /// The names of the reviewers of `votes`.
    pub names: super::VoterNames,
}

/// Reserves up to `ask.count` items for the reviewer until `ask.expires_at` and returns them.
///
/// Never an item they judged; first items that already have votes and room for another (so pairs
/// complete), then items they hold already (their reservation renewed; not with [`Ask::renew`] false),
/// then fresh items in id order.
/// Never more reviewers (votes plus reservations) than an item needs.
///
/// Those with votes come first, then the rest in id order.
pub async fn pick(store: &Store, ask: &Ask) -> Result<Vec<Handed>, StoreError> {
    let ids = pick_ids(store, ask, Vec::new()).await?;
    shown(store, ask, ids).await
}

/// [`pick`]'s ids: `first` is what a pick made with a vote got (see `ballot::write_vote_and_pick`),
/// or nothing.
pub(super) async fn pick_ids(store: &Store, ask: &Ask, first: Vec<Picked>) -> Result<Vec<Picked>, StoreError> {
    let want = usize::try_from(ask.count).unwrap_or(usize::MAX);
    let mut ids = first;
    if ids.is_empty() {
        let last = store.last_sweep.load(Ordering::Relaxed);
        if ask.now - last >= SWEEP_EVERY_MS {
            sweep(store, ask.now).await?;
        }
        // Fresh items go to one reviewer at a time while there are enough, so that two reviewers
        // seldom vote on one record at the same moment; its second reviewer gets it once it has a vote.
        ids = pick_once(store, ask, Fresh::Untouched { from: frontier(store, ask) }, true).await?;
    }
    if ids.len() < want {
        ids = pick_once(store, ask, Fresh::Shared, true).await?;
    }
    if ids.len() < want && sweep(store, ask.now).await? > 0 {
        ids = pick_once(store, ask, Fresh::Shared, true).await?;
    }
    if ids.is_empty() && store.backend == crate::Backend::Postgres {
        // Rows that other transactions held were skipped; before answering "nothing left", wait for
        // them and look again.
        ids = pick_once(store, ask, Fresh::Shared, false).await?;
    }
    remember(store, ask, &ids);
    Ok(ids)
}

/// The items picked, with their records, in the order [`pick`] promises.
pub(super) async fn shown(store: &Store, ask: &Ask, ids: Vec<Picked>) -> Result<Vec<Handed>, StoreError> {
    let mut items = if store.backend == crate::Backend::Postgres {
        ids.into_iter().filter_map(|p| p.shown).collect()
    } else {
        // SQLite's writer returns ids alone; the rows are read on the pool, beside other writes.
        let ids: Vec<i32> = ids.iter().map(|p| p.item_id).collect();
        super::handed(&store.db, ask.review_id, &ids).await?
    };
    items.sort_by_key(|h| (h.item.votes == 0, h.item.id));
    Ok(items)
}

fn frontier_key(ask: &Ask) -> (i32, String, i32) {
    (ask.review_id, ask.stage.clone(), ask.pair.map_or(0, |(idx, _)| idx))
}

/// Where this process last found fresh items for this review, stage and pair.
pub(super) fn frontier(store: &Store, ask: &Ask) -> i32 {
    store.fresh_frontier.lock().map(|f| f.get(&frontier_key(ask)).copied().unwrap_or(0)).unwrap_or(0)
}

/// Moves the frontier to the first fresh item a pick took.
pub(super) fn remember(store: &Store, ask: &Ask, ids: &[Picked]) {
    if let Some(first_fresh) = ids.iter().filter(|p| p.fresh).map(|p| p.item_id).min()
        && let Ok(mut f) = store.fresh_frontier.lock()
    {
        f.insert(frontier_key(ask), first_fresh);
    }
}

/// An item a pick reserved.
pub(super) struct Picked {
    item_id: i32,
    /// It was a fresh item (PostgreSQL only, which keeps a frontier).
    fresh: bool,
    /// The item with its record and votes (PostgreSQL returns them with the pick).
    shown: Option<Handed>,
}

/// Which items without votes a pick may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fresh {
    /// Only those nobody holds, from this id on (the frontier).
    Untouched { from: i32 },
    /// Also those another reviewer holds, while they need more reviewers.
    Shared,
}

/// One pick.
async fn pick_once(store: &Store, ask: &Ask, fresh: Fresh, skip_locked: bool) -> Result<Vec<Picked>, StoreError> {
    let backend = store.backend;
    let mut p = Params::default();
    let sql = match backend {
        crate::Backend::Postgres => {
            let ctes = pick_ctes(&mut p, ask, fresh, skip_locked, None);
            format!("WITH {ctes} SELECT {} FROM {}", picked_columns(""), picked_from())
        }
        crate::Backend::Sqlite => pick_sqlite(&mut p, ask, fresh),
    };
    let rows = store.write_query(stmt(db_backend(backend), &sql, p.0)).await?;
    read_picked(backend, &rows, "")
}

/// The items in rows of [`picked_from`] (with [`picked_columns`]: one row per vote on an item, or one
/// for an item without votes), or of SQLite's pick (item ids). Rows without an item are skipped.
pub(super) fn read_picked(backend: crate::Backend, rows: &[sea_orm::QueryResult], prefix: &str) -> Result<Vec<Picked>, StoreError> {
    let mut out: Vec<Picked> = Vec::new();
    for r in rows {
        let Some(item_id) = r.try_get::<Option<i32>>(prefix, "item_id")? else { continue };
        let at = match out.iter().position(|p| p.item_id == item_id) {
            Some(at) => at,
            None => {
                let shown = match backend {
                    crate::Backend::Postgres => Some(Handed {
                        item: Item::from_query_result(r, &format!("{prefix}i_"))?,
                        record: crate::entity::records::Model::from_query_result(r, &format!("{prefix}r_"))?,
                        votes: Vec::new(),
                        names: super::VoterNames::new(),
                    }),
                    crate::Backend::Sqlite => None,
                };
                let fresh = backend == crate::Backend::Postgres && r.try_get::<i32>(prefix, "k")? == 2;
                out.push(Picked { item_id, fresh, shown });
                out.len() - 1
            }
        };
        if let Some(h) = out[at].shown.as_mut() {
            super::add_joined_vote(&mut h.votes, &mut h.names, r, &format!("{prefix}v_"))?;
        }
    }
    for p in &mut out {
        if let Some(h) = p.shown.as_mut() {
            h.votes.sort_by_key(|v| v.id);
        }
    }
    Ok(out)
}

fn db_backend(b: crate::Backend) -> DbBackend {
    match b {
        crate::Backend::Sqlite => DbBackend::Sqlite,
        crate::Backend::Postgres => DbBackend::Postgres,
    }
}

/// What a PostgreSQL pick's `ins` and `c` parts join to: the reserved items with their records and
/// votes (a row per vote) and the votes' reviewers.
pub(super) fn picked_from() -> String {
    let (voters, _) = super::voter_join("pv", "pu", "");
    format!(
        "ins JOIN c ON c.id = ins.item_id JOIN screening_items i ON i.id = ins.item_id \
         JOIN records r ON r.id = i.record_id LEFT JOIN votes pv ON pv.item_id = i.id{voters}"
    )
}

/// The columns a PostgreSQL pick returns from [`picked_from`], named with `prefix`.
pub(super) fn picked_columns(prefix: &str) -> String {
    let votes = format!("{prefix}v_");
    let (_, voter) = super::voter_join("pv", "pu", &votes);
    format!(
        "ins.item_id AS \"{prefix}item_id\", c.k AS \"{prefix}k\", {}, {}, {}{voter}",
        super::columns::<screening_items::Entity>("i", &format!("{prefix}i_")),
        super::record_columns("r", &format!("{prefix}r_")),
        super::columns::<votes::Entity>("pv", &votes),
    )
}

/// The candidates of a pick (a `UNION ALL` of `(id, k)`: 0 for records with votes waiting for another,
/// 1 for records the reviewer holds, unless [`Ask::renew`] is false, 2 for fresh ones), with their parameters added to `p`. The
/// conditions `votes > 0 AND needed > votes AND needed > votes + reserved` and `votes = 0 AND reserved =
/// 0` repeat the partial indexes' own terms (`idx_items_waiting`, `idx_items_fresh`), which a database
/// needs to use them: SQLite's indexes read `reserved`, PostgreSQL's do not (migration 17, so that a
/// reservation is a heap-only update) and leave it to be checked on the row. `count` is written into
/// the SQL: SQLite prepares a statement again whenever a parameter its `LIMIT` reads is bound anew. `also`, when given, is one more condition on every candidate `i`.
fn candidates(p: &mut Params, backend: crate::Backend, ask: &Ask, fresh: Fresh, skip_locked: bool, also: Option<&str>) -> String {
    let count = ask.count.clamp(1, 100) + ahead_of(backend, ask, fresh);
    let lock = match (backend, skip_locked) {
        (crate::Backend::Postgres, true) => " FOR NO KEY UPDATE OF i SKIP LOCKED",
        (crate::Backend::Postgres, false) => " FOR NO KEY UPDATE OF i",
        (crate::Backend::Sqlite, _) => "",
    };
    let reviewer = p.add(ask.reviewer);
    let scope = scope(p, ask, also);
    // On PostgreSQL, `OFFSET 0` keeps each check a probe of the (item, reviewer) index for the row at
    // hand: as an anti-join, a plan made while the review had few votes reads all of a reviewer's votes
    // for every candidate.
    let probe = match backend {
        crate::Backend::Postgres => " OFFSET 0",
        crate::Backend::Sqlite => "",
    };
    let not_judged = format!("NOT EXISTS (SELECT 1 FROM votes v WHERE v.item_id = i.id AND v.reviewer_id = {reviewer}{probe})");
    let not_held = format!("NOT EXISTS (SELECT 1 FROM reservations h WHERE h.item_id = i.id AND h.reviewer_id = {reviewer}{probe})");
    // SQLite is told which index to use: without statistics it would rather walk `idx_items_queue`.
    let indexed_by = |index: &str| match backend {
        crate::Backend::Sqlite => format!(" INDEXED BY {index}"),
        crate::Backend::Postgres => String::new(),
    };
    let (waiting_index, fresh_index) = (indexed_by("idx_items_waiting"), indexed_by("idx_items_fresh"));
    let held = if ask.renew {
        format!(
            " UNION ALL \
             SELECT m.id, 1 AS k FROM (SELECT i.id FROM reservations r CROSS JOIN screening_items i \
               WHERE i.id = r.item_id AND r.reviewer_id = {reviewer} AND {scope} AND {not_judged} \
               ORDER BY i.id LIMIT {count}) m"
        )
    } else {
        String::new()
    };
    let fresh = match fresh {
        Fresh::Untouched { from } => {
            format!("screening_items i{fresh_index} WHERE {scope} AND {UNTOUCHED} AND i.id >= {}", p.add(from))
        }
        Fresh::Shared => format!("screening_items i WHERE {scope} AND i.votes = 0 AND i.needed > i.reserved AND {not_held}"),
    };
    format!(
        "SELECT w.id, 0 AS k FROM (SELECT i.id FROM screening_items i{waiting_index} \
           WHERE {scope} AND i.votes > 0 AND i.needed > i.votes AND i.needed > i.votes + i.reserved AND {not_judged} AND {not_held} \
           ORDER BY i.id LIMIT {count}{lock}) w{held} \
         UNION ALL \
         SELECT f.id, 2 AS k FROM (SELECT i.id FROM {fresh} \
           ORDER BY i.id LIMIT {count}{lock}) f"
    )
}

/// How many records more than `count` a pick of this kind may reserve: [`Ask::ahead`] for
/// PostgreSQL's pick of untouched records, else none.
fn ahead_of(backend: crate::Backend, ask: &Ask, fresh: Fresh) -> u64 {
    match (backend, fresh) {
        (crate::Backend::Postgres, Fresh::Untouched { .. }) => ask.ahead.min(20),
        _ => 0,
    }
}

/// The conditions every candidate `i` of a pick meets (review, stage, open, pilot bound, pair, and
/// `also`), with their parameters added to `p`.
fn scope(p: &mut Params, ask: &Ask, also: Option<&str>) -> String {
    let (pair_idx, n_pairs) = ask.pair.unwrap_or((0, 1));
    let also = also.map(|a| format!(" AND {a}")).unwrap_or_default();
    format!(
        "i.review_id = {} AND i.stage = {} AND i.state = 'open' AND i.id <= {} AND i.id % {} = {}{also}",
        p.add(ask.review_id),
        p.add(ask.stage.clone()),
        p.add(ask.max_item_id),
        p.add(n_pairs),
        p.add(pair_idx),
    )
}

/// A candidate `i` nobody voted on or holds: the fresh pick's condition, and the plenty probe's.
const UNTOUCHED: &str = "i.votes = 0 AND i.reserved = 0";

const UPSERT: &str = "ON CONFLICT (item_id, reviewer_id) DO UPDATE SET expires_at = excluded.expires_at RETURNING item_id";

/// A PostgreSQL pick as `WITH` parts: `c` (the candidates, see [`candidates`]), `chosen` (those
/// taken) and `ins` (the reservations taken: `renewed` ones the reviewer held, `added` new ones), to
/// end a statement with `SELECT ... FROM` [`picked_from`]. `also` is one more condition on every
/// candidate. A last part, `counted`, adds each new reservation (`xmax = 0` marks a row the upsert
/// inserted) to its item's `reserved`.
pub(super) fn pick_ctes(p: &mut Params, ask: &Ask, fresh: Fresh, skip_locked: bool, also: Option<&str>) -> String {
    let c = candidates(p, crate::Backend::Postgres, ask, fresh, skip_locked, also);
    let (reviewer, expires) = (p.add(ask.reviewer), p.add(ask.expires_at));
    let count = ask.count.clamp(1, 100);
    let limit = match (ahead_of(crate::Backend::Postgres, ask, fresh), fresh) {
        (ahead, Fresh::Untouched { from }) if ahead > 0 => {
            // An untouched record PLENTY of the reviewer's places past the frontier (ids step by the
            // number of pairs): one probe of the primary key in id order, as the fresh candidates' own.
            // Items are made a stage at a time, so everything between is (nearly all) untouched too.
            let n_pairs = ask.pair.map_or(1, |(_, n)| n.max(1));
            let past = i64::from(from) + i64::try_from(PLENTY).unwrap_or(i64::MAX) * i64::from(n_pairs);
            let scope = scope(p, ask, also);
            format!(
                "{count} + CASE WHEN EXISTS (SELECT 1 FROM screening_items i WHERE {scope} AND {UNTOUCHED} AND i.id >= {} \
                 ORDER BY i.id LIMIT 1) THEN {ahead} ELSE 0 END",
                p.add(i32::try_from(past).unwrap_or(i32::MAX)),
            )
        }
        _ => count.to_string(),
    };
    // A record the reviewer holds is renewed by an update of its reservation, never an insert: a vote
    // on it in flight deletes that reservation, and an update waits for the vote and then finds
    // nothing to renew, where an upsert would insert the reservation again, for a record its reviewer
    // has judged (held from everyone else until it ran out).
    format!(
        "c AS ({c}), chosen AS (SELECT c.id, c.k FROM c ORDER BY c.k, c.id LIMIT {limit}), \
         renewed AS (UPDATE reservations r SET expires_at = {expires} FROM chosen \
           WHERE chosen.k = 1 AND r.item_id = chosen.id AND r.reviewer_id = {reviewer} RETURNING r.item_id), \
         added AS (INSERT INTO reservations (item_id, reviewer_id, expires_at) \
           SELECT chosen.id, {reviewer}, {expires} FROM chosen WHERE chosen.k <> 1 ORDER BY chosen.id \
           ON CONFLICT (item_id, reviewer_id) DO UPDATE SET expires_at = excluded.expires_at RETURNING item_id, (xmax = 0) AS inserted), \
         ins AS (SELECT item_id FROM renewed UNION ALL SELECT item_id FROM added), \
         counted AS (UPDATE screening_items SET reserved = reserved + 1 WHERE id IN (SELECT item_id FROM added WHERE inserted))"
    )
}

/// SQLite's pick: one `INSERT ... SELECT ... RETURNING item_id`.
pub(super) fn pick_sqlite(p: &mut Params, ask: &Ask, fresh: Fresh) -> String {
    let c = candidates(p, crate::Backend::Sqlite, ask, fresh, false, None);
    let (reviewer, expires) = (p.add(ask.reviewer), p.add(ask.expires_at));
    let count = ask.count.clamp(1, 100);
    format!(
        "INSERT INTO reservations (item_id, reviewer_id, expires_at) SELECT c.id, {reviewer}, {expires} FROM ({c}) c \
         WHERE true ORDER BY c.k, c.id LIMIT {count} {UPSERT}"
    )
}

/// Deletes reservations whose time has run out, freeing their places; returns how many.
pub async fn sweep(store: &Store, now: i64) -> Result<u64, StoreError> {
    store.last_sweep.store(now, Ordering::Relaxed);
    if let Ok(mut f) = store.fresh_frontier.lock() {
        f.clear();
    }
    match store.backend {
        crate::Backend::Sqlite => {
            store.write_exec(stmt(DbBackend::Sqlite, "DELETE FROM reservations WHERE expires_at <= $1", vec![now.into()])).await
        }
        crate::Backend::Postgres => {
            // Items first, then their reservations, the order votes and picks lock them in; what a vote
            // or pick holds right now is skipped, left for the next sweep (a sweep never waits).
            let sql = "WITH e AS (SELECT DISTINCT item_id FROM reservations WHERE expires_at <= $1), \
                       l AS (SELECT i.id FROM screening_items i WHERE i.id IN (SELECT item_id FROM e) ORDER BY i.id FOR NO KEY UPDATE SKIP LOCKED), \
                       x AS (SELECT item_id, reviewer_id FROM reservations WHERE expires_at <= $1 AND item_id IN (SELECT id FROM l) FOR UPDATE SKIP LOCKED), \
                       d AS (DELETE FROM reservations r USING x WHERE r.item_id = x.item_id AND r.reviewer_id = x.reviewer_id RETURNING r.item_id), \
                       n AS (SELECT item_id, COUNT(*) AS n FROM d GROUP BY item_id), \
                       u AS (UPDATE screening_items s SET reserved = s.reserved - n.n FROM n WHERE s.id = n.item_id) \
                       SELECT COUNT(*) AS n FROM d";
            let rows = store.db.query_all_raw(stmt(DbBackend::Postgres, sql, vec![now.into()])).await?;
            let n = rows.first().map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or(0);
            Ok(u64::try_from(n).unwrap_or(0))
        }
    }
}

/// Items of a review whose `reserved` count differs from their reservation rows, with both numbers
/// (item, count, rows): empty unless something changed reservations without keeping the count. For checks.
pub async fn reservation_drift(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<(i32, i32, i64)>, StoreError> {
    let sql = "SELECT i.id, i.reserved, (SELECT COUNT(*) FROM reservations r WHERE r.item_id = i.id) AS n FROM screening_items i \
               WHERE i.review_id = $1 AND i.reserved <> (SELECT COUNT(*) FROM reservations r WHERE r.item_id = i.id) ORDER BY i.id";
    let rows = db.query_all_raw(stmt(db.get_database_backend(), sql, vec![review_id.into()])).await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<i32>("", "id")?, r.try_get::<i32>("", "reserved")?, r.try_get::<i64>("", "n")?)))
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()
        .map_err(StoreError::from)
}

/// Items the reviewer holds a reservation on that has not run out, and has not judged, oldest
/// reservation first.
pub async fn my_reservations(
    db: &impl ConnectionTrait,
    review_id: i32,
    stage: &str,
    reviewer: i32,
    now: i64,
) -> Result<Vec<Item>, StoreError> {
    let b = db.get_database_backend();
    // Driven from the reviewer's few reservations (SQLite keeps the CROSS JOIN order).
    let sql = "SELECT i.* FROM reservations r CROSS JOIN screening_items i \
               WHERE i.id = r.item_id AND i.review_id = $1 AND i.stage = $2 AND r.reviewer_id = $3 AND r.expires_at > $4 AND i.state = 'open' \
               AND NOT EXISTS (SELECT 1 FROM votes v WHERE v.item_id = i.id AND v.reviewer_id = $3) \
               ORDER BY r.expires_at DESC, i.id";
    Ok(screening_items::Entity::find()
        .from_raw_sql(stmt(b, sql, vec![review_id.into(), stage.into(), reviewer.into(), now.into()]))
        .all(db)
        .await?)
}

/// Holds an item for the reviewer until `expires_at` (a new reservation, or the old one extended).
pub async fn reserve(db: &impl ConnectionTrait, item_id: i32, reviewer: i32, expires_at: i64) -> Result<(), StoreError> {
    let b = db.get_database_backend();
    let upsert = "INSERT INTO reservations (item_id, reviewer_id, expires_at) VALUES ($1, $2, $3) \
                  ON CONFLICT (item_id, reviewer_id) DO UPDATE SET expires_at = excluded.expires_at";
    // PostgreSQL counts a new reservation here (`xmax = 0`: inserted, not renewed); SQLite's trigger does.
    let sql = match b {
        DbBackend::Postgres => format!(
            "WITH ins AS ({upsert} RETURNING (xmax = 0) AS inserted) \
             UPDATE screening_items SET reserved = reserved + 1 WHERE id = $1 AND EXISTS (SELECT 1 FROM ins WHERE inserted)"
        ),
        _ => upsert.to_owned(),
    };
    db.execute_raw(stmt(b, &sql, vec![item_id.into(), reviewer.into(), expires_at.into()])).await?;
    Ok(())
}

/// Gives up the reviewer's reservation of an item, if any.
pub async fn release(db: &impl ConnectionTrait, item_id: i32, reviewer: i32) -> Result<(), StoreError> {
    if db.get_database_backend() == DbBackend::Postgres {
        // PostgreSQL takes the reservation off the count here; SQLite's trigger does.
        let sql = "WITH d AS (DELETE FROM reservations WHERE item_id = $1 AND reviewer_id = $2 RETURNING 1) \
                   UPDATE screening_items SET reserved = reserved - (SELECT COUNT(*) FROM d) WHERE id = $1 AND EXISTS (SELECT 1 FROM d)";
        db.execute_raw(stmt(DbBackend::Postgres, sql, vec![item_id.into(), reviewer.into()])).await?;
        return Ok(());
    }
    reservations::Entity::delete_many()
        .filter(reservations::Column::ItemId.eq(item_id))
        .filter(reservations::Column::ReviewerId.eq(reviewer))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// SQLite's plans for every form of the pick, as `EXPLAIN QUERY PLAN` details.
    async fn plans(store: &Store) -> Vec<(Fresh, Vec<String>)> {
        let mut out = Vec::new();
        let ask = Ask {
            review_id: 1,
            stage: "title_abstract".into(),
            reviewer: 1,
            count: 1,
            now: 0,
            expires_at: 0,
            max_item_id: i32::MAX,
            pair: None,
            ahead: 0,
            renew: true,
        };
        for fresh in [Fresh::Untouched { from: 0 }, Fresh::Shared] {
            let mut p = Params::default();
            let sql = format!("EXPLAIN QUERY PLAN {}", pick_sqlite(&mut p, &ask, fresh));
            let rows = store.db.query_all_raw(stmt(DbBackend::Sqlite, &sql, p.0)).await.expect("explain");
            out.push((fresh, rows.iter().map(|r| r.try_get::<String>("", "detail").expect("detail")).collect()));
        }
        out
    }

    /// Routing must reach its candidates through the partial indexes: a full scan of the stage's items
    /// on every `next` is what made screening slow at 50,000 records.
    #[tokio::test]
    async fn sqlite_picks_through_the_routing_indexes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = crate::connect(&format!("sqlite://{}", dir.path().join("plan.db").display())).await.expect("connect");
        store.migrate().await.expect("migrate");
        for (fresh, details) in plans(&store).await {
            let plan = details.join("\n");
            assert!(plan.contains("USING INDEX idx_items_waiting"), "{fresh:?}: records with a vote are not found by index:\n{plan}");
            assert!(!details.iter().any(|d| d == "SCAN i"), "{fresh:?}: a pick scans every item:\n{plan}");
            if fresh != Fresh::Shared {
                assert!(plan.contains("USING INDEX idx_items_fresh"), "{fresh:?}: fresh records are not found by index:\n{plan}");
            }
        }
    }
}
