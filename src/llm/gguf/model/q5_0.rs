//! Q5_0 matrices with libzipp's own kernels. candle multiplies Q5_0 weights with scalar code;
//! re-quantizing them to Q8_0 makes candle fast but reads 55% more bytes per token, and decoding
//! is bound by memory. These kernels read Q5_0 as stored: a matrix-vector product on Q8_0
//! activations (as llama.cpp: same block math, same rounding) and an expansion to f32 for
//! prompts, both AVX2 where the CPU has it.

use candle_core::{CpuStorage, CustomOp1, Layout, Shape};
use half::f16;

/// Values per block.
const QK: usize = 32;
/// Bytes per block: f16 scale, 4 bytes of fifth bits, 16 bytes of nibbles.
const BLOCK_BYTES: usize = 22;

/// A Q5_0 matrix of `rows` x `cols`, blocks row-major as in GGUF.
pub(crate) struct Q5Matrix {
    data: Vec<u8>,
    rows: usize,
    cols: usize,
}

/// One activation row quantized to Q8_0: scales and values.
struct Q8Row {
    d: Vec<f32>,
    q: Vec<i8>,
}

fn quantize_row(x: &[f32]) -> Q8Row {
    let blocks = x.len() / QK;
    let mut d = Vec::with_capacity(blocks);
    let mut q = vec![0i8; x.len()];
    for (b, chunk) in x.chunks_exact(QK).enumerate() {
        let amax = chunk.iter().fold(0f32, |m, v| m.max(v.abs()));
        let scale = amax / 127.0;
        let inv = if amax != 0.0 { 127.0 / amax } else { 0.0 };
        for (o, v) in q[b * QK..(b + 1) * QK].iter_mut().zip(chunk) {
            *o = (v * inv).round_ties_even() as i8;
        }
        // The scale is stored as f16 in llama.cpp's blocks; round it the same way.
        d.push(f16::from_f32(scale).to_f32());
    }
    Q8Row { d, q }
}

impl Q5Matrix {
    /// Wraps GGUF bytes of a `rows` x `cols` Q5_0 tensor.
    pub(crate) fn new(bytes: &[u8], rows: usize, cols: usize) -> Option<Self> {
        (cols % QK == 0 && bytes.len() == rows * cols / QK * BLOCK_BYTES).then(|| Self {
            data: bytes.to_vec(),
            rows,
            cols,
        })
    }

    /// Output size.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Input size.
    pub(crate) fn cols(&self) -> usize {
        self.cols
    }

    fn row_bytes(&self) -> usize {
        self.cols / QK * BLOCK_BYTES
    }

    /// The matrix expanded to f32, row-major.
    pub(crate) fn dequantize(&self) -> Vec<f32> {
        let mut out = vec![0f32; self.rows * self.cols];
        let rb = self.row_bytes();
        let pool = candle_core::utils::barrier_pool();
        let out_addr = out.as_mut_ptr() as usize;
        let avx2 = has_avx2();
        pool.execute_chunked(self.rows, |range| {
            for r in range {
                // SAFETY: each row of `out` is written by exactly one work item.
                let dst = unsafe {
                    std::slice::from_raw_parts_mut(
                        (out_addr as *mut f32).add(r * self.cols),
                        self.cols,
                    )
                };
                let src = &self.data[r * rb..(r + 1) * rb];
                for (b, block) in src.chunks_exact(BLOCK_BYTES).enumerate() {
                    let out = &mut dst[b * QK..(b + 1) * QK];
                    if avx2 {
                        // SAFETY: AVX2 was detected at run time; `out` holds 32 values.
                        unsafe { simd::expand(block, out) }
                    } else {
                        expand_block(block, out);
                    }
                }
            }
        });
        out
    }

    /// out[r] = row r · x, for x quantized to Q8_0 as llama.cpp does.
    fn gemv(&self, x: &Q8Row, out: &mut [f32]) {
        let rb = self.row_bytes();
        let pool = candle_core::utils::barrier_pool();
        let out_addr = out.as_mut_ptr() as usize;
        let avx2 = has_avx2();
        pool.execute_chunked(self.rows, |range| {
            for r in range {
                let row = &self.data[r * rb..(r + 1) * rb];
                let v = if avx2 {
                    // SAFETY: AVX2 and FMA were detected at run time.
                    unsafe { simd::dot(row, x) }
                } else {
                    dot_scalar(row, x)
                };
                // SAFETY: each element is written by exactly one work item.
                unsafe { *(out_addr as *mut f32).add(r) = v };
            }
        });
    }
}

fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The 32 signed 5-bit values of a block, in order.
fn block_values(block: &[u8]) -> [i8; QK] {
    let qh = u32::from_le_bytes([block[2], block[3], block[4], block[5]]);
    let qs = &block[6..22];
    let mut v = [0i8; QK];
    for j in 0..16 {
        let lo = (qs[j] & 0x0F) | ((((qh >> j) & 1) as u8) << 4);
        let hi = (qs[j] >> 4) | ((((qh >> (j + 16)) & 1) as u8) << 4);
        v[j] = lo as i8 - 16;
        v[j + 16] = hi as i8 - 16;
    }
    v
}

fn block_scale(block: &[u8]) -> f32 {
    f16::from_le_bytes([block[0], block[1]]).to_f32()
}

fn expand_block(block: &[u8], out: &mut [f32]) {
    let d = block_scale(block);
    for (o, v) in out.iter_mut().zip(block_values(block)) {
        *o = f32::from(v) * d;
    }
}

fn dot_scalar(row: &[u8], x: &Q8Row) -> f32 {
    let mut sum = 0f32;
    for (b, block) in row.chunks_exact(BLOCK_BYTES).enumerate() {
        let q = &x.q[b * QK..(b + 1) * QK];
        let s: i32 = block_values(block)
            .iter()
            .zip(q)
            .map(|(a, b)| i32::from(*a) * i32::from(*b))
            .sum();
        sum += block_scale(block) * x.d[b] * s as f32;
    }
    sum
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use std::arch::x86_64::*;

    use super::{block_scale, Q8Row, BLOCK_BYTES, QK};

    /// 32 bytes: the 16 low nibbles, then the 16 high nibbles.
    #[target_feature(enable = "avx2")]
    unsafe fn nibbles(p: *const u8) -> __m256i {
        let tmp = _mm_loadu_si128(p as *const __m128i);
        let bytes = _mm256_set_m128i(_mm_srli_epi16(tmp, 4), tmp);
        _mm256_and_si256(_mm256_set1_epi8(0x0F), bytes)
    }

    /// 0xFF where bit i of the 32-bit word is set, per byte i.
    #[target_feature(enable = "avx2")]
    unsafe fn bits(word: u32) -> __m256i {
        let shuffle = _mm256_set_epi64x(
            0x0303_0303_0303_0303,
            0x0202_0202_0202_0202,
            0x0101_0101_0101_0101,
            0,
        );
        let bytes = _mm256_shuffle_epi8(_mm256_set1_epi32(word as i32), shuffle);
        let mask = _mm256_set1_epi64x(0x7fbf_dfef_f7fb_fdfe);
        _mm256_cmpeq_epi8(_mm256_or_si256(bytes, mask), _mm256_set1_epi64x(-1))
    }

    /// The block's 32 signed values as bytes.
    #[target_feature(enable = "avx2")]
    unsafe fn values(block: &[u8]) -> __m256i {
        let qh = u32::from_le_bytes([block[2], block[3], block[4], block[5]]);
        let qx = nibbles(block.as_ptr().add(6));
        // Values without their fifth bit get 0xF0 or'ed in: (v | 0xF0) as i8 == v - 16.
        let high = _mm256_andnot_si256(bits(qh), _mm256_set1_epi8(0xF0u8 as i8));
        _mm256_or_si256(qx, high)
    }

    /// Writes the block's 32 values times its scale to `out` (32 floats).
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn expand(block: &[u8], out: &mut [f32]) {
        let v = values(block);
        let d = _mm256_set1_ps(block_scale(block));
        let lo = _mm256_castsi256_si128(v);
        let hi = _mm256_extracti128_si256(v, 1);
        for (i, half) in [lo, hi].into_iter().enumerate() {
            let a = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(half));
            let b = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(half, 8)));
            let p = out.as_mut_ptr().add(i * 16);
            _mm256_storeu_ps(p, _mm256_mul_ps(a, d));
            _mm256_storeu_ps(p.add(8), _mm256_mul_ps(b, d));
        }
    }

    /// Row · x over all blocks, with llama.cpp's AVX2 arithmetic.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn dot(row: &[u8], x: &Q8Row) -> f32 {
        let mut acc = _mm256_setzero_ps();
        let ones = _mm256_set1_epi16(1);
        for (b, block) in row.chunks_exact(BLOCK_BYTES).enumerate() {
            let qx = values(block);
            let qy = _mm256_loadu_si256(x.q.as_ptr().add(b * QK) as *const __m256i);
            let ax = _mm256_sign_epi8(qx, qx);
            let sy = _mm256_sign_epi8(qy, qx);
            let pairs = _mm256_maddubs_epi16(ax, sy);
            let sums = _mm256_cvtepi32_ps(_mm256_madd_epi16(pairs, ones));
            let d = _mm256_set1_ps(block_scale(block) * x.d[b]);
            acc = _mm256_fmadd_ps(d, sums, acc);
        }
        let hi = _mm256_extractf128_ps(acc, 1);
        let lo = _mm256_castps256_ps128(acc);
        let s = _mm_add_ps(hi, lo);
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_movehdup_ps(s));
        _mm_cvtss_f32(s)
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod simd {
    use super::Q8Row;

    pub(super) unsafe fn dot(row: &[u8], x: &Q8Row) -> f32 {
        super::dot_scalar(row, x)
    }

    pub(super) unsafe fn expand(block: &[u8], out: &mut [f32]) {
        super::expand_block(block, out)
    }
}

