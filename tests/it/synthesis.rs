//! Thematic synthesis through HTTP: extracts with Unicode text, overlapping codings by two coders,
//! the code tree, descriptive and analytical themes, the theme × study matrix, CERQual findings and
//! their tables, coder agreement, and REFI-QDA exchange (`.qdpx` valid against Project.xsd, re-imported;
//! `.qdc` imported all or nothing).

use std::process::Command;

use serde_json::{Value, json};

use super::screening::{Team, next, team};
use super::*;

/// Includes `n` studies at full text; returns their full-text item ids, the studies' ids in synthesis.
pub async fn include_studies(app: &TestApp, t: &Team, n: usize) -> Vec<i64> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(super::extraction::include_one(app, t).await);
    }
    out
}

async fn send(app: &TestApp, method: reqwest::Method, path: &str, token: &str, body: Value) -> (u16, Value) {
    let res = app.client.request(method, app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    status_json(res).await
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    send(app, reqwest::Method::POST, &format!("/api/reviews/qes/synthesis/{path}"), token, body).await
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    send(app, reqwest::Method::PUT, &format!("/api/reviews/qes/synthesis/{path}"), token, body).await
}

/// The element with `id` in the list under `key` of what `GET path` returns.
async fn body_of(app: &TestApp, path: &str, key: &str, token: &str, id: i64) -> Value {
    let (s, body) = app.get(path, token).await;
    assert_eq!(s, 200, "{body}");
    body[key].as_array().into_iter().flatten().find(|x| x["id"] == id).cloned().unwrap_or_else(|| panic!("no {key} {id} in {path}: {body}"))
}

/// Sends every body in `bodies` to `PUT path` at once (tokens taken in turn); asserts that exactly one
/// was taken and every other refused as changed meanwhile, and returns the index of the one taken.
async fn race(app: &TestApp, path: &str, tokens: &[&str], bodies: &[Value]) -> usize {
    let sends = bodies.iter().enumerate().map(|(n, b)| put(app, path, tokens[n % tokens.len()], b.clone()));
    let outcomes = futures_util::future::join_all(sends).await;
    let taken: Vec<usize> = outcomes.iter().enumerate().filter(|(_, (s, _))| *s == 200).map(|(n, _)| n).collect();
    assert_eq!(taken.len(), 1, "exactly one of the simultaneous changes must land: {outcomes:?}");
    for (s, body) in &outcomes {
        assert!(*s == 200 || (*s == 409 && body["code"] == "conflict"), "{s} {body}");
    }
    taken[0]
}

async fn del(app: &TestApp, path: &str, token: &str) -> u16 {
    app.client.delete(app.url(&format!("/api/reviews/qes/synthesis/{path}"))).bearer_auth(token).send().await.unwrap().status().as_u16()
}

async fn text(app: &TestApp, path: &str, token: &str) -> (u16, String, String) {
    let res = app.client.get(app.url(&format!("/api/reviews/qes/synthesis/{path}"))).bearer_auth(token).send().await.unwrap();
    let status = res.status().as_u16();
    let kind = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, kind, res.text().await.unwrap())
}

/// Start and end of `phrase` in `text`, counted in Unicode scalar values as the API counts them.
fn span(text: &str, phrase: &str) -> (usize, usize) {
    let byte = text.find(phrase).unwrap_or_else(|| panic!("{phrase:?} not in {text:?}"));
    let start = text[..byte].chars().count();
    (start, start + phrase.chars().count())
}

const QUOTE: &str = "Café chats 👩🏽‍⚕️ with a peer — she’d been homeless too — made me trust her.";
const INTERPRETATION: &str = "Peer workers’ lived experience gave clients hope; «naïve» optimism was rare.";

fn assessment(overall: &str) -> Value {
    json!({
        "methodological_limitations": {"concern": "minor", "explanation": "One study lacked reflexivity."},
        "coherence": {"concern": "no_or_very_minor", "explanation": ""},
        "adequacy": {"concern": "moderate", "explanation": "Two studies, thin data."},
        "relevance": {"concern": "no_or_very_minor", "explanation": ""},
        "overall": overall,
        "explanation": "Moderate concerns about adequacy; minor concerns about methods.",
    })
}

