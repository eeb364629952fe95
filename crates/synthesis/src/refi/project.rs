//! The project module owns the REFI-QDA project file (`project.qde`): writing it in the element order of
//! Project.xsd and reading it back.
//!
//! Mapping: users become `User` (with the sift id in `@id`); codes become the `CodeBook`; each extract
//! becomes a `TextSource` with `PlainTextContent` and `VariableValue`s for study, kind, page and section;
//! each coding becomes its own `PlainTextSelection` (positions in Unicode scalar values) holding one
//! `Coding/CodeRef`; memos become `Note`s attached by `NoteRef`; descriptive themes become `Sets`.
//! Codings are written grouped by extract, in extract order, keeping their relative order.

use std::collections::{HashMap, HashSet};

use super::qdc::{read_codes, write_codes};
use super::xml::{self, Element};
use super::{derive_guid, guid_for};
use crate::model::{Code, Coding, Extract, ExtractKind, validate_codes, validate_codings};
use crate::themes::DescriptiveTheme;

/// A reviewer or coder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub name: String,
}

/// A memo. `target` is the id of a code, an extract or a coding; `None` attaches it to the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub id: String,
    pub target: Option<String>,
    pub text: String,
    pub author: Option<String>,
}

/// Everything exchanged in a REFI-QDA project.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Project {
    pub name: String,
    pub users: Vec<User>,
    pub codes: Vec<Code>,
    pub extracts: Vec<Extract>,
    pub codings: Vec<Coding>,
    pub notes: Vec<Note>,
    pub themes: Vec<DescriptiveTheme>,
}

const VARIABLES: [(&str, &str); 4] = [("Study", "Text"), ("Kind", "Text"), ("Page", "Integer"), ("Section", "Text")];

fn variable_guid(name: &str) -> String {
    derive_guid("variable", name)
}

fn selection_guid(coding_id: &str) -> String {
    derive_guid("selection", coding_id)
}

/// Where a note is attached.
enum Target {
    Project,
    Code,
    Extract,
    Coding,
}

fn check(project: &Project) -> Result<HashMap<&str, Target>, String> {
    validate_codes(&project.codes)?;
    validate_codings(&project.extracts, &project.codes, &project.codings)?;
    let mut users: HashSet<&str> = HashSet::new();
    for user in &project.users {
        if !users.insert(&user.id) {
            return Err(format!("The user id \"{}\" is used more than once.", user.id));
        }
    }
    let mut extracts: HashSet<&str> = HashSet::new();
    for extract in &project.extracts {
        if !extracts.insert(&extract.id) {
            return Err(format!("The extract id \"{}\" is used more than once.", extract.id));
        }
        if !users.contains(extract.extractor.as_str()) {
            return Err(format!("The extractor \"{}\" of extract \"{}\" is not a user.", extract.extractor, extract.id));
        }
    }
    for coding in &project.codings {
        if !users.contains(coding.coder.as_str()) {
            return Err(format!("The coder \"{}\" of coding \"{}\" is not a user.", coding.coder, coding.id));
        }
    }
    let mut targets = HashMap::new();
    for note in &project.notes {
        if let Some(author) = &note.author
            && !users.contains(author.as_str())
        {
            return Err(format!("The author \"{author}\" of note \"{}\" is not a user.", note.id));
        }
        let target = match &note.target {
            None => Target::Project,
            Some(t) if project.codes.iter().any(|c| &c.id == t) => Target::Code,
            Some(t) if extracts.contains(t.as_str()) => Target::Extract,
            Some(t) if project.codings.iter().any(|c| &c.id == t) => Target::Coding,
            Some(t) => {
                return Err(format!("The note \"{}\" is attached to the unknown id \"{t}\".", note.id));
            }
        };
        targets.insert(note.id.as_str(), target);
    }
    let codes: HashSet<&str> = project.codes.iter().map(|c| c.id.as_str()).collect();
    for theme in &project.themes {
        if let Some(code) = theme.codes.iter().find(|c| !codes.contains(c.as_str())) {
            return Err(format!("The theme \"{}\" names the unknown code \"{code}\".", theme.name));
        }
    }
    Ok(targets)
}

fn user_guid(id: &str) -> String {
    guid_for("user", id)
}

