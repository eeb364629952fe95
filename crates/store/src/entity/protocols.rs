//! The `protocols` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "protocols")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub review_id: i32,
    /// `PICO`, `SPIDER` or `free`.
    pub framework: String,
    /// JSON object: the framework elements (e.g. {"P": "...", "I": "..."}).
    pub elements: String,
    pub inclusion: String,
    pub exclusion: String,
    /// JSON array: exclusion reasons, in order.
    pub reasons: String,
    /// JSON array.
    pub include_keywords: String,
    /// JSON array.
    pub exclude_keywords: String,
    pub version: i32,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
