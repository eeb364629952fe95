//! Expected-output tests for the CSV fixtures (Scopus, generic spreadsheets, semicolon/Windows-1252) and the
//! real 1,845-record diabetes export.

mod common;

use citation::{Format, Severity, parse};
use common::{check, diags, has_raw, load};

#[test]
fn scopus_csv_columns_by_name() {
    let p = load("csv/scopus.csv", Format::Csv);
    assert_eq!(p.records.len(), 2, "{:?}", p.diagnostics);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    check(
        &p.records[0],
        &[
            ("id", "1"),
            ("type", "JOUR"),
            ("authors", "Miler, J.A.; Carver, H.; Foster, R.; Parkes, T."),
            (
                "title",
                "Provision of peer support at the intersection of homelessness and problem substance use services: a systematic 'state of the art' review",
            ),
            ("year", "2020"),
            ("journal", "BMC Public Health"),
            ("abbrev", "BMC Public Health"),
            ("pages", "641"),
            ("doi", "10.1186/s12889-020-8407-4"),
            ("issn", "1471-2458"),
            ("pmid", "32375757"),
            ("language", "English"),
            ("keywords", "homelessness; peer support; substance use; adult; human; homeless person"),
            ("line", "2"),
        ],
    );
    check(&p.records[1], &[("pages", "98-106"), ("abbrev", "J. Soc. Distress Homeless"), ("abstract", ""), ("issn", "1053-0789")]);
    has_raw(&p.records[1], "EID", "2-s2.0-85021000000");
}

#[test]
fn generic_spreadsheet_run_together_authors_and_issn_in_isbn_column() {
    let p = load("csv/generic.csv", Format::Csv);
    assert_eq!(p.records.len(), 3);
    check(
        &p.records[0],
        &[
            ("id", "1"),
            ("type", "JOUR"),
            ("authors", "Adeli, K.; Lewis, G. F."),
            ("pages", "221-228"),
            ("doi", "10.1097/mol.0b013e3282ffaf82"),
            ("issn", "0957-9672"),
            ("isbn", ""),
        ],
    );
    check(
        &p.records[1],
        &[("authors", "Corrigan, P. W.; Kraus, D. J.; Pickett, S. A."), ("doi", "10.1176/appi.ps.201600134"), ("issn", "1075-2730")],
    );
    check(
        &p.records[2],
        &[("id", "7"), ("type", "BOOK"), ("isbn", "978-0-19-953556-9"), ("authors", "Homeless Link Research Team"), ("line", "5")],
    );
}

#[test]
fn semicolon_delimited_windows_1252() {
    let p = load("csv/semicolon-1252.csv", Format::Csv);
    assert_eq!(p.records.len(), 1);
    check(
        &p.records[0],
        &[
            ("title", "Recovery cafés and peer support"),
            ("authors", "Müller, Anna; Schön, Bernd"),
            ("year", "2021"),
            ("keywords", "recovery; peer support"),
            ("doi", "10.1024/0939-5911/a000700"),
        ],
    );
    let w = diags(&p, Severity::Warning);
    assert!(w.iter().any(|m| m.contains("Windows-1252")), "{w:?}");
}

#[test]
fn real_diabetes_export_parses_every_row() {
    // The shared data set sits beside the repository (or at /work/shared on a developer machine).
    let beside = format!("{}/../../../shared/data/dedup/diabetes.csv", env!("CARGO_MANIFEST_DIR"));
    let Some(bytes) = [beside.as_str(), "/work/shared/data/dedup/diabetes.csv"].iter().find_map(|p| std::fs::read(p).ok()) else {
        return;
    };
    let p = parse(&bytes, None);
    assert_eq!(p.format, Some(Format::Csv));
    assert_eq!(p.records.len(), 1845);
    assert!(diags(&p, Severity::Error).is_empty(), "{:?}", p.diagnostics);
    let first = &p.records[0];
    check(first, &[("id", "1"), ("authors", "Adeli, K.; Lewis, G. F."), ("pages", "221-228"), ("issn", "0957-9672")]);
    assert!(p.records.iter().all(|r| !r.source_id.is_empty() && r.title.is_some()));
    let many = p.records.iter().find(|r| r.authors.len() == 12 && r.authors[0].family == "Adingupu");
    let names: Vec<String> = many.map(|r| r.authors.iter().map(|a| a.display()).collect()).unwrap_or_default();
    assert_eq!(names.get(4).map(String::as_str), Some("El Hachmane, M."));
    assert_eq!(names.get(10).map(String::as_str), Some("Gan, L. M."));
    assert_eq!(names.get(11).map(String::as_str), Some("Jonsson-Rylander, A. C."));
}

#[test]
fn excel_sep_line_and_tab_delimited() {
    let p = parse(b"sep=;\r\nTitle;Authors;Year\r\nPeer support;Doe J.; Roe K.;2020\r\n", None);
    assert_eq!(p.format, Some(Format::Csv));
    assert_eq!(p.records.len(), 1, "{:?}", p.diagnostics);
    check(&p.records[0], &[("title", "Peer support"), ("authors", "Doe, J."), ("year", ""), ("line", "3")]);
    let p = parse(b"Title\tAuthors\tYear\nHousing First\tSmith J; Doe A\t2019\n", None);
    check(&p.records[0], &[("title", "Housing First"), ("authors", "Smith, J; Doe, A"), ("year", "2019")]);
}