impl CustomOp1 for Q5Matrix {
    fn name(&self) -> &'static str {
        "zipp-q5_0-matmul"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let x = crate::cpu_slice::f32_slice(storage, layout, "q5_0 matmul")?;
        let dims = layout.shape().dims();
        let k = *dims.last().unwrap_or(&0);
        if k != self.cols {
            candle_core::bail!(
                "q5_0 matmul: input has {k} columns, the matrix {}",
                self.cols
            );
        }
        let m = x.len() / k;
        let mut out = vec![0f32; m * self.rows];
        for (row, dst) in x.chunks_exact(k).zip(out.chunks_exact_mut(self.rows)) {
            self.gemv(&quantize_row(row), dst);
        }
        let mut shape = dims.to_vec();
        if let Some(last) = shape.last_mut() {
            *last = self.rows;
        }
        Ok((CpuStorage::F32(out), Shape::from(shape)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simd_dot_equals_the_scalar_one() {
        if !has_avx2() {
            return;
        }
        // A 3 x 64 matrix of arbitrary blocks.
        let mut bytes = Vec::new();
        for b in 0..6u32 {
            bytes.extend_from_slice(&f16::from_f32(0.01 + b as f32 * 0.003).to_le_bytes());
            bytes.extend_from_slice(&(0x9E37_79B9u32.wrapping_mul(b + 1)).to_le_bytes());
            bytes.extend((0..16u32).map(|i| ((i * 37 + b * 11) % 256) as u8));
        }
        let m = Q5Matrix::new(&bytes, 3, 64).unwrap();
        let x: Vec<f32> = (0..64).map(|i| ((i as f32) * 0.37).sin()).collect();
        let q = quantize_row(&x);
        let mut fast = vec![0f32; 3];
        m.gemv(&q, &mut fast);
        let rb = m.row_bytes();
        for (r, f) in fast.iter().enumerate() {
            let slow = dot_scalar(&bytes[r * rb..(r + 1) * rb], &q);
            assert!(
                (f - slow).abs() < 1e-4 * slow.abs().max(1.0),
                "{f} vs {slow}"
            );
        }
        // The SIMD expansion equals the scalar one, and agrees with the dot product on a
        // one-hot input.
        let dense = m.dequantize();
        for (b, block) in bytes.chunks_exact(BLOCK_BYTES).enumerate() {
            let mut slow = [0f32; QK];
            expand_block(block, &mut slow);
            assert_eq!(&dense[b * QK..(b + 1) * QK], &slow[..]);
        }
        let mut one_hot = vec![0f32; 64];
        one_hot[5] = 1.0;
        let q = quantize_row(&one_hot);
        let mut col = vec![0f32; 3];
        m.gemv(&q, &mut col);
        // The activation's scale is an f16 of 1/127: within its rounding of the weight.
        for r in 0..3 {
            let w = dense[r * 64 + 5];
            assert!((col[r] - w).abs() <= 1e-3 * w.abs(), "{} vs {w}", col[r]);
        }
    }
}
