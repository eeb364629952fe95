//! The PRISMA2020 CSV: the template of the PRISMA2020 R package and Shiny app with its `n` column filled from [`Counts`], and read back.
//!
//! The template (`PRISMA.csv`, copied byte for byte from the package's `inst/extdata/PRISMA.csv`)
//! is embedded. Writing keeps every row, in order, with its `data`, `node`, `box`, `description`,
//! `boxtext`, `tooltips` and `url` values, and fills only `n`.

use super::{Counts, sum};

/// The PRISMA2020 R package's CSV template, byte for byte.
const TEMPLATE: &str = include_str!("PRISMA.csv");

/// The rows of the embedded template, header first.
pub(crate) fn template_rows() -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(TEMPLATE.as_bytes());
    reader.records().flatten().map(|r| r.iter().map(str::to_owned).collect()).collect()
}

/// The PRISMA2020 CSV exactly as the PRISMA2020 R package/Shiny app reads it.
///
/// - The header is `data,node,box,description,boxtext,tooltips,url,n`, and the rows are the
///   template's, in its order, with its values; only `n` changes. Rows without a `data` key
///   (title boxes) and the rows this crate does not count (`identification`, `screening`,
///   `included`) keep the template's `n`; the meta-analysis rows (`total_studies_ma`,
///   `total_reports_ma`) are written as `NA`.
/// - Counts are plain digits. `database_specific_results` and `register_specific_results` are
///   `"Name, n; Name, n"` (or `NA` when the list is empty); `dbr_excluded` and `other_excluded`
///   are `"Reason, n; Reason, n"` (a bare number when there is a single unnamed reason, `0`
///   when there is none). Because the R package splits these lists on `;` and takes the text
///   before the first `,` as the name, commas, semicolons, tabs and line breaks in names are
///   replaced with spaces (runs of spaces become one); an empty name in a list becomes
///   `Unnamed`.
/// - Arms not used are written as the R package expects: `website_results`,
///   `organisation_results` and `citations_results` are `NA` for a source not used (all three
///   `NA` drops the other-methods arm), and `previous_studies` and `previous_reports` are `NA`
///   for a new review (both `NA` drops the previous arm). `total_studies` and `total_reports`
///   are [`Counts::total_studies`] and [`Counts::total_reports`].
/// - Fields are quoted only where CSV needs it (a comma, quote or line break), as in the
///   template, and lines end with CRLF like the template.
pub fn to_csv(c: &Counts) -> String {
    let mut out = String::with_capacity(TEMPLATE.len() + 256);
    for (i, row) in template_rows().iter().enumerate() {
        let n = if i == 0 { None } else { row.first().and_then(|key| value(c, key)) };
        let last = row.len().saturating_sub(1);
        let fields: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(j, field)| match (&n, j == last && i > 0) {
                (Some(n), true) => quote(n),
                _ => quote(field),
            })
            .collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The `n` value of a data key, or `None` to keep the template's.
fn value(c: &Counts, key: &str) -> Option<String> {
    let num = |n: u64| Some(n.to_string());
    let opt = |n: Option<u64>| Some(n.map_or_else(|| "NA".to_owned(), |n| n.to_string()));
    match key {
        "previous_studies" => opt(c.previous_studies),
        "previous_reports" => opt(c.previous_reports),
        "database_results" => num(c.database_total()),
        "database_specific_results" => Some(list(&c.databases, "NA")),
        "register_results" => num(c.register_total()),
        "register_specific_results" => Some(list(&c.registers, "NA")),
        "website_results" => opt(c.websites),
        "organisation_results" => opt(c.organisations),
        "citations_results" => opt(c.citation_searching),
        "duplicates" => num(c.duplicates),
        "excluded_automatic" => num(c.excluded_automatic),
        "excluded_other" => num(c.excluded_other),
        "records_screened" => num(c.records_screened),
        "records_excluded" => num(c.records_excluded),
        "dbr_sought_reports" => num(c.dbr_sought),
        "dbr_notretrieved_reports" => num(c.dbr_not_retrieved),
        "other_sought_reports" => num(c.other_sought),
        "other_notretrieved_reports" => num(c.other_not_retrieved),
        "dbr_assessed" => num(c.dbr_assessed),
        "dbr_excluded" => Some(reasons(&c.dbr_excluded)),
        "other_assessed" => num(c.other_assessed),
        "other_excluded" => Some(reasons(&c.other_excluded)),
        "new_studies" => num(c.new_studies),
        "new_reports" => num(c.new_reports),
        "total_studies" => num(c.total_studies()),
        "total_reports" => num(c.total_reports()),
        "total_studies_ma" | "total_reports_ma" => Some("NA".to_owned()),
        _ => None,
    }
}

/// A `"Name, n; Name, n"` list, or `empty` when there are no entries.
fn list(entries: &[(String, u64)], empty: &str) -> String {
    if entries.is_empty() {
        return empty.to_owned();
    }
    let parts: Vec<String> = entries
        .iter()
        .map(|(name, n)| {
            let name = safe_name(name);
            let name = if name.is_empty() { "Unnamed".to_owned() } else { name };
            format!("{name}, {n}")
        })
        .collect();
    parts.join("; ")
}

/// Exclusion reasons: a list, a bare number for one unnamed reason, or `0` for none.
fn reasons(entries: &[(String, u64)]) -> String {
    match entries {
        [] => "0".to_owned(),
        [(name, n)] if safe_name(name).is_empty() => n.to_string(),
        _ => list(entries, "0"),
    }
}

/// A name made safe for the R package's list syntax: separators and line breaks become spaces.
pub(crate) fn safe_name(name: &str) -> String {
    let replaced: String = name.chars().map(|ch| if matches!(ch, ',' | ';') || ch.is_control() { ' ' } else { ch }).collect();
    replaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A CSV field, quoted only when it holds a comma, a quote or a line break.
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) { format!("\"{}\"", field.replace('"', "\"\"")) } else { field.to_owned() }
}

