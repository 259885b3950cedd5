//! The `rules` backend: model-free and deterministic.
//!
//! It keeps the prompt as written and appends what of the persona fits the prompt's subject: the
//! chosen facet's style, the aesthetics that match the subject lexically (ties broken by the
//! seed, so different seeds give different but repeatable picks) and one affect as the mood.
//! Clauses are added in that order while they fit the word budget; clauses that only repeat
//! words the prompt already has are skipped.

use std::collections::BTreeSet;

use super::{Generation, GenerationRequest, TextBackend};
use crate::error::{Result, ZippError};
use crate::rng::mix;
use crate::text::subject::{categories, fit};
use crate::text::words::{content_words, word_count};

/// The model name the rules backend reports.
pub const RULES_MODEL: &str = "zipp-rules-v1";

/// Aesthetics added when no facet applies (one fewer when a facet does).
const AESTHETICS_WITHOUT_FACET: usize = 3;

/// The model-free backend.
#[derive(Debug, Default, Clone, Copy)]
pub struct RulesBackend;

impl RulesBackend {
    /// A rules backend.
    pub fn new() -> Self {
        Self
    }
}

/// Comma-separated clauses of `text`, trimmed, empty ones dropped.
fn clauses(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split([',', ';'])
        .map(|c| c.trim().trim_end_matches('.').trim())
        .filter(|c| !c.is_empty())
        .map(str::to_string)
}

/// Whether an aesthetic says which subjects it is for and the prompt is of another kind
/// ("muted film tones for portraits" does not belong on a street scene).
fn meant_for_other_subjects(prompt: &str, aesthetic: &str) -> bool {
    let lower = aesthetic.to_lowercase();
    let Some((_, target)) = lower.split_once(" for ") else {
        return false;
    };
    let own = categories(target);
    !own.is_empty() && own.is_disjoint(&categories(prompt))
}

