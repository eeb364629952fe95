//! Dual screening: the protocol (criteria, reasons, keywords), stage settings, screening items (one per
//! record or report and stage), votes, reservations, lead resolutions, and full-text files.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_accounts::Users;
use crate::m20261123_000002_create_reviews::Reviews;
use crate::m20261123_000003_create_imports::Records;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Protocols::Table)
                .col(integer(Protocols::ReviewId).primary_key())
                .col(string(Protocols::Framework))
                .col(text(Protocols::Elements))
                .col(text(Protocols::Inclusion))
                .col(text(Protocols::Exclusion))
                .col(text(Protocols::Reasons))
                .col(text(Protocols::IncludeKeywords))
                .col(text(Protocols::ExcludeKeywords))
                .col(integer(Protocols::Version))
                .col(big_integer(Protocols::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Protocols::Table, Protocols::ReviewId)
                        .to(Reviews::Table, Reviews::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(StageSettings::Table)
                .col(integer(StageSettings::ReviewId))
                .col(string(StageSettings::Stage))
                .col(integer(StageSettings::ReviewersPerRecord))
                .col(boolean(StageSettings::Blind))
                .col(boolean(StageSettings::MaybeIsConflict))
                .primary_key(Index::create().col(StageSettings::ReviewId).col(StageSettings::Stage))
                .foreign_key(
                    ForeignKey::create()
                        .from(StageSettings::Table, StageSettings::ReviewId)
                        .to(Reviews::Table, Reviews::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ScreeningItems::Table)
                .col(pk_auto(ScreeningItems::Id))
                .col(integer(ScreeningItems::ReviewId))
                .col(string(ScreeningItems::Stage))
                .col(integer(ScreeningItems::RecordId))
                .col(string(ScreeningItems::State))
                .col(integer(ScreeningItems::Needed))
                .col(integer(ScreeningItems::Votes))
                .col(string_null(ScreeningItems::Decision))
                .col(text_null(ScreeningItems::Reason))
                .col(integer_null(ScreeningItems::ResolvedBy))
                .col(text_null(ScreeningItems::ResolutionNote))
                .col(big_integer_null(ScreeningItems::DecidedAt))
                .col(integer_null(ScreeningItems::FileId))
                .col(text_null(ScreeningItems::NotRetrievedReason))
                .col(big_integer(ScreeningItems::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ScreeningItems::Table, ScreeningItems::ReviewId)
                        .to(Reviews::Table, Reviews::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ScreeningItems::Table, ScreeningItems::RecordId)
                        .to(Records::Table, Records::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_items_record_stage")
                .table(ScreeningItems::Table)
                .col(ScreeningItems::RecordId)
                .col(ScreeningItems::Stage)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_items_queue")
                .table(ScreeningItems::Table)
                .col(ScreeningItems::ReviewId)
                .col(ScreeningItems::Stage)
                .col(ScreeningItems::State)
                .col(ScreeningItems::Votes)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Votes::Table)
                .col(pk_auto(Votes::Id))
                .col(integer(Votes::ReviewId))
                .col(integer(Votes::ItemId))
                .col(integer(Votes::ReviewerId))
                .col(string(Votes::Vote))
                .col(text_null(Votes::Reason))
                .col(text_null(Votes::Note))
                .col(text(Votes::Tags))
                .col(string(Votes::FirstVote))
                .col(text_null(Votes::FirstReason))
                .col(big_integer(Votes::CreatedAt))
                .col(big_integer(Votes::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Votes::Table, Votes::ItemId)
                        .to(ScreeningItems::Table, ScreeningItems::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Votes::Table, Votes::ReviewerId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_votes_item_reviewer")
                .table(Votes::Table)
                .col(Votes::ItemId)
                .col(Votes::ReviewerId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_votes_reviewer")
                .table(Votes::Table)
                .col(Votes::ReviewId)
                .col(Votes::ReviewerId)
                .col(Votes::UpdatedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Reservations::Table)
                .col(integer(Reservations::ItemId))
                .col(integer(Reservations::ReviewerId))
                .col(big_integer(Reservations::ExpiresAt))
                .primary_key(Index::create().col(Reservations::ItemId).col(Reservations::ReviewerId))
                .foreign_key(
                    ForeignKey::create()
                        .from(Reservations::Table, Reservations::ItemId)
                        .to(ScreeningItems::Table, ScreeningItems::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Files::Table)
                .col(pk_auto(Files::Id))
                .col(integer(Files::ReviewId))
                .col(string(Files::FileName))
                .col(string(Files::ContentType))
                .col(big_integer(Files::Size))
                .col(string(Files::Sha256))
                .col(blob(Files::Bytes))
                .col(integer_null(Files::UploadedBy))
                .col(big_integer(Files::UploadedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Files::Table, Files::ReviewId)
                        .to(Reviews::Table, Reviews::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Files::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Reservations::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Votes::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ScreeningItems::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(StageSettings::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Protocols::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Protocols {
    Table,
    ReviewId,
    Framework,
    Elements,
    Inclusion,
    Exclusion,
    Reasons,
    IncludeKeywords,
    ExcludeKeywords,
    Version,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum StageSettings {
    Table,
    ReviewId,
    Stage,
    ReviewersPerRecord,
    Blind,
    MaybeIsConflict,
}

#[derive(DeriveIden)]
enum ScreeningItems {
    Table,
    Id,
    ReviewId,
    Stage,
    RecordId,
    State,
    Needed,
    Votes,
    Decision,
    Reason,
    ResolvedBy,
    ResolutionNote,
    DecidedAt,
    FileId,
    NotRetrievedReason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Votes {
    Table,
    Id,
    ReviewId,
    ItemId,
    ReviewerId,
    Vote,
    Reason,
    Note,
    Tags,
    FirstVote,
    FirstReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Reservations {
    Table,
    ItemId,
    ReviewerId,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Files {
    Table,
    Id,
    ReviewId,
    FileName,
    ContentType,
    Size,
    Sha256,
    Bytes,
    UploadedBy,
    UploadedAt,
}
