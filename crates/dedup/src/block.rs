//! Multi-key blocking: candidate pairs from records sharing a key, with capped block sizes.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use crate::record::Norm;

/// Blocks up to this size are compared all-pairs; larger blocks only within a sorted window.
const BLOCK_CAP: usize = 48;
/// In an oversized block each record is compared with this many neighbours in title order.
const WINDOW: usize = 6;

fn key_hash(tag: u8, parts: &[&str]) -> u64 {
    // `DefaultHasher::new()` uses fixed keys, so keys and output order are deterministic.
    let mut h = DefaultHasher::new();
    tag.hash(&mut h);
    for p in parts {
        p.hash(&mut h);
    }
    h.finish()
}

/// The blocking keys of one record: any two records that share a key become candidates.
pub fn keys(n: &Norm, out: &mut Vec<u64>) {
    if let Some(d) = &n.doi {
        out.push(key_hash(1, &[d]));
    }
    if let Some(p) = &n.pmid {
        out.push(key_hash(2, &[p]));
    }
    if n.key_len >= 8 {
        let key = n.key();
        // Title prefix and suffix catch typos at either end; sorted long words catch reordering.
        let prefix: String = key.chars().take(24).collect();
        out.push(key_hash(3, &[&prefix]));
        let count = key.chars().count();
        let suffix: String = key.chars().skip(count.saturating_sub(24)).collect();
        out.push(key_hash(4, &[&suffix]));
        let mut words: Vec<&str> = n.title.split(' ').filter(|w| w.len() >= 4).collect();
        words.sort_unstable_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        words.dedup();
        words.truncate(3);
        if words.len() == 3 {
            words.sort_unstable();
            out.push(key_hash(5, &words));
        }
    }
    if let (Some(first), Some(year)) = (n.first_author(), n.year) {
        let y = year.to_string();
        let initial: String = n.title.chars().filter(|c| *c != ' ').take(6).collect();
        out.push(key_hash(6, &[first, &y, &initial]));
    }
    if let (Some(v), Some(p)) = (&n.volume, &n.spage) {
        let j = n.journals.first().and_then(|j| j.words().next()).map_or("", |w| w.get(..w.len().min(3)).unwrap_or(w));
        out.push(key_hash(7, &[j, v, p]));
    }
}

/// Candidate pairs `(a, b)` with `a < b`, sorted and unique, plus the number of blocks scanned.
pub fn candidates(norms: &[Norm]) -> Vec<(u32, u32)> {
    let mut entries: Vec<(u64, u32)> = Vec::with_capacity(norms.len() * 7);
    let mut buf = Vec::with_capacity(8);
    for (i, n) in norms.iter().enumerate() {
        buf.clear();
        keys(n, &mut buf);
        let Ok(idx) = u32::try_from(i) else { break };
        entries.extend(buf.iter().map(|k| (*k, idx)));
    }
    entries.sort_unstable();
    entries.dedup();
    let mut pairs: Vec<u64> = Vec::with_capacity(norms.len() * 4);
    let mut start = 0;
    while start < entries.len() {
        let key = entries.get(start).map_or(0, |e| e.0);
        let mut end = start;
        while entries.get(end).is_some_and(|e| e.0 == key) {
            end += 1;
        }
        let block: Vec<u32> = entries.get(start..end).unwrap_or(&[]).iter().map(|e| e.1).collect();
        emit_block(norms, block, &mut pairs);
        start = end;
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs.into_iter().map(|p| ((p >> 32) as u32, p as u32)).collect()
}

fn push_pair(a: u32, b: u32, out: &mut Vec<u64>) {
    let (x, y) = if a < b { (a, b) } else { (b, a) };
    if x != y {
        out.push((u64::from(x) << 32) | u64::from(y));
    }
}

fn emit_block(norms: &[Norm], mut block: Vec<u32>, out: &mut Vec<u64>) {
    if block.len() < 2 {
        return;
    }
    if block.len() <= BLOCK_CAP {
        for (i, a) in block.iter().enumerate() {
            for b in block.iter().skip(i + 1) {
                push_pair(*a, *b, out);
            }
        }
        return;
    }
    // Sorted neighbourhood inside an oversized block keeps the work linear.
    let title = |i: u32| norms.get(i as usize).map_or("", |n| n.title.as_str());
    block.sort_unstable_by(|x, y| title(*x).cmp(title(*y)).then(x.cmp(y)));
    for (i, a) in block.iter().enumerate() {
        for b in block.iter().skip(i + 1).take(WINDOW) {
            push_pair(*a, *b, out);
        }
    }
}
