//! The shape of a stack of transformer layers, as configs give it.

use super::Activation;
use crate::error::{Result, ZippError};

/// One transformer tower.
#[derive(Debug, Clone, PartialEq)]
pub struct TowerConfig {
    /// Width.
    pub hidden_size: usize,
    /// MLP width.
    pub intermediate_size: usize,
    /// Layers.
    pub layers: usize,
    /// Attention heads.
    pub heads: usize,
    /// MLP activation.
    pub activation: Activation,
    /// Layer-norm epsilon.
    pub layer_norm_eps: f64,
}

impl TowerConfig {
    /// Refuses shapes no checkpoint has: heads that do not divide the width, or an implausible
    /// size (`path` names the config file in the error).
    pub fn check(&self, path: &str) -> Result<()> {
        if self.heads == 0
            || self.hidden_size % self.heads != 0
            || self.layers > 256
            || self.hidden_size > 16_384
        {
            return Err(ZippError::InvalidModel {
                path: path.into(),
                message: format!(
                    "{} heads do not divide hidden size {} (or the model is implausibly large)",
                    self.heads, self.hidden_size
                ),
            });
        }
        Ok(())
    }
}
