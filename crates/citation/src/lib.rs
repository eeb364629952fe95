//! The citation model, format detection and the entry points that read every supported bibliographic export.
//!
//! Readers never panic and never touch the file system or network: they read from the `std::io::Read`
//! the caller hands in and report problems as [`Diagnostic`]s with a line number.

mod author;
mod bibtex;
mod csv_in;
mod decode;
mod detect;
mod endnote;
mod nbib;
pub mod origin;
mod pubmed;
mod record;
mod ris;
pub mod text;
mod types;
mod wos;
pub mod write;
mod xml;

use std::io::Read;

/// One of the import formats this crate reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// RIS tagged text (`TY  - JOUR` ... `ER  - `).
    Ris,
    /// PubMed/MEDLINE XML (`PubmedArticleSet`).
    PubmedXml,
    /// EndNote XML (`<xml><records><record>`).
    EndnoteXml,
    /// MEDLINE/PubMed text (`.nbib`, `PMID- `).
    Nbib,
    /// Web of Science plain-text ("tagged") export.
    Wos,
    /// BibTeX / BibLaTeX.
    Bibtex,
    /// Comma, semicolon or tab separated values with a header row (Scopus CSV, spreadsheets).
    Csv,
}

impl Format {
    /// Every supported format, in the order they are listed to users.
    pub const ALL: [Format; 7] =
        [Format::Ris, Format::PubmedXml, Format::EndnoteXml, Format::Nbib, Format::Wos, Format::Bibtex, Format::Csv];

    /// The short machine name of the format, such as `"pubmed-xml"`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Ris => "ris",
            Format::PubmedXml => "pubmed-xml",
            Format::EndnoteXml => "endnote-xml",
            Format::Nbib => "nbib",
            Format::Wos => "wos",
            Format::Bibtex => "bibtex",
            Format::Csv => "csv",
        }
    }

    /// The inverse of [`Format::name`] (case-insensitive).
    pub fn from_name(s: &str) -> Option<Format> {
        let s = s.trim();
        Format::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(s))
    }

    /// A human-readable label used in messages, such as `"PubMed XML"`.
    pub fn label(self) -> &'static str {
        match self {
            Format::Ris => "RIS",
            Format::PubmedXml => "PubMed XML",
            Format::EndnoteXml => "EndNote XML",
            Format::Nbib => "MEDLINE/PubMed (.nbib)",
            Format::Wos => "Web of Science plain text",
            Format::Bibtex => "BibTeX",
            Format::Csv => "CSV",
        }
    }

    /// Sniffs the format from the first bytes of a file (up to 64 KiB are looked at).
    ///
    /// Byte-order marks, UTF-16 and Windows-1252 are handled.
    pub fn detect(head: &[u8]) -> Option<Format> {
        detect::detect(head)
    }
}

/// A person or a collective author.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Author {
    /// The family name, or the whole name of a collective author.
    pub family: String,
    /// Given names or initials, when known.
    pub given: Option<String>,
}

impl Author {
    /// The name as `"Family, Given"`, or `"Family"` when there is no given name.
    pub fn display(&self) -> String {
        match &self.given {
            Some(g) if !g.is_empty() => format!("{}, {}", self.family, g),
            _ => self.family.clone(),
        }
    }

    /// Reads a name written as `"Smith, J."`, `"Smith J"`, `"John Smith"` or `"Collective Name,"`.
    pub fn parse(s: &str) -> Author {
        author::parse(s)
    }
}

/// One bibliographic record, normalised across formats.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Citation {
    /// The record's identifier in its file, or its 1-based position when the format has none.
    pub source_id: String,
    /// A normalised RIS type code such as `JOUR`, `BOOK`, `CHAP`, `CPAPER`, `INPR`.
    pub ref_type: String,
    /// The title, with whitespace collapsed.
    pub title: Option<String>,
    /// Authors in order.
    pub authors: Vec<Author>,
    /// The publication year.
    pub year: Option<i32>,
    /// The full journal (or book/series) title.
    pub journal: Option<String>,
    /// The abbreviated journal title.
    pub journal_abbrev: Option<String>,
    /// Volume.
    pub volume: Option<String>,
    /// Issue.
    pub issue: Option<String>,
    /// First page or article number (e-locator).
    pub start_page: Option<String>,
    /// Last page, with abbreviated ranges expanded.
    pub end_page: Option<String>,
    /// Canonical DOI: lower-case, without resolver prefix.
    pub doi: Option<String>,
    /// PubMed identifier.
    pub pmid: Option<String>,
    /// PubMed Central identifier (`PMC…`).
    pub pmcid: Option<String>,
    /// ISSN.
    pub issn: Option<String>,
    /// ISBN.
    pub isbn: Option<String>,
    /// The abstract.
    pub abstract_text: Option<String>,
    /// Keywords and subject headings.
    pub keywords: Vec<String>,
    /// Language as given by the source.
    pub language: Option<String>,
    /// Links.
    pub urls: Vec<String>,
    /// Every original tag or field verbatim, in file order.
    pub fields: Vec<(String, String)>,
    /// The 1-based line where the record starts.
    pub line: u32,
}

