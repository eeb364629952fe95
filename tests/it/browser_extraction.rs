//! Extraction in a real browser: the lead builds a one-field form on the Extract page, a reviewer fills it
//! in and submits; with one extractor the study is complete and its value reaches the table.
//! Screenshots go to `target/test-output/screenshots/`.

use std::time::Duration;

use anyhow::ensure;

use super::browser::{Client, run_journey, shot, wait_css};
use super::browser_screening::{sign_in, sign_out};
use super::extraction::include_one;
use super::screening::team;
use super::*;

async fn journey(app: &TestApp, c: &Client) -> anyhow::Result<()> {
    let t = team(app).await;
    let study = include_one(app, &t).await;

    // The lead adds a required text field and one extractor per study.
    sign_in(c, app, "/reviews/qes/extract", "lead@example.org").await?;
    wait_css(c, "#extraction-form-editor").await?;
    c.click(&c.find("#f-extractors").await?).await?;
    c.click(&c.find("#add-extraction-field").await?).await?;
    c.send_keys(&c.find("#ex-f0-label").await?, "Setting (city)").await?;
    c.click(&c.find("#ex-f0-required").await?).await?;
    shot(c, "extract-form-editor").await?;
    c.click(&c.find("#save-extraction-form").await?).await?;
    let mut form = serde_json::Value::Null;
    for _ in 0..50 {
        form = app.get("/api/reviews/qes/extraction", &t.lead).await.1["form"].clone();
        if form["fields"].as_array().is_some_and(|f| !f.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ensure!(form["fields"][0]["key"] == "setting_city" && form["fields"][0]["required"] == true && form["extractors"] == 1, "{form}");
    sign_out(c).await?;

    // A reviewer fills it in on the study page and submits.
    sign_in(c, app, &format!("/reviews/qes/extract/{study}"), "rev1@example.org").await?;
    wait_css(c, "#extraction-form").await?;
    c.send_keys(&c.find("#mine-setting_city").await?, "Drop-in centre, Glasgow").await?;
    shot(c, "extract-study").await?;
    c.click(&c.find("#submit-extraction").await?).await?;
    wait_css(c, "#ex-final").await?;
    shot(c, "extract-study-complete").await?;
    let csv = app.client.get(app.url("/api/reviews/qes/extraction/characteristics.csv")).bearer_auth(&t.lead).send().await?.text().await?;
    ensure!(csv.lines().nth(1).is_some_and(|l| l.ends_with(",\"Drop-in centre, Glasgow\"")), "{csv}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lead_builds_a_form_and_a_reviewer_extracts_in_the_browser() {
    run_journey("extract", 120, journey).await;
}
