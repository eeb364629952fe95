//! Reading and validating an instrument file: every problem is collected and reported as a sentence naming it.

use std::collections::HashSet;

use toml::{Table, Value};

use super::{AnswerOption, AnswerSet, Gate, Instrument, Item, Rating, Section};

const TOP_KEYS: &[&str] =
    &["id", "name", "version", "attribution", "licence", "verified", "note", "description", "answer_sets", "sections", "gate", "overall"];
const SECTION_KEYS: &[&str] = &["id", "title", "description", "items"];
const ITEM_KEYS: &[&str] = &["id", "number", "text", "hints", "answer_set", "free_text", "screening"];
const OVERALL_KEYS: &[&str] = &["id", "number", "text", "hints", "answer_set"];
const ANSWER_KEYS: &[&str] = &["key", "label", "rating"];
const GATE_KEYS: &[&str] = &["question", "answer"];

/// Reads an instrument from its TOML text and checks it.
///
/// Returns every problem found, each as a sentence that names the problem and where it is
/// (for example "Section `A`, item `q3`: answer set `yes_no` is not defined."), so a lead
/// importing a custom instrument can fix them all at once.
pub fn load(text: &str) -> Result<Instrument, Vec<String>> {
    let table: Table = match text.parse() {
        Ok(t) => t,
        Err(e) => return Err(vec![syntax_error(text, &e)]),
    };
    let mut p = Problems::default();
    p.unknown_keys(&table, TOP_KEYS, "The instrument");

    let id = p.required_str(&table, "id", "The instrument");
    if !id.is_empty() && !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        p.push(format!("The instrument id `{id}` may hold only lower-case letters, digits and hyphens."));
    }
    let name = p.required_str(&table, "name", "The instrument");
    let version = p.required_str(&table, "version", "The instrument");
    let attribution = p.required_str(&table, "attribution", "The instrument");
    let licence = p.required_str(&table, "licence", "The instrument");
    let verified = p.optional_bool(&table, "verified", "The instrument").unwrap_or(true);
    let note = p.optional_str(&table, "note", "The instrument");
    let description = p.optional_str(&table, "description", "The instrument");
    if !verified && note.is_none() {
        p.push("The instrument is marked `verified = false` but has no `note` saying which wording is paraphrased.".to_string());
    }

    let answer_sets = answer_sets(&mut p, table.get("answer_sets"));
    let set_names: HashSet<&str> = answer_sets.iter().map(|s| s.name.as_str()).collect();

    let mut sections = Vec::new();
    match table.get("sections") {
        None => p.push("The instrument has no `sections`; it needs at least one.".to_string()),
        Some(Value::Array(list)) if list.is_empty() => {
            p.push("The instrument has an empty `sections` list; it needs at least one.".to_string())
        }
        Some(Value::Array(list)) => {
            for (n, v) in list.iter().enumerate() {
                if let Some(s) = section(&mut p, n + 1, v, &set_names) {
                    sections.push(s);
                }
            }
        }
        Some(_) => p.push("`sections` must be an array of tables (`[[sections]]`).".to_string()),
    }

    let overall = match table.get("overall") {
        None => None,
        Some(Value::Table(t)) => overall(&mut p, t, &set_names),
        Some(_) => {
            p.push("`overall` must be a table (`[overall]`).".to_string());
            None
        }
    };

    let gate = match table.get("gate") {
        None => None,
        Some(Value::Table(t)) => {
            p.unknown_keys(t, GATE_KEYS, "The gate");
            let question = p.required_str(t, "question", "The gate");
            let answer = p.required_str(t, "answer", "The gate");
            Some(Gate { question, answer })
        }
        Some(_) => {
            p.push("`gate` must be a table (`[gate]`).".to_string());
            None
        }
    };

    cross_checks(&mut p, &sections, overall.as_ref(), gate.as_ref(), &answer_sets);

    if p.0.is_empty() {
        Ok(Instrument { id, name, version, attribution, licence, verified, note, description, answer_sets, sections, gate, overall })
    } else {
        Err(p.0)
    }
}

/// The TOML parser's message with the line and column of the error.
fn syntax_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; ");
    let message = message.trim_end_matches('.');
    match e.span() {
        Some(span) => {
            let start = span.start.min(text.len());
            let before = text.get(..start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("TOML syntax error at line {line}, column {column}: {message}.")
        }
        None => format!("TOML syntax error: {message}."),
    }
}

