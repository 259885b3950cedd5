//! A bounded least-recently-used cache of rewrite results, keyed by a SHA-256 of everything
//! that decides the text: persona hash, prompt, backend, model, options and seed.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::method::Method;
use super::options::RewriteOptions;
use super::result::RewriteResult;
use crate::persona::Persona;

/// The cache key of one rewrite.
pub type CacheKey = [u8; 32];

/// The key for rewriting `prompt` for `persona` with `backend`/`model` by `method` (the one
/// that runs, not `auto`) under `options`. The negative prompt and `on_error` are not part of
/// it: they do not change the text.
pub fn cache_key(
    persona: &Persona,
    prompt: &str,
    backend: &str,
    model: &str,
    method: Method,
    options: &RewriteOptions,
) -> CacheKey {
    let o = &options.sampling;
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(persona.hash());
    field(prompt.as_bytes());
    field(backend.as_bytes());
    field(model.as_bytes());
    field(method.name().as_bytes());
    field(&o.seed.to_le_bytes());
    field(&o.temperature.to_bits().to_le_bytes());
    field(&o.top_p.to_bits().to_le_bytes());
    field(&o.max_new_tokens.to_le_bytes());
    field(&(options.k as u64).to_le_bytes());
    field(&(options.word_budget as u64).to_le_bytes());
    field(&(options.taste_clauses as u64).to_le_bytes());
    field(&(o.top_k as u64).to_le_bytes());
    field(&o.min_p.to_bits().to_le_bytes());
    field(&o.repeat_penalty.to_bits().to_le_bytes());
    for e in &options.examples {
        field(e.prompt.as_bytes());
        field(e.rewrite.as_deref().unwrap_or("\u{0}").as_bytes());
    }
    h.finalize().into()
}

struct Inner {
    entries: HashMap<CacheKey, (u64, RewriteResult)>,
    order: BTreeMap<u64, CacheKey>,
    tick: u64,
}

/// A thread-safe LRU cache.
pub struct RewriteCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

impl RewriteCache {
    /// A cache holding at most `capacity` results (0 keeps nothing).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                order: BTreeMap::new(),
                tick: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the maps inconsistent enough to matter:
        // at worst an entry is missing from `order` and is never evicted early.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The cached result for `key`, marked as recently used.
    pub fn get(&self, key: &CacheKey) -> Option<RewriteResult> {
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        let (old_tick, result) = {
            let entry = inner.entries.get_mut(key)?;
            let old = entry.0;
            entry.0 = tick;
            (old, entry.1.clone())
        };
        inner.order.remove(&old_tick);
        inner.order.insert(tick, *key);
        Some(result)
    }

    /// Stores `result` under `key`, evicting the least recently used entry when full.
    pub fn put(&self, key: CacheKey, result: RewriteResult) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        if let Some((old_tick, _)) = inner.entries.insert(key, (tick, result)) {
            inner.order.remove(&old_tick);
        }
        inner.order.insert(tick, key);
        while inner.entries.len() > self.capacity {
            let Some((_, oldest)) = inner.order.pop_first() else {
                break;
            };
            inner.entries.remove(&oldest);
        }
    }

    /// Number of cached results.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Drops every cached result.
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.order.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(text: &str) -> RewriteResult {
        RewriteResult {
            rewrite: text.into(),
            ..RewriteResult::default()
        }
    }

    #[test]
    fn evicts_the_least_recently_used() {
        let c = RewriteCache::new(2);
        c.put([1; 32], result("a"));
        c.put([2; 32], result("b"));
        assert_eq!(c.get(&[1; 32]).unwrap().rewrite, "a");
        c.put([3; 32], result("c"));
        assert!(c.get(&[2; 32]).is_none());
        assert!(c.get(&[1; 32]).is_some() && c.get(&[3; 32]).is_some());
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn zero_capacity_keeps_nothing() {
        let c = RewriteCache::new(0);
        c.put([1; 32], result("a"));
        assert_eq!(c.len(), 0);
    }

    #[test]
    fn keys_depend_on_seed_and_prompt_not_on_negative_prompt() {
        let p = Persona::from_text("I paint.").unwrap();
        let o = RewriteOptions::default();
        let key = |prompt: &str, backend: &str, method: Method, o: &RewriteOptions| {
            cache_key(&p, prompt, backend, "m", method, o)
        };
        let k = key("a cat", "rules", Method::Compose, &o);
        let mut seeded = o.clone();
        seeded.sampling.seed = 1;
        let mut negative = o.clone();
        negative.negative_prompt = Some("blurry".into());
        assert_ne!(k, key("a cat", "rules", Method::Compose, &seeded));
        assert_ne!(k, key("a dog", "rules", Method::Compose, &o));
        assert_ne!(k, key("a cat", "openai", Method::Compose, &o));
        assert_ne!(k, key("a cat", "rules", Method::Roleplay, &o));
        assert_eq!(k, key("a cat", "rules", Method::Compose, &negative));
        let mut weaker = o.clone();
        weaker.taste_clauses = 1;
        let mut penalty = o.clone();
        penalty.sampling.repeat_penalty = 1.3;
        assert_ne!(k, key("a cat", "rules", Method::Compose, &weaker));
        assert_ne!(k, key("a cat", "rules", Method::Compose, &penalty));
    }
}
