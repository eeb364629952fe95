//! Appraisals of one study by one appraiser: checking answers against the instrument, the gate, disagreements between two appraisers, the lead's consensus, and per-item agreement.

use serde::{Deserialize, Serialize};

use super::{Instrument, Item};
use crate::agreement::{self, Agreement, Table};

/// One appraiser's answer to one item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The item's id.
    pub item: String,
    /// A key of the item's answer set; `None` for a free-text item or an item left blank.
    pub key: Option<String>,
    /// The judgement of a free-text item.
    pub text: Option<String>,
    pub comment: Option<String>,
    /// A supporting quote from the study report.
    pub quote: Option<String>,
    /// The page (or other locator) of the quote.
    pub page: Option<String>,
}

/// One appraiser's appraisal of one study.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appraisal {
    pub appraiser: i64,
    pub study: String,
    pub answers: Vec<Answer>,
}

impl Appraisal {
    /// The answer to the item with this id.
    pub fn answer(&self, item: &str) -> Option<&Answer> {
        self.answers.iter().find(|a| a.item == item)
    }

    /// The key given for the item with this id.
    pub fn key(&self, item: &str) -> Option<&str> {
        self.answer(item).and_then(|a| blank_none(a.key.as_deref()))
    }
}

/// An item on which two appraisers gave different keys (or one gave none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disagreement {
    pub item: String,
    pub a_key: Option<String>,
    pub b_key: Option<String>,
}

/// The lead's decision on a disagreement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consensus {
    pub item: String,
    pub key: Option<String>,
    pub note: Option<String>,
    /// The user id of the lead who decided.
    pub decided_by: i64,
}

/// Agreement between two appraisers on one item across studies.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemAgreement {
    pub item: String,
    pub number: String,
    /// The number of studies both appraisers answered with a key.
    pub n: u64,
    /// The proportion of those studies with the same key, between 0 and 1.
    pub percent: f64,
    /// Cohen's kappa; `None` when `n = 0` or chance agreement is 1.
    pub kappa: Option<f64>,
    /// Every statistic of [`crate::agreement::agreement`] on the item's table.
    pub stats: Agreement,
}

