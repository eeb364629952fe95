//! Streaming XML record collector shared by the PubMed and EndNote readers: gathers the input in windows
//! cut just after a record's end tag, walks each window with a borrowing (zero-copy) quick-xml reader, and
//! flattens each record into `(path, attributes, text)` elements in document order, with inline markup
//! (`<i>`, `<sup>`, EndNote `<style>` runs) merged into the enclosing element's text. Each finished record is
//! handed to the format's mapping function while the window is still alive, so most text is never copied
//! before it lands in the citation.
//!
//! Safety: DTDs are never fetched and entities are never expanded. A DOCTYPE that declares entities (the
//! "billion laughs" and external-entity attacks) rejects the file with an error at once; references to
//! unknown entities are dropped with a warning. Invalid UTF-8 is decoded as Windows-1252 with a warning.
//! Nesting depth, elements per record and the window size are bounded.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::{self, BufRead};

use quick_xml::Reader;
use quick_xml::events::Event;
use quick_xml::events::attributes::Attributes;

use crate::decode::Source;
use crate::{Citation, Diagnostic, text};

/// The deepest element nesting accepted.
const MAX_DEPTH: usize = 512;
/// The most elements one record may hold before it is cut short.
const MAX_ELEMS: usize = 200_000;
/// How many unknown-entity warnings are given before the rest are counted silently.
const MAX_ENTITY_WARNINGS: usize = 5;
/// How much input is gathered before the complete records in it are parsed.
const CHUNK: usize = 1024 * 1024;
/// The largest window searched for a record end before the input is given up as not holding records.
const MAX_WINDOW: usize = 256 * 1024 * 1024;

/// Maps one finished record to a citation.
pub(crate) type BuildFn = fn(XmlRecord<'_>, usize, &mut Vec<Diagnostic>) -> Citation;

/// One element of a record: its path (a range of the record's path arena), its start tag and its text.
#[derive(Debug)]
pub(crate) struct Elem<'w> {
    path: (u32, u32),
    /// The start tag's content (`name attr="…"`), borrowed from the input.
    tag: &'w str,
    name_len: usize,
    pub text: Cow<'w, str>,
}

impl Elem<'_> {
    /// The attributes as (name, decoded value).
    pub(crate) fn attrs(&self) -> impl Iterator<Item = (&str, Cow<'_, str>)> {
        let mut it = Attributes::new(self.tag, self.name_len);
        it.with_checks(false);
        it.flatten().map(|a| {
            let key = a.key.0;
            let value = if a.value.contains('&') { Cow::Owned(text::clean(&a.value)) } else { a.value };
            (local(key), value)
        })
    }

    /// The value of an attribute.
    pub(crate) fn attr(&self, name: &str) -> Option<Cow<'_, str>> {
        if self.tag.len() == self.name_len {
            return None;
        }
        self.attrs().find(|(k, _)| *k == name).map(|(_, v)| v)
    }
}

/// One record element.
pub(crate) struct XmlRecord<'w> {
    /// The record element's name (e.g. `PubmedBookArticle`).
    pub name: &'w str,
    /// The 1-based line where it starts.
    pub line: u32,
    pub elems: Vec<Elem<'w>>,
    /// Every element's path below the record element, back to back.
    paths: String,
}

impl XmlRecord<'_> {
    /// The path of an element below the record element, such as `MedlineCitation/PMID`.
    pub(crate) fn path(&self, e: &Elem<'_>) -> &str {
        self.paths.get(e.path.0 as usize..e.path.1 as usize).unwrap_or_default()
    }

    /// Turns the elements into verbatim `(path, value)` fields; attributes appear as `path@name`.
    pub(crate) fn into_fields(self) -> Vec<(String, String)> {
        let mut out = Vec::with_capacity(self.elems.len() * 2);
        for e in &self.elems {
            let path = self.path(e);
            if e.tag.len() > e.name_len {
                for (k, v) in e.attrs() {
                    out.push((format!("{path}@{k}"), v.into_owned()));
                }
            }
            if !e.text.is_empty() {
                out.push((path.to_string(), e.text.to_string()));
            }
        }
        out
    }
}

