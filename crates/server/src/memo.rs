//! Ballots remembered between calls: the records `next` and `vote-and-next` hand a reviewer, each with what a
//! vote on it is decided from (the item at its version, its votes, the stage's settings) and the
//! caller's access as it was read, so that the vote which follows is written without a read first.
//!
//! What is remembered is only a guess. The vote's write checks the item's version (every change to an
//! item or to its review's stage settings moves it) and the caller's access
//! (`store::reviews::AccessGate`: live session, enabled account, same review, same roles) in the same
//! statement, and writes nothing when either moved; the vote is then read and decided again, as if
//! nothing had been remembered. Nothing here is ever shown to anyone without that write succeeding.
//!
//! Beside them, each session's holding ([`Holdings`]): the records routing reserved for it beyond those
//! it asked for, which `vote-and-next` hands out, in order, without picking again, and tops up in the
//! background before it runs out ([`Holdings::top_up_due`]).

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

/// How many sessions' holdings a process keeps at most (a few records each, about 3 KB a record);
/// when full, all are forgotten and the next votes pick again.
const HOLDINGS_CAPACITY: usize = 5_000;

/// Records routing reserved for a session beyond those it asked for, by session and review key, one
/// list per stage, in the order they are handed out. `vote-and-next` hands the next records from here
/// while there are enough, so that it picks (and reserves) only every few votes instead of on every
/// one. Like a ballot, a holding is a guess: its records stay reserved for the reviewer until their
/// reservations run out or a lead moves them (the vote that hands one out checks it still is, see
/// `store::screening::VoteWrite::still_held`), the holding is used only for half that time, and a
/// vote on one of its records is written only if the record is unchanged, and decided again from a
/// fresh read when it is not.
#[derive(Debug)]
pub struct Holdings<V = store::screening::Handed> {
    inner: Arc<Mutex<HeldBy<V>>>,
}

/// By session id and review key, a holding per stage.
type HeldBy<V> = HashMap<(String, String), Vec<Holding<V>>>;

/// The session's holdings.
pub type SessionHoldings = Holdings<store::screening::Handed>;

/// What a holding keeps: something with an item id.
pub trait HeldItem: Clone {
    fn item_id(&self) -> i32;
}

impl HeldItem for store::screening::Handed {
    fn item_id(&self) -> i32 {
        self.item.id
    }
}

#[derive(Debug)]
struct Holding<V> {
    user_id: i32,
    stage: String,
    /// When routing reserved these records (ms); a top-up's records, reserved later, keep it.
    at: i64,
    items: Vec<V>,
    /// Where the holding's top-up is ([`Holdings::top_up_due`]).
    top_up: TopUp,
    /// A top-up brought no more than one record: the stage no longer has plenty nobody holds, so the
    /// holding runs out and the vote that finds it empty picks, as near a stage's end it always did.
    dry: bool,
}

/// A holding's top-up: none wanted, wanted and waiting for a lane, or running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TopUp {
    Idle,
    Queued,
    Running,
}

impl<V> Default for Holdings<V> {
    fn default() -> Self {
        Holdings { inner: Arc::default() }
    }
}

impl<V> Clone for Holdings<V> {
    fn clone(&self) -> Self {
        Holdings { inner: Arc::clone(&self.inner) }
    }
}

impl<V: HeldItem> Holdings<V> {
    /// What the session now holds at a stage: what routing just handed it (all it reserved, in order).
    pub fn set(&self, session_id: &str, user_id: i32, key: &str, stage: &str, at: i64, items: Vec<V>) {
        let Ok(mut m) = self.inner.lock() else { return };
        if m.len() >= HOLDINGS_CAPACITY {
            m.clear();
        }
        let list = m.entry((session_id.to_owned(), key.to_owned())).or_default();
        list.retain(|h| h.stage != stage);
        if !items.is_empty() {
            list.push(Holding { user_id, stage: stage.to_owned(), at, items, top_up: TopUp::Idle, dry: false });
        }
    }