/// Writes `project.qde`; it validates against QDA-XML Project.xsd 1.0. The project is checked first.
pub fn project_qde(project: &Project) -> Result<String, String> {
    let targets = check(project)?;
    let mut refs: HashMap<&str, Vec<String>> = HashMap::new();
    let mut project_refs = Vec::new();
    for note in &project.notes {
        let guid = guid_for("note", &note.id);
        match (&note.target, targets.get(note.id.as_str())) {
            (Some(target), Some(Target::Code | Target::Extract | Target::Coding)) => refs.entry(target.as_str()).or_default().push(guid),
            _ => project_refs.push(guid),
        }
    }

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!("<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"{}\" origin=\"sift\">\n", xml::attr(&project.name)?));
    if !project.users.is_empty() {
        out.push_str("  <Users>\n");
        for user in &project.users {
            out.push_str(&format!(
                "    <User guid=\"{}\" name=\"{}\" id=\"{}\"/>\n",
                user_guid(&user.id),
                xml::attr(&user.name)?,
                xml::attr(&user.id)?
            ));
        }
        out.push_str("  </Users>\n");
    }
    if !project.codes.is_empty() {
        out.push_str("  <CodeBook>\n    <Codes>\n");
        write_codes(&mut out, &project.codes, &refs, 3)?;
        out.push_str("    </Codes>\n  </CodeBook>\n");
    }
    if !project.extracts.is_empty() {
        out.push_str("  <Variables>\n");
        for (name, kind) in VARIABLES {
            out.push_str(&format!("    <Variable guid=\"{}\" name=\"{name}\" typeOfVariable=\"{kind}\"/>\n", variable_guid(name)));
        }
        out.push_str("  </Variables>\n  <Sources>\n");
        for extract in &project.extracts {
            write_source(&mut out, project, extract, &refs)?;
        }
        out.push_str("  </Sources>\n");
    }
    if !project.notes.is_empty() {
        out.push_str("  <Notes>\n");
        for note in &project.notes {
            out.push_str(&format!("    <Note guid=\"{}\" name=\"Memo\"", guid_for("note", &note.id)));
            if let Some(author) = &note.author {
                out.push_str(&format!(" creatingUser=\"{}\"", user_guid(author)));
            }
            out.push_str(&format!(">\n      <PlainTextContent>{}</PlainTextContent>\n    </Note>\n", xml::text(&note.text)?));
        }
        out.push_str("  </Notes>\n");
    }
    if !project.themes.is_empty() {
        out.push_str("  <Sets>\n");
        for theme in &project.themes {
            out.push_str(&format!("    <Set guid=\"{}\" name=\"{}\">\n", guid_for("theme", &theme.id), xml::attr(&theme.name)?));
            for code in &theme.codes {
                out.push_str(&format!("      <MemberCode targetGUID=\"{}\"/>\n", guid_for("code", code)));
            }
            out.push_str("    </Set>\n");
        }
        out.push_str("  </Sets>\n");
    }
    for guid in project_refs {
        out.push_str(&format!("  <NoteRef targetGUID=\"{guid}\"/>\n"));
    }
    out.push_str("</Project>\n");
    Ok(out)
}

fn write_source(out: &mut String, project: &Project, extract: &Extract, refs: &HashMap<&str, Vec<String>>) -> Result<(), String> {
    let refs_of = |id: &str| refs.get(id).map(Vec::as_slice).unwrap_or_default();
    out.push_str(&format!(
        "    <TextSource guid=\"{}\" name=\"{}\" creatingUser=\"{}\">\n",
        guid_for("extract", &extract.id),
        xml::attr(&extract.id)?,
        user_guid(&extract.extractor)
    ));
    out.push_str(&format!("      <PlainTextContent>{}</PlainTextContent>\n", xml::text(&extract.text)?));
    for coding in project.codings.iter().filter(|c| c.extract == extract.id) {
        let coder = user_guid(&coding.coder);
        out.push_str(&format!(
            "      <PlainTextSelection guid=\"{}\" startPosition=\"{}\" endPosition=\"{}\" creatingUser=\"{coder}\">\n",
            selection_guid(&coding.id),
            coding.start,
            coding.end
        ));
        out.push_str(&format!(
            "        <Coding guid=\"{}\" creatingUser=\"{coder}\">\n          <CodeRef targetGUID=\"{}\"/>\n        </Coding>\n",
            guid_for("coding", &coding.id),
            guid_for("code", &coding.code)
        ));
        for note in refs_of(&coding.id) {
            out.push_str(&format!("        <NoteRef targetGUID=\"{note}\"/>\n"));
        }
        out.push_str("      </PlainTextSelection>\n");
    }
    for note in refs_of(&extract.id) {
        out.push_str(&format!("      <NoteRef targetGUID=\"{note}\"/>\n"));
    }
    let page = extract.page.map(|p| p.to_string());
    let values = [
        ("Study", "TextValue", Some(extract.study.as_str())),
        ("Kind", "TextValue", Some(extract.kind.label())),
        ("Page", "IntegerValue", page.as_deref()),
        ("Section", "TextValue", extract.section.as_deref()),
    ];
    for (name, element, value) in values {
        if let Some(value) = value {
            out.push_str(&format!(
                "      <VariableValue>\n        <VariableRef targetGUID=\"{}\"/>\n        <{element}>{}</{element}>\n      </VariableValue>\n",
                variable_guid(name),
                xml::text(value)?
            ));
        }
    }
    out.push_str("    </TextSource>\n");
    Ok(())
}

fn position(element: &Element, name: &str) -> Result<usize, String> {
    let value = element.attr(name).unwrap_or_default().trim();
    value.parse().map_err(|_| format!("A PlainTextSelection has {name}=\"{value}\", which is not a position."))
}

