//! Thematic synthesis as operations: verbatim extracts of included studies, the codebook (with `.qdc`
//! and `.qdpx` import), codings per coder, descriptive and analytical themes, the theme × study matrix,
//! review findings with their GRADE-CERQual assessment, and the exports (SoQF, evidence profile,
//! matrix, REFI-QDA). Rules come from the `synthesis` crate; every change is an audit event written in
//! the same transaction as the change.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use store::Store;
use store::audit::NewEvent;
use store::synthesis::{CodeRow, CodingRow, ExtractRow, FindingRow, ThemeRow};
use synthesis::cerqual::{Assessment, Concern, Confidence, Judgement};
use synthesis::model::{Code, Coding, Extract, ExtractKind};
use synthesis::refi::{Note, Project, User};
use synthesis::themes::{AnalyticalTheme, DescriptiveTheme, Matrix};
use utoipa::ToSchema;

use super::AppError;
use super::appraisal::Study;

pub const DESCRIPTIVE: &str = "descriptive";
pub const ANALYTICAL: &str = "analytical";

/// The longest extract accepted, in characters: a long passage, never a whole paper.
const MAX_EXTRACT_CHARS: usize = 20_000;

/// Everything a synthesis view or export needs, read once.
pub struct Snapshot {
    pub studies: Vec<Study>,
    pub extracts: Vec<ExtractRow>,
    pub codes: Vec<CodeRow>,
    pub codings: Vec<CodingRow>,
    pub themes: Vec<ThemeRow>,
    pub findings: Vec<FindingRow>,
    /// Names of the review's members (and anyone who ever extracted or coded), by user id.
    pub names: HashMap<i32, String>,
}

pub async fn snapshot(store: &Store, review_id: i32) -> Result<Snapshot, store::StoreError> {
    let db = &store.db;
    let studies = super::appraisal::studies(store, review_id).await?;
    let mut names: HashMap<i32, String> = HashMap::new();
    for (user, _) in store::reviews::members(db, review_id).await? {
        names.insert(user.id, user.name);
    }
    Ok(Snapshot {
        studies,
        extracts: store::synthesis::extracts(db, review_id).await?,
        codes: store::synthesis::codes(db, review_id).await?,
        codings: store::synthesis::codings(db, review_id).await?,
        themes: store::synthesis::themes(db, review_id).await?,
        findings: store::synthesis::findings(db, review_id).await?,
        names,
    })
}

fn ids_of(json: &str) -> Vec<i32> {
    serde_json::from_str(json).unwrap_or_default()
}

fn kind_of(label: &str) -> ExtractKind {
    ExtractKind::from_label(label).unwrap_or(ExtractKind::AuthorInterpretation)
}

impl Snapshot {
    pub fn name(&self, user: i32) -> String {
        self.names.get(&user).cloned().unwrap_or_else(|| format!("User {user}"))
    }

    /// The study label of an item ("Barker 2018"), or a placeholder for a study no longer included.
    pub fn label(&self, item_id: i32) -> String {
        self.studies
            .iter()
            .find(|s| s.item.id == item_id)
            .map_or_else(|| format!("Study {item_id} (no longer included)"), |s| s.label.clone())
    }

    pub fn extract(&self, row: &ExtractRow) -> Extract {
        Extract {
            id: row.id.to_string(),
            study: self.label(row.item_id),
            text: row.text.clone(),
            kind: kind_of(&row.kind),
            page: row.page.and_then(|p| u32::try_from(p).ok()),
            section: row.section.clone(),
            extractor: row.extractor_id.to_string(),
        }
    }

    fn code_model(row: &CodeRow, id: impl Fn(&CodeRow) -> String, parent: Option<String>) -> Code {
        Code {
            id: id(row),
            name: row.name.clone(),
            description: row.description.clone(),
            parent,
            colour: row.colour.clone(),
            codable: row.codable,
        }
    }

    /// The codebook with row ids as code ids.
    pub fn code_models(&self) -> Vec<Code> {
        self.codes.iter().map(|c| Self::code_model(c, |c| c.id.to_string(), c.parent_id.map(|p| p.to_string()))).collect()
    }

    pub fn coding_models(&self) -> Vec<Coding> {
        self.codings
            .iter()
            .map(|c| Coding {
                id: c.id.to_string(),
                extract: c.extract_id.to_string(),
                code: c.code_id.to_string(),
                start: usize::try_from(c.span_start).unwrap_or(0),
                end: usize::try_from(c.span_end).unwrap_or(0),
                coder: c.coder_id.to_string(),
            })
            .collect()
    }

    pub fn descriptive(&self) -> Vec<DescriptiveTheme> {
        self.themes
            .iter()
            .filter(|t| t.kind == DESCRIPTIVE)
            .map(|t| DescriptiveTheme {
                id: t.id.to_string(),
                name: t.name.clone(),
                codes: ids_of(&t.members).iter().map(i32::to_string).collect(),
            })
            .collect()
    }

    pub fn analytical(&self) -> Vec<AnalyticalTheme> {
        self.themes
            .iter()
            .filter(|t| t.kind == ANALYTICAL)
            .map(|t| AnalyticalTheme {
                id: t.id.to_string(),
                name: t.name.clone(),
                memo: t.memo.clone(),
                descriptive: ids_of(&t.members).iter().map(i32::to_string).collect(),
            })
            .collect()
    }

    /// The theme × study matrix over every included study (columns in study order, even those without
    /// extracts), cells holding the ids of supporting extracts.
    pub fn matrix(&self) -> Matrix {
        let extracts: Vec<Extract> = self.extracts.iter().map(|e| self.extract(e)).collect();
        let raw = synthesis::themes::matrix(&self.descriptive(), &self.analytical(), &self.code_models(), &self.coding_models(), &extracts);
        let mut studies: Vec<String> = self.studies.iter().map(|s| s.label.clone()).collect();
        for label in &raw.studies {
            if !studies.contains(label) {
                studies.push(label.clone());
            }
        }
        let rows = raw
            .rows
            .iter()
            .map(|row| synthesis::themes::MatrixRow {
                theme: row.theme.clone(),
                name: row.name.clone(),
                kind: row.kind,
                cells: studies.iter().map(|s| raw.cell(&row.theme, s).to_vec()).collect(),
            })
            .collect();
        Matrix { studies, rows }
    }

