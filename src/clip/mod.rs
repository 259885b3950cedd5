//! CLIP on candle: Hugging Face checkpoints from a folder (`config.json`, `model.safetensors`,
//! `tokenizer.json`, optional `preprocessor_config.json`), text and image embeddings
//! (L2-normalized, batched), preprocessing as transformers', and an embedding cache keyed by
//! content hash.

pub mod config;
mod jpeg;
mod model;
#[cfg(feature = "onnx")]
pub mod onnx;
pub mod preprocess;
mod resample;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use candle_core::{Device, Tensor};
use sha2::{Digest, Sha256};

use crate::nn::{normalize_rows, TextTokenizer};
pub use config::{Activation, ClipConfig};
pub use model::ClipTowers;
pub use preprocess::{Preprocess, Rgb8};

use crate::error::{Result, ZippError};

/// Images per forward pass.
const IMAGE_BATCH: usize = 16;
/// Texts per forward pass.
const TEXT_BATCH: usize = 64;
/// Cached embeddings kept at most.
const CACHE_CAPACITY: usize = 65_536;

/// A CLIP model ready to embed texts and images.
#[derive(Debug)]
pub struct ClipModel {
    towers: ClipTowers,
    tokenizer: TextTokenizer,
    preprocess: Preprocess,
    folder: PathBuf,
    cache: Mutex<HashMap<[u8; 32], Vec<f32>>>,
}

fn compute(e: candle_core::Error) -> ZippError {
    ZippError::Compute {
        stage: "clip".into(),
        message: e.to_string(),
    }
}

impl ClipModel {
    /// Loads a checkpoint folder.
    pub fn load(folder: impl AsRef<Path>) -> Result<Self> {
        let folder = folder.as_ref().to_path_buf();
        let read = |name: &str| -> Result<String> {
            let p = folder.join(name);
            std::fs::read_to_string(&p).map_err(|e| ZippError::io(&p, e))
        };
        let config_path = folder.join("config.json");
        let config =
            ClipConfig::from_json(&read("config.json")?, &config_path.display().to_string())?;
        let preprocess = match read("preprocessor_config.json") {
            Ok(json) => Preprocess::from_json(&json, "preprocessor_config.json")?,
            Err(_) => Preprocess::for_size(config.vision.image_size),
        };
        let tokenizer =
            TextTokenizer::load(&folder.join("tokenizer.json"), config.text.max_positions)?;
        let towers = ClipTowers::load(config, &folder.join("model.safetensors"))?;
        Ok(Self {
            towers,
            tokenizer,
            preprocess,
            folder,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The folder the model came from.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Width of the embeddings.
    pub fn dim(&self) -> usize {
        self.towers.config().projection_dim
    }

    /// The towers (unnormalized features, configuration, logit scale).
    pub fn towers(&self) -> &ClipTowers {
        &self.towers
    }

    /// The image preprocessing settings.
    pub fn preprocess(&self) -> &Preprocess {
        &self.preprocess
    }

    /// Token ids of a text (with start and end tokens, truncated to the context).
    pub fn tokenize(&self, text: &str) -> Result<Vec<u32>> {
        self.tokenizer.encode(text)
    }

    /// Unit-length text embeddings, one per text.
    pub fn embed_texts(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(TEXT_BATCH) {
            let ids = chunk
                .iter()
                .map(|t| self.tokenize(t))
                .collect::<Result<Vec<_>>>()?;
            let f = self
                .towers
                .text_features(&ids)
                .and_then(|t| t.flatten_all()?.to_vec1::<f32>())
                .map_err(compute)?;
            out.extend(normalize_rows(f, self.dim()));
        }
        Ok(out)
    }

    /// Unit-length image embeddings of decoded images.
    pub fn embed_images(&self, images: &[Rgb8]) -> Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(images.len());
        for chunk in images.chunks(IMAGE_BATCH) {
            let (data, h, w) = self.preprocess.batch(chunk);
            let pixels =
                Tensor::from_vec(data, (chunk.len(), 3, h, w), &Device::Cpu).map_err(compute)?;
            out.extend(self.embed_pixels(&pixels)?);
        }
        Ok(out)
    }

    /// Unit-length embeddings of already preprocessed pixels (`n x 3 x H x W`).
    pub fn embed_pixels(&self, pixels: &Tensor) -> Result<Vec<Vec<f32>>> {
        let f = self
            .towers
            .image_features(pixels)
            .and_then(|t| t.flatten_all()?.to_vec1::<f32>())
            .map_err(compute)?;
        Ok(normalize_rows(f, self.dim()))
    }

    /// Unit-length embeddings of image files, cached by the SHA-256 of each file's bytes.
    pub fn embed_image_files(&self, paths: &[&Path]) -> Result<Vec<Vec<f32>>> {
        let mut keys = Vec::with_capacity(paths.len());
        let mut todo: Vec<(usize, Rgb8)> = Vec::new();
        let mut out: Vec<Option<Vec<f32>>> = vec![None; paths.len()];
        for (i, p) in paths.iter().enumerate() {
            let bytes = std::fs::read(p).map_err(|e| ZippError::io(*p, e))?;
            let key: [u8; 32] = Sha256::digest(&bytes).into();
            let hit = self
                .cache
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&key)
                .cloned();
            match hit {
                Some(v) => out[i] = Some(v),
                None => todo.push((i, Rgb8::decode(&bytes, &p.display().to_string())?)),
            }
            keys.push(key);
        }
        let images: Vec<Rgb8> = todo.iter().map(|(_, img)| img.clone()).collect();
        let fresh = self.embed_images(&images)?;
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        for ((i, _), v) in todo.iter().zip(fresh) {
            if cache.len() >= CACHE_CAPACITY {
                cache.clear();
            }
            cache.insert(keys[*i], v.clone());
            out[*i] = Some(v);
        }
        Ok(out.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// Embeddings currently cached.
    pub fn cached(&self) -> usize {
        self.cache.lock().map_or(0, |c| c.len())
    }
}
