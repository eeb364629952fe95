//! The authorisation matrix: every route of the OpenAPI document × {anonymous, non-member, viewer,
//! reviewer, lead, admin}. Each route must have a rule here, so a new route without one fails the suite.

use serde_json::{Value, json};

use super::*;

const PW: &str = "correct horse battery";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    Account,
    /// Administrators only.
    Admin,
    /// Members of the review (lead, reviewer, viewer).
    Member,
    /// Leads and reviewers of the review.
    Contributor,
    /// Leads of the review.
    Lead,
    /// Leads and viewers (reviewers are refused while screening is blind).
    NotBlindReviewer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    NonMember,
    Viewer,
    Reviewer,
    Lead,
    Admin,
}

fn rule(method: &str, path: &str) -> Option<(Rule, Value)> {
    use Rule::*;
    let r = match (method, path) {
        ("get", "/health") | ("get", "/metrics") => (Public, Value::Null),
        ("post", "/api/auth/login") => (Public, json!({"email": "nobody@example.org", "password": "wrong"})),
        ("post", "/api/auth/refresh") => (Public, json!({"refresh_token": "x.y"})),
        ("post", "/api/auth/logout") => (Account, Value::Null),
        ("get", "/api/me") => (Account, Value::Null),
        ("post", "/api/me/password") => (Account, json!({"current_password": "wrong", "new_password": "a new long password"})),
        ("get", "/api/reviews") => (Account, Value::Null),
        ("post", "/api/reviews") => (Account, json!({"slug": "x", "title": ""})),
        ("post", "/api/users") => (Admin, json!({"email": "bad", "name": "", "password": "x"})),
        ("patch", "/api/users/{id}") => (Admin, json!({"disabled": false})),
        ("get", "/api/reviews/{review}") => (Member, Value::Null),
        ("patch", "/api/reviews/{review}") => (Lead, json!({})),
        ("get", "/api/reviews/{review}/members") => (Member, Value::Null),
        ("post", "/api/reviews/{review}/members") => (Lead, json!({"email": "nobody@example.org", "role": "viewer"})),
        ("post", "/api/reviews/{review}/imports") => (Contributor, Value::Null),
        ("post", "/api/reviews/{review}/imports/preview") => (Contributor, Value::Null),
        ("get", "/api/reviews/{review}/jobs/{id}") => (Member, Value::Null),
        ("get", "/api/reviews/{review}/sources") => (Member, Value::Null),
        ("get", "/api/reviews/{review}/records") => (Member, Value::Null),
        ("get", "/api/reviews/{review}/records/{id}") => (Member, Value::Null),
        ("get", "/api/reviews/{review}/duplicates") => (Member, Value::Null),
        ("post", "/api/reviews/{review}/duplicates/{id}/merge") => (Lead, Value::Null),
        ("post", "/api/reviews/{review}/duplicates/{id}/not-duplicate") => (Lead, Value::Null),
        ("post", "/api/reviews/{review}/duplicates/{id}/reopen") => (Lead, Value::Null),
        ("post", "/api/reviews/{review}/duplicates/run") => (Lead, Value::Null),
        ("post", "/api/reviews/{review}/records/{id}/unmerge") => (Lead, Value::Null),
        ("get", "/api/reviews/{review}/audit")
        | ("get", "/api/reviews/{review}/audit.jsonl")
        | ("get", "/api/reviews/{review}/audit.csv") => (Lead, Value::Null),
        ("get", "/api/reviews/{review}/protocol") => (Member, Value::Null),
        ("get", "/api/reviews/{review}/protocol/history") => (Member, Value::Null),
        ("put", "/api/reviews/{review}/protocol") => (
            Lead,
            json!({"framework": "nope", "elements": {}, "inclusion": "", "exclusion": "", "reasons": [], "include_keywords": [], "exclude_keywords": []}),
        ),
        ("get", "/api/reviews/{review}/stages/{stage}/settings") => (Member, Value::Null),
        ("put", "/api/reviews/{review}/stages/{stage}/settings") => {
            (Lead, json!({"reviewers_per_record": 0, "blind": true, "maybe_is_conflict": true}))
        }
        ("post", "/api/reviews/{review}/stages/{stage}/next") => (Contributor, Value::Null),
        ("get", "/api/reviews/{review}/items/{id}") => (Member, Value::Null),
        ("put", "/api/reviews/{review}/items/{id}/vote") => (Contributor, json!({"vote": "nonsense"})),
        ("post", "/api/reviews/{review}/items/{id}/vote-and-next") => (Contributor, json!({"vote": "nonsense"})),
        ("delete", "/api/reviews/{review}/items/{id}/vote") => (Contributor, Value::Null),
        ("get", "/api/reviews/{review}/stages/{stage}/my-votes") => (Member, Value::Null),
        ("get", "/api/reviews/{review}/stages/{stage}/conflicts") => (Lead, Value::Null),
        ("post", "/api/reviews/{review}/items/{id}/resolve") => (Lead, json!({"decision": "nonsense"})),
        ("post", "/api/reviews/{review}/items/{id}/third-reviewer") => (Lead, Value::Null),
        ("post", "/api/reviews/{review}/items/{id}/file") => (Contributor, Value::Null),
        ("get", "/api/reviews/{review}/items/{id}/file") => (Member, Value::Null),
        ("post", "/api/reviews/{review}/items/{id}/not-retrieved") => (Contributor, json!({"reason": ""})),
        ("get", "/api/reviews/{review}/stages/{stage}/progress") => (Member, Value::Null),
        ("get", "/api/reviews/{review}/stages/{stage}/agreement") => (NotBlindReviewer, Value::Null),
        ("get", "/api/reviews/{review}/stages/{stage}/agreement/reasons") => (NotBlindReviewer, Value::Null),
        ("get", "/api/reviews/{review}/decisions.csv") => (Lead, Value::Null),
        ("get", "/api/reviews/{review}/prisma")
        | ("get", "/api/reviews/{review}/prisma.csv")
        | ("get", "/api/reviews/{review}/prisma.svg") => (Member, Value::Null),
        ("get", "/api/reviews/{review}/included.ris") | ("get", "/api/reviews/{review}/included.csv") => (Member, Value::Null),
        ("put", "/api/reviews/{review}/prisma/previous") => (Lead, json!({"studies": -1, "reports": null})),
        ("post", "/api/reviews/{review}/items/{id}/study") => (Lead, json!({"study_of": null})),
        ("post", "/api/reviews/{review}/stages/{stage}/pilot/open") => (Lead, Value::Null),
        ("get", "/api/reviews/{review}/stages/{stage}/items") => (Member, Value::Null),
        ("post", "/api/reviews/{review}/stages/{stage}/reassign") => (Lead, json!({"from": 1, "to": 1})),
        ("get", "/api/instruments") => (Account, Value::Null),
        ("delete", "/api/reviews/{review}/members/{user}") => (Lead, Value::Null),
        ("post", "/api/reviews/{review}/invitations") => (Lead, json!({"email": "not-an-email", "role": "viewer"})),
        ("get", "/api/invitations/{token}") => (Public, Value::Null),
        ("post", "/api/invitations/{token}/accept") => (Public, json!({"name": "x", "password": "long enough password"})),
        ("get", "/api/reviews/{review}/appraisal") => (Member, Value::Null),
        ("put", "/api/reviews/{review}/appraisal/settings") => (Lead, json!({"instrument_id": "nope", "appraisers": 2})),
        ("post", "/api/reviews/{review}/appraisal/instruments") => (Lead, json!({"toml": "id = "})),
        ("get", "/api/reviews/{review}/appraisal/studies/{id}") => (Member, Value::Null),
        ("put", "/api/reviews/{review}/appraisal/studies/{id}/mine") => (Contributor, json!({"answers": [], "submit": false})),
        ("put", "/api/reviews/{review}/appraisal/studies/{id}/consensus") => (Lead, json!({"decisions": []})),
        ("get", "/api/reviews/{review}/appraisal/agreement") => (NotBlindReviewer, Value::Null),
        ("get", "/api/reviews/{review}/appraisal/table.csv")
        | ("get", "/api/reviews/{review}/appraisal/table.html")
        | ("get", "/api/reviews/{review}/appraisal/traffic-light.svg") => (Member, Value::Null),
        ("get", "/api/reviews/{review}/extraction") => (Member, Value::Null),
        ("put", "/api/reviews/{review}/extraction/form") => (Lead, json!({"fields": [{"key": "Bad key", "label": "", "kind": "text"}]})),
        ("get", "/api/reviews/{review}/extraction/studies/{id}") => (Member, Value::Null),
        ("put", "/api/reviews/{review}/extraction/studies/{id}/mine") => (Contributor, json!({"values": {}, "submit": false})),
        ("put", "/api/reviews/{review}/extraction/studies/{id}/reconciled") => (Lead, json!({"values": {}})),
        ("get", "/api/reviews/{review}/extraction/characteristics.csv")
        | ("get", "/api/reviews/{review}/extraction/characteristics.html") => (Member, Value::Null),
        ("get", "/api/reviews/{review}/synthesis")
        | ("get", "/api/reviews/{review}/synthesis/extracts")
        | ("get", "/api/reviews/{review}/synthesis/codebook.qdc")
        | ("get", "/api/reviews/{review}/synthesis/project.qdpx")
        | ("get", "/api/reviews/{review}/synthesis/matrix")
        | ("get", "/api/reviews/{review}/synthesis/matrix.csv")
        | ("get", "/api/reviews/{review}/synthesis/findings")
        | ("get", "/api/reviews/{review}/synthesis/soqf.csv")
        | ("get", "/api/reviews/{review}/synthesis/soqf.html")
        | ("get", "/api/reviews/{review}/synthesis/evidence-profile.csv")
        | ("get", "/api/reviews/{review}/synthesis/evidence-profile.html") => (Member, Value::Null),
        ("get", "/api/reviews/{review}/synthesis/agreement") => (Member, Value::Null),
        ("post", "/api/reviews/{review}/synthesis/extracts") | ("put", "/api/reviews/{review}/synthesis/extracts/{id}") => {
            (Contributor, json!({"item_id": 999999, "text": "x", "kind": "participant quote"}))
        }
        ("post", "/api/reviews/{review}/synthesis/codes") | ("put", "/api/reviews/{review}/synthesis/codes/{id}") => {
            (Contributor, json!({"name": "", "parent_id": null}))
        }
        ("post", "/api/reviews/{review}/synthesis/codings") => {
            (Contributor, json!({"extract_id": 999999, "code_id": 999999, "start": 0, "end": 1}))
        }
        ("post", "/api/reviews/{review}/synthesis/themes") | ("put", "/api/reviews/{review}/synthesis/themes/{id}") => {
            (Contributor, json!({"kind": "descriptive", "name": "", "members": []}))
        }
        ("post", "/api/reviews/{review}/synthesis/findings") | ("put", "/api/reviews/{review}/synthesis/findings/{id}") => {
            (Contributor, json!({"summary": "", "theme_id": null}))
        }
        ("post", "/api/reviews/{review}/synthesis/codebook") => (Contributor, Value::Null),
        ("delete", "/api/reviews/{review}/synthesis/extracts/{id}")
        | ("delete", "/api/reviews/{review}/synthesis/codes/{id}")
        | ("delete", "/api/reviews/{review}/synthesis/codings/{id}")
        | ("delete", "/api/reviews/{review}/synthesis/themes/{id}")
        | ("delete", "/api/reviews/{review}/synthesis/findings/{id}") => (Contributor, Value::Null),
        _ => return None,
    };
    Some(r)
}

