//! The themes module owns descriptive and analytical themes and the theme-by-study matrix.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::model::{Code, Coding, Extract};

/// A descriptive theme groups codes; it stays close to the primary studies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescriptiveTheme {
    pub id: String,
    pub name: String,
    pub codes: Vec<String>,
}

/// An analytical theme goes beyond the studies and is built from descriptive themes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyticalTheme {
    pub id: String,
    pub name: String,
    pub memo: String,
    pub descriptive: Vec<String>,
}

/// Whether a matrix row is a descriptive or an analytical theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeKind {
    Descriptive,
    Analytical,
}

/// One theme's row: for each study column, the ids of the supporting extracts (empty when unsupported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixRow {
    pub theme: String,
    pub name: String,
    pub kind: ThemeKind,
    /// One entry per column of [`Matrix::studies`], in the same order; extract ids are sorted.
    pub cells: Vec<Vec<String>>,
}

impl MatrixRow {
    /// The ids of the studies (from `studies`) whose cell is not empty.
    pub fn supporting_studies<'a>(&self, studies: &'a [String]) -> Vec<&'a str> {
        studies.iter().zip(&self.cells).filter(|(_, cell)| !cell.is_empty()).map(|(study, _)| study.as_str()).collect()
    }
}

/// A theme-by-study matrix: descriptive themes first, then analytical themes, each in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    /// Study ids in order of first appearance among the extracts.
    pub studies: Vec<String>,
    pub rows: Vec<MatrixRow>,
}

impl Matrix {
    /// The row for a theme id, if present.
    pub fn row(&self, theme: &str) -> Option<&MatrixRow> {
        self.rows.iter().find(|row| row.theme == theme)
    }

    /// The supporting extract ids for a theme and a study; empty when there are none or either is unknown.
    pub fn cell(&self, theme: &str, study: &str) -> &[String] {
        let Some(column) = self.studies.iter().position(|s| s == study) else {
            return &[];
        };
        self.row(theme).and_then(|row| row.cells.get(column)).map_or(&[], Vec::as_slice)
    }
}

/// The given codes plus all their descendants in the code tree.
fn with_descendants<'a>(roots: &'a [String], codes: &'a [Code]) -> HashSet<&'a str> {
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    for code in codes {
        if let Some(parent) = &code.parent {
            children.entry(parent.as_str()).or_default().push(&code.id);
        }
    }
    let mut found: HashSet<&str> = HashSet::new();
    let mut stack: Vec<&str> = roots.iter().map(String::as_str).collect();
    while let Some(id) = stack.pop() {
        if found.insert(id)
            && let Some(kids) = children.get(id)
        {
            stack.extend(kids.iter().copied());
        }
    }
    found
}

/// Builds the theme-by-study matrix.
///
/// An extract supports a descriptive theme when any coding (by any coder) applies one of the theme's codes,
/// or a descendant of one of them, to the extract. An extract supports an analytical theme when it supports
/// any of the analytical theme's descriptive themes. Codings naming unknown extracts are ignored.
pub fn matrix(
    descriptive: &[DescriptiveTheme],
    analytical: &[AnalyticalTheme],
    codes: &[Code],
    codings: &[Coding],
    extracts: &[Extract],
) -> Matrix {
    let mut studies: Vec<String> = Vec::new();
    for extract in extracts {
        if !studies.contains(&extract.study) {
            studies.push(extract.study.clone());
        }
    }
    let study_of: HashMap<&str, &str> = extracts.iter().map(|e| (e.id.as_str(), e.study.as_str())).collect();
    let column = |study: &str| studies.iter().position(|s| s == study);

    let mut descriptive_sets: HashMap<&str, Vec<BTreeSet<String>>> = HashMap::new();
    let mut rows = Vec::new();
    for theme in descriptive {
        let theme_codes = with_descendants(&theme.codes, codes);
        let mut cells: Vec<BTreeSet<String>> = vec![BTreeSet::new(); studies.len()];
        for coding in codings.iter().filter(|c| theme_codes.contains(c.code.as_str())) {
            if let Some(index) = study_of.get(coding.extract.as_str()).and_then(|s| column(s))
                && let Some(cell) = cells.get_mut(index)
            {
                cell.insert(coding.extract.clone());
            }
        }
        descriptive_sets.insert(&theme.id, cells.clone());
        rows.push(MatrixRow {
            theme: theme.id.clone(),
            name: theme.name.clone(),
            kind: ThemeKind::Descriptive,
            cells: cells.into_iter().map(|set| set.into_iter().collect()).collect(),
        });
    }
    for theme in analytical {
        let mut cells: Vec<BTreeSet<String>> = vec![BTreeSet::new(); studies.len()];
        for part in &theme.descriptive {
            if let Some(part_cells) = descriptive_sets.get(part.as_str()) {
                for (cell, part_cell) in cells.iter_mut().zip(part_cells) {
                    cell.extend(part_cell.iter().cloned());
                }
            }
        }
        rows.push(MatrixRow {
            theme: theme.id.clone(),
            name: theme.name.clone(),
            kind: ThemeKind::Analytical,
            cells: cells.into_iter().map(|set| set.into_iter().collect()).collect(),
        });
    }
    Matrix { studies, rows }
}

impl ThemeKind {
    /// The label used in exports: "descriptive" or "analytical".
    pub fn label(self) -> &'static str {
        match self {
            ThemeKind::Descriptive => "descriptive",
            ThemeKind::Analytical => "analytical",
        }
    }
}

/// The matrix as CSV (RFC 4180, CRLF): `Theme,Kind,Studies supporting`, then one column per study holding
/// the number of supporting extracts (blank for none). Names are written as the other tables write text,
/// with a leading formula character defused.
pub fn matrix_csv(matrix: &Matrix) -> String {
    let mut out = String::new();
    let mut push = |cells: Vec<(String, bool)>| {
        let fields: Vec<String> = cells.iter().map(|(value, number)| crate::csv::field(value, *number)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    };
    push(
        ["Theme", "Kind", "Studies supporting"]
            .iter()
            .map(|h| ((*h).to_owned(), false))
            .chain(matrix.studies.iter().map(|s| (s.clone(), false)))
            .collect(),
    );
    for row in &matrix.rows {
        let mut cells = vec![
            (row.name.clone(), false),
            (row.kind.label().to_owned(), false),
            (row.supporting_studies(&matrix.studies).len().to_string(), true),
        ];
        cells.extend(row.cells.iter().map(|c| (if c.is_empty() { String::new() } else { c.len().to_string() }, true)));
        push(cells);
    }
    out
}
