//! `zipp eval` on a small manifest over the tiny CLIP fixture: each figure recomputed from the
//! embeddings, IPF with the sample's own margins changes nothing, bad lines name their number.

use std::path::{Path, PathBuf};

use zipp::clip::ClipModel;
use zipp::eval::manifest;
use zipp::eval::report::{evaluate, margins_from_json};
use zipp::eval::{clip_score_torchmetrics, cmmd, cosine};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clip")
}

fn write_manifest(dir: &Path) -> PathBuf {
    let img = |n: &str| fixtures().join("images").join(n).display().to_string();
    let rows = [
        (
            "u1",
            "18-34",
            "f",
            "a house in the sky",
            "plain",
            "rgb.png",
            ["gray.png", "palette.png"],
        ),
        (
            "u1",
            "18-34",
            "f",
            "a house in the sky",
            "zipp",
            "alpha.png",
            ["gray.png", "palette.png"],
        ),
        (
            "u2",
            "35-54",
            "m",
            "a dog at night",
            "plain",
            "photo.jpg",
            ["small.webp", "rgb.png"],
        ),
        (
            "u2",
            "35-54",
            "m",
            "a dog at night",
            "zipp",
            "palette.png",
            ["small.webp", "rgb.png"],
        ),
        (
            "u3",
            "35-54",
            "f",
            "sky over a house",
            "plain",
            "small.webp",
            ["alpha.png", "photo.jpg"],
        ),
        (
            "u3",
            "35-54",
            "f",
            "sky over a house",
            "zipp",
            "gray.png",
            ["alpha.png", "photo.jpg"],
        ),
    ];
    let text: String = rows
        .iter()
        .map(|(u, age, g, p, m, i, r)| {
            serde_json::json!({"user": u, "demographics": {"age": age, "gender": g}, "prompt": p,
                "method": m, "image": img(i), "references": [img(r[0]), img(r[1])]})
            .to_string()
                + "\n"
        })
        .collect();
    let path = dir.join("manifest.jsonl");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn figures_follow_from_the_embeddings() {
    let dir = std::env::temp_dir().join(format!("zipp-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rows = manifest::read(&write_manifest(&dir)).unwrap();
    let clip = ClipModel::load(fixtures().join("tiny-quick")).unwrap();
    // Margins equal to the sample's own shares: IPF weights are all one.
    let own = margins_from_json(
        r#"{"age": {"18-34": 1, "35-54": 2}, "gender": {"f": 2, "m": 1}}"#,
        "m",
    )
    .unwrap();
    let reports = evaluate(&rows, &clip, &own, Some("plain"), &mut |_, _| ()).unwrap();
    assert_eq!(reports.len(), 2);
    for r in &reports {
        let mine: Vec<_> = rows.iter().filter(|x| x.method == r.method).collect();
        let images: Vec<Vec<f32>> = mine
            .iter()
            .map(|x| {
                clip.embed_image_files(&[x.image.as_path()])
                    .unwrap()
                    .remove(0)
            })
            .collect();
        let texts: Vec<Vec<f32>> = mine
            .iter()
            .map(|x| clip.embed_texts(&[&x.prompt]).unwrap().remove(0))
            .collect();
        let pairs: Vec<(&[f32], &[f32])> = images
            .iter()
            .zip(&texts)
            .map(|(a, b)| (a.as_slice(), b.as_slice()))
            .collect();
        assert!((r.clip_score - clip_score_torchmetrics(&pairs)).abs() < 1e-9);
        let raw: f64 = images
            .iter()
            .zip(&texts)
            .map(|(a, b)| 100.0 * cosine(a, b))
            .sum::<f64>()
            / 3.0;
        assert!((r.raw - raw).abs() < 1e-9);
        assert!(
            (r.ipf.unwrap() - raw).abs() < 1e-6 && r.delta_percent.unwrap().abs() < 1e-4,
            "{r:?}"
        );
        assert!(r.image_align_max.unwrap() >= r.image_align_mean.unwrap());
        let refs: Vec<f32> = {
            let mut seen = Vec::new();
            let mut v = Vec::new();
            for x in &mine {
                for p in &x.references {
                    if !seen.contains(p) {
                        seen.push(p.clone());
                        v.extend(clip.embed_image_files(&[p.as_path()]).unwrap().remove(0));
                    }
                }
            }
            v
        };
        let flat: Vec<f32> = images.concat();
        assert!((r.cmmd.unwrap() - cmmd(&refs, &flat, 16).unwrap()).abs() < 1e-9);
        assert_eq!(r.groups["age"].len(), 2);
    }
    let plain = &reports[0];
    assert!(
        plain.win_rate.is_none(),
        "the baseline is not compared with itself"
    );
    let w = reports[1].win_rate.as_ref().unwrap();
    assert_eq!(w.wins + w.losses + w.ties, 3);

    // Skewed margins move the aggregate.
    let skew = margins_from_json(r#"{"age": {"18-34": 9, "35-54": 1}}"#, "m").unwrap();
    let skewed = evaluate(&rows, &clip, &skew, None, &mut |_, _| ()).unwrap();
    assert!(skewed[0].delta_percent.unwrap().abs() > 1e-3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_command_writes_json_and_csv_and_names_bad_lines() {
    let dir = std::env::temp_dir().join(format!("zipp-eval-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let m = write_manifest(&dir);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zipp"))
        .args(["eval"])
        .arg(&m)
        .arg("--clip")
        .arg(fixtures().join("tiny-quick"))
        .args(["--baseline", "plain", "--out"])
        .arg(dir.join("out"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("| zipp | 3 |") && table.contains("| plain | 3 |"),
        "{table}"
    );
    let csv = std::fs::read_to_string(dir.join("out/eval.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/eval.json")).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);

    std::fs::write(dir.join("bad.jsonl"), "{\"user\": \"u\"}\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zipp"))
        .args(["eval"])
        .arg(dir.join("bad.jsonl"))
        .arg("--clip")
        .arg(fixtures().join("tiny-quick"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.jsonl:1") && err.contains("prompt"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
