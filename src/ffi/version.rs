//! Version numbers of the library and of its C ABI.

use std::ffi::c_char;

/// Major version of the library (the crate's version).
pub const ZIPP_VERSION_MAJOR: u32 = 0;
/// Minor version of the library.
pub const ZIPP_VERSION_MINOR: u32 = 1;
/// Patch version of the library.
pub const ZIPP_VERSION_PATCH: u32 = 0;
/// Major version of the C ABI: a host refuses a library whose ABI major differs from its own.
pub const ZIPP_ABI_VERSION_MAJOR: u32 = 1;
/// Minor version of the C ABI: grows when functions are added.
pub const ZIPP_ABI_VERSION_MINOR: u32 = 2;
/// The ABI version as one number, `(major << 16) | minor`, as `zipp_abi_version` returns it.
pub const ZIPP_ABI_VERSION: u32 = (ZIPP_ABI_VERSION_MAJOR << 16) | ZIPP_ABI_VERSION_MINOR;

/// The library version, e.g. "0.1.0". Static storage: never free it.
#[no_mangle]
pub extern "C" fn zipp_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The C ABI version, `(major << 16) | minor`; compare `>> 16` with `ZIPP_ABI_VERSION_MAJOR`.
#[no_mangle]
pub extern "C" fn zipp_abi_version() -> u32 {
    ZIPP_ABI_VERSION
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_constants_match_cargo() {
        assert_eq!(
            ZIPP_VERSION_MAJOR.to_string(),
            env!("CARGO_PKG_VERSION_MAJOR")
        );
        assert_eq!(
            ZIPP_VERSION_MINOR.to_string(),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            ZIPP_VERSION_PATCH.to_string(),
            env!("CARGO_PKG_VERSION_PATCH")
        );
        assert_eq!(ZIPP_ABI_VERSION >> 16, ZIPP_ABI_VERSION_MAJOR);
        assert_eq!(ZIPP_ABI_VERSION & 0xffff, ZIPP_ABI_VERSION_MINOR);
        assert_eq!(
            ZIPP_ABI_VERSION,
            65_536 * ZIPP_ABI_VERSION_MAJOR + ZIPP_ABI_VERSION_MINOR
        );
        // SAFETY: static NUL-terminated string.
        let v = unsafe { std::ffi::CStr::from_ptr(zipp_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
