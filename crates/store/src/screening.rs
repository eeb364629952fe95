//! Screening storage: the protocol, stage settings, screening items, votes, reservations, resolutions
//! and full-text files. The rules (what votes decide) live in the `review` crate; the caller applies
//! them. Routing (`route`) and votes (`ballot`) take no review-wide lock; the other changes to an
//! item run inside [`crate::Store::begin_locked`] and read the item with [`item_for_update`].

mod ballot;
pub(crate) mod batch;
mod route;

pub use ballot::{Ballot, VoteWrite, Written, access_and_ballot, ballot, write_vote, write_vote_and_pick};
pub use batch::{LANES, MAX_BATCH, write_votes};
pub use route::{Ask, Handed, PLENTY, my_reservations, pick, release, reservation_drift, reserve, sweep};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement, Value,
    sea_query::{Expr, ExprTrait},
};

use crate::entity::{files, protocols, screening_items, stage_settings, votes};
use crate::{StoreError, json_list, parse_json_list};

pub type Item = screening_items::Model;
pub type VoteRow = votes::Model;
pub type FileRow = files::Model;
/// The names of the reviewers who voted on an item, by account id (read with its votes, so showing
/// who voted needs no second query).
pub type VoterNames = std::collections::HashMap<i32, String>;

pub const TITLE_ABSTRACT: &str = "title_abstract";
pub const FULL_TEXT: &str = "full_text";

/// A review's protocol: question framework, criteria, exclusion reasons and highlight keywords.
#[derive(Clone, Debug, PartialEq)]
pub struct Protocol {
    pub framework: String,
    pub elements: serde_json::Value,
    pub inclusion: String,
    pub exclusion: String,
    pub reasons: Vec<String>,
    pub include_keywords: Vec<String>,
    pub exclude_keywords: Vec<String>,
    pub version: i32,
}

impl Default for Protocol {
    fn default() -> Protocol {
        Protocol {
            framework: "free".to_owned(),
            elements: serde_json::json!({}),
            inclusion: String::new(),
            exclusion: String::new(),
            reasons: Vec::new(),
            include_keywords: Vec::new(),
            exclude_keywords: Vec::new(),
            version: 0,
        }
    }
}

pub async fn protocol(db: &impl ConnectionTrait, review_id: i32) -> Result<Protocol, StoreError> {
    Ok(match protocols::Entity::find_by_id(review_id).one(db).await? {
        Some(p) => Protocol {
            framework: p.framework,
            elements: serde_json::from_str(&p.elements).unwrap_or_else(|_| serde_json::json!({})),
            inclusion: p.inclusion,
            exclusion: p.exclusion,
            reasons: parse_json_list(&p.reasons),
            include_keywords: parse_json_list(&p.include_keywords),
            exclude_keywords: parse_json_list(&p.exclude_keywords),
            version: p.version,
        },
        None => Protocol::default(),
    })
}

/// Saves the protocol as a new version and returns it; a protocol saved unchanged keeps its version
/// (votes record the version they were made under, so a version is a real amendment).
pub async fn save_protocol(db: &impl ConnectionTrait, review_id: i32, p: &Protocol, now: i64) -> Result<Protocol, StoreError> {
    let existing = protocols::Entity::find_by_id(review_id).one(db).await?;
    if existing.is_some() {
        let current = protocol(db, review_id).await?;
        if (Protocol { version: current.version, ..p.clone() }) == current {
            return Ok(current);
        }
    }
    let version = existing.as_ref().map(|e| e.version + 1).unwrap_or(1);
    let row = protocols::ActiveModel {
        review_id: Set(review_id),
        framework: Set(p.framework.clone()),
        elements: Set(p.elements.to_string()),
        inclusion: Set(p.inclusion.clone()),
        exclusion: Set(p.exclusion.clone()),
        reasons: Set(json_list(&p.reasons)),
        include_keywords: Set(json_list(&p.include_keywords)),
        exclude_keywords: Set(json_list(&p.exclude_keywords)),
        version: Set(version),
        updated_at: Set(now),
    };
    if existing.is_some() {
        row.update(db).await?;
    } else {
        row.insert(db).await?;
    }
    protocol(db, review_id).await
}

