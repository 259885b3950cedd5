//! The ONNX path (feature `onnx`) against the candle path: the tiny test CLIP exported by
//! `scripts/clip_onnx_export.py` and run by the ONNX Runtime of the PyPI `onnxruntime` wheel
//! gives the same embeddings as `ClipModel` on the checkpoint it came from.
#![cfg(feature = "onnx")]

use std::path::{Path, PathBuf};

use zipp::clip::onnx::OnnxClip;
use zipp::clip::{ClipModel, Rgb8};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/clip");

/// The ONNX Runtime library: `$ZIPP_ONNXRUNTIME`, else the one in the installed `onnxruntime`
/// wheel. Missing, the test says so and passes, unless `ZIPP_REQUIRE_MODELS=1` (CI).
fn runtime() -> Option<PathBuf> {
    let found = std::env::var_os("ZIPP_ONNXRUNTIME")
        .map(PathBuf::from)
        .or_else(|| {
            let out = std::process::Command::new("python3")
                .args([
                    "-c",
                    "import onnxruntime, os; print(os.path.join(os.path.dirname(onnxruntime.__file__), 'capi'))",
                ])
                .output()
                .ok()?;
            let capi = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
            std::fs::read_dir(capi)
                .ok()?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .find(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("libonnxruntime.so") || n == "libonnxruntime.dylib" || n == "onnxruntime.dll")
                })
        });
    if found.is_none() {
        let msg = "ONNX Runtime is not installed (pip install onnxruntime>=1.31, or set ZIPP_ONNXRUNTIME)";
        if std::env::var("ZIPP_REQUIRE_MODELS").is_ok_and(|v| v == "1") {
            panic!("{msg}");
        }
        eprintln!("SKIPPED: {msg}");
    }
    found
}

fn images() -> Vec<Rgb8> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(Path::new(FIXTURES).join("images"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths.iter().map(|p| Rgb8::open(p).unwrap()).collect()
}

fn assert_close(a: &[Vec<f32>], b: &[Vec<f32>], what: &str) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert_eq!(x.len(), y.len());
        for (j, (p, q)) in x.iter().zip(y).enumerate() {
            assert!(
                (p - q).abs() <= 1e-5,
                "{what} {i}[{j}]: onnx {p} vs candle {q}"
            );
        }
    }
}

#[test]
fn onnx_and_candle_agree_on_images_and_texts() {
    let Some(lib) = runtime() else {
        return;
    };
    let onnx = OnnxClip::load(Path::new(FIXTURES).join("tiny-quick-onnx"), Some(&lib), 2).unwrap();
    let candle = ClipModel::load(Path::new(FIXTURES).join("tiny-quick")).unwrap();
    let imgs = images();
    assert!(imgs.len() >= 3);
    assert_close(
        &onnx.embed_images(&imgs).unwrap(),
        &candle.embed_images(&imgs).unwrap(),
        "image",
    );
    let texts = ["a photo of a cat", "a rainy street at night, neon", "x"];
    assert_close(
        &onnx.embed_texts(&texts).unwrap(),
        &candle.embed_texts(&texts).unwrap(),
        "text",
    );
}

#[test]
fn missing_parts_are_clear_errors() {
    let Some(lib) = runtime() else {
        return;
    };
    let err = OnnxClip::load("/nonexistent/model", Some(&lib), 1).unwrap_err();
    assert_eq!(err.status(), zipp::ZippStatus::InvalidModel, "{err}");
    let dir = std::env::temp_dir().join(format!("zipp-onnx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["vision.onnx", "preprocessor_config.json"] {
        std::fs::copy(
            Path::new(FIXTURES).join("tiny-quick-onnx").join(f),
            dir.join(f),
        )
        .unwrap();
    }
    let vision_only = OnnxClip::load(&dir, Some(&lib), 1).unwrap();
    let err = vision_only.embed_texts(&["a cat"]).unwrap_err();
    assert_eq!(err.status(), zipp::ZippStatus::Unsupported, "{err}");
    let err = vision_only.embed_pixels(&[0.0; 10], 1, 32, 32).unwrap_err();
    assert!(err.to_string().contains("10 values"), "{err}");
    std::fs::write(dir.join("vision.onnx"), b"not a model").unwrap();
    let err = OnnxClip::load(&dir, Some(&lib), 1).unwrap_err();
    assert_eq!(err.status(), zipp::ZippStatus::InvalidModel, "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
