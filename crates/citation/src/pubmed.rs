//! PubMed/MEDLINE XML reader (E-utilities `efetch retmode=xml`, `PubmedArticleSet`).
//!
//! Records are `PubmedArticle` and `PubmedBookArticle` elements. The DOCTYPE that real files carry is
//! tolerated and never fetched. Paths below are relative to the record element.
//!
//! | Field | Source |
//! |---|---|
//! | source_id, pmid | `MedlineCitation/PMID` (books: `BookDocument/PMID`) |
//! | type | JOUR; INPR when a `PublicationType` is Preprint (UI D000076942); books: CHAP with a chapter title, else BOOK |
//! | title | `Article/ArticleTitle` (inline `<i>`, `<sup>`… flattened), else `VernacularTitle`; books: `ArticleTitle`, else `BookTitle` |
//! | abstract | `Abstract/AbstractText*` joined, each as "Label: text" (label UNLABELLED skipped) |
//! | authors | `AuthorList/Author` `LastName` + `ForeName` (or `FirstName`, `Initials`), `Suffix`; `CollectiveName`; editor lists skipped |
//! | journal / abbrev | `Journal/Title` / `Journal/ISOAbbreviation`, else `MedlineJournalInfo/MedlineTA`; books: `BookTitle` |
//! | volume / issue | `JournalIssue/Volume` / `JournalIssue/Issue` |
//! | year | `PubDate/Year`, else `PubDate/MedlineDate` ("1998 Dec-1999 Jan" → 1998), else `ArticleDate/Year` |
//! | pages | `Pagination/MedlinePgn` (expanded) or `StartPage`/`EndPage`, else `ELocationID@EIdType=pii` |
//! | doi | `PubmedData/ArticleIdList/ArticleId@IdType=doi`, else `ELocationID@EIdType=doi` |
//! | pmcid | `ArticleId@IdType=pmc` |
//! | issn / isbn | `Journal/ISSN`, else `ISSNLinking` / `Isbn` |
//! | keywords | `MeshHeading/DescriptorName` and `KeywordList/Keyword` |
//! | language | `Language` |

use std::io;

use crate::decode::Source;
use crate::record::Builder;
use crate::xml::{Records, XmlRecord};
use crate::{Citation, Diagnostic};

fn is_record(name: &str) -> bool {
    name == "PubmedArticle" || name == "PubmedBookArticle"
}

fn is_inline(name: &str) -> bool {
    matches!(name, "i" | "b" | "u" | "sup" | "sub" | "sc" | "em" | "strong" | "bold" | "italic" | "underline") || name.starts_with("mml:")
}

/// Reads PubMed XML records from `source`, handing each to `sink`.
pub(crate) fn parse(source: Source<'_>, sink: &mut dyn FnMut(Citation), diags: &mut Vec<Diagnostic>) -> io::Result<()> {
    let mut records = Records::new(source, is_record, is_inline, &["</PubmedArticle>", "</PubmedBookArticle>"], build);
    while let Some(c) = records.next_record(diags)? {
        sink(c);
    }
    Ok(())
}

/// The last two segments of a path.
fn tail(path: &str) -> (&str, &str) {
    let b = path.as_bytes();
    let Some(i) = b.iter().rposition(|&c| c == b'/') else {
        return ("", path);
    };
    let leaf = path.get(i + 1..).unwrap_or_default();
    let head = path.get(..i).unwrap_or_default();
    let parent = match head.as_bytes().iter().rposition(|&c| c == b'/') {
        Some(j) => head.get(j + 1..).unwrap_or_default(),
        None => head,
    };
    (parent, leaf)
}

/// An author being assembled from its child elements.
#[derive(Default)]
struct Pending {
    last: Option<String>,
    fore: Option<String>,
    initials: Option<String>,
    suffix: Option<String>,
    collective: Option<String>,
}

impl Pending {
    fn flush(self, b: &mut Builder) {
        if let Some(last) = self.last {
            let mut given = self.fore.or(self.initials);
            if let Some(s) = self.suffix {
                given = Some(match given {
                    Some(g) => format!("{g}, {s}"),
                    None => s,
                });
            }
            b.author_parts(&last, given.as_deref());
        } else if let Some(c) = self.collective {
            b.author_parts(&c, None);
        }
    }
}

