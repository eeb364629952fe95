//! Study characteristics extraction through HTTP: the lead's form (and an invalid one), two extractors
//! blind until both submit, their differences, the lead's reconciliation, the characteristics table as
//! CSV and HTML (and as the CLI builds it), and a single-extractor review.

use serde_json::{Value, json};

use super::screening::{PDF, Team, next, team, vote};
use super::*;

/// Includes one study at full text (both reviewers include it at both stages); returns its full-text item.
pub(crate) async fn include_one(app: &TestApp, t: &Team) -> i64 {
    let item = next(app, &t.rev1, "title_abstract", 1).await[0]["id"].as_i64().unwrap();
    vote(app, &t.rev1, item, json!({"vote": "include"})).await;
    next(app, &t.rev2, "title_abstract", 1).await;
    let (_, decided) = vote(app, &t.rev2, item, json!({"vote": "include"})).await;
    let record = decided["record"]["id"].as_i64().unwrap();
    let ft = store::screening::item_for_record(&app.store.db, record as i32, "full_text").await.unwrap().unwrap();
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("s.pdf"));
    app.client.post(app.url(&format!("/api/reviews/qes/items/{}/file", ft.id))).bearer_auth(&t.rev1).multipart(form).send().await.unwrap();
    vote(app, &t.rev1, ft.id.into(), json!({"vote": "include"})).await;
    vote(app, &t.rev2, ft.id.into(), json!({"vote": "include"})).await;
    i64::from(ft.id)
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    status_json(app.client.put(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap()).await
}

