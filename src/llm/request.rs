//! What a backend is asked for and what it gives back.

use std::sync::atomic::{AtomicBool, Ordering};

use super::ChatMessage;
use crate::persona::{Facet, Persona};

/// Sampling settings; backends ignore what they cannot honour.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplingParams {
    /// Seed for sampling; the same seed gives the same text where the backend supports it.
    pub seed: u64,
    /// Softmax temperature (0 = greedy).
    pub temperature: f32,
    /// Nucleus sampling mass.
    pub top_p: f32,
    /// Keep the k most likely tokens (0 = all).
    pub top_k: usize,
    /// Drop tokens less likely than this fraction of the most likely one.
    pub min_p: f32,
    /// Penalty on recently generated tokens (1 = none).
    pub repeat_penalty: f32,
    /// Most tokens to generate.
    pub max_new_tokens: u32,
    /// Strings that end generation.
    pub stop: Vec<String>,
}

/// The rewrite being asked for, in structured form, for backends that work without a model.
#[derive(Debug, Clone, Copy)]
pub struct RewriteTask<'a> {
    /// Who the rewrite is for.
    pub persona: &'a Persona,
    /// The user's prompt.
    pub prompt: &'a str,
    /// The facet chosen for this prompt's subject, if any.
    pub facet: Option<&'a Facet>,
    /// Most words the rewrite may have.
    pub word_budget: usize,
    /// Most taste clauses to add (1 to [`crate::llm::rules::MAX_CUES`]).
    pub taste_clauses: usize,
    /// The call's seed.
    pub seed: u64,
}

/// One generation request.
pub struct GenerationRequest<'a> {
    /// The chat to complete (system instruction, k-shot turns, the prompt).
    pub messages: &'a [ChatMessage],
    /// The same request in structured form.
    pub task: RewriteTask<'a>,
    /// Sampling settings.
    pub params: &'a SamplingParams,
    /// Set to true from any thread to stop the work; the backend then returns `Cancelled`.
    pub cancel: Option<&'a AtomicBool>,
    /// Receives each generated piece when the backend streams; returning false stops it.
    pub on_token: Option<&'a (dyn Fn(&str) -> bool + Sync)>,
}

impl GenerationRequest<'_> {
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
    /// Generated tokens, when reported.
    pub completion_tokens: Option<u32>,
    /// Remarks for the result record (fallbacks, retries).
    pub notes: Vec<String>,
}
