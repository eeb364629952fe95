//! Evidence for a decided pair: the ranking score and a human-readable note per field.

use crate::FieldEvidence;
use crate::compare::Signals;
use crate::journal::JournalMatch;
use crate::record::Norm;
use crate::similarity::{Agree, YearAgree};

/// A ranking score in 0..=1: the weighted mean of the similarities of fields known on both sides.
pub fn score(s: &Signals) -> f64 {
    let mut num = 4.0 * s.title;
    let mut den = 4.0;
    let mut add = |w: f64, v: Option<f64>| {
        if let Some(v) = v {
            num += w * v;
            den += w;
        }
    };
    let agree = |a: Agree| match a {
        Agree::Same => Some(1.0),
        Agree::Differ => Some(0.0),
        Agree::Unknown => None,
    };
    add(3.0, agree(s.doi));
    add(3.0, agree(s.pmid));
    add(2.0, s.authors.map(|(o, f)| if f { 0.5 + 0.5 * o } else { 0.5 * o }));
    add(
        1.0,
        match s.year {
            YearAgree::Same => Some(1.0),
            YearAgree::Adjacent => Some(0.5),
            YearAgree::Far => Some(0.0),
            YearAgree::Unknown => None,
        },
    );
    add(
        1.0,
        match s.journal {
            JournalMatch::Same => Some(1.0),
            JournalMatch::Abbreviation => Some(0.9),
            JournalMatch::Different => Some(0.0),
            JournalMatch::Unknown => None,
        },
    );
    add(1.0, agree(s.pages));
    add(0.5, agree(s.volume));
    add(0.5, agree(s.issue));
    num / den
}

pub fn ev(field: &'static str, similarity: f64, note: String) -> FieldEvidence {
    FieldEvidence { field, similarity: similarity.clamp(0.0, 1.0), note }
}

pub fn show(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

/// Human-readable evidence for every field known on both records.
pub fn evidence(a: &Norm, b: &Norm, s: &Signals) -> Vec<FieldEvidence> {
    let mut out = Vec::with_capacity(10);
    match s.doi {
        Agree::Same => out.push(ev("doi", 1.0, format!("same DOI {}", show(&a.doi)))),
        Agree::Differ => out.push(ev("doi", 0.0, format!("DOIs differ: {} vs {}", show(&a.doi), show(&b.doi)))),
        Agree::Unknown if a.doi.is_some() || b.doi.is_some() => {
            out.push(ev("doi", 0.5, "DOI present on one record only".to_string()));
        }
        Agree::Unknown => {}
    }
    match s.pmid {
        Agree::Same => out.push(ev("pmid", 1.0, format!("same PMID {}", show(&a.pmid)))),
        Agree::Differ => out.push(ev("pmid", 0.0, format!("PMIDs differ: {} vs {}", show(&a.pmid), show(&b.pmid)))),
        Agree::Unknown => {}
    }
    let title_note = if a.key_len == 0 || b.key_len == 0 {
        "title missing".to_string()
    } else if s.title >= 1.0 {
        "titles identical after normalisation".to_string()
    } else {
        format!("titles {:.0}% similar (normalised Levenshtein)", s.title * 100.0)
    };
    out.push(ev("title", s.title, title_note));
    if let Some((overlap, first)) = s.authors {
        let note = format!("{:.0}% of authors shared; first author {}", overlap * 100.0, if first { "matches" } else { "differs" });
        out.push(ev("authors", if first { 0.5 + 0.5 * overlap } else { 0.5 * overlap }, note));
    }
    match s.year {
        YearAgree::Same => out.push(ev("year", 1.0, format!("same year {}", a.year.unwrap_or(0)))),
        YearAgree::Adjacent | YearAgree::Far => out.push(ev(
            "year",
            if s.year == YearAgree::Adjacent { 0.5 } else { 0.0 },
            format!("years differ: {} vs {}", a.year.unwrap_or(0), b.year.unwrap_or(0)),
        )),
        YearAgree::Unknown => {}
    }
    let jname = |n: &Norm| n.journals.first().map(|j| j.name.clone()).unwrap_or_default();
    match s.journal {
        JournalMatch::Same => out.push(ev("journal", 1.0, format!("same journal ({})", jname(a)))),
        JournalMatch::Abbreviation => {
            out.push(ev("journal", 0.9, format!("journal abbreviation matches full title ({} ~ {})", jname(a), jname(b))))
        }
        JournalMatch::Different => {
            out.push(ev("journal", 0.0, format!("journals differ: {} vs {}", jname(a), jname(b))));
        }
        JournalMatch::Unknown => {}
    }
    match s.volume {
        Agree::Same => out.push(ev("volume", 1.0, format!("same volume {}", show(&a.volume)))),
        Agree::Differ => out.push(ev("volume", 0.0, format!("volumes differ: {} vs {}", show(&a.volume), show(&b.volume)))),
        Agree::Unknown => {}
    }
    match s.issue {
        Agree::Same => out.push(ev("issue", 1.0, format!("same issue {}", show(&a.issue)))),
        Agree::Differ => out.push(ev("issue", 0.0, format!("issues differ: {} vs {}", show(&a.issue), show(&b.issue)))),
        Agree::Unknown => {}
    }
    match s.pages {
        Agree::Same => {
            let range = |n: &Norm| match (&n.spage, &n.epage) {
                (Some(s), Some(e)) => format!("{s}-{e}"),
                (Some(s), None) => s.clone(),
                _ => String::new(),
            };
            out.push(ev("pages", 1.0, format!("same start page: {} vs {} (ranges expanded)", range(a), range(b))));
        }
        Agree::Differ => out.push(ev("pages", 0.0, format!("start pages differ: {} vs {}", show(&a.spage), show(&b.spage)))),
        Agree::Unknown => {}
    }
    if a.kind != b.kind || a.abstract_like != b.abstract_like || a.preprint != b.preprint {
        let label = |n: &Norm| {
            if n.preprint {
                "preprint"
            } else if n.abstract_like {
                "conference abstract"
            } else {
                n.kind.label()
            }
        };
        out.push(ev("type", 0.0, format!("publication types differ: {} vs {}", label(a), label(b))));
    }
    out
}
