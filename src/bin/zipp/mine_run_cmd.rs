//! `zipp mine run | personas | ablate`.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use candle_core::Device;
use zipp::mine::encoder::metrics::{evaluate, test_seed};
use zipp::mine::encoder::tfidf::TfIdf;
use zipp::mine::encoder::{EncoderConfig, ImageTargets, TrainConfig, TrainGraph, Trainer};
use zipp::mine::graph::Graph;
use zipp::mine::job::{with_threads, MineConfig, MineJob, Stage};
use zipp::ZippError;

use crate::args::AblateArgs;

/// `zipp mine run CONFIG`: the job with a progress line; exit code 0 when it finished.
pub fn run(path: &Path, fresh: bool) -> Result<u8, ZippError> {
    let json = std::fs::read_to_string(path).map_err(|e| ZippError::io(path, e))?;
    let mut config = MineConfig::from_json(&json, path.parent())?;
    if fresh {
        config.resume = false;
    }
    let job = MineJob::start(config)?;
    while !job.wait(Some(Duration::from_millis(500))) {
        let s = job.poll();
        let eta = s
            .eta_seconds
            .map(|e| format!("  eta {e:.0}s"))
            .unwrap_or_default();
        eprint!(
            "\r{:<11} {:>5.1}%  epoch {}/{}  loss {:.4}  posting acc {:.3}  personas {}{eta}    ",
            format!("{:?}", s.stage).to_lowercase(),
            100.0 * s.fraction,
            s.epoch,
            s.epochs,
            s.loss,
            s.posting_accuracy,
            s.personas
        );
        let _ = std::io::stderr().flush();
    }
    eprintln!();
    match job.result() {
        Some(Ok(r)) => {
            eprintln!(
                "best epoch {} (resumed after {}): test posting accuracy {:.3}, AUC {:.3} ({} held-out pairs)",
                r.best_epoch, r.resumed_epochs, r.test.posting_accuracy, r.test.auc, r.test.pairs
            );
            eprintln!(
                "personas: {} written, {} kept, {} failed -> {}",
                r.personas_written,
                r.personas_kept,
                r.personas_failed.len(),
                r.personas_dir.display()
            );
            for (user, why) in r.personas_failed.iter().take(10) {
                eprintln!("  {user}: {why}");
            }
            println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            Ok(0)
        }
        Some(Err(e)) => {
            if job.poll().stage == Stage::Cancelled {
                eprintln!("cancelled; the checkpoint keeps the last finished epoch");
            }
            Err(e)
        }
        None => Err(ZippError::Pending {
            what: "the mining job".into(),
        }),
    }
}

/// `zipp mine personas OUT_DIR`: every persona document as one JSON line.
pub fn personas(out_dir: &Path) -> Result<u8, ZippError> {
    let dir = out_dir.join("personas");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| ZippError::io(&dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = std::io::stdout().lock();
    for f in files {
        let p = zipp::Persona::from_file(&f)?;
        writeln!(out, "{}", p.to_json()).map_err(|e| ZippError::io("stdout", e))?;
    }
    Ok(0)
}

/// `zipp mine ablate`: the paper's encoder table on one graph.
pub fn ablate(a: &AblateArgs) -> Result<u8, ZippError> {
    with_threads(a.threads, || ablate_in_pool(a))
}

fn ablate_in_pool(a: &AblateArgs) -> Result<u8, ZippError> {
    let graph = Graph::load(&a.graph)?;
    let tg = TrainGraph::from_graph(&graph, false)?;
    let images = match (&a.image_index, &a.image_vectors) {
        (Some(i), Some(v)) => Some(ImageTargets::load(&graph, i, v)?),
        _ => None,
    };
    let mut rows = Vec::new();
    let t = std::time::Instant::now();
    let tfidf = TfIdf::build(&graph, &tg);
    let test = evaluate(&tg, &tg.test, test_seed(a.seed), |p| tfidf.scores(p));
    rows.push(serde_json::json!({"encoder": "TF-IDF", "test": test, "epochs": 0, "seconds": t.elapsed().as_secs_f64()}));
    let encoder = EncoderConfig::default();
    let cancel = AtomicBool::new(false);
    let variants: Vec<(&str, bool)> = if images.is_some() {
        vec![("GAT", false), ("GAT + ImageAlign", true)]
    } else {
        eprintln!("no image embeddings given: GAT + ImageAlign is left out");
        vec![("GAT", false)]
    };
    for (name, align) in variants {
        let mut train = TrainConfig {
            epochs: a.epochs,
            seed: a.seed,
            ..TrainConfig::default()
        };
        if !align {
            train.image_align = None;
        }
        let t = std::time::Instant::now();
        let trainer = Trainer {
            graph: &tg,
            images: images.as_ref(),
            encoder: &encoder,
            train: &train,
            checkpoint: None,
            device: Device::Cpu,
            cancel: &cancel,
        };
        let out = trainer.run(&mut |p| {
            eprint!(
                "\r{name}: epoch {}/{}  loss {:.4}  valid posting acc {:.3}   ",
                p.epoch, p.epochs, p.loss, p.posting_accuracy
            );
            let _ = std::io::stderr().flush();
        })?;
        eprintln!();
        rows.push(serde_json::json!({
            "encoder": name, "test": out.test, "valid": out.valid, "best_epoch": out.best_epoch,
            "epochs": out.history.len(), "seconds": t.elapsed().as_secs_f64(),
        }));
    }
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        );
        return Ok(0);
    }
    println!("| encoder | posting acc (test) | AUC (test) | held-out pairs | epochs | seconds |");
    println!("|---|---|---|---|---|---|");
    for r in &rows {
        let f = |k: &str| r["test"][k].as_f64().unwrap_or(0.0);
        println!(
            "| {} | {:.1}% | {:.3} | {} | {} | {:.1} |",
            r["encoder"].as_str().unwrap_or(""),
            100.0 * f("posting_accuracy"),
            f("auc"),
            r["test"]["pairs"],
            r["epochs"],
            r["seconds"].as_f64().unwrap_or(0.0)
        );
    }
    Ok(0)
}
