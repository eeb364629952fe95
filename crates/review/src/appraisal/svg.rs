//! The traffic-light summary plot of an appraisal table as a standalone SVG 1.1 document, drawn the way risk-of-bias tools draw theirs.

use std::fmt::Write as _;

use super::export::{colours, esc};
use super::{Instrument, Item, Rating, TableRow};

const MARGIN: f64 = 16.0;
const FONT: f64 = 13.0;
const CELL: f64 = 36.0;
const RADIUS: f64 = 13.0;
const TITLE_H: f64 = 28.0;
const HEAD_H: f64 = 44.0;
/// The widest study label, in characters, before it is shortened with an ellipsis.
const LABEL_CHARS: usize = 40;
/// The widest item text in the key below the plot, in characters.
const KEY_CHARS: usize = 150;
/// An estimate of the width of one character of 13 px Helvetica.
const CHAR_W: f64 = 6.8;
/// The gap that sets the overall column apart from the items.
const OVERALL_GAP: f64 = 12.0;

fn px(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 { format!("{r:.0}") } else { format!("{r:.1}") }
}

/// Shortens text to `max` characters with an ellipsis, and turns control characters into spaces.
fn clip(s: &str, max: usize) -> String {
    let clean: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.chars().count() <= max {
        clean
    } else {
        let mut out: String = clean.chars().take(max.saturating_sub(1)).collect();
        out.push('\u{2026}');
        out
    }
}

fn text_w(s: &str) -> f64 {
    s.chars().count() as f64 * CHAR_W
}

/// The traffic-light plot: one row per study, one column per item that takes a key.
///
/// - Column headers are the item numbers, grouped under their section ids; the overall item,
///   if any, is set apart at the right. Study labels are at the left, shortened to 40
///   characters with the full label in a `<title>` tooltip.
/// - Each answer is a filled circle coloured by its rating (green good, amber concern, red bad,
///   grey unclear or not applicable) with a symbol inside (+, !, −, ?, NA) so the plot reads
///   without colour; a blank answer is an empty outlined circle.
/// - Below, a legend gives each rating's colour, symbol and the instrument's answer labels,
///   then a key lists each item's number and text, and the attribution line.
/// - The document is standalone SVG 1.1 with `width`, `height`, `viewBox`, `<title>` and `<desc>`;
///   all text is escaped.
pub fn traffic_light_svg(instr: &Instrument, rows: &[TableRow]) -> String {
    let items = instr.rated_items();
    let labels: Vec<String> = rows.iter().map(|r| clip(&r.study, LABEL_CHARS)).collect();
    let label_w = labels.iter().map(|l| text_w(l)).fold(text_w("Study"), f64::max) + 12.0;
    let grid_x = MARGIN + label_w;
    let col_x: Vec<f64> = items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let gap = if instr.overall.as_ref().is_some_and(|o| o.id == item.id) { OVERALL_GAP } else { 0.0 };
            grid_x + n as f64 * CELL + gap
        })
        .collect();
    let grid_right = col_x.last().map_or(grid_x, |x| x + CELL);
    let head_y = MARGIN + TITLE_H;
    let grid_y = head_y + HEAD_H;
    let grid_bottom = grid_y + rows.len() as f64 * CELL;

    let legend = legend_entries(instr, &items, rows);
    let legend_y = grid_bottom + 28.0;
    let legend_w = legend_x(&legend).last().zip(legend.last()).map_or(0.0, |(x, (_, text))| x - MARGIN + 2.0 * RADIUS + 6.0 + text_w(text));
    let key_lines: Vec<String> = instr
        .table_items()
        .iter()
        .map(|i| {
            let line = format!("{}: {}", i.number, i.text);
            if i.is_free_text() { format!("{} (free text, not plotted)", clip(&line, KEY_CHARS - 26)) } else { clip(&line, KEY_CHARS) }
        })
        .collect();
    let key_y = legend_y + 40.0;
    let attribution = wrap(&instr.attribution, 120);
    let foot_y = key_y + key_lines.len() as f64 * 18.0 + 14.0;
    let height = foot_y + (attribution.len().max(1) - 1) as f64 * 15.0 + MARGIN;
    let title = clip(&format!("{} ({}): traffic-light summary", instr.name, instr.version), 120);
    let width = [
        grid_right,
        MARGIN + legend_w,
        MARGIN + key_lines.iter().map(|l| text_w(l) * 0.93).fold(0.0, f64::max),
        MARGIN + attribution.iter().map(|l| text_w(l) * 0.85).fold(0.0, f64::max),
        MARGIN + text_w(&title) * 1.1,
    ]
    .into_iter()
    .fold(0.0, f64::max)
        + MARGIN;

    let mut s = String::new();
    let _ = write!(
        s,
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" ",
            "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"{f}\">\n",
            "<title>{t}</title>\n<desc>{d}</desc>\n",
            "<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>\n",
            "<text x=\"{m}\" y=\"{ty}\" font-size=\"15\" font-weight=\"bold\">{t}</text>\n"
        ),
        w = px(width),
        h = px(height),
        f = px(FONT),
        t = esc(&title),
        d = esc(&format!("{} studies appraised with {} items; one row per study, one column per item.", rows.len(), items.len())),
        m = px(MARGIN),
        ty = px(MARGIN + 16.0),
    );

    section_headers(&mut s, instr, &items, &col_x, head_y);
    let _ = writeln!(s, "<text x=\"{}\" y=\"{}\" font-weight=\"bold\">Study</text>", px(MARGIN), px(grid_y - 8.0));
    for (item, x) in items.iter().zip(&col_x) {
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\"><title>{}</title>{}</text>",
            px(x + CELL / 2.0),
            px(grid_y - 8.0),
            esc(&item.text),
            esc(&clip(&item.number, 8))
        );
    }
    for (n, (row, label)) in rows.iter().zip(&labels).enumerate() {
        let y = grid_y + n as f64 * CELL;
        if n % 2 == 0 {
            let _ = writeln!(
                s,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#f4f4f4\"/>",
                px(MARGIN),
                px(y),
                px(grid_right - MARGIN),
                px(CELL)
            );
        }
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\"><title>{}</title>{}</text>",
            px(MARGIN),
            px(y + CELL / 2.0 + 4.5),
            esc(&row.study),
            esc(label)
        );
        for (item, x) in items.iter().zip(&col_x) {
            let cell = row.cell(&item.id);
            let rating = cell.and_then(|c| c.rating);
            let answer = cell.map_or("not answered", |c| if c.label.is_empty() { "not answered" } else { c.label.as_str() });
            let tip = format!("{}, item {}: {}", row.study, item.number, answer);
            light(&mut s, x + CELL / 2.0, y + CELL / 2.0, rating, &tip);
        }
    }

    for ((rating, text), x) in legend.iter().zip(legend_x(&legend)) {
        light(&mut s, x + RADIUS, legend_y, *rating, text);
        let _ = writeln!(s, "<text x=\"{}\" y=\"{}\">{}</text>", px(x + 2.0 * RADIUS + 6.0), px(legend_y + 4.5), esc(text));
    }
    for (n, line) in key_lines.iter().enumerate() {
        let _ = writeln!(s, "<text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>", px(MARGIN), px(key_y + n as f64 * 18.0), esc(line));
    }
    for (n, line) in attribution.iter().enumerate() {
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#333\">{}</text>",
            px(MARGIN),
            px(foot_y + n as f64 * 15.0),
            esc(line)
        );
    }
    s.push_str("</svg>\n");
    s
}

