//! Cleaning a model's raw output into one image prompt: reasoning blocks kept apart, preambles,
//! labels, markdown, quotes and trailing chatter removed, the word budget enforced.

use crate::text::words::{truncate_words, word_count};

/// A cleaned completion.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cleaned {
    /// The prompt, ready for the image model (may be empty when the model said nothing usable).
    pub text: String,
    /// The content of `<think>` blocks, if any.
    pub thinking: Option<String>,
    /// What the clean-up had to do, for the result record.
    pub notes: Vec<String>,
}

/// Opening words of a chatty preamble line ("Sure, here is the rewritten prompt:").
const PREAMBLE_STARTS: &[&str] = &[
    "sure",
    "certainly",
    "of course",
    "here is",
    "here's",
    "here are",
    "okay",
    "ok,",
    "ok.",
    "absolutely",
    "alright",
    "great",
    "as a ",
    "as someone",
];
/// Labels put before the prompt ("Rewritten prompt:").
const LABELS: &[&str] = &[
    "rewritten prompt",
    "revised prompt",
    "new prompt",
    "image prompt",
    "prompt",
    "rewrite",
    "final prompt",
    "output",
    "answer",
];
/// Openings of trailing chatter lines.
const CHATTER_STARTS: &[&str] = &[
    "let me know",
    "i hope",
    "feel free",
    "this prompt",
    "this version",
    "this rewrite",
    "note:",
    "(note",
    "enjoy",
    "i've ",
    "i have ",
    "in this ",
    "explanation",
];

/// Splits `<think>...</think>` (or `<thinking>`) blocks from the text. An unclosed opening tag
/// makes the rest thinking; a closing tag with no opening one makes everything before it thinking
/// (templates that open the block inside the prompt).
fn split_thinking(raw: &str) -> (String, Option<String>) {
    let mut text = String::new();
    let mut thinking: Vec<String> = Vec::new();
    let mut rest = raw;
    for close in ["</think>", "</thinking>"] {
        let open = &close.replace('/', "");
        if let (Some(c), None) = (rest.find(close), rest.find(open.as_str())) {
            thinking.push(rest[..c].trim().to_string());
            rest = &rest[c + close.len()..];
        }
    }
    loop {
        let open = ["<think>", "<thinking>"]
            .iter()
            .filter_map(|t| rest.find(t).map(|i| (i, *t)))
            .min();
        let Some((i, tag)) = open else {
            text.push_str(rest);
            break;
        };
        text.push_str(&rest[..i]);
        let after = &rest[i + tag.len()..];
        let close = tag.replace('<', "</");
        match after.find(&close) {
            Some(j) => {
                thinking.push(after[..j].trim().to_string());
                rest = &after[j + close.len()..];
            }
            None => {
                thinking.push(after.trim().to_string());
                break;
            }
        }
    }
    thinking.retain(|t| !t.is_empty());
    let thinking = (!thinking.is_empty()).then(|| thinking.join("\n\n"));
    (text, thinking)
}

fn strip_markdown(line: &str) -> String {
    let mut l = line.trim();
    l = l.trim_start_matches('#').trim_start();
    l = l.trim_start_matches('>').trim_start();
    for bullet in ["- ", "* ", "• "] {
        if let Some(s) = l.strip_prefix(bullet) {
            l = s;
        }
    }
    if let Some((num, rest)) = l.split_once(". ") {
        if !num.is_empty() && num.len() <= 2 && num.chars().all(|c| c.is_ascii_digit()) {
            l = rest;
        }
    }
    l.replace("**", "").replace("__", "").replace('`', "")
}

fn lower_starts(line: &str, starts: &[&str]) -> bool {
    let l = line.to_lowercase();
    starts.iter().any(|s| l.starts_with(s))
}

/// Removes a leading label or inline preamble ("Rewritten prompt: ...", "Sure! Here it is: ...").
fn strip_label(line: &str) -> String {
    if let Some((head, tail)) = line.split_once(':') {
        let h = head.trim().to_lowercase();
        let label = LABELS
            .iter()
            .any(|l| h == *l || h.ends_with(&format!(" {l}")));
        let preamble = head.len() < 100 && lower_starts(&h, PREAMBLE_STARTS);
        if (label || preamble) && !tail.trim().is_empty() {
            return tail.trim().to_string();
        }
    }
    line.to_string()
}

fn strip_quotes(mut s: &str) -> &str {
    const PAIRS: &[(char, char)] = &[
        ('"', '"'),
        ('\'', '\''),
        ('“', '”'),
        ('‘', '’'),
        ('«', '»'),
        ('「', '」'),
    ];
    loop {
        let t = s.trim();
        let stripped = PAIRS.iter().find_map(|(o, c)| {
            t.strip_prefix(*o)
                .and_then(|x| x.strip_suffix(*c))
                .filter(|inner| !inner.contains(*c) || o != c)
        });
        match stripped {
            Some(inner) => s = inner,
            None => return t,
        }
    }
}

