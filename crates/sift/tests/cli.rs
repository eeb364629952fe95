//! The `sift` command as other tools use it: help, parse, dedup, demo, import, users, and the one-line
//! errors for bad configuration, an unreachable database and a busy port.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};

use tests::{Db, TestDb, repo_root};

fn sift() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sift"));
    c.env_remove("SIFT_DATABASE_URL").env_remove("SIFT_BIND").env_remove("SIFT_CONFIG").env("SIFT_LOG", "warn");
    c
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run sift")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn demo(file: &str) -> String {
    repo_root().join("fixtures/demo").join(file).display().to_string()
}

#[test]
fn help_lists_every_command() {
    let o = run(sift().arg("--help"));
    assert!(o.status.success());
    let text = stdout(&o);
    for cmd in ["serve", "migrate", "demo", "parse", "dedup", "import", "user", "review"] {
        assert!(text.contains(cmd), "--help lacks {cmd}:\n{text}");
    }
    let o = run(sift().args(["parse", "--help"]));
    let text = stdout(&o);
    for word in ["--format", "--output", "pubmed-xml", "endnote-xml", "jsonl"] {
        assert!(text.contains(word), "parse --help lacks {word}:\n{text}");
    }
}

#[test]
fn parse_writes_one_json_object_per_record() {
    let o = run(sift().args(["parse", &demo("cinahl.ris"), &demo("medline.xml")]));
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 50);
    let keys = [
        "source_id",
        "type",
        "title",
        "authors",
        "year",
        "journal",
        "volume",
        "issue",
        "pages",
        "start_page",
        "end_page",
        "doi",
        "pmid",
        "issn",
        "isbn",
        "abstract",
        "keywords",
        "language",
        "urls",
    ];
    for l in &lines {
        for k in keys {
            assert!(l.get(k).is_some(), "missing {k} in {l}");
        }
        assert!(l["authors"].is_array() && l["keywords"].is_array() && l["urls"].is_array());
    }
    assert_eq!(lines[0]["source_id"], "C0001");
    assert!(lines[0]["authors"][0].as_str().unwrap().contains(", "), "authors are \"Family, Given\"");
    assert!(lines[25]["pmid"].as_str().is_some());
}

#[test]
fn parse_fails_on_an_unsupported_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("refs.enw");
    std::fs::write(&bad, "%0 Journal Article\n%T A title\n").unwrap();
    let o = run(sift().args(["parse", bad.to_str().unwrap()]));
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.starts_with(&format!("{}:1: error: ", bad.display())), "{err}");
}

#[test]
fn dedup_writes_the_contracted_csv_and_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clusters.csv");
    let explain = dir.path().join("explain.jsonl");
    let o = run(sift()
        .args(["dedup", &demo("medline.xml"), &demo("cinahl.ris"), &demo("scopus.csv"), "--out"])
        .arg(&out)
        .arg("--explain")
        .arg(&explain));
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("record_id,cluster_id,decision"));
    let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(str::to_owned).collect()).collect();
    assert_eq!(rows.len(), 70);
    assert!(rows.iter().all(|r| ["unique", "kept", "duplicate", "review"].contains(&r[2].as_str())));
    // Input order is kept: the first rows are the MEDLINE PMIDs.
    assert_eq!(rows[0][0], "39000101");
    let dups = rows.iter().filter(|r| r[2] == "duplicate").count();
    assert!(dups >= 10, "expected at least 10 automatic merges, got {dups}");
    for r in rows.iter().filter(|r| r[2] == "duplicate") {
        let kept = rows.iter().find(|k| k[0] == r[1]).expect("cluster_id names a record");
        assert_eq!(kept[2], "kept");
    }
    let evidence = std::fs::read_to_string(&explain).unwrap();
    let first: serde_json::Value = serde_json::from_str(evidence.lines().next().unwrap()).unwrap();
    assert!(first["evidence"].as_array().is_some_and(|e| !e.is_empty()), "{first}");
}

