//! The appraisal table (studies × items, with the consensus answers and comments) and its CSV and HTML forms.

use std::fmt::Write as _;

use super::{Answer, Instrument, Rating};

/// One cell of the appraisal table: the consensus answer to one item for one study.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub item: String,
    /// The answer key; `None` for a free-text item or a blank answer.
    pub key: Option<String>,
    /// The answer's label, or the free text; empty when blank.
    pub label: String,
    /// The answer's rating; `None` for free text or a blank answer.
    pub rating: Option<Rating>,
    /// The comment, empty when there is none.
    pub comment: String,
}

/// One study's row of the appraisal table, one cell per table item of the instrument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRow {
    pub study: String,
    pub cells: Vec<Cell>,
}

impl TableRow {
    /// The cell for the item with this id.
    pub fn cell(&self, item: &str) -> Option<&Cell> {
        self.cells.iter().find(|c| c.item == item)
    }
}

/// Builds the appraisal table from each study's label and consensus answers.
///
/// Rows keep the order given; cells follow [`Instrument::table_items`]. An answer whose key is
/// not in the item's answer set keeps the key as its label and has no rating; answers to
/// unknown items are left out.
pub fn consensus_table(instr: &Instrument, studies: &[(String, Vec<Answer>)]) -> Vec<TableRow> {
    studies
        .iter()
        .map(|(study, answers)| TableRow {
            study: study.clone(),
            cells: instr
                .table_items()
                .into_iter()
                .map(|item| {
                    let answer = answers.iter().find(|a| a.item == item.id);
                    let trimmed = |s: Option<&String>| s.map(|s| s.trim().to_string()).unwrap_or_default();
                    let key = answer
                        .and_then(|a| a.key.as_deref())
                        .map(str::trim)
                        .filter(|k| !k.is_empty() && !item.is_free_text())
                        .map(str::to_string);
                    let option = key.as_deref().and_then(|k| instr.option(&item.id, k));
                    let label = match (&key, option) {
                        (_, Some(o)) => o.label.clone(),
                        (Some(k), None) => k.clone(),
                        (None, None) if item.is_free_text() => trimmed(answer.and_then(|a| a.text.as_ref())),
                        (None, None) => String::new(),
                    };
                    Cell {
                        item: item.id.clone(),
                        rating: option.map(|o| o.rating),
                        key,
                        label,
                        comment: trimmed(answer.and_then(|a| a.comment.as_ref())),
                    }
                })
                .collect(),
        })
        .collect()
}

/// A CSV field, quoted when needed, with a leading formula character neutralised for spreadsheets.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// The appraisal table as CSV (RFC 4180, CRLF line ends).
///
/// Columns: `study`; then one per item headed "number. text" holding the consensus answer's
/// label (or the free text); then one per item headed "number. comment". A field starting with
/// `=`, `+`, `-` or `@` gets a leading apostrophe so spreadsheets do not run it as a formula.
pub fn table_csv(instr: &Instrument, rows: &[TableRow]) -> String {
    let items = instr.table_items();
    let mut header = vec![field("study")];
    header.extend(items.iter().map(|i| field(&format!("{}. {}", i.number, i.text))));
    header.extend(items.iter().map(|i| field(&format!("{}. comment", i.number))));
    let mut out = header.join(",");
    out.push_str("\r\n");
    for row in rows {
        let mut fields = vec![field(&row.study)];
        fields.extend(items.iter().map(|i| field(row.cell(&i.id).map_or("", |c| c.label.as_str()))));
        fields.extend(items.iter().map(|i| field(row.cell(&i.id).map_or("", |c| c.comment.as_str()))));
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Escapes text for HTML and XML content and attribute values.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The colour, text colour and CSS class name of a rating.
pub(super) fn colours(r: Option<Rating>) -> (&'static str, &'static str) {
    match r {
        Some(Rating::Good) => ("#2e7d32", "#ffffff"),
        Some(Rating::Concern) => ("#f9a825", "#000000"),
        Some(Rating::Bad) => ("#c62828", "#ffffff"),
        Some(Rating::Unclear) | Some(Rating::NotApplicable) => ("#9e9e9e", "#000000"),
        None => ("#ffffff", "#000000"),
    }
}

/// The appraisal table as a standalone, accessible HTML document.
///
/// The table has a caption, column headers `<th scope="col">` with the item number (the full
/// question in the `title` and in a list below the table), a row header `<th scope="row">` per
/// study, and cells that show the answer's label and symbol as text, with its colour only as a
/// tint. Comments follow the label in a smaller line. The footer carries the instrument's
/// attribution and licence. All text is escaped.
pub fn table_html(instr: &Instrument, rows: &[TableRow]) -> String {
    let items = instr.table_items();
    let title = format!("Quality appraisal: {} ({})", instr.name, instr.version);
    let mut s = String::new();
    let _ = write!(
        s,
        concat!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>\n<style>\n",
            "body{{font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#000;background:#fff;margin:16px}}\n",
            "table{{border-collapse:collapse}}\ncaption{{text-align:left;font-weight:bold;font-size:16px;margin-bottom:8px}}\n",
            "th,td{{border:1px solid #666;padding:4px 6px;vertical-align:top;text-align:left}}\n",
            "td{{min-width:5.5em}}\nthead th{{background:#eee}}\n.c{{display:block;font-size:12px;color:#333}}\n",
            "dl{{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}}\ndt{{font-weight:bold}}\ndd{{margin:0}}\n",
            ".good{{background:#dcedc8}}.concern{{background:#fff3c4}}.bad{{background:#ffcdd2}}",
            ".unclear,.not_applicable{{background:#eeeeee}}\n",
            "footer{{margin-top:12px;font-size:12px;color:#333}}\n</style>\n</head>\n<body>\n<main>\n",
            "<table>\n<caption>{t}</caption>\n<thead>\n<tr><th scope=\"col\">Study</th>"
        ),
        t = esc(&title)
    );
    for i in &items {
        let _ = write!(s, "<th scope=\"col\" title=\"{}\">{}</th>", esc(&i.text), esc(&i.number));
    }
    s.push_str("</tr>\n</thead>\n<tbody>\n");
    for row in rows {
        let _ = write!(s, "<tr><th scope=\"row\">{}</th>", esc(&row.study));
        for i in &items {
            let cell = row.cell(&i.id);
            let rating = cell.and_then(|c| c.rating);
            let class = rating.map_or(String::new(), |r| format!(" class=\"{}\"", r.name()));
            let label = cell.map_or("", |c| c.label.as_str());
            let shown = match (rating, label.is_empty()) {
                (_, true) => "\u{2014}".to_string(),
                (Some(r), false) => format!("{} ({})", esc(label), esc(r.symbol())),
                (None, false) => esc(label),
            };
            let _ = write!(s, "<td{class}>{shown}");
            if let Some(c) = cell.filter(|c| !c.comment.is_empty()) {
                let _ = write!(s, "<span class=\"c\">{}</span>", esc(&c.comment));
            }
            s.push_str("</td>");
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n<h2>Items</h2>\n<dl>\n");
    for i in &items {
        let _ = writeln!(s, "<dt>{}</dt><dd>{}</dd>", esc(&i.number), esc(&i.text));
    }
    s.push_str(
        "</dl>\n<p>Symbols: + good, ! some concern, \u{2212} poor, ? unclear, NA not applicable, \u{2014} not answered.</p>\n</main>\n",
    );
    let _ = write!(s, "<footer>\n<p>{}</p>\n<p>{}</p>\n</footer>\n</body>\n</html>\n", esc(&instr.attribution), esc(&instr.licence));
    s
}
