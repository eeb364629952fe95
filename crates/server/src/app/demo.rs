//! The demo review: a qualitative evidence synthesis of peer workers in homelessness and substance-use
//! services, with records imported from three databases (so deduplication has work) and three people.
//! `sift serve --demo` and `sift demo` write it; it is addressable as `demo`.

use std::sync::Arc;

use store::Store;

use super::import::{ImportRequest, import};
use crate::error::ApiError;

pub const SLUG: &str = "demo";
pub const TITLE: &str = "Peer workers in homelessness and substance-use services: a qualitative evidence synthesis";
pub const QUESTION: &str = "What are the experiences of peer workers, with lived or living experience of homelessness and substance use, who support people facing similar challenges in homelessness and substance-use services?";

/// A demo account and its password (printed at start-up; this is demo data).
#[derive(Clone, Copy, Debug)]
pub struct DemoUser {
    pub email: &'static str,
    pub name: &'static str,
    pub password: &'static str,
    pub role: &'static str,
}

pub const USERS: [DemoUser; 4] = [
    DemoUser { email: "lead@demo.sift", name: "Lena Lead", password: "demo-lead-password", role: "lead" },
    DemoUser { email: "rev1@demo.sift", name: "Ravi Reviewer", password: "demo-reviewer-1", role: "reviewer" },
    DemoUser { email: "rev2@demo.sift", name: "Rosa Reviewer", password: "demo-reviewer-2", role: "reviewer" },
    DemoUser { email: "viewer@demo.sift", name: "Vik Viewer", password: "demo-viewer-pass", role: "viewer" },
];

/// One demo export: file name, database, platform, search date, query, bytes.
struct DemoFile {
    file: &'static str,
    name: &'static str,
    platform: &'static str,
    searched_on: &'static str,
    query: &'static str,
    bytes: &'static [u8],
}

const FILES: [DemoFile; 3] = [
    DemoFile {
        file: "medline.xml",
        name: "MEDLINE",
        platform: "PubMed",
        searched_on: "2024-03-12",
        query: "(\"peer support\" OR \"peer worker*\" OR \"peer navigator*\") AND (homeless* OR \"substance use\" OR drug*) AND qualitative",
        bytes: include_bytes!("../../../../fixtures/demo/medline.xml"),
    },
    DemoFile {
        file: "cinahl.ris",
        name: "CINAHL",
        platform: "EBSCOhost",
        searched_on: "2024-03-12",
        query: "(MH \"Peer Group\" OR \"peer support*\" OR \"peer worker*\") AND (MH \"Homeless Persons\" OR \"substance use*\")",
        bytes: include_bytes!("../../../../fixtures/demo/cinahl.ris"),
    },
    DemoFile {
        file: "scopus.csv",
        name: "Scopus",
        platform: "Elsevier",
        searched_on: "2024-03-13",
        query: "TITLE-ABS-KEY((\"peer support\" OR \"peer worker*\") AND (homeless* OR \"substance use\"))",
        bytes: include_bytes!("../../../../fixtures/demo/scopus.csv"),
    },
];

