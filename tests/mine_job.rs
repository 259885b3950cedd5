//! The mining job end to end on synthetic Reddit with planted personas: salience finds the
//! planted communities, personas validate and name the planted vocabulary; cancel, a killed
//! process resumed from its checkpoint, and a corrupt checkpoint.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use zipp::mine::job::{MineConfig, MineJob, Stage};
use zipp::{Persona, ZippStatus};

mod mine_support;

fn world(name: &str) -> PathBuf {
    let d = mine_support::temp_dir(name);
    mine_support::small_world(&d);
    d
}

fn config(dir: &Path, extra: &str) -> String {
    format!(
        r#"{{"graph": "g.graph", "out_dir": "out", "threads": 2,
            "images": {{"index": "truth/images.txt", "vectors": "truth/image_embeddings.npy"}}{extra}}}"#
    )
    .replace("\"g.graph\"", &format!("{:?}", dir.join("g.graph")))
    .replace("\"out\"", &format!("{:?}", dir.join("out")))
    .replace("\"truth/images.txt\"", &format!("{:?}", dir.join("truth/images.txt")))
    .replace("\"truth/image_embeddings.npy\"", &format!("{:?}", dir.join("truth/image_embeddings.npy")))
}

fn start(dir: &Path, extra: &str) -> MineJob {
    MineJob::start(MineConfig::from_json(&config(dir, extra), None).unwrap()).unwrap()
}

