//! The gguf backend's prefix cache: a prompt continued from a kept prefix gets the same logits,
//! bit for bit, as the prompt evaluated whole (every architecture, on the tiny fixture models);
//! the cache is a bounded LRU keyed by the token ids; and with the default model, rewrites with
//! the cache give the same texts as without it, also from several threads at once.

mod models;

use std::path::Path;

use zipp::llm::gguf::prefix::PrefixCache;
use zipp::llm::gguf::{GgufFile, Model};
use zipp::{Persona, Rewriter};

fn tiny(arch: &str) -> Model {
    zipp::llm::gguf::set_threads(2);
    let file = GgufFile::open(Path::new(&format!("tests/fixtures/gguf/{arch}-tiny.gguf"))).unwrap();
    Model::load(&file, &candle_core::Device::Cpu, 128).unwrap()
}

/// `n` token ids, a pattern seeded by `salt`, within every tiny model's vocabulary.
fn tokens(n: usize, salt: u32) -> Vec<u32> {
    (0..n as u32)
        .map(|i| (i * 7 + salt * 13 + i * i) % 60 + 1)
        .collect()
}

fn last_logits(model: &Model, prompt: &[u32], cache: &mut zipp::llm::gguf::Cache) -> Vec<f32> {
    model.forward(prompt, cache, false).unwrap().pop().unwrap()
}

