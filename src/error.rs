//! One error type for the whole crate; every failure maps to one [`ZippStatus`] code.

use std::path::PathBuf;

/// Status code returned by every fallible C function; `ZIPP_STATUS_OK` (0) is success.
///
/// Values are never reused: a retired code keeps its number and a new one takes the next.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZippStatus {
    /// Success.
    Ok = 0,
    /// A panic inside the library was stopped at the C border; the handle may be unusable.
    Panic = 1,
    /// A required pointer argument was NULL.
    NullPointer = 2,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 3,
    /// A JSON argument or file could not be parsed.
    InvalidJson = 4,
    /// An input was over its size limit.
    TooLarge = 5,
    /// A file could not be read or written.
    Io = 6,
    /// A persona document broke the schema; the message lists each problem with its JSON path.
    InvalidPersona = 7,
    /// The rewriter configuration was wrong (unknown backend, missing model, bad value).
    InvalidConfig = 8,
    /// The per-call options were wrong (unknown field, value out of range).
    InvalidOptions = 9,
    /// The LLM server could not be reached (refused, DNS, TLS).
    Connection = 10,
    /// The LLM server did not answer in time.
    Timeout = 11,
    /// The LLM server refused the credentials (HTTP 401 or 403).
    Auth = 12,
    /// The LLM server does not know the model or the endpoint (HTTP 404).
    ModelNotFound = 13,
    /// The LLM server kept answering HTTP 429 after every retry.
    RateLimited = 14,
    /// The LLM server kept failing with HTTP 5xx after every retry.
    Server = 15,
    /// The LLM server answered with something that is not a usable completion.
    BadResponse = 16,
    /// Any other failure of a text backend (for example HTTP 400).
    Backend = 17,
    /// The work was cancelled by the caller.
    Cancelled = 18,
    /// The feature or backend is not available in this build.
    Unsupported = 19,
    /// A graph file is corrupt, truncated or of another format version.
    InvalidGraph = 20,
    /// An input record could not be used (strict ingest).
    InvalidInput = 21,
    /// A model file is corrupt, truncated, or of an architecture or format this build cannot run.
    InvalidModel = 22,
    /// A numerical computation failed (a tensor operation, or training that diverged).
    Compute = 23,
    /// The job has not finished yet.
    Pending = 24,
    /// The caller's output buffer is too small; the needed length was written.
    BufferTooSmall = 25,
}

impl ZippStatus {
    /// A short, stable, human-readable name for this status.
    pub fn describe(self) -> &'static str {
        match self {
            ZippStatus::Ok => "ok",
            ZippStatus::Panic => "internal panic",
            ZippStatus::NullPointer => "null pointer",
            ZippStatus::InvalidUtf8 => "invalid UTF-8",
            ZippStatus::InvalidJson => "invalid JSON",
            ZippStatus::TooLarge => "input too large",
            ZippStatus::Io => "I/O error",
            ZippStatus::InvalidPersona => "invalid persona",
            ZippStatus::InvalidConfig => "invalid configuration",
            ZippStatus::InvalidOptions => "invalid options",
            ZippStatus::Connection => "connection failed",
            ZippStatus::Timeout => "timed out",
            ZippStatus::Auth => "authentication failed",
            ZippStatus::ModelNotFound => "model not found",
            ZippStatus::RateLimited => "rate limited",
            ZippStatus::Server => "server error",
            ZippStatus::BadResponse => "bad response",
            ZippStatus::Backend => "backend error",
            ZippStatus::Cancelled => "cancelled",
            ZippStatus::Unsupported => "unsupported",
            ZippStatus::InvalidGraph => "invalid graph file",
            ZippStatus::InvalidInput => "invalid input data",
            ZippStatus::InvalidModel => "invalid model file",
            ZippStatus::Compute => "computation failed",
            ZippStatus::Pending => "not finished",
            ZippStatus::BufferTooSmall => "buffer too small",
        }
    }

    /// The name of this status in the C header, e.g. `ZIPP_STATUS_INVALID_JSON`.
    pub fn c_name(self) -> &'static str {
        match self {
            ZippStatus::Ok => "ZIPP_STATUS_OK",
            ZippStatus::Panic => "ZIPP_STATUS_PANIC",
            ZippStatus::NullPointer => "ZIPP_STATUS_NULL_POINTER",
            ZippStatus::InvalidUtf8 => "ZIPP_STATUS_INVALID_UTF8",
            ZippStatus::InvalidJson => "ZIPP_STATUS_INVALID_JSON",
            ZippStatus::TooLarge => "ZIPP_STATUS_TOO_LARGE",
            ZippStatus::Io => "ZIPP_STATUS_IO",
            ZippStatus::InvalidPersona => "ZIPP_STATUS_INVALID_PERSONA",
            ZippStatus::InvalidConfig => "ZIPP_STATUS_INVALID_CONFIG",
            ZippStatus::InvalidOptions => "ZIPP_STATUS_INVALID_OPTIONS",
            ZippStatus::Connection => "ZIPP_STATUS_CONNECTION",
            ZippStatus::Timeout => "ZIPP_STATUS_TIMEOUT",
            ZippStatus::Auth => "ZIPP_STATUS_AUTH",
            ZippStatus::ModelNotFound => "ZIPP_STATUS_MODEL_NOT_FOUND",
            ZippStatus::RateLimited => "ZIPP_STATUS_RATE_LIMITED",
            ZippStatus::Server => "ZIPP_STATUS_SERVER",
            ZippStatus::BadResponse => "ZIPP_STATUS_BAD_RESPONSE",
            ZippStatus::Backend => "ZIPP_STATUS_BACKEND",
            ZippStatus::Cancelled => "ZIPP_STATUS_CANCELLED",
            ZippStatus::Unsupported => "ZIPP_STATUS_UNSUPPORTED",
            ZippStatus::InvalidGraph => "ZIPP_STATUS_INVALID_GRAPH",
            ZippStatus::InvalidInput => "ZIPP_STATUS_INVALID_INPUT",
            ZippStatus::InvalidModel => "ZIPP_STATUS_INVALID_MODEL",
            ZippStatus::Compute => "ZIPP_STATUS_COMPUTE",
            ZippStatus::Pending => "ZIPP_STATUS_PENDING",
            ZippStatus::BufferTooSmall => "ZIPP_STATUS_BUFFER_TOO_SMALL",
        }
    }
}

