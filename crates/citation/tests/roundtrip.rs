//! Round trips (parse → write::ris / write::csv → parse keeps every normalised field) and streaming
//! equivalence (`parse_stream` over a `Read` gives the same records as `parse`).

#![allow(clippy::expect_used)]

mod common;

use std::io::Read;

use citation::{Citation, Format, parse, parse_stream, write};
use common::{fixture, normalised};

/// Every fixture that parses to records.
const FIXTURES: [&str; 22] = [
    "ris/ovid.ris",
    "ris/ebsco.ris",
    "ris/scopus.ris",
    "ris/wos.ris",
    "ris/endnote.ris",
    "ris/zotero.ris",
    "ris/mendeley.ris",
    "ris/quirks.ris",
    "pubmed-xml/efetch.xml",
    "pubmed-xml/unknown-entity.xml",
    "endnote-xml/endnote20.xml",
    "endnote-xml/zotero.xml",
    "nbib/pubmed.nbib",
    "wos/savedrecs.txt",
    "bibtex/library.bib",
    "csv/scopus.csv",
    "csv/generic.csv",
    "csv/semicolon-1252.csv",
    "encoding/utf16le-bom.ris",
    "encoding/utf16be-bom.ris",
    "encoding/utf8-bom-cr.ris",
    "encoding/windows-1252.ris",
];

fn records(path: &str) -> Vec<Citation> {
    let p = parse(&fixture(path), None);
    assert!(!p.records.is_empty(), "{path}: {:?}", p.diagnostics);
    p.records
}

#[track_caller]
fn same(path: &str, via: &str, before: &[Citation], after: &[Citation]) {
    assert_eq!(before.len(), after.len(), "{path} via {via}");
    for (a, b) in before.iter().zip(after) {
        assert_eq!(normalised(a), normalised(b), "{path} via {via}, record {}", a.source_id);
    }
}

#[test]
fn ris_round_trip_keeps_normalised_fields() {
    for path in FIXTURES {
        let before = records(path);
        let mut out = String::new();
        write::ris(&before, &mut out);
        assert!(out.contains("ER  - \r\n"));
        let again = parse(out.as_bytes(), None);
        assert_eq!(again.format, Some(Format::Ris));
        assert!(again.diagnostics.is_empty(), "{path}: {:?}", again.diagnostics);
        same(path, "RIS", &before, &again.records);
    }
}

#[test]
fn csv_round_trip_keeps_normalised_fields() {
    for path in FIXTURES {
        let before = records(path);
        let mut out = Vec::new();
        write::csv(&before, &mut out);
        let again = parse(&out, None);
        assert_eq!(again.format, Some(Format::Csv), "{path}");
        assert!(again.diagnostics.is_empty(), "{path}: {:?}", again.diagnostics);
        same(path, "CSV", &before, &again.records);
    }
}

/// A reader that hands out at most 7 bytes per call, to exercise every buffer boundary.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.len().min(buf.len()).min(7);
        let (head, rest) = self.0.split_at(n);
        buf[..n].copy_from_slice(head);
        self.0 = rest;
        Ok(n)
    }
}

#[test]
fn parse_stream_matches_parse() {
    for path in FIXTURES.iter().chain(["reject/billion-laughs.xml", "reject/endnote-tagged.enw"].iter()) {
        let bytes = fixture(path);
        let whole = parse(&bytes, None);
        let mut streamed = Vec::new();
        let outcome = parse_stream(Trickle(&bytes), None, &mut |c| streamed.push(c)).expect("reading from memory");
        assert_eq!(outcome.format, whole.format, "{path}");
        assert_eq!(outcome.records, whole.records.len(), "{path}");
        assert_eq!(outcome.diagnostics, whole.diagnostics, "{path}");
        assert_eq!(streamed, whole.records, "{path}");
    }
}

#[test]
fn large_stream_is_read_incrementally() {
    // 20,000 RIS records through a reader: every record arrives, in order.
    let mut ris = String::new();
    for i in 0..20_000 {
        ris.push_str(&format!("TY  - JOUR\nID  - r{i}\nTI  - Title {i}\nPY  - 2001\nER  - \n"));
    }
    let mut n = 0;
    let mut last = String::new();
    let o = parse_stream(ris.as_bytes(), None, &mut |c| {
        n += 1;
        last = c.source_id;
    })
    .expect("reading from memory");
    assert_eq!((o.records, n, last.as_str()), (20_000, 20_000, "r19999"));
}
