//! Storage for sift: connects to SQLite or PostgreSQL, applies migrations, and offers the queries the
//! server and CLI need. This is the only crate that speaks SQL; callers get plain row types and
//! [`StoreError`], never a sea-orm type in a signature they must match on.
//!
//! Time is an argument: every function that stamps a row takes `now` (Unix milliseconds).

pub mod appraisal;
pub mod audit;
pub mod dedup;
pub mod entity;
pub mod extraction;
pub mod imports;
pub mod jobs;
pub mod records;
pub mod reviews;
pub mod screening;
pub mod settings;
pub mod synthesis;
pub mod users;
mod writer;

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DbBackend, Statement, TransactionTrait};

pub use sea_orm::{DatabaseConnection, DatabaseTransaction};

/// Which database engine a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Reads the engine from the URL scheme (`sqlite:` or `postgres:`/`postgresql:`).
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::BadUrl(format!(
                "database URL {} is neither sqlite: nor postgres://; use e.g. sqlite://sift.db or postgres://user@host/db",
                mask_url(url)
            )))
        }
    }
}

/// Errors from the store. `NotFound` and `Conflict` are the caller's to explain; the rest are faults.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is malformed or names an unsupported engine.
    #[error("{0}")]
    BadUrl(String),
    /// The database could not be reached or refused the connection.
    #[error("cannot connect to the database at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// A row the caller asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness or state rule would be broken (the message says which).
    #[error("{0}")]
    Conflict(String),
    /// Any other database failure.
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// Stored JSON could not be read back.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A part of the store this process runs (SQLite's writer thread) has stopped.
    #[error("{0}")]
    Stopped(String),
}

/// A connected database with the sift schema.
#[derive(Clone, Debug)]
pub struct Store {
    pub db: DatabaseConnection,
    pub backend: Backend,
    /// Serialises this process's screening writes on SQLite, which has one writer at a time anyway;
    /// waiting here is cheaper than SQLite's busy retries.
    sqlite_writes: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// SQLite only: the thread that runs routing and votes (see [`writer`]).
    writer: Option<writer::Writer>,
    /// When this process last cleared expired reservations (Unix ms).
    last_sweep: std::sync::Arc<std::sync::atomic::AtomicI64>,
    /// Per review, stage and reviewer pair, the lowest item id where this process last found fresh
    /// items (a hint for routing on PostgreSQL, see `screening::route`).
    fresh_frontier: std::sync::Arc<std::sync::Mutex<Frontiers>>,
    /// PostgreSQL: the plain votes waiting to be written together (see `screening::batch`).
    vote_batcher: std::sync::Arc<screening::batch::Batcher>,
}

/// Fresh frontiers by (review, stage, reviewer pair).
type Frontiers = std::collections::HashMap<(i32, String, i32), i32>;

/// How many connections a process keeps to PostgreSQL (16 measured best in the load bench: fewer
/// queue statements in the pool, more share the cores more thinly).
pub const POSTGRES_POOL: u32 = 16;

/// Opens the database named by `url`; SQLite files are created when missing.
pub async fn connect(url: &str) -> Result<Store, StoreError> {
    let backend = Backend::from_url(url)?;
    // `writer`: the SQLite writer's own connection, which leaves checkpoints to the writer thread's
    // checkpointer (see `writer`) instead of doing one, with its fsync, inside a commit.
    let options = |max: u32, writer: bool| {
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.sqlx_logging(false).connect_timeout(Duration::from_secs(5)).acquire_timeout(Duration::from_secs(30));
        opts.max_connections(max).min_connections(1);
        // A pooled connection is pinged before use only after it sat idle for a while (one the server
        // or a firewall may have dropped), not on every checkout: on PostgreSQL that ping is a round
        // trip per query, as dear as a screening vote's own statement.
        opts.test_before_acquire_if_idle_for(Duration::from_secs(30));
        if backend == Backend::Sqlite {
            opts.map_sqlx_sqlite_opts(move |o| {
                o.create_if_missing(true)
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(30))
                    .foreign_keys(true)
                    // Statement journals and savepoints (every vote has one) in memory, not temp files.
                    .pragma("temp_store", "memory")
                    .pragma("wal_autocheckpoint", if writer { "0" } else { "1000" })
            });
        }
        opts
    };
    let unreachable = |e: sea_orm::DbErr| StoreError::Unreachable { url: mask_url(url), reason: first_line(&e.to_string()) };
    let db = Database::connect(options(if backend == Backend::Sqlite { 8 } else { POSTGRES_POOL }, false)).await.map_err(unreachable)?;
    let sqlite_writes = std::sync::Arc::new(tokio::sync::Mutex::new(()));
    let writer = match backend {
        Backend::Sqlite => {
            let own = Database::connect(options(1, true)).await.map_err(unreachable)?;
            Some(writer::Writer::start(own, db.clone(), sqlite_writes.clone())?)
        }
        Backend::Postgres => None,
    };
    Ok(Store {
        db,
        backend,
        sqlite_writes,
        writer,
        last_sweep: Default::default(),
        fresh_frontier: Default::default(),
        vote_batcher: Default::default(),
    })
}

