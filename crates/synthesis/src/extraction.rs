//! Study characteristics extraction: a review's form (typed fields), checking what an extractor typed
//! against it, the differences between two extractors, and the characteristics table (CSV, HTML).
//!
//! Values are a JSON object keyed by field key: text, date and choice fields hold a string, number
//! fields a JSON number, multiple-choice fields an array of strings. A missing key, `null`, an empty
//! string or an empty array all mean "not filled in".

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::cerqual::escape_html;

/// What a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Free text.
    Text,
    /// A finite number.
    Number,
    /// One of the field's options.
    Choice,
    /// Any number of the field's options.
    Choices,
    /// A date: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    Date,
}

impl FieldKind {
    pub fn has_options(self) -> bool {
        matches!(self, FieldKind::Choice | FieldKind::Choices)
    }
}

/// One field of the form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// Stable key the values are stored under: `[a-z0-9_]+`.
    pub key: String,
    /// The column heading and the input's label.
    pub label: String,
    pub kind: FieldKind,
    /// The options of a choice field (ignored for other kinds).
    #[serde(default)]
    pub options: Vec<String>,
    /// Must be filled in before an extraction is submitted.
    #[serde(default)]
    pub required: bool,
    /// Guidance shown to extractors.
    #[serde(default)]
    pub help: Option<String>,
}

/// A review's extraction form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Form {
    pub fields: Vec<Field>,
    /// Independent extractions each study needs: 1 or 2.
    #[serde(default = "two")]
    pub extractors: u8,
}

fn two() -> u8 {
    2
}

impl Default for Form {
    fn default() -> Form {
        Form { fields: Vec::new(), extractors: 2 }
    }
}

impl Form {
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }
}

/// One problem with one value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldIssue {
    pub key: String,
    pub message: String,
}

/// Checks a form; every problem is reported, each as `path: message` (e.g. `fields[2].options: ...`).
pub fn validate_form(form: &Form) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    if !(1..=2).contains(&form.extractors) {
        problems.push("extractors: must be 1 or 2".to_owned());
    }
    let mut keys: Vec<&str> = Vec::new();
    for (i, f) in form.fields.iter().enumerate() {
        let at = format!("fields[{i}]");
        if f.key.is_empty() {
            problems.push(format!("{at}.key: must not be empty"));
        } else if f.key.len() > 64 || !f.key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            problems.push(format!("{at}.key: use only lower-case letters, digits and underscores (at most 64), not \"{}\"", f.key));
        } else if keys.contains(&f.key.as_str()) {
            problems.push(format!("{at}.key: \"{}\" is used by another field; keys must be unique", f.key));
        }
        keys.push(&f.key);
        if f.label.trim().is_empty() {
            problems.push(format!("{at}.label: must not be empty"));
        }
        if f.kind.has_options() {
            if f.options.is_empty() {
                problems.push(format!("{at}.options: a choice field needs at least one option"));
            }
            let mut seen: Vec<&str> = Vec::new();
            for o in &f.options {
                let o = o.trim();
                if o.is_empty() {
                    problems.push(format!("{at}.options: an option must not be empty"));
                } else if seen.contains(&o) {
                    problems.push(format!("{at}.options: \"{o}\" is listed twice"));
                }
                seen.push(o);
            }
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// Whether a value counts as not filled in.
pub fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    }
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        _ => 28,
    }
}

/// Whether `s` is a date that exists, written `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
pub fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| (p.len() == len && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse::<u32>().ok()).flatten();
    let Some(year) = parts.first().and_then(|y| num(y, 4)) else { return false };
    if year == 0 || parts.len() > 3 {
        return false;
    }
    let Some(month) = parts.get(1).map(|m| num(m, 2)) else { return true };
    let Some(month) = month.filter(|m| (1..=12).contains(m)) else { return false };
    match parts.get(2).map(|d| num(d, 2)) {
        None => true,
        Some(day) => day.is_some_and(|d| d >= 1 && d <= days_in(year, month)),
    }
}

/// Checks values against the form: unknown keys, wrong types, choices that are not options, dates that
/// do not exist, numbers that are not finite. When `complete`, required fields must be filled in.
pub fn check_values(form: &Form, values: &Map<String, Value>, complete: bool) -> Vec<FieldIssue> {
    let mut issues = Vec::new();
    let mut issue = |key: &str, message: String| issues.push(FieldIssue { key: key.to_owned(), message });
    for key in values.keys() {
        if form.field(key).is_none() {
            issue(key, "is not a field of this review's form".to_owned());
        }
    }
    for f in &form.fields {
        let v = values.get(&f.key);
        if is_blank(v) {
            if complete && f.required {
                issue(&f.key, format!("{} is required", f.label));
            }
            continue;
        }
        let Some(v) = v else { continue };
        let has = |o: &str| f.options.iter().any(|x| x.trim() == o.trim());
        match (f.kind, v) {
            (FieldKind::Text, Value::String(_)) => {}
            (FieldKind::Number, Value::Number(n)) if n.as_f64().is_some_and(f64::is_finite) => {}
            (FieldKind::Number, _) => issue(&f.key, format!("{} must be a number", f.label)),
            (FieldKind::Date, Value::String(s)) if is_date(s.trim()) => {}
            (FieldKind::Date, _) => issue(&f.key, format!("{} must be a date that exists, as YYYY-MM-DD, YYYY-MM or YYYY", f.label)),
            (FieldKind::Choice, Value::String(s)) if has(s) => {}
            (FieldKind::Choice, Value::String(s)) => issue(&f.key, format!("\"{s}\" is not an option of {}", f.label)),
            (FieldKind::Choices, Value::Array(items)) => {
                let mut seen: Vec<&str> = Vec::new();
                for item in items {
                    match item.as_str() {
                        Some(s) if !has(s) => issue(&f.key, format!("\"{s}\" is not an option of {}", f.label)),
                        Some(s) if seen.contains(&s.trim()) => issue(&f.key, format!("\"{s}\" is chosen twice")),
                        Some(s) => seen.push(s.trim()),
                        None => issue(&f.key, format!("{} must be a list of its options", f.label)),
                    }
                }
            }
            (FieldKind::Text, _) => issue(&f.key, format!("{} must be text", f.label)),
            (FieldKind::Choice, _) => issue(&f.key, format!("{} must be one of its options", f.label)),
            (FieldKind::Choices, _) => issue(&f.key, format!("{} must be a list of its options", f.label)),
        }
    }
    issues
}

