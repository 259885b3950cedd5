//! The rewriter handle: new from JSON config, rewrite with JSON options, clear cache, free.

use std::ffi::{c_char, c_void, CString};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::panic::guard;
use super::persona::ZippPersona;
use super::strings::{opt_str_arg, out_arg, owned, str_arg};
use crate::rewrite::Rewriter;
use crate::{ZippError, ZippStatus};

/// A rewriter: one backend, a cache and default options. Thread-safe: any number of threads may
/// call `zipp_rewriter_rewrite` on one handle at once. Free it with `zipp_rewriter_free`.
pub struct ZippRewriter {
    inner: Rewriter,
    /// Cancel flags of the calls running now.
    running: Mutex<Vec<Arc<AtomicBool>>>,
}

/// Receives each piece of generated text (UTF-8, NUL-terminated, valid only during the call) and
/// the caller's `user_data`; returning false cancels the rewrite (ZIPP_STATUS_CANCELLED).
pub type ZippTokenCallback =
    Option<unsafe extern "C" fn(piece: *const c_char, user_data: *mut c_void) -> bool>;

/// The caller's callback and its data, called only on the thread that called the rewrite.
struct Callback {
    f: unsafe extern "C" fn(*const c_char, *mut c_void) -> bool,
    user_data: *mut c_void,
}

// SAFETY: the callback runs only on the calling thread, inside the call that received it; the
// bounds are required by the backend trait, not used to move it across threads.
unsafe impl Sync for Callback {}

impl Callback {
    fn call(&self, piece: &str) -> bool {
        let text = CString::new(piece.replace('\0', "")).unwrap_or_default();
        // SAFETY: the caller's contract for `on_token`.
        unsafe { (self.f)(text.as_ptr(), self.user_data) }
    }
}

impl ZippRewriter {
    fn register(&self) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(flag.clone());
        flag
    }

    fn unregister(&self, flag: &Arc<AtomicBool>) {
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|f| !Arc::ptr_eq(f, flag));
    }
}

/// Makes a rewriter from a JSON configuration.
///
/// Keys: `backend` ("gguf" | "openai" | "rules"; when absent, "gguf" with the default model
/// if one is found, else "rules", and the result records say which), `model_path` (the GGUF
/// file for "gguf"; else `model`, else the environment's `ZIPP_MODEL`, else the default model in
/// the cache folder `$ZIPP_CACHE_DIR`, `$XDG_CACHE_HOME/zipp` or `~/.cache/zipp`),
/// `context_length` (gguf, default 4096), `threads` (gguf, fixed per process at first use),
/// `prefix_cache` (gguf: prompts whose evaluation is kept per loaded model so that a prompt
/// starting with the same tokens evaluates only the rest, default 4, 0 turns it off),
/// `prefix_cache_mb` (gguf: the mebibytes they may take per loaded model, default 256),
/// `base_url` (openai, default "http://127.0.0.1:8080/v1"), `model` (required for "openai"),
/// `api_key` (else the environment's `ZIPP_API_KEY`, then `OPENAI_API_KEY`),
/// `connect_timeout_ms`, `timeout_ms`, `max_retries`, `retry_backoff_ms`, `max_retry_wait_ms`,
/// `cache_capacity` (default 1024) and `options` (defaults for every call, as in
/// `zipp_rewriter_rewrite`). Unknown keys are refused. A GGUF model is loaded here (once per
/// process and file; see `zipp_models_unload`); no request is made to a server.
///
/// # Safety
/// `config_json` is NULL or a NUL-terminated string; `out` points to writable storage for one
/// pointer.
#[no_mangle]
pub unsafe extern "C" fn zipp_rewriter_new(
    config_json: *const c_char,
    out: *mut *mut ZippRewriter,
) -> ZippStatus {
    guard(|| {
        out_arg(out, "out")?;
        // SAFETY: the caller's contract.
        let config = unsafe { opt_str_arg(config_json, "config_json") }?.unwrap_or("");
        let rewriter = Rewriter::from_json(config)?;
        // SAFETY: checked non-NULL above.
        unsafe {
            *out = Box::into_raw(Box::new(ZippRewriter {
                inner: rewriter,
                running: Mutex::new(Vec::new()),
            }))
        };
        Ok(())
    })
}

