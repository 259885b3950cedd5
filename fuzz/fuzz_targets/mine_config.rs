//! Persona-mining job configurations, with their bounds and memory estimate checked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zipp::mine::job::MineConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = MineConfig::from_json(text, Some(std::path::Path::new("/nonexistent")));
});
