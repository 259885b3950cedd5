//! The mining pipeline: load the graph, train the encoder, rank communities by attention, pick
//! evidence, verbalize personas, and write every output atomically.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use candle_core::Device;
use serde::Serialize;

use super::config::{DeviceKind, MineConfig};
use super::status::{JobStatus, Stage};
use crate::error::{Result, ZippError};
use crate::mine::encoder::{ImageTargets, LinkMetrics, TrainGraph, Trainer};
use crate::mine::evidence;
use crate::mine::graph::Graph;
use crate::mine::verbalize::{self, WordStats};

/// What a finished run wrote.
#[derive(Debug, Clone, Serialize)]
pub struct MineResult {
    /// The output folder.
    pub out_dir: PathBuf,
    /// Folder of persona documents, one `<id>.json` per user.
    pub personas_dir: PathBuf,
    /// Persona documents written in this run.
    pub personas_written: usize,
    /// Persona documents already there (kept on resume).
    pub personas_kept: usize,
    /// Users whose persona could not be made, with the reason.
    pub personas_failed: Vec<(String, String)>,
    /// Ranked communities per user (JSON lines).
    pub salience: PathBuf,
    /// Encoder weights (safetensors).
    pub encoder: PathBuf,
    /// Training history and held-out figures (JSON).
    pub metrics: PathBuf,
    /// Validation figures of the weights kept.
    pub valid: LinkMetrics,
    /// Test figures of the weights kept.
    pub test: LinkMetrics,
    /// Epoch of the weights kept.
    pub best_epoch: usize,
    /// Epochs restored from a checkpoint.
    pub resumed_epochs: usize,
}

pub use crate::files::write_atomic;

/// Runs `work` on a thread pool of `threads` threads (`None`: one per core), so the encoder's
/// parallel loops and matrix products use exactly that many.
pub fn with_threads<T>(threads: Option<usize>, work: impl FnOnce() -> Result<T> + Send) -> Result<T>
where
    T: Send,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| ZippError::Compute {
            stage: "threads".into(),
            message: e.to_string(),
        })?;
    pool.install(work)
}

fn device(kind: DeviceKind) -> Result<Device> {
    match kind {
        DeviceKind::Cpu => Ok(Device::Cpu),
        #[cfg(feature = "cuda")]
        DeviceKind::Cuda => Device::new_cuda(0).map_err(|e| ZippError::Compute {
            stage: "cuda".into(),
            message: e.to_string(),
        }),
        #[cfg(not(feature = "cuda"))]
        DeviceKind::Cuda => Err(ZippError::Unsupported {
            what: "device \"cuda\": this build has no CUDA support (build with the `cuda` feature)"
                .into(),
        }),
    }
}

/// Receives an update to apply to the job's status.
pub type StatusSink<'a> = &'a dyn Fn(&dyn Fn(&mut JobStatus));

