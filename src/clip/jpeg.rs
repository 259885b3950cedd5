//! JPEG decoding with libjpeg-turbo's algorithms (the decoder of the vendored `mozjpeg` library:
//! integer "islow" IDCT, "fancy" triangle-filter chroma upsampling, fixed-point YCbCr to RGB), so
//! that a photograph decodes to exactly the pixels Pillow gives transformers' image processor.
//! Pure-Rust decoders differ from it by up to 4 levels at colour edges.
//!
//! libjpeg reports fatal errors by unwinding out of its error handler; every call into it runs
//! under `catch_unwind`, so a corrupt file is an error here and never a panic in the caller.
//! A truncated file, which libjpeg would pad with gray and only warn about, is an error too (as
//! in Pillow). CMYK and YCCK files, which libjpeg cannot convert to RGB, return `Ok(None)` for
//! the caller's fallback decoder.

use std::os::raw::c_int;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use mozjpeg_sys::{jpeg_common_struct, jpeg_error_mgr, J_COLOR_SPACE};

use super::preprocess::Rgb8;

/// Whether `bytes` start like a JPEG file (SOI then a marker).
pub fn is_jpeg(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8, 0xFF])
}

/// The text of the message libjpeg has just raised.
fn message(cinfo: &mut jpeg_common_struct) -> String {
    // SAFETY: libjpeg calls the handlers with its own valid `cinfo`, whose `err` points at the
    // error manager this module installed; `format_message` writes at most 80 bytes (JMSG_LENGTH_MAX).
    unsafe {
        let Some(err) = cinfo.err.as_ref() else {
            return "unknown libjpeg error".into();
        };
        let code = err.msg_code;
        let Some(format) = err.format_message else {
            return format!("libjpeg message {code}");
        };
        // The binding declares the buffer shared, but libjpeg writes the message into it.
        type Declared = unsafe extern "C-unwind" fn(&mut jpeg_common_struct, &[u8; 80]);
        type Writes = unsafe extern "C-unwind" fn(&mut jpeg_common_struct, &mut [u8; 80]);
        let format = std::mem::transmute::<Declared, Writes>(format);
        let mut buffer = [0u8; 80];
        format(cinfo, &mut buffer);
        let text = buffer.split(|c| *c == 0).next().unwrap_or_default();
        String::from_utf8_lossy(text).into_owned()
    }
}

/// Fatal errors: unwind to the `catch_unwind` in [`decode`] with the message.
unsafe extern "C-unwind" fn fail(cinfo: &mut jpeg_common_struct) {
    resume_unwind(Box::new(message(cinfo)));
}

/// Warnings and trace messages: a premature end of the data is fatal (the rest of the picture
/// would be made up), other warnings (extraneous bytes, for instance) are ignored as in Pillow.
unsafe extern "C-unwind" fn on_message(cinfo: &mut jpeg_common_struct, level: c_int) {
    // SAFETY: see `message`.
    let code = unsafe { cinfo.err.as_ref().map(|e| e.msg_code) };
    if level < 0 && code == Some(mozjpeg_sys::JWRN_JPEG_EOF as c_int) {
        resume_unwind(Box::new(String::from("the JPEG data is truncated")));
    }
}

fn error_manager() -> jpeg_error_mgr {
    // SAFETY: `jpeg_error_mgr` is a plain C struct for which all-zero is a valid value, and
    // `jpeg_std_error` only fills it in.
    let mut err: jpeg_error_mgr = unsafe { std::mem::zeroed() };
    unsafe { mozjpeg_sys::jpeg_std_error(&mut err) };
    err.error_exit = Some(fail);
    err.emit_message = Some(on_message);
    err
}

/// Decodes a JPEG file to RGB8 (grayscale replicated): `Ok(None)` for CMYK and YCCK files,
/// `Err(message)` for corrupt or truncated ones and for those over `max_pixels` (read from the
/// header, before any pixel is decoded).
pub fn decode(bytes: &[u8], max_pixels: usize) -> Result<Option<Rgb8>, String> {
    type Decoded = (usize, usize, Vec<u8>);
    let run = catch_unwind(AssertUnwindSafe(|| -> std::io::Result<Option<Decoded>> {
        let jpeg = mozjpeg::Decompress::with_err(error_manager()).from_mem(bytes)?;
        let (width, height) = jpeg.size();
        if width.saturating_mul(height) > max_pixels {
            return Err(std::io::Error::other(format!(
                "{width} x {height} pixels is over the limit of {max_pixels} pixels"
            )));
        }
        if matches!(
            jpeg.color_space(),
            J_COLOR_SPACE::JCS_CMYK | J_COLOR_SPACE::JCS_YCCK
        ) {
            return Ok(None);
        }
        let mut started = jpeg.rgb()?;
        let (width, height) = (started.width(), started.height());
        let pixels = started.read_scanlines::<u8>()?;
        started.finish()?;
        Ok(Some((width, height, pixels)))
    }));
    match run {
        Ok(Ok(Some((width, height, pixels)))) => Rgb8::from_raw(width, height, pixels)
            .map(Some)
            .map_err(|e| e.to_string()),
        Ok(Ok(None)) => Ok(None),
        Ok(Err(e)) => Err(format!("libjpeg: {e}")),
        Err(payload) => Err(payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "libjpeg failed".into())),
    }
}
