//! One module per subcommand; `run` dispatches and owns the async runtime.

mod dedup;
mod parse;
mod reports;
mod service;
mod users;

use std::process::ExitCode;

use crate::cli::{Cli, Command, LogFormat};
use crate::config;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let file = config::load_file(cli.config.as_deref())?;
    let log_format = cli.log_format.or(file.log_format).unwrap_or(LogFormat::Human);
    match cli.command {
        // Pure commands: no runtime, no database, no logs on stdout.
        Command::Parse(args) => parse::run(&args),
        Command::Dedup(args) => dedup::run(&args),
        other => {
            crate::logging::init(log_format);
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            rt.block_on(async move {
                match other {
                    Command::Serve(args) => service::serve(args, &file).await,
                    Command::Migrate(args) => service::migrate(args, &file).await,
                    Command::Demo(args) => service::demo(args, &file).await,
                    Command::Import(args) => service::import(args, &file).await,
                    Command::Prisma(args) => reports::prisma(args, &file).await,
                    Command::Export(c) => reports::export(c, &file).await,
                    Command::User(c) => users::user(c, &file).await,
                    Command::Review(c) => users::review(c, &file).await,
                    Command::Parse(_) | Command::Dedup(_) => Ok(ExitCode::SUCCESS),
                }
            })
        }
    }
}

/// Connects to the configured database and applies pending migrations.
pub async fn open_store(flag: Option<&str>, file: &config::FileConfig) -> anyhow::Result<store::Store> {
    let url = config::database_url(flag, file)?;
    let store = store::connect(&url).await.map_err(|e| anyhow::anyhow!("{e}. Check that the database is running and the URL is right"))?;
    store.migrate().await.map_err(|e| anyhow::anyhow!("cannot apply migrations to {}: {e}", store::mask_url(&url)))?;
    Ok(store)
}

pub fn now_ms() -> i64 {
    server::time::now_ms()
}
