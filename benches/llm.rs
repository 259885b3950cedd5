//! Decode and prompt speed of the gguf backend, in the same shape as the llama.cpp peer script
//! (`benches/llm.sh` runs both side by side): greedy, one prompt, N generated tokens.
//!
//! usage: cargo bench --bench llm -- MODEL.gguf PROMPT_FILE N_GEN THREADS

use std::time::Instant;

use zipp::llm::gguf::{argmax, registry, set_threads};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.len() < 4 {
        eprintln!("usage: llm MODEL.gguf PROMPT_FILE N_GEN THREADS");
        std::process::exit(2);
    }
    let (model, prompt_file) = (&args[0], &args[1]);
    let n_gen: usize = args[2].parse().expect("N_GEN");
    let threads: usize = args[3].parse().expect("THREADS");
    set_threads(threads);
    let prompt = std::fs::read_to_string(prompt_file).expect("prompt file");
    let t0 = Instant::now();
    let loaded = registry::get_or_load(std::path::Path::new(model), 2048).expect("load");
    let t_load = t0.elapsed().as_secs_f64();
    let ids = loaded.vocab.encode(&prompt, true, true);
    let mut cache = loaded.model.new_cache();
    let tp = Instant::now();
    let mut logits = loaded
        .model
        .forward(&ids, &mut cache, false)
        .expect("prompt")
        .pop()
        .unwrap();
    let t_prompt = tp.elapsed().as_secs_f64();
    let mut out = vec![argmax(&logits)];
    let tg = Instant::now();
    for _ in 1..n_gen {
        logits = loaded
            .model
            .forward(&[*out.last().unwrap()], &mut cache, false)
            .expect("decode")
            .pop()
            .unwrap();
        out.push(argmax(&logits));
    }
    let t_gen = tg.elapsed().as_secs_f64();
    println!("PROMPT_IDS {ids:?}");
    println!("GEN_IDS {out:?}");
    println!("GEN_TEXT {:?}", loaded.vocab.decode(&out));
    println!(
        "TIMING load_s={t_load:.3} prompt_tokens={} prompt_tok_per_s={:.1} gen_tokens={} gen_tok_per_s={:.1}",
        ids.len(),
        ids.len() as f64 / t_prompt,
        out.len(),
        (out.len() - 1) as f64 / t_gen
    );
}
