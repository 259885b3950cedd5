//! The pieces every supported decoder is built from: quantized linear maps, RMS norms, rotary
//! tables, grouped-query attention with a KV cache, gated feed-forward blocks.

use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::{DType, Device, Module, Tensor, D};

use super::super::file::GgufFile;
use super::gated::Gated;
use super::q5_0::Q5Matrix;
use crate::error::Result;

/// candle's error, as a backend error.
pub(crate) fn compute(e: candle_core::Error) -> crate::error::ZippError {
    crate::error::ZippError::Backend {
        status: 0,
        message: format!("model computation failed: {e}"),
    }
}

/// A weight matrix as candle holds it, or as libzipp's own Q5_0 kernels do.
pub(crate) enum Weight {
    /// candle's quantized (or dense) matrix.
    Candle(QMatMul),
    /// A Q5_0 matrix (see `q5_0`).
    Q5(std::sync::Arc<Q5Matrix>),
}

/// A weight matrix with an optional bias.
pub(crate) struct Linear {
    weight: Weight,
    bias: Option<Tensor>,
}

impl Linear {
    /// y = x Wᵀ + b for x of shape [t, in].
    pub(crate) fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let rows = x.dims().first().copied().unwrap_or(1);
        // Many rows at once (a prompt) against a matrix without a tiled kernel: expanding it to
        // f32 once and using the dense kernel is several times faster.
        let dense = match &self.weight {
            _ if rows < DENSE_ROWS => None,
            Weight::Candle(QMatMul::QTensor(q)) if !tiled_on_cpu(q) => {
                Some(q.dequantize(x.device())?)
            }
            Weight::Q5(q) => Some(Tensor::from_vec(
                q.dequantize(),
                (q.rows(), q.cols()),
                x.device(),
            )?),
            Weight::Candle(_) => None,
        };
        let y = match (&self.weight, dense) {
            (_, Some(w)) => x.matmul(&w.t()?)?,
            (Weight::Candle(w), None) => w.forward(x)?,
            (Weight::Q5(q), None) => x.contiguous()?.apply_op1_no_bwd(q.as_ref())?,
        };
        match &self.bias {
            Some(b) => y.broadcast_add(b),
            None => Ok(y),
        }
    }
}

/// RMS normalization with a learned scale (GGUF stores Gemma's scale with its +1 applied).
pub(crate) struct RmsNorm {
    weight: Tensor,
    eps: f32,
}

impl RmsNorm {
    /// Normalizes over the last dimension.
    pub(crate) fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        candle_nn::ops::rms_norm(&x.contiguous()?, &self.weight, self.eps)
    }
}

/// Rows from which a prompt's product goes through the dense kernel (see [`Linear::forward`]).
pub(crate) const DENSE_ROWS: usize = 16;

/// Whether candle multiplies many rows by this matrix with its tiled (repacked) kernel: k-quants
/// and Q8_0 whose inner size is a multiple of 256.
fn tiled_on_cpu(q: &QTensor) -> bool {
    let k = q.shape().dims().last().copied().unwrap_or(0);
    matches!(q.dtype(), GgmlDType::Q4K | GgmlDType::Q6K | GgmlDType::Q8_0) && k % 256 == 0
}

/// Storage types without a fast CPU kernel in candle; their matrices are re-quantized to Q8_0
/// at load (half the decode time, a little more memory, within rounding of the original).
fn slow_on_cpu(dtype: GgmlDType) -> bool {
    matches!(
        dtype,
        GgmlDType::Q4_1 | GgmlDType::Q5_0 | GgmlDType::Q5_1 | GgmlDType::Q8_1
    )
    // Q5_0 linear maps use libzipp's kernels instead; this covers the output map.
}

/// Reads tensors of one model file onto one device.
pub(crate) struct Loader<'a> {
    /// The open file.
    pub file: &'a GgufFile,
    /// Where the weights go.
    pub device: &'a Device,
}