    /// The session's vote on `item_id` is in: the item leaves its holding. Returns the next `count`
    /// records of that holding when it has that many and is younger than `max_age_ms`; `None` when a
    /// pick is needed (the holding is then forgotten), or when `count` is 0 (nothing is asked for; the
    /// rest of the holding stays).
    pub fn after_vote(&self, session_id: &str, key: &str, item_id: i32, count: usize, now: i64, max_age_ms: i64) -> Option<Vec<V>> {
        let mut m = self.inner.lock().ok()?;
        let list = m.get_mut(&(session_id.to_owned(), key.to_owned()))?;
        let at = list.iter().position(|h| h.items.iter().any(|i| i.item_id() == item_id))?;
        let h = &mut list[at];
        h.items.retain(|i| i.item_id() != item_id);
        if count == 0 {
            return None;
        }
        if h.items.len() >= count && now - h.at < max_age_ms {
            Some(h.items[..count].to_vec())
        } else {
            list.remove(at);
            None
        }
    }

    /// Whether the session's holding at `stage` should be topped up now: it is down to `count` records
    /// and one more (those shown now and those of the vote after), while the stage has plenty, and no
    /// top-up is on its way. True marks one wanted; the top-up then waits for a lane and asks
    /// [`Holdings::start_top_up`] whether it is still wanted, and [`Holdings::topped_up`] brings its
    /// records.
    pub fn top_up_due(&self, session_id: &str, key: &str, stage: &str, count: usize) -> bool {
        let Ok(mut m) = self.inner.lock() else { return false };
        let Some(h) = at_stage(&mut m, session_id, key, stage) else {
            return false;
        };
        let due = h.top_up == TopUp::Idle && !h.dry && !h.items.is_empty() && h.items.len() <= count + 1;
        if due {
            h.top_up = TopUp::Queued;
        }
        due
    }

    /// Whether a top-up that waited for a lane should run: the session's holding at `stage` still
    /// wants one and none is running. False when the holding is gone or was replaced by a new pick
    /// while the top-up waited (the vote that found it empty picked), or another top-up serves it; a
    /// top-up that runs makes the wanted one running.
    pub fn start_top_up(&self, session_id: &str, key: &str, stage: &str) -> bool {
        let Ok(mut m) = self.inner.lock() else { return false };
        match at_stage(&mut m, session_id, key, stage) {
            Some(h) if h.top_up == TopUp::Queued => {
                h.top_up = TopUp::Running;
                true
            }
            _ => false,
        }
    }

    /// A top-up's records (reserved for the session's reviewer, none of them held before) go to the
    /// end of the holding at `stage`, if the session still has one there. Otherwise they stay
    /// reserved, and the next pick hands them out among the reviewer's held records: the holding may
    /// be gone because it ran out and the vote that found it so picked, and that pick may already have
    /// handed these records out (releasing them then would let a colleague take a record on the
    /// reviewer's screen).
    pub fn topped_up(&self, session_id: &str, key: &str, stage: &str, items: Vec<V>) {
        let Ok(mut m) = self.inner.lock() else { return };
        let Some(h) = at_stage(&mut m, session_id, key, stage) else {
            return;
        };
        h.top_up = TopUp::Idle;
        h.dry |= items.len() <= 1;
        for item in items {
            if h.items.iter().all(|i| i.item_id() != item.item_id()) {
                h.items.push(item);
            }
        }
    }

    /// Forgets what every session of the account holds (a lead moved its reservations).
    pub fn forget_user(&self, user_id: i32) {
        if let Ok(mut m) = self.inner.lock() {
            m.retain(|_, list| {
                list.retain(|h| h.user_id != user_id);
                !list.is_empty()
            });
        }
    }
}

