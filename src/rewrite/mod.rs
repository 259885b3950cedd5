//! The rewrite pipeline: choose the facet, build the role-play instruction with k-shot examples,
//! call the backend, clean the output, cache the result.

mod cache;
mod cleanup;
mod config;
mod facet;
pub mod guard;
mod instruction;
mod options;
mod result;
mod rewriter;

pub use cleanup::{clean_output, Cleaned};
pub use config::RewriterConfig;
pub use facet::choose_facet;
pub use instruction::build_messages;
pub use options::{OnError, OptionsPatch, RewriteOptions, MAX_K, MAX_PROMPT_BYTES};
pub use result::{FailureInfo, RewriteResult, TokenCounts};
pub use rewriter::Rewriter;