/// Runs the whole pipeline, reporting into `status` and stopping when `cancel` is set.
pub fn run(config: &MineConfig, cancel: &AtomicBool, status: StatusSink<'_>) -> Result<MineResult> {
    let started = Instant::now();
    let dev = device(config.device)?;
    status(&|s| s.stage = Stage::Loading);
    let graph = Graph::load(&config.graph)?;
    let out = &config.out_dir;
    let personas_dir = out.join("personas");
    std::fs::create_dir_all(&personas_dir).map_err(|e| ZippError::io(&personas_dir, e))?;
    let train_graph = TrainGraph::from_graph(&graph, config.encoder.self_loops)?;
    super::limits::check_memory(
        config,
        train_graph.message.nodes() as u64,
        train_graph.message.len() as u64,
    )?;
    let images = match &config.images {
        Some(src) => Some(ImageTargets::load(&graph, &src.index, &src.vectors)?),
        None => None,
    };
    let checkpoint = out.join("checkpoint.safetensors");
    if !config.resume && checkpoint.exists() {
        std::fs::remove_file(&checkpoint).map_err(|e| ZippError::io(&checkpoint, e))?;
    }

    // Training: 0.0 .. 0.8 of the job.
    status(&|s| {
        s.stage = Stage::Training;
        s.epochs = config.train.epochs;
    });
    let trainer = Trainer {
        graph: &train_graph,
        images: images.as_ref(),
        encoder: &config.encoder,
        train: &config.train,
        checkpoint: Some(checkpoint.clone()),
        device: dev,
        cancel,
    };
    let t0 = Instant::now();
    let outcome = trainer.run(&mut |p| {
        let elapsed = t0.elapsed().as_secs_f64();
        status(&|s| {
            s.fraction = 0.8 * p.fraction;
            s.epoch = p.epoch;
            s.loss = p.loss;
            s.posting_accuracy = p.posting_accuracy;
            s.eta_seconds = (p.fraction > 0.0).then(|| elapsed * (1.0 - p.fraction) / p.fraction);
        })
    })?;
    let encoder_path = out.join("encoder.safetensors");
    let tensors: std::collections::HashMap<String, candle_core::Tensor> = outcome
        .encoder
        .params
        .iter()
        .map(|(n, v)| (n.to_string(), v.as_tensor().clone()))
        .collect();
    crate::files::write_atomic_with(&encoder_path, |tmp| {
        candle_core::safetensors::save(&tensors, tmp)
            .map_err(|e| ZippError::io(tmp, std::io::Error::other(e.to_string())))
    })?;
    let metrics_path = out.join("metrics.json");
    let metrics = serde_json::json!({
        "best_epoch": outcome.best_epoch, "stopped_early": outcome.stopped_early,
        "resumed_epochs": outcome.resumed_epochs, "valid": outcome.valid, "test": outcome.test,
        "history": outcome.history,
    });
    write_atomic(
        &metrics_path,
        &serde_json::to_vec_pretty(&metrics).unwrap_or_default(),
    )?;

    // Salience: 0.8 .. 0.85.
    status(&|s| {
        s.stage = Stage::Salience;
        s.fraction = 0.8;
        s.eta_seconds = None;
    });
    let alpha = outcome
        .encoder
        .salience(&train_graph.message)
        .map_err(|e| ZippError::Compute {
            stage: "salience".into(),
            message: e.to_string(),
        })?;
    let mut order: Vec<u32> = (0..graph.users()).collect();
    order.sort_by_key(|u| {
        std::cmp::Reverse(
            graph
                .user_edges(*u)
                .counts
                .iter()
                .map(|c| u64::from(*c))
                .sum::<u64>(),
        )
    });
    order.truncate(config.max_personas.unwrap_or(usize::MAX));
    let mut salience_lines = String::new();
    let ranked: Vec<Vec<(u32, f32)>> = order
        .iter()
        .map(|u| {
            let r = evidence::rank(&train_graph, &alpha, *u);
            let line = serde_json::json!({
                "user": graph.user_name(*u),
                "communities": r.iter().map(|(c, a)| serde_json::json!([graph.community_name(*c), a])).collect::<Vec<_>>(),
            });
            salience_lines.push_str(&line.to_string());
            salience_lines.push('\n');
            r
        })
        .collect();
    let salience_path = out.join("salience.jsonl");
    write_atomic(&salience_path, salience_lines.as_bytes())?;

    // Verbalization: 0.85 .. 1.0.
    status(&|s| {
        s.stage = Stage::Verbalizing;
        s.fraction = 0.85;
    });
    let backend = match &config.verbalizer {
        Some(b) => Some(crate::llm::build_backend(b)?.0),
        None => None,
    };
    let stats = WordStats::from_graph(&graph);
    let mut result = MineResult {
        out_dir: out.clone(),
        personas_dir: personas_dir.clone(),
        personas_written: 0,
        personas_kept: 0,
        personas_failed: Vec::new(),
        salience: salience_path,
        encoder: encoder_path,
        metrics: metrics_path,
        valid: outcome.valid,
        test: outcome.test,
        best_epoch: outcome.best_epoch,
        resumed_epochs: outcome.resumed_epochs,
    };
    let v0 = Instant::now();
    let mut ids = std::collections::HashMap::new();
    for (i, (u, r)) in order.iter().zip(&ranked).enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return Err(ZippError::Cancelled);
        }
        let name = graph.user_name(*u);
        let id = verbalize::persona_id(name);
        if let Some(first) = ids.insert(id.clone(), name) {
            // Ids carry a hash of the name; two names with one id would overwrite a file.
            result.personas_failed.push((
                name.to_string(),
                format!("its persona id {id} is also that of user {first}"),
            ));
            continue;
        }
        let file = personas_dir.join(format!("{id}.json"));
        if config.resume && file.exists() {
            result.personas_kept += 1;
            continue;
        }
        let ev = evidence::select(&graph, *u, r, &config.evidence);
        let persona = match &backend {
            Some(b) => verbalize::with_backend(
                b.as_ref(),
                name,
                ev,
                &stats,
                config.train.seed ^ u64::from(*u),
                Some(cancel),
            ),
            None => verbalize::compose(name, ev, &stats),
        };
        match persona {
            Ok(p) => {
                write_atomic(&file, p.to_json_pretty().as_bytes())?;
                result.personas_written += 1;
            }
            Err(ZippError::Cancelled) => return Err(ZippError::Cancelled),
            Err(e) => result
                .personas_failed
                .push((name.to_string(), e.to_string())),
        }
        let done = (i + 1) as f64 / order.len().max(1) as f64;
        let elapsed = v0.elapsed().as_secs_f64();
        status(&|s| {
            s.fraction = 0.85 + 0.15 * done;
            s.personas = result.personas_written + result.personas_kept;
            s.eta_seconds = Some(elapsed * (1.0 - done) / done);
        });
    }
    let summary = serde_json::to_vec_pretty(&result).unwrap_or_default();
    write_atomic(&out.join("result.json"), &summary)?;
    let seconds = started.elapsed().as_secs_f64();
    status(&|s| {
        s.stage = Stage::Done;
        s.fraction = 1.0;
        s.eta_seconds = Some(0.0);
        s.elapsed_seconds = seconds;
    });
    Ok(result)
}
