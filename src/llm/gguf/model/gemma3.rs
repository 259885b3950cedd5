//! Gemma 3: embeddings scaled by sqrt(hidden); per-head query and key norms; a norm after
//! attention and after the feed-forward block as well as before; GELU (tanh); five sliding-window
//! layers (rotary base 10,000) to every global one (the file's base); output tied to the
//! embeddings.

use super::layers::{Activation, Decoder, Loader, RopeStyle};
use super::{assemble, rope_table, standard_block, HParams, LayerSpec};
use crate::error::Result;

/// Every sixth layer attends globally; the others use the sliding window.
const PATTERN: usize = 6;

/// Loads a `gemma3` model.
pub(super) fn load(l: &Loader<'_>, hp: &HParams, context: usize) -> Result<Decoder> {
    let window = l
        .file
        .opt_uint("gemma3.attention.sliding_window")?
        .map(|w| w as usize)
        .filter(|w| *w > 0);
    let spec = LayerSpec {
        rope_style: RopeStyle::Halves,
        act: Activation::GeluTanh,
        // llama.cpp scales queries by 1/sqrt(key_length) for every size but the 27B model.
        scale: if hp.layers == 62 {
            Some(1.0 / ((hp.hidden / hp.heads) as f64).sqrt())
        } else {
            None
        },
    };
    let local_base = l
        .file
        .opt_float("gemma3.rope.freq_base_swa")?
        .unwrap_or(10_000.0);
    let mut blocks = Vec::with_capacity(hp.layers);
    for i in 0..hp.layers {
        let mut block = standard_block(l, hp, &spec, i)?;
        block.post_attn_norm = Some(l.norm(&format!("blk.{i}.post_attention_norm"), hp.eps)?);
        block.post_ffn_norm = Some(l.norm(&format!("blk.{i}.post_ffw_norm"), hp.eps)?);
        let sliding = i % PATTERN < PATTERN - 1;
        if sliding {
            block.window = window;
            block.rope = 1;
        }
        blocks.push(block);
    }
    let global = rope_table(l, hp, spec.rope_style, hp.rope_base, None, context)?;
    // Sliding layers rotate with the local base and no position scaling.
    let local_hp = HParams {
        rope_position_scale: 1.0,
        ..hp.clone()
    };
    let local = rope_table(l, &local_hp, spec.rope_style, local_base, None, context)?;
    let scale = (hp.hidden as f64).sqrt();
    assemble(l, hp, blocks, vec![global, local], Some(scale))
}
