//! A small fast non-cryptographic hasher (the Fx hash used by rustc) for the ingest's hot maps.

use std::hash::{BuildHasherDefault, Hasher};

/// The Fx hasher: one multiply and rotate per word. Not resistant to adversarial keys; fine for
/// names and ids from a dump the user chose to ingest.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 56));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// The state rotated so that its best-mixed bits land low: after the last multiply, bit k
    /// depends only on input bits 0..=k, and hash tables index buckets by the low bits. An edge
    /// key `(user << 32) | community` would otherwise pick its bucket by the community alone.
    #[inline]
    fn finish(&self) -> u64 {
        self.hash.rotate_left(26)
    }
}

/// A `HashMap` with the Fx hasher.
pub type FxHashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    /// Edge keys that differ only in their high half (the user) must still spread over the low
    /// bits that pick hash-table buckets.
    #[test]
    fn low_bits_depend_on_the_whole_key() {
        let build = BuildHasherDefault::<FxHasher>::default();
        let mut buckets = std::collections::HashSet::new();
        for user in 0..4096u64 {
            for comm in 0..4u64 {
                buckets.insert(build.hash_one((user << 32) | comm) & 0xFFFF);
            }
        }
        // 16,384 keys into 65,536 buckets: about 14,600 distinct if spread, 4 if not.
        assert!(buckets.len() > 13_000, "{} distinct buckets", buckets.len());
    }
}
