//! Posting a request with retries: backoff on 5xx, `Retry-After` on 429, one deadline for the
//! whole exchange (every attempt and wait, each attempt's connect, send, headers and body),
//! cancel honoured at any point, errors mapped to [`ZippError`] variants a user can act on, and
//! no secret (the API key, a password in the URL) in any message.

use std::io::Read;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::wire::error_message;
use super::OpenAiSettings;
use crate::error::{Result, ZippError};
use crate::llm::GenerationRequest;

/// Largest reply body read, in bytes.
pub const MAX_REPLY_BYTES: u64 = 8 * 1024 * 1024;

/// How often a waiting caller looks at its cancel flag.
const POLL: Duration = Duration::from_millis(20);

/// What one attempt ended with.
enum Attempt {
    Done(String),
    Retry {
        status: u16,
        wait: Option<Duration>,
        message: String,
    },
}

/// The wait a `Retry-After` header asks for, in seconds (HTTP dates are not honoured: the
/// backoff applies), capped at `cap`; absurd values (`1e300`, negative, not a number) never
/// overflow.
pub fn retry_after(value: &str, cap: Duration) -> Option<Duration> {
    let secs = value.trim().parse::<f64>().ok()?;
    if secs.is_nan() || secs < 0.0 {
        return None;
    }
    Some(Duration::try_from_secs_f64(secs).map_or(cap, |d| d.min(cap)))
}

/// Posts `body` until it succeeds, fails for good, runs out of retries or reaches the deadline
/// (`timeout_ms` after the call began). Returns the reply body and the number of attempts made.
pub fn post_with_retries(
    agent: &ureq::Agent,
    settings: &OpenAiSettings,
    body: &str,
    request: &GenerationRequest<'_>,
) -> Result<(String, u32)> {
    let deadline = Instant::now() + Duration::from_millis(settings.timeout_ms);
    let attempts = settings.max_retries + 1;
    let mut last = (0u16, String::new(), 0u32);
    for attempt in 1..=attempts {
        if request.is_cancelled() {
            return Err(ZippError::Cancelled);
        }
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(timeout(settings));
        }
        match post_cancellable(agent, settings, body, request, deadline)? {
            Attempt::Done(reply) => return Ok((reply, attempt)),
            Attempt::Retry {
                status,
                wait,
                message,
            } => {
                log::warn!(
                    "HTTP {status} from {} (attempt {attempt}/{attempts}): {message}",
                    settings.shown_endpoint()
                );
                last = (status, message, attempt);
                if attempt < attempts {
                    let backoff = Duration::from_millis(
                        settings
                            .retry_backoff_ms
                            .saturating_mul(1 << (attempt - 1).min(16)),
                    );
                    let cap = Duration::from_millis(settings.max_retry_wait_ms);
                    let wait = wait.unwrap_or(backoff).min(cap);
                    if Instant::now() + wait >= deadline {
                        // Waiting would pass the deadline: report what the server said now.
                        break;
                    }
                    sleep_unless_cancelled(wait, request)?;
                }
            }
        }
    }
    let (status, message, made) = last;
    if status == 429 {
        Err(ZippError::RateLimited {
            attempts: made,
            message,
        })
    } else {
        Err(ZippError::Server {
            status,
            attempts: made,
            message,
        })
    }
}

fn timeout(s: &OpenAiSettings) -> ZippError {
    ZippError::Timeout {
        url: s.shown_endpoint(),
        timeout_ms: s.timeout_ms,
    }
}

fn sleep_unless_cancelled(total: Duration, request: &GenerationRequest<'_>) -> Result<()> {
    let mut slept = Duration::ZERO;
    while slept < total {
        if request.is_cancelled() {
            return Err(ZippError::Cancelled);
        }
        let d = POLL.min(total - slept);
        std::thread::sleep(d);
        slept += d;
    }
    Ok(())
}

