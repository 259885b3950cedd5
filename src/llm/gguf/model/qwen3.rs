//! Qwen 3: no biases, RMS norms on each query and key head before rotation, rotated in halves.

use super::layers::{Activation, Decoder, Loader, RopeStyle};
use super::{assemble, rope_table, standard_block, HParams, LayerSpec};
use crate::error::Result;

/// Loads a `qwen3` model.
pub(super) fn load(l: &Loader<'_>, hp: &HParams, context: usize) -> Result<Decoder> {
    let spec = LayerSpec {
        rope_style: RopeStyle::Halves,
        act: Activation::Silu,
        scale: None,
    };
    let mut blocks = Vec::with_capacity(hp.layers);
    for i in 0..hp.layers {
        let block = standard_block(l, hp, &spec, i)?;
        if block.attn.q_norm.is_none() || block.attn.k_norm.is_none() {
            return Err(l.file.error(format!(
                "qwen3 layer {i} lacks `attn_q_norm` or `attn_k_norm`"
            )));
        }
        blocks.push(block);
    }
    let rope = rope_table(l, hp, spec.rope_style, hp.rope_base, None, context)?;
    assemble(l, hp, blocks, vec![rope], None)
}
