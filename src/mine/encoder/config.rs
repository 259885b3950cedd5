//! Settings of the encoder and its training, as read from a mining configuration.

use serde::{Deserialize, Serialize};

/// Shape of the encoder: node embeddings, GATv2 (heads, concatenated) -> ELU -> GATv2 (1 head).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EncoderConfig {
    /// Width of the learnable node embeddings.
    pub embedding_dim: usize,
    /// Channels per head of the first layer.
    pub hidden: usize,
    /// Heads of the first layer.
    pub heads: usize,
    /// Width of the output (one head).
    pub out_dim: usize,
    /// Attention dropout during training.
    pub dropout: f32,
    /// One linear map for sources and targets in both layers.
    pub share_weights: bool,
    /// Add a self-loop to every node (off for the bipartite graph, as the paper's encoder).
    pub self_loops: bool,
    /// LeakyReLU slope of the attention scores.
    pub negative_slope: f32,
}

impl Default for EncoderConfig {
    fn default() -> Self {
        Self {
            embedding_dim: 64,
            hidden: 64,
            heads: 4,
            out_dim: 64,
            dropout: 0.0,
            share_weights: false,
            self_loops: false,
            negative_slope: 0.2,
        }
    }
}

/// The ImageAlign objective: InfoNCE between projected user embeddings and the mean embedding
/// of each user's images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImageAlignConfig {
    /// Weight of the ImageAlign loss against the link loss (0 turns it off).
    pub weight: f32,
    /// Softmax temperature (the starting value when learned).
    pub temperature: f32,
    /// Learn the temperature (as a log, clamped to [0.01, 1]).
    pub learn_temperature: bool,
    /// Users per InfoNCE batch (the other users of the batch are the negatives).
    pub batch_users: usize,
}

impl Default for ImageAlignConfig {
    fn default() -> Self {
        Self {
            weight: 0.1,
            temperature: 0.1,
            learn_temperature: false,
            batch_users: 1024,
        }
    }
}

/// Optimization settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Maximum number of epochs.
    pub epochs: usize,
    /// Peak learning rate of AdamW.
    pub learning_rate: f64,
    /// Decoupled weight decay of AdamW.
    pub weight_decay: f64,
    /// Epochs of linear warm-up before the cosine decay (to a tenth of the peak).
    pub warmup_epochs: usize,
    /// Global gradient-norm clip (0 turns it off).
    pub clip_norm: f64,
    /// Sampled negative communities per positive edge.
    pub negatives: usize,
    /// Stop after this many epochs without a better validation posting accuracy (0: never).
    pub patience: usize,
    /// Positive edges per mini-batch; 0 trains full batch when the graph has at most
    /// `full_batch_limit` message-passing edges, else in batches of 65,536.
    pub batch_edges: usize,
    /// Largest graph (message-passing edges) trained full batch when `batch_edges` is 0.
    pub full_batch_limit: usize,
    /// Neighbours sampled per node for layer 1 and layer 2 in mini-batches.
    pub fanout: [usize; 2],
    /// Seed of initialization, sampling and dropout.
    pub seed: u64,
    /// The ImageAlign objective (off when absent or when no image embeddings are given).
    pub image_align: Option<ImageAlignConfig>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 200,
            learning_rate: 0.02,
            weight_decay: 0.0,
            warmup_epochs: 2,
            clip_norm: 5.0,
            negatives: 1,
            patience: 30,
            batch_edges: 0,
            full_batch_limit: 8_000_000,
            fanout: [15, 10],
            seed: 1,
            image_align: Some(ImageAlignConfig::default()),
        }
    }
}

impl TrainConfig {
    /// Learning rate of `epoch` (0-based): linear warm-up, then cosine decay to a tenth.
    pub fn learning_rate_at(&self, epoch: usize) -> f64 {
        let peak = self.learning_rate;
        if epoch < self.warmup_epochs {
            return peak * (epoch + 1) as f64 / self.warmup_epochs as f64;
        }
        let span = self.epochs.saturating_sub(self.warmup_epochs).max(1) as f64;
        let t = ((epoch - self.warmup_epochs) as f64 / span).min(1.0);
        peak * (0.1 + 0.9 * 0.5 * (1.0 + (std::f64::consts::PI * t).cos()))
    }
}
