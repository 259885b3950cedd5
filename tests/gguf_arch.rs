//! Each supported architecture against llama.cpp's logits for the same tiny random model
//! (fixtures from `scripts/gguf_arch_fixtures.py`): every position of a 20-token prompt, then a
//! greedy continuation through the KV cache.

use std::path::Path;

use serde_json::Value;
use zipp::llm::gguf::{GgufFile, Model};

/// Largest logit difference accepted token by token. llama.cpp and libzipp both quantize
/// activations to Q8_0 before quantized products and both take GELU from an f16 table; what is
/// left is summation order (under 1e-5) and, for gemma3, f16 rounding of a few intermediate
/// values in llama.cpp (about 1e-4).
const TOLERANCE: f32 = 1e-3;
/// For a whole prompt at once against quantized weights: libzipp multiplies in f32 there (a
/// faster kernel, and more exact), llama.cpp still quantizes the activations, which moves its
/// logits by about 3e-2 on these models (the fixture script's `--check` measures it).
const PROMPT_TOLERANCE_QUANTIZED: f32 = 6e-2;

fn worst_difference(got: &[Vec<f32>], want: &[Vec<f32>]) -> f32 {
    assert_eq!(got.len(), want.len());
    let mut worst = 0f32;
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.len(), w.len());
        for (a, b) in g.iter().zip(w) {
            worst = worst.max((a - b).abs());
        }
    }
    worst
}

fn check(arch: &str) {
    zipp::llm::gguf::set_threads(2);
    let dir = Path::new("tests/fixtures/gguf");
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("{arch}-tiny.json"))).unwrap(),
    )
    .unwrap();
    let file = GgufFile::open(&dir.join(doc["gguf"].as_str().unwrap())).unwrap();
    let model = Model::load(&file, &candle_core::Device::Cpu, 128).unwrap();
    assert_eq!(model.arch(), arch);
    let ids = |v: &Value| -> Vec<u32> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as u32)
            .collect()
    };
    let tokens = ids(&doc["tokens"]);
    let want: Vec<Vec<f32>> = doc["logits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap() as f32)
                .collect()
        })
        .collect();
    // The whole prompt in one pass.
    let mut cache = model.new_cache();
    let got = model.forward(&tokens, &mut cache, true).unwrap();
    let worst = worst_difference(&got, &want);
    let quantized = doc["weights"].as_str() != Some("f32");
    let limit = if quantized {
        PROMPT_TOLERANCE_QUANTIZED
    } else {
        TOLERANCE
    };
    eprintln!("{arch}: largest logit difference from llama.cpp, prompt pass: {worst:.2e}");
    assert!(
        worst < limit,
        "{arch}: prompt logits differ by up to {worst}"
    );

    // Token by token through the KV cache: the decode path, as exact as the kernels allow.
    let mut step_cache = model.new_cache();
    let stepped: Vec<Vec<f32>> = tokens
        .iter()
        .map(|&t| {
            model
                .forward(&[t], &mut step_cache, false)
                .unwrap()
                .pop()
                .unwrap()
        })
        .collect();
    let worst = worst_difference(&stepped, &want);
    eprintln!("{arch}: largest logit difference from llama.cpp, token by token: {worst:.2e}");
    assert!(
        worst < TOLERANCE,
        "{arch}: decode logits differ by up to {worst}"
    );

    // Greedy continuation, one token at a time through the cache.
    let greedy = ids(&doc["greedy"]);
    let margins: Vec<f64> = doc["greedy_margin"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_f64().unwrap())
        .collect();
    let mut last = got.last().unwrap().clone();
    for (step, (&want_id, margin)) in greedy.iter().zip(&margins).enumerate() {
        let id = zipp::llm::gguf::argmax(&last);
        if f64::from(TOLERANCE) * 2.0 < *margin {
            assert_eq!(id, want_id, "{arch}: greedy step {step}");
        }
        // Follow llama.cpp's choice so a near-tie cannot derail the rest.
        last = model
            .forward(&[want_id], &mut cache, false)
            .unwrap()
            .pop()
            .unwrap();
    }
}

#[test]
fn qwen2_matches_llama_cpp() {
    check("qwen2");
}

#[test]
fn qwen3_matches_llama_cpp() {
    check("qwen3");
}

#[test]
fn llama_matches_llama_cpp() {
    check("llama");
}

#[test]
fn gemma3_with_sliding_windows_matches_llama_cpp() {
    check("gemma3");
}

#[test]
fn phi3_with_fused_matrices_matches_llama_cpp() {
    check("phi3");
}

