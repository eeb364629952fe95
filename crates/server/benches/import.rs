//! Import benchmark: a generated RIS export of N records (default 100,000) imported into a fresh review
//! on SQLite (and PostgreSQL when `SIFT_BENCH_POSTGRES_URL` names a database), through the same
//! `app::import` the CLI and HTTP use, then the review deduplicated. The baseline, measured in the same
//! run, is parsing the same bytes without storing them, so the ratio shows what storage costs.
//!
//! Run: `cargo bench -p server --bench import [-- N]`.

#![allow(clippy::expect_used, reason = "a benchmark stops at its first failure, with the reason")]

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

const WORDS: [&str; 20] = [
    "peer",
    "support",
    "workers",
    "homelessness",
    "substance",
    "use",
    "harm",
    "reduction",
    "recovery",
    "qualitative",
    "housing",
    "overdose",
    "navigation",
    "trust",
    "lived",
    "experience",
    "outreach",
    "hepatitis",
    "treatment",
    "services",
];

fn word(i: usize, k: usize) -> &'static str {
    WORDS[(i.wrapping_mul(7919) / (k + 1) + k * 13) % WORDS.len()]
}

/// A deterministic RIS export of `n` distinct journal articles with abstracts.
fn generate(n: usize) -> String {
    let mut out = String::with_capacity(n * 1300);
    for i in 0..n {
        let _ = write!(
            out,
            "TY  - JOUR\r\nID  - R{i}\r\nAU  - Author{}, Alex\r\nAU  - Writer{}, Sam J.\r\nTI  - {} {} {} and {} in {} {}: study number {i}\r\nT2  - Journal of {} {}\r\nPY  - {}\r\nVL  - {}\r\nIS  - {}\r\nSP  - {}\r\nEP  - {}\r\nDO  - 10.5555/bench.{i}\r\nAB  - ",
            i % 997,
            i % 113,
            word(i, 0),
            word(i, 1),
            word(i, 2),
            word(i, 3),
            word(i, 4),
            word(i, 5),
            word(i, 6),
            word(i, 7),
            1990 + i % 35,
            i % 60,
            i % 12,
            100 + i % 900,
            110 + i % 900,
        );
        for k in 0..120 {
            out.push_str(word(i, k));
            out.push(' ');
        }
        out.push_str("\r\nKW  - peer support\r\nKW  - homelessness\r\nER  - \r\n\r\n");
    }
    out
}

fn main() {
    // Phase timings of the deduplication run are logged at info.
    let _ = tracing_subscriber::fmt().with_env_filter("server=info").with_target(false).try_init();
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let text = generate(n);
    let mb = text.len() as f64 / 1e6;
    println!("import benchmark: {n} RIS records, {mb:.1} MB, 2-core machine");

    let t = Instant::now();
    let mut count = 0usize;
    let outcome = citation::parse_stream(std::io::Cursor::new(text.as_bytes()), None, &mut |_c| count += 1).expect("parse");
    let parse_s = t.elapsed().as_secs_f64();
    assert_eq!(count, n, "{:?}", outcome.diagnostics.first());
    println!("baseline   parse only               {parse_s:>7.2} s  ({:>7.0} records/s)", n as f64 / parse_s);

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut targets = vec![("sqlite", format!("sqlite://{}", dir.path().join("bench.db").display()))];
    if let Ok(pg) = std::env::var("SIFT_BENCH_POSTGRES_URL") {
        targets.push(("postgres", pg));
    }
    for (name, url) in targets {
        rt.block_on(async {
            let store = store::connect(&url).await.expect("connect");
            store.migrate().await.expect("migrate");
            let slug = format!("bench-{}-{}", std::process::id(), name);
            let review = store::reviews::create(&store.db, &slug, "Bench", None, 0).await.expect("review");
            let req = server::app::import::ImportRequest {
                review_id: review.id,
                kind: "database".into(),
                name: "Generated".into(),
                file_name: "bench.ris".into(),
                ..Default::default()
            };
            let bytes = text.clone().into_bytes();
            let quiet: server::app::import::ProgressFn = Arc::new(|_, _, _| {});
            let t = Instant::now();
            let summary = server::app::import::import(&store, &req, std::io::Cursor::new(bytes), 0, quiet.clone()).await.expect("import");
            let import_s = t.elapsed().as_secs_f64();
            assert_eq!(summary.records, n);
            println!(
                "{name:<10} import (parse + store)    {import_s:>7.2} s  ({:>7.0} records/s, {:.1}x the parse baseline)",
                n as f64 / import_s,
                import_s / parse_s
            );
            let t = Instant::now();
            let d = server::app::dedup::run(&store, review.id, None, 0, quiet).await.expect("dedup");
            let dedup_s = t.elapsed().as_secs_f64();
            println!("{name:<10} deduplicate the review   {dedup_s:>7.2} s  ({} merged, {} queued)", d.merged, d.queued);
        });
    }
}