/// Reads a `project.qde`, ignoring namespaces and a byte-order mark.
///
/// `load` returns the text of a source stored as a file, given its `plainTextPath` (such as
/// `internal://<guid>.txt`); it is used only when a `TextSource` has no `PlainTextContent`.
pub fn read_project_qde(text: &str, load: &dyn Fn(&str) -> Option<String>) -> Result<Project, String> {
    let root = xml::parse(text)?;
    if root.name != "Project" {
        return Err(format!("The root element is \"{}\", but a project starts with Project.", root.name));
    }
    let mut project = Project { name: root.attr("name").unwrap_or_default().to_string(), ..Project::default() };
    let mut user_ids: HashMap<String, String> = HashMap::new();
    for user in root.child("Users").into_iter().flat_map(|u| u.named("User")) {
        let guid = user.attr("guid").unwrap_or_default().to_string();
        let id = user.attr("id").map_or_else(|| guid.clone(), str::to_string);
        user_ids.insert(guid, id.clone());
        project.users.push(User { id, name: user.attr("name").unwrap_or_default().to_string() });
    }
    let user = |guid: Option<&str>| guid.map(|g| user_ids.get(g).cloned().unwrap_or_else(|| g.to_string()));
    let mut note_targets: Vec<(String, String)> = Vec::new();
    if let Some(codes) = root.child("CodeBook").and_then(|b| b.child("Codes")) {
        read_codes(codes, None, &mut project.codes, &mut note_targets)?;
    }
    let variables: HashMap<&str, &str> = root
        .child("Variables")
        .into_iter()
        .flat_map(|v| v.named("Variable"))
        .filter_map(|v| Some((v.attr("guid")?, v.attr("name")?)))
        .collect();
    for source in root.child("Sources").into_iter().flat_map(|s| s.named("TextSource")) {
        let Some(guid) = source.attr("guid") else {
            return Err("A TextSource has no guid attribute.".to_string());
        };
        let text = match (source.child("PlainTextContent"), source.attr("plainTextPath")) {
            (Some(content), _) => content.text(),
            (None, Some(path)) => load(path).ok_or_else(|| format!("The source text \"{path}\" is missing."))?,
            (None, None) => {
                return Err(format!("The TextSource \"{guid}\" has neither PlainTextContent nor plainTextPath."));
            }
        };
        let mut extract = Extract {
            id: guid.to_string(),
            study: String::new(),
            text,
            kind: ExtractKind::AuthorInterpretation,
            page: None,
            section: None,
            extractor: user(source.attr("creatingUser")).unwrap_or_default(),
        };
        for value in source.named("VariableValue") {
            let name = value.child("VariableRef").and_then(|r| r.attr("targetGUID")).and_then(|g| variables.get(g));
            let content = value.elements().find(|e| e.name != "VariableRef").map(Element::text).unwrap_or_default();
            match name.copied() {
                Some("Study") => extract.study = content,
                Some("Kind") => extract.kind = ExtractKind::from_label(&content).unwrap_or(extract.kind),
                Some("Page") => extract.page = content.trim().parse().ok(),
                Some("Section") => extract.section = Some(content),
                _ => {}
            }
        }
        for selection in source.named("PlainTextSelection") {
            let (start, end) = (position(selection, "startPosition")?, position(selection, "endPosition")?);
            let mut first = None;
            for coding in selection.named("Coding") {
                let id = coding.attr("guid").unwrap_or_default().to_string();
                first.get_or_insert_with(|| id.clone());
                project.codings.push(Coding {
                    id,
                    extract: guid.to_string(),
                    code: coding.child("CodeRef").and_then(|r| r.attr("targetGUID")).unwrap_or_default().to_string(),
                    start,
                    end,
                    coder: user(coding.attr("creatingUser").or(selection.attr("creatingUser"))).unwrap_or_default(),
                });
            }
            if let Some(first) = first {
                for note in selection.named("NoteRef").filter_map(|n| n.attr("targetGUID")) {
                    note_targets.push((first.clone(), note.to_string()));
                }
            }
        }
        for note in source.named("NoteRef").filter_map(|n| n.attr("targetGUID")) {
            note_targets.push((guid.to_string(), note.to_string()));
        }
        project.extracts.push(extract);
    }
    for note in root.child("Notes").into_iter().flat_map(|n| n.named("Note")) {
        let guid = note.attr("guid").unwrap_or_default().to_string();
        project.notes.push(Note {
            target: note_targets.iter().find(|(_, n)| *n == guid).map(|(t, _)| t.clone()),
            id: guid,
            text: note.child("PlainTextContent").map(Element::text).unwrap_or_default(),
            author: user(note.attr("creatingUser")),
        });
    }
    for set in root.child("Sets").into_iter().flat_map(|s| s.named("Set")) {
        project.themes.push(DescriptiveTheme {
            id: set.attr("guid").unwrap_or_default().to_string(),
            name: set.attr("name").unwrap_or_default().to_string(),
            codes: set.named("MemberCode").filter_map(|m| m.attr("targetGUID")).map(str::to_string).collect(),
        });
    }
    validate_codes(&project.codes)?;
    validate_codings(&project.extracts, &project.codes, &project.codings)?;
    Ok(project)
}
