//! CMMD: the maximum mean discrepancy between two sets of CLIP embeddings under a Gaussian RBF
//! kernel, exactly as google-research's `cmmd/distance.py` computes it (sigma 10, scale 1000, the
//! biased minimum-variance estimator with full means), accumulated in f64.

use crate::error::{Result, ZippError};

/// Kernel bandwidth of the reference implementation.
pub const SIGMA: f64 = 10.0;
/// Scale that makes the number readable, as in the reference.
pub const SCALE: f64 = 1000.0;

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum()
}

/// Mean of `exp(-gamma * (|a_i|^2 + |b_j|^2 - 2 a_i.b_j))` over all pairs, with the squared
/// distance expanded as the reference expands it.
fn mean_kernel(a: &[f32], an: &[f64], b: &[f32], bn: &[f64], dim: usize, gamma: f64) -> f64 {
    let mut total = 0.0f64;
    for (i, ai) in a.chunks_exact(dim).enumerate() {
        let mut row = 0.0f64;
        for (j, bj) in b.chunks_exact(dim).enumerate() {
            row += (-gamma * (-2.0 * dot(ai, bj) + an[i] + bn[j])).exp();
        }
        total += row;
    }
    total / (an.len() as f64 * bn.len() as f64)
}

/// CMMD between `x` and `y`, row-major embeddings of dimension `dim` (`x.len() / dim` rows each).
pub fn cmmd(x: &[f32], y: &[f32], dim: usize) -> Result<f64> {
    if dim == 0 || x.is_empty() || y.is_empty() || x.len() % dim != 0 || y.len() % dim != 0 {
        return Err(ZippError::InvalidOptions {
            field: "embeddings".into(),
            message: format!(
                "need two non-empty sets of {dim}-dimensional rows, got {} and {} values",
                x.len(),
                y.len()
            ),
        });
    }
    if x.iter().chain(y).any(|v| !v.is_finite()) {
        return Err(ZippError::InvalidOptions {
            field: "embeddings".into(),
            message: "contain NaN or infinity".into(),
        });
    }
    let norms = |m: &[f32]| -> Vec<f64> { m.chunks_exact(dim).map(|r| dot(r, r)).collect() };
    let (xn, yn) = (norms(x), norms(y));
    let gamma = 1.0 / (2.0 * SIGMA * SIGMA);
    let k_xx = mean_kernel(x, &xn, x, &xn, dim, gamma);
    let k_yy = mean_kernel(y, &yn, y, &yn, dim, gamma);
    let k_xy = mean_kernel(x, &xn, y, &yn, dim, gamma);
    Ok(SCALE * (k_xx + k_yy - 2.0 * k_xy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_sets_have_zero_distance_and_shapes_are_checked() {
        let x = [0.1f32, 0.2, 0.3, 0.4];
        assert!(cmmd(&x, &x, 2).unwrap().abs() < 1e-12);
        assert!(cmmd(&x, &[1.0, 0.0], 2).unwrap() > 0.0);
        assert!(cmmd(&x, &[1.0], 2).is_err());
        assert!(cmmd(&x, &[f32::NAN, 0.0], 2).is_err());
    }
}
