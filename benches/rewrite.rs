//! Rewrite latency: a cached rewrite through the C ABI (options JSON in, rewrite and result JSON
//! out, strings freed), and the `rules` backend uncached through the C ABI and the Rust API, for
//! a persona with visual words and for one whose taste each rewrite infers.
//!
//! Run: `cargo bench --bench rewrite`

use std::ffi::{c_char, CString};
use std::hint::black_box;
use std::ptr;

use criterion::{criterion_group, criterion_main, Criterion};
use zipp::ffi::persona::{zipp_persona_free, zipp_persona_from_file, ZippPersona};
use zipp::ffi::rewriter::{
    zipp_rewriter_free, zipp_rewriter_new, zipp_rewriter_rewrite, ZippRewriter,
};
use zipp::ffi::strings::zipp_string_free;
use zipp::{Persona, Rewriter};

const PERSONA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/personas/priya-bengaluru.json"
);

/// One C-ABI rewrite with both outputs, freed afterwards, as a host calls it.
///
/// # Safety
/// Live handles and NUL-terminated strings.
unsafe fn c_rewrite(
    r: *const ZippRewriter,
    p: *const ZippPersona,
    prompt: &CString,
    options: &CString,
) {
    let (mut text, mut json): (*mut c_char, *mut c_char) = (ptr::null_mut(), ptr::null_mut());
    // SAFETY: forwarded contract.
    unsafe {
        let s = zipp_rewriter_rewrite(
            r,
            p,
            prompt.as_ptr(),
            options.as_ptr(),
            &mut text,
            &mut json,
        );
        assert_eq!(s as i32, 0);
        black_box((text, json));
        zipp_string_free(text);
        zipp_string_free(json);
    }
}

fn bench(c: &mut Criterion) {
    let path = CString::new(PERSONA).unwrap();
    let mut persona: *mut ZippPersona = ptr::null_mut();
    let mut rewriter: *mut ZippRewriter = ptr::null_mut();
    // SAFETY: valid strings and out-pointers.
    unsafe {
        assert_eq!(
            zipp_persona_from_file(path.as_ptr(), &mut persona) as i32,
            0
        );
        assert_eq!(
            zipp_rewriter_new(c"{\"backend\":\"rules\"}".as_ptr(), &mut rewriter) as i32,
            0
        );
    }
    let prompt = CString::new("a rainy street at night with a tea stall").unwrap();
    let cached = CString::new(r#"{"seed": 42, "negative_prompt": "blurry, watermark"}"#).unwrap();
    let uncached = CString::new(r#"{"seed": 42, "cache": false}"#).unwrap();

    // SAFETY: live handles.
    unsafe { c_rewrite(rewriter, persona, &prompt, &cached) };
    c.bench_function("c_abi/rewrite_cached", |b| {
        // SAFETY: live handles.
        b.iter(|| unsafe { c_rewrite(rewriter, persona, &prompt, &cached) })
    });
    c.bench_function("c_abi/rewrite_rules_uncached", |b| {
        // SAFETY: live handles.
        b.iter(|| unsafe { c_rewrite(rewriter, persona, &prompt, &uncached) })
    });

    let p = Persona::from_file(PERSONA).unwrap();
    let r = Rewriter::from_json(r#"{"backend":"rules"}"#).unwrap();
    let o = r
        .options_from_json(Some(r#"{"seed": 42, "cache": false}"#))
        .unwrap();
    c.bench_function("rust/rewrite_rules_uncached", |b| {
        b.iter(|| {
            black_box(
                r.rewrite(&p, "a rainy street at night with a tea stall", &o)
                    .unwrap(),
            )
        })
    });

    // A persona with no visual words: every rewrite infers its taste from who it is.
    let plain = Persona::from_text(
        "I'm a retired bus driver in Accra. I sing in my church choir, keep pigeons on the roof \
         and cook groundnut soup for my grandchildren every Sunday.",
    )
    .unwrap();
    c.bench_function("rust/rewrite_rules_uncached_taste_inferred", |b| {
        b.iter(|| {
            black_box(
                r.rewrite(&plain, "a portrait of my grandmother", &o)
                    .unwrap(),
            )
        })
    });

    // SAFETY: handles from above, freed once.
    unsafe {
        zipp_rewriter_free(rewriter);
        zipp_persona_free(persona);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
