//! GGUF headers and metadata: the tensor table, the parameter count, the vocabulary (with a
//! round trip through the tokenizer) and the chat template of whatever parses.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use zipp::llm::gguf::{ChatTemplate, GgufFile, Vocab};

fuzz_target!(|data: &[u8]| {
    let Ok(file) = GgufFile::from_bytes(Path::new("fuzz.gguf"), data) else {
        return;
    };
    let _ = file.parameter_count();
    for name in ["token_embd.weight", "output.weight"] {
        let _ = file.tensor_bytes(name);
    }
    let _ = file.opt_uint("general.alignment");
    let arch = file.opt_string("general.architecture").unwrap_or("llama");
    if let Ok(vocab) = Vocab::from_gguf(&file) {
        let ids = vocab.encode("a cat on a windowsill <|im_end|>", true, true);
        let _ = vocab.decode(&ids);
        let bos = vocab.bos().and_then(|b| vocab.token_text(b)).unwrap_or("");
        let eos = vocab.eos().and_then(|e| vocab.token_text(e)).unwrap_or("");
        let template = file.opt_string("tokenizer.chat_template");
        let _ = ChatTemplate::new(template, arch, false, bos, eos);
    }
});