/// Every failure in libzipp, with the context a user needs to act on it.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
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
        /// The operating system's error.
        #[source]
        source: std::io::Error,
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
    /// The C status code for this error.
    pub fn status(&self) -> ZippStatus {
        match self {
            ZippError::Panic { .. } => ZippStatus::Panic,
            ZippError::NullPointer { .. } => ZippStatus::NullPointer,
            ZippError::InvalidUtf8 { .. } => ZippStatus::InvalidUtf8,
            ZippError::InvalidJson { .. } => ZippStatus::InvalidJson,
            ZippError::TooLarge { .. } => ZippStatus::TooLarge,
            ZippError::Io { .. } => ZippStatus::Io,
            ZippError::InvalidPersona { .. } => ZippStatus::InvalidPersona,
            ZippError::InvalidConfig { .. } => ZippStatus::InvalidConfig,
            ZippError::InvalidOptions { .. } => ZippStatus::InvalidOptions,
            ZippError::Connection { .. } => ZippStatus::Connection,
            ZippError::Timeout { .. } => ZippStatus::Timeout,
            ZippError::Auth { .. } => ZippStatus::Auth,
            ZippError::ModelNotFound { .. } => ZippStatus::ModelNotFound,
            ZippError::RateLimited { .. } => ZippStatus::RateLimited,
            ZippError::Server { .. } => ZippStatus::Server,
            ZippError::BadResponse { .. } => ZippStatus::BadResponse,
            ZippError::Backend { .. } => ZippStatus::Backend,
            ZippError::Cancelled => ZippStatus::Cancelled,
            ZippError::Unsupported { .. } => ZippStatus::Unsupported,
            ZippError::InvalidGraph { .. } => ZippStatus::InvalidGraph,
            ZippError::InvalidInput { .. } => ZippStatus::InvalidInput,
            ZippError::InvalidModel { .. } => ZippStatus::InvalidModel,
            ZippError::Compute { .. } => ZippStatus::Compute,
            ZippError::Pending { .. } => ZippStatus::Pending,
            ZippError::BufferTooSmall { .. } => ZippStatus::BufferTooSmall,
        }
    }

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
            source,
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
        assert_eq!(e.status(), ZippStatus::InvalidJson);
        assert_eq!(
            e.to_string(),
            "rewriter config: malformed JSON at line 1, column 7: expected value"
        );
    }

    #[test]
    fn c_names_follow_the_header_convention() {
        for s in [
            ZippStatus::Ok,
            ZippStatus::InvalidUtf8,
            ZippStatus::ModelNotFound,
        ] {
            assert!(s.c_name().starts_with("ZIPP_STATUS_"));
        }
        assert_eq!(ZippStatus::TooLarge as i32, 5);
    }
}
