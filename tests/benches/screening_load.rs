//! Screening load benchmark: R concurrent reviewers (default 100) screen a review of N records
//! (default 50,000) over loopback HTTP, each looping `next` then `vote`, for a fixed time. Reports votes
//! per second and the latency percentiles of `next`, `vote` and the pair, on SQLite and (when
//! `SIFT_TEST_POSTGRES_URL` is set) PostgreSQL, and checks afterwards that no record got more votes than
//! it needs. The baseline, measured in the same run, is `GET /health` under the same concurrency: the
//! cost of the HTTP round trip alone.
//!
//! Run: `cargo bench -p tests --bench screening_load [-- RECORDS REVIEWERS SECONDS]`.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tests::{Db, TestApp};

const PW: &str = "load test password";

fn ris(n: usize) -> Vec<u8> {
    let mut out = String::with_capacity(n * 700);
    for i in 0..n {
        let _ = write!(
            out,
            "TY  - JOUR\r\nID  - L{i}\r\nAU  - Author{}, A.\r\nTI  - Distinct study {i} of peer support topic {}\r\nT2  - Journal {}\r\nPY  - {}\r\nDO  - 10.5555/load.{i}\r\nAB  - Abstract of study {i}: peer workers, homelessness and substance use, setting {}.\r\nER  - \r\n\r\n",
            i % 997,
            i % 89,
            i % 41,
            1995 + i % 30,
            i % 13
        );
    }
    out.into_bytes()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn summary(name: &str, mut v: Vec<f64>) -> String {
    v.sort_by(|a, b| a.total_cmp(b));
    format!(
        "{name:<8} n={:<7} p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        v.len(),
        percentile(&v, 0.5),
        percentile(&v, 0.99),
        v.last().copied().unwrap_or(f64::NAN)
    )
}

async fn run(kind: Db, records: usize, reviewers: usize, seconds: u64) {
    let Some(app) = TestApp::spawn(kind).await else {
        println!("{kind:?}: skipped (no database configured)");
        return;
    };
    let lead = app.user("lead@load.test", PW, false).await;
    app.review("load", lead).await;
    let token = app.login("lead@load.test", PW).await;
    let t = Instant::now();
    let (status, job) = app.import("load", &token, "load.ris", ris(records), "Generated").await;
    assert_eq!(status, 200, "{job}");
    assert_eq!(job["result"]["records"], records);
    println!("{kind:?}: imported and deduplicated {records} records in {:.1} s", t.elapsed().as_secs_f64());
    // Reviewers share one password hash: hashing 100 passwords is not what is measured.
    let hash = server::auth::hash_password(PW).expect("hash");
    let review = store::reviews::by_slug(&app.store.db, "load").await.expect("query").expect("review");
    let mut tokens = Vec::new();
    for i in 0..reviewers {
        let u =
            store::users::create(&app.store.db, &format!("r{i}@load.test"), &format!("Reviewer {i}"), &hash, false, 0).await.expect("user");
        store::reviews::add_member(&app.store.db, review.id, u.id, "reviewer", 0).await.expect("member");
        tokens.push(app.login(&format!("r{i}@load.test"), PW).await);
    }
    let client = reqwest::Client::builder().pool_max_idle_per_host(reviewers).build().expect("client");
    let base = Arc::new(app.base.clone());

    // Baseline: the HTTP round trip alone, same concurrency, a short while.
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut tasks = Vec::new();
    for _ in 0..reviewers {
        let (client, base) = (client.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let _ = client.get(format!("{base}/health")).send().await.map(|r| r.status());
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            lat
        }));
    }
    let mut health = Vec::new();
    for t in tasks {
        health.extend(t.await.expect("task"));
    }
    println!("{kind:?}: {}", summary("health", health.clone()));

    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let (client, base) = (client.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let (mut next_ms, mut vote_ms, mut pair_ms) = (Vec::new(), Vec::new(), Vec::new());
            while Instant::now() < deadline {
                let t0 = Instant::now();
                let res =
                    client.post(format!("{base}/api/reviews/load/stages/title_abstract/next?count=1")).bearer_auth(&token).send().await;
                let Ok(res) = res else { continue };
                let items: Value = res.json().await.unwrap_or(Value::Null);
                let t1 = Instant::now();
                let Some(id) = items.get(0).and_then(|i| i["id"].as_i64()) else { break };
                let vote = if (id as usize + i) % 3 == 0 { json!({"vote": "include"}) } else { json!({"vote": "exclude"}) };
                let res = client.put(format!("{base}/api/reviews/load/items/{id}/vote")).bearer_auth(&token).json(&vote).send().await;
                let ok = res.map(|r| r.status().is_success()).unwrap_or(false);
                let t2 = Instant::now();
                assert!(ok, "a vote failed under load");
                next_ms.push((t1 - t0).as_secs_f64() * 1000.0);
                vote_ms.push((t2 - t1).as_secs_f64() * 1000.0);
                pair_ms.push((t2 - t0).as_secs_f64() * 1000.0);
            }
            (next_ms, vote_ms, pair_ms)
        }));
    }
    let (mut next_all, mut vote_all, mut pair_all) = (Vec::new(), Vec::new(), Vec::new());
    for t in tasks {
        let (n, v, p) = t.await.expect("task");
        next_all.extend(n);
        vote_all.extend(v);
        pair_all.extend(p);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let votes = vote_all.len();
    println!("{kind:?}: {reviewers} reviewers, {votes} votes in {elapsed:.1} s = {:.0} votes/s", votes as f64 / elapsed);
    println!("{kind:?}: {}", summary("next", next_all));
    println!("{kind:?}: {}", summary("vote", vote_all));
    println!("{kind:?}: {}", summary("next+vote", pair_all.clone()));
    let mut sorted = pair_all;
    sorted.sort_by(|a, b| a.total_cmp(b));
    let mut h = health;
    h.sort_by(|a, b| a.total_cmp(b));
    println!("{kind:?}: next+vote p50 is {:.1}x the health round trip's p50", percentile(&sorted, 0.5) / percentile(&h, 0.5));
    // No record may hold more votes than it needs.
    let items = store::screening::all_items(&app.store.db, review.id).await.expect("items");
    let over = items.iter().filter(|i| i.votes > i.needed).count();
    let cast: i32 = items.iter().map(|i| i.votes).sum();
    assert_eq!(over, 0, "records with too many votes");
    assert_eq!(cast as usize, votes, "every vote counted once");
    println!("{kind:?}: checked: {cast} votes stored, no record over-filled");
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let records = args.first().copied().unwrap_or(50_000);
    let reviewers = args.get(1).copied().unwrap_or(100);
    let seconds = args.get(2).copied().unwrap_or(20) as u64;
    println!("screening load: {records} records, {reviewers} concurrent reviewers, {seconds} s per database, 2-core machine");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        run(Db::Sqlite, records, reviewers, seconds).await;
        run(Db::Postgres, records, reviewers, seconds).await;
    });
}
