//! GGUF models held by the process: where the default one is, and giving their memory back.

use std::ffi::c_char;
use std::path::Path;

use super::panic::guard;
use super::strings::{out_arg, owned, str_arg};
use crate::error::ZippError;
use crate::llm::gguf::{locate, registry};
use crate::ZippStatus;

/// Writes the path of the model the gguf backend uses when none is configured (`ZIPP_MODEL`,
/// else the default model in the cache folder) to `*out_path`; free it with `zipp_string_free`.
/// ZIPP_STATUS_INVALID_CONFIG, with the way to install one in `zipp_last_error`, when there is
/// none.
///
/// # Safety
/// `out_path` points to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn zipp_default_model_path(out_path: *mut *mut c_char) -> ZippStatus {
    guard(|| {
        out_arg(out_path, "out_path")?;
        let found = locate::find_model(None).ok_or_else(|| ZippError::InvalidConfig {
            field: "model_path".into(),
            message: crate::llm::no_model_message(),
        })?;
        // SAFETY: checked non-NULL.
        unsafe { *out_path = owned(found.path().display().to_string()) };
        Ok(())
    })
}

/// Drops the process's hold on the GGUF model at `path` so its memory goes back to the system
/// (for example to the image model) once rewrites running on it end; rewriters using it load it
/// again on their next call. A NULL `path` drops every loaded model, as
/// `zipp_models_unload_all`. Writes how many loaded instances were dropped to `*out_count` when
/// it is not NULL (0 if the model was not loaded).
///
/// # Safety
/// `path` is NULL or a NUL-terminated string; `out_count` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zipp_models_unload(
    path: *const c_char,
    out_count: *mut u32,
) -> ZippStatus {
    guard(|| {
        let n = if path.is_null() {
            registry::unload_all()
        } else {
            // SAFETY: the caller's contract.
            registry::unload(Path::new(unsafe { str_arg(path, "path") }?))
        };
        if !out_count.is_null() {
            // SAFETY: checked non-NULL.
            unsafe { *out_count = n as u32 };
        }
        Ok(())
    })
}

/// Drops every loaded GGUF model, as `zipp_models_unload` does for one; writes how many there
/// were to `*out_count` when it is not NULL.
///
/// # Safety
/// `out_count` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zipp_models_unload_all(out_count: *mut u32) -> ZippStatus {
    guard(|| {
        let n = registry::unload_all();
        if !out_count.is_null() {
            // SAFETY: checked non-NULL.
            unsafe { *out_count = n as u32 };
        }
        Ok(())
    })
}