/// Reads such a CSV back (rows looked up by the `data` key like the R package does), returning the counts (the inverse of to_csv for every field the CSV carries) or a message naming the bad row.
///
/// - Columns are found by name (`data` and `n`) and rows by their exact `data` key, the first
///   row with a key winning, so row order does not matter; a UTF-8 byte-order mark is ignored.
/// - A row missing from the file counts as 0, as the R package's default does (so a missing
///   `website_results` row gives `Some(0)`); `NA` or an empty cell is `None` for the optional
///   counts and 0 for the others. Thousands separators are accepted (`1,234`).
/// - `database_specific_results` and `register_specific_results` give the per-source lists;
///   when they are `NA` or still the template's placeholders (`Database 1, xxx; …`), a non-zero
///   total becomes one entry named `Databases` or `Registers`. A list that does not add up to
///   its total is an error.
/// - `dbr_excluded` and `other_excluded` give the reason lists; a bare number is one unnamed
///   reason (none when 0), and the template's placeholders mean none.
/// - The CSV does not carry `dbr_reports_included` and `other_reports_included`: they are
///   derived as reports assessed minus reports excluded. `total_studies` and `total_reports` are
///   derived from the other counts and are not read.
pub fn from_csv(text: &str) -> Result<Counts, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| format!("The CSV header could not be read: {e}."))?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(key_col), Some(n_col)) = (column("data"), column("n")) else {
        return Err("The CSV needs a `data` column and an `n` column, as in the PRISMA2020 template.".to_owned());
    };
    let mut rows: Vec<(String, String)> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("Line {} of the CSV could not be read: {e}.", i + 2))?;
        let key = record.get(key_col).unwrap_or("").trim().to_owned();
        let n = record.get(n_col).unwrap_or("").trim().to_owned();
        if !key.is_empty() && key != "NA" && !rows.iter().any(|(k, _)| *k == key) {
            rows.push((key, n));
        }
    }
    let get = |key: &str| rows.iter().find(|(k, _)| k == key).map(|(_, n)| n.as_str());
    let opt = |key: &str| -> Result<Option<u64>, String> {
        match get(key) {
            None => Ok(Some(0)),
            Some(n) => number(key, n),
        }
    };
    let req = |key: &str| -> Result<u64, String> { Ok(opt(key)?.unwrap_or(0)) };

    let mut c = Counts {
        databases: sources(
            get("database_specific_results"),
            "database_specific_results",
            req("database_results")?,
            "database_results",
            "Databases",
        )?,
        registers: sources(
            get("register_specific_results"),
            "register_specific_results",
            req("register_results")?,
            "register_results",
            "Registers",
        )?,
        websites: opt("website_results")?,
        organisations: opt("organisation_results")?,
        citation_searching: opt("citations_results")?,
        duplicates: req("duplicates")?,
        excluded_automatic: req("excluded_automatic")?,
        excluded_other: req("excluded_other")?,
        records_screened: req("records_screened")?,
        records_excluded: req("records_excluded")?,
        dbr_sought: req("dbr_sought_reports")?,
        dbr_not_retrieved: req("dbr_notretrieved_reports")?,
        dbr_assessed: req("dbr_assessed")?,
        dbr_excluded: excluded(get("dbr_excluded"), "dbr_excluded")?,
        other_sought: req("other_sought_reports")?,
        other_not_retrieved: req("other_notretrieved_reports")?,
        other_assessed: req("other_assessed")?,
        other_excluded: excluded(get("other_excluded"), "other_excluded")?,
        new_studies: req("new_studies")?,
        new_reports: req("new_reports")?,
        dbr_reports_included: 0,
        other_reports_included: 0,
        previous_studies: opt("previous_studies")?,
        previous_reports: opt("previous_reports")?,
    };
    c.dbr_reports_included = c.dbr_assessed.saturating_sub(sum(&c.dbr_excluded));
    c.other_reports_included = c.other_assessed.saturating_sub(sum(&c.other_excluded));
    Ok(c)
}

