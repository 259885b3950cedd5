//! The rewriter: one backend, a cache and default options; thread-safe.

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;
use std::time::Instant;

use super::cache::{cache_key, RewriteCache};
use super::cleanup::{clean_output, Cleaned};
use super::compose::{compose, ComposeTask};
use super::config::RewriterConfig;
use super::facet::choose_facet;
use super::guard::{inspect, Problem};
use super::instruction::{pick_examples, roleplay_instruction, taste_instruction};
use super::method::Method;
use super::options::{OnError, OptionsPatch, RewriteOptions, MAX_PROMPT_BYTES};
use super::result::{FailureInfo, RewriteResult, TokenCounts};
use super::salvage::salvage;
use crate::error::{Result, ZippError};
use crate::llm::{build_backend, Generation, GenerationRequest, TextBackend};
use crate::persona::Persona;
use crate::text::words::word_count;

/// Rewrites prompts from personas with one backend. Share it between threads freely.
pub struct Rewriter {
    backend: Box<dyn TextBackend>,
    cache: RewriteCache,
    /// Taste phrases the model inferred, by persona hash (one model per rewriter).
    tastes: Mutex<HashMap<String, Vec<String>>>,
    defaults: RewriteOptions,
    notes: Vec<String>,
}

impl std::fmt::Debug for Rewriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rewriter")
            .field("backend", &self.backend.kind())
            .field("model", &self.backend.model())
            .field("cached", &self.cache.len())
            .finish_non_exhaustive()
    }
}

/// Whether a failure comes from the backend (and may be passed through), not from the caller.
fn is_backend_failure(e: &ZippError) -> bool {
    matches!(
        e,
        ZippError::Connection { .. }
            | ZippError::Timeout { .. }
            | ZippError::Auth { .. }
            | ZippError::ModelNotFound { .. }
            | ZippError::RateLimited { .. }
            | ZippError::Server { .. }
            | ZippError::BadResponse { .. }
            | ZippError::Backend { .. }
            | ZippError::Unsupported { .. }
    )
}

impl Rewriter {
    /// A rewriter built from `config`.
    pub fn new(config: RewriterConfig) -> Result<Self> {
        let (backend, notes) = build_backend(&config.backend)?;
        let mut rewriter = Self::with_backend(backend, config.cache_capacity, config.options);
        rewriter.notes = notes;
        Ok(rewriter)
    }

    /// A rewriter from a JSON configuration (see [`RewriterConfig::from_json`]).
    pub fn from_json(config_json: &str) -> Result<Self> {
        Self::new(RewriterConfig::from_json(config_json)?)
    }

    /// A rewriter around any backend, e.g. one of your own.
    pub fn with_backend(
        backend: Box<dyn TextBackend>,
        cache_capacity: usize,
        defaults: RewriteOptions,
    ) -> Self {
        Self {
            backend,
            cache: RewriteCache::new(cache_capacity),
            tastes: Mutex::new(HashMap::new()),
            defaults,
            notes: Vec::new(),
        }
    }

    /// The backend in use.
    pub fn backend(&self) -> &dyn TextBackend {
        self.backend.as_ref()
    }

    /// The default options of every call.
    pub fn defaults(&self) -> &RewriteOptions {
        &self.defaults
    }

    /// The defaults with a call's JSON options applied (`None` or empty: the defaults).
    pub fn options_from_json(&self, json: Option<&str>) -> Result<RewriteOptions> {
        match json.map(str::trim).filter(|j| !j.is_empty()) {
            None => Ok(self.defaults.clone()),
            Some(j) => OptionsPatch::from_json(j, "options")?.apply(&self.defaults),
        }
    }

    /// Number of cached rewrites.
    pub fn cached(&self) -> usize {
        self.cache.len()
    }

    /// Forgets every cached rewrite.
    pub fn clear_cache(&self) {
        self.cache.clear();
    }

    /// The taste phrases the model infers for `persona` (asked once per persona and cached);
    /// none for the `rules` backend and for personas with aesthetics of their own.
    pub fn model_taste(&self, persona: &Persona) -> Result<Vec<String>> {
        if self.backend.kind() == "rules" || !persona.document().traits.aesthetics.is_empty() {
            return Ok(Vec::new());
        }
        let key = persona.hash_hex();
        let lock = || self.tastes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = lock().get(&key) {
            return Ok(hit.clone());
        }
        let seed = u64::from_le_bytes(persona.hash()[..8].try_into().unwrap_or_default());
        let phrases = crate::taste::model::elicit_with_model(self.backend.as_ref(), persona, seed)?;
        lock().insert(key, phrases.clone());
        Ok(phrases)
    }

