//! Writers: RIS and CSV output of normalised citations, readable again by this crate without loss of any
//! normalised field.

use crate::Citation;

/// Appends one RIS tag line; newlines inside the value become continuation lines.
fn tag(out: &mut String, tag: &str, value: &str) {
    let value = value.trim();
    if value.is_empty() {
        return;
    }
    out.push_str(tag);
    out.push_str("  - ");
    let mut first = true;
    for line in value.lines() {
        if !first {
            out.push_str("\r\n");
        }
        first = false;
        out.push_str(line.trim_end());
    }
    out.push_str("\r\n");
}

/// How an author is written so it reads back the same: collective names keep a trailing comma.
fn author_text(a: &crate::Author) -> String {
    match &a.given {
        Some(g) if !g.is_empty() => format!("{}, {}", a.family, g),
        _ if a.family.contains(' ') => format!("{},", a.family),
        _ => a.family.clone(),
    }
}

/// Writes records as RIS with CRLF line ends and `ER  - ` (with the trailing space EndNote requires).
pub fn ris(records: &[Citation], out: &mut String) {
    for c in records {
        tag(out, "TY", if c.ref_type.is_empty() { "GEN" } else { &c.ref_type });
        tag(out, "ID", &c.source_id);
        if let Some(v) = &c.title {
            tag(out, "TI", v);
        }
        for a in &c.authors {
            tag(out, "AU", &author_text(a));
        }
        if let Some(y) = c.year {
            tag(out, "PY", &y.to_string());
        }
        let opt = |out: &mut String, t: &str, v: &Option<String>| {
            if let Some(v) = v {
                tag(out, t, v);
            }
        };
        opt(out, "T2", &c.journal);
        opt(out, "J2", &c.journal_abbrev);
        opt(out, "VL", &c.volume);
        opt(out, "IS", &c.issue);
        opt(out, "SP", &c.start_page);
        opt(out, "EP", &c.end_page);
        opt(out, "DO", &c.doi);
        opt(out, "C2", &c.pmid);
        opt(out, "C2", &c.pmcid);
        opt(out, "SN", &c.issn);
        opt(out, "SN", &c.isbn);
        opt(out, "AB", &c.abstract_text);
        for k in &c.keywords {
            tag(out, "KW", k);
        }
        opt(out, "LA", &c.language);
        for u in &c.urls {
            tag(out, "UR", u);
        }
        out.push_str("ER  - \r\n\r\n");
    }
}

/// The CSV columns written by [`csv`], all readable by this crate's CSV reader.
pub const CSV_COLUMNS: [&str; 20] = [
    "id",
    "type",
    "title",
    "authors",
    "year",
    "journal",
    "journal abbreviation",
    "volume",
    "issue",
    "page start",
    "page end",
    "doi",
    "pmid",
    "pmcid",
    "issn",
    "isbn",
    "abstract",
    "keywords",
    "language",
    "url",
];

/// Writes records as UTF-8 CSV (with a header row; multi-valued cells joined with "; ").
pub fn csv(records: &[Citation], out: &mut Vec<u8>) {
    let mut w = ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(Vec::new());
    // Writing to a Vec cannot fail; errors are ignored rather than unwrapped.
    let _ = w.write_record(CSV_COLUMNS);
    for c in records {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let row = [
            c.source_id.clone(),
            c.ref_type.clone(),
            s(&c.title),
            c.authors.iter().map(author_text).collect::<Vec<_>>().join("; "),
            c.year.map(|y| y.to_string()).unwrap_or_default(),
            s(&c.journal),
            s(&c.journal_abbrev),
            s(&c.volume),
            s(&c.issue),
            s(&c.start_page),
            s(&c.end_page),
            s(&c.doi),
            s(&c.pmid),
            s(&c.pmcid),
            s(&c.issn),
            s(&c.isbn),
            s(&c.abstract_text),
            c.keywords.join("; "),
            s(&c.language),
            c.urls.join("; "),
        ];
        let _ = w.write_record(&row);
    }
    if let Ok(bytes) = w.into_inner() {
        out.extend_from_slice(&bytes);
    }
}
