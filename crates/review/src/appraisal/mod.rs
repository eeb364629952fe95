//! Quality appraisal of included studies: instruments as validated data, appraisals, reconciliation, and the appraisal table as CSV, HTML and a traffic-light SVG.
//!
//! An *instrument* (a checklist such as CASP Qualitative or JBI Qualitative) is data, not code.
//! It is written as a TOML file, checked by [`load`], and shipped built in ([`builtins`]) or
//! imported by a review lead. The module is pure: it reads nothing but the built-in files it
//! embeds with `include_str!`, and keeps no clock.
//!
//! # The instrument file format
//!
//! A UTF-8 TOML document. Keys not listed here are rejected, so a misspelt key is reported
//! rather than ignored.
//!
//! ```toml
//! id = "casp-qualitative"            # Required: lower-case letters, digits and hyphens.
//! name = "CASP Qualitative Studies Checklist"   # Required.
//! version = "2018"                   # Required: the edition of the checklist.
//! attribution = "Critical Appraisal Skills Programme (CASP) ..."   # Required, not blank.
//! licence = "©CASP ... CC BY-NC-SA 3.0 ..."                         # Required, not blank.
//! verified = true                    # Optional, default true; see below.
//! note = "..."                       # Optional; required when verified = false.
//! description = "..."                # Optional: instructions for appraisers.
//!
//! [answer_sets]                      # Required: at least one named answer set.
//! yes_cant_tell_no = [
//!   { key = "yes", label = "Yes", rating = "good" },
//!   { key = "cant_tell", label = "Can't tell", rating = "unclear" },
//!   { key = "no", label = "No", rating = "bad" },
//! ]
//!
//! [[sections]]                       # Required: at least one section, in order.
//! id = "A"                           # Required, unique.
//! title = "Are the results valid?"   # Required.
//! description = "..."                # Optional.
//!
//! [[sections.items]]                 # Required: at least one item per section, in order.
//! id = "q1"                          # Required, unique across the instrument.
//! number = "1"                       # Required (string or integer), unique: the column header.
//! text = "Was there a clear statement of the aims of the research?"   # Required.
//! hints = ["What was the goal of the research?"]                      # Optional.
//! answer_set = "yes_cant_tell_no"    # The answers allowed, or instead:
//! # free_text = true                 # a free-text judgement (no answer set).
//! screening = true                   # Optional, default false: a gating item.
//!
//! [gate]                             # Optional: needs at least one screening item.
//! question = "Is it worth continuing?"   # Required.
//! answer = "yes"                     # Required: continue only if every screening item has this key.
//!
//! [overall]                          # Optional: an overall judgement after the items.
//! id = "overall"
//! number = "Overall"                 # Optional, default "Overall".
//! text = "Overall appraisal"
//! answer_set = "include_exclude"     # Required: the overall item cannot be free text.
//! ```
//!
//! Rules checked on load, each reported as a sentence naming the problem and its place:
//!
//! - Answer keys are unique within a set, labels are not blank, and `rating` is one of `good`,
//!   `concern`, `bad`, `unclear` or `not_applicable` (the colour of the traffic light).
//! - Each item has exactly one of `answer_set` (naming a defined set) and `free_text = true`.
//! - A screening item is not free text, and screening items come before all other items.
//! - A gate's answer is a key of every screening item's answer set.
//! - `verified = false` says that some wording is a paraphrase; `note` then says which.
//!
//! # Appraisals
//!
//! Each appraiser records an [`Answer`] per item: a key from the item's answer set (or free text
//! for a free-text item), with an optional comment and supporting quote and page. When the
//! instrument has a gate and a screening item is answered with anything but the gate's key, the
//! later items may be left blank. Two independent appraisals of a study are compared with
//! [`disagreements`]; the lead records a [`Consensus`] for each, and [`resolve`] merges the two
//! appraisals and the consensus decisions into the study's final answers. Who may see whose
//! appraisal (blind until both are submitted) is decided by the service, not here.

mod answers;
mod builtin;
mod export;
mod load;
mod svg;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_export;

pub use answers::{
    Answer, Appraisal, Consensus, Disagreement, ItemAgreement, disagreements, gate_passed, item_agreement, resolve, validate_answers,
};
pub use builtin::{BUILTIN_IDS, builtin, builtin_source, builtins, builtins_except};
pub use export::{Cell, TableRow, consensus_table, table_csv, table_html};
pub use load::load;
pub use svg::traffic_light_svg;

