//! C programs compiled with `cc` against include/zipp.h and linked against the built library:
//! the ABI test (also under AddressSanitizer and UndefinedBehaviorSanitizer) and the README's
//! example.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

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

/// Flags that build a C program with AddressSanitizer and UndefinedBehaviorSanitizer, every
/// report fatal. The library itself is not instrumented: its allocations still go through the
/// sanitizer's malloc, so a bad free or a buffer overrun across the border is caught.
const SANITIZE: [&str; 4] = [
    "-fsanitize=address,undefined",
    "-fno-omit-frame-pointer",
    "-fno-sanitize-recover=all",
    "-g",
];

fn compile(source: &Path, output: &Path) {
    compile_with(source, output, &[]);
}

fn compile_with(source: &Path, output: &Path, extra: &[&str]) {
    let lib = library_dir();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&cc)
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"])
        .args(extra)
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

/// Runs `cmd`, killing it after `limit` (a hang is a failure, not a stuck test run).
fn output_within(cmd: &mut Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the program");
    let start = Instant::now();
    while child.try_wait().expect("wait for the program").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("collect the output");
            panic!(
                "{cmd:?} hung for {limit:?}:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("collect the output")
}

/// Runs the compiled ABI test and checks that every check passed.
fn run_abi_test(exe: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(exe);
    cmd.env("ZIPP_CACHE_DIR", out_dir().join("no-model-cache"))
        .env_remove("ZIPP_MODEL")
        .env_remove("ZIPP_LOG")
        .envs(env.iter().copied())
        .arg(support::repo("examples/personas/kenji-osaka.json"));
    let out = output_within(&mut cmd, Duration::from_secs(120));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "abi_test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("checks passed, 0 failed"), "{stdout}");
    out
}

#[test]
fn the_abi_test_program_passes() {
    let exe = out_dir().join("abi_test");
    compile(&support::repo("tests/c/abi_test.c"), &exe);
    run_abi_test(&exe, &[]);
}

/// Whether `cc` can build and run a sanitized program here; says why not otherwise (and fails
/// on CI, where the sanitizer runtimes ship with the compiler).
fn sanitizers_available() -> bool {
    let dir = out_dir();
    let source = dir.join("probe.c");
    std::fs::write(&source, "int main(void) { return 0; }\n").expect("write probe");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let built = Command::new(&cc)
        .args(SANITIZE)
        .arg(&source)
        .arg("-o")
        .arg(dir.join("probe"))
        .output()
        .is_ok_and(|o| o.status.success());
    let ran = built
        && Command::new(dir.join("probe"))
            .status()
            .is_ok_and(|s| s.success());
    if !ran {
        let msg = format!("`{cc}` cannot build and run programs with -fsanitize=address,undefined (install libasan and libubsan)");
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{msg}");
        }
        eprintln!("SKIPPED: {msg}");
    }
    ran
}

#[test]
fn the_abi_test_program_passes_under_address_and_undefined_sanitizers() {
    if !sanitizers_available() {
        return;
    }
    let exe = out_dir().join("abi_test_sanitized");
    compile_with(&support::repo("tests/c/abi_test.c"), &exe, &SANITIZE);
    let out = run_abi_test(
        &exe,
        &[
            (
                "ASAN_OPTIONS",
                "halt_on_error=1:abort_on_error=0:detect_leaks=1",
            ),
            ("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1"),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    for report in ["Sanitizer", "runtime error:"] {
        assert!(!stderr.contains(report), "a sanitizer report:\n{stderr}");
    }
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
