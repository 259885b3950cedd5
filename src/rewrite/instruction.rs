//! The role-play instruction: the persona as "who you are", the task, and k-shot turns.

use crate::llm::{ChatMessage, Role};
use crate::persona::{role_play, Example, Facet, Persona};
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
pub const TASK: &str =
    "Your task: you get a prompt for an image generator. Rewrite it the way you \
    would want that picture made for you. Keep its subject and every thing it names. Add what fits \
    your taste for this kind of subject: light, colours, composition, medium, details and mood. \
    Describe only the picture; never describe yourself or your life.";

/// The chat for one rewrite: a system instruction, k-shot user/assistant turns, the prompt.
pub fn build_messages(
    persona: &Persona,
    prompt: &str,
    facet: Option<&Facet>,
    examples: &[&Example],
    word_budget: usize,
) -> Vec<ChatMessage> {
    let mut system = String::from(
        "You are role-playing a real person. This is who you are, in your own words:\n\n",
    );
    system.push_str(&role_play(persona));
    system.push_str("\n\n");
    if let Some(f) = facet {
        system.push_str(&format!(
            "When you picture {}, you want: {}.\n\n",
            f.context.trim(),
            f.style.trim().trim_end_matches('.')
        ));
    }
    let history: Vec<&str> = examples
        .iter()
        .filter(|e| e.rewrite.is_none())
        .map(|e| e.prompt.as_str())
        .collect();
    if !history.is_empty() {
        system.push_str(&format!(
            "Prompts you have written before: {}.\n\n",
            history.join("; ")
        ));
    }
    system.push_str(TASK);
    system.push_str(&format!(
        "\n\nReply with the rewritten prompt only: one line of at most {word_budget} words, no \
         title, no preamble, no quotes, no explanation."
    ));
    let mut messages = vec![ChatMessage::new(Role::System, system)];
    for e in examples {
        if let Some(r) = &e.rewrite {
            messages.push(ChatMessage::new(
                Role::User,
                format!("Image prompt: {}", e.prompt.trim()),
            ));
            messages.push(ChatMessage::new(Role::Assistant, r.trim()));
        }
    }
    messages.push(ChatMessage::new(
        Role::User,
        format!("Image prompt: {}", prompt.trim()),
    ));
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
    fn messages_have_the_persona_the_facet_and_the_shots() {
        let p = persona();
        let facet = Facet {
            context: "food".into(),
            style: "terracotta and chili reds.".into(),
        };
        let ex = pick_examples(&p, &[], "a bowl of soup", 3);
        let m = build_messages(&p, " a bowl of soup ", Some(&facet), &ex, 40);
        assert_eq!(m.len(), 1 + 2 * 2 + 1);
        assert!(m[0].content.contains("I'm a ceramicist in Oaxaca."));
        assert!(m[0]
            .content
            .contains("When you picture food, you want: terracotta and chili reds.\n"));
        assert!(m[0]
            .content
            .contains("Prompts you have written before: a market."));
        assert!(m[0].content.contains("at most 40 words"));
        assert_eq!(m[1].content, "Image prompt: a bowl of fruit");
        assert_eq!(m[2].role, Role::Assistant);
        assert_eq!(m.last().unwrap().content, "Image prompt: a bowl of soup");
    }
}
