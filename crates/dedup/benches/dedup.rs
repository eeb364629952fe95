//! Deduplication benchmark: synthetic records with injected, realistically corrupted duplicates.
//!
//! Usage: `cargo bench -p dedup [-- SIZES...]` (default 10000 100000 1000000). For each size it
//! prints wall-clock seconds for `dedup::find`, candidate pairs compared, peak resident memory
//! (VmHWM) and the accuracy against the generator's truth, scored as `dedup-score` scores it.

use std::collections::HashMap;
use std::time::Instant;

use dedup::{Author, Citation, Options, Role};

/// SplitMix64: a small deterministic generator, so every run sees the same records.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() % 1_000_000) as f64 / 1_000_000.0 < p
    }
    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }
}

#[rustfmt::skip]
const STEMS: &[&str] = &[
    "cardio", "neuro", "hepato", "nephro", "gastro", "immuno", "onco", "endo", "myo", "vaso",
    "angio", "osteo", "dermato", "hemato", "pneumo", "psycho", "pharmaco", "glyco", "lipo",
    "thrombo", "athero", "insulino", "fibro", "lympho", "pulmo", "retino", "entero", "cyto", "geno", "metabo",
];
#[rustfmt::skip]
const ENDINGS: &[&str] = &[
    "pathy", "logy", "genesis", "toxicity", "protection", "sclerosis", "plasty", "lysis", "trophy", "kinetics",
    "dynamics", "megaly", "malacia", "stasis", "philia", "therapy", "graphy", "metry", "tropic", "genic",
];
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "effect", "effects", "patients", "randomized", "trial", "cohort", "study", "risk", "outcomes", "treatment",
    "therapy", "analysis", "association", "mortality", "incidence", "prevalence", "inhibitor", "inhibition",
    "receptor", "agonist", "expression", "mice", "rats", "human", "children", "adults", "older", "women", "men",
    "chronic", "acute", "disease", "diabetes", "obesity", "hypertension", "depression", "stroke", "cancer",
    "infection", "inflammation", "insulin", "glucose", "lipid", "plasma", "serum", "blood", "vascular", "cardiac",
    "renal", "hepatic", "neuronal", "cognitive", "function", "dysfunction", "response", "resistance", "signaling",
    "pathway", "model", "evaluation", "comparison", "versus", "placebo", "controlled", "systematic", "review", "meta",
    "prospective", "retrospective", "novel", "improves", "reduces", "increases", "attenuates", "prevents", "predicts",
    "long", "term", "early", "late", "dose",
];
#[rustfmt::skip]
const SMALL: &[&str] = &[
    "of", "in", "and", "with", "for", "the", "on", "a", "after", "during", "among", "by",
];
#[rustfmt::skip]
const SURNAMES: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Wang",
    "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Müller", "Schmidt", "Schneider", "Fischer",
    "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Gómez", "Fernández", "López", "Martín", "Sánchez",
    "Pérez", "González", "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Sato", "Suzuki",
    "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kim", "Lee", "Park", "Choi", "Jung", "Kang",
    "Cho", "Yoon", "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Søren", "Larsen", "Sørensen", "Rasmussen",
    "Jørgensen", "Dubois", "Durand", "Lefèvre", "Moreau", "Laurent", "Simon", "Michel", "Leroy", "Roux", "David",
    "Novák", "Dvořák", "Svoboda", "Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
    "Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Ferreira", "Rodrigues", "Carvalho",
    "Patel", "Shah", "Singh", "Kumar", "Gupta", "Sharma", "Khan", "Ali", "Ahmed", "Hussain", "O'Brien", "Murphy",
    "Kelly", "Sullivan", "Walsh",
];
#[rustfmt::skip]
const GIVEN: &[&str] = &[
    "John", "Maria", "Wei", "Anna", "James", "Li", "Hiroshi", "Eva", "Jose", "Sofia", "David",
    "Mette", "Pierre", "Jan", "Lucas", "Emma", "Raj", "Fatima", "Sean", "Olga", "Kenji", "Ines", "Marco", "Sara",
];
/// (full title, abbreviation) pairs.
#[rustfmt::skip]
const JOURNALS: &[(&str, &str)] = &[
    ("Current Opinion in Lipidology", "Curr Opin Lipidol"), (
        "Journal of the American College of Cardiology",
    "J Am Coll Cardiol", ), ("New England Journal of Medicine", "N Engl J Med"),
    ("Diabetes & Vascular Disease Research", "Diab Vasc Dis Res"), ("European Heart Journal", "Eur Heart J"),
    (
        "Journal of Clinical Endocrinology and Metabolism", "J Clin Endocrinol Metab", ),
    ("American Journal of Psychiatry", "Am J Psychiatry"), ("Journal of Affective Disorders", "J Affect Disord"),
    ("Biological Psychiatry", "Biol Psychiatry"), ("NeuroImage", "Neuroimage"),
    ("Human Brain Mapping", "Hum Brain Mapp"), ("Journal of Neuroscience", "J Neurosci"),
    ("Cardiovascular Research", "Cardiovasc Res"), ("Circulation Research", "Circ Res"),
    (
        "Atherosclerosis, Thrombosis, and Vascular Biology", "Arterioscler Thromb Vasc Biol", ),
    ("Journal of Hepatology", "J Hepatol"), ("Kidney International", "Kidney Int"),
    (
        "Journal of the American Society of Nephrology", "J Am Soc Nephrol", ),
    ("British Journal of Pharmacology", "Br J Pharmacol"), ("European Journal of Pharmacology", "Eur J Pharmacol"),
    (
        "Proceedings of the National Academy of Sciences of the United States of America",
    "Proc Natl Acad Sci U S A", ), ("Journal of Biological Chemistry", "J Biol Chem"), ("PLoS ONE", "PLoS One"),
    ("Scientific Reports", "Sci Rep"), ("Diabetologia", "Diabetologia"), ("Diabetes Care", "Diabetes Care"),
    ("International Journal of Cardiology", "Int J Cardiol"), ("Journal of Psychiatric Research", "J Psychiatr Res"),
    ("Psychological Medicine", "Psychol Med"), ("Brain Research", "Brain Res"),
];