/// Splits text into lines of at most about `max` characters at spaces.
fn wrap(s: &str, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in clip(s, usize::MAX).split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The section ids over their columns, with a rule under each.
fn section_headers(s: &mut String, instr: &Instrument, items: &[&Item], col_x: &[f64], y: f64) {
    let mut n = 0;
    while n < items.len() {
        let section = instr.section_of(&items[n].id).map(|sec| sec.id.as_str());
        let mut end = n;
        while end + 1 < items.len() && instr.section_of(&items[end + 1].id).map(|sec| sec.id.as_str()) == section {
            end += 1;
        }
        let (x0, x1) = (col_x[n] + 3.0, col_x[end] + CELL - 3.0);
        n = end + 1;
        // The overall item belongs to no section and needs no group header.
        let Some(section) = section else { continue };
        let name = format!("Section {section}");
        let name = if text_w(&name) > x1 - x0 { clip(section, 8) } else { name };
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">{}</text>\n<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#666\" stroke-width=\"1\"/>",
            px((x0 + x1) / 2.0),
            px(y + 14.0),
            esc(&name),
            px(x0),
            px(y + 20.0),
            px(x1),
            px(y + 20.0)
        );
    }
}

/// One traffic light with its symbol and a tooltip.
fn light(s: &mut String, cx: f64, cy: f64, rating: Option<Rating>, tip: &str) {
    let (fill, ink) = colours(rating);
    let (stroke, symbol) = match rating {
        Some(r) => ("#333", r.symbol()),
        None => ("#666", ""),
    };
    let size = if symbol.chars().count() > 1 { 11.0 } else { 17.0 };
    let _ = write!(
        s,
        "<g><title>{}</title><circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1\"/>",
        esc(tip),
        px(cx),
        px(cy),
        px(RADIUS)
    );
    if !symbol.is_empty() {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" font-weight=\"bold\" fill=\"{ink}\">{}</text>",
            px(cx),
            px(cy + size * 0.36),
            px(size),
            esc(symbol)
        );
    }
    s.push_str("</g>\n");
}

/// The legend: each rating used by the plotted items, with the instrument's labels for it, and
/// "Not answered" when a cell is blank.
fn legend_entries(instr: &Instrument, items: &[&Item], rows: &[TableRow]) -> Vec<(Option<Rating>, String)> {
    let mut out = Vec::new();
    for rating in Rating::ALL {
        let mut labels: Vec<&str> = Vec::new();
        for item in items {
            let set = item.answer_set.as_deref().and_then(|n| instr.answer_set(n));
            for o in set.iter().flat_map(|s| s.answers.iter()) {
                if o.rating == rating && !labels.contains(&o.label.as_str()) {
                    labels.push(&o.label);
                }
            }
        }
        if !labels.is_empty() {
            out.push((Some(rating), clip(&labels.join(" / "), 50)));
        }
    }
    let blank = rows.iter().any(|r| items.iter().any(|i| r.cell(&i.id).is_none_or(|c| c.rating.is_none())));
    if blank {
        out.push((None, "Not answered".to_string()));
    }
    out
}

/// The left edge of each legend entry.
fn legend_x(entries: &[(Option<Rating>, String)]) -> Vec<f64> {
    let mut x = MARGIN;
    entries
        .iter()
        .map(|(_, text)| {
            let here = x;
            x += 2.0 * RADIUS + 6.0 + text_w(text) + 18.0;
            here
        })
        .collect()
}
