//! Deduplication within a review: automatic merges, the review queue, merge / not duplicate / undo.

use super::*;

const PW: &str = "correct horse battery";

db_test!(imports_deduplicate_and_merges_can_be_undone, |app| {
    let lead = app.user("lead@example.org", PW, false).await;
    app.review("qes", lead).await;
    let token = app.login("lead@example.org", PW).await;
    for (file, name) in [("demo/medline.xml", "MEDLINE"), ("demo/cinahl.ris", "CINAHL"), ("demo/scopus.csv", "Scopus")] {
        let (_, job) = app.import("qes", &token, file, fixture(file), name).await;
        assert_eq!(job["state"], "done", "{job}");
    }
    let (_, review) = app.get("/api/reviews/qes", &token).await;
    let counts = &review["counts"];
    assert_eq!(counts["records_imported"], 70);
    let removed = counts["duplicates_removed"].as_u64().unwrap();
    let pending = counts["duplicates_pending"].as_u64().unwrap();
    // fixtures/demo/README.md: 12 groups, 14 removable duplicates. Every one is found, automatically or
    // queued for a person, and none of the near-duplicates (Part 1/2, erratum) is merged.
    assert!(removed + pending >= 14, "removed {removed}, pending {pending}");
    assert!(removed >= 10, "too few automatic merges: {removed}");
    assert_eq!(counts["records"].as_u64().unwrap(), 70 - removed);
    let (_, page) = app.get("/api/reviews/qes/records?limit=500", &token).await;
    let titles: Vec<String> =
        page["records"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap_or("").to_lowercase()).collect();
    assert!(
        titles.iter().any(|t| t.contains("part 1")) && titles.iter().any(|t| t.contains("part 2")),
        "Part 1 and Part 2 must both survive"
    );
    assert!(titles.iter().any(|t| t.starts_with("correction to")), "the erratum must survive");

    // Find a merged record and undo it.
    let merged = app.store.db.clone();
    let all = store::records::all(&merged, review["id"].as_i64().unwrap() as i32).await.unwrap();
    let dup = all.iter().find(|r| r.merged_into.is_some()).expect("a merged record");
    let kept = dup.merged_into.unwrap();
    let (status, detail) = app.get(&format!("/api/reviews/qes/records/{kept}"), &token).await;
    assert_eq!(status, 200);
    assert!(detail["duplicates"].as_array().unwrap().iter().any(|d| d["id"] == dup.id));
    let (status, body) = app.post(&format!("/api/reviews/qes/records/{}/unmerge", dup.id), &token, serde_json::json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["merged_into"], serde_json::Value::Null);
    let (_, after) = app.get("/api/reviews/qes", &token).await;
    assert_eq!(after["counts"]["duplicates_removed"].as_u64().unwrap(), removed - 1);
    // Unmerging twice is a conflict, and a re-run does not merge the pair again.
    let (status, _) = app.post(&format!("/api/reviews/qes/records/{}/unmerge", dup.id), &token, serde_json::json!({})).await;
    assert_eq!(status, 409);
    let (status, _) = app.post("/api/reviews/qes/duplicates/run", &token, serde_json::json!({})).await;
    assert_eq!(status, 200);
    let (_, again) = app.get("/api/reviews/qes", &token).await;
    assert_eq!(again["counts"]["duplicates_removed"].as_u64().unwrap(), removed - 1);

    // The queue: judge every pending pair, alternately merge and reject.
    let (_, queue) = app.get("/api/reviews/qes/duplicates", &token).await;
    let queue = queue.as_array().unwrap().clone();
    for (i, pair) in queue.iter().enumerate() {
        assert!(pair["evidence"]["fields"].as_array().is_some(), "evidence must be shown: {pair}");
        let action = if i % 2 == 0 { "merge" } else { "not-duplicate" };
        let (status, judged) =
            app.post(&format!("/api/reviews/qes/duplicates/{}/{action}", pair["id"]), &token, serde_json::json!({})).await;
        assert_eq!(status, 200, "{judged}");
        assert_eq!(judged["status"], if i % 2 == 0 { "merged" } else { "not_duplicate" });
    }
    let (_, left) = app.get("/api/reviews/qes/duplicates", &token).await;
    assert_eq!(left.as_array().unwrap().len(), 0);
    // A "not duplicates" judgement can be taken back: the pair returns to the queue.
    if let Some(rejected) = queue.get(1) {
        let (status, reopened) =
            app.post(&format!("/api/reviews/qes/duplicates/{}/reopen", rejected["id"]), &token, serde_json::json!({})).await;
        assert_eq!(status, 200, "{reopened}");
        assert_eq!(reopened["status"], "pending");
        let (_, back) = app.get("/api/reviews/qes/duplicates", &token).await;
        assert_eq!(back.as_array().unwrap().len(), 1);
        let (status, _) = app.post(&format!("/api/reviews/qes/duplicates/{}/reopen", rejected["id"]), &token, serde_json::json!({})).await;
        assert_eq!(status, 409, "a pending pair cannot be reopened");
    }
    let (_, events) = app.get("/api/reviews/qes/audit", &token).await;
    let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"dedup.unmerge") && actions.contains(&"dedup.run"));
});

db_test!(only_leads_judge_duplicates, |app| {
    let lead = app.user("lead@example.org", PW, false).await;
    let rev = app.user("rev@example.org", PW, false).await;
    app.review("qes", lead).await;
    app.add_member("qes", rev, "reviewer").await;
    let r = app.login("rev@example.org", PW).await;
    let (status, _) = app.post("/api/reviews/qes/duplicates/1/merge", &r, serde_json::json!({})).await;
    assert_eq!(status, 403);
    let (status, _) = app.post("/api/reviews/qes/records/1/unmerge", &r, serde_json::json!({})).await;
    assert_eq!(status, 403);
});
