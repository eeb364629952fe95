//! RIS reader (Reference Manager tagged text, as exported by Ovid, EBSCO, Scopus, Web of Science, EndNote,
//! Zotero and Mendeley).
//!
//! Grammar: a tag line matches `^([A-Z][A-Z0-9]) {1,2}-( (.*))?$`; any other line inside a record continues
//! the previous value (newlines kept for AB, N1, N2, KW, L1–L3, RN; otherwise joined with a space). A record
//! runs from `TY` to `ER`. Lines outside records (Ovid's "1." / "<1>", "Record #1 of 2", provider headers)
//! are skipped. A `TY` inside an open record ends it (warning); a stray `ER` is ignored (warning).
//!
//! | Field | Tags (first listed wins) |
//! |---|---|
//! | type | TY (WEB → ELEC, unknown → GEN) |
//! | source_id | ID (else position) |
//! | title | TI, T1, then CT |
//! | authors | AU, A1 (A2–A4 editors/series kept in `fields` only) |
//! | year | PY, Y1 ("2008///"), then DA |
//! | journal | JF, T2, JO, BT |
//! | journal_abbrev | JA, J2, then JO when another tag gave the full title |
//! | volume / issue | VL / IS |
//! | pages | SP (ranges like "221-8" expanded), EP; C7 (Scopus article number) when no SP |
//! | doi | DO, DI, then M3 (EndNote), L3 (EBSCO), then a doi.org UR |
//! | pmid / pmcid | C2 by shape (Scopus: PMID; EndNote: PMCID); AN when DB/DP names MEDLINE or PubMed |
//! | issn / isbn | SN by shape, BN |
//! | abstract | AB (repeats joined by a blank line), else N2 (Ovid) |
//! | keywords | KW (also split on newlines and `;`) |
//! | language | LA |
//! | urls | UR, L2, LK, and L1/L4 when they are web links |

use std::io;

use crate::decode::Source;
use crate::record::Builder;
use crate::{Citation, Diagnostic};

/// Splits a RIS tag line into its tag and value. Accepts one or two spaces before the dash and an empty value.
pub(crate) fn tag_line(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    let (&t0, &t1) = (b.first()?, b.get(1)?);
    if !t0.is_ascii_uppercase() || !(t1.is_ascii_uppercase() || t1.is_ascii_digit()) {
        return None;
    }
    let after = if b.get(2..5) == Some(b"  -") {
        5
    } else if b.get(2..4) == Some(b" -") {
        4
    } else {
        return None;
    };
    match b.get(after) {
        None => Some((line.get(..2)?, "")),
        Some(b' ') => Some((line.get(..2)?, line.get(after + 1..)?.trim())),
        // Tolerate trailing whitespace after the dash ("ER  -\t").
        Some(c) if c.is_ascii_whitespace() && line.get(after..)?.trim().is_empty() => Some((line.get(..2)?, "")),
        _ => None,
    }
}

/// Tags whose continuation lines keep their line breaks.
fn keeps_newlines(tag: &str) -> bool {
    matches!(tag, "AB" | "N1" | "N2" | "KW" | "L1" | "L2" | "L3" | "RN")
}

/// Reads RIS records from `source`, handing each to `sink`.
pub(crate) fn parse(mut source: Source<'_>, sink: &mut dyn FnMut(Citation), diags: &mut Vec<Diagnostic>) -> io::Result<()> {
    let mut buf = Vec::with_capacity(4096);
    let mut line_no: u32 = 0;
    let mut open: Option<(u32, Vec<(String, String)>)> = None;
    let mut position = 0usize;
    while source.next_line(&mut buf, line_no.saturating_add(1), diags)? {
        line_no = line_no.saturating_add(1);
        let line = source.decode(&buf, line_no, diags);
        match tag_line(&line) {
            Some(("TY", v)) => {
                if let Some((start, fields)) = open.take() {
                    diags.push(Diagnostic::warning(
                        start,
                        format!("The record starting on line {start} has no ER line; it was ended at the next TY (line {line_no})."),
                    ));
                    position += 1;
                    sink(build(start, fields, position, diags));
                }
                let mut fields = Vec::with_capacity(32);
                fields.push(("TY".to_string(), v.to_string()));
                open = Some((line_no, fields));
            }
            Some(("ER", _)) => match open.take() {
                Some((start, fields)) => {
                    position += 1;
                    sink(build(start, fields, position, diags));
                }
                None => diags.push(Diagnostic::warning(line_no, "An ER line outside any record was ignored.")),
            },
            Some((tag, v)) => {
                if let Some((_, fields)) = open.as_mut() {
                    fields.push((tag.to_string(), v.to_string()));
                }
            }
            None => {
                if let Some((_, fields)) = open.as_mut() {
                    let t = line.trim();
                    if let Some((tag, value)) = fields.last_mut() {
                        let keep = keeps_newlines(tag);
                        if t.is_empty() {
                            // A blank line inside an abstract or note is a paragraph break.
                            if keep && !value.is_empty() {
                                value.push('\n');
                            }
                        } else {
                            if !value.is_empty() {
                                value.push(if keep { '\n' } else { ' ' });
                            }
                            value.push_str(t);
                        }
                    }
                }
            }
        }
    }
    if let Some((start, fields)) = open.take() {
        diags.push(Diagnostic::warning(
            start,
            format!("The record starting on line {start} has no ER line at the end of the file; it was kept."),
        ));
        position += 1;
        sink(build(start, fields, position, diags));
    }
    Ok(())
}