impl Citation {
    /// The page range as `"221-228"`, or the single page.
    pub fn pages(&self) -> Option<String> {
        match (&self.start_page, &self.end_page) {
            (Some(s), Some(e)) if s != e => Some(format!("{s}-{e}")),
            (Some(s), _) => Some(s.clone()),
            (None, Some(e)) => Some(e.clone()),
            (None, None) => None,
        }
    }
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Something was repaired or dropped; the records are usable.
    Warning,
    /// The file or a record could not be read.
    Error,
}

/// A problem found while reading, with the 1-based line it concerns.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// The 1-based line number.
    pub line: u32,
    /// Warning or error.
    pub severity: Severity,
    /// A sentence saying what happened and, where useful, what to do.
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn warning(line: u32, message: impl Into<String>) -> Diagnostic {
        Diagnostic { line, severity: Severity::Warning, message: message.into() }
    }

    pub(crate) fn error(line: u32, message: impl Into<String>) -> Diagnostic {
        Diagnostic { line, severity: Severity::Error, message: message.into() }
    }
}

/// The result of [`parse`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    /// The detected (or forced) format, or `None` when nothing could be detected.
    pub format: Option<Format>,
    /// The records in file order.
    pub records: Vec<Citation>,
    /// Warnings and errors in the order they were found.
    pub diagnostics: Vec<Diagnostic>,
}

/// The result of [`parse_stream`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    /// The detected (or forced) format, or `None` when nothing could be detected.
    pub format: Option<Format>,
    /// How many records were handed to the callback.
    pub records: usize,
    /// Warnings and errors in the order they were found.
    pub diagnostics: Vec<Diagnostic>,
}

/// Whole-buffer convenience: detects the format (unless forced), decodes and parses.
pub fn parse(bytes: &[u8], format: Option<Format>) -> Parsed {
    let mut records = Vec::new();
    let outcome = parse_stream(bytes, format, &mut |c| records.push(c));
    match outcome {
        Ok(o) => Parsed { format: o.format, records, diagnostics: o.diagnostics },
        // Reading from a byte slice cannot fail, but report it rather than panic if it ever does.
        Err(e) => Parsed { format, records, diagnostics: vec![Diagnostic::error(1, format!("The file could not be read: {e}."))] },
    }
}

/// Streaming: reads `reader` incrementally with bounded memory and calls `on_record` for each record in
/// file order. Returns the detected format and the diagnostics.
pub fn parse_stream(mut reader: impl Read, format: Option<Format>, on_record: &mut dyn FnMut(Citation)) -> std::io::Result<Outcome> {
    let head = decode::read_head(&mut reader)?;
    let fmt = match format.or_else(|| detect::detect(&head)) {
        Some(f) => f,
        None => {
            return Ok(Outcome { format: None, records: 0, diagnostics: vec![Diagnostic::error(1, detect::describe_unknown(&head))] });
        }
    };
    let mut diags = Vec::new();
    let mut count = 0usize;
    let head_sample = if format.is_some() { head.get(..head.len().min(8192)).unwrap_or_default().to_vec() } else { Vec::new() };
    let source = decode::Source::new(head, reader, &mut diags);
    {
        let mut sink = |c: Citation| {
            count += 1;
            on_record(c);
        };
        let res = match fmt {
            Format::Ris => ris::parse(source, &mut sink, &mut diags),
            Format::Nbib => nbib::parse(source, &mut sink, &mut diags),
            Format::Wos => wos::parse(source, &mut sink, &mut diags),
            Format::Bibtex => bibtex::parse(source, &mut sink, &mut diags),
            Format::Csv => csv_in::parse(source, &mut sink, &mut diags),
            Format::PubmedXml => pubmed::parse(source, &mut sink, &mut diags),
            Format::EndnoteXml => endnote::parse(source, &mut sink, &mut diags),
        };
        res?;
    }
    if count == 0 && !diags.iter().any(|d| d.severity == Severity::Error) {
        let msg = if format.is_some() {
            format!("No {} records were found. {}", fmt.label(), detect::describe_forced(&head_sample))
        } else {
            format!("No records were found in this {} file.", fmt.label())
        };
        diags.insert(0, Diagnostic::error(1, msg));
    }
    Ok(Outcome { format: Some(fmt), records: count, diagnostics: diags })
}
