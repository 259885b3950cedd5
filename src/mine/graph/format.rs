//! The graph file format, version 1: a header, a section table and 8-byte-aligned little-endian
//! arrays, so that a file can be memory-mapped and used in place. `docs/graph-format.md` has the
//! full description.

use crate::error::{Result, ZippError};

/// The file's first eight bytes.
pub const MAGIC: &[u8; 8] = b"ZIPPGRPH";
/// The format version this build reads and writes.
pub const VERSION: u32 = 1;

/// The sections, in file order: (name, element size in bytes).
pub const SECTIONS: [(&str, usize); 23] = [
    ("user_name_offsets", 8),
    ("user_name_bytes", 1),
    ("community_name_offsets", 8),
    ("community_name_bytes", 1),
    ("user_edge_offsets", 8),
    ("edge_community", 4),
    ("edge_count", 4),
    ("edge_first", 8),
    ("edge_last", 8),
    ("edge_held_out", 1),
    ("community_edge_offsets", 8),
    ("community_edge_user", 4),
    ("community_edge_index", 8),
    ("user_snippet_offsets", 8),
    ("snippet_community", 4),
    ("snippet_score", 8),
    ("snippet_tokens", 4),
    ("snippet_text_offsets", 8),
    ("snippet_text_bytes", 1),
    ("user_image_offsets", 8),
    ("image_url_offsets", 8),
    ("image_url_bytes", 1),
    ("meta_json", 1),
];

/// Section indices.
#[allow(missing_docs)]
pub mod sec {
    pub const USER_NAME_OFF: usize = 0;
    pub const USER_NAME_BYTES: usize = 1;
    pub const COMM_NAME_OFF: usize = 2;
    pub const COMM_NAME_BYTES: usize = 3;
    pub const USER_EDGE_OFF: usize = 4;
    pub const EDGE_COMM: usize = 5;
    pub const EDGE_COUNT: usize = 6;
    pub const EDGE_FIRST: usize = 7;
    pub const EDGE_LAST: usize = 8;
    pub const EDGE_HELD_OUT: usize = 9;
    pub const COMM_EDGE_OFF: usize = 10;
    pub const COMM_EDGE_USER: usize = 11;
    pub const COMM_EDGE_INDEX: usize = 12;
    pub const USER_SNIPPET_OFF: usize = 13;
    pub const SNIPPET_COMM: usize = 14;
    pub const SNIPPET_SCORE: usize = 15;
    pub const SNIPPET_TOKENS: usize = 16;
    pub const SNIPPET_TEXT_OFF: usize = 17;
    pub const SNIPPET_TEXT_BYTES: usize = 18;
    pub const USER_IMAGE_OFF: usize = 19;
    pub const IMAGE_URL_OFF: usize = 20;
    pub const IMAGE_URL_BYTES: usize = 21;
    pub const META: usize = 22;
}

/// Element counts of a graph.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Users.
    pub users: u64,
    /// Communities.
    pub communities: u64,
    /// User-community edges.
    pub edges: u64,
    /// Text snippets.
    pub snippets: u64,
    /// Image references.
    pub images: u64,
}

/// Bytes before the first section: magic, version, section count, five counts, the table.
pub const HEADER_BYTES: usize = 8 + 4 + 4 + 5 * 8 + SECTIONS.len() * 16;

/// A plain-old-data element type that any bit pattern is valid for.
pub trait Pod: Copy + 'static {
    /// Appends the little-endian bytes of `items` to `out`.
    fn extend_le(items: &[Self], out: &mut Vec<u8>);
}

macro_rules! pod {
    ($($t:ty),*) => {$(
        impl Pod for $t {
            fn extend_le(items: &[Self], out: &mut Vec<u8>) {
                out.reserve(items.len() * std::mem::size_of::<$t>());
                for x in items {
                    out.extend_from_slice(&x.to_le_bytes());
                }
            }
        }
    )*};
}
pod!(u8, u32, u64, i64);

/// Views `bytes` as a slice of `T` (little-endian hosts only; alignment and length checked).
pub fn cast<T: Pod>(bytes: &[u8]) -> Option<&[T]> {
    let size = std::mem::size_of::<T>();
    if cfg!(target_endian = "big")
        || bytes.len() % size != 0
        || (bytes.as_ptr() as usize) % std::mem::align_of::<T>() != 0
    {
        return None;
    }
    // SAFETY: alignment and length are checked above, T is plain data valid for any bit pattern,
    // and the lifetime of the result is that of `bytes`.
    Some(unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<T>(), bytes.len() / size) })
}

/// Where a file image goes: memory (8-byte-aligned words) or a file written as it grows.
enum Sink {
    Memory(Vec<u64>),
    File(std::io::BufWriter<std::fs::File>, std::path::PathBuf),
}

/// Builds a file image section by section.
pub struct Writer {
    sink: Sink,
    len: usize,
    table: Vec<(u64, u64)>,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

fn io_err(path: &std::path::Path, e: std::io::Error) -> ZippError {
    ZippError::io(path, e)
}

impl Writer {
    /// A file image in memory.
    pub fn new() -> Self {
        Self {
            sink: Sink::Memory(vec![0; HEADER_BYTES.div_ceil(8)]),
            len: HEADER_BYTES,
            table: Vec::with_capacity(SECTIONS.len()),
        }
    }

