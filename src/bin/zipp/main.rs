//! `zipp`: rewrite image prompts from personas, and manage persona documents, from the shell.
//!
//! Exit codes: 0 success; 1 the backend failed (server down, timeout, refused key, bad reply);
//! 2 wrong usage; 3 invalid input (persona, JSON, option values); 4 a file could not be read or
//! written.

mod args;
mod batch;
mod eval_cmd;
mod mine_cmd;
mod mine_run_cmd;
mod models_cmd;
mod persona_cmd;
mod rewrite_cmd;

use std::process::ExitCode;

use clap::Parser;
use zipp::{ZippError, ZippStatus};

use args::{Cli, Command};

/// The exit code for an error.
pub fn exit_code(e: &ZippError) -> u8 {
    match e.status() {
        ZippStatus::Io => 4,
        ZippStatus::NullPointer
        | ZippStatus::InvalidUtf8
        | ZippStatus::InvalidJson
        | ZippStatus::TooLarge
        | ZippStatus::InvalidPersona
        | ZippStatus::InvalidConfig
        | ZippStatus::InvalidOptions
        | ZippStatus::Unsupported
        | ZippStatus::InvalidGraph
        | ZippStatus::InvalidInput
        | ZippStatus::InvalidModel => 3,
        _ => 1,
    }
}

/// Prints an error the way every subcommand does.
pub fn report(e: &ZippError) {
    eprintln!("zipp: error: {e}");
    if let ZippError::Connection { .. } = e {
        eprintln!(
            "zipp: hint: start the server, or pass --base-url; --backend rules needs no server"
        );
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    zipp::logging::init();
    if cli.verbose {
        zipp::logging::set_sink(None, log::LevelFilter::Info);
    }
    let outcome = match cli.command {
        Command::Rewrite(a) => rewrite_cmd::run(a),
        Command::Persona { command } => persona_cmd::run(command),
        Command::Eval(a) => eval_cmd::run(&a),
        Command::Mine { command } => mine_cmd::run(command),
        Command::Models { command } => models_cmd::run(command),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            report(&e);
            ExitCode::from(exit_code(&e))
        }
    }
}
