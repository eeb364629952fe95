//! Where an export came from: the database searched and the platform that served it, guessed from what
//! exporters write into their records, so that an import form can be filled in before anyone types.
//!
//! Clues, per record: RIS `DB` (the database; Ovid writes `Ovid MEDLINE(R) ALL`, the platform first) and
//! `DP` (the database provider, e.g. EBSCOhost); the hosts of `UR`/`L2` links (ovid.com, ebscohost.com,
//! scopus.com, webofscience.com, proquest.com); a `WOS:` accession number; EndNote XML's
//! `remote-database-name`/`-provider`; Scopus CSV's `Source` and `EID` columns. A value is taken only
//! when at least half of the records give it and no other value is as common, so a file merged from
//! several databases names none.
//! Failing clues, the format itself names the source: PubMed XML and MEDLINE text come from PubMed,
//! Web of Science's tagged text from Web of Science.

use std::collections::HashMap;

use crate::{Citation, Format};

/// The source an export names, as far as its records tell.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// The database or index searched, e.g. `"CINAHL Ultimate"`, `"Scopus"`.
    pub database: Option<String>,
    /// The interface that served it, e.g. `"Ovid"`, `"EBSCOhost"`.
    pub platform: Option<String>,
}

impl Origin {
    /// How a person would say where the file came from: `"Ovid"`, `"EBSCOhost (CINAHL Ultimate)"`,
    /// `"Scopus"`; `None` when nothing is known.
    pub fn describe(&self) -> Option<String> {
        match (&self.platform, &self.database) {
            (Some(p), Some(d)) if !d.eq_ignore_ascii_case(p) => Some(format!("{p} ({d})")),
            (Some(p), _) => Some(p.clone()),
            (None, Some(d)) => Some(d.clone()),
            (None, None) => None,
        }
    }
}

/// Counts the clues of records as they are read (see the module documentation), then decides.
#[derive(Debug, Default)]
pub struct OriginTally {
    records: usize,
    database: HashMap<String, usize>,
    platform: HashMap<String, usize>,
}

impl OriginTally {
    pub fn new() -> OriginTally {
        OriginTally::default()
    }

    /// Adds one record's clues.
    pub fn add(&mut self, c: &Citation) {
        self.records += 1;
        let (mut database, mut platform): (Option<String>, Option<String>) = (None, None);
        for (tag, value) in &c.fields {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match tag.as_str() {
                "DB" | "remote-database-name" if database.is_none() => {
                    let (p, d) = split_platform(value);
                    if p.is_some() && platform.is_none() {
                        platform = p;
                    }
                    database = d;
                }
                "DP" | "remote-database-provider" if platform.is_none() => platform = Some(tidy(value)),
                "AN" | "UT" if database.is_none() && value.to_ascii_uppercase().starts_with("WOS:") => {
                    database = Some("Web of Science".into());
                }
                "Source" if database.is_none() && value.eq_ignore_ascii_case("scopus") => database = Some("Scopus".into()),
                "EID" if database.is_none() && value.starts_with("2-s2.0-") => database = Some("Scopus".into()),
                _ => {}
            }
        }
        for url in c.urls.iter().map(String::as_str).chain(c.fields.iter().filter(|(t, _)| t == "L2").map(|(_, v)| v.as_str())) {
            let (p, d) = from_host(url);
            if platform.is_none() {
                platform = p.map(str::to_owned);
            }
            if database.is_none() {
                database = d.map(str::to_owned);
            }
        }
        if let Some(d) = database {
            *self.database.entry(d).or_default() += 1;
        }
        if let Some(p) = platform {
            *self.platform.entry(p).or_default() += 1;
        }
    }

    /// The origin the records agree on, with the format's own source when they name no database.
    pub fn finish(self, format: Option<Format>) -> Origin {
        let records = self.records;
        // The most common value, given by at least half of the records and by more than any other.
        let majority = |counts: HashMap<String, usize>| {
            let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
            ranked.sort_by_key(|r| std::cmp::Reverse(r.1));
            match ranked.as_slice() {
                [(v, n), rest @ ..] if n * 2 >= records && rest.first().is_none_or(|(_, m)| m < n) => Some(v.clone()),
                _ => None,
            }
        };
        let mut origin = Origin { database: majority(self.database), platform: majority(self.platform) };
        if origin.database.is_none() && self.records > 0 {
            origin.database = match format {
                Some(Format::PubmedXml | Format::Nbib) => Some("PubMed".into()),
                Some(Format::Wos) => Some("Web of Science".into()),
                _ => None,
            };
        }
        origin
    }
}

