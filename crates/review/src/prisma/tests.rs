//! Tests of the PRISMA counts, checks, CSV and SVG on known flows.

use super::csv_file::template_rows;
use super::*;

fn named(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|(name, n)| (name.to_string(), *n)).collect()
}

/// A new review: two databases and one register, duplicates, screening, full text with
/// reports not retrieved and three exclusion reasons, several reports per study.
fn new_review() -> Counts {
    Counts {
        databases: named(&[("MEDLINE", 1203), ("Embase", 987)]),
        registers: named(&[("ClinicalTrials.gov", 112)]),
        duplicates: 640,
        excluded_automatic: 120,
        excluded_other: 12,
        records_screened: 1530,
        records_excluded: 1402,
        dbr_sought: 128,
        dbr_not_retrieved: 6,
        dbr_assessed: 122,
        dbr_excluded: named(&[("Wrong population", 41), ("Wrong intervention", 29), ("Not a randomised trial", 22)]),
        new_studies: 21,
        new_reports: 30,
        dbr_reports_included: 30,
        ..Counts::default()
    }
}

/// The richest flow: the new review plus an other-methods arm (websites and citation searching)
/// and a previous version of the review.
fn updated_review() -> Counts {
    Counts {
        websites: Some(35),
        citation_searching: Some(48),
        other_sought: 14,
        other_not_retrieved: 2,
        other_assessed: 12,
        other_excluded: named(&[("Conference abstract only", 5), ("Wrong outcome", 3)]),
        new_studies: 25,
        new_reports: 34,
        other_reports_included: 4,
        previous_studies: Some(18),
        previous_reports: Some(23),
        ..new_review()
    }
}

#[test]
fn totals_of_the_new_review() {
    let c = new_review();
    assert_eq!(c.database_total(), 2190);
    assert_eq!(c.register_total(), 112);
    assert_eq!(c.identified_total(), 2302);
    assert_eq!(c.removed_total(), 772);
    assert_eq!(c.total_studies(), 21);
    assert_eq!(c.total_reports(), 30);
    assert!(!c.other_arm_used());
    assert!(!c.previous_arm_used());
    assert_eq!(check(&c), vec![]);
}

#[test]
fn totals_of_the_updated_review() {
    let c = updated_review();
    assert_eq!(c.other_identified_total(), 83);
    assert_eq!(c.total_studies(), 43);
    assert_eq!(c.total_reports(), 57);
    assert!(c.other_arm_used());
    assert!(c.previous_arm_used());
    assert_eq!(check(&c), vec![]);
}

fn checks(c: &Counts) -> Vec<(&'static str, i64, i64)> {
    check(c).into_iter().map(|m| (m.check, m.expected, m.actual)).collect()
}

#[test]
fn check_records_screened() {
    let c = Counts { duplicates: 650, ..new_review() };
    let found = check(&c);
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].check, found[0].expected, found[0].actual), ("records_screened", 1520, 1530));
    assert_eq!(found[0].message, "Records screened should be 1,520 (2,302 identified − 782 removed before screening) but is 1,530.");
}

#[test]
fn check_reports_sought() {
    let c = Counts { records_excluded: 1400, ..new_review() };
    assert_eq!(checks(&c), vec![("dbr_sought", 130, 128)]);
}

#[test]
fn check_reports_assessed() {
    let c = Counts { dbr_not_retrieved: 8, ..new_review() };
    assert_eq!(checks(&c), vec![("dbr_assessed", 120, 122)]);
}

#[test]
fn check_excluded_reasons_add_up() {
    let c = Counts { dbr_excluded: named(&[("Wrong population", 40), ("Wrong intervention", 29)]), ..new_review() };
    let found = check(&c);
    assert_eq!(checks(&c), vec![("dbr_excluded", 92, 69)]);
    assert_eq!(
        found[0].message,
        "The reports excluded with reasons (databases and registers) should be 92 (122 assessed − 30 included) but is 69."
    );
}

#[test]
fn check_other_arm() {
    let c = Counts { other_assessed: 11, ..updated_review() };
    assert_eq!(checks(&c), vec![("other_assessed", 12, 11), ("other_excluded", 7, 8)]);
}

#[test]
fn check_new_reports_cover_new_studies() {
    let c = Counts { new_studies: 31, ..new_review() };
    assert_eq!(checks(&c), vec![("new_reports", 31, 30)]);
}

#[test]
fn check_reports_included_add_up() {
    let c = Counts { new_reports: 33, ..updated_review() };
    assert_eq!(checks(&c), vec![("reports_included", 34, 33)]);
}

