//! The JSON shapes of the API: requests and responses, with their OpenAPI schemas. Storage rows are
//! converted here, so the wire format never changes by accident when a table does.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::time::rfc3339;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when every dependency answers, `degraded` otherwise.
    pub status: String,
    /// `reachable` or `unreachable`.
    pub database: String,
    pub version: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    /// A short-lived bearer token for API clients (browsers use the cookies set alongside).
    pub access_token: String,
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Exchange at `/api/auth/refresh` for a new access token; single use.
    pub refresh_token: String,
    /// Echo in the `X-CSRF-Token` header on state-changing requests made with cookies.
    pub csrf_token: String,
    pub user: User,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RefreshRequest {
    /// Omit when the browser sends the refresh cookie.
    pub refresh_token: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub disabled: bool,
}

impl From<&store::users::User> for User {
    fn from(u: &store::users::User) -> User {
        User { id: u.id, email: u.email.clone(), name: u.name.clone(), is_admin: u.is_admin, disabled: u.disabled }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password: String,
    #[serde(default)]
    pub is_admin: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UserUpdate {
    pub disabled: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Review {
    pub id: i32,
    /// The short name used in addresses, e.g. `demo`.
    pub slug: String,
    pub title: String,
    pub question: String,
    pub archived: bool,
    /// The caller's roles in this review.
    pub roles: Vec<String>,
    pub created_at: String,
    pub counts: ReviewCounts,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ReviewCounts {
    /// Every record imported, duplicates included.
    pub records_imported: u64,
    /// Records merged into another record (PRISMA: duplicate records removed).
    pub duplicates_removed: u64,
    /// Records left to screen after deduplication.
    pub records: u64,
    /// Possible duplicates waiting for a person.
    pub duplicates_pending: u64,
    pub sources: u64,
}

impl Review {
    pub fn from_row(r: &store::reviews::Review, roles: Vec<String>, counts: ReviewCounts) -> Review {
        Review {
            id: r.id,
            slug: r.slug.clone(),
            title: r.title.clone(),
            question: r.question.clone(),
            archived: r.archived,
            roles,
            created_at: rfc3339(r.created_at),
            counts,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewReview {
    /// Lower-case letters, digits and hyphens, 2 to 64 characters.
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub question: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewUpdate {
    pub title: Option<String>,
    pub question: Option<String>,
    pub archived: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Member {
    pub user_id: i32,
    pub name: String,
    pub email: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewMember {
    pub email: String,
    /// `lead`, `reviewer` or `viewer`.
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchSource {
    pub id: i32,
    pub kind: String,
    pub name: String,
    pub platform: Option<String>,
    pub searched_on: Option<String>,
    pub query: Option<String>,
    pub file_name: String,
    pub sha256: String,
    pub format: String,
    pub records_found: i32,
    pub warnings: i32,
    pub imported_at: String,
}

impl From<&store::imports::SearchSource> for SearchSource {
    fn from(s: &store::imports::SearchSource) -> SearchSource {
        SearchSource {
            id: s.id,
            kind: s.kind.clone(),
            name: s.name.clone(),
            platform: s.platform.clone(),
            searched_on: s.searched_on.clone(),
            query: s.query.clone(),
            file_name: s.file_name.clone(),
            sha256: s.sha256.clone(),
            format: s.format.clone(),
            records_found: s.records_found,
            warnings: s.warnings,
            imported_at: rfc3339(s.imported_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Job {
    pub id: String,
    pub kind: String,
    /// `running`, `done` or `failed`.
    pub state: String,
    pub stage: String,
    pub done: i64,
    /// 0 while unknown.
    pub total: i64,
    /// The outcome, once the job has ended.
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&store::jobs::Job> for Job {
    fn from(j: &store::jobs::Job) -> Job {
        Job {
            id: j.id.clone(),
            kind: j.kind.clone(),
            state: j.state.clone(),
            stage: j.stage.clone(),
            done: j.done,
            total: j.total,
            result: j.result.as_deref().and_then(|r| serde_json::from_str(r).ok()),
            created_at: rfc3339(j.created_at),
            updated_at: rfc3339(j.updated_at),
        }
    }
}

/// What importing a file would find, read without storing anything.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportPreview {
    /// The format detected (or forced): ris, pubmed-xml, endnote-xml, nbib, wos, bibtex or csv; `null`
    /// when it could not be told.
    pub format: Option<String>,
    /// The format as people call it, e.g. "RIS".
    pub format_label: Option<String>,
    pub records: usize,
    pub warnings: usize,
    pub errors: usize,
    /// Whether importing would store the records: a known format, no errors, at least one record.
    pub importable: bool,
    /// The warnings and errors with their lines, in file order (the first 200).
    pub diagnostics: Vec<Diagnostic>,
    /// The database the records name (e.g. "CINAHL Ultimate"), when most of them agree.
    pub database: Option<String>,
    /// The platform that served them (e.g. "EBSCOhost"), when most of them agree.
    pub platform: Option<String>,
    /// Where the file came from in a few words, e.g. "EBSCOhost (CINAHL Ultimate)".
    pub origin: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    pub with_abstract: usize,
    pub with_doi: usize,
    /// The first three records.
    pub sample: Vec<PreviewRecord>,
    /// SHA-256 of the file.
    pub sha256: String,
    /// A search source of this review imported from exactly this file, if there is one.
    pub already_imported: Option<SearchSource>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewRecord {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub year: Option<i32>,
    pub journal: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Diagnostic {
    pub line: u32,
    /// `warning` or `error`.
    pub severity: String,
    pub message: String,
}

impl From<&citation::Diagnostic> for Diagnostic {
    fn from(d: &citation::Diagnostic) -> Diagnostic {
        Diagnostic {
            line: d.line,
            severity: match d.severity {
                citation::Severity::Warning => "warning",
                citation::Severity::Error => "error",
            }
            .to_owned(),
            message: d.message.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Record {
    pub id: i32,
    pub search_source_id: i32,
    /// The record's id in its file (RIS ID, PMID, EndNote rec-number...), or its position.
    pub source_record_id: String,
    #[serde(rename = "type")]
    pub ref_type: String,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub year: Option<i32>,
    pub journal: Option<String>,
    pub journal_abbrev: Option<String>,
    pub volume: Option<String>,
    pub issue: Option<String>,
    pub pages: Option<String>,
    pub doi: Option<String>,
    pub pmid: Option<String>,
    pub issn: Option<String>,
    #[serde(rename = "abstract")]
    pub abstract_text: Option<String>,
    pub keywords: Vec<String>,
    pub language: Option<String>,
    pub urls: Vec<String>,
    /// Set when this record was merged into another as a duplicate.
    pub merged_into: Option<i32>,
}

impl From<&store::records::Record> for Record {
    fn from(r: &store::records::Record) -> Record {
        let pages = match (&r.start_page, &r.end_page) {
            (Some(s), Some(e)) if s != e => Some(format!("{s}-{e}")),
            (Some(s), _) => Some(s.clone()),
            _ => None,
        };
        Record {
            id: r.id,
            search_source_id: r.search_source_id,
            source_record_id: r.source_record_id.clone(),
            ref_type: r.ref_type.clone(),
            title: r.title.clone(),
            authors: store::parse_json_list(&r.authors),
            year: r.year,
            journal: r.journal.clone(),
            journal_abbrev: r.journal_abbrev.clone(),
            volume: r.volume.clone(),
            issue: r.issue.clone(),
            pages,
            doi: r.doi.clone(),
            pmid: r.pmid.clone(),
            issn: r.issn.clone(),
            abstract_text: r.abstract_text.clone(),
            keywords: store::parse_json_list(&r.keywords),
            language: r.language.clone(),
            urls: store::parse_json_list(&r.urls),
            merged_into: r.merged_into,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordDetail {
    #[serde(flatten)]
    pub record: Record,
    /// Records merged into this one, each with the search source it came from.
    pub duplicates: Vec<Record>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordPage {
    /// Records after deduplication (those the search found, with `q`).
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
    pub records: Vec<Record>,
}

/// A page of a review's records, optionally searched.
#[derive(Debug, Deserialize, ToSchema, utoipa::IntoParams)]
pub struct RecordsQuery {
    #[serde(default)]
    pub offset: u64,
    /// At most 500; 50 when omitted.
    pub limit: Option<u64>,
    /// Words that must all appear (in any order, ignoring case and accents, as any part of a word) in
    /// the record's title, authors, journal, year, DOI, PMID or number.
    pub q: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema, utoipa::IntoParams)]
pub struct PageQuery {
    #[serde(default)]
    pub offset: u64,
    /// At most 500; 50 when omitted.
    pub limit: Option<u64>,
}

/// Which of my decisions to list: a page of them, most recently changed first, optionally searched.
#[derive(Debug, Deserialize, ToSchema, utoipa::IntoParams)]
pub struct MyVotesQuery {
    #[serde(default)]
    pub offset: u64,
    /// At most 500; 50 when omitted.
    pub limit: Option<u64>,
    /// Words that must all appear (in any order, ignoring case and accents, as any part of a word) in
    /// the record's title, authors, journal, year, DOI or number, or in my vote, reason, note or tags.
    pub q: Option<String>,
    /// Only my votes of this kind: include, exclude or maybe.
    pub vote: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicatePair {
    pub id: i32,
    /// `pending`, `auto_merged`, `merged`, `not_duplicate` or `unmerged`.
    pub status: String,
    /// What the engine decided: `duplicate`, `review` or `related` (preprint and published version).
    pub decision: String,
    pub score: f64,
    /// Which fields matched and how strongly.
    #[schema(value_type = Object)]
    pub evidence: serde_json::Value,
    pub a: Record,
    pub b: Record,
}

#[derive(Debug, Deserialize, ToSchema, utoipa::IntoParams)]
pub struct PairQuery {
    /// Defaults to `pending`.
    pub status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: i32,
    pub at: String,
    pub actor_id: Option<i32>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

impl From<&store::audit::Event> for AuditEvent {
    fn from(e: &store::audit::Event) -> AuditEvent {
        let parse = |s: &Option<String>| s.as_deref().and_then(|v| serde_json::from_str(v).ok());
        AuditEvent {
            id: e.id,
            at: rfc3339(e.at),
            actor_id: e.actor_id,
            action: e.action.clone(),
            entity: e.entity.clone(),
            entity_id: e.entity_id.clone(),
            before: parse(&e.before),
            after: parse(&e.after),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Return events with ids above this one.
    #[serde(default)]
    pub after: i32,
    pub limit: Option<u64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Protocol {
    /// `PICO`, `SPIDER` or `free`.
    pub framework: String,
    /// The framework's elements, e.g. {"S": "peer workers", "PI": "experiences", ...}.
    #[schema(value_type = Object)]
    pub elements: serde_json::Value,
    pub inclusion: String,
    pub exclusion: String,
    /// Exclusion reasons, in the order reviewers pick them (keys 1-9).
    pub reasons: Vec<String>,
    pub include_keywords: Vec<String>,
    pub exclude_keywords: Vec<String>,
    /// Increases with every change; read-only.
    #[serde(default)]
    pub version: i32,
}

impl From<store::screening::Protocol> for Protocol {
    fn from(p: store::screening::Protocol) -> Protocol {
        Protocol {
            framework: p.framework,
            elements: p.elements,
            inclusion: p.inclusion,
            exclusion: p.exclusion,
            reasons: p.reasons,
            include_keywords: p.include_keywords,
            exclude_keywords: p.exclude_keywords,
            version: p.version,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StageSettings {
    /// Independent votes each record needs (1 to 5).
    pub reviewers_per_record: i32,
    /// Reviewers cannot see each other's votes until a record is decided.
    pub blind: bool,
    /// A "maybe" vote makes a conflict for a lead (otherwise it passes the record on).
    pub maybe_is_conflict: bool,
    /// Records in the pilot set (the stage's first records), screened before the rest opens; 0 = none.
    /// Omit to leave unchanged.
    #[serde(default)]
    pub pilot_size: Option<i32>,
    /// Cohen's kappa the pilot must reach for the rest to open by itself. Omit to leave unchanged.
    #[serde(default)]
    pub pilot_threshold: Option<f64>,
    /// Read-only: the rest of the stage is open (the pilot passed or a lead opened it).
    #[serde(default)]
    pub pilot_opened: Option<bool>,
    /// Percentage of records screened by `reviewers_per_record` reviewers (1 to 100); the rest by one.
    /// Omit to leave unchanged.
    #[serde(default)]
    pub double_percent: Option<i32>,
    /// Fixed reviewer pairs (user ids); each record goes to one pair. An empty list removes the pairs.
    /// Omit to leave unchanged.
    #[serde(default)]
    pub pairs: Option<Vec<Vec<i32>>>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Reassign {
    /// The reviewer whose reserved records move.
    pub from: i32,
    /// The reviewer or lead who takes them.
    pub to: i32,
}

/// A stage's pilot, for leads.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pilot {
    pub size: i32,
    pub threshold: f64,
    pub opened: bool,
    /// Every pilot record has all its votes.
    pub complete: bool,
    pub kappa: Option<f64>,
    pub percent_agreement: f64,
    pub n: u64,
}

/// One version of a review's protocol: when it was saved, by whom, and what it changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProtocolVersion {
    pub version: i32,
    pub at: String,
    pub by: Option<String>,
    /// The parts changed from the version before: framework, elements, inclusion, exclusion, reasons,
    /// include_keywords, exclude_keywords (all of those set, for the first version).
    pub changed: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VoteView {
    pub reviewer_id: i32,
    pub reviewer: String,
    /// `include`, `exclude` or `maybe`.
    pub vote: String,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub tags: Vec<String>,
    pub updated_at: String,
    /// The protocol version (criteria) in force when the vote was cast or last changed: 0 when no
    /// protocol had been saved, `null` for votes cast before versions were recorded.
    pub protocol_version: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FileView {
    pub id: i32,
    pub url: String,
}

/// A record to screen, as the caller may see it: blind reviewers see only their own vote until the
/// record is decided; leads see every vote.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScreeningItem {
    pub id: i32,
    /// `title_abstract` or `full_text`.
    pub stage: String,
    /// `open`, `conflict`, `included`, `excluded`, `awaiting_file` or `not_retrieved` (blind reviewers
    /// see `open` for `conflict`).
    pub state: String,
    pub decision: Option<String>,
    pub reason: Option<String>,
    pub record: Record,
    pub my_vote: Option<VoteView>,
    /// Every vote: for leads, or once the record is decided.
    pub votes: Option<Vec<VoteView>>,
    pub file: Option<FileView>,
    pub not_retrieved_reason: Option<String>,
    pub resolution_note: Option<String>,
    /// Full text: the item of the study's main report, when this report is another report of that study.
    pub study_of: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StudyLink {
    /// The full-text item of a report of the same study; null makes this report its own study.
    pub study_of: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PreviousReview {
    /// Studies included in the previous version of the review (null when this is a new review).
    pub studies: Option<i32>,
    /// Reports of those studies.
    pub reports: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct VoteRequest {
    /// `include`, `exclude` or `maybe`.
    pub vote: String,
    /// An exclusion reason from the protocol (required to exclude at full text).
    pub reason: Option<String>,
    pub note: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// The vote as asked for; `app::screening::vote` tidies reason, note and tags.
impl From<VoteRequest> for store::screening::NewVote {
    fn from(b: VoteRequest) -> Self {
        store::screening::NewVote { vote: b.vote, reason: b.reason, note: b.note, tags: b.tags }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Resolution {
    /// `include` or `exclude`.
    pub decision: String,
    pub reason: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NotRetrieved {
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema, utoipa::IntoParams)]
pub struct NextQuery {
    /// How many records to reserve (1 to 5; ask for 2 to prefetch the one after).
    pub count: Option<u64>,
}

#[derive(Debug, Deserialize, ToSchema, utoipa::IntoParams)]
pub struct ThenNextQuery {
    /// How many records to reserve after the vote (0 to 5; default 1).
    pub count: Option<u64>,
}

/// A vote as recorded, and the records the voter should judge next.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoteAndNext {
    /// The voted record as the caller may now see it.
    pub item: ScreeningItem,
    /// The records reserved next, as `next` gives them.
    pub next: Vec<ScreeningItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewerProgress {
    pub reviewer_id: i32,
    pub reviewer: String,
    pub votes: i64,
}

/// Progress of a stage. Blind reviewers get only their own numbers.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageProgress {
    pub stage: String,
    /// Items by state (leads and viewers, or when the stage is not blind).
    pub states: Option<std::collections::BTreeMap<String, i64>>,
    pub my_votes: i64,
    /// Records still waiting for my vote.
    pub my_remaining: i64,
    /// Votes per reviewer (leads only).
    pub reviewers: Option<Vec<ReviewerProgress>>,
    /// The pilot set, when the stage has one (leads only).
    pub pilot: Option<Pilot>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Estimate {
    pub value: f64,
    pub se: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementView {
    /// The reviewer pair, or null for all pairs together.
    pub reviewers: Option<[i32; 2]>,
    /// Records both reviewers judged (first, independent votes).
    pub n: u64,
    pub percent_agreement: f64,
    pub cohen_kappa: Option<Estimate>,
    pub pabak: Option<f64>,
    pub gwet_ac1: Option<Estimate>,
}

/// Agreement on exclusion reasons: all pairs together (the fields of [`AgreementView`], `reviewers`
/// null), and each reviewer pair that both excluded at least one record.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonAgreementView {
    #[serde(flatten)]
    pub all: AgreementView,
    pub pairs: Vec<AgreementView>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewInvitation {
    pub email: String,
    /// `lead`, `reviewer` or `viewer`.
    pub role: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AcceptInvitation {
    pub name: String,
    pub password: String,
}
