//! The `compose` method: model-free and deterministic. The prompt as written, then the persona's
//! taste clauses for its subject ([`cues`]) while they fit the word budget. This is all the
//! `rules` backend does, and the guards' last fallback for the model methods.

use super::cues::cues;
use crate::persona::{Facet, Persona};
use crate::text::words::word_count;

/// A composed rewrite and what happened on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    /// The prompt with the clauses added.
    pub text: String,
    /// Remarks for the result record (nothing added, and why).
    pub notes: Vec<String>,
}

/// What one composition needs.
#[derive(Debug, Clone, Copy)]
pub struct ComposeTask<'a> {
    /// Who the rewrite is for (with its taste filled in).
    pub persona: &'a Persona,
    /// The user's prompt.
    pub prompt: &'a str,
    /// The facet chosen for this prompt's subject, if any.
    pub facet: Option<&'a Facet>,
    /// Most words the rewrite may have.
    pub word_budget: usize,
    /// Most taste clauses to add (1 to [`super::cues::MAX_CUES`]).
    pub taste_clauses: usize,
    /// The call's seed.
    pub seed: u64,
}

/// A clause as it continues a sentence: a capital that only opens the clause ("Saturated neon
/// colours") is lowered; acronyms and names in capitals ("LED", "UN blue") are kept.
fn mid_sentence(clause: &str) -> String {
    let mut chars = clause.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => first
            .to_lowercase()
            .chain(clause[first.len_utf8()..].chars())
            .collect(),
        _ => clause.to_string(),
    }
}

/// The prompt with the persona's taste clauses appended.
pub fn compose(task: &ComposeTask<'_>) -> Composed {
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
            text.push_str(&mid_sentence(&clause));
            added += 1;
        }
    }
    if added == 0 && notes.is_empty() {
        notes.push(
            "the persona has no facets, aesthetics or affect that fit; the prompt is unchanged"
                .into(),
        );
    }
    Composed { text, notes }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::persona::PersonaDocument;
    use crate::rewrite::cues::MAX_CUES;

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

    fn run(p: &Persona, prompt: &str, facet: Option<&Facet>, budget: usize, seed: u64) -> Composed {
        compose(&ComposeTask {
            persona: p,
            prompt,
            facet,
            word_budget: budget,
            taste_clauses: MAX_CUES,
            seed,
        })
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
    fn clauses_continue_the_sentence() {
        let mut doc = PersonaDocument::with_text("I love neon.");
        doc.traits.aesthetics = vec!["Saturated neon night colours".into()];
        let p = Persona::new(doc).unwrap();
        let g = run(&p, "a street", None, 60, 0);
        assert_eq!(g.text, "a street, saturated neon night colours");
        assert_eq!(mid_sentence("LED signs"), "LED signs");
        assert_eq!(mid_sentence("Éclat"), "éclat");
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
