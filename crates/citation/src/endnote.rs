//! EndNote XML reader (`<xml><records><record>`), for native EndNote exports whose values are wrapped in
//! one or more `<style face=… font=… size=…>` runs (concatenated) and for Zotero/Mendeley exports with plain
//! values. Paths below are relative to `record`.
//!
//! | Field | Source |
//! |---|---|
//! | source_id | `rec-number` (else position) |
//! | type | `ref-type@name` ("Journal Article", "Book Section"…), else the number: 17 JOUR, 6 BOOK, 5 CHAP, 10 CPAPER, 27 RPRT, 32 THES, 12 ELEC |
//! | authors | `contributors/authors/author` (secondary/tertiary authors kept in `fields` only) |
//! | title | `titles/title` |
//! | journal | `periodical/full-title`, else `titles/secondary-title` |
//! | journal_abbrev | `periodical/abbr-1`, else `alt-periodical/abbr-1`, else `titles/alt-title` |
//! | volume / issue | `volume` / `number`, else `issue` |
//! | pages | `pages` (expanded) |
//! | year | `dates/year`, else `dates/pub-dates/date` |
//! | doi | `electronic-resource-num` |
//! | issn / isbn | `isbn` (decided by shape) |
//! | pmid / pmcid | `accession-num` when `remote-database-name`/`-provider` names MEDLINE, PubMed or NLM / `custom2` when it holds a PMCID |
//! | abstract | `abstract` |
//! | keywords | `keywords/keyword` (also split on newlines and `;`) |
//! | language | `language` |
//! | urls | `urls/*/url` (web links only) |

use std::io;

use crate::decode::Source;
use crate::record::Builder;
use crate::xml::{Records, XmlRecord};
use crate::{Citation, Diagnostic};

fn is_record(name: &str) -> bool {
    name == "record"
}

fn is_inline(name: &str) -> bool {
    matches!(name, "style" | "i" | "b" | "u" | "sup" | "sub" | "em" | "strong")
}

/// Reads EndNote XML records from `source`, handing each to `sink`.
pub(crate) fn parse(source: Source<'_>, sink: &mut dyn FnMut(Citation), diags: &mut Vec<Diagnostic>) -> io::Result<()> {
    let mut records = Records::new(source, is_record, is_inline, &["</record>"], build);
    while let Some(c) = records.next_record(diags)? {
        sink(c);
    }
    Ok(())
}

/// Zotero's fallback map from EndNote's numeric reference types.
fn type_number(n: &str) -> Option<&'static str> {
    Some(match n.trim() {
        "17" => "JOUR",
        "6" => "BOOK",
        "5" => "CHAP",
        "10" => "CPAPER",
        "27" => "RPRT",
        "32" => "THES",
        "12" => "ELEC",
        _ => return None,
    })
}

fn build(rec: XmlRecord<'_>, position: usize, diags: &mut Vec<Diagnostic>) -> Citation {
    let mut b = Builder::new(rec.line);
    let (mut secondary, mut alt_abbr, mut alt_title, mut issue, mut pub_date) = (None, None, None, None, None);
    let (mut accession, mut medline) = (None, false);
    for e in &rec.elems {
        let t: &str = &e.text;
        let path = rec.path(e);
        if path == "ref-type" {
            match e.attr("name").as_deref() {
                Some(name) if !name.is_empty() => b.type_name(name),
                _ => {
                    if let Some(code) = type_number(t) {
                        b.type_name(code);
                    }
                }
            }
            continue;
        }
        if t.trim().is_empty() {
            continue;
        }
        match path {
            "rec-number" => b.source_id(t),
            "contributors/authors/author" => b.author(t),
            "titles/title" => b.title(t),
            "titles/secondary-title" => secondary = secondary.or(Some(t)),
            "titles/alt-title" => alt_title = alt_title.or(Some(t)),
            "periodical/full-title" => b.journal(t),
            "periodical/abbr-1" => b.journal_abbrev(t),
            "alt-periodical/abbr-1" => alt_abbr = alt_abbr.or(Some(t)),
            "volume" => b.volume(t),
            "number" => b.issue(t),
            "issue" => issue = issue.or(Some(t)),
            "pages" => b.pages(t),
            "dates/year" => b.year(t, rec.line),
            "dates/pub-dates/date" => pub_date = pub_date.or(Some(t)),
            "electronic-resource-num" => b.doi(t),
            "isbn" => b.issn_isbn(t),
            "custom2" => b.pmcid(t),
            "accession-num" => accession = accession.or(Some(t)),
            "remote-database-name" | "remote-database-provider" => {
                let l = t.to_ascii_lowercase();
                medline |= l.contains("medline") || l.contains("pubmed") || l.contains("nlm");
            }
            "abstract" => b.abstract_part(t),
            "keywords/keyword" => b.keywords_split(t),
            "language" => b.language(t),
            p if p.starts_with("urls/") && p.ends_with("/url") && t.trim().starts_with("http") => b.url(t),
            _ => {}
        }
    }
    // EndNote records imported from PubMed/MEDLINE keep the PMID as the accession number.
    if medline && let Some(v) = accession {
        b.pmid(v);
    }
    if let Some(v) = secondary {
        b.journal(v);
    }
    if let Some(v) = alt_abbr.or(alt_title) {
        b.journal_abbrev(v);
    }
    if let Some(v) = issue {
        b.issue(v);
    }
    if let Some(v) = pub_date {
        b.year(v, rec.line);
    }
    b.c.fields = rec.into_fields();
    b.finish(position, diags)
}
