//! Prometheus metrics: request counts and latencies by route and status, votes by where their ballot
//! came from and how many were written together, served at `GET /metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    /// The route pattern (`/api/reviews/{review}`), never the raw path, to keep cardinality bounded.
    pub route: String,
    pub status: u16,
}

/// Where a vote (`PUT .../vote` or `vote-and-next`) was decided from.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BallotLabels {
    /// `remembered` (a ballot kept from the call that handed the record out, written without a read),
    /// `stale` (one was kept, but the record or the caller's access had changed: read again) or `read`.
    pub ballot: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct NextLabels {
    /// Where `vote-and-next` found the records it shows next: `held` (the session's holding) or
    /// `picked` (routing, in the vote's statement or after it).
    pub from: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TopUpLabels {
    /// `full` (routing reserved more than one record), `short` (one or none: the holding runs out),
    /// `failed`, or `skipped` (it waited for a lane until the holding no longer wanted it).
    pub outcome: String,
}

#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub latency: Family<RequestLabels, Histogram>,
    pub records_imported: Counter,
    pub database_up: Gauge,
    pub vote_ballots: Family<BallotLabels, Counter>,
    pub vote_next: Family<NextLabels, Counter>,
    pub holding_top_ups: Family<TopUpLabels, Counter>,
    /// The store's counts of votes written together (PostgreSQL), brought up to date when rendered.
    pub vote_batches: Counter,
    pub votes_batched: Counter,
    syncing: std::sync::Mutex<()>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("sift");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RequestLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0])
        });
        let records_imported = Counter::default();
        let database_up = Gauge::default();
        let vote_ballots = Family::<BallotLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests handled", requests.clone());
        registry.register("http_request_duration_seconds", "HTTP request latency", latency.clone());
        registry.register("records_imported", "Citation records imported", records_imported.clone());
        registry.register("database_up", "1 when the last health check reached the database", database_up.clone());
        registry.register("vote_ballots", "Votes, by where their ballot came from", vote_ballots.clone());
        let vote_next = Family::<NextLabels, Counter>::default();
        registry.register("vote_next", "Votes that asked for next records, by where those came from", vote_next.clone());
        let holding_top_ups = Family::<TopUpLabels, Counter>::default();
        registry.register("holding_top_ups", "Holdings topped up after a vote, by outcome", holding_top_ups.clone());
        let (vote_batches, votes_batched) = (Counter::default(), Counter::default());
        registry.register("vote_batches", "Statements that wrote several votes together (PostgreSQL)", vote_batches.clone());
        registry.register("votes_batched", "Votes written together with others (PostgreSQL)", votes_batched.clone());
        Metrics {
            registry,
            requests,
            latency,
            records_imported,
            database_up,
            vote_ballots,
            vote_next,
            holding_top_ups,
            vote_batches,
            votes_batched,
            syncing: std::sync::Mutex::new(()),
        }
    }
}

impl Metrics {
    /// Counts a vote by where its ballot came from ([`BallotLabels`]).
    pub fn count_ballot(&self, ballot: &str) {
        self.vote_ballots.get_or_create(&BallotLabels { ballot: ballot.to_owned() }).inc();
    }

    /// Counts a `vote-and-next` by where its next records came from ([`NextLabels`]).
    pub fn count_vote_next(&self, from: &str) {
        self.vote_next.get_or_create(&NextLabels { from: from.to_owned() }).inc();
    }

    /// Counts a holding's top-up by its outcome ([`TopUpLabels`]).
    pub fn count_top_up(&self, outcome: &str) {
        self.holding_top_ups.get_or_create(&TopUpLabels { outcome: outcome.to_owned() }).inc();
    }

    /// Brings the counts of votes written together up to the store's (`store::Store::vote_batches`).
    pub fn sync_vote_batches(&self, (batches, batched): (u64, u64)) {
        let _one_at_a_time = self.syncing.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.vote_batches.inc_by(batches.saturating_sub(self.vote_batches.get()));
        self.votes_batched.inc_by(batched.saturating_sub(self.votes_batched.get()));
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}
