//! String conversions at the border, and `zipp_string_free`.

use std::ffi::{c_char, CStr, CString};

use super::panic::guard_value;
use crate::error::{Result, ZippError};

/// Borrows a required C string argument as UTF-8.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string valid for the call.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, arg: &'static str) -> Result<&'a str> {
    if ptr.is_null() {
        return Err(ZippError::NullPointer { arg });
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes.to_str().map_err(|e| ZippError::InvalidUtf8 {
        arg,
        valid_up_to: e.valid_up_to(),
    })
}

/// Borrows an optional C string argument (NULL gives `None`).
///
/// # Safety
/// As [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(
    ptr: *const c_char,
    arg: &'static str,
) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { str_arg(ptr, arg) }.map(Some)
    }
}

/// Fails when a required out-pointer is NULL.
pub(crate) fn out_arg<T>(ptr: *mut T, arg: &'static str) -> Result<()> {
    if ptr.is_null() {
        Err(ZippError::NullPointer { arg })
    } else {
        Ok(())
    }
}

/// A string the caller owns and releases with `zipp_string_free`.
pub(crate) fn owned(s: String) -> *mut c_char {
    let c = CString::new(s).unwrap_or_else(|e| {
        let cleaned: Vec<u8> = e.into_vec().into_iter().filter(|b| *b != 0).collect();
        CString::new(cleaned).unwrap_or_default()
    });
    c.into_raw()
}

/// Frees a string returned by libzipp. NULL is a no-op; never free the same string twice.
///
/// # Safety
/// `s` is NULL or a string returned by libzipp that was not freed yet.
#[no_mangle]
pub unsafe extern "C" fn zipp_string_free(s: *mut c_char) {
    guard_value((), || {
        if !s.is_null() {
            // SAFETY: the pointer came from CString::into_raw in `owned`.
            drop(unsafe { CString::from_raw(s) });
        }
    })
}
