//! Link-prediction figures: held-out posting accuracy and ROC AUC.

use super::data::TrainGraph;
use crate::rng::{mix, SplitMix};

/// Seed of the negatives of the test figures for a training seed (shared by every encoder of
/// an ablation, so they are scored on the same pairs).
pub fn test_seed(seed: u64) -> u64 {
    mix(seed, 0x7e57)
}

/// Held-out figures of one scorer.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LinkMetrics {
    /// Share of held-out (user, community) pairs scored above a sampled community the user
    /// never joined (ties count half).
    pub posting_accuracy: f64,
    /// Area under the ROC curve of held-out pairs against those negatives.
    pub auc: f64,
    /// Held-out pairs evaluated.
    pub pairs: usize,
}

/// Scores `pairs` and one fixed negative per pair (drawn with `seed`) with `score`.
pub fn evaluate(
    graph: &TrainGraph,
    pairs: &[(u32, u32)],
    seed: u64,
    score: impl Fn(&[(u32, u32)]) -> Vec<f32>,
) -> LinkMetrics {
    if pairs.is_empty() {
        return LinkMetrics::default();
    }
    let mut rng = SplitMix(seed);
    let negatives: Vec<(u32, u32)> = pairs
        .iter()
        .map(|(u, _)| (*u, graph.negative(*u, || rng.next_u64())))
        .collect();
    let pos = score(pairs);
    let neg = score(&negatives);
    let wins: f64 = pos
        .iter()
        .zip(&neg)
        .map(|(p, n)| match p.partial_cmp(n) {
            Some(std::cmp::Ordering::Greater) => 1.0,
            Some(std::cmp::Ordering::Equal) => 0.5,
            _ => 0.0,
        })
        .sum();
    LinkMetrics {
        posting_accuracy: wins / pairs.len() as f64,
        auc: auc(&pos, &neg),
        pairs: pairs.len(),
    }
}

/// Mann-Whitney AUC with average ranks for ties.
pub fn auc(pos: &[f32], neg: &[f32]) -> f64 {
    let mut all: Vec<(f32, bool)> = pos
        .iter()
        .map(|s| (*s, true))
        .chain(neg.iter().map(|s| (*s, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank_sum = 0.0f64;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j + 1 < all.len() && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += rank * all[i..=j].iter().filter(|x| x.1).count() as f64;
        i = j + 1;
    }
    let (p, n) = (pos.len() as f64, neg.len() as f64);
    if p == 0.0 || n == 0.0 {
        return 0.5;
    }
    (rank_sum - p * (p + 1.0) / 2.0) / (p * n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_half() {
        assert_eq!(auc(&[3.0, 4.0], &[1.0, 2.0]), 1.0);
        assert_eq!(auc(&[1.0], &[2.0]), 0.0);
        assert_eq!(auc(&[1.0], &[1.0]), 0.5);
        assert!((auc(&[2.0, 0.5], &[1.0, 3.0]) - 0.25).abs() < 1e-12);
    }
}
