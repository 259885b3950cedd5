//! CLIP through the C ABI: buffer protocol, in-memory images with row padding, scores, and bad
//! arguments.

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::ptr;

use zipp::clip::{ClipModel, Rgb8};
use zipp::ffi::clip::*;
use zipp::ZippStatus;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clip")
}

fn c(s: impl AsRef<str>) -> CString {
    CString::new(s.as_ref()).unwrap()
}

#[test]
fn embeddings_and_scores_through_the_c_abi() {
    let folder = c(fixtures().join("tiny-quick").to_str().unwrap());
    let rust = ClipModel::load(fixtures().join("tiny-quick")).unwrap();
    let image = fixtures().join("images/rgb.png");
    let image_c = c(image.to_str().unwrap());
    let mut clip: *mut ZippClip = ptr::null_mut();
    // SAFETY: valid pointers and lengths throughout; the handle is freed once.
    unsafe {
        assert_eq!(zipp_clip_load(folder.as_ptr(), &mut clip), ZippStatus::Ok);
        assert_eq!(zipp_clip_dim(clip), 16);
        assert_eq!(zipp_clip_dim(ptr::null()), 0);

        let text = c("a photo of a cat");
        let mut len = 0usize;
        assert_eq!(
            zipp_clip_embed_text(clip, text.as_ptr(), ptr::null_mut(), 0, &mut len),
            ZippStatus::BufferTooSmall
        );
        assert_eq!(len, 16);
        let mut small = [0f32; 8];
        assert_eq!(
            zipp_clip_embed_text(clip, text.as_ptr(), small.as_mut_ptr(), 8, &mut len),
            ZippStatus::BufferTooSmall
        );
        assert_eq!(small, [0.0; 8], "nothing written on failure");
        let mut buf = [0f32; 20];
        assert_eq!(
            zipp_clip_embed_text(clip, text.as_ptr(), buf.as_mut_ptr(), 20, &mut len),
            ZippStatus::Ok
        );
        assert_eq!(
            &buf[..16],
            rust.embed_texts(&["a photo of a cat"]).unwrap()[0].as_slice()
        );

        let mut from_file = [0f32; 16];
        assert_eq!(
            zipp_clip_embed_image_file(
                clip,
                image_c.as_ptr(),
                from_file.as_mut_ptr(),
                16,
                ptr::null_mut()
            ),
            ZippStatus::Ok
        );
        // The same pixels from memory, rows padded to a stride of width * 3 + 5 bytes.
        let img = Rgb8::open(&image).unwrap();
        let stride = img.width * 3 + 5;
        let mut padded = vec![0xAAu8; img.height * stride];
        for y in 0..img.height {
            padded[y * stride..y * stride + img.width * 3]
                .copy_from_slice(&img.pixels[y * img.width * 3..(y + 1) * img.width * 3]);
        }
        let mut from_memory = [0f32; 16];
        let status = zipp_clip_embed_image_rgb8(
            clip,
            padded.as_ptr(),
            img.width as u32,
            img.height as u32,
            stride,
            from_memory.as_mut_ptr(),
            16,
            ptr::null_mut(),
        );
        assert_eq!(status, ZippStatus::Ok);
        assert_eq!(from_file, from_memory);
        assert_eq!(
            zipp_clip_embed_image_rgb8(
                clip,
                padded.as_ptr(),
                10,
                10,
                20,
                from_memory.as_mut_ptr(),
                16,
                ptr::null_mut()
            ),
            ZippStatus::InvalidOptions
        );

        let (mut score, mut cos) = (f64::NAN, f64::NAN);
        assert_eq!(
            zipp_clip_score_text(clip, image_c.as_ptr(), text.as_ptr(), &mut score, &mut cos),
            ZippStatus::Ok
        );
        let want: f64 = from_file
            .iter()
            .zip(&buf)
            .map(|(a, b)| f64::from(*a) * f64::from(*b))
            .sum();
        assert!((cos - want).abs() < 1e-9 && (score - 2.5 * want.max(0.0)).abs() < 1e-9);

        let refs = [
            c(fixtures().join("images/rgb.png").to_str().unwrap()),
            c(fixtures().join("images/gray.png").to_str().unwrap()),
        ];
        let ptrs: Vec<*const std::ffi::c_char> = refs.iter().map(|r| r.as_ptr()).collect();
        let (mut max, mut mean) = (0.0, 0.0);
        assert_eq!(
            zipp_clip_score_images(
                clip,
                image_c.as_ptr(),
                ptrs.as_ptr(),
                2,
                &mut max,
                &mut mean
            ),
            ZippStatus::Ok
        );
        assert!(
            (max - 1.0).abs() < 1e-5,
            "the image itself is a reference: {max}"
        );
        assert!(mean < max);
        assert_eq!(
            zipp_clip_score_images(
                clip,
                image_c.as_ptr(),
                ptrs.as_ptr(),
                0,
                &mut max,
                &mut mean
            ),
            ZippStatus::InvalidOptions
        );

        let bad_utf8 = [0xffu8, 0xfe, 0];
        assert_eq!(
            zipp_clip_embed_text(
                clip,
                bad_utf8.as_ptr().cast(),
                buf.as_mut_ptr(),
                20,
                &mut len
            ),
            ZippStatus::InvalidUtf8
        );
        assert_eq!(
            zipp_clip_embed_text(ptr::null(), text.as_ptr(), buf.as_mut_ptr(), 20, &mut len),
            ZippStatus::NullPointer
        );
        let missing = c("/no/such.png");
        assert_eq!(
            zipp_clip_embed_image_file(clip, missing.as_ptr(), buf.as_mut_ptr(), 20, &mut len),
            ZippStatus::Io
        );
        zipp_clip_free(clip);
        zipp_clip_free(ptr::null_mut());

        let nowhere = c("/no/such/folder");
        let mut none: *mut ZippClip = ptr::null_mut();
        assert_eq!(zipp_clip_load(nowhere.as_ptr(), &mut none), ZippStatus::Io);
        assert!(none.is_null());
    }
}