fn word(rng: &mut Rng) -> String {
    if rng.chance(0.35) {
        format!("{}{}", rng.pick(STEMS), rng.pick(ENDINGS))
    } else if rng.chance(0.2) {
        rng.pick(SMALL).to_string()
    } else {
        rng.pick(WORDS).to_string()
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// One original record of work number `w`.
fn original(rng: &mut Rng, w: usize) -> Citation {
    let len = 6 + rng.below(9);
    let words: Vec<String> = (0..len).map(|_| word(rng)).collect();
    let title = capitalise(&words.join(" "));
    let n_auth = 1 + rng.below(8);
    let authors =
        (0..n_auth).map(|_| Author { family: rng.pick(SURNAMES).to_string(), given: Some(rng.pick(GIVEN).to_string()) }).collect();
    let (full, abbr) = JOURNALS.get(rng.below(JOURNALS.len())).copied().unwrap_or(("", ""));
    let start = 1 + rng.below(3000);
    let end = start + 2 + rng.below(14);
    Citation {
        source_id: w.to_string(),
        ref_type: "JOUR".into(),
        title: Some(title),
        authors,
        year: Some(1990 + rng.below(35) as i32),
        journal: Some(if rng.chance(0.5) { full } else { abbr }.to_string()),
        volume: Some((1 + rng.below(300)).to_string()),
        issue: Some((1 + rng.below(12)).to_string()),
        start_page: Some(start.to_string()),
        end_page: Some(end.to_string()),
        doi: rng.chance(0.7).then(|| format!("10.{}/j.x.{}.{}", 1000 + rng.below(900), w, rng.below(1000))),
        abstract_text: rng.chance(0.6).then(|| format!("Background: {} Methods: ...", words.join(" "))),
        ..Citation::default()
    }
}

fn strip_accents(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ü' => 'u',
            'ó' | 'ø' => 'o',
            'á' => 'a',
            'é' | 'è' => 'e',
            'í' => 'i',
            'ř' => 'r',
            'ś' => 's',
            'ń' => 'n',
            _ => c,
        })
        .collect()
}

/// A copy of `c` as another database would export it.
fn corrupt(rng: &mut Rng, c: &Citation) -> Citation {
    let mut d = c.clone();
    if let Some(t) = d.title.as_mut() {
        if rng.chance(0.2) {
            *t = t.to_uppercase();
        } else if rng.chance(0.2) {
            *t = t.split(' ').map(capitalise).collect::<Vec<_>>().join(" ");
        }
        if rng.chance(0.15) {
            t.push('.');
        }
        if rng.chance(0.1) {
            // One transposition typo somewhere in the middle.
            let mut chars: Vec<char> = t.chars().collect();
            let i = 5 + rng.below(chars.len().saturating_sub(10).max(1));
            if i + 1 < chars.len() {
                chars.swap(i, i + 1);
            }
            *t = chars.into_iter().collect();
        }
        if rng.chance(0.05) {
            *t = format!("{t} <i>in vivo</i>").replace(" <i>in vivo</i>", "");
            *t = t.replacen(' ', " <sup></sup>", 1);
        }
    }
    if rng.chance(0.5) {
        // "Smith J" run-together export.
        let joined: String = d
            .authors
            .iter()
            .map(|a| format!("{} {}.", strip_accents(&a.family), a.given.as_deref().unwrap_or("").chars().next().unwrap_or('X')))
            .collect();
        d.authors = vec![Author { family: joined, given: None }];
    } else if rng.chance(0.3) {
        for a in &mut d.authors {
            a.family = strip_accents(&a.family);
        }
    }
    if let Some(j) = d.journal.clone() {
        if let Some((full, abbr)) = JOURNALS.iter().find(|(f, a)| *f == j || *a == j) {
            d.journal = Some(if rng.chance(0.5) { full } else { abbr }.to_string());
        }
        if rng.chance(0.2) {
            d.journal = Some(j.to_uppercase());
        }
    }
    if rng.chance(0.4) {
        d.doi = None;
    } else if let Some(doi) = d.doi.as_mut()
        && rng.chance(0.4)
    {
        *doi = format!("https://doi.org/{}", doi.to_uppercase());
    }
    if let (Some(s), Some(e)) = (d.start_page.clone(), d.end_page.clone())
        && rng.chance(0.5)
    {
        // "221-8" style abbreviated range in one field.
        let keep = e.len().saturating_sub(1).min(e.len());
        let short = e.get(keep..).unwrap_or(&e).to_string();
        d.start_page = Some(format!("{s}-{short}"));
        d.end_page = None;
    }
    if rng.chance(0.1) {
        d.issue = None;
    }
    if rng.chance(0.05) {
        d.year = d.year.map(|y| y + 1);
    }
    if rng.chance(0.3) {
        d.abstract_text = None;
    }
    d
}