impl Store {
    /// How many statements this process has written several votes with (PostgreSQL, see
    /// `screening::batch`), and how many votes those statements wrote.
    pub fn vote_batches(&self) -> (u64, u64) {
        self.vote_batcher.counts()
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Reverts the last `steps` migrations.
    pub async fn migrate_down(&self, steps: u32) -> Result<(), StoreError> {
        Migrator::down(&self.db, Some(steps)).await?;
        Ok(())
    }

    /// Names of applied migrations and of pending ones.
    pub async fn migration_status(&self) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let applied = Migrator::get_applied_migrations(&self.db).await?.iter().map(|m| m.name().to_owned()).collect();
        let pending = Migrator::get_pending_migrations(&self.db).await?.iter().map(|m| m.name().to_owned()).collect();
        Ok((applied, pending))
    }

    /// Starts a transaction; dropping it without `commit` rolls everything back.
    pub async fn begin(&self) -> Result<DatabaseTransaction, StoreError> {
        Ok(self.db.begin().await?)
    }

    /// Starts a transaction that holds the review's write lock until it ends, so that concurrent
    /// routing and voting on one review (from any server) happen one at a time. On PostgreSQL this is a
    /// transaction-scoped advisory lock; on SQLite the transaction takes the database write lock first
    /// (and this process queues its own writers in memory).
    pub async fn begin_locked(&self, review_id: i32) -> Result<Locked, StoreError> {
        let guard = match self.backend {
            Backend::Sqlite => Some(self.sqlite_writes.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let txn = self.db.begin().await?;
        let backend = txn.get_database_backend();
        let sql = match self.backend {
            Backend::Postgres => "SELECT pg_advisory_xact_lock(7193, $1)",
            Backend::Sqlite => "UPDATE reviews SET archived = archived WHERE id = ?",
        };
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, [review_id.into()])).await?;
        Ok(Locked { txn, _guard: guard })
    }

    /// Runs a writing statement where this backend's hot writes run and returns its rows: on SQLite on
    /// the writer thread (in a transaction shared with other writes, see [`writer`]); on PostgreSQL
    /// right here on the pool, where row locks keep concurrent writers apart.
    pub(crate) async fn write_query(&self, statement: Statement) -> Result<Vec<sea_orm::QueryResult>, StoreError> {
        match &self.writer {
            Some(w) => w.run(move |txn| async move { Ok(txn.query_all_raw(statement).await?) }).await,
            None => Ok(self.db.query_all_raw(statement).await?),
        }
    }

    /// [`Store::write_query`] for a statement without rows: returns the rows it changed.
    pub(crate) async fn write_exec(&self, statement: Statement) -> Result<u64, StoreError> {
        match &self.writer {
            Some(w) => w.run(move |txn| async move { Ok(txn.execute_raw(statement).await?.rows_affected()) }).await,
            None => Ok(self.db.execute_raw(statement).await?.rows_affected()),
        }
    }

    /// Runs a trivial query: `Ok` means the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let backend: DbBackend = self.db.get_database_backend();
        self.db.execute_raw(Statement::from_string(backend, "SELECT 1")).await?;
        Ok(())
    }

    /// Closes the pool, waiting for connections to return.
    pub async fn close(self) {
        if let Some(w) = self.writer {
            w.close().await;
        }
        let _ = self.db.close().await;
    }
}

/// A transaction holding a review's write lock; dropping it without `commit` rolls back.
pub struct Locked {
    pub txn: DatabaseTransaction,
    _guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl std::fmt::Debug for Locked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Locked")
    }
}

impl Locked {
    pub async fn commit(self) -> Result<(), StoreError> {
        self.txn.commit().await?;
        Ok(())
    }
}

/// Hides the password (and any token in the query) of a database URL, for logs and messages.
pub fn mask_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let masked: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => kv.to_owned(),
                })
                .collect();
            format!("{path}?{}", masked.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_owned()
}

/// Serialises a list of strings for a JSON text column.
pub(crate) fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

/// Reads a JSON text column written by [`json_list`].
pub fn parse_json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::mask_url;

    #[test]
    fn masks_passwords() {
        assert_eq!(mask_url("postgres://sift:hunter2@db:5432/sift"), "postgres://sift:***@db:5432/sift");
        assert_eq!(mask_url("postgres://db/sift?user=a&password=x"), "postgres://db/sift?user=a&password=***");
        assert_eq!(mask_url("postgres://root@127.0.0.1/test"), "postgres://root@127.0.0.1/test");
        assert_eq!(mask_url("sqlite://sift.db?mode=rwc"), "sqlite://sift.db?mode=rwc");
    }
}