    /// `persona` with its visual taste filled in where it has none of its own: the model's
    /// phrases ([`Rewriter::model_taste`]) and the curated vocabulary's aesthetics, facets and
    /// moods. This is what every rewrite uses; store it to read or edit the inferred taste.
    pub fn with_taste(&self, persona: &Persona) -> Result<Persona> {
        let phrases = self.model_taste(persona)?;
        Ok(
            crate::taste::complete_with(persona, &phrases, Some(self.backend.model()))
                .unwrap_or_else(|| persona.clone()),
        )
    }

    /// Rewrites `prompt` as `persona` would want it.
    pub fn rewrite(
        &self,
        persona: &Persona,
        prompt: &str,
        options: &RewriteOptions,
    ) -> Result<RewriteResult> {
        self.rewrite_with(persona, prompt, options, None, None)
    }

    /// [`Rewriter::rewrite`] with a cancel flag and a streaming callback.
    pub fn rewrite_with(
        &self,
        persona: &Persona,
        prompt: &str,
        options: &RewriteOptions,
        cancel: Option<&AtomicBool>,
        on_token: Option<&(dyn Fn(&str) -> bool + Sync)>,
    ) -> Result<RewriteResult> {
        let start = Instant::now();
        if prompt.len() > MAX_PROMPT_BYTES {
            return Err(ZippError::TooLarge {
                what: "prompt".into(),
                size: prompt.len(),
                limit: MAX_PROMPT_BYTES,
            });
        }
        if prompt.trim().is_empty() {
            return Err(ZippError::InvalidOptions {
                field: "prompt".into(),
                message: "must not be empty".into(),
            });
        }
        options.check()?;
        let (method, method_note) = options.method.resolve(self.backend.as_ref());
        // A persona without visual words of its own gets a taste inferred from who it is, from
        // the curated vocabulary and, for the `taste` method, from the model (once per persona).
        // `roleplay` leaves the taste to the model; the inferred one serves its fallback.
        let mut taste_notes = Vec::new();
        let phrases = if method == Method::Taste {
            self.model_taste(persona).unwrap_or_else(|e| {
                taste_notes.push(format!(
                    "the model could not infer a taste ({e}); the vocabulary's was used"
                ));
                Vec::new()
            })
        } else {
            Vec::new()
        };
        let model_name = (method != Method::Compose).then(|| self.backend.model());
        let completed = crate::taste::complete_with(persona, &phrases, model_name);
        let tasted = completed.as_ref().unwrap_or(persona);
        let key = options.cache.then(|| {
            cache_key(
                tasted,
                prompt,
                self.backend.kind(),
                self.backend.model(),
                method,
                options,
            )
        });
        if let Some(hit) = key.as_ref().and_then(|k| self.cache.get(k)) {
            return Ok(RewriteResult {
                cache_hit: true,
                negative_prompt: options.negative_prompt.clone(),
                latency_ms: start.elapsed().as_secs_f64() * 1e3,
                ..hit
            });
        }

        let seed = options.sampling.seed;
        let facet = match method {
            Method::Roleplay => choose_facet(persona, prompt),
            _ => choose_facet(tasted, prompt),
        };
        let composition = || {
            compose(&ComposeTask {
                persona: tasted,
                prompt,
                facet: choose_facet(tasted, prompt),
                word_budget: options.word_budget,
                taste_clauses: options.taste_clauses,
                seed,
            })
        };
        let mut result = RewriteResult {
            original: prompt.to_string(),
            negative_prompt: options.negative_prompt.clone(),
            backend: self.backend.kind().to_string(),
            model: self.backend.model().to_string(),
            method: method.name().to_string(),
            persona_id: persona.label(),
            facet: facet.map(|f| f.context.clone()),
            seed,
            notes: self.notes.clone(),
            ..RewriteResult::default()
        };
        result.notes.extend(method_note);
        result.notes.extend(taste_notes);
        if let Some(sources) = completed
            .as_ref()
            .and_then(|p| p.document().extensions.get("x-zipp-taste-sources"))
            .and_then(|v| v.as_array())
            .filter(|_| method != Method::Roleplay)
        {
            let from: Vec<&str> = sources.iter().filter_map(|s| s.as_str()).collect();
            result.notes.push(format!(
                "taste inferred from the persona ({})",
                from.join("; ")
            ));
        }
        let instruction = match method {
            Method::Compose => None,
            Method::Roleplay => {
                let examples = pick_examples(persona, &options.examples, prompt, options.k);
                result.shots = examples.iter().filter(|e| e.rewrite.is_some()).count();
                Some(roleplay_instruction(
                    persona,
                    prompt,
                    &examples,
                    options.word_budget,
                ))
            }
            Method::Taste | Method::Auto => {
                let examples = pick_examples(tasted, &options.examples, prompt, options.k);
                result.shots = examples.iter().filter(|e| e.rewrite.is_some()).count();
                Some(taste_instruction(
                    tasted,
                    prompt,
                    facet,
                    &examples,
                    options.word_budget,
                    options.taste_clauses,
                    seed,
                ))
            }
        };
        let Some(instruction) = instruction else {
            // Model-free: the composition is the rewrite.
            if cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed)) {
                return Err(ZippError::Cancelled);
            }
            let composed = composition();
            let cleaned = clean_output(&composed.text, options.word_budget);
            result.guard = "unguarded".into();
            result.model = crate::llm::rules::RULES_MODEL.to_string();
            result.rewrite = cleaned.text;
            result.tokens.completion = Some(word_count(&result.rewrite) as u32);
            result.notes.extend(composed.notes);
            result.notes.extend(cleaned.notes);
            result.latency_ms = start.elapsed().as_secs_f64() * 1e3;
            if let Some(k) = key {
                self.cache.put(k, result.clone());
            }
            return Ok(result);
        };

        let params = &options.sampling;
        let request = GenerationRequest {
            messages: &instruction.messages,
            params,
            cancel,
            on_token,
        };
        let attempt = |request: &GenerationRequest<'_>| {
            self.backend.generate(request).and_then(|generation| {
                let cleaned = clean_output(&generation.text, options.word_budget);
                if cleaned.text.is_empty() {
                    return Err(ZippError::BadResponse {
                        message:
                            "the model returned no prompt (only reasoning, chatter or nothing)"
                                .into(),
                    });
                }
                Ok((generation, cleaned))
            })
        };
        let check = |text: &str| inspect(text, prompt, persona, &instruction.not_to_copy);
        // A flawed answer keeps the model's taste when cutting the flawed clauses (and putting
        // back a reworded subject) leaves one the guards pass.
        let repair = |cleaned: &Cleaned, problems: &[Problem]| -> Option<Cleaned> {
            // The guards judge each candidate as it will be returned: cleaned.
            let saved = salvage(&cleaned.text, prompt, problems, |t| {
                check(&clean_output(t, options.word_budget).text)
            })?;
            Some(Cleaned {
                thinking: cleaned.thinking.clone(),
                notes: cleaned.notes.clone(),
                ..clean_output(&saved, options.word_budget)
            })
        };
        let outcome = attempt(&request).and_then(|(generation, cleaned)| {
            let problems = check(&cleaned.text);
            if problems.is_empty() {
                result.guard = "first".into();
                return Ok((generation, cleaned));
            }
            if let Some(fixed) = repair(&cleaned, &problems) {
                result.guard = "repaired".into();
                result.notes.push(format!(
                    "guard: the first answer had {}; the clauses with it were cut or the prompt's words put back",
                    labels(&problems)
                ));
                return Ok((generation, fixed));
            }
            result.notes.push(format!("guard: the first answer had {}", labels(&problems)));
            // Retry once: the problems named in the instruction, another seed.
            let mut retry_messages = instruction.messages.clone();
            if let Some(system) = retry_messages.first_mut() {
                let fixes: Vec<String> = problems.iter().map(|p| p.correction()).collect();
                system.content.push_str(&format!("\n\n{}", fixes.join(" ")));
            }
            let retry_params = params.with_seed(seed ^ 0x5245_5452_5900_0001);
            let retry = GenerationRequest {
                messages: &retry_messages,
                params: &retry_params,
                ..request
            };
            let (generation, cleaned) = attempt(&retry)?;
            let problems = check(&cleaned.text);
            if problems.is_empty() {
                result.guard = "retry".into();
                return Ok((generation, cleaned));
            }
            if let Some(fixed) = repair(&cleaned, &problems) {
                result.guard = "retry".into();
                result.notes.push(format!(
                    "guard: the retry had {}; the clauses with it were cut or the prompt's words put back",
                    labels(&problems)
                ));
                return Ok((generation, fixed));
            }
            result.notes.push(format!(
                "guard: the retry had {}; a composition of the prompt with the persona's taste was used",
                labels(&problems)
            ));
            result.guard = "fallback".into();
            let composed = composition();
            let cleaned = clean_output(&composed.text, options.word_budget);
            Ok((
                Generation {
                    notes: composed.notes,
                    ..generation
                },
                cleaned,
            ))
        });
        match outcome {
            Ok((generation, cleaned)) => {
                result.rewrite = cleaned.text;
                result.thinking = match (generation.thinking, cleaned.thinking) {
                    (Some(a), Some(b)) => Some(format!("{a}\n\n{b}")),
                    (a, b) => a.or(b),
                };
                result.model = generation.model;
                result.tokens = TokenCounts {
                    prompt: generation.prompt_tokens,
                    completion: generation.completion_tokens,
                    reused: generation.reused_prompt_tokens,
                };
                result.notes.extend(generation.notes);
                result.notes.extend(cleaned.notes);
                result.latency_ms = start.elapsed().as_secs_f64() * 1e3;
                if let Some(k) = key {
                    self.cache.put(k, result.clone());
                }
                Ok(result)
            }
            Err(e) if options.on_error == OnError::Passthrough && is_backend_failure(&e) => {
                log::warn!("rewrite failed, passing the prompt through: {e}");
                result.rewrite = prompt.to_string();
                result.guard = "unguarded".into();
                result.error = Some(FailureInfo {
                    status: e.status().c_name().to_string(),
                    code: e.status() as i32,
                    message: e.to_string(),
                });
                result
                    .notes
                    .push("the backend failed; the original prompt was passed through".into());
                result.latency_ms = start.elapsed().as_secs_f64() * 1e3;
                Ok(result)
            }
            Err(e) => Err(e),
        }
    }
}

