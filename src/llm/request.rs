//! What a backend is asked for (messages and sampling settings, nothing of personas) and what
//! it gives back.

use std::sync::atomic::{AtomicBool, Ordering};

use super::{ChatMessage, SamplingParams};

/// One generation request.
pub struct GenerationRequest<'a> {
    /// The chat to complete (system instruction, k-shot turns, the prompt).
    pub messages: &'a [ChatMessage],
    /// Sampling settings.
    pub params: &'a SamplingParams,
    /// Set to true from any thread to stop the work; the backend then returns `Cancelled`.
    pub cancel: Option<&'a AtomicBool>,
    /// Receives each generated piece when the backend streams; returning false stops it.
    pub on_token: Option<&'a (dyn Fn(&str) -> bool + Sync)>,
}

impl<'a> GenerationRequest<'a> {
    /// A request for `messages` with `params`, no cancel flag and no streaming.
    pub fn new(messages: &'a [ChatMessage], params: &'a SamplingParams) -> Self {
        Self {
            messages,
            params,
            cancel: None,
            on_token: None,
        }
    }

    /// Whether the caller asked to stop.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

/// A completion.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Generation {
    /// The raw text the model produced (clean-up comes later).
    pub text: String,
    /// Reasoning the server returned apart from the text (`reasoning_content`), if any.
    pub thinking: Option<String>,
    /// The model that answered, as the backend reports it.
    pub model: String,
    /// Prompt tokens, when reported.
    pub prompt_tokens: Option<u32>,
    /// Prompt tokens whose evaluation was reused from an earlier prompt (a prefix cache), when
    /// reported.
    pub reused_prompt_tokens: Option<u32>,
    /// Generated tokens, when reported.
    pub completion_tokens: Option<u32>,
    /// Remarks for the result record (fallbacks, retries).
    pub notes: Vec<String>,
}
