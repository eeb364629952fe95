//! Streaming XML record collector shared by the PubMed and EndNote readers: walks the document with
//! quick-xml, cuts it into record elements, and flattens each record into `(path, attributes, text)`
//! elements in document order, with inline markup (`<i>`, `<sup>`, EndNote `<style>` runs) merged into the
//! enclosing element's text.
//!
//! Safety: DTDs are never fetched and entities are never expanded. A DOCTYPE that declares entities (the
//! "billion laughs" and external-entity attacks) rejects the file with an error at once; references to
//! unknown entities are dropped with a warning. Invalid UTF-8 is decoded as Windows-1252 with a warning.

use std::io::{self, BufRead};

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::decode::Source;
use crate::{Diagnostic, text};

/// The deepest element nesting accepted.
const MAX_DEPTH: usize = 512;
/// The most elements one record may hold before it is cut short.
const MAX_ELEMS: usize = 200_000;
/// How many unknown-entity warnings are given before the rest are counted silently.
const MAX_ENTITY_WARNINGS: usize = 5;

/// One element of a record: its path below the record element, attributes and flattened text.
#[derive(Debug)]
pub(crate) struct Elem {
    pub path: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
}

impl Elem {
    /// The value of an attribute.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// One record element.
pub(crate) struct XmlRecord {
    /// The record element's name (e.g. `PubmedBookArticle`).
    pub name: String,
    /// The 1-based line where it starts.
    pub line: u32,
    pub elems: Vec<Elem>,
}

impl XmlRecord {
    /// Turns the elements into verbatim `(path, value)` fields; attributes appear as `path@name`.
    pub(crate) fn into_fields(self) -> Vec<(String, String)> {
        let mut out = Vec::with_capacity(self.elems.len());
        for e in self.elems {
            for (k, v) in e.attrs {
                out.push((format!("{}@{k}", e.path), v));
            }
            if !e.text.is_empty() {
                out.push((e.path, e.text));
            }
        }
        out
    }
}

/// The streaming reader.
pub(crate) struct Records<'a> {
    reader: Reader<Lossy<'a>>,
    buf: Vec<u8>,
    line: u32,
    is_record: fn(&str) -> bool,
    is_inline: fn(&str) -> bool,
    done: bool,
    entity_warnings: usize,
    warned_1252: bool,
}

