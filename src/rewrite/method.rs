//! The rewrite methods and how `auto` picks one for a backend.

use serde::{Deserialize, Serialize};

use crate::llm::TextBackend;

/// Models of this many weights or more role-play the persona (`auto` picks
/// [`Method::Roleplay`] for them); smaller local models get [`Method::Taste`], since they copy a
/// biography into the picture instead of acting on it.
pub const ROLEPLAY_MIN_PARAMETERS: u64 = 3_000_000_000;

/// How a prompt is rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Chosen for the backend: `compose` for `rules`, `taste` for local models under
    /// [`ROLEPLAY_MIN_PARAMETERS`], `roleplay` for the rest (servers and larger models).
    #[default]
    Auto,
    /// The paper's method: the model becomes the person (their first-person text and traits as
    /// the instruction, their own past prompts as k-shot turns) and rewrites the prompt the way
    /// they would want the picture, deciding itself what of their taste fits the subject.
    Roleplay,
    /// For small models: the model gets the subject and the persona's taste clauses for it,
    /// never the biography, and weaves them into one prompt.
    Taste,
    /// Model-free: the prompt with the persona's taste clauses appended.
    Compose,
}

impl Method {
    /// The name used in options and result records.
    pub fn name(self) -> &'static str {
        match self {
            Method::Auto => "auto",
            Method::Roleplay => "roleplay",
            Method::Taste => "taste",
            Method::Compose => "compose",
        }
    }

    /// The method that runs on `backend`, with a remark when the one asked for cannot run
    /// there (the `rules` backend has no model, so it always composes).
    pub fn resolve(self, backend: &dyn TextBackend) -> (Method, Option<String>) {
        let model_free = backend.kind() == "rules";
        match self {
            Method::Auto if model_free => (Method::Compose, None),
            Method::Auto => match backend.parameters() {
                Some(n) if n < ROLEPLAY_MIN_PARAMETERS => (Method::Taste, None),
                _ => (Method::Roleplay, None),
            },
            Method::Roleplay | Method::Taste if model_free => (
                Method::Compose,
                Some(format!(
                    "method {} needs a model; the rules backend composed the rewrite",
                    self.name()
                )),
            ),
            other => (other, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Result;
    use crate::llm::{Generation, GenerationRequest};

    struct Sized(&'static str, Option<u64>);

    impl TextBackend for Sized {
        fn kind(&self) -> &'static str {
            self.0
        }
        fn model(&self) -> &str {
            "m"
        }
        fn generate(&self, _: &GenerationRequest<'_>) -> Result<Generation> {
            Ok(Generation::default())
        }
        fn parameters(&self) -> Option<u64> {
            self.1
        }
    }

    #[test]
    fn auto_picks_by_backend_and_size() {
        let pick = |b: &Sized| Method::Auto.resolve(b).0;
        assert_eq!(pick(&Sized("rules", None)), Method::Compose);
        assert_eq!(pick(&Sized("openai", None)), Method::Roleplay);
        assert_eq!(pick(&Sized("gguf", Some(494_000_000))), Method::Taste);
        assert_eq!(pick(&Sized("gguf", Some(7_600_000_000))), Method::Roleplay);
        assert_eq!(
            Method::Taste.resolve(&Sized("openai", None)),
            (Method::Taste, None)
        );
        let (m, note) = Method::Roleplay.resolve(&Sized("rules", None));
        assert_eq!(m, Method::Compose);
        assert!(note.unwrap().contains("needs a model"));
    }

    #[test]
    fn names_round_trip_through_json() {
        for m in [
            Method::Auto,
            Method::Roleplay,
            Method::Taste,
            Method::Compose,
        ] {
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.name()));
            assert_eq!(serde_json::from_str::<Method>(&json).unwrap(), m);
        }
    }
}
