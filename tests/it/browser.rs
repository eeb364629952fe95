//! The browser UI end to end in headless Chromium (through chromedriver): a lead signs in by keyboard,
//! imports two files on the Import page, judges a duplicate pair with M and undoes it with U, and the
//! dashboard shows exactly the API's numbers. Every page visited is saved as a PNG in
//! `target/test-output/screenshots/` for a person to look at.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, ensure};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use super::*;

const PW: &str = "correct horse battery";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// chromedriver (and the browser it starts) in a process group of its own, killed when dropped, even
/// when the test fails.
struct Driver {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Driver {
    fn start() -> anyhow::Result<Driver> {
        use std::os::unix::process::CommandExt;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let profile = tempfile::tempdir()?;
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .context("start chromedriver")?;
        let driver = Driver { child, port, _profile: profile };
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            ensure!(Instant::now() < deadline, "chromedriver did not listen on port {port} within 15 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }

    async fn connect(&self) -> anyhow::Result<Client> {
        let profile = self._profile.path().display().to_string();
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
        ]
        .into_iter()
        .map(str::to_owned)
        .chain([format!("--user-data-dir={profile}")])
        .collect::<Vec<_>>();
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), json!({"args": args, "binary": CHROMIUM}));
        ClientBuilder::rustls()?
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .context("open a chromedriver session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group holds chromedriver and any browser it started; it was created for this test alone.
        let _ = Command::new("kill").arg("-KILL").arg(format!("-{}", self.child.id())).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn screenshot_dir() -> PathBuf {
    repo_root().join("target").join("test-output").join("screenshots")
}

async fn shot(c: &Client, name: &str) -> anyhow::Result<()> {
    // Let the fading confirmation line and focus rings settle so the picture shows the page as a person sees it.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let png = c.screenshot().await?;
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(format!("{name}.png")), png)?;
    Ok(())
}

/// Waits for an element matching `css`.
async fn wait_css(c: &Client, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
    c.wait()
        .at_most(Duration::from_secs(20))
        .every(Duration::from_millis(50))
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("waiting for {css}"))
}

/// Waits until the text of the element matching `css` satisfies `ok`, and returns it.
async fn wait_text(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> anyhow::Result<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last = String::new();
    loop {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            if let Ok(t) = el.text().await {
                if ok(&t) {
                    return Ok(t);
                }
                last = t;
            }
        }
        ensure!(Instant::now() < deadline, "{css} never showed the expected text; last seen: {last:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn attr(c: &Client, css: &str, name: &str) -> anyhow::Result<String> {
    c.find(Locator::Css(css)).await?.attr(name).await?.ok_or_else(|| anyhow!("{css} has no {name}"))
}

/// Presses one key on whatever has focus, as a person would.
async fn press(c: &Client, key: char) -> anyhow::Result<()> {
    let keys = KeyActions::new("keyboard".to_owned()).then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
    c.perform_actions(keys).await?;
    Ok(())
}

/// Types text into the focused element.
async fn type_here(c: &Client, text: &str) -> anyhow::Result<()> {
    c.active_element().await?.send_keys(text).await?;
    Ok(())
}

async fn active_id(c: &Client) -> anyhow::Result<String> {
    Ok(c.active_element().await?.attr("id").await?.unwrap_or_default())
}

fn number(text: &str) -> anyhow::Result<u64> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits.parse().with_context(|| format!("not a number: {text:?}"))
}

async fn counts(app: &TestApp, token: &str) -> Value {
    let (status, review) = app.get("/api/reviews/qes", token).await;
    assert_eq!(status, 200, "{review}");
    review["counts"].clone()
}

async fn follow_nav(c: &Client, name: &str) -> anyhow::Result<()> {
    c.find(Locator::XPath(&format!("//nav[@id='review-nav']/a[normalize-space()='{name}']"))).await?.click().await?;
    wait_text(c, "#crumbs .page", |t| t == name).await?;
    Ok(())
}

async fn import(c: &Client, file: &Path, database: &str, platform: &str) -> anyhow::Result<Value> {
    let input = wait_css(c, "input#file").await?;
    input.send_keys(&file.display().to_string()).await?;
    c.find(Locator::Css("input[name=database_name]")).await?.send_keys(database).await?;
    c.find(Locator::Css("input[name=platform]")).await?.send_keys(platform).await?;
    c.find(Locator::Css("textarea[name=query]")).await?.send_keys("peer support AND homelessness").await?;
    c.find(Locator::Css("#import-submit")).await?.click().await?;
    let result = wait_css(c, "#import-result").await?;
    let state = result.attr("data-state").await?.unwrap_or_default();
    let text = result.text().await?;
    ensure!(state == "done", "the import of {} did not finish: {text}", file.display());
    let mut out = serde_json::Map::new();
    for key in ["records", "warnings", "duplicates_merged", "duplicates_queued"] {
        let t = c.find(Locator::Css(&format!("#import-result [data-result={key}]"))).await?.text().await?;
        out.insert(key.to_owned(), json!(number(&t)?));
    }
    Ok(Value::Object(out))
}

async fn journey(app: &TestApp, c: &Client, token: &str) -> anyhow::Result<()> {
    // Sign in by keyboard: a wrong password first shows the sentence, then the right one gets in.
    c.goto(&app.url("/reviews/qes")).await?;
    wait_css(c, "form #email").await?;
    ensure!(c.current_url().await?.path() == "/signin", "a signed-out visit must land on sign-in");
    ensure!(active_id(c).await? == "email", "the email field must have focus");
    type_here(c, "lead@example.org").await?;
    type_here(c, &char::from(Key::Tab).to_string()).await?;
    ensure!(active_id(c).await? == "password", "Tab must reach the password");
    type_here(c, &format!("not the password{}", char::from(Key::Enter))).await?;
    let error = wait_text(c, "#signin-error", |t| !t.is_empty()).await?;
    ensure!(error.contains("email or password is wrong"), "{error}");
    shot(c, "signin").await?;
    ensure!(active_id(c).await? == "password", "focus must return to the password");
    type_here(c, &format!("{PW}{}", char::from(Key::Enter))).await?;

    // The sign-in came back to the review asked for: its dashboard, before any import.
    wait_text(c, "main h1", |t| t == "Review qes").await?;
    wait_css(c, "[data-count=records_imported]").await?;
    ensure!(c.current_url().await?.path() == "/reviews/qes");
    shot(c, "dashboard-empty").await?;

    // My reviews lists the review with my role.
    c.find(Locator::Css("#crumbs .brand")).await?.click().await?;
    let item = wait_text(c, "#reviews li[data-slug=qes]", |t| t.contains("Review qes")).await?;
    ensure!(item.contains("lead"), "{item}");
    shot(c, "reviews").await?;
    c.find(Locator::Css("#reviews a[href='/reviews/qes']")).await?.click().await?;
    wait_text(c, "main h1", |t| t == "Review qes").await?;

    // Import two files through the Import page.
    follow_nav(c, "Import").await?;
    shot(c, "import").await?;
    let fixtures = repo_root().join("fixtures").join("demo");
    let cinahl = import(c, &fixtures.join("cinahl.ris"), "CINAHL", "EBSCOhost").await?;
    ensure!(cinahl["records"] == 25, "CINAHL: {cinahl}");
    shot(c, "import-cinahl").await?;
    let scopus = import(c, &fixtures.join("scopus.csv"), "Scopus", "Elsevier").await?;
    ensure!(scopus["records"] == 20, "Scopus: {scopus}");
    let found = scopus["duplicates_merged"].as_u64().unwrap_or(0) + scopus["duplicates_queued"].as_u64().unwrap_or(0);
    ensure!(found > 0, "the Scopus import must find duplicates of CINAHL records: {scopus}");
    shot(c, "import-scopus").await?;

    // Duplicates: the counter agrees with the API; M merges the pair and U undoes it.
    let before = counts(app, token).await;
    let pending = before["duplicates_pending"].as_u64().unwrap();
    follow_nav(c, "Duplicates").await?;
    let counter = wait_css(c, "#dup-counter[data-total]").await?;
    ensure!(number(&counter.attr("data-total").await?.unwrap_or_default())? == pending, "counter total vs API pending {pending}");
    shot(c, "duplicates").await?;
    press(c, '?').await?;
    wait_text(c, "#help-keys", |t| t.contains("Merge")).await?;
    shot(c, "duplicates-shortcuts").await?;
    press(c, Key::Escape.into()).await?;
    if pending > 0 {
        let first = wait_text(c, "#dup-counter", |t| !t.is_empty()).await?;
        ensure!(first == format!("1 of {pending}"), "counter before judging: {first}");
        ensure!(c.find(Locator::Css("#compare tbody tr")).await.is_ok(), "the pair must be shown side by side");
        ensure!(!wait_text(c, "#evidence", |t| t.starts_with("Engine:")).await?.is_empty());
        press(c, 'm').await?;
        wait_text(c, "#toast", |t| t == "Merged · U to undo").await?;
        let after_merge = if pending > 1 { format!("2 of {pending}") } else { format!("All {pending} judged") };
        wait_text(c, "#dup-counter", |t| t == after_merge).await?;
        let merged = counts(app, token).await;
        ensure!(merged["duplicates_pending"] == pending - 1, "pending after M: {merged}");
        let removed = before["duplicates_removed"].as_u64().unwrap();
        ensure!(merged["duplicates_removed"] == removed + 1, "removed after M: {merged} vs {before}");
        shot(c, "duplicates-merged").await?;
        press(c, 'u').await?;
        wait_text(c, "#toast", |t| t.starts_with("Merge undone")).await?;
        let undone = counts(app, token).await;
        ensure!(undone["duplicates_removed"] == removed, "removed after U: {undone} vs {before}");
        ensure!(undone["records"] == before["records"], "records after U: {undone} vs {before}");
        // The undone pair stays judged (the API keeps it out of the queue), so the counter holds.
        wait_text(c, "#dup-counter", |t| t == after_merge).await?;
        shot(c, "duplicates-undone").await?;
    } else {
        wait_text(c, "#dup-counter", |t| t == "None waiting").await?;
    }

    // Records: J moves to the first record, Enter opens it.
    follow_nav(c, "Records").await?;
    wait_css(c, "#record-list .record-row").await?;
    press(c, 'j').await?;
    ensure!(active_id(c).await?.starts_with("record-"), "J must focus a record");
    press(c, Key::Enter.into()).await?;
    wait_text(c, "#record-detail h2", |t| !t.is_empty()).await?;
    wait_text(c, "#record-detail", |t| t.contains("Duplicates merged into this record")).await?;
    shot(c, "records").await?;

    // Members.
    follow_nav(c, "Members").await?;
    wait_text(c, "#members", |t| t.contains("lead@example.org")).await?;
    shot(c, "members").await?;

    // The dashboard shows exactly the API's numbers.
    follow_nav(c, "Dashboard").await?;
    wait_css(c, "#sources").await?;
    let api = counts(app, token).await;
    for key in ["records_imported", "duplicates_removed", "records", "duplicates_pending"] {
        let shown = c.find(Locator::Css(&format!("[data-count={key}]"))).await?.text().await?;
        ensure!(json!(number(&shown)?) == api[key], "dashboard {key} shows {shown}, the API says {}", api[key]);
    }
    let total = c.find(Locator::Css("#sources-total")).await?.text().await?;
    ensure!(json!(number(&total)?) == api["records_imported"], "sources total {total} vs {}", api["records_imported"]);
    shot(c, "dashboard").await?;
    let sources = attr(c, "#sources", "id").await?;
    ensure!(sources == "sources");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lead_imports_judges_duplicates_and_sees_the_numbers() {
    if !Path::new(CHROMEDRIVER).exists() {
        assert!(!in_ci(), "CI=true but {CHROMEDRIVER} is missing: install chromium and chromium-driver");
        eprintln!("\n*** SKIPPED browser test: install chromium and chromium-driver ***\n");
        return;
    }
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    let lead = app.user("lead@example.org", PW, false).await;
    app.review("qes", lead).await;
    let token = app.login("lead@example.org", PW).await;

    let driver = Driver::start().expect("start chromedriver");
    let client = driver.connect().await.expect("connect to chromedriver");
    let outcome = tokio::time::timeout(Duration::from_secs(90), journey(&app, &client, &token)).await;
    if outcome.as_ref().map_or(true, |r| r.is_err()) {
        let _ = shot(&client, "failure").await;
    }
    let _ = client.close().await;
    drop(driver);
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("browser journey failed: {e:#} (see target/test-output/screenshots/failure.png)"),
        Err(_) => panic!("browser journey took longer than 90 s (see target/test-output/screenshots/failure.png)"),
    }
}
