//! The built-in instruments: the TOML files under `crates/review/instruments/`, embedded at compile time.

use super::{Instrument, load};

/// The ids of the built-in instruments, in the order [`builtins`] returns them.
pub const BUILTIN_IDS: [&str; 9] = [
    "casp-qualitative",
    "jbi-qualitative",
    "casp-rct",
    "casp-cohort",
    "casp-case-control",
    "casp-systematic-review",
    "casp-diagnostic",
    "casp-economic-evaluation",
    "casp-clinical-prediction-rule",
];

/// The embedded file of each built-in instrument, by id.
const FILES: [(&str, &str); 9] = [
    ("casp-qualitative", include_str!("../../instruments/casp-qualitative.toml")),
    ("jbi-qualitative", include_str!("../../instruments/jbi-qualitative.toml")),
    ("casp-rct", include_str!("../../instruments/casp-rct.toml")),
    ("casp-cohort", include_str!("../../instruments/casp-cohort.toml")),
    ("casp-case-control", include_str!("../../instruments/casp-case-control.toml")),
    ("casp-systematic-review", include_str!("../../instruments/casp-systematic-review.toml")),
    ("casp-diagnostic", include_str!("../../instruments/casp-diagnostic.toml")),
    ("casp-economic-evaluation", include_str!("../../instruments/casp-economic-evaluation.toml")),
    ("casp-clinical-prediction-rule", include_str!("../../instruments/casp-clinical-prediction-rule.toml")),
];

/// The text of a built-in instrument file, for showing or exporting it as an example.
pub fn builtin_source(id: &str) -> Option<&'static str> {
    FILES.iter().find(|(i, _)| *i == id).map(|(_, text)| *text)
}

/// Every built-in instrument that loads; a test checks that all of them do.
pub fn builtins() -> Vec<Instrument> {
    builtins_except(&[])
}

/// The built-in instruments other than those whose ids a deployment switched off.
pub fn builtins_except(disabled: &[&str]) -> Vec<Instrument> {
    FILES.iter().filter(|(id, _)| !disabled.contains(id)).filter_map(|(_, text)| load(text).ok()).collect()
}

/// The built-in instrument with this id.
pub fn builtin(id: &str) -> Option<Instrument> {
    builtin_source(id).and_then(|text| load(text).ok())
}
