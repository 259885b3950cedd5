//! GATv2 link-prediction training on the graph `benches/gatv2_peer.py --edges-out` wrote: the
//! same model as the PyG peer (embeddings 64 -> GATv2 64 x 4 heads concat -> ELU -> GATv2 64 x
//! 1 head, dot decoder, BCE with one negative per positive, full batch, Adam lr 0.01).
//!
//! usage: gatv2 EDGES.bin SELF_LOOPS(0|1) WARMUP EPOCHS
//! Prints `RESULT peer=zipp median_s_per_epoch=.. peak_rss_mib=.. auc=..`.

use std::sync::atomic::AtomicBool;

use candle_core::Device;
use zipp::mine::encoder::{EncoderConfig, TrainConfig, TrainGraph, Trainer};

fn read_pairs(b: &[u8], at: &mut usize) -> Vec<(u32, u32)> {
    let n = u64::from_le_bytes(b[*at..*at + 8].try_into().expect("count")) as usize;
    *at += 8;
    let v = (0..n)
        .map(|i| {
            let p = *at + i * 8;
            (
                u32::from_le_bytes(b[p..p + 4].try_into().expect("user")),
                u32::from_le_bytes(b[p + 4..p + 8].try_into().expect("item")),
            )
        })
        .collect();
    *at += n * 8;
    v
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 || args.iter().any(|a| a == "--bench") && args.len() < 6 {
        eprintln!("usage: gatv2 EDGES.bin SELF_LOOPS WARMUP EPOCHS");
        return;
    }
    let bytes = std::fs::read(&args[1]).expect("edge file");
    assert_eq!(&bytes[..8], b"ZIPPEDGE", "not a ZIPPEDGE file");
    let users = u32::from_le_bytes(bytes[8..12].try_into().expect("users")) as usize;
    let items = u32::from_le_bytes(bytes[12..16].try_into().expect("items")) as usize;
    let mut at = 16;
    let train = read_pairs(&bytes, &mut at);
    let held = read_pairs(&bytes, &mut at);
    let self_loops = args[2] == "1";
    let (warmup, epochs): (usize, usize) = (
        args[3].parse().expect("warmup"),
        args[4].parse().expect("epochs"),
    );
    let graph = TrainGraph::new(
        users,
        items,
        train,
        held.clone(),
        held,
        Vec::new(),
        self_loops,
    )
    .expect("graph");
    println!(
        "graph: {users} users, {items} items, {} train edges, {} message-passing edges; rayon threads {}",
        graph.train.len(),
        graph.message.len(),
        rayon::current_num_threads()
    );
    let encoder = EncoderConfig {
        self_loops,
        ..EncoderConfig::default()
    };
    let train = TrainConfig {
        epochs: warmup + epochs,
        learning_rate: 0.01,
        warmup_epochs: 0,
        clip_norm: 0.0,
        patience: 0,
        image_align: None,
        ..TrainConfig::default()
    };
    let cancel = AtomicBool::new(false);
    let trainer = Trainer {
        graph: &graph,
        images: None,
        encoder: &encoder,
        train: &train,
        checkpoint: None,
        device: Device::Cpu,
        cancel: &cancel,
    };
    let out = trainer.run(&mut |_| ()).expect("training");
    let mut times: Vec<f64> = out.history.iter().skip(warmup).map(|e| e.seconds).collect();
    for e in &out.history {
        println!(
            "epoch {} : {:.3}s loss {:.4} peak RSS {:.0} MiB",
            e.epoch,
            e.seconds,
            e.loss,
            peak_rss_mib()
        );
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "RESULT peer=zipp median_s_per_epoch={median:.4} peak_rss_mib={:.1} auc={:.4}",
        peak_rss_mib(),
        out.test.auc
    );
}
