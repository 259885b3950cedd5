//! What a running job reports.

use serde::Serialize;

/// The job's stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Started, not yet working.
    #[default]
    Queued,
    /// Reading the graph and image embeddings.
    Loading,
    /// Training the encoder.
    Training,
    /// Ranking communities by attention.
    Salience,
    /// Writing persona documents.
    Verbalizing,
    /// Finished; the result is ready.
    Done,
    /// Stopped by an error; the result holds it.
    Failed,
    /// Stopped by the caller.
    Cancelled,
}

/// A snapshot of a job's progress.
#[derive(Debug, Clone, Default, Serialize)]
pub struct JobStatus {
    /// Current stage.
    pub stage: Stage,
    /// Share of the whole job done, 0..1.
    pub fraction: f64,
    /// Epoch running or last finished (1-based; 0 before training).
    pub epoch: usize,
    /// Maximum epochs.
    pub epochs: usize,
    /// Latest training loss.
    pub loss: f64,
    /// Latest validation posting accuracy.
    pub posting_accuracy: f64,
    /// Estimated seconds left in the current stage, when known.
    pub eta_seconds: Option<f64>,
    /// Persona documents present so far.
    pub personas: usize,
    /// Seconds the job ran (set at the end).
    pub elapsed_seconds: f64,
    /// The error, for a failed job.
    pub error: Option<String>,
}
