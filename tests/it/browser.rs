//! The browser UI end to end in headless Chromium (through chromedriver): a lead signs in by keyboard,
//! imports the demo files on the Import page (and sees a bad file refused with its line), judges a
//! duplicate pair with M and undoes it with U, opens a record with J and Enter, adds a member, and the
//! dashboard shows exactly the API's numbers. Every page visited is saved as a PNG in
//! `target/test-output/screenshots/` for a person to look at, in the light theme at laptop size and,
//! at the end, in the dark theme at tablet size.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail, ensure};
use base64::Engine;
use serde_json::{Value, json};

use super::*;

pub(crate) const PW: &str = "correct horse battery";
pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// One record that is probably, but not surely, CINAHL's C0011.
const HANDSEARCH: &str = "TY  - JOUR\r\nAU  - MacLeod, Eilidh\r\nAU  - Farouk, Hana\r\nAU  - Gallagher, Sean\r\n\
    TI  - Peer support for people experiencing homelessness in emergency departments: a service evalution\r\n\
    PY  - 2023\r\nJO  - BMC Public Health\r\nER  - \r\n";
/// The W3C WebDriver key naming an element in JSON.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver, killed when dropped, even when the test fails.
pub(crate) struct Driver {
    child: Child,
    port: u16,
    profile: tempfile::TempDir,
}

impl Driver {
    pub(crate) fn start() -> anyhow::Result<Driver> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let profile = tempfile::tempdir()?;
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("start chromedriver")?;
        let driver = Driver { child, port, profile };
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            ensure!(Instant::now() < deadline, "chromedriver did not listen on port {port} within 15 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }

    /// Opens a browser session. fantoccini 0.21's own client is not used: its rustls connector panics
    /// in this workspace (rustls finds both the ring and aws-lc-rs providers and picks neither), so the
    /// session is driven over plain HTTP with reqwest, in the W3C WebDriver protocol fantoccini speaks.
    pub(crate) async fn connect(&self) -> anyhow::Result<Browser> {
        let profile = self.profile.path().display().to_string();
        let mut args: Vec<String> = [
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
        .collect();
        args.push(format!("--user-data-dir={profile}"));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"args": args, "binary": CHROMIUM},
            "goog:loggingPrefs": {"browser": "ALL"},
        }}});
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?;
        let root = format!("http://127.0.0.1:{}", self.port);
        let res = http.post(format!("{root}/session")).json(&caps).send().await.context("open a chromedriver session")?;
        let body: Value = res.json().await?;
        let id = body["value"]["sessionId"].as_str().ok_or_else(|| anyhow!("no session: {body}"))?;
        Ok(Browser { http, session: format!("{root}/session/{id}") })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Only chromedriver, by its own handle: closing the session has already ended the browser, and a
        // browser left behind by a failed close exits when chromedriver's pipe to it closes.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One WebDriver session.
pub(crate) struct Browser {
    http: reqwest::Client,
    session: String,
}

/// An element of the page, by its WebDriver id.
#[derive(Clone)]
pub(crate) struct El(String);