/// Writes the demo review (users, members, imports, deduplication) unless it already exists.
/// Returns false when it was already there. With `files_dir` (the server's `Settings::files_dir`),
/// its full texts are written there, as uploads would be.
pub async fn seed(store: &Store, files_dir: Option<&std::path::Path>, now: i64) -> Result<bool, ApiError> {
    if store::reviews::by_slug(&store.db, SLUG).await?.is_some() {
        return Ok(false);
    }
    if let Some(dir) = files_dir {
        super::files::check_dir(dir).map_err(ApiError::internal)?;
    }
    let mut ids = Vec::new();
    for u in USERS {
        let user = match store::users::by_email(&store.db, u.email).await? {
            Some(existing) => existing,
            None => super::users::create(store, u.email, u.name, u.password, false, now).await?,
        };
        ids.push((user.id, u.role));
    }
    let lead = ids.first().map(|(id, _)| *id);
    let review = store::reviews::create(&store.db, SLUG, TITLE, lead, now).await?;
    store::reviews::update(&store.db, review.id, None, Some(QUESTION), None).await?;
    for (id, role) in &ids {
        store::reviews::add_member(&store.db, review.id, *id, role, now).await?;
    }
    let quiet: super::import::ProgressFn = Arc::new(|_, _, _| {});
    for f in FILES {
        let req = ImportRequest {
            review_id: review.id,
            kind: "database".to_owned(),
            name: f.name.to_owned(),
            platform: Some(f.platform.to_owned()),
            searched_on: Some(f.searched_on.to_owned()),
            query: Some(f.query.to_owned()),
            file_name: f.file.to_owned(),
            format: None,
            actor: lead,
        };
        import(store, &req, std::io::Cursor::new(f.bytes), now, quiet.clone())
            .await
            .map_err(|e| ApiError::internal(format!("demo file {}: {e}", f.file)))?;
        super::dedup::run(store, review.id, lead, now, quiet.clone()).await?;
    }
    let reviewers: Vec<i32> = ids.iter().filter(|(_, r)| *r == "reviewer").map(|(id, _)| *id).collect();
    screen(store, files_dir, review.id, lead.unwrap_or_default(), &reviewers, now).await?;
    appraise(store, review.id, lead.unwrap_or_default(), &reviewers, now).await?;
    extract(store, review.id, lead.unwrap_or_default(), &reviewers, now).await?;
    synthesise(store, review.id, lead.unwrap_or_default(), &reviewers, now).await?;
    Ok(true)
}

/// Appraises the demo's included studies with CASP Qualitative: two reviewers each, disagreeing on two
/// items of the first study, which the lead reconciles; the second study waits for its second appraiser.
async fn appraise(store: &Store, review_id: i32, lead: i32, reviewers: &[i32], now: i64) -> Result<(), ApiError> {
    use review::appraisal::Answer;
    let (Some(&r1), Some(&r2)) = (reviewers.first(), reviewers.get(1)) else { return Ok(()) };
    let instr = super::appraisal::instrument(store, review_id).await.map_err(|e| ApiError::internal(format!("demo instrument: {e}")))?;
    let answers = |overrides: &[(&str, &str)]| -> Vec<Answer> {
        instr
            .items()
            .map(|item| match &item.answer_set {
                None => Answer {
                    item: item.id.clone(),
                    text: Some("Valuable: rich accounts of the peer role in practice.".to_owned()),
                    ..Default::default()
                },
                Some(_) => Answer {
                    item: item.id.clone(),
                    key: Some(
                        overrides.iter().find(|(i, _)| *i == item.id).map(|(_, k)| (*k).to_owned()).unwrap_or_else(|| "yes".to_owned()),
                    ),
                    comment: Some(format!("Question {}: reported clearly.", item.number)),
                    ..Default::default()
                },
            })
            .collect()
    };
    let fail = |e: super::AppError| ApiError::internal(format!("demo appraisal: {e}"));
    let studies = super::appraisal::studies(store, review_id).await?;
    if let Some(first) = studies.first() {
        super::appraisal::save_mine(store, review_id, first, r1, answers(&[("q6", "cant_tell")]), true, now).await.map_err(fail)?;
        super::appraisal::save_mine(store, review_id, first, r2, answers(&[("q6", "no"), ("q4", "cant_tell")]), true, now)
            .await
            .map_err(fail)?;
        let decisions = vec![
            super::appraisal::Decision {
                item: "q4".into(),
                key: Some("yes".into()),
                text: None,
                note: Some("Recruitment through services is described on p. 3.".into()),
            },
            super::appraisal::Decision {
                item: "q6".into(),
                key: Some("no".into()),
                text: None,
                note: Some("No reflexive account of the researchers' roles.".into()),
            },
        ];
        super::appraisal::save_consensus(store, review_id, first, lead, decisions, now).await.map_err(fail)?;
    }
    if let Some(second) = studies.get(1) {
        super::appraisal::save_mine(store, review_id, second, r1, answers(&[]), true, now).await.map_err(fail)?;
    }
    Ok(())
}

