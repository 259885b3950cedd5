//! Warm rewrite latency of the gguf backend with and without its prefix cache: the example
//! personas, ten everyday prompts, the `taste` method, one seed. Each persona's first prompt
//! warms the cache and is not counted; every later one is rewritten by a rewriter that reuses
//! the evaluated start of the chat and by one that evaluates the whole chat, alternately, and
//! the two texts are compared.
//!
//! ```sh
//! python3 scripts/fetch_model.py
//! CANDLE_NUM_THREADS=2 cargo bench --bench prefix_cache -- --threads 2
//! ```
//!
//! Options: `--model FILE.gguf` (default: the default model), `--personas N`, `--skip N` (the
//! personas after the first N, for runs in parts), `--prompts N`, `--seed S`, `--threads N`.

use std::path::PathBuf;

use zipp::{Persona, RewriteResult, Rewriter};

/// Everyday prompts of the kind image-app users type.
const PROMPTS: [&str; 11] = [
    "a quiet street after the rain",
    "a cat sleeping on a windowsill",
    "my grandmother cooking in her kitchen",
    "a bowl of noodle soup",
    "children playing football in a park",
    "a lighthouse on a cliff at dawn",
    "an old bicycle leaning against a wall",
    "a birthday cake with candles",
    "a busy market in the town square",
    "a dog running on the beach",
    "a cup of coffee on a wooden table",
];

struct Args {
    model: Option<String>,
    personas: usize,
    skip: usize,
    prompts: usize,
    seed: u64,
    threads: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        model: None,
        personas: usize::MAX,
        skip: 0,
        prompts: PROMPTS.len(),
        seed: 0,
        threads: 2,
    };
    let mut it = std::env::args().skip(1).filter(|a| a != "--bench");
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| v.parse::<usize>().map_err(|e| format!("{v}: {e}"));
        match flag.as_str() {
            "--model" => a.model = Some(value()?),
            "--personas" => a.personas = number(value()?)?,
            "--skip" => a.skip = number(value()?)?,
            "--prompts" => a.prompts = number(value()?)?.clamp(2, PROMPTS.len()),
            "--seed" => a.seed = number(value()?)? as u64,
            "--threads" => a.threads = number(value()?)?,
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
    let cached = rewriter(&model, a.threads, 4);
    let uncached = rewriter(&model, a.threads, 0);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/personas");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("examples/personas")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json") && !p.ends_with("persona.schema.json"))
        .collect();
    files.sort();
    let options = cached
        .options_from_json(Some(&format!(r#"{{"method": "taste", "seed": {}}}"#, a.seed)))
        .expect("options");
    let (mut on, mut off) = (Vec::new(), Vec::new());
    let (mut reused, mut prompt_tokens, mut differ) = (Vec::new(), Vec::new(), Vec::new());
    let mut compared = 0;
    for file in files.iter().skip(a.skip).take(a.personas) {
        let persona = Persona::from_file(file).expect("example persona");
        let rewrite = |r: &Rewriter, prompt: &str| -> RewriteResult {
            r.rewrite(&persona, prompt, &options).expect("rewrite")
        };
        // The persona's first prompt warms the cache (and the model) for the rest.
        rewrite(&cached, PROMPTS[0]);
        for prompt in &PROMPTS[1..a.prompts] {
            let with = rewrite(&cached, prompt);
            let without = rewrite(&uncached, prompt);
            on.push(with.latency_ms / 1e3);
            off.push(without.latency_ms / 1e3);
            reused.push(f64::from(with.tokens.reused.unwrap_or(0)));
            prompt_tokens.push(f64::from(with.tokens.prompt.unwrap_or(0)));
            compared += 1;
            let label = persona.label();
            println!(
                "{label:<20} {:5.2} s / {:5.2} s  reused {:>3} of {:>3}  {} {}",
                with.latency_ms / 1e3,
                without.latency_ms / 1e3,
                with.tokens.reused.unwrap_or(0),
                with.tokens.prompt.unwrap_or(0),
                with.guard,
                with.rewrite
            );
            if with.rewrite != without.rewrite {
                println!("{label:<20} without the cache: {}", without.rewrite);
                differ.push(format!("{label}: {prompt}"));
            }
        }
    }
    println!();
    println!(
        "{compared} warm rewrites, {} threads, taste method, seed {}: median {:.2} s with the prefix cache, {:.2} s without ({:.1}x); median {} of {} prompt tokens reused",
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
