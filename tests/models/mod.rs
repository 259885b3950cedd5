//! Finding the real test models (installed by `scripts/fetch_model.py`, as CI does).
#![allow(dead_code)]

use std::path::PathBuf;

/// Test models: (name, file name in the cache folder, environment variable that overrides it).
pub const QWEN: (&str, &str, &str) = (
    "qwen",
    zipp::llm::gguf::locate::DEFAULT_MODEL_FILE,
    "ZIPP_TEST_QWEN",
);
pub const GEMMA: (&str, &str, &str) = ("gemma", "gemma-3-270m-q4_k_m.gguf", "ZIPP_TEST_GEMMA");
/// The sentence encoder of the rewrite-quality judge (a folder).
pub const MINILM: (&str, &str, &str) = ("minilm", "all-minilm-l6-v2", "ZIPP_TEST_MINILM");
/// The second judge, from another model family (a folder).
pub const MPNET: (&str, &str, &str) = ("mpnet", "all-mpnet-base-v2", "ZIPP_TEST_MPNET");

/// The model's path, or None after saying why the test is skipped. With
/// `ZIPP_REQUIRE_MODELS=1` (set by `.ci/run`) a missing model fails the test instead.
pub fn find(model: (&str, &str, &str)) -> Option<PathBuf> {
    let (name, file, var) = model;
    let path = std::env::var_os(var)
        .map(PathBuf::from)
        .or_else(|| zipp::llm::gguf::locate::cache_dir().map(|d| d.join("models").join(file)));
    match path {
        Some(p) if p.exists() => Some(p),
        other => {
            let msg = format!(
                "the {name} test model is not installed ({}); run `python3 scripts/fetch_model.py {name}`",
                other.map(|p| p.display().to_string()).unwrap_or_default()
            );
            if std::env::var("ZIPP_REQUIRE_MODELS").is_ok_and(|v| v == "1") {
                panic!("{msg}");
            }
            eprintln!("SKIPPED: {msg}");
            None
        }
    }
}

/// Pins candle's thread pool for the test process (it spins; two threads match CI).
pub fn pin_threads() {
    zipp::llm::gguf::set_threads(2);
}