    /// Item ids of the studies whose extracts support a theme.
    pub fn supporting_items(&self, theme_id: i32) -> Vec<i32> {
        self.supporting_items_in(&self.matrix(), theme_id)
    }

    /// [`Snapshot::supporting_items`] from a matrix already built, for callers that need several themes.
    pub fn supporting_items_in(&self, matrix: &Matrix, theme_id: i32) -> Vec<i32> {
        let Some(row) = matrix.row(&theme_id.to_string()) else { return Vec::new() };
        let labels = row.supporting_studies(&matrix.studies);
        self.studies.iter().filter(|s| labels.contains(&s.label.as_str())).map(|s| s.item.id).collect()
    }

    /// The CERQual assessment of a finding as the tables need it, or `None` before it is assessed.
    pub fn assessment(&self, finding: &FindingRow) -> Option<Assessment> {
        let stored: AssessmentBody = serde_json::from_str(finding.assessment.as_deref()?).ok()?;
        if check_assessment(&stored).is_err() || ids_of(&finding.studies).is_empty() {
            return None;
        }
        let theme = finding.theme_id.and_then(|t| self.themes.iter().find(|x| x.id == t)).map(|t| t.name.clone()).unwrap_or_default();
        Some(Assessment {
            finding: finding.summary.clone(),
            theme,
            studies: ids_of(&finding.studies).into_iter().map(|i| self.label(i)).collect(),
            methodological_limitations: stored.methodological_limitations.judgement()?,
            coherence: stored.coherence.judgement()?,
            adequacy: stored.adequacy.judgement()?,
            relevance: stored.relevance.judgement()?,
            overall: confidence_of(&stored.overall)?,
            explanation: stored.explanation,
        })
    }

    /// Assessed findings, in display order, for the SoQF table and the evidence profile.
    pub fn assessments(&self) -> Vec<Assessment> {
        self.findings.iter().filter_map(|f| self.assessment(f)).collect()
    }

    /// The whole synthesis as a REFI-QDA project. Codes travel under their stored GUIDs, so a codebook
    /// exported and imported again keeps its identity.
    pub fn project(&self, name: &str) -> Project {
        let guid_of: HashMap<i32, &str> = self.codes.iter().map(|c| (c.id, c.guid.as_str())).collect();
        let codes = self
            .codes
            .iter()
            .map(|c| Self::code_model(c, |c| c.guid.clone(), c.parent_id.and_then(|p| guid_of.get(&p)).map(|g| (*g).to_owned())))
            .collect();
        let mut people: Vec<i32> = self.names.keys().copied().collect();
        people.extend(self.extracts.iter().map(|e| e.extractor_id));
        people.extend(self.codings.iter().map(|c| c.coder_id));
        people.sort_unstable();
        people.dedup();
        let users = people.iter().map(|&id| User { id: id.to_string(), name: self.name(id) }).collect();
        let codings = self
            .codings
            .iter()
            .filter_map(|c| {
                Some(Coding {
                    id: c.id.to_string(),
                    extract: c.extract_id.to_string(),
                    code: (*guid_of.get(&c.code_id)?).to_owned(),
                    start: usize::try_from(c.span_start).ok()?,
                    end: usize::try_from(c.span_end).ok()?,
                    coder: c.coder_id.to_string(),
                })
            })
            .collect();
        let themes = self
            .descriptive()
            .into_iter()
            .map(|t| DescriptiveTheme {
                codes: t
                    .codes
                    .iter()
                    .filter_map(|c| c.parse::<i32>().ok())
                    .filter_map(|c| guid_of.get(&c))
                    .map(|g| (*g).to_owned())
                    .collect(),
                ..t
            })
            .collect();
        let notes = self
            .themes
            .iter()
            .filter(|t| !t.memo.trim().is_empty())
            .map(|t| Note {
                id: format!("theme-{}", t.id),
                target: None,
                text: format!("{} theme \"{}\": {}", capital(&t.kind), t.name, t.memo),
                author: None,
            })
            .collect();
        Project {
            name: name.to_owned(),
            users,
            codes,
            extracts: self.extracts.iter().map(|e| self.extract(e)).collect(),
            codings,
            notes,
            themes,
        }
    }

    /// The matrix as CSV: one row per theme, one column per study, each cell the number of supporting
    /// extracts (blank for none).
    pub fn matrix_csv(&self) -> String {
        synthesis::themes::matrix_csv(&self.matrix())
    }
}

fn capital(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// One CERQual component as stored and sent: a concern key and its explanation.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct ComponentBody {
    /// "no_or_very_minor", "minor", "moderate" or "serious".
    pub concern: String,
    #[serde(default)]
    pub explanation: String,
}

impl ComponentBody {
    fn judgement(&self) -> Option<Judgement> {
        Some(Judgement { concern: concern_of(&self.concern)?, explanation: self.explanation.trim().to_owned() })
    }
}

/// A GRADE-CERQual assessment as stored and sent.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct AssessmentBody {
    pub methodological_limitations: ComponentBody,
    pub coherence: ComponentBody,
    pub adequacy: ComponentBody,
    pub relevance: ComponentBody,
    /// "high", "moderate", "low" or "very_low".
    pub overall: String,
    #[serde(default)]
    pub explanation: String,
}

pub fn concern_of(key: &str) -> Option<Concern> {
    match key {
        "no_or_very_minor" => Some(Concern::NoOrVeryMinor),
        "minor" => Some(Concern::Minor),
        "moderate" => Some(Concern::Moderate),
        "serious" => Some(Concern::Serious),
        _ => None,
    }
}

pub fn confidence_of(key: &str) -> Option<Confidence> {
    match key {
        "high" => Some(Confidence::High),
        "moderate" => Some(Confidence::Moderate),
        "low" => Some(Confidence::Low),
        "very_low" => Some(Confidence::VeryLow),
        _ => None,
    }
}

pub fn confidence_key(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "high",
        Confidence::Moderate => "moderate",
        Confidence::Low => "low",
        Confidence::VeryLow => "very_low",
    }
}

