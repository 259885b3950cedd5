//! Rewrite quality: personas written as intake surveys (no visual words), prompts across
//! subjects, and a judge built on all-MiniLM-L6-v2 that never sees the rewriter's inputs beyond
//! the rewrite itself. Prints the table of the README's quality section.
//!
//! ```sh
//! python3 scripts/fetch_model.py all          # the default model and the judge
//! cargo bench --bench quality -- --threads 2  # every method (about 15 minutes on 2 cores)
//! cargo bench --bench quality -- --rules-only # the model-free rows (seconds)
//! cargo bench --bench quality -- --frontier   # alignment against diversity, model-free (seconds)
//! ```
//!
//! `--frontier` scores appends of 1 to 6 of the persona's aesthetics and the `rules` pipeline
//! cut to 1, 2 and 3 taste clauses, and prints how much taste alignment each buys per percent
//! of diversity lost: the trade-off any taste-adding method faces under this judge.
//!
//! Options: `--model FILE.gguf` (default: the default model), `--judge DIR`, `--data DIR`,
//! `--personas N`, `--prompts N` (the first N of each), `--seed S`, `--threads N`,
//! `--out FILE` (every rewrite and score as JSON; default target/quality.json).

mod data;
mod judge;
mod methods;

use std::path::PathBuf;
use std::time::Instant;

use judge::{score, MethodRun, Scores};
use methods::{Call, Output};
use zipp::llm::rules::RulesBackend;
use zipp::{RewriteOptions, Rewriter, RewriterConfig};