impl Loader<'_> {
    /// A tensor, as stored.
    pub(crate) fn qtensor(&self, name: &str) -> Result<QTensor> {
        self.file.tensor(name, self.device)
    }

    /// Done with a tensor's bytes in the file (see [`GgufFile::release`]).
    pub(crate) fn release(&self, name: &str) {
        self.file.release(name);
    }

    /// A matrix for multiplication, re-quantized when its type has no fast kernel.
    pub(crate) fn matrix(&self, name: &str) -> Result<QMatMul> {
        let q = self.qtensor(name)?;
        self.release(name);
        self.to_matmul(q, name)
    }

    /// A matrix for a linear map: Q5_0 on the CPU goes to libzipp's kernels.
    fn weight(&self, q: QTensor, bytes: &[u8], name: &str) -> Result<Weight> {
        if q.dtype() == GgmlDType::Q5_0 && self.device.is_cpu() {
            let (rows, cols) = q.shape().dims2().map_err(|e| self.err(name, e))?;
            if let Some(m) = Q5Matrix::new(bytes, rows, cols) {
                return Ok(Weight::Q5(std::sync::Arc::new(m)));
            }
        }
        Ok(Weight::Candle(self.to_matmul(q, name)?))
    }

    fn to_matmul(&self, q: QTensor, name: &str) -> Result<QMatMul> {
        let q = if slow_on_cpu(q.dtype()) && self.device.is_cpu() {
            let dense = q.dequantize(self.device).map_err(|e| self.err(name, e))?;
            QTensor::quantize(&dense, GgmlDType::Q8_0).map_err(|e| self.err(name, e))?
        } else {
            q
        };
        QMatMul::from_qtensor(q).map_err(|e| self.err(name, e))
    }

    /// A linear map `name.weight` with `name.bias` when the file has it.
    pub(crate) fn linear(&self, name: &str) -> Result<Linear> {
        let weight_name = format!("{name}.weight");
        let q = self.qtensor(&weight_name)?;
        let weight = self.weight(q, self.file.tensor_bytes(&weight_name)?, &weight_name)?;
        self.release(&weight_name);
        let bias = self.opt_dense(&format!("{name}.bias"))?;
        Ok(Linear { weight, bias })
    }

    /// Rows `[from, from + rows)` of a matrix as their own linear map (fused QKV and
    /// gate-up tensors are split this way; quantization blocks run along rows).
    pub(crate) fn linear_rows(&self, name: &str, from: usize, rows: usize) -> Result<Linear> {
        let (part, bytes) = self.file.tensor_rows(name, from, rows, self.device)?;
        Ok(Linear {
            weight: self.weight(part, bytes, name)?,
            bias: None,
        })
    }

    /// A dense f32 tensor (norm scales, biases), if present.
    pub(crate) fn opt_dense(&self, name: &str) -> Result<Option<Tensor>> {
        if !self.file.has_tensor(name) {
            return Ok(None);
        }
        let q = self.qtensor(name)?;
        let t = q
            .dequantize(self.device)
            .and_then(|t| t.to_dtype(DType::F32))
            .map_err(|e| self.err(name, e))?;
        Ok(Some(t))
    }

    /// An RMS norm `name.weight`.
    pub(crate) fn norm(&self, name: &str, eps: f64) -> Result<RmsNorm> {
        self.opt_norm(name, eps)?.ok_or_else(|| {
            self.file
                .error(format!("tensor `{name}.weight` is missing"))
        })
    }

    /// An RMS norm, if the file has it.
    pub(crate) fn opt_norm(&self, name: &str, eps: f64) -> Result<Option<RmsNorm>> {
        Ok(self
            .opt_dense(&format!("{name}.weight"))?
            .map(|weight| RmsNorm {
                weight,
                eps: eps as f32,
            }))
    }

    fn err(&self, name: &str, e: candle_core::Error) -> crate::error::ZippError {
        self.file.error(format!("tensor `{name}`: {e}"))
    }
}

/// How query and key vectors are rotated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RopeStyle {
    /// Adjacent pairs (x[2i], x[2i+1]): llama.cpp's NORM, used by Llama.
    Interleaved,
    /// Halves (x[i], x[i + d/2]): llama.cpp's NEOX, used by Qwen, Gemma, Phi-3.
    Halves,
}

