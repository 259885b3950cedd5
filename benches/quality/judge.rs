//! The judges: sentence embeddings (all-MiniLM-L6-v2 and all-mpnet-base-v2, two model families)
//! and word counts, computed the same way for every method. Nothing here is shared with the
//! rewriter (its own word splitting, its own repetition and copy checks).

use zipp::sentence::SentenceEncoder;

use crate::data::{BenchPersona, BenchPrompt};

/// The scores of one method.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Scores {
    pub method: String,
    /// The sentence encoder that embedded the texts.
    pub judge: String,
    /// Similarity to the persona's own taste description minus the mean over the others'.
    pub taste_alignment: f64,
    /// Share of rewrites whose nearest taste description is their own persona's.
    pub identification: f64,
    /// Similarity to the original prompt.
    pub prompt_similarity: f64,
    /// Mean fraction of the prompt's subject nouns kept.
    pub subjects_kept: f64,
    /// Share of rewrites that keep every subject noun.
    pub all_subjects_kept: f64,
    /// Mean pairwise cosine distance between one persona's rewrites, averaged over personas.
    pub diversity: f64,
    /// Mean words per rewrite.
    pub words: f64,
    /// Share of rewrites produced by the guard's retry.
    pub retried: f64,
    /// Share of rewrites produced by the deterministic fallback.
    pub fallback: f64,
    /// Rewrites with a 3-word phrase that occurs twice.
    pub repeated_phrases: usize,
    /// Rewrites with five consecutive words of the persona's own text.
    pub copied_biography: usize,
    /// Rewrites with four consecutive words of a built-in example's answer (not in the prompt).
    pub copied_examples: usize,
    /// The largest share of one persona's rewrites that share one added clause.
    pub max_clause_share: f64,
    /// Median seconds of one warm rewrite (set by the caller, which timed the method).
    pub median_seconds: f64,
    /// Rewrites scored.
    pub n: usize,
}

/// Lower-case words (letters and digits).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `noun` (one or more words) occurs in `text_words`, singular or plural.
pub fn keeps(text_words: &[String], noun: &str) -> bool {
    const IRREGULAR: [(&str, &str); 5] = [
        ("children", "child"),
        ("people", "person"),
        ("men", "man"),
        ("women", "woman"),
        ("feet", "foot"),
    ];
    let stem = |w: &str| -> String {
        if let Some((_, one)) = IRREGULAR.iter().find(|(many, _)| *many == w) {
            return (*one).to_string();
        }
        let w = w
            .strip_suffix("es")
            .filter(|s| s.ends_with(['s', 'x', 'h']))
            .unwrap_or(w);
        w.strip_suffix('s').unwrap_or(w).to_string()
    };
    let n: Vec<String> = words(noun).iter().map(|w| stem(w)).collect();
    n.is_empty()
        || text_words
            .windows(n.len())
            .any(|win| win.iter().zip(&n).all(|(a, b)| stem(a) == *b))
}

/// Whether some 3-word phrase occurs twice.
pub fn repeats_phrase(text: &str) -> bool {
    let w = words(text);
    let mut seen = std::collections::HashSet::new();
    w.windows(3).any(|t| !seen.insert(t.to_vec()))
}

/// The built-in examples' answers (`src/rewrite/shots.json`), which no rewrite should copy.
fn shot_answers() -> Vec<String> {
    let shots: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../../src/rewrite/shots.json")).unwrap_or_default();
    shots
        .iter()
        .filter_map(|s| s["prompt"].as_str().map(str::to_string))
        .collect()
}

/// Whether four consecutive words of a built-in example's answer, not all in `prompt`, occur in
/// `text`.
pub fn copies_examples(text: &str, prompt: &str) -> bool {
    let t = words(text);
    let own = words(prompt);
    shot_answers().iter().any(|a| {
        words(a)
            .windows(4)
            .filter(|w| !own.windows(4).any(|o| o == *w))
            .any(|w| t.windows(4).any(|u| u == w))
    })
}

/// The clauses a rewrite adds to its prompt: its comma-separated parts after the first (which
/// carries the subject), lower-case words only.
pub fn added_clauses(text: &str) -> Vec<String> {
    text.split([',', ';'])
        .skip(1)
        .map(|c| words(c).join(" "))
        .filter(|c| !c.is_empty())
        .collect()
}

/// Whether five consecutive words of `bio` occur in `text`.
pub fn copies_biography(text: &str, bio: &str) -> bool {
    let t = words(text);
    let b = words(bio);
    b.windows(5).any(|s| t.windows(5).any(|u| u == s))
}

