//! SQLite's one writer: a thread of its own that runs the screening hot path's writes (routing and
//! votes) on a connection of its own, several to a transaction.
//!
//! SQLite lets one connection write at a time, so these writes queue somewhere. Queued on the HTTP
//! workers, a write that holds the lock is parked at every statement behind a hundred busy requests
//! before it runs again; on this thread, with nothing else to do, it runs straight on, and its
//! connection never waits for a free one in the pool.
//!
//! Writes that queue up while one transaction runs share the next (group commit): one `BEGIN
//! IMMEDIATE ... COMMIT` for the lot, so the pages they touch reach the WAL once and the readers'
//! caches are reset once. Each write is all or nothing inside the transaction (a single statement, or a
//! script with its own savepoint), and each caller hears of its write only once the transaction has
//! committed. A write that fails ends its transaction early: the writes before it commit, the ones
//! after it go into the next.
//!
//! The writer's connection does not checkpoint the WAL when it commits (that copies pages and waits
//! for an fsync, stalling every write queued behind it); a checkpointer on the same thread asks a
//! pool connection for a passive checkpoint every [`CHECKPOINT_EVERY`].

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, SqliteTransactionMode, TransactionOptions, TransactionTrait};

use crate::StoreError;

/// The most writes one transaction takes.
const MAX_BATCH: usize = 32;

/// How often the WAL is checkpointed while the writer runs.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// Tells a write's caller how it ended, once its transaction has (`Err` with the reason when the
/// transaction did not commit).
type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;

/// A write that ran: whether it succeeded, and how to tell its caller.
struct Ran {
    ok: bool,
    deliver: Deliver,
}

/// A queued write.
trait Work: Send {
    fn run(self: Box<Self>, txn: Arc<DatabaseTransaction>) -> Pin<Box<dyn Future<Output = Ran> + Send>>;
    /// The write could not run (its transaction did not begin).
    fn fail(self: Box<Self>, why: String);
}

struct Write<F, T> {
    work: F,
    done: tokio::sync::oneshot::Sender<Result<T, StoreError>>,
}

impl<F, Fut, T> Work for Write<F, T>
where
    T: Send + 'static,
    F: FnOnce(Arc<DatabaseTransaction>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, StoreError>> + Send + 'static,
{
    fn run(self: Box<Self>, txn: Arc<DatabaseTransaction>) -> Pin<Box<dyn Future<Output = Ran> + Send>> {
        let Write { work, done } = *self;
        Box::pin(async move {
            let res = work(txn).await;
            let ok = res.is_ok();
            let deliver: Deliver = Box::new(move |commit| {
                let res = match (res, commit) {
                    (Ok(v), Ok(())) => Ok(v),
                    (Ok(_), Err(why)) => Err(StoreError::Stopped(format!("the write was not saved: {why}"))),
                    (Err(e), _) => Err(e),
                };
                let _ = done.send(res);
            });
            Ran { ok, deliver }
        })
    }

    fn fail(self: Box<Self>, why: String) {
        let _ = self.done.send(Err(StoreError::Stopped(format!("the write could not start: {why}"))));
    }
}

/// A handle on the writer thread; cloning shares the thread.
#[derive(Clone)]
pub(crate) struct Writer {
    jobs: tokio::sync::mpsc::UnboundedSender<Box<dyn Work>>,
    db: DatabaseConnection,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

impl Writer {
    /// Starts the thread; `db` is the connection it writes on (a pool of one), `pool` the store's
    /// other connections (for checkpoints). `turn` is held for each transaction, so writes through
    /// [`crate::Store::begin_locked`] (on other connections) take turns with the writer's instead of
    /// meeting SQLite's busy handler.
    pub(crate) fn start(db: DatabaseConnection, pool: DatabaseConnection, turn: Arc<tokio::sync::Mutex<()>>) -> Result<Writer, StoreError> {
        let (jobs, queue) = tokio::sync::mpsc::unbounded_channel::<Box<dyn Work>>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::Stopped(format!("cannot start the SQLite writer thread: {e}")))?;
        let conn = db.clone();
        std::thread::Builder::new()
            .name("sift-sqlite-writer".into())
            .spawn(move || {
                runtime.block_on(async move {
                    tokio::spawn(checkpoints(pool));
                    serve(conn, turn, queue).await;
                })
            })
            .map_err(|e| StoreError::Stopped(format!("cannot start the SQLite writer thread: {e}")))?;
        Ok(Writer { jobs, db })
    }

    /// Runs `work` on the writer thread, inside a transaction it may share with other writes, and
    /// returns its result once that transaction has committed. `work` must leave nothing behind when it
    /// fails: one statement, or a script under its own savepoint. It runs to its end even if the caller
    /// stops waiting, so a write is never cut off halfway.
    pub(crate) async fn run<T, F, Fut>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(Arc<DatabaseTransaction>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let (done, result) = tokio::sync::oneshot::channel();
        self.jobs.send(Box::new(Write { work, done })).map_err(|_| StoreError::Stopped("the SQLite writer thread has stopped".into()))?;
        result.await.map_err(|_| StoreError::Stopped("the SQLite writer thread stopped during a write".into()))?
    }

    /// Closes the writer's connection; the thread ends once every handle is gone.
    pub(crate) async fn close(self) {
        let _ = self.db.close().await;
    }
}

/// Checkpoints the WAL now and then, on a pool connection, until the pool is closed. A passive
/// checkpoint copies what no reader still needs and waits for nobody.
async fn checkpoints(pool: DatabaseConnection) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.get_sqlite_connection_pool().is_closed() {
            return;
        }
        if let Err(e) = pool.execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)").await {
            tracing::warn!(error = %e, "WAL checkpoint failed; the next one will try again");
        }
    }
}

/// The writer thread's loop: takes what has queued (up to [`MAX_BATCH`]), runs it in one transaction,
/// commits, tells the callers. Ends when every handle is dropped.
async fn serve(db: DatabaseConnection, turn: Arc<tokio::sync::Mutex<()>>, mut queue: tokio::sync::mpsc::UnboundedReceiver<Box<dyn Work>>) {
    let immediate = TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() };
    let mut pending: VecDeque<Box<dyn Work>> = VecDeque::new();
    loop {
        if pending.is_empty() {
            match queue.recv().await {
                Some(job) => pending.push_back(job),
                None => return,
            }
        }
        while pending.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => pending.push_back(job),
                Err(_) => break,
            }
        }
        let _turn = turn.lock().await;
        let txn = match db.begin_with_options(immediate).await {
            Ok(txn) => Arc::new(txn),
            Err(e) => {
                let why = e.to_string();
                for job in pending.drain(..) {
                    job.fail(why.clone());
                }
                continue;
            }
        };
        let mut ran = Vec::new();
        while ran.len() < MAX_BATCH {
            let Some(job) = pending.pop_front() else { break };
            let Ran { ok, deliver } = job.run(txn.clone()).await;
            ran.push(deliver);
            if !ok {
                // Whatever went wrong may have ended the transaction; commit what came before and
                // leave the rest to the next.
                break;
            }
        }
        let commit = match Arc::try_unwrap(txn) {
            Ok(txn) => txn.commit().await.map_err(|e| e.to_string()),
            Err(_) => Err("a write kept its transaction past its end".to_owned()),
        };
        for deliver in ran {
            deliver(commit.clone());
        }
    }
}
