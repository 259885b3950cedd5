//! The C ABI against its committed baseline: the `zipp_` symbols the built library exports
//! (tests/abi/symbols.txt) and the prototypes, callback types and status values include/zipp.h
//! declares (tests/abi/prototypes.txt). A symbol that disappears or appears, or a signature or
//! status value that changes, fails here until the baseline is rewritten on purpose with
//! `ZIPP_BLESS=1 cargo test --test abi_baseline` (and the ABI version bumped to match).

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

fn baseline(name: &str) -> PathBuf {
    support::repo("tests/abi").join(name)
}

/// The header's lines with comments and preprocessor lines removed.
fn header_code() -> String {
    let header = std::fs::read_to_string(support::repo("include/zipp.h")).expect("read zipp.h");
    let mut code = String::new();
    let mut in_block = false;
    for line in header.lines() {
        let line = line.trim();
        if in_block {
            in_block = !line.contains("*/");
            continue;
        }
        if line.starts_with("/*") {
            in_block = !line.contains("*/");
            continue;
        }
        if line.starts_with("//") || line.starts_with('#') {
            continue;
        }
        code.push_str(line);
        code.push('\n');
    }
    code
}

/// `s` with runs of whitespace as one space and none inside parentheses' edges.
fn normalized(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("( ", "(")
        .replace(" )", ")")
}

/// Every function prototype and function-pointer typedef of the header, and every status
/// value as `ZIPP_STATUS_NAME = N`, one per line, sorted.
fn declarations() -> Vec<String> {
    let code = header_code();
    let mut out = BTreeSet::new();
    for statement in code.split(';') {
        // Drop what a statement inherits from the lines before it: `extern "C" {`, a `}`.
        let statement = statement.rsplit(['{', '}']).next().unwrap_or_default();
        let s = normalized(statement);
        let function = s.contains("zipp_") && s.contains('(') && !s.starts_with("typedef");
        let callback = s.starts_with("typedef") && s.contains("(*");
        if function || callback {
            out.insert(s);
        }
    }
    for line in code.lines() {
        if let Some(constant) = line.trim().strip_prefix("ZIPP_STATUS_") {
            out.insert(format!("ZIPP_STATUS_{}", constant.trim_end_matches(',')));
        }
    }
    out.into_iter().collect()
}

/// The function name of a prototype line, if it is one.
fn function_name(declaration: &str) -> Option<&str> {
    if declaration.starts_with("typedef") || declaration.starts_with("ZIPP_STATUS_") {
        return None;
    }
    let before = declaration.split('(').next()?;
    before
        .rsplit([' ', '*'])
        .next()
        .filter(|n| n.starts_with("zipp_"))
}

/// The dynamic symbols the built library defines, from `nm -D --defined-only`; None after
/// saying why when `nm` cannot run (failing on CI, which has binutils).
fn exported_symbols() -> Option<Vec<String>> {
    let lib = support::library_path();
    let out = match Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(&lib)
        .output()
    {
        Ok(out) if out.status.success() => out,
        other => {
            let msg = format!("`nm -D --defined-only {}` failed: {other:?}", lib.display());
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{msg}");
            }
            eprintln!("SKIPPED: {msg}");
            return None;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut names: Vec<String> = text
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .map(|n| n.split('@').next().unwrap_or(n).to_string())
        .collect();
    names.sort();
    names.dedup();
    Some(names)
}

/// Compares `actual` with the committed baseline `name` (rewritten under `ZIPP_BLESS`),
/// naming each line that went and came.
fn check_against(name: &str, what: &str, actual: &[String]) {
    let path = baseline(name);
    let header =
        format!("# {what}\n# Rewrite with `ZIPP_BLESS=1 cargo test --test abi_baseline`.\n");
    if std::env::var_os("ZIPP_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("tests/abi")).expect("create tests/abi");
        std::fs::write(&path, format!("{header}{}\n", actual.join("\n"))).expect("write baseline");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let expected: BTreeSet<&str> = committed
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let actual: BTreeSet<&str> = actual.iter().map(String::as_str).collect();
    let gone: Vec<&&str> = expected.difference(&actual).collect();
    let new: Vec<&&str> = actual.difference(&expected).collect();
    assert!(
        gone.is_empty() && new.is_empty(),
        "{what} differ from {}:\n  gone: {gone:#?}\n  new: {new:#?}\nAn ABI change: bump ZIPP_ABI_VERSION_MAJOR (removed or changed) or _MINOR (added), then rewrite the baseline with `ZIPP_BLESS=1 cargo test --test abi_baseline`.",
        path.display()
    );
}

#[test]
fn the_exported_symbols_match_the_baseline() {
    let Some(symbols) = exported_symbols() else {
        return;
    };
    let stray: Vec<&String> = symbols.iter().filter(|s| !s.starts_with("zipp_")).collect();
    assert!(
        stray.is_empty(),
        "the library exports symbols without the zipp_ prefix: {stray:?}"
    );
    check_against("symbols.txt", "The symbols libzipp exports", &symbols);
}

#[test]
fn the_header_declarations_match_the_baseline() {
    let declarations = declarations();
    assert!(
        declarations.len() > 60,
        "the header parse found too little: {declarations:#?}"
    );
    check_against(
        "prototypes.txt",
        "The functions, callback types and status values include/zipp.h declares",
        &declarations,
    );
}

#[test]
fn every_exported_symbol_is_declared_and_every_declaration_exported() {
    let Some(symbols) = exported_symbols() else {
        return;
    };
    let declared: BTreeSet<String> = declarations()
        .iter()
        .filter_map(|d| function_name(d).map(str::to_string))
        .collect();
    let exported: BTreeSet<String> = symbols.into_iter().collect();
    assert_eq!(
        declared.difference(&exported).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "declared in zipp.h but not exported"
    );
    assert_eq!(
        exported.difference(&declared).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "exported but not declared in zipp.h"
    );
}
