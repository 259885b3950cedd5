//! Intake-survey answers (JSON) and the persona each one that parses describes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zipp::{Persona, Survey};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(survey) = Survey::from_json(text) {
        if let Ok(persona) = Persona::from_survey(&survey) {
            let _ = persona.to_json();
        }
    }
});