/// Rewrites `prompt` as `persona` would want the picture.
///
/// `options_json` (NULL for the defaults) may set `method` ("auto", the default: "compose" for
/// the rules backend, "taste" for local models under 3B weights, "roleplay" otherwise;
/// "roleplay": the model role-plays the persona, as in the paper; "taste": the model weaves the
/// persona's taste clauses into the prompt; "compose": no model), `seed`, `temperature`, `top_p`, `top_k`,
/// `min_p`, `repeat_penalty` (the last three for local models), `max_new_tokens`, `k` (0..8 examples), `word_budget` (5..300), `taste_clauses` (1..3, the
/// strength of the personalization for taste and compose; fewer keep a person's pictures more varied), `negative_prompt` (passed
/// through untouched), `on_error` ("fail", the default here, or "passthrough": on a backend
/// failure return ZIPP_STATUS_OK with the original prompt and the error in the record),
/// `examples` ([{prompt, rewrite?}]) and `cache` (true).
///
/// On success writes the rewritten prompt to `*out_rewrite` and the result record to
/// `*out_result_json` (`rewrite`, `original`, `negative_prompt`, `thinking`, `backend`, `model`,
/// `method` (the one that ran), `persona_id`, `facet`, `shots`, `cache_hit`, `latency_ms`,
/// `tokens` (`prompt`, `completion`, and `reused`: prompt tokens a prefix cache did not evaluate
/// again, when the backend says), `seed`, `notes`,
/// `guard`, `error`). A model's answer is checked for phrase loops, the persona's biography
/// copied in, lost subject words, a title instead of a description, chat, the instruction
/// parroted and nothing added; with a problem it
/// is asked once more (the problems named, another seed), then the prompt is composed with the
/// persona's taste without the model; an answer that only reworded the subject gets the prompt's
/// own words back as its first clause instead; `guard` says which ("first", "repaired", "retry", "fallback", or
/// "unguarded" for compose). Either out-pointer may be NULL when that output is not wanted, not both; free what
/// is written with `zipp_string_free`. Nothing is written on failure. Blocks while the backend
/// works; the same seed returns the cached text at once. `zipp_rewriter_cancel` from another
/// thread stops it with ZIPP_STATUS_CANCELLED.
///
/// # Safety
/// `rewriter` and `persona` are NULL or live handles; `prompt` and `options_json` are NULL or
/// NUL-terminated strings; each non-NULL out-pointer points to writable storage.
#[no_mangle]
pub unsafe extern "C" fn zipp_rewriter_rewrite(
    rewriter: *const ZippRewriter,
    persona: *const ZippPersona,
    prompt: *const c_char,
    options_json: *const c_char,
    out_rewrite: *mut *mut c_char,
    out_result_json: *mut *mut c_char,
) -> ZippStatus {
    // SAFETY: the caller's contract, passed on.
    unsafe {
        rewrite_call(
            rewriter,
            persona,
            prompt,
            options_json,
            None,
            out_rewrite,
            out_result_json,
        )
    }
}

/// `zipp_rewriter_rewrite`, streaming: `on_token` (NULL for none) receives each piece of the
/// model's raw text as it is generated, on the calling thread, with `user_data`; returning false
/// cancels. The final rewrite (cleaned) and record are written as by `zipp_rewriter_rewrite`.
/// The openai backend calls it once with the whole text; the rules backend and a cached result
/// do not call it.
///
/// # Safety
/// As `zipp_rewriter_rewrite`; `on_token`, when not NULL, is safe to call with a piece and
/// `user_data` for the duration of the call.
#[no_mangle]
pub unsafe extern "C" fn zipp_rewriter_rewrite_stream(
    rewriter: *const ZippRewriter,
    persona: *const ZippPersona,
    prompt: *const c_char,
    options_json: *const c_char,
    on_token: ZippTokenCallback,
    user_data: *mut c_void,
    out_rewrite: *mut *mut c_char,
    out_result_json: *mut *mut c_char,
) -> ZippStatus {
    let callback = on_token.map(|f| Callback { f, user_data });
    // SAFETY: the caller's contract, passed on.
    unsafe {
        rewrite_call(
            rewriter,
            persona,
            prompt,
            options_json,
            callback.as_ref(),
            out_rewrite,
            out_result_json,
        )
    }
}

