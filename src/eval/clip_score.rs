//! CLIP-based scores on unit-length embeddings: CLIPScore as Hessel et al. define it and as
//! torchmetrics computes it, and Image-Align (similarity to a set of reference images).

/// Cosine similarity of two unit-length vectors (their dot product).
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum()
}

/// Hessel et al.'s CLIPScore of one image-caption pair: `2.5 * max(cos, 0)` (their w = 2.5; the
/// caption prefix "A photo depicts" is the caller's choice when embedding the text).
pub fn clip_score_hessel(image: &[f32], text: &[f32]) -> f64 {
    2.5 * cosine(image, text).max(0.0)
}

/// torchmetrics' `CLIPScore` over pairs: `max(mean(100 * cos), 0)`, clamped after averaging.
pub fn clip_score_torchmetrics(pairs: &[(&[f32], &[f32])]) -> f64 {
    if pairs.is_empty() {
        return 0.0;
    }
    let mean = pairs.iter().map(|(i, t)| 100.0 * cosine(i, t)).sum::<f64>() / pairs.len() as f64;
    mean.max(0.0)
}

/// Image-Align of an image against reference images.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ImageAlign {
    /// Highest cosine similarity to a reference.
    pub max: f64,
    /// Mean cosine similarity over the references.
    pub mean: f64,
}

/// Image-Align of `image` against `references` (None when there are none).
pub fn image_align(image: &[f32], references: &[&[f32]]) -> Option<ImageAlign> {
    if references.is_empty() {
        return None;
    }
    let sims: Vec<f64> = references.iter().map(|r| cosine(image, r)).collect();
    Some(ImageAlign {
        max: sims.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        mean: sims.iter().sum::<f64>() / sims.len() as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_follow_their_definitions() {
        let (a, b, c) = ([1.0f32, 0.0], [0.6f32, 0.8], [-1.0f32, 0.0]);
        assert!((clip_score_hessel(&a, &b) - 1.5).abs() < 1e-6);
        assert_eq!(clip_score_hessel(&a, &c), 0.0);
        // torchmetrics clamps the mean, not each pair: (60 - 100) / 2 < 0 -> 0; (60 + 100) / 2.
        assert_eq!(clip_score_torchmetrics(&[(&a, &b), (&a, &c)]), 0.0);
        assert!((clip_score_torchmetrics(&[(&a, &b), (&a, &a)]) - 80.0).abs() < 1e-4);
        let ia = image_align(&a, &[&b, &c]).unwrap();
        assert!((ia.max - 0.6).abs() < 1e-6 && (ia.mean + 0.2).abs() < 1e-6);
        assert!(image_align(&a, &[]).is_none());
    }
}
