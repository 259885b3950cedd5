//! Status names and the per-thread last-error message.

use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};

use super::panic::guard_value;
use crate::error::ZippStatus;

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

fn status_from_code(code: i32) -> Option<ZippStatus> {
    use ZippStatus::*;
    [
        Ok,
        Panic,
        NullPointer,
        InvalidUtf8,
        InvalidJson,
        TooLarge,
        Io,
        InvalidPersona,
        InvalidConfig,
        InvalidOptions,
        Connection,
        Timeout,
        Auth,
        ModelNotFound,
        RateLimited,
        Server,
        BadResponse,
        Backend,
        Cancelled,
        Unsupported,
        InvalidGraph,
        InvalidInput,
        InvalidModel,
        Compute,
        Pending,
        BufferTooSmall,
    ]
    .into_iter()
    .find(|s| *s as i32 == code)
}

/// The constant's name for a status code, e.g. "ZIPP_STATUS_INVALID_JSON"; "ZIPP_STATUS_UNKNOWN"
/// for a code this version does not know. Static storage: never free it.
#[no_mangle]
pub extern "C" fn zipp_status_name(status: i32) -> *const c_char {
    guard_value(c"ZIPP_STATUS_UNKNOWN".as_ptr(), || {
        let name = status_from_code(status)
            .map(ZippStatus::c_name)
            .unwrap_or("ZIPP_STATUS_UNKNOWN");
        static_cstr(name)
    })
}

/// A short description of a status code, e.g. "invalid JSON". Static storage: never free it.
#[no_mangle]
pub extern "C" fn zipp_status_describe(status: i32) -> *const c_char {
    guard_value(c"unknown status".as_ptr(), || {
        let text = status_from_code(status)
            .map(ZippStatus::describe)
            .unwrap_or("unknown status");
        static_cstr(text)
    })
}

/// Leaks each distinct static name once as a C string (at most a few dozen, ever).
fn static_cstr(s: &'static str) -> *const c_char {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static NAMES: Mutex<Option<HashMap<&'static str, &'static CStr>>> = Mutex::new(None);
    let mut guard = NAMES.lock().unwrap_or_else(|p| p.into_inner());
    let map = guard.get_or_insert_with(HashMap::new);
    map.entry(s)
        .or_insert_with(|| Box::leak(CString::new(s).unwrap_or_default().into_boxed_c_str()))
        .as_ptr()
}
