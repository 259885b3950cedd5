//! The user-community graph: dense ids with name maps, edges with interaction counts and
//! first/last times in CSR in both directions, per-user snippets and image references, and the
//! hold-out split for link prediction. Backed by the file format of [`format`], in memory or
//! memory-mapped from disk.

mod builder;
pub mod format;
mod holdout;

pub use builder::GraphBuilder;
pub use format::Counts;
pub use holdout::held_out_count;

use std::collections::HashMap;
use std::path::Path;

use format::{cast, sec, Pod};

use crate::error::{Result, ZippError};

enum Storage {
    Owned(Vec<u64>),
    Mapped(memmap2::Mmap),
}

impl Storage {
    fn bytes(&self) -> &[u8] {
        match self {
            Storage::Owned(v) => {
                // SAFETY: viewing u64 storage as bytes; the length is exact.
                unsafe { std::slice::from_raw_parts(v.as_ptr().cast::<u8>(), v.len() * 8) }
            }
            Storage::Mapped(m) => m,
        }
    }
}

/// A finished graph.
pub struct Graph {
    storage: Storage,
    counts: Counts,
    ranges: Vec<(usize, usize)>,
}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph")
            .field("counts", &self.counts)
            .finish_non_exhaustive()
    }
}

/// One user's edges, sorted by community id.
#[derive(Debug, Clone, Copy)]
pub struct UserEdges<'g> {
    /// Index of the first edge in the graph's edge arrays.
    pub first_edge: u64,
    /// Community of each edge.
    pub communities: &'g [u32],
    /// Interactions on each edge.
    pub counts: &'g [u32],
    /// First interaction time of each edge (Unix seconds).
    pub first: &'g [i64],
    /// Last interaction time of each edge.
    pub last: &'g [i64],
    /// 1 where the edge is held out for link prediction.
    pub held_out: &'g [u8],
}

/// A snippet of a user's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snippet<'g> {
    /// The community it was written in.
    pub community: u32,
    /// Its score.
    pub score: i64,
    /// Estimated tokens (bytes / 4, rounded up).
    pub tokens: u32,
    /// The text.
    pub text: &'g str,
}

fn corrupt(what: impl Into<String>) -> ZippError {
    ZippError::InvalidGraph {
        message: what.into(),
    }
}

impl Graph {
    fn from_storage(storage: Storage) -> Result<Self> {
        let (counts, ranges) = format::read_header(storage.bytes())?;
        let g = Self {
            storage,
            counts,
            ranges,
        };
        g.validate()?;
        Ok(g)
    }

    /// A graph from a file image made by [`format::Writer`].
    pub fn from_words(words: Vec<u64>) -> Result<Self> {
        Self::from_storage(Storage::Owned(words))
    }

