//! CLIP through the C ABI: load a checkpoint folder, embed text and images into caller buffers,
//! score an image against a text or against reference images.

use std::ffi::c_char;
use std::path::Path;

use super::panic::{guard, guard_value};
use super::strings::{out_arg, str_arg};
use crate::clip::{ClipModel, Rgb8};
use crate::error::{Result, ZippError};
use crate::eval::{clip_score_hessel, cosine, image_align};

/// A loaded CLIP model. Thread-safe: any number of threads may embed with one handle at once.
/// Free it with `zipp_clip_free`.
pub struct ZippClip {
    inner: ClipModel,
}

fn model<'a>(clip: *const ZippClip) -> Result<&'a ClipModel> {
    if clip.is_null() {
        return Err(ZippError::NullPointer { arg: "clip" });
    }
    // SAFETY: non-NULL and from zipp_clip_load by the caller's contract.
    Ok(unsafe { &(*clip).inner })
}

/// Writes `v` to the caller's buffer; `*out_len` (when not NULL) always gets `v.len()`.
///
/// # Safety
/// `out` is NULL or writable for `capacity` floats; `out_len` is NULL or writable.
unsafe fn write_floats(
    v: &[f32],
    out: *mut f32,
    capacity: usize,
    out_len: *mut usize,
) -> Result<()> {
    if !out_len.is_null() {
        // SAFETY: checked non-NULL; writable by contract.
        unsafe { *out_len = v.len() };
    }
    if out.is_null() || capacity < v.len() {
        return Err(ZippError::BufferTooSmall {
            arg: "out",
            capacity: if out.is_null() { 0 } else { capacity },
            needed: v.len(),
        });
    }
    // SAFETY: `out` holds at least `v.len()` floats by the check above and the contract.
    unsafe { std::ptr::copy_nonoverlapping(v.as_ptr(), out, v.len()) };
    Ok(())
}

/// Runs `embed` on the model and writes its embedding to the caller's buffer.
///
/// # Safety
/// `clip` is NULL or a live handle; `out`, `capacity` and `out_len` as in `write_floats`.
unsafe fn embed_into(
    clip: *const ZippClip,
    out: *mut f32,
    capacity: usize,
    out_len: *mut usize,
    embed: impl FnOnce(&ClipModel) -> Result<Vec<f32>>,
) -> crate::ZippStatus {
    guard(|| {
        let v = embed(model(clip)?)?;
        // SAFETY: the caller's contract.
        unsafe { write_floats(&v, out, capacity, out_len) }
    })
}

/// Loads a Hugging Face CLIP checkpoint folder: `config.json`, `model.safetensors`,
/// `tokenizer.json` and, when present, `preprocessor_config.json`.
///
/// # Safety
/// `folder` is a NUL-terminated string; `out` points to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn zipp_clip_load(
    folder: *const c_char,
    out: *mut *mut ZippClip,
) -> crate::ZippStatus {
    guard(|| {
        out_arg(out, "out")?;
        // SAFETY: the caller's contract.
        let folder = unsafe { str_arg(folder, "folder") }?;
        let inner = ClipModel::load(folder)?;
        // SAFETY: checked non-NULL.
        unsafe { *out = Box::into_raw(Box::new(ZippClip { inner })) };
        Ok(())
    })
}

/// Length of the model's embeddings (0 for NULL).
///
/// # Safety
/// `clip` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn zipp_clip_dim(clip: *const ZippClip) -> usize {
    guard_value(0, || model(clip).map_or(0, ClipModel::dim))
}

/// Embeds a UTF-8 text (truncated to the model's 77 tokens) into `out` as a unit-length vector.
/// `*out_len`, when not NULL, receives the embedding length even on failure; with `out` NULL or
/// `capacity` below it, returns ZIPP_STATUS_BUFFER_TOO_SMALL and writes nothing else.
///
/// # Safety
/// `clip` is a live handle; `text` a NUL-terminated string; `out` NULL or writable for
/// `capacity` floats; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zipp_clip_embed_text(
    clip: *const ZippClip,
    text: *const c_char,
    out: *mut f32,
    capacity: usize,
    out_len: *mut usize,
) -> crate::ZippStatus {
    // SAFETY: the caller's contract.
    unsafe {
        embed_into(clip, out, capacity, out_len, |m| {
            let text = str_arg(text, "text")?;
            Ok(m.embed_texts(&[text])?.remove(0))
        })
    }
}

/// Embeds an image file (PNG, JPEG or WebP) into `out` as a unit-length vector, as
/// `zipp_clip_embed_text` does for text. Embeddings are cached by the file's content hash.
///
/// # Safety
/// As `zipp_clip_embed_text`, with `path` a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn zipp_clip_embed_image_file(
    clip: *const ZippClip,
    path: *const c_char,
    out: *mut f32,
    capacity: usize,
    out_len: *mut usize,
) -> crate::ZippStatus {
    // SAFETY: the caller's contract.
    unsafe {
        embed_into(clip, out, capacity, out_len, |m| {
            let path = str_arg(path, "path")?;
            Ok(m.embed_image_files(&[Path::new(path)])?.remove(0))
        })
    }
}

