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
