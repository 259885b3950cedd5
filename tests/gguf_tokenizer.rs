//! The GGUF tokenizers against llama.cpp's ids for the same strings (fixtures from
//! `scripts/tokenizer_fixtures.py`), on the real Qwen (byte-level BPE) and Gemma (SentencePiece)
//! vocabularies.

mod models;

use serde_json::Value;
use zipp::llm::gguf::{GgufFile, Vocab};

fn check(model: (&str, &str, &str), fixture: &str) {
    let Some(path) = models::find(model) else {
        return;
    };
    let file = GgufFile::open(&path).unwrap();
    let vocab = Vocab::from_gguf(&file).unwrap();
    let text = std::fs::read_to_string(fixture).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 1000, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let s = case["text"].as_str().unwrap();
        let special = case["special"].as_bool().unwrap();
        let want: Vec<u32> = case["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect();
        let got = vocab.encode(s, false, special);
        if got != want {
            failures.push(format!(
                "{s:?} (special={special}):\n  llama.cpp {want:?}\n  zipp      {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ; first ones:\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // BOS as llama.cpp adds it.
    let with_bos = vocab.encode("hi", true, false);
    let bos = doc["bos_id"].as_u64().unwrap() as u32;
    assert_eq!(
        doc["add_bos"].as_bool().unwrap(),
        with_bos.first() == Some(&bos)
    );
}

#[test]
fn qwen_byte_level_bpe_matches_llama_cpp() {
    check(models::QWEN, "tests/fixtures/tokenizer/qwen2.json");
}

#[test]
fn gemma_sentencepiece_matches_llama_cpp() {
    check(models::GEMMA, "tests/fixtures/tokenizer/gemma3.json");
}

#[test]
fn decoding_inverts_encoding_for_plain_text() {
    let Some(path) = models::find(models::QWEN) else {
        return;
    };
    let vocab = Vocab::from_gguf(&GgufFile::open(&path).unwrap()).unwrap();
    for s in [
        "a rainy street at night",
        "café ☕ 東京 🌧️",
        "  two  spaces\n\nand lines",
    ] {
        assert_eq!(vocab.decode(&vocab.encode(s, false, false)), s);
    }
}
