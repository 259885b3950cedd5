//! Decoder-only language models from GGUF files: one file per architecture, all built from the
//! shared pieces in `layers`.

mod gated;
mod gemma3;
pub(crate) mod layers;
mod llama;
mod phi3;
mod q5_0;
mod qwen2;
mod qwen3;

use candle_core::Device;

use super::file::GgufFile;
use crate::error::{Result, ZippError};
pub use layers::Cache;
use layers::{Activation, Attention, Block, Decoder, GatedMlp, Linear, Loader, Rope, RopeStyle};

/// The `general.architecture` values this build runs.
pub const ARCHITECTURES: [&str; 5] = ["qwen2", "qwen3", "llama", "gemma3", "phi3"];

/// Hyperparameters read from `{arch}.*` metadata.
#[derive(Debug, Clone)]
pub(crate) struct HParams {
    /// The architecture name.
    pub arch: String,
    /// Layers.
    pub layers: usize,
    /// Hidden size.
    pub hidden: usize,
    /// Query heads.
    pub heads: usize,
    /// Key-value heads.
    pub kv_heads: usize,
    /// Dimension of each head.
    pub head_dim: usize,
    /// Rotated dimensions of each head.
    pub rope_dims: usize,
    /// Epsilon of the RMS norms.
    pub eps: f64,
    /// Base of the rotary frequencies.
    pub rope_base: f64,
    /// Factor on positions (1 / linear scaling factor).
    pub rope_position_scale: f64,
    /// Context length the model was trained with.
    pub train_context: usize,
}

impl HParams {
    fn read(file: &GgufFile, arch: &str) -> Result<Self> {
        let key = |k: &str| format!("{arch}.{k}");
        let hidden = file.uint(&key("embedding_length"))? as usize;
        let heads = file.uint(&key("attention.head_count"))? as usize;
        let kv_heads = file
            .opt_uint(&key("attention.head_count_kv"))?
            .map_or(heads, |v| v as usize);
        if heads == 0 || kv_heads == 0 || heads % kv_heads != 0 {
            return Err(file.error(format!(
                "{heads} query heads cannot share {kv_heads} key-value heads"
            )));
        }
        let head_dim = file
            .opt_uint(&key("attention.key_length"))?
            .map_or(hidden / heads, |v| v as usize);
        let rope_dims = file
            .opt_uint(&key("rope.dimension_count"))?
            .map_or(head_dim, |v| v as usize);
        if head_dim == 0 || rope_dims > head_dim || rope_dims % 2 != 0 {
            return Err(file.error(format!(
                "head size {head_dim} with {rope_dims} rotated dimensions is not usable"
            )));
        }
        let scaling = file.opt_string(&key("rope.scaling.type")).unwrap_or("none");
        let factor = file.opt_float(&key("rope.scaling.factor"))?.unwrap_or(1.0);
        let rope_position_scale = match scaling {
            "linear" if factor > 0.0 => 1.0 / factor,
            // Llama 3 scaling comes as a `rope_freqs` tensor; YaRN is not supported.
            "none" | "linear" | "llama3" => 1.0,
            other => {
                return Err(file.error(format!(
                    "rope scaling `{other}` is not supported (supported: none, linear)"
                )))
            }
        };
        let layers = file.uint(&key("block_count"))? as usize;
        // Sizes far beyond any released model mean a corrupt header; refuse them before they
        // become allocations.
        for (what, value, limit) in [
            ("block_count", layers, 1024),
            ("embedding_length", hidden, 1 << 17),
            ("attention.head_count", heads, 4096),
            ("attention.key_length", head_dim, 1 << 14),
        ] {
            if value == 0 || value > limit {
                return Err(file.error(format!("`{arch}.{what}` = {value} is outside 1..={limit}")));
            }
        }
        Ok(Self {
            arch: arch.to_string(),
            layers,
            hidden,
            heads,
            kv_heads,
            head_dim,
            rope_dims,
            eps: file
                .opt_float(&key("attention.layer_norm_rms_epsilon"))?
                .unwrap_or(1e-6),
            rope_base: file.opt_float(&key("rope.freq_base"))?.unwrap_or(10_000.0),
            rope_position_scale,
            train_context: file
                .opt_uint(&key("context_length"))?
                .map_or(4096, |v| v as usize),
        })
    }
}

