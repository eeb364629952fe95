//! PRISMA 2020 counts from a review with a known flow, through HTTP: JSON, the PRISMA2020 CSV (read back
//! by sift's own reader) and the SVG diagram.

use serde_json::{Value, json};

use super::screening::{PDF, next, team, vote};
use super::*;

async fn both(app: &TestApp, t: &super::screening::Team, stage: &str, v: Value) -> i64 {
    let item = next(app, &t.rev1, stage, 1).await[0]["id"].as_i64().unwrap();
    vote(app, &t.rev1, item, v.clone()).await;
    let mine = next(app, &t.rev2, stage, 1).await;
    assert_eq!(mine[0]["id"], item, "the second reviewer completes the pair");
    let (_, after) = vote(app, &t.rev2, item, v).await;
    after["record"]["id"].as_i64().unwrap()
}

async fn attach(app: &TestApp, token: &str, record: i64) -> i64 {
    let ft = store::screening::item_for_record(&app.store.db, record as i32, "full_text").await.unwrap().unwrap();
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("r.pdf"));
    let res = app
        .client
        .post(app.url(&format!("/api/reviews/qes/items/{}/file", ft.id)))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    ft.id.into()
}

db_test!(prisma_counts_follow_the_review, |app| {
    let t = team(&app).await;
    let (_, job) = app.import("qes", &t.lead, "scopus.csv", fixture("demo/scopus.csv"), "Scopus").await;
    assert_eq!(job["state"], "done");
    let (_, review) = app.get("/api/reviews/qes", &t.lead).await;
    let dups = review["counts"]["duplicates_removed"].as_u64().unwrap();
    assert!(dups > 0);

    // Title/abstract: one excluded, three included.
    both(&app, &t, "title_abstract", json!({"vote": "exclude", "reason": "Not qualitative"})).await;
    let not_found = both(&app, &t, "title_abstract", json!({"vote": "include"})).await;
    let excluded = both(&app, &t, "title_abstract", json!({"vote": "include"})).await;
    let included = both(&app, &t, "title_abstract", json!({"vote": "include"})).await;

    let (_, p) = app.get("/api/reviews/qes/prisma", &t.rev1).await;
    assert_eq!(p["identification"]["databases"], json!([{"name": "CINAHL", "n": 25}, {"name": "Scopus", "n": 20}]));
    assert_eq!(p["identification"]["database_total"], 45);
    assert_eq!(p["removed_before_screening"]["duplicates"], dups);
    assert_eq!(p["records_screened"], 45 - dups);
    assert_eq!(p["records_excluded"], 1);
    assert_eq!(p["databases_and_registers"]["reports_sought"], 3);
    // The flow does not add up yet, and the records still being screened say why.
    assert!(p["checks"].as_array().unwrap().iter().any(|c| c["check"].as_str().unwrap().contains("sought")), "{p}");
    assert_eq!(p["in_progress"]["title_abstract"], 45 - dups - 4);
    assert_eq!(p["in_progress"]["full_text"], 3);

    // Full text: one not retrieved, one excluded with a reason, one included.
    let ft = store::screening::item_for_record(&app.store.db, not_found as i32, "full_text").await.unwrap().unwrap();
    let (s, _) = app.post(&format!("/api/reviews/qes/items/{}/not-retrieved", ft.id), &t.rev1, json!({"reason": "No reply"})).await;
    assert_eq!(s, 200);
    for (record, v) in [(excluded, json!({"vote": "exclude", "reason": "Wrong setting"})), (included, json!({"vote": "include"}))] {
        let item = attach(&app, &t.rev1, record).await;
        vote(&app, &t.rev1, item, v.clone()).await;
        vote(&app, &t.rev2, item, v).await;
    }
    let (_, p) = app.get("/api/reviews/qes/prisma", &t.lead).await;
    let d = &p["databases_and_registers"];
    assert_eq!(d["reports_sought"], 3);
    assert_eq!(d["reports_not_retrieved"], 1);
    assert_eq!(d["reports_assessed"], 2);
    assert_eq!(d["reports_excluded"], json!([{"name": "Wrong setting", "n": 1}]));
    assert_eq!(p["studies_included"], 1);
    assert_eq!(p["reports_of_included_studies"], 1);
    let checks: Vec<&str> = p["checks"].as_array().unwrap().iter().map(|c| c["check"].as_str().unwrap()).collect();
    assert!(!checks.iter().any(|c| c.contains("assessed") || c.contains("excluded")), "full text reconciles: {checks:?}");

    // A second report of the included study: two reports, still one study.
    let second = both(&app, &t, "title_abstract", json!({"vote": "include"})).await;
    let second_item = attach(&app, &t.rev1, second).await;
    vote(&app, &t.rev1, second_item, json!({"vote": "include"})).await;
    vote(&app, &t.rev2, second_item, json!({"vote": "include"})).await;
    let main_item = store::screening::item_for_record(&app.store.db, included as i32, "full_text").await.unwrap().unwrap().id;
    let (s, linked) = app.post(&format!("/api/reviews/qes/items/{second_item}/study"), &t.lead, json!({"study_of": main_item})).await;
    assert_eq!(s, 200, "{linked}");
    assert_eq!(linked["study_of"], main_item);
    let (s, _) = app.post(&format!("/api/reviews/qes/items/{main_item}/study"), &t.lead, json!({"study_of": second_item})).await;
    assert_eq!(s, 422, "linking a study's main report to a report of its own study would be circular");
    let (_, p) = app.get("/api/reviews/qes/prisma", &t.lead).await;
    assert_eq!(p["studies_included"], 1);
    assert_eq!(p["reports_of_included_studies"], 2);
    // An updated review: the previous version's studies are added to the totals.
    let res = app
        .client
        .put(app.url("/api/reviews/qes/prisma/previous"))
        .bearer_auth(&t.lead)
        .json(&json!({"studies": 4, "reports": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "reports cannot be fewer than studies");
    let res = app
        .client
        .put(app.url("/api/reviews/qes/prisma/previous"))
        .bearer_auth(&t.lead)
        .json(&json!({"studies": 4, "reports": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["previous_review"], json!({"studies": 4, "reports": 5}));
    assert_eq!(p["total_studies"], 5);
    assert_eq!(p["total_reports"], 7);
    // The included reports export as RIS and CSV, readable again.
    let ris = app.client.get(app.url("/api/reviews/qes/included.ris")).bearer_auth(&t.rev1).send().await.unwrap().text().await.unwrap();
    let parsed = citation::parse(ris.as_bytes(), None);
    assert_eq!(parsed.records.len(), 2);
    let csv = app.client.get(app.url("/api/reviews/qes/included.csv")).bearer_auth(&t.rev1).send().await.unwrap().text().await.unwrap();
    assert_eq!(citation::parse(csv.as_bytes(), None).records.len(), 2);

    // The CSV follows the PRISMA2020 template and reads back to the same counts.
    let csv = app.client.get(app.url("/api/reviews/qes/prisma.csv")).bearer_auth(&t.lead).send().await.unwrap().text().await.unwrap();
    assert!(csv.starts_with("data,node,box,description,boxtext,tooltips,url,n"));
    let counts = review::prisma::from_csv(&csv).expect("sift reads its own CSV");
    assert_eq!(counts.databases, vec![("CINAHL".to_owned(), 25), ("Scopus".to_owned(), 20)]);
    assert_eq!(counts.duplicates, dups);
    assert_eq!(counts.records_excluded, 1);
    assert_eq!(counts.dbr_not_retrieved, 1);
    assert_eq!(counts.dbr_excluded, vec![("Wrong setting".to_owned(), 1)]);
    assert_eq!(counts.new_studies, 1);
    assert_eq!(counts.new_reports, 2);
    assert_eq!(counts.previous_studies, Some(4));
    assert!(csv.contains("dbr_excluded,node14,box9,") && csv.contains("\"Wrong setting, 1\""), "{csv}");

    // The diagram is valid SVG with the numbers in it; saved for a person to look at.
    let res = app.client.get(app.url("/api/reviews/qes/prisma.svg?detail=true")).bearer_auth(&t.lead).send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "image/svg+xml; charset=utf-8");
    let svg = res.text().await.unwrap();
    assert!(svg.contains("<svg") && svg.contains("</svg>"));
    for needle in ["CINAHL", "Scopus", "Wrong setting", &format!("(n = {dups})"), "Records screened", "Previous studies"] {
        assert!(svg.contains(needle), "the diagram lacks {needle}");
    }
    let out = repo_root().join("target/test-output");
    let _ = std::fs::create_dir_all(&out);
    let _ = std::fs::write(out.join(format!("prisma-e2e-{:?}.svg", app.db).to_lowercase()), &svg);
});

fn ris(prefix: &str, titles: &[&str]) -> Vec<u8> {
    let mut out = String::new();
    for (i, t) in titles.iter().enumerate() {
        out.push_str(&format!(
            "TY  - JOUR\r\nID  - {prefix}{i}\r\nAU  - Okafor, Chidi\r\nTI  - {t}\r\nT2  - Journal of Peer Work\r\nPY  - 2022\r\nDO  - 10.5555/{prefix}.{i}\r\nER  - \r\n\r\n"
        ));
    }
    out.into_bytes()
}

async fn import_kind(app: &TestApp, token: &str, kind: &str, name: &str, bytes: Vec<u8>) -> Value {
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(format!("{kind}.ris")))
        .text("database_name", name.to_owned())
        .text("kind", kind.to_owned());
    let res = app.client.post(app.url("/api/reviews/qes/imports?wait=true")).bearer_auth(token).multipart(form).send().await.unwrap();
    let job: Value = res.json().await.unwrap();
    assert_eq!(job["state"], "done", "{job}");
    job
}

db_test!(other_methods_skip_screening_and_form_their_own_arm, |app| {
    let t = team(&app).await;
    import_kind(
        &app,
        &t.lead,
        "citation_searching",
        "Reference lists of included studies",
        ris(
            "CIT",
            &[
                "Peer mentors in street outreach: an ethnography",
                "Lived experience on the night shift",
                "Recovery coaches at the shelter door",
            ],
        ),
    )
    .await;
    import_kind(&app, &t.lead, "website", "Homeless Link", ris("WEB", &["Peer work in practice: a report from the sector"])).await;
    let (_, p) = app.get("/api/reviews/qes/prisma", &t.lead).await;
    assert_eq!(p["identification"]["citation_searching"], 3);
    assert_eq!(p["identification"]["websites"], 1);
    assert_eq!(p["identification"]["organisations"], Value::Null, "an unused kind stays empty");
    assert_eq!(p["records_screened"], 25, "only database records are screened at title/abstract");
    assert_eq!(p["other_methods"]["reports_sought"], 4);
    // The other-methods reports wait for their full text; none is offered at title/abstract.
    let (_, awaiting) = app.get("/api/reviews/qes/stages/full_text/items?state=awaiting_file&limit=200", &t.rev1).await;
    let awaiting: Vec<i64> = awaiting.as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(awaiting.len(), 4);
    let (included, excluded, lost) = (awaiting[0], awaiting[1], awaiting[2]);
    for (item, v) in [(included, json!({"vote": "include"})), (excluded, json!({"vote": "exclude", "reason": "Not qualitative"}))] {
        let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("r.pdf"));
        let res = app
            .client
            .post(app.url(&format!("/api/reviews/qes/items/{item}/file")))
            .bearer_auth(&t.rev1)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        vote(&app, &t.rev1, item, v.clone()).await;
        vote(&app, &t.rev2, item, v).await;
    }
    app.post(&format!("/api/reviews/qes/items/{lost}/not-retrieved"), &t.rev2, json!({"reason": "Website offline"})).await;
    let (_, p) = app.get("/api/reviews/qes/prisma", &t.lead).await;
    let o = &p["other_methods"];
    assert_eq!(o["reports_sought"], 4);
    assert_eq!(o["reports_not_retrieved"], 1);
    assert_eq!(o["reports_assessed"], 2);
    assert_eq!(o["reports_excluded"], json!([{"name": "Not qualitative", "n": 1}]));
    assert_eq!(o["reports_included"], 1);
    assert_eq!(p["studies_included"], 1);
    assert_eq!(p["databases_and_registers"]["reports_sought"], 0);
    let csv = app.client.get(app.url("/api/reviews/qes/prisma.csv")).bearer_auth(&t.lead).send().await.unwrap().text().await.unwrap();
    let counts = review::prisma::from_csv(&csv).unwrap();
    assert_eq!((counts.websites, counts.organisations, counts.citation_searching), (Some(1), None, Some(3)));
    assert_eq!((counts.other_sought, counts.other_not_retrieved, counts.other_assessed), (4, 1, 2));
    assert_eq!(counts.other_excluded, vec![("Not qualitative".to_owned(), 1)]);
    let svg = app.client.get(app.url("/api/reviews/qes/prisma.svg")).bearer_auth(&t.lead).send().await.unwrap().text().await.unwrap();
    assert!(svg.contains("other methods"), "the diagram draws the other-methods arm");
    for needle in ["Websites (n = 1)", "Citation searching (n = 3)"] {
        assert!(svg.contains(needle), "the diagram lacks {needle}");
    }
    let out = repo_root().join("target/test-output");
    let _ = std::fs::create_dir_all(&out);
    let _ = std::fs::write(out.join(format!("prisma-other-methods-{:?}.svg", app.db).to_lowercase()), &svg);
});
