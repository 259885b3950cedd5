//! Prompts already evaluated: the KV caches of a loaded model's last few prompts, so that a
//! prompt that starts with the same tokens (one persona's instruction and k-shot turns, say)
//! evaluates only the tokens that differ.
//!
//! The key is the token ids themselves: another persona, example, method or model gives other
//! tokens and simply shares less. Entries are never written once stored; a generation copies
//! the positions it reuses into a cache of its own, so any number of generations may start from
//! one entry at once.
//!
//! Memory is bounded twice: by the number of prompts kept and by the bytes of their keys,
//! values and logits (the least recently used go first; a prompt larger than the whole budget
//! is not kept).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::model::Cache;
use crate::error::Result;

/// Prompts kept per loaded model when the configuration does not say (`prefix_cache`).
pub const DEFAULT_PREFIX_ENTRIES: usize = 4;
/// Most prompts a configuration may ask to keep per loaded model.
pub const MAX_PREFIX_ENTRIES: usize = 64;
/// Mebibytes of kept prompts per loaded model when the configuration does not say
/// (`prefix_cache_mb`; the default model's 400-token chat takes about 11 MiB).
pub const DEFAULT_PREFIX_MB: usize = 256;
/// Most mebibytes a configuration may let one loaded model keep.
pub const MAX_PREFIX_MB: usize = 16 * 1024;

/// One evaluated prompt.
struct Entry {
    /// The prompt's token ids.
    tokens: Vec<u32>,
    /// Keys and values of exactly those positions.
    cache: Cache,
    /// The logits after the prompt's last token.
    logits: Vec<f32>,
    /// Bytes held by the three above.
    bytes: usize,
}

/// Where a generation starts when part of its prompt was evaluated before.
pub struct Reuse {
    /// A cache of its own holding the first `reused` positions of the prompt.
    pub cache: Cache,
    /// Prompt tokens already in `cache`.
    pub reused: usize,
    /// The logits after the whole prompt, when the prompt was evaluated before exactly.
    pub logits: Option<Vec<f32>>,
}

/// A small least-recently-used set of evaluated prompts, shared by every generation on one
/// loaded model.
pub struct PrefixCache {
    capacity: AtomicUsize,
    max_bytes: AtomicUsize,
    /// Least recently used first.
    entries: Mutex<Vec<Arc<Entry>>>,
}

impl std::fmt::Debug for PrefixCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrefixCache")
            .field("capacity", &self.capacity())
            .field("max_bytes", &self.max_bytes())
            .field("entries", &self.len())
            .finish()
    }
}

/// How many leading tokens `a` and `b` share.
fn common_prefix(a: &[u32], b: &[u32]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

impl PrefixCache {
    /// A cache keeping at most `capacity` prompts (0 keeps none) and
    /// [`DEFAULT_PREFIX_MB`] mebibytes.
    pub fn new(capacity: usize) -> Self {
        Self::with_limits(capacity, DEFAULT_PREFIX_MB << 20)
    }

    /// A cache keeping at most `capacity` prompts and `max_bytes` bytes of them.
    pub fn with_limits(capacity: usize, max_bytes: usize) -> Self {
        Self {
            capacity: AtomicUsize::new(capacity.min(MAX_PREFIX_ENTRIES)),
            max_bytes: AtomicUsize::new(max_bytes.min(MAX_PREFIX_MB << 20)),
            entries: Mutex::new(Vec::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Arc<Entry>>> {
        // Entries are replaced whole under the lock, so a poisoned one is still consistent.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Most prompts kept.
    pub fn capacity(&self) -> usize {
        self.capacity.load(Ordering::Relaxed)
    }

    /// Most bytes kept.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes.load(Ordering::Relaxed)
    }

    /// Keeps at least `capacity` prompts and `max_bytes` bytes from now on (every rewriter on a
    /// model gets the largest limits any of them asked for).
    pub fn reserve(&self, capacity: usize, max_bytes: usize) {
        self.capacity
            .fetch_max(capacity.min(MAX_PREFIX_ENTRIES), Ordering::Relaxed);
        self.max_bytes
            .fetch_max(max_bytes.min(MAX_PREFIX_MB << 20), Ordering::Relaxed);
    }

    /// Prompts kept now.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no prompt is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of keys, values and logits kept.
    pub fn bytes(&self) -> usize {
        self.lock().iter().map(|e| e.bytes).sum()
    }

    /// Forgets every prompt.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The kept prompt sharing the most leading tokens with `prompt`, copied into a cache with
    /// room for `capacity` positions, leaving at least `min_new` positions to evaluate unless
    /// the whole prompt was kept; None when nothing can be reused.
    pub fn lookup(&self, prompt: &[u32], capacity: usize, min_new: usize) -> Result<Option<Reuse>> {
        let best = {
            let mut entries = self.lock();
            let found = entries
                .iter()
                .enumerate()
                .map(|(i, e)| (common_prefix(&e.tokens, prompt), i))
                .max_by_key(|&(shared, i)| (shared, i));
            match found {
                Some((shared, i)) if shared > 0 => {
                    // The most recently used go last.
                    let entry = entries.remove(i);
                    entries.push(entry.clone());
                    Some((shared, entry))
                }
                _ => None,
            }
        };
        let Some((shared, entry)) = best else {
            return Ok(None);
        };
        let exact = shared == prompt.len() && entry.tokens.len() == prompt.len();
        // The last prompt token must be evaluated for its logits unless they were kept.
        let reused = if exact {
            shared
        } else {
            shared.min(prompt.len().saturating_sub(min_new.max(1)))
        };
        if reused == 0 {
            return Ok(None);
        }
        Ok(Some(Reuse {
            cache: entry.cache.copy_prefix(reused, capacity)?,
            reused,
            logits: exact.then(|| entry.logits.clone()),
        }))
    }

    /// Keeps `prompt`, evaluated into the first positions of `cache` with `logits` after its
    /// last token, dropping kept prompts it extends and the least recently used beyond the
    /// capacity.
    pub fn store(&self, prompt: &[u32], cache: &Cache, logits: &[f32]) -> Result<()> {
        let capacity = self.capacity();
        if capacity == 0 || prompt.is_empty() || cache.position() < prompt.len() {
            return Ok(());
        }
        if self.lock().iter().any(|e| e.tokens.as_slice() == prompt) {
            return Ok(());
        }
        let kept = cache.copy_prefix(prompt.len(), prompt.len())?;
        let bytes = kept.bytes() + std::mem::size_of_val(logits) + std::mem::size_of_val(prompt);
        let max_bytes = self.max_bytes();
        if bytes > max_bytes {
            return Ok(());
        }
        let entry = Arc::new(Entry {
            tokens: prompt.to_vec(),
            cache: kept,
            logits: logits.to_vec(),
            bytes,
        });
        let mut entries = self.lock();
        // A kept prompt this one extends is served as well by this one.
        entries.retain(|e| !(e.tokens.len() <= prompt.len() && prompt.starts_with(&e.tokens)));
        entries.push(entry);
        let mut excess = entries.len().saturating_sub(capacity);
        // Then the least recently used beyond the byte budget (the newest fits: checked above).
        let mut total: usize = entries[excess..].iter().map(|e| e.bytes).sum();
        for e in &entries[excess..] {
            if total <= max_bytes {
                break;
            }
            total -= e.bytes;
            excess += 1;
        }
        entries.drain(..excess);
        Ok(())
    }
}
