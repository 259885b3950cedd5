//! Guards on a model's rewrite: the degenerate outputs small models produce (phrase loops, the
//! persona's biography pasted in, the subject dropped, a title instead of a description, chat),
//! each named so that a retry can be told what to fix.

use std::collections::HashSet;

use crate::persona::Persona;
use crate::text::subject::subject_words;
use crate::text::words::{content_words, singular, words};

/// Something wrong with a rewrite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A phrase of three or more words occurs twice.
    Repetition(String),
    /// Five or more consecutive words of the persona's own text were copied in.
    Biography(String),
    /// Subject words of the original prompt are missing.
    SubjectMissing(Vec<String>),
    /// A title ("Cat on Windowsill: ...") rather than a description.
    Title,
    /// The model talked to the user instead of writing a prompt.
    Chatty,
    /// Four or more consecutive words of the instruction or of a built-in example were copied
    /// in.
    Instruction(String),
    /// Fewer than two words beyond the original prompt: no taste was added.
    Bare,
}

impl Problem {
    /// A short label for result records.
    pub fn label(&self) -> String {
        match self {
            Problem::Repetition(p) => format!("repeated phrase \"{p}\""),
            Problem::Biography(p) => format!("copied the persona's text \"{p}\""),
            Problem::SubjectMissing(w) => format!("lost the subject ({})", w.join(", ")),
            Problem::Title => "a title instead of a description".into(),
            Problem::Chatty => "chat instead of a prompt".into(),
            Problem::Instruction(p) => format!("copied the instruction \"{p}\""),
            Problem::Bare => "added nothing of the persona's taste".into(),
        }
    }

    /// What a retry's instruction says to fix this.
    pub fn correction(&self) -> String {
        match self {
            Problem::Repetition(p) => format!("Do not repeat phrases (you wrote \"{p}\" twice)."),
            Problem::Biography(_) => {
                "Do not describe yourself or copy your biography; describe only the picture.".into()
            }
            Problem::SubjectMissing(w) => {
                format!("Keep these words of the original prompt: {}.", w.join(", "))
            }
            Problem::Title => {
                "Write a description, not a title: no colon, no capitalized heading.".into()
            }
            Problem::Chatty => {
                "Answer with the prompt only: no greeting, apology or explanation.".into()
            }
            Problem::Instruction(_) => "Do not repeat these instructions; name the actual light, \
                colours and details you want."
                .into(),
            Problem::Bare => "Add the specific light, colours, setting and details you would want \
                in this picture."
                .into(),
        }
    }
}

/// Phrases that only a chatty reply contains.
pub(super) const CHAT_MARKERS: [&str; 10] = [
    "i'm sorry",
    "i am sorry",
    "i can't",
    "i cannot",
    "as an ai",
    "here is",
    "here's",
    "let me know",
    "i hope",
    "feel free",
];

/// Every problem of `rewrite` as a rewrite of `original` for `persona`, asked with an
/// instruction whose own words (and built-in examples) are `not_to_copy`.
pub fn inspect(
    rewrite: &str,
    original: &str,
    persona: &Persona,
    not_to_copy: &str,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let tokens: Vec<String> = words(rewrite).collect();
    if let Some(p) = repeated_phrase(&tokens, 3) {
        problems.push(Problem::Repetition(p));
    }
    if let Some(p) = copied_run(&tokens, &persona.document().text, original, 5) {
        problems.push(Problem::Biography(p));
    }
    let kept: HashSet<String> = tokens.iter().map(|w| singular(w)).collect();
    let subject = subject_words(original);
    let required = if subject.is_empty() {
        content_words(original)
    } else {
        subject
    };
    let missing: Vec<String> = required.into_iter().filter(|w| !kept.contains(w)).collect();
    if !missing.is_empty() {
        problems.push(Problem::SubjectMissing(missing));
    }
    if is_title(rewrite) {
        problems.push(Problem::Title);
    }
    let lower = rewrite.to_lowercase();
    if CHAT_MARKERS.iter().any(|m| lower.contains(m)) {
        problems.push(Problem::Chatty);
    }
    if let Some(p) = copied_run(&tokens, not_to_copy, original, 4) {
        problems.push(Problem::Instruction(p));
    }
    let before: HashSet<String> = content_words(original).into_iter().collect();
    let added = content_words(rewrite)
        .into_iter()
        .filter(|w| !before.contains(w))
        .collect::<HashSet<_>>()
        .len();
    if added < 2 {
        problems.push(Problem::Bare);
    }
    problems
}

/// The answer with the prompt's own words put back as its first clause, when the answer's only
/// problem is a subject it reworded ("a busy alleyway in rain, neon signs ..." for "a rainy
/// street at night"): the prompt, then the answer's clauses after its first. None when the answer
/// has no clause to keep.
pub fn restore_subject(answer: &str, prompt: &str) -> Option<String> {
    let clauses: Vec<&str> = answer
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    if clauses.len() < 2 {
        return None;
    }
    let prompt = prompt.trim().trim_end_matches(['.', ',', ';']).trim();
    Some(format!("{prompt}, {}", clauses[1..].join(", ")))
}

