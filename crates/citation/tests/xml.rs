//! Expected-output tests for PubMed XML and EndNote XML fixtures, and the XML safety rules.

mod common;

use std::time::{Duration, Instant};

use citation::{Format, Severity, parse};
use common::{check, diags, fixture, has_raw, load};

#[test]
fn pubmed_efetch_articles_and_book() {
    let p = load("pubmed-xml/efetch.xml", Format::PubmedXml);
    assert_eq!(p.records.len(), 4, "{:?}", p.diagnostics);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let a = &p.records[0];
    check(
        a,
        &[
            ("id", "32375757"),
            ("pmid", "32375757"),
            ("pmcid", "PMC7203888"),
            ("type", "JOUR"),
            (
                "title",
                "Provision of peer support at the intersection of homelessness and problem substance use services: a systematic 'state of the art' review.",
            ),
            ("authors", "Miler, Joanna A; Carver, Hannah; Drug Deaths Study Group"),
            ("year", "2020"),
            ("journal", "BMC public health"),
            ("abbrev", "BMC Public Health"),
            ("volume", "20"),
            ("issue", "1"),
            ("pages", "641"),
            ("doi", "10.1186/s12889-020-8407-4"),
            ("issn", "1471-2458"),
            ("language", "eng"),
            ("keywords", "Ill-Housed Persons; Peer Group; Homelessness; Peer support"),
            (
                "abstract",
                "BACKGROUND: People experiencing homelessness and problem substance use are at increased risk of harm.\nMETHODS: We searched nine databases for studies of peer support (≥1 peer worker).\nCONCLUSIONS: Peer support is a promising approach.",
            ),
            ("line", "4"),
        ],
    );
    has_raw(a, "MedlineCitation/Article/Abstract/AbstractText@Label", "BACKGROUND");
    has_raw(a, "PubmedData/ReferenceList/Reference/ArticleIdList/ArticleId", "10.1016/S0140-6736(14)61132-6");
    let b = &p.records[1];
    check(
        b,
        &[
            ("title", "Effects of Housing First on CD4+ counts & substance use among homeless adults."),
            ("year", "1998"),
            ("pages", "1334-1338"),
            ("authors", "Kushel, M B; Vittinghoff, E, Jr"),
            ("abstract", "Homeless adults with HIV were followed for 12 months."),
            ("doi", ""),
            ("issn", "0090-0036"),
        ],
    );
    check(
        &p.records[2],
        &[
            ("type", "INPR"),
            ("doi", "10.1101/2023.11.02.23297950"),
            ("pages", ""),
            ("title", "Overdose prevention sites and peer workers: a mixed-methods study—preliminary results."),
        ],
    );
    check(
        &p.records[3],
        &[
            ("id", "28937734"),
            ("type", "CHAP"),
            ("title", "Policy and Program Barriers"),
            (
                "journal",
                "Permanent Supportive Housing: Evaluating the Evidence for Improving Health Outcomes Among People Experiencing Chronic Homelessness",
            ),
            ("authors", "Committee on an Evaluation of Permanent Supportive Housing Programs"),
            ("year", "2018"),
            ("isbn", "9780309475655"),
            ("doi", "10.17226/25133"),
        ],
    );
}

#[test]
fn pubmed_unknown_entity_and_truncated_file() {
    let p = load("pubmed-xml/unknown-entity.xml", Format::PubmedXml);
    assert_eq!(p.records.len(), 2);
    check(&p.records[0], &[("title", "Naloxone take-home kits & peers"), ("year", "2019"), ("journal", "Addiction")]);
    let w = diags(&p, Severity::Warning);
    assert!(w.iter().any(|m| m.contains("&mdash;")), "{w:?}");
    assert!(w.iter().any(|m| m.contains("not closed")), "{w:?}");
}

