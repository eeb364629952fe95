//! Extraction storage: a review's characteristics form (JSON), each extractor's values per study (JSON,
//! draft or submitted) and the lead's reconciled values (a row with no extractor). What values are valid
//! and how extractions compare lives in `synthesis::extraction`.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::StoreError;
use crate::entity::{extraction_forms, extraction_values};

pub type ValuesRow = extraction_values::Model;

/// The review's form as JSON, or `None` while no lead has defined one.
pub async fn form(db: &impl ConnectionTrait, review_id: i32) -> Result<Option<String>, StoreError> {
    Ok(extraction_forms::Entity::find_by_id(review_id).one(db).await?.map(|f| f.form))
}

/// Saves (or replaces) the review's form.
pub async fn save_form(db: &impl ConnectionTrait, review_id: i32, form: &str, by: i32, now: i64) -> Result<(), StoreError> {
    let row = extraction_forms::ActiveModel {
        review_id: Set(review_id),
        form: Set(form.to_owned()),
        updated_by: Set(Some(by)),
        updated_at: Set(now),
    };
    if extraction_forms::Entity::find_by_id(review_id).one(db).await?.is_some() {
        row.update(db).await?;
    } else {
        row.insert(db).await?;
    }
    Ok(())
}

/// Every row of a review (extractions and reconciled values), oldest first.
pub async fn all(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<ValuesRow>, StoreError> {
    Ok(extraction_values::Entity::find()
        .filter(extraction_values::Column::ReviewId.eq(review_id))
        .order_by_asc(extraction_values::Column::Id)
        .all(db)
        .await?)
}

/// The rows of one study (extractions and reconciled values), oldest first.
pub async fn of_study(db: &impl ConnectionTrait, item_id: i32) -> Result<Vec<ValuesRow>, StoreError> {
    Ok(extraction_values::Entity::find()
        .filter(extraction_values::Column::ItemId.eq(item_id))
        .order_by_asc(extraction_values::Column::Id)
        .all(db)
        .await?)
}

/// Saves values (JSON) for a study: an extractor's (draft or submitted), or with `extractor` `None` the
/// lead's reconciled values. Replaces the earlier row of the same extractor.
pub async fn put(
    db: &impl ConnectionTrait,
    review_id: i32,
    item_id: i32,
    extractor: Option<i32>,
    values: &str,
    submitted: bool,
    now: i64,
) -> Result<ValuesRow, StoreError> {
    let by = match extractor {
        Some(id) => extraction_values::Column::ExtractorId.eq(id),
        None => extraction_values::Column::ExtractorId.is_null(),
    };
    let existing = extraction_values::Entity::find().filter(extraction_values::Column::ItemId.eq(item_id)).filter(by).one(db).await?;
    match existing {
        Some(row) => {
            let mut active: extraction_values::ActiveModel = row.into();
            active.values = Set(values.to_owned());
            active.submitted = Set(submitted);
            active.updated_at = Set(now);
            Ok(active.update(db).await?)
        }
        None => Ok(extraction_values::ActiveModel {
            review_id: Set(review_id),
            item_id: Set(item_id),
            extractor_id: Set(extractor),
            values: Set(values.to_owned()),
            submitted: Set(submitted),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?),
    }
}
