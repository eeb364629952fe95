//! The command-line interface: every subcommand, flag and environment variable, with its help text.
//! Names and output columns written in issues are contracts other tools rely on: add, never rename.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "sift",
    version,
    about = "Systematic-review screening and synthesis: import, deduplicate, screen, appraise, synthesise, report.",
    long_about = "sift runs a systematic review from exported search results to the PRISMA 2020 flow.\n\n\
Start the service with a demo review:   sift serve --demo\n\
Parse an export without a database:     sift parse results.ris --output jsonl\n\
Find duplicates across exports:          sift dedup medline.xml embase.ris --out clusters.csv\n\n\
Configuration comes from flags, then SIFT_* environment variables, then a TOML file (--config, SIFT_CONFIG, or ./sift.toml when present).",
    propagate_version = true
)]
pub struct Cli {
    /// A TOML configuration file (keys: bind, database, log_format, jwt_secret, secure_cookies, access_ttl_secs, refresh_ttl_secs, max_upload_mb, workers, disabled_instruments, files_dir).
    #[arg(long, global = true, env = "SIFT_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Log format: human-readable (default) or one JSON object per line.
    #[arg(long, global = true, env = "SIFT_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web service (API and browser UI).
    Serve(ServeArgs),
    /// Apply database migrations (or show their status, or revert the last ones).
    Migrate(MigrateArgs),
    /// Write the demo review into a database without serving it.
    Demo(DbArgs),
    /// Parse exported citation files and print the records (no database needed).
    Parse(ParseArgs),
    /// Find duplicate records across exported citation files (no database needed).
    Dedup(DedupArgs),
    /// Import an exported file into a review as a search source, then deduplicate the review.
    Import(ImportArgs),
    /// Write a review's PRISMA 2020 flow: the PRISMA2020 CSV template, JSON with every count, or an SVG diagram.
    Prisma(PrismaArgs),
    /// Export review data for other tools.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage reviews and their members.
    #[command(subcommand)]
    Review(ReviewCommand),
}

#[derive(Debug, Args)]
pub struct DbArgs {
    /// Database URL: sqlite://FILE (default sqlite://sift.db) or postgres://USER@HOST/DB.
    #[arg(long, env = "SIFT_DATABASE_URL", value_name = "URL")]
    pub database: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "SIFT_BIND", value_name = "HOST:PORT")]
    pub bind: Option<String>,

    #[command(flatten)]
    pub db: DbArgs,

    /// Start with the demo review (addressable as `demo`), creating it if missing; prints the demo accounts.
    #[arg(long)]
    pub demo: bool,

    /// Mark session cookies Secure (set this when sift is reached over HTTPS).
    #[arg(long, env = "SIFT_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,

    /// HTTP worker threads [default: number of cores].
    #[arg(long, env = "SIFT_WORKERS")]
    pub workers: Option<usize>,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub db: DbArgs,

    /// What to do.
    #[arg(value_enum, default_value = "up")]
    pub action: MigrateAction,

    /// With `down`: how many migrations to revert.
    #[arg(long, default_value_t = 1)]
    pub steps: u32,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert the last --steps migrations.
    Down,
    /// List applied and pending migrations.
    Status,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Auto,
    Ris,
    PubmedXml,
    EndnoteXml,
    Nbib,
    Wos,
    Bibtex,
    Csv,
}

