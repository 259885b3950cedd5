//! The `openai` backend against servers that misbehave on real loopback sockets: each fault
//! ends with its own status, on time (a 1.5 s deadline ends within 3 s), and with
//! `on_error: passthrough` the original prompt comes back with that status attached. Cancel
//! stops a call blocked on a silent server within 200 ms.

mod support;

use std::ffi::{c_char, CString};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use support::{
    cut_off, headers_then_silence, huge, refused_url, silence, status, too_many, trickle,
    trickle_body, FakeServer, Reply,
};
use zipp::{OnError, Persona, RewriteOptions, RewriteResult, Rewriter, ZippError, ZippStatus};

const PROMPT: &str = "a cat on a windowsill";
/// The deadline every fault test runs under, and the time each must end within.
const DEADLINE_MS: u64 = 1500;
const WITHIN: Duration = Duration::from_secs(3);

fn persona() -> Persona {
    Persona::from_file(support::repo("examples/personas/kenji-osaka.json"))
        .expect("example persona loads")
}

fn config(url: &str, extra: &str) -> String {
    format!(
        r#"{{"backend":"openai","base_url":"{url}","model":"test-model","api_key":"sk-test",
            "retry_backoff_ms":10,"timeout_ms":{DEADLINE_MS}{extra}}}"#
    )
}

fn options(on_error: OnError) -> RewriteOptions {
    RewriteOptions {
        on_error,
        ..RewriteOptions::default()
    }
}

/// What one rewrite against a fresh server playing a script did.
struct Run<T> {
    outcome: T,
    elapsed: Duration,
    requests: usize,
}

/// One rewrite against a server playing `script`; with an empty script nothing listens.
fn run(script: Vec<Reply>, on_error: OnError) -> Run<Result<RewriteResult, ZippError>> {
    let server = (!script.is_empty()).then(|| FakeServer::start(script));
    let url = server.as_ref().map_or_else(refused_url, FakeServer::url);
    let r = Rewriter::from_json(&config(&url, "")).expect("config is valid");
    let start = Instant::now();
    let outcome = r.rewrite(&persona(), PROMPT, &options(on_error));
    Run {
        outcome,
        elapsed: start.elapsed(),
        requests: server.map_or(0, |s| s.received().len()),
    }
}

/// Runs `script` failing and passing through at once; checks that both end within [`WITHIN`],
/// the failure with `expected` and the passthrough with the prompt and that same error
/// attached. Returns the failing run's error.
fn fault(script: Vec<Reply>, expected: ZippStatus) -> Run<ZippError> {
    let (failing, passed) = std::thread::scope(|s| {
        let copy = script.clone();
        let passed = s.spawn(move || run(copy, OnError::Passthrough));
        let failing = run(script, OnError::Fail);
        (failing, passed.join().expect("passthrough run"))
    });
    for (mode, elapsed) in [("fail", failing.elapsed), ("passthrough", passed.elapsed)] {
        assert!(elapsed < WITHIN, "{mode} took {elapsed:?}");
    }
    let err = failing.outcome.expect_err("the failing run fails");
    assert_eq!(err.status(), expected, "{err}");
    let result = passed.outcome.expect("passthrough succeeds");
    assert_eq!(result.rewrite, PROMPT);
    let attached = result.error.expect("the error is attached");
    assert_eq!(
        (attached.status.as_str(), attached.code),
        (expected.c_name(), expected as i32)
    );
    assert_eq!(
        without_port(&attached.message),
        without_port(&err.to_string())
    );
    Run {
        outcome: err,
        elapsed: failing.elapsed,
        requests: failing.requests,
    }
}

/// `text` with the port of every loopback URL removed (each run has its own server).
fn without_port(text: &str) -> String {
    let mut parts = text.split("127.0.0.1:");
    let mut out = parts.next().unwrap_or_default().to_string();
    for part in parts {
        out.push_str("127.0.0.1:");
        out.push_str(part.trim_start_matches(|c: char| c.is_ascii_digit()));
    }
    out
}

fn timed_out_message(ms: u64) -> String {
    format!("/chat/completions did not answer within {ms} ms")
}

#[test]
fn a_refused_connection_fails_at_once() {
    let r = fault(vec![], ZippStatus::Connection);
    assert!(r.elapsed < Duration::from_millis(500), "{:?}", r.elapsed);
    assert!(
        r.outcome
            .to_string()
            .ends_with("connection refused; is the server running?"),
        "{}",
        r.outcome
    );
}

#[test]
fn a_server_that_accepts_and_never_answers_times_out() {
    let r = fault(vec![silence()], ZippStatus::Timeout);
    assert_eq!(r.requests, 1);
    assert!(
        r.outcome
            .to_string()
            .ends_with(&timed_out_message(DEADLINE_MS)),
        "{}",
        r.outcome
    );
    assert!(
        r.elapsed >= Duration::from_millis(DEADLINE_MS - 50),
        "{:?}",
        r.elapsed
    );
}