/// Study characteristics for the demo: a four-field form; both reviewers extract the first study,
/// differing on the number of participants, which the lead reconciles; the second study waits for its
/// second extractor.
async fn extract(store: &Store, review_id: i32, lead: i32, reviewers: &[i32], now: i64) -> Result<(), ApiError> {
    use synthesis::extraction::{Field, FieldKind, Form};
    let (Some(&r1), Some(&r2)) = (reviewers.first(), reviewers.get(1)) else { return Ok(()) };
    let field = |key: &str, label: &str, kind: FieldKind, options: &[&str]| Field {
        key: key.to_owned(),
        label: label.to_owned(),
        kind,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        required: true,
        help: None,
    };
    let form = Form {
        fields: vec![
            field("setting", "Setting", FieldKind::Text, &[]),
            field("country", "Country", FieldKind::Choice, &["Australia", "Canada", "United Kingdom", "United States"]),
            field("participants", "Participants (n)", FieldKind::Number, &[]),
            field("methods", "Data collection", FieldKind::Choices, &["Interviews", "Focus groups", "Observation"]),
        ],
        extractors: 2,
    };
    let fail = |e: super::extraction::ExtractionError| ApiError::internal(format!("demo extraction: {e}"));
    super::extraction::save_form(store, review_id, form, lead, now).await.map_err(fail)?;
    let values = |setting: &str, country: &str, n: u32, methods: &[&str]| -> super::extraction::Values {
        let mut v = serde_json::Map::new();
        v.insert("setting".into(), serde_json::json!(setting));
        v.insert("country".into(), serde_json::json!(country));
        v.insert("participants".into(), serde_json::json!(n));
        v.insert("methods".into(), serde_json::json!(methods));
        v
    };
    let studies = super::appraisal::studies(store, review_id).await?;
    if let Some(first) = studies.first() {
        let setting = "Peer support in a hospital addiction medicine service";
        super::extraction::save_mine(store, review_id, first, r1, values(setting, "Canada", 12, &["Interviews"]), true, now)
            .await
            .map_err(fail)?;
        super::extraction::save_mine(store, review_id, first, r2, values(setting, "Canada", 14, &["Interviews"]), true, now)
            .await
            .map_err(fail)?;
        super::extraction::reconcile(store, review_id, first, lead, values(setting, "Canada", 12, &["Interviews"]), now)
            .await
            .map_err(fail)?;
    }
    if let Some(second) = studies.get(1) {
        let v = values("Homelessness services run by a charity", "United Kingdom", 18, &["Interviews", "Focus groups"]);
        super::extraction::save_mine(store, review_id, second, r1, v, true, now).await.map_err(fail)?;
    }
    Ok(())
}

/// The demo's verbatim extracts: (study index, kind, page, section, text). Written for the demo in the
/// voice of qualitative studies of peer workers in homelessness and substance-use services.
const EXTRACTS: [(usize, &str, i32, &str, &str); 7] = [
    (
        0,
        "participant quote",
        6,
        "Findings: trust",
        "He’d slept rough too, so when he said it gets better I believed him — nobody else had been there.",
    ),
    (
        0,
        "participant quote",
        7,
        "Findings: role",
        "I’m living proof you can come off the streets. Clients see me and think, if she can, maybe I can.",
    ),
    (
        0,
        "author interpretation",
        9,
        "Discussion",
        "Peer workers described constant boundary work: friends with clients one day, enforcing rules the next, which left many emotionally exhausted.",
    ),
    (
        1,
        "participant quote",
        5,
        "Results",
        "Some days you carry everyone’s stories home with you. Supervision is the only place I can put them down.",
    ),
    (
        1,
        "author interpretation",
        8,
        "Results",
        "Peer workers valued regular supervision and training but felt their pay did not reflect the weight of the role.",
    ),
    (
        2,
        "participant quote",
        4,
        "Findings",
        "They trust me because I’ve used — I know the café on the corner where people score, I know the fear.",
    ),
    (
        2,
        "author interpretation",
        7,
        "Discussion",
        "Lived experience opened doors with clients, yet staff sometimes treated peers as less than colleagues.",
    ),
];

