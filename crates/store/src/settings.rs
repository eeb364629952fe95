//! Server-wide key/value settings, such as the generated token-signing secret.

use sea_orm::{ConnectionTrait, EntityTrait, Set};

use crate::StoreError;
use crate::entity::settings;

pub async fn get(db: &impl ConnectionTrait, key: &str) -> Result<Option<String>, StoreError> {
    Ok(settings::Entity::find_by_id(key.to_owned()).one(db).await?.map(|s| s.value))
}

/// Stores `value` under `key` unless a value is already there, and returns the value that won.
/// Safe when several servers start at once: exactly one value is ever kept.
pub async fn get_or_insert(db: &impl ConnectionTrait, key: &str, value: &str) -> Result<String, StoreError> {
    let row = settings::ActiveModel { key: Set(key.to_owned()), value: Set(value.to_owned()) };
    settings::Entity::insert(row).on_conflict_do_nothing_on([settings::Column::Key]).exec(db).await?;
    get(db, key).await?.ok_or(StoreError::NotFound)
}
