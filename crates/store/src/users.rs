//! Accounts, sessions and login attempts.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set, sea_query::Expr,
};

use crate::StoreError;
use crate::entity::{login_attempts, sessions, users};

pub type User = users::Model;
pub type Session = sessions::Model;

/// Creates an account; the email must be unused (compared case-insensitively by the caller).
pub async fn create(
    db: &impl ConnectionTrait,
    email: &str,
    name: &str,
    password_hash: &str,
    is_admin: bool,
    now: i64,
) -> Result<User, StoreError> {
    if by_email(db, email).await?.is_some() {
        return Err(StoreError::Conflict(format!("an account with the email {email} already exists")));
    }
    let row = users::ActiveModel {
        email: Set(email.to_owned()),
        name: Set(name.to_owned()),
        password_hash: Set(password_hash.to_owned()),
        is_admin: Set(is_admin),
        disabled: Set(false),
        created_at: Set(now),
        ..Default::default()
    };
    Ok(row.insert(db).await?)
}

pub async fn by_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<User>, StoreError> {
    Ok(users::Entity::find().filter(users::Column::Email.eq(email)).one(db).await?)
}

pub async fn by_id(db: &impl ConnectionTrait, id: i32) -> Result<Option<User>, StoreError> {
    Ok(users::Entity::find_by_id(id).one(db).await?)
}

pub async fn count(db: &impl ConnectionTrait) -> Result<u64, StoreError> {
    Ok(users::Entity::find().count(db).await?)
}

pub async fn set_password(db: &impl ConnectionTrait, id: i32, hash: &str) -> Result<(), StoreError> {
    let res = users::Entity::update_many()
        .col_expr(users::Column::PasswordHash, Expr::value(hash.to_owned()))
        .filter(users::Column::Id.eq(id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn set_disabled(db: &impl ConnectionTrait, id: i32, disabled: bool) -> Result<(), StoreError> {
    let res = users::Entity::update_many()
        .col_expr(users::Column::Disabled, Expr::value(disabled))
        .filter(users::Column::Id.eq(id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn create_session(
    db: &impl ConnectionTrait,
    id: &str,
    user_id: i32,
    refresh_hash: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    sessions::ActiveModel {
        id: Set(id.to_owned()),
        user_id: Set(user_id),
        refresh_hash: Set(refresh_hash.to_owned()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A session that exists, is not revoked and has not expired at `now`.
/// Names of the given accounts by id (missing ids are left out).
pub async fn names(db: &impl ConnectionTrait, ids: &[i32]) -> Result<std::collections::HashMap<i32, String>, StoreError> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    Ok(users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .column(users::Column::Name)
        .filter(users::Column::Id.is_in(ids.iter().copied()))
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// The account behind a live (not revoked, not expired) session, in one query: every authenticated
/// request asks this.
pub async fn session_user(db: &impl ConnectionTrait, session_id: &str, now: i64) -> Result<Option<User>, StoreError> {
    let sql = "SELECT u.* FROM users u JOIN sessions s ON s.user_id = u.id WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2";
    let statement = crate::screening::stmt(db.get_database_backend(), sql, vec![session_id.into(), now.into()]);
    Ok(users::Entity::find().from_raw_sql(statement).one(db).await?)
}

pub async fn live_session(db: &impl ConnectionTrait, id: &str, now: i64) -> Result<Option<Session>, StoreError> {
    Ok(sessions::Entity::find_by_id(id.to_owned())
        .filter(sessions::Column::RevokedAt.is_null())
        .filter(sessions::Column::ExpiresAt.gt(now))
        .one(db)
        .await?)
}

/// Replaces the refresh secret of a live session whose current secret hash is `old_hash` (rotation);
/// returns false when the old secret no longer matches (it was already used).
pub async fn rotate_session(
    db: &impl ConnectionTrait,
    id: &str,
    old_hash: &str,
    new_hash: &str,
    expires_at: i64,
) -> Result<bool, StoreError> {
    let res = sessions::Entity::update_many()
        .col_expr(sessions::Column::RefreshHash, Expr::value(new_hash.to_owned()))
        .col_expr(sessions::Column::ExpiresAt, Expr::value(expires_at))
        .filter(sessions::Column::Id.eq(id))
        .filter(sessions::Column::RefreshHash.eq(old_hash))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn revoke_session(db: &impl ConnectionTrait, id: &str, now: i64) -> Result<(), StoreError> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(now))
        .filter(sessions::Column::Id.eq(id))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

pub async fn revoke_user_sessions(db: &impl ConnectionTrait, user_id: i32, now: i64) -> Result<(), StoreError> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(now))
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

pub async fn record_login_attempt(
    db: &impl ConnectionTrait,
    email: &str,
    address: &str,
    succeeded: bool,
    now: i64,
) -> Result<(), StoreError> {
    login_attempts::ActiveModel {
        email: Set(email.to_owned()),
        address: Set(address.to_owned()),
        succeeded: Set(succeeded),
        at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Failed attempts since `since` for this account and for this address.
pub async fn failed_attempts_since(db: &impl ConnectionTrait, email: &str, address: &str, since: i64) -> Result<(u64, u64), StoreError> {
    let base =
        || login_attempts::Entity::find().filter(login_attempts::Column::Succeeded.eq(false)).filter(login_attempts::Column::At.gte(since));
    let by_email = base().filter(login_attempts::Column::Email.eq(email)).count(db).await?;
    let by_address = base().filter(login_attempts::Column::Address.eq(address)).count(db).await?;
    Ok((by_email, by_address))
}
