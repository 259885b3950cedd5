//! SentencePiece BPE with scores, as llama.cpp runs it: spaces become `▁`, characters merge in
//! pairs by the score of the merged token (highest first, leftmost on ties), and what is left
//! without a token falls back to byte tokens.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::Vocab;

/// A candidate merge in the queue.
struct Bigram {
    score: f32,
    left: usize,
    right: usize,
    len: usize,
}

impl PartialEq for Bigram {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Bigram {}
impl PartialOrd for Bigram {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Bigram {
    fn cmp(&self, other: &Self) -> Ordering {
        // Max-heap: higher score first, then the smaller left index.
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.left.cmp(&self.left))
    }
}

/// Appends the ids of `text` to `out`; `space_prefix` puts a space before it first.
pub(super) fn encode(text: &str, space_prefix: bool, vocab: &Vocab, out: &mut Vec<u32>) {
    let mut escaped = String::with_capacity(text.len() + 3);
    if space_prefix {
        escaped.push('\u{2581}');
    }
    for c in text.chars() {
        escaped.push(if c == ' ' { '\u{2581}' } else { c });
    }
    let word = escaped.as_str();
    struct Sym {
        start: usize,
        len: usize,
        prev: Option<usize>,
        next: Option<usize>,
    }
    let mut syms: Vec<Sym> = Vec::with_capacity(word.len());
    for (i, (start, c)) in word.char_indices().enumerate() {
        syms.push(Sym {
            start,
            len: c.len_utf8(),
            prev: i.checked_sub(1),
            next: Some(i + 1),
        });
    }
    if let Some(last) = syms.last_mut() {
        last.next = None;
    }
    let mut queue = BinaryHeap::new();
    let push = |queue: &mut BinaryHeap<Bigram>, syms: &[Sym], left: usize, right: usize| {
        let (l, r) = (&syms[left], &syms[right]);
        let merged = &word[l.start..l.start + l.len + r.len];
        if let Some(id) = vocab.token_id(merged) {
            queue.push(Bigram {
                score: vocab.score(id),
                left,
                right,
                len: merged.len(),
            });
        }
    };
    for i in 1..syms.len() {
        push(&mut queue, &syms, i - 1, i);
    }
    while let Some(b) = queue.pop() {
        let (l, r) = (&syms[b.left], &syms[b.right]);
        // Stale: one side is gone or has grown since the pair was queued.
        if l.len == 0 || r.len == 0 || l.len + r.len != b.len || l.next != Some(b.right) {
            continue;
        }
        syms[b.left].len += syms[b.right].len;
        syms[b.right].len = 0;
        let after = syms[b.right].next;
        syms[b.left].next = after;
        if let Some(a) = after {
            syms[a].prev = Some(b.left);
        }
        if let Some(p) = syms[b.left].prev {
            push(&mut queue, &syms, p, b.left);
        }
        if let Some(a) = after {
            push(&mut queue, &syms, b.left, a);
        }
    }
    let mut at = if syms.is_empty() { None } else { Some(0) };
    while let Some(i) = at {
        let s = &syms[i];
        let piece = &word[s.start..s.start + s.len];
        match vocab.token_id(piece) {
            Some(id) => out.push(id),
            None => {
                for b in piece.bytes() {
                    out.extend(vocab.byte_token(b));
                }
            }
        }
        at = s.next;
    }
}

/// The byte of a `<0xAB>` token.
pub(super) fn byte_value(text: &str) -> Option<u8> {
    let hex = text.strip_prefix("<0x")?.strip_suffix('>')?;
    u8::from_str_radix(hex, 16).ok()
}
