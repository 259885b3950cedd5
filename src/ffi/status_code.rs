//! The C status codes: the `ZippStatus` enum (the header's constants), and one table that
//! gives each its description. The constants' names come from the variants themselves, the
//! lookup by number from the table, and the table is checked against the enum when the crate
//! compiles, so a code cannot be added without its description or listed twice.

use std::ffi::{CStr, CString};
use std::sync::OnceLock;

use crate::error::ZippError;

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

/// Every status in code order with its short description: the one list the names, the
/// descriptions and the lookup by number are made from.
const STATUSES: &[(ZippStatus, &str)] = &[
    (ZippStatus::Ok, "ok"),
    (ZippStatus::Panic, "internal panic"),
    (ZippStatus::NullPointer, "null pointer"),
    (ZippStatus::InvalidUtf8, "invalid UTF-8"),
    (ZippStatus::InvalidJson, "invalid JSON"),
    (ZippStatus::TooLarge, "input too large"),
    (ZippStatus::Io, "I/O error"),
    (ZippStatus::InvalidPersona, "invalid persona"),
    (ZippStatus::InvalidConfig, "invalid configuration"),
    (ZippStatus::InvalidOptions, "invalid options"),
    (ZippStatus::Connection, "connection failed"),
    (ZippStatus::Timeout, "timed out"),
    (ZippStatus::Auth, "authentication failed"),
    (ZippStatus::ModelNotFound, "model not found"),
    (ZippStatus::RateLimited, "rate limited"),
    (ZippStatus::Server, "server error"),
    (ZippStatus::BadResponse, "bad response"),
    (ZippStatus::Backend, "backend error"),
    (ZippStatus::Cancelled, "cancelled"),
    (ZippStatus::Unsupported, "unsupported"),
    (ZippStatus::InvalidGraph, "invalid graph file"),
    (ZippStatus::InvalidInput, "invalid input data"),
    (ZippStatus::InvalidModel, "invalid model file"),
    (ZippStatus::Compute, "computation failed"),
    (ZippStatus::Pending, "not finished"),
    (ZippStatus::BufferTooSmall, "buffer too small"),
];

// Each status sits at the index of its code, and the last variant is the table's last entry:
// a code added to the enum and not to the table (or out of order) fails to compile.
const _: () = {
    let mut i = 0;
    while i < STATUSES.len() {
        assert!(STATUSES[i].0 as usize == i, "STATUSES is in code order");
        i += 1;
    }
    assert!(
        STATUSES.len() == ZippStatus::LAST as usize + 1,
        "STATUSES lists every code"
    );
};

impl ZippStatus {
    /// The status with the highest code (the table's last entry).
    const LAST: ZippStatus = ZippStatus::BufferTooSmall;

    /// Every status, in code order.
    pub fn all() -> impl Iterator<Item = ZippStatus> {
        STATUSES.iter().map(|(s, _)| *s)
    }

    /// The status with this code, if this version knows it.
    pub fn from_code(code: i32) -> Option<ZippStatus> {
        usize::try_from(code)
            .ok()
            .and_then(|i| STATUSES.get(i))
            .map(|(s, _)| *s)
    }

    /// A short, stable, human-readable description of this status, e.g. "invalid JSON".
    pub fn describe(self) -> &'static str {
        STATUSES[self as usize].1
    }

    /// The name of this status in the C header, e.g. `ZIPP_STATUS_INVALID_JSON`.
    pub fn c_name(self) -> &'static str {
        names()[self as usize]
            .to_str()
            .unwrap_or("ZIPP_STATUS_UNKNOWN")
    }

    /// [`ZippStatus::c_name`] as a C string with static storage.
    pub(crate) fn c_name_cstr(self) -> &'static CStr {
        &names()[self as usize]
    }

    /// [`ZippStatus::describe`] as a C string with static storage.
    pub(crate) fn describe_cstr(self) -> &'static CStr {
        static DESCRIPTIONS: OnceLock<Vec<CString>> = OnceLock::new();
        &DESCRIPTIONS.get_or_init(|| STATUSES.iter().map(|(_, d)| c_string(d)).collect())
            [self as usize]
    }
}

/// Each constant's name, made once from the variant's name as cbindgen makes it
/// (`InvalidUtf8` -> `ZIPP_STATUS_INVALID_UTF8`).
fn names() -> &'static [CString] {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    NAMES.get_or_init(|| {
        STATUSES
            .iter()
            .map(|(s, _)| {
                c_string(&format!(
                    "ZIPP_STATUS_{}",
                    screaming_snake(&format!("{s:?}"))
                ))
            })
            .collect()
    })
}

fn c_string(s: &str) -> CString {
    CString::new(s).unwrap_or_default()
}

/// `InvalidUtf8` -> `INVALID_UTF8`: an underscore before each capital but the first.
fn screaming_snake(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
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
}

impl From<&ZippError> for ZippStatus {
    fn from(e: &ZippError) -> Self {
        e.status()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_header_convention() {
        assert_eq!(ZippStatus::Ok.c_name(), "ZIPP_STATUS_OK");
        assert_eq!(ZippStatus::InvalidUtf8.c_name(), "ZIPP_STATUS_INVALID_UTF8");
        assert_eq!(
            ZippStatus::ModelNotFound.c_name(),
            "ZIPP_STATUS_MODEL_NOT_FOUND"
        );
        assert_eq!(
            ZippStatus::BufferTooSmall.c_name(),
            "ZIPP_STATUS_BUFFER_TOO_SMALL"
        );
        assert_eq!(ZippStatus::TooLarge as i32, 5);
        assert_eq!(ZippStatus::TooLarge.describe(), "input too large");
    }

    #[test]
    fn every_code_round_trips_and_unknown_codes_are_none() {
        for s in ZippStatus::all() {
            assert_eq!(ZippStatus::from_code(s as i32), Some(s));
        }
        assert_eq!(ZippStatus::all().count(), 26);
        assert_eq!(ZippStatus::from_code(-1), None);
        assert_eq!(ZippStatus::from_code(26), None);
    }

    #[test]
    fn the_header_declares_exactly_these_constants() {
        let header = include_str!("../../include/zipp.h");
        let body = header
            .split("enum ZippStatus")
            .nth(1)
            .and_then(|b| b.split('}').next())
            .expect("the header declares enum ZippStatus");
        let declared: Vec<(String, i32)> = body
            .lines()
            .filter_map(|l| {
                let (name, code) = l.trim().trim_end_matches(',').split_once(" = ")?;
                Some((name.to_string(), code.parse().ok()?))
            })
            .collect();
        let ours: Vec<(String, i32)> = ZippStatus::all()
            .map(|s| (s.c_name().to_string(), s as i32))
            .collect();
        assert_eq!(declared, ours);
    }

    #[test]
    fn errors_map_to_their_status() {
        let err = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        assert_eq!(ZippError::json("x", &err).status(), ZippStatus::InvalidJson);
        assert_eq!(ZippError::Cancelled.status(), ZippStatus::Cancelled);
        assert_eq!(
            ZippStatus::from(&ZippError::Cancelled),
            ZippStatus::Cancelled
        );
    }
}
