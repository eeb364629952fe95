//! The demo review.

use super::*;

db_test!(demo_review_is_complete_and_idempotent, |app| {
    let now = server::time::now_ms();
    assert!(server::app::demo::seed(&app.store, now).await.unwrap());
    assert!(!server::app::demo::seed(&app.store, now).await.unwrap(), "seeding twice changes nothing");
    for u in server::app::demo::USERS {
        let token = app.login(u.email, u.password).await;
        let (status, review) = app.get("/api/reviews/demo", &token).await;
        assert_eq!(status, 200);
        assert_eq!(review["roles"], serde_json::json!([u.role]));
        assert_eq!(review["counts"]["records_imported"], 70);
        assert_eq!(review["counts"]["sources"], 3);
        assert!(review["counts"]["duplicates_removed"].as_u64().unwrap() >= 10);
    }
});
