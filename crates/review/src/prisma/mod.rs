//! PRISMA 2020 flow counts: the numbers of a review's flow diagram, their consistency checks, the PRISMA2020 CSV, and the SVG diagram.
//!
//! The names follow the CSV keys of the PRISMA2020 R package (Haddaway et al. 2022), summarised
//! in STANDARDS.md §1.3. Records are what searches return, reports are full texts, and studies
//! may have several reports.

mod csv_file;
mod svg;

pub use csv_file::{from_csv, to_csv};
pub use svg::to_svg;

/// The counts of one PRISMA 2020 flow diagram.
///
/// `dbr_*` fields are the databases-and-registers arm, `other_*` the other-methods arm.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts {
    /// Records identified per database, in order.
    pub databases: Vec<(String, u64)>,
    /// Records identified per register, in order.
    pub registers: Vec<(String, u64)>,
    /// Records from websites; `None` when the source was not used.
    pub websites: Option<u64>,
    /// Records from organisations; `None` when the source was not used.
    pub organisations: Option<u64>,
    /// Records from citation searching; `None` when the source was not used.
    pub citation_searching: Option<u64>,
    pub duplicates: u64,
    pub excluded_automatic: u64,
    pub excluded_other: u64,
    pub records_screened: u64,
    pub records_excluded: u64,
    pub dbr_sought: u64,
    pub dbr_not_retrieved: u64,
    pub dbr_assessed: u64,
    /// Reports excluded at full text, per reason, in order.
    pub dbr_excluded: Vec<(String, u64)>,
    pub other_sought: u64,
    pub other_not_retrieved: u64,
    pub other_assessed: u64,
    pub other_excluded: Vec<(String, u64)>,
    /// Studies newly included in this review.
    pub new_studies: u64,
    /// Reports of the newly included studies.
    pub new_reports: u64,
    /// Reports included through databases and registers; used by [`check`], not drawn.
    pub dbr_reports_included: u64,
    /// Reports included through other methods; used by [`check`], not drawn.
    pub other_reports_included: u64,
    /// Studies included in the previous version of an updated review; `None` for a new review.
    pub previous_studies: Option<u64>,
    /// Reports of the studies included in the previous version; `None` for a new review.
    pub previous_reports: Option<u64>,
}

impl Counts {
    /// Records identified from all databases.
    pub fn database_total(&self) -> u64 {
        sum(&self.databases)
    }

    /// Records identified from all registers.
    pub fn register_total(&self) -> u64 {
        sum(&self.registers)
    }

    /// Records identified from databases and registers together.
    pub fn identified_total(&self) -> u64 {
        self.database_total().saturating_add(self.register_total())
    }

    /// Records removed before screening: duplicates, automation tools and other reasons.
    pub fn removed_total(&self) -> u64 {
        self.duplicates.saturating_add(self.excluded_automatic).saturating_add(self.excluded_other)
    }

    /// Records identified through other methods (websites, organisations, citation searching).
    pub fn other_identified_total(&self) -> u64 {
        [self.websites, self.organisations, self.citation_searching].iter().flatten().fold(0u64, |a, &b| a.saturating_add(b))
    }

    /// Whether the other-methods arm is drawn: at least one of its sources was used.
    pub fn other_arm_used(&self) -> bool {
        self.websites.is_some() || self.organisations.is_some() || self.citation_searching.is_some()
    }

    /// Whether the previous-review arm is drawn: at least one previous count is given.
    pub fn previous_arm_used(&self) -> bool {
        self.previous_studies.is_some() || self.previous_reports.is_some()
    }

    /// Studies in the review: the new ones plus those of the previous version.
    pub fn total_studies(&self) -> u64 {
        self.new_studies.saturating_add(self.previous_studies.unwrap_or(0))
    }

    /// Reports in the review: the new ones plus those of the previous version.
    pub fn total_reports(&self) -> u64 {
        self.new_reports.saturating_add(self.previous_reports.unwrap_or(0))
    }
}

/// The sum of a list of named counts, saturating rather than overflowing.
fn sum(list: &[(String, u64)]) -> u64 {
    list.iter().fold(0u64, |a, (_, n)| a.saturating_add(*n))
}