/// The streaming reader.
pub(crate) struct Records<'a> {
    source: Box<dyn BufRead + 'a>,
    window: Vec<u8>,
    queue: VecDeque<Citation>,
    /// The 1-based line at `counted` bytes into the current window.
    line: u32,
    counted: usize,
    position: usize,
    is_record: fn(&str) -> bool,
    is_inline: fn(&str) -> bool,
    end_tags: &'static [&'static str],
    build: BuildFn,
    eof: bool,
    done: bool,
    entity_warnings: usize,
    warned_1252: bool,
}

/// Per-window parsing state.
struct State<'w> {
    rec: Option<XmlRecord<'w>>,
    /// Open elements inside the record: the index of each one's Elem, or None when inline.
    stack: Vec<Option<usize>>,
    /// The current path, as a range of the record's arena.
    path: (usize, usize),
    text_target: Option<usize>,
    /// Whitespace-only text (indentation) is held back and becomes one space only between words.
    pending_ws: Option<usize>,
    overflow: bool,
}

impl<'a> Records<'a> {
    pub(crate) fn new(
        source: Source<'a>,
        is_record: fn(&str) -> bool,
        is_inline: fn(&str) -> bool,
        end_tags: &'static [&'static str],
        build: BuildFn,
    ) -> Records<'a> {
        Records {
            source: source.reader,
            window: Vec::with_capacity(CHUNK + 256 * 1024),
            queue: VecDeque::new(),
            line: 1,
            counted: 0,
            position: 0,
            is_record,
            is_inline,
            end_tags,
            build,
            eof: false,
            done: false,
            entity_warnings: 0,
            warned_1252: false,
        }
    }

    /// Reads the next record, or `None` at the end of the document (or after a fatal error).
    pub(crate) fn next_record(&mut self, diags: &mut Vec<Diagnostic>) -> io::Result<Option<Citation>> {
        loop {
            if let Some(r) = self.queue.pop_front() {
                return Ok(Some(r));
            }
            if self.done {
                return Ok(None);
            }
            self.next_window(diags)?;
        }
    }

    /// Where the window can be cut: just after the last record end tag in it (the tail is searched first).
    fn cut(&self) -> Option<usize> {
        let tail_from = self.window.len().saturating_sub(256 * 1024);
        let find = |from: usize| {
            let hay = self.window.get(from..).unwrap_or_default();
            self.end_tags.iter().filter_map(|t| memchr::memmem::rfind(hay, t.as_bytes()).map(|i| from + i + t.len())).max()
        };
        find(tail_from).or_else(|| if tail_from > 0 { find(0) } else { None })
    }

    /// Gathers the next window of input and parses the complete records in it.
    fn next_window(&mut self, diags: &mut Vec<Diagnostic>) -> io::Result<()> {
        let mut want = CHUNK;
        let end = loop {
            while !self.eof && self.window.len() < want {
                let buf = match self.source.fill_buf() {
                    Ok(b) => b,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                if buf.is_empty() {
                    self.eof = true;
                    break;
                }
                let n = buf.len();
                self.window.extend_from_slice(buf);
                self.source.consume(n);
            }
            if self.eof {
                break self.window.len();
            }
            if let Some(cut) = self.cut() {
                break cut;
            }
            if self.window.len() >= MAX_WINDOW {
                self.done = true;
                diags.push(Diagnostic::error(self.line, "No complete record was found in the next 256 MiB of the file; reading stopped."));
                return Ok(());
            }
            want = (self.window.len() * 2).max(CHUNK);
        };
        let mut window = std::mem::take(&mut self.window);
        let bytes = window.get(..end).unwrap_or_default();
        let text: Cow<'_, str> = match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => {
                if !self.warned_1252 {
                    self.warned_1252 = true;
                    diags.push(Diagnostic::warning(
                        self.line,
                        "Some text is not valid UTF-8; it was read as Windows-1252. Check accented characters.",
                    ));
                }
                Cow::Owned(lossy_1252(bytes))
            }
        };
        self.counted = 0;
        self.parse_window(&text, diags);
        self.line_at(&text, text.len());
        window.drain(..end);
        self.window = window;
        if self.eof && self.window.is_empty() {
            self.done = true;
        }
        Ok(())
    }

    /// The 1-based line at byte `pos` of the window (positions only move forward).
    fn line_at(&mut self, text: &str, pos: usize) -> u32 {
        if pos > self.counted {
            let seg = text.as_bytes().get(self.counted..pos).unwrap_or_default();
            let n = memchr::memchr_iter(b'\n', seg).count();
            self.line = self.line.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
            self.counted = pos;
        }
        self.line
    }

    /// Parses one window of complete records into the queue.
    fn parse_window(&mut self, text: &str, diags: &mut Vec<Diagnostic>) {
        let mut reader = Reader::from_str(text);
        let cfg = reader.config_mut();
        cfg.allow_dangling_amp = true;
        cfg.allow_unmatched_ends = true;
        cfg.check_end_names = false;
        cfg.trim_text(false);
        let mut st = State { rec: None, stack: Vec::new(), path: (0, 0), text_target: None, pending_ws: None, overflow: false };
        loop {
            let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let ev = match reader.read_event() {
                Ok(ev) => ev,
                Err(e) => {
                    self.done = true;
                    let pos = usize::try_from(reader.error_position()).unwrap_or(before);
                    let line = self.line_at(text, pos.max(before));
                    diags.push(Diagnostic::error(
                        line,
                        format!("The XML is malformed near line {line}: {e}. Records after this point were not read."),
                    ));
                    break;
                }
            };
            match ev {
                Event::Start(e) => {
                    let tag = reborrow(text, &e);
                    let name_len = e.name().as_ref().len();
                    let name = local(tag.get(..name_len).unwrap_or_default());
                    match st.rec.as_mut() {
                        None => {
                            if (self.is_record)(name) {
                                let line = self.line_at(text, before);
                                st.rec = Some(XmlRecord { name, line, elems: Vec::with_capacity(128), paths: String::with_capacity(2048) });
                                st.stack.clear();
                                st.path = (0, 0);
                                st.text_target = None;
                                st.pending_ws = None;
                                st.overflow = false;
                            }
                        }
                        Some(r) => {
                            if st.stack.len() >= MAX_DEPTH || r.elems.len() >= MAX_ELEMS {
                                st.overflow = true;
                            }
                            if st.overflow || (self.is_inline)(tag.get(..name_len).unwrap_or_default()) {
                                st.stack.push(None);
                            } else {
                                let range = push_path(&mut r.paths, st.path, name);
                                st.path = range;
                                r.elems.push(Elem { path: arena_range(range), tag, name_len, text: Cow::Borrowed("") });
                                let idx = r.elems.len() - 1;
                                st.stack.push(Some(idx));
                                st.text_target = Some(idx);
                            }
                        }
                    }
                }
                Event::Empty(e) => {
                    let tag = reborrow(text, &e);
                    let name_len = e.name().as_ref().len();
                    let full = tag.get(..name_len).unwrap_or_default();
                    if let Some(r) = st.rec.as_mut()
                        && tag.len() > name_len
                        && r.elems.len() < MAX_ELEMS
                        && !(self.is_inline)(full)
                    {
                        let range = push_path(&mut r.paths, st.path, local(full));
                        r.elems.push(Elem { path: arena_range(range), tag, name_len, text: Cow::Borrowed("") });
                    }
                }
                Event::End(_) => {
                    if st.rec.is_some() {
                        if st.stack.pop().is_some() {
                            // Back to the nearest open non-inline element's path and text.
                            st.text_target = st.stack.iter().rev().find_map(|i| *i);
                            st.path = match (st.rec.as_ref(), st.text_target) {
                                (Some(r), Some(i)) => r.elems.get(i).map_or((0, 0), |e| (e.path.0 as usize, e.path.1 as usize)),
                                _ => (0, 0),
                            };
                        } else if let Some(r) = st.rec.take() {
                            if st.overflow {
                                diags.push(Diagnostic::error(
                                    r.line,
                                    "This record is too large or too deeply nested; the rest of it was skipped.",
                                ));
                            }
                            self.position += 1;
                            let c = (self.build)(r, self.position, diags);
                            self.queue.push_back(c);
                        }
                    }
                }
                Event::Text(t) => push_text(&mut st, t.into_inner(), true),
                Event::CData(t) => push_text(&mut st, t.into_inner(), false),
                Event::GeneralRef(r) => {
                    let resolved: Option<String> = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c.to_string()),
                        Ok(None) => predefined(&r).map(str::to_string),
                        Err(_) => None,
                    };
                    match resolved {
                        Some(s) => push_text(&mut st, Cow::Owned(s), false),
                        None => {
                            self.entity_warnings += 1;
                            if self.entity_warnings <= MAX_ENTITY_WARNINGS {
                                let line = self.line_at(text, before);
                                diags.push(Diagnostic::warning(
                                    line,
                                    format!("The unknown entity &{}; was dropped (entities are not expanded).", &*r),
                                ));
                            }
                        }
                    }
                }
                Event::DocType(d) => {
                    if d.contains("<!ENTITY") || d.contains("<!entity") {
                        self.done = true;
                        let line = self.line_at(text, before);
                        diags.push(Diagnostic::error(
                            line,
                            "The XML declares its own entities in its DOCTYPE, which is how entity-expansion (\"billion laughs\") and external-entity attacks work; the file was rejected. Export it again without a DOCTYPE, or as RIS.",
                        ));
                        self.queue.clear();
                        return;
                    }
                }
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
                Event::Eof => break,
            }
        }
        if let Some(r) = st.rec.take() {
            diags.push(Diagnostic::warning(
                r.line,
                format!("The record starting on line {} is not closed at the end of the file; it was kept.", r.line),
            ));
            self.position += 1;
            let c = (self.build)(r, self.position, diags);
            self.queue.push_back(c);
        }
    }
}