/// Settings of one stage; defaults (2 reviewers, blind, maybe is a conflict) when never saved.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub reviewers_per_record: i32,
    pub blind: bool,
    pub maybe_is_conflict: bool,
    /// Records in the pilot set; 0 = no pilot.
    pub pilot_size: i32,
    pub pilot_threshold: f64,
    pub pilot_opened: bool,
    /// Percentage of records that get `reviewers_per_record` votes; the others get one.
    pub double_percent: i32,
    /// Fixed reviewer pairs (or groups); each record is routed to one of them. Empty = no pairs.
    pub pairs: Vec<Vec<i32>>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            reviewers_per_record: 2,
            blind: true,
            maybe_is_conflict: true,
            pilot_size: 0,
            pilot_threshold: 0.6,
            pilot_opened: false,
            double_percent: 100,
            pairs: Vec::new(),
        }
    }
}

/// The SQL expression for the votes an item needs: every record gets `reviewers_per_record`, or, when
/// only a percentage is double-screened, a spread-out share of records (by record id) gets it and the rest one.
/// Deterministic, so every server and every re-run agree.
fn needed_expr(s: &Settings, id_column: &str) -> String {
    if s.double_percent >= 100 || s.reviewers_per_record <= 1 {
        s.reviewers_per_record.to_string()
    } else {
        format!("CASE WHEN ({id_column} * 37) % 100 < {} THEN {} ELSE 1 END", Ord::max(s.double_percent, 0), s.reviewers_per_record)
    }
}

/// The votes a record's item needs at a stage: [`needed_expr`] computed in Rust.
pub fn needed_for(s: &Settings, record_id: i32) -> i32 {
    let double = s.double_percent >= 100
        || s.reviewers_per_record <= 1
        || (i64::from(record_id) * 37).rem_euclid(100) < i64::from(Ord::max(s.double_percent, 0));
    if double { s.reviewers_per_record } else { 1 }
}

/// The pair a reviewer belongs to (its index) and the number of pairs, for routing; `None` = no pairs.
pub fn pair_of(s: &Settings, reviewer: i32) -> Option<(i32, i32)> {
    if s.pairs.is_empty() {
        return None;
    }
    let n = i32::try_from(s.pairs.len()).unwrap_or(i32::MAX);
    let idx = s.pairs.iter().position(|p| p.contains(&reviewer)).map(|i| i32::try_from(i).unwrap_or(-1)).unwrap_or(-1);
    Some((idx, n))
}

impl Settings {
    /// Whether routing is restricted to the pilot set.
    pub fn in_pilot(&self) -> bool {
        self.pilot_size > 0 && !self.pilot_opened
    }
}

pub async fn settings(db: &impl ConnectionTrait, review_id: i32, stage: &str) -> Result<Settings, StoreError> {
    Ok(stage_settings::Entity::find_by_id((review_id, stage.to_owned())).one(db).await?.map(settings_from).unwrap_or_default())
}

pub(crate) fn settings_from(s: stage_settings::Model) -> Settings {
    Settings {
        reviewers_per_record: s.reviewers_per_record,
        blind: s.blind,
        maybe_is_conflict: s.maybe_is_conflict,
        pilot_size: s.pilot_size,
        pilot_threshold: s.pilot_threshold,
        pilot_opened: s.pilot_opened,
        double_percent: s.double_percent,
        pairs: serde_json::from_str(&s.pairs).unwrap_or_default(),
    }
}

pub async fn save_settings(db: &impl ConnectionTrait, review_id: i32, stage: &str, s: &Settings) -> Result<(), StoreError> {
    let row = stage_settings::ActiveModel {
        review_id: Set(review_id),
        stage: Set(stage.to_owned()),
        reviewers_per_record: Set(s.reviewers_per_record),
        blind: Set(s.blind),
        maybe_is_conflict: Set(s.maybe_is_conflict),
        pilot_size: Set(s.pilot_size),
        pilot_threshold: Set(s.pilot_threshold),
        pilot_opened: Set(s.pilot_opened),
        double_percent: Set(s.double_percent),
        pairs: Set(serde_json::to_string(&s.pairs).unwrap_or_else(|_| "[]".to_owned())),
    };
    if stage_settings::Entity::find_by_id((review_id, stage.to_owned())).one(db).await?.is_some() {
        row.update(db).await?;
    } else {
        row.insert(db).await?;
    }
    // Items of the stage nobody has voted on take the new number of reviewers. Every undecided item
    // of the review moves to a new version: a vote is decided from the settings read with its item (a
    // title/abstract inclusion also from the full-text stage's), and a write finding the version moved
    // decides it again under the new settings (`ballot::write_vote`).
    let b = db.get_database_backend();
    db.execute_raw(stmt(
        b,
        &format!(
            "UPDATE screening_items SET needed = CASE WHEN stage = $2 AND state IN ('open', 'awaiting_file') AND votes = 0 \
             THEN {} ELSE needed END, version = version + 1 \
             WHERE review_id = $1 AND state IN ('open', 'conflict', 'awaiting_file')",
            needed_expr(s, "record_id")
        ),
        vec![review_id.into(), stage.into()],
    ))
    .await?;
    Ok(())
}