/// The demo codebook: (parent index, name, description, colour).
const CODES: [(Option<usize>, &str, &str, &str); 9] = [
    (None, "Lived experience", "What having been there oneself does in the peer role.", "#1f77b4"),
    (Some(0), "Shared experience builds trust", "Clients trust a worker who has lived what they live.", "#2ca02c"),
    (Some(0), "Being a role model", "The peer worker as proof that change is possible.", "#17becf"),
    (None, "Role tensions", "Strains built into the peer role.", "#d62728"),
    (Some(3), "Boundaries with clients", "Moving between friend and staff member.", "#ff7f0e"),
    (Some(3), "Emotional toll", "Carrying clients' stories and one's own past.", "#9467bd"),
    (None, "Organisational support", "What the service gives its peer workers.", "#8c564b"),
    (Some(6), "Supervision and training", "Regular, reflective supervision and role training.", "#e377c2"),
    (Some(6), "Pay and recognition", "Being paid and treated as a colleague.", "#7f7f7f"),
];

/// Codings of the demo: (extract index, code index, coded phrase, by the second reviewer too).
const CODINGS: [(usize, usize, &str, bool); 13] = [
    (0, 1, "He’d slept rough too", true),
    (0, 1, "I believed him", true),
    (1, 2, "I’m living proof you can come off the streets", true),
    (1, 1, "Clients see me", false),
    (2, 4, "friends with clients one day, enforcing rules the next", true),
    (2, 5, "left many emotionally exhausted", true),
    (3, 5, "you carry everyone’s stories home with you", true),
    (3, 7, "Supervision is the only place I can put them down", false),
    (4, 7, "valued regular supervision and training", true),
    (4, 8, "their pay did not reflect the weight of the role", true),
    (5, 1, "They trust me because I’ve used", true),
    (6, 1, "Lived experience opened doors with clients", false),
    (6, 8, "staff sometimes treated peers as less than colleagues", true),
];

/// Start and end of `phrase` in `text`, in Unicode scalar values.
fn char_span(text: &str, phrase: &str) -> Option<(i32, i32)> {
    let byte = text.find(phrase)?;
    let start = text[..byte].chars().count();
    let end = start + phrase.chars().count();
    Some((i32::try_from(start).ok()?, i32::try_from(end).ok()?))
}

