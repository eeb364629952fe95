//! The rules of dual screening: what the independent votes on one record at one stage decide, and whether a vote may be stored.
//!
//! A lead's resolution of a conflict overrides [`outcome`]; that is the caller's business.

/// A screening stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    TitleAbstract,
    FullText,
}

impl Stage {
    /// The stable name used in storage and APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::TitleAbstract => "title_abstract",
            Stage::FullText => "full_text",
        }
    }

    /// Reads a name written by [`Stage::as_str`], ignoring case and surrounding spaces.
    pub fn parse(s: &str) -> Option<Stage> {
        match s.trim().to_ascii_lowercase().as_str() {
            "title_abstract" => Some(Stage::TitleAbstract),
            "full_text" => Some(Stage::FullText),
            _ => None,
        }
    }
}

/// One reviewer's vote on a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Vote {
    Include,
    Exclude,
    Maybe,
}

impl Vote {
    /// The stable name used in storage and APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Vote::Include => "include",
            Vote::Exclude => "exclude",
            Vote::Maybe => "maybe",
        }
    }

    /// Reads a name written by [`Vote::as_str`], ignoring case and surrounding spaces.
    pub fn parse(s: &str) -> Option<Vote> {
        match s.trim().to_ascii_lowercase().as_str() {
            "include" => Some(Vote::Include),
            "exclude" => Some(Vote::Exclude),
            "maybe" => Some(Vote::Maybe),
            _ => None,
        }
    }
}

/// How one stage of a review is screened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StageSettings {
    /// How many independent votes decide a record (default 2; 0 is treated as 1).
    pub reviewers_per_record: u8,
    /// Whether reviewers cannot see each other's votes before they vote (default true).
    /// [`outcome`] does not depend on it; the caller uses it to hide votes.
    pub blind: bool,
    /// Whether a Maybe vote sends the record to conflict resolution (default true). When false,
    /// Maybe counts as Include, so the record passes to the next stage.
    pub maybe_is_conflict: bool,
}

impl Default for StageSettings {
    fn default() -> StageSettings {
        StageSettings { reviewers_per_record: 2, blind: true, maybe_is_conflict: true }
    }
}

/// What the votes on a record at one stage decide.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Not enough reviewers have voted yet.
    NeedsVotes { have: u8, need: u8 },
    /// Every vote is Include (or Maybe, when Maybe is not a conflict).
    Included,
    /// Every vote is Exclude.
    Excluded { reason: Option<String> },
    /// The votes disagree, or a Maybe vote needs a decision.
    Conflict,
}

/// One stored vote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CastVote {
    pub reviewer: i64,
    pub vote: Vote,
    pub reason: Option<String>,
}

/// What the independent votes of one record at one stage decide (a lead's resolution overrides it; that's the caller's business).
///
/// - Each reviewer counts once: when a reviewer appears more than once, their last vote counts,
///   in the place of their first.
/// - Fewer reviewers than `reviewers_per_record` gives [`Outcome::NeedsVotes`]. With one
///   reviewer per record, that one vote decides.
/// - When `maybe_is_conflict` is true, any Maybe vote (including all Maybe, or a single
///   reviewer's Maybe) gives [`Outcome::Conflict`]. When it is false, Maybe counts as Include:
///   the record passes to the next stage, where it is screened again.
/// - All Include gives [`Outcome::Included`]; any Include against an Exclude gives
///   [`Outcome::Conflict`].
/// - All Exclude gives [`Outcome::Excluded`] with the reason the reviewers share when they all
///   gave the same one, otherwise the first reviewer's reason (or, when the first reviewer gave
///   none, the first reason given).
pub fn outcome(votes: &[CastVote], settings: &StageSettings) -> Outcome {
    let need = settings.reviewers_per_record.max(1);
    let mut counted: Vec<&CastVote> = Vec::with_capacity(votes.len());
    for v in votes {
        match counted.iter_mut().find(|c| c.reviewer == v.reviewer) {
            Some(slot) => *slot = v,
            None => counted.push(v),
        }
    }
    let have = u8::try_from(counted.len()).unwrap_or(u8::MAX);
    if have < need {
        return Outcome::NeedsVotes { have, need };
    }
    let mut includes = 0usize;
    let mut excludes = 0usize;
    for v in &counted {
        match v.vote {
            Vote::Include => includes += 1,
            Vote::Exclude => excludes += 1,
            Vote::Maybe if settings.maybe_is_conflict => return Outcome::Conflict,
            Vote::Maybe => includes += 1,
        }
    }
    match (includes, excludes) {
        (_, 0) => Outcome::Included,
        (0, _) => Outcome::Excluded { reason: shared_reason(&counted) },
        _ => Outcome::Conflict,
    }
}

/// The reason of an all-Exclude decision: the shared one, else the first reviewer's, else the first given.
fn shared_reason(votes: &[&CastVote]) -> Option<String> {
    let reasons: Vec<Option<&str>> = votes.iter().map(|v| clean(v.reason.as_deref())).collect();
    let first = reasons.first().copied().flatten();
    if first.is_some() {
        return first.map(str::to_owned);
    }
    reasons.iter().copied().flatten().next().map(str::to_owned)
}

/// A reason with surrounding spaces removed, or `None` when it is empty.
fn clean(reason: Option<&str>) -> Option<&str> {
    reason.map(str::trim).filter(|r| !r.is_empty())
}

/// Checks a vote before it is stored: at full text an exclusion needs a reason; the reason must be one of the review's reasons (when the list is non-empty); returns a sentence for the person when wrong.
///
/// Reasons are compared after trimming surrounding spaces, and a blank reason counts as none.
/// The membership check applies to any reason given, whatever the vote.
pub fn validate_vote(stage: Stage, vote: Vote, reason: Option<&str>, allowed_reasons: &[String]) -> Result<(), String> {
    let reason = clean(reason);
    if stage == Stage::FullText && vote == Vote::Exclude && reason.is_none() {
        return Err("An exclusion at full text needs a reason: please choose one.".to_owned());
    }
    if let Some(r) = reason {
        let known = allowed_reasons.iter().any(|a| a.trim() == r);
        if !allowed_reasons.is_empty() && !known {
            let list: Vec<&str> = allowed_reasons.iter().map(|a| a.trim()).collect();
            return Err(format!("\u{201c}{r}\u{201d} is not one of this review's exclusion reasons ({}).", list.join("; ")));
        }
    }
    Ok(())
}

/// The most tags one vote carries.
pub const MAX_TAGS: usize = 20;
/// The longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 60;

/// A vote's tags as they are stored: each trimmed with runs of whitespace made one space, blank ones
/// dropped, and repeats (ignoring case) dropped, in the order given. Returns a sentence for the person
/// when there are more than [`MAX_TAGS`] or one is longer than [`MAX_TAG_CHARS`] characters.
pub fn tidy_tags(tags: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.split_whitespace().collect::<Vec<_>>().join(" ");
        if tag.is_empty() || out.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            continue;
        }
        if tag.chars().count() > MAX_TAG_CHARS {
            return Err(format!("The tag \u{201c}{tag}\u{201d} is longer than {MAX_TAG_CHARS} characters: please shorten it."));
        }
        out.push(tag);
    }
    if out.len() > MAX_TAGS {
        return Err(format!("A vote can carry at most {MAX_TAGS} tags; this one has {}. Please drop some.", out.len()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