#[test]
fn salience_finds_planted_communities_and_personas_name_their_vocabulary() {
    let dir = world("full");
    let job = start(&dir, "");
    assert!(job.wait(Some(Duration::from_secs(300))), "finishes");
    let r = job.result().unwrap().unwrap();
    assert_eq!(job.poll().stage, Stage::Done);
    assert!(r.test.posting_accuracy > 0.8, "{:?}", r.test);
    assert!(r.personas_failed.is_empty());

    // Ground truth: each user's types -> planted communities and vocabulary.
    let types: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("truth/types.json")).unwrap())
            .unwrap();
    let by_name: HashMap<&str, &Value> = types
        .iter()
        .map(|t| (t["name"].as_str().unwrap(), t))
        .collect();
    let truth: HashMap<String, Vec<String>> =
        std::fs::read_to_string(dir.join("truth/users.jsonl"))
            .unwrap()
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                let types = v["types"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_string())
                    .collect();
                (v["user"].as_str().unwrap().to_string(), types)
            })
            .collect();
    let planted = |user: &str, key: &str| -> BTreeSet<String> {
        truth[user]
            .iter()
            .flat_map(|t| {
                by_name[t.as_str()][key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap().to_string())
            })
            .collect()
    };

    let (mut users, mut hit) = (0, 0);
    for line in std::fs::read_to_string(&r.salience).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let user = v["user"].as_str().unwrap();
        let top: Vec<&str> = v["communities"]
            .as_array()
            .unwrap()
            .iter()
            .take(3)
            .map(|c| c[0].as_str().unwrap())
            .collect();
        let sum: f64 = v["communities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c[1].as_f64().unwrap())
            .sum();
        if top.is_empty() {
            continue;
        }
        assert!(
            (sum - 1.0).abs() < 1e-3,
            "attention over a user's communities sums to one"
        );
        users += 1;
        let p = planted(user, "communities");
        hit += usize::from(top.iter().any(|c| p.contains(*c)));
    }
    let share = hit as f64 / users as f64;
    eprintln!("top-3 salient communities include a planted one for {share:.3} of {users} users");
    assert!(share >= 0.9, "{share}");

    let (mut named, mut total) = (0, 0);
    for f in std::fs::read_dir(&r.personas_dir).unwrap() {
        let p = Persona::from_file(f.unwrap().path()).unwrap();
        let doc = p.document();
        let user = doc.name.as_deref().unwrap();
        let vocabulary = planted(user, "vocabulary");
        total += 1;
        named += usize::from(doc.traits.aesthetics.iter().any(|w| vocabulary.contains(w)));
        assert!(!doc.evidence.is_empty() || doc.traits.interests.is_empty());
    }
    eprintln!("{named} of {total} personas name planted vocabulary");
    assert_eq!(total, 1500);
    assert!(named as f64 >= 0.9 * total as f64, "{named}/{total}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cancel_stops_within_a_second() {
    let dir = world("cancel");
    let job = start(&dir, r#", "train": {"epochs": 100000, "patience": 0}"#);
    let t = Instant::now();
    while job.poll().epoch < 2 {
        assert!(t.elapsed() < Duration::from_secs(120));
        std::thread::sleep(Duration::from_millis(20));
    }
    let asked = Instant::now();
    job.cancel();
    assert!(job.wait(Some(Duration::from_secs(5))));
    assert!(
        asked.elapsed() < Duration::from_secs(1),
        "{:?}",
        asked.elapsed()
    );
    assert_eq!(job.poll().stage, Stage::Cancelled);
    assert_eq!(
        job.result().unwrap().unwrap_err().status(),
        ZippStatus::Cancelled
    );
    assert!(dir.join("out/checkpoint.safetensors").exists());
    assert_eq!(
        std::fs::read_dir(dir.join("out/personas")).unwrap().count(),
        0
    );
}

#[test]
fn a_killed_run_resumes_from_its_checkpoint() {
    let dir = world("kill");
    let cfg = dir.join("mine.json");
    std::fs::write(
        &cfg,
        config(&dir, r#", "train": {"epochs": 60, "patience": 0}"#),
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zipp"))
        .args(["mine", "run"])
        .arg(&cfg)
        .stderr(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let ckpt = dir.join("out/checkpoint.safetensors");
    let t = Instant::now();
    // Kill it (SIGKILL: no clean-up) a while after the first checkpoint.
    while !ckpt.exists() {
        assert!(t.elapsed() < Duration::from_secs(120));
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !dir.join("out/result.json").exists(),
        "killed before the end"
    );

    let job = start(&dir, r#", "train": {"epochs": 60, "patience": 0}"#);
    assert!(job.wait(Some(Duration::from_secs(300))));
    let r = job.result().unwrap().unwrap();
    eprintln!("resumed after {} epochs", r.resumed_epochs);
    assert!(r.resumed_epochs >= 1 && r.resumed_epochs < 60);
    let metrics: Value =
        serde_json::from_str(&std::fs::read_to_string(&r.metrics).unwrap()).unwrap();
    assert_eq!(
        metrics["history"].as_array().unwrap().len(),
        60,
        "no epoch lost or repeated"
    );
    assert_eq!(std::fs::read_dir(&r.personas_dir).unwrap().count(), 1500);
    assert!(std::fs::read_dir(dir.join("out")).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .ends_with(".tmp")));
}

#[test]
fn a_corrupt_checkpoint_is_refused_with_its_path() {
    let dir = world("corrupt");
    std::fs::create_dir_all(dir.join("out")).unwrap();
    let ckpt = dir.join("out/checkpoint.safetensors");
    std::fs::write(&ckpt, b"\x10\x00\x00\x00\x00\x00\x00\x00{\"a\": truncated").unwrap();
    let job = start(&dir, r#", "train": {"epochs": 3}"#);
    assert!(job.wait(Some(Duration::from_secs(60))));
    let err = job.result().unwrap().unwrap_err();
    let (status, message) = (err.status(), err.to_string());
    assert_eq!(status, ZippStatus::InvalidModel);
    assert!(
        message.contains("checkpoint.safetensors") && message.contains("delete it"),
        "{message}"
    );
    assert_eq!(job.poll().stage, Stage::Failed);
    assert_eq!(
        std::fs::read_dir(dir.join("out/personas")).unwrap().count(),
        0
    );

    // "resume": false starts over.
    let job = start(&dir, r#", "train": {"epochs": 3}, "resume": false"#);
    assert!(job.wait(Some(Duration::from_secs(120))));
    assert_eq!(job.result().unwrap().unwrap().resumed_epochs, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Everything a run writes that depends on the training: metrics, salience and every persona.
fn outputs(r: &zipp::mine::job::MineResult) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(&r.personas_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.push(r.salience.clone());
    files.push(r.encoder.clone());
    files
        .into_iter()
        .map(|f| {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&f).unwrap())
        })
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_result_at_one_and_two_threads() {
    let extra = r#", "train": {"epochs": 4, "patience": 0}"#;
    let mut runs = Vec::new();
    for threads in [1, 2, 2] {
        let dir = world(&format!("threads{threads}-{}", runs.len()));
        let cfg = config(&dir, extra).replace("\"threads\": 2", &format!("\"threads\": {threads}"));
        let job = MineJob::start(MineConfig::from_json(&cfg, None).unwrap()).unwrap();
        assert!(job.wait(Some(Duration::from_secs(300))));
        let r = job.result().unwrap().unwrap();
        let metrics: Value =
            serde_json::from_str(&std::fs::read_to_string(&r.metrics).unwrap()).unwrap();
        // Everything but the wall-clock time of each epoch.
        let mut history = metrics["history"].clone();
        for epoch in history.as_array_mut().unwrap() {
            epoch.as_object_mut().unwrap().remove("seconds");
        }
        runs.push((threads, history, outputs(&r)));
        let _ = std::fs::remove_dir_all(&dir);
    }
    let (_, history, files) = &runs[0];
    assert!(files.len() > 100, "personas were written");
    for (threads, h, f) in &runs[1..] {
        assert_eq!(h, history, "metrics history with {threads} threads");
        assert_eq!(f.len(), files.len());
        for ((name_a, a), (name_b, b)) in files.iter().zip(f) {
            assert_eq!(name_a, name_b);
            assert!(a == b, "{name_a} differs with {threads} threads");
        }
    }
}
