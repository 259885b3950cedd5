//! libzipp: zero-shot image personalization from personas (ZIPP).
//!
//! A persona is a short first-person description of who someone is. An LLM role-plays it to
//! rewrite an image prompt the way that person would want the picture; a frozen text-to-image
//! model renders the rewrite. This crate holds the persona document, the rewrite pipeline, the
//! text backends and the C ABI (`include/zipp.h`).
//!
//! ```
//! use zipp::{Persona, Rewriter};
//!
//! let persona = Persona::from_text("I'm a retired fisherman in Tromsø. I love grey seas.")?;
//! let rewriter = Rewriter::from_json(r#"{"backend": "rules"}"#)?;
//! let options = rewriter.options_from_json(Some(r#"{"seed": 7}"#))?;
//! let result = rewriter.rewrite(&persona, "a harbour at dawn", &options)?;
//! assert!(result.rewrite.starts_with("a harbour at dawn"));
//! # Ok::<(), zipp::ZippError>(())
//! ```

#![warn(missing_docs)]

pub mod clip;
mod cpu_slice;
pub mod error;
/// cbindgen:ignore
pub mod eval;
pub mod ffi;
pub mod files;
/// cbindgen:ignore
pub mod llm;
/// cbindgen:ignore
pub mod logging;
/// cbindgen:ignore
pub mod mine;
pub mod nn;
pub mod npy;
/// cbindgen:ignore
pub mod persona;
/// cbindgen:ignore
pub mod rewrite;
/// cbindgen:ignore
pub mod rng;
pub mod sentence;
/// cbindgen:ignore
pub mod taste;
/// cbindgen:ignore
pub mod text;

pub use error::{Result, ZippError};
pub use ffi::status_code::ZippStatus;
pub use persona::{Persona, PersonaDocument, Survey};
pub use rewrite::{OnError, RewriteOptions, RewriteResult, Rewriter, RewriterConfig};
