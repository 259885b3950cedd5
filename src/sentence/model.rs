//! The BERT encoder on candle, as transformers' `BertModel`: word, position and token-type
//! embeddings, post-norm transformer layers with a padding mask, then mean or [CLS] pooling.

use std::path::Path;

use candle_core::{Device, Tensor};

use super::config::{Pooling, SentenceConfig};
use crate::error::Result;
use crate::nn::{CResult, LayerNorm, Linear, Weights};

#[derive(Debug, Clone)]
struct Layer {
    /// query, key and value projections side by side (one matrix product).
    qkv: Linear,
    out: Linear,
    norm1: LayerNorm,
    fc1: Linear,
    fc2: Linear,
    norm2: LayerNorm,
}

/// A loaded BERT encoder, on the CPU.
#[derive(Debug, Clone)]
pub struct BertEncoder {
    config: SentenceConfig,
    words: Tensor,
    positions: Tensor,
    token_type: Tensor,
    embed_norm: LayerNorm,
    layers: Vec<Layer>,
}

impl BertEncoder {
    /// Loads the weights of `config` from a safetensors file (names with or without `bert.`).
    pub fn load(config: SentenceConfig, weights: &Path) -> Result<Self> {
        let w = Weights::load(weights)?;
        let pre = if w.map.contains_key("bert.embeddings.word_embeddings.weight") {
            "bert."
        } else {
            ""
        };
        let (d, eps) = (config.tower.hidden_size, config.tower.layer_norm_eps);
        let layers = (0..config.tower.layers)
            .map(|i| {
                let p = format!("{pre}encoder.layer.{i}");
                let a = format!("{p}.attention");
                Ok(Layer {
                    qkv: Linear::stack(&[
                        Linear::load(&w, &format!("{a}.self.query"), d, d, true)?,
                        Linear::load(&w, &format!("{a}.self.key"), d, d, true)?,
                        Linear::load(&w, &format!("{a}.self.value"), d, d, true)?,
                    ])
                    .map_err(|e| w.bad(&a, e))?,
                    out: Linear::load(&w, &format!("{a}.output.dense"), d, d, true)?,
                    norm1: LayerNorm::load(&w, &format!("{a}.output.LayerNorm"), d, eps)?,
                    fc1: Linear::load(
                        &w,
                        &format!("{p}.intermediate.dense"),
                        config.tower.intermediate_size,
                        d,
                        true,
                    )?,
                    fc2: Linear::load(
                        &w,
                        &format!("{p}.output.dense"),
                        d,
                        config.tower.intermediate_size,
                        true,
                    )?,
                    norm2: LayerNorm::load(&w, &format!("{p}.output.LayerNorm"), d, eps)?,
                })
            })
            .collect::<Result<_>>()?;
        let e = format!("{pre}embeddings");
        Ok(Self {
            words: w.shaped(
                &format!("{e}.word_embeddings.weight"),
                &[config.vocab_size, d],
            )?,
            positions: w.shaped(
                &format!("{e}.position_embeddings.weight"),
                &[config.max_positions, d],
            )?,
            token_type: w
                .shaped(
                    &format!("{e}.token_type_embeddings.weight"),
                    &[config.type_vocab_size, d],
                )?
                .narrow(0, 0, 1)
                .map_err(|err| w.bad(&e, err))?,
            embed_norm: LayerNorm::load(&w, &format!("{e}.LayerNorm"), d, eps)?,
            layers,
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &SentenceConfig {
        &self.config
    }

    fn attention(&self, l: &Layer, x: &Tensor, mask: &Tensor) -> CResult<Tensor> {
        let (b, t, d) = x.dims3()?;
        let heads = self.config.tower.heads;
        let hd = d / heads;
        let qkv = l
            .qkv
            .forward(x)?
            .reshape((b, t, 3, heads, hd))?
            .permute((2, 0, 3, 1, 4))?
            .contiguous()?;
        let q = (qkv.get(0)? * (hd as f64).powf(-0.5))?;
        let (k, v) = (qkv.get(1)?, qkv.get(2)?);
        let scores = q.matmul(&k.t()?.contiguous()?)?.broadcast_add(mask)?;
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        let y = probs.matmul(&v)?.transpose(1, 2)?.reshape((b, t, d))?;
        l.out.forward(&y)
    }

    /// Pooled (not normalized) vectors of token sequences (each with its [CLS] and [SEP] tokens,
    /// at most `max_positions` long), `n x hidden_size`.
    pub fn pooled(&self, ids: &[Vec<u32>]) -> CResult<Tensor> {
        let n = ids.len();
        let len = ids.iter().map(Vec::len).max().unwrap_or(0).max(1);
        if len > self.config.max_positions {
            candle_core::bail!(
                "a sequence of {len} tokens is longer than the model's {} positions",
                self.config.max_positions
            );
        }
        let mut flat = Vec::with_capacity(n * len);
        let mut keep = Vec::with_capacity(n * len);
        for seq in ids {
            flat.extend(seq.iter().copied());
            flat.extend(std::iter::repeat_n(0u32, len - seq.len()));
            keep.extend(std::iter::repeat_n(1f32, seq.len()));
            keep.extend(std::iter::repeat_n(0f32, len - seq.len()));
        }
        let dev = Device::Cpu;
        let ids_t = Tensor::from_vec(flat, n * len, &dev)?;
        let x = self
            .words
            .index_select(&ids_t, 0)?
            .reshape((n, len, ()))?
            .broadcast_add(&self.positions.narrow(0, 0, len)?)?
            .broadcast_add(&self.token_type)?;
        let mut x = self.embed_norm.forward(&x)?;
        let additive: Vec<f32> = keep
            .iter()
            .map(|k| if *k > 0.0 { 0.0 } else { f32::NEG_INFINITY })
            .collect();
        let mask = Tensor::from_vec(additive, (n, 1, 1, len), &dev)?;
        for l in &self.layers {
            let h = self.attention(l, &x, &mask)?;
            x = l.norm1.forward(&(x + h)?)?;
            let h = l
                .fc2
                .forward(&self.config.tower.activation.apply(&l.fc1.forward(&x)?)?)?;
            x = l.norm2.forward(&(x + h)?)?;
        }
        match self.config.pooling {
            Pooling::Cls => x.narrow(1, 0, 1)?.squeeze(1),
            Pooling::Mean => {
                let keep = Tensor::from_vec(keep, (n, len, 1), &dev)?;
                let counts = keep.sum(1)?.clamp(1e-9, f64::MAX)?;
                x.broadcast_mul(&keep)?.sum(1)?.broadcast_div(&counts)
            }
        }
    }
}
