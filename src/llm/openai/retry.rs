//! Posting a request with retries: backoff on 5xx, `Retry-After` on 429, errors mapped to
//! [`ZippError`] variants a user can act on.

use std::io::Read;
use std::time::Duration;

use super::wire::error_message;
use super::OpenAiSettings;
use crate::error::{Result, ZippError};
use crate::llm::GenerationRequest;

/// Largest reply body read, in bytes.
const MAX_REPLY_BYTES: u64 = 8 * 1024 * 1024;

/// What one attempt ended with.
enum Attempt {
    Done(String),
    Retry {
        status: u16,
        wait: Option<Duration>,
        message: String,
    },
}

/// Posts `body` until it succeeds, fails for good or runs out of retries.
/// Returns the reply body and the number of attempts made.
pub fn post_with_retries(
    agent: &ureq::Agent,
    settings: &OpenAiSettings,
    body: &str,
    request: &GenerationRequest<'_>,
) -> Result<(String, u32)> {
    let attempts = settings.max_retries + 1;
    let mut last = (0u16, String::new());
    for attempt in 1..=attempts {
        if request.is_cancelled() {
            return Err(ZippError::Cancelled);
        }
        match post_once(agent, settings, body)? {
            Attempt::Done(reply) => return Ok((reply, attempt)),
            Attempt::Retry {
                status,
                wait,
                message,
            } => {
                log::warn!(
                    "HTTP {status} from {} (attempt {attempt}/{attempts}): {message}",
                    settings.endpoint
                );
                last = (status, message);
                if attempt < attempts {
                    let backoff = Duration::from_millis(
                        settings
                            .retry_backoff_ms
                            .saturating_mul(1 << (attempt - 1).min(16)),
                    );
                    let cap = Duration::from_millis(settings.max_retry_wait_ms);
                    sleep_unless_cancelled(wait.unwrap_or(backoff).min(cap), request)?;
                }
            }
        }
    }
    let (status, message) = last;
    if status == 429 {
        Err(ZippError::RateLimited { attempts, message })
    } else {
        Err(ZippError::Server {
            status,
            attempts,
            message,
        })
    }
}

fn sleep_unless_cancelled(total: Duration, request: &GenerationRequest<'_>) -> Result<()> {
    let step = Duration::from_millis(20);
    let mut slept = Duration::ZERO;
    while slept < total {
        if request.is_cancelled() {
            return Err(ZippError::Cancelled);
        }
        let d = step.min(total - slept);
        std::thread::sleep(d);
        slept += d;
    }
    Ok(())
}

fn read_body(response: ureq::Response) -> String {
    let mut s = String::new();
    // A body cut short is still worth reporting; the parse step says what is wrong with it.
    let _ = response
        .into_reader()
        .take(MAX_REPLY_BYTES)
        .read_to_string(&mut s);
    s
}

fn post_once(agent: &ureq::Agent, s: &OpenAiSettings, body: &str) -> Result<Attempt> {
    let mut req = agent
        .post(&s.endpoint)
        .set("Content-Type", "application/json");
    if let Some(key) = &s.api_key {
        req = req.set("Authorization", &format!("Bearer {key}"));
    }
    match req.send_string(body) {
        Ok(response) => Ok(Attempt::Done(read_body(response))),
        Err(ureq::Error::Status(status, response)) => {
            let retry_after = response
                .header("Retry-After")
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|secs| secs.is_finite() && *secs >= 0.0)
                .map(Duration::from_secs_f64);
            let message = error_message(&read_body(response));
            match status {
                401 | 403 => Err(ZippError::Auth { status, message }),
                404 => Err(ZippError::ModelNotFound {
                    model: s.model.clone(),
                    url: s.endpoint.clone(),
                    message,
                }),
                429 => Ok(Attempt::Retry {
                    status,
                    wait: retry_after,
                    message,
                }),
                500..=599 => Ok(Attempt::Retry {
                    status,
                    wait: retry_after,
                    message,
                }),
                _ => Err(ZippError::Backend { status, message }),
            }
        }
        Err(ureq::Error::Transport(t)) => Err(transport_error(s, &t)),
    }
}

fn transport_error(s: &OpenAiSettings, t: &ureq::Transport) -> ZippError {
    let io_kind = std::error::Error::source(t)
        .and_then(|e| e.downcast_ref::<std::io::Error>())
        .map(|e| e.kind());
    let url = s.endpoint.clone();
    match (t.kind(), io_kind) {
        (_, Some(std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock)) => {
            ZippError::Timeout {
                url,
                timeout_ms: s.timeout_ms,
            }
        }
        (ureq::ErrorKind::UnknownScheme, _) => ZippError::Unsupported {
            what: format!("{url}: https needs libzipp built with the `tls` feature"),
        },
        (ureq::ErrorKind::ConnectionFailed, Some(std::io::ErrorKind::ConnectionRefused)) => {
            ZippError::Connection {
                url,
                message: "connection refused; is the server running?".into(),
            }
        }
        (ureq::ErrorKind::Dns, _) => ZippError::Connection {
            url,
            message: format!("the host name did not resolve ({t})"),
        },
        _ => {
            let text = t.to_string();
            if text.contains("timed out") {
                ZippError::Timeout {
                    url,
                    timeout_ms: s.timeout_ms,
                }
            } else {
                ZippError::Connection { url, message: text }
            }
        }
    }
}