/// The judge's name: its model folder's name.
pub fn judge_name(enc: &SentenceEncoder) -> String {
    enc.folder()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum()
}

/// One method's rewrites: `rewrites[p][q]` for persona `p` and prompt `q`, with their paths.
pub struct MethodRun<'a> {
    pub method: &'a str,
    pub rewrites: &'a [Vec<(String, String)>],
}

/// Scores a method. `tastes[p]` and `bios[p]` are persona `p`'s judge taste and own text,
/// `prompts[q]` and `subjects[q]` prompt `q` and its nouns.
pub fn score(
    enc: &SentenceEncoder,
    run: &MethodRun,
    personas: &[BenchPersona],
    prompts: &[BenchPrompt],
) -> Result<Scores, String> {
    let emb = |t: Vec<&str>| enc.embed(&t).map_err(|e| e.to_string());
    let taste_e = emb(personas.iter().map(|p| p.judge_taste.as_str()).collect())?;
    let prompt_e = emb(prompts.iter().map(|q| q.prompt.as_str()).collect())?;
    let (np, nq) = (run.rewrites.len(), prompts.len());
    let mut s = Scores {
        method: run.method.to_string(),
        judge: judge_name(enc),
        taste_alignment: 0.0,
        identification: 0.0,
        prompt_similarity: 0.0,
        subjects_kept: 0.0,
        all_subjects_kept: 0.0,
        diversity: 0.0,
        words: 0.0,
        retried: 0.0,
        fallback: 0.0,
        repeated_phrases: 0,
        copied_biography: 0,
        copied_examples: 0,
        max_clause_share: 0.0,
        median_seconds: 0.0,
        n: np * nq,
    };
    for (p, row) in run.rewrites.iter().enumerate() {
        let e = emb(row.iter().map(|(t, _)| t.as_str()).collect())?;
        for (q, ((text, path), v)) in row.iter().zip(&e).enumerate() {
            let own = dot(v, &taste_e[p]);
            let others: f64 = (0..taste_e.len())
                .filter(|o| *o != p)
                .map(|o| dot(v, &taste_e[o]))
                .sum::<f64>()
                / (taste_e.len() - 1).max(1) as f64;
            s.taste_alignment += own - others;
            let nearest = (0..taste_e.len())
                .max_by(|a, b| dot(v, &taste_e[*a]).total_cmp(&dot(v, &taste_e[*b])))
                .unwrap_or(p);
            s.identification += f64::from(u8::from(nearest == p));
            s.prompt_similarity += dot(v, &prompt_e[q]);
            let w = words(text);
            let subjects = &prompts[q].subjects;
            let kept = subjects.iter().filter(|n| keeps(&w, n)).count();
            s.subjects_kept += kept as f64 / subjects.len().max(1) as f64;
            s.all_subjects_kept += f64::from(u8::from(kept == subjects.len()));
            s.words += w.len() as f64;
            s.retried += f64::from(u8::from(path == "retry"));
            s.fallback += f64::from(u8::from(path == "fallback"));
            s.repeated_phrases += usize::from(repeats_phrase(text));
            let bio = &personas[p].persona.document().text;
            s.copied_biography += usize::from(copies_biography(text, bio));
            s.copied_examples += usize::from(copies_examples(text, &prompts[q].prompt));
        }
        let mut counts: std::collections::HashMap<String, usize> = Default::default();
        for (text, _) in row {
            let mut clauses = added_clauses(text);
            clauses.sort();
            clauses.dedup();
            for c in clauses {
                *counts.entry(c).or_default() += 1;
            }
        }
        let most = counts.values().copied().max().unwrap_or(0);
        s.max_clause_share = s
            .max_clause_share
            .max(most as f64 / row.len().max(1) as f64);
        let mut pair_sum = 0.0;
        let mut pairs = 0usize;
        for a in 0..e.len() {
            for b in a + 1..e.len() {
                pair_sum += 1.0 - dot(&e[a], &e[b]);
                pairs += 1;
            }
        }
        s.diversity += pair_sum / pairs.max(1) as f64;
    }
    let n = s.n.max(1) as f64;
    s.taste_alignment /= n;
    s.identification /= n;
    s.prompt_similarity /= n;
    s.subjects_kept /= n;
    s.all_subjects_kept /= n;
    s.words /= n;
    s.retried /= n;
    s.fallback /= n;
    s.diversity /= np.max(1) as f64;
    Ok(s)
}
