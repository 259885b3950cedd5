//! CLIP-like models exported to ONNX, run by ONNX Runtime through `ort` (cargo feature `onnx`).
//!
//! ONNX Runtime is loaded at run time from a shared library (`ort`'s `load-dynamic`): nothing is
//! downloaded at build time and hosts that do not ask for it never load it. The library the
//! PyPI `onnxruntime` wheel (1.31 or newer) ships works: `onnxruntime/capi/libonnxruntime.so.*`.
//!
//! A model folder holds `vision.onnx` (input `pixel_values`, `n x 3 x H x W` f32; first output
//! the projected image features), optionally `text.onnx` (input `input_ids`, `n x len` i64;
//! first output the projected text features) with `tokenizer.json`, and the preprocessing:
//! `preprocessor_config.json`, else the image size of a CLIP `config.json`.
//! `scripts/clip_onnx_export.py` writes such a folder from a Hugging Face CLIP checkpoint.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ort::session::Session;
use ort::value::Tensor;

use super::config::ClipConfig;
use super::preprocess::{Preprocess, Rgb8};
use crate::error::{Result, ZippError};
use crate::nn::{normalize_rows, TextTokenizer};

/// Images per run.
const IMAGE_BATCH: usize = 16;
/// Text tokens at most when no CLIP config says otherwise.
const DEFAULT_TEXT_TOKENS: usize = 77;

/// The ONNX Runtime environment, one per process, and the library it came from.
static RUNTIME: OnceLock<std::result::Result<(ort::environment::Environment, PathBuf), String>> =
    OnceLock::new();

/// Loads ONNX Runtime from `library` (a path to `libonnxruntime.so`/`.dylib`/`onnxruntime.dll`),
/// else from `$ZIPP_ONNXRUNTIME`, else from `$ORT_DYLIB_PATH`. Only the first call loads; later
/// calls report what it did.
pub fn init_runtime(library: Option<&Path>) -> Result<PathBuf> {
    let outcome = RUNTIME.get_or_init(|| {
        let path = library
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("ZIPP_ONNXRUNTIME").map(PathBuf::from))
            .or_else(|| std::env::var_os("ORT_DYLIB_PATH").map(PathBuf::from))
            .ok_or_else(|| {
                "no ONNX Runtime library: pass its path or set ZIPP_ONNXRUNTIME (the onnxruntime \
                 wheel ships one in onnxruntime/capi/)"
                    .to_string()
            })?;
        if !path.is_file() {
            return Err(format!("{} does not exist", path.display()));
        }
        let env = ort::init_from(&path)
            .map_err(|e| format!("cannot load {}: {e}", path.display()))?
            .with_name("libzipp")
            .build()
            .map_err(|e| format!("cannot start ONNX Runtime from {}: {e}", path.display()))?;
        Ok((env, path))
    });
    match outcome {
        Ok((_, path)) => Ok(path.clone()),
        Err(message) => Err(ZippError::Unsupported {
            what: format!("ONNX Runtime: {message}"),
        }),
    }
}

fn onnx_error(path: &Path, e: impl std::fmt::Display) -> ZippError {
    ZippError::InvalidModel {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn compute(e: impl std::fmt::Display) -> ZippError {
    ZippError::Compute {
        stage: "onnx".into(),
        message: e.to_string(),
    }
}

fn session(path: &Path, threads: usize) -> Result<Session> {
    let env = match RUNTIME.get() {
        Some(Ok((env, _))) => env,
        _ => {
            return Err(ZippError::Unsupported {
                what: "ONNX Runtime is not loaded".into(),
            })
        }
    };
    Session::builder(env)
        .map_err(|e| onnx_error(path, e))?
        .with_intra_threads(threads.max(1))
        .map_err(|e| onnx_error(path, e))?
        .commit_from_file(path)
        .map_err(|e| onnx_error(path, e))
}

/// Runs `session` on one input and returns its first output as rows of `f32`.
fn run_rows(session: &Mutex<Session>, input: ort::value::DynValue) -> Result<(Vec<f32>, usize)> {
    let mut s = session.lock().unwrap_or_else(|e| e.into_inner());
    let outputs = s.run(ort::inputs![input]).map_err(compute)?;
    let (shape, data) = outputs[0].try_extract_tensor::<f32>().map_err(compute)?;
    let dim = shape.last().copied().unwrap_or(0).max(0) as usize;
    if shape.len() != 2 || dim == 0 {
        return Err(compute(format!(
            "the model's first output has shape {shape:?}; expected n x dim features"
        )));
    }
    Ok((data.to_vec(), dim))
}

/// An exported CLIP-like model on ONNX Runtime.
pub struct OnnxClip {
    vision: Mutex<Session>,
    text: Option<(Mutex<Session>, TextTokenizer)>,
    preprocess: Preprocess,
    folder: PathBuf,
}

impl std::fmt::Debug for OnnxClip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnnxClip")
            .field("folder", &self.folder)
            .field("text", &self.text.is_some())
            .finish_non_exhaustive()
    }
}

