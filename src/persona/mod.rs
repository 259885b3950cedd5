//! The persona document: schema, loading, validation, the intake survey, role-play rendering.
//!
//! A persona is a short first-person description of who someone is. On disk it is a JSON
//! document (`schema: "zipp.persona/v1"`, see `examples/personas/persona.schema.json`) or a
//! plain-text file whose whole content is the persona's `text`.

mod document;
mod hash;
mod load;
mod render;
mod survey;
mod validate;

pub use document::{
    Demographics, Evidence, Example, Facet, PersonaDocument, Provenance, Traits, SCHEMA_V1,
};
pub use load::{MAX_DOCUMENT_BYTES, MAX_TEXT_BYTES};
pub use render::role_play;
pub use survey::{Hobbies, Survey, AGE_BANDS};
pub use validate::validate_value;

use crate::error::Result;

/// A validated persona document with its content hash; cheap to clone and share.
#[derive(Debug, Clone, PartialEq)]
pub struct Persona {
    doc: PersonaDocument,
    hash: [u8; 32],
}

impl Persona {
    /// Validates `doc` and computes its content hash.
    pub fn new(doc: PersonaDocument) -> Result<Self> {
        let value =
            serde_json::to_value(&doc).map_err(|e| crate::error::ZippError::json("persona", &e))?;
        validate::check(&value)?;
        let hash = hash::content_hash(&doc);
        Ok(Self { doc, hash })
    }

    /// Parses and validates a JSON persona document.
    pub fn from_json(json: &str) -> Result<Self> {
        load::from_json(json)
    }

    /// Makes a persona from plain first-person text (the whole text becomes `text`).
    pub fn from_text(text: &str) -> Result<Self> {
        load::from_text(text)
    }

    /// Reads a persona file: JSON when it parses as a JSON object, plain text otherwise.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        load::from_file(path.as_ref())
    }

    /// Builds a persona from an intake survey (demographics, profession, hobbies, notes).
    pub fn from_survey(survey: &Survey) -> Result<Self> {
        Self::new(survey.to_document()?)
    }

    /// The document.
    pub fn document(&self) -> &PersonaDocument {
        &self.doc
    }

    /// Gives the document back, for editing; pass it to [`Persona::new`] again afterwards.
    pub fn into_document(self) -> PersonaDocument {
        self.doc
    }

    /// SHA-256 of the document's canonical JSON: equal documents have equal hashes.
    pub fn hash(&self) -> &[u8; 32] {
        &self.hash
    }

    /// The hash as 64 lower-case hex digits.
    pub fn hash_hex(&self) -> String {
        hash::hex(&self.hash)
    }

    /// The document as pretty-printed JSON.
    pub fn to_json_pretty(&self) -> String {
        // Serializing plain data with string keys cannot fail.
        serde_json::to_string_pretty(&self.doc).unwrap_or_default()
    }

    /// The document as compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.doc).unwrap_or_default()
    }

    /// `id` when set, else `name`, else the first 12 hex digits of the hash.
    pub fn label(&self) -> String {
        self.doc
            .id
            .clone()
            .or_else(|| self.doc.name.clone())
            .unwrap_or_else(|| self.hash_hex()[..12].to_string())
    }
}
