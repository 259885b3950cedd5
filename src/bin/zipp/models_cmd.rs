//! `zipp models`: the default model, downloads, file descriptions.

use std::io::Write;

use zipp::llm::gguf::{locate, pull, GgufFile, Vocab};
use zipp::ZippError;

use crate::args::ModelsCommand;

/// Runs the subcommand; returns the exit code.
pub fn run(command: ModelsCommand) -> Result<u8, ZippError> {
    match command {
        ModelsCommand::Path => match locate::find_model(None) {
            Some(found) => {
                println!("{}", found.path().display());
                Ok(0)
            }
            None => {
                eprintln!("zipp: {}", zipp::llm::no_model_message());
                Ok(1)
            }
        },
        ModelsCommand::Pull { url, sha256, out } => {
            let dest = match out {
                Some(p) => p,
                None => {
                    let name =
                        pull::file_name_of(&url).ok_or_else(|| ZippError::InvalidOptions {
                            field: "url".into(),
                            message: "the address names no file; pass --out".into(),
                        })?;
                    locate::cache_dir()
                        .ok_or_else(|| ZippError::InvalidOptions {
                            field: "out".into(),
                            message: "no cache folder (HOME is not set); pass --out".into(),
                        })?
                        .join("models")
                        .join(name)
                }
            };
            let mut last = 0u64;
            let mut progress = |done: u64, total: Option<u64>| {
                if done - last >= 16 << 20 || Some(done) == total {
                    last = done;
                    let mb = done as f64 / 1e6;
                    match total {
                        Some(t) => eprint!("\rzipp: {mb:.1} / {:.1} MB", t as f64 / 1e6),
                        None => eprint!("\rzipp: {mb:.1} MB"),
                    }
                    let _ = std::io::stderr().flush();
                }
            };
            let path = pull::pull(&url, &sha256, &dest, &mut progress)?;
            eprintln!();
            println!("{}", path.display());
            Ok(0)
        }
        ModelsCommand::Info { file } => {
            let f = GgufFile::open(&file)?;
            let vocab = Vocab::from_gguf(&f)?;
            let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
            let arch = f.string("general.architecture")?;
            println!("file          {}", file.display());
            println!(
                "name          {}",
                f.opt_string("general.name").unwrap_or("-")
            );
            println!(
                "architecture  {arch}{}",
                if zipp::llm::gguf::ARCHITECTURES.contains(&arch) {
                    ""
                } else {
                    " (not supported)"
                }
            );
            println!("size          {:.1} MB", size as f64 / 1e6);
            println!("vocabulary    {} tokens ({:?})", vocab.len(), vocab.kind());
            println!(
                "chat template {}",
                if f.opt_string("tokenizer.chat_template").is_some() {
                    "in the file"
                } else {
                    "none (a built-in one is used)"
                }
            );
            Ok(0)
        }
    }
}
