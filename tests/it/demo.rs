//! The demo review.

use super::*;

db_test!(demo_review_is_complete_and_idempotent, |app| {
    let now = server::time::now_ms();
    assert!(server::app::demo::seed(&app.store, None, now).await.unwrap());
    assert!(!server::app::demo::seed(&app.store, None, now).await.unwrap(), "seeding twice changes nothing");
    // Reviewer 1 tagged the records they found relevant.
    let rev1 = app.login(server::app::demo::USERS[1].email, server::app::demo::USERS[1].password).await;
    let (status, mine) = app.get("/api/reviews/demo/stages/title_abstract/my-votes?limit=100", &rev1).await;
    assert_eq!(status, 200, "{mine}");
    let tagged: Vec<&serde_json::Value> =
        mine.as_array().unwrap().iter().filter(|i| i["my_vote"]["tags"].as_array().is_some_and(|t| !t.is_empty())).collect();
    assert!(tagged.len() >= 3, "reviewer 1 tags the relevant records: {mine}");
    assert!(tagged.iter().all(|i| i["my_vote"]["vote"] == "include"), "only records reviewer 1 included are tagged: {mine}");
    for u in server::app::demo::USERS {
        let token = app.login(u.email, u.password).await;
        let (status, review) = app.get("/api/reviews/demo", &token).await;
        assert_eq!(status, 200);
        assert_eq!(review["roles"], serde_json::json!([u.role]));
        assert_eq!(review["counts"]["records_imported"], 70);
        assert_eq!(review["counts"]["sources"], 3);
        assert!(review["counts"]["duplicates_removed"].as_u64().unwrap() >= 10);
    }
    // Every screening state is on show.
    let lead = app.login(server::app::demo::USERS[0].email, server::app::demo::USERS[0].password).await;
    let (_, ta) = app.get("/api/reviews/demo/stages/title_abstract/progress", &lead).await;
    for state in ["open", "conflict", "included", "excluded"] {
        assert!(ta["states"][state].as_i64().unwrap_or(0) > 0, "no title/abstract item is {state}: {ta}");
    }
    assert_eq!(ta["states"]["conflict"], 2);
    let (_, ft) = app.get("/api/reviews/demo/stages/full_text/progress", &lead).await;
    for state in ["awaiting_file", "not_retrieved", "included", "excluded", "open"] {
        assert!(ft["states"][state].as_i64().unwrap_or(0) > 0, "no full-text item is {state}: {ft}");
    }
    let (_, protocol) = app.get("/api/reviews/demo/protocol", &lead).await;
    assert_eq!(protocol["framework"], "SPIDER");
    assert_eq!(protocol["reasons"].as_array().unwrap().len(), 5);
    // The lead amended the inclusion criteria after title/abstract screening: version 2, in the history,
    // and votes say which version they were made under.
    assert_eq!(protocol["version"], 2);
    let (_, history) = app.get("/api/reviews/demo/protocol/history", &lead).await;
    assert_eq!(history[0]["version"], 2, "{history}");
    assert_eq!(history[0]["changed"], serde_json::json!(["inclusion"]), "{history}");
    assert_eq!(history.as_array().unwrap().len(), 2, "{history}");
    let (_, conflicts) = app.get("/api/reviews/demo/stages/title_abstract/conflicts", &lead).await;
    assert!(conflicts[0]["votes"].as_array().unwrap().iter().all(|v| v["protocol_version"] == 1), "{conflicts}");
    let (_, ft_included) = app.get("/api/reviews/demo/stages/full_text/items?state=included", &lead).await;
    assert!(ft_included[0]["votes"].as_array().unwrap().iter().all(|v| v["protocol_version"] == 2), "{ft_included}");
    let (_, agreement) = app.get("/api/reviews/demo/stages/title_abstract/agreement", &lead).await;
    assert!(agreement[0]["n"].as_u64().unwrap() >= 20, "{agreement}");
    assert!(agreement[0]["cohen_kappa"]["value"].as_f64().is_some());
    // The reviewers sometimes exclude a record for different reasons.
    let (_, reasons) = app.get("/api/reviews/demo/stages/title_abstract/agreement/reasons", &lead).await;
    assert!(reasons["n"].as_u64().unwrap() >= 5, "{reasons}");
    let same = reasons["percent_agreement"].as_f64().unwrap();
    assert!(same > 0.5 && same < 1.0, "{reasons}");
    // Every imported record is in exactly one state: merged away, or in exactly one first-stage item.
    let review_id = review_id_of(&app).await;
    let records = store::records::all(&app.store.db, review_id).await.unwrap();
    let items = store::screening::all_items(&app.store.db, review_id).await.unwrap();
    for r in &records {
        let ta = items.iter().filter(|i| i.record_id == r.id && i.stage == "title_abstract").count();
        match r.merged_into {
            Some(_) => assert_eq!(ta, 0, "merged record {} still has a screening item", r.id),
            None => assert_eq!(ta, 1, "record {} is in {ta} title/abstract items", r.id),
        }
    }
    let (_, ta_progress) = app.get("/api/reviews/demo/stages/title_abstract/progress", &lead).await;
    let in_states: i64 = ta_progress["states"].as_object().unwrap().values().map(|v| v.as_i64().unwrap()).sum();
    let (_, review) = app.get("/api/reviews/demo", &lead).await;
    assert_eq!(in_states, review["counts"]["records"].as_i64().unwrap(), "states add up to the records after deduplication");
    // Appraisal: one study reconciled, one waiting for its second appraiser.
    let (_, appraisal) = app.get("/api/reviews/demo/appraisal", &lead).await;
    let studies = appraisal["studies"].as_array().unwrap();
    let states: Vec<(bool, i64, i64)> = studies
        .iter()
        .map(|s| (s["complete"].as_bool().unwrap(), s["submitted"].as_i64().unwrap(), s["disagreements"].as_i64().unwrap()))
        .collect();
    assert_eq!(states, vec![(true, 2, 2), (false, 1, 0), (false, 0, 0)], "each study's own appraisals: {appraisal}");
    let csv =
        app.client.get(app.url("/api/reviews/demo/appraisal/table.csv")).bearer_auth(&lead).send().await.unwrap().text().await.unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    // Study characteristics: one study reconciled after the extractors differed, one waiting.
    let (_, extraction) = app.get("/api/reviews/demo/extraction", &lead).await;
    assert_eq!(extraction["form"]["fields"].as_array().unwrap().len(), 4, "{extraction}");
    let studies = extraction["studies"].as_array().unwrap();
    assert_eq!(studies.len(), 3, "three included studies: {extraction}");
    assert!(studies.iter().any(|s| s["reconciled"] == true && s["complete"] == true), "{extraction}");
    assert!(studies.iter().any(|s| s["complete"] == false), "{extraction}");
    let table = app
        .client
        .get(app.url("/api/reviews/demo/extraction/characteristics.csv"))
        .bearer_auth(&lead)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(table.contains("Peer support in a hospital addiction medicine service,Canada,12,Interviews"), "{table}");
    // Synthesis: coded extracts in every included study, both kinds of theme, and CERQual findings.
    let (_, synthesis) = app.get("/api/reviews/demo/synthesis", &lead).await;
    assert_eq!(synthesis["counts"]["extracts"], 7, "{synthesis}");
    assert!(synthesis["counts"]["codings"].as_u64().unwrap() >= 20, "{synthesis}");
    assert!(synthesis["studies"].as_array().unwrap().iter().all(|s| s["extracts"].as_u64().unwrap() > 0), "{synthesis}");
    let kinds: Vec<&str> = synthesis["themes"].as_array().unwrap().iter().filter_map(|t| t["kind"].as_str()).collect();
    assert!(kinds.contains(&"descriptive") && kinds.contains(&"analytical"), "{kinds:?}");
    let (_, matrix) = app.get("/api/reviews/demo/synthesis/matrix", &lead).await;
    assert!(matrix["rows"].as_array().unwrap().iter().all(|r| r["studies"].as_u64().unwrap() > 0), "every theme has evidence: {matrix}");
    let soqf =
        app.client.get(app.url("/api/reviews/demo/synthesis/soqf.csv")).bearer_auth(&lead).send().await.unwrap().text().await.unwrap();
    assert_eq!(soqf.lines().count(), 3, "two assessed findings: {soqf}");
    assert!(soqf.contains("Moderate confidence") && soqf.contains("Low confidence"), "{soqf}");
});

