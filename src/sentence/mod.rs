//! Sentence embeddings from BERT sentence-transformers checkpoints (all-MiniLM-L6-v2 and its
//! kind): a folder with `config.json`, `model.safetensors` and `tokenizer.json`, plus the
//! sentence-transformers pooling and normalization files when present. libzipp's rewrite-quality
//! judge measures taste and subject similarity with it.

pub mod config;
mod model;

use std::path::{Path, PathBuf};

pub use config::{Pooling, SentenceConfig};
pub use model::BertEncoder;

use crate::error::{Result, ZippError};
use crate::nn::{normalize_rows, TextTokenizer};

/// Texts per forward pass.
const BATCH: usize = 32;

/// A sentence encoder ready to embed texts.
#[derive(Debug)]
pub struct SentenceEncoder {
    model: BertEncoder,
    tokenizer: TextTokenizer,
    folder: PathBuf,
}

impl SentenceEncoder {
    /// Loads a checkpoint folder.
    pub fn load(folder: impl AsRef<Path>) -> Result<Self> {
        let folder = folder.as_ref().to_path_buf();
        let config = SentenceConfig::from_folder(&folder)?;
        let tokenizer = TextTokenizer::load(&folder.join("tokenizer.json"), config.max_seq_length)?;
        let model = BertEncoder::load(config, &folder.join("model.safetensors"))?;
        Ok(Self {
            model,
            tokenizer,
            folder,
        })
    }

    /// The folder the model came from.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Width of the embeddings.
    pub fn dim(&self) -> usize {
        self.model.config().tower.hidden_size
    }

    /// Token ids of a text ([CLS] ... [SEP], truncated to the model's sequence limit).
    pub fn tokenize(&self, text: &str) -> Result<Vec<u32>> {
        self.tokenizer.encode(text)
    }

    /// One embedding per text (unit length when the checkpoint normalizes, as sentence-transformers
    /// models do).
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(BATCH) {
            let ids = chunk
                .iter()
                .map(|t| self.tokenize(t))
                .collect::<Result<Vec<_>>>()?;
            let v = self
                .model
                .pooled(&ids)
                .and_then(|t| t.flatten_all()?.to_vec1::<f32>())
                .map_err(|e| ZippError::Compute {
                    stage: "sentence embedding".into(),
                    message: e.to_string(),
                })?;
            if self.model.config().normalize {
                out.extend(normalize_rows(v, self.dim()));
            } else {
                out.extend(v.chunks(self.dim().max(1)).map(<[f32]>::to_vec));
            }
        }
        Ok(out)
    }
}
