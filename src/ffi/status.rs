//! Status names and the per-thread last-error message.

use std::cell::RefCell;
use std::ffi::{c_char, CString};

use super::panic::guard_value;
use super::status_code::ZippStatus;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records `message` as this thread's last error.
pub(crate) fn set_last_error(message: &str) {
    let c = CString::new(message.replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = c);
}

/// The message of the last failure on the calling thread ("" if none yet).
///
/// The pointer stays valid until the next failing libzipp call on the same thread; copy the
/// text if you need it longer. Never NULL. Do not free it.
#[no_mangle]
pub extern "C" fn zipp_last_error() -> *const c_char {
    guard_value(c"".as_ptr(), || LAST_ERROR.with(|e| e.borrow().as_ptr()))
}

/// The constant's name for a status code, e.g. "ZIPP_STATUS_INVALID_JSON"; "ZIPP_STATUS_UNKNOWN"
/// for a code this version does not know. Static storage: never free it.
#[no_mangle]
pub extern "C" fn zipp_status_name(status: i32) -> *const c_char {
    guard_value(c"ZIPP_STATUS_UNKNOWN".as_ptr(), || {
        ZippStatus::from_code(status).map_or(c"ZIPP_STATUS_UNKNOWN".as_ptr(), |s| {
            s.c_name_cstr().as_ptr()
        })
    })
}

/// A short description of a status code, e.g. "invalid JSON". Static storage: never free it.
#[no_mangle]
pub extern "C" fn zipp_status_describe(status: i32) -> *const c_char {
    guard_value(c"unknown status".as_ptr(), || {
        ZippStatus::from_code(status)
            .map_or(c"unknown status".as_ptr(), |s| s.describe_cstr().as_ptr())
    })
}
