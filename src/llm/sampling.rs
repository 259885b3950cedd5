//! Sampling settings: the one home of their defaults and limits, shared by the rewrite options,
//! every backend, taste elicitation and persona verbalization.

use serde::Serialize;

use crate::error::{Result, ZippError};

/// How many recent tokens the repetition penalty looks at (llama.cpp's default).
pub const REPEAT_LAST_N: usize = 64;

/// Sampling settings; backends ignore what they cannot honour (`top_k`, `min_p` and
/// `repeat_penalty` are for local models).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SamplingParams {
    /// Seed for sampling; the same seed gives the same text where the backend supports it (0).
    pub seed: u64,
    /// Softmax temperature, 0 (greedy) to 2 (0.7).
    pub temperature: f32,
    /// Nucleus sampling mass, above 0 up to 1 (0.95).
    pub top_p: f32,
    /// Keep the k most likely tokens, 0 (all) to 1,000 (40).
    pub top_k: usize,
    /// Drop tokens less likely than this fraction of the most likely one, 0 to 1 (0.05).
    pub min_p: f32,
    /// Penalty on recently generated tokens, 1 (none) to 2 (1.1), as llama.cpp: positive
    /// logits are divided by it, negative ones multiplied.
    pub repeat_penalty: f32,
    /// Most tokens to generate, 1 to 4,096 (256).
    pub max_new_tokens: u32,
    /// Strings that end generation (not part of the text; none).
    #[serde(skip)]
    pub stop: Vec<String>,
}

impl Default for SamplingParams {
    fn default() -> Self {
        Self {
            seed: 0,
            temperature: 0.7,
            top_p: 0.95,
            top_k: 40,
            min_p: 0.05,
            repeat_penalty: 1.1,
            max_new_tokens: 256,
            stop: Vec::new(),
        }
    }
}

fn out_of_range(field: &str, message: String) -> ZippError {
    ZippError::InvalidOptions {
        field: field.to_string(),
        message,
    }
}

impl SamplingParams {
    /// Greedy decoding with no repetition penalty: the model's most likely text (tests,
    /// benchmarks, parity checks).
    pub fn greedy() -> Self {
        Self {
            temperature: 0.0,
            repeat_penalty: 1.0,
            ..Self::default()
        }
    }

    /// These settings with `seed`.
    pub fn with_seed(&self, seed: u64) -> Self {
        Self {
            seed,
            ..self.clone()
        }
    }

    /// Checks every setting against its limits; the error names the field.
    pub fn check(&self) -> Result<()> {
        if !(0.0..=2.0).contains(&self.temperature) {
            return Err(out_of_range(
                "temperature",
                format!("{} is outside [0, 2]", self.temperature),
            ));
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return Err(out_of_range(
                "top_p",
                format!("{} is outside (0, 1]", self.top_p),
            ));
        }
        if self.top_k > 1000 {
            return Err(out_of_range(
                "top_k",
                format!("{} is over the limit of 1000", self.top_k),
            ));
        }
        if !(0.0..=1.0).contains(&self.min_p) {
            return Err(out_of_range(
                "min_p",
                format!("{} is outside [0, 1]", self.min_p),
            ));
        }
        if !(1.0..=2.0).contains(&self.repeat_penalty) {
            return Err(out_of_range(
                "repeat_penalty",
                format!("{} is outside [1, 2]", self.repeat_penalty),
            ));
        }
        if !(1..=4096).contains(&self.max_new_tokens) {
            return Err(out_of_range(
                "max_new_tokens",
                format!("{} is outside [1, 4096]", self.max_new_tokens),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_within_their_limits() {
        SamplingParams::default().check().unwrap();
        SamplingParams::greedy().check().unwrap();
        let hot = SamplingParams {
            temperature: 2.5,
            ..SamplingParams::default()
        };
        assert_eq!(
            hot.check().unwrap_err().to_string(),
            "invalid options: temperature: 2.5 is outside [0, 2]"
        );
    }
}
