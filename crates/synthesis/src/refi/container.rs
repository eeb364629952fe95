//! The container module owns the `.qdpx` ZIP container: `project.qde` at the root and a `sources/` folder.

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::project::{Project, project_qde, read_project_qde};

/// The largest member read from a container, to refuse decompression bombs.
const MAX_MEMBER_BYTES: u64 = 256 * 1024 * 1024;

/// Writes a `.qdpx`: `project.qde` (deflated) at the root and an empty `sources/` folder, because every
/// source is carried inline as `PlainTextContent`. Entry times are the ZIP default, so the bytes depend only
/// on the project.
pub fn qdpx(project: &Project) -> Result<Vec<u8>, String> {
    let qde = project_qde(project)?;
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let fail = |e: zip::result::ZipError| format!("The .qdpx container cannot be written: {e}.");
    writer.start_file("project.qde", options).map_err(fail)?;
    writer.write_all(qde.as_bytes()).map_err(|e| format!("The .qdpx container cannot be written: {e}."))?;
    writer.add_directory("sources/", options).map_err(fail)?;
    Ok(writer.finish().map_err(fail)?.into_inner())
}

fn read_member(archive: &mut ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<String, String> {
    let file = archive.by_name(name).map_err(|e| format!("The container member \"{name}\" cannot be opened: {e}."))?;
    let mut bytes = Vec::new();
    file.take(MAX_MEMBER_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("The container member \"{name}\" cannot be read: {e}."))?;
    if bytes.len() as u64 > MAX_MEMBER_BYTES {
        return Err(format!("The container member \"{name}\" is larger than 256 MiB."));
    }
    String::from_utf8(bytes).map_err(|_| format!("The container member \"{name}\" is not UTF-8 text."))
}

/// Reads a `.qdpx`. It uses `project.qde` at the root when present, otherwise the single `*.qde` of any
/// name (ATLAS.ti names it after the project). Sources given as `internal://name` are read from `sources/`.
pub fn read_qdpx(bytes: &[u8]) -> Result<Project, String> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("The file is not a readable ZIP container: {e}."))?;
    let names: Vec<String> = archive.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect();
    let qde = if names.iter().any(|n| n == "project.qde") {
        "project.qde".to_string()
    } else {
        let candidates: Vec<&String> = names.iter().filter(|n| n.to_ascii_lowercase().ends_with(".qde")).collect();
        match candidates.as_slice() {
            [one] => (*one).clone(),
            [] => return Err("The container holds no .qde project file.".to_string()),
            _ => {
                return Err(format!("The container holds {} .qde files, so the project is ambiguous.", candidates.len()));
            }
        }
    };
    let text = read_member(&mut archive, &qde)?;
    let archive = std::cell::RefCell::new(archive);
    let load = |path: &str| -> Option<String> {
        let name = path.strip_prefix("internal://")?;
        if name.contains("..") || name.contains('/') || name.contains('\\') {
            return None;
        }
        read_member(&mut archive.borrow_mut(), &format!("sources/{name}")).ok()
    };
    read_project_qde(&text, &load)
}
