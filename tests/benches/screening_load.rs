//! Screening load benchmark: R concurrent reviewers (default 100) screen a review of N records
//! (default 50,000) over loopback HTTP, each looping `next` then `vote`, for a fixed time. Reports votes
//! per second and the latency percentiles of `next`, `vote` and the pair, on SQLite and (when
//! `SIFT_TEST_POSTGRES_URL` is set) PostgreSQL, and checks afterwards that no record got more votes than
//! it needs. The baseline, measured in the same run, is `GET /health` under the same concurrency: the
//! cost of the HTTP round trip alone.
//!
//! Two phases per database: a closed loop (each reviewer asks again the moment a vote is in: the most
//! the server takes) and an open loop at RATE votes per second in all (each reviewer on a schedule, as
//! people read between votes), whose latencies count from the scheduled start. Each runs twice: with
//! `next` and the vote as two calls, and with `vote-and-next`, which casts the vote and brings the next
//! record in one call (as the screening page does). The open loop with `vote-and-next` starts with
//! every reviewer's page loading its first record, a second before the schedule starts. Each phase
//! also reports the CPU time per vote by where it went, and the open loop its p99 second by second.
//!
//! Run: `cargo bench -p tests --bench screening_load [-- RECORDS REVIEWERS SECONDS RATE] [sqlite|postgres]`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tests::{Db, TestApp};

const PW: &str = "load test password";

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

/// Prints one phase (`phase` ends with its punctuation): votes per second since `started`, and the latencies of next, vote and the pair.
fn report(who: &str, phase: &str, started: Instant, next: Vec<f64>, vote: Vec<f64>, pair: Vec<f64>) {
    let elapsed = started.elapsed().as_secs_f64();
    println!("{who}: {phase} {} votes in {elapsed:.1} s = {:.0} votes/s", vote.len(), vote.len() as f64 / elapsed);
    println!("{who}: {}", summary("next", next));
    println!("{who}: {}", summary("vote", vote));
    println!("{who}: {}", summary("next+vote", pair));
}

/// CPU time (in clock ticks, 1/100 s on Linux) by where it was spent, read from `/proc`: this
/// process's threads by name (the server's HTTP workers, its database runtime, the load generator),
/// the database (PostgreSQL's processes on this machine, or SQLite's threads in this process), and
/// the machine's idle and stolen time.
#[derive(Clone, Copy, Default)]
struct Cpu {
    http: u64,
    db_runtime: u64,
    load: u64,
    /// PostgreSQL's processes, or SQLite's threads (sift's writer and sqlx's connection workers).
    database: u64,
    other: u64,
    idle: u64,
    steal: u64,
}

/// utime + stime (+ cutime + cstime, for a process's reaped children) of a `/proc/.../stat` line.
fn stat_ticks(stat: &str, children: bool) -> Option<(String, u64)> {
    let (head, rest) = stat.rsplit_once(')')?;
    let comm = head.split_once('(')?.1.to_owned();
    let f: Vec<u64> = rest.split_whitespace().skip(11).take(4).filter_map(|v| v.parse().ok()).collect();
    let own = f.first()? + f.get(1)?;
    Some((comm, if children { own + f.get(2)? + f.get(3)? } else { own }))
}

fn cpu_now() -> Cpu {
    let mut c = Cpu::default();
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for t in tasks.flatten() {
            let Some((comm, ticks)) = std::fs::read_to_string(t.path().join("stat")).ok().and_then(|s| stat_ticks(&s, false)) else {
                continue;
            };
            match comm.as_str() {
                n if n.starts_with("actix-server") => c.http += ticks,
                "sift-db" => c.db_runtime += ticks,
                "load-gen" => c.load += ticks,
                n if n.starts_with("sift-sqlite") || n.starts_with("sqlx-sqlite") => c.database += ticks,
                _ => c.other += ticks,
            }
        }
    }
    if let Ok(procs) = std::fs::read_dir("/proc") {
        for p in procs.flatten() {
            if !p.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            if let Some((comm, ticks)) = std::fs::read_to_string(p.path().join("stat")).ok().and_then(|s| stat_ticks(&s, true))
                && comm == "postgres"
            {
                c.database += ticks;
            }
        }
    }
    if let Some(line) = std::fs::read_to_string("/proc/stat").ok().and_then(|s| s.lines().next().map(str::to_owned)) {
        let f: Vec<u64> = line.split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
        c.idle = f.get(3).copied().unwrap_or(0) + f.get(4).copied().unwrap_or(0);
        c.steal = f.get(7).copied().unwrap_or(0);
    }
    c
}