#[test]
fn check_negative_expectations_do_not_panic() {
    let c = Counts { duplicates: u64::MAX, records_screened: 5, ..Counts::default() };
    let found = check(&c);
    assert_eq!(found[0].check, "records_screened");
    assert!(found[0].expected < 0);
    assert_eq!(check(&Counts::default()), vec![]);
}

/// Parses CSV text into rows of fields.
fn parse(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    reader.records().map(|r| r.map(|r| r.iter().map(str::to_owned).collect())).collect::<Result<_, _>>().unwrap_or_default()
}

fn n_of(rows: &[Vec<String>], key: &str) -> String {
    rows.iter().find(|r| r[0] == key).map(|r| r[7].clone()).unwrap_or_else(|| format!("missing {key}"))
}

#[test]
fn csv_keeps_every_template_row_and_column() {
    let template = parse(include_str!("PRISMA.csv"));
    assert_eq!(template.len(), 35);
    assert_eq!(template_rows(), template);
    for c in [new_review(), updated_review(), Counts::default()] {
        let out = parse(&to_csv(&c));
        assert_eq!(out.len(), template.len());
        assert_eq!(out[0], ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]);
        for (o, t) in out.iter().zip(&template) {
            assert_eq!(o.len(), 8);
            assert_eq!(o[..7], t[..7], "row {}", t[0]);
        }
    }
}

#[test]
fn csv_quotes_like_the_template() {
    let template = include_str!("PRISMA.csv");
    let out = to_csv(&updated_review());
    let lines: Vec<&str> = out.split("\r\n").filter(|l| !l.is_empty()).collect();
    let t_lines: Vec<&str> = template.split("\r\n").collect();
    assert_eq!(lines.len(), t_lines.len());
    for (o, t) in lines.iter().zip(&t_lines) {
        // Everything before the n field is byte for byte the template's.
        let cut = if t.ends_with('"') { t.rfind(",\"") } else { t.rfind(',') };
        let prefix = &t[..cut.unwrap_or(0)];
        assert!(o.starts_with(prefix), "{o}\n{t}");
        if t.starts_with("NA,") {
            assert_eq!(o, t);
        }
    }
    assert!(out.ends_with("\r\n"));
}

#[test]
fn csv_n_column_of_the_updated_review() {
    let rows = parse(&to_csv(&updated_review()));
    let expect = [
        ("previous_studies", "18"),
        ("previous_reports", "23"),
        ("database_results", "2190"),
        ("database_specific_results", "MEDLINE, 1203; Embase, 987"),
        ("register_results", "112"),
        ("register_specific_results", "ClinicalTrials.gov, 112"),
        ("website_results", "35"),
        ("organisation_results", "NA"),
        ("citations_results", "48"),
        ("duplicates", "640"),
        ("excluded_automatic", "120"),
        ("excluded_other", "12"),
        ("records_screened", "1530"),
        ("records_excluded", "1402"),
        ("dbr_sought_reports", "128"),
        ("dbr_notretrieved_reports", "6"),
        ("other_sought_reports", "14"),
        ("other_notretrieved_reports", "2"),
        ("dbr_assessed", "122"),
        ("dbr_excluded", "Wrong population, 41; Wrong intervention, 29; Not a randomised trial, 22"),
        ("other_assessed", "12"),
        ("other_excluded", "Conference abstract only, 5; Wrong outcome, 3"),
        ("new_studies", "25"),
        ("new_reports", "34"),
        ("total_studies", "43"),
        ("total_reports", "57"),
        ("identification", "0"),
        ("total_studies_ma", "NA"),
        ("total_reports_ma", "NA"),
    ];
    for (key, n) in expect {
        assert_eq!(n_of(&rows, key), n, "{key}");
    }
}

#[test]
fn csv_writes_unused_arms_as_na() {
    let rows = parse(&to_csv(&new_review()));
    for key in ["website_results", "organisation_results", "citations_results", "previous_studies", "previous_reports"] {
        assert_eq!(n_of(&rows, key), "NA", "{key}");
    }
    assert_eq!(n_of(&rows, "other_excluded"), "0");
    assert_eq!(n_of(&rows, "total_studies"), "21");
    let rows = parse(&to_csv(&Counts::default()));
    assert_eq!(n_of(&rows, "register_results"), "0");
    assert_eq!(n_of(&rows, "register_specific_results"), "NA");
}

