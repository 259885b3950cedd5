//! Image preprocessing as transformers' `CLIPImageProcessor`: decode (PNG, JPEG, WebP), convert
//! to RGB (gray replicated, alpha dropped, palettes expanded), resize the shortest side with
//! Pillow's bicubic, center crop, rescale and normalize with the model's mean and std.

use std::path::Path;

use serde::Deserialize;

use super::resample::resize_rgb8;
use crate::error::{Result, ZippError};

/// The image crate's limits for decoding at most `max_pixels` pixels (RGBA at most).
fn limits_for(max_pixels: usize) -> image::Limits {
    let mut limits = image::Limits::default();
    limits.max_alloc = Some((max_pixels as u64).saturating_mul(4));
    limits
}

/// An RGB8 image, rows top to bottom, interleaved channels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rgb8 {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width * height * 3` bytes.
    pub pixels: Vec<u8>,
}

/// The most pixels an image may have: Pillow's decompression-bomb limit (twice its
/// `MAX_IMAGE_PIXELS`), so what Pillow refuses is refused here too, before it is decoded.
///
/// cbindgen:ignore
pub const MAX_PIXELS: usize = 2 * 89_478_485;

impl Rgb8 {
    /// Decodes PNG, JPEG or WebP bytes (the format is sniffed); `what` names the source in errors.
    /// JPEG goes through libjpeg-turbo's algorithms, so photographs decode exactly as in Pillow.
    /// Images over [`MAX_PIXELS`] are refused from their header, before any pixel is decoded.
    pub fn decode(bytes: &[u8], what: &str) -> Result<Self> {
        Self::decode_at_most(bytes, what, MAX_PIXELS)
    }

    /// [`Rgb8::decode`] with a lower pixel limit, for callers that take images from anyone.
    pub fn decode_at_most(bytes: &[u8], what: &str, max_pixels: usize) -> Result<Self> {
        let refuse = |message: String| ZippError::InvalidInput {
            file: what.to_string(),
            line: 0,
            message: format!("cannot decode the image: {message}"),
        };
        let too_large = |width: usize, height: usize| {
            refuse(format!(
                "{width} x {height} pixels is over the limit of {max_pixels} pixels"
            ))
        };
        if super::jpeg::is_jpeg(bytes) {
            if let Some(img) = super::jpeg::decode(bytes, max_pixels).map_err(refuse)? {
                return Ok(img);
            }
        }
        let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| refuse(e.to_string()))?;
        reader.limits(limits_for(max_pixels));
        let (width, height) = reader
            .into_dimensions()
            .map_err(|e| refuse(e.to_string()))?;
        let (width, height) = (width as usize, height as usize);
        if width.saturating_mul(height) > max_pixels {
            return Err(too_large(width, height));
        }
        let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| refuse(e.to_string()))?;
        reader.limits(limits_for(max_pixels));
        let img = reader.decode().map_err(|e| refuse(e.to_string()))?;
        if img.color().has_alpha() {
            let rgba = img.to_rgba8();
            let (width, height) = (rgba.width() as usize, rgba.height() as usize);
            let pixels = rgba
                .pixels()
                .flat_map(|p| composite_on_white(p.0))
                .collect();
            return Ok(Self {
                width,
                height,
                pixels,
            });
        }
        let rgb = img.to_rgb8();
        Ok(Self {
            width: rgb.width() as usize,
            height: rgb.height() as usize,
            pixels: rgb.into_raw(),
        })
    }

    /// Reads and decodes an image file.
    pub fn open(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| ZippError::io(path, e))?;
        Self::decode(&bytes, &path.display().to_string())
    }

    /// Packs `height` rows of `stride` bytes, each starting with `width` RGB8 pixels.
    pub fn from_rows(width: usize, height: usize, stride: usize, bytes: &[u8]) -> Result<Self> {
        let fits = width > 0
            && height > 0
            && stride >= width * 3
            && height
                .checked_mul(stride)
                .is_some_and(|n| n > 0 && n <= bytes.len());
        if !fits {
            return Err(ZippError::InvalidOptions {
                field: "image".into(),
                message: format!(
                    "{width} x {height} with stride {stride} is not a usable RGB8 image ({} bytes)",
                    bytes.len()
                ),
            });
        }
        let pixels = bytes
            .chunks(stride)
            .take(height)
            .flat_map(|row| row[..width * 3].iter().copied())
            .collect();
        Self::from_raw(width, height, pixels)
    }

    /// Wraps an RGB8 buffer, checking its length.
    pub fn from_raw(width: usize, height: usize, pixels: Vec<u8>) -> Result<Self> {
        if width == 0
            || height == 0
            || width.checked_mul(height).and_then(|n| n.checked_mul(3)) != Some(pixels.len())
        {
            return Err(ZippError::InvalidOptions {
                field: "image".into(),
                message: format!(
                    "{} bytes is not a {width} x {height} RGB8 image",
                    pixels.len()
                ),
            });
        }
        Ok(Self {
            width,
            height,
            pixels,
        })
    }
}

