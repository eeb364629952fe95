//! Synthesis storage: extracts, the codebook, codings, themes and review findings with their CERQual
//! assessment. What is valid (spans, code trees, theme membership) is decided in the `synthesis` crate
//! and in `server::app::synthesis`; this module only reads and writes rows.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder};

use crate::StoreError;
use crate::entity::{codes, codings, extracts, findings, themes};

pub type ExtractRow = extracts::Model;
pub type CodeRow = codes::Model;
pub type CodingRow = codings::Model;
pub type ThemeRow = themes::Model;
pub type FindingRow = findings::Model;

/// Every extract of a review, by study and then in the order they were taken.
pub async fn extracts(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<ExtractRow>, StoreError> {
    Ok(extracts::Entity::find()
        .filter(extracts::Column::ReviewId.eq(review_id))
        .order_by_asc(extracts::Column::ItemId)
        .order_by_asc(extracts::Column::Id)
        .all(db)
        .await?)
}

pub async fn extract(db: &impl ConnectionTrait, review_id: i32, id: i32) -> Result<Option<ExtractRow>, StoreError> {
    Ok(extracts::Entity::find_by_id(id).filter(extracts::Column::ReviewId.eq(review_id)).one(db).await?)
}

/// Inserts an extract; the id in `row` is ignored.
pub async fn add_extract(db: &impl ConnectionTrait, row: ExtractRow) -> Result<ExtractRow, StoreError> {
    let mut active = row.into_active_model();
    active.id = sea_orm::ActiveValue::NotSet;
    Ok(active.insert(db).await?)
}

/// Saves every field of an existing extract.
pub async fn save_extract(db: &impl ConnectionTrait, row: ExtractRow) -> Result<ExtractRow, StoreError> {
    Ok(row.into_active_model().reset_all().update(db).await?)
}

pub async fn delete_extract(db: &impl ConnectionTrait, id: i32) -> Result<(), StoreError> {
    codings::Entity::delete_many().filter(codings::Column::ExtractId.eq(id)).exec(db).await?;
    extracts::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// The codebook of a review in display order.
pub async fn codes(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<CodeRow>, StoreError> {
    Ok(codes::Entity::find()
        .filter(codes::Column::ReviewId.eq(review_id))
        .order_by_asc(codes::Column::Position)
        .order_by_asc(codes::Column::Id)
        .all(db)
        .await?)
}

pub async fn code(db: &impl ConnectionTrait, review_id: i32, id: i32) -> Result<Option<CodeRow>, StoreError> {
    Ok(codes::Entity::find_by_id(id).filter(codes::Column::ReviewId.eq(review_id)).one(db).await?)
}

/// Inserts a code; the id in `row` is ignored.
pub async fn add_code(db: &impl ConnectionTrait, row: CodeRow) -> Result<CodeRow, StoreError> {
    let mut active = row.into_active_model();
    active.id = sea_orm::ActiveValue::NotSet;
    Ok(active.insert(db).await?)
}

pub async fn save_code(db: &impl ConnectionTrait, row: CodeRow) -> Result<CodeRow, StoreError> {
    Ok(row.into_active_model().reset_all().update(db).await?)
}

pub async fn delete_code(db: &impl ConnectionTrait, id: i32) -> Result<(), StoreError> {
    codings::Entity::delete_many().filter(codings::Column::CodeId.eq(id)).exec(db).await?;
    codes::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Every coding of a review, oldest first.
pub async fn codings(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<CodingRow>, StoreError> {
    Ok(codings::Entity::find().filter(codings::Column::ReviewId.eq(review_id)).order_by_asc(codings::Column::Id).all(db).await?)
}

pub async fn coding(db: &impl ConnectionTrait, review_id: i32, id: i32) -> Result<Option<CodingRow>, StoreError> {
    Ok(codings::Entity::find_by_id(id).filter(codings::Column::ReviewId.eq(review_id)).one(db).await?)
}

/// How many codings point into an extract.
pub async fn codings_of_extract(db: &impl ConnectionTrait, extract_id: i32) -> Result<u64, StoreError> {
    Ok(codings::Entity::find().filter(codings::Column::ExtractId.eq(extract_id)).count(db).await?)
}

/// Inserts a coding; the id in `row` is ignored.
pub async fn add_coding(db: &impl ConnectionTrait, row: CodingRow) -> Result<CodingRow, StoreError> {
    let mut active = row.into_active_model();
    active.id = sea_orm::ActiveValue::NotSet;
    Ok(active.insert(db).await?)
}

pub async fn delete_coding(db: &impl ConnectionTrait, id: i32) -> Result<(), StoreError> {
    codings::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Descriptive and analytical themes of a review in display order.
pub async fn themes(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<ThemeRow>, StoreError> {
    Ok(themes::Entity::find()
        .filter(themes::Column::ReviewId.eq(review_id))
        .order_by_asc(themes::Column::Position)
        .order_by_asc(themes::Column::Id)
        .all(db)
        .await?)
}

pub async fn theme(db: &impl ConnectionTrait, review_id: i32, id: i32) -> Result<Option<ThemeRow>, StoreError> {
    Ok(themes::Entity::find_by_id(id).filter(themes::Column::ReviewId.eq(review_id)).one(db).await?)
}

/// Inserts a theme; the id in `row` is ignored.
pub async fn add_theme(db: &impl ConnectionTrait, row: ThemeRow) -> Result<ThemeRow, StoreError> {
    let mut active = row.into_active_model();
    active.id = sea_orm::ActiveValue::NotSet;
    Ok(active.insert(db).await?)
}

pub async fn save_theme(db: &impl ConnectionTrait, row: ThemeRow) -> Result<ThemeRow, StoreError> {
    Ok(row.into_active_model().reset_all().update(db).await?)
}

/// Writes `row` over the theme only if it still has the `updated_at` it was read with (`seen`), in one
/// statement, so that two people changing a theme at once never silently undo each other; `None` when
/// it changed (or went) meanwhile. `row.updated_at` must differ from `seen`.
pub async fn save_theme_if(db: &impl ConnectionTrait, row: ThemeRow, seen: i64) -> Result<Option<ThemeRow>, StoreError> {
    let id = row.id;
    let done = themes::Entity::update_many()
        .set(row.clone().into_active_model().reset_all())
        .filter(themes::Column::Id.eq(id))
        .filter(themes::Column::UpdatedAt.eq(seen))
        .exec(db)
        .await?;
    Ok((done.rows_affected == 1).then_some(row))
}

pub async fn delete_theme(db: &impl ConnectionTrait, id: i32) -> Result<(), StoreError> {
    themes::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Review findings of a review in display order.
pub async fn findings(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<FindingRow>, StoreError> {
    Ok(findings::Entity::find()
        .filter(findings::Column::ReviewId.eq(review_id))
        .order_by_asc(findings::Column::Position)
        .order_by_asc(findings::Column::Id)
        .all(db)
        .await?)
}

pub async fn finding(db: &impl ConnectionTrait, review_id: i32, id: i32) -> Result<Option<FindingRow>, StoreError> {
    Ok(findings::Entity::find_by_id(id).filter(findings::Column::ReviewId.eq(review_id)).one(db).await?)
}

/// Inserts a finding; the id in `row` is ignored.
pub async fn add_finding(db: &impl ConnectionTrait, row: FindingRow) -> Result<FindingRow, StoreError> {
    let mut active = row.into_active_model();
    active.id = sea_orm::ActiveValue::NotSet;
    Ok(active.insert(db).await?)
}

/// [`save_theme_if`] for a review finding.
pub async fn save_finding_if(db: &impl ConnectionTrait, row: FindingRow, seen: i64) -> Result<Option<FindingRow>, StoreError> {
    let id = row.id;
    let done = findings::Entity::update_many()
        .set(row.clone().into_active_model().reset_all())
        .filter(findings::Column::Id.eq(id))
        .filter(findings::Column::UpdatedAt.eq(seen))
        .exec(db)
        .await?;
    Ok((done.rows_affected == 1).then_some(row))
}

pub async fn delete_finding(db: &impl ConnectionTrait, id: i32) -> Result<(), StoreError> {
    findings::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Sets `theme_id` to null on findings of a theme about to be deleted, and moves their `updated_at`
/// past `now` and past its old value, so an edit made from a copy read before is refused as stale
/// instead of bringing the theme back.
pub async fn detach_findings(db: &impl ConnectionTrait, review_id: i32, theme_id: i32, now: i64) -> Result<(), StoreError> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    findings::Entity::update_many()
        .col_expr(findings::Column::ThemeId, Expr::value(Option::<i32>::None))
        .col_expr(
            findings::Column::UpdatedAt,
            Expr::case(Expr::col(findings::Column::UpdatedAt).gte(now), Expr::col(findings::Column::UpdatedAt).add(1)).finally(now).into(),
        )
        .filter(findings::Column::ReviewId.eq(review_id))
        .filter(findings::Column::ThemeId.eq(theme_id))
        .exec(db)
        .await?;
    Ok(())
}
