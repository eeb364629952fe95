//! Tests of the appraisal table exports: CSV, HTML and the traffic-light SVG.

use super::tests::{TINY, key};
use super::*;

fn note(mut a: Answer, comment: &str) -> Answer {
    a.comment = Some(comment.to_string());
    a
}

fn free(item: &str, text: &str) -> Answer {
    Answer { item: item.to_string(), text: Some(text.to_string()), ..Answer::default() }
}

/// Five studies appraised with CASP Qualitative: one stops at the gate, one has an odd label.
fn five_studies() -> (Instrument, Vec<TableRow>) {
    let c = builtin("casp-qualitative").unwrap_or_else(|| panic!("casp-qualitative"));
    let all = |keys: [&str; 9], value: &str| -> Vec<Answer> {
        keys.iter().enumerate().map(|(n, k)| key(&format!("q{}", n + 1), k)).chain([free("q10", value)]).collect()
    };
    let studies = vec![
        ("Adams 2019".to_string(), all(["yes", "yes", "yes", "yes", "yes", "no", "yes", "yes", "yes"], "Valuable")),
        (
            "Baker & Chen 2020 <pilot>".to_string(),
            all(["yes", "yes", "cant_tell", "yes", "no", "no", "yes", "cant_tell", "yes"], "Some value"),
        ),
        ("Okafor 2021".to_string(), vec![key("q1", "yes"), note(key("q2", "no"), "Survey design, not qualitative.")]),
        (
            "Schmidt, Müller and the Rural Carers Study Group 2022".to_string(),
            all(["yes", "yes", "yes", "cant_tell", "yes", "cant_tell", "no", "yes", "yes"], "Valuable"),
        ),
        ("Tanaka 2023".to_string(), all(["yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes"], "Highly valuable")),
    ];
    let rows = consensus_table(&c, &studies);
    (c, rows)
}

#[test]
fn csv_has_one_answer_and_one_comment_column_per_item() {
    let (c, rows) = five_studies();
    let csv = table_csv(&c, &rows);
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().map(|h| h.iter().map(str::to_string).collect()).unwrap_or_default();
    assert_eq!(header.len(), 1 + 10 + 10);
    assert_eq!(header[0], "study");
    assert_eq!(header[1], "1. Was there a clear statement of the aims of the research?");
    assert_eq!(header[10], "10. How valuable is the research?");
    assert_eq!(header[11], "1. comment");
    assert_eq!(header[20], "10. comment");
    let records: Vec<Vec<String>> =
        reader.records().map(|r| r.map(|r| r.iter().map(str::to_string).collect()).unwrap_or_default()).collect();
    assert_eq!(records.len(), 5);
    assert_eq!(records[1][0], "Baker & Chen 2020 <pilot>");
    assert_eq!(records[1][3], "Can't tell");
    assert_eq!(records[1][6], "No");
    assert_eq!(records[1][10], "Some value");
    assert_eq!(records[2][2], "No");
    assert_eq!(records[2][3], "");
    assert_eq!(records[2][12], "Survey design, not qualitative.");
    assert_eq!(records[3][0], "Schmidt, Müller and the Rural Carers Study Group 2022");
    assert!(csv.contains("\r\n\"Schmidt, Müller"));
    assert!(csv.lines().all(|l| !l.is_empty()));
}

#[test]
fn csv_neutralises_spreadsheet_formulas() {
    let i = load(TINY).unwrap_or_else(|e| panic!("{e:#?}"));
    let rows = consensus_table(&i, &[("=HYPERLINK(\"x\")".to_string(), vec![note(key("q1", "yes"), "+1 \"quoted\"")])]);
    let csv = table_csv(&i, &rows);
    assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
    assert!(csv.contains("\"'+1 \"\"quoted\"\"\""), "{csv}");
}

#[test]
fn html_is_accessible_and_escaped() {
    let (c, rows) = five_studies();
    let html = table_html(&c, &rows);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-output");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("appraisal-table.html"), &html);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("<caption>Quality appraisal: CASP Qualitative Studies Checklist (2018)</caption>"));
    assert!(html.contains("<th scope=\"col\">Study</th>"));
    assert_eq!(html.matches("<th scope=\"col\" title=").count(), 10);
    assert_eq!(html.matches("<th scope=\"row\">").count(), 5);
    assert!(html.contains("<th scope=\"row\">Baker &amp; Chen 2020 &lt;pilot&gt;</th>"));
    assert!(!html.contains("<pilot>"));
    assert!(html.contains("<td class=\"unclear\">Can&apos;t tell (?)</td>"));
    assert!(html.contains("<td class=\"good\">Yes (+)</td>"));
    assert!(html.contains("<td class=\"bad\">No (\u{2212})<span class=\"c\">Survey design, not qualitative.</span></td>"));
    assert!(html.contains("<td>Highly valuable</td>"));
    assert!(html.contains("<td>\u{2014}</td>"));
    let footer = html.split("<footer>").nth(1).unwrap_or_default();
    assert!(footer.contains("Critical Appraisal Skills Programme (CASP)") && footer.contains("CC BY-NC-SA 3.0"));
    assert!(html.trim_end().ends_with("</html>"));
}

