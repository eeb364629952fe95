//! `sift parse`: reads exports and writes their records as JSON lines, RIS or CSV, with diagnostics on
//! stderr as `FILE:LINE: warning|error: message`.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use citation::{Citation, Severity};
use serde_json::{Value, json};

use crate::cli::{OutputArg, ParseArgs};

/// The JSON object `sift parse --output jsonl` writes per record (a contract: add keys, never rename).
pub fn record_json(c: &Citation) -> Value {
    json!({
        "source_id": c.source_id,
        "type": c.ref_type,
        "title": c.title,
        "authors": c.authors.iter().map(citation::Author::display).collect::<Vec<_>>(),
        "year": c.year,
        "journal": c.journal,
        "journal_abbrev": c.journal_abbrev,
        "volume": c.volume,
        "issue": c.issue,
        "pages": c.pages(),
        "start_page": c.start_page,
        "end_page": c.end_page,
        "doi": c.doi,
        "pmid": c.pmid,
        "pmcid": c.pmcid,
        "issn": c.issn,
        "isbn": c.isbn,
        "abstract": c.abstract_text,
        "keywords": c.keywords,
        "language": c.language,
        "urls": c.urls,
    })
}

/// Reads one file, handing each record to `on_record`; prints diagnostics; false when the file
/// could not be read as a supported format or held errors.
pub fn read_file(path: &Path, format: Option<citation::Format>, on_record: &mut dyn FnMut(Citation)) -> bool {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{}:1: error: cannot open the file: {e}", path.display());
            return false;
        }
    };
    match citation::parse_stream(BufReader::with_capacity(1 << 20, file), format, on_record) {
        Ok(outcome) => {
            for d in &outcome.diagnostics {
                let sev = if d.severity == Severity::Error { "error" } else { "warning" };
                eprintln!("{}:{}: {sev}: {}", path.display(), d.line, d.message);
            }
            outcome.format.is_some() && !outcome.diagnostics.iter().any(|d| d.severity == Severity::Error)
        }
        Err(e) => {
            eprintln!("{}:1: error: cannot read the file: {e}", path.display());
            false
        }
    }
}

pub fn run(args: &ParseArgs) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let format = args.format.to_format();
    let mut ok = true;
    let mut collected: Vec<Citation> = Vec::new();
    let mut write_err: Option<std::io::Error> = None;
    for path in &args.files {
        let good = match args.output {
            OutputArg::Jsonl => read_file(path, format, &mut |c| {
                if write_err.is_none()
                    && let Err(e) = writeln!(out, "{}", record_json(&c))
                {
                    write_err = Some(e);
                }
            }),
            OutputArg::Ris => read_file(path, format, &mut |c| {
                let mut s = String::new();
                citation::write::ris(std::slice::from_ref(&c), &mut s);
                if write_err.is_none()
                    && let Err(e) = out.write_all(s.as_bytes())
                {
                    write_err = Some(e);
                }
            }),
            OutputArg::Csv => read_file(path, format, &mut |c| collected.push(c)),
        };
        ok &= good;
    }
    if args.output == OutputArg::Csv {
        let mut bytes = Vec::new();
        citation::write::csv(&collected, &mut bytes);
        out.write_all(&bytes)?;
    }
    if let Some(e) = write_err
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(e.into());
    }
    out.flush().ok();
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
