//! Thematic synthesis: verbatim extracts per included study, the codebook, codings (spans of extracts,
//! per coder), descriptive and analytical themes, and review findings with their GRADE-CERQual
//! assessment.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000002_create_reviews::Reviews;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn owned_by_review<T: IntoIden + Copy + 'static>(table: T, column: T) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, column).to(Reviews::Table, Reviews::Id).on_delete(ForeignKeyAction::Cascade).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Extracts::Table)
                .col(pk_auto(Extracts::Id))
                .col(integer(Extracts::ReviewId))
                .col(integer(Extracts::ItemId))
                .col(text(Extracts::Text))
                .col(string(Extracts::Kind))
                .col(integer_null(Extracts::Page))
                .col(string_null(Extracts::Section))
                .col(integer(Extracts::ExtractorId))
                .col(big_integer(Extracts::CreatedAt))
                .col(big_integer(Extracts::UpdatedAt))
                .foreign_key(&mut owned_by_review(Extracts::Table, Extracts::ReviewId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_extracts_review_item")
                .table(Extracts::Table)
                .col(Extracts::ReviewId)
                .col(Extracts::ItemId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Codes::Table)
                .col(pk_auto(Codes::Id))
                .col(integer(Codes::ReviewId))
                .col(string(Codes::Guid))
                .col(string(Codes::Name))
                .col(text(Codes::Description))
                .col(integer_null(Codes::ParentId))
                .col(string_null(Codes::Colour))
                .col(boolean(Codes::Codable))
                .col(integer(Codes::Position))
                .col(big_integer(Codes::CreatedAt))
                .foreign_key(&mut owned_by_review(Codes::Table, Codes::ReviewId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_codes_review_guid").table(Codes::Table).col(Codes::ReviewId).col(Codes::Guid).unique().to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Codings::Table)
                .col(pk_auto(Codings::Id))
                .col(integer(Codings::ReviewId))
                .col(integer(Codings::ExtractId))
                .col(integer(Codings::CodeId))
                .col(integer(Codings::SpanStart))
                .col(integer(Codings::SpanEnd))
                .col(integer(Codings::CoderId))
                .col(big_integer(Codings::CreatedAt))
                .foreign_key(&mut owned_by_review(Codings::Table, Codings::ReviewId))
                .foreign_key(
                    ForeignKey::create()
                        .from(Codings::Table, Codings::ExtractId)
                        .to(Extracts::Table, Extracts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Codings::Table, Codings::CodeId)
                        .to(Codes::Table, Codes::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_codings_extract").table(Codings::Table).col(Codings::ExtractId).to_owned()).await?;
        m.create_index(Index::create().name("idx_codings_code").table(Codings::Table).col(Codings::CodeId).to_owned()).await?;
        m.create_table(
            Table::create()
                .table(Themes::Table)
                .col(pk_auto(Themes::Id))
                .col(integer(Themes::ReviewId))
                .col(string(Themes::Kind))
                .col(string(Themes::Name))
                .col(text(Themes::Memo))
                .col(text(Themes::Members))
                .col(integer(Themes::Position))
                .col(big_integer(Themes::UpdatedAt))
                .foreign_key(&mut owned_by_review(Themes::Table, Themes::ReviewId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Findings::Table)
                .col(pk_auto(Findings::Id))
                .col(integer(Findings::ReviewId))
                .col(integer_null(Findings::ThemeId))
                .col(text(Findings::Summary))
                .col(text(Findings::Studies))
                .col(text_null(Findings::Assessment))
                .col(integer(Findings::Position))
                .col(integer(Findings::UpdatedBy))
                .col(big_integer(Findings::UpdatedAt))
                .foreign_key(&mut owned_by_review(Findings::Table, Findings::ReviewId))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Findings::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Themes::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Codings::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Codes::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Extracts::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Extracts {
    Table,
    Id,
    ReviewId,
    /// The full-text screening item of the study's main report.
    ItemId,
    /// The verbatim text; it cannot change once a coding points into it.
    Text,
    /// "participant quote" or "author interpretation".
    Kind,
    Page,
    Section,
    ExtractorId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Codes {
    Table,
    Id,
    ReviewId,
    /// The REFI-QDA GUID, kept so a codebook survives export and import.
    Guid,
    Name,
    Description,
    ParentId,
    /// `#rrggbb`.
    Colour,
    Codable,
    Position,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Codings {
    Table,
    Id,
    ReviewId,
    ExtractId,
    CodeId,
    /// Start of the span in Unicode scalar values from the start of the extract.
    SpanStart,
    /// End of the span (exclusive), in Unicode scalar values.
    SpanEnd,
    CoderId,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Themes {
    Table,
    Id,
    ReviewId,
    /// "descriptive" (groups codes) or "analytical" (groups descriptive themes).
    Kind,
    Name,
    Memo,
    /// JSON array of member ids: code ids for descriptive themes, theme ids for analytical ones.
    Members,
    Position,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Findings {
    Table,
    Id,
    ReviewId,
    ThemeId,
    Summary,
    /// JSON array of the contributing studies' item ids.
    Studies,
    /// JSON object: the four CERQual components, the overall confidence and its explanation.
    Assessment,
    Position,
    UpdatedBy,
    UpdatedAt,
}
