//! Field similarities: titles (with number and changed-word caps), authors, pages, years, journals.

use crate::fields::NameKey;
use crate::journal::{self, JournalMatch};
use crate::record::Norm;
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

/// Sorted, de-duplicated title words.
pub fn word_set(title: &str) -> Vec<&str> {
    let mut w: Vec<&str> = title.split(' ').filter(|w| !w.is_empty()).collect();
    w.sort_unstable();
    w.dedup();
    w
}

/// Dice coefficient of two sorted word sets.
pub fn dice(a: &[&str], b: &[&str]) -> f64 {
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
    let sim = if short.len() >= 30 && long.starts_with(short.as_str()) { lev.max(0.9) } else { lev };
    // A changed word ("mice" for "rats") is not a typo: such titles need more than the title to merge.
    if word_changed(&a.title, &b.title) { sim.min(WORD_CHANGE_CAP) } else { sim }
}

/// Similarity ceiling for titles that differ by a whole word rather than by spelling.
pub const WORD_CHANGE_CAP: f64 = 0.9;

/// Words whose presence or absence does not change what a title says.
pub const FILLER: &[&str] = &["the", "a", "an", "of", "and", "in", "on", "for", "to", "with", "by", "at", "from", "as", "or"];

/// True when one title has a content word that the other lacks and that is not a spelling
/// variant, hyphenation split or typo of one of the other's words.
pub fn word_changed(a: &str, b: &str) -> bool {
    let wa = word_set(a);
    let wb = word_set(b);
    let only = |x: &[&str], y: &[&str]| -> Vec<String> {
        x.iter().filter(|w| !FILLER.contains(w) && y.binary_search(w).is_err()).map(|w| (*w).to_string()).collect()
    };
    let (oa, ob) = (only(&wa, &wb), only(&wb, &wa));
    let explained = |w: &str, other_only: &[String], other_title: &str| {
        // Typos and British/American spellings ("stabilises"/"stabilizes").
        other_only.iter().any(|o| {
            let dist = strsim::osa_distance(w, o);
            dist <= 1 || (dist <= 2 && w.len().min(o.len()) >= 6)
        })
            // Hyphenation: "co" + "transporter" against "cotransporter".
            || other_title.split(' ').any(|o| o.len() > w.len() && o.contains(w))
            || other_title.replace(' ', "").contains(w) && w.len() <= 3
    };
    oa.iter().any(|w| !explained(w, &ob, b)) || ob.iter().any(|w| !explained(w, &oa, a))
}

/// Similarity ceiling for titles whose numbers differ: below every merge threshold.
pub const NUMBER_MISMATCH_CAP: f64 = 0.75;

/// The numbers in a normalised title (digits and Roman numerals), sorted.
pub fn numbers(title: &str) -> Vec<&str> {
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
pub fn same_family(a: &str, b: &str) -> bool {
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
    let found = short.iter().filter(|s| long.iter().any(|l| same_family(&s.family, &l.family))).count();
    Some((found as f64 / short.len().max(1) as f64, first))
}

pub fn page_agree(a: &Norm, b: &Norm) -> Agree {
    match (&a.spage, &b.spage) {
        (Some(x), Some(y)) => {
            let digits = |s: &str| s.trim_start_matches(|c: char| c.is_ascii_alphabetic()).to_string();
            if x == y || (!digits(x).is_empty() && digits(x) == digits(y)) { Agree::Same } else { Agree::Differ }
        }
        _ => Agree::Unknown,
    }
}

pub fn opt_agree(a: &Option<String>, b: &Option<String>) -> Agree {
    match (a, b) {
        (Some(x), Some(y)) if x == y => Agree::Same,
        (Some(_), Some(_)) => Agree::Differ,
        _ => Agree::Unknown,
    }
}

pub fn year_agree(a: Option<i32>, b: Option<i32>) -> YearAgree {
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
