//! Per-call rewrite options, their defaults, limits and JSON form.

use serde::{Deserialize, Serialize};

use super::cues::MAX_CUES;
use super::method::Method;
use crate::error::{Result, ZippError};
use crate::llm::SamplingParams;
use crate::persona::Example;

/// Most k-shot examples per call.
pub const MAX_K: usize = 8;
/// Largest prompt accepted, in bytes.
pub const MAX_PROMPT_BYTES: usize = 16 * 1024;

/// What to do when the backend fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    /// Return the error (the default for the C ABI and the CLI).
    #[default]
    Fail,
    /// Return the original prompt as the rewrite, with the error attached (what hosts use).
    Passthrough,
}

/// Options of one rewrite, all with defaults.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RewriteOptions {
    /// How the prompt is rewritten (default `auto`: chosen for the backend).
    pub method: Method,
    /// Sampling seed, temperature and the rest ([`SamplingParams`], whose defaults these are);
    /// the same seed returns the cached text, another one asks the backend again.
    #[serde(flatten)]
    pub sampling: SamplingParams,
    /// Number of examples shown to the model, 0 to 8 (default 3); the call's own examples come
    /// first, then the persona's.
    pub k: usize,
    /// Most words in the rewrite, 5 to 300 (default 60).
    pub word_budget: usize,
    /// Most taste clauses added to the prompt, 1 to 3 (default 3): the strength of the
    /// personalization for the `taste` and `compose` methods. Fewer keep one person's pictures
    /// more varied, more carry more of their taste (the README's quality section measures the
    /// trade-off).
    pub taste_clauses: usize,
    /// The negative prompt; it passes through untouched.
    pub negative_prompt: Option<String>,
    /// What a backend failure does.
    pub on_error: OnError,
    /// Extra k-shot examples for this call.
    pub examples: Vec<Example>,
    /// Whether to use the cache (default true).
    pub cache: bool,
}

impl Default for RewriteOptions {
    fn default() -> Self {
        Self {
            method: Method::Auto,
            sampling: SamplingParams::default(),
            k: 3,
            word_budget: 60,
            taste_clauses: MAX_CUES,
            negative_prompt: None,
            on_error: OnError::Fail,
            examples: Vec::new(),
            cache: true,
        }
    }
}

/// Options as given in JSON: every field optional, unknown fields rejected.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionsPatch {
    /// See [`RewriteOptions::method`].
    pub method: Option<Method>,
    /// See [`SamplingParams::seed`].
    pub seed: Option<u64>,
    /// See [`SamplingParams::temperature`].
    pub temperature: Option<f32>,
    /// See [`SamplingParams::top_p`].
    pub top_p: Option<f32>,
    /// See [`SamplingParams::top_k`].
    pub top_k: Option<usize>,
    /// See [`SamplingParams::min_p`].
    pub min_p: Option<f32>,
    /// See [`SamplingParams::repeat_penalty`].
    pub repeat_penalty: Option<f32>,
    /// See [`SamplingParams::max_new_tokens`].
    pub max_new_tokens: Option<u32>,
    /// See [`RewriteOptions::k`].
    pub k: Option<usize>,
    /// See [`RewriteOptions::word_budget`].
    pub word_budget: Option<usize>,
    /// See [`RewriteOptions::taste_clauses`].
    pub taste_clauses: Option<usize>,
    /// See [`RewriteOptions::negative_prompt`].
    pub negative_prompt: Option<String>,
    /// See [`RewriteOptions::on_error`].
    pub on_error: Option<OnError>,
    /// See [`RewriteOptions::examples`].
    pub examples: Option<Vec<Example>>,
    /// See [`RewriteOptions::cache`].
    pub cache: Option<bool>,
}

impl OptionsPatch {
    /// Parses options JSON (`what` names it in errors).
    pub fn from_json(json: &str, what: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| {
            if e.is_data() {
                // Well-formed JSON with a wrong field or type: an options problem, not a syntax one.
                ZippError::InvalidOptions {
                    field: what.to_string(),
                    message: crate::error::strip_position(&e.to_string()),
                }
            } else {
                ZippError::json(what, &e)
            }
        })
    }

    /// `base` with every field this patch sets replaced, then checked against the limits.
    pub fn apply(&self, base: &RewriteOptions) -> Result<RewriteOptions> {
        let b = &base.sampling;
        let o = RewriteOptions {
            method: self.method.unwrap_or(base.method),
            sampling: SamplingParams {
                seed: self.seed.unwrap_or(b.seed),
                temperature: self.temperature.unwrap_or(b.temperature),
                top_p: self.top_p.unwrap_or(b.top_p),
                top_k: self.top_k.unwrap_or(b.top_k),
                min_p: self.min_p.unwrap_or(b.min_p),
                repeat_penalty: self.repeat_penalty.unwrap_or(b.repeat_penalty),
                max_new_tokens: self.max_new_tokens.unwrap_or(b.max_new_tokens),
                stop: b.stop.clone(),
            },
            k: self.k.unwrap_or(base.k),
            word_budget: self.word_budget.unwrap_or(base.word_budget),
            taste_clauses: self.taste_clauses.unwrap_or(base.taste_clauses),
            negative_prompt: self
                .negative_prompt
                .clone()
                .or_else(|| base.negative_prompt.clone()),
            on_error: self.on_error.unwrap_or(base.on_error),
            examples: self
                .examples
                .clone()
                .unwrap_or_else(|| base.examples.clone()),
            cache: self.cache.unwrap_or(base.cache),
        };
        o.check()?;
        Ok(o)
    }
}