/// The first run of `n` words, not all stop words, that occurs twice (overlaps included: "soft
/// soft soft soft" repeats "soft soft soft").
fn repeated_phrase(tokens: &[String], n: usize) -> Option<String> {
    let mut seen: HashSet<&[String]> = HashSet::new();
    tokens
        .windows(n)
        .filter(|w| !w.iter().all(|t| crate::text::words::is_stop_word(t)))
        .find(|w| !seen.insert(w))
        .map(|w| w.join(" "))
}

/// The first run of `n` words of `source` found in the rewrite that is not also in `original`
/// and is not made of function words only.
fn copied_run(tokens: &[String], source: &str, original: &str, n: usize) -> Option<String> {
    let source: Vec<String> = words(source).collect();
    let original: Vec<String> = words(original).collect();
    let runs: HashSet<&[String]> = source.windows(n).collect();
    let allowed: HashSet<&[String]> = original.windows(n).collect();
    tokens
        .windows(n)
        .find(|w| {
            runs.contains(w)
                && !allowed.contains(w)
                && !w.iter().all(|x| crate::text::words::is_stop_word(x))
        })
        .map(|w| w.join(" "))
}

/// A heading: a colon after a short capitalized run, or a short text in Title Case.
fn is_title(rewrite: &str) -> bool {
    let capitalized = |s: &str| {
        let ws: Vec<&str> = s.split_whitespace().collect();
        let caps = ws
            .iter()
            .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
            .count();
        !ws.is_empty() && caps * 10 >= ws.len() * 6 && ws.len() >= 2
    };
    if let Some((head, _)) = rewrite.split_once(':') {
        if head.split_whitespace().count() <= 8 && capitalized(head) {
            return true;
        }
    }
    rewrite.split_whitespace().count() <= 10 && capitalized(rewrite) && !rewrite.contains(',')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rewrite::instruction::TASK;

    fn inspect(rewrite: &str, original: &str, persona: &Persona) -> Vec<Problem> {
        super::inspect(rewrite, original, persona, TASK)
    }

    fn persona() -> Persona {
        Persona::from_text(
            "I work the night shift at a convenience store in Osaka and I love old jazz records.",
        )
        .unwrap()
    }

    #[test]
    fn a_good_rewrite_has_no_problems() {
        let r = "a cat asleep on a windowsill, blue hour light, soft film grain, quiet mood";
        assert_eq!(
            inspect(r, "a cat sleeping on a windowsill", &persona()),
            vec![]
        );
    }

    #[test]
    fn loops_biographies_lost_subjects_titles_and_chat_are_named() {
        let p = persona();
        let loops = "a lighthouse at dawn, a serene scene, a serene beauty, a serene scene";
        assert!(matches!(
            inspect(loops, "a lighthouse at dawn", &p)[..],
            [Problem::Repetition(_)]
        ));
        let bio = "a cat, a night shift at a convenience store in osaka, neon";
        assert!(inspect(bio, "a cat", &p)
            .iter()
            .any(|x| matches!(x, Problem::Biography(_))));
        let lost = "soft light on a windowsill, film grain";
        assert_eq!(
            inspect(lost, "a cat on a windowsill", &p),
            vec![Problem::SubjectMissing(vec!["cat".into()])]
        );
        let title = "Cat on Windowsill: A Picture of a Cat on a Windowsill";
        assert!(inspect(title, "a cat on a windowsill", &p).contains(&Problem::Title));
        let chat = "a cat on a windowsill. I hope you like it!";
        assert!(inspect(chat, "a cat on a windowsill", &p).contains(&Problem::Chatty));
        let parrot =
            "portrait of my grandmother that keeps every word of the subject, adds details";
        assert!(inspect(parrot, "portrait of my grandmother", &p)
            .iter()
            .any(|x| matches!(x, Problem::Instruction(_))));
        assert!(
            inspect("a street at night, dark", "a street at night", &p).contains(&Problem::Bare)
        );
    }

    #[test]
    fn a_reworded_subject_is_restored_from_the_prompt() {
        let answer = "a busy alleyway in rain, neon signs on the wet road, deep shadows";
        let fixed = restore_subject(answer, "a rainy street at night.").unwrap();
        assert_eq!(
            fixed,
            "a rainy street at night, neon signs on the wet road, deep shadows"
        );
        assert_eq!(
            inspect(&fixed, "a rainy street at night", &persona()),
            vec![]
        );
        assert_eq!(restore_subject("a busy alleyway in rain", "a street"), None);
    }

    #[test]
    fn plural_and_singular_subjects_match() {
        let r = "two cats on windowsills at dusk, warm light";
        assert_eq!(inspect(r, "a cat on a windowsill", &persona()), vec![]);
    }
}
