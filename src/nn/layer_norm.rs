//! Layer normalization over the last dimension with a weight, a bias and the model's epsilon.

use candle_core::Tensor;

use super::{CResult, Weights};
use crate::error::Result;

/// A layer norm with its own epsilon (models differ: 1e-5 for CLIP, 1e-12 for BERT).
#[derive(Debug, Clone)]
pub(crate) struct LayerNorm {
    w: Tensor,
    b: Tensor,
    eps: f32,
}

impl LayerNorm {
    /// Loads `{name}.weight` and `{name}.bias`, both of length `dim`.
    pub(crate) fn load(w: &Weights, name: &str, dim: usize, eps: f64) -> Result<Self> {
        Ok(Self {
            w: w.shaped(&format!("{name}.weight"), &[dim])?,
            b: w.shaped(&format!("{name}.bias"), &[dim])?,
            eps: eps as f32,
        })
    }

    /// Normalizes `x` over its last dimension.
    pub(crate) fn forward(&self, x: &Tensor) -> CResult<Tensor> {
        candle_nn::ops::layer_norm(&x.contiguous()?, &self.w, &self.b, self.eps)
    }
}