fn build(rec: XmlRecord<'_>, position: usize, diags: &mut Vec<Diagnostic>) -> Citation {
    let mut b = Builder::new(rec.line);
    let book = rec.name == "PubmedBookArticle";
    let (mut vernacular, mut book_title, mut medline_ta, mut issn_linking) = (None, None, None, None);
    let (mut medline_date, mut article_year, mut eloc_doi, mut eloc_pii) = (None, None, None, None);
    let mut abstract_parts: Vec<String> = Vec::new();
    let mut preprint = false;
    let mut editors = false;
    let mut author: Option<Pending> = None;
    for e in &rec.elems {
        let t: &str = &e.text;
        let path = rec.path(e);
        let (parent, leaf) = tail(path);
        if leaf == "AuthorList" {
            editors = e.attr("Type").as_deref() == Some("editors");
        }
        if leaf == "Author" && parent == "AuthorList" {
            if let Some(p) = author.take() {
                p.flush(&mut b);
            }
            if !editors {
                author = Some(Pending::default());
            }
            continue;
        }
        if parent == "Author" {
            if let Some(p) = author.as_mut() {
                let v = Some(t.trim().to_string()).filter(|s| !s.is_empty());
                match leaf {
                    "LastName" => p.last = v,
                    "ForeName" | "FirstName" => p.fore = v,
                    "Initials" => p.initials = v,
                    "Suffix" => p.suffix = v,
                    "CollectiveName" => p.collective = v,
                    _ => {}
                }
            }
            continue;
        }
        if t.is_empty() {
            continue;
        }
        match (parent, leaf) {
            ("MedlineCitation" | "BookDocument", "PMID") => {
                b.source_id(t);
                b.pmid(t);
            }
            ("Article" | "BookDocument", "ArticleTitle") => b.title(t),
            (_, "VernacularTitle") => vernacular = vernacular.or(Some(t)),
            ("Book", "BookTitle") => book_title = book_title.or(Some(t)),
            ("Abstract", "AbstractText") => {
                let body = crate::text::clean(t);
                match e.attr("Label").filter(|l| !l.is_empty() && !l.eq_ignore_ascii_case("UNLABELLED")) {
                    Some(label) => abstract_parts.push(format!("{label}: {body}")),
                    None => abstract_parts.push(body),
                }
            }
            ("Journal", "Title") => b.journal(t),
            ("Journal", "ISOAbbreviation") => b.journal_abbrev(t),
            ("MedlineJournalInfo", "MedlineTA") => medline_ta = medline_ta.or(Some(t)),
            ("MedlineJournalInfo", "ISSNLinking") => issn_linking = issn_linking.or(Some(t)),
            ("Journal", "ISSN") => b.issn_isbn(t),
            ("JournalIssue", "Volume") | ("Book", "Volume") => b.volume(t),
            ("JournalIssue", "Issue") => b.issue(t),
            ("PubDate", "Year") => b.year(t, rec.line),
            ("PubDate", "MedlineDate") => medline_date = medline_date.or(Some(t)),
            ("ArticleDate", "Year") => article_year = article_year.or(Some(t)),
            ("Pagination", "MedlinePgn") => b.pages(t),
            ("Pagination", "StartPage") => b.pages(t),
            ("Pagination", "EndPage") => b.end_page(t),
            (_, "ELocationID") => match e.attr("EIdType").as_deref() {
                Some("doi") => eloc_doi = eloc_doi.or(Some(t)),
                Some("pii") => eloc_pii = eloc_pii.or(Some(t)),
                _ => {}
            },
            ("ArticleIdList", "ArticleId") if path.starts_with("PubmedData/") || path.starts_with("PubmedBookData/") => {
                match e.attr("IdType").as_deref() {
                    Some("doi") => b.doi(t),
                    Some("pmc") => b.pmcid(t),
                    Some("pubmed") => b.pmid(t),
                    _ => {}
                }
            }
            (_, "Language") => b.language(t),
            ("PublicationTypeList", "PublicationType")
                if e.attr("UI").as_deref() == Some("D000076942") || t.trim().eq_ignore_ascii_case("preprint") =>
            {
                preprint = true;
            }
            ("MeshHeading", "DescriptorName") | ("KeywordList", "Keyword") => b.keyword(t),
            (_, "Isbn") => b.issn_isbn(t),
            _ => {}
        }
    }
    if let Some(p) = author.take() {
        p.flush(&mut b);
    }
    if !abstract_parts.is_empty() {
        b.abstract_part(&abstract_parts.join("\n"));
    }
    if let Some(v) = vernacular {
        b.title(v);
    }
    if book {
        let chapter = b.c.title.is_some();
        if let Some(bt) = book_title {
            b.title(bt);
            if chapter {
                b.journal(bt);
            }
        }
        b.type_name(if chapter { "CHAP" } else { "BOOK" });
    } else {
        b.type_name(if preprint { "INPR" } else { "JOUR" });
    }
    if let Some(v) = medline_ta {
        b.journal_abbrev(v);
    }
    if let Some(v) = issn_linking {
        b.issn_isbn(v);
    }
    if let Some(v) = medline_date {
        b.year(v, rec.line);
    }
    if let Some(v) = article_year {
        b.year(v, rec.line);
    }
    if let Some(v) = eloc_doi {
        b.doi(v);
    }
    // Only e-locators such as "e0226306" stand in for pages; publisher item identifiers do not.
    let e_locator = |v: &&str| {
        let d = v.strip_prefix(['e', 'E']).unwrap_or(v);
        !d.is_empty() && d.len() <= 12 && d.bytes().all(|c| c.is_ascii_digit())
    };
    if let Some(v) = eloc_pii.filter(e_locator) {
        b.pages(v);
    }
    b.c.fields = rec.into_fields();
    b.finish(position, diags)
}
