//! The encoder on synthetic Reddit with planted personas: it learns the planted structure, full
//! batch and in neighbour-sampled mini-batches, and ImageAlign adds to what the graph alone gives.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use candle_core::Device;
use zipp::mine::encoder::{
    EncoderConfig, ImageTargets, Progress, TrainConfig, TrainGraph, TrainOutcome, Trainer,
};
use zipp::mine::graph::Graph;

mod mine_support;

use mine_support::temp_dir;

fn small_world(dir: &Path) -> (TrainGraph, ImageTargets) {
    let graph = Graph::load(mine_support::small_world(dir)).unwrap();
    let truth = dir.join("truth");
    let images = ImageTargets::load(
        &graph,
        &truth.join("images.txt"),
        &truth.join("image_embeddings.npy"),
    )
    .unwrap();
    (TrainGraph::from_graph(&graph, false).unwrap(), images)
}

/// Trains a small encoder (16 wide, 2 heads) with `train`.
fn train(
    graph: &TrainGraph,
    images: &ImageTargets,
    train: &TrainConfig,
    progress: &mut dyn FnMut(&Progress),
) -> TrainOutcome {
    let encoder = EncoderConfig {
        hidden: 16,
        heads: 2,
        out_dim: 16,
        embedding_dim: 16,
        ..Default::default()
    };
    let cancel = AtomicBool::new(false);
    let trainer = Trainer {
        graph,
        images: Some(images),
        encoder: &encoder,
        train,
        checkpoint: None,
        device: Device::Cpu,
        cancel: &cancel,
    };
    let out = trainer.run(progress).unwrap();
    eprintln!(
        "best epoch {} of {}: valid {:?} test {:?}",
        out.best_epoch,
        out.history.len(),
        out.valid,
        out.test
    );
    out
}

#[test]
fn training_learns_the_planted_structure_and_image_align_helps() {
    let dir = temp_dir("learn");
    let (graph, images) = small_world(&dir);
    let mut accuracy = Vec::new();
    for align in [false, true] {
        let mut config = TrainConfig::default();
        if !align {
            config.image_align = None;
        }
        let out = train(&graph, &images, &config, &mut |_| ());
        assert!(out.test.posting_accuracy > 0.75, "{:?}", out.test);
        accuracy.push(out.test.posting_accuracy);
    }
    assert!(
        accuracy[1] > accuracy[0] + 0.02,
        "ImageAlign helps: {accuracy:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn mini_batches_with_neighbour_sampling_learn_too() {
    let dir = temp_dir("batches");
    let (graph, images) = small_world(&dir);
    let config = TrainConfig {
        epochs: 25,
        batch_edges: 2048,
        fanout: [8, 8],
        ..Default::default()
    };
    let mut reports = 0;
    let out = train(&graph, &images, &config, &mut |_| reports += 1);
    // Progress comes once per batch and once per epoch: about 8 batches of 2,048 edges.
    assert!(reports > 3 * out.history.len(), "{reports} reports");
    assert!(out.test.posting_accuracy > 0.75, "{:?}", out.test);
    let _ = std::fs::remove_dir_all(&dir);
}
