//! Streaming, cancel from another thread and unloading through the C ABI, on the real default
//! model.

mod models;
mod support;

use std::ffi::{c_char, c_void, CStr, CString};
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use libloading::{Library, Symbol};

type Handle = c_void;
type Status = i32;
const OK: Status = 0;
const CANCELLED: Status = 18;

/// What the callback sees.
struct Sink {
    text: Mutex<String>,
    pieces: AtomicUsize,
    first: AtomicBool,
}

unsafe extern "C" fn on_token(piece: *const c_char, user_data: *mut c_void) -> bool {
    // SAFETY: user_data is the &Sink passed below; piece is a NUL-terminated string.
    let sink = unsafe { &*(user_data as *const Sink) };
    let piece = unsafe { CStr::from_ptr(piece) }.to_string_lossy();
    sink.text.lock().unwrap().push_str(&piece);
    sink.pieces.fetch_add(1, Ordering::SeqCst);
    sink.first.store(true, Ordering::SeqCst);
    true
}

type StreamFn = unsafe extern "C" fn(
    *const Handle,
    *const Handle,
    *const c_char,
    *const c_char,
    Option<unsafe extern "C" fn(*const c_char, *mut c_void) -> bool>,
    *mut c_void,
    *mut *mut c_char,
    *mut *mut c_char,
) -> Status;

#[test]
fn stream_cancel_and_unload_through_the_c_abi() {
    models::pin_threads();
    let Some(model) = models::find(models::QWEN) else {
        return;
    };
    // SAFETY: our own library.
    let lib = unsafe { Library::new(support::library_path()) }.unwrap();
    // SAFETY (all symbol lookups and calls below): prototypes from include/zipp.h.
    unsafe {
        let persona_from_file: Symbol<
            unsafe extern "C" fn(*const c_char, *mut *mut Handle) -> Status,
        > = lib.get(b"zipp_persona_from_file").unwrap();
        let rewriter_new: Symbol<unsafe extern "C" fn(*const c_char, *mut *mut Handle) -> Status> =
            lib.get(b"zipp_rewriter_new").unwrap();
        let stream: Symbol<StreamFn> = lib.get(b"zipp_rewriter_rewrite_stream").unwrap();
        let cancel: Symbol<unsafe extern "C" fn(*const Handle) -> Status> =
            lib.get(b"zipp_rewriter_cancel").unwrap();
        let unload_all: Symbol<unsafe extern "C" fn(*mut u32) -> Status> =
            lib.get(b"zipp_models_unload_all").unwrap();
        let string_free: Symbol<unsafe extern "C" fn(*mut c_char)> =
            lib.get(b"zipp_string_free").unwrap();

        let path = CString::new(
            support::repo("examples/personas/kenji-osaka.json")
                .to_str()
                .unwrap(),
        )
        .unwrap();
        let mut persona = ptr::null_mut();
        assert_eq!(persona_from_file(path.as_ptr(), &mut persona), OK);
        let config = CString::new(
            serde_json::json!({"backend": "gguf", "model_path": model, "context_length": 2048, "cache_capacity": 0})
                .to_string(),
        )
        .unwrap();
        let mut rewriter = ptr::null_mut();
        assert_eq!(rewriter_new(config.as_ptr(), &mut rewriter), OK);
        let prompt = CString::new("a bowl of ramen").unwrap();
        let options = CString::new(r#"{"seed": 2, "max_new_tokens": 60}"#).unwrap();

        // Streaming: the pieces are the model's text as it comes.
        let sink = Sink {
            text: Mutex::new(String::new()),
            pieces: AtomicUsize::new(0),
            first: AtomicBool::new(false),
        };
        let (mut text, mut record) = (ptr::null_mut(), ptr::null_mut());
        let s = stream(
            rewriter,
            persona,
            prompt.as_ptr(),
            options.as_ptr(),
            Some(on_token),
            &sink as *const Sink as *mut c_void,
            &mut text,
            &mut record,
        );
        assert_eq!(s, OK);
        let rewrite = CStr::from_ptr(text).to_string_lossy().into_owned();
        assert!(sink.pieces.load(Ordering::SeqCst) > 3);
        assert!(rewrite.contains("ramen"), "{rewrite}");
        assert!(!sink.text.lock().unwrap().is_empty());
        string_free(text);
        string_free(record);

        // Cancel from another thread once the first piece has arrived.
        let sink = Sink {
            text: Mutex::new(String::new()),
            pieces: AtomicUsize::new(0),
            first: AtomicBool::new(false),
        };
        let long = CString::new(r#"{"seed": 3, "max_new_tokens": 400}"#).unwrap();
        let (r_addr, sink_addr) = (rewriter as usize, &sink as *const Sink as usize);
        let status = std::thread::scope(|sc| {
            sc.spawn(|| {
                while !sink.first.load(Ordering::SeqCst) {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
                assert_eq!(cancel(r_addr as *const Handle), OK);
            });
            let (mut t, mut r) = (ptr::null_mut(), ptr::null_mut());
            stream(
                r_addr as *const Handle,
                persona,
                prompt.as_ptr(),
                long.as_ptr(),
                Some(on_token),
                sink_addr as *mut c_void,
                &mut t,
                &mut r,
            )
        });
        assert_eq!(status, CANCELLED);
        assert!(
            sink.pieces.load(Ordering::SeqCst) < 30,
            "cancel took effect late"
        );

        // The model's memory goes back; the next call loads it again.
        let mut n = 0u32;
        assert_eq!(unload_all(&mut n), OK);
        assert!(n >= 1);
        let (mut text, mut record) = (ptr::null_mut(), ptr::null_mut());
        let s = stream(
            rewriter,
            persona,
            prompt.as_ptr(),
            options.as_ptr(),
            None,
            ptr::null_mut(),
            &mut text,
            &mut record,
        );
        assert_eq!(s, OK);
        string_free(text);
        string_free(record);
        let rewriter_free: Symbol<unsafe extern "C" fn(*mut Handle)> =
            lib.get(b"zipp_rewriter_free").unwrap();
        let persona_free: Symbol<unsafe extern "C" fn(*mut Handle)> =
            lib.get(b"zipp_persona_free").unwrap();
        rewriter_free(rewriter);
        persona_free(persona);
    }
}
