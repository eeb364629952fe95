//! Importing files through HTTP: search sources, all-or-nothing, progress.

use super::*;

const PW: &str = "correct horse battery";

async fn setup(app: &TestApp) -> String {
    let lead = app.user("lead@example.org", PW, false).await;
    app.review("qes", lead).await;
    app.login("lead@example.org", PW).await
}

db_test!(import_records_a_search_source, |app| {
    let token = setup(&app).await;
    let bytes = fixture("demo/cinahl.ris");
    let (status, job) = app.import("qes", &token, "cinahl.ris", bytes.clone(), "CINAHL").await;
    assert_eq!(status, 200, "{job}");
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["result"]["records"], 25);
    assert_eq!(job["result"]["format"], "ris");
    let (_, sources) = app.get("/api/reviews/qes/sources", &token).await;
    let s = &sources[0];
    assert_eq!(s["name"], "CINAHL");
    assert_eq!(s["kind"], "database");
    assert_eq!(s["searched_on"], "2024-03-12");
    assert_eq!(s["query"], "peer support AND homelessness");
    assert_eq!(s["file_name"], "cinahl.ris");
    assert_eq!(s["records_found"], 25);
    use sha2::Digest;
    assert_eq!(s["sha256"], hex::encode(sha2::Sha256::digest(&bytes)));
    let (_, page) = app.get("/api/reviews/qes/records?limit=5", &token).await;
    assert_eq!(page["records"].as_array().unwrap().len(), 5);
    let first = &page["records"][0];
    assert_eq!(first["source_record_id"], "C0001");
    assert!(first["doi"].as_str().is_some(), "EBSCO's L3 DOI must be read: {first}");
});

db_test!(bad_file_stores_nothing_and_names_the_line, |app| {
    let token = setup(&app).await;
    let (status, job) =
        app.import("qes", &token, "notes.txt", b"%0 Journal Article\n%T Not a supported export\n%A Smith, J\n".to_vec(), "EndNote").await;
    assert_eq!(status, 200);
    assert_eq!(job["state"], "failed", "{job}");
    let diags = job["result"]["diagnostics"].as_array().unwrap();
    assert!(diags.iter().any(|d| d["severity"] == "error" && d["line"].as_u64().is_some()), "{job}");
    assert!(job["result"]["error"].as_str().unwrap().contains("nothing was imported"));
    let (_, sources) = app.get("/api/reviews/qes/sources", &token).await;
    assert_eq!(sources.as_array().unwrap().len(), 0, "a failed import must leave no source");
    let (_, review) = app.get("/api/reviews/qes", &token).await;
    assert_eq!(review["counts"]["records_imported"], 0);
});

db_test!(import_form_is_validated, |app| {
    let token = setup(&app).await;
    let form = reqwest::multipart::Form::new().text("searched_on", "12/03/2024").text("format", "docx");
    let res = app.client.post(app.url("/api/reviews/qes/imports")).bearer_auth(&token).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["file", "database_name", "searched_on", "format"]);
});

db_test!(import_job_can_be_followed, |app| {
    let token = setup(&app).await;
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(fixture("demo/medline.xml")).file_name("medline.xml"))
        .text("database_name", "MEDLINE");
    let res = app.client.post(app.url("/api/reviews/qes/imports")).bearer_auth(&token).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 202);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let mut job = serde_json::Value::Null;
    for _ in 0..200 {
        let (status, j) = app.get(&location, &token).await;
        assert_eq!(status, 200);
        job = j;
        if job["state"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["result"]["records"], 25);
    assert_eq!(job["result"]["format"], "pubmed-xml");
});

db_test!(jobs_left_running_by_a_stopped_server_are_failed_on_start, |app| {
    let token = setup(&app).await;
    let review = store::reviews::by_slug(&app.store.db, "qes").await.unwrap().unwrap();
    let hour_ago = server::time::now_ms() - 3_600_000;
    store::jobs::create(&app.store.db, "stale-job", review.id, "import", None, hour_ago).await.unwrap();
    store::jobs::create(&app.store.db, "fresh-job", review.id, "import", None, server::time::now_ms()).await.unwrap();
    // Another server starting on the same database notices the stale one only.
    let b = app.sibling().await;
    let (_, stale) = b.get("/api/reviews/qes/jobs/stale-job", &token).await;
    assert_eq!(stale["state"], "failed", "{stale}");
    assert!(stale["result"]["error"].as_str().unwrap().contains("Import the file again"));
    let (_, fresh) = b.get("/api/reviews/qes/jobs/fresh-job", &token).await;
    assert_eq!(fresh["state"], "running");
});

/// `POST .../imports/preview` with `file_name` and `bytes` (and a forced `format`), as `token`.
async fn preview(app: &TestApp, token: &str, file_name: &str, bytes: Vec<u8>, format: Option<&str>) -> (u16, serde_json::Value) {
    let mut form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()));
    if let Some(f) = format {
        form = form.text("format", f.to_owned());
    }
    let res = app.client.post(app.url("/api/reviews/qes/imports/preview")).bearer_auth(token).multipart(form).send().await.unwrap();
    status_json(res).await
}