/// Cosine and sine tables for one rotary configuration, for positions `0..len`.
pub(crate) struct Rope {
    cos: Tensor,
    sin: Tensor,
    style: RopeStyle,
    dims: usize,
}

impl Rope {
    /// Tables for `dims` rotated dimensions: angle = pos · scale · base^(−2i/dims) / factor_i.
    pub(crate) fn new(
        style: RopeStyle,
        dims: usize,
        base: f64,
        position_scale: f64,
        factors: Option<&[f32]>,
        len: usize,
        device: &Device,
    ) -> candle_core::Result<Self> {
        let half = dims / 2;
        let inv: Vec<f64> = (0..half)
            .map(|i| {
                let f = base.powf(-2.0 * i as f64 / dims as f64);
                let factor = factors
                    .and_then(|fs| fs.get(i))
                    .map_or(1.0, |&x| f64::from(x));
                f / factor
            })
            .collect();
        let mut cos = Vec::with_capacity(len * half);
        let mut sin = Vec::with_capacity(len * half);
        for p in 0..len {
            for f in &inv {
                let angle = p as f64 * position_scale * f;
                cos.push(angle.cos() as f32);
                sin.push(angle.sin() as f32);
            }
        }
        Ok(Self {
            cos: Tensor::from_vec(cos, (len, half), device)?,
            sin: Tensor::from_vec(sin, (len, half), device)?,
            style,
            dims,
        })
    }

    /// Positions the tables cover.
    pub(crate) fn len(&self) -> usize {
        self.cos.dims()[0]
    }

    /// Rotates x of shape [heads, t, head_dim] for positions `start..start + t`.
    fn apply(&self, x: &Tensor, start: usize) -> candle_core::Result<Tensor> {
        let (_, t, head_dim) = x.dims3()?;
        let cos = self.cos.narrow(0, start, t)?;
        let sin = self.sin.narrow(0, start, t)?;
        let rotate = |x: &Tensor| -> candle_core::Result<Tensor> {
            let x = x.unsqueeze(0)?.contiguous()?;
            let y = match self.style {
                RopeStyle::Interleaved => candle_nn::rotary_emb::rope_i(&x, &cos, &sin)?,
                RopeStyle::Halves => candle_nn::rotary_emb::rope(&x, &cos, &sin)?,
            };
            y.squeeze(0)
        };
        if self.dims == head_dim {
            rotate(x)
        } else {
            let rotated = rotate(&x.narrow(D::Minus1, 0, self.dims)?)?;
            let rest = x.narrow(D::Minus1, self.dims, head_dim - self.dims)?;
            Tensor::cat(&[&rotated, &rest], D::Minus1)
        }
    }
}

/// Keys and values of one layer for the positions seen so far, grown in chunks.
#[derive(Default)]
pub(crate) struct LayerCache {
    k: Option<Tensor>,
    v: Option<Tensor>,
    len: usize,
}

/// Positions the keys of a prompt chunk are padded to (masked, zero): the softmax sums and
/// products over the keys then add the same terms in the same order whatever the prompt's
/// length, so that a position's keys and values are the same bits whether its prompt was
/// evaluated whole or continued from a cached prefix (see `prefix`).
const KEY_GRAIN: usize = 32;

fn round_up(n: usize, grain: usize) -> usize {
    n.div_ceil(grain) * grain
}

