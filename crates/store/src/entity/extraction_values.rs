//! The `extraction_values` table: an extractor's values for one study, or the lead's reconciled values.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "extraction_values")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub review_id: i32,
    /// The full-text screening item of the study's main report.
    pub item_id: i32,
    /// The extractor; `None` for the lead's reconciled values.
    pub extractor_id: Option<i32>,
    /// JSON object keyed by field key.
    pub values: String,
    pub submitted: bool,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
