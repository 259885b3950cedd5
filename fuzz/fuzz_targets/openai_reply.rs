//! Bodies an OpenAI-compatible server may send: chat-completion replies and error bodies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zipp::llm::openai::{error_message, parse_reply};

fuzz_target!(|data: &[u8]| {
    // The backend reads bodies lossily, as here.
    let body = String::from_utf8_lossy(data);
    let _ = parse_reply(&body, "model");
    let _ = error_message(&body);
});
