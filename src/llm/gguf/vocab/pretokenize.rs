//! Pre-tokenizers of byte-level BPE vocabularies: the regular expressions llama.cpp uses for
//! each `tokenizer.ggml.pre` value, applied in order.

use fancy_regex::Regex;

/// Contractions, letters, digits one at a time, punctuation runs, newlines, spaces (Qwen 2/2.5/3).
const QWEN2: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// As Qwen 2 but digits in runs of up to three (Llama 3).
const LLAMA3: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// GPT-2's original expression.
const GPT2: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)";

/// A pre-tokenizer: expressions applied one after another, each splitting the pieces the
/// previous one left.
pub(super) struct PreTokenizer {
    passes: Vec<Regex>,
    /// Whether a word that is itself a token skips the merges (Llama 3).
    pub(super) ignore_merges: bool,
}

/// The `tokenizer.ggml.pre` values this build knows.
pub(super) const SUPPORTED: &str =
    "default, gpt-2, llama-bpe (llama3, llama-v3), qwen2 (deepseek-r1-qwen)";

impl PreTokenizer {
    /// The pre-tokenizer llama.cpp uses for `pre`.
    pub(super) fn for_name(pre: &str) -> Result<Self, String> {
        let (patterns, ignore_merges): (&[&str], bool) = match pre {
            "qwen2" | "deepseek-r1-qwen" => (&[QWEN2], false),
            "llama3" | "llama-v3" | "llama-bpe" => (&[LLAMA3], true),
            "gpt-2" | "gpt2" => (&[GPT2], false),
            "default" => (
                &[r"[\p{P}\$\+<=>\^~\|]+", GPT2, r"\p{N}+", "[0-9][0-9][0-9]"],
                false,
            ),
            other => {
                return Err(format!(
                    "pre-tokenizer `{other}` is not supported (supported: {SUPPORTED})"
                ))
            }
        };
        let passes = patterns
            .iter()
            .map(|p| Regex::new(p).map_err(|e| format!("pre-tokenizer expression: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            passes,
            ignore_merges,
        })
    }

    /// Splits `text` into words. Text between matches stays as words of its own.
    pub(super) fn split<'a>(&self, text: &'a str) -> Vec<&'a str> {
        let mut pieces = vec![text];
        for regex in &self.passes {
            let mut next = Vec::with_capacity(pieces.len() * 2);
            for piece in pieces {
                let mut start = 0;
                let mut at = 0;
                while at <= piece.len() {
                    let found = match regex.find_from_pos(piece, at) {
                        Ok(Some(m)) => m,
                        // A match that cannot be decided (backtrack limit) ends the search:
                        // the rest stays one piece.
                        _ => break,
                    };
                    if found.start() == found.end() {
                        // Empty matches split nothing; step over one character.
                        at = found.end()
                            + piece[found.end()..]
                                .chars()
                                .next()
                                .map_or(1, char::len_utf8);
                        continue;
                    }
                    if found.start() > start {
                        next.push(&piece[start..found.start()]);
                    }
                    next.push(found.as_str());
                    start = found.end();
                    at = found.end();
                }
                if start < piece.len() {
                    next.push(&piece[start..]);
                }
            }
            pieces = next;
        }
        pieces
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qwen2_splits_digits_contractions_and_spaces_like_llama_cpp() {
        let p = PreTokenizer::for_name("qwen2").unwrap();
        assert_eq!(
            p.split("I'm 2024 ok  now\n\nyes"),
            vec!["I", "'m", " ", "2", "0", "2", "4", " ok", " ", " now", "\n\n", "yes"]
        );
    }

    #[test]
    fn llama3_keeps_three_digit_runs() {
        let p = PreTokenizer::for_name("llama-bpe").unwrap();
        assert_eq!(p.split("12345"), vec!["123", "45"]);
    }

    #[test]
    fn unknown_names_list_what_is_supported() {
        let err = PreTokenizer::for_name("falcon").err().unwrap();
        assert!(err.contains("qwen2"), "{err}");
    }
}