/// Synthesises the demo's included studies: extracts, a code tree, codings by two reviewers, descriptive
/// and analytical themes, and review findings, two of them assessed with GRADE-CERQual.
async fn synthesise(store: &Store, review_id: i32, lead: i32, reviewers: &[i32], now: i64) -> Result<(), ApiError> {
    use super::synthesis as syn;
    let (Some(&r1), Some(&r2)) = (reviewers.first(), reviewers.get(1)) else { return Ok(()) };
    let studies = super::appraisal::studies(store, review_id).await?;
    if studies.is_empty() {
        return Ok(());
    }
    let fail = |e: super::AppError| ApiError::internal(format!("demo synthesis: {e}"));
    let mut extracts = Vec::new();
    for (study, kind, page, section, text) in EXTRACTS {
        let item_id = studies[study % studies.len()].item.id;
        let body =
            syn::ExtractBody { item_id, text: text.to_owned(), kind: kind.to_owned(), page: Some(page), section: Some(section.to_owned()) };
        extracts.push(syn::add_extract(store, review_id, r1, &body, now).await.map_err(fail)?);
    }
    let mut codes: Vec<store::synthesis::CodeRow> = Vec::new();
    for (parent, name, description, colour) in CODES {
        let body = syn::CodeBody {
            name: name.to_owned(),
            description: description.to_owned(),
            parent_id: parent.map(|p| codes[p].id),
            colour: Some(colour.to_owned()),
            codable: Some(true),
        };
        let guid = synthesis::refi::derive_guid("demo-code", name);
        codes.push(syn::add_code(store, review_id, lead, &body, guid, now).await.map_err(fail)?);
    }
    for (extract, code, phrase, both) in CODINGS {
        let e = &extracts[extract];
        let Some((start, end)) = char_span(&e.text, phrase) else { continue };
        let body = syn::CodingBody { extract_id: e.id, code_id: codes[code].id, start, end };
        syn::add_coding(store, review_id, r1, &body, now).await.map_err(fail)?;
        if both {
            syn::add_coding(store, review_id, r2, &body, now).await.map_err(fail)?;
        }
    }
    let theme = |kind: &str, name: &str, memo: &str, members: Vec<i32>| syn::ThemeBody {
        kind: kind.to_owned(),
        name: name.to_owned(),
        memo: memo.to_owned(),
        members,
        updated_at: None,
    };
    let trust = syn::add_theme(
        store,
        review_id,
        lead,
        &theme(syn::DESCRIPTIVE, "Trust through lived experience", "", vec![codes[1].id, codes[2].id]),
        now,
    )
    .await
    .map_err(fail)?;
    let weight = syn::add_theme(
        store,
        review_id,
        lead,
        &theme(syn::DESCRIPTIVE, "Carrying the weight of the role", "", vec![codes[4].id, codes[5].id]),
        now,
    )
    .await
    .map_err(fail)?;
    let valued = syn::add_theme(
        store,
        review_id,
        lead,
        &theme(syn::DESCRIPTIVE, "Being valued by the service", "", vec![codes[7].id, codes[8].id]),
        now,
    )
    .await
    .map_err(fail)?;
    let bridges = syn::add_theme(
        store,
        review_id,
        lead,
        &theme(
            syn::ANALYTICAL,
            "Peer workers as bridges between two worlds",
            "Lived experience lets peer workers reach people services cannot, but standing between clients and staff means living with the tension of belonging fully to neither.",
            vec![trust.id, weight.id],
        ),
        now,
    )
    .await
    .map_err(fail)?;
    let sustainable = syn::add_theme(
        store,
        review_id,
        lead,
        &theme(
            syn::ANALYTICAL,
            "Making the peer role sustainable",
            "The emotional cost of the role is bearable where services supervise, train and pay peer workers as colleagues.",
            vec![weight.id, valued.id],
        ),
        now,
    )
    .await
    .map_err(fail)?;
    let component =
        |concern: &str, explanation: &str| syn::ComponentBody { concern: concern.to_owned(), explanation: explanation.to_owned() };
    let findings = [
        syn::FindingBody {
            theme_id: Some(bridges.id),
            summary: "Clients trusted peer workers because they had lived through homelessness or substance use themselves, which let peers reach people other staff could not.".to_owned(),
            studies: None,
            draft: false,
            updated_at: None,
            assessment: Some(syn::AssessmentBody {
                methodological_limitations: component("minor", "One study gave no reflexive account of the researchers' roles."),
                coherence: component("no_or_very_minor", ""),
                adequacy: component("minor", "Three studies with moderately rich data."),
                relevance: component("no_or_very_minor", ""),
                overall: "moderate".to_owned(),
                explanation: "Minor concerns about methodological limitations and adequacy.".to_owned(),
            }),
        },
        syn::FindingBody {
            theme_id: Some(sustainable.id),
            summary: "Peer workers carried an emotional toll that supervision, training and fair pay made bearable.".to_owned(),
            studies: None,
            draft: false,
            updated_at: None,
            assessment: Some(syn::AssessmentBody {
                methodological_limitations: component("minor", "One study gave no reflexive account of the researchers' roles."),
                coherence: component("minor", "Studies differed on whether pay or supervision mattered more."),
                adequacy: component("moderate", "Few studies, with thin data on pay."),
                relevance: component("no_or_very_minor", ""),
                overall: "low".to_owned(),
                explanation: "Moderate concerns about adequacy and minor concerns about methodological limitations and coherence.".to_owned(),
            }),
        },
        syn::FindingBody {
            theme_id: Some(weight.id),
            summary: "Moving between friend and staff member left peer workers unsure where their boundaries lay.".to_owned(),
            studies: None,
            draft: false,
            updated_at: None,
            assessment: None,
        },
    ];
    for f in &findings {
        syn::add_finding(store, review_id, lead, f, now).await.map_err(fail)?;
    }
    Ok(())
}

