//! Author-name parsing: "Family, Given", "Family Initials", "Given Family", collective names, and author
//! lists that spreadsheets run together ("Adeli K.Lewis G. F.").

use crate::Author;
use crate::text;

/// Words that mark a collective (corporate) author written without a trailing comma.
const COLLECTIVE: [&str; 16] = [
    "group",
    "organization",
    "organisation",
    "collaboration",
    "consortium",
    "committee",
    "network",
    "team",
    "association",
    "society",
    "institute",
    "investigators",
    "council",
    "agency",
    "department",
    "ministry",
];

/// Particles that begin a family name in "Given van der Family" order.
const PARTICLES: [&str; 9] = ["van", "von", "der", "den", "de", "del", "da", "di", "la"];

/// Parses one name. A trailing comma marks a collective name (the EndNote convention).
pub(crate) fn parse(s: &str) -> Author {
    let s = text::clean_line(s);
    let s = s.trim_matches(|c: char| c == ';' || c.is_whitespace());
    if let Some(corp) = s.strip_suffix(',') {
        return Author { family: corp.trim().to_string(), given: None };
    }
    if let Some((family, given)) = s.split_once(',') {
        let given = given.trim();
        return Author { family: family.trim().to_string(), given: (!given.is_empty()).then(|| given.to_string()) };
    }
    let words: Vec<&str> = s.split(' ').filter(|w| !w.is_empty()).collect();
    if words.len() <= 1 || is_collective(&words) {
        return Author { family: s.to_string(), given: None };
    }
    // "Smith J", "Gan L. M", "El Hachmane M.": trailing initials are the given name.
    let initials = words.iter().rev().take_while(|w| is_initials(w)).count();
    if initials > 0 && initials < words.len() {
        let split = words.len() - initials;
        return Author {
            family: words.get(..split).unwrap_or_default().join(" "),
            given: Some(words.get(split..).unwrap_or_default().join(" ")),
        };
    }
    // "John Smith", "Anna van der Berg".
    let mut split = words.len() - 1;
    while split > 1 && words.get(split - 1).is_some_and(|w| PARTICLES.contains(&w.to_lowercase().as_str())) {
        split -= 1;
    }
    Author { family: words.get(split..).unwrap_or_default().join(" "), given: Some(words.get(..split).unwrap_or_default().join(" ")) }
}

/// True for tokens such as "J", "J.", "JA", "J.A.", "J.-P.".
fn is_initials(w: &str) -> bool {
    let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty()
        && letters.len() <= 3
        && letters.iter().all(|c| c.is_uppercase())
        && w.chars().all(|c| c.is_alphabetic() || c == '.' || c == '-')
}

fn is_collective(words: &[&str]) -> bool {
    words.len() >= 5 || words.iter().any(|w| COLLECTIVE.contains(&w.to_lowercase().trim_matches(',')))
}

/// Splits an author cell from a spreadsheet: on `;`, on `|`, on " and ", on commas between
/// "Family Initials" names, or where names were run together after an initial ("Adeli K.Lewis G. F.").
pub(crate) fn split_list(cell: &str) -> Vec<Author> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Vec::new();
    }
    let parts: Vec<String> = if cell.contains(';') {
        cell.split(';').map(str::to_string).collect()
    } else if cell.contains('|') {
        cell.split('|').map(str::to_string).collect()
    } else if cell.contains(" and ") {
        cell.split(" and ").map(str::to_string).collect()
    } else if cell.contains(", ")
        && cell.split(", ").all(|p| p.split(' ').count() >= 2 && p.split(' ').next_back().is_some_and(is_initials))
    {
        cell.split(", ").map(str::to_string).collect()
    } else {
        split_run_together(cell)
    };
    parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).map(parse).collect()
}

/// Splits "Adeli K.Lewis G. F." at a full stop directly followed by a capitalised word.
fn split_run_together(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        cur.push(c);
        if c == '.' {
            let mut look = chars.clone();
            let a = look.next();
            let b = look.next();
            if a.is_some_and(char::is_uppercase) && b.is_some_and(char::is_lowercase) {
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(f: &str, g: Option<&str>) -> Author {
        Author { family: f.into(), given: g.map(Into::into) }
    }

    #[test]
    fn names() {
        assert_eq!(parse("Smith, John"), a("Smith", Some("John")));
        assert_eq!(parse("Smith J"), a("Smith", Some("J")));
        assert_eq!(parse("Gan L. M"), a("Gan", Some("L. M")));
        assert_eq!(parse("John Smith"), a("Smith", Some("John")));
        assert_eq!(parse("Anna van der Berg"), a("van der Berg", Some("Anna")));
        assert_eq!(parse("Homeless Link,"), a("Homeless Link", None));
        assert_eq!(parse("WHO Collaboration Group"), a("WHO Collaboration Group", None));
        let l = split_list("Adeli K.Lewis G. F.");
        assert_eq!(l, vec![a("Adeli", Some("K.")), a("Lewis", Some("G. F."))]);
        let l = split_list("Anderson R.C., Mansi S.A.");
        assert_eq!(l, vec![a("Anderson", Some("R.C.")), a("Mansi", Some("S.A."))]);
    }
}
