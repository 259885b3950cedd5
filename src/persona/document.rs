//! The persona document's data types (`zipp.persona/v1`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The schema tag every v1 document carries.
pub const SCHEMA_V1: &str = "zipp.persona/v1";

fn schema_v1() -> String {
    SCHEMA_V1.to_string()
}

/// A persona document as stored in JSON. Use [`crate::Persona`] for a validated one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonaDocument {
    /// Always `"zipp.persona/v1"`.
    #[serde(default = "schema_v1")]
    pub schema: String,
    /// A short stable identifier (letters, digits, `.`, `_`, `-`; at most 64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The persona itself, in the first person ("I'm a night-shift clerk in Osaka ...").
    pub text: String,
    /// Structured traits: demographics, interests, aesthetics, affect.
    #[serde(default, skip_serializing_if = "Traits::is_empty")]
    pub traits: Traits,
    /// Context-dependent looks: which style this person wants for which kind of subject.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facets: Vec<Facet>,
    /// The person's own past prompts (and preferred rewrites), for k-shot rewriting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
    /// Communities that support the persona, with salience weights and snippets (from mining).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Where the persona came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// Extension fields; their names start with `x-`.
    #[serde(flatten)]
    pub extensions: BTreeMap<String, serde_json::Value>,
}

impl PersonaDocument {
    /// A minimal v1 document holding only `text`.
    pub fn with_text(text: impl Into<String>) -> Self {
        Self {
            schema: schema_v1(),
            id: None,
            name: None,
            text: text.into(),
            traits: Traits::default(),
            facets: Vec::new(),
            examples: Vec::new(),
            evidence: Vec::new(),
            provenance: None,
            extensions: BTreeMap::new(),
        }
    }
}

/// Structured traits of a persona.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traits {
    /// Who the person is, in the categories used for demographic re-weighting.
    #[serde(default, skip_serializing_if = "Demographics::is_empty")]
    pub demographics: Demographics,
    /// Topics the person cares about.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interests: Vec<String>,
    /// Visual taste: palettes, light, media, styles, motifs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aesthetics: Vec<String>,
    /// Affective traits and preferred moods.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affect: Vec<String>,
}

impl Traits {
    /// True when no trait is set.
    pub fn is_empty(&self) -> bool {
        self.demographics.is_empty()
            && self.interests.is_empty()
            && self.aesthetics.is_empty()
            && self.affect.is_empty()
    }
}

/// Demographic traits; every field is optional free text with a recommended vocabulary.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Demographics {
    /// One of [`crate::persona::AGE_BANDS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_band: Option<String>,
    /// Gender in the person's own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// UN M49 sub-region, e.g. "Eastern Asia".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Country, ISO 3166-1 alpha-2 recommended ("JP").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Language, BCP 47 recommended ("ja").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Profession.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profession: Option<String>,
}

impl Demographics {
    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        self.age_band.is_none()
            && self.gender.is_none()
            && self.region.is_none()
            && self.country.is_none()
            && self.language.is_none()
            && self.profession.is_none()
    }
}

/// A context-dependent look: for subjects like `context`, this person wants `style`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facet {
    /// The kind of subject, e.g. "portraits and people".
    pub context: String,
    /// The look wanted for it, e.g. "muted film tones, soft window light".
    pub style: String,
}

/// One of the person's past prompts, optionally with the rewrite they liked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The plain prompt.
    pub prompt: String,
    /// The personalized rewrite, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<String>,
}

/// A community that supports the persona, from mining.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Community name, e.g. "r/analog".
    pub community: String,
    /// Attention-derived salience in [0, 1].
    pub salience: f64,
    /// Characteristic snippets the person wrote there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snippets: Vec<String>,
}

/// Where a persona came from; free-form beyond the named fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// "hand-written", "survey", "mined" or "edited".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When it was made (RFC 3339 recommended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// What made it (tool and version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
    /// Free notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}
