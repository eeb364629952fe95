//! Dual screening end to end through HTTP: blind votes, routing, conflicts and their resolution, full
//! text with a PDF, undo and change, progress, agreement, the decisions export, and concurrency.

use serde_json::{Value, json};

use super::*;

const PW: &str = "correct horse battery";
const REASONS: [&str; 3] = ["Wrong population", "Not qualitative", "Wrong setting"];
pub const REASONS_FOR_TESTS: [&str; 3] = REASONS;

/// A minimal valid PDF.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/MediaBox[0 0 612 792]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

pub struct Team {
    pub lead: String,
    pub rev1: String,
    pub rev2: String,
    pub rev1_id: i32,
    pub rev2_id: i32,
}

/// A review `qes` with a lead, two reviewers, a protocol with three reasons, and the CINAHL file (25 records).
pub async fn team(app: &TestApp) -> Team {
    let lead_id = app.user("lead@example.org", PW, false).await;
    let rev1_id = app.user("rev1@example.org", PW, false).await;
    let rev2_id = app.user("rev2@example.org", PW, false).await;
    app.review("qes", lead_id).await;
    app.add_member("qes", rev1_id, "reviewer").await;
    app.add_member("qes", rev2_id, "reviewer").await;
    let lead = app.login("lead@example.org", PW).await;
    let protocol = json!({
        "framework": "SPIDER",
        "elements": {"S": "peer workers", "PI": "peer support in homelessness and substance-use services", "D": "qualitative", "E": "experiences", "R": "qualitative"},
        "inclusion": "Primary qualitative studies of peer workers' experiences.",
        "exclusion": "Quantitative studies; clinical trials.",
        "reasons": REASONS,
        "include_keywords": ["peer", "qualitative"],
        "exclude_keywords": ["randomised", "diabetes"],
    });
    let res = app.client.put(app.url("/api/reviews/qes/protocol")).bearer_auth(&lead).json(&protocol).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let (_, job) = app.import("qes", &lead, "cinahl.ris", fixture("demo/cinahl.ris"), "CINAHL").await;
    assert_eq!(job["state"], "done", "{job}");
    Team { lead, rev1: app.login("rev1@example.org", PW).await, rev2: app.login("rev2@example.org", PW).await, rev1_id, rev2_id }
}

/// Items of review `qes` whose reservation count differs from their reservation rows.
async fn drift(app: &TestApp) -> Vec<(i32, i32, i64)> {
    let review = store::reviews::by_slug(&app.store.db, "qes").await.unwrap().expect("review qes");
    store::screening::reservation_drift(&app.store.db, review.id).await.unwrap()
}

pub async fn next(app: &TestApp, token: &str, stage: &str, count: u64) -> Vec<Value> {
    let (status, items) = app.post(&format!("/api/reviews/qes/stages/{stage}/next?count={count}"), token, json!({})).await;
    assert_eq!(status, 200, "{items}");
    items.as_array().unwrap().clone()
}

/// Replaces the title/abstract stage's settings; the status.
async fn put_settings(app: &TestApp, token: &str, settings: &Value) -> u16 {
    let url = app.url("/api/reviews/qes/stages/title_abstract/settings");
    app.client.put(url).bearer_auth(token).json(settings).send().await.unwrap().status().as_u16()
}

/// The reviewers an item's shown votes name, oldest vote first.
fn voters(item: &Value) -> Vec<&str> {
    item["votes"].as_array().map(|v| v.iter().filter_map(|v| v["reviewer"].as_str()).collect()).unwrap_or_default()
}

pub async fn vote(app: &TestApp, token: &str, item: i64, body: Value) -> (u16, Value) {
    let res = app.client.put(app.url(&format!("/api/reviews/qes/items/{item}/vote"))).bearer_auth(token).json(&body).send().await.unwrap();
    status_json(res).await
}

db_test!(dual_screening_end_to_end, |app| {
    let t = team(&app).await;
    let first = next(&app, &t.rev1, "title_abstract", 2).await;
    assert_eq!(first.len(), 2);
    let (a, b) = (first[0]["id"].as_i64().unwrap(), first[1]["id"].as_i64().unwrap());
    assert_eq!(first[0]["votes"], Value::Null, "blind reviewers see no votes");
    // Asking again returns the same reserved records (a reload loses nothing).
    let again = next(&app, &t.rev1, "title_abstract", 2).await;
    assert_eq!(again.iter().map(|i| i["id"].as_i64().unwrap()).collect::<Vec<_>>(), vec![a, b]);

    let (s, body) = vote(&app, &t.rev1, a, json!({"vote": "include", "note": "peer navigators, clearly in scope"})).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["my_vote"]["vote"], "include");
    assert_eq!(body["state"], "open");
    let (s, _) = vote(&app, &t.rev1, b, json!({"vote": "exclude", "reason": "Not a reason"})).await;
    assert_eq!(s, 422, "reasons come from the protocol");
    let (s, _) = vote(&app, &t.rev1, b, json!({"vote": "exclude", "reason": REASONS[1]})).await;
    assert_eq!(s, 200);

    // The second reviewer is routed to the half-voted records first, and sees nothing of the first vote.
    let for_rev2 = next(&app, &t.rev2, "title_abstract", 2).await;
    let ids: Vec<i64> = for_rev2.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![a, b]);
    let (_, view) = app.get(&format!("/api/reviews/qes/items/{a}"), &t.rev2).await;
    assert_eq!(view["votes"], Value::Null);
    assert_eq!(view["my_vote"], Value::Null);
    assert!(!view.to_string().contains("peer navigators, clearly in scope"));

    // Disagreement on A is a conflict, hidden from the blind reviewer; agreement on B decides it.
    let (_, va) = vote(&app, &t.rev2, a, json!({"vote": "exclude", "reason": REASONS[0]})).await;
    assert_eq!(va["state"], "open", "a blind reviewer must not learn of the conflict: {va}");
    let (_, vb) = vote(&app, &t.rev2, b, json!({"vote": "exclude", "reason": REASONS[1]})).await;
    assert_eq!(vb["state"], "excluded");
    assert_eq!(vb["votes"].as_array().unwrap().len(), 2, "once decided, the votes are open");
    assert_eq!(voters(&vb), ["rev1", "rev2"], "each vote names its reviewer: {vb}");
    let (s, _) = vote(&app, &t.rev1, b, json!({"vote": "include"})).await;
    assert_eq!(s, 409, "a decided record's votes cannot change");

    // The lead sees the conflict with both votes and resolves it; the record moves to full text.
    let (s, conflicts) = app.get("/api/reviews/qes/stages/title_abstract/conflicts", &t.lead).await;
    assert_eq!(s, 200);
    let c = conflicts.as_array().unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0]["id"], a);
    assert_eq!(c[0]["votes"].as_array().unwrap().len(), 2);
    assert_eq!(app.get("/api/reviews/qes/stages/title_abstract/conflicts", &t.rev1).await.0, 403);
    let (s, resolved) = app
        .post(
            &format!("/api/reviews/qes/items/{a}/resolve"),
            &t.lead,
            json!({"decision": "include", "note": "Peer navigators are peer workers."}),
        )
        .await;
    assert_eq!(s, 200, "{resolved}");
    assert_eq!(resolved["state"], "included");

    // Progress: the lead sees states and reviewers; a blind reviewer only their own numbers.
    let (_, p) = app.get("/api/reviews/qes/stages/title_abstract/progress", &t.lead).await;
    assert_eq!(p["states"]["included"], 1);
    assert_eq!(p["states"]["excluded"], 1);
    assert_eq!(p["states"]["open"], 23);
    assert_eq!(p["reviewers"].as_array().unwrap().len(), 2);
    let (_, p1) = app.get("/api/reviews/qes/stages/title_abstract/progress", &t.rev1).await;
    assert_eq!(p1["states"], Value::Null);
    assert_eq!(p1["reviewers"], Value::Null);
    assert_eq!(p1["my_votes"], 2);
    assert_eq!(p1["my_remaining"], 23);

    // Agreement on first votes: 1 of 2 agree.
    assert_eq!(app.get("/api/reviews/qes/stages/title_abstract/agreement", &t.rev1).await.0, 403);
    let (s, ag) = app.get("/api/reviews/qes/stages/title_abstract/agreement", &t.lead).await;
    assert_eq!(s, 200, "{ag}");
    assert_eq!(ag[0]["n"], 2);
    assert!((ag[0]["percent_agreement"].as_f64().unwrap() - 0.5).abs() < 1e-9);
    assert_eq!(ag[1]["reviewers"], json!([t.rev1_id, t.rev2_id]));
    // On the reason: B, excluded by both for the same reason, is the one record that counts.
    assert_eq!(app.get("/api/reviews/qes/stages/title_abstract/agreement/reasons", &t.rev1).await.0, 403);
    let (s, reasons) = app.get("/api/reviews/qes/stages/title_abstract/agreement/reasons", &t.lead).await;
    assert_eq!(s, 200, "{reasons}");
    assert_eq!((reasons["n"].as_u64(), reasons["percent_agreement"].as_f64()), (Some(1), Some(1.0)), "{reasons}");
    assert_eq!(reasons["pairs"].as_array().map(Vec::len), Some(1), "{reasons}");
    assert_eq!(
        (&reasons["pairs"][0]["reviewers"], reasons["pairs"][0]["n"].as_u64()),
        (&json!([t.rev1_id, t.rev2_id]), Some(1)),
        "{reasons}"
    );

    // Full text: the included record is a report awaiting its PDF.
    let ft = next(&app, &t.rev1, "full_text", 1).await;
    assert!(ft.is_empty(), "no report is open before its full text is attached");
    let record_id = resolved["record"]["id"].as_i64().unwrap();
    let items = app.store.db.clone();
    let ft_item = store::screening::item_for_record(&items, record_id as i32, "full_text").await.unwrap().expect("a report sought");
    assert_eq!(ft_item.state, "awaiting_file");
    let (s, awaiting) = app.get("/api/reviews/qes/stages/full_text/items?state=awaiting_file", &t.rev2).await;
    assert_eq!(s, 200, "{awaiting}");
    assert_eq!(awaiting.as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect::<Vec<_>>(), vec![i64::from(ft_item.id)]);
    assert_eq!(
        app.get("/api/reviews/qes/stages/title_abstract/items?state=conflict", &t.rev2).await.0,
        403,
        "blind reviewers cannot list conflicts"
    );
    assert_eq!(app.get("/api/reviews/qes/stages/title_abstract/items?state=bogus", &t.lead).await.0, 422);
    let upload = |bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name("lennox-2021.pdf"));
        app.client.post(app.url(&format!("/api/reviews/qes/items/{}/file", ft_item.id))).bearer_auth(&t.rev1).multipart(form).send()
    };
    assert_eq!(upload(b"<html>not a pdf</html>".to_vec()).await.unwrap().status(), 422);
    let res = upload(PDF.to_vec()).await.unwrap();
    assert_eq!(res.status(), 200);
    let pdf = app.client.get(app.url(&format!("/api/reviews/qes/items/{}/file", ft_item.id))).bearer_auth(&t.rev2).send().await.unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert_eq!(pdf.bytes().await.unwrap().as_ref(), PDF);
    let ft = next(&app, &t.rev1, "full_text", 1).await;
    assert_eq!(ft[0]["id"], ft_item.id);
    assert!(ft[0]["file"]["url"].as_str().unwrap().ends_with("/file"));
    let (s, body) = vote(&app, &t.rev1, ft_item.id.into(), json!({"vote": "exclude"})).await;
    assert_eq!(s, 422, "an exclusion at full text needs a reason: {body}");
    vote(&app, &t.rev1, ft_item.id.into(), json!({"vote": "exclude", "reason": REASONS[2]})).await;
    next(&app, &t.rev2, "full_text", 1).await;
    let (_, done) = vote(&app, &t.rev2, ft_item.id.into(), json!({"vote": "exclude", "reason": REASONS[2]})).await;
    assert_eq!(done["state"], "excluded");
    assert_eq!(done["reason"], REASONS[2]);
    // Agreement is per stage: full text has its one record, agreed on and for the same reason, and
    // title/abstract still counts its own two.
    let (s, ag) = app.get("/api/reviews/qes/stages/full_text/agreement", &t.lead).await;
    assert_eq!(s, 200, "{ag}");
    assert_eq!((ag[0]["n"].as_u64(), ag[0]["percent_agreement"].as_f64()), (Some(1), Some(1.0)), "{ag}");
    let (_, reasons) = app.get("/api/reviews/qes/stages/full_text/agreement/reasons", &t.lead).await;
    assert_eq!((reasons["n"].as_u64(), reasons["percent_agreement"].as_f64()), (Some(1), Some(1.0)), "{reasons}");
    let (_, ag) = app.get("/api/reviews/qes/stages/title_abstract/agreement", &t.lead).await;
    assert_eq!(ag[0]["n"], 2, "{ag}");

    // Undo: a vote comes back off an undecided record, which returns to the reviewer.
    let c = next(&app, &t.rev1, "title_abstract", 1).await[0]["id"].as_i64().unwrap();
    vote(&app, &t.rev1, c, json!({"vote": "maybe"})).await;
    let res = app.client.delete(app.url(&format!("/api/reviews/qes/items/{c}/vote"))).bearer_auth(&t.rev1).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let back = next(&app, &t.rev1, "title_abstract", 1).await;
    assert_eq!(back[0]["id"], c);
    assert_eq!(back[0]["my_vote"], Value::Null);
    // Change: include, then exclude before the co-reviewer votes.
    vote(&app, &t.rev1, c, json!({"vote": "include"})).await;
    let (_, changed) = vote(&app, &t.rev1, c, json!({"vote": "exclude", "reason": REASONS[0]})).await;
    assert_eq!(changed["my_vote"]["vote"], "exclude");

    // The audit trail and the decisions export tell the whole story.
    let (_, events) = app.get("/api/reviews/qes/audit?limit=1000", &t.lead).await;
    let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["protocol.update", "vote.cast", "vote.change", "vote.undo", "conflict.resolve", "fulltext.attach"] {
        assert!(actions.contains(&a), "audit lacks {a}: {actions:?}");
    }
    let csv = app.client.get(app.url("/api/reviews/qes/decisions.csv")).bearer_auth(&t.lead).send().await.unwrap().text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("record_id,source_record_id,stage,reviewer,role,decision,reason,note,time,protocol_version"));
    let rows: Vec<&str> = lines.collect();
    // 4 title/abstract votes + 2 full-text votes + 1 current vote on C, and 1 lead resolution.
    assert_eq!(rows.len(), 8, "{csv}");
    // Every vote was made under the protocol as first saved; a resolution has no version.
    assert_eq!(rows.iter().filter(|r| r.contains(",reviewer,") && r.ends_with(",1")).count(), 7, "{csv}");
    assert!(rows.iter().filter(|r| r.contains(",lead,")).all(|r| r.ends_with(',')), "{csv}");
    assert!(rows.iter().any(|r| r.contains(",lead,include,") && r.contains("Peer navigators are peer workers.")));
    assert_eq!(app.client.get(app.url("/api/reviews/qes/decisions.csv")).bearer_auth(&t.rev1).send().await.unwrap().status(), 403);
    // Votes, undo and resolution kept every item's reservation count equal to its reservation rows.
    assert_eq!(drift(&app).await, vec![], "reservation counts drifted");
});

