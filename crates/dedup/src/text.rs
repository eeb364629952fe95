//! Text folding: HTML removal, Unicode compatibility folding, accent removal, case and punctuation.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Decodes the HTML entities that bibliographic exports commonly contain.
fn decode_entity(name: &str) -> Option<String> {
    if let Some(num) = name.strip_prefix('#') {
        let code = if let Some(hex) = num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
            u32::from_str_radix(hex, 16).ok()?
        } else {
            num.parse::<u32>().ok()?
        };
        return char::from_u32(code).map(String::from);
    }
    let fixed = match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" | "rsquo" | "lsquo" => "'",
        "ldquo" | "rdquo" => "\"",
        "nbsp" | "thinsp" | "ensp" | "emsp" => " ",
        "ndash" | "mdash" | "minus" => "-",
        "szlig" => "ss",
        "aelig" => "ae",
        "AElig" => "AE",
        "oslash" => "o",
        "Oslash" => "O",
        "alpha" => "alpha",
        "beta" => "beta",
        "gamma" => "gamma",
        "kappa" => "kappa",
        _ => "",
    };
    if !fixed.is_empty() {
        return Some(fixed.to_string());
    }
    // Accented letters such as `&eacute;` reduce to their base letter.
    for suffix in ["acute", "grave", "circ", "uml", "tilde", "cedil", "ring", "caron"] {
        if let Some(base) = name.strip_suffix(suffix)
            && base.chars().count() == 1
        {
            return Some(base.to_string());
        }
    }
    None
}

/// Removes HTML/XML tags and decodes entities, leaving the text content.
pub fn strip_html(s: &str) -> String {
    if !s.contains('<') && !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            let after = &rest[1..];
            let looks_like_tag = after.chars().next().is_some_and(|n| n.is_ascii_alphabetic() || n == '/' || n == '!');
            if looks_like_tag && let Some(end) = after.find('>') {
                rest = &after[end + 1..];
                continue;
            }
        } else if c == '&'
            && let Some(end) = rest.find(';')
            && end <= 10
            && let Some(decoded) = decode_entity(&rest[1..end])
        {
            out.push_str(&decoded);
            rest = &rest[end + 1..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Maps letters that Unicode decomposition leaves intact to ASCII spellings.
fn special_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'ø' | 'Ø' => "o",
        'ł' | 'Ł' => "l",
        'đ' | 'Đ' | 'ð' | 'Ð' => "d",
        'þ' | 'Þ' => "th",
        'ı' => "i",
        'α' => "alpha",
        'β' => "beta",
        'γ' => "gamma",
        'δ' => "delta",
        'κ' => "kappa",
        'μ' | 'µ' => "mu",
        '&' => " and ",
        _ => return None,
    })
}

/// Folds text to lower-case ASCII words separated by single spaces.
///
/// HTML is removed, compatibility forms are unified (NFKD), accents are dropped, apostrophes and
/// quotes (straight or curly) vanish so that "Crohn’s" and "Crohn's" agree, and every other
/// non-alphanumeric character becomes a word break.
pub fn fold(s: &str) -> String {
    let cleaned = strip_html(s);
    let mut out = String::with_capacity(cleaned.len());
    let mut pending_space = false;
    // ASCII text is its own compatibility decomposition, so the common case skips NFKD.
    let chars: Box<dyn Iterator<Item = char>> = if cleaned.is_ascii() { Box::new(cleaned.chars()) } else { Box::new(cleaned.nfkd()) };
    for c in chars {
        if is_combining_mark(c) {
            continue;
        }
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' | '\u{00B4}') {
            continue;
        }
        let push = |piece: &str, out: &mut String, pending: &mut bool| {
            for p in piece.chars() {
                if p == ' ' {
                    *pending = true;
                } else {
                    if *pending && !out.is_empty() {
                        out.push(' ');
                    }
                    *pending = false;
                    out.push(p);
                }
            }
        };
        if let Some(rep) = special_letter(c) {
            push(rep, &mut out, &mut pending_space);
        } else if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                let mut buf = [0u8; 4];
                push(l.encode_utf8(&mut buf), &mut out, &mut pending_space);
            }
        } else {
            pending_space = true;
        }
    }
    out
}

