//! The `gguf` backend: instruction-tuned GGUF models run in-process on candle, with the model's
//! own tokenizer and chat template, streaming and cancel.

mod file;
mod generate;
pub mod locate;
mod model;
pub mod prefix;
pub mod pull;
pub mod registry;
mod sampler;
mod template;
mod vocab;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use file::GgufFile;
pub use generate::{generate, generate_cached, Output, StopReason};
pub use model::{Cache, Model, ARCHITECTURES};
pub use registry::LoadedModel;
pub use sampler::{argmax, Sampler};
pub use template::{ChatTemplate, TemplateSource};
pub use vocab::{TokenKind, Vocab, VocabKind};

use super::{Generation, GenerationRequest, TextBackend};
use crate::error::{Result, ZippError};

/// Default context length (prompt and generation) in tokens.
pub const DEFAULT_CONTEXT: usize = 4096;

/// Settings of the `gguf` backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GgufSettings {
    /// The model file.
    pub path: PathBuf,
    /// Longest prompt plus generation, in tokens.
    pub context: usize,
    /// Compute threads for the process, if set (fixed at the first model use).
    pub threads: Option<usize>,
    /// Prompts whose evaluation is kept for reuse by prompts that start the same way (0: none;
    /// see [`prefix`]).
    pub prefix_cache: usize,
    /// Bytes those prompts may take.
    pub prefix_cache_bytes: usize,
}

/// Sets candle's thread count before its pool starts; later, different requests are logged and
/// ignored (the pool is per process).
pub fn set_threads(threads: usize) {
    static SET: OnceLock<usize> = OnceLock::new();
    let first = *SET.get_or_init(|| {
        if std::env::var_os("CANDLE_NUM_THREADS").is_none() {
            // Nothing in libzipp reads the environment concurrently with backend creation.
            std::env::set_var("CANDLE_NUM_THREADS", threads.to_string());
            std::env::set_var("RAYON_NUM_THREADS", threads.to_string());
        }
        threads
    });
    if first != threads {
        log::warn!("compute threads stay at {first} for this process ({threads} asked later)");
    }
}

/// A GGUF model as a text backend. The weights live in the process-wide registry: every
/// backend on the same file shares them, and [`registry::unload`] frees them (the next
/// generation loads them again).
#[derive(Debug)]
pub struct GgufBackend {
    settings: GgufSettings,
    name: String,
    parameters: u64,
}

impl GgufBackend {
    /// Loads (or shares) the model now, so that a bad file fails here and not at the first call.
    pub fn new(settings: GgufSettings) -> Result<Self> {
        if let Some(t) = settings.threads {
            set_threads(t);
        }
        let loaded = registry::get_or_load(&settings.path, settings.context)?;
        Ok(Self {
            name: loaded.name.clone(),
            parameters: loaded.parameters,
            settings,
        })
    }

    /// The model file.
    pub fn path(&self) -> &Path {
        &self.settings.path
    }

    /// The loaded model, reloading it if it was unloaded.
    pub fn model(&self) -> Result<std::sync::Arc<LoadedModel>> {
        registry::get_or_load(&self.settings.path, self.settings.context)
    }
}

impl TextBackend for GgufBackend {
    fn kind(&self) -> &'static str {
        "gguf"
    }

    fn model(&self) -> &str {
        &self.name
    }

    fn parameters(&self) -> Option<u64> {
        Some(self.parameters)
    }

    fn generate(&self, request: &GenerationRequest<'_>) -> Result<Generation> {
        if request.is_cancelled() {
            return Err(ZippError::Cancelled);
        }
        let loaded = GgufBackend::model(self)?;
        let prompt = loaded.template.render(request.messages)?;
        let bos_text = loaded.vocab.bos().and_then(|b| loaded.vocab.token_text(b));
        // Templates that write BOS themselves must not get a second one.
        let add_bos = !bos_text.is_some_and(|b| !b.is_empty() && prompt.starts_with(b));
        let ids = loaded.vocab.encode(&prompt, add_bos, true);
        let p = request.params;
        let prefixes = (self.settings.prefix_cache > 0).then(|| {
            loaded
                .prefixes
                .reserve(self.settings.prefix_cache, self.settings.prefix_cache_bytes);
            &loaded.prefixes
        });
        let out = generate_cached(
            &loaded.model,
            &loaded.vocab,
            &ids,
            prefixes,
            p,
            request.cancel,
            request.on_token,
        )?;
        let mut notes = Vec::new();
        match out.reason {
            StopReason::Length => notes.push(format!(
                "generation stopped at max_new_tokens ({})",
                p.max_new_tokens
            )),
            StopReason::Context => {
                notes.push("generation stopped at the end of the context".into())
            }
            StopReason::EndOfGeneration | StopReason::StopString => {}
        }
        Ok(Generation {
            text: out.text,
            thinking: None,
            model: loaded.name.clone(),
            prompt_tokens: Some(out.prompt_tokens as u32),
            reused_prompt_tokens: prefixes.map(|_| out.reused_tokens as u32),
            completion_tokens: Some(out.tokens.len() as u32),
            notes,
        })
    }
}
