//! One error type for the whole crate, with the context a user needs to act on each failure.
//! Its C status codes live with the C ABI (`crate::ffi::status_code`).

use std::path::PathBuf;
use std::sync::Arc;

/// Every failure in libzipp, with the context a user needs to act on it.
#[non_exhaustive]
#[derive(Debug, Clone, thiserror::Error)]
pub enum ZippError {
    /// A panic was caught at the C border.
    #[error("internal panic: {message}")]
    Panic {
        /// The panic payload, when it was a string.
        message: String,
    },
    /// A required pointer argument was NULL.
    #[error("argument `{arg}` is NULL")]
    NullPointer {
        /// The C parameter name.
        arg: &'static str,
    },
    /// A string argument was not valid UTF-8.
    #[error("argument `{arg}` is not valid UTF-8 (first bad byte at offset {valid_up_to})")]
    InvalidUtf8 {
        /// The C parameter name.
        arg: &'static str,
        /// Bytes before the first invalid sequence.
        valid_up_to: usize,
    },
    /// JSON that could not be parsed or did not have the expected shape.
    #[error("{what}: malformed JSON at line {line}, column {column}: {message}")]
    InvalidJson {
        /// What was being parsed ("rewriter config", "persona", ...).
        what: String,
        /// 1-based line of the problem (0 when unknown).
        line: usize,
        /// 1-based column of the problem (0 when unknown).
        column: usize,
        /// The parser's description.
        message: String,
    },
    /// An input over its size limit.
    #[error("{what} is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// What was too large.
        what: String,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// A file that could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error (shared, so that an error can be cloned).
        #[source]
        source: Arc<std::io::Error>,
    },
    /// A persona document that broke the schema.
    #[error("invalid persona: {}", problems.join("; "))]
    InvalidPersona {
        /// Each problem as "json.path: what is wrong".
        problems: Vec<String>,
    },
    /// A rewriter configuration problem.
    #[error("invalid config: {field}: {message}")]
    InvalidConfig {
        /// The config field at fault.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A per-call option problem.
    #[error("invalid options: {field}: {message}")]
    InvalidOptions {
        /// The option at fault.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The LLM server could not be reached.
    #[error("cannot connect to {url}: {message}")]
    Connection {
        /// The URL that was requested.
        url: String,
        /// The transport's description.
        message: String,
    },
    /// The LLM server did not answer in time.
    #[error("{url} did not answer within {timeout_ms} ms")]
    Timeout {
        /// The URL that was requested.
        url: String,
        /// The read timeout that expired.
        timeout_ms: u64,
    },
    /// HTTP 401 or 403.
    #[error("the server refused the credentials (HTTP {status}): {message}; set ZIPP_API_KEY or the config's api_key")]
    Auth {
        /// The HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// HTTP 404.
    #[error("model `{model}` or its endpoint was not found at {url} (HTTP 404): {message}")]
    ModelNotFound {
        /// The model that was asked for.
        model: String,
        /// The URL that was requested.
        url: String,
        /// The server's message.
        message: String,
    },
    /// HTTP 429 after every retry.
    #[error("rate limited by the server (HTTP 429) after {attempts} attempts: {message}")]
    RateLimited {
        /// Requests made.
        attempts: u32,
        /// The server's message.
        message: String,
    },
    /// HTTP 5xx after every retry.
    #[error("server error (HTTP {status}) after {attempts} attempts: {message}")]
    Server {
        /// The last HTTP status.
        status: u16,
        /// Requests made.
        attempts: u32,
        /// The server's message.
        message: String,
    },
    /// A reply that is not a usable completion.
    #[error("bad response from the backend: {message}")]
    BadResponse {
        /// What was wrong with it.
        message: String,
    },
    /// Any other backend failure.
    #[error("backend error (HTTP {status}): {message}")]
    Backend {
        /// The HTTP status, 0 when there was none.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// Cancelled by the caller.
    #[error("cancelled")]
    Cancelled,
    /// Not available in this build.
    #[error("unsupported: {what}")]
    Unsupported {
        /// What was asked for.
        what: String,
    },
    /// A graph file that cannot be used.
    #[error("invalid graph file: {message}")]
    InvalidGraph {
        /// What is wrong with it.
        message: String,
    },
    /// An input record that cannot be used, in a strict ingest.
    #[error("{file}:{line}: {message}")]
    InvalidInput {
        /// The input file.
        file: String,
        /// 1-based line number.
        line: u64,
        /// What is wrong with the line.
        message: String,
    },
    /// A model file that cannot be used.
    #[error("{}: {message}", path.display())]
    InvalidModel {
        /// The model file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A numerical computation that failed.
    #[error("{stage}: {message}")]
    Compute {
        /// What was being computed.
        stage: String,
        /// What went wrong.
        message: String,
    },
    /// Asked for the result of work still running.
    #[error("{what} has not finished")]
    Pending {
        /// The work.
        what: String,
    },
    /// An output buffer the caller passed is too small.
    #[error("{arg} holds {capacity} values but {needed} are needed")]
    BufferTooSmall {
        /// The argument.
        arg: &'static str,
        /// Its capacity.
        capacity: usize,
        /// What is needed.
        needed: usize,
    },
}

impl ZippError {
    /// Wraps a serde_json error with what was being parsed.
    pub fn json(what: impl Into<String>, err: &serde_json::Error) -> Self {
        ZippError::InvalidJson {
            what: what.into(),
            line: err.line(),
            column: err.column(),
            message: strip_position(&err.to_string()),
        }
    }

    /// Wraps an I/O error with the file it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ZippError::Io {
            path: path.into(),
            source: Arc::new(source),
        }
    }
}

/// The message of a caught panic (its payload when that is a string).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".to_string())
}

/// serde_json appends " at line L column C"; the error already carries both.
pub(crate) fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The crate's result type.
pub type Result<T, E = ZippError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_carry_position_once() {
        let err = serde_json::from_str::<serde_json::Value>("{\"a\": }").unwrap_err();
        let e = ZippError::json("rewriter config", &err);
        assert!(matches!(
            e,
            ZippError::InvalidJson {
                line: 1,
                column: 7,
                ..
            }
        ));
        assert_eq!(
            e.to_string(),
            "rewriter config: malformed JSON at line 1, column 7: expected value"
        );
    }

    #[test]
    fn a_cloned_io_error_keeps_its_path_and_cause() {
        let e = ZippError::io("/x/y", std::io::Error::from(std::io::ErrorKind::NotFound));
        let c = e.clone();
        assert_eq!(c.to_string(), e.to_string());
        assert!(std::error::Error::source(&c).is_some());
    }
}
