//! Iterative proportional fitting (raking): per-sample weights that make the sample's
//! categorical margins (age, gender, country, language, profession, ...) match target
//! proportions, as the paper re-weights demographic aggregates to UN population margins.
//!
//! The fixed point is the one the `ipfn` package reaches on the cross-tabulated sample: each
//! sample's weight is its cell's fitted count divided by the cell's sample count.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{Result, ZippError};

/// One margin: a variable's target share per category.
#[derive(Debug, Clone, PartialEq)]
pub struct Margin {
    /// The variable ("age_band", "country", ...).
    pub name: String,
    /// Target per category; any positive scale (shares or counts), normalized to the sample size.
    pub targets: BTreeMap<String, f64>,
}

/// Convergence settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RakeOptions {
    /// Stop when every margin is within this relative error of its target (default 1e-10).
    pub tolerance: f64,
    /// Give up after this many sweeps over all margins (default 1,000).
    pub max_iterations: usize,
}

impl Default for RakeOptions {
    fn default() -> Self {
        Self {
            tolerance: 1e-10,
            max_iterations: 1000,
        }
    }
}

/// Raking weights and how the fit went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Raked {
    /// One weight per sample; they sum to the number of samples.
    pub weights: Vec<f64>,
    /// Sweeps made.
    pub iterations: usize,
    /// Largest relative margin error at the end.
    pub max_error: f64,
}

fn bad(message: String) -> ZippError {
    ZippError::InvalidOptions {
        field: "ipf".into(),
        message,
    }
}

/// Rakes `samples` (one category label per margin for each sample, in `margins` order) to the
/// margins' targets.
///
/// Errors, with the margin and category named: a sample whose category has no target, a target
/// category with no samples (it cannot be reached), a zero or negative target for a category that
/// has samples (those samples would vanish: drop them instead), no convergence.
pub fn rake(samples: &[Vec<&str>], margins: &[Margin], options: RakeOptions) -> Result<Raked> {
    let n = samples.len();
    if n == 0 {
        return Err(bad("no samples".into()));
    }
    // Category index of each sample on each margin, and normalized targets.
    let mut index: Vec<Vec<usize>> = vec![Vec::with_capacity(margins.len()); n];
    let mut targets: Vec<Vec<f64>> = Vec::with_capacity(margins.len());
    for (m, margin) in margins.iter().enumerate() {
        let cats: Vec<&String> = margin.targets.keys().collect();
        let total: f64 = margin.targets.values().sum();
        if !(total.is_finite() && total > 0.0) {
            return Err(bad(format!(
                "margin {}: targets must be finite and sum to more than 0",
                margin.name
            )));
        }
        let mut present = vec![0usize; cats.len()];
        for (s, sample) in samples.iter().enumerate() {
            let label = sample.get(m).ok_or_else(|| {
                bad(format!(
                    "sample {s} has no label for margin {}",
                    margin.name
                ))
            })?;
            let c = cats
                .binary_search_by(|k| k.as_str().cmp(label))
                .map_err(|_| {
                    bad(format!(
                        "margin {}: sample {s} is in category \"{label}\", which has no target",
                        margin.name
                    ))
                })?;
            present[c] += 1;
            index[s].push(c);
        }
        let mut t = Vec::with_capacity(cats.len());
        for (c, cat) in cats.iter().enumerate() {
            let share = margin.targets[*cat];
            if present[c] == 0 && share > 0.0 {
                return Err(bad(format!(
                    "margin {}: category \"{cat}\" has a target but no samples",
                    margin.name
                )));
            }
            if present[c] > 0 && share <= 0.0 {
                return Err(bad(format!(
                    "margin {}: category \"{cat}\" has {} samples but a target of {share}; drop those samples instead",
                    margin.name, present[c]
                )));
            }
            t.push(share / total * n as f64);
        }
        targets.push(t);
    }

    let mut w = vec![1.0f64; n];
    let mut max_error = f64::INFINITY;
    for iteration in 1..=options.max_iterations {
        for (m, t) in targets.iter().enumerate() {
            let mut current = vec![0.0f64; t.len()];
            for (s, idx) in index.iter().enumerate() {
                current[idx[m]] += w[s];
            }
            let factor: Vec<f64> = current
                .iter()
                .zip(t)
                .map(|(c, t)| if *c > 0.0 { t / c } else { 1.0 })
                .collect();
            for (s, idx) in index.iter().enumerate() {
                w[s] *= factor[idx[m]];
            }
        }
        max_error = 0.0;
        for (m, t) in targets.iter().enumerate() {
            let mut current = vec![0.0f64; t.len()];
            for (s, idx) in index.iter().enumerate() {
                current[idx[m]] += w[s];
            }
            for (c, target) in current.iter().zip(t) {
                if *target > 0.0 {
                    max_error = max_error.max((c / target - 1.0).abs());
                }
            }
        }
        if max_error <= options.tolerance {
            return Ok(Raked {
                weights: w,
                iterations: iteration,
                max_error,
            });
        }
    }
    Err(bad(format!(
        "did not converge in {} sweeps (largest margin error {max_error:.3e}); the margins may be inconsistent with the sample",
        options.max_iterations
    )))
}

/// The mean of `values` under `weights`.
pub fn weighted_mean(values: &[f64], weights: &[f64]) -> Option<f64> {
    if values.len() != weights.len() || values.is_empty() {
        return None;
    }
    let total: f64 = weights.iter().sum();
    (total > 0.0).then(|| values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn margin(name: &str, t: &[(&str, f64)]) -> Margin {
        Margin {
            name: name.into(),
            targets: t.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        }
    }

    #[test]
    fn one_margin_is_matched_exactly() {
        let samples = vec![vec!["a"], vec!["a"], vec!["a"], vec!["b"]];
        let r = rake(
            &samples,
            &[margin("g", &[("a", 0.5), ("b", 0.5)])],
            RakeOptions::default(),
        )
        .unwrap();
        let expected = [2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0, 2.0];
        for (w, e) in r.weights.iter().zip(expected) {
            assert!((w - e).abs() < 1e-12);
        }
        assert_eq!(weighted_mean(&[1.0, 1.0, 1.0, 0.0], &r.weights), Some(0.5));
    }

    #[test]
    fn impossible_targets_are_named() {
        let samples = vec![vec!["a"], vec!["b"]];
        let e = rake(
            &samples,
            &[margin("age", &[("a", 1.0), ("b", 1.0), ("c", 1.0)])],
            RakeOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid options: ipf: margin age: category \"c\" has a target but no samples"
        );
        let e = rake(
            &samples,
            &[margin("age", &[("a", 1.0), ("b", 0.0)])],
            RakeOptions::default(),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("category \"b\" has 1 samples but a target of 0"),
            "{e}"
        );
        let e = rake(
            &[vec!["z"]],
            &[margin("age", &[("a", 1.0)])],
            RakeOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("\"z\", which has no target"), "{e}");
    }
}
