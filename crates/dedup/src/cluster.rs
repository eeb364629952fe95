//! Guarded clustering: unions in descending score order, each checked against every member.

use std::collections::HashSet;

use crate::compare::cluster_conflict;
use crate::record::Norm;
use crate::{Assignment, Decision, Pair, Role};

/// Clusters larger than this are not grown further automatically (a person should look).
const MAX_CLUSTER: usize = 64;

/// Disjoint sets that keep each set's member list, so a union can be checked member by member.
struct Sets {
    parent: Vec<usize>,
    members: Vec<Vec<usize>>,
}

impl Sets {
    fn new(n: usize) -> Sets {
        Sets { parent: (0..n).collect(), members: (0..n).map(|i| vec![i]).collect() }
    }

    fn find(&mut self, mut x: usize) -> usize {
        let mut root = x;
        while let Some(&p) = self.parent.get(root) {
            if p == root {
                break;
            }
            root = p;
        }
        while let Some(&p) = self.parent.get(x) {
            if p == root {
                break;
            }
            if let Some(slot) = self.parent.get_mut(x) {
                *slot = root;
            }
            x = p;
        }
        root
    }

    fn members(&self, root: usize) -> &[usize] {
        self.members.get(root).map_or(&[], Vec::as_slice)
    }

    fn union(&mut self, a: usize, b: usize) {
        let (big, small) = if self.members(a).len() >= self.members(b).len() { (a, b) } else { (b, a) };
        let moved = self.members.get_mut(small).map(std::mem::take).unwrap_or_default();
        if let Some(list) = self.members.get_mut(big) {
            list.extend(moved);
        }
        if let Some(slot) = self.parent.get_mut(small) {
            *slot = big;
        }
    }
}

/// Why joining the clusters rooted at `ra` and `rb` is refused, if it is.
fn refusal(sets: &Sets, ra: usize, rb: usize, norms: &[Norm], cannot: &HashSet<(usize, usize)>) -> Option<String> {
    let (ma, mb) = (sets.members(ra), sets.members(rb));
    if ma.len() + mb.len() > MAX_CLUSTER {
        return Some(format!("cluster would exceed {MAX_CLUSTER} records"));
    }
    for &x in ma {
        for &y in mb {
            let key = (x.min(y), x.max(y));
            if cannot.contains(&key) {
                return Some(format!("a person judged records {} and {} not duplicates", key.0, key.1));
            }
            if let (Some(nx), Some(ny)) = (norms.get(x), norms.get(y))
                && let Some(reason) = cluster_conflict(nx, ny)
            {
                return Some(format!("would join records {} and {}: {reason}", key.0, key.1));
            }
        }
    }
    None
}

/// Clusters the records and assigns roles. Duplicate pairs whose union is refused become Review
/// pairs carrying the refusal as their guard.
pub fn cluster(norms: &[Norm], completeness: &[u32], pairs: &mut [Pair], judged: &[(usize, usize, bool)]) -> Vec<Assignment> {
    let n = norms.len();
    let mut sets = Sets::new(n);
    let cannot: HashSet<(usize, usize)> =
        judged.iter().filter(|(a, b, same)| !same && a != b && *a < n && *b < n).map(|(a, b, _)| (*a.min(b), *a.max(b))).collect();
    // A person's "same work" links first: they override every guard.
    for &(a, b, same) in judged {
        if same && a < n && b < n {
            let (ra, rb) = (sets.find(a), sets.find(b));
            if ra != rb {
                sets.union(ra, rb);
            }
        }
    }
    let mut order: Vec<usize> = (0..pairs.len()).filter(|i| pairs.get(*i).is_some_and(|p| p.decision == Decision::Duplicate)).collect();
    order.sort_by(|x, y| {
        let (px, py) = (pairs.get(*x), pairs.get(*y));
        let sx = px.map_or(0.0, |p| p.score);
        let sy = py.map_or(0.0, |p| p.score);
        sy.total_cmp(&sx).then(x.cmp(y))
    });
    for i in order {
        let Some(p) = pairs.get(i) else { continue };
        let (ra, rb) = (sets.find(p.a), sets.find(p.b));
        if ra == rb {
            continue;
        }
        match refusal(&sets, ra, rb, norms, &cannot) {
            None => sets.union(ra, rb),
            Some(reason) => {
                if let Some(p) = pairs.get_mut(i) {
                    p.decision = Decision::Review;
                    p.guard = Some(reason);
                }
            }
        }
    }
    // A Review pair whose records were joined through other pairs has nothing left to ask.
    for p in pairs.iter_mut() {
        if p.decision == Decision::Review && p.guard.is_none() && sets.find(p.a) == sets.find(p.b) {
            p.decision = Decision::Duplicate;
        }
    }
    assign(&mut sets, completeness, pairs)
}

