//! The `appraisals` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "appraisals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub review_id: i32,
    /// The full-text screening item of the study's main report.
    pub item_id: i32,
    pub appraiser_id: i32,
    pub instrument_id: String,
    /// JSON array of answers.
    pub answers: String,
    pub submitted: bool,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
