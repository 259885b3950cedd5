//! GATv2 attention and aggregation fused into one candle operation with its own backward pass.
//!
//! For every target `t` and head `h`: `e_k = att_h . LeakyReLU(xl[src_k] + xr[t])` over the
//! edges `k` into `t`, `alpha = softmax(e)` (shifted by the maximum), optional dropout on `alpha`,
//! and `out[t] = sum_k alpha_k xl[src_k]`. Nothing of size edges x channels is stored: the
//! backward pass recomputes the scores, walks targets for the softmax and `xr` gradients, then
//! sources for the `xl` gradients, so memory is two floats per edge and head. Dropout masks come
//! from a hash of (seed, edge, head), so the backward pass sees the forward pass's mask.

use std::sync::Arc;

use candle_core::{CpuStorage, CustomOp3, Layout, Shape, Tensor};
use rayon::prelude::*;

use super::edges::EdgeIndex;
use crate::cpu_slice::f32_slice;
use crate::rng::mix;

/// Targets whose att gradients one backward task sums before the blocks are added in order.
const TARGETS_PER_BLOCK: usize = 256;

/// The fused attention: inputs `xl` and `xr` of shape (nodes, heads, channels) and `att` of
/// shape (heads, channels); output (nodes, heads, channels).
#[derive(Debug, Clone)]
pub struct GatAttention {
    /// The message-passing edges.
    pub edges: Arc<EdgeIndex>,
    /// LeakyReLU slope for negative inputs.
    pub slope: f32,
    /// Probability of dropping an attention coefficient (0 in evaluation).
    pub dropout: f32,
    /// Seed of the dropout mask.
    pub seed: u64,
}

/// Shapes of one call, checked once.
#[derive(Clone, Copy)]
struct Dims {
    heads: usize,
    channels: usize,
}

impl Dims {
    fn row(&self, node: usize, head: usize) -> std::ops::Range<usize> {
        let a = (node * self.heads + head) * self.channels;
        a..a + self.channels
    }
}

#[inline]
fn leaky(v: f32, slope: f32) -> f32 {
    if v > 0.0 {
        v
    } else {
        slope * v
    }
}

/// `sum_c a[c] * LeakyReLU(l[c] + r[c])` in eight independent lanes (so it vectorizes).
#[inline]
fn score(l: &[f32], r: &[f32], a: &[f32], slope: f32) -> f32 {
    let mut acc = [0f32; 8];
    let n = l.len().min(r.len()).min(a.len());
    let full = n / 8 * 8;
    for ((lc, rc), ac) in l[..full]
        .chunks_exact(8)
        .zip(r[..full].chunks_exact(8))
        .zip(a[..full].chunks_exact(8))
    {
        for i in 0..8 {
            acc[i] += ac[i] * leaky(lc[i] + rc[i], slope);
        }
    }
    let mut e: f32 = acc.iter().sum();
    for i in full..n {
        e += a[i] * leaky(l[i] + r[i], slope);
    }
    e
}

impl GatAttention {
    /// Dropout scale of edge `k` (target order), head `h`: 0 when dropped, `1 / (1 - p)` kept.
    #[inline]
    fn keep(&self, k: usize, h: usize, heads: usize) -> f32 {
        if self.dropout <= 0.0 {
            return 1.0;
        }
        let u = (mix(self.seed, (k * heads + h) as u64) >> 40) as f32 / (1u64 << 24) as f32;
        if u < self.dropout {
            0.0
        } else {
            1.0 / (1.0 - self.dropout)
        }
    }

    /// Softmax coefficients of the edges into `t` for head `h`, written into `alpha`.
    fn coefficients(
        &self,
        d: Dims,
        (xl, xr, att): (&[f32], &[f32], &[f32]),
        t: usize,
        h: usize,
        alpha: &mut Vec<f32>,
    ) {
        alpha.clear();
        let xr_t = &xr[d.row(t, h)];
        let a = &att[h * d.channels..(h + 1) * d.channels];
        let mut max = f32::NEG_INFINITY;
        for k in self.edges.incoming(t) {
            let xl_j = &xl[d.row(self.edges.source(k), h)];
            let e = score(xl_j, xr_t, a, self.slope);
            max = max.max(e);
            alpha.push(e);
        }
        let mut sum = 0.0f32;
        for e in alpha.iter_mut() {
            *e = (*e - max).exp();
            sum += *e;
        }
        for e in alpha.iter_mut() {
            *e /= sum;
        }
    }

