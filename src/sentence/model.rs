//! The BERT and MPNet encoders on candle, as transformers' `BertModel` and `MPNetModel`: word,
//! position (and for BERT token-type) embeddings, post-norm transformer layers with a padding
//! mask (and for MPNet a bucketed relative-position bias), then mean or [CLS] pooling.

use std::path::Path;

use candle_core::{Device, Tensor};

use super::config::{Family, Pooling, SentenceConfig};
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

/// A loaded BERT or MPNet encoder, on the CPU.
#[derive(Debug, Clone)]
pub struct BertEncoder {
    config: SentenceConfig,
    words: Tensor,
    positions: Tensor,
    /// The first token type's embedding (BERT); none for MPNet.
    token_type: Option<Tensor>,
    /// `buckets x heads` relative-position bias (MPNet).
    relative_bias: Option<Tensor>,
    embed_norm: LayerNorm,
    layers: Vec<Layer>,
}

/// The bucket of a relative position `key - query`, as MPNet's (T5's bidirectional) scheme:
/// exact buckets for small distances, logarithmic ones up to `max_distance`, one half of the
/// buckets for each direction.
pub fn relative_bucket(relative: i64, buckets: usize, max_distance: i64) -> usize {
    let half = (buckets / 2) as i64;
    let n = -relative;
    let side = if n < 0 { half } else { 0 };
    let n = n.abs();
    let max_exact = (half / 2).max(1);
    let within = if n < max_exact {
        n
    } else {
        let scale = (max_distance as f32 / max_exact as f32).ln();
        let large = max_exact
            + ((n as f32 / max_exact as f32).ln() / scale * (half - max_exact) as f32) as i64;
        large.min(half - 1)
    };
    (side + within) as usize
}

impl BertEncoder {
    /// Loads the weights of `config` from a safetensors file (names with or without `bert.` or
    /// `mpnet.`).
    pub fn load(config: SentenceConfig, weights: &Path) -> Result<Self> {
        let w = Weights::load(weights)?;
        let pre = ["bert.", "mpnet."]
            .into_iter()
            .find(|p| {
                w.map
                    .contains_key(&format!("{p}embeddings.word_embeddings.weight"))
            })
            .unwrap_or("");
        let mpnet = config.family == Family::MpNet;
        let (d, eps) = (config.tower.hidden_size, config.tower.layer_norm_eps);
        let layers = (0..config.tower.layers)
            .map(|i| {
                let p = format!("{pre}encoder.layer.{i}");
                let a = format!("{p}.attention");
                let (q, k, v, o, norm) = if mpnet {
                    let n = |x: &str| format!("{a}.attn.{x}");
                    (n("q"), n("k"), n("v"), n("o"), format!("{a}.LayerNorm"))
                } else {
                    let n = |x: &str| format!("{a}.self.{x}");
                    (
                        n("query"),
                        n("key"),
                        n("value"),
                        format!("{a}.output.dense"),
                        format!("{a}.output.LayerNorm"),
                    )
                };
                Ok(Layer {
                    qkv: Linear::stack(&[
                        Linear::load(&w, &q, d, d, true)?,
                        Linear::load(&w, &k, d, d, true)?,
                        Linear::load(&w, &v, d, d, true)?,
                    ])
                    .map_err(|e| w.bad(&a, e))?,
                    out: Linear::load(&w, &o, d, d, true)?,
                    norm1: LayerNorm::load(&w, &norm, d, eps)?,
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
            token_type: if mpnet {
                None
            } else {
                Some(
                    w.shaped(
                        &format!("{e}.token_type_embeddings.weight"),
                        &[config.type_vocab_size, d],
                    )?
                    .narrow(0, 0, 1)
                    .map_err(|err| w.bad(&e, err))?,
                )
            },
            relative_bias: if mpnet {
                Some(w.shaped(
                    &format!("{pre}encoder.relative_attention_bias.weight"),
                    &[config.relative_buckets, config.tower.heads],
                )?)
            } else {
                None
            },
            embed_norm: LayerNorm::load(&w, &format!("{e}.LayerNorm"), d, eps)?,
            layers,
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &SentenceConfig {
        &self.config
    }

    /// The `1 x heads x len x len` relative-position bias (MPNet), or none.
    fn position_bias(&self, len: usize) -> CResult<Option<Tensor>> {
        let Some(table) = &self.relative_bias else {
            return Ok(None);
        };
        let buckets: Vec<u32> = (0..len as i64)
            .flat_map(|q| {
                (0..len as i64)
                    .map(move |k| relative_bucket(k - q, self.config.relative_buckets, 128) as u32)
            })
            .collect();
        let index = Tensor::from_vec(buckets, len * len, &Device::Cpu)?;
        let bias = table
            .index_select(&index, 0)?
            .reshape((len, len, ()))?
            .permute((2, 0, 1))?
            .unsqueeze(0)?
            .contiguous()?;
        Ok(Some(bias))
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
        // MPNet counts positions from just after the padding id, as transformers does.
        let first = match self.config.family {
            Family::Bert => 0,
            Family::MpNet => self.config.pad_token_id + 1,
        };
        if first + len > self.config.max_positions {
            candle_core::bail!(
                "a sequence of {len} tokens needs more than the model's {} positions",
                self.config.max_positions
            );
        }
        let mut x = self
            .words
            .index_select(&ids_t, 0)?
            .reshape((n, len, ()))?
            .broadcast_add(&self.positions.narrow(0, first, len)?)?;
        if let Some(t) = &self.token_type {
            x = x.broadcast_add(t)?;
        }
        let mut x = self.embed_norm.forward(&x)?;
        let additive: Vec<f32> = keep
            .iter()
            .map(|k| if *k > 0.0 { 0.0 } else { f32::NEG_INFINITY })
            .collect();
        let mut mask = Tensor::from_vec(additive, (n, 1, 1, len), &dev)?;
        if let Some(bias) = self.position_bias(len)? {
            mask = mask.broadcast_add(&bias)?;
        }
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

#[cfg(test)]
mod tests {
    use super::relative_bucket;

    #[test]
    fn relative_buckets_follow_mpnet() {
        // Keys before the query use the first half of the 32 buckets, keys after it the second.
        assert_eq!(relative_bucket(0, 32, 128), 0);
        assert_eq!(relative_bucket(-1, 32, 128), 1);
        assert_eq!(relative_bucket(1, 32, 128), 17);
        assert_eq!(relative_bucket(-7, 32, 128), 7);
        assert_eq!(relative_bucket(-8, 32, 128), 8);
        assert_eq!(relative_bucket(-20, 32, 128), 10);
        assert_eq!(relative_bucket(20, 32, 128), 26);
        assert_eq!(relative_bucket(-128, 32, 128), 15);
        assert_eq!(relative_bucket(-1000, 32, 128), 15);
        assert_eq!(relative_bucket(1000, 32, 128), 31);
    }
}