/// `"Ovid MEDLINE(R) ALL"` is the platform Ovid and the database `MEDLINE ALL`; other names are the
/// database alone.
fn split_platform(value: &str) -> (Option<String>, Option<String>) {
    let v = tidy(value);
    match v.strip_prefix("Ovid ") {
        Some(rest) if !rest.trim().is_empty() => (Some("Ovid".into()), Some(rest.trim().to_owned())),
        _ => (None, Some(v)),
    }
}

/// Trademark signs dropped and spaces made one: `"MEDLINE(R)  ALL"` becomes `"MEDLINE ALL"`.
fn tidy(value: &str) -> String {
    value.replace("(R)", " ").replace(['®', '™'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The platform and database a link's host names.
fn from_host(url: &str) -> (Option<&'static str>, Option<&'static str>) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default().to_ascii_lowercase();
    let under = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    if under("ovid.com") {
        (Some("Ovid"), None)
    } else if under("ebscohost.com") {
        (Some("EBSCOhost"), None)
    } else if under("proquest.com") {
        (Some("ProQuest"), None)
    } else if under("scopus.com") {
        (None, Some("Scopus"))
    } else if under("webofscience.com") || under("webofknowledge.com") || under("isiknowledge.com") {
        (None, Some("Web of Science"))
    } else {
        (None, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[(&str, &str)], urls: &[&str]) -> Citation {
        Citation {
            fields: fields.iter().map(|(t, v)| (t.to_string(), v.to_string())).collect(),
            urls: urls.iter().map(|u| u.to_string()).collect(),
            ..Citation::default()
        }
    }

    fn origin(records: &[Citation], format: Format) -> Origin {
        let mut t = OriginTally::new();
        for r in records {
            t.add(r);
        }
        t.finish(Some(format))
    }

    #[test]
    fn ovid_names_its_platform_before_the_database() {
        let r = record(&[("DB", "Ovid MEDLINE(R) ALL")], &["http://ovidsp.ovid.com/ovidweb.cgi?T=JS"]);
        let o = origin(&[r.clone(), r], Format::Ris);
        assert_eq!(o, Origin { database: Some("MEDLINE ALL".into()), platform: Some("Ovid".into()) });
        assert_eq!(o.describe().as_deref(), Some("Ovid (MEDLINE ALL)"));
    }

    #[test]
    fn a_value_needs_more_than_half_of_the_records() {
        let a = record(&[("DB", "Scopus")], &[]);
        let b = record(&[("DB", "Embase")], &[]);
        let none = record(&[], &[]);
        assert_eq!(origin(&[a.clone(), b.clone()], Format::Ris).database, None, "a tie names nothing");
        assert_eq!(origin(&[a.clone(), none.clone()], Format::Ris).database.as_deref(), Some("Scopus"), "half is enough");
        assert_eq!(origin(&[a.clone(), a.clone(), b], Format::Ris).database.as_deref(), Some("Scopus"));
        assert_eq!(origin(&[a, none.clone(), none], Format::Ris), Origin::default());
    }

    #[test]
    fn hosts_accession_numbers_and_columns_are_clues_too() {
        let wos = record(&[("AN", "WOS:000310939300023")], &[]);
        assert_eq!(origin(&[wos], Format::Ris).database.as_deref(), Some("Web of Science"));
        let scopus = record(&[("Source", "Scopus"), ("EID", "2-s2.0-85084287767")], &[]);
        assert_eq!(origin(&[scopus], Format::Csv).database.as_deref(), Some("Scopus"));
        let ebsco = record(&[], &["https://search.ebscohost.com/login.aspx?direct=true&db=ccm"]);
        assert_eq!(origin(&[ebsco], Format::Ris).platform.as_deref(), Some("EBSCOhost"));
        // A look-alike host is not the platform.
        let fake = record(&[], &["https://notovid.com/x", "https://example.org/?u=ovid.com"]);
        assert_eq!(origin(&[fake], Format::Ris), Origin::default());
    }

    #[test]
    fn the_format_names_the_source_when_the_records_do_not() {
        let bare = record(&[], &[]);
        assert_eq!(origin(std::slice::from_ref(&bare), Format::PubmedXml).database.as_deref(), Some("PubMed"));
        assert_eq!(origin(std::slice::from_ref(&bare), Format::Wos).database.as_deref(), Some("Web of Science"));
        assert_eq!(origin(std::slice::from_ref(&bare), Format::Bibtex), Origin::default());
        assert_eq!(origin(&[], Format::PubmedXml), Origin::default(), "an empty file names nothing");
    }
}
