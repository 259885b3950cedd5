//! Text tokens through a Hugging Face `tokenizer.json` (the `tokenizers` crate), truncated to the
//! model's context as transformers truncates (start and end tokens kept), never padded.

use std::path::Path;

use tokenizers::{Tokenizer, TruncationParams};

use crate::error::{Result, ZippError};

/// A loaded tokenizer with truncation set.
#[derive(Clone)]
pub struct TextTokenizer {
    inner: Tokenizer,
}

impl std::fmt::Debug for TextTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextTokenizer").finish_non_exhaustive()
    }
}

impl TextTokenizer {
    /// Loads `tokenizer.json`, truncating to `max_len` tokens.
    pub fn load(path: &Path, max_len: usize) -> Result<Self> {
        let mut inner = Tokenizer::from_file(path).map_err(|e| ZippError::InvalidModel {
            path: path.to_path_buf(),
            message: format!("not a usable tokenizer.json: {e}"),
        })?;
        inner
            .with_truncation(Some(TruncationParams {
                max_length: max_len,
                ..Default::default()
            }))
            .map_err(|e| ZippError::InvalidModel {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        inner.with_padding(None);
        Ok(Self { inner })
    }

    /// Token ids of `text` with the start and end tokens.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        self.inner
            .encode(text, true)
            .map(|e| e.get_ids().to_vec())
            .map_err(|e| ZippError::InvalidInput {
                file: "text".into(),
                line: 0,
                message: format!("cannot tokenize: {e}"),
            })
    }
}
