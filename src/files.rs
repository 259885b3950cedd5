//! Reading and writing files safely: bounded reads of regular files only, and atomic writes
//! (a temporary file beside the target, synced, then renamed over it).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Result, ZippError};

/// The temporary file a write to `path` goes through (`NAME.tmp` beside it).
pub fn temp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Reads at most `limit` bytes of the regular file at `path`. Devices, pipes and folders are
/// refused before anything is read (their metadata says nothing of their length: `/dev/zero`
/// would be read until memory runs out), and a file longer than `limit`, however it grew, is
/// `TooLarge` naming `what`.
pub fn read_bounded(path: &Path, limit: usize, what: &str) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| ZippError::io(path, e))?;
    if !meta.is_file() {
        return Err(ZippError::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"),
        ));
    }
    let too_large = |size: u64| ZippError::TooLarge {
        what: format!("{what} {}", path.display()),
        size: usize::try_from(size).unwrap_or(usize::MAX),
        limit,
    };
    if meta.len() > limit as u64 {
        return Err(too_large(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| ZippError::io(path, e))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ZippError::io(path, e))?;
    if bytes.len() > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Moves a finished temporary file over `path`: syncs its data, renames it, then syncs the
/// folder where the platform allows, so that a crash leaves the old file or the new one.
pub fn commit(tmp: &Path, path: &Path) -> Result<()> {
    std::fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| ZippError::io(tmp, e))?;
    std::fs::rename(tmp, path).map_err(|e| ZippError::io(path, e))?;
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Best effort: some file systems refuse to sync a folder.
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

/// Writes `path` atomically with `write`, which fills the temporary file it is given; on
/// failure the temporary file is removed and `path` is untouched.
pub fn write_atomic_with(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let tmp = temp_path(path);
    match write(&tmp).and_then(|()| commit(&tmp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |tmp| {
        let mut f = std::fs::File::create(tmp).map_err(|e| ZippError::io(tmp, e))?;
        f.write_all(bytes).map_err(|e| ZippError::io(tmp, e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_pipes_are_refused_and_long_files_are_too_large() {
        let e = read_bounded(Path::new("/dev/zero"), 1024, "persona file").unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let dir = std::env::temp_dir().join(format!("zipp-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let e = read_bounded(&dir, 1024, "persona file").unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let big = dir.join("big.json");
        std::fs::write(&big, vec![b' '; 2048]).unwrap();
        let e = read_bounded(&big, 1024, "persona file").unwrap_err();
        assert_eq!(e.status(), crate::ZippStatus::TooLarge);
        assert_eq!(read_bounded(&big, 4096, "x").unwrap().len(), 2048);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn atomic_writes_replace_or_leave_the_old_file() {
        let dir = std::env::temp_dir().join(format!("zipp-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let failed = write_atomic_with(&path, |tmp| {
            std::fs::write(tmp, b"half").unwrap();
            Err(ZippError::Cancelled)
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert!(!temp_path(&path).exists(), "the temporary file is removed");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
