//! `sift prisma` and `sift export ...`: review reports for authors and other tools, without a browser.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::open_store;
use crate::cli::{AppraisalFormat, CharacteristicsFormat, ExportCommand, IncludedFormat, PrismaArgs, PrismaFormat, TableFormat};
use crate::config::FileConfig;

async fn review_id(store: &store::Store, key: &str) -> anyhow::Result<i32> {
    Ok(store::reviews::find(&store.db, key)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no review {key:?}; check the short name, or create it with `sift review create`"))?
        .id)
}

fn write_out(out: Option<&Path>, text: &str) -> anyhow::Result<()> {
    write_bytes(out, text.as_bytes())
}

fn write_bytes(out: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match out {
        Some(p) => std::fs::write(p, bytes).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display())),
        None => Ok(std::io::stdout().lock().write_all(bytes)?),
    }
}

/// The review's synthesis, read once for an export.
async fn synthesis(
    db: &crate::cli::DbArgs,
    file: &FileConfig,
    key: &str,
) -> anyhow::Result<(store::reviews::Review, server::app::synthesis::Snapshot)> {
    let store = open_store(db.database.as_deref(), file).await?;
    let review = store::reviews::find(&store.db, key)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no review {key:?}; check the short name, or create it with `sift review create`"))?;
    let snap = server::app::synthesis::snapshot(&store, review.id).await?;
    Ok((review, snap))
}

pub async fn prisma(args: PrismaArgs, file: &FileConfig) -> anyhow::Result<ExitCode> {
    let store = open_store(args.db.database.as_deref(), file).await?;
    let id = review_id(&store, &args.review).await?;
    let (counts, progress) = server::app::prisma::counts(&store, id).await?;
    let text = match args.format {
        PrismaFormat::Csv => review::prisma::to_csv(&counts),
        PrismaFormat::Json => format!("{:#}\n", server::app::prisma::to_json(&counts, &progress)),
        PrismaFormat::Svg => review::prisma::to_svg(&counts, args.detail),
    };
    write_out(args.out.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}

pub async fn export(cmd: ExportCommand, file: &FileConfig) -> anyhow::Result<ExitCode> {
    match cmd {
        ExportCommand::Characteristics { review, db, format, out } => {
            let store = open_store(db.database.as_deref(), file).await?;
            let id = review_id(&store, &review).await?;
            let title = store::reviews::find(&store.db, &review).await?.map(|r| r.title).unwrap_or_default();
            let (form, rows) = server::app::extraction::table(&store, id)
                .await
                .map_err(|e| anyhow::anyhow!("cannot build the characteristics table: {e}"))?;
            let text = match format {
                CharacteristicsFormat::Csv => synthesis::extraction::characteristics_csv(&form, &rows),
                CharacteristicsFormat::Html => {
                    synthesis::extraction::characteristics_html(&server::app::extraction::table_title(&title), &form, &rows)
                }
            };
            write_out(out.as_deref(), &text)?;
        }
        ExportCommand::Qdpx { review, db, out } => {
            let (review, snap) = synthesis(&db, file, &review).await?;
            let bytes =
                synthesis::refi::qdpx(&snap.project(&review.title)).map_err(|e| anyhow::anyhow!("cannot write the .qdpx project: {e}"))?;
            write_bytes(out.as_deref(), &bytes)?;
        }
        ExportCommand::Qdc { review, db, out } => {
            let (review, snap) = synthesis(&db, file, &review).await?;
            let project = snap.project(&review.title);
            let text = synthesis::refi::qdc(&project.codes, &project.themes)
                .map_err(|e| anyhow::anyhow!("cannot write the .qdc codebook: {e}"))?;
            write_out(out.as_deref(), &text)?;
        }
        ExportCommand::Soqf { review, db, format, out } => {
            let (_, snap) = synthesis(&db, file, &review).await?;
            let rows = snap.assessments();
            let text = match format {
                TableFormat::Csv => synthesis::cerqual::soqf_csv(&rows),
                TableFormat::Html => synthesis::cerqual::soqf_html(&rows),
            };
            write_out(out.as_deref(), &text)?;
        }
        ExportCommand::EvidenceProfile { review, db, format, out } => {
            let (_, snap) = synthesis(&db, file, &review).await?;
            let rows = snap.assessments();
            let text = match format {
                TableFormat::Csv => synthesis::cerqual::evidence_profile_csv(&rows),
                TableFormat::Html => synthesis::cerqual::evidence_profile_html(&rows),
            };
            write_out(out.as_deref(), &text)?;
        }
        ExportCommand::Matrix { review, db, out } => {
            let (_, snap) = synthesis(&db, file, &review).await?;
            write_out(out.as_deref(), &snap.matrix_csv())?;
        }
        ExportCommand::Appraisal { review, db, format, out } => {
            let store = open_store(db.database.as_deref(), file).await?;
            let id = review_id(&store, &review).await?;
            let (instr, rows) =
                server::app::appraisal::table(&store, id).await.map_err(|e| anyhow::anyhow!("cannot build the appraisal table: {e}"))?;
            let text = match format {
                AppraisalFormat::Csv => review::appraisal::table_csv(&instr, &rows),
                AppraisalFormat::Html => review::appraisal::table_html(&instr, &rows),
                AppraisalFormat::Svg => review::appraisal::traffic_light_svg(&instr, &rows),
            };
            write_out(out.as_deref(), &text)?;
        }
        ExportCommand::Included { review, db, format, out } => {
            let store = open_store(db.database.as_deref(), file).await?;
            let id = review_id(&store, &review).await?;
            let records = server::app::screening::included_citations(&store, id).await?;
            let text = match format {
                IncludedFormat::Ris => {
                    let mut s = String::new();
                    citation::write::ris(&records, &mut s);
                    s
                }
                IncludedFormat::Csv => {
                    let mut bytes = Vec::new();
                    citation::write::csv(&records, &mut bytes);
                    String::from_utf8_lossy(&bytes).into_owned()
                }
            };
            write_out(out.as_deref(), &text)?;
        }
        ExportCommand::Decisions { review, db, out } => {
            let store = open_store(db.database.as_deref(), file).await?;
            let id = review_id(&store, &review).await?;
            let csv = server::app::screening::decisions_csv(&store, id).await?;
            write_out(out.as_deref(), &csv)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
