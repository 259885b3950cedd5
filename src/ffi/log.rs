//! `zipp_log_set`: send the library's log records to the host.

use std::ffi::{c_char, c_void, CString};

use log::{Level, LevelFilter};

use super::panic::guard;
use crate::{ZippError, ZippStatus};

/// Logging off.
pub const ZIPP_LOG_OFF: i32 = 0;
/// Errors only.
pub const ZIPP_LOG_ERROR: i32 = 1;
/// Warnings and errors (the default).
pub const ZIPP_LOG_WARN: i32 = 2;
/// Informational records and above.
pub const ZIPP_LOG_INFO: i32 = 3;
/// Debug records and above.
pub const ZIPP_LOG_DEBUG: i32 = 4;
/// Everything.
pub const ZIPP_LOG_TRACE: i32 = 5;

/// Receives one log record: its level (`ZIPP_LOG_ERROR`..`ZIPP_LOG_TRACE`), target (module path)
/// and message, both valid only during the call, and the `user_data` given to `zipp_log_set`.
/// It may be called from any thread, also concurrently.
pub type ZippLogCallback = Option<
    unsafe extern "C" fn(
        level: i32,
        target: *const c_char,
        message: *const c_char,
        user_data: *mut c_void,
    ),
>;

struct UserData(*mut c_void);
// SAFETY: the host promises, by passing it to zipp_log_set, that user_data may be used from any
// thread (documented in the header).
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}

fn level_code(level: Level) -> i32 {
    match level {
        Level::Error => ZIPP_LOG_ERROR,
        Level::Warn => ZIPP_LOG_WARN,
        Level::Info => ZIPP_LOG_INFO,
        Level::Debug => ZIPP_LOG_DEBUG,
        Level::Trace => ZIPP_LOG_TRACE,
    }
}

/// Sends log records up to `max_level` (`ZIPP_LOG_OFF`..`ZIPP_LOG_TRACE`) to `callback`, or to
/// stderr when `callback` is NULL. Global; replaces any earlier callback. `user_data` must stay
/// valid, and usable from any thread, until the callback is replaced.
#[no_mangle]
pub extern "C" fn zipp_log_set(
    callback: ZippLogCallback,
    user_data: *mut c_void,
    max_level: i32,
) -> ZippStatus {
    guard(|| {
        let level = match max_level {
            ZIPP_LOG_OFF => LevelFilter::Off,
            ZIPP_LOG_ERROR => LevelFilter::Error,
            ZIPP_LOG_WARN => LevelFilter::Warn,
            ZIPP_LOG_INFO => LevelFilter::Info,
            ZIPP_LOG_DEBUG => LevelFilter::Debug,
            ZIPP_LOG_TRACE => LevelFilter::Trace,
            other => {
                return Err(ZippError::InvalidOptions {
                    field: "max_level".into(),
                    message: format!("{other} is not a ZIPP_LOG_* level (0 to 5)"),
                })
            }
        };
        let sink = callback.map(|cb| {
            let data = UserData(user_data);
            Box::new(move |level: Level, target: &str, message: &str| {
                let t = CString::new(target.replace('\0', " ")).unwrap_or_default();
                let m = CString::new(message.replace('\0', " ")).unwrap_or_default();
                let data = &data;
                // SAFETY: the host's function, called with valid strings for the call's duration.
                unsafe { cb(level_code(level), t.as_ptr(), m.as_ptr(), data.0) }
            }) as crate::logging::LogFn
        });
        crate::logging::set_sink(sink, level);
        Ok(())
    })
}
