//! Training checkpoints: parameters, optimizer moments, the best parameters so far and the
//! training state in one safetensors file, written to a temporary name and renamed, so a killed
//! job leaves either the previous checkpoint or the new one, never half of one.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{Device, Tensor};
use serde::{Deserialize, Serialize};

use super::model::Encoder;
use super::optim::AdamW;
use super::train::EpochStats;
use crate::error::{Result, ZippError};

/// Format version of the checkpoint state.
pub const VERSION: u32 = 1;

/// Where training stands.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TrainState {
    /// Checkpoint format version.
    pub version: u32,
    /// Hash of the configuration and graph the checkpoint belongs to.
    pub fingerprint: String,
    /// Epochs completed.
    pub epochs_done: usize,
    /// Optimizer steps taken.
    pub step: u64,
    /// Epoch (1-based) of the best validation posting accuracy, 0 before any.
    pub best_epoch: usize,
    /// That accuracy.
    pub best_valid: f64,
    /// Per-epoch figures so far.
    pub history: Vec<EpochStats>,
}

fn corrupt(path: &Path, message: impl std::fmt::Display) -> ZippError {
    ZippError::InvalidModel {
        path: path.to_path_buf(),
        message: format!("checkpoint cannot be used: {message}; delete it to start over"),
    }
}

/// Writes `encoder`, `optimizer`, `best` parameters and `state` to `path` atomically.
pub fn save(
    path: &Path,
    encoder: &Encoder,
    optimizer: &AdamW,
    best: &[Tensor],
    state: &TrainState,
) -> Result<()> {
    let mut map: HashMap<String, Tensor> = HashMap::new();
    for (i, (name, var)) in encoder.params.iter().enumerate() {
        map.insert(format!("param.{name}"), var.as_tensor().clone());
        let (m, v) = &optimizer.moments[i];
        map.insert(format!("adam_m.{name}"), m.clone());
        map.insert(format!("adam_v.{name}"), v.clone());
        if let Some(b) = best.get(i) {
            map.insert(format!("best.{name}"), b.clone());
        }
    }
    let json = serde_json::to_vec(state).map_err(|e| ZippError::json("checkpoint state", &e))?;
    let n = json.len();
    let meta = Tensor::from_vec(json, n, &Device::Cpu).map_err(|e| corrupt(path, e))?;
    map.insert("state".into(), meta);
    crate::files::write_atomic_with(path, |tmp| {
        candle_core::safetensors::save(&map, tmp)
            .map_err(|e| ZippError::io(tmp, std::io::Error::other(e.to_string())))
    })
}

pub use crate::files::temp_path;

/// Restores `encoder` and `optimizer` from `path` and returns the best parameters and state;
/// a checkpoint of another configuration, a corrupt file or a shape mismatch is an error.
pub fn load(
    path: &Path,
    fingerprint: &str,
    encoder: &Encoder,
    optimizer: &mut AdamW,
) -> Result<(Vec<Tensor>, TrainState)> {
    let dev = encoder
        .vars()
        .first()
        .map(|v| v.device().clone())
        .unwrap_or(Device::Cpu);
    let map = candle_core::safetensors::load(path, &dev).map_err(|e| corrupt(path, e))?;
    let state_bytes = map
        .get("state")
        .ok_or_else(|| corrupt(path, "no training state"))?
        .to_vec1::<u8>()
        .map_err(|e| corrupt(path, e))?;
    let state: TrainState = serde_json::from_slice(&state_bytes).map_err(|e| corrupt(path, e))?;
    if state.version != VERSION {
        return Err(corrupt(
            path,
            format!(
                "format version {} (this build reads {VERSION})",
                state.version
            ),
        ));
    }
    if state.fingerprint != fingerprint {
        return Err(corrupt(
            path,
            "it was written for another configuration or graph",
        ));
    }
    let get = |key: String, like: &Tensor| -> Result<Tensor> {
        let t = map
            .get(&key)
            .ok_or_else(|| corrupt(path, format!("{key} is missing")))?;
        if t.shape() != like.shape() {
            return Err(corrupt(
                path,
                format!(
                    "{key} has shape {:?}, expected {:?}",
                    t.shape(),
                    like.shape()
                ),
            ));
        }
        Ok(t.clone())
    };
    let mut best = Vec::new();
    for (i, (name, var)) in encoder.params.iter().enumerate() {
        let t = var.as_tensor();
        var.set(&get(format!("param.{name}"), t)?)
            .map_err(|e| corrupt(path, e))?;
        optimizer.moments[i] = (
            get(format!("adam_m.{name}"), t)?,
            get(format!("adam_v.{name}"), t)?,
        );
        if state.best_epoch > 0 {
            best.push(get(format!("best.{name}"), t)?);
        }
    }
    optimizer.step = state.step;
    Ok((best, state))
}
