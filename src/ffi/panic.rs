//! The panic boundary every exported function runs inside.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::status::set_last_error;
use crate::error::{Result, ZippError};
use crate::ZippStatus;

/// Runs `body`, turning its error or panic into a status and the thread's last-error message.
pub(crate) fn guard(body: impl FnOnce() -> Result<()>) -> ZippStatus {
    crate::logging::init();
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => ZippStatus::Ok,
        Ok(Err(e)) => {
            set_last_error(&e.to_string());
            e.status()
        }
        Err(payload) => {
            let message = crate::error::panic_message(payload.as_ref());
            set_last_error(&ZippError::Panic { message }.to_string());
            ZippStatus::Panic
        }
    }
}

/// Runs `body` for a function that returns a plain value; a panic gives `fallback`.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_status_and_a_message() {
        let status = guard(|| panic!("boom {}", 7));
        assert_eq!(status, ZippStatus::Panic);
        // SAFETY: never NULL, NUL-terminated.
        let msg = unsafe { std::ffi::CStr::from_ptr(super::super::status::zipp_last_error()) };
        assert_eq!(msg.to_str().unwrap(), "internal panic: boom 7");
        assert_eq!(guard_value(5, || panic!("x")), 5);
    }

    #[test]
    fn errors_become_their_status() {
        let status = guard(|| Err(ZippError::Cancelled));
        assert_eq!(status, ZippStatus::Cancelled);
        assert_eq!(guard(|| Ok(())), ZippStatus::Ok);
    }
}
