//! CLIP against transformers 5.24 on two tiny random checkpoints (`scripts/clip_fixtures.py`):
//! tokens, text and image embeddings, and preprocessing as `CLIPImageProcessor` (Pillow) on
//! images of several sizes and modes.

use std::path::{Path, PathBuf};

use candle_core::{Device, Tensor};
use serde_json::Value;
use zipp::clip::{ClipModel, Preprocess, Rgb8};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clip")
}

fn reference() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join("reference.json")).unwrap())
        .unwrap()
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn assert_close(what: &str, got: &[f32], want: &[f32], tolerance: f32) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tolerance * w.abs().max(1.0),
            "{what}[{i}]: {g} vs transformers {w}"
        );
    }
}

fn values(t: candle_core::Result<Tensor>) -> Vec<f32> {
    t.unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap()
}

fn f32_file(path: &Path) -> Vec<f32> {
    std::fs::read(path)
        .unwrap()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[test]
fn tokens_and_embeddings_equal_transformers() {
    let r = reference();
    for (name, m) in r["models"].as_object().unwrap() {
        let model = ClipModel::load(fixtures().join(name)).unwrap();
        for t in m["texts"].as_array().unwrap() {
            let text = t["text"].as_str().unwrap();
            let ids = model.tokenize(text).unwrap();
            let want: Vec<u32> = t["input_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as u32)
                .collect();
            assert_eq!(ids, want, "{name}: tokens of {text:?}");
            let raw = values(model.towers().text_features(&[ids]));
            assert_close(
                &format!("{name}: text {text:?}"),
                &raw,
                &floats(&t["text_embeds"]),
                1e-5,
            );
            let unit = model.embed_texts(&[text]).unwrap().remove(0);
            assert_close(
                &format!("{name}: unit text {text:?}"),
                &unit,
                &floats(&t["text_embeds_normalized"]),
                1e-5,
            );
        }
        // A batch of texts of different lengths gives each text's own embedding.
        let texts: Vec<&str> = m["texts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["text"].as_str().unwrap())
            .collect();
        let batch = model.embed_texts(&texts).unwrap();
        for (got, t) in batch.iter().zip(m["texts"].as_array().unwrap()) {
            assert_close(
                &format!("{name}: batched"),
                got,
                &floats(&t["text_embeds_normalized"]),
                1e-5,
            );
        }
        for img in m["images"].as_array().unwrap() {
            let n = img["name"].as_str().unwrap();
            let pixels = f32_file(&fixtures().join(format!("expected/{n}-32.f32")));
            let t = Tensor::from_vec(pixels, (1, 3, 32, 32), &Device::Cpu).unwrap();
            let raw = values(model.towers().image_features(&t));
            assert_close(
                &format!("{name}: image {n}"),
                &raw,
                &floats(&img["image_embeds"]),
                1e-5,
            );
        }
        assert!(
            (model.towers().logit_scale() - m["logit_scale"].as_f64().unwrap() as f32).abs() < 1e-4
        );
    }
}

fn max_diff(a: &Rgb8, b: &Rgb8) -> u8 {
    assert_eq!((a.width, a.height), (b.width, b.height));
    a.pixels
        .iter()
        .zip(&b.pixels)
        .map(|(x, y)| x.abs_diff(*y))
        .max()
        .unwrap_or(0)
}

#[test]
fn preprocessing_equals_the_pillow_processor() {
    let r = reference();
    for p in r["preprocess"].as_array().unwrap() {
        let name = p["name"].as_str().unwrap();
        let ours = Rgb8::open(&fixtures().join(p["file"].as_str().unwrap())).unwrap();
        let pillow = Rgb8::open(&fixtures().join(p["decoded"].as_str().unwrap())).unwrap();
        let decoder = max_diff(&ours, &pillow);
        eprintln!("{name}: decoder differs from Pillow's by at most {decoder} levels");
        for size in [32usize, 224] {
            let pre = Preprocess::for_size(size);
            let want = Rgb8::open(&fixtures().join(format!("expected/{name}-{size}.png"))).unwrap();
            // Resampling alone is exact: Pillow's decoded pixels give Pillow's output.
            assert_eq!(
                max_diff(&pre.resize_and_crop(&pillow), &want),
                0,
                "{name} at {size}"
            );
            let end_to_end = max_diff(&pre.resize_and_crop(&ours), &want);
            eprintln!("{name} at {size}: end to end within {end_to_end} levels");
            // Every format decodes as in Pillow (JPEG through libjpeg-turbo's algorithms) and the
            // resampling is exact, so the whole pipeline gives Pillow's pixels.
            let allowed = 0;
            assert!(
                end_to_end <= allowed,
                "{name} at {size}: {end_to_end} levels"
            );
        }
        let (values, h, w) = Preprocess::for_size(32).pixel_values(&pillow);
        assert_eq!((h, w), (32, 32));
        assert_close(
            &format!("{name}: pixel values"),
            &values,
            &f32_file(&fixtures().join(format!("expected/{name}-32.f32"))),
            1e-6,
        );
    }
}

/// JPEG files of every common kind (`scripts/jpeg_fixtures.py`) decode to Pillow's pixels
/// exactly; the CMYK one (not libjpeg's to convert) goes to the fallback decoder.
#[test]
fn jpeg_decodes_exactly_as_pillow() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jpeg");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let mut kinds = Vec::new();
    for f in manifest["files"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        let ours = Rgb8::open(&dir.join(format!("{name}.jpg"))).unwrap();
        let pillow = Rgb8::open(&dir.join(format!("{name}.png"))).unwrap();
        assert_eq!((ours.width, ours.height), (pillow.width, pillow.height));
        let diff = max_diff(&ours, &pillow);
        eprintln!("{name} ({}): {diff} levels from Pillow", f["subsampling"]);
        if name == "cmyk" {
            assert!(diff <= 2, "CMYK fallback: {diff} levels");
        } else {
            assert_eq!(diff, 0, "{name}");
        }
        kinds.push(name.to_string());
    }
    assert!(kinds.len() >= 7, "{kinds:?}");
    let err = Rgb8::open(&dir.join("truncated.jpg"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("truncated") && err.contains("truncated.jpg"),
        "{err}"
    );
    let mut garbage = std::fs::read(dir.join("s420.jpg")).unwrap();
    for b in garbage.iter_mut().skip(200).step_by(7) {
        *b = b.wrapping_mul(31).wrapping_add(17);
    }
    // Corrupt entropy-coded data may decode to noise (libjpeg only warns), but never panics;
    // a corrupt header is an error.
    let _ = Rgb8::decode(&garbage, "garbage.jpg");
    let header = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x03, 0x01, 0xFF, 0xFF];
    let err = Rgb8::decode(&header, "header.jpg").unwrap_err().to_string();
    assert!(
        err.contains("header.jpg") && err.contains("cannot decode"),
        "{err}"
    );
}

/// A batch large enough to be split across threads (small models run one part per thread)
/// gives each image the embedding it gets alone, in order.
#[test]
fn split_batches_equal_single_images() {
    let model = ClipModel::load(fixtures().join("tiny-quick")).unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jpeg");
    let images: Vec<Rgb8> = [
        "s420",
        "s422",
        "s444",
        "gray",
        "cmyk",
        "progressive",
        "restart",
    ]
    .iter()
    .map(|n| Rgb8::open(&dir.join(format!("{n}.jpg"))).unwrap())
    .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    let batch = pool.install(|| model.embed_images(&images)).unwrap();
    assert_eq!(batch.len(), images.len());
    for (i, img) in images.iter().enumerate() {
        let alone = model.embed_images(std::slice::from_ref(img)).unwrap();
        assert_close(&format!("image {i}"), &batch[i], &alone[0], 1e-5);
    }
}

#[test]
fn image_files_are_cached_by_content_and_bad_input_is_refused() {
    let model = ClipModel::load(fixtures().join("tiny-quick")).unwrap();
    let a = fixtures().join("images/rgb.png");
    let b = fixtures().join("images/palette.png");
    let first = model
        .embed_image_files(&[a.as_path(), b.as_path()])
        .unwrap();
    assert_eq!(model.cached(), 2);
    let again = model
        .embed_image_files(&[b.as_path(), a.as_path()])
        .unwrap();
    assert_eq!(
        (again[0].clone(), again[1].clone()),
        (first[1].clone(), first[0].clone())
    );
    assert_eq!(model.cached(), 2);
    let norm: f32 = first[0].iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-5);
    let decoded = Rgb8::open(&a).unwrap();
    assert_eq!(model.embed_images(&[decoded]).unwrap()[0], first[0]);

    let err = model
        .embed_image_files(&[fixtures().join("reference.json").as_path()])
        .unwrap_err();
    assert_eq!(err.status(), zipp::ZippStatus::InvalidInput, "{err}");
    let err = model
        .embed_image_files(&[Path::new("/no/such/image.png")])
        .unwrap_err();
    assert_eq!(err.status(), zipp::ZippStatus::Io);
    assert!(Rgb8::from_raw(2, 2, vec![0; 11]).is_err());
    let err = ClipModel::load(fixtures().join("images")).unwrap_err();
    assert_eq!(err.status(), zipp::ZippStatus::Io, "{err}");
}