#[test]
fn unknown_architectures_are_refused_with_the_supported_list() {
    // A valid GGUF header naming another architecture.
    let dir = tempdir();
    let path = dir.join("mamba.gguf");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"GGUF");
    bytes.extend_from_slice(&3u32.to_le_bytes());
    bytes.extend_from_slice(&0u64.to_le_bytes()); // tensors
    bytes.extend_from_slice(&1u64.to_le_bytes()); // metadata entries
    let key = b"general.architecture";
    bytes.extend_from_slice(&(key.len() as u64).to_le_bytes());
    bytes.extend_from_slice(key);
    bytes.extend_from_slice(&8u32.to_le_bytes()); // string
    bytes.extend_from_slice(&5u64.to_le_bytes());
    bytes.extend_from_slice(b"mamba");
    std::fs::write(&path, bytes).unwrap();
    let file = GgufFile::open(&path).unwrap();
    let err = Model::load(&file, &candle_core::Device::Cpu, 128)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`mamba` is not supported"), "{err}");
    assert!(err.contains("qwen2, qwen3, llama, gemma3, phi3"), "{err}");
}

#[test]
fn token_ids_outside_the_vocabulary_are_errors_not_panics() {
    let file = GgufFile::open(std::path::Path::new("tests/fixtures/gguf/llama-tiny.gguf")).unwrap();
    let model = Model::load(&file, &candle_core::Device::Cpu, 128).unwrap();
    let mut cache = model.new_cache();
    let err = model.forward(&[1, 999_999], &mut cache, false).unwrap_err();
    assert!(err.to_string().contains("outside the vocabulary"), "{err}");
    // The cache did not advance: the next call starts at position 0.
    assert_eq!(cache.position(), 0);
    assert!(model.forward(&[1, 2], &mut cache, false).is_ok());
}

#[test]
fn corrupt_sizes_in_the_header_are_refused_before_allocating() {
    // The real fixture with `block_count` rewritten to four billion.
    let mut bytes = std::fs::read("tests/fixtures/gguf/llama-tiny.gguf").unwrap();
    let key = b"llama.block_count";
    let at = bytes.windows(key.len()).position(|w| w == key).unwrap() + key.len();
    // After the key: the value type (u32 = 4), then the value.
    let ty = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    assert_eq!(ty, 4, "block_count is stored as u32 in the fixture");
    bytes[at + 4..at + 8].copy_from_slice(&u32::MAX.to_le_bytes());
    let dir = tempdir();
    let path = dir.join("huge.gguf");
    std::fs::write(&path, bytes).unwrap();
    let err = Model::load(
        &GgufFile::open(&path).unwrap(),
        &candle_core::Device::Cpu,
        128,
    )
    .unwrap_err();
    assert!(err.to_string().contains("block_count"), "{err}");
}

#[test]
fn truncated_and_foreign_files_are_invalid_models() {
    let dir = tempdir();
    let path = dir.join("not.gguf");
    std::fs::write(&path, b"PK\x03\x04 not a model").unwrap();
    let err = GgufFile::open(&path).unwrap_err();
    assert_eq!(err.status(), zipp::ZippStatus::InvalidModel);
    // The real fixture cut in half: the header reads, a tensor runs past the end.
    let whole = std::fs::read("tests/fixtures/gguf/llama-tiny.gguf").unwrap();
    let cut = dir.join("cut.gguf");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    let err = GgufFile::open(&cut)
        .and_then(|f| Model::load(&f, &candle_core::Device::Cpu, 128))
        .unwrap_err();
    assert_eq!(err.status(), zipp::ZippStatus::InvalidModel);
    assert!(err.to_string().contains("past the end"), "{err}");
}

fn tempdir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "zipp-arch-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn a_stop_asked_for_between_layers_ends_the_pass_at_that_layer() {
    // A cancel during a long prompt's prefill takes effect within one layer, not one chunk.
    let file = GgufFile::open(std::path::Path::new("tests/fixtures/gguf/llama-tiny.gguf")).unwrap();
    let model = Model::load(&file, &candle_core::Device::Cpu, 128).unwrap();
    let layers = file.uint("llama.block_count").unwrap() as usize;
    assert!(layers >= 2, "the fixture has {layers} layers");
    let asked = std::sync::atomic::AtomicUsize::new(0);
    // Says yes the second time it is asked: after the first layer.
    let stop = || asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= 1;
    let mut cache = model.new_cache();
    let err = model
        .forward_until(&[1, 2, 3, 4], &mut cache, false, &stop)
        .unwrap_err();
    assert_eq!(err.status(), zipp::ZippStatus::Cancelled);
    assert_eq!(
        asked.load(std::sync::atomic::Ordering::Relaxed),
        2,
        "asked before each layer"
    );
    // Never stopping gives the same logits as the plain forward.
    let mut a = model.new_cache();
    let mut b = model.new_cache();
    assert_eq!(
        model
            .forward_until(&[1, 2, 3, 4], &mut a, false, &|| false)
            .unwrap(),
        model.forward(&[1, 2, 3, 4], &mut b, false).unwrap()
    );
}
