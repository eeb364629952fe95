//! The `extraction_forms` table: one characteristics form per review.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "extraction_forms")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub review_id: i32,
    /// JSON: `synthesis::extraction::Form`.
    pub form: String,
    pub updated_by: Option<i32>,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
