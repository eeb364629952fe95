//! Several servers on one database: nothing that matters lives in one process.

use super::*;

const PW: &str = "correct horse battery";

db_test!(two_servers_share_sessions_jobs_and_data, |app| {
    let b = app.sibling().await;
    let lead = app.user("lead@example.org", PW, false).await;
    app.review("qes", lead).await;
    // Sign in on A, work on B.
    let token = app.login("lead@example.org", PW).await;
    assert_eq!(b.get("/api/me", &token).await.0, 200);
    // Import through B (the job starts there), follow it through A.
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(fixture("demo/scopus.csv")).file_name("scopus.csv"))
        .text("database_name", "Scopus");
    let res = b.client.post(b.url("/api/reviews/qes/imports")).bearer_auth(&token).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 202);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let mut state = String::new();
    for _ in 0..200 {
        let (status, job) = app.get(&location, &token).await;
        assert_eq!(status, 200);
        state = job["state"].as_str().unwrap().to_owned();
        if state != "running" {
            assert_eq!(job["result"]["records"], 20, "{job}");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(state, "done");
    let (_, via_a) = app.get("/api/reviews/qes/records?limit=500", &token).await;
    let (_, via_b) = b.get("/api/reviews/qes/records?limit=500", &token).await;
    assert_eq!(via_a, via_b);
    // Both servers sign with the same persisted secret; logging out on B ends the session on A.
    let res = b.client.post(b.url("/api/auth/logout")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(app.get("/api/me", &token).await.0, 401);
});