/// Prints the CPU time a phase spent per vote (per call, for the health baseline), by where it went.
/// It moves with the machine's speed too, so it shows where the time goes rather than ranking builds.
fn report_cpu(who: &str, before: Cpu, after: Cpu, votes: usize) {
    let per = |a: u64, b: u64| (a.saturating_sub(b)) as f64 * 10.0 / votes.max(1) as f64;
    let (http, runtime, load, database, other) = (
        per(after.http, before.http),
        per(after.db_runtime, before.db_runtime),
        per(after.load, before.load),
        per(after.database, before.database),
        per(after.other, before.other),
    );
    println!(
        "{who}: CPU per vote: {:.3} ms = server HTTP workers {http:.3}, server database runtime {runtime:.3}, database {database:.3}, load generator {load:.3}, other {other:.3} (machine idle {:.3}, stolen {:.3})",
        http + runtime + load + database + other,
        per(after.idle, before.idle),
        per(after.steal, before.steal),
    );
}

/// How a reviewer's loop asks for records.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Calls {
    /// `next`, then `vote`.
    Two,
    /// `vote-and-next`: the vote brings the next record.
    One,
}

/// Every reviewer loops next-then-vote until `deadline`; with `pace`, each starts a pair every `pace`
/// (staggered across reviewers) and latency counts from the scheduled start. With `Calls::One` the
/// `next` latency is that of the first record only (the rest come with the votes).
/// How many of a phase's votes PostgreSQL wrote together with others (`store::screening::write_votes`),
/// from the store's counts before and after.
fn report_batches(who: &str, (b0, v0): (u64, u64), (b1, v1): (u64, u64), votes: usize) {
    let (batches, batched) = (b1 - b0, v1 - v0);
    if batches == 0 {
        return;
    }
    println!(
        "{who}: votes written together: {batched} of {votes} ({:.1}%) in {batches} statements, {:.1} a statement",
        100.0 * batched as f64 / votes.max(1) as f64,
        batched as f64 / batches as f64
    );
}