/// Maps one record's tags to a citation.
fn build(line: u32, mut fields: Vec<(String, String)>, position: usize, diags: &mut Vec<Diagnostic>) -> Citation {
    for (_, v) in fields.iter_mut() {
        while v.ends_with('\n') {
            v.pop();
        }
    }
    let mut b = Builder::new(line);
    let mut full: [Option<&str>; 4] = [None; 4];
    let mut abbrev: [Option<&str>; 2] = [None; 2];
    let (mut ct, mut da, mut c7) = (None, None, None);
    let mut n2: Vec<&str> = Vec::new();
    let mut doi_fallback: Vec<&str> = Vec::new();
    let (mut an, mut medline) = (None, false);
    for (tag, v) in &fields {
        let v = v.as_str();
        if v.is_empty() {
            continue;
        }
        match tag.as_str() {
            "TY" => b.ris_type(v),
            "ID" => b.source_id(v),
            "TI" | "T1" => b.title(v),
            "CT" => ct = ct.or(Some(v)),
            "AU" | "A1" => b.author(v),
            "PY" | "Y1" => b.year(v, line),
            "DA" => da = da.or(Some(v)),
            "JF" => full[0] = full[0].or(Some(v)),
            "T2" => full[1] = full[1].or(Some(v)),
            "JO" => full[2] = full[2].or(Some(v)),
            "BT" => full[3] = full[3].or(Some(v)),
            "JA" => abbrev[0] = abbrev[0].or(Some(v)),
            "J2" => abbrev[1] = abbrev[1].or(Some(v)),
            "VL" => b.volume(v),
            "IS" => b.issue(v),
            "SP" => b.pages(v),
            "EP" => b.end_page(v),
            "C7" => c7 = c7.or(Some(v)),
            "DO" | "DI" => b.doi(v),
            "M3" | "L3" => doi_fallback.push(v),
            "AN" => an = an.or(Some(v)),
            "DB" | "DP" => medline |= v.contains("MEDLINE") || v.contains("PubMed"),
            "C2" => {
                b.pmid(v);
                b.pmcid(v);
            }
            "SN" => b.issn_isbn(v),
            "BN" => b.issn_isbn(v),
            "AB" => b.abstract_part(v),
            "N2" => n2.push(v),
            "KW" => b.keywords_split(v),
            "LA" => b.language(v),
            "UR" | "L2" | "LK" => {
                b.url(v);
                if v.contains("doi.org/") {
                    doi_fallback.push(v);
                }
            }
            "L1" | "L4" if v.starts_with("http") => b.url(v),
            _ => {}
        }
    }
    if let Some(t) = ct {
        b.title(t);
    }
    if let Some(d) = da {
        b.year(d, line);
    }
    let full_title = full.iter().flatten().next().copied();
    if let Some(j) = full_title {
        b.journal(j);
    }
    let abbr = abbrev.iter().flatten().next().copied().or_else(|| {
        // JO is an abbreviation only when another tag already gave the full title.
        full[2].filter(|jo| full_title != Some(*jo))
    });
    if let Some(a) = abbr {
        b.journal_abbrev(a);
    }
    if !b.has_abstract() {
        for v in n2 {
            b.abstract_part(v);
        }
    }
    // Ovid MEDLINE and PubMed exports put the PMID in AN.
    if medline && let Some(v) = an {
        b.pmid(v);
    }
    for v in doi_fallback {
        b.doi(v);
    }
    if b.c.start_page.is_none()
        && let Some(a) = c7
    {
        b.pages(a);
    }
    b.c.fields = fields;
    b.finish(position, diags)
}
