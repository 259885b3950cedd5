//! Drives every exported C function through the built shared library (loaded with libloading),
//! including every bad input: NULL, invalid UTF-8, oversized input, malformed JSON, missing files,
//! a dead server. Outputs must stay untouched on failure.

mod support;

use std::ffi::{c_char, c_void, CStr, CString};
use std::ptr;
use std::sync::Mutex;

use libloading::{Library, Symbol};

type Status = i32;
type Handle = c_void;

const OK: Status = 0;
const NULL_POINTER: Status = 2;
const INVALID_UTF8: Status = 3;
const INVALID_JSON: Status = 4;
const TOO_LARGE: Status = 5;
const IO: Status = 6;
const INVALID_PERSONA: Status = 7;
const INVALID_CONFIG: Status = 8;
const INVALID_OPTIONS: Status = 9;
const CONNECTION: Status = 10;

struct Lib(Library);

impl Lib {
    fn load() -> Self {
        // No default model for these tests: a rewriter with no backend named is `rules`.
        static NO_MODEL: std::sync::Once = std::sync::Once::new();
        NO_MODEL.call_once(|| {
            std::env::set_var(
                "ZIPP_CACHE_DIR",
                concat!(env!("CARGO_TARGET_TMPDIR"), "/no-model-cache"),
            );
            std::env::remove_var("ZIPP_MODEL");
        });
        // SAFETY: loading our own library; its initializers are Rust's and have no side effects.
        Lib(unsafe { Library::new(support::library_path()) }.expect("load libzipp"))
    }
    fn sym<T>(&self, name: &str) -> Symbol<'_, T> {
        // SAFETY: each call site names the C prototype from include/zipp.h.
        unsafe { self.0.get(name.as_bytes()) }.unwrap_or_else(|e| panic!("{name}: {e}"))
    }
    fn last_error(&self) -> String {
        let f: Symbol<unsafe extern "C" fn() -> *const c_char> = self.sym("zipp_last_error");
        // SAFETY: never NULL, NUL-terminated, valid until the next failing call on this thread.
        unsafe { CStr::from_ptr(f()) }
            .to_string_lossy()
            .into_owned()
    }
    fn take_string(&self, s: *mut c_char) -> String {
        assert!(!s.is_null());
        // SAFETY: a string the library returned.
        let out = unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned();
        let free: Symbol<unsafe extern "C" fn(*mut c_char)> = self.sym("zipp_string_free");
        // SAFETY: returned by the library, freed once.
        unsafe { free(s) };
        out
    }
    /// Calls a persona constructor with `arg`; returns the status and the handle.
    fn persona(&self, ctor: &str, arg: *const c_char) -> (Status, *mut Handle) {
        let f: Symbol<unsafe extern "C" fn(*const c_char, *mut *mut Handle) -> Status> =
            self.sym(ctor);
        let mut out: *mut Handle = ptr::null_mut();
        // SAFETY: prototype from the header.
        let s = unsafe { f(arg, &mut out) };
        (s, out)
    }
    fn persona_free(&self, p: *mut Handle) {
        let f: Symbol<unsafe extern "C" fn(*mut Handle)> = self.sym("zipp_persona_free");
        // SAFETY: a live handle or NULL.
        unsafe { f(p) };
    }
    fn rewriter(&self, config: Option<&str>) -> (Status, *mut Handle) {
        let f: Symbol<unsafe extern "C" fn(*const c_char, *mut *mut Handle) -> Status> =
            self.sym("zipp_rewriter_new");
        let c = config.map(|c| CString::new(c).unwrap());
        let mut out: *mut Handle = ptr::null_mut();
        // SAFETY: prototype from the header.
        let s = unsafe { f(c.as_ref().map_or(ptr::null(), |c| c.as_ptr()), &mut out) };
        (s, out)
    }
    fn rewriter_free(&self, r: *mut Handle) {
        let f: Symbol<unsafe extern "C" fn(*mut Handle)> = self.sym("zipp_rewriter_free");
        // SAFETY: a live handle or NULL.
        unsafe { f(r) };
    }
    /// Rewrites; returns (status, rewrite, result JSON).
    fn rewrite(
        &self,
        r: *const Handle,
        p: *const Handle,
        prompt: *const c_char,
        options: *const c_char,
    ) -> (Status, Option<String>, Option<String>) {
        type F = unsafe extern "C" fn(
            *const Handle,
            *const Handle,
            *const c_char,
            *const c_char,
            *mut *mut c_char,
            *mut *mut c_char,
        ) -> Status;
        let f: Symbol<F> = self.sym("zipp_rewriter_rewrite");
        let sentinel = 0x1 as *mut c_char;
        let (mut text, mut json) = (sentinel, sentinel);
        // SAFETY: prototype from the header.
        let s = unsafe { f(r, p, prompt, options, &mut text, &mut json) };
        if s != OK {
            assert_eq!(
                (text, json),
                (sentinel, sentinel),
                "outputs must be untouched on failure"
            );
            return (s, None, None);
        }
        (
            s,
            Some(self.take_string(text)),
            Some(self.take_string(json)),
        )
    }
}

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