/// Collects statement parameters and names them `$1, $2, ...` as they are added.
#[derive(Default)]
pub(crate) struct Params(pub(crate) Vec<Value>);

impl Params {
    pub(crate) fn add(&mut self, v: impl Into<Value>) -> String {
        self.0.push(v.into());
        format!("${}", self.0.len())
    }
}

/// Writes SQL with `$1, $2 ...` placeholders for either backend.
pub(crate) fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => sql.to_owned(),
        _ => sql.replace('$', "?"),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// A script of several SQLite statements with `$1, $2 ...` placeholders, as one statement to send:
/// each placeholder becomes an anonymous `?` with its value repeated in order of appearance, because
/// SQLite numbers `?NNN` per statement while the values are bound across the whole script.
pub(crate) fn sqlite_script(sql: &str, values: &[Value]) -> Statement {
    let mut out = String::with_capacity(sql.len());
    let mut bound = Vec::new();
    let mut chars = sql.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        let mut n = 0usize;
        while let Some(&(_, d)) = chars.peek() {
            let Some(digit) = d.to_digit(10) else { break };
            n = n * 10 + digit as usize;
            chars.next();
        }
        match n.checked_sub(1).and_then(|i| values.get(i)) {
            Some(v) => {
                out.push('?');
                bound.push(v.clone());
            }
            None => out.push_str(&format!("${n}")),
        }
    }
    Statement::from_sql_and_values(DbBackend::Sqlite, out, bound)
}

/// Source kinds of PRISMA's "other methods" arm: their records skip title/abstract screening and go
/// straight to full text as reports sought for retrieval.
pub const OTHER_METHOD_KINDS: [&str; 3] = ["website", "organisation", "citation_searching"];

/// Makes sure every record left after deduplication has its first screening item: a title/abstract item
/// for records from databases and registers, a full-text item (a report sought) for records found by
/// other methods. Withdraws items of records merged away before anyone voted on them. Returns the number
/// of items created.
pub async fn sync_title_abstract(db: &impl ConnectionTrait, review_id: i32, needed: i32, now: i64) -> Result<u64, StoreError> {
    let b = db.get_database_backend();
    db.execute_raw(stmt(
        b,
        "DELETE FROM screening_items WHERE review_id = $1 AND votes = 0 AND state IN ('open', 'awaiting_file') \
         AND record_id IN (SELECT id FROM records WHERE review_id = $1 AND merged_into IS NOT NULL)",
        vec![review_id.into()],
    ))
    .await?;
    let other = "('website', 'organisation', 'citation_searching')";
    let ta = settings(db, review_id, TITLE_ABSTRACT).await?;
    let ta_needed = needed_expr(&Settings { reviewers_per_record: needed, ..ta }, "r.id");
    let res = db
        .execute_raw(stmt(
            b,
            &format!(
                "INSERT INTO screening_items (review_id, stage, record_id, state, needed, votes, created_at) \
                 SELECT r.review_id, 'title_abstract', r.id, 'open', {ta_needed}, 0, $2 FROM records r \
                 JOIN search_sources s ON s.id = r.search_source_id \
                 WHERE r.review_id = $1 AND r.merged_into IS NULL AND s.kind NOT IN {other} \
                 AND NOT EXISTS (SELECT 1 FROM screening_items i WHERE i.record_id = r.id AND i.stage = 'title_abstract') \
                 ORDER BY r.id"
            ),
            vec![review_id.into(), now.into()],
        ))
        .await?;
    let ft = settings(db, review_id, FULL_TEXT).await?;
    let ft_needed = needed_expr(&ft, "r.id");
    let other_res = db
        .execute_raw(stmt(
            b,
            &format!(
                "INSERT INTO screening_items (review_id, stage, record_id, state, needed, votes, created_at) \
                 SELECT r.review_id, 'full_text', r.id, 'awaiting_file', {ft_needed}, 0, $2 FROM records r \
                 JOIN search_sources s ON s.id = r.search_source_id \
                 WHERE r.review_id = $1 AND r.merged_into IS NULL AND s.kind IN {other} \
                 AND NOT EXISTS (SELECT 1 FROM screening_items i WHERE i.record_id = r.id) \
                 ORDER BY r.id"
            ),
            vec![review_id.into(), now.into()],
        ))
        .await?;
    let created = res.rows_affected() + other_res.rows_affected();
    // After a bulk load, fresh statistics keep PostgreSQL's routing plans on the index.
    if b == DbBackend::Postgres && created > 1000 {
        db.execute_unprepared("ANALYZE screening_items").await?;
    }
    Ok(created)
}

