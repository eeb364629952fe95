//! BibTeX / BibLaTeX reader.
//!
//! Grammar: `@type{key, name = value, …}` (or parentheses), where a value is `{…}` with nested braces,
//! `"…"`, a number, or an `@string` macro name, joined with `#`. `@string` defines macros; `@comment` and
//! `@preamble` are skipped; text between entries is ignored. LaTeX accents (`{\"o}`, `\'e`, `\c{c}`, `\ss`)
//! become Unicode (NFC), `\&` `\%` `\_` `\$` `\#` are unescaped, `--`/`---` become dashes and grouping
//! braces are dropped. Authors are split on `and` outside braces; a fully braced name is collective.
//!
//! | Field | BibTeX fields |
//! |---|---|
//! | source_id | the citation key |
//! | type | entry type: article → JOUR, book → BOOK, incollection/inbook → CHAP, inproceedings → CPAPER, phdthesis/mastersthesis → THES, techreport → RPRT, online → ELEC, unpublished → UNPB, misc → GEN |
//! | title / authors / year | title / author / year, else date |
//! | journal / abbrev | journal, journaltitle, else booktitle / shortjournal |
//! | volume / issue / pages | volume / number, issue / pages |
//! | doi, pmid, pmcid, issn, isbn, url, language | doi, pmid, pmcid, issn, isbn, url, language or langid |
//! | abstract / keywords | abstract / keywords (split on `,` or `;`) |

use std::collections::HashMap;
use std::io;

use crate::decode::Source;
use crate::record::Builder;
use crate::{Citation, Diagnostic, text};

/// The largest entry accepted, so one unbalanced brace cannot swallow a whole huge file into memory.
const MAX_ENTRY: usize = 8 * 1024 * 1024;

/// Reads BibTeX entries from `source`, handing each to `sink`.
pub(crate) fn parse(mut source: Source<'_>, sink: &mut dyn FnMut(Citation), diags: &mut Vec<Diagnostic>) -> io::Result<()> {
    let mut buf = Vec::with_capacity(4096);
    let mut line_no: u32 = 0;
    let mut entry = String::new();
    let mut start = 0u32;
    let mut depth: i64 = 0;
    let mut opened = false;
    let mut macros: HashMap<String, String> = HashMap::new();
    let mut position = 0usize;
    while source.next_line(&mut buf, line_no.saturating_add(1), diags)? {
        line_no = line_no.saturating_add(1);
        let line = source.decode(&buf, line_no, diags);
        if entry.is_empty() {
            if !line.trim_start().starts_with('@') {
                continue;
            }
            start = line_no;
            depth = 0;
            opened = false;
        }
        for (i, c) in line.char_indices() {
            let escaped = i > 0 && line.as_bytes().get(i - 1) == Some(&b'\\');
            match c {
                '{' | '(' if !opened => {
                    opened = true;
                    depth = 1;
                }
                '{' if !escaped => depth += 1,
                '}' if !escaped => depth -= 1,
                ')' if opened && depth == 1 && entry_uses_parens(&entry, &line) => depth = 0,
                _ => {}
            }
        }
        if entry.len() + line.len() > MAX_ENTRY {
            diags.push(Diagnostic::error(start, "This BibTeX entry is too long (unbalanced braces?); it was skipped."));
            entry.clear();
            continue;
        }
        entry.push_str(&line);
        entry.push('\n');
        if opened && depth <= 0 {
            if let Some(c) = entry_to_citation(&entry, start, &mut macros, position + 1, diags) {
                position += 1;
                sink(c);
            }
            entry.clear();
        }
    }
    if !entry.is_empty() {
        diags.push(Diagnostic::warning(
            start,
            format!("The entry starting on line {start} is not closed at the end of the file; it was read as far as it goes."),
        ));
        if let Some(c) = entry_to_citation(&entry, start, &mut macros, position + 1, diags) {
            sink(c);
        }
    }
    Ok(())
}