db_test!(extracts_codings_themes_matrix_and_cerqual, |app| {
    let t = team(&app).await;
    let studies = include_studies(&app, &t, 2).await;
    let (s, overview) = app.get("/api/reviews/qes/synthesis", &t.rev1).await;
    assert_eq!(s, 200, "{overview}");
    assert_eq!(overview["studies"].as_array().unwrap().len(), 2, "{overview}");
    assert_eq!(overview["can_edit"], true);
    let labels: Vec<String> = overview["studies"].as_array().unwrap().iter().map(|s| s["label"].as_str().unwrap().to_owned()).collect();

    // Extracts come only from included studies, with a known kind and some text.
    let excluded = next(&app, &t.rev1, "title_abstract", 1).await[0]["id"].as_i64().unwrap();
    let (s, body) = post(&app, "extracts", &t.rev1, json!({"item_id": excluded, "text": "x", "kind": "participant quote"})).await;
    assert_eq!(s, 422, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("not an included study"), "{body}");
    let (s, _) = post(&app, "extracts", &t.rev1, json!({"item_id": studies[0], "text": "  ", "kind": "participant quote"})).await;
    assert_eq!(s, 422);
    let (s, _) = post(&app, "extracts", &t.rev1, json!({"item_id": studies[0], "text": "x", "kind": "rumour"})).await;
    assert_eq!(s, 422);
    let (s, quote) = post(
        &app,
        "extracts",
        &t.rev1,
        json!({"item_id": studies[0], "text": QUOTE, "kind": "participant quote", "page": 6, "section": "Findings"}),
    )
    .await;
    assert_eq!(s, 201, "{quote}");
    assert_eq!(quote["text"], QUOTE);
    assert_eq!(quote["study"], labels[0].as_str());
    assert_eq!(quote["locked"], false);
    let (s, interp) =
        post(&app, "extracts", &t.rev2, json!({"item_id": studies[1], "text": INTERPRETATION, "kind": "author interpretation"})).await;
    assert_eq!(s, 201, "{interp}");
    let (q, i) = (quote["id"].as_i64().unwrap(), interp["id"].as_i64().unwrap());

    // A code tree: a parent and two children; bad colours, unknown parents and duplicate names refused.
    let (s, parent) = post(&app, "codes", &t.lead, json!({"name": "Lived experience", "colour": "#1F77B4"})).await;
    assert_eq!(s, 201, "{parent}");
    assert_eq!(parent["colour"], "#1f77b4");
    let pid = parent["id"].as_i64().unwrap();
    let (s, trust) = post(&app, "codes", &t.rev1, json!({"name": "Trust", "parent_id": pid, "colour": "#2ca02c"})).await;
    assert_eq!(s, 201, "{trust}");
    let (s, hope) = post(&app, "codes", &t.rev1, json!({"name": "Hope", "parent_id": pid, "description": "Clients see a future"})).await;
    assert_eq!(s, 201, "{hope}");
    let (trust, hope) = (trust["id"].as_i64().unwrap(), hope["id"].as_i64().unwrap());
    assert_eq!(post(&app, "codes", &t.rev1, json!({"name": "Bad", "colour": "red"})).await.0, 422);
    assert_eq!(post(&app, "codes", &t.rev1, json!({"name": "Orphan", "parent_id": 999_999})).await.0, 422);
    assert_eq!(post(&app, "codes", &t.rev1, json!({"name": "trust", "parent_id": pid})).await.0, 422);
    // Moving the parent under its own child would make a cycle.
    let (s, body) = put(&app, &format!("codes/{pid}"), &t.lead, json!({"name": "Lived experience", "parent_id": trust})).await;
    assert_eq!(s, 422, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("cycle"), "{body}");

    // Overlapping codings, counted in Unicode scalar values past an emoji with a skin tone and a ZWJ.
    let (a0, a1) = span(QUOTE, "she’d been homeless too");
    let (b0, b1) = span(QUOTE, "homeless too — made me trust her");
    assert!(a0 < b0 && b0 < a1 && a1 < b1, "the spans overlap");
    let (s, c1) = post(&app, "codings", &t.rev1, json!({"extract_id": q, "code_id": pid, "start": a0, "end": a1})).await;
    assert_eq!(s, 201, "{c1}");
    let (s, c2) = post(&app, "codings", &t.rev1, json!({"extract_id": q, "code_id": trust, "start": b0, "end": b1})).await;
    assert_eq!(s, 201, "{c2}");
    // The same span with the same code by the same coder is the same coding.
    let (s, again) = post(&app, "codings", &t.rev1, json!({"extract_id": q, "code_id": trust, "start": b0, "end": b1})).await;
    assert!(s == 201 || s == 200, "{again}");
    assert_eq!(again["id"], c2["id"]);
    let length = QUOTE.chars().count();
    let (s, body) = post(&app, "codings", &t.rev1, json!({"extract_id": q, "code_id": trust, "start": 3, "end": length + 1})).await;
    assert_eq!(s, 422, "{body}");
    assert!(body["detail"].as_str().unwrap().contains(&format!("{length} characters")), "{body}");
    assert_eq!(post(&app, "codings", &t.rev1, json!({"extract_id": q, "code_id": trust, "start": 5, "end": 5})).await.0, 422);
    let (h0, h1) = span(INTERPRETATION, "gave clients hope");
    let (s, _) = post(&app, "codings", &t.rev2, json!({"extract_id": i, "code_id": hope, "start": h0, "end": h1})).await;
    assert_eq!(s, 201);
    // The second coder codes the quote too, with one code the same and one different.
    post(&app, "codings", &t.rev2, json!({"extract_id": q, "code_id": trust, "start": b0, "end": b1})).await;
    post(&app, "codings", &t.rev2, json!({"extract_id": q, "code_id": hope, "start": 0, "end": 4})).await;

    let (_, extracts) = app.get(&format!("/api/reviews/qes/synthesis/extracts?item_id={}", studies[0]), &t.lead).await;
    let extracts = extracts.as_array().unwrap();
    assert_eq!(extracts.len(), 1);
    assert_eq!(extracts[0]["locked"], true);
    let codings = extracts[0]["codings"].as_array().unwrap();
    assert_eq!(codings.len(), 4, "{codings:?}");
    let first = codings.iter().find(|c| c["id"] == c1["id"]).unwrap();
    assert_eq!((first["start"].as_u64().unwrap() as usize, first["end"].as_u64().unwrap() as usize), (a0, a1));
    let coded: String = QUOTE.chars().skip(a0).take(a1 - a0).collect();
    assert_eq!(coded, "she’d been homeless too");

    // A coded extract keeps its text (its kind and page may change); it and its code cannot be deleted.
    let (s, body) =
        put(&app, &format!("extracts/{q}"), &t.rev1, json!({"item_id": studies[0], "text": "changed", "kind": "participant quote"})).await;
    assert_eq!(s, 409, "{body}");
    let (s, body) =
        put(&app, &format!("extracts/{q}"), &t.rev1, json!({"item_id": studies[0], "text": QUOTE, "kind": "participant quote", "page": 7}))
            .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["page"], 7);
    let (s, _) =
        put(&app, &format!("extracts/{q}"), &t.rev2, json!({"item_id": studies[0], "text": QUOTE, "kind": "participant quote"})).await;
    assert_eq!(s, 403, "another reviewer's extract");
    assert_eq!(del(&app, &format!("extracts/{q}"), &t.rev1).await, 409);
    assert_eq!(del(&app, &format!("codes/{trust}"), &t.rev1).await, 409);
    assert_eq!(del(&app, &format!("codes/{pid}"), &t.rev1).await, 409, "it has children");
    assert_eq!(del(&app, &format!("codings/{}", c1["id"]), &t.rev2).await, 403, "another coder's coding");

    // Themes: descriptive themes group codes, analytical themes group descriptive themes.
    let (s, body) = post(&app, "themes", &t.rev1, json!({"kind": "analytical", "name": "Wrong", "members": [trust]})).await;
    assert_eq!(s, 422, "{body}");
    let (s, d1) =
        post(&app, "themes", &t.rev1, json!({"kind": "descriptive", "name": "Trust through lived experience", "members": [trust, pid]}))
            .await;
    assert_eq!(s, 201, "{d1}");
    let (s, d2) = post(&app, "themes", &t.rev1, json!({"kind": "descriptive", "name": "Hope", "members": [hope]})).await;
    assert_eq!(s, 201, "{d2}");
    let (d1, d2) = (d1["id"].as_i64().unwrap(), d2["id"].as_i64().unwrap());
    let (s, a) = post(
        &app,
        "themes",
        &t.lead,
        json!({"kind": "analytical", "name": "Peer workers as bridges", "memo": "Between two worlds.", "members": [d1, d2]}),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    let analytical = a["id"].as_i64().unwrap();
    assert_eq!(a["studies"], json!([studies[0], studies[1]]));
    // A change made on a stale copy is refused rather than undoing someone else's.
    let seen = a["updated_at"].as_i64().unwrap();
    let renamed = json!({"kind": "analytical", "name": "Peer workers as bridges", "memo": "Between two worlds, belonging to neither.", "members": [d1, d2], "updated_at": seen});
    let (s, body) = put(&app, &format!("themes/{analytical}"), &t.rev1, renamed.clone()).await;
    assert_eq!(s, 200, "{body}");
    let (s, body) = put(
        &app,
        &format!("themes/{analytical}"),
        &t.rev2,
        json!({"kind": "analytical", "name": "Stale", "members": [d1], "updated_at": seen - 1}),
    )
    .await;
    assert_eq!(s, 409, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("reload"), "{body}");
    // Twelve people rename it at the same moment from the same copy: one change lands, the others are
    // told, and the theme holds the change that landed.
    let seen = body_of(&app, "/api/reviews/qes/synthesis", "themes", &t.lead, analytical).await["updated_at"].clone();
    let renames: Vec<Value> =
        (0..12).map(|n| json!({"kind": "analytical", "name": format!("Bridges {n}"), "members": [d1, d2], "updated_at": seen})).collect();
    let landed = race(&app, &format!("themes/{analytical}"), &[&t.rev1, &t.rev2, &t.lead], &renames).await;
    let theme = body_of(&app, "/api/reviews/qes/synthesis", "themes", &t.lead, analytical).await;
    assert_eq!(theme["name"], renames[landed]["name"], "{theme}");
    let mut back = renamed.clone();
    back["updated_at"] = theme["updated_at"].clone();
    let (s, body) = put(&app, &format!("themes/{analytical}"), &t.lead, back).await;
    assert_eq!(s, 200, "{body}");

    // The matrix: every included study is a column; cells hold the supporting extracts.
    let (_, m) = app.get("/api/reviews/qes/synthesis/matrix", &t.rev1).await;
    assert_eq!(
        m["studies"].as_array().unwrap().iter().map(|s| s["label"].clone()).collect::<Vec<_>>(),
        labels.iter().map(|l| json!(l)).collect::<Vec<_>>()
    );
    let rows = m["rows"].as_array().unwrap();
    let row = |id: i64| rows.iter().find(|r| r["theme_id"] == id).unwrap().clone();
    // A theme holding a parent code also holds its children: "Hope" sits under "Lived experience".
    assert_eq!(row(d1)["cells"], json!([[q], [i]]));
    // "Hope" was applied to the quote by the second coder and to the interpretation.
    assert_eq!(row(d2)["cells"], json!([[q], [i]]));
    assert_eq!(row(analytical)["cells"], json!([[q], [i]]));
    assert_eq!(row(analytical)["kind"], "analytical");
    let (s, kind, csv) = text(&app, "matrix.csv", &t.rev1).await;
    assert_eq!(s, 200);
    assert!(kind.starts_with("text/csv"));
    assert_eq!(
        csv,
        format!(
            "Theme,Kind,Studies supporting,{},{}\r\nTrust through lived experience,descriptive,2,1,1\r\nHope,descriptive,2,1,1\r\nPeer workers as bridges,analytical,2,1,1\r\n",
            labels[0], labels[1]
        )
    );

    // Review findings with CERQual: an incomplete assessment is refused with what is missing.
    let bad = json!({"theme_id": analytical, "summary": "Peers bridge two worlds.", "assessment": {
        "methodological_limitations": {"concern": "serious", "explanation": ""},
        "coherence": {"concern": "none"}, "adequacy": {"concern": "minor", "explanation": "x"}, "relevance": {"concern": "minor", "explanation": "x"},
        "overall": "great", "explanation": ""}});
    let (s, body) = post(&app, "findings", &t.rev1, bad).await;
    assert_eq!(s, 422, "{body}");
    let detail = body["detail"].as_str().unwrap();
    for part in ["Methodological limitations: explain", "Coherence needs a level", "overall confidence", "Explain the overall"] {
        assert!(detail.contains(part), "{part} not in {detail}");
    }
    let (s, f1) = post(
        &app,
        "findings",
        &t.rev1,
        json!({"theme_id": analytical, "summary": "Clients trusted peers who had \"been there\", <so> peers bridged two worlds.", "assessment": assessment("moderate")}),
    )
    .await;
    assert_eq!(s, 201, "{f1}");
    assert_eq!(f1["studies"], json!([studies[0], studies[1]]), "defaults to the theme's supporting studies");
    // One moderate and one minor concern suggest high confidence; the reviewers' "moderate" stands.
    assert_eq!(f1["suggested_overall"], "high");
    assert_eq!(f1["assessment"]["overall"], "moderate");
    assert_eq!(f1["assessed"], true);
    let (s, f2) = post(&app, "findings", &t.rev1, json!({"theme_id": d2, "summary": "Hope mattered.", "studies": [studies[1]]})).await;
    assert_eq!(s, 201, "{f2}");
    assert_eq!(f2["assessed"], false);
    // A half-done worksheet saves as a draft, says what it lacks, and stays out of the tables.
    let draft = json!({"theme_id": d2, "summary": "Hope mattered.", "studies": [studies[1]], "draft": true, "assessment": {
        "methodological_limitations": {"concern": "minor", "explanation": ""},
        "coherence": {"concern": ""}, "adequacy": {"concern": ""}, "relevance": {"concern": ""}, "overall": "", "explanation": ""}});
    let (s, f2) = put(&app, &format!("findings/{}", f2["id"]), &t.rev1, draft.clone()).await;
    assert_eq!(s, 200, "{f2}");
    assert_eq!(f2["assessed"], false);
    assert_eq!(f2["assessment"]["methodological_limitations"]["concern"], "minor");
    assert!(f2["missing"].as_str().unwrap().contains("Coherence needs a level"), "{f2}");
    let mut wrong = draft;
    wrong["assessment"]["coherence"]["concern"] = json!("dreadful");
    assert_eq!(put(&app, &format!("findings/{}", f2["id"]), &t.rev1, wrong).await.0, 422);
    let (_, list) = app.get("/api/reviews/qes/synthesis/findings", &t.rev2).await;
    assert_eq!(list["findings"].as_array().unwrap().len(), 2);
    assert!(list["appraisal"].as_object().unwrap().contains_key(&studies[0].to_string()), "{list}");
    // Simultaneous changes to a finding from one copy: one lands, the rest are refused.
    let f2_id = f2["id"].as_i64().unwrap();
    let current = body_of(&app, "/api/reviews/qes/synthesis/findings", "findings", &t.lead, f2_id).await;
    let edits: Vec<Value> = (0..12)
        .map(|n| json!({"theme_id": d2, "summary": format!("Hope mattered ({n})."), "studies": [studies[1]], "updated_at": current["updated_at"]}))
        .collect();
    let landed = race(&app, &format!("findings/{f2_id}"), &[&t.rev1, &t.rev2, &t.lead], &edits).await;
    let after = body_of(&app, "/api/reviews/qes/synthesis/findings", "findings", &t.lead, f2_id).await;
    assert_eq!(after["summary"], edits[landed]["summary"], "{after}");

    // The SoQF table and evidence profile list assessed findings only, in CERQual wording.
    let (s, kind, soqf) = text(&app, "soqf.csv", &t.rev1).await;
    assert_eq!(s, 200);
    assert!(kind.starts_with("text/csv"));
    assert_eq!(
        soqf,
        format!(
            "No.,Summary of review finding,Studies contributing to the review finding,CERQual assessment of confidence in the evidence,Explanation of CERQual assessment\r\n1,\"Clients trusted peers who had \"\"been there\"\", <so> peers bridged two worlds.\",{}; {},Moderate confidence,Moderate concerns about adequacy; minor concerns about methods.\r\n",
            labels[0], labels[1]
        )
    );
    let (_, _, profile) = text(&app, "evidence-profile.csv", &t.rev1).await;
    assert!(profile.contains("Moderate concerns: Two studies, thin data."), "{profile}");
    assert!(profile.contains("No or very minor concerns"), "{profile}");
    let (s, kind, html) = text(&app, "soqf.html", &t.rev1).await;
    assert_eq!(s, 200);
    assert!(kind.starts_with("text/html"));
    assert!(html.contains("&lt;so&gt;") && !html.contains("<so>"), "escaped");
    assert!(html.contains("Moderate confidence"));

    // Agreement between the two coders, code by code over both extracts.
    let (s, agreement) = app.get(&format!("/api/reviews/qes/synthesis/agreement?a={}&b={}", t.rev1_id, t.rev2_id), &t.lead).await;
    assert_eq!(s, 200, "{agreement}");
    let code = |id: i64| agreement["codes"].as_array().unwrap().iter().find(|c| c["code_id"] == id).unwrap().clone();
    assert_eq!((code(trust)["both"].as_u64(), code(trust)["neither"].as_u64()), (Some(1), Some(1)));
    assert_eq!((code(pid)["only_a"].as_u64(), code(pid)["only_b"].as_u64()), (Some(1), Some(0)));
    assert_eq!((code(hope)["only_b"].as_u64(), code(hope)["both"].as_u64()), (Some(2), Some(0)));
    assert_eq!(code(trust)["kappa"], 1.0);

    // Deleting a descriptive theme removes it from the analytical theme; the finding keeps its text
    // without the theme, and an edit from a copy read before the deletion is refused as stale.
    let stale = body_of(&app, "/api/reviews/qes/synthesis/findings", "findings", &t.lead, f2_id).await;
    assert_eq!(del(&app, &format!("themes/{d2}"), &t.lead).await, 204);
    let edit = json!({"theme_id": d2, "summary": "Hope mattered.", "studies": [studies[1]], "updated_at": stale["updated_at"]});
    let (s, body) = put(&app, &format!("findings/{f2_id}"), &t.rev1, edit).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("conflict")), "{body}");
    let (_, overview) = app.get("/api/reviews/qes/synthesis", &t.rev1).await;
    let a = overview["themes"].as_array().unwrap().iter().find(|x| x["id"] == analytical).unwrap().clone();
    assert_eq!(a["members"], json!([d1]));
    let (_, list) = app.get("/api/reviews/qes/synthesis/findings", &t.rev2).await;
    assert_eq!(list["findings"][1]["theme_id"], Value::Null);

    // Every change is in the audit trail.
    let (_, audit) = app.get("/api/reviews/qes/audit?limit=5000", &t.lead).await;
    let actions: Vec<&str> = audit.as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    for action in ["extract.add", "extract.update", "code.add", "coding.add", "theme.add", "theme.delete", "finding.add"] {
        assert!(actions.contains(&action), "{action} not in {actions:?}");
    }
});

