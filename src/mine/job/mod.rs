//! Persona mining as a background job: train the encoder, rank communities by attention, pick
//! evidence and verbalize personas, with progress, cancel, checkpoints and resume.

mod config;
mod handle;
pub mod limits;
mod run;
mod status;

pub use config::{DeviceKind, ImageSource, MineConfig};
pub use handle::{JobOutcome, MineJob};
pub use run::{run, with_threads, write_atomic, MineResult, StatusSink};
pub use status::{JobStatus, Stage};