fn kenji(lib: &Lib) -> *mut Handle {
    let path = c(support::repo("examples/personas/kenji-osaka.json")
        .to_str()
        .unwrap());
    let (s, p) = lib.persona("zipp_persona_from_file", path.as_ptr());
    assert_eq!(s, OK, "{}", lib.last_error());
    p
}

#[test]
fn versions_and_status_names() {
    let lib = Lib::load();
    let version: Symbol<unsafe extern "C" fn() -> *const c_char> = lib.sym("zipp_version");
    let abi: Symbol<unsafe extern "C" fn() -> u32> = lib.sym("zipp_abi_version");
    let name: Symbol<unsafe extern "C" fn(i32) -> *const c_char> = lib.sym("zipp_status_name");
    let describe: Symbol<unsafe extern "C" fn(i32) -> *const c_char> =
        lib.sym("zipp_status_describe");
    // SAFETY: prototypes from the header; static strings.
    unsafe {
        assert_eq!(
            CStr::from_ptr(version()).to_str().unwrap(),
            env!("CARGO_PKG_VERSION")
        );
        assert_eq!(abi() >> 16, 1);
        assert_eq!(
            CStr::from_ptr(name(4)).to_str().unwrap(),
            "ZIPP_STATUS_INVALID_JSON"
        );
        assert_eq!(
            CStr::from_ptr(name(999)).to_str().unwrap(),
            "ZIPP_STATUS_UNKNOWN"
        );
        assert_eq!(
            CStr::from_ptr(describe(10)).to_str().unwrap(),
            "connection failed"
        );
        assert_eq!(
            CStr::from_ptr(describe(-1)).to_str().unwrap(),
            "unknown status"
        );
    }
}

#[test]
fn persona_round_trip() {
    let lib = Lib::load();
    let p = kenji(&lib);
    let to_json: Symbol<unsafe extern "C" fn(*const Handle, *mut *mut c_char) -> Status> =
        lib.sym("zipp_persona_to_json");
    let hash: Symbol<unsafe extern "C" fn(*const Handle, *mut *mut c_char) -> Status> =
        lib.sym("zipp_persona_hash");
    let mut out = ptr::null_mut();
    // SAFETY: live handle, valid out-pointer.
    assert_eq!(unsafe { to_json(p, &mut out) }, OK);
    let json = lib.take_string(out);
    assert!(json.contains("\"id\": \"kenji-osaka\""));
    // SAFETY: as above.
    assert_eq!(unsafe { hash(p, &mut out) }, OK);
    let h1 = lib.take_string(out);
    assert_eq!(h1.len(), 64);

    let again = c(&json);
    let (s, p2) = lib.persona("zipp_persona_from_json", again.as_ptr());
    assert_eq!(s, OK);
    // SAFETY: as above.
    assert_eq!(unsafe { hash(p2, &mut out) }, OK);
    assert_eq!(lib.take_string(out), h1, "a JSON round trip keeps the hash");

    // SAFETY: NULL handle and NULL out are errors, not crashes.
    unsafe {
        assert_eq!(to_json(ptr::null(), &mut out), NULL_POINTER);
        assert_eq!(lib.last_error(), "argument `persona` is NULL");
        assert_eq!(to_json(p, ptr::null_mut()), NULL_POINTER);
        assert_eq!(lib.last_error(), "argument `out_json` is NULL");
        assert_eq!(hash(p, ptr::null_mut()), NULL_POINTER);
    }
    lib.persona_free(p);
    lib.persona_free(p2);
    lib.persona_free(ptr::null_mut());
}

