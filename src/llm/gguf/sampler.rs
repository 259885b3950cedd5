//! Choosing the next token from logits: repetition penalty, then greedy or temperature with
//! top-k, top-p and min-p, drawn from a seeded generator (the same seed gives the same text).

use crate::llm::{SamplingParams, REPEAT_LAST_N};
use crate::rng::SplitMix;

/// A sampler with its generator state.
pub struct Sampler {
    settings: SamplingParams,
    rng: SplitMix,
    candidates: Vec<(u32, f32)>,
}

impl Sampler {
    /// A sampler seeded from the settings.
    pub fn new(settings: SamplingParams) -> Self {
        let rng = SplitMix(settings.seed ^ 0x5a49_5050_5341_4d50);
        Self {
            settings,
            rng,
            candidates: Vec::new(),
        }
    }

    /// Picks the next token from `logits` (modified in place by the penalty), given the tokens
    /// so far.
    pub fn sample(&mut self, logits: &mut [f32], history: &[u32]) -> u32 {
        let s = &self.settings;
        if s.repeat_penalty != 1.0 && s.repeat_penalty > 0.0 {
            let from = history.len().saturating_sub(REPEAT_LAST_N);
            let mut seen: Vec<u32> = history[from..].to_vec();
            seen.sort_unstable();
            seen.dedup();
            for id in seen {
                if let Some(l) = logits.get_mut(id as usize) {
                    *l = if *l > 0.0 {
                        *l / s.repeat_penalty
                    } else {
                        *l * s.repeat_penalty
                    };
                }
            }
        }
        if s.temperature <= 0.0 {
            return argmax(logits);
        }
        let c = &mut self.candidates;
        c.clear();
        c.extend(
            logits
                .iter()
                .enumerate()
                .filter(|(_, l)| l.is_finite())
                .map(|(i, &l)| (i as u32, l)),
        );
        if c.is_empty() {
            return 0;
        }
        // Highest logit first; ties by the lower id, so the order never depends on the sort.
        let by_logit = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if s.top_k > 0 && s.top_k < c.len() {
            c.select_nth_unstable_by(s.top_k - 1, by_logit);
            c.truncate(s.top_k);
        }
        c.sort_unstable_by(by_logit);
        let max = c[0].1;
        let mut total = 0.0f64;
        for (_, l) in c.iter_mut() {
            let p = (f64::from(*l - max) / f64::from(s.temperature)).exp();
            *l = p as f32;
            total += p;
        }
        for (_, p) in c.iter_mut() {
            *p = (f64::from(*p) / total) as f32;
        }
        if s.top_p < 1.0 {
            let mut mass = 0.0f32;
            let mut keep = c.len();
            for (i, (_, p)) in c.iter().enumerate() {
                mass += p;
                if mass >= s.top_p {
                    keep = i + 1;
                    break;
                }
            }
            c.truncate(keep.max(1));
        }
        if s.min_p > 0.0 {
            let floor = c[0].1 * s.min_p;
            let keep = c.iter().take_while(|(_, p)| *p >= floor).count();
            c.truncate(keep.max(1));
        }
        let total: f64 = c.iter().map(|(_, p)| f64::from(*p)).sum();
        let mut draw = self.rng.unit() * total;
        for (id, p) in c.iter() {
            draw -= f64::from(*p);
            if draw <= 0.0 {
                return *id;
            }
        }
        c[c.len() - 1].0
    }
}

/// The index of the largest value (the first on ties).
pub fn argmax(values: &[f32]) -> u32 {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(temperature: f32, seed: u64) -> SamplingParams {
        SamplingParams {
            temperature,
            seed,
            ..SamplingParams::greedy()
        }
    }

    #[test]
    fn greedy_takes_the_largest_logit() {
        let mut s = Sampler::new(settings(0.0, 1));
        assert_eq!(s.sample(&mut [0.1, 3.0, 2.9], &[]), 1);
    }

    #[test]
    fn the_penalty_can_change_the_greedy_choice() {
        let mut s = Sampler::new(SamplingParams {
            repeat_penalty: 1.5,
            ..settings(0.0, 1)
        });
        assert_eq!(s.sample(&mut [0.1, 3.0, 2.9], &[1]), 2);
    }

    #[test]
    fn the_same_seed_draws_the_same_sequence_and_others_differ() {
        let logits: Vec<f32> = (0..50).map(|i| (i as f32 * 0.37).sin()).collect();
        let draw = |seed| {
            let mut s = Sampler::new(SamplingParams {
                top_k: 0,
                top_p: 1.0,
                min_p: 0.0,
                ..settings(1.0, seed)
            });
            (0..40)
                .map(|_| s.sample(&mut logits.clone(), &[]))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn top_k_one_is_greedy_whatever_the_temperature() {
        let mut s = Sampler::new(SamplingParams {
            top_k: 1,
            ..settings(5.0, 3)
        });
        for _ in 0..20 {
            assert_eq!(s.sample(&mut [0.0, 1.0, 0.5], &[]), 1);
        }
    }

    #[test]
    fn min_p_drops_unlikely_tokens() {
        let mut s = Sampler::new(SamplingParams {
            top_k: 0,
            top_p: 1.0,
            min_p: 0.5,
            ..settings(1.0, 9)
        });
        // exp(-3) is far below half of exp(0): only the first two tokens can be drawn.
        for _ in 0..200 {
            assert!(s.sample(&mut [0.0, -0.1, -3.0, -3.0], &[]) < 2);
        }
    }
}
