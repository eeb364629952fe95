//! Importing one exported file into a review as a search source, all or nothing.
//!
//! Parsing runs on a blocking thread and streams batches of records over a bounded channel into one
//! database transaction, so memory stays bounded however large the file is. If the file holds an error
//! (or no records), the transaction is rolled back and nothing is stored; the caller gets the
//! diagnostics, each with its line. [`preview`] reads a file the same way and stores nothing: what an
//! import would find, shown before the person fills in the form.

use std::io::Read;
use std::sync::Arc;

use citation::{Citation, Diagnostic, Format, Severity};
use sha2::{Digest, Sha256};
use store::Store;
use store::audit::NewEvent;
use store::imports::NewSource;

/// Records per batch handed from the parser to the database.
const BATCH: usize = 1000;

/// What the person says about the file.
#[derive(Clone, Debug, Default)]
pub struct ImportRequest {
    pub review_id: i32,
    /// `database`, `register`, `website`, `organisation`, `citation_searching` or `other`.
    pub kind: String,
    /// The database or register searched, e.g. "MEDLINE".
    pub name: String,
    /// The interface used, e.g. "Ovid".
    pub platform: Option<String>,
    /// The date the search was run (YYYY-MM-DD).
    pub searched_on: Option<String>,
    pub query: Option<String>,
    pub file_name: String,
    /// Forces a format instead of detecting it.
    pub format: Option<Format>,
    pub actor: Option<i32>,
}

pub const SOURCE_KINDS: [&str; 6] = ["database", "register", "website", "organisation", "citation_searching", "other"];

#[derive(Clone, Debug)]
pub struct ImportSummary {
    pub source_id: i32,
    pub format: Format,
    pub records: usize,
    pub sha256: String,
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file holds errors; nothing was stored.
    #[error("{}", describe(.0))]
    Rejected(Vec<Diagnostic>),
    #[error("could not read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

fn describe(diags: &[Diagnostic]) -> String {
    let errors: Vec<String> =
        diags.iter().filter(|d| d.severity == Severity::Error).take(3).map(|d| format!("line {}: {}", d.line, d.message)).collect();
    if errors.is_empty() {
        "the file holds no records; nothing was imported".to_owned()
    } else {
        format!("nothing was imported: {}", errors.join("; "))
    }
}

/// Progress reports: (stage, done, total); `total` is 0 when unknown.
pub type ProgressFn = Arc<dyn Fn(&str, i64, i64) + Send + Sync>;

/// Imports `reader` into the review described by `req`. `now` stamps every row.
pub async fn import(
    store: &Store,
    req: &ImportRequest,
    reader: impl Read + Send + 'static,
    now: i64,
    progress: ProgressFn,
) -> Result<ImportSummary, ImportError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Citation>>(4);
    let forced = req.format;
    let parser = tokio::task::spawn_blocking(move || {
        let mut hashing = HashingReader { inner: reader, hasher: Sha256::new() };
        let mut batch = Vec::with_capacity(BATCH);
        let mut open = true;
        let outcome = citation::parse_stream(&mut hashing, forced, &mut |c| {
            if !open {
                return;
            }
            batch.push(c);
            if batch.len() >= BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                open = tx.blocking_send(full).is_ok();
            }
        });
        if open && !batch.is_empty() {
            let _ = tx.blocking_send(batch);
        }
        drop(tx);
        outcome.map(|o| (o, hex::encode(hashing.hasher.finalize())))
    });

    let txn = store.begin().await?;
    let source = NewSource {
        kind: req.kind.clone(),
        name: req.name.clone(),
        platform: req.platform.clone(),
        searched_on: req.searched_on.clone(),
        query: req.query.clone(),
        file_name: req.file_name.clone(),
        sha256: String::new(),
        format: String::new(),
    };
    let row = store::imports::insert_source(&txn, req.review_id, &source, req.actor, now).await?;
    let mut stored = 0usize;
    let mut failure: Option<store::StoreError> = None;
    while let Some(batch) = rx.recv().await {
        if failure.is_some() {
            continue;
        }
        let first = i32::try_from(stored + 1).unwrap_or(i32::MAX);
        match store::imports::insert_records(&txn, req.review_id, row.id, first, &batch, now).await {
            Ok(()) => {
                stored += batch.len();
                progress("importing", i64::try_from(stored).unwrap_or(i64::MAX), 0);
            }
            Err(e) => failure = Some(e),
        }
    }
    let (outcome, sha256) = parser.await.map_err(|e| std::io::Error::other(e.to_string()))??;
    if let Some(e) = failure {
        txn.rollback().await.map_err(store::StoreError::from)?;
        return Err(e.into());
    }
    let has_error = outcome.diagnostics.iter().any(|d| d.severity == Severity::Error);
    let format = match outcome.format {
        Some(f) if !has_error && stored > 0 => f,
        _ => {
            txn.rollback().await.map_err(store::StoreError::from)?;
            return Err(ImportError::Rejected(outcome.diagnostics));
        }
    };
    let warnings: Vec<Diagnostic> = outcome.diagnostics;
    let n_warnings = i32::try_from(warnings.len()).unwrap_or(i32::MAX);
    store::imports::finish_source(&txn, row.id, i32::try_from(stored).unwrap_or(i32::MAX), n_warnings).await?;
    store::imports::set_identity(&txn, row.id, &sha256, format.name()).await?;
    store::audit::append(
        &txn,
        NewEvent {
            review_id: Some(req.review_id),
            actor_id: req.actor,
            action: "import",
            entity: "search_source",
            entity_id: row.id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "kind": req.kind, "name": req.name, "platform": req.platform, "searched_on": req.searched_on,
                "query": req.query, "file_name": req.file_name, "sha256": sha256, "format": format.name(),
                "records": stored, "warnings": warnings.len(),
            })),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(ImportSummary { source_id: row.id, format, records: stored, sha256, warnings })
}

