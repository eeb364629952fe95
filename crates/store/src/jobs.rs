//! Progress of long-running work (imports, deduplication), kept in the database so that any server
//! behind a load balancer can report it.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};

use crate::StoreError;
use crate::entity::jobs;

pub type Job = jobs::Model;

pub async fn create(
    db: &impl ConnectionTrait,
    id: &str,
    review_id: i32,
    kind: &str,
    created_by: Option<i32>,
    now: i64,
) -> Result<Job, StoreError> {
    Ok(jobs::ActiveModel {
        id: Set(id.to_owned()),
        review_id: Set(review_id),
        kind: Set(kind.to_owned()),
        state: Set("running".to_owned()),
        stage: Set("starting".to_owned()),
        done: Set(0),
        total: Set(0),
        result: Set(None),
        created_by: Set(created_by),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

pub async fn progress(db: &impl ConnectionTrait, id: &str, stage: &str, done: i64, total: i64, now: i64) -> Result<(), StoreError> {
    jobs::Entity::update_many()
        .col_expr(jobs::Column::Stage, Expr::value(stage.to_owned()))
        .col_expr(jobs::Column::Done, Expr::value(done))
        .col_expr(jobs::Column::Total, Expr::value(total))
        .col_expr(jobs::Column::UpdatedAt, Expr::value(now))
        .filter(jobs::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends a job as `done` or `failed`, with its result (JSON) for the caller to read back.
pub async fn finish(db: &impl ConnectionTrait, id: &str, state: &str, result: &serde_json::Value, now: i64) -> Result<(), StoreError> {
    jobs::Entity::update_many()
        .col_expr(jobs::Column::State, Expr::value(state.to_owned()))
        .col_expr(jobs::Column::Stage, Expr::value(state.to_owned()))
        .col_expr(jobs::Column::Result, Expr::value(result.to_string()))
        .col_expr(jobs::Column::UpdatedAt, Expr::value(now))
        .filter(jobs::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<Option<Job>, StoreError> {
    Ok(jobs::Entity::find_by_id(id.to_owned()).one(db).await?)
}

/// Marks running jobs whose progress has not moved since `stale_before` as failed (their server
/// stopped mid-way; their transaction rolled back, so nothing was half-written). Returns how many.
pub async fn fail_stale(db: &impl ConnectionTrait, stale_before: i64, result: &serde_json::Value, now: i64) -> Result<u64, StoreError> {
    let res = jobs::Entity::update_many()
        .col_expr(jobs::Column::State, Expr::value("failed".to_owned()))
        .col_expr(jobs::Column::Stage, Expr::value("failed".to_owned()))
        .col_expr(jobs::Column::Result, Expr::value(result.to_string()))
        .col_expr(jobs::Column::UpdatedAt, Expr::value(now))
        .filter(jobs::Column::State.eq("running"))
        .filter(jobs::Column::UpdatedAt.lt(stale_before))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
