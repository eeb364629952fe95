//! Reference-type normalisation: every format's type names and codes mapped to RIS `TY` codes.

/// The RIS type codes accepted as they are (rispy's list plus Zotero's extras, mapped where they differ).
const RIS_CODES: [&str; 55] = [
    "ABST", "ADVS", "AGGR", "ANCIENT", "ART", "BILL", "BLOG", "BOOK", "CASE", "CHAP", "CHART", "CLSWK", "COMP", "CONF", "CPAPER", "CTLG",
    "DATA", "DBASE", "DICT", "EBOOK", "ECHAP", "EDBOOK", "EJOUR", "ELEC", "ENCYC", "EQUA", "FIGURE", "GEN", "GOVDOC", "GRANT", "HEAR",
    "ICOMM", "INPR", "JFULL", "JOUR", "LEGAL", "MANSCPT", "MAP", "MGZN", "MPCT", "MULTI", "MUSIC", "NEWS", "PAMP", "PAT", "PCOMM", "RPRT",
    "SER", "SLIDE", "SOUND", "STAND", "STAT", "THES", "UNPB", "VIDEO",
];

/// Normalises a RIS `TY` value. Unknown codes become `GEN`.
pub(crate) fn from_ris(code: &str) -> String {
    let c = code.trim().to_ascii_uppercase();
    match c.as_str() {
        "WEB" => "ELEC".into(),
        "GRNT" => "GRANT".into(),
        "UNPD" => "UNPB".into(),
        "UNBILL" => "BILL".into(),
        "" => "GEN".into(),
        _ if RIS_CODES.contains(&c.as_str()) => c,
        _ => from_name(&c).unwrap_or_else(|| "GEN".into()),
    }
}

/// Maps a free-text type name (EndNote, Scopus, BibTeX, PubMed, Web of Science, spreadsheets) to a RIS code.
pub(crate) fn from_name(name: &str) -> Option<String> {
    let n = name.trim().to_ascii_lowercase();
    let n = n.as_str();
    let code = match n {
        "journal article"
        | "article"
        | "review"
        | "journal"
        | "letter"
        | "editorial"
        | "note"
        | "erratum"
        | "short survey"
        | "comment"
        | "j"
        | "jour"
        | "data paper"
        | "retracted"
        | "systematic review"
        | "meta-analysis"
        | "randomized controlled trial"
        | "clinical trial"
        | "case reports" => "JOUR",
        "electronic article" | "ejour" => "EJOUR",
        "book" | "b" | "whole book" | "monograph" => "BOOK",
        "edited book" | "edbook" => "EDBOOK",
        "book section" | "book chapter" | "chapter" | "inbook" | "incollection" | "chap" => "CHAP",
        "conference paper" | "conference proceedings" | "proceedings paper" | "inproceedings" | "conference" | "cpaper" => "CPAPER",
        "proceedings" | "conference review" | "conf" => "CONF",
        "thesis" | "phdthesis" | "mastersthesis" | "dissertation" | "thes" => "THES",
        "report" | "techreport" | "government document" | "rprt" => "RPRT",
        "web page" | "webpage" | "online" | "electronic" | "www" | "electronic source" | "elec" => "ELEC",
        "meeting abstract" | "abstract" | "abst" => "ABST",
        "preprint" | "article in press" | "in press" | "inpr" | "posted content" => "INPR",
        "unpublished" | "unpublished work" | "manuscript" | "unpb" => "UNPB",
        "patent" | "p" | "pat" => "PAT",
        "dataset" | "data" => "DATA",
        "newspaper article" | "news" => "NEWS",
        "magazine article" | "mgzn" => "MGZN",
        "generic" | "misc" | "other" | "gen" => "GEN",
        "s" | "serial" | "book series" => "SER",
        _ => return None,
    };
    Some(code.to_string())
}

/// The type to use when a record gives none: a journal article when it names a journal.
pub(crate) fn default_for(has_journal: bool) -> String {
    if has_journal { "JOUR".into() } else { "GEN".into() }
}