impl LayerCache {
    /// Appends k and v ([kv_heads, t, head_dim]) and returns all keys and values so far; for
    /// more than one new position, padded with zero positions to a multiple of [`KEY_GRAIN`].
    fn append(&mut self, k: &Tensor, v: &Tensor) -> candle_core::Result<(Tensor, Tensor)> {
        let (heads, t, dim) = k.dims3()?;
        let needed = self.len + t;
        let keys = if t > 1 {
            round_up(needed, KEY_GRAIN)
        } else {
            needed
        };
        let capacity = self.k.as_ref().map_or(0, |c| c.dims()[1]);
        if keys > capacity {
            let new_capacity = round_up(keys.max(capacity * 2).max(256), KEY_GRAIN);
            let grow = |old: &Option<Tensor>| -> candle_core::Result<Tensor> {
                let fresh = Tensor::zeros((heads, new_capacity, dim), DType::F32, k.device())?;
                if let Some(old) = old {
                    fresh.slice_set(&old.narrow(1, 0, self.len)?.contiguous()?, 1, 0)?;
                }
                Ok(fresh)
            };
            self.k = Some(grow(&self.k)?);
            self.v = Some(grow(&self.v)?);
        }
        let (kc, vc) = match (&self.k, &self.v) {
            (Some(kc), Some(vc)) => (kc, vc),
            _ => candle_core::bail!("the cache was not allocated"),
        };
        kc.slice_set(&k.contiguous()?, 1, self.len)?;
        vc.slice_set(&v.contiguous()?, 1, self.len)?;
        self.len = needed;
        Ok((kc.narrow(1, 0, keys)?, vc.narrow(1, 0, keys)?))
    }

    /// The first `len` positions, copied into a cache of their own with room for `capacity`
    /// positions (never sharing storage with this one).
    fn copy_prefix(&self, len: usize, capacity: usize) -> candle_core::Result<Self> {
        let len = len.min(self.len);
        if len == 0 {
            return Ok(Self::default());
        }
        let copy = |old: &Option<Tensor>| -> candle_core::Result<Option<Tensor>> {
            let Some(old) = old else {
                return Ok(None);
            };
            let (heads, _, dim) = old.dims3()?;
            let room = round_up(capacity.max(len), KEY_GRAIN);
            let fresh = Tensor::zeros((heads, room, dim), DType::F32, old.device())?;
            fresh.slice_set(&old.narrow(1, 0, len)?.contiguous()?, 1, 0)?;
            Ok(Some(fresh))
        };
        Ok(Self {
            k: copy(&self.k)?,
            v: copy(&self.v)?,
            len,
        })
    }

    /// Bytes of key and value storage held.
    fn bytes(&self) -> usize {
        [&self.k, &self.v]
            .into_iter()
            .flatten()
            .map(|t| t.elem_count() * t.dtype().size_in_bytes())
            .sum()
    }
}

/// Grouped-query self-attention.
pub(crate) struct Attention {
    /// Query map.
    pub q: Linear,
    /// Key map.
    pub k: Linear,
    /// Value map.
    pub v: Linear,
    /// Output map.
    pub o: Linear,
    /// Per-head RMS norm of queries before rotation (Qwen 3, Gemma 3).
    pub q_norm: Option<RmsNorm>,
    /// Per-head RMS norm of keys before rotation.
    pub k_norm: Option<RmsNorm>,
    /// Query heads.
    pub heads: usize,
    /// Key-value heads.
    pub kv_heads: usize,
    /// Dimension of each head.
    pub head_dim: usize,
    /// Scale of the query-key products.
    pub scale: f64,
}

impl Attention {
    /// Attends x ([t, hidden], positions `start..start + t`) over the cache.
    fn forward(
        &self,
        x: &Tensor,
        start: usize,
        rope: &Rope,
        window: Option<usize>,
        cache: &mut LayerCache,
    ) -> candle_core::Result<Tensor> {
        let (t, _) = x.dims2()?;
        let split =
            |y: Tensor, heads: usize, norm: &Option<RmsNorm>| -> candle_core::Result<Tensor> {
                let y = y.reshape((t, heads, self.head_dim))?;
                let y = match norm {
                    Some(n) => n.forward(&y)?,
                    None => y,
                };
                y.transpose(0, 1)?.contiguous()
            };
        let q = split(self.q.forward(x)?, self.heads, &self.q_norm)?;
        let k = split(self.k.forward(x)?, self.kv_heads, &self.k_norm)?;
        let v = split(self.v.forward(x)?, self.kv_heads, &None)?;
        let q = rope.apply(&q, start)?;
        let k = rope.apply(&k, start)?;
        let (k, v) = cache.append(&k, &v)?;
        // Keys to attend over, the padding included (masked).
        let total = k.dims()[1];
        // Queries grouped by the key-value head they read: [kv_heads, group * t, head_dim].
        let group = self.heads / self.kv_heads;
        let q = (q * self.scale)?.reshape((self.kv_heads, group * t, self.head_dim))?;
        let scores = q.matmul(&k.t()?)?;
        let scores = match mask(t, start, total, window, x.device())? {
            Some(m) => scores
                .reshape((self.kv_heads, group, t, total))?
                .broadcast_add(&m)?
                .reshape((self.kv_heads, group * t, total))?,
            None => scores,
        };
        let weights = candle_nn::ops::softmax_last_dim(&scores)?;
        let out = weights.matmul(&v.contiguous()?)?;
        let out = out
            .reshape((self.heads, t, self.head_dim))?
            .transpose(0, 1)?
            .reshape((t, self.heads * self.head_dim))?;
        self.o.forward(&out)
    }
}

