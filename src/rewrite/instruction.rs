//! The rewrite instructions: for `taste`, the task, k-shot turns and the subject with the
//! persona's taste for it; for `roleplay`, the persona as the one who speaks, their own past
//! prompts as k-shot turns and the prompt to rewrite.

use super::cues::cues;
use super::facet::choose_facet;
use crate::llm::{ChatMessage, Role};
use crate::persona::{role_play, Example, Facet, Persona};
use crate::text::subject::fit;

/// The chat for one rewrite and the text an answer must not copy from (the instruction and any
/// built-in example: the guards check it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// System turn, k-shot turns, then the prompt's turn.
    pub messages: Vec<ChatMessage>,
    /// The instruction's own words and the built-in examples' answers.
    pub not_to_copy: String,
}

/// Whether two prompts are the same but for case, spaces and end punctuation.
fn same_prompt(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.trim()
            .trim_end_matches(['.', ',', ';', '!'])
            .split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    norm(a) == norm(b)
}

/// Picks up to `k` examples: the call's own first, then the persona's that fit the prompt best,
/// shown in the persona's order (so that one persona's chats start alike whatever the prompt, and
/// a backend's prefix cache serves their start). An example of this very prompt is left out:
/// shown its answer, a model returns it for every seed.
pub fn pick_examples<'a>(
    persona: &'a Persona,
    call_examples: &'a [Example],
    prompt: &str,
    k: usize,
) -> Vec<&'a Example> {
    let own: Vec<&Example> = call_examples
        .iter()
        .filter(|e| !same_prompt(&e.prompt, prompt))
        .take(k)
        .collect();
    let mut ranked: Vec<(u32, usize, &Example)> = persona
        .document()
        .examples
        .iter()
        .enumerate()
        .filter(|(_, e)| !same_prompt(&e.prompt, prompt))
        .map(|(i, e)| (fit(prompt, &e.prompt), i, e))
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.truncate(k - own.len());
    ranked.sort_by_key(|&(_, i, _)| i);
    own.into_iter()
        .chain(ranked.into_iter().map(|(_, _, e)| e))
        .collect()
}

/// The seed of the taste clauses shown with the persona's own examples: fixed, so that their
/// turns are the same for every seed (the call's seed varies the prompt's own clauses).
const SHOT_SEED: u64 = 0;

/// The `taste` task as the instruction states it (the guards check that answers do not parrot
/// it).
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

/// The `taste` chat for one rewrite. The persona speaks through its taste (`cues`, the clauses
/// of its profile that fit this subject, see [`super::cues::cues`]), not through its biography,
/// which small models copy into the picture: a system instruction, k-shot turns (the persona's
/// examples with rewrites, else built-in ones), then the subject and the style.
pub fn taste_instruction(
    persona: &Persona,
    prompt: &str,
    facet: Option<&Facet>,
    examples: &[&Example],
    word_budget: usize,
    taste_clauses: usize,
    seed: u64,
) -> Instruction {
    let system = format!(
        "{TASK}\n\nReply with the prompt only: one line of at most {word_budget} words, no title, \
         no preamble, no quotes, no explanation."
    );
    let mut not_to_copy = system.clone();
    let mut messages = vec![ChatMessage::new(Role::System, system)];
    let own: Vec<&&Example> = examples.iter().filter(|e| e.rewrite.is_some()).collect();
    if own.is_empty() {
        for s in shots() {
            let style: Vec<String> = s.style.split(", ").map(str::to_string).collect();
            messages.push(ChatMessage::new(Role::User, ask(&s.subject, &style)));
            messages.push(ChatMessage::new(Role::Assistant, s.prompt.clone()));
            not_to_copy.push('\n');
            not_to_copy.push_str(&s.prompt);
        }
    }
    for e in own {
        if let Some(r) = &e.rewrite {
            let facet = choose_facet(persona, &e.prompt);
            let style = cues(persona, &e.prompt, facet, SHOT_SEED, taste_clauses);
            messages.push(ChatMessage::new(Role::User, ask(&e.prompt, &style)));
            messages.push(ChatMessage::new(Role::Assistant, r.trim()));
        }
    }
    let style = cues(persona, prompt, facet, seed, taste_clauses);
    messages.push(ChatMessage::new(Role::User, ask(prompt, &style)));
    Instruction {
        messages,
        not_to_copy,
    }
}

/// What the `roleplay` instruction asks of the person, after who they are (the guards check
/// that answers do not parrot it).
pub const ROLEPLAY_TASK: &str = "You are the person described above, and you asked an image \
    generator for a picture. Rewrite your prompt the way you would want the picture: keep its \
    subject, and add the setting, light, colours, composition and mood that you, with your life \
    and your taste, would choose for this subject. Describe only the picture, never yourself.";