/// Removes a trailing language tag such as ". [Russian]" and unwraps a title given in brackets.
fn strip_title_decoration(s: &str) -> &str {
    let mut t = s.trim();
    loop {
        let before = t;
        t = t.trim_end_matches(['.', ' ']);
        if let Some(open) = t.rfind('[')
            && t.ends_with(']')
        {
            let inner = t.get(open + 1..t.len() - 1).unwrap_or("");
            let is_tag = !inner.is_empty() && inner.len() <= 40 && inner.chars().all(|c| c.is_alphabetic() || c == ' ' || c == ',');
            if is_tag && open > 0 {
                t = t.get(..open).unwrap_or(t).trim_end();
            }
        }
        if t.starts_with('[') && t.ends_with(']') && t.len() >= 2 {
            t = t.get(1..t.len() - 1).unwrap_or(t).trim();
        }
        if t == before {
            return t;
        }
    }
}

/// Normalises a title for comparison: folded words, without a language tag, leading article or
/// enclosing brackets. Identical output means "the same title" for deduplication purposes.
pub fn normalize_title(title: &str) -> String {
    let folded = fold(strip_title_decoration(title));
    for article in ["the ", "a ", "an "] {
        if let Some(rest) = folded.strip_prefix(article)
            && rest.len() > 10
        {
            return rest.to_string();
        }
    }
    folded
}

/// The kind of publication a title announces: an article or a notice attached to another work.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Kind {
    #[default]
    Article,
    Erratum,
    Retraction,
    Concern,
    Comment,
    Reply,
}

impl Kind {
    /// A short human-readable label.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Article => "article",
            Kind::Erratum => "erratum/correction",
            Kind::Retraction => "retraction notice",
            Kind::Concern => "expression of concern",
            Kind::Comment => "comment",
            Kind::Reply => "reply",
        }
    }
}

/// True when `lead` (a lower-cased raw title) opens with `word` used as a label: followed by a
/// colon, full stop, dash, "to", "notice", "note", "for", or nothing ("Correction: ...", "Correction
/// to ...") rather than as the first word of a sentence ("Correction of hyponatraemia ...").
fn labelled(lead: &str, word: &str) -> bool {
    let Some(rest) = lead.strip_prefix(word) else {
        return false;
    };
    // The word must end here ("re" must not match "re-evaluation" or "renal").
    if rest.starts_with(|c: char| c.is_alphanumeric() || c == '-') {
        return false;
    }
    let rest = rest.trim_start_matches([' ', '\u{a0}']);
    rest.is_empty()
        || rest.starts_with([':', '.', '-', '\u{2013}', '\u{2014}', '(', '['])
        || ["to", "notice", "note", "for"]
            .iter()
            .any(|w| rest.strip_prefix(w).is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric())))
}

/// Classifies a title by the notice words at its start (or a MEDLINE "author reply" at its end).
/// `raw` is the title as given, `norm` its normalised form.
pub fn title_kind(raw: &str, norm: &str) -> Kind {
    let lead = raw.trim_start_matches(|c: char| c.is_whitespace() || c == '[' || c == '"').to_lowercase();
    let starts = |p: &[&str]| p.iter().any(|w| norm.starts_with(w));
    let label = |p: &[&str]| p.iter().any(|w| labelled(&lead, w));
    if starts(&["erratum", "errata ", "corrigendum", "corrigenda", "published erratum", "notice of correction"])
        || label(&["correction", "corrections"])
    {
        Kind::Erratum
    } else if starts(&["notice of retraction", "retraction notice", "retraction note"]) || label(&["retraction", "withdrawn", "withdrawal"])
    {
        Kind::Retraction
    } else if starts(&["expression of concern", "editorial expression of concern"]) {
        Kind::Concern
    } else if starts(&["in reply", "author reply", "authors reply", "authors response", "author response"])
        || label(&["reply"])
        || ["letter", "the letter", "comment", "the comment", "commentary", "correspondence", "the editor", "reader"]
            .iter()
            .any(|w| norm.starts_with(&format!("response to {w}")) || norm.starts_with(&format!("reply to {w}")))
        || norm.ends_with(" author reply")
        || norm.ends_with(" authors reply")
    {
        Kind::Reply
    } else if starts(&["comment on ", "comments on ", "commentary on "]) || label(&["re", "comment", "commentary"]) {
        Kind::Comment
    } else {
        Kind::Article
    }
}

