//! The CLIP towers on candle, as transformers' `CLIPModel`: pre-norm transformer layers, a causal
//! text tower pooled at the end-of-text token, a vision tower pooled at the class token, and
//! bias-free projections into the shared space.

use std::path::Path;

use candle_core::{DType, Device, Tensor, D};
use rayon::prelude::*;

use super::config::{Activation, ClipConfig, TowerConfig};
use crate::error::Result;
use crate::nn::{CResult, LayerNorm, Linear, Weights};

/// Multiply-adds per image below which a batch is split across threads instead of each operation.
const SMALL_MODEL_MACS: usize = 20_000_000;

#[derive(Debug, Clone)]
struct Layer {
    norm1: LayerNorm,
    /// q, k and v projections side by side (one matrix product).
    qkv: Linear,
    out: Linear,
    norm2: LayerNorm,
    fc1: Linear,
    fc2: Linear,
}

/// A stack of pre-norm transformer layers.
#[derive(Debug, Clone)]
struct Encoder {
    layers: Vec<Layer>,
    heads: usize,
    activation: Activation,
}

impl Encoder {
    fn load(w: &Weights, prefix: &str, c: &TowerConfig) -> Result<Self> {
        let d = c.hidden_size;
        let layers = (0..c.layers)
            .map(|i| {
                let p = format!("{prefix}.encoder.layers.{i}");
                Ok(Layer {
                    norm1: LayerNorm::load(w, &format!("{p}.layer_norm1"), d, c.layer_norm_eps)?,
                    qkv: Linear::stack(&[
                        Linear::load(w, &format!("{p}.self_attn.q_proj"), d, d, true)?,
                        Linear::load(w, &format!("{p}.self_attn.k_proj"), d, d, true)?,
                        Linear::load(w, &format!("{p}.self_attn.v_proj"), d, d, true)?,
                    ])
                    .map_err(|e| w.bad(&p, e))?,
                    out: Linear::load(w, &format!("{p}.self_attn.out_proj"), d, d, true)?,
                    norm2: LayerNorm::load(w, &format!("{p}.layer_norm2"), d, c.layer_norm_eps)?,
                    fc1: Linear::load(w, &format!("{p}.mlp.fc1"), c.intermediate_size, d, true)?,
                    fc2: Linear::load(w, &format!("{p}.mlp.fc2"), d, c.intermediate_size, true)?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            layers,
            heads: c.heads,
            activation: c.activation,
        })
    }

    fn attention(&self, l: &Layer, x: &Tensor, mask: Option<&Tensor>) -> CResult<Tensor> {
        let (b, t, d) = x.dims3()?;
        let hd = d / self.heads;
        // (b, t, 3, heads, hd) -> (3, b, heads, t, hd), one copy for all three.
        let qkv = l
            .qkv
            .forward(x)?
            .reshape((b, t, 3, self.heads, hd))?
            .permute((2, 0, 3, 1, 4))?
            .contiguous()?;
        let q = (qkv.get(0)? * (hd as f64).powf(-0.5))?;
        let (k, v) = (qkv.get(1)?, qkv.get(2)?);
        let mut scores = q.matmul(&k.t()?.contiguous()?)?;
        if let Some(m) = mask {
            scores = scores.broadcast_add(m)?;
        }
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        let y = probs.matmul(&v)?.transpose(1, 2)?.reshape((b, t, d))?;
        l.out.forward(&y)
    }

    fn forward(&self, mut x: Tensor, mask: Option<&Tensor>) -> CResult<Tensor> {
        for l in &self.layers {
            let h = self.attention(l, &l.norm1.forward(&x)?, mask)?;
            x = (x + h)?;
            let h = l.fc2.forward(
                &self
                    .activation
                    .apply(&l.fc1.forward(&l.norm2.forward(&x)?)?)?,
            )?;
            x = (x + h)?;
        }
        Ok(x)
    }
}

/// A loaded CLIP model (both towers and projections), on the CPU.
#[derive(Debug, Clone)]
pub struct ClipTowers {
    config: ClipConfig,
    token_embedding: Tensor,
    text_positions: Tensor,
    text_encoder: Encoder,
    text_norm: LayerNorm,
    text_projection: Linear,
    class_embedding: Tensor,
    patch_embedding: Tensor,
    vision_positions: Tensor,
    pre_norm: LayerNorm,
    vision_encoder: Encoder,
    post_norm: LayerNorm,
    visual_projection: Linear,
    logit_scale: f32,
}

impl ClipTowers {
    /// Loads the weights of `config` from a safetensors file.
    pub fn load(config: ClipConfig, weights: &Path) -> Result<Self> {
        let w = Weights::load(weights)?;
        let (t, v) = (&config.text, &config.vision);
        let (td, vd, p) = (
            t.tower.hidden_size,
            v.tower.hidden_size,
            config.projection_dim,
        );
        let patches = (v.image_size / v.patch_size).pow(2);
        let logit_scale = match w.map.get("logit_scale") {
            Some(s) => s
                .to_dtype(DType::F32)
                .and_then(|s| s.flatten_all()?.to_vec1::<f32>())
                .map_err(|e| w.bad("logit_scale", e))?
                .first()
                .map_or(100.0, |x| x.exp()),
            None => 100.0,
        };
        Ok(Self {
            token_embedding: w.shaped(
                "text_model.embeddings.token_embedding.weight",
                &[t.vocab_size, td],
            )?,
            text_positions: w.shaped(
                "text_model.embeddings.position_embedding.weight",
                &[t.max_positions, td],
            )?,
            text_encoder: Encoder::load(&w, "text_model", &t.tower)?,
            text_norm: LayerNorm::load(
                &w,
                "text_model.final_layer_norm",
                td,
                t.tower.layer_norm_eps,
            )?,
            text_projection: Linear::load(&w, "text_projection", p, td, false)?,
            class_embedding: w.shaped("vision_model.embeddings.class_embedding", &[vd])?,
            patch_embedding: w.shaped(
                "vision_model.embeddings.patch_embedding.weight",
                &[vd, v.channels, v.patch_size, v.patch_size],
            )?,
            vision_positions: w.shaped(
                "vision_model.embeddings.position_embedding.weight",
                &[patches + 1, vd],
            )?,
            pre_norm: LayerNorm::load(&w, "vision_model.pre_layrnorm", vd, v.tower.layer_norm_eps)?,
            vision_encoder: Encoder::load(&w, "vision_model", &v.tower)?,
            post_norm: LayerNorm::load(
                &w,
                "vision_model.post_layernorm",
                vd,
                v.tower.layer_norm_eps,
            )?,
            visual_projection: Linear::load(&w, "visual_projection", p, vd, false)?,
            logit_scale,
            config,
        })
    }

    /// The model's configuration.
    pub fn config(&self) -> &ClipConfig {
        &self.config
    }

    /// `exp(logit_scale)`, the factor between cosine similarity and CLIP logits.
    pub fn logit_scale(&self) -> f32 {
        self.logit_scale
    }

    /// Projected (not normalized) text embeddings of token sequences (each at most
    /// `max_positions` long, ending with the end-of-text token), `n x projection_dim`.
    pub fn text_features(&self, ids: &[Vec<u32>]) -> CResult<Tensor> {
        let len = ids.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let eos = self.config.text.eos_token_id;
        let mut flat = Vec::with_capacity(ids.len() * len);
        let mut pool = Vec::with_capacity(ids.len());
        for (row, seq) in ids.iter().enumerate() {
            // transformers pools at the first end-of-text token; with eos id 2 (old configs) at
            // the largest id.
            let at = if eos == 2 {
                seq.iter()
                    .enumerate()
                    .max_by_key(|(i, t)| (**t, std::cmp::Reverse(*i)))
                    .map_or(0, |(i, _)| i)
            } else {
                seq.iter()
                    .position(|t| *t == eos)
                    .unwrap_or(seq.len().saturating_sub(1))
            };
            pool.push((row * len + at) as u32);
            flat.extend(seq.iter().copied());
            flat.extend(std::iter::repeat_n(eos, len - seq.len()));
        }
        let n = ids.len();
        let ids_t = Tensor::from_vec(flat, (n, len), &Device::Cpu)?;
        let x = self
            .token_embedding
            .index_select(&ids_t.flatten_all()?, 0)?
            .reshape((n, len, ()))?;
        let x = x.broadcast_add(&self.text_positions.narrow(0, 0, len)?)?;
        let mask: Vec<f32> = (0..len)
            .flat_map(|i| (0..len).map(move |j| if j > i { f32::NEG_INFINITY } else { 0.0 }))
            .collect();
        let mask = Tensor::from_vec(mask, (len, len), &Device::Cpu)?;
        let h = self
            .text_norm
            .forward(&self.text_encoder.forward(x, Some(&mask))?)?;
        let d = h.dim(D::Minus1)?;
        let pooled = h
            .reshape((n * len, d))?
            .index_select(&Tensor::from_vec(pool, n, &Device::Cpu)?, 0)?;
        self.text_projection.forward(&pooled)
    }

    /// Projected (not normalized) image embeddings of preprocessed pixels
    /// (`n x channels x image_size x image_size`), `n x projection_dim`.
    pub fn image_features(&self, pixels: &Tensor) -> CResult<Tensor> {
        let n = pixels.dim(0)?;
        let parts = self.split_for_threads(n, rayon::current_num_threads());
        if parts <= 1 {
            return self.image_features_one(pixels);
        }
        let per = n.div_ceil(parts);
        let chunks = (0..n.div_ceil(per))
            .into_par_iter()
            .map(|i| self.image_features_one(&pixels.narrow(0, i * per, per.min(n - i * per))?))
            .collect::<CResult<Vec<_>>>()?;
        Tensor::cat(&chunks, 0)
    }

    /// Into how many parts to split a batch of `n` images over `threads` threads: one per thread
    /// for models so small that their per-operation overhead outweighs the arithmetic (each
    /// part then runs its small operations on one thread, without hand-offs), else one.
    fn split_for_threads(&self, n: usize, threads: usize) -> usize {
        let v = &self.config.vision;
        let tokens = (v.image_size / v.patch_size).pow(2) + 1;
        let d = v.tower.hidden_size;
        let per_image = tokens * v.tower.layers * (4 * d * d + 2 * d * v.tower.intermediate_size);
        if per_image > SMALL_MODEL_MACS {
            return 1;
        }
        threads.min(n / 2).max(1)
    }

    fn image_features_one(&self, pixels: &Tensor) -> CResult<Tensor> {
        let n = pixels.dim(0)?;
        let p = self.config.vision.patch_size;
        let x = pixels.conv2d(&self.patch_embedding, 0, p, 1, 1)?;
        let x = x.flatten_from(2)?.transpose(1, 2)?;
        let d = x.dim(2)?;
        let cls = self.class_embedding.reshape((1, 1, d))?.repeat((n, 1, 1))?;
        let x = Tensor::cat(&[cls, x], 1)?.broadcast_add(&self.vision_positions)?;
        let h = self
            .vision_encoder
            .forward(self.pre_norm.forward(&x)?, None)?;
        let pooled = self.post_norm.forward(&h.narrow(1, 0, 1)?.squeeze(1)?)?;
        self.visual_projection.forward(&pooled)
    }
}