fn same_bits(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

#[test]
fn a_prompt_continued_from_a_kept_prefix_has_the_same_logits_bit_for_bit() {
    for arch in zipp::llm::gguf::ARCHITECTURES {
        let model = tiny(arch);
        // A is 40 tokens; B shares its first 30 and is 90 long: their passes attend over
        // different numbers of keys (the padding makes that not matter).
        let a = tokens(40, 1);
        let mut b = a[..30].to_vec();
        b.extend(tokens(60, 2));
        let mut whole = model.new_cache();
        let want = last_logits(&model, &b, &mut whole);

        let kept = PrefixCache::new(2);
        let mut cache_a = model.new_cache();
        let logits_a = last_logits(&model, &a, &mut cache_a);
        kept.store(&a, &cache_a, &logits_a).unwrap();
        let reuse = kept
            .lookup(&b, 128, 16)
            .unwrap()
            .expect("A's start is kept");
        assert_eq!((reuse.reused, reuse.logits.is_none()), (30, true), "{arch}");
        let mut cache_b = reuse.cache;
        assert_eq!(cache_b.position(), 30);
        let got = last_logits(&model, &b[30..], &mut cache_b);
        assert!(
            same_bits(&got, &want),
            "{arch}: the continued prompt's logits differ"
        );

        // A again: nothing to evaluate, the kept logits come back.
        let again = kept.lookup(&a, 128, 16).unwrap().unwrap();
        assert_eq!(again.reused, a.len());
        assert!(same_bits(&again.logits.unwrap(), &logits_a), "{arch}");
        // A copy is a cache of its own: writing to it leaves the kept one as it was.
        let mut copy = again.cache;
        last_logits(&model, &tokens(5, 3), &mut copy);
        let third = kept.lookup(&b, 128, 16).unwrap().unwrap();
        let got = last_logits(
            &model,
            &b[30..],
            &mut third.cache.copy_prefix(30, 128).unwrap(),
        );
        assert!(
            same_bits(&got, &want),
            "{arch}: a kept entry was written to"
        );
    }
}

#[test]
fn the_cache_keeps_the_last_prompts_and_reuses_the_longest_shared_start() {
    let model = tiny("qwen2");
    let kept = PrefixCache::new(2);
    let store = |p: &[u32]| {
        let mut c = model.new_cache();
        let l = last_logits(&model, p, &mut c);
        kept.store(p, &c, &l).unwrap();
    };
    let reused = |p: &[u32]| kept.lookup(p, 128, 16).unwrap().map(|r| r.reused);
    let base = tokens(50, 4);
    let a: Vec<u32> = base[..40].iter().copied().chain(tokens(10, 5)).collect();
    let b: Vec<u32> = base[..20].iter().copied().chain(tokens(30, 6)).collect();
    let c = tokens(50, 7);
    store(&a);
    store(&b);
    assert_eq!(kept.len(), 2);
    assert!(kept.bytes() > 0);
    // The longest shared start wins; at least 16 tokens are left to evaluate.
    assert_eq!(reused(&base), Some(34));
    assert_eq!(reused(&base[..30]), Some(14));
    // A third prompt pushes out the least recently used (b: a was just looked up).
    store(&c);
    assert_eq!(kept.len(), 2);
    assert_eq!(reused(&b), Some(20), "b's start now comes from a");
    assert_eq!(reused(&c), Some(50), "c itself, with its logits");
    // Nothing shared, nothing reused; a prompt that extends a kept one replaces it.
    assert_eq!(reused(&[61, 62, 63]), None);
    let longer: Vec<u32> = c.iter().copied().chain(tokens(20, 8)).collect();
    store(&longer);
    assert_eq!(kept.len(), 2);
    assert_eq!(reused(&c), Some(34), "c is served by the longer prompt now");
    // Capacity 0 keeps nothing; reserve raises it for every user of the model.
    let off = PrefixCache::new(0);
    let mut cc = model.new_cache();
    let l = last_logits(&model, &a, &mut cc);
    off.store(&a, &cc, &l).unwrap();
    assert!(off.is_empty());
    off.reserve(3, 1 << 30);
    off.store(&a, &cc, &l).unwrap();
    assert_eq!((off.capacity(), off.len()), (3, 1));
    off.clear();
    assert!(off.is_empty());
}

#[test]
fn a_changed_token_invalidates_everything_after_it() {
    let model = tiny("llama");
    let kept = PrefixCache::new(4);
    let a = tokens(60, 9);
    let mut c = model.new_cache();
    let l = last_logits(&model, &a, &mut c);
    kept.store(&a, &c, &l).unwrap();
    // Another persona, example or model setting changes some token: nothing from there on is
    // reused, and what is continued gives the logits of the whole prompt.
    for at in [0, 5, 30] {
        let mut b = a.clone();
        b[at] = (b[at] % 60) + 1;
        let reuse = kept.lookup(&b, 128, 16).unwrap();
        assert_eq!(
            reuse.as_ref().map(|r| r.reused),
            (at > 0).then_some(at),
            "{at}"
        );
        if let Some(r) = reuse {
            let mut cache = r.cache;
            let got = last_logits(&model, &b[at..], &mut cache);
            let want = last_logits(&model, &b, &mut model.new_cache());
            assert!(same_bits(&got, &want), "changed at {at}");
        }
    }
}

#[test]
fn kept_prompts_stay_within_their_byte_budget() {
    let model = tiny("qwen2");
    let evaluated = |p: &[u32]| {
        let mut c = model.new_cache();
        let l = last_logits(&model, p, &mut c);
        (c, l)
    };
    let (c, l) = evaluated(&tokens(40, 1));
    let one = {
        let probe = PrefixCache::new(8);
        probe.store(&tokens(40, 1), &c, &l).unwrap();
        probe.bytes()
    };
    assert!(one > 0);
    // Room for two and a half prompts: never more than two kept, the newest always.
    let kept = PrefixCache::with_limits(8, one * 5 / 2);
    for salt in 1..=6 {
        let p: Vec<u32> = tokens(40, salt)
            .into_iter()
            .map(|t| (t + salt) % 60 + 1)
            .collect();
        let (c, l) = evaluated(&p);
        kept.store(&p, &c, &l).unwrap();
        assert!(
            kept.bytes() <= kept.max_bytes(),
            "{} > {}",
            kept.bytes(),
            kept.max_bytes()
        );
        assert!(kept.len() <= 2);
        assert_eq!(
            kept.lookup(&p, 128, 16).unwrap().map(|r| r.reused),
            Some(40)
        );
    }
    assert_eq!(kept.len(), 2);
    // A prompt larger than the whole budget is not kept at all.
    let small = PrefixCache::with_limits(8, one / 2);
    small.store(&tokens(40, 1), &c, &l).unwrap();
    assert!(small.is_empty());
}

fn rewriter(path: &Path, prefix_cache: usize) -> Rewriter {
    let config = serde_json::json!({
        "backend": "gguf",
        "model_path": path,
        "context_length": 2048,
        "cache_capacity": 0,
        "prefix_cache": prefix_cache,
    });
    Rewriter::from_json(&config.to_string()).unwrap()
}

/// Prompts of the quality benchmark (`benches/quality/prompts.json`), evenly spaced.
fn quality_prompts(n: usize) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct P {
        prompt: String,
    }
    let all: Vec<P> =
        serde_json::from_str(include_str!("../benches/quality/prompts.json")).unwrap();
    (0..n)
        .map(|i| all[i * all.len() / n].prompt.clone())
        .collect()
}

#[test]
fn rewrites_with_the_prefix_cache_are_the_rewrites_without_it() {
    models::pin_threads();
    let Some(path) = models::find(models::QWEN) else {
        return;
    };
    let (with, without) = (rewriter(&path, 4), rewriter(&path, 0));
    let kenji = Persona::from_file("examples/personas/kenji-osaka.json").unwrap();
    // A persona without examples of its own: the built-in shots, shared by all such personas.
    let plain = Persona::from_text(
        "I'm a fisherman in Ghana. I go out in the canoe before dawn and sing in the church choir.",
    )
    .unwrap();
    let prompts = quality_prompts(4);
    let mut expected = Vec::new();
    for persona in [&kenji, &plain] {
        for (seed, prompt) in prompts.iter().enumerate() {
            let o = with
                .options_from_json(Some(&format!(
                    r#"{{"seed": {seed}, "max_new_tokens": 48}}"#
                )))
                .unwrap();
            let a = with.rewrite(persona, prompt, &o).unwrap();
            let b = without.rewrite(persona, prompt, &o).unwrap();
            eprintln!(
                "{prompt}: reused {:?} of {:?}: {}",
                a.tokens.reused, a.tokens.prompt, a.rewrite
            );
            assert_eq!(a.rewrite, b.rewrite, "{prompt}: the cache changed the text");
            assert_eq!(b.tokens.reused, None, "no cache, nothing reported");
            if seed > 0 {
                let reused = a.tokens.reused.unwrap();
                assert!(
                    reused > 100 && reused < a.tokens.prompt.unwrap(),
                    "the instruction and examples are reused: {reused}"
                );
            }
            expected.push((persona, prompt.clone(), o, a.rewrite));
        }
    }
    // Two threads at once on one model and one cache: the same texts.
    std::thread::scope(|s| {
        for chunk in expected.chunks(expected.len() / 2) {
            let with = &with;
            s.spawn(move || {
                for (persona, prompt, o, text) in chunk {
                    assert_eq!(&with.rewrite(persona, prompt, o).unwrap().rewrite, text);
                }
            });
        }
    });
}