impl TextBackend for RulesBackend {
    fn kind(&self) -> &'static str {
        "rules"
    }

    fn model(&self) -> &str {
        RULES_MODEL
    }

    fn generate(&self, request: &GenerationRequest<'_>) -> Result<Generation> {
        if request.is_cancelled() {
            return Err(ZippError::Cancelled);
        }
        let task = request.task;
        let doc = task.persona.document();
        let prompt = task.prompt.trim().trim_end_matches(['.', ',', ';']).trim();

        let mut candidates: Vec<String> = Vec::new();
        if let Some(facet) = task.facet {
            candidates.extend(clauses(&facet.style));
        }
        let wanted = AESTHETICS_WITHOUT_FACET - usize::from(task.facet.is_some());
        let mut ranked: Vec<(u32, u64, &String)> = doc
            .traits
            .aesthetics
            .iter()
            .enumerate()
            .filter(|(_, a)| !meant_for_other_subjects(prompt, a))
            .map(|(i, a)| (fit(prompt, a), mix(task.seed, i as u64), a))
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        candidates.extend(ranked.iter().take(wanted).map(|(_, _, a)| a.to_string()));
        if !doc.traits.affect.is_empty() {
            let i = (mix(task.seed, u64::MAX) % doc.traits.affect.len() as u64) as usize;
            candidates.push(format!("{} mood", doc.traits.affect[i].trim()));
        }

        let mut notes = Vec::new();
        let mut seen: BTreeSet<String> = content_words(prompt).into_iter().collect();
        let mut text = prompt.to_string();
        let mut added = 0;
        if word_count(prompt) >= task.word_budget {
            notes.push(format!(
                "the prompt already has {} words or more; nothing was added",
                task.word_budget
            ));
        } else {
            for clause in candidates {
                let words: BTreeSet<String> = content_words(&clause).into_iter().collect();
                if words.is_empty() || words.is_subset(&seen) {
                    continue;
                }
                if word_count(&text) + word_count(&clause) > task.word_budget {
                    continue;
                }
                text.push_str(", ");
                text.push_str(&clause);
                seen.extend(words);
                added += 1;
            }
        }
        if added == 0 && notes.is_empty() {
            notes.push(
                "the persona has no facets, aesthetics or affect that fit; the prompt is unchanged"
                    .into(),
            );
        }
        Ok(Generation {
            completion_tokens: Some(word_count(&text) as u32),
            text,
            thinking: None,
            model: RULES_MODEL.to_string(),
            prompt_tokens: None,
            notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::{RewriteTask, SamplingParams};
    use crate::persona::{Facet, Persona, PersonaDocument};

    fn persona() -> Persona {
        let mut doc = PersonaDocument::with_text("I'm a retired fisherman in Tromsø.");
        doc.traits.aesthetics = vec![
            "cool blue-hour light".into(),
            "wide empty horizons".into(),
            "weathered wood textures".into(),
            "muted sea greys".into(),
        ];
        doc.traits.affect = vec!["calm".into(), "patient".into()];
        Persona::new(doc).unwrap()
    }

    fn run(
        p: &Persona,
        prompt: &str,
        facet: Option<&Facet>,
        budget: usize,
        seed: u64,
    ) -> Generation {
        let params = SamplingParams {
            seed,
            temperature: 0.0,
            top_p: 1.0,
            top_k: 0,
            min_p: 0.0,
            repeat_penalty: 1.0,
            max_new_tokens: 10,
            stop: vec![],
        };
        let req = GenerationRequest {
            messages: &[],
            task: RewriteTask {
                persona: p,
                prompt,
                facet,
                word_budget: budget,
                seed,
            },
            params: &params,
            cancel: None,
            on_token: None,
        };
        RulesBackend.generate(&req).unwrap()
    }

    #[test]
    fn keeps_the_prompt_and_adds_taste() {
        let p = persona();
        let g = run(&p, "a harbour at dawn.", None, 60, 1);
        assert!(g.text.starts_with("a harbour at dawn, "), "{}", g.text);
        assert!(g.text.ends_with(" mood"), "{}", g.text);
        assert!(word_count(&g.text) <= 60);
    }

    #[test]
    fn the_facet_comes_first_and_the_budget_holds() {
        let p = persona();
        let facet = Facet {
            context: "portraits".into(),
            style: "soft overcast light, film grain".into(),
        };
        let g = run(&p, "an old man mending nets", Some(&facet), 14, 3);
        assert!(
            g.text
                .starts_with("an old man mending nets, soft overcast light, film grain"),
            "{}",
            g.text
        );
        assert!(word_count(&g.text) <= 14, "{}", g.text);
    }

    #[test]
    fn aesthetics_meant_for_other_subjects_stay_out() {
        let mut doc = PersonaDocument::with_text("I shoot film.");
        doc.traits.aesthetics = vec![
            "muted film tones for portraits".into(),
            "rain reflections".into(),
        ];
        let p = Persona::new(doc).unwrap();
        let street = run(&p, "a rainy street at night", None, 60, 0);
        assert_eq!(street.text, "a rainy street at night, rain reflections");
        let portrait = run(&p, "portrait of my aunt", None, 60, 0);
        assert!(
            portrait.text.contains("muted film tones for portraits"),
            "{}",
            portrait.text
        );
    }

    #[test]
    fn deterministic_per_seed() {
        let p = persona();
        assert_eq!(
            run(&p, "a boat", None, 60, 7).text,
            run(&p, "a boat", None, 60, 7).text
        );
        let texts: BTreeSet<String> = (0..8)
            .map(|s| run(&p, "a boat", None, 60, s).text)
            .collect();
        assert!(texts.len() > 1, "seeds should vary the picks");
    }

    #[test]
    fn says_when_it_adds_nothing() {
        let p = Persona::new(PersonaDocument::with_text("I exist.")).unwrap();
        let g = run(&p, "a cat", None, 60, 0);
        assert_eq!(g.text, "a cat");
        assert_eq!(g.notes.len(), 1);
    }
}
