//! The PRISMA 2020 flow diagram as a standalone SVG 1.1 document, laid out on a fixed grid like the official template.
//!
//! Sizes are in CSS pixels (96 to the inch): boxes are 3.5 in (336 px) wide and text is 14 px
//! (10.5 pt) sans-serif, black on white, so the diagram prints legibly at 100%.

use std::fmt::Write as _;

use super::{Counts, fmt_n};
use crate::prisma::csv_file::safe_name;

const MARGIN: f64 = 16.0;
const LABEL_W: f64 = 34.0;
const BOX_W: f64 = 336.0;
const GAP_X: f64 = 44.0;
const GAP_Y: f64 = 34.0;
const PAD: f64 = 10.0;
const LINE: f64 = 18.0;
const FONT: f64 = 14.0;
const MIN_H: f64 = 48.0;
/// Characters per line inside a 3.5 in box at 14 px; the R package wraps at 35–42.
const WRAP: usize = 42;

/// An SVG flow diagram in the official PRISMA 2020 layout.
///
/// - Columns: previous studies (when [`Counts::previous_arm_used`]), databases and registers
///   with their side boxes, and other methods with their side boxes (when
///   [`Counts::other_arm_used`]), under their title boxes.
/// - Rows: identification, records screened, reports sought, reports assessed, studies
///   included and, for an updated review, total studies; the blue stage labels
///   Identification, Screening and Included are rotated at the left.
/// - `detail_databases` lists the per-database and per-register counts inside the
///   identification box.
/// - Text is wrapped at 42 characters and escaped; control characters become spaces.
pub fn to_svg(c: &Counts, detail_databases: bool) -> String {
    let layout = Layout::new(c);
    let boxes = boxes(c, detail_databases);
    let mut rows_h = [0.0f64; 6];
    for b in &boxes {
        if let Some(h) = rows_h.get_mut(b.row) {
            *h = h.max(b.height());
        }
    }
    let last_row = if c.previous_arm_used() { 5 } else { 4 };
    let stages = [("Identification", 0, 0), ("Screening", 1, 3), ("Included", 4, last_row)];
    for (label, from, to) in stages {
        // Grow the last row of a stage until its rotated label fits.
        let needed = label.chars().count() as f64 * FONT * 0.62 + 16.0;
        let span: f64 = rows_h[from..=to].iter().sum::<f64>() + (to - from) as f64 * GAP_Y;
        if span < needed {
            rows_h[to] += needed - span;
        }
    }
    let header_lines = layout.headers(c).iter().map(|h| wrap(&h.2, chars_for(h.1)).len()).max().unwrap_or(1);
    let header_h = (header_lines as f64 * LINE + 2.0 * PAD).max(40.0);
    let mut row_y = [0.0f64; 6];
    let mut y = MARGIN + header_h + GAP_Y;
    for r in 0..=last_row {
        row_y[r] = y;
        y += rows_h[r] + GAP_Y;
    }
    let height = y - GAP_Y + MARGIN;
    let width = layout.width;

    let mut s = String::new();
    let _ = write!(
        s,
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" ",
            "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"{f}\">\n",
            "<title>PRISMA 2020 flow diagram</title>\n",
            "<desc>{desc}</desc>\n",
            "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\">",
            "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#000\"/></marker></defs>\n",
            "<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>\n"
        ),
        w = px(width),
        h = px(height),
        f = px(FONT),
        desc = esc(&format!(
            "{} records identified from databases and registers; {} studies and {} reports included.",
            fmt_n(c.identified_total()),
            fmt_n(c.total_studies()),
            fmt_n(c.total_reports())
        )),
    );

    for (x, w, text, fill) in layout.headers(c) {
        draw_box(&mut s, x, MARGIN, w, header_h, &wrap(&text, chars_for(w)), fill, true, 8.0);
    }
    for (label, from, to) in stages {
        let top = row_y[from];
        let bottom = row_y[to] + rows_h[to];
        stage_label(&mut s, MARGIN, top, bottom - top, label);
    }
    for b in &boxes {
        let x = layout.x(b.col);
        draw_box(&mut s, x, row_y[b.row], BOX_W, rows_h[b.row], &b.lines, "#fff", false, 0.0);
    }
    arrows(&mut s, c, &layout, &row_y, &rows_h);
    s.push_str("</svg>\n");
    s
}

