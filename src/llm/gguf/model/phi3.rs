//! Phi-3: one fused query-key-value matrix (rows Q | K | V) and one fused gate-up matrix (rows
//! gate | up), split at load; SiLU; rotation in halves, with the short `rope_factors` when the
//! file has them. llama.cpp runs Phi-3 without its sliding window, and so does libzipp.

use super::layers::{Activation, Attention, Block, Decoder, GatedMlp, Loader, RopeStyle};
use super::{assemble, rope_table, split_rows, HParams};
use crate::error::Result;

/// Loads a `phi3` model.
pub(super) fn load(l: &Loader<'_>, hp: &HParams, context: usize) -> Result<Decoder> {
    let ff = l.file.uint("phi3.feed_forward_length")? as usize;
    let q_rows = hp.heads * hp.head_dim;
    let kv_rows = hp.kv_heads * hp.head_dim;
    let mut blocks = Vec::with_capacity(hp.layers);
    for i in 0..hp.layers {
        let p = |name: &str| format!("blk.{i}.{name}");
        let mut qkv =
            split_rows(l, &p("attn_qkv.weight"), &[q_rows, kv_rows, kv_rows])?.into_iter();
        let mut gate_up = split_rows(l, &p("ffn_up.weight"), &[ff, ff])?.into_iter();
        let (Some(q), Some(k), Some(v), Some(gate), Some(up)) = (
            qkv.next(),
            qkv.next(),
            qkv.next(),
            gate_up.next(),
            gate_up.next(),
        ) else {
            return Err(l.file.error("fused phi3 tensors did not split"));
        };
        blocks.push(Block {
            attn_norm: l.norm(&p("attn_norm"), hp.eps)?,
            attn: Attention {
                q,
                k,
                v,
                o: l.linear(&p("attn_output"))?,
                q_norm: None,
                k_norm: None,
                heads: hp.heads,
                kv_heads: hp.kv_heads,
                head_dim: hp.head_dim,
                scale: 1.0 / (hp.head_dim as f64).sqrt(),
            },
            post_attn_norm: None,
            ffn_norm: l.norm(&p("ffn_norm"), hp.eps)?,
            mlp: GatedMlp {
                gate,
                up,
                down: l.linear(&p("ffn_down"))?,
                act: Activation::Silu,
            },
            post_ffn_norm: None,
            window: None,
            rope: 0,
        });
    }
    let rope = rope_table(
        l,
        hp,
        RopeStyle::Halves,
        hp.rope_base,
        Some("rope_factors_short.weight"),
        context,
    )?;
    assemble(l, hp, blocks, vec![rope], None)
}