async fn text(app: &TestApp, path: &str, token: &str) -> String {
    let res = app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

fn form(extractors: u8) -> Value {
    json!({
        "extractors": extractors,
        "fields": [
            {"key": "setting", "label": "Setting", "kind": "text", "required": true, "help": "Service type and city"},
            {"key": "country", "label": "Country", "kind": "choice", "options": ["Canada", "United Kingdom", "United States"], "required": true},
            {"key": "participants", "label": "Participants (n)", "kind": "number", "required": true},
            {"key": "methods", "label": "Data collection", "kind": "choices", "options": ["Semi-structured interviews", "Focus groups", "Diaries"], "required": true},
            {"key": "analysis", "label": "Analysis approach", "kind": "text"},
            {"key": "collected", "label": "Data collected", "kind": "date"}
        ]
    })
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect()
}

db_test!(two_extractors_blind_then_reconciled, |app| {
    let t = team(&app).await;
    let study = include_one(&app, &t).await;
    let (s, overview) = app.get("/api/reviews/qes/extraction", &t.lead).await;
    assert_eq!(s, 200, "{overview}");
    assert_eq!(overview["form"]["fields"], json!([]));
    assert_eq!(overview["studies"].as_array().unwrap().len(), 1);
    assert_eq!(overview["studies"][0]["item_id"], study);
    assert_eq!(overview["studies"][0]["my_status"], "none");
    let label = overview["studies"][0]["label"].as_str().unwrap().to_owned();
    let path = format!("/api/reviews/qes/extraction/studies/{study}");

    // No form yet: nothing to extract.
    let (s, body) = put(&app, &format!("{path}/mine"), &t.rev1, json!({"values": {}, "submit": false})).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("conflict")), "{body}");

    // The form: reviewers may not define it; an invalid one lists every problem.
    let (s, _) = put(&app, "/api/reviews/qes/extraction/form", &t.rev1, form(2)).await;
    assert_eq!(s, 403);
    let mut bad = form(3);
    bad["fields"][2]["key"] = json!("country");
    bad["fields"][3]["options"] = json!([]);
    bad["fields"][4]["label"] = json!(" ");
    let (s, problem) = put(&app, "/api/reviews/qes/extraction/form", &t.lead, bad).await;
    assert_eq!((s, problem["code"].as_str()), (422, Some("invalid_request")), "{problem}");
    assert_eq!(fields(&problem), ["extractors", "fields[2].key", "fields[3].options", "fields[4].label"]);
    let (s, problem) =
        put(&app, "/api/reviews/qes/extraction/form", &t.lead, json!({"fields": [{"key": "x", "label": "X", "kind": "essay"}]})).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&problem), ["form"]);
    let (s, saved) = put(&app, "/api/reviews/qes/extraction/form", &t.lead, form(2)).await;
    assert_eq!(s, 200, "{saved}");
    assert_eq!(saved["fields"][1]["options"][1], "United Kingdom");

    // Reviewer 1 drafts (partial is fine), cannot submit incomplete or wrong values, then submits.
    let (s, view) =
        put(&app, &format!("{path}/mine"), &t.rev1, json!({"values": {"setting": "Hospital addiction medicine service"}, "submit": false}))
            .await;
    assert_eq!(s, 200, "{view}");
    assert_eq!(view["mine"]["submitted"], false);
    assert_eq!(view["my_status"], "draft");
    let (s, problem) =
        put(&app, &format!("{path}/mine"), &t.rev1, json!({"values": {"setting": "Hospital", "country": "France"}, "submit": true})).await;
    assert_eq!(s, 422, "{problem}");
    assert_eq!(fields(&problem), ["values.country", "values.participants", "values.methods"]);
    let (s, problem) = put(&app, &format!("{path}/mine"), &t.rev1, json!({"values": {"collected": "2019-02-30"}, "submit": false})).await;
    assert_eq!(s, 422, "drafts are checked too");
    assert_eq!(fields(&problem), ["values.collected"]);
    let rev1_values = json!({
        "setting": "Hospital addiction medicine & peer service <Toronto>",
        "country": "Canada",
        "participants": 14,
        "methods": ["Semi-structured interviews", "Focus groups"],
        "analysis": "Thematic analysis",
        "collected": "2019-11"
    });
    let (s, view) = put(&app, &format!("{path}/mine"), &t.rev1, json!({"values": rev1_values, "submit": true})).await;
    assert_eq!(s, 200, "{view}");
    assert_eq!(view["mine"]["submitted"], true);
    assert_eq!(view["differences"], Value::Null, "not all in yet");

    // Blind: reviewer 2 sees nothing of reviewer 1's values before submitting.
    let (_, v2) = app.get(&path, &t.rev2).await;
    assert_eq!(v2["others"], json!([]));
    assert_eq!(v2["submitted"], Value::Null);
    assert!(!v2.to_string().contains("Toronto"), "{v2}");
    let (_, o2) = app.get("/api/reviews/qes/extraction", &t.rev2).await;
    assert_eq!(o2["studies"][0]["submitted"], Value::Null);
    assert_eq!(o2["studies"][0]["differences"], Value::Null);
    // The lead sees both at any time.
    let (_, lead_view) = app.get(&path, &t.lead).await;
    assert_eq!(lead_view["others"][0]["values"]["participants"], 14);

    let rev2_values = json!({
        "setting": "  Hospital addiction medicine &  peer service\n<Toronto>",
        "country": "Canada",
        "participants": 15,
        "methods": ["Focus groups", "Semi-structured interviews"],
        "analysis": "Reflexive thematic analysis",
        "collected": "2019-11"
    });
    let (s, view) = put(&app, &format!("{path}/mine"), &t.rev2, json!({"values": rev2_values, "submit": true})).await;
    assert_eq!(s, 200, "{view}");
    assert_eq!(view["others"].as_array().unwrap().len(), 1, "both in: each sees the other's");
    assert_eq!(view["others"][0]["values"]["participants"], 14);
    assert_eq!(view["differences"], json!(["participants", "analysis"]));
    assert_eq!(view["final"], Value::Null);
    let (s, _) = put(&app, &format!("{path}/mine"), &t.rev2, json!({"values": rev1_values, "submit": true})).await;
    assert_eq!(s, 409, "submitted values are locked");

    let (_, o) = app.get("/api/reviews/qes/extraction", &t.lead).await;
    let row = &o["studies"][0];
    assert_eq!((row["submitted"].as_u64(), row["complete"].as_bool(), row["reconciled"].as_bool()), (Some(2), Some(false), Some(false)));
    assert_eq!(row["differences"], json!(["participants", "analysis"]));
    let csv = text(&app, "/api/reviews/qes/extraction/characteristics.csv", &t.rev1).await;
    assert_eq!(
        csv,
        format!("Study,Setting,Country,Participants (n),Data collection,Analysis approach,Data collected\r\n{label},,,,,,\r\n"),
        "blank until reconciled"
    );

    // The lead reconciles: only leads, and only complete values.
    let mut settled = rev1_values.clone();
    settled["analysis"] = json!("Reflexive thematic analysis");
    let (s, _) = put(&app, &format!("{path}/reconciled"), &t.rev1, json!({"values": settled})).await;
    assert_eq!(s, 403);
    let (s, problem) = put(&app, &format!("{path}/reconciled"), &t.lead, json!({"values": {"setting": "x"}})).await;
    assert_eq!(s, 422);
    assert_eq!(fields(&problem), ["values.country", "values.participants", "values.methods"]);
    let (s, done) = put(&app, &format!("{path}/reconciled"), &t.lead, json!({"values": settled})).await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["final"]["analysis"], "Reflexive thematic analysis");
    assert_eq!(done["reconciled"]["participants"], 14);
    assert_eq!(done["complete"], true);
    let (_, o) = app.get("/api/reviews/qes/extraction", &t.rev2).await;
    assert_eq!((o["studies"][0]["complete"].as_bool(), o["studies"][0]["reconciled"].as_bool()), (Some(true), Some(true)));

    // The table: CSV with the reconciled values, HTML escaped, and the same table the CLI writes.
    let csv = text(&app, "/api/reviews/qes/extraction/characteristics.csv", &t.rev1).await;
    assert_eq!(
        csv,
        format!(
            "Study,Setting,Country,Participants (n),Data collection,Analysis approach,Data collected\r\n{label},Hospital addiction medicine & peer service <Toronto>,Canada,14,Semi-structured interviews; Focus groups,Reflexive thematic analysis,2019-11\r\n"
        )
    );
    let html = text(&app, "/api/reviews/qes/extraction/characteristics.html", &t.rev2).await;
    assert!(html.contains("<td>Hospital addiction medicine &amp; peer service &lt;Toronto&gt;</td>"), "{html}");
    assert!(!html.contains("<Toronto>"));
    assert!(html.contains("<caption>Characteristics of included studies: "));
    assert!(html.contains("<th scope=\"col\" title=\"Service type and city\">Setting</th>"));
    let review = store::reviews::find(&app.store.db, "qes").await.unwrap().unwrap();
    let (f, rows) = server::app::extraction::table(&app.store, review.id).await.unwrap();
    assert_eq!(synthesis_csv(&f, &rows), csv);

    let (_, events) = app.get("/api/reviews/qes/audit?limit=1000", &t.lead).await;
    let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["extraction.form", "extraction.save", "extraction.submit", "extraction.reconcile"] {
        assert!(actions.contains(&a), "audit lacks {a}");
    }
});

