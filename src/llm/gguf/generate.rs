//! The generation loop: prompt in batches, then one token at a time with a KV cache, streaming
//! whole characters, stopping at end-of-generation tokens, stop strings, the token limit, the
//! context's end or the caller's cancel.

use std::sync::atomic::{AtomicBool, Ordering};

use super::model::Model;
use super::prefix::PrefixCache;
use super::sampler::Sampler;
use super::vocab::Vocab;
use crate::error::{Result, ZippError};
use crate::llm::SamplingParams;

/// Prompt tokens fed to the model per forward pass.
const PROMPT_BATCH: usize = 256;
/// Fewest prompt tokens fed in one pass (a shorter last pass joins the one before): shorter
/// passes take other kernels (`layers::DENSE_ROWS`), so every prompt position of a longer
/// prompt is computed the same way, and a prompt continued from a cached prefix gets the
/// same numbers as one evaluated whole.
const MIN_PASS: usize = super::model::layers::DENSE_ROWS;

/// The passes that evaluate prompt positions `from..len`.
fn passes(from: usize, len: usize) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    let mut at = from;
    while at < len {
        let end = (at + PROMPT_BATCH).min(len);
        match out.last_mut() {
            Some(last) if end - at < MIN_PASS => last.end = end,
            _ => out.push(at..end),
        }
        at = end;
    }
    out
}

/// Why generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The model produced an end-of-generation token.
    EndOfGeneration,
    /// A stop string appeared.
    StopString,
    /// `max_new_tokens` were generated.
    Length,
    /// The context is full.
    Context,
}

/// What a generation produced.
#[derive(Debug, Clone)]
pub struct Output {
    /// The text, without the stop string.
    pub text: String,
    /// The generated token ids.
    pub tokens: Vec<u32>,
    /// Prompt tokens processed.
    pub prompt_tokens: usize,
    /// Prompt tokens whose keys and values came from an earlier prompt (not evaluated again).
    pub reused_tokens: usize,
    /// Why it ended.
    pub reason: StopReason,
}

/// Streams text out in whole characters, holding back what might begin a stop string.
struct Stream<'a> {
    bytes: Vec<u8>,
    /// Bytes of `bytes` already sent.
    sent: usize,
    stop: &'a [String],
    on_token: Option<&'a (dyn Fn(&str) -> bool + Sync)>,
}

impl Stream<'_> {
    /// Adds a token's bytes; returns the stop position if a stop string is now complete, and
    /// false in the second place when the caller asked to stop.
    fn push(&mut self, piece: &[u8]) -> (Option<usize>, bool) {
        let before = self.bytes.len();
        self.bytes.extend_from_slice(piece);
        let longest = self.stop.iter().map(String::len).max().unwrap_or(0);
        let search_from = before.saturating_sub(longest);
        for s in self.stop {
            if s.is_empty() {
                continue;
            }
            if let Some(at) = memchr::memmem::find(&self.bytes[search_from..], s.as_bytes()) {
                let at = search_from + at;
                let ok = self.flush_to(at);
                return (Some(at), ok);
            }
        }
        // Hold back a tail that could still grow into a stop string, and any incomplete
        // character.
        let mut safe = self.bytes.len();
        for s in self.stop {
            for k in (1..s.len()).rev() {
                if self.bytes.len() >= k && self.bytes.ends_with(&s.as_bytes()[..k]) {
                    safe = safe.min(self.bytes.len() - k);
                    break;
                }
            }
        }
        (None, self.flush_to(safe))
    }

    /// Sends complete characters up to `end`; false when the callback asked to stop.
    fn flush_to(&mut self, end: usize) -> bool {
        if end <= self.sent {
            return true;
        }
        let pending = &self.bytes[self.sent..end];
        let valid = match std::str::from_utf8(pending) {
            Ok(s) => s.len(),
            // An incomplete character at the end waits; invalid bytes in the middle are sent
            // replaced, never held forever.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => pending.len(),
        };
        if valid == 0 {
            return true;
        }
        let text = String::from_utf8_lossy(&pending[..valid]).into_owned();
        self.sent += valid;
        match self.on_token {
            Some(f) => f(&text),
            None => true,
        }
    }
}

/// Generates a continuation of `prompt`.
pub fn generate(
    model: &Model,
    vocab: &Vocab,
    prompt: &[u32],
    settings: &SamplingParams,
    cancel: Option<&AtomicBool>,
    on_token: Option<&(dyn Fn(&str) -> bool + Sync)>,
) -> Result<Output> {
    generate_cached(model, vocab, prompt, None, settings, cancel, on_token)
}

