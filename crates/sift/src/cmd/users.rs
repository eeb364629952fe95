//! `sift user ...` and `sift review ...`: accounts and reviews for teams without a browser at hand.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use super::{now_ms, open_store};
use crate::cli::{ReviewCommand, UserCommand};
use crate::config::FileConfig;

/// Reads a password from a prompt (without echo) on a terminal, or the first line of standard input.
fn read_password(prompt: &str) -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(prompt)?;
        let again = rpassword::prompt_password("again: ")?;
        if first != again {
            anyhow::bail!("the two passwords differ; run the command again");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if password.is_empty() {
        anyhow::bail!("no password given; type one at the prompt or pipe it on standard input");
    }
    Ok(password)
}

fn api_error(e: server::error::ApiError) -> anyhow::Error {
    anyhow::anyhow!("{}", e.detail)
}

pub async fn user(cmd: UserCommand, file: &FileConfig) -> anyhow::Result<ExitCode> {
    match cmd {
        UserCommand::Add { email, name, admin, db } => {
            server::app::users::validate(&email, &name, "x".repeat(server::app::users::MIN_PASSWORD_LEN).as_str()).map_err(api_error)?;
            let password = read_password(&format!("password for {email}: "))?;
            let store = open_store(db.database.as_deref(), file).await?;
            let user = server::app::users::create(&store, &email, &name, &password, admin, now_ms()).await.map_err(api_error)?;
            println!("created account {} ({}){}", user.email, user.id, if user.is_admin { " with administrator rights" } else { "" });
        }
        UserCommand::Password { email, db } => {
            let store = open_store(db.database.as_deref(), file).await?;
            let user = store::users::by_email(&store.db, &email.trim().to_lowercase())
                .await?
                .ok_or_else(|| anyhow::anyhow!("no account uses {email}"))?;
            let password = read_password(&format!("new password for {email}: "))?;
            server::app::users::validate(&user.email, &user.name, &password).map_err(api_error)?;
            let hash = server::auth::hash_password(&password).map_err(api_error)?;
            store::users::set_password(&store.db, user.id, &hash).await?;
            store::users::revoke_user_sessions(&store.db, user.id, now_ms()).await?;
            println!("changed the password of {}; their sessions have ended", user.email);
        }
        UserCommand::Disable { email, enable, db } => {
            let store = open_store(db.database.as_deref(), file).await?;
            let user = store::users::by_email(&store.db, &email.trim().to_lowercase())
                .await?
                .ok_or_else(|| anyhow::anyhow!("no account uses {email}"))?;
            store::users::set_disabled(&store.db, user.id, !enable).await?;
            if !enable {
                store::users::revoke_user_sessions(&store.db, user.id, now_ms()).await?;
            }
            println!("{} {}", if enable { "enabled" } else { "disabled" }, user.email);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn review(cmd: ReviewCommand, file: &FileConfig) -> anyhow::Result<ExitCode> {
    match cmd {
        ReviewCommand::Create { slug, title, lead, db } => {
            let store = open_store(db.database.as_deref(), file).await?;
            let user = store::users::by_email(&store.db, &lead.trim().to_lowercase())
                .await?
                .ok_or_else(|| anyhow::anyhow!("no account uses {lead}; create it with `sift user add`"))?;
            let now = now_ms();
            let review = store::reviews::create(&store.db, &slug, &title, Some(user.id), now).await?;
            store::reviews::add_member(&store.db, review.id, user.id, "lead", now).await?;
            println!("created review {} ({}) led by {}", review.slug, review.id, user.email);
        }
        ReviewCommand::AddMember { review, email, role, db } => {
            let store = open_store(db.database.as_deref(), file).await?;
            let r = store::reviews::find(&store.db, &review).await?.ok_or_else(|| anyhow::anyhow!("no review {review:?}"))?;
            let user = store::users::by_email(&store.db, &email.trim().to_lowercase())
                .await?
                .ok_or_else(|| anyhow::anyhow!("no account uses {email}"))?;
            store::reviews::add_member(&store.db, r.id, user.id, &role, now_ms()).await?;
            println!("{} is now a {role} of {}", user.email, r.slug);
        }
    }
    Ok(ExitCode::SUCCESS)
}
