//! Text-generation backends behind one trait: GGUF models in-process, an OpenAI-compatible HTTP
//! client and a model-free echo backend. They take chat messages and sampling settings only and
//! know nothing of personas; the rewrite layer ([`crate::rewrite`]) turns a persona into words.

mod config;
pub mod gguf;
mod message;
pub mod openai;
mod request;
pub mod rules;
mod sampling;

pub use config::{BackendConfig, BackendKind};
pub use message::{ChatMessage, Role};
pub use request::{Generation, GenerationRequest};
pub use sampling::{SamplingParams, REPEAT_LAST_N};

use crate::error::{Result, ZippError};

/// A text generator. Implementations are shared between threads and calls.
pub trait TextBackend: Send + Sync {
    /// The backend's name as it appears in results and cache keys ("openai", "rules", ...).
    fn kind(&self) -> &'static str;

    /// The model this backend serves (as configured; the server may report a more exact name).
    fn model(&self) -> &str;

    /// Generates one completion of `request.messages` under `request.params`.
    ///
    /// A backend checks `request.cancel` before and during its work, and calls
    /// `request.on_token` for each piece of text when it can stream (stopping when it returns
    /// false).
    fn generate(&self, request: &GenerationRequest<'_>) -> Result<Generation>;

    /// The model's size in weights, when the backend knows it (a local model file); the
    /// rewriter's `auto` method picks role-play for models of
    /// [`crate::rewrite::ROLEPLAY_MIN_PARAMETERS`] or more.
    fn parameters(&self) -> Option<u64> {
        None
    }
}

/// Builds the backend a configuration names, with remarks for the result records (which
/// model was found and how, or why `rules` stands in).
///
/// With no backend named, the default model is looked for (`ZIPP_MODEL`, then the cache
/// folder) and run with `gguf`; when there is none, `rules` is used and the remark says so.
pub fn build_backend(config: &BackendConfig) -> Result<(Box<dyn TextBackend>, Vec<String>)> {
    let default_model = match config.backend {
        None => gguf::locate::find_model(None),
        Some(_) => None,
    };
    build_backend_with(config, default_model)
}

/// [`build_backend`] with the default model already looked up (for an unnamed backend).
pub(crate) fn build_backend_with(
    config: &BackendConfig,
    default_model: Option<gguf::locate::Found>,
) -> Result<(Box<dyn TextBackend>, Vec<String>)> {
    let gguf = |found: &gguf::locate::Found| -> Result<Box<dyn TextBackend>> {
        let settings = config.gguf_settings(found.path())?;
        Ok(Box::new(gguf::GgufBackend::new(settings)?))
    };
    match config.backend {
        Some(BackendKind::Rules) => Ok((Box::new(rules::RulesBackend::new()), Vec::new())),
        Some(BackendKind::OpenAi) => Ok((
            Box::new(openai::OpenAiBackend::new(config.openai_settings()?)?),
            Vec::new(),
        )),
        Some(BackendKind::Gguf) => match gguf::locate::find_model(config.gguf_model()) {
            Some(found) => Ok((gguf(&found)?, Vec::new())),
            None => Err(ZippError::InvalidConfig {
                field: "model_path".into(),
                message: no_model_message(),
            }),
        },
        None => match default_model {
            Some(found) => Ok((
                gguf(&found)?,
                vec![format!("no backend configured: the default model {} was used", found.path().display())],
            )),
            None => Ok((
                Box::new(rules::RulesBackend::new()),
                vec![format!(
                    "no backend configured and no default model found ({}): the model-free rules backend was used",
                    no_model_message()
                )],
            )),
        },
    }
}

/// How to get a model, for messages.
pub fn no_model_message() -> String {
    let cache = gguf::locate::cached_default_model()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "(no cache folder: HOME is not set)".into());
    format!(
        "no GGUF model: set model_path, or ZIPP_MODEL, or install the default model at {cache} with scripts/fetch_model.py"
    )
}
