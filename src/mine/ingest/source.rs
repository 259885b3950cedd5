//! Input files: which format each is, opening it (zstd with a 2 GiB window), and reading its
//! lines with a length cap so one runaway line cannot take the memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{Result, ZippError};

/// Largest zstd window accepted (`--long=31`, as Reddit dumps are compressed).
pub const ZSTD_WINDOW_LOG_MAX: u32 = 31;

/// The format of one input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Newline-delimited JSON (Reddit dumps or generic logs).
    JsonLines,
    /// CSV with a header naming `user`, `community` and optionally `text`, `image`, `timestamp`.
    Csv,
}

/// One input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Its path.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
    /// Whether it is zstd-compressed.
    pub zstd: bool,
}

impl Input {
    /// Classifies `path` by its name: `.zst` is zstd; `.csv` (before `.zst`) is CSV; anything
    /// else (`RC_2015-01`, `.jsonl`, `.ndjson`, `.json`) is JSON lines.
    pub fn from_path(path: &Path) -> Self {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let zstd = name.ends_with(".zst") || name.ends_with(".zstd");
        let inner = name.trim_end_matches(".zst").trim_end_matches(".zstd");
        let format = if inner.ends_with(".csv") {
            Format::Csv
        } else {
            Format::JsonLines
        };
        Self {
            path: path.to_path_buf(),
            format,
            zstd,
        }
    }

    /// Size on disk in bytes.
    pub fn size(&self) -> u64 {
        std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0)
    }

    /// The decompressed byte stream.
    pub fn open(&self) -> Result<Box<dyn Read + Send>> {
        let file = File::open(&self.path).map_err(|e| ZippError::io(&self.path, e))?;
        if !self.zstd {
            return Ok(Box::new(file));
        }
        let mut decoder =
            zstd::stream::read::Decoder::new(file).map_err(|e| ZippError::io(&self.path, e))?;
        decoder
            .window_log_max(ZSTD_WINDOW_LOG_MAX)
            .map_err(|e| ZippError::io(&self.path, e))?;
        Ok(Box::new(decoder))
    }
}

fn is_input_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let inner = n.trim_end_matches(".zst").trim_end_matches(".zstd");
    n.starts_with("rc_")
        || n.starts_with("rs_")
        || [".jsonl", ".ndjson", ".json", ".csv"]
            .iter()
            .any(|e| inner.ends_with(e))
}

/// The input files named by `paths`: files as given, directories searched recursively for dump
/// and log files (`RC_*`, `RS_*`, `*.jsonl`, `*.ndjson`, `*.json`, `*.csv`, each optionally
/// `.zst`), in name order.
pub fn collect_inputs(paths: &[PathBuf]) -> Result<Vec<Input>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| ZippError::io(p, e))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found)?;
            found.sort();
            out.extend(found.iter().map(|f| Input::from_path(f)));
        } else {
            out.push(Input::from_path(p));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| ZippError::io(dir, e))? {
        let path = entry.map_err(|e| ZippError::io(dir, e))?.path();
        if path.is_dir() {
            walk(&path, found)?;
        } else if path
            .file_name()
            .is_some_and(|n| is_input_name(&n.to_string_lossy()))
        {
            found.push(path);
        }
    }
    Ok(())
}

/// What [`LineReader::next_line`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A line (without its newline) is in the buffer.
    Ok,
    /// A line longer than the cap was skipped; its length in bytes.
    TooLong(usize),
    /// The stream ended.
    End,
}

/// Reads lines of at most `max` bytes; longer ones are skipped without being held in memory.
pub struct LineReader<R: Read> {
    inner: BufReader<R>,
    max: usize,
    /// Decompressed bytes consumed so far.
    pub bytes: u64,
}

impl<R: Read> LineReader<R> {
    /// A reader over `inner` with lines capped at `max` bytes.
    pub fn new(inner: R, max: usize) -> Self {
        Self {
            inner: BufReader::with_capacity(1 << 20, inner),
            max,
            bytes: 0,
        }
    }

    /// Reads the next line into `buf` (cleared first).
    pub fn next_line(&mut self, buf: &mut Vec<u8>) -> io::Result<Line> {
        buf.clear();
        let mut skipped: Option<usize> = None;
        loop {
            let available = match self.inner.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok(match skipped {
                    Some(n) => Line::TooLong(n),
                    None if buf.is_empty() => Line::End,
                    None => Line::Ok,
                });
            }
            let (chunk, done) = match memchr::memchr(b'\n', available) {
                Some(i) => (&available[..i], Some(i + 1)),
                None => (available, None),
            };
            match skipped.as_mut() {
                Some(n) => *n += chunk.len(),
                None if buf.len() + chunk.len() > self.max => {
                    skipped = Some(buf.len() + chunk.len());
                    buf.clear();
                }
                None => buf.extend_from_slice(chunk),
            }
            let used = done.unwrap_or(available.len());
            self.inner.consume(used);
            self.bytes += used as u64;
            if done.is_some() {
                if buf.last() == Some(&b'\r') {
                    buf.pop();
                }
                return Ok(match skipped {
                    Some(n) => Line::TooLong(n),
                    None => Line::Ok,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_names() {
        let f = |n: &str| Input::from_path(Path::new(n));
        assert_eq!(
            (f("RC_2015-01.zst").format, f("RC_2015-01.zst").zstd),
            (Format::JsonLines, true)
        );
        assert_eq!(f("log.csv.zst").format, Format::Csv);
        assert_eq!(
            (f("log.jsonl").format, f("log.jsonl").zstd),
            (Format::JsonLines, false)
        );
        assert!(
            is_input_name("RS_2022-12.zst")
                && is_input_name("x.ndjson")
                && !is_input_name("notes.txt")
        );
    }

    #[test]
    fn long_lines_are_skipped_and_counted() {
        let data = format!("short\n{}\nlast", "x".repeat(100));
        let mut r = LineReader::new(data.as_bytes(), 10);
        let mut buf = Vec::new();
        assert_eq!(r.next_line(&mut buf).unwrap(), Line::Ok);
        assert_eq!(buf, b"short");
        assert_eq!(r.next_line(&mut buf).unwrap(), Line::TooLong(100));
        assert_eq!(r.next_line(&mut buf).unwrap(), Line::Ok);
        assert_eq!(buf, b"last");
        assert_eq!(r.next_line(&mut buf).unwrap(), Line::End);
        assert_eq!(r.bytes, data.len() as u64);
    }

    #[test]
    fn crlf_is_trimmed() {
        let mut r = LineReader::new(&b"a\r\nb\n"[..], 10);
        let mut buf = Vec::new();
        r.next_line(&mut buf).unwrap();
        assert_eq!(buf, b"a");
    }
}
