//! Imported records: conversion between citations and rows, and the queries over them.
//!
//! A row's display columns hold the record as reviewers see it (for a record that absorbed duplicates,
//! the merged best values); the `original` column keeps the record exactly as parsed from its file, so a
//! merge can always be undone and nothing imported is lost.

use citation::{Author, Citation};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::{Value, json};

use crate::entity::records;
use crate::{StoreError, json_list, parse_json_list};

pub type Record = records::Model;

/// Serialises a citation, every field and original tag included, for the `original` column.
pub fn citation_to_json(c: &Citation) -> Value {
    json!({
        "source_id": c.source_id,
        "type": c.ref_type,
        "title": c.title,
        "authors": c.authors.iter().map(|a| json!({"family": a.family, "given": a.given})).collect::<Vec<_>>(),
        "year": c.year,
        "journal": c.journal,
        "journal_abbrev": c.journal_abbrev,
        "volume": c.volume,
        "issue": c.issue,
        "start_page": c.start_page,
        "end_page": c.end_page,
        "doi": c.doi,
        "pmid": c.pmid,
        "pmcid": c.pmcid,
        "issn": c.issn,
        "isbn": c.isbn,
        "abstract": c.abstract_text,
        "keywords": c.keywords,
        "language": c.language,
        "urls": c.urls,
        "fields": c.fields.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
        "line": c.line,
    })
}

/// The stored JSON of [`citation_to_json`].
#[derive(serde::Deserialize)]
struct Stored {
    #[serde(default)]
    source_id: String,
    #[serde(rename = "type")]
    ref_type: Option<String>,
    title: Option<String>,
    #[serde(default)]
    authors: Vec<StoredAuthor>,
    year: Option<i64>,
    journal: Option<String>,
    journal_abbrev: Option<String>,
    volume: Option<String>,
    issue: Option<String>,
    start_page: Option<String>,
    end_page: Option<String>,
    doi: Option<String>,
    pmid: Option<String>,
    pmcid: Option<String>,
    issn: Option<String>,
    isbn: Option<String>,
    #[serde(rename = "abstract")]
    abstract_text: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    language: Option<String>,
    #[serde(default)]
    urls: Vec<String>,
    #[serde(default)]
    fields: Vec<(String, String)>,
    line: Option<u64>,
}

#[derive(serde::Deserialize)]
struct StoredAuthor {
    #[serde(default)]
    family: String,
    given: Option<String>,
}

/// Parses a stored original straight into a citation.
pub fn citation_from_str(text: &str) -> Result<Citation, StoreError> {
    let s: Stored = serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Citation {
        source_id: s.source_id,
        ref_type: s.ref_type.unwrap_or_else(|| "GEN".to_owned()),
        title: s.title,
        authors: s.authors.into_iter().map(|a| Author { family: a.family, given: a.given }).collect(),
        year: s.year.and_then(|y| i32::try_from(y).ok()),
        journal: s.journal,
        journal_abbrev: s.journal_abbrev,
        volume: s.volume,
        issue: s.issue,
        start_page: s.start_page,
        end_page: s.end_page,
        doi: s.doi,
        pmid: s.pmid,
        pmcid: s.pmcid,
        issn: s.issn,
        isbn: s.isbn,
        abstract_text: s.abstract_text,
        keywords: s.keywords,
        language: s.language,
        urls: s.urls,
        fields: s.fields,
        line: s.line.and_then(|l| u32::try_from(l).ok()).unwrap_or(0),
    })
}

/// What deduplication needs of every record: its id, what it is merged into, and its original values.
#[derive(Clone, Debug)]
pub struct Original {
    pub id: i32,
    pub merged_into: Option<i32>,
    pub citation: Citation,
}

