//! The GATv2 layer: linear source and target maps, fused attention, heads concatenated or
//! averaged, output bias.

use std::sync::Arc;

use candle_core::{Device, Tensor, Var};

use super::attention::GatAttention;
use super::edges::EdgeIndex;
use super::params::Params;
use super::reference;
use crate::rng::SplitMix;

/// Shape and behaviour of a GATv2 layer (PyTorch Geometric's `GATv2Conv` arguments).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GatV2Config {
    /// Input features per node.
    pub in_channels: usize,
    /// Output features per head.
    pub out_channels: usize,
    /// Attention heads.
    pub heads: usize,
    /// Concatenate the heads (true) or average them (false).
    pub concat: bool,
    /// One linear map for sources and targets.
    pub share_weights: bool,
    /// LeakyReLU slope in the attention score.
    pub negative_slope: f32,
    /// Attention dropout probability during training.
    pub dropout: f32,
}

impl GatV2Config {
    /// Width of the layer's output.
    pub fn output_width(&self) -> usize {
        if self.concat {
            self.heads * self.out_channels
        } else {
            self.out_channels
        }
    }
}

/// A GATv2 layer with its parameters.
#[derive(Debug, Clone)]
pub struct GatV2Conv {
    config: GatV2Config,
    lin_l: (Var, Var),
    lin_r: Option<(Var, Var)>,
    att: Var,
    bias: Var,
}

impl GatV2Conv {
    /// A new layer with Glorot weights and zero biases, registered in `params` as `prefix.*`.
    pub fn new(
        config: GatV2Config,
        prefix: &str,
        params: &mut Params,
        rng: &mut SplitMix,
        dev: &Device,
    ) -> candle_core::Result<Self> {
        let width = config.heads * config.out_channels;
        let linear = |side: &str, params: &mut Params, rng: &mut SplitMix| {
            Ok::<_, candle_core::Error>((
                params.glorot(
                    &format!("{prefix}.lin_{side}.weight"),
                    (width, config.in_channels),
                    rng,
                    dev,
                )?,
                params.zeros(&format!("{prefix}.lin_{side}.bias"), width, dev)?,
            ))
        };
        let lin_l = linear("l", params, rng)?;
        let lin_r = if config.share_weights {
            None
        } else {
            Some(linear("r", params, rng)?)
        };
        let att = params.glorot(
            &format!("{prefix}.att"),
            (config.heads, config.out_channels),
            rng,
            dev,
        )?;
        let bias = params.zeros(&format!("{prefix}.bias"), config.output_width(), dev)?;
        Ok(Self {
            config,
            lin_l,
            lin_r,
            att,
            bias,
        })
    }

    /// A layer from given tensors (PyTorch layouts: weights are `out x in`, `att` is
    /// `heads x out_channels`); `lin_r` is ignored when weights are shared.
    pub fn from_tensors(
        config: GatV2Config,
        lin_l: (Tensor, Tensor),
        lin_r: (Tensor, Tensor),
        att: Tensor,
        bias: Tensor,
    ) -> candle_core::Result<Self> {
        let var = |t: &Tensor| Var::from_tensor(t);
        Ok(Self {
            config,
            lin_l: (var(&lin_l.0)?, var(&lin_l.1)?),
            lin_r: if config.share_weights {
                None
            } else {
                Some((var(&lin_r.0)?, var(&lin_r.1)?))
            },
            att: var(&att)?,
            bias: var(&bias)?,
        })
    }

    /// The layer's settings.
    pub fn config(&self) -> &GatV2Config {
        &self.config
    }

    /// The parameters, named as PyTorch Geometric names them.
    pub fn named(&self) -> Vec<(&'static str, &Var)> {
        let mut v = vec![
            ("lin_l.weight", &self.lin_l.0),
            ("lin_l.bias", &self.lin_l.1),
        ];
        if let Some((w, b)) = &self.lin_r {
            v.push(("lin_r.weight", w));
            v.push(("lin_r.bias", b));
        }
        v.push(("att", &self.att));
        v.push(("bias", &self.bias));
        v
    }

    fn project(&self, x: &Tensor) -> candle_core::Result<(Tensor, Tensor)> {
        let n = x.dim(0)?;
        let shape = (n, self.config.heads, self.config.out_channels);
        let map = |(w, b): &(Var, Var)| x.matmul(&w.t()?)?.broadcast_add(b)?.reshape(shape);
        let xl = map(&self.lin_l)?;
        let xr = match &self.lin_r {
            Some(r) => map(r)?,
            None => xl.clone(),
        };
        Ok((xl, xr))
    }

    /// The layer's output for node features `x` (nodes x in_channels); `dropout_seed` turns on
    /// attention dropout (training) with that mask.
    pub fn forward(
        &self,
        x: &Tensor,
        edges: &Arc<EdgeIndex>,
        dropout_seed: Option<u64>,
    ) -> candle_core::Result<Tensor> {
        let (xl, xr) = self.project(x)?;
        let dropout = match dropout_seed {
            Some(seed) if self.config.dropout > 0.0 => (self.config.dropout, seed),
            _ => (0.0, 0),
        };
        let out = if x.device().is_cpu() {
            let op = GatAttention {
                edges: edges.clone(),
                slope: self.config.negative_slope,
                dropout: dropout.0,
                seed: dropout.1,
            };
            xl.apply_op3(&xr, self.att.as_tensor(), op)?
        } else {
            reference::attention(
                &xl,
                &xr,
                &self.att,
                edges,
                self.config.negative_slope as f64,
                dropout,
            )?
        };
        let out = if self.config.concat {
            out.reshape((x.dim(0)?, self.config.output_width()))?
        } else {
            out.mean(1)?
        };
        out.broadcast_add(&self.bias)
    }

    /// Attention coefficients (no dropout), `edges x heads`, in `edges`' target order.
    pub fn attention(&self, x: &Tensor, edges: &Arc<EdgeIndex>) -> candle_core::Result<Vec<f32>> {
        let (xl, xr) = self.project(&x.detach())?;
        let op = GatAttention {
            edges: edges.clone(),
            slope: self.config.negative_slope,
            dropout: 0.0,
            seed: 0,
        };
        op.coefficients_all(
            &xl.to_device(&Device::Cpu)?,
            &xr.to_device(&Device::Cpu)?,
            &self.att.to_device(&Device::Cpu)?,
        )
    }
}