impl OnnxClip {
    /// Loads a model folder (see the module docs), starting ONNX Runtime from `runtime` (see
    /// [`init_runtime`]) with `threads` threads per run.
    pub fn load(folder: impl AsRef<Path>, runtime: Option<&Path>, threads: usize) -> Result<Self> {
        init_runtime(runtime)?;
        let folder = folder.as_ref().to_path_buf();
        let read = |name: &str| std::fs::read_to_string(folder.join(name)).ok();
        let config = match read("config.json") {
            Some(json) => {
                let path = folder.join("config.json");
                Some(ClipConfig::from_json(&json, &path.display().to_string())?)
            }
            None => None,
        };
        let preprocess = match (read("preprocessor_config.json"), &config) {
            (Some(json), _) => Preprocess::from_json(&json, "preprocessor_config.json")?,
            (None, Some(c)) => Preprocess::for_size(c.vision.image_size),
            (None, None) => {
                return Err(ZippError::InvalidModel {
                    path: folder.clone(),
                    message: "neither preprocessor_config.json nor config.json says the image size"
                        .into(),
                })
            }
        };
        let vision = Mutex::new(session(&folder.join("vision.onnx"), threads)?);
        let text_path = folder.join("text.onnx");
        let text = if text_path.is_file() {
            let max = config
                .as_ref()
                .map_or(DEFAULT_TEXT_TOKENS, |c| c.text.max_positions);
            let tokenizer = TextTokenizer::load(&folder.join("tokenizer.json"), max)?;
            Some((Mutex::new(session(&text_path, threads)?), tokenizer))
        } else {
            None
        };
        Ok(Self {
            vision,
            text,
            preprocess,
            folder,
        })
    }

    /// The folder the model came from.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The image preprocessing settings.
    pub fn preprocess(&self) -> &Preprocess {
        &self.preprocess
    }

    /// Unit-length embeddings of preprocessed pixels (`n x 3 x H x W`, flat).
    pub fn embed_pixels(
        &self,
        pixels: &[f32],
        n: usize,
        h: usize,
        w: usize,
    ) -> Result<Vec<Vec<f32>>> {
        if pixels.len() != n * 3 * h * w {
            return Err(ZippError::InvalidInput {
                file: "pixels".into(),
                line: 0,
                message: format!("{} values for {n} x 3 x {h} x {w} pixels", pixels.len()),
            });
        }
        let input = Tensor::from_array(([n, 3, h, w], pixels.to_vec()))
            .map_err(compute)?
            .into_dyn();
        let (rows, dim) = run_rows(&self.vision, input)?;
        Ok(normalize_rows(rows, dim))
    }

    /// Unit-length embeddings of decoded images.
    pub fn embed_images(&self, images: &[Rgb8]) -> Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(images.len());
        for chunk in images.chunks(IMAGE_BATCH) {
            let (data, h, w) = self.preprocess.batch(chunk);
            out.extend(self.embed_pixels(&data, chunk.len(), h, w)?);
        }
        Ok(out)
    }

    /// Unit-length text embeddings, one per text (each run alone, so that no padding reaches
    /// models that do not expect it); an error when the folder has no `text.onnx`.
    pub fn embed_texts(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let (session, tokenizer) = self.text.as_ref().ok_or_else(|| ZippError::Unsupported {
            what: format!(
                "text embeddings: {} has no text.onnx",
                self.folder.display()
            ),
        })?;
        texts
            .iter()
            .map(|t| {
                let ids: Vec<i64> = tokenizer.encode(t)?.into_iter().map(i64::from).collect();
                let input = Tensor::from_array(([1, ids.len()], ids))
                    .map_err(compute)?
                    .into_dyn();
                let (rows, dim) = run_rows(session, input)?;
                Ok(normalize_rows(rows, dim)
                    .into_iter()
                    .next()
                    .unwrap_or_default())
            })
            .collect()
    }
}
