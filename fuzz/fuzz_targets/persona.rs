//! Persona documents (JSON) and plain-text personas, and a model-free rewrite with each one
//! that loads.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use zipp::{Persona, RewriteOptions, Rewriter};

/// One rules rewriter for every input, as a host keeps one (handles are thread-safe).
static REWRITER: OnceLock<Rewriter> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for persona in [Persona::from_json(text), Persona::from_text(text)]
        .into_iter()
        .flatten()
    {
        let _ = persona.to_json();
        let _ = persona.label();
        let rewriter = REWRITER
            .get_or_init(|| Rewriter::from_json(r#"{"backend": "rules"}"#).expect("rules rewriter"));
        let _ = rewriter.rewrite(
            &persona,
            "a cat on a windowsill",
            &RewriteOptions::default(),
        );
    }
});
