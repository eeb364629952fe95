//! Reviews, membership and the privacy of reviews from non-members.

use super::*;

const PW: &str = "correct horse battery";

db_test!(reviews_are_invisible_to_non_members, |app| {
    let lead = app.user("lead@example.org", PW, false).await;
    let viewer = app.user("viewer@example.org", PW, false).await;
    app.user("stranger@example.org", PW, false).await;
    app.review("secret-review", lead).await;
    app.add_member("secret-review", viewer, "viewer").await;
    let stranger = app.login("stranger@example.org", PW).await;
    for path in [
        "/api/reviews/secret-review",
        "/api/reviews/secret-review/records",
        "/api/reviews/secret-review/sources",
        "/api/reviews/secret-review/duplicates",
        "/api/reviews/secret-review/members",
    ] {
        let (status, body) = app.get(path, &stranger).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(body["code"], "not_found");
        // Indistinguishable from a review that does not exist.
        let (status2, body2) = app.get(&path.replace("secret-review", "no-such-review"), &stranger).await;
        assert_eq!((status, body["detail"].clone()), (status2, body2["detail"].clone()));
    }
    let (status, list) = app.get("/api/reviews", &stranger).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 0);
    // A viewer reads but cannot change or import.
    let v = app.login("viewer@example.org", PW).await;
    assert_eq!(app.get("/api/reviews/secret-review", &v).await.0, 200);
    let res = app
        .client
        .patch(app.url("/api/reviews/secret-review"))
        .bearer_auth(&v)
        .json(&serde_json::json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let (status, _) = app.import("secret-review", &v, "a.ris", fixture("demo/cinahl.ris"), "CINAHL").await;
    assert_eq!(status, 403);
    // Anonymous callers get 401.
    let res = app.client.get(app.url("/api/reviews/secret-review")).send().await.unwrap();
    assert_eq!(res.status(), 401);
});

db_test!(lead_creates_review_and_adds_members, |app| {
    app.user("lead@example.org", PW, false).await;
    let rev = app.user("rev@example.org", PW, false).await;
    let lead = app.login("lead@example.org", PW).await;
    let (status, body) = app.post("/api/reviews", &lead, serde_json::json!({"slug": "Bad Slug!", "title": ""})).await;
    assert_eq!(status, 422);
    assert_eq!(body["code"], "invalid_request");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["slug", "title"]);
    let (status, review) = app
        .post(
            "/api/reviews",
            &lead,
            serde_json::json!({"slug": "peer-qes", "title": "Peer workers", "question": "What are peer workers' experiences?"}),
        )
        .await;
    assert_eq!(status, 201, "{review}");
    assert_eq!(review["roles"], serde_json::json!(["lead"]));
    let (status, _) = app.post("/api/reviews", &lead, serde_json::json!({"slug": "peer-qes", "title": "Again"})).await;
    assert_eq!(status, 409);
    let (status, members) =
        app.post("/api/reviews/peer-qes/members", &lead, serde_json::json!({"email": "rev@example.org", "role": "reviewer"})).await;
    assert_eq!(status, 201);
    assert!(members.as_array().unwrap().iter().any(|m| m["user_id"] == rev && m["roles"] == serde_json::json!(["reviewer"])));
    let r = app.login("rev@example.org", PW).await;
    let (_, list) = app.get("/api/reviews", &r).await;
    assert_eq!(list[0]["slug"], "peer-qes");
    // Every change is in the audit trail, which the reviewer cannot read.
    let (status, events) = app.get("/api/reviews/peer-qes/audit", &lead).await;
    assert_eq!(status, 200);
    let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["review.create", "member.add"]);
    assert_eq!(app.get("/api/reviews/peer-qes/audit", &r).await.0, 403);
});

db_test!(leads_invite_people_without_accounts, |app| {
    let lead = app.user("lead@example.org", PW, false).await;
    app.user("existing@example.org", PW, false).await;
    app.review("qes", lead).await;
    let token = app.login("lead@example.org", PW).await;
    // An existing account is simply added.
    let (status, body) =
        app.post("/api/reviews/qes/invitations", &token, serde_json::json!({"email": "Existing@Example.org", "role": "viewer"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["added"], true);
    // Someone new gets a one-time link.
    let (status, inv) =
        app.post("/api/reviews/qes/invitations", &token, serde_json::json!({"email": "newcomer@example.org", "role": "reviewer"})).await;
    assert_eq!(status, 201, "{inv}");
    let url = inv["url"].as_str().unwrap().to_owned();
    let secret = url.strip_prefix("/invite/").unwrap().to_owned();
    let res = app.client.get(app.url(&format!("/api/invitations/{secret}"))).send().await.unwrap();
    let shown: serde_json::Value = res.json().await.unwrap();
    assert_eq!(shown["email"], "newcomer@example.org");
    assert_eq!(shown["role"], "reviewer");
    assert_eq!(shown["review"], "Review qes");
    let accept = |password: &str| {
        app.client
            .post(app.url(&format!("/api/invitations/{secret}/accept")))
            .json(&serde_json::json!({"name": "Nia Newcomer", "password": password}))
            .send()
    };
    assert_eq!(accept("short").await.unwrap().status(), 422, "the password rules apply");
    assert_eq!(accept("a long enough password").await.unwrap().status(), 201);
    let newcomer = app.login("newcomer@example.org", "a long enough password").await;
    let (status, review) = app.get("/api/reviews/qes", &newcomer).await;
    assert_eq!(status, 200);
    assert_eq!(review["roles"], serde_json::json!(["reviewer"]));
    // The link works once; unknown links say what to do.
    assert_eq!(accept("a long enough password").await.unwrap().status(), 404);
    let res = app.client.get(app.url("/api/invitations/made-up")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let problem: serde_json::Value = res.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("ask the lead for a new link"));
    // Only leads invite.
    assert_eq!(
        app.post("/api/reviews/qes/invitations", &newcomer, serde_json::json!({"email": "x@example.org", "role": "viewer"})).await.0,
        403
    );
    let (_, events) = app.get("/api/reviews/qes/audit", &token).await;
    let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"member.invite") && actions.contains(&"member.join"));
});

db_test!(leads_remove_members_but_never_the_last_lead, |app| {
    let lead = app.user("lead@example.org", PW, false).await;
    let rev = app.user("rev@example.org", PW, false).await;
    app.review("qes", lead).await;
    app.add_member("qes", rev, "reviewer").await;
    let token = app.login("lead@example.org", PW).await;
    let rev_token = app.login("rev@example.org", PW).await;
    let del = |path: String, t: String| app.client.delete(app.url(&path)).bearer_auth(t).send();
    assert_eq!(
        del(format!("/api/reviews/qes/members/{lead}?role=lead"), token.clone()).await.unwrap().status(),
        409,
        "the last lead stays"
    );
    assert_eq!(del(format!("/api/reviews/qes/members/{rev}?role=viewer"), token.clone()).await.unwrap().status(), 404);
    assert_eq!(del(format!("/api/reviews/qes/members/{rev}?role=boss"), token.clone()).await.unwrap().status(), 422);
    assert_eq!(del(format!("/api/reviews/qes/members/{lead}?role=lead"), rev_token.clone()).await.unwrap().status(), 403);
    let res = del(format!("/api/reviews/qes/members/{rev}?role=reviewer"), token.clone()).await.unwrap();
    assert_eq!(res.status(), 200);
    // The former reviewer no longer sees the review at all.
    assert_eq!(app.get("/api/reviews/qes", &rev_token).await.0, 404);
});
