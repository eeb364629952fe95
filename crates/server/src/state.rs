//! What every request handler can reach: the store, signing keys, settings, metrics, job progress and
//! remembered ballots and holdings.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::auth::Keys;
use crate::metrics::Metrics;
use crate::settings::Settings;

#[derive(Clone, Debug)]
pub struct AppState {
    pub store: store::Store,
    pub keys: Keys,
    pub settings: Arc<Settings>,
    pub metrics: Arc<Metrics>,
    pub jobs: JobBoard,
    /// Ballots of the records handed out by `next` and `vote-and-next`, for the votes that follow.
    pub ballots: crate::memo::BallotMemo,
    /// Records reserved for each session beyond those it asked for, handed out by later votes.
    pub holdings: crate::memo::SessionHoldings,
    /// Lanes for holdings' top-ups: at most `app::screening::TOP_UP_LANES` run at once.
    pub top_ups: Arc<tokio::sync::Semaphore>,
}

/// Live progress of jobs running in this process. The database holds each job's state at every stage
/// boundary (and, on PostgreSQL, after every batch), so any server can answer for any job; this board
/// adds finer progress for the jobs this process is running itself.
#[derive(Clone, Debug, Default)]
pub struct JobBoard {
    inner: Arc<Mutex<HashMap<String, Progress>>>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    pub stage: String,
    pub done: i64,
    pub total: i64,
}

impl JobBoard {
    pub fn set(&self, id: &str, stage: &str, done: i64, total: i64) {
        if let Ok(mut m) = self.inner.lock() {
            m.insert(id.to_owned(), Progress { stage: stage.to_owned(), done, total });
        }
    }

    pub fn get(&self, id: &str) -> Option<Progress> {
        self.inner.lock().ok().and_then(|m| m.get(id).cloned())
    }

    pub fn remove(&self, id: &str) {
        if let Ok(mut m) = self.inner.lock() {
            m.remove(id);
        }
    }
}
