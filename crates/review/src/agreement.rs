//! Agreement between two raters on a nominal scale: percent agreement, Cohen's kappa, Gwet's AC1, PABAK, and the prevalence and bias indices.
//!
//! Notation follows STANDARDS.md §6: `n` items, `k` categories, `p_ij` the proportion of items
//! that rater A put in category `i` and rater B in category `j`, `p_i+` and `p_+j` the marginals,
//! and `po = Σ p_ii` the observed agreement.
//!
//! Standard errors are the large-sample ones of Gwet's reference code for two-rater tables
//! (`kappa2.table` and `gwet.ac1.table` in `agree.coeff2.r`, irrCAC package), with no finite
//! population correction. For Cohen's kappa that is the Fleiss, Cohen & Everitt (1969) non-null
//! variance. The 95% confidence intervals are `value ± 1.96·SE`, clipped to `[-1, 1]`; Gwet's
//! code uses a t quantile with `n − 1` degrees of freedom instead, so its intervals are a little
//! wider for small `n`.

/// The normal quantile for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The largest number of categories a [`Table`] holds; larger requests are capped to it.
pub const MAX_CATEGORIES: usize = 256;

/// A `k × k` table of counts: rows are rater A's category, columns rater B's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    k: usize,
    cells: Vec<u64>,
    skipped: u64,
}

impl Table {
    /// An empty table for `k` categories; `k` is capped at [`MAX_CATEGORIES`].
    pub fn new(k: usize) -> Table {
        let k = k.min(MAX_CATEGORIES);
        Table { k, cells: vec![0; k * k], skipped: 0 }
    }

    /// Counts one item that rater A put in category `a` and rater B in category `b`.
    ///
    /// A pair with a category outside `0..k` is not counted; [`Table::skipped`] says how many
    /// were left out that way.
    pub fn add(&mut self, a: usize, b: usize) {
        self.add_count(a, b, 1);
    }

    /// Counts `count` items at once in cell (`a`, `b`); out-of-range cells are skipped like [`Table::add`].
    pub fn add_count(&mut self, a: usize, b: usize, count: u64) {
        if a < self.k && b < self.k {
            let cell = &mut self.cells[a * self.k + b];
            *cell = cell.saturating_add(count);
        } else {
            self.skipped = self.skipped.saturating_add(count);
        }
    }

    /// A table built from (rater A, rater B) category pairs.
    pub fn from_pairs(k: usize, pairs: &[(usize, usize)]) -> Table {
        let mut t = Table::new(k);
        for &(a, b) in pairs {
            t.add(a, b);
        }
        t
    }

    /// A table built from rows of counts; rows or cells beyond `k = rows.len()` are skipped.
    pub fn from_rows(rows: &[&[u64]]) -> Table {
        let k = rows.len();
        let mut t = Table::new(k);
        for (a, row) in rows.iter().enumerate() {
            for (b, &count) in row.iter().enumerate() {
                t.add_count(a, b, count);
            }
        }
        t
    }

    /// The number of categories.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The count in cell (`a`, `b`), zero outside the table.
    pub fn get(&self, a: usize, b: usize) -> u64 {
        if a < self.k && b < self.k { self.cells[a * self.k + b] } else { 0 }
    }

    /// The number of items counted.
    pub fn n(&self) -> u64 {
        self.cells.iter().fold(0u64, |acc, &c| acc.saturating_add(c))
    }

    /// The number of pairs left out because a category was outside `0..k`.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }
}

/// A coefficient with its standard error and 95% confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub se: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

impl Estimate {
    fn with_variance(value: f64, variance: f64) -> Estimate {
        if !variance.is_finite() {
            return Estimate { value, se: None, ci_low: None, ci_high: None };
        }
        let se = variance.max(0.0).sqrt();
        Estimate {
            value,
            se: Some(se),
            ci_low: Some((value - Z95 * se).clamp(-1.0, 1.0)),
            ci_high: Some((value + Z95 * se).clamp(-1.0, 1.0)),
        }
    }
}

/// Everything [`agreement`] reports about one table.
#[derive(Clone, Debug, PartialEq)]
pub struct Agreement {
    /// The number of items rated by both raters.
    pub n: u64,
    /// The observed proportion of agreement `po`, between 0 and 1 (0 when `n = 0`).
    pub percent: f64,
    /// Cohen's kappa; `None` when `n = 0` or the chance agreement `pe` is 1.
    pub cohen_kappa: Option<Estimate>,
    /// The prevalence-adjusted bias-adjusted kappa `(k·po − 1)/(k − 1)`; `None` when `n = 0` or `k < 2`.
    pub pabak: Option<f64>,
    /// Gwet's AC1; `None` when `n = 0` or `k < 2`.
    pub gwet_ac1: Option<Estimate>,
    /// `(a − d)/n` for a 2×2 table `[[a, b], [c, d]]`; `None` for other sizes or `n = 0`.
    pub prevalence_index: Option<f64>,
    /// `(b − c)/n` for a 2×2 table `[[a, b], [c, d]]`; `None` for other sizes or `n = 0`.
    pub bias_index: Option<f64>,
}