struct Args {
    data: PathBuf,
    judge: Option<PathBuf>,
    model: Option<String>,
    rules_only: bool,
    frontier: bool,
    personas: usize,
    prompts: usize,
    seed: u64,
    threads: usize,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut a = Args {
        data: root.join("benches/quality"),
        judge: None,
        model: None,
        rules_only: false,
        frontier: false,
        personas: usize::MAX,
        prompts: usize::MAX,
        seed: 0,
        threads: 2,
        out: root.join("target/quality.json"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String| v.parse::<u64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--data" => a.data = value()?.into(),
            "--judge" => a.judge = Some(value()?.into()),
            "--model" => a.model = Some(value()?),
            "--rules-only" => a.rules_only = true,
            "--frontier" => {
                a.frontier = true;
                a.rules_only = true;
            }
            "--personas" => a.personas = number(value()?)? as usize,
            "--prompts" => a.prompts = number(value()?)? as usize,
            "--seed" => a.seed = number(value()?)?,
            "--threads" => a.threads = number(value()?)? as usize,
            "--out" => a.out = value()?.into(),
            "--bench" => {}
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(a)
}

type Method<'a> = (String, Box<dyn Fn(&Call) -> Result<Output, String> + 'a>);

fn run() -> Result<(), String> {
    let args = parse_args()?;
    zipp::llm::gguf::set_threads(args.threads);
    let (mut personas, mut prompts) = data::load(&args.data)?;
    personas.truncate(args.personas);
    prompts.truncate(args.prompts);
    let judge_dir = match &args.judge {
        Some(d) => d.clone(),
        None => zipp::llm::gguf::locate::cache_dir()
            .ok_or("no cache folder; pass --judge DIR")?
            .join("models/all-minilm-l6-v2"),
    };
    let encoder = zipp::sentence::SentenceEncoder::load(&judge_dir).map_err(|e| {
        format!("{e}\n(install the judge with `python3 scripts/fetch_model.py minilm`)")
    })?;
    let defaults = RewriteOptions::default();
    let options = RewriteOptions {
        sampling: defaults.sampling.with_seed(args.seed),
        cache: false,
        ..defaults
    };
    let rules = Rewriter::with_backend(Box::new(RulesBackend::new()), 0, options.clone());
    let model = if args.rules_only {
        None
    } else {
        let mut config = RewriterConfig::default();
        config.backend.backend = Some(zipp::llm::BackendKind::Gguf);
        config.backend.model_path = args.model.clone();
        config.cache_capacity = 0;
        config.options = options.clone();
        let r = Rewriter::new(config).map_err(|e| e.to_string())?;
        eprintln!("model: {}", r.backend().model());
        Some(r)
    };

    let mut list: Vec<Method> = vec![("no rewrite".into(), Box::new(|c| Ok(methods::none(c))))];
    if let Some(m) = &model {
        // The persona-free rewrite does not depend on the persona: one per prompt, reused.
        let memo = std::sync::Mutex::new(std::collections::HashMap::<String, String>::new());
        list.push((
            "rewrite without persona".into(),
            Box::new(move |c| {
                if let Some(t) = memo.lock().map_err(|e| e.to_string())?.get(c.prompt) {
                    return Ok(Output {
                        text: t.clone(),
                        path: "-".into(),
                    });
                }
                let out = methods::no_persona(m.backend(), c)?;
                memo.lock()
                    .map_err(|e| e.to_string())?
                    .insert(c.prompt.to_string(), out.text.clone());
                Ok(out)
            }),
        ));
    }
    if args.frontier {
        for n in 1..=6 {
            list.push((
                format!("keyword append, {n}"),
                Box::new(move |c| Ok(methods::keywords(c, n))),
            ));
        }
        for k in 1..=zipp::rewrite::cues::MAX_CUES {
            let rules = &rules;
            list.push((
                format!("rules, {k} clause{}", if k == 1 { "" } else { "s" }),
                Box::new(move |c| methods::first_clauses(methods::pipeline(rules, c)?, c, k)),
            ));
        }
    } else {
        list.push((
            "fixed keyword append".into(),
            Box::new(|c| Ok(methods::keywords(c, 6))),
        ));
        list.push((
            "fixed keyword append, 2".into(),
            Box::new(|c| Ok(methods::keywords(c, 2))),
        ));
        if let Some(m) = &model {
            list.push((
                "naive role-play".into(),
                Box::new(|c| methods::naive(m.backend(), c)),
            ));
            list.push((
                "full pipeline".into(),
                Box::new(|c| methods::pipeline(m, c)),
            ));
        }
        list.push((
            "full pipeline, rules".into(),
            Box::new(|c| methods::pipeline(&rules, c)),
        ));
    }

    let mut table: Vec<Scores> = Vec::new();
    let mut records = Vec::new();
    for (name, method) in &list {
        let start = Instant::now();
        let total = personas.len() * prompts.len();
        let mut rewrites = Vec::new();
        for (pi, p) in personas.iter().enumerate() {
            let mut row = Vec::new();
            for (qi, q) in prompts.iter().enumerate() {
                let call = Call {
                    persona: &p.persona,
                    prompt: &q.prompt,
                    options: &options,
                };
                let out =
                    method(&call).map_err(|e| format!("{name}, {}, {:?}: {e}", p.id, q.prompt))?;
                records.push(serde_json::json!({
                    "method": name, "persona": p.id, "prompt": q.prompt,
                    "rewrite": out.text, "path": out.path,
                }));
                row.push((out.text, out.path));
                let done = pi * prompts.len() + qi + 1;
                if start.elapsed().as_secs() >= 2 && (done % 10 == 0 || done == total) {
                    let eta = start.elapsed().as_secs_f64() / done as f64 * (total - done) as f64;
                    eprint!("\r{name}: {done}/{total}, {eta:.0} s left   ");
                }
            }
            rewrites.push(row);
        }
        eprintln!(
            "\r{name}: {} rewrites in {:.1} s          ",
            total,
            start.elapsed().as_secs_f64()
        );
        let s = score(
            &encoder,
            &MethodRun {
                method: name,
                rewrites: &rewrites,
            },
            &personas,
            &prompts,
        )?;
        table.push(s);
    }

    print_table(&table, personas.len(), prompts.len());
    if args.frontier {
        print_frontier(&table);
    }
    if let Some(parent) = args.out.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    let report = serde_json::json!({"scores": table, "rewrites": records});
    std::fs::write(
        &args.out,
        serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?,
    )
    .map_err(|e| format!("{}: {e}", args.out.display()))?;
    eprintln!("every rewrite: {}", args.out.display());
    Ok(())
}

fn print_table(table: &[Scores], personas: usize, prompts: usize) {
    println!("\n{personas} personas x {prompts} prompts; judge: all-MiniLM-L6-v2\n");
    println!("| method | taste alignment | prompt similarity | subject nouns kept (all kept) | diversity | words | retried / fallback | repeated 3-word phrase | copied biography |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for s in table {
        println!(
            "| {} | {:.4} | {:.3} | {:.1}% ({:.1}%) | {:.3} | {:.1} | {:.1}% / {:.1}% | {} | {} |",
            s.method,
            s.taste_alignment,
            s.prompt_similarity,
            100.0 * s.subjects_kept,
            100.0 * s.all_subjects_kept,
            s.diversity,
            s.words,
            100.0 * s.retried,
            100.0 * s.fallback,
            s.repeated_phrases,
            s.copied_biography,
        );
    }
    let get = |m: &str| table.iter().find(|s| s.method == m);
    if let (Some(none), Some(kw)) = (get("no rewrite"), get("fixed keyword append")) {
        println!();
        for full in table
            .iter()
            .filter(|s| s.method.starts_with("full pipeline"))
        {
            let naive = get("naive role-play").map_or(f64::NAN, |n| n.taste_alignment);
            let kw2 = get("fixed keyword append, 2").unwrap_or(kw);
            println!(
                "{}: taste alignment {:.4} (naive role-play {:.4}; {:.0}% of the 6-keyword append's, {:.0}% of the 2-keyword append's), diversity {:+.1}% against no rewrite (keyword appends {:+.1}%, {:+.1}%)",
                full.method,
                full.taste_alignment,
                naive,
                100.0 * full.taste_alignment / kw.taste_alignment,
                100.0 * full.taste_alignment / kw2.taste_alignment,
                100.0 * (full.diversity / none.diversity - 1.0),
                100.0 * (kw.diversity / none.diversity - 1.0),
                100.0 * (kw2.diversity / none.diversity - 1.0),
            );
        }
    }
}

/// Taste alignment bought per percent of diversity lost, for every method against no rewrite,
/// and what the issue's targets (60% of the 6-aesthetic append's alignment with at most 10%
/// diversity lost) would need.
fn print_frontier(table: &[Scores]) {
    let Some(none) = table.iter().find(|s| s.method == "no rewrite") else {
        return;
    };
    println!("\n| method | taste alignment | diversity lost | alignment per % lost |");
    println!("|---|---|---|---|");
    for s in table.iter().filter(|s| s.method != "no rewrite") {
        let lost = 100.0 * (1.0 - s.diversity / none.diversity);
        println!(
            "| {} | {:.4} | {:.1}% | {:.4} |",
            s.method,
            s.taste_alignment,
            lost,
            s.taste_alignment / lost.max(1e-9)
        );
    }
    if let Some(kw6) = table.iter().find(|s| s.method == "keyword append, 6") {
        let want = 0.6 * kw6.taste_alignment;
        println!(
            "\ntarget: alignment {want:.4} (60% of the 6-aesthetic append's) with at most 10% lost, \
             {:.4} per % lost",
            want / 10.0
        );
    }
}

fn main() {
    if let Err(e) = run() {
        eprintln!("quality: {e}");
        std::process::exit(1);
    }
}
