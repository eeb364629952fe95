//! Invitations: a lead invites someone without an account to a review; a one-time link lets them set
//! their name and password and join with the invited role.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000002_create_reviews::Reviews;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Invitations::Table)
                .col(pk_auto(Invitations::Id))
                .col(integer(Invitations::ReviewId))
                .col(string(Invitations::Email))
                .col(string(Invitations::Role))
                .col(string_uniq(Invitations::TokenHash))
                .col(integer(Invitations::CreatedBy))
                .col(big_integer(Invitations::CreatedAt))
                .col(big_integer(Invitations::ExpiresAt))
                .col(big_integer_null(Invitations::AcceptedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Invitations::Table, Invitations::ReviewId)
                        .to(Reviews::Table, Reviews::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Invitations::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    ReviewId,
    Email,
    Role,
    TokenHash,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
}
