//! Image embeddings per second of libzipp's CLIP on the checkpoints and preprocessed pixels
//! that `benches/clip_peer.py` wrote (the same weights and pixels transformers is timed on;
//! preprocessing excluded), checking the first four embeddings against transformers'.
//!
//! usage: clip DIR/<kind> [BATCH] [REPEATS]
//! Prints `RESULT peer=zipp model=<kind> images_per_s=.. batch=.. threads=..`.

use std::path::Path;
use std::time::Instant;

use candle_core::{Device, Tensor};
use zipp::clip::ClipModel;

fn floats(path: &Path) -> Vec<f32> {
    std::fs::read(path)
        .expect("fixture file")
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().filter(|a| a != "--bench").collect();
    let Some(dir) = args.get(1).map(Path::new) else {
        eprintln!("usage: clip DIR/<kind> [BATCH] [REPEATS]");
        return;
    };
    let batch: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(16);
    let repeats: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(3);
    let model = ClipModel::load(dir).expect("model");
    let side = model.towers().config().vision.image_size;
    let per = 3 * side * side;
    let pixels = floats(&dir.join("pixels.f32"));
    let n = pixels.len() / per;
    let features = |from: usize, count: usize| {
        let t = Tensor::from_vec(
            pixels[from * per..(from + count) * per].to_vec(),
            (count, 3, side, side),
            &Device::Cpu,
        )
        .expect("pixels");
        model.towers().image_features(&t).expect("forward")
    };
    // Same computation as transformers: the first four projected embeddings.
    let want = floats(&dir.join("embeds.f32"));
    let got = features(0, 4)
        .flatten_all()
        .and_then(|t| t.to_vec1::<f32>())
        .expect("values");
    let scale = want.iter().fold(0f32, |m, v| m.max(v.abs()));
    let err = got
        .iter()
        .zip(&want)
        .fold(0f32, |m, (a, b)| m.max((a - b).abs()));
    println!(
        "max |zipp - transformers| / max |transformers| = {:.2e}",
        err / scale
    );
    assert!(err / scale < 1e-4, "embeddings differ from transformers'");
    let _ = features(0, batch.min(n));
    let mut rates = Vec::new();
    for _ in 0..repeats {
        let t = Instant::now();
        let mut i = 0;
        while i < n {
            let k = batch.min(n - i);
            let _ = features(i, k);
            i += k;
        }
        rates.push(n as f64 / t.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    let kind = dir
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    println!(
        "RESULT peer=zipp model={kind} images_per_s={:.2} batch={batch} threads={}",
        rates[rates.len() / 2],
        rayon::current_num_threads()
    );
}