fn synthesis_csv(form: &::synthesis::extraction::Form, rows: &[(String, server::app::extraction::Values)]) -> String {
    ::synthesis::extraction::characteristics_csv(form, rows)
}

db_test!(one_extractor_completes_a_study_on_submit, |app| {
    let t = team(&app).await;
    let study = include_one(&app, &t).await;
    let (s, _) = put(&app, "/api/reviews/qes/extraction/form", &t.lead, form(1)).await;
    assert_eq!(s, 200);
    let values = json!({"setting": "Drop-in centre", "country": "United Kingdom", "participants": 3, "methods": ["Diaries"]});
    let (s, view) =
        put(&app, &format!("/api/reviews/qes/extraction/studies/{study}/mine"), &t.rev2, json!({"values": values, "submit": true})).await;
    assert_eq!(s, 200, "{view}");
    assert_eq!(view["complete"], true);
    assert_eq!(view["differences"], json!([]));
    assert_eq!(view["final"]["participants"], 3);
    let csv = text(&app, "/api/reviews/qes/extraction/characteristics.csv", &t.lead).await;
    assert!(csv.lines().nth(1).unwrap().ends_with(",Drop-in centre,United Kingdom,3,Diaries,,"), "{csv}");
    // A viewer reads but does not extract.
    let viewer = app.user("viewer@example.org", "correct horse battery", false).await;
    app.add_member("qes", viewer, "viewer").await;
    let token = app.login("viewer@example.org", "correct horse battery").await;
    let (s, _) =
        put(&app, &format!("/api/reviews/qes/extraction/studies/{study}/mine"), &token, json!({"values": {}, "submit": false})).await;
    assert_eq!(s, 403);
    let (s, o) = app.get("/api/reviews/qes/extraction", &token).await;
    assert_eq!(s, 200);
    assert_eq!(o["studies"][0]["complete"], true);
});
