//! C programs compiled with `cc` against include/zipp.h and linked against the built library:
//! the ABI test and the README's example.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The folder holding the cdylib cargo built for this test run.
fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test path");
    let deps = exe.parent().expect("deps dir").to_path_buf();
    let name = format!(
        "{}zipp{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    [
        deps.clone(),
        deps.parent().expect("profile dir").to_path_buf(),
    ]
    .into_iter()
    .filter(|d| d.join(&name).exists())
    .max_by_key(|d| d.join(&name).metadata().and_then(|m| m.modified()).ok())
    .expect("libzipp was built")
}

fn compile(source: &Path, output: &Path) {
    let lib = library_dir();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&cc)
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"])
        .arg(format!("-I{}", support::repo("include").display()))
        .arg(source)
        .arg("-o")
        .arg(output)
        .arg(format!("-L{}", lib.display()))
        .arg("-lzipp")
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .status()
        .unwrap_or_else(|e| panic!("cannot run the C compiler `{cc}`: {e}"));
    assert!(
        status.success(),
        "{} does not compile against include/zipp.h",
        source.display()
    );
}

fn out_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("zipp-c-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

#[test]
fn the_abi_test_program_passes() {
    let exe = out_dir().join("abi_test");
    compile(&support::repo("tests/c/abi_test.c"), &exe);
    let out = Command::new(&exe)
        .env("ZIPP_CACHE_DIR", out_dir().join("no-model-cache"))
        .env_remove("ZIPP_MODEL")
        .arg(support::repo("examples/personas/kenji-osaka.json"))
        .output()
        .expect("run abi_test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "abi_test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("checks passed, 0 failed"), "{stdout}");
}

#[test]
fn the_readme_example_compiles_and_runs() {
    let exe = out_dir().join("example");
    compile(&support::repo("bindings/c/example.c"), &exe);
    let out = Command::new(&exe)
        .env("ZIPP_CACHE_DIR", out_dir().join("no-model-cache"))
        .env_remove("ZIPP_MODEL")
        .arg(support::repo("examples/personas/arne-tromso.json"))
        .arg("a harbour at dawn")
        .output()
        .expect("run example");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("a harbour at dawn, "));
}