/// A count cell: digits with optional thousands separators, or `NA`/empty for none.
fn number(key: &str, cell: &str) -> Result<Option<u64>, String> {
    let cell = cell.trim();
    if cell.is_empty() || cell.eq_ignore_ascii_case("NA") {
        return Ok(None);
    }
    let digits: String = cell.chars().filter(|ch| !matches!(ch, ',' | ' ')).collect();
    let digits = digits.strip_suffix(".0").unwrap_or(&digits);
    match digits.parse::<u64>() {
        Ok(n) if digits.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(n)),
        _ => Err(format!("Row `{key}`: \u{201c}{cell}\u{201d} is not a count.")),
    }
}

/// What a list cell holds.
enum ListCell {
    /// `NA`, empty, or only the template's placeholders.
    Absent,
    /// A bare number.
    Number(u64),
    /// Named counts.
    Entries(Vec<(String, u64)>),
}

/// Parses `"Name, n; Name, n"` as the R package does: split on `;`, name before the first `,`, digits after it.
fn parse_list(key: &str, cell: Option<&str>) -> Result<ListCell, String> {
    let cell = cell.unwrap_or("").trim();
    if cell.is_empty() || cell.eq_ignore_ascii_case("NA") {
        return Ok(ListCell::Absent);
    }
    if cell.chars().all(|ch| ch.is_ascii_digit() || ch == ',' || ch == ' ') {
        return number(key, cell).map(|n| ListCell::Number(n.unwrap_or(0)));
    }
    let mut entries: Vec<(String, Option<u64>)> = Vec::new();
    for part in cell.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, rest) = part.split_once(',').unwrap_or((part, ""));
        let lead: String =
            rest.chars().take_while(|ch| ch.is_ascii_digit() || matches!(ch, ',' | ' ')).filter(char::is_ascii_digit).collect();
        let n = if lead.is_empty() {
            None
        } else {
            Some(lead.parse::<u64>().map_err(|_| format!("Row `{key}`: the count of \u{201c}{}\u{201d} is too large.", name.trim()))?)
        };
        entries.push((name.trim().to_owned(), n));
    }
    if entries.iter().all(|(_, n)| n.is_none()) {
        return Ok(ListCell::Absent);
    }
    let mut out = Vec::with_capacity(entries.len());
    for (name, n) in entries {
        match n {
            Some(n) => out.push((name, n)),
            None => {
                return Err(format!("Row `{key}`: \u{201c}{name}\u{201d} has no count; write it as \u{201c}{name}, 12\u{201d}."));
            }
        }
    }
    Ok(ListCell::Entries(out))
}

/// The per-source list of databases or registers, checked against its total.
fn sources(cell: Option<&str>, key: &str, total: u64, total_key: &str, default_name: &str) -> Result<Vec<(String, u64)>, String> {
    let entries = match parse_list(key, cell)? {
        ListCell::Absent => Vec::new(),
        ListCell::Number(0) => Vec::new(),
        ListCell::Number(n) => vec![(default_name.to_owned(), n)],
        ListCell::Entries(entries) => entries,
    };
    if entries.is_empty() {
        return Ok(if total > 0 { vec![(default_name.to_owned(), total)] } else { Vec::new() });
    }
    let listed = sum(&entries);
    if listed != total {
        return Err(format!("Row `{key}` adds up to {listed} but row `{total_key}` says {total}."));
    }
    Ok(entries)
}

/// The exclusion reasons of one arm.
fn excluded(cell: Option<&str>, key: &str) -> Result<Vec<(String, u64)>, String> {
    Ok(match parse_list(key, cell)? {
        ListCell::Absent | ListCell::Number(0) => Vec::new(),
        ListCell::Number(n) => vec![(String::new(), n)],
        ListCell::Entries(entries) => entries,
    })
}