/// The problems found so far.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn push(&mut self, s: String) {
        self.0.push(s);
    }

    fn unknown_keys(&mut self, t: &Table, allowed: &[&str], place: &str) {
        for key in t.keys() {
            if !allowed.contains(&key.as_str()) {
                self.push(format!("{place} has an unknown key `{key}`; the keys allowed are {}.", allowed.join(", ")));
            }
        }
    }

    /// A required, non-blank string; an empty string stands in when it is missing.
    fn required_str(&mut self, t: &Table, key: &str, place: &str) -> String {
        match t.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Value::String(_)) => {
                self.push(format!("{place} has a blank `{key}`."));
                String::new()
            }
            Some(_) => {
                self.push(format!("{place}: `{key}` must be a string."));
                String::new()
            }
            None => {
                self.push(format!("{place} is missing `{key}`."));
                String::new()
            }
        }
    }

    fn optional_str(&mut self, t: &Table, key: &str, place: &str) -> Option<String> {
        match t.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Some(Value::String(_)) | None => None,
            Some(_) => {
                self.push(format!("{place}: `{key}` must be a string."));
                None
            }
        }
    }

    fn optional_bool(&mut self, t: &Table, key: &str, place: &str) -> Option<bool> {
        match t.get(key) {
            Some(Value::Boolean(b)) => Some(*b),
            None => None,
            Some(_) => {
                self.push(format!("{place}: `{key}` must be true or false."));
                None
            }
        }
    }
}

fn answer_sets(p: &mut Problems, v: Option<&Value>) -> Vec<AnswerSet> {
    let mut sets = Vec::new();
    let table = match v {
        None => {
            p.push("The instrument has no `answer_sets`; it needs at least one.".to_string());
            return sets;
        }
        Some(Value::Table(t)) => t,
        Some(_) => {
            p.push("`answer_sets` must be a table of named answer lists.".to_string());
            return sets;
        }
    };
    if table.is_empty() {
        p.push("The instrument has an empty `answer_sets` table; it needs at least one.".to_string());
    }
    for (name, list) in table {
        let place = format!("Answer set `{name}`");
        let Value::Array(list) = list else {
            p.push(format!("{place} must be an array of answers."));
            continue;
        };
        if list.is_empty() {
            p.push(format!("{place} is empty; it needs at least one answer."));
        }
        let mut answers: Vec<AnswerOption> = Vec::new();
        for (n, a) in list.iter().enumerate() {
            let place = format!("{place}, answer {}", n + 1);
            let Value::Table(a) = a else {
                p.push(format!("{place} must be a table with key, label and rating."));
                continue;
            };
            p.unknown_keys(a, ANSWER_KEYS, &place);
            let key = p.required_str(a, "key", &place);
            let label = p.required_str(a, "label", &place);
            let rating_name = p.required_str(a, "rating", &place);
            let rating = Rating::parse(&rating_name);
            if rating.is_none() && !rating_name.is_empty() {
                p.push(format!("{place} has the rating `{rating_name}`, which is not one of good, concern, bad, unclear, not_applicable."));
            }
            if !key.is_empty() && answers.iter().any(|o| o.key == key) {
                p.push(format!("Answer set `{name}` has the key `{key}` twice."));
            }
            if let Some(rating) = rating {
                answers.push(AnswerOption { key, label, rating });
            }
        }
        sets.push(AnswerSet { name: name.clone(), answers });
    }
    sets
}

fn section(p: &mut Problems, n: usize, v: &Value, sets: &HashSet<&str>) -> Option<Section> {
    let Value::Table(t) = v else {
        p.push(format!("Section {n} must be a table."));
        return None;
    };
    let id = match t.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        _ => {
            p.push(format!("Section {n} is missing its `id`."));
            n.to_string()
        }
    };
    let place = format!("Section `{id}`");
    p.unknown_keys(t, SECTION_KEYS, &place);
    let title = p.required_str(t, "title", &place);
    let description = p.optional_str(t, "description", &place);
    let mut items = Vec::new();
    match t.get("items") {
        None => p.push(format!("{place} is empty; it needs at least one item.")),
        Some(Value::Array(list)) => {
            if list.is_empty() {
                p.push(format!("{place} is empty; it needs at least one item."));
            }
            for (k, v) in list.iter().enumerate() {
                if let Some(i) = item(p, &place, k + 1, v, sets) {
                    items.push(i);
                }
            }
        }
        Some(_) => p.push(format!("{place}: `items` must be an array of tables.")),
    }
    Some(Section { id, title, description, items })
}

/// The item's id, or its position when the id is missing, for naming it in messages.
fn item_place(p: &mut Problems, section: &str, k: usize, t: &Table) -> (String, String) {
    match t.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            let id = s.trim().to_string();
            (format!("{section}, item `{id}`"), id)
        }
        _ => {
            p.push(format!("{section}, item {k} is missing its `id`."));
            (format!("{section}, item {k}"), String::new())
        }
    }
}

fn number(p: &mut Problems, t: &Table, place: &str, default: Option<&str>) -> String {
    match t.get("number") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::Integer(i)) => i.to_string(),
        None if default.is_some() => default.map(str::to_string).unwrap_or_default(),
        Some(Value::String(_)) | None => {
            p.push(format!("{place} is missing its `number`."));
            String::new()
        }
        Some(_) => {
            p.push(format!("{place}: `number` must be a string or an integer."));
            String::new()
        }
    }
}

