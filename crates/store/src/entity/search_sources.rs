//! The `search_sources` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "search_sources")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub review_id: i32,
    pub kind: String,
    pub name: String,
    pub platform: Option<String>,
    pub searched_on: Option<String>,
    pub query: Option<String>,
    pub file_name: String,
    pub sha256: String,
    pub format: String,
    pub records_found: i32,
    pub warnings: i32,
    pub imported_at: i64,
    pub imported_by: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