    /// Memory-maps and checks a graph file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| ZippError::io(path, e))?;
        // SAFETY: the map is read-only; the file must not be truncated while mapped, which the
        // documentation of the format asks of users (as every mmap-based reader does).
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| ZippError::io(path, e))?;
        Self::from_storage(Storage::Mapped(map))
    }

    /// Writes the graph file.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        crate::files::write_atomic(path, self.bytes())
    }

    /// The file image.
    pub fn bytes(&self) -> &[u8] {
        self.storage.bytes()
    }

    fn section<T: Pod>(&self, i: usize) -> &[T] {
        let (a, b) = self.ranges[i];
        self.bytes().get(a..b).and_then(cast::<T>).unwrap_or(&[])
    }

    /// Element counts.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Number of users.
    pub fn users(&self) -> u32 {
        self.counts.users as u32
    }

    /// Number of communities.
    pub fn communities(&self) -> u32 {
        self.counts.communities as u32
    }

    /// Number of edges.
    pub fn edges(&self) -> u64 {
        self.counts.edges
    }

    fn span(offsets: &[u64], i: usize) -> (usize, usize) {
        match (offsets.get(i), offsets.get(i + 1)) {
            (Some(a), Some(b)) => (*a as usize, *b as usize),
            _ => (0, 0),
        }
    }

    fn name(&self, off_sec: usize, bytes_sec: usize, i: u32) -> &str {
        let (a, b) = Self::span(self.section::<u64>(off_sec), i as usize);
        self.section::<u8>(bytes_sec)
            .get(a..b)
            .and_then(|s| std::str::from_utf8(s).ok())
            .unwrap_or("")
    }

    /// A user's name ("" for an id out of range).
    pub fn user_name(&self, user: u32) -> &str {
        self.name(sec::USER_NAME_OFF, sec::USER_NAME_BYTES, user)
    }

    /// A community's name ("" for an id out of range).
    pub fn community_name(&self, community: u32) -> &str {
        self.name(sec::COMM_NAME_OFF, sec::COMM_NAME_BYTES, community)
    }

    /// Name -> id maps for users and communities (built on each call; keep the result).
    pub fn name_index(&self) -> (HashMap<&str, u32>, HashMap<&str, u32>) {
        let users = (0..self.users()).map(|u| (self.user_name(u), u)).collect();
        let comms = (0..self.communities())
            .map(|c| (self.community_name(c), c))
            .collect();
        (users, comms)
    }

    /// A user's edges.
    pub fn user_edges(&self, user: u32) -> UserEdges<'_> {
        let (a, b) = Self::span(self.section::<u64>(sec::USER_EDGE_OFF), user as usize);
        UserEdges {
            first_edge: a as u64,
            communities: self.section::<u32>(sec::EDGE_COMM).get(a..b).unwrap_or(&[]),
            counts: self
                .section::<u32>(sec::EDGE_COUNT)
                .get(a..b)
                .unwrap_or(&[]),
            first: self
                .section::<i64>(sec::EDGE_FIRST)
                .get(a..b)
                .unwrap_or(&[]),
            last: self.section::<i64>(sec::EDGE_LAST).get(a..b).unwrap_or(&[]),
            held_out: self
                .section::<u8>(sec::EDGE_HELD_OUT)
                .get(a..b)
                .unwrap_or(&[]),
        }
    }

    /// A community's users (ascending) and the index of each user's edge.
    pub fn community_users(&self, community: u32) -> (&[u32], &[u64]) {
        let (a, b) = Self::span(self.section::<u64>(sec::COMM_EDGE_OFF), community as usize);
        (
            self.section::<u32>(sec::COMM_EDGE_USER)
                .get(a..b)
                .unwrap_or(&[]),
            self.section::<u64>(sec::COMM_EDGE_INDEX)
                .get(a..b)
                .unwrap_or(&[]),
        )
    }

    /// A user's snippets, by community, best first within each.
    pub fn user_snippets(&self, user: u32) -> impl Iterator<Item = Snippet<'_>> + '_ {
        let (a, b) = Self::span(self.section::<u64>(sec::USER_SNIPPET_OFF), user as usize);
        (a..b).map(move |i| {
            let (ta, tb) = Self::span(self.section::<u64>(sec::SNIPPET_TEXT_OFF), i);
            Snippet {
                community: self
                    .section::<u32>(sec::SNIPPET_COMM)
                    .get(i)
                    .copied()
                    .unwrap_or(0),
                score: self
                    .section::<i64>(sec::SNIPPET_SCORE)
                    .get(i)
                    .copied()
                    .unwrap_or(0),
                tokens: self
                    .section::<u32>(sec::SNIPPET_TOKENS)
                    .get(i)
                    .copied()
                    .unwrap_or(0),
                text: self
                    .section::<u8>(sec::SNIPPET_TEXT_BYTES)
                    .get(ta..tb)
                    .and_then(|s| std::str::from_utf8(s).ok())
                    .unwrap_or(""),
            }
        })
    }

    /// A user's image references.
    pub fn user_images(&self, user: u32) -> impl Iterator<Item = &str> + '_ {
        let (a, b) = Self::span(self.section::<u64>(sec::USER_IMAGE_OFF), user as usize);
        (a..b).map(move |i| {
            let (ua, ub) = Self::span(self.section::<u64>(sec::IMAGE_URL_OFF), i);
            self.section::<u8>(sec::IMAGE_URL_BYTES)
                .get(ua..ub)
                .and_then(|s| std::str::from_utf8(s).ok())
                .unwrap_or("")
        })
    }

    /// The metadata JSON written with the graph (ingest settings and report).
    pub fn meta(&self) -> serde_json::Value {
        serde_json::from_slice(self.section::<u8>(sec::META)).unwrap_or(serde_json::Value::Null)
    }

    /// Checks every section length, offset array and id, so accessors never read out of range.
    fn validate(&self) -> Result<()> {
        let c = self.counts;
        // Every count has a section of at least that many bytes, so a larger one is corrupt
        // (and the arithmetic below cannot overflow).
        let file = self.bytes().len() as u64;
        if [c.users, c.communities, c.edges, c.snippets, c.images]
            .iter()
            .any(|n| *n >= file)
        {
            return Err(corrupt("a count in the header is larger than the file"));
        }
        let expect = |i: usize, elems: u64| -> Result<()> {
            let (a, b) = self.ranges[i];
            let size = format::SECTIONS[i].1 as u64;
            if elems.checked_mul(size) != Some((b - a) as u64) {
                return Err(corrupt(format!(
                    "section {} has the wrong length",
                    format::SECTIONS[i].0
                )));
            }
            Ok(())
        };
        let offsets = |off: usize, target_len: u64| -> Result<()> {
            let o = self.section::<u64>(off);
            let ok = o.first() == Some(&0)
                && o.windows(2).all(|w| w[0] <= w[1])
                && o.last() == Some(&target_len);
            if ok {
                Ok(())
            } else {
                Err(corrupt(format!(
                    "offsets {} are not monotone or do not end at the data",
                    format::SECTIONS[off].0
                )))
            }
        };
        let len = |i: usize| (self.ranges[i].1 - self.ranges[i].0) as u64;
        expect(sec::USER_NAME_OFF, c.users + 1)?;
        expect(sec::COMM_NAME_OFF, c.communities + 1)?;
        expect(sec::USER_EDGE_OFF, c.users + 1)?;
        for s in [
            sec::EDGE_COMM,
            sec::EDGE_COUNT,
            sec::EDGE_FIRST,
            sec::EDGE_LAST,
            sec::EDGE_HELD_OUT,
            sec::COMM_EDGE_USER,
            sec::COMM_EDGE_INDEX,
        ] {
            expect(s, c.edges)?;
        }
        expect(sec::COMM_EDGE_OFF, c.communities + 1)?;
        expect(sec::USER_SNIPPET_OFF, c.users + 1)?;
        for s in [sec::SNIPPET_COMM, sec::SNIPPET_SCORE, sec::SNIPPET_TOKENS] {
            expect(s, c.snippets)?;
        }
        expect(sec::SNIPPET_TEXT_OFF, c.snippets + 1)?;
        expect(sec::USER_IMAGE_OFF, c.users + 1)?;
        expect(sec::IMAGE_URL_OFF, c.images + 1)?;
        offsets(sec::USER_NAME_OFF, len(sec::USER_NAME_BYTES))?;
        offsets(sec::COMM_NAME_OFF, len(sec::COMM_NAME_BYTES))?;
        offsets(sec::USER_EDGE_OFF, c.edges)?;
        offsets(sec::COMM_EDGE_OFF, c.edges)?;
        offsets(sec::USER_SNIPPET_OFF, c.snippets)?;
        offsets(sec::SNIPPET_TEXT_OFF, len(sec::SNIPPET_TEXT_BYTES))?;
        offsets(sec::USER_IMAGE_OFF, c.images)?;
        offsets(sec::IMAGE_URL_OFF, len(sec::IMAGE_URL_BYTES))?;
        if self
            .section::<u32>(sec::EDGE_COMM)
            .iter()
            .any(|x| u64::from(*x) >= c.communities)
            || self
                .section::<u32>(sec::SNIPPET_COMM)
                .iter()
                .any(|x| u64::from(*x) >= c.communities)
            || self
                .section::<u32>(sec::COMM_EDGE_USER)
                .iter()
                .any(|x| u64::from(*x) >= c.users)
            || self
                .section::<u64>(sec::COMM_EDGE_INDEX)
                .iter()
                .any(|x| *x >= c.edges)
        {
            return Err(corrupt("an id is out of range"));
        }
        for (off, bytes) in [
            (sec::USER_NAME_OFF, sec::USER_NAME_BYTES),
            (sec::COMM_NAME_OFF, sec::COMM_NAME_BYTES),
        ] {
            if std::str::from_utf8(self.section::<u8>(bytes)).is_err() {
                return Err(corrupt(format!("{} is not UTF-8", format::SECTIONS[off].0)));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header with `counts` whose sections are all empty and start right after it.
    fn header_only(counts: [u64; 5]) -> Vec<u64> {
        let mut words = vec![u64::from_le_bytes(*format::MAGIC)];
        words.push(u64::from(format::VERSION) | (format::SECTIONS.len() as u64) << 32);
        words.extend(counts);
        for _ in format::SECTIONS {
            words.extend([format::HEADER_BYTES as u64, 0]);
        }
        words
    }

    #[test]
    fn counts_larger_than_the_file_are_corrupt_not_an_overflow() {
        // Found by fuzzing (fuzz/fuzz_targets/graph.rs): `users + 1` and `edges * 4` overflowed.
        for counts in [
            [u64::MAX, 0, 0, 0, 0],
            [0, 0, u64::MAX / 2, 0, 0],
            [0, 0, 0, 1 << 62, 0],
        ] {
            let err = Graph::from_words(header_only(counts)).unwrap_err();
            assert_eq!(
                err.to_string(),
                "invalid graph file: a count in the header is larger than the file",
                "{counts:?}"
            );
        }
        let err = Graph::from_words(header_only([0; 5])).unwrap_err();
        assert!(err.to_string().contains("wrong length"), "{err}");
    }
}
