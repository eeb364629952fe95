//! Text normalisation shared by all readers: HTML entities and inline tags, Unicode NFC, whitespace,
//! DOIs, page ranges, years and ISSN/ISBN shapes.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Normalises text to Unicode NFC, skipping the work for ASCII and already-normal text.
pub fn nfc(s: String) -> String {
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes { s } else { s.nfc().collect() }
}

/// Copies `s` normalised to NFC.
fn nfc_str(s: &str) -> String {
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes { s.to_string() } else { s.nfc().collect() }
}

/// True when `s` may hold an entity or a tag.
fn has_markup(s: &str) -> bool {
    memchr::memchr2(b'&', b'<', s.as_bytes()).is_some()
}

/// Cleans a text field: decodes HTML entities, drops inline tags (`<i>`, `<sup>`, `<b>`…), normalises to
/// NFC and trims. Newlines are kept.
pub fn clean(s: &str) -> String {
    let s = s.trim();
    if !has_markup(s) {
        return nfc_str(s);
    }
    let once = clean_once(s);
    // Escaped markup ("&lt;i&gt;") only becomes a tag after the first pass.
    if s.contains("&lt;") && once.contains('<') { nfc(clean_once(&once)) } else { nfc(once) }
}

/// Cleans a field and collapses all runs of whitespace (including newlines) to single spaces.
pub fn clean_line(s: &str) -> String {
    let t = s.trim();
    if !has_markup(t) && !needs_collapse(t) {
        return nfc_str(t);
    }
    collapse(&clean(t))
}

/// True when `s` has whitespace other than single spaces between words.
fn needs_collapse(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(first), Some(last)) = (b.first(), b.last()) else {
        return false;
    };
    if first.is_ascii_whitespace() || last.is_ascii_whitespace() {
        return true;
    }
    if memchr::memchr3(b'\t', b'\n', b'\r', b).is_some()
        || memchr::memchr2(0x0b, 0x0c, b).is_some()
        || memchr::memmem::find(b, b"  ").is_some()
    {
        return true;
    }
    !s.is_ascii() && (s.chars().any(|c| c.is_whitespace() && !c.is_ascii()) || s.trim() != s)
}

