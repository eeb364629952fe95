//! The normalised view of one citation that blocking, comparison and the guards work on.

use crate::cite::Citation;
use crate::fields::{self, NameKey};
use crate::journal::{self, JournalKey};
use crate::text::{self, Kind};

/// DOI prefixes of preprint servers (bioRxiv/medRxiv, Research Square, SSRN, arXiv, Preprints.org,
/// PsyArXiv/OSF, ChemRxiv, JMIR Preprints, Authorea).
const PREPRINT_DOI_PREFIXES: &[&str] = &[
    "10.1101/",
    "10.21203/",
    "10.2139/",
    "10.48550/",
    "10.20944/",
    "10.31234/",
    "10.31219/",
    "10.26434/",
    "10.2196/preprints",
    "10.22541/",
];

/// Journal words that name a preprint server.
const PREPRINT_SERVERS: &[&str] = &[
    "biorxiv",
    "medrxiv",
    "arxiv",
    "ssrn",
    "chemrxiv",
    "psyarxiv",
    "preprints",
    "research square",
    "authorea",
    "osf preprints",
    "preprint",
    "res sq",
    "qeios",
];

/// One record reduced to the forms the comparison needs.
#[derive(Clone, Debug, Default)]
pub struct Norm {
    /// Normalised title words separated by spaces.
    pub title: String,
    /// Length in bytes of the title without spaces (see [`Norm::key`]).
    pub key_len: usize,
    pub doi: Option<String>,
    pub pmid: Option<String>,
    pub year: Option<i32>,
    /// The journal title and its abbreviation, when given.
    pub journals: Vec<JournalKey>,
    /// ISSNs from the ISSN field (and an ISBN field holding ISSNs, as some exports do).
    pub issns: Vec<String>,
    pub volume: Option<String>,
    /// True when the volume field held nothing but a number (so a difference is meaningful).
    pub volume_clean: bool,
    pub issue: Option<String>,
    pub spage: Option<String>,
    pub epage: Option<String>,
    pub authors: Vec<NameKey>,
    pub kind: Kind,
    pub part: Option<u32>,
    /// A conference abstract or supplement item rather than a full article.
    pub abstract_like: bool,
    pub preprint: bool,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// True when a volume or issue field marks a supplement or meeting-abstract issue.
fn marks_supplement(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    l.contains("suppl") || l.contains("meeting") || l.contains("abstract") || l.contains("conference")
}

/// Supplement and abstract-book pagination: "S170", "A479", or a pages field naming an abstract.
fn abstract_pages(p: &str) -> bool {
    let mut chars = p.chars();
    let lettered = matches!(chars.next(), Some('S' | 'A')) && chars.next().is_some_and(|c| c.is_ascii_digit());
    lettered || p.to_ascii_lowercase().contains("abstract")
}

impl Norm {
    /// Normalises a citation without relying on any canonicalisation done by a parser.
    pub fn new(c: &Citation) -> Norm {
        let title = c.title.as_deref().map(text::normalize_title).unwrap_or_default();
        let key_len = title.bytes().filter(|b| *b != b' ').count();
        let doi = non_empty(&c.doi).and_then(fields::canonical_doi);
        let pmid = non_empty(&c.pmid).map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>()).filter(|p| !p.is_empty());
        let mut journals = Vec::new();
        for j in [non_empty(&c.journal), non_empty(&c.journal_abbrev)].into_iter().flatten() {
            let k = journal::journal_key(j);
            if !k.name.is_empty() && !journals.contains(&k) {
                journals.push(k);
            }
        }
        let (spage, epage) = fields::pages(non_empty(&c.start_page), non_empty(&c.end_page));
        let vol_raw = non_empty(&c.volume).unwrap_or("");
        let issue_raw = non_empty(&c.issue).unwrap_or("");
        let ref_type = c.ref_type.trim().to_ascii_uppercase();
        let type_words = ref_type.to_ascii_lowercase();
        let conference_type = matches!(ref_type.as_str(), "CONF" | "CPAPER" | "ABST" | "CPROCEEDING" | "INCONF")
            || ["conference", "abstract", "meeting", "proceeding", "congress", "poster"].iter().any(|w| type_words.contains(w));
        let abstract_like = conference_type
            || journals.iter().any(|j| j.conference)
            || marks_supplement(vol_raw)
            || marks_supplement(issue_raw)
            || non_empty(&c.start_page).is_some_and(abstract_pages);
        let journal_text = format!("{} {}", non_empty(&c.journal).unwrap_or(""), non_empty(&c.journal_abbrev).unwrap_or("")).to_lowercase();
        // "INPR" also means "in press" (Scopus "Article in Press"): the same work as the issue
        // version. Only a preprint type without a journal, a preprint DOI prefix or a preprint
        // server's name marks a preprint.
        let no_journal = journals.is_empty();
        let preprint = ((ref_type == "INPR" || type_words.contains("preprint")) && no_journal)
            || doi.as_deref().is_some_and(|d| PREPRINT_DOI_PREFIXES.iter().any(|p| d.starts_with(p)))
            || PREPRINT_SERVERS.iter().any(|s| journal_text.contains(s));
        let kind = text::title_kind(c.title.as_deref().unwrap_or(""), &title);
        let part = text::title_part(&title);
        Norm {
            key_len,
            doi,
            pmid,
            year: c.year.filter(|y| (1000..=3000).contains(y)),
            journals,
            issns: [non_empty(&c.issn), non_empty(&c.isbn)].into_iter().flatten().flat_map(journal::issns).collect(),
            volume: fields::leading_number(vol_raw),
            volume_clean: fields::is_plain_number(vol_raw),
            issue: fields::leading_number(issue_raw),
            spage,
            epage,
            authors: fields::author_keys(&c.authors),
            kind,
            part,
            abstract_like,
            preprint,
            title,
        }
    }

    /// The normalised title without spaces, so "co-transporter" and "cotransporter" agree. It is
    /// derived on demand rather than stored, which keeps a million records within memory targets.
    pub fn key(&self) -> String {
        self.title.chars().filter(|c| *c != ' ').collect()
    }

    /// True when the space-free titles are equal (without allocating).
    pub fn same_key(&self, other: &Norm) -> bool {
        self.key_len == other.key_len && self.title.bytes().filter(|b| *b != b' ').eq(other.title.bytes().filter(|b| *b != b' '))
    }

    /// The first author's family name, if any.
    pub fn first_author(&self) -> Option<&str> {
        self.authors.first().map(|a| a.family.as_str())
    }
}

/// A completeness score used to choose the record kept for a cluster.
pub fn completeness(c: &Citation) -> u32 {
    let mut score = 0;
    if non_empty(&c.doi).is_some() {
        score += 8;
    }
    if non_empty(&c.abstract_text).is_some() {
        score += 4;
    }
    for f in [&c.title, &c.journal, &c.volume, &c.issue, &c.start_page, &c.end_page, &c.pmid, &c.issn, &c.journal_abbrev] {
        if non_empty(f).is_some() {
            score += 1;
        }
    }
    if c.year.is_some() {
        score += 1;
    }
    if !c.authors.is_empty() {
        score += 1;
    }
    score
}
