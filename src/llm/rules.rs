//! The `rules` backend: no model. It echoes the last user turn, so that code written against
//! [`TextBackend`] runs without a model; the rewriter never asks it to write a rewrite: with
//! `rules`, every rewrite is composed model-free by [`crate::rewrite`]'s `compose` method.

use super::{Generation, GenerationRequest, Role, TextBackend};
use crate::error::{Result, ZippError};
use crate::text::words::word_count;

/// The model name the rules backend reports.
pub const RULES_MODEL: &str = "zipp-rules-v1";

/// The model-free backend.
#[derive(Debug, Default, Clone, Copy)]
pub struct RulesBackend;

impl RulesBackend {
    /// A rules backend.
    pub fn new() -> Self {
        Self
    }
}

impl TextBackend for RulesBackend {
    fn kind(&self) -> &'static str {
        "rules"
    }

    fn model(&self) -> &str {
        RULES_MODEL
    }

    fn generate(&self, request: &GenerationRequest<'_>) -> Result<Generation> {
        if request.is_cancelled() {
            return Err(ZippError::Cancelled);
        }
        let text = request
            .messages
            .iter()
            .rev()
            .find(|m| m.role == Role::User)
            .map(|m| m.content.trim().to_string())
            .unwrap_or_default();
        Ok(Generation {
            completion_tokens: Some(word_count(&text) as u32),
            text,
            model: RULES_MODEL.to_string(),
            ..Generation::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::{ChatMessage, SamplingParams};

    #[test]
    fn echoes_the_last_user_turn() {
        let messages = [
            ChatMessage::new(Role::System, "be brief"),
            ChatMessage::new(Role::User, "first"),
            ChatMessage::new(Role::Assistant, "ok"),
            ChatMessage::new(Role::User, " a cat "),
        ];
        let params = SamplingParams::default();
        let g = RulesBackend
            .generate(&GenerationRequest::new(&messages, &params))
            .unwrap();
        assert_eq!((g.text.as_str(), g.model.as_str()), ("a cat", RULES_MODEL));
        let cancel = std::sync::atomic::AtomicBool::new(true);
        let cancelled = GenerationRequest {
            cancel: Some(&cancel),
            ..GenerationRequest::new(&messages, &params)
        };
        assert!(matches!(
            RulesBackend.generate(&cancelled),
            Err(ZippError::Cancelled)
        ));
    }
}
