//! Expected-output tests for the RIS fixtures, one per exporter family.

mod common;

use citation::{Format, Severity};
use common::{check, diags, has_raw, load};

#[test]
fn ovid_numbering_n2_abstracts_and_y1() {
    let p = load("ris/ovid.ris", Format::Ris);
    assert_eq!(p.records.len(), 2, "{:?}", p.diagnostics);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let a = &p.records[0];
    check(
        a,
        &[
            ("id", "31234567"),
            ("pmid", "31234567"),
            ("type", "JOUR"),
            ("title", "Peer support for people experiencing homelessness: a systematic review of effectiveness and implementation"),
            ("authors", "Barker, Sarah L.; Maguire, Nick"),
            ("year", "2019"),
            ("journal", "Journal of Urban Health"),
            ("abbrev", "J Urban Health"),
            ("volume", "96"),
            ("issue", "4"),
            ("pages", "598-605"),
            ("doi", "10.1007/s11524-019-00365-0"),
            ("issn", "1099-3460"),
            ("abstract", "BACKGROUND: Peer support is increasingly used in homelessness services.\n\nMETHODS: We searched five databases."),
            ("keywords", "Homeless Persons; Peer Group"),
            ("line", "8"),
        ],
    );
    let b = &p.records[1];
    check(
        b,
        &[
            ("title", "Housing First and substance use: a randomized trial & follow-up"),
            ("year", "2018"),
            ("pages", "1021-1032"),
            ("authors", "Kerman, Nick; Sylvestre, John; Aubry, Tim"),
            ("line", "32"),
        ],
    );
    has_raw(b, "A1", "Aubry, Tim");
}

#[test]
fn ebsco_doi_in_l3() {
    let p = load("ris/ebsco.ris", Format::Ris);
    assert_eq!(p.records.len(), 2);
    check(
        &p.records[0],
        &[
            ("id", "1"),
            ("journal", "Epidemiologic Reviews"),
            ("abbrev", ""),
            ("year", "2015"),
            ("pages", "177-195"),
            ("doi", "10.1093/epirev/mxu004"),
            ("issn", "0193-936X"),
            ("abstract", "Homelessness among US veterans has been a focus of research for over three decades."),
        ],
    );
    check(&p.records[1], &[("id", "2"), ("doi", "10.1371/journal.pone.0226306"), ("pages", "e0226306"), ("journal", "PLoS ONE")]);
}

#[test]
fn scopus_article_number_pmid_and_long_notes() {
    let p = load("ris/scopus.ris", Format::Ris);
    assert_eq!(p.records.len(), 1);
    let c = &p.records[0];
    check(
        c,
        &[
            ("authors", "Miler, J.A.; Carver, H.; Foster, R.; Parkes, T."),
            ("journal", "BMC Public Health"),
            ("abbrev", "BMC Public Health"),
            ("pages", "641"),
            ("pmid", "32375757"),
            ("doi", "10.1186/s12889-020-8407-4"),
            ("language", "English"),
        ],
    );
    let n1 = c.fields.iter().find(|(t, _)| t == "N1").map(|(_, v)| v.as_str()).unwrap_or_default();
    assert!(n1.contains("\nReferences: Fazel") && n1.ends_with("pp. 241-250"), "{n1}");
}

#[test]
fn web_of_science_ris_di() {
    let p = load("ris/wos.ris", Format::Ris);
    check(
        &p.records[0],
        &[
            ("doi", "10.1353/hpu.2012.0187"),
            ("journal", "JOURNAL OF HEALTH CARE FOR THE POOR AND UNDERSERVED"),
            ("abbrev", "J HEALTH CARE POOR U"),
            ("authors", "Collins, SE; Clifasefi, SL"),
        ],
    );
}

#[test]
fn endnote_doi_in_m3_and_corporate_author() {
    let p = load("ris/endnote.ris", Format::Ris);
    assert_eq!(p.records.len(), 2);
    check(
        &p.records[0],
        &[
            ("id", "1289"),
            ("doi", "10.1037/a0027570"),
            ("pmcid", "PMC3633436"),
            ("pmid", ""),
            ("pages", "156-167"),
            ("journal", "Psychology of Men & Masculinity"),
        ],
    );
    check(&p.records[1], &[("type", "BOOK"), ("authors", "World Health Organization"), ("isbn", "978-92-4-154873-1"), ("issn", "")]);
    assert_eq!(p.records[1].authors[0].given, None);
}

#[test]
fn zotero_newlines_kept_in_abstract() {
    let p = load("ris/zotero.ris", Format::Ris);
    check(
        &p.records[0],
        &[
            (
                "abstract",
                "Peer support workers with lived experience of mental illness or substance use disorders are a growing part of the workforce.\n\nTheir roles differ by setting.",
            ),
            ("issue", "6, Supplement 3"),
            ("pages", "S258-S266"),
            ("language", "en"),
            ("keywords", "Peer support; Workforce"),
        ],
    );
    check(&p.records[1], &[("type", "ELEC"), ("year", "2024"), ("journal", "")]);
}

#[test]
fn mendeley_repeated_tags_and_html() {
    let p = load("ris/mendeley.ris", Format::Ris);
    let c = &p.records[0];
    check(
        c,
        &[
            ("title", "Recovery housing and peer support: a scoping review"),
            ("abstract", "Sobriety-based housing versus harm reduction: a review.\n\nSecond abstract paragraph from a repeated tag."),
            ("doi", "10.1080/09687637.2021.1882943"),
            ("keywords", "housing; harm reduction; recovery"),
            ("pages", "201-210"),
        ],
    );
    has_raw(c, "DO", "10.9999/ignored.second");
}

#[test]
fn missing_and_stray_er_one_space_ty_empty_tags() {
    let p = load("ris/quirks.ris", Format::Ris);
    assert_eq!(p.records.len(), 3);
    check(&p.records[0], &[("id", "1"), ("title", "Missing end record one"), ("year", ""), ("keywords", ""), ("line", "2")]);
    check(&p.records[1], &[("type", "CHAP"), ("journal", "Handbook of Recovery"), ("authors", "Smith, J")]);
    check(&p.records[2], &[("type", "RPRT"), ("authors", ""), ("year", "2022"), ("line", "15")]);
    has_raw(&p.records[0], "KW", "");
    let w = diags(&p, Severity::Warning);
    assert_eq!(w.len(), 4, "{w:#?}");
    assert!(w.iter().any(|m| m.starts_with("2: ") && m.contains("no ER line") && m.contains("line 7")), "{w:#?}");
    assert!(w.iter().any(|m| m.starts_with("12: ") && m.contains("outside any record")), "{w:#?}");
    assert!(w.iter().any(|m| m.contains("n.d.")), "{w:#?}");
    assert!(w.iter().any(|m| m.starts_with("15: ") && m.contains("end of the file")), "{w:#?}");
    assert!(diags(&p, Severity::Error).is_empty());
}