#[test]
fn bad_configuration_is_one_line_and_fails() {
    let o = run(sift().args(["serve", "--bind", "nonsense"]));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--bind") && err.contains("HOST:PORT"), "{err}");

    let o = run(sift().args(["migrate", "--database", "mysql://root@localhost/x"]));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("neither sqlite: nor postgres://"), "{}", stderr(&o));

    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sift.toml");
    std::fs::write(&cfg, "bind = \"127.0.0.1:0\"\ndatabse = \"sqlite://x.db\"\n").unwrap();
    let o = run(sift().arg("--config").arg(&cfg).args(["migrate", "status"]));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("databse") && err.lines().count() == 1, "{err}");

    let clean = tempfile::tempdir().unwrap();
    let o = run(sift()
        .env("SIFT_DISABLED_INSTRUMENTS", "casp-rct, no-such-checklist")
        .args(["serve", "--database", "sqlite://unused.db", "--bind", "127.0.0.1:0"])
        .current_dir(clean.path()));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no-such-checklist"), "{}", stderr(&o));
    let o = run(sift()
        .env("SIFT_JWT_SECRET", "short")
        .args(["serve", "--database", "sqlite://unused.db", "--bind", "127.0.0.1:0"])
        .current_dir(clean.path()));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("at least 32"), "{}", stderr(&o));

    // A files directory that cannot be made (its parent is a file), from the environment or the file.
    let blocker = clean.path().join("not-a-directory");
    std::fs::write(&blocker, "x").unwrap();
    let o = run(sift()
        .env("SIFT_FILES_DIR", blocker.join("pdfs"))
        .args(["serve", "--database", "sqlite://unused.db", "--bind", "127.0.0.1:0"])
        .current_dir(clean.path()));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("files directory") && err.contains("SIFT_FILES_DIR") && err.lines().count() == 1, "{err}");
    let cfg = clean.path().join("files.toml");
    std::fs::write(&cfg, format!("files_dir = {:?}\n", blocker.join("pdfs").display().to_string())).unwrap();
    let o = run(sift()
        .arg("--config")
        .arg(&cfg)
        .args(["serve", "--database", "sqlite://unused.db", "--bind", "127.0.0.1:0"])
        .current_dir(clean.path()));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("files directory"), "{}", stderr(&o));
}

#[test]
fn unreachable_database_is_one_line_with_password_masked() {
    let o = run(sift().args(["migrate", "--database", "postgres://sift:hunter2@127.0.0.1:1/sift"]));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot connect") && err.contains("sift:***@127.0.0.1:1"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn busy_port_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let db = format!("sqlite://{}", dir.path().join("s.db").display());
    let o = run(sift().args(["serve", "--database", &db, "--bind", &format!("127.0.0.1:{port}")]));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("cannot listen on") && err.contains("--bind"), "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1, "{err}");
}

#[test]
fn serve_demo_prints_accounts_serves_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("demo.db").display());
    let log_path = dir.path().join("sift.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = sift()
        .env("SIFT_LOG", "info")
        .args(["serve", "--demo", "--log-format", "json", "--database", &db, "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            break;
        }
        printed.push_str(&line);
        if line.contains("Ctrl-C") {
            break;
        }
    }
    assert!(printed.contains("lead@demo.sift") && printed.contains("demo-lead-password"), "{printed}");
    let base = printed.lines().find_map(|l| l.strip_prefix("sift is serving ")).unwrap().split_whitespace().next().unwrap().to_owned();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let health: serde_json::Value = rt.block_on(async { reqwest::get(format!("{base}/health")).await.unwrap().json().await.unwrap() });
    assert_eq!(health["database"], "reachable");
    let token = rt.block_on(async {
        let body = serde_json::json!({"email": "lead@demo.sift", "password": "demo-lead-password"});
        let res = reqwest::Client::new().post(format!("{base}/api/auth/login")).json(&body).send().await.unwrap();
        let v: serde_json::Value = res.json().await.unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    });
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "SIGTERM must stop sift gracefully, got {exit:?}");
    // Logs are JSON lines, and never carry a password or a token.
    let logs = std::fs::read_to_string(&log_path).unwrap();
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.iter().any(|l| l["message"] == "request" && l["path"] == "/api/auth/login"), "{logs}");
    assert!(lines.iter().any(|l| l["message"] == "shutting down: finishing in-flight requests"), "{logs}");
    assert!(!logs.contains("demo-lead-password") && !logs.contains(&token), "a secret reached the logs");
}

