//! `Retry-After` header values: never a panic, never a wait over the cap.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use zipp::llm::openai::retry_after;

fuzz_target!(|data: &[u8]| {
    let value = String::from_utf8_lossy(data);
    let cap = Duration::from_secs(30);
    if let Some(wait) = retry_after(&value, cap) {
        assert!(wait <= cap, "{value:?} waits {wait:?}");
    }
});