/// A value reduced to what matters when comparing: whitespace, order of choices and number spelling do not.
#[derive(Debug, PartialEq)]
enum Norm {
    Blank,
    Text(String),
    Number(f64),
    Set(Vec<String>),
    Other(Value),
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn normalise(kind: FieldKind, v: Option<&Value>) -> Norm {
    if is_blank(v) {
        return Norm::Blank;
    }
    match (kind, v) {
        (_, Some(Value::String(s))) => Norm::Text(collapse(s)),
        (_, Some(Value::Number(n))) => n.as_f64().map_or_else(|| Norm::Other(Value::Number(n.clone())), Norm::Number),
        (_, Some(Value::Array(items))) => {
            let mut set: Vec<String> = items.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), collapse)).collect();
            set.sort();
            set.dedup();
            Norm::Set(set)
        }
        (_, Some(other)) => Norm::Other(other.clone()),
        (_, None) => Norm::Blank,
    }
}

/// Keys of the fields (in form order) whose values differ between two extractions.
pub fn differences(form: &Form, a: &Map<String, Value>, b: &Map<String, Value>) -> Vec<String> {
    form.fields.iter().filter(|f| normalise(f.kind, a.get(&f.key)) != normalise(f.kind, b.get(&f.key))).map(|f| f.key.clone()).collect()
}

/// A value as a person reads it: text trimmed, numbers as written, multiple choices joined with "; ",
/// blank as the empty string.
pub fn display(field: &Field, value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) if field.kind == FieldKind::Text => s.trim().to_owned(),
        Value::String(s) => collapse(s),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), collapse)).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

fn cell(field: &Field, values: &Map<String, Value>) -> String {
    values.get(&field.key).map(|v| display(field, v)).unwrap_or_default()
}

/// The characteristics table as CSV (RFC 4180, CRLF line ends): `Study`, then one column per field
/// headed by its label; multiple choices are joined with "; ".
pub fn characteristics_csv(form: &Form, rows: &[(String, Map<String, Value>)]) -> String {
    let mut out = String::new();
    let header: Vec<String> =
        std::iter::once(crate::csv::field("Study", false)).chain(form.fields.iter().map(|f| crate::csv::field(&f.label, false))).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for (study, values) in rows {
        let fields: Vec<String> = std::iter::once(crate::csv::field(study, false))
            .chain(form.fields.iter().map(|f| crate::csv::field(&cell(f, values), f.kind == FieldKind::Number)))
            .collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The characteristics table as a standalone HTML document (escaped, print-friendly): a caption, a
/// column per field (its help text as the header's `title`), a row header per study.
pub fn characteristics_html(title: &str, form: &Form, rows: &[(String, Map<String, Value>)]) -> String {
    let t = escape_html(title);
    let mut s = String::new();
    let _ = write!(
        s,
        concat!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{t}</title>\n<style>\n",
            "body{{font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#000;background:#fff;margin:16px}}\n",
            "table{{border-collapse:collapse}}\ncaption{{text-align:left;font-weight:bold;font-size:16px;margin-bottom:8px}}\n",
            "th,td{{border:1px solid #666;padding:4px 6px;vertical-align:top;text-align:left}}\n",
            "thead th{{background:#eee}}\ntd.n{{text-align:right}}\ntd{{white-space:pre-wrap}}\n",
            "@media print{{body{{margin:0;font-size:10pt}}thead{{display:table-header-group}}tr{{page-break-inside:avoid}}}}\n",
            "</style>\n</head>\n<body>\n<main>\n<table>\n<caption>{t}</caption>\n<thead>\n<tr><th scope=\"col\">Study</th>"
        ),
        t = t
    );
    for f in &form.fields {
        match f.help.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
            Some(h) => {
                let _ = write!(s, "<th scope=\"col\" title=\"{}\">{}</th>", escape_html(h), escape_html(&f.label));
            }
            None => {
                let _ = write!(s, "<th scope=\"col\">{}</th>", escape_html(&f.label));
            }
        }
    }
    s.push_str("</tr>\n</thead>\n<tbody>\n");
    for (study, values) in rows {
        let _ = write!(s, "<tr><th scope=\"row\">{}</th>", escape_html(study));
        for f in &form.fields {
            let class = if f.kind == FieldKind::Number { " class=\"n\"" } else { "" };
            let _ = write!(s, "<td{class}>{}</td>", escape_html(&cell(f, values)));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n</main>\n</body>\n</html>\n");
    s
}