/// `n` records: originals plus duplicates (about 30% of records are duplicates), shuffled.
fn generate(n: usize, seed: u64) -> (Vec<Citation>, Vec<usize>) {
    let mut rng = Rng(seed);
    let mut records = Vec::with_capacity(n);
    let mut truth = Vec::with_capacity(n);
    let mut w = 0;
    while records.len() < n {
        let c = original(&mut rng, w);
        let copies = if rng.chance(0.25) { 1 + rng.below(3) } else { 0 };
        for _ in 0..copies {
            if records.len() + 1 < n {
                records.push(corrupt(&mut rng, &c));
                truth.push(w);
            }
        }
        records.push(c);
        truth.push(w);
        w += 1;
    }
    // Deterministic Fisher-Yates shuffle so duplicates are not adjacent.
    for i in (1..records.len()).rev() {
        let j = rng.below(i + 1);
        records.swap(i, j);
        truth.swap(i, j);
    }
    (records, truth)
}

fn peak_rss_mb() -> f64 {
    rss_mb("VmHWM:")
}

/// A memory line of /proc/self/status in MiB.
fn rss_mb(key: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.replace('_', "").parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![10_000, 100_000, 1_000_000] } else { sizes };
    println!(
        "{:>9} {:>9} {:>12} {:>10} {:>10} {:>9} {:>9} {:>7} {:>7}",
        "records", "seconds", "compared", "input_MB", "peak_MB", "sens", "false", "review", "gen_s"
    );
    for n in sizes {
        let t0 = Instant::now();
        let (records, truth) = generate(n, 42);
        let gen_s = t0.elapsed().as_secs_f64();
        let before_mb = rss_mb("VmRSS:");
        let t = Instant::now();
        let mut stages: Vec<(&'static str, Instant, f64)> = Vec::new();
        let (outcome, stats) = dedup::find_with_stats(&records, &Options::default(), &mut |p| {
            if stages.last().is_none_or(|(s, _, _)| *s != p.stage) {
                stages.push((p.stage, Instant::now(), rss_mb("VmRSS:")));
            }
        });
        let secs = t.elapsed().as_secs_f64();
        let mut split = Vec::new();
        for (i, (stage, start, rss)) in stages.iter().enumerate() {
            let end = stages.get(i + 1).map_or_else(Instant::now, |(_, e, _)| *e);
            split.push(format!("{stage} {:.2}s (RSS at start {rss:.0} MB)", end.duration_since(*start).as_secs_f64()));
        }
        // Score as dedup-score does.
        let mut sizes: HashMap<usize, usize> = HashMap::new();
        for g in &truth {
            *sizes.entry(*g).or_default() += 1;
        }
        let removable: usize = sizes.values().map(|s| s - 1).sum();
        let mut clusters: HashMap<usize, HashMap<usize, usize>> = HashMap::new();
        let mut review = 0;
        for (i, a) in outcome.assignments.iter().enumerate() {
            let c = if a.role == Role::Review {
                review += 1;
                i
            } else {
                a.cluster
            };
            *clusters.entry(c).or_default().entry(truth.get(i).copied().unwrap_or(usize::MAX)).or_default() += 1;
        }
        let correct: usize = clusters.values().flat_map(|p| p.values()).map(|n| n - 1).sum();
        let false_merges: usize = clusters.values().map(|p| p.len() - 1).sum();
        println!(
            "{:>9} {:>9.2} {:>12} {:>10.0} {:>10.0} {:>9.4} {:>9} {:>7} {:>7.1}",
            n,
            secs,
            stats.compared,
            before_mb,
            peak_rss_mb(),
            correct as f64 / removable.max(1) as f64,
            false_merges,
            review,
            gen_s
        );
        println!("          stages: {}", split.join(", "));
    }
}
