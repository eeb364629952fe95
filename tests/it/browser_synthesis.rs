//! Thematic synthesis in a real browser: a reviewer takes a participant quote (with an accented word
//! and an emoji) from an included study, codes words after the emoji with a new code and words before
//! it with the digit key, and the API stores code-point offsets; the code goes into a descriptive
//! theme and that into an analytical theme with a memo; the matrix shows the study's extract and opens
//! it; a CERQual finding is assessed (a missing explanation refused first) and the Summary of
//! Qualitative Findings table on the page carries it. Screenshots go to `target/test-output/screenshots/`.

use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, ensure};
use serde_json::{Value, json};

use super::browser::{Client, run_journey, shot, text_of, wait_css, wait_text};
use super::browser_screening::sign_in;
use super::screening::{PDF, next, team, vote};
use super::*;

const QUOTE_START: &str = "Having a peer worker who’d been through it — café talks ";
const EMOJI: &str = "🙂";
const QUOTE_END: &str = " — made me trust them.";
/// Words after the emoji: their UTF-16 offsets are one more than their code-point offsets.
const AFTER: &str = "made me trust them";
/// Words with an accent, before the emoji.
const BEFORE: &str = "café talks";
const CODE: &str = "Shared experience builds trust";
/// Words overlapping `BEFORE` ("café" is in both), coded with a second code.
const OVERLAP: &str = "been through it — café";
const SECOND_CODE: &str = "Lived experience";
const DESCRIPTIVE: &str = "Trust through lived experience";
const ANALYTICAL: &str = "Peer workers as bridges";
const MEMO: &str = "Peer workers bridge services and people who distrust them because they have lived it.";
const FINDING: &str = "People trusted services more when peer workers with lived experience were there to talk to.";

/// Selects `words` inside an extract's text with a DOM range, as dragging the mouse would, and tells
/// the page (mouseup). Walks the text nodes, since codings split the text into marks.
const SELECT_JS: &str = r#"
const [id, words] = arguments;
const el = document.querySelector(`.sx-text[data-extract="${id}"]`);
if (!el) return 'no extract text';
const at = el.textContent.indexOf(words);
if (at < 0) return 'words not found in ' + el.textContent;
const end = at + words.length;
const range = document.createRange();
let seen = 0;
let started = false;
const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  const len = n.data.length;
  if (!started && at < seen + len) { range.setStart(n, at - seen); started = true; }
  if (started && end <= seen + len) { range.setEnd(n, end - seen); break; }
  seen += len;
}
const s = document.getSelection();
s.removeAllRanges();
s.addRange(range);
el.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
return 'ok';
"#;

/// The code-point span of `words` in `text`, as the API counts.
fn code_points(text: &str, words: &str) -> anyhow::Result<(i64, i64)> {
    let byte = text.find(words).ok_or_else(|| anyhow!("{words:?} not in {text:?}"))?;
    let start = text[..byte].chars().count();
    Ok((i64::try_from(start)?, i64::try_from(start + words.chars().count())?))
}

/// Polls the API until `pick` finds something in the answer to GET `path`.
async fn until<T>(app: &TestApp, token: &str, path: &str, pick: impl Fn(&Value) -> Option<T>) -> anyhow::Result<T> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = app.get(path, token).await;
        if status == 200
            && let Some(v) = pick(&body)
        {
            return Ok(v);
        }
        ensure!(Instant::now() < deadline, "GET {path} never showed what was expected; last: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn select_words(c: &Client, extract: i64, words: &str) -> anyhow::Result<()> {
    let r = c.exec(SELECT_JS, vec![json!(extract), json!(words)]).await?;
    ensure!(r == "ok", "selecting {words:?}: {r}");
    wait_text(c, "#sx-selected-text", |t| t.contains(words)).await.context("the page must show the remembered selection")?;
    Ok(())
}

