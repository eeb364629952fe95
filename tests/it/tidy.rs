//! Repository rules checked on every test run: every Rust module opens with a `//!` line saying what
//! it owns, and the pure crates stay pure (no HTTP, SQL or async runtime in their dependencies).

use std::path::Path;

use super::repo_root;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_module_says_what_it_owns() {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in ["crates", "migrations/src", "tests"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 30, "found only {} files", files.len());
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            !first.starts_with("//!")
        })
        .map(|f| f.strip_prefix(&root).unwrap_or(f).display().to_string())
        .collect();
    assert!(missing.is_empty(), "these modules do not open with a //! line: {missing:#?}");
}

#[test]
fn pure_crates_stay_pure() {
    let root = repo_root();
    let banned = ["actix", "sea-orm", "sea_orm", "sqlx", "tokio", "reqwest", "hyper"];
    for krate in ["citation", "dedup", "review", "synthesis"] {
        let manifest = std::fs::read_to_string(root.join("crates").join(krate).join("Cargo.toml")).unwrap();
        let deps = manifest.split("[dependencies]").nth(1).unwrap_or("").split("\n[").next().unwrap_or("");
        for b in banned {
            assert!(!deps.contains(b), "crate {krate} depends on {b}: pure crates do no I/O");
        }
    }
    // Only the store speaks SQL: no other crate depends on sea-orm directly.
    for krate in ["server", "sift", "citation", "dedup", "review", "synthesis"] {
        let manifest = std::fs::read_to_string(root.join("crates").join(krate).join("Cargo.toml")).unwrap();
        let deps = manifest.split("[dependencies]").nth(1).unwrap_or("").split("\n[").next().unwrap_or("");
        assert!(!deps.contains("sea-orm"), "crate {krate} depends on sea-orm; go through the store");
    }
}

/// The method and path pattern of every route the server's handlers declare (`#[get("...")]` and the
/// like), with the file that declares it.
fn declared_routes() -> Vec<(String, String, String)> {
    let root = repo_root();
    let mut files = Vec::new();
    rust_files(&root.join("crates/server/src"), &mut files);
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for line in text.lines() {
            let line = line.trim_start();
            for method in ["get", "post", "put", "patch", "delete", "head"] {
                if let Some(rest) = line.strip_prefix(&format!("#[{method}(\"")) {
                    let pattern = rest.split('"').next().unwrap_or("").to_owned();
                    let file = f.strip_prefix(&root).unwrap_or(&f).display().to_string();
                    out.push((method.to_owned(), pattern, file));
                }
            }
        }
    }
    out
}

/// Whether one request path can match both patterns: as many segments, each pair the same text or
/// either one a `{parameter}` (which matches any one segment).
fn patterns_overlap(a: &str, b: &str) -> bool {
    let param = |s: &str| s.starts_with('{') && s.ends_with('}');
    let (a, b): (Vec<&str>, Vec<&str>) = (a.split('/').collect(), b.split('/').collect());
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x == y || param(x) || param(y))
}

#[test]
fn overlapping_patterns_are_recognised() {
    assert!(patterns_overlap("/api/reviews/{review}/items/{id}", "/api/reviews/{review}/items/batch"));
    assert!(patterns_overlap("/api/reviews/{review}", "/api/reviews/{id}"));
    assert!(!patterns_overlap("/api/reviews/{review}/items/{id}", "/api/reviews/{review}/items/{id}/vote"));
    assert!(!patterns_overlap("/api/reviews/{review}/audit", "/api/reviews/{review}/sources"));
}

/// The server registers its busiest routes first (`routes::configure`), and actix takes the first
/// route that matches: that order must never change what a request reaches, so no request may match
/// two routes of one method.
#[test]
fn no_request_matches_two_routes() {
    let routes = declared_routes();
    assert!(routes.len() > 100, "found only {} routes: has the way handlers declare them changed?", routes.len());
    let mut clashes = Vec::new();
    for (n, (method, pattern, file)) in routes.iter().enumerate() {
        for (other_method, other, other_file) in &routes[n + 1..] {
            if method == other_method && patterns_overlap(pattern, other) {
                clashes.push(format!("{method} {pattern} ({file}) and {other} ({other_file})"));
            }
        }
    }
    assert!(clashes.is_empty(), "one request could reach either route of each pair: {clashes:#?}");
}