async fn review_id_of(app: &TestApp) -> i32 {
    store::reviews::by_slug(&app.store.db, "demo").await.unwrap().unwrap().id
}

db_test!(demo_full_texts_go_to_the_files_directory_when_one_is_set, |app| {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("full-texts");
    assert!(server::app::demo::seed(&app.store, Some(&files), server::time::now_ms()).await.unwrap());
    assert!(files.is_dir(), "seeding makes the directory");
    let review = store::reviews::by_slug(&app.store.db, "demo").await.unwrap().expect("the demo review");
    let items = store::screening::all_items(&app.store.db, review.id).await.unwrap();
    let attached: Vec<i32> = items.iter().filter_map(|i| i.file_id).collect();
    assert!(attached.len() >= 3, "the demo attaches full texts: {attached:?}");
    for id in attached {
        let row = store::screening::file(&app.store.db, review.id, id).await.unwrap().expect("file row");
        assert!(row.bytes.is_empty(), "file {id}'s bytes are in the directory, not the database");
        let path = row.path.clone().expect("a path under the files directory");
        let bytes = std::fs::read(files.join(&path)).unwrap();
        assert!(bytes.starts_with(b"%PDF-"), "file {id} at {path} is a PDF");
        assert_eq!(i64::try_from(bytes.len()).unwrap(), row.size);
    }
    // A server given the directory serves them back.
    let dir_for_server = files.clone();
    let server = app.sibling_configured(move |s| s.files_dir = Some(dir_for_server)).await;
    let lead = server.login(server::app::demo::USERS[0].email, server::app::demo::USERS[0].password).await;
    let with_file = items.iter().find(|i| i.file_id.is_some()).unwrap();
    let res =
        server.client.get(server.url(&format!("/api/reviews/demo/items/{}/file", with_file.id))).bearer_auth(&lead).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF-"));
});
