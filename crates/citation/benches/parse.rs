//! Throughput benchmark: generates ~100 MB RIS, PubMed XML and EndNote XML files (deterministically) in a
//! temporary directory, times `parse_stream` on each (best of 3, single thread) and prints MB/s. When Python's
//! `rispy` is importable it is timed on the same RIS file and the speed ratio is printed.
//!
//! Run with `cargo bench -p citation --bench parse`.

use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use citation::{Format, parse_stream};

/// Target size of each generated file: 100 MiB, or `CITATION_BENCH_MB` MiB for a quick run.
fn target() -> usize {
    std::env::var("CITATION_BENCH_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(100) * 1024 * 1024
}

/// A small deterministic generator (64-bit LCG) so no randomness crate is needed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() as usize) % xs.len()]
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

const FAMILY: [&str; 12] =
    ["Miler", "Carver", "Tsemberis", "Padgett", "Collins", "Kerman", "Aubry", "Müller", "O'Brien", "Nakae", "Gulcur", "Bardwell"];
const GIVEN: [&str; 8] = ["Joanna A.", "Hannah", "Sam", "Deborah K.", "Susan E.", "Nick", "Tim", "Jörg"];
const WORDS: [&str; 24] = [
    "peer",
    "support",
    "homelessness",
    "substance",
    "use",
    "housing",
    "first",
    "recovery",
    "harm",
    "reduction",
    "outcomes",
    "randomised",
    "trial",
    "qualitative",
    "services",
    "mental",
    "health",
    "people",
    "experiencing",
    "workers",
    "intervention",
    "community",
    "evaluation",
    "study",
];
const JOURNALS: [(&str, &str); 5] = [
    ("BMC Public Health", "BMC Public Health"),
    ("American Journal of Public Health", "Am J Public Health"),
    ("International Journal of Drug Policy", "Int J Drug Policy"),
    ("Journal of Urban Health", "J Urban Health"),
    ("Addiction", "Addiction"),
];

fn sentence(r: &mut Lcg, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(r.pick(&WORDS));
    }
    s
}

fn gen_ris(path: &Path) -> usize {
    let mut r = Lcg(1);
    let target = target();
    let mut out = String::with_capacity(target + 8192);
    let mut n = 0;
    while out.len() < target {
        n += 1;
        let (j, ja) = JOURNALS[(r.next() as usize) % JOURNALS.len()];
        let sp = r.range(1, 2000);
        let _ = write!(out, "TY  - JOUR\r\nID  - {n}\r\nTI  - {}\r\n", sentence(&mut r, 14));
        for _ in 0..r.range(2, 8) {
            let _ = write!(out, "AU  - {}, {}\r\n", r.pick(&FAMILY), r.pick(&GIVEN));
        }
        let _ = write!(
            out,
            "PY  - {}\r\nT2  - {j}\r\nJ2  - {ja}\r\nVL  - {}\r\nIS  - {}\r\nSP  - {sp}\r\nEP  - {}\r\nDO  - 10.{}/j.bench.{n}\r\nSN  - 1471-2458\r\nAB  - {}\r\n{}\r\n",
            r.range(1990, 2026),
            r.range(1, 120),
            r.range(1, 12),
            sp + r.range(3, 20),
            r.range(1000, 9999),
            sentence(&mut r, 90),
            sentence(&mut r, 60),
        );
        for _ in 0..5 {
            let _ = write!(out, "KW  - {}\r\n", sentence(&mut r, 2));
        }
        let _ = write!(out, "UR  - https://pubmed.ncbi.nlm.nih.gov/{}/\r\nLA  - English\r\nDB  - Scopus\r\nER  - \r\n\r\n", 30_000_000 + n);
    }
    std::fs::write(path, out).ok();
    n
}

