//! Full texts kept in a files directory (`Settings::files_dir`) instead of the database: where a file
//! goes (its content address), writing it there whole or not at all, and reading it back.
//!
//! Several servers share full texts by sharing the directory (a network file system) as they share
//! the database. A file is written before the database row that names it, so a failed attach can
//! leave a file no row names (harmless: the same content gets the same path, and a retry reuses it);
//! it never leaves a row naming a missing file.

use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Numbers this process's partial files, so two writes at once never share one.
static PARTS: AtomicU64 = AtomicU64::new(0);

/// The path under the directory for content with this SHA-256 (hex): `ab/abcdef….pdf`.
pub fn content_path(sha256: &str) -> String {
    format!("{}/{sha256}.pdf", sha256.get(..2).unwrap_or("00"))
}

/// Whether `path` is one [`content_path`] makes (so a path read from the database never leaves the
/// directory).
fn is_content_path(path: &str) -> bool {
    let hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    match path.split_once('/') {
        Some((dir, file)) => {
            dir.len() == 2 && hex(dir) && file.strip_suffix(".pdf").is_some_and(|h| h.len() == 64 && hex(h) && h.starts_with(dir))
        }
        None => false,
    }
}

/// Makes the directory if it is missing and checks that this process can write files in it; the
/// error is a sentence for whoever configured it.
pub fn check_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| {
        format!("the files directory {} cannot be created ({e}); create it, or fix files_dir / SIFT_FILES_DIR", dir.display())
    })?;
    let probe = dir.join(format!(".sift-probe-{}", std::process::id()));
    std::fs::write(&probe, b"probe").and_then(|()| std::fs::remove_file(&probe)).map_err(|e| {
        format!(
            "sift cannot write in the files directory {} ({e}); give it write access, or choose another with files_dir / SIFT_FILES_DIR",
            dir.display()
        )
    })
}

/// Writes `bytes` (whose SHA-256 is `sha256`) to its content path under `dir` and returns that path.
/// The file appears whole or not at all (written beside it under a name of its own, flushed to disk,
/// then renamed); content already there is kept.
pub async fn write(dir: &Path, sha256: &str, bytes: Vec<u8>) -> std::io::Result<String> {
    let rel = content_path(sha256);
    let target = dir.join(&rel);
    let tmp = dir.join(format!("{rel}.{}-{}.part", std::process::id(), PARTS.fetch_add(1, Ordering::Relaxed)));
    tokio::task::spawn_blocking(move || -> std::io::Result<String> {
        if target.exists() {
            return Ok(rel);
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let written = (|| {
            let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &target)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written.map(|()| rel)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Reads the file at `path` under `dir`.
pub async fn read(dir: &Path, path: &str) -> std::io::Result<Vec<u8>> {
    if !is_content_path(path) {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{path:?} is not a content path")));
    }
    tokio::fs::read(dir.join(path)).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn content_paths_stay_inside_the_directory() {
        let sha = "ab".repeat(32);
        let p = content_path(&sha);
        assert_eq!(p, format!("ab/{sha}.pdf"));
        assert!(is_content_path(&p));
        assert!(!is_content_path("../etc/passwd"));
        assert!(!is_content_path(&format!("cd/{sha}.pdf")), "the folder is the name's first two digits");
        assert!(!is_content_path(&format!("ab/../{sha}.pdf")));
        assert!(!is_content_path("ab/abc.pdf"));
    }

    #[tokio::test]
    async fn a_file_is_written_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("sift-files-test-{}", std::process::id()));
        check_dir(&dir).unwrap();
        let sha = "0f".repeat(32);
        let path = write(&dir, &sha, b"%PDF-1.4 body %%EOF".to_vec()).await.unwrap();
        assert_eq!(read(&dir, &path).await.unwrap(), b"%PDF-1.4 body %%EOF");
        // The same content again keeps the file there.
        assert_eq!(write(&dir, &sha, b"%PDF-1.4 body %%EOF".to_vec()).await.unwrap(), path);
        // Two writes of one content at once each write a partial file of their own.
        let other = "1e".repeat(32);
        let body = vec![7u8; 1 << 20];
        let (a, b) = tokio::join!(write(&dir, &other, body.clone()), write(&dir, &other, body.clone()));
        assert_eq!(a.unwrap(), b.unwrap());
        assert_eq!(read(&dir, &content_path(&other)).await.unwrap(), body);
        for sub in ["0f", "1e"] {
            let left: Vec<_> = std::fs::read_dir(dir.join(sub)).unwrap().flatten().map(|e| e.file_name()).collect();
            assert_eq!(left.len(), 1, "no partial file is left beside it: {left:?}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