/// One RGBA pixel over opaque white, in Pillow's integer `alpha_composite` arithmetic (what
/// transformers does to images with transparency before converting them to RGB).
fn composite_on_white([r, g, b, a]: [u8; 4]) -> [u8; 3] {
    if a == 0 {
        return [255; 3];
    }
    let sa = u64::from(a);
    let outa255 = sa * 255 + 255 * (255 - sa);
    let coef1 = sa * 255 * 255 * 128 / outa255;
    let coef2 = 255 * 128 - coef1;
    let mix = |c: u8| {
        let t = u64::from(c) * coef1 + 255 * coef2 + (0x80 << 7);
        ((((t >> 8) + t) >> 8) >> 7) as u8
    };
    [mix(r), mix(g), mix(b)]
}

/// The processor settings of `preprocessor_config.json` (transformers' defaults when absent).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct Preprocess {
    /// Resize the shortest side.
    pub do_resize: bool,
    /// `{"shortest_edge": N}`.
    pub size: Size,
    /// Crop to `crop_size`.
    pub do_center_crop: bool,
    /// `{"height": H, "width": W}`.
    pub crop_size: CropSize,
    /// Multiply by `rescale_factor`.
    pub do_rescale: bool,
    /// 1/255 (applied in f64, as NumPy does, then rounded to f32).
    pub rescale_factor: f64,
    /// Subtract the mean and divide by the std.
    pub do_normalize: bool,
    /// Per-channel mean.
    pub image_mean: [f32; 3],
    /// Per-channel standard deviation.
    pub image_std: [f32; 3],
    /// Pillow resampling filter; only 3 (bicubic) is supported.
    pub resample: u32,
}

/// Resize target.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Size {
    /// Length of the shortest side after resizing.
    pub shortest_edge: usize,
}

/// Crop size.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct CropSize {
    /// Rows.
    pub height: usize,
    /// Columns.
    pub width: usize,
}

impl Default for Preprocess {
    fn default() -> Self {
        Self {
            do_resize: true,
            size: Size { shortest_edge: 224 },
            do_center_crop: true,
            crop_size: CropSize {
                height: 224,
                width: 224,
            },
            do_rescale: true,
            rescale_factor: 1.0 / 255.0,
            do_normalize: true,
            image_mean: [0.481_454_66, 0.457_827_5, 0.408_210_73],
            image_std: [0.268_629_54, 0.261_302_6, 0.275_777_1],
            resample: 3,
        }
    }
}

impl Preprocess {
    /// Defaults sized for a model whose input side is `image_size`.
    pub fn for_size(image_size: usize) -> Self {
        Self {
            size: Size {
                shortest_edge: image_size,
            },
            crop_size: CropSize {
                height: image_size,
                width: image_size,
            },
            ..Self::default()
        }
    }

    /// Parses `preprocessor_config.json`.
    pub fn from_json(json: &str, path: &str) -> Result<Self> {
        let p: Self =
            serde_json::from_str(json).map_err(|e| ZippError::json(path.to_string(), &e))?;
        if p.resample != 3 {
            return Err(ZippError::InvalidModel {
                path: path.into(),
                message: format!("resample {} is not supported (3, bicubic, is)", p.resample),
            });
        }
        Ok(p)
    }

    /// The resized and cropped 8-bit image, before rescaling (what Pillow hands to NumPy).
    pub fn resize_and_crop(&self, img: &Rgb8) -> Rgb8 {
        let mut img = img.clone();
        if self.do_resize {
            let s = self.size.shortest_edge;
            let (w, h) = (img.width, img.height);
            let (nw, nh) = if w <= h {
                (s, s * h / w)
            } else {
                (s * w / h, s)
            };
            if (nw, nh) != (w, h) {
                img = Rgb8 {
                    width: nw,
                    height: nh,
                    pixels: resize_rgb8(&img.pixels, w, h, nw, nh),
                };
            }
        }
        if self.do_center_crop {
            img = center_crop(&img, self.crop_size.width, self.crop_size.height);
        }
        img
    }

