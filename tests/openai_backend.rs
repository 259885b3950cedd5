//! The `openai` backend against a scripted server on loopback: each fault has its exact outcome.

mod support;

use std::time::{Duration, Instant};

use support::{completion, refused_url, status, too_many, FakeServer, Reply};
use zipp::{OnError, Persona, RewriteOptions, RewriteResult, Rewriter, ZippError, ZippStatus};

fn persona() -> Persona {
    Persona::from_file(support::repo("examples/personas/kenji-osaka.json"))
        .expect("example persona loads")
}

fn rewriter(url: &str, extra: &str) -> Rewriter {
    let config = format!(
        r#"{{"backend":"openai","base_url":"{url}","model":"test-model","api_key":"sk-test",
            "retry_backoff_ms":10,"timeout_ms":2000{extra}}}"#
    );
    Rewriter::from_json(&config).expect("config is valid")
}

fn rewrite(r: &Rewriter, options: &RewriteOptions) -> Result<RewriteResult, ZippError> {
    r.rewrite(&persona(), "a cat on a windowsill", options)
}

#[test]
fn a_completion_becomes_the_rewrite_and_the_request_is_well_formed() {
    let server = FakeServer::start(vec![completion(
        "a cat on a windowsill, muted film, soft overcast light",
    )]);
    let r = rewriter(&server.url(), "");
    let res = rewrite(&r, &RewriteOptions::default()).unwrap();
    assert_eq!(
        res.rewrite,
        "a cat on a windowsill, muted film, soft overcast light"
    );
    assert_eq!(
        (res.backend.as_str(), res.model.as_str()),
        ("openai", "fake-model")
    );
    assert_eq!(
        (res.tokens.prompt, res.tokens.completion),
        (Some(42), Some(7))
    );
    assert!(!res.cache_hit);

    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/v1/chat/completions");
    assert_eq!(got[0].header("authorization"), Some("Bearer sk-test"));
    let body = got[0].json();
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["seed"], 0);
    assert_eq!(body["stream"], false);
    // `auto` role-plays on a server: the persona's first-person text and traits are the system
    // turn, its own past prompts the k-shot turns, the prompt the last turn.
    assert_eq!(res.method, "roleplay");
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages[0]["role"], "system");
    let system = messages[0]["content"].as_str().unwrap();
    let kenji = persona();
    assert!(system.starts_with(kenji.document().text.trim()), "{system}");
    assert!(system.contains(zipp::rewrite::ROLEPLAY_TASK), "{system}");
    for a in &kenji.document().traits.aesthetics {
        assert!(system.contains(a.as_str()), "{a}: {system}");
    }
    let last = messages.last().unwrap()["content"].as_str().unwrap();
    assert_eq!(last, "a cat on a windowsill");
    // k = 3 examples with rewrites become three user/assistant pairs.
    assert_eq!(messages.len(), 1 + 3 * 2 + 1);
}

#[test]
fn the_taste_method_gives_the_subject_and_style_not_the_biography() {
    let server = FakeServer::start(vec![completion(
        "a cat on a windowsill, muted film, soft overcast light",
    )]);
    let r = rewriter(&server.url(), "");
    let o = RewriteOptions {
        method: zipp::rewrite::Method::Taste,
        ..RewriteOptions::default()
    };
    let res = rewrite(&r, &o).unwrap();
    assert_eq!(res.method, "taste");
    let body = server.received()[0].json();
    let messages = body["messages"].as_array().unwrap();
    let system = messages[0]["content"].as_str().unwrap();
    assert!(
        system.starts_with("You write prompts for an image generator."),
        "{system}"
    );
    assert!(
        !system.contains("I'm Kenji"),
        "the biography stays out: {system}"
    );
    let last = messages.last().unwrap()["content"].as_str().unwrap();
    assert!(
        last.starts_with("Subject: a cat on a windowsill\nStyle: "),
        "{last}"
    );
    assert_eq!(messages.len(), 1 + 3 * 2 + 1);
}

#[test]
fn the_same_seed_is_served_from_the_cache_and_another_seed_asks_again() {
    let server = FakeServer::start(vec![
        completion("a cat on a windowsill, first light"),
        completion("a cat on a windowsill, second light"),
    ]);
    let r = rewriter(&server.url(), "");
    let o = RewriteOptions::default();
    assert_eq!(
        rewrite(&r, &o).unwrap().rewrite,
        "a cat on a windowsill, first light"
    );
    let again = rewrite(&r, &o).unwrap();
    assert_eq!(
        (again.rewrite.as_str(), again.cache_hit),
        ("a cat on a windowsill, first light", true)
    );
    assert_eq!(server.received().len(), 1);
    let other = RewriteOptions {
        sampling: o.sampling.with_seed(5),
        ..o
    };
    assert_eq!(
        rewrite(&r, &other).unwrap().rewrite,
        "a cat on a windowsill, second light"
    );
    assert_eq!(server.received().len(), 2);
}