fn labels(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::label)
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::Generation;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A backend that replies with a fixed text and counts its calls.
    struct Canned {
        reply: std::result::Result<String, fn() -> ZippError>,
        calls: Arc<AtomicUsize>,
    }

    impl TextBackend for Canned {
        fn kind(&self) -> &'static str {
            "canned"
        }
        fn model(&self) -> &str {
            "canned-1"
        }
        fn generate(&self, _: &GenerationRequest<'_>) -> Result<Generation> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            match &self.reply {
                Ok(t) => Ok(Generation {
                    text: t.clone(),
                    model: "canned-1".into(),
                    ..Generation::default()
                }),
                Err(make) => Err(make()),
            }
        }
    }

    fn rewriter(
        reply: std::result::Result<&str, fn() -> ZippError>,
    ) -> (Rewriter, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let backend = Canned {
            reply: reply.map(str::to_string),
            calls: calls.clone(),
        };
        (
            Rewriter::with_backend(Box::new(backend), 16, RewriteOptions::default()),
            calls,
        )
    }

    #[test]
    fn same_seed_hits_the_cache_other_seed_calls_again() {
        let (r, calls) = rewriter(Ok("Sure! Here it is: a cat, film grain"));
        let p = Persona::from_text("I shoot film.").unwrap();
        let o = RewriteOptions::default();
        let first = r.rewrite(&p, "a cat", &o).unwrap();
        assert_eq!(first.rewrite, "a cat, film grain");
        assert_eq!(
            first.method, "roleplay",
            "auto role-plays on a backend of unknown size"
        );
        assert!(!first.cache_hit);
        let again = r.rewrite(&p, "a cat", &o).unwrap();
        assert!(again.cache_hit);
        assert_eq!(again.rewrite, first.rewrite);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let other = RewriteOptions {
            sampling: o.sampling.with_seed(1),
            ..o.clone()
        };
        assert!(!r.rewrite(&p, "a cat", &other).unwrap().cache_hit);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // The taste method asks the model for the persona's taste first: twice (the canned
        // answer has one usable phrase), then the empty result is cached; then the rewrite.
        let taste = RewriteOptions {
            method: Method::Taste,
            ..o
        };
        let t = r.rewrite(&p, "a cat", &taste).unwrap();
        assert_eq!((t.method.as_str(), t.cache_hit), ("taste", false));
        assert_eq!(calls.load(Ordering::SeqCst), 5);
    }

    /// A backend that records the chat it was given and answers with a fixed text.
    struct Recorder {
        reply: String,
        seen: Mutex<Vec<Vec<crate::llm::ChatMessage>>>,
    }

    impl TextBackend for Recorder {
        fn kind(&self) -> &'static str {
            "recorder"
        }
        fn model(&self) -> &str {
            "recorder-1"
        }
        fn generate(&self, request: &GenerationRequest<'_>) -> Result<Generation> {
            self.seen.lock().unwrap().push(request.messages.to_vec());
            Ok(Generation {
                text: self.reply.clone(),
                model: "recorder-1".into(),
                ..Generation::default()
            })
        }
    }

    #[test]
    fn roleplay_gives_the_model_the_persona_and_guards_its_answer() {
        let p = Persona::from_file("examples/personas/kenji-osaka.json").unwrap();
        let bio_run: String = p
            .document()
            .text
            .split_whitespace()
            .take(6)
            .collect::<Vec<_>>()
            .join(" ");
        let answer = format!("\"Sure! Here is my prompt: a cat, {bio_run}\"");
        let recorder = Arc::new(Recorder {
            reply: answer,
            seen: Mutex::new(Vec::new()),
        });
        struct Shared(Arc<Recorder>);
        impl TextBackend for Shared {
            fn kind(&self) -> &'static str {
                self.0.kind()
            }
            fn model(&self) -> &str {
                "recorder-1"
            }
            fn generate(&self, r: &GenerationRequest<'_>) -> Result<Generation> {
                self.0.generate(r)
            }
        }
        let r = Rewriter::with_backend(
            Box::new(Shared(recorder.clone())),
            0,
            RewriteOptions {
                method: Method::Roleplay,
                ..RewriteOptions::default()
            },
        );
        let res = r.rewrite(&p, "a cat", r.defaults()).unwrap();
        let seen = recorder.seen.lock().unwrap();
        // The persona's first-person text and traits reach the model.
        let system = &seen[0][0].content;
        assert!(system.starts_with(p.document().text.trim()), "{system}");
        for a in &p.document().traits.aesthetics {
            assert!(system.contains(a.as_str()), "{a} missing from {system}");
        }
        assert_eq!(seen[0].last().unwrap().content, "a cat");
        // The answer copied the biography twice: a retry with the fix named, then the fallback.
        assert_eq!(seen.len(), 2);
        assert!(seen[1][0].content.contains("Do not describe yourself"));
        assert_eq!(
            (res.method.as_str(), res.guard.as_str()),
            ("roleplay", "fallback")
        );
        assert!(res.rewrite.starts_with("a cat, "), "{}", res.rewrite);
        assert!(!res.rewrite.contains(&bio_run));
    }

    #[test]
    fn a_clause_copied_from_the_biography_is_cut_and_the_model_is_not_asked_again() {
        let (r, calls) = rewriter(Ok(
            "a cat asleep, I work nights at a fish market in Busan, cold blue dawn light, wet \
             concrete",
        ));
        let p = Persona::from_text("I work nights at a fish market in Busan.").unwrap();
        let res = r.rewrite(&p, "a cat asleep", r.defaults()).unwrap();
        assert_eq!(res.guard, "repaired");
        assert_eq!(
            res.rewrite,
            "a cat asleep, cold blue dawn light, wet concrete"
        );
        assert!(
            res.notes
                .iter()
                .any(|n| n.contains("copied the persona's text")),
            "{:?}",
            res.notes
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn the_model_taste_is_asked_once_and_joins_the_vocabulary() {
        let (r, calls) = rewriter(Ok("misty forest light, saffron robes, quiet temple mood"));
        let p = Persona::from_text("I'm a monk in Thailand and I love football.").unwrap();
        let done = r.with_taste(&p).unwrap();
        let doc = done.document();
        assert_eq!(
            doc.traits.aesthetics[..3],
            ["misty forest light", "saffron robes", "quiet temple mood"]
        );
        assert!(doc.traits.aesthetics.len() > 3, "the vocabulary's follow");
        let sources = doc.extensions["x-zipp-taste-sources"].as_array().unwrap();
        assert_eq!(sources[0], "model: canned-1");
        r.with_taste(&p).unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Personas with aesthetics of their own are not asked about.
        let own = Persona::from_file("examples/personas/priya-bengaluru.json").unwrap();
        assert!(r.model_taste(&own).unwrap().is_empty());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn taste_clauses_set_the_strength() {
        let r = Rewriter::with_backend(
            Box::new(crate::llm::rules::RulesBackend::new()),
            0,
            RewriteOptions::default(),
        );
        let p = Persona::from_file("examples/personas/priya-bengaluru.json").unwrap();
        let prompt = "a street market at dusk";
        let with = |n: usize| {
            let o = RewriteOptions {
                taste_clauses: n,
                ..RewriteOptions::default()
            };
            r.rewrite(&p, prompt, &o).unwrap().rewrite
        };
        let (one, all) = (with(1), with(3));
        let added = |t: &str| {
            t.strip_prefix(prompt)
                .map(|rest| rest.matches(", ").count())
        };
        assert_eq!(added(&one), Some(1), "{one}");
        assert!(added(&all).is_some_and(|n| n >= 2), "{all}");
        assert!(all.starts_with(&one), "{one} / {all}");
    }

    #[test]
    fn negative_prompt_passes_through() {
        let (r, _) = rewriter(Ok("a cat"));
        let p = Persona::from_text("I shoot film.").unwrap();
        let o = RewriteOptions {
            negative_prompt: Some("blurry, text".into()),
            ..RewriteOptions::default()
        };
        assert_eq!(
            r.rewrite(&p, "a cat", &o)
                .unwrap()
                .negative_prompt
                .as_deref(),
            Some("blurry, text")
        );
    }

    #[test]
    fn failures_fail_or_pass_through() {
        let (r, _) = rewriter(Err(|| ZippError::Connection {
            url: "u".into(),
            message: "refused".into(),
        }));
        let p = Persona::from_text("I shoot film.").unwrap();
        let err = r
            .rewrite(&p, "a cat", &RewriteOptions::default())
            .unwrap_err();
        assert_eq!(err.status(), crate::ZippStatus::Connection);
        let pass = RewriteOptions {
            on_error: OnError::Passthrough,
            ..RewriteOptions::default()
        };
        let res = r.rewrite(&p, "a cat", &pass).unwrap();
        assert_eq!(res.rewrite, "a cat");
        let info = res.error.unwrap();
        assert_eq!(
            (info.status.as_str(), info.code),
            ("ZIPP_STATUS_CONNECTION", 10)
        );
        assert_eq!(info.message, "cannot connect to u: refused");
    }

    #[test]
    fn empty_output_is_a_bad_response() {
        let (r, _) = rewriter(Ok("<think>only thoughts</think>"));
        let p = Persona::from_text("I shoot film.").unwrap();
        let err = r
            .rewrite(&p, "a cat", &RewriteOptions::default())
            .unwrap_err();
        assert_eq!(err.status(), crate::ZippStatus::BadResponse);
    }

    #[test]
    fn bad_prompts_are_rejected() {
        let (r, calls) = rewriter(Ok("x"));
        let p = Persona::from_text("I shoot film.").unwrap();
        let o = RewriteOptions::default();
        assert_eq!(
            r.rewrite(&p, "  ", &o).unwrap_err().to_string(),
            "invalid options: prompt: must not be empty"
        );
        let long = "a".repeat(MAX_PROMPT_BYTES + 1);
        assert_eq!(
            r.rewrite(&p, &long, &o).unwrap_err().status(),
            crate::ZippStatus::TooLarge
        );
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn default_config_says_it_fell_back_to_rules() {
        let config = RewriterConfig::from_json("{}").unwrap();
        let (backend, notes) = crate::llm::build_backend_with(&config.backend, None).unwrap();
        let mut r = Rewriter::with_backend(backend, 16, RewriteOptions::default());
        r.notes = notes;
        let p = Persona::from_text("I shoot film.").unwrap();
        let res = r.rewrite(&p, "a cat", &RewriteOptions::default()).unwrap();
        assert_eq!(res.backend, "rules");
        assert!(res.notes[0].starts_with("no backend configured"));
    }
}
