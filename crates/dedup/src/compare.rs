//! Field similarities for one candidate pair and the guarded decision rules built on them.

use crate::fields::NameKey;
use crate::journal::{self, JournalMatch};
use crate::record::Norm;
use crate::text::Kind;
use crate::{Decision, FieldEvidence};

/// Agreement of a field present (or not) on both records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agree {
    Same,
    Differ,
    Unknown,
}

/// Agreement of the publication years.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YearAgree {
    Same,
    /// One year apart (online-first versus print year).
    Adjacent,
    Far,
    Unknown,
}

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

/// Sorted, de-duplicated title words.
fn word_set(title: &str) -> Vec<&str> {
    let mut w: Vec<&str> = title.split(' ').filter(|w| !w.is_empty()).collect();
    w.sort_unstable();
    w.dedup();
    w
}

/// Dice coefficient of two sorted word sets.
fn dice(a: &[&str], b: &[&str]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// Title similarity in 0..=1: 1 for identical normalised titles, otherwise normalised Levenshtein
/// on the space-free titles, computed only when the word sets overlap enough to matter.
pub fn title_similarity(a: &Norm, b: &Norm) -> f64 {
    if a.key_len == 0 || b.key_len == 0 {
        return 0.0;
    }
    if a.same_key(b) {
        return 1.0;
    }
    let d = dice(&word_set(&a.title), &word_set(&b.title));
    if d < 0.5 {
        return d * 0.8;
    }
    // "Type 1" versus "type 2", "phase II" versus "phase III", "2010" versus "2011": titles that
    // differ in a number name different studies however similar the rest is.
    if numbers(&a.title) != numbers(&b.title) {
        return d.min(NUMBER_MISMATCH_CAP);
    }
    let (ka, kb) = (a.key(), b.key());
    let (short, long) = if ka.len() <= kb.len() { (&ka, &kb) } else { (&kb, &ka) };
    let lev = strsim::normalized_levenshtein(&ka, &kb);
    // A title that is the other's main title without its subtitle is close but not identical.
    if short.len() >= 30 && long.starts_with(short.as_str()) {
        return lev.max(0.9);
    }
    lev
}

/// Similarity ceiling for titles whose numbers differ: below every merge threshold.
const NUMBER_MISMATCH_CAP: f64 = 0.75;

/// The numbers in a normalised title (digits and Roman numerals), sorted.
fn numbers(title: &str) -> Vec<&str> {
    const ROMAN: &[&str] = &["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"];
    let mut out: Vec<&str> = title
        .split(' ')
        .filter(|w| w.bytes().any(|b| b.is_ascii_digit()) && w.bytes().all(|b| b.is_ascii_digit()) || ROMAN.contains(w))
        .collect();
    out.sort_unstable();
    out
}

/// True when two family names denote the same person (allowing a typo or a dropped part of a
/// compound name such as "Khemais" for "Khemais-Benkhiat").
fn same_family(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() >= 4 && long.starts_with(short) {
        return true;
    }
    short.len() >= 4 && strsim::jaro_winkler(a, b) >= 0.92
}

/// Author agreement: the share of the shorter list (first 15) found in the other list, and
/// whether the first authors agree.
pub fn author_similarity(a: &[NameKey], b: &[NameKey]) -> Option<(f64, bool)> {
    let (first_a, first_b) = (a.first()?, b.first()?);
    let first = same_family(&first_a.family, &first_b.family)
        && match (first_a.initial, first_b.initial) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        };
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let short = short.get(..short.len().min(15)).unwrap_or(short);
    let long = long.get(..long.len().min(40)).unwrap_or(long);
    let found = short
        .iter()
        .filter(|s| long.iter().any(|l| same_family(&s.family, &l.family)))
        .count();
    Some((found as f64 / short.len().max(1) as f64, first))
}

fn page_agree(a: &Norm, b: &Norm) -> Agree {
    match (&a.spage, &b.spage) {
        (Some(x), Some(y)) => {
            let digits = |s: &str| s.trim_start_matches(|c: char| c.is_ascii_alphabetic()).to_string();
            if x == y || (!digits(x).is_empty() && digits(x) == digits(y)) {
                Agree::Same
            } else {
                Agree::Differ
            }
        }
        _ => Agree::Unknown,
    }
}

fn opt_agree(a: &Option<String>, b: &Option<String>) -> Agree {
    match (a, b) {
        (Some(x), Some(y)) if x == y => Agree::Same,
        (Some(_), Some(_)) => Agree::Differ,
        _ => Agree::Unknown,
    }
}

