//! The rewrite-quality benchmark's data and judge (`benches/quality/`), and the model-free
//! pipeline scored by it: personas that are intake surveys without visual words, prompts that
//! name their subjects, and the `rules` rewrites keeping every subject without loops or copies.

#[path = "../benches/quality/data.rs"]
#[allow(dead_code)]
mod data;
#[path = "../benches/quality/judge.rs"]
#[allow(dead_code)]
mod judge;
mod models;

use std::path::Path;

use judge::{copies_biography, keeps, repeats_phrase, words};

fn bench_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/quality"))
}

#[test]
fn the_judge_checks_subjects_loops_and_copies() {
    let w = words("Two dogs chase the buses by a bus stop; a child watches");
    assert!(keeps(&w, "dog") && keeps(&w, "bus stop") && keeps(&w, "buses"));
    assert!(keeps(&w, "children") && !keeps(&w, "cat"));
    assert!(repeats_phrase("a calm sea, a calm sea at dawn"));
    assert!(repeats_phrase("soft soft soft soft light"));
    assert!(!repeats_phrase("a calm sea at dawn"));
    assert!(copies_biography(
        "a cat, I live alone in a small house",
        "I live alone in a small house in Kyoto."
    ));
    assert!(!copies_biography(
        "a cat in Kyoto",
        "I live alone in a small house in Kyoto."
    ));
}

#[test]
fn the_benchmark_has_enough_diverse_surveys_without_visual_words() {
    let (personas, prompts) = data::load(bench_dir(), bench_dir()).unwrap();
    assert!(personas.len() >= 12 && prompts.len() >= 24);
    let countries: std::collections::BTreeSet<String> = personas
        .iter()
        .filter_map(|p| p.persona.document().traits.demographics.country.clone())
        .collect();
    assert!(countries.len() >= 10, "{countries:?}");
    // The rewriter must infer taste: the surveys carry none of these words.
    for p in &personas {
        let text = words(&p.persona.document().text);
        let hit: Vec<&String> = text
            .iter()
            .filter(|w| VISUAL.contains(&w.as_str()))
            .collect();
        assert!(hit.is_empty(), "{}: {hit:?}", p.id);
        assert!(!p.judge_taste.is_empty());
    }
    for q in &prompts {
        let w = words(&q.prompt);
        assert!(!q.subjects.is_empty());
        for s in &q.subjects {
            assert!(keeps(&w, s), "{:?} does not name {s}", q.prompt);
        }
    }
}

/// Words that state a visual taste; no benchmark persona may use them.
const VISUAL: [&str; 14] = [
    "colour",
    "color",
    "colours",
    "colors",
    "light",
    "lighting",
    "style",
    "aesthetic",
    "vibrant",
    "pastel",
    "neon",
    "minimalist",
    "painting",
    "palette",
];

#[test]
fn the_test_split_is_plain_first_person_texts_from_many_countries() {
    let test_dir = bench_dir().join("test");
    let (personas, _) = data::load(&test_dir, bench_dir()).unwrap();
    assert!(personas.len() >= 12, "{}", personas.len());
    for p in &personas {
        let doc = p.persona.document();
        assert!(
            doc.traits.aesthetics.is_empty() && doc.facets.is_empty(),
            "{}",
            p.id
        );
        assert!(
            doc.traits.demographics.country.is_none(),
            "{}: a text, not a survey",
            p.id
        );
        let text = words(&doc.text);
        assert!(
            text.iter().any(|w| w == "i" || w == "i'm" || w == "my"),
            "{}",
            p.id
        );
        let visual: Vec<&String> = text
            .iter()
            .filter(|w| VISUAL.contains(&w.as_str()))
            .collect();
        assert!(visual.is_empty(), "{}: {visual:?}", p.id);
        assert!(p.judge_taste.split_whitespace().count() >= 20, "{}", p.id);
    }
    // No test persona is a development persona under another name.
    let (dev, _) = data::load(bench_dir(), bench_dir()).unwrap();
    for p in &personas {
        assert!(dev
            .iter()
            .all(|d| d.id != p.id && d.judge_taste != p.judge_taste));
    }
}

#[test]
fn the_judge_measures_identification_clauses_and_copied_examples() {
    assert_eq!(
        judge::added_clauses("a cat on a mat, soft light; film grain"),
        ["soft light", "film grain"]
    );
    assert!(judge::copies_examples(
        "a dog on a windswept cliff above the moors",
        "a dog"
    ));
    assert!(!judge::copies_examples(
        "a lighthouse on a cliff at dusk",
        "a lighthouse on a cliff"
    ));
}

#[test]
fn rules_rewrites_keep_subjects_add_taste_and_never_loop_or_copy() {
    let Some(dir) = models::find(models::MINILM) else {
        return;
    };
    models::pin_threads();
    let (personas, prompts) = data::load(bench_dir(), bench_dir()).unwrap();
    let rewriter = zipp::Rewriter::with_backend(
        Box::new(zipp::llm::rules::RulesBackend::new()),
        0,
        zipp::RewriteOptions::default(),
    );
    let rewrites: Vec<Vec<(String, String)>> = personas
        .iter()
        .map(|p| {
            prompts
                .iter()
                .map(|q| {
                    let r = rewriter
                        .rewrite(&p.persona, &q.prompt, &zipp::RewriteOptions::default())
                        .unwrap();
                    (r.rewrite, r.guard)
                })
                .collect()
        })
        .collect();
    let enc = zipp::sentence::SentenceEncoder::load(&dir).unwrap();
    let run = |method, rewrites: &[Vec<(String, String)>]| {
        judge::score(
            &enc,
            &judge::MethodRun { method, rewrites },
            &personas,
            &prompts,
        )
        .unwrap()
    };
    let s = run("compose", &rewrites);
    assert_eq!(s.all_subjects_kept, 1.0, "{s:?}");
    assert_eq!((s.repeated_phrases, s.copied_biography), (0, 0), "{s:?}");
    assert!(s.taste_alignment > 0.02, "{s:?}");
    // Swapping the personas' rewrites must cost alignment: it measures whose taste it is.
    let mut swapped = rewrites.clone();
    swapped.rotate_left(1);
    let other = run("rules, personas swapped", &swapped);
    assert!(
        other.taste_alignment < s.taste_alignment - 0.02,
        "{other:?} vs {s:?}"
    );
    let plain: Vec<Vec<(String, String)>> = personas
        .iter()
        .map(|_| {
            prompts
                .iter()
                .map(|q| (q.prompt.clone(), "-".to_string()))
                .collect()
        })
        .collect();
    let none = run("no rewrite", &plain);
    assert!(s.diversity > 0.6 * none.diversity, "{s:?} vs {none:?}");
}
