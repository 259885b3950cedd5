//! Image files (PNG, JPEG, WebP, sniffed) through CLIP preprocessing: decode, resize, crop,
//! normalize.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zipp::clip::preprocess::{Preprocess, Rgb8};

fuzz_target!(|data: &[u8]| {
    let Ok(image) = Rgb8::decode(data, "fuzz") else {
        return;
    };
    // Small models' input size keeps the resize quick for any decoded size.
    let _ = Preprocess::for_size(8).pixel_values(&image);
});