/// The additive mask for queries at `start..start + t` over keys `0..total`: causal, and limited
/// to the last `window` positions when given. None when nothing is masked.
fn mask(
    t: usize,
    start: usize,
    total: usize,
    window: Option<usize>,
    device: &Device,
) -> candle_core::Result<Option<Tensor>> {
    let windowed = window.is_some_and(|w| total > w);
    if t == 1 && !windowed {
        return Ok(None);
    }
    let mut m = vec![0f32; t * total];
    for i in 0..t {
        let q = start + i;
        for (j, cell) in m[i * total..(i + 1) * total].iter_mut().enumerate() {
            let hidden = j > q || window.is_some_and(|w| q - j.min(q) >= w);
            if hidden {
                *cell = f32::NEG_INFINITY;
            }
        }
    }
    Tensor::from_vec(m, (t, total), device).map(Some)
}

/// The non-linearity of a gated feed-forward block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Activation {
    /// SiLU (Llama, Qwen, Phi-3).
    Silu,
    /// GELU, tanh approximation through llama.cpp's f16 table (Gemma).
    GeluTanh,
}

/// down(act(gate x) · up x).
pub(crate) struct GatedMlp {
    /// Gate map.
    pub gate: Linear,
    /// Up map.
    pub up: Linear,
    /// Down map.
    pub down: Linear,
    /// Non-linearity on the gate.
    pub act: Activation,
}

impl GatedMlp {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let g = self.gate.forward(x)?;
        let u = self.up.forward(x)?;
        let op = match self.act {
            Activation::Silu => Gated::Silu,
            Activation::GeluTanh => Gated::Gelu,
        };
        let h = g.contiguous()?.apply_op2_no_bwd(&u.contiguous()?, &op)?;
        self.down.forward(&h)
    }
}

/// One decoder layer: pre-norm attention and feed-forward, each with an optional post-norm
/// (Gemma's sandwich), residual connections around both.
pub(crate) struct Block {
    /// Norm before attention.
    pub attn_norm: RmsNorm,
    /// Self-attention.
    pub attn: Attention,
    /// Norm of the attention output (Gemma).
    pub post_attn_norm: Option<RmsNorm>,
    /// Norm before the feed-forward block.
    pub ffn_norm: RmsNorm,
    /// Feed-forward block.
    pub mlp: GatedMlp,
    /// Norm of the feed-forward output (Gemma).
    pub post_ffn_norm: Option<RmsNorm>,
    /// Sliding attention window, if this layer has one.
    pub window: Option<usize>,
    /// Which rotary table this layer uses.
    pub rope: usize,
}

impl Block {
    fn forward(
        &self,
        x: &Tensor,
        start: usize,
        ropes: &[Rope],
        cache: &mut LayerCache,
    ) -> candle_core::Result<Tensor> {
        let h = self.attn_norm.forward(x)?;
        let h = self
            .attn
            .forward(&h, start, &ropes[self.rope], self.window, cache)?;
        let h = match &self.post_attn_norm {
            Some(n) => n.forward(&h)?,
            None => h,
        };
        let x = (x + h)?;
        let h = self.mlp.forward(&self.ffn_norm.forward(&x)?)?;
        let h = match &self.post_ffn_norm {
            Some(n) => n.forward(&h)?,
            None => h,
        };
        x + h
    }
}