/// Re-borrows an event's text from the window it was read from, so it outlives the event.
fn reborrow<'w>(window: &'w str, s: &str) -> &'w str {
    let base = window.as_ptr() as usize;
    let p = s.as_ptr() as usize;
    if p >= base && p + s.len() <= base + window.len() {
        window.get(p - base..p - base + s.len()).unwrap_or_default()
    } else {
        // Not borrowed from the window (never expected): an empty tag loses only its attributes.
        ""
    }
}

/// Appends `parent/name` to the arena and returns its range.
fn push_path(arena: &mut String, parent: (usize, usize), name: &str) -> (usize, usize) {
    let from = arena.len();
    if parent.1 > parent.0 && parent.1 <= from {
        arena.extend_from_within(parent.0..parent.1);
        arena.push('/');
    }
    arena.push_str(name);
    (from, arena.len())
}

/// Stores an arena range compactly.
fn arena_range((a, b): (usize, usize)) -> (u32, u32) {
    (u32::try_from(a).unwrap_or(u32::MAX), u32::try_from(b).unwrap_or(u32::MAX))
}

/// Appends text to the element that currently receives it; `ws_aware` holds back indentation.
fn push_text<'w>(st: &mut State<'w>, t: Cow<'w, str>, ws_aware: bool) {
    let (Some(r), Some(i)) = (st.rec.as_mut(), st.text_target) else {
        return;
    };
    let Some(el) = r.elems.get_mut(i) else { return };
    if ws_aware && t.bytes().all(|b| b.is_ascii_whitespace()) {
        st.pending_ws = Some(i);
        return;
    }
    let space = st.pending_ws == Some(i) && !el.text.is_empty();
    st.pending_ws = None;
    if el.text.is_empty() && !space {
        el.text = t;
    } else {
        let s = el.text.to_mut();
        if space {
            s.push(' ');
        }
        s.push_str(&t);
    }
}

/// Decodes bytes as UTF-8 where valid and as Windows-1252 elsewhere.
fn lossy_1252(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 64);
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let valid = e.valid_up_to();
                out.push_str(std::str::from_utf8(rest.get(..valid).unwrap_or_default()).unwrap_or_default());
                let bad_len = e.error_len().unwrap_or(rest.len() - valid).max(1);
                let bad = rest.get(valid..valid + bad_len).unwrap_or_default();
                out.push_str(&encoding_rs::WINDOWS_1252.decode_without_bom_handling(bad).0);
                rest = rest.get(valid + bad_len..).unwrap_or_default();
            }
        }
    }
}

/// The local part of a possibly prefixed name.
fn local(name: &str) -> &str {
    match name.bytes().rposition(|b| b == b':') {
        Some(i) => name.get(i + 1..).unwrap_or(name),
        None => name,
    }
}

/// The five predefined XML entities (and `nbsp`, which some exporters emit).
fn predefined(name: &str) -> Option<&'static str> {
    match name {
        "amp" | "lt" | "gt" | "quot" | "apos" | "nbsp" => text::named_entity(name),
        _ => None,
    }
}