pub async fn item(db: &impl ConnectionTrait, review_id: i32, id: i32) -> Result<Option<Item>, StoreError> {
    Ok(screening_items::Entity::find_by_id(id).filter(screening_items::Column::ReviewId.eq(review_id)).one(db).await?)
}

/// An item, with its row locked until the transaction ends (PostgreSQL `FOR NO KEY UPDATE`, which
/// foreign-key checks of new reservations do not wait for; SQLite has one writer and needs no row lock).
/// Every change to an item's votes or state reads it this way.
pub async fn item_for_update(db: &impl ConnectionTrait, review_id: i32, id: i32) -> Result<Option<Item>, StoreError> {
    Ok(screening_items::Entity::find_by_id(id)
        .filter(screening_items::Column::ReviewId.eq(review_id))
        .lock(sea_orm::sea_query::LockType::NoKeyUpdate)
        .one(db)
        .await?)
}

/// `alias.column AS prefix_column, ...` for every column of an entity, to read several tables' rows
/// from one result row.
pub(crate) fn columns<E: EntityTrait>(alias: &str, prefix: &str) -> String {
    use sea_orm::{IdenStatic, Iterable};
    E::Column::iter().map(|c| format!("{alias}.\"{0}\" AS \"{prefix}{0}\"", c.as_str())).collect::<Vec<_>>().join(", ")
}

