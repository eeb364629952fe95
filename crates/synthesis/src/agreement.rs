//! The agreement module owns code-by-code agreement between two coders at the extract level.

use std::collections::HashSet;

use crate::model::{Code, Coding, Extract};

/// Agreement for one code between two coders over the same extracts.
///
/// The unit is the extract: for each extract, "did coder A apply the code anywhere in it" is compared with
/// the same question for coder B. Span boundaries are not compared.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeAgreement {
    pub code: String,
    /// Both coders applied the code.
    pub both: usize,
    /// Only coder A applied the code.
    pub only_a: usize,
    /// Only coder B applied the code.
    pub only_b: usize,
    /// Neither coder applied the code.
    pub neither: usize,
    /// Observed proportion of agreement, or `None` when there are no extracts.
    pub percent_agreement: Option<f64>,
    /// Cohen's kappa, or `None` when it is undefined (no extracts, or chance agreement equal to 1).
    pub kappa: Option<f64>,
}

/// Cohen's kappa for a 2×2 table: κ = (po − pe)/(1 − pe), with pe = Σ_k p_k+ · p_+k.
pub fn cohen_kappa_2x2(both: usize, only_a: usize, only_b: usize, neither: usize) -> Option<f64> {
    let n = (both + only_a + only_b + neither) as f64;
    if n == 0.0 {
        return None;
    }
    let po = (both + neither) as f64 / n;
    let a_yes = (both + only_a) as f64 / n;
    let b_yes = (both + only_b) as f64 / n;
    let pe = a_yes * b_yes + (1.0 - a_yes) * (1.0 - b_yes);
    if (1.0 - pe).abs() < f64::EPSILON {
        return None;
    }
    Some((po - pe) / (1.0 - pe))
}

/// Extract-level agreement per code between the codings of `coder_a` and `coder_b` over `extracts`.
///
/// Codings by other coders, or on extracts not listed, are ignored. One result is returned per code, in
/// the order of `codes`, including codes that neither coder used (those have κ = `None`).
pub fn agreement(codes: &[Code], extracts: &[Extract], codings: &[Coding], coder_a: &str, coder_b: &str) -> Vec<CodeAgreement> {
    let applied = |coder: &str| -> HashSet<(&str, &str)> {
        codings.iter().filter(|c| c.coder == coder).map(|c| (c.extract.as_str(), c.code.as_str())).collect()
    };
    let by_a = applied(coder_a);
    let by_b = applied(coder_b);
    codes
        .iter()
        .map(|code| {
            let (mut both, mut only_a, mut only_b, mut neither) = (0, 0, 0, 0);
            for extract in extracts {
                let key = (extract.id.as_str(), code.id.as_str());
                match (by_a.contains(&key), by_b.contains(&key)) {
                    (true, true) => both += 1,
                    (true, false) => only_a += 1,
                    (false, true) => only_b += 1,
                    (false, false) => neither += 1,
                }
            }
            let total = both + only_a + only_b + neither;
            CodeAgreement {
                code: code.id.clone(),
                both,
                only_a,
                only_b,
                neither,
                percent_agreement: (total > 0).then(|| (both + neither) as f64 / total as f64),
                kappa: cohen_kappa_2x2(both, only_a, only_b, neither),
            }
        })
        .collect()
}
