//! Shared helpers for the integration tests: fixture loading and the field-by-field `check`.

#![allow(dead_code)]

use citation::{Citation, Format, Parsed, Severity, parse};

/// Reads a fixture from `fixtures/import/`.
pub fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/../../fixtures/import/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("cannot read fixture {full}: {e}"))
}

/// Parses a fixture with detection and asserts the detected format.
#[track_caller]
pub fn load(path: &str, format: Format) -> Parsed {
    let p = parse(&fixture(path), None);
    assert_eq!(p.format, Some(format), "format of {path}; diagnostics {:?}", p.diagnostics);
    p
}

/// Renders one named field of a citation as text ("" for none) so expectations stay compact.
pub fn field(c: &Citation, name: &str) -> String {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    match name {
        "id" => c.source_id.clone(),
        "type" => c.ref_type.clone(),
        "title" => o(&c.title),
        "authors" => c.authors.iter().map(|a| a.display()).collect::<Vec<_>>().join("; "),
        "year" => c.year.map(|y| y.to_string()).unwrap_or_default(),
        "journal" => o(&c.journal),
        "abbrev" => o(&c.journal_abbrev),
        "volume" => o(&c.volume),
        "issue" => o(&c.issue),
        "pages" => c.pages().unwrap_or_default(),
        "start" => o(&c.start_page),
        "end" => o(&c.end_page),
        "doi" => o(&c.doi),
        "pmid" => o(&c.pmid),
        "pmcid" => o(&c.pmcid),
        "issn" => o(&c.issn),
        "isbn" => o(&c.isbn),
        "abstract" => o(&c.abstract_text),
        "keywords" => c.keywords.join("; "),
        "language" => o(&c.language),
        "urls" => c.urls.join(" "),
        "line" => c.line.to_string(),
        other => panic!("unknown field name {other}"),
    }
}

/// Asserts each named field of `c` equals the expected text.
#[track_caller]
pub fn check(c: &Citation, expect: &[(&str, &str)]) {
    for (name, want) in expect {
        assert_eq!(field(c, name), *want, "field `{name}` of record {} (line {})", c.source_id, c.line);
    }
}

/// Asserts a field in the verbatim `fields` list.
#[track_caller]
pub fn has_raw(c: &Citation, tag: &str, value: &str) {
    assert!(
        c.fields.iter().any(|(t, v)| t == tag && v == value),
        "record {} lacks raw field {tag} = {value:?}; has {:?}",
        c.source_id,
        c.fields
    );
}

/// The diagnostics of a parse with the given severity, as "line: message" strings.
pub fn diags(p: &Parsed, sev: Severity) -> Vec<String> {
    p.diagnostics.iter().filter(|d| d.severity == sev).map(|d| format!("{}: {}", d.line, d.message)).collect()
}

/// The normalised fields compared in round trips (everything except `fields` and `line`).
pub fn normalised(c: &Citation) -> Citation {
    Citation { fields: Vec::new(), line: 0, ..c.clone() }
}
