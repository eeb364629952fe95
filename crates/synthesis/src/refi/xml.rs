//! The xml module owns the small namespace-agnostic element tree used to read REFI-QDA files, and the
//! escaping used to write them.

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};

/// An XML element with namespace prefixes removed from element and attribute names.
#[derive(Debug, Clone, Default)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

/// A child of an element: another element or a run of text.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    /// The value of the attribute with this local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// The child elements, in document order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|node| match node {
            Node::Element(element) => Some(element),
            Node::Text(_) => None,
        })
    }

    /// The child elements with this local name.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.elements().filter(move |element| element.name == name)
    }

    /// The first child element with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|element| element.name == name)
    }

    /// The concatenated text directly inside this element.
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|node| match node {
                Node::Text(text) => Some(text.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_string()
}

fn start_element(start: &BytesStart) -> Result<Element, String> {
    let name = local(start.local_name().as_ref());
    let mut attrs = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| format!("The XML has a malformed attribute: {e}."))?;
        let key: &str = attribute.key.as_ref();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value =
            attribute.normalized_value(XmlVersion::Implicit1_0).map_err(|e| format!("The XML attribute \"{key}\" cannot be read: {e}."))?;
        attrs.push((local(key), value.into_owned()));
    }
    Ok(Element { name, attrs, children: Vec::new() })
}

fn push_text(stack: &mut [Element], text: &str) {
    if let Some(top) = stack.last_mut() {
        if let Some(Node::Text(last)) = top.children.last_mut() {
            last.push_str(text);
        } else {
            top.children.push(Node::Text(text.to_string()));
        }
    }
}

/// The deepest element nesting accepted, so that recursion over the tree stays bounded.
pub(crate) const MAX_DEPTH: usize = 200;

/// Parses an XML document into its root element; a leading byte-order mark is ignored.
pub(crate) fn parse(xml: &str) -> Result<Element, String> {
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| format!("The XML cannot be parsed: {e}."))?;
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("The XML nests elements more than {MAX_DEPTH} deep."));
                }
                stack.push(start_element(&start)?)
            }
            Event::Empty(start) => {
                let element = start_element(&start)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(element)),
                    None => return Ok(element),
                }
            }
            Event::End(_) => {
                let Some(element) = stack.pop() else {
                    return Err("The XML closes an element that was never opened.".to_string());
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(element)),
                    None => return Ok(element),
                }
            }
            Event::Text(text) => push_text(&mut stack, &text.xml10_content()),
            Event::CData(data) => push_text(&mut stack, &data.xml10_content()),
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match resolve_predefined_entity(&reference) {
                        Some(text) => text.to_string(),
                        None => return Err(format!("The XML uses the unknown entity \"&{};\".", &*reference)),
                    },
                    Err(e) => return Err(format!("The XML has a bad character reference: {e}.")),
                };
                push_text(&mut stack, &resolved);
            }
            Event::Eof => return Err("The XML ends before its root element is closed.".to_string()),
            _ => {}
        }
    }
}

/// Checks that a character may appear in an XML 1.0 document.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
}

fn refuse(c: char) -> String {
    format!("The text contains the character U+{:04X}, which XML 1.0 cannot carry.", u32::from(c))
}

/// Escapes element text; carriage returns become `&#13;` so that they survive line-end normalisation.
pub(crate) fn text(value: &str) -> Result<String, String> {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if allowed(c) => out.push(c),
            c => return Err(refuse(c)),
        }
    }
    Ok(out)
}

/// Escapes an attribute value; tabs and line ends become character references so that they survive
/// attribute-value normalisation.
pub(crate) fn attr(value: &str) -> Result<String, String> {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if allowed(c) => out.push(c),
            c => return Err(refuse(c)),
        }
    }
    Ok(out)
}
