//! Field canonicalisation: DOIs, page ranges, volume and issue numbers, and author names.

use crate::text::fold;

/// Decodes `%XX` escapes (DOIs copied from URLs often carry them).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%'
            && let (Some(h), Some(l)) = (bytes.get(i + 1), bytes.get(i + 2))
            && let (Some(h), Some(l)) = ((*h as char).to_digit(16), (*l as char).to_digit(16))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Canonicalises a DOI: strips resolver prefixes (`https://doi.org/`, `http://dx.doi.org/`,
/// `doi:`), percent escapes, surrounding punctuation and whitespace, and lower-cases it.
/// Returns `None` when no `10.<registrant>/<suffix>` DOI is present.
pub fn canonical_doi(raw: &str) -> Option<String> {
    let decoded = percent_decode(raw.trim());
    let lower = decoded.to_lowercase();
    let start = lower.find("10.")?;
    let tail = lower.get(start..)?;
    let mut doi: String = tail.chars().take_while(|c| !c.is_whitespace() && *c != '"').collect();
    // Trailing punctuation from the surrounding sentence goes; a closing bracket stays when the
    // DOI itself opened it ("10.1016/0021-9150(80)90001-4", SICI DOIs with "<...>").
    while let Some(last) = doi.chars().last() {
        let unbalanced = |open: char, close: char| last == close && doi.matches(open).count() < doi.matches(close).count();
        if matches!(last, '.' | ',' | ';' | ':') || unbalanced('(', ')') || unbalanced('[', ']') || unbalanced('<', '>') {
            doi.pop();
        } else {
            break;
        }
    }
    let slash = doi.find('/')?;
    let prefix = doi.get(3..slash)?;
    let suffix = doi.get(slash + 1..)?;
    if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_digit() || c == '.') || suffix.is_empty() {
        return None;
    }
    Some(doi)
}

/// Reads the leading number of a volume or issue field ("38 (Supplement 1)" gives "38").
pub fn leading_number(raw: &str) -> Option<String> {
    let digits: String = raw.trim_start().trim_start_matches(['(', '[']).chars().take_while(char::is_ascii_digit).collect();
    let trimmed = digits.trim_start_matches('0');
    if digits.is_empty() {
        None
    } else if trimmed.is_empty() {
        Some("0".to_string())
    } else {
        Some(trimmed.to_string())
    }
}

/// True when a field is exactly a number (a "clean" volume or issue).
pub fn is_plain_number(raw: &str) -> bool {
    let t = raw.trim();
    !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())
}

fn month_number(s: &str) -> Option<u32> {
    let m = s.get(..3)?.to_ascii_lowercase();
    let n = match m.as_str() {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    Some(n)
}

/// Cleans one page token: lower-case, leading zeros removed ("0221" and "221" agree).
fn clean_page(p: &str) -> Option<String> {
    let t: String = p
        .trim()
        .trim_matches(|c: char| !c.is_alphanumeric())
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    if t.is_empty() {
        return None;
    }
    let digits_start = t.find(|c: char| c.is_ascii_digit()).unwrap_or(t.len());
    let (letters, rest) = t.split_at(digits_start);
    let rest = rest.trim_start_matches('0');
    let rest = if rest.is_empty() && !t.is_empty() && digits_start < t.len() { "0" } else { rest };
    Some(format!("{letters}{rest}"))
}

/// Expands an abbreviated end page against its start: ("221", "8") gives "228", ("1306", "15")
/// gives "1315". Non-numeric or already complete ends are returned unchanged.
fn expand_end(start: &str, end: &str) -> String {
    let (Some(sd), Some(ed)) = (
        start.trim_start_matches(|c: char| c.is_ascii_alphabetic()).parse::<u64>().ok(),
        end.trim_start_matches(|c: char| c.is_ascii_alphabetic()).parse::<u64>().ok(),
    ) else {
        return end.to_string();
    };
    let s_digits = sd.to_string();
    let e_digits = ed.to_string();
    if e_digits.len() < s_digits.len() && ed < sd {
        let keep = s_digits.len() - e_digits.len();
        let prefix: String = s_digits.chars().take(keep).collect();
        let letters: String = start.chars().take_while(char::is_ascii_alphabetic).collect();
        return format!("{letters}{prefix}{e_digits}");
    }
    end.to_string()
}

/// Canonical page range `(start, end)`. Accepts a range in the start field ("221-8"),
/// spreadsheet-mangled ranges ("01-Apr", "Nov-19"), "(no pagination)", and abbreviated ends.
pub fn pages(start: Option<&str>, end: Option<&str>) -> (Option<String>, Option<String>) {
    let start_raw = start.unwrap_or("").trim();
    let lowered = start_raw.to_ascii_lowercase();
    if lowered.contains("no pagination") || lowered.contains("pagination") {
        return (None, None);
    }
    let (s_part, e_part) = match start_raw.split_once(['-', '\u{2013}', '\u{2014}']) {
        Some((a, b)) => (a.trim(), Some(b.trim())),
        None => (start_raw, end.map(str::trim)),
    };
    let s_part = s_part.split_whitespace().next().unwrap_or("");
    // "A175.E1638" is a page followed by an abstract number: the page is what other sources cite.
    let s_part = match s_part.split_once('.') {
        Some((page, rest)) if rest.starts_with(|c: char| c.is_ascii_alphabetic()) => page,
        _ => s_part,
    };
    // Spreadsheet software turns "1-4" into "01-Apr" and "11-19" into "Nov-19".
    let (s_fixed, e_fixed) = match (month_number(s_part), e_part.and_then(month_number)) {
        (Some(m), None) if s_part.len() >= 3 && s_part.chars().all(|c| c.is_ascii_alphabetic()) => {
            (m.to_string(), e_part.map(str::to_string))
        }
        (None, Some(m)) if e_part.is_some_and(|e| e.chars().all(|c| c.is_ascii_alphabetic())) => (s_part.to_string(), Some(m.to_string())),
        _ => (s_part.to_string(), e_part.map(str::to_string)),
    };
    let s = clean_page(&s_fixed);
    let e = e_fixed.as_deref().and_then(clean_page);
    match (s, e) {
        (Some(s), Some(e)) => {
            let full = expand_end(&s, &e);
            (Some(s), Some(full))
        }
        (s, e) => (s, e),
    }
}

/// An author reduced for comparison: folded family name without spaces or hyphens, and the
/// first initial of the given names when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameKey {
    pub family: String,
    pub initial: Option<char>,
}

