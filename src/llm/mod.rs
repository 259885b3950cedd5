//! Text-generation backends behind one trait: an OpenAI-compatible HTTP client and a model-free
//! rule backend. The local GGUF backend plugs into the same trait.

mod config;
mod message;
pub mod openai;
mod request;
pub mod rules;

pub use config::{BackendConfig, BackendKind};
pub use message::{ChatMessage, Role};
pub use request::{Generation, GenerationRequest, RewriteTask, SamplingParams};

use crate::error::Result;

/// A text generator. Implementations are shared between threads and calls.
pub trait TextBackend: Send + Sync {
    /// The backend's name as it appears in results and cache keys ("openai", "rules", ...).
    fn kind(&self) -> &'static str;

    /// The model this backend serves (as configured; the server may report a more exact name).
    fn model(&self) -> &str;

    /// Generates one completion for `request`.
    ///
    /// Backends that read chat messages use `request.messages`; model-free backends use
    /// `request.task`. A backend checks `request.cancel` before and during its work, and calls
    /// `request.on_token` for each piece of text when it can stream (stopping when it returns
    /// false).
    fn generate(&self, request: &GenerationRequest<'_>) -> Result<Generation>;
}

/// Builds the backend a configuration names.
pub fn build_backend(config: &BackendConfig) -> Result<Box<dyn TextBackend>> {
    match config.kind() {
        BackendKind::Rules => Ok(Box::new(rules::RulesBackend::new())),
        BackendKind::OpenAi => Ok(Box::new(openai::OpenAiBackend::new(
            config.openai_settings()?,
        )?)),
    }
}