impl FormatArg {
    pub fn to_format(self) -> Option<citation::Format> {
        match self {
            FormatArg::Auto => None,
            FormatArg::Ris => Some(citation::Format::Ris),
            FormatArg::PubmedXml => Some(citation::Format::PubmedXml),
            FormatArg::EndnoteXml => Some(citation::Format::EndnoteXml),
            FormatArg::Nbib => Some(citation::Format::Nbib),
            FormatArg::Wos => Some(citation::Format::Wos),
            FormatArg::Bibtex => Some(citation::Format::Bibtex),
            FormatArg::Csv => Some(citation::Format::Csv),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputArg {
    Jsonl,
    Ris,
    Csv,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Files to parse (RIS, PubMed XML, EndNote XML, MEDLINE .nbib, Web of Science, BibTeX, CSV).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The files' format; detected from each file's content when `auto`.
    #[arg(long, value_enum, default_value = "auto")]
    pub format: FormatArg,

    /// Output: one JSON object per record (jsonl), RIS, or CSV.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub output: OutputArg,
}

#[derive(Debug, Args)]
pub struct DedupArgs {
    /// Files to read, as for `sift parse`; records are numbered across files in input order.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The files' format; detected from each file's content when `auto`.
    #[arg(long, value_enum, default_value = "auto")]
    pub format: FormatArg,

    /// Write the CSV (record_id,cluster_id,decision) here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Write the evidence for every pair judged a duplicate or left for review, as JSON lines.
    #[arg(long, value_name = "FILE")]
    pub explain: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The review: its short name (e.g. `demo`) or id.
    #[arg(long)]
    pub review: String,

    #[command(flatten)]
    pub db: DbArgs,

    /// The exported file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The database or register searched, e.g. MEDLINE [default: the database the file's records name
    /// (RIS DB, Scopus, Web of Science, PubMed...), else the file name].
    #[arg(long, value_name = "NAME")]
    pub database_name: Option<String>,

    /// What kind of source the file is.
    #[arg(long, default_value = "database", value_parser = ["database", "register", "website", "organisation", "citation_searching", "other"])]
    pub kind: String,

    /// The interface used, e.g. Ovid or EBSCOhost [default: the one the file's records name, if any].
    #[arg(long)]
    pub platform: Option<String>,

    /// When the search was run, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub searched_on: Option<String>,

    /// A file holding the search string as run.
    #[arg(long, value_name = "F")]
    pub query_file: Option<PathBuf>,

    /// The file's format; detected from its content when `auto`.
    #[arg(long, value_enum, default_value = "auto")]
    pub format: FormatArg,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from standard input (first line) or prompted for;
    /// it is never taken from the command line.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Make the account an administrator.
        #[arg(long)]
        admin: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Change an account's password (read from standard input or prompted for).
    Password {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Disable an account (its sessions end at once) or enable it again with --enable.
    Disable {
        #[arg(long)]
        email: String,
        /// Enable the account instead.
        #[arg(long)]
        enable: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Create a review with a lead.
    Create {
        /// Short name used in addresses: lower-case letters, digits and hyphens.
        #[arg(long)]
        slug: String,
        #[arg(long)]
        title: String,
        /// Email of the account that leads the review.
        #[arg(long)]
        lead: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Give an account a role in a review.
    AddMember {
        #[arg(long)]
        review: String,
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["lead", "reviewer", "viewer"])]
        role: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PrismaFormat {
    /// The PRISMA2020 R package / Shiny app template (`data,node,box,description,boxtext,tooltips,url,n`).
    Csv,
    /// Every count, the consistency checks and what is still in progress.
    Json,
    /// The flow diagram.
    Svg,
}

#[derive(Debug, Args)]
pub struct PrismaArgs {
    /// The review: its short name (e.g. `demo`) or id.
    #[arg(long)]
    pub review: String,

    #[command(flatten)]
    pub db: DbArgs,

    #[arg(long, value_enum)]
    pub format: PrismaFormat,

    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// SVG: list each database's count inside the identification box.
    #[arg(long)]
    pub detail: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum IncludedFormat {
    Ris,
    Csv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AppraisalFormat {
    /// Studies × items with consensus answers and comments.
    Csv,
    /// The same table as a standalone HTML page.
    Html,
    /// The traffic-light summary plot.
    Svg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    Csv,
    /// A standalone HTML page.
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CharacteristicsFormat {
    /// One row per included study, one column per field of the extraction form.
    Csv,
    /// The same table as a standalone, printable HTML page.
    Html,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The characteristics of the included studies (the reconciled extraction), as CSV or HTML.
    Characteristics {
        /// The review: its short name (e.g. `demo`) or id.
        #[arg(long)]
        review: String,
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, value_enum, default_value = "csv")]
        format: CharacteristicsFormat,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The whole synthesis as a REFI-QDA project (.qdpx: users, codebook, extracts as text sources, codings, memos) for NVivo, ATLAS.ti or MAXQDA.
    Qdpx {
        /// The review: its short name (e.g. `demo`) or id.
        #[arg(long)]
        review: String,
        #[command(flatten)]
        db: DbArgs,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The codebook alone as a REFI-QDA .qdc file (codes, and descriptive themes as sets).
    Qdc {
        /// The review: its short name (e.g. `demo`) or id.
        #[arg(long)]
        review: String,
        #[command(flatten)]
        db: DbArgs,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The GRADE-CERQual Summary of Qualitative Findings table: No.,Summary of review finding,Studies contributing to the review finding,CERQual assessment of confidence in the evidence,Explanation of CERQual assessment.
    Soqf {
        /// The review: its short name (e.g. `demo`) or id.
        #[arg(long)]
        review: String,
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, value_enum, default_value = "csv")]
        format: TableFormat,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The GRADE-CERQual evidence profile: each finding's four components with their explanations.
    EvidenceProfile {
        /// The review: its short name (e.g. `demo`) or id.
        #[arg(long)]
        review: String,
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, value_enum, default_value = "csv")]
        format: TableFormat,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The theme × study matrix as CSV: Theme,Kind,Studies supporting, then one column per included study holding the number of supporting extracts.
    Matrix {
        /// The review: its short name (e.g. `demo`) or id.
        #[arg(long)]
        review: String,
        #[command(flatten)]
        db: DbArgs,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The reconciled appraisal of the included studies: table (CSV, HTML) or traffic-light plot (SVG).
    Appraisal {
        /// The review: its short name (e.g. `demo`) or id.
        #[arg(long)]
        review: String,
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, value_enum)]
        format: AppraisalFormat,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The reports included at full text, as RIS or CSV.
    Included {
        /// The review: its short name (e.g. `demo`) or id.
        #[arg(long)]
        review: String,
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, value_enum, default_value = "ris")]
        format: IncludedFormat,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Every vote and lead resolution as CSV: record_id,source_record_id,stage,reviewer,role,decision,reason,note,time,protocol_version.
    Decisions {
        /// The review: its short name (e.g. `demo`) or id.
        #[arg(long)]
        review: String,
        #[command(flatten)]
        db: DbArgs,
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}
