//! Backend selection and settings, as they appear in the rewriter's JSON configuration.

use serde::Deserialize;

use super::gguf::prefix::{
    DEFAULT_PREFIX_ENTRIES, DEFAULT_PREFIX_MB, MAX_PREFIX_ENTRIES, MAX_PREFIX_MB,
};
use super::gguf::{GgufSettings, DEFAULT_CONTEXT};
use super::openai::OpenAiSettings;
use crate::error::{Result, ZippError};

/// The text backends this build knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// Model-free and deterministic: composes the persona's facets and aesthetics into the prompt.
    Rules,
    /// Any OpenAI-compatible `/v1/chat/completions` server.
    #[serde(rename = "openai")]
    OpenAi,
    /// A GGUF model run in-process.
    Gguf,
}

/// Backend part of the rewriter configuration.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackendConfig {
    /// Which backend; when absent, `gguf` with the default model if one is found (see
    /// [`crate::llm::gguf::locate::find_model`]), else `rules`.
    #[serde(default)]
    pub backend: Option<BackendKind>,
    /// Model name sent to the server (required for `openai`); for `gguf`, the model file when
    /// `model_path` is absent.
    #[serde(default)]
    pub model: Option<String>,
    /// The GGUF model file (`gguf`); else `ZIPP_MODEL`, else the cached default model.
    #[serde(default)]
    pub model_path: Option<String>,
    /// Longest prompt plus generation in tokens for `gguf` (default 4,096; 64 to 131,072).
    #[serde(default)]
    pub context_length: Option<usize>,
    /// Compute threads for `gguf` (default: the physical cores); fixed per process at first use.
    #[serde(default)]
    pub threads: Option<usize>,
    /// Prompts whose evaluation the `gguf` backend keeps per loaded model, so that a prompt
    /// starting with the same tokens evaluates only the rest (default 4; 0 to 64, 0 turns it
    /// off for this rewriter).
    #[serde(default)]
    pub prefix_cache: Option<usize>,
    /// Mebibytes those prompts' keys and values may take per loaded model (default 256; 1 to
    /// 16384).
    #[serde(default)]
    pub prefix_cache_mb: Option<usize>,
    /// Server URL, e.g. `http://127.0.0.1:8080/v1` (the default, llama.cpp's server).
    #[serde(default)]
    pub base_url: Option<String>,
    /// API key; when absent, `ZIPP_API_KEY` then `OPENAI_API_KEY` from the environment.
    #[serde(default)]
    pub api_key: Option<String>,
    /// Connect timeout in milliseconds (default 5,000).
    #[serde(default)]
    pub connect_timeout_ms: Option<u64>,
    /// Read timeout in milliseconds (default 120,000).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// Retries after HTTP 429 or 5xx (default 3).
    #[serde(default)]
    pub max_retries: Option<u32>,
    /// First retry delay in milliseconds, doubled each retry (default 500).
    #[serde(default)]
    pub retry_backoff_ms: Option<u64>,
    /// Longest wait honoured from a `Retry-After` header, in milliseconds (default 30,000).
    #[serde(default)]
    pub max_retry_wait_ms: Option<u64>,
}

impl std::fmt::Debug for BackendConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackendConfig")
            .field("backend", &self.backend)
            .field("model", &self.model)
            .field("model_path", &self.model_path)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timeout_ms", &self.timeout_ms)
            .finish_non_exhaustive()
    }
}

/// The environment variables read for an API key, in order.
pub const API_KEY_VARS: [&str; 2] = ["ZIPP_API_KEY", "OPENAI_API_KEY"];

impl BackendConfig {
    /// The backend to build when one is named; `rules` when not.
    pub fn kind(&self) -> BackendKind {
        self.backend.unwrap_or(BackendKind::Rules)
    }

