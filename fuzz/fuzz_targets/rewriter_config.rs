//! Rewriter configurations, and the openai backend's settings from each (no request is made).
#![no_main]

use libfuzzer_sys::fuzz_target;
use zipp::RewriterConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = RewriterConfig::from_json(text) {
        let _ = config.backend.openai_settings();
    }
});
