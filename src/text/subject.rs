//! Subject categories of a prompt or a facet context, from a curated lexicon (`subjects.json`).
//!
//! The lexicon maps broad kinds of image subject ("people", "street", "nature", ...) to the words
//! that signal them. Matching is lexical on singular lower-case words: cheap, deterministic and
//! good enough to tell a portrait from a street scene.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use crate::text::words::content_words;

/// The lexicon shipped with the crate: category -> signalling words (already singular).
fn lexicon() -> &'static BTreeMap<String, BTreeSet<String>> {
    static LEXICON: OnceLock<BTreeMap<String, BTreeSet<String>>> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let raw: BTreeMap<String, Vec<String>> =
            serde_json::from_str(include_str!("subjects.json")).unwrap_or_default();
        raw.into_iter()
            .map(|(k, v)| {
                let words = v.iter().map(|w| crate::text::words::singular(w)).collect();
                (k, words)
            })
            .collect()
    })
}

/// The lexicon turned around: signalling word -> the categories it signals. Looking a text's
/// words up here costs its length, not the lexicon's.
fn signals() -> &'static HashMap<&'static str, Vec<&'static str>> {
    static SIGNALS: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    SIGNALS.get_or_init(|| {
        let mut index: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        for (name, words) in lexicon() {
            for w in words {
                index.entry(w.as_str()).or_default().push(name.as_str());
            }
        }
        index
    })
}

/// Whether `word` (singular, lower case) signals a subject category.
fn is_signal(word: &str) -> bool {
    signals().contains_key(word)
}

/// The subject categories whose words occur in `text`, e.g. {"animals", "architecture"}.
pub fn categories(text: &str) -> BTreeSet<&'static str> {
    categories_of(&content_words(text))
}

/// The subject categories that `words` (content words, singular, lower case) signal.
fn categories_of(words: &[String]) -> BTreeSet<&'static str> {
    words
        .iter()
        .filter_map(|w| signals().get(w.as_str()))
        .flatten()
        .copied()
        .collect()
}

/// The words of `text` that name an image subject in the lexicon (singular, lower case, in
/// order, without repeats): "a cat on a windowsill at night" gives ["cat", "windowsill"].
pub fn subject_words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in content_words(text) {
        if !out.contains(&w) && is_signal(&w) {
            out.push(w);
        }
    }
    out
}

/// The position, among `prompt`'s content words, of the first one that `candidate` speaks of
/// (the same word, or a word of a subject category they share). The earlier, the more it is
/// the prompt's main subject: "a street with people" is a street scene first.
pub fn first_match(prompt: &str, candidate: &str) -> Option<usize> {
    let own: BTreeSet<String> = content_words(candidate).into_iter().collect();
    let shared: Vec<&BTreeSet<String>> = categories(candidate)
        .intersection(&categories(prompt))
        .filter_map(|c| lexicon().get(*c))
        .collect();
    content_words(prompt)
        .iter()
        .position(|w| own.contains(w) || shared.iter().any(|s| s.contains(w)))
}

/// How well `candidate` (a facet context or an aesthetic) fits `prompt`:
/// two points per shared subject category, one per shared content word.
pub fn fit(prompt: &str, candidate: &str) -> u32 {
    Profile::of(prompt).fit(&Profile::of(candidate))
}

/// A text's subject categories and content words, worked out once for texts that are compared
/// with many others ([`fit`] on each pair works them out every time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    categories: BTreeSet<&'static str>,
    words: BTreeSet<String>,
}

impl Profile {
    /// The profile of `text`.
    pub fn of(text: &str) -> Self {
        let words = content_words(text);
        Profile {
            categories: categories_of(&words),
            words: words.into_iter().collect(),
        }
    }

    /// [`fit`] of the two texts these profiles were made of.
    pub fn fit(&self, other: &Profile) -> u32 {
        let shared_categories = self.categories.intersection(&other.categories).count();
        let shared_words = self.words.intersection(&other.words).count();
        (2 * shared_categories + shared_words) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lexicon_parses() {
        assert!(lexicon().len() >= 8, "subjects.json must parse");
    }

    #[test]
    fn the_turned_around_lexicon_gives_what_a_scan_of_the_lexicon_gives() {
        for text in [
            "portrait of my grandmother",
            "a rainy street at night with a tea stall",
            "two cats and a dog in a garden by the sea",
            "",
        ] {
            let words: BTreeSet<String> = content_words(text).into_iter().collect();
            let scanned: BTreeSet<&str> = lexicon()
                .iter()
                .filter(|(_, signals)| signals.iter().any(|s| words.contains(s)))
                .map(|(name, _)| name.as_str())
                .collect();
            assert_eq!(categories(text), scanned, "{text}");
        }
    }

    #[test]
    fn portraits_and_streets_differ() {
        assert!(categories("portrait of my grandmother").contains("people"));
        assert!(categories("a rainy street at night").contains("street"));
        assert!(!categories("a rainy street at night").contains("people"));
        assert!(categories("two cats on a windowsill").contains("animals"));
    }

    #[test]
    fn fit_prefers_the_matching_context() {
        let prompt = "an old fisherman mending nets";
        assert!(fit(prompt, "portraits and people") > fit(prompt, "street and city scenes"));
        assert_eq!(fit("zzz", "portraits and people"), 0);
    }
}