/// `sift demo`, `sift user add`, `sift review create` and `sift import`, on SQLite and PostgreSQL.
#[test]
fn headless_team_workflow() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for kind in [Db::Sqlite, Db::Postgres] {
        let Some(db) = rt.block_on(TestDb::new(kind)).unwrap() else { continue };
        let o = run(sift().args(["demo", "--database", &db.url]));
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("wrote the demo review"));
        let o = run(sift().args(["demo", "--database", &db.url]));
        assert!(stdout(&o).contains("already there"));
        // Reports on the demo review, as other tools read them.
        let o = run(sift().args(["prisma", "--review", "demo", "--database", &db.url, "--format", "csv"]));
        assert!(o.status.success(), "{}", stderr(&o));
        let csv = stdout(&o);
        assert!(csv.starts_with("data,node,box,description,boxtext,tooltips,url,n"), "{csv}");
        let counts = review::prisma::from_csv(&csv).unwrap();
        assert_eq!(counts.database_total(), 70);
        let o = run(sift().args(["prisma", "--review", "demo", "--database", &db.url, "--format", "json"]));
        let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(json["identification"]["database_total"], 70);
        assert_eq!(json["removed_before_screening"]["duplicates"], counts.duplicates);
        assert!(json["databases_and_registers"]["reports_not_retrieved"].as_u64().unwrap() >= 1);
        let dir = tempfile::tempdir().unwrap();
        let svg = dir.path().join("flow.svg");
        let o = run(sift().args(["prisma", "--review", "demo", "--database", &db.url, "--format", "svg", "--out"]).arg(&svg));
        assert!(o.status.success());
        assert!(std::fs::read_to_string(&svg).unwrap().contains("</svg>"));
        let o = run(sift().args(["export", "decisions", "--review", "demo", "--database", &db.url]));
        let decisions = stdout(&o);
        assert!(
            decisions.starts_with("record_id,source_record_id,stage,reviewer,role,decision,reason,note,time,protocol_version\n"),
            "{decisions}"
        );
        assert!(decisions.lines().count() > 40);
        let o = run(sift().args(["export", "included", "--review", "demo", "--database", &db.url, "--format", "ris"]));
        let ris = stdout(&o);
        let included = citation::parse(ris.as_bytes(), Some(citation::Format::Ris));
        assert_eq!(included.records.len() as u64, json["databases_and_registers"]["reports_included"].as_u64().unwrap());
        assert!(!included.records.is_empty());
        let o = run(sift().args(["export", "appraisal", "--review", "demo", "--database", &db.url, "--format", "csv"]));
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o).lines().count(), 2, "one reconciled study in the demo");
        let o = run(sift().args(["export", "appraisal", "--review", "demo", "--database", &db.url, "--format", "svg"]));
        assert!(stdout(&o).contains("</svg>"));
        // Synthesis exports: the SoQF table, the matrix, the codebook and the whole project.
        let o = run(sift().args(["export", "soqf", "--review", "demo", "--database", &db.url]));
        assert!(o.status.success(), "{}", stderr(&o));
        let soqf = stdout(&o);
        assert!(soqf.starts_with("No.,Summary of review finding,Studies contributing to the review finding,CERQual assessment of confidence in the evidence,Explanation of CERQual assessment\r\n"), "{soqf}");
        assert_eq!(soqf.lines().count(), 3, "{soqf}");
        let o = run(sift().args(["export", "soqf", "--review", "demo", "--database", &db.url, "--format", "html"]));
        assert!(stdout(&o).contains("Moderate confidence"));
        let o = run(sift().args(["export", "evidence-profile", "--review", "demo", "--database", &db.url]));
        assert!(stdout(&o).contains("Methodological limitations"), "{}", stdout(&o));
        let o = run(sift().args(["export", "matrix", "--review", "demo", "--database", &db.url]));
        let matrix = stdout(&o);
        assert!(matrix.starts_with("Theme,Kind,Studies supporting,"), "{matrix}");
        assert!(matrix.contains("Peer workers as bridges between two worlds,analytical,"), "{matrix}");
        let o = run(sift().args(["export", "qdc", "--review", "demo", "--database", &db.url]));
        assert!(stdout(&o).contains("Shared experience builds trust"), "{}", stdout(&o));
        let qdpx = dir.path().join("demo.qdpx");
        let o = run(sift().args(["export", "qdpx", "--review", "demo", "--database", &db.url, "--out"]).arg(&qdpx));
        assert!(o.status.success(), "{}", stderr(&o));
        let project = synthesis::refi::read_qdpx(&std::fs::read(&qdpx).unwrap()).unwrap();
        assert_eq!(project.extracts.len(), 7);
        assert_eq!(project.codes.len(), 9);
        let o = run(sift().args(["prisma", "--review", "nope", "--database", &db.url, "--format", "json"]));
        assert!(!o.status.success() && stderr(&o).contains("no review \"nope\""));

        let mut child = sift()
            .args(["user", "add", "--email", "Ana@Example.org", "--name", "Ana", "--database", &db.url])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"a long enough password\n").unwrap();
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("ana@example.org"));
        assert!(!stdout(&o).contains("a long enough password") && !stderr(&o).contains("a long enough password"));

        let o = run(sift().args([
            "review",
            "create",
            "--slug",
            "cli-review",
            "--title",
            "CLI review",
            "--lead",
            "ana@example.org",
            "--database",
            &db.url,
        ]));
        assert!(o.status.success(), "{}", stderr(&o));
        let dir = tempfile::tempdir().unwrap();
        let q = dir.path().join("query.txt");
        std::fs::write(&q, "\"peer support\" AND homeless*\n").unwrap();
        let o = run(sift()
            .args([
                "import",
                "--review",
                "cli-review",
                "--database",
                &db.url,
                "--database-name",
                "CINAHL",
                "--searched-on",
                "2024-03-12",
                "--query-file",
            ])
            .arg(&q)
            .arg(demo("cinahl.ris")));
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("imported 25 records"), "{}", stdout(&o));
        // A file with errors stores nothing and says which line.
        let bad = dir.path().join("bad.ris");
        std::fs::write(&bad, "%0 Journal Article\n%T nope\n").unwrap();
        let o = run(sift().args(["import", "--review", "cli-review", "--database", &db.url]).arg(&bad));
        assert!(!o.status.success());
        assert!(stderr(&o).contains("bad.ris:1: error:"), "{}", stderr(&o));
        let o = run(sift()
            .args(["import", "--review", "cli-review", "--database", &db.url, "--searched-on", "March 2024"])
            .arg(demo("cinahl.ris")));
        assert!(stderr(&o).contains("YYYY-MM-DD"));
        let store = rt.block_on(store::connect(&db.url)).unwrap();
        let review = rt.block_on(store::reviews::by_slug(&store.db, "cli-review")).unwrap().unwrap();
        let sources = rt.block_on(store::imports::sources(&store.db, review.id)).unwrap();
        assert_eq!(sources.len(), 1, "the failed imports left nothing behind");
        assert_eq!(sources[0].query.as_deref(), Some("\"peer support\" AND homeless*"));
        // Without --database-name or --platform, the source is named as its records name it.
        let o = run(sift().args(["import", "--review", "cli-review", "--database", &db.url]).arg(demo("cinahl.ris")));
        assert!(o.status.success(), "{}", stderr(&o));
        let o = run(sift().args(["import", "--review", "cli-review", "--database", &db.url, "--platform", "NLM"]).arg(demo("medline.xml")));
        assert!(o.status.success(), "{}", stderr(&o));
        let sources = rt.block_on(store::imports::sources(&store.db, review.id)).unwrap();
        let named: Vec<(&str, Option<&str>)> = sources.iter().map(|s| (s.name.as_str(), s.platform.as_deref())).collect();
        assert_eq!(named, [("CINAHL", Some("EBSCOhost")), ("CINAHL Ultimate", Some("EBSCOhost")), ("PubMed", Some("NLM"))], "{sources:?}");
        rt.block_on(store.close());
    }
}

