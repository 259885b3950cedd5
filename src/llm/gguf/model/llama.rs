//! Llama 2 and 3 and Mistral-style models: pre-norm, SiLU-gated feed-forward, adjacent-pair
//! rotation (GGUF stores Llama's query and key maps permuted for it), optional `rope_freqs`
//! factors (Llama 3.1 long-context scaling).

use super::layers::{Activation, Decoder, Loader, RopeStyle};
use super::{assemble, rope_table, standard_block, HParams, LayerSpec};
use crate::error::Result;

/// Loads a `llama` model.
pub(super) fn load(l: &Loader<'_>, hp: &HParams, context: usize) -> Result<Decoder> {
    let spec = LayerSpec {
        rope_style: RopeStyle::Interleaved,
        act: Activation::Silu,
        scale: None,
    };
    let blocks = (0..hp.layers)
        .map(|i| standard_block(l, hp, &spec, i))
        .collect::<Result<Vec<_>>>()?;
    let rope = rope_table(
        l,
        hp,
        spec.rope_style,
        hp.rope_base,
        Some("rope_freqs.weight"),
        context,
    )?;
    assemble(l, hp, blocks, vec![rope], None)
}