/// Collapses runs of whitespace to single spaces and trims.
pub fn collapse(s: &str) -> String {
    if !needs_collapse(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// One pass of entity decoding and inline-tag removal.
fn clean_once(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(['&', '<']) {
        out.push_str(rest.get(..i).unwrap_or_default());
        let tail = rest.get(i..).unwrap_or_default();
        if tail.starts_with('&') {
            if let Some((ch, used)) = entity(tail) {
                out.push_str(&ch);
                rest = tail.get(used..).unwrap_or_default();
                continue;
            }
            out.push('&');
        } else {
            if let Some((used, space)) = inline_tag(tail) {
                if space {
                    out.push(' ');
                }
                rest = tail.get(used..).unwrap_or_default();
                continue;
            }
            out.push('<');
        }
        rest = tail.get(1..).unwrap_or_default();
    }
    out.push_str(rest);
    out.trim().to_string()
}

/// Decodes an entity at the start of `s` (which starts with `&`). Returns the text and bytes used.
fn entity(s: &str) -> Option<(String, usize)> {
    let end = s.get(..s.len().min(12))?.find(';')?;
    let name = s.get(1..end)?;
    let text = if let Some(num) = name.strip_prefix('#') {
        let code =
            if let Some(hex) = num.strip_prefix(['x', 'X']) { u32::from_str_radix(hex, 16).ok()? } else { num.parse::<u32>().ok()? };
        let c = match code {
            // Windows-1252 code points written as numeric references (a common exporter bug).
            0x80..=0x9F => {
                let b = [code as u8];
                encoding_rs::WINDOWS_1252.decode_without_bom_handling(&b).0.chars().next()?
            }
            _ => char::from_u32(code)?,
        };
        c.to_string()
    } else {
        named_entity(name)?.to_string()
    };
    Some((text, end + 1))
}

/// The HTML named entities seen in bibliographic exports.
pub(crate) fn named_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => " ",
        "ndash" => "–",
        "mdash" => "—",
        "lsquo" => "‘",
        "rsquo" => "’",
        "ldquo" => "“",
        "rdquo" => "”",
        "hellip" => "…",
        "middot" => "·",
        "bull" => "•",
        "deg" => "°",
        "plusmn" => "±",
        "times" => "×",
        "le" => "≤",
        "ge" => "≥",
        "micro" => "µ",
        "alpha" => "α",
        "beta" => "β",
        "gamma" => "γ",
        "delta" => "δ",
        "kappa" => "κ",
        "mu" => "μ",
        "eacute" => "é",
        "egrave" => "è",
        "ecirc" => "ê",
        "euml" => "ë",
        "aacute" => "á",
        "agrave" => "à",
        "acirc" => "â",
        "auml" => "ä",
        "aring" => "å",
        "atilde" => "ã",
        "ccedil" => "ç",
        "iacute" => "í",
        "iuml" => "ï",
        "ntilde" => "ñ",
        "oacute" => "ó",
        "ograve" => "ò",
        "ocirc" => "ô",
        "ouml" => "ö",
        "oslash" => "ø",
        "uacute" => "ú",
        "ugrave" => "ù",
        "uuml" => "ü",
        "szlig" => "ß",
        "Eacute" => "É",
        "Auml" => "Ä",
        "Ouml" => "Ö",
        "Uuml" => "Ü",
        "Aring" => "Å",
        "Oslash" => "Ø",
        "copy" => "©",
        "reg" => "®",
        "trade" => "™",
        _ => return None,
    })
}

/// Recognises an inline formatting tag at the start of `s`. Returns its length and whether it stands for
/// a space (line and paragraph breaks).
fn inline_tag(s: &str) -> Option<(usize, bool)> {
    let end = s.get(..s.len().min(200))?.find('>')?;
    let inner = s.get(1..end)?;
    let inner = inner.strip_prefix('/').unwrap_or(inner);
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    let name_len = inner.find(|c: char| !c.is_ascii_alphanumeric() && c != ':').unwrap_or(inner.len());
    let name = inner.get(..name_len)?.to_ascii_lowercase();
    let rest = inner.get(name_len..)?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let space = matches!(name.as_str(), "br" | "p" | "div");
    let known = matches!(
        name.as_str(),
        "i" | "b"
            | "u"
            | "em"
            | "strong"
            | "sup"
            | "sub"
            | "sc"
            | "span"
            | "small"
            | "tt"
            | "font"
            | "br"
            | "p"
            | "div"
            | "a"
            | "mml:math"
            | "mml:mi"
            | "mml:mo"
            | "mml:mn"
            | "mml:msub"
            | "mml:msup"
            | "mml:mrow"
    ) || name.starts_with("mml:");
    known.then_some((end + 1, space))
}

/// Finds a DOI in `s` and returns it in canonical form: lower-case, without resolver prefix, percent-decoded
/// and without trailing punctuation. Returns `None` when there is no `10.xxxx/…` pattern.
pub fn canonical_doi(s: &str) -> Option<String> {
    let decoded = percent_decode(s.trim());
    let lower = decoded.to_lowercase();
    let bytes = lower.as_bytes();
    let mut from = 0;
    let start = loop {
        let i = from + lower.get(from..)?.find("10.")?;
        let prev_ok = i == 0 || bytes.get(i - 1).is_some_and(|b| !b.is_ascii_alphanumeric());
        let registrant = lower.get(i + 3..)?;
        let digits = registrant.bytes().take_while(u8::is_ascii_digit).count();
        if prev_ok && digits >= 4 && registrant.as_bytes().get(digits..).is_some_and(|r| r.contains(&b'/')) {
            break i;
        }
        from = i + 3;
    };
    let tail = lower.get(start..)?;
    let end = tail.find(char::is_whitespace).unwrap_or(tail.len());
    let mut doi = tail.get(..end)?.to_string();
    while let Some(last) = doi.chars().last() {
        let unbalanced_close = (last == ')' && doi.matches('(').count() < doi.matches(')').count())
            || (last == ']' && doi.matches('[').count() < doi.matches(']').count());
        if matches!(last, '.' | ',' | ';' | ':' | '"' | '\'' | '>') || unbalanced_close {
            doi.pop();
        } else {
            break;
        }
    }
    let slash = doi.find('/')?;
    (doi.len() > slash + 1).then_some(doi)
}

