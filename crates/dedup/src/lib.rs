//! Finds duplicate citations: normalisation, blocking, field similarity, guarded clustering, and the evidence for every decision.
//!
//! The pipeline is pure and deterministic: [`find`] normalises every record once, generates
//! candidate pairs from several blocking keys (DOI, PMID, title prefix/suffix/long words, first
//! author + year + title start, journal + volume + page) with capped blocks so work grows about linearly, decides
//! each pair from field similarities (with guards that refuse errata, replies, retraction notices,
//! series parts, conference abstracts versus full articles, preprints versus published versions
//! and conflicting DOIs), then clusters automatic duplicates in descending score order while
//! checking every member of both clusters before each union.

mod block;
mod cite;
mod cluster;
mod compare;
mod evidence;
mod fields;
mod journal;
mod merge;
mod record;
mod similarity;
mod text;

pub use cite::{Author, Citation};
pub use fields::canonical_doi;
pub use merge::merge_best;
pub use text::{fold, normalize_title};

/// The decision on one candidate pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// The same work: merged automatically.
    Duplicate,
    /// Possibly the same work: a person decides.
    Review,
    /// Related versions (a preprint and its published article): offered to a person, never merged.
    Related,
    /// Different works.
    Distinct,
}

impl Decision {
    /// The lower-case name used in exports and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Duplicate => "duplicate",
            Decision::Review => "review",
            Decision::Related => "related",
            Decision::Distinct => "distinct",
        }
    }
}

/// How one field compared on a pair.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldEvidence {
    /// One of "doi", "title", "authors", "year", "journal", "volume", "issue", "pages", "pmid", "type".
    pub field: &'static str,
    /// Similarity in 0..=1.
    pub similarity: f64,
    /// A human-readable explanation.
    pub note: String,
}

/// A decided candidate pair.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    /// Index into the input slice; `a < b`.
    pub a: usize,
    /// Index into the input slice.
    pub b: usize,
    /// The decision. A pair that scored as a duplicate but whose clusters could not be joined
    /// (a guard held between some members) is returned as `Review`, with the reason in `guard`; a
    /// `Review` pair whose records were merged through other pairs is returned as `Duplicate`.
    pub decision: Decision,
    /// Ranking score in 0..=1 (weighted mean of field similarities).
    pub score: f64,
    /// How each field compared.
    pub evidence: Vec<FieldEvidence>,
    /// Why a merge was refused, if one was (e.g. "DOIs differ: 10.1/a vs 10.1/b", "preprint and
    /// published version are related, not duplicates").
    pub guard: Option<String>,
}

/// A record's role in the result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// No automatic duplicate and nothing to review.
    Unique,
    /// The most complete record of a cluster of automatic duplicates (DOI, abstract, most fields;
    /// ties go to the lowest index).
    Kept,
    /// Merged into the kept record named by [`Assignment::cluster`].
    Duplicate,
    /// Not merged, but its best candidate is a Review or Related pair. Of two unmerged records in
    /// such a pair only the less complete one (the later one on a tie) is flagged, so each question
    /// is asked once; a record already in a cluster is never flagged.
    Review,
}

/// Where one input record ended up.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    /// The kept record of its cluster (itself if unique or kept); for Review, the kept record of
    /// the cluster it may duplicate.
    pub cluster: usize,
    pub role: Role,
}

/// The result of [`find`].
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Every pair decided Duplicate, Review or Related, ordered by `(a, b)`.
    pub pairs: Vec<Pair>,
    /// One per input record, in input order.
    pub assignments: Vec<Assignment>,
}

/// Options for [`find`].
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Pairs a person has already judged: (i, j, true) = same work (must link), (i, j, false) =
    /// not duplicates (cannot link). Indices into the input.
    pub judged: Vec<(usize, usize, bool)>,
}

