//! CSV reader for Scopus exports and generic spreadsheets: columns are matched by name (case-insensitive),
//! never by position. The delimiter (`,` `;` or tab) is sniffed from the header row.
//!
//! | Field | Column names (first present wins) |
//! |---|---|
//! | source_id | id, key, record id (else position) |
//! | type | type, document type, publication type, ref_type, item type |
//! | title | title, article title, document title, primary title |
//! | authors | authors, author, author(s), then author full names ("Smith, John (123)") |
//! | year | year, publication year, py, pubyear, date |
//! | journal | journal, source title, journal title, publication title, secondary title, journal/book, source |
//! | journal_abbrev | abbreviated source title, journal abbreviation, journal_abbrev, abbrev |
//! | volume / issue | volume / issue, number |
//! | pages | pages, page, page start + page end, art. no. (when no pages) |
//! | doi | doi |
//! | abstract | abstract |
//! | issn / isbn | issn, isbn, sn (each decided by shape: an ISSN in an isbn column goes to issn) |
//! | keywords | keywords, author keywords, index keywords (all merged; split on `;`) |
//! | pmid / pmcid | pubmed id, pmid / pmcid |
//! | language | language, language of original document |
//! | urls | url, link, urls |
//!
//! Author cells are split on `;` (or `|`, " and ", comma-separated "Family I." names, or names run together
//! after an initial as in "Adeli K.Lewis G. F.").

use std::io::{self, BufRead};

use crate::decode::{Source, utf8_or_1252};
use crate::record::Builder;
use crate::{Citation, Diagnostic, author};

/// Column indexes for the fields we map.
#[derive(Default)]
struct Cols {
    id: Option<usize>,
    kind: Option<usize>,
    title: Option<usize>,
    authors: Option<usize>,
    full_names: Option<usize>,
    year: Option<usize>,
    journal: Option<usize>,
    abbrev: Option<usize>,
    volume: Option<usize>,
    issue: Option<usize>,
    pages: Option<usize>,
    page_start: Option<usize>,
    page_end: Option<usize>,
    art_no: Option<usize>,
    doi: Option<usize>,
    abstract_text: Option<usize>,
    ids: Vec<usize>,
    keywords: Vec<usize>,
    pmid: Option<usize>,
    pmcid: Option<usize>,
    language: Option<usize>,
    urls: Vec<usize>,
}

fn find(headers: &[String], aliases: &[&str]) -> Option<usize> {
    aliases.iter().find_map(|a| headers.iter().position(|h| h == a))
}

fn find_all(headers: &[String], aliases: &[&str]) -> Vec<usize> {
    (0..headers.len()).filter(|&i| headers.get(i).is_some_and(|h| aliases.contains(&h.as_str()))).collect()
}

impl Cols {
    fn map(h: &[String]) -> Cols {
        Cols {
            id: find(h, &["id", "key", "record id", "recordid"]),
            kind: find(h, &["type", "document type", "publication type", "ref_type", "reference type", "item type"]),
            title: find(h, &["title", "article title", "document title", "primary title"]),
            authors: find(h, &["authors", "author", "author(s)", "author names"]),
            full_names: find(h, &["author full names", "author full name"]),
            year: find(h, &["year", "publication year", "py", "pubyear", "publication_year", "date", "publication date"]),
            journal: find(
                h,
                &["journal", "source title", "journal title", "publication title", "secondary title", "journal/book", "source"],
            ),
            abbrev: find(h, &["abbreviated source title", "journal abbreviation", "journal_abbrev", "abbrev"]),
            volume: find(h, &["volume", "vol"]),
            issue: find(h, &["issue", "number"]),
            pages: find(h, &["pages", "page", "page range"]),
            page_start: find(h, &["page start", "start page", "start_page"]),
            page_end: find(h, &["page end", "end page", "end_page"]),
            art_no: find(h, &["art. no.", "article number"]),
            doi: find(h, &["doi"]),
            abstract_text: find(h, &["abstract", "abstract note"]),
            ids: find_all(h, &["issn", "isbn", "sn", "eissn", "issn/isbn"]),
            keywords: find_all(h, &["keywords", "author keywords", "index keywords", "manual tags", "mesh terms"]),
            pmid: find(h, &["pubmed id", "pmid"]),
            pmcid: find(h, &["pmcid"]),
            language: find(h, &["language", "language of original document"]),
            urls: find_all(h, &["url", "link", "urls"]),
        }
    }
}

/// Picks the delimiter that occurs most often (outside quotes) in the header row.
fn sniff_delimiter(first: &[u8]) -> u8 {
    let line = first.split(|b| *b == b'\n').next().unwrap_or_default();
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let [c, s, t] = counts;
    if t > c && t >= s {
        b'\t'
    } else if s > c {
        b';'
    } else {
        b','
    }
}

