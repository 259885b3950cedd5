//! NumPy `.npy` files: reading 2-D float arrays (format 1.0-3.0, little-endian f32 or f64, C
//! order) such as precomputed image embeddings, and writing f32 matrices.

use std::path::Path;

use crate::error::{Result, ZippError};

/// A row-major matrix of f32.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub cols: usize,
    /// `rows * cols` values.
    pub data: Vec<f32>,
}

impl Matrix {
    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }
}

/// Reads a 2-D `<f4` or `<f8` array (a 1-D array is one row).
pub fn read(path: &Path) -> Result<Matrix> {
    let bytes = std::fs::read(path).map_err(|e| ZippError::io(path, e))?;
    parse(&bytes).map_err(|message| ZippError::InvalidInput {
        file: path.display().to_string(),
        line: 0,
        message,
    })
}

fn parse(b: &[u8]) -> std::result::Result<Matrix, String> {
    if b.len() < 10 || &b[..6] != b"\x93NUMPY" {
        return Err("not a .npy file".into());
    }
    let (header_len, start) = match b[6] {
        1 => (usize::from(u16::from_le_bytes([b[8], b[9]])), 10),
        2 | 3 if b.len() >= 12 => (u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize, 12),
        v => return Err(format!(".npy format version {v} is not supported")),
    };
    let header = b
        .get(start..start + header_len)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or("truncated .npy header")?;
    let field = |key: &str| -> Option<&str> {
        let i = header.find(&format!("'{key}'"))? + key.len() + 2;
        let rest = header[i..].trim_start().strip_prefix(':')?.trim_start();
        Some(rest)
    };
    let descr = field("descr").ok_or("no descr in .npy header")?;
    let width = if descr.starts_with("'<f4'") {
        4
    } else if descr.starts_with("'<f8'") {
        8
    } else {
        return Err(format!(
            "dtype {} is not little-endian f4 or f8",
            &descr[..descr.find(',').unwrap_or(descr.len())]
        ));
    };
    if field("fortran_order").is_some_and(|f| f.starts_with("True")) {
        return Err("Fortran-ordered arrays are not supported".into());
    }
    let shape = field("shape").ok_or("no shape in .npy header")?;
    let inner = shape
        .strip_prefix('(')
        .and_then(|s| s.split(')').next())
        .ok_or("malformed shape")?;
    let dims: Vec<usize> = inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<usize>()
                .map_err(|_| format!("bad dimension {s:?}"))
        })
        .collect::<std::result::Result<_, _>>()?;
    let (rows, cols) = match dims[..] {
        [n] => (1, n),
        [r, c] => (r, c),
        _ => return Err(format!("expected a 2-D array, got shape {dims:?}")),
    };
    let body = &b[start + header_len..];
    let n = rows.checked_mul(cols).ok_or("shape overflows")?;
    if body.len() < n * width {
        return Err(format!(
            "truncated: {} bytes of data for shape ({rows}, {cols})",
            body.len()
        ));
    }
    let data = if width == 4 {
        body.chunks_exact(4)
            .take(n)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    } else {
        body.chunks_exact(8)
            .take(n)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])) as f32)
            .collect()
    };
    Ok(Matrix { rows, cols, data })
}

/// A NumPy `.npy` (format 1.0) file of little-endian float32 with shape (rows, cols).
pub fn write_f32(data: &[f32], rows: usize, cols: usize) -> Vec<u8> {
    let mut header =
        format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    let total = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - total % 64) % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + data.len() * 4);
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for x in data {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_it_writes() {
        let bytes = write_f32(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3);
        let m = parse(&bytes).unwrap();
        assert_eq!((m.rows, m.cols), (2, 3));
        assert_eq!(m.row(1), &[4.0, 5.0, 6.0]);
        assert!(parse(&bytes[..bytes.len() - 4])
            .unwrap_err()
            .contains("truncated"));
        assert!(parse(b"hello world").is_err());
    }
}