/// Decodes `%XX` escapes (used in DOI URLs).
fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(hex, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(c);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits a page field into first and last page, expanding abbreviated ranges ("221-8" → 221, 228).
pub fn expand_pages(s: &str) -> (Option<String>, Option<String>) {
    let s = s.trim();
    if s.is_empty() {
        return (None, None);
    }
    let dash = s.find(['-', '–', '—', '−']);
    let Some(d) = dash.filter(|&d| d > 0) else {
        return (Some(s.to_string()), None);
    };
    let start = s.get(..d).unwrap_or_default().trim();
    let end = s.get(d..).unwrap_or_default().trim_start_matches(['-', '–', '—', '−']).trim();
    let simple = |x: &str| !x.is_empty() && x.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    if !simple(start) || !simple(end) {
        return (Some(s.to_string()), None);
    }
    (Some(start.to_string()), Some(expand_end(start, end)))
}

/// Expands an abbreviated last page against the first page.
pub(crate) fn expand_end(start: &str, end: &str) -> String {
    let sd = start.trim_start_matches(|c: char| !c.is_ascii_digit());
    let prefix = start.get(..start.len() - sd.len()).unwrap_or_default();
    let end_digits = end.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    if sd.is_empty() || !sd.bytes().all(|b| b.is_ascii_digit()) || end_digits.is_empty() || !end_digits.bytes().all(|b| b.is_ascii_digit())
    {
        return end.to_string();
    }
    if end_digits.len() < sd.len() {
        let head = sd.get(..sd.len() - end_digits.len()).unwrap_or_default();
        let full = format!("{head}{end_digits}");
        // Only expand when the result is a plausible later page.
        if full.parse::<u64>().ok() >= sd.parse::<u64>().ok() {
            return format!("{prefix}{full}");
        }
        return end.to_string();
    }
    if end.len() == end_digits.len() && !prefix.is_empty() {
        return format!("{prefix}{end_digits}");
    }
    end.to_string()
}

/// Finds the first plausible four-digit year (1000–2999) standing on its own in `s`.
pub fn year_of(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    let mut i = 0;
    while i + 4 <= b.len() {
        let w = b.get(i..i + 4)?;
        let before = i == 0 || b.get(i - 1).is_some_and(|c| !c.is_ascii_digit());
        let after = b.get(i + 4).is_none_or(|c| !c.is_ascii_digit());
        if before && after && w.iter().all(u8::is_ascii_digit) && matches!(w.first(), Some(b'1' | b'2')) {
            let y = std::str::from_utf8(w).ok()?.parse().ok()?;
            return Some(y);
        }
        i += 1;
    }
    None
}

/// Returns the value as an ISSN (`1234-567X`) when it has that shape.
pub fn as_issn(s: &str) -> Option<String> {
    let t: String = s.trim().chars().filter(|c| *c != '-').collect();
    let ok = t.len() == 8
        && t.chars().take(7).all(|c| c.is_ascii_digit())
        && t.chars().nth(7).is_some_and(|c| c.is_ascii_digit() || c == 'x' || c == 'X');
    ok.then(|| format!("{}-{}", t.get(..4).unwrap_or_default(), t.get(4..).unwrap_or_default().to_ascii_uppercase()))
}

/// Returns the value as an ISBN (10 or 13 characters, hyphens kept) when it has that shape.
pub fn as_isbn(s: &str) -> Option<String> {
    let s = s.trim();
    let t: String = s.chars().filter(|c| *c != '-' && *c != ' ').collect();
    let n = t.len();
    let ok = (n == 10 || n == 13)
        && t.chars().take(n - 1).all(|c| c.is_ascii_digit())
        && t.chars().last().is_some_and(|c| c.is_ascii_digit() || c == 'x' || c == 'X');
    ok.then(|| s.to_ascii_uppercase())
}

/// Splits an identifier field that may hold several ISSNs/ISBNs ("0957-9672 (Print)\n0957-9672") into
/// the first ISSN and the first ISBN found.
pub fn split_issn_isbn(s: &str) -> (Option<String>, Option<String>) {
    let mut issn = None;
    let mut isbn = None;
    for tok in s.split(|c: char| c.is_whitespace() || matches!(c, ';' | ',' | '(' | ')' | '[' | ']')) {
        if tok.is_empty() {
            continue;
        }
        if issn.is_none()
            && let Some(v) = as_issn(tok)
        {
            issn = Some(v);
        } else if isbn.is_none()
            && let Some(v) = as_isbn(tok)
        {
            isbn = Some(v);
        }
    }
    (issn, isbn)
}

/// Returns digits-only PMIDs (with an optional `PMID:` prefix removed).
pub fn as_pmid(s: &str) -> Option<String> {
    let t = s.trim();
    let t = t.strip_prefix("PMID:").or_else(|| t.strip_prefix("PMID")).unwrap_or(t).trim();
    (!t.is_empty() && t.len() <= 10 && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.to_string())
}

/// Returns a PMCID in `PMC1234` form when the value has that shape.
pub fn as_pmcid(s: &str) -> Option<String> {
    let t = s.trim();
    let t = t.strip_prefix("PMCID:").unwrap_or(t).trim();
    let digits = t.strip_prefix("PMC").or_else(|| t.strip_prefix("pmc"))?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| format!("PMC{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dois() {
        assert_eq!(canonical_doi("https://doi.org/10.1097/MOL.0b013E3282FFAF82.").as_deref(), Some("10.1097/mol.0b013e3282ffaf82"));
        assert_eq!(canonical_doi("doi:10.1016/S0140-6736(07)61234-1").as_deref(), Some("10.1016/s0140-6736(07)61234-1"));
        assert_eq!(canonical_doi("http://dx.doi.org/10.1000%2Fabc)").as_deref(), Some("10.1000/abc"));
        assert_eq!(canonical_doi("no doi here"), None);
    }

    #[test]
    fn pages() {
        assert_eq!(expand_pages("221-8"), (Some("221".into()), Some("228".into())));
        assert_eq!(expand_pages("1021-32"), (Some("1021".into()), Some("1032".into())));
        assert_eq!(expand_pages("e0123"), (Some("e0123".into()), None));
        assert_eq!(expand_pages("S12-8"), (Some("S12".into()), Some("S18".into())));
        assert_eq!(expand_pages("98–102"), (Some("98".into()), Some("102".into())));
    }

    #[test]
    fn cleaning() {
        assert_eq!(clean("A &amp; B <i>in vivo</i> &#233;t&#x00E9; &nbsp;x"), "A & B in vivo été  x");
        assert_eq!(clean("a < b and c > d"), "a < b and c > d");
        assert_eq!(year_of("2008///"), Some(2008));
        assert_eq!(year_of("1998 Dec-1999 Jan"), Some(1998));
        assert_eq!(year_of("n.d."), None);
        assert_eq!(split_issn_isbn("0957-9672 (Print)\n0957-9672"), (Some("0957-9672".into()), None));
        assert_eq!(split_issn_isbn("978-0-19-953556-9"), (None, Some("978-0-19-953556-9".into())));
    }
}