    fn dims(&self, l1: &Layout, l2: &Layout, l3: &Layout) -> candle_core::Result<Dims> {
        let (n, heads, channels) = l1.shape().dims3()?;
        if l2.shape().dims3()? != (n, heads, channels)
            || l3.shape().dims2()? != (heads, channels)
            || n != self.edges.nodes()
        {
            candle_core::bail!(
                "gatv2 attention: shapes {:?}, {:?}, {:?} do not fit {} nodes",
                l1.shape(),
                l2.shape(),
                l3.shape(),
                self.edges.nodes()
            );
        }
        Ok(Dims { heads, channels })
    }

    /// Attention coefficients (before dropout) in target order, `edges x heads`.
    pub fn coefficients_all(
        &self,
        xl: &Tensor,
        xr: &Tensor,
        att: &Tensor,
    ) -> candle_core::Result<Vec<f32>> {
        let (_, heads, channels) = xl.dims3()?;
        let d = Dims { heads, channels };
        let (xl, xr, att) = (flat(xl)?, flat(xr)?, flat(att)?);
        let mut out = vec![0f32; self.edges.len() * heads];
        let mut alpha = Vec::new();
        for t in 0..self.edges.nodes() {
            let r = self.edges.incoming(t);
            for h in 0..heads {
                self.coefficients(d, (&xl, &xr, &att), t, h, &mut alpha);
                for (k, a) in r.clone().zip(&alpha) {
                    out[k * heads + h] = *a;
                }
            }
        }
        Ok(out)
    }
}

/// Dot product in eight independent lanes.
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let n = a.len().min(b.len());
    let full = n / 8 * 8;
    for (x, y) in a[..full].chunks_exact(8).zip(b[..full].chunks_exact(8)) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + (full..n).map(|i| a[i] * b[i]).sum::<f32>()
}

fn flat(t: &Tensor) -> candle_core::Result<Vec<f32>> {
    t.flatten_all()?.to_vec1::<f32>()
}

