//! The MLP activations of transformer configs (`hidden_act`), each computed exactly as named:
//! an unknown name is refused, never replaced by another.

use candle_core::Tensor;

use super::CResult;
use crate::error::{Result, ZippError};

/// The activation of a tower's MLP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// `x * sigmoid(1.702 x)` (OpenAI's CLIP).
    QuickGelu,
    /// Exact GELU (erf).
    Gelu,
    /// GELU by the tanh approximation (`gelu_new`, `gelu_pytorch_tanh`, `gelu_fast`).
    GeluTanh,
    /// max(x, 0).
    Relu,
}

impl Activation {
    /// The activation named `name` in the config file at `path` (an error names the ones known).
    pub fn parse(name: &str, path: &str) -> Result<Self> {
        match name {
            "quick_gelu" => Ok(Self::QuickGelu),
            "gelu" => Ok(Self::Gelu),
            "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" => Ok(Self::GeluTanh),
            "relu" => Ok(Self::Relu),
            other => Err(ZippError::InvalidModel {
                path: path.into(),
                message: format!("hidden_act \"{other}\" is not supported (quick_gelu, gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu)"),
            }),
        }
    }

    /// Applies the activation elementwise.
    pub(crate) fn apply(self, x: &Tensor) -> CResult<Tensor> {
        match self {
            Activation::QuickGelu => x.contiguous()?.apply_op1_no_bwd(&QuickGelu),
            Activation::Gelu => x.gelu_erf(),
            Activation::GeluTanh => x.gelu(),
            Activation::Relu => x.relu(),
        }
    }
}

/// `x * sigmoid(1.702 x)` in one pass (inference only).
struct QuickGelu;

impl candle_core::CustomOp1 for QuickGelu {
    fn name(&self) -> &'static str {
        "zipp-quick-gelu"
    }

    fn cpu_fwd(
        &self,
        storage: &candle_core::CpuStorage,
        layout: &candle_core::Layout,
    ) -> CResult<(candle_core::CpuStorage, candle_core::Shape)> {
        let out = crate::cpu_slice::f32_slice(storage, layout, "quick_gelu")?
            .iter()
            .map(|x| x / (1.0 + (-1.702 * x).exp()))
            .collect();
        Ok((candle_core::CpuStorage::F32(out), layout.shape().clone()))
    }
}