#[test]
fn persona_from_text_and_survey() {
    let lib = Lib::load();
    let text = c("I'm a tea farmer in Darjeeling.");
    let (s, p) = lib.persona("zipp_persona_from_text", text.as_ptr());
    assert_eq!(s, OK);
    lib.persona_free(p);
    let survey = c(
        r#"{"name":"Ngozi","age_band":"45-54","country":"Nigeria","profession":"midwife","hobbies":["highlife music"]}"#,
    );
    let (s, p) = lib.persona("zipp_persona_from_survey", survey.as_ptr());
    assert_eq!(s, OK, "{}", lib.last_error());
    lib.persona_free(p);
    let bad = c(r#"{"age_band":"forty"}"#);
    let (s, _) = lib.persona("zipp_persona_from_survey", bad.as_ptr());
    assert_eq!(s, INVALID_PERSONA);
    assert_eq!(
        lib.last_error(),
        "invalid persona: survey.age_band: \"forty\" is not one of under-18, 18-24, 25-34, 35-44, 45-54, 55-64, 65+"
    );
}

#[test]
fn persona_bad_inputs() {
    let lib = Lib::load();
    let cases: Vec<(&str, Vec<u8>, Status, String)> = vec![
        ("zipp_persona_from_json", b"{\"schema\": \"zipp.persona/v1\", ".to_vec(), INVALID_JSON,
            "persona: malformed JSON at line 1, column 30: EOF while parsing a value".into()),
        ("zipp_persona_from_json", br#"{"schema":"zipp.persona/v1","text":"I fish.","traits":{"interests":["sea",2]}}"#.to_vec(),
            INVALID_PERSONA, "invalid persona: traits.interests[1]: expected a string, found a number".into()),
        ("zipp_persona_from_text", b"\xff\xfeI fish".to_vec(), INVALID_UTF8,
            "argument `text` is not valid UTF-8 (first bad byte at offset 0)".into()),
        ("zipp_persona_from_text", vec![b'a'; 16 * 1024 + 1], TOO_LARGE,
            "persona text is 16385 bytes, over the limit of 16384 bytes".into()),
        ("zipp_persona_from_json", format!("{{\"text\":\"{}\"}}", "a".repeat(256 * 1024)).into_bytes(), TOO_LARGE,
            "persona document is 262155 bytes, over the limit of 262144 bytes".into()),
        ("zipp_persona_from_file", b"/nonexistent/persona.json".to_vec(), IO,
            "/nonexistent/persona.json: No such file or directory (os error 2)".into()),
        ("zipp_persona_from_survey", b"[]".to_vec(), INVALID_PERSONA,
            "invalid persona: survey: expected a JSON object of answers".into()),
        ("zipp_persona_from_survey", b"{\"age\": 3}".to_vec(), INVALID_PERSONA,
            "invalid persona: survey: unknown field `age`, expected one of `name`, `age_band`, `gender`, `country`, `region`, `language`, `profession`, `hobbies`, `notes`".into()),
    ];
    for (ctor, input, status, message) in cases {
        let arg = CString::new(input).unwrap();
        let (s, p) = lib.persona(ctor, arg.as_ptr());
        assert_eq!((s, lib.last_error()), (status, message), "{ctor}");
        assert!(p.is_null(), "{ctor}: out must stay NULL");
    }
    for ctor in [
        "zipp_persona_from_file",
        "zipp_persona_from_json",
        "zipp_persona_from_text",
        "zipp_persona_from_survey",
    ] {
        let (s, _) = lib.persona(ctor, ptr::null());
        assert_eq!(s, NULL_POINTER, "{ctor}");
        assert!(lib.last_error().starts_with("argument `"), "{ctor}");
        let f: Symbol<unsafe extern "C" fn(*const c_char, *mut *mut Handle) -> Status> =
            lib.sym(ctor);
        let text = c("I fish.");
        // SAFETY: NULL out-pointer is an error, not a crash.
        assert_eq!(unsafe { f(text.as_ptr(), ptr::null_mut()) }, NULL_POINTER);
        assert_eq!(lib.last_error(), "argument `out` is NULL");
    }
}

#[test]
fn rewriter_config_errors() {
    let lib = Lib::load();
    for (config, status, message) in [
        ("{\"backend\": ", INVALID_JSON, "rewriter config: malformed JSON at line 1, column 12: EOF while parsing a value"),
        (r#"{"backend":"gpt"}"#, INVALID_CONFIG, "invalid config: backend: unknown variant `gpt`, expected one of `rules`, `openai`, `gguf`"),
        (r#"{"backend":"openai"}"#, INVALID_CONFIG, "invalid config: model: required for the openai backend (the name the server knows the model by)"),
        (r#"{"backend":"openai","model":"m","base_url":"localhost"}"#, INVALID_CONFIG, "invalid config: base_url: \"localhost\" must start with http:// or https://"),
        (r#"{"cache_capacity":-1}"#, INVALID_CONFIG, "invalid config: cache_capacity: expected an integer from 0 to 1000000, found -1"),
    ] {
        let (s, r) = lib.rewriter(Some(config));
        assert_eq!((s, lib.last_error().as_str()), (status, message), "{config}");
        assert!(r.is_null());
    }
    let f: Symbol<unsafe extern "C" fn(*const c_char, *mut *mut Handle) -> Status> =
        lib.sym("zipp_rewriter_new");
    // SAFETY: NULL out-pointer is an error, not a crash.
    assert_eq!(unsafe { f(ptr::null(), ptr::null_mut()) }, NULL_POINTER);
    let bad = CString::new(b"{\"model\": \"\xff\"}".to_vec()).unwrap();
    let mut out = ptr::null_mut();
    // SAFETY: prototype from the header.
    assert_eq!(unsafe { f(bad.as_ptr(), &mut out) }, INVALID_UTF8);
    assert_eq!(
        lib.last_error(),
        "argument `config_json` is not valid UTF-8 (first bad byte at offset 11)"
    );
}

#[test]
fn rewrite_with_rules_and_the_cache() {
    let lib = Lib::load();
    let p = kenji(&lib);
    let (s, r) = lib.rewriter(None);
    assert_eq!(s, OK);
    let prompt = c("portrait of my grandmother");
    let options = c(r#"{"seed": 3, "negative_prompt": "blurry"}"#);
    let (s, text, json) = lib.rewrite(r, p, prompt.as_ptr(), options.as_ptr());
    assert_eq!(s, OK, "{}", lib.last_error());
    let text = text.unwrap();
    assert!(text.starts_with("portrait of my grandmother, "), "{text}");
    let record: serde_json::Value = serde_json::from_str(&json.unwrap()).unwrap();
    assert_eq!(record["rewrite"], text.as_str());
    assert_eq!(record["negative_prompt"], "blurry");
    assert_eq!(record["backend"], "rules");
    assert_eq!(record["persona_id"], "kenji-osaka");
    assert_eq!(record["cache_hit"], false);
    let (_, again, json) = lib.rewrite(r, p, prompt.as_ptr(), options.as_ptr());
    assert_eq!(again.unwrap(), text);
    assert!(json.unwrap().contains("\"cache_hit\":true"));

    let clear: Symbol<unsafe extern "C" fn(*const Handle) -> Status> =
        lib.sym("zipp_rewriter_clear_cache");
    // SAFETY: live handle, then NULL.
    unsafe {
        assert_eq!(clear(r), OK);
        assert_eq!(clear(ptr::null()), NULL_POINTER);
    }
    let (_, _, json) = lib.rewrite(r, p, prompt.as_ptr(), options.as_ptr());
    assert!(json.unwrap().contains("\"cache_hit\":false"));

    // Only one output wanted.
    type F = unsafe extern "C" fn(
        *const Handle,
        *const Handle,
        *const c_char,
        *const c_char,
        *mut *mut c_char,
        *mut *mut c_char,
    ) -> Status;
    let f: Symbol<F> = lib.sym("zipp_rewriter_rewrite");
    let mut only = ptr::null_mut();
    // SAFETY: prototype from the header.
    unsafe {
        assert_eq!(
            f(
                r,
                p,
                prompt.as_ptr(),
                ptr::null(),
                &mut only,
                ptr::null_mut()
            ),
            OK
        );
        lib.take_string(only);
        assert_eq!(
            f(
                r,
                p,
                prompt.as_ptr(),
                ptr::null(),
                ptr::null_mut(),
                ptr::null_mut()
            ),
            NULL_POINTER
        );
    }
    assert_eq!(
        lib.last_error(),
        "argument `out_rewrite and out_result_json` is NULL"
    );
    lib.rewriter_free(r);
    lib.rewriter_free(ptr::null_mut());
    lib.persona_free(p);
}

#[test]
fn rewrite_bad_inputs() {
    let lib = Lib::load();
    let p = kenji(&lib);
    let (_, r) = lib.rewriter(Some(r#"{"backend":"rules"}"#));
    let prompt = c("a cat");
    let long = c(&"a".repeat(16 * 1024 + 1));
    let bad_utf8 = CString::new(b"a \xc3\x28 cat".to_vec()).unwrap();
    type Case<'a> = (
        *const Handle,
        *const Handle,
        *const c_char,
        Option<&'a str>,
        Status,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (ptr::null(), p, prompt.as_ptr(), None, NULL_POINTER, "argument `rewriter` is NULL"),
        (r, ptr::null(), prompt.as_ptr(), None, NULL_POINTER, "argument `persona` is NULL"),
        (r, p, ptr::null(), None, NULL_POINTER, "argument `prompt` is NULL"),
        (r, p, bad_utf8.as_ptr(), None, INVALID_UTF8, "argument `prompt` is not valid UTF-8 (first bad byte at offset 2)"),
        (r, p, long.as_ptr(), None, TOO_LARGE, "prompt is 16385 bytes, over the limit of 16384 bytes"),
        (r, p, c("  ").into_raw(), None, INVALID_OPTIONS, "invalid options: prompt: must not be empty"),
        (r, p, prompt.as_ptr(), Some("{\"seed\": "), INVALID_JSON, "options: malformed JSON at line 1, column 8: EOF while parsing a value"),
        (r, p, prompt.as_ptr(), Some(r#"{"k": 9}"#), INVALID_OPTIONS, "invalid options: k: 9 is over the limit of 8"),
        (r, p, prompt.as_ptr(), Some(r#"{"sede": 1}"#), INVALID_OPTIONS,
            "invalid options: options: unknown field `sede`, expected one of `method`, `seed`, `temperature`, `top_p`, `top_k`, `min_p`, `repeat_penalty`, `max_new_tokens`, `k`, `word_budget`, `taste_clauses`, `negative_prompt`, `on_error`, `examples`, `cache`"),
        (r, p, prompt.as_ptr(), Some(r#"{"temperature": 3}"#), INVALID_OPTIONS, "invalid options: temperature: 3 is outside [0, 2]"),
    ];
    for (rw, pe, pr, options, status, message) in cases {
        let o = options.map(c);
        let (s, _, _) = lib.rewrite(rw, pe, pr, o.as_ref().map_or(ptr::null(), |o| o.as_ptr()));
        assert_eq!((s, lib.last_error().as_str()), (status, message));
    }
    lib.rewriter_free(r);
    lib.persona_free(p);
}

#[test]
fn a_dead_server_fails_or_passes_through() {
    let lib = Lib::load();
    let p = kenji(&lib);
    let url = support::refused_url();
    let (s, r) = lib.rewriter(Some(&format!(
        r#"{{"backend":"openai","model":"m","base_url":"{url}"}}"#
    )));
    assert_eq!(s, OK);
    let prompt = c("a cat");
    let (s, _, _) = lib.rewrite(r, p, prompt.as_ptr(), ptr::null());
    assert_eq!(s, CONNECTION);
    assert_eq!(
        lib.last_error(),
        format!(
            "cannot connect to {url}/chat/completions: connection refused; is the server running?"
        )
    );
    let pass = c(r#"{"on_error": "passthrough"}"#);
    let (s, text, json) = lib.rewrite(r, p, prompt.as_ptr(), pass.as_ptr());
    assert_eq!(s, OK);
    assert_eq!(text.unwrap(), "a cat");
    let record: serde_json::Value = serde_json::from_str(&json.unwrap()).unwrap();
    assert_eq!(record["error"]["status"], "ZIPP_STATUS_CONNECTION");
    lib.rewriter_free(r);
    lib.persona_free(p);
}

static LOGGED: Mutex<Vec<(i32, String)>> = Mutex::new(Vec::new());

unsafe extern "C" fn on_log(
    level: i32,
    _target: *const c_char,
    message: *const c_char,
    user_data: *mut c_void,
) {
    assert_eq!(user_data as usize, 0xfeed);
    // SAFETY: valid for the call.
    let m = unsafe { CStr::from_ptr(message) }
        .to_string_lossy()
        .into_owned();
    LOGGED.lock().unwrap().push((level, m));
}

#[test]
fn log_records_reach_the_callback() {
    let lib = Lib::load();
    type SetLog = unsafe extern "C" fn(
        Option<unsafe extern "C" fn(i32, *const c_char, *const c_char, *mut c_void)>,
        *mut c_void,
        i32,
    ) -> Status;
    let set: Symbol<SetLog> = lib.sym("zipp_log_set");
    // SAFETY: prototype from the header; the callback is a static function.
    assert_eq!(unsafe { set(Some(on_log), 0xfeed as *mut c_void, 2) }, OK);
    let p = kenji(&lib);
    let url = support::refused_url();
    let (_, r) = lib.rewriter(Some(&format!(
        r#"{{"backend":"openai","model":"m","base_url":"{url}"}}"#
    )));
    let prompt = c("a heron");
    let pass = c(r#"{"on_error": "passthrough"}"#);
    assert_eq!(lib.rewrite(r, p, prompt.as_ptr(), pass.as_ptr()).0, OK);
    let logged = LOGGED.lock().unwrap().clone();
    assert!(
        logged.iter().any(|(level, m)| *level == 2
            && m.starts_with("rewrite failed, passing the prompt through: cannot connect")),
        "{logged:?}"
    );
    // SAFETY: as above.
    unsafe {
        assert_eq!(set(None, ptr::null_mut(), 9), INVALID_OPTIONS);
        assert_eq!(set(None, ptr::null_mut(), 2), OK);
    }
    assert_eq!(
        lib.last_error(),
        "invalid options: max_level: 9 is not a ZIPP_LOG_* level (0 to 5)"
    );
    lib.rewriter_free(r);
    lib.persona_free(p);
}

#[test]
fn handles_are_shared_between_threads() {
    let lib = Lib::load();
    let p = kenji(&lib) as usize;
    let (_, r) = lib.rewriter(None);
    let r = r as usize;
    std::thread::scope(|s| {
        for t in 0..4 {
            let lib = &lib;
            s.spawn(move || {
                for i in 0..50 {
                    let prompt = c(&format!("a lantern number {}", i % 5));
                    let options = c(&format!(r#"{{"seed": {t}}}"#));
                    let (st, text, _) = lib.rewrite(
                        r as *const Handle,
                        p as *const Handle,
                        prompt.as_ptr(),
                        options.as_ptr(),
                    );
                    assert_eq!(st, OK);
                    assert!(text.unwrap().starts_with("a lantern number"));
                }
            });
        }
    });
    lib.rewriter_free(r as *mut Handle);
    lib.persona_free(p as *mut Handle);
}