/// Every record of a review as parsed from its file, in import order, reading only the columns needed.
pub async fn originals(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<Original>, StoreError> {
    let rows: Vec<(i32, Option<i32>, String)> = records::Entity::find()
        .select_only()
        .column(records::Column::Id)
        .column(records::Column::MergedInto)
        .column(records::Column::Original)
        .filter(records::Column::ReviewId.eq(review_id))
        .order_by_asc(records::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    rows.into_iter().map(|(id, merged_into, text)| Ok(Original { id, merged_into, citation: citation_from_str(&text)? })).collect()
}

/// Builds the row for a freshly imported citation.
pub(crate) fn new_row(review_id: i32, source_id: i32, position: i32, c: &Citation, now: i64) -> records::ActiveModel {
    let mut row = records::ActiveModel {
        review_id: Set(review_id),
        search_source_id: Set(source_id),
        source_record_id: Set(c.source_id.clone()),
        position: Set(position),
        original: Set(citation_to_json(c).to_string()),
        merged_into: Set(None),
        created_at: Set(now),
        ..Default::default()
    };
    set_display(&mut row, c);
    row
}

/// Writes a citation's values into a row's display columns.
fn set_display(row: &mut records::ActiveModel, c: &Citation) {
    let authors: Vec<String> = c.authors.iter().map(Author::display).collect();
    row.ref_type = Set(c.ref_type.clone());
    row.title = Set(c.title.clone());
    row.authors = Set(json_list(&authors));
    row.year = Set(c.year);
    row.journal = Set(c.journal.clone());
    row.journal_abbrev = Set(c.journal_abbrev.clone());
    row.volume = Set(c.volume.clone());
    row.issue = Set(c.issue.clone());
    row.start_page = Set(c.start_page.clone());
    row.end_page = Set(c.end_page.clone());
    row.doi = Set(c.doi.clone());
    row.pmid = Set(c.pmid.clone());
    row.pmcid = Set(c.pmcid.clone());
    row.issn = Set(c.issn.clone());
    row.isbn = Set(c.isbn.clone());
    row.abstract_text = Set(c.abstract_text.clone());
    row.keywords = Set(json_list(&c.keywords));
    row.language = Set(c.language.clone());
    row.urls = Set(json_list(&c.urls));
}

/// Replaces the display values of a record (after a merge or an unmerge).
pub async fn set_display_values(db: &impl ConnectionTrait, id: i32, c: &Citation) -> Result<(), StoreError> {
    let row = records::Entity::find_by_id(id).one(db).await?.ok_or(StoreError::NotFound)?;
    let mut active: records::ActiveModel = row.into();
    set_display(&mut active, c);
    active.update(db).await?;
    Ok(())
}

/// The record as it was parsed from its file.
pub fn original(r: &Record) -> Result<Citation, StoreError> {
    citation_from_str(&r.original)
}

/// The record's display values as a citation.
pub fn display(r: &Record) -> Citation {
    Citation {
        source_id: r.source_record_id.clone(),
        ref_type: r.ref_type.clone(),
        title: r.title.clone(),
        authors: parse_json_list(&r.authors).iter().map(|a| Author::parse(a)).collect(),
        year: r.year,
        journal: r.journal.clone(),
        journal_abbrev: r.journal_abbrev.clone(),
        volume: r.volume.clone(),
        issue: r.issue.clone(),
        start_page: r.start_page.clone(),
        end_page: r.end_page.clone(),
        doi: r.doi.clone(),
        pmid: r.pmid.clone(),
        pmcid: r.pmcid.clone(),
        issn: r.issn.clone(),
        isbn: r.isbn.clone(),
        abstract_text: r.abstract_text.clone(),
        keywords: parse_json_list(&r.keywords),
        language: r.language.clone(),
        urls: parse_json_list(&r.urls),
        fields: Vec::new(),
        line: 0,
    }
}

pub async fn get(db: &impl ConnectionTrait, review_id: i32, id: i32) -> Result<Option<Record>, StoreError> {
    Ok(records::Entity::find_by_id(id).filter(records::Column::ReviewId.eq(review_id)).one(db).await?)
}

/// Every record of a review (merged duplicates included), in import order.
pub async fn all(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<Record>, StoreError> {
    Ok(records::Entity::find().filter(records::Column::ReviewId.eq(review_id)).order_by_asc(records::Column::Id).all(db).await?)
}

/// One page of the records reviewers see (duplicates merged away), in import order.
pub async fn page(db: &impl ConnectionTrait, review_id: i32, offset: u64, limit: u64) -> Result<Vec<Record>, StoreError> {
    Ok(records::Entity::find()
        .filter(records::Column::ReviewId.eq(review_id))
        .filter(records::Column::MergedInto.is_null())
        .order_by_asc(records::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?)
}

/// The citation fields a search of a review's records reads.
#[derive(Clone, Debug, sea_orm::FromQueryResult)]
pub struct SearchFields {
    pub id: i32,
    pub title: Option<String>,
    /// As stored: a JSON list (see [`crate::parse_json_list`]).
    pub authors: String,
    pub year: Option<i32>,
    pub journal: Option<String>,
    pub doi: Option<String>,
    pub pmid: Option<String>,
}

/// The [`SearchFields`] of every record left after deduplication, in import order.
pub async fn citations(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<SearchFields>, StoreError> {
    use sea_orm::QuerySelect;
    Ok(records::Entity::find()
        .select_only()
        .columns([
            records::Column::Id,
            records::Column::Title,
            records::Column::Authors,
            records::Column::Year,
            records::Column::Journal,
            records::Column::Doi,
            records::Column::Pmid,
        ])
        .filter(records::Column::ReviewId.eq(review_id))
        .filter(records::Column::MergedInto.is_null())
        .order_by_asc(records::Column::Id)
        .into_model::<SearchFields>()
        .all(db)
        .await?)
}

/// The review's records with these ids, in id order.
pub async fn by_ids(db: &impl ConnectionTrait, review_id: i32, ids: &[i32]) -> Result<Vec<Record>, StoreError> {
    Ok(records::Entity::find()
        .filter(records::Column::ReviewId.eq(review_id))
        .filter(records::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(records::Column::Id)
        .all(db)
        .await?)
}

/// Records that were merged into `kept_id`.
pub async fn merged_into(db: &impl ConnectionTrait, kept_id: i32) -> Result<Vec<Record>, StoreError> {
    Ok(records::Entity::find().filter(records::Column::MergedInto.eq(kept_id)).order_by_asc(records::Column::Id).all(db).await?)
}

/// (all imported records, records left after duplicates were removed).
pub async fn counts(db: &impl ConnectionTrait, review_id: i32) -> Result<(u64, u64), StoreError> {
    let total = records::Entity::find().filter(records::Column::ReviewId.eq(review_id)).count(db).await?;
    let unique = records::Entity::find()
        .filter(records::Column::ReviewId.eq(review_id))
        .filter(records::Column::MergedInto.is_null())
        .count(db)
        .await?;
    Ok((total, unique))
}

/// Points `id` at `kept` (a merge), or back at nothing (`kept = None`, an unmerge).
pub async fn set_merged_into(db: &impl ConnectionTrait, id: i32, kept: Option<i32>) -> Result<(), StoreError> {
    records::Entity::update_many()
        .col_expr(records::Column::MergedInto, sea_orm::sea_query::Expr::value(kept))
        .filter(records::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
