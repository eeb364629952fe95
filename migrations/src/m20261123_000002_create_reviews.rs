//! Reviews, their members and roles, and the append-only audit trail.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_accounts::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Reviews::Table)
                .col(pk_auto(Reviews::Id))
                .col(string_uniq(Reviews::Slug))
                .col(string(Reviews::Title))
                .col(text(Reviews::Question).default(""))
                .col(boolean(Reviews::Archived).default(false))
                .col(integer_null(Reviews::CreatedBy))
                .col(big_integer(Reviews::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Members::Table)
                .col(integer(Members::ReviewId))
                .col(integer(Members::UserId))
                .col(string(Members::Role))
                .col(big_integer(Members::AddedAt))
                .primary_key(Index::create().col(Members::ReviewId).col(Members::UserId).col(Members::Role))
                .foreign_key(
                    ForeignKey::create()
                        .from(Members::Table, Members::ReviewId)
                        .to(Reviews::Table, Reviews::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Members::Table, Members::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_members_user").table(Members::Table).col(Members::UserId).to_owned()).await?;
        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(pk_auto(AuditEvents::Id))
                .col(integer_null(AuditEvents::ReviewId))
                .col(integer_null(AuditEvents::ActorId))
                .col(big_integer(AuditEvents::At))
                .col(string(AuditEvents::Action))
                .col(string(AuditEvents::Entity))
                .col(string(AuditEvents::EntityId))
                .col(text_null(AuditEvents::Before))
                .col(text_null(AuditEvents::After))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_audit_review").table(AuditEvents::Table).col(AuditEvents::ReviewId).col(AuditEvents::Id).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuditEvents::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Members::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Reviews::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Reviews {
    Table,
    Id,
    Slug,
    Title,
    Question,
    Archived,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Members {
    Table,
    ReviewId,
    UserId,
    Role,
    AddedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    ReviewId,
    ActorId,
    At,
    Action,
    Entity,
    EntityId,
    Before,
    After,
}