#[test]
fn csv_makes_names_safe() {
    let c = Counts {
        databases: named(&[("Web of Science, Core; Collection", 5), ("", 2)]),
        dbr_excluded: named(&[("Wrong design; not\nrandomised", 3)]),
        ..Counts::default()
    };
    let rows = parse(&to_csv(&c));
    assert_eq!(n_of(&rows, "database_specific_results"), "Web of Science Core Collection, 5; Unnamed, 2");
    assert_eq!(n_of(&rows, "dbr_excluded"), "Wrong design not randomised, 3");
    let single_unnamed = Counts { dbr_excluded: named(&[("", 9)]), ..Counts::default() };
    assert_eq!(n_of(&parse(&to_csv(&single_unnamed)), "dbr_excluded"), "9");
}

#[test]
fn csv_round_trips() {
    for c in [new_review(), updated_review(), Counts::default()] {
        assert_eq!(from_csv(&to_csv(&c)), Ok(c));
    }
    let single_unnamed = Counts { dbr_assessed: 9, dbr_excluded: named(&[("", 9)]), ..Counts::default() };
    assert_eq!(from_csv(&to_csv(&single_unnamed)), Ok(single_unnamed));
}

#[test]
fn csv_reads_the_blank_template_as_zeros() {
    let c = from_csv(include_str!("PRISMA.csv"));
    let zeros = Counts {
        websites: Some(0),
        organisations: Some(0),
        citation_searching: Some(0),
        previous_studies: Some(0),
        previous_reports: Some(0),
        ..Counts::default()
    };
    assert_eq!(c, Ok(zeros));
}

#[test]
fn csv_reads_by_key_with_bom_separators_and_missing_rows() {
    let text =
        "\u{feff}n,data\n\"1,203\",database_results\nNA,website_results\n\"Wrong population, 4; Other, 1\",dbr_excluded\n7,dbr_assessed\n";
    let c = match from_csv(text) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(c.databases, named(&[("Databases", 1203)]));
    assert_eq!(c.websites, None);
    assert_eq!(c.organisations, Some(0));
    assert_eq!(c.dbr_excluded, named(&[("Wrong population", 4), ("Other", 1)]));
    assert_eq!(c.dbr_reports_included, 2);
    assert_eq!(c.previous_studies, Some(0));
}

#[test]
fn csv_errors_name_the_row() {
    let bad = to_csv(&new_review()).replace(
        "duplicates,node8,box3,Duplicate records,Duplicate records,Duplicate records,duplicates.html,640",
        "duplicates,node8,box3,x,x,x,x,many",
    );
    assert_eq!(from_csv(&bad), Err("Row `duplicates`: \u{201c}many\u{201d} is not a count.".to_owned()));
    let sum = to_csv(&new_review()).replace(",2190\r\n", ",2000\r\n");
    assert_eq!(from_csv(&sum), Err("Row `database_specific_results` adds up to 2190 but row `database_results` says 2000.".to_owned()));
    let half = to_csv(&new_review()).replace("Wrong intervention, 29", "Wrong intervention");
    assert_eq!(
        from_csv(&half),
        Err("Row `dbr_excluded`: \u{201c}Wrong intervention\u{201d} has no count; write it as \u{201c}Wrong intervention, 12\u{201d}."
            .to_owned())
    );
    assert!(from_csv("a,b\n1,2\n").is_err());
    assert!(from_csv("").is_err());
}

/// The text of every `<text>` element, its lines joined by spaces; fails if the SVG is not well-formed XML.
fn svg_texts(svg: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut texts = Vec::new();
    let mut current: Option<Vec<String>> = None;
    let mut depth = 0i32;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                depth += 1;
                if e.local_name().as_ref() == "text" {
                    current = Some(Vec::new());
                } else if e.local_name().as_ref() == "tspan"
                    && let Some(lines) = current.as_mut()
                {
                    lines.push(String::new());
                }
            }
            Ok(Event::End(e)) => {
                depth -= 1;
                if e.local_name().as_ref() == "text"
                    && let Some(lines) = current.take()
                {
                    texts.push(lines.join(" ").trim().to_owned());
                }
            }
            Ok(Event::Text(t)) => push_text(&mut current, &t.html_content()),
            Ok(Event::GeneralRef(r)) => {
                let ch = match &*r.html_content() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity {other}"),
                };
                push_text(&mut current, ch);
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("the SVG is not well-formed: {e}"),
        }
    }
    assert_eq!(depth, 0, "unbalanced elements");
    texts
}

fn push_text(current: &mut Option<Vec<String>>, text: &str) {
    if let Some(lines) = current.as_mut() {
        match lines.last_mut() {
            Some(last) => last.push_str(text),
            None => lines.push(text.to_owned()),
        }
    }
}

#[track_caller]
fn has(texts: &[String], phrase: &str) {
    assert!(texts.iter().any(|t| t.contains(phrase)), "missing {phrase:?} in {texts:#?}");
}

