//! Candidate duplicate pairs of a review and people's judgements of them.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set, sea_query::Expr};

use crate::StoreError;
use crate::entity::dedup_pairs;

pub type Pair = dedup_pairs::Model;

/// Status of a pair: merged automatically, waiting for a person, or judged by one.
pub mod status {
    pub const AUTO_MERGED: &str = "auto_merged";
    pub const PENDING: &str = "pending";
    pub const MERGED: &str = "merged";
    pub const NOT_DUPLICATE: &str = "not_duplicate";
    pub const UNMERGED: &str = "unmerged";
}

#[derive(Clone, Debug)]
pub struct NewPair {
    pub record_a: i32,
    pub record_b: i32,
    pub decision: String,
    pub score: f64,
    pub evidence: serde_json::Value,
    pub status: &'static str,
}

/// Stores pairs not seen before; a pair already stored (in either order) keeps its status.
pub async fn insert_new(db: &impl ConnectionTrait, review_id: i32, pairs: &[NewPair], now: i64) -> Result<(), StoreError> {
    for p in pairs {
        let (a, b) = if p.record_a < p.record_b { (p.record_a, p.record_b) } else { (p.record_b, p.record_a) };
        let row = dedup_pairs::ActiveModel {
            review_id: Set(review_id),
            record_a: Set(a),
            record_b: Set(b),
            decision: Set(p.decision.clone()),
            score: Set(p.score),
            evidence: Set(p.evidence.to_string()),
            status: Set(p.status.to_owned()),
            decided_by: Set(None),
            decided_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        };
        dedup_pairs::Entity::insert(row)
            .on_conflict_do_nothing_on([dedup_pairs::Column::ReviewId, dedup_pairs::Column::RecordA, dedup_pairs::Column::RecordB])
            .exec(db)
            .await?;
    }
    Ok(())
}

pub async fn get(db: &impl ConnectionTrait, review_id: i32, id: i32) -> Result<Option<Pair>, StoreError> {
    Ok(dedup_pairs::Entity::find_by_id(id).filter(dedup_pairs::Column::ReviewId.eq(review_id)).one(db).await?)
}

/// Pairs of a review with the given status, best score first.
pub async fn with_status(db: &impl ConnectionTrait, review_id: i32, status: &str) -> Result<Vec<Pair>, StoreError> {
    Ok(dedup_pairs::Entity::find()
        .filter(dedup_pairs::Column::ReviewId.eq(review_id))
        .filter(dedup_pairs::Column::Status.eq(status))
        .order_by_desc(dedup_pairs::Column::Score)
        .order_by_asc(dedup_pairs::Column::Id)
        .all(db)
        .await?)
}

pub async fn all(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<Pair>, StoreError> {
    Ok(dedup_pairs::Entity::find()
        .filter(dedup_pairs::Column::ReviewId.eq(review_id))
        .order_by_asc(dedup_pairs::Column::Id)
        .all(db)
        .await?)
}

pub async fn count_with_status(db: &impl ConnectionTrait, review_id: i32, status: &str) -> Result<u64, StoreError> {
    Ok(dedup_pairs::Entity::find()
        .filter(dedup_pairs::Column::ReviewId.eq(review_id))
        .filter(dedup_pairs::Column::Status.eq(status))
        .count(db)
        .await?)
}

pub async fn set_status(db: &impl ConnectionTrait, id: i32, status: &str, decided_by: Option<i32>, now: i64) -> Result<(), StoreError> {
    dedup_pairs::Entity::update_many()
        .col_expr(dedup_pairs::Column::Status, Expr::value(status.to_owned()))
        .col_expr(dedup_pairs::Column::DecidedBy, Expr::value(decided_by))
        .col_expr(dedup_pairs::Column::DecidedAt, Expr::value(now))
        .filter(dedup_pairs::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Stores one pair judged directly by a person, or updates it if it exists.
pub async fn upsert_judged(
    db: &impl ConnectionTrait,
    review_id: i32,
    a: i32,
    b: i32,
    status: &str,
    decided_by: Option<i32>,
    now: i64,
) -> Result<Pair, StoreError> {
    let (a, b) = if a < b { (a, b) } else { (b, a) };
    let existing = dedup_pairs::Entity::find()
        .filter(dedup_pairs::Column::ReviewId.eq(review_id))
        .filter(dedup_pairs::Column::RecordA.eq(a))
        .filter(dedup_pairs::Column::RecordB.eq(b))
        .one(db)
        .await?;
    match existing {
        Some(p) => {
            let mut active: dedup_pairs::ActiveModel = p.into();
            active.status = Set(status.to_owned());
            active.decided_by = Set(decided_by);
            active.decided_at = Set(Some(now));
            Ok(active.update(db).await?)
        }
        None => Ok(dedup_pairs::ActiveModel {
            review_id: Set(review_id),
            record_a: Set(a),
            record_b: Set(b),
            decision: Set("manual".to_owned()),
            score: Set(1.0),
            evidence: Set("[]".to_owned()),
            status: Set(status.to_owned()),
            decided_by: Set(decided_by),
            decided_at: Set(Some(now)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?),
    }
}