/// `sift export characteristics`: the extraction table of the demo review, as CSV and HTML.
#[test]
fn export_characteristics() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for kind in [Db::Sqlite, Db::Postgres] {
        let Some(db) = rt.block_on(TestDb::new(kind)).unwrap() else { continue };
        let o = run(sift().args(["demo", "--database", &db.url]));
        assert!(o.status.success(), "{}", stderr(&o));
        // The lead switches the demo review to one extractor and a two-field form; the demo's reconciled
        // study and its singly extracted one keep their values, and one extractor fills in the third.
        let labels = rt.block_on(async {
            let store = store::connect(&db.url).await.unwrap();
            let review = store::reviews::find(&store.db, "demo").await.unwrap().unwrap();
            let lead = store::reviews::members(&store.db, review.id).await.unwrap()[0].0.id;
            let form: synthesis::extraction::Form = serde_json::from_value(serde_json::json!({"extractors": 1, "fields": [
                {"key": "setting", "label": "Setting", "kind": "text", "required": true},
                {"key": "participants", "label": "Participants (n)", "kind": "number"}
            ]}))
            .unwrap();
            server::app::extraction::save_form(&store, review.id, form, lead, 1).await.unwrap();
            let studies = server::app::extraction::studies(&store, review.id).await.unwrap();
            let values = r#"{"setting":"Peer-led service, London <UK>","participants":14}"#;
            store::extraction::put(&store.db, review.id, studies[2].item.id, Some(lead), values, true, 2).await.unwrap();
            studies.into_iter().map(|s| s.label).collect::<Vec<_>>()
        });
        let o = run(sift().args(["export", "characteristics", "--review", "demo", "--database", &db.url]));
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(labels.len(), 3);
        let expected = format!(
            "Study,Setting,Participants (n)\r\n{},Peer support in a hospital addiction medicine service,12\r\n{},Homelessness services run by a charity,18\r\n{},\"Peer-led service, London <UK>\",14\r\n",
            labels[0], labels[1], labels[2]
        );
        assert_eq!(stdout(&o), expected);
        let dir = tempfile::tempdir().unwrap();
        let html = dir.path().join("characteristics.html");
        let o = run(sift()
            .args(["export", "characteristics", "--review", "demo", "--database", &db.url, "--format", "html", "--out"])
            .arg(&html));
        assert!(o.status.success(), "{}", stderr(&o));
        let page = std::fs::read_to_string(&html).unwrap();
        assert!(page.contains("<td>Peer-led service, London &lt;UK&gt;</td>"), "{page}");
        let o = run(sift().args(["export", "characteristics", "--review", "nope", "--database", &db.url]));
        assert!(!o.status.success() && stderr(&o).contains("no review \"nope\""));
    }
}
