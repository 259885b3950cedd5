//! The rewrite pipeline and its methods (`roleplay` as in the paper, taste-guided weaving for
//! small models, model-free composition): choose the method and the facet, build the
//! instruction with k-shot examples, call the backend, guard and clean the output, cache the
//! result. This is the only place that turns a persona into words for a model.

mod cache;
mod cleanup;
pub mod compose;
mod config;
pub mod cues;
mod facet;
pub mod guard;
mod instruction;
mod method;
mod options;
mod result;
mod rewriter;
mod salvage;

pub use cleanup::{clean_output, Cleaned};
pub use config::RewriterConfig;
pub use facet::choose_facet;
pub use instruction::{roleplay_instruction, taste_instruction, Instruction, ROLEPLAY_TASK, TASK};
pub use method::{Method, ROLEPLAY_MIN_PARAMETERS};
pub use options::{OnError, OptionsPatch, RewriteOptions, MAX_K, MAX_PROMPT_BYTES};
pub use result::{FailureInfo, RewriteResult, TokenCounts};
pub use rewriter::Rewriter;
