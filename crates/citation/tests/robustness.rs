//! Property tests: random bytes and mutated fixtures never make any reader panic, and finish quickly.

mod common;

use std::time::{Duration, Instant};

use citation::{Format, parse};
use common::fixture;
use proptest::prelude::*;

const SEEDS: [&str; 10] = [
    "ris/ovid.ris",
    "ris/quirks.ris",
    "pubmed-xml/efetch.xml",
    "endnote-xml/endnote20.xml",
    "nbib/pubmed.nbib",
    "wos/savedrecs.txt",
    "bibtex/library.bib",
    "csv/scopus.csv",
    "encoding/utf16le-bom.ris",
    "reject/billion-laughs.xml",
];

/// Parses with detection and with every format forced; all must return within a generous bound.
fn parse_all(bytes: &[u8]) {
    let start = Instant::now();
    let _ = parse(bytes, None);
    for f in Format::ALL {
        let p = parse(bytes, Some(f));
        assert_eq!(p.format, Some(f));
    }
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        parse_all(&bytes);
    }

    #[test]
    fn random_text_with_format_markers_never_panics(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("TY  - JOUR\n".to_string()), Just("ER  - \n".to_string()), Just("PMID- 1\n".to_string()),
                Just("PT J\n".to_string()), Just("@article{k,\n".to_string()), Just("title = {".to_string()),
                Just("}".to_string()), Just("<record>".to_string()), Just("</record>".to_string()),
                Just("<PubmedArticle>".to_string()), Just("&amp;&#xFFFFFF;&bogus;".to_string()),
                Just("<![CDATA[x".to_string()), Just("\\\"{".to_string()), Just("\r".to_string()),
                Just("SP  - 12-3\n".to_string()), Just("\"a\",\"b\"\n".to_string()), "\\PC{0,20}",
            ],
            0..60,
        )
    ) {
        parse_all(parts.concat().as_bytes());
    }

    #[test]
    fn mutated_fixtures_never_panic(
        seed in 0..SEEDS.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..24),
    ) {
        let mut bytes = fixture(SEEDS[seed]);
        for (at, byte, op) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => { bytes.remove(i); }
                _ => { let cut = bytes.len().min(i + 1 + usize::from(byte)); bytes.drain(i..cut); }
            }
        }
        parse_all(&bytes);
    }
}

#[test]
fn pathological_inputs_finish_quickly() {
    let deep = "<xml><records><record>".to_string() + &"<a>".repeat(50_000) + "x";
    let braces = "@article{k, title = ".to_string() + &"{".repeat(100_000);
    let long_line = "TY  - JOUR\nAB  - ".to_string() + &"x".repeat(5_000_000) + "\nER  - \n";
    let many_entities = "<PubmedArticleSet><PubmedArticle><PMID>1</PMID>".to_string() + &"&e;".repeat(100_000);
    for s in [deep, braces, long_line, many_entities] {
        parse_all(s.as_bytes());
    }
}
