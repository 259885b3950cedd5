//! The hold-out split for link prediction: per user, a seeded random share of communities.

use crate::rng::SplitMix;

/// How many of a user's `degree` communities are held out: `round(fraction * degree)`, at least
/// one when the user has two or more, and always leaving one for training.
pub fn held_out_count(degree: usize, fraction: f64) -> usize {
    if degree < 2 || fraction <= 0.0 {
        return 0;
    }
    let n = (fraction * degree as f64).round() as usize;
    n.clamp(1, degree - 1)
}

/// A seed for one user's draw, independent of ingest order.
pub fn name_seed(seed: u64, name: &str) -> u64 {
    crate::rng::str_seed(seed, name)
}

/// Marks `held_out_count(flags.len(), fraction)` of `flags` with 1, chosen by `rng`.
pub fn choose(flags: &mut [u8], fraction: f64, rng: &mut SplitMix) {
    let k = held_out_count(flags.len(), fraction);
    let mut idx: Vec<usize> = (0..flags.len()).collect();
    for i in 0..k {
        let j = i + rng.below((idx.len() - i) as u64) as usize;
        idx.swap(i, j);
        flags[idx[i]] = 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_leave_training_edges() {
        assert_eq!(held_out_count(1, 0.2), 0);
        assert_eq!(held_out_count(2, 0.2), 1);
        assert_eq!(held_out_count(10, 0.2), 2);
        assert_eq!(held_out_count(3, 0.9), 2);
        assert_eq!(held_out_count(10, 0.0), 0);
    }

    #[test]
    fn choice_is_reproducible() {
        let mut a = vec![0u8; 10];
        let mut b = vec![0u8; 10];
        choose(&mut a, 0.3, &mut SplitMix(name_seed(1, "kenji")));
        choose(&mut b, 0.3, &mut SplitMix(name_seed(1, "kenji")));
        assert_eq!(a, b);
        assert_eq!(a.iter().filter(|x| **x == 1).count(), 3);
    }
}