/// Exclusion reasons of the demo protocol, in order.
pub const REASONS: [&str; 5] = [
    "Not about peer workers",
    "Not homelessness or substance use",
    "Not qualitative",
    "Not primary research",
    "Peer workers' experiences not reported",
];

/// Screens part of the demo review so every stage shows data: agreed inclusions and exclusions, open
/// conflicts and a resolved one at title/abstract; at full text, reports with PDFs (one included, one
/// excluded with a reason), one not retrieved and one awaiting its PDF.
async fn screen(
    store: &Store,
    files_dir: Option<&std::path::Path>,
    review_id: i32,
    lead: i32,
    reviewers: &[i32],
    now: i64,
) -> Result<(), ApiError> {
    use store::screening::NewVote;
    let (Some(&r1), Some(&r2)) = (reviewers.first(), reviewers.get(1)) else { return Ok(()) };
    let protocol = store::screening::Protocol {
        framework: "SPIDER".to_owned(),
        elements: serde_json::json!({
            "S": "Peer workers with lived or living experience of homelessness and substance use",
            "PI": "Working as peer workers in homelessness and substance-use services",
            "D": "Qualitative designs (interviews, focus groups, ethnography)",
            "E": "Experiences, views, perceptions of the peer role",
            "R": "Qualitative or mixed methods with extractable qualitative findings",
        }),
        inclusion: "Primary qualitative (or mixed-methods) studies reporting peer workers' own experiences; published from 1990; English."
            .to_owned(),
        exclusion: "Studies of clients' outcomes only; quantitative designs; reviews, editorials and conference abstracts.".to_owned(),
        reasons: REASONS.iter().map(|r| (*r).to_owned()).collect(),
        include_keywords: ["peer", "lived experience", "qualitative", "homeless", "navigator"].iter().map(|s| (*s).to_owned()).collect(),
        exclude_keywords: ["randomised", "randomized", "trial", "diabetes", "cardiac", "rats"].iter().map(|s| (*s).to_owned()).collect(),
        version: 0,
    };
    super::screening::save_protocol(store, review_id, Some(lead), &protocol, now).await?;
    let items = store::screening::items_in(&store.db, review_id, store::screening::TITLE_ABSTRACT, &["open"], 24).await?;
    let mut included = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let record = store::records::get(&store.db, review_id, item.record_id).await?;
        let title = record.as_ref().and_then(|r| r.title.clone()).unwrap_or_default().to_lowercase();
        let relevant = title.contains("peer") || title.contains("lived experience") || title.contains("navigator");
        let (v1, v2) = match n {
            // Disagreements: two left open for the lead, one resolved.
            3 | 7 | 11 => ("include", "exclude"),
            _ if relevant => ("include", "include"),
            _ => ("exclude", "exclude"),
        };
        // Reviewer 1 tags the relevant records by what made them so (the screening page's T key).
        let tags: Vec<String> = [("peer", "peer workers"), ("lived experience", "lived experience"), ("navigator", "peer navigators")]
            .iter()
            .filter(|(word, _)| title.contains(word))
            .map(|(_, tag)| (*tag).to_owned())
            .collect();
        for (who, v) in [(r1, v1), (r2, v2)] {
            // Reviewer 2 now and then gives another reason for the same exclusion, as people do.
            let reason = (v == "exclude").then(|| {
                if relevant {
                    REASONS[2]
                } else if who == r2 && n % 3 == 0 {
                    REASONS[3]
                } else {
                    REASONS[0]
                }
                .to_owned()
            });
            let tags = if who == r1 { tags.clone() } else { Vec::new() };
            let nv = NewVote { vote: v.to_owned(), reason, note: None, tags };
            super::screening::vote(store, review_id, item.id, who, nv, now)
                .await
                .map_err(|e| ApiError::internal(format!("demo vote: {e}")))?;
        }
        if n == 11 {
            super::screening::resolve(
                store,
                review_id,
                item.id,
                lead,
                "include",
                None,
                Some("Peer navigators count as peer workers (protocol, S).".to_owned()),
                now,
            )
            .await
            .map_err(|e| ApiError::internal(format!("demo resolution: {e}")))?;
        }
        if (v1, v2) == ("include", "include") || n == 11 {
            included.push(item.record_id);
        }
    }
    // The lead then amends the inclusion criteria (protocol version 2): the title/abstract votes were
    // made under version 1, the full-text votes under version 2.
    let amended = store::screening::Protocol {
        inclusion: "Primary qualitative (or mixed-methods) studies reporting peer workers' own experiences, in any service setting; published from 1990; English.".to_owned(),
        ..protocol
    };
    super::screening::save_protocol(store, review_id, Some(lead), &amended, now).await?;
    // Full text: PDFs for the first three reports, one of them then excluded; one report not retrieved.
    for (n, record_id) in included.iter().enumerate() {
        let Some(ft) = store::screening::item_for_record(&store.db, *record_id, store::screening::FULL_TEXT).await? else { continue };
        let fail = |e: super::screening::ScreeningError| ApiError::internal(format!("demo full text: {e}"));
        // Reports 4 and 5 are included too (while others still await their file), so appraisal,
        // extraction and synthesis have several studies to work across.
        let extra_study = matches!(n, 4 | 5) && included.len() > 6;
        match n {
            _ if n <= 2 || extra_study => {
                let record = store::records::get(&store.db, review_id, *record_id).await?;
                let title = record.and_then(|r| r.title).unwrap_or_else(|| "Demo report".to_owned());
                super::screening::attach_pdf(
                    store,
                    files_dir,
                    review_id,
                    ft.id,
                    r1,
                    &format!("report-{record_id}.pdf"),
                    demo_pdf(&title),
                    now,
                )
                .await
                .map_err(fail)?;
                if n != 2 {
                    let (v, reason) = if n == 1 { ("exclude", Some(REASONS[4].to_owned())) } else { ("include", None) };
                    for who in [r1, r2] {
                        let nv = NewVote { vote: v.to_owned(), reason: reason.clone(), note: None, tags: Vec::new() };
                        super::screening::vote(store, review_id, ft.id, who, nv, now).await.map_err(fail)?;
                    }
                }
            }
            3 => {
                super::screening::not_retrieved(store, review_id, ft.id, r2, "Conference poster only; authors did not reply", now)
                    .await
                    .map_err(fail)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// A one-page PDF whose text is `title`, standing in for a demo report's full text.
pub fn demo_pdf(title: &str) -> Vec<u8> {
    let safe: String = title.chars().filter(|c| c.is_ascii() && !matches!(c, '(' | ')' | '\\')).take(90).collect();
    let content = format!("BT /F1 12 Tf 56 740 Td (Demo full text) Tj 0 -20 Td ({safe}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    out
}