/// Per-architecture choices for a standard pre-norm decoder layer.
pub(crate) struct LayerSpec {
    /// Rotation style.
    pub rope_style: RopeStyle,
    /// Feed-forward non-linearity.
    pub act: Activation,
    /// Query scale (default 1/sqrt(head_dim)).
    pub scale: Option<f64>,
}

/// Loads the standard attention and feed-forward maps of layer `i`
/// (`blk.i.attn_q`, `attn_k`, `attn_v`, `attn_output`, `ffn_gate`, `ffn_up`, `ffn_down`, with
/// biases and q/k norms where the file has them).
pub(crate) fn standard_block(
    l: &Loader<'_>,
    hp: &HParams,
    spec: &LayerSpec,
    i: usize,
) -> Result<Block> {
    let p = |name: &str| format!("blk.{i}.{name}");
    let attn = Attention {
        q: l.linear(&p("attn_q"))?,
        k: l.linear(&p("attn_k"))?,
        v: l.linear(&p("attn_v"))?,
        o: l.linear(&p("attn_output"))?,
        q_norm: l.opt_norm(&p("attn_q_norm"), hp.eps)?,
        k_norm: l.opt_norm(&p("attn_k_norm"), hp.eps)?,
        heads: hp.heads,
        kv_heads: hp.kv_heads,
        head_dim: hp.head_dim,
        scale: spec.scale.unwrap_or(1.0 / (hp.head_dim as f64).sqrt()),
    };
    let mlp = GatedMlp {
        gate: l.linear(&p("ffn_gate"))?,
        up: l.linear(&p("ffn_up"))?,
        down: l.linear(&p("ffn_down"))?,
        act: spec.act,
    };
    Ok(Block {
        attn_norm: l.norm(&p("attn_norm"), hp.eps)?,
        attn,
        post_attn_norm: None,
        ffn_norm: l.norm(&p("ffn_norm"), hp.eps)?,
        mlp,
        post_ffn_norm: None,
        window: None,
        rope: 0,
    })
}

/// Embeddings, final norm and output map (tied to the embeddings when `output.weight` is
/// absent), around the given layers and rotary tables.
pub(crate) fn assemble(
    l: &Loader<'_>,
    hp: &HParams,
    blocks: Vec<Block>,
    ropes: Vec<Rope>,
    embed_scale: Option<f64>,
) -> Result<Decoder> {
    let embed = std::sync::Arc::new(l.qtensor("token_embd.weight")?);
    l.release("token_embd.weight");
    let output = if l.file.has_tensor("output.weight") {
        l.matrix("output.weight")?
    } else {
        candle_core::quantized::QMatMul::from_arc(embed.clone())
            .map_err(|e| l.file.error(format!("tied output: {e}")))?
    };
    let logit_softcap = l
        .file
        .opt_float(&format!("{}.final_logit_softcapping", hp.arch))?
        .filter(|c| *c > 0.0);
    Ok(Decoder {
        embed,
        embed_scale,
        blocks,
        norm: l.norm("output_norm", hp.eps)?,
        output,
        ropes,
        logit_softcap,
    })
}

/// One rotary table for the whole model at `base`.
pub(crate) fn rope_table(
    l: &Loader<'_>,
    hp: &HParams,
    style: RopeStyle,
    base: f64,
    factors_tensor: Option<&str>,
    positions: usize,
) -> Result<Rope> {
    let factors: Option<Vec<f32>> = match factors_tensor {
        Some(name) => l
            .opt_dense(name)?
            .map(|t| t.flatten_all().and_then(|t| t.to_vec1::<f32>()))
            .transpose()
            .map_err(|e| l.file.error(format!("tensor `{name}`: {e}")))?,
        None => None,
    };
    Rope::new(
        style,
        hp.rope_dims,
        base,
        hp.rope_position_scale,
        factors.as_deref(),
        positions,
        l.device,
    )
    .map_err(layers::compute)
}

