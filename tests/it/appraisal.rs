//! Quality appraisal through HTTP: CASP by two appraisers, blind until both submit, item-level
//! disagreements reconciled by the lead, the table as CSV, HTML and SVG, custom instruments.

use serde_json::{Value, json};

use super::screening::{PDF, next, team, vote};
use super::*;

/// CASP Qualitative answers: "yes" everywhere except the given items, and Q10 as free text.
fn casp(instrument: &Value, overrides: &[(&str, &str)]) -> Vec<Value> {
    let mut out = Vec::new();
    for section in instrument["sections"].as_array().unwrap() {
        for item in section["items"].as_array().unwrap() {
            let id = item["id"].as_str().unwrap();
            if item["answer_set"].is_null() {
                out.push(
                    json!({"item": id, "text": "Valuable: new insight into peer roles", "comment": null, "quote": null, "page": null}),
                );
            } else {
                let key = overrides.iter().find(|(i, _)| *i == id).map(|(_, k)| *k).unwrap_or("yes");
                out.push(json!({"item": id, "key": key, "comment": format!("comment on {id}"), "quote": "we interviewed peer workers", "page": "4"}));
            }
        }
    }
    out
}

db_test!(two_appraisers_reconcile_a_casp_appraisal, |app| {
    let t = team(&app).await;
    // One study included at full text.
    let item = next(&app, &t.rev1, "title_abstract", 1).await[0]["id"].as_i64().unwrap();
    vote(&app, &t.rev1, item, json!({"vote": "include"})).await;
    next(&app, &t.rev2, "title_abstract", 1).await;
    let (_, decided) = vote(&app, &t.rev2, item, json!({"vote": "include"})).await;
    let record = decided["record"]["id"].as_i64().unwrap();
    let ft = store::screening::item_for_record(&app.store.db, record as i32, "full_text").await.unwrap().unwrap();
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("s.pdf"));
    app.client.post(app.url(&format!("/api/reviews/qes/items/{}/file", ft.id))).bearer_auth(&t.rev1).multipart(form).send().await.unwrap();
    vote(&app, &t.rev1, ft.id.into(), json!({"vote": "include"})).await;
    vote(&app, &t.rev2, ft.id.into(), json!({"vote": "include"})).await;

    let (s, overview) = app.get("/api/reviews/qes/appraisal", &t.rev1).await;
    assert_eq!(s, 200, "{overview}");
    assert_eq!(overview["instrument"]["id"], "casp-qualitative");
    assert!(overview["instrument"]["licence"].as_str().unwrap().contains("CC BY-NC-SA"));
    assert_eq!(overview["studies"].as_array().unwrap().len(), 1);
    let study = overview["studies"][0]["item_id"].as_i64().unwrap();
    assert_eq!(overview["studies"][0]["my_status"], "none");
    let instrument = overview["instrument"].clone();
    let path = format!("/api/reviews/qes/appraisal/studies/{study}");

    // Reviewer 1 drafts, then submits; an incomplete submission is refused with what is missing.
    let res = app
        .client
        .put(app.url(&format!("{path}/mine")))
        .bearer_auth(&t.rev1)
        .json(&json!({"answers": [], "submit": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = app
        .client
        .put(app.url(&format!("{path}/mine")))
        .bearer_auth(&t.rev1)
        .json(&json!({"answers": casp(&instrument, &[("q6", "cant_tell")]), "submit": false}))
        .send()
        .await
        .unwrap();
    let view: Value = res.json().await.unwrap();
    assert_eq!(view["mine"]["submitted"], false);
    let res = app
        .client
        .put(app.url(&format!("{path}/mine")))
        .bearer_auth(&t.rev1)
        .json(&json!({"answers": casp(&instrument, &[("q6", "cant_tell")]), "submit": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    // Blind: reviewer 2 sees nothing of reviewer 1's answers before submitting.
    let (_, v2) = app.get(&path, &t.rev2).await;
    assert_eq!(v2["others"], Value::Null);
    assert!(!v2.to_string().contains("comment on q6"));
    let res = app
        .client
        .put(app.url(&format!("{path}/mine")))
        .bearer_auth(&t.rev2)
        .json(&json!({"answers": casp(&instrument, &[("q6", "no"), ("q8", "cant_tell")]), "submit": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .client
        .put(app.url(&format!("{path}/mine")))
        .bearer_auth(&t.rev2)
        .json(&json!({"answers": casp(&instrument, &[]), "submit": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409, "submitted answers are locked");
    // Now both are in: each sees the other's; the lead sees the two disagreements.
    let (_, v2) = app.get(&path, &t.rev2).await;
    assert_eq!(v2["others"].as_array().unwrap().len(), 1);
    let (_, lead_view) = app.get(&path, &t.lead).await;
    let items: Vec<&str> = lead_view["disagreements"].as_array().unwrap().iter().map(|d| d["item"].as_str().unwrap()).collect();
    assert_eq!(items, ["q6", "q8"]);
    assert_eq!(lead_view["final"], Value::Null, "not final until reconciled");
    let res = app
        .client
        .put(app.url(&format!("{path}/consensus")))
        .bearer_auth(&t.lead)
        .json(&json!({"decisions": [{"item": "q6", "key": "maybe-not"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = app
        .client
        .put(app.url(&format!("{path}/consensus")))
        .bearer_auth(&t.lead)
        .json(&json!({"decisions": [
            {"item": "q6", "key": "no", "note": "No reflexivity statement in the paper."},
            {"item": "q8", "key": "yes", "note": "Analysis described in detail on p. 5."}
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let done: Value = res.json().await.unwrap();
    let fin = done["final"].as_array().expect("final answers");
    assert_eq!(fin.iter().find(|a| a["item"] == "q6").unwrap()["key"], "no");
    assert_eq!(fin.iter().find(|a| a["item"] == "q8").unwrap()["key"], "yes");
    assert_eq!(done["study"]["complete"], true);

    // Agreement per item between the two appraisers: they agree on 8 of 10... on this one study.
    let (s, ag) = app.get("/api/reviews/qes/appraisal/agreement", &t.lead).await;
    assert_eq!(s, 200, "{ag}");
    let q6 = ag.as_array().unwrap().iter().find(|a| a["item"] == "q6").unwrap();
    assert_eq!(q6["n"], 1);
    assert_eq!(q6["percent"], 0.0);
    let q1 = ag.as_array().unwrap().iter().find(|a| a["item"] == "q1").unwrap();
    assert_eq!(q1["percent"], 1.0);

    // The table, the traffic-light plot, and the audit trail.
    let csv =
        app.client.get(app.url("/api/reviews/qes/appraisal/table.csv")).bearer_auth(&t.rev1).send().await.unwrap().text().await.unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("study,"), "{header}");
    assert_eq!(lines.count(), 1, "one complete study: {csv}");
    let html =
        app.client.get(app.url("/api/reviews/qes/appraisal/table.html")).bearer_auth(&t.rev1).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<table") && html.contains("CASP"));
    let svg = app
        .client
        .get(app.url("/api/reviews/qes/appraisal/traffic-light.svg"))
        .bearer_auth(&t.rev1)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let label = overview["studies"][0]["label"].as_str().unwrap();
    assert!(svg.contains("<svg") && svg.contains(label.split(' ').next().unwrap()), "{label}");
    let out = repo_root().join("target/test-output");
    let _ = std::fs::create_dir_all(&out);
    let _ = std::fs::write(out.join(format!("appraisal-e2e-{:?}.svg", app.db).to_lowercase()), &svg);
    let (_, events) = app.get("/api/reviews/qes/audit?limit=1000", &t.lead).await;
    let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["appraisal.save", "appraisal.submit", "appraisal.consensus"] {
        assert!(actions.contains(&a), "audit lacks {a}");
    }
});

db_test!(custom_instruments_are_checked_and_chosen, |app| {
    let t = team(&app).await;
    let (s, body) = app.post("/api/reviews/qes/appraisal/instruments", &t.lead, json!({"toml": "id = \"x\"\nname = \"Broken\"\n"})).await;
    assert_eq!(s, 422, "{body}");
    assert!(body["errors"].as_array().unwrap().len() >= 2, "every problem is listed: {body}");
    let good = r#"
id = "team-checklist"
name = "Team checklist"
version = "1"
attribution = "Written by the review team"
licence = "CC BY 4.0"

[answer_sets]
yn = [
  { key = "yes", label = "Yes", rating = "good" },
  { key = "no", label = "No", rating = "bad" },
]

[[sections]]
id = "a"
title = "Basics"

[[sections.items]]
id = "aims"
number = 1
text = "Are the aims clear?"
answer_set = "yn"
"#;
    let (s, body) = app.post("/api/reviews/qes/appraisal/instruments", &t.lead, json!({"toml": good})).await;
    assert_eq!(s, 201, "{body}");
    let res = app
        .client
        .put(app.url("/api/reviews/qes/appraisal/settings"))
        .bearer_auth(&t.lead)
        .json(&json!({"instrument_id": "team-checklist", "appraisers": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, overview) = app.get("/api/reviews/qes/appraisal", &t.rev1).await;
    assert_eq!(overview["instrument"]["name"], "Team checklist");
    assert_eq!(overview["appraisers"], 1);
    let res = app
        .client
        .put(app.url("/api/reviews/qes/appraisal/settings"))
        .bearer_auth(&t.lead)
        .json(&json!({"instrument_id": "nope", "appraisers": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let (_, builtins) = app.get("/api/instruments", &t.rev1).await;
    assert!(builtins.as_array().unwrap().len() >= 9);
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_can_switch_built_in_instruments_off() {
    let Some(app) =
        TestApp::spawn_configured(Db::Sqlite, |s| s.disabled_instruments = vec!["casp-rct".to_owned(), "jbi-qualitative".to_owned()]).await
    else {
        return;
    };
    let lead = app.user("lead@example.org", "correct horse battery", false).await;
    app.review("qes", lead).await;
    let token = app.login("lead@example.org", "correct horse battery").await;
    let (_, list) = app.get("/api/instruments", &token).await;
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert!(!ids.contains(&"casp-rct") && !ids.contains(&"jbi-qualitative") && ids.contains(&"casp-qualitative"), "{ids:?}");
    let res = app
        .client
        .put(app.url("/api/reviews/qes/appraisal/settings"))
        .bearer_auth(&token)
        .json(&json!({"instrument_id": "jbi-qualitative", "appraisers": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
}
