//! Tokenizers built from a GGUF file's own vocabulary, matching llama.cpp token for token:
//! byte-level BPE (`tokenizer.ggml.model = gpt2`) and SentencePiece with scores (`llama`).

mod bpe;
mod bytes;
mod pretokenize;
mod special;
mod spm;

use std::collections::HashMap;

use candle_core::quantized::gguf_file::Value;

use super::file::GgufFile;
use crate::error::Result;

/// How a token is used, as GGUF's `tokenizer.ggml.token_type` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Ordinary text.
    Normal,
    /// The unknown token.
    Unknown,
    /// A control token (BOS, EOS, chat markers); never produced from plain text.
    Control,
    /// A token added by the model's authors; matched in text before tokenizing.
    UserDefined,
    /// Reserved and unused.
    Unused,
    /// One raw byte (`<0x0A>`), for SentencePiece byte fallback.
    Byte,
}

impl TokenKind {
    fn from_gguf(code: i64) -> Self {
        match code {
            2 => TokenKind::Unknown,
            3 => TokenKind::Control,
            4 => TokenKind::UserDefined,
            5 => TokenKind::Unused,
            6 => TokenKind::Byte,
            _ => TokenKind::Normal,
        }
    }
}

/// Which algorithm the vocabulary uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VocabKind {
    /// Byte-level BPE with ranked merges (GPT-2, Llama 3, Qwen).
    Bpe,
    /// SentencePiece BPE with scores and byte fallback (Llama 2, Mistral, Gemma, Phi-3).
    Spm,
}

/// A GGUF vocabulary and the tokenizer over it.
pub struct Vocab {
    kind: VocabKind,
    tokens: Vec<String>,
    kinds: Vec<TokenKind>,
    scores: Vec<f32>,
    ids: HashMap<String, u32>,
    /// Special tokens as (text, id), longest first, for splitting text before tokenizing.
    specials: Vec<(String, u32)>,
    bpe: Option<bpe::Bpe>,
    /// Raw byte -> token id, for SentencePiece byte fallback.
    byte_tokens: [Option<u32>; 256],
    bos: Option<u32>,
    eos: Option<u32>,
    end_of_generation: Vec<u32>,
    add_bos: bool,
    add_space_prefix: bool,
}

impl std::fmt::Debug for Vocab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vocab")
            .field("kind", &self.kind)
            .field("tokens", &self.tokens.len())
            .field("bos", &self.bos)
            .field("eos", &self.eos)
            .finish_non_exhaustive()
    }
}

/// Texts of tokens that end generation, as llama.cpp lists them; llama.cpp also treats them as
/// control tokens whatever the file says, and so does libzipp (it changes how `</s>` in a
/// prompt is tokenized).
const END_OF_GENERATION_TEXTS: [&str; 22] = [
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<|return|>",
    "<|call|>",
    "<|flush|>",
    "<|calls|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "</s>",
    "<|eom_id|>",
    "<EOT>",
    "_<EOT>",
    "[EOT]",
    "[EOS]",
    "<|end_of_text|>",
    "<end_of_utterance>",
    "<eos>",
    "<turn|>",
    "<|tool_response>",
    "<\u{ff5c}end\u{2581}of\u{2581}sentence\u{ff5c}>",
    "[e~[",
];

/// Fill-in-the-middle prefix, suffix and middle markers: control tokens for llama.cpp.
const FIM_TEXTS: [&str; 21] = [
    "<|fim_prefix|>",
    "<fim-prefix>",
    "<fim_prefix>",
    "<PRE>",
    "\u{2581}<PRE>",
    "<|code_prefix|>",
    "<|prefix|>",
    "<|fim_suffix|>",
    "<fim-suffix>",
    "<fim_suffix>",
    "<SUF>",
    "\u{2581}<SUF>",
    "<|code_suffix|>",
    "<|suffix|>",
    "<|fim_middle|>",
    "<fim-middle>",
    "<fim_middle>",
    "<MID>",
    "\u{2581}<MID>",
    "<|code_middle|>",
    "<|middle|>",
];

/// Fill-in-the-middle padding, repository and file markers: control tokens that also end
/// generation.
const FIM_END_TEXTS: [&str; 11] = [
    "<|fim_pad|>",
    "<fim-pad>",
    "<fim_pad>",
    "<PAD>",
    "[PAD]",
    "<|fim_repo|>",
    "<|repo_name|>",
    "<fim-repo>",
    "<REPO>",
    "<reponame>",
    "<|file_sep|>",
];

