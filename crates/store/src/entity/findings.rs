//! The `findings` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "findings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub review_id: i32,
    pub theme_id: Option<i32>,
    pub summary: String,
    /// JSON array of item ids.
    pub studies: String,
    /// JSON object with the CERQual assessment, or null before it is assessed.
    pub assessment: Option<String>,
    pub position: i32,
    pub updated_by: i32,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