#[test]
fn endnote_native_style_runs() {
    let p = load("endnote-xml/endnote20.xml", Format::EndnoteXml);
    assert_eq!(p.records.len(), 3, "{:?}", p.diagnostics);
    check(
        &p.records[0],
        &[
            ("id", "42"),
            ("type", "JOUR"),
            (
                "title",
                "Housing First, consumer choice, and harm reduction for homeless individuals with a dual diagnosis: the Pathways model",
            ),
            ("authors", "Tsemberis, S.; Gulcur, L.; Nakae, M."),
            ("journal", "American Journal of Public Health"),
            ("abbrev", "Am J Public Health"),
            ("pages", "651-656"),
            ("volume", "94"),
            ("issue", "4"),
            ("year", "2004"),
            ("doi", "10.2105/ajph.94.4.651"),
            ("issn", "0090-0036"),
            ("pmcid", "PMC1448313"),
            ("pmid", "15054020"),
            ("keywords", "Adult; *Housing; Ill-Housed Persons/*psychology"),
            ("urls", "https://www.ncbi.nlm.nih.gov/pubmed/15054020"),
            ("language", "eng"),
            ("line", "1"),
        ],
    );
    assert!(field_contains(&p.records[0], "individuals’ on consumer choice"));
    has_raw(&p.records[0], "ref-type@name", "Journal Article");
    has_raw(&p.records[0], "accession-num", "15054020");
    check(
        &p.records[1],
        &[
            ("type", "CHAP"),
            ("journal", "Housing First: Ending Homelessness, Transforming Systems, and Changing Lives"),
            ("authors", "Padgett, Deborah K."),
            ("isbn", "978-0-19-998980-5"),
            ("pages", "117-140"),
        ],
    );
    check(&p.records[2], &[("type", "RPRT"), ("authors", "Crisis"), ("year", "")]);
    let w = diags(&p, Severity::Warning);
    assert!(w.iter().any(|m| m.contains("In press")), "{w:?}");
}

fn field_contains(c: &citation::Citation, s: &str) -> bool {
    c.abstract_text.as_deref().is_some_and(|a| a.contains(s))
}

#[test]
fn endnote_zotero_plain_values() {
    let p = load("endnote-xml/zotero.xml", Format::EndnoteXml);
    assert_eq!(p.records.len(), 2);
    check(
        &p.records[0],
        &[
            ("id", "1"),
            ("authors", "Collins, Susan E.; Malone, Daniel K.; Clifasefi, Seema L."),
            ("abbrev", "Am J Public Health"),
            ("issue", "S2"),
            ("pages", "S269-S274"),
            ("doi", "10.2105/ajph.2013.301312"),
            ("keywords", "alcohol; housing first"),
            ("line", "4"),
        ],
    );
    check(&p.records[1], &[("id", "2"), ("type", "THES"), ("abstract", "Line one of the abstract.\nLine two & more.")]);
}

#[test]
fn billion_laughs_rejected_quickly() {
    let start = Instant::now();
    let p = parse(&fixture("reject/billion-laughs.xml"), None);
    assert!(start.elapsed() < Duration::from_secs(1));
    assert!(p.records.is_empty());
    let e = diags(&p, Severity::Error);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("declares its own entities"), "{e:?}");
    let p = parse(&fixture("reject/xxe.xml"), Some(Format::EndnoteXml));
    assert!(p.records.is_empty());
    assert!(diags(&p, Severity::Error).iter().any(|m| m.contains("entities")));
}

#[test]
fn malformed_xml_reports_line() {
    let p = parse(
        b"<xml><records>\n<record><rec-number>1</rec-number></record>\n<record><titles><title>x</title></titles></record>\n</wrong><<<",
        None,
    );
    assert_eq!(p.format, Some(Format::EndnoteXml));
    assert_eq!(p.records.len(), 2);
    let e = diags(&p, Severity::Error);
    assert_eq!(e.len(), 1, "{:?}", p.diagnostics);
    assert!(e[0].starts_with("4: The XML is malformed"), "{e:?}");
}

#[test]
fn utf16_endnote_xml_matches_utf8() {
    let utf8 = fixture("endnote-xml/zotero.xml");
    let text = String::from_utf8(utf8.clone()).unwrap_or_default();
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let a = parse(&utf8, None);
    let b = parse(&utf16, None);
    assert_eq!(b.format, Some(Format::EndnoteXml));
    assert_eq!(a.records, b.records);
}