/// Validates `project.qde` with xmllint against the REFI-QDA Project schema; fails under CI=true when
/// xmllint is missing.
fn validate_with_xmllint(qde: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("project.qde");
    std::fs::write(&path, qde).unwrap();
    let schema = repo_root().join("fixtures/refi-qda/Project.xsd");
    match Command::new("xmllint").args(["--noout", "--schema"]).arg(&schema).arg(&path).output() {
        Ok(o) => assert!(o.status.success(), "xmllint refused project.qde: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => {
            assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true needs xmllint: {e}");
            eprintln!("SKIPPED: xmllint is not installed, so project.qde was not validated against Project.xsd ({e})");
        }
    }
}

async fn upload_codebook(app: &TestApp, slug: &str, token: &str, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()));
    let res = app
        .client
        .post(app.url(&format!("/api/reviews/{slug}/synthesis/codebook")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    status_json(res).await
}

db_test!(refi_qda_projects_validate_and_codebooks_round_trip, |app| {
    let t = team(&app).await;
    let studies = include_studies(&app, &t, 1).await;
    let (_, e) = post(&app, "extracts", &t.rev1, json!({"item_id": studies[0], "text": QUOTE, "kind": "participant quote"})).await;
    let (_, parent) =
        post(&app, "codes", &t.lead, json!({"name": "Lived experience", "colour": "#1f77b4", "description": "Having been there"})).await;
    let (_, child) = post(&app, "codes", &t.lead, json!({"name": "Trust & <safety>", "parent_id": parent["id"]})).await;
    let (a0, a1) = span(QUOTE, "she’d been homeless too");
    post(&app, "codings", &t.rev1, json!({"extract_id": e["id"], "code_id": child["id"], "start": a0, "end": a1})).await;
    post(&app, "themes", &t.rev1, json!({"kind": "descriptive", "name": "Trust", "members": [child["id"]]})).await;

    // The .qdpx is a ZIP whose project.qde is valid against Project.xsd and reads back to the same data.
    let res = app.client.get(app.url("/api/reviews/qes/synthesis/project.qdpx")).bearer_auth(&t.rev1).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut qde = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("project.qde").unwrap(), &mut qde).unwrap();
    validate_with_xmllint(&qde);
    let project = ::synthesis::refi::read_qdpx(&bytes).unwrap();
    assert_eq!(project.extracts.len(), 1);
    assert_eq!(project.extracts[0].text, QUOTE);
    assert_eq!(project.codings.len(), 1);
    assert_eq!((project.codings[0].start, project.codings[0].end), (a0, a1));
    assert_eq!(project.codes.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Lived experience", "Trust & <safety>"]);
    assert_eq!(project.codes[0].id, parent["guid"].as_str().unwrap(), "codes travel under their GUIDs");
    assert_eq!(project.codes[1].parent.as_deref(), parent["guid"].as_str());
    assert!(project.users.iter().any(|u| u.name.contains("rev1") || u.id == t.rev1_id.to_string()), "{:?}", project.users);

    // The .qdc goes into another review; importing it twice updates rather than duplicates.
    let other = app.user("other@example.org", "correct horse battery", false).await;
    app.review("other", other).await;
    let token = app.login("other@example.org", "correct horse battery").await;
    let res = app.client.get(app.url("/api/reviews/qes/synthesis/codebook.qdc")).bearer_auth(&t.rev1).send().await.unwrap();
    let qdc = res.bytes().await.unwrap().to_vec();
    let (s, report) = upload_codebook(&app, "other", &token, "codebook.qdc", qdc.clone()).await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(report, json!({"codes_added": 2, "codes_updated": 0, "themes_added": 1, "themes_updated": 0}));
    let (s, report) = upload_codebook(&app, "other", &token, "codebook.qdc", qdc).await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(report, json!({"codes_added": 0, "codes_updated": 2, "themes_added": 0, "themes_updated": 1}));
    let (_, overview) = app.get("/api/reviews/other/synthesis", &token).await;
    let codes = overview["codes"].as_array().unwrap();
    assert_eq!(codes.len(), 2);
    let imported_child = codes.iter().find(|c| c["name"] == "Trust & <safety>").unwrap();
    let imported_parent = codes.iter().find(|c| c["name"] == "Lived experience").unwrap();
    assert_eq!(imported_child["parent_id"], imported_parent["id"]);
    assert_eq!(imported_parent["guid"], parent["guid"]);
    assert_eq!(imported_parent["colour"], "#1f77b4");
    assert_eq!(overview["themes"][0]["members"], json!([imported_child["id"]]));

    // The .qdpx itself re-imports as a codebook into a third review.
    let third = app.user("third@example.org", "correct horse battery", false).await;
    app.review("third", third).await;
    let token3 = app.login("third@example.org", "correct horse battery").await;
    let (s, report) = upload_codebook(&app, "third", &token3, "project.qdpx", bytes).await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(report["codes_added"], 2);

    // A broken codebook changes nothing.
    let (s, body) = upload_codebook(&app, "third", &token3, "broken.qdc", b"<CodeBook><Codes><Code name=".to_vec()).await;
    assert_eq!(s, 422, "{body}");
    let (_, overview) = app.get("/api/reviews/third/synthesis", &token3).await;
    assert_eq!(overview["codes"].as_array().unwrap().len(), 2);
});
