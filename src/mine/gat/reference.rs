//! GATv2 attention from plain candle tensor operations (gathers, index-add), differentiable by
//! candle's autograd on any device. The fused CPU operation in [`super::attention`] is checked
//! against it; devices without the fused kernel use it.

use candle_core::{DType, Device, Tensor};

use super::edges::EdgeIndex;
use crate::rng::mix;

/// `out[t] = sum_k softmax_k(att . LeakyReLU(xl[src_k] + xr[t])) * keep_k * xl[src_k]` with
/// the same dropout mask as the fused operation (`dropout` 0 means none).
pub fn attention(
    xl: &Tensor,
    xr: &Tensor,
    att: &Tensor,
    edges: &EdgeIndex,
    slope: f64,
    dropout: (f32, u64),
) -> candle_core::Result<Tensor> {
    let (n, heads, channels) = xl.dims3()?;
    let dev = xl.device();
    let src = Tensor::from_vec(edges.sources().to_vec(), edges.len(), dev)?;
    let targets = edges.targets();
    let dst = Tensor::from_vec(targets.clone(), edges.len(), dev)?;
    let xj = xl.index_select(&src, 0)?;
    let s = xj.broadcast_add(&xr.index_select(&dst, 0)?)?;
    let f = s.maximum(&(&s * slope)?)?;
    let e = f.broadcast_mul(&att.unsqueeze(0)?)?.sum(2)?;
    let max = segment_max(&e, &targets, n, heads)?;
    let w = (e - max.index_select(&dst, 0)?)?.exp()?;
    let den = Tensor::zeros((n, heads), DType::F32, dev)?.index_add(&dst, &w, 0)?;
    let mut alpha = (w / den.index_select(&dst, 0)?)?;
    if dropout.0 > 0.0 {
        alpha = (alpha * keep_mask(edges.len(), heads, dropout, dev)?)?;
    }
    let msg = xj.broadcast_mul(&alpha.unsqueeze(2)?)?;
    Tensor::zeros((n, heads, channels), DType::F32, dev)?.index_add(&dst, &msg, 0)
}

/// Per-target maximum of the scores, as a constant (the softmax does not depend on it).
fn segment_max(e: &Tensor, targets: &[u32], n: usize, heads: usize) -> candle_core::Result<Tensor> {
    let v = e
        .detach()
        .to_device(&Device::Cpu)?
        .flatten_all()?
        .to_vec1::<f32>()?;
    let mut max = vec![f32::NEG_INFINITY; n * heads];
    for (k, t) in targets.iter().enumerate() {
        for h in 0..heads {
            let m = &mut max[*t as usize * heads + h];
            *m = m.max(v[k * heads + h]);
        }
    }
    max.iter_mut()
        .filter(|m| m.is_infinite())
        .for_each(|m| *m = 0.0);
    Tensor::from_vec(max, (n, heads), e.device())
}

/// The dropout scale of each (edge, head), as in the fused operation.
fn keep_mask(
    edges: usize,
    heads: usize,
    (p, seed): (f32, u64),
    dev: &Device,
) -> candle_core::Result<Tensor> {
    let v: Vec<f32> = (0..edges * heads)
        .map(|i| {
            let u = (mix(seed, i as u64) >> 40) as f32 / (1u64 << 24) as f32;
            if u < p {
                0.0
            } else {
                1.0 / (1.0 - p)
            }
        })
        .collect();
    Tensor::from_vec(v, (edges, heads), dev)
}
