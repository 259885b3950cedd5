//! The f32 values of a contiguous CPU tensor, for libzipp's own candle operations.

use candle_core::{CpuStorage, Layout};

/// The values `storage` holds under `layout`, or an error naming `op` when they are not f32 or
/// not contiguous.
pub(crate) fn f32_slice<'a>(
    storage: &'a CpuStorage,
    layout: &Layout,
    op: &str,
) -> candle_core::Result<&'a [f32]> {
    let CpuStorage::F32(v) = storage else {
        candle_core::bail!("{op} expects f32 tensors");
    };
    match layout.contiguous_offsets() {
        Some((a, b)) => Ok(&v[a..b]),
        None => candle_core::bail!("{op} expects contiguous tensors"),
    }
}
