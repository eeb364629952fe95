//! MEDLINE/PubMed text reader (`.nbib`, PubMed's "Save → PubMed format").
//!
//! Grammar: a tag of up to four capitals padded to four characters, then `- ` and the value
//! (`PMID- 123`, `TI  - Title`, `FAU - Smith, John`). Lines starting with spaces continue the previous value
//! (joined with a space). Records are separated by blank lines; a `PMID-` line also starts a new record.
//!
//! | Field | Tags |
//! |---|---|
//! | source_id, pmid | PMID |
//! | type | PT (Preprint → INPR, Book → BOOK; otherwise JOUR); books without TI: BOOK |
//! | title | TI, else BTI |
//! | authors | FAU (full names) when present, else AU; CN collective names in place |
//! | abstract | AB |
//! | year | DP ("2019 May 6") |
//! | journal / abbrev | JT / TA; books: BTI as journal for chapters |
//! | volume / issue / pages | VI / IP / PG (expanded), else an e-locator in LID `[pii]` |
//! | doi | LID or AID ending `[doi]` |
//! | pmcid | PMC |
//! | issn / isbn | IS ("1471-2458 (Electronic)") / ISBN |
//! | keywords | MH, OT |
//! | language | LA |

use std::io;

use crate::decode::Source;
use crate::record::Builder;
use crate::{Citation, Diagnostic};

/// Splits a MEDLINE tag line into tag and value.
fn tag_line(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    if b.get(4) != Some(&b'-') || !matches!(b.get(5), None | Some(b' ')) {
        return None;
    }
    let tag = line.get(..4)?.trim_end();
    if tag.is_empty() || !tag.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        return None;
    }
    Some((tag, line.get(6..).unwrap_or_default().trim()))
}

/// Reads MEDLINE records from `source`, handing each to `sink`.
pub(crate) fn parse(mut source: Source<'_>, sink: &mut dyn FnMut(Citation), diags: &mut Vec<Diagnostic>) -> io::Result<()> {
    let mut buf = Vec::with_capacity(4096);
    let mut line_no: u32 = 0;
    let mut open: Option<(u32, Vec<(String, String)>)> = None;
    let mut position = 0usize;
    let mut stray_warned = false;
    while source.next_line(&mut buf, line_no.saturating_add(1), diags)? {
        line_no = line_no.saturating_add(1);
        let line = source.decode(&buf, line_no, diags);
        if line.trim().is_empty() {
            if let Some((start, fields)) = open.take() {
                position += 1;
                sink(build(start, fields, position, diags));
            }
            continue;
        }
        if let Some((tag, v)) = tag_line(&line) {
            if tag == "PMID"
                && let Some((start, fields)) = open.take()
            {
                position += 1;
                sink(build(start, fields, position, diags));
            }
            open.get_or_insert_with(|| (line_no, Vec::new())).1.push((tag.to_string(), v.to_string()));
        } else if line.starts_with(' ') {
            if let Some((_, value)) = open.as_mut().and_then(|(_, f)| f.last_mut()) {
                if !value.is_empty() {
                    value.push(' ');
                }
                value.push_str(line.trim());
            }
        } else if !stray_warned {
            stray_warned = true;
            diags.push(Diagnostic::warning(line_no, "A line that is neither a MEDLINE tag nor a continuation was ignored."));
        }
    }
    if let Some((start, fields)) = open.take() {
        position += 1;
        sink(build(start, fields, position, diags));
    }
    Ok(())
}

fn build(line: u32, fields: Vec<(String, String)>, position: usize, diags: &mut Vec<Diagnostic>) -> Citation {
    let mut b = Builder::new(line);
    let mut full: Vec<&str> = Vec::new();
    let mut short: Vec<&str> = Vec::new();
    let mut has_fau = false;
    let (mut bti, mut pii) = (None, None);
    let mut kind = "JOUR";
    for (tag, v) in &fields {
        let v = v.as_str();
        if v.is_empty() {
            continue;
        }
        match tag.as_str() {
            "PMID" => {
                b.source_id(v);
                b.pmid(v);
            }
            "TI" => b.title(v),
            "BTI" => bti = bti.or(Some(v)),
            "FAU" => {
                has_fau = true;
                full.push(v);
            }
            "AU" => short.push(v),
            "CN" => {
                full.push(v);
                short.push(v);
            }
            "AB" => b.abstract_part(v),
            "DP" => b.year(v, line),
            "JT" => b.journal(v),
            "TA" => b.journal_abbrev(v),
            "VI" => b.volume(v),
            "IP" => b.issue(v),
            "PG" => b.pages(v),
            "LID" | "AID" => {
                if let Some(doi) = v.strip_suffix("[doi]") {
                    b.doi(doi);
                } else if let Some(p) = v.strip_suffix("[pii]") {
                    pii = pii.or(Some(p.trim()));
                }
            }
            "PMC" => b.pmcid(v),
            "IS" | "ISBN" => b.issn_isbn(v),
            "MH" | "OT" => b.keyword(v),
            "LA" => b.language(v),
            "PT" => {
                if v.eq_ignore_ascii_case("preprint") {
                    kind = "INPR";
                } else if v.eq_ignore_ascii_case("book") && kind == "JOUR" {
                    kind = "BOOK";
                }
            }
            _ => {}
        }
    }
    let names = if has_fau { &full } else { &short };
    for n in names {
        // CN names are collective even when they have no trailing comma.
        if fields.iter().any(|(t, v)| t == "CN" && v == n) {
            b.author_parts(n, None);
        } else {
            b.author(n);
        }
    }
    if let Some(t) = bti {
        if b.c.title.is_some() {
            b.journal(t);
            if kind == "BOOK" {
                kind = "CHAP";
            }
        } else {
            b.title(t);
            kind = "BOOK";
        }
    }
    if let Some(p) = pii.filter(|p| {
        let d = p.strip_prefix(['e', 'E']).unwrap_or(p);
        !d.is_empty() && d.len() <= 12 && d.bytes().all(|c| c.is_ascii_digit())
    }) {
        b.pages(p);
    }
    b.type_name(kind);
    b.c.fields = fields;
    b.finish(position, diags)
}