/// The session's holding at `stage`, if it has one.
fn at_stage<'m, V>(m: &'m mut HeldBy<V>, session_id: &str, key: &str, stage: &str) -> Option<&'m mut Holding<V>> {
    m.get_mut(&(session_id.to_owned(), key.to_owned()))?.iter_mut().find(|h| h.stage == stage)
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

    #[derive(Clone, Debug, PartialEq)]
    struct Rec(i32);

    impl HeldItem for Rec {
        fn item_id(&self) -> i32 {
            self.0
        }
    }

    fn handed(id: i32) -> Rec {
        Rec(id)
    }

    fn ids(items: &[Rec]) -> Vec<i32> {
        items.iter().map(|h| h.0).collect()
    }

    #[test]
    fn a_holding_hands_out_its_records_in_order_until_too_few_are_left() {
        let h = Holdings::<Rec>::default();
        h.set("s1", 9, "qes", "title_abstract", 1_000, (1..=5).map(handed).collect());
        assert_eq!(h.after_vote("s2", "qes", 1, 1, 1_000, AGE), None, "another session holds nothing");
        assert_eq!(h.after_vote("s1", "other", 1, 1, 1_000, AGE), None, "nor another review key");
        assert_eq!(h.after_vote("s1", "qes", 1, 1, 2_000, AGE).as_deref().map(ids), Some(vec![2]));
        assert_eq!(h.after_vote("s1", "qes", 2, 2, 2_000, AGE).as_deref().map(ids), Some(vec![3, 4]));
        // A vote through `PUT .../vote` (count 0) takes its record out and keeps the rest.
        assert_eq!(h.after_vote("s1", "qes", 4, 0, 2_000, AGE), None);
        assert_eq!(h.after_vote("s1", "qes", 3, 1, 2_000, AGE).as_deref().map(ids), Some(vec![5]));
        // The last record's vote finds too few left: a pick is needed, and the holding is gone.
        assert_eq!(h.after_vote("s1", "qes", 5, 1, 2_000, AGE), None);
        assert_eq!(h.after_vote("s1", "qes", 5, 1, 2_000, AGE), None);
        // Each stage has a holding of its own.
        h.set("s1", 9, "qes", "title_abstract", 3_000, (1..=3).map(handed).collect());
        h.set("s1", 9, "qes", "full_text", 3_000, (11..=13).map(handed).collect());
        assert_eq!(h.after_vote("s1", "qes", 11, 1, 3_000, AGE).as_deref().map(ids), Some(vec![12]));
        assert_eq!(h.after_vote("s1", "qes", 1, 1, 3_000, AGE).as_deref().map(ids), Some(vec![2]));
    }

    #[test]
    fn an_old_holding_or_one_whose_records_moved_is_not_used() {
        let h = Holdings::<Rec>::default();
        h.set("s1", 9, "qes", "title_abstract", 1_000, (1..=5).map(handed).collect());
        assert_eq!(h.after_vote("s1", "qes", 1, 1, 1_000 + AGE, AGE), None, "as old as its reservations may be");
        assert_eq!(h.after_vote("s1", "qes", 2, 1, 1_000, AGE), None, "forgotten with it");

        h.set("s1", 9, "qes", "title_abstract", 1_000, (1..=5).map(handed).collect());
        h.set("s1", 9, "qes", "full_text", 1_000, (11..=15).map(handed).collect());
        h.set("s2", 8, "qes", "title_abstract", 1_000, (21..=25).map(handed).collect());
        h.forget_user(9);
        assert_eq!(h.after_vote("s1", "qes", 1, 1, 1_000, AGE), None, "a lead moved the account's records");
        assert_eq!(h.after_vote("s1", "qes", 11, 1, 1_000, AGE), None);
        assert_eq!(h.after_vote("s2", "qes", 21, 1, 1_000, AGE).as_deref().map(ids), Some(vec![22]), "another account's stay");

        // A new pick replaces what the session held at that stage.
        h.set("s2", 8, "qes", "title_abstract", 1_000, (31..=33).map(handed).collect());
        assert_eq!(h.after_vote("s2", "qes", 22, 1, 1_000, AGE), None);
        assert_eq!(h.after_vote("s2", "qes", 31, 1, 1_000, AGE).as_deref().map(ids), Some(vec![32]));
    }

    #[test]
    fn a_holding_running_out_is_topped_up_once_at_a_time_until_a_top_up_comes_back_short() {
        let h = Holdings::<Rec>::default();
        let due = |count| h.top_up_due("s1", "qes", "title_abstract", count);
        assert!(!due(1), "nothing held");
        h.set("s1", 9, "qes", "title_abstract", 1_000, (1..=5).map(handed).collect());
        assert_eq!(h.after_vote("s1", "qes", 1, 1, 1_000, AGE).as_deref().map(ids), Some(vec![2]));
        assert!(!due(1), "four left");
        assert_eq!(h.after_vote("s1", "qes", 2, 1, 1_000, AGE).as_deref().map(ids), Some(vec![3]));
        assert!(!due(1), "three left");
        assert!(due(2), "three left are two shown and one behind them");
        assert!(!due(2), "one top-up at a time");
        let start = || h.start_top_up("s1", "qes", "title_abstract");
        assert!(start(), "the top-up wanted runs when its lane is free");
        assert!(!start(), "and only once");
        assert!(!due(2), "one top-up at a time while it runs");
        // Records voted on meanwhile are gone; what the top-up brings goes behind what is left.
        assert_eq!(h.after_vote("s1", "qes", 3, 1, 1_000, AGE).as_deref().map(ids), Some(vec![4]));
        h.topped_up("s1", "qes", "title_abstract", (6..=10).map(handed).collect());
        assert_eq!(h.after_vote("s1", "qes", 4, 2, 1_000, AGE).as_deref().map(ids), Some(vec![5, 6]));
        assert!(!due(1), "six left");
        for (voted, shown) in [(5, 6), (6, 7), (7, 8), (8, 9)] {
            assert_eq!(h.after_vote("s1", "qes", voted, 1, 1_000, AGE).as_deref().map(ids), Some(vec![shown]));
        }
        assert!(due(1), "down to two again");
        assert!(start());
        // A top-up of one record (or none): the stage has no plenty left, and the holding runs out.
        h.topped_up("s1", "qes", "title_abstract", vec![handed(11)]);
        assert_eq!(h.after_vote("s1", "qes", 9, 1, 1_000, AGE).as_deref().map(ids), Some(vec![10]));
        assert!(!due(1), "dry");
        assert_eq!(h.after_vote("s1", "qes", 10, 1, 1_000, AGE).as_deref().map(ids), Some(vec![11]));
        assert_eq!(h.after_vote("s1", "qes", 11, 1, 1_000, AGE), None, "the vote that finds it empty picks");
        // A new pick starts a holding that may be topped up again; a top-up for a forgotten one places
        // nothing (its records stay reserved for the reviewer's next pick).
        h.set("s1", 9, "qes", "title_abstract", 2_000, (21..=22).map(handed).collect());
        assert!(due(1));
        assert!(start());
        h.forget_user(9);
        h.topped_up("s1", "qes", "title_abstract", (23..=27).map(handed).collect());
        assert_eq!(h.after_vote("s1", "qes", 21, 1, 2_000, AGE), None);
        assert_eq!(h.after_vote("s1", "qes", 23, 1, 2_000, AGE), None);
    }

    #[test]
    fn a_top_up_that_waited_for_a_lane_runs_only_while_still_wanted() {
        let h = Holdings::<Rec>::default();
        let due = || h.top_up_due("s1", "qes", "title_abstract", 1);
        let start = || h.start_top_up("s1", "qes", "title_abstract");
        assert!(!start(), "nothing held, nothing wanted");
        h.set("s1", 9, "qes", "title_abstract", 1_000, (1..=2).map(handed).collect());
        assert!(!start(), "a holding that wants no top-up");
        assert!(due());
        // It waited so long that the holding ran out, and the vote that found it empty picked: the new
        // holding wants nothing yet, so the waiting top-up does not run.
        assert_eq!(h.after_vote("s1", "qes", 1, 1, 1_000, AGE).as_deref().map(ids), Some(vec![2]));
        assert_eq!(h.after_vote("s1", "qes", 2, 1, 1_000, AGE), None);
        h.set("s1", 9, "qes", "title_abstract", 1_000, (3..=5).map(handed).collect());
        assert!(!start(), "the holding it was for is gone");
        // The new holding's own top-up, wanted while an older one still waits: whichever comes to a
        // lane first runs, the other finds nothing left to do.
        assert_eq!(h.after_vote("s1", "qes", 3, 1, 1_000, AGE).as_deref().map(ids), Some(vec![4]));
        assert!(due());
        assert!(start());
        assert!(!start());
        h.topped_up("s1", "qes", "title_abstract", (6..=8).map(handed).collect());
        assert!(!start(), "served");
        assert_eq!(h.after_vote("s1", "qes", 4, 1, 1_000, AGE).as_deref().map(ids), Some(vec![5]));
        // Forgotten while waiting (a lead moved the account's records): nothing runs.
        for (voted, shown) in [(5, 6), (6, 7)] {
            assert_eq!(h.after_vote("s1", "qes", voted, 1, 1_000, AGE).as_deref().map(ids), Some(vec![shown]));
        }
        assert!(due());
        h.forget_user(9);
        assert!(!start());
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