fn check_assessment(body: &AssessmentBody) -> Result<(), AppError> {
    let mut problems = Vec::new();
    for (name, c) in [
        ("Methodological limitations", &body.methodological_limitations),
        ("Coherence", &body.coherence),
        ("Adequacy", &body.adequacy),
        ("Relevance", &body.relevance),
    ] {
        if concern_of(&c.concern).is_none() {
            problems.push(format!("{name} needs a level of concern: no_or_very_minor, minor, moderate or serious."));
        } else if c.concern != "no_or_very_minor" && c.explanation.trim().is_empty() {
            problems.push(format!("{name}: explain why there are {} concerns.", c.concern.replace('_', " ")));
        }
    }
    if confidence_of(&body.overall).is_none() {
        problems.push("The overall confidence must be high, moderate, low or very_low.".to_owned());
    }
    if body.explanation.trim().is_empty() {
        problems.push("Explain the overall CERQual assessment: the tables print this explanation beside it.".to_owned());
    }
    if problems.is_empty() { Ok(()) } else { Err(AppError::Invalid(problems.join(" "))) }
}

/// A draft may leave levels blank, but the levels it sets must be known ones.
fn check_draft(body: &AssessmentBody) -> Result<(), AppError> {
    let components = [&body.methodological_limitations, &body.coherence, &body.adequacy, &body.relevance];
    if let Some(bad) = components.iter().find(|c| !c.concern.is_empty() && concern_of(&c.concern).is_none()) {
        return Err(AppError::Invalid(format!(
            "\"{}\" is not a level of concern: use no_or_very_minor, minor, moderate or serious, or leave it blank in a draft.",
            bad.concern
        )));
    }
    if !body.overall.is_empty() && confidence_of(&body.overall).is_none() {
        return Err(AppError::Invalid("The overall confidence must be high, moderate, low or very_low, or blank in a draft.".into()));
    }
    Ok(())
}

/// What an assessment still lacks before it can appear in the tables (empty when complete).
pub fn missing(body: &AssessmentBody) -> Option<String> {
    check_assessment(body).err().map(|e| e.to_string())
}

/// The suggested overall confidence for an assessment in progress (components set), if all four are set.
pub fn suggested(body: &AssessmentBody) -> Option<&'static str> {
    let concerns = [
        concern_of(&body.methodological_limitations.concern)?,
        concern_of(&body.coherence.concern)?,
        concern_of(&body.adequacy.concern)?,
        concern_of(&body.relevance.concern)?,
    ];
    Some(confidence_key(synthesis::cerqual::suggested_confidence(concerns)))
}

async fn audit(
    txn: &store::DatabaseTransaction,
    review_id: i32,
    actor: i32,
    action: &str,
    entity: &str,
    id: i32,
    before: Option<Value>,
    after: Option<Value>,
    now: i64,
) -> Result<(), store::StoreError> {
    store::audit::append(
        txn,
        NewEvent { review_id: Some(review_id), actor_id: Some(actor), action, entity, entity_id: id.to_string(), before, after },
        now,
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// Views

pub fn extract_json(snap: &Snapshot, e: &ExtractRow) -> Value {
    let codings: Vec<Value> = snap.codings.iter().filter(|c| c.extract_id == e.id).map(|c| coding_json(snap, c)).collect();
    json!({
        "id": e.id,
        "item_id": e.item_id,
        "study": snap.label(e.item_id),
        "text": e.text,
        "kind": e.kind,
        "page": e.page,
        "section": e.section,
        "extractor_id": e.extractor_id,
        "extractor": snap.name(e.extractor_id),
        "created_at": e.created_at,
        "locked": !codings.is_empty(),
        "codings": codings,
    })
}

pub fn coding_json(snap: &Snapshot, c: &CodingRow) -> Value {
    json!({
        "id": c.id,
        "extract_id": c.extract_id,
        "code_id": c.code_id,
        "start": c.span_start,
        "end": c.span_end,
        "coder_id": c.coder_id,
        "coder": snap.name(c.coder_id),
    })
}

pub fn code_json(snap: &Snapshot, c: &CodeRow) -> Value {
    json!({
        "id": c.id,
        "guid": c.guid,
        "name": c.name,
        "description": c.description,
        "parent_id": c.parent_id,
        "colour": c.colour,
        "codable": c.codable,
        "codings": snap.codings.iter().filter(|x| x.code_id == c.id).count(),
    })
}

/// A theme as the API shows it; `matrix` is the review's matrix, built once for all the themes shown.
pub fn theme_json(snap: &Snapshot, matrix: &Matrix, t: &ThemeRow) -> Value {
    json!({
        "id": t.id,
        "kind": t.kind,
        "name": t.name,
        "memo": t.memo,
        "members": ids_of(&t.members),
        "studies": snap.supporting_items_in(matrix, t.id),
        "updated_at": t.updated_at,
    })
}

pub fn finding_json(snap: &Snapshot, f: &FindingRow) -> Value {
    let assessment: Option<AssessmentBody> = f.assessment.as_deref().and_then(|a| serde_json::from_str(a).ok());
    let studies = ids_of(&f.studies);
    json!({
        "id": f.id,
        "theme_id": f.theme_id,
        "theme": f.theme_id.and_then(|t| snap.themes.iter().find(|x| x.id == t)).map(|t| t.name.clone()),
        "summary": f.summary,
        "studies": studies,
        "study_labels": studies.iter().map(|i| snap.label(*i)).collect::<Vec<_>>(),
        "assessment": assessment,
        "suggested_overall": assessment.as_ref().and_then(suggested),
        "assessed": snap.assessment(f).is_some(),
        "missing": assessment.as_ref().and_then(missing),
        "updated_at": f.updated_at,
    })
}

pub fn matrix_json(snap: &Snapshot) -> Value {
    let matrix = snap.matrix();
    let studies: Vec<Value> = matrix
        .studies
        .iter()
        .map(|label| json!({"label": label, "item_id": snap.studies.iter().find(|s| &s.label == label).map(|s| s.item.id)}))
        .collect();
    let rows: Vec<Value> = matrix
        .rows
        .iter()
        .map(|row| {
            let cells: Vec<Vec<i32>> = row.cells.iter().map(|c| c.iter().filter_map(|id| id.parse().ok()).collect()).collect();
            json!({
                "theme_id": row.theme.parse::<i32>().ok(),
                "name": row.name,
                "kind": row.kind.label(),
                "studies": row.supporting_studies(&matrix.studies).len(),
                "cells": cells,
            })
        })
        .collect();
    json!({"studies": studies, "rows": rows})
}

// ---------------------------------------------------------------------------------------------------
// Extracts

/// What a person sends to add or change an extract.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct ExtractBody {
    /// The full-text item of the included study (see `GET .../synthesis`).
    pub item_id: i32,
    /// The verbatim text, exactly as in the paper.
    pub text: String,
    /// "participant quote" or "author interpretation".
    pub kind: String,
    pub page: Option<i32>,
    pub section: Option<String>,
}

fn check_extract(snap: &Snapshot, body: &ExtractBody) -> Result<(String, Option<String>), AppError> {
    if !snap.studies.iter().any(|s| s.item.id == body.item_id) {
        return Err(AppError::Invalid(format!(
            "Item {} is not an included study of this review: extracts come from studies included at full text.",
            body.item_id
        )));
    }
    let text = body.text.trim().to_owned();
    if text.is_empty() {
        return Err(AppError::Invalid("The extract is empty: paste or select the passage you want to keep.".into()));
    }
    let length = text.chars().count();
    if length > MAX_EXTRACT_CHARS {
        return Err(AppError::Invalid(format!(
            "The extract has {length} characters, more than the {MAX_EXTRACT_CHARS} allowed: split it into the findings it holds."
        )));
    }
    if ExtractKind::from_label(&body.kind).is_none() {
        return Err(AppError::Invalid("The kind must be \"participant quote\" or \"author interpretation\".".into()));
    }
    if body.page.is_some_and(|p| p < 1) {
        return Err(AppError::Invalid("Pages are numbered from 1.".into()));
    }
    let section = body.section.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    Ok((text, section))
}

pub async fn add_extract(store: &Store, review_id: i32, actor: i32, body: &ExtractBody, now: i64) -> Result<ExtractRow, AppError> {
    let snap = snapshot(store, review_id).await?;
    let (text, section) = check_extract(&snap, body)?;
    let txn = store.begin().await?;
    let row = store::synthesis::add_extract(
        &txn,
        ExtractRow {
            id: 0,
            review_id,
            item_id: body.item_id,
            text,
            kind: body.kind.clone(),
            page: body.page,
            section,
            extractor_id: actor,
            created_at: now,
            updated_at: now,
        },
    )
    .await?;
    audit(
        &txn,
        review_id,
        actor,
        "extract.add",
        "extract",
        row.id,
        None,
        Some(json!({"item_id": row.item_id, "text": row.text, "kind": row.kind})),
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(row)
}

fn may_change(owner: i32, actor: i32, is_lead: bool, what: &str) -> Result<(), AppError> {
    if owner == actor || is_lead {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!("This {what} belongs to another reviewer: ask them, or a lead, to change it.")))
    }
}