/// A column of the grid.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Previous,
    Main,
    Side,
    OtherMain,
    OtherSide,
}

/// The horizontal positions of the columns.
struct Layout {
    previous: Option<f64>,
    main: f64,
    side: f64,
    other: Option<f64>,
    width: f64,
}

impl Layout {
    fn new(c: &Counts) -> Layout {
        let mut x = MARGIN + LABEL_W + 20.0;
        let previous = c.previous_arm_used().then(|| {
            let at = x;
            x += BOX_W + GAP_X;
            at
        });
        let main = x;
        let side = main + BOX_W + GAP_X;
        x = side + BOX_W;
        let other = c.other_arm_used().then(|| {
            let at = x + GAP_X * 1.5;
            x = at + 2.0 * BOX_W + GAP_X;
            at
        });
        Layout { previous, main, side, other, width: x + MARGIN }
    }

    fn x(&self, col: Col) -> f64 {
        match col {
            Col::Previous => self.previous.unwrap_or(self.main),
            Col::Main => self.main,
            Col::Side => self.side,
            Col::OtherMain => self.other.unwrap_or(self.side),
            Col::OtherSide => self.other.map_or(self.side, |x| x + BOX_W + GAP_X),
        }
    }

    /// The title boxes: x, width, text and fill.
    fn headers(&self, c: &Counts) -> Vec<(f64, f64, String, &'static str)> {
        let new = if c.previous_arm_used() { "new " } else { "" };
        let mut out = Vec::new();
        if let Some(x) = self.previous {
            out.push((x, BOX_W, "Previous studies".to_owned(), "#e6e6e6"));
        }
        out.push((self.main, 2.0 * BOX_W + GAP_X, format!("Identification of {new}studies via databases and registers"), "#fde7a6"));
        if let Some(x) = self.other {
            out.push((x, 2.0 * BOX_W + GAP_X, format!("Identification of {new}studies via other methods"), "#e6e6e6"));
        }
        out
    }
}

/// One content box: its grid cell and wrapped lines.
struct Node {
    row: usize,
    col: Col,
    lines: Vec<String>,
}

impl Node {
    fn new(row: usize, col: Col, logical: &[String]) -> Node {
        let lines = logical.iter().flat_map(|l| if l.is_empty() { vec![String::new()] } else { wrap(l, WRAP) }).collect();
        Node { row, col, lines }
    }

    fn height(&self) -> f64 {
        (self.lines.len() as f64 * LINE + 2.0 * PAD).max(MIN_H)
    }
}

/// `"Label (n = 1,234)"`.
fn n_eq(label: &str, n: u64) -> String {
    format!("{label} (n = {})", fmt_n(n))
}

/// `["Label", "(n = 1,234)"]`, the R package's two-line form.
fn titled(label: &str, n: u64) -> Vec<String> {
    vec![label.to_owned(), format!("(n = {})", fmt_n(n))]
}

/// The lines of a reports-excluded box.
fn excluded_lines(reasons: &[(String, u64)]) -> Vec<String> {
    match reasons {
        [] => titled("Reports excluded", 0),
        [(name, n)] if safe_name(name).is_empty() => titled("Reports excluded", *n),
        _ => {
            let mut lines = vec!["Reports excluded:".to_owned()];
            lines.extend(reasons.iter().map(|(name, n)| n_eq(&clean(name), *n)));
            lines
        }
    }
}

/// A name for display: control characters become spaces, runs of spaces one space.
fn clean(name: &str) -> String {
    let s: String = name.chars().map(|ch| if ch.is_control() { ' ' } else { ch }).collect();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() { "Unnamed".to_owned() } else { s }
}

