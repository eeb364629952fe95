//! The `records` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub review_id: i32,
    pub search_source_id: i32,
    pub source_record_id: String,
    pub position: i32,
    pub ref_type: String,
    pub title: Option<String>,
    /// JSON array of "Family, Given" strings.
    pub authors: String,
    pub year: Option<i32>,
    pub journal: Option<String>,
    pub journal_abbrev: Option<String>,
    pub volume: Option<String>,
    pub issue: Option<String>,
    pub start_page: Option<String>,
    pub end_page: Option<String>,
    pub doi: Option<String>,
    pub pmid: Option<String>,
    pub pmcid: Option<String>,
    pub issn: Option<String>,
    pub isbn: Option<String>,
    pub abstract_text: Option<String>,
    /// JSON array of strings.
    pub keywords: String,
    pub language: Option<String>,
    /// JSON array of strings.
    pub urls: String,
    /// The record as parsed from its file (every field and original tag), as JSON.
    pub original: String,
    pub merged_into: Option<i32>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