fn gen_pubmed(path: &Path) -> usize {
    let mut r = Lcg(2);
    let target = target();
    let mut out = String::with_capacity(target + 8192);
    out.push_str("<?xml version=\"1.0\" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC \"-//NLM//DTD PubMedArticle, 1st January 2025//EN\" \"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd\">\n<PubmedArticleSet>\n");
    let mut n = 0;
    while out.len() < target {
        n += 1;
        let (j, ja) = JOURNALS[(r.next() as usize) % JOURNALS.len()];
        let _ = write!(
            out,
            "<PubmedArticle>\n    <MedlineCitation Status=\"MEDLINE\" Owner=\"NLM\">\n        <PMID Version=\"1\">{}</PMID>\n        <Article PubModel=\"Print-Electronic\">\n            <Journal>\n                <ISSN IssnType=\"Electronic\">1471-2458</ISSN>\n                <JournalIssue CitedMedium=\"Internet\">\n                    <Volume>{}</Volume>\n                    <Issue>{}</Issue>\n                    <PubDate>\n                        <Year>{}</Year>\n                        <Month>May</Month>\n                    </PubDate>\n                </JournalIssue>\n                <Title>{j}</Title>\n                <ISOAbbreviation>{ja}</ISOAbbreviation>\n            </Journal>\n            <ArticleTitle>{} <i>{}</i> &amp; {}.</ArticleTitle>\n            <Pagination>\n                <MedlinePgn>{}-{}</MedlinePgn>\n            </Pagination>\n            <Abstract>\n                <AbstractText Label=\"BACKGROUND\" NlmCategory=\"BACKGROUND\">{}</AbstractText>\n                <AbstractText Label=\"METHODS\" NlmCategory=\"METHODS\">{}</AbstractText>\n            </Abstract>\n            <AuthorList CompleteYN=\"Y\">\n",
            30_000_000 + n,
            r.range(1, 120),
            r.range(1, 12),
            r.range(1990, 2026),
            sentence(&mut r, 8),
            sentence(&mut r, 2),
            sentence(&mut r, 4),
            r.range(100, 900),
            r.range(10, 99),
            sentence(&mut r, 60),
            sentence(&mut r, 80),
        );
        for _ in 0..r.range(2, 8) {
            let _ = write!(
                out,
                "                <Author ValidYN=\"Y\">\n                    <LastName>{}</LastName>\n                    <ForeName>{}</ForeName>\n                    <Initials>J</Initials>\n                    <AffiliationInfo>\n                        <Affiliation>University of Stirling, Stirling, UK.</Affiliation>\n                    </AffiliationInfo>\n                </Author>\n",
                r.pick(&FAMILY),
                r.pick(&GIVEN)
            );
        }
        out.push_str("            </AuthorList>\n            <Language>eng</Language>\n            <PublicationTypeList>\n                <PublicationType UI=\"D016428\">Journal Article</PublicationType>\n            </PublicationTypeList>\n        </Article>\n        <MeshHeadingList>\n");
        for _ in 0..6 {
            let _ = write!(
                out,
                "            <MeshHeading>\n                <DescriptorName UI=\"D006703\" MajorTopicYN=\"N\">{}</DescriptorName>\n            </MeshHeading>\n",
                sentence(&mut r, 2)
            );
        }
        let _ = write!(
            out,
            "        </MeshHeadingList>\n    </MedlineCitation>\n    <PubmedData>\n        <ArticleIdList>\n            <ArticleId IdType=\"pubmed\">{}</ArticleId>\n            <ArticleId IdType=\"doi\">10.1186/s12889-020-{n}</ArticleId>\n        </ArticleIdList>\n    </PubmedData>\n</PubmedArticle>\n",
            30_000_000 + n
        );
    }
    out.push_str("</PubmedArticleSet>\n");
    std::fs::write(path, out).ok();
    n
}

fn styled(s: &str) -> String {
    format!("<style face=\"normal\" font=\"default\" size=\"100%\">{s}</style>")
}

fn gen_endnote(path: &Path) -> usize {
    let mut r = Lcg(3);
    let target = target();
    let mut out = String::with_capacity(target + 8192);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" ?><xml><records>");
    let mut n = 0;
    while out.len() < target {
        n += 1;
        let (j, ja) = JOURNALS[(r.next() as usize) % JOURNALS.len()];
        let _ = write!(
            out,
            "<record><database name=\"review.enl\" path=\"C:\\Users\\r\\review.enl\">review.enl</database><source-app name=\"EndNote\" version=\"20.6\">EndNote</source-app><rec-number>{n}</rec-number><foreign-keys><key app=\"EN\" db-id=\"x9v0e2fdrp2w5ve9tx6vaw2nd0pzr2s0wp5t\" timestamp=\"1700000000\">{n}</key></foreign-keys><ref-type name=\"Journal Article\">17</ref-type><contributors><authors>"
        );
        for _ in 0..r.range(2, 8) {
            let _ = write!(out, "<author>{}</author>", styled(&format!("{}, {}", r.pick(&FAMILY), r.pick(&GIVEN))));
        }
        let _ = write!(
            out,
            "</authors></contributors><titles><title>{}{}</title><secondary-title>{}</secondary-title></titles><periodical><full-title>{}</full-title><abbr-1>{}</abbr-1></periodical><pages>{}</pages><volume>{}</volume><number>{}</number><keywords>",
            styled(&sentence(&mut r, 8)),
            styled(&sentence(&mut r, 5)),
            styled(j),
            styled(j),
            styled(ja),
            styled(&format!("{}-{}", r.range(100, 900), r.range(10, 99))),
            styled(&r.range(1, 120).to_string()),
            styled(&r.range(1, 12).to_string()),
        );
        for _ in 0..5 {
            let _ = write!(out, "<keyword>{}</keyword>", styled(&sentence(&mut r, 2)));
        }
        let _ = write!(
            out,
            "</keywords><dates><year>{}</year></dates><isbn>{}</isbn><electronic-resource-num>{}</electronic-resource-num><abstract>{}</abstract><urls><related-urls><url>{}</url></related-urls></urls><language>{}</language></record>",
            styled(&r.range(1990, 2026).to_string()),
            styled("1471-2458 (Electronic)&#xD;1471-2458"),
            styled(&format!("10.1186/s12889-020-{n}")),
            styled(&sentence(&mut r, 150)),
            styled(&format!("https://www.ncbi.nlm.nih.gov/pubmed/{}", 30_000_000 + n)),
            styled("eng"),
        );
    }
    out.push_str("</records></xml>");
    std::fs::write(path, out).ok();
    n
}

