//! A small synthetic Reddit world (1,500 users, 150 communities, 24,000 interactions, planted
//! personas) ingested into a graph, for the encoder and job tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use zipp::mine::ingest::{collect_inputs, ingest_to_file, IngestOptions};
use zipp::mine::synth::{generate, SynthConfig};

/// A fresh folder under the temporary directory, unique to this process and `name`.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("zipp-mine-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes the synthetic dump into `dir` and its graph to `dir/g.graph`.
pub fn small_world(dir: &Path) -> PathBuf {
    let config = SynthConfig {
        users: 1500,
        communities: 150,
        interactions: 24_000,
        seed: 7,
        ..SynthConfig::default()
    };
    generate(&config, dir).unwrap();
    let inputs = collect_inputs(&[dir.join("reddit")]).unwrap();
    let graph = dir.join("g.graph");
    ingest_to_file(&inputs, &IngestOptions::default(), &graph, |_| ()).unwrap();
    graph
}
