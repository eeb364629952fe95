//! Health, metrics, problem details and the OpenAPI document.

use super::*;

db_test!(health_reports_database, |app| {
    let res = app.client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "reachable");
});

db_test!(metrics_count_requests_by_route, |app| {
    app.client.get(app.url("/health")).send().await.unwrap();
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(text.contains("sift_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"}"), "{text}");
    assert!(text.contains("sift_http_request_duration_seconds_bucket"), "{text}");
});

db_test!(unknown_api_path_is_problem_json, |app| {
    let res = app.client.get(app.url("/api/nothing-here")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
    assert_eq!(body["status"], 404);
    assert!(body["detail"].as_str().unwrap().len() > 10);
});

db_test!(bad_json_body_is_problem_json, |app| {
    let res =
        app.client.post(app.url("/api/auth/login")).header("content-type", "application/json").body("{not json").send().await.unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "bad_json");
});

db_test!(openapi_documents_every_route, |app| {
    let doc: serde_json::Value = app.client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["openapi"].as_str().map(|v| v.starts_with("3.")), Some(true));
    let paths = doc["paths"].as_object().expect("paths");
    for expected in [
        "/health",
        "/metrics",
        "/api/auth/login",
        "/api/auth/refresh",
        "/api/auth/logout",
        "/api/me",
        "/api/reviews",
        "/api/reviews/{review}",
        "/api/reviews/{review}/members",
        "/api/reviews/{review}/imports",
        "/api/reviews/{review}/jobs/{id}",
        "/api/reviews/{review}/sources",
        "/api/reviews/{review}/records",
        "/api/reviews/{review}/records/{id}",
        "/api/reviews/{review}/duplicates",
        "/api/reviews/{review}/duplicates/{id}/merge",
        "/api/reviews/{review}/records/{id}/unmerge",
        "/api/reviews/{review}/audit",
        "/api/reviews/{review}/extraction",
        "/api/reviews/{review}/extraction/form",
        "/api/reviews/{review}/extraction/studies/{id}",
        "/api/reviews/{review}/extraction/studies/{id}/mine",
        "/api/reviews/{review}/extraction/studies/{id}/reconciled",
        "/api/reviews/{review}/extraction/characteristics.csv",
        "/api/reviews/{review}/extraction/characteristics.html",
        "/api/users",
    ] {
        assert!(paths.contains_key(expected), "OpenAPI lacks {expected}");
    }
    // Every documented operation is served: calling it never reaches the catch-all handler.
    for (path, item) in paths {
        let concrete = path.replace("{review}", "x").replace("{id}", "1");
        for method in item.as_object().unwrap().keys() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let res = app.client.request(m, app.url(&concrete)).send().await.unwrap();
            let body = res.text().await.unwrap();
            assert!(!body.contains("No such endpoint"), "{method} {path} is documented but not served");
        }
        let doc_op = item.as_object().unwrap().values().next().unwrap();
        assert!(doc_op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{path} documents no responses");
    }
});

db_test!(migrations_go_down_and_up_again, |app| {
    let (applied, pending) = app.store.migration_status().await.unwrap();
    assert!(pending.is_empty());
    let n = u32::try_from(applied.len()).unwrap();
    app.store.migrate_down(n).await.unwrap();
    let (applied_after, pending_after) = app.store.migration_status().await.unwrap();
    assert!(applied_after.is_empty());
    assert_eq!(pending_after, applied);
    app.store.migrate().await.unwrap();
    assert_eq!(app.store.migration_status().await.unwrap().0, applied);
});