#[test]
fn refused_connection() {
    let url = refused_url();
    let err = rewrite(&rewriter(&url, ""), &RewriteOptions::default()).unwrap_err();
    assert_eq!(err.status(), ZippStatus::Connection);
    assert_eq!(
        err.to_string(),
        format!(
            "cannot connect to {url}/chat/completions: connection refused; is the server running?"
        )
    );
}

#[test]
fn timeout() {
    let server = FakeServer::start(vec![Reply::Delay(
        Duration::from_secs(3),
        Box::new(completion("late")),
    )]);
    let r = rewriter(&server.url(), r#","timeout_ms":300,"max_retries":0"#);
    let start = Instant::now();
    let err = rewrite(&r, &RewriteOptions::default()).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_millis(2500),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(err.status(), ZippStatus::Timeout);
    assert_eq!(
        err.to_string(),
        format!(
            "{}/chat/completions did not answer within 300 ms",
            server.url()
        )
    );
}

#[test]
fn server_error_then_success() {
    let server = FakeServer::start(vec![
        status(500, r#"{"error":{"message":"boom"}}"#),
        completion("a cat on a windowsill, dusk haze"),
    ]);
    let res = rewrite(&rewriter(&server.url(), ""), &RewriteOptions::default()).unwrap();
    assert_eq!(res.rewrite, "a cat on a windowsill, dusk haze");
    assert!(
        res.notes
            .contains(&"the server answered on attempt 2".to_string()),
        "{:?}",
        res.notes
    );
    assert_eq!(server.received().len(), 2);
}

#[test]
fn server_errors_until_retries_run_out() {
    let server = FakeServer::start(vec![status(503, r#"{"error":{"message":"overloaded"}}"#)]);
    let err = rewrite(
        &rewriter(&server.url(), r#","max_retries":2"#),
        &RewriteOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.status(), ZippStatus::Server);
    assert_eq!(
        err.to_string(),
        "server error (HTTP 503) after 3 attempts: overloaded"
    );
    assert_eq!(server.received().len(), 3);
}

#[test]
fn rate_limit_honours_retry_after() {
    let server = FakeServer::start(vec![
        too_many("1"),
        completion("a cat on a windowsill, later light"),
    ]);
    let start = Instant::now();
    let res = rewrite(&rewriter(&server.url(), ""), &RewriteOptions::default()).unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "waited only {:?}",
        start.elapsed()
    );
    assert_eq!(res.rewrite, "a cat on a windowsill, later light");
    assert_eq!(server.received().len(), 2);
}

#[test]
fn rate_limit_until_retries_run_out() {
    let server = FakeServer::start(vec![too_many("0")]);
    let err = rewrite(
        &rewriter(&server.url(), r#","max_retries":1"#),
        &RewriteOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.status(), ZippStatus::RateLimited);
    assert_eq!(
        err.to_string(),
        "rate limited by the server (HTTP 429) after 2 attempts: slow down"
    );
}

#[test]
fn malformed_json() {
    let server = FakeServer::start(vec![status(200, "{\"choices\": [")]);
    let err = rewrite(&rewriter(&server.url(), ""), &RewriteOptions::default()).unwrap_err();
    assert_eq!(err.status(), ZippStatus::BadResponse);
    assert!(
        err.to_string()
            .starts_with("bad response from the backend: the reply is not chat-completion JSON (EOF while parsing"),
        "{err}"
    );
}

#[test]
fn empty_choices() {
    let server = FakeServer::start(vec![status(200, r#"{"choices":[]}"#)]);
    let err = rewrite(&rewriter(&server.url(), ""), &RewriteOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad response from the backend: the reply has no choices"
    );
}

#[test]
fn think_block_is_kept_apart() {
    let server = FakeServer::start(vec![completion(
        "<think>\nKenji likes quiet film photos.\n</think>\n\na cat on a windowsill, overcast light, film grain",
    )]);
    let res = rewrite(&rewriter(&server.url(), ""), &RewriteOptions::default()).unwrap();
    assert_eq!(
        res.rewrite,
        "a cat on a windowsill, overcast light, film grain"
    );
    assert_eq!(
        res.thinking.as_deref(),
        Some("Kenji likes quiet film photos.")
    );
}

#[test]
fn chatty_preamble_is_removed() {
    let server = FakeServer::start(vec![completion(
        "Sure! Here is the rewritten prompt:\n\n\"a cat on a windowsill, muted colour film\"\n\nLet me know if you'd like changes.",
    )]);
    let res = rewrite(&rewriter(&server.url(), ""), &RewriteOptions::default()).unwrap();
    assert_eq!(res.rewrite, "a cat on a windowsill, muted colour film");
}

#[test]
fn unauthorized_and_unknown_model_and_bad_request() {
    let server = FakeServer::start(vec![status(
        401,
        r#"{"error":{"message":"invalid api key"}}"#,
    )]);
    let err = rewrite(&rewriter(&server.url(), ""), &RewriteOptions::default()).unwrap_err();
    assert_eq!(err.status(), ZippStatus::Auth);
    assert_eq!(
        err.to_string(),
        "the server refused the credentials (HTTP 401): invalid api key; set ZIPP_API_KEY or the config's api_key"
    );
    assert_eq!(server.received().len(), 1, "401 is not retried");

    let server = FakeServer::start(vec![status(
        404,
        r#"{"error":{"message":"model 'test-model' not found"}}"#,
    )]);
    let err = rewrite(&rewriter(&server.url(), ""), &RewriteOptions::default()).unwrap_err();
    assert_eq!(err.status(), ZippStatus::ModelNotFound);
    assert_eq!(
        err.to_string(),
        format!(
            "model `test-model` or its endpoint was not found at {}/chat/completions (HTTP 404): model 'test-model' not found",
            server.url()
        )
    );

    let server = FakeServer::start(vec![status(400, r#"{"error":"context too long"}"#)]);
    let err = rewrite(&rewriter(&server.url(), ""), &RewriteOptions::default()).unwrap_err();
    assert_eq!(err.status(), ZippStatus::Backend);
    assert_eq!(
        err.to_string(),
        "backend error (HTTP 400): context too long"
    );
}

#[test]
fn passthrough_returns_the_original_with_the_error() {
    let url = refused_url();
    let o = RewriteOptions {
        on_error: OnError::Passthrough,
        negative_prompt: Some("blurry".into()),
        ..RewriteOptions::default()
    };
    let r = rewriter(&url, "");
    let res = rewrite(&r, &o).unwrap();
    assert_eq!(res.rewrite, "a cat on a windowsill");
    assert_eq!(res.negative_prompt.as_deref(), Some("blurry"));
    let e = res.error.expect("the error is attached");
    assert_eq!((e.status.as_str(), e.code), ("ZIPP_STATUS_CONNECTION", 10));
    // A passed-through failure is not cached: the next call tries the backend again.
    assert!(!rewrite(&r, &o).unwrap().cache_hit);
}

#[test]
fn one_rewriter_serves_many_threads() {
    let server = FakeServer::start(vec![completion("a cat, film grain")]);
    let r = rewriter(&server.url(), "");
    let p = persona();
    std::thread::scope(|s| {
        for seed in 0..4u64 {
            let (r, p) = (&r, &p);
            s.spawn(move || {
                let o = RewriteOptions::default();
                let o = RewriteOptions {
                    sampling: o.sampling.with_seed(seed),
                    ..o
                };
                assert_eq!(
                    r.rewrite(p, "a cat", &o).unwrap().rewrite,
                    "a cat, film grain"
                );
            });
        }
    });
    assert_eq!(server.received().len(), 4);
}

#[test]
fn a_degenerate_answer_is_retried_with_the_problems_named() {
    let server = FakeServer::start(vec![
        completion("Windowsill Dreams: A Quiet Afternoon"),
        completion("a cat on a windowsill, muted film, soft overcast light"),
    ]);
    let res = rewrite(&rewriter(&server.url(), ""), &RewriteOptions::default()).unwrap();
    assert_eq!(
        res.rewrite,
        "a cat on a windowsill, muted film, soft overcast light"
    );
    assert_eq!(res.guard, "retry");
    assert!(
        res.notes
            .iter()
            .any(|n| n.contains("lost the subject (cat)")),
        "{:?}",
        res.notes
    );
    let requests = server.received();
    assert_eq!(requests.len(), 2);
    let body: serde_json::Value = serde_json::from_str(&requests[1].body).unwrap();
    let system = body["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains("Keep these words of the original prompt: cat."),
        "{system}"
    );
    assert!(system.contains("not a title"), "{system}");
    assert_ne!(
        body["seed"],
        serde_json::from_str::<serde_json::Value>(&requests[0].body).unwrap()["seed"]
    );
}

#[test]
fn two_degenerate_answers_fall_back_to_a_composition() {
    let server = FakeServer::start(vec![
        completion("a serene scene, a serene scene, a serene scene"),
        completion("a serene scene, a serene scene, a serene scene"),
    ]);
    let res = rewrite(&rewriter(&server.url(), ""), &RewriteOptions::default()).unwrap();
    assert_eq!(res.guard, "fallback");
    assert!(
        res.rewrite.starts_with("a cat on a windowsill, "),
        "{}",
        res.rewrite
    );
    assert_eq!(res.backend, "openai");
}