fn hints(p: &mut Problems, t: &Table, place: &str) -> Vec<String> {
    match t.get("hints") {
        None => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|h| match h {
                Value::String(s) => Some(s.trim().to_string()),
                _ => {
                    p.push(format!("{place}: every hint must be a string."));
                    None
                }
            })
            .collect(),
        Some(_) => {
            p.push(format!("{place}: `hints` must be an array of strings."));
            Vec::new()
        }
    }
}

fn item(p: &mut Problems, section: &str, k: usize, v: &Value, sets: &HashSet<&str>) -> Option<Item> {
    let Value::Table(t) = v else {
        p.push(format!("{section}, item {k} must be a table."));
        return None;
    };
    let (place, id) = item_place(p, section, k, t);
    p.unknown_keys(t, ITEM_KEYS, &place);
    let number = number(p, t, &place, None);
    let text = p.required_str(t, "text", &place);
    let hints = hints(p, t, &place);
    let free_text = p.optional_bool(t, "free_text", &place).unwrap_or(false);
    let screening = p.optional_bool(t, "screening", &place).unwrap_or(false);
    let answer_set = p.optional_str(t, "answer_set", &place);
    match (&answer_set, free_text) {
        (Some(_), true) => p.push(format!("{place} has both an `answer_set` and `free_text = true`; give one.")),
        (None, false) => p.push(format!("{place} has neither an `answer_set` nor `free_text = true`; give one.")),
        (Some(name), false) if !sets.contains(name.as_str()) => p.push(format!("{place}: answer set `{name}` is not defined.")),
        _ => {}
    }
    if screening && free_text {
        p.push(format!("{place} is a screening item but is free text; a screening item needs an answer set."));
    }
    Some(Item { id, number, text, hints, answer_set: if free_text { None } else { answer_set }, screening })
}

fn overall(p: &mut Problems, t: &Table, sets: &HashSet<&str>) -> Option<Item> {
    let place = "The overall item";
    p.unknown_keys(t, OVERALL_KEYS, place);
    let id = p.required_str(t, "id", place);
    let number = number(p, t, place, Some("Overall"));
    let text = p.required_str(t, "text", place);
    let hints = hints(p, t, place);
    let answer_set = match t.get("answer_set") {
        Some(Value::String(name)) if sets.contains(name.trim()) => Some(name.trim().to_string()),
        Some(Value::String(name)) => {
            p.push(format!("{place}: answer set `{}` is not defined.", name.trim()));
            None
        }
        _ => {
            p.push(format!("{place} needs an `answer_set`; it cannot be free text."));
            None
        }
    };
    Some(Item { id, number, text, hints, answer_set, screening: false })
}

fn cross_checks(p: &mut Problems, sections: &[Section], overall: Option<&Item>, gate: Option<&Gate>, sets: &[AnswerSet]) {
    let mut section_ids = HashSet::new();
    for s in sections {
        if !section_ids.insert(s.id.as_str()) {
            p.push(format!("The section id `{}` is used twice.", s.id));
        }
    }
    let items: Vec<&Item> = sections.iter().flat_map(|s| s.items.iter()).chain(overall).collect();
    let mut ids = HashSet::new();
    let mut numbers = HashSet::new();
    for i in &items {
        if !i.id.is_empty() && !ids.insert(i.id.as_str()) {
            p.push(format!("The item id `{}` is used twice.", i.id));
        }
        if !i.number.is_empty() && !numbers.insert(i.number.as_str()) {
            p.push(format!("The item number `{}` is used twice.", i.number));
        }
    }
    let mut seen_other: Option<&str> = None;
    for i in sections.iter().flat_map(|s| s.items.iter()) {
        match (i.screening, seen_other) {
            (true, Some(other)) => p.push(format!(
                "The screening item `{}` comes after the non-screening item `{other}`; screening items must come first.",
                i.id
            )),
            (false, None) => seen_other = Some(i.id.as_str()),
            _ => {}
        }
    }
    let Some(gate) = gate else { return };
    let screening: Vec<&&Item> = items.iter().filter(|i| i.screening).collect();
    if screening.is_empty() {
        p.push("The instrument has a `gate` but no screening items (`screening = true`) for it to follow.".to_string());
    }
    for i in screening {
        let Some(set) = i.answer_set.as_deref().and_then(|n| sets.iter().find(|s| s.name == n)) else {
            continue;
        };
        if !gate.answer.is_empty() && !set.answers.iter().any(|a| a.key == gate.answer) {
            p.push(format!(
                "The gate's answer `{}` is not a key of answer set `{}`, used by screening item `{}`.",
                gate.answer, set.name, i.id
            ));
        }
    }
}