#[test]
fn a_persona_with_other_examples_reuses_only_what_is_still_the_same() {
    models::pin_threads();
    let Some(path) = models::find(models::QWEN) else {
        return;
    };
    let (with, without) = (rewriter(&path, 4), rewriter(&path, 0));
    let kenji = Persona::from_file("examples/personas/kenji-osaka.json").unwrap();
    let o = with
        .options_from_json(Some(r#"{"seed": 3, "max_new_tokens": 32}"#))
        .unwrap();
    let prompt = "a horse standing in a meadow";
    with.rewrite(&kenji, "a city street at night", &o).unwrap();
    let warm = with.rewrite(&kenji, prompt, &o).unwrap();
    let warm_reused = warm.tokens.reused.unwrap();
    // The persona's first example answered otherwise: its turn and all after it are evaluated
    // again, and the text is the one the uncached backend gives for the edited persona.
    let mut doc = kenji.document().clone();
    let first = doc
        .examples
        .iter_mut()
        .find(|e| e.rewrite.is_some())
        .unwrap();
    first.rewrite = Some("an empty platform at dusk, grey sky, faded film".into());
    let edited = Persona::new(doc).unwrap();
    let a = with.rewrite(&edited, prompt, &o).unwrap();
    let b = without.rewrite(&edited, prompt, &o).unwrap();
    let reused = a.tokens.reused.unwrap();
    assert!(
        reused < warm_reused,
        "{reused} of the edited chat reused, {warm_reused} before"
    );
    assert_eq!(a.rewrite, b.rewrite);
    // The edited persona's chat is kept too: the next prompt reuses its examples.
    let next = with
        .rewrite(&edited, "birds sitting on a wire", &o)
        .unwrap();
    assert!(next.tokens.reused.unwrap() > reused);
}

#[test]
fn cancel_still_stops_a_generation_continued_from_a_kept_prefix() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use zipp::llm::gguf::{generate_cached, registry};
    models::pin_threads();
    let Some(path) = models::find(models::QWEN) else {
        return;
    };
    let loaded = registry::get_or_load(&path, 1024).unwrap();
    let chat = |ask: &str| {
        loaded.vocab.encode(
            &format!("<|im_start|>system\nYou count in words.<|im_end|>\n<|im_start|>user\n{ask}<|im_end|>\n<|im_start|>assistant\n"),
            false,
            true,
        )
    };
    let settings = zipp::llm::SamplingParams {
        max_new_tokens: 40,
        ..zipp::llm::SamplingParams::greedy()
    };
    let kept = PrefixCache::new(4);
    let first = chat("Count from one to twenty, please, one word per number.");
    generate_cached(
        &loaded.model,
        &loaded.vocab,
        &first,
        Some(&kept),
        &settings,
        None,
        None,
    )
    .unwrap();
    assert_eq!(kept.len(), 1);
    // The next prompt starts the same way: cancelled after its third token, nothing more.
    let next = chat("Count from ten to thirty, please, one word per number.");
    let cancel = AtomicBool::new(false);
    let seen = AtomicUsize::new(0);
    let on_token = |_: &str| {
        if seen.fetch_add(1, Ordering::SeqCst) + 1 == 3 {
            cancel.store(true, Ordering::SeqCst);
        }
        true
    };
    let err = generate_cached(
        &loaded.model,
        &loaded.vocab,
        &next,
        Some(&kept),
        &settings,
        Some(&cancel),
        Some(&on_token),
    )
    .unwrap_err();
    assert_eq!(err.status(), zipp::ZippStatus::Cancelled);
    assert_eq!(seen.load(Ordering::SeqCst), 3, "no token after the cancel");
    // Cancelled before it starts: nothing is evaluated or kept.
    let before = kept.len();
    let third = chat("Count backwards from nine, please.");
    let err = generate_cached(
        &loaded.model,
        &loaded.vocab,
        &third,
        Some(&kept),
        &settings,
        Some(&AtomicBool::new(true)),
        None,
    )
    .unwrap_err();
    assert_eq!(err.status(), zipp::ZippStatus::Cancelled);
    assert_eq!(kept.len(), before);
}
