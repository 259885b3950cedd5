//! Loading persona documents from JSON, plain text and files, with size limits.

use std::path::Path;

use serde_json::Value;

use super::{validate, Persona, PersonaDocument};
use crate::error::{Result, ZippError};

/// Largest persona document accepted, in bytes (256 KiB).
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024;
/// Largest persona `text` accepted, in bytes (16 KiB).
pub const MAX_TEXT_BYTES: usize = 16 * 1024;

fn too_large(what: &str, size: usize, limit: usize) -> ZippError {
    ZippError::TooLarge {
        what: what.to_string(),
        size,
        limit,
    }
}

/// Parses and validates a JSON persona document.
pub fn from_json(json: &str) -> Result<Persona> {
    if json.len() > MAX_DOCUMENT_BYTES {
        return Err(too_large(
            "persona document",
            json.len(),
            MAX_DOCUMENT_BYTES,
        ));
    }
    let value: Value = serde_json::from_str(json).map_err(|e| ZippError::json("persona", &e))?;
    if let Some(Value::String(text)) = value.get("text") {
        if text.len() > MAX_TEXT_BYTES {
            return Err(too_large("persona text", text.len(), MAX_TEXT_BYTES));
        }
    }
    validate::check(&value)?;
    let doc: PersonaDocument =
        serde_json::from_value(value).map_err(|e| ZippError::InvalidPersona {
            problems: vec![e.to_string()],
        })?;
    Persona::new(doc)
}

/// Makes a persona from plain first-person text.
pub fn from_text(text: &str) -> Result<Persona> {
    let text = text.trim();
    if text.len() > MAX_TEXT_BYTES {
        return Err(too_large("persona text", text.len(), MAX_TEXT_BYTES));
    }
    Persona::new(PersonaDocument::with_text(text))
}

/// Reads a persona file: a JSON document when its first non-blank character is `{`, else text.
pub fn from_file(path: &Path) -> Result<Persona> {
    let bytes = crate::files::read_bounded(path, MAX_DOCUMENT_BYTES, "persona file")?;
    let text = String::from_utf8(bytes).map_err(|e| ZippError::InvalidUtf8 {
        arg: "persona file",
        valid_up_to: e.utf8_error().valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text.trim_start().starts_with('{') {
        from_json(text)
    } else {
        from_text(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_becomes_text() {
        let p = from_text("  I grow orchids in Chiang Mai.\n").unwrap();
        assert_eq!(p.document().text, "I grow orchids in Chiang Mai.");
        assert_eq!(p.document().schema, "zipp.persona/v1");
    }

    #[test]
    fn empty_text_is_invalid() {
        let err = from_text(" \n").unwrap_err();
        assert_eq!(err.to_string(), "invalid persona: text: must not be empty");
    }

    #[test]
    fn limits_are_enforced() {
        let long = "a".repeat(MAX_TEXT_BYTES + 1);
        assert_eq!(
            from_text(&long).unwrap_err().to_string(),
            "persona text is 16385 bytes, over the limit of 16384 bytes"
        );
        let doc = format!("{{\"schema\":\"zipp.persona/v1\",\"text\":\"{long}\"}}");
        assert_eq!(
            from_json(&doc).unwrap_err().to_string(),
            "persona text is 16385 bytes, over the limit of 16384 bytes"
        );
        let huge = format!("{{\"text\":\"{}\"}}", "a".repeat(MAX_DOCUMENT_BYTES));
        assert!(matches!(
            from_json(&huge),
            Err(ZippError::TooLarge {
                limit: MAX_DOCUMENT_BYTES,
                ..
            })
        ));
    }

    #[test]
    fn malformed_json_says_where() {
        let err = from_json("{\"schema\": \"zipp.persona/v1\", \"text\": }").unwrap_err();
        assert_eq!(
            err.to_string(),
            "persona: malformed JSON at line 1, column 39: expected value"
        );
    }

    #[test]
    fn a_missing_file_names_the_path() {
        let err = from_file(Path::new("/nonexistent/p.json")).unwrap_err();
        assert!(
            err.to_string().starts_with("/nonexistent/p.json: "),
            "{err}"
        );
    }

    #[test]
    fn hashes_follow_content() {
        let a = from_text("I paint.").unwrap();
        let b = from_json("{\"schema\":\"zipp.persona/v1\",\"text\":\"I paint.\"}").unwrap();
        let c = from_text("I sculpt.").unwrap();
        assert_eq!(a.hash(), b.hash());
        assert_ne!(a.hash(), c.hash());
    }
}
