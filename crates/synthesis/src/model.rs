//! The model module owns extracts, the code tree and codings, with validation of spans in Unicode scalar values.

use std::collections::{HashMap, HashSet};

/// Whether an extract is the words of a participant or the interpretation of the study's authors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtractKind {
    /// A verbatim quotation from a participant.
    ParticipantQuote,
    /// A finding as interpreted and written by the study's authors.
    AuthorInterpretation,
}

impl ExtractKind {
    /// The stable label used in exports.
    pub fn label(self) -> &'static str {
        match self {
            ExtractKind::ParticipantQuote => "participant quote",
            ExtractKind::AuthorInterpretation => "author interpretation",
        }
    }

    /// Parses a label written by [`ExtractKind::label`].
    pub fn from_label(label: &str) -> Option<ExtractKind> {
        match label {
            "participant quote" => Some(ExtractKind::ParticipantQuote),
            "author interpretation" => Some(ExtractKind::AuthorInterpretation),
            _ => None,
        }
    }
}

/// A verbatim finding extract taken from one included study; its text must not change once coded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extract {
    pub id: String,
    pub study: String,
    pub text: String,
    pub kind: ExtractKind,
    pub page: Option<u32>,
    pub section: Option<String>,
    pub extractor: String,
}

/// A code in the code bank; codes form a tree through `parent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub id: String,
    pub name: String,
    pub description: String,
    pub parent: Option<String>,
    /// A colour written as `#rrggbb`.
    pub colour: Option<String>,
    pub codable: bool,
}

/// One application of a code to a span of an extract by one coder.
///
/// `start..end` counts Unicode scalar values (Rust `char`s) from the start of the extract text, so an emoji
/// with a skin-tone modifier counts as several positions, exactly as REFI-QDA code points do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coding {
    pub id: String,
    pub extract: String,
    pub code: String,
    pub start: usize,
    pub end: usize,
    pub coder: String,
}

/// Returns true when `colour` is written as `#rrggbb` with hexadecimal digits.
pub fn is_valid_colour(colour: &str) -> bool {
    let bytes = colour.as_bytes();
    bytes.len() == 7 && bytes[0] == b'#' && bytes[1..].iter().all(u8::is_ascii_hexdigit)
}

/// Checks the code tree: unique non-empty ids, known parents, no cycles and well-formed colours.
pub fn validate_codes(codes: &[Code]) -> Result<(), String> {
    let mut parents: HashMap<&str, Option<&str>> = HashMap::new();
    for code in codes {
        if code.id.trim().is_empty() {
            return Err(format!("The code named \"{}\" has an empty id.", code.name));
        }
        if parents.insert(&code.id, code.parent.as_deref()).is_some() {
            return Err(format!("The code id \"{}\" is used more than once.", code.id));
        }
        if let Some(colour) = &code.colour
            && !is_valid_colour(colour)
        {
            return Err(format!("The code \"{}\" has the colour \"{colour}\", which is not written as #rrggbb.", code.name));
        }
    }
    for code in codes {
        if let Some(parent) = &code.parent
            && !parents.contains_key(parent.as_str())
        {
            return Err(format!("The code \"{}\" names the unknown parent \"{parent}\".", code.name));
        }
    }
    // Walk up from each code; codes already proven to reach a root are not walked again, so the check is
    // linear in the number of codes.
    let mut rooted: HashSet<&str> = HashSet::new();
    for code in codes {
        let mut path: Vec<&str> = Vec::new();
        let mut on_path: HashSet<&str> = HashSet::new();
        let mut current = Some(code.id.as_str());
        while let Some(id) = current {
            if rooted.contains(id) {
                break;
            }
            if !on_path.insert(id) {
                return Err(format!("The code \"{}\" is part of a cycle of parents.", code.name));
            }
            path.push(id);
            current = parents.get(id).copied().flatten();
        }
        rooted.extend(path);
    }
    Ok(())
}

/// Checks that `start..end` is a non-empty span inside the extract, counted in Unicode scalar values.
pub fn validate_coding(extract: &Extract, start: usize, end: usize) -> Result<(), String> {
    let length = extract.text.chars().count();
    if end <= start {
        return Err(format!("A coding must cover at least one character, but it starts at {start} and ends at {end}."));
    }
    if end > length {
        return Err(format!("The coding ends at {end}, beyond the {length} characters of extract \"{}\".", extract.id));
    }
    Ok(())
}

/// Byte offset of the character at position `index`, or the text length when `index` is the end.
fn byte_offset(text: &str, index: usize) -> Option<usize> {
    if index == 0 {
        return Some(0);
    }
    let mut indices = text.char_indices().map(|(offset, _)| offset).chain(std::iter::once(text.len()));
    indices.nth(index)
}

/// The text covered by `start..end` (in Unicode scalar values), or `None` when the span is invalid.
pub fn span_text(extract: &Extract, start: usize, end: usize) -> Option<&str> {
    validate_coding(extract, start, end).ok()?;
    let from = byte_offset(&extract.text, start)?;
    let to = byte_offset(&extract.text, end)?;
    extract.text.get(from..to)
}

/// Checks every coding against its extract and code: known ids, unique coding ids and valid spans.
pub fn validate_codings(extracts: &[Extract], codes: &[Code], codings: &[Coding]) -> Result<(), String> {
    let by_id: HashMap<&str, &Extract> = extracts.iter().map(|e| (e.id.as_str(), e)).collect();
    let code_ids: HashSet<&str> = codes.iter().map(|c| c.id.as_str()).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    for coding in codings {
        if !seen.insert(&coding.id) {
            return Err(format!("The coding id \"{}\" is used more than once.", coding.id));
        }
        let Some(extract) = by_id.get(coding.extract.as_str()) else {
            return Err(format!("The coding \"{}\" names the unknown extract \"{}\".", coding.id, coding.extract));
        };
        if !code_ids.contains(coding.code.as_str()) {
            return Err(format!("The coding \"{}\" names the unknown code \"{}\".", coding.id, coding.code));
        }
        validate_coding(extract, coding.start, coding.end)?;
    }
    Ok(())
}
