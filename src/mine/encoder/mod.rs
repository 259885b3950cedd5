//! The persona-mining encoder: two GATv2 layers over the user-community graph, trained with
//! link prediction and the ImageAlign contrastive objective, with checkpoints and held-out
//! evaluation.

mod checkpoint;
pub mod config;
pub mod data;
pub mod images;
mod loss;
pub mod metrics;
pub mod model;
mod optim;
mod pair_dot;
mod sample;
pub mod tfidf;
pub mod train;

pub use checkpoint::{temp_path, TrainState};
pub use config::{EncoderConfig, ImageAlignConfig, TrainConfig};
pub use data::TrainGraph;
pub use images::ImageTargets;
pub use metrics::LinkMetrics;
pub use model::Encoder;
pub use train::{EpochStats, Progress, TrainOutcome, Trainer};