    /// A file image written to `path` as sections come (the header last).
    pub fn to_file(path: &std::path::Path) -> Result<Self> {
        let file = std::fs::File::create(path).map_err(|e| io_err(path, e))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        std::io::Write::write_all(&mut out, &[0u8; HEADER_BYTES]).map_err(|e| io_err(path, e))?;
        Ok(Self {
            sink: Sink::File(out, path.to_path_buf()),
            len: HEADER_BYTES,
            table: Vec::with_capacity(SECTIONS.len()),
        })
    }

    fn push(&mut self, bytes: &[u8]) -> Result<()> {
        let end = self.len + bytes.len();
        match &mut self.sink {
            Sink::Memory(words) => {
                words.resize(end.div_ceil(8), 0);
                // SAFETY: u64 storage viewed as bytes, exact length; u8 has no alignment needs.
                let view = unsafe {
                    std::slice::from_raw_parts_mut(words.as_mut_ptr().cast::<u8>(), words.len() * 8)
                };
                view[self.len..end].copy_from_slice(bytes);
            }
            Sink::File(out, path) => {
                std::io::Write::write_all(out, bytes).map_err(|e| io_err(path, e))?
            }
        }
        self.len = end;
        Ok(())
    }

    /// Appends the next section.
    pub fn section<T: Pod>(&mut self, items: &[T]) -> Result<()> {
        debug_assert_eq!(std::mem::size_of::<T>(), SECTIONS[self.table.len()].1);
        let pad = self.len.div_ceil(8) * 8 - self.len;
        self.push(&[0u8; 8][..pad])?;
        let start = self.len;
        let mut chunk = Vec::with_capacity(64 * 1024);
        for block in items.chunks(8192) {
            chunk.clear();
            T::extend_le(block, &mut chunk);
            self.push(&chunk)?;
        }
        self.table.push((start as u64, (self.len - start) as u64));
        Ok(())
    }

    fn header(&self, counts: Counts) -> Vec<u8> {
        let mut head = Vec::with_capacity(HEADER_BYTES);
        head.extend_from_slice(MAGIC);
        head.extend_from_slice(&VERSION.to_le_bytes());
        head.extend_from_slice(&(SECTIONS.len() as u32).to_le_bytes());
        for c in [
            counts.users,
            counts.communities,
            counts.edges,
            counts.snippets,
            counts.images,
        ] {
            head.extend_from_slice(&c.to_le_bytes());
        }
        for (off, len) in &self.table {
            head.extend_from_slice(&off.to_le_bytes());
            head.extend_from_slice(&len.to_le_bytes());
        }
        head
    }

    /// Finishes the image: the words of an in-memory one, or `None` once a file is complete.
    pub fn finish(mut self, counts: Counts) -> Result<Option<Vec<u64>>> {
        assert_eq!(self.table.len(), SECTIONS.len(), "every section is written");
        let pad = self.len.div_ceil(8) * 8 - self.len;
        self.push(&[0u8; 8][..pad])?;
        let head = self.header(counts);
        match self.sink {
            Sink::Memory(mut words) => {
                // SAFETY: as in `push`.
                let view = unsafe {
                    std::slice::from_raw_parts_mut(words.as_mut_ptr().cast::<u8>(), words.len() * 8)
                };
                view[..HEADER_BYTES].copy_from_slice(&head);
                words.truncate(self.len / 8);
                Ok(Some(words))
            }
            Sink::File(out, path) => {
                use std::io::{Seek, SeekFrom, Write};
                let mut file = out
                    .into_inner()
                    .map_err(|e| io_err(&path, e.into_error()))?;
                file.seek(SeekFrom::Start(0))
                    .map_err(|e| io_err(&path, e))?;
                file.write_all(&head).map_err(|e| io_err(&path, e))?;
                file.sync_all().map_err(|e| io_err(&path, e))?;
                Ok(None)
            }
        }
    }
}

fn corrupt(what: impl Into<String>) -> ZippError {
    ZippError::InvalidGraph {
        message: what.into(),
    }
}

fn read_u32(b: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(w)
}

fn read_u64(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

/// Parses and checks the header of a file image: returns the counts and the section ranges.
pub fn read_header(b: &[u8]) -> Result<(Counts, Vec<(usize, usize)>)> {
    if b.len() < HEADER_BYTES || &b[..8] != MAGIC {
        return Err(corrupt("not a libzipp graph file (bad magic)"));
    }
    let version = read_u32(b, 8);
    if version != VERSION {
        return Err(corrupt(format!(
            "graph format version {version}; this build reads version {VERSION}"
        )));
    }
    if read_u32(b, 12) as usize != SECTIONS.len() {
        return Err(corrupt("unexpected number of sections"));
    }
    let c = |i: usize| read_u64(b, 16 + 8 * i);
    let counts = Counts {
        users: c(0),
        communities: c(1),
        edges: c(2),
        snippets: c(3),
        images: c(4),
    };
    let mut ranges = Vec::with_capacity(SECTIONS.len());
    for (i, (name, size)) in SECTIONS.iter().enumerate() {
        let at = 16 + 5 * 8 + 16 * i;
        let (off, len) = (read_u64(b, at), read_u64(b, at + 8));
        let end = off.checked_add(len).filter(|e| *e <= b.len() as u64);
        if end.is_none() || off % 8 != 0 || len % *size as u64 != 0 || off < HEADER_BYTES as u64 {
            return Err(corrupt(format!(
                "section {name} lies outside the file or is misaligned"
            )));
        }
        ranges.push((off as usize, (off + len) as usize));
    }
    Ok((counts, ranges))
}
