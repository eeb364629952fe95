//! Search sources (one per imported file), the records they brought, and background job progress.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000002_create_reviews::Reviews;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SearchSources::Table)
                .col(pk_auto(SearchSources::Id))
                .col(integer(SearchSources::ReviewId))
                .col(string(SearchSources::Kind))
                .col(string(SearchSources::Name))
                .col(string_null(SearchSources::Platform))
                .col(string_null(SearchSources::SearchedOn))
                .col(text_null(SearchSources::Query))
                .col(string(SearchSources::FileName))
                .col(string(SearchSources::Sha256))
                .col(string(SearchSources::Format))
                .col(integer(SearchSources::RecordsFound))
                .col(integer(SearchSources::Warnings))
                .col(big_integer(SearchSources::ImportedAt))
                .col(integer_null(SearchSources::ImportedBy))
                .foreign_key(
                    ForeignKey::create()
                        .from(SearchSources::Table, SearchSources::ReviewId)
                        .to(Reviews::Table, Reviews::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Records::Table)
                .col(pk_auto(Records::Id))
                .col(integer(Records::ReviewId))
                .col(integer(Records::SearchSourceId))
                .col(string(Records::SourceRecordId))
                .col(integer(Records::Position))
                .col(string(Records::RefType))
                .col(text_null(Records::Title))
                .col(text(Records::Authors))
                .col(integer_null(Records::Year))
                .col(text_null(Records::Journal))
                .col(text_null(Records::JournalAbbrev))
                .col(string_null(Records::Volume))
                .col(string_null(Records::Issue))
                .col(string_null(Records::StartPage))
                .col(string_null(Records::EndPage))
                .col(string_null(Records::Doi))
                .col(string_null(Records::Pmid))
                .col(string_null(Records::Pmcid))
                .col(string_null(Records::Issn))
                .col(string_null(Records::Isbn))
                .col(text_null(Records::AbstractText))
                .col(text(Records::Keywords))
                .col(string_null(Records::Language))
                .col(text(Records::Urls))
                .col(text(Records::Original))
                .col(integer_null(Records::MergedInto))
                .col(big_integer(Records::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Records::Table, Records::ReviewId)
                        .to(Reviews::Table, Reviews::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Records::Table, Records::SearchSourceId)
                        .to(SearchSources::Table, SearchSources::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_records_review_merged")
                .table(Records::Table)
                .col(Records::ReviewId)
                .col(Records::MergedInto)
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_records_source").table(Records::Table).col(Records::SearchSourceId).to_owned()).await?;
        m.create_table(
            Table::create()
                .table(Jobs::Table)
                .col(string(Jobs::Id).primary_key())
                .col(integer(Jobs::ReviewId))
                .col(string(Jobs::Kind))
                .col(string(Jobs::State))
                .col(string(Jobs::Stage))
                .col(big_integer(Jobs::Done))
                .col(big_integer(Jobs::Total))
                .col(text_null(Jobs::Result))
                .col(integer_null(Jobs::CreatedBy))
                .col(big_integer(Jobs::CreatedAt))
                .col(big_integer(Jobs::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Jobs::Table, Jobs::ReviewId)
                        .to(Reviews::Table, Reviews::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Jobs::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Records::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(SearchSources::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum SearchSources {
    Table,
    Id,
    ReviewId,
    Kind,
    Name,
    Platform,
    SearchedOn,
    Query,
    FileName,
    Sha256,
    Format,
    RecordsFound,
    Warnings,
    ImportedAt,
    ImportedBy,
}

#[derive(DeriveIden)]
pub(crate) enum Records {
    Table,
    Id,
    ReviewId,
    SearchSourceId,
    SourceRecordId,
    Position,
    RefType,
    Title,
    Authors,
    Year,
    Journal,
    JournalAbbrev,
    Volume,
    Issue,
    StartPage,
    EndPage,
    Doi,
    Pmid,
    Pmcid,
    Issn,
    Isbn,
    AbstractText,
    Keywords,
    Language,
    Urls,
    Original,
    MergedInto,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    ReviewId,
    Kind,
    State,
    Stage,
    Done,
    Total,
    Result,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}
