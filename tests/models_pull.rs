//! `zipp models pull`: a download from a loopback server that honours `Range`, resumed after
//! an interruption, checked against its SHA-256.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use sha2::{Digest, Sha256};

/// Serves `body` at any path; honours `Range: bytes=N-` with 206. Counts requests.
fn serve(body: Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/models/tiny.gguf", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            seen.fetch_add(1, Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut from = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("range: bytes=") {
                    from = v.trim().trim_end_matches('-').parse().unwrap_or(0);
                }
            }
            let part = &body[from.min(body.len())..];
            let head = if from > 0 {
                format!(
                    "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {from}-{}/{}\r\nConnection: close\r\n\r\n",
                    part.len(),
                    body.len() - 1,
                    body.len()
                )
            } else {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    part.len()
                )
            };
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(part);
            let mut rest = Vec::new();
            let _ = reader.read_to_end(&mut rest);
        }
    });
    (url, count)
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("pull-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn zipp(args: &[&str], cache: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zipp"))
        .args(args)
        .env("ZIPP_CACHE_DIR", cache)
        .output()
        .unwrap()
}

#[test]
fn a_download_resumes_and_lands_in_the_cache_folder() {
    let body: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let (url, requests) = serve(body.clone());
    let cache = dir("resume");
    let models = cache.join("models");
    std::fs::create_dir_all(&models).unwrap();
    // An interrupted earlier run left the first third.
    std::fs::write(models.join("tiny.gguf.part"), &body[..100_000]).unwrap();
    let out = zipp(&["models", "pull", &url, "--sha256", &hex(&body)], &cache);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(PathBuf::from(&path), models.join("tiny.gguf"));
    assert_eq!(std::fs::read(&path).unwrap(), body);
    assert!(!models.join("tiny.gguf.part").exists());
    assert_eq!(requests.load(Ordering::SeqCst), 1);
    // Pulling again finds the file in place and asks nothing.
    let out = zipp(&["models", "pull", &url, "--sha256", &hex(&body)], &cache);
    assert!(out.status.success());
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}

#[test]
fn a_wrong_checksum_keeps_nothing() {
    let body = b"not the file you wanted".to_vec();
    let (url, _) = serve(body);
    let cache = dir("checksum");
    let out = zipp(
        &["models", "pull", &url, "--sha256", &"0".repeat(64)],
        &cache,
    );
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("expected 0000"), "{err}");
    assert!(!cache.join("models/tiny.gguf").exists());
    assert!(!cache.join("models/tiny.gguf.part").exists());
}

#[test]
fn a_dead_server_is_a_connection_error() {
    let cache = dir("dead");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/m.gguf", listener.local_addr().unwrap());
    drop(listener);
    let out = zipp(
        &["models", "pull", &url, "--sha256", &"a".repeat(64)],
        &cache,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot connect"));
}