/// One attempt on a worker thread, so that the caller returns at once when cancelled (the worker
/// ends by itself at the deadline) and never waits past the deadline, whatever the server does.
fn post_cancellable(
    agent: &ureq::Agent,
    settings: &OpenAiSettings,
    body: &str,
    request: &GenerationRequest<'_>,
    deadline: Instant,
) -> Result<Attempt> {
    let (tx, rx) = mpsc::channel();
    let (worker_agent, s, owned) = (agent.clone(), settings.clone(), body.to_string());
    let spawned = std::thread::Builder::new()
        .name("zipp-http".into())
        .spawn(move || {
            let _ = tx.send(post_once(&worker_agent, &s, &owned, deadline));
        });
    if spawned.is_err() {
        return post_once(agent, settings, body, deadline);
    }
    // A little slack past the deadline lets the worker report its own timeout first.
    let give_up = deadline + Duration::from_millis(250);
    loop {
        match rx.recv_timeout(POLL) {
            Ok(outcome) => return outcome,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if request.is_cancelled() {
                    return Err(ZippError::Cancelled);
                }
                if Instant::now() >= give_up {
                    return Err(timeout(settings));
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(ZippError::Connection {
                    url: settings.shown_endpoint(),
                    message: "the request ended without an answer".into(),
                })
            }
        }
    }
}

/// The body, at most [`MAX_REPLY_BYTES`]; a larger one, a timeout or a broken connection while
/// reading is an error of its own.
fn read_body(response: ureq::Response, s: &OpenAiSettings) -> Result<String> {
    let mut bytes = Vec::new();
    let read = response
        .into_reader()
        .take(MAX_REPLY_BYTES + 1)
        .read_to_end(&mut bytes);
    if let Err(e) = read {
        return Err(match e.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => timeout(s),
            _ => ZippError::BadResponse {
                message: format!("the reply was cut off: {}", s.scrub(&e.to_string())),
            },
        });
    }
    if bytes.len() as u64 > MAX_REPLY_BYTES {
        return Err(ZippError::BadResponse {
            message: format!(
                "the reply is too large (over {} MiB)",
                MAX_REPLY_BYTES >> 20
            ),
        });
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn post_once(
    agent: &ureq::Agent,
    s: &OpenAiSettings,
    body: &str,
    deadline: Instant,
) -> Result<Attempt> {
    let remaining = deadline.saturating_duration_since(Instant::now());
    if remaining.is_zero() {
        return Err(timeout(s));
    }
    let mut req = agent
        .post(&s.endpoint)
        .timeout(remaining)
        .set("Content-Type", "application/json");
    if let Some(key) = &s.api_key {
        req = req.set("Authorization", &format!("Bearer {key}"));
    }
    match req.send_string(body) {
        Ok(response) => Ok(Attempt::Done(read_body(response, s)?)),
        Err(ureq::Error::Status(status, response)) => {
            let cap = Duration::from_millis(s.max_retry_wait_ms);
            let wait = response
                .header("Retry-After")
                .and_then(|v| retry_after(v, cap));
            // An error body that cannot be read still has its status to report.
            let text = read_body(response, s).unwrap_or_default();
            let message = s.scrub(&error_message(&text));
            match status {
                401 | 403 => Err(ZippError::Auth { status, message }),
                404 => Err(ZippError::ModelNotFound {
                    model: s.model.clone(),
                    url: s.shown_endpoint(),
                    message,
                }),
                429 | 500..=599 => Ok(Attempt::Retry {
                    status,
                    wait,
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
    let url = s.shown_endpoint();
    match (t.kind(), io_kind) {
        (_, Some(std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock)) => timeout(s),
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
            message: format!(
                "the host name did not resolve ({})",
                s.scrub(&t.to_string())
            ),
        },
        _ => {
            let text = s.scrub(&t.to_string());
            if text.contains("timed out") {
                timeout(s)
            } else {
                ZippError::Connection { url, message: text }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_values_never_panic_and_are_capped() {
        let cap = Duration::from_secs(30);
        assert_eq!(retry_after("2", cap), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(" 0.5 ", cap), Some(Duration::from_millis(500)));
        assert_eq!(retry_after("100000", cap), Some(cap));
        assert_eq!(retry_after("1e300", cap), Some(cap));
        assert_eq!(retry_after("inf", cap), Some(cap));
        assert_eq!(retry_after("-1", cap), None);
        assert_eq!(retry_after("NaN", cap), None);
        assert_eq!(retry_after("Wed, 21 Oct 2015 07:28:00 GMT", cap), None);
    }
}
