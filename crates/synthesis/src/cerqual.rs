//! The cerqual module owns GRADE-CERQual assessments, the suggested overall confidence and the SoQF and
//! Evidence Profile tables as CSV and standalone HTML.

/// A judgement level for one CERQual component, in Evidence Profile wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Concern {
    NoOrVeryMinor,
    Minor,
    Moderate,
    Serious,
}

impl Concern {
    /// The Evidence Profile wording, for example "Minor concerns".
    pub fn label(self) -> &'static str {
        match self {
            Concern::NoOrVeryMinor => "No or very minor concerns",
            Concern::Minor => "Minor concerns",
            Concern::Moderate => "Moderate concerns",
            Concern::Serious => "Serious concerns",
        }
    }
}

/// The overall CERQual confidence in a review finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    High,
    Moderate,
    Low,
    VeryLow,
}

impl Confidence {
    /// The table wording, for example "Moderate confidence".
    pub fn label(self) -> &'static str {
        match self {
            Confidence::High => "High confidence",
            Confidence::Moderate => "Moderate confidence",
            Confidence::Low => "Low confidence",
            Confidence::VeryLow => "Very low confidence",
        }
    }

    /// The CERQual definition of the level.
    pub fn definition(self) -> &'static str {
        match self {
            Confidence::High => "It is highly likely that the review finding is a reasonable representation of the phenomenon of interest.",
            Confidence::Moderate => "It is likely that the review finding is a reasonable representation of the phenomenon of interest.",
            Confidence::Low => "It is possible that the review finding is a reasonable representation of the phenomenon of interest.",
            Confidence::VeryLow => {
                "It is not clear whether the review finding is a reasonable representation of the phenomenon of interest."
            }
        }
    }

    fn from_steps_down(steps: usize) -> Confidence {
        match steps {
            0 => Confidence::High,
            1 => Confidence::Moderate,
            2 => Confidence::Low,
            _ => Confidence::VeryLow,
        }
    }
}

/// A component judgement with the reviewer's explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub concern: Concern,
    pub explanation: String,
}

/// A GRADE-CERQual assessment of one review finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// The summary of the review finding.
    pub finding: String,
    pub theme: String,
    /// Labels of the contributing studies, as they should appear in the tables.
    pub studies: Vec<String>,
    pub methodological_limitations: Judgement,
    pub coherence: Judgement,
    pub adequacy: Judgement,
    pub relevance: Judgement,
    /// The reviewers' overall judgement; it is never recomputed here.
    pub overall: Confidence,
    pub explanation: String,
}

impl Assessment {
    /// The four component concerns in CERQual order.
    pub fn concerns(&self) -> [Concern; 4] {
        [self.methodological_limitations.concern, self.coherence.concern, self.adequacy.concern, self.relevance.concern]
    }
}

/// A suggested starting point for the overall confidence; the reviewers' judgement in
/// [`Assessment::overall`] always overrides it.
///
/// The rule implemented: start at high confidence; rate down one level for each component with serious
/// concerns; then rate down one further level when the components without serious concerns include at
/// least two with moderate concerns, or at least three with minor or moderate concerns. The result never
/// goes below very low confidence.
pub fn suggested_confidence(concerns: [Concern; 4]) -> Confidence {
    let serious = concerns.iter().filter(|c| **c == Concern::Serious).count();
    let moderate = concerns.iter().filter(|c| **c == Concern::Moderate).count();
    let minor_or_moderate = concerns.iter().filter(|c| matches!(c, Concern::Minor | Concern::Moderate)).count();
    let combined = usize::from(moderate >= 2 || minor_or_moderate >= 3);
    Confidence::from_steps_down(serious + combined)
}

const SOQF_HEADERS: [&str; 5] = [
    "No.",
    "Summary of review finding",
    "Studies contributing to the review finding",
    "CERQual assessment of confidence in the evidence",
    "Explanation of CERQual assessment",
];