/// The `roleplay` chat for one rewrite, as in the paper: the persona in the first person with
/// its traits ([`role_play`]) as the system turn with the task, the person's own past prompts
/// and rewrites as k-shot turns, then the prompt. The model decides what of the taste fits.
pub fn roleplay_instruction(
    persona: &Persona,
    prompt: &str,
    examples: &[&Example],
    word_budget: usize,
) -> Instruction {
    let task = format!(
        "{ROLEPLAY_TASK}\n\nReply with the prompt only: one line of at most {word_budget} words, \
         no title, no preamble, no quotes, no explanation."
    );
    let system = format!("{}\n\n{task}", role_play(persona));
    let mut messages = vec![ChatMessage::new(Role::System, system)];
    for e in examples {
        if let Some(r) = &e.rewrite {
            messages.push(ChatMessage::new(Role::User, e.prompt.trim()));
            messages.push(ChatMessage::new(Role::Assistant, r.trim()));
        }
    }
    messages.push(ChatMessage::new(Role::User, prompt.trim()));
    Instruction {
        messages,
        not_to_copy: task,
    }
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
        let m = taste_instruction(&p, " a bowl of soup ", Some(&facet), &ex, 40, 3, 0).messages;
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
        let built = taste_instruction(&bare, "a cat", None, &[], 40, 3, 0);
        let m = &built.messages;
        assert_eq!(m.len(), 1 + 2 * shots().len() + 1);
        assert_eq!(m.last().unwrap().content, "Subject: a cat");
        // The built-in answers are text an answer must not copy.
        assert!(shots()
            .iter()
            .all(|s| built.not_to_copy.contains(&s.prompt)));
    }

    #[test]
    fn the_chat_starts_alike_for_every_prompt_and_seed_of_a_persona() {
        let p = Persona::from_file("examples/personas/kenji-osaka.json").unwrap();
        let chat = |prompt: &str, seed: u64| {
            let ex = pick_examples(&p, &[], prompt, 3);
            taste_instruction(&p, prompt, choose_facet(&p, prompt), &ex, 60, 3, seed).messages
        };
        // "a bowl of ramen" fits the persona's third example best; it is still shown third.
        let picked = pick_examples(&p, &[], "a bowl of ramen soup", 3);
        let order: Vec<&str> = picked.iter().map(|e| e.prompt.as_str()).collect();
        assert_eq!(
            order,
            [
                "a cat on a windowsill",
                "a train station at night",
                "a bowl of ramen"
            ]
        );
        let a = chat("a bowl of ramen soup", 0);
        let b = chat("a quiet harbour", 7);
        let turns = a.len() - 1;
        assert_eq!(b.len() - 1, turns);
        assert_eq!(a[..turns], b[..turns], "only the last turn differs");
        assert_ne!(a[turns], b[turns]);
    }

    #[test]
    fn an_example_of_this_very_prompt_is_not_shown() {
        let p = persona();
        let picked = pick_examples(&p, &[], "A bowl of fruit.", 3);
        assert!(
            picked.iter().all(|e| e.prompt != "a bowl of fruit"),
            "{picked:?}"
        );
        assert_eq!(picked.len(), 2);
    }

    #[test]
    fn roleplay_gives_the_persona_its_history_and_the_prompt() {
        let mut doc =
            PersonaDocument::with_text("I'm a ceramicist in Oaxaca. I fire clay at dawn.");
        doc.traits.interests = vec!["pottery".into(), "mezcal".into()];
        doc.traits.affect = vec!["patient".into()];
        doc.examples = vec![
            Example {
                prompt: "a bowl of fruit".into(),
                rewrite: Some("a clay bowl of mangoes, warm light".into()),
            },
            Example {
                prompt: "a market".into(),
                rewrite: None,
            },
        ];
        let p = Persona::new(doc).unwrap();
        let ex = pick_examples(&p, &[], "a bowl of soup", 3);
        let built = roleplay_instruction(&p, " a bowl of soup ", &ex, 40);
        let m = &built.messages;
        assert_eq!(m.len(), 1 + 2 + 1, "{m:?}");
        let system = &m[0].content;
        assert!(
            system.starts_with("I'm a ceramicist in Oaxaca. I fire clay at dawn."),
            "{system}"
        );
        assert!(
            system.contains("What I care about: pottery, mezcal."),
            "{system}"
        );
        assert!(system.contains("My temperament: patient."), "{system}");
        assert!(system.contains(ROLEPLAY_TASK) && system.contains("at most 40 words"));
        assert_eq!(
            (m[1].role, m[1].content.as_str()),
            (Role::User, "a bowl of fruit")
        );
        assert_eq!(m[2].content, "a clay bowl of mangoes, warm light");
        assert_eq!(
            (m[3].role, m[3].content.as_str()),
            (Role::User, "a bowl of soup")
        );
        assert!(built.not_to_copy.contains(ROLEPLAY_TASK));
        assert!(
            !built.not_to_copy.contains("ceramicist"),
            "the persona is checked apart"
        );
    }
}