impl<'a> Records<'a> {
    pub(crate) fn new(source: Source<'a>, is_record: fn(&str) -> bool, is_inline: fn(&str) -> bool) -> Records<'a> {
        let mut reader = Reader::from_reader(Lossy::new(source.reader));
        let cfg = reader.config_mut();
        cfg.allow_dangling_amp = true;
        cfg.allow_unmatched_ends = true;
        cfg.check_end_names = false;
        cfg.trim_text(false);
        Records {
            reader,
            buf: Vec::with_capacity(64 * 1024),
            line: 1,
            is_record,
            is_inline,
            done: false,
            entity_warnings: 0,
            warned_1252: false,
        }
    }

    /// Reads the next record, or `None` at the end of the document (or after a fatal error).
    pub(crate) fn next_record(&mut self, diags: &mut Vec<Diagnostic>) -> io::Result<Option<XmlRecord>> {
        let mut rec: Option<XmlRecord> = None;
        // Open elements inside the record: (path length before it, index of its Elem or None when inline).
        let mut stack: Vec<(usize, Option<usize>)> = Vec::new();
        let mut path = String::new();
        let mut text_target: Option<usize> = None;
        // Whitespace-only text (indentation) is held back and becomes one space only between words.
        let mut pending_ws: Option<usize> = None;
        let mut overflow = false;
        while !self.done {
            self.buf.clear();
            let ev = match self.reader.read_event_into(&mut self.buf) {
                Ok(ev) => ev,
                Err(quick_xml::Error::Io(e)) => return Err(io::Error::new(e.kind(), e.to_string())),
                Err(e) => {
                    self.done = true;
                    diags.push(Diagnostic::error(
                        self.line,
                        format!("The XML is malformed near line {}: {e}. Records after this point were not read.", self.line),
                    ));
                    break;
                }
            };
            match ev {
                Event::Start(e) => {
                    self.line += count_lines(&e);
                    let full = e.name();
                    let name = local(full.as_ref());
                    match rec.as_mut() {
                        None => {
                            if (self.is_record)(name) {
                                rec = Some(XmlRecord { name: name.to_string(), line: self.line, elems: Vec::new() });
                                stack.clear();
                                path.clear();
                                text_target = None;
                            }
                        }
                        Some(r) => {
                            if stack.len() >= MAX_DEPTH || r.elems.len() >= MAX_ELEMS {
                                overflow = true;
                            }
                            let before = path.len();
                            if (self.is_inline)(full.as_ref()) || overflow {
                                stack.push((before, None));
                            } else {
                                if !path.is_empty() {
                                    path.push('/');
                                }
                                path.push_str(name);
                                r.elems.push(Elem { path: path.clone(), attrs: attrs(&e), text: String::new() });
                                let idx = r.elems.len() - 1;
                                stack.push((before, Some(idx)));
                                text_target = Some(idx);
                            }
                        }
                    }
                }
                Event::Empty(e) => {
                    self.line += count_lines(&e);
                    let full = e.name();
                    if let Some(r) = rec.as_mut()
                        && !(self.is_inline)(full.as_ref())
                        && r.elems.len() < MAX_ELEMS
                    {
                        let a = attrs(&e);
                        if !a.is_empty() {
                            let p = if path.is_empty() { local(full.as_ref()).to_string() } else { format!("{path}/{}", local(full.as_ref())) };
                            r.elems.push(Elem { path: p, attrs: a, text: String::new() });
                        }
                    }
                }
                Event::End(_) => {
                    if rec.is_some() {
                        match stack.pop() {
                            Some((before, _)) => {
                                path.truncate(before);
                                text_target = stack.iter().rev().find_map(|(_, i)| *i);
                            }
                            None => {
                                if overflow {
                                    diags.push(Diagnostic::error(
                                        rec.as_ref().map_or(self.line, |r| r.line),
                                        "This record is too large or too deeply nested; the rest of it was skipped.",
                                    ));
                                }
                                return Ok(rec);
                            }
                        }
                    }
                }
                Event::Text(t) => {
                    self.line += count_lines(&t);
                    if let (Some(r), Some(i)) = (rec.as_mut(), text_target)
                        && let Some(el) = r.elems.get_mut(i)
                    {
                        if t.bytes().all(|b| b.is_ascii_whitespace()) {
                            pending_ws = Some(i);
                        } else {
                            if pending_ws == Some(i) && !el.text.is_empty() {
                                el.text.push(' ');
                            }
                            pending_ws = None;
                            el.text.push_str(&t);
                        }
                    }
                }
                Event::CData(t) => {
                    self.line += count_lines(&t);
                    if let (Some(r), Some(i)) = (rec.as_mut(), text_target)
                        && let Some(el) = r.elems.get_mut(i)
                    {
                        el.text.push_str(&t);
                    }
                }
                Event::GeneralRef(r) => {
                    let resolved: Option<String> = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c.to_string()),
                        Ok(None) => predefined(&r).map(str::to_string),
                        Err(_) => None,
                    };
                    let Some(s) = resolved else {
                        self.entity_warnings += 1;
                        if self.entity_warnings <= MAX_ENTITY_WARNINGS {
                            diags.push(Diagnostic::warning(
                                self.line,
                                format!("The unknown entity &{}; was dropped (entities are not expanded).", &*r),
                            ));
                        }
                        continue;
                    };
                    if let (Some(rc), Some(i)) = (rec.as_mut(), text_target)
                        && let Some(el) = rc.elems.get_mut(i)
                    {
                        el.text.push_str(&s);
                    }
                }
                Event::DocType(d) => {
                    self.line += count_lines(&d);
                    if d.contains("<!ENTITY") || d.contains("<!entity") {
                        self.done = true;
                        diags.push(Diagnostic::error(
                            self.line,
                            "The XML declares its own entities in its DOCTYPE, which is how entity-expansion (\"billion laughs\") and external-entity attacks work; the file was rejected. Export it again without a DOCTYPE, or as RIS.",
                        ));
                        return Ok(None);
                    }
                }
                Event::Comment(c) => self.line += count_lines(&c),
                Event::PI(p) => self.line += count_lines(&p),
                Event::Decl(d) => self.line += count_lines(&d),
                Event::Eof => {
                    self.done = true;
                    if let Some(r) = &rec {
                        diags.push(Diagnostic::warning(
                            r.line,
                            format!("The record starting on line {} is not closed at the end of the file; it was kept.", r.line),
                        ));
                    }
                }
            }
            if self.reader.get_ref().replaced && !self.warned_1252 {
                self.warned_1252 = true;
                diags.push(Diagnostic::warning(
                    self.line,
                    "Some text is not valid UTF-8; it was read as Windows-1252. Check accented characters.",
                ));
            }
        }
        Ok(rec)
    }
}

