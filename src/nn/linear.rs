//! A linear layer stored transposed, so that all leading rows go through one matrix product.

use candle_core::Tensor;

use super::{CResult, Weights};
use crate::error::Result;

/// `x W^T + b`.
#[derive(Debug, Clone)]
pub(crate) struct Linear {
    w_t: Tensor,
    b: Option<Tensor>,
}

impl Linear {
    /// Loads `{name}.weight` (`out x inp`) and, with `bias`, `{name}.bias`.
    pub(crate) fn load(
        w: &Weights,
        name: &str,
        out: usize,
        inp: usize,
        bias: bool,
    ) -> Result<Self> {
        let weight = w.shaped(&format!("{name}.weight"), &[out, inp])?;
        let b = if bias {
            Some(w.shaped(&format!("{name}.bias"), &[out])?)
        } else {
            None
        };
        let w_t = weight
            .t()
            .and_then(|t| t.contiguous())
            .map_err(|e| w.bad(name, e))?;
        Ok(Self { w_t, b })
    }

    /// One layer computing several layers' outputs side by side (their weights concatenated).
    pub(crate) fn stack(parts: &[Linear]) -> CResult<Self> {
        let w: Vec<&Tensor> = parts.iter().map(|p| &p.w_t).collect();
        let b = parts
            .iter()
            .map(|p| p.b.clone())
            .collect::<Option<Vec<_>>>();
        Ok(Self {
            w_t: Tensor::cat(&w, 1)?.contiguous()?,
            b: match b {
                Some(b) => Some(Tensor::cat(&b, 0)?),
                None => None,
            },
        })
    }

    /// `x W^T + b` over the last dimension, as one matrix product over all leading rows.
    pub(crate) fn forward(&self, x: &Tensor) -> CResult<Tensor> {
        let dims = x.dims().to_vec();
        let (last, lead) = dims
            .split_last()
            .ok_or_else(|| candle_core::Error::Msg("linear on a scalar".into()))?;
        let rows: usize = lead.iter().product();
        let mut out_dims = lead.to_vec();
        out_dims.push(self.w_t.dim(1)?);
        let y = x
            .contiguous()?
            .reshape((rows, *last))?
            .matmul(&self.w_t)?
            .reshape(out_dims)?;
        match &self.b {
            Some(b) => y.broadcast_add(b),
            None => Ok(y),
        }
    }
}
