//! Tests of the agreement statistics against published worked examples.

use super::*;

const TOL: f64 = 1e-3;

#[track_caller]
fn close(actual: f64, expected: f64) {
    assert!((actual - expected).abs() < TOL, "expected {expected}, got {actual}");
}

#[track_caller]
fn estimate(e: Option<Estimate>) -> Estimate {
    match e {
        Some(e) => e,
        None => panic!("the estimate should be defined"),
    }
}

#[track_caller]
fn some(x: Option<f64>) -> f64 {
    match x {
        Some(x) => x,
        None => panic!("the value should be defined"),
    }
}

/// Gwet, *Handbook of Inter-Rater Reliability* (4th ed., 2014), dataset `cont3x3abstractors` of the
/// irrCAC package: 100 pregnancies classified Ectopic / AIU / NIU by two abstractors. The irrCAC
/// README prints Cohen's kappa 0.7964094 (SE 0.05891072), Gwet's AC1 0.8493305 (SE 0.04321747),
/// Brennan–Prediger 0.835 and percent agreement 0.89.
#[test]
fn gwet_handbook_abstractors_3x3() {
    let t = Table::from_rows(&[&[13, 0, 0], &[0, 20, 7], &[0, 4, 56]]);
    let a = agreement(&t);
    assert_eq!(a.n, 100);
    close(a.percent, 0.89);
    let kappa = estimate(a.cohen_kappa);
    close(kappa.value, 0.7964094);
    close(some(kappa.se), 0.05891072);
    // ±1.96·SE, which irrCAC does with a t quantile instead: (0.680, 0.913) there.
    close(some(kappa.ci_low), 0.7964094 - 1.959964 * 0.05891072);
    close(some(kappa.ci_high), 0.7964094 + 1.959964 * 0.05891072);
    let ac1 = estimate(a.gwet_ac1);
    close(ac1.value, 0.8493305);
    close(some(ac1.se), 0.04321747);
    close(some(a.pabak), 0.835);
    assert_eq!(a.prevalence_index, None);
    assert_eq!(a.bias_index, None);
}

/// SAS PROC FREQ `AGREE` output for the 3×3 table [[0,4,1],[0,8,0],[0,1,5]], as reproduced in
/// statsmodels' `test_inter_rater.py`: simple kappa 0.4842, ASE 0.1380, 95% limits 0.2137 and
/// 0.7547. SAS's ASE is the Fleiss, Cohen & Everitt (1969) standard error and its limits are
/// ±1.96·ASE, so this also checks the interval.
#[test]
fn sas_proc_freq_kappa_3x3() {
    let t = Table::from_rows(&[&[0, 4, 1], &[0, 8, 0], &[0, 1, 5]]);
    let kappa = estimate(agreement(&t).cohen_kappa);
    close(kappa.value, 0.4842);
    close(some(kappa.se), 0.1380);
    close(some(kappa.ci_low), 0.2137);
    close(some(kappa.ci_high), 0.7547);
}

/// irrCAC dataset `cont4x4diagnosis` (Gwet 2014): 223 psychiatric patients by clinical and
/// research diagnosis. The irrCAC Python port's tests give AC1 = 0.456 with SE 0.043.
#[test]
fn gwet_handbook_diagnosis_4x4() {
    let t = Table::from_rows(&[&[40, 4, 4, 17], &[6, 25, 2, 13], &[4, 1, 21, 12], &[15, 5, 9, 45]]);
    let a = agreement(&t);
    assert_eq!(a.n, 223);
    let ac1 = estimate(a.gwet_ac1);
    close(ac1.value, 0.456);
    close(some(ac1.se), 0.043);
}