async fn phase(
    tokens: &[String],
    client: &reqwest::Client,
    base: &Arc<String>,
    first: &[Option<i64>],
    deadline: Instant,
    pace: Option<Duration>,
    calls: Calls,
) -> Measured {
    let mut tasks = Vec::new();
    let n = tokens.len().max(1) as u32;
    let phase_start = Instant::now();
    for (i, token) in tokens.iter().cloned().enumerate() {
        let (client, base) = (client.clone(), base.clone());
        let first = first.get(i).copied().flatten();
        tasks.push(tokio::spawn(async move {
            let (mut next_ms, mut vote_ms, mut pair_ms) = (Vec::new(), Vec::new(), Vec::new());
            // (second of the phase the pair was due in, its latency), for the open loop's time series.
            let mut by_second: Vec<(u64, f64)> = Vec::new();
            let mut ran_out = false;
            // The record the last `vote-and-next` brought (at first, the one the reviewer's page loaded).
            let mut queued: Option<i64> = first;
            let mut scheduled = Instant::now() + pace.map_or(Duration::ZERO, |p| p * i as u32 / n);
            // A reviewer who falls behind the schedule stops at the deadline too, with the queue it built.
            while scheduled < deadline && Instant::now() < deadline {
                if let Some(p) = pace {
                    tokio::time::sleep_until(scheduled.into()).await;
                    scheduled += p;
                } else {
                    scheduled = Instant::now();
                }
                let t0 = if pace.is_some() { scheduled - pace.unwrap_or_default() } else { Instant::now() };
                let id = match queued.take() {
                    Some(id) => id,
                    None => {
                        let Some(id) = first_record(&client, &base, &token).await else {
                            ran_out = true;
                            break;
                        };
                        next_ms.push((Instant::now() - t0).as_secs_f64() * 1000.0);
                        id
                    }
                };
                let t1 = Instant::now();
                let vote = if (id as usize + i).is_multiple_of(3) { json!({"vote": "include"}) } else { json!({"vote": "exclude"}) };
                let res = match calls {
                    Calls::Two => {
                        client.put(format!("{base}/api/reviews/load/items/{id}/vote")).bearer_auth(&token).json(&vote).send().await
                    }
                    Calls::One => {
                        client
                            .post(format!("{base}/api/reviews/load/items/{id}/vote-and-next?count=1"))
                            .bearer_auth(&token)
                            .json(&vote)
                            .send()
                            .await
                    }
                };
                let failure = match res {
                    Ok(r) if r.status().is_success() => {
                        if calls == Calls::One {
                            let body: Value = r.json().await.unwrap_or(Value::Null);
                            queued = body["next"].get(0).and_then(|i| i["id"].as_i64());
                        }
                        None
                    }
                    Ok(r) => Some(format!("{} {}", r.status(), r.text().await.unwrap_or_default())),
                    Err(e) => Some(e.to_string()),
                };
                let t2 = Instant::now();
                assert!(failure.is_none(), "a vote failed under load: {failure:?}");
                vote_ms.push((t2 - t1).as_secs_f64() * 1000.0);
                pair_ms.push((t2 - t0).as_secs_f64() * 1000.0);
                by_second.push((t0.saturating_duration_since(phase_start).as_secs(), (t2 - t0).as_secs_f64() * 1000.0));
            }
            (next_ms, vote_ms, pair_ms, by_second, ran_out)
        }));
    }
    let mut all = Measured::default();
    for t in tasks {
        let (n, v, p, s, out) = t.await.expect("task");
        all.by_second.extend(s);
        all.next.extend(n);
        all.vote.extend(v);
        all.pair.extend(p);
        all.ran_out += usize::from(out);
    }
    all
}

