//! The refi module owns REFI-QDA (QDA-XML 1.0) exchange: deterministic GUIDs, the `.qdc` codebook, the
//! `project.qde` project file and the `.qdpx` container.
//!
//! Identity: an id that is already a GUID is written unchanged; any other id is hashed, with its kind,
//! into a UUID-shaped GUID (version 8, FNV-1a 128-bit with a mixing finish), so the same id always gives the same GUID.
//! Reading gives back the GUIDs as ids, so ids survive a round trip exactly when they are GUIDs, as
//! STANDARDS.md §3.2 asks for codes. User ids always survive, because they travel in `User@id`.

mod container;
mod project;
mod qdc;
pub(crate) mod xml;

pub use container::{qdpx, read_qdpx};
pub use project::{Note, Project, User, project_qde, read_project_qde};
pub use qdc::{Codebook, qdc, read_qdc};

/// Returns true when `value` matches the QDA-XML GUIDType pattern (optionally in braces).
pub fn is_guid(value: &str) -> bool {
    let inner = value.strip_prefix('{').and_then(|v| v.strip_suffix('}')).unwrap_or(value);
    let groups: Vec<&str> = inner.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, length)| group.len() == length && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A UUID-shaped GUID derived from a kind (such as "code") and an id, always hashing.
pub fn derive_guid(kind: &str, id: &str) -> String {
    let mut hash: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    let prime: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    for byte in "sift:".bytes().chain(kind.bytes()).chain(std::iter::once(0)).chain(id.bytes()) {
        hash ^= u128::from(byte);
        hash = hash.wrapping_mul(prime);
    }
    // FNV alone spreads the last bytes poorly, so the hash is finished with multiply-xorshift rounds.
    for _ in 0..2 {
        hash ^= hash >> 64;
        hash = hash.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835);
        hash ^= hash >> 61;
    }
    // Version 8 (custom) and the RFC 4122 variant bits.
    hash = (hash & !(0xf << 76)) | (0x8 << 76);
    hash = (hash & !(0x3 << 62)) | (0x2 << 62);
    let hex = format!("{hash:032x}");
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// The GUID written for an id: the id itself when it is already a GUID, otherwise [`derive_guid`].
pub fn guid_for(kind: &str, id: &str) -> String {
    if is_guid(id) { id.to_string() } else { derive_guid(kind, id) }
}
