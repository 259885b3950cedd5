//! The mining job's configuration (JSON).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Result, ZippError};
use crate::llm::BackendConfig;
use crate::mine::encoder::{EncoderConfig, TrainConfig};
use crate::mine::evidence::EvidenceConfig;

/// Precomputed image embeddings: one image reference per line of `index`, one row per line in
/// the `.npy` matrix `vectors` (for example CLIP embeddings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageSource {
    /// Text file of image references (URLs as stored in the graph).
    pub index: PathBuf,
    /// `.npy` matrix (f32 or f64), one row per reference.
    pub vectors: PathBuf,
}

/// Where training runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    /// The CPU (always available).
    #[default]
    Cpu,
    /// The first CUDA GPU (builds with the `cuda` feature).
    Cuda,
}

/// Everything a mining run needs.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MineConfig {
    /// The graph file written by `zipp mine ingest`.
    pub graph: PathBuf,
    /// Output folder: checkpoint, encoder weights, metrics, salience, personas.
    pub out_dir: PathBuf,
    /// Image embeddings for ImageAlign (ImageAlign is off without them).
    #[serde(default)]
    pub images: Option<ImageSource>,
    /// Encoder shape.
    #[serde(default)]
    pub encoder: EncoderConfig,
    /// Optimization.
    #[serde(default)]
    pub train: TrainConfig,
    /// Evidence selection.
    #[serde(default)]
    pub evidence: EvidenceConfig,
    /// Text backend that verbalizes personas (as the rewriter's `backend`, `model_path`, ...);
    /// absent: composed from the evidence without a model.
    #[serde(default)]
    pub verbalizer: Option<BackendConfig>,
    /// Most personas to write, most active users first (absent: every user).
    #[serde(default)]
    pub max_personas: Option<usize>,
    /// Continue from the checkpoint and keep personas already written (default true).
    #[serde(default = "yes")]
    pub resume: bool,
    /// Training device.
    #[serde(default)]
    pub device: DeviceKind,
    /// Compute threads (default: all cores; 1 to 256).
    #[serde(default)]
    pub threads: Option<usize>,
    /// Largest memory the job may need, in MiB (default 16,384): estimated from the graph and
    /// the encoder before training, and refused over it.
    #[serde(default)]
    pub memory_limit_mb: Option<u64>,
}

fn yes() -> bool {
    true
}

impl MineConfig {
    /// Parses a JSON configuration; relative paths are taken from `base` when given.
    pub fn from_json(json: &str, base: Option<&Path>) -> Result<Self> {
        let mut c: MineConfig = serde_json::from_str(json).map_err(|e| {
            if e.is_data() {
                // Well-formed JSON with a wrong key, type or value: a configuration problem.
                ZippError::InvalidConfig {
                    field: "mining config".into(),
                    message: crate::error::strip_position(&e.to_string()),
                }
            } else {
                ZippError::json("mining config", &e)
            }
        })?;
        if let Some(base) = base {
            let fix = |p: &mut PathBuf| {
                if p.is_relative() {
                    *p = base.join(&*p);
                }
            };
            fix(&mut c.graph);
            fix(&mut c.out_dir);
            if let Some(i) = c.images.as_mut() {
                fix(&mut i.index);
                fix(&mut i.vectors);
            }
        }
        c.check()?;
        Ok(c)
    }

    fn check(&self) -> Result<()> {
        let bad = |field: &str, message: String| {
            Err(ZippError::InvalidConfig {
                field: field.into(),
                message,
            })
        };
        let e = &self.encoder;
        if [e.embedding_dim, e.hidden, e.heads, e.out_dim].contains(&0) {
            return bad(
                "encoder",
                "embedding_dim, hidden, heads and out_dim must be positive".into(),
            );
        }
        if !(0.0..1.0).contains(&e.dropout) {
            return bad(
                "encoder.dropout",
                format!("{} is outside [0, 1)", e.dropout),
            );
        }
        let t = &self.train;
        if !(t.learning_rate > 0.0 && t.learning_rate.is_finite()) {
            return bad(
                "train.learning_rate",
                format!("{} must be positive", t.learning_rate),
            );
        }
        if t.negatives == 0 || t.negatives > 64 {
            return bad(
                "train.negatives",
                format!("{} is outside 1..=64", t.negatives),
            );
        }
        if self.evidence.token_budget == 0 || self.evidence.max_communities == 0 {
            return bad(
                "evidence",
                "token_budget and max_communities must be positive".into(),
            );
        }
        if self.threads == Some(0) {
            return bad("threads", "must be positive".into());
        }
        super::limits::check(self)
    }
}
