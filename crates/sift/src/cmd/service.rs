//! `sift serve`, `sift migrate`, `sift demo` and `sift import`: the commands that use a database.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

use super::{now_ms, open_store};
use crate::cli::{DbArgs, ImportArgs, MigrateAction, MigrateArgs, ServeArgs};
use crate::config::{self, FileConfig};

pub async fn serve(args: ServeArgs, file: &FileConfig) -> anyhow::Result<ExitCode> {
    let url = config::database_url(args.db.database.as_deref(), file)?;
    let settings = config::server_settings(args.bind.as_deref(), &url, args.secure_cookies, args.workers, file)?;
    let store = open_store(Some(&url), file).await?;
    if args.demo {
        let created = server::app::demo::seed(&store, settings.files_dir.as_deref(), now_ms())
            .await
            .map_err(|e| anyhow::anyhow!("cannot write the demo review: {}", e.detail))?;
        tracing::info!(created, "demo review ready");
    }
    tracing::info!(settings = ?settings, "starting");
    let app = server::Application::build(settings.clone(), store).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let host = settings.bind.rsplit_once(':').map(|(h, _)| h).unwrap_or("127.0.0.1");
    let base = format!("http://{}:{}", if host == "0.0.0.0" { "127.0.0.1" } else { host }, app.port());
    println!("sift is serving {base}  (database: {})", store::mask_url(&url));
    if args.demo {
        println!("demo review: {base}/reviews/demo");
        println!("demo accounts (demo data; do not reuse these passwords):");
        for u in server::app::demo::USERS {
            println!("  {:<8} {:<18} password: {}", u.role, u.email, u.password);
        }
    }
    println!("press Ctrl-C to stop");
    app.run_until_stopped().await.context("the server stopped with an error")?;
    Ok(ExitCode::SUCCESS)
}

pub async fn migrate(args: MigrateArgs, file: &FileConfig) -> anyhow::Result<ExitCode> {
    let url = config::database_url(args.db.database.as_deref(), file)?;
    let store = store::connect(&url).await.map_err(|e| anyhow::anyhow!("{e}. Check that the database is running and the URL is right"))?;
    match args.action {
        MigrateAction::Up => {
            store.migrate().await?;
            println!("database {} is up to date", store::mask_url(&url));
        }
        MigrateAction::Down => {
            store.migrate_down(args.steps).await?;
            println!("reverted {} migration(s) on {}", args.steps, store::mask_url(&url));
        }
        MigrateAction::Status => {
            let (applied, pending) = store.migration_status().await?;
            for m in applied {
                println!("applied  {m}");
            }
            for m in pending {
                println!("pending  {m}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn demo(args: DbArgs, file: &FileConfig) -> anyhow::Result<ExitCode> {
    let store = open_store(args.database.as_deref(), file).await?;
    let created = server::app::demo::seed(&store, config::files_dir(file).as_deref(), now_ms())
        .await
        .map_err(|e| anyhow::anyhow!("cannot write the demo review: {}", e.detail))?;
    if created {
        println!("wrote the demo review `demo`; accounts:");
        for u in server::app::demo::USERS {
            println!("  {:<8} {:<18} password: {}", u.role, u.email, u.password);
        }
    } else {
        println!("the demo review `demo` is already there; nothing changed");
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn import(args: ImportArgs, file: &FileConfig) -> anyhow::Result<ExitCode> {
    let store = open_store(args.db.database.as_deref(), file).await?;
    let review = store::reviews::find(&store.db, &args.review).await?.ok_or_else(|| {
        anyhow::anyhow!("no review {:?}; list reviews in the browser or create one with `sift review create`", args.review)
    })?;
    if let Some(d) = &args.searched_on {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(d, &fmt).map_err(|_| anyhow::anyhow!("--searched-on {d:?} is not a date; use YYYY-MM-DD"))?;
    }
    let query = match &args.query_file {
        Some(p) => {
            Some(std::fs::read_to_string(p).with_context(|| format!("cannot read the query file {}", p.display()))?.trim().to_owned())
        }
        None => None,
    };
    let open = || std::fs::File::open(&args.file).with_context(|| format!("cannot open {}", args.file.display()));
    // Without --database-name (or --platform), the source is named as the file's records name it.
    let origin = if args.database_name.is_none() || args.platform.is_none() {
        let reader = std::io::BufReader::with_capacity(1 << 20, open()?);
        server::app::import::preview(reader, args.format.to_format()).await.map(|p| p.origin).unwrap_or_default()
    } else {
        citation::origin::Origin::default()
    };
    let handle = open()?;
    let size = handle.metadata().map(|m| m.len()).unwrap_or(0);
    let file_name = args.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let req = server::app::import::ImportRequest {
        review_id: review.id,
        kind: args.kind.clone(),
        name: args.database_name.clone().or(origin.database).unwrap_or_else(|| file_name.clone()),
        platform: args.platform.clone().or(origin.platform),
        searched_on: args.searched_on.clone(),
        query,
        file_name,
        format: args.format.to_format(),
        actor: None,
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg}: {pos} records ({per_sec})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        b
    });
    let progress_bar = bar.clone();
    let progress: server::app::import::ProgressFn = Arc::new(move |stage, done, _total| {
        if let Some(b) = &progress_bar {
            b.set_message(stage.to_owned());
            b.set_position(u64::try_from(done).unwrap_or(0));
        }
    });
    let reader = std::io::BufReader::with_capacity(1 << 20, handle);
    let summary = match server::app::import::import(&store, &req, reader, now_ms(), progress.clone()).await {
        Ok(s) => s,
        Err(server::app::import::ImportError::Rejected(diags)) => {
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            for d in &diags {
                let sev = if d.severity == citation::Severity::Error { "error" } else { "warning" };
                eprintln!("{}:{}: {sev}: {}", args.file.display(), d.line, d.message);
            }
            anyhow::bail!("nothing was imported from {}: fix the lines above, or force the right --format", args.file.display());
        }
        Err(e) => anyhow::bail!("nothing was imported from {}: {e}", args.file.display()),
    };
    let dedup = server::app::dedup::run(&store, review.id, None, now_ms(), progress).await?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    for d in &summary.warnings {
        eprintln!("{}:{}: warning: {}", args.file.display(), d.line, d.message);
    }
    println!(
        "imported {} records from {} ({}, {} bytes, sha256 {}) into {} as source {}; {} merged as duplicates, {} pairs for a person to check",
        summary.records,
        args.file.display(),
        summary.format.name(),
        size,
        summary.sha256,
        review.slug,
        summary.source_id,
        dedup.merged,
        dedup.queued
    );
    Ok(ExitCode::SUCCESS)
}
