//! Web of Science plain-text ("tagged") reader.
//!
//! Grammar: header `FN …` / `VR 1.0`; a record starts with `PT` (J journal, B book, S series, P patent) and
//! ends with `ER`; the file ends with `EF`. A tag is two capitals/digits and a single space. Lines starting
//! with three spaces continue the previous tag: in AU, AF, CR, C1 and similar list tags each continuation is
//! another value; elsewhere it is joined with a space.
//!
//! | Field | Tags |
//! |---|---|
//! | source_id | UT (`WOS:…`, else position) |
//! | type | DT (Article, Review → JOUR; Proceedings Paper → CPAPER; Book Chapter → CHAP; Meeting Abstract → ABST…), else PT |
//! | title | TI |
//! | authors | AF (full names), else AU |
//! | journal / abbrev | SO / JI, else J9 |
//! | year | PY, else PD |
//! | volume / issue | VL / IS |
//! | pages | BP, EP, else AR (article number) |
//! | doi | DI, else D2 |
//! | pmid | PM |
//! | issn / isbn | SN, EI / BN |
//! | abstract | AB |
//! | keywords | DE (author keywords) and ID (Keywords Plus), split on `;` |
//! | language | LA |

use std::io;

use crate::decode::Source;
use crate::record::Builder;
use crate::{Citation, Diagnostic};

/// Tags whose continuation lines are separate values.
fn is_list(tag: &str) -> bool {
    matches!(tag, "AU" | "AF" | "BA" | "BF" | "CA" | "GP" | "CR" | "C1" | "RP" | "EM" | "RI" | "OI" | "FU")
}

/// Splits a WoS tag line into tag and value.
fn tag_line(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    let (t0, t1) = (b.first()?, b.get(1)?);
    if !t0.is_ascii_uppercase() || !(t1.is_ascii_uppercase() || t1.is_ascii_digit()) {
        return None;
    }
    match b.get(2) {
        None => Some((line.get(..2)?, "")),
        Some(b' ') => Some((line.get(..2)?, line.get(3..)?.trim())),
        _ => None,
    }
}

/// Reads Web of Science records from `source`, handing each to `sink`.
pub(crate) fn parse(mut source: Source<'_>, sink: &mut dyn FnMut(Citation), diags: &mut Vec<Diagnostic>) -> io::Result<()> {
    let mut buf = Vec::with_capacity(4096);
    let mut line_no: u32 = 0;
    let mut open: Option<(u32, Vec<(String, String)>)> = None;
    let mut position = 0usize;
    while source.next_line(&mut buf, line_no.saturating_add(1), diags)? {
        line_no = line_no.saturating_add(1);
        let line = source.decode(&buf, line_no, diags);
        let line = line.trim_start_matches('\u{feff}');
        if line.starts_with("   ") || (line.starts_with(' ') && open.is_some()) {
            if let Some((_, f)) = open.as_mut() {
                let t = line.trim();
                if let Some((tag, value)) = f.last_mut()
                    && !t.is_empty()
                {
                    if is_list(tag) {
                        let tag = tag.clone();
                        f.push((tag, t.to_string()));
                    } else {
                        value.push(' ');
                        value.push_str(t);
                    }
                }
            }
            continue;
        }
        let Some((tag, v)) = tag_line(line) else {
            continue;
        };
        match tag {
            "PT" => {
                if let Some((start, fields)) = open.take() {
                    diags.push(Diagnostic::warning(
                        start,
                        format!("The record starting on line {start} has no ER line; it was ended at the next PT (line {line_no})."),
                    ));
                    position += 1;
                    sink(build(start, fields, position, diags));
                }
                open = Some((line_no, vec![("PT".to_string(), v.to_string())]));
            }
            "ER" => match open.take() {
                Some((start, fields)) => {
                    position += 1;
                    sink(build(start, fields, position, diags));
                }
                None => diags.push(Diagnostic::warning(line_no, "An ER line outside any record was ignored.")),
            },
            "FN" | "VR" | "EF" if open.is_none() => {}
            _ => match open.as_mut() {
                Some((_, f)) => f.push((tag.to_string(), v.to_string())),
                None => diags.push(Diagnostic::warning(line_no, format!("The {tag} line outside any record was ignored."))),
            },
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

fn build(line: u32, fields: Vec<(String, String)>, position: usize, diags: &mut Vec<Diagnostic>) -> Citation {
    let mut b = Builder::new(line);
    let (mut af, mut au): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    let (mut pt, mut j9, mut pd, mut ar, mut d2) = (None, None, None, None, None);
    for (tag, v) in &fields {
        let v = v.as_str();
        if v.is_empty() {
            continue;
        }
        match tag.as_str() {
            "PT" => pt = Some(v),
            "DT" => {
                for dt in v.split(';') {
                    b.type_name(dt);
                }
            }
            "UT" => b.source_id(v),
            "TI" => b.title(v),
            "AF" => af.push(v),
            "AU" => au.push(v),
            "SO" => b.journal(v),
            "JI" => b.journal_abbrev(v),
            "J9" => j9 = j9.or(Some(v)),
            "PY" => b.year(v, line),
            "PD" => pd = pd.or(Some(v)),
            "VL" => b.volume(v),
            "IS" => b.issue(v),
            "BP" => b.pages(v),
            "EP" => b.end_page(v),
            "AR" => ar = ar.or(Some(v)),
            "DI" => b.doi(v),
            "D2" => d2 = d2.or(Some(v)),
            "PM" => b.pmid(v),
            "SN" | "EI" | "BN" => b.issn_isbn(v),
            "AB" => b.abstract_part(v),
            "DE" | "ID" => b.keywords_split(v),
            "LA" => b.language(v),
            _ => {}
        }
    }
    for a in if af.is_empty() { au } else { af } {
        b.author(a);
    }
    if let Some(v) = j9 {
        b.journal_abbrev(v);
    }
    if let Some(v) = pd {
        b.year(v, line);
    }
    if let Some(v) = ar {
        b.pages(v);
    }
    if let Some(v) = d2 {
        b.doi(v);
    }
    if let Some(p) = pt {
        b.type_name(match p.trim() {
            "J" => "JOUR",
            "B" => "BOOK",
            "S" => "SER",
            "P" => "PAT",
            other => other,
        });
    }
    b.c.fields = fields;
    b.finish(position, diags)
}