/// Progress through a stage of [`find`].
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// "normalise", "block", "compare" or "cluster".
    pub stage: &'static str,
    pub done: usize,
    pub total: usize,
}

/// Statistics of the last run, for benchmarks and logs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Candidate pairs compared field by field.
    pub compared: usize,
}

/// Records or pairs handled per batch: progress is reported and threads are joined per batch.
const BATCH: usize = 32_768;

/// Maps `f` over `items` on up to `threads` scoped threads, keeping input order, so the result is
/// the same as a sequential map. A chunk whose thread fails is recomputed on the calling thread.
fn par_map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if threads < 2 || items.len() < 256 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items.chunks(chunk).map(|part| (part, scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))).collect();
        let mut out = Vec::with_capacity(items.len());
        for (part, handle) in handles {
            match handle.join() {
                Ok(v) => out.extend(v),
                Err(_) => out.extend(part.iter().map(f)),
            }
        }
        out
    })
}

/// Finds duplicates among `records`. Never panics; the output depends only on the input.
pub fn find(records: &[Citation], options: &Options, progress: &mut dyn FnMut(Progress)) -> Outcome {
    find_with_stats(records, options, progress).0
}

/// [`find`], also returning how many candidate pairs were compared.
pub fn find_with_stats(records: &[Citation], options: &Options, progress: &mut dyn FnMut(Progress)) -> (Outcome, Stats) {
    let n = records.len();
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get()).clamp(1, 2);
    let mut norms = Vec::with_capacity(n);
    for (k, batch) in records.chunks(BATCH).enumerate() {
        progress(Progress { stage: "normalise", done: k * BATCH, total: n });
        norms.extend(par_map(batch, threads, record::Norm::new));
    }
    progress(Progress { stage: "normalise", done: n, total: n });
    let completeness: Vec<u32> = records.iter().map(record::completeness).collect();

    progress(Progress { stage: "block", done: 0, total: n });
    let mut candidates = block::candidates(&norms);
    // Judged pairs are decided even when no blocking key brought them together.
    for &(a, b, _) in &options.judged {
        if a != b
            && a < n
            && b < n
            && let (Ok(x), Ok(y)) = (u32::try_from(a.min(b)), u32::try_from(a.max(b)))
        {
            candidates.push((x, y));
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    progress(Progress { stage: "block", done: n, total: n });

    let total = candidates.len();
    let judged: std::collections::HashMap<(usize, usize), bool> =
        options.judged.iter().filter(|(a, b, _)| a != b).map(|(a, b, same)| ((*a.min(b), *a.max(b)), *same)).collect();
    let decide = |&(a, b): &(u32, u32)| -> Option<Pair> {
        let (a, b) = (a as usize, b as usize);
        let (na, nb) = (norms.get(a)?, norms.get(b)?);
        let mut v = compare::decide(na, nb);
        match judged.get(&(a, b)) {
            Some(true) => {
                v.decision = Decision::Duplicate;
                v.guard = None;
            }
            Some(false) => {
                v.decision = Decision::Distinct;
                v.guard = Some("a person judged these records not duplicates".to_string());
            }
            None => {}
        }
        (v.decision != Decision::Distinct).then_some(Pair {
            a,
            b,
            decision: v.decision,
            score: v.score,
            evidence: v.evidence,
            guard: v.guard,
        })
    };
    let mut pairs = Vec::new();
    for (k, batch) in candidates.chunks(BATCH).enumerate() {
        progress(Progress { stage: "compare", done: k * BATCH, total });
        pairs.extend(par_map(batch, threads, decide).into_iter().flatten());
    }
    drop(candidates);
    progress(Progress { stage: "compare", done: total, total });

    progress(Progress { stage: "cluster", done: 0, total: n });
    let assignments = cluster::cluster(&norms, &completeness, &mut pairs, &options.judged);
    progress(Progress { stage: "cluster", done: n, total: n });
    (Outcome { pairs, assignments }, Stats { compared: total })
}
