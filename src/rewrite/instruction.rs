//! The rewrite instruction: the task, k-shot turns, and the subject with the persona's taste for
//! it.

use super::facet::choose_facet;
use crate::llm::rules::cues;
use crate::llm::{ChatMessage, Role};
use crate::persona::{Example, Facet, Persona};
use crate::text::subject::fit;

/// Picks up to `k` examples: the call's own first, then the persona's that fit the prompt best.
pub fn pick_examples<'a>(
    persona: &'a Persona,
    call_examples: &'a [Example],
    prompt: &str,
    k: usize,
) -> Vec<&'a Example> {
    let mut ranked: Vec<(u32, usize, &Example)> = persona
        .document()
        .examples
        .iter()
        .enumerate()
        .map(|(i, e)| (fit(prompt, &e.prompt), i, e))
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    call_examples
        .iter()
        .chain(ranked.into_iter().map(|(_, _, e)| e))
        .take(k)
        .collect()
}

/// The task as the instruction states it (the guards check that answers do not parrot it).
pub const TASK: &str = "You write prompts for an image generator. You get the subject of a \
    picture and the style the person who asked for it loves. Write one vivid prompt that keeps \
    every word of the subject, adds details of this subject, and weaves in the style where it \
    fits. Describe only the picture.";

/// One built-in example of the task (used when the persona has no examples of its own).
#[derive(serde::Deserialize)]
struct Shot {
    subject: String,
    style: String,
    prompt: String,
}

fn shots() -> &'static [Shot] {
    static SHOTS: std::sync::OnceLock<Vec<Shot>> = std::sync::OnceLock::new();
    SHOTS.get_or_init(|| serde_json::from_str(include_str!("shots.json")).unwrap_or_default())
}

/// The user turn of one rewrite: the subject and the style.
fn ask(subject: &str, style: &[String]) -> String {
    if style.is_empty() {
        format!("Subject: {}", subject.trim())
    } else {
        format!("Subject: {}\nStyle: {}", subject.trim(), style.join(", "))
    }
}

/// The chat for one rewrite. The persona speaks through its taste (`cues`, the clauses of its
/// profile that fit this subject, see [`crate::llm::rules::cues`]), not through its biography,
/// which small models copy into the picture: a system instruction, k-shot turns (the persona's
/// examples with rewrites, else built-in ones), then the subject and the style.
pub fn build_messages(
    persona: &Persona,
    prompt: &str,
    facet: Option<&Facet>,
    examples: &[&Example],
    word_budget: usize,
    taste_clauses: usize,
    seed: u64,
) -> Vec<ChatMessage> {
    let system = format!(
        "{TASK}\n\nReply with the prompt only: one line of at most {word_budget} words, no title, \
         no preamble, no quotes, no explanation."
    );
    let mut messages = vec![ChatMessage::new(Role::System, system)];
    let own: Vec<&&Example> = examples.iter().filter(|e| e.rewrite.is_some()).collect();
    if own.is_empty() {
        for s in shots() {
            let style: Vec<String> = s.style.split(", ").map(str::to_string).collect();
            messages.push(ChatMessage::new(Role::User, ask(&s.subject, &style)));
            messages.push(ChatMessage::new(Role::Assistant, s.prompt.clone()));
        }
    }
    for e in own {
        if let Some(r) = &e.rewrite {
            let facet = choose_facet(persona, &e.prompt);
            let style = cues(persona, &e.prompt, facet, seed, taste_clauses);
            messages.push(ChatMessage::new(Role::User, ask(&e.prompt, &style)));
            messages.push(ChatMessage::new(Role::Assistant, r.trim()));
        }
    }
    let style = cues(persona, prompt, facet, seed, taste_clauses);
    messages.push(ChatMessage::new(Role::User, ask(prompt, &style)));
    messages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persona::PersonaDocument;

    fn persona() -> Persona {
        let mut doc = PersonaDocument::with_text("I'm a ceramicist in Oaxaca.");
        doc.examples = vec![
            Example {
                prompt: "a bowl of fruit".into(),
                rewrite: Some("a clay bowl of mangoes, warm light".into()),
            },
            Example {
                prompt: "my dog sleeping".into(),
                rewrite: Some("my dog asleep on a woven petate".into()),
            },
            Example {
                prompt: "a market".into(),
                rewrite: None,
            },
        ];
        Persona::new(doc).unwrap()
    }

    #[test]
    fn examples_fit_the_prompt_and_call_examples_come_first() {
        let p = persona();
        let picked = pick_examples(&p, &[], "a puppy on a rug", 1);
        assert_eq!(picked[0].prompt, "my dog sleeping");
        let own = [Example {
            prompt: "x".into(),
            rewrite: Some("y".into()),
        }];
        let picked = pick_examples(&p, &own, "a puppy", 2);
        assert_eq!(
            (picked[0].prompt.as_str(), picked[1].prompt.as_str()),
            ("x", "my dog sleeping")
        );
        assert!(pick_examples(&p, &own, "a puppy", 0).is_empty());
    }

    #[test]
    fn messages_have_the_subject_the_style_and_the_shots() {
        let mut doc = PersonaDocument::with_text("I'm a ceramicist in Oaxaca.");
        doc.traits.aesthetics = vec!["terracotta and chili reds".into()];
        doc.examples = vec![Example {
            prompt: "a bowl of fruit".into(),
            rewrite: Some("a clay bowl of mangoes, warm light".into()),
        }];
        let p = Persona::new(doc).unwrap();
        let facet = Facet {
            context: "food".into(),
            style: "woven textiles, adobe walls".into(),
        };
        let ex = pick_examples(&p, &[], "a bowl of soup", 3);
        let m = build_messages(&p, " a bowl of soup ", Some(&facet), &ex, 40, 3, 0);
        assert_eq!(m.len(), 1 + 2 + 1);
        assert!(m[0].content.starts_with(TASK));
        assert!(m[0].content.contains("at most 40 words"));
        assert!(
            !m[0].content.contains("ceramicist"),
            "no biography: {}",
            m[0].content
        );
        assert!(m[1]
            .content
            .starts_with("Subject: a bowl of fruit\nStyle: "));
        assert_eq!(m[2].role, Role::Assistant);
        let last = &m.last().unwrap().content;
        assert!(
            last.starts_with("Subject: a bowl of soup\nStyle: "),
            "{last}"
        );
        assert!(last.contains("terracotta and chili reds"), "{last}");
        assert!(
            last.contains("woven textiles") || last.contains("adobe walls"),
            "{last}"
        );
        // Without examples of its own, the built-in shots show the task.
        let bare = Persona::new(PersonaDocument::with_text("I'm a ceramicist.")).unwrap();
        let m = build_messages(&bare, "a cat", None, &[], 40, 3, 0);
        assert_eq!(m.len(), 1 + 2 * shots().len() + 1);
        assert_eq!(m.last().unwrap().content, "Subject: a cat");
    }
}