/// Changes an extract. Its text is frozen once coded: codings point at its characters.
pub async fn update_extract(
    store: &Store,
    review_id: i32,
    actor: i32,
    is_lead: bool,
    id: i32,
    body: &ExtractBody,
    now: i64,
) -> Result<ExtractRow, AppError> {
    let snap = snapshot(store, review_id).await?;
    let before = snap.extracts.iter().find(|e| e.id == id).cloned().ok_or(AppError::NotFound("extract"))?;
    may_change(before.extractor_id, actor, is_lead, "extract")?;
    let (text, section) = check_extract(&snap, body)?;
    let txn = store.begin().await?;
    let coded = store::synthesis::codings_of_extract(&txn, id).await?;
    if coded > 0 && (text != before.text || body.item_id != before.item_id) {
        return Err(AppError::Conflict(format!(
            "This extract has {coded} coding(s), so its text and study are fixed: the codings point at its characters. Add a new extract instead, or remove the codings first."
        )));
    }
    let row = store::synthesis::save_extract(
        &txn,
        ExtractRow { item_id: body.item_id, text, kind: body.kind.clone(), page: body.page, section, updated_at: now, ..before.clone() },
    )
    .await?;
    audit(
        &txn,
        review_id,
        actor,
        "extract.update",
        "extract",
        id,
        Some(json!({"text": before.text, "kind": before.kind, "page": before.page, "section": before.section})),
        Some(json!({"text": row.text, "kind": row.kind, "page": row.page, "section": row.section})),
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(row)
}

pub async fn delete_extract(store: &Store, review_id: i32, actor: i32, is_lead: bool, id: i32, now: i64) -> Result<(), AppError> {
    let txn = store.begin().await?;
    let before = store::synthesis::extract(&txn, review_id, id).await?.ok_or(AppError::NotFound("extract"))?;
    may_change(before.extractor_id, actor, is_lead, "extract")?;
    let coded = store::synthesis::codings_of_extract(&txn, id).await?;
    if coded > 0 {
        return Err(AppError::Conflict(format!(
            "This extract has {coded} coding(s): remove them first, so no theme loses its evidence unnoticed."
        )));
    }
    store::synthesis::delete_extract(&txn, id).await?;
    audit(
        &txn,
        review_id,
        actor,
        "extract.delete",
        "extract",
        id,
        Some(json!({"item_id": before.item_id, "text": before.text})),
        None,
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// Codes

/// What a person sends to add or change a code.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct CodeBody {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The parent code, for a code tree; null for a top-level code.
    pub parent_id: Option<i32>,
    /// `#rrggbb`.
    pub colour: Option<String>,
    /// Whether text can be coded with it (false for grouping codes); default true.
    pub codable: Option<bool>,
}

fn check_code_tree(codes: &[CodeRow]) -> Result<(), AppError> {
    let models: Vec<Code> =
        codes.iter().map(|c| Snapshot::code_model(c, |c| c.id.to_string(), c.parent_id.map(|p| p.to_string()))).collect();
    synthesis::model::validate_codes(&models).map_err(AppError::Invalid)?;
    let mut seen: HashSet<(Option<i32>, String)> = HashSet::new();
    for c in codes {
        if !seen.insert((c.parent_id, c.name.to_lowercase())) {
            return Err(AppError::Invalid(format!(
                "There is already a code named \"{}\" at this place in the codebook: choose another name.",
                c.name
            )));
        }
    }
    Ok(())
}

fn clean_code(body: &CodeBody) -> Result<(String, Option<String>), AppError> {
    let name = body.name.trim().to_owned();
    if name.is_empty() {
        return Err(AppError::Invalid("A code needs a name.".into()));
    }
    if name.chars().count() > 200 {
        return Err(AppError::Invalid("Code names are at most 200 characters: put the rest in the description.".into()));
    }
    let colour = body.colour.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_lowercase);
    if let Some(c) = &colour
        && !synthesis::model::is_valid_colour(c)
    {
        return Err(AppError::Invalid(format!("The colour \"{c}\" is not written as #rrggbb.")));
    }
    Ok((name, colour))
}

/// Adds a code; `guid` is its REFI-QDA identity (a fresh UUID from the caller).
pub async fn add_code(store: &Store, review_id: i32, actor: i32, body: &CodeBody, guid: String, now: i64) -> Result<CodeRow, AppError> {
    let (name, colour) = clean_code(body)?;
    let txn = store.begin().await?;
    let mut codes = store::synthesis::codes(&txn, review_id).await?;
    if let Some(p) = body.parent_id
        && !codes.iter().any(|c| c.id == p)
    {
        return Err(AppError::Invalid(format!("The parent code {p} is not in this review's codebook.")));
    }
    let row = CodeRow {
        id: -1,
        review_id,
        guid,
        name,
        description: body.description.trim().to_owned(),
        parent_id: body.parent_id,
        colour,
        codable: body.codable.unwrap_or(true),
        position: codes.iter().map(|c| c.position + 1).max().unwrap_or(0),
        created_at: now,
    };
    codes.push(row.clone());
    check_code_tree(&codes)?;
    let row = store::synthesis::add_code(&txn, row).await?;
    audit(&txn, review_id, actor, "code.add", "code", row.id, None, Some(json!({"name": row.name, "parent_id": row.parent_id})), now)
        .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(row)
}

pub async fn update_code(store: &Store, review_id: i32, actor: i32, id: i32, body: &CodeBody, now: i64) -> Result<CodeRow, AppError> {
    let (name, colour) = clean_code(body)?;
    let txn = store.begin().await?;
    let mut codes = store::synthesis::codes(&txn, review_id).await?;
    let index = codes.iter().position(|c| c.id == id).ok_or(AppError::NotFound("code"))?;
    let before = codes[index].clone();
    if let Some(p) = body.parent_id
        && !codes.iter().any(|c| c.id == p)
    {
        return Err(AppError::Invalid(format!("The parent code {p} is not in this review's codebook.")));
    }
    let after = CodeRow {
        name,
        description: body.description.trim().to_owned(),
        parent_id: body.parent_id,
        colour,
        codable: body.codable.unwrap_or(before.codable),
        ..before.clone()
    };
    codes[index] = after.clone();
    check_code_tree(&codes)?;
    let row = store::synthesis::save_code(&txn, after).await?;
    audit(
        &txn,
        review_id,
        actor,
        "code.update",
        "code",
        id,
        Some(json!({"name": before.name, "description": before.description, "parent_id": before.parent_id, "colour": before.colour})),
        Some(json!({"name": row.name, "description": row.description, "parent_id": row.parent_id, "colour": row.colour})),
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(row)
}

/// Deletes a code that has no child codes and no codings (a code with evidence is never dropped silently).
pub async fn delete_code(store: &Store, review_id: i32, actor: i32, id: i32, now: i64) -> Result<(), AppError> {
    let txn = store.begin().await?;
    let codes = store::synthesis::codes(&txn, review_id).await?;
    let before = codes.iter().find(|c| c.id == id).cloned().ok_or(AppError::NotFound("code"))?;
    if codes.iter().any(|c| c.parent_id == Some(id)) {
        return Err(AppError::Conflict(format!("\"{}\" has child codes: move or delete them first.", before.name)));
    }
    let used = store::synthesis::codings(&txn, review_id).await?.iter().filter(|c| c.code_id == id).count();
    if used > 0 {
        return Err(AppError::Conflict(format!("\"{}\" is applied {used} time(s): remove those codings first.", before.name)));
    }
    drop_member(&txn, review_id, DESCRIPTIVE, id, now).await?;
    store::synthesis::delete_code(&txn, id).await?;
    audit(&txn, review_id, actor, "code.delete", "code", id, Some(json!({"name": before.name, "guid": before.guid})), None, now).await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(())
}

/// What an import of a codebook did.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct CodebookImport {
    pub codes_added: usize,
    pub codes_updated: usize,
    pub themes_added: usize,
    pub themes_updated: usize,
}

/// Imports a REFI-QDA codebook (`.qdc`, or the codebook and sets of a `.qdpx` project): codes are
/// matched by GUID (updated when known, added otherwise) and sets become descriptive themes, matched
/// by name. All or nothing.
pub async fn import_codebook(store: &Store, review_id: i32, actor: i32, bytes: &[u8], now: i64) -> Result<CodebookImport, AppError> {
    let (codes, themes) = if bytes.starts_with(b"PK") {
        let project =
            synthesis::refi::read_qdpx(bytes).map_err(|e| AppError::Invalid(format!("The .qdpx project could not be read: {e}")))?;
        (project.codes, project.themes)
    } else {
        let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
            .map_err(|_| AppError::Invalid("The codebook is not UTF-8 text: export it again as a REFI-QDA .qdc file.".into()))?;
        let book = synthesis::refi::read_qdc(text).map_err(|e| AppError::Invalid(format!("The .qdc codebook could not be read: {e}")))?;
        (book.codes, book.themes)
    };
    let txn = store.begin().await?;
    let mut report = CodebookImport::default();
    let existing = store::synthesis::codes(&txn, review_id).await?;
    let mut by_guid: HashMap<String, CodeRow> = existing.iter().map(|c| (c.guid.to_lowercase(), c.clone())).collect();
    let mut position = existing.iter().map(|c| c.position + 1).max().unwrap_or(0);
    // First pass: every code exists (parents are set in the second pass, so order does not matter).
    for code in &codes {
        let key = code.id.to_lowercase();
        let row = match by_guid.get(&key) {
            Some(known) => {
                report.codes_updated += 1;
                store::synthesis::save_code(
                    &txn,
                    CodeRow {
                        name: code.name.clone(),
                        description: code.description.clone(),
                        colour: code.colour.clone().map(|c| c.to_lowercase()),
                        codable: code.codable,
                        ..known.clone()
                    },
                )
                .await?
            }
            None => {
                report.codes_added += 1;
                position += 1;
                store::synthesis::add_code(
                    &txn,
                    CodeRow {
                        id: -1,
                        review_id,
                        guid: code.id.clone(),
                        name: code.name.clone(),
                        description: code.description.clone(),
                        parent_id: None,
                        colour: code.colour.clone().map(|c| c.to_lowercase()),
                        codable: code.codable,
                        position,
                        created_at: now,
                    },
                )
                .await?
            }
        };
        by_guid.insert(key, row);
    }
    for code in &codes {
        let parent = code.parent.as_ref().and_then(|p| by_guid.get(&p.to_lowercase())).map(|p| p.id);
        let row = by_guid[&code.id.to_lowercase()].clone();
        if row.parent_id != parent {
            let saved = store::synthesis::save_code(&txn, CodeRow { parent_id: parent, ..row }).await?;
            by_guid.insert(code.id.to_lowercase(), saved);
        }
    }
    check_code_tree(&store::synthesis::codes(&txn, review_id).await?)?;
    let mut themes_now = store::synthesis::themes(&txn, review_id).await?;
    let mut theme_position = themes_now.iter().map(|t| t.position + 1).max().unwrap_or(0);
    for set in &themes {
        let members: Vec<i32> = set.codes.iter().filter_map(|g| by_guid.get(&g.to_lowercase())).map(|c| c.id).collect();
        match themes_now.iter().find(|t| t.kind == DESCRIPTIVE && t.name.eq_ignore_ascii_case(&set.name)) {
            Some(t) => {
                report.themes_updated += 1;
                let mut all = ids_of(&t.members);
                all.extend(members.iter().filter(|m| !all.contains(m)).copied().collect::<Vec<_>>());
                store::synthesis::save_theme(&txn, ThemeRow { members: json!(all).to_string(), updated_at: now, ..t.clone() }).await?;
            }
            None => {
                report.themes_added += 1;
                theme_position += 1;
                let row = store::synthesis::add_theme(
                    &txn,
                    ThemeRow {
                        id: -1,
                        review_id,
                        kind: DESCRIPTIVE.to_owned(),
                        name: set.name.clone(),
                        memo: String::new(),
                        members: json!(members).to_string(),
                        position: theme_position,
                        updated_at: now,
                    },
                )
                .await?;
                themes_now.push(row);
            }
        }
    }
    audit(&txn, review_id, actor, "codebook.import", "review", review_id, None, Some(json!(report)), now).await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(report)
}

// ---------------------------------------------------------------------------------------------------
// Codings

/// A span of an extract to code: offsets in Unicode scalar values (JavaScript code points, not UTF-16
/// units), `end` exclusive.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct CodingBody {
    pub extract_id: i32,
    pub code_id: i32,
    pub start: i32,
    pub end: i32,
}

