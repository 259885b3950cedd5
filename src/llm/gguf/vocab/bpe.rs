//! Byte-level BPE: pre-tokenize, map bytes to printable characters, merge pairs by rank.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use super::bytes::byte_char;
use super::pretokenize::PreTokenizer;
use super::Vocab;

/// Ranked merges over token ids, and the pre-tokenizer.
pub(super) struct Bpe {
    /// (left id, right id) -> (rank, merged id).
    merges: HashMap<(u32, u32), (u32, u32)>,
    pre: PreTokenizer,
}

impl Bpe {
    /// Builds the merge table from GGUF's `"left right"` merge strings.
    pub(super) fn new(
        merges: &[String],
        ids: &HashMap<String, u32>,
        pre: &str,
    ) -> Result<Self, String> {
        let pre = PreTokenizer::for_name(pre)?;
        let mut table = HashMap::with_capacity(merges.len());
        for (rank, merge) in merges.iter().enumerate() {
            // The separator is the first space after the first character: a left side may
            // itself be a lone space character in some vocabularies.
            let split = merge
                .char_indices()
                .skip(1)
                .find(|(_, c)| *c == ' ')
                .map(|(i, _)| i);
            let Some(split) = split else {
                return Err(format!("merge {rank} (`{merge}`) has no separator"));
            };
            let (left, right) = (&merge[..split], &merge[split + 1..]);
            let (Some(&l), Some(&r)) = (ids.get(left), ids.get(right)) else {
                continue;
            };
            let Some(&merged) = ids.get(&format!("{left}{right}")) else {
                continue;
            };
            table.entry((l, r)).or_insert((rank as u32, merged));
        }
        Ok(Self { merges: table, pre })
    }

    /// Appends the ids of `text` (no special tokens in it) to `out`.
    pub(super) fn encode(&self, text: &str, vocab: &Vocab, out: &mut Vec<u32>) {
        let mut mapped = String::new();
        for word in self.pre.split(text) {
            mapped.clear();
            mapped.extend(word.bytes().map(byte_char));
            if self.pre.ignore_merges {
                if let Some(id) = vocab.token_id(&mapped) {
                    out.push(id);
                    continue;
                }
            }
            self.merge_word(&mapped, vocab, out);
        }
    }

    fn merge_word(&self, word: &str, vocab: &Vocab, out: &mut Vec<u32>) {
        // Symbols: (text range, token id if the text is a token), linked by prev/next.
        struct Sym {
            start: usize,
            len: usize,
            id: Option<u32>,
            prev: Option<usize>,
            next: Option<usize>,
        }
        let mut syms: Vec<Sym> = Vec::with_capacity(word.len());
        for (i, (start, c)) in word.char_indices().enumerate() {
            let len = c.len_utf8();
            syms.push(Sym {
                start,
                len,
                id: vocab.token_id(&word[start..start + len]),
                prev: i.checked_sub(1),
                next: Some(i + 1),
            });
        }
        if let Some(last) = syms.last_mut() {
            last.next = None;
        }
        // Min-heap on (rank, left index): the lowest rank merges first, leftmost on ties.
        let mut queue: BinaryHeap<Reverse<(u32, usize, usize, u32)>> = BinaryHeap::new();
        let push = |queue: &mut BinaryHeap<_>, syms: &[Sym], left: usize, right: usize| {
            if let (Some(l), Some(r)) = (syms[left].id, syms[right].id) {
                if let Some(&(rank, merged)) = self.merges.get(&(l, r)) {
                    queue.push(Reverse((rank, left, right, merged)));
                }
            }
        };
        for i in 1..syms.len() {
            push(&mut queue, &syms, i - 1, i);
        }
        while let Some(Reverse((_, left, right, merged))) = queue.pop() {
            // Stale entries: either side already merged away or changed since queued.
            if syms[left].len == 0 || syms[right].len == 0 || syms[left].next != Some(right) {
                continue;
            }
            let (Some(l), Some(r)) = (syms[left].id, syms[right].id) else {
                continue;
            };
            if self.merges.get(&(l, r)).map(|m| m.1) != Some(merged) {
                continue;
            }
            syms[left].len += syms[right].len;
            syms[left].id = Some(merged);
            syms[right].len = 0;
            let after = syms[right].next;
            syms[left].next = after;
            if let Some(a) = after {
                syms[a].prev = Some(left);
            }
            if let Some(p) = syms[left].prev {
                push(&mut queue, &syms, p, left);
            }
            if let Some(a) = after {
                push(&mut queue, &syms, left, a);
            }
        }
        let mut at = if syms.is_empty() { None } else { Some(0) };
        while let Some(i) = at {
            let s = &syms[i];
            match s.id {
                Some(id) => out.push(id),
                None => {
                    // Not a token: one token per byte of the mapped text, where those exist.
                    for b in word[s.start..s.start + s.len].bytes() {
                        out.extend(vocab.token_id(&(b as char).to_string()));
                    }
                }
            }
            at = s.next;
        }
    }
}
