//! The committed C header equals what the pinned cbindgen generates from src/ffi.

use std::path::PathBuf;

#[test]
fn header_is_up_to_date() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config =
        cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml parses");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(&root)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut generated);
    let generated = String::from_utf8(generated).expect("the header is UTF-8");
    let path = root.join("include/zipp.h");
    if std::env::var_os("ZIPP_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write include/zipp.h");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/zipp.h is out of date with src/ffi; regenerate it with `ZIPP_BLESS=1 cargo test --test header`"
    );
}

#[test]
fn header_versions_match_cargo() {
    let header = include_str!("../include/zipp.h");
    let define = |name: &str| -> String {
        let line = header
            .lines()
            .find(|l| l.starts_with(&format!("#define {name} ")))
            .unwrap_or_else(|| panic!("{name} is not defined in zipp.h"));
        line.split_whitespace()
            .nth(2)
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        define("ZIPP_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MAJOR")
    );
    assert_eq!(
        define("ZIPP_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_MINOR")
    );
    assert_eq!(
        define("ZIPP_VERSION_PATCH"),
        env!("CARGO_PKG_VERSION_PATCH")
    );
    // The computed ABI number is checked by compiling it: tests/c/abi_test.c asserts
    // ZIPP_ABI_VERSION == zipp_abi_version() and (ZIPP_ABI_VERSION >> 16) == ZIPP_ABI_VERSION_MAJOR.
    assert!(header.contains("#define ZIPP_ABI_VERSION_MAJOR 1"));
}

/// Compiles a file holding only `#include "zipp.h"` with `compiler` in `lang` (C or C++).
fn compiles_alone(compiler: &str, lang: &str, std: &str) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("zipp-header-{}-{lang}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let source = dir.join(if lang == "c" { "only.c" } else { "only.cpp" });
    std::fs::write(&source, "#include \"zipp.h\"\n").expect("write the source");
    let out = std::process::Command::new(compiler)
        .args([
            "-x",
            lang,
            std,
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-fsyntax-only",
        ])
        .arg(format!("-I{}", root.join("include").display()))
        .arg(&source)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{compiler}`: {e}"));
    assert!(
        out.status.success(),
        "zipp.h does not compile on its own as {lang}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_header_compiles_on_its_own_in_c_and_cpp() {
    compiles_alone(
        &std::env::var("CC").unwrap_or_else(|_| "cc".into()),
        "c",
        "-std=c99",
    );
    compiles_alone(
        &std::env::var("CXX").unwrap_or_else(|_| "c++".into()),
        "c++",
        "-std=c++11",
    );
}
