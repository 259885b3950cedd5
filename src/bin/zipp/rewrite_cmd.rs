//! `zipp rewrite`.

use std::io::{BufRead, Write};

use serde_json::{json, Map, Value};
use zipp::{Persona, Rewriter, RewriterConfig, ZippError};

use crate::args::{BackendArg, OnErrorArg, RewriteArgs};

/// The rewriter configuration: the config file, then the flags over it.
fn config(a: &RewriteArgs) -> Result<RewriterConfig, ZippError> {
    let mut map = match &a.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| ZippError::io(path, e))?;
            match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(m)) => m,
                Ok(_) => {
                    return Err(ZippError::InvalidConfig {
                        field: "(config)".into(),
                        message: format!("{} must hold a JSON object", path.display()),
                    })
                }
                Err(e) => return Err(ZippError::json(path.display().to_string(), &e)),
            }
        }
        None => Map::new(),
    };
    if let Some(b) = a.backend {
        map.insert(
            "backend".into(),
            json!(match b {
                BackendArg::Rules => "rules",
                BackendArg::Openai => "openai",
                BackendArg::Gguf => "gguf",
            }),
        );
    }
    if let Some(t) = a.threads {
        map.insert("threads".into(), json!(t));
    }
    if let Some(c) = a.context {
        map.insert("context_length".into(), json!(c));
    }
    if let Some(u) = &a.base_url {
        map.insert("base_url".into(), json!(u));
    }
    if let Some(m) = &a.model {
        map.insert("model".into(), json!(m));
        // A model file with no backend named means the gguf backend.
        if a.backend.is_none() && !map.contains_key("backend") && m.ends_with(".gguf") {
            map.insert("backend".into(), json!("gguf"));
        }
    }
    if let Some(t) = a.timeout {
        map.insert(
            "timeout_ms".into(),
            json!((t * 1000.0).round().max(1.0) as u64),
        );
    }
    RewriterConfig::from_json(&Value::Object(map).to_string())
}

/// Per-call options from the flags, over the configuration's defaults.
fn options(a: &RewriteArgs) -> String {
    let mut o = Map::new();
    if let Some(s) = a.seed {
        o.insert("seed".into(), json!(s));
    }
    if let Some(k) = a.k {
        o.insert("k".into(), json!(k));
    }
    if let Some(w) = a.words {
        o.insert("word_budget".into(), json!(w));
    }
    if let Some(n) = a.taste_clauses {
        o.insert("taste_clauses".into(), json!(n));
    }
    if let Some(t) = a.temperature {
        o.insert("temperature".into(), json!(t));
    }
    if let Some(n) = &a.negative {
        o.insert("negative_prompt".into(), json!(n));
    }
    let on_error = match a.on_error {
        OnErrorArg::Fail => "fail",
        OnErrorArg::Passthrough => "passthrough",
    };
    o.insert("on_error".into(), json!(on_error));
    Value::Object(o).to_string()
}

/// Runs the subcommand; returns the exit code.
pub fn run(a: RewriteArgs) -> Result<u8, ZippError> {
    let persona = Persona::from_file(&a.persona)?;
    let rewriter = Rewriter::new(config(&a)?)?;
    let options = rewriter.options_from_json(Some(&options(&a)))?;

    let prompts: Box<dyn Iterator<Item = Result<String, ZippError>>> = if a.prompts.is_empty() {
        let stdin = std::io::stdin();
        Box::new(
            stdin
                .lock()
                .lines()
                .map(|l| l.map_err(|e| ZippError::io("<stdin>", e)))
                .collect::<Vec<_>>()
                .into_iter()
                .filter(|l| l.as_ref().map_or(true, |s| !s.trim().is_empty())),
        )
    } else {
        Box::new(a.prompts.clone().into_iter().map(Ok))
    };

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut code = 0;
    for prompt in prompts {
        let prompt = prompt?;
        let echo = |piece: &str| {
            eprint!("{piece}");
            true
        };
        let stream: Option<&(dyn Fn(&str) -> bool + Sync)> =
            if a.stream { Some(&echo) } else { None };
        let result = rewriter.rewrite_with(&persona, prompt.trim(), &options, None, stream)?;
        if a.stream {
            eprintln!();
        }
        if let Some(err) = &result.error {
            eprintln!("zipp: warning: {} (prompt passed through)", err.message);
            code = 1;
        }
        let line = if a.json {
            result.to_json()
        } else {
            result.rewrite
        };
        writeln!(out, "{line}").map_err(|e| ZippError::io("<stdout>", e))?;
    }
    Ok(code)
}
