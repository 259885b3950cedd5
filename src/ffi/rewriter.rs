//! The rewriter handle: new from JSON config, rewrite with JSON options, clear cache, free.

use std::ffi::c_char;

use super::panic::guard;
use super::persona::ZippPersona;
use super::strings::{opt_str_arg, out_arg, owned, str_arg};
use crate::error::{ZippError, ZippStatus};
use crate::rewrite::Rewriter;

/// A rewriter: one backend, a cache and default options. Thread-safe: any number of threads may
/// call `zipp_rewriter_rewrite` on one handle at once. Free it with `zipp_rewriter_free`.
pub struct ZippRewriter {
    inner: Rewriter,
}

/// Makes a rewriter from a JSON configuration; NULL or "{}" gives the model-free `rules` backend.
///
/// Keys: `backend` ("rules" | "openai"), `base_url` (default "http://127.0.0.1:8080/v1"),
/// `model` (required for "openai"), `api_key` (else the environment's `ZIPP_API_KEY`, then
/// `OPENAI_API_KEY`), `connect_timeout_ms`, `timeout_ms`, `max_retries`, `retry_backoff_ms`,
/// `max_retry_wait_ms`, `cache_capacity` (default 1024) and `options` (defaults for every call,
/// as in `zipp_rewriter_rewrite`). Unknown keys are refused. No request is made here.
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
        unsafe { *out = Box::into_raw(Box::new(ZippRewriter { inner: rewriter })) };
        Ok(())
    })
}

/// Rewrites `prompt` as `persona` would want the picture.
///
/// `options_json` (NULL for the defaults) may set `seed`, `temperature`, `top_p`,
/// `max_new_tokens`, `k` (0..8 examples), `word_budget` (5..300), `negative_prompt` (passed
/// through untouched), `on_error` ("fail", the default here, or "passthrough": on a backend
/// failure return ZIPP_STATUS_OK with the original prompt and the error in the record),
/// `examples` ([{prompt, rewrite?}]) and `cache` (true).
///
/// On success writes the rewritten prompt to `*out_rewrite` and the result record to
/// `*out_result_json` (`rewrite`, `original`, `negative_prompt`, `thinking`, `backend`, `model`,
/// `persona_id`, `facet`, `shots`, `cache_hit`, `latency_ms`, `tokens`, `seed`, `notes`,
/// `error`). Either out-pointer may be NULL when that output is not wanted, not both; free what
/// is written with `zipp_string_free`. Nothing is written on failure. Blocks while the backend
/// works; the same seed returns the cached text at once.
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
        let result = r.inner.rewrite(&p.inner, prompt, &options)?;
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
