//! The record builder every reader fills: first value wins for single-valued fields, text is cleaned, and
//! pages, DOIs, years and identifiers are normalised in one place.

use crate::text::{self, clean, clean_line};
use crate::{Author, Citation, Diagnostic, author, types};

/// Accumulates one record's fields.
#[derive(Default)]
pub(crate) struct Builder {
    pub c: Citation,
    abstracts: Vec<String>,
    end_raw: Option<String>,
    bad_year: Option<(String, u32)>,
    type_name: Option<String>,
}

/// Sets `slot` to the cleaned single-line value unless it already has one.
fn set(slot: &mut Option<String>, v: &str) {
    if slot.is_none() {
        let v = clean_line(v);
        if !v.is_empty() {
            *slot = Some(v);
        }
    }
}

impl Builder {
    pub(crate) fn new(line: u32) -> Builder {
        let mut b = Builder::default();
        b.c.line = line;
        b
    }

    /// Keeps an original tag and value verbatim.
    pub(crate) fn raw(&mut self, tag: impl Into<String>, value: impl Into<String>) {
        self.c.fields.push((tag.into(), value.into()));
    }

    pub(crate) fn source_id(&mut self, v: &str) {
        if self.c.source_id.is_empty() {
            self.c.source_id = v.trim().to_string();
        }
    }

    /// Sets the type from a RIS code.
    pub(crate) fn ris_type(&mut self, v: &str) {
        if self.c.ref_type.is_empty() {
            self.c.ref_type = types::from_ris(v);
        }
    }

    /// Sets the type from a type name; unknown names are remembered so a default can be chosen later.
    pub(crate) fn type_name(&mut self, v: &str) {
        if !self.c.ref_type.is_empty() {
            return;
        }
        match types::from_name(v) {
            Some(code) => self.c.ref_type = code,
            None => {
                if self.type_name.is_none() && !v.trim().is_empty() {
                    self.type_name = Some(v.trim().to_string());
                }
            }
        }
    }

    pub(crate) fn title(&mut self, v: &str) {
        set(&mut self.c.title, v);
    }

    pub(crate) fn author(&mut self, v: &str) {
        let a = author::parse(v);
        if !a.family.is_empty() {
            self.c.authors.push(a);
        }
    }

    pub(crate) fn author_parts(&mut self, family: &str, given: Option<&str>) {
        let family = clean_line(family);
        if family.is_empty() {
            return;
        }
        let given = given.map(clean_line).filter(|g| !g.is_empty());
        self.c.authors.push(Author { family, given });
    }

    pub(crate) fn authors(&mut self, list: Vec<Author>) {
        self.c.authors.extend(list);
    }

    /// Reads a year from a date-like value; an unreadable non-empty value is remembered for a warning.
    pub(crate) fn year(&mut self, v: &str, line: u32) {
        if self.c.year.is_some() {
            return;
        }
        match text::year_of(v) {
            Some(y) => self.c.year = Some(y),
            None => {
                if self.bad_year.is_none() && !v.trim().trim_matches('/').is_empty() {
                    self.bad_year = Some((v.trim().to_string(), line));
                }
            }
        }
    }

    pub(crate) fn journal(&mut self, v: &str) {
        set(&mut self.c.journal, v);
    }

    pub(crate) fn journal_abbrev(&mut self, v: &str) {
        set(&mut self.c.journal_abbrev, v);
    }

    pub(crate) fn volume(&mut self, v: &str) {
        set(&mut self.c.volume, v);
    }

    pub(crate) fn issue(&mut self, v: &str) {
        set(&mut self.c.issue, v);
    }

    /// A page field that may hold a range ("221-8").
    pub(crate) fn pages(&mut self, v: &str) {
        if self.c.start_page.is_some() {
            return;
        }
        let (s, e) = text::expand_pages(&clean_line(v));
        self.c.start_page = s;
        if e.is_some() {
            self.c.end_page = e;
        }
    }

    /// A separate last-page field; expanded against the first page when the record is finished.
    pub(crate) fn end_page(&mut self, v: &str) {
        set(&mut self.end_raw, v);
    }

    /// Any value that may contain a DOI; the first canonical DOI wins.
    pub(crate) fn doi(&mut self, v: &str) {
        if self.c.doi.is_none() {
            self.c.doi = text::canonical_doi(v);
        }
    }

    pub(crate) fn pmid(&mut self, v: &str) {
        if self.c.pmid.is_none() {
            self.c.pmid = text::as_pmid(v);
        }
    }

    pub(crate) fn pmcid(&mut self, v: &str) {
        if self.c.pmcid.is_none() {
            self.c.pmcid = text::as_pmcid(v);
        }
    }

    /// A field that may hold ISSNs or ISBNs; decided by shape.
    pub(crate) fn issn_isbn(&mut self, v: &str) {
        let (issn, isbn) = text::split_issn_isbn(v);
        if self.c.issn.is_none() {
            self.c.issn = issn;
        }
        if self.c.isbn.is_none() {
            self.c.isbn = isbn;
        }
    }

    pub(crate) fn abstract_part(&mut self, v: &str) {
        let v = clean(v);
        if !v.is_empty() {
            self.abstracts.push(v);
        }
    }

    pub(crate) fn has_abstract(&self) -> bool {
        !self.abstracts.is_empty()
    }

    pub(crate) fn keyword(&mut self, v: &str) {
        let v = clean_line(v);
        if !v.is_empty() && !self.c.keywords.contains(&v) {
            self.c.keywords.push(v);
        }
    }

    /// Adds keywords from a value separated by `;` or newlines.
    pub(crate) fn keywords_split(&mut self, v: &str) {
        for k in v.split([';', '\n']) {
            self.keyword(k);
        }
    }

    pub(crate) fn language(&mut self, v: &str) {
        set(&mut self.c.language, v);
    }

    pub(crate) fn url(&mut self, v: &str) {
        for u in v.split(|c: char| c.is_whitespace() || c == ';') {
            let u = u.trim();
            if !u.is_empty() && !self.c.urls.iter().any(|x| x == u) {
                self.c.urls.push(u.to_string());
            }
        }
    }

    /// Finishes the record: joins abstracts, expands the last page, fills the id and type defaults.
    pub(crate) fn finish(mut self, position: usize, diags: &mut Vec<Diagnostic>) -> Citation {
        if self.abstracts.len() == 1 {
            self.c.abstract_text = self.abstracts.pop();
        } else if !self.abstracts.is_empty() {
            self.c.abstract_text = Some(self.abstracts.join("\n\n"));
        }
        if let Some(end) = self.end_raw.take() {
            match &self.c.start_page {
                Some(start) if self.c.end_page.is_none() => self.c.end_page = Some(text::expand_end(start, &end)),
                None => {
                    let (s, e) = text::expand_pages(&end);
                    self.c.start_page = s;
                    self.c.end_page = e;
                }
                _ => {}
            }
        }
        if self.c.start_page.is_some() && self.c.start_page == self.c.end_page {
            self.c.end_page = None;
        }
        if self.c.year.is_none()
            && let Some((v, line)) = self.bad_year.take()
        {
            diags.push(Diagnostic::warning(line, format!("Could not read a year from \"{v}\"; the year was left empty.")));
        }
        if self.c.source_id.is_empty() {
            self.c.source_id = position.to_string();
        }
        if self.c.ref_type.is_empty() {
            self.c.ref_type = types::default_for(self.c.journal.is_some());
        }
        self.c
    }
}
