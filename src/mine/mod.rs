//! Persona mining: community-interaction logs -> user-community graph (-> encoder -> evidence ->
//! verbalized personas, in later stages).
//!
//! [`ingest`] streams Reddit dumps (`RC_`/`RS_` zstd NDJSON), generic JSONL and CSV interaction
//! logs into a [`graph::GraphBuilder`]; [`graph`] holds the finished bipartite graph in a
//! versioned, memory-mappable binary format; [`synth`] writes Reddit-format dumps with planted
//! persona types and their ground truth for tests and benchmarks.

pub mod encoder;
pub mod evidence;
mod fxhash;
pub mod gat;
pub mod graph;
pub mod ingest;
pub mod job;
pub mod synth;
pub mod verbalize;
