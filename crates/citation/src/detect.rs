//! Format detection from the first 64 KiB of a file, and the messages that explain unsupported files.
//!
//! Rules, first match wins: XML with a `PubmedArticleSet`/`PubmedArticle`/`PubmedBookArticle` element is
//! PubMed XML, XML with `<records>`/`<record>` is EndNote XML. Otherwise the first structural line decides:
//! `TY  - ` (one or two spaces) is RIS, `PMID- ` is MEDLINE (.nbib), `FN ` followed by `VR `, or `PT J` with
//! two-letter tags, is Web of Science, `@type{` is BibTeX. Failing those, a header row with a delimiter and a
//! recognised column name (title, authors, …) is CSV.

use crate::decode::{self, HEAD_LEN};
use crate::{Format, ris};

/// How many lines are looked at for a structural marker.
const MAX_LINES: usize = 400;

pub(crate) fn detect(head: &[u8]) -> Option<Format> {
    let text = decode::head_text(head.get(..head.len().min(HEAD_LEN)).unwrap_or_default());
    detect_text(&text)
}

fn detect_text(text: &str) -> Option<Format> {
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if trimmed.starts_with('<') {
        if trimmed.contains("<PubmedArticleSet") || trimmed.contains("<PubmedArticle") || trimmed.contains("<PubmedBookArticle") {
            return Some(Format::PubmedXml);
        }
        if trimmed.contains("<records>") || trimmed.contains("<record>") {
            return Some(Format::EndnoteXml);
        }
        return None;
    }
    let mut lines = trimmed.lines().map(|l| l.trim_end_matches('\r')).take(MAX_LINES).peekable();
    let first = lines.peek().copied().unwrap_or_default();
    // Lone-CR files arrive as one long "line"; split those too.
    let all: Vec<&str> =
        if !trimmed.contains('\n') && trimmed.contains('\r') { trimmed.split('\r').take(MAX_LINES).collect() } else { lines.collect() };
    for (i, line) in all.iter().enumerate() {
        if let Some(("TY", _)) = ris::tag_line(line) {
            return Some(Format::Ris);
        }
        if line.starts_with("PMID-") || line.starts_with("PMID -") {
            return Some(Format::Nbib);
        }
        if line.starts_with("FN ") && all.get(i + 1).is_some_and(|n| n.starts_with("VR ")) {
            return Some(Format::Wos);
        }
        if line.len() >= 4
            && line.starts_with("PT ")
            && all.get(i + 1).is_some_and(|n| wos_tag(n))
            && all.get(i + 2).is_some_and(|n| wos_tag(n) || n.starts_with("   "))
        {
            return Some(Format::Wos);
        }
        if bibtex_entry(line) {
            return Some(Format::Bibtex);
        }
    }
    let header_line = if all.is_empty() { first } else { all.first().copied().unwrap_or_default() };
    // Excel may put "sep=;" above the header row.
    let header_line = if header_line.starts_with("sep=") { all.get(1).copied().unwrap_or_default() } else { header_line };
    if csv_header(header_line) {
        return Some(Format::Csv);
    }
    None
}

/// True for a Web of Science tag line: two capitals/digits then a space.
fn wos_tag(line: &str) -> bool {
    let b = line.as_bytes();
    matches!((b.first(), b.get(1), b.get(2)), (Some(a), Some(c), Some(b' ')) if a.is_ascii_uppercase() && (c.is_ascii_uppercase() || c.is_ascii_digit()))
}

/// True for a BibTeX entry start such as `@article{key,`.
fn bibtex_entry(line: &str) -> bool {
    let Some(rest) = line.trim_start().strip_prefix('@') else {
        return false;
    };
    let name_len = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
    name_len > 0 && rest.get(name_len..).is_some_and(|r| r.trim_start().starts_with(['{', '(']))
}

