//! Tests for the study characteristics form, value checks, differences between extractors and the
//! characteristics table, with studies of peer workers in homelessness services.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Map, Value, json};
use synthesis::extraction::*;

fn field(key: &str, label: &str, kind: FieldKind, options: &[&str], required: bool) -> Field {
    Field { key: key.into(), label: label.into(), kind, options: options.iter().map(|o| o.to_string()).collect(), required, help: None }
}

fn form() -> Form {
    let mut setting = field("setting", "Setting", FieldKind::Text, &[], true);
    setting.help = Some("Service type & city, as the authors describe it".into());
    Form {
        fields: vec![
            setting,
            field("country", "Country", FieldKind::Choice, &["Canada", "United Kingdom", "United States", "Australia"], true),
            field("participants", "Participants (n)", FieldKind::Number, &[], true),
            field(
                "methods",
                "Data collection",
                FieldKind::Choices,
                &["Semi-structured interviews", "Focus groups", "Diaries", "Observation"],
                true,
            ),
            field("analysis", "Analysis approach", FieldKind::Text, &[], false),
            field("data_collected", "Data collected", FieldKind::Date, &[], false),
        ],
        extractors: 2,
    }
}

fn values(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[test]
fn a_good_form_passes_and_every_problem_is_listed() {
    assert_eq!(validate_form(&form()), Ok(()));
    let json = serde_json::to_value(form()).unwrap();
    assert_eq!(json["fields"][1]["kind"], "choice");
    assert_eq!(json["fields"][3]["kind"], "choices");
    let back: Form = serde_json::from_value(json!({"fields": [{"key": "n", "label": "N", "kind": "number"}]})).unwrap();
    assert_eq!(back.extractors, 2, "two extractors unless said otherwise");
    assert!(!back.fields[0].required);

    let mut bad = form();
    bad.extractors = 3;
    bad.fields[0].key = "Setting".into();
    bad.fields[2].key = "country".into();
    bad.fields[4].label = "  ".into();
    bad.fields[1].options = vec!["Canada".into(), " Canada ".into(), "".into()];
    bad.fields[3].options.clear();
    let problems = validate_form(&bad).unwrap_err();
    let starts = [
        "extractors:",
        "fields[0].key:",
        "fields[1].options:",
        "fields[1].options:",
        "fields[2].key:",
        "fields[3].options:",
        "fields[4].label:",
    ];
    let mut got: Vec<&str> = problems.iter().map(|p| p.split(' ').next().unwrap()).collect();
    got.sort();
    assert_eq!(got, starts, "{problems:#?}");
    assert!(problems.iter().any(|p| p.contains("\"country\" is used by another field")));
    let mut empty_key = form();
    empty_key.fields[5].key = String::new();
    assert_eq!(validate_form(&empty_key).unwrap_err(), ["fields[5].key: must not be empty"]);
}

#[test]
fn values_are_checked_against_their_kinds() {
    let f = form();
    let good = values(json!({
        "setting": "Hospital addiction medicine service, Toronto",
        "country": "Canada",
        "participants": 14,
        "methods": ["Semi-structured interviews"],
        "analysis": "Thematic analysis",
        "data_collected": "2019-11"
    }));
    assert_eq!(check_values(&f, &good, true), []);
    let bad = values(json!({
        "setting": 12,
        "country": "France",
        "participants": "fourteen",
        "methods": ["Focus groups", "Focus groups", "Surveys", 3],
        "data_collected": "2019-02-29",
        "notes": "x"
    }));
    let issues = check_values(&f, &bad, false);
    let keyed: Vec<(&str, &str)> = issues.iter().map(|i| (i.key.as_str(), i.message.as_str())).collect();
    assert_eq!(
        keyed,
        [
            ("notes", "is not a field of this review's form"),
            ("setting", "Setting must be text"),
            ("country", "\"France\" is not an option of Country"),
            ("participants", "Participants (n) must be a number"),
            ("methods", "\"Focus groups\" is chosen twice"),
            ("methods", "\"Surveys\" is not an option of Data collection"),
            ("methods", "Data collection must be a list of its options"),
            ("data_collected", "Data collected must be a date that exists, as YYYY-MM-DD, YYYY-MM or YYYY"),
        ]
    );
}

#[test]
fn drafts_may_be_partial_but_submissions_need_required_fields() {
    let f = form();
    let draft = values(json!({"setting": "Peer-led hepatitis C service, London", "methods": [], "analysis": null, "country": "  "}));
    assert_eq!(check_values(&f, &draft, false), []);
    let missing: Vec<String> = check_values(&f, &draft, true).into_iter().map(|i| i.key).collect();
    assert_eq!(missing, ["country", "participants", "methods"]);
}

#[test]
fn dates_must_exist() {
    for ok in ["2020", "2020-02", "2020-02-29", "2000-02-29", "2019-12-31", " 2018-06 ".trim()] {
        assert!(is_date(ok), "{ok}");
    }
    for bad in [
        "2019-02-29",
        "1900-02-29",
        "2020-13",
        "2020-00",
        "2020-04-31",
        "20-01-01",
        "2020-1-5",
        "2020/01/05",
        "0000",
        "",
        "2020-01-01-01",
        "soon",
    ] {
        assert!(!is_date(bad), "{bad}");
    }
}

#[test]
fn differences_ignore_spacing_order_and_number_spelling() {
    let f = form();
    let a = values(json!({
        "setting": "Supported housing  services,\nGlasgow",
        "country": "United Kingdom",
        "participants": 3,
        "methods": ["Semi-structured interviews", "Diaries"],
        "analysis": "Multi-stage thematic analysis",
    }));
    let b = values(json!({
        "setting": " Supported housing services, Glasgow ",
        "country": "United Kingdom",
        "participants": 3.0,
        "methods": ["Diaries", "Semi-structured interviews"],
        "analysis": "Thematic analysis",
        "data_collected": "",
    }));
    assert_eq!(differences(&f, &a, &b), ["analysis"]);
    let mut c = b.clone();
    c.insert("participants".into(), json!(4));
    c.insert("data_collected".into(), json!("2018"));
    c.insert("methods".into(), json!(["Diaries"]));
    assert_eq!(differences(&f, &a, &c), ["participants", "methods", "analysis", "data_collected"]);
    assert_eq!(differences(&f, &a, &a), Vec::<String>::new());
}

#[test]
fn values_display_as_people_read_them() {
    let f = form();
    assert_eq!(display(&f.fields[0], &json!("  Drop-in centre ")), "Drop-in centre");
    assert_eq!(display(&f.fields[2], &json!(14)), "14");
    assert_eq!(display(&f.fields[2], &json!(2.5)), "2.5");
    assert_eq!(display(&f.fields[3], &json!(["Semi-structured interviews", "Diaries"])), "Semi-structured interviews; Diaries");
    assert_eq!(display(&f.fields[4], &Value::Null), "");
}

fn rows() -> Vec<(String, Map<String, Value>)> {
    vec![
        (
            "Bardwell 2018".into(),
            values(json!({
                "setting": "Hospital, \"addiction\" service",
                "country": "Canada",
                "participants": 14,
                "methods": ["Semi-structured interviews", "Focus groups"],
                "analysis": "Thematic analysis",
                "data_collected": "2019-11-04"
            })),
        ),
        ("Surey 2021".into(), values(json!({"setting": "=HYPERLINK(\"x\")", "country": "United Kingdom", "participants": -1}))),
        ("Lennox 2021 <b>".into(), Map::new()),
    ]
}

#[test]
fn the_characteristics_table_as_csv() {
    let csv = characteristics_csv(&form(), &rows());
    assert_eq!(
        csv,
        concat!(
            "Study,Setting,Country,Participants (n),Data collection,Analysis approach,Data collected\r\n",
            "Bardwell 2018,\"Hospital, \"\"addiction\"\" service\",Canada,14,Semi-structured interviews; Focus groups,Thematic analysis,2019-11-04\r\n",
            "Surey 2021,\"'=HYPERLINK(\"\"x\"\")\",United Kingdom,-1,,,\r\n",
            "Lennox 2021 <b>,,,,,,\r\n",
        )
    );
}

#[test]
fn the_characteristics_table_as_html_is_escaped() {
    let html = characteristics_html("Characteristics of included studies: Peer work & homelessness", &form(), &rows());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<caption>Characteristics of included studies: Peer work &amp; homelessness</caption>"));
    assert!(html.contains("<th scope=\"col\" title=\"Service type &amp; city, as the authors describe it\">Setting</th>"));
    assert!(html.contains("<th scope=\"row\">Lennox 2021 &lt;b&gt;</th>"));
    assert!(html.contains("<td>Hospital, &quot;addiction&quot; service</td>"));
    assert!(html.contains("<td class=\"n\">14</td>"));
    assert!(html.contains("@media print"));
    assert!(!html.contains("<b>"));
    assert_eq!(html.matches("<tr>").count(), 4);
}
