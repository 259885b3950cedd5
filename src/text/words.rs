//! Word splitting, normalisation and word-budget truncation.

/// Lower-cased alphanumeric words of `text` (apostrophes and hyphens split words).
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
}

/// A crude English singular form, good enough for lexical matching ("cats" -> "cat").
pub fn singular(word: &str) -> String {
    let w = word.to_lowercase();
    if w.chars().count() <= 3 {
        return w;
    }
    if let Some(stem) = w.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for suffix in ["ches", "shes", "sses", "xes"] {
        if w.ends_with(suffix) {
            return w[..w.len() - 2].to_string();
        }
    }
    if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        return w[..w.len() - 1].to_string();
    }
    w
}

/// Normalised content words (singular, lower case) of `text`, without stop words.
pub fn content_words(text: &str) -> Vec<String> {
    words(text)
        .filter(|w| !is_stop_word(w))
        .map(|w| singular(&w))
        .collect()
}

/// Whether `word` (lower case) is an English function word that carries no subject.
pub fn is_stop_word(word: &str) -> bool {
    matches!(
        word,
        "a" | "an"
            | "the"
            | "and"
            | "or"
            | "of"
            | "in"
            | "on"
            | "at"
            | "to"
            | "for"
            | "with"
            | "by"
            | "from"
            | "into"
            | "over"
            | "under"
            | "is"
            | "are"
            | "be"
            | "it"
            | "its"
            | "this"
            | "that"
            | "as"
            | "i"
            | "my"
            | "me"
            | "you"
            | "your"
            | "some"
            | "very"
            | "s"
    )
}

/// Number of whitespace-separated words in `text`.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// `text` cut to at most `budget` whitespace words, without dangling separators at the end.
///
/// Returns the text unchanged (whitespace collapsed) when it is within budget.
pub fn truncate_words(text: &str, budget: usize) -> String {
    let kept: Vec<&str> = text.split_whitespace().take(budget).collect();
    let mut out = kept.join(" ");
    if word_count(text) > budget {
        while out.ends_with([',', ';', ':', '-', '–', '—', '(', '/', '&']) {
            out.pop();
            out.truncate(out.trim_end().len());
        }
        // A cut in the middle of a trailing clause reads better without its last joiner word.
        for joiner in [
            " and", " with", " of", " in", " a", " the", " an", " on", " at",
        ] {
            if out.ends_with(joiner) {
                out.truncate(out.len() - joiner.len());
                break;
            }
        }
        out.truncate(out.trim_end_matches([',', ';', ':', ' ']).len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singular_forms() {
        assert_eq!(singular("cats"), "cat");
        assert_eq!(singular("cities"), "city");
        assert_eq!(singular("beaches"), "beach");
        assert_eq!(singular("glass"), "glass");
        assert_eq!(singular("bus"), "bus");
        assert_eq!(singular("Dogs"), "dog");
    }

    #[test]
    fn content_words_drop_stop_words() {
        assert_eq!(
            content_words("A cat on the Windowsills"),
            vec!["cat".to_string(), "windowsill".to_string()]
        );
    }

    #[test]
    fn truncation_respects_budget_and_trims_joiners() {
        assert_eq!(truncate_words("a b c", 5), "a b c");
        assert_eq!(
            truncate_words("red  cat,\n blue dog", 10),
            "red cat, blue dog"
        );
        assert_eq!(
            truncate_words("a cat, soft light and", 4),
            "a cat, soft light"
        );
        assert_eq!(
            truncate_words("a cat, soft light, warm", 4),
            "a cat, soft light"
        );
        assert_eq!(
            truncate_words("one two three four five", 3),
            "one two three"
        );
        assert_eq!(truncate_words("cat with", 1), "cat");
    }
}