/// True when a first line looks like a spreadsheet header with at least one bibliographic column.
fn csv_header(line: &str) -> bool {
    let delim = [',', ';', '\t'].into_iter().max_by_key(|d| line.matches(*d).count()).unwrap_or(',');
    if line.matches(delim).count() == 0 {
        return false;
    }
    line.split(delim).any(|c| {
        let c = c.trim().trim_matches('"').trim().to_ascii_lowercase();
        matches!(
            c.as_str(),
            "title"
                | "article title"
                | "document title"
                | "authors"
                | "author"
                | "doi"
                | "abstract"
                | "source title"
                | "journal"
                | "pmid"
                | "pubmed id"
                | "primary title"
        )
    })
}

/// Describes a file that matched no supported format, and says what to do.
pub(crate) fn describe_unknown(head: &[u8]) -> String {
    let advice = "export again as RIS, PubMed XML, EndNote XML, MEDLINE (.nbib), Web of Science plain text, BibTeX or CSV.";
    if head.is_empty() {
        return "The file is empty: export again as RIS, PubMed XML, EndNote XML, MEDLINE (.nbib), Web of Science plain text, BibTeX or CSV.".to_string();
    }
    if head.starts_with(b"PK\x03\x04") {
        return format!(
            "This file is a ZIP archive (perhaps an Excel .xlsx or Word .docx file), not a supported format: save it as CSV, or {advice}"
        );
    }
    if head.starts_with(b"%PDF") {
        return format!("This file is a PDF document, not a supported format: {advice}");
    }
    let text = decode::head_text(head);
    let t = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    let first = t.lines().next().unwrap_or_default();
    let shown: String = first.chars().take(40).collect();
    let what = if t.starts_with("%0") {
        "an EndNote tagged export (line 1 starts with %0)".to_string()
    } else if t.starts_with("{\\rtf") {
        "an RTF document".to_string()
    } else if t.starts_with('[') || t.starts_with('{') {
        "JSON (perhaps CSL-JSON)".to_string()
    } else if t.get(..200).unwrap_or(t).to_ascii_lowercase().contains("<html") {
        "a web page (HTML)".to_string()
    } else if t.starts_with('<') {
        let root = t.split("<").find(|s| !s.starts_with(['?', '!'])).unwrap_or_default();
        let name: String = root.chars().take_while(|c| c.is_alphanumeric() || matches!(c, ':' | '-' | '_')).collect();
        format!("XML whose root element is <{name}>, which is neither PubMed XML nor EndNote XML")
    } else if t.chars().take(2000).any(|c| c == '\0') {
        "a binary file".to_string()
    } else {
        format!("text in an unrecognised layout (line 1 starts with \"{shown}\")")
    };
    format!("This file looks like {what}, not a supported format: {advice}")
}

/// Describes a file for the message given when a forced format found no records.
pub(crate) fn describe_forced(head: &[u8]) -> String {
    match detect(head) {
        Some(f) => format!("This file looks like {} instead: choose that format or let it be detected.", f.label()),
        None => describe_unknown(head),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects() {
        assert_eq!(detect(b"1.\r\nTY  - JOUR\r\n"), Some(Format::Ris));
        assert_eq!(detect(b"TY - JOUR\n"), Some(Format::Ris));
        assert_eq!(detect(b"\nPMID- 123\nOWN - NLM\n"), Some(Format::Nbib));
        assert_eq!(detect(b"FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n"), Some(Format::Wos));
        assert_eq!(detect(b"% comment\n@Article{smith2020,\n"), Some(Format::Bibtex));
        assert_eq!(detect(b"\xEF\xBB\xBF\"Authors\",\"Title\",\"Year\"\n"), Some(Format::Csv));
        assert_eq!(detect(b"<?xml version=\"1.0\"?><xml><records><record>"), Some(Format::EndnoteXml));
        assert_eq!(detect(b"<?xml version=\"1.0\"?>\n<!DOCTYPE PubmedArticleSet>\n<PubmedArticleSet>"), Some(Format::PubmedXml));
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("TY  - JOUR\r\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(detect(&utf16), Some(Format::Ris));
        assert_eq!(detect(b"%0 Journal Article\n%A Smith"), None);
        assert!(describe_unknown(b"%0 Journal Article\n").contains("EndNote tagged export (line 1 starts with %0)"));
    }
}
