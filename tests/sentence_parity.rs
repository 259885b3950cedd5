//! The sentence encoder against transformers: all-MiniLM-L6-v2 and all-mpnet-base-v2 token ids
//! and embeddings as `scripts/minilm_fixtures.py` and `scripts/mpnet_fixtures.py` computed them
//! (BertModel / MPNetModel, mean pooling, L2 normalization).

mod models;

use serde_json::Value;
use zipp::sentence::SentenceEncoder;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/{name}/embeddings.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn minilm_tokens_and_embeddings_match_transformers() {
    let Some(dir) = models::find(models::MINILM) else {
        return;
    };
    matches_transformers(&dir, "minilm", 384);
}

#[test]
fn mpnet_tokens_and_embeddings_match_transformers() {
    let Some(dir) = models::find(models::MPNET) else {
        return;
    };
    matches_transformers(&dir, "mpnet", 768);
}

fn matches_transformers(dir: &std::path::Path, name: &str, dim: usize) {
    models::pin_threads();
    let enc = SentenceEncoder::load(dir).unwrap();
    assert_eq!(enc.dim(), dim);
    let f = fixture(name);
    let texts: Vec<&str> = f["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for (text, ids) in texts.iter().zip(f["ids"].as_array().unwrap()) {
        let want: Vec<u32> = ids
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_u64().unwrap() as u32)
            .collect();
        assert_eq!(enc.tokenize(text).unwrap(), want, "tokens of {text:?}");
    }
    // Batched together (padding masked) and one by one: the same vectors.
    let batched = enc.embed(&texts).unwrap();
    let single: Vec<Vec<f32>> = texts
        .iter()
        .map(|t| enc.embed(&[t]).unwrap().remove(0))
        .collect();
    for (i, want) in f["embeddings"].as_array().unwrap().iter().enumerate() {
        for (j, w) in want.as_array().unwrap().iter().enumerate() {
            let w = w.as_f64().unwrap() as f32;
            for got in [&batched[i], &single[i]] {
                assert!(
                    (got[j] - w).abs() <= 1e-5,
                    "text {i} dim {j}: {} vs transformers {w}",
                    got[j]
                );
            }
        }
        let norm: f32 = batched[i].iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
    }
}

#[test]
fn a_missing_or_foreign_folder_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("zipp-sentence-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let err = SentenceEncoder::load(&dir).unwrap_err();
    assert!(err.to_string().contains("config.json"), "{err}");
    std::fs::write(
        dir.join("config.json"),
        r#"{"model_type": "roberta", "hidden_size": 8, "intermediate_size": 8,
            "num_hidden_layers": 1, "num_attention_heads": 2, "vocab_size": 10}"#,
    )
    .unwrap();
    let err = SentenceEncoder::load(&dir).unwrap_err();
    assert_eq!(err.status(), zipp::ZippStatus::InvalidModel);
    assert!(err.to_string().contains("roberta"), "{err}");
    std::fs::write(
        dir.join("config.json"),
        r#"{"model_type": "bert", "hidden_size": 8, "intermediate_size": 8, "hidden_act": "swish",
            "num_hidden_layers": 1, "num_attention_heads": 2, "vocab_size": 10}"#,
    )
    .unwrap();
    let err = SentenceEncoder::load(&dir).unwrap_err();
    assert!(err.to_string().contains("swish"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