fn year_agree(a: Option<i32>, b: Option<i32>) -> YearAgree {
    match (a, b) {
        (Some(x), Some(y)) if x == y => YearAgree::Same,
        (Some(x), Some(y)) if (x - y).abs() == 1 => YearAgree::Adjacent,
        (Some(_), Some(_)) => YearAgree::Far,
        _ => YearAgree::Unknown,
    }
}

/// The best relation between any of the two records' journal names.
pub fn journal_agree(a: &Norm, b: &Norm) -> JournalMatch {
    // A shared ISSN identifies the journal whatever its name looks like.
    if a.issns.iter().any(|x| b.issns.contains(x)) {
        return JournalMatch::Same;
    }
    let mut best = JournalMatch::Unknown;
    for x in &a.journals {
        for y in &b.journals {
            let m = journal::compare(x, y);
            best = match (best, m) {
                (JournalMatch::Same, _) | (_, JournalMatch::Same) => JournalMatch::Same,
                (JournalMatch::Abbreviation, _) | (_, JournalMatch::Abbreviation) => JournalMatch::Abbreviation,
                (JournalMatch::Different, _) | (_, JournalMatch::Different) => JournalMatch::Different,
                _ => JournalMatch::Unknown,
            };
        }
    }
    best
}

/// Everything measured about one pair.
struct Signals {
    title: f64,
    doi: Agree,
    pmid: Agree,
    year: YearAgree,
    journal: JournalMatch,
    volume: Agree,
    volume_clean: bool,
    issue: Agree,
    pages: Agree,
    authors: Option<(f64, bool)>,
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
        return Some(format!(
            "start pages differ: {} vs {}",
            a.spage.as_deref().unwrap_or(""),
            b.spage.as_deref().unwrap_or("")
        ));
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
        if a.preprint != b.preprint
            && a.kind == b.kind
            && s.title >= 0.9
            && s.authors.is_none_or(|(o, f)| f || o >= 0.5)
        {
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

    let support = [
        s.pages == Agree::Same,
        s.volume == Agree::Same,
        journal_ok,
        authors_agree,
        s.year == YearAgree::Same,
    ]
    .iter()
    .filter(|x| **x)
    .count();
    let volume_conflict = s.volume == Agree::Differ && s.volume_clean;
    let conflicts = [
        s.pages == Agree::Differ,
        s.year == YearAgree::Far,
        s.journal == JournalMatch::Different,
        authors_conflict,
        volume_conflict,
    ]
    .iter()
    .filter(|x| **x)
    .count();
    let year_ok = s.year == YearAgree::Same
        || (s.year == YearAgree::Adjacent && (s.pages == Agree::Same || s.volume == Agree::Same) && journal_ok);

    if s.title >= 0.95 {
        // A generic title ("Editorial", "Poster abstracts") needs the same page, or the same
        // authors in the same journal issue.
        let same_issue = journal_ok && s.volume == Agree::Same && s.issue != Agree::Differ && s.year == YearAgree::Same;
        if short && s.pages != Agree::Same && !(same_issue && authors_agree && conflicts == 0) {
            return verdict(Decision::Distinct, None);
        }
        if conflicts == 0 {
            if year_ok && support >= 3 {
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
        if conflicts == 0 && s.year == YearAgree::Same && authors_agree && (s.pages == Agree::Same || s.volume == Agree::Same) {
            return verdict(Decision::Review, None);
        }
    }
    verdict(Decision::Distinct, None)
}

/// A ranking score in 0..=1: the weighted mean of the similarities of fields known on both sides.
fn score(s: &Signals) -> f64 {
    let mut num = 4.0 * s.title;
    let mut den = 4.0;
    let mut add = |w: f64, v: Option<f64>| {
        if let Some(v) = v {
            num += w * v;
            den += w;
        }
    };
    let agree = |a: Agree| match a {
        Agree::Same => Some(1.0),
        Agree::Differ => Some(0.0),
        Agree::Unknown => None,
    };
    add(3.0, agree(s.doi));
    add(3.0, agree(s.pmid));
    add(2.0, s.authors.map(|(o, f)| if f { 0.5 + 0.5 * o } else { 0.5 * o }));
    add(
        1.0,
        match s.year {
            YearAgree::Same => Some(1.0),
            YearAgree::Adjacent => Some(0.5),
            YearAgree::Far => Some(0.0),
            YearAgree::Unknown => None,
        },
    );
    add(
        1.0,
        match s.journal {
            JournalMatch::Same => Some(1.0),
            JournalMatch::Abbreviation => Some(0.9),
            JournalMatch::Different => Some(0.0),
            JournalMatch::Unknown => None,
        },
    );
    add(1.0, agree(s.pages));
    add(0.5, agree(s.volume));
    add(0.5, agree(s.issue));
    num / den
}

fn ev(field: &'static str, similarity: f64, note: String) -> FieldEvidence {
    FieldEvidence { field, similarity: similarity.clamp(0.0, 1.0), note }
}

fn show(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

/// Human-readable evidence for every field known on both records.
fn evidence(a: &Norm, b: &Norm, s: &Signals) -> Vec<FieldEvidence> {
    let mut out = Vec::with_capacity(10);
    match s.doi {
        Agree::Same => out.push(ev("doi", 1.0, format!("same DOI {}", show(&a.doi)))),
        Agree::Differ => out.push(ev("doi", 0.0, format!("DOIs differ: {} vs {}", show(&a.doi), show(&b.doi)))),
        Agree::Unknown if a.doi.is_some() || b.doi.is_some() => {
            out.push(ev("doi", 0.5, "DOI present on one record only".to_string()));
        }
        Agree::Unknown => {}
    }
    match s.pmid {
        Agree::Same => out.push(ev("pmid", 1.0, format!("same PMID {}", show(&a.pmid)))),
        Agree::Differ => out.push(ev("pmid", 0.0, format!("PMIDs differ: {} vs {}", show(&a.pmid), show(&b.pmid)))),
        Agree::Unknown => {}
    }
    let title_note = if a.key_len == 0 || b.key_len == 0 {
        "title missing".to_string()
    } else if s.title >= 1.0 {
        "titles identical after normalisation".to_string()
    } else {
        format!("titles {:.0}% similar (normalised Levenshtein)", s.title * 100.0)
    };
    out.push(ev("title", s.title, title_note));
    if let Some((overlap, first)) = s.authors {
        let note = format!(
            "{:.0}% of authors shared; first author {}",
            overlap * 100.0,
            if first { "matches" } else { "differs" }
        );
        out.push(ev("authors", if first { 0.5 + 0.5 * overlap } else { 0.5 * overlap }, note));
    }
    match s.year {
        YearAgree::Same => out.push(ev("year", 1.0, format!("same year {}", a.year.unwrap_or(0)))),
        YearAgree::Adjacent | YearAgree::Far => out.push(ev(
            "year",
            if s.year == YearAgree::Adjacent { 0.5 } else { 0.0 },
            format!("years differ: {} vs {}", a.year.unwrap_or(0), b.year.unwrap_or(0)),
        )),
        YearAgree::Unknown => {}
    }
    let jname = |n: &Norm| n.journals.first().map(|j| j.name.clone()).unwrap_or_default();
    match s.journal {
        JournalMatch::Same => out.push(ev("journal", 1.0, format!("same journal ({})", jname(a)))),
        JournalMatch::Abbreviation => out.push(ev(
            "journal",
            0.9,
            format!("journal abbreviation matches full title ({} ~ {})", jname(a), jname(b)),
        )),
        JournalMatch::Different => {
            out.push(ev("journal", 0.0, format!("journals differ: {} vs {}", jname(a), jname(b))));
        }
        JournalMatch::Unknown => {}
    }
    match s.volume {
        Agree::Same => out.push(ev("volume", 1.0, format!("same volume {}", show(&a.volume)))),
        Agree::Differ => out.push(ev("volume", 0.0, format!("volumes differ: {} vs {}", show(&a.volume), show(&b.volume)))),
        Agree::Unknown => {}
    }
    match s.issue {
        Agree::Same => out.push(ev("issue", 1.0, format!("same issue {}", show(&a.issue)))),
        Agree::Differ => out.push(ev("issue", 0.0, format!("issues differ: {} vs {}", show(&a.issue), show(&b.issue)))),
        Agree::Unknown => {}
    }
    match s.pages {
        Agree::Same => {
            let range = |n: &Norm| match (&n.spage, &n.epage) {
                (Some(s), Some(e)) => format!("{s}-{e}"),
                (Some(s), None) => s.clone(),
                _ => String::new(),
            };
            out.push(ev("pages", 1.0, format!("same start page: {} vs {} (ranges expanded)", range(a), range(b))));
        }
        Agree::Differ => out.push(ev("pages", 0.0, format!("start pages differ: {} vs {}", show(&a.spage), show(&b.spage)))),
        Agree::Unknown => {}
    }
    if a.kind != b.kind || a.abstract_like != b.abstract_like || a.preprint != b.preprint {
        let label = |n: &Norm| {
            if n.preprint {
                "preprint"
            } else if n.abstract_like {
                "conference abstract"
            } else {
                n.kind.label()
            }
        };
        out.push(ev("type", 0.0, format!("publication types differ: {} vs {}", label(a), label(b))));
    }
    out
}