fn assign(sets: &mut Sets, completeness: &[u32], pairs: &[Pair]) -> Vec<Assignment> {
    let n = sets.parent.len();
    let mut kept: Vec<usize> = (0..n).collect();
    let mut size: Vec<usize> = vec![1; n];
    for root in 0..n {
        if sets.find(root) != root {
            continue;
        }
        let members = sets.members(root);
        // The most complete record is kept; ties go to the lowest index.
        let best = members
            .iter()
            .copied()
            .max_by(|x, y| {
                let cx = completeness.get(*x).copied().unwrap_or(0);
                let cy = completeness.get(*y).copied().unwrap_or(0);
                cx.cmp(&cy).then(y.cmp(x))
            })
            .unwrap_or(root);
        let count = members.len();
        for &m in members {
            if let Some(k) = kept.get_mut(m) {
                *k = best;
            }
            if let Some(s) = size.get_mut(m) {
                *s = count;
            }
        }
    }
    let mut out: Vec<Assignment> = (0..n)
        .map(|i| {
            let k = kept.get(i).copied().unwrap_or(i);
            let role = if size.get(i).copied().unwrap_or(1) < 2 {
                Role::Unique
            } else if k == i {
                Role::Kept
            } else {
                Role::Duplicate
            };
            Assignment { cluster: k, role }
        })
        .collect();
    // An unmerged record with a Review or Related pair is offered to a person, pointing at the
    // kept record of its best such candidate. Of two unmerged records only the one that would be
    // removed (less complete, or later on a tie) is flagged, so each question is asked once.
    let mut best: Vec<Option<(f64, usize)>> = vec![None; n];
    for p in pairs {
        if !matches!(p.decision, Decision::Review | Decision::Related) {
            continue;
        }
        let merged = |i: usize| size.get(i).copied().unwrap_or(1) >= 2;
        let (me, other) = match (merged(p.a), merged(p.b)) {
            (true, true) => continue,
            (true, false) => (p.b, p.a),
            (false, true) => (p.a, p.b),
            (false, false) => {
                let ca = completeness.get(p.a).copied().unwrap_or(0);
                let cb = completeness.get(p.b).copied().unwrap_or(0);
                if ca > cb || (ca == cb && p.a < p.b) { (p.b, p.a) } else { (p.a, p.b) }
            }
        };
        if let Some(slot) = best.get_mut(me)
            && slot.is_none_or(|(s, _)| p.score > s)
        {
            *slot = Some((p.score, other));
        }
    }
    for (i, b) in best.iter().enumerate() {
        if let (Some((_, other)), Some(a)) = (b, out.get_mut(i)) {
            a.role = Role::Review;
            a.cluster = kept.get(*other).copied().unwrap_or(*other);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldEvidence;

    fn norm(title: &str, doi: Option<&str>, part: Option<u32>) -> Norm {
        Norm { title: title.to_string(), key_len: title.replace(' ', "").len(), doi: doi.map(str::to_string), part, ..Norm::default() }
    }

    fn dup(a: usize, b: usize, score: f64) -> Pair {
        let evidence = vec![FieldEvidence { field: "title", similarity: 1.0, note: String::new() }];
        Pair { a, b, decision: Decision::Duplicate, score, evidence, guard: None }
    }

    #[test]
    fn unions_check_every_member_not_just_the_pair() {
        // 0~1 and 1~2 are both "duplicates", but 0 and 2 are different parts of a series.
        let norms = vec![
            norm("heart failure in diabetes part 1", None, Some(1)),
            norm("heart failure in diabetes part 1", None, None),
            norm("heart failure in diabetes part 1", None, Some(2)),
        ];
        let mut pairs = vec![dup(0, 1, 0.9), dup(1, 2, 0.8)];
        let out = cluster(&norms, &[0, 0, 0], &mut pairs, &[]);
        assert_eq!(out[0].cluster, out[1].cluster);
        assert_eq!(out[2].role, Role::Review);
        assert_eq!(out[2].cluster, out[0].cluster);
        assert_eq!(pairs[1].decision, Decision::Review);
        assert!(pairs[1].guard.as_deref().unwrap_or("").contains("part 1 vs part 2"));
    }

    #[test]
    fn higher_scores_win_the_contested_record() {
        // 1 could join 0 (DOI x) or 2 (DOI y); the stronger pair decides and the other is refused.
        let norms = vec![
            norm("a long enough title", Some("10.1/x"), None),
            norm("a long enough title", None, None),
            norm("a long enough title", Some("10.1/y"), None),
        ];
        let mut pairs = vec![dup(0, 1, 0.7), dup(1, 2, 0.9)];
        let out = cluster(&norms, &[1, 0, 1], &mut pairs, &[]);
        assert_eq!(out[1].cluster, 2);
        assert_eq!(out[2].role, Role::Kept);
        assert_eq!(pairs[0].decision, Decision::Review);
        assert_eq!(out[0].role, Role::Review);
    }

    #[test]
    fn judgements_link_and_separate() {
        let norms = vec![
            norm("a long enough title", Some("10.1/x"), None),
            norm("a long enough title", Some("10.1/y"), None),
            norm("a long enough title", None, None),
        ];
        let mut pairs = vec![dup(0, 2, 0.9), dup(1, 2, 0.9)];
        // A person links 0 and 1 despite their DOIs, and separates 1 from 2.
        let out = cluster(&norms, &[0, 0, 0], &mut pairs, &[(0, 1, true), (2, 1, false)]);
        assert_eq!(out[0].cluster, out[1].cluster);
        assert_ne!(out[2].role, Role::Duplicate);
    }
}
