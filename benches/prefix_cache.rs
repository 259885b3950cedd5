//! Warm rewrite latency of the gguf backend with and without its prefix cache, side by side in
//! one run, on the quality benchmark's prompts (`benches/quality/prompts.json`) and its
//! development-split personas, with the default options (method `auto`: `taste` for the default
//! model) and one seed. A first rewrite warms the model and the cache and is not counted; every
//! later prompt is rewritten by a rewriter that reuses the evaluated start of the chat and by one
//! that evaluates the whole chat, alternately, and the two texts are compared.
//!
//! ```sh
//! python3 scripts/fetch_model.py
//! cargo bench --profile dev --bench prefix_cache -- --threads 2
//! ```
//!
//! Options: `--model FILE.gguf` (default: the default model), `--personas N` (default 2),
//! `--prompts N` (N of the 28 prompts, evenly spaced; default 10), `--seed S` (default 0),
//! `--threads N` (candle's compute threads, default 2).

#[path = "quality/data.rs"]
#[allow(dead_code)]
mod data;

use std::path::PathBuf;

use zipp::{RewriteOptions, RewriteResult, Rewriter};

struct Args {
    model: Option<String>,
    personas: usize,
    prompts: usize,
    seed: u64,
    threads: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        model: None,
        personas: 2,
        prompts: 10,
        seed: 0,
        threads: 2,
    };
    let mut it = std::env::args().skip(1).filter(|a| a != "--bench");
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| v.parse::<usize>().map_err(|e| format!("{v}: {e}"));
        match flag.as_str() {
            "--model" => a.model = Some(value()?),
            "--personas" => a.personas = number(value()?)?.max(1),
            "--prompts" => a.prompts = number(value()?)?.max(1),
            "--seed" => a.seed = number(value()?)? as u64,
            "--threads" => a.threads = number(value()?)?.max(1),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(a)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn rewriter(model: &str, threads: usize, prefix_cache: usize) -> Rewriter {
    let config = serde_json::json!({
        "backend": "gguf",
        "model_path": model,
        "threads": threads,
        "cache_capacity": 0,
        "prefix_cache": prefix_cache,
    });
    Rewriter::from_json(&config.to_string()).expect("the model loads")
}

fn main() {
    let a = parse_args().unwrap_or_else(|e| {
        eprintln!("prefix_cache: {e}");
        std::process::exit(2);
    });
    // Candle's pool starts with the first model use: fix its threads before anything else.
    zipp::llm::gguf::set_threads(a.threads);
    let model = a
        .model
        .clone()
        .map(PathBuf::from)
        .or_else(|| zipp::llm::gguf::locate::find_model(None).map(|f| f.path().to_path_buf()))
        .unwrap_or_else(|| {
            eprintln!("prefix_cache: {}", zipp::llm::no_model_message());
            std::process::exit(2);
        });
    let model = model.display().to_string();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/quality");
    let (personas, prompts) = data::load(&root, &root).unwrap_or_else(|e| {
        eprintln!("prefix_cache: {e}");
        std::process::exit(2);
    });
    let n = a.prompts.min(prompts.len());
    let picked: Vec<&str> = (0..n)
        .map(|i| prompts[i * prompts.len() / n].prompt.as_str())
        .collect();
    let defaults = RewriteOptions::default();
    let options = RewriteOptions {
        sampling: defaults.sampling.with_seed(a.seed),
        cache: false,
        ..defaults
    };
    let cached = rewriter(&model, a.threads, 4);
    let uncached = rewriter(&model, a.threads, 0);
    let (mut on, mut off) = (Vec::new(), Vec::new());
    let (mut reused, mut prompt_tokens, mut differ) = (Vec::new(), Vec::new(), Vec::new());
    let mut compared = 0;
    let mut warmed = false;
    for p in personas.iter().take(a.personas) {
        let rewrite = |r: &Rewriter, prompt: &str| -> RewriteResult {
            r.rewrite(&p.persona, prompt, &options).expect("rewrite")
        };
        for prompt in &picked {
            if !warmed {
                // The model's first use (weights paged in, kernels warmed) and the cache's first
                // entry; not counted.
                rewrite(&cached, prompt);
                rewrite(&uncached, prompt);
                warmed = true;
                continue;
            }
            let with = rewrite(&cached, prompt);
            let without = rewrite(&uncached, prompt);
            on.push(with.latency_ms / 1e3);
            off.push(without.latency_ms / 1e3);
            reused.push(f64::from(with.tokens.reused.unwrap_or(0)));
            prompt_tokens.push(f64::from(with.tokens.prompt.unwrap_or(0)));
            compared += 1;
            println!(
                "{:<24} {:5.2} s / {:5.2} s  reused {:>3} of {:>3}  {:<9} {}",
                p.id,
                with.latency_ms / 1e3,
                without.latency_ms / 1e3,
                with.tokens.reused.unwrap_or(0),
                with.tokens.prompt.unwrap_or(0),
                with.guard,
                with.rewrite
            );
            if with.rewrite != without.rewrite {
                println!("{:<24} without the cache: {}", p.id, without.rewrite);
                differ.push(format!("{}: {prompt}", p.id));
            }
        }
    }
    println!();
    println!(
        "{compared} warm rewrites, {} threads, default options, seed {}: median {:.2} s with the prefix cache, {:.2} s without ({:.1}x); median {} of {} prompt tokens reused",
        a.threads,
        a.seed,
        median(on.clone()),
        median(off.clone()),
        median(off) / median(on),
        median(reused),
        median(prompt_tokens)
    );
    if differ.is_empty() {
        println!("the same text with and without the cache for all {compared}");
    } else {
        println!(
            "{} of {compared} texts differ: {}",
            differ.len(),
            differ.join("; ")
        );
    }
}
