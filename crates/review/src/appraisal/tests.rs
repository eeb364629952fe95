//! Tests of instrument loading, the built-ins, appraisal checks, reconciliation and per-item agreement.

use super::*;

/// A small valid instrument: a gate after one screening item, a free-text item in section B.
pub(super) const TINY: &str = r#"
id = "tiny"
name = "Tiny checklist"
version = "1"
attribution = "Test authors."
licence = "CC0."

[answer_sets]
ycn = [
  { key = "yes", label = "Yes", rating = "good" },
  { key = "cant_tell", label = "Can't tell", rating = "unclear" },
  { key = "no", label = "No", rating = "bad" },
]

[gate]
question = "Is it worth continuing?"
answer = "yes"

[[sections]]
id = "A"
title = "Validity"

[[sections.items]]
id = "q1"
number = 1
text = "Clear aims?"
answer_set = "ycn"
screening = true

[[sections.items]]
id = "q2"
number = 2
text = "Sound methods?"
answer_set = "ycn"

[[sections]]
id = "B"
title = "Value"

[[sections.items]]
id = "q3"
number = 3
text = "How valuable?"
free_text = true
"#;

pub(super) fn key(item: &str, key: &str) -> Answer {
    Answer { item: item.to_string(), key: Some(key.to_string()), ..Answer::default() }
}

fn text(item: &str, text: &str) -> Answer {
    Answer { item: item.to_string(), text: Some(text.to_string()), ..Answer::default() }
}

fn casp() -> Instrument {
    match builtin("casp-qualitative") {
        Some(i) => i,
        None => panic!("casp-qualitative does not load: {:?}", builtin_source("casp-qualitative").map(load)),
    }
}

#[track_caller]
fn rejected(text: &str, needle: &str) -> Vec<String> {
    match load(text) {
        Ok(_) => panic!("expected a rejection naming {needle:?}"),
        Err(problems) => {
            assert!(problems.iter().any(|p| p.contains(needle)), "no problem names {needle:?}: {problems:#?}");
            problems
        }
    }
}

#[test]
fn every_builtin_loads_and_validates() {
    for id in BUILTIN_IDS {
        let text = builtin_source(id).unwrap_or_default();
        match load(text) {
            Ok(i) => {
                assert_eq!(i.id, id);
                assert!(!i.attribution.is_empty() && !i.licence.is_empty());
                if !i.verified {
                    assert!(i.note.as_deref().is_some_and(|n| n.contains("paraphrase") || n.contains("not been checked")), "{id}");
                }
            }
            Err(e) => panic!("{id} does not load: {e:#?}"),
        }
    }
    assert_eq!(builtins().len(), BUILTIN_IDS.len());
    let kept = builtins_except(&["jbi-qualitative", "casp-rct"]);
    assert_eq!(kept.len(), BUILTIN_IDS.len() - 2);
    assert!(kept.iter().all(|i| i.id != "jbi-qualitative" && i.id != "casp-rct"));
    assert!(builtin("no-such-thing").is_none());
}

#[test]
fn casp_qualitative_is_exact() {
    let c = casp();
    assert!(c.verified);
    assert!(c.licence.contains("CC BY-NC-SA 3.0") && c.licence.contains("©CASP"));
    let sections: Vec<(&str, usize)> = c.sections.iter().map(|s| (s.id.as_str(), s.items.len())).collect();
    assert_eq!(sections, [("A", 6), ("B", 3), ("C", 1)]);
    let items: Vec<&Item> = c.items().collect();
    assert_eq!(items.len(), 10);
    assert_eq!(items[0].text, "Was there a clear statement of the aims of the research?");
    assert_eq!(items[4].text, "Was the data collected in a way that addressed the research issue?");
    assert_eq!(items[9].text, "How valuable is the research?");
    assert!(items[9].is_free_text());
    assert!(items.iter().all(|i| !i.hints.is_empty()));
    let screening: Vec<&str> = c.screening_items().iter().map(|i| i.id.as_str()).collect();
    assert_eq!(screening, ["q1", "q2"]);
    assert_eq!(c.gate.as_ref().map(|g| (g.question.as_str(), g.answer.as_str())), Some(("Is it worth continuing?", "yes")));
    let labels: Vec<&str> = c.answer_sets[0].answers.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["Yes", "Can't tell", "No"]);
    assert!(c.overall.is_none());
}

