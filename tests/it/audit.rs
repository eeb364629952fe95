//! The audit trail: exported as JSON lines and CSV, never editable, and sufficient to recompute the
//! counts the API shows.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::screening::{REASONS_FOR_TESTS, next, team, vote};
use super::*;

db_test!(counts_can_be_recomputed_from_the_audit_trail, |app| {
    let t = team(&app).await;
    let (_, job) = app.import("qes", &t.lead, "scopus.csv", fixture("demo/scopus.csv"), "Scopus").await;
    assert_eq!(job["state"], "done");
    // Some judging of duplicates, including an undo.
    let (_, queue) = app.get("/api/reviews/qes/duplicates", &t.lead).await;
    if let Some(pair) = queue.as_array().and_then(|q| q.first()) {
        app.post(&format!("/api/reviews/qes/duplicates/{}/merge", pair["id"]), &t.lead, json!({})).await;
    }
    let merged = store::records::all(&app.store.db, 1).await.unwrap().into_iter().find(|r| r.merged_into.is_some()).unwrap();
    app.post(&format!("/api/reviews/qes/records/{}/unmerge", merged.id), &t.lead, json!({})).await;
    // Screening: agreements, a conflict resolved, a changed vote and an undone one.
    for n in 0..6 {
        let item = next(&app, &t.rev1, "title_abstract", 1).await[0]["id"].as_i64().unwrap();
        let v1 = if n % 2 == 0 { json!({"vote": "include"}) } else { json!({"vote": "exclude", "reason": REASONS_FOR_TESTS[0]}) };
        vote(&app, &t.rev1, item, json!({"vote": "maybe"})).await;
        vote(&app, &t.rev1, item, v1.clone()).await;
        next(&app, &t.rev2, "title_abstract", 1).await;
        let v2 = if n == 5 { json!({"vote": "include"}) } else { v1 };
        vote(&app, &t.rev2, item, v2).await;
        if n == 5 {
            app.post(
                &format!("/api/reviews/qes/items/{item}/resolve"),
                &t.lead,
                json!({"decision": "exclude", "reason": REASONS_FOR_TESTS[1]}),
            )
            .await;
        }
    }
    let undo = next(&app, &t.rev1, "title_abstract", 1).await[0]["id"].as_i64().unwrap();
    vote(&app, &t.rev1, undo, json!({"vote": "include"})).await;
    app.client.delete(app.url(&format!("/api/reviews/qes/items/{undo}/vote"))).bearer_auth(&t.rev1).send().await.unwrap();

    let text = app.client.get(app.url("/api/reviews/qes/audit.jsonl")).bearer_auth(&t.lead).send().await.unwrap().text().await.unwrap();
    let events: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let ids: Vec<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "events are in order");

    // Replay.
    let mut imported = 0;
    let mut removed: i64 = 0;
    let mut votes: BTreeMap<i64, i64> = BTreeMap::new();
    let mut state: BTreeMap<String, String> = BTreeMap::new();
    for e in &events {
        let after = &e["after"];
        match e["action"].as_str().unwrap() {
            "import" => imported += after["records"].as_i64().unwrap(),
            "dedup.run" => removed += after["merged"].as_i64().unwrap(),
            "dedup.merge" => removed += after["records_merged"].as_i64().unwrap(),
            "dedup.unmerge" => removed -= 1,
            "vote.cast" => {
                *votes.entry(e["actor_id"].as_i64().unwrap()).or_default() += 1;
                state.insert(e["entity_id"].as_str().unwrap().to_owned(), after["item_state"].as_str().unwrap().to_owned());
            }
            "vote.change" => {
                state.insert(e["entity_id"].as_str().unwrap().to_owned(), after["item_state"].as_str().unwrap().to_owned());
            }
            "vote.undo" => *votes.entry(e["actor_id"].as_i64().unwrap()).or_default() -= 1,
            "conflict.resolve" => {
                state.insert(e["entity_id"].as_str().unwrap().to_owned(), after["state"].as_str().unwrap().to_owned());
            }
            _ => {}
        }
    }
    let (_, review) = app.get("/api/reviews/qes", &t.lead).await;
    assert_eq!(review["counts"]["records_imported"], imported);
    assert_eq!(review["counts"]["duplicates_removed"], removed);
    let (_, progress) = app.get("/api/reviews/qes/stages/title_abstract/progress", &t.lead).await;
    for r in progress["reviewers"].as_array().unwrap() {
        assert_eq!(votes.get(&r["reviewer_id"].as_i64().unwrap()).copied().unwrap_or(0), r["votes"].as_i64().unwrap());
    }
    let count = |s: &str| state.values().filter(|v| v.as_str() == s).count() as i64;
    assert_eq!(count("included"), progress["states"]["included"].as_i64().unwrap_or(0));
    assert_eq!(count("excluded"), progress["states"]["excluded"].as_i64().unwrap_or(0));
    assert_eq!(count("excluded"), 3);

    // The CSV carries the same events; nothing in the API edits or deletes them.
    let csv = app.client.get(app.url("/api/reviews/qes/audit.csv")).bearer_auth(&t.lead).send().await.unwrap().text().await.unwrap();
    assert!(csv.starts_with("id,at,actor_id,action,entity,entity_id,before,after"));
    assert_eq!(csv.lines().count(), events.len() + 1);
    let doc: Value = app.client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    for (path, methods) in doc["paths"].as_object().unwrap() {
        if path.contains("audit") {
            assert_eq!(methods.as_object().unwrap().keys().collect::<Vec<_>>(), vec!["get"], "{path} must be read-only");
        }
    }
});