/// Embeds an RGB8 image held in memory (`height` rows of `stride` bytes, each starting with
/// `width` pixels of R, G, B) into `out`, as `zipp_clip_embed_text` does for text.
///
/// # Safety
/// As `zipp_clip_embed_text`, with `pixels` readable for `height * stride` bytes.
#[no_mangle]
pub unsafe extern "C" fn zipp_clip_embed_image_rgb8(
    clip: *const ZippClip,
    pixels: *const u8,
    width: u32,
    height: u32,
    stride: usize,
    out: *mut f32,
    capacity: usize,
    out_len: *mut usize,
) -> crate::ZippStatus {
    // SAFETY: the caller's contract.
    unsafe {
        embed_into(clip, out, capacity, out_len, |m| {
            if pixels.is_null() {
                return Err(ZippError::NullPointer { arg: "pixels" });
            }
            let (w, h) = (width as usize, height as usize);
            let len = h.checked_mul(stride).filter(|n| *n <= 1 << 31).unwrap_or(0);
            // SAFETY: readable for height * stride bytes by the caller's contract.
            let bytes = std::slice::from_raw_parts(pixels, len);
            Ok(m.embed_images(&[Rgb8::from_rows(w, h, stride, bytes)?])?
                .remove(0))
        })
    }
}

/// Scores an image file against a text: `*out_clip_score` gets Hessel et al.'s CLIPScore
/// (2.5 x max(cosine, 0)) and `*out_cosine` the cosine similarity; either may be NULL.
///
/// # Safety
/// `clip` is a live handle; `image_path` and `text` NUL-terminated strings; the outputs NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn zipp_clip_score_text(
    clip: *const ZippClip,
    image_path: *const c_char,
    text: *const c_char,
    out_clip_score: *mut f64,
    out_cosine: *mut f64,
) -> crate::ZippStatus {
    guard(|| {
        let m = model(clip)?;
        // SAFETY: the caller's contract.
        let (path, text) = unsafe { (str_arg(image_path, "image_path")?, str_arg(text, "text")?) };
        let image = m.embed_image_files(&[Path::new(path)])?.remove(0);
        let t = m.embed_texts(&[text])?.remove(0);
        // SAFETY: NULL-checked; writable by contract.
        unsafe {
            if !out_clip_score.is_null() {
                *out_clip_score = clip_score_hessel(&image, &t);
            }
            if !out_cosine.is_null() {
                *out_cosine = cosine(&image, &t);
            }
        }
        Ok(())
    })
}

/// Image-Align of an image file against `count` reference image files: the highest and the
/// mean cosine similarity (either output may be NULL). `count` must be at least 1.
///
/// # Safety
/// `clip` is a live handle; `image_path` a NUL-terminated string; `reference_paths` readable
/// for `count` NUL-terminated strings; the outputs NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn zipp_clip_score_images(
    clip: *const ZippClip,
    image_path: *const c_char,
    reference_paths: *const *const c_char,
    count: usize,
    out_max: *mut f64,
    out_mean: *mut f64,
) -> crate::ZippStatus {
    guard(|| {
        let m = model(clip)?;
        // SAFETY: the caller's contract.
        let path = unsafe { str_arg(image_path, "image_path") }?;
        if reference_paths.is_null() {
            return Err(ZippError::NullPointer {
                arg: "reference_paths",
            });
        }
        if count == 0 || count > 100_000 {
            return Err(ZippError::InvalidOptions {
                field: "count".into(),
                message: format!("{count} is outside 1..=100000"),
            });
        }
        // SAFETY: readable for `count` pointers by contract.
        let refs = unsafe { std::slice::from_raw_parts(reference_paths, count) };
        let refs = refs
            .iter()
            // SAFETY: each is a NUL-terminated string by contract.
            .map(|p| unsafe { str_arg(*p, "reference_paths") }.map(Path::new))
            .collect::<Result<Vec<_>>>()?;
        let image = m.embed_image_files(&[Path::new(path)])?.remove(0);
        let embedded = m.embed_image_files(&refs)?;
        let views: Vec<&[f32]> = embedded.iter().map(Vec::as_slice).collect();
        let score = image_align(&image, &views).ok_or(ZippError::InvalidOptions {
            field: "count".into(),
            message: "no references".into(),
        })?;
        // SAFETY: NULL-checked; writable by contract.
        unsafe {
            if !out_max.is_null() {
                *out_max = score.max;
            }
            if !out_mean.is_null() {
                *out_mean = score.mean;
            }
        }
        Ok(())
    })
}

/// Frees a model. NULL is a no-op.
///
/// # Safety
/// `clip` is NULL or a handle from `zipp_clip_load` not yet freed, with no call on it running.
#[no_mangle]
pub unsafe extern "C" fn zipp_clip_free(clip: *mut ZippClip) {
    guard_value((), || {
        if !clip.is_null() {
            // SAFETY: from Box::into_raw in zipp_clip_load, freed once by contract.
            drop(unsafe { Box::from_raw(clip) });
        }
    })
}