#[test]
fn headers_then_silence_times_out() {
    let r = fault(vec![headers_then_silence()], ZippStatus::Timeout);
    assert!(
        r.outcome
            .to_string()
            .ends_with(&timed_out_message(DEADLINE_MS)),
        "{}",
        r.outcome
    );
}

#[test]
fn a_trickle_slower_than_the_deadline_times_out() {
    let every = Duration::from_millis(200);
    for reply in [trickle("a cat", every), trickle_body("a cat", every)] {
        let r = fault(vec![reply], ZippStatus::Timeout);
        assert!(
            r.outcome
                .to_string()
                .ends_with(&timed_out_message(DEADLINE_MS)),
            "{}",
            r.outcome
        );
    }
}

#[test]
fn server_errors_are_retried_then_reported() {
    let r = fault(
        vec![status(503, r#"{"error":{"message":"overloaded"}}"#)],
        ZippStatus::Server,
    );
    assert_eq!(
        r.outcome.to_string(),
        "server error (HTTP 503) after 4 attempts: overloaded"
    );
    assert_eq!(r.requests, 4);
}

#[test]
fn a_short_retry_after_is_waited_for() {
    let r = fault(vec![too_many("1")], ZippStatus::RateLimited);
    // Asked at 0 s and after the 1 s wait; a second wait would pass the deadline.
    assert_eq!(r.requests, 2);
    assert!(r.elapsed >= Duration::from_millis(950), "{:?}", r.elapsed);
    assert_eq!(
        r.outcome.to_string(),
        "rate limited by the server (HTTP 429) after 2 attempts: slow down"
    );
}

#[test]
fn a_huge_retry_after_is_not_waited_for() {
    for value in ["100000", "1e300", "inf"] {
        let r = fault(vec![too_many(value)], ZippStatus::RateLimited);
        assert_eq!(r.requests, 1, "Retry-After: {value}");
        assert!(
            r.elapsed < Duration::from_millis(500),
            "Retry-After: {value} waited {:?}",
            r.elapsed
        );
        assert_eq!(
            r.outcome.to_string(),
            "rate limited by the server (HTTP 429) after 1 attempts: slow down"
        );
    }
}

#[test]
fn a_malformed_retry_after_falls_back_to_the_backoff() {
    for value in ["soon", "-3", "NaN", "Wed, 21 Oct 2015 07:28:00 GMT", ""] {
        let r = fault(vec![too_many(value)], ZippStatus::RateLimited);
        assert_eq!(r.requests, 4, "Retry-After: {value:?}");
        assert_eq!(
            r.outcome.to_string(),
            "rate limited by the server (HTTP 429) after 4 attempts: slow down"
        );
    }
}

#[test]
fn malformed_json_is_a_bad_response() {
    for body in [
        "{\"choices\": [",
        "<html>502 Bad Gateway</html>",
        "",
        "null",
    ] {
        let r = fault(vec![status(200, body)], ZippStatus::BadResponse);
        assert_eq!(r.requests, 1, "a bad reply is not retried: {body:?}");
        assert!(
            r.outcome.to_string().starts_with(
                "bad response from the backend: the reply is not chat-completion JSON"
            ),
            "{body:?}: {}",
            r.outcome
        );
    }
}

#[test]
fn a_reply_cut_off_before_its_length_is_a_bad_response() {
    let r = fault(vec![cut_off("a cat, cut", 40)], ZippStatus::BadResponse);
    assert_eq!(
        r.outcome.to_string(),
        "bad response from the backend: the reply was cut off: response body closed before all bytes were read"
    );
}

#[test]
fn an_18_mb_reply_is_refused_as_too_large() {
    let r = fault(vec![huge(18 << 20)], ZippStatus::BadResponse);
    assert_eq!(
        r.outcome.to_string(),
        "bad response from the backend: the reply is too large (over 8 MiB)"
    );
    assert!(r.elapsed < Duration::from_secs(2), "{:?}", r.elapsed);
}

#[test]
fn a_passed_through_failure_is_not_cached() {
    let server = FakeServer::start(vec![silence()]);
    let r = Rewriter::from_json(&config(&server.url(), r#","timeout_ms":300"#)).unwrap();
    let first = r
        .rewrite(&persona(), PROMPT, &options(OnError::Passthrough))
        .unwrap();
    let message = first.error.expect("the error is attached").message;
    assert!(message.ends_with(&timed_out_message(300)), "{message}");
    assert_eq!(r.cached(), 0);
}

/// Starts a rewrite on another thread against a silent server, sets `flag` after 300 ms and
/// returns how long the call took to end after that, and its outcome.
fn cancelled_after_300_ms(
    r: &Rewriter,
    flag: &AtomicBool,
    on_error: OnError,
) -> (Duration, Result<zipp::RewriteResult, ZippError>) {
    std::thread::scope(|s| {
        let call = s.spawn(|| {
            let o = options(on_error);
            let out = r.rewrite_with(&persona(), PROMPT, &o, Some(flag), None);
            (Instant::now(), out)
        });
        std::thread::sleep(Duration::from_millis(300));
        let at = Instant::now();
        flag.store(true, Ordering::SeqCst);
        let (ended, out) = call.join().expect("rewrite thread");
        (ended.saturating_duration_since(at), out)
    })
}

#[test]
fn a_cancel_flag_stops_a_blocked_read_within_200_ms() {
    let server = FakeServer::start(vec![silence()]);
    let r = Rewriter::from_json(&config(&server.url(), r#","timeout_ms":10000"#)).unwrap();
    for on_error in [OnError::Fail, OnError::Passthrough] {
        let flag = AtomicBool::new(false);
        let (after, out) = cancelled_after_300_ms(&r, &flag, on_error);
        assert!(
            after < Duration::from_millis(200),
            "{on_error:?}: {after:?}"
        );
        // A cancel is the caller's wish, not a backend failure: never passed through.
        assert_eq!(out.unwrap_err().status(), ZippStatus::Cancelled);
    }
}

#[test]
fn a_cancel_flag_stops_a_retry_after_wait() {
    let server = FakeServer::start(vec![too_many("5")]);
    let r = Rewriter::from_json(&config(&server.url(), r#","timeout_ms":10000"#)).unwrap();
    let flag = AtomicBool::new(false);
    let (after, out) = cancelled_after_300_ms(&r, &flag, OnError::Fail);
    assert!(after < Duration::from_millis(200), "{after:?}");
    assert_eq!(out.unwrap_err().status(), ZippStatus::Cancelled);
    assert_eq!(server.received().len(), 1);
}

/// A raw pointer moved to the thread that uses it.
struct Shared<T>(*const T);
// SAFETY: the handles are documented thread-safe; the test keeps them alive across the scope.
unsafe impl<T> Send for Shared<T> {}
unsafe impl<T> Sync for Shared<T> {}

#[test]
fn zipp_rewriter_cancel_stops_a_blocked_read_within_200_ms() {
    use zipp::ffi::persona::{zipp_persona_free, zipp_persona_from_file, ZippPersona};
    use zipp::ffi::rewriter::{
        zipp_rewriter_cancel, zipp_rewriter_free, zipp_rewriter_new, zipp_rewriter_rewrite,
        ZippRewriter,
    };
    let server = FakeServer::start(vec![silence()]);
    let c_config = CString::new(config(&server.url(), r#","timeout_ms":10000"#)).unwrap();
    let path = CString::new(
        support::repo("examples/personas/kenji-osaka.json")
            .to_str()
            .unwrap(),
    )
    .unwrap();
    let prompt = CString::new(PROMPT).unwrap();
    let mut rewriter: *mut ZippRewriter = std::ptr::null_mut();
    let mut persona: *mut ZippPersona = std::ptr::null_mut();
    // SAFETY: valid strings and out-pointers; the handles are freed after the scope ends.
    unsafe {
        assert_eq!(
            zipp_rewriter_new(c_config.as_ptr(), &mut rewriter),
            ZippStatus::Ok
        );
        assert_eq!(
            zipp_persona_from_file(path.as_ptr(), &mut persona),
            ZippStatus::Ok
        );
    }
    let (r, p) = (Shared(rewriter), Shared(persona));
    let (after, status, untouched) = std::thread::scope(|s| {
        let call = s.spawn(|| {
            let mut out: *mut c_char = std::ptr::null_mut();
            let (r, p) = (&r, &p);
            // SAFETY: live handles, valid strings, a writable out-pointer.
            let status = unsafe {
                zipp_rewriter_rewrite(
                    r.0,
                    p.0,
                    prompt.as_ptr(),
                    std::ptr::null(),
                    &mut out,
                    std::ptr::null_mut(),
                )
            };
            (Instant::now(), status, out.is_null())
        });
        std::thread::sleep(Duration::from_millis(300));
        let at = Instant::now();
        // SAFETY: a live handle.
        assert_eq!(unsafe { zipp_rewriter_cancel(r.0) }, ZippStatus::Ok);
        let (ended, status, untouched) = call.join().expect("rewrite thread");
        (ended.saturating_duration_since(at), status, untouched)
    });
    assert!(after < Duration::from_millis(200), "{after:?}");
    assert_eq!(status, ZippStatus::Cancelled);
    assert!(untouched, "nothing is written on failure");
    // SAFETY: the handles from above, freed once.
    unsafe {
        zipp_rewriter_free(rewriter);
        zipp_persona_free(persona);
    }
}
