//! The rewriter's configuration: backend settings, cache size and default options, as one flat
//! JSON object (`{"backend": "openai", "base_url": ..., "model": ..., "options": {...}}`).

use serde_json::Value;

use super::options::{OptionsPatch, RewriteOptions};
use crate::error::{Result, ZippError};
use crate::llm::BackendConfig;

/// Default number of cached rewrites per rewriter.
pub const DEFAULT_CACHE_CAPACITY: usize = 1024;

/// Everything a [`crate::Rewriter`] is built from.
#[derive(Debug, Clone)]
pub struct RewriterConfig {
    /// Which backend and its settings.
    pub backend: BackendConfig,
    /// Most rewrites kept in the cache (0 turns the cache off; at most 1,000,000).
    pub cache_capacity: usize,
    /// Defaults for every call's options.
    pub options: RewriteOptions,
}

impl Default for RewriterConfig {
    fn default() -> Self {
        Self {
            backend: BackendConfig::default(),
            cache_capacity: DEFAULT_CACHE_CAPACITY,
            options: RewriteOptions::default(),
        }
    }
}

fn config_error(field: &str, message: impl Into<String>) -> ZippError {
    ZippError::InvalidConfig {
        field: field.to_string(),
        message: message.into(),
    }
}

impl RewriterConfig {
    /// Parses a configuration; an empty string or `{}` means the defaults (the `rules` backend).
    pub fn from_json(json: &str) -> Result<Self> {
        if json.trim().is_empty() {
            return Ok(Self::default());
        }
        let value: Value =
            serde_json::from_str(json).map_err(|e| ZippError::json("rewriter config", &e))?;
        let Value::Object(mut map) = value else {
            return Err(config_error("(config)", "expected a JSON object"));
        };
        let mut config = Self::default();
        if let Some(capacity) = map.remove("cache_capacity") {
            config.cache_capacity =
                capacity
                    .as_u64()
                    .filter(|c| *c <= 1_000_000)
                    .ok_or_else(|| {
                        config_error(
                            "cache_capacity",
                            format!("expected an integer from 0 to 1000000, found {capacity}"),
                        )
                    })? as usize;
        }
        if let Some(options) = map.remove("options") {
            let patch: OptionsPatch = serde_json::from_value(options)
                .map_err(|e| config_error("options", e.to_string()))?;
            config.options = patch.apply(&config.options).map_err(|e| match e {
                ZippError::InvalidOptions { field, message } => {
                    config_error(&format!("options.{field}"), message)
                }
                other => other,
            })?;
        }
        config.backend = serde_json::from_value(Value::Object(map)).map_err(|e| {
            let msg = e.to_string();
            let field = if msg.contains("unknown variant") {
                "backend"
            } else {
                "(config)"
            };
            config_error(field, msg)
        })?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::BackendKind;

    #[test]
    fn empty_means_rules() {
        let c = RewriterConfig::from_json("").unwrap();
        assert_eq!(c.backend.kind(), BackendKind::Rules);
        assert_eq!(c.cache_capacity, DEFAULT_CACHE_CAPACITY);
    }

    #[test]
    fn flat_fields_and_options() {
        let c = RewriterConfig::from_json(
            r#"{"backend":"openai","model":"qwen","base_url":"http://127.0.0.1:1/v1","cache_capacity":5,
                "options":{"k":1,"word_budget":30}}"#,
        )
        .unwrap();
        assert_eq!(c.backend.kind(), BackendKind::OpenAi);
        assert_eq!(
            (c.cache_capacity, c.options.k, c.options.word_budget),
            (5, 1, 30)
        );
    }

    #[test]
    fn mistakes_are_named() {
        let e = RewriterConfig::from_json(r#"{"backend":"gpt"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid config: backend: unknown variant `gpt`"),
            "{e}"
        );
        let e = RewriterConfig::from_json(r#"{"modle":"x"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid config: (config): unknown field `modle`"),
            "{e}"
        );
        let e = RewriterConfig::from_json(r#"{"options":{"k":20}}"#)
            .unwrap_err()
            .to_string();
        assert_eq!(e, "invalid config: options.k: 20 is over the limit of 8");
        let e = RewriterConfig::from_json("[1]").unwrap_err().to_string();
        assert_eq!(e, "invalid config: (config): expected a JSON object");
    }
}
