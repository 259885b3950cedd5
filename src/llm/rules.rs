//! The `rules` backend: model-free and deterministic.
//!
//! It keeps the prompt as written and appends the persona's taste clauses for the prompt's
//! subject ([`cues`]): a few of the chosen facet's style clauses, the aesthetics that match the
//! subject lexically (ties broken by the seed and the prompt, so that different seeds and
//! different prompts get different but repeatable picks) and one affect as the mood. Clauses are
//! added while they fit the word budget. The same clauses are the style the model backends are
//! given, and this composition is the guards' last fallback.

use std::collections::BTreeSet;

use super::{Generation, GenerationRequest, TextBackend};
use crate::error::{Result, ZippError};
use crate::rng::{mix, str_seed, unit_of};
use crate::text::subject::{categories, fit};
use crate::text::words::{content_words, word_count};

/// The model name the rules backend reports.
pub const RULES_MODEL: &str = "zipp-rules-v1";

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

/// Taste clauses added to a prompt at most, mood included: few enough that the subject stays
/// what the picture is about and one persona's pictures do not all read alike.
pub const MAX_CUES: usize = 3;
/// Clauses of the chosen facet's style used at most (the facet fits the subject; the rest of
/// the persona's pool adds variety).
const FACET_CLAUSES: usize = 1;

/// The persona's taste clauses for `prompt`: one of the facet's style clauses, then the
/// aesthetics that fit the subject, then one affect (the mood, as its bare word), at most
/// [`MAX_CUES`] in all, of which the first `max` are kept (the strongest first). Among
/// equally fitting clauses the pick depends on the seed and on the prompt, so that one persona's
/// pictures do not all get the same words. Clauses that only repeat words already there are
/// skipped.
pub fn cues(
    persona: &crate::persona::Persona,
    prompt: &str,
    facet: Option<&crate::persona::Facet>,
    seed: u64,
    max: usize,
) -> Vec<String> {
    let doc = persona.document();
    let key = mix(seed, str_seed(0, prompt));
    // Among equally fitting items, a draw weighted towards the front of the list (the most
    // personal items come first): weight 1 / (1 + i / 4), ordered by u^(1 / weight).
    let rank = |items: Vec<String>| -> Vec<String> {
        let mut ranked: Vec<(u32, f64, String)> = items
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                let u = unit_of(mix(key, i as u64));
                let weight = 1.0 / (1.0 + i as f64 / 4.0);
                (fit(prompt, &a), u.powf(1.0 / weight), a)
            })
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)));
        ranked.into_iter().map(|(_, _, a)| a).collect()
    };
    let mut candidates: Vec<String> = Vec::new();
    if let Some(facet) = facet {
        candidates.extend(
            rank(clauses(&facet.style).collect())
                .into_iter()
                .take(FACET_CLAUSES),
        );
    }
    candidates.extend(rank(
        doc.traits
            .aesthetics
            .iter()
            .filter(|a| !meant_for_other_subjects(prompt, a))
            .cloned()
            .collect(),
    ));
    let mut seen: BTreeSet<String> = content_words(prompt).into_iter().collect();
    let mut out = Vec::new();
    let room = MAX_CUES - usize::from(!doc.traits.affect.is_empty());
    for clause in candidates {
        if out.len() >= room {
            break;
        }
        let words: BTreeSet<String> = content_words(&clause).into_iter().collect();
        // A clause most of whose words are already there would mostly repeat them, and one that
        // holds a chosen clause or is held by one ("crowds" and "crowds, turntables and raised
        // hands") would repeat it outright.
        let lower = clause.to_lowercase();
        let nested = out.iter().any(|o: &String| {
            let o = o.to_lowercase();
            lower.contains(&o) || o.contains(&lower)
        });
        if words.is_empty() || nested || 2 * words.intersection(&seen).count() > words.len() {
            continue;
        }
        seen.extend(words);
        out.push(clause);
    }
    if !doc.traits.affect.is_empty() && out.len() < MAX_CUES {
        let i = (mix(key, u64::MAX) % doc.traits.affect.len() as u64) as usize;
        out.push(doc.traits.affect[i].trim().to_string());
    }
    out.truncate(max);
    out
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
        let prompt = task.prompt.trim().trim_end_matches(['.', ',', ';']).trim();
        let mut notes = Vec::new();
        let mut text = prompt.to_string();
        let mut added = 0;
        if word_count(prompt) >= task.word_budget {
            notes.push(format!(
                "the prompt already has {} words or more; nothing was added",
                task.word_budget
            ));
        } else {
            for clause in cues(
                task.persona,
                prompt,
                task.facet,
                task.seed,
                task.taste_clauses,
            ) {
                if word_count(&text) + word_count(&clause) > task.word_budget {
                    continue;
                }
                text.push_str(", ");
                text.push_str(&clause);
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
                taste_clauses: MAX_CUES,
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
        assert!(
            g.text.ends_with(", calm") || g.text.ends_with(", patient"),
            "the mood comes last: {}",
            g.text
        );
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
        let parts: Vec<&str> = g.text.split(", ").collect();
        assert_eq!(parts[0], "an old man mending nets", "{}", g.text);
        assert!(
            ["soft overcast light", "film grain"].contains(&parts[1]),
            "one facet clause first: {}",
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
    fn prompts_draw_different_clauses_and_at_most_three() {
        let mut doc = PersonaDocument::with_text("I fish.");
        doc.traits.aesthetics = [
            "amber", "birch", "cobalt", "dune", "ember", "fjord", "granite", "harbour", "indigo",
            "juniper", "kelp", "lantern",
        ]
        .iter()
        .map(|w| format!("{w} light"))
        .collect();
        let p = Persona::new(doc).unwrap();
        let picks: BTreeSet<Vec<String>> = ["a boat", "a gull", "a net", "a pier", "a storm"]
            .iter()
            .map(|q| cues(&p, q, None, 0, MAX_CUES))
            .collect();
        assert!(picks.len() >= 4, "{picks:?}");
        assert!(picks.iter().all(|c| c.len() == MAX_CUES));
        // A weaker personalization keeps the strongest clauses: a prefix of the full pick.
        for q in ["a boat", "a gull"] {
            let all = cues(&p, q, None, 0, MAX_CUES);
            for max in 1..MAX_CUES {
                assert_eq!(cues(&p, q, None, 0, max), all[..max].to_vec());
            }
        }
    }

    #[test]
    fn says_when_it_adds_nothing() {
        let p = Persona::new(PersonaDocument::with_text("I exist.")).unwrap();
        let g = run(&p, "a cat", None, 60, 0);
        assert_eq!(g.text, "a cat");
        assert_eq!(g.notes.len(), 1);
    }
}