/// The text of each `<text>` element without its `<title>`, and the text of every `<title>`.
fn svg_text(svg: &str) -> (Vec<String>, Vec<String>) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(svg);
    let (mut texts, mut titles) = (Vec::new(), Vec::new());
    let mut stack: Vec<String> = Vec::new();
    let mut buf = String::new();
    let mut root_attrs = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.local_name().into_inner().to_string();
                if name == "svg" {
                    root_attrs = e.attributes().filter_map(Result::ok).map(|a| a.key.into_inner().to_string()).collect();
                }
                if name == "text" || name == "title" {
                    buf.clear();
                }
                stack.push(name);
            }
            Ok(Event::End(e)) => {
                let name = e.local_name().into_inner().to_string();
                assert_eq!(stack.pop().as_deref(), Some(name.as_str()));
                if name == "title" {
                    titles.push(std::mem::take(&mut buf));
                } else if name == "text" {
                    texts.push(std::mem::take(&mut buf));
                }
            }
            Ok(Event::Text(t)) => buf.push_str(&t.html_content()),
            Ok(Event::GeneralRef(r)) => buf.push_str(match &*r.html_content() {
                "amp" => "&",
                "lt" => "<",
                "gt" => ">",
                "quot" => "\"",
                "apos" => "'",
                other => panic!("unexpected entity {other}"),
            }),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("the SVG is not well-formed: {e}"),
        }
    }
    assert!(stack.is_empty(), "unbalanced elements");
    for attr in ["width", "height", "viewBox", "xmlns"] {
        assert!(root_attrs.iter().any(|a| a == attr), "the root lacks {attr}");
    }
    (texts, titles)
}

#[test]
fn traffic_light_svg_of_five_studies() {
    let (c, rows) = five_studies();
    let svg = traffic_light_svg(&c, &rows);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-output");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("appraisal-traffic-light.svg"), &svg);

    assert!(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""));
    let (texts, titles) = svg_text(&svg);
    assert_eq!(titles[0], "CASP Qualitative Studies Checklist (2018): traffic-light summary");
    for label in ["Adams 2019", "Baker & Chen 2020 <pilot>", "Okafor 2021", "Tanaka 2023"] {
        assert!(texts.iter().any(|t| t == label), "missing {label:?} in {texts:#?}");
    }
    // The long label is shortened on the plot and given in full in its tooltip.
    assert!(texts.iter().any(|t| t.starts_with("Schmidt, Müller and the Rural Carers St") && t.ends_with('\u{2026}')));
    assert!(titles.iter().any(|t| t == "Schmidt, Müller and the Rural Carers Study Group 2022"));
    // Item numbers 1 to 9 head the columns; question 10 is free text and is not plotted.
    for n in 1..=9 {
        assert!(texts.iter().any(|t| *t == n.to_string()), "missing column {n}");
    }
    assert!(!texts.iter().any(|t| t == "10"));
    assert!(texts.iter().any(|t| t == "Section A") && texts.iter().any(|t| t == "Section B"));
    // 45 cells and 4 legend entries (good, unclear, bad, not answered).
    assert_eq!(svg.matches("<circle").count(), 45 + 4);
    assert!(texts.iter().any(|t| t == "Yes") && texts.iter().any(|t| t == "Can't tell") && texts.iter().any(|t| t == "Not answered"));
    assert_eq!(texts.iter().filter(|t| *t == "+").count(), 8 + 5 + 1 + 6 + 9 + 1);
    assert_eq!(texts.iter().filter(|t| *t == "?").count(), 2 + 2 + 1);
    assert_eq!(texts.iter().filter(|t| *t == "\u{2212}").count(), 1 + 2 + 1 + 1 + 1);
    assert!(titles.iter().any(|t| t == "Okafor 2021, item 5: not answered"));
    assert!(texts.iter().any(|t| t.starts_with("Critical Appraisal Skills Programme (CASP)")));
    assert!(texts.iter().any(|t| t == "9: Is there a clear statement of findings?"));
}

#[test]
fn traffic_light_svg_with_an_overall_column() {
    let jbi = builtin("jbi-qualitative").unwrap_or_else(|| panic!("jbi"));
    let answers = |k: &str, overall: &str| -> Vec<Answer> {
        (1..=10).map(|n| key(&format!("q{n}"), if n % 3 == 0 { "unclear" } else { k })).chain([key("overall", overall)]).collect()
    };
    let rows = consensus_table(
        &jbi,
        &[
            ("Lee 2018".to_string(), answers("yes", "include")),
            ("O'Brien 2019".to_string(), answers("no", "exclude")),
            ("Park 2020".to_string(), answers("not_applicable", "seek_info")),
        ],
    );
    let svg = traffic_light_svg(&jbi, &rows);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-output");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("appraisal-traffic-light-jbi.svg"), &svg);
    let (texts, _) = svg_text(&svg);
    assert!(texts.iter().any(|t| t == "O'Brien 2019"));
    assert!(svg.contains("O&apos;Brien 2019"));
    assert!(texts.iter().any(|t| t == "Overall") && texts.iter().any(|t| t == "10"));
    assert_eq!(texts.iter().filter(|t| *t == "NA").count(), 7 + 1);
    assert_eq!(texts.iter().filter(|t| *t == "!").count(), 1 + 1);
    assert!(texts.iter().any(|t| t == "Yes / Include") && texts.iter().any(|t| t == "Seek further info"));
    assert!(!texts.iter().any(|t| t == "Not answered"));
}

#[test]
fn exports_of_an_empty_table_are_still_valid() {
    let i = load(TINY).unwrap_or_else(|e| panic!("{e:#?}"));
    let svg = traffic_light_svg(&i, &[]);
    let (texts, _) = svg_text(&svg);
    assert!(texts.iter().any(|t| t == "Study"));
    assert_eq!(table_csv(&i, &[]).lines().count(), 1);
    assert!(table_html(&i, &[]).contains("<tbody>\n</tbody>"));
}