/// Reads a part number ("Part II", "part 2", "pt. B") from a normalised title.
pub fn title_part(norm: &str) -> Option<u32> {
    let words: Vec<&str> = norm.split(' ').collect();
    let mut found = None;
    for pair in words.windows(2) {
        if let [w, n] = pair
            && (*w == "part" || *w == "pt")
            && let Some(v) = part_number(n)
        {
            found = Some(v);
        }
    }
    found
}

fn part_number(w: &str) -> Option<u32> {
    let v = match w {
        "i" | "one" | "a" | "first" => 1,
        "ii" | "two" | "b" | "second" => 2,
        "iii" | "three" | "c" | "third" => 3,
        "iv" | "four" | "d" | "fourth" => 4,
        "v" | "five" => 5,
        "vi" | "six" => 6,
        "vii" | "seven" => 7,
        "viii" | "eight" => 8,
        "ix" | "nine" => 9,
        "x" | "ten" => 10,
        _ => return w.parse::<u32>().ok().filter(|n| *n < 100),
    };
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_quotes_html_and_case() {
        assert_eq!(fold("Crohn’s  Disease"), "crohns disease");
        assert_eq!(fold("Crohn's disease"), "crohns disease");
        assert_eq!(fold("Étude de l'éffet"), "etude de leffet");
        assert_eq!(fold("Ldlr<sup>-/-</sup> mice"), "ldlr mice");
        assert_eq!(fold("K<inf>Ca</inf>3.1"), "kca3 1");
        assert_eq!(fold("A &amp; B"), "a and b");
        assert_eq!(fold("A & B"), "a and b");
        assert_eq!(fold("Stra&szlig;e"), "strasse");
        assert_eq!(fold("ﬁbrosis"), "fibrosis");
        assert_eq!(fold("x < y and y > z"), "x y and y z");
    }

    #[test]
    fn titles_lose_language_tags_and_brackets() {
        assert_eq!(
            normalize_title("[Protective effects of incretin on atherosclerosis]. [Japanese]"),
            "protective effects of incretin on atherosclerosis"
        );
        assert_eq!(
            normalize_title("Cardiovascular effects of DPP-4 inhibitors. [French]"),
            normalize_title("Cardiovascular effects of DPP-4 inhibitors")
        );
        assert_eq!(normalize_title("The effects of X on Y in mice"), "effects of x on y in mice");
        assert_eq!(normalize_title(""), "");
        assert_eq!(normalize_title("[]"), "");
    }

    fn tk(raw: &str) -> Kind {
        title_kind(raw, &normalize_title(raw))
    }

    #[test]
    fn notices_need_a_label_not_just_a_first_word() {
        assert_eq!(tk("Correction of hyponatraemia in older adults"), Kind::Article);
        assert_eq!(tk("Response to treatment with liraglutide in adolescents"), Kind::Article);
        assert_eq!(tk("Re-evaluation of the peer worker role"), Kind::Article);
        assert_eq!(tk("Retraction of the tongue in sleep apnoea"), Kind::Article);
        assert_eq!(tk("Correction: Effects of X on Y"), Kind::Erratum);
        assert_eq!(tk("Retraction: Effects of X on Y"), Kind::Retraction);
        assert_eq!(tk("RETRACTED: Effects of X on Y"), Kind::Article);
        assert_eq!(tk("Re: Effects of X on Y"), Kind::Comment);
        assert_eq!(tk("Response to letter regarding Effects of X"), Kind::Reply);
        assert_eq!(tk("Reply to Smith et al."), Kind::Reply);
        assert_eq!(tk("[Erratum]"), Kind::Erratum);
    }

    #[test]
    fn kinds_and_parts() {
        assert_eq!(tk("Erratum: Effects of X"), Kind::Erratum);
        assert_eq!(tk("Correction to: Effects of X"), Kind::Erratum);
        assert_eq!(tk("Retraction notice to Effects of X"), Kind::Retraction);
        assert_eq!(tk("Effects of X"), Kind::Article);
        assert_eq!(tk("Comment on: Effects of X"), Kind::Comment);
        assert_eq!(tk("Effects of X. Author reply"), Kind::Reply);
        assert_eq!(title_part(&normalize_title("Diabetes care: Part II")), Some(2));
        assert_eq!(title_part(&normalize_title("Diabetes care, part 1.")), Some(1));
        assert_eq!(title_part(&normalize_title("Diabetes care")), None);
    }
}
