//! The persona handle: load from a file, JSON, text or survey; export as JSON; free.

use std::ffi::c_char;

use super::panic::guard;
use super::strings::{out_arg, owned, str_arg};
use crate::error::Result;
use crate::persona::{Persona, Survey};
use crate::ZippStatus;

/// A validated persona. Immutable once made, so one handle may be used from many threads at
/// once. Free it with `zipp_persona_free`.
pub struct ZippPersona {
    pub(crate) inner: Persona,
}

fn make(out: *mut *mut ZippPersona, build: impl FnOnce() -> Result<Persona>) -> ZippStatus {
    guard(|| {
        out_arg(out, "out")?;
        let persona = build()?;
        // SAFETY: `out` is non-NULL (checked above) and points to writable storage.
        unsafe { *out = Box::into_raw(Box::new(ZippPersona { inner: persona })) };
        Ok(())
    })
}

/// Loads a persona file: a JSON document (`schema: "zipp.persona/v1"`) or plain first-person
/// text. Files over 256 KiB are refused with `ZIPP_STATUS_TOO_LARGE`.
///
/// # Safety
/// `path` is a NUL-terminated string; `out` points to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn zipp_persona_from_file(
    path: *const c_char,
    out: *mut *mut ZippPersona,
) -> ZippStatus {
    // SAFETY: the caller's contract.
    make(out, || {
        Persona::from_file(unsafe { str_arg(path, "path") }?)
    })
}

/// Parses and validates a JSON persona document; `ZIPP_STATUS_INVALID_PERSONA` lists every
/// problem with its JSON path ("traits.interests[2]: expected a string, found a number").
///
/// # Safety
/// `json` is a NUL-terminated string; `out` points to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn zipp_persona_from_json(
    json: *const c_char,
    out: *mut *mut ZippPersona,
) -> ZippStatus {
    // SAFETY: the caller's contract.
    make(out, || {
        Persona::from_json(unsafe { str_arg(json, "json") }?)
    })
}

/// Makes a persona from plain first-person text (at most 16 KiB).
///
/// # Safety
/// `text` is a NUL-terminated string; `out` points to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn zipp_persona_from_text(
    text: *const c_char,
    out: *mut *mut ZippPersona,
) -> ZippStatus {
    // SAFETY: the caller's contract.
    make(out, || {
        Persona::from_text(unsafe { str_arg(text, "text") }?)
    })
}

/// Builds a persona from intake-survey answers, a JSON object with optional `name`, `age_band`,
/// `gender`, `country`, `region`, `language`, `profession`, `hobbies` (list or comma-separated
/// string) and `notes`.
///
/// # Safety
/// `survey_json` is a NUL-terminated string; `out` points to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn zipp_persona_from_survey(
    survey_json: *const c_char,
    out: *mut *mut ZippPersona,
) -> ZippStatus {
    make(out, || {
        // SAFETY: the caller's contract.
        let json = unsafe { str_arg(survey_json, "survey_json") }?;
        Persona::from_survey(&Survey::from_json(json)?)
    })
}

/// Writes the persona as pretty-printed JSON to `*out_json` (free it with `zipp_string_free`).
///
/// # Safety
/// `persona` is NULL or a live handle; `out_json` points to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn zipp_persona_to_json(
    persona: *const ZippPersona,
    out_json: *mut *mut c_char,
) -> ZippStatus {
    guard(|| {
        out_arg(out_json, "out_json")?;
        // SAFETY: NULL or a live handle, by contract.
        let p =
            unsafe { persona.as_ref() }.ok_or(crate::ZippError::NullPointer { arg: "persona" })?;
        // SAFETY: checked non-NULL above.
        unsafe { *out_json = owned(p.inner.to_json_pretty()) };
        Ok(())
    })
}

/// Writes the persona's content hash (64 hex digits; equal documents, equal hashes) to
/// `*out_hex` (free it with `zipp_string_free`). Hosts use it to tell when a persona changed.
///
/// # Safety
/// `persona` is NULL or a live handle; `out_hex` points to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn zipp_persona_hash(
    persona: *const ZippPersona,
    out_hex: *mut *mut c_char,
) -> ZippStatus {
    guard(|| {
        out_arg(out_hex, "out_hex")?;
        // SAFETY: NULL or a live handle, by contract.
        let p =
            unsafe { persona.as_ref() }.ok_or(crate::ZippError::NullPointer { arg: "persona" })?;
        // SAFETY: checked non-NULL above.
        unsafe { *out_hex = owned(p.inner.hash_hex()) };
        Ok(())
    })
}

/// Frees a persona. NULL is a no-op; never free the same handle twice.
///
/// # Safety
/// `persona` is NULL or a handle from libzipp that was not freed yet, and no other thread is
/// using it.
#[no_mangle]
pub unsafe extern "C" fn zipp_persona_free(persona: *mut ZippPersona) {
    super::panic::guard_value((), || {
        if !persona.is_null() {
            // SAFETY: the pointer came from Box::into_raw in `make`.
            drop(unsafe { Box::from_raw(persona) });
        }
    })
}