/// What reading a file found, without storing it (see [`preview`]).
#[derive(Clone, Debug)]
pub struct Preview {
    /// The format detected (or forced), `None` when it could not be told.
    pub format: Option<Format>,
    pub records: usize,
    /// Warnings and errors in file order, at most [`PREVIEW_DIAGNOSTICS`] of them.
    pub diagnostics: Vec<Diagnostic>,
    pub warnings: usize,
    pub errors: usize,
    /// Where the records say they came from.
    pub origin: citation::origin::Origin,
    /// The earliest and latest publication years.
    pub years: Option<(i32, i32)>,
    pub with_abstract: usize,
    pub with_doi: usize,
    /// The first few records.
    pub sample: Vec<Citation>,
    pub sha256: String,
}

impl Preview {
    /// Whether importing the file would store its records (no errors, at least one record).
    pub fn importable(&self) -> bool {
        self.format.is_some() && self.errors == 0 && self.records > 0
    }
}

/// Diagnostics a preview lists; the counts cover them all.
pub const PREVIEW_DIAGNOSTICS: usize = 200;
const PREVIEW_SAMPLE: usize = 3;

/// Reads `reader` as an import would (`format` forces one), streaming, and says what it found;
/// stores nothing.
pub async fn preview(reader: impl Read + Send + 'static, format: Option<Format>) -> Result<Preview, ImportError> {
    let task = tokio::task::spawn_blocking(move || {
        let mut hashing = HashingReader { inner: reader, hasher: Sha256::new() };
        let mut tally = citation::origin::OriginTally::new();
        let (mut records, mut with_abstract, mut with_doi) = (0usize, 0usize, 0usize);
        let mut years: Option<(i32, i32)> = None;
        let mut sample = Vec::new();
        let outcome = citation::parse_stream(&mut hashing, format, &mut |c| {
            records += 1;
            tally.add(&c);
            with_abstract += usize::from(c.abstract_text.as_deref().is_some_and(|a| !a.trim().is_empty()));
            with_doi += usize::from(c.doi.is_some());
            if let Some(y) = c.year {
                years = Some(years.map_or((y, y), |(lo, hi)| (lo.min(y), hi.max(y))));
            }
            if sample.len() < PREVIEW_SAMPLE {
                sample.push(c);
            }
        })?;
        // The parser may stop early on a file it cannot read; the hash covers the whole file.
        std::io::copy(&mut hashing, &mut std::io::sink())?;
        let sha256 = hex::encode(hashing.hasher.finalize());
        let errors = outcome.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        let warnings = outcome.diagnostics.len() - errors;
        let mut diagnostics = outcome.diagnostics;
        diagnostics.truncate(PREVIEW_DIAGNOSTICS);
        Ok::<_, std::io::Error>(Preview {
            format: outcome.format,
            records,
            diagnostics,
            warnings,
            errors,
            origin: tally.finish(outcome.format),
            years,
            with_abstract,
            with_doi,
            sample,
            sha256,
        })
    });
    Ok(task.await.map_err(|e| std::io::Error::other(e.to_string()))??)
}

struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}
