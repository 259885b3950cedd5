//! Per-call rewrite options: parsed, applied to the defaults and checked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zipp::rewrite::OptionsPatch;
use zipp::RewriteOptions;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(patch) = OptionsPatch::from_json(text, "options") {
        if let Ok(options) = patch.apply(&RewriteOptions::default()) {
            let _ = options.check();
        }
    }
});