impl Browser {
    pub(crate) async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let mut req = self.http.request(method.clone(), format!("{}{path}", self.session));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.with_context(|| format!("{method} {path}"))?;
        let ok = res.status().is_success();
        let body: Value = res.json().await.with_context(|| format!("{method} {path}: not JSON"))?;
        if !ok {
            bail!(
                "{method} {path}: {} ({})",
                body["value"]["error"],
                body["value"]["message"].as_str().unwrap_or_default().lines().next().unwrap_or_default()
            );
        }
        Ok(body["value"].clone())
    }

    pub(crate) async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    pub(crate) async fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.post("/url", json!({"url": url})).await.map(drop)
    }

    pub(crate) async fn path(&self) -> anyhow::Result<String> {
        let url = self.get("/url").await?;
        let url = url.as_str().unwrap_or_default();
        Ok(reqwest::Url::parse(url)?.path().to_owned())
    }

    pub(crate) fn element(v: &Value) -> anyhow::Result<El> {
        v[ELEMENT].as_str().map(|s| El(s.to_owned())).ok_or_else(|| anyhow!("not an element: {v}"))
    }

    pub(crate) async fn find(&self, css: &str) -> anyhow::Result<El> {
        Self::element(&self.post("/element", json!({"using": "css selector", "value": css})).await?)
    }

    pub(crate) async fn find_all(&self, css: &str) -> anyhow::Result<Vec<El>> {
        let v = self.post("/elements", json!({"using": "css selector", "value": css})).await?;
        v.as_array().into_iter().flatten().map(Self::element).collect()
    }

    pub(crate) async fn find_xpath(&self, xpath: &str) -> anyhow::Result<El> {
        Self::element(&self.post("/element", json!({"using": "xpath", "value": xpath})).await?)
    }

    pub(crate) async fn active(&self) -> anyhow::Result<El> {
        Self::element(&self.get("/element/active").await?)
    }

    pub(crate) async fn text(&self, el: &El) -> anyhow::Result<String> {
        Ok(self.get(&format!("/element/{}/text", el.0)).await?.as_str().unwrap_or_default().to_owned())
    }

    pub(crate) async fn attr(&self, el: &El, name: &str) -> anyhow::Result<Option<String>> {
        Ok(self.get(&format!("/element/{}/attribute/{name}", el.0)).await?.as_str().map(str::to_owned))
    }

    pub(crate) async fn value(&self, el: &El) -> anyhow::Result<String> {
        Ok(self.get(&format!("/element/{}/property/value", el.0)).await?.as_str().unwrap_or_default().to_owned())
    }

    pub(crate) async fn clear(&self, el: &El) -> anyhow::Result<()> {
        self.post(&format!("/element/{}/clear", el.0), json!({})).await.map(drop)
    }

    pub(crate) async fn click(&self, el: &El) -> anyhow::Result<()> {
        self.post(&format!("/element/{}/click", el.0), json!({})).await.map(drop)
    }

    pub(crate) async fn send_keys(&self, el: &El, text: &str) -> anyhow::Result<()> {
        self.post(&format!("/element/{}/value", el.0), json!({"text": text})).await.map(drop)
    }

    /// Presses one key on whatever has focus, as a person would.
    pub(crate) async fn press(&self, key: char) -> anyhow::Result<()> {
        let k = key.to_string();
        let actions = json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": k}, {"type": "keyUp", "value": k},
        ]}]});
        self.post("/actions", actions).await.map(drop)
    }

    /// Runs a script in the page and returns what it returns.
    pub(crate) async fn exec(&self, script: &str, args: Vec<Value>) -> anyhow::Result<Value> {
        self.post("/execute/sync", json!({"script": script, "args": args})).await
    }

    pub(crate) async fn screenshot(&self) -> anyhow::Result<Vec<u8>> {
        let b64 = self.get("/screenshot").await?;
        Ok(base64::engine::general_purpose::STANDARD.decode(b64.as_str().unwrap_or_default())?)
    }

    /// Errors the page logged (script errors, CSP violations), leaving out failed requests, which
    /// the UI expects and handles (a 401 before signing in, a wrong password).
    pub(crate) async fn page_errors(&self) -> anyhow::Result<Vec<String>> {
        let log = self.post("/se/log", json!({"type": "browser"})).await?;
        Ok(log
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .filter_map(|e| e["message"].as_str())
            .filter(|m| !m.contains("Failed to load resource"))
            .map(str::to_owned)
            .collect())
    }

    /// Makes the page see `prefers-color-scheme: dark`, as on a computer set to the dark theme.
    pub(crate) async fn dark(&self) -> anyhow::Result<()> {
        let params = json!({"features": [{"name": "prefers-color-scheme", "value": "dark"}]});
        self.post("/goog/cdp/execute", json!({"cmd": "Emulation.setEmulatedMedia", "params": params})).await.map(drop)
    }

    pub(crate) async fn resize(&self, width: u32, height: u32) -> anyhow::Result<()> {
        self.post("/window/rect", json!({"width": width, "height": height})).await.map(drop)
    }

    pub(crate) async fn close(&self) -> anyhow::Result<()> {
        self.call(reqwest::Method::DELETE, "", None).await.map(drop)
    }
}