/// True when the entry (being accumulated) was opened with a parenthesis.
fn entry_uses_parens(entry: &str, line: &str) -> bool {
    let s = if entry.is_empty() { line } else { entry };
    let open = s.find(['{', '(']);
    open.is_some_and(|i| s.as_bytes().get(i) == Some(&b'('))
}

/// A small cursor over an entry's text.
struct Cur<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Cur<'a> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i..)?.chars().next()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += c.len_utf8();
        Some(c)
    }
    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }
    fn ident(&mut self) -> &'a str {
        let from = self.i;
        while self.peek().is_some_and(|c| !c.is_whitespace() && !matches!(c, ',' | '=' | '{' | '}' | '(' | ')' | '#' | '"')) {
            self.bump();
        }
        self.s.get(from..self.i).unwrap_or_default()
    }
    /// Reads a braced group after its `{`, returning the inner text.
    fn braced(&mut self) -> &'a str {
        let from = self.i;
        let mut depth = 1;
        let mut prev = ' ';
        while let Some(c) = self.bump() {
            if prev != '\\' {
                if c == '{' {
                    depth += 1;
                } else if c == '}' {
                    depth -= 1;
                    if depth == 0 {
                        return self.s.get(from..self.i - 1).unwrap_or_default();
                    }
                }
            }
            prev = c;
        }
        self.s.get(from..).unwrap_or_default()
    }
    fn quoted(&mut self) -> &'a str {
        let from = self.i;
        let mut depth = 0;
        let mut prev = ' ';
        while let Some(c) = self.bump() {
            if prev != '\\' {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    '"' if depth <= 0 => return self.s.get(from..self.i - 1).unwrap_or_default(),
                    _ => {}
                }
            }
            prev = c;
        }
        self.s.get(from..).unwrap_or_default()
    }
    /// Reads a value: parts joined with `#`.
    fn value(&mut self, macros: &HashMap<String, String>) -> String {
        let mut out = String::new();
        loop {
            self.ws();
            match self.peek() {
                Some('{') => {
                    self.bump();
                    out.push_str(self.braced());
                }
                Some('"') => {
                    self.bump();
                    out.push_str(self.quoted());
                }
                Some(_) => {
                    let id = self.ident();
                    if id.is_empty() {
                        break;
                    }
                    match macros.get(&id.to_lowercase()) {
                        Some(v) => out.push_str(v),
                        None => out.push_str(id),
                    }
                }
                None => break,
            }
            self.ws();
            if self.peek() == Some('#') {
                self.bump();
            } else {
                break;
            }
        }
        out
    }
}