fn blank_none(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// Whether the screening items let the appraiser go on.
///
/// `None` when the instrument has no gate or a screening item is still unanswered; otherwise
/// `Some(true)` when every screening item has the gate's key.
pub fn gate_passed(instr: &Instrument, answers: &[Answer]) -> Option<bool> {
    let gate = instr.gate.as_ref()?;
    let mut passed = true;
    for item in instr.screening_items() {
        let key = answers.iter().find(|a| a.item == item.id).and_then(|a| blank_none(a.key.as_deref()))?;
        passed &= key == gate.answer;
    }
    Some(passed)
}

/// Checks a submitted appraisal's answers against the instrument.
///
/// Every item needs an answer: a key of its answer set, or text for a free-text item. When the
/// gate failed (a screening item answered with anything but the gate's key) the items after the
/// screening items may be left blank; answers given there are still checked. Returns every
/// problem as a sentence naming the item.
pub fn validate_answers(instr: &Instrument, answers: &[Answer]) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    for (n, a) in answers.iter().enumerate() {
        if instr.item(&a.item).is_none() {
            problems.push(format!("Answer {} is for `{}`, which is not an item of this instrument.", n + 1, a.item));
        } else if answers[..n].iter().any(|b| b.item == a.item) {
            problems.push(format!("Item `{}` is answered twice.", a.item));
        }
    }
    let gate_failed = gate_passed(instr, answers) == Some(false);
    for item in instr.table_items() {
        let answer = answers.iter().find(|a| a.item == item.id);
        let key = answer.and_then(|a| blank_none(a.key.as_deref()));
        let text = answer.and_then(|a| blank_none(a.text.as_deref()));
        let may_skip = gate_failed && !item.screening;
        let name = format!("Item {} (`{}`)", item.number, item.id);
        match &item.answer_set {
            None => {
                if key.is_some() {
                    problems.push(format!("{name} is free text, so it takes text, not the key `{}`.", key.unwrap_or_default()));
                } else if text.is_none() && !may_skip {
                    problems.push(format!("{name} has no answer; it needs a free-text judgement."));
                }
            }
            Some(set) => {
                if text.is_some() {
                    problems.push(format!(
                        "{name} takes a key from answer set `{set}`; free text is only for free-text items (use the comment)."
                    ));
                }
                match key {
                    Some(k) if instr.option(&item.id, k).is_none() => {
                        let keys: Vec<&str> =
                            instr.answer_set(set).map(|s| s.answers.iter().map(|o| o.key.as_str()).collect()).unwrap_or_default();
                        problems.push(format!("{name} has the answer `{k}`, which is not one of {}.", keys.join(", ")));
                    }
                    Some(_) => {}
                    None if may_skip => {}
                    None => problems.push(format!("{name} has no answer.")),
                }
            }
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// The items that take a key on which two appraisals of the same study differ, in instrument order.
///
/// An item answered by one appraiser and left blank by the other is a disagreement; an item
/// both left blank is not. Free-text items are not compared.
pub fn disagreements(instr: &Instrument, a: &Appraisal, b: &Appraisal) -> Vec<Disagreement> {
    instr
        .rated_items()
        .into_iter()
        .filter_map(|item| {
            let (ka, kb) = (a.key(&item.id), b.key(&item.id));
            (ka != kb).then(|| Disagreement { item: item.id.clone(), a_key: ka.map(str::to_string), b_key: kb.map(str::to_string) })
        })
        .collect()
}

/// Joins the distinct non-blank texts of two answers with " / ".
fn merge(x: Option<&str>, y: Option<&str>) -> Option<String> {
    match (blank_none(x), blank_none(y)) {
        (Some(x), Some(y)) if x == y => Some(x.to_string()),
        (Some(x), Some(y)) => Some(format!("{x} / {y}")),
        (Some(x), None) | (None, Some(x)) => Some(x.to_string()),
        (None, None) => None,
    }
}

/// The study's final answers from two appraisals and the lead's decisions.
///
/// An item both appraisers agree on keeps the shared key, with their comments joined by " / ".
/// An item they disagree on takes the consensus key, with the consensus note as its comment;
/// a disagreement without a consensus decision is an error naming the item. A free-text item
/// joins the two texts the same way. The quote and page are the first appraiser's, or else the
/// second's. A consensus given for an item they agree on overrides it.
pub fn resolve(instr: &Instrument, a: &Appraisal, b: &Appraisal, consensus: &[Consensus]) -> Result<Vec<Answer>, Vec<String>> {
    let open = disagreements(instr, a, b);
    let mut problems = Vec::new();
    for c in consensus {
        match instr.item(&c.item) {
            None => problems.push(format!("The consensus decision for `{}` names no item of this instrument.", c.item)),
            Some(item) => {
                if let Some(k) = blank_none(c.key.as_deref())
                    && instr.option(&item.id, k).is_none()
                {
                    problems.push(format!("The consensus answer `{k}` for item {} is not in its answer set.", item.number));
                }
            }
        }
    }
    let mut out = Vec::new();
    for item in instr.table_items() {
        let (x, y) = (a.answer(&item.id), b.answer(&item.id));
        let decided = consensus.iter().find(|c| c.item == item.id);
        let mut answer = Answer {
            item: item.id.clone(),
            quote: merge_first(x.and_then(|x| x.quote.as_deref()), y.and_then(|y| y.quote.as_deref())),
            page: merge_first(x.and_then(|x| x.page.as_deref()), y.and_then(|y| y.page.as_deref())),
            ..Answer::default()
        };
        if let Some(c) = decided {
            answer.key = blank_none(c.key.as_deref()).map(str::to_string);
            answer.comment = blank_none(c.note.as_deref()).map(str::to_string);
        } else if open.iter().any(|d| d.item == item.id) {
            problems.push(format!("Item {} (`{}`) has no consensus decision for the disagreement.", item.number, item.id));
        } else {
            answer.key = a.key(&item.id).map(str::to_string);
            answer.comment = merge(x.and_then(|x| x.comment.as_deref()), y.and_then(|y| y.comment.as_deref()));
        }
        if item.is_free_text() {
            answer.key = None;
            answer.text = merge(x.and_then(|x| x.text.as_deref()), y.and_then(|y| y.text.as_deref()));
        }
        out.push(answer);
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

fn merge_first(x: Option<&str>, y: Option<&str>) -> Option<String> {
    blank_none(x).or(blank_none(y)).map(str::to_string)
}

/// Agreement between two appraisers on each item that takes a key, across studies.
///
/// `pairs` holds, per study, the first and second appraiser's appraisal. A study counts for an
/// item when both gave a key of its answer set; the categories are the answer set's keys.
pub fn item_agreement(instr: &Instrument, pairs: &[(&Appraisal, &Appraisal)]) -> Vec<ItemAgreement> {
    instr.rated_items().into_iter().map(|item| one_item(instr, item, pairs)).collect()
}

fn one_item(instr: &Instrument, item: &Item, pairs: &[(&Appraisal, &Appraisal)]) -> ItemAgreement {
    let keys: Vec<&str> = item
        .answer_set
        .as_deref()
        .and_then(|s| instr.answer_set(s))
        .map(|s| s.answers.iter().map(|o| o.key.as_str()).collect())
        .unwrap_or_default();
    let index = |k: Option<&str>| k.and_then(|k| keys.iter().position(|x| *x == k));
    let mut table = Table::new(keys.len());
    for (a, b) in pairs {
        if let (Some(i), Some(j)) = (index(a.key(&item.id)), index(b.key(&item.id))) {
            table.add(i, j);
        }
    }
    let stats = agreement::agreement(&table);
    ItemAgreement {
        item: item.id.clone(),
        number: item.number.clone(),
        n: stats.n,
        percent: stats.percent,
        kappa: stats.cohen_kappa.map(|e| e.value),
        stats,
    }
}