pub(crate) type Client = Browser;

/// Runs one browser journey on a fresh SQLite server: skips loudly without chromedriver (and fails under
/// CI=true), stops the journey after `seconds`, and on failure saves `<name>-failure.png` and panics with
/// the cause.
pub(crate) async fn run_journey(name: &str, seconds: u64, journey: impl AsyncFnOnce(&TestApp, &Client) -> anyhow::Result<()>) {
    if !Path::new(CHROMEDRIVER).exists() {
        assert!(!in_ci(), "CI=true but {CHROMEDRIVER} is missing: install chromium and chromium-driver");
        eprintln!("\n*** SKIPPED browser test ({name}): install chromium and chromium-driver ***\n");
        return;
    }
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    let failure = format!("{name}-failure");
    // A picture from an earlier failed run must not be mistaken for this one's.
    let _ = std::fs::remove_file(screenshot_dir().join(format!("{failure}.png")));
    let driver = Driver::start().expect("start chromedriver");
    let browser = driver.connect().await.expect("connect to chromedriver");
    let outcome = tokio::time::timeout(Duration::from_secs(seconds), journey(&app, &browser)).await;
    if !matches!(outcome, Ok(Ok(()))) {
        let _ = shot(&browser, &failure).await;
        eprintln!("page errors: {:#?}", browser.page_errors().await);
    }
    let _ = browser.close().await;
    drop(driver);
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("{name} journey failed: {e:#} (see target/test-output/screenshots/{failure}.png)"),
        Err(_) => panic!("{name} journey took longer than {seconds} s (see target/test-output/screenshots/{failure}.png)"),
    }
}

pub(crate) fn screenshot_dir() -> PathBuf {
    repo_root().join("target").join("test-output").join("screenshots")
}

pub(crate) async fn shot(c: &Client, name: &str) -> anyhow::Result<()> {
    // Let focus rings and transitions settle so the picture shows the page as a person sees it.
    tokio::time::sleep(Duration::from_millis(150)).await;
    // A value the page forgot to leave out shows up as the word itself: never on a page.
    let text = c.exec("return document.body.innerText;", vec![]).await?;
    let stray = text
        .as_str()
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .find(|l| matches!(*l, "null" | "undefined" | "NaN" | "[object Object]"))
        .map(str::to_owned);
    ensure!(stray.is_none(), "page {name} shows a stray {stray:?}");
    let png = c.screenshot().await?;
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(format!("{name}.png")), png)?;
    Ok(())
}

