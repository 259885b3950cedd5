//! The encoder: learnable node embeddings -> GATv2 (heads concatenated) -> ELU -> GATv2
//! (one head), a dot-product link decoder and the ImageAlign projection.

use std::sync::Arc;

use candle_core::{Device, Tensor, Var};

use super::config::{EncoderConfig, ImageAlignConfig};
use crate::mine::gat::{EdgeIndex, GatV2Config, GatV2Conv, Params};
use crate::rng::SplitMix;

/// Encoder parameters and layers.
#[derive(Debug)]
pub struct Encoder {
    /// Every trainable tensor, named.
    pub params: Params,
    embedding: Var,
    conv1: GatV2Conv,
    conv2: GatV2Conv,
    /// ImageAlign projection (out_dim -> image dim) and log temperature.
    align: Option<(Var, Var, Var)>,
}

impl Encoder {
    /// A freshly initialized encoder for `nodes` nodes; `image_dim` adds the ImageAlign head.
    pub fn new(
        config: &EncoderConfig,
        nodes: usize,
        image: Option<(usize, &ImageAlignConfig)>,
        seed: u64,
        dev: &Device,
    ) -> candle_core::Result<Self> {
        let mut rng = SplitMix(seed);
        let mut params = Params::new();
        // Normal(0, 0.1) embeddings by the Box-Muller transform.
        let emb: Vec<f32> = (0..nodes * config.embedding_dim)
            .map(|_| {
                let (a, b) = (rng.unit().max(1e-12), rng.unit());
                ((-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos() * 0.1) as f32
            })
            .collect();
        let embedding = params.add(
            "embedding",
            Tensor::from_vec(emb, (nodes, config.embedding_dim), dev)?,
        )?;
        let layer = |in_channels, out_channels, heads, concat| GatV2Config {
            in_channels,
            out_channels,
            heads,
            concat,
            share_weights: config.share_weights,
            negative_slope: config.negative_slope,
            dropout: config.dropout,
        };
        let conv1 = GatV2Conv::new(
            layer(config.embedding_dim, config.hidden, config.heads, true),
            "conv1",
            &mut params,
            &mut rng,
            dev,
        )?;
        let conv2 = GatV2Conv::new(
            layer(config.hidden * config.heads, config.out_dim, 1, false),
            "conv2",
            &mut params,
            &mut rng,
            dev,
        )?;
        let align = match image {
            Some((dim, ia)) => Some((
                params.glorot("align.weight", (dim, config.out_dim), &mut rng, dev)?,
                params.zeros("align.bias", dim, dev)?,
                params.add(
                    "align.log_temperature",
                    Tensor::new(&[ia.temperature.max(1e-3).ln()], dev)?,
                )?,
            )),
            None => None,
        };
        Ok(Self {
            params,
            embedding,
            conv1,
            conv2,
            align,
        })
    }

    /// Node embeddings of the nodes `ids` (all nodes when `None`) over `edges`, whose ids are
    /// positions in `ids`; `dropout_seed` turns on attention dropout.
    pub fn forward(
        &self,
        ids: Option<&Tensor>,
        edges: &Arc<EdgeIndex>,
        dropout_seed: Option<u64>,
    ) -> candle_core::Result<Tensor> {
        let x = match ids {
            Some(ids) => self.embedding.index_select(ids, 0)?,
            None => self.embedding.as_tensor().clone(),
        };
        let h = self.conv1.forward(&x, edges, dropout_seed)?.elu(1.0)?;
        self.conv2.forward(&h, edges, dropout_seed.map(|s| s ^ 0x2))
    }

    /// Layer-2 attention of every edge of `edges` (target order), one head, on all nodes.
    pub fn salience(&self, edges: &Arc<EdgeIndex>) -> candle_core::Result<Vec<f32>> {
        let h = self
            .conv1
            .forward(self.embedding.as_tensor(), edges, None)?
            .elu(1.0)?;
        self.conv2.attention(&h, edges)
    }

    /// Layer-1 attention averaged over heads (target order).
    pub fn salience_layer1(&self, edges: &Arc<EdgeIndex>) -> candle_core::Result<Vec<f32>> {
        let heads = self.conv1.config().heads;
        let a = self.conv1.attention(self.embedding.as_tensor(), edges)?;
        Ok(a.chunks(heads)
            .map(|c| c.iter().sum::<f32>() / heads as f32)
            .collect())
    }

    /// The ImageAlign head: projection weight, bias and log temperature.
    pub fn align(&self) -> Option<(&Var, &Var, &Var)> {
        self.align.as_ref().map(|(w, b, t)| (w, b, t))
    }

    /// Every variable in parameter order.
    pub fn vars(&self) -> Vec<&Var> {
        self.params.iter().map(|(_, v)| v).collect()
    }
}
