//! `zipp rewrite`.

use std::io::{BufRead, Write};

use zipp::llm::BackendKind;
use zipp::rewrite::{Method, OptionsPatch};
use zipp::{OnError, Persona, RewriteOptions, RewriteResult, Rewriter, RewriterConfig, ZippError};

use crate::args::{BackendArg, MethodArg, OnErrorArg, RewriteArgs};
use crate::batch;

/// The rewriter configuration file, read and parsed (the defaults when none is given).
pub fn config_file(path: Option<&std::path::Path>) -> Result<RewriterConfig, ZippError> {
    match path {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| ZippError::io(path, e))?;
            RewriterConfig::from_json(&text).map_err(|e| match e {
                ZippError::InvalidJson {
                    line,
                    column,
                    message,
                    ..
                } => ZippError::InvalidJson {
                    what: path.display().to_string(),
                    line,
                    column,
                    message,
                },
                other => other,
            })
        }
        None => Ok(RewriterConfig::default()),
    }
}

/// The rewriter configuration: the config file, then the flags over it.
fn config(a: &RewriteArgs) -> Result<RewriterConfig, ZippError> {
    let mut config = config_file(a.config.as_deref())?;
    let backend = &mut config.backend;
    if let Some(b) = a.backend {
        backend.backend = Some(match b {
            BackendArg::Rules => BackendKind::Rules,
            BackendArg::Openai => BackendKind::OpenAi,
            BackendArg::Gguf => BackendKind::Gguf,
        });
    }
    backend.threads = a.threads.or(backend.threads);
    backend.context_length = a.context.or(backend.context_length);
    backend.base_url = a.base_url.clone().or(backend.base_url.take());
    if let Some(m) = &a.model {
        backend.model = Some(m.clone());
        // A model file with no backend named means the gguf backend.
        if backend.backend.is_none() && m.ends_with(".gguf") {
            backend.backend = Some(BackendKind::Gguf);
        }
    }
    if let Some(t) = a.timeout {
        backend.timeout_ms = Some((t * 1000.0).round().max(1.0) as u64);
    }
    Ok(config)
}

/// Per-call options: the flags over the configuration's defaults.
fn options(a: &RewriteArgs, defaults: &RewriteOptions) -> Result<RewriteOptions, ZippError> {
    OptionsPatch {
        method: a.method.map(|m| match m {
            MethodArg::Auto => Method::Auto,
            MethodArg::Roleplay => Method::Roleplay,
            MethodArg::Taste => Method::Taste,
            MethodArg::Compose => Method::Compose,
        }),
        seed: a.seed,
        temperature: a.temperature,
        k: a.k,
        word_budget: a.words,
        taste_clauses: a.taste_clauses,
        negative_prompt: a.negative.clone(),
        on_error: Some(match a.on_error {
            OnErrorArg::Fail => OnError::Fail,
            OnErrorArg::Passthrough => OnError::Passthrough,
        }),
        ..OptionsPatch::default()
    }
    .apply(defaults)
}

/// The prompts: the arguments, else stdin's non-empty lines.
fn prompts(a: &RewriteArgs) -> Result<Vec<String>, ZippError> {
    if !a.prompts.is_empty() {
        return Ok(a.prompts.iter().map(|p| p.trim().to_string()).collect());
    }
    let mut prompts = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| ZippError::io("<stdin>", e))?;
        if !line.trim().is_empty() {
            prompts.push(batch::prompt_of_line(&line)?);
        }
    }
    Ok(prompts)
}

/// Runs the subcommand; returns the exit code.
pub fn run(a: RewriteArgs) -> Result<u8, ZippError> {
    if !(1..=batch::MAX_JOBS).contains(&a.jobs) {
        return Err(ZippError::InvalidOptions {
            field: "jobs".into(),
            message: format!("{} is outside [1, {}]", a.jobs, batch::MAX_JOBS),
        });
    }
    if a.jobs > 1 && a.stream {
        return Err(ZippError::InvalidOptions {
            field: "jobs".into(),
            message: "--stream prints one rewrite at a time; use --jobs 1".into(),
        });
    }
    let persona = Persona::from_file(&a.persona)?;
    let rewriter = Rewriter::new(config(&a)?)?;
    let options = options(&a, rewriter.defaults())?;
    let prompts = prompts(&a)?;

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut code = 0;
    let mut write = |result: RewriteResult| -> Result<(), ZippError> {
        if let Some(err) = &result.error {
            eprintln!("zipp: warning: {} (prompt passed through)", err.message);
            code = 1;
        }
        let line = if a.json {
            result.to_json()
        } else {
            result.rewrite
        };
        writeln!(out, "{line}")
            .and_then(|_| out.flush())
            .map_err(|e| ZippError::io("<stdout>", e))
    };
    if a.jobs > 1 {
        batch::rewrite_all(&rewriter, &persona, &prompts, &options, a.jobs, &mut write)?;
        return Ok(code);
    }
    for prompt in prompts {
        let echo = |piece: &str| {
            eprint!("{piece}");
            true
        };
        let stream: Option<&(dyn Fn(&str) -> bool + Sync)> =
            if a.stream { Some(&echo) } else { None };
        let result = rewriter.rewrite_with(&persona, &prompt, &options, None, stream)?;
        if a.stream {
            eprintln!();
        }
        write(result)?;
    }
    Ok(code)
}