/// Waits for an element matching `css`.
pub(crate) async fn wait_css(c: &Client, css: &str) -> anyhow::Result<El> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match c.find(css).await {
            Ok(el) => return Ok(el),
            Err(e) if Instant::now() > deadline => return Err(e.context(format!("waiting for {css}"))),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Waits until the text of the element matching `css` satisfies `ok`, and returns it.
pub(crate) async fn wait_text(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> anyhow::Result<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last = String::from("(no such element)");
    loop {
        if let Ok(el) = c.find(css).await
            && let Ok(t) = c.text(&el).await
        {
            if ok(&t) {
                return Ok(t);
            }
            last = t;
        }
        ensure!(Instant::now() < deadline, "{css} never showed the expected text; last seen: {last:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) async fn text_of(c: &Client, css: &str) -> anyhow::Result<String> {
    let el = c.find(css).await?;
    c.text(&el).await
}

/// Types text into the focused element.
pub(crate) async fn type_here(c: &Client, text: &str) -> anyhow::Result<()> {
    let el = c.active().await?;
    c.send_keys(&el, text).await
}

pub(crate) async fn active_id(c: &Client) -> anyhow::Result<String> {
    let el = c.active().await?;
    Ok(c.attr(&el, "id").await?.unwrap_or_default())
}

/// W3C WebDriver key codes for the keys the tests press.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Key {
    Tab,
    Enter,
    Escape,
    Down,
}

/// The character WebDriver reads as `k`.
pub(crate) fn key(k: Key) -> char {
    match k {
        Key::Tab => '\u{E004}',
        Key::Enter => '\u{E007}',
        Key::Escape => '\u{E00C}',
        Key::Down => '\u{E015}',
    }
}

pub(crate) fn number(text: &str) -> anyhow::Result<u64> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits.parse().with_context(|| format!("not a number: {text:?}"))
}

async fn counts(app: &TestApp, token: &str) -> Value {
    let (status, review) = app.get("/api/reviews/qes", token).await;
    assert_eq!(status, 200, "{review}");
    review["counts"].clone()
}

async fn follow_nav(c: &Client, name: &str) -> anyhow::Result<()> {
    let link = c.find_xpath(&format!("//nav[@id='review-nav']/a[normalize-space()='{name}']")).await?;
    c.click(&link).await?;
    wait_text(c, "#crumbs .page", |t| t == name).await?;
    Ok(())
}

/// Imports `file` on the Import page as `database` on `platform`, after its preview; returns the
/// result's numbers and, under `preview`, what the preview said and filled in.
async fn import(c: &Client, file: &Path, database: &str, platform: &str) -> anyhow::Result<Value> {
    let input = wait_css(c, "input#file").await?;
    c.send_keys(&input, &file.display().to_string()).await?;
    wait_text(c, "#chosen", |t| t.starts_with("Chosen:")).await?;
    let said = wait_text(c, "#import-preview[data-importable=true] h2", |t| !t.is_empty()).await?;
    let name = c.find("input[name=database_name]").await?;
    let plat = c.find("input[name=platform]").await?;
    let preview = json!({"said": said, "database_name": c.value(&name).await?, "platform": c.value(&plat).await?});
    c.clear(&name).await?;
    c.send_keys(&name, database).await?;
    c.clear(&plat).await?;
    if !platform.is_empty() {
        c.send_keys(&plat, platform).await?;
    }
    c.send_keys(&c.find("textarea[name=query]").await?, "peer support AND homelessness").await?;
    c.click(&c.find("#import-submit").await?).await?;
    let result = wait_css(c, "#import-result").await?;
    let state = c.attr(&result, "data-state").await?.unwrap_or_default();
    let text = c.text(&result).await?;
    ensure!(state == "done", "the import of {} did not finish: {text}", file.display());
    let mut out = serde_json::Map::new();
    out.insert("preview".to_owned(), preview);
    for k in ["records", "warnings", "duplicates_merged", "duplicates_queued"] {
        let t = text_of(c, &format!("#import-result [data-result={k}]")).await?;
        out.insert(k.to_owned(), json!(number(&t)?));
    }
    Ok(Value::Object(out))
}

async fn journey(app: &TestApp, c: &Client, token: &str) -> anyhow::Result<()> {
    // Sign in by keyboard: a wrong password first shows the sentence, then the right one gets in.
    c.goto(&app.url("/reviews/qes")).await?;
    wait_css(c, "form #email").await?;
    ensure!(c.path().await? == "/signin", "a signed-out visit must land on sign-in");
    ensure!(active_id(c).await? == "email", "the email field must have focus");
    type_here(c, "lead@example.org").await?;
    type_here(c, &key(Key::Tab).to_string()).await?;
    ensure!(active_id(c).await? == "password", "Tab must reach the password");
    type_here(c, &format!("not the password{}", key(Key::Enter))).await?;
    let error = wait_text(c, "#signin-error", |t| !t.is_empty()).await?;
    ensure!(error.contains("email or password is wrong"), "{error}");
    shot(c, "signin").await?;
    ensure!(active_id(c).await? == "password", "focus must return to the password");
    type_here(c, &format!("{PW}{}", key(Key::Enter))).await?;

    // The sign-in came back to the review asked for: its dashboard, before any import.
    wait_text(c, "main h1", |t| t == "Review qes").await?;
    wait_css(c, "[data-count=records_imported]").await?;
    ensure!(c.path().await? == "/reviews/qes");
    shot(c, "dashboard-empty").await?;

    // My reviews lists the review with my role.
    c.click(&c.find("#crumbs .brand").await?).await?;
    let item = wait_text(c, "#reviews li[data-slug=qes]", |t| t.contains("Review qes")).await?;
    ensure!(item.contains("lead"), "{item}");
    shot(c, "reviews").await?;
    c.click(&c.find("#reviews a[href='/reviews/qes']").await?).await?;
    wait_text(c, "main h1", |t| t == "Review qes").await?;

    // Import two files through the Import page.
    follow_nav(c, "Import").await?;
    shot(c, "import").await?;
    let fixtures = repo_root().join("fixtures").join("demo");
    let cinahl = import(c, &fixtures.join("cinahl.ris"), "CINAHL", "EBSCOhost").await?;
    ensure!(cinahl["records"] == 25, "CINAHL: {cinahl}");
    // Before anything was stored, the preview said what sift detected and filled in the source.
    let p = &cinahl["preview"];
    ensure!(p["said"] == "RIS from EBSCOhost (CINAHL Ultimate): 25 records, no warnings", "{p}");
    ensure!(p["database_name"] == "CINAHL Ultimate" && p["platform"] == "EBSCOhost", "the preview must fill in the source: {p}");
    shot(c, "import-cinahl").await?;
    let scopus = import(c, &fixtures.join("scopus.csv"), "Scopus", "Elsevier").await?;
    ensure!(scopus["records"] == 20, "Scopus: {scopus}");
    let found = scopus["duplicates_merged"].as_u64().unwrap_or(0) + scopus["duplicates_queued"].as_u64().unwrap_or(0);
    ensure!(found > 0, "the Scopus import must find duplicates of CINAHL records: {scopus}");
    shot(c, "import-scopus").await?;
    // MEDLINE overlaps both, and some of its copies need a person (e.g. a copy without a DOI).
    let medline = import(c, &fixtures.join("medline.xml"), "MEDLINE", "PubMed").await?;
    ensure!(medline["records"] == 25, "MEDLINE: {medline}");
    ensure!(medline["preview"]["said"] == "PubMed XML from PubMed: 25 records, no warnings", "{medline}");
    // The same file again: the preview says it was imported already, before anything is stored.
    c.send_keys(&wait_css(c, "input#file").await?, &fixtures.join("cinahl.ris").display().to_string()).await?;
    let already = wait_text(c, "#preview-already", |t| !t.is_empty()).await?;
    ensure!(already.contains("imported already") && already.contains("“CINAHL”"), "{already}");
    c.exec("document.getElementById('import-preview').scrollIntoView();", vec![]).await?;
    shot(c, "import-preview-again").await?;
    // A file that is not a supported export stores nothing, names the line, and keeps the form.
    let dir = tempfile::tempdir()?;
    let bad = dir.path().join("notes.txt");
    std::fs::write(&bad, "%0 Journal Article\n%T Not a supported export\n%A Smith, J\n")?;
    c.send_keys(&wait_css(c, "input#file").await?, &bad.display().to_string()).await?;
    // The preview says so at once, with the line.
    let refused = wait_text(c, "#import-preview[data-importable=false]", |t| !t.is_empty()).await?;
    ensure!(refused.contains("notes.txt would not be imported") && refused.contains("line 1: "), "preview of a bad file: {refused}");
    let name = c.find("input[name=database_name]").await?;
    ensure!(c.value(&name).await?.is_empty(), "what the last file's preview filled in must go with it");
    c.exec("document.getElementById('import-preview').scrollIntoView();", vec![]).await?;
    shot(c, "import-preview-refused").await?;
    c.send_keys(&name, "EndNote").await?;
    c.click(&c.find("#import-submit").await?).await?;
    let failed = wait_text(c, "#import-result[data-state=failed]", |t| !t.is_empty()).await?;
    ensure!(failed.contains("Nothing was imported") && failed.contains("line 1: "), "failed import: {failed}");
    let name = c.find("input[name=database_name]").await?;
    ensure!(c.value(&name).await? == "EndNote", "the form must keep what was typed after a failed import");
    shot(c, "import-failed").await?;
    // A preview fills in only what the person has not typed.
    c.send_keys(&wait_css(c, "input#file").await?, &fixtures.join("cinahl.ris").display().to_string()).await?;
    wait_css(c, "#import-preview[data-importable=true]").await?;
    ensure!(c.value(&name).await? == "EndNote", "a preview must not overwrite a typed name");
    ensure!(c.value(&c.find("input[name=platform]").await?).await? == "EBSCOhost", "an empty platform is filled in");
    c.clear(&name).await?;

    // The demo files deduplicate without help, so a hand-searched copy of CINAHL C0011 (a typo in the
    // title, a year later, no volume, pages or DOI) gives a pair only a person can judge.
    let hand = dir.path().join("handsearch.ris");
    std::fs::write(&hand, HANDSEARCH)?;
    c.click(&wait_css(c, "select[name=kind] option[value=citation_searching]").await?).await?;
    let handsearch = import(c, &hand, "Hand searching", "").await?;
    ensure!(handsearch["records"] == 1 && handsearch["duplicates_queued"] == 1, "hand search: {handsearch}");
    shot(c, "import-handsearch").await?;

    // Duplicates: the counter agrees with the API; M merges the pair and U undoes it.
    let before = counts(app, token).await;
    let pending = before["duplicates_pending"].as_u64().unwrap();
    follow_nav(c, "Duplicates").await?;
    let counter = wait_css(c, "#dup-counter[data-total]").await?;
    let total = c.attr(&counter, "data-total").await?.unwrap_or_default();
    ensure!(number(&total)? == pending, "counter total {total} vs API pending {pending}");
    shot(c, "duplicates").await?;
    c.press('?').await?;
    wait_text(c, "#help-keys", |t| t.contains("Merge")).await?;
    shot(c, "duplicates-shortcuts").await?;
    c.press(key(Key::Escape)).await?;
    wait_text(c, "#help-keys", str::is_empty).await.ok();
    if pending > 0 {
        let first = wait_text(c, "#dup-counter", |t| !t.is_empty()).await?;
        ensure!(first == format!("1 of {pending}"), "counter before judging: {first}");
        ensure!(!c.find_all("#compare tbody tr").await?.is_empty(), "the pair must be shown side by side");
        wait_text(c, "#evidence", |t| t.starts_with("Engine:")).await?;
        c.press('m').await?;
        wait_text(c, "#toast", |t| t == "Merged · U to undo").await?;
        let after_merge = if pending > 1 { format!("2 of {pending}") } else { format!("All {pending} judged") };
        wait_text(c, "#dup-counter", |t| t == after_merge).await?;
        let merged = counts(app, token).await;
        ensure!(merged["duplicates_pending"] == pending - 1, "pending after M: {merged}");
        let removed = before["duplicates_removed"].as_u64().unwrap();
        ensure!(merged["duplicates_removed"] == removed + 1, "removed after M: {merged} vs {before}");
        shot(c, "duplicates-merged").await?;
        c.press('u').await?;
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
    c.press('j').await?;
    ensure!(active_id(c).await?.starts_with("record-"), "J must focus a record");
    c.press(key(Key::Enter)).await?;
    wait_text(c, "#record-detail h2", |t| !t.is_empty()).await?;
    wait_text(c, "#record-detail", |t| t.contains("Duplicates merged into this record")).await?;
    shot(c, "records").await?;
    // /: find records by words; Lennox 2021 came in all three files and is one record.
    c.press(key(Key::Escape)).await?;
    c.press('/').await?;
    ensure!(active_id(c).await? == "records-q", "/ must focus the records search");
    type_here(c, &format!("lennox BRIDGE{}", key(Key::Enter))).await?;
    wait_text(c, "#records-found", |t| t == "1 record matches “lennox BRIDGE”.").await?;
    let found = text_of(c, "#record-list").await?;
    ensure!(found.contains("Peer support workers as a bridge") && found.lines().filter(|l| l.contains("Lennox")).count() == 1, "{found}");
    shot(c, "records-search").await?;
    c.click(&c.find("#records-clear").await?).await?;
    // All records again (the search's own range was "Records 1–1 of 1").
    wait_text(c, "#records-range", |t| t.starts_with("Records 1–") && !t.ends_with(" of 1")).await?;
    ensure!(c.find("#records-found").await.is_err(), "the search's count must go with it");

    // Members: an unknown email is refused next to the field, an account is added as a reviewer.
    follow_nav(c, "Members").await?;
    wait_text(c, "#members", |t| t.contains("lead@example.org")).await?;
    let email = c.find("form input[name=email]").await?;
    c.send_keys(&email, &format!("nobody@example.org{}", key(Key::Enter))).await?;
    let refusal = wait_text(c, "form [data-field=email] .field-error", |t| !t.is_empty()).await?;
    ensure!(refusal.contains("No account uses nobody@example.org"), "{refusal}");
    ensure!(c.value(&email).await? == "nobody@example.org", "the email typed must stay");
    c.clear(&email).await?;
    c.send_keys(&email, &format!("reviewer@example.org{}", key(Key::Enter))).await?;
    wait_text(c, "#members", |t| t.contains("reviewer@example.org")).await?;
    shot(c, "members").await?;

    // The dashboard shows exactly the API's numbers.
    follow_nav(c, "Dashboard").await?;
    wait_css(c, "#sources").await?;
    let api = counts(app, token).await;
    for k in ["records_imported", "duplicates_removed", "records", "duplicates_pending"] {
        let shown = text_of(c, &format!("[data-count={k}]")).await?;
        ensure!(json!(number(&shown)?) == api[k], "dashboard {k} shows {shown}, the API says {}", api[k]);
    }
    let total = text_of(c, "#sources-total").await?;
    ensure!(json!(number(&total)?) == api["records_imported"], "sources total {total} vs {}", api["records_imported"]);
    shot(c, "dashboard").await?;

    // The dark theme, and a tablet held upright.
    c.dark().await?;
    shot(c, "dashboard-dark").await?;
    c.resize(820, 1180).await?;
    follow_nav(c, "Duplicates").await?;
    shot(c, "duplicates-tablet-dark").await?;
    follow_nav(c, "Records").await?;
    wait_css(c, "#record-list .record-row").await?;
    c.press('j').await?;
    c.press(key(Key::Enter)).await?;
    wait_text(c, "#record-detail h2", |t| !t.is_empty()).await?;
    shot(c, "records-tablet-dark").await?;
    let errors = c.page_errors().await?;
    ensure!(errors.is_empty(), "the pages logged errors: {errors:#?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lead_imports_judges_duplicates_and_sees_the_numbers() {
    run_journey("lead", 90, async |app: &TestApp, c: &Client| {
        let lead = app.user("lead@example.org", PW, false).await;
        app.review("qes", lead).await;
        app.user("reviewer@example.org", PW, false).await;
        let token = app.login("lead@example.org", PW).await;
        journey(app, c, &token).await
    })
    .await;
}
