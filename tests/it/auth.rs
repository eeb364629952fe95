//! Sign-in, tokens, sessions, CSRF and throttling.

use base64::Engine;

use super::*;

const PW: &str = "correct horse battery";

db_test!(login_me_logout, |app| {
    app.user("ana@example.org", PW, false).await;
    let token = app.login("ANA@example.org", PW).await;
    let (status, me) = app.get("/api/me", &token).await;
    assert_eq!(status, 200);
    assert_eq!(me["email"], "ana@example.org");
    let res = app.client.post(app.url("/api/auth/logout")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let (status, body) = app.get("/api/me", &token).await;
    assert_eq!(status, 401, "a logged-out token must stop working: {body}");
    assert_eq!(body["code"], "unauthenticated");
});

db_test!(wrong_password_and_unknown_account_look_alike, |app| {
    app.user("ana@example.org", PW, false).await;
    for email in ["ana@example.org", "nobody@example.org"] {
        let res = app
            .client
            .post(app.url("/api/auth/login"))
            .json(&serde_json::json!({"email": email, "password": "wrong password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["code"], "bad_credentials");
    }
});

db_test!(failed_logins_are_throttled_per_account, |app| {
    app.user("ana@example.org", PW, false).await;
    for _ in 0..10 {
        let res = app
            .client
            .post(app.url("/api/auth/login"))
            .json(&serde_json::json!({"email": "ana@example.org", "password": "nope nope nope"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
    }
    // Even the right password is refused while throttled.
    let res = app
        .client
        .post(app.url("/api/auth/login"))
        .json(&serde_json::json!({"email": "ana@example.org", "password": PW}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "60");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert!(!body.to_string().contains(PW), "the password must not be echoed");
});

fn b64(v: &serde_json::Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

db_test!(bad_tokens_are_refused, |app| {
    app.user("ana@example.org", PW, false).await;
    let token = app.login("ana@example.org", PW).await;
    let parts: Vec<&str> = token.split('.').collect();
    let claims: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    let now = claims["iat"].as_i64().unwrap();
    let forge = |header: serde_json::Value, claims: serde_json::Value, sig: &str| format!("{}.{}.{}", b64(&header), b64(&claims), sig);
    let mut expired = claims.clone();
    expired["exp"] = (now - 3600).into();
    let mut future = claims.clone();
    future["nbf"] = (now + 3600).into();
    let mut audience = claims.clone();
    audience["aud"] = "someone-else".into();
    let mut issuer = claims.clone();
    issuer["iss"] = "evil".into();
    let mut other_user = claims.clone();
    other_user["sub"] = "999".into();
    let hs = serde_json::json!({"alg": "HS256", "typ": "JWT"});
    let cases = [
        ("alg none", forge(serde_json::json!({"alg": "none", "typ": "JWT"}), claims.clone(), "")),
        ("tampered claims", forge(hs.clone(), other_user, parts[2])),
        ("wrong signature", format!("{}.{}.{}", parts[0], parts[1], "AAAA".repeat(10))),
        ("expired", sign(&app, &expired)),
        ("not yet valid", sign(&app, &future)),
        ("wrong audience", sign(&app, &audience)),
        ("wrong issuer", sign(&app, &issuer)),
        ("garbage", "not-a-token".to_owned()),
    ];
    for (what, t) in cases {
        let (status, body) = app.get("/api/me", &t).await;
        assert_eq!(status, 401, "{what} token must be refused: {body}");
    }
    // The genuine token still works.
    assert_eq!(app.get("/api/me", &token).await.0, 200);
});

/// Signs claims with the server's real secret, so only the claim under test is wrong.
fn sign(app: &TestApp, claims: &serde_json::Value) -> String {
    let secret = futures_lite(store::settings::get(&app.store.db, "jwt_secret")).unwrap().unwrap();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn futures_lite<F: std::future::Future>(f: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(f))
}

db_test!(cookies_need_csrf_header_on_writes, |app| {
    let ana = app.user("ana@example.org", PW, false).await;
    app.review("qes", ana).await;
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let res = client
        .post(app.url("/api/auth/login"))
        .json(&serde_json::json!({"email": "ana@example.org", "password": PW}))
        .send()
        .await
        .unwrap();
    let cookies: Vec<String> = res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    let access = cookies.iter().find(|c| c.starts_with("sift_access=")).expect("access cookie");
    assert!(access.contains("HttpOnly") && access.contains("SameSite=Strict"), "{access}");
    let body: serde_json::Value = res.json().await.unwrap();
    let csrf = body["csrf_token"].as_str().unwrap().to_owned();
    // Reads work with the cookie alone.
    assert_eq!(client.get(app.url("/api/reviews/qes")).send().await.unwrap().status(), 200);
    // A write without the header is refused...
    let res = client.patch(app.url("/api/reviews/qes")).json(&serde_json::json!({"title": "Renamed"})).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "csrf_failed");
    // ...and with a wrong header too; the right one passes.
    let res = client
        .patch(app.url("/api/reviews/qes"))
        .header("X-CSRF-Token", "forged")
        .json(&serde_json::json!({"title": "Renamed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = client
        .patch(app.url("/api/reviews/qes"))
        .header("X-CSRF-Token", csrf)
        .json(&serde_json::json!({"title": "Renamed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["title"], "Renamed");
});

db_test!(refresh_rotates_and_reuse_ends_session, |app| {
    app.user("ana@example.org", PW, false).await;
    let res = app
        .client
        .post(app.url("/api/auth/login"))
        .json(&serde_json::json!({"email": "ana@example.org", "password": PW}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    let first = body["refresh_token"].as_str().unwrap().to_owned();
    let (status, refreshed) = app.post("/api/auth/refresh", "", serde_json::json!({"refresh_token": first})).await;
    assert_eq!(status, 200, "{refreshed}");
    let second = refreshed["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    let new_access = refreshed["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/me", &new_access).await.0, 200);
    // Replaying the first refresh token is treated as theft: the whole session ends.
    let (status, _) = app.post("/api/auth/refresh", "", serde_json::json!({"refresh_token": first})).await;
    assert_eq!(status, 401);
    assert_eq!(app.get("/api/me", &new_access).await.0, 401);
    let (status, _) = app.post("/api/auth/refresh", "", serde_json::json!({"refresh_token": second})).await;
    assert_eq!(status, 401);
});

db_test!(disabled_account_is_locked_out, |app| {
    app.user("admin@example.org", PW, true).await;
    let ana = app.user("ana@example.org", PW, false).await;
    let admin = app.login("admin@example.org", PW).await;
    let token = app.login("ana@example.org", PW).await;
    let res = app
        .client
        .patch(app.url(&format!("/api/users/{ana}")))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(app.get("/api/me", &token).await.0, 401);
    let res = app
        .client
        .post(app.url("/api/auth/login"))
        .json(&serde_json::json!({"email": "ana@example.org", "password": PW}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // A non-admin cannot manage accounts.
    let other = app.user("bo@example.org", PW, false).await;
    let bo = app.login("bo@example.org", PW).await;
    let res = app
        .client
        .patch(app.url(&format!("/api/users/{other}")))
        .bearer_auth(&bo)
        .json(&serde_json::json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
});

db_test!(password_change_ends_sessions, |app| {
    app.user("ana@example.org", PW, false).await;
    let token = app.login("ana@example.org", PW).await;
    let (status, body) =
        app.post("/api/me/password", &token, serde_json::json!({"current_password": "wrong", "new_password": "a new long password"})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "current_password");
    assert_eq!(app.get("/api/me", &token).await.0, 200, "a wrong current password does not end the session");
    let (status, _) = app.post("/api/me/password", &token, serde_json::json!({"current_password": PW, "new_password": "short"})).await;
    assert_eq!(status, 422);
    let (status, _) =
        app.post("/api/me/password", &token, serde_json::json!({"current_password": PW, "new_password": "a new long password"})).await;
    assert_eq!(status, 204);
    assert_eq!(app.get("/api/me", &token).await.0, 401);
    app.login("ana@example.org", "a new long password").await;
});

db_test!(failed_logins_are_throttled_per_address, |app| {
    app.user("ana@example.org", PW, false).await;
    // Fifty failures from one address, each against a different account (password spraying)...
    for i in 0..50 {
        let res = app
            .client
            .post(app.url("/api/auth/login"))
            .json(&serde_json::json!({"email": format!("guess{i}@example.org"), "password": "spray spray"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
    }
    // ...and that address is refused, even for an account with no failures of its own.
    let res = app
        .client
        .post(app.url("/api/auth/login"))
        .json(&serde_json::json!({"email": "ana@example.org", "password": PW}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
});
