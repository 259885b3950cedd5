//! A GGUF file opened memory-mapped: its metadata, its tensor table and typed access to both.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use candle_core::quantized::gguf_file::{Content, TensorInfo, Value};
use candle_core::quantized::{ggml_file, GgmlDType, QTensor};
use candle_core::Device;
use memmap2::Mmap;

use crate::error::{Result, ZippError};

/// An open GGUF file. Tensor bytes are read straight from the mapping.
pub struct GgufFile {
    path: PathBuf,
    map: Mmap,
    content: Content,
}

impl std::fmt::Debug for GgufFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GgufFile")
            .field("path", &self.path)
            .field("tensors", &self.content.tensor_infos.len())
            .finish_non_exhaustive()
    }
}

impl GgufFile {
    /// Maps `path` and parses its header; fails on anything that is not a readable GGUF file.
    pub fn open(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| ZippError::io(path, e))?;
        // SAFETY: the mapping is read-only; a file truncated by another process while mapped is
        // the one hazard, as with every memory-mapped model loader.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| ZippError::io(path, e))?;
        Self::parse(path, map)
    }

    /// Parses a GGUF file image held in memory (copied into an anonymous mapping), as
    /// [`GgufFile::open`] parses a file; `name` stands for the path in errors.
    pub fn from_bytes(name: &Path, bytes: &[u8]) -> Result<Self> {
        let mut map =
            memmap2::MmapMut::map_anon(bytes.len().max(1)).map_err(|e| ZippError::io(name, e))?;
        map[..bytes.len()].copy_from_slice(bytes);
        let map = map.make_read_only().map_err(|e| ZippError::io(name, e))?;
        Self::parse(name, map)
    }

    fn parse(path: &Path, map: Mmap) -> Result<Self> {
        if map.len() < 4 || &map[..4] != b"GGUF" {
            return Err(invalid(
                path,
                "not a GGUF file (the first four bytes are not `GGUF`)",
            ));
        }
        let content = Content::read(&mut Cursor::new(&map[..]))
            .map_err(|e| invalid(path, format!("unreadable GGUF header: {e}")))?;
        for (name, info) in &content.tensor_infos {
            if sizes(info).is_none() {
                return Err(invalid(
                    path,
                    format!(
                        "tensor `{name}`: dimensions {:?} are too large for any file",
                        info.shape.dims()
                    ),
                ));
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            map,
            content,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// All metadata.
    pub fn metadata(&self) -> &HashMap<String, Value> {
        &self.content.metadata
    }

    /// A metadata value, if present.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.content.metadata.get(key)
    }

    /// A string value; an error names the key when it is missing or of another type.
    pub fn string(&self, key: &str) -> Result<&str> {
        match self.get(key) {
            Some(Value::String(s)) => Ok(s),
            Some(other) => Err(self.wrong_type(key, "a string", other)),
            None => Err(self.missing(key)),
        }
    }

    /// An optional string value.
    pub fn opt_string(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// An unsigned integer value of any width.
    pub fn uint(&self, key: &str) -> Result<u64> {
        self.opt_uint(key)?.ok_or_else(|| self.missing(key))
    }

    /// An optional unsigned integer value of any width.
    pub fn opt_uint(&self, key: &str) -> Result<Option<u64>> {
        let v = match self.get(key) {
            None => return Ok(None),
            Some(v) => v,
        };
        let n = match v {
            Value::U8(x) => Some(u64::from(*x)),
            Value::U16(x) => Some(u64::from(*x)),
            Value::U32(x) => Some(u64::from(*x)),
            Value::U64(x) => Some(*x),
            Value::I8(x) => u64::try_from(*x).ok(),
            Value::I16(x) => u64::try_from(*x).ok(),
            Value::I32(x) => u64::try_from(*x).ok(),
            Value::I64(x) => u64::try_from(*x).ok(),
            _ => None,
        };
        n.map(Some)
            .ok_or_else(|| self.wrong_type(key, "a non-negative integer", v))
    }

    /// A float value (f32 or f64), if present.
    pub fn opt_float(&self, key: &str) -> Result<Option<f64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::F32(x)) => Ok(Some(f64::from(*x))),
            Some(Value::F64(x)) => Ok(Some(*x)),
            Some(other) => Err(self.wrong_type(key, "a float", other)),
        }
    }

    /// A boolean value, if present.
    pub fn opt_bool(&self, key: &str) -> Option<bool> {
        match self.get(key) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// An array value, if present.
    pub fn opt_array(&self, key: &str) -> Result<Option<&Vec<Value>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(other) => Err(self.wrong_type(key, "an array", other)),
        }
    }

    /// Weights in the file: the sum of every tensor's elements.
    pub fn parameter_count(&self) -> u64 {
        self.content
            .tensor_infos
            .values()
            .filter_map(|t| sizes(t).map(|(elems, _)| elems as u64))
            .fold(0u64, u64::saturating_add)
    }

    /// Whether the file holds a tensor of this name.
    pub fn has_tensor(&self, name: &str) -> bool {
        self.content.tensor_infos.contains_key(name)
    }

    /// The dimensions of a tensor (outermost first), if present.
    pub fn tensor_dims(&self, name: &str) -> Option<&[usize]> {
        self.content.tensor_infos.get(name).map(|t| t.shape.dims())
    }

    /// The storage type of a tensor, if present.
    pub fn tensor_dtype(&self, name: &str) -> Option<GgmlDType> {
        self.content.tensor_infos.get(name).map(|t| t.ggml_dtype)
    }

    /// A tensor's raw bytes, checked against the file's bounds.
    pub fn tensor_bytes(&self, name: &str) -> Result<&[u8]> {
        let info = self
            .content
            .tensor_infos
            .get(name)
            .ok_or_else(|| invalid(&self.path, format!("tensor `{name}` is missing")))?;
        let (elems, size) = sizes(info).unwrap_or_default();
        let block = info.ggml_dtype.block_size();
        if elems % block != 0 {
            return Err(invalid(
                &self.path,
                format!(
                    "tensor `{name}`: {elems} elements is not a multiple of the block size {block}"
                ),
            ));
        }
        let start = self.content.tensor_data_offset.saturating_add(info.offset) as usize;
        let end = start.saturating_add(size);
        self.map.get(start..end).ok_or_else(|| {
            invalid(
                &self.path,
                format!("tensor `{name}` runs past the end of the file (truncated download?)"),
            )
        })
    }

    /// Loads a tensor onto `device`, copying it out of the mapping.
    pub fn tensor(&self, name: &str, device: &Device) -> Result<QTensor> {
        let bytes = self.tensor_bytes(name)?;
        let info = &self.content.tensor_infos[name];
        self.build(
            name,
            info.ggml_dtype,
            bytes,
            info.shape.dims().to_vec(),
            device,
        )
    }

    /// Rows `[from, from + rows)` of a matrix as a tensor of their own, with their bytes
    /// (quantization blocks run along rows, so a row range is a byte range).
    pub fn tensor_rows(
        &self,
        name: &str,
        from: usize,
        rows: usize,
        device: &Device,
    ) -> Result<(QTensor, &[u8])> {
        let bytes = self.tensor_bytes(name)?;
        let info = &self.content.tensor_infos[name];
        let (n, k) = match info.shape.dims() {
            [n, k] => (*n, *k),
            dims => return Err(self.error(format!("tensor `{name}` is not a matrix ({dims:?})"))),
        };
        if from + rows > n {
            return Err(self.error(format!(
                "tensor `{name}` has {n} rows, fewer than the {} the model needs",
                from + rows
            )));
        }
        let dtype = info.ggml_dtype;
        let row_bytes = k / dtype.block_size() * dtype.type_size();
        let slice = &bytes[from * row_bytes..(from + rows) * row_bytes];
        Ok((
            self.build(name, dtype, slice, vec![rows, k], device)?,
            slice,
        ))
    }

    fn build(
        &self,
        name: &str,
        dtype: GgmlDType,
        bytes: &[u8],
        dims: Vec<usize>,
        device: &Device,
    ) -> Result<QTensor> {
        ggml_file::qtensor_from_ggml(dtype, bytes, dims, device)
            .map_err(|e| invalid(&self.path, format!("tensor `{name}`: {e}")))
    }

    /// Tells the system that a tensor's pages will not be read again, so that a load holds the
    /// file's pages and the copied weights at the same time only one tensor at a time.
    pub fn release(&self, name: &str) {
        #[cfg(unix)]
        if let Ok(bytes) = self.tensor_bytes(name) {
            let start = bytes.as_ptr() as usize - self.map.as_ptr() as usize;
            // SAFETY: the mapping is a read-only file mapping; dropped pages are read back from
            // the file if touched again.
            let _ = unsafe {
                self.map.unchecked_advise_range(
                    memmap2::UncheckedAdvice::DontNeed,
                    start,
                    bytes.len(),
                )
            };
        }
        #[cfg(not(unix))]
        let _ = name;
    }

    /// An error about this file.
    pub fn error(&self, message: impl Into<String>) -> ZippError {
        invalid(&self.path, message)
    }

    fn missing(&self, key: &str) -> ZippError {
        invalid(&self.path, format!("metadata key `{key}` is missing"))
    }

    fn wrong_type(&self, key: &str, expected: &str, found: &Value) -> ZippError {
        invalid(
            &self.path,
            format!(
                "metadata key `{key}`: expected {expected}, found {:?}",
                found.value_type()
            ),
        )
    }
}