/// One failed consistency check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The checked count, e.g. `"records_screened"`.
    pub check: &'static str,
    /// What the other counts imply (a lower bound for `"new_reports"`).
    pub expected: i64,
    /// What the counts say.
    pub actual: i64,
    /// A sentence for the person.
    pub message: String,
}

/// The consistency checks of STANDARDS.md §1 (records_screened = identified − removed; sought = screened − excluded; assessed = sought − not retrieved; Σ excluded reasons = assessed − reports included; the same for the other-methods arm; new_reports ≥ new_studies).
///
/// Also: `new_reports` = `dbr_reports_included` + `other_reports_included`. The checks are
/// warnings: PRISMA does not require them, and the R package does not enforce them.
pub fn check(c: &Counts) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let mut equal = |check: &'static str, label: &str, expected: i64, how: String, actual: u64| {
        let actual = int(actual);
        if expected != actual {
            out.push(Mismatch {
                check,
                expected,
                actual,
                message: format!("{label} should be {} ({how}) but is {}.", fmt_i(expected), fmt_i(actual)),
            });
        }
    };
    let identified = int(c.identified_total());
    let removed = int(c.removed_total());
    equal(
        "records_screened",
        "Records screened",
        identified - removed,
        format!("{} identified − {} removed before screening", fmt_i(identified), fmt_i(removed)),
        c.records_screened,
    );
    let screened = int(c.records_screened);
    let excluded = int(c.records_excluded);
    equal(
        "dbr_sought",
        "Reports sought for retrieval (databases and registers)",
        screened - excluded,
        format!("{} screened − {} excluded", fmt_i(screened), fmt_i(excluded)),
        c.dbr_sought,
    );
    arm(
        &mut equal,
        "dbr",
        "databases and registers",
        c.dbr_sought,
        c.dbr_not_retrieved,
        c.dbr_assessed,
        &c.dbr_excluded,
        c.dbr_reports_included,
    );
    arm(
        &mut equal,
        "other",
        "other methods",
        c.other_sought,
        c.other_not_retrieved,
        c.other_assessed,
        &c.other_excluded,
        c.other_reports_included,
    );
    let dbr = int(c.dbr_reports_included);
    let other = int(c.other_reports_included);
    equal(
        "reports_included",
        "Reports of new included studies",
        dbr.saturating_add(other),
        format!("{} through databases and registers + {} through other methods", fmt_i(dbr), fmt_i(other)),
        c.new_reports,
    );
    if c.new_reports < c.new_studies {
        out.push(Mismatch {
            check: "new_reports",
            expected: int(c.new_studies),
            actual: int(c.new_reports),
            message: format!(
                "Reports of new included studies ({}) should be at least the number of new studies ({}): every study has a report.",
                fmt_i(int(c.new_reports)),
                fmt_i(int(c.new_studies))
            ),
        });
    }
    out
}

/// The assessed and excluded checks of one arm.
#[allow(clippy::too_many_arguments)]
fn arm(
    equal: &mut impl FnMut(&'static str, &str, i64, String, u64),
    key: &str,
    name: &str,
    sought: u64,
    not_retrieved: u64,
    assessed: u64,
    excluded: &[(String, u64)],
    included: u64,
) {
    let (assessed_key, excluded_key) = if key == "dbr" { ("dbr_assessed", "dbr_excluded") } else { ("other_assessed", "other_excluded") };
    let (s, nr) = (int(sought), int(not_retrieved));
    equal(
        assessed_key,
        &format!("Reports assessed for eligibility ({name})"),
        s - nr,
        format!("{} sought − {} not retrieved", fmt_i(s), fmt_i(nr)),
        assessed,
    );
    let (a, inc) = (int(assessed), int(included));
    equal(
        excluded_key,
        &format!("The reports excluded with reasons ({name})"),
        a - inc,
        format!("{} assessed − {} included", fmt_i(a), fmt_i(inc)),
        sum(excluded),
    );
}

/// A count as a signed number, saturating at `i64::MAX`.
fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A number with thousands separators, as the R package prints it: `12,345`.
pub(crate) fn fmt_n(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A signed number with thousands separators.
fn fmt_i(n: i64) -> String {
    if n < 0 { format!("−{}", fmt_n(n.unsigned_abs())) } else { fmt_n(n.unsigned_abs()) }
}

#[cfg(test)]
mod tests;