/// CPU time of this thread in seconds (Linux `schedstat`), so a busy shared machine does not hide the
/// parser's own speed; `None` elsewhere.
fn thread_cpu() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}

/// Times `parse_stream` on a file, best of three; returns (wall MB/s, wall seconds, CPU seconds, records).
fn time_parse(path: &Path, format: Format) -> (f64, f64, f64, usize) {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    let mut count = 0;
    for _ in 0..3 {
        let Ok(file) = File::open(path) else {
            return (0.0, 0.0, 0.0, 0);
        };
        let cpu0 = thread_cpu();
        let start = Instant::now();
        let mut n = 0usize;
        let outcome = parse_stream(file, None, &mut |c| {
            n += 1;
            std::hint::black_box(c);
        });
        let secs = start.elapsed().as_secs_f64();
        if let (Some(a), Some(b)) = (cpu0, thread_cpu()) {
            best_cpu = best_cpu.min(b - a);
        }
        match outcome {
            Ok(o) => {
                assert_eq!(o.format, Some(format));
                assert!(o.diagnostics.is_empty(), "{:?}", o.diagnostics.first());
            }
            Err(e) => panic!("reading {}: {e}", path.display()),
        }
        count = n;
        best = best.min(secs);
    }
    (size / best, best, if best_cpu == f64::MAX { best } else { best_cpu }, count)
}

/// Times rispy on the RIS file if Python and rispy are available.
fn time_rispy(path: &Path) -> Option<(f64, usize)> {
    let ok = Command::new("python3").args(["-c", "import rispy"]).output().ok()?.status.success();
    if !ok {
        return None;
    }
    let script = "import sys, time, rispy\nbest = None\nfor _ in range(2):\n    t = time.perf_counter()\n    with open(sys.argv[1], encoding='utf-8') as f:\n        entries = rispy.load(f)\n    d = time.perf_counter() - t\n    best = d if best is None else min(best, d)\nprint(best, len(entries))\n";
    let out = Command::new("python3").args(["-c", script]).arg(path).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut it = text.split_whitespace();
    let secs: f64 = it.next()?.parse().ok()?;
    let n: usize = it.next()?.parse().ok()?;
    Some((secs, n))
}

fn main() {
    let dir: PathBuf = std::env::temp_dir().join("citation-bench");
    std::fs::create_dir_all(&dir).ok();
    let ris = dir.join("bench.ris");
    let pubmed = dir.join("bench-pubmed.xml");
    let endnote = dir.join("bench-endnote.xml");
    // `CITATION_BENCH_ONLY=ris|pubmed-xml|endnote-xml` limits a quick run to one format.
    let only = std::env::var("CITATION_BENCH_ONLY").ok().and_then(|s| Format::from_name(&s));
    let mut files = Vec::new();
    if only.is_none_or(|f| f == Format::Ris) {
        files.push(("RIS", ris.clone(), Format::Ris, gen_ris(&ris), 250.0));
    }
    if only.is_none_or(|f| f == Format::PubmedXml) {
        files.push(("PubMed XML", pubmed.clone(), Format::PubmedXml, gen_pubmed(&pubmed), 200.0));
    }
    if only.is_none_or(|f| f == Format::EndnoteXml) {
        files.push(("EndNote XML", endnote.clone(), Format::EndnoteXml, gen_endnote(&endnote), 200.0));
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "citation parse_stream throughput (single thread, best of 3; load average {})",
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    let mut ris_secs = 0.0;
    for (label, path, format, generated, target) in &files {
        let mb = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
        let (rate, secs, cpu, n) = time_parse(path, *format);
        let cpu_rate = mb / cpu;
        assert_eq!(n, *generated, "{label}: record count");
        if *format == Format::Ris {
            ris_secs = secs;
        }
        let verdict = if cpu_rate >= *target { "meets" } else { "MISSES" };
        println!(
            "{label:12} {mb:7.1} MB  {n:7} records  wall {secs:6.3} s = {rate:7.1} MB/s  cpu {cpu:6.3} s = {cpu_rate:7.1} MB/s  ({verdict} target {target} MB/s)"
        );
    }
    let rispy = if std::env::var_os("CITATION_BENCH_NO_RISPY").is_some() || ris_secs == 0.0 { None } else { time_rispy(&ris) };
    match rispy {
        Some((secs, n)) => {
            let mb = std::fs::metadata(&ris).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
            println!(
                "rispy        {mb:7.1} MB  {n:7} records  wall {secs:6.3} s = {:7.1} MB/s  (citation is {:.1}x faster, wall clock)",
                mb / secs,
                secs / ris_secs
            );
        }
        None => println!("rispy not importable (pip install rispy); skipped the comparison"),
    }
    for (_, path, ..) in &files {
        std::fs::remove_file(path).ok();
    }
}
