//! Where the default model is found: an explicit path, then `ZIPP_MODEL`, then the cache folder.

use std::path::{Path, PathBuf};

/// File name of the default model (Qwen2.5-Coder-0.5B-Instruct, Q4_K_M) in the cache folder.
pub const DEFAULT_MODEL_FILE: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf";
/// SHA-256 of the default model file.
pub const DEFAULT_MODEL_SHA256: &str =
    "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32";
/// Environment variable naming a model file.
pub const MODEL_VAR: &str = "ZIPP_MODEL";
/// Environment variable naming the cache folder.
pub const CACHE_VAR: &str = "ZIPP_CACHE_DIR";

/// The cache folder: `$ZIPP_CACHE_DIR`, else `$XDG_CACHE_HOME/zipp`, else `~/.cache/zipp`
/// (`%LOCALAPPDATA%\zipp` on Windows).
pub fn cache_dir() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(d) = var(CACHE_VAR) {
        return Some(d);
    }
    if cfg!(windows) {
        return var("LOCALAPPDATA").map(|d| d.join("zipp"));
    }
    var("XDG_CACHE_HOME")
        .or_else(|| var("HOME").map(|h| h.join(".cache")))
        .map(|d| d.join("zipp"))
}

/// Where the default model lives in the cache folder.
pub fn cached_default_model() -> Option<PathBuf> {
    cache_dir().map(|d| d.join("models").join(DEFAULT_MODEL_FILE))
}

/// How a model path was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// Given in the configuration.
    Config(PathBuf),
    /// From `ZIPP_MODEL`.
    Env(PathBuf),
    /// The default model in the cache folder.
    Cache(PathBuf),
}

impl Found {
    /// The path, however it was found.
    pub fn path(&self) -> &Path {
        match self {
            Found::Config(p) | Found::Env(p) | Found::Cache(p) => p,
        }
    }
}

/// The model to use: `explicit`, else `ZIPP_MODEL`, else the cached default model if it exists.
/// Paths from the configuration or the environment are returned even if missing, so that
/// loading reports them; None when nothing names a model and the cache has none.
pub fn find_model(explicit: Option<&str>) -> Option<Found> {
    if let Some(p) = explicit.map(str::trim).filter(|p| !p.is_empty()) {
        return Some(Found::Config(PathBuf::from(p)));
    }
    if let Some(p) = std::env::var_os(MODEL_VAR).filter(|v| !v.is_empty()) {
        return Some(Found::Env(PathBuf::from(p)));
    }
    cached_default_model()
        .filter(|p| p.is_file())
        .map(Found::Cache)
}
