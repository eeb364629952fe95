//! Where each real export came from, as `citation::origin` reads it from the records: the database
//! and the platform an import form is filled in with.

use citation::origin::{Origin, OriginTally};

fn origin_of(path: &str) -> Origin {
    let bytes = std::fs::read(format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap_or_else(|e| panic!("{path}: {e}"));
    let parsed = citation::parse(&bytes, None);
    assert!(!parsed.records.is_empty(), "{path}: {:?}", parsed.diagnostics);
    let mut tally = OriginTally::new();
    for r in &parsed.records {
        tally.add(r);
    }
    tally.finish(parsed.format)
}

/// A fixture, the database and platform expected, and how the origin is said.
type Case = (&'static str, Option<&'static str>, Option<&'static str>, Option<&'static str>);

#[test]
fn every_exporter_fixture_names_what_its_records_say() {
    let cases: [Case; 14] = [
        ("import/ris/ovid.ris", Some("MEDLINE ALL"), Some("Ovid"), Some("Ovid (MEDLINE ALL)")),
        ("import/ris/ebsco.ris", Some("Academic Search Premier"), Some("EBSCOhost"), Some("EBSCOhost (Academic Search Premier)")),
        ("demo/cinahl.ris", Some("CINAHL Ultimate"), Some("EBSCOhost"), Some("EBSCOhost (CINAHL Ultimate)")),
        ("import/ris/scopus.ris", Some("Scopus"), None, Some("Scopus")),
        ("import/ris/wos.ris", Some("Web of Science"), None, Some("Web of Science")),
        ("import/csv/scopus.csv", Some("Scopus"), None, Some("Scopus")),
        ("demo/scopus.csv", Some("Scopus"), None, Some("Scopus")),
        ("import/pubmed-xml/efetch.xml", Some("PubMed"), None, Some("PubMed")),
        ("import/nbib/pubmed.nbib", Some("PubMed"), None, Some("PubMed")),
        ("import/wos/savedrecs.txt", Some("Web of Science"), None, Some("Web of Science")),
        // Reference managers re-export records from anywhere: they name nothing (or only where most
        // records agree).
        ("import/ris/endnote.ris", None, None, None),
        ("import/ris/mendeley.ris", None, None, None),
        ("import/endnote-xml/endnote20.xml", None, None, None),
        ("import/bibtex/library.bib", None, None, None),
    ];
    for (path, database, platform, said) in cases {
        let o = origin_of(path);
        assert_eq!((o.database.as_deref(), o.platform.as_deref()), (database, platform), "{path}");
        assert_eq!(o.describe().as_deref(), said, "{path}");
    }
}