    /// Channel-first floats `3 x H x W`, ready for the vision tower.
    pub fn pixel_values(&self, img: &Rgb8) -> (Vec<f32>, usize, usize) {
        let img = self.resize_and_crop(img);
        let (w, h) = (img.width, img.height);
        let mut out = vec![0f32; 3 * w * h];
        for c in 0..3 {
            for i in 0..w * h {
                let raw = img.pixels[i * 3 + c];
                let mut v = if self.do_rescale {
                    (f64::from(raw) * self.rescale_factor) as f32
                } else {
                    f32::from(raw)
                };
                if self.do_normalize {
                    v = (v - self.image_mean[c]) / self.image_std[c];
                }
                out[c * w * h + i] = v;
            }
        }
        (out, h, w)
    }

    /// The pixel values of several images side by side (`n x 3 x H x W`), with `H` and `W`.
    pub fn batch(&self, images: &[Rgb8]) -> (Vec<f32>, usize, usize) {
        let mut data = Vec::new();
        let (mut h, mut w) = (0, 0);
        for img in images {
            let (v, hh, ww) = self.pixel_values(img);
            (h, w) = (hh, ww);
            data.extend(v);
        }
        (data, h, w)
    }
}

/// transformers' center crop: offsets `(size - crop) / 2` rounded down, zero padding when the
/// image is smaller than the crop.
fn center_crop(img: &Rgb8, cw: usize, ch: usize) -> Rgb8 {
    let mut out = vec![0u8; cw * ch * 3];
    let offset = |size: usize, crop: usize| -> i64 {
        if size >= crop {
            ((size - crop) / 2) as i64
        } else {
            -(((crop - size) / 2) as i64)
        }
    };
    let (top, left) = (offset(img.height, ch), offset(img.width, cw));
    for y in 0..ch {
        let sy = y as i64 + top;
        if sy < 0 || sy >= img.height as i64 {
            continue;
        }
        for x in 0..cw {
            let sx = x as i64 + left;
            if sx < 0 || sx >= img.width as i64 {
                continue;
            }
            let s = (sy as usize * img.width + sx as usize) * 3;
            out[(y * cw + x) * 3..(y * cw + x) * 3 + 3].copy_from_slice(&img.pixels[s..s + 3]);
        }
    }
    Rgb8 {
        width: cw,
        height: ch,
        pixels: out,
    }
}

#[cfg(test)]
mod limit_tests {
    use super::*;

    /// An 8 x 8 gray-gradient image encoded as `format`.
    fn encoded(format: image::ImageFormat) -> Vec<u8> {
        let img = image::RgbImage::from_fn(8, 8, |x, y| {
            image::Rgb([(x * 30) as u8, (y * 30) as u8, 90])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn images_over_the_pixel_limit_are_refused_before_decoding() {
        for format in [image::ImageFormat::Png, image::ImageFormat::Jpeg] {
            let bytes = encoded(format);
            assert_eq!(Rgb8::decode_at_most(&bytes, "x", 64).unwrap().width, 8);
            let err = Rgb8::decode_at_most(&bytes, "small.img", 63).unwrap_err();
            assert_eq!(err.status(), crate::ZippStatus::InvalidInput);
            assert!(
                err.to_string()
                    .contains("8 x 8 pixels is over the limit of 63"),
                "{format:?}: {err}"
            );
        }
    }

    #[test]
    fn a_jpeg_header_declaring_a_huge_image_is_refused_at_once() {
        // Found by fuzzing (fuzz/fuzz_targets/image.rs): a 1.2 kB JPEG whose frame header
        // declares tens of thousands of pixels a side kept decoding and resizing for minutes.
        let mut bytes = encoded(image::ImageFormat::Jpeg);
        let sof = bytes
            .windows(2)
            .position(|w| w == [0xFF, 0xC0])
            .expect("a baseline frame header");
        // FFC0, length (2), precision (1), then height and width (2 each, big-endian).
        bytes[sof + 5..sof + 7].copy_from_slice(&30_000u16.to_be_bytes());
        bytes[sof + 7..sof + 9].copy_from_slice(&30_000u16.to_be_bytes());
        let t = std::time::Instant::now();
        let err = Rgb8::decode(&bytes, "bomb.jpg").unwrap_err();
        assert!(
            err.to_string()
                .contains("30000 x 30000 pixels is over the limit of 178956970"),
            "{err}"
        );
        assert!(t.elapsed() < std::time::Duration::from_secs(1));
    }
}
