//! Visual taste inferred by a language model: a few-shot instruction that asks for the places,
//! colours, light, motifs, styles and mood a person would love, and a filter that keeps only
//! short, visual, non-repeating phrases that do not copy the persona's own words.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::error::Result;
use crate::llm::{ChatMessage, GenerationRequest, Role, SamplingParams, TextBackend};
use crate::persona::Persona;
use crate::text::words::{content_words, words};

/// Phrases kept from one answer at most.
pub const MAX_PHRASES: usize = 8;
/// Fewer phrases than this and the answer is not used.
const MIN_PHRASES: usize = 2;
/// Words in one phrase at most.
const MAX_PHRASE_WORDS: usize = 7;

#[derive(Deserialize)]
struct Shot {
    person: String,
    taste: String,
}

#[derive(Deserialize, Default)]
struct Elicitation {
    instruction: String,
    shots: Vec<Shot>,
    visual_words: BTreeSet<String>,
}

fn data() -> &'static Elicitation {
    static D: OnceLock<Elicitation> = OnceLock::new();
    D.get_or_init(|| serde_json::from_str(include_str!("elicitation.json")).unwrap_or_default())
}

/// Who the persona is, as the model is told: its text, interests and earlier prompts.
fn person(persona: &Persona) -> String {
    let doc = persona.document();
    let mut out = doc.text.trim().to_string();
    let lower = out.to_lowercase();
    let interests: Vec<&str> = doc
        .traits
        .interests
        .iter()
        .map(|i| i.trim())
        .filter(|i| !i.is_empty() && !lower.contains(&i.to_lowercase()))
        .collect();
    if !interests.is_empty() {
        out.push_str(&format!(" I care about {}.", interests.join(", ")));
    }
    let asked: Vec<&str> = doc
        .examples
        .iter()
        .take(5)
        .map(|e| e.prompt.trim())
        .collect();
    if !asked.is_empty() {
        out.push_str(&format!(
            " Pictures I have asked for: {}.",
            asked.join("; ")
        ));
    }
    out
}

/// The few-shot chat that asks for the persona's visual taste.
pub fn messages(persona: &Persona) -> Vec<ChatMessage> {
    let d = data();
    let mut m = vec![ChatMessage::new(Role::System, d.instruction.clone())];
    for s in &d.shots {
        m.push(ChatMessage::new(
            Role::User,
            format!("Person: {}", s.person),
        ));
        m.push(ChatMessage::new(Role::Assistant, s.taste.clone()));
    }
    m.push(ChatMessage::new(
        Role::User,
        format!("Person: {}", person(persona)),
    ));
    m
}

/// The phrases of an answer worth keeping, and the ones dropped. A phrase is kept when it has
/// one to seven words, at least one of them visual (a colour, a kind of light, a medium, a
/// material, a setting, a mood), no word twice, three or more words not copied from the persona,
/// and content words that an earlier phrase does not already cover.
pub fn parse(answer: &str, persona: &Persona) -> (Vec<String>, Vec<String>) {
    let visual = &data().visual_words;
    let own: Vec<String> = words(&person(persona)).collect();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let (mut kept, mut dropped) = (Vec::new(), Vec::new());
    for raw in answer.split([',', ';', '\n']) {
        let phrase = raw
            .trim()
            .trim_start_matches(|c: char| c.is_ascii_digit() || "-*•.) ".contains(c))
            .trim_matches(|c: char| "\"'`.!".contains(c))
            .trim()
            .to_string();
        if phrase.is_empty() {
            continue;
        }
        let w: Vec<String> = words(&phrase).collect();
        let distinct: BTreeSet<&String> = w.iter().collect();
        let content: BTreeSet<String> = content_words(&phrase).into_iter().collect();
        let copied = w.len() >= 3 && own.windows(3).any(|o| w.windows(3).any(|x| x == o));
        let ok = !w.is_empty()
            && w.len() <= MAX_PHRASE_WORDS
            && distinct.len() == w.len()
            && w.iter().any(|x| visual.contains(x))
            && !copied
            && !content.is_empty()
            && !content.is_subset(&seen)
            && kept.len() < MAX_PHRASES;
        if ok {
            seen.extend(content);
            kept.push(phrase);
        } else {
            dropped.push(phrase);
        }
    }
    (kept, dropped)
}

/// Asks `backend` for the persona's visual taste: up to [`MAX_PHRASES`] phrases, or none when
/// two answers (the second with another seed) gave fewer than two usable ones.
pub fn elicit_with_model(
    backend: &dyn TextBackend,
    persona: &Persona,
    seed: u64,
) -> Result<Vec<String>> {
    let messages = messages(persona);
    for attempt in 0..2u64 {
        let params = SamplingParams {
            seed: seed ^ (attempt * 0x5441_5354_4500_0001),
            temperature: 0.3,
            max_new_tokens: 96,
            stop: vec!["\n".into()],
            ..SamplingParams::default()
        };
        let request = GenerationRequest {
            messages: &messages,
            params: &params,
            cancel: None,
            on_token: None,
        };
        let answer = backend.generate(&request)?;
        let (kept, dropped) = parse(&answer.text, persona);
        log::debug!("taste from the model: kept {kept:?}, dropped {dropped:?}");
        if kept.len() >= MIN_PHRASES {
            return Ok(kept);
        }
    }
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persona::PersonaDocument;

    fn persona() -> Persona {
        let mut doc = PersonaDocument::with_text(
            "I'm a monk in Thailand. I sweep the temple garden every morning.",
        );
        doc.traits.interests = vec!["meditation".into()];
        Persona::new(doc).unwrap()
    }

    #[test]
    fn the_instruction_has_the_shots_and_the_person() {
        let m = messages(&persona());
        assert_eq!(m.len(), 2 + 2 * data().shots.len());
        let last = &m.last().unwrap().content;
        assert!(
            last.starts_with("Person: I'm a monk in Thailand."),
            "{last}"
        );
        assert!(last.ends_with("I care about meditation."), "{last}");
        assert!(data().visual_words.len() > 200);
    }

    #[test]
    fn only_short_visual_new_phrases_are_kept() {
        let answer = "1. forest monastery, soft soft sunlight, saffron robes in misty light, \
            efficient and well-organized, sweep the temple garden every morning, Forest Monastery, \
            quiet contemplative mood, a very long phrase about golden light that goes on and on";
        let (kept, dropped) = parse(answer, &persona());
        assert_eq!(
            kept,
            vec![
                "forest monastery",
                "saffron robes in misty light",
                "quiet contemplative mood"
            ]
        );
        assert_eq!(dropped.len(), 5, "{dropped:?}");
    }
}