/// Reads CSV records from `source`, handing each to `sink`.
pub(crate) fn parse(mut source: Source<'_>, sink: &mut dyn FnMut(Citation), diags: &mut Vec<Diagnostic>) -> io::Result<()> {
    let head = source.reader.fill_buf()?;
    // Excel's "sep=;" first line names the delimiter; it is skipped.
    let sep_line = head.strip_prefix(b"sep=").and_then(|r| r.first().copied()).filter(|d| matches!(d, b',' | b';' | b'\t' | b'|'));
    let delim = sep_line.unwrap_or_else(|| sniff_delimiter(head));
    // With CRLF line ends the csv crate reports a row as starting on the previous line (at its `\n`).
    let crlf_shift = u32::from(memchr::memchr(b'\n', head).is_some_and(|i| i > 0 && head.get(i - 1) == Some(&b'\r')));
    if sep_line.is_some() {
        let mut skipped = Vec::new();
        source.reader.read_until(b'\n', &mut skipped)?;
    }
    let mut rdr = csv::ReaderBuilder::new().delimiter(delim).flexible(true).has_headers(false).from_reader(source.reader);
    let mut rec = csv::ByteRecord::new();
    let mut warned = false;
    let mut decode = |bytes: &[u8], line: u32, diags: &mut Vec<Diagnostic>| -> String {
        let (s, fell_back) = utf8_or_1252(bytes);
        if fell_back && !warned {
            warned = true;
            diags.push(Diagnostic::warning(line, "This row is not valid UTF-8; it was read as Windows-1252 (later such rows are too)."));
        }
        s.into_owned()
    };
    let headers: Vec<String> = match rdr.read_byte_record(&mut rec) {
        Ok(true) => rec.iter().map(|h| decode(h, 1, diags)).collect(),
        Ok(false) => return Ok(()),
        Err(e) => return csv_error(e, 1, diags),
    };
    let names: Vec<String> =
        headers.iter().map(|h| h.trim_matches(|c: char| c == '\u{feff}' || c == '"' || c.is_whitespace()).to_lowercase()).collect();
    let cols = Cols::map(&names);
    if cols.title.is_none() && cols.authors.is_none() && cols.doi.is_none() && cols.full_names.is_none() {
        diags
            .push(Diagnostic::error(1, "The header row has no title, authors or DOI column: check that the first row holds column names."));
        return Ok(());
    }
    let mut position = 0usize;
    loop {
        let before = u32::try_from(rdr.position().line()).unwrap_or(u32::MAX);
        let line = match rdr.read_byte_record(&mut rec) {
            Ok(true) => rec
                .position()
                .map_or(before, |p| u32::try_from(p.line()).unwrap_or(u32::MAX))
                .saturating_add(crlf_shift)
                .saturating_add(u32::from(sep_line.is_some())),
            Ok(false) => break,
            Err(e) => {
                csv_error(e, before, diags)?;
                continue;
            }
        };
        let cells: Vec<String> = rec.iter().map(|c| decode(c, line, diags)).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        position += 1;
        sink(build(&cols, &headers, cells, line, position, diags));
    }
    Ok(())
}

/// Turns a csv error into a diagnostic, or passes an I/O error on.
fn csv_error(e: csv::Error, line: u32, diags: &mut Vec<Diagnostic>) -> io::Result<()> {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Err(io),
        other => {
            diags.push(Diagnostic::error(line, format!("This row could not be read and was skipped: {other:?}.")));
            Ok(())
        }
    }
}

fn build(cols: &Cols, headers: &[String], cells: Vec<String>, line: u32, position: usize, diags: &mut Vec<Diagnostic>) -> Citation {
    let mut b = Builder::new(line);
    let get = |i: Option<usize>| i.and_then(|i| cells.get(i)).map(|s| s.trim()).filter(|s| !s.is_empty());
    if let Some(v) = get(cols.id) {
        b.source_id(v);
    }
    if let Some(v) = get(cols.kind) {
        b.type_name(v);
    }
    if let Some(v) = get(cols.title) {
        b.title(v);
    }
    if let Some(v) = get(cols.authors) {
        b.authors(author::split_list(v));
    } else if let Some(v) = get(cols.full_names) {
        // Scopus "Author full names": "Smith, John (57190000000); Doe, Anne (1234)".
        for name in v.split(';') {
            let name = name.trim();
            let name = match name.rfind(" (") {
                Some(i) if name.ends_with(')') => name.get(..i).unwrap_or(name),
                _ => name,
            };
            b.author(name);
        }
    }
    if let Some(v) = get(cols.year) {
        b.year(v, line);
    }
    if let Some(v) = get(cols.journal) {
        b.journal(v);
    }
    if let Some(v) = get(cols.abbrev) {
        b.journal_abbrev(v);
    }
    if let Some(v) = get(cols.volume) {
        b.volume(v);
    }
    if let Some(v) = get(cols.issue) {
        b.issue(v);
    }
    if let Some(v) = get(cols.pages) {
        b.pages(v);
    }
    if let Some(v) = get(cols.page_start) {
        b.pages(v);
    }
    if let Some(v) = get(cols.page_end) {
        b.end_page(v);
    }
    if let Some(v) = get(cols.art_no) {
        b.pages(v);
    }
    if let Some(v) = get(cols.doi) {
        b.doi(v);
    }
    if let Some(v) = get(cols.abstract_text) {
        b.abstract_part(v);
    }
    for &i in &cols.ids {
        if let Some(v) = get(Some(i)) {
            b.issn_isbn(v);
        }
    }
    for &i in &cols.keywords {
        if let Some(v) = get(Some(i)) {
            b.keywords_split(v);
        }
    }
    if let Some(v) = get(cols.pmid) {
        b.pmid(v);
    }
    if let Some(v) = get(cols.pmcid) {
        b.pmcid(v);
    }
    if let Some(v) = get(cols.language) {
        b.language(v);
    }
    for &i in &cols.urls {
        if let Some(v) = get(Some(i)) {
            b.url(v);
        }
    }
    for (h, v) in headers.iter().zip(cells) {
        if !v.is_empty() {
            b.raw(h.clone(), v);
        }
    }
    b.finish(position, diags)
}