/// Every content box of the diagram.
fn boxes(c: &Counts, detail: bool) -> Vec<Node> {
    let mut out = Vec::new();
    let mut ident = vec!["Records identified from:".to_owned(), n_eq("Databases", c.database_total())];
    if detail {
        ident.extend(c.databases.iter().map(|(name, n)| format!("\u{2013} {}", n_eq(&clean(name), *n))));
    }
    ident.push(n_eq("Registers", c.register_total()));
    if detail {
        ident.extend(c.registers.iter().map(|(name, n)| format!("\u{2013} {}", n_eq(&clean(name), *n))));
    }
    out.push(Node::new(0, Col::Main, &ident));
    out.push(Node::new(
        0,
        Col::Side,
        &[
            "Records removed before screening:".to_owned(),
            n_eq("Duplicate records removed", c.duplicates),
            n_eq("Records marked as ineligible by automation tools", c.excluded_automatic),
            n_eq("Records removed for other reasons", c.excluded_other),
        ],
    ));
    out.push(Node::new(1, Col::Main, &titled("Records screened", c.records_screened)));
    out.push(Node::new(1, Col::Side, &titled("Records excluded", c.records_excluded)));
    out.push(Node::new(2, Col::Main, &titled("Reports sought for retrieval", c.dbr_sought)));
    out.push(Node::new(2, Col::Side, &titled("Reports not retrieved", c.dbr_not_retrieved)));
    out.push(Node::new(3, Col::Main, &titled("Reports assessed for eligibility", c.dbr_assessed)));
    out.push(Node::new(3, Col::Side, &excluded_lines(&c.dbr_excluded)));
    let included = if c.previous_arm_used() {
        [n_eq("New studies included in review", c.new_studies), n_eq("Reports of new included studies", c.new_reports)]
    } else {
        [n_eq("Studies included in review", c.new_studies), n_eq("Reports of included studies", c.new_reports)]
    };
    out.push(Node::new(4, Col::Main, &included));
    if c.previous_arm_used() {
        let mut prev = Vec::new();
        if let Some(n) = c.previous_studies {
            prev.push(n_eq("Studies included in previous version of review", n));
        }
        if let (Some(_), Some(_)) = (c.previous_studies, c.previous_reports) {
            prev.push(String::new());
        }
        if let Some(n) = c.previous_reports {
            prev.push(n_eq("Reports of studies included in previous version of review", n));
        }
        out.push(Node::new(0, Col::Previous, &prev));
        out.push(Node::new(
            5,
            Col::Main,
            &[n_eq("Total studies included in review", c.total_studies()), n_eq("Reports of total included studies", c.total_reports())],
        ));
    }
    if c.other_arm_used() {
        let mut ident = vec!["Records identified from:".to_owned()];
        let sources = [("Websites", c.websites), ("Organisations", c.organisations), ("Citation searching", c.citation_searching)];
        ident.extend(sources.iter().filter_map(|(label, n)| n.map(|n| n_eq(label, n))));
        out.push(Node::new(0, Col::OtherMain, &ident));
        out.push(Node::new(2, Col::OtherMain, &titled("Reports sought for retrieval", c.other_sought)));
        out.push(Node::new(2, Col::OtherSide, &titled("Reports not retrieved", c.other_not_retrieved)));
        out.push(Node::new(3, Col::OtherMain, &titled("Reports assessed for eligibility", c.other_assessed)));
        out.push(Node::new(3, Col::OtherSide, &excluded_lines(&c.other_excluded)));
    }
    out
}

/// The arrows between boxes.
fn arrows(s: &mut String, c: &Counts, l: &Layout, row_y: &[f64; 6], rows_h: &[f64; 6]) {
    let mid = |r: usize| row_y[r] + rows_h[r] / 2.0;
    let bottom = |r: usize| row_y[r] + rows_h[r];
    let main_c = l.main + BOX_W / 2.0;
    let last_main = if c.previous_arm_used() { 5 } else { 4 };
    for r in 0..last_main {
        line(s, &[(main_c, bottom(r)), (main_c, row_y[r + 1])]);
    }
    for r in 0..4 {
        line(s, &[(l.main + BOX_W, mid(r)), (l.side, mid(r))]);
    }
    if let Some(ox) = l.other {
        let oc = ox + BOX_W / 2.0;
        line(s, &[(oc, bottom(0)), (oc, row_y[2])]);
        line(s, &[(oc, bottom(2)), (oc, row_y[3])]);
        for r in [2, 3] {
            line(s, &[(ox + BOX_W, mid(r)), (ox + BOX_W + GAP_X, mid(r))]);
        }
        line(s, &[(oc, bottom(3)), (oc, mid(4)), (l.main + BOX_W, mid(4))]);
    }
    if let Some(px_) = l.previous {
        let pc = px_ + BOX_W / 2.0;
        line(s, &[(pc, bottom(0)), (pc, mid(5)), (l.main, mid(5))]);
    }
}