/// Codes a span for the caller. Coding the same span with the same code twice returns the first coding.
pub async fn add_coding(store: &Store, review_id: i32, actor: i32, body: &CodingBody, now: i64) -> Result<CodingRow, AppError> {
    let txn = store.begin().await?;
    let extract = store::synthesis::extract(&txn, review_id, body.extract_id).await?.ok_or(AppError::NotFound("extract"))?;
    let code = store::synthesis::code(&txn, review_id, body.code_id).await?.ok_or(AppError::NotFound("code"))?;
    if !code.codable {
        return Err(AppError::Invalid(format!(
            "\"{}\" groups other codes and is not used for coding text: pick one of its child codes.",
            code.name
        )));
    }
    let (Ok(start), Ok(end)) = (usize::try_from(body.start), usize::try_from(body.end)) else {
        return Err(AppError::Invalid("Span offsets count characters from 0; they cannot be negative.".into()));
    };
    let model = Extract {
        id: extract.id.to_string(),
        study: String::new(),
        text: extract.text.clone(),
        kind: kind_of(&extract.kind),
        page: None,
        section: None,
        extractor: String::new(),
    };
    synthesis::model::validate_coding(&model, start, end).map_err(AppError::Invalid)?;
    let existing = store::synthesis::codings(&txn, review_id).await?.into_iter().find(|c| {
        c.extract_id == body.extract_id
            && c.code_id == body.code_id
            && c.span_start == body.start
            && c.span_end == body.end
            && c.coder_id == actor
    });
    if let Some(found) = existing {
        return Ok(found);
    }
    let row = store::synthesis::add_coding(
        &txn,
        CodingRow {
            id: -1,
            review_id,
            extract_id: body.extract_id,
            code_id: body.code_id,
            span_start: body.start,
            span_end: body.end,
            coder_id: actor,
            created_at: now,
        },
    )
    .await?;
    let text = synthesis::model::span_text(&model, start, end).unwrap_or_default();
    audit(
        &txn,
        review_id,
        actor,
        "coding.add",
        "coding",
        row.id,
        None,
        Some(json!({"extract_id": row.extract_id, "code_id": row.code_id, "code": code.name, "start": start, "end": end, "text": text})),
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(row)
}

pub async fn delete_coding(store: &Store, review_id: i32, actor: i32, is_lead: bool, id: i32, now: i64) -> Result<(), AppError> {
    let txn = store.begin().await?;
    let before = store::synthesis::coding(&txn, review_id, id).await?.ok_or(AppError::NotFound("coding"))?;
    may_change(before.coder_id, actor, is_lead, "coding")?;
    store::synthesis::delete_coding(&txn, id).await?;
    audit(
        &txn,
        review_id,
        actor,
        "coding.delete",
        "coding",
        id,
        Some(json!({"extract_id": before.extract_id, "code_id": before.code_id, "start": before.span_start, "end": before.span_end, "coder_id": before.coder_id})),
        None,
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// Themes

/// What a person sends to add or change a theme.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct ThemeBody {
    /// "descriptive" (members are codes) or "analytical" (members are descriptive themes).
    pub kind: String,
    pub name: String,
    /// The narrative memo: for analytical themes, the interpretation going beyond the studies.
    #[serde(default)]
    pub memo: String,
    #[serde(default)]
    pub members: Vec<i32>,
    /// On a change, the theme's `updated_at` as the sender last saw it: when someone else changed the
    /// theme since, the change is refused (409) instead of silently undoing theirs.
    pub updated_at: Option<i64>,
}

/// A change's `updated_at`: now, but always after the one it replaces (two changes within a
/// millisecond still differ, so a stale sender is always told).
fn next_stamp(now: i64, before: i64) -> i64 {
    now.max(before.saturating_add(1))
}

const CHANGED_MEANWHILE: &str =
    "Someone else changed this since you loaded it: reload the page to see their change, then make yours again.";

async fn check_theme(
    txn: &store::DatabaseTransaction,
    review_id: i32,
    id: Option<i32>,
    body: &ThemeBody,
) -> Result<(String, Vec<i32>), AppError> {
    let name = body.name.trim().to_owned();
    if name.is_empty() {
        return Err(AppError::Invalid("A theme needs a name.".into()));
    }
    let themes = store::synthesis::themes(txn, review_id).await?;
    if themes.iter().any(|t| Some(t.id) != id && t.kind == body.kind && t.name.eq_ignore_ascii_case(&name)) {
        return Err(AppError::Invalid(format!("There is already a {} theme named \"{name}\".", body.kind)));
    }
    let mut members: Vec<i32> = Vec::new();
    for m in &body.members {
        if !members.contains(m) {
            members.push(*m);
        }
    }
    match body.kind.as_str() {
        DESCRIPTIVE => {
            let codes: HashSet<i32> = store::synthesis::codes(txn, review_id).await?.iter().map(|c| c.id).collect();
            if let Some(bad) = members.iter().find(|m| !codes.contains(m)) {
                return Err(AppError::Invalid(format!("Code {bad} is not in this review's codebook; a descriptive theme groups codes.")));
            }
        }
        ANALYTICAL => {
            let descriptive: HashSet<i32> = themes.iter().filter(|t| t.kind == DESCRIPTIVE).map(|t| t.id).collect();
            if let Some(bad) = members.iter().find(|m| !descriptive.contains(m)) {
                return Err(AppError::Invalid(format!(
                    "Theme {bad} is not a descriptive theme of this review; an analytical theme groups descriptive themes."
                )));
            }
        }
        _ => return Err(AppError::Invalid("The kind of a theme is \"descriptive\" or \"analytical\".".into())),
    }
    Ok((name, members))
}

pub async fn add_theme(store: &Store, review_id: i32, actor: i32, body: &ThemeBody, now: i64) -> Result<ThemeRow, AppError> {
    let txn = store.begin().await?;
    let (name, members) = check_theme(&txn, review_id, None, body).await?;
    let position = store::synthesis::themes(&txn, review_id).await?.iter().map(|t| t.position + 1).max().unwrap_or(0);
    let row = store::synthesis::add_theme(
        &txn,
        ThemeRow {
            id: -1,
            review_id,
            kind: body.kind.clone(),
            name,
            memo: body.memo.trim().to_owned(),
            members: json!(members).to_string(),
            position,
            updated_at: now,
        },
    )
    .await?;
    audit(
        &txn,
        review_id,
        actor,
        "theme.add",
        "theme",
        row.id,
        None,
        Some(json!({"kind": row.kind, "name": row.name, "members": members})),
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(row)
}

pub async fn update_theme(store: &Store, review_id: i32, actor: i32, id: i32, body: &ThemeBody, now: i64) -> Result<ThemeRow, AppError> {
    // The review's write lock: on SQLite a transaction that reads and then writes would otherwise fail
    // when another write lands in between.
    let locked = store.begin_locked(review_id).await?;
    let txn = &locked.txn;
    let before = store::synthesis::theme(txn, review_id, id).await?.ok_or(AppError::NotFound("theme"))?;
    if body.updated_at.is_some_and(|seen| seen != before.updated_at) {
        return Err(AppError::Conflict(CHANGED_MEANWHILE.into()));
    }
    if before.kind != body.kind {
        return Err(AppError::Invalid(format!("This theme is {}; its kind cannot change. Create a new theme instead.", before.kind)));
    }
    let (name, members) = check_theme(txn, review_id, Some(id), body).await?;
    // Written only over the theme as read: a change that landed meanwhile is never undone.
    let row = store::synthesis::save_theme_if(
        txn,
        ThemeRow {
            name,
            memo: body.memo.trim().to_owned(),
            members: json!(members).to_string(),
            updated_at: next_stamp(now, before.updated_at),
            ..before.clone()
        },
        before.updated_at,
    )
    .await?
    .ok_or_else(|| AppError::Conflict(CHANGED_MEANWHILE.into()))?;
    audit(
        txn,
        review_id,
        actor,
        "theme.update",
        "theme",
        id,
        Some(json!({"name": before.name, "memo": before.memo, "members": ids_of(&before.members)})),
        Some(json!({"name": row.name, "memo": row.memo, "members": members})),
        now,
    )
    .await?;
    locked.commit().await?;
    Ok(row)
}

/// Takes `member` (a code, or a descriptive theme) out of the members of the review's themes of `kind`
/// that have it, each with a stamp past its old one, so an edit from a copy read before is refused.
async fn drop_member(txn: &store::DatabaseTransaction, review_id: i32, kind: &str, member: i32, now: i64) -> Result<(), AppError> {
    for theme in store::synthesis::themes(txn, review_id).await?.into_iter().filter(|t| t.kind == kind) {
        let members = ids_of(&theme.members);
        if members.contains(&member) {
            let kept: Vec<i32> = members.into_iter().filter(|m| *m != member).collect();
            let updated_at = next_stamp(now, theme.updated_at);
            store::synthesis::save_theme(txn, ThemeRow { members: json!(kept).to_string(), updated_at, ..theme }).await?;
        }
    }
    Ok(())
}

/// Deletes a theme; analytical themes drop it from their members and findings keep their text
/// without a theme.
pub async fn delete_theme(store: &Store, review_id: i32, actor: i32, id: i32, now: i64) -> Result<(), AppError> {
    let txn = store.begin().await?;
    let before = store::synthesis::theme(&txn, review_id, id).await?.ok_or(AppError::NotFound("theme"))?;
    if before.kind == DESCRIPTIVE {
        drop_member(&txn, review_id, ANALYTICAL, id, now).await?;
    }
    store::synthesis::detach_findings(&txn, review_id, id, now).await?;
    store::synthesis::delete_theme(&txn, id).await?;
    audit(
        &txn,
        review_id,
        actor,
        "theme.delete",
        "theme",
        id,
        Some(json!({"kind": before.kind, "name": before.name, "memo": before.memo, "members": ids_of(&before.members)})),
        None,
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// Review findings and CERQual

/// What a person sends to add or change a review finding.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct FindingBody {
    /// The theme the finding summarises (usually analytical).
    pub theme_id: Option<i32>,
    /// The summary of the review finding, as printed in the SoQF table.
    pub summary: String,
    /// Item ids of the contributing studies; when absent, the studies supporting the theme.
    pub studies: Option<Vec<i32>>,
    /// The CERQual assessment; absent or null while not yet assessed.
    pub assessment: Option<AssessmentBody>,
    /// Save an unfinished assessment as it is (levels may be blank, explanations missing); it stays out
    /// of the SoQF table and the evidence profile until saved complete.
    #[serde(default)]
    pub draft: bool,
    /// On a change, the finding's `updated_at` as the sender last saw it (see [`ThemeBody::updated_at`]).
    pub updated_at: Option<i64>,
}

async fn check_finding(store: &Store, review_id: i32, body: &FindingBody) -> Result<(String, Vec<i32>), AppError> {
    let snap = snapshot(store, review_id).await?;
    let summary = body.summary.trim().to_owned();
    if summary.is_empty() {
        return Err(AppError::Invalid("Write the review finding: one or two sentences summarising what the studies show.".into()));
    }
    if let Some(t) = body.theme_id
        && !snap.themes.iter().any(|x| x.id == t)
    {
        return Err(AppError::Invalid(format!("Theme {t} is not a theme of this review.")));
    }
    let studies = match &body.studies {
        Some(list) => {
            let mut out: Vec<i32> = Vec::new();
            for i in list {
                if !snap.studies.iter().any(|s| s.item.id == *i) {
                    return Err(AppError::Invalid(format!("Item {i} is not an included study of this review.")));
                }
                if !out.contains(i) {
                    out.push(*i);
                }
            }
            out
        }
        None => body.theme_id.map(|t| snap.supporting_items(t)).unwrap_or_default(),
    };
    if let Some(a) = &body.assessment
        && body.draft
    {
        check_draft(a)?;
    } else if let Some(a) = &body.assessment {
        check_assessment(a)?;
        if studies.is_empty() {
            return Err(AppError::Invalid("A finding assessed with CERQual needs at least one contributing study.".into()));
        }
    }
    Ok((summary, studies))
}

pub async fn add_finding(store: &Store, review_id: i32, actor: i32, body: &FindingBody, now: i64) -> Result<FindingRow, AppError> {
    let (summary, studies) = check_finding(store, review_id, body).await?;
    let locked = store.begin_locked(review_id).await?;
    let txn = &locked.txn;
    let position = store::synthesis::findings(txn, review_id).await?.iter().map(|f| f.position + 1).max().unwrap_or(0);
    let row = store::synthesis::add_finding(
        txn,
        FindingRow {
            id: -1,
            review_id,
            theme_id: body.theme_id,
            summary,
            studies: json!(studies).to_string(),
            assessment: body.assessment.as_ref().map(|a| json!(a).to_string()),
            position,
            updated_by: actor,
            updated_at: now,
        },
    )
    .await?;
    audit(
        txn,
        review_id,
        actor,
        "finding.add",
        "finding",
        row.id,
        None,
        Some(json!({"summary": row.summary, "theme_id": row.theme_id, "studies": studies, "assessment": body.assessment})),
        now,
    )
    .await?;
    locked.commit().await?;
    Ok(row)
}

pub async fn update_finding(
    store: &Store,
    review_id: i32,
    actor: i32,
    id: i32,
    body: &FindingBody,
    now: i64,
) -> Result<FindingRow, AppError> {
    let before = store::synthesis::finding(&store.db, review_id, id).await?.ok_or(AppError::NotFound("review finding"))?;
    if body.updated_at.is_some_and(|seen| seen != before.updated_at) {
        return Err(AppError::Conflict(CHANGED_MEANWHILE.into()));
    }
    let (summary, studies) = check_finding(store, review_id, body).await?;
    let locked = store.begin_locked(review_id).await?;
    let txn = &locked.txn;
    // Written only over the finding as read above: a change that landed since is never undone.
    let row = store::synthesis::save_finding_if(
        txn,
        FindingRow {
            theme_id: body.theme_id,
            summary,
            studies: json!(studies).to_string(),
            assessment: body.assessment.as_ref().map(|a| json!(a).to_string()),
            updated_by: actor,
            updated_at: next_stamp(now, before.updated_at),
            ..before.clone()
        },
        before.updated_at,
    )
    .await?
    .ok_or_else(|| AppError::Conflict(CHANGED_MEANWHILE.into()))?;
    let as_json = |f: &FindingRow| json!({"summary": f.summary, "theme_id": f.theme_id, "studies": ids_of(&f.studies), "assessment": f.assessment.as_deref().and_then(|a| serde_json::from_str::<Value>(a).ok())});
    audit(txn, review_id, actor, "finding.update", "finding", id, Some(as_json(&before)), Some(as_json(&row)), now).await?;
    locked.commit().await?;
    Ok(row)
}

pub async fn delete_finding(store: &Store, review_id: i32, actor: i32, id: i32, now: i64) -> Result<(), AppError> {
    let txn = store.begin().await?;
    let before = store::synthesis::finding(&txn, review_id, id).await?.ok_or(AppError::NotFound("review finding"))?;
    store::synthesis::delete_finding(&txn, id).await?;
    audit(
        &txn,
        review_id,
        actor,
        "finding.delete",
        "finding",
        id,
        Some(json!({"summary": before.summary, "theme_id": before.theme_id})),
        None,
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(())
}

/// What the appraisal says about each contributing study, to inform the methodological-limitations
/// judgement: the reconciled answers counted by rating, per study.
pub async fn appraisal_summaries(store: &Store, review_id: i32) -> Result<HashMap<String, Value>, AppError> {
    let mut out = HashMap::new();
    let Ok((instr, rows)) = super::appraisal::table(store, review_id).await else { return Ok(out) };
    for row in rows {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for cell in &row.cells {
            let Some(rating) = cell.rating else { continue };
            let name = rating.name().to_owned();
            match counts.iter_mut().find(|(n, _)| *n == name) {
                Some((_, c)) => *c += 1,
                None => counts.push((name, 1)),
            }
        }
        let text = if counts.is_empty() {
            "appraised, no rated items".to_owned()
        } else {
            counts.iter().map(|(n, c)| format!("{n}: {c}")).collect::<Vec<_>>().join(", ")
        };
        out.insert(
            row.study.clone(),
            json!({
                "instrument": instr.name,
                "summary": text,
                "items": row.cells.iter().map(|c| json!({"item": c.item, "answer": c.label, "rating": c.rating.map(|r| r.name())})).collect::<Vec<_>>(),
            }),
        );
    }
    Ok(out)
}
