//! The JSON exchanged with an OpenAI-compatible chat-completions endpoint.

use serde::Deserialize;
use serde_json::json;

use crate::error::{Result, ZippError};
use crate::llm::{Generation, GenerationRequest};

/// The request body for `request`.
pub fn request_body(model: &str, request: &GenerationRequest<'_>) -> String {
    let p = request.params;
    let mut body = json!({
        "model": model,
        "messages": request.messages,
        "temperature": p.temperature,
        "top_p": p.top_p,
        "max_tokens": p.max_new_tokens,
        "seed": p.seed,
        "stream": false,
    });
    if !p.stop.is_empty() {
        body["stop"] = json!(p.stop);
    }
    body.to_string()
}

#[derive(Deserialize)]
struct Reply {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    message: Option<Message>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    reasoning_content: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: Option<u32>,
    #[serde(default)]
    completion_tokens: Option<u32>,
    #[serde(default)]
    prompt_tokens_details: Option<PromptDetails>,
}

#[derive(Deserialize)]
struct PromptDetails {
    /// Prompt tokens the server took from its prompt cache.
    #[serde(default)]
    cached_tokens: Option<u32>,
}

/// Parses a successful reply body.
pub fn parse_reply(body: &str, requested_model: &str) -> Result<Generation> {
    let reply: Reply = serde_json::from_str(body).map_err(|e| ZippError::BadResponse {
        message: format!(
            "the reply is not chat-completion JSON ({e}); it starts with {:?}",
            excerpt(body, 80)
        ),
    })?;
    let choice = reply
        .choices
        .into_iter()
        .next()
        .ok_or_else(|| ZippError::BadResponse {
            message: "the reply has no choices".into(),
        })?;
    let message = choice.message.ok_or_else(|| ZippError::BadResponse {
        message: "the first choice has no message".into(),
    })?;
    Ok(Generation {
        text: message.content.unwrap_or_default(),
        thinking: message.reasoning_content.filter(|t| !t.trim().is_empty()),
        model: reply.model.unwrap_or_else(|| requested_model.to_string()),
        prompt_tokens: reply.usage.as_ref().and_then(|u| u.prompt_tokens),
        completion_tokens: reply.usage.as_ref().and_then(|u| u.completion_tokens),
        reused_prompt_tokens: reply
            .usage
            .as_ref()
            .and_then(|u| u.prompt_tokens_details.as_ref())
            .and_then(|d| d.cached_tokens),
        notes: Vec::new(),
    })
}

/// The server's own error message from an error body (`{"error": {"message": ...}}`,
/// `{"error": "..."}`, `{"message": ...}`), else the start of the body.
pub fn error_message(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
        let found = v
            .pointer("/error/message")
            .or_else(|| v.get("error"))
            .or_else(|| v.get("message"))
            .or_else(|| v.get("detail"))
            .and_then(|m| m.as_str());
        if let Some(m) = found {
            return excerpt(m.trim(), 200);
        }
    }
    let e = excerpt(body.trim(), 200);
    if e.is_empty() {
        "(empty body)".to_string()
    } else {
        e
    }
}

/// At most `max` characters of `s`, with "..." when cut.
fn excerpt(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_parse_with_usage_and_reasoning() {
        let g = parse_reply(
            r#"{"model":"m1","choices":[{"message":{"role":"assistant","content":"a red cat","reasoning_content":"hmm"}}],
                "usage":{"prompt_tokens":12,"completion_tokens":3}}"#,
            "asked",
        )
        .unwrap();
        assert_eq!(g.text, "a red cat");
        assert_eq!(g.thinking.as_deref(), Some("hmm"));
        assert_eq!(
            (g.model.as_str(), g.prompt_tokens, g.completion_tokens),
            ("m1", Some(12), Some(3))
        );
    }

    #[test]
    fn bad_replies_are_errors() {
        assert_eq!(
            parse_reply(r#"{"choices":[]}"#, "m")
                .unwrap_err()
                .to_string(),
            "bad response from the backend: the reply has no choices"
        );
        let e = parse_reply("<html>oops</html>", "m")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("bad response from the backend: the reply is not chat-completion JSON"),
            "{e}"
        );
    }

    #[test]
    fn error_messages_are_extracted() {
        assert_eq!(
            error_message(r#"{"error":{"message":"no such model"}}"#),
            "no such model"
        );
        assert_eq!(error_message(r#"{"error":"busy"}"#), "busy");
        assert_eq!(error_message(""), "(empty body)");
    }
}
