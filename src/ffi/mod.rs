//! The C ABI: converts C types, calls the Rust API, converts back. No logic lives here.
//!
//! Every function returns a [`crate::ZippStatus`] (or a plain value that cannot fail), writes
//! outputs only on success, records the failure message for `zipp_last_error`, and stops panics
//! at the border.

pub mod clip;
pub mod log;
pub mod mine;
pub mod models;
pub mod panic;
pub mod persona;
pub mod rewriter;
pub mod status;
pub mod status_code;
pub mod strings;
pub mod version;