db_test!(a_preview_says_what_a_file_holds_and_stores_nothing, |app| {
    let token = setup(&app).await;
    let bytes = fixture("demo/cinahl.ris");
    let (status, p) = preview(&app, &token, "cinahl.ris", bytes.clone(), None).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["format"], "ris");
    assert_eq!(p["format_label"], "RIS");
    assert_eq!(p["records"], 25);
    assert_eq!(p["errors"], 0);
    assert_eq!(p["importable"], true);
    assert_eq!(p["database"], "CINAHL Ultimate");
    assert_eq!(p["platform"], "EBSCOhost");
    assert_eq!(p["origin"], "EBSCOhost (CINAHL Ultimate)");
    assert_eq!(p["with_doi"], 24, "EBSCO's L3 DOIs (one record has none): {p}");
    assert_eq!(p["with_abstract"], 25);
    assert_eq!((p["year_from"].as_i64(), p["year_to"].as_i64()), (Some(2019), Some(2024)));
    assert_eq!(p["sample"].as_array().unwrap().len(), 3);
    assert!(p["sample"][0]["title"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
    assert_eq!(p["already_imported"], serde_json::Value::Null);
    // Nothing was stored.
    let (_, sources) = app.get("/api/reviews/qes/sources", &token).await;
    assert_eq!(sources.as_array().unwrap().len(), 0, "{sources}");
    let (_, review) = app.get("/api/reviews/qes", &token).await;
    assert_eq!(review["counts"]["records_imported"], 0);

    // Once imported, the same file is recognised.
    let (_, job) = app.import("qes", &token, "cinahl.ris", bytes.clone(), "CINAHL").await;
    assert_eq!(job["state"], "done", "{job}");
    let (_, again) = preview(&app, &token, "renamed.ris", bytes, None).await;
    assert_eq!(again["already_imported"]["name"], "CINAHL", "{again}");
    assert_eq!(again["already_imported"]["file_name"], "cinahl.ris", "{again}");

    // A file that would be refused says why, line by line, before the form is filled in.
    let (status, bad) = preview(&app, &token, "notes.enw", fixture("import/reject/endnote-tagged.enw"), None).await;
    assert_eq!(status, 200, "{bad}");
    assert_eq!(bad["importable"], false);
    assert_eq!(bad["format"], serde_json::Value::Null);
    assert!(bad["errors"].as_u64().unwrap() >= 1, "{bad}");
    assert!(bad["diagnostics"].as_array().unwrap().iter().any(|d| d["severity"] == "error" && d["line"] == 1), "{bad}");
    // A forced format is read as that format: PubMed XML read as RIS holds no records.
    let (_, forced) = preview(&app, &token, "medline.xml", fixture("demo/medline.xml"), Some("ris")).await;
    assert_eq!(forced["format"], "ris", "{forced}");
    assert_eq!(forced["importable"], false, "{forced}");
    let (_, detected) = preview(&app, &token, "medline.xml", fixture("demo/medline.xml"), None).await;
    assert_eq!(
        (detected["format"].as_str(), detected["database"].as_str(), detected["records"].as_u64()),
        (Some("pubmed-xml"), Some("PubMed"), Some(25))
    );
    // No file, or a format that is not one: field errors.
    let (status, problem) = preview(&app, &token, "empty.ris", Vec::new(), None).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "file");
    let (status, problem) = preview(&app, &token, "x.ris", b"TY  - JOUR\nER  - \n".to_vec(), Some("docx")).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "format");
});

db_test!(records_can_be_searched_by_words_and_merged_copies_are_not_found_twice, |app| {
    let token = setup(&app).await;
    for (file, name) in [("demo/cinahl.ris", "CINAHL"), ("demo/medline.xml", "MEDLINE")] {
        let (_, job) = app.import("qes", &token, file, fixture(file), name).await;
        assert_eq!(job["state"], "done", "{job}");
    }
    let (_, all) = app.get("/api/reviews/qes/records?limit=500", &token).await;
    let records = all["records"].as_array().unwrap().clone();
    let search = |q: String| {
        let (app, token) = (&app, &token);
        async move {
            let (s, page) = app.get(&format!("/api/reviews/qes/records?limit=500&q={q}"), token).await;
            assert_eq!(s, 200, "{page}");
            let ids: Vec<i64> = page["records"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
            assert_eq!(page["total"].as_u64().unwrap() as usize, ids.len(), "{page}");
            ids
        }
    };
    // Lennox 2021 is in both files; its copies were merged, so it is found once.
    let found = search("BRIDGE%20lennox%202021".into()).await;
    assert_eq!(found.len(), 1, "{found:?}");
    let lennox = records.iter().find(|r| r["id"] == found[0]).unwrap();
    assert!(lennox["title"].as_str().unwrap().starts_with("Peer support workers as a bridge"), "{lennox}");
    // Accents and apostrophes folded: "O’Shea" is found as oshea or O'Shea.
    assert_eq!(search("o'shea".into()).await, found);
    assert_eq!(search("OSHEA%20bridge".into()).await, found);
    // A word found in some titles: exactly the records whose citation has it.
    let word = "qualitative";
    let expect: Vec<i64> = records
        .iter()
        .filter(|r| format!("{} {} {}", r["title"], r["journal"], r["authors"]).to_lowercase().contains(word))
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert!(expect.len() > 1, "{expect:?}");
    assert_eq!(search(word.into()).await, expect);
    // Paged like the unsearched list.
    let (_, second) = app.get(&format!("/api/reviews/qes/records?q={word}&offset=1&limit=1"), &token).await;
    assert_eq!(second["records"][0]["id"], expect[1], "{second}");
    assert_eq!(second["total"], expect.len(), "{second}");
    assert_eq!(search("zzqx%20unfindable".into()).await, Vec::<i64>::new());
    // Blank text is no search.
    let (_, blank) = app.get("/api/reviews/qes/records?q=%20%20", &token).await;
    assert_eq!(blank["total"], all["total"]);
});
