//! The `zipp` command line: output, stdin, exit codes and messages a shell user can act on.

mod support;

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{completion, refused_url, FakeServer, Reply};

fn zipp(args: &[&str]) -> Output {
    zipp_with(args, None, &[])
}

fn zipp_with(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zipp"));
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("ZIPP_BACKEND")
        .env_remove("ZIPP_BASE_URL")
        .env_remove("ZIPP_MODEL")
        // No default model: without --backend the CLI falls back to rules, whatever this
        // machine has installed. Tests that want a model pass it.
        .env(
            "ZIPP_CACHE_DIR",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/no-model-cache"),
        )
        .env_remove("ZIPP_API_KEY")
        .env_remove("OPENAI_API_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run zipp");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.unwrap_or("").as_bytes())
        .expect("write stdin");
    drop(input);
    child.wait_with_output().expect("zipp finishes")
}

/// An empty temporary folder of this process for one test; each test names its own, since
/// tests run in parallel and one folder shared by two would be removed under the other.
fn scratch(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("zipp-cli-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const KENJI: &str = "examples/personas/kenji-osaka.json";

#[test]
fn rewrite_with_the_default_backend() {
    let out = zipp(&["rewrite", "--persona", KENJI, "a cat on a windowsill"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let line = text(&out.stdout);
    assert!(line.starts_with("a cat on a windowsill, "), "{line}");
    assert_eq!(line.lines().count(), 1);
}

#[test]
fn prompts_from_stdin_one_per_line() {
    let out = zipp_with(
        &["rewrite", "-p", KENJI, "--json"],
        Some("a cat\n\na lantern\n"),
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["original"], "a cat");
    assert_eq!(lines[1]["original"], "a lantern");
    assert_eq!(lines[1]["persona_id"], "kenji-osaka");
}

#[test]
fn missing_persona_file_exits_4() {
    let out = zipp(&["rewrite", "-p", "no/such/persona.json", "a cat"]);
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(
        text(&out.stderr),
        "zipp: error: no/such/persona.json: No such file or directory (os error 2)\n"
    );
}

#[test]
fn invalid_options_exit_3() {
    let out = zipp(&["rewrite", "-p", KENJI, "-k", "12", "a cat"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        text(&out.stderr),
        "zipp: error: invalid options: k: 12 is over the limit of 8\n"
    );
}

#[test]
fn taste_clauses_flag_sets_the_strength() {
    let prompt = "a street market at dusk";
    let rewrite = |n: &str| {
        let out = zipp(&[
            "rewrite",
            "-p",
            KENJI,
            "-b",
            "rules",
            "--taste-clauses",
            n,
            prompt,
        ]);
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    let (code, one, _) = rewrite("1");
    assert_eq!(code, Some(0));
    assert_eq!(
        one.trim()
            .strip_prefix(prompt)
            .map(|r| r.matches(", ").count()),
        Some(1),
        "{one}"
    );
    let (code, _, err) = rewrite("4");
    assert_eq!(code, Some(3));
    assert!(err.contains("taste_clauses: 4 is outside [1, 3]"), "{err}");
}

#[test]
fn a_dead_server_exits_1_with_a_hint() {
    let url = refused_url();
    let out = zipp(&[
        "rewrite",
        "-p",
        KENJI,
        "-b",
        "openai",
        "-m",
        "qwen",
        "--base-url",
        &url,
        "a cat",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.starts_with(&format!(
            "zipp: error: cannot connect to {url}/chat/completions: connection refused"
        )),
        "{err}"
    );
    assert!(err.contains("--backend rules needs no server"));
    let out = zipp(&[
        "rewrite",
        "-p",
        KENJI,
        "-b",
        "openai",
        "-m",
        "qwen",
        "--base-url",
        &url,
        "--on-error",
        "passthrough",
        "a cat",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "a cat\n");
}

#[test]
fn openai_with_the_key_from_the_environment() {
    let server = FakeServer::start(vec![completion(
        "Here is the rewritten prompt: a cat, overcast light",
    )]);
    let url = server.url();
    let env = [
        ("ZIPP_BACKEND", "openai"),
        ("ZIPP_BASE_URL", url.as_str()),
        ("ZIPP_MODEL", "qwen2.5"),
    ];
    let both = [
        &env[..],
        &[("ZIPP_API_KEY", "from-env"), ("OPENAI_API_KEY", "fallback")],
    ]
    .concat();
    let out = zipp_with(
        &["rewrite", "-p", KENJI, "--seed", "4", "a cat"],
        None,
        &both,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "a cat, overcast light\n");
    let fallback = [&env[..], &[("OPENAI_API_KEY", "fallback")]].concat();
    let out = zipp_with(&["rewrite", "-p", KENJI, "a cat"], None, &fallback);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let got = server.received();
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0].header("authorization"),
        Some("Bearer from-env"),
        "ZIPP_API_KEY comes first"
    );
    assert_eq!(got[1].header("authorization"), Some("Bearer fallback"));
    assert_eq!(got[0].json()["model"], "qwen2.5");
    assert_eq!(got[0].json()["seed"], 4);
}

#[test]
fn validate_reports_each_problem() {
    let dir = scratch("validate");
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"schema":"zipp.persona/v1","text":"I knit.","facets":[{"context":"pets"}]}"#,
    )
    .unwrap();
    let out = zipp(&["persona", "validate", KENJI, bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(&format!("{KENJI}: ok (kenji-osaka, ")),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(&format!(
            "{}: invalid\n  - facets[0].style: missing\n",
            bad.display()
        )),
        "{stdout}"
    );
}

#[test]
fn every_example_persona_validates() {
    let mut args = vec!["persona".to_string(), "validate".to_string()];
    for entry in std::fs::read_dir(support::repo("examples/personas")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") && !path.ends_with("persona.schema.json") {
            args.push(path.display().to_string());
        }
    }
    assert!(args.len() >= 2 + 8, "at least eight example personas");
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = zipp(&refs);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn from_survey_makes_a_loadable_persona() {
    let out = zipp_with(
        &[
            "persona",
            "from-survey",
            "-",
            "--profession",
            "bus driver",
            "--hobbies",
            "chess, birdwatching",
        ],
        Some(
            r#"{"name": "Tomás Quispe", "age_band": "55-64", "country": "Bolivia", "language": "Aymara"}"#,
        ),
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(doc["id"], "tom-s-quispe");
    assert_eq!(
        doc["traits"]["interests"],
        serde_json::json!(["chess", "birdwatching"])
    );
    assert_eq!(
        doc["text"],
        "My name is Tomás Quispe. I'm 55-64 years old. I work as a bus driver in Bolivia. I speak Aymara. \
         In my free time I enjoy chess and birdwatching."
    );
    let out = zipp(&["persona", "from-survey", "--age-band", "sixty"]);
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn show_prints_a_summary() {
    let out = zipp(&["persona", "show", KENJI]);
    assert_eq!(out.status.code(), Some(0));
    let s = text(&out.stdout);
    assert!(s.contains("hash: ") && s.contains("facet ["), "{s}");
}

#[test]
fn mine_synth_ingest_stats() {
    let dir = std::env::temp_dir().join(format!("zipp-cli-mine-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let out = zipp(&[
        "mine",
        "synth",
        "--out",
        d,
        "--users",
        "300",
        "--communities",
        "40",
        "--interactions",
        "3000",
        "--types",
        "4",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let graph = dir.join("g.graph");
    let out = zipp(&[
        "mine",
        "ingest",
        "-i",
        &format!("{d}/reddit"),
        "-o",
        graph.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(report["kept"], 3000);
    let err = text(&out.stderr);
    assert!(
        err.contains("kept 3000 interactions") && err.contains("graph: 300 users, 40 communities"),
        "{err}"
    );
    let out = zipp(&["mine", "stats", graph.to_str().unwrap(), "--json"]);
    let stats: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(
        (stats["users"].as_u64(), stats["communities"].as_u64()),
        (Some(300), Some(40))
    );
    let out = zipp(&["mine", "stats", d]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "a folder is not a graph file: {}",
        text(&out.stderr)
    );
    let out = zipp(&[
        "mine",
        "ingest",
        "-i",
        d,
        "-o",
        graph.to_str().unwrap(),
        "--since",
        "last week",
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(text(&out.stderr), "zipp: error: invalid options: since: \"last week\" is neither Unix seconds nor a date (YYYY-MM-DD)\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_survey_persona_gets_an_inferred_taste_that_rules_rewrites_use() {
    let dir = scratch("survey-taste");
    let out = zipp(&[
        "persona",
        "from-survey",
        "--name",
        "Ana",
        "--age-band",
        "25-34",
        "--country",
        "Mexico",
        "--profession",
        "nurse",
        "--hobbies",
        "football, cooking",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let path = dir.join("ana.json");
    std::fs::write(&path, &out.stdout).unwrap();
    let p = path.to_str().unwrap();
    let out = zipp(&["persona", "taste", p]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let taste: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(taste["facets"].as_array().unwrap().len() >= 8);
    let out = zipp(&["persona", "taste", "--complete", p]);
    let done = dir.join("ana-taste.json");
    std::fs::write(&done, &out.stdout).unwrap();
    let out = zipp(&["persona", "validate", done.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    // The rules backend now adds a taste, and a street scene gets the region's colours.
    let out = zipp(&[
        "rewrite",
        "-b",
        "rules",
        "-p",
        p,
        "--json",
        "a street at night",
    ]);
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rewrite = record["rewrite"].as_str().unwrap();
    assert!(rewrite.starts_with("a street at night, "), "{rewrite}");
    // One of Mexico's palette, light, motifs or media (src/taste/vocabulary.json).
    assert!(
        [
            "marigold",
            "bougainvillea",
            "adobe walls",
            "papel picado",
            "vivid colour"
        ]
        .iter()
        .any(|w| rewrite.contains(w)),
        "{rewrite}"
    );
    assert!(
        record["notes"].to_string().contains("taste inferred"),
        "{record}"
    );
}

#[test]
fn persona_taste_with_a_config_uses_its_backend_and_reports_a_dead_server() {
    let dir = scratch("taste-config");
    let persona = dir.join("p.txt");
    std::fs::write(
        &persona,
        "I'm a fisherman in Ghana and I sing in the church choir.",
    )
    .unwrap();
    let rules = dir.join("rules.json");
    std::fs::write(&rules, r#"{"backend": "rules"}"#).unwrap();
    let p = persona.to_str().unwrap();
    let out = zipp(&[
        "persona",
        "taste",
        p,
        "--complete",
        "--config",
        rules.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    let pool = doc["traits"]["aesthetics"].as_array().unwrap();
    assert!(pool.len() > 6, "{doc}");
    let dead = dir.join("dead.json");
    std::fs::write(
        &dead,
        r#"{"backend": "openai", "model": "m", "base_url": "http://127.0.0.1:1/v1"}"#,
    )
    .unwrap();
    let out = zipp(&["persona", "taste", p, "--config", dead.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("127.0.0.1:1"),
        "{}",
        text(&out.stderr)
    );
    let out = zipp(&["persona", "taste", p, "--config", "/nonexistent/cfg.json"]);
    assert_eq!(out.status.code(), Some(4));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rewrite_jobs_sends_at_once_and_keeps_the_input_order() {
    // The first request is answered last: with four in flight the results still come in order.
    let delays = [900, 700, 500, 300];
    let server = FakeServer::start(
        delays
            .iter()
            .map(|&ms| Reply::Echo(Duration::from_millis(ms), ", overcast light".into()))
            .collect(),
    );
    let url = server.url();
    let env = [
        ("ZIPP_BACKEND", "openai"),
        ("ZIPP_BASE_URL", url.as_str()),
        ("ZIPP_MODEL", "qwen2.5"),
    ];
    let prompts = ["a cat", "a red kite", "a bowl of soup", "an old bicycle"];
    let stdin = format!(
        "{}\n{{\"prompt\": \"{}\"}}\n\n{}\n{}\n",
        prompts[0], prompts[1], prompts[2], prompts[3]
    );
    let started = Instant::now();
    let out = zipp_with(&["rewrite", "-p", KENJI, "--jobs", "4"], Some(&stdin), &env);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let want: Vec<String> = prompts
        .iter()
        .map(|p| format!("{p}, overcast light"))
        .collect();
    assert_eq!(text(&out.stdout).lines().collect::<Vec<_>>(), want);
    assert_eq!(server.received().len(), 4);
    let one_by_one: u64 = delays.iter().sum();
    assert!(
        took < Duration::from_millis(one_by_one),
        "{took:?}: not faster than one at a time ({one_by_one} ms of replies)"
    );
}

#[test]
fn rewrite_jobs_bounds_a_dead_server_by_the_deadline() {
    let server = FakeServer::start(vec![support::silence()]);
    let url = server.url();
    let env = [
        ("ZIPP_BACKEND", "openai"),
        ("ZIPP_BASE_URL", url.as_str()),
        ("ZIPP_MODEL", "qwen2.5"),
    ];
    let run = |jobs: &str, prompts: &[&str]| {
        let mut args = vec!["rewrite", "-p", KENJI, "--timeout", "0.5", "--on-error"];
        args.extend(["passthrough", "--jobs", jobs]);
        args.extend(prompts);
        let started = Instant::now();
        let out = zipp_with(&args, None, &env);
        (out, started.elapsed())
    };
    let (single, one) = run("1", &["a cat"]);
    assert_eq!(single.status.code(), Some(1));
    let prompts = ["a cat", "a red kite", "a bowl of soup", "an old bicycle"];
    let (out, four) = run("4", &prompts);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().collect::<Vec<_>>(), prompts);
    assert!(
        four < one * 2 + Duration::from_millis(500),
        "four dead requests at once took {four:?}, one took {one:?}"
    );
}

#[test]
fn rewrite_jobs_out_of_range_or_with_stream_exits_3() {
    for args in [
        &["--jobs", "0"][..],
        &["--jobs", "65"],
        &["--jobs", "2", "--stream"],
    ] {
        let mut all = vec!["rewrite", "-p", KENJI, "--backend", "rules"];
        all.extend(args);
        all.push("a cat");
        assert_eq!(zipp(&all).status.code(), Some(3), "{args:?}");
    }
}
