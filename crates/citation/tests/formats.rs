//! Expected-output tests for the MEDLINE (.nbib), Web of Science and BibTeX fixtures, the encoding fixtures
//! and the files that must be rejected with a clear message.

mod common;

use citation::{Format, Severity, parse};
use common::{check, diags, fixture, has_raw, load};

#[test]
fn nbib_full_names_continuations_and_ids() {
    let p = load("nbib/pubmed.nbib", Format::Nbib);
    assert_eq!(p.records.len(), 3, "{:?}", p.diagnostics);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    check(
        &p.records[0],
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
            (
                "abstract",
                "BACKGROUND: People experiencing homelessness and problem substance use are at increased risk of harm. METHODS: We searched nine databases.",
            ),
            ("year", "2020"),
            ("journal", "BMC public health"),
            ("abbrev", "BMC Public Health"),
            ("volume", "20"),
            ("issue", "1"),
            ("pages", "641"),
            ("doi", "10.1186/s12889-020-8407-4"),
            ("issn", "1471-2458"),
            ("keywords", "*Ill-Housed Persons/psychology; Peer Group; Homelessness; Peer support"),
            ("language", "eng"),
            ("line", "2"),
        ],
    );
    has_raw(&p.records[0], "AD", "Salvation Army Centre for Addiction Services and Research, University of Stirling, Stirling, UK.");
    check(&p.records[1], &[("authors", "Kushel, MB; Vittinghoff, E"), ("pages", "1334-1338"), ("year", "1999"), ("line", "44")]);
    check(&p.records[2], &[("type", "INPR"), ("pages", "e2023110223"), ("doi", "10.1101/2023.11.02.23297950"), ("line", "57")]);
}

#[test]
fn wos_tagged_export() {
    let p = load("wos/savedrecs.txt", Format::Wos);
    assert_eq!(p.records.len(), 3, "{:?}", p.diagnostics);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    check(
        &p.records[0],
        &[
            ("id", "WOS:000327715900020"),
            ("type", "JOUR"),
            ("authors", "Collins, Susan E.; Malone, Daniel K.; Clifasefi, Seema L."),
            ("title", "Housing retention in single-site Housing First for chronically homeless individuals with severe alcohol problems"),
            ("journal", "AMERICAN JOURNAL OF PUBLIC HEALTH"),
            ("abbrev", "Am. J. Public Health"),
            ("year", "2013"),
            ("volume", "103"),
            ("pages", "S269-S274"),
            ("doi", "10.2105/ajph.2013.301312"),
            ("pmid", "24148063"),
            ("issn", "0090-0036"),
            ("keywords", "Housing First; alcohol; homelessness; HARM REDUCTION; PROGRAMS"),
            ("abstract", "Objectives. We investigated housing retention in a single-site Housing First program."),
            ("line", "3"),
        ],
    );
    has_raw(&p.records[0], "CR", "Padgett DK, 2006, RES SOCIAL WORK PRAC, V16, P74");
    check(&p.records[1], &[("pages", "108025"), ("type", "JOUR"), ("authors", "Bassuk, Ellen L.")]);
    check(&p.records[2], &[("type", "BOOK"), ("isbn", "978-0-19-998980-5"), ("authors", "Padgett, DK; Henwood, BF; Tsemberis, SJ")]);
}

#[test]
fn bibtex_library() {
    let p = load("bibtex/library.bib", Format::Bibtex);
    assert_eq!(p.records.len(), 4, "{:?}", p.diagnostics);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    check(
        &p.records[0],
        &[
            ("id", "tsemberis2004housing"),
            ("type", "JOUR"),
            ("title", "Housing First, Consumer Choice, and Harm Reduction for Homeless Individuals with a Dual Diagnosis"),
            ("authors", "Tsemberis, Sam; Gulcur, Leyla; Nakae, Maria"),
            ("journal", "American Journal of Public Health"),
            ("volume", "94"),
            ("issue", "4"),
            ("pages", "651-656"),
            ("year", "2004"),
            ("doi", "10.2105/ajph.94.4.651"),
            ("pmid", "15054020"),
            ("keywords", "housing first; harm reduction; dual diagnosis"),
            ("abstract", "Objectives. We examined the longitudinal effects of a Housing First program."),
            ("line", "6"),
        ],
    );
    check(
        &p.records[1],
        &[
            ("type", "CHAP"),
            ("authors", "Padgett, Deborah K.; Henwood, Benjamin F."),
            ("journal", "Housing First: Ending Homelessness, Transforming Systems, and Changing Lives"),
            ("pages", "117-140"),
        ],
    );
    check(
        &p.records[2],
        &[
            ("type", "RPRT"),
            ("authors", "World Health Organization"),
            ("year", "2014"),
            ("urls", "https://www.who.int/publications/i/item/9789241548731"),
        ],
    );
    check(
        &p.records[3],
        &[
            ("authors", "Müller, Jörg; Schröder, Françoise; Gómez-López, María"),
            ("title", "Peer support & recovery cafés in Germany: 10–20 years on"),
            ("journal", "Sucht"),
            ("abbrev", "Sucht"),
            ("issue", "3"),
            ("pages", "e0123"),
            ("language", "german"),
        ],
    );
}

#[test]
fn encodings_utf16_cp1252_bom_lone_cr_nfd() {
    for f in ["encoding/utf16le-bom.ris", "encoding/utf16be-bom.ris", "encoding/utf8-bom-cr.ris", "encoding/nfd.ris"] {
        let p = load(f, Format::Ris);
        assert_eq!(p.records.len(), 1, "{f}: {:?}", p.diagnostics);
        assert!(p.diagnostics.is_empty(), "{f}: {:?}", p.diagnostics);
        check(
            &p.records[0],
            &[
                ("title", "Ünterstützung für Wohnungslose – eine Übersicht"),
                ("authors", "Schön, Anna"),
                ("doi", "10.1024/0939-5911/a000600"),
                ("year", "2019"),
            ],
        );
    }
    let p = load("encoding/windows-1252.ris", Format::Ris);
    check(&p.records[0], &[("title", "Café culture and peer support – a study"), ("authors", "Müller, Jörg")]);
    let w = diags(&p, Severity::Warning);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("Windows-1252"));
}

#[test]
fn unsupported_files_get_one_clear_error() {
    let p = parse(&fixture("reject/endnote-tagged.enw"), None);
    assert_eq!(p.format, None);
    assert!(p.records.is_empty());
    assert_eq!(p.diagnostics.len(), 1);
    let d = &p.diagnostics[0];
    assert_eq!((d.line, d.severity), (1, Severity::Error));
    assert!(
        d.message.contains("EndNote tagged export (line 1 starts with %0)") && d.message.contains("export again as RIS"),
        "{}",
        d.message
    );

    let p = parse(b"", None);
    assert!(p.diagnostics[0].message.contains("empty"));
    let p = parse(b"PK\x03\x04\x14\x00", None);
    assert!(p.diagnostics[0].message.contains("ZIP"));

    // Forcing a format that finds nothing says what the file looks like instead.
    let p = parse(&fixture("ris/zotero.ris"), Some(Format::PubmedXml));
    assert!(p.records.is_empty());
    let e = diags(&p, Severity::Error);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("1: No PubMed XML records were found") && e[0].contains("looks like RIS"), "{e:?}");
}

#[test]
fn format_names_round_trip() {
    for f in Format::ALL {
        assert_eq!(Format::from_name(f.name()), Some(f));
    }
    assert_eq!(Format::from_name("PubMed-XML"), Some(Format::PubmedXml));
    assert_eq!(Format::from_name("docx"), None);
}