/// The body of both rewrite functions: arguments checked, the call registered for cancel.
///
/// # Safety
/// As `zipp_rewriter_rewrite`.
unsafe fn rewrite_call(
    rewriter: *const ZippRewriter,
    persona: *const ZippPersona,
    prompt: *const c_char,
    options_json: *const c_char,
    callback: Option<&Callback>,
    out_rewrite: *mut *mut c_char,
    out_result_json: *mut *mut c_char,
) -> ZippStatus {
    guard(|| {
        if out_rewrite.is_null() && out_result_json.is_null() {
            return Err(ZippError::NullPointer {
                arg: "out_rewrite and out_result_json",
            });
        }
        // SAFETY: NULL or live handles, by contract.
        let r = unsafe { rewriter.as_ref() }.ok_or(ZippError::NullPointer { arg: "rewriter" })?;
        // SAFETY: as above.
        let p = unsafe { persona.as_ref() }.ok_or(ZippError::NullPointer { arg: "persona" })?;
        // SAFETY: the caller's contract.
        let prompt = unsafe { str_arg(prompt, "prompt") }?;
        // SAFETY: the caller's contract.
        let options_json = unsafe { opt_str_arg(options_json, "options_json") }?;
        let options = r.inner.options_from_json(options_json)?;
        let stream = |piece: &str| callback.is_none_or(|c| c.call(piece));
        let on_token: Option<&(dyn Fn(&str) -> bool + Sync)> = match callback {
            Some(_) => Some(&stream),
            None => None,
        };
        let flag = r.register();
        let outcome = r
            .inner
            .rewrite_with(&p.inner, prompt, &options, Some(&flag), on_token);
        r.unregister(&flag);
        let result = outcome?;
        if !out_rewrite.is_null() {
            // SAFETY: checked non-NULL.
            unsafe { *out_rewrite = owned(result.rewrite.clone()) };
        }
        if !out_result_json.is_null() {
            // SAFETY: checked non-NULL.
            unsafe { *out_result_json = owned(result.to_json()) };
        }
        Ok(())
    })
}

/// Cancels every rewrite running on this rewriter now, from any thread: each returns
/// ZIPP_STATUS_CANCELLED after at most one more token. Calls made afterwards run normally.
///
/// # Safety
/// `rewriter` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn zipp_rewriter_cancel(rewriter: *const ZippRewriter) -> ZippStatus {
    guard(|| {
        // SAFETY: NULL or a live handle, by contract.
        let r = unsafe { rewriter.as_ref() }.ok_or(ZippError::NullPointer { arg: "rewriter" })?;
        for flag in r.running.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            flag.store(true, Ordering::SeqCst);
        }
        Ok(())
    })
}

/// Forgets every cached rewrite of this rewriter.
///
/// # Safety
/// `rewriter` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn zipp_rewriter_clear_cache(rewriter: *const ZippRewriter) -> ZippStatus {
    guard(|| {
        // SAFETY: NULL or a live handle, by contract.
        let r = unsafe { rewriter.as_ref() }.ok_or(ZippError::NullPointer { arg: "rewriter" })?;
        r.inner.clear_cache();
        Ok(())
    })
}

/// Frees a rewriter. NULL is a no-op; never free the same handle twice.
///
/// # Safety
/// `rewriter` is NULL or a handle from libzipp that was not freed yet, and no other thread is
/// using it.
#[no_mangle]
pub unsafe extern "C" fn zipp_rewriter_free(rewriter: *mut ZippRewriter) {
    super::panic::guard_value((), || {
        if !rewriter.is_null() {
            // SAFETY: the pointer came from Box::into_raw in `zipp_rewriter_new`.
            drop(unsafe { Box::from_raw(rewriter) });
        }
    })
}