/// The kappa paradox: Feinstein & Cicchetti (1990), "High agreement but low kappa: I", J Clin
/// Epidemiol 43:543. Both 2×2 tables have po = 0.85, yet kappa is 0.70 for the balanced table
/// [[40,9],[6,45]] and 0.32 for the skewed table [[80,10],[5,5]] (values published to two
/// decimals; the exact fractions are 0.3492/0.4992 = 0.6995 and 0.07/0.22 = 0.3182). PABAK is
/// 2·0.85 − 1 = 0.70 for both (Byrt, Bishop & Carlin 1993). AC1 by Gwet's formula stays high on
/// the skewed table: π = 0.875, pe = 2·0.875·0.125 = 0.21875, AC1 = 0.63125/0.78125 = 0.808.
/// The prevalence index (a − d)/n is −0.05 and 0.75, and the bias index (b − c)/n 0.03 and 0.05.
#[test]
fn kappa_paradox_feinstein_cicchetti() {
    let balanced = agreement(&Table::from_rows(&[&[40, 9], &[6, 45]]));
    let skewed = agreement(&Table::from_rows(&[&[80, 10], &[5, 5]]));
    for a in [&balanced, &skewed] {
        close(a.percent, 0.85);
        close(some(a.pabak), 0.70);
    }
    let k_bal = estimate(balanced.cohen_kappa).value;
    let k_skew = estimate(skewed.cohen_kappa).value;
    assert!((k_bal - 0.70).abs() < 0.005, "{k_bal}");
    assert!((k_skew - 0.32).abs() < 0.005, "{k_skew}");
    close(k_bal, 0.3492 / 0.4992);
    close(k_skew, 0.07 / 0.22);
    close(estimate(balanced.gwet_ac1).value, 0.35125 / 0.50125);
    close(estimate(skewed.gwet_ac1).value, 0.808);
    // The paradox itself: the skewed table's kappa is far below its AC1 and PABAK.
    assert!(k_skew < 0.35 && estimate(skewed.gwet_ac1).value > 0.8);
    close(some(balanced.prevalence_index), -0.05);
    close(some(balanced.bias_index), 0.03);
    close(some(skewed.prevalence_index), 0.75);
    close(some(skewed.bias_index), 0.05);
}

#[test]
fn empty_table_is_undefined() {
    let a = agreement(&Table::new(3));
    assert_eq!(a.n, 0);
    assert_eq!(a.percent, 0.0);
    assert_eq!(a.cohen_kappa, None);
    assert_eq!(a.gwet_ac1, None);
    assert_eq!(a.pabak, None);
    assert_eq!(a.prevalence_index, None);
}

#[test]
fn one_shared_category_leaves_kappa_undefined() {
    // Both raters excluded everything: pe = 1, so kappa is 0/0; AC1 and PABAK are 1.
    let a = agreement(&Table::from_pairs(2, &[(1, 1); 10]));
    assert_eq!(a.cohen_kappa, None);
    close(estimate(a.gwet_ac1).value, 1.0);
    close(some(a.pabak), 1.0);
    close(some(a.prevalence_index), -1.0);
}

#[test]
fn perfect_agreement_has_zero_se_and_a_point_interval() {
    let a = agreement(&Table::from_pairs(3, &[(0, 0), (1, 1), (2, 2), (0, 0)]));
    let kappa = estimate(a.cohen_kappa);
    close(kappa.value, 1.0);
    close(some(kappa.se), 0.0);
    close(some(kappa.ci_low), 1.0);
    close(some(kappa.ci_high), 1.0);
}

#[test]
fn intervals_are_clipped_to_minus_one_and_one() {
    // Two items, complete disagreement: kappa = −1 with a wide SE.
    let a = agreement(&Table::from_pairs(2, &[(0, 1), (1, 0)]));
    let kappa = estimate(a.cohen_kappa);
    close(kappa.value, -1.0);
    assert!(some(kappa.ci_low) >= -1.0 && some(kappa.ci_high) <= 1.0);
}

#[test]
fn single_category_has_no_pabak_or_ac1() {
    let a = agreement(&Table::from_pairs(1, &[(0, 0), (0, 0)]));
    assert_eq!(a.n, 2);
    close(a.percent, 1.0);
    assert_eq!(a.pabak, None);
    assert_eq!(a.gwet_ac1, None);
    assert_eq!(a.cohen_kappa, None);
}

#[test]
fn out_of_range_pairs_are_skipped_and_counted() {
    let mut t = Table::new(2);
    t.add(0, 0);
    t.add(2, 0);
    t.add(0, 9);
    t.add(1, 1);
    assert_eq!(t.n(), 2);
    assert_eq!(t.skipped(), 2);
    assert_eq!(t.get(0, 0), 1);
    assert_eq!(t.get(5, 5), 0);
    assert_eq!(Table::new(usize::MAX).k(), MAX_CATEGORIES);
}

#[test]
fn three_category_screening_pairs() {
    // include = 0, exclude = 1, maybe = 2; 10 records.
    let pairs = [(0, 0), (0, 0), (1, 1), (1, 1), (1, 1), (1, 1), (1, 1), (2, 1), (0, 2), (1, 0)];
    let a = agreement(&Table::from_pairs(3, &pairs));
    close(a.percent, 0.7);
    // PABAK for k = 3: (3·0.7 − 1)/2 = 0.55.
    close(some(a.pabak), 0.55);
    // Rows (A) = [3, 6, 1]/10, columns (B) = [3, 6, 1]/10: pe = 0.09 + 0.36 + 0.01 = 0.46.
    close(estimate(a.cohen_kappa).value, (0.7 - 0.46) / 0.54);
}