impl CustomOp3 for GatAttention {
    fn name(&self) -> &'static str {
        "zipp-gatv2-attention"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let d = self.dims(l1, l2, l3)?;
        let x = (
            f32_slice(s1, l1, "gatv2 attention")?,
            f32_slice(s2, l2, "gatv2 attention")?,
            f32_slice(s3, l3, "gatv2 attention")?,
        );
        let width = d.heads * d.channels;
        let mut out = vec![0f32; self.edges.nodes() * width];
        out.par_chunks_mut(width)
            .enumerate()
            .for_each_init(Vec::new, |alpha, (t, row)| {
                for h in 0..d.heads {
                    self.coefficients(d, x, t, h, alpha);
                    let o = &mut row[h * d.channels..(h + 1) * d.channels];
                    for (k, a) in self.edges.incoming(t).zip(alpha.iter()) {
                        let w = a * self.keep(k, h, d.heads);
                        if w != 0.0 {
                            for (o, v) in o.iter_mut().zip(&x.0[d.row(self.edges.source(k), h)]) {
                                *o += w * v;
                            }
                        }
                    }
                }
            });
        Ok((CpuStorage::F32(out), l1.shape().clone()))
    }

    fn bwd(
        &self,
        xl: &Tensor,
        xr: &Tensor,
        att: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let (n, heads, channels) = xl.dims3()?;
        let d = Dims { heads, channels };
        let (xl_v, xr_v, att_v, g) = (flat(xl)?, flat(xr)?, flat(att)?, flat(grad)?);
        let x = (&xl_v[..], &xr_v[..], &att_v[..]);
        let width = heads * channels;
        let edges = &self.edges;
        // Pass 1, by target: per-edge effective coefficient and score gradient, xr gradient and
        // partial att gradients.
        let mut weight = vec![0f32; edges.len() * heads];
        let mut dscore = vec![0f32; edges.len() * heads];
        let mut dxr = vec![0f32; n * width];
        let datt = {
            let weight_ptr = SharedMut(weight.as_mut_ptr());
            let dscore_ptr = SharedMut(dscore.as_mut_ptr());
            // Each task sums the att gradient of one fixed block of targets, and the blocks'
            // sums are added in block order: the same floating-point order, so the same result,
            // whatever the thread count or the scheduling.
            let per_target = |(mut datt, mut alpha, mut dalpha): (Vec<f32>, Vec<f32>, Vec<f32>),
                              (t, dxr_t): (usize, &mut [f32])| {
                for h in 0..heads {
                    self.coefficients(d, x, t, h, &mut alpha);
                    let g_t = &g[d.row(t, h)];
                    dalpha.clear();
                    let mut dot_sum = 0.0f32;
                    for (k, a) in edges.incoming(t).zip(&alpha) {
                        let keep = self.keep(k, h, heads);
                        let xl_j = &xl_v[d.row(edges.source(k), h)];
                        let da = keep * dot(g_t, xl_j);
                        dot_sum += a * da;
                        dalpha.push(da);
                    }
                    let xr_t = &xr_v[d.row(t, h)];
                    let a_h = &att_v[h * channels..(h + 1) * channels];
                    let datt_h = &mut datt[h * channels..(h + 1) * channels];
                    let dxr_th = &mut dxr_t[h * channels..(h + 1) * channels];
                    for ((k, a), da) in edges.incoming(t).zip(&alpha).zip(&dalpha) {
                        let ds = a * (da - dot_sum);
                        // SAFETY: each target-order edge k belongs to exactly one
                        // target t, and each t is visited by exactly one task.
                        unsafe {
                            *weight_ptr.at(k * heads + h) = a * self.keep(k, h, heads);
                            *dscore_ptr.at(k * heads + h) = ds;
                        }
                        if ds == 0.0 {
                            continue;
                        }
                        let xl_j = &xl_v[d.row(edges.source(k), h)];
                        let slope = self.slope;
                        for ((((da, dr), l), r), w) in datt_h
                            .iter_mut()
                            .zip(dxr_th.iter_mut())
                            .zip(xl_j)
                            .zip(xr_t)
                            .zip(a_h)
                        {
                            let s = l + r;
                            let df = if s > 0.0 { 1.0 } else { slope };
                            *da += ds * s * df;
                            *dr += ds * w * df;
                        }
                    }
                }
                (datt, alpha, dalpha)
            };
            let blocks: Vec<Vec<f32>> = dxr
                .par_chunks_mut(width * TARGETS_PER_BLOCK)
                .enumerate()
                .map(|(b, block)| {
                    block
                        .chunks_mut(width)
                        .enumerate()
                        .map(|(i, dxr_t)| (b * TARGETS_PER_BLOCK + i, dxr_t))
                        .fold((vec![0f32; width], Vec::new(), Vec::new()), per_target)
                        .0
                })
                .collect();
            blocks.iter().fold(vec![0f32; width], |mut sum, block| {
                sum.iter_mut().zip(block).for_each(|(s, b)| *s += b);
                sum
            })
        };
        // Pass 2, by source: xl gradients from the messages and from the scores.
        let mut dxl = vec![0f32; n * width];
        dxl.par_chunks_mut(width)
            .enumerate()
            .for_each(|(j, dxl_j)| {
                for (t, k) in edges.outgoing(j) {
                    for h in 0..heads {
                        let w = weight[k * heads + h];
                        let ds = dscore[k * heads + h];
                        let g_t = &g[d.row(t, h)];
                        let xl_j = &xl_v[d.row(j, h)];
                        let xr_t = &xr_v[d.row(t, h)];
                        let a_h = &att_v[h * channels..(h + 1) * channels];
                        let o = &mut dxl_j[h * channels..(h + 1) * channels];
                        let slope = self.slope;
                        for ((((o, g), l), r), a) in
                            o.iter_mut().zip(g_t).zip(xl_j).zip(xr_t).zip(a_h)
                        {
                            let df = if l + r > 0.0 { 1.0 } else { slope };
                            *o += w * g + ds * a * df;
                        }
                    }
                }
            });
        let dev = xl.device();
        Ok((
            Some(Tensor::from_vec(dxl, (n, heads, channels), dev)?),
            Some(Tensor::from_vec(dxr, (n, heads, channels), dev)?),
            Some(Tensor::from_vec(datt, (heads, channels), dev)?),
        ))
    }
}

/// A raw pointer that rayon tasks write through at disjoint indices.
#[derive(Clone, Copy)]
struct SharedMut(*mut f32);

// SAFETY: used only for writes to disjoint indices (see the call site).
unsafe impl Send for SharedMut {}
// SAFETY: as above.
unsafe impl Sync for SharedMut {}

impl SharedMut {
    /// # Safety
    /// `i` must be in bounds and written by one task only.
    unsafe fn at(self, i: usize) -> *mut f32 {
        self.0.add(i)
    }
}