const PROFILE_HEADERS: [&str; 9] = [
    "No.",
    "Summary of review finding",
    "Studies contributing to the review finding",
    "Methodological limitations",
    "Coherence",
    "Adequacy",
    "Relevance",
    "CERQual assessment of confidence in the evidence",
    "Explanation of CERQual assessment",
];

fn judgement_text(judgement: &Judgement) -> String {
    if judgement.explanation.trim().is_empty() {
        judgement.concern.label().to_string()
    } else {
        format!("{}: {}", judgement.concern.label(), judgement.explanation)
    }
}

fn soqf_row(number: usize, a: &Assessment) -> Vec<String> {
    vec![number.to_string(), a.finding.clone(), a.studies.join("; "), a.overall.label().to_string(), a.explanation.clone()]
}

fn profile_row(number: usize, a: &Assessment) -> Vec<String> {
    vec![
        number.to_string(),
        a.finding.clone(),
        a.studies.join("; "),
        judgement_text(&a.methodological_limitations),
        judgement_text(&a.coherence),
        judgement_text(&a.adequacy),
        judgement_text(&a.relevance),
        a.overall.label().to_string(),
        a.explanation.clone(),
    ]
}

fn csv(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut out = String::new();
    let header: Vec<String> = headers.iter().map(|h| crate::csv::field(h, false)).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in rows {
        let fields: Vec<String> = row.iter().map(|f| crate::csv::field(f, false)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn html(title: &str, caption: &str, headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let title = escape_html(title);
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{title}</title>\n"));
    out.push_str(
        "<style>body{font-family:system-ui,sans-serif;margin:1.5rem;color:#111}\
         table{border-collapse:collapse;width:100%}caption{text-align:left;font-weight:600;margin-bottom:.5rem}\
         th,td{border:1px solid #666;padding:.4rem;vertical-align:top;text-align:left}\
         thead th{background:#e8e8e8}</style>\n</head>\n<body>\n",
    );
    out.push_str(&format!("<h1>{title}</h1>\n<table>\n<caption>{}</caption>\n<thead>\n<tr>", escape_html(caption)));
    for header in headers {
        out.push_str(&format!("<th scope=\"col\">{}</th>", escape_html(header)));
    }
    out.push_str("</tr>\n</thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for (index, cell) in row.iter().enumerate() {
            if index == 0 {
                out.push_str(&format!("<th scope=\"row\">{}</th>", escape_html(cell)));
            } else {
                out.push_str(&format!("<td>{}</td>", escape_html(cell)));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    out
}

/// The Summary of Qualitative Findings table as CSV with CRLF line ends; findings are numbered from 1.
pub fn soqf_csv(assessments: &[Assessment]) -> String {
    csv(&SOQF_HEADERS, assessments.iter().enumerate().map(|(i, a)| soqf_row(i + 1, a)).collect())
}

/// The Summary of Qualitative Findings table as a standalone, escaped HTML page.
pub fn soqf_html(assessments: &[Assessment]) -> String {
    html(
        "Summary of Qualitative Findings",
        "Summary of qualitative findings with GRADE-CERQual assessments of confidence",
        &SOQF_HEADERS,
        assessments.iter().enumerate().map(|(i, a)| soqf_row(i + 1, a)).collect(),
    )
}

/// The GRADE-CERQual Evidence Profile as CSV: the SoQF columns plus the four component judgements.
pub fn evidence_profile_csv(assessments: &[Assessment]) -> String {
    csv(&PROFILE_HEADERS, assessments.iter().enumerate().map(|(i, a)| profile_row(i + 1, a)).collect())
}

/// The GRADE-CERQual Evidence Profile as a standalone, escaped HTML page.
pub fn evidence_profile_html(assessments: &[Assessment]) -> String {
    html(
        "GRADE-CERQual Evidence Profile",
        "GRADE-CERQual evidence profile: component judgements and overall confidence for each review finding",
        &PROFILE_HEADERS,
        assessments.iter().enumerate().map(|(i, a)| profile_row(i + 1, a)).collect(),
    )
}