/// [`generate`] starting from the longest prefix of `prompt` that `prefixes` holds, and keeping
/// the evaluated prompt there for the next one.
pub fn generate_cached(
    model: &Model,
    vocab: &Vocab,
    prompt: &[u32],
    prefixes: Option<&PrefixCache>,
    settings: &SamplingParams,
    cancel: Option<&AtomicBool>,
    on_token: Option<&(dyn Fn(&str) -> bool + Sync)>,
) -> Result<Output> {
    let cancelled = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    if prompt.is_empty() {
        return Err(ZippError::Backend {
            status: 0,
            message: "the prompt has no tokens".into(),
        });
    }
    if prompt.len() >= model.context() {
        return Err(ZippError::TooLarge {
            what: "the prompt in tokens".into(),
            size: prompt.len(),
            limit: model.context() - 1,
        });
    }
    let room = (prompt.len() + settings.max_new_tokens as usize).min(model.context());
    let reuse = match prefixes {
        Some(p) => p.lookup(prompt, room, MIN_PASS)?,
        None => None,
    };
    let (mut cache, reused, kept_logits) = match reuse {
        Some(r) => (r.cache, r.reused, r.logits),
        None => (model.new_cache(), 0, None),
    };
    let mut logits = kept_logits.unwrap_or_default();
    for pass in passes(reused, prompt.len()) {
        if cancelled() {
            return Err(ZippError::Cancelled);
        }
        logits = model
            .forward_until(&prompt[pass], &mut cache, false, &cancelled)?
            .pop()
            .unwrap_or_default();
    }
    if let (Some(p), true) = (prefixes, reused < prompt.len()) {
        p.store(prompt, &cache, &logits)?;
    }
    let mut sampler = Sampler::new(settings.clone());
    let mut history: Vec<u32> = prompt.to_vec();
    let mut tokens = Vec::new();
    let mut stream = Stream {
        bytes: Vec::new(),
        sent: 0,
        stop: &settings.stop,
        on_token,
    };
    let mut reason = StopReason::Length;
    let mut cut = None;
    while tokens.len() < settings.max_new_tokens as usize {
        if cancelled() {
            return Err(ZippError::Cancelled);
        }
        let next = sampler.sample(&mut logits, &history);
        if vocab.is_end_of_generation(next) {
            reason = StopReason::EndOfGeneration;
            break;
        }
        tokens.push(next);
        history.push(next);
        let (stop_at, go_on) = stream.push(&vocab.token_bytes(next));
        if !go_on {
            return Err(ZippError::Cancelled);
        }
        if let Some(at) = stop_at {
            cut = Some(at);
            reason = StopReason::StopString;
            break;
        }
        if tokens.len() >= settings.max_new_tokens as usize {
            break;
        }
        if cache.position() + 1 >= model.context() {
            reason = StopReason::Context;
            break;
        }
        logits = model
            .forward(&[next], &mut cache, false)?
            .pop()
            .unwrap_or_default();
    }
    let end = cut.unwrap_or(stream.bytes.len());
    if !stream.flush_to(end) {
        return Err(ZippError::Cancelled);
    }
    Ok(Output {
        text: String::from_utf8_lossy(&stream.bytes[..end]).into_owned(),
        tokens,
        prompt_tokens: prompt.len(),
        reused_tokens: reused,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn the_stream_holds_back_partial_characters_and_stop_prefixes() {
        let sent = Mutex::new(Vec::<String>::new());
        let cb = |s: &str| {
            sent.lock().unwrap().push(s.to_string());
            true
        };
        let stop = vec!["\n\n".to_string()];
        let mut s = Stream {
            bytes: Vec::new(),
            sent: 0,
            stop: &stop,
            on_token: Some(&cb),
        };
        let e_acute = "é".as_bytes();
        assert_eq!(s.push(b"caf"), (None, true));
        assert_eq!(s.push(&e_acute[..1]), (None, true));
        assert_eq!(s.push(&e_acute[1..]), (None, true));
        assert_eq!(s.push(b" ok\n"), (None, true));
        assert_eq!(s.push(b"\nmore"), (Some(8), true));
        assert_eq!(sent.lock().unwrap().concat(), "café ok");
    }

    #[test]
    fn prompt_passes_are_never_short_unless_the_prompt_is() {
        assert_eq!(passes(0, 10), vec![0..10]);
        assert_eq!(passes(0, 300), vec![0..256, 256..300]);
        assert_eq!(passes(0, 260), vec![0..260]);
        assert_eq!(passes(340, 363), vec![340..363]);
        assert!(passes(5, 5).is_empty());
        assert_eq!(passes(0, 512), vec![0..256, 256..512]);
    }

    #[test]
    fn a_callback_returning_false_stops_the_stream() {
        let cb = |_: &str| false;
        let mut s = Stream {
            bytes: Vec::new(),
            sent: 0,
            stop: &[],
            on_token: Some(&cb),
        };
        assert_eq!(s.push(b"x"), (None, false));
    }
}