/// [`columns`] of a record for showing it: all but `original` (the fields as imported, which only
/// deduplication reads), which comes back empty.
pub(crate) fn record_columns(alias: &str, prefix: &str) -> String {
    use sea_orm::{IdenStatic, Iterable};
    crate::entity::records::Column::iter()
        .map(|c| match c {
            crate::entity::records::Column::Original => format!("'' AS \"{prefix}original\""),
            c => format!("{alias}.\"{0}\" AS \"{prefix}{0}\"", c.as_str()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Items of a review with their records for showing (without `original`, see [`record_columns`]) and
/// their votes, in one query, in id order.
pub async fn handed(db: &impl ConnectionTrait, review_id: i32, ids: &[i32]) -> Result<Vec<Handed>, StoreError> {
    use sea_orm::FromQueryResult;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..ids.len()).map(|n| format!("${}", n + 2)).collect();
    let (voter_join, voter_column) = voter_join("v", "vu", "v_");
    let sql = format!(
        "SELECT {}, {}, {}{voter_column} FROM screening_items i JOIN records r ON r.id = i.record_id LEFT JOIN votes v ON v.item_id = i.id{voter_join} \
         WHERE i.review_id = $1 AND i.id IN ({}) ORDER BY i.id, v.id",
        columns::<screening_items::Entity>("i", "i_"),
        record_columns("r", "r_"),
        columns::<votes::Entity>("v", "v_"),
        marks.join(", ")
    );
    let mut values: Vec<Value> = vec![review_id.into()];
    values.extend(ids.iter().map(|&id| Value::from(id)));
    let rows = db.query_all_raw(stmt(db.get_database_backend(), &sql, values)).await?;
    let mut out: Vec<Handed> = Vec::new();
    for r in &rows {
        let item = Item::from_query_result(r, "i_")?;
        if out.last().is_none_or(|h| h.item.id != item.id) {
            out.push(Handed {
                item,
                record: crate::entity::records::Model::from_query_result(r, "r_")?,
                votes: Vec::new(),
                names: VoterNames::new(),
            });
        }
        if let Some(h) = out.last_mut() {
            add_joined_vote(&mut h.votes, &mut h.names, r, "v_")?;
        }
    }
    Ok(out)
}

/// Adds the vote a row carries (the columns of a `LEFT JOIN votes`, named with `prefix`) to `votes`,
/// and its reviewer's name (the column `voter`, of [`voter_join`]) to `names`, unless the row has none
/// or `votes` has it already (rows repeat when a query joins more).
pub(crate) fn add_joined_vote(
    votes: &mut Vec<VoteRow>,
    names: &mut VoterNames,
    row: &sea_orm::QueryResult,
    prefix: &str,
) -> Result<(), StoreError> {
    use sea_orm::FromQueryResult;
    if let Some(id) = row.try_get::<Option<i32>>(prefix, "id")?
        && !votes.iter().any(|v| v.id == id)
    {
        let vote = votes::Model::from_query_result(row, prefix)?;
        if let Some(name) = row.try_get::<Option<String>>(prefix, "voter")? {
            names.insert(vote.reviewer_id, name);
        }
        votes.push(vote);
    }
    Ok(())
}

/// The join and column that name the reviewer of the votes `v` in [`add_joined_vote`]'s column
/// `{prefix}voter` (the users table as `u_alias`).
pub(crate) fn voter_join(v: &str, u_alias: &str, prefix: &str) -> (String, String) {
    (format!(" LEFT JOIN users {u_alias} ON {u_alias}.id = {v}.reviewer_id"), format!(", {u_alias}.name AS \"{prefix}voter\""))
}

pub async fn item_for_record(db: &impl ConnectionTrait, record_id: i32, stage: &str) -> Result<Option<Item>, StoreError> {
    Ok(screening_items::Entity::find()
        .filter(screening_items::Column::RecordId.eq(record_id))
        .filter(screening_items::Column::Stage.eq(stage))
        .one(db)
        .await?)
}

/// Items of a stage in the given states, oldest first.
pub async fn items_in(
    db: &impl ConnectionTrait,
    review_id: i32,
    stage: &str,
    states: &[&str],
    limit: u64,
) -> Result<Vec<Item>, StoreError> {
    Ok(screening_items::Entity::find()
        .filter(screening_items::Column::ReviewId.eq(review_id))
        .filter(screening_items::Column::Stage.eq(stage))
        .filter(screening_items::Column::State.is_in(states.iter().copied()))
        .order_by_asc(screening_items::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Counts of a stage's items by state.
pub async fn state_counts(db: &impl ConnectionTrait, review_id: i32, stage: &str) -> Result<Vec<(String, i64)>, StoreError> {
    let b = db.get_database_backend();
    let rows = db
        .query_all_raw(stmt(
            b,
            "SELECT state, COUNT(*) AS n FROM screening_items WHERE review_id = $1 AND stage = $2 GROUP BY state ORDER BY state",
            vec![review_id.into(), stage.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<String>("", "state")?, r.try_get::<i64>("", "n")?)))
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()
        .map_err(StoreError::from)
}

pub async fn votes_of_item(db: &impl ConnectionTrait, item_id: i32) -> Result<Vec<VoteRow>, StoreError> {
    Ok(votes::Entity::find().filter(votes::Column::ItemId.eq(item_id)).order_by_asc(votes::Column::Id).all(db).await?)
}

pub async fn vote_of(db: &impl ConnectionTrait, item_id: i32, reviewer: i32) -> Result<Option<VoteRow>, StoreError> {
    Ok(votes::Entity::find().filter(votes::Column::ItemId.eq(item_id)).filter(votes::Column::ReviewerId.eq(reviewer)).one(db).await?)
}

/// A vote to record.
#[derive(Clone, Debug)]
pub struct NewVote {
    pub vote: String,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub tags: Vec<String>,
}

/// Removes a reviewer's vote from an item that is not decided.
pub async fn delete_vote(db: &impl ConnectionTrait, item_id: i32, reviewer: i32) -> Result<bool, StoreError> {
    let res = votes::Entity::delete_many()
        .filter(votes::Column::ItemId.eq(item_id))
        .filter(votes::Column::ReviewerId.eq(reviewer))
        .exec(db)
        .await?;
    if res.rows_affected > 0 {
        screening_items::Entity::update_many()
            .col_expr(screening_items::Column::Votes, Expr::col(screening_items::Column::Votes).sub(1))
            .col_expr(screening_items::Column::Version, Expr::col(screening_items::Column::Version).add(1))
            .filter(screening_items::Column::Id.eq(item_id))
            .exec(db)
            .await?;
    }
    Ok(res.rows_affected > 0)
}

/// The state an item moves to.
#[derive(Clone, Debug, Default)]
pub struct ItemUpdate {
    pub state: String,
    pub decision: Option<String>,
    pub reason: Option<String>,
    pub resolved_by: Option<i32>,
    pub resolution_note: Option<String>,
    pub decided_at: Option<i64>,
    /// The item's new vote count, when it changed.
    pub votes: Option<i32>,
}

/// Moves an item to a new state, for an item the caller holds as it stands in the database (read under
/// the review's lock or its row lock); nothing is written when nothing changes.
pub async fn update_item_state(db: &impl ConnectionTrait, row: Item, u: &ItemUpdate) -> Result<Item, StoreError> {
    let unchanged = row.state == u.state
        && row.decision == u.decision
        && row.reason == u.reason
        && row.resolved_by == u.resolved_by
        && row.resolution_note == u.resolution_note
        && row.decided_at == u.decided_at
        && u.votes.is_none_or(|v| v == row.votes);
    if unchanged {
        return Ok(row);
    }
    let version = row.version + 1;
    let mut active: screening_items::ActiveModel = row.into();
    active.version = Set(version);
    active.state = Set(u.state.clone());
    active.decision = Set(u.decision.clone());
    active.reason = Set(u.reason.clone());
    active.resolved_by = Set(u.resolved_by);
    active.resolution_note = Set(u.resolution_note.clone());
    active.decided_at = Set(u.decided_at);
    if let Some(v) = u.votes {
        active.votes = Set(v);
    }
    Ok(active.update(db).await?)
}

/// Asks for one more vote on an item (a lead sending a conflict to a third reviewer).
pub async fn add_needed(db: &impl ConnectionTrait, item_id: i32, note: &str) -> Result<Item, StoreError> {
    let row = screening_items::Entity::find_by_id(item_id).one(db).await?.ok_or(StoreError::NotFound)?;
    let (needed, version) = (row.votes + 1, row.version + 1);
    let mut active: screening_items::ActiveModel = row.into();
    active.version = Set(version);
    active.needed = Set(needed);
    active.state = Set("open".to_owned());
    active.resolution_note = Set(Some(note.to_owned()));
    Ok(active.update(db).await?)
}

/// Creates the full-text item of a record included at title/abstract (a report sought for retrieval).
pub async fn ensure_full_text(
    db: &impl ConnectionTrait,
    review_id: i32,
    record_id: i32,
    needed: i32,
    now: i64,
) -> Result<Item, StoreError> {
    if let Some(existing) = item_for_record(db, record_id, FULL_TEXT).await? {
        return Ok(existing);
    }
    Ok(screening_items::ActiveModel {
        review_id: Set(review_id),
        stage: Set(FULL_TEXT.to_owned()),
        record_id: Set(record_id),
        state: Set("awaiting_file".to_owned()),
        needed: Set(needed),
        votes: Set(0),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Withdraws a full-text item that nobody has voted on (its title/abstract inclusion was reversed).
pub async fn withdraw_full_text(db: &impl ConnectionTrait, record_id: i32) -> Result<(), StoreError> {
    screening_items::Entity::delete_many()
        .filter(screening_items::Column::RecordId.eq(record_id))
        .filter(screening_items::Column::Stage.eq(FULL_TEXT))
        .filter(screening_items::Column::Votes.eq(0))
        .exec(db)
        .await?;
    Ok(())
}

/// Attaches a stored file to a full-text item and opens it for screening.
pub async fn attach_file(db: &impl ConnectionTrait, item_id: i32, file_id: i32) -> Result<Item, StoreError> {
    let row = screening_items::Entity::find_by_id(item_id).one(db).await?.ok_or(StoreError::NotFound)?;
    let reopen = matches!(row.state.as_str(), "awaiting_file" | "not_retrieved");
    let version = row.version + 1;
    let mut active: screening_items::ActiveModel = row.into();
    active.version = Set(version);
    active.file_id = Set(Some(file_id));
    active.not_retrieved_reason = Set(None);
    if reopen {
        active.state = Set("open".to_owned());
    }
    Ok(active.update(db).await?)
}

pub async fn mark_not_retrieved(db: &impl ConnectionTrait, item_id: i32, reason: &str, now: i64) -> Result<Item, StoreError> {
    let row = screening_items::Entity::find_by_id(item_id).one(db).await?.ok_or(StoreError::NotFound)?;
    let version = row.version + 1;
    let mut active: screening_items::ActiveModel = row.into();
    active.version = Set(version);
    active.state = Set("not_retrieved".to_owned());
    active.not_retrieved_reason = Set(Some(reason.to_owned()));
    active.decided_at = Set(Some(now));
    Ok(active.update(db).await?)
}

/// Where a stored file's content is.
#[derive(Clone, Debug)]
pub enum FileContent {
    /// In the database row.
    Bytes(Vec<u8>),
    /// In the server's files directory, at this path under it (written there already).
    InDirectory { path: String, size: usize },
}

pub async fn store_file(
    db: &impl ConnectionTrait,
    review_id: i32,
    file_name: &str,
    content_type: &str,
    content: FileContent,
    sha256: &str,
    uploaded_by: Option<i32>,
    now: i64,
) -> Result<FileRow, StoreError> {
    let (size, bytes, path) = match content {
        FileContent::Bytes(b) => (b.len(), b, None),
        FileContent::InDirectory { path, size } => (size, Vec::new(), Some(path)),
    };
    Ok(files::ActiveModel {
        review_id: Set(review_id),
        file_name: Set(file_name.to_owned()),
        content_type: Set(content_type.to_owned()),
        size: Set(i64::try_from(size).unwrap_or(i64::MAX)),
        sha256: Set(sha256.to_owned()),
        bytes: Set(bytes),
        uploaded_by: Set(uploaded_by),
        uploaded_at: Set(now),
        path: Set(path),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn file(db: &impl ConnectionTrait, review_id: i32, id: i32) -> Result<Option<FileRow>, StoreError> {
    Ok(files::Entity::find_by_id(id).filter(files::Column::ReviewId.eq(review_id)).one(db).await?)
}

/// A reviewer's vote with what a search of their decisions reads of its record.
#[derive(Clone, Debug)]
pub struct MyVote {
    pub vote: VoteRow,
    pub title: Option<String>,
    /// As stored: a JSON list.
    pub authors: String,
    pub year: Option<i32>,
    pub journal: Option<String>,
    pub doi: Option<String>,
}

/// A reviewer's votes in a stage, most recently changed first (then the latest cast first), with their
/// records' citation fields: `page` (offset, limit) of them, or all.
pub async fn votes_by(
    db: &impl ConnectionTrait,
    review_id: i32,
    reviewer: i32,
    stage: &str,
    page: Option<(u64, u64)>,
) -> Result<Vec<MyVote>, StoreError> {
    use sea_orm::FromQueryResult;
    let page = page
        .map(|(offset, limit)| format!(" LIMIT {} OFFSET {}", Ord::min(limit, i64::MAX as u64), Ord::min(offset, i64::MAX as u64)))
        .unwrap_or_default();
    let sql = format!(
        "SELECT {}, r.title AS r_title, r.authors AS r_authors, r.year AS r_year, r.journal AS r_journal, r.doi AS r_doi \
         FROM votes v JOIN screening_items i ON i.id = v.item_id JOIN records r ON r.id = i.record_id \
         WHERE v.review_id = $1 AND v.reviewer_id = $2 AND i.stage = $3 ORDER BY v.updated_at DESC, v.id DESC{page}",
        columns::<votes::Entity>("v", "v_"),
    );
    let rows = db.query_all_raw(stmt(db.get_database_backend(), &sql, vec![review_id.into(), reviewer.into(), stage.into()])).await?;
    rows.iter()
        .map(|r| {
            Ok(MyVote {
                vote: votes::Model::from_query_result(r, "v_")?,
                title: r.try_get("", "r_title")?,
                authors: r.try_get("", "r_authors")?,
                year: r.try_get("", "r_year")?,
                journal: r.try_get("", "r_journal")?,
                doi: r.try_get("", "r_doi")?,
            })
        })
        .collect()
}

/// Every vote of a review with its item, in the order cast.
pub async fn all_votes(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<(VoteRow, Item)>, StoreError> {
    let rows = votes::Entity::find().filter(votes::Column::ReviewId.eq(review_id)).order_by_asc(votes::Column::Id).all(db).await?;
    let items = screening_items::Entity::find().filter(screening_items::Column::ReviewId.eq(review_id)).all(db).await?;
    let by_id: std::collections::HashMap<i32, Item> = items.into_iter().map(|i| (i.id, i)).collect();
    Ok(rows.into_iter().filter_map(|v| by_id.get(&v.item_id).cloned().map(|i| (v, i))).collect())
}

/// The votes on a review's items at one stage (only on the items in `only`, when given), in the order
/// cast: what agreement at that stage is computed from.
pub async fn stage_votes(db: &impl ConnectionTrait, review_id: i32, stage: &str, only: Option<&[i32]>) -> Result<Vec<VoteRow>, StoreError> {
    let of_stage = sea_orm::sea_query::Query::select()
        .column(screening_items::Column::Id)
        .from(screening_items::Entity)
        .and_where(screening_items::Column::ReviewId.eq(review_id))
        .and_where(screening_items::Column::Stage.eq(stage))
        .to_owned();
    let mut q = votes::Entity::find().filter(votes::Column::ReviewId.eq(review_id)).filter(votes::Column::ItemId.in_subquery(of_stage));
    if let Some(ids) = only {
        q = q.filter(votes::Column::ItemId.is_in(ids.iter().copied()));
    }
    Ok(q.order_by_asc(votes::Column::Id).all(db).await?)
}

/// The items of a review with these ids, in id order (ids of other reviews are left out).
pub async fn items_by_ids(db: &impl ConnectionTrait, review_id: i32, ids: &[i32]) -> Result<Vec<Item>, StoreError> {
    Ok(screening_items::Entity::find()
        .filter(screening_items::Column::ReviewId.eq(review_id))
        .filter(screening_items::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(screening_items::Column::Id)
        .all(db)
        .await?)
}

/// Every item of a review.
pub async fn all_items(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<Item>, StoreError> {
    Ok(screening_items::Entity::find()
        .filter(screening_items::Column::ReviewId.eq(review_id))
        .order_by_asc(screening_items::Column::Id)
        .all(db)
        .await?)
}

/// Votes cast per reviewer in a stage: (reviewer id, votes).
pub async fn votes_per_reviewer(db: &impl ConnectionTrait, review_id: i32, stage: &str) -> Result<Vec<(i32, i64)>, StoreError> {
    let b = db.get_database_backend();
    let rows = db
        .query_all_raw(stmt(
            b,
            "SELECT v.reviewer_id AS reviewer, COUNT(*) AS n FROM votes v JOIN screening_items i ON i.id = v.item_id \
             WHERE v.review_id = $1 AND i.stage = $2 GROUP BY v.reviewer_id ORDER BY v.reviewer_id",
            vec![review_id.into(), stage.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<i32>("", "reviewer")?, r.try_get::<i64>("", "n")?)))
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()
        .map_err(StoreError::from)
}

/// Open items of a stage the reviewer has not voted on (their remaining work), counting every open
/// item that still needs a vote from someone.
pub async fn remaining_for(db: &impl ConnectionTrait, review_id: i32, stage: &str, reviewer: i32) -> Result<i64, StoreError> {
    let b = db.get_database_backend();
    let row = db
        .query_one_raw(stmt(
            b,
            "SELECT COUNT(*) AS n FROM screening_items i WHERE i.review_id = $1 AND i.stage = $2 AND i.state = 'open' \
             AND i.votes < i.needed AND NOT EXISTS (SELECT 1 FROM votes v WHERE v.item_id = i.id AND v.reviewer_id = $3)",
            vec![review_id.into(), stage.into(), reviewer.into()],
        ))
        .await?;
    Ok(row.and_then(|r| r.try_get::<i64>("", "n").ok()).unwrap_or(0))
}

/// Links a full-text report to the study of another report (`None` makes it its own study again).
pub async fn set_study_of(db: &impl ConnectionTrait, item_id: i32, study_of: Option<i32>) -> Result<Item, StoreError> {
    let row = screening_items::Entity::find_by_id(item_id).one(db).await?.ok_or(StoreError::NotFound)?;
    let mut active: screening_items::ActiveModel = row.into();
    active.study_of = Set(study_of);
    Ok(active.update(db).await?)
}

/// Reports that name `item_id` as their study's main report.
pub async fn reports_of_study(db: &impl ConnectionTrait, item_id: i32) -> Result<Vec<Item>, StoreError> {
    Ok(screening_items::Entity::find()
        .filter(screening_items::Column::StudyOf.eq(item_id))
        .order_by_asc(screening_items::Column::Id)
        .all(db)
        .await?)
}

/// The ids of a stage's pilot set: its first `size` items.
pub async fn pilot_ids(db: &impl ConnectionTrait, review_id: i32, stage: &str, size: i32) -> Result<Vec<i32>, StoreError> {
    Ok(screening_items::Entity::find()
        .filter(screening_items::Column::ReviewId.eq(review_id))
        .filter(screening_items::Column::Stage.eq(stage))
        .order_by_asc(screening_items::Column::Id)
        .limit(u64::try_from(size).unwrap_or(0))
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect())
}

/// Moves a reviewer's live reservations at a stage to another reviewer (skipping records the other has
/// judged already); returns how many moved.
pub async fn reassign(
    db: &impl ConnectionTrait,
    review_id: i32,
    stage: &str,
    from: i32,
    to: i32,
    now: i64,
    expires_at: i64,
) -> Result<u64, StoreError> {
    let mine = my_reservations(db, review_id, stage, from, now).await?;
    let mut moved = 0;
    for item in mine {
        release(db, item.id, from).await?;
        if vote_of(db, item.id, to).await?.is_none() {
            reserve(db, item.id, to, expires_at).await?;
            moved += 1;
        }
    }
    Ok(moved)
}
