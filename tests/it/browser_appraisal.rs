//! Appraisal in a real browser: two reviewers appraise a study with CASP Qualitative by keyboard,
//! disagreeing on two questions; the lead reconciles them on the page; the appraisal table carries the
//! consensus. Screenshots of each page go to `target/test-output/screenshots/`.

use std::time::Duration;

use anyhow::{anyhow, ensure};
use serde_json::json;

use super::browser::{Client, run_journey, shot, text_of, wait_css};
use super::browser_screening::{sign_in, sign_out};
use super::screening::{PDF, next, team, vote};
use super::*;

/// Answers every CASP question on the study page by keyboard: a digit per question (1 = Yes,
/// 2 = Can't tell, 3 = No), J to the next one, then the free-text question 10, then Submit.
async fn appraise(c: &Client, digits: &[char; 9]) -> anyhow::Result<()> {
    wait_css(c, "#appraisal-form").await?;
    c.exec("document.getElementById('item-q1').focus();", vec![]).await?;
    for (n, d) in digits.iter().enumerate() {
        c.press(*d).await?;
        let checked = c
            .exec(&format!("const r = document.querySelector('input[name=answer-q{}]:checked'); return r ? r.value : null;", n + 1), vec![])
            .await?;
        ensure!(!checked.is_null(), "question {} has no answer after pressing {d}", n + 1);
        c.press('j').await?;
    }
    let text = c.find("#text-q10").await?;
    c.send_keys(&text, "Valuable: first-hand accounts of the peer role.").await?;
    c.click(&c.find("#submit-appraisal").await?).await?;
    wait_css(c, "#ap-mine-title").await?;
    Ok(())
}

