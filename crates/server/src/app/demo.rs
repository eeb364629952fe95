//! The demo review: a qualitative evidence synthesis of peer workers in homelessness and substance-use
//! services, with records imported from three databases (so deduplication has work) and three people.
//! `sift serve --demo` and `sift demo` write it; it is addressable as `demo`.

use std::sync::Arc;

use store::Store;

use super::import::{ImportRequest, import};
use crate::error::ApiError;

pub const SLUG: &str = "demo";
pub const TITLE: &str = "Peer workers in homelessness and substance-use services: a qualitative evidence synthesis";
pub const QUESTION: &str = "What are the experiences of peer workers, with lived or living experience of homelessness and substance use, who support people facing similar challenges in homelessness and substance-use services?";

/// A demo account and its password (printed at start-up; this is demo data).
#[derive(Clone, Copy, Debug)]
pub struct DemoUser {
    pub email: &'static str,
    pub name: &'static str,
    pub password: &'static str,
    pub role: &'static str,
}

pub const USERS: [DemoUser; 4] = [
    DemoUser { email: "lead@demo.sift", name: "Lena Lead", password: "demo-lead-password", role: "lead" },
    DemoUser { email: "rev1@demo.sift", name: "Ravi Reviewer", password: "demo-reviewer-1", role: "reviewer" },
    DemoUser { email: "rev2@demo.sift", name: "Rosa Reviewer", password: "demo-reviewer-2", role: "reviewer" },
    DemoUser { email: "viewer@demo.sift", name: "Vik Viewer", password: "demo-viewer-pass", role: "viewer" },
];

/// One demo export: file name, database, platform, search date, query, bytes.
struct DemoFile {
    file: &'static str,
    name: &'static str,
    platform: &'static str,
    searched_on: &'static str,
    query: &'static str,
    bytes: &'static [u8],
}

const FILES: [DemoFile; 3] = [
    DemoFile {
        file: "medline.xml",
        name: "MEDLINE",
        platform: "PubMed",
        searched_on: "2024-03-12",
        query: "(\"peer support\" OR \"peer worker*\" OR \"peer navigator*\") AND (homeless* OR \"substance use\" OR drug*) AND qualitative",
        bytes: include_bytes!("../../../../fixtures/demo/medline.xml"),
    },
    DemoFile {
        file: "cinahl.ris",
        name: "CINAHL",
        platform: "EBSCOhost",
        searched_on: "2024-03-12",
        query: "(MH \"Peer Group\" OR \"peer support*\" OR \"peer worker*\") AND (MH \"Homeless Persons\" OR \"substance use*\")",
        bytes: include_bytes!("../../../../fixtures/demo/cinahl.ris"),
    },
    DemoFile {
        file: "scopus.csv",
        name: "Scopus",
        platform: "Elsevier",
        searched_on: "2024-03-13",
        query: "TITLE-ABS-KEY((\"peer support\" OR \"peer worker*\") AND (homeless* OR \"substance use\"))",
        bytes: include_bytes!("../../../../fixtures/demo/scopus.csv"),
    },
];

/// Writes the demo review (users, members, imports, deduplication) unless it already exists.
/// Returns false when it was already there.
pub async fn seed(store: &Store, now: i64) -> Result<bool, ApiError> {
    if store::reviews::by_slug(&store.db, SLUG).await?.is_some() {
        return Ok(false);
    }
    let mut ids = Vec::new();
    for u in USERS {
        let user = match store::users::by_email(&store.db, u.email).await? {
            Some(existing) => existing,
            None => super::users::create(store, u.email, u.name, u.password, false, now).await?,
        };
        ids.push((user.id, u.role));
    }
    let lead = ids.first().map(|(id, _)| *id);
    let review = store::reviews::create(&store.db, SLUG, TITLE, lead, now).await?;
    store::reviews::update(&store.db, review.id, None, Some(QUESTION), None).await?;
    for (id, role) in &ids {
        store::reviews::add_member(&store.db, review.id, *id, role, now).await?;
    }
    let quiet: super::import::ProgressFn = Arc::new(|_, _, _| {});
    for f in FILES {
        let req = ImportRequest {
            review_id: review.id,
            kind: "database".to_owned(),
            name: f.name.to_owned(),
            platform: Some(f.platform.to_owned()),
            searched_on: Some(f.searched_on.to_owned()),
            query: Some(f.query.to_owned()),
            file_name: f.file.to_owned(),
            format: None,
            actor: lead,
        };
        import(store, &req, std::io::Cursor::new(f.bytes), now, quiet.clone())
            .await
            .map_err(|e| ApiError::internal(format!("demo file {}: {e}", f.file)))?;
        super::dedup::run(store, review.id, lead, now, quiet.clone()).await?;
    }
    Ok(true)
}