db_test!(tags_are_tidied_and_limited, |app| {
    let t = team(&app).await;
    let item = next(&app, &t.rev1, "title_abstract", 1).await[0]["id"].as_i64().unwrap();
    let long = "x".repeat(61);
    let (s, problem) = vote(&app, &t.rev1, item, json!({"vote": "include", "tags": ["fine", long]})).await;
    assert_eq!(s, 422, "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("longer than 60 characters"), "{problem}");
    // Nothing was stored: the record still waits for this reviewer's vote.
    let (_, view) = app.get(&format!("/api/reviews/qes/items/{item}"), &t.rev1).await;
    assert_eq!(view["my_vote"], Value::Null, "a refused vote left a vote behind: {view}");
    let (s, body) = vote(&app, &t.rev1, item, json!({"vote": "include", "tags": ["  peer   support ", "Peer support", "", "ward"]})).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["my_vote"]["tags"], json!(["peer support", "ward"]));
    let (s, _) = vote(&app, &t.rev1, item, json!({"vote": "include", "tags": (0..21).map(|i| format!("t{i}")).collect::<Vec<_>>()})).await;
    assert_eq!(s, 422, "21 tags must be refused");
});

db_test!(a_vote_can_bring_the_next_records_with_it, |app| {
    let t = team(&app).await;
    let first = next(&app, &t.rev1, "title_abstract", 1).await;
    let a = first[0]["id"].as_i64().unwrap();
    // One round trip: the vote, and the two records to judge after it.
    let (status, body) = app.post(&format!("/api/reviews/qes/items/{a}/vote-and-next?count=2"), &t.rev1, json!({"vote": "include"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["item"]["id"], a);
    assert_eq!(body["item"]["my_vote"]["vote"], "include");
    let then: Vec<i64> = body["next"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(then.len(), 2, "{body}");
    assert!(!then.contains(&a), "the record just judged comes back: {then:?}");
    // They are reserved: asking `next` gives the same two.
    let again: Vec<i64> = next(&app, &t.rev1, "title_abstract", 2).await.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(again, then);
    // The co-reviewer's next record is the one waiting for a second vote; voting on it decides it, and
    // what comes next is none of the first reviewer's.
    let waiting = next(&app, &t.rev2, "title_abstract", 1).await;
    assert_eq!(waiting[0]["id"], a, "records with a vote come first");
    assert!(waiting[0]["votes"].is_null(), "blind: no votes shown");
    let (status, body) = app.post(&format!("/api/reviews/qes/items/{a}/vote-and-next"), &t.rev2, json!({"vote": "include"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["item"]["state"], "included");
    let hers: Vec<i64> = body["next"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(hers.len(), 1);
    assert!(!then.contains(&hers[0]) && hers[0] != a, "{hers:?} against {then:?}");
    // A refused vote reserves nothing; count=0 reserves nothing either.
    let b = then[0];
    let (status, _) = app.post(&format!("/api/reviews/qes/items/{b}/vote-and-next?count=3"), &t.rev2, json!({"vote": "perhaps"})).await;
    assert_eq!(status, 422);
    let (status, body) = app.post(&format!("/api/reviews/qes/items/{b}/vote-and-next?count=0"), &t.rev1, json!({"vote": "exclude"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["next"], json!([]));
    let review = store::reviews::by_slug(&app.store.db, "qes").await.unwrap().unwrap().id;
    let held = store::screening::my_reservations(&app.store.db, review, "title_abstract", t.rev2_id, 0).await.unwrap();
    assert_eq!(held.iter().map(|i| i64::from(i.id)).collect::<Vec<_>>(), hers, "the refused vote reserved nothing");
    assert_eq!(store::screening::reservation_drift(&app.store.db, review).await.unwrap(), vec![]);
});

db_test!(votes_record_the_protocol_version_they_were_made_under, |app| {
    let t = team(&app).await;
    let (_, protocol) = app.get("/api/reviews/qes/protocol", &t.lead).await;
    assert_eq!(protocol["version"], 1);
    let ids: Vec<i64> = next(&app, &t.rev1, "title_abstract", 3).await.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    let (a, b, c) = (ids[0], ids[1], ids[2]);
    let (_, va) = vote(&app, &t.rev1, a, json!({"vote": "include"})).await;
    assert_eq!(va["my_vote"]["protocol_version"], 1, "{va}");
    let put_protocol = |p: Value| {
        let (app, lead) = (&app, &t.lead);
        async move {
            let res = app.client.put(app.url("/api/reviews/qes/protocol")).bearer_auth(lead).json(&p).send().await.unwrap();
            status_json(res).await
        }
    };
    let mut same = protocol.clone();
    same.as_object_mut().unwrap().remove("version");
    // Saved unchanged: no new version.
    let (s, again) = put_protocol(same.clone()).await;
    assert_eq!((s, again["version"].as_i64()), (200, Some(1)), "{again}");
    // An amendment (a fourth exclusion reason) is version 2; votes from now on say so.
    let mut amended = same;
    amended["reasons"].as_array_mut().unwrap().push(json!("Duplicate publication"));
    let (_, v2) = put_protocol(amended).await;
    assert_eq!(v2["version"], 2, "{v2}");
    let (_, vb) = vote(&app, &t.rev1, b, json!({"vote": "exclude", "reason": "Duplicate publication"})).await;
    assert_eq!(vb["my_vote"]["protocol_version"], 2, "{vb}");
    let (_, vc) = app.post(&format!("/api/reviews/qes/items/{c}/vote-and-next?count=0"), &t.rev1, json!({"vote": "maybe"})).await;
    assert_eq!(vc["item"]["my_vote"]["protocol_version"], 2, "vote-and-next stamps too: {vc}");
    let (_, still) = app.get(&format!("/api/reviews/qes/items/{a}"), &t.rev1).await;
    assert_eq!(still["my_vote"]["protocol_version"], 1, "an earlier vote keeps its version: {still}");
    // Changing a vote remakes it under the criteria in force.
    let (_, changed) = vote(&app, &t.rev1, a, json!({"vote": "exclude", "reason": REASONS[0]})).await;
    assert_eq!(changed["my_vote"]["protocol_version"], 2, "{changed}");
    let csv = app.client.get(app.url("/api/reviews/qes/decisions.csv")).bearer_auth(&t.lead).send().await.unwrap().text().await.unwrap();
    let versions: Vec<&str> = csv.lines().skip(1).map(|l| l.rsplit(',').next().unwrap()).collect();
    assert_eq!(versions, ["2", "2", "2"], "{csv}");
    // The amendments, newest first, with what each changed; the unchanged save is not one.
    let (s, history) = app.get("/api/reviews/qes/protocol/history", &t.rev2).await;
    assert_eq!(s, 200, "{history}");
    let list = history.as_array().unwrap();
    assert_eq!(list.iter().map(|v| v["version"].as_i64().unwrap()).collect::<Vec<_>>(), [2, 1], "{history}");
    assert_eq!(list[0]["changed"], json!(["reasons"]), "{history}");
    assert_eq!(list[0]["by"], "lead", "{history}");
    assert!(list[1]["changed"].as_array().unwrap().iter().any(|c| c == "inclusion"), "{history}");
    let (_, events) = app.get("/api/reviews/qes/audit?limit=1000", &t.lead).await;
    let updates = events.as_array().unwrap().iter().filter(|e| e["action"] == "protocol.update").count();
    assert_eq!(updates, 2, "saving the protocol unchanged is not an event: {events}");
});

/// The ids `GET my-votes` returns for `query` (after `?`), as `token`.
async fn my_votes(app: &TestApp, token: &str, query: &str) -> Vec<i64> {
    let (status, body) = app.get(&format!("/api/reviews/qes/stages/title_abstract/my-votes?{query}"), token).await;
    assert_eq!(status, 200, "{query}: {body}");
    body.as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

db_test!(my_decisions_can_be_searched_and_only_my_own_votes_are_searched, |app| {
    let t = team(&app).await;
    let items = next(&app, &t.rev1, "title_abstract", 4).await;
    let ids: Vec<i64> = items.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    let (a, b, c, d) = (ids[0], ids[1], ids[2], ids[3]);
    for (id, body) in [
        (a, json!({"vote": "include", "note": "Check the second site", "tags": ["Follow-up Qx"]})),
        (b, json!({"vote": "exclude", "reason": REASONS[0]})),
        (c, json!({"vote": "maybe"})),
        (d, json!({"vote": "include"})),
    ] {
        let (s, v) = vote(&app, &t.rev1, id, body).await;
        assert_eq!(s, 200, "{v}");
    }
    // The co-reviewer's note on a record both judged is not the first reviewer's to find.
    let secret = "Rosalind-7731";
    let (s, v) = vote(&app, &t.rev2, a, json!({"vote": "exclude", "reason": REASONS[1], "note": secret})).await;
    assert_eq!(s, 200, "{v}");

    // No search: most recently changed first, paged.
    assert_eq!(my_votes(&app, &t.rev1, "limit=50").await, vec![d, c, b, a]);
    assert_eq!(my_votes(&app, &t.rev1, "offset=1&limit=2").await, vec![c, b]);
    // Words from the note, the tags, the reason (any case), the vote kind and the record number.
    assert_eq!(my_votes(&app, &t.rev1, "q=SECOND%20site").await, vec![a]);
    assert_eq!(my_votes(&app, &t.rev1, "q=qx%20follow").await, vec![a]);
    assert_eq!(my_votes(&app, &t.rev1, "q=wrong%20population").await, vec![b]);
    assert_eq!(my_votes(&app, &t.rev1, "vote=maybe").await, vec![c]);
    assert_eq!(my_votes(&app, &t.rev1, "vote=include").await, vec![d, a]);
    assert_eq!(my_votes(&app, &t.rev1, "vote=include&offset=1&limit=1").await, vec![a]);
    assert!(my_votes(&app, &t.rev1, &format!("q={c}")).await.contains(&c), "by record number");
    // A word of a record's title (upper-cased) finds that record among mine, and only records whose
    // citation or vote has it.
    let title = items[1]["record"]["title"].as_str().unwrap().to_owned();
    let word = title.split(|ch: char| !ch.is_alphanumeric()).find(|w| w.len() >= 7).expect("a long word in the title").to_uppercase();
    let found = my_votes(&app, &t.rev1, &format!("q={word}")).await;
    assert!(found.contains(&b), "{word} from {title:?}: {found:?}");
    for it in &items {
        let id = it["id"].as_i64().unwrap();
        let r = &it["record"];
        let cited = format!("{} {} {} {}", r["title"], r["authors"], r["journal"], r["doi"]);
        let has = cited.to_uppercase().contains(&word);
        assert_eq!(found.contains(&id), has, "{word}: record {id}");
    }
    let maybe_too: Vec<i64> = if found.contains(&c) { vec![c] } else { Vec::new() };
    assert_eq!(my_votes(&app, &t.rev1, &format!("q={word}&vote=maybe")).await, maybe_too);
    assert_eq!(my_votes(&app, &t.rev1, "q=zzqx%20unfindable").await, Vec::<i64>::new());
    // Only one's own votes are searched.
    assert_eq!(my_votes(&app, &t.rev1, &format!("q={secret}")).await, Vec::<i64>::new());
    assert_eq!(my_votes(&app, &t.rev2, &format!("q={secret}")).await, vec![a]);
    assert_eq!(my_votes(&app, &t.rev2, "q=second%20site").await, Vec::<i64>::new());
    // A vote kind that is not one is refused with a field error.
    let (status, problem) = app.get("/api/reviews/qes/stages/title_abstract/my-votes?vote=perhaps", &t.rev1).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "vote", "{problem}");
});

/// The `sift_vote_ballots_total` counters of the test server: (remembered, stale, read).
async fn ballot_counts(app: &TestApp) -> (u64, u64, u64) {
    let text = metrics(app).await;
    let count = |kind: &str| counter(&text, &format!("sift_vote_ballots_total{{ballot=\"{kind}\"}}"));
    (count("remembered"), count("stale"), count("read"))
}

/// The test server's `/metrics` text.
async fn metrics(app: &TestApp) -> String {
    app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap()
}

/// A counter in `/metrics` text with the given labels (`name{labels}`), 0 when absent.
fn counter(text: &str, name_and_labels: &str) -> u64 {
    let line = format!("{name_and_labels} ");
    text.lines().find_map(|l| l.strip_prefix(&line)).map_or(0, |n| n.trim().parse().unwrap())
}

/// One counter of the test server's `/metrics` ([`counter`]).
async fn metric(app: &TestApp, name_and_labels: &str) -> u64 {
    counter(&metrics(app).await, name_and_labels)
}

/// Routing's question for `count` title/abstract records of a review for `reviewer`, held for ten
/// minutes from `now`, with nothing held ahead.
fn title_abstract_ask(review_id: i32, reviewer: i32, count: u64, now: i64) -> store::screening::Ask {
    store::screening::Ask {
        review_id,
        stage: "title_abstract".into(),
        reviewer,
        count,
        now,
        expires_at: now + 600_000,
        max_item_id: i32::MAX,
        pair: None,
        ahead: 0,
        renew: true,
    }
}

async fn vote_and_next(app: &TestApp, token: &str, item: i64, vote: &str, count: u64) -> (u16, Value) {
    app.post(&format!("/api/reviews/qes/items/{item}/vote-and-next?count={count}"), token, json!({"vote": vote})).await
}

/// Reviewers' votes on a review's item, as stored.
async fn stored_votes(app: &TestApp, item: i64) -> Vec<(i32, String)> {
    let rows = store::screening::votes_of_item(&app.store.db, i32::try_from(item).unwrap()).await.unwrap();
    rows.into_iter().map(|v| (v.reviewer_id, v.vote)).collect()
}

db_test!(a_remembered_ballot_is_used_only_while_the_record_and_the_callers_access_stand, |app| {
    let t = team(&app).await;
    let a = next(&app, &t.rev1, "title_abstract", 1).await[0]["id"].as_i64().unwrap();
    let (status, body) = vote_and_next(&app, &t.rev1, a, "include", 2).await;
    assert_eq!(status, 200, "{body}");
    let (b, c) = (body["next"][0]["id"].as_i64().unwrap(), body["next"][1]["id"].as_i64().unwrap());
    assert_eq!(ballot_counts(&app).await, (1, 0, 0), "a record handed out by `next` is voted on from what was remembered");

    // A record handed out by vote-and-next: the same.
    let (status, body) = vote_and_next(&app, &t.rev1, b, "include", 1).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["item"]["state"].as_str(), body["item"]["my_vote"]["vote"].as_str()), (Some("open"), Some("include")));
    assert_eq!(body["next"][0]["id"], c, "the record still held comes next");
    assert_eq!(ballot_counts(&app).await, (2, 0, 0));
    assert_eq!(stored_votes(&app, b).await, vec![(t.rev1_id, "include".to_owned())]);

    // The co-reviewer disagrees on `a`; `b`, waiting for a second vote, is handed to her next.
    assert_eq!(next(&app, &t.rev2, "title_abstract", 1).await[0]["id"], a);
    let (status, body) = vote_and_next(&app, &t.rev2, a, "exclude", 1).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["item"]["state"], "open", "blind: a conflict shows as open to a reviewer");
    assert_eq!(body["next"][0]["id"], b);
    // The lead turns blinding off: the ballot remembered for `b` (blind) no longer holds.
    let settings = json!({"reviewers_per_record": 2, "blind": false, "maybe_is_conflict": true});
    assert_eq!(put_settings(&app, &t.lead, &settings).await, 200);
    let (status, body) = vote_and_next(&app, &t.rev2, b, "exclude", 1).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["item"]["state"], "conflict", "decided and shown under the new settings: {body}");
    assert_eq!(body["item"]["votes"].as_array().map(Vec::len), Some(2), "not blind any more: {body}");
    assert_eq!(voters(&body["item"]), ["rev1", "rev2"], "each vote names its reviewer: {body}");
    assert_eq!(ballot_counts(&app).await, (3, 1, 0));
    let x = body["next"][0]["id"].as_i64().unwrap();

    // The first reviewer's ballot for `c` was remembered before the settings changed: read again.
    let (status, body) = vote_and_next(&app, &t.rev1, c, "include", 1).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ballot_counts(&app).await, (3, 2, 0));
    let y = body["next"][0]["id"].as_i64().unwrap();
    // A change of one's own vote (in conflict, not decided) was never handed out: it is read.
    let (status, body) = vote(&app, &t.rev1, a, json!({"vote": "maybe"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["my_vote"]["vote"], "maybe");
    assert_eq!(ballot_counts(&app).await, (3, 2, 1));

    // The first reviewer becomes a viewer while holding `y`: the remembered access no longer stands.
    let res = app
        .client
        .delete(app.url(&format!("/api/reviews/qes/members/{}?role=reviewer", t.rev1_id)))
        .bearer_auth(&t.lead)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    app.add_member("qes", t.rev1_id, "viewer").await;
    let (status, body) = vote_and_next(&app, &t.rev1, y, "include", 1).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(stored_votes(&app, y).await, vec![]);

    // The co-reviewer signs out while holding `x`: her token still decodes, but the session is over.
    let res = app.client.post(app.url("/api/auth/logout")).bearer_auth(&t.rev2).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let (status, body) = vote_and_next(&app, &t.rev2, x, "include", 1).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(stored_votes(&app, x).await, vec![]);
    assert_eq!(ballot_counts(&app).await, (3, 4, 1));
    assert_eq!(drift(&app).await, vec![]);
});

db_test!(third_reviewer_breaks_a_tie_and_reports_can_be_unretrievable, |app| {
    let t = team(&app).await;
    app.user("rev3@example.org", PW, false).await;
    let rev3_id = store::users::by_email(&app.store.db, "rev3@example.org").await.unwrap().unwrap().id;
    app.add_member("qes", rev3_id, "reviewer").await;
    let rev3 = app.login("rev3@example.org", PW).await;
    let a = next(&app, &t.rev1, "title_abstract", 1).await[0]["id"].as_i64().unwrap();
    vote(&app, &t.rev1, a, json!({"vote": "include"})).await;
    assert_eq!(next(&app, &t.rev2, "title_abstract", 1).await[0]["id"], a);
    vote(&app, &t.rev2, a, json!({"vote": "exclude"})).await;
    // Nobody else is routed to a conflict.
    assert_ne!(next(&app, &rev3, "title_abstract", 1).await[0]["id"], a);
    let (s, sent) = app.post(&format!("/api/reviews/qes/items/{a}/third-reviewer"), &t.lead, json!({})).await;
    assert_eq!(s, 200, "{sent}");
    assert_eq!(sent["state"], "open");
    let mut found = false;
    for item in next(&app, &rev3, "title_abstract", 5).await {
        found |= item["id"] == a;
    }
    assert!(found, "the third reviewer is routed to the conflict");
    let (_, decided) = vote(&app, &rev3, a, json!({"vote": "include"})).await;
    assert_eq!(decided["state"], "included");
    // The report cannot be found: recorded with a reason, and it never opens for screening.
    let record_id = decided["record"]["id"].as_i64().unwrap();
    let ft = store::screening::item_for_record(&app.store.db, record_id as i32, "full_text").await.unwrap().unwrap();
    let (s, _) = app.post(&format!("/api/reviews/qes/items/{}/not-retrieved", ft.id), &t.rev1, json!({"reason": " "})).await;
    assert_eq!(s, 422);
    let (s, nr) =
        app.post(&format!("/api/reviews/qes/items/{}/not-retrieved", ft.id), &t.rev1, json!({"reason": "Authors did not reply"})).await;
    assert_eq!(s, 200, "{nr}");
    assert_eq!(nr["state"], "not_retrieved");
    assert_eq!(nr["not_retrieved_reason"], "Authors did not reply");
    assert!(next(&app, &t.rev2, "full_text", 1).await.is_empty());
});

db_test!(a_blind_reviewer_learns_nothing_from_any_endpoint, |app| {
    let t = team(&app).await;
    let secret = "NOTE-OF-REVIEWER-ONE-7731";
    let a = next(&app, &t.rev1, "title_abstract", 1).await[0]["id"].as_i64().unwrap();
    vote(&app, &t.rev1, a, json!({"vote": "exclude", "reason": REASONS[2], "note": secret, "tags": ["TAG-7731"]})).await;
    let item = store::screening::item(&app.store.db, 1, a as i32).await.unwrap();
    let record_id = item.map(|i| i.record_id).unwrap_or(0);
    let doc: Value = app.client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut polled = 0;
    for (path, methods) in doc["paths"].as_object().unwrap() {
        if !methods.as_object().unwrap().contains_key("get") {
            continue;
        }
        let id = if path.contains("/records/") { record_id as i64 } else { a };
        let concrete = path.replace("{review}", "qes").replace("{stage}", "title_abstract").replace("{id}", &id.to_string());
        let res = app.client.get(app.url(&concrete)).bearer_auth(&t.rev2).send().await.unwrap();
        let body = res.text().await.unwrap();
        polled += 1;
        assert!(!body.contains(secret) && !body.contains("TAG-7731"), "GET {concrete} leaks the co-reviewer's note");
        assert!(!body.contains(REASONS[2]) || concrete.ends_with("/protocol"), "GET {concrete} leaks the co-reviewer's reason: {body}");
        assert!(!body.contains(&format!("\"reviewer_id\":{}", t.rev1_id)), "GET {concrete} names the co-reviewer's vote: {body}");
    }
    assert!(polled >= 15, "polled only {polled} endpoints");
});

/// A review `qes` of the CINAHL file (25 records), led by `lead@example.org`; its key and id.
async fn cinahl_review(app: &TestApp) -> (String, i32) {
    let lead = app.user("lead@example.org", PW, false).await;
    let slug = app.review("qes", lead).await;
    let lead_token = app.login("lead@example.org", PW).await;
    let (_, job) = app.import(&slug, &lead_token, "cinahl.ris", fixture("demo/cinahl.ris"), "CINAHL").await;
    assert_eq!(job["state"], "done");
    let review = store::reviews::by_slug(&app.store.db, &slug).await.unwrap().unwrap().id;
    (slug, review)
}

/// A review `qes` of the CINAHL file (25 records) and `n` reviewers signed in; returns their tokens.
async fn crowd(app: &TestApp, n: usize) -> Vec<String> {
    cinahl_review(app).await;
    let mut tokens = Vec::new();
    for i in 0..n {
        let email = format!("r{i}@example.org");
        let id = app.user(&email, PW, false).await;
        app.add_member("qes", id, "reviewer").await;
        tokens.push(app.login(&email, PW).await);
    }
    tokens
}

db_test!(concurrent_reviewers_never_overfill_records, |app| {
    let tokens = crowd(&app, 8).await;
    let base = app.base.clone();
    let mut tasks = Vec::new();
    for (n, token) in tokens.into_iter().enumerate() {
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut cast = 0;
            loop {
                let items: Value = client
                    .post(format!("{base}/api/reviews/qes/stages/title_abstract/next?count=2"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let items = items.as_array().cloned().unwrap_or_default();
                if items.is_empty() {
                    break;
                }
                for it in items {
                    // Reviewers disagree on some records, so votes racing on one record must settle it
                    // from both.
                    let id = it["id"].as_i64().unwrap();
                    let kind = if (id + n as i64) % 3 == 0 { "exclude" } else { "include" };
                    let res = client
                        .put(format!("{base}/api/reviews/qes/items/{id}/vote"))
                        .bearer_auth(&token)
                        .json(&json!({"vote": kind}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
                    cast += 1;
                }
            }
            cast
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    assert_eq!(total, 50, "25 records x 2 votes, no more, no fewer");
    let items = store::screening::all_items(&app.store.db, 1).await.unwrap();
    let ta: Vec<_> = items.iter().filter(|i| i.stage == "title_abstract").collect();
    assert_eq!(ta.len(), 25);
    let mut states = std::collections::BTreeMap::new();
    for i in &ta {
        let votes = store::screening::votes_of_item(&app.store.db, i.id).await.unwrap();
        assert_eq!(votes.len(), 2, "item {} has {} votes", i.id, votes.len());
        assert_eq!(i.votes, 2);
        assert_ne!(votes[0].reviewer_id, votes[1].reviewer_id);
        let expected = match (votes[0].vote.as_str(), votes[1].vote.as_str()) {
            ("include", "include") => "included",
            ("exclude", "exclude") => "excluded",
            _ => "conflict",
        };
        assert_eq!(i.state, expected, "item {} with votes {} and {}", i.id, votes[0].vote, votes[1].vote);
        *states.entry(expected).or_insert(0) += 1;
        let full_text = items.iter().any(|f| f.stage == "full_text" && f.record_id == i.record_id);
        assert_eq!(full_text, expected == "included", "item {} ({expected}) and its full-text report", i.id);
    }
    assert!(states.len() >= 2, "the votes should disagree somewhere: {states:?}");
    assert_eq!(store::screening::reservation_drift(&app.store.db, 1).await.unwrap(), vec![], "reservation counts drifted");
    assert!(items.iter().all(|i| i.reserved == 0), "every reservation was used up by its vote");
});

// Reviewers screening a large stage at once through `vote-and-next`, as the screening page does: on
// PostgreSQL their holdings are held ahead and topped up in the background while they vote, and
// their plain votes are written together. Every vote is taken, every record ends with the votes it
// needs from different reviewers, nothing stays reserved, and the counts never drift.
db_test!(concurrent_reviewers_screen_a_large_stage_through_vote_and_next, |app| {
    let lead_id = app.user("lead@example.org", PW, false).await;
    app.review("qes", lead_id).await;
    let lead = app.login("lead@example.org", PW).await;
    let records = usize::try_from(store::screening::PLENTY).unwrap() + 100;
    let (_, job) = app.import("qes", &lead, "many.ris", tests::distinct_ris(records), "MEDLINE").await;
    assert_eq!(job["state"], "done", "{job}");
    let mut tokens = Vec::new();
    for i in 0..6 {
        let email = format!("r{i}@example.org");
        let id = app.user(&email, PW, false).await;
        app.add_member("qes", id, "reviewer").await;
        tokens.push(app.login(&email, PW).await);
    }
    let mut tasks = Vec::new();
    for (n, token) in tokens.into_iter().enumerate() {
        let base = app.base.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let post = |path: String, body: Value| {
                let req = client.post(format!("{base}{path}")).bearer_auth(&token).json(&body);
                async move {
                    let res = req.send().await.unwrap();
                    let status = res.status().as_u16();
                    (status, res.json::<Value>().await.unwrap())
                }
            };
            let mut cast = 0;
            let (status, first) = post("/api/reviews/qes/stages/title_abstract/next?count=1".into(), json!({})).await;
            assert_eq!(status, 200, "{first}");
            let mut shown = first[0]["id"].as_i64();
            while let Some(id) = shown {
                let kind = if (id + n as i64) % 4 == 0 { "exclude" } else { "include" };
                let (status, body) = post(format!("/api/reviews/qes/items/{id}/vote-and-next?count=1"), json!({"vote": kind})).await;
                assert_eq!(status, 200, "reviewer {n}'s vote on {id}: {body}");
                cast += 1;
                shown = body["next"][0]["id"].as_i64();
                if shown.is_none() {
                    // Nothing held or free now; records others hold may come free once they vote.
                    let (status, again) = post("/api/reviews/qes/stages/title_abstract/next?count=1".into(), json!({})).await;
                    assert_eq!(status, 200, "{again}");
                    shown = again[0]["id"].as_i64();
                }
            }
            cast
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    assert_eq!(total, 2 * records, "two votes per record, no more, no fewer");
    let review = store::reviews::by_slug(&app.store.db, "qes").await.unwrap().unwrap().id;
    let items = store::screening::all_items(&app.store.db, review).await.unwrap();
    let votes = store::screening::stage_votes(&app.store.db, review, "title_abstract", None).await.unwrap();
    assert_eq!(votes.len(), 2 * records);
    for i in items.iter().filter(|i| i.stage == "title_abstract") {
        let mine: Vec<i32> = votes.iter().filter(|v| v.item_id == i.id).map(|v| v.reviewer_id).collect();
        assert_eq!((i.votes, mine.len()), (2, 2), "item {}", i.id);
        assert_ne!(mine[0], mine[1], "item {} judged twice by one reviewer", i.id);
    }
    assert_eq!(drift(&app).await, vec![], "reservation counts drifted");
    assert!(items.iter().all(|i| i.reserved == 0), "a reservation outlived the screening");
    let full = metric(&app, "sift_holding_top_ups_total{outcome=\"full\"}").await;
    match app.db {
        Db::Postgres => assert!(full > 0, "no holding was topped up"),
        Db::Sqlite => assert_eq!(full, 0),
    }
});

db_test!(votes_written_together_are_each_checked_as_if_written_alone, |app| {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use store::screening::{ItemUpdate, NewVote, VoteWrite};
    let (slug, review) = cinahl_review(&app).await;
    let (a, b) = (app.user("a@example.org", PW, false).await, app.user("b@example.org", PW, false).await);
    app.add_member(&slug, a, "reviewer").await;
    app.add_member(&slug, b, "reviewer").await;
    app.login("a@example.org", PW).await;
    let session = store::entity::sessions::Entity::find()
        .filter(store::entity::sessions::Column::UserId.eq(a))
        .one(&app.store.db)
        .await
        .unwrap()
        .expect("A's session")
        .id;
    let now = server::time::now_ms();
    let ask = |reviewer: i32, count: u64| title_abstract_ask(review, reviewer, count, now);
    let mine: Vec<_> = store::screening::pick(&app.store, &ask(a, 4)).await.unwrap().into_iter().map(|h| h.item).collect();
    assert_eq!(mine.len(), 4);
    let theirs: Vec<_> = store::screening::pick(&app.store, &ask(b, 8)).await.unwrap().into_iter().map(|h| h.item).collect();
    let not_mine: Vec<_> = theirs.iter().filter(|i| mine.iter().all(|m| m.id != i.id)).collect();
    let [other, spare, third] = [0, 1, 2].map(|n| not_mine.get(n).map(|i| (*i).clone()).expect("three records A does not hold"));
    let gate = |roles: &[&str]| store::reviews::AccessGate {
        session_id: session.clone(),
        user_id: a,
        now,
        key: slug.clone(),
        review_id: review,
        roles: roles.iter().map(|r| r.to_string()).collect(),
    };
    let write = |item: &store::screening::Item, reviewer: i32, vote: &str, state: &str| VoteWrite {
        item: item.clone(),
        reviewer,
        existing: None,
        vote: NewVote { vote: vote.into(), reason: None, note: Some(format!("{reviewer} on {}", item.id)), tags: vec!["batch".into()] },
        update: ItemUpdate { state: state.into(), votes: Some(item.votes + 1), ..Default::default() },
        open_full_text: None,
        event: store::audit::NewEvent {
            review_id: Some(review),
            actor_id: Some(reviewer),
            action: "vote.cast",
            entity: "screening_item",
            entity_id: item.id.to_string(),
            before: None,
            after: Some(json!({"vote": vote})),
        },
        now,
        access: None,
        still_held: Vec::new(),
    };
    // A's earlier vote on the fourth record, which the batch changes.
    let earlier = store::screening::write_vote(&app.store, write(&mine[3], a, "maybe", "open")).await.unwrap().expect("written");
    let events_before = store::audit::list(&app.store.db, review, 0, 1000).await.unwrap().len();
    let reserved_before =
        store::screening::all_items(&app.store.db, review).await.unwrap().iter().find(|i| i.id == mine[0].id).unwrap().reserved;
    assert!(reserved_before >= 1, "A holds the first record");
    let batch = vec![
        // A first vote, through A's remembered access, naming two held records that are still A's.
        VoteWrite { access: Some(gate(&["reviewer"])), still_held: vec![mine[1].id, mine[2].id], ..write(&mine[0], a, "include", "open") },
        // Decided from a version of the item that is no longer its own.
        VoteWrite {
            item: store::screening::Item { version: mine[1].version + 1, ..mine[1].clone() },
            ..write(&mine[1], a, "exclude", "open")
        },
        // Through access that no longer stands (A is not a lead).
        VoteWrite { access: Some(gate(&["lead"])), ..write(&mine[2], a, "exclude", "open") },
        // B's vote that includes a record and opens its full-text report, naming a record B does not
        // hold.
        VoteWrite {
            update: ItemUpdate {
                state: "included".into(),
                decision: Some("include".into()),
                decided_at: Some(now),
                votes: Some(other.votes + 1),
                ..Default::default()
            },
            open_full_text: Some(2),
            still_held: vec![mine[0].id],
            ..write(&other, b, "include", "included")
        },
        // A changes the earlier vote.
        VoteWrite { item: earlier.item.clone(), existing: Some(earlier.vote.clone()), ..write(&earlier.item, a, "exclude", "open") },
    ];
    let twice = vec![write(&mine[0], a, "include", "open"), write(&mine[0], b, "include", "open")];
    assert!(matches!(store::screening::write_votes(&app.store, twice).await, Err(store::StoreError::Conflict(_))), "one item twice");
    let batches_before = app.store.vote_batches();
    let out = store::screening::write_votes(&app.store, batch).await.unwrap();
    let together = match app.store.backend {
        store::Backend::Postgres => (batches_before.0 + 1, batches_before.1 + 3),
        store::Backend::Sqlite => batches_before,
    };
    assert_eq!(app.store.vote_batches(), together, "on PostgreSQL one statement wrote the three votes written");
    let out: Vec<_> = out.into_iter().map(|r| r.expect("written or left out, not refused")).collect();
    assert_eq!(out.iter().map(Option::is_some).collect::<Vec<_>>(), [true, false, false, true, true]);
    let (first, included, changed) = (out[0].as_ref().unwrap(), out[3].as_ref().unwrap(), out[4].as_ref().unwrap());
    assert_eq!((first.item.id, first.item.votes, first.item.version), (mine[0].id, 1, mine[0].version + 1));
    assert_eq!((first.vote.reviewer_id, first.vote.vote.as_str(), first.vote.tags.as_str()), (a, "include", "[\"batch\"]"));
    assert_eq!(first.vote.note.as_deref(), Some(format!("{a} on {}", mine[0].id).as_str()));
    assert_eq!(first.item.reserved, reserved_before - 1, "A's reservation of the record is used up, and counted off");
    assert!(first.held, "the records A named are still A's");
    assert_eq!((included.item.state.as_str(), included.item.decision.as_deref()), ("included", Some("include")));
    // Several servers share only a PostgreSQL database, so only there is a holding checked.
    assert_eq!(included.held, app.store.backend == store::Backend::Sqlite, "B does not hold A's record");
    assert_eq!((changed.vote.id, changed.vote.vote.as_str(), changed.vote.first_vote.as_str()), (earlier.vote.id, "exclude", "maybe"));
    assert_eq!(changed.item.reserved, earlier.item.reserved, "a changed vote releases nothing");
    let items = store::screening::all_items(&app.store.db, review).await.unwrap();
    let of = |id: i32| items.iter().find(|i| i.id == id).unwrap();
    assert_eq!((of(mine[1].id).votes, of(mine[2].id).votes), (0, 0), "the votes not written left their items alone");
    let full_text: Vec<_> = items.iter().filter(|i| i.stage == "full_text").collect();
    assert_eq!(full_text.len(), 1);
    assert_eq!((full_text[0].record_id, full_text[0].state.as_str(), full_text[0].needed), (other.record_id, "awaiting_file", 2));
    let held: Vec<i32> =
        store::screening::my_reservations(&app.store.db, review, "title_abstract", a, now).await.unwrap().iter().map(|i| i.id).collect();
    assert!(!held.contains(&mine[0].id) && held.contains(&mine[1].id) && held.contains(&mine[2].id), "A still holds {held:?}");
    let events = store::audit::list(&app.store.db, review, 0, 1000).await.unwrap();
    assert_eq!(events.len(), events_before + 3, "one audit event per vote written");
    assert_eq!(store::screening::reservation_drift(&app.store.db, review).await.unwrap(), vec![], "reservation counts drifted");
    assert_eq!(store::screening::votes_of_item(&app.store.db, mine[1].id).await.unwrap().len(), 0);

    // A vote by an account that does not exist: the database refuses it, and it alone (on
    // PostgreSQL the batch's statement fails, and its votes are written again one by one).
    let batches_before = app.store.vote_batches();
    let fallback = vec![
        write(&spare, 999_999, "include", "open"),
        VoteWrite { still_held: vec![theirs.last().unwrap().id], ..write(&third, b, "exclude", "open") },
    ];
    let mut out = store::screening::write_votes(&app.store, fallback).await.unwrap();
    let written = out.pop().expect("two results").expect("B's vote is not refused").expect("B's vote is written");
    assert!(written.held, "B still holds the record named");
    assert_eq!((written.item.id, written.vote.reviewer_id), (third.id, b));
    let refused = out.pop().expect("two results");
    assert!(refused.is_err(), "a vote by nobody was written: {refused:?}");
    assert_eq!(app.store.vote_batches(), batches_before, "a batch that failed counts as none");
    let items = store::screening::all_items(&app.store.db, review).await.unwrap();
    let spare_now = items.iter().find(|i| i.id == spare.id).unwrap();
    assert_eq!((spare_now.votes, spare_now.version), (0, spare.version), "the refused vote changed its item");
    assert_eq!(store::screening::reservation_drift(&app.store.db, review).await.unwrap(), vec![], "reservation counts drifted");

    // Votes that arrive at once: on PostgreSQL the ones that wait share a statement, each its own
    // vote all the same.
    let c = app.user("c@example.org", PW, false).await;
    app.add_member(&slug, c, "reviewer").await;
    let held_by_c: Vec<i32> = store::screening::pick(&app.store, &ask(c, 20)).await.unwrap().into_iter().map(|h| h.item.id).collect();
    assert!(held_by_c.len() >= 15, "C holds {held_by_c:?}");
    let items = store::screening::all_items(&app.store.db, review).await.unwrap();
    let fresh: Vec<_> = items.iter().filter(|i| held_by_c.contains(&i.id)).collect();
    let before = app.store.vote_batches();
    let written =
        futures_util::future::join_all(fresh.iter().map(|i| store::screening::write_vote(&app.store, write(i, c, "exclude", "open"))))
            .await;
    assert!(written.iter().all(|w| matches!(w, Ok(Some(_)))), "{written:?}");
    let (batches, batched) = app.store.vote_batches();
    match app.store.backend {
        store::Backend::Postgres => assert!(batches > before.0 && batched >= before.1 + 2, "no votes were written together"),
        store::Backend::Sqlite => assert_eq!((batches, batched), (0, 0)),
    }
    let text = metrics(&app).await;
    assert!(text.contains(&format!("sift_vote_batches_total {batches}\n")), "{text}");
    assert!(text.contains(&format!("sift_votes_batched_total {batched}\n")), "{text}");
    for i in &fresh {
        let votes = store::screening::votes_of_item(&app.store.db, i.id).await.unwrap();
        assert_eq!(votes.iter().filter(|v| v.reviewer_id == c).count(), 1, "item {}", i.id);
    }
    assert_eq!(store::screening::reservation_drift(&app.store.db, review).await.unwrap(), vec![], "reservation counts drifted");
});

db_test!(expired_reservations_free_their_records, |app| {
    let (_, review) = cinahl_review(&app).await;
    let [a, b, c] = [
        app.user("a@example.org", PW, false).await,
        app.user("b@example.org", PW, false).await,
        app.user("c@example.org", PW, false).await,
    ];
    // One reviewer per record, so a held record has no room for anyone else.
    let one = store::screening::Settings { reviewers_per_record: 1, ..Default::default() };
    store::screening::save_settings(&app.store.db, review, "title_abstract", &one).await.unwrap();
    const MIN: i64 = 60_000;
    let t0 = 1_900_000_000_000;
    let ask = |reviewer: i32, count: u64, now: i64| title_abstract_ask(review, reviewer, count, now);
    let ids = |picked: Vec<store::screening::Handed>| {
        let mut ids: Vec<i32> = picked.into_iter().map(|h| h.item.id).collect();
        ids.sort();
        ids
    };
    let held_by_a = ids(store::screening::pick(&app.store, &ask(a, 3, t0)).await.unwrap());
    assert_eq!(held_by_a.len(), 3);
    let held_by_b = ids(store::screening::pick(&app.store, &ask(b, 30, t0 + 5 * MIN)).await.unwrap());
    assert_eq!(held_by_b.len(), 22, "the 22 records A does not hold");
    assert!(held_by_b.iter().all(|id| !held_by_a.contains(id)));
    assert!(store::screening::pick(&app.store, &ask(c, 5, t0 + 6 * MIN)).await.unwrap().is_empty(), "everything is held");
    // A's ten minutes are up (B's are not): C gets A's records, and only those.
    let taken_by_c = ids(store::screening::pick(&app.store, &ask(c, 5, t0 + 11 * MIN)).await.unwrap());
    assert_eq!(taken_by_c, held_by_a);
    // A asking again gets nothing: the records are C's now.
    assert!(store::screening::pick(&app.store, &ask(a, 3, t0 + 11 * MIN + 1)).await.unwrap().is_empty());
    assert_eq!(store::screening::reservation_drift(&app.store.db, review).await.unwrap(), vec![]);
    let items = store::screening::all_items(&app.store.db, review).await.unwrap();
    assert_eq!(items.iter().map(|i| i64::from(i.reserved)).sum::<i64>(), 25, "one reservation per record");
});

db_test!(concurrent_next_calls_never_hand_a_record_to_more_reviewers_than_it_needs, |app| {
    let tokens = crowd(&app, 16).await;
    // 16 reviewers ask for 3 records each at once: 48 places for 25 records x 2 reviewers.
    let base = app.base.clone();
    let mut tasks = Vec::new();
    for token in tokens {
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let items: Value = reqwest::Client::new()
                .post(format!("{base}/api/reviews/qes/stages/title_abstract/next?count=3"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            items.as_array().map(|a| a.iter().filter_map(|i| i["id"].as_i64()).collect::<Vec<_>>()).unwrap_or_default()
        }));
    }
    let mut handed: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for t in tasks {
        let got = t.await.unwrap();
        // Records held for a moment by another reviewer's claim may be skipped, but never all of them.
        assert!(!got.is_empty() && got.len() <= 3, "a reviewer got {got:?}");
        for id in got {
            *handed.entry(id).or_default() += 1;
        }
    }
    assert!(handed.values().all(|n| *n <= 2), "a record went to more than two reviewers: {handed:?}");
    let live = store::screening::all_items(&app.store.db, 1).await.unwrap();
    assert!(live.iter().all(|i| i.votes == 0), "nobody voted yet");
});

db_test!(a_pilot_set_gates_the_rest_of_the_stage, |app| {
    let t = team(&app).await;
    let settings = json!({"reviewers_per_record": 2, "blind": true, "maybe_is_conflict": true, "pilot_size": 4, "pilot_threshold": 0.6});
    assert_eq!(put_settings(&app, &t.lead, &settings).await, 200);
    let pilot: Vec<i64> =
        store::screening::pilot_ids(&app.store.db, 1, "title_abstract", 4).await.unwrap().into_iter().map(i64::from).collect();
    // Only pilot records are handed out, to both reviewers; they disagree on two of four.
    for (token, votes) in [(&t.rev1, ["include", "include", "exclude", "exclude"]), (&t.rev2, ["include", "exclude", "include", "exclude"])]
    {
        for v in votes {
            let items = next(&app, token, "title_abstract", 1).await;
            let id = items[0]["id"].as_i64().unwrap();
            assert!(pilot.contains(&id), "{id} is outside the pilot set {pilot:?}");
            let body = if v == "exclude" { json!({"vote": v, "reason": REASONS[0]}) } else { json!({"vote": v}) };
            let (s, b) = vote(&app, token, id, body).await;
            assert_eq!(s, 200, "{b}");
        }
    }
    // Agreement is 50% with kappa 0: below the threshold, so the stage stays closed and says why.
    let (s, body) = app.post("/api/reviews/qes/stages/title_abstract/next?count=1", &t.rev1, json!({})).await;
    assert_eq!(s, 409, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("pilot"), "{body}");
    let (_, p) = app.get("/api/reviews/qes/stages/title_abstract/progress", &t.lead).await;
    assert_eq!(p["pilot"]["complete"], true);
    assert_eq!(p["pilot"]["opened"], false);
    assert_eq!(p["pilot"]["n"], 4);
    assert!((p["pilot"]["kappa"].as_f64().unwrap() - 0.0).abs() < 1e-9, "{p}");
    assert_eq!(p["pilot"]["percent_agreement"], 0.5);
    assert_eq!(app.post("/api/reviews/qes/stages/title_abstract/pilot/open", &t.rev1, json!({})).await.0, 403);
    // After the discussion the lead opens the stage; records beyond the pilot flow.
    let (s, opened) = app.post("/api/reviews/qes/stages/title_abstract/pilot/open", &t.lead, json!({})).await;
    assert_eq!(s, 200, "{opened}");
    assert_eq!(opened["pilot_opened"], true);
    let items = next(&app, &t.rev1, "title_abstract", 1).await;
    assert!(!pilot.contains(&items[0]["id"].as_i64().unwrap()));
    let (s, _) = app.post("/api/reviews/qes/stages/title_abstract/pilot/open", &t.lead, json!({})).await;
    assert_eq!(s, 409, "no pilot is waiting any more");
});

db_test!(a_pilot_with_good_agreement_opens_by_itself, |app| {
    let t = team(&app).await;
    let settings = json!({"reviewers_per_record": 2, "blind": true, "maybe_is_conflict": true, "pilot_size": 3, "pilot_threshold": 0.6});
    app.client.put(app.url("/api/reviews/qes/stages/title_abstract/settings")).bearer_auth(&t.lead).json(&settings).send().await.unwrap();
    for token in [&t.rev1, &t.rev2] {
        for v in ["include", "exclude", "include"] {
            let id = next(&app, token, "title_abstract", 1).await[0]["id"].as_i64().unwrap();
            let body = if v == "exclude" { json!({"vote": v, "reason": REASONS[0]}) } else { json!({"vote": v}) };
            vote(&app, token, id, body).await;
        }
    }
    // Perfect agreement: the next request opens the rest of the stage, and the audit trail says so.
    let items = next(&app, &t.rev2, "title_abstract", 1).await;
    assert_eq!(items.len(), 1);
    let (_, events) = app.get("/api/reviews/qes/audit", &t.lead).await;
    let passed = events.as_array().unwrap().iter().find(|e| e["action"] == "pilot.passed").expect("pilot.passed event");
    assert_eq!(passed["after"]["kappa"], 1.0);
});

db_test!(routing_options_percentage_pairs_and_reassignment, |app| {
    let t = team(&app).await;
    // Two more reviewers make two fixed pairs.
    let mut extra = Vec::new();
    for email in ["rev3@example.org", "rev4@example.org"] {
        let id = app.user(email, PW, false).await;
        app.add_member("qes", id, "reviewer").await;
        extra.push((id, app.login(email, PW).await));
    }
    let (rev3, rev3_token) = extra[0].clone();
    let (rev4, _) = extra[1].clone();
    let settings = json!({"reviewers_per_record": 2, "blind": true, "maybe_is_conflict": true, "double_percent": 40, "pairs": [[t.rev1_id, t.rev2_id], [rev3, rev4]]});
    let res = app
        .client
        .put(app.url("/api/reviews/qes/stages/title_abstract/settings"))
        .bearer_auth(&t.lead)
        .json(&settings)
        .send()
        .await
        .unwrap();
    let saved: Value = res.json().await.unwrap();
    assert_eq!(saved["double_percent"], 40, "{saved}");
    // 40% of records need two votes, the rest one; the share is spread over the records.
    let items: Vec<_> =
        store::screening::all_items(&app.store.db, 1).await.unwrap().into_iter().filter(|i| i.stage == "title_abstract").collect();
    let doubles = items.iter().filter(|i| i.needed == 2).count();
    assert!((5..=15).contains(&doubles), "{doubles} of 25 records are double-screened");
    assert!(items.iter().all(|i| i.needed == 1 || i.needed == 2));
    // Each pair sees only its own records.
    let pair_of = |id: i64| id % 2;
    let first = next(&app, &t.rev1, "title_abstract", 5).await;
    let other = next(&app, &rev3_token, "title_abstract", 5).await;
    let a: Vec<i64> = first.iter().map(|i| pair_of(i["id"].as_i64().unwrap())).collect();
    let b: Vec<i64> = other.iter().map(|i| pair_of(i["id"].as_i64().unwrap())).collect();
    assert!(a.iter().all(|p| *p == a[0]) && b.iter().all(|p| *p == b[0]) && a[0] != b[0], "pairs share records: {a:?} {b:?}");
    // Someone outside every pair is told why nothing comes.
    let outsider = app.user("rev5@example.org", PW, false).await;
    app.add_member("qes", outsider, "reviewer").await;
    let token5 = app.login("rev5@example.org", PW).await;
    let (s, body) = app.post("/api/reviews/qes/stages/title_abstract/next", &token5, json!({})).await;
    assert_eq!(s, 409, "{body}");
    let bad = json!({"reviewers_per_record": 2, "blind": true, "maybe_is_conflict": true, "pairs": [[t.rev1_id, t.rev1_id]]});
    let res =
        app.client.put(app.url("/api/reviews/qes/stages/title_abstract/settings")).bearer_auth(&t.lead).json(&bad).send().await.unwrap();
    assert_eq!(res.status(), 422);
    // A lead moves reviewer 1's reserved records to reviewer 2.
    let (s, moved) =
        app.post("/api/reviews/qes/stages/title_abstract/reassign", &t.lead, json!({"from": t.rev1_id, "to": t.rev2_id})).await;
    assert_eq!(s, 200, "{moved}");
    assert_eq!(moved["moved"], first.len());
    let now_rev2 = next(&app, &t.rev2, "title_abstract", 5).await;
    let ids: Vec<i64> = now_rev2.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    for i in &first {
        assert!(ids.contains(&i["id"].as_i64().unwrap()), "reassigned record missing for reviewer 2");
    }
    assert_eq!(
        app.post("/api/reviews/qes/stages/title_abstract/reassign", &t.rev1, json!({"from": t.rev2_id, "to": t.rev1_id})).await.0,
        403
    );
    // Reassignment released and reserved with the counts kept.
    assert_eq!(drift(&app).await, vec![], "reservation counts drifted");
});

/// The ids of the records a reviewer holds at the title/abstract stage.
async fn held_by(app: &TestApp, reviewer: i32) -> Vec<i64> {
    let review = store::reviews::by_slug(&app.store.db, "qes").await.unwrap().expect("review qes").id;
    let held = store::screening::my_reservations(&app.store.db, review, "title_abstract", reviewer, 0).await.unwrap();
    let mut ids: Vec<i64> = held.iter().map(|i| i64::from(i.id)).collect();
    ids.sort_unstable();
    ids
}

/// The ids of every reservation row the reviewer has, judged records included.
async fn reservation_rows(app: &TestApp, reviewer: i32) -> Vec<i64> {
    use sea_orm::ConnectionTrait;
    let b = app.store.db.get_database_backend();
    let sql = "SELECT item_id FROM reservations WHERE reviewer_id = $1 ORDER BY item_id";
    let rows = app.store.db.query_all_raw(sea_orm::Statement::from_sql_and_values(b, sql, [reviewer.into()])).await.unwrap();
    rows.iter().map(|r| i64::from(r.try_get::<i32>("", "item_id").unwrap())).collect()
}

// While a stage has plenty of records nobody holds, PostgreSQL's routing reserves a few records more
// than asked for, and `vote-and-next` hands those out, in order, without picking again. When a holding
// is down to the record shown and one behind it, the vote tops it up in the background with as many
// new records again, so the votes go on without picking. SQLite reserves only what is asked for, and
// every vote picks. Either way nothing drifts, every record handed out is one the reviewer holds and
// has not judged, and no voted record stays reserved for its voter.
db_test!(a_large_stage_hands_out_records_held_ahead_and_tops_them_up, |app| {
    let lead_id = app.user("lead@example.org", PW, false).await;
    let rev1_id = app.user("rev1@example.org", PW, false).await;
    app.review("qes", lead_id).await;
    app.add_member("qes", rev1_id, "reviewer").await;
    let lead = app.login("lead@example.org", PW).await;
    let records = usize::try_from(store::screening::PLENTY).unwrap() + 100;
    let (_, job) = app.import("qes", &lead, "many.ris", tests::distinct_ris(records), "MEDLINE").await;
    assert_eq!(job["state"], "done", "{job}");
    let rev1 = app.login("rev1@example.org", PW).await;
    let ahead = match app.db {
        Db::Postgres => usize::try_from(server::app::screening::HOLD_AHEAD).unwrap(),
        Db::Sqlite => 0,
    };

    let first = next(&app, &rev1, "title_abstract", 1).await;
    assert_eq!(first.len(), 1, "one record shown, as asked");
    let mut shown = first[0]["id"].as_i64().unwrap();
    let held = held_by(&app, rev1_id).await;
    assert_eq!(held.len(), 1 + ahead, "held: {held:?}");
    assert!(held.contains(&shown));
    let mut voted: Vec<i64> = vec![];
    // What the test expects the server to hold for the reviewer, the record shown included.
    let mut holding = 1 + ahead;
    let mut top_ups = 0;
    let votes = 3 * (ahead + 1) + 2;
    for n in 1..=votes {
        let before = held_by(&app, rev1_id).await;
        let (s, body) = vote_and_next(&app, &rev1, shown, if n % 3 == 0 { "include" } else { "exclude" }, 1).await;
        assert_eq!(s, 200, "{body}");
        voted.push(shown);
        let now = body["next"][0]["id"].as_i64().expect("a next record");
        assert!(!voted.contains(&now), "vote {n} brought {now}, which the reviewer judged");
        match app.db {
            Db::Postgres => assert!(before.contains(&now) && now != shown, "vote {n} picked {now}, not one of {before:?}"),
            Db::Sqlite => assert!(!before.contains(&now), "vote {n} brought {now}, held before: {before:?}"),
        }
        holding = holding.saturating_sub(1).max(1);
        if ahead > 0 && holding == 2 {
            // Down to two: the top-up reserves HOLD_AHEAD and one more new records, after the reply.
            let want = holding + ahead + 1;
            let mut waited = 0;
            while held_by(&app, rev1_id).await.len() < want {
                assert!(waited < 200, "the holding was not topped up to {want}: {:?}", held_by(&app, rev1_id).await);
                tokio::time::sleep(std::time::Duration::from_millis(25)).await;
                waited += 1;
            }
            holding = want;
            top_ups += 1;
        }
        assert_eq!(held_by(&app, rev1_id).await.len(), holding, "after vote {n}");
        shown = now;
    }
    let rows = reservation_rows(&app, rev1_id).await;
    assert!(rows.iter().all(|id| !voted.contains(id)), "a voted record is reserved for its voter: {rows:?} {voted:?}");
    assert_eq!(drift(&app).await, vec![]);
    let review = store::reviews::by_slug(&app.store.db, "qes").await.unwrap().unwrap().id;
    let stored = store::screening::stage_votes(&app.store.db, review, "title_abstract", None).await.unwrap();
    assert_eq!(stored.len(), votes, "one vote per call");
    let text = metrics(&app).await;
    let (held, picked, full) = (
        counter(&text, "sift_vote_next_total{from=\"held\"}"),
        counter(&text, "sift_vote_next_total{from=\"picked\"}"),
        counter(&text, "sift_holding_top_ups_total{outcome=\"full\"}"),
    );
    match app.db {
        Db::Postgres => {
            assert!(top_ups >= 2, "{top_ups} top-ups");
            assert_eq!((held, picked, full), (u64::try_from(votes).unwrap(), 0, top_ups), "no vote picks once the holding is topped up");
        }
        Db::Sqlite => assert_eq!((held, picked, full), (0, u64::try_from(votes).unwrap(), 0)),
    }
});

/// A holding lives in one server's memory, so a lead's reassignment on another server does not clear
/// it there; the vote's write finds the held record it was about to show moved, and a fresh pick
/// takes its place. PostgreSQL only: only there do picks hold records ahead, and several servers
/// share a database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_records_a_lead_moved_on_another_server_are_not_handed_out_from_a_holding() {
    let Some(app) = TestApp::spawn(Db::Postgres).await else { return };
    let other = app.sibling().await;
    let Team { lead, rev1, rev1_id, rev2_id, .. } = team(&app).await;
    let records = usize::try_from(store::screening::PLENTY).unwrap() + 100;
    let (_, job) = app.import("qes", &lead, "many.ris", tests::distinct_ris(records), "MEDLINE").await;
    assert_eq!(job["state"], "done", "{job}");
    let shown = next(&app, &rev1, "title_abstract", 1).await[0]["id"].as_i64().unwrap();
    let held = held_by(&app, rev1_id).await;
    assert_eq!(held.len(), 1 + usize::try_from(server::app::screening::HOLD_AHEAD).unwrap(), "held: {held:?}");

    let (s, moved) = other.post("/api/reviews/qes/stages/title_abstract/reassign", &lead, json!({"from": rev1_id, "to": rev2_id})).await;
    assert_eq!(s, 200, "{moved}");
    assert_eq!(moved["moved"], held.len());
    // The vote on the record on reviewer 1's screen still counts (it has room for two votes), but
    // what comes next is none of the records now reviewer 2's, and it is reserved for reviewer 1.
    let (s, body) = vote_and_next(&app, &rev1, shown, "exclude", 1).await;
    assert_eq!(s, 200, "{body}");
    let now = body["next"][0]["id"].as_i64().expect("a next record");
    assert!(!held.contains(&now), "{now} was moved to reviewer 2: {held:?}");
    assert!(held_by(&app, rev1_id).await.contains(&now), "{now} is not reserved for reviewer 1");
    assert!(held_by(&app, rev2_id).await.iter().all(|id| held.contains(id)), "reviewer 2 holds what was moved");
    // The fresh pick is the holding now: the next vote hands out its next record without picking.
    let before = held_by(&app, rev1_id).await;
    let (s, body) = vote_and_next(&app, &rev1, now, "exclude", 1).await;
    assert_eq!(s, 200, "{body}");
    let then = body["next"][0]["id"].as_i64().expect("a next record");
    assert!(before.contains(&then), "{then} is not from the fresh holding {before:?}");
    assert_eq!(drift(&app).await, vec![]);
}

/// A pick that would renew the reservation of a record whose vote is being written at that moment (the
/// same reviewer's `next` in another tab) waits for the vote, then leaves the record alone: it never
/// reserves again a record its reviewer has judged, which would keep it from its second reviewer until
/// the reservation ran out. PostgreSQL only: SQLite runs one writing statement at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_pick_never_renews_a_record_whose_vote_lands_meanwhile() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let Some(app) = TestApp::spawn(Db::Postgres).await else { return };
    let t = team(&app).await;
    let review = store::reviews::by_slug(&app.store.db, "qes").await.unwrap().unwrap().id;
    let now = server::time::now_ms();
    let ask = title_abstract_ask(review, t.rev1_id, 1, now);
    let x = store::screening::pick(&app.store, &ask).await.unwrap()[0].item.id;
    // The vote's writes, in a transaction left open: the reservation released and counted off, the
    // item moved on, the vote cast.
    let sql = |sql: &str, values: Vec<sea_orm::Value>| sea_orm::Statement::from_sql_and_values(sea_orm::DbBackend::Postgres, sql, values);
    let vote = app.store.db.begin().await.unwrap();
    vote.execute_raw(sql(
        "WITH d AS (DELETE FROM reservations WHERE item_id = $1 AND reviewer_id = $2 RETURNING 1) \
         UPDATE screening_items SET reserved = reserved - (SELECT COUNT(*) FROM d), votes = votes + 1, version = version + 1 WHERE id = $1",
        vec![x.into(), t.rev1_id.into()],
    ))
    .await
    .unwrap();
    vote.execute_raw(sql(
        "INSERT INTO votes (review_id, item_id, reviewer_id, vote, tags, first_vote, created_at, updated_at) \
         VALUES ($1, $2, $3, 'exclude', '[]', 'exclude', $4, $4)",
        vec![review.into(), x.into(), t.rev1_id.into(), now.into()],
    ))
    .await
    .unwrap();
    // Meanwhile the reviewer's next pick, which finds the record still reserved for them.
    let pick = tokio::spawn({
        let (store, ask) = (app.store.clone(), ask.clone());
        async move { store::screening::pick(&store, &ask).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!pick.is_finished(), "the pick did not wait for the vote on a record it would renew");
    vote.commit().await.unwrap();
    let picked: Vec<i32> = pick.await.unwrap().unwrap().iter().map(|h| h.item.id).collect();
    assert_eq!(picked.len(), 1, "another record instead: {picked:?}");
    assert!(!picked.contains(&x), "the judged record {x} was handed out again");
    assert!(!reservation_rows(&app, t.rev1_id).await.contains(&i64::from(x)), "the judged record {x} is reserved for its voter");
    assert_eq!(drift(&app).await, vec![]);
}

/// On PostgreSQL a reservation changes only an item's `reserved` count, which no index reads, so it is
/// a heap-only update (no new index entries): at 1,000 votes a second each vote's next record is one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_reserving_a_record_writes_no_index_entries() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let Some(app) = TestApp::spawn(Db::Postgres).await else { return };
    let t = team(&app).await;
    let indexes = app
        .store
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'screening_items' ORDER BY indexname",
        ))
        .await
        .unwrap();
    let defs: Vec<String> = indexes.iter().map(|r| r.try_get::<String>("", "indexdef").unwrap()).collect();
    assert!(defs.iter().any(|d| d.contains("idx_items_fresh")) && defs.iter().any(|d| d.contains("idx_items_waiting")), "{defs:#?}");
    assert!(defs.iter().all(|d| !d.contains("reserved")), "an index reads `reserved`: {defs:#?}");
    let review = store::reviews::by_slug(&app.store.db, "qes").await.unwrap().unwrap().id;
    let item = store::screening::all_items(&app.store.db, review).await.unwrap()[0].clone();
    // Statistics of the transaction itself, so no other session's work and no reporting delay count.
    let hot = "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'screening_items'";
    let txn = app.store.db.begin().await.unwrap();
    store::screening::reserve(&txn, item.id, t.rev1_id, i64::MAX).await.unwrap();
    let row = txn.query_one_raw(sea_orm::Statement::from_string(sea_orm::DbBackend::Postgres, hot)).await.unwrap().unwrap();
    let (updated, heap_only) = (row.try_get::<i64>("", "n_tup_upd").unwrap(), row.try_get::<i64>("", "n_tup_hot_upd").unwrap());
    assert_eq!((updated, heap_only), (1, 1), "the reservation's count update was not heap-only");
    txn.rollback().await.unwrap();
}

/// A deployment with a files directory keeps full texts there, by content, and the database only their
/// path; another server given the same directory serves them, one without it says what to configure.
async fn full_texts_in_a_files_directory(kind: tests::Db) {
    let dir = std::env::temp_dir().join(format!("sift-files-{kind:?}-{}-{}", std::process::id(), server::time::now_ms()));
    let files = dir.clone();
    let Some(app) = TestApp::spawn_configured(kind, move |s| s.files_dir = Some(files)).await else { return };
    assert!(dir.is_dir(), "the server makes its files directory");
    let t = team(&app).await;
    // Both reviewers include one record: it becomes a report awaiting its full text.
    let id = next(&app, &t.rev1, "title_abstract", 1).await[0]["id"].as_i64().unwrap();
    assert_eq!(vote(&app, &t.rev1, id, json!({"vote": "include"})).await.0, 200);
    assert_eq!(next(&app, &t.rev2, "title_abstract", 1).await[0]["id"], id);
    let (_, decided) = vote(&app, &t.rev2, id, json!({"vote": "include"})).await;
    assert_eq!(decided["state"], "included", "{decided}");
    let record_id = i32::try_from(decided["record"]["id"].as_i64().unwrap()).unwrap();
    let report = store::screening::item_for_record(&app.store.db, record_id, "full_text").await.unwrap().expect("a report sought");
    let review = store::reviews::by_slug(&app.store.db, "qes").await.unwrap().expect("review");

    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("lennox-2021.pdf"));
    let url = format!("/api/reviews/qes/items/{}/file", report.id);
    let res = app.client.post(app.url(&url)).bearer_auth(&t.rev1).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 200);

    // The row names the file by its content and holds no bytes; the file holds them.
    let file_id = store::screening::item(&app.store.db, review.id, report.id).await.unwrap().unwrap().file_id.expect("attached");
    let row = store::screening::file(&app.store.db, review.id, file_id).await.unwrap().expect("file row");
    assert!(row.bytes.is_empty(), "the bytes are in the directory, not the database");
    assert_eq!(row.size, i64::try_from(PDF.len()).unwrap());
    let path = row.path.clone().expect("a path under the files directory");
    assert_eq!(path, format!("{}/{}.pdf", &row.sha256[..2], row.sha256));
    assert_eq!(std::fs::read(dir.join(&path)).unwrap(), PDF);

    // This server, and another given the same directory, serve it back.
    let get = |app: &TestApp| app.client.get(app.url(&url)).bearer_auth(&t.rev2).send();
    let res = get(&app).await.unwrap();
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    let files = dir.clone();
    let sharing = app.sibling_configured(move |s| s.files_dir = Some(files)).await;
    assert_eq!(get(&sharing).await.unwrap().bytes().await.unwrap().as_ref(), PDF);
    let without = app.sibling().await;
    let res = get(&without).await.unwrap();
    assert_eq!(res.status(), 503);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "files_dir_missing", "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("SIFT_FILES_DIR"), "{problem}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_texts_in_a_files_directory_sqlite() {
    full_texts_in_a_files_directory(tests::Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_texts_in_a_files_directory_postgres() {
    full_texts_in_a_files_directory(tests::Db::Postgres).await;
}