/// A tensor's element count and its size in bytes, or None when either overflows (a corrupt
/// table: no file can hold it). Every tensor of an opened file has both.
fn sizes(info: &TensorInfo) -> Option<(usize, usize)> {
    let elems = info
        .shape
        .dims()
        .iter()
        .try_fold(1usize, |n, d| n.checked_mul(*d))?;
    let bytes = (elems / info.ggml_dtype.block_size()).checked_mul(info.ggml_dtype.type_size())?;
    Some((elems, bytes))
}

/// An invalid-model error for `path`.
pub(crate) fn invalid(path: &Path, message: impl Into<String>) -> ZippError {
    ZippError::InvalidModel {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GGUF v3 image with no metadata and one F32 tensor of `dims` (innermost first).
    fn one_tensor(dims: &[u64]) -> Vec<u8> {
        let mut b = b"GGUF".to_vec();
        b.extend(3u32.to_le_bytes());
        b.extend(1u64.to_le_bytes());
        b.extend(0u64.to_le_bytes());
        b.extend(1u64.to_le_bytes());
        b.push(b'w');
        b.extend((dims.len() as u32).to_le_bytes());
        for d in dims {
            b.extend(d.to_le_bytes());
        }
        b.extend(0u32.to_le_bytes());
        b.extend(0u64.to_le_bytes());
        b.resize(b.len().next_multiple_of(32) + 64, 0);
        b
    }

    #[test]
    fn a_tensor_too_large_for_any_file_is_refused_at_open() {
        // Found by fuzzing (fuzz/fuzz_targets/gguf.rs): the element count overflowed.
        let err = GgufFile::from_bytes(Path::new("big.gguf"), &one_tensor(&[1 << 33, 1 << 33]))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "big.gguf: tensor `w`: dimensions [8589934592, 8589934592] are too large for any file"
        );
        let small = GgufFile::from_bytes(Path::new("small.gguf"), &one_tensor(&[4, 2])).unwrap();
        assert_eq!(small.parameter_count(), 8);
        assert_eq!(small.tensor_bytes("w").unwrap().len(), 32);
    }

    #[test]
    fn bytes_that_are_not_gguf_are_refused() {
        for bytes in [&b""[..], b"GGU", b"GGML\x03\0\0\0"] {
            let err = GgufFile::from_bytes(Path::new("x.gguf"), bytes).unwrap_err();
            assert!(err.to_string().contains("not a GGUF file"), "{err}");
        }
    }
}