/// True for a token made only of initials such as "J", "JA", "J.-A." or "G.F.".
fn is_initials(tok: &str) -> bool {
    let letters: Vec<char> = tok.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty()
        && letters.len() <= 3
        && letters.iter().all(|c| c.is_uppercase())
        && tok.chars().all(|c| c.is_alphabetic() || c == '.' || c == '-')
}

/// Splits a run-together author string ("Adeli K.Lewis G. F.") into one string per author.
fn split_run_together(s: &str) -> Vec<String> {
    if s.contains(';') {
        return s.split(';').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut parts = Vec::new();
    let mut cur = String::new();
    for (i, c) in chars.iter().enumerate() {
        cur.push(*c);
        // A full stop directly followed by a capitalised word of two or more letters starts a new author.
        if *c == '.'
            && let (Some(n1), Some(n2)) = (chars.get(i + 1), chars.get(i + 2))
            && n1.is_uppercase()
            && n2.is_lowercase()
        {
            parts.push(std::mem::take(&mut cur).trim().to_string());
        }
    }
    if !cur.trim().is_empty() {
        parts.push(cur.trim().to_string());
    }
    // "Smith J, Jones K" lists authors with commas; "Smith, John" is one inverted name.
    if parts.len() == 1 && s.matches(',').count() >= 1 {
        let pieces: Vec<&str> = s.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
        let listed = pieces.len() >= 2
            && pieces.iter().all(|p| {
                let toks: Vec<&str> = p.split_whitespace().collect();
                toks.len() >= 2 && toks.last().is_some_and(|t| is_initials(t))
            });
        if listed {
            return pieces.into_iter().map(str::to_string).collect();
        }
    }
    parts
}

/// Reduces one author string without separate given names to a name key.
fn key_from_string(s: &str) -> Option<NameKey> {
    if let Some((fam, given)) = s.split_once(',') {
        return make_key(fam, given);
    }
    let toks: Vec<&str> = s.split_whitespace().collect();
    let split = toks.iter().rposition(|t| !is_initials(t)).map_or(0, |p| p + 1);
    if split > 0 && split < toks.len() {
        let fam = toks.get(..split).unwrap_or(&[]).join(" ");
        let given = toks.get(split..).unwrap_or(&[]).join(" ");
        return make_key(&fam, &given);
    }
    if toks.len() >= 2 {
        // "John Smith": given names first, family name last.
        let fam = toks.last().copied().unwrap_or("");
        let given = toks.get(..toks.len() - 1).unwrap_or(&[]).join(" ");
        return make_key(fam, &given);
    }
    make_key(s, "")
}

fn make_key(family: &str, given: &str) -> Option<NameKey> {
    let fam: String = fold(family).chars().filter(|c| c.is_alphanumeric()).collect();
    if fam.is_empty() {
        return None;
    }
    let initial = fold(given).chars().find(|c| c.is_alphabetic());
    Some(NameKey { family: fam, initial })
}

/// Comparison looks at the first 40 authors at most, so only those are kept.
const MAX_AUTHORS: usize = 40;

/// Converts the record's authors (the first 40) to name keys, splitting run-together strings.
pub fn author_keys(authors: &[crate::cite::Author]) -> Vec<NameKey> {
    let mut out = Vec::with_capacity(authors.len().min(MAX_AUTHORS));
    for a in authors {
        match a.given.as_deref().filter(|g| !g.trim().is_empty()) {
            Some(given) if !a.family.contains(';') => {
                if let Some(k) = make_key(&a.family, given) {
                    out.push(k);
                }
            }
            _ => {
                for part in split_run_together(&a.family) {
                    if let Some(k) = key_from_string(&part) {
                        out.push(k);
                    }
                }
            }
        }
    }
    out.truncate(MAX_AUTHORS);
    out.shrink_to_fit();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cite::Author;

    fn keys(family: &str, given: Option<&str>) -> Vec<(String, Option<char>)> {
        author_keys(&[Author { family: family.into(), given: given.map(Into::into) }]).into_iter().map(|k| (k.family, k.initial)).collect()
    }

    #[test]
    fn dois_are_canonical() {
        let want = Some("10.1097/mol.0b013e3282ffaf82".to_string());
        assert_eq!(canonical_doi("http://dx.doi.org/10.1097/MOL.0b013e3282ffaf82"), want);
        assert_eq!(canonical_doi("https://doi.org/10.1097/MOL.0b013e3282ffaf82."), want);
        assert_eq!(canonical_doi("doi: 10.1097/mol.0b013e3282ffaf82"), want);
        assert_eq!(canonical_doi("10.1016/S0025-7753%2817%2930624-3"), Some("10.1016/s0025-7753(17)30624-3".to_string()));
        assert_eq!(canonical_doi("(doi: 10.1016/0021-9150(80)90001-4)."), Some("10.1016/0021-9150(80)90001-4".to_string()));
        assert_eq!(
            canonical_doi("10.1002/(SICI)1097-0258(19980430)17:8<857::AID-SIM777>3.0.CO;2-E"),
            Some("10.1002/(sici)1097-0258(19980430)17:8<857::aid-sim777>3.0.co;2-e".to_string())
        );
        assert_eq!(canonical_doi("not a doi"), None);
        assert_eq!(canonical_doi("10./x"), None);
        assert_eq!(canonical_doi("%%%10.1/"), None);
    }

    #[test]
    fn pages_expand() {
        let p = |s: &str| pages(Some(s), None);
        assert_eq!(p("221-8"), (Some("221".into()), Some("228".into())));
        assert_eq!(p("221-228"), (Some("221".into()), Some("228".into())));
        assert_eq!(p("1306-15"), (Some("1306".into()), Some("1315".into())));
        assert_eq!(p("S170-S171"), (Some("s170".into()), Some("s171".into())));
        assert_eq!(p("01-Apr"), (Some("1".into()), Some("4".into())));
        assert_eq!(p("Nov-19"), (Some("11".into()), Some("19".into())));
        assert_eq!(p("11-Sep"), (Some("11".into()), Some("19".into())));
        assert_eq!(p("e001469"), (Some("e1469".into()), None));
        assert_eq!(p("(no pagination)"), (None, None));
        assert_eq!(pages(Some("221"), Some("8")), (Some("221".into()), Some("228".into())));
        assert_eq!(p("-"), (None, None));
        assert_eq!(p("A175.E1638"), (Some("a175".into()), None));
    }

    #[test]
    fn authors_split_and_reduce() {
        assert_eq!(keys("Adeli K.Lewis G. F.", None), vec![("adeli".into(), Some('k')), ("lewis".into(), Some('g'))]);
        assert_eq!(keys("Smith J", None), vec![("smith".into(), Some('j'))]);
        assert_eq!(keys("Smith, John", None), vec![("smith".into(), Some('j'))]);
        assert_eq!(keys("Smith", Some("John")), vec![("smith".into(), Some('j'))]);
        assert_eq!(keys("John Smith", None), vec![("smith".into(), Some('j'))]);
        assert_eq!(keys("Müller-Lüdenscheidt K.", None), vec![("mullerludenscheidt".into(), Some('k'))]);
        assert_eq!(keys("Smith J, Jones K", None).len(), 2);
        assert_eq!(keys("Segers V. F. M.Revin V.", None).len(), 2);
        assert!(keys("", None).is_empty());
    }
}
