//! Accounts, sessions, login throttling and server-wide settings (such as the generated JWT secret).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(pk_auto(Users::Id))
                .col(string_uniq(Users::Email))
                .col(string(Users::Name))
                .col(string(Users::PasswordHash))
                .col(boolean(Users::IsAdmin).default(false))
                .col(boolean(Users::Disabled).default(false))
                .col(big_integer(Users::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(string(Sessions::Id).primary_key())
                .col(integer(Sessions::UserId))
                .col(string(Sessions::RefreshHash))
                .col(big_integer(Sessions::CreatedAt))
                .col(big_integer(Sessions::ExpiresAt))
                .col(big_integer_null(Sessions::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Sessions::Table, Sessions::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_sessions_user").table(Sessions::Table).col(Sessions::UserId).to_owned()).await?;
        m.create_table(
            Table::create()
                .table(LoginAttempts::Table)
                .col(pk_auto(LoginAttempts::Id))
                .col(string(LoginAttempts::Email))
                .col(string(LoginAttempts::Address))
                .col(boolean(LoginAttempts::Succeeded))
                .col(big_integer(LoginAttempts::At))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_login_attempts_email_at")
                .table(LoginAttempts::Table)
                .col(LoginAttempts::Email)
                .col(LoginAttempts::At)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_login_attempts_address_at")
                .table(LoginAttempts::Table)
                .col(LoginAttempts::Address)
                .col(LoginAttempts::At)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create().table(Settings::Table).col(string(Settings::Key).primary_key()).col(text(Settings::Value)).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Settings::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(LoginAttempts::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Sessions::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Users::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    IsAdmin,
    Disabled,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    RefreshHash,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum LoginAttempts {
    Table,
    Id,
    Email,
    Address,
    Succeeded,
    At,
}

#[derive(DeriveIden)]
enum Settings {
    Table,
    Key,
    Value,
}
