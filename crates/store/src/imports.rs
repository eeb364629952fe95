//! Search sources and the bulk insertion of their records. Callers run an import inside one
//! transaction so that a failed import leaves nothing behind.

use citation::Citation;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, sea_query::Expr};

use crate::StoreError;
use crate::entity::{records, search_sources};
use crate::records::new_row;

pub type SearchSource = search_sources::Model;

/// Rows per INSERT statement: well under SQLite's and PostgreSQL's bind-parameter limits.
const BATCH: usize = 500;

/// What a person tells sift about an imported file.
#[derive(Clone, Debug, Default)]
pub struct NewSource {
    /// `database`, `register`, `website`, `organisation`, `citation_searching` or `other`.
    pub kind: String,
    pub name: String,
    pub platform: Option<String>,
    pub searched_on: Option<String>,
    pub query: Option<String>,
    pub file_name: String,
    pub sha256: String,
    pub format: String,
}

pub async fn insert_source(
    db: &impl ConnectionTrait,
    review_id: i32,
    source: &NewSource,
    imported_by: Option<i32>,
    now: i64,
) -> Result<SearchSource, StoreError> {
    Ok(search_sources::ActiveModel {
        review_id: Set(review_id),
        kind: Set(source.kind.clone()),
        name: Set(source.name.clone()),
        platform: Set(source.platform.clone()),
        searched_on: Set(source.searched_on.clone()),
        query: Set(source.query.clone()),
        file_name: Set(source.file_name.clone()),
        sha256: Set(source.sha256.clone()),
        format: Set(source.format.clone()),
        records_found: Set(0),
        warnings: Set(0),
        imported_at: Set(now),
        imported_by: Set(imported_by),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Inserts records of one source; `first_position` is the 1-based position of `batch[0]` in its file.
pub async fn insert_records(
    db: &impl ConnectionTrait,
    review_id: i32,
    source_id: i32,
    first_position: i32,
    batch: &[Citation],
    now: i64,
) -> Result<(), StoreError> {
    for (chunk_idx, chunk) in batch.chunks(BATCH).enumerate() {
        let base = first_position + i32::try_from(chunk_idx * BATCH).unwrap_or(i32::MAX);
        let rows = chunk.iter().enumerate().map(|(i, c)| new_row(review_id, source_id, base + i32::try_from(i).unwrap_or(0), c, now));
        records::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// Records the final counts of a source once all its records are in.
pub async fn finish_source(db: &impl ConnectionTrait, source_id: i32, records_found: i32, warnings: i32) -> Result<(), StoreError> {
    search_sources::Entity::update_many()
        .col_expr(search_sources::Column::RecordsFound, Expr::value(records_found))
        .col_expr(search_sources::Column::Warnings, Expr::value(warnings))
        .filter(search_sources::Column::Id.eq(source_id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn sources(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<SearchSource>, StoreError> {
    Ok(search_sources::Entity::find()
        .filter(search_sources::Column::ReviewId.eq(review_id))
        .order_by_asc(search_sources::Column::Id)
        .all(db)
        .await?)
}

/// Records the file's SHA-256 and detected format once parsing has finished.
pub async fn set_identity(db: &impl ConnectionTrait, source_id: i32, sha256: &str, format: &str) -> Result<(), StoreError> {
    search_sources::Entity::update_many()
        .col_expr(search_sources::Column::Sha256, Expr::value(sha256.to_owned()))
        .col_expr(search_sources::Column::Format, Expr::value(format.to_owned()))
        .filter(search_sources::Column::Id.eq(source_id))
        .exec(db)
        .await?;
    Ok(())
}