fn allowed(rule: Rule, who: Who) -> bool {
    use Who::*;
    match rule {
        Rule::Public => true,
        Rule::Account => who != Anonymous,
        Rule::Admin => who == Admin,
        Rule::Member => matches!(who, Viewer | Reviewer | Lead),
        Rule::Contributor => matches!(who, Reviewer | Lead),
        Rule::Lead => who == Lead,
        Rule::NotBlindReviewer => matches!(who, Viewer | Lead),
    }
}

db_test!(every_route_has_a_rule_and_keeps_it, |app| {
    let lead = app.user("lead@example.org", PW, false).await;
    let viewer = app.user("viewer@example.org", PW, false).await;
    let reviewer = app.user("reviewer@example.org", PW, false).await;
    app.user("stranger@example.org", PW, false).await;
    app.user("admin@example.org", PW, true).await;
    app.review("qes", lead).await;
    app.add_member("qes", viewer, "viewer").await;
    app.add_member("qes", reviewer, "reviewer").await;
    let doc: Value = app.client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut missing = Vec::new();
    let mut failures = Vec::new();
    let mut cells = 0;
    for (path, methods) in doc["paths"].as_object().unwrap() {
        for method in methods.as_object().unwrap().keys() {
            let Some((rule, body)) = rule(method, path) else {
                missing.push(format!("{} {path}", method.to_uppercase()));
                continue;
            };
            let concrete = path
                .replace("{review}", "qes")
                .replace("{stage}", "title_abstract")
                .replace("{id}", "999999")
                .replace("{token}", "no-such-token")
                .replace("{user}", "999999");
            for who in [Who::Anonymous, Who::NonMember, Who::Viewer, Who::Reviewer, Who::Lead, Who::Admin] {
                let email = match who {
                    Who::Anonymous => None,
                    Who::NonMember => Some("stranger@example.org"),
                    Who::Viewer => Some("viewer@example.org"),
                    Who::Reviewer => Some("reviewer@example.org"),
                    Who::Lead => Some("lead@example.org"),
                    Who::Admin => Some("admin@example.org"),
                };
                // A fresh session per cell: some routes (logout, password) end sessions.
                let token = match email {
                    Some(e) => Some(app.login(e, PW).await),
                    None => None,
                };
                let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let mut req = app.client.request(m, app.url(&concrete));
                if let Some(t) = &token {
                    req = req.bearer_auth(t);
                }
                if !body.is_null() {
                    req = req.json(&body);
                }
                let res = req.send().await.unwrap();
                let status = res.status().as_u16();
                let text = res.text().await.unwrap_or_default();
                let code =
                    serde_json::from_str::<Value>(&text).ok().and_then(|v| v["code"].as_str().map(str::to_owned)).unwrap_or_default();
                let review_hidden = status == 404 && text.contains("No review here");
                let refused = (status == 401 && code == "unauthenticated") || (status == 403 && code == "forbidden") || review_hidden;
                cells += 1;
                let ok = if allowed(rule, who) {
                    // A refusal for a reason other than who is asking (e.g. a wrong password at login) is fine.
                    !refused && status < 500
                } else {
                    match who {
                        Who::Anonymous => status == 401 && code == "unauthenticated",
                        // Outside a review, its routes answer as if it did not exist.
                        Who::NonMember | Who::Admin if path.starts_with("/api/reviews/{review}") => review_hidden,
                        _ => status == 403 && code == "forbidden",
                    }
                };
                if !ok {
                    failures.push(format!("{who:?} {} {path} -> {status} {text}", method.to_uppercase()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "routes without an authorisation rule: {missing:#?}");
    assert!(failures.is_empty(), "{} of {cells} cells broke their rule:\n{}", failures.len(), failures.join("\n"));
    assert!(cells >= 200, "only {cells} cells");
});
