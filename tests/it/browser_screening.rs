//! Screening in headless Chromium, keyboard only: reviewer 1 includes, excludes with a reason (after a
//! note), says maybe, undoes it and includes; reviewer 2 (blind: nothing of reviewer 1's vote or note on
//! the page) disagrees on two records; the API stored every vote as pressed; the lead resolves both
//! conflicts by keyboard, checks the settings form's errors, and the dashboard's title/abstract numbers
//! are the API's. Screenshots of every page go to `target/test-output/screenshots/screening-*.png`.
//!
//! `browser_bench` (ignored; run with `cargo test -p tests --release browser_bench -- --ignored
//! --nocapture`) times 200 decisions from keydown to the next record on screen, in the page.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, ensure};
use serde_json::{Value, json};

use super::browser::{
    CHROMEDRIVER, Client, Driver, Key, PW, active_id, key, number, screenshot_dir, shot, text_of, type_here, wait_css, wait_text,
};
use super::screening::team;
use super::*;

const SECRET: &str = "R1-SECRET-NOTE-5521";
const REASONS: [&str; 3] = ["Wrong population", "Not qualitative", "Wrong setting"];

/// Signs in on the sign-in page the app sent us to, by keyboard.
pub(crate) async fn sign_in(c: &Client, app: &TestApp, path: &str, email: &str) -> anyhow::Result<()> {
    c.goto(&app.url(path)).await?;
    wait_css(c, "form #email").await?;
    ensure!(active_id(c).await? == "email", "the email field must have focus");
    type_here(c, email).await?;
    type_here(c, &key(Key::Tab).to_string()).await?;
    type_here(c, &format!("{PW}{}", key(Key::Enter))).await?;
    Ok(())
}

pub(crate) async fn sign_out(c: &Client) -> anyhow::Result<()> {
    c.click(&c.find("#signout").await?).await?;
    wait_css(c, "form #email").await?;
    Ok(())
}

/// The screening item on screen now.
async fn current(c: &Client) -> anyhow::Result<i64> {
    let el = wait_css(c, "#screen-slot #record[data-item]").await?;
    let id = c.attr(&el, "data-item").await?.ok_or_else(|| anyhow!("no data-item"))?;
    Ok(id.parse()?)
}

/// Waits until the record on screen is no longer `prev`, and returns the new one.
async fn next_after(c: &Client, prev: i64) -> anyhow::Result<i64> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(el) = c.find("#screen-slot #record[data-item]").await
            && let Ok(Some(id)) = c.attr(&el, "data-item").await
        {
            let id: i64 = id.parse()?;
            if id != prev {
                return Ok(id);
            }
        }
        ensure!(Instant::now() < deadline, "the record {prev} stayed on screen");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn all_saved(c: &Client) -> anyhow::Result<()> {
    wait_css(c, "#save-state[data-pending='0']").await?;
    Ok(())
}

/// Takes the browser off the network (or back on), as a dropped Wi-Fi would.
async fn offline(c: &Client, off: bool) -> anyhow::Result<()> {
    c.post("/goog/cdp/execute", json!({"cmd": "Network.enable", "params": {}})).await?;
    let params = json!({"offline": off, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1});
    c.post("/goog/cdp/execute", json!({"cmd": "Network.emulateNetworkConditions", "params": params})).await?;
    Ok(())
}

/// Makes every vote request fail at the network, as a flaky proxy would.
async fn block_votes(c: &Client, block: bool) -> anyhow::Result<()> {
    c.post("/goog/cdp/execute", json!({"cmd": "Network.enable", "params": {}})).await?;
    let urls = if block { json!(["*/vote*"]) } else { json!([]) };
    c.post("/goog/cdp/execute", json!({"cmd": "Network.setBlockedURLs", "params": {"urls": urls}})).await?;
    Ok(())
}

async fn page_html(c: &Client) -> anyhow::Result<String> {
    Ok(c.exec("return document.documentElement.outerHTML;", vec![]).await?.as_str().unwrap_or_default().to_owned())
}

/// Presses "retry now", unless the page has sent the votes by itself meanwhile (the button goes then,
/// and is redrawn every second while it shows, so a button found first may be gone by the click).
async fn retry_now(c: &Client) -> anyhow::Result<()> {
    c.exec("const b = document.getElementById('retry-now'); if (b) b.click(); return !!b;", vec![]).await?;
    Ok(())
}

/// Opens `/`, types `words`, and waits for `item` to be found first, marked as not saved yet; the
/// search stays open.
async fn finds_unsaved(c: &Client, words: &str, item: i64) -> anyhow::Result<()> {
    c.press('/').await?;
    ensure!(active_id(c).await? == "my-search", "/ must open the search box");
    type_here(c, words).await?;
    wait_css(c, &format!("#my-search-results li[data-item='{item}'][aria-selected=true] .found-unsaved")).await?;
    Ok(())
}

