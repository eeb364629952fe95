//! The `reviews` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reviews")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    pub question: String,
    pub archived: bool,
    pub created_by: Option<i32>,
    pub created_at: i64,
    /// Updated reviews: studies and reports included in the previous version (PRISMA).
    pub previous_studies: Option<i32>,
    pub previous_reports: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