/// Turns a raw completion into one prompt of at most `word_budget` words.
pub fn clean_output(raw: &str, word_budget: usize) -> Cleaned {
    let mut notes = Vec::new();
    let (text, thinking) = split_thinking(raw);
    if thinking.is_some() {
        notes.push("reasoning was removed from the output and kept as thinking".to_string());
    }

    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("```"))
        .map(strip_markdown)
        .collect();
    // Paragraphs of non-empty lines; preamble-only lines ("Sure, here you go:") are dropped.
    let mut paragraphs: Vec<Vec<String>> = vec![Vec::new()];
    for line in lines {
        let l = line.trim();
        let only_preamble = (l.ends_with(':') || l.ends_with('!'))
            && (lower_starts(l, PREAMBLE_STARTS) || lower_starts(l, LABELS));
        if l.is_empty() || only_preamble {
            if only_preamble {
                notes.push("a preamble was removed".to_string());
            }
            if paragraphs.last().is_some_and(|p| !p.is_empty()) {
                paragraphs.push(Vec::new());
            }
            continue;
        }
        if lower_starts(l, CHATTER_STARTS) && paragraphs.iter().any(|p| !p.is_empty()) {
            notes.push("trailing chatter was removed".to_string());
            break;
        }
        if let Some(p) = paragraphs.last_mut() {
            p.push(l.to_string());
        }
    }
    let first = paragraphs
        .into_iter()
        .find(|p| !p.is_empty())
        .unwrap_or_default();
    let joined = first.join(" ");
    let unlabelled = strip_label(&joined);
    if unlabelled != joined {
        notes.push("a preamble was removed".to_string());
    }
    let unquoted = strip_quotes(&unlabelled);
    let collapsed = unquoted.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut text = strip_quotes(&collapsed).to_string();
    if word_count(&text) > word_budget {
        text = truncate_words(&text, word_budget);
        notes.push(format!("cut to the budget of {word_budget} words"));
    }
    notes.dedup();
    Cleaned {
        text,
        thinking,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(raw: &str) -> String {
        clean_output(raw, 60).text
    }

    #[test]
    fn think_blocks_are_kept_apart() {
        let c = clean_output(
            "<think>\nThey like film.\n</think>\n\na cat on a sill, grainy film",
            60,
        );
        assert_eq!(c.text, "a cat on a sill, grainy film");
        assert_eq!(c.thinking.as_deref(), Some("They like film."));
        let c = clean_output("reasoning first</think>a cat", 60);
        assert_eq!(
            (c.text.as_str(), c.thinking.as_deref()),
            ("a cat", Some("reasoning first"))
        );
        let c = clean_output("<think>never finished", 60);
        assert_eq!(
            (c.text.as_str(), c.thinking.as_deref()),
            ("", Some("never finished"))
        );
    }

    #[test]
    fn preambles_and_labels_go() {
        assert_eq!(
            clean("Sure, here is the rewritten prompt:\n\na cat on a windowsill, soft light"),
            "a cat on a windowsill, soft light"
        );
        assert_eq!(
            clean("Sure! Here's my version: a cat on a windowsill"),
            "a cat on a windowsill"
        );
        assert_eq!(clean("Rewritten prompt: a cat, dusk"), "a cat, dusk");
        assert_eq!(clean("**Prompt:** \"a cat, dusk\""), "a cat, dusk");
    }

    #[test]
    fn markdown_quotes_and_chatter_go() {
        assert_eq!(clean("```\na cat in neon rain\n```"), "a cat in neon rain");
        assert_eq!(clean("“a cat in neon rain”"), "a cat in neon rain");
        assert_eq!(clean("\"'a cat'\""), "a cat");
        assert_eq!(
            clean("# A cat\n\nLet me know if you want changes!"),
            "A cat"
        );
        assert_eq!(
            clean("a cat, warm light\n\nI hope this captures your style."),
            "a cat, warm light"
        );
        assert_eq!(clean("- a cat,\n- soft light"), "a cat, soft light");
    }

    #[test]
    fn the_budget_is_enforced() {
        let raw = (0..100)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let c = clean_output(&raw, 10);
        assert_eq!(word_count(&c.text), 10);
        assert!(c.notes.iter().any(|n| n.contains("budget of 10")));
    }

    #[test]
    fn inner_quotes_survive() {
        assert_eq!(
            clean("a sign reading \"open\" at night"),
            "a sign reading \"open\" at night"
        );
        assert_eq!(
            clean("\"open\" sign and \"closed\" sign"),
            "\"open\" sign and \"closed\" sign"
        );
    }
}