/// Counts line breaks in an event's text.
fn count_lines(s: &str) -> u32 {
    u32::try_from(memchr::memchr_iter(b'\n', s.as_bytes()).count()).unwrap_or(u32::MAX)
}

/// The local part of a possibly prefixed name.
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// The five predefined XML entities (and `nbsp`, which some exporters emit).
fn predefined(name: &str) -> Option<&'static str> {
    match name {
        "amp" | "lt" | "gt" | "quot" | "apos" | "nbsp" => text::named_entity(name),
        _ => None,
    }
}

/// Reads the attributes of a start tag, with entities decoded.
fn attrs(e: &quick_xml::events::BytesStart<'_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for a in e.attributes().with_checks(false).flatten() {
        let key = local(a.key.as_ref()).to_string();
        let value = if a.value.contains('&') { text::clean(&a.value) } else { a.value.trim().to_string() };
        out.push((key, value));
    }
    out
}

/// A `BufRead` that passes valid UTF-8 through and decodes invalid bytes as Windows-1252.
pub(crate) struct Lossy<'a> {
    inner: Box<dyn BufRead + 'a>,
    out: Vec<u8>,
    pos: usize,
    carry: Vec<u8>,
    /// True once any bytes had to be decoded as Windows-1252.
    pub replaced: bool,
}

impl<'a> Lossy<'a> {
    fn new(inner: Box<dyn BufRead + 'a>) -> Self {
        Lossy { inner, out: Vec::with_capacity(256 * 1024), pos: 0, carry: Vec::new(), replaced: false }
    }

    /// Appends `data` to the output, decoding invalid sequences; an incomplete tail is carried over.
    fn push_checked(&mut self, data: &[u8], at_eof: bool) {
        let mut rest = data;
        loop {
            match std::str::from_utf8(rest) {
                Ok(_) => {
                    self.out.extend_from_slice(rest);
                    return;
                }
                Err(e) => {
                    let valid = e.valid_up_to();
                    self.out.extend_from_slice(rest.get(..valid).unwrap_or_default());
                    let bad_len = match e.error_len() {
                        Some(l) => l,
                        None if !at_eof => {
                            self.carry.extend_from_slice(rest.get(valid..).unwrap_or_default());
                            return;
                        }
                        None => rest.len() - valid,
                    };
                    let bad = rest.get(valid..valid + bad_len).unwrap_or_default();
                    self.out.extend_from_slice(encoding_rs::WINDOWS_1252.decode_without_bom_handling(bad).0.as_bytes());
                    self.replaced = true;
                    rest = rest.get(valid + bad_len..).unwrap_or_default();
                }
            }
        }
    }
}

impl io::Read for Lossy<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        if let (Some(d), Some(s)) = (buf.get_mut(..n), avail.get(..n)) {
            d.copy_from_slice(s);
        }
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Lossy<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos >= self.out.len() {
            self.out.clear();
            self.pos = 0;
            let chunk = self.inner.fill_buf()?;
            let n = chunk.len();
            if n == 0 {
                if self.carry.is_empty() {
                    break;
                }
                let carry = std::mem::take(&mut self.carry);
                self.push_checked(&carry, true);
                continue;
            }
            if self.carry.is_empty() {
                // Fast path: a valid chunk is copied as it is.
                if std::str::from_utf8(chunk).is_ok() {
                    self.out.extend_from_slice(chunk);
                    self.inner.consume(n);
                    continue;
                }
                let owned = chunk.to_vec();
                self.inner.consume(n);
                self.push_checked(&owned, false);
            } else {
                let mut data = std::mem::take(&mut self.carry);
                data.extend_from_slice(chunk);
                self.inner.consume(n);
                self.push_checked(&data, false);
            }
        }
        Ok(self.out.get(self.pos..).unwrap_or_default())
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.out.len());
    }
}