/// The server's own latency histogram of successful vote calls (`PUT .../vote` and `vote-and-next`),
/// from `/metrics`: (upper bound in seconds, cumulative count) per bucket. The server times a request
/// from the moment its handler chain starts until the reply is built, so the difference between this
/// and the generator's latency is time outside the handler (HTTP parsing, queues, the network, the
/// generator's own scheduling).
async fn server_vote_buckets(client: &reqwest::Client, base: &str) -> Vec<(f64, u64)> {
    let text = match client.get(format!("{base}/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let mut buckets: std::collections::BTreeMap<u64, (f64, u64)> = std::collections::BTreeMap::new();
    for line in text.lines().filter(|l| l.contains("_bucket{") && l.contains("status=\"200\"")) {
        if !(line.contains("/vote-and-next\"") || line.contains("/vote\"")) {
            continue;
        }
        let le = line.split("le=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or("");
        let le: f64 = if le == "+Inf" { f64::INFINITY } else { le.parse().unwrap_or(f64::NAN) };
        let count: u64 = line.rsplit(' ').next().and_then(|c| c.parse().ok()).unwrap_or(0);
        let e = buckets.entry(le.to_bits()).or_insert((le, 0));
        e.1 += count;
    }
    let mut out: Vec<(f64, u64)> = buckets.into_values().collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// Prints, for the vote calls of a phase, the share over 10, 20 and 50 ms as the server timed them
/// (from two [`server_vote_buckets`] readings) and as the generator saw them (`vote`, in ms).
fn report_server_tail(who: &str, before: &[(f64, u64)], after: &[(f64, u64)], vote: &[f64]) {
    let count_at = |b: &[(f64, u64)], le: f64| b.iter().find(|(l, _)| *l == le || (*l - le).abs() < 1e-9).map_or(0, |(_, c)| *c);
    let total = count_at(after, f64::INFINITY).saturating_sub(count_at(before, f64::INFINITY));
    if total == 0 {
        return;
    }
    let share = |le: f64| {
        let under = count_at(after, le).saturating_sub(count_at(before, le));
        100.0 * (total.saturating_sub(under)) as f64 / total as f64
    };
    let seen = |ms: f64| 100.0 * vote.iter().filter(|v| **v > ms).count() as f64 / vote.len().max(1) as f64;
    println!(
        "{who}: votes over 10 / 20 / 50 ms: in the server's handler {:.2}% / {:.2}% / {:.2}% of {total}; as the generator saw them {:.2}% / {:.2}% / {:.2}%",
        share(0.01),
        share(0.02),
        share(0.05),
        seen(10.0),
        seen(20.0),
        seen(50.0),
    );
}

/// The server's counts of where `vote-and-next` found its next records and of its holdings' top-ups,
/// from `/metrics`: (held, picked, top-ups full, short, failed, skipped).
async fn next_sources(client: &reqwest::Client, base: &str) -> [u64; 6] {
    let text = match client.get(format!("{base}/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let count = |series: &str| {
        let line = format!("{series} ");
        text.lines().find_map(|l| l.strip_prefix(&line)).and_then(|n| n.trim().parse().ok()).unwrap_or(0)
    };
    [
        count("sift_vote_next_total{from=\"held\"}"),
        count("sift_vote_next_total{from=\"picked\"}"),
        count("sift_holding_top_ups_total{outcome=\"full\"}"),
        count("sift_holding_top_ups_total{outcome=\"short\"}"),
        count("sift_holding_top_ups_total{outcome=\"failed\"}"),
        count("sift_holding_top_ups_total{outcome=\"skipped\"}"),
    ]
}

/// Prints where a phase's `vote-and-next` calls found their next records, from two [`next_sources`]
/// readings: the share a vote's own statement (or one after it) picked is the share that waited for routing.
fn report_sources(who: &str, before: [u64; 6], after: [u64; 6]) {
    let d: Vec<u64> = after.iter().zip(before).map(|(a, b)| a.saturating_sub(b)).collect();
    let asked = d[0] + d[1];
    if asked == 0 {
        return;
    }
    println!(
        "{who}: next records from the holding {} ({:.1}%), picked with the vote {} ({:.1}%); holdings topped up {} (short {}, failed {}; skipped {}, no longer wanted when their lane came)",
        d[0],
        100.0 * d[0] as f64 / asked as f64,
        d[1],
        100.0 * d[1] as f64 / asked as f64,
        d[2],
        d[3],
        d[4],
        d[5],
    );
}

/// The record `next` reserves for the reviewer, or `None` when nothing is left (a failed call counts
/// as nothing left: the bench then says reviewers ran out).
async fn first_record(client: &reqwest::Client, base: &str, token: &str) -> Option<i64> {
    let res = client.post(format!("{base}/api/reviews/load/stages/title_abstract/next?count=1")).bearer_auth(token).send().await.ok()?;
    let items: Value = res.json().await.unwrap_or(Value::Null);
    items.get(0).and_then(|i| i["id"].as_i64())
}

/// Every reviewer's page loads its first record (`next`), all at once; the records and the latencies.
async fn load_pages(tokens: &[String], client: &reqwest::Client, base: &Arc<String>) -> (Vec<Option<i64>>, Vec<f64>) {
    let mut tasks = Vec::new();
    for token in tokens.iter().cloned() {
        let (client, base) = (client.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let id = first_record(&client, &base, &token).await;
            (id, t.elapsed().as_secs_f64() * 1000.0)
        }));
    }
    let (mut ids, mut ms) = (Vec::new(), Vec::new());
    for t in tasks {
        let (id, took) = t.await.expect("task");
        ids.push(id);
        ms.push(took);
    }
    (ids, ms)
}

/// A phase's latencies (ms) of `next`, of the vote, and of the two together, and how many reviewers
/// found nothing left to screen before its end.
#[derive(Default)]
struct Measured {
    next: Vec<f64>,
    vote: Vec<f64>,
    pair: Vec<f64>,
    /// Each pair's latency (ms) by the second of the phase it was due in.
    by_second: Vec<(u64, f64)>,
    ran_out: usize,
}

/// Prints the p99 of each second of a phase: whether its tail is spread evenly or comes from a
/// stretch in which the server fell behind and a queue built.
fn report_seconds(who: &str, by_second: &[(u64, f64)]) {
    let mut seconds: std::collections::BTreeMap<u64, Vec<f64>> = std::collections::BTreeMap::new();
    for &(s, ms) in by_second {
        seconds.entry(s).or_default().push(ms);
    }
    let line: Vec<String> = seconds
        .into_values()
        .map(|mut v| {
            v.sort_by(|a, b| a.total_cmp(b));
            format!("{:.0}", percentile(&v, 0.99))
        })
        .collect();
    println!("{who}: next+vote p99 by second, ms: {}", line.join(" "));
}

/// Says loudly when reviewers ran out of records: the review was screened before the phase ended,
/// so its rate undercounts what the server takes.
fn warn_if_ran_out(who: &str, m: &Measured, reviewers: usize) {
    if m.ran_out > 0 {
        println!(
            "{who}: WARNING: {} of {reviewers} reviewers ran out of records in this phase; its rate undercounts. Rerun with more records.",
            m.ran_out
        );
    }
}

/// The server over a fresh database with a review of `records` generated records and `reviewers`
/// signed-in reviewers (their tokens); `None` when the database is not available here.
async fn setup(kind: Db, records: usize, reviewers: usize) -> Option<(TestApp, Vec<String>, i32)> {
    let app = TestApp::spawn(kind).await?;
    let lead = app.user("lead@load.test", PW, false).await;
    app.review("load", lead).await;
    let token = app.login("lead@load.test", PW).await;
    let t = Instant::now();
    let (status, job) = app.import("load", &token, "load.ris", tests::distinct_ris(records), "Generated").await;
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
    Some((app, tokens, review.id))
}

/// One database's run. The server, with its database connections, lives on `server`, a runtime of its
/// own (as in `sift serve`, where they live on the main runtime); the load comes from this one.
async fn run(server: &tokio::runtime::Handle, kind: Db, records: usize, reviewers: usize, seconds: u64, rate: usize) {
    let Some((app, tokens, review_id)) = server.spawn(setup(kind, records, reviewers)).await.expect("setup") else {
        println!("{kind:?}: skipped (no database configured)");
        return;
    };
    // Connections idle between phases; the client lets them go before the server's keep-alive (5 s)
    // closes them, so that no request is sent on a connection the server is closing at that moment.
    let client =
        reqwest::Client::builder().pool_max_idle_per_host(reviewers).pool_idle_timeout(Duration::from_secs(3)).build().expect("client");
    let base = Arc::new(app.base.clone());

    // Baseline: the HTTP round trip alone, same concurrency, a short while.
    let deadline = Instant::now() + Duration::from_secs(3);
    let cpu = cpu_now();
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
    report_cpu(&format!("{kind:?} (health)"), cpu, cpu_now(), health.len());

    let mut votes = 0;
    let mut h = health;
    h.sort_by(|a, b| a.total_cmp(b));
    // `vote-and-next` or `next-vote` on the command line runs that way alone.
    let words: Vec<String> = std::env::args().skip(1).collect();
    let ways: Vec<Calls> = match (words.iter().any(|w| w == "vote-and-next"), words.iter().any(|w| w == "next-vote")) {
        (true, false) => vec![Calls::One],
        (false, true) => vec![Calls::Two],
        _ => vec![Calls::Two, Calls::One],
    };
    for calls in ways {
        let how = match calls {
            Calls::Two => "next, vote",
            Calls::One => "vote-and-next",
        };
        // Closed loop: every reviewer asks for the next record the moment the last vote is in, which
        // measures the most the server can take.
        let started = Instant::now();
        let cpu = cpu_now();
        let batches = app.store.vote_batches();
        let sources = next_sources(&client, &base).await;
        let m = phase(&tokens, &client, &base, &[], started + Duration::from_secs(seconds), None, calls).await;
        report_cpu(&format!("{kind:?} ({how}) closed loop"), cpu, cpu_now(), m.vote.len());
        report_batches(&format!("{kind:?} ({how}) closed loop"), batches, app.store.vote_batches(), m.vote.len());
        report_sources(&format!("{kind:?} ({how}) closed loop"), sources, next_sources(&client, &base).await);
        votes += m.vote.len();
        let phase_name = format!("closed loop: {reviewers} reviewers,");
        warn_if_ran_out(&format!("{kind:?} ({how})"), &m, reviewers);
        let Measured { next: next_all, vote: vote_all, pair: pair_all, .. } = m;
        report(&format!("{kind:?} ({how})"), &phase_name, started, next_all, vote_all, pair_all.clone());
        let mut sorted = pair_all;
        sorted.sort_by(|a, b| a.total_cmp(b));
        println!("{kind:?} ({how}): next+vote p50 is {:.1}x the health round trip's p50", percentile(&sorted, 0.5) / percentile(&h, 0.5));

        // Open loop: each reviewer screens on a fixed schedule (together `rate` records per second), as
        // people do, reading between votes. Latency counts from the scheduled start, so a server that
        // falls behind pays for the queue it builds (no coordinated omission).
        let pace = Duration::from_secs_f64(reviewers as f64 / rate as f64);
        // With vote-and-next, the reviewers' pages load their first records first, and the schedule
        // starts a second later, as people read before their first vote: otherwise every reviewer's
        // first `next` falls into the schedule's first tenth of a second, a burst of twice the rate
        // that a server with little headroom takes seconds to work off.
        let (first, page_loads) = if calls == Calls::One { load_pages(&tokens, &client, &base).await } else { (Vec::new(), Vec::new()) };
        if calls == Calls::One {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let buckets = server_vote_buckets(&client, &base).await;
        let started = Instant::now();
        let cpu = cpu_now();
        let batches = app.store.vote_batches();
        let sources = next_sources(&client, &base).await;
        let mut m = phase(&tokens, &client, &base, &first, started + Duration::from_secs(seconds), Some(pace), calls).await;
        m.next.extend(page_loads);
        report_cpu(&format!("{kind:?} ({how}) open loop"), cpu, cpu_now(), m.vote.len());
        report_batches(&format!("{kind:?} ({how}) open loop"), batches, app.store.vote_batches(), m.vote.len());
        report_sources(&format!("{kind:?} ({how}) open loop"), sources, next_sources(&client, &base).await);
        report_server_tail(&format!("{kind:?} ({how}) open loop"), &buckets, &server_vote_buckets(&client, &base).await, &m.vote);
        votes += m.vote.len();
        warn_if_ran_out(&format!("{kind:?} ({how})"), &m, reviewers);
        report_seconds(&format!("{kind:?} ({how}) open loop"), &m.by_second);
        let Measured { next: next_all, vote: vote_all, pair: pair_all, .. } = m;
        report(&format!("{kind:?} ({how})"), &format!("open loop at {rate} votes/s offered:"), started, next_all, vote_all, pair_all);
    }
    // No record may hold more votes than it needs.
    let items = store::screening::all_items(&app.store.db, review_id).await.expect("items");
    let over = items.iter().filter(|i| i.votes > i.needed).count();
    let cast: i32 = items.iter().map(|i| i.votes).sum();
    assert_eq!(over, 0, "records with too many votes");
    assert_eq!(cast as usize, votes, "every vote counted once");
    let drift = store::screening::reservation_drift(&app.store.db, review_id).await.expect("drift");
    assert!(drift.is_empty(), "reservation counts drifted from their rows: {drift:?}");
    println!("{kind:?}: checked: {cast} votes stored, no record over-filled");
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let records = args.first().copied().unwrap_or(50_000);
    let reviewers = args.get(1).copied().unwrap_or(100);
    let seconds = args.get(2).copied().unwrap_or(20) as u64;
    let rate = args.get(3).copied().unwrap_or(1000);
    // `sqlite` or `postgres` among the arguments runs that database alone.
    let only: Vec<String> = std::env::args().skip(1).filter(|a| a == "sqlite" || a == "postgres").collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    println!(
        "screening load: {records} records, {reviewers} concurrent reviewers, {seconds} s per phase and database, open loop at {rate} votes/s, 2-core machine"
    );
    // Named, so that `cpu_now` can tell their threads apart.
    let server =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).thread_name("sift-db").enable_all().build().expect("server runtime");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_name("load-gen").enable_all().build().expect("runtime");
    rt.block_on(async {
        if wanted("sqlite") {
            run(server.handle(), Db::Sqlite, records, reviewers, seconds, rate).await;
        }
        if wanted("postgres") {
            run(server.handle(), Db::Postgres, records, reviewers, seconds, rate).await;
        }
    });
}
