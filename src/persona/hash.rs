//! Content hashing of persona documents.

use sha2::{Digest, Sha256};

use super::PersonaDocument;

/// SHA-256 of the document's canonical (compact, fixed field order) JSON.
pub fn content_hash(doc: &PersonaDocument) -> [u8; 32] {
    let bytes = serde_json::to_vec(doc).unwrap_or_default();
    Sha256::digest(&bytes).into()
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}
