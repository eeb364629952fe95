//! Ballots remembered between calls: the records `next` and `vote-and-next` hand a reviewer, each with what a
//! vote on it is decided from (the item at its version, its votes, the stage's settings) and the
//! caller's access as it was read, so that the vote which follows is written without a read first.
//!
//! What is remembered is only a guess. The vote's write checks the item's version (every change to an
//! item or to its review's stage settings moves it) and the caller's access
//! (`store::reviews::AccessGate`: live session, enabled account, same review, same roles) in the same
//! statement, and writes nothing when either moved; the vote is then read and decided again, as if
//! nothing had been remembered. Nothing here is ever shown to anyone without that write succeeding.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How many ballots a process remembers at most (about 3 KB each, mostly the record's abstract).
const CAPACITY: usize = 20_000;

/// What a vote on one record handed to one session is decided from.
#[derive(Clone, Debug)]
pub struct Remembered {
    pub user: store::users::User,
    pub review: store::reviews::Review,
    pub roles: Vec<String>,
    pub ballot: store::screening::Ballot,
}

/// The process's remembered ballots.
pub type BallotMemo = Memo<Remembered>;

/// Values remembered by session and item, each under the review key it was handed out with and the
/// time it was (ms).
#[derive(Debug)]
pub struct Memo<V> {
    inner: Arc<Mutex<Entries<V>>>,
}

/// By session id and item id.
type Entries<V> = HashMap<(String, i32), Entry<V>>;

#[derive(Debug)]
struct Entry<V> {
    key: String,
    at: i64,
    value: V,
}

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Memo { inner: Arc::default() }
    }
}

impl<V> Clone for Memo<V> {
    fn clone(&self) -> Self {
        Memo { inner: Arc::clone(&self.inner) }
    }
}

impl<V> Memo<V> {
    /// Remembers a value for the session and item; when full, forgets those older than `max_age_ms`
    /// first, and everything if that is not enough.
    pub fn put(&self, session_id: &str, item_id: i32, key: &str, at: i64, value: V, max_age_ms: i64) {
        let Ok(mut m) = self.inner.lock() else { return };
        if m.len() >= CAPACITY {
            let oldest = at - max_age_ms;
            m.retain(|_, e| e.at > oldest);
            if m.len() >= CAPACITY {
                m.clear();
            }
        }
        m.insert((session_id.to_owned(), item_id), Entry { key: key.to_owned(), at, value });
    }

    /// Takes (and forgets) what is remembered for this session and item, if it was handed out under the
    /// same review key no longer than `max_age_ms` before `now`.
    pub fn take(&self, session_id: &str, item_id: i32, key: &str, now: i64, max_age_ms: i64) -> Option<V> {
        let mut m = self.inner.lock().ok()?;
        let e = m.remove(&(session_id.to_owned(), item_id))?;
        (e.key == key && now - e.at <= max_age_ms).then_some(e.value)
    }

    pub fn len(&self) -> usize {
        self.inner.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGE: i64 = 600_000;

    #[test]
    fn a_value_is_taken_once_by_its_session_under_its_key_while_fresh() {
        let memo = Memo::<u32>::default();
        memo.put("s1", 7, "qes", 1_000, 70, AGE);
        assert_eq!(memo.take("s2", 7, "qes", 1_000, AGE), None, "another session");
        assert_eq!(memo.take("s1", 8, "qes", 1_000, AGE), None, "another item");
        assert_eq!(memo.take("s1", 7, "qes", 2_000, AGE), Some(70));
        assert_eq!(memo.take("s1", 7, "qes", 2_000, AGE), None, "taken twice");

        memo.put("s1", 7, "qes", 1_000, 70, AGE);
        assert_eq!(memo.take("s1", 7, "other", 2_000, AGE), None, "asked under another review key");
        assert!(memo.is_empty(), "a refused take still forgets");

        memo.put("s1", 7, "qes", 1_000, 70, AGE);
        assert_eq!(memo.take("s1", 7, "qes", 1_000 + AGE + 1, AGE), None, "older than a reservation");
    }

    #[test]
    fn a_full_memo_forgets_old_values_first() {
        let memo = Memo::<usize>::default();
        for i in 0..CAPACITY {
            let at = if i < 10 { 0 } else { 500_000 };
            memo.put("s", i32::try_from(i).unwrap_or(0), "qes", at, i, AGE);
        }
        assert_eq!(memo.len(), CAPACITY);
        memo.put("s", -1, "qes", 700_000, 0, AGE);
        assert_eq!(memo.len(), CAPACITY - 10 + 1, "the ten handed out at 0 ms are forgotten");
        assert_eq!(memo.take("s", 3, "qes", 700_000, AGE), None);
        assert_eq!(memo.take("s", 20, "qes", 700_000, AGE), Some(20));
    }
}
