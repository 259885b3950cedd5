//! The real default model (Qwen2.5-Coder-0.5B-Instruct, Q4_K_M) and the Gemma 3 270M test
//! model, run in-process: reproducible sampling, a rewrite that keeps its subject, cancel within
//! one token, streaming, and the shared registry.

mod models;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use zipp::llm::gguf::{generate, registry};
use zipp::llm::SamplingParams;
use zipp::{Persona, Rewriter};

fn rewriter(path: &std::path::Path) -> Rewriter {
    let config = serde_json::json!({
        "backend": "gguf",
        "model_path": path,
        "context_length": 2048,
        "cache_capacity": 0,
    });
    Rewriter::from_json(&config.to_string()).unwrap()
}

fn persona() -> Persona {
    Persona::from_file(std::path::Path::new(
        "examples/personas/priya-bengaluru.json",
    ))
    .unwrap()
}

#[test]
fn qwen_rewrites_keep_the_subject_and_a_seed_repeats_exactly() {
    models::pin_threads();
    let Some(path) = models::find(models::QWEN) else {
        return;
    };
    let r = rewriter(&path);
    let opts = r
        .options_from_json(Some(
            r#"{"seed": 7, "temperature": 0.8, "max_new_tokens": 80}"#,
        ))
        .unwrap();
    let p = persona();
    let a = r
        .rewrite(&p, "a cat sleeping on a windowsill", &opts)
        .unwrap();
    let b = r
        .rewrite(&p, "a cat sleeping on a windowsill", &opts)
        .unwrap();
    eprintln!("rewrite: {}", a.rewrite);
    assert_eq!(a.backend, "gguf");
    assert_eq!(
        a.rewrite, b.rewrite,
        "the same seed must give the same text"
    );
    assert!(!b.cache_hit, "the cache is off: both came from the model");
    assert!(
        a.rewrite.to_lowercase().contains("cat"),
        "the subject is lost: {}",
        a.rewrite
    );
    assert!(a.tokens.prompt.unwrap_or(0) > 50);
    assert!(a.tokens.completion.unwrap_or(0) > 3);
}

#[test]
fn cancel_stops_within_one_token_and_streaming_sends_the_text() {
    models::pin_threads();
    let Some(path) = models::find(models::QWEN) else {
        return;
    };
    let loaded = registry::get_or_load(&path, 1024).unwrap();
    let ids = loaded.vocab.encode(
        "<|im_start|>user\nCount from one to one hundred in words.<|im_end|>\n<|im_start|>assistant\n",
        false,
        true,
    );
    let settings = SamplingParams {
        max_new_tokens: 200,
        ..SamplingParams::greedy()
    };
    // Streaming: the pieces add up to the text.
    let streamed = std::sync::Mutex::new(String::new());
    let collect = |piece: &str| {
        streamed.lock().unwrap().push_str(piece);
        true
    };
    let short = SamplingParams {
        max_new_tokens: 12,
        ..settings.clone()
    };
    let out = generate(
        &loaded.model,
        &loaded.vocab,
        &ids,
        &short,
        None,
        Some(&collect),
    )
    .unwrap();
    assert_eq!(*streamed.lock().unwrap(), out.text);
    assert_eq!(out.tokens.len(), 12);

    // Cancel from the callback after the third token: no fourth token is produced.
    let cancel = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(AtomicUsize::new(0));
    let (flag, count) = (cancel.clone(), seen.clone());
    let on_token = move |_: &str| {
        if count.fetch_add(1, Ordering::SeqCst) + 1 == 3 {
            flag.store(true, Ordering::SeqCst);
        }
        true
    };
    let err = generate(
        &loaded.model,
        &loaded.vocab,
        &ids,
        &settings,
        Some(&cancel),
        Some(&on_token),
    )
    .unwrap_err();
    assert_eq!(err.status(), zipp::ZippStatus::Cancelled);
    assert_eq!(seen.load(Ordering::SeqCst), 3, "no token after the cancel");

    // A callback returning false cancels too.
    let stop_now = |_: &str| false;
    let err = generate(
        &loaded.model,
        &loaded.vocab,
        &ids,
        &settings,
        None,
        Some(&stop_now),
    )
    .unwrap_err();
    assert_eq!(err.status(), zipp::ZippStatus::Cancelled);
}

#[test]
fn models_are_shared_and_unloaded_on_request() {
    models::pin_threads();
    let Some(path) = models::find(models::GEMMA) else {
        return;
    };
    let a = registry::get_or_load(&path, 512).unwrap();
    let b = registry::get_or_load(&path, 512).unwrap();
    assert!(Arc::ptr_eq(&a, &b), "one load per file and context");
    assert!(registry::loaded().contains(&std::fs::canonicalize(&path).unwrap()));
    assert!(registry::unload(&path) >= 1);
    let c = registry::get_or_load(&path, 512).unwrap();
    assert!(!Arc::ptr_eq(&a, &c), "a load after unload is a new one");
}

/// Our top token at every position of llama.cpp's greedy run, against llama.cpp's, where
/// llama.cpp's choice is clear; returns (agreeing, compared).
fn agreement(model: (&str, &str, &str), key: &str) -> Option<(usize, usize)> {
    models::pin_threads();
    let path = models::find(model)?;
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("tests/fixtures/gguf/real-models.json").unwrap(),
    )
    .unwrap();
    let r = &doc[key];
    let ids = |v: &serde_json::Value| -> Vec<u32> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as u32)
            .collect()
    };
    let loaded = registry::get_or_load(&path, 512).unwrap();
    let prompt = ids(&r["prompt_ids"]);
    let text = serde_json::to_string(&r["text"]).unwrap();
    let seq: Vec<u32> = prompt.iter().copied().chain(ids(&r["generated"])).collect();
    let mut cache = loaded.model.new_cache();
    let rows = loaded.model.forward(&seq, &mut cache, true).unwrap();
    let (mut agree, mut compared) = (0, 0);
    for ((row, want), margin) in rows
        .iter()
        .zip(ids(&r["top"]))
        .zip(r["margin"].as_array().unwrap())
    {
        if margin.as_f64().unwrap() > 0.5 {
            compared += 1;
            agree += usize::from(zipp::llm::gguf::argmax(row) == want);
        }
    }
    eprintln!("{key}: top token agrees with llama.cpp at {agree} of {compared} clear positions (llama.cpp continued {text})");
    Some((agree, compared))
}

#[test]
fn qwen_agrees_with_llama_cpp_on_the_next_token() {
    if let Some((agree, compared)) = agreement(models::QWEN, "qwen") {
        assert!(compared >= 30, "{compared}");
        assert_eq!(agree, compared);
    }
}

#[test]
fn gemma_base_model_loads_and_agrees_with_llama_cpp() {
    if let Some((agree, compared)) = agreement(models::GEMMA, "gemma") {
        assert!(compared >= 15, "{compared}");
        assert_eq!(agree, compared);
    }
    let Some(path) = models::find(models::GEMMA) else {
        return;
    };
    let loaded = registry::get_or_load(&path, 512).unwrap();
    assert_eq!(loaded.model.arch(), "gemma3");
    let ids = loaded.vocab.encode(
        "The capital of France is Paris. The capital of Japan is",
        true,
        false,
    );
    assert_eq!(ids[0], 2, "Gemma wants BOS");
    let settings = SamplingParams {
        max_new_tokens: 3,
        ..SamplingParams::greedy()
    };
    let out = generate(&loaded.model, &loaded.vocab, &ids, &settings, None, None).unwrap();
    assert!(out.text.contains("Tokyo"), "{:?}", out.text);
}
