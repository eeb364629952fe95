//! `sift dedup`: reads exports like `sift parse` and writes `record_id,cluster_id,decision` per record,
//! in input order, with the evidence for every duplicate or review pair in `--explain` (JSON lines).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use citation::Citation;
use dedup::Role;
use serde_json::json;

use crate::cli::DedupArgs;

pub fn run(args: &DedupArgs) -> anyhow::Result<ExitCode> {
    let format = args.format.to_format();
    let mut records: Vec<Citation> = Vec::new();
    let mut ok = true;
    for path in &args.files {
        ok &= super::parse::read_file(path, format, &mut |c| records.push(c));
    }
    let bar = (records.len() >= 10_000 && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let outcome = dedup::find(&records, &dedup::Options::default(), &mut |p| {
        if let Some(b) = &bar {
            b.set_message(p.stage);
            b.set_length(p.total as u64);
            b.set_position(p.done as u64);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let id = |i: usize| records.get(i).map(|c| c.source_id.as_str()).unwrap_or("");
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["record_id", "cluster_id", "decision"])?;
    for (i, a) in outcome.assignments.iter().enumerate() {
        let decision = match a.role {
            Role::Unique => "unique",
            Role::Kept => "kept",
            Role::Duplicate => "duplicate",
            Role::Review => "review",
        };
        w.write_record([id(i), id(a.cluster), decision])?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("cannot write the CSV: {e}"))?;
    match &args.out {
        Some(path) => std::fs::write(path, &bytes).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    if let Some(path) = &args.explain {
        let mut out = String::new();
        for p in outcome
            .pairs
            .iter()
            .filter(|p| matches!(p.decision, dedup::Decision::Duplicate | dedup::Decision::Review | dedup::Decision::Related))
        {
            let line = json!({
                "a": id(p.a),
                "b": id(p.b),
                "decision": p.decision.as_str(),
                "score": p.score,
                "guard": p.guard,
                "evidence": p.evidence.iter().map(|e| json!({"field": e.field, "similarity": e.similarity, "note": e.note})).collect::<Vec<_>>(),
            });
            out.push_str(&line.to_string());
            out.push('\n');
        }
        std::fs::write(path, out).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
