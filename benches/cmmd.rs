//! CMMD on two sets of embeddings read from raw little-endian f32 files (written by
//! `benches/cmmd_baseline.py`, which times numpy's formula on the same data).
//!
//! usage: cargo bench --bench cmmd -- X.f32 Y.f32 DIM

use std::time::Instant;

fn read(path: &str) -> Vec<f32> {
    let bytes = std::fs::read(path).expect("embedding file");
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.len() < 3 {
        eprintln!("usage: cmmd X.f32 Y.f32 DIM");
        std::process::exit(2);
    }
    let (x, y) = (read(&args[0]), read(&args[1]));
    let dim: usize = args[2].parse().expect("DIM");
    let t = Instant::now();
    let d = zipp::eval::cmmd(&x, &y, dim).expect("cmmd");
    println!(
        "zipp  cmmd={d:.12} seconds={:.2} rows={}x{} dim={dim}",
        t.elapsed().as_secs_f64(),
        x.len() / dim,
        y.len() / dim
    );
}
