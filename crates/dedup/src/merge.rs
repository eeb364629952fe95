//! Building one merged record from a cluster, keeping the best value of every field.

use crate::cite::{Author, Citation};
use crate::fields::canonical_doi;
use crate::record::completeness;

fn present(s: &Option<String>) -> Option<&String> {
    s.as_ref().filter(|v| !v.trim().is_empty())
}

/// The first present value, starting from the base record.
fn first(records: &[&Citation], get: impl Fn(&Citation) -> &Option<String>) -> Option<String> {
    records.iter().find_map(|r| present(get(r)).cloned())
}

/// The longest present value (ties keep the earlier record).
fn longest(records: &[&Citation], get: impl Fn(&Citation) -> &Option<String>) -> Option<String> {
    let mut best: Option<&String> = None;
    for r in records {
        if let Some(v) = present(get(r))
            && best.is_none_or(|b| v.chars().count() > b.chars().count())
        {
            best = Some(v);
        }
    }
    best.cloned()
}

/// Merges values case-insensitively, keeping first-seen order.
fn union(records: &[&Citation], get: impl Fn(&Citation) -> &Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for r in records {
        for v in get(r) {
            let t = v.trim();
            if !t.is_empty() && seen.insert(t.to_lowercase()) {
                out.push(t.to_string());
            }
        }
    }
    out
}

/// How complete an author list is: named authors count, and given names count extra.
fn author_quality(authors: &[Author]) -> usize {
    authors
        .iter()
        .map(|a| {
            let given = a.given.as_deref().map_or(0, |g| g.trim().chars().filter(|c| c.is_alphabetic()).count());
            2 + given.min(10) + usize::from(!a.family.contains('.'))
        })
        .sum()
}

/// Builds the merged record of a cluster: the most complete record is the base, and each field
/// takes the best value any member offers (longest abstract and journal title, a canonical DOI,
/// the fullest author list, the union of keywords and links). An empty slice gives an empty record.
pub fn merge_best(records: &[&Citation]) -> Citation {
    let mut ordered: Vec<&Citation> = records.to_vec();
    // Stable sort: the most complete record first, input order on ties.
    ordered.sort_by_key(|r| std::cmp::Reverse(completeness(r)));
    let Some(base) = ordered.first().copied() else {
        return Citation::default();
    };
    let authors = ordered
        .iter()
        .max_by(|x, y| author_quality(&x.authors).cmp(&author_quality(&y.authors)).then(std::cmp::Ordering::Greater))
        .map(|r| r.authors.clone())
        .unwrap_or_default();
    let doi = ordered.iter().find_map(|r| r.doi.as_deref().and_then(canonical_doi));
    let end_page = ordered
        .iter()
        .filter(|r| present(&r.start_page) == present(&base.start_page) || present(&base.start_page).is_none())
        .filter_map(|r| present(&r.end_page))
        .max_by_key(|e| e.len())
        .cloned();
    Citation {
        source_id: base.source_id.clone(),
        ref_type: base.ref_type.clone(),
        title: first(&ordered, |r| &r.title),
        authors,
        year: ordered.iter().find_map(|r| r.year),
        journal: longest(&ordered, |r| &r.journal),
        journal_abbrev: first(&ordered, |r| &r.journal_abbrev),
        volume: first(&ordered, |r| &r.volume),
        issue: first(&ordered, |r| &r.issue),
        start_page: first(&ordered, |r| &r.start_page),
        end_page,
        doi,
        pmid: first(&ordered, |r| &r.pmid),
        pmcid: first(&ordered, |r| &r.pmcid),
        issn: first(&ordered, |r| &r.issn),
        isbn: first(&ordered, |r| &r.isbn),
        abstract_text: longest(&ordered, |r| &r.abstract_text),
        keywords: union(&ordered, |r| &r.keywords),
        language: first(&ordered, |r| &r.language),
        urls: union(&ordered, |r| &r.urls),
        fields: base.fields.clone(),
        line: base.line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_best_fields() {
        let a = Citation {
            source_id: "1".into(),
            title: Some("Effects of X".into()),
            journal: Some("Curr Opin Lipidol".into()),
            start_page: Some("221".into()),
            end_page: Some("8".into()),
            abstract_text: Some("Short.".into()),
            keywords: vec!["Mice".into()],
            authors: vec![Author { family: "Smith".into(), given: Some("J".into()) }],
            ..Citation::default()
        };
        let b = Citation {
            source_id: "2".into(),
            title: Some("Effects of X".into()),
            journal: Some("Current Opinion in Lipidology".into()),
            doi: Some("https://doi.org/10.1/ABC".into()),
            start_page: Some("221".into()),
            end_page: Some("228".into()),
            abstract_text: Some("A much longer abstract.".into()),
            keywords: vec!["mice".into(), "Rats".into()],
            authors: vec![Author { family: "Smith".into(), given: Some("John".into()) }],
            ..Citation::default()
        };
        let m = merge_best(&[&a, &b]);
        assert_eq!(m.source_id, "2");
        assert_eq!(m.doi.as_deref(), Some("10.1/abc"));
        assert_eq!(m.journal.as_deref(), Some("Current Opinion in Lipidology"));
        assert_eq!(m.journal_abbrev, None);
        assert_eq!(m.abstract_text.as_deref(), Some("A much longer abstract."));
        assert_eq!(m.keywords, vec!["mice".to_string(), "Rats".to_string()]);
        assert_eq!(m.end_page.as_deref(), Some("228"));
        assert_eq!(m.authors.first().and_then(|a| a.given.clone()).as_deref(), Some("John"));
        assert_eq!(merge_best(&[]), Citation::default());
    }
}
