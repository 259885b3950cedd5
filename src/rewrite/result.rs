//! The record every rewrite returns.

use serde::Serialize;

/// Token counts, when the backend reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TokenCounts {
    /// Tokens in the instruction and prompt.
    pub prompt: Option<u32>,
    /// Tokens generated.
    pub completion: Option<u32>,
    /// Prompt tokens not evaluated again: reused from an earlier prompt that started the same
    /// way (the gguf backend's prefix cache, a server's prompt cache), when reported.
    pub reused: Option<u32>,
}

/// The failure behind a passed-through rewrite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureInfo {
    /// The C status name, e.g. `ZIPP_STATUS_CONNECTION`.
    pub status: String,
    /// The status code.
    pub code: i32,
    /// The error message.
    pub message: String,
}

/// The result of one rewrite.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RewriteResult {
    /// The rewritten prompt (the original one when an error was passed through).
    pub rewrite: String,
    /// The prompt as given.
    pub original: String,
    /// The negative prompt, untouched.
    pub negative_prompt: Option<String>,
    /// Reasoning the model produced apart from the prompt.
    pub thinking: Option<String>,
    /// Backend that produced the rewrite ("rules", "openai", ...).
    pub backend: String,
    /// Model that produced it.
    pub model: String,
    /// The method that ran: "roleplay", "taste" or "compose" (never "auto").
    pub method: String,
    /// The persona's id, name or hash prefix.
    pub persona_id: String,
    /// Context of the facet chosen for this prompt, if any.
    pub facet: Option<String>,
    /// Number of k-shot examples shown to the model.
    pub shots: usize,
    /// Whether the result came from the cache.
    pub cache_hit: bool,
    /// Wall time of this call in milliseconds.
    pub latency_ms: f64,
    /// Token counts.
    pub tokens: TokenCounts,
    /// The seed used.
    pub seed: u64,
    /// What the pipeline had to do (fallbacks, clean-up, retries).
    pub notes: Vec<String>,
    /// Which path gave the rewrite: "first" (the model's first answer passed the guards),
    /// "repaired" (the first answer only reworded the subject: the prompt's own words were put
    /// back as its first clause, the model's taste kept),
    /// "retry" (a second answer, after a corrected instruction and another seed), "fallback"
    /// (both failed: a deterministic composition of the prompt with the persona's taste), or
    /// "unguarded" (the rules backend, or a passed-through error).
    pub guard: String,
    /// The error, when `on_error` is `passthrough` and the backend failed.
    pub error: Option<FailureInfo>,
}

impl RewriteResult {
    /// The record as compact JSON.
    pub fn to_json(&self) -> String {
        // Plain data with string keys and finite numbers always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }
}
