//! Building blocks shared by libzipp's transformer encoders (CLIP, the sentence encoder): named
//! safetensors weights, linear and layer-norm layers, and Hugging Face tokenizers.

mod activation;
mod layer_norm;
mod linear;
mod rows;
mod tokenizer;
mod tower;
mod weights;

pub use activation::Activation;
pub(crate) use layer_norm::LayerNorm;
pub(crate) use linear::Linear;
pub(crate) use rows::normalize_rows;
pub use tokenizer::TextTokenizer;
pub use tower::TowerConfig;
pub(crate) use weights::Weights;

/// candle's result type, for the forward passes.
pub(crate) type CResult<T> = candle_core::Result<T>;
