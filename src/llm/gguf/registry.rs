//! Models loaded in this process, shared by every rewriter that names the same file and
//! context, and unloaded on request so a host can give the memory back to its image model.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::Instant;

use candle_core::Device;

use super::file::GgufFile;
use super::model::Model;
use super::prefix::PrefixCache;
use super::template::ChatTemplate;
use super::vocab::{Vocab, VocabKind};
use crate::error::{Result, ZippError};

/// A model ready to generate: weights, vocabulary and chat template.
#[derive(Debug)]
pub struct LoadedModel {
    /// The file it came from (canonical path).
    pub path: PathBuf,
    /// `general.name`, or the file name.
    pub name: String,
    /// The network.
    pub model: Model,
    /// The tokenizer.
    pub vocab: Vocab,
    /// The chat format.
    pub template: ChatTemplate,
    /// Weights in the file (every tensor's elements).
    pub parameters: u64,
    /// Seconds the load took.
    pub load_seconds: f64,
    /// The last prompts evaluated on this model, for prompts that start the same way (empty
    /// until a backend asks to keep some).
    pub prefixes: PrefixCache,
}

type Key = (PathBuf, usize);

fn registry() -> MutexGuard<'static, HashMap<Key, Arc<LoadedModel>>> {
    static REGISTRY: LazyLock<Mutex<HashMap<Key, Arc<LoadedModel>>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    // A panic while loading leaves nothing half-inserted, so a poisoned lock is still usable.
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

fn canonical(path: &Path) -> Result<PathBuf> {
    std::fs::canonicalize(path).map_err(|e| ZippError::io(path, e))
}

/// The model at `path` for `context` tokens, loaded now or shared from an earlier load.
pub fn get_or_load(path: &Path, context: usize) -> Result<Arc<LoadedModel>> {
    let key = (canonical(path)?, context);
    let mut models = registry();
    if let Some(m) = models.get(&key) {
        return Ok(m.clone());
    }
    let loaded = Arc::new(load(&key.0, context)?);
    models.insert(key, loaded.clone());
    Ok(loaded)
}

/// Loads a model without registering it.
pub fn load(path: &Path, context: usize) -> Result<LoadedModel> {
    let start = Instant::now();
    let file = GgufFile::open(path)?;
    let vocab = Vocab::from_gguf(&file)?;
    let device = Device::Cpu;
    let model = Model::load(&file, &device, context)?;
    let token_text = |id: Option<u32>| {
        id.and_then(|i| vocab.token_text(i))
            .unwrap_or_default()
            .to_string()
    };
    let template = ChatTemplate::new(
        file.opt_string("tokenizer.chat_template"),
        model.arch(),
        vocab.kind() == VocabKind::Spm,
        &token_text(vocab.bos()),
        &token_text(vocab.eos()),
    )?;
    let name = file
        .opt_string("general.name")
        .map(str::to_string)
        .or_else(|| path.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let load_seconds = start.elapsed().as_secs_f64();
    log::info!(
        "loaded {} ({}, {} tokens of vocabulary) in {load_seconds:.2} s",
        path.display(),
        model.arch(),
        vocab.len()
    );
    Ok(LoadedModel {
        path: path.to_path_buf(),
        name,
        model,
        vocab,
        template,
        parameters: file.parameter_count(),
        load_seconds,
        prefixes: PrefixCache::new(0),
    })
}

/// Drops the process's hold on the model at `path` (every context size); the memory is freed
/// once generations running on it end. Returns how many entries were dropped.
pub fn unload(path: &Path) -> usize {
    let Ok(key) = canonical(path) else {
        return 0;
    };
    let mut models = registry();
    let before = models.len();
    models.retain(|(p, _), _| *p != key);
    before - models.len()
}

/// Drops every loaded model; returns how many there were.
pub fn unload_all() -> usize {
    let mut models = registry();
    let n = models.len();
    models.clear();
    n
}

/// The files of the models loaded now.
pub fn loaded() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = registry().keys().map(|(p, _)| p.clone()).collect();
    paths.sort();
    paths.dedup();
    paths
}