fn string_array(file: &GgufFile, key: &str) -> Result<Vec<String>> {
    let values = file
        .opt_array(key)?
        .ok_or_else(|| file.error(format!("metadata key `{key}` is missing")))?;
    values
        .iter()
        .map(|v| match v {
            Value::String(s) => Ok(s.clone()),
            _ => Err(file.error(format!("`{key}` holds a value that is not a string"))),
        })
        .collect()
}

fn token_id(file: &GgufFile, key: &str, n: usize) -> Result<Option<u32>> {
    match file.opt_uint(key)? {
        Some(id) if (id as usize) < n => Ok(Some(id as u32)),
        Some(id) => Err(file.error(format!("`{key}` = {id} is outside the vocabulary of {n}"))),
        None => Ok(None),
    }
}

impl Vocab {
    /// Reads the vocabulary of `file`.
    pub fn from_gguf(file: &GgufFile) -> Result<Self> {
        let model = file.string("tokenizer.ggml.model")?;
        let kind = match model {
            "gpt2" => VocabKind::Bpe,
            "llama" => VocabKind::Spm,
            other => {
                return Err(file.error(format!(
                    "tokenizer `{other}` is not supported (supported: gpt2, llama)"
                )))
            }
        };
        let tokens = string_array(file, "tokenizer.ggml.tokens")?;
        let n = tokens.len();
        if n == 0 || n > u32::MAX as usize {
            return Err(file.error("the vocabulary is empty"));
        }
        let mut kinds: Vec<TokenKind> = match file.opt_array("tokenizer.ggml.token_type")? {
            Some(values) if values.len() == n => values
                .iter()
                .map(|v| match v {
                    Value::I32(c) => TokenKind::from_gguf(i64::from(*c)),
                    Value::U32(c) => TokenKind::from_gguf(i64::from(*c)),
                    _ => TokenKind::Normal,
                })
                .collect(),
            Some(_) => return Err(file.error("`tokenizer.ggml.token_type` has the wrong length")),
            None => vec![TokenKind::Normal; n],
        };
        let scores = match file.opt_array("tokenizer.ggml.scores")? {
            Some(values) if values.len() == n => values
                .iter()
                .map(|v| match v {
                    Value::F32(s) => *s,
                    _ => 0.0,
                })
                .collect(),
            Some(_) => return Err(file.error("`tokenizer.ggml.scores` has the wrong length")),
            None => vec![0.0; n],
        };
        let mut ids = HashMap::with_capacity(n);
        for (i, t) in tokens.iter().enumerate() {
            // The first of duplicate texts wins, as in llama.cpp.
            ids.entry(t.clone()).or_insert(i as u32);
        }
        let forced_control = END_OF_GENERATION_TEXTS
            .iter()
            .chain(&FIM_TEXTS)
            .chain(&FIM_END_TEXTS);
        for text in forced_control {
            if let Some(&id) = ids.get(*text) {
                kinds[id as usize] = TokenKind::Control;
            }
        }
        let specials = special::special_tokens(&tokens, &kinds);
        let bpe = match kind {
            VocabKind::Bpe => {
                let merges = match file.opt_array("tokenizer.ggml.merges")? {
                    Some(_) => string_array(file, "tokenizer.ggml.merges")?,
                    None => {
                        return Err(file.error("a gpt2 tokenizer needs `tokenizer.ggml.merges`"))
                    }
                };
                let pre = file.opt_string("tokenizer.ggml.pre").unwrap_or("default");
                Some(bpe::Bpe::new(&merges, &ids, pre).map_err(|m| file.error(m))?)
            }
            VocabKind::Spm => None,
        };
        let mut byte_tokens = [None; 256];
        for (b, slot) in byte_tokens.iter_mut().enumerate() {
            *slot = match kind {
                VocabKind::Spm => ids.get(&format!("<0x{b:02X}>")).copied(),
                VocabKind::Bpe => ids.get(&bytes::byte_char(b as u8).to_string()).copied(),
            };
        }
        let bos = token_id(file, "tokenizer.ggml.bos_token_id", n)?;
        let eos = token_id(file, "tokenizer.ggml.eos_token_id", n)?;
        let eot = token_id(file, "tokenizer.ggml.eot_token_id", n)?;
        let eom = token_id(file, "tokenizer.ggml.eom_token_id", n)?;
        let mut end_of_generation: Vec<u32> = eos.into_iter().chain(eot).chain(eom).collect();
        for text in END_OF_GENERATION_TEXTS.iter().chain(&FIM_END_TEXTS) {
            if let Some(&id) = ids.get(*text) {
                if !end_of_generation.contains(&id) {
                    end_of_generation.push(id);
                }
            }
        }
        let add_bos = file
            .opt_bool("tokenizer.ggml.add_bos_token")
            .unwrap_or(kind == VocabKind::Spm);
        let add_space_prefix = file
            .opt_bool("tokenizer.ggml.add_space_prefix")
            .unwrap_or(kind == VocabKind::Spm);
        Ok(Self {
            kind,
            tokens,
            kinds,
            scores,
            ids,
            specials,
            bpe,
            byte_tokens,
            bos,
            eos,
            end_of_generation,
            add_bos,
            add_space_prefix,
        })
    }

