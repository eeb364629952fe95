//! The guarded decision rules for one candidate pair, and the conflicts that keep clusters apart.

use crate::evidence::{ev, evidence, score};
use crate::journal::JournalMatch;
use crate::record::Norm;
use crate::similarity::{
    Agree, YearAgree, author_similarity, dice, journal_agree, opt_agree, page_agree, title_similarity, word_set, year_agree,
};
use crate::text::Kind;
use crate::{Decision, FieldEvidence};

/// The verdict on one pair: decision, ranking score, evidence, and the guard that refused a merge.
#[derive(Clone, Debug)]
pub struct Verdict {
    pub decision: Decision,
    pub score: f64,
    pub evidence: Vec<FieldEvidence>,
    pub guard: Option<String>,
}

/// Titles shorter than this (without spaces) are too generic ("Editorial", "Reply") to match on.
const SHORT_TITLE: usize = 25;

/// Everything measured about one pair.
pub struct Signals {
    pub title: f64,
    pub doi: Agree,
    pub pmid: Agree,
    pub year: YearAgree,
    pub journal: JournalMatch,
    pub volume: Agree,
    pub volume_clean: bool,
    pub issue: Agree,
    pub pages: Agree,
    pub authors: Option<(f64, bool)>,
}

fn measure(a: &Norm, b: &Norm) -> Signals {
    Signals {
        title: title_similarity(a, b),
        doi: opt_agree(&a.doi, &b.doi),
        pmid: opt_agree(&a.pmid, &b.pmid),
        year: year_agree(a.year, b.year),
        journal: journal_agree(a, b),
        volume: opt_agree(&a.volume, &b.volume),
        volume_clean: a.volume_clean && b.volume_clean,
        issue: opt_agree(&a.issue, &b.issue),
        pages: page_agree(a, b),
        authors: author_similarity(&a.authors, &b.authors),
    }
}

/// A reason two records can never be one work, whatever else agrees (the guards).
pub fn guard(a: &Norm, b: &Norm) -> Option<String> {
    let same_doi = a.doi.is_some() && a.doi == b.doi;
    // A preprint and its journal version carry different DOIs by design, so this comes first.
    if a.preprint != b.preprint && !same_doi {
        return Some("preprint and published version are related, not duplicates".to_string());
    }
    if let (Some(x), Some(y)) = (&a.doi, &b.doi)
        && x != y
    {
        return Some(format!("DOIs differ: {x} vs {y}"));
    }
    if let (Some(x), Some(y)) = (&a.pmid, &b.pmid)
        && x != y
    {
        return Some(format!("PMIDs differ: {x} vs {y}"));
    }
    if a.kind != b.kind {
        return Some(format!("{} and {} are different publications", a.kind.label(), b.kind.label()));
    }
    if a.part != b.part
        && let (Some(x), Some(y)) = (a.part, b.part)
    {
        return Some(format!("different parts of a series: part {x} vs part {y}"));
    }
    if a.abstract_like != b.abstract_like && !same_doi {
        let same_issue = matches!(journal_agree(a, b), JournalMatch::Same | JournalMatch::Abbreviation)
            && year_agree(a.year, b.year) == YearAgree::Same
            && page_agree(a, b) != Agree::Differ;
        if !same_issue {
            return Some("conference abstract and full article are different publications".to_string());
        }
    }
    None
}

/// A conflict that forbids two records from sharing a cluster: a guard, or fields that cannot
/// both describe one work (start pages or years more than one apart, unrelated titles).
pub fn cluster_conflict(a: &Norm, b: &Norm) -> Option<String> {
    if let Some(g) = guard(a, b) {
        return Some(g);
    }
    if page_agree(a, b) == Agree::Differ && !(a.doi.is_some() && a.doi == b.doi) {
        return Some(format!("start pages differ: {} vs {}", a.spage.as_deref().unwrap_or(""), b.spage.as_deref().unwrap_or("")));
    }
    if year_agree(a.year, b.year) == YearAgree::Far {
        return Some(format!("years differ: {} vs {}", a.year.unwrap_or(0), b.year.unwrap_or(0)));
    }
    if a.key_len > 0 && b.key_len > 0 && dice(&word_set(&a.title), &word_set(&b.title)) < 0.6 {
        return Some("titles are unrelated".to_string());
    }
    None
}

