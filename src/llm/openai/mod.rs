//! The `openai` backend: any server that speaks OpenAI's `/v1/chat/completions` (llama.cpp
//! server, Ollama, vLLM, LM Studio, hosted APIs), through a blocking HTTP client.

mod retry;
mod wire;

// Reachable for the fuzz targets (fuzz/), not part of the supported API.
#[doc(hidden)]
pub use retry::retry_after;
#[doc(hidden)]
pub use wire::{error_message, parse_reply};

use std::time::Duration;

use super::{Generation, GenerationRequest, TextBackend};
use crate::error::{Result, ZippError};

/// Resolved settings of the `openai` backend.
#[derive(Clone)]
pub struct OpenAiSettings {
    /// Full URL of the chat-completions endpoint.
    pub endpoint: String,
    /// Model name sent with each request.
    pub model: String,
    /// Bearer token, if any. Never logged.
    pub api_key: Option<String>,
    /// Connect timeout in milliseconds.
    pub connect_timeout_ms: u64,
    /// Deadline of one generation in milliseconds: every attempt and wait, each attempt's
    /// connect, send, headers and body.
    pub timeout_ms: u64,
    /// Retries after HTTP 429 or 5xx.
    pub max_retries: u32,
    /// First retry delay in milliseconds, doubled each retry.
    pub retry_backoff_ms: u64,
    /// Longest `Retry-After` wait honoured, in milliseconds.
    pub max_retry_wait_ms: u64,
}

impl OpenAiSettings {
    /// The endpoint as it may be shown in logs and errors: a user name and password written
    /// into the URL replaced by `***`.
    pub fn shown_endpoint(&self) -> String {
        redact_url(&self.endpoint)
    }

    /// `text` with every secret of these settings (the API key, a password in the URL)
    /// replaced by `<redacted>`, e.g. a server's error text that echoes the key.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.replace(&self.endpoint, &self.shown_endpoint());
        let secrets = [self.api_key.as_deref(), url_credentials(&self.endpoint)];
        for secret in secrets.into_iter().flatten().filter(|s| s.len() >= 4) {
            out = out.replace(secret, "<redacted>");
        }
        out
    }
}

/// The `user:password` part of a URL, if it has one.
fn url_credentials(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    authority.rsplit_once('@').map(|(creds, _)| creds)
}

/// `url` with its `user:password@` part replaced by `***@`.
pub fn redact_url(url: &str) -> String {
    match url_credentials(url) {
        Some(creds) => url.replacen(&format!("{creds}@"), "***@", 1),
        None => url.to_string(),
    }
}

impl std::fmt::Debug for OpenAiSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiSettings")
            .field("endpoint", &self.shown_endpoint())
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// The chat-completions URL for a base URL: `http://h:p` gets `/v1/chat/completions`, a URL with
/// a path (`http://h:p/v1`) gets `/chat/completions`, a full endpoint URL is kept.
pub fn endpoint(base_url: &str) -> Result<String> {
    let base = base_url.trim().trim_end_matches('/');
    let rest = base
        .strip_prefix("http://")
        .or_else(|| base.strip_prefix("https://"))
        .ok_or_else(|| ZippError::InvalidConfig {
            field: "base_url".into(),
            message: format!(
                "\"{}\" must start with http:// or https://",
                redact_url(base_url)
            ),
        })?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(ZippError::InvalidConfig {
            field: "base_url".into(),
            message: format!("\"{}\" has no host", redact_url(base_url)),
        });
    }
    if base.ends_with("/chat/completions") {
        Ok(base.to_string())
    } else if rest.contains('/') {
        Ok(format!("{base}/chat/completions"))
    } else {
        Ok(format!("{base}/v1/chat/completions"))
    }
}

/// A client for one OpenAI-compatible server and model.
pub struct OpenAiBackend {
    settings: OpenAiSettings,
    agent: ureq::Agent,
}

impl OpenAiBackend {
    /// A client with `settings`; no request is made until the first generation.
    pub fn new(settings: OpenAiSettings) -> Result<Self> {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_millis(settings.connect_timeout_ms))
            .timeout_read(Duration::from_millis(settings.timeout_ms))
            .timeout_write(Duration::from_millis(settings.timeout_ms))
            .user_agent(concat!("libzipp/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Self { settings, agent })
    }

    /// The settings in use.
    pub fn settings(&self) -> &OpenAiSettings {
        &self.settings
    }
}

impl TextBackend for OpenAiBackend {
    fn kind(&self) -> &'static str {
        "openai"
    }

    fn model(&self) -> &str {
        &self.settings.model
    }

    fn generate(&self, request: &GenerationRequest<'_>) -> Result<Generation> {
        let body = wire::request_body(&self.settings.model, request);
        let (reply, attempts) =
            retry::post_with_retries(&self.agent, &self.settings, &body, request)?;
        let mut generation = wire::parse_reply(&reply, &self.settings.model)?;
        if attempts > 1 {
            generation
                .notes
                .push(format!("the server answered on attempt {attempts}"));
        }
        if let (Some(on_token), false) = (request.on_token, generation.text.is_empty()) {
            // Non-streaming request: the whole completion is one piece.
            if !on_token(&generation.text) {
                return Err(ZippError::Cancelled);
            }
        }
        Ok(generation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_the_url_and_the_key_never_show() {
        let s = OpenAiSettings {
            endpoint: endpoint("http://me:hunter22@127.0.0.1:9/v1").unwrap(),
            model: "m".into(),
            api_key: Some("sk-secret-key".into()),
            connect_timeout_ms: 1,
            timeout_ms: 1,
            max_retries: 0,
            retry_backoff_ms: 1,
            max_retry_wait_ms: 1,
        };
        assert_eq!(
            s.shown_endpoint(),
            "http://***@127.0.0.1:9/v1/chat/completions"
        );
        assert!(!format!("{s:?}").contains("hunter22"));
        let echoed = format!("invalid key sk-secret-key for {}", s.endpoint);
        let scrubbed = s.scrub(&echoed);
        assert!(
            !scrubbed.contains("sk-secret-key") && !scrubbed.contains("hunter22"),
            "{scrubbed}"
        );
        assert_eq!(redact_url("http://host:1/v1"), "http://host:1/v1");
    }

    #[test]
    fn endpoints_from_base_urls() {
        assert_eq!(
            endpoint("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080/v1/chat/completions"
        );
        assert_eq!(
            endpoint("http://127.0.0.1:8080/v1/").unwrap(),
            "http://127.0.0.1:8080/v1/chat/completions"
        );
        assert_eq!(
            endpoint("https://host.example/api/v1/chat/completions").unwrap(),
            "https://host.example/api/v1/chat/completions"
        );
        assert!(endpoint("localhost:8080").is_err());
        assert!(endpoint("http://").is_err());
    }
}