/// A loaded model of any supported architecture.
pub struct Model {
    decoder: Decoder,
    arch: String,
    context: usize,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("arch", &self.arch)
            .field("layers", &self.decoder.blocks.len())
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

impl Model {
    /// Loads the model in `file` for sequences of up to `context` tokens.
    pub fn load(file: &GgufFile, device: &Device, context: usize) -> Result<Self> {
        let arch = file.string("general.architecture")?.to_string();
        if !ARCHITECTURES.contains(&arch.as_str()) {
            return Err(file.error(format!(
                "architecture `{arch}` is not supported (supported: {})",
                ARCHITECTURES.join(", ")
            )));
        }
        let hp = HParams::read(file, &arch)?;
        if context > 1 << 20 {
            return Err(ZippError::InvalidConfig {
                field: "context_length".into(),
                message: format!("{context} tokens is over the limit of {}", 1 << 20),
            });
        }
        let context = context.max(16);
        let l = Loader { file, device };
        let decoder = match arch.as_str() {
            "qwen2" => qwen2::load(&l, &hp, context)?,
            "qwen3" => qwen3::load(&l, &hp, context)?,
            "llama" => llama::load(&l, &hp, context)?,
            "gemma3" => gemma3::load(&l, &hp, context)?,
            _ => phi3::load(&l, &hp, context)?,
        };
        if context > hp.train_context {
            log::warn!(
                "context {context} is longer than the {} tokens {arch} was trained with",
                hp.train_context
            );
        }
        if decoder.blocks.len() != hp.layers {
            return Err(file.error("the layer count does not match `block_count`"));
        }
        Ok(Self {
            decoder,
            arch,
            context,
        })
    }

    /// The architecture name (`general.architecture`).
    pub fn arch(&self) -> &str {
        &self.arch
    }

    /// Longest sequence (prompt and generation) this instance accepts.
    pub fn context(&self) -> usize {
        self.context
    }

    /// A fresh KV cache.
    pub fn new_cache(&self) -> Cache {
        self.decoder.new_cache()
    }

    /// Logits (one row per token with `all`, else the last token's row) after feeding `tokens`.
    pub fn forward(&self, tokens: &[u32], cache: &mut Cache, all: bool) -> Result<Vec<Vec<f32>>> {
        self.forward_until(tokens, cache, all, &|| false)
    }

    /// [`Model::forward`] that asks `stop` before each layer and ends with
    /// [`ZippError::Cancelled`] as soon as it says yes, so a cancel during a long prompt takes
    /// effect within one layer; the cache is then part-written and must be discarded.
    pub fn forward_until(
        &self,
        tokens: &[u32],
        cache: &mut Cache,
        all: bool,
        stop: &dyn Fn() -> bool,
    ) -> Result<Vec<Vec<f32>>> {
        if tokens.is_empty() {
            return Ok(Vec::new());
        }
        match self
            .decoder
            .forward(tokens, cache, all, stop)
            .map_err(layers::compute)?
        {
            Some(t) => t.to_vec2::<f32>().map_err(layers::compute),
            None => Err(ZippError::Cancelled),
        }
    }
}

/// Splits a fused matrix's rows into consecutive maps of the given sizes.
pub(crate) fn split_rows(l: &Loader<'_>, name: &str, sizes: &[usize]) -> Result<Vec<Linear>> {
    let mut from = 0;
    let mut out = Vec::with_capacity(sizes.len());
    for &rows in sizes {
        out.push(l.linear_rows(name, from, rows)?);
        from += rows;
    }
    Ok(out)
}
