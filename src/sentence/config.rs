//! A BERT or MPNet sentence encoder's configuration: the transformer from `config.json`, the pooling and
//! the sequence limit from sentence-transformers' files (`1_Pooling/config.json`,
//! `sentence_bert_config.json`, `modules.json`) when they are there.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Result, ZippError};
use crate::nn::{Activation, TowerConfig};

/// How token states become one sentence vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    /// The mean of the states of the real (unpadded) tokens.
    Mean,
    /// The state of the first ([CLS]) token.
    Cls,
}

/// Which encoder the checkpoint holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// BERT (all-MiniLM-L6-v2 and its kind): absolute positions and token types.
    Bert,
    /// MPNet (all-mpnet-base-v2): absolute positions after the padding id, and a bucketed
    /// relative-position bias shared by every layer.
    MpNet,
}

/// The shape of a sentence encoder and how its output is pooled.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceConfig {
    /// BERT or MPNet.
    pub family: Family,
    /// Relative-position buckets of the attention bias (MPNet).
    pub relative_buckets: usize,
    /// The padding token's id; MPNet's positions start after it.
    pub pad_token_id: usize,
    /// Transformer shape.
    pub tower: TowerConfig,
    /// Vocabulary size.
    pub vocab_size: usize,
    /// Position embeddings.
    pub max_positions: usize,
    /// Token-type embeddings.
    pub type_vocab_size: usize,
    /// Tokens per text at most (longer texts are truncated).
    pub max_seq_length: usize,
    /// Pooling of the token states.
    pub pooling: Pooling,
    /// Whether the pooled vector is scaled to unit length.
    pub normalize: bool,
}

#[derive(Deserialize)]
struct RawBert {
    hidden_size: usize,
    intermediate_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    #[serde(default)]
    hidden_act: Option<String>,
    #[serde(default)]
    layer_norm_eps: Option<f64>,
    vocab_size: usize,
    #[serde(default)]
    max_position_embeddings: Option<usize>,
    #[serde(default)]
    type_vocab_size: Option<usize>,
    #[serde(default)]
    position_embedding_type: Option<String>,
    #[serde(default)]
    model_type: Option<String>,
    #[serde(default)]
    relative_attention_num_buckets: Option<usize>,
    #[serde(default)]
    pad_token_id: Option<usize>,
}

#[derive(Deserialize)]
struct RawPooling {
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
}

#[derive(Deserialize)]
struct RawSentenceBert {
    #[serde(default)]
    max_seq_length: Option<usize>,
}

#[derive(Deserialize)]
struct RawModule {
    #[serde(rename = "type")]
    kind: String,
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| ZippError::json(path.display().to_string(), &e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ZippError::io(path, e)),
    }
}

fn invalid(path: &Path, message: String) -> ZippError {
    ZippError::InvalidModel {
        path: path.to_path_buf(),
        message,
    }
}

impl SentenceConfig {
    /// Reads the configuration of the model in `folder`.
    pub fn from_folder(folder: &Path) -> Result<Self> {
        let path = folder.join("config.json");
        let text = std::fs::read_to_string(&path).map_err(|e| ZippError::io(&path, e))?;
        let raw: RawBert = serde_json::from_str(&text)
            .map_err(|e| ZippError::json(path.display().to_string(), &e))?;
        let family = match raw.model_type.as_deref() {
            None | Some("bert") => Family::Bert,
            Some("mpnet") => Family::MpNet,
            Some(kind) => {
                return Err(invalid(
                    &path,
                    format!("model_type \"{kind}\" is not supported (bert, mpnet)"),
                ))
            }
        };
        if let Some(kind) = raw.position_embedding_type.as_deref() {
            if kind != "absolute" {
                return Err(invalid(
                    &path,
                    format!("position_embedding_type \"{kind}\" is not supported (absolute)"),
                ));
            }
        }
        let tower = TowerConfig {
            hidden_size: raw.hidden_size,
            intermediate_size: raw.intermediate_size,
            layers: raw.num_hidden_layers,
            heads: raw.num_attention_heads,
            activation: Activation::parse(
                raw.hidden_act.as_deref().unwrap_or("gelu"),
                &path.display().to_string(),
            )?,
            layer_norm_eps: raw.layer_norm_eps.unwrap_or(1e-12),
        };
        tower.check(&path.display().to_string())?;
        let max_positions = raw.max_position_embeddings.unwrap_or(512);
        let st: Option<RawSentenceBert> = read_json(&folder.join("sentence_bert_config.json"))?;
        let max_seq_length = st
            .and_then(|s| s.max_seq_length)
            .unwrap_or(max_positions)
            .clamp(2, max_positions);
        let pooling = match read_json::<RawPooling>(&folder.join("1_Pooling").join("config.json"))?
        {
            Some(p) if p.pooling_mode_cls_token && !p.pooling_mode_mean_tokens => Pooling::Cls,
            _ => Pooling::Mean,
        };
        let normalize = match read_json::<Vec<RawModule>>(&folder.join("modules.json"))? {
            Some(modules) => modules.iter().any(|m| m.kind.ends_with(".Normalize")),
            None => true,
        };
        Ok(Self {
            family,
            relative_buckets: raw.relative_attention_num_buckets.unwrap_or(32).max(2),
            pad_token_id: raw.pad_token_id.unwrap_or(match family {
                Family::Bert => 0,
                Family::MpNet => 1,
            }),
            tower,
            vocab_size: raw.vocab_size,
            max_positions,
            type_vocab_size: raw.type_vocab_size.unwrap_or(match family {
                Family::Bert => 2,
                Family::MpNet => 0,
            }),
            max_seq_length,
            pooling,
            normalize,
        })
    }
}
