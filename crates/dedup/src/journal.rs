//! Journal names: reduction to significant words and full-title/abbreviation equivalence.

use crate::text::fold;

/// Words that abbreviations drop ("Journal of the American ..." becomes "J Am ...").
const STOP: &[&str] = &[
    "the", "of", "and", "in", "for", "on", "at", "to", "de", "des", "du", "la", "le", "les", "et", "und", "fur", "der", "die", "das", "y",
    "di", "del", "della", "d", "l",
];

/// Markers that start the conference part of an indexed journal name ("Circulation. Conference: ...").
const CONFERENCE_MARKERS: &[&str] = &[". conference", "conference:", ". meeting", ". congress", ". abstracts"];

/// The journal as comparable words plus whether its name marks a conference or abstract issue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JournalKey {
    /// The significant words separated by single spaces.
    pub name: String,
    pub conference: bool,
}

impl JournalKey {
    /// The significant words in order.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.name.split(' ').filter(|w| !w.is_empty())
    }
}

/// Reduces a journal name to its significant words: the conference part, bracketed place names
/// ("(Paris)"), stop words, case, accents and punctuation are removed.
pub fn journal_key(raw: &str) -> JournalKey {
    let lower = raw.to_lowercase();
    let mut cut = lower.len();
    let mut conference = false;
    for m in CONFERENCE_MARKERS {
        if let Some(p) = lower.find(m) {
            cut = cut.min(p);
            conference = true;
        }
    }
    if ["conference", "congress", "meeting", "symposium", "proceedings", "abstracts"].iter().any(|w| lower.contains(w)) {
        conference = conference || lower.contains("abstract") || lower.contains("conference");
    }
    let base = lower.get(..cut).unwrap_or(&lower);
    // Bracketed qualifiers name a place or series, not a different journal.
    let mut cleaned = String::with_capacity(base.len());
    let mut depth = 0usize;
    for c in base.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => cleaned.push(c),
            _ => {}
        }
    }
    let cleaned = cleaned.replace(['\'', '\u{2019}'], " ");
    let folded = fold(&cleaned);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty() && !STOP.contains(w)).collect();
    JournalKey { name: words.join(" "), conference }
}

/// True when `abbr` can abbreviate `full`: same first letter and its letters appear in order
/// ("natl" for "national", "cardiol" for "cardiology").
fn abbreviates(abbr: &str, full: &str) -> bool {
    if abbr == full {
        return true;
    }
    let mut a = abbr.chars();
    let mut f = full.chars();
    match (a.next(), f.next()) {
        (Some(x), Some(y)) if x == y => {}
        _ => return false,
    }
    if abbr.len() > full.len() {
        return false;
    }
    let mut rest = f;
    a.all(|c| rest.any(|d| d == c))
}

/// True when `short` is one word made of the initials of `long`'s words ("BMJ", "JAMA").
fn is_acronym_of(short: &JournalKey, long: &JournalKey) -> bool {
    let word = short.name.as_str();
    if word.contains(' ') || !(2..=6).contains(&word.len()) || long.words().count() != word.len() {
        return false;
    }
    long.words().zip(word.chars()).all(|(w, c)| w.starts_with(c))
}

/// Reads the ISSNs (`1234-567X`) in a field such as "0957-9672 (Print) 1473-6535 (Linking)".
pub fn issns(raw: &str) -> Vec<String> {
    let chars: Vec<char> = raw.chars().collect();
    let mut out = Vec::new();
    for (i, _) in raw.char_indices().enumerate() {
        let Some(win) = chars.get(i..i + 9) else {
            break;
        };
        let ok = win.iter().enumerate().all(|(k, c)| match k {
            4 => *c == '-',
            8 => c.is_ascii_digit() || *c == 'X' || *c == 'x',
            _ => c.is_ascii_digit(),
        });
        let bounded = i == 0 || chars.get(i - 1).is_none_or(|c| !c.is_ascii_alphanumeric());
        if ok && bounded {
            let issn: String = win.iter().collect::<String>().to_ascii_uppercase();
            if !out.contains(&issn) {
                out.push(issn);
            }
        }
    }
    out
}

/// How two journal names relate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JournalMatch {
    /// The same words.
    Same,
    /// One is a word-by-word abbreviation of the other.
    Abbreviation,
    /// Different journals.
    Different,
    /// At least one name is missing.
    Unknown,
}

/// Compares two journal keys word by word.
pub fn compare(a: &JournalKey, b: &JournalKey) -> JournalMatch {
    if a.name.is_empty() || b.name.is_empty() {
        return JournalMatch::Unknown;
    }
    let no_space = |s: &str| s.bytes().filter(|c| *c != b' ').collect::<Vec<u8>>();
    if a.name == b.name || no_space(&a.name) == no_space(&b.name) {
        return JournalMatch::Same;
    }
    if is_acronym_of(a, b) || is_acronym_of(b, a) {
        return JournalMatch::Abbreviation;
    }
    if a.words().count() == b.words().count() {
        let ok = a.words().zip(b.words()).all(|(x, y)| abbreviates(x, y) || abbreviates(y, x));
        if ok {
            return JournalMatch::Abbreviation;
        }
    }
    JournalMatch::Different
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(a: &str, b: &str) -> JournalMatch {
        compare(&journal_key(a), &journal_key(b))
    }

    #[test]
    fn abbreviations_match_full_titles() {
        assert_eq!(m("Curr Opin Lipidol", "Current Opinion in Lipidology"), JournalMatch::Abbreviation);
        assert_eq!(m("J Am Coll Cardiol", "Journal of the American College of Cardiology"), JournalMatch::Abbreviation);
        assert_eq!(m("Diab Vasc Dis Res", "Diabetes & Vascular Disease Research"), JournalMatch::Abbreviation);
        assert_eq!(
            m("Proc Natl Acad Sci U S A", "Proceedings of the National Academy of Sciences of the United States of America"),
            JournalMatch::Abbreviation
        );
        assert_eq!(m("The Lancet", "Lancet"), JournalMatch::Same);
        assert_eq!(m("Circulation. Conference: AHA 2017", "Circulation"), JournalMatch::Same);
        assert_eq!(m("Ann Endocrinol (Paris)", "Annales d'Endocrinologie"), JournalMatch::Abbreviation);
        assert_eq!(m("Ann Endocrinol (Paris)", "Ann Endocrinol"), JournalMatch::Same);
        assert_eq!(m("BMJ", "British Medical Journal"), JournalMatch::Abbreviation);
        assert_eq!(m("JAMA", "Journal of the American Medical Association"), JournalMatch::Abbreviation);
        assert_eq!(m("BMJ", "Brain"), JournalMatch::Different);
    }

    #[test]
    fn issns_are_found() {
        assert_eq!(issns("0957-9672 (Print)\n0957-9672"), vec!["0957-9672".to_string()]);
        assert_eq!(issns("1473-6535 2044-026x"), vec!["1473-6535".to_string(), "2044-026X".to_string()]);
        assert!(issns("978-0-12-345678-9").is_empty());
        assert!(issns("").is_empty());
    }

    #[test]
    fn different_journals_differ() {
        assert_eq!(m("Circulation", "Circulation Research"), JournalMatch::Different);
        assert_eq!(m("Diabetes", "Diabetologia"), JournalMatch::Different);
        assert_eq!(m("Diabetes Care", "Diabetes"), JournalMatch::Different);
        assert_eq!(m("", "Diabetes"), JournalMatch::Unknown);
        assert!(journal_key("Circulation. Conference: AHA").conference);
        assert!(!journal_key("Circulation").conference);
    }
}
