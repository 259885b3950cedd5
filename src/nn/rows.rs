//! Row-wise helpers for embeddings held as flat `n x d` vectors.

/// Scales each row of `x` (`n x d`) to unit length (zero rows stay zero).
pub(crate) fn normalize_rows(mut v: Vec<f32>, d: usize) -> Vec<Vec<f32>> {
    v.chunks_mut(d.max(1))
        .map(|r| {
            let n = r.iter().map(|x| x * x).sum::<f32>().sqrt();
            if n > 0.0 {
                r.iter_mut().for_each(|x| *x /= n);
            }
            r.to_vec()
        })
        .collect()
}
