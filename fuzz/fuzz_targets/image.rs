//! Image files (PNG, JPEG, WebP, sniffed) through CLIP preprocessing: decode, resize, crop,
//! normalize.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zipp::clip::preprocess::{Preprocess, Rgb8};

/// Four megapixels: larger images are refused from their header, as hosts taking images from
/// anyone would, so that each input decodes in well under a second.
const MAX_PIXELS: usize = 1 << 22;

fuzz_target!(|data: &[u8]| {
    let Ok(image) = Rgb8::decode_at_most(data, "fuzz", MAX_PIXELS) else {
        return;
    };
    // Small models' input size keeps the resize quick for any decoded size.
    let _ = Preprocess::for_size(8).pixel_values(&image);
});