/// A whole decoder: embeddings, layers, final norm, output map.
pub(crate) struct Decoder {
    /// Token embeddings, kept quantized; rows are expanded on lookup.
    pub embed: std::sync::Arc<QTensor>,
    /// Factor on the embeddings (Gemma: sqrt(hidden)).
    pub embed_scale: Option<f64>,
    /// Layers.
    pub blocks: Vec<Block>,
    /// Final norm.
    pub norm: RmsNorm,
    /// Output map to vocabulary logits.
    pub output: QMatMul,
    /// Rotary tables, shared by the layers that use them.
    pub ropes: Vec<Rope>,
    /// Soft cap on the logits (tanh(l / c) · c), if the model has one.
    pub logit_softcap: Option<f64>,
}

/// Per-generation state: the KV cache of every layer and the position reached.
pub struct Cache {
    layers: Vec<LayerCache>,
    position: usize,
}

impl Cache {
    /// Positions processed so far.
    pub fn position(&self) -> usize {
        self.position
    }

    /// The first `len` positions (at most those processed), copied into a cache of their own
    /// with room for `capacity` positions: a later prompt that starts with the same tokens
    /// continues from it.
    pub fn copy_prefix(&self, len: usize, capacity: usize) -> Result<Cache> {
        let len = len.min(self.position);
        let layers = self
            .layers
            .iter()
            .map(|l| l.copy_prefix(len, capacity))
            .collect::<candle_core::Result<Vec<_>>>()
            .map_err(compute)?;
        Ok(Cache {
            layers,
            position: len,
        })
    }

    /// Bytes of key and value storage held.
    pub fn bytes(&self) -> usize {
        self.layers.iter().map(LayerCache::bytes).sum()
    }
}

impl Decoder {
    /// An empty cache for this model.
    pub(crate) fn new_cache(&self) -> Cache {
        Cache {
            layers: (0..self.blocks.len())
                .map(|_| LayerCache::default())
                .collect(),
            position: 0,
        }
    }

    /// Longest sequence the rotary tables cover.
    pub(crate) fn max_positions(&self) -> usize {
        self.ropes.iter().map(Rope::len).min().unwrap_or(0)
    }

    /// Runs `tokens` at the cache's position; returns logits [rows, vocab] for the last token
    /// only, or for every token with `all`. `stop` is asked before each layer: when it says
    /// yes, the pass ends with `None` and the cache is left part-written (discard it).
    pub(crate) fn forward(
        &self,
        tokens: &[u32],
        cache: &mut Cache,
        all: bool,
        stop: &dyn Fn() -> bool,
    ) -> candle_core::Result<Option<Tensor>> {
        let t = tokens.len();
        let start = cache.position;
        if start + t > self.max_positions() {
            candle_core::bail!(
                "the sequence would reach {} tokens, over the context of {}",
                start + t,
                self.max_positions()
            );
        }
        let vocab = self.embed.shape().dims().first().copied().unwrap_or(0);
        if let Some(bad) = tokens.iter().find(|&&id| id as usize >= vocab) {
            candle_core::bail!("token id {bad} is outside the vocabulary of {vocab}");
        }
        let device = self.embed.device();
        let ids = Tensor::from_slice(tokens, t, &device)?;
        let mut x = self.embed.embedding(&ids)?;
        if let Some(s) = self.embed_scale {
            x = (x * s)?;
        }
        for (block, layer_cache) in self.blocks.iter().zip(cache.layers.iter_mut()) {
            if stop() {
                return Ok(None);
            }
            x = block.forward(&x, start, &self.ropes, layer_cache)?;
        }
        cache.position += t;
        let x = if all { x } else { x.narrow(0, t - 1, 1)? };
        let x = self.norm.forward(&x)?;
        let logits = self.output.forward(&x)?;
        match self.logit_softcap {
            Some(c) => Ok(Some(((logits / c)?.tanh()? * c)?)),
            None => Ok(Some(logits)),
        }
    }
}