/// The vote `reviewer` cast on `item`, as a lead sees it through the API.
async fn vote_of(app: &TestApp, lead: &str, item: i64, reviewer: i32) -> anyhow::Result<Value> {
    let (s, body) = app.get(&format!("/api/reviews/qes/items/{item}"), lead).await;
    ensure!(s == 200, "GET item {item}: {s} {body}");
    body["votes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["reviewer_id"] == reviewer)
        .cloned()
        .ok_or_else(|| anyhow!("no vote of reviewer {reviewer} on item {item}: {body}"))
}

async fn click_nav(c: &Client, name: &str) -> anyhow::Result<()> {
    let link = c.find_xpath(&format!("//nav[@id='review-nav']/a[normalize-space()='{name}']")).await?;
    c.click(&link).await?;
    wait_css(
        c,
        &format!(
            "#review-nav a[aria-current=page][href$='{}']",
            match name {
                "Dashboard" => "/reviews/qes",
                "Conflicts" => "/conflicts/title_abstract",
                "Settings" => "/settings",
                "Screen" => "/screen/title_abstract",
                "Reports" => "/reports",
                other => other,
            }
        ),
    )
    .await?;
    Ok(())
}

async fn screening(app: &TestApp, c: &Client) -> anyhow::Result<()> {
    let t = team(app).await;
    let ta = "/reviews/qes/screen/title_abstract";

    // Reviewer 1, keyboard only.
    sign_in(c, app, ta, "rev1@example.org").await?;
    let a = current(c).await?;
    wait_text(c, "#my-progress", |s| s.contains("0 / 25 mine")).await?;
    shot(c, "screening-ta").await?;
    // N: a note, kept for the next vote with Enter.
    c.press('n').await?;
    ensure!(active_id(c).await? == "note", "N must open the note box");
    type_here(c, &format!("{SECRET}{}", key(Key::Enter))).await?;
    wait_text(c, "#note-chip", |s| s.contains(SECRET)).await?;
    // T: tags, commas between them, tidied (spaces, a repeat), kept for the same vote.
    c.press('t').await?;
    ensure!(active_id(c).await? == "tags", "T must open the tags box");
    type_here(c, &format!("Qualitative,  peer   navigators , qualitative{}", key(Key::Enter))).await?;
    wait_text(c, "#tags-chip", |s| s.contains("vote: Qualitative, peer navigators") && !s.contains("navigators, qualitative")).await?;
    c.press('i').await?;
    let b = next_after(c, a).await?;
    wait_text(c, "#toast", |s| s == "Included · U to undo").await?;
    wait_text(c, "#my-progress", |s| s.contains("1 / 25 mine")).await?;
    // E then 1: excluded for the first reason.
    c.press('e').await?;
    wait_text(c, "#reason-panel", |s| s.contains(REASONS[0])).await?;
    shot(c, "screening-ta-reason").await?;
    c.press('1').await?;
    let cc = next_after(c, b).await?;
    wait_text(c, "#toast", |s| s == format!("Excluded: {} · U to undo", REASONS[0])).await?;
    // M, then U brings the record back without the maybe, then I.
    c.press('m').await?;
    let d = next_after(c, cc).await?;
    c.press('u').await?;
    ensure!(next_after(c, d).await? == cc, "U must bring back the record voted maybe");
    wait_text(c, "#toast", |s| s.starts_with("Vote undone")).await?;
    c.press('i').await?;
    let after = next_after(c, cc).await?;
    // K walks back through my votes, J returns to the queue.
    c.press('k').await?;
    ensure!(current(c).await? == cc, "K must show my last vote");
    wait_text(c, "#my-vote", |s| s.contains("Your vote: Included")).await?;
    c.press('k').await?;
    wait_text(c, "#my-vote", |s| s.contains(&format!("Excluded: {}", REASONS[0]))).await?;
    c.press('j').await?;
    c.press('j').await?;
    ensure!(current(c).await? == after, "J must return to the queue");
    // /: search my decisions. Words of my note find its record; Enter opens it where it is in my
    // history; J returns to the queue.
    c.press('/').await?;
    ensure!(active_id(c).await? == "my-search", "/ must open the search box");
    type_here(c, "secret 5521").await?;
    wait_css(c, &format!("#my-search-results li[data-item='{a}'][aria-selected=true]")).await?;
    wait_text(c, "#my-search-said", |s| s == "1 of my decisions match.").await?;
    shot(c, "screening-ta-search").await?;
    type_here(c, &key(Key::Enter).to_string()).await?;
    ensure!(current(c).await? == a, "Enter must open the record found");
    wait_text(c, "#where", |s| s.contains("your vote 3 of 3")).await?;
    wait_text(c, "#my-vote", |s| s.contains("Your vote: Included")).await?;
    ensure!(active_id(c).await? != "my-search", "the search closes once a record is open");
    // The vote as the page words it; arrows choose among what is found, most recent first.
    c.press('/').await?;
    type_here(c, "included").await?;
    wait_text(c, "#my-search-said", |s| s == "2 of my decisions match.").await?;
    wait_css(c, &format!("#my-search-results li[data-item='{cc}'][aria-selected=true]")).await?;
    type_here(c, &key(Key::Down).to_string()).await?;
    wait_css(c, &format!("#my-search-results li[data-item='{a}'][aria-selected=true]")).await?;
    // Nothing found says so; Esc closes and leaves the record as it was.
    type_here(c, " zzqx").await?;
    wait_text(c, "#my-search-said", |s| s == "None of my decisions match.").await?;
    type_here(c, &key(Key::Escape).to_string()).await?;
    wait_css(c, "#search-panel[hidden]").await?;
    ensure!(current(c).await? == a);
    for _ in 0..3 {
        c.press('j').await?;
    }
    ensure!(current(c).await? == after, "J must return to the queue from a record found");
    // ?: the criteria and the keys.
    c.press('?').await?;
    wait_text(c, "#help-extra", |s| s.contains("Eligibility criteria") && s.contains(REASONS[2])).await?;
    shot(c, "screening-ta-criteria").await?;
    c.press(key(Key::Escape)).await?;
    all_saved(c).await?;
    let (_, p1) = app.get("/api/reviews/qes/stages/title_abstract/progress", &t.rev1).await;
    ensure!(p1["my_votes"] == 3, "{p1}");
    let total = p1["my_votes"].as_i64().unwrap_or(0) + p1["my_remaining"].as_i64().unwrap_or(0);
    wait_text(c, "#my-progress", |s| s == format!("3 / {total} mine")).await?;
    shot(c, "screening-ta-saved").await?;

    // The votes were stored as pressed.
    let va = vote_of(app, &t.lead, a, t.rev1_id).await?;
    ensure!(va["vote"] == "include" && va["note"] == SECRET, "{va}");
    ensure!(va["tags"] == json!(["Qualitative", "peer navigators"]), "tags as typed with T, tidied: {va}");
    let vb = vote_of(app, &t.lead, b, t.rev1_id).await?;
    ensure!(vb["vote"] == "exclude" && vb["reason"] == REASONS[0], "{vb}");
    let vc = vote_of(app, &t.lead, cc, t.rev1_id).await?;
    ensure!(vc["vote"] == "include" && vc["note"].is_null(), "the maybe must be undone, then include: {vc}");
    sign_out(c).await?;

    // Reviewer 2, blind: disagrees on A and B.
    sign_in(c, app, ta, "rev2@example.org").await?;
    let mut seen = Vec::new();
    for n in 0..3 {
        let id = current(c).await?;
        if n == 2 {
            // The network drops: the vote is shown as not saved, kept, and sent when it is back; the
            // next record was fetched already, so it shows at once all the same.
            wait_css(c, "#screen:not([data-ahead='0'])").await?;
            offline(c, true).await?;
        }
        let html = page_html(c).await?;
        ensure!(!html.contains(SECRET), "reviewer 1's note shows on reviewer 2's page");
        ensure!(!html.contains("Your vote") && !html.contains("my-vote"), "a vote shows on reviewer 2's page");
        if seen.is_empty() {
            shot(c, "screening-ta-reviewer2").await?;
        }
        seen.push(id);
        if n == 1 {
            // The lead amends the inclusion criteria while reviewer 2 screens: the next vote tells them.
            let (_, mut protocol) = app.get("/api/reviews/qes/protocol", &t.lead).await;
            protocol.as_object_mut().ok_or_else(|| anyhow!("protocol"))?.remove("version");
            protocol["inclusion"] = json!("Primary qualitative studies of peer workers' experiences, in any setting.");
            let res = app.client.put(app.url("/api/reviews/qes/protocol")).bearer_auth(&t.lead).json(&protocol).send().await?;
            ensure!(res.status() == 200, "amending the protocol: {}", res.status());
        }
        if id == a {
            c.press('e').await?;
            wait_css(c, "#reason-panel:not([hidden])").await?;
            c.press('1').await?;
        } else {
            c.press('i').await?;
        }
        next_after(c, id).await?;
        if n == 1 {
            wait_text(c, "#toast", |s| s == "The criteria were amended (version 2): press ? to read them").await?;
            c.press('?').await?;
            wait_text(c, "#help-extra", |s| s.contains("in any setting") && s.contains("version 2")).await?;
            c.press(key(Key::Escape)).await?;
        }
        if n == 2 {
            wait_text(c, "#save-state", |s| s.contains("not saved — retrying")).await?;
            // Offline, `/` still finds the vote that is waiting to be sent, and says what it could not search.
            finds_unsaved(c, if id == a { "excluded" } else { "included" }, id).await?;
            let said = text_of(c, "#my-search-said").await?;
            ensure!(
                said == "1 of my votes not saved yet matches; the rest of my decisions could not be searched (no connection).",
                "{said}"
            );
            type_here(c, &key(Key::Escape).to_string()).await?;
            wait_css(c, "#search-panel[hidden]").await?;
            shot(c, "screening-ta-offline").await?;
            offline(c, false).await?;
            retry_now(c).await?;
        }
    }
    ensure!(
        seen.contains(&a) && seen.contains(&b) && seen.contains(&cc),
        "reviewer 2 is routed to the half-voted records first: {seen:?} vs {a} {b} {cc}"
    );
    all_saved(c).await?;
    ensure!(!page_html(c).await?.contains(SECRET));
    let v2 = vote_of(app, &t.lead, a, t.rev2_id).await?;
    ensure!(v2["vote"] == "exclude" && v2["reason"] == REASONS[0], "{v2}");
    let (_, item_b) = app.get(&format!("/api/reviews/qes/items/{b}"), &t.lead).await;
    ensure!(item_b["state"] == "conflict", "{item_b}");
    sign_out(c).await?;

    // The lead resolves the two conflicts by keyboard.
    sign_in(c, app, "/reviews/qes", "lead@example.org").await?;
    wait_css(c, "[data-stage=title_abstract] [data-state=conflict]").await?;
    click_nav(c, "Conflicts").await?;
    wait_text(c, "#conflict-counter", |s| s == "1 of 2").await?;
    let votes = text_of(c, "#votes").await?;
    ensure!(votes.contains("rev1") && votes.contains("rev2") && votes.contains("Included") && votes.contains("Excluded"), "{votes}");
    ensure!(
        votes.matches("Made under the protocol’s version 1; it is now at version 2.").count() == 2,
        "both votes were made under the earlier criteria: {votes}"
    );
    let first = number(&c.attr(&c.find("#votes").await?, "data-item").await?.unwrap_or_default())?;
    shot(c, "screening-conflicts").await?;
    c.press('i').await?;
    wait_text(c, "#toast", |s| s.starts_with("Resolved: included")).await?;
    wait_text(c, "#conflict-counter", |s| s == "1 of 1").await?;
    c.press('e').await?;
    c.press('2').await?;
    wait_text(c, "#conflict-counter", |s| s == "All 2 resolved").await?;
    let (_, resolved) = app.get(&format!("/api/reviews/qes/items/{first}"), &t.lead).await;
    ensure!(resolved["state"] == "included", "{resolved}");
    let (_, left) = app.get("/api/reviews/qes/stages/title_abstract/conflicts", &t.lead).await;
    ensure!(left.as_array().is_some_and(Vec::is_empty), "{left}");

    // Settings: the form shows the protocol; a wrong number is refused next to its field.
    click_nav(c, "Settings").await?;
    wait_css(c, "#protocol-form").await?;
    let reasons = c.value(&c.find("#protocol-form textarea[name=reasons]").await?).await?;
    ensure!(reasons == REASONS.join("\n"), "{reasons}");
    // The amendment made before the conflicts were resolved is listed, with what it changed.
    c.click(&c.find("#protocol-history summary").await?).await?;
    let history = wait_text(c, "#protocol-history li[data-version='2']", |s| !s.is_empty()).await?;
    ensure!(history.contains("changed the inclusion criteria") && history.contains("lead"), "{history}");
    let per = c.find("#stage-title_abstract input[name=reviewers_per_record]").await?;
    c.clear(&per).await?;
    c.send_keys(&per, "9").await?;
    c.click(&c.find("#save-title_abstract").await?).await?;
    let refusal = wait_text(c, "#stage-title_abstract .field-error", |s| !s.is_empty()).await?;
    ensure!(refusal.contains("1 to 5"), "{refusal}");
    shot(c, "screening-settings").await?;
    c.clear(&per).await?;
    c.send_keys(&per, "2").await?;
    c.click(&c.find("#save-title_abstract").await?).await?;
    wait_text(c, "#toast", |s| s == "Title/abstract settings saved").await?;
    // A pilot, the share screened in full and a fixed group of reviewers, set on the page.
    let ft_form = "#stage-full_text";
    for (name, value) in [("pilot_size", "3"), ("pilot_threshold", "0.7"), ("double_percent", "50")] {
        let input = c.find(&format!("{ft_form} input[name={name}]")).await?;
        c.clear(&input).await?;
        c.send_keys(&input, value).await?;
    }
    c.click(&c.find("#add-pair-full_text").await?).await?;
    // A group not filled in is refused on the page.
    c.click(&c.find("#save-full_text").await?).await?;
    let refusal = wait_text(c, &format!("{ft_form} .form-error"), |s| !s.is_empty()).await?;
    ensure!(refusal.contains("Choose every reviewer"), "{refusal}");
    for (i, who) in [t.rev1_id, t.rev2_id].into_iter().enumerate() {
        let option = format!("#pairs-full_text [data-pair='0'] select:nth-of-type({}) option[value='{who}']", i + 1);
        c.click(&c.find(&option).await?).await?;
    }
    shot(c, "screening-settings-full-text").await?;
    c.click(&c.find("#save-full_text").await?).await?;
    wait_text(c, "#toast", |s| s == "Full text settings saved").await?;
    let (_, saved) = app.get("/api/reviews/qes/stages/full_text/settings", &t.lead).await;
    ensure!(saved["pilot_size"] == 3 && saved["pilot_threshold"] == 0.7 && saved["double_percent"] == 50, "{saved}");
    ensure!(saved["pairs"] == json!([[t.rev1_id, t.rev2_id]]), "{saved}");
    // Back to no pilot and no groups, as the rest of this journey expects.
    c.goto(&app.url("/reviews/qes/settings")).await?;
    wait_text(c, "#pilot-state-full_text", |s| s.contains("Only the 3 pilot records")).await?;
    let size = c.find(&format!("{ft_form} input[name=pilot_size]")).await?;
    c.clear(&size).await?;
    c.send_keys(&size, "0").await?;
    c.click(&c.find("#pairs-full_text [data-pair='0'] button").await?).await?;
    c.click(&c.find("#save-full_text").await?).await?;
    wait_text(c, "#toast", |s| s == "Full text settings saved").await?;
    let (_, saved) = app.get("/api/reviews/qes/stages/full_text/settings", &t.lead).await;
    ensure!(saved["pilot_size"] == 0 && saved["pairs"] == json!([]), "{saved}");
    // Reviewer 1's reserved title/abstract records go to reviewer 2.
    let review_id = store::reviews::by_slug(&app.store.db, "qes").await?.ok_or_else(|| anyhow!("no review"))?.id;
    let held = store::screening::my_reservations(&app.store.db, review_id, "title_abstract", t.rev1_id, 0).await?.len();
    ensure!(held > 0, "reviewer 1 holds the records fetched ahead");
    for (select, who) in [("from", t.rev1_id), ("to", t.rev2_id)] {
        c.click(&c.find(&format!("#stage-title_abstract .reassign select[name={select}] option[value='{who}']")).await?).await?;
    }
    c.click(&c.find("#reassign-title_abstract").await?).await?;
    let moved = wait_text(c, "#reassign-title_abstract-said", |s| !s.is_empty()).await?;
    ensure!(moved == format!("Moved {held} record{}.", if held == 1 { "" } else { "s" }), "{moved}");
    ensure!(store::screening::my_reservations(&app.store.db, review_id, "title_abstract", t.rev1_id, 0).await?.is_empty());

    // The dashboard's title/abstract numbers are the API's.
    click_nav(c, "Dashboard").await?;
    wait_css(c, "[data-stage=title_abstract] [data-state=total]").await?;
    let (_, p) = app.get("/api/reviews/qes/stages/title_abstract/progress", &t.lead).await;
    let states = p["states"].as_object().ok_or_else(|| anyhow!("no states: {p}"))?;
    ensure!(states.get("included") == Some(&json!(2)) && states.get("excluded") == Some(&json!(1)), "{p}");
    let mut sum = 0;
    for k in ["open", "conflict", "included", "excluded"] {
        let want = states.get(k).and_then(Value::as_u64).unwrap_or(0);
        sum += want;
        let shown = text_of(c, &format!("[data-stage=title_abstract] [data-state={k}]")).await?;
        ensure!(number(&shown)? == want, "dashboard {k}: {shown}, API {want}");
    }
    ensure!(number(&text_of(c, "[data-stage=title_abstract] [data-state=total]").await?)? == sum);
    let agreement = text_of(c, "[data-stage=title_abstract] table.agreement").await?;
    ensure!(agreement.contains("All pairs"), "{agreement}");
    wait_css(c, "#decisions-csv").await?;
    c.exec("document.getElementById('screening-summary').scrollIntoView();", vec![]).await?;
    shot(c, "screening-dashboard").await?;
    // A count opens the records behind it: the excluded one, with its decision and reason.
    ensure!(c.find("[data-stage=title_abstract] a[data-state=conflict]").await.is_err(), "a count of 0 is not a link");
    c.click(&c.find("[data-stage=title_abstract] a[data-state=excluded]").await?).await?;
    wait_text(c, "main h1", |t| t == "Title/abstract: excluded").await?;
    wait_text(c, "#records-range", |t| t == "Records 1–1 of 1").await?;
    let excluded = text_of(c, "#record-list").await?;
    ensure!(excluded.contains(&format!("Excluded: {}", REASONS[1])), "the excluded record and why: {excluded}");
    shot(c, "screening-records-excluded").await?;

    // Reports: the PRISMA diagram drawn from the data, its numbers equal to the API's.
    click_nav(c, "Reports").await?;
    wait_css(c, "#prisma-numbers").await?;
    let (_, prisma) = app.get("/api/reviews/qes/prisma", &t.lead).await;
    let loaded =
        c.exec("const img = document.getElementById('prisma-diagram'); return img.complete ? img.naturalWidth : 0;", vec![]).await?;
    let mut width = loaded.as_u64().unwrap_or(0);
    for _ in 0..50 {
        if width > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        width = c
            .exec("const img = document.getElementById('prisma-diagram'); return img.complete ? img.naturalWidth : 0;", vec![])
            .await?
            .as_u64()
            .unwrap_or(0);
    }
    ensure!(width > 300, "the PRISMA diagram did not load (width {width})");
    let table = text_of(c, "#prisma-numbers").await?;
    let screened = prisma["records_screened"].as_u64().ok_or_else(|| anyhow!("{prisma}"))?;
    ensure!(
        table.contains(&format!("Records screened {screened}"))
            || table.contains(&format!("Records screened\t{screened}"))
            || table.lines().any(|l| l.starts_with("Records screened") && l.ends_with(&screened.to_string())),
        "{table}"
    );
    let checks = text_of(c, "#prisma-checks").await?;
    ensure!(checks.contains("Not reconciled yet") == prisma["checks"].as_array().is_some_and(|c| !c.is_empty()), "{checks}");
    shot(c, "reports").await?;
    sign_out(c).await?;

    // Full text: the included record waits for its PDF; reviewer 1 attaches it on the page, and an
    // exclusion there needs a reason.
    let record = resolved["record"]["id"].as_i64().ok_or_else(|| anyhow!("no record id"))?;
    let ft = store::screening::item_for_record(&app.store.db, i32::try_from(record)?, "full_text")
        .await?
        .ok_or_else(|| anyhow!("no full-text item"))?;
    sign_in(c, app, &format!("/reviews/qes/screen/full_text?item={}", ft.id), "rev1@example.org").await?;
    wait_css(c, "#awaiting #pdf-drop").await?;
    shot(c, "screening-ft-awaiting").await?;
    let dir = tempfile::tempdir()?;
    let pdf = dir.path().join("lennox-2021.pdf");
    std::fs::write(&pdf, super::screening::PDF)?;
    c.send_keys(&c.find("#pdf-file").await?, &pdf.display().to_string()).await?;
    wait_css(c, ".ft.with-pdf #pdf").await?;
    wait_text(c, "#toast", |s| s.contains("attached")).await?;
    shot(c, "screening-ft").await?;
    c.press('e').await?;
    c.press(key(Key::Enter)).await?;
    wait_text(c, "#toast", |s| s.contains("needs a reason")).await?;
    c.press('3').await?;
    wait_css(c, "#nothing-left").await?;
    all_saved(c).await?;
    let vf = vote_of(app, &t.lead, i64::from(ft.id), t.rev1_id).await?;
    ensure!(vf["vote"] == "exclude" && vf["reason"] == REASONS[2], "{vf}");
    shot(c, "screening-ft-nothing-left").await?;

    // The dark theme on a tablet held upright.
    c.dark().await?;
    c.resize(820, 1180).await?;
    c.goto(&app.url(ta)).await?;
    current(c).await?;
    shot(c, "screening-ta-tablet-dark").await?;

    // A vote that cannot be sent survives a reload: it is kept in the browser and sent later.
    let id = current(c).await?;
    block_votes(c, true).await?;
    c.press('i').await?;
    next_after(c, id).await?;
    wait_text(c, "#save-state", |s| s.contains("not saved — retrying")).await?;
    // `/` shows it first among my decisions, as not saved yet, before and after a reload.
    for reloaded in [false, true] {
        if reloaded {
            c.goto(&app.url(ta)).await?;
            ensure!(current(c).await? != id, "the unsent vote's record must not come back after a reload");
            wait_text(c, "#save-state", |s| s.contains("not saved — retrying")).await?;
        }
        finds_unsaved(c, "included", id).await?;
        let said = text_of(c, "#my-search-said").await?;
        ensure!(said.ends_with("of my decisions match."), "the server was searched as well: {said}");
        type_here(c, &key(Key::Escape).to_string()).await?;
        wait_css(c, "#search-panel[hidden]").await?;
    }
    block_votes(c, false).await?;
    retry_now(c).await?;
    all_saved(c).await?;
    let kept = vote_of(app, &t.lead, id, t.rev1_id).await?;
    ensure!(kept["vote"] == "include", "{kept}");
    let errors = c.page_errors().await?;
    ensure!(errors.is_empty(), "the pages logged errors: {errors:#?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_screening_by_keyboard() {
    if !Path::new(CHROMEDRIVER).exists() {
        assert!(!in_ci(), "CI=true but {CHROMEDRIVER} is missing: install chromium and chromium-driver");
        eprintln!("\n*** SKIPPED browser test: install chromium and chromium-driver ***\n");
        return;
    }
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    let _ = std::fs::remove_file(screenshot_dir().join("screening-failure.png"));
    let driver = Driver::start().expect("start chromedriver");
    let browser = driver.connect().await.expect("connect to chromedriver");
    let outcome = tokio::time::timeout(Duration::from_secs(150), screening(&app, &browser)).await;
    if !matches!(outcome, Ok(Ok(()))) {
        let _ = shot(&browser, "screening-failure").await;
        eprintln!("page errors: {:#?}", browser.page_errors().await);
        eprintln!("url: {:?}", browser.get("/url").await);
        eprintln!("render: {:?}", browser.post("/execute/async", json!({"script": "const done = arguments[arguments.length - 1]; import('/js/pages/dashboard.js').then(m => m.render({main: document.getElementById('main'), params: {slug: 'qes'}, query: new URLSearchParams(), alive: () => true})).then(() => done('ok'), (e) => done(String(e.stack)));", "args": []})).await);
        eprintln!(
            "requests: {:?}",
            browser
                .exec(
                    "return performance.getEntriesByType('resource').map(e => e.name + ' ' + (e.responseStatus ?? '')).slice(-15);",
                    vec![]
                )
                .await
        );
    }
    let _ = browser.close().await;
    drop(driver);
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("screening journey failed: {e:#} (see target/test-output/screenshots/screening-failure.png)"),
        Err(_) => panic!("screening journey took longer than 150 s (see target/test-output/screenshots/screening-failure.png)"),
    }
}

/// `n` RIS records with abstracts of a realistic length.
fn ris(n: usize) -> String {
    let words = "peer support workers hospital qualitative interviews homelessness substance use services experience role \
        randomised trial outcomes community housing stigma recovery lived navigation engagement harm reduction care";
    let words: Vec<&str> = words.split_whitespace().collect();
    let mut out = String::new();
    for i in 0..n {
        let title: Vec<&str> = (0..12).map(|k| words[(i * 7 + k * 3) % words.len()]).collect();
        let abs: Vec<&str> = (0..260).map(|k| words[(i * 13 + k * 5 + k / 7) % words.len()]).collect();
        let _ = write!(
            out,
            "TY  - JOUR\r\nAU  - Author{i}, A\r\nAU  - Second, B\r\nTI  - Study {i}: {}\r\nPY  - {}\r\nJO  - Journal of Tests\r\nDO  - 10.5555/bench.{i}\r\nAB  - {}.\r\nER  - \r\n",
            title.join(" "),
            2000 + i % 24,
            abs.join(" ")
        );
    }
    out
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

async fn bench(app: &TestApp, c: &Client) -> anyhow::Result<()> {
    let lead_id = app.user("lead@example.org", PW, false).await;
    app.review("qes", lead_id).await;
    let lead = app.login("lead@example.org", PW).await;
    let protocol = json!({
        "framework": "SPIDER", "elements": {"S": "peer workers"}, "inclusion": "Qualitative studies of peer workers.",
        "exclusion": "Trials.", "reasons": REASONS, "include_keywords": ["peer", "qualitative", "lived"],
        "exclude_keywords": ["randomised", "trial"],
    });
    let res = app.client.put(app.url("/api/reviews/qes/protocol")).bearer_auth(&lead).json(&protocol).send().await?;
    ensure!(res.status() == 200);
    let (_, job) = app.import("qes", &lead, "bench.ris", ris(250).into_bytes(), "Bench").await;
    ensure!(job["state"] == "done", "{job}");
    sign_in(c, app, "/reviews/qes/screen/title_abstract", "lead@example.org").await?;
    let mut id = current(c).await?;
    c.exec(
        "window.__bench = { t0: 0, raf: [], painted: [] };
         document.addEventListener('keydown', () => { window.__bench.t0 = performance.now(); }, true);
         document.addEventListener('sift:record', (e) => {
           const t0 = window.__bench.t0;
           if (!t0 || e.detail.id === null) return;
           window.__bench.t0 = 0;
           requestAnimationFrame(() => {
             window.__bench.raf.push(performance.now() - t0);
             setTimeout(() => window.__bench.painted.push(performance.now() - t0), 0);
           });
         });",
        vec![],
    )
    .await?;
    let started = Instant::now();
    for n in 0..200 {
        if n % 5 == 4 {
            c.press('e').await?;
            c.press('2').await?;
        } else {
            c.press('i').await?;
        }
        id = next_after(c, id).await.with_context(|| format!("decision {n}"))?;
    }
    let wall = started.elapsed();
    all_saved(c).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let out = c.exec("return window.__bench;", vec![]).await?;
    let mut raf: Vec<f64> = out["raf"].as_array().into_iter().flatten().filter_map(Value::as_f64).collect();
    let mut painted: Vec<f64> = out["painted"].as_array().into_iter().flatten().filter_map(Value::as_f64).collect();
    ensure!(raf.len() == 200, "measured {} of 200 decisions", raf.len());
    raf.sort_by(f64::total_cmp);
    painted.sort_by(f64::total_cmp);
    let (_, p) = app.get("/api/reviews/qes/stages/title_abstract/progress", &lead).await;
    ensure!(p["my_votes"] == 200, "{p}");
    println!("browser_bench: 200 decisions in {:.1} s of WebDriver time; all 200 votes saved", wall.as_secs_f64());
    println!(
        "browser_bench: keydown -> next record, rAF after the swap: median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        percentile(&raf, 0.5),
        percentile(&raf, 0.95),
        raf[raf.len() - 1]
    );
    println!(
        "browser_bench: keydown -> task after that frame (painted): median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        percentile(&painted, 0.5),
        percentile(&painted, 0.95),
        painted[painted.len() - 1]
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: cargo test -p tests --release browser_bench -- --ignored --nocapture"]
async fn browser_bench() {
    if !Path::new(CHROMEDRIVER).exists() {
        eprintln!("\n*** SKIPPED browser bench: install chromium and chromium-driver ***\n");
        return;
    }
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    let driver = Driver::start().expect("start chromedriver");
    let browser = driver.connect().await.expect("connect to chromedriver");
    let outcome = tokio::time::timeout(Duration::from_secs(300), bench(&app, &browser)).await;
    if !matches!(outcome, Ok(Ok(()))) {
        let _ = shot(&browser, "bench-failure").await;
    }
    let _ = browser.close().await;
    drop(driver);
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("browser bench failed: {e:#}"),
        Err(_) => panic!("browser bench took longer than 300 s"),
    }
}

/// The demo review in the browser: the dashboard shows agreement on exclusion reasons as the API
/// computes it, and the Conflicts page flags votes made before the lead amended the criteria.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_shows_reason_agreement_and_votes_under_older_criteria() {
    super::browser::run_journey("demo-dashboard", 60, async |app: &TestApp, c: &Client| {
        server::app::demo::seed(&app.store, None, server::time::now_ms()).await.map_err(|e| anyhow!("seeding the demo: {e:?}"))?;
        let lead = &server::app::demo::USERS[0];
        c.goto(&app.url("/reviews/demo")).await?;
        wait_css(c, "form #email").await?;
        type_here(c, lead.email).await?;
        type_here(c, &key(Key::Tab).to_string()).await?;
        type_here(c, &format!("{}{}", lead.password, key(Key::Enter))).await?;
        let line = wait_text(c, "[data-stage=title_abstract] [data-agree=reasons]", |t| !t.is_empty()).await?;
        let token = app.login(lead.email, lead.password).await;
        let (_, r) = app.get("/api/reviews/demo/stages/title_abstract/agreement/reasons", &token).await;
        let same = format!("{:.1}% the same", r["percent_agreement"].as_f64().unwrap_or(0.0) * 100.0);
        ensure!(line.contains(&format!("for the {} records both excluded", r["n"])) && line.contains(&same), "{line} against {r}");
        // Each pair's row of the agreement table has its own agreement on reasons.
        let pairs = r["pairs"].as_array().cloned().unwrap_or_default();
        ensure!(!pairs.is_empty(), "the demo's reviewers both excluded some records: {r}");
        for p in &pairs {
            let key = format!("{}-{}", p["reviewers"][0], p["reviewers"][1]);
            let want = format!("{:.1}% of {}", p["percent_agreement"].as_f64().unwrap_or(0.0) * 100.0, p["n"]);
            let css = format!("[data-stage=title_abstract] [data-pair='{key}'] [data-agree=same-reason]");
            let cell = wait_text(c, &css, |t| !t.is_empty()).await?;
            let cell = cell.split_whitespace().collect::<Vec<_>>().join(" ");
            ensure!(cell == want, "pair {key}: {cell:?}, the API says {want:?}");
        }
        c.exec("document.querySelector('[data-stage=title_abstract] [data-agree=reasons]').scrollIntoView();", vec![]).await?;
        shot(c, "demo-dashboard-agreement").await?;
        // The conflicts were voted on before the lead amended the criteria, and the page says so.
        c.goto(&app.url("/reviews/demo/conflicts/title_abstract")).await?;
        let votes = wait_text(c, "#votes", |t| !t.is_empty()).await?;
        ensure!(votes.matches("Made under the protocol’s version 1; it is now at version 2.").count() == 2, "{votes}");
        shot(c, "demo-conflict-older-criteria").await?;
        Ok(())
    })
    .await;
}
