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
