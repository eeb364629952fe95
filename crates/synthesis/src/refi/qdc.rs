//! The qdc module owns the REFI-QDA codebook file (`.qdc`) and the `Code` tree shared with `project.qde`.
//!
//! Themes: descriptive themes are written as `Sets` of member codes, because one code may belong to
//! several themes, which a parent-code tree cannot express. Analytical themes are not written: a set
//! cannot contain sets, and REFI-QDA has no element for a theme built from themes.

use std::collections::{HashMap, HashSet};

use super::guid_for;
use super::xml::{self, Element};
use crate::model::{Code, is_valid_colour, validate_codes};
use crate::themes::DescriptiveTheme;

/// A codebook as exchanged in a `.qdc` file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Codebook {
    pub codes: Vec<Code>,
    pub themes: Vec<DescriptiveTheme>,
}

/// Writes the `Code` elements for `codes`, nested by parent; `note_refs` maps a code id to note GUIDs.
pub(crate) fn write_codes(out: &mut String, codes: &[Code], note_refs: &HashMap<&str, Vec<String>>, depth: usize) -> Result<(), String> {
    let mut children: HashMap<Option<&str>, Vec<&Code>> = HashMap::new();
    for code in codes {
        children.entry(code.parent.as_deref()).or_default().push(code);
    }
    write_level(out, &children, None, note_refs, depth)
}

fn write_level(
    out: &mut String,
    children: &HashMap<Option<&str>, Vec<&Code>>,
    parent: Option<&str>,
    note_refs: &HashMap<&str, Vec<String>>,
    depth: usize,
) -> Result<(), String> {
    if depth > xml::MAX_DEPTH {
        return Err(format!("The code tree is more than {} levels deep.", xml::MAX_DEPTH));
    }
    let pad = "  ".repeat(depth);
    for code in children.get(&parent).map(Vec::as_slice).unwrap_or_default() {
        out.push_str(&format!(
            "{pad}<Code guid=\"{}\" name=\"{}\" isCodable=\"{}\"",
            xml::attr(&guid_for("code", &code.id))?,
            xml::attr(&code.name)?,
            code.codable
        ));
        if let Some(colour) = &code.colour {
            out.push_str(&format!(" color=\"{}\"", xml::attr(colour)?));
        }
        let notes = note_refs.get(code.id.as_str()).map(Vec::as_slice).unwrap_or_default();
        let has_children = children.contains_key(&Some(code.id.as_str()));
        if code.description.is_empty() && notes.is_empty() && !has_children {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        if !code.description.is_empty() {
            out.push_str(&format!("{pad}  <Description>{}</Description>\n", xml::text(&code.description)?));
        }
        for note in notes {
            out.push_str(&format!("{pad}  <NoteRef targetGUID=\"{}\"/>\n", xml::attr(note)?));
        }
        write_level(out, children, Some(code.id.as_str()), note_refs, depth + 1)?;
        out.push_str(&format!("{pad}</Code>\n"));
    }
    Ok(())
}

/// Expands a three-digit colour to six digits; returns `None` for anything that is not a colour.
fn read_colour(value: Option<&str>) -> Option<String> {
    let value = value?.trim();
    let digits = value.strip_prefix('#')?;
    let colour =
        if digits.len() == 3 { format!("#{}", digits.chars().flat_map(|c| [c, c]).collect::<String>()) } else { value.to_string() };
    is_valid_colour(&colour).then(|| colour.to_ascii_lowercase())
}

/// Reads nested `Code` elements in document order; note references are returned as (code id, note GUID).
pub(crate) fn read_codes(
    parent_element: &Element,
    parent: Option<&str>,
    codes: &mut Vec<Code>,
    notes: &mut Vec<(String, String)>,
) -> Result<(), String> {
    for element in parent_element.named("Code") {
        let Some(guid) = element.attr("guid").map(str::trim).filter(|g| !g.is_empty()) else {
            return Err("A Code element has no guid attribute.".to_string());
        };
        let codable = match element.attr("isCodable").map(str::trim) {
            Some("false") | Some("0") => false,
            Some("true") | Some("1") | None => true,
            Some(other) => {
                return Err(format!("The Code \"{guid}\" has isCodable=\"{other}\", which is not a boolean."));
            }
        };
        codes.push(Code {
            id: guid.to_string(),
            name: element.attr("name").unwrap_or_default().to_string(),
            description: element.child("Description").map(Element::text).unwrap_or_default(),
            parent: parent.map(str::to_string),
            colour: read_colour(element.attr("color")),
            codable,
        });
        for note in element.named("NoteRef") {
            if let Some(target) = note.attr("targetGUID") {
                notes.push((guid.to_string(), target.to_string()));
            }
        }
        read_codes(element, Some(guid), codes, notes)?;
    }
    Ok(())
}

/// Writes a `.qdc` codebook with the codes nested by parent and descriptive themes as `Sets`.
///
/// Codes are written depth-first: roots in input order, then each code's children in input order.
pub fn qdc(codes: &[Code], themes: &[DescriptiveTheme]) -> Result<String, String> {
    validate_codes(codes)?;
    let known: HashSet<&str> = codes.iter().map(|c| c.id.as_str()).collect();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\" origin=\"sift\">\n");
    if codes.is_empty() {
        return Err("A codebook needs at least one code, because QDA-XML requires Codes to hold a Code.".into());
    }
    out.push_str("  <Codes>\n");
    write_codes(&mut out, codes, &HashMap::new(), 2)?;
    out.push_str("  </Codes>\n");
    if !themes.is_empty() {
        out.push_str("  <Sets>\n");
        for theme in themes {
            out.push_str(&format!(
                "    <Set guid=\"{}\" name=\"{}\">\n",
                xml::attr(&guid_for("theme", &theme.id))?,
                xml::attr(&theme.name)?
            ));
            for code in &theme.codes {
                if !known.contains(code.as_str()) {
                    return Err(format!("The theme \"{}\" names the unknown code \"{code}\".", theme.name));
                }
                out.push_str(&format!("      <MemberCode guid=\"{}\"/>\n", xml::attr(&guid_for("code", code))?));
            }
            out.push_str("    </Set>\n");
        }
        out.push_str("  </Sets>\n");
    }
    out.push_str("</CodeBook>\n");
    Ok(out)
}

/// Reads a `.qdc` codebook, ignoring namespaces (one product writes `urn:QDA-XML:codebook:1:0`) and a
/// leading byte-order mark. Codes come back depth-first with GUIDs as ids and parents from nesting.
pub fn read_qdc(text: &str) -> Result<Codebook, String> {
    let root = xml::parse(text)?;
    if root.name != "CodeBook" {
        return Err(format!("The root element is \"{}\", but a codebook starts with CodeBook.", root.name));
    }
    let mut codes = Vec::new();
    if let Some(list) = root.child("Codes") {
        read_codes(list, None, &mut codes, &mut Vec::new())?;
    }
    validate_codes(&codes)?;
    let mut themes = Vec::new();
    for set in root.child("Sets").into_iter().flat_map(|sets| sets.named("Set")) {
        let Some(guid) = set.attr("guid") else {
            return Err("A Set element has no guid attribute.".to_string());
        };
        themes.push(DescriptiveTheme {
            id: guid.to_string(),
            name: set.attr("name").unwrap_or_default().to_string(),
            codes: set
                .named("MemberCode")
                .filter_map(|member| member.attr("guid").or_else(|| member.attr("targetGUID")))
                .map(str::to_string)
                .collect(),
        });
    }
    Ok(Codebook { codes, themes })
}