/// Decides one pair and records the evidence.
pub fn decide(a: &Norm, b: &Norm) -> Verdict {
    // Most candidates from author or page blocks have unrelated titles and no shared identifier:
    // they are distinct without measuring anything else.
    let shared_id = (a.doi.is_some() && a.doi == b.doi) || (a.pmid.is_some() && a.pmid == b.pmid);
    if !shared_id && a.key_len > 0 && b.key_len > 0 && !a.same_key(b) {
        let d = dice(&word_set(&a.title), &word_set(&b.title));
        if d < 0.5 {
            let note = format!("titles unrelated ({:.0}% of words shared)", d * 100.0);
            return Verdict { decision: Decision::Distinct, score: 0.0, evidence: vec![ev("title", d * 0.8, note)], guard: None };
        }
    }
    let s = measure(a, b);
    let evidence = evidence(a, b, &s);
    let score = score(&s);
    let verdict = |decision, guard: Option<String>| Verdict { decision, score, evidence: evidence.clone(), guard };
    if let Some(g) = guard(a, b) {
        if a.preprint != b.preprint && a.kind == b.kind && s.title >= 0.9 && s.authors.is_none_or(|(o, f)| f || o >= 0.5) {
            return verdict(Decision::Related, Some(g));
        }
        return verdict(Decision::Distinct, Some(g));
    }
    let authors_agree = s.authors.is_some_and(|(o, f)| f || o >= 0.5);
    let authors_conflict = s.authors.is_some_and(|(o, f)| !f && o < 0.34);
    let journal_ok = matches!(s.journal, JournalMatch::Same | JournalMatch::Abbreviation);
    let short = a.key_len.min(b.key_len) < SHORT_TITLE || a.kind != Kind::Article;
    let strong_id = s.doi == Agree::Same || s.pmid == Agree::Same;

    if strong_id {
        if s.title >= 0.8 || a.key_len == 0 || b.key_len == 0 {
            if s.pages == Agree::Differ {
                // One DOI on several items means a supplement-wide DOI, not one work.
                return verdict(if s.title >= 0.95 { Decision::Review } else { Decision::Distinct }, None);
            }
            return verdict(Decision::Duplicate, None);
        }
        if s.title >= 0.5 && authors_agree && s.pages != Agree::Differ && s.year != YearAgree::Far {
            return verdict(Decision::Review, None);
        }
        return verdict(Decision::Distinct, None);
    }

    let support = [s.pages == Agree::Same, s.volume == Agree::Same, journal_ok, authors_agree, s.year == YearAgree::Same]
        .iter()
        .filter(|x| **x)
        .count();
    let volume_conflict = s.volume == Agree::Differ && s.volume_clean;
    let conflicts =
        [s.pages == Agree::Differ, s.year == YearAgree::Far, s.journal == JournalMatch::Different, authors_conflict, volume_conflict]
            .iter()
            .filter(|x| **x)
            .count();
    // An online-first record (no volume, no pages) often carries the year before the issue's.
    let online_first = (a.volume.is_none() && a.spage.is_none()) || (b.volume.is_none() && b.spage.is_none());
    let same_team = s.authors.is_some_and(|(o, f)| f && o >= 0.8);
    let online_first_match = s.year == YearAgree::Adjacent
        && journal_ok
        && online_first
        && same_team
        && s.title >= 0.999
        && !a.abstract_like
        && !b.abstract_like;
    let year_ok = s.year == YearAgree::Same
        || online_first_match
        || (s.year == YearAgree::Adjacent && journal_ok && (s.pages == Agree::Same || s.volume == Agree::Same));

    if s.title >= 0.95 {
        // A generic title ("Editorial", "Poster abstracts") needs the same page, or the same
        // authors in the same journal issue.
        let same_issue = journal_ok && s.volume == Agree::Same && s.issue != Agree::Differ && s.year == YearAgree::Same;
        if short && s.pages != Agree::Same && !(same_issue && authors_agree && conflicts == 0) {
            return verdict(Decision::Distinct, None);
        }
        if conflicts == 0 {
            if (year_ok && support >= 3) || online_first_match {
                return verdict(Decision::Duplicate, None);
            }
            if s.year == YearAgree::Unknown && (support >= 4 || (support >= 3 && s.title >= 0.999 && authors_agree)) {
                return verdict(Decision::Duplicate, None);
            }
            if s.title >= 0.999 && s.year == YearAgree::Same && authors_agree {
                return verdict(Decision::Duplicate, None);
            }
            if authors_agree && s.year != YearAgree::Far && support >= 2 {
                return verdict(Decision::Review, None);
            }
            return verdict(Decision::Distinct, None);
        }
        if conflicts == 1 && s.journal == JournalMatch::Different {
            // Same title, volume, pages, year and authors: the journal names are two spellings of one journal.
            if s.pages == Agree::Same && s.volume == Agree::Same && s.year == YearAgree::Same && authors_agree {
                return verdict(Decision::Duplicate, None);
            }
        }
        if conflicts == 1 && s.pages == Agree::Same && s.volume == Agree::Same && authors_agree && journal_ok {
            return verdict(Decision::Review, None);
        }
        return verdict(Decision::Distinct, None);
    }
    if s.title >= 0.85 && !short {
        if conflicts == 0 && year_ok && s.pages == Agree::Same && authors_agree && s.journal != JournalMatch::Different {
            return verdict(Decision::Duplicate, None);
        }
        let same_place = s.pages == Agree::Same || (s.volume == Agree::Same && s.issue == Agree::Same);
        if conflicts == 0 && s.year == YearAgree::Same && authors_agree && same_place {
            return verdict(Decision::Review, None);
        }
    }
    verdict(Decision::Distinct, None)
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