/// Clicks the element matching `css`, finding it again if a redraw replaced it in between (the pages
/// redraw after every change they save).
async fn click(c: &Client, css: &str) -> anyhow::Result<()> {
    let mut last = None;
    for _ in 0..20 {
        match c.find(css).await {
            Ok(el) => match c.click(&el).await {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(e),
            },
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(last.unwrap_or_else(|| anyhow!("no {css}")).context(format!("clicking {css}")))
}

/// The text of the element matching `css`, read again if a redraw replaced it while reading.
async fn read(c: &Client, css: &str) -> anyhow::Result<String> {
    let mut last = None;
    for _ in 0..20 {
        match text_of(c, css).await {
            Ok(t) => return Ok(t),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(last.unwrap_or_else(|| anyhow!("no {css}")).context(format!("reading {css}")))
}

async fn choose(c: &Client, select: &str, value: &str) -> anyhow::Result<()> {
    click(c, &format!("{select} option[value=\"{value}\"]")).await
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
    let item = i64::from(ft.id);
    let (status, overview) = app.get("/api/reviews/qes/synthesis", &t.rev1).await;
    ensure!(status == 200, "{overview}");
    let label = overview["studies"][0]["label"].as_str().ok_or_else(|| anyhow!("no study: {overview}"))?.to_owned();
    ensure!(overview["studies"][0]["item_id"] == item, "{overview}");

    // The Code page: the study is chosen, the navigation says where we are.
    sign_in(c, app, "/reviews/qes/synthesis", "rev1@example.org").await?;
    let text_box = wait_css(c, "#extract-text").await?;
    let nav = read(c, "#review-nav a[aria-current=page]").await?;
    ensure!(nav == "Synthesis", "review nav shows {nav:?}");
    let heading = read(c, "#sx-study-heading").await?;
    ensure!(heading == label, "the study heading is {heading:?}, not {label:?}");
    ensure!(c.find(&format!("#sx-study-{item}[aria-current=page]")).await.is_ok(), "the study list marks the study");

    // Type the quote; chromedriver types only the Basic Multilingual Plane, so the emoji goes in as
    // the keyboard's input method would put it: at the caret.
    c.send_keys(&text_box, QUOTE_START).await?;
    c.exec(
        "const t = document.getElementById('extract-text'); t.setRangeText(arguments[0], t.value.length, t.value.length, 'end'); t.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![json!(EMOJI)],
    )
    .await?;
    c.send_keys(&text_box, QUOTE_END).await?;
    let full = format!("{QUOTE_START}{EMOJI}{QUOTE_END}");
    let typed = c.value(&text_box).await?;
    ensure!(typed == full, "typed {typed:?}");
    click(c, "#extract-kind-quote").await?;
    c.send_keys(&c.find("#extract-page").await?, "7").await?;
    c.send_keys(&c.find("#extract-section").await?, "Findings: trust").await?;
    click(c, "#add-extract").await?;
    wait_css(c, ".sx-extract .sx-text").await?;
    let extract = until(app, &t.rev1, "/api/reviews/qes/synthesis/extracts", |v| v[0]["id"].as_i64()).await?;
    let (_, list) = app.get("/api/reviews/qes/synthesis/extracts", &t.rev1).await;
    ensure!(list[0]["text"] == full.as_str(), "stored {}", list[0]["text"]);
    ensure!(list[0]["kind"] == "participant quote" && list[0]["page"] == 7 && list[0]["section"] == "Findings: trust", "{}", list[0]);
    let count = read(c, &format!("#sx-study-{item} .sx-count")).await?;
    ensure!(count.starts_with('1'), "the study list counts {count:?} extracts");

    // Words after the emoji, coded with a new code in one go.
    select_words(c, extract, AFTER).await?;
    click(c, "#code-as-new").await?;
    c.send_keys(&c.find("#code-as-new").await?, CODE).await?;
    click(c, "#code-as-new-btn").await?;
    wait_text(c, ".sx-codings", |t| t.contains(CODE)).await?;
    let code = until(app, &t.rev1, "/api/reviews/qes/synthesis", |v| {
        v["codes"].as_array()?.iter().find(|c| c["name"] == CODE).and_then(|c| c["id"].as_i64())
    })
    .await?;

    // Words before it (accented), coded by pressing the code's digit.
    select_words(c, extract, BEFORE).await?;
    c.exec("document.activeElement && document.activeElement.blur();", vec![]).await?;
    c.press('1').await?;
    let codings = until(app, &t.rev1, "/api/reviews/qes/synthesis/extracts", |v| {
        let list = v[0]["codings"].as_array()?;
        (list.len() == 2).then(|| list.clone())
    })
    .await?;
    for words in [AFTER, BEFORE] {
        let (start, end) = code_points(&full, words)?;
        ensure!(
            codings.iter().any(|c| c["start"] == start && c["end"] == end && c["code_id"] == code),
            "no coding of {words:?} at code points {start}..{end}: {codings:?}"
        );
    }
    // The test means something only if the emoji makes UTF-16 and code points differ.
    let (after_start, _) = code_points(&full, AFTER)?;
    let utf16_start = full[..full.find(AFTER).unwrap_or_default()].encode_utf16().count();
    ensure!(i64::try_from(utf16_start)? == after_start + 1, "the emoji should count 2 in UTF-16, 1 in code points");
    wait_css(c, ".sx-codings li:nth-child(2)").await?;
    let marks = c.exec("return [...document.querySelectorAll('.sx-text mark.sx-mark')].map((m) => m.textContent);", vec![]).await?;
    ensure!(marks == json!([BEFORE, AFTER]), "the highlights cover {marks}");
    let tip = c.exec("return document.querySelector('.sx-text mark.sx-mark').dataset.tip;", vec![]).await?;
    ensure!(tip.as_str().is_some_and(|t| t.contains(CODE)), "the highlight names the code: {tip}");
    let book = read(c, &format!("#code-{code}")).await?;
    ensure!(book.contains(CODE) && book.contains('2'), "the codebook shows the code and its 2 codings: {book:?}");
    // A second code over words that overlap the first coding: both stay visible on "café".
    select_words(c, extract, OVERLAP).await?;
    click(c, "#code-as-new").await?;
    c.send_keys(&c.find("#code-as-new").await?, SECOND_CODE).await?;
    click(c, "#code-as-new-btn").await?;
    until(app, &t.rev1, "/api/reviews/qes/synthesis/extracts", |v| (v[0]["codings"].as_array()?.len() == 3).then_some(())).await?;
    let both = wait_text(c, ".sx-text mark.sx-mark[data-codings*=' ']", |t| !t.is_empty()).await?;
    ensure!(both == "café", "the overlap of the two codings is {both:?}");
    c.exec("window.scrollTo(0, 0);", vec![]).await?;
    shot(c, "synthesis-code").await?;
    // Focusing a highlight names its codes and coders (as hovering does).
    c.exec("document.querySelector(\".sx-text mark.sx-mark[data-codings*=' ']\").focus();", vec![]).await?;
    let tip = c.exec("const m = document.activeElement; return getComputedStyle(m, '::after').content;", vec![]).await?;
    ensure!(tip.as_str().is_some_and(|t| t.contains(CODE) && t.contains(SECOND_CODE)), "the focused highlight shows {tip}");
    shot(c, "synthesis-code-tip").await?;

    // Themes: a descriptive theme with the code, then an analytical theme with it and a memo.
    click(c, "#sx-nav-themes").await?;
    let name_box = wait_css(c, "#new-theme-name").await?;
    c.send_keys(&name_box, DESCRIPTIVE).await?;
    click(c, "#add-descriptive").await?;
    let desc = until(app, &t.rev1, "/api/reviews/qes/synthesis", |v| {
        v["themes"].as_array()?.iter().find(|t| t["name"] == DESCRIPTIVE && t["kind"] == "descriptive").and_then(|t| t["id"].as_i64())
    })
    .await?;
    wait_css(c, &format!("#theme-{desc}-add")).await?;
    choose(c, &format!("#theme-{desc}-add"), &code.to_string()).await?;
    click(c, &format!("#theme-{desc}-add-btn")).await?;
    wait_text(c, &format!("#theme-{desc} .sx-chips"), |t| t.contains(CODE)).await?;
    let loose = read(c, "#unthemed-codes").await?;
    ensure!(!loose.contains(CODE), "the code is still listed as not in a theme: {loose:?}");

    let name_box = c.find("#new-theme-name").await?;
    c.send_keys(&name_box, ANALYTICAL).await?;
    click(c, "#add-analytical").await?;
    let anal = until(app, &t.rev1, "/api/reviews/qes/synthesis", |v| {
        v["themes"].as_array()?.iter().find(|t| t["name"] == ANALYTICAL && t["kind"] == "analytical").and_then(|t| t["id"].as_i64())
    })
    .await?;
    wait_css(c, &format!("#theme-{anal}-add")).await?;
    choose(c, &format!("#theme-{anal}-add"), &desc.to_string()).await?;
    click(c, &format!("#theme-{anal}-add-btn")).await?;
    wait_text(c, &format!("#theme-{anal} .sx-chips"), |t| t.contains(DESCRIPTIVE)).await?;
    c.send_keys(&c.find(&format!("#theme-{anal}-memo")).await?, MEMO).await?;
    click(c, &format!("#theme-{anal}-memo-save")).await?;
    until(app, &t.rev1, "/api/reviews/qes/synthesis", |v| {
        v["themes"].as_array()?.iter().find(|t| t["id"] == anal && t["memo"] == MEMO && t["members"] == json!([desc])).map(|_| ())
    })
    .await?;

    // The matrix: 1 supporting extract in the study for both themes; a click opens it in place.
    for theme in [desc, anal] {
        wait_text(c, &format!("#matrix td[data-theme=\"{theme}\"][data-study=\"{item}\"]"), |t| t.trim() == "1").await?;
    }
    let header = read(c, "#matrix thead").await?;
    ensure!(header.contains(&label), "the matrix columns are the studies: {header:?}");
    click(c, &format!("#matrix td[data-theme=\"{anal}\"][data-study=\"{item}\"] button")).await?;
    let shown = wait_text(c, "#matrix-detail", |t| t.contains(AFTER)).await?;
    ensure!(shown.contains(ANALYTICAL) && shown.contains(&label), "{shown:?}");
    let marked = c.exec("return [...document.querySelectorAll('#matrix-detail mark')].map((m) => m.textContent);", vec![]).await?;
    ensure!(marked == json!([BEFORE, AFTER]), "the coded words are marked in the opened extract: {marked}");
    c.exec("document.getElementById('sx-matrix-title').scrollIntoView();", vec![]).await?;
    shot(c, "synthesis-themes").await?;
    // Coder agreement between the reviewer (who coded) and the lead (who did not).
    click(c, "#agreement-compare").await?;
    let agreement = wait_text(c, "#agreement tbody", |t| t.contains(CODE)).await?;
    ensure!(agreement.contains(SECOND_CODE), "{agreement:?}");

    // CERQual: a finding for the analytical theme, assessed on the worksheet.
    click(c, "#sx-nav-cerqual").await?;
    let summary_box = wait_css(c, "#new-finding-summary").await?;
    let theme_choice = c.value(&c.find("#new-finding-theme").await?).await?;
    ensure!(theme_choice == anal.to_string(), "the new finding starts on the analytical theme, not {theme_choice:?}");
    c.send_keys(&summary_box, FINDING).await?;
    click(c, "#add-finding").await?;
    let finding = until(app, &t.rev1, "/api/reviews/qes/synthesis/findings", |v| v["findings"][0]["id"].as_i64()).await?;
    let f = format!("#finding-{finding}");
    wait_css(c, &format!("{f}-methodological_limitations")).await?;
    let checked = c.exec(&format!("return document.querySelector('{f}-study-{item}').checked;"), vec![]).await?;
    ensure!(checked == json!(true), "the study supporting the theme contributes by default");
    let appraisal = read(c, &format!("{f}-study-{item}-appraisal")).await?;
    ensure!(!appraisal.is_empty(), "each study says what its appraisal found");

    choose(c, &format!("{f}-methodological_limitations"), "minor").await?;
    c.send_keys(&c.find(&format!("{f}-methodological_limitations-explanation")).await?, "Two studies did not report reflexivity.").await?;
    choose(c, &format!("{f}-coherence"), "no_or_very_minor").await?;
    choose(c, &format!("{f}-adequacy"), "moderate").await?;
    choose(c, &format!("{f}-relevance"), "minor").await?;
    c.send_keys(&c.find(&format!("{f}-relevance-explanation")).await?, "All studies from one country.").await?;
    let hint = read(c, &format!("{f}-suggested")).await?;
    ensure!(hint.contains("Moderate confidence"), "one moderate and two minor concerns suggest moderate: {hint:?}");
    choose(c, &format!("{f}-overall"), "moderate").await?;
    c.send_keys(&c.find(&format!("{f}-explanation")).await?, "Moderate concerns about adequacy; minor about limitations and relevance.")
        .await?;
    // Adequacy has moderate concerns but no explanation yet: the server says so, on the form.
    click(c, &format!("{f}-save")).await?;
    let problem = wait_text(c, &format!("{f}-error"), |t| t.contains("Adequacy")).await?;
    ensure!(problem.contains("explain"), "{problem:?}");
    shot(c, "synthesis-cerqual-problem").await?;
    c.send_keys(&c.find(&format!("{f}-adequacy-explanation")).await?, "Only one study, with thin data.").await?;
    click(c, &format!("{f}-save")).await?;
    let row = wait_text(c, "#soqf tbody", |t| t.contains(FINDING)).await?;
    ensure!(row.contains(&label) && row.contains("Moderate confidence"), "the SoQF table shows {row:?}");
    let (_, saved) = app.get("/api/reviews/qes/synthesis/findings", &t.rev1).await;
    let a = &saved["findings"][0];
    ensure!(
        a["assessed"] == true && a["assessment"]["overall"] == "moderate" && a["theme_id"] == anal && a["studies"] == json!([item]),
        "{a}"
    );
    ensure!(a["suggested_overall"] == "moderate", "the server suggests {}", a["suggested_overall"]);
    let csv = app.client.get(app.url("/api/reviews/qes/synthesis/soqf.csv")).bearer_auth(&t.rev1).send().await?.text().await?;
    ensure!(csv.contains("Moderate confidence") && csv.contains(&label), "{csv}");
    c.exec("document.getElementById('soqf-title').scrollIntoView();", vec![]).await?;
    shot(c, "synthesis-cerqual").await?;

    // The Code page in the dark theme, overlaps and all.
    c.dark().await?;
    click(c, "#sx-nav-code").await?;
    wait_css(c, ".sx-text mark.sx-mark").await?;
    shot(c, "synthesis-code-dark").await?;
    // Renaming a code in place, by keyboard: the codebook and the codings list follow.
    let second = until(app, &t.rev1, "/api/reviews/qes/synthesis", |v| {
        v["codes"].as_array()?.iter().find(|c| c["name"] == SECOND_CODE).and_then(|c| c["id"].as_i64())
    })
    .await?;
    click(c, &format!("#code-{second}-rename")).await?;
    let input = wait_css(c, &format!("#code-{second}-rename-input")).await?;
    c.clear(&input).await?;
    c.send_keys(&input, &format!("Lived experience of peers{}", super::browser::key(super::browser::Key::Enter))).await?;
    wait_text(c, &format!("#code-{second}"), |t| t.contains("Lived experience of peers")).await?;
    wait_text(c, ".sx-codings", |t| t.contains("Lived experience of peers")).await?;
    // Describing it the same way: the description reaches the codebook.
    click(c, &format!("#code-{second}-describe")).await?;
    let input = wait_css(c, &format!("#code-{second}-describe-input")).await?;
    c.send_keys(&input, &format!("Peers' own past of homelessness or drug use{}", super::browser::key(super::browser::Key::Enter))).await?;
    until(app, &t.rev1, "/api/reviews/qes/synthesis", |v| {
        v["codes"]
            .as_array()?
            .iter()
            .find(|c| c["id"] == second && c["description"] == "Peers' own past of homelessness or drug use")
            .map(|_| ())
    })
    .await?;

    let errors = c.page_errors().await?;
    ensure!(errors.is_empty(), "page errors: {errors:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_codes_a_quote_builds_themes_and_assesses_a_finding_in_the_browser() {
    run_journey("synthesis", 150, journey).await;
}