    /// Which algorithm this vocabulary uses.
    pub fn kind(&self) -> VocabKind {
        self.kind
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether the vocabulary is empty (never, for a loaded model).
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The beginning-of-sequence token, if the model has one.
    pub fn bos(&self) -> Option<u32> {
        self.bos
    }

    /// The end-of-sequence token, if the model has one.
    pub fn eos(&self) -> Option<u32> {
        self.eos
    }

    /// Whether the model expects a BOS token before the text.
    pub fn add_bos(&self) -> bool {
        self.add_bos
    }

    /// Whether generation stops at `id` (EOS, end of turn).
    pub fn is_end_of_generation(&self, id: u32) -> bool {
        self.end_of_generation.contains(&id)
    }

    /// The text of a token as stored in the vocabulary.
    pub fn token_text(&self, id: u32) -> Option<&str> {
        self.tokens.get(id as usize).map(String::as_str)
    }

    /// The id of a token text, if the vocabulary has it.
    pub fn token_id(&self, text: &str) -> Option<u32> {
        self.ids.get(text).copied()
    }

    /// Tokenizes `text` as llama.cpp's `llama_tokenize` does. With `parse_special`, control
    /// tokens written in the text (`<|im_start|>`) become their ids; user-defined tokens always
    /// do. `add_bos` prepends BOS when the model asks for it.
    pub fn encode(&self, text: &str, add_bos: bool, parse_special: bool) -> Vec<u32> {
        let mut out = Vec::with_capacity(text.len() / 3 + 2);
        if add_bos && self.add_bos {
            out.extend(self.bos);
        }
        let mut previous_was_special = true;
        for fragment in special::partition(text, &self.specials, &self.kinds, parse_special) {
            match fragment {
                special::Fragment::Token(id) => {
                    out.push(id);
                    previous_was_special = true;
                }
                special::Fragment::Text(t) => {
                    match (&self.bpe, self.kind) {
                        (Some(bpe), VocabKind::Bpe) => bpe.encode(t, self, &mut out),
                        _ => {
                            let prefix = self.add_space_prefix && previous_was_special;
                            spm::encode(t, prefix, self, &mut out);
                        }
                    }
                    previous_was_special = false;
                }
            }
        }
        out
    }

    /// The bytes a token stands for when the model generates it; control tokens give nothing.
    pub fn token_bytes(&self, id: u32) -> Vec<u8> {
        let Some(text) = self.tokens.get(id as usize) else {
            return Vec::new();
        };
        match self.kinds[id as usize] {
            TokenKind::Control | TokenKind::Unused | TokenKind::Unknown => Vec::new(),
            TokenKind::UserDefined => text.as_bytes().to_vec(),
            TokenKind::Byte => spm::byte_value(text).map(|b| vec![b]).unwrap_or_default(),
            TokenKind::Normal => match self.kind {
                VocabKind::Bpe => bytes::decode_token(text),
                VocabKind::Spm => text.replace('\u{2581}', " ").into_bytes(),
            },
        }
    }

    /// Decodes generated ids to text (invalid UTF-8 replaced).
    pub fn decode(&self, ids: &[u32]) -> String {
        let bytes: Vec<u8> = ids.iter().flat_map(|&id| self.token_bytes(id)).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn score(&self, id: u32) -> f32 {
        self.scores[id as usize]
    }

    fn byte_token(&self, b: u8) -> Option<u32> {
        self.byte_tokens[b as usize]
    }
}