/// Computes the agreement statistics of a two-rater table.
///
/// - Cohen's kappa is `(po − pe)/(1 − pe)` with `pe = Σ p_i+ · p_+i` (Cohen 1960). Its standard
///   error is the Fleiss, Cohen & Everitt (1969) large-sample one, as written in Gwet's
///   `kappa2.table`: `Var = [Σ_ij p_ij (w_ij − (1 − κ)(p_+i + p_j+))² − (po − 2(1 − κ)pe)²] / (n(1 − pe)²)`
///   with `w` the identity matrix.
/// - Gwet's AC1 is `(po − pe)/(1 − pe)` with `pe = Σ π_i(1 − π_i)/(k − 1)` and
///   `π_i = (p_i+ + p_+i)/2` (Gwet 2008). Its variance is Gwet's (2008) estimator, as written in
///   `gwet.ac1.table`: `Var = [Σ_ij p_ij (w_ij − 2(1 − AC1)(1 − (π_i + π_j)/2)/(k − 1))² − (po − 2(1 − AC1)pe)²] / (n(1 − pe)²)`.
/// - PABAK is `(k·po − 1)/(k − 1)` (Byrt, Bishop & Carlin 1993), the Brennan–Prediger coefficient.
pub fn agreement(t: &Table) -> Agreement {
    let n = t.n();
    let k = t.k();
    let empty = Agreement { n, percent: 0.0, cohen_kappa: None, pabak: None, gwet_ac1: None, prevalence_index: None, bias_index: None };
    if n == 0 || k == 0 {
        return empty;
    }
    let nf = n as f64;
    let p = |i: usize, j: usize| t.get(i, j) as f64 / nf;
    let row: Vec<f64> = (0..k).map(|i| (0..k).map(|j| p(i, j)).sum()).collect();
    let col: Vec<f64> = (0..k).map(|j| (0..k).map(|i| p(i, j)).sum()).collect();
    let po: f64 = (0..k).map(|i| p(i, i)).sum();

    let cohen_kappa = cohen(t, &row, &col, po, nf);
    let (pabak, gwet_ac1) = if k >= 2 {
        let kf = k as f64;
        (Some((kf * po - 1.0) / (kf - 1.0)), Some(gwet(t, &row, &col, po, nf)))
    } else {
        (None, None)
    };
    let (prevalence_index, bias_index) = if k == 2 {
        let (a, b, c, d) = (p(0, 0), p(0, 1), p(1, 0), p(1, 1));
        (Some(a - d), Some(b - c))
    } else {
        (None, None)
    };
    Agreement { n, percent: po, cohen_kappa, pabak, gwet_ac1, prevalence_index, bias_index }
}

/// Cohen's kappa with the Fleiss, Cohen & Everitt (1969) standard error.
fn cohen(t: &Table, row: &[f64], col: &[f64], po: f64, nf: f64) -> Option<Estimate> {
    let k = t.k();
    let pe: f64 = (0..k).map(|i| row[i] * col[i]).sum();
    if 1.0 - pe < 1e-12 {
        return None;
    }
    let kappa = (po - pe) / (1.0 - pe);
    let mut sum = 0.0;
    for (i, &col_i) in col.iter().enumerate() {
        for (j, &row_j) in row.iter().enumerate() {
            let pij = t.get(i, j) as f64 / nf;
            let w = if i == j { 1.0 } else { 0.0 };
            let term = w - (1.0 - kappa) * (col_i + row_j);
            sum += pij * term * term;
        }
    }
    let last = po - 2.0 * (1.0 - kappa) * pe;
    let variance = (sum - last * last) / (nf * (1.0 - pe) * (1.0 - pe));
    Some(Estimate::with_variance(kappa, variance))
}

/// Gwet's AC1 with its Gwet (2008) variance; needs `k ≥ 2`.
fn gwet(t: &Table, row: &[f64], col: &[f64], po: f64, nf: f64) -> Estimate {
    let k = t.k();
    let km1 = (k as f64) - 1.0;
    let pi: Vec<f64> = (0..k).map(|i| (row[i] + col[i]) / 2.0).collect();
    let pe: f64 = pi.iter().map(|&x| x * (1.0 - x)).sum::<f64>() / km1;
    // pe is at most 1/k, so 1 − pe is at least 1/2 here.
    let ac1 = (po - pe) / (1.0 - pe);
    let mut sum = 0.0;
    for (i, &pi_i) in pi.iter().enumerate() {
        for (j, &pi_j) in pi.iter().enumerate() {
            let pij = t.get(i, j) as f64 / nf;
            let w = if i == j { 1.0 } else { 0.0 };
            let term = w - 2.0 * (1.0 - ac1) * (1.0 - (pi_i + pi_j) / 2.0) / km1;
            sum += pij * term * term;
        }
    }
    let last = po - 2.0 * (1.0 - ac1) * pe;
    let variance = (sum - last * last) / (nf * (1.0 - pe) * (1.0 - pe));
    Estimate::with_variance(ac1, variance)
}

#[cfg(test)]
mod tests;
