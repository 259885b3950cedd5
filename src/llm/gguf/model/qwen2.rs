//! Qwen 2 and 2.5: Llama's layout with biases on the query, key and value maps, rotated in halves.

use super::layers::{Activation, Decoder, Loader, RopeStyle};
use super::{assemble, rope_table, standard_block, HParams, LayerSpec};
use crate::error::Result;

/// Loads a `qwen2` model.
pub(super) fn load(l: &Loader<'_>, hp: &HParams, context: usize) -> Result<Decoder> {
    let spec = LayerSpec {
        rope_style: RopeStyle::Halves,
        act: Activation::Silu,
        scale: None,
    };
    let blocks = (0..hp.layers)
        .map(|i| standard_block(l, hp, &spec, i))
        .collect::<Result<Vec<_>>>()?;
    let rope = rope_table(l, hp, spec.rope_style, hp.rope_base, None, context)?;
    assemble(l, hp, blocks, vec![rope], None)
}
