//! Downloading a model over HTTP(S): resumable (a `.part` file and a `Range` request), checked
//! against a SHA-256 before it takes its final name.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Result, ZippError};

/// Progress callback: (bytes so far, total bytes if known).
pub type Progress<'a> = &'a mut dyn FnMut(u64, Option<u64>);

fn part_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    dest.with_file_name(name)
}

fn connection(url: &str, e: impl std::fmt::Display) -> ZippError {
    ZippError::Connection {
        url: url.to_string(),
        message: e.to_string(),
    }
}

/// The file name a URL ends with (query and fragment removed), if it has one.
pub fn file_name_of(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let name = path.rsplit('/').next()?;
    (!name.is_empty() && name != "." && name != "..").then(|| name.to_string())
}

/// The SHA-256 of a file, in lowercase hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = File::open(path).map_err(|e| ZippError::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| ZippError::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Downloads `url` to `dest`, resuming a `.part` file left by an interrupted run, and keeps it
/// only if its SHA-256 is `sha256` (hex, either case). A file already at `dest` with that hash
/// is kept as it is.
pub fn pull(url: &str, sha256: &str, dest: &Path, progress: Progress<'_>) -> Result<PathBuf> {
    let want = sha256.trim().to_ascii_lowercase();
    if want.len() != 64 || !want.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ZippError::InvalidOptions {
            field: "sha256".into(),
            message: "expected 64 hexadecimal digits".into(),
        });
    }
    if dest.is_file() && sha256_file(dest)? == want {
        return Ok(dest.to_path_buf());
    }
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| ZippError::io(dir, e))?;
    }
    let part = part_path(dest);
    let have = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    let mut request = ureq::get(url);
    if have > 0 {
        request = request.set("Range", &format!("bytes={have}-"));
    }
    let response = match request.call() {
        Ok(r) => r,
        // The part is already whole: the server has nothing after it.
        Err(ureq::Error::Status(416, _)) if have > 0 => return finish(&part, dest, &want),
        Err(ureq::Error::Status(code, r)) => {
            return Err(ZippError::Backend {
                status: code,
                message: format!("{url}: {}", r.status_text()),
            })
        }
        Err(e) => return Err(connection(url, e)),
    };
    let resumed = response.status() == 206;
    let length: Option<u64> = response
        .header("Content-Length")
        .and_then(|v| v.parse().ok());
    let total = length.map(|l| if resumed { l + have } else { l });
    let mut out = if resumed {
        OpenOptions::new().append(true).open(&part)
    } else {
        File::create(&part)
    }
    .map_err(|e| ZippError::io(&part, e))?;
    let mut done = if resumed { have } else { 0 };
    let mut reader = response.into_reader();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buf).map_err(|e| connection(url, e))?;
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n])
            .map_err(|e| ZippError::io(&part, e))?;
        done += n as u64;
        progress(done, total);
    }
    out.flush().map_err(|e| ZippError::io(&part, e))?;
    drop(out);
    if let Some(t) = total {
        if done < t {
            return Err(connection(
                url,
                format!("the download stopped at {done} of {t} bytes; run again to resume"),
            ));
        }
    }
    finish(&part, dest, &want)
}

fn finish(part: &Path, dest: &Path, want: &str) -> Result<PathBuf> {
    let got = sha256_file(part)?;
    if got != want {
        // A corrupt part cannot be resumed into a good file: start over next time.
        let _ = std::fs::remove_file(part);
        return Err(ZippError::InvalidModel {
            path: dest.to_path_buf(),
            message: format!("downloaded file has SHA-256 {got}, expected {want}; it was deleted"),
        });
    }
    crate::files::commit(part, dest)?;
    Ok(dest.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_come_from_the_url_path() {
        assert_eq!(
            file_name_of("https://h/x/m.gguf?download=1").as_deref(),
            Some("m.gguf")
        );
        assert_eq!(file_name_of("https://h/x/"), None);
    }

    #[test]
    fn bad_hashes_are_refused_before_any_request() {
        let mut p = |_: u64, _: Option<u64>| {};
        let err = pull("http://127.0.0.1:9/x", "abc", Path::new("/tmp/x"), &mut p).unwrap_err();
        assert_eq!(err.status(), crate::ZippStatus::InvalidOptions);
    }
}