#[test]
fn svg_of_the_updated_review_has_every_box_and_number() {
    let c = updated_review();
    let svg = to_svg(&c, true);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-output");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("prisma-flow.svg"), &svg);

    assert!(
        svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"")
    );
    assert!(svg.contains(" viewBox=\"0 0 ") && svg.contains(" height=\""));
    assert!(svg.contains("<title>PRISMA 2020 flow diagram</title>"));
    let texts = svg_texts(&svg);
    for phrase in [
        "Previous studies",
        "Identification of new studies via databases and registers",
        "Identification of new studies via other methods",
        "Identification",
        "Screening",
        "Included",
        "Studies included in previous version of review (n = 18)",
        "Reports of studies included in previous version of review (n = 23)",
        "Records identified from: Databases (n = 2,190) \u{2013} MEDLINE (n = 1,203) \u{2013} Embase (n = 987) Registers (n = 112) \u{2013} ClinicalTrials.gov (n = 112)",
        "Records removed before screening: Duplicate records removed (n = 640) Records marked as ineligible by automation tools (n = 120) Records removed for other reasons (n = 12)",
        "Records screened (n = 1,530)",
        "Records excluded (n = 1,402)",
        "Reports sought for retrieval (n = 128)",
        "Reports not retrieved (n = 6)",
        "Reports assessed for eligibility (n = 122)",
        "Reports excluded: Wrong population (n = 41) Wrong intervention (n = 29) Not a randomised trial (n = 22)",
        "Records identified from: Websites (n = 35) Citation searching (n = 48)",
        "Reports sought for retrieval (n = 14)",
        "Reports not retrieved (n = 2)",
        "Reports assessed for eligibility (n = 12)",
        "Reports excluded: Conference abstract only (n = 5) Wrong outcome (n = 3)",
        "New studies included in review (n = 25) Reports of new included studies (n = 34)",
        "Total studies included in review (n = 43) Reports of total included studies (n = 57)",
    ] {
        has(&texts, phrase);
    }
    assert!(!texts.iter().any(|t| t.contains("Organisations")));
    // Arrows: 5 down and 4 across in the main arm, 2 down, 2 across and 1 elbow in the other arm, 1 from the previous arm.
    assert_eq!(svg.matches("<polyline").count(), 15);
}

#[test]
fn svg_of_a_new_review_has_one_arm() {
    let c = new_review();
    let svg = to_svg(&c, false);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-output");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("prisma-flow-new-review.svg"), &svg);
    let texts = svg_texts(&svg);
    has(&texts, "Identification of studies via databases and registers");
    has(&texts, "Records identified from: Databases (n = 2,190) Registers (n = 112)");
    has(&texts, "Studies included in review (n = 21) Reports of included studies (n = 30)");
    assert!(!texts.iter().any(|t| t.contains("other methods") || t.contains("Previous") || t.contains("MEDLINE") || t.contains("Total")));
    assert_eq!(svg.matches("<polyline").count(), 8);
    let none = to_svg(&Counts::default(), false);
    let texts = svg_texts(&none);
    has(&texts, "Registers (n = 0)");
    has(&texts, "Reports excluded (n = 0)");
}

#[test]
fn svg_escapes_and_wraps_text() {
    let c = Counts {
        databases: named(&[("A & B <\"C\">", 3), ("Bad\u{0}name", 1)]),
        dbr_excluded: named(&[("A reason that is long enough to need wrapping onto a second line", 4)]),
        ..Counts::default()
    };
    let svg = to_svg(&c, true);
    assert!(svg.contains("A &amp; B &lt;&quot;C&quot;&gt;"));
    assert!(!svg.contains('\u{0}'));
    let texts = svg_texts(&svg);
    has(&texts, "\u{2013} A & B <\"C\"> (n = 3)");
    has(&texts, "\u{2013} Bad name (n = 1)");
    has(&texts, "A reason that is long enough to need wrapping onto a second line (n = 4)");
    assert!(svg.contains(">A reason that is long enough to need</tspan>"));
}

#[test]
fn wrap_breaks_at_spaces_and_cuts_long_words() {
    use super::svg::wrap;
    assert_eq!(
        wrap("Records marked as ineligible by automation tools (n = 120)", 42),
        ["Records marked as ineligible by automation", "tools (n = 120)"]
    );
    assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
    assert_eq!(wrap("", 10), [""]);
}

#[test]
fn numbers_have_thousands_separators() {
    assert_eq!(fmt_n(0), "0");
    assert_eq!(fmt_n(999), "999");
    assert_eq!(fmt_n(1000), "1,000");
    assert_eq!(fmt_n(1234567), "1,234,567");
}