#[test]
fn jbi_and_other_casp_checklists_have_their_counts() {
    let jbi = builtin("jbi-qualitative").unwrap_or_else(|| panic!("jbi"));
    assert_eq!(jbi.items().count(), 10);
    assert!(jbi.licence.contains("© JBI"));
    assert!(!jbi.verified);
    assert_eq!(
        jbi.items().nth(1).map(|i| i.text.as_str()),
        Some("Is there congruity between the research methodology and the research question or objectives?")
    );
    let labels: Vec<&str> = jbi
        .answer_sets
        .iter()
        .find(|s| s.name == "yes_no_unclear_na")
        .map(|s| s.answers.iter().map(|a| a.label.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(labels, ["Yes", "No", "Unclear", "Not applicable"]);
    let overall: Vec<String> = jbi
        .overall
        .as_ref()
        .and_then(|o| o.answer_set.as_deref())
        .and_then(|s| jbi.answer_set(s))
        .map(|s| s.answers.iter().map(|a| a.label.clone()).collect())
        .unwrap_or_default();
    assert_eq!(overall, ["Include", "Exclude", "Seek further info"]);

    // Question counts from STANDARDS.md §2.2: case-control question 6 has parts (a) and (b).
    for (id, questions, sections, screening) in [
        ("casp-systematic-review", 10, 3, 2),
        ("casp-rct", 11, 4, 3),
        ("casp-cohort", 12, 3, 0),
        ("casp-case-control", 11, 3, 3),
        ("casp-diagnostic", 12, 3, 2),
        ("casp-economic-evaluation", 12, 3, 0),
        ("casp-clinical-prediction-rule", 11, 3, 2),
    ] {
        let i = builtin(id).unwrap_or_else(|| panic!("{id} does not load"));
        let mut numbers: Vec<String> = i.items().map(|it| it.number.trim_end_matches(char::is_alphabetic).to_string()).collect();
        numbers.dedup();
        assert_eq!(numbers.len(), questions, "{id}");
        assert_eq!(i.sections.len(), sections, "{id}");
        assert_eq!(i.screening_items().len(), screening, "{id}");
        assert_eq!(i.gate.is_some(), screening > 0, "{id}");
        assert!(!i.verified && i.licence.contains("CC BY-NC-SA 3.0"), "{id}");
    }
}

#[test]
fn the_tiny_instrument_loads() {
    let i = load(TINY).unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(i.items().count(), 3);
    assert_eq!(i.rated_items().len(), 2);
    assert!(i.verified);
    assert_eq!(i.option("q2", "cant_tell").map(|o| o.rating), Some(Rating::Unclear));
}

#[test]
fn invalid_instruments_are_rejected_with_a_message_naming_the_problem() {
    let p = rejected(
        &TINY.replace("[[sections]]\nid = \"B\"", "[[sections]\nid = \"B\""),
        "TOML syntax error at line 36, column 11: invalid table header; expected `.`, `]]`.",
    );
    assert_eq!(p.len(), 1);
    rejected(&TINY.replace("attribution = \"Test authors.\"\n", ""), "is missing `attribution`");
    rejected(&TINY.replace("licence = \"CC0.\"", "licence = \"  \""), "has a blank `licence`");
    rejected(&TINY.replace("licence = \"CC0.\"", "license = \"CC0.\""), "unknown key `license`");
    rejected(
        &TINY.replace("text = \"Sound methods?\"\nanswer_set = \"ycn\"", "text = \"Sound methods?\"\nanswer_set = \"yes_no\""),
        "item `q2`: answer set `yes_no` is not defined",
    );
    rejected(&TINY.replace("id = \"q2\"", "id = \"q1\""), "The item id `q1` is used twice");
    rejected(&TINY.replace("number = 2", "number = 1"), "The item number `1` is used twice");
    rejected(
        &TINY.replace(
            "title = \"Value\"\n\n[[sections.items]]\nid = \"q3\"\nnumber = 3\ntext = \"How valuable?\"\nfree_text = true\n",
            "title = \"Value\"\n",
        ),
        "Section `B` is empty",
    );
    rejected(&TINY.replace("free_text = true", "free_text = true\nscreening = true"), "item `q3` is a screening item but is free text");
    rejected(
        &TINY.replace("rating = \"good\"", "rating = \"green\""),
        "the rating `green`, which is not one of good, concern, bad, unclear, not_applicable",
    );
    rejected(&TINY.replace("{ key = \"no\"", "{ key = \"yes\""), "Answer set `ycn` has the key `yes` twice");
    rejected(
        &TINY.replace("free_text = true", "free_text = true\nanswer_set = \"ycn\""),
        "item `q3` has both an `answer_set` and `free_text = true`",
    );
    rejected(&TINY.replace("free_text = true", ""), "item `q3` has neither an `answer_set` nor `free_text = true`");
    rejected(&TINY.replace("answer = \"yes\"", "answer = \"si\""), "The gate's answer `si` is not a key of answer set `ycn`");
    rejected(&TINY.replace("screening = true", ""), "has a `gate` but no screening items");
    rejected(&TINY.replace("licence = \"CC0.\"", "licence = \"CC0.\"\nverified = false"), "`verified = false` but has no `note`");
    rejected(
        &TINY
            .replace("text = \"Sound methods?\"\nanswer_set = \"ycn\"", "text = \"Sound methods?\"\nanswer_set = \"ycn\"\nscreening = true")
            .replace(
                "id = \"q1\"\nnumber = 1\ntext = \"Clear aims?\"\nanswer_set = \"ycn\"\nscreening = true",
                "id = \"q1\"\nnumber = 1\ntext = \"Clear aims?\"\nanswer_set = \"ycn\"",
            ),
        "screening item `q2` comes after the non-screening item `q1`",
    );
    rejected(&TINY.replace("id = \"B\"", "id = \"A\""), "The section id `A` is used twice");
    rejected(&TINY.replace("id = \"tiny\"", "id = \"Tiny Checklist\""), "may hold only lower-case letters");
    rejected(&format!("{TINY}\n[overall]\nid = \"overall\"\ntext = \"Include?\"\n"), "The overall item needs an `answer_set`");
    rejected(
        "id = \"x\"\nname = \"X\"\nversion = \"1\"\nattribution = \"A\"\nlicence = \"L\"\n[answer_sets]\nyn = [{ key = \"y\", label = \"Y\", rating = \"good\" }]\n",
        "has no `sections`",
    );
    rejected(&TINY.replace("text = \"Clear aims?\"", "text = 7"), "`text` must be a string");

    // Several problems at once are all reported.
    let many = TINY
        .replace("attribution = \"Test authors.\"\n", "")
        .replace("rating = \"bad\"", "rating = \"red\"")
        .replace("id = \"q2\"", "id = \"q1\"");
    let p = rejected(&many, "is missing `attribution`");
    assert_eq!(p.len(), 3, "{p:#?}");
}

#[test]
fn load_never_panics_on_odd_input() {
    for text in [
        "",
        "\u{0}",
        "sections = 3",
        "[[sections]]\nitems = [1, 2]",
        "answer_sets = { a = [1] }",
        "[overall]\nnumber = 1.5",
        "[gate]\nanswer = 3",
    ] {
        assert!(load(text).is_err(), "{text:?}");
    }
}

#[test]
fn casp_gate_lets_later_items_be_blank_only_when_it_fails() {
    let c = casp();
    let full: Vec<Answer> = (1..=9).map(|n| key(&format!("q{n}"), "yes")).chain([text("q10", "Valuable")]).collect();
    assert_eq!(validate_answers(&c, &full), Ok(()));
    assert_eq!(gate_passed(&c, &full), Some(true));

    let stopped = vec![key("q1", "yes"), key("q2", "no")];
    assert_eq!(gate_passed(&c, &stopped), Some(false));
    assert_eq!(validate_answers(&c, &stopped), Ok(()));

    let passed_but_blank = vec![key("q1", "yes"), key("q2", "yes")];
    let problems = validate_answers(&c, &passed_but_blank).err().unwrap_or_default();
    assert_eq!(problems.len(), 8, "{problems:#?}");
    assert!(problems.iter().any(|p| p == "Item 10 (`q10`) has no answer; it needs a free-text judgement."));

    assert_eq!(gate_passed(&c, &[key("q1", "yes")]), None);
    let unanswered_screening = validate_answers(&c, &[key("q2", "no")]).err().unwrap_or_default();
    assert!(unanswered_screening.contains(&"Item 1 (`q1`) has no answer.".to_string()));
}

#[test]
fn answers_are_checked_against_the_items() {
    let c = casp();
    let mut bad: Vec<Answer> = (1..=9).map(|n| key(&format!("q{n}"), "yes")).collect();
    bad[3] = key("q4", "maybe");
    bad[4] = Answer { text: Some("fine".into()), ..key("q5", "yes") };
    bad.push(key("q10", "yes"));
    bad.push(key("q11", "yes"));
    bad.push(key("q1", "no"));
    let p = validate_answers(&c, &bad).err().unwrap_or_default();
    for needle in [
        "Item 4 (`q4`) has the answer `maybe`, which is not one of yes, cant_tell, no.",
        "Item 5 (`q5`) takes a key from answer set `yes_cant_tell_no`; free text is only for free-text items (use the comment).",
        "Item 10 (`q10`) is free text, so it takes text, not the key `yes`.",
        "Answer 11 is for `q11`, which is not an item of this instrument.",
        "Item `q1` is answered twice.",
    ] {
        assert!(p.iter().any(|x| x == needle), "missing {needle:?} in {p:#?}");
    }
    assert_eq!(p.len(), 5, "{p:#?}");
}

fn appraisal(appraiser: i64, keys: &[(&str, &str)]) -> Appraisal {
    Appraisal { appraiser, study: "Smith 2020".into(), answers: keys.iter().map(|(i, k)| key(i, k)).collect() }
}

#[test]
fn disagreements_and_consensus_between_two_appraisals() {
    let c = casp();
    let mut a = appraisal(1, &[("q1", "yes"), ("q2", "yes"), ("q3", "yes"), ("q4", "no"), ("q5", "yes")]);
    let b = appraisal(2, &[("q1", "yes"), ("q2", "yes"), ("q3", "cant_tell"), ("q4", "no"), ("q6", "yes")]);
    a.answers[0].comment = Some("Aims on p. 2.".into());
    a.answers[0].quote = Some("We aimed to explore…".into());
    a.answers[0].page = Some("2".into());
    let mut b = b;
    b.answers[0].comment = Some("Clear.".into());
    b.answers.push(text("q10", "Valuable"));
    a.answers.push(text("q10", "Valuable for practice"));

    let d = disagreements(&c, &a, &b);
    let items: Vec<(&str, Option<&str>, Option<&str>)> =
        d.iter().map(|x| (x.item.as_str(), x.a_key.as_deref(), x.b_key.as_deref())).collect();
    assert_eq!(items, [("q3", Some("yes"), Some("cant_tell")), ("q5", Some("yes"), None), ("q6", None, Some("yes"))]);

    let partial =
        vec![Consensus { item: "q3".into(), key: Some("yes".into()), note: Some("Design justified on p. 4.".into()), decided_by: 9 }];
    let err = resolve(&c, &a, &b, &partial).err().unwrap_or_default();
    assert_eq!(
        err,
        ["Item 5 (`q5`) has no consensus decision for the disagreement.", "Item 6 (`q6`) has no consensus decision for the disagreement."]
    );

    let mut all = partial.clone();
    all.push(Consensus { item: "q5".into(), key: Some("cant_tell".into()), note: None, decided_by: 9 });
    all.push(Consensus { item: "q6".into(), key: Some("no".into()), note: Some("No reflexivity.".into()), decided_by: 9 });
    let merged = resolve(&c, &a, &b, &all).unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(merged.len(), 10);
    assert_eq!(merged[0].key.as_deref(), Some("yes"));
    assert_eq!(merged[0].comment.as_deref(), Some("Aims on p. 2. / Clear."));
    assert_eq!((merged[0].quote.as_deref(), merged[0].page.as_deref()), (Some("We aimed to explore…"), Some("2")));
    assert_eq!((merged[2].key.as_deref(), merged[2].comment.as_deref()), (Some("yes"), Some("Design justified on p. 4.")));
    assert_eq!((merged[4].key.as_deref(), merged[4].comment.as_deref()), (Some("cant_tell"), None));
    assert_eq!(merged[5].key.as_deref(), Some("no"));
    assert_eq!(merged[6].key, None);
    assert_eq!((merged[9].key.as_deref(), merged[9].text.as_deref()), (None, Some("Valuable for practice / Valuable")));

    let wrong = vec![
        Consensus { item: "q99".into(), key: None, note: None, decided_by: 9 },
        Consensus { item: "q3".into(), key: Some("perhaps".into()), note: None, decided_by: 9 },
    ];
    let err = resolve(&c, &a, &b, &wrong).err().unwrap_or_default();
    assert!(err.contains(&"The consensus decision for `q99` names no item of this instrument.".to_string()), "{err:#?}");
    assert!(err.contains(&"The consensus answer `perhaps` for item 3 is not in its answer set.".to_string()), "{err:#?}");

    let table = consensus_table(&c, &[("Smith 2020".into(), merged)]);
    assert_eq!(table.len(), 1);
    let row = &table[0];
    assert_eq!(row.cells.len(), 10);
    let q3 = row.cell("q3").cloned().unwrap_or_else(|| panic!("q3"));
    assert_eq!(
        (q3.key.as_deref(), q3.label.as_str(), q3.rating, q3.comment.as_str()),
        (Some("yes"), "Yes", Some(Rating::Good), "Design justified on p. 4.")
    );
    let q5 = row.cell("q5").map(|c| (c.label.clone(), c.rating));
    assert_eq!(q5, Some(("Can't tell".to_string(), Some(Rating::Unclear))));
    assert_eq!(row.cell("q7").map(|c| (c.label.as_str(), c.rating)), Some(("", None)));
    assert_eq!(row.cell("q10").map(|c| (c.label.as_str(), c.rating)), Some(("Valuable for practice / Valuable", None)));
}

#[test]
fn per_item_agreement_matches_a_hand_computed_example() {
    let c = casp();
    // Item 3 over five studies: (yes, yes), (yes, yes), (no, no), (yes, no), (can't tell, yes).
    // po = 3/5 = 0.6; A's marginals are 0.6, 0.2, 0.2 and B's 0.6, 0, 0.4, so
    // pe = 0.36 + 0 + 0.08 = 0.44 and kappa = (0.6 − 0.44)/(1 − 0.44) = 2/7.
    // Item 1 is "yes" for both everywhere: po = 1 and kappa is undefined.
    // Item 2 is answered by both in only the first two studies.
    let pairs_q3 = [("yes", "yes"), ("yes", "yes"), ("no", "no"), ("yes", "no"), ("cant_tell", "yes")];
    let apps: Vec<(Appraisal, Appraisal)> = pairs_q3
        .iter()
        .enumerate()
        .map(|(n, (x, y))| {
            let q2 = if n < 2 { "no" } else { "" };
            (appraisal(1, &[("q1", "yes"), ("q2", q2), ("q3", x)]), appraisal(2, &[("q1", "yes"), ("q2", "no"), ("q3", y)]))
        })
        .collect();
    let pairs: Vec<(&Appraisal, &Appraisal)> = apps.iter().map(|(a, b)| (a, b)).collect();
    let stats = item_agreement(&c, &pairs);
    assert_eq!(stats.len(), 9);
    let q3 = &stats[2];
    assert_eq!((q3.item.as_str(), q3.number.as_str(), q3.n), ("q3", "3", 5));
    assert!((q3.percent - 0.6).abs() < 1e-12);
    assert!((q3.kappa.unwrap_or(f64::NAN) - 2.0 / 7.0).abs() < 1e-12, "{:?}", q3.kappa);
    assert_eq!((stats[0].n, stats[0].percent, stats[0].kappa), (5, 1.0, None));
    assert_eq!((stats[1].n, stats[1].percent), (2, 1.0));
    assert_eq!((stats[5].n, stats[5].kappa), (0, None));
}