async fn journey(app: &TestApp, c: &Client) -> anyhow::Result<()> {
    let t = team(app).await;
    // One study included at full text, through the API.
    let item = next(app, &t.rev1, "title_abstract", 1).await[0]["id"].as_i64().ok_or_else(|| anyhow!("no item"))?;
    vote(app, &t.rev1, item, json!({"vote": "include"})).await;
    next(app, &t.rev2, "title_abstract", 1).await;
    let (_, decided) = vote(app, &t.rev2, item, json!({"vote": "include"})).await;
    let record = decided["record"]["id"].as_i64().ok_or_else(|| anyhow!("no record"))?;
    let ft =
        store::screening::item_for_record(&app.store.db, i32::try_from(record)?, "full_text").await?.ok_or_else(|| anyhow!("no report"))?;
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("s.pdf"));
    app.client.post(app.url(&format!("/api/reviews/qes/items/{}/file", ft.id))).bearer_auth(&t.rev1).multipart(form).send().await?;
    vote(app, &t.rev1, ft.id.into(), json!({"vote": "include"})).await;
    vote(app, &t.rev2, ft.id.into(), json!({"vote": "include"})).await;
    let study = format!("/reviews/qes/appraise/{}", ft.id);

    // Reviewer 1: "Can't tell" on question 6.
    sign_in(c, app, "/reviews/qes/appraise", "rev1@example.org").await?;
    wait_css(c, "#appraisal-studies").await?;
    shot(c, "appraise-list").await?;
    c.goto(&app.url(&study)).await?;
    shot(c, "appraise-study").await?;
    appraise(c, &['1', '1', '1', '1', '1', '2', '1', '1', '1']).await?;
    let blind = text_of(c, "#ap-blind").await?;
    ensure!(blind.contains("Blind"), "{blind}");
    sign_out(c).await?;

    // Reviewer 2: "No" on question 6 and "Can't tell" on question 8; nothing of reviewer 1 shows first.
    sign_in(c, app, &study, "rev2@example.org").await?;
    wait_css(c, "#appraisal-form").await?;
    let html: String = c.exec("return document.body.innerText;", vec![]).await?.as_str().unwrap_or_default().to_owned();
    ensure!(!html.contains("Can't tell") || !html.contains("Reviewer"), "reviewer 1's answers must not show before reviewer 2 submits");
    appraise(c, &['1', '1', '1', '1', '1', '3', '1', '2', '1']).await?;
    wait_css(c, "#appraisal-compare").await?;
    shot(c, "appraise-compare").await?;
    sign_out(c).await?;

    // The lead reconciles both disagreements on the page.
    sign_in(c, app, &study, "lead@example.org").await?;
    wait_css(c, "#consensus-form").await?;
    wait_css(c, "#consensus-q6").await?;
    wait_css(c, "#consensus-q8").await?;
    c.click(&c.find("#cons-q6-no").await?).await?;
    c.click(&c.find("#cons-q8-yes").await?).await?;
    let note = c.find("#consensus-q6 input[type=text]").await?;
    c.send_keys(&note, "No reflexivity statement.").await?;
    shot(c, "appraise-consensus").await?;
    c.click(&c.find("#save-consensus").await?).await?;
    wait_css(c, "#final-answers").await?;
    shot(c, "appraise-final").await?;

    // The table and the plot carry the consensus.
    let (_, view) = app.get(&format!("/api/reviews/qes/appraisal/studies/{}", ft.id), &t.lead).await;
    let fin = view["final"].as_array().ok_or_else(|| anyhow!("not reconciled: {view}"))?;
    ensure!(fin.iter().any(|a| a["item"] == "q6" && a["key"] == "no"), "{view}");
    ensure!(fin.iter().any(|a| a["item"] == "q8" && a["key"] == "yes"), "{view}");
    let csv = app.client.get(app.url("/api/reviews/qes/appraisal/table.csv")).bearer_auth(&t.lead).send().await?.text().await?;
    let mut lines = csv.lines();
    let header: Vec<String> = lines.next().unwrap_or_default().split(',').map(str::to_owned).collect();
    let row: Vec<String> = lines.next().unwrap_or_default().split(',').map(str::to_owned).collect();
    let col = |q: &str| header.iter().position(|h| h.starts_with(&format!("{q}.")) || h.starts_with(&format!("\"{q}.")));
    let q6 = col("6").and_then(|i| row.get(i)).cloned().unwrap_or_default();
    let q8 = col("8").and_then(|i| row.get(i)).cloned().unwrap_or_default();
    ensure!(q6 == "No" && q8 == "Yes", "table shows q6={q6:?} q8={q8:?}: {csv}");
    c.goto(&app.url("/reviews/qes/appraise")).await?;
    wait_css(c, "#traffic-light").await?;
    let mut width = 0;
    for _ in 0..50 {
        width = c
            .exec("const i = document.getElementById('traffic-light'); return i.complete ? i.naturalWidth : 0;", vec![])
            .await?
            .as_u64()
            .unwrap_or(0);
        if width > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ensure!(width > 100, "the traffic-light plot did not load");
    shot(c, "appraise-traffic-light").await?;
    let errors = c.page_errors().await?;
    ensure!(errors.is_empty(), "page errors: {errors:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_reviewers_appraise_and_the_lead_reconciles_in_the_browser() {
    run_journey("appraise", 120, journey).await;
}

/// A newcomer opens an invitation link, chooses a name and password, and lands in the review signed in.
async fn invitation(app: &TestApp, c: &Client) -> anyhow::Result<()> {
    let lead = app.user("lead@example.org", super::browser::PW, false).await;
    app.review("qes", lead).await;
    let token = app.login("lead@example.org", super::browser::PW).await;
    let (status, inv) =
        app.post("/api/reviews/qes/invitations", &token, json!({"email": "newcomer@example.org", "role": "reviewer"})).await;
    ensure!(status == 201, "{inv}");
    let url = inv["url"].as_str().ok_or_else(|| anyhow!("no url: {inv}"))?;
    c.goto(&app.url(url)).await?;
    wait_css(c, "#invite-name").await?;
    c.send_keys(&c.find("#invite-name").await?, "Nia Newcomer").await?;
    c.send_keys(&c.find("#invite-password").await?, "a long enough password").await?;
    c.send_keys(&c.find("#invite-again").await?, "a long enough password").await?;
    shot(c, "invite").await?;
    c.click(&c.find("#invite-accept").await?).await?;
    let mut path = String::new();
    for _ in 0..100 {
        path = c.path().await?;
        if path == "/reviews/qes" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ensure!(path == "/reviews/qes", "landed on {path}");
    wait_css(c, "#review-nav a").await?;
    // The link is spent.
    c.goto(&app.url(url)).await?;
    let h1 = super::browser::wait_text(c, "h1", |t| t.contains("cannot be used")).await?;
    ensure!(h1.contains("cannot be used"), "{h1}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_joins_through_an_invitation_link() {
    run_journey("invite", 60, invitation).await;
}
