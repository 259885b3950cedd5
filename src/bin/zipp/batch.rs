//! `zipp rewrite --jobs N`: up to N rewrites in flight at once (for servers with parallel slots
//! or fleets), results written in input order as soon as each and all before it are done.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use zipp::{Persona, RewriteOptions, RewriteResult, Rewriter, ZippError};

/// Most rewrites `--jobs` may keep in flight.
pub const MAX_JOBS: usize = 64;

/// A prompt of a batch line: a JSON object's `prompt` (JSONL input), else the line itself.
pub fn prompt_of_line(line: &str) -> Result<String, ZippError> {
    let trimmed = line.trim();
    if !trimmed.starts_with('{') {
        return Ok(trimmed.to_string());
    }
    let value: serde_json::Value =
        serde_json::from_str(trimmed).map_err(|e| ZippError::InvalidOptions {
            field: "prompt".into(),
            message: format!("a JSONL line does not parse: {e}"),
        })?;
    value
        .get("prompt")
        .and_then(|p| p.as_str())
        .map(|p| p.trim().to_string())
        .ok_or_else(|| ZippError::InvalidOptions {
            field: "prompt".into(),
            message: "a JSONL line has no string \"prompt\"".into(),
        })
}

/// Rewrites `prompts` with up to `jobs` in flight, calling `write` with each result in input
/// order. The first failure (in input order) stops new requests; requests already sent finish
/// within the backend's deadline, and the failure is returned.
pub fn rewrite_all(
    rewriter: &Rewriter,
    persona: &Persona,
    prompts: &[String],
    options: &RewriteOptions,
    jobs: usize,
    mut write: impl FnMut(RewriteResult) -> Result<(), ZippError>,
) -> Result<(), ZippError> {
    let jobs = jobs.clamp(1, MAX_JOBS).min(prompts.len().max(1));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, Result<RewriteResult, ZippError>)>();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, stop) = (&next, &stop);
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= prompts.len() || stop.load(Ordering::Relaxed) {
                    break;
                }
                let result = rewriter.rewrite_with(persona, &prompts[i], options, None, None);
                if tx.send((i, result)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut written = 0;
        let mut outcome = Ok(());
        for (i, result) in rx {
            pending.insert(i, result);
            while let Some(result) = pending.remove(&written) {
                written += 1;
                if let Err(e) = result.and_then(&mut write) {
                    stop.store(true, Ordering::Relaxed);
                    outcome = Err(e);
                    break;
                }
            }
            if outcome.is_err() {
                break;
            }
        }
        // Dropping the receiver ends the workers after their requests in flight.
        outcome
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_lines_give_their_prompt_and_plain_lines_themselves() {
        assert_eq!(prompt_of_line("  a cat \n").unwrap(), "a cat");
        assert_eq!(
            prompt_of_line(r#"{"prompt": " a dog ", "id": 3}"#).unwrap(),
            "a dog"
        );
        assert!(prompt_of_line(r#"{"text": "a dog"}"#).is_err());
        assert!(prompt_of_line("{not json").is_err());
    }
}