fn entry_to_citation(
    entry: &str,
    line: u32,
    macros: &mut HashMap<String, String>,
    position: usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<Citation> {
    let mut c = Cur { s: entry, i: 0 };
    c.ws();
    c.bump(); // The '@'.
    let kind = c.ident().to_ascii_lowercase();
    c.ws();
    if !matches!(c.bump(), Some('{' | '(')) {
        diags.push(Diagnostic::warning(line, format!("The @{kind} line has no opening brace; it was skipped.")));
        return None;
    }
    match kind.as_str() {
        "comment" | "preamble" => return None,
        "string" => {
            c.ws();
            let name = c.ident().to_lowercase();
            c.ws();
            if c.bump() == Some('=') {
                let v = c.value(macros);
                macros.insert(name, v);
            }
            return None;
        }
        _ => {}
    }
    c.ws();
    let key = c.ident().to_string();
    let mut fields: Vec<(String, String)> = Vec::new();
    loop {
        c.ws();
        match c.peek() {
            Some(',') => {
                c.bump();
                continue;
            }
            None | Some('}' | ')') => break,
            _ => {}
        }
        let name = c.ident().to_ascii_lowercase();
        c.ws();
        if name.is_empty() || c.peek() != Some('=') {
            diags.push(Diagnostic::warning(line, format!("Entry {key}: a field without \"name = value\" was skipped.")));
            // Skip to the next comma to resynchronise.
            while c.peek().is_some_and(|ch| ch != ',') {
                c.bump();
            }
            continue;
        }
        c.bump();
        let v = c.value(macros);
        fields.push((name, v));
    }
    Some(build(&kind, &key, fields, line, position, diags))
}

fn build(kind: &str, key: &str, fields: Vec<(String, String)>, line: u32, position: usize, diags: &mut Vec<Diagnostic>) -> Citation {
    let mut b = Builder::new(line);
    b.source_id(key);
    b.type_name(match kind {
        "article" => "JOUR",
        "book" | "mvbook" => "BOOK",
        "inbook" | "incollection" | "bookinbook" => "CHAP",
        "inproceedings" | "conference" => "CPAPER",
        "proceedings" => "CONF",
        "phdthesis" | "mastersthesis" | "thesis" => "THES",
        "techreport" | "report" => "RPRT",
        "online" | "electronic" | "www" => "ELEC",
        "unpublished" => "UNPB",
        _ => "GEN",
    });
    let mut booktitle = None;
    let mut date = None;
    for (name, raw) in &fields {
        let v = latex_to_text(raw);
        match name.as_str() {
            "title" => b.title(&v),
            "author" => {
                for a in split_and(raw) {
                    let t = a.trim();
                    if t.starts_with('{') && t.ends_with('}') && single_group(t) {
                        b.author_parts(&latex_to_text(t), None);
                    } else {
                        b.author(&latex_to_text(t));
                    }
                }
            }
            "year" => b.year(&v, line),
            "date" => date = date.or(Some(v)),
            "journal" | "journaltitle" => b.journal(&v),
            "booktitle" => booktitle = booktitle.or(Some(v)),
            "shortjournal" | "journal-abbrev" | "journalabbrev" => b.journal_abbrev(&v),
            "volume" => b.volume(&v),
            "number" | "issue" => b.issue(&v),
            "pages" => b.pages(&v),
            "doi" => b.doi(&v),
            "pmid" => b.pmid(&v),
            "pmcid" => b.pmcid(&v),
            "issn" | "isbn" => b.issn_isbn(&v),
            "url" => b.url(raw),
            "language" | "langid" => b.language(&v),
            "abstract" => b.abstract_part(&v),
            "keywords" => {
                for k in v.split([',', ';']) {
                    b.keyword(k);
                }
            }
            _ => {}
        }
    }
    if let Some(d) = date {
        b.year(&d, line);
    }
    if let Some(bt) = booktitle {
        b.journal(&bt);
    }
    b.c.fields = fields;
    b.finish(position, diags)
}

/// True when `s` is one braced group: `{World Health Organization}`, not `{A} and {B}`.
fn single_group(s: &str) -> bool {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 && i + 1 < s.len() {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

/// Splits an author list on the word "and" outside braces.
fn split_and(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    let words: Vec<&str> = s.split_whitespace().collect();
    for w in words {
        if depth == 0 && w.eq_ignore_ascii_case("and") {
            out.push(std::mem::take(&mut cur));
            continue;
        }
        for c in w.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
    }
    out.push(cur);
    out.into_iter().filter(|s| !s.trim().is_empty()).collect()
}

/// The combining mark for a LaTeX accent command.
fn accent(cmd: &str) -> Option<char> {
    Some(match cmd {
        "\"" => '\u{308}',
        "'" => '\u{301}',
        "`" => '\u{300}',
        "^" => '\u{302}',
        "~" => '\u{303}',
        "=" => '\u{304}',
        "." => '\u{307}',
        "c" => '\u{327}',
        "v" => '\u{30C}',
        "u" => '\u{306}',
        "H" => '\u{30B}',
        "k" => '\u{328}',
        "r" => '\u{30A}',
        "d" => '\u{323}',
        "b" => '\u{331}',
        _ => return None,
    })
}

/// Letters and symbols written as LaTeX commands.
fn symbol(cmd: &str) -> Option<&'static str> {
    Some(match cmd {
        "ss" => "ß",
        "o" => "ø",
        "O" => "Ø",
        "ae" => "æ",
        "AE" => "Æ",
        "oe" => "œ",
        "OE" => "Œ",
        "aa" => "å",
        "AA" => "Å",
        "l" => "ł",
        "L" => "Ł",
        "i" => "ı",
        "j" => "ȷ",
        "textendash" => "–",
        "textemdash" => "—",
        "textquoteright" => "’",
        "textquoteleft" => "‘",
        "ldots" | "dots" => "…",
        "textbackslash" => "\\",
        _ => return None,
    })
}

/// Converts LaTeX markup in a field value to plain Unicode text (NFC).
pub(crate) fn latex_to_text(s: &str) -> String {
    if !s.contains(['\\', '{', '}', '~', '$']) && !s.contains("--") {
        return text::nfc(s.trim().to_string());
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '\\' => {
                let Some(&n) = chars.get(i) else { break };
                let cmd: String = if n.is_ascii_alphabetic() {
                    let from = i;
                    while chars.get(i).is_some_and(char::is_ascii_alphabetic) {
                        i += 1;
                    }
                    chars.get(from..i).unwrap_or_default().iter().collect()
                } else {
                    i += 1;
                    n.to_string()
                };
                if let Some(mark) = accent(&cmd) {
                    // The accented letter: "{o}", "o", "{\i}" or "\i".
                    if cmd.chars().all(|c| c.is_ascii_alphabetic()) {
                        while chars.get(i) == Some(&' ') {
                            i += 1;
                        }
                    }
                    let braced = chars.get(i) == Some(&'{');
                    if braced {
                        i += 1;
                    }
                    let mut base = None;
                    if chars.get(i) == Some(&'\\') && matches!(chars.get(i + 1), Some('i' | 'j')) {
                        base = chars.get(i + 1).copied();
                        i += 2;
                        if !braced && chars.get(i) == Some(&' ') {
                            i += 1;
                        }
                    } else if let Some(&ch) = chars.get(i)
                        && ch != '}'
                    {
                        base = Some(ch);
                        i += 1;
                    }
                    if braced && chars.get(i) == Some(&'}') {
                        i += 1;
                    }
                    if let Some(bch) = base {
                        out.push(bch);
                    }
                    out.push(mark);
                } else if let Some(sym) = symbol(&cmd) {
                    out.push_str(sym);
                    if chars.get(i) == Some(&'{') && chars.get(i + 1) == Some(&'}') {
                        i += 2;
                    } else if cmd.chars().all(|c| c.is_ascii_alphabetic()) && chars.get(i) == Some(&' ') {
                        i += 1;
                    }
                } else if cmd.len() == 1 && !cmd.chars().all(|c| c.is_ascii_alphabetic()) {
                    match cmd.as_str() {
                        "\\" => out.push(' '),
                        other => out.push_str(other),
                    }
                } else if chars.get(i) == Some(&' ') {
                    // Unknown commands such as \emph or \textit are dropped; their braced argument stays.
                    i += 1;
                }
            }
            '{' | '}' | '$' => {}
            '~' => out.push(' '),
            '-' if chars.get(i) == Some(&'-') => {
                if chars.get(i + 1) == Some(&'-') {
                    out.push('—');
                    i += 2;
                } else {
                    out.push('–');
                    i += 1;
                }
            }
            _ => out.push(c),
        }
    }
    text::nfc(text::collapse(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latex() {
        assert_eq!(
            latex_to_text(r#"Schr{\"o}dinger and M\"uller \& Co, caf\'{e}, na\"\i ve, \c{c}a, {\ss}, Ng\~{u}y\^{e}n"#),
            "Schrödinger and Müller & Co, café, naïve, ça, ß, Ngũyên"
        );
        assert_eq!(
            latex_to_text(r"{Housing First}: 10--20 \emph{peer} support---a {\o}verview"),
            "Housing First: 10–20 peer support—a øverview"
        );
        assert_eq!(
            split_and("Smith, John and {Homeless Link and Partners} AND Doe, J."),
            vec!["Smith, John", "{Homeless Link and Partners}", "Doe, J."]
        );
    }
}
