//! Test helpers: a small CSV reader for labelled sets and the literature's duplicate-removal scorer.
#![allow(dead_code)]

use std::collections::HashMap;

use dedup::{Author, Citation, Outcome, Role};

/// Reads a CSV with (a subset of) the columns id,type,title,authors,year,journal,volume,issue,
/// pages,doi,abstract,isbn,pmid plus any extra columns, returning the records and every row as a map.
/// Every CSV row as a column-name to value map.
pub type Rows = Vec<HashMap<String, String>>;

pub fn read_csv(path: &std::path::Path) -> Option<(Vec<Citation>, Rows)> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_path(path).ok()?;
    let headers: Vec<String> = rdr.headers().ok()?.iter().map(|h| h.trim().to_lowercase()).collect();
    let mut records = Vec::new();
    let mut rows = Vec::new();
    for (line, row) in rdr.records().enumerate() {
        let Ok(row) = row else { continue };
        let map: HashMap<String, String> = headers.iter().cloned().zip(row.iter().map(|v| v.trim().to_string())).collect();
        records.push(to_citation(&map, line as u32 + 2));
        rows.push(map);
    }
    Some((records, rows))
}

fn opt(map: &HashMap<String, String>, key: &str) -> Option<String> {
    map.get(key).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// Maps one CSV row into a citation the way an importer would, but without any normalisation:
/// authors stay one run-together string, pages stay one raw range, DOIs keep their prefixes.
pub fn to_citation(map: &HashMap<String, String>, line: u32) -> Citation {
    let ref_type = match opt(map, "type").unwrap_or_default().to_lowercase().as_str() {
        "" | "article" | "jour" => "JOUR".to_string(),
        other => other.to_uppercase(),
    };
    let authors = opt(map, "authors").map(|a| vec![Author { family: a, given: None }]).unwrap_or_default();
    Citation {
        source_id: opt(map, "id").unwrap_or_default(),
        ref_type,
        title: opt(map, "title"),
        authors,
        year: opt(map, "year").and_then(|y| y.get(..4).and_then(|y| y.parse().ok())),
        journal: opt(map, "journal"),
        volume: opt(map, "volume"),
        issue: opt(map, "issue"),
        start_page: opt(map, "pages"),
        doi: opt(map, "doi"),
        pmid: opt(map, "pmid"),
        abstract_text: opt(map, "abstract"),
        isbn: opt(map, "isbn"),
        line,
        ..Citation::default()
    }
}

/// The scorer's numbers: removable duplicates, correct removals, false merges, review rows.
#[derive(Debug, Default, Clone, Copy)]
pub struct Score {
    pub records: usize,
    pub removable: usize,
    pub correct: usize,
    pub false_merges: usize,
    pub review_rows: usize,
}

impl Score {
    pub fn sensitivity(&self) -> f64 {
        if self.removable == 0 { 1.0 } else { self.correct as f64 / self.removable as f64 }
    }
}

/// Scores an outcome against truth groups exactly as `dedup-score` does: a predicted cluster of n
/// removes n-1; removals within one true group are correct; each extra true group is a false merge.
/// Review rows count as unmerged.
pub fn score(outcome: &Outcome, truth: &[String]) -> Score {
    let mut s = Score { records: truth.len(), ..Score::default() };
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    for g in truth {
        *sizes.entry(g.as_str()).or_default() += 1;
    }
    s.removable = sizes.values().map(|n| n - 1).sum();
    let mut clusters: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, a) in outcome.assignments.iter().enumerate() {
        let c = if a.role == Role::Review {
            s.review_rows += 1;
            i
        } else {
            a.cluster
        };
        clusters.entry(c).or_default().push(i);
    }
    for members in clusters.values() {
        let mut parts: HashMap<&str, usize> = HashMap::new();
        for m in members {
            if let Some(g) = truth.get(*m) {
                *parts.entry(g.as_str()).or_default() += 1;
            }
        }
        s.correct += parts.values().map(|n| n - 1).sum::<usize>();
        s.false_merges += parts.len().saturating_sub(1);
    }
    s
}

/// Writes the prediction CSV the external scorer reads.
pub fn write_pred(outcome: &Outcome, ids: &[String], path: &std::path::Path) -> std::io::Result<()> {
    let mut out = String::from("record_id,cluster_id,decision\n");
    for (i, a) in outcome.assignments.iter().enumerate() {
        let id = ids.get(i).cloned().unwrap_or_default();
        let cid = ids.get(a.cluster).cloned().unwrap_or_default();
        let d = match a.role {
            Role::Unique => "unique",
            Role::Kept => "kept",
            Role::Duplicate => "duplicate",
            Role::Review => "review",
        };
        out.push_str(&format!("{id},{cid},{d}\n"));
    }
    std::fs::write(path, out)
}