fn out_of_range(field: &str, message: String) -> ZippError {
    ZippError::InvalidOptions {
        field: field.to_string(),
        message,
    }
}

impl RewriteOptions {
    /// Checks every option against its limits.
    pub fn check(&self) -> Result<()> {
        self.sampling.check()?;
        if self.k > MAX_K {
            return Err(out_of_range(
                "k",
                format!("{} is over the limit of {MAX_K}", self.k),
            ));
        }
        if !(5..=300).contains(&self.word_budget) {
            return Err(out_of_range(
                "word_budget",
                format!("{} is outside [5, 300]", self.word_budget),
            ));
        }
        if !(1..=MAX_CUES).contains(&self.taste_clauses) {
            return Err(out_of_range(
                "taste_clauses",
                format!("{} is outside [1, {MAX_CUES}]", self.taste_clauses),
            ));
        }
        if self.examples.len() > MAX_K {
            return Err(out_of_range(
                "examples",
                format!(
                    "{} examples, over the limit of {MAX_K}",
                    self.examples.len()
                ),
            ));
        }
        for (i, e) in self.examples.iter().enumerate() {
            if e.prompt.trim().is_empty() {
                return Err(out_of_range(
                    &format!("examples[{i}].prompt"),
                    "must not be empty".into(),
                ));
            }
            if e.prompt.len() > 4096 || e.rewrite.as_ref().is_some_and(|r| r.len() > 4096) {
                return Err(out_of_range(
                    &format!("examples[{i}]"),
                    "over 4096 bytes".into(),
                ));
            }
        }
        if self
            .negative_prompt
            .as_ref()
            .is_some_and(|n| n.len() > MAX_PROMPT_BYTES)
        {
            return Err(out_of_range(
                "negative_prompt",
                format!("over {MAX_PROMPT_BYTES} bytes"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_override_and_check() {
        let p = OptionsPatch::from_json(
            r#"{"seed": 9, "k": 0, "on_error": "passthrough"}"#,
            "options",
        )
        .unwrap();
        let o = p.apply(&RewriteOptions::default()).unwrap();
        assert_eq!(
            (o.sampling.seed, o.k, o.on_error, o.word_budget),
            (9, 0, OnError::Passthrough, 60)
        );
        assert_eq!(o.method, Method::Auto);
        let rp = OptionsPatch::from_json(r#"{"method": "roleplay", "top_k": 5}"#, "options")
            .unwrap()
            .apply(&o)
            .unwrap();
        assert_eq!(
            (rp.method, rp.sampling.top_k, rp.sampling.seed),
            (Method::Roleplay, 5, 9)
        );
        let e = OptionsPatch::from_json(r#"{"method": "telepathy"}"#, "options").unwrap_err();
        assert!(e.to_string().contains("unknown variant `telepathy`"), "{e}");
        let bad = OptionsPatch::from_json(r#"{"k": 9}"#, "options").unwrap();
        assert_eq!(
            bad.apply(&RewriteOptions::default())
                .unwrap_err()
                .to_string(),
            "invalid options: k: 9 is over the limit of 8"
        );
        let one = OptionsPatch::from_json(r#"{"taste_clauses": 1}"#, "options").unwrap();
        assert_eq!(one.apply(&o).unwrap().taste_clauses, 1);
        assert_eq!(RewriteOptions::default().taste_clauses, MAX_CUES);
        for n in [0, 4] {
            let bad = OptionsPatch::from_json(&format!(r#"{{"taste_clauses": {n}}}"#), "options")
                .unwrap()
                .apply(&o)
                .unwrap_err()
                .to_string();
            assert!(
                bad.contains("taste_clauses") && bad.contains("[1, 3]"),
                "{bad}"
            );
        }
    }

    #[test]
    fn unknown_and_mistyped_fields_are_option_errors() {
        let e = OptionsPatch::from_json(r#"{"sede": 1}"#, "options").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("invalid options: options: unknown field `sede`"),
            "{e}"
        );
        let e = OptionsPatch::from_json(r#"{"seed": "one"}"#, "options").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("invalid options: options: invalid type"),
            "{e}"
        );
        let e = OptionsPatch::from_json(r#"{"seed": 1"#, "options").unwrap_err();
        assert_eq!(e.status(), crate::ZippStatus::InvalidJson);
    }
}
