//! Saving a flawed answer without another model call: the clauses that carry a problem (a copied
//! biography or instruction, a phrase said again, chat, a heading) are cut out, a reworded
//! subject gets the prompt's own words back, and what is left is kept only when the guards find
//! nothing wrong with it. The model's other clauses, its taste for this subject, stay.

use super::guard::{restore_subject, Problem, CHAT_MARKERS};
use crate::text::words::{is_stop_word, words};

/// The clauses of `answer` (split at commas, semicolons and sentence ends), trimmed, none empty.
fn clauses(answer: &str) -> Vec<&str> {
    answer
        .split([',', ';', '.'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

/// Whether `clause`, as lower-case words, contains the run `phrase` (words joined by spaces).
fn carries(clause: &str, phrase: &str) -> bool {
    let joined = words(clause).collect::<Vec<_>>().join(" ");
    format!(" {joined} ").contains(&format!(" {phrase} "))
}

/// The answer without its heading ("Night Market: a stall of ..." gives "a stall of ...").
fn without_heading(answer: &str) -> &str {
    match answer.split_once(':') {
        Some((head, rest)) if head.split_whitespace().count() <= 8 && !rest.trim().is_empty() => {
            rest.trim()
        }
        _ => answer,
    }
}

/// Pronouns and demonstratives that open a model's sentences ("She wears ...", "Its walls ...").
const PRONOUNS: [&str; 14] = [
    "she", "he", "her", "his", "they", "their", "it", "its", "we", "our", "this", "these", "those",
    "there",
];

/// A sentence of the answer as it continues the joined one: a capital on a function word that
/// opened the sentence ("She wears", "The light") is lowered; other words (names) keep theirs.
fn continues(clause: &str) -> String {
    let first = clause.split_whitespace().next().unwrap_or("");
    let lowered = first.to_lowercase();
    if first != lowered && (is_stop_word(&lowered) || PRONOUNS.contains(&lowered.as_str())) {
        format!("{lowered}{}", &clause[first.len()..])
    } else {
        clause.to_string()
    }
}

/// The answer with the clauses that carry `problems` cut out and, when the subject is missing,
/// the prompt's words put back as its first clause or in front; at least two of the model's
/// clauses must stay. `check` is the guards' verdict on a candidate; None when no candidate
/// passes it or when a problem is not one a cut can fix (an answer with nothing added, say).
pub fn salvage(
    answer: &str,
    prompt: &str,
    problems: &[Problem],
    check: impl Fn(&str) -> Vec<Problem>,
) -> Option<String> {
    if problems.iter().any(|p| matches!(p, Problem::Bare)) {
        return None;
    }
    let text = if problems.contains(&Problem::Title) {
        without_heading(answer)
    } else {
        answer
    };
    let mut kept: Vec<&str> = Vec::new();
    for clause in clauses(text) {
        let lower = clause.to_lowercase();
        let cut = problems.iter().any(|p| match p {
            Problem::Biography(run) | Problem::Instruction(run) => carries(clause, run),
            // The first clause with a repeated phrase stays; a later one saying it again goes.
            Problem::Repetition(run) => {
                kept.iter().any(|k| carries(k, run)) && carries(clause, run)
            }
            Problem::Chatty => CHAT_MARKERS.iter().any(|m| lower.contains(m)),
            _ => false,
        });
        if !cut {
            kept.push(clause);
        }
    }
    let cut = kept
        .iter()
        .enumerate()
        .map(|(i, c)| if i == 0 { c.to_string() } else { continues(c) })
        .collect::<Vec<_>>()
        .join(", ");
    let prompt = prompt.trim().trim_end_matches(['.', ',', ';']).trim();
    // Each candidate with the number of the model's clauses it keeps: fewer than two is no
    // longer the model's answer but the prompt with a word or two, and a retry does better.
    let candidates = [
        (Some(cut.clone()), kept.len()),
        // The clauses after the first already continue the sentence.
        (restore_subject(&cut, prompt), kept.len().saturating_sub(1)),
        (Some(format!("{prompt}, {}", continues(&cut))), kept.len()),
    ];
    candidates
        .into_iter()
        .filter(|(_, own)| *own >= MIN_KEPT)
        .filter_map(|(c, _)| c)
        .find(|c| check(c).is_empty())
}

/// The fewest of the model's own clauses a saved answer keeps.
const MIN_KEPT: usize = 2;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persona::Persona;
    use crate::rewrite::guard::inspect;

    fn persona() -> Persona {
        Persona::from_text(
            "I work the night shift at a convenience store in Osaka and I love old jazz records.",
        )
        .unwrap()
    }

    fn save(answer: &str, prompt: &str) -> Option<String> {
        let p = persona();
        let check = |t: &str| inspect(t, prompt, &p, "");
        let problems = check(answer);
        assert!(
            !problems.is_empty(),
            "the case must have a problem: {answer}"
        );
        salvage(answer, prompt, &problems, check)
    }

    #[test]
    fn a_copied_biography_clause_is_cut_and_the_rest_kept() {
        let answer = "a cat on a windowsill, the night shift at a convenience store in osaka, \
                      blue neon light, rain on the glass";
        assert_eq!(
            save(answer, "a cat on a windowsill").as_deref(),
            Some("a cat on a windowsill, blue neon light, rain on the glass")
        );
    }

    #[test]
    fn a_sentence_joined_to_the_prompt_continues_it_but_names_keep_their_capitals() {
        let answer = "an old woman on a bench. She wears a red shawl. Accra light at dusk";
        assert_eq!(
            save(answer, "a portrait of an old woman").as_deref(),
            Some("a portrait of an old woman, she wears a red shawl, Accra light at dusk")
        );
    }

    #[test]
    fn a_phrase_said_again_loses_its_second_clause() {
        let answer = "a lighthouse at dawn, soft pink light, calm grey sea, soft pink light again";
        assert_eq!(
            save(answer, "a lighthouse at dawn").as_deref(),
            Some("a lighthouse at dawn, soft pink light, calm grey sea")
        );
    }

    #[test]
    fn a_heading_goes_and_a_lost_subject_comes_back() {
        let answer = "Quiet Harbour: small boats at dusk, warm lantern light, mist";
        assert_eq!(
            save(answer, "a fishing village").as_deref(),
            Some("a fishing village, warm lantern light, mist")
        );
    }

    #[test]
    fn an_answer_with_too_little_left_or_nothing_added_is_not_saved() {
        assert_eq!(
            save("the night shift at a convenience store in osaka", "a cat"),
            None
        );
        assert_eq!(save("Windowsill Dreams: A Quiet Afternoon", "a cat"), None);
        assert_eq!(
            save("a serene scene, a serene scene, a serene scene", "a cat"),
            None
        );
        assert_eq!(save("a street at night, dark", "a street at night"), None);
    }
}