    /// Settings for the `gguf` backend; `found` is the model file located for it.
    pub fn gguf_settings(&self, found: &std::path::Path) -> Result<GgufSettings> {
        let context = self.context_length.unwrap_or(DEFAULT_CONTEXT);
        if !(64..=131_072).contains(&context) {
            return Err(ZippError::InvalidConfig {
                field: "context_length".into(),
                message: format!("{context} is outside [64, 131072]"),
            });
        }
        if let Some(t) = self.threads {
            if !(1..=256).contains(&t) {
                return Err(ZippError::InvalidConfig {
                    field: "threads".into(),
                    message: format!("{t} is outside [1, 256]"),
                });
            }
        }
        let prefix_cache = self.prefix_cache.unwrap_or(DEFAULT_PREFIX_ENTRIES);
        if prefix_cache > MAX_PREFIX_ENTRIES {
            return Err(ZippError::InvalidConfig {
                field: "prefix_cache".into(),
                message: format!("{prefix_cache} is over the limit of {MAX_PREFIX_ENTRIES}"),
            });
        }
        let prefix_cache_mb = self.prefix_cache_mb.unwrap_or(DEFAULT_PREFIX_MB);
        if !(1..=MAX_PREFIX_MB).contains(&prefix_cache_mb) {
            return Err(ZippError::InvalidConfig {
                field: "prefix_cache_mb".into(),
                message: format!("{prefix_cache_mb} is outside [1, {MAX_PREFIX_MB}]"),
            });
        }
        Ok(GgufSettings {
            path: found.to_path_buf(),
            context,
            threads: self.threads,
            prefix_cache,
            prefix_cache_bytes: prefix_cache_mb << 20,
        })
    }

    /// The model file the configuration names for `gguf`: `model_path`, else `model`.
    pub fn gguf_model(&self) -> Option<&str> {
        self.model_path.as_deref().or(self.model.as_deref())
    }

    /// Settings for the `openai` backend, with defaults and the key from the environment.
    pub fn openai_settings(&self) -> Result<OpenAiSettings> {
        let model = self
            .model
            .clone()
            .filter(|m| !m.trim().is_empty())
            .ok_or_else(|| ZippError::InvalidConfig {
                field: "model".into(),
                message: "required for the openai backend (the name the server knows the model by)"
                    .into(),
            })?;
        let api_key = self.api_key.clone().filter(|k| !k.is_empty()).or_else(|| {
            API_KEY_VARS
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|k| !k.is_empty()))
        });
        let base_url = self
            .base_url
            .clone()
            .unwrap_or_else(|| "http://127.0.0.1:8080/v1".to_string());
        let settings = OpenAiSettings {
            endpoint: super::openai::endpoint(&base_url)?,
            model,
            api_key,
            connect_timeout_ms: self.connect_timeout_ms.unwrap_or(5_000),
            timeout_ms: self.timeout_ms.unwrap_or(120_000),
            max_retries: self.max_retries.unwrap_or(3),
            retry_backoff_ms: self.retry_backoff_ms.unwrap_or(500),
            max_retry_wait_ms: self.max_retry_wait_ms.unwrap_or(30_000),
        };
        if settings.timeout_ms == 0 || settings.connect_timeout_ms == 0 {
            return Err(ZippError::InvalidConfig {
                field: "timeout_ms".into(),
                message: "timeouts must be positive".into(),
            });
        }
        if settings.max_retries > 10 {
            return Err(ZippError::InvalidConfig {
                field: "max_retries".into(),
                message: format!("{} is over the limit of 10", settings.max_retries),
            });
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let c = BackendConfig {
            api_key: Some("sk-secret".into()),
            ..BackendConfig::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("sk-secret"));
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn openai_needs_a_model() {
        let c = BackendConfig {
            backend: Some(BackendKind::OpenAi),
            ..BackendConfig::default()
        };
        assert_eq!(
            c.openai_settings().unwrap_err().to_string(),
            "invalid config: model: required for the openai backend (the name the server knows the model by)"
        );
    }
}
