//! Creating accounts, shared by `sift user add`, the demo and the admin API.

use store::Store;

use crate::auth::hash_password;
use crate::error::{ApiError, FieldError};

/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 10;

/// Checks an email, a name and a password, returning every problem found.
pub fn validate(email: &str, name: &str, password: &str) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let email = email.trim();
    let valid_email = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'))
        && !email.chars().any(char::is_whitespace);
    if !valid_email {
        errors.push(FieldError { field: "email".into(), message: "must be an email address such as ana@example.org".into() });
    }
    if name.trim().is_empty() || name.len() > 200 {
        errors.push(FieldError { field: "name".into(), message: "must be 1 to 200 characters".into() });
    }
    if password.chars().count() < MIN_PASSWORD_LEN {
        errors.push(FieldError { field: "password".into(), message: format!("must be at least {MIN_PASSWORD_LEN} characters") });
    }
    if errors.is_empty() { Ok(()) } else { Err(ApiError::invalid(errors)) }
}

/// Creates an account with a hashed password. Emails are stored lower-cased.
pub async fn create(
    store: &Store,
    email: &str,
    name: &str,
    password: &str,
    is_admin: bool,
    now: i64,
) -> Result<store::users::User, ApiError> {
    validate(email, name, password)?;
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(ApiError::internal)??;
    Ok(store::users::create(&store.db, &email.trim().to_lowercase(), name.trim(), &hash, is_admin, now).await?)
}