use serde::{Deserialize, Serialize};

/// The traffic-light rating of an answer, which sets its colour and symbol in the summary plot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Good,
    Concern,
    Bad,
    Unclear,
    NotApplicable,
}

impl Rating {
    /// Every rating, in legend order.
    pub const ALL: [Rating; 5] = [Rating::Good, Rating::Concern, Rating::Bad, Rating::Unclear, Rating::NotApplicable];

    /// The rating named in an instrument file, if the name is one of the five.
    pub fn parse(name: &str) -> Option<Rating> {
        match name {
            "good" => Some(Rating::Good),
            "concern" => Some(Rating::Concern),
            "bad" => Some(Rating::Bad),
            "unclear" => Some(Rating::Unclear),
            "not_applicable" => Some(Rating::NotApplicable),
            _ => None,
        }
    }

    /// The name used in instrument files.
    pub fn name(self) -> &'static str {
        match self {
            Rating::Good => "good",
            Rating::Concern => "concern",
            Rating::Bad => "bad",
            Rating::Unclear => "unclear",
            Rating::NotApplicable => "not_applicable",
        }
    }

    /// The symbol drawn inside the traffic light, so the plot does not rely on colour alone.
    pub fn symbol(self) -> &'static str {
        match self {
            Rating::Good => "+",
            Rating::Concern => "!",
            Rating::Bad => "\u{2212}",
            Rating::Unclear => "?",
            Rating::NotApplicable => "NA",
        }
    }
}

/// One allowed answer: its stored key, the label shown to people, and its rating.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerOption {
    pub key: String,
    pub label: String,
    pub rating: Rating,
}

/// A named list of allowed answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerSet {
    pub name: String,
    pub answers: Vec<AnswerOption>,
}

/// One question of an instrument.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    /// The number shown to people and used as the column header, such as "1" or "6a".
    pub number: String,
    pub text: String,
    pub hints: Vec<String>,
    /// The name of the item's answer set; `None` for a free-text item.
    pub answer_set: Option<String>,
    /// Whether the item is a screening question that gates the rest.
    pub screening: bool,
}

impl Item {
    /// Whether the item takes a free-text judgement instead of a key.
    pub fn is_free_text(&self) -> bool {
        self.answer_set.is_none()
    }
}

/// A titled group of items, such as CASP's section A "Are the results valid?".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub items: Vec<Item>,
}

/// The rule after the screening items: continue only if every one is answered `answer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gate {
    pub question: String,
    pub answer: String,
}

/// A validated appraisal instrument; build one with [`load`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instrument {
    pub id: String,
    pub name: String,
    pub version: String,
    pub attribution: String,
    pub licence: String,
    /// False when some wording is a paraphrase rather than checked against the source.
    pub verified: bool,
    pub note: Option<String>,
    pub description: Option<String>,
    pub answer_sets: Vec<AnswerSet>,
    pub sections: Vec<Section>,
    pub gate: Option<Gate>,
    pub overall: Option<Item>,
}

impl Instrument {
    /// The items of every section, in order, without the overall item.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }

    /// The items of every section followed by the overall item: the columns of the appraisal table.
    pub fn table_items(&self) -> Vec<&Item> {
        self.items().chain(self.overall.iter()).collect()
    }

    /// The table items that take a key, which are the columns of the traffic-light plot.
    pub fn rated_items(&self) -> Vec<&Item> {
        self.table_items().into_iter().filter(|i| !i.is_free_text()).collect()
    }

    /// The item (or the overall item) with this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().chain(self.overall.iter()).find(|i| i.id == id)
    }

    /// The id of the section holding the item, `None` for the overall item or an unknown id.
    pub fn section_of(&self, item_id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.items.iter().any(|i| i.id == item_id))
    }

    /// The answer set with this name.
    pub fn answer_set(&self, name: &str) -> Option<&AnswerSet> {
        self.answer_sets.iter().find(|s| s.name == name)
    }

    /// The allowed answer with key `key` of the item with id `item_id`.
    pub fn option(&self, item_id: &str, key: &str) -> Option<&AnswerOption> {
        let set = self.item(item_id)?.answer_set.as_deref()?;
        self.answer_set(set)?.answers.iter().find(|a| a.key == key)
    }

    /// The screening items, in order.
    pub fn screening_items(&self) -> Vec<&Item> {
        self.items().filter(|i| i.screening).collect()
    }
}
