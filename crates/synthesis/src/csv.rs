//! The csv module owns how the synthesis tables write one CSV field: RFC 4180 quoting, and a leading
//! formula character defused for spreadsheets.

/// One CSV field (RFC 4180). A text field that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
/// gets a leading apostrophe so a spreadsheet does not run it as a formula; numbers (`number`), which may
/// be negative, are left alone.
pub fn field(value: &str, number: bool) -> String {
    let defused = if !number && value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() };
    if defused.contains([',', '"', '\n', '\r']) { format!("\"{}\"", defused.replace('"', "\"\"")) } else { defused }
}
