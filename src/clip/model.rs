//! The CLIP towers on candle, as transformers' `CLIPModel`: pre-norm transformer layers, a causal
//! text tower pooled at the end-of-text token, a vision tower pooled at the class token, and
//! bias-free projections into the shared space.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device, Tensor, D};

use super::config::{Activation, ClipConfig, TowerConfig};
use crate::error::{Result, ZippError};

type CResult<T> = candle_core::Result<T>;

/// Fetches named tensors as f32, with the file named in errors.
struct Weights<'a> {
    map: HashMap<String, Tensor>,
    path: &'a Path,
}

impl Weights<'_> {
    fn get(&self, name: &str) -> Result<Tensor> {
        let t = self.map.get(name).ok_or_else(|| ZippError::InvalidModel {
            path: self.path.to_path_buf(),
            message: format!("tensor {name} is missing"),
        })?;
        t.to_dtype(DType::F32).map_err(|e| self.bad(name, e))
    }

    fn shaped(&self, name: &str, dims: &[usize]) -> Result<Tensor> {
        let t = self.get(name)?;
        if t.dims() != dims {
            return Err(ZippError::InvalidModel {
                path: self.path.to_path_buf(),
                message: format!(
                    "tensor {name} has shape {:?}, the config says {dims:?}",
                    t.dims()
                ),
            });
        }
        Ok(t)
    }

    fn bad(&self, name: &str, e: candle_core::Error) -> ZippError {
        ZippError::InvalidModel {
            path: self.path.to_path_buf(),
            message: format!("{name}: {e}"),
        }
    }
}

#[derive(Debug, Clone)]
struct Linear {
    w_t: Tensor,
    b: Option<Tensor>,
}

impl Linear {
    fn load(w: &Weights, name: &str, out: usize, inp: usize, bias: bool) -> Result<Self> {
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
    fn stack(parts: &[Linear]) -> CResult<Self> {
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
    fn forward(&self, x: &Tensor) -> CResult<Tensor> {
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

#[derive(Debug, Clone)]
struct LayerNorm {
    w: Tensor,
    b: Tensor,
    eps: f32,
}

impl LayerNorm {
    fn load(w: &Weights, name: &str, dim: usize, eps: f64) -> Result<Self> {
        Ok(Self {
            w: w.shaped(&format!("{name}.weight"), &[dim])?,
            b: w.shaped(&format!("{name}.bias"), &[dim])?,
            eps: eps as f32,
        })
    }

    fn forward(&self, x: &Tensor) -> CResult<Tensor> {
        candle_nn::ops::layer_norm(&x.contiguous()?, &self.w, &self.b, self.eps)
    }
}

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

    fn activate(&self, x: &Tensor) -> CResult<Tensor> {
        match self.activation {
            Activation::QuickGelu => x.contiguous()?.apply_op1_no_bwd(&QuickGelu),
            Activation::Gelu => x.gelu_erf(),
            Activation::GeluTanh => x.gelu(),
            Activation::Relu => x.relu(),
        }
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
            let h = l
                .fc2
                .forward(&self.activate(&l.fc1.forward(&l.norm2.forward(&x)?)?)?)?;
            x = (x + h)?;
        }
        Ok(x)
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
        let map = candle_core::safetensors::load(weights, &Device::Cpu).map_err(|e| {
            ZippError::InvalidModel {
                path: weights.to_path_buf(),
                message: format!("not a readable safetensors file: {e}"),
            }
        })?;
        let w = Weights { map, path: weights };
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