/// A polyline ending in an arrowhead.
fn line(s: &mut String, points: &[(f64, f64)]) {
    let pts: Vec<String> = points.iter().map(|(x, y)| format!("{},{}", px(*x), px(*y))).collect();
    let _ = writeln!(
        s,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#000\" stroke-width=\"1.3\" marker-end=\"url(#arrow)\"/>",
        pts.join(" ")
    );
}

/// A box with its lines of text, left-aligned (or centred for title boxes) and centred vertically.
#[allow(clippy::too_many_arguments)]
fn draw_box(s: &mut String, x: f64, y: f64, w: f64, h: f64, lines: &[String], fill: &str, centred: bool, radius: f64) {
    let _ = writeln!(
        s,
        "<g><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" fill=\"{fill}\" stroke=\"#000\" stroke-width=\"1.2\"/>",
        px(x),
        px(y),
        px(w),
        px(h),
        px(radius)
    );
    let top = y + (h - lines.len() as f64 * LINE) / 2.0;
    let (tx, anchor) = if centred { (x + w / 2.0, " text-anchor=\"middle\"") } else { (x + PAD, "") };
    let weight = if centred { " font-weight=\"bold\"" } else { "" };
    let _ = write!(s, "<text fill=\"#000\"{anchor}{weight}>");
    for (i, text) in lines.iter().enumerate() {
        let baseline = top + i as f64 * LINE + LINE * 0.72;
        let _ = write!(s, "<tspan x=\"{}\" y=\"{}\">{}</tspan>", px(tx), px(baseline), esc(text));
    }
    s.push_str("</text></g>\n");
}

/// A blue stage label with its text rotated to read upwards.
fn stage_label(s: &mut String, x: f64, y: f64, h: f64, label: &str) {
    let cx = x + LABEL_W / 2.0;
    let cy = y + h / 2.0;
    let _ = writeln!(
        s,
        concat!(
            "<g><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"#bcd2ee\" stroke=\"#6c8ebf\" stroke-width=\"1\"/>",
            "<text x=\"{cx}\" y=\"{cy}\" transform=\"rotate(-90 {cx} {cy})\" text-anchor=\"middle\" dominant-baseline=\"central\" ",
            "font-weight=\"bold\" fill=\"#000\">{label}</text></g>"
        ),
        px(x),
        px(y),
        px(LABEL_W),
        px(h),
        cx = px(cx),
        cy = px(cy),
        label = esc(label),
    );
}

/// How many characters fit on a line of a box `w` pixels wide.
fn chars_for(w: f64) -> usize {
    let fit = ((w - 2.0 * PAD) / (FONT * 0.53)).floor();
    if fit.is_finite() && fit >= 10.0 { fit as usize } else { 10 }
}

/// Greedy word wrap at `width` characters; a longer word is cut into pieces.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let chars: Vec<char> = word.chars().collect();
        for piece in chars.chunks(width) {
            let piece: String = piece.iter().collect();
            let len = cur.chars().count();
            if len == 0 {
                cur = piece;
            } else if len + 1 + piece.chars().count() <= width {
                cur.push(' ');
                cur.push_str(&piece);
            } else {
                lines.push(std::mem::take(&mut cur));
                cur = piece;
            }
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Text escaped for XML, with characters XML 1.0 forbids replaced by spaces.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\u{FFFE}' | '\u{FFFF}' => out.push(' '),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with at most one decimal.
fn px(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 { format!("{}", r as i64) } else { format!("{r:.1}") }
}
